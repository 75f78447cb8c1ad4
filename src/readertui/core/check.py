"""`check`: resolve every citation of the notes under a path and report them.

The report is data (`model.Report`); `report_text` and `report_json` render it for the CLI.
A path outside the workspace, or no such project, raises `ReadertuiError`. What cannot be read
or checked — a binary, invalid-UTF-8, FIFO or unreadable note, an unreadable folder, a project
without `notes/`, a submodule not checked out, a repository whose HEAD is garbled or names no
commit — is a `Report.problems` entry naming it and the reason; everything else is still
checked.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from readertui.core.errors import NoteError, WorkspaceError
from readertui.core.git import no_commit_reason, read_head
from readertui.core.ignore import load_rules
from readertui.core.model import (
    CheckProblem,
    CitationResult,
    LineRange,
    ProblemKind,
    Project,
    Repo,
    RepoKind,
    Report,
    Status,
    Workspace,
)
from readertui.core.preconditions import require_project
from readertui.core.resolve import Resolver, is_within
from readertui.core.safe_text import sanitize_line
from readertui.core.workspace import list_notes

STATUS_ORDER = tuple(status.value for status in Status)


def _unusable_repo(project: Project, repo: Repo) -> CheckProblem | None:
    """Why `project` cannot be checked because of `repo` (a submodule never checked out, a HEAD
    that names no commit), or None."""
    if repo.kind == RepoKind.UNINITIALIZED_SUBMODULE:
        return CheckProblem(
            repo.path, ProblemKind.NOT_CHECKED_OUT,
            f"submodule {project.name}/{repo.name} is not checked out, so {project.name} was not "
            f"checked; run `{repo.fix_command}`",
        )
    if repo.is_git and (repo.head or read_head(repo.path)) is None:
        return CheckProblem(
            repo.path, ProblemKind.UNREADABLE,
            f"repository {project.name}/{repo.name} cannot be read, so {project.name} was not checked: "
            f"{no_commit_reason(repo.path, with_repo=False)}",
        )
    return None


def notes_in_scope(
    workspace: Workspace,
    target: Path | None = None,
    project: str | None = None,
    problems: list[CheckProblem] | None = None,
) -> list[tuple[Project, list[Path]]]:
    """The projects and notes `target` covers: the workspace, a project, a folder, or one note.

    Raises WorkspaceError when `target` is outside the workspace or names no project. What
    cannot be checked — a project without notes/, with a submodule not checked out or with a
    repository whose HEAD names no commit (left out), a notes folder that cannot be read — goes
    into `problems` and the rest is still covered."""
    problems = problems if problems is not None else []
    root = workspace.root
    resolved = Path(os.path.abspath(target)).resolve() if target is not None else root
    if resolved.is_dir() and is_within(str(root), str(resolved)):
        resolved = root  # a folder above the workspace (where readertui.toml is): all of it
    if not is_within(str(resolved), str(root)):
        raise WorkspaceError(f"{target} is outside the workspace {root}")
    projects = list(workspace.projects)
    if project is not None:
        projects = [require_project(workspace, project)]
    if resolved != root:
        projects = [p for p in projects if is_within(str(resolved), str(p.path))]
        if not projects:
            raise WorkspaceError(f"{target} is not inside a project of the workspace {root}")
    if resolved.is_file() and resolved.suffix.lower() not in (".md", ".markdown"):
        raise WorkspaceError(f"{target} is not a Markdown note")
    scoped: list[tuple[Project, list[Path]]] = []
    for proj in projects:
        if not proj.notes_dir.is_dir():
            problems.append(CheckProblem(proj.notes_dir, ProblemKind.NO_NOTES, f"project {proj.name} has no notes/ folder"))
            continue
        unusable = [problem for repo in proj.repos if (problem := _unusable_repo(proj, repo)) is not None]
        if unusable:
            problems += unusable
            continue
        if resolved.is_file():
            notes = [resolved]
        else:
            listing = list_notes(proj)
            notes = [n for n in listing.notes if is_within(str(n.resolve()), str(resolved))]
            problems += [CheckProblem(folder, ProblemKind.UNREADABLE, f"cannot read the folder: {why}") for folder, why in listing.unreadable]
            problems += [
                CheckProblem(
                    path, ProblemKind.OUTSIDE,
                    f"{'the notes folder' if path == proj.notes_dir else 'the note'} leads outside the "
                    f"workspace (to {real}); not checked",
                )
                for path, real in listing.outside
                if path == proj.notes_dir or is_within(os.path.abspath(path), str(resolved))
            ]
        scoped.append((proj, _each_once(notes, proj)))
    return scoped


def _each_once(notes: list[Path], project: Project) -> list[Path]:
    """Each note once: a note reached through a symlink counts under the name the user keeps,
    its target, when that lies inside the project (else under the link's own name)."""
    kept: list[Path] = []
    seen: set[str] = set()
    project_root = os.path.realpath(project.path)
    for note in notes:
        real = os.path.realpath(note)
        if real in seen:
            continue
        seen.add(real)
        kept.append(Path(real) if is_within(real, project_root) else note)
    return kept


def checked(
    workspace: Workspace,
    target: Path | None = None,
    project: str | None = None,
    problems: list[CheckProblem] | None = None,
) -> Iterator[tuple[tuple[int, int, int], CitationResult]]:
    """Every citation of every note in scope, resolved, with its place (project, note, citation:
    sort by it for the report's order), as the notes are read; one Resolver per project so file
    lists and diffs are computed once per (repo, commit). A note or folder that cannot be read, a
    project that cannot be checked, goes into `problems` (as the run reaches it) and the run goes
    on. Each note is read once and resolved as it is read (`Resolver.iter_results`), so a caller
    that keeps little of each result holds little."""
    problems = problems if problems is not None else []
    scoped = notes_in_scope(workspace, target, project, problems)
    rules = load_rules(workspace)  # an invalid glob stops the run before anything is read

    def unreadable(note: Path, error: NoteError) -> None:  # binary, invalid UTF-8, a FIFO, no permission
        problems.append(CheckProblem(Path(note).absolute(), ProblemKind.UNREADABLE, str(error)))

    for index, (proj, notes) in enumerate(scoped):
        resolver = Resolver(workspace, proj, rules)
        try:
            for (note, citation), result in resolver.iter_results(notes, unreadable):
                yield (index, note, citation), result
        except NoteError as error:  # (`unreadable` takes them all; kept as a last guard)
            problems.append(CheckProblem(proj.notes_dir, ProblemKind.UNREADABLE, str(error)))
        problems += [
            CheckProblem(folder, ProblemKind.UNREADABLE, f"cannot read the folder: {why}; citations into it are not checked")
            for folder, why in resolver.unreadable_folders()
        ]


def check(
    workspace: Workspace,
    target: Path | None = None,
    project: str | None = None,
    keep: Callable[[CitationResult], bool] | None = None,
) -> Report:
    """`checked`'s results as a report, in order. With `keep`, the report holds only the
    results it accepts and `counts` counts them all, so a huge log costs its broken citations
    in memory, not all of them."""
    problems: list[CheckProblem] = []
    kept: list[tuple[tuple[int, int, int], CitationResult]] = []
    tally: Counter[Status] = Counter()
    for place, result in checked(workspace, target, project, problems):
        tally[result.status] += 1
        if keep is None or keep(result):
            kept.append((place, result))
    kept.sort(key=lambda item: item[0])
    results = tuple(result for _, result in kept)
    return Report(results, tuple(problems), None if keep is None else by_value(tally))


def by_value(tally: Counter[Status]) -> dict[str, int]:
    """Counts keyed by the statuses' names (tallied by the enum: its `.value` is a property,
    read 400,000 times on a long log)."""
    return {status.value: count for status, count in tally.items()}


def only_unpinned(report: Report) -> bool:
    """True when every citation is unpinned: no line of the notes could be checked at all."""
    return set(report.summary) == {Status.UNPINNED.value}


def _note_name(result: CitationResult, workspace: Workspace) -> str:
    return _note_path_name(result.note, workspace.root)


@functools.lru_cache(maxsize=1024)
def _note_path_name(note: Path, root: Path) -> str:
    """Cached per note: `Path.resolve` costs ~0.1 ms and a report names each note many times."""
    try:
        return note.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(note)


def _ranges(ranges: Iterable[LineRange]) -> list[list[int]]:
    return [[r.start, r.end] for r in ranges]


def report_json(report: Report, workspace: Workspace, only_broken: bool = False) -> dict[str, Any]:
    results = report.broken if only_broken else report.results
    return {
        "citations": [citation_json(r, workspace) for r in results],
        "summary": summary(report),
        "problems": problems_json(report.problems, workspace),
    }


def citation_json(r: CitationResult, workspace: Workspace) -> dict[str, Any]:
    """One entry of the JSON report's `citations`."""
    return {
        "note": _note_name(r, workspace),
        "line": r.citation.line,
        "column": r.citation.column,
        "text": r.citation.text,
        "status": r.status.value,
        "repo": r.repo,
        "path": r.path,
        "ranges": _ranges(r.ranges),
        "commit": r.commit,
        "candidates": list(r.candidates),
        "new_ranges": _ranges(r.new_ranges),
        "confidence": r.confidence,
        "detail": r.detail,
    }


def problems_json(problems: Iterable[CheckProblem], workspace: Workspace) -> list[dict[str, str]]:
    return [
        {"path": _path_name(problem.path, workspace.root), "status": problem.status, "detail": problem.detail}
        for problem in problems
    ]


def _path_name(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def summary(report: Report) -> dict[str, int]:
    """Counts per status, in a fixed order (ok, moved, out-of-range, …)."""
    return ordered_counts(report.summary)


def ordered_counts(counts: dict[str, int]) -> dict[str, int]:
    return {status: counts[status] for status in STATUS_ORDER if status in counts}


def report_text(report: Report, workspace: Workspace, everything: bool = False) -> str:
    """One line per broken citation (every citation with `everything`: external and ignored
    ones too), then a summary line. Note text is made inert: a citation holding an escape
    sequence must not drive the terminal."""
    lines = [problem_line(problem, workspace) for problem in report.problems]
    lines += [citation_line(r, workspace) for r in (report.results if everything else report.broken)]
    lines.append(summary_line(report.summary, len(report.problems)))
    return "\n".join(lines) + "\n"


def problem_line(problem: CheckProblem, workspace: Workspace) -> str:
    return f"{sanitize_line(_path_name(problem.path, workspace.root))}: {problem.status}: {sanitize_line(problem.detail)}"


def citation_line(r: CitationResult, workspace: Workspace) -> str:
    text = sanitize_line(" ".join(r.citation.text.split()))
    return (
        f"{_note_name(r, workspace)}:{r.citation.line}:{r.citation.column}: "
        f"{r.status.value}: {text} → {sanitize_line(r.detail)}"
    )


def summary_line(counts: dict[str, int], problems: int) -> str:
    """`413854 citations: 401320 ok, …; 2 not checked (listed above)`."""
    counts = ordered_counts(counts)
    total = sum(counts.values())
    parts = ", ".join(f"{count} {status}" for status, count in counts.items())
    noun = "citation" if total == 1 else "citations"
    not_read = f"; {problems} not checked (listed above)" if problems else ""
    return f"{total} {noun}" + (f": {parts}" if parts else "") + not_read


def report_github(report: Report, workspace: Workspace, cwd: Path | None = None) -> str:
    """GitHub Actions workflow commands: one `::error file=…,line=…,col=…::…` per broken
    citation, then the summary as a `::notice::`. File paths are relative to `cwd` (the
    repository a workflow runs in) when the note is below it."""
    base = Path(os.path.abspath(cwd or Path.cwd()))
    out = [
        f"::error file={_gh_property(_path_name(problem.path, base))},"
        f"title={_gh_property(problem.status)}::{_gh_data(sanitize_line(problem.detail))}"
        for problem in report.problems
    ]
    for r in report.broken:
        try:
            name = r.note.resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            name = _note_name(r, workspace)
        text = sanitize_line(" ".join(r.citation.text.split()))
        message = f"{r.status.value}: {text} → {sanitize_line(r.detail)}"
        out.append(
            f"::error file={_gh_property(name)},line={r.citation.line},col={r.citation.column},"
            f"title={_gh_property('citation ' + r.status.value)}::{_gh_data(message)}"
        )
    line = summary_line(report.summary, len(report.problems)).replace("(listed above)", "(annotated)")
    out.append(f"::notice::{_gh_data('readertui check: ' + line)}")
    return "\n".join(out) + "\n"


def _gh_data(text: str) -> str:
    """Escape a workflow command's message (`%`, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """Escape a workflow command's property value (also `:` and `,`)."""
    return _gh_data(sanitize_line(text)).replace(":", "%3A").replace(",", "%2C")

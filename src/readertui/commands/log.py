"""`readertui log`: append an entry to today's section of a project's reading log.

    readertui log [--project NAME] [--path PATH] [--cite CITATION] [--commit REF] TEXT...

TEXT `-` reads the entry from stdin. `--cite` takes every form `check` resolves: `<repo>/<path>:<lines>`,
a path inside one of the project's repos (`src/engine/core.py:9-12`), a path relative to the
current folder inside a repo (`core.py:9` from `Engine/src/engine/`), a basename or partial path
ranked as `check` ranks it, a forge permalink; it is checked against the repo (file tracked at
HEAD, or at `--commit` / the permalink's commit; lines inside the file) and written in canonical
form with the short commit. An ambiguous one is refused with the candidates. `--commit` names a
commit of the project's git repos (a hex id, a tag, a branch, `HEAD~2`); one they do not have
is refused, with or without `--cite`. Prints the entry written; errors exit 2 with one line on
stderr.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from datetime import datetime
from pathlib import Path, PurePosixPath

import msgspec

from readertui.core.citations import UNCITABLE, format_citation, parse_citation
from readertui.core.errors import GitError, WorkspaceError
from readertui.core.git import GitRepo, no_commit_reason, short
from readertui.core.log import log_entry
from readertui.core.model import LineRange, Project, Repo, RepoKind, Status, Workspace
from readertui.core.preconditions import project_names, require_project
from readertui.core.safe_text import is_safe, sanitize_line
from readertui.core.workspace import find_workspace, repo_at

_HEX = re.compile(r"[0-9a-fA-F]{4,40}")


class CheckedCitation(msgspec.Struct, frozen=True):
    repo: str
    path: str  # inside the repo, posix
    lines: LineRange
    commit: str | None  # full sha the lines were checked at (None for a plain folder)

    @property
    def canonical(self) -> str:
        return f"{self.repo}/{self.path}:{self.lines}"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "log",
        help="append an entry to today's section of the reading log",
        description="Append a timestamped entry to today's `## YYYY-MM-DD` section of the "
        "project's notes/code-reading-log.md (created if missing), optionally citing code.",
    )
    parser.add_argument("text", nargs="*", metavar="TEXT", help="the entry text; `-` reads it from stdin")
    parser.add_argument("--project", metavar="NAME", help="the project (default: the one containing PATH)")
    parser.add_argument(
        "--path", type=Path, default=Path("."), metavar="PATH",
        help="find the workspace and project from PATH (default: the current folder)",
    )
    parser.add_argument(
        "--cite", metavar="CITATION",
        help="code the entry is about: REPO/PATH:START-END, a path (relative to a repo, to the "
        "current folder, or a basename) with lines, or a forge permalink",
    )
    parser.add_argument(
        "--commit", metavar="REF",
        help="the commit the code was read at, one the project's repo has: a commit id, tag, "
        "branch or revision such as HEAD~2 (default: HEAD)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = _read_stdin() if args.text == ["-"] else " ".join(args.text)
    _, project = one_project(args.path, args.project)
    citation: str | None = None
    # A commit the project's repos do not have is refused, with --cite or without: the log
    # would record a commit no citation can be checked at.
    commit = _resolve_commit(project, args.commit) if args.commit else None
    if args.cite:
        checked = check_citation(project, args.cite, commit)
        citation, commit = checked.canonical, checked.commit or commit
    when = datetime.now()
    logged = log_entry(project, text, citation, commit, clock=lambda: when)
    print(logged.text)
    print(f"readertui: logged to {logged.path}:{logged.line}", file=sys.stderr)
    return 0


def _read_stdin() -> str:
    """The entry from stdin, which must be UTF-8 (WorkspaceError naming the first bad byte)."""
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise WorkspaceError(
            f"standard input is not valid UTF-8 (byte 0x{bad} at offset {error.start}); readertui takes UTF-8 text"
        ) from None


def projects_from(start: Path, name: str | None) -> tuple[Workspace, list[Project]]:
    """The workspace around `start` and the projects meant: `name`, else the project containing
    `start`, else every project (when `start` is the workspace itself or above a project)."""
    workspace = find_workspace(start)
    if name:
        return workspace, [require_project(workspace, name)]
    project = workspace.project_for(Path(start).resolve())
    return workspace, [project] if project else list(workspace.projects)


def one_project(start: Path, name: str | None) -> tuple[Workspace, Project]:
    workspace, projects = projects_from(start, name)
    if len(projects) != 1:
        raise WorkspaceError(
            f"{Path(start).resolve()} is not inside a project; pass --project NAME "
            f"(projects: {project_names(workspace)})"
        )
    return workspace, projects[0]


_LINE_ZERO = re.compile(r"(?::|#L|[-–,]\s*L?)0+(?!\d)")  # `a.py:0`, `a.py:0-3`, `a.py:3-0`, `#L0`


def check_citation(project: Project, text: str, commit: str | None = None) -> CheckedCitation:
    """Parse and verify `text` against the project's repos; every form `check` resolves is
    taken: `<repo>/<path>:<lines>`, a path inside a repo, a path relative to the current folder
    when that is inside a repo, a basename or partial path (`engine/core.py:9`), a forge
    permalink, `path#L3-L9`. One line range is required. An ambiguous one is refused with the
    candidates; a path that could leave the project (absolute, `..` past the repo) is refused
    before anything is read."""
    cited = text.strip()
    if cited.lower().startswith(("http://", "https://")):
        return _resolved(project, text, cited, commit, permalink=True)
    parsed = parse_citation(cited)
    path_part = cited.replace("#", ":").partition(":")[0].strip()
    if parsed is None and (not is_safe(cited) or any(char.isspace() for char in path_part)):
        raise WorkspaceError(f"citation {sanitize_line(text)!r}: {UNCITABLE}")
    if parsed is None and _LINE_ZERO.search(cited):
        raise WorkspaceError(f"citation {sanitize_line(text)!r}: line numbers start at 1")
    if parsed is None or len(parsed[1]) != 1:
        raise WorkspaceError(f"citation {sanitize_line(text)!r} needs one line range: PATH:START-END or PATH:LINE")
    where, (lines,) = parsed
    here = _from_current_folder(project, where, commit)
    if here is not None:
        return _in_range(text, here[0], here[1], here[2], lines)
    cited_path = _safe_relative(where, text)
    first, _, rest = cited_path.partition("/")
    prefixed = project.repo(first)
    if prefixed is not None and rest:
        exact = _lookup(prefixed, rest, commit)
        if exact is not None:
            return _in_range(text, prefixed, rest, exact, lines)
    matches: list[tuple[Repo, tuple[int, str | None]]] = []
    unreadable: list[GitError] = []
    for repo in project.repos:
        try:
            if found := _lookup(repo, cited_path, commit):
                matches.append((repo, found))
        except GitError as error:  # a repo with no commit checked out (named if nothing matches)
            unreadable.append(error)
    if unreadable and not matches:
        raise unreadable[0]
    if len(matches) > 1:
        names = ", ".join(f"{repo.name}/{cited_path}" for repo, _ in matches)
        raise WorkspaceError(f"citation {sanitize_line(text)!r} is ambiguous: {names}; prefix it with the repo")
    if matches:
        return _in_range(text, matches[0][0], cited_path, matches[0][1], lines)
    # not a path from a repo root: rank it as `check` does (basename, partial path…)
    return _resolved(project, text, format_citation(None, cited_path, (lines,)), commit, permalink=False)


def _from_current_folder(
    project: Project, where: str, commit: str | None
) -> tuple[Repo, str, tuple[int, str | None]] | None:
    """`prompt.py:10` typed inside `Engine/src/ui/`: the file `src/ui/prompt.py` of that repo,
    when it exists there (`..` may climb, but not out of the repo)."""
    if where.startswith(("/", "~")) or "\0" in where:
        return None
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        return None
    placed = repo_at(project, cwd)
    if placed is None:
        return None
    repo, folder = placed
    joined = posixpath.normpath(posixpath.join(folder, where.replace("\\", "/")))
    if not folder or joined.startswith("../") or joined in ("..", "."):
        return None
    found = _lookup(repo, joined, commit)
    return (repo, joined, found) if found is not None else None


def _resolved(project: Project, text: str, cited: str, commit: str | None, permalink: bool) -> CheckedCitation:
    """`cited` (a canonical `path:lines` or a permalink) resolved by the ranking `check` uses."""
    from readertui.core.citations import scan_note
    from readertui.core.resolve import Resolver
    from readertui.core.workspace import find_workspace

    scan = scan_note(cited if permalink else f"`{cited}`")
    if len(scan.citations) != 1 or not scan.citations[0].ranges:
        raise WorkspaceError(f"citation {sanitize_line(text)!r} needs one line range: PATH:START-END or PATH:LINE")
    citation = scan.citations[0]
    if len(citation.ranges) != 1:
        raise WorkspaceError(f"citation {sanitize_line(text)!r} needs one line range: PATH:START-END or PATH:LINE")
    if commit and not citation.commit:
        sha = _resolve_commit(project, commit)
        citation = msgspec.structs.replace(citation, commit=sha)
    workspace = find_workspace(project.path)
    result = Resolver(workspace, project).resolve(project.reading_log, scan, citation)
    shown = sanitize_line(text)
    if result.status == Status.AMBIGUOUS:
        raise WorkspaceError(
            f"citation {shown!r} is ambiguous: {', '.join(result.candidates)}; write one of them"
        )
    if result.status == Status.OUT_OF_RANGE:
        raise WorkspaceError(f"citation {shown!r}: {sanitize_line(result.detail).replace(' has ', ' has only ', 1)}")
    usable = (Status.OK, Status.MOVED, Status.STALE)
    if result.status not in usable or result.repo is None or not result.path:
        if result.status != Status.MISSING:  # the detail is a sentence saying why
            raise WorkspaceError(f"citation {shown!r} is {result.status}: {sanitize_line(result.detail)}")
        at = f" at commit {short(citation.commit)}" if citation.commit else ""
        raise WorkspaceError(
            f"citation {shown!r}: no such file{at} in the repos of {project.name} "
            f"({', '.join(r.name for r in project.repos) or 'none'})"
        )
    return CheckedCitation(result.repo, result.path, citation.ranges[0], result.commit)


def _safe_relative(where: str, text: str) -> str:
    path = where.strip().replace("\\", "/")
    parts = PurePosixPath(path).parts
    if not path or path.startswith("/") or ".." in parts or "\0" in path or re.match(r"^[A-Za-z]:", path):
        raise WorkspaceError(f"citation {sanitize_line(text)!r} leads outside the workspace; cite a path inside a repo")
    return "/".join(part for part in parts if part != ".")


def _lookup(repo: Repo, path: str, commit: str | None) -> tuple[int, str | None] | None:
    """(line count, commit sha) of `path` in `repo`, or None when the repo has no such file."""
    if repo.kind == RepoKind.UNINITIALIZED_SUBMODULE:
        return None
    if repo.kind == RepoKind.PLAIN:
        root = repo.path.resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None  # a symlink may not lead out of the repo
        data = target.read_bytes()
        return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1), None
    git = GitRepo(repo.path)
    try:
        sha = git.resolve(commit) if commit else git.head()
        if sha is None and not commit:  # no file can be looked for: say why, not "no such file"
            raise GitError(no_commit_reason(repo.path))
        if sha is None or path not in set(git.list_files(sha)):
            return None
        count = git.line_count(path, sha)
    finally:
        git.close()
    return (count, sha) if count is not None else None


def _in_range(
    text: str, repo: Repo, path: str, found: tuple[int, str | None], lines: LineRange
) -> CheckedCitation:
    count, sha = found
    if lines.end > count:
        raise WorkspaceError(f"citation {sanitize_line(text)!r}: {repo.name}/{path} has only {count} lines")
    return CheckedCitation(repo.name, path, lines, sha)


def _resolve_commit(project: Project, commit: str) -> str:
    """`--commit`: the full sha of the commit it names in one of the project's git repos (a
    hex id, a tag, a branch, `HEAD~2`), else WorkspaceError saying what is expected."""
    repos = [repo for repo in project.repos if repo.is_git]
    for repo in repos:
        git = GitRepo(repo.path)
        try:
            sha = git.resolve(commit)
        finally:
            git.close()
        if sha:
            return sha
    shown = sanitize_line(commit)
    if not repos:
        raise WorkspaceError(
            f"--commit {shown!r}: {project.name} has no git repository to find a commit in; leave --commit out"
        )
    where = " or ".join(_display_path(repo.path) for repo in repos)
    if _HEX.fullmatch(commit.strip()):
        hint = f"fetch it first if it is upstream only: `git -C {_display_path(repos[0].path)} fetch`"
    else:
        hint = "it takes a commit id, a tag, a branch or a revision such as HEAD~2 that the repository has"
    raise WorkspaceError(f"--commit {shown!r} is not a commit of {where} ({hint})")


def _display_path(path: Path) -> str:
    """`path` relative to the current folder when it is below it, else absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except (ValueError, OSError):
        return str(path)

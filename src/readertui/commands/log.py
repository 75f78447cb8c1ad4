"""`readertui log`: append an entry to today's section of a project's reading log.

    readertui log [--project NAME] [--path PATH] [--cite CITATION] [--commit SHA] TEXT...

TEXT `-` reads the entry from stdin. `--cite` takes `<repo>/<path>:<lines>` or a path inside one
of the project's repos and lines (`src/engine/core.py:9-12`); it is checked against the repo
(file tracked at HEAD, or at `--commit`; lines inside the file) and written in canonical form with
the short commit. Prints the entry written; errors exit 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime
from pathlib import Path, PurePosixPath

import msgspec

from readertui.core.errors import GitError, WorkspaceError
from readertui.core.git import GitRepo
from readertui.core.log import log_entry
from readertui.core.model import LineRange, Project, Repo, RepoKind, Workspace
from readertui.core.preconditions import project_names, require_project
from readertui.core.workspace import find_workspace

_LINES = re.compile(r"\s*(\d+)\s*(?:[-–—]\s*(\d+))?\s*")
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
        help="code the entry is about: REPO/PATH:START-END, or a path inside a repo with lines",
    )
    parser.add_argument("--commit", metavar="SHA", help="the commit the code was read at (default: HEAD)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
    _, project = one_project(args.path, args.project)
    citation: str | None = None
    commit = args.commit
    if args.cite:
        checked = check_citation(project, args.cite, args.commit)
        citation, commit = checked.canonical, checked.commit or args.commit
    elif commit:
        commit = _resolve_commit(project, commit)
    when = datetime.now()
    logged = log_entry(project, text, citation, commit, clock=lambda: when)
    print(logged.text)
    print(f"readertui: logged to {logged.path}:{logged.line}", file=sys.stderr)
    return 0


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


def check_citation(project: Project, text: str, commit: str | None = None) -> CheckedCitation:
    """Parse and verify `text` against the project's repos. A path that could leave the project
    (absolute, `..`) is refused before anything is read."""
    where, colon, numbers = text.strip().rpartition(":")
    lines_match = _LINES.fullmatch(numbers) if colon else None
    if not lines_match:
        raise WorkspaceError(f"citation {text!r} needs one line range: PATH:START-END or PATH:LINE")
    start = int(lines_match.group(1))
    end = int(lines_match.group(2) or start)
    if start < 1 or end < start:
        raise WorkspaceError(f"citation {text!r}: bad line range {start}-{end}")
    cited = _safe_relative(where, text)
    first, _, rest = cited.partition("/")
    prefixed = project.repo(first)
    if prefixed is not None and rest:
        found = _lookup(prefixed, rest, commit)
        if found is not None:
            return _in_range(text, prefixed, rest, found, LineRange(start, end))
    matches = [(repo, found) for repo in project.repos if (found := _lookup(repo, cited, commit))]
    if len(matches) > 1:
        names = ", ".join(f"{repo.name}/{cited}" for repo, _ in matches)
        raise WorkspaceError(f"citation {text!r} is ambiguous: {names}; prefix it with the repo")
    if not matches:
        at = f" at commit {commit}" if commit else ""
        raise WorkspaceError(
            f"citation {text!r}: no such file{at} in the repos of {project.name} "
            f"({', '.join(r.name for r in project.repos) or 'none'})"
        )
    repo, found = matches[0]
    return _in_range(text, repo, cited, found, LineRange(start, end))


def _safe_relative(where: str, text: str) -> str:
    path = where.strip().replace("\\", "/")
    parts = PurePosixPath(path).parts
    if not path or path.startswith("/") or ".." in parts or "\0" in path or re.match(r"^[A-Za-z]:", path):
        raise WorkspaceError(f"citation {text!r} leads outside the workspace; cite a path inside a repo")
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
        raise WorkspaceError(f"citation {text!r}: {repo.name}/{path} has only {count} lines")
    return CheckedCitation(repo.name, path, lines, sha)


def _resolve_commit(project: Project, commit: str) -> str:
    """A `--commit` given without `--cite`: its full sha if one of the repos knows it."""
    for repo in project.repos:
        if repo.is_git:
            git = GitRepo(repo.path)
            try:
                sha = git.resolve(commit)
            finally:
                git.close()
            if sha:
                return sha
    if _HEX.fullmatch(commit):
        return commit
    raise GitError(f"commit {commit!r} is unknown in the repos of {project.name}")

"""`readertui bookmarks`: list, add, remove and rename a project's bookmarks.

    readertui bookmarks [PATH] [--project NAME] [--format text|json]     list (default)
    readertui bookmarks add CITATION [--label LABEL] [--project NAME]     mark code lines
    readertui bookmarks remove ID [--project NAME]
    readertui bookmarks rename ID LABEL [--project NAME]

Listing covers the project containing PATH (default: the current folder), or every project when
PATH is the workspace. Text lines are `ID  REPO/PATH:START-END  LABEL  (COMMIT)`; JSON is a list
of objects with every stored field. A malformed bookmarks file is reported (file:line) with exit
status 2, and never rewritten.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from readertui.commands.log import check_citation, one_project, projects_from
from readertui.core import bookmarks as store
from readertui.core.errors import WorkspaceError
from readertui.core.git import GitRepo
from readertui.core.model import Bookmark, Project
from readertui.core.safe_text import json_inert, sanitize_line

ACTIONS = ("add", "remove", "rename")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "bookmarks",
        help="list (or add, remove, rename) bookmarks",
        description="List the bookmarks of the project containing PATH (every project when PATH "
        "is the workspace). `bookmarks add CITATION [--label L]`, `bookmarks remove ID` and "
        "`bookmarks rename ID LABEL` edit the project's notes/bookmarks.toml.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="forms:\n  readertui bookmarks [PATH]\n  readertui bookmarks add CITATION [--label L]\n"
        "  readertui bookmarks remove ID\n  readertui bookmarks rename ID LABEL",
    )
    parser.add_argument("words", nargs="*", metavar="PATH | ACTION ARGS", help="see the forms below")
    parser.add_argument("--project", metavar="NAME", help="the project (default: from PATH or the current folder)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="listing format")
    parser.add_argument("--label", default="", help="label for `add`")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    words = list(args.words)
    if words and words[0] in ACTIONS:
        return _edit(words[0], words[1:], args)
    if len(words) > 1:
        raise WorkspaceError(f"bookmarks takes one PATH, got {len(words)}: {' '.join(words)}")
    return _list(Path(words[0]) if words else Path("."), args.project, args.format)


def _list(start: Path, project_name: str | None, form: str) -> int:
    _, projects = projects_from(start, project_name)
    rows: list[tuple[Project, Bookmark]] = []
    problems = []
    for project in projects:
        marks, found = store.load(project)
        rows += [(project, mark) for mark in marks]
        problems += found
    if form == "json":
        print(json_inert(json.dumps([_as_json(project, mark) for project, mark in rows], ensure_ascii=False, indent=2)))
    else:
        for project, mark in rows:
            print(_as_text(mark, project.name if len(projects) > 1 else None))
    for problem in problems:
        print(f"readertui: error: {sanitize_line(str(problem))}", file=sys.stderr)
    return 2 if problems else 0


def _edit(action: str, operands: list[str], args: argparse.Namespace) -> int:
    wanted = {"add": 1, "remove": 1, "rename": 2}[action]
    if len(operands) != wanted:
        usage = {"add": "add CITATION [--label L]", "remove": "remove ID", "rename": "rename ID LABEL"}
        raise WorkspaceError(f"usage: readertui bookmarks {usage[action]}")
    _, project = one_project(Path("."), args.project)
    refused = store.refusal(project)
    if refused is not None:
        raise WorkspaceError(str(refused))
    marks, problems = store.load(project)
    if problems:
        raise WorkspaceError(f"{problems[0]}; fix the file by hand first")
    # The change is applied to the file as it is when written (an outside edit since this load
    # is kept, and the change re-applied on top of it), not to this list.
    if action == "add":
        _, mark = store.add_mark(project, _new_mark(project, operands[0], args.label, marks))
    else:
        ident = _match_id(marks, operands[0])
        if action == "remove":
            mark = next(m for m in marks if m.id == ident)
            store.remove_marks(project, [ident])
        else:
            marks = store.rename_mark(project, ident, operands[1])
            mark = next(m for m in marks if m.id == ident)
    print(("removed " if action == "remove" else "") + _as_text(mark, None))
    return 0


def _new_mark(project: Project, citation: str, label: str, marks: tuple[Bookmark, ...]) -> Bookmark:
    checked = check_citation(project, citation)
    repo = next(r for r in project.repos if r.name == checked.repo)
    if checked.commit:
        git = GitRepo(repo.path)
        try:
            data = git.read_file(checked.path, checked.commit) or b""
        finally:
            git.close()
    else:
        data = (repo.path / checked.path).read_bytes()
    text = data.decode("utf-8", "replace").splitlines()
    lines = text[checked.lines.start - 1 : checked.lines.end]
    return store.new_bookmark(checked.repo, checked.path, checked.lines, label, checked.commit, lines, marks)


def _match_id(marks: tuple[Bookmark, ...], given: str) -> str:
    """An exact id, or a prefix naming exactly one bookmark."""
    if any(mark.id == given for mark in marks):
        return given
    matches = [mark.id for mark in marks if mark.id.startswith(given)] if given else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise WorkspaceError(f"bookmark id {sanitize_line(given)!r} is ambiguous: {', '.join(matches)}")
    raise WorkspaceError(f"no bookmark with id {sanitize_line(given)!r}")


def _as_text(mark: Bookmark, project: str | None) -> str:
    where = f"{mark.repo}/{mark.path}:{mark.range.start}-{mark.range.end}"
    if project:
        where = f"{project}/{where}"
    commit = f"  ({mark.commit[:7]})" if mark.commit else ""
    # One line per bookmark, control characters as the placeholders the reader shows (␛ ␇ ␊).
    return sanitize_line(f"{mark.id}  {where}  {mark.label}{commit}")


def _as_json(project: Project, mark: Bookmark) -> dict[str, object]:
    return {
        "project": project.name,
        "id": mark.id,
        "repo": mark.repo,
        "path": mark.path,
        "start": mark.range.start,
        "end": mark.range.end,
        "label": mark.label,
        "commit": mark.commit,
        "created": mark.created.isoformat(),
        "fingerprint": mark.fingerprint,
        "excerpt": mark.excerpt,
    }


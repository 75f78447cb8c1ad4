"""`readertui add`: start studying a new project in one step.

    readertui add URL [--name NAME] [--repo-name REPO] [PATH]

Creates `<project>/`, adds URL as the git submodule `<project>/<repo>` of the repository
holding the workspace found from PATH, and writes `<project>/notes/` with the five standard
notes. Prints what it created and the git commands that commit it (the submodule is staged,
the notes are not); on any failure nothing is left behind and it exits 2.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from readertui.core.add import add_project
from readertui.core.git import short


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "add",
        help="add a project: folder, code as a git submodule, and notes",
        description="Create PROJECT/ in the workspace, add URL as the git submodule PROJECT/REPO "
        "and write PROJECT/notes/ (overview, architecture, core-insights, code-reading-log, "
        "references). URL: https://, ssh://, git://, file://, user@host:path or a local folder. "
        "The submodule is staged, the notes are not; nothing is committed.",
    )
    parser.add_argument("url", metavar="URL", help="where to clone the code from")
    parser.add_argument(
        "path", nargs="?", type=Path, default=Path("."), metavar="PATH",
        help="a folder in the workspace (default: the current folder)",
    )
    parser.add_argument("--name", metavar="NAME", help="project folder name (default: the repo name, lower-cased)")
    parser.add_argument("--repo-name", metavar="REPO", help="submodule folder name (default: from the URL)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    added = add_project(
        args.path, args.url, name=args.name, repo_name=args.repo_name, before_clone=_say_cloning
    )
    top = added.superproject
    tag = added.tag or "none"
    print(f"created project {added.project}")
    print(f"  submodule {added.repo.relative_to(top).as_posix()} at {short(added.commit)} (tag: {tag})")
    for note in added.notes:
        print(f"  note      {note.relative_to(added.project).as_posix()}")
    notes = added.project.relative_to(top).as_posix() + "/notes"
    git_c = f"git -C {shlex.quote(str(top))}"
    print(
        f"staged .gitmodules and the submodule in {top}; the notes are not staged: commit all of it "
        f"with `{git_c} add -- {shlex.quote(notes)} && {git_c} commit -m 'Add {added.project.name}'`",
        file=sys.stderr,
    )
    return 0


def _say_cloning(url: str, folder: Path) -> None:
    print(f"readertui: cloning {url} into {folder} (big repositories take a while)", file=sys.stderr, flush=True)

"""`readertui update`: move a project's submodule forward and carry the notes' citations.

    readertui update PROJECT [PATH] [--to REF] [--repo NAME] [--yes] [--dry-run]
                     [--rewrite-commits] [--accept-changed] [--trust-repo-config]

Git only reads until the plan is applied: a dry run fetches nothing and runs no program from
the repository's config. Before fetching or checking out, settings of the repository's own
config that would run a program (filters, uploadpack, sshCommand, credential helpers…) are
refused, naming them, unless --trust-repo-config is given.

Prints the plan (moved exactly / changed with their best candidate / orphaned), then asks
before changing anything. Exit codes: 0 applied (or nothing to do, or a dry run with nothing
for a human); 1 citations need a human (after applying the exact part), or the plan was not
applied (declined, or no terminal to ask on and no --yes); 2 errors (unknown ref, dirty
submodule, unknown project, a HEAD that names no commit, --yes without --to when the remote
cannot be reached…), with nothing changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from readertui.core.errors import ConflictError, WorkspaceError
from readertui.core.git import GitRepo, short
from readertui.core.model import RepoKind
from readertui.core.preconditions import require_clean, require_head, require_project
from readertui.core.update import (
    UpdateOptions,
    UpdatePlan,
    apply_update,
    choose_repo,
    format_plan,
    plan_update,
    resolve_target,
)
from readertui.core.workspace import find_workspace

REPLAN_ATTEMPTS = 3


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "update",
        help="move a project's submodule to a newer commit and carry the citations",
        description="Move PROJECT's repository to a newer commit (default: origin's default "
        "branch, fetched when the remote answers) and rewrite the line numbers of the notes' "
        "citations that moved exactly. Changed and orphaned citations are listed for a human.",
    )
    parser.add_argument("project", metavar="PROJECT", help="the project folder's name")
    parser.add_argument(
        "path", nargs="?", type=Path, default=Path("."), metavar="PATH",
        help="anywhere inside the workspace (default: the current folder)",
    )
    parser.add_argument("--to", metavar="REF", help="commit, tag or branch to move to")
    parser.add_argument("--repo", metavar="NAME", help="which repository, when the project has several")
    parser.add_argument("--yes", "-y", action="store_true", help="apply without asking")
    parser.add_argument(
        "--dry-run", action="store_true",
        help="print the plan and change nothing (no fetch: refs known locally only)",
    )
    parser.add_argument(
        "--trust-repo-config", action="store_true",
        help="let fetch and checkout run the programs the repository's own git config names "
        "(filters, uploadpack, sshCommand, credential helpers…); refused otherwise",
    )
    parser.add_argument(
        "--rewrite-commits", action="store_true",
        help="also move the notes' commit declarations (and the citations under them)",
    )
    parser.add_argument(
        "--accept-changed", action="store_true",
        help="rewrite changed citations to their best candidate too (review the plan first)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    workspace = find_workspace(args.path)
    project = require_project(workspace, args.project)
    repo = choose_repo(project, args.repo)
    git = GitRepo(repo.path)
    git.trust_config = args.trust_repo_config
    if not args.dry_run:
        git.require_trusted_config()  # before anything is fetched, checked out or written
    elif not git.trust_config and git.config_commands():
        keys = ", ".join(dict.fromkeys(key for key, _ in git.config_commands()))
        print(f"readertui: note: the git config of {repo.path} would run commands ({keys}); "
              "updating for real needs --trust-repo-config", file=sys.stderr)
    require_head(git)  # an empty or garbled HEAD is named, not called uncommitted changes
    require_clean(git, repo.path)
    # Applied without a look (--yes): origin's default branch must be known, not guessed offline.
    target, how = resolve_target(git, args.to, fetch=not args.dry_run, require_remote=args.yes)
    options = UpdateOptions(rewrite_commits=args.rewrite_commits, accept_changed=args.accept_changed)
    for _ in range(REPLAN_ATTEMPTS):
        plan = plan_update(workspace, project, repo, git, target, options)
        print(format_plan(plan, how))
        if plan.nothing_to_do:
            return 0
        if args.dry_run:
            print("Dry run: nothing changed.")
            return 1 if plan.needs_human else 0
        if not args.yes and not _confirm():
            return 1
        try:
            result = apply_update(plan, git)
        except ConflictError as error:  # a note changed under us; everything was put back
            print(f"readertui: {error}; planning again", file=sys.stderr)
            continue
        _report_applied(plan, result.log)
        return 1 if result.needs_human else 0
    raise WorkspaceError("the notes keep changing while updating; nothing was changed, try again")


def _confirm() -> bool:
    stdin = sys.stdin
    if stdin is None or stdin.closed or not stdin.isatty():
        print("Not applied: no terminal to confirm on (pass --yes to apply).", file=sys.stderr)
        return False
    print("Apply this plan? [y/N] ", end="", flush=True)
    answer = stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        print("Not applied.")
        return False
    return True


def _report_applied(plan: UpdatePlan, log: Path | None) -> None:
    rewritten = len(plan.writes)
    moved = sum(1 for item in plan.bookmarks if item.updated is not None)
    print(
        f"Applied: {plan.repo.name} is at {short(plan.new)}; rewrote {rewritten} "
        f"note{'s' * (rewritten != 1)}, moved {moved} bookmark{'s' * (moved != 1)}."
    )
    if log is not None:
        print(f"Logged the update to {log}.")
    if plan.needs_human:
        print(f"{len(plan.needs_human)} citation(s) need a human; they are listed above and in the log.")
    if plan.repo.kind == RepoKind.SUBMODULE:
        print(f"Record the new submodule commit in the superproject: git add {plan.repo.path}")

"""`readertui check [PATH] [--format text|json|github] [--project P] [--only-broken] [--all]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec

from readertui.core.check import check, only_unpinned, report_github, report_json, report_text
from readertui.core.errors import GitError
from readertui.core.model import CitationResult
from readertui.core.safe_text import json_inert
from readertui.core.workspace import find_workspace

EPILOG = """\
exit status: 0 nothing broken (ok, moved, external and ignored are fine), 1 broken
citations found (out-of-range, missing, ambiguous, stale, unpinned, mismatch), 2 usage
or environment error (path outside a workspace, an invalid ignore glob in readertui.toml,
or not one citation could be checked because the commits the notes name are not in the
repos), or something in scope could not be read or checked: a binary, non-UTF-8, FIFO or
unreadable note or folder, a project without notes/, a submodule not checked out. Those
are reported first (`PATH: unreadable: reason`; JSON "problems") and the rest is checked.

Silence a deliberate non-code path with `[check] ignore = ["store/*.db"]` in the
workspace's readertui.toml, or with `<!-- readertui-ignore -->` on its line
(`<!-- readertui-ignore-next-line -->` above it). docs/CITATIONS.md lists every form.

JSON (--format json):
  {"citations": [{"note": "<path relative to the workspace>", "line": 1, "column": 1,
                  "text": "<citation as written>",
                  "status": "ok|moved|out-of-range|missing|ambiguous|stale|unpinned|
                             mismatch|external|ignored",
                  "repo": "<repo folder>"|null, "path": "<path in the repo>"|null,
                  "ranges": [[start, end], ...], "commit": "<full sha>"|null,
                  "candidates": ["<repo>/<path>", ...],
                  "new_ranges": [[start, end], ...], "confidence": 1.0|null,
                  "detail": "<one sentence>"}, ...],
   "summary": {"<status>": <count>, ...}}
Plain folders (no git) are checked against the files on disk; their commit is null.
"""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="report broken citations in the notes",
        description="Resolve every code citation in the notes under PATH (the workspace, a\n"
        "project folder or one note) and report the broken ones: one line each\n"
        "(note:line:col: status: citation → detail), then counts per status.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, metavar="PATH",
                        help="workspace, project folder or note (default: the current folder)")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text",
                        help="output format: text, json, or github (workflow annotations, "
                        "`::error file=…,line=…,col=…::…`); default: text")
    parser.add_argument("--all", action="store_true", dest="everything",
                        help="text: list every citation, also ok, external and ignored ones")
    parser.add_argument("--project", metavar="P", help="check only project P of the workspace")
    parser.add_argument("--only-broken", action="store_true",
                        help="JSON: list only broken citations (the summary still counts all)")
    parser.set_defaults(func=run)


def _is_broken(result: CitationResult) -> bool:
    return result.status.broken


def run(args: argparse.Namespace) -> int:
    workspace = find_workspace(args.path)
    every = args.everything if args.format == "text" else args.format == "json" and not args.only_broken
    # what is printed: every result, or the broken ones (all are counted either way)
    report = check(workspace, args.path, project=args.project, keep=None if every else _is_broken)
    if args.format == "json":
        # msgspec's encoder, formatted as `json.dumps(indent=2, ensure_ascii=False)` would: the
        # stdlib's indenting encoder is pure Python (~50 ms for 2,000 citations)
        data = msgspec.json.format(msgspec.json.encode(report_json(report, workspace, args.only_broken)), indent=2)
        sys.stdout.write(json_inert(data.decode("utf-8")) + "\n")
    elif args.format == "github":
        sys.stdout.write(report_github(report, workspace))
    else:
        sys.stdout.write(report_text(report, workspace, everything=args.everything))
    sys.stdout.flush()
    if only_unpinned(report):
        # every commit the notes name is missing locally: the report says nothing about the code
        raise GitError(f"no citation could be checked: {report.results[0].detail}")
    if report.problems:
        return 2  # something in scope could not be read or checked (listed in the report)
    return 1 if report.broken else 0

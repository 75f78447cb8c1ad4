"""`readertui check [PATH] [--format text|json|github] [--project P] [--only-broken] [--all]`."""

from __future__ import annotations

import argparse
import gc
import sys
from collections import Counter
from pathlib import Path

import msgspec

from readertui.core.check import (
    by_value,
    check,
    checked,
    citation_json,
    citation_line,
    only_unpinned,
    ordered_counts,
    problem_line,
    problems_json,
    report_github,
    report_json,
    report_text,
    summary_line,
)
from readertui.core.errors import GitError
from readertui.core.model import CheckProblem, CitationResult, Status, Workspace
from readertui.core.safe_text import json_inert
from readertui.core.workspace import find_workspace

EPILOG = """\
exit status: 0 nothing broken (ok, moved, external and ignored are fine), 1 broken
citations found (out-of-range, missing, ambiguous, stale, unpinned, mismatch), 2 usage
or environment error (path outside a workspace, an invalid ignore glob in readertui.toml,
or not one citation could be checked because the commits the notes name are not in the
repos), or something in scope could not be read or checked: a binary, non-UTF-8, FIFO or
unreadable note or folder, a notes folder or note leading outside the workspace, a
project without notes/, a submodule not checked out, a repo whose HEAD is garbled or names
no commit. Those are reported first (`PATH: unreadable: reason`; JSON "problems") and the
rest is checked.

Silence a deliberate non-code path with `[check] ignore = ["store/*.db"]` in the
workspace's readertui.toml, or with `<!-- readertui-ignore -->` on its line
(`<!-- readertui-ignore-next-line -->` above it). docs/CITATIONS.md lists every form.

JSON (--format json):
  {"citations": [{"note": "<path relative to the workspace>", "line": 1, "column": 1,
                  "text": "<citation as written>",
                  "status": "ok|moved|out-of-range|missing|ambiguous|stale|unpinned|
                             mismatch|unreadable|external|ignored",
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
    # A long log makes millions of short-lived objects and few cycles: collecting less often,
    # and never again what was there before the run, saves ~15 % of check's CPU on 20 MB.
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    try:
        return _run(args)
    finally:
        gc.set_threshold(*threshold)


def _run(args: argparse.Namespace) -> int:
    workspace = find_workspace(args.path)
    if (args.format == "json" and not args.only_broken) or (args.format == "text" and args.everything):
        return _print_every(args, workspace)
    # only the broken results are printed (all are counted)
    report = check(workspace, args.path, project=args.project, keep=_is_broken)
    if args.format == "json":
        sys.stdout.write(_json_text(report_json(report, workspace, args.only_broken)))
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


def _print_every(args: argparse.Namespace, workspace: Workspace) -> int:
    """Every citation, as JSON or as text lines (`--all`). Each result is kept as its output
    only, not as objects, until all are read and put in order: a 50 MB log's 414,000 results
    are ~250 MB of JSON text, and were 1.8 GB as a report."""
    problems: list[CheckProblem] = []
    tally: Counter[Status] = Counter()
    json_entries: list[tuple[tuple[int, int, int], bytes]] = []
    as_text: list[tuple[tuple[int, int, int], str]] = []
    first: tuple[tuple[int, int, int], str] | None = None  # the first citation's detail
    as_json = args.format == "json"
    for place, result in checked(workspace, args.path, args.project, problems):
        tally[result.status] += 1
        if first is None or place < first[0]:
            first = (place, result.detail)
        if as_json:
            json_entries.append((place, msgspec.json.encode(citation_json(result, workspace))))
        else:
            as_text.append((place, citation_line(result, workspace)))
    counts = by_value(tally)
    write = sys.stdout.write
    if as_json:
        json_entries.sort(key=lambda item: item[0])
        printed = json_entries
        rest = {"citations": [], "summary": ordered_counts(counts), "problems": problems_json(problems, workspace)}
        head, _, tail = _json_text(rest).partition('"citations": []')
        write(head)
        if not printed:
            write('"citations": []')
        else:
            write('"citations": [\n')
            for index, (_, entry) in enumerate(printed):
                lines = msgspec.json.format(entry, indent=2).decode("utf-8").split("\n")
                write(json_inert("\n".join("    " + line for line in lines)) + (",\n" if index + 1 < len(printed) else "\n"))
            write("  ]")
        write(tail)
    else:
        for problem in problems:
            write(problem_line(problem, workspace) + "\n")
        as_text.sort(key=lambda item: item[0])
        for _, line in as_text:
            write(line + "\n")
        write(summary_line(counts, len(problems)) + "\n")
    sys.stdout.flush()
    if set(counts) == {Status.UNPINNED.value} and first is not None:
        raise GitError(f"no citation could be checked: {first[1]}")
    if problems:
        return 2
    return 1 if any(Status(status).broken for status in counts) else 0


def _json_text(data: object) -> str:
    """msgspec's encoder, formatted as `json.dumps(indent=2, ensure_ascii=False)` would (the
    stdlib's indenting encoder is pure Python: ~50 ms for 2,000 citations), made inert."""
    return json_inert(msgspec.json.format(msgspec.json.encode(data), indent=2).decode("utf-8")) + "\n"

"""`readertui symbols [PATH] NAME`: where NAME is defined, as citations scripts can paste.

    readertui symbols [PATH] NAME [--project P] [--kind K] [--format text|json]

Looks in the project containing PATH (default: the current folder; every project when PATH is
the workspace), at each repo's checkout. Matches, best first: the exact name, then
`Class.method` (any depth of scope; `::` works too), then names starting with NAME; within each,
definitions before prototypes, tests and vendored code last. Text lines are
`repo/path:start-end kind name` (the citation form notes use); JSON is
`{"symbols": [{"name", "kind", "scope", "repo", "path", "start", "end", "commit"}]}`.
Exit status: 0 something matched, 1 nothing did (one line on stderr says so), 2 bad input or
nothing matched and a repo could not be read (no commit checked out: its HEAD is named).

The index is built on first use (two worker processes) and cached by blob id, so later runs
only read it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from readertui.commands.log import projects_from
from readertui.core.errors import GitError, WorkspaceError
from readertui.core.safe_text import sanitize_line
from readertui.core.symbol_cache import SymbolCache
from readertui.core.symbols import WORKERS, SymbolHit, find, index_project

KINDS = ("class", "function", "method", "prototype", "type", "constant", "interface", "module", "macro", "impl")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "symbols",
        help="where a name is defined (citation per line)",
        description="Print the definitions matching NAME in the project containing PATH: exact "
        "name, then Class.method, then prefix; best first. Lines are `repo/path:start-end kind "
        "name`. Exit 0 when something matched, 1 when nothing did, 2 on bad input.",
    )
    parser.add_argument("words", nargs="+", metavar="[PATH] NAME", help="optional PATH, then the name to look up")
    parser.add_argument("--project", metavar="P", help="the project (default: from PATH or the current folder)")
    parser.add_argument("--kind", choices=KINDS, help="only definitions of this kind")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    words = list(args.words)
    if len(words) > 2:
        raise WorkspaceError(f"symbols takes [PATH] NAME, got {len(words)} words: {' '.join(words)}")
    start, name = (Path(words[0]), words[1]) if len(words) == 2 else (Path("."), words[0])
    name = name.strip()
    if not name or any(ch.isspace() or ord(ch) < 32 for ch in name):
        raise WorkspaceError(f"not a symbol name: {sanitize_line(name)!r}")
    if not start.exists():
        raise WorkspaceError(f"no such folder: {start}")
    _, projects = projects_from(start, args.project)
    cache = SymbolCache()
    unreadable: list[str] = []
    try:
        tables = [
            table
            for project in projects
            for table in index_project(cache, project, workers=WORKERS, unreadable=unreadable)
        ]
    finally:
        cache.close()
    if cache.problem:
        print(f"readertui: note: {cache.problem}", file=sys.stderr)
    hits = find(tables, name, args.kind)
    if not hits and unreadable:  # nothing matched where the name may be: not a "no match"
        raise GitError(f"{unreadable[0]}; its definitions could not be looked up")
    for why in unreadable:
        print(f"readertui: note: {why}; its definitions were not looked up", file=sys.stderr)
    if args.format == "json":
        print(json.dumps({"symbols": [_as_json(hit) for hit in hits]}, ensure_ascii=False))
    else:
        for hit in hits:
            print(_as_text(hit))
    if not hits:
        kind = f"{args.kind} " if args.kind else ""
        where = ", ".join(project.name for project in projects) or "the workspace"
        print(
            f"readertui: no {kind}definition matches {sanitize_line(name)!r} in {sanitize_line(where)} "
            "(looked for the exact name, Class.method and prefix)",
            file=sys.stderr,
        )
    return 0 if hits else 1


def _as_text(hit: SymbolHit) -> str:
    return sanitize_line(f"{hit.citation} {hit.definition.kind} {hit.definition.qualified}")


def _as_json(hit: SymbolHit) -> dict[str, object]:
    d = hit.definition
    return {
        "name": d.name,
        "kind": d.kind,
        "scope": d.scope,
        "repo": hit.repo,
        "path": hit.path,
        "start": d.start,
        "end": d.end,
        "commit": hit.commit,
    }

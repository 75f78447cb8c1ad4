"""Where a name is defined in the rest of a repo, for a `mismatch` whose cited file neither
defines nor nearly spells it (a label pointing at the wrong file, not just the wrong lines).

One `git grep -w` at the citation's commit lists the files that name it; the nearest of them
to the cited file (same folder first, tests last) are read in one batch and parsed with the
tags queries, at most `MAX_FILES` of them: a mismatch costs one git call and a few parses,
never an index of the repo.
"""

from __future__ import annotations

from readertui.core.claims import DefinitionsOf
from readertui.core.git import GitRepo
from readertui.core.model import LineRange
from readertui.core.search import SearchQuery, search

MAX_FILES = 24  # parsed at most, nearest first
MAX_LISTED = 2_000  # files naming it that are ranked (a name used everywhere stops here)
MAX_BYTES = 2_000_000  # a bigger file is not parsed (generated code)


def definition_elsewhere(
    git: GitRepo, commit: str, name: str, cited_path: str, definitions_of: DefinitionsOf
) -> tuple[str, LineRange] | None:
    """(repo path, whole definition) of `name` in a file other than `cited_path` at `commit`,
    the nearest such file first; an exact-case name before a case-only match. None when no
    file of a language with a tags query defines it."""
    from readertui.core.tags import language_for  # tree-sitter loads only for a mismatch

    candidates = [
        path for path in _files_naming(git, commit, name)
        if path != cited_path and language_for(path) is not None
    ]
    candidates.sort(key=lambda path: _distance(path, cited_path))
    texts = git.read_files(commit, candidates[:MAX_FILES])
    lowered = name.lower()
    for path in candidates[:MAX_FILES]:
        source = texts.get(path)
        if source is None or len(source) > MAX_BYTES:
            continue
        found = [d for d in definitions_of(source, path) if d.name.lower() == lowered]
        if found:
            best = min(found, key=lambda d: (d.name != name, d.start))
            return path, LineRange(best.start, best.end)
    return None


def _files_naming(git: GitRepo, commit: str, name: str) -> list[str]:
    """The files that hold `name` as a whole word at `commit`, in git's order."""
    paths: dict[str, None] = {}
    running = search(git.path, commit, SearchQuery(name, word=True))
    try:
        for hit in running:
            paths[hit.path] = None
            if len(paths) >= MAX_LISTED:
                break
    finally:
        running.close()
    return list(paths)


def _distance(path: str, cited: str) -> tuple[int, bool, int, str]:
    """Sort key: more leading folders shared with the cited file first, tests and vendored
    code last, then shorter paths."""
    ours, theirs = path.split("/")[:-1], cited.split("/")[:-1]
    shared = 0
    for a, b in zip(ours, theirs):
        if a != b:
            break
        shared += 1
    remote = any(part in ("test", "tests", "testing", "third_party", "vendor", "external") for part in ours)
    return (-shared, remote, len(path), path)

"""Repo-wide text search: `git grep` at a commit, streamed as it finds (pure: no Textual).

Searching at a commit (not the work tree) is what lets a search started from code shown at a
note's older commit search that commit. Plain folders are searched with `git grep --no-index`.
Results arrive one by one from a generator over git's output; `Search.close()` kills git at
once, from any thread (a new keystroke cancels the old search that way).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec

from readertui.core.git import LineStream

MAX_HITS = 20_000  # a search for "e" must not fill memory: git is stopped here
MAX_TEXT_CHARS = 400  # of a hit's line kept for the preview


class SearchQuery(msgspec.Struct, frozen=True):
    pattern: str
    regex: bool = False  # extended regular expression (else a fixed string)
    ignore_case: bool = False
    word: bool = False  # whole words only (references use this)
    paths: tuple[str, ...] = ()  # git pathspecs: `src/`, `*.py`


class SearchHit(msgspec.Struct, frozen=True):
    path: str  # repo-relative
    line: int  # 1-based
    column: int  # 0-based character column of the first match
    text: str  # the line (cut at MAX_TEXT_CHARS), raw: make it inert before showing it


def grep_args(query: SearchQuery, commit: str | None) -> list[str]:
    """git's arguments for `query` (the pattern passed with `-e`, never as an option)."""
    args = ["grep", "-n", "-z", "--column", "-I", "--no-color"]
    args.append("--no-index" if commit is None else "--full-name")
    args.append("-E" if query.regex else "-F")
    if query.ignore_case:
        args.append("-i")
    if query.word:
        args.append("-w")
    args += ["-e", query.pattern]
    if commit is not None:
        args.append(commit)  # checked by Search: never starts with "-"
    args.append("--")
    args += [path for path in query.paths if path and "\0" not in path]
    return args


class Search:
    """A running search. Iterate it for hits; `close()` stops it. `error` is git's complaint
    (a bad regular expression) once iteration ended, empty when all went well."""

    def __init__(self, root: Path, commit: str | None, query: SearchQuery) -> None:
        self.root, self.commit, self.query = root, commit, query
        self.error = ""
        self.truncated = False
        self._stream: LineStream | None = None
        self._closed = False

    def __iter__(self) -> Iterator[SearchHit]:
        if not self.query.pattern or "\0" in self.query.pattern or self._closed:
            return
        if self.commit is not None and (self.commit.startswith("-") or not self.commit.strip()):
            self.error = "bad commit"
            return
        self._stream = stream = LineStream(self.root, grep_args(self.query, self.commit))
        if self._closed:
            stream.close()
        prefix = f"{self.commit}:".encode() if self.commit is not None else b""
        try:
            yield from self._hits(stream, prefix)
        except GeneratorExit:  # the caller stopped reading: stop git now, not when it is done
            stream.close()
            raise
        if stream.returncode not in (0, 1, None) and not self._closed and not self.truncated:
            self.error = stream.error.removeprefix("fatal: ") or f"git grep exited with {stream.returncode}"

    def _hits(self, stream: LineStream, prefix: bytes) -> Iterator[SearchHit]:
        count = 0
        for raw in stream:
            hit = _parse(raw, prefix)
            if hit is None:
                continue
            yield hit
            count += 1
            if count >= MAX_HITS:
                self.truncated = True
                stream.close()
                break

    def close(self) -> None:
        self._closed = True
        if self._stream is not None:
            self._stream.close()


def _parse(raw: bytes, prefix: bytes) -> SearchHit | None:
    """`<commit>:<path>\\0<line>\\0<column>\\0<text>` → a hit (None for anything else)."""
    fields = raw.split(b"\0", 3)
    if len(fields) != 4 or not fields[1].isdigit() or not fields[2].isdigit():
        return None
    path = fields[0][len(prefix) :] if prefix and fields[0].startswith(prefix) else fields[0]
    text_bytes = fields[3]
    byte_column = max(0, int(fields[2]) - 1)
    column = len(text_bytes[:byte_column].decode("utf-8", "replace"))
    text = text_bytes[: MAX_TEXT_CHARS * 4].decode("utf-8", "replace")[:MAX_TEXT_CHARS]
    return SearchHit(path.decode("utf-8", "surrogateescape"), int(fields[1]), column, text.rstrip("\r"))


def search(root: Path, commit: str | None, query: SearchQuery) -> Search:
    """Start nothing yet: git runs when the result is first iterated."""
    return Search(root, commit, query)

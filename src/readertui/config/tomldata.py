"""Reading user TOML files without ever raising on bad data, and pointing at the bad line.

Shared by the settings, keymap and theme loaders. `tomllib` reports the line of a syntax
error; for a well-formed file whose *values* are wrong we find the key's line by scanning the
text for its table header and `key =` line, which is all our flat files need. Parsed files are
cached between runs (`toml_cache`), so tomllib is imported only when a file changed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from readertui.config.paths import cache_dir
from readertui.config.toml_cache import TomlCache
from readertui.core.lazy_pattern import LazyPattern
from readertui.core.model import Problem

# Compiled when a file has a problem to point at: a good start needs none of them.
_SYNTAX_POSITION = LazyPattern(r"\(at line (\d+), column \d+\)")
_TABLE_HEADER = LazyPattern(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = LazyPattern(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?)\s*=""")
_CACHE_FILE = "parsed-toml.msgpack"
_caches: dict[Path, TomlCache] = {}  # one per cache file: each is read once per process


class TomlDocument(msgspec.Struct, frozen=True):
    """A parsed TOML file and its text, kept to locate keys for problem reports."""

    path: Path
    text: str
    data: dict[str, Any]

    def line_of(self, key_path: Sequence[str]) -> int | None:
        return key_line(self.text, key_path)

    def problem(
        self,
        key_path: Sequence[str],
        message: str,
        *,
        choices: Iterable[str] = (),
        suggestion: str | None = None,
    ) -> Problem:
        """A Problem at `key_path`; the suggestion is the closest of `choices` to the last key."""
        if suggestion is None and key_path:
            suggestion = closest(key_path[-1], choices)
        return Problem(
            file=self.path,
            message=message,
            line=self.line_of(key_path),
            key=".".join(key_path) or None,
            suggestion=suggestion,
        )


def read_toml(path: Path) -> tuple[TomlDocument | None, list[Problem]]:
    """Parse `path`; unreadable, non-UTF-8 or malformed files give a Problem and `None`."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as error:
        return None, [Problem(file=path, message=f"cannot read: {error.strerror or error}")]
    except UnicodeDecodeError:
        return None, [Problem(file=path, message="not valid UTF-8 text")]
    cache = _cache()
    data = cache.get(path, raw)
    if data is None:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            match = _SYNTAX_POSITION.search(str(error))
            message = _SYNTAX_POSITION.sub("", str(error)).strip()
            line = int(match.group(1)) if match else None
            return None, [Problem(file=path, message=f"invalid TOML: {message}", line=line)]
        cache.put(path, raw, data)
    return TomlDocument(path=path, text=text, data=data), []


def _cache() -> TomlCache:
    file = cache_dir() / _CACHE_FILE
    if file not in _caches:
        _caches[file] = TomlCache(file)
    return _caches[file]


def key_line(text: str, key_path: Sequence[str]) -> int | None:
    """1-based line where `key_path` is written: `[a]` then `b = …`, or `a.b = …` at the top.

    Falls back to the line of the enclosing table header; None when nothing matches.
    """
    if not key_path:
        return None
    *table, key = key_path
    current: list[str] = []
    table_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            current = _split_dotted(header.group(1))
            if current == list(key_path):
                return number  # the key is itself a table
            if current == table and table_line is None:
                table_line = number
            continue
        written = _KEY_LINE.match(line)
        if written and current + _split_dotted(written.group(1)) == [*table, key]:
            return number
    return table_line


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to `word` (difflib), if any is reasonably close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


_TOML_TYPES = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array", dict: "table"}


def type_name(value_type: type) -> str:
    """`int` → "an integer": a TOML type named for messages."""
    name = _TOML_TYPES.get(value_type, value_type.__name__)
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _split_dotted(key: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', key)
    return [double or single or bare for double, single, bare in parts]

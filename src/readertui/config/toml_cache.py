"""Parsed TOML kept between runs: a start of the reader needs neither tomllib nor a parse.

tomllib is pure Python. Importing it and parsing the keymap and the theme took ~4-6 ms of
every start (measured), for files that almost never change. This cache maps a file's path to
its exact bytes and the parsed data:

- an entry counts only when the bytes read now equal the bytes it was made from, so an edit is
  never missed, whatever the file's timestamps say;
- the cache file is msgpack (data, never code), in the user's cache dir;
- a missing, damaged or unwritable cache only costs the parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

# Config files are few (a keymap, a theme and their user overrides); the bound only keeps a
# cache shared by many config folders (tests, portable setups) from growing without end.
MAX_ENTRIES = 64


class TomlCache:
    """The parsed-TOML cache file at `file`, read once, rewritten when an entry is added."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._entries: dict[str, list[bytes]] | None = None

    def get(self, path: Path, raw: bytes) -> dict[str, Any] | None:
        """The data parsed from `raw` when `path` last held exactly these bytes, else None.
        A fresh object each call: callers may change what they get."""
        entry = self._load().get(str(path))
        if entry is None or entry[0] != raw:
            return None
        try:
            data = msgspec.msgpack.decode(entry[1])
        except msgspec.DecodeError:
            return None
        return data if isinstance(data, dict) else None

    def put(self, path: Path, raw: bytes, data: dict[str, Any]) -> None:
        """Remember `data` as the parse of `raw`. Data msgpack cannot give back unchanged (TOML
        dates and times, NaN, integers past 64 bits) is not kept: such files are parsed every
        time."""
        try:
            encoded = msgspec.msgpack.encode(data)
        except (TypeError, OverflowError, msgspec.EncodeError):
            return
        if msgspec.msgpack.decode(encoded) != data:
            return
        entries = self._load()
        entries.pop(str(path), None)  # re-insert: the oldest entries are dropped first
        entries[str(path)] = [raw, encoded]
        while len(entries) > MAX_ENTRIES:
            del entries[next(iter(entries))]
        self._write(entries)

    def _load(self) -> dict[str, list[bytes]]:
        if self._entries is None:
            try:
                loaded = msgspec.msgpack.decode(self.file.read_bytes())
            except (OSError, msgspec.DecodeError):
                loaded = {}
            self._entries = _valid_entries(loaded)
        return self._entries

    def _write(self, entries: dict[str, list[bytes]]) -> None:
        """Atomically, so a reader in another process sees the old cache or the new one."""
        from readertui.core.atomic import replace_file  # only runs when an entry is added

        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.file, msgspec.msgpack.encode(entries), durable=False)
        except OSError:
            return


def _valid_entries(loaded: object) -> dict[str, list[bytes]]:
    if not isinstance(loaded, dict):
        return {}
    return {
        key: entry
        for key, entry in loaded.items()
        if isinstance(key, str)
        and isinstance(entry, list)
        and len(entry) == 2
        and all(isinstance(part, bytes) for part in entry)
    }

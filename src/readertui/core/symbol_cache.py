"""The persistent store of parsed symbols: one row per blob, in SQLite in the cache dir.

A blob (git's id of a file's bytes; plain folders use the same id computed from the bytes)
is parsed once, ever: the row is reused across commits, checkouts, projects and processes.
Rows hold the definitions msgpack-encoded (one read per blob, decoded in C), or the reason
the blob was skipped (too big, binary, minified).

A finished index of a commit is also kept whole, as one pre-joined row (`Snapshot`: every
path with its definitions, and the skipped files): a commit never changes, so a warm start is
one read and one decode, without listing the tree or looking up 1,500 blobs. The newest
`MAX_SNAPSHOTS` are kept.

Never a crash for the cache's sake:
- WAL mode and a busy timeout let two readertui processes read and write it at once;
- a corrupt, truncated or older-version file is set aside (`symbols.sqlite.old`) and rebuilt;
- a cache that stays locked, or a folder that is read-only or full, leaves the index in memory
  for this run (`problem` says why); a failed write only costs the persistence of that batch.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import msgspec

from readertui.config.paths import cache_dir
from readertui.core.tags import Definition

# Bump when the table layout, what core/tags extracts or which files core/symbols indexes
# changes (snapshots hold whole commits): older caches are rebuilt.
VERSION = "symbols-2"
FILE_NAME = "symbols.sqlite"
BUSY_TIMEOUT_MS = 2000
_CHUNK = 500  # ids per `IN (…)` query: well under SQLite's variable limit
MAX_SNAPSHOTS = 16  # whole-commit rows kept (~2 MB each for a repo of 40k definitions)

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(tuple[Definition, ...])


class BlobSymbols(msgspec.Struct, frozen=True, gc=False):  # no cycles: see tags.Definition
    """What the index knows of one blob: its definitions, or why it was skipped."""

    blob: str
    language: str
    definitions: tuple[Definition, ...] = ()
    skipped: str | None = None


class Snapshot(msgspec.Struct, frozen=True, array_like=True):
    """A commit's finished index: (path, definitions) of every indexed file, (path, reason) of
    every code file skipped."""

    files: tuple[tuple[str, tuple[Definition, ...]], ...]
    skipped: tuple[tuple[str, str], ...] = ()


class _StoredSnapshot(msgspec.Struct, frozen=True, array_like=True):
    """A snapshot as stored. Files with the same definitions object (the same blob under several
    paths: vendored copies, a generated tree) keep one copy: `groups` holds each distinct
    definitions tuple once, `paths` each path with the index of its group. Both are encoded in
    chunks, each decoded by a call of its own, so that no single call holds the GIL long enough
    to stall the UI thread (~5 ms a chunk)."""

    groups: tuple[bytes, ...]  # chunks of list[tuple[Definition, ...]]
    paths: tuple[bytes, ...]  # chunks of list[tuple[str, int]]
    skipped: tuple[tuple[str, str], ...] = ()


_SNAPSHOT_CHUNK = 3000  # definitions (or paths) a chunk
_stored_decoder = msgspec.msgpack.Decoder(_StoredSnapshot)
_groups_decoder = msgspec.msgpack.Decoder(list[tuple[Definition, ...]])
_paths_decoder = msgspec.msgpack.Decoder(list[tuple[str, Annotated[int, msgspec.Meta(ge=0)]]])


def _chunked(items: Iterable[Any], weight: Callable[[Any], int]) -> tuple[bytes, ...]:
    chunks: list[bytes] = []
    chunk: list[Any] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += weight(item)
        if size >= _SNAPSHOT_CHUNK:
            chunks.append(_encoder.encode(chunk))
            chunk, size = [], 0
    if chunk:
        chunks.append(_encoder.encode(chunk))
    return tuple(chunks)


def _encode_snapshot(snapshot: Snapshot) -> bytes:
    index: dict[int, int] = {}  # id() of a definitions tuple -> its group
    groups: list[tuple[Definition, ...]] = []
    paths: list[tuple[str, int]] = []
    for path, definitions in snapshot.files:
        group = index.get(id(definitions))
        if group is None:
            group = index[id(definitions)] = len(groups)
            groups.append(definitions)
        paths.append((path, group))
    stored = _StoredSnapshot(
        _chunked(groups, lambda found: len(found) + 1), _chunked(paths, lambda _: 1), snapshot.skipped
    )
    return _encoder.encode(stored)


def _decode_snapshot(data: bytes) -> Snapshot:
    stored = _stored_decoder.decode(data)
    groups: list[tuple[Definition, ...]] = []
    for chunk in stored.groups:
        groups.extend(_groups_decoder.decode(chunk))
    files: list[tuple[str, tuple[Definition, ...]]] = []
    for chunk in stored.paths:
        files.extend((path, groups[group]) for path, group in _paths_decoder.decode(chunk))
    return Snapshot(tuple(files), stored.skipped)


def encode_definitions(definitions: Iterable[Definition]) -> bytes:
    return _encoder.encode(tuple(definitions))


class _Outdated(Exception):
    pass


class SymbolCache:
    """The blob → symbols store. Thread-safe; every method swallows database trouble."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else cache_dir() / FILE_NAME
        self.problem: str | None = None  # one line for the status bar when not persisted
        self._lock = threading.Lock()
        self._db = self._connect()

    # --- opening -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._open(self.path)
        except _Outdated:
            return self._rebuild("from an older readertui")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return self._in_memory("symbol cache is busy (another readertui?): index kept in memory")
            if self.path.exists() and os.access(self.path.parent, os.W_OK):
                return self._rebuild("unreadable")
            return self._in_memory(f"symbol cache unusable ({_one_line(error)}): index kept in memory")
        except sqlite3.DatabaseError:  # "file is not a database", "malformed"
            return self._rebuild("damaged")
        except OSError as error:
            return self._in_memory(f"symbol cache folder unusable ({error.strerror}): index kept in memory")

    def _open(self, path: Path | str) -> sqlite3.Connection:
        db = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if str(path) != ":memory:":
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS blobs (blob TEXT PRIMARY KEY, language TEXT NOT NULL, "
                "skipped TEXT, defs BLOB) WITHOUT ROWID"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS snapshots (commit_id TEXT PRIMARY KEY, stamp REAL NOT NULL, "
                "data BLOB NOT NULL)"
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is None:
                if db.execute("SELECT 1 FROM blobs LIMIT 1").fetchone() is not None:
                    raise _Outdated()
                db.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (VERSION,))
            elif row[0] != VERSION:
                raise _Outdated()
        except BaseException:
            db.close()
            raise
        return db

    def _rebuild(self, why: str) -> sqlite3.Connection:
        """Set the file aside (kept once, as `.old`, for a bug report) and start afresh."""
        aside = self.path.with_name(self.path.name + ".old")
        try:
            for suffix in ("", "-wal", "-shm"):
                current = Path(str(self.path) + suffix)
                if current.exists():
                    os.replace(current, Path(str(aside) + suffix))
            return self._open(self.path)
        except (OSError, sqlite3.Error, _Outdated) as error:
            detail = error.strerror if isinstance(error, OSError) else _one_line(error)
            return self._in_memory(f"symbol cache {why} and not replaceable ({detail}): index kept in memory")

    def _in_memory(self, problem: str) -> sqlite3.Connection:
        self.problem = problem
        return self._open(":memory:")

    # --- reading and writing -------------------------------------------------------------

    def get_many(self, blobs: Iterable[str]) -> dict[str, BlobSymbols]:
        """The stored rows among `blobs` (unknown ones are absent)."""
        ids = list(dict.fromkeys(blobs))
        found: dict[str, BlobSymbols] = {}
        for offset in range(0, len(ids), _CHUNK):
            chunk = ids[offset : offset + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._read(f"SELECT blob, language, skipped, defs FROM blobs WHERE blob IN ({marks})", chunk)
            for blob, language, skipped, raw in rows:
                try:
                    definitions = _decoder.decode(raw) if raw else ()
                except (msgspec.DecodeError, msgspec.ValidationError):
                    continue  # a damaged row: parsed again, then overwritten
                found[blob] = BlobSymbols(blob, language, definitions, skipped)
        return found

    def put_many(self, items: Iterable[BlobSymbols]) -> None:
        rows = [
            (item.blob, item.language, item.skipped, encode_definitions(item.definitions) if item.definitions else None)
            for item in items
        ]
        if rows:
            self._write("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)", rows)

    def get_snapshot(self, commit: str) -> Snapshot | None:
        """The finished index of `commit`, if one was stored (a damaged row reads as none)."""
        rows = self._read("SELECT data FROM snapshots WHERE commit_id = ?", [commit])
        if not rows:
            return None
        try:
            return _decode_snapshot(rows[0][0])
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError, IndexError):
            return None  # rebuilt from the blob rows, then overwritten

    def put_snapshot(self, commit: str, snapshot: Snapshot) -> None:
        """Store `commit`'s finished index; the oldest beyond `MAX_SNAPSHOTS` are dropped."""
        self._write_script(
            [
                ("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)", (commit, time.time(), _encode_snapshot(snapshot))),
                (
                    "DELETE FROM snapshots WHERE commit_id NOT IN "
                    "(SELECT commit_id FROM snapshots ORDER BY stamp DESC LIMIT ?)",
                    (MAX_SNAPSHOTS,),
                ),
            ]
        )

    def count(self) -> int:
        rows = self._read("SELECT count(*) FROM blobs", [])
        return int(rows[0][0]) if rows else 0

    def _read(self, sql: str, params: list[str]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    return []  # the other process is writing: these blobs get parsed again
                self._recover(error)
            except sqlite3.DatabaseError as error:
                self._recover(error)
        return []

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._write_script([(sql, rows)], many=True)

    def _write_script(self, statements: list[tuple[str, Any]], many: bool = False) -> None:
        """Run `statements` ((sql, parameters); `many`: a list of parameter rows each) in one
        transaction."""
        with self._lock:
            try:
                with contextlib.closing(self._db.cursor()) as cursor:
                    cursor.execute("BEGIN IMMEDIATE")
                    try:
                        for sql, parameters in statements:
                            if many:
                                cursor.executemany(sql, parameters)
                            else:
                                cursor.execute(sql, parameters)
                        cursor.execute("COMMIT")
                    except BaseException:
                        with contextlib.suppress(sqlite3.Error):
                            cursor.execute("ROLLBACK")
                        raise
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    return  # kept in memory only; the next run stores them
                if "full" in str(error) or "readonly" in str(error) or "read-only" in str(error):
                    self.problem = f"symbol cache not written ({_one_line(error)})"
                    return
                self._recover(error)
            except sqlite3.DatabaseError as error:
                self._recover(error)

    def _recover(self, error: sqlite3.Error) -> None:
        """The file broke under us (truncated, overwritten): set it aside, carry on afresh."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._db = self._rebuild(f"damaged ({_one_line(error)})") if self.path.exists() else self._connect()

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

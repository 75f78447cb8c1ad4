"""The one way readertui replaces a file: a temp file beside it, fsync, rename, fsync the folder.

Used by the notes (`core/notes.py`, which adds locking and compare-and-swap on top), the view
state (`ui/state.py`) and the parsed-TOML cache (`config/toml_cache.py`). A reader of the file
sees the old bytes or the new ones, never a mix, and a crash leaves the old file intact.

Temp files are named `.<file name>.<8 random characters>.tmp`, in the target's folder (a rename
is atomic only within one filesystem). A crash between creating one and renaming it (kill -9,
power loss) leaves it behind; `sweep_temps` removes such leftovers and writers of notes call it
under their lock, where no other readertui can be midway through a write of the same file.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

_TEMP_SUFFIX = ".tmp"
_RANDOM = r"[a-z0-9_]{8}"  # what tempfile.mkstemp puts between prefix and suffix


def temp_prefix(target: Path) -> str:
    return f".{target.name}."


def write_temp(
    target: Path, data: bytes, mode: int | None = None, owner: tuple[int, int] | None = None
) -> tuple[str, os.stat_result]:
    """Write `data` to a new temp file beside `target`, fsynced, with `mode` (and `owner`).

    Returns its name and its stat after the last change (the rename keeps inode and mtime).
    Raises OSError; nothing is left behind then."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=temp_prefix(target), suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            if owner is not None:
                os.fchown(handle.fileno(), *owner)
            os.fsync(handle.fileno())
            info = os.fstat(handle.fileno())
    except BaseException:
        remove_quietly(name)
        raise
    return name, info


def replace_file(
    target: Path,
    data: bytes,
    *,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
    before_rename: Callable[[], None] | None = None,
    durable: bool = True,
) -> os.stat_result:
    """Atomically make `target` hold `data`. `before_rename` may raise to abort (the temp file is
    removed, `target` untouched). `durable=False` skips the folder fsync (caches, view state:
    losing the last write to a power cut costs nothing). Raises OSError."""
    name, info = write_temp(target, data, mode, owner)
    try:
        if before_rename is not None:
            before_rename()
        os.replace(name, target)
    except BaseException:
        remove_quietly(name)
        raise
    if durable:
        fsync_folder(target.parent)
    return info


def sweep_temps(target: Path) -> list[Path]:
    """Remove temp files `write_temp` left beside `target` (a crash mid-write); the removed ones.

    Call it only where no other writer of `target` can be mid-write (under the note lock)."""
    pattern = re.compile(re.escape(temp_prefix(target)) + _RANDOM + re.escape(_TEMP_SUFFIX))
    removed: list[Path] = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        if pattern.fullmatch(name):
            path = target.parent / name
            try:
                if path.is_file() and not path.is_symlink():
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed


def remove_quietly(name: str | Path) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        return


def fsync_folder(folder: Path) -> None:
    """Make a rename durable. Some filesystems refuse fsync on a folder: the data is already
    safe on disk then, only the rename's durability is up to the filesystem. Raises OSError for
    a real I/O error."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)

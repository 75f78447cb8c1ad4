"""Safe reads and writes of the user's notes: strict decoding, locked, atomic, conflict-checked.

Notes are months of work, so every write here follows one protocol:

1. take a per-file lock (below) so two readertui processes never interleave;
2. re-read the file and compare it with what the caller last read (`Snapshot`); if someone
   else changed it in between (an editor, a `git pull`), raise `ConflictError` and write nothing;
3. write the new bytes to a temporary file in the same folder, fsync it, give it the old
   file's permission bits, rename it over the note (atomic on POSIX), then fsync the folder so
   the rename itself survives a crash.

"Unchanged" means the same bytes: size and content hash (the size is compared first, the hash
when sizes agree). A changed mtime with identical bytes (`touch`, an editor re-saving the same
text) is not a conflict, because nothing anyone wrote can be lost by overwriting it.
`expected=None` means "the file must not exist": it is how a caller creates a note, and it
fails if someone created the file meanwhile.

Where the lock lives: lock files go in the per-user runtime folder (`$XDG_RUNTIME_DIR/readertui`,
a tmpfs cleared at logout; platformdirs falls back to a private `runtime-<uid>` folder in the temp
dir), named by a hash of the note's resolved path, so that two processes of the same user agree
on one lock per note while the notes folder — which users commit — never gets a lock file in it.
A note reached through a symlink is locked and written at its target, keeping the link.
The lock only coordinates readertui processes; editors are caught by the content comparison.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
import platformdirs

from readertui.core.errors import ConflictError, NoteError
from readertui.core.model import Project

LOCK_TIMEOUT_SECONDS = 10.0
_READ_ONLY_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)


class Snapshot(msgspec.Struct, frozen=True):
    """What a note held when it was read: compare against it before overwriting."""

    path: Path
    data: bytes
    mtime_ns: int
    size: int

    @property
    def digest(self) -> str:
        import hashlib  # on first use: ~1.5 ms of the reader's start-up otherwise

        return hashlib.sha256(self.data).hexdigest()


def read_text(path: Path) -> str:
    """The note decoded as UTF-8, exactly: a BOM stays as U+FEFF and newlines are not
    translated, so `text.encode("utf-8")` gives back the file's bytes."""
    return decode_note(path, snapshot(path).data)


def decode_note(path: Path, data: bytes) -> str:
    """Strictly decode a note's bytes; NoteError (one line, naming the file) if it is not text."""
    nul = data.find(b"\0")
    if nul != -1:
        raise NoteError(f"{path} looks binary (NUL byte at offset {nul}); not a text note")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise NoteError(
            f"{path} is not valid UTF-8 (byte 0x{bad} at offset {error.start}); "
            "convert it to UTF-8 first"
        ) from None


def snapshot(path: Path) -> Snapshot:
    """Read the note's bytes and stat them together; NoteError if it cannot be read."""
    taken = snapshot_if_exists(path)
    if taken is None:
        raise NoteError(f"{path} does not exist")
    return taken


def snapshot_if_exists(path: Path) -> Snapshot | None:
    """Like `snapshot`, but None when the file does not exist (for callers that create it)."""
    try:
        # O_NONBLOCK: opening a FIFO named like a note must not hang; no effect on regular files.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise NoteError(f"{path} is not a regular file")
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise NoteError(f"cannot read {path}: {error.strerror or error}") from None
    return Snapshot(Path(path), data, info.st_mtime_ns, len(data))


def write_atomic(path: Path, data: bytes, expected: Snapshot | None) -> Snapshot:
    """Replace the note with `data` if it still holds what `expected` holds (see module doc).

    `expected=None`: the file must not exist yet. Raises ConflictError (nothing written) if the
    file changed, NoteError if the folder or file is read-only; never leaves a partial file.
    """
    target = _write_target(path)
    with _locked(target):
        current = snapshot_if_exists(target)
        _check_unchanged(path, current, expected)
        return _replace(target, data, current)


def edit(path: Path, transform: Callable[[bytes], bytes]) -> Snapshot:
    """Lock the note, re-read it (b"" when missing), and atomically write `transform(bytes)`.

    Used for appends: the transform always sees the latest bytes, so a second writer's entries
    are never lost. The transform may raise to abort; nothing is written then. When it returns
    the bytes unchanged, nothing is written either.
    """
    target = _write_target(path)
    with _locked(target):
        current = snapshot_if_exists(target)
        old = current.data if current else b""
        new = transform(old)
        if current is not None and new == old:
            return current
        return _replace(target, new, current)


def require_notes_folder(project: Project) -> None:
    """NoteError unless the project has its notes folder (never created implicitly: a missing
    one usually means the wrong folder, and an empty `notes/` would make it a project)."""
    if not project.notes_dir.is_dir():
        raise NoteError(
            f"project {project.name} has no notes folder; create {project.notes_dir} to keep notes there"
        )


def _write_target(path: Path) -> Path:
    """The real file to write: symlinks are followed so the link itself survives the rename."""
    path = Path(path).absolute()
    return path.resolve() if path.is_symlink() else path


def _check_unchanged(shown: Path, current: Snapshot | None, expected: Snapshot | None) -> None:
    if expected is None:
        if current is not None:
            raise ConflictError(f"{shown} was created by someone else meanwhile; nothing written")
        return
    if current is None:
        raise ConflictError(f"{shown} was deleted or moved since it was read; nothing written")
    if current.size != expected.size or current.digest != expected.digest:
        raise ConflictError(
            f"{shown} changed on disk since it was read; nothing written (reload it and retry)"
        )


def _replace(target: Path, data: bytes, current: Snapshot | None) -> Snapshot:
    folder = target.parent
    if not folder.is_dir():
        raise NoteError(f"notes folder {folder} does not exist")
    if current is not None and not os.access(target, os.W_OK):
        raise NoteError(f"{target} is read-only; nothing written")
    mode, owner = _mode_for(target, current)
    try:
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        if error.errno in _READ_ONLY_ERRNOS:
            raise NoteError(f"notes folder {folder} is read-only; nothing written") from None
        raise NoteError(f"cannot write in {folder}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), mode)
            if owner is not None:
                os.fchown(handle.fileno(), *owner)
        os.replace(temp_name, target)
    except OSError as error:
        _remove_quietly(temp_name)
        if error.errno in _READ_ONLY_ERRNOS:
            raise NoteError(f"notes folder {folder} is read-only; nothing written") from None
        raise NoteError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        _remove_quietly(temp_name)
        raise
    _fsync_folder(folder)
    info = os.stat(target)
    return Snapshot(target, data, info.st_mtime_ns, len(data))


def _mode_for(target: Path, current: Snapshot | None) -> tuple[int, tuple[int, int] | None]:
    """The note's permission bits, and its owner when we are root (a `sudo readertui` must not
    hand the user's note to root); a new note gets the usual 0666 minus the umask."""
    if current is None:
        return 0o666 & ~_umask(), None
    info = os.stat(target)
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    owner = (info.st_uid, info.st_gid) if is_root and info.st_uid != 0 else None
    return stat.S_IMODE(info.st_mode), owner


def _umask() -> int:
    """The process umask. Linux reports it in /proc; elsewhere it is read by setting it, which
    briefly changes it for every thread, so that is only the fallback."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        return _umask_by_setting()
    return _umask_by_setting()


def _umask_by_setting() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        return


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable. Some filesystems refuse fsync on a directory: the data is
    already safe on disk then, only the rename's durability is up to the filesystem."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise NoteError(f"cannot sync {folder}: {error.strerror or error}") from None
    finally:
        os.close(fd)


def lock_path(target: Path) -> Path:
    """The lock file for a note: in the per-user runtime folder, keyed by the resolved path."""
    import hashlib

    key = hashlib.sha256(os.fsencode(Path(target).resolve())).hexdigest()[:32]
    return _lock_folder() / f"{key}.lock"


def _lock_folder() -> Path:
    with warnings.catch_warnings():
        # platformdirs warns when $XDG_RUNTIME_DIR is unset and it picks its private fallback.
        warnings.simplefilter("ignore")
        try:
            folder = Path(platformdirs.user_runtime_dir("readertui")) / "locks"
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            return folder
        except OSError as error:
            raise NoteError(f"cannot create a folder for note locks: {error}") from None


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    import filelock  # ~15 ms to import: only writers pay it, not every start of the reader

    lock = filelock.FileLock(str(lock_path(target)), timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise NoteError(
            f"{target} is being written by another readertui process "
            f"(waited {LOCK_TIMEOUT_SECONDS:.0f} s for {lock.lock_file})"
        ) from None
    try:
        yield
    finally:
        lock.release()

"""Safe reads and writes of the user's notes: strict decoding, locked, atomic, conflict-checked.

Notes are months of work, so every write here follows one protocol:

1. take a per-file lock (below) so two readertui processes never interleave, and remove temp
   files a crashed write left beside the note;
2. read the file (bytes, size, mtime, inode) and decide the new bytes: `write_atomic` refuses
   with `ConflictError` when the file is not what the caller read earlier (`Snapshot`), `edit`
   applies its insertion to what is there now;
3. write the new bytes to a temporary file in the same folder, fsync it, give it the old file's
   permission bits (and owner, when root writes a user's note);
4. compare-and-swap: right before the rename, open the file again and check that it is still
   the one read in step 2 (same inode, size, mtime and bytes). If another program (an editor,
   a shell `>>`, a `git pull`) changed it, drop the temp file and go back to step 2 — `edit`
   re-applies its insertion to the new bytes — at most `MAX_ATTEMPTS` times, then refuse with
   nothing written;
5. rename the temp file over the note (atomic on POSIX) and fsync the folder. The file read in
   step 4 stays open: if a program that had opened it wrote to it after the check (its bytes
   went into the file just replaced), they are read back from it and step 2 runs again on them,
   so they are not lost either.

What is left: a program that replaces the note by its own rename in the microseconds between
the step-4 check and the rename, or that opened the old file before the rename and writes to
it only after the re-check of step 5, still loses that write. POSIX has no compare-and-rename,
so no writer that does not share the lock can close that window entirely; it is a few
microseconds wide (measured in `benchmarks/bench_clobber.py`).

"Unchanged since the caller read it" (`write_atomic`) means the same bytes: size and content
hash. A changed mtime with identical bytes (`touch`, an editor re-saving the same text) is not a
conflict, because nothing anyone wrote can be lost by overwriting it. `expected=None` means
"the file must not exist": it is how a caller creates a note (with a hard link, which fails if
someone created the file meanwhile). With `inside` (the workspace), a note whose real path lies
outside it — a symlink out, or a dangling one — is refused.

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
import random
import stat
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import msgspec

from readertui.core import atomic
from readertui.core.errors import ConflictError, NoteError
from readertui.core.model import Project

LOCK_TIMEOUT_SECONDS = 10.0
LATE_WRITE_GRACE = 0.002  # seconds between the rename and the look for late writes (step 5)
# Compare-and-swap rounds before giving up when another program keeps writing the note: at most
# this many, and no new round after RETRY_SECONDS.
MAX_ATTEMPTS = 50
RETRY_SECONDS = 2.0
_READ_ONLY_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)


class Snapshot(msgspec.Struct, frozen=True):
    """What a note held when it was read: compare against it before overwriting."""

    path: Path
    data: bytes
    mtime_ns: int
    size: int
    inode: int = 0

    @property
    def digest(self) -> str:
        import hashlib  # on first use: ~1.5 ms of the reader's start-up otherwise

        return hashlib.sha256(self.data).hexdigest()


def read_text(path: Path, inside: Path | None = None) -> str:
    """The note decoded as UTF-8, exactly: a BOM stays as U+FEFF and newlines are not
    translated, so `text.encode("utf-8")` gives back the file's bytes. With `inside` (the
    workspace), a note whose real path lies outside it (a symlink out) is refused."""
    if inside is not None:
        require_inside(path, inside)
    return decode_note(path, snapshot(path).data)


def is_inside(path: Path, inside: Path) -> bool:
    """Whether `path`'s real location (symlinks followed) lies inside the folder `inside`."""
    real = Path(path).absolute().resolve()
    root = Path(inside).resolve()
    return real == root or root in real.parents


def require_inside(path: Path, inside: Path) -> Path:
    """`path`'s real location; NoteError when it lies outside `inside` (the workspace)."""
    path = Path(path).absolute()
    real = path.resolve()
    if not is_inside(path, inside):
        raise NoteError(
            f"{path} leads outside the workspace (to {real}); readertui reads and writes notes "
            f"only inside {Path(inside).resolve()}"
        )
    return real


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
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise NoteError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return _read_open(Path(path), fd)[0]
    finally:
        os.close(fd)


def _read_open(path: Path, fd: int) -> tuple[Snapshot, os.stat_result]:
    """The snapshot of an open note, and its stat taken before the read."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NoteError(f"{path} is not a regular file")
        data = _read_all(fd)
    except OSError as error:
        raise NoteError(f"cannot read {path}: {error.strerror or error}") from None
    return Snapshot(path, data, info.st_mtime_ns, len(data), info.st_ino), info


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def write_atomic(path: Path, data: bytes, expected: Snapshot | None, inside: Path | None = None) -> Snapshot:
    """Replace the note with `data` if it still holds what `expected` holds (see module doc).

    `expected=None`: the file must not exist yet. Raises ConflictError (nothing written) if the
    file changed, NoteError if the folder or file is read-only or (with `inside`, the workspace)
    the note leads outside `inside`; never leaves a partial file.
    """

    def decide(current: Snapshot | None) -> bytes | None:
        _check_unchanged(path, current, expected)
        return data

    return _write(path, decide, inside)


def edit(path: Path, transform: Callable[[bytes], bytes], inside: Path | None = None) -> Snapshot:
    """Lock the note, read it (b"" when missing), and atomically write `transform(bytes)`.

    Used for insertions: the transform always sees the latest bytes, and when the file changes
    between that read and the rename (a second readertui is locked out, but an editor or a shell
    `>>` is not) it is run again on the new bytes, so nobody's lines are lost. The transform may
    raise to abort; nothing is written then. When it returns the bytes unchanged, nothing is
    written either.
    """

    def decide(current: Snapshot | None) -> bytes | None:
        old = current.data if current else b""
        new = transform(old)
        return None if current is not None and new == old else new

    return _write(path, decide, inside)


def require_notes_folder(project: Project) -> None:
    """NoteError unless the project has its notes folder (never created implicitly: a missing
    one usually means the wrong folder, and an empty `notes/` would make it a project)."""
    try:
        is_dir = project.notes_dir.is_dir()
    except OSError as error:  # the project folder cannot be searched (no permission)
        raise NoteError(f"cannot reach the notes folder {project.notes_dir}: {error.strerror or error}") from None
    if not is_dir:
        raise NoteError(
            f"project {project.name} has no notes folder; create {project.notes_dir} to keep notes there"
        )


def _write_target(path: Path, inside: Path | None) -> Path:
    """The real file to write: symlinks are followed so the link itself survives the rename,
    but never out of `inside` (the workspace), and a dangling link is never followed."""
    path = Path(path).absolute()
    try:
        real = require_inside(path, inside) if inside is not None else path.resolve()
        if path.is_symlink() and not real.exists():
            raise NoteError(f"{path} is a symlink to {real}, which does not exist; nothing written")
    except OSError as error:  # a notes folder that cannot be searched (chmod 000), a loop
        raise NoteError(f"cannot write in the notes folder {path.parent}: {error.strerror or error}; nothing written") from None
    return real


class _Outcome(msgspec.Struct, frozen=True):
    """What one compare-and-swap did."""

    written: Snapshot | None  # the file now holds these bytes (None: nothing written)
    current: Snapshot | None = None  # not written: the file changed to this (None: missing)
    late: Snapshot | None = None  # written, but an outside write landed in the replaced file


def _write(path: Path, decide: Callable[[Snapshot | None], bytes | None], inside: Path | None) -> Snapshot:
    """The write protocol (module doc): lock, read, decide, compare-and-swap, retry."""
    target = _write_target(path, inside)
    with _locked(target):
        atomic.sweep_temps(target)  # leftovers of a crashed write: no writer is midway now
        on_disk = snapshot_if_exists(target)  # what the file holds, as far as we know
        base = on_disk  # what the decision is made on: the latest bytes anyone wrote
        # True after an outside write landed in a file we had just replaced: `base` then holds
        # bytes that are on disk nowhere but in that replaced file (and in memory here).
        pending = False
        deadline = time.monotonic() + RETRY_SECONDS
        for _ in range(MAX_ATTEMPTS):
            if time.monotonic() > deadline:
                break
            try:
                new = decide(base)
            except BaseException:
                if pending:
                    assert base is not None  # pending: `base` holds the bytes an outside write left
                    _put_back(path, target, base, on_disk)
                raise
            if new is None:
                if on_disk is None:
                    raise NoteError(f"{path} does not exist; nothing to write")
                return on_disk
            outcome = _swap(target, new, on_disk)
            if outcome.written is not None and outcome.late is None:
                return outcome.written
            if outcome.written is None:  # changed before our rename: nothing written
                if pending:
                    base = _appended(path, target, base, on_disk, outcome.current)
                else:
                    base = outcome.current
                on_disk = outcome.current
                # a short random pause: a program writing at a steady pace falls out of step
                time.sleep(random.uniform(0, 0.001))
            else:  # written, but the replaced file got more bytes meanwhile
                late = outcome.late
                base = _appended(path, target, base, on_disk, late) if pending else late
                on_disk, pending = outcome.written, True
        if pending:
            assert base is not None  # pending: `base` holds the bytes an outside write left
            _put_back(path, target, base, None)
        raise ConflictError(
            f"{path} kept changing while readertui wrote it (tried for {RETRY_SECONDS:g} s); nothing written"
        )


def _appended(
    shown: Path, target: Path, base: Snapshot | None, before: Snapshot | None, now: Snapshot | None
) -> Snapshot:
    """`base` plus what another program appended to the file since it held `before`. Only
    appends can be carried into a version the file does not hold: anything else gives up,
    keeping `base` beside the note."""
    old = before.data if before else b""
    if base is None or now is None or not now.data.startswith(old):
        _put_back(shown, target, base or Snapshot(target, b"", 0, 0), None)
    assert base is not None and now is not None
    data = base.data + now.data[len(old) :]
    return Snapshot(target, data, now.mtime_ns, len(data), now.inode)


def _swap(target: Path, data: bytes, seen: Snapshot | None) -> _Outcome:
    """Write `data` over `target` if it still is exactly `seen` (inode, size, mtime, bytes),
    checked right before the rename; `seen=None`: only if it still does not exist."""
    folder = target.parent
    try:
        is_dir = folder.is_dir()
    except OSError as error:  # a folder above it cannot be searched
        raise NoteError(f"cannot reach the notes folder {folder}: {error.strerror or error}; nothing written") from None
    if not is_dir:
        raise NoteError(f"notes folder {folder} does not exist")
    if seen is not None and not os.access(target, os.W_OK):
        raise NoteError(f"{target} is read-only; nothing written")
    mode, owner = _mode_for(target, seen)
    try:
        temp, written = atomic.write_temp(target, data, mode, owner)
    except OSError as error:
        if error.errno in _READ_ONLY_ERRNOS:
            raise NoteError(f"notes folder {folder} is read-only; nothing written") from None
        raise NoteError(f"cannot write in {folder}: {error.strerror or error}") from None
    result = Snapshot(target, data, written.st_mtime_ns, len(data), written.st_ino)
    try:
        outcome = _compare_and_rename(target, temp, seen, result)
    except NoteError:
        atomic.remove_quietly(temp)
        raise
    except OSError as error:
        atomic.remove_quietly(temp)
        if error.errno in _READ_ONLY_ERRNOS:
            raise NoteError(f"notes folder {folder} is read-only; nothing written") from None
        raise NoteError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        atomic.remove_quietly(temp)
        raise
    if outcome.written is None:
        atomic.remove_quietly(temp)
    return outcome


def _sync_folder(folder: Path) -> None:
    try:
        atomic.fsync_folder(folder)
    except OSError as error:
        raise NoteError(f"cannot sync {folder}: {error.strerror or error}") from None


def _compare_and_rename(target: Path, temp: str, seen: Snapshot | None, result: Snapshot) -> _Outcome:
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        if seen is not None:
            return _Outcome(None, current=None)
        return _create(target, temp, result)
    except OSError as error:
        if error.errno == errno.ELOOP:  # replaced by a symlink meanwhile
            return _Outcome(None, current=snapshot_if_exists(target))
        raise
    try:
        now, before = _read_open(target, fd)
        if seen is None or not _same(now, seen):
            return _Outcome(None, current=now)
        os.replace(temp, target)
        renamed = time.monotonic()
        _sync_folder(target.parent)
        # An outside writer that opened the old file before the rename and wrote to it after
        # the check wrote into the file just replaced: its bytes are still readable here. The
        # look is taken at least LATE_WRITE_GRACE after the rename, so that a program between
        # its open and its write (microseconds for a shell `>>`) has written by then.
        time.sleep(max(0.0, LATE_WRITE_GRACE - (time.monotonic() - renamed)))
        after = os.fstat(fd)
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            late = _read_all(fd)
            return _Outcome(result, late=Snapshot(target, late, after.st_mtime_ns, len(late), after.st_ino))
    finally:
        os.close(fd)
    return _Outcome(result)


def _create(target: Path, temp: str, result: Snapshot) -> _Outcome:
    """A new note: a hard link never replaces a file someone created meanwhile (rename would)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        return _Outcome(None, current=snapshot_if_exists(target))
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        os.replace(temp, target)  # a filesystem without hard links
    else:
        atomic.remove_quietly(temp)
    _sync_folder(target.parent)
    return _Outcome(result)


def _same(now: Snapshot, seen: Snapshot) -> bool:
    return (now.inode, now.size, now.mtime_ns) == (seen.inode, seen.size, seen.mtime_ns) and now.data == seen.data


def _put_back(shown: Path, target: Path, theirs: Snapshot, ours: Snapshot | None) -> NoReturn:
    """Another program wrote into the file readertui had just replaced, and readertui cannot
    carry that write into a version of its own: put their version back when the file still
    holds ours, else keep it beside the note (never lose it). Always raises, saying which."""
    if ours is not None:
        outcome = _swap(target, theirs.data, ours)
        if outcome.written is not None and outcome.late is None:
            raise ConflictError(f"{shown} was changed by another program during the write; nothing written")
    kept = target.with_name(f"{target.name}.recovered-{time.time_ns()}")
    try:
        atomic.replace_file(kept, theirs.data)
    except OSError as error:
        raise NoteError(
            f"{shown} was changed by another program during the write, and its version could "
            f"not be kept: {error.strerror or error}"
        ) from None
    raise NoteError(
        f"{shown} was changed by another program during the write; readertui's version is in "
        f"the note and the other program's is kept in {kept}"
    )


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


def lock_path(target: Path) -> Path:
    """The lock file for a note: in the per-user runtime folder, keyed by the resolved path."""
    import hashlib

    key = hashlib.sha256(os.fsencode(Path(target).resolve())).hexdigest()[:32]
    return _lock_folder() / f"{key}.lock"


def _lock_folder() -> Path:
    import platformdirs  # ~10 ms to import: only writers pay it (`check` reads notes only)

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
        lock.acquire(poll_interval=0.01)  # the default 50 ms starves a waiting writer
    except filelock.Timeout:
        raise NoteError(
            f"{target} is being written by another readertui process "
            f"(waited {LOCK_TIMEOUT_SECONDS:.0f} s for {lock.lock_file})"
        ) from None
    try:
        yield
    finally:
        lock.release()

"""Safe note I/O: strict reads, atomic locked writes, conflict detection, read-only folders."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest

from readertui.core import notes
from readertui.core.errors import ConflictError, NoteError


def test_read_text_round_trips_bytes_exactly(tmp_path: Path) -> None:
    data = "\ufeff# 笔记\r\nline\n".encode()
    note = tmp_path / "n.md"
    note.write_bytes(data)
    assert notes.read_text(note).encode("utf-8") == data


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"abc\x00def", "looks binary (NUL byte at offset 3)"), (b"ok\n\xff\xfe", "not valid UTF-8 (byte 0xff at offset 3)")],
)
def test_read_text_refuses_binary_and_invalid_utf8_naming_the_file(tmp_path: Path, data: bytes, reason: str) -> None:
    note = tmp_path / "bad.md"
    note.write_bytes(data)
    with pytest.raises(NoteError) as caught:
        notes.read_text(note)
    message = str(caught.value)
    assert str(note) in message and reason in message and "\n" not in message


def test_read_text_of_missing_file_is_a_note_error(tmp_path: Path) -> None:
    with pytest.raises(NoteError, match="does not exist"):
        notes.read_text(tmp_path / "nope.md")


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(NoteError, match="not a regular file"):
        notes.read_text(fifo)


def test_write_atomic_replaces_when_unchanged_and_keeps_mode(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"old\n")
    note.chmod(0o640)
    before = notes.snapshot(note)
    after = notes.write_atomic(note, b"new\n", before)
    assert note.read_bytes() == b"new\n"
    assert after.data == b"new\n" and after.size == 4
    assert stat.S_IMODE(note.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.md"]  # no temp or lock file left


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files away")
def test_root_keeps_the_owner_of_a_users_note(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"old\n")
    os.chown(note, 1234, 1234)
    notes.edit(note, lambda old: old + b"more\n")
    info = note.stat()
    assert (info.st_uid, info.st_gid) == (1234, 1234)


def test_write_atomic_detects_a_change_since_the_snapshot(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"mine\n")
    before = notes.snapshot(note)
    note.write_bytes(b"edited in vim\n")  # same size class, different bytes
    with pytest.raises(ConflictError, match="changed on disk"):
        notes.write_atomic(note, b"overwrite\n", before)
    assert note.read_bytes() == b"edited in vim\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.md"]


def test_same_size_edit_within_one_mtime_tick_is_still_a_conflict(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"aaaa\n")
    before = notes.snapshot(note)
    note.write_bytes(b"bbbb\n")
    os.utime(note, ns=(before.mtime_ns, before.mtime_ns))  # identical size and mtime
    with pytest.raises(ConflictError):
        notes.write_atomic(note, b"x\n", before)
    assert note.read_bytes() == b"bbbb\n"


def test_touch_without_content_change_is_not_a_conflict(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"same\n")
    before = notes.snapshot(note)
    os.utime(note, ns=(before.mtime_ns + 10**9, before.mtime_ns + 10**9))
    notes.write_atomic(note, b"next\n", before)
    assert note.read_bytes() == b"next\n"


def test_expected_none_creates_but_never_overwrites(tmp_path: Path) -> None:
    note = tmp_path / "new.md"
    notes.write_atomic(note, b"first\n", None)
    assert note.read_bytes() == b"first\n"
    assert stat.S_IMODE(note.stat().st_mode) == 0o666 & ~_umask()
    with pytest.raises(ConflictError, match="created by someone else"):
        notes.write_atomic(note, b"second\n", None)
    assert note.read_bytes() == b"first\n"


def test_deleted_since_snapshot_is_a_conflict(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"x\n")
    before = notes.snapshot(note)
    note.unlink()
    with pytest.raises(ConflictError, match="deleted"):
        notes.write_atomic(note, b"y\n", before)
    assert not note.exists()


def test_edit_sees_latest_bytes_and_skips_noop_writes(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    notes.edit(note, lambda old: old + b"one\n")
    notes.edit(note, lambda old: old + b"two\n")
    assert note.read_bytes() == b"one\ntwo\n"
    mtime = note.stat().st_mtime_ns
    notes.edit(note, lambda old: old)
    assert note.stat().st_mtime_ns == mtime


def test_edit_aborts_without_writing_when_transform_raises(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"keep\n")

    def refuse(_: bytes) -> bytes:
        raise ConflictError("no")

    with pytest.raises(ConflictError):
        notes.edit(note, refuse)
    assert note.read_bytes() == b"keep\n"


def test_writing_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(b"a\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    notes.edit(link, lambda old: old + b"b\n")
    assert link.is_symlink() and real.read_bytes() == b"a\nb\n"


def test_lock_file_lives_outside_the_notes_folder(tmp_path: Path) -> None:
    note = tmp_path / "notes" / "n.md"
    lock = notes.lock_path(note)
    assert tmp_path not in lock.parents
    assert lock == notes.lock_path(tmp_path / "notes" / ".." / "notes" / "n.md")  # keyed by resolved path
    assert lock != notes.lock_path(tmp_path / "notes" / "other.md")


def test_read_only_folder_reported_and_nothing_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores permission bits, so the refusal the kernel would give is simulated here; the
    real chmod case runs in the next test for ordinary users."""
    folder = tmp_path / "notes"
    folder.mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(NoteError, match=r"notes folder .*notes is read-only"):
        notes.write_atomic(folder / "n.md", b"x\n", None)
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root bypasses directory permissions")
def test_read_only_folder_with_real_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    note = folder / "n.md"
    note.write_bytes(b"keep\n")
    before = notes.snapshot(note)
    folder.chmod(0o555)
    try:
        with pytest.raises(NoteError, match="is read-only"):
            notes.write_atomic(note, b"x\n", before)
        assert sorted(p.name for p in folder.iterdir()) == ["n.md"]
        assert note.read_bytes() == b"keep\n"
    finally:
        folder.chmod(0o755)


def test_failed_rename_removes_the_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"keep\n")

    def broken_replace(src, dst):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(NoteError, match="cannot write"):
        notes.edit(note, lambda old: old + b"more\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.md"]
    assert note.read_bytes() == b"keep\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

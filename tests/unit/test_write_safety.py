"""Writes that cannot clobber: another program's writes during ours are kept, temp files a crash
left are swept, and writes never leave the workspace through a symlink."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from readertui.core import notes
from readertui.core.bookmarks import load, new_bookmark, save
from readertui.core.errors import ConflictError, NoteError
from readertui.core.log import entries_for_day, log_entry
from readertui.core.model import LineRange, Project

WHEN = datetime(2026, 11, 29, 14, 32)


def _project(root: Path) -> Project:
    folder = root / "p"
    (folder / "notes").mkdir(parents=True, exist_ok=True)
    return Project("p", folder, (), folder / "notes")


def _append_outside(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:  # what `echo … >> note` does
        handle.write(line)


def test_an_outside_append_during_the_write_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The outside program writes after readertui read the log and before its rename."""
    project = _project(tmp_path)
    log = project.reading_log
    log.write_text("# Log\n\n## 2026-11-29\n\n- 10:00 first\n")
    real_fsync, fired = os.fsync, []

    def fsync_then_outside_append(fd: int) -> None:
        real_fsync(fd)
        if not fired:
            fired.append(True)
            _append_outside(log, "- 10:01 USER LINE\n")

    monkeypatch.setattr(os, "fsync", fsync_then_outside_append)
    log_entry(project, "mine", clock=lambda: WHEN)
    assert fired
    entries = entries_for_day(log.read_text(), WHEN.date())
    assert entries == ["10:00 first", "10:01 USER LINE", "14:32 mine"]


def test_an_append_through_a_file_opened_before_the_rename_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outside program opened the old file before the rename and writes after it: its
    bytes land in the replaced file, are read back from it, and the insertion is redone."""
    project = _project(tmp_path)
    log = project.reading_log
    log.write_text("# Log\n\n## 2026-11-29\n\n- 10:00 first\n")
    real_replace, fired = os.replace, []

    def replace_while_someone_appends(src, dst):
        if fired or Path(dst) != log.resolve():
            return real_replace(src, dst)
        fired.append(True)
        with open(log, "a", encoding="utf-8") as late:
            real_replace(src, dst)
            late.write("- 10:01 LATE LINE\n")
        return None

    monkeypatch.setattr(os, "replace", replace_while_someone_appends)
    log_entry(project, "mine", clock=lambda: WHEN)
    assert fired
    entries = entries_for_day(log.read_text(), WHEN.date())
    assert entries == ["10:00 first", "10:01 LATE LINE", "14:32 mine"]


def test_write_atomic_refuses_when_the_file_changes_during_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"mine\n")
    before = notes.snapshot(note)
    real_fsync, fired = os.fsync, []

    def fsync_then_edit(fd: int) -> None:
        real_fsync(fd)
        if not fired:
            fired.append(True)
            _append_outside(note, "edited meanwhile\n")

    monkeypatch.setattr(os, "fsync", fsync_then_edit)
    with pytest.raises(ConflictError, match="nothing written"):
        notes.write_atomic(note, b"replacement\n", before)
    assert note.read_bytes() == b"mine\nedited meanwhile\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.md"]


def test_a_file_that_never_settles_is_refused_with_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"a\n")
    real_fsync, count = os.fsync, [0]

    def fsync_then_edit(fd: int) -> None:
        real_fsync(fd)
        count[0] += 1
        _append_outside(note, f"outside {count[0]}\n")

    monkeypatch.setattr(os, "fsync", fsync_then_edit)
    with pytest.raises(ConflictError, match="kept changing"):
        notes.edit(note, lambda old: old + b"mine\n")
    assert b"mine" not in note.read_bytes()
    assert note.read_bytes().count(b"outside") == notes.MAX_ATTEMPTS


def test_a_new_note_is_never_created_over_one_made_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "new.md"
    real_fsync, fired = os.fsync, []

    def fsync_then_create(fd: int) -> None:
        real_fsync(fd)
        if not fired:
            fired.append(True)
            note.write_bytes(b"theirs\n")

    monkeypatch.setattr(os, "fsync", fsync_then_create)
    with pytest.raises(ConflictError):
        notes.write_atomic(note, b"ours\n", None)
    assert note.read_bytes() == b"theirs\n"


def test_stale_temp_files_of_a_crashed_write_are_swept(tmp_path: Path) -> None:
    project = _project(tmp_path)
    stale = project.notes_dir / ".code-reading-log.md.k3j_x9a2.tmp"
    stale.write_bytes(b"half a write")
    unrelated = project.notes_dir / ".other.md.k3j_x9a2.tmp"
    unrelated.write_bytes(b"not ours to judge")
    log_entry(project, "after the crash", clock=lambda: WHEN)
    assert not stale.exists()
    assert unrelated.exists()


def test_a_crash_mid_write_leaves_the_old_note_and_the_next_write_sweeps(tmp_path: Path) -> None:
    """kill -9 between the temp file and the rename: the note is intact, the litter swept."""
    project = _project(tmp_path)
    log = project.reading_log
    log.write_text("# Log\n")
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from readertui.core import notes
        real = os.replace
        def die(src, dst):
            os.kill(os.getpid(), signal.SIGKILL)
        os.replace = die
        notes.edit(Path({str(log)!r}), lambda old: old + b"never\\n")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -9
    assert log.read_text() == "# Log\n"
    assert any(p.name.endswith(".tmp") for p in project.notes_dir.iterdir())
    log_entry(project, "next", clock=lambda: WHEN)
    assert sorted(p.name for p in project.notes_dir.iterdir()) == ["code-reading-log.md"]


# --- symlinks -------------------------------------------------------------------------------


def test_a_log_symlinked_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    project = _project(workspace)
    victim = tmp_path / "elsewhere" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("precious\n")
    project.reading_log.symlink_to(victim)
    with pytest.raises(NoteError, match="outside the workspace"):
        log_entry(project, "x", clock=lambda: WHEN)
    assert victim.read_text() == "precious\n"


def test_a_dangling_log_symlink_creates_nothing_outside(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    project = _project(workspace)
    target = tmp_path / "elsewhere" / "new.md"
    target.parent.mkdir()
    project.reading_log.symlink_to(target)
    with pytest.raises(NoteError):
        log_entry(project, "x", clock=lambda: WHEN)
    assert not target.exists()


def test_a_symlink_inside_the_workspace_is_written_through(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    project = _project(workspace)
    shared = workspace / "shared-log.md"
    shared.write_text("# Log\n")
    project.reading_log.symlink_to(shared)
    log_entry(project, "x", clock=lambda: WHEN)
    assert project.reading_log.is_symlink() and "14:32 x" in shared.read_text()


def test_bookmarks_symlinked_out_of_the_workspace_are_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    project = _project(workspace)
    victim = tmp_path / "victim.toml"
    victim.write_text("# precious\n")
    project.bookmarks_file.symlink_to(victim)
    marks, _ = load(project)
    mark = new_bookmark("r", "a.py", LineRange(1, 1), "x", None, ["a"], marks)
    with pytest.raises(NoteError, match="outside the workspace"):
        save(project, (*marks, mark))
    assert victim.read_text() == "# precious\n"


# --- the stress test: two readertui writers and an outside appender -----------------------

# One writer process: `{write}` (of `project`, `name`, `count`) in a loop; filled in below for
# the reading log (`log_entry`) and for bookmarks (`add_mark`).
_WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime
    from pathlib import Path
    from readertui.core import bookmarks
    from readertui.core.errors import ConflictError
    from readertui.core.log import log_entry
    from readertui.core.model import LineRange, Project

    folder, name, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    project = Project("p", folder, (), folder / "notes")
    print("ready", flush=True)
    sys.stdin.readline()
    stop, count, refused = time.monotonic() + seconds, 0, 0
    while time.monotonic() < stop:
        try:
            {write}
        except ConflictError:  # refused with nothing written: the same one again
            refused += 1
            continue
        count += 1
    print(count, refused, flush=True)
    """
)
WRITER = _WRITER.replace(
    "{write}", 'log_entry(project, f"{name} {count}", clock=lambda: datetime(2026, 11, 29, 12, 0))'
)

APPENDER = textwrap.dedent(
    """
    import sys, time
    log, seconds, pause = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()
    stop, count = time.monotonic() + seconds, 0
    while time.monotonic() < stop:
        with open(log, "a") as handle:
            handle.write(f"- 12:00 outside {count}\\n")
        count += 1
        time.sleep(pause)
    print(count, 0, flush=True)
    """
)


def run_clobber_race(folder: Path, seconds: float, pause: float = 0.02) -> dict[str, tuple[int, int]]:
    """Two readertui writers and one outside appender (a line every `pause` s) for `seconds`;
    (lines written, writes refused) for each.
    (benchmarks/bench_clobber.py runs the same for minutes.)"""
    log = folder / "notes" / "code-reading-log.md"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("# Code reading log\n\n## 2026-11-29\n\n")
    return _race(folder, log, WRITER, APPENDER, seconds, pause)


def _race(
    folder: Path, target: Path, writer: str, appender: str, seconds: float, pause: float
) -> dict[str, tuple[int, int]]:
    """Start the two `writer` scripts (in `folder`) and the `appender` (on `target`) together;
    (written, refused) of each once they end."""
    commands = {
        "alpha": [sys.executable, "-c", writer, str(folder), "alpha", str(seconds)],
        "beta": [sys.executable, "-c", writer, str(folder), "beta", str(seconds)],
        "outside": [sys.executable, "-c", appender, str(target), str(seconds), str(pause)],
    }
    processes = {
        name: subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, command in commands.items()
    }
    for process in processes.values():
        assert process.stdout.readline().strip() == "ready"
    for process in processes.values():
        process.stdin.write("go\n")
        process.stdin.flush()
    counts = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=seconds + 120)
        assert process.returncode == 0, err
        written, refused = out.split()
        counts[name] = (int(written), int(refused))
    return counts


def test_two_writers_and_an_outside_appender_lose_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    counts = run_clobber_race(tmp_path, seconds=2.0)
    assert time.monotonic() - started < 30
    text = (tmp_path / "notes" / "code-reading-log.md").read_text()
    entries = entries_for_day(text, datetime(2026, 11, 29).date())
    assert len(entries) == len(set(entries)), "duplicated lines"
    for name, (count, _) in counts.items():
        mine = [entry for entry in entries if entry.startswith(f"12:00 {name} ")]
        assert mine == [f"12:00 {name} {i}" for i in range(count)], f"{name}: lines lost or out of order"
    assert counts["outside"][0] > 50 and counts["alpha"][0] + counts["beta"][0] > 10


def test_a_note_symlinked_out_of_the_workspace_is_not_listed_nor_read(tmp_path: Path) -> None:
    from readertui.core.workspace import note_files

    workspace = tmp_path / "ws"
    project = _project(workspace)
    secret = tmp_path / "secret.md"
    secret.write_text("root:x:0:0\n")
    (project.notes_dir / "passwd.md").symlink_to(secret)
    (project.notes_dir / "overview.md").write_text("# ok\n")
    (project.notes_dir / "alias.md").symlink_to(project.notes_dir / "overview.md")
    assert [p.name for p in note_files(project)] == ["overview.md", "alias.md"]
    with pytest.raises(NoteError, match="outside the workspace"):
        notes.read_text(project.notes_dir / "passwd.md", inside=workspace)
    assert notes.read_text(project.notes_dir / "alias.md", inside=workspace) == "# ok\n"


# --- the same for bookmarks: two writers adding marks, an outside appender ------------------

BOOKMARK_WRITER = _WRITER.replace(
    "{write}",
    "bookmarks.add_mark(project, bookmarks.new_bookmark("
    '"r", f"{name}.py", LineRange(count + 1, count + 1), f"{name} {count}", None, ["x"]))',
)

BOOKMARK_APPENDER = APPENDER.replace("- 12:00 outside ", "# outside ")


def test_two_bookmark_writers_and_an_outside_appender_lose_nothing(tmp_path: Path) -> None:
    """`bookmarks add` (or the reader's `m`) while a shell appends to the file every 20 ms: every
    mark and every outside line is in the file once (saves used to be refused instead)."""
    assert "# outside" in BOOKMARK_APPENDER
    project = _project(tmp_path)
    marks_file = project.bookmarks_file
    marks_file.write_text("# hand-written header\n")
    counts = _race(project.path, marks_file, BOOKMARK_WRITER, BOOKMARK_APPENDER, 2.0, 0.02)
    marks, problems = load(project)
    assert problems == []
    labels = [mark.label for mark in marks]
    assert len(labels) == len(set(labels)) and len({mark.id for mark in marks}) == len(marks)
    for name in ("alpha", "beta"):
        mine = [label for label in labels if label.startswith(f"{name} ")]
        assert mine == [f"{name} {i}" for i in range(counts[name][0])], f"{name}: marks lost or out of order"
    lines = marks_file.read_text().splitlines()
    outside = [line for line in lines if line.startswith("# outside ")]
    assert outside == [f"# outside {i}" for i in range(counts["outside"][0])], "outside lines lost or duplicated"
    assert lines[0] == "# hand-written header"
    assert counts["outside"][0] > 50 and counts["alpha"][0] + counts["beta"][0] > 10
    # (refusals are not bounded here: under load an attempt outlasts the appender's period more
    # often; benchmarks/bench_clobber.py --bookmarks measures them)

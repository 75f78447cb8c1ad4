"""A long note whose citations forked children find (core/scan_ahead.py) gives exactly what
reading it here gives: every part, the declarations in force, the note's paths and
declarations; also when a child dies half-way, when the caller stops early, and through
`check`."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core import citations, scan_ahead
from readertui.core.check import check, report_json
from readertui.core.citations import NoteScanner
from readertui.core.scan_ahead import ScannedParts
from readertui.core.workspace import load_workspace
from tests.gitfixtures import build_kb, write
from tests.unit.test_scan_pieces import LINES

pytestmark = pytest.mark.skipif(not scan_ahead._can_fork(), reason="the platform cannot fork")

REPO_ROOT = Path(__file__).resolve().parents[2]


def read_all(parts: ScannedParts) -> tuple[list, frozenset[str], tuple]:
    return list(parts), parts.full_paths, parts.declarations


def a_log(days: int, commits: tuple[str, str] = ("4be91c0", "a03f7d2")) -> str:
    """A reading log of `days` days of 30 entries (one part per day), days alternating commits."""
    out = ["# Code reading log", ""]
    for day in range(1, days + 1):
        out += [f"## 2026-11-{day % 28 + 1:02d}", "", f"**Commit**: `{commits[day % 2]}`", ""]
        out += [f"- 10:{i:02d} `Engine/src/engine/core.py:{i + 1}-{i + 3}` — entry {i}; see `core.py:{i + 2}`"
                for i in range(30)]
        out.append("")
    return "\n".join(out)


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(citations, "_PIECE_LINES", 3)  # (the child inherits it)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(LINES), max_size=80).map("\n".join), children=st.sampled_from([1, 2, 3]))
def test_children_find_what_a_scan_here_finds(text, children, small_pieces) -> None:
    here = ScannedParts(text, children=0)
    ahead = ScannedParts(text, children=children)
    assert ahead.children == children and not here.children
    assert read_all(ahead) == read_all(here)


def test_a_piece_found_assuming_a_path_came_before_is_read_again(small_pieces, monkeypatch) -> None:
    """A child cannot know whether an earlier piece named a path (relative lines count only
    after one); it assumes so, and the pieces before the first path are read again here."""
    text = "\n\n".join(["# Notes", "See line 12.", "And 行 4.", "Then `src/a.py:3`.", "Now line 5."] * 3)
    here = read_all(ScannedParts(text, children=0))
    read_again: list[tuple[int, bool]] = []
    find = NoteScanner.find

    def spy(self, index, blocks, stop, path_before):  # (in this process only: children are forked)
        read_again.append((index, path_before))
        return find(self, index, blocks, stop, path_before)

    monkeypatch.setattr(NoteScanner, "find", spy)
    assert read_all(ScannedParts(text, children=2)) == here
    assert read_again == [(1, False)]  # piece 0 (the heading and "line 12") is found as it is
    assert [c.text for part, _ in here[0] for c in part][:2] == ["src/a.py:3", "line 5"]


def test_a_long_log_in_many_parts(small_pieces) -> None:
    text = a_log(40)
    parts, paths, declarations = read_all(ScannedParts(text, children=3))
    assert len(parts) == 40
    assert (parts, paths, declarations) == read_all(ScannedParts(text, children=0))
    assert "Engine/src/engine/core.py" in paths and len(declarations) == 40


def test_a_child_that_dies_half_way_is_taken_over_here(small_pieces, monkeypatch) -> None:
    text = a_log(10)
    real = scan_ahead._find_into

    def dies_after_two_parts(text, number, every, sender) -> None:
        class Counting:
            sent = 0

            def send_bytes(self, data: bytes) -> None:
                if self.sent == 2:
                    os._exit(3)  # as a kill -9 or an out-of-memory kill would
                self.sent += 1
                sender.send_bytes(data)

            def close(self) -> None:
                sender.close()

        real(text, number, every, Counting() if number == 1 else sender)

    monkeypatch.setattr(scan_ahead, "_find_into", dies_after_two_parts)
    assert read_all(ScannedParts(text, children=2)) == read_all(ScannedParts(text, children=0))


def test_stopping_early_ends_the_child(small_pieces) -> None:
    parts = iter(ScannedParts(a_log(200), children=2))
    next(parts)
    parts.close()  # what a caller's `break` or an exception does
    assert multiprocessing.active_children() == []


def test_how_many_children(monkeypatch) -> None:
    """None for a short note, a single core, a busy machine or a process with threads; else one
    per idle core but this process's own, up to MOST_CHILDREN."""
    long = "x" * scan_ahead.AHEAD_FROM
    monkeypatch.setattr(scan_ahead, "_load", lambda: 0.2)
    monkeypatch.setattr(scan_ahead, "_cores", lambda: 2)
    assert ScannedParts(long[1:]).children == 0
    assert ScannedParts(long).children == 1
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)  # as the reader's workers are
    worker.start()
    try:
        assert ScannedParts(long).children == 0
    finally:
        stop.set()
        worker.join()
    monkeypatch.setattr(scan_ahead, "_cores", lambda: 1)
    assert ScannedParts(long).children == 0
    monkeypatch.setattr(scan_ahead, "_cores", lambda: 64)
    assert ScannedParts(long).children == scan_ahead.MOST_CHILDREN
    monkeypatch.setattr(scan_ahead, "_cores", lambda: 2)
    monkeypatch.setattr(scan_ahead, "_load", lambda: 1.1)  # another process keeps a core busy
    assert ScannedParts(long).children == 0
    monkeypatch.setattr(scan_ahead, "_cores", lambda: 8)
    monkeypatch.setattr(scan_ahead, "_load", lambda: 5.8)
    assert ScannedParts(long).children == 1


def test_check_reports_the_same_with_the_note_scanned_ahead(tmp_path, monkeypatch) -> None:
    kb = build_kb(tmp_path, notes={"code-reading-log.md": ""})
    log = a_log(30, (kb.a[:7], kb.b[:7])) + "\n- 11:00 `Engine/src/engine/nope.py:1` — x\n"
    write(kb.project / "notes/code-reading-log.md", log)
    workspace = load_workspace(kb.workspace)
    monkeypatch.setattr(scan_ahead, "_children_for", lambda size: 0)
    here = report_json(check(workspace), workspace)
    forked: list[int] = []

    def always(size: int) -> int:
        forked.append(size)
        return 2

    monkeypatch.setattr(scan_ahead, "_children_for", always)
    monkeypatch.setattr(citations, "_PIECE_LINES", 40)
    assert report_json(check(workspace), workspace) == here
    assert forked and here["summary"]["missing"] == 1 and here["summary"]["ok"] == 900


def test_ctrl_c_is_left_to_the_parent(tmp_path) -> None:
    """Ctrl-C reaches the whole process group. The child ignores it (no traceback of its own);
    the parent, interrupted, ends it."""
    script = tmp_path / "interrupted.py"
    script.write_text(textwrap.dedent(f"""
        import multiprocessing, signal, sys, time
        signal.signal(signal.SIGINT, signal.default_int_handler)  # (a test runner may ignore it)
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from readertui.core.scan_ahead import ScannedParts
        from tests.unit.test_scan_ahead import a_log
        parts = iter(ScannedParts(a_log(3000), children=1))
        next(parts)
        child = multiprocessing.active_children()[0]
        try:
            print("started", flush=True)
            time.sleep(60)  # until the Ctrl-C
        except KeyboardInterrupt:
            child.join(timeout=0.5)  # a child that took the Ctrl-C would be gone by now
            print("child still running" if child.exitcode is None else f"child exited {{child.exitcode}}")
            parts.close()
            print(f"then ended: {{child.exitcode is not None}}", flush=True)
            sys.exit(130)
    """), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True, cwd=REPO_ROOT)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    os.killpg(process.pid, 2)  # SIGINT to the group, as a terminal's Ctrl-C
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert out.split("\n")[:2] == ["child still running", "then ended: True"]
    assert "Traceback" not in err, err

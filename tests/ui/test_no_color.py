"""NO_COLOR: not one colour reaches the terminal, and attributes carry the structure.

Textual alone turned every colour into a grey, and our theme's terminal-default colours into
black on black: the reader was invisible. Checked on a real pseudo-terminal (the bytes written),
on the rendered screen (a monochrome snapshot) and on the styles the structure is drawn with.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time

import pytest
from rich.style import Style

from readertui.config.settings import Settings
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from tests.ui.conftest import REPO_ROOT, settle, wait_until

CITATION_PAINTED = b"\x1b[1;4;39;49m"  # the monochrome citation style: bold, underline, default colours
SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def colour_parameters(output: bytes) -> set[str]:
    """The SGR parameters in `output` that set a colour (39/49, the defaults, are not colours)."""
    found: set[str] = set()
    for match in SGR.finditer(output):
        params = [p for p in re.split(rb"[;:]", match.group(1)) if p]
        for param in params:
            value = int(param)
            if 30 <= value <= 38 or 40 <= value <= 48 or 90 <= value <= 97 or 100 <= value <= 107:
                found.add(match.group(1).decode())
                break
    return found


def test_colour_parameters_are_recognised():
    assert colour_parameters(b"\x1b[1;30;40mx\x1b[38;2;0;0;0;48;2;0;0;0my\x1b[0m") == {"1;30;40", "38;2;0;0;0;48;2;0;0;0"}
    assert colour_parameters(b"\x1b[1;4;39;49mx\x1b[7mz\x1b[0m") == set()


def _run_on_a_pty(workspace, keys: bytes, marker: bytes) -> bytes:
    """The reader on a real terminal (truecolor advertised) with NO_COLOR=1: its output bytes
    until `marker` shows after `keys` and the output goes quiet."""
    master, slave = os.openpty()
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "COLUMNS": "120", "LINES": "32", "PYTHONPATH": str(REPO_ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "readertui", str(workspace)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )
    os.close(slave)
    output = b""

    def read_until(predicate, quiet: float) -> None:
        nonlocal output
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], quiet)
            if not ready:
                if predicate():
                    return
                continue
            output += os.read(master, 65536)

    try:
        # Keys only once the note's citations are resolved: they are painted bold underlined.
        read_until(lambda: b"code-reading-log" in output and CITATION_PAINTED in output, 0.2)
        shown = len(output)
        os.write(master, keys)
        read_until(lambda: marker in output[shown:], 0.3)
        os.write(master, b"\x11")  # ctrl+q
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return output


def test_no_colour_reaches_a_real_terminal(demo):
    # Notes focused, the first citation followed: cursor line, selection, current citation,
    # gutter marks and the focused title are all drawn.
    output = _run_on_a_pty(demo, b"3]\r", b"config.py")
    assert b"config.py" in output and b"\x1b[" in output
    assert colour_parameters(output) == set()
    assert b"\x1b[7m" in output or re.search(rb"\x1b\[[0-9;]*\b7\b", output)  # reverse is used


async def test_structure_is_carried_by_attributes(demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = ReaderApp(find_workspace(demo))
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        await pilot.press("3", "right_square_bracket")
        await settle(pilot)
        notes = app.screen.notes
        marks = notes._mark_styles
        # cursor line, selection, citations and the current citation are told apart without colour
        kinds = ("cursor_line", "selection", "citation", "citation_broken", "citation_current", "search")
        styles = [marks[name] for name in kinds]
        assert all(style.color is None and style.bgcolor is None for style in styles)
        assert len({(s.bold, s.underline, s.reverse, s.strike) for s in styles}) == len(kinds)
        assert marks["citation_current"].reverse and marks["selection"].reverse
        # the focused pane's title is reversed, the others are not
        assert notes.styles.border_title_style.reverse
        assert not app.screen.source.styles.border_title_style.reverse
        await pilot.press("2")
        assert app.screen.source.styles.border_title_style.reverse
        # the rendered frame carries no colour either (Textual's own widgets included)
        update = app.screen._compositor.render_update(full=True)
        app.console._color_system = app.console._color_system  # whatever the console detected
        frame = update.render_segments(app.console).encode()
        assert colour_parameters(frame) == set()


@pytest.mark.parametrize("size", [(120, 32), (80, 24)])
def test_monochrome_snapshot(size, snap_compare, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    shutil.copytree(REPO_ROOT / "projects", tmp_path / "ws")
    app = ReaderApp(find_workspace(tmp_path / "ws"), settings=Settings())

    async def follow_first_citation(pilot) -> None:
        # The note's citations are resolved by a worker started after the first frame.
        await settle(pilot)  # the main screen is composed
        await wait_until(pilot, lambda: bool(pilot.app.screen.notes.results), "the note's citations")
        await pilot.press("3", "right_square_bracket", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=follow_first_citation)


def test_a_style_string_without_colour_is_what_monochrome_gives():
    from readertui.config.theme import load_theme, monochrome

    spec = monochrome(load_theme("dark")[0])
    assert set(spec.colors.values()) == {"ansi_default"}
    assert all(Style.parse(style or "none").color is None for style in spec.syntax.values())

"""Whole-screen snapshots of the reader, one per built-in theme (pytest-textual-snapshot).

The screen: the demo workspace, a citation followed from the reading log into the source.
Update with `pytest tests/ui/test_app_snapshots.py --snapshot-update` after a deliberate change.
"""

from __future__ import annotations

import shutil

import pytest

from readertui.config.settings import Settings
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from tests.ui.conftest import REPO_ROOT, settle, wait_until


@pytest.mark.parametrize("theme", ["dark", "light", "ansi16"])
def test_reader_screen(theme, snap_compare, tmp_path):
    shutil.copytree(REPO_ROOT / "projects", tmp_path / "ws")
    app = ReaderApp(find_workspace(tmp_path / "ws"), settings=Settings(theme=theme))

    async def follow_first_citation(pilot) -> None:
        # The note's citations are resolved by a worker started after the first frame: wait
        # for them, not only for the workers running when this starts (there may be none yet).
        await settle(pilot)  # the main screen is composed
        await wait_until(pilot, lambda: bool(pilot.app.screen.notes.results), "the note's citations")
        await pilot.press("3", "right_square_bracket", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 32), run_before=follow_first_citation)


def test_reader_screen_at_80x24(snap_compare, tmp_path):
    """The smallest terminal the reader is laid out for: the tree hides itself, source and
    notes share the width, the status line and key hints stay."""
    shutil.copytree(REPO_ROOT / "projects", tmp_path / "ws")
    app = ReaderApp(find_workspace(tmp_path / "ws"), settings=Settings(theme="dark"))

    async def follow_first_citation(pilot) -> None:
        for _ in range(500):  # the note's citations come from a worker started after the first frame
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if pilot.app.screen.notes.results:
                break
        await pilot.press("3", "right_square_bracket", "enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=follow_first_citation)

"""Settings that shape how code is shown reach the panes: `tab_width` sets the tab stops of the
source and notes panes, `highlight_max_bytes` the size above which a file is shown plain."""

from __future__ import annotations

from readertui.config.settings import Settings
from readertui.core.model import Location
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from tests.ui.conftest import wait_until


def shown_text(view, line: int) -> str:
    return "".join(segment.text for segment in view.render_line(line - 1 - view.scroll_offset.y))


async def test_tab_width_sets_the_tab_stops_of_the_source_pane(demo) -> None:
    (demo / "minillm/minillm/tabbed.py").write_text("if x:\n\treturn 1\n")
    app = ReaderApp(find_workspace(demo), settings=Settings(tab_width=8))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        screen.open_location(Location("minillm", "minillm", "tabbed.py", 1))
        await wait_until(pilot, lambda: screen.source.path == "tabbed.py", "the file shown")
        assert screen.source.tab_width == screen.notes.tab_width == 8
        indent = shown_text(screen.source, 2).index("return") - shown_text(screen.source, 1).index("if")
        assert indent == 8


async def test_highlight_max_bytes_shows_a_bigger_file_plain_and_says_why(demo) -> None:
    (demo / "minillm/minillm/big.py").write_text("x = 1\n" * 100)  # 600 bytes
    app = ReaderApp(find_workspace(demo), settings=Settings(highlight_max_bytes=500))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        screen.open_location(Location("minillm", "minillm", "big.py", 1))
        await wait_until(pilot, lambda: screen.source.path == "big.py", "the file shown")
        assert screen.source.notice is not None and "plain text" in screen.source.notice
        small = demo / "minillm/minillm/small.py"
        small.write_text("x = 1\n")
        screen.open_location(Location("minillm", "minillm", "small.py", 1))
        await wait_until(pilot, lambda: screen.source.path == "small.py", "the small file shown")
        assert screen.source.notice is None

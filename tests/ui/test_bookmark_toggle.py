"""`m` and the counts of bookmarks: the list's header, the status line's ★ and the gutter's ●
agree. A selection that ends on a bookmarked line is bookmarked (it used to remove the bookmark
under the cursor), and a bookmark of several lines has one ● (it had one per line)."""

from __future__ import annotations

from readertui.ui.screens.pickers import BookmarkPicker
from readertui.ui.widgets.code_view import MARK_SYMBOLS
from readertui.ui.widgets.status_line import StatusLine
from tests.ui.conftest import make_app, open_file, settle


def _dots(screen) -> list[int]:
    """Lines of the source whose gutter shows a bookmark's ● (or ◆ when also cited)."""
    return sorted(line for line, kind in screen.source._marks.items() if kind in ("bookmark", "both"))


async def _header(pilot) -> str:
    await pilot.press("apostrophe")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, BookmarkPicker)
    title = picker.title_text
    await pilot.press("escape")
    await pilot.pause()
    return title


async def test_a_selection_ending_on_a_bookmarked_line_is_bookmarked(demo):
    store = demo / "minillm/notes/bookmarks.toml"
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/attention.py", 37)  # bookmark 39-47 below
        assert _dots(screen) == [39]  # one ● for the 9-line bookmark
        assert all(screen.source._marks[line].endswith("_range") for line in range(40, 48))
        await pilot.press("shift+down", "shift+down", "shift+down", "m")  # 37-40, cursor on 40
        await pilot.pause()
        await pilot.press(*"setup", "enter")
        await settle(pilot)
        text = store.read_text()
        assert 'label = "setup"' in text and "per-head attention loop" in text  # added, none removed
        assert len(screen.index.bookmarks) == 3
        assert await _header(pilot) == "Bookmarks (3) — Enter: jump · r: rename · d: delete · Esc: close"
        assert "★ 3" in screen.query_one(StatusLine).text
        assert _dots(screen) == [37, 39]  # one ● per bookmark of this file (the third is in softmax.cu)
        row = "".join(segment.text for segment in screen.source._gutter(37, False, screen.source.rich_style))
        assert screen.source._marks[38].endswith("_range")  # line 38: inside, not first
        assert MARK_SYMBOLS[screen.source._marks[38]] in row and MARK_SYMBOLS["bookmark"] not in row
        # m on a single bookmarked line still removes what holds it; the same selection again
        # removes only the bookmark on exactly those lines
        await pilot.press("escape", "up", "up", "up", "shift+down", "shift+down", "shift+down", "m")  # 37-40 again
        await settle(pilot)
        assert 'label = "setup"' not in store.read_text() and "per-head attention loop" in store.read_text()
        await pilot.press("escape", "down", "down", "m")  # line 42, inside 39-47
        await settle(pilot)
        assert "per-head attention loop" not in store.read_text()
        assert len(screen.index.bookmarks) == 1 and _dots(screen) == []
        assert await _header(pilot) == "Bookmarks (1) — Enter: jump · r: rename · d: delete · Esc: close"

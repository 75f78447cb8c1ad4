"""Small things a daily session trips over: selections, bookmark deletion, the palette's themes,
the review table at 120 columns, a huge one-line file."""

from __future__ import annotations

from readertui.core.model import LineRange
from tests.ui.conftest import make_app, open_file, settle


async def test_escape_clears_the_selection(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/model.py", 12)
        await pilot.press("shift+down", "shift+down")
        assert screen.source.selection() == LineRange(12, 14)
        await pilot.press("escape")
        assert screen.source.selection() == LineRange.single(14)


async def test_shift_down_after_a_bookmark_jump_starts_a_new_selection(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        source = app.screen.source
        assert source.selection() == LineRange(39, 47)  # the bookmark's range, jumped to
        await pilot.press("shift+down")
        assert source.selection() == LineRange(39, 40)  # not 40-47: a new selection
        await pilot.press("shift+down")
        assert source.selection() == LineRange(39, 41)  # and it grows like any other


async def test_bookmark_delete_asks_first_and_moving_on_keeps_it(demo):
    store = demo / "minillm" / "notes" / "bookmarks.toml"
    before = store.read_text()
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        picker = app.screen
        title = str(picker.query_one("Label").render())
        assert title.startswith("Delete ") and "d again" in title
        await pilot.press("down", "d")  # another bookmark: asks again, deletes nothing
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert store.read_text() == before


async def test_the_palette_offers_no_theme_of_textual(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Theme" not in titles and "Quit" in titles

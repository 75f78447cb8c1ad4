"""Every jump is in the history: go to line, first/last line, search hits (ctrl+f and f3/N),
and a note opened from the tree. `ctrl+o` goes back through each; small moves are not jumps."""

from __future__ import annotations

from readertui.core.model import Location
from readertui.ui.messages import OpenNote
from tests.ui.test_app_flows import make_app, settle


async def _opened(pilot):
    screen = pilot.app.screen
    screen.open_location(Location("minillm", "minillm", "kernels/softmax.cu", 1))
    await settle(pilot)
    screen.set_focus(screen.source)
    return screen


async def test_goto_line_first_last_and_search_are_jumps_back_can_undo(demo):
    app = make_app(demo)
    async with app.run_test(size=(100, 16)) as pilot:  # a short screen: 60 lines are several
        await settle(pilot)
        screen = await _opened(pilot)
        source = screen.source
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"40", "enter")
        await settle(pilot)
        assert source.cursor_line == 40
        await pilot.press("home")  # first line
        assert source.cursor_line == 1
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press(*"expf", "enter")  # a search hit far below
        await settle(pilot)
        hit = source.cursor_line
        assert hit > 20
        await pilot.press("end")
        assert source.cursor_line == source.line_count
        for expected in (hit, 1, 40, 1):
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert source.cursor_line == expected
        await pilot.press("alt+right")
        await settle(pilot)
        assert source.cursor_line == 40


async def test_a_move_within_the_screen_is_not_a_jump(demo):
    app = make_app(demo)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await _opened(pilot)
        before = screen.navigator.history
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"5", "enter")
        await settle(pilot)
        assert screen.source.cursor_line == 5
        assert screen.navigator.history == before


async def test_a_note_opened_from_the_tree_is_a_jump(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        log = screen.notes.note_path
        screen.query_one("#tree").post_message(OpenNote(demo.resolve() / "minillm" / "notes" / "overview.md"))
        await settle(pilot)
        screen.set_focus(screen.notes)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert screen.notes.note_path == log


async def test_back_returns_where_the_cursor_was_left_before_going_to_the_notes(demo):
    """Follow a citation, move in the code, go back to the notes and follow another: back
    lands on the line the reader had moved to, not on the line the first citation opened."""
    log = demo / "minillm" / "notes" / "code-reading-log.md"
    log.write_text("# Log\n\n- `minillm/minillm/utils.py:11-12` then\n- `minillm/minillm/model.py:19-31` now\n")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("3")
        screen.notes.goto(3, column=3, center=False)
        await pilot.press("enter")
        await settle(pilot)
        assert (screen.location.path, screen.source.cursor_line) == ("minillm/utils.py", 11)
        await pilot.press("2", "down", "down", "down")
        assert screen.source.cursor_line == 14
        await pilot.press("3")
        screen.notes.goto(4, column=3, center=False)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.location.path == "minillm/model.py"
        while screen.location.path != "minillm/utils.py":
            await pilot.press("ctrl+o")
            await settle(pilot)
        assert screen.source.cursor_line == 14  # before: 11, where the citation had opened it

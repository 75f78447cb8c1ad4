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


async def test_notifications_leave_the_status_line_readable(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/model.py", 12)
        from textual.widgets._toast import Toast

        app.notify("a long notification " * 5, timeout=30)
        for _ in range(20):  # the toast is mounted a few turns of the event loop later
            await pilot.pause()
            if screen.query(Toast):
                break
        await pilot.pause()
        status = screen.query_one("#status").region
        toasts = [toast.region for toast in screen.query(Toast)]
        assert toasts and all(not region.overlaps(status) for region in toasts)


async def test_the_welcome_page_follows_the_current_project(tmp_path):
    from readertui.core.workspace import find_workspace
    from readertui.ui.app import ReaderApp
    from readertui.ui.messages import OpenNote
    from tests.ui.test_state_restore import two_projects

    ws = two_projects(tmp_path / "ws")
    app = ReaderApp(find_workspace(ws))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.source.line_text(1) == f"readertui: {screen.project.name}"
        other = "beta" if screen.project.name == "minillm" else "minillm"
        screen.query_one("#tree").post_message(OpenNote(ws.resolve() / other / "notes" / "overview.md"))
        await settle(pilot)
        assert screen.project.name == other
        assert screen.source.line_text(1) == f"readertui: {other}"


async def test_log_today_follows_an_outside_edit(demo):
    from datetime import date

    from textual import events

    log = demo / "minillm" / "notes" / "code-reading-log.md"
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#status").info.today_entries == 0
        log.write_text(log.read_text() + f"\n## {date.today():%Y-%m-%d}\n\n- 09:00 read from another pane\n")
        app.post_message(events.AppFocus())  # the terminal gets the focus back
        await settle(pilot)
        assert screen.query_one("#status").info.today_entries == 1
        assert "read from another pane" in screen.notes.line_text(screen.notes.line_count - 1) + screen.notes.line_text(screen.notes.line_count)

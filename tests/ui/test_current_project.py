"""One owner of "the current project": what is captured from code goes to the code's project.

The sequence from a real session: open project A's file, click project B's note in the tree,
then `2 c Enter`. The entry used to land in B's reading log (and `check` then called it
unpinned); now it lands in A's, the prompt names that log, and the notes pane follows to it.
"""

from __future__ import annotations

from readertui.core.model import Location
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.messages import OpenNote
from readertui.ui.screens.prompt import PromptScreen
from tests.ui.test_app_flows import settle
from tests.ui.test_state_restore import two_projects


async def _code_of_a_then_note_of_b(pilot, ws):
    screen = pilot.app.screen
    screen.open_location(Location("minillm", "minillm", "minillm/config.py", 6))
    await settle(pilot)
    screen.query_one("#tree").post_message(OpenNote(ws / "beta" / "notes" / "overview.md"))  # a tree click
    await settle(pilot)
    assert screen.notes.note_path.name == "overview.md"
    return screen


async def test_a_log_entry_goes_to_the_log_of_the_code_it_cites(tmp_path):
    ws = two_projects(tmp_path / "ws")
    app = ReaderApp(find_workspace(ws))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await _code_of_a_then_note_of_b(pilot, ws)
        await pilot.press("2", "c")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert "minillm/notes/code-reading-log.md" in prompt.title_text  # says which log
        await settle(pilot)
        assert screen.notes.note_path == ws.resolve() / "minillm" / "notes" / "code-reading-log.md"  # follows
        await pilot.press(*"two frozen fields", "enter")
        await settle(pilot)
        assert screen.project.name == "minillm"
    assert "minillm/minillm/config.py:6 @" not in (ws / "beta" / "notes" / "overview.md").read_text()
    assert not (ws / "beta" / "notes" / "code-reading-log.md").exists()
    log = (ws / "minillm" / "notes" / "code-reading-log.md").read_text()
    assert "`minillm/minillm/config.py:6` (`ModelConfig`) — two frozen fields" in log  # the enclosing definition


async def test_a_bookmark_goes_to_the_project_of_the_code(tmp_path):
    ws = two_projects(tmp_path / "ws")
    before = (ws / "minillm" / "notes" / "bookmarks.toml").read_text()
    app = ReaderApp(find_workspace(ws))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _code_of_a_then_note_of_b(pilot, ws)
        await pilot.press("2", "m")
        await pilot.pause()
        await pilot.press(*"cfg", "enter")
        await settle(pilot)
    assert not (ws / "beta" / "notes" / "bookmarks.toml").exists()
    after = (ws / "minillm" / "notes" / "bookmarks.toml").read_text()
    assert after.startswith(before) and 'label = "cfg"' in after  # added, nothing lost

"""A project index that finishes after a bookmark was saved must not bring back the older list.

The index (backlinks, bookmarks, today's count) is built in a worker whenever the project
changes or F5 reloads. Its bookmark list is read when it starts; if a bookmark is saved before
its result arrives, that result is older than what is on disk. It used to replace the list in
memory, and the next save then wrote the old list plus the new mark: the first one was lost.
"""

from __future__ import annotations

from readertui.ui.project_index import ProjectIndexed
from tests.ui.conftest import make_app, open_file, settle


async def _add_bookmark(pilot, label: str) -> None:
    await pilot.press("m")
    await pilot.pause()
    await pilot.press(*label, "enter")
    await settle(pilot)


async def test_a_stale_index_result_never_drops_a_saved_bookmark(demo):
    store = demo / "minillm/notes/bookmarks.toml"
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/model.py", 12)
        # An index starts (as after a project switch or F5); its result is held back …
        held: list[ProjectIndexed] = []
        deliver = screen.post_message

        def hold(message):
            if isinstance(message, ProjectIndexed):
                held.append(message)
                return True
            return deliver(message)

        screen.post_message = hold  # type: ignore[method-assign]
        screen.index.start(screen.project)
        await settle(pilot)
        del screen.post_message
        assert len(held) == 1
        # … a bookmark is saved, and only then does the index's older result arrive.
        await _add_bookmark(pilot, "first mark")
        assert 'label = "first mark"' in store.read_text()
        deliver(held[0])
        await settle(pilot)
        assert any(mark.label == "first mark" for mark in screen.index.bookmarks)
        await open_file(pilot, "minillm/model.py", 20)
        await _add_bookmark(pilot, "second mark")
    text = store.read_text()
    assert 'label = "first mark"' in text
    assert 'label = "second mark"' in text


async def test_bookmarks_changed_from_a_shell_show_in_the_reader(demo, monkeypatch):
    """`readertui bookmarks rename/remove` while the reader runs: the list, the ★ count and the
    gutter follow at the next look (every few seconds), and the reader's own save is no change."""
    from readertui.cli import main

    monkeypatch.chdir(demo)
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        index = screen.index
        before = {mark.id: mark.label for mark in index.bookmarks}
        assert before.get("3aea6fde") == "per-head attention loop"
        assert main(["bookmarks", "--project", "minillm", "rename", "3aea6fde", "renamed outside"]) == 0
        assert main(["bookmarks", "--project", "minillm", "remove", "cf6cfe43"]) == 0
        screen.check_outside_edits()  # what the 3 s timer runs
        after = {mark.id: mark.label for mark in index.bookmarks}
        assert after["3aea6fde"] == "renamed outside" and "cf6cfe43" not in after

"""The reader on a project whose notes folder cannot be read, or leads outside the workspace:
it opens, says so in a notification, marks the folder in the tree, and lists no notes or
bookmarks from there. (As root, chmod 000 is simulated: see `_deny`.)"""

from __future__ import annotations

from readertui.ui.screens.main import MainScreen
from readertui.ui.widgets.repo_tree import RepoTree
from tests.ui.conftest import make_app, notifications, settle
from tests.unit.test_notes_folder_refused import _deny


def _notes_node(app):
    project = app.query_one(RepoTree).root.children[0]
    return project.children[-1]


async def test_an_unreadable_notes_folder_is_said_not_fatal(demo, monkeypatch):
    app = make_app(demo)
    shown = notifications(app)
    _deny(monkeypatch, demo / "minillm/notes")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, MainScreen)
        assert any(
            severity == "error" and "cannot read the notes folder" in message and "Permission denied" in message
            for message, severity in shown
        ), shown
        notes = _notes_node(app)
        assert str(notes.label) == "notes/ (unreadable)"
        assert [str(child.label) for child in notes.children] == ["cannot list this folder: Permission denied"]
        assert app.screen.index.bookmarks == ()


async def test_a_notes_folder_leading_outside_is_refused(demo, tmp_path):
    outside = tmp_path / "elsewhere"
    (demo / "minillm/notes").rename(outside)
    (demo / "minillm/notes").symlink_to(outside)
    assert (outside / "bookmarks.toml").read_text().count("[[bookmark]]") >= 1
    app = make_app(demo)
    shown = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert app.is_running
        assert any("leads outside the workspace" in message for message, _ in shown), shown
        notes = _notes_node(app)
        assert str(notes.label) == "notes/ (outside the workspace)"
        assert [str(child.label) for child in notes.children] == [
            f"not listed: it leads outside the workspace, to {outside}"
        ]
        screen = app.screen
        assert screen.index.bookmarks == ()
        assert screen.notes.note_path is None or outside not in screen.notes.note_path.resolve().parents
        shown.clear()
        await pilot.press("apostrophe")  # the bookmark list says why it is empty (QA)
        await settle(pilot)
        assert any("leads outside the workspace" in message for message, _ in shown), shown
        assert not any("no bookmarks yet" in message for message, _ in shown)

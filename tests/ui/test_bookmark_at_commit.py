"""A bookmark made at an older commit opens from git, exactly like a citation at that commit:
the code as it was, the at-commit title, `o` for the checkout. It used to fail with "Cannot
open file … does not exist" once the submodule had moved on."""

from __future__ import annotations

from readertui.core import bookmarks as bookmark_store
from readertui.core.model import LineRange
from readertui.core.workspace import find_workspace, load_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.widgets.status_line import status_row
from tests.gitfixtures import build_kb, git
from tests.ui.test_app_flows import settle


async def test_a_bookmark_on_a_file_gone_from_the_checkout_opens_at_its_commit(tmp_path):
    kb = build_kb(tmp_path)
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)  # old.py is deleted at B
    project = load_workspace(find_workspace(kb.workspace).root).projects[0]
    bookmark_store.load(project)
    mark = bookmark_store.new_bookmark("Engine", "src/old.py", LineRange(2, 3), "old helper", kb.a, ["old 2", "old 3"])
    bookmark_store.save(project, (mark,))
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert screen.location is not None and screen.location.commit == kb.a
        assert screen.location.path == "src/old.py"
        assert screen.source.selection() == LineRange(2, 3)
        assert screen.source.has_class("-at-commit")
        assert str(screen.source.border_title).startswith(f"At {kb.a[:7]} (bookmark's commit)")
        status = screen.query_one("#status")
        assert status.info.viewing_commit and status.info.commit_owner == "bookmark"
        assert "bookmark's commit" in "".join(part.plain for part in status_row(status.info))

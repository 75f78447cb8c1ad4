"""The tree follows the file shown: its folders open and the cursor lands on it, while the
focus stays where the reader is (the source pane)."""

from __future__ import annotations

from readertui.core.model import Location
from readertui.ui.widgets.repo_tree import RepoTree
from tests.ui import test_app_tree as app_tree
from tests.ui.conftest import make_app, open_file, settle, wait_until


def _cursor_path(tree: RepoTree) -> str | None:
    node = tree.cursor_node
    return node.data.path if node is not None and node.data is not None else None


async def test_reveal_opens_the_folders_of_a_deep_file_in_a_big_repo():
    app = app_tree.TreeApp()  # 50,000 files, 500 top folders
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(RepoTree)
        await pilot.pause()
        tree.reveal(Location("p", "R", "d7/sub0/f7.c"))
        await wait_until(pilot, lambda: _cursor_path(tree) == "d7/sub0/f7.c", "the file under the cursor")
        repo = tree.root.children[0].children[0]
        d7 = next(node for node in repo.children if node.data.path == "d7")
        assert repo.is_expanded and d7.is_expanded
        others = [node for node in repo.children if node is not d7 and node.data.kind == "folder"]
        assert not any(node.is_expanded or node.children for node in others)  # only the way there
        assert app.listed == 1
        assert tree.cursor_line == tree.cursor_node.line  # drawn where the cursor is


async def test_opening_a_file_moves_the_tree_cursor_not_the_focus(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/attention.py", 12)
        tree = screen.query_one(RepoTree)
        await wait_until(pilot, lambda: _cursor_path(tree) == "minillm/attention.py", "reveal")
        assert app.focused is screen.source
        screen.open_location(Location("minillm", "minillm", "minillm/model.py", 3))
        await settle(pilot)
        await wait_until(pilot, lambda: _cursor_path(tree) == "minillm/model.py", "reveal again")
        assert tree.cursor_node.data.repo.name == "minillm"


LONG = "a_very_long_module_name_that_goes_on_and_on_forever_name.py"


class LongNameApp(app_tree.TreeApp):
    def list_files(self, project, repo):
        return (f"pkg/{LONG}", "pkg/short.py")


async def test_long_names_are_cut_in_the_middle_to_the_pane():
    from rich.style import Style

    from readertui.ui.widgets.repo_tree import middle_truncate

    app = LongNameApp()
    async with app.run_test(size=(40, 20)) as pilot:
        tree = app.query_one(RepoTree)
        await pilot.pause()
        tree.reveal(Location("p", "R", f"pkg/{LONG}"))
        await wait_until(pilot, lambda: _cursor_path(tree) == f"pkg/{LONG}", "reveal")
        node = tree.cursor_node
        shown = tree.render_label(node, Style(), Style()).plain
        assert "…" in shown and shown.startswith("a_very_long") and shown.endswith("_name.py")
        # the guides of project>repo>pkg (the hidden root draws none): the cut name fills the row
        assert len(shown) == tree.scrollable_content_region.width - 3 * tree.guide_depth
        assert tree.virtual_size.width <= tree.scrollable_content_region.width  # no sideways scroll
        short = next(child for child in node.parent.children if child.data.path == "pkg/short.py")
        assert tree.render_label(short, Style(), Style()).plain == "short.py"
        rows = [tree.render_line(y).text for y in range(tree.size.height)]
        cut = next(row for row in rows if "…" in row)
        assert cut.rstrip().endswith("_name.py") and len(cut.rstrip()) == tree.scrollable_content_region.width
    from rich.text import Text

    assert middle_truncate(Text("abcdefghij"), 5).plain == "ab…ij"
    assert middle_truncate(Text("abc"), 5).plain == "abc"
    assert middle_truncate(Text("漢字漢字漢字"), 7).cell_len <= 7

"""The tree on a 50,000-file repo: folders load lazily, a 5,000-entry folder arrives whole."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.geometry import Region
from textual.widgets import Tree

from readertui.core.model import Project, Repo, RepoKind, Workspace
from readertui.ui.widgets.repo_tree import RepoTree
from tests.ui.conftest import wait_until

PATHS = tuple(
    [f"big/file{i:05d}.py" for i in range(5000)]
    + [f"d{i % 500}/sub{i % 7}/f{i}.c" for i in range(45_000)]
)


class TreeApp(App):
    def __init__(self) -> None:
        super().__init__()
        repo = Repo("R", Path("/nowhere/p/R"), RepoKind.PLAIN)
        project = Project("p", Path("/nowhere/p"), (repo,), Path("/nowhere/p/notes"))
        self.workspace = Workspace(Path("/nowhere"), (project,))
        self.listed = 0

    def list_files(self, project: Project, repo: Repo) -> tuple[str, ...]:
        self.listed += 1
        return PATHS

    def compose(self) -> ComposeResult:
        yield RepoTree(self.workspace, self.list_files)


async def test_fifty_thousand_files_load_one_folder_at_a_time():
    app = TreeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(RepoTree)
        await pilot.pause()
        repo = tree.root.children[0].children[0]
        assert app.listed == 0  # nothing is listed before the repo is opened
        repo.expand()  # (the listing's worker starts when the expand is handled: waited for)
        await wait_until(pilot, lambda: len(repo.children) >= 501, "the repo's top folders")
        assert len(repo.children) == 501  # 500 folders + big/, no files at the top
        big = next(node for node in repo.children if str(node.label) == "big/")
        assert not big.children
        big.expand()
        await wait_until(pilot, lambda: len(big.children) >= 5000, "big/'s files")  # a slice per turn
        assert str(big.children[-1].label) == "file04999.py"
        assert app.listed == 1  # one listing serves every folder
        tree.focus()
        start = tree.cursor_line
        await pilot.press("down")
        assert tree.cursor_line == start + 1


async def test_a_paint_reads_the_widget_style_once_and_rows_match_textuals(monkeypatch):
    """Textual's Tree reads `rich_style` (a walk up the DOM) on every row; RepoTree reads it
    once per paint and hands it to Tree's row renderer: same rows, a fraction of the walks."""
    app = TreeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(RepoTree)
        tree.root.children[0].children[0].expand()
        await app.workers.wait_for_complete()
        await pilot.pause()
        region = Region(0, 0, tree.size.width, tree.size.height)
        reads: list[int] = []
        real = DOMNode.rich_style
        painter = threading.get_ident()

        def counted(node):
            # only this paint's reads: a worker thread may be styling other nodes meanwhile
            if node is tree and threading.get_ident() == painter:
                reads.append(1)
            return real.fget(node)

        monkeypatch.setattr(DOMNode, "rich_style", property(counted))
        tree._line_cache.clear()
        tree._styles_cache.clear()
        ours = tree.render_lines(region)
        assert len(ours) == region.height == 30
        # the widget's own and Textual's for the padding (a loaded box has seen a few more),
        # not one per row as Tree alone does (30 here)
        assert len(reads) <= 5
        tree._line_cache.clear()
        textuals = [Tree.render_line(tree, y) for y in range(region.height)]
        assert [strip.text for strip in ours] == [strip.text for strip in textuals]
        assert [list(strip) for strip in ours] == [list(strip) for strip in textuals]

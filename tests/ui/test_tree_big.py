"""A 5,000-entry folder opens whole, in order, with one rebuild of the tree's lines, and the
event loop keeps turning while it fills in; FolderIndex lists folders lazily but exactly."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.file_index import FolderIndex
from readertui.core.model import Project, Repo
from readertui.ui.widgets.repo_tree import RepoTree
from tests.ui import test_app_tree as app_tree

# `big/`: 200 sub-folders and 4,800 files whose names differ in case, so that the order is
# the case-blind one and folders come first.
SUBFOLDERS = [f"big/{'Sub' if i % 2 else 'sub'}{i:03d}" for i in range(200)]
FILES = [f"big/{'File' if i % 3 else 'file'}{i:04d}.py" for i in range(4800)]
PATHS = tuple(FILES + [f"{folder}/inner.c" for folder in SUBFOLDERS] + ["top.md"])
EXPECTED = [name.rpartition("/")[2] + "/" for name in sorted(SUBFOLDERS, key=str.lower)] + [
    name.rpartition("/")[2] for name in sorted(FILES, key=str.lower)
]  # no two names differ in case only


class TreeApp(app_tree.TreeApp):
    """The 50,000-file tree app of test_app_tree, listing this module's big folder instead."""

    def list_files(self, project: Project, repo: Repo) -> tuple[str, ...]:
        return PATHS


async def open_repo(app: TreeApp, pilot) -> RepoTree:
    tree = app.query_one(RepoTree)
    await pilot.pause()
    tree.root.children[0].children[0].expand()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return tree


def count_builds(tree: RepoTree) -> list[int]:
    """Count the tree's full rebuilds of its line list from now on."""
    builds = [0]
    build = tree._build

    def counted() -> None:
        builds[0] += 1
        build()

    tree._build = counted
    return builds


async def test_a_five_thousand_entry_folder_arrives_whole_in_order_with_one_rebuild():
    app = TreeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = await open_repo(app, pilot)
        repo = tree.root.children[0].children[0]
        big = next(node for node in repo.children if str(node.label) == "big/")
        builds = count_builds(tree)
        big.expand()
        while str(big.label) != "big/" or len(big.children) < len(EXPECTED):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert [str(node.label) for node in big.children] == EXPECTED
        assert [node.allow_expand for node in big.children[:201]] == [True] * 200 + [False]
        # One rebuild as the folder opens (its "…" mark), one when its entries are all in:
        # rebuilding per slice would be 5 or more.
        assert builds[0] <= 2
        assert tree.last_line >= len(EXPECTED) + 1  # the lines show every entry
        tree.focus()
        tree.move_cursor(big)
        await pilot.press("down", "down")
        assert tree.cursor_node is big.children[1]


async def test_the_event_loop_turns_while_the_folder_fills_in():
    app = TreeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = await open_repo(app, pilot)
        big = next(node for node in tree.root.children[0].children[0].children if str(node.label) == "big/")
        seen: set[int] = set()
        big.expand()
        while len(big.children) < len(EXPECTED):
            seen.add(len(big.children))
            await asyncio.sleep(0)  # one turn of the loop: the fill must not take it whole
        assert any(0 < count < len(EXPECTED) for count in seen)


async def test_a_reload_while_a_folder_fills_in_leaves_the_new_tree_alone():
    app = TreeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = await open_repo(app, pilot)
        big = next(node for node in tree.root.children[0].children[0].children if str(node.label) == "big/")
        big.expand()
        while not big.children:
            await asyncio.sleep(0)
        tree.show_workspace(app.workspace)
        workers = list(app.workers)
        await asyncio.gather(*(worker.wait() for worker in workers), return_exceptions=True)
        await pilot.pause()
        assert len(big.children) < len(EXPECTED)  # the fill stopped with the reload
        new_repo = tree.root.children[0].children[0]
        assert str(new_repo.label) == "R/" and not new_repo.children
        assert tree.last_line < 10


def naive_children(paths: tuple[str, ...], folder: str) -> tuple[list[str], list[str]]:
    prefix = folder + "/" if folder else ""
    inside = [path[len(prefix):] for path in paths if path.startswith(prefix)]
    dirs = {prefix + rest.split("/")[0] for rest in inside if "/" in rest}
    files = [prefix + rest for rest in inside if "/" not in rest]
    return sorted(dirs, key=lambda p: (p.lower(), p)), sorted(files, key=lambda p: (p.lower(), p))


segment = st.sampled_from(["a", "B", "b", "c.py", "D", "e.md"])
path_sets = st.lists(st.lists(segment, min_size=1, max_size=4).map("/".join), max_size=30)


@settings(max_examples=200, deadline=None)
@given(path_sets, st.randoms(use_true_random=False))
def test_folder_index_lists_every_folder_like_a_naive_scan(raw, rng):
    files = sorted(set(raw))
    # A path cannot be both a file and a folder in a repo.
    paths = tuple(p for p in files if not any(q.startswith(p + "/") for q in files))
    folders = sorted({p.rsplit("/", i)[0] for p in paths for i in range(1, p.count("/") + 1)})
    asked = [*folders, "", "nowhere", "a/nowhere"]
    rng.shuffle(asked)  # folders asked for before their parents too
    index = FolderIndex(paths)
    for folder in asked:
        assert index.children(folder) == naive_children(paths, folder)

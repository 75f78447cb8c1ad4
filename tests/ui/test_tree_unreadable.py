"""A folder the tree cannot list is shown as unreadable, with the reason, not empty or fatal."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from readertui.core.file_index import FolderIndex, walk_files
from readertui.core.model import Project, Repo, RepoKind, Workspace
from readertui.ui.widgets.repo_tree import RepoTree
from tests.ui.conftest import wait_until


def _plain_repo(tmp_path: Path) -> Path:
    root = tmp_path / "p" / "R"
    (root / "open").mkdir(parents=True)
    (root / "open" / "a.py").write_text("a = 1\n")
    (root / "locked" / "inner").mkdir(parents=True)
    (root / "locked" / "inner" / "b.py").write_text("b = 2\n")
    return root


def _deny(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """As root chmod 000 blocks nothing: the listing call itself refuses this one folder."""
    real = os.scandir

    def scandir(path=".", *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(os.fsdecode(path)) == folder:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)


def test_the_walk_keeps_an_unreadable_folder_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _plain_repo(tmp_path)
    _deny(monkeypatch, root / "locked")
    files = walk_files(root)
    assert list(files) == ["open/a.py"]
    assert files.unreadable == {"locked": "Permission denied"}
    index = FolderIndex(files)
    assert index.children("") == (["locked", "open"], [])
    assert index.children("locked") == ([], [])
    assert index.unreadable_reason("locked") == "Permission denied"
    assert index.unreadable_reason("open") is None


class TreeApp(App[None]):
    def __init__(self, root: Path) -> None:
        super().__init__()
        repo = Repo("R", root, RepoKind.PLAIN)
        project = Project("p", root.parent, (repo,), root.parent / "notes")
        self.workspace = Workspace(root.parent.parent, (project,))

    def list_files(self, project: Project, repo: Repo) -> tuple[str, ...]:
        return walk_files(repo.path)

    def compose(self) -> ComposeResult:
        yield RepoTree(self.workspace, self.list_files)


async def _expand(pilot, node) -> None:
    """Expand a tree node and wait until its children are listed and shown (every folder here
    has some): a loaded box may post the listing a few turns after its worker ends."""
    node.expand()
    await pilot.app.workers.wait_for_complete()
    await wait_until(pilot, lambda: bool(node.children), f"the children of {node.label}")
    await pilot.pause()


async def test_expanding_an_unreadable_folder_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _plain_repo(tmp_path)
    _deny(monkeypatch, root / "locked")
    app = TreeApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(RepoTree)
        await pilot.pause()
        repo = tree.root.children[0].children[0]
        await _expand(pilot, repo)
        assert [str(node.label) for node in repo.children] == ["locked/", "open/"]
        locked = repo.children[0]
        await _expand(pilot, locked)
        assert str(locked.label) == "locked/ (unreadable)"
        assert [str(node.label) for node in locked.children] == ["cannot list this folder: Permission denied"]
        assert not locked.children[0].allow_expand
        opened = repo.children[1]
        await _expand(pilot, opened)
        assert str(opened.label) == "open/"
        assert [str(node.label) for node in opened.children] == ["a.py"]


def _git_repo(tmp_path: Path) -> Path:
    """A git checkout (a submodule's, as the tree sees it) with a tracked folder `locked/`."""
    root = _plain_repo(tmp_path)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "files"], check=True)
    return root


class GitTreeApp(TreeApp):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        repo = Repo("R", root, RepoKind.SUBMODULE)
        project = Project("p", root.parent, (repo,), root.parent / "notes")
        self.workspace = Workspace(root.parent.parent, (project,))

    def list_files(self, project: Project, repo: Repo) -> tuple[str, ...]:
        listed = subprocess.run(["git", "-C", str(repo.path), "ls-files"], capture_output=True, text=True, check=True)
        return tuple(listed.stdout.splitlines())  # git lists from its index: no disk access


async def _expand_locked(app: TreeApp) -> object:
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(RepoTree)
        await pilot.pause()
        repo = tree.root.children[0].children[0]
        await _expand(pilot, repo)
        locked = repo.children[0]
        await _expand(pilot, locked)
        opened = repo.children[1]
        await _expand(pilot, opened)
        return (
            str(locked.label), [str(node.label) for node in locked.children],
            str(opened.label), [str(node.label) for node in opened.children],
        )


async def test_an_unreadable_folder_of_a_git_checkout_is_marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _git_repo(tmp_path)
    _deny(monkeypatch, root / "locked")
    locked, inside, opened, opened_inside = await _expand_locked(GitTreeApp(root))
    assert locked == "locked/ (unreadable)"
    # git still knows what is tracked inside; the row says why it cannot be opened from disk
    assert inside == ["cannot list this folder: Permission denied", "inner/"]
    assert (opened, opened_inside) == ("open/", ["a.py"])


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads a chmod 000 folder")
async def test_a_chmod_000_folder_of_a_git_checkout_is_marked(tmp_path: Path) -> None:
    root = _git_repo(tmp_path)
    (root / "locked").chmod(0)
    try:
        locked, inside, _, _ = await _expand_locked(GitTreeApp(root))
    finally:
        (root / "locked").chmod(0o755)
    assert locked == "locked/ (unreadable)"
    assert inside[0] == "cannot list this folder: Permission denied"

"""A garbled HEAD and a held index.lock are named as such, not as "no .git" or "dirty"."""

from __future__ import annotations

from pathlib import Path

import pytest

from readertui.core.errors import GitError, WorkspaceError
from readertui.core.git import GitRepo, head_problem, index_lock
from readertui.core.preconditions import require_clean
from tests.gitfixtures import commit_all, git, write


def _repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo / "a.txt", "one\n")
    first = commit_all(repo, "one")
    write(repo / "a.txt", "two\n")
    commit_all(repo, "two")
    return repo, first


def test_a_garbled_head_is_named_precisely(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    assert head_problem(repo) is None
    (repo / ".git" / "HEAD").write_text("garbage\x1b[31m\n")
    with pytest.raises(GitError) as caught:
        GitRepo(repo)
    message = str(caught.value)
    assert "HEAD is garbled" in message and "no .git" not in message
    assert "\n" not in message and "\x1b" not in message


def test_a_missing_head_is_named(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    (repo / ".git" / "HEAD").unlink()
    with pytest.raises(GitError, match="HEAD is missing"):
        GitRepo(repo)


def test_a_held_index_lock_is_named_not_called_changes(tmp_path: Path) -> None:
    repo, first = _repo(tmp_path)
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    assert index_lock(repo) == lock
    gitrepo = GitRepo(repo)
    with pytest.raises(WorkspaceError) as refused:
        require_clean(gitrepo, repo)
    assert "index.lock" in str(refused.value) and "stash" not in str(refused.value)
    with pytest.raises(GitError) as caught:
        gitrepo.checkout_detached(first)
    message = str(caught.value)
    assert str(lock) in message and "another git process" in message and "stash" not in message
    assert "\n" not in message
    lock.unlink()
    gitrepo.checkout_detached(first)
    assert gitrepo.head() == first

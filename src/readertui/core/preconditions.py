"""Checks that commands and screens make before they act, with the one message each.

`require_project` turns a project name from the user into the project, or refuses naming the
projects there are; `require_head` refuses a repository with no commit checked out, saying why
(its HEAD); `require_unlocked` refuses when another git holds the index; `require_clean` refuses
to move a repository with uncommitted changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from readertui.core.errors import GitError, WorkspaceError
from readertui.core.git import index_lock, lock_message, no_commit_reason
from readertui.core.model import Project, Workspace
from readertui.core.safe_text import sanitize_line


class _HasChanges(Protocol):
    def is_dirty(self) -> bool: ...


class _HasHead(Protocol):
    path: Path

    def head(self) -> str | None: ...


def project_names(workspace: Workspace) -> str:
    """The workspace's projects, for a message: `a, b` (or `none`)."""
    return ", ".join(project.name for project in workspace.projects) or "none"


def require_project(workspace: Workspace, name: str) -> Project:
    """The project called `name`; WorkspaceError naming the projects there are if none is."""
    project = workspace.project(name)
    if project is None:
        raise WorkspaceError(f"no project {sanitize_line(name)!r} in {workspace.root} (projects: {project_names(workspace)})")
    return project


def require_head(git: _HasHead) -> str:
    """The commit checked out in the repository; GitError naming its HEAD when there is none
    (empty, garbled, or a branch without a commit): git's status would call such a repository
    dirty, and nothing can be planned from it."""
    head = git.head()
    if head is None:
        raise GitError(no_commit_reason(git.path) + ". Nothing was changed")
    return head


def require_unlocked(path: Path) -> None:
    """Refuse (WorkspaceError) when another git process holds the index.lock of the repository
    at `path` (whatever git would stage or check out there would fail half-way)."""
    if (lock := index_lock(path)) is not None:
        raise WorkspaceError(lock_message(path, lock) + ". Nothing was changed")


def require_clean(git: _HasChanges, path: Path) -> None:
    """Refuse (WorkspaceError) when the repository at `path` has uncommitted changes, or when
    another git process holds its index.lock (a checkout would fail half-way)."""
    require_unlocked(path)
    if git.is_dirty():
        raise WorkspaceError(
            f"{path} has uncommitted changes (see `git -C {path} status`); "
            "commit or stash them first. Nothing was changed"
        )

"""The shared preconditions: one message each, used by the CLI and the reader alike."""

from __future__ import annotations

from pathlib import Path

import pytest

import readertui
from readertui.core.errors import WorkspaceError
from readertui.core.model import Project, Workspace
from readertui.core.preconditions import project_names, require_clean, require_project


def workspace(*names: str) -> Workspace:
    root = Path("/ws")
    projects = tuple(Project(name, root / name, (), root / name / "notes") for name in names)
    return Workspace(root, projects)


class Repo:
    def __init__(self, dirty: bool) -> None:
        self.dirty = dirty

    def is_dirty(self) -> bool:
        return self.dirty


def test_require_project_finds_it_or_names_the_projects_there_are() -> None:
    ws = workspace("alpha", "beta")
    assert require_project(ws, "beta").name == "beta"
    with pytest.raises(WorkspaceError) as refused:
        require_project(ws, "gamma")
    assert str(refused.value) == "no project 'gamma' in /ws (projects: alpha, beta)"
    assert project_names(workspace()) == "none"


def test_require_clean_refuses_a_repo_with_changes() -> None:
    require_clean(Repo(dirty=False), Path("/ws/a/code"))
    with pytest.raises(WorkspaceError, match=r"/ws/a/code has uncommitted changes .*Nothing was changed"):
        require_clean(Repo(dirty=True), Path("/ws/a/code"))


def test_each_precondition_message_is_written_once() -> None:
    sources = [p.read_text(encoding="utf-8") for p in Path(readertui.__file__).parent.rglob("*.py")]
    for phrase in ("commit or stash them first", "no project {sanitize_line(name)!r} in {"):
        assert sum(text.count(phrase) for text in sources) == 1, phrase

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from readertui.core.errors import WorkspaceError
from readertui.core.model import RepoKind
from readertui.core.workspace import find_workspace, load_workspace, note_files, repo_at
from tests.gitfixtures import KB, commit_all, git, write


def _nested_repo(path: Path) -> str:
    path.mkdir(parents=True)
    git(path, "init", "-q")
    write(path / "main.c", "int main(void) { return 0; }\n")
    return commit_all(path, "nested")


@pytest.mark.parametrize(
    "where",
    [
        "awesome/engine-study/Engine/src/engine/core.py",
        "awesome/engine-study/Engine/src/engine",
        "awesome/engine-study/Engine",
        "awesome/engine-study/notes/code-reading-log.md",
        "awesome/engine-study/notes",
        "awesome/engine-study",
        "awesome",
        ".",  # the knowledge base's top: the single workspace below it
    ],
)
def test_find_workspace_from_anywhere_inside(kb_readonly: KB, where: str) -> None:
    workspace = find_workspace(kb_readonly.root / where)
    assert workspace.root == kb_readonly.workspace
    assert workspace.git_root == kb_readonly.root
    assert [p.name for p in workspace.projects] == ["engine-study"]


def test_submodule_project_in_a_bigger_repository(kb_readonly: KB) -> None:
    workspace = load_workspace(kb_readonly.workspace)
    project = workspace.project("engine-study")
    assert project is not None and project.notes_dir == kb_readonly.project / "notes"
    (engine,) = project.repos
    assert engine.kind == RepoKind.SUBMODULE
    assert engine.head == kb_readonly.a and engine.url == str(kb_readonly.upstream) and engine.path == kb_readonly.submodule
    assert workspace.problems == ()


def test_all_four_repo_kinds_and_skipped_folders(kb: KB) -> None:
    nested_head = _nested_repo(kb.project / "Tools")
    write(kb.project / "data" / "sample.txt", "plain\n")
    for skipped in (".cache", "__pycache__", "node_modules"):
        (kb.project / skipped).mkdir()
    write(kb.project / "loose-file.txt", "not a repo\n")
    # A second project whose submodule is registered but not checked out.
    up2 = kb.upstream.parent / "other"
    _nested_repo(up2)
    (kb.workspace / "other-study" / "notes").mkdir(parents=True)
    git(kb.root, "submodule", "add", "-q", str(up2), "awesome/other-study/Other")
    git(kb.root, "commit", "-q", "-m", "add other")
    git(kb.root, "submodule", "deinit", "-q", "-f", "--", "awesome/other-study/Other")

    workspace = load_workspace(kb.workspace)
    kinds = {repo.name: repo.kind for repo in workspace.project("engine-study").repos}
    assert kinds == {"Engine": RepoKind.SUBMODULE, "Tools": RepoKind.NESTED_GIT, "data": RepoKind.PLAIN}
    tools = workspace.project("engine-study").repo("Tools")
    assert tools.head == nested_head and tools.is_git
    assert workspace.project("engine-study").repo("data").head is None

    (other,) = workspace.project("other-study").repos
    assert other.kind == RepoKind.UNINITIALIZED_SUBMODULE and other.head is None and not other.is_git
    expected = f"git -C {shlex.quote(str(kb.root))} submodule update --init -- awesome/other-study/Other"
    assert other.fix_command == expected
    assert any(expected in problem for problem in workspace.problems)
    # The fix command really fixes it.
    subprocess.run(shlex.split(expected), check=True, capture_output=True)
    fixed = load_workspace(kb.workspace).project("other-study").repo("Other")
    assert fixed.kind == RepoKind.SUBMODULE and fixed.head is not None


def test_clone_without_submodules_reports_uninitialized(kb: KB, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(kb.root), str(clone))
    workspace = find_workspace(clone / "awesome" / "engine-study" / "notes")
    (engine,) = workspace.project("engine-study").repos
    assert engine.kind == RepoKind.UNINITIALIZED_SUBMODULE
    assert engine.fix_command == (
        f"git -C {shlex.quote(str(clone))} submodule update --init -- awesome/engine-study/Engine"
    )
    assert len(workspace.problems) == 1 and "engine-study/Engine" in workspace.problems[0]


def test_registered_submodule_whose_folder_was_removed(kb: KB) -> None:
    git(kb.root, "submodule", "deinit", "-q", "-f", "--", "awesome/engine-study/Engine")
    kb.submodule.rmdir()
    (engine,) = load_workspace(kb.workspace).project("engine-study").repos
    assert engine.kind == RepoKind.UNINITIALIZED_SUBMODULE and engine.path == kb.submodule


def test_project_without_notes_is_a_problem_and_plain_folders_are_not_projects(kb: KB) -> None:
    _nested_repo(kb.workspace / "bare-study" / "Code")
    write(kb.workspace / "docs" / "images" / "x.png", "png")
    workspace = load_workspace(kb.workspace)
    assert [p.name for p in workspace.projects] == ["bare-study", "engine-study"]
    assert any("bare-study" in p and "notes/" in p for p in workspace.problems)


def test_a_broken_gitmodules_is_a_problem_not_a_failure(kb: KB) -> None:
    (kb.root / ".gitmodules").write_text("[submodule \"x\"\n\tpath = = =\n")
    workspace = load_workspace(kb.workspace)
    (engine,) = workspace.project("engine-study").repos
    assert engine.kind == RepoKind.NESTED_GIT and engine.head == kb.a
    assert len(workspace.problems) == 1 and ".gitmodules" in workspace.problems[0]


def test_workspace_outside_any_git_repository(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _nested_repo(root / "alpha" / "Alpha")
    (root / "alpha" / "notes").mkdir()
    workspace = find_workspace(root / "alpha" / "notes")
    assert workspace.root == root and workspace.git_root is None
    assert find_workspace(root / "alpha" / "Alpha" / "main.c").root == root
    assert workspace.project("alpha").repo("Alpha").kind == RepoKind.NESTED_GIT


def test_outside_git_a_stray_notes_folder_far_above_does_not_capture(tmp_path: Path) -> None:
    (tmp_path / "someone-else" / "notes").mkdir(parents=True)  # tmp_path looks like a workspace
    lonely = tmp_path / "lonely" / "deeper"
    lonely.mkdir(parents=True)
    with pytest.raises(WorkspaceError, match="not inside a workspace"):
        find_workspace(lonely)
    assert find_workspace(tmp_path / "someone-else" / "notes").root == tmp_path  # from inside: yes
    assert find_workspace(tmp_path).root == tmp_path


def test_readertui_toml_names_the_workspace(kb: KB) -> None:
    (kb.root / "awesome" / "engine-study" / "notes").rename(kb.root / "notes-moved")
    (kb.root / "tools").mkdir()
    with pytest.raises(WorkspaceError):
        find_workspace(kb.root / "tools")
    write(kb.root / "readertui.toml", 'workspace = "awesome"\n')
    workspace = find_workspace(kb.root / "tools")
    assert workspace.root == kb.workspace
    assert [p.name for p in workspace.projects] == ["engine-study"]  # has a repo, no notes/


def test_readertui_toml_errors_name_the_file(kb: KB) -> None:
    config = write(kb.root / "readertui.toml", 'workspace = "missing"\n')
    with pytest.raises(WorkspaceError, match="readertui.toml") as info:
        find_workspace(kb.root)
    assert "\n" not in str(info.value)
    config.write_text("workspace = [\n")
    with pytest.raises(WorkspaceError, match=str(config)):
        find_workspace(kb.root)
    config.write_text("workspace = 3\n")
    with pytest.raises(WorkspaceError, match="workspace"):
        find_workspace(kb.root)


def test_notes_folders_inside_the_studied_code_are_not_workspaces(kb: KB) -> None:
    (kb.submodule / "docs" / "guide" / "notes").mkdir(parents=True)
    workspace = find_workspace(kb.submodule / "docs" / "guide")
    assert workspace.root == kb.workspace
    (kb.submodule / "readertui.toml").write_text('workspace = "docs"\n')
    assert find_workspace(kb.submodule / "src").root == kb.workspace


def test_path_outside_any_workspace(tmp_path: Path) -> None:
    # Inside a git repository, so the search stops at its top whatever else /tmp holds.
    (tmp_path / "elsewhere").mkdir()
    git(tmp_path / "elsewhere", "init", "-q")
    outside = tmp_path / "elsewhere" / "deep"
    outside.mkdir()
    with pytest.raises(WorkspaceError) as info:
        find_workspace(outside)
    message = str(info.value)
    assert str(outside) in message and "\n" not in message
    with pytest.raises(WorkspaceError, match="does not exist"):
        find_workspace(tmp_path / "nope")


def test_note_files_standard_order_then_the_rest(kb: KB) -> None:
    notes = kb.project / "notes"
    for name in ("zeta.md", "references.md", "overview.md", "a-topic.md", "core-insights.md",
                 "architecture.md", "deep/more.md", ".hidden.md", "image.png", ".git/x.md"):
        write(notes / name, "x\n")
    project = load_workspace(kb.workspace).project("engine-study")
    names = [p.relative_to(notes).as_posix() for p in note_files(project)]
    assert names == ["overview.md", "architecture.md", "core-insights.md", "code-reading-log.md",
                     "references.md", "a-topic.md", "deep/more.md", "zeta.md"]


def test_repo_at(kb_readonly: KB) -> None:
    project = load_workspace(kb_readonly.workspace).project("engine-study")
    repo, inner = repo_at(project, kb_readonly.submodule / "src" / "engine" / "core.py")
    assert repo.name == "Engine" and inner == "src/engine/core.py"
    assert repo_at(project, Path("Engine/src/util"))[1] == "src/util"
    assert repo_at(project, kb_readonly.submodule)[1] == ""
    assert repo_at(project, kb_readonly.project / "notes" / "overview.md") is None
    assert repo_at(project, kb_readonly.project / "Engine2" / "x") is None


@pytest.mark.slow
def test_finding_a_workspace_from_deep_inside_a_3000_file_submodule(tmp_path: Path) -> None:
    up = tmp_path / "big"
    up.mkdir()
    git(up, "init", "-q")
    for i in range(3000):
        write(up / f"pkg{i % 60}" / f"mod{i}.py", f"x = {i}\n")
    commit_all(up, "big")
    root = tmp_path / "kb"
    root.mkdir()
    git(root, "init", "-q")
    (root / "ws" / "big-study" / "notes").mkdir(parents=True)
    git(root, "submodule", "add", "-q", str(up), "ws/big-study/Big")
    find_workspace(root / "ws")  # warm the OS caches once
    # its speed is measured by benchmarks/bench_check.py (which loads a 3,000-file workspace)
    workspace = find_workspace(root / "ws" / "big-study" / "Big" / "pkg1" / "mod1.py")
    assert workspace.project("big-study").repo("Big").kind == RepoKind.SUBMODULE

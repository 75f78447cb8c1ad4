"""Find the workspace from any path inside it, and load its projects, repos and notes.

Loading is on the startup path, so it looks only at folder structure and HEAD shas: no file
listing and no dirty checks (those cost seconds on big trees). Git is asked twice per
workspace (top level, registered submodules); HEADs are read from the ref files.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from readertui.core import git
from readertui.core.errors import GitError, WorkspaceError
from readertui.core.model import Project, Repo, RepoKind, Workspace

CONFIG_FILE = "readertui.toml"
NOTES_DIR = "notes"
# Never code folders of a project.
SKIPPED_DIRS = frozenset({NOTES_DIR, "__pycache__", "node_modules"})
# The notes a project is created with, in the order people read them.
STANDARD_NOTES = ("overview.md", "architecture.md", "core-insights.md", "code-reading-log.md", "references.md")


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    """`path.exists()`, False when it cannot be told (a folder above it without permission)."""
    try:
        return path.exists()
    except OSError:
        return False


def is_file_quietly(path: Path) -> bool:
    """`path.is_file()`, False when it cannot be told (a folder above it without permission)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _child_dirs(folder: Path) -> list[Path]:
    """Visible sub-folders of `folder`, sorted by name; unreadable folders have none."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if not e.name.startswith(".") and _entry_is_dir(e)]
    except OSError:
        return []
    return [folder / name for name in sorted(names)]


def _entry_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _has_project_child(folder: Path) -> bool:
    return any(_is_dir(child / NOTES_DIR) for child in _child_dirs(folder))


def _inside_project_repo_floor(ancestors: list[Path]) -> int:
    """Index in `ancestors` (start first) of the first folder above any project's code repo.

    A studied repository may contain folders named `notes/` of its own; starting inside it,
    those must not be taken for the workspace. A submodule (its `.git` is a file) whose parent
    has `notes/` is a project's code repo: the search starts at that project folder."""
    floor = 0
    for index, folder in enumerate(ancestors):
        if folder.name != NOTES_DIR and is_file_quietly(folder / ".git") and _is_dir(folder.parent / NOTES_DIR):
            floor = index + 1
    return floor


def _configured_workspace(config: Path) -> Path:
    """The folder a `readertui.toml` names with `workspace = "…"` (relative to the file)."""
    import tomllib  # here: a workspace without this file never needs it

    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise WorkspaceError(f"{config}: cannot read it: {error}") from error
    value = data.get("workspace", ".")
    if not isinstance(value, str) or not value.strip():
        raise WorkspaceError(f'{config}: key "workspace" must be a folder path, like workspace = "projects"')
    root = (config.parent / value).resolve()
    if not root.is_dir():
        raise WorkspaceError(f'{config}: workspace = "{value}" is not a folder ({root})')
    return root


def find_workspace(start: Path) -> Workspace:
    """The workspace containing `start` (a file or folder anywhere inside it, even deep in a
    submodule); raises WorkspaceError naming `start` when there is none.

    The nearest of `start` and its ancestors that names a workspace in `readertui.toml` or has
    a child with `notes/`. Inside a git work tree the search stops at its top (a project's own
    code repo does not count as a top). Outside git, an ancestor only counts when `start` lies
    in one of its projects, so a stray `notes/` folder elsewhere on the disk cannot capture it.
    """
    start = Path(start).expanduser().resolve()
    try:
        if not start.exists():
            raise WorkspaceError(f"{start} does not exist")
    except OSError as error:  # in a folder without permission
        raise WorkspaceError(f"cannot reach {start}: {error.strerror or error}") from None
    folder = start if _is_dir(start) else start.parent
    ancestors = [folder, *folder.parents]
    git_tops = [
        index
        for index, path in enumerate(ancestors)
        if _exists(path / ".git") and not _is_dir(path.parent / NOTES_DIR)
    ]
    if git_tops:
        ancestors = ancestors[: git_tops[-1] + 1]
    floor = _inside_project_repo_floor(ancestors)
    for index, candidate in enumerate(ancestors[floor:], start=floor):
        config = candidate / CONFIG_FILE
        if is_file_quietly(config):
            return load_workspace(_configured_workspace(config))
        via_project = index > 0 and _is_dir(ancestors[index - 1] / NOTES_DIR)
        if (index == 0 or via_project or git_tops) and _has_project_child(candidate):
            return load_workspace(candidate)
        if index == 0:
            # Started one level above the workspace (say the knowledge base's top): accept a
            # single workspace right below.
            below = [child for child in _child_dirs(folder) if _has_project_child(child)]
            if len(below) == 1:
                return load_workspace(below[0])
    raise WorkspaceError(
        f"{start} is not inside a workspace (no folder above it holds a project with a notes/ "
        f"folder); open the workspace folder or create {CONFIG_FILE} with workspace = \"<folder>\""
    )


def load_workspace(root: Path) -> Workspace:
    """Projects, repos and problems of the workspace at `root`."""
    root = Path(root).expanduser().resolve()
    if not root.is_dir():
        raise WorkspaceError(f"{root} is not a folder")
    git_root = git.toplevel(root)
    registered: dict[Path, git.SubmoduleInfo] = {}
    problems: list[str] = []
    if git_root is not None:
        git_root = git_root.resolve()
        try:
            for info in git.submodules(git_root):
                registered[git_root / info.path] = info
        except GitError as error:  # a broken .gitmodules: still show the folders as they are
            problems.append(str(error))
    projects: list[Project] = []
    for folder in _child_dirs(root):
        if folder.name in SKIPPED_DIRS:
            continue
        repos = _project_repos(folder, registered, git_root)
        has_notes = _is_dir(folder / NOTES_DIR)
        if not has_notes and not any(repo.kind != RepoKind.PLAIN for repo in repos):
            continue  # an ordinary folder, not a research project
        if not has_notes:
            problems.append(f"{folder.name}: no notes/ folder; create {folder / NOTES_DIR} to keep notes")
        for repo in repos:
            if repo.kind == RepoKind.UNINITIALIZED_SUBMODULE:
                problems.append(f"{folder.name}/{repo.name}: submodule not checked out; run `{repo.fix_command}`")
        projects.append(Project(folder.name, folder, tuple(repos), folder / NOTES_DIR))
    return Workspace(root, tuple(projects), git_root, tuple(problems))


def _project_repos(
    project: Path, registered: dict[Path, git.SubmoduleInfo], git_root: Path | None
) -> list[Repo]:
    repos: list[Repo] = []
    seen: set[Path] = set()
    for folder in _child_dirs(project):
        if folder.name in SKIPPED_DIRS:
            continue
        seen.add(folder)
        info = registered.get(folder)
        if info is not None:
            repos.append(_submodule_repo(folder, info, git_root))
        elif _exists(folder / ".git"):
            repos.append(Repo(folder.name, folder, RepoKind.NESTED_GIT, head=git.read_head(folder)))
        else:
            repos.append(Repo(folder.name, folder, RepoKind.PLAIN))
    # A registered submodule whose folder is gone entirely is still a repo to initialize.
    for path, info in registered.items():
        if path.parent == project and path not in seen:
            repos.append(_submodule_repo(path, info, git_root))
    return sorted(repos, key=lambda repo: repo.name)


def _submodule_repo(folder: Path, info: git.SubmoduleInfo, git_root: Path | None) -> Repo:
    if info.initialized:
        return Repo(folder.name, folder, RepoKind.SUBMODULE, head=git.read_head(folder), url=info.url)
    import shlex  # here, not at the top: only uninitialized submodules need it

    fix = shlex.join(["git", "-C", str(git_root), "submodule", "update", "--init", "--", info.path])
    return Repo(folder.name, folder, RepoKind.UNINITIALIZED_SUBMODULE, url=info.url, fix_command=fix)


def note_files(project: Project) -> list[Path]:
    """Markdown notes under the project's notes/: the standard five first, then the rest by path.
    Notes whose real path lies outside the workspace (symlinks out) are left out, and so is the
    whole notes folder when it leads outside; folders that cannot be read are skipped
    (`list_notes` says which, and `notes_folder_problem` says why the folder itself cannot be
    used)."""
    return list_notes(project).notes


class NoteListing(msgspec.Struct, frozen=True):
    """`list_notes`' answer: the notes, and what was left out and why."""

    notes: list[Path]
    unreadable: list[tuple[Path, str]]  # (folder under notes/, reason) for each one not listed
    outside: list[tuple[Path, Path]]  # (note or the notes folder, its real path outside the workspace)


def notes_folder_problem(project: Project) -> str | None:
    """Why the project's notes folder cannot be used, in one sentence, or None when it can (or
    does not exist: that is said elsewhere). A folder whose real path lies outside the
    workspace (a symlink out) is refused like a note that leads outside; one that cannot be
    listed (no permission) says so with the reason."""
    issue = notes_folder_issue(project)
    if issue is None:
        return None
    kind, detail = issue
    if kind == "outside":
        return (
            f"notes folder {project.notes_dir} leads outside the workspace (to {detail}); "
            "its notes and bookmarks are not used"
        )
    return f"cannot read the notes folder {project.notes_dir}: {detail}"


def notes_folder_issue(project: Project) -> tuple[str, str] | None:
    """`notes_folder_problem` as data: ("outside", its real path) or ("unreadable", the reason)."""
    notes_dir = project.notes_dir
    if not _is_dir(notes_dir):
        return None
    real = _leads_outside(notes_dir, project.path.parent.resolve())
    if real is not None:
        return "outside", str(real)
    try:
        with os.scandir(notes_dir):
            return None
    except OSError as error:
        return "unreadable", error.strerror or str(error)


def list_notes(project: Project) -> NoteListing:
    """`note_files`, with each folder under notes/ that could not be read (and why), and each
    note left out because its real path lies outside the workspace (the notes folder itself,
    when it leads outside: then nothing is listed)."""
    notes_dir = project.notes_dir
    if not _is_dir(notes_dir):
        return NoteListing([], [], [])
    workspace = project.path.parent.resolve()
    real = _leads_outside(notes_dir, workspace)
    if real is not None:
        return NoteListing([], [], [(notes_dir, real)])
    found: list[Path] = []
    errors: list[tuple[Path, str]] = []
    outside: list[tuple[Path, Path]] = []

    def unreadable(error: OSError) -> None:
        errors.append((Path(error.filename or notes_dir), error.strerror or str(error)))

    for dirpath, dirnames, filenames in os.walk(notes_dir, onerror=unreadable):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.endswith(".md") or name.startswith("."):
                continue
            note = Path(dirpath, name)
            real = _leads_outside(note, workspace)
            if real is None:
                found.append(note)
            else:
                outside.append((note, real))

    def order(path: Path) -> tuple[int, str]:
        relative = path.relative_to(notes_dir).as_posix()
        rank = STANDARD_NOTES.index(relative) if relative in STANDARD_NOTES else len(STANDARD_NOTES)
        return rank, relative

    return NoteListing(sorted(found, key=order), errors, sorted(outside))


def _leads_outside(path: Path, workspace: Path) -> Path | None:
    """`path`'s real path when it lies outside the workspace (a note symlinked to /etc/passwd
    is not a note of it), else None."""
    real = path.resolve()
    return None if workspace in real.parents else real


def repo_at(project: Project, path: Path) -> tuple[Repo, str] | None:
    """The repo holding `path` (absolute, or relative to the project folder) and the posix path
    inside it ("" for the repo folder itself); None when `path` is in no repo of the project."""
    path = Path(path)
    if not path.is_absolute():
        path = project.path / path
    for candidate in (Path(os.path.normpath(path)), path.resolve()):
        for repo in project.repos:
            if candidate == repo.path or repo.path in candidate.parents:
                relative = candidate.relative_to(repo.path).as_posix()
                return repo, "" if relative == "." else relative
    return None

"""Per-user view state (last position, which panes are shown), kept in the XDG state dir.

It is never written into the notes: it is about this user's terminal, not the research.
One JSON file holds an entry per workspace root. A damaged file only costs the last position.

The file is read piece by piece (a wrong type drops that piece only), and what it names is
checked against the workspace as it is now (`fit_state`): projects, notes and files get
renamed and deleted between sessions, and a state naming one project's note beside another
project's file once crashed every start. What no longer fits is dropped, and said once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from readertui.config.paths import state_dir
from readertui.core.atomic import replace_file
from readertui.core.model import Location, Project, Workspace


class ViewState(msgspec.Struct, frozen=True):
    """Where the reader was in a workspace, restored on the next start."""
    project: str | None = None
    note: str | None = None  # note path relative to the project folder
    location: Location | None = None  # last place in the source pane
    show_tree: bool = True
    show_notes: bool = True


def state_file() -> Path:
    return state_dir() / "state.json"


def _read_all(path: Path) -> dict:
    try:
        data = msgspec.json.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def load_state(workspace_root: Path, path: Path | None = None) -> ViewState:
    """This workspace's entry; each piece of the wrong type is left at its default."""
    entry = _read_all(path or state_file()).get(str(workspace_root))
    if not isinstance(entry, dict):
        return ViewState()
    return ViewState(
        project=_piece(entry.get("project"), str),
        note=_piece(entry.get("note"), str),
        location=_piece(entry.get("location"), Location),
        show_tree=_piece(entry.get("show_tree"), bool, True),
        show_notes=_piece(entry.get("show_notes"), bool, True),
    )


def _piece(value: object, kind: type, default: object = None) -> Any:
    if value is None:
        return default
    try:
        return msgspec.convert(value, kind)  # checks types, the location's fields too
    except (msgspec.ValidationError, TypeError, ValueError):
        return default


def fit_state(state: ViewState, workspace: Workspace, project: Project) -> tuple[ViewState, list[str]]:
    """`state` for opening `project`, with what no longer fits the workspace dropped.

    Checked together: the saved project must be `project` (else only the panes carry over),
    the note a Markdown file under its notes folder, the location a file of one of its repos
    (the checkout's file on disk; a commit view must be of a git repo). Returns the state and
    a sentence per dropped piece.
    """
    panes = ViewState(show_tree=state.show_tree, show_notes=state.show_notes)
    dropped: list[str] = []
    if state.project is not None and workspace.project(state.project) is None:
        dropped.append(f"project '{state.project}' is no longer in the workspace")
    if state.project != project.name:
        return panes, dropped
    note = state.note
    if note is not None and not _is_note(project, note):
        dropped.append(f"note '{note}' is gone")
        note = None
    location = state.location
    if location is not None:
        why = _location_problem(project, location)
        if why is not None:
            dropped.append(why)
            location = None
    return msgspec.structs.replace(state, note=note, location=location), dropped


def _inside(base: Path, relative: str) -> Path | None:
    """`base / relative` when `relative` is a plain relative path that stays under `base`."""
    if not relative or "\0" in relative:
        return None
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        return None
    return base / candidate


def _is_note(project: Project, note: str) -> bool:
    path = _inside(project.path, note)
    try:
        return (
            path is not None
            and path.suffix.lower() == ".md"
            and project.notes_dir.resolve() in path.resolve().parents
            and path.is_file()
        )
    except (OSError, ValueError):
        return False


def _location_problem(project: Project, location: Location) -> str | None:
    where = f"{location.repo}/{location.path}"
    if location.project != project.name:
        return f"the last file, {where}, belongs to project '{location.project}'"
    repo = project.repo(location.repo) if location.repo is not None else None
    if repo is None:
        return f"repository '{location.repo}' is no longer in {project.name}"
    path = _inside(repo.path, location.path)
    if path is None:
        return f"{where} is not a path inside the repository"
    if location.commit is not None:
        if not repo.is_git:
            return f"{where} was shown at a commit, but {repo.name} is no longer a git repository"
        return None  # read from git; a commit that is gone is reported when it is read
    try:
        if not path.is_file():
            return f"{where} is gone"
    except (OSError, ValueError):
        return f"{where} cannot be read"
    return None


def restore_notice(dropped: list[str]) -> str | None:
    """The one notification for the pieces of the last session's place that were dropped."""
    if not dropped:
        return None
    return "Last place only partly restored: " + "; ".join(dropped) + "."


def save_state(workspace_root: Path, state: ViewState, path: Path | None = None) -> None:
    """Atomically rewrite the state file with this workspace's entry replaced."""
    path = path or state_file()
    everything = _read_all(path)
    everything[str(workspace_root)] = msgspec.to_builtins(state)  # the location too, as a dict
    path.parent.mkdir(parents=True, exist_ok=True)
    # msgspec, not json: the json module is ~2 ms of every start, and this is the start's only
    # JSON. json.dump(indent=1, sort_keys=True)'s layout, in UTF-8.
    data = msgspec.json.format(msgspec.json.encode(everything, order="sorted"), indent=1)
    replace_file(path, data, durable=False)

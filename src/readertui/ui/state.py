"""Per-user view state (last position, which panes are shown), kept in the XDG state dir.

It is never written into the notes: it is about this user's terminal, not the research.
One JSON file holds an entry per workspace root. A damaged file only costs the last position.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from readertui.config.paths import state_dir
from readertui.core.atomic import replace_file
from readertui.core.model import Location


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
    entry = _read_all(path or state_file()).get(str(workspace_root))
    if not isinstance(entry, dict):
        return ViewState()
    try:
        location = entry.get("location")
        return ViewState(
            project=entry.get("project"),
            note=entry.get("note"),
            location=Location(**location) if isinstance(location, dict) else None,
            show_tree=bool(entry.get("show_tree", True)),
            show_notes=bool(entry.get("show_notes", True)),
        )
    except (TypeError, ValueError):
        return ViewState()


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

"""Reloading the workspace (commits may have moved: after `update`, or F5), in a worker that
ends in `WorkspaceReloaded`; the screen then refreshes the session, tree, note and file."""

from __future__ import annotations

from pathlib import Path

from textual.dom import DOMNode
from textual.message import Message

from readertui.core.errors import ReadertuiError
from readertui.core.model import Workspace
from readertui.core.workspace import load_workspace
from readertui.ui import workers


class WorkspaceReloaded(Message):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace


def reload_workspace(node: DOMNode, root: Path) -> None:
    """Load the workspace at `root` anew, in a thread worker of `node`."""
    workers.run(node, _reload, node, root, group="reload", exclusive=True, thread=True)


def _reload(node: DOMNode, root: Path) -> None:
    try:
        workspace = load_workspace(root)
    except ReadertuiError as error:
        workers.post_failure(node, "Reload", error)
        return
    node.post_message(WorkspaceReloaded(workspace))

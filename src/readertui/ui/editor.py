"""Handing a file to the reader's editor, with the terminal, and taking the terminal back."""

from __future__ import annotations

import os
import subprocess
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from textual.app import App

from readertui.ui.widgets.notes_view import NotesView


def edit_file(app: App[Any], editor: str | None, path: Path, line: int) -> None:
    """Run the editor (the setting, else $VISUAL, $EDITOR, vi) on `path` at `line`; a command
    that cannot run is a notification."""
    import shlex

    command = editor or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    argv = [*shlex.split(command), f"+{line}", str(path)]
    # A headless app (tests) has no terminal to hand over; a real one suspends.
    suspended = nullcontext() if app.is_headless else app.suspend()
    try:
        with suspended:
            subprocess.run(argv, check=False)
    except OSError as error:
        app.notify(f"cannot run {argv[0]}: {error.strerror}", severity="error")


def edit_note(app: App[Any], editor: str | None, notes: NotesView) -> Path | None:
    """Edit the note shown at the cursor's line; the note edited (to show it again), or None
    (with a notification) when there is none."""
    path = notes.note_path
    if path is None or not path.exists():
        app.notify("no note to edit", severity="warning")
        return None
    edit_file(app, editor, path, notes.cursor_line)
    return path

"""App-wide messages: panes post these upwards; the main screen handles them with `@on`.

Panes never reach into their siblings. A pane says what the reader asked for; the screen
calls the core, saves what must be saved, and sets attributes on the other panes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from textual.message import Message

from readertui.core.model import Bookmark, CitationResult, LineRange, Location


class OpenLocation(Message):
    """Show a repo file in the source pane, optionally selecting `select`."""

    def __init__(
        self, location: Location, select: LineRange | None = None, record: bool = True
    ) -> None:
        super().__init__()
        self.location = location
        self.select = select
        self.record = record  # False for history moves themselves


class OpenNote(Message):
    """Show a note (absolute path) in the notes pane at `line`."""

    def __init__(self, path: Path, line: int = 1) -> None:
        super().__init__()
        self.path = path
        self.line = line


class CitationActivated(Message):
    """The reader pressed Enter on a citation in the notes pane."""

    def __init__(self, result: CitationResult) -> None:
        super().__init__()
        self.result = result


class SourceRequest(Message):
    """Base for requests about the source pane's cursor line or selection."""

    def __init__(self, selection: LineRange) -> None:
        super().__init__()
        self.selection = selection


class MarkToggled(SourceRequest):
    """Toggle a bookmark on the selection (the screen asks for a label and saves)."""


class CaptureRequested(SourceRequest):
    """Write a reading-log entry citing the selection."""


class CopyRequested(SourceRequest):
    """Copy the selection's citation, or its forge permalink, to the clipboard."""

    def __init__(self, selection: LineRange, permalink: bool) -> None:
        super().__init__(selection)
        self.permalink = permalink


class BacklinksRequested(SourceRequest):
    """List the notes citing the selection's first line."""


class CheckoutRequested(Message):
    """Leave the code-at-a-commit view for the checked-out file at the same place."""


class BookmarksSaved(Message):
    """The bookmarks file holds `bookmarks` now; `message` tells the reader what changed."""

    def __init__(self, bookmarks: tuple[Bookmark, ...], message: str) -> None:
        super().__init__()
        self.bookmarks, self.message = bookmarks, message


NavigationAction = Literal["definition", "references", "outline"]


class NavigationRequested(Message):
    """The source pane asks for a code-navigation action on its cursor:
    "definition", "references" or "outline" (ui/code_nav.py does them)."""

    def __init__(self, action: NavigationAction) -> None:
        super().__init__()
        self.action: NavigationAction = action

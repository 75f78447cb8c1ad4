"""The review screen as the main screen uses it: drifted citations (`D`) or an update of the
repo to a ref (`U`), with the accept/reject choices kept while the reader looks elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from readertui.core.model import LineRange, Location, Project
from readertui.ui.session import Session


class ReviewFlow:
    def __init__(
        self,
        screen: Screen[Any],
        session: Session,
        open_location: Callable[[Location, LineRange | None], None],
        reload: Callable[[], None],
    ) -> None:
        self.screen = screen
        self.session = session
        self.open_location = open_location
        self.reload = reload
        self.memory: dict[Any, Any] = {}  # the review's accept/reject, kept while away

    def open(self, project: Project, update: bool) -> None:
        from readertui.ui.screens.review import ReviewScreen

        review = ReviewScreen(self.session, project, self.memory, update=update)
        self.screen.app.push_screen(review, self.closed)

    def closed(self, outcome: Any) -> None:
        """Open the version the review asked for, or reload the notes it rewrote."""
        if outcome is None:
            return
        if outcome.open is not None:
            location, select = outcome.open
            self.open_location(location, select)
            self.screen.set_focus(self.screen.query_one("#source"))
        if outcome.applied is not None:
            self.reload()

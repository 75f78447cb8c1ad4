"""The panes' layout: which of tree, source and notes show, zoom, and moving the focus.

Focus moves at once (`Screen.set_focus`), not with `pane.focus()`, which waits its turn behind
keys already typed: "3]⏎" in one burst sent "]" and Enter to the pane being left.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widget import Widget


class PaneLayout:
    def __init__(self, screen: Screen[Any]) -> None:
        self.screen = screen
        self._unzoomed: list[bool] | None = None  # pane visibility to restore after a zoom

    def panes(self) -> list[Widget]:
        return [self.screen.query_one(f"#{name}") for name in ("tree", "source", "notes")]

    def focus(self, pane: Widget) -> None:
        """Show `pane` (in place of the zoomed one, if zoomed) and focus it."""
        if self._unzoomed is not None:
            self.unzoom()
            self.zoom(pane)
        pane.display = True
        self.screen.set_focus(pane)

    def toggle(self, pane: Widget) -> None:
        """Show or hide `pane`; a hidden pane's focus goes to the source pane."""
        self.unzoom()
        pane.display = not pane.display
        if not pane.display and self.screen.focused is pane:
            self.screen.set_focus(self.screen.query_one("#source"))

    def toggle_zoom(self) -> None:
        """Zoom the focused pane, or restore the panes when zoomed."""
        if self._unzoomed is not None:
            self.unzoom()
            return
        focused = self.screen.focused
        if focused is not None and focused in self.panes():
            self.zoom(focused)

    def zoom(self, target: Widget) -> None:
        panes = self.panes()
        self._unzoomed = [pane.display for pane in panes]
        for pane in panes:
            pane.display = pane is target
            pane.set_class(pane is target, "zoom-target")

    def unzoom(self) -> None:
        if self._unzoomed is None:
            return
        for pane, shown in zip(self.panes(), self._unzoomed):
            pane.display = shown
            pane.remove_class("zoom-target")
        self._unzoomed = None

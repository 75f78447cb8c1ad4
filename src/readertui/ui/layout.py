"""The panes' layout: which of tree, source and notes show, zoom, and moving the focus.

Below `TREE_HIDES_BELOW` columns the screen is "narrow" (class `-narrow`): the tree hides
itself and, shown again (`t`, `1`), is an overlay over the source (class `-overlay` on the
tree, a layer of its own in the CSS) instead of taking columns from source and notes. The
overlay takes the focus and closes when a file or note is opened from it, on Esc, or when the
focus goes to another pane.

Focus moves at once (`Screen.set_focus`), not with `pane.focus()`, which waits its turn behind
keys already typed: "3]⏎" in one burst sent "]" and Enter to the pane being left.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widget import Widget

# Terminal widths below which panes hide themselves: the tree first (80×24 keeps source and
# notes readable; at 110 a tree of 22 leaves the source 40 and the notes their 48, see the
# CSS), then the notes too (only the source is left).
TREE_HIDES_BELOW = 110
NOTES_HIDE_BELOW = 60


class PaneLayout:
    def __init__(self, screen: Screen[Any]) -> None:
        self.screen = screen
        self._unzoomed: list[bool] | None = None  # pane visibility to restore after a zoom
        self._band: int | None = None  # 0 wide, 1 narrow (no tree), 2 tight (source only)
        self._auto_hidden: list[Widget] = []  # hidden by a narrow terminal, shown again when wide

    def fit_width(self, width: int) -> None:
        """Hide the tree (and below NOTES_HIDE_BELOW the notes) when the terminal gets narrow;
        show them again when it widens. Only crossing a threshold changes anything, so `t` / `T`
        still show a pane by hand in a narrow terminal."""
        band = 0 if width >= TREE_HIDES_BELOW else 1 if width >= NOTES_HIDE_BELOW else 2
        if band == self._band:
            return
        self._band = band
        tree, source, notes = self.panes()
        self.screen.set_class(band >= 1, "-narrow")
        tree.set_class(band >= 1, "-overlay")
        for pane in list(self._auto_hidden):
            if (pane is tree and band == 0) or (pane is notes and band < 2):
                pane.display = True
                self._auto_hidden.remove(pane)
        for pane, hide in ((tree, band >= 1), (notes, band >= 2)):
            if hide and pane.display and self._unzoomed is None:
                pane.display = False
                self._auto_hidden.append(pane)
                if self.screen.focused is pane:
                    self.screen.set_focus(source)

    def shown_by_user(self) -> list[bool]:
        """Which panes show, counting those a narrow terminal hid as shown (for the state)."""
        return [pane.display or pane in self._auto_hidden for pane in self.panes()]

    def panes(self) -> list[Widget]:
        return [self.screen.query_one(f"#{name}") for name in ("tree", "source", "notes")]

    @property
    def overlay(self) -> Widget | None:
        """The tree when it shows over the source (a narrow terminal), else None."""
        tree = self.screen.query_one("#tree")
        return tree if tree.display and tree.has_class("-overlay") else None

    def focus(self, pane: Widget) -> None:
        """Show `pane` (in place of the zoomed one, if zoomed) and focus it."""
        if self._unzoomed is not None:
            self.unzoom()
            self.zoom(pane)
        if pane is not self.overlay:
            self.close_overlay()
        pane.display = True
        self.screen.set_focus(pane)

    def toggle(self, pane: Widget) -> None:
        """Show or hide `pane`; a hidden pane's focus goes to the source pane. The tree of a
        narrow terminal shows over the source, with the focus."""
        self.unzoom()
        pane.display = not pane.display
        if pane.display and pane.has_class("-overlay"):
            self.screen.set_focus(pane)
        elif not pane.display and self.screen.focused is pane:
            self.screen.set_focus(self.screen.query_one("#source"))

    def close_overlay(self) -> None:
        """Hide the tree shown over the source; its focus goes back to the source."""
        tree = self.overlay
        if tree is None:
            return
        tree.display = False
        if self.screen.focused is tree or self.screen.focused is None:
            self.screen.set_focus(self.screen.query_one("#source"))

    def toggle_zoom(self) -> None:
        """Zoom the focused pane, or restore the panes when zoomed."""
        if self._unzoomed is not None:
            self.unzoom()
            return
        focused = self.screen.focused
        if focused is not None and focused in self.panes() and focused is not self.overlay:
            self.zoom(focused)  # (the tree over the source is not zoomed: it closes, not widens)

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

"""Every use of Textual's private API, in one place.

Textual is bounded to the major version the tests run (pyproject: `<9`). Each helper says which
public API it stands in for and why that one was not enough. tests/ui/test_textual_compat.py
checks that each private name still exists with the shape used here, so a Textual upgrade that
changes one fails there, first, rather than somewhere in the reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual.app import App
from textual.filter import LineFilter
from textual.strip import Strip
from textual.widgets import Tree

NodeData = TypeVar("NodeData")


def refresh_truecolor_filter(app: App[Any], theme: TerminalTheme) -> None:
    """Point the ANSI-to-truecolor output filter at `theme`.

    Public API: assigning `App.theme`, whose watcher does this too, but also reparses every
    CSS source and restyles every node (~15 ms of the start-up, before any CSS is parsed)."""
    app._refresh_truecolor_filter(theme)


def replace_output_filters(app: App[Any], drop: tuple[type[LineFilter], ...], add: LineFilter) -> None:
    """Drop the output filters of the `drop` types and append `add`.

    Public API: none after start; `App.__init__` picks the filters from the environment alone
    (NO_COLOR set there gives `Monochrome`, which greys colours rather than dropping them)."""
    filters: list[LineFilter] = app._filters
    filters[:] = [f for f in filters if not isinstance(f, drop)]
    filters.append(add)


def render_tree_line(tree: Tree[Any], y: int, x1: int, x2: int, style: Style) -> Strip:
    """Row `y` of the tree's lines, cells `x1`..`x2`, on `style`.

    Public API: `Tree.render_line`, which asks for the widget's `rich_style` (a walk up the
    DOM, ~55 µs) on every row, a third of a full repaint of the tree."""
    return tree._render_line(y, x1, x2, style)


class BatchedTree(Tree[NodeData]):
    """A Tree that can add many nodes with one rebuild of its lines.

    Public API: `TreeNode.add` / `add_leaf`, each of which invalidates the tree (a rebuild of
    every line: adding a 5,000-entry folder rebuilt 5,000 times)."""

    _rebuild_deferred = False

    @contextmanager
    def one_rebuild_later(self) -> Iterator[None]:
        """Skip the rebuild on each add inside; call `rebuild_lines` once after."""
        self._rebuild_deferred = True
        try:
            yield
        finally:
            self._rebuild_deferred = False

    def rebuild_lines(self) -> None:
        """Rebuild the tree's lines now (after adds made inside `one_rebuild_later`)."""
        self._invalidate()

    def _invalidate(self) -> None:
        if not self._rebuild_deferred:
            super()._invalidate()

"""The notes pane: a `CodeView` over a Markdown note with its citations highlighted.

The screen hands it the note text and the resolver's results (`show_note`); the pane paints
each citation as an overlay (ok or broken). One citation is *current*: the one Enter opens —
under the cursor column, else the line's next one after it, else its last — and it is painted
in the `citation_current` style, so the reader always sees what Enter will follow. `]` / `[`
step citation by citation (several on one line included), putting the cursor on the citation.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from textual import events

from readertui.core.model import CitationResult, LineRange
from readertui.ui.bindings import bindings_for
from readertui.ui.messages import CitationActivated
from readertui.ui.widgets.code_view import CodeView, Overlay
from readertui.ui.widgets.source_pane import VIEW_PROMPTS, PromptActions

OK_STYLE = "citation"
BROKEN_STYLE = "citation_broken"
CURRENT_STYLE = "citation_current"


def _first_line_length(result: CitationResult) -> int:
    return len(result.citation.text.split("\n", 1)[0])


class PaintedResults(NamedTuple):
    """A note's resolved citations as the pane paints them, worked out off the UI thread
    (`painted`): a long log's 400,000 citations take seconds to sort and lay out."""

    results: tuple[CitationResult, ...]  # by place: line, then column
    positions: list[tuple[int, int]]  # (line, 0-based column) of each result
    overlays: dict[int, list[Overlay]]  # by line: each citation's first line, ok or broken


def painted(results: Sequence[CitationResult]) -> PaintedResults:
    ordered = tuple(sorted(results, key=lambda r: (r.citation.line, r.citation.column)))
    overlays: dict[int, list[Overlay]] = {}
    for result in ordered:
        citation = result.citation
        start = citation.column - 1
        style = BROKEN_STYLE if result.status.broken else OK_STYLE
        overlays.setdefault(citation.line, []).append((start, start + _first_line_length(result), style))
    return PaintedResults(ordered, [(r.citation.line, r.citation.column - 1) for r in ordered], overlays)


class NotesView(PromptActions, CodeView):
    BINDINGS = [*VIEW_PROMPTS, *bindings_for("notes")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True)  # prose: long lines continue below, in a narrow pane
        self.note_path: Path | None = None
        self.results: tuple[CitationResult, ...] = ()
        self._positions: list[tuple[int, int]] = []  # (line, 0-based column) of each result, sorted
        self._base_overlays: dict[int, list[Overlay]] = {}
        self.current: CitationResult | None = None  # what Enter opens; painted CURRENT_STYLE

    def show_note(
        self,
        path: Path,
        text: str,
        results: Sequence[CitationResult] | PaintedResults,
        line: int | None = None,
        column: int = 0,
    ) -> None:
        """Show a note; at `line` (and the citation at `column`, 0-based), else where it was."""
        same_note = path == self.note_path
        keep = self.cursor_line if same_note and line is None else line
        keep_column = self.cursor_column if same_note and line is None else column
        self.note_path = path
        self.load(text, path=str(path), language="markdown", name=path.name)
        self.set_results(results)
        if keep:
            self.goto(min(keep, self.line_count), center=not same_note, column=keep_column)

    def set_results(self, results: Sequence[CitationResult] | PaintedResults) -> None:
        """The shown note's resolved citations: painted, and what Enter and ]/[ follow."""
        paint = results if isinstance(results, PaintedResults) else painted(results)
        self.results, self._positions, self._base_overlays = paint
        self.current = None
        self.set_overlays(paint.overlays)
        self._mark_current()

    def citation_at(self, line: int, column: int | None = None) -> CitationResult | None:
        """The citation Enter opens on `line` with the cursor at `column` (0-based): the one
        under the column, else the first after it, else the line's last one."""
        low = bisect.bisect_left(self._positions, (line, -1))
        high = bisect.bisect_left(self._positions, (line + 1, -1))
        on_line = self.results[low:high]
        if not on_line:
            return None
        if column is None:
            return on_line[0]
        for result in on_line:
            start = result.citation.column - 1
            if column < start + _first_line_length(result):
                return result  # under the cursor, or the first one after it
        return on_line[-1]

    # --- the current citation ------------------------------------------------------------------

    def watch_cursor_line(self, old: int, new: int) -> None:
        super().watch_cursor_line(old, new)
        self._mark_current()

    def goto(self, line: int, *, select: LineRange | None = None, center: bool = True, column: int = 0) -> None:
        super().goto(line, select=select, center=center, column=column)
        self._mark_current()  # a goto on the same line moves only the column

    def on_click(self, event: events.Click) -> None:
        # Textual calls each class's handler, this one first: the cursor moves here, and again
        # (to the same cell) in CodeView's.
        super().on_click(event)
        self._mark_current()  # a click on the same line moves only the column

    def _mark_current(self) -> None:
        current = self.citation_at(self.cursor_line, self.cursor_column)
        if current is self.current:
            return
        for result in (self.current, current):
            if result is None:
                continue
            line = result.citation.line
            spans = list(self._base_overlays.get(line, ()))
            if current is not None and current.citation.line == line:
                start = current.citation.column - 1
                spans.append((start, start + _first_line_length(current), CURRENT_STYLE))
            self.set_line_overlays(line, spans)
        self.current = current

    # --- actions -------------------------------------------------------------------------------

    def action_follow_citation(self) -> None:
        result = self.citation_at(self.cursor_line, self.cursor_column)
        if result is None:
            self.notify("no citation on this line", severity="warning")
            return
        self.post_message(CitationActivated(result))

    def action_next_citation(self) -> None:
        index = bisect.bisect_right(self._positions, (self.cursor_line, self.cursor_column))
        if index < len(self._positions):
            self._land_on(index)
        else:
            self.notify("no citation after this one in the note" if self._positions else "no citation in this note",
                        timeout=3)

    def action_prev_citation(self) -> None:
        index = bisect.bisect_left(self._positions, (self.cursor_line, self.cursor_column)) - 1
        if index >= 0:
            self._land_on(index)
        else:
            self.notify("no citation before this one in the note" if self._positions else "no citation in this note",
                        timeout=3)

    def _land_on(self, index: int) -> None:
        line, column = self._positions[index]
        self.goto(line, center=False, column=column)

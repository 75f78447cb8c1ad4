"""The notes pane: a `CodeView` over a Markdown note with its citations highlighted.

The screen hands it the note text and the resolver's results (`show_note`); the pane paints
each citation as an overlay (ok or broken), moves between citations, and on Enter posts
`CitationActivated` with the result under the cursor (the citation under the column a click
or a search put the cursor on, else the line's first).
"""

from __future__ import annotations

import bisect
from pathlib import Path

from readertui.core.model import CitationResult
from readertui.ui.bindings import bindings_for
from readertui.ui.messages import CitationActivated
from readertui.ui.widgets.code_view import CodeView
from readertui.ui.widgets.source_pane import VIEW_PROMPTS, PromptActions

OK_STYLE = "citation"
BROKEN_STYLE = "citation_broken"


class NotesView(PromptActions, CodeView):
    BINDINGS = [*VIEW_PROMPTS, *bindings_for("notes")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True)  # prose: long lines continue below, in a narrow pane
        self.note_path: Path | None = None
        self.results: tuple[CitationResult, ...] = ()
        self._citation_lines: list[int] = []  # sorted note lines that hold a citation

    def show_note(
        self, path: Path, text: str, results: list[CitationResult], line: int | None = None
    ) -> None:
        same_note = path == self.note_path
        keep = self.cursor_line if same_note and line is None else line
        self.note_path = path
        self.load(text, path=str(path), language="markdown", name=path.name)
        self.set_results(results)
        if keep:
            self.goto(min(keep, self.line_count), center=not same_note)

    def set_results(self, results: list[CitationResult]) -> None:
        """The shown note's resolved citations: painted, and what Enter and ]/[ follow."""
        self.results = tuple(sorted(results, key=lambda r: (r.citation.line, r.citation.column)))
        self._citation_lines = sorted({r.citation.line for r in self.results})
        overlays: dict[int, list[tuple[int, int, str]]] = {}
        for result in self.results:
            citation = result.citation
            first_line = citation.text.split("\n", 1)[0]
            start = citation.column - 1
            style = BROKEN_STYLE if result.status.broken else OK_STYLE
            overlays.setdefault(citation.line, []).append((start, start + len(first_line), style))
        self.set_overlays(overlays)

    def citation_at(self, line: int, column: int | None = None) -> CitationResult | None:
        """The citation on `line` under `column` (0-based), else the line's first one."""
        on_line = [r for r in self.results if r.citation.line == line]
        if column is not None:
            for result in on_line:
                start = result.citation.column - 1
                if start <= column < start + len(result.citation.text.split("\n", 1)[0]):
                    return result
        return on_line[0] if on_line else None

    def action_follow_citation(self) -> None:
        # Enter here is `follow_citation`, not CodeView's `activate`: one Enter binding per pane.
        result = self.citation_at(self.cursor_line, self.cursor_column)
        if result is None:
            self.notify("no citation on this line", severity="warning")
            return
        self.post_message(CitationActivated(result))

    def action_next_citation(self) -> None:
        index = bisect.bisect_right(self._citation_lines, self.cursor_line)
        if index < len(self._citation_lines):
            self.goto(self._citation_lines[index], center=False)

    def action_prev_citation(self) -> None:
        index = bisect.bisect_left(self._citation_lines, self.cursor_line) - 1
        if index >= 0:
            self.goto(self._citation_lines[index], center=False)

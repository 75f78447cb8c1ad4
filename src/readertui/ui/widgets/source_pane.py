"""The source pane: a `CodeView` with the reader's commands on the cursor line or selection.

Navigation inside the file (go to line, search) happens here. Everything that touches the
notes, bookmarks or clipboard is posted upwards as a message for the screen to carry out.
"""

from __future__ import annotations

from textual import work

from readertui.ui.bindings import bindings_for
from readertui.ui.messages import (
    BacklinksRequested,
    CaptureRequested,
    CheckoutRequested,
    CopyRequested,
    MarkToggled,
)
from readertui.ui.screens.prompt import PromptScreen
from readertui.ui.widgets.code_view import CodeView


class SourcePane(CodeView):
    BINDINGS = bindings_for("source")

    @work(exclusive=True, group="source-prompt", exit_on_error=False)
    async def action_goto_line(self) -> None:
        answer = await self.app.push_screen_wait(
            PromptScreen(f"Go to line (1–{self.line_count})", numeric=True)
        )
        if answer and answer.strip().isdigit():
            self.goto(max(1, min(int(answer), self.line_count)))

    @work(exclusive=True, group="source-prompt", exit_on_error=False)
    async def action_search(self) -> None:
        answer = await self.app.push_screen_wait(PromptScreen("Search in file"))
        if answer:
            self.search_for(answer)

    def search_for(self, pattern: str) -> None:
        line = self.find(pattern, forward=True)
        if line is None:
            self.notify(f"not found: {pattern}", severity="warning")

    def action_toggle_bookmark(self) -> None:
        self.post_message(MarkToggled(self.selection()))

    def action_capture_log(self) -> None:
        self.post_message(CaptureRequested(self.selection()))

    def action_copy_citation(self) -> None:
        self.post_message(CopyRequested(self.selection(), permalink=False))

    def action_copy_permalink(self) -> None:
        self.post_message(CopyRequested(self.selection(), permalink=True))

    def action_backlinks(self) -> None:
        self.post_message(BacklinksRequested(self.selection()))

    def action_open_checkout(self) -> None:
        self.post_message(CheckoutRequested())

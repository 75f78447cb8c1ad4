"""The source pane: a `CodeView` with the reader's commands on the cursor line or selection.

Navigation inside the file (go to line, search) happens here (`PromptActions`). Everything that
touches the notes, bookmarks or clipboard is posted upwards as a message for the screen to carry
out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from readertui.ui.bindings import bindings_for, spec_for
from readertui.ui.messages import (
    BacklinksRequested,
    CaptureRequested,
    CheckoutRequested,
    CopyRequested,
    MarkToggled,
    NavigationRequested,
)
from readertui.ui.widgets.code_view import CodeView

# The view-scope prompts CodeView leaves to its users.
VIEW_PROMPTS = [spec_for("goto_line").binding(), spec_for("search").binding()]

# The mixin is used on code views only: type-checked as one, a plain class at run time.
if TYPE_CHECKING:
    _PromptHost = CodeView
else:
    _PromptHost = object


class PromptActions(_PromptHost):
    """`goto_line` and `search` for a code view (mixed into the source and notes panes). The
    prompt screen is imported on first use: the first screen does not need it."""

    @work(exclusive=True, group="view-prompt", exit_on_error=False)
    async def action_goto_line(self) -> None:
        from readertui.ui.screens.prompt import PromptScreen

        answer = await self.app.push_screen_wait(
            PromptScreen(f"Go to line (1–{self.line_count})", numeric=True)
        )
        if answer and answer.strip().isdigit():
            origin = self.cursor_line
            self.goto(max(1, min(int(answer), self.line_count)))
            self.jumped_from(origin)

    @work(exclusive=True, group="view-prompt", exit_on_error=False)
    async def action_search(self) -> None:
        from readertui.ui.screens.prompt import PromptScreen

        answer = await self.app.push_screen_wait(PromptScreen("Search in this file"))
        if not answer:
            return
        origin = self.cursor_line
        if self.find(answer) is None:
            self.notify(f"not found: {answer}", severity="warning", timeout=3)
        else:
            self.jumped_from(origin)


class SourcePane(PromptActions, CodeView):
    BINDINGS = [*VIEW_PROMPTS, *bindings_for("source")]

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

    def action_goto_definition(self) -> None:
        self.post_message(NavigationRequested("definition"))

    def action_find_references(self) -> None:
        self.post_message(NavigationRequested("references"))

    def action_outline(self) -> None:
        self.post_message(NavigationRequested("outline"))


def welcome_text(project: str, key_for: Callable[[str], str]) -> str:
    """What the source pane shows before a file is opened: the keys to start with, one a line
    and short, so that they fit the source pane of an 80-column terminal (35 columns)."""
    rows = [
        (key_for("find_file"), "find a file"),
        (f"{key_for('focus_tree')} {key_for('focus_source')} {key_for('focus_notes')}", "tree / source / notes"),
        (key_for("follow_citation"), "follow a citation (notes)"),
        (key_for("show_help"), "every key"),
    ]
    width = max(len(keys) for keys, _ in rows)
    return f"readertui: {project}\n\n" + "".join(f"  {keys:<{width}}  {what}\n" for keys, what in rows)

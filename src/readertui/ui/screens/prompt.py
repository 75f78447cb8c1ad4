"""One-line prompts: a log entry, a bookmark label, a line number, a search.

`PromptScreen` dismisses with the typed text on Enter and with None on Escape; the caller
decides what an empty answer means. It knows nothing about the core.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Input, Label

from readertui.core.safe_text import sanitize_line
from readertui.ui.bindings import bindings_for


class PromptScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical {
        width: 90%; max-width: 110; height: auto; padding: 0 1;
        border: round $accent; background: $surface;
    }
    PromptScreen Label { width: 100%; color: $text-muted; }
    PromptScreen Input, PromptScreen Input:focus { border: none; height: 1; padding: 0; }
    """
    BINDINGS = bindings_for("prompt")

    def __init__(
        self, title: str, value: str = "", *, placeholder: str = "", numeric: bool = False
    ) -> None:
        super().__init__()
        # Prefilled from names (a citation, a label): shown with control characters as
        # placeholders, and so the answer carries the placeholders, never a raw ESC.
        self.title_text = sanitize_line(title)
        self.value = sanitize_line(value)
        self.placeholder = placeholder
        self.numeric = numeric

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False)
            yield Input(
                self.value,
                placeholder=self.placeholder,
                type="integer" if self.numeric else "text",
                validators=[Integer(minimum=1)] if self.numeric else [],
                select_on_focus=False,
            )

    def on_mount(self) -> None:
        prompt = self.query_one(Input)
        prompt.focus()
        prompt.cursor_position = len(prompt.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""The footer: the keys the focused pane answers to, on one line of inert text.

Textual's `Footer` builds a widget per key and rebuilds them all whenever the focus or the
bindings change: ~80 ms of CPU on the reader's first screen (measured: first frame 225 ms
with it, 136 ms without, headless). This is one widget that recomputes one line of text.
Clicking a key presses it, as in Textual's footer.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

GAP = 2  # cells between two hints


class KeyHints(Widget):
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyHints > .key-hints--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyHints > .key-hints--disabled {
        color: $text-disabled;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-hints--key", "key-hints--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # (first cell, end cell, key) per hint

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen:
            self.refresh()

    def hints(self) -> list[tuple[str, str, str, bool]]:
        """(key, key as shown, description, enabled) per action shown, first binding wins."""
        seen: set[str] = set()
        found = []
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            found.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        return found

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-hints--key")
        disabled_style = self.get_component_rich_style("key-hints--disabled")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for key, shown, description, enabled in self.hints():
            start = line.cell_len + (GAP if line else 1)
            line.append(" " * (start - line.cell_len))
            # Text, never markup: a user keymap's key names reach the screen as typed.
            line.append(shown, style=key_style if enabled else disabled_style)
            if description:
                line.append(f" {description}", style=None if enabled else disabled_style)
            self._spans.append((start, line.cell_len, key))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return

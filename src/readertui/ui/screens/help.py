"""The help screen: every command and its keys, generated from the registry and the keymap.

Nothing here is written by hand per key, so help cannot drift from what the keys do: the
rows come from `ui.bindings.REGISTRY` and the keys from the keymap the app applied with
`App.set_keymap` (the defaults when none is given).
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from readertui.config.keymap import SCOPES, split_keys
from readertui.ui.bindings import REGISTRY, bindings_for

SCOPE_TITLES = {
    "app": "Everywhere",
    "view": "Source and notes panes",
    "source": "Source pane",
    "notes": "Notes pane",
    "picker": "Pickers",
    "bookmarks": "Bookmark list",
    "prompt": "Prompts",
    "help": "This screen",
    "review": "Review of drifted citations",
}
TREE_NOTE = "Tree pane: arrows move, enter opens, space expands or collapses a folder."


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%; max-width: 90; height: 90%; padding: 0 1;
        border: round $accent; background: $surface;
    }
    HelpScreen #help-title { text-style: bold; width: 100%; }
    HelpScreen #help-tree { color: $text-muted; }
    """
    BINDINGS = bindings_for("help")

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """(scope, description, keys as shown) for every registered binding, in order."""
        rows = []
        for spec in REGISTRY:
            keys = split_keys(self.keymap.get(spec.id) or spec.default_keys)
            shown = ", ".join(self.app.get_key_display(Binding(key, spec.action)) for key in keys)
            rows.append((spec.scope, spec.description, shown))
        return rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("readertui keys", id="help-title")
            with VerticalScroll():
                yield Static(self._table(), id="help-table")
                yield Static(TREE_NOTE, id="help-tree", markup=False)

    def _table(self) -> Table:
        # Text cells, never markup: key names such as `[` must show as typed.
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold")
        table.add_column()
        rows = self.rows
        for scope in SCOPES:
            table.add_row(Text(""), Text(SCOPE_TITLES[scope], style="bold underline"))
            for row_scope, description, keys in rows:
                if row_scope == scope:
                    table.add_row(Text(keys), Text(description))
        return table

    def action_close_help(self) -> None:
        self.dismiss(None)

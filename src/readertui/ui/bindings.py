"""The registry of every key binding: one id per command, its scope and default keys.

Widgets never write key strings; they take their `BINDINGS` from `bindings_for(scope)`, so
every Binding carries an id and a keymap (`keymaps/*.toml`, applied with `App.set_keymap`)
can rebind it. The help screen and the keymap docs are generated from this table.

Scopes (see `config.keymap.SCOPES`):
  app     the main screen: focus, panes, pickers, history, help, quit
  view    cursor, selection, paging, goto and search, shared by the source and notes panes
          (both are code views, so the same ids and keys work in either)
  source  the source pane: bookmarks, capture, copy, backlinks
  notes   the notes pane: citations
  picker  every picker screen; `bookmarks` adds the bookmark list's own keys
  prompt  one-line prompts
  help    the help screen
  review  the review screen of drifted citations (its code views take the view scope)
The tree pane keeps Textual's own Tree keys (arrows, enter, space); they are not remapped.
A binding's action is its id (the widget of its scope implements `action_<id>`), except in
the picker, bookmarks and prompt scopes, whose actions take arguments, and for the app's own
actions (help, palette, quit), which name the app.
"""

from __future__ import annotations

import msgspec
from textual.binding import Binding, BindingType

from readertui.config.keymap import SCOPES, KeySlot


class BindingSpec(msgspec.Struct, frozen=True):
    """A key binding the reader defines: id, action, scope, default keys, help text."""
    id: str
    action: str
    scope: str
    default_keys: str  # Textual key names, comma-separated
    description: str
    show: bool = True  # shown in the footer

    def binding(self, keys: str | None = None) -> Binding:
        return Binding(keys or self.default_keys, self.action, self.description, show=self.show, id=self.id)


def _spec(
    scope: str, binding_id: str, keys: str, description: str, show: bool = False, action: str = ""
) -> BindingSpec:
    return BindingSpec(binding_id, action or binding_id, scope, keys, description, show)


REGISTRY: tuple[BindingSpec, ...] = (
    # app
    _spec("app", "focus_tree", "1", "Focus the tree"),
    _spec("app", "focus_source", "2", "Focus the source"),
    _spec("app", "focus_notes", "3", "Focus the notes"),
    _spec("app", "toggle_tree", "t", "Show/hide the tree"),
    _spec("app", "toggle_notes", "T", "Show/hide the notes"),
    _spec("app", "zoom_pane", "z", "Zoom the focused pane"),
    _spec("app", "find_file", "ctrl+p", "Find a file", show=True),
    _spec("app", "bookmark_list", "apostrophe", "Bookmarks", show=True),
    _spec("app", "switch_note", "n", "Switch note", show=True),
    _spec("app", "history_back", "ctrl+o,alt+left", "Back"),
    _spec("app", "history_forward", "alt+right", "Forward"),
    _spec("app", "open_in_editor", "e", "Edit the note in $EDITOR"),
    # The app's own actions: the main screen needs no forwarders for them.
    _spec("app", "show_help", "question_mark,f1", "Help", show=True, action="app.show_help"),
    _spec("app", "command_palette", "ctrl+k", "Command palette", action="app.command_palette"),
    _spec("app", "quit", "q,ctrl+q", "Quit", show=True, action="app.quit"),
    _spec("app", "reload", "f5,ctrl+r", "Reload from disk"),
    _spec("app", "review_drift", "D", "Review drifted citations"),
    _spec("app", "update_repo", "U", "Update the repository to a ref (review first)"),
    _spec("app", "workspace_symbols", "S", "Find a symbol in the project"),
    _spec("app", "search_repo", "F", "Search the repository (at the commit shown)"),
    # view: source and notes panes
    _spec("view", "cursor_up", "up", "Cursor up"),
    _spec("view", "cursor_down", "down", "Cursor down"),
    _spec("view", "page_up", "pageup", "Page up"),
    _spec("view", "page_down", "pagedown", "Page down"),
    _spec("view", "go_top", "home", "First line"),
    _spec("view", "go_bottom", "end", "Last line"),
    _spec("view", "select_up", "shift+up", "Extend selection up"),
    _spec("view", "select_down", "shift+down", "Extend selection down"),
    _spec("view", "goto_line", "ctrl+g", "Go to line"),
    _spec("view", "search", "ctrl+f", "Search", show=True),
    _spec("view", "search_next", "f3", "Next match"),
    # Not shift+f3: xterm and tmux send it as `ESC[1;2R`, which Textual reads as a cursor report.
    _spec("view", "search_prev", "N", "Previous match"),
    # source pane
    _spec("source", "toggle_bookmark", "m", "Bookmark", show=True),
    _spec("source", "capture_log", "c", "Log entry", show=True),
    _spec("source", "copy_citation", "y", "Copy citation", show=True),
    _spec("source", "copy_permalink", "Y", "Copy permalink"),
    _spec("source", "backlinks", "b", "Notes citing this line", show=True),
    _spec("source", "open_checkout", "o", "Open the checked-out file"),
    # Every code view binds it; with nothing selected the key goes on to the screen (the
    # review screen closes on Escape).
    _spec("source", "clear_selection", "escape", "Clear the selection"),
    _spec("source", "goto_definition", "d,enter,ctrl+right_square_bracket", "Go to definition", show=True),
    _spec("source", "find_references", "r", "References of the name"),
    _spec("source", "outline", "s", "Outline of this file"),
    # notes pane
    _spec("notes", "follow_citation", "enter", "Open citation", show=True),
    _spec("notes", "next_citation", "right_square_bracket", "Next citation", show=True),
    _spec("notes", "prev_citation", "left_square_bracket", "Previous citation"),
    # pickers (file finder, note switcher, citation targets, bookmark list) and prompts
    BindingSpec("picker_cancel", "cancel", "picker", "escape", "Cancel"),
    BindingSpec("picker_down", "move(1)", "picker", "down", "Next item", show=False),
    BindingSpec("picker_up", "move(-1)", "picker", "up", "Previous item", show=False),
    BindingSpec("search_toggle_regex", "toggle_regex", "picker", "ctrl+r", "Search: regex on/off"),
    BindingSpec("search_toggle_case", "toggle_case", "picker", "ctrl+t", "Search: match case on/off"),
    BindingSpec("bookmark_rename", "choose('rename')", "bookmarks", "r", "Rename bookmark"),
    BindingSpec("bookmark_delete", "choose('delete')", "bookmarks", "d,delete", "Delete bookmark"),
    BindingSpec("prompt_cancel", "cancel", "prompt", "escape", "Cancel"),
    # help screen
    _spec("help", "close_help", "escape,q,question_mark", "Close help", show=True),
    # review screen (drifted citations)
    _spec("review", "review_accept", "a", "Accept the new location", show=True),
    _spec("review", "review_reject", "r", "Reject (leave as written)", show=True),
    _spec("review", "review_open_old", "o", "Open the old code"),
    _spec("review", "review_open_new", "O", "Open the new code"),
    _spec("review", "review_apply", "w,ctrl+s", "Rewrite the accepted", show=True),
    _spec("review", "review_close", "escape,q", "Close the review", show=True),
)

REGISTRY_IDS: frozenset[str] = frozenset(spec.id for spec in REGISTRY)
# What the (Textual-free) keymap loader needs: id → scope and default keys.
KEY_SLOTS: dict[str, KeySlot] = {spec.id: KeySlot(spec.scope, spec.default_keys) for spec in REGISTRY}
_BY_ID = {spec.id: spec for spec in REGISTRY}


def spec_for(binding_id: str) -> BindingSpec:
    return _BY_ID[binding_id]


def specs_in(scope: str) -> list[BindingSpec]:
    if scope not in SCOPES:
        raise ValueError(f"unknown binding scope {scope!r}")
    return [spec for spec in REGISTRY if spec.scope == scope]


def bindings_for(*scopes: str) -> list[BindingType]:
    """The Bindings of `scopes`, in registry order, for a widget's `BINDINGS`."""
    return [spec.binding() for scope in scopes for spec in specs_in(scope)]

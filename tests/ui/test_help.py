"""The help screen is generated from the registry and the active keymap; keymaps really rebind."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from readertui.config.keymap import load_keymap
from readertui.config.theme import load_theme
from readertui.ui.bindings import KEY_SLOTS, REGISTRY, bindings_for
from readertui.ui.screens.help import HelpScreen
from readertui.ui.theming import build_theme


class Pane(Widget, can_focus=True):
    """Stands in for the source pane: registry bindings, actions recorded."""

    BINDINGS = bindings_for("view", "source")

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def action_cursor_down(self) -> None:
        self.calls.append("cursor_down")

    def action_go_top(self) -> None:
        self.calls.append("go_top")


class HelpApp(App[None]):
    BINDINGS = bindings_for("app")

    def __init__(self, keymap_name: str = "default") -> None:
        super().__init__()
        self.keymap, _ = load_keymap(keymap_name, KEY_SLOTS)

    def compose(self) -> ComposeResult:
        yield Pane()
        yield Footer()

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        self.query_one(Pane).focus()

    def action_show_help(self) -> None:
        self.push_screen(HelpScreen(self.keymap))


async def test_help_opens_on_question_mark_and_f1_and_closes_on_escape_q_and_question_mark():
    app = HelpApp()
    async with app.run_test() as pilot:
        for open_key, close_key in (("question_mark", "escape"), ("f1", "q"), ("question_mark", "question_mark")):
            await pilot.press(open_key)
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(close_key)
            assert not isinstance(app.screen, HelpScreen)


async def test_help_lists_every_registered_binding_with_the_active_keys():
    app = HelpApp("vim")
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("question_mark")
        rows = app.screen.rows
        assert [(scope, description) for scope, description, _ in rows] == [
            (spec.scope, spec.description) for spec in REGISTRY
        ]
        keys = {description: shown for _, description, shown in rows}
        assert keys["Cursor down"] == "j, ↓"
        assert keys["Search"] == "/"
        assert keys["Go to line"] == ":"
        assert keys["Help"] == "?, f1"
        table = app.screen.query_one("#help-table", Static).content
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(table)
        drawn = console.export_text()
        assert "j, ↓" in drawn and "Cursor down" in drawn and "Source and notes panes" in drawn


async def test_help_defaults_to_registry_keys_without_a_keymap():
    app = HelpApp()
    async with app.run_test() as pilot:
        app.push_screen(HelpScreen())
        await pilot.pause()
        keys = {description: shown for _, description, shown in app.screen.rows}
        assert keys["Cursor down"] == "↓" and keys["Next citation"] == "]"


async def test_set_keymap_rebinds_registry_bindings():
    app = HelpApp("vim")
    async with app.run_test() as pilot:
        pane = app.query_one(Pane)
        await pilot.press("j", "down", "g")
        assert pane.calls == ["cursor_down", "cursor_down", "go_top"]


@pytest.mark.parametrize(("theme_name", "no_color"), [("dark", False), ("light", False), ("ansi16", False), ("dark", True)])
async def test_help_renders_in_every_builtin_theme(theme_name, no_color):
    ui_theme, problems = build_theme(load_theme(theme_name)[0], no_color=no_color)
    assert problems == []
    app = HelpApp()
    async with app.run_test() as pilot:
        app.register_theme(ui_theme.textual)
        app.theme = ui_theme.textual.name
        app.mount(Input("typed"))
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.current_theme.name == ui_theme.textual.name
        assert isinstance(app.screen, HelpScreen)

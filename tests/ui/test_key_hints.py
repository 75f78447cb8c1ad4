"""The footer line: the focused widget's keys, kept current, clickable, inert."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget

from readertui.ui.widgets.key_hints import KeyHints


class Pane(Widget, can_focus=True):
    DEFAULT_CSS = "Pane { height: 5; }"

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.calls: list[str] = []

    def action_mark(self) -> None:
        self.calls.append("mark")


class Left(Pane):
    BINDINGS = [Binding("m", "mark", "Bookmark [b]not bold[/b]")]


class Right(Pane):
    BINDINGS = [Binding("ctrl+f", "search", "Search")]


class HintsApp(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit", show=True), Binding("x", "hidden", "Hidden", show=False)]

    def compose(self) -> ComposeResult:
        yield Left(id="left")
        yield Right(id="right")
        yield KeyHints()


def line(app: App) -> str:
    return app.query_one(KeyHints).render().plain


async def test_shows_the_focused_widgets_keys_then_the_apps_and_follows_the_focus() -> None:
    app = HintsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        app.query_one("#left").focus()
        await pilot.pause()
        assert line(app).split("  ") == [" m Bookmark [b]not bold[/b]", "q Quit"]  # literal text
        assert "Hidden" not in line(app)
        app.query_one("#right").focus()
        await pilot.pause()
        assert line(app).split("  ") == [" ^f Search", "q Quit"]


async def test_refreshes_when_the_bindings_change() -> None:
    app = HintsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        hints = app.query_one(KeyHints)
        refreshes: list[bool] = []
        real = hints.refresh
        hints.refresh = lambda *args, **kwargs: refreshes.append(True) or real(*args, **kwargs)
        app.query_one("#right").focus()
        await pilot.pause()
        assert refreshes


async def test_clicking_a_key_presses_it() -> None:
    app = HintsApp()
    async with app.run_test(size=(100, 10)) as pilot:
        left = app.query_one("#left", Pane)
        left.focus()
        await pilot.pause()
        await pilot.click(KeyHints, offset=(2, 0))
        await pilot.pause()
        assert left.calls == ["mark"]

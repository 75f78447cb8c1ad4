"""File and note names with markup or escape sequences: shown as plain text with placeholders,
never parsed as markup (no crash, no hidden brackets), never sent raw to the terminal or the log."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content

from readertui.core.model import Status
from readertui.core.resolve import Resolver
from readertui.ui.screens.main import MainScreen
from readertui.ui.screens.prompt import PromptScreen
from tests.ui.conftest import make_app, open_file, settle

OSC52 = "f\x1b]52;c;aGFja2Vk\x07\u202e.py"


def _shown(app) -> list[str]:
    return [f"{n.title}|{n.message}" for n in app._notifications]


def _title(title) -> str:
    """What a border title shows: a str is markup to Textual, a Text/Content is plain."""
    return Content.from_markup(title).plain if isinstance(title, str) else str(title)


def _hostile(demo: Path) -> Path:
    code = demo / "minillm" / "minillm"
    (code / "n_[").mkdir()
    (code / "n_[" / "].py").write_text("print(1)\n")  # no definition: y copies the bare citation
    (code / "[id].tsx").write_text("console.log(1);\n")
    (code / "link[@click=app.quit]x[").mkdir()
    (code / OSC52).write_text("print(1)\nprint(2)\n")
    notes = demo / "minillm" / "notes"
    (notes / "big[").mkdir()
    (notes / "big[" / "].md").write_text("# big\n")
    (notes / "t\x1b]2;pwned\x07.md").write_text("# title\n")
    return code


async def test_markup_in_paths_is_plain_text(demo):
    _hostile(demo)
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, "n_[/].py")
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "`minillm/n_[/].py:1`"  # bare, a note would read `].py:1`
        # and what was copied is a citation `check` follows to that file
        resolver = Resolver(app.screen.session.workspace, app.screen.navigator.project)
        (result,) = resolver.resolve_note(demo / "minillm" / "notes" / "x.md", f"- {app.clipboard}\n")
        assert (result.status, result.path) == (Status.OK, "n_[/].py")
        await open_file(pilot, "[id].tsx")
        await pilot.press("y")
        await settle(pilot)
        assert "minillm/[id].tsx:1" in app.clipboard
        shown = _shown(app)
        assert any(t.startswith("Copied|") and "minillm/n_[/].py:1" in t for t in shown)
        assert any(t.startswith("Copied|") and "minillm/[id].tsx:1" in t for t in shown)
        app.notify("see [@click=app.quit]x[/]", title="[b]t[/b]")
        await settle(pilot)
        assert "[b]t[/b]|see [@click=app.quit]x[/]" in _shown(app)
        assert isinstance(app.screen, MainScreen)  # still running: nothing was a click action
        screen = app.screen
        screen.open_note(demo / "minillm" / "notes" / "big[" / "].md")
        await settle(pilot)
        assert screen.notes.note_path.name == "].md"
        assert "big[/].md" in _title(screen.notes.border_title)


async def test_escape_sequences_in_names_reach_neither_terminal_nor_log(demo):
    _hostile(demo)
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, OSC52)
        await pilot.press("y")
        await settle(pilot)
        assert "\x1b" not in app.clipboard and "␛]52;c;aGFja2Vk␇␦.py:1" in app.clipboard
        await pilot.press("c")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert "\x1b" not in prompt.value and "␛" in prompt.value
        await pilot.press(*"seen", "enter")
        await settle(pilot)
        screen.open_note(demo / "minillm" / "notes" / "t\x1b]2;pwned\x07.md")
        await settle(pilot)
        assert "\x1b" not in _title(screen.notes.border_title) and "␛" in _title(screen.notes.border_title)
        for text in _shown(app):
            assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    log = (demo / "minillm" / "notes" / "code-reading-log.md").read_text()
    assert "␛]52;c;aGFja2Vk␇␦.py:1`" in log and "seen" in log
    assert "\x1b" not in log

"""CodeView in a minimal app: cursor, selection, marks, overlays, search, safety, big input, soft wrap."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import on
from textual.app import App, ComposeResult
from textual.strip import Strip

from readertui.core.model import LineRange
from readertui.ui.widgets.code_view import DEFAULT_MARK_STYLES, DEFAULT_SYNTAX_STYLES, MARK_SYMBOLS, CodeView
from readertui.ui.widgets.soft_wrap import wrap_offsets
from tests.ui.conftest import settle, wait_until

PYTHON = "import os\n\n\ndef main(argv):\n    # say hello\n    return os.getcwd()\n"


class ViewApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.moves: list[int] = []

    def compose(self) -> ComposeResult:
        yield CodeView(id="view")

    def on_mount(self) -> None:
        self.query_one(CodeView).focus()

    @on(CodeView.CursorMoved)
    def record_move(self, message: CodeView.CursorMoved) -> None:
        self.moves.append(message.line)



def text_of(strip: Strip) -> str:
    return "".join(segment.text for segment in strip)


def row_of(view: CodeView, line: int) -> Strip:
    return view.render_line(line - 1 - view.scroll_offset.y)


def style_at(strip: Strip, needle: str) -> Style:
    """The style of the segment where `needle` starts."""
    position = text_of(strip).index(needle)
    for segment in strip:
        if position < len(segment.text):
            return segment.style or Style()
        position -= len(segment.text)
    raise AssertionError(needle)


async def test_load_shows_text_then_highlights() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load(PYTHON, path="tool.py")
        assert view.language == "python"
        assert view.line_count == 6
        assert "def main(argv):" in text_of(row_of(view, 4))
        await settle(pilot)
        await pilot.pause()
        row = row_of(view, 4)
        assert style_at(row, "def").color != style_at(row, "(").color
        assert style_at(row_of(view, 5), "# say").italic
        assert view.line_text(4) == "def main(argv):"
        assert view.lines_text(LineRange(5, 6)) == ["    # say hello", "    return os.getcwd()"]


async def test_gutter_shows_line_numbers() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"line {i}" for i in range(1, 120)))
        await pilot.pause()
        assert text_of(row_of(view, 7)).startswith("  7 ")


async def test_cursor_moves_post_messages_and_scroll() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"row {i}" for i in range(1, 501)))
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert view.cursor_line == 4
        assert app.moves[-1] == 4
        await pilot.press("up")
        await pilot.pause()
        assert app.moves[-1] == 3
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.cursor_line > 20 and view.scroll_offset.y > 0
        assert view.scroll_offset.y <= view.cursor_line - 1 < view.scroll_offset.y + view.size.height
        await pilot.press("end")
        await pilot.pause()
        assert view.cursor_line == 500 and app.moves[-1] == 500
        assert view.scroll_offset.y >= 500 - view.size.height
        await pilot.press("home")
        await pilot.pause()
        assert view.cursor_line == 1 and view.scroll_offset.y == 0


async def test_cursor_moved_merges_fast_moves() -> None:
    view = CodeView("a\nb\nc")
    first = CodeView.CursorMoved(view, 1)
    assert first.can_replace(CodeView.CursorMoved(view, 2))
    assert not first.can_replace(CodeView.CursorMoved(CodeView(), 2))


async def test_goto_selects_and_centres_the_range() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"row {i}" for i in range(1, 2001)), path="rows.txt")
        view.goto(1500, select=LineRange(1500, 1505))
        await pilot.pause()
        assert view.cursor_line == 1500
        assert view.selection() == LineRange(1500, 1505)
        top = view.scroll_offset.y
        assert top < 1499 and 1505 <= top + view.size.height
        selected = DEFAULT_MARK_STYLES["selection"].bgcolor
        assert style_at(row_of(view, 1503), "row").bgcolor == selected
        assert style_at(row_of(view, 1506), "row").bgcolor != selected
        await pilot.press("down")
        assert view.selection() == LineRange.single(1501)


async def test_goto_before_layout_still_centres() -> None:
    class StartAt(ViewApp):
        def on_mount(self) -> None:
            view = self.query_one(CodeView)
            view.load("\n".join(str(i) for i in range(1, 1001)))
            view.goto(800)

    app = StartAt()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        await wait_until(pilot, lambda: view.scroll_offset.y > 0, "the view scrolled to the goto")
        assert view.cursor_line == 800
        assert view.scroll_offset.y < 799 < view.scroll_offset.y + view.size.height


async def test_shift_selection() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"row {i}" for i in range(1, 50)))
        await pilot.press("down", "shift+down", "shift+down", "shift+down")
        assert view.selection() == LineRange(2, 5)
        await pilot.press("shift+up", "shift+up", "shift+up", "shift+up")
        assert view.selection() == LineRange(1, 2)
        assert view.selection() == LineRange(view.cursor_line, 2)


async def test_marks_in_the_gutter() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("a\nb\nc\nd")
        view.set_marks({2: "bookmark", 3: "cited", 4: "both"})
        await pilot.pause()
        for line, kind in ((2, "bookmark"), (3, "cited"), (4, "both")):
            row = row_of(view, line)
            assert MARK_SYMBOLS[kind] in text_of(row)
            assert style_at(row, MARK_SYMBOLS[kind]).color == DEFAULT_MARK_STYLES[kind].color
        assert not any(symbol in text_of(row_of(view, 1)) for symbol in MARK_SYMBOLS.values())
        view.set_marks({})
        assert MARK_SYMBOLS["bookmark"] not in text_of(row_of(view, 2))


async def test_overlays_and_theme_styles() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("See `src/a.py:3` and `gone.py:9`.\n", path="note.md")
        view.set_overlays({1: [(4, 16, "citation"), (21, 32, "citation_broken")]})
        await pilot.pause()
        row = row_of(view, 1)
        assert style_at(row, "src/a.py").underline
        assert style_at(row, "src/a.py").color == DEFAULT_MARK_STYLES["citation"].color
        assert style_at(row, "gone.py").color == DEFAULT_MARK_STYLES["citation_broken"].color
        view.set_theme_styles({}, {"citation": Style(color="#123456", bold=True)})
        assert style_at(row_of(view, 1), "src/a.py").bold
        view.set_overlays({})
        assert not style_at(row_of(view, 1), "src/a.py").bold


async def test_theme_syntax_scopes_fall_back_to_parents() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("print(len(x))\nx.append(1)\n", path="a.py")
        await settle(pilot)
        await pilot.pause()
        view.set_theme_styles({"function": Style(color="#ff0000")}, {})
        # `function.builtin` and `function.method` have no style of their own here → `function`.
        assert style_at(row_of(view, 2), "append").color == Style(color="#ff0000").color


async def test_the_theme_is_the_whole_palette_not_laid_over_the_widgets_own() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load('x = "text"  # note\n', path="a.py")
        await settle(pilot)
        await pilot.pause()
        assert style_at(row_of(view, 1), "text").color == DEFAULT_SYNTAX_STYLES["string"].color  # no theme yet
        view.set_theme_styles({"comment": Style(color="#010203")}, {"gutter_cursor": Style(color="#040506")})
        row = row_of(view, 1)
        assert style_at(row, "# note").color == Style(color="#010203").color
        plain = style_at(row, "x =").color
        assert style_at(row, "text").color == plain  # the theme has no `string`: plain
        assert style_at(row, "1").color == Style(color="#040506").color


async def test_theme_scopes_style_markdown_captures() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("# Title\n\nsee `head_dim` here\n", path="note.md")
        await settle(pilot)
        await pilot.pause()
        view.set_theme_styles({"code": Style(color="#010203"), "heading": Style(color="#040506")}, {})
        assert style_at(row_of(view, 3), "head_dim").color == Style(color="#010203").color
        assert style_at(row_of(view, 1), "Title").color == Style(color="#040506").color


async def test_find_moves_cursor_highlights_and_wraps() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("alpha\nBeta beta\ngamma\nBETA\n")
        assert view.find("beta") == 2
        assert view.cursor_column == 0
        assert style_at(row_of(view, 2), "Beta").bgcolor == DEFAULT_MARK_STYLES["search"].bgcolor
        await pilot.press("f3")
        assert (view.cursor_line, view.cursor_column) == (2, 5)
        await pilot.press("f3")
        assert view.cursor_line == 4
        await pilot.press("f3")  # wraps to the top
        assert (view.cursor_line, view.cursor_column) == (2, 0)
        await pilot.press("N")
        assert view.cursor_line == 4
        assert view.find("Beta") == 2  # a capital makes it case-sensitive
        assert view.find("BETA", from_line=1) == 4
        assert view.find("nothing") is None
        assert view.find("gam+a", regex=True) == 3
        assert view.find("(", regex=True) is None  # a bad regex is no match, not a crash


async def test_find_far_away_scrolls_to_it() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(["filler"] * 5000 + ["needle here"] + ["filler"] * 10))
        assert view.find("needle") == 5001
        await pilot.pause()
        assert view.scroll_offset.y < 5000 < view.scroll_offset.y + view.size.height


async def test_find_scrolls_a_far_column_into_view() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("short\n" + "x" * 500 + "needle" + "y" * 100 + "\n")
        assert view.find("needle") == 2
        await pilot.pause()
        assert view.cursor_column == 500
        assert view.scroll_offset.x > 400
        assert "needle" in text_of(row_of(view, 2))


async def test_unknown_language_is_plain_text() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("puts 'hi'\n", path="a.rb", language="ruby")
        await settle(pilot)
        await pilot.pause()
        assert view.language == "ruby" and view.notice is None
        assert "puts 'hi'" in text_of(row_of(view, 1))


async def test_click_moves_cursor_to_line_and_column() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("first\nsecond line\nthird\n")
        gutter = len(text_of(row_of(view, 1))) - len(text_of(row_of(view, 1)).lstrip()) + 4
        await pilot.click(CodeView, offset=(gutter + 3, 1))
        assert view.cursor_line == 2
        assert 0 < view.cursor_column <= 6


HOSTILE = (
    "clear\x1b[2Jscreen\n"
    "clip\x1b]52;c;cm0gLXJmIH4=\x07board\n"
    "title\x1b]0;owned\x07bar\n"
    "bell\x07 c1\x9b6n nul\x00 del\x7f\n"
    "[@click=app.quit]x[/] [bold]not bold[/bold] [link=file:///etc/passwd]l[/link]\n"
    "bidi \u202eevil\u202c tab\there\n"
)


def assert_safe(strip: Strip) -> None:
    for segment in strip:
        assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in segment.text), segment
        assert "\u202e" not in segment.text
        style = segment.style or Style()
        assert not style.meta and style.link is None


async def test_hostile_text_is_shown_inert() -> None:
    app = ViewApp()
    async with app.run_test(size=(100, 24)) as pilot:
        view = app.query_one(CodeView)
        for path in ("evil.txt", "evil.md", "evil.py"):
            view.load(HOSTILE, path=path)
            await settle(pilot)
            await pilot.pause()
            rows = [row_of(view, line) for line in range(1, view.line_count + 1)]
            for row in rows:
                assert_safe(row)
            shown = "\n".join(text_of(row) for row in rows)
            assert "␛[2J" in shown and "␛]52;c;" in shown and "␇" in shown and "␀" in shown
            assert "[@click=app.quit]x[/]" in shown and "[bold]not bold[/bold]" in shown
        await pilot.press("down", "enter", "down")
        assert app.is_running
        assert view.cursor_line == 3


async def test_five_megabyte_line_is_capped_and_plain() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load('{"data": "' + "x" * 5_000_000 + '"}\nnext\n', path="big.json")
        row = row_of(view, 1)
        await pilot.press("down", "end", "right", "right")
        assert view.notice is not None and "plain text" in view.notice
        assert row.cell_length <= 80
        assert view.virtual_size.width < 3_000
        assert view.cursor_line == 2


@pytest.mark.parametrize("line", ["\treturn {};", "# 代码阅读日志 {}", "x = {}"])
async def test_text_that_fits_does_not_scroll_sideways(line: str) -> None:
    """Tabs and wide characters are measured in cells, with no slack: a C file indented with
    tabs or a Chinese note that fits the pane gets no horizontal scrollbar."""
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("x\n", path="x.c")
        await pilot.pause()
        room = view.scrollable_content_region.width - view._gutter_width - 1
        padded = line.format("y" * (room - 5 - cell_len(line.expandtabs(4).format(""))))
        view.load(f"{padded}\n{line.format('')}\n", path="x.c")
        await pilot.pause()
        assert view.max_scroll_x == 0 and not view.show_horizontal_scrollbar


async def test_a_cursor_move_repaints_only_within_the_pane(monkeypatch) -> None:
    """A file wider than the pane: the rows repainted on ↓ stop at the pane's edge. Spanning
    the virtual width, they repainted the next pane's border too (~74 bytes per ↓)."""
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("".join(f"line_{n} = {'x' * 300}\n" for n in range(50)), path="wide.py")
        view.focus()
        await pilot.pause()
        assert view.virtual_size.width > view.size.width
        regions = []
        refresh = view.refresh
        monkeypatch.setattr(view, "refresh", lambda *r, **k: (regions.extend(r), refresh(*r, **k))[1])
        await pilot.press("down", "down")
        assert regions and all(region.right <= view.size.width for region in regions)


async def test_a_cut_line_scrolls_to_its_truncation_note() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("\t" + "字" * 3_000 + "\n", path="wide.txt")
        await pilot.pause()
        view.scroll_to(x=view.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        assert "more characters" in text_of(view.render_line(0))


async def test_hundred_thousand_lines_load_without_blocking() -> None:
    text = "def f(a, b):\n    return a + b  # sum\n\n" * 33_334
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load(text, path="big.py")
        # shown plain at once: the whole-file parse has not run yet (a worker does it later)
        assert view._highlighter is not None and not view._highlighter.parsed
        assert text_of(row_of(view, 1)).strip().endswith("def f(a, b):")
        view.goto(90_000)
        await settle(pilot)
        await pilot.pause()
        assert view.line_count == 100_002
        row = row_of(view, 90_002)
        assert style_at(row, "return").color == DEFAULT_SYNTAX_STYLES["keyword"].color
        assert style_at(row, "# sum").italic


async def test_reload_discards_stale_highlighting() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("x = 1\n" * 20_000, path="a.py")
        view.load("plain words\n", path="notes.txt")
        await settle(pilot)
        await pilot.pause()
        assert view.language is None
        assert style_at(row_of(view, 1), "plain").color == view.rich_style.color
        assert text_of(row_of(view, 1)).strip().endswith("plain words")
        assert view.line_count == 1


PTY_APP = """
import sys
from pathlib import Path
from textual.app import App
from readertui.ui.widgets.code_view import CodeView

class Show(App):
    def compose(self):
        yield CodeView(id="view")

    def on_mount(self):
        view = self.query_one(CodeView)
        view.load(Path(sys.argv[1]).read_text(encoding="utf-8"), path=sys.argv[2])
        view.focus()

Show().run()
"""


def _run_in_pty(tmp_path, text: str, suffix: str) -> bytes:
    """Run a CodeView app on a real pseudo-terminal until the file's last line is on screen."""
    import os
    import select
    import subprocess
    import sys

    source = tmp_path / "hostile.txt"
    source.write_text(text, encoding="utf-8")
    script = tmp_path / "show.py"
    script.write_text(PTY_APP, encoding="utf-8")
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    process = subprocess.Popen(
        [sys.executable, str(script), str(source), f"hostile{suffix}"],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 30
    try:
        while b"END_OF_FILE_MARKER" not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                output += os.read(master, 65536)
        os.write(master, b"\x11")  # ctrl+q
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return output


def test_hostile_bytes_never_reach_a_real_terminal(tmp_path) -> None:
    for suffix in (".txt", ".md"):
        output = _run_in_pty(tmp_path, HOSTILE + "END_OF_FILE_MARKER\n", suffix)
        assert b"END_OF_FILE_MARKER" in output
        assert b"\x1b]52" not in output  # clipboard write
        assert b"\x1b]0;owned" not in output  # title change
        assert b"\x1b[2J" + b"screen" not in output and b"clear\x1b[2J" not in output
        assert b"\xc2\x9b" not in output and b"\x07 c1" not in output
        assert "␛".encode() in output and "␇".encode() in output  # shown, as placeholders


async def test_a_long_line_with_thousands_of_tokens_renders_styled() -> None:
    line = "[" + ",".join(str(i % 10) for i in range(4_500)) + "]"
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load(line + "\n", path="numbers.json")
        await settle(pilot)
        await pilot.pause()
        view.find("9")
        view.set_overlays({1: [(1, 30, "citation"), (10, 20, "citation_broken")]})
        row = row_of(view, 1)
        assert style_at(row, "0,1").color == DEFAULT_MARK_STYLES["citation"].color
        assert len(list(row_of(view, 1))) > 20  # numbers and commas styled apart, not one plain run


def test_styling_a_line_with_thousands_of_spans_is_one_sweep() -> None:
    """Work, not time: each track's spans are read a bounded number of times per cut, so a
    line with thousands of tokens costs in proportion to them (testing every span at every
    cut was quadratic: ~20 million reads here)."""
    from rich.style import Style

    from readertui.ui.widgets.code_view import _styled_segments

    reads = [0]

    class Counted(list):
        def __getitem__(self, index):  # type: ignore[no-untyped-def]
            reads[0] += 1
            return super().__getitem__(index)

    text = ",".join(str(i % 10) for i in range(4_500))
    red, blue = Style(color="red"), Style(color="blue")
    numbers = Counted((2 * i, 2 * i + 1, red) for i in range(4_500))
    marks = Counted([(10, 2_000, blue), (3_000, 3_010, blue)])
    segments = _styled_segments(text, [numbers, marks])
    assert "".join(segment.text for segment in segments) == text
    assert len(segments) == len(text)  # every number and comma styled apart
    assert segments[10].style == red + blue and segments[11].style == blue and segments[1].style is None
    assert reads[0] < 10 * (len(numbers) + len(marks) + len(segments))


# --- soft wrap (the notes pane) -------------------------------------------------------------------


class WrapApp(ViewApp):
    def compose(self) -> ComposeResult:
        yield CodeView(id="view", soft_wrap=True)


def screen_rows(view: CodeView) -> list[str]:
    return [text_of(view.render_line(y)) for y in range(view.scrollable_content_region.height)]


def gutter_width(view: CodeView) -> int:
    return len(str(view.line_count)) + 3  # number, space, mark, space


def body_width(view: CodeView) -> int:
    return view.scrollable_content_region.width - gutter_width(view)


def rows_of_line(view: CodeView, line: int) -> list[str]:
    """The screen rows (gutter and body) showing `line`, which must be on screen."""
    rows = screen_rows(view)
    number = f"{line:>{len(str(view.line_count))}} "
    first = next(y for y, row in enumerate(rows) if row.startswith(number))
    following = rows[first + 1 :]
    count = next((y for y, row in enumerate(following) if row[: gutter_width(view)].strip() or not row.strip()), len(following))
    return rows[first : first + 1 + count]


WORDS = " ".join(f"w{i:02d}" for i in range(60))  # 239 characters, words of three


async def test_soft_wrap_shows_a_long_line_on_several_rows_at_word_boundaries() -> None:
    app = WrapApp()
    async with app.run_test(size=(50, 20)) as pilot:
        view = app.query_one(CodeView)
        view.load(f"short\n{WORDS}\nend\n")
        await pilot.pause()
        rows = rows_of_line(view, 2)
        width = body_width(view)
        assert len(rows) == -(-len(WORDS) // (width - width % 4)) and len(rows) > 3
        gutter = gutter_width(view)
        assert all(row[:gutter].strip() == "" for row in rows[1:])  # continuation rows: no number
        bodies = [row[gutter:] for row in rows]
        assert all(len(row) == view.scrollable_content_region.width for row in rows)
        assert " ".join(body.strip() for body in bodies) == WORDS
        assert all(len(word) == 3 for body in bodies for word in body.split())  # no word is cut
        assert screen_rows(view)[len(rows) + 1].startswith("3 ")
        assert view.virtual_size.width == view.scrollable_content_region.width  # no sideways scroll


async def test_soft_wrap_counts_wide_characters_as_two_cells() -> None:
    app = WrapApp()
    async with app.run_test(size=(41, 20)) as pilot:
        view = app.query_one(CodeView)
        line = "中文" * 30 + " tail"
        view.load(line)
        await pilot.pause()
        width = body_width(view)
        bodies = [row[gutter_width(view) :] for row in rows_of_line(view, 1)]
        per_row = width // 2  # an odd width leaves a cell free: a wide character is never cut
        assert width % 2 == 1
        assert [body.rstrip() for body in bodies[:3]] == [line[:per_row], line[per_row : 2 * per_row], line[2 * per_row : 3 * per_row]]
        assert all(Strip([Segment(body)]).cell_length == width for body in bodies)
        assert "".join(bodies).replace(" ", "") == line.replace(" ", "")


async def test_soft_wrap_cursor_moves_by_line_and_highlights_every_row() -> None:
    app = WrapApp()
    async with app.run_test(size=(50, 12)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"{n} {WORDS}" for n in range(1, 301)))
        await pilot.pause()
        await pilot.press("down")
        assert view.cursor_line == 2 and app.moves[-1] == 2
        cursor_bg = DEFAULT_MARK_STYLES["cursor_line"].bgcolor
        first_row = len(rows_of_line(view, 1))
        for y in range(first_row, first_row + 3):
            assert style_at(view.render_line(y), "w").bgcolor == cursor_bg
        assert style_at(view.render_line(0), "w").bgcolor != cursor_bg
        await pilot.press("down", "down", "down")  # lines of ~5 rows: the cursor's rows stay in view
        top = view.scroll_offset.y
        assert view.cursor_line == 5 and top > 0
        assert any(row.startswith("  5 ") for row in screen_rows(view))
        view.goto(250)
        await pilot.pause()
        assert view.cursor_line == 250
        rows = rows_of_line(view, 250)
        assert style_at(view.render_line(screen_rows(view).index(rows[0])), "w").bgcolor == cursor_bg
        await pilot.press("pagedown")
        assert 250 < view.cursor_line < 250 + view.scrollable_content_region.height
        assert any(row.startswith(f"{view.cursor_line:>3} ") for row in screen_rows(view))
        await pilot.press("end")
        await pilot.pause()
        assert view.cursor_line == 300
        assert any(row.startswith("300 ") for row in screen_rows(view))
        assert view.scroll_offset.y == view.max_scroll_y  # every row measured: the end is the end


async def test_soft_wrap_goto_a_column_on_a_later_row_scrolls_to_that_row() -> None:
    app = WrapApp()
    async with app.run_test(size=(30, 8)) as pilot:
        view = app.query_one(CodeView)
        view.load(" ".join(f"word{i:03d}" for i in range(200)) + "\nafter\n")
        await pilot.pause()
        column = view.line_text(1).index("word150")
        view.find("word150")
        await pilot.pause()
        assert view.cursor_line == 1 and view.cursor_column == column
        y = next(y for y, row in enumerate(screen_rows(view)) if "word150" in row)  # far below row 0
        assert y > 0 and view.scroll_offset.y > 0
        assert style_at(view.render_line(y), "word150").bgcolor == DEFAULT_MARK_STYLES["search"].bgcolor


async def test_soft_wrap_click_on_a_continuation_row_activates_its_column() -> None:
    app = WrapApp()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(CodeView)
        view.load(f"{WORDS}\nnext\n")
        await pilot.pause()
        rows = rows_of_line(view, 1)
        x = gutter_width(view) + 5
        shown = rows[2][x]
        await pilot.click(CodeView, offset=(x, 2))
        assert view.cursor_line == 1
        assert view.line_text(1)[view.cursor_column] == shown
        assert view.cursor_column > body_width(view)  # a column of the third row, not the first
        # Past the end of a row's text: the row's last character, not the next row's.
        await pilot.click(CodeView, offset=(view.scrollable_content_region.width - 1, 0))
        assert view.cursor_column < len(rows[0][gutter_width(view) :].rstrip()) + 1


async def test_soft_wrap_overlays_and_syntax_follow_the_text_across_rows() -> None:
    app = WrapApp()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(CodeView)
        view.load(f"{WORDS}\n", path="note.md")
        await settle(pilot)
        await pilot.pause()
        first_row = rows_of_line(view, 1)[0][gutter_width(view) :].rstrip()
        start = len(first_row) - 3  # the last word of the first row …
        view.set_overlays({1: [(start, start + 11, "citation")]})  # … to the middle of the second
        await pilot.pause()
        citation = DEFAULT_MARK_STYLES["citation"].color
        one, two = view.render_line(0), view.render_line(1)
        assert style_at(one, WORDS[start : start + 3]).color == citation
        assert style_at(two, WORDS[start + 4 : start + 7]).color == citation
        assert style_at(two, WORDS[start + 12 : start + 15]).color != citation
        assert style_at(one, "w00").color != citation


async def test_soft_wrap_rewraps_on_resize_and_keeps_the_top_line() -> None:
    app = WrapApp()
    async with app.run_test(size=(60, 30)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"{n} {WORDS}" for n in range(1, 101)))
        await pilot.pause()
        wide_rows = len(rows_of_line(view, 1))
        view.goto(40)
        await pilot.pause()
        first_number = next(y for y, row in enumerate(screen_rows(view)) if row[:3].strip())
        view.scroll_to(y=view.scroll_offset.y + first_number, animate=False, immediate=True)
        await pilot.pause()
        top_line = screen_rows(view)[0][:3]
        assert top_line.strip() and any(row.startswith(" 40 ") for row in screen_rows(view))
        await pilot.resize_terminal(36, 30)
        await pilot.pause()
        assert screen_rows(view)[0].startswith(top_line)  # the line at the top stays there …
        assert len(rows_of_line(view, 40)) > wide_rows  # … and the cursor line in view
        assert all(len(row) == view.scrollable_content_region.width for row in screen_rows(view))
        view.soft_wrap = False
        await pilot.pause()
        assert len(rows_of_line(view, view.cursor_line)) == 1
        assert view.virtual_size.height == view.line_count


async def test_soft_wrap_keeps_tabs_controls_and_the_cap_on_screen() -> None:
    app = WrapApp()
    async with app.run_test(size=(40, 40)) as pilot:
        view = app.query_one(CodeView)
        view.load("a\tb\x1bc " * 12 + "\n" + "x" * 2_500 + "\n")
        await pilot.pause()
        first = "".join(row[gutter_width(view) :] for row in rows_of_line(view, 1))
        assert first.replace(" ", "") == ("a" + "b␛c") * 12  # tabs expanded, control shown
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        last = [row[gutter_width(view) :].rstrip() for row in screen_rows(view) if row.strip()][-1]
        assert last.endswith("more characters")


async def test_soft_wrap_is_off_for_huge_documents() -> None:
    app = WrapApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"{n} {WORDS}" for n in range(100_000)))
        await pilot.pause()
        assert view.virtual_size.height == view.line_count  # one row per line: scrolls sideways
        view.load("\n".join(f"{n} {WORDS}" for n in range(2_400)))
        view.goto(2_400)  # every row measured on the spot
        await pilot.pause()
        assert view.virtual_size.height > 2_400 * 4


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab 中文字é\u0301\U0001f600\u2764\ufe0f", max_size=120), st.integers(min_value=1, max_value=30))
def test_wrap_offsets_cover_the_text_in_rows_that_fit(text: str, width: int) -> None:
    offsets = wrap_offsets(text, width)
    strip = Strip([Segment(text)])
    total = strip.cell_length
    assert offsets[0] == 0 and offsets == sorted(set(offsets))
    ends = [*offsets[1:], total]
    for start, end in zip(offsets, ends):
        piece = strip.crop(start, end)
        assert piece.cell_length == end - start  # no wide character cut in half
        # A row fits, but for one space that ends it (cropped from view, with any combining
        # mark on it) or a lone wide character in a one-cell row.
        overflow = text_of(piece.crop(width, end - start))
        assert end - start <= width or overflow.strip(" \u0301\ufe0f") == "" and end - start == width + 1 or width == 1 == end - start - 1


async def test_the_render_caches_keep_what_was_used_last(monkeypatch) -> None:
    """A hit refreshes an entry: the least recently used one goes first, not the oldest."""
    from readertui.ui.widgets import code_view

    monkeypatch.setattr(code_view, "_BODY_CACHE_SIZE", 3)
    monkeypatch.setattr(code_view, "_ROW_CACHE_SIZE", 3)
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("\n".join(f"line {n}" for n in range(10)))
        await pilot.pause()
        view._forget()
        for y in (0, 1, 2, 0, 3):  # row 0 is painted again before row 3 arrives
            view.render_line(y)
        cached_rows = {key[0] for key in view._rows.keys()}
        assert 0 in cached_rows and 1 not in cached_rows

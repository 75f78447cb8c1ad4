"""The status line: what it says, and that a cursor move writes only the changed cells.

The terminal is emulated: every compositor update the app would write is rendered to bytes
(as for a real terminal, in truecolor) and fed to a pyte screen, so the tests read what the
user would see after partial repaints, and count what each update costs.
"""

from __future__ import annotations

import msgspec
import pyte
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.strip import Strip

from readertui.core.model import Location
from readertui.ui.widgets.status_line import (
    NO_SYMBOL,
    SEPARATOR,
    WHOLE_PATH,
    StatusInfo,
    StatusLine,
    _row,
    changed_span,
    status_row,
)
from tests.ui.conftest import make_app, screen_rows, settle

INFO = StatusInfo(
    project="proj",
    repo="core",
    commit="a1b2c3d",
    tag="v1.0",
    file="src/deep/path/module.py",
    line=9,
    bookmarks=2,
    today_entries=1,
    drift="notes @ 1234567 ≠ core @ a1b2c3d",
    drift_short="notes @ 1234567 ≠ checkout",
)
ROW = "proj │ core @ a1b2c3d (v1.0) │ src/deep/path/module.py:9 │ ★ 2 │ log today: 1 │ notes @ 1234567 ≠ core @ a1b2c3d"


class Terminal:
    """Renders what the app would write to a terminal into a pyte screen, counting bytes."""

    def __init__(self, app: App, monkeypatch: pytest.MonkeyPatch, width: int, height: int) -> None:
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.Stream(self.screen)
        self.writes: list[str] = []
        display = app._display

        def write(screen, renderable) -> None:
            if hasattr(renderable, "render_segments"):
                data = renderable.render_segments(app.console)
                self.writes.append(data)
                self.stream.feed(data)
            display(screen, renderable)

        monkeypatch.setattr(app, "_display", write)
        monkeypatch.setattr(app.console, "_color_system", ColorSystem.TRUECOLOR)  # as in a terminal

    def row(self, y: int) -> str:
        return screen_rows(self.screen)[y].rstrip()

    def bytes_since(self, start: int) -> int:
        return sum(len(data.encode()) for data in self.writes[start:])


class StatusApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")


# ---- the row ----------------------------------------------------------------------------------


def test_row_is_split_where_the_line_number_starts():
    head, tail = status_row(INFO)
    assert head.plain + tail.plain == ROW
    assert head.plain.endswith("src/deep/path/module.py:")
    assert tail.plain.startswith("9 │ ★ 2")


def test_row_order_puts_the_longest_parts_last():
    row = "".join(part.plain for part in status_row(StatusInfo(project="p", viewing_commit=True, drift="d")))
    assert row.split(SEPARATOR) == ["p", "★ 0", "log today: 0", "showing the note's commit", "d"]
    info = StatusInfo(project="p", viewing_commit=True, commit_owner="bookmark")
    assert "showing the bookmark's commit" in "".join(part.plain for part in status_row(info))


def test_without_a_line_the_whole_row_is_the_tail():
    head, tail = status_row(StatusInfo(project="p", repo="r", file="README.md"))
    assert head.plain == ""
    assert tail.plain == "p │ r │ README.md │ ★ 0 │ log today: 0"


def test_names_are_inert():
    info = StatusInfo(project="[bold]p[/]", repo="r\x1b[31m", file="a\tb.py", line=3)
    row = "".join(part.plain for part in status_row(info))
    assert "[bold]p[/]" in row  # no markup
    assert "\x1b" not in row and "\t" not in row  # control characters made visible


cell_text = st.text(alphabet=st.sampled_from("ab 7:│漢"), max_size=12)
styles = st.sampled_from([Style(), Style(bold=True), Style(color="red")])
pieces = st.lists(st.tuples(cell_text, styles), max_size=4)
WIDTH = 30


def strip_of(parts: list[tuple[str, Style]]) -> Strip:
    return Strip([Segment(text, style) for text, style in parts]).crop_extend(0, WIDTH, Style())


def shown(strip: Strip) -> list[tuple[str, Style | None]]:
    """What a terminal shows: each character with its style, however the segments are cut."""
    return [(char, style) for text, style, _ in strip for char in text]


@given(pieces, pieces)
def test_repainting_the_changed_span_turns_the_old_row_into_the_new(old_parts, new_parts):
    old, new = strip_of(old_parts), strip_of(new_parts)
    span = changed_span(old, new)
    if span is None:
        assert shown(old) == shown(new)
        return
    start, end = span
    assert 0 <= start < end <= WIDTH
    patched = Strip.join([old.crop(0, start), new.crop(start, end), old.crop(end, WIDTH)])
    assert shown(patched) == shown(new)


# ---- in an app ----------------------------------------------------------------------------------


async def test_a_line_move_repaints_only_the_changed_digits(monkeypatch):
    app = StatusApp()
    terminal = Terminal(app, monkeypatch, 120, 3)
    async with app.run_test(size=(120, 3)) as pilot:
        status = app.query_one(StatusLine)
        status.info = INFO
        await pilot.pause()
        assert terminal.row(0) == ROW
        full_row = terminal.bytes_since(0)

        for line in (10, 11, 12):  # 9→10 moves the rest of the row, then only digits change
            before = len(terminal.writes)
            status.info = msgspec.structs.replace(INFO, line=line)
            await pilot.pause()
            assert terminal.row(0) == ROW.replace("module.py:9 ", f"module.py:{line} ")
        # Only the line number's cells: the project, repo and path are not sent again.
        assert "proj" not in "".join(terminal.writes[before:])
        assert terminal.bytes_since(before) < 64 < full_row / 3


async def test_a_narrow_terminal_shortens_the_row_then_crops_it(monkeypatch):
    app = StatusApp()
    terminal = Terminal(app, monkeypatch, 40, 3)
    async with app.run_test(size=(40, 3)) as pilot:
        status = app.query_one(StatusLine)
        status.info = INFO
        await pilot.pause()
        # Every step taken, and still too wide: the edge crops the end, the line stays in view.
        assert terminal.row(0) == "core @ a1b2c3d │ …/module.py:9 │ ★ 2 │ l"
        status.info = msgspec.structs.replace(INFO, line=10)
        await pilot.pause()
        assert terminal.row(0) == "core @ a1b2c3d │ …/module.py:10 │ ★ 2 │"


async def test_at_80_columns_the_row_fits_with_the_short_drift(monkeypatch):
    app = StatusApp()
    terminal = Terminal(app, monkeypatch, 80, 3)
    async with app.run_test(size=(80, 3)) as pilot:
        status = app.query_one(StatusLine)
        status.info = INFO
        await pilot.pause()
        # The whole path does not fit even without project and tag: cut as little as will fit.
        assert terminal.row(0) == "core @ a1b2c3d │ …/path/module.py:9 │ ★ 2 │ log 1 │ notes @ 1234567 ≠ checkout"
        await pilot.resize_terminal(120, 3)
        await pilot.pause()
        assert status.text == ROW  # wide again: the whole row


def test_rows_shorten_in_order_and_only_as_far_as_needed():
    full = "".join(part.plain for part in status_row(INFO))
    assert full == ROW
    assert "".join(part.plain for part in status_row(INFO, len(ROW))) == ROW
    widths = [len("".join(p.plain for p in status_row(INFO, width))) for width in range(len(ROW), 20, -1)]
    assert widths == sorted(widths, reverse=True)
    assert "".join(p.plain for p in status_row(INFO, len(ROW) - 1)).endswith("│ log 1 │ notes @ 1234567 ≠ core @ a1b2c3d")


def test_the_whole_path_shows_when_dropping_other_parts_makes_room():
    """QA's row at 80 columns: the path was cut to `…/attention.py` while dropping the project
    (a name the tree shows too) left room for all of it, and for the symbol."""
    info = StatusInfo(
        project="minillm", repo="minillm", file="minillm/attention.py", line=41,
        symbol="MultiHeadAttention.__call__", bookmarks=4, today_entries=7,
    )
    row = "".join(part.plain for part in status_row(info, 80))
    assert row == "minillm │ minillm/attention.py:41 │ MultiHeadAttention.__call__ │ ★ 4 │ log 7"
    narrow = "minillm │ minillm/attention.py:41 │ ★ 4 │ log 7"
    assert "".join(part.plain for part in status_row(info, len(narrow))) == narrow
    cut = "".join(part.plain for part in status_row(info, len(narrow) - 1))
    assert cut == "minillm │ …/attention.py:41 │ ★ 4 │ log 7"  # cut only now, the repo kept


@given(
    path=st.lists(st.text(alphabet="ab._-", min_size=1, max_size=12), min_size=1, max_size=8).map("/".join),
    line=st.integers(1, 10**6),
    drift=st.sampled_from([("", ""), ("notes @ 1234567 ≠ core @ a1b2c3d", "notes @ 1234567 ≠ checkout")]),
    viewing=st.booleans(),
    width=st.integers(1, 200),
)
def test_a_shortened_row_fits_when_it_can_and_keeps_the_line_and_drift(path, line, drift, viewing, width):
    drift, drift_short = drift
    info = msgspec.structs.replace(
        INFO, file=path, line=line, drift=drift, drift_short=drift_short, viewing_commit=viewing
    )
    head, tail = status_row(info, width)
    row = head.plain + tail.plain
    full = "".join(part.plain for part in status_row(info))
    shortest = "".join(part.plain for part in status_row(info, 1))
    if len(full) <= width:
        assert row == full
    elif len(shortest) <= width:
        assert len(row) <= width
        assert row.startswith(head.plain) and tail.plain.startswith(str(line))
        assert head.plain.endswith(path.rsplit("/", 1)[-1] + ":")  # the file's name survives
        assert row.endswith(drift) or row.endswith(drift_short)
    else:
        assert row == shortest
    shortest_whole = "".join(part.plain for part in _row(info, NO_SYMBOL, WHOLE_PATH))
    if len(shortest_whole) <= width:
        assert f"{path}:{line}" in row  # the whole `file:line` whenever some shortening fits it


# ---- in the reader ------------------------------------------------------------------------------


async def test_reader_status_follows_the_cursor(demo, monkeypatch):
    app = make_app(demo)
    terminal = Terminal(app, monkeypatch, 120, 40)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.open_location(Location("minillm", "minillm", "minillm/model.py", 1))
        await settle(pilot)
        screen.source.focus()
        status = screen.query_one(StatusLine)
        before = status.info
        for _ in range(3):
            await pilot.press("down")
        await settle(pilot)
        after = status.info
        assert after.line == 4 == screen.source.cursor_line
        assert after == msgspec.structs.replace(before, line=4)  # nothing else changed
        row = terminal.row(status.region.y)  # what the terminal shows after the partial repaints
        assert row == status.text.rstrip()
        assert row.startswith("minillm │ minillm")
        assert f"│ minillm/model.py:4 │ ★ {after.bookmarks} │ log today: {after.today_entries}" in row

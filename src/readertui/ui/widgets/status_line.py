"""One line at the bottom: where the reader is and what the notes say about it.

The screen sets `info` (plain data); the widget renders it as inert text. `info` changes on
every cursor move (the line number), so the widget writes only the cells that changed:

- each half of the row refreshes just the span of cells that differ from what it showed;
- the row is two widgets, split where the line number starts, because Textual writes a partly
  refreshed row from the left edge of the widget holding it (`ChopsUpdate.render_segments`
  crops a widget's strip at the refreshed span's end only): one widget would resend the project,
  repo and path on every ↓.

The head's width is its text's width, so it changes (a layout pass) only when the project, repo,
commit, tag or file does; a line number moving within the file never reflows the row.
"""

from __future__ import annotations

import msgspec
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.css.scalar import Scalar
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from readertui.ui.widgets.repo_tree import inert

SEPARATOR = " │ "


class StatusInfo(msgspec.Struct, frozen=True):
    """What the status line shows, as plain data set by the screen."""
    project: str = ""
    repo: str = ""
    commit: str = ""  # short sha of the code shown
    tag: str = ""
    file: str = ""
    line: int = 0
    drift: str = ""  # e.g. "notes @ a1b2c3d ≠ core @ 1234567" when they differ
    drift_short: str = ""  # the same for a narrow terminal, e.g. "notes @ a1b2c3d ≠ checkout"
    viewing_commit: bool = False  # the source pane shows code at an older commit
    commit_owner: str = "note"  # whose commit that is: "note" or "bookmark"
    bookmarks: int = 0
    today_entries: int = 0
    symbol: str = ""  # the definition around the cursor: `Engine.step`
    indexing: str = ""  # the symbol index's progress while it is built
    tree_name: str = ""  # the tree has the focus and cuts the name under its cursor: in full


# How the row gets shorter when it is wider than the terminal, step by step, before the edge
# crops it. The whole `file:line` comes first (the README promises it whenever it fits): the
# row first gives up the long words, the long drift, the tag, the project and the symbol, each
# step only when the last did not fit; only when none of them makes room for the whole path is
# the path cut, to its last two parts and then to the file's name, and the same steps are
# tried again around the cut path. The line number and the notes' drift stay.
COMPACT_WORDS, SHORT_DRIFT, NO_TAG, NO_PROJECT, NO_SYMBOL = range(1, 6)
WHOLE_PATH, PATH_TAIL, FILE_NAME = 0, 2, 1  # how many of the path's parts are kept (0: all)


def status_row(info: StatusInfo, width: int | None = None) -> tuple[Text, Text]:
    """The row, split where the line number starts: (project … `file:`, `line` │ ★ … drift).

    Without a line number the head is empty and the whole row is the tail. Wider than `width`,
    the row is shortened step by step (see `COMPACT_WORDS`…`NO_SYMBOL`, then the path cut to
    `PATH_TAIL` and `FILE_NAME`); past the last step the edge crops it.
    """
    for kept in (WHOLE_PATH, PATH_TAIL, FILE_NAME):
        for step in range(NO_SYMBOL + 1):
            head, tail = _row(info, step, kept)
            if width is None or head.cell_len + tail.cell_len <= width:
                return head, tail
    return head, tail


def _row(info: StatusInfo, step: int, kept: int) -> tuple[Text, Text]:
    parts: list[Text] = []
    if info.tree_name:  # first: what the reader is looking at in the tree
        parts.append(inert(info.tree_name))
        parts[-1].stylize("bold")
    if info.project and step < NO_PROJECT:
        parts.append(inert(info.project))
    if info.repo:
        where = info.repo + (f" @ {info.commit}" if info.commit else "")
        if info.tag and step < NO_TAG:
            where += f" ({info.tag})"
        parts.append(inert(where))
    split = 0
    if info.file:
        path = inert(_path_tail(info.file, kept) if kept else info.file)
        if info.line:
            split = sum(len(part) + len(SEPARATOR) for part in parts) + len(path) + 1
            path.append(f":{info.line}")
        parts.append(path)
    if info.symbol and step < NO_SYMBOL:
        parts.append(inert(info.symbol))
    parts.append(Text(f"★ {info.bookmarks}"))
    compact = step >= COMPACT_WORDS
    parts.append(Text(f"log {info.today_entries}" if compact else f"log today: {info.today_entries}"))
    # Last, as they are the longest: a narrow terminal crops them first.
    if info.viewing_commit:
        owner = f"{info.commit_owner}'s commit"
        parts.append(Text(owner if compact else f"showing the {owner}", style="bold"))
    drift = info.drift_short if step >= SHORT_DRIFT and info.drift_short else info.drift
    if drift:
        parts.append(Text(drift, style="bold"))
    if info.indexing:
        parts.append(inert(info.indexing))
    row = Text(SEPARATOR).join(parts)
    if not split:
        return Text(), row
    head, tail = row.divide([split])
    return head, tail


def _path_tail(path: str, kept: int) -> str:
    """`path`'s last `kept` parts, after `…/` when folders were dropped."""
    parts = path.split("/")
    return path if len(parts) <= kept else "…/" + "/".join(parts[-kept:])


def _cells(strip: Strip) -> list[tuple[str, Style | None, int]]:
    """One entry per terminal cell; both cells of a wide character name it, so both compare."""
    cells: list[tuple[str, Style | None, int]] = []
    for text, style, _ in strip:
        for char in text:
            cells.extend((char, style, half) for half in range(cell_len(char)))
    return cells


def changed_span(old: Strip, new: Strip) -> tuple[int, int] | None:
    """The cells [start, end) where two strips of one width differ, or None if they match."""
    before, after = _cells(old), _cells(new)
    if before == after:
        return None
    width = min(len(before), len(after))
    start = next((x for x in range(width) if before[x] != after[x]), width)
    end_back = next((x for x in range(width - start) if before[-1 - x] != after[-1 - x]), width - start)
    return start, max(len(before), len(after)) - end_back


class StatusPart(Widget):
    """One part of the status row (line API): shows a Text, repainting only the changed cells."""

    DEFAULT_CSS = """
    StatusPart { height: 1; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text()
        self._strip: tuple[int, Style, Strip] | None = None  # (width, base style, row) shown

    @property
    def text(self) -> Text:
        return self._text

    def show(self, text: Text) -> None:
        width, style = self.size.width, self.rich_style
        shown = self._strip_for(width, style)
        self._text = text
        self._strip = None
        span = changed_span(shown, self._strip_for(width, style)) if width else None
        if span is not None:
            start, end = span
            self.refresh(Region(start, 0, end - start, 1))

    def _strip_for(self, width: int, style: Style) -> Strip:
        if self._strip is None or self._strip[:2] != (width, style):
            row = Strip(self._text.render(self.app.console)).apply_style(style)
            padding = Style.from_color(bgcolor=style.bgcolor)  # blank cells, as Textual pads text
            self._strip = (width, style, row.crop_extend(0, width, padding))
        return self._strip[2]

    def render_line(self, y: int) -> Strip:  # one row: y is always 0
        return self._strip_for(self.size.width, self.rich_style)


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine { height: 1; layout: horizontal; background: $panel; color: $text; }
    StatusLine #status-head { width: 0; }
    """

    info: reactive[StatusInfo] = reactive(StatusInfo, layout=False, repaint=False)

    def compose(self) -> ComposeResult:
        yield StatusPart(id="status-head")
        yield StatusPart(id="status-tail")

    def on_mount(self) -> None:
        self._show(self.info)

    def on_resize(self) -> None:
        self._show(self.info)  # the row is shortened to fit the width

    def watch_info(self, info: StatusInfo) -> None:
        if self.is_mounted:
            self._show(info)

    def _show(self, info: StatusInfo) -> None:
        head_text, tail_text = status_row(info, self.size.width or None)
        head = self.query_one("#status-head", StatusPart)
        head.show(head_text)
        width = Scalar.from_number(head_text.cell_len)
        if head.styles.width != width:
            head.styles.width = width  # a layout pass: the tail moves
        self.query_one("#status-tail", StatusPart).show(tail_text)

    @property
    def text(self) -> str:
        """The row's plain text (both parts)."""
        return self.query_one("#status-head", StatusPart).text.plain + self.query_one(
            "#status-tail", StatusPart
        ).text.plain

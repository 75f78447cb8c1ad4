"""`CodeView`: the read-only, line-based viewer behind both the source pane and the notes pane.

Built for big files over SSH: a `ScrollView` using the Line API, so
only visible rows are ever rendered; tree-sitter parses in a thread worker and only the rows on
screen are highlighted, on demand, with the finished rows cached; a cursor move repaints the
two rows that changed; scrolling is never animated.

Terminal safety: every row is built from `Segment`s of text passed through
`core.safe_text.sanitize_line` — control characters become visible placeholders, nothing is
parsed as markup, no segment carries `@click` meta or a link.
"""

from __future__ import annotations

import bisect
import re
import threading
from itertools import accumulate
from operator import itemgetter
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState, get_current_worker

from readertui.config.theme import SCOPE_ALIASES
from readertui.core.model import LineRange
from readertui.core.safe_text import DEFAULT_TAB_WIDTH, sanitize_line, sanitize_with_map, split_lines
from readertui.core.syntax import (
    MAX_HIGHLIGHT_BYTES,
    Highlighter,
    detect_language,
    is_warm,
    languages,
    plain_text_reason,
    scope_chain,
)
from readertui.ui.bindings import spec_for, specs_in
from readertui.ui.widgets.soft_wrap import WrapLayout

# Columns of one line that are ever rendered; the rest is summarised by a marker. A 5 MB line
# costs no more than a 2,000-column one.
MAX_COLUMNS = 2_000
# Files longer than this get a quick parse of the rows around the viewport first.
WINDOW_PARSE_MIN_LINES = 1_500
WINDOW_PARSE_RADIUS = 300
# Rows highlighted per query beyond the visible ones, so small scrolls hit the cache.
HIGHLIGHT_MARGIN = 40
_BODY_CACHE_SIZE = 2_000
_ROW_CACHE_SIZE = 400  # finished rows (gutter + cropped, styled body): a few screens
_REPAINT_ONE_BY_ONE = 200  # lines: past this, a change of marks or overlays repaints the pane
_SPAN_CACHE_SIZE = 20_000
# Every character Rich may draw two cells wide lies in these ranges (a test holds them to Rich's
# table); a line with none of them takes at most a cell per character. Dashes, arrows, Greek and
# box drawing lie outside: a log full of em dashes needs no measuring.
_MAYBE_WIDE = re.compile("[\u1100-\u115f\u231a-\u23ff\u25fd-\u27bf\u2b1b-\u2b55\u2e80-\U0010ffff]")
# Soft wrap measures lines lazily (the rest in background steps), but a jump to the end before
# those finish measures them all on the UI thread: past these sizes a document is shown
# unwrapped (measured on a loaded 2-core box: 20k lines of code ~18 ms at 28 columns, 250k
# CJK characters ~60 ms).
WRAP_MAX_LINES = 20_000
WRAP_MAX_WIDE_CHARS = 250_000  # characters in lines that are not plain ASCII
_WRAP_STEP_SECONDS = 0.004  # lines measured per background step

# A bookmark's first line gets its ●, the rest of its lines a bar in the same colour.
MARK_SYMBOLS = {"bookmark": "●", "cited": "▌", "both": "◆", "bookmark_range": "│", "both_range": "▌"}
MARK_STYLE_OF = {"bookmark_range": "bookmark", "both_range": "both"}

DEFAULT_SYNTAX_STYLES: dict[str, Style] = {
    "comment": Style(color="#7f8c98", italic=True),
    "string": Style(color="#a5d6a7"),
    "string.special": Style(color="#80cbc4"),
    "escape": Style(color="#ffcc80"),
    "string.escape": Style(color="#ffcc80"),
    "number": Style(color="#f6bd60"),
    "boolean": Style(color="#f6bd60"),
    "constant": Style(color="#f6bd60"),
    "constant.builtin": Style(color="#f6bd60", bold=True),
    "keyword": Style(color="#c792ea"),
    "operator": Style(color="#89ddff"),
    "function": Style(color="#82aaff"),
    "function.builtin": Style(color="#82aaff", italic=True),
    "constructor": Style(color="#ffcb6b"),
    "type": Style(color="#ffcb6b"),
    "property": Style(color="#f07178"),
    "attribute": Style(color="#c3e88d"),
    "label": Style(color="#f07178"),
    "tag": Style(color="#f07178"),
    "module": Style(color="#ffcb6b"),
    "embedded": Style(),
    "punctuation.special": Style(color="#89ddff"),
    "text.title": Style(color="#82aaff", bold=True),
    "markup.heading": Style(color="#82aaff", bold=True),
    "text.literal": Style(color="#a5d6a7"),
    "markup.raw": Style(color="#a5d6a7"),
    "text.emphasis": Style(italic=True),
    "markup.italic": Style(italic=True),
    "text.strong": Style(bold=True),
    "markup.strong": Style(bold=True),
    "text.uri": Style(color="#80cbc4", underline=True),
    "markup.link": Style(color="#80cbc4"),
    "text.reference": Style(color="#80cbc4"),
}
DEFAULT_MARK_STYLES: dict[str, Style] = {
    "gutter": Style(color="#5c6773"),
    "gutter_cursor": Style(color="#e6e1cf", bold=True),
    "cursor_line": Style(bgcolor="#2a3340"),
    "selection": Style(bgcolor="#3a4a63"),
    "bookmark": Style(color="#f6bd60"),
    "cited": Style(color="#80cbc4"),
    "both": Style(color="#c792ea"),
    "citation": Style(color="#80cbc4", underline=True),
    "citation_broken": Style(color="#ff5370", underline=True),
    "citation_current": Style(color="#0f111a", bgcolor="#80cbc4", bold=True),
    "search": Style(color="#000000", bgcolor="#f6bd60"),
    "truncated": Style(color="#5c6773", italic=True),
}

Overlay = tuple[int, int, str]
_VIEW_ACTIONS = frozenset(
    {"cursor_up", "cursor_down", "page_up", "page_down", "go_top", "go_bottom", "select_up", "select_down"}
    | {"search_next", "search_prev"}
)


class CodeView(ScrollView, can_focus=True):
    """A read-only view of text with a gutter, a line cursor, a line selection and highlights."""

    DEFAULT_CSS = """
    CodeView {
        background: $surface;
        color: $foreground;
    }
    CodeView.-soft-wrap {
        scrollbar-gutter: stable;  /* a scrollbar coming and going would change the wrap width */
    }
    """

    # The shared "view" keys from the registry (goto_line and search are prompts its users add).
    BINDINGS: ClassVar[list[BindingType]] = [
        *(spec.binding() for spec in specs_in("view") if spec.action in _VIEW_ACTIONS),
        spec_for("clear_selection").binding(),  # a source-scope id every code view binds
    ]

    class CursorMoved(Message):
        """The cursor line changed. Fast moves merge in the queue (`can_replace`)."""

        def __init__(self, view: CodeView, line: int) -> None:
            super().__init__()
            self.view = view
            self.line = line

        @property
        def control(self) -> CodeView:
            return self.view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, CodeView.CursorMoved) and message.view is self.view

    class Jumped(Message):
        """A jump (go to line, first/last line, a search hit) took the cursor from
        `origin` more than a screen away: a place for the history (the screen records it)."""

        def __init__(self, view: CodeView, origin: int, line: int) -> None:
            super().__init__()
            self.view = view
            self.origin = origin
            self.line = line

        @property
        def control(self) -> CodeView:
            return self.view

    class _Highlighted(Message):
        """A parse finished in the worker (private)."""

        def __init__(self, generation: int, painted: threading.Event | None = None) -> None:
            super().__init__()
            self.generation = generation
            self.painted = painted  # set once the result is on screen

    cursor_line: reactive[int] = reactive(1, always_update=False, repaint=False, init=False)
    # Long lines continue on the next rows (the notes pane) instead of scrolling sideways.
    soft_wrap: reactive[bool] = reactive(False, repaint=False, init=False)

    def __init__(
        self,
        text: str = "",
        *,
        path: str | None = None,
        language: str | None = None,
        tab_width: int = DEFAULT_TAB_WIDTH,
        soft_wrap: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(CodeView.soft_wrap, soft_wrap)
        self.set_class(soft_wrap, "-soft-wrap")
        self.tab_width = tab_width
        self.highlight_max_bytes = MAX_HIGHLIGHT_BYTES  # larger texts are shown plain
        self.cursor_column = 0
        self.path: str | None = None
        self.language: str | None = None
        self.document_name = ""
        self.notice: str | None = None  # why highlighting is off, for the app to show
        self._lines: list[str] = [""]
        self._generation = 0
        self._highlighting_held = False
        self._anchor: int | None = None
        self._jumped_selection = False  # the selection is the range a jump selected
        self._highlighter: Highlighter | None = None
        self._marks: dict[int, str] = {}
        self._overlays: dict[int, list[Overlay]] = {}
        self._syntax_styles = dict(DEFAULT_SYNTAX_STYLES)
        self._mark_styles = dict(DEFAULT_MARK_STYLES)
        self._scope_styles: dict[str, Style | None] = {}
        # Least recently used entries go first (a hit refreshes its entry).
        self._spans: LRUCache[int, list[Overlay]] = LRUCache(_SPAN_CACHE_SIZE)
        self._bodies: LRUCache[int, Strip] = LRUCache(_BODY_CACHE_SIZE)
        self._rows: LRUCache[tuple[object, ...], Strip] = LRUCache(_ROW_CACHE_SIZE)
        self._base_style: Style | None = None
        self._search: re.Pattern[str] | None = None
        self._joined: str | None = None
        self._line_starts: list[int] | None = None
        self._gutter_digits = 1
        self._widest = 0
        self._wrap: WrapLayout | None = None  # None: one row per line
        self._wrap_refused: bool | None = None  # too big to wrap (measured on first need)
        self._wrap_generation = 0
        self.load(text, path=path, language=language)

    # --- content -----------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def line_text(self, line: int) -> str:
        """The raw text of a 1-based line ("" outside the document)."""
        return self._lines[line - 1] if 1 <= line <= len(self._lines) else ""

    def lines_text(self, lines: LineRange) -> list[str]:
        return self._lines[max(0, lines.start - 1) : lines.end]

    def load(self, text: str, *, path: str | None = None, language: str | None = None, name: str = "") -> None:
        """Show `text`; plain at once, highlighted as soon as the parse in a worker lands."""
        self._generation += 1
        if self._highlighter is not None:
            self._highlighter.cancel()
        self._lines = split_lines(text)
        self.path = path
        self.document_name = name or (path or "")
        self.language = language or detect_language(path, text[:512])
        self.notice = None
        self._highlighter = None
        if self.language in languages():
            self.notice = plain_text_reason(self._lines, self.highlight_max_bytes)
            if self.notice is None:
                self._highlighter = Highlighter(self._lines, self.language)
        self._anchor = None
        self._jumped_selection = False
        self._marks = {}
        self._overlays = {}
        self._search = None
        self._joined = None
        self._line_starts = None
        self._spans.clear()
        self._forget()
        self.cursor_column = 0
        self.set_reactive(CodeView.cursor_line, 1)
        self._gutter_digits = len(str(len(self._lines)))
        self._widest = self._widest_line(text)
        self._wrap = None
        self._wrap_refused = None
        self._rewrap(force=True, keep_top=False)
        if self.is_attached:
            self.scroll_to(0, 0, animate=False, immediate=True, force=True)
            self.refresh()
            self._parse_visible_rows()
            # After the caller's handler, so a `goto` right after `load` is already applied.
            self.call_next(self._start_parse, self._generation)

    def on_mount(self) -> None:
        self.call_after_refresh(self._start_parse, self._generation)

    def hold_highlighting(self) -> None:
        """Start no parse until `release_highlighting()`: the text shows plain meanwhile. For
        the app's start, when a parse (grammar compiling, holding the GIL) slows the first frame."""
        self._highlighting_held = True

    def release_highlighting(self) -> None:
        if self._highlighting_held:
            self._highlighting_held = False
            self._start_parse(self._generation)

    def _start_parse(self, generation: int) -> None:
        if self._highlighting_held:
            return
        if generation == self._generation and self._highlighter is not None and not self._highlighter.parsed:
            first_frame = threading.Event()
            self.call_after_refresh(first_frame.set)
            self._parse(generation, self._highlighter, first_frame)

    def _widest_line(self, text: str) -> int:
        """Cells of the widest line: exact for tabs and wide characters; a line cut at
        MAX_COLUMNS counts with room for its truncation note."""
        widest = min(max(map(len, self._lines)), MAX_COLUMNS + _TRUNCATION_ROOM)
        if text.isascii() and "\t" not in text:
            return widest
        # Only a line with a tab or a possibly wide character can be wider than its length, and
        # by no more than a cell per such character (`tab_width - 1` per tab): those whose bound
        # passes the widest so far are measured, the largest bound first, until none left could
        # be wider (on a 50 MB log with CJK entries, a handful of its 500,000 lines).
        tabs_add = max(1, self.tab_width - 1)
        candidates: list[tuple[int, str]] = []
        for line in self._lines:
            room = _TRUNCATION_ROOM if len(line) > MAX_COLUMNS else 0
            if min(len(line), MAX_COLUMNS) * 2 + room <= widest and "\t" not in line:
                continue  # even all wide, no wider than the widest so far
            if "\t" not in line and _MAYBE_WIDE.search(line, 0, MAX_COLUMNS) is None:
                continue
            shown = line[:MAX_COLUMNS]
            bound = len(shown) + len(_MAYBE_WIDE.findall(shown)) + shown.count("\t") * tabs_add + room
            if bound > widest:
                candidates.append((bound, line))
        candidates.sort(key=itemgetter(0), reverse=True)
        for bound, line in candidates:
            if bound <= widest:
                break
            room = _TRUNCATION_ROOM if len(line) > MAX_COLUMNS else 0
            widest = max(widest, cell_len(sanitize_line(line[:MAX_COLUMNS], self.tab_width)) + room)
        return widest

    def _parse_visible_rows(self) -> None:
        """Parse the rows around the cursor right here when that is cheap (grammar compiled,
        ~1 ms for a screenful), so the first frame of a big file is already in colour."""
        highlighter = self._highlighter
        if (
            highlighter is None
            or highlighter.parsed
            or len(self._lines) < WINDOW_PARSE_MIN_LINES
            or not is_warm(highlighter.language)
            or highlighter.covers(self.cursor_line)
        ):
            return
        rows = max(self.scrollable_content_region.height, 50) + HIGHLIGHT_MARGIN
        highlighter.parse_window(self.cursor_line - rows, self.cursor_line + rows)
        self._spans.clear()
        self._forget()

    @work(thread=True, exclusive=True, exit_on_error=False, group="codeview-parse")
    def _parse(self, generation: int, highlighter: Highlighter, first_frame: threading.Event) -> None:
        on_screen = first_frame
        if len(self._lines) >= WINDOW_PARSE_MIN_LINES and not highlighter.covers(self.cursor_line):
            around = self.cursor_line
            highlighter.parse_window(around - WINDOW_PARSE_RADIUS, around + WINDOW_PARSE_RADIUS)
            on_screen = threading.Event()
            self.post_message(self._Highlighted(generation, on_screen))
        if not highlighter.parsed and highlighter.ready:
            # The rows on screen are in colour already: let that frame out before the full
            # parse starts competing with the UI thread for the GIL.
            on_screen.wait(1.0)
        if get_current_worker().is_cancelled:
            return
        highlighter.parse()
        self.post_message(self._Highlighted(generation))

    @on(_Highlighted)
    def _on_highlighted(self, message: _Highlighted) -> None:
        message.stop()
        if message.generation == self._generation:
            self._spans.clear()
            self._forget()
            self.refresh()
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)

    @on(Worker.StateChanged)
    def _on_parse_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "codeview-parse" and event.state == WorkerState.ERROR:
            event.stop()
            self.notice = f"highlighting failed: {event.worker.error}"

    # --- decorations ---------------------------------------------------------------------------

    def set_marks(self, marks: dict[int, str]) -> None:
        """Gutter marks by 1-based line: "bookmark" | "cited" | "both", and "bookmark_range" /
        "both_range" for a bookmark's lines after its first."""
        changed = set(self._marks.items()) ^ set(marks.items())
        self._marks = dict(marks)
        self._repaint({line for line, _ in changed})

    def set_overlays(self, overlays: dict[int, list[Overlay]]) -> None:
        """Extra spans per 1-based line: `(col_start, col_end, style_name)`, character columns.
        The lists are kept, not copied: the caller hands them over."""
        if len(overlays) + len(self._overlays) > _REPAINT_ONE_BY_ONE:
            changed = None  # the whole pane is repainted: no need to know which lines
        else:
            changed = {
                line for line in overlays.keys() | self._overlays.keys() if overlays.get(line) != self._overlays.get(line)
            }
        self._overlays = dict(overlays)
        self._repaint(changed)

    def _repaint(self, lines: set[int] | None) -> None:
        """Drop the cached rows of the 1-based `lines` (None: all) and repaint them. Many at
        once (a long log's citations resolved: 40,000 lines) are one repaint of the pane: a
        region and a cache sweep per line cost seconds there."""
        if lines is None or len(lines) > _REPAINT_ONE_BY_ONE:
            self._forget()
            self.refresh()
            return
        for line in lines:
            self._forget(line - 1)
            self._refresh_lines(line, line)

    def set_line_overlays(self, line: int, spans: list[Overlay]) -> None:
        """Replace the overlays of one 1-based line (the notes pane's current citation)."""
        if spans:
            self._overlays[line] = list(spans)
        else:
            self._overlays.pop(line, None)
        self._forget(line - 1)
        self._refresh_lines(line, line)

    def configure(self, *, tab_width: int, highlight_max_bytes: int) -> None:
        """The user's settings; they apply to the texts loaded from now on."""
        self.tab_width = tab_width
        self.highlight_max_bytes = highlight_max_bytes

    def set_theme_styles(self, syntax: dict[str, Style], marks: dict[str, Style]) -> None:
        """The theme's styles: syntax scopes (`function`, `string`…) and UI names (see
        `DEFAULT_MARK_STYLES`). The theme is the whole palette: a name it leaves out is shown
        plain, not in this widget's defaults (they are for a CodeView without an app theme)."""
        self._syntax_styles = dict(syntax)
        for capture, scope in SCOPE_ALIASES.items():
            if scope in syntax:  # grammars' Markdown captures take the theme's `code`, `heading`…
                self._syntax_styles[capture] = syntax[scope]
        self._mark_styles = {**dict.fromkeys(DEFAULT_MARK_STYLES, Style()), **marks}
        self._scope_styles.clear()
        self._forget()
        self.refresh()

    def _forget(self, index: int | None = None) -> None:
        """Drop cached rendering, for one 0-based row or for all."""
        if index is None:
            self._bodies.clear()
            self._rows.clear()
            return
        self._bodies.discard(index)
        for key in [key for key in self._rows.keys() if key[0] == index]:
            self._rows.discard(key)

    # --- soft wrap: screen rows ↔ lines ----------------------------------------------------------

    def watch_soft_wrap(self, soft_wrap: bool) -> None:
        self.set_class(soft_wrap, "-soft-wrap")
        self._rewrap()
        self.scroll_to(x=0, animate=False, immediate=True, force=True)
        self._scroll_cursor_into_view()
        self.refresh()

    def on_resize(self) -> None:
        self._rewrap()

    @property
    def too_big_to_wrap(self) -> bool:
        """Soft wrap is on but the text is too big to wrap: it is shown one row per line."""
        if not self.soft_wrap:
            return False
        if self._wrap_refused is None:
            self._wrap_refused = (
                len(self._lines) > WRAP_MAX_LINES
                or sum(len(line) for line in self._lines if not line.isascii()) > WRAP_MAX_WIDE_CHARS
            )
        return self._wrap_refused

    def _wanted_wrap_width(self) -> int | None:
        """The body width to wrap at, or None for one row per line."""
        if not self.soft_wrap or self.size.width <= 0 or self.too_big_to_wrap:
            return None
        width = self.scrollable_content_region.width - self._gutter_width
        return None if width <= 0 else width

    def _rewrap(self, *, force: bool = False, keep_top: bool = True) -> None:
        """Lay the rows out again if the wrap width changed (load, resize, toggle); the line
        at the top of the view stays there, and the cursor line stays in view if it was."""
        width = self._wanted_wrap_width()
        if not force and width == (self._wrap.width if self._wrap is not None else None):
            return
        top = self.scroll_offset.y
        top_line = self._locate(top)[0] if keep_top else 0
        cursor_shown = keep_top and top <= self._first_row(self.cursor_line - 1) < top + self.size.height
        self._wrap_generation += 1
        self._wrap = None if width is None else WrapLayout(self._lines, width, self._display_text, MAX_COLUMNS)
        self._sync_virtual_size()
        if keep_top:
            self._scroll_to_row(self._first_row(min(top_line, len(self._lines) - 1)))
        if cursor_shown:
            self._scroll_cursor_into_view()
        if self._wrap is not None and self.is_attached:
            self.call_later(self._measure_rows, self._wrap_generation)

    def _measure_rows(self, generation: int) -> None:
        """Measure the lines below the view a few milliseconds at a time, so the scrollbar
        becomes exact without holding up keys."""
        layout = self._wrap
        if layout is None or generation != self._wrap_generation:
            return
        layout.extend_for(_WRAP_STEP_SECONDS)
        self._sync_virtual_size()
        if not layout.complete:
            self.call_later(self._measure_rows, generation)

    def _sync_virtual_size(self) -> None:
        if self._wrap is None:
            self.virtual_size = Size(self._gutter_width + self._widest + 1, len(self._lines))
        else:
            self.virtual_size = Size(self._gutter_width + self._wrap.width, self._wrap.total_rows)

    def _display_text(self, raw: str) -> str:
        """The text a line shows, as `_body` builds it: capped, tabs expanded, controls replaced."""
        hidden = len(raw) - MAX_COLUMNS
        text = sanitize_line(raw[:MAX_COLUMNS], self.tab_width)
        return text + _truncation_note(hidden) if hidden > 0 else text

    def _first_row(self, index: int) -> int:
        """The first screen row of the 0-based line `index` (`line_count`: the rows in all)."""
        return index if self._wrap is None else self._wrap.first_row(index)

    def _locate(self, row: int) -> tuple[int, int]:
        """(0-based line, row within it) shown on screen row `row`; the line is `line_count`
        past the end."""
        if self._wrap is None:
            return min(row, len(self._lines)), 0
        return self._wrap.locate(row)

    def _refresh_lines(self, first: int, last: int) -> None:
        """Repaint the rows of the 1-based lines `first`..`last`."""
        first, last = max(1, first), min(last, len(self._lines))
        if first <= last:
            start = self._first_row(first - 1)
            # The pane's own width: ScrollView.refresh_lines spans the whole virtual width,
            # and past the pane's edge that repainted the next pane's border on every ↓.
            rows = Region(0, start - self.scroll_offset.y, self.size.width, self._first_row(last) - start)
            self.refresh(rows)

    def _scroll_to_row(self, row: int) -> None:
        self._sync_virtual_size()  # rows measured just now may lie past the old end
        self.scroll_to(y=max(0, row), animate=False, immediate=True, force=True)

    # --- cursor and selection --------------------------------------------------------------

    def validate_cursor_line(self, line: int) -> int:
        return max(1, min(line, len(self._lines)))

    def watch_cursor_line(self, old: int, new: int) -> None:
        if self._anchor is None:
            self._refresh_lines(old, old)
        else:
            low, high = sorted((old, new))
            self._refresh_lines(low, high)
        self._refresh_lines(new, new)
        self._scroll_cursor_into_view()
        self.post_message(self.CursorMoved(self, new))

    def selection(self) -> LineRange:
        """The selected lines, or the cursor line."""
        if self._anchor is None:
            return LineRange.single(self.cursor_line)
        low, high = sorted((self._anchor, self.cursor_line))
        return LineRange(low, high)

    def action_clear_selection(self) -> None:
        self._clear_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_selection":
            return self._anchor is not None  # nothing selected: Escape is the screen's
        return True

    def _clear_selection(self) -> None:
        self._jumped_selection = False
        if self._anchor is not None:
            current = self.selection()
            self._anchor = None
            self._refresh_lines(current.start, current.end)

    def goto(self, line: int, *, select: LineRange | None = None, center: bool = True, column: int = 0) -> None:
        """Move the cursor to `line` and scroll it into view (centred unless `center` is False).

        With `select`, the lines `select` are selected and the cursor goes to `select.start`.
        `column` (0-based characters) is scrolled into view horizontally too."""
        self._clear_selection()
        line = self.validate_cursor_line(line)
        target = LineRange.single(line)
        if select is not None:
            target = LineRange(self.validate_cursor_line(select.start), self.validate_cursor_line(select.end))
            line = target.start
        self.cursor_column = column
        if center:
            self._center_on(target)
        self.cursor_line = line
        self._parse_visible_rows()
        if select is not None:
            self._anchor = target.end
            self._jumped_selection = True
            self._refresh_lines(target.start, target.end)
        self._scroll_column_into_view(line, column)

    def _center_on(self, lines: LineRange) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            self.call_after_refresh(self._center_on, lines)
            return
        start = self._first_row(lines.start - 1)
        rows = self._first_row(lines.end) - start
        if rows >= height:
            top = start - 2
        else:
            top = start - (height - rows) // 2
        self._scroll_to_row(top)

    def _scroll_column_into_view(self, line: int, column: int) -> None:
        text = sanitize_line(self._lines[line - 1][: min(column, MAX_COLUMNS)], self.tab_width)
        cell = cell_len(text)
        if self._wrap is not None:
            row = self._first_row(line - 1) + self._wrap.part_of_cell(line - 1, cell)
            height = self.scrollable_content_region.height
            if height > 0 and not self.scroll_offset.y <= row < self.scroll_offset.y + height:
                self._scroll_to_row(row - height // 3)
            return
        left = self.scroll_offset.x
        body_width = self.scrollable_content_region.width - self._gutter_width
        if body_width > 0 and not left <= cell < left + body_width:
            self.scroll_to(x=max(0, cell - body_width // 3), animate=False, immediate=True, force=True)

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        first = self._first_row(self.cursor_line - 1)
        end = self._first_row(self.cursor_line)  # a wrapped line has several rows
        top = self.scroll_offset.y
        if first < top:
            self._scroll_to_row(first)
        elif end > top + height:
            self._scroll_to_row(min(first, end - height))

    def _move(self, delta: int, *, select: bool = False) -> None:
        if select:
            if self._anchor is None or self._jumped_selection:
                # A range a jump selected (a citation, a bookmark) is not the reader's own:
                # shift+arrows start a new selection at the cursor instead of shrinking it.
                self._clear_selection()
                self._anchor = self.cursor_line
        else:
            self._clear_selection()
        self.cursor_column = 0
        self.cursor_line = self.cursor_line + delta

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_select_up(self) -> None:
        self._move(-1, select=True)

    def action_select_down(self) -> None:
        self._move(1, select=True)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def _page(self, direction: int) -> None:
        """Scroll a screen and move the cursor as many rows (at least to the next line)."""
        page = max(1, self.scrollable_content_region.height - 1) * direction
        self._scroll_to_row(self.scroll_offset.y + page)
        row = max(0, self._first_row(self.cursor_line - 1) + page)
        line = min(self._locate(row)[0] + 1, len(self._lines))
        if line == self.cursor_line:
            line += direction
        self._move(line - self.cursor_line)

    def action_go_top(self) -> None:
        origin = self.cursor_line
        self._move(1 - self.cursor_line)
        self.jumped_from(origin)

    def action_go_bottom(self) -> None:
        origin = self.cursor_line
        self._move(len(self._lines) - self.cursor_line)
        self.jumped_from(origin)

    def jumped_from(self, origin: int) -> None:
        """Tell the screen of a jump from line `origin` when it went more than a screen away."""
        rows = abs(self._first_row(self.cursor_line - 1) - self._first_row(origin - 1))
        if rows >= max(1, self.scrollable_content_region.height):
            self.post_message(self.Jumped(self, origin, self.cursor_line))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index, part = self._locate(self.scroll_offset.y + offset.y)
        if index >= len(self._lines):
            return
        cell_x = offset.x - self._gutter_width + self.scroll_offset.x
        if self._wrap is not None:
            # A continuation row shows the line from its row's first cell on.
            offsets = self._wrap.offsets(index)
            cell_x = offsets[part] + max(0, cell_x)
            if part + 1 < len(offsets):
                cell_x = min(cell_x, offsets[part + 1] - 1)
        self._clear_selection()
        self.cursor_column = self._column_at(index + 1, cell_x)
        self.cursor_line = index + 1

    def _column_at(self, line: int, cell_x: int) -> int:
        """The character column of the cell `cell_x` of a line's text."""
        text = self._lines[line - 1][:MAX_COLUMNS]
        cells = 0
        for column, char in enumerate(text):
            cells += self.tab_width - cells % self.tab_width if char == "\t" else cell_len(sanitize_line(char))
            if cells > cell_x:
                return column
        return len(text)

    # --- search --------------------------------------------------------------------------------

    def find(
        self, pattern: str, *, forward: bool = True, from_line: int | None = None, regex: bool = False
    ) -> int | None:
        """Search for `pattern` (plain text; a regex when `regex`), case-insensitive unless it has
        capitals. Moves the cursor to the match and highlights all matches; wraps around.
        Returns the line, or `None` when there is no match (or the regex is invalid)."""
        if not pattern:
            self._set_search(None)
            return None
        flags = 0 if pattern != pattern.lower() else re.IGNORECASE
        try:
            compiled = re.compile(pattern if regex else re.escape(pattern), flags)
        except re.error:
            return None
        self._set_search(compiled)
        joined, starts = self._index()
        if from_line is not None:
            line = max(1, min(from_line, len(self._lines)))
            position = starts[line - 1] if forward else starts[line - 1] + len(self._lines[line - 1])
        else:
            position = starts[self.cursor_line - 1] + self.cursor_column + (1 if forward else 0)
        match = _search(compiled, joined, position, forward)
        if match is None:
            return None
        line = bisect.bisect_right(starts, match.start())
        column = match.start() - starts[line - 1]
        top = self.scroll_offset.y
        visible = top <= self._first_row(line - 1) < top + self.scrollable_content_region.height
        self.goto(line, center=not visible, column=column)
        return line

    def _set_search(self, compiled: re.Pattern[str] | None) -> None:
        if compiled != self._search:
            self._search = compiled
            self._forget()
            self.refresh()

    def _index(self) -> tuple[str, list[int]]:
        if self._joined is None or self._line_starts is None:
            self._joined = "\n".join(self._lines)
            self._line_starts = [0, *accumulate(len(line) + 1 for line in self._lines[:-1])]
        return self._joined, self._line_starts

    def action_search_next(self) -> None:
        if self._search is not None:
            origin = self.cursor_line
            self.find(self._search.pattern, forward=True, regex=True)
            self.jumped_from(origin)

    def action_search_prev(self) -> None:
        if self._search is not None:
            origin = self.cursor_line
            self.find(self._search.pattern, forward=False, regex=True)
            self.jumped_from(origin)

    # --- rendering -----------------------------------------------------------------------------

    @property
    def _gutter_width(self) -> int:
        return self._gutter_digits + 3  # number, space, mark, space

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base_style = self.rich_style  # once per paint, not once per row
        self._rewrap()  # the width changed since the last paint
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index, part = self._locate(scroll_y + y)
        width = self.scrollable_content_region.width
        base = self._base_style or self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        if self._wrap is not None:
            scroll_x = 0
        line = index + 1
        kind = "selection" if self._anchor is not None and line in self.selection() else None
        if line == self.cursor_line:
            kind = kind or "cursor_line"
        key = (index, part, kind, self._marks.get(line), scroll_x, width, base)
        row = self._rows.get(key)
        if row is None:
            line_style = base + self._mark_styles[kind] if kind else base
            body_width = max(0, width - self._gutter_width)
            body = self._body(index)
            if self._wrap is not None:
                body_segments = self._wrapped_part(self._wrap, body, index, part, body_width)
            elif scroll_x == 0 and body.cell_length <= body_width:
                body_segments = [*body, Segment(" " * (body_width - body.cell_length))]
            else:
                body_segments = list(body.crop_extend(scroll_x, scroll_x + body_width, None))
            if part == 0:
                segments = self._gutter(index, line == self.cursor_line, base)
            else:  # a continuation row: no number, no mark
                segments = [Segment(" " * self._gutter_width, base + self._mark_styles["gutter"])]
            segments.extend(Segment.apply_style(body_segments, line_style))
            # Merging equal neighbours saves ~30 bytes of escape codes per merge on the wire.
            row = Strip(list(Segment.simplify(segments)), width)
            self._rows.set(key, row)
        return row

    @staticmethod
    def _wrapped_part(layout: WrapLayout, body: Strip, index: int, part: int, body_width: int) -> list[Segment]:
        """Row `part` of a wrapped line: its cells of the styled body, padded to the width."""
        offsets = layout.offsets(index)
        start = offsets[part]
        end = offsets[part + 1] if part + 1 < len(offsets) else body.cell_length
        end = min(end, start + body_width, body.cell_length)  # a row-ending space is cropped
        piece = body if start == 0 and end == body.cell_length else body.crop(start, end)
        return [*piece, Segment(" " * (body_width - piece.cell_length))]

    def _gutter(self, index: int, is_cursor: bool, base: Style) -> list[Segment]:
        # Few segments: every style change costs ~30 bytes of escape codes on the wire.
        number_style = base + self._mark_styles["gutter_cursor" if is_cursor else "gutter"]
        number = f"{index + 1:>{self._gutter_digits}} "
        mark = self._marks.get(index + 1)
        if mark not in MARK_SYMBOLS:
            return [Segment(number + "  ", number_style)]
        mark_style = base + self._mark_styles.get(MARK_STYLE_OF.get(mark, mark), Style())
        return [Segment(number, number_style), Segment(MARK_SYMBOLS[mark] + " ", mark_style)]

    def _body(self, index: int) -> Strip:
        """The whole (capped) line with syntax, overlay and search styles; no background."""
        body = self._bodies.get(index)
        if body is not None:
            return body
        raw = self._lines[index]
        hidden = len(raw) - MAX_COLUMNS
        if hidden > 0:
            raw = raw[:MAX_COLUMNS]
        text, columns = sanitize_with_map(raw, self.tab_width)
        syntax = [(a, b, style) for a, b, name in self._syntax_spans(index) if (style := self._scope_style(name))]
        overlays = [(a, b, self._mark_styles.get(name, Style())) for a, b, name in self._overlays.get(index + 1, ())]
        tracks = [syntax, *_tracks(overlays)]
        if self._search is not None:
            search_style = self._mark_styles["search"]
            matches = self._search.finditer(raw)
            tracks.append([(m.start(), m.end(), search_style) for m in matches if m.end() > m.start()])
        if columns is not None:
            end = len(raw)
            tracks = [
                [(columns[min(a, end)], columns[min(b, end)], style) for a, b, style in track] for track in tracks
            ]
        segments = _styled_segments(text, tracks) if text else []
        if hidden > 0:
            segments.append(Segment(_truncation_note(hidden), self._mark_styles["truncated"]))
        body = Strip(segments)
        self._bodies.set(index, body)
        return body

    def _syntax_spans(self, index: int) -> list[Overlay]:
        highlighter = self._highlighter
        if highlighter is None or not highlighter.ready:
            return []
        spans = self._spans.get(index)
        if spans is not None:
            return spans
        first = index + 1
        last = first + self.scrollable_content_region.height + HIGHLIGHT_MARGIN
        found = highlighter.spans(first, last)
        if not found and not highlighter.parsed:
            return []  # nothing parsed for these rows yet: ask again when the parse lands
        for line in range(first, min(last, len(self._lines)) + 1):
            self._spans.set(line - 1, found.get(line, []))
        return found.get(first, [])

    def _scope_style(self, capture: str) -> Style | None:
        if capture not in self._scope_styles:
            self._scope_styles[capture] = next(
                (self._syntax_styles[scope] for scope in scope_chain(capture) if scope in self._syntax_styles), None
            )
        return self._scope_styles[capture]


# Cells for the longest truncation note (" … 999,999,999 more characters" is 31).
_TRUNCATION_ROOM = 40


def _truncation_note(hidden: int) -> str:
    return f" … {hidden:,} more characters"


def _search(compiled: re.Pattern[str], text: str, position: int, forward: bool) -> re.Match[str] | None:
    if forward:
        return compiled.search(text, position) or compiled.search(text, 0)
    last = None
    for match in compiled.finditer(text, 0, max(0, position)):
        last = match
    if last is not None:
        return last
    for match in compiled.finditer(text, max(0, position)):
        last = match
    return last


def _styled_segments(text: str, tracks: list[list[tuple[int, int, Style]]]) -> list[Segment]:
    """Split `text` at every span edge. Each track is sorted and non-overlapping (one sweep
    pointer per track keeps a line with thousands of spans linear); later tracks draw over
    earlier ones."""
    length = len(text)
    edges = {0, length}
    for track in tracks:
        for a, b, _ in track:
            edges.add(min(max(a, 0), length))
            edges.add(min(max(b, 0), length))
    cuts = sorted(edges)
    positions = [0] * len(tracks)
    segments = []
    for start, end in zip(cuts, cuts[1:]):
        style: Style | None = None
        for number, track in enumerate(tracks):
            index = positions[number]
            while index < len(track) and track[index][1] <= start:
                index += 1
            positions[number] = index
            if index < len(track) and track[index][0] <= start:
                layer = track[index][2]
                style = layer if style is None else style + layer
        segments.append(Segment(text[start:end], style))
    return segments


def _tracks(spans: list[tuple[int, int, Style]]) -> list[list[tuple[int, int, Style]]]:
    """Spread possibly overlapping spans over as few sorted, non-overlapping tracks as needed."""
    tracks: list[list[tuple[int, int, Style]]] = []
    for span in sorted(spans, key=lambda span: span[0]):
        for track in tracks:
            if track[-1][1] <= span[0]:
                track.append(span)
                break
        else:
            tracks.append([span])
    return tracks

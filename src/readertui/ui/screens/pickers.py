"""Modal pickers: the fuzzy file finder (`PathRanker`), and lists (bookmarks, backlinks, citation targets,
notes). Each dismisses with the chosen value (or None); the main screen acts on it.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, islice
from typing import Generic, TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.fuzzy import FuzzySearch
from textual.geometry import Region
from textual.message import Message
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from readertui.core.model import Bookmark
from readertui.core.safe_text import sanitize_line
from readertui.ui.bindings import bindings_for
from readertui.ui.widgets.repo_tree import inert

T = TypeVar("T")
MAX_RESULTS = 50
RESCORED = 150  # best cheap-key hits re-scored by textual.fuzzy per keystroke
# textual.fuzzy enumerates every alignment of the query in a path; past this many (a path
# repeating the query's letters) a greedy alignment is scored instead, so no key stalls.
MAX_ALIGNMENTS = 2_000

PICKER_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 120; height: 80%; padding: 0 1;
    border: round $accent; background: $surface;
}}
{name} Label {{ width: 100%; color: $text-muted; }}
{name} Input, {name} Input:focus {{ border: none; height: 1; padding: 0; }}
{name} OptionList, {name} OptionList:focus {{ height: 1fr; border: none; padding: 0; }}
"""

Found = tuple[str, tuple[int, ...]]  # a path and the offsets of the query's letters in it


class PathRanker:
    """Ranks up to 50,000 paths per keystroke, fast enough for the UI thread (median ~5 ms).

    Paths are kept shortest first, so any list of hits in index order is also in length order.
    A compiled subsequence regex (`a[^b]*b[^c]*c`, which cannot backtrack) filters the
    candidates in C; when the query grows, only the previous hits are searched again. The cheap
    key is then: contiguous matches first (shortest first), then the tightest regex span, and
    `textual.fuzzy.FuzzySearch` (word starts, runs of consecutive letters) orders the best
    `RESCORED` of those. `Matcher` over all 50,000 paths was measured at 60–230 ms per
    keystroke (its scorer enumerates every alignment), hence the cuts first.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)
        self._paths = sorted(self.paths, key=len)  # stable: equal lengths keep their order
        self._lower = [path.lower() for path in self._paths]
        self._lock = threading.Lock()
        # Every match of `_pool_query` (a prefix of the next queries, while the user types on)
        self._pool_query = ""
        self._pool: list[int] | None = None  # None: every path
        self._fuzzy = FuzzySearch()

    def rank(self, query: str, limit: int = MAX_RESULTS) -> list[Found]:
        """The best `limit` paths holding `query`'s letters in order (case and spaces ignored)."""
        query = query.strip().lower().replace(" ", "")
        if not query:
            return [(path, ()) for path in self.paths[:limit]]
        with self._lock:
            best = self._best(query, max(limit, RESCORED))
        scored = [(*self._score(query, self._paths[k]), k) for k in best]
        scored.sort(key=lambda item: (-item[0], item[2]))
        return [(self._paths[k], tuple(offsets)) for _, offsets, k in scored[:limit]]

    def _best(self, query: str, keep: int) -> list[int]:
        """The `keep` best matches by the cheap key (indices, shortest first within a tier):
        paths holding `query` contiguously, then the tightest leftmost regex spans."""
        lower = self._lower
        narrowing = self._pool_query and query.startswith(self._pool_query)
        pool = self._pool if narrowing else None
        candidates = range(len(lower)) if pool is None else pool
        # Short queries match contiguously in thousands of paths: the shortest `keep` of those
        # win outright, found without scanning the rest.
        contiguous = list(islice((k for k in candidates if query in lower[k]), keep))
        if len(contiguous) == keep:
            return contiguous
        search = re.compile(
            re.escape(query[0]) + "".join(f"[^{re.escape(c)}]*{re.escape(c)}" for c in query[1:])
        ).search
        matches = list(map(search, lower if pool is None else map(lower.__getitem__, pool)))
        hits = list(compress(candidates, matches))
        self._pool_query, self._pool = query, hits  # the next, longer query searches only these
        if len(hits) <= keep:
            taken = set(contiguous)
            return contiguous + [k for k in hits if k not in taken]
        spans = [m.end() - m.start() for m in filter(None, matches)]
        # The span at which the cumulative count of all hits reaches `keep` bounds the `wanted`
        # tightest non-contiguous ones (Counter counts in C).
        total, bound = 0, 0
        for span, count in sorted(Counter(spans).items()):
            total, bound = total + count, span
            if total >= keep:
                break
        wanted, taken = keep - len(contiguous), set(contiguous)
        rest = sorted((span, k) for span, k in zip(spans, hits) if span <= bound and k not in taken)
        return contiguous + [k for _, k in rest[:wanted]]

    def _score(self, query: str, path: str) -> tuple[float, Sequence[int]]:
        lower = path.lower()
        alignments = 1
        for char in query:
            alignments *= lower.count(char)
        if alignments <= MAX_ALIGNMENTS or query in lower:
            return self._fuzzy.match(query, path)
        score = self._fuzzy.score
        return max(
            ((score(lower, offsets), offsets) for offsets in _greedy_alignments(query, lower)),
            key=lambda found: found[0],
        )


def _greedy_alignments(query: str, lower: str) -> list[list[int]]:
    """Two cheap alignments of `query` (a subsequence of `lower`): the leftmost one, and one
    preferring letters that continue a run or start a word, as textual.fuzzy's score does."""
    leftmost, position = [], 0
    for char in query:
        position = lower.index(char, position)
        leftmost.append(position)
        position += 1
    preferred, position = [], 0
    for i, char in enumerate(query):
        chosen = lower.index(char, position)
        candidate = chosen
        while candidate != -1 and not (
            (preferred and candidate == preferred[-1] + 1)
            or candidate == 0
            or not lower[candidate - 1].isalnum()
        ):
            candidate = lower.find(char, candidate + 1)
        if candidate != -1 and _is_subsequence(query[i + 1 :], lower, candidate + 1):
            chosen = candidate
        preferred.append(chosen)
        position = chosen + 1
    return [leftmost, preferred]


def _is_subsequence(query: str, text: str, start: int) -> bool:
    position = start
    for char in query:
        position = text.find(char, position) + 1
        if not position:
            return False
    return True


class FoundPaths(Widget):
    """The finder's result rows, one path per line, painted from strips built once per result
    list. The layout fixes its height, so a new list repaints only its own rows: an `OptionList`
    was cleared and refilled, which relaid out and re-rendered the whole modal on every key."""

    DEFAULT_CSS = """
    FoundPaths { height: 1fr; background: $surface; color: $foreground; }
    FoundPaths > .found-paths--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    FoundPaths > .found-paths--match { text-style: reverse; }
    """
    COMPONENT_CLASSES = {"found-paths--cursor", "found-paths--match"}

    class Chosen(Message):
        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Found] = []
        self.cursor = 0
        self._top = 0  # the result shown on the first row
        self._strips: dict[tuple[int, bool], Strip] = {}  # by (index, under the cursor)
        self._styles: tuple[Style, Style, Style, Style] | None = None  # plain, marked; on cursor

    @property
    def chosen(self) -> str | None:
        return self.found[self.cursor][0] if self.found else None

    def show(self, found: list[Found]) -> None:
        self.found, self.cursor, self._top = found, 0, 0
        self._strips.clear()
        self.refresh()

    def move(self, step: int) -> None:
        if not self.found:
            return
        before = self.cursor
        self.cursor = max(0, min(len(self.found) - 1, self.cursor + step))
        height = self.size.height
        if self.cursor < self._top:
            self._top = self.cursor
        elif self.cursor >= self._top + height:
            self._top = self.cursor - height + 1
        else:  # only the two rows whose colours change
            width = self.size.width
            self.refresh(Region(0, before - self._top, width, 1), Region(0, self.cursor - self._top, width, 1))
            return
        self.refresh()

    def on_resize(self) -> None:
        self._strips.clear()
        self._top = max(0, min(self._top, self.cursor))

    def notify_style_update(self) -> None:
        self._styles = None
        self._strips.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        index = self._top + y
        if self._styles is None:  # looked up once, not per row: each lookup walks the DOM
            cursor = self.get_component_rich_style("found-paths--cursor")
            match = self.get_component_rich_style("found-paths--match", partial=True)
            self._styles = (self.rich_style, self.rich_style + match, cursor, cursor + match)
        if index >= len(self.found):
            return Strip.blank(self.size.width, self._styles[0])
        key = (index, index == self.cursor)
        if (strip := self._strips.get(key)) is None:
            path, offsets = self.found[index]
            plain, marked = self._styles[2:] if key[1] else self._styles[:2]
            strip = self._strips[key] = _paint(path, offsets, plain, marked, self.size.width)
        return strip

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and self._top + offset.y < len(self.found):
            self.cursor = self._top + offset.y
            self.post_message(self.Chosen(self.found[self.cursor][0]))

    def on_mouse_scroll_down(self) -> None:
        self._scroll(3)

    def on_mouse_scroll_up(self) -> None:
        self._scroll(-3)

    def _scroll(self, rows: int) -> None:
        top = max(0, min(self._top + rows, len(self.found) - self.size.height))
        if top != self._top:
            self._top = top
            self.refresh()


def _paint(path: str, offsets: Sequence[int], plain: Style, marked: Style, width: int) -> Strip:
    """One result row: the path as inert text (no markup, control characters shown as
    placeholders), its matched letters `marked`, padded to `width` inside the last segment
    (a separate padding segment would cost one more escape sequence per row)."""
    text = sanitize_line(path.replace("\t", " "))
    if len(text) != len(path):
        offsets = ()
    parts: list[tuple[str, Style]] = []
    start = 0
    for first, last in _runs(offsets):
        parts += [(text[start:first], plain), (text[first : last + 1], marked)]
        start = last + 1
    parts.append((text[start:], plain))
    padding = width - sum(cell_len(part) for part, _ in parts)
    if padding > 0:
        parts.append((" " * padding, plain))
    segments = []  # neighbours of one style joined: one escape sequence each
    for part, style in parts:
        if segments and segments[-1].style is style:
            segments[-1] = Segment(segments[-1].text + part, style)
        elif part:
            segments.append(Segment(part, style))
    return Strip(segments).crop(0, width)


def _runs(offsets: Sequence[int]) -> list[tuple[int, int]]:
    """Offsets as (first, last) runs of consecutive ones: one styled segment per run."""
    runs: list[tuple[int, int]] = []
    for offset in sorted(offsets):
        if runs and offset == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], offset)
        else:
            runs.append((offset, offset))
    return runs


class FileFinder(ModalScreen[str | None]):
    """Fuzzy-find a path among `paths` (e.g. "Engine/src/a.py"); dismisses with it.

    Each keystroke is ranked on the UI thread as the Input's value changes: ranking takes a
    few ms, less than handing the query to a thread and the results back (and the two threads
    took turns on the GIL)."""

    DEFAULT_CSS = PICKER_CSS.format(name="FileFinder")
    BINDINGS = bindings_for("picker")

    def __init__(self, ranker: PathRanker, title: str = "Find file") -> None:
        super().__init__()
        self.ranker = ranker
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.title_text} ({len(self.ranker.paths)} files)", markup=False)
            yield Input(placeholder="type parts of a path…")
            yield FoundPaths()

    def on_mount(self) -> None:
        query = self.query_one(Input)
        query.focus()
        # A watcher runs inside the Input's key handler: the letter and its results are then
        # painted in one frame, not the letter first and the results a frame (16 ms) later.
        self.watch(query, "value", self._rank, init=True)

    def _rank(self, query: str) -> None:
        self.query_one(FoundPaths).show(self.ranker.rank(query))

    def action_move(self, step: int) -> None:
        self.query_one(FoundPaths).move(step)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        chosen = self.query_one(FoundPaths).chosen
        if chosen is not None:
            self.dismiss(chosen)

    @on(FoundPaths.Chosen)
    def _picked(self, event: FoundPaths.Chosen) -> None:
        self.dismiss(event.path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ListPicker(ModalScreen[T | None], Generic[T]):
    """Pick one of `items` (label, value); dismisses with the value."""

    DEFAULT_CSS = PICKER_CSS.format(name="ListPicker") + """
    ListPicker > Vertical { height: auto; max-height: 80%; }
    ListPicker OptionList, ListPicker OptionList:focus { height: auto; max-height: 100%; }
    """
    BINDINGS = bindings_for("picker")

    def __init__(self, title: str, items: Sequence[tuple[str, T]]) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False)
            yield OptionList(*(Option(inert(label)) for label, _ in self.items))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.items:
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.items[event.option_index][1])

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def highlighted_value(self) -> T | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None else self.items[index][1]

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class BookmarkChoice:
    action: str  # "jump" | "rename" | "delete"
    bookmark: Bookmark


class BookmarkPicker(ListPicker[BookmarkChoice]):
    """The bookmark list: Enter jumps, `r` renames, `d` deletes (the screen saves)."""

    DEFAULT_CSS = PICKER_CSS.format(name="BookmarkPicker") + """
    BookmarkPicker > Vertical { height: auto; max-height: 80%; }
    BookmarkPicker OptionList, BookmarkPicker OptionList:focus { height: auto; max-height: 100%; }
    """
    BINDINGS = bindings_for("bookmarks")

    def __init__(self, bookmarks: Sequence[Bookmark]) -> None:
        items = [
            (
                f"{b.repo}/{b.path}:{b.range}  {b.label or b.excerpt}",
                BookmarkChoice("jump", b),
            )
            for b in bookmarks
        ]
        super().__init__(
            f"Bookmarks ({len(items)}) — Enter: jump · r: rename · d: delete · Esc: close", items
        )

    def action_choose(self, action: str) -> None:
        choice = self.highlighted_value()
        if choice is not None:
            self.dismiss(BookmarkChoice(action, choice.bookmark))

"""Modal pickers: the fuzzy file finder (`PathRanker`), and lists (bookmarks, backlinks, citation targets,
notes). Each dismisses with the chosen value (or None); the main screen acts on it.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import accumulate, compress
from typing import Generic, Literal, TypeVar

import msgspec
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
# The cut re-scored by textual.fuzzy per keystroke (~2-8 ms). On 400 queries typed into the
# 50,000 benchmark paths, against the previous ranker's top result: with 300, 8 scored higher
# and 5 lower; with 150 (~1-2 ms less a key), 5 higher and 16 lower.
RESCORED = 300
# A subsequence scan (shortest paths first) stops after this many hits; measured on 300
# abbreviations of the 50,000 benchmark paths against a full scan (with a cut of 150): the
# same best result for 95% of them, the same top ten for 93%, at ~2 ms instead of ~20 ms for
# a short query matching most paths.
ENOUGH_HITS = 3_000
SCAN_CHUNK = 2_048
# textual.fuzzy enumerates every alignment of the query in a path (~3 µs each, thousands in a
# long path repeating the query's letters: one key took 75 ms). Past this bound two greedy
# alignments are scored instead: in the test above, 4 of the 5 lower top results come from it.
MAX_ALIGNMENTS = 100

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

_WORD_START = re.compile(r"(?<!\w)\w")  # where textual.fuzzy's `\w+` words begin

Found = tuple[str, tuple[int, ...]]  # a path and the offsets of the query's letters in it


class PathRanker:
    """Ranks 50,000 paths per keystroke on the UI thread (~1-15 ms a key on the benchmark repo).

    Paths are kept shortest first, so any list of indices in order is also in length order.
    Per query, the cut to re-score is: the shortest `RESCORED` paths holding the query
    contiguously (`str.find` over the NUL-joined paths) if there are that many, else those plus
    the subsequence matches (a regex `a[^b]*b[^c]*c`, which cannot backtrack, run in C) with the
    tightest leftmost spans. `textual.fuzzy`'s scoring (word starts, runs of consecutive
    letters) then orders the cut. A scan stops after `ENOUGH_HITS`; its hits and the paths it
    left unchecked are kept for the next, longer query, and `refine` checks those between
    keystrokes. `Matcher` over all 50,000 paths was measured at 60–230 ms per keystroke (its
    scorer enumerates every alignment), hence the cuts first.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        # Tuples: the garbage collector stops walking a tuple of strings or ints after one pass.
        self.paths = tuple(paths)
        self._paths = tuple(sorted(self.paths, key=len))  # stable: equal lengths keep their order
        self._lower = tuple(path.lower() for path in self._paths)
        self._joined = "\0".join(self._lower)  # git paths never hold NUL; they may hold "\n"
        self._starts = (0, *accumulate(len(path) + 1 for path in self._lower))  # of each path
        self._lock = threading.Lock()
        # What the last query's scan knows, for the next queries that extend it: the paths
        # holding it, then those not checked yet (all longer): listed, then every path from
        # `_pool_tail` on (searched as one string). Indices, shortest first.
        self._pool_query = ""
        self._pool_hits: list[int] = []
        self._pool_rest: list[int] = []
        self._pool_tail = 0
        self._fuzzy = FuzzySearch()

    def rank(self, query: str, limit: int = MAX_RESULTS) -> list[Found]:
        """The best `limit` paths holding `query`'s letters in order (case and spaces ignored)."""
        query = _normalize(query)
        if not query:
            return [(path, ()) for path in self.paths[:limit]]
        with self._lock:
            best = self._best(query, max(limit, RESCORED))
        scored = [(*self._score(query, self._paths[k]), k) for k in best]
        scored.sort(key=lambda item: (-item[0], item[2]))
        return [(self._paths[k], tuple(offsets)) for _, offsets, k in scored[:limit]]

    def refine(self, query: str) -> bool:
        """Check one more chunk of the paths that `query`'s scan left unchecked, so that the
        next, longer query searches fewer. Called between keystrokes; True once none is left."""
        query = _normalize(query)
        with self._lock:
            if not query:
                return True
            if query != self._pool_query:  # its results came from the contiguous matches alone
                if self._pool_query and query.startswith(self._pool_query):
                    self._pool_rest = self._pool_hits + self._pool_rest
                else:
                    self._pool_rest, self._pool_tail = [], 0
                self._pool_query, self._pool_hits = query, []
            chunk: Sequence[int]
            if self._pool_rest:
                chunk, self._pool_rest = self._pool_rest[:SCAN_CHUNK], self._pool_rest[SCAN_CHUNK:]
            else:
                end = min(self._pool_tail + SCAN_CHUNK, len(self._lower))
                chunk, self._pool_tail = range(self._pool_tail, end), end
            self._pool_hits += compress(chunk, map(self._search(query), self._texts(chunk)))
            return not self._pool_rest and self._pool_tail == len(self._lower)

    def _best(self, query: str, keep: int) -> list[int]:
        """The `keep` best matches by the cheap key (indices, shortest first within a tier):
        paths holding `query` contiguously, then the tightest leftmost regex spans."""
        if self._pool_query and query.startswith(self._pool_query):
            listed, tail = self._pool_hits + self._pool_rest, self._pool_tail
        else:
            listed, tail = [], 0
        # Short queries match contiguously in thousands of paths: the shortest `keep` of those
        # win outright, found without scanning the rest.
        contiguous = self._contiguous(query, keep)
        if len(contiguous) == keep:
            return contiguous
        hits, spans = self._subsequences(query, listed, tail)
        wanted, taken = keep - len(contiguous), set(contiguous)
        if len(hits) <= keep:
            return contiguous + [k for k in hits if k not in taken][:wanted]
        # The span at which the cumulative count of all hits reaches `keep` bounds the `wanted`
        # tightest non-contiguous ones (Counter counts in C).
        total, bound = 0, 0
        for span, count in sorted(Counter(spans).items()):
            total, bound = total + count, span
            if total >= keep:
                break
        rest = sorted((span, k) for span, k in zip(spans, hits) if span <= bound and k not in taken)
        return contiguous + [k for _, k in rest[:wanted]]

    def _contiguous(self, query: str, keep: int) -> list[int]:
        """The first `keep` paths holding `query` as a substring. Every such path holds the
        previous query too, so the whole list is searched, with `str.find` on the joined paths:
        the paths in between are skipped in C."""
        if "\0" in query:
            return []
        joined, starts = self._joined, self._starts
        found: list[int] = []
        position = joined.find(query)
        while position != -1 and len(found) < keep:
            k = bisect_right(starts, position) - 1
            found.append(k)
            position = joined.find(query, starts[k + 1])
        return found

    def _subsequences(self, query: str, listed: list[int], tail: int) -> tuple[list[int], list[int]]:
        """The candidates (`listed`, then every path from `tail` on) holding `query` as a
        subsequence, shortest first, and the span of each one's leftmost match. The scan stops
        once `ENOUGH_HITS` are found (a short query in a big repo); `refine` checks the rest
        between keystrokes."""
        search = self._search(query)
        hits: list[int] = []
        spans: list[int] = []
        scanned = 0
        while scanned < len(listed) and len(hits) < ENOUGH_HITS:
            chunk = listed[scanned : scanned + SCAN_CHUNK]
            matches = list(map(search, self._texts(chunk)))
            # Exactly the first ENOUGH_HITS: the same as a fresh search would find.
            at = list(compress(range(len(chunk)), matches))[: ENOUGH_HITS - len(hits)]
            hits += [chunk[i] for i in at]
            spans += [m.end() - m.start() for m in (matches[i] for i in at) if m is not None]
            scanned += at[-1] + 1 if len(hits) == ENOUGH_HITS else len(chunk)
        if scanned >= len(listed):
            tail = self._search_joined(query, tail, hits, spans)
        self._pool_query, self._pool_hits = query, list(hits)
        self._pool_rest, self._pool_tail = listed[scanned:], tail
        return hits, spans

    def _search_joined(self, query: str, first: int, hits: list[int], spans: list[int]) -> int:
        """`_subsequences` over every path from `first` on, as one search of the joined paths
        (2-3x faster than path by path where few match); the index it stopped before."""
        if len(hits) >= ENOUGH_HITS:
            return first
        if "\0" in query:  # no path holds it
            return len(self._lower)
        letters = [re.escape(char) for char in query]
        core = letters[0] + "".join(f"[^{letter}\\0]*{letter}" for letter in letters[1:])
        starts = self._starts
        for match in re.compile(f"({core})[^\\0]*").finditer(self._joined, starts[first]):
            hits.append(bisect_right(starts, match.start()) - 1)
            spans.append(match.end(1) - match.start())
            if len(hits) >= ENOUGH_HITS:
                return hits[-1] + 1
        return len(self._lower)

    def _texts(self, indices: Sequence[int]) -> Iterable[str]:
        return map(self._lower.__getitem__, indices)

    @staticmethod
    @lru_cache(maxsize=64)
    def _search(query: str) -> Callable[[str], re.Match[str] | None]:
        """`a[^b]*b[^c]*c`: the leftmost match of `abc` as a subsequence; it cannot backtrack."""
        letters = [re.escape(char) for char in query]
        return re.compile(letters[0] + "".join(f"[^{letter}]*{letter}" for letter in letters[1:])).search

    def _score(self, query: str, path: str) -> tuple[float, Sequence[int]]:
        """textual.fuzzy's score of the best alignment of `query` in `path`, and its offsets."""
        lower = path.lower()
        at = lower.find(query)
        if at != -1:
            # FuzzySearch.match's own shortcut for a substring, its score worked out directly:
            # the letters plus the word starts among them, doubled (one group), then × 1.5
            # (× 2 for the whole path). Its `score` lists every word start of the path first.
            starts = sum(1 for _ in _WORD_START.finditer(lower, at, at + len(query)))
            factor = 2.0 if lower == query else 1.5
            return (len(query) + starts) * 2.0 * factor, list(range(at, at + len(query)))
        alignments = 1
        for char in query:
            alignments *= lower.count(char)
        if alignments <= MAX_ALIGNMENTS:
            return self._fuzzy.match(query, path)
        score = self._fuzzy.score
        return max(
            ((score(lower, offsets), offsets) for offsets in _greedy_alignments(query, lower)),
            key=lambda found: found[0],
        )


def _normalize(query: str) -> str:
    return query.strip().lower().replace(" ", "")


def _greedy_alignments(query: str, lower: str) -> list[list[int]]:
    """Two cheap alignments of `query` (a subsequence of `lower`): the leftmost one, and one
    preferring letters that continue a run or start a word, as textual.fuzzy's score does."""
    leftmost, position = [], 0
    for char in query:
        position = lower.index(char, position)
        leftmost.append(position)
        position += 1
    preferred: list[int] = []
    position = 0
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
        before = self._rows()
        self.found, self.cursor, self._top = found, 0, 0
        self._strips.clear()
        # Only what changed is repainted: past both the old and the new path a row's cells are
        # blank (or the cursor's colour) before and after. That is most of each row: written in
        # full, the spaces were a third of the bytes sent per keystroke.
        width, changed = self.size.width, []
        for y, (old, new) in enumerate(zip(before, self._rows())):
            if old != new:
                extent = width if old[1] != new[1] else max(_extent(old[0]), _extent(new[0]))
                changed.append(Region(0, y, min(width, extent), 1))
        if changed:
            self.refresh(*changed)

    def _rows(self) -> list[tuple[Found | None, bool]]:
        """What each row shows: a result (or nothing), and whether the cursor is on it."""
        shown = self.found[self._top : self._top + self.size.height]
        rows = [(found, self._top + y == self.cursor) for y, found in enumerate(shown)]
        return rows + [(None, False)] * (self.size.height - len(rows))

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
            rows = (before - self._top, self.cursor - self._top)
            self.refresh(*(Region(0, row, width, 1) for row in rows))
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
    segments: list[Segment] = []  # neighbours of one style joined: one escape sequence each
    for part, style in parts:
        if segments and segments[-1].style is style:
            segments[-1] = Segment(segments[-1].text + part, style)
        elif part:
            segments.append(Segment(part, style))
    return Strip(segments).crop(0, width)


def _extent(found: Found | None) -> int:
    """The cells a result's row uses before its padding."""
    return 0 if found is None else cell_len(sanitize_line(found[0].replace("\t", " ")))


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
    few ms, less than handing the query to a thread and the results back took (the two
    threads also took turns on the GIL). Between keystrokes the ranker refines the last scan."""

    DEFAULT_CSS = PICKER_CSS.format(name="FileFinder")
    BINDINGS = bindings_for("picker")

    def __init__(self, ranker: PathRanker, title: str = "Find file") -> None:
        super().__init__()
        self.ranker = ranker
        self.title_text = title
        self._query = Input(placeholder="type parts of a path…")
        self._found = FoundPaths()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.title_text} ({len(self.ranker.paths)} files)", markup=False)
            yield self._query
            yield self._found

    def on_mount(self) -> None:
        self._query.focus()
        # A watcher runs inside the Input's key handler: the letter and its results are then
        # painted in one frame, not the letter first and the results a frame (16 ms) later.
        self.watch(self._query, "value", self._rank, init=True)

    def _rank(self, query: str) -> None:
        self._found.show(self.ranker.rank(query))
        self.call_after_refresh(self._refine, query)

    def _refine(self, query: str) -> None:
        """Between keystrokes, one chunk (~1 ms) per turn of the event loop: a key waits for
        one chunk at most; a query the user has typed past, or a closed finder, stops it."""
        if self.is_current and query == self._query.value and not self.ranker.refine(query):
            self.call_later(self._refine, query)

    def action_move(self, step: int) -> None:
        self._found.move(step)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._found.chosen is not None:
            self.dismiss(self._found.chosen)

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

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self.disarm()

    def disarm(self) -> None:
        """Hook for pickers that ask before acting (another item highlighted: ask again)."""

    def highlighted_value(self) -> T | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None else self.items[index][1]

    def action_cancel(self) -> None:
        self.dismiss(None)


BookmarkAction = Literal["jump", "rename", "delete"]


class BookmarkChoice(msgspec.Struct, frozen=True):
    action: BookmarkAction
    bookmark: Bookmark


class BookmarkPicker(ListPicker[BookmarkChoice]):
    """The bookmark list: Enter jumps, `r` renames, `d` deletes after a second `d` on the same
    bookmark (the title asks first; the screen saves)."""

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
        self._armed: str | None = None  # the bookmark a first `d` asked about

    def disarm(self) -> None:
        if self._armed is not None:
            self._armed = None
            self.query_one(Label).update(inert(self.title_text))

    def action_choose(self, action: BookmarkAction) -> None:
        choice = self.highlighted_value()
        if choice is not None and action == "delete" and self._armed != choice.bookmark.id:
            self._armed = choice.bookmark.id
            mark = choice.bookmark
            self.query_one(Label).update(
                inert(f"Delete {mark.repo}/{mark.path}:{mark.range} {mark.label}? d again: delete · Esc: keep")
            )
            return
        if choice is not None:
            self.dismiss(BookmarkChoice(action, choice.bookmark))

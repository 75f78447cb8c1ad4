"""Modal pickers: the fuzzy file finder (`PathRanker`), and lists (bookmarks, backlinks, citation targets,
notes). Each dismisses with the chosen value (or None); the main screen acts on it.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import FuzzySearch
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from readertui.core.model import Bookmark
from readertui.ui.bindings import bindings_for
from readertui.ui.widgets.repo_tree import inert

T = TypeVar("T")
MAX_RESULTS = 50
RESCORED = 300  # regex hits re-scored by textual.fuzzy per keystroke (~1-2 ms)

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


class PathRanker:
    """Ranks up to 50,000 paths per keystroke.

    A compiled subsequence regex (`a[^b]*b[^c]*c`, which cannot backtrack) filters the paths in
    C (`map(pattern.search, …)`); a one-letter query is a plain substring test. The tightest
    matches are kept, shorter paths first, and `textual.fuzzy.FuzzySearch` orders and highlights the
    best few hundred. When the query grows, only the previous hits are searched again.
    `Matcher` over all 50,000 paths was measured at 60–230 ms per keystroke (its scorer
    enumerates every alignment), hence the regex cut first.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)
        self._lower = tuple(p.lower() for p in self.paths)
        self._lock = threading.Lock()
        self._last_query = ""
        self._last_hits: list[int] | None = None  # None: every path
        self._fuzzy = FuzzySearch()

    def rank(self, query: str, limit: int = MAX_RESULTS) -> list[tuple[str, Content]]:
        query = query.strip().lower().replace(" ", "")
        if not query:
            return [(p, Content(p)) for p in self.paths[:limit]]
        lower = self._lower
        with self._lock:
            narrowing = self._last_query and query.startswith(self._last_query)
            pool = self._last_hits if narrowing else None
            if pool is None and len(query) == 1:
                hits = [i for i, path in enumerate(lower) if query in path]
                spans = None
            else:
                search = re.compile(
                    re.escape(query[0]) + "".join(f"[^{re.escape(c)}]*{re.escape(c)}" for c in query[1:])
                ).search
                candidates = range(len(lower)) if pool is None else pool
                found = [
                    (i, m.end() - m.start())
                    for i, m in zip(candidates, map(search, (lower[i] for i in candidates)))
                    if m is not None
                ]
                hits = [i for i, _ in found]
                spans = dict(found)
            self._last_query, self._last_hits = query, hits
        # The regex's span is a cheap first cut; Textual's fuzzy scorer (word starts, runs of
        # consecutive letters) orders the few hundred best, where its cost no longer matters.
        pool = max(limit, RESCORED)
        if spans is None:
            best = heapq.nsmallest(pool, hits, key=lambda i: len(lower[i]))
        else:
            best = heapq.nsmallest(pool, hits, key=lambda i: (spans[i], len(lower[i])))
        scored = {i: self._fuzzy.match(query, self.paths[i]) for i in best}
        ordered = sorted(best, key=lambda i: (-scored[i][0], len(lower[i])))
        return [(self.paths[i], _highlight(self.paths[i], scored[i][1])) for i in ordered[:limit]]


def _highlight(path: str, offsets: Sequence[int]) -> Content:
    # Content(path), never Matcher.highlight: that parses the path as markup ("[@click=…]").
    content = Content(path)
    for offset in offsets:
        content = content.stylize("reverse", offset, offset + 1)
    return content


class FileFinder(ModalScreen[str | None]):
    """Fuzzy-find a path among `paths` (e.g. "Engine/src/a.py"); dismisses with it."""

    DEFAULT_CSS = PICKER_CSS.format(name="FileFinder")
    BINDINGS = bindings_for("picker")

    class Ranked(Message):
        def __init__(self, query: str, results: list[tuple[str, Content]]) -> None:
            super().__init__()
            self.query = query
            self.results = results

    def __init__(self, ranker: PathRanker, title: str = "Find file") -> None:
        super().__init__()
        self.ranker = ranker
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.title_text} ({len(self.ranker.paths)} files)", markup=False)
            yield Input(placeholder="type parts of a path…")
            yield OptionList()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._rank("")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._rank(event.value)

    @work(thread=True, exclusive=True, group="rank", exit_on_error=False)
    def _rank(self, query: str) -> None:
        self.post_message(self.Ranked(query, self.ranker.rank(query)))

    @on(Ranked)
    def _show(self, event: Ranked) -> None:
        if event.query != self.query_one(Input).value:
            return  # a newer keystroke is being ranked
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(content, id=path) for path, content in event.results)
        if event.results:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

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

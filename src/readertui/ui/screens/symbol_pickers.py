"""Pickers of code navigation: symbols (outline, workspace symbols) with a fuzzy filter,
references grouped by file, and repo-wide text search whose results stream in.

Everything shown comes from code (names, lines, paths): it is painted as inert text.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from readertui.core.search import Search, SearchHit, SearchQuery
from readertui.core.symbols import SymbolHit
from readertui.ui.bindings import bindings_for
from readertui.ui.screens.pickers import PICKER_CSS, Found, FoundPaths, PathRanker
from readertui.ui.widgets.repo_tree import inert

T = TypeVar("T")
SHOWN_PER_NAME = 5  # definitions listed under one name in workspace symbols
SEARCH_BATCH = 64  # hits handed to the screen at once while a search streams
FLUSH_SECONDS = 0.05  # or after this long, whichever comes first


def symbol_row(hit: SymbolHit, *, with_path: bool = True, indent: int = 0) -> str:
    """`qualified  kind  repo/path:line` (the name first: fuzzy offsets index into it)."""
    d = hit.definition
    row = " " * indent + (d.name if indent else d.qualified)
    row += f"  {d.kind}"
    if with_path:
        prefix = f"{hit.repo}/" if hit.repo else ""
        row += f"  {prefix}{hit.path}:{d.line}"
    else:
        row += f"  :{d.line}"
    return row


class SymbolFinder(ModalScreen[SymbolHit | None]):
    """Fuzzy-find a definition among `hits` by its qualified name; dismisses with the hit.

    `outline=True` lists one file's symbols nested by scope when the filter is empty."""

    DEFAULT_CSS = PICKER_CSS.format(name="SymbolFinder")
    BINDINGS = bindings_for("picker")

    def __init__(self, hits: Sequence[SymbolHit], title: str, *, outline: bool = False) -> None:
        super().__init__()
        self.hits = list(hits)
        self.title_text = title
        self.outline = outline
        self._by_name: dict[str, list[SymbolHit]] = {}
        for hit in self.hits:
            self._by_name.setdefault(hit.definition.qualified, []).append(hit)
        self.ranker = PathRanker(list(self._by_name))
        self._rows: dict[str, SymbolHit] = {}
        self._query = Input(placeholder="type parts of a name…")
        self._found = FoundPaths()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.title_text} ({len(self.hits)} definitions)", markup=False)
            yield self._query
            yield self._found

    def on_mount(self) -> None:
        self._query.focus()
        self.watch(self._query, "value", self._rank, init=True)

    def rows(self, query: str) -> list[Found]:
        """What the list shows for `query`, best first."""
        self._rows = {}
        found: list[Found] = []
        if not query.strip() and self.outline:
            for hit in self.hits:
                depth = hit.definition.scope.count(".") + 1 if hit.definition.scope else 0
                row = symbol_row(hit, with_path=False, indent=2 * depth)
                self._rows[row] = hit
                found.append((row, ()))
            return found
        for name, offsets in self.ranker.rank(query):
            for hit in self._by_name.get(name, ())[:SHOWN_PER_NAME]:
                row = symbol_row(hit, with_path=not self.outline)
                if row not in self._rows:
                    self._rows[row] = hit
                    found.append((row, offsets))
        return found

    def _rank(self, query: str) -> None:
        self._found.show(self.rows(query))
        self.call_after_refresh(self._refine, query)

    def _refine(self, query: str) -> None:
        if self.is_current and query == self._query.value and not self.ranker.refine(query):
            self.call_later(self._refine, query)

    def chosen(self) -> SymbolHit | None:
        row = self._found.chosen
        return self._rows.get(row) if row is not None else None

    def action_move(self, step: int) -> None:
        self._found.move(step)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.chosen() is not None:
            self.dismiss(self.chosen())

    @on(FoundPaths.Chosen)
    def _picked(self, event: FoundPaths.Chosen) -> None:
        self.dismiss(self._rows.get(event.path))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GroupedPicker(ModalScreen[T | None], Generic[T]):
    """Pick one item of `groups` [(heading, [(label, value)])]: headings are not selectable."""

    DEFAULT_CSS = PICKER_CSS.format(name="GroupedPicker") + """
    GroupedPicker OptionList > .option-list--option-disabled { color: $accent; text-style: bold; }
    """
    BINDINGS = bindings_for("picker")

    def __init__(self, title: str, groups: Sequence[tuple[str, Sequence[tuple[str, T]]]]) -> None:
        super().__init__()
        self.title_text = title
        self.values: list[T | None] = []
        self.options: list[Option] = []
        for heading, items in groups:
            self.options.append(Option(inert(heading), disabled=True))
            self.values.append(None)
            for label, value in items:
                self.options.append(Option(inert("  " + label)))
                self.values.append(value)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False)
            yield OptionList(*self.options)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        first = next((i for i, value in enumerate(self.values) if value is not None), None)
        options.highlighted = first

    def labels(self) -> list[str]:
        return [str(option.prompt) for option in self.options]

    def highlighted_value(self) -> T | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None else self.values[index]

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        value = self.values[event.option_index]
        if value is not None:
            self.dismiss(value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


Starter = Callable[[SearchQuery], Search]


class RepoSearchScreen(ModalScreen[SearchHit | None]):
    """Repo-wide text search at one commit. Results stream into the list as git finds them;
    each change of the pattern, the path filter or a toggle cancels the running search."""

    DEFAULT_CSS = PICKER_CSS.format(name="RepoSearchScreen") + """
    RepoSearchScreen #search-paths { color: $text-muted; }
    """
    BINDINGS = bindings_for("picker")

    def __init__(self, start: Starter, where: str, pattern: str = "") -> None:
        super().__init__()
        self.start_search = start
        self.where = where
        self.regex = False
        self.ignore_case = False
        self.hits: list[SearchHit] = []
        self.running: Search | None = None
        self.generation = 0
        self.finished = threading.Event()  # the current search ended (tests wait on it)
        self._pattern = Input(value=pattern, placeholder="search the repository…", id="search-pattern")
        self._paths = Input(placeholder="only paths (git pathspecs: src/ *.py), Tab to edit", id="search-paths")
        self._status = Label("", markup=False)
        self._list = OptionList()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Search {self.where}", markup=False)
            yield self._pattern
            yield self._paths
            yield self._status
            yield self._list

    def on_mount(self) -> None:
        self._pattern.focus()
        self.restart()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.restart()

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self.restart()

    def action_toggle_case(self) -> None:
        self.ignore_case = not self.ignore_case
        self.restart()

    def search_query(self) -> SearchQuery:
        paths = tuple(self._paths.value.split())
        return SearchQuery(self._pattern.value, regex=self.regex, ignore_case=self.ignore_case, paths=paths)

    def _keys(self) -> str:
        key_for = getattr(self.app, "key_for", None)
        regex, case = (key_for(i) for i in ("search_toggle_regex", "search_toggle_case")) if key_for else ("", "")
        return f"{regex}: regex · {case}: case · tab: path filter"

    def _mode(self) -> str:
        return f"{'regex' if self.regex else 'text'} · {'any case' if self.ignore_case else 'match case'}"

    def restart(self) -> None:
        """Cancel the running search and start the one the inputs describe."""
        if self.running is not None:
            self.running.close()
        self.generation += 1
        self.hits = []
        self._list.clear_options()
        self.finished.clear()
        query = self.search_query()
        if not query.pattern:
            self.running = None
            self._status.update(f"{self._mode()} · {self._keys()}")
            self.finished.set()
            return
        self._status.update(f"{self._mode()} · searching…")
        self.running = self.start_search(query)
        self.run_worker(
            partial(self._stream, self.running, self.generation),
            thread=True, group="repo-search", exit_on_error=False,
        )

    def _stream(self, search: Search, generation: int) -> None:
        """In a thread: hand hits over as they come, the first at once, then in batches."""
        batch: list[SearchHit] = []
        handed = 0.0  # when the last batch went (0: none yet)
        for hit in search:
            batch.append(hit)
            now = time.monotonic()
            if not handed or len(batch) >= SEARCH_BATCH or now - handed > FLUSH_SECONDS:
                self.app.call_from_thread(self._add, generation, batch)
                batch, handed = [], now
            if generation != self.generation:
                search.close()
                return
        if generation == self.generation:
            self.app.call_from_thread(self._add, generation, batch, search)

    def _add(self, generation: int, batch: list[SearchHit], ended: Search | None = None) -> None:
        if generation != self.generation:
            return
        self.hits.extend(batch)
        self._list.add_options([Option(inert(f"{hit.path}:{hit.line}: {hit.text.strip()}")) for hit in batch])
        if self._list.highlighted is None and self.hits:
            self._list.highlighted = 0
        if ended is not None:
            if ended.error:
                self._status.update(f"{self._mode()} · {ended.error}")
            else:
                more = "+ (stopped)" if ended.truncated else ""
                self._status.update(f"{self._mode()} · {len(self.hits)}{more} results")
            self.finished.set()

    def action_move(self, step: int) -> None:
        if self._list.option_count:
            current = self._list.highlighted if self._list.highlighted is not None else -1
            self._list.highlighted = max(0, min(self._list.option_count - 1, current + step))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self._list.highlighted
        if index is not None and index < len(self.hits):
            self.dismiss(self.hits[index])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.hits[event.option_index])

    def action_cancel(self) -> None:
        if self.running is not None:
            self.running.close()
        self.generation += 1
        self.dismiss(None)

    def on_unmount(self) -> None:
        if self.running is not None:
            self.running.close()

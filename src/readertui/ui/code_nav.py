"""Code navigation in the reader: go to definition, references, outline, workspace symbols and
repo-wide text search, plus the enclosing symbol of the cursor for the status line.

`CodeNav` is a collaborator of the main screen, like the picker flows. It works on the code
the source pane shows, at the checkout or at a note's older commit (then the symbol index of
that repo, the search and the references are all at that commit). The symbol index
(core/symbol_service.py) is built in the background from the start, by worker processes, with
its progress on the status line; an action that needs it before it is complete waits for it in
a thread. Every jump goes through the navigator, so it enters back/forward history.
"""

from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import Screen

from readertui.core import tags
from readertui.core.errors import ReadertuiError
from readertui.core.model import LineRange, Location, Project
from readertui.core.tags import Definition
from readertui.ui import workers
from readertui.ui.navigation import Navigator
from readertui.ui.session import Session
from readertui.ui.status import StatusModel

if TYPE_CHECKING:
    # The index's modules (sqlite3, multiprocessing, hashlib…) are imported on first use:
    # the first screen needs none of them.
    from readertui.core.model import Repo
    from readertui.core.search import Search, SearchHit, SearchQuery
    from readertui.core.symbol_service import SymbolService
    from readertui.core.symbols import RepoSymbols, SymbolHit

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
# Words that are never worth looking up (keywords and builtin types of the languages indexed).
KEYWORDS = frozenset(
    (
        "and", "as", "assert", "async", "await", "break", "case", "catch", "char", "class", "const",
        "continue", "def", "default", "defer", "del", "delete", "do", "double", "elif", "else", "enum",
        "except", "export", "extends", "extern", "false", "final", "finally", "float", "fn", "for",
        "from", "func", "function", "go", "goto", "if", "impl", "import", "in", "inline", "int",
        "interface", "is", "lambda", "let", "long", "match", "mod", "mut", "namespace", "new", "nil",
        "none", "None", "not", "null", "or", "package", "pass", "private", "protected", "pub", "public",
        "raise", "register", "return", "self", "Self", "short", "signed", "sizeof", "static", "struct",
        "super", "switch", "template", "this", "throw", "true", "True", "False", "try", "type",
        "typedef", "typename", "typeof", "union", "unsigned", "use", "using", "var", "virtual", "void",
        "volatile", "where", "while", "with", "yield", "bool", "str", "list", "dict", "tuple", "set",
        "auto", "const_cast", "static_cast", "reinterpret_cast", "dynamic_cast", "nullptr", "crate",
        "trait", "chan", "map", "range", "select", "fallthrough", "of", "instanceof", "undefined",
        "cls", "__global__", "__device__", "__host__",
    )
)
IMPORT_LINES = 3000  # lines of the file shown read for its imports (go-to-definition ranking)
PROGRESS_SECONDS = 0.2  # status line updates while indexing, at most this often
QUIET_SECONDS = 0.5  # a build finishing sooner never shows on the status line
# A citation is not labelled with these: `x = 1` or a prototype says nothing the lines do not.
UNNAMED_KINDS = frozenset({"constant", "prototype"})


def index_workers() -> int:
    """Worker processes for the index: two on a 2-core machine (the budget issue 10 measures);
    on bigger ones a core fewer than there are (one left to the reader), four at most."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 2
    return max(2, min(4, cpus - 1))


INDEX_WORKERS = index_workers()  # 0: in a thread of the reader (tests)


class IndexProgress(Message):
    """The background index advanced (done == total: finished)."""

    def __init__(self, done: int, total: int, repo: str) -> None:
        super().__init__()
        self.done, self.total, self.repo = done, total, repo


class FileSymbols(Message):
    """The definitions of the file just shown (for the outline and the status line)."""

    def __init__(self, location: Location, definitions: tuple[Definition, ...]) -> None:
        super().__init__()
        self.location, self.definitions = location, definitions


def words_on(text: str) -> list[tuple[int, int, str]]:
    """Identifiers of a line: (start, end, word), keywords left out."""
    return [(m.start(), m.end(), m.group()) for m in _IDENTIFIER.finditer(text) if m.group() not in KEYWORDS]


def word_at(text: str, column: int) -> str | None:
    """The identifier under `column` (or just before it), if any."""
    for start, end, word in words_on(text):
        if start <= column <= end:
            return word
    return None


class CodeNav:
    def __init__(self, screen: Screen[Any], session: Session, navigator: Navigator, status: StatusModel) -> None:
        self.screen = screen
        self.session = session
        self.navigator = navigator
        self.status = status
        self._service: SymbolService | None = None
        self.file: tuple[Location, tuple[Definition, ...]] | None = None  # the file shown's symbols
        self._last_progress = 0.0
        self._build_started = 0.0
        self._shown_progress = False
        self._started = False  # the first index of the session (see start_once)

    @property
    def service(self) -> SymbolService:
        if self._service is None:
            from readertui.core.symbol_service import SymbolService

            self._service = SymbolService(workers=INDEX_WORKERS)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.close()

    # ---- the background index and the file shown ------------------------------------

    def start_once(self, project: Project) -> None:
        """The session's first index: once the first note's citations are shown (what the
        reader looks at first: the build would compete with them), or a while after the
        first frame without them, whichever comes first."""
        if not self._started:
            self.start(project)

    def start(self, project: Project) -> None:
        """Index `project` in the background (the file shown first)."""
        self._started = True
        workers.run(self.screen, self._index, project, group="symbols", exclusive=True, thread=True)

    def _index(self, project: Project) -> None:
        self._build_started = time.monotonic()
        location = self.navigator.location
        at = (location.repo, location.commit) if location is not None and location.repo else None
        priority = (location.path,) if location is not None else ()
        self.service.project_tables(project, at, priority=priority, progress=self._progress)
        if self._shown_progress:
            total = sum(len(t.files) for t in self._loaded(project))
            self.screen.post_message(IndexProgress(total, total, ""))
        if self.service.problem:
            workers.post_failure(self.screen, "Symbol index", ReadertuiError(self.service.problem))

    def _loaded(self, project: Project) -> list[RepoSymbols]:
        tables = []
        for repo in project.repos:
            table = self.service.peek(repo)
            if table is not None:
                tables.append(table)
        return tables

    def _progress(self, done: int, total: int, repo: str) -> None:
        now = time.monotonic()
        if done >= total or now - self._build_started < QUIET_SECONDS or now - self._last_progress < PROGRESS_SECONDS:
            return
        self._last_progress = now
        self._shown_progress = True
        self.screen.post_message(IndexProgress(done, total, repo))

    def progress(self, event: IndexProgress) -> None:
        """Say on the status line how far the index is (nothing once it is complete)."""
        if event.done >= event.total:
            self.status.indexing = ""
            self._shown_progress = False
        else:
            self.status.indexing = f"indexing {event.repo} {event.done * 100 // max(1, event.total)}%"

    def file_shown(self, location: Location, text: str) -> None:
        """Parse the definitions of the file just shown (in a thread: tree-sitter holds the GIL
        for a few ms on big files), for the status line and the outline."""
        self.file = None
        language = tags.language_for(location.path, text[:200].encode("utf-8", "replace"))
        if language is None:
            return
        workers.run(
            self.screen, self._parse_shown, location, text, language, group="file-symbols", exclusive=True, thread=True
        )

    def _parse_shown(self, location: Location, text: str, language: str) -> None:
        data = text.encode("utf-8", "surrogateescape")
        # The index's row for these very bytes when it has one (a big C++ file takes ~300 ms
        # to parse, the lookup ~2 ms); content-addressed, so never stale. Not before the index
        # has started: the first screen must not wait for SQLite and the index's imports.
        definitions = self._service.stored_definitions(data, language) if self._service is not None else None
        if definitions is None:
            definitions = tuple(tags.definitions(data, language))
        self.screen.post_message(FileSymbols(location, definitions))

    def file_parsed(self, event: FileSymbols) -> None:
        if event.location == self.navigator.location:
            self.file = (event.location, event.definitions)

    def symbol_for(self, selection: LineRange) -> str | None:
        """The qualified name of the innermost definition holding all of `selection` (the file
        is parsed now if its background parse has not landed yet: a copy must not depend on it)."""
        location = self.navigator.location
        if location is None or location.repo is None:
            return None
        if self.file is None or self.file[0] != location:
            source = self.navigator.source
            text = "\n".join(source.line_text(n) for n in range(1, source.line_count + 1))
            language = tags.language_for(location.path, text[:200].encode("utf-8", "replace"))
            if language is None:
                return None
            self.file = (location, tuple(tags.definitions(text.encode("utf-8", "surrogateescape"), language)))
        holding = [
            d for d in self.file[1]
            if d.start <= selection.start and selection.end <= d.end and d.kind not in UNNAMED_KINDS
        ]
        if not holding:
            return None
        return min(holding, key=lambda d: (d.end - d.start, d.kind == "impl")).qualified

    def symbol_at(self, line: int) -> Definition | None:
        """The innermost definition around `line` of the file shown."""
        if self.file is None or self.file[0] != self.navigator.location:
            return None
        return tags.enclosing(self.file[1], line)

    # ---- go to definition --------------------------------------------------------------

    def goto_definition(self, column: int | None = None) -> None:
        workers.run(self.screen, self._goto_definition, column, group="picker", exclusive=True)

    async def _goto_definition(self, column: int | None) -> None:
        from readertui.ui.screens.pickers import ListPicker

        name = await self._name_under_cursor(column, "Go to the definition of")
        if name is None:
            return
        location = self.navigator.location
        assert location is not None
        source = self.navigator.source
        text = "\n".join(source.line_text(n) for n in range(1, min(source.line_count, IMPORT_LINES) + 1))
        hits = await workers.run(
            self.screen, self._definitions, location, name, source.cursor_line, text,
            group="symbol-lookup", thread=True,
        ).wait()
        if not hits:
            self.screen.notify(f"no definition of {name} found", severity="warning", timeout=3)
            return
        if len(hits) == 1:
            self.open_hit(hits[0])
            return
        items = [(f"{hit.citation}  {hit.definition.kind} {hit.definition.qualified}", hit) for hit in hits]
        chosen = await self.screen.app.push_screen_wait(ListPicker(f"Definitions of {name} ({len(hits)})", items))
        if chosen is not None:
            self.open_hit(chosen)

    def _definitions(self, location: Location, name: str, line: int, text: str) -> list[SymbolHit]:
        """Definitions of `name` in the project (the repo shown at the commit shown), ranked for
        the file shown; the definition the cursor is on is left out."""
        tables = self._tables(location)
        hits = [hit for table in tables for hit in table.named(name)]
        hits = [
            hit for hit in hits
            if not (hit.repo == location.repo and hit.path == location.path and hit.definition.line == line)
        ]
        from readertui.core.symbol_rank import import_hints, rank

        language = tags.language_for(location.path)
        hints = import_hints(text, language, name, location.path)
        return rank(hits, location.repo, location.path, hints)

    def _tables(self, location: Location) -> list[RepoSymbols]:
        project = self.navigator.project
        return self.service.project_tables(
            project, (location.repo or "", location.commit), priority=(location.path,), progress=self._progress
        )

    async def _name_under_cursor(self, column: int | None, question: str, prefer_defined: bool = False) -> str | None:
        """The identifier under the cursor column; on a line cursor with several names, ask."""
        from readertui.ui.screens.pickers import ListPicker

        if self.navigator.require_code() is None:
            return None
        source = self.navigator.source
        line = source.cursor_line
        text = source.line_text(line)
        column = source.cursor_column if column is None else column
        if column:
            word = word_at(text, column)
            if word is not None:
                return word
        words = list(dict.fromkeys(word for _, _, word in words_on(text)))
        if not words:
            self.screen.notify("no name on this line", severity="warning", timeout=3)
            return None
        defined_here = self.symbol_at(line)
        here = defined_here.name if defined_here is not None and defined_here.line == line else None
        if here in words:
            if prefer_defined:
                return here
            if len(words) > 1:
                words.remove(here)
        if len(words) == 1:
            return words[0]
        return await self.screen.app.push_screen_wait(ListPicker(f"{question}…", [(word, word) for word in words]))

    def open_hit(self, hit: SymbolHit) -> None:
        """Open a definition (at the commit its table is about when that is not the checkout)."""
        location = self.navigator.location
        commit = None
        if location is not None and hit.repo == location.repo:
            commit = location.commit
        target = Location(self.navigator.project.name, hit.repo, hit.path, hit.definition.line, commit=commit)
        self.navigator.open_location(target)
        self.screen.set_focus(self.navigator.source)

    # ---- references ---------------------------------------------------------------------

    def references(self) -> None:
        workers.run(self.screen, self._references, group="picker", exclusive=True)

    async def _references(self) -> None:
        from readertui.ui.screens.symbol_pickers import GroupedPicker

        name = await self._name_under_cursor(None, "References of", prefer_defined=True)
        if name is None:
            return
        location = self.navigator.location
        assert location is not None
        found = await workers.run(
            self.screen, self._find_references, location, name, group="symbol-lookup", thread=True
        ).wait()
        if found is None:
            return
        groups, count = found
        if not count:
            self.screen.notify(f"no use of {name} found", severity="warning", timeout=3)
            return
        picker = GroupedPicker(f"References of {name}: {count} in {len(groups)} files (◆ definition)", groups)
        chosen = await self.screen.app.push_screen_wait(picker)
        if chosen is not None:
            repo, path, line = chosen
            target = Location(self.navigator.project.name, repo, path, line, commit=location.commit)
            self.navigator.open_location(target, LineRange.single(line))
            self.screen.set_focus(self.navigator.source)

    def _find_references(
        self, location: Location, name: str
    ) -> tuple[list[tuple[str, list[tuple[str, tuple[str, str, int]]]]], int] | None:
        """Every whole-word use of `name` in the repo shown, at the commit shown (`git grep -w`),
        grouped by file, the definitions marked."""
        from readertui.core.search import SearchQuery, search

        try:
            _, repo = self.session.locate(location)
        except ReadertuiError as error:
            workers.post_failure(self.screen, "References", error)
            return None
        commit = self.service.commit_of(repo, location.commit)
        table = self.service.table(repo, location.commit, priority=(location.path,), progress=self._progress)
        defined = {(hit.path, hit.definition.line) for hit in table.named(name)} if table else set()
        running = search(repo.path, commit, SearchQuery(name, word=True))
        by_file: dict[str, list[tuple[str, tuple[str, str, int]]]] = {}
        count = 0
        for hit in running:
            mark = "◆" if (hit.path, hit.line) in defined else " "
            label = f"{hit.line:>6} {mark} {hit.text.strip()}"
            by_file.setdefault(hit.path, []).append((label, (repo.name, hit.path, hit.line)))
            count += 1
        if running.error:
            workers.post_failure(self.screen, "References", ReadertuiError(running.error))
        # The file shown first, then files holding a definition, then the rest by path.
        def order(path: str) -> tuple[bool, bool, str]:
            return (path != location.path, not any((path, line) in defined for _, (_, _, line) in by_file[path]), path)

        groups = [(f"{repo.name}/{path}", by_file[path]) for path in sorted(by_file, key=order)]
        return groups, count

    # ---- outline and workspace symbols ------------------------------------------------

    def outline(self) -> None:
        workers.run(self.screen, self._outline, group="picker", exclusive=True)

    async def _outline(self) -> None:
        from readertui.ui.screens.symbol_pickers import SymbolFinder

        location = self.navigator.require_code()
        if location is None:
            return
        definitions = self.file[1] if self.file is not None and self.file[0] == location else None
        if definitions is None:
            source = self.navigator.source
            text = "\n".join(source.line_text(n) for n in range(1, source.line_count + 1))
            language = tags.language_for(location.path, text[:200].encode())
            if language is None:
                self.screen.notify("no symbols for this kind of file", severity="warning", timeout=3)
                return
            definitions = tuple(tags.definitions(text.encode("utf-8", "surrogateescape"), language))
        if not definitions:
            self.screen.notify("no definitions in this file", timeout=3)
            return
        from readertui.core.symbols import SymbolHit

        hits = [SymbolHit(location.repo or "", location.path, d, location.commit) for d in definitions]
        chosen = await self.screen.app.push_screen_wait(
            SymbolFinder(hits, f"Outline of {location.path}", outline=True)
        )
        if chosen is not None:
            self.navigator.open_location(
                Location(location.project, location.repo, location.path, chosen.definition.line, commit=location.commit)
            )
            self.screen.set_focus(self.navigator.source)

    def workspace_symbols(self) -> None:
        workers.run(self.screen, self._workspace_symbols, group="picker", exclusive=True)

    async def _workspace_symbols(self) -> None:
        from readertui.ui.screens.symbol_pickers import SymbolFinder

        location = self.navigator.location
        project = self.navigator.project
        at = (location.repo, location.commit) if location is not None and location.repo else None
        if any(self.service.peek(repo, at[1] if at and repo.name == at[0] else None) is None
               or not self._complete(repo, at) for repo in project.repos if repo.path.is_dir()):
            self.screen.notify("indexing the project's symbols…", timeout=2)
        tables = await workers.run(
            self.screen, self.service.project_tables, project, at, group="symbol-lookup", thread=True
        ).wait()
        hits = [hit for table in tables or () for hit in table.hits()]
        if not hits:
            self.screen.notify("no definitions found in this project", severity="warning", timeout=3)
            return
        chosen = await self.screen.app.push_screen_wait(SymbolFinder(hits, f"Symbols of {project.name}"))
        if chosen is not None:
            self.open_hit(chosen)

    def _complete(self, repo: Repo, at: tuple[str, str | None] | None) -> bool:
        table = self.service.peek(repo, at[1] if at and repo.name == at[0] else None)
        return table is not None and table.complete

    # ---- repo-wide search ----------------------------------------------------------------

    def search_repo(self) -> None:
        workers.run(self.screen, self._search_repo, group="picker", exclusive=True)

    async def _search_repo(self) -> None:
        from readertui.core.search import search
        from readertui.ui.screens.symbol_pickers import RepoSearchScreen

        location = self.navigator.location
        project = self.navigator.project
        repo = project.repo(location.repo) if location is not None and location.repo else None
        if repo is None:
            repo = next((r for r in project.repos if r.path.is_dir()), None)
        if repo is None:
            self.screen.notify("no code to search in this project", severity="warning")
            return
        commit = location.commit if location is not None and location.repo == repo.name else None
        sha = self.service.commit_of(repo, commit)
        where = f"{repo.name}" + (f" at {sha[:7]}" if sha else "")
        source = self.navigator.source
        selected = ""
        if location is not None and source.cursor_column:
            selected = word_at(source.line_text(source.cursor_line), source.cursor_column) or ""

        def start(query: SearchQuery) -> Search:
            return search(repo.path, sha, query)

        chosen: SearchHit | None = await self.screen.app.push_screen_wait(RepoSearchScreen(start, where, selected))
        if chosen is not None:
            target = Location(project.name, repo.name, chosen.path, chosen.line, commit=commit)
            self.navigator.open_location(target, LineRange.single(chosen.line))
            self.screen.set_focus(self.navigator.source)

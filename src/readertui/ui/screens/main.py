"""The main screen: tree | source | notes, and the status line.

It receives the panes' requests (messages), turns them into core calls and sets the other
panes' state. What the reader captures from the code (log entries, bookmarks, the clipboard)
it hands to its `Capture` (ui/capture.py). Slow work (reading files and notes, resolving
citations, saving) runs in thread workers that end by posting a message; every user-facing
failure is a notification.
The resolver, the pickers, the capture flows and the bookmark store are imported where they are
used: the first screen needs none of them, and importing them took ~20 ms of the start-up.
"""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
from collections import Counter
from contextlib import nullcontext
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from readertui.core.backlinks import BacklinkIndex
from readertui.core.errors import ReadertuiError
from readertui.core.git import short
from readertui.core.history import History
from readertui.core.log import entries_for_day
from readertui.core.model import (
    Bookmark,
    CitationResult,
    LineRange,
    Location,
    Project,
    Status,
    Workspace,
)
from readertui.core.notes import read_text
from readertui.core.syntax import detect_language, warm_up
from readertui.core.workspace import load_workspace, note_files
from readertui.ui.bindings import bindings_for
from readertui.ui.messages import (
    BacklinksRequested,
    BookmarksSaved,
    CaptureRequested,
    CheckoutRequested,
    CitationActivated,
    CopyRequested,
    MarkToggled,
    OpenLocation,
    OpenNote,
)
from readertui.ui.session import Session
from readertui.ui.state import ViewState
from readertui.ui.widgets.key_hints import KeyHints
from readertui.ui.widgets.notes_view import NotesView
from readertui.ui.widgets.repo_tree import RepoTree, inert
from readertui.ui.widgets.source_pane import SourcePane
from readertui.ui.widgets.status_line import StatusInfo, StatusLine

if TYPE_CHECKING:
    from readertui.ui.capture import Capture
    from readertui.ui.screens.pickers import PathRanker

WORKER = {"thread": True, "exit_on_error": False}
WARM_LANGUAGES = 4  # the project's commonest code languages whose queries compile at start


class FileLoaded(Message):
    def __init__(self, location: Location, text: str, notice: str | None, select) -> None:
        super().__init__()
        self.location, self.text, self.notice, self.select = location, text, notice, select


class TagFound(Message):
    def __init__(self, location: Location, tag: str) -> None:
        super().__init__()
        self.location, self.tag = location, tag  # nearest tag of the commit shown


class NoteLoaded(Message):
    def __init__(self, path: Path, text: str, results: list[CitationResult] | None, line) -> None:
        super().__init__()
        self.path, self.text, self.line = path, text, line
        self.results = results  # None: not resolved yet (the text is shown first)


class ProjectIndexed(Message):
    def __init__(
        self, index: BacklinkIndex, bookmarks: tuple[Bookmark, ...], today: int, problems
    ) -> None:
        super().__init__()
        self.index, self.bookmarks, self.problems = index, bookmarks, problems
        self.today = today  # entries in today's section of the reading log


class WorkspaceReloaded(Message):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace


class Failed(Message):
    def __init__(self, title: str, error: Exception) -> None:
        super().__init__()
        self.title, self.error = title, str(error)


class MainScreen(Screen):
    BINDINGS = bindings_for("app")
    # The source pane has the focus from the start. Textual's default focuses the first
    # focusable widget (the tree), and moving it on restyled the tree twice before the first frame.
    AUTO_FOCUS = "#source"

    def __init__(
        self, session: Session, project: Project, state: ViewState, editor: str | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.project = project
        self.initial = state
        self.editor = editor
        self.location: Location | None = None  # what the source pane shows
        self.history = History()
        self.backlinks = BacklinkIndex()
        self.bookmarks: tuple[Bookmark, ...] = ()
        self.ranker: PathRanker | None = None
        self._followed: CitationResult | None = None  # the citation behind a commit view
        self._tag = ""  # nearest tag of the code shown
        self._today_entries = 0
        self._drift = ("", "")  # the status line's drift: (full, short for narrow terminals)
        self._unzoomed: list[bool] | None = None  # pane visibility to restore after a zoom
        self._review_memory: dict = {}  # the review screen's accept/reject, kept while it is away
        self._first_note: tuple[Path, str, int | None] | None = None  # resolved after 1st frame
        self._note_shown: tuple[Path, str] | None = None  # the note text in the notes pane
        self._resumed = False  # see on_screen_resume

    @cached_property
    def capture(self) -> Capture:
        """Log entries, bookmarks, the clipboard."""
        from readertui.ui.capture import Capture

        return Capture(self)

    # ---- layout

    def compose(self) -> ComposeResult:
        # Flat on purpose: each pane's title is its border title, not a widget of its own. Two
        # title bars, a banner and the two columns holding them cost ~14 ms of the first frame.
        with Horizontal(id="panes"):
            yield RepoTree(self.session.workspace, self.session.list_files, id="tree")
            yield SourcePane(id="source")
            yield NotesView(id="notes")
        yield StatusLine(id="status")
        yield KeyHints()

    @property
    def source(self) -> SourcePane:
        return self.query_one("#source", SourcePane)

    @property
    def notes(self) -> NotesView:
        return self.query_one("#notes", NotesView)

    def on_mount(self) -> None:
        theme = self.app.ui_theme
        for view in (self.source, self.notes):
            view.set_styles(theme.syntax, theme.marks)
        self.source.load(self._welcome(), name="welcome")
        self.query_one("#tree").display = self.initial.show_tree
        self.notes.display = self.initial.show_notes
        note = self.project.path / self.initial.note if self.initial.note else None
        self.notes.hold_highlighting()  # until the first frame is out: see first_frame_shown
        self._show_first_note(note if note and note.is_file() else self._default_note(), None)
        if self.initial.location is not None:
            self.open_location(self.initial.location)

    def first_frame_shown(self) -> None:
        """Start what would have slowed the first frame (each thread holds the GIL for a while,
        and the frame competes with them): resolving the first note's citations, highlighting
        it, indexing the project's citations and compiling grammars. The app calls this on
        Textual's `Ready` event: `call_after_refresh` callbacks can run before any frame is out
        while Textual starts up."""
        if not gc.isenabled():  # the command line turned it off for the start (cli._open_tui)
            # What start-up built lives as long as the reader: frozen, later collections need
            # not walk it (full ones took 60-100 ms while a 5,000-entry folder filled the tree).
            gc.freeze()
            gc.enable()
        if self._first_note is not None:
            self._resolve_note(*self._first_note)
            self._first_note = None
        self.notes.release_highlighting()
        self._index_project(self.project)
        self._warm_up_grammars(self.project)

    @work(exclusive=True, group="warm-up", **WORKER)
    def _warm_up_grammars(self, project: Project) -> None:
        """Compile the highlight queries of the languages this project will show (Python, the
        notes' Markdown, and its files' commonest languages, guessed from their extensions),
        so the first file of each opens highlighted at once: compiling takes 20-130 ms each.
        The file lists are cached by the session, for the tree and the finder."""
        suffixes: Counter[str] = Counter()
        for repo in project.repos:
            if not (repo.path.is_dir() and repo.is_git):
                continue
            try:
                files = self.session.list_files(project, repo)
            except ReadertuiError:
                continue  # the tree says why it cannot list the repo; the guess skips it
            suffixes.update(path.rpartition(".")[2].lower() for path in files)
        guessed = [detect_language(f"x.{suffix}") for suffix, _ in suffixes.most_common()]
        wanted = ["markdown", "python", *[language for language in guessed if language]]
        for language in list(dict.fromkeys(wanted))[: WARM_LANGUAGES + 2]:
            warm_up(language)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler. On the first resume every node was styled as it
        # mounted, a moment before: Textual's restyle of the whole screen there is redundant
        # (~40 style applications before the first frame). Later resumes (after a modal, a
        # theme change) keep it.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _welcome(self) -> str:
        key = self.app.key_for
        return (
            f"readertui: {self.project.name}\n\n"
            f"  {key('find_file')}  find a file      {key('focus_tree')}/{key('focus_source')}/"
            f"{key('focus_notes')}  tree / source / notes\n"
            f"  {key('follow_citation')}  open the citation under the cursor in the notes\n"
            f"  {key('show_help')}  every key\n"
        )

    def _default_note(self) -> Path:
        log = self.project.reading_log
        if log.is_file():
            return log
        notes = note_files(self.project)
        return notes[0] if notes else log

    # ---- opening code

    @on(OpenLocation)
    def _open_location(self, event: OpenLocation) -> None:
        self.open_location(event.location, event.select, record=event.record)

    def open_location(
        self, location: Location, select: LineRange | None = None, record: bool = True
    ) -> None:
        if location.repo is None:  # a note location (from history)
            self.open_note(self._project_path(location) / location.path, location.line, record=record)
            return
        if location.project != self.project.name:
            self._switch_project(location.project, open_log=True)
        if record:
            self.history = self.history.visit(location, origin=self._here())
        self._load_file(location, select)

    @work(exclusive=True, group="source", **WORKER)
    def _load_file(self, location: Location, select: LineRange | None) -> None:
        try:
            text, notice = self.session.read_code(location)
        except ReadertuiError as error:
            self.post_failure("Cannot open file", error)
            return
        self.post_message(FileLoaded(location, text, notice, select))
        # The tag only feeds the status line, and its `git describe` takes ~50 ms the first
        # time per commit: looked up once the file is on its way to the screen.
        try:
            tag = self.session.tag(location)
        except ReadertuiError as error:
            self.log.warning(f"no tag for {location.path}: {error}")
            return
        self.post_message(TagFound(location, tag))

    @on(TagFound)
    def _tag_found(self, event: TagFound) -> None:
        if self.location is not None and (event.location.repo, event.location.commit) == (
            self.location.repo, self.location.commit
        ):
            self._tag = event.tag
            self._update_status()

    @on(FileLoaded)
    def _file_loaded(self, event: FileLoaded) -> None:
        location = event.location
        source = self.source
        source.load(event.text, path=location.path, name=f"{location.repo}/{location.path}")
        notice = event.notice or source.notice  # undecodable bytes, or why it is plain text
        if notice:
            self.notify(notice, title=location.path, severity="warning")
        line = event.select.start if event.select else location.line
        source.goto(max(1, min(line, source.line_count)), select=event.select)
        shown = self.location
        if shown is None or (shown.repo, shown.commit) != (location.repo, location.commit):
            self._tag = ""  # until TagFound says
        self.location = location
        self._show_source_title(location)
        self._refresh_marks()
        self._update_status()

    def _show_source_title(self, location: Location) -> None:
        """The file shown; at a note's commit, a warning-coloured title says so and how to get
        back, first: a narrow pane crops the title's end."""
        title = f"{location.repo}/{location.path}"
        if location.commit is not None:
            keys = self.app.key_for("open_checkout")
            title = f"At {short(location.commit)} (note's commit) · {keys}: checkout · {title}"
        self.source.border_title = inert(title)  # Text: a str border title is parsed as markup
        self.source.set_class(location.commit is not None, "-at-commit")

    def _here(self) -> Location | None:
        """The place the reader is at: the focused pane's file and cursor line."""
        notes = self.notes
        if self.focused is notes and notes.note_path is not None:
            relative = notes.note_path.relative_to(self.project.path).as_posix()
            return Location(self.project.name, None, relative, notes.cursor_line)
        if self.location is not None:
            return msgspec.structs.replace(self.location, line=self.source.cursor_line)
        return None

    def _refresh_marks(self) -> None:
        location = self.location
        if location is None or location.repo is None:
            return
        marks: dict[int, str] = {}
        for line in self.backlinks.cited_lines(location.repo, location.path, location.commit):
            marks[line] = "cited"
        for bookmark in self.bookmarks:
            if (bookmark.repo, bookmark.path) == (location.repo, location.path):
                for line in range(bookmark.range.start, bookmark.range.end + 1):
                    marks[line] = "both" if marks.get(line) in ("cited", "both") else "bookmark"
        self.source.set_marks(marks)

    @on(SourcePane.CursorMoved)
    def _cursor_moved(self, event: SourcePane.CursorMoved) -> None:
        if event.view is self.source:
            self._update_status()

    # ---- notes

    @on(OpenNote)
    def _open_note(self, event: OpenNote) -> None:
        self.open_note(event.path, event.line)

    def open_note(self, path: Path, line: int | None = None, record: bool = False) -> None:
        owner = self.session.workspace.project_for(path)
        if owner is not None and owner.name != self.project.name:
            self._switch_project(owner.name, open_log=False)
        if record:
            relative = path.relative_to(self.project.path).as_posix()
            target = Location(self.project.name, None, relative, line or 1)
            self.history = self.history.visit(target, origin=self._here())
        self._load_note(path, line)

    @work(exclusive=True, group="note", **WORKER)
    def _load_note(self, path: Path, line: int | None) -> None:
        try:
            text = _read_note(path)
        except ReadertuiError as error:
            self.post_failure("Cannot read note", error)
            return
        # The text at once: resolving its citations runs git (~0.3 s for a big note).
        self.post_message(NoteLoaded(path, text, None, line))
        self._resolve_citations(path, text, line)

    def _show_first_note(self, path: Path, line: int | None) -> None:
        """Read the first note here rather than in a worker, so that the first frame shows it:
        a worker's answer lands a frame later (~70 ms more of the start-up, measured). A note
        reads in milliseconds; resolving its citations waits for a worker as for any note."""
        try:
            text = _read_note(path)
        except ReadertuiError as error:
            self._failed(Failed("Cannot read note", error))
            return
        self._note_loaded(NoteLoaded(path, text, None, line))
        self._first_note = (path, text, line)

    @work(exclusive=True, group="note", **WORKER)
    def _resolve_note(self, path: Path, text: str, line: int | None) -> None:
        self._resolve_citations(path, text, line)

    def _resolve_citations(self, path: Path, text: str, line: int | None) -> None:
        """Resolve the citations of the note just shown (in a worker), posting the results."""
        from readertui.core.resolve import Resolver

        try:
            project = self.session.workspace.project_for(path) or self.project
            results = Resolver(self.session.workspace, project).resolve_note(path, text)
        except ReadertuiError as error:
            self.post_failure("Cannot read note", error)
            return
        self.post_message(NoteLoaded(path, text, results, line))

    @on(NoteLoaded)
    def _note_loaded(self, event: NoteLoaded) -> None:
        title = event.path.relative_to(self.project.path).as_posix()
        if event.results is not None and self._note_shown == (event.path, event.text):
            self.notes.set_results(event.results)  # the text is on screen already
        else:
            self.notes.show_note(event.path, event.text, event.results or [], event.line)
            self._note_shown = (event.path, event.text)
            if self.notes.too_big_to_wrap:  # said once per note shown; the title keeps a mark
                self.notify(
                    f"{title} has {self.notes.line_count:,} lines: too long to wrap, "
                    "so it is shown one row per line (scroll sideways for the rest).",
                    title="Not wrapped",
                )
        if self.notes.too_big_to_wrap:
            title += " · unwrapped"  # short: a narrow notes pane crops its title
        self.notes.border_title = inert(title)
        if event.path == self.project.reading_log:
            self._today_entries = len(entries_for_day(event.text, date.today()))
        self._drift = self._drift_texts(self.notes.results)
        self._update_status()

    def _project_path(self, location: Location) -> Path:
        project = self.session.workspace.project(location.project)
        return (project or self.project).path

    def _switch_project(self, name: str, open_log: bool) -> None:
        """Make `name` the current project: its notes, bookmarks, backlinks and files."""
        project = self.session.workspace.project(name)
        if project is None:
            return
        self.project = project
        self.ranker = None
        self.backlinks, self.bookmarks = BacklinkIndex(), ()
        self._index_project(project)
        if open_log:
            self.open_note(self._default_note())

    @work(exclusive=True, group="index", **WORKER)
    def _index_project(self, project: Project) -> None:
        """Resolve every note of the project (for backlinks and marks) and load bookmarks."""
        from readertui.core.resolve import Resolver

        problems: list[str] = []
        resolver = Resolver(self.session.workspace, project)
        results: list[CitationResult] = []
        for note in note_files(project):
            try:
                results.extend(resolver.resolve_note(note))
            except ReadertuiError as error:
                problems.append(str(error))
        from readertui.core import bookmarks as bookmark_store

        marks, bookmark_problems = bookmark_store.load(project)
        problems.extend(str(problem) for problem in bookmark_problems)
        today = 0
        if project.reading_log.is_file():
            try:
                today = len(entries_for_day(read_text(project.reading_log), date.today()))
            except ReadertuiError as error:
                problems.append(str(error))
        self.post_message(ProjectIndexed(BacklinkIndex(results), tuple(marks), today, problems))

    @on(ProjectIndexed)
    def _project_indexed(self, event: ProjectIndexed) -> None:
        self.backlinks, self.bookmarks = event.index, event.bookmarks
        self._today_entries = event.today
        for problem in event.problems:
            self.notify(problem, severity="warning", timeout=8)
        self._refresh_marks()
        self._update_status()

    @on(CitationActivated)
    def _follow(self, event: CitationActivated) -> None:
        result = event.result
        if result.status is Status.AMBIGUOUS and result.candidates:
            self._pick_candidate(result)
            return
        if result.repo is None or result.path is None:
            self.notify(result.detail or "this citation points nowhere", severity="warning")
            return
        self._open_result(result, result.repo, result.path)

    @work(exclusive=True, group="picker", exit_on_error=False)
    async def _pick_candidate(self, result: CitationResult) -> None:
        from readertui.ui.screens.pickers import ListPicker

        items = [(candidate, candidate) for candidate in result.candidates]
        chosen = await self.app.push_screen_wait(
            ListPicker(f"{result.citation.text} is ambiguous: which file?", items)
        )
        if chosen:
            repo, _, path = chosen.partition("/")
            self._open_result(result, repo, path)

    def _open_result(self, result: CitationResult, repo_name: str, path: str) -> None:
        repo = self.project.repo(repo_name)
        head = self.session.head(repo) if repo else None
        at_commit = result.commit if result.commit and result.commit != head else None
        if result.status is Status.OUT_OF_RANGE:
            self.notify(result.detail or "lines past the end of the file", severity="warning")
        select = result.ranges[0] if result.ranges else None
        self._followed = result if at_commit else None
        location = Location(self.project.name, repo_name, path, select.start if select else 1,
                            commit=at_commit)
        self.open_location(location, select)
        self.set_focus(self.source)

    @on(CheckoutRequested)
    def _checkout(self) -> None:
        location = self.location
        if location is None or location.commit is None:
            self.notify("already showing the checked-out file")
            return
        path, line = location.path, self.source.cursor_line
        followed = self._followed
        if followed is not None and followed.new_path:
            path = followed.new_path
            if followed.new_ranges and followed.ranges:
                line = max(1, line + followed.new_ranges[0].start - followed.ranges[0].start)
        self._followed = None
        self.open_location(msgspec.structs.replace(location, path=path, line=line, commit=None))

    # ---- capture: the source pane's requests bubble to the screen; ui/capture.py does them

    @on(CaptureRequested)
    def _capture(self, event: CaptureRequested) -> None:
        self.capture.log_entry(event.selection)

    @on(MarkToggled)
    def _toggle_mark(self, event: MarkToggled) -> None:
        self.capture.toggle_bookmark(event.selection)

    @on(CopyRequested)
    def _copy(self, event: CopyRequested) -> None:
        self.capture.copy(event.selection, permalink=event.permalink)

    @on(BookmarksSaved)
    def _bookmarks_saved(self, event: BookmarksSaved) -> None:
        self.bookmarks = event.bookmarks
        self.notify(event.message, timeout=3)
        self._refresh_marks()
        self._update_status()

    def require_code(self) -> Location | None:
        """The file in the source pane; None, after saying so, when no file is open."""
        if self.location is None or self.location.repo is None:
            self.notify("open a source file first", severity="warning")
            return None
        return self.location

    # ---- links back and history

    @on(BacklinksRequested)
    @work(exclusive=True, group="picker", exit_on_error=False)
    async def _backlinks(self, event: BacklinksRequested) -> None:
        from readertui.ui.screens.pickers import ListPicker

        location = self.require_code()
        if location is None:
            return
        links = self.backlinks.citing(
            location.repo or "", location.path, self.source.cursor_line, location.commit
        )
        if not links:
            self.notify("no note cites this line", timeout=3)
            return
        items = [
            (f"{link.note.relative_to(self.project.path)}:{link.note_line}  {link.text}", link)
            for link in links
        ]
        chosen = await self.app.push_screen_wait(ListPicker("Notes citing this line", items))
        if chosen is not None:
            self.open_note(chosen.note, chosen.note_line, record=True)
            self.set_focus(self.notes)

    def action_history_back(self) -> None:
        self.history, target = self.history.back(self._here())
        self._go(target, "no earlier place")

    def action_history_forward(self) -> None:
        self.history, target = self.history.forward(self._here())
        self._go(target, "no later place")

    def _go(self, target: Location | None, nothing: str) -> None:
        if target is None:
            self.notify(nothing, timeout=2)
        elif target.repo is None:
            self.open_note(self._project_path(target) / target.path, target.line)
            self.set_focus(self.notes)
        else:
            self.open_location(target, record=False)
            self.set_focus(self.source)

    # ---- pickers

    @work(exclusive=True, group="picker", exit_on_error=False)
    async def action_find_file(self) -> None:
        from readertui.ui.screens.pickers import FileFinder

        if self.ranker is None:
            self.ranker = await self._build_ranker().wait()
        chosen = await self.app.push_screen_wait(FileFinder(self.ranker))
        if chosen:
            repo, _, path = chosen.partition("/")
            self.open_location(Location(self.project.name, repo, path))
            self.set_focus(self.source)

    @work(thread=True, exclusive=True, group="ranker")
    def _build_ranker(self) -> PathRanker:
        from readertui.ui.screens.pickers import PathRanker

        return PathRanker(self.session.project_paths(self.project))

    @work(exclusive=True, group="picker", exit_on_error=False)
    async def action_bookmark_list(self) -> None:
        from readertui.ui.screens.pickers import BookmarkPicker

        if not self.bookmarks:
            self.notify("no bookmarks yet", timeout=3)
            return
        choice = await self.app.push_screen_wait(BookmarkPicker(self.bookmarks))
        if choice is None:
            return
        mark = choice.bookmark
        if choice.action == "jump":
            self.open_location(
                Location(self.project.name, mark.repo, mark.path, mark.range.start), mark.range
            )
            self.set_focus(self.source)
        elif choice.action == "delete":
            self.capture.delete_bookmark(mark)
        elif choice.action == "rename":
            await self.capture.rename_bookmark(mark)

    @work(exclusive=True, group="picker", exit_on_error=False)
    async def action_switch_note(self) -> None:
        from readertui.ui.screens.pickers import ListPicker

        notes_dir = self.project.notes_dir
        found = await asyncio.to_thread(note_files, self.project)  # a walk: off the event loop
        items = [(p.relative_to(notes_dir).as_posix(), p) for p in found]
        chosen = await self.app.push_screen_wait(ListPicker("Open note", items))
        if chosen is not None:
            self.open_note(chosen, record=True)
            self.set_focus(self.notes)

    # ---- panes

    def action_focus_tree(self) -> None:
        self._focus_pane("#tree")

    def action_focus_source(self) -> None:
        self._focus_pane("#source")

    def action_focus_notes(self) -> None:
        self._focus_pane("#notes")

    def _focus_pane(self, selector: str) -> None:
        pane = self.query_one(selector)
        if self._unzoomed is not None:
            self._unzoom()
            self._zoom(pane)
        pane.display = True
        # Focus moves at once (`set_focus`, throughout this screen), not with `pane.focus()`, which
        # waits its turn behind keys already typed: "3]⏎" in one burst sent "]" and Enter to the
        # pane being left.
        self.set_focus(pane)

    def action_toggle_tree(self) -> None:
        self._toggle(self.query_one("#tree"))

    def action_toggle_notes(self) -> None:
        self._toggle(self.notes)

    def _toggle(self, pane: Widget) -> None:
        self._unzoom()
        pane.display = not pane.display
        if not pane.display and self.focused is pane:
            self.set_focus(self.source)

    def action_zoom_pane(self) -> None:
        if self._unzoomed is not None:
            self._unzoom()
            return
        if self.focused in self._panes():
            self._zoom(self.focused)

    def _zoom(self, target: Widget) -> None:
        self._unzoomed = [pane.display for pane in self._panes()]
        for pane in self._panes():
            pane.display = pane is target
            pane.set_class(pane is target, "zoom-target")

    def _unzoom(self) -> None:
        if self._unzoomed is None:
            return
        for pane, shown in zip(self._panes(), self._unzoomed):
            pane.display = shown
            pane.remove_class("zoom-target")
        self._unzoomed = None

    def _panes(self) -> list[Widget]:
        return [self.query_one("#tree"), self.source, self.notes]

    # ---- editor, reload, help

    def action_open_in_editor(self) -> None:
        path = self.notes.note_path
        if path is None or not path.exists():
            self.notify("no note to edit", severity="warning")
            return
        command = self.editor or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        import shlex

        argv = [*shlex.split(command), f"+{self.notes.cursor_line}", str(path)]
        # A headless app (tests) has no terminal to hand over; a real one suspends.
        suspended = nullcontext() if self.app.is_headless else self.app.suspend()
        try:
            with suspended:
                subprocess.run(argv, check=False)
        except OSError as error:
            self.notify(f"cannot run {argv[0]}: {error.strerror}", severity="error")
        self._load_note(path, None)

    def action_reload(self) -> None:
        """Reload the workspace (commits may have moved), then the note and file shown."""
        self._reload_workspace()

    @work(**WORKER, exclusive=True, group="reload")
    def _reload_workspace(self) -> None:
        try:
            workspace = load_workspace(self.session.workspace.root)
        except ReadertuiError as error:
            self.post_failure("Reload", error)
            return
        self.post_message(WorkspaceReloaded(workspace))

    @on(WorkspaceReloaded)
    def _workspace_reloaded(self, event: WorkspaceReloaded) -> None:
        if event.workspace != self.session.workspace:
            self.query_one(RepoTree).show_workspace(event.workspace)
        self.session.refresh(event.workspace)
        self.project = event.workspace.project(self.project.name) or self.project
        self.ranker = None  # the file finder lists the files anew
        if self.notes.note_path is not None:
            self._load_note(self.notes.note_path, None)
        if self.location is not None:
            self.open_location(msgspec.structs.replace(self.location, line=self.source.cursor_line), record=False)
        self._index_project(self.project)

    def action_show_help(self) -> None:
        self.app.action_show_help()

    def action_review_drift(self) -> None:
        from readertui.ui.screens.review import ReviewScreen

        screen = ReviewScreen(self.session, self.project, self._review_memory)
        self.app.push_screen(screen, self._review_closed)

    def action_update_repo(self) -> None:
        from readertui.ui.screens.review import ReviewScreen

        screen = ReviewScreen(self.session, self.project, self._review_memory, update=True)
        self.app.push_screen(screen, self._review_closed)

    def _review_closed(self, outcome) -> None:
        """Open the version the review asked for, or reload the notes it rewrote."""
        if outcome is None:
            return
        if outcome.open is not None:
            location, select = outcome.open
            self.open_location(location, select)
            self.set_focus(self.source)
        if outcome.applied is not None:
            self.action_reload()

    def action_command_palette(self) -> None:
        self.app.action_command_palette()

    async def action_quit(self) -> None:
        await self.app.run_action("app.quit")

    # ---- status and errors

    def _update_status(self) -> None:
        location = self.location
        info = StatusInfo(project=self.project.name, bookmarks=len(self.bookmarks))
        if location is not None and location.repo is not None:
            _, repo = self.session.locate(location)
            commit = location.commit or repo.head
            info = msgspec.structs.replace(
                info,
                repo=location.repo,
                commit=short(commit) if commit else "",
                tag=self._tag,
                file=location.path,
                line=self.source.cursor_line,
                viewing_commit=location.commit is not None,
            )
        drift, drift_short = self._drift
        info = msgspec.structs.replace(
            info, today_entries=self._today_entries, drift=drift, drift_short=drift_short
        )
        self.query_one(StatusLine).info = info

    def _drift_texts(self, results: tuple[CitationResult, ...]) -> tuple[str, str]:
        """Says so, in full and in short, when the note's citations are about a commit other
        than the checkout."""
        heads = {r.repo: r for r in results if r.commit and r.repo}
        for repo_name, result in heads.items():
            repo = self.project.repo(repo_name)
            if repo is not None and repo.head and result.commit != repo.head:
                notes = f"notes @ {short(result.commit or '')} ≠"
                return f"{notes} {repo_name} @ {short(repo.head)}", f"{notes} checkout"
        return "", ""

    def post_failure(self, title: str, error: Exception) -> None:
        """Tell the reader that work failed; safe from any thread (it posts a message)."""
        self.post_message(Failed(title, error))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.notify(event.error, title=event.title, severity="error", timeout=8)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A worker that raised (workers never exit the app): tell the user, in one line."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            self.notify(str(error) or type(error).__name__, severity="error", timeout=8)


def _read_note(path: Path) -> str:
    """A note's text; a note not written yet reads as empty (it is created on the first entry)."""
    return read_text(path) if path.exists() else ""

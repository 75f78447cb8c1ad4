"""The main screen: tree | source | notes, and the status line.

Composition and key routing. The screen builds the panes and one collaborator per
responsibility (navigation, note loading, project index, layout, status, pickers, capture, code
navigation, project switch, review; docs/DESIGN.md lists them), receives the panes' requests
(messages) and its workers' answers, and hands each to the collaborator that owns it. Slow work
runs in thread workers that end by posting a message (ui/workers.py); every failure is a
notification. What the first screen does not need (resolver, pickers, capture, bookmark store)
is imported where it is used: importing it took ~20 ms of the start-up.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from readertui.core.model import Location, Project
from readertui.core.workspace import is_file_quietly
from readertui.ui.bindings import bindings_for
from readertui.ui.code_nav import CodeNav, FileSymbols, IndexProgress
from readertui.ui.editor import edit_note
from readertui.ui.layout import PaneLayout
from readertui.ui.log_watch import POLL_SECONDS, FileWatch, LogWatch
from readertui.ui.messages import (
    BacklinksRequested,
    BookmarksSaved,
    CaptureRequested,
    CheckoutRequested,
    CitationActivated,
    CopyRequested,
    MarkToggled,
    NavigationRequested,
    OpenLocation,
    OpenNote,
)
from readertui.ui.navigation import FileLoaded, Navigator, TagFound
from readertui.ui.note_loader import NoteLoaded, NoteLoader, default_note
from readertui.ui.picker_flows import PickerFlows
from readertui.ui.project_index import ProjectIndex, ProjectIndexed
from readertui.ui.project_switch import ProjectSwitch
from readertui.ui.reload import WorkspaceReloaded, reload_workspace
from readertui.ui.review_flow import ReviewFlow
from readertui.ui.session import Session
from readertui.ui.state import ViewState
from readertui.ui.status import StatusModel
from readertui.ui.widgets.code_view import CodeView
from readertui.ui.widgets.key_hints import KeyHints
from readertui.ui.widgets.notes_view import NotesView
from readertui.ui.widgets.repo_tree import RepoTree
from readertui.ui.widgets.source_pane import SourcePane, welcome_text
from readertui.ui.widgets.status_line import StatusLine
from readertui.ui.workers import Failed

if TYPE_CHECKING:
    from readertui.core.model import LineRange
    from readertui.ui.capture import Capture


SYMBOLS_START_SECONDS = 2.0  # the symbol index's start without a note's citations (CodeNav.start_once)


class MainScreen(Screen[None]):
    BINDINGS = bindings_for("app")
    # The source pane has the focus from the start. Textual's default focuses the first
    # focusable widget (the tree), and moving it on restyled the tree twice before the first frame.
    AUTO_FOCUS = "#source"

    def __init__(
        self, session: Session, project: Project, state: ViewState, editor: str | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.initial = state
        self.editor = editor
        self.status_model = StatusModel()
        self.navigator = Navigator(self, session, project, self.status_model)
        self.note_loader = NoteLoader(self, session, self.navigator, self.status_model)
        self.index = ProjectIndex(self, session)
        self.pane_layout = PaneLayout(self)
        self.pickers = PickerFlows(self, session, self.navigator, self.index, lambda: self.capture)
        self.code_nav = CodeNav(self, session, self.navigator, self.status_model)
        self.pickers.enclosing = self.code_nav.symbol_at
        self.review = ReviewFlow(self, session, self.open_location, self.action_reload)
        self._resumed = False  # see on_screen_resume
        self._restoring = False  # the last session's file is being read (see view_state)
        self.log_watch = LogWatch(project.reading_log)  # to notice edits made outside
        self.bookmarks_watch = FileWatch(project.bookmarks_file)
        self.project_switch = ProjectSwitch(
            self, session, self.navigator, self.note_loader, self.index, self.pickers,
            self.code_nav, self.log_watch, self.bookmarks_watch,
        )
        self.navigator.load_note = self.note_loader.load
        self.navigator.switch_project = self.project_switch.switch

    @cached_property
    def capture(self) -> Capture:
        """Log entries, bookmarks, the clipboard."""
        from readertui.ui.capture import Capture

        return Capture(self, self.session, self.navigator, self.index, self.code_nav.symbol_for)

    # The place, as the app (saving state) and tests read it.

    @property
    def project(self) -> Project:
        return self.navigator.project

    @property
    def location(self) -> Location | None:
        return self.navigator.location

    def view_state(self) -> ViewState:
        """The place to restore next time: project, note, file at the cursor line, panes shown.

        While the last session's file is still being read, that file is the place (a state
        saved then must not forget it)."""
        project = self.project
        location = self.location
        if location is not None:
            location = msgspec.structs.replace(location, line=self.source.cursor_line)
        elif self._restoring:
            location = self.initial.location
        note = self.notes.note_path
        if note is not None and project.path not in note.parents:
            note = None  # another project's note: the next start opens the project's log
        if location is not None and location.project != project.name:
            location = None  # the next start checks this too (ui/state.py: fit_state)
        # A pane a narrow terminal hid counts as shown: the next, wider start shows it.
        shown = self.pane_layout.shown_by_user()
        return ViewState(
            project=project.name,
            note=note.relative_to(project.path).as_posix() if note else None,
            location=location,
            show_tree=shown[0],
            show_notes=shown[2],
        )

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
        app: Any = self.app  # the ReaderApp (not imported: it imports this module)
        theme, settings = app.ui_theme, app.settings
        for view in (self.source, self.notes):
            view.set_theme_styles(theme.syntax, theme.marks)
            view.configure(tab_width=settings.tab_width, highlight_max_bytes=settings.highlight_max_bytes)
        self.source.load(welcome_text(self.project.name, app.key_for), name="welcome")
        self.query_one("#tree").display = self.initial.show_tree
        self.notes.display = self.initial.show_notes
        note = self.project.path / self.initial.note if self.initial.note else None
        self.notes.hold_highlighting()  # until the first frame is out: see first_frame_shown
        first = note if note and is_file_quietly(note) else default_note(self.project)
        self.note_loader.show_first(first, None)
        self._update_status()
        if self.initial.location is not None:
            self._restoring = True
            self.open_location(self.initial.location)

    def first_frame_shown(self) -> None:
        """Start what would have slowed the first frame (each thread holds the GIL for a while,
        and the frame competes with them): resolving the first note's citations, highlighting
        it, indexing the project's citations and compiling grammars. The app calls this on
        Textual's `Ready` event: `call_after_refresh` callbacks can run before any frame is out
        while Textual starts up."""
        self.note_loader.resolve_first()
        self.notes.release_highlighting()
        self.index.start(self.project)
        self.index.warm_up_grammars(self.project)
        self.set_interval(POLL_SECONDS, self.check_outside_edits)
        self.set_timer(SYMBOLS_START_SECONDS, lambda: self.code_nav.start_once(self.project))

    def on_unmount(self) -> None:
        self.code_nav.close()

    def check_outside_edits(self) -> None:
        """Run when the terminal gets the focus back and every few seconds (see NoteLoader)."""
        if self.note_loader.outside_edit(self.log_watch):
            self._update_status()
        # Only once the index brought the list: a change seen before is kept for that look.
        if self.index.bookmarks_loaded and self.bookmarks_watch.changed():
            # `readertui bookmarks rename/remove` from a shell, an editor: the list, the ★
            # count and the gutter follow (a small file, read here)
            self.index.reload_bookmarks(self.project)
            self._refresh_marks()
            self._update_status()

    def on_resize(self) -> None:
        self.pane_layout.fit_width(self.size.width)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler. On the first resume every node was styled as it
        # mounted, a moment before: Textual's restyle of the whole screen there is redundant
        # (~40 style applications before the first frame). Later resumes (after a modal, a
        # theme change) keep it.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    # ---- the place: code, notes, projects

    def open_location(
        self, location: Location, select: LineRange | None = None, record: bool = True
    ) -> None:
        self.navigator.open_location(location, select, record)

    def open_note(self, path: Path, line: int | None = None, record: bool = False) -> None:
        self.navigator.open_note(path, line, record)

    @on(OpenLocation)
    def _open_location(self, event: OpenLocation) -> None:
        self.open_location(event.location, event.select, record=event.record)

    @on(OpenNote)
    def _open_note(self, event: OpenNote) -> None:
        # A note opened from the tree or after a log entry is a jump like any other.
        self.open_note(event.path, event.line, record=True)

    @on(CodeView.Jumped)
    def _jumped(self, event: CodeView.Jumped) -> None:
        if event.view is self.source or event.view is self.notes:
            self.navigator.record_jump(event.view is self.notes, event.origin, event.line)

    @on(FileLoaded)
    def _file_loaded(self, event: FileLoaded) -> None:
        self._restoring = False
        self.navigator.file_loaded(event)
        self.query_one(RepoTree).reveal(event.location)  # the tree follows, the focus stays
        self.code_nav.file_shown(event.location, event.text)
        self._refresh_marks()
        self._update_status()
        self._place_changed()

    @on(FileSymbols)
    def _file_symbols(self, event: FileSymbols) -> None:
        self.code_nav.file_parsed(event)
        self._update_status()

    @on(IndexProgress)
    def _index_progress(self, event: IndexProgress) -> None:
        self.code_nav.progress(event)
        self._update_status()

    @on(NavigationRequested)
    def _navigation(self, event: NavigationRequested) -> None:
        nav = self.code_nav
        actions = {"definition": nav.goto_definition, "references": nav.references, "outline": nav.outline}
        actions[event.action]()

    def action_workspace_symbols(self) -> None:
        self.code_nav.workspace_symbols()

    def action_search_repo(self) -> None:
        self.code_nav.search_repo()

    @on(TagFound)
    def _tag_found(self, event: TagFound) -> None:
        if self.navigator.tag_found(event):
            self._update_status()

    @on(NoteLoaded)
    def _note_loaded(self, event: NoteLoaded) -> None:
        self.note_loader.loaded(event)
        self._update_status()
        self._place_changed()
        if self.notes.results:
            self.code_nav.start_once(self.project)

    @on(ProjectIndexed)
    def _project_indexed(self, event: ProjectIndexed) -> None:
        self.index.indexed(event)
        self.status_model.today_entries = event.today
        for problem in event.problems:
            self.notify(problem, severity="warning", timeout=8)
        self._refresh_marks()
        self._update_status()

    @on(CitationActivated)
    def _follow(self, event: CitationActivated) -> None:
        result = event.result
        if result.names_folder and result.repo is not None and result.path is not None:
            # a folder, or the repo itself (`# llama.cpp`): shown open in the tree
            self.query_one(RepoTree).reveal(Location(self.project.name, result.repo, result.path))
            self.action_focus_tree()
            return
        self.navigator.follow(result)

    @on(CheckoutRequested)
    def _checkout(self) -> None:
        self.navigator.checkout()

    @on(SourcePane.CursorMoved)
    def _cursor_moved(self, event: SourcePane.CursorMoved) -> None:
        if event.view is self.source:
            self._update_status()

    def _refresh_marks(self) -> None:
        location = self.location
        if location is not None and location.repo is not None:
            self.source.set_marks(self.index.marks_for(location))

    # ---- capture: the source pane's requests bubble to the screen; ui/capture.py does them

    @on(CaptureRequested)
    @on(MarkToggled)
    @on(CopyRequested)
    def _capture(self, event: CaptureRequested | MarkToggled | CopyRequested) -> None:
        self.capture.request(event)

    @on(BookmarksSaved)
    def _bookmarks_saved(self, event: BookmarksSaved) -> None:
        self.index.set_bookmarks(event.bookmarks)
        self.bookmarks_watch.follow(self.project.bookmarks_file)  # our own write: nothing to reload
        self.notify(event.message, timeout=3)
        self._refresh_marks()
        self._update_status()

    # ---- jumps: history and pickers

    @on(BacklinksRequested)
    def _backlinks(self) -> None:
        self.pickers.backlinks()

    def action_history_back(self) -> None:
        self.navigator.back()

    def action_history_forward(self) -> None:
        self.navigator.forward()

    def action_find_file(self) -> None:
        self.pickers.find_file()

    def action_bookmark_list(self) -> None:
        self.pickers.bookmark_list()

    def action_switch_note(self) -> None:
        self.pickers.switch_note()

    # ---- panes

    def action_focus_tree(self) -> None:
        self.pane_layout.focus(self.query_one("#tree"))

    def action_focus_source(self) -> None:
        self.pane_layout.focus(self.source)

    def action_focus_notes(self) -> None:
        self.pane_layout.focus(self.notes)

    @on(RepoTree.Dismissed)  # the tree of a narrow terminal, shown over the source
    def _tree_dismissed(self) -> None:
        self.pane_layout.close_overlay()

    @on(RepoTree.FullName)  # the tree cuts long names; the status line says them whole
    def _tree_full_name(self, event: RepoTree.FullName) -> None:
        self.status_model.tree_name = event.name
        self._update_status()

    def action_toggle_tree(self) -> None:
        self.pane_layout.toggle(self.query_one("#tree"))

    def action_toggle_notes(self) -> None:
        self.pane_layout.toggle(self.notes)

    def action_zoom_pane(self) -> None:
        self.pane_layout.toggle_zoom()

    # ---- editor, reload, review, help

    def action_open_in_editor(self) -> None:
        edited = edit_note(self.app, self.editor, self.notes)
        if edited is not None:
            self.note_loader.load(edited, None)

    def action_reload(self) -> None:
        """Reload the workspace (commits may have moved), then the note and file shown."""
        reload_workspace(self, self.session.workspace.root)

    @on(WorkspaceReloaded)
    def _workspace_reloaded(self, event: WorkspaceReloaded) -> None:
        self.project_switch.reloaded(event.workspace)

    def action_review_drift(self) -> None:
        self.review.open(self.project, update=False)

    def action_update_repo(self) -> None:
        self.review.open(self.project, update=True)

    def _place_changed(self) -> None:
        """A file or note was opened: the app keeps the place at once (a killed reader loses
        little), once this frame is out."""
        remember: Any = getattr(self.app, "remember_place", None)  # the ReaderApp's
        if remember is not None:
            self.call_after_refresh(remember)

    # ---- status and errors

    def _update_status(self) -> None:
        self.query_one(StatusLine).info = self.status_model.refresh(
            self.session, self.project, self.location, self.source.cursor_line,
            len(self.index.bookmarks), self.code_nav.symbol_at,
        )

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.notify(event.error, title=event.title, severity="error", timeout=8)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A worker that raised (workers never exit the app): tell the user, in one line."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            self.notify(str(error) or type(error).__name__, severity="error", timeout=8)


"""Showing notes in the notes pane: read the text, show it at once, resolve its citations.

A note's text is shown as soon as it is read; resolving its citations runs git (~0.3 s for a
big note) in the same thread worker, which then posts the results. Both arrive as `NoteLoaded`,
which the screen hands back here. The first note is read before the first frame instead, and its
citations resolved once the frame is out (`show_first`, `resolve_first`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual.message import Message
from textual.screen import Screen

from readertui.core.errors import NoteError, ReadertuiError
from readertui.core.log import entries_for_day
from readertui.core.model import Project
from readertui.core.notes import read_text
from readertui.core.workspace import is_file_quietly, note_files, notes_folder_problem
from readertui.ui import workers
from readertui.ui.log_watch import LogWatch
from readertui.ui.navigation import Navigator
from readertui.ui.session import Session
from readertui.ui.status import StatusModel
from readertui.ui.widgets.notes_view import PaintedResults, painted
from readertui.ui.widgets.repo_tree import inert


class NoteLoaded(Message):
    def __init__(
        self, path: Path, text: str, results: PaintedResults | None, line: int | None,
        column: int = 0, today: int | None = None,
    ) -> None:
        super().__init__()
        self.path, self.text, self.line = path, text, line
        self.column = column  # 0-based: the citation there is the current one (a backlink's)
        self.results = results  # None: not resolved yet (the text is shown first)
        self.today = today  # entries in today's section, when the note is a reading log


class NoteLoader:
    def __init__(
        self, screen: Screen[Any], session: Session, navigator: Navigator, status: StatusModel
    ) -> None:
        self.screen = screen  # runs the workers, receives NoteLoaded
        self.session = session
        self.navigator = navigator  # the current project
        self.status = status
        self._first: tuple[Path, str, int | None] | None = None  # resolved after the 1st frame
        self._shown: tuple[Path, str] | None = None  # the note text in the notes pane
        # The note last asked for: answers about any other (a resolve still running when the
        # reader moved on) are dropped, or they would show a note the reader has left.
        self._wanted: Path | None = None

    def load(self, path: Path, line: int | None = None, column: int = 0) -> None:
        """Show the note at `path` (scrolled to `line`), then its citations' results."""
        self._wanted = path
        workers.run(self.screen, self._load, path, line, column, group="note", exclusive=True, thread=True)

    def _load(self, path: Path, line: int | None, column: int = 0) -> None:
        try:
            text = _read_note(path, self.navigator.project)
        except ReadertuiError as error:
            workers.post_failure(self.screen, "Cannot read note", error)
            return
        self.screen.post_message(NoteLoaded(path, text, None, line, column))
        self._resolve(path, text, line, column)

    def show_first(self, path: Path, line: int | None) -> None:
        """Read the first note here rather than in a worker, so that the first frame shows it:
        a worker's answer lands a frame later (~70 ms more of the start-up, measured). A note
        reads in milliseconds; resolving its citations waits for a worker as for any note."""
        self._wanted = path
        try:
            text = _read_note(path, self.navigator.project)
        except ReadertuiError as error:
            self.screen.notify(str(error), title="Cannot read note", severity="error", timeout=8)
            return
        self.loaded(NoteLoaded(path, text, None, line))
        self._first = (path, text, line)

    def resolve_first(self) -> None:
        """Resolve the first note's citations (once the first frame is out)."""
        if self._first is not None:
            workers.run(
                self.screen, self._resolve, *self._first,
                group="note", exclusive=True, thread=True,
            )
            self._first = None

    def _resolve(self, path: Path, text: str, line: int | None, column: int = 0) -> None:
        """Resolve the citations of the note just shown (in a worker), posting the results."""
        try:
            project = self.session.workspace.project_for(path) or self.navigator.project
            results = painted(self.session.resolver(project).resolve_note(path, text))
        except ReadertuiError as error:
            workers.post_failure(self.screen, "Cannot read note", error)
            return
        # Counted here, not on the UI thread: a long log's sections take ~1 s to read.
        today = len(entries_for_day(text, date.today())) if path == project.reading_log else None
        self.screen.post_message(NoteLoaded(path, text, results, line, column, today))

    def outside_edit(self, watch: LogWatch) -> bool:
        """The reading log changed on disk (an editor in another tmux pane, a `readertui log`):
        if it is the note shown, read it again (NoteLoaded recounts today's entries); else
        recount today's entries here. True when the status line has a new count to show."""
        if not watch.changed():
            return False
        if self.navigator.notes.note_path == watch.log:
            self.load(watch.log, None)
            return False
        today = watch.today_entries()
        if today is None:
            return False
        self.status.today_entries = today
        return True

    def loaded(self, event: NoteLoaded) -> None:
        """Show the note (or, for the same text, its citations' results); the screen then
        updates the status line."""
        if event.path != self._wanted:
            return  # the reader has asked for another note since
        project = self.navigator.project
        notes = self.navigator.notes
        title = self.navigator.note_name(event.path)
        if event.results is not None and self._shown == (event.path, event.text):
            notes.set_results(event.results)  # the text is on screen already
        else:
            notes.show_note(event.path, event.text, event.results or (), event.line, event.column)
            self._shown = (event.path, event.text)
            if notes.too_big_to_wrap:  # said once per note shown; the title keeps a mark
                self.screen.notify(
                    f"{title} has {notes.line_count:,} lines: too long to wrap, "
                    "so it is shown one row per line (scroll sideways for the rest).",
                    title="Not wrapped",
                )
        if notes.too_big_to_wrap:
            title += " · unwrapped"  # short: a narrow notes pane crops its title
        notes.border_title = inert(title)
        if event.today is not None and event.path == project.reading_log:
            self.status.today_entries = event.today
        self.status.note_drift(project, notes.results)


def _read_note(path: Path, project: Project) -> str:
    """A note's text; a note not written yet reads as empty (it is created on the first entry).
    A note whose real path lies outside the workspace, or in a notes folder that cannot be read
    or leads outside it, is refused (NoteError)."""
    if project.notes_dir in path.parents:
        problem = notes_folder_problem(project)
        if problem is not None:
            raise NoteError(problem)
    inside = project.path.parent
    try:
        exists = path.exists()
    except OSError as error:
        raise NoteError(f"cannot read {path}: {error.strerror or error}") from None
    return read_text(path, inside) if exists else ""


def default_note(project: Project) -> Path:
    """The note shown when none is asked for: the reading log, else the first note."""
    log = project.reading_log
    if is_file_quietly(log):
        return log
    notes = note_files(project)  # (none in a notes folder that cannot be read: the log says why)
    return notes[0] if notes else log

"""Where the reader is and how they move: the current project, the file shown in the source
pane, opening code and notes, history back and forward, and old-commit views.

`Navigator` owns that place. Opening a file reads it in a thread worker that ends in
`FileLoaded` (then `TagFound`, for the status line); the screen hands those messages back here.
A note is shown by the note loader (`load_note`); a jump to another project's code or note makes
that project current (`switch_project`, the screen's: the index and pickers follow it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from textual.message import Message
from textual.screen import Screen

from readertui.core.errors import ReadertuiError
from readertui.core.git import short
from readertui.core.history import History
from readertui.core.model import Bookmark, CitationResult, LineRange, Location, Project, Status, format_ranges
from readertui.ui import workers
from readertui.ui.session import Session
from readertui.ui.status import StatusModel
from readertui.ui.widgets.notes_view import NotesView
from readertui.ui.widgets.repo_tree import inert
from readertui.ui.widgets.source_pane import SourcePane


class FileLoaded(Message):
    def __init__(
        self, location: Location, text: str, notice: str | None, select: LineRange | None
    ) -> None:
        super().__init__()
        self.location, self.text, self.notice, self.select = location, text, notice, select


class TagFound(Message):
    def __init__(self, location: Location, tag: str) -> None:
        super().__init__()
        self.location, self.tag = location, tag  # nearest tag of the commit shown


class Navigator:
    def __init__(
        self,
        screen: Screen[Any],
        session: Session,
        project: Project,
        status: StatusModel,
    ) -> None:
        self.screen = screen  # runs the workers, receives the messages
        self.session = session
        self.project = project  # the current project
        self.status = status
        self._commit_owner = "note"  # whose commit an at-commit view shows: "note" | "bookmark"
        # Wired by the screen once their owners exist (the note loader and the project switch
        # both need the navigator first).
        self.load_note: Callable[[Path, int | None, int], None] = lambda path, line, column: None
        self.switch_project: Callable[[str, bool], None] = lambda name, open_log: None
        self.location: Location | None = None  # what the source pane shows
        self.history = History()
        self.followed: CitationResult | None = None  # the citation behind a commit view

    @property
    def source(self) -> SourcePane:
        return self.screen.query_one("#source", SourcePane)

    @property
    def notes(self) -> NotesView:
        return self.screen.query_one("#notes", NotesView)

    # ---- opening code and notes

    def open_location(
        self,
        location: Location,
        select: LineRange | None = None,
        record: bool = True,
        commit_owner: str = "note",
    ) -> None:
        """Show `location`; at a commit, the title says it is `commit_owner`'s ("note", "bookmark")."""
        if location.repo is None:  # a note location (from history)
            self.open_note(self.project_path(location) / location.path, location.line, record)
            return
        self._commit_owner = commit_owner
        if location.project != self.project.name:
            self.switch_project(location.project, True)
        if record:
            self._keep_source_line()
            self.history = self.history.visit(location, origin=self.here())
        workers.run(
            self.screen, self._load_file, location, select,
            group="source", exclusive=True, thread=True,
        )

    def open_note(
        self, path: Path, line: int | None = None, record: bool = False, column: int = 0
    ) -> None:
        """Show a note at `line`; `column` (0-based) picks the citation made current there."""
        owner = self.session.workspace.project_for(path)
        if owner is not None and owner.name != self.project.name:
            self.switch_project(owner.name, False)
        if record:
            self._keep_source_line()
            target = self.note_location(path, line or 1)
            # Back from a note is the note it replaced in the notes pane, whichever pane had the focus.
            shown = self.notes.note_path
            origin = self.note_location(shown, self.notes.cursor_line) if shown is not None else self.here()
            self.history = self.history.visit(target, origin=origin)
        self.load_note(path, line, column)

    def note_location(self, path: Path, line: int) -> Location:
        """A note as a place: its own project's name and its path relative to that project."""
        owner = self.session.workspace.project_for(path) or self.project
        try:
            relative = path.relative_to(owner.path).as_posix()
        except ValueError:  # not under any project: kept whole, opened as is
            relative = path.as_posix()
        return Location(owner.name, None, relative, line)

    def note_name(self, path: Path) -> str:
        """How a note is named in titles: relative to its project."""
        return self.note_location(path, 1).path

    def _load_file(self, location: Location, select: LineRange | None) -> None:
        try:
            text, notice = self.session.read_code(location)
        except ReadertuiError as error:
            workers.post_failure(self.screen, "Cannot open file", error)
            return
        self.screen.post_message(FileLoaded(location, text, notice, select))
        # The tag only feeds the status line, and its `git describe` takes ~50 ms the first
        # time per commit: looked up once the file is on its way to the screen.
        try:
            tag = self.session.tag(location)
        except ReadertuiError as error:
            self.screen.log.warning(f"no tag for {location.path}: {error}")
            return
        self.screen.post_message(TagFound(location, tag))

    def file_loaded(self, event: FileLoaded) -> None:
        """Show the file read; the screen then repaints the marks and the status line."""
        location = event.location
        source = self.source
        source.load(event.text, path=location.path, name=f"{location.repo}/{location.path}")
        notice = event.notice or source.notice  # undecodable bytes, or why it is plain text
        if notice:
            self.screen.notify(notice, title=location.path, severity="warning")
        line = event.select.start if event.select else location.line
        source.goto(max(1, min(line, source.line_count)), select=event.select)
        shown = self.location
        if shown is None or (shown.repo, shown.commit) != (location.repo, location.commit):
            self.status.tag = ""  # until TagFound says
        self.location = location
        self.status.commit_owner = self._commit_owner
        self._show_source_title(location)

    def tag_found(self, event: TagFound) -> bool:
        """Keep the tag if it is about the commit shown (True: the status line changed)."""
        location = self.location
        if location is None or (event.location.repo, event.location.commit) != (
            location.repo, location.commit
        ):
            return False
        self.status.tag = event.tag
        return True

    def _show_source_title(self, location: Location) -> None:
        """The file shown; at a note's (or bookmark's) commit, a warning-coloured title says so
        and how to get back, first: a narrow pane crops the title's end."""
        title = f"{location.repo}/{location.path}"
        if location.commit is not None:
            keys = self.screen.app.key_for("open_checkout")  # type: ignore[attr-defined]
            owner = self._commit_owner
            title = f"At {short(location.commit)} ({owner}'s commit) · {keys}: checkout · {title}"
        self.source.border_title = inert(title)  # Text: a str border title is parsed as markup
        self.source.set_class(location.commit is not None, "-at-commit")

    def here(self) -> Location | None:
        """The place the reader is at: the focused pane's file and cursor line."""
        notes = self.notes
        if self.screen.focused is notes and notes.note_path is not None:
            return self.note_location(notes.note_path, notes.cursor_line)
        if self.location is not None:
            return msgspec.structs.replace(self.location, line=self.source.cursor_line)
        return None

    def project_path(self, location: Location) -> Path:
        project = self.session.workspace.project(location.project)
        return (project or self.project).path

    def require_code(self) -> Location | None:
        """The file in the source pane; None, after saying so, when no file is open."""
        if self.location is None or self.location.repo is None:
            self.screen.notify("open a source file first", severity="warning")
            return None
        return self.location

    # ---- history

    def record_jump(self, in_notes: bool, origin: int, line: int) -> None:
        """A jump within the file or note shown (go to line, first/last line, a search hit, a
        definition in the same file): from line `origin` to `line`, for back and forward."""
        if in_notes:
            path = self.notes.note_path
            if path is None:
                return
            start, end = self.note_location(path, origin), self.note_location(path, line)
        else:
            if self.location is None:
                return
            start = msgspec.structs.replace(self.location, line=origin)
            end = msgspec.structs.replace(self.location, line=line)
        self.history = self.history.visit(end, origin=start)

    def _keep_source_line(self) -> None:
        """The source pane's cursor line into the history's current entry, when that entry is
        the file shown: the reader may have moved in it and then gone to the notes, whose
        position `here()` gives instead; back must land where they left the code."""
        if self.location is not None:
            live = msgspec.structs.replace(self.location, line=self.source.cursor_line)
            self.history = self.history.with_current(live)

    def goto_line(self, line: int, select: LineRange | None = None) -> None:
        """Move the source pane's cursor to `line` of the file shown (selecting `select`),
        recorded in the history when it goes more than a screen away."""
        source = self.source
        origin = source.cursor_line
        source.goto(line, select=select)
        source.jumped_from(origin)

    def back(self) -> None:
        self._keep_source_line()
        self.history, target = self.history.back(self.here())
        self._go(target, "no earlier place")

    def forward(self) -> None:
        self._keep_source_line()
        self.history, target = self.history.forward(self.here())
        self._go(target, "no later place")

    def _go(self, target: Location | None, nothing: str) -> None:
        if target is None:
            self.screen.notify(nothing, timeout=2)
        elif target.repo is None:
            self.open_note(self.project_path(target) / target.path, target.line)
            self.screen.set_focus(self.notes)
        else:
            self.open_location(target, record=False)
            self.screen.set_focus(self.source)

    # ---- citations and commit views

    def follow(self, result: CitationResult) -> None:
        """Open what a citation in the notes points at (asking which file, if ambiguous)."""
        if result.status is Status.AMBIGUOUS and result.candidates:
            workers.run(self.screen, self._pick_candidate, result, group="picker", exclusive=True)
            return
        if result.status is Status.MISMATCH and result.new_ranges and result.repo and result.path:
            workers.run(self.screen, self._pick_mismatch_place, result, group="picker", exclusive=True)
            return
        if result.repo is None or result.path is None:
            self.screen.notify(result.detail or "this citation points nowhere", severity="warning")
            return
        self.open_result(result, result.repo, result.path)

    async def _pick_candidate(self, result: CitationResult) -> None:
        from readertui.ui.screens.pickers import ListPicker

        items = [(candidate, candidate) for candidate in result.candidates]
        chosen = await self.screen.app.push_screen_wait(
            ListPicker(f"{result.citation.text} is ambiguous: which file?", items)
        )
        if chosen:
            repo, _, path = chosen.partition("/")
            self.open_result(result, repo, path)

    async def _pick_mismatch_place(self, result: CitationResult) -> None:
        """A labelled citation whose lines do not show the label: the cited lines, or where
        the name is defined (both at the citation's commit)."""
        from readertui.ui.screens.pickers import ListPicker

        assert result.repo is not None and result.path is not None
        defined_path = result.new_path or result.path
        cited = f"{result.repo}/{result.path}:{format_ranges(result.ranges)}"
        defined = f"{result.repo}/{defined_path}:{format_ranges(result.new_ranges)}"
        items = [(f"the cited lines: {cited}", "cited"), (f"where the label's name is: {defined}", "defined")]
        chosen = await self.screen.app.push_screen_wait(
            ListPicker(f"mismatch: {result.detail}", items)
        )
        if chosen is None:
            return
        # new_ranges here name the definition, not where moved lines went: the checkout view
        # (`o`) must not shift by them
        plain = msgspec.structs.replace(result, new_path=None, new_ranges=())
        if chosen == "defined":
            plain = msgspec.structs.replace(plain, path=defined_path, ranges=result.new_ranges)
        self.open_result(plain, result.repo, plain.path or result.path)

    def open_result(self, result: CitationResult, repo_name: str, path: str) -> None:
        repo = self.project.repo(repo_name)
        head = self.session.head(repo) if repo else None
        at_commit = result.commit if result.commit and result.commit != head else None
        if result.status is Status.OUT_OF_RANGE:
            self.screen.notify(result.detail or "lines past the end of the file", severity="warning")
        select = result.ranges[0] if result.ranges else None
        self.followed = result if at_commit else None
        location = Location(self.project.name, repo_name, path, select.start if select else 1,
                            commit=at_commit)
        self.open_location(location, select)
        self.screen.set_focus(self.source)

    def open_bookmark(self, mark: Bookmark) -> None:
        """Open a bookmark like a citation: made at a commit other than the checkout, it is
        shown from git as it was then (the at-commit title; `o` goes to the checkout)."""
        repo = self.project.repo(mark.repo)
        head = self.session.head(repo) if repo is not None else None
        at_commit = mark.commit if mark.commit and repo is not None and repo.is_git and mark.commit != head else None
        self.followed = None
        location = Location(self.project.name, mark.repo, mark.path, mark.range.start, commit=at_commit)
        self.open_location(location, mark.range, commit_owner="bookmark")
        self.screen.set_focus(self.source)

    def checkout(self) -> None:
        """From a commit view to the checked-out file, at the same place (across a rename)."""
        location = self.location
        if location is None or location.commit is None:
            self.screen.notify("already showing the checked-out file")
            return
        path, line = location.path, self.source.cursor_line
        followed = self.followed
        if followed is not None and followed.new_path:
            path = followed.new_path
            if followed.new_ranges and followed.ranges:
                line = max(1, line + followed.new_ranges[0].start - followed.ranges[0].start)
        self.followed = None
        self.open_location(msgspec.structs.replace(location, path=path, line=line, commit=None))

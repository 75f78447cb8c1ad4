"""Capture: what the reader keeps from the code shown. A reading-log entry citing the
selection, a bookmark on it (added, removed, renamed, deleted), or its citation or forge
permalink on the clipboard.

The source pane asks by message (CaptureRequested, MarkToggled, CopyRequested). Textual
delivers a message only to the nodes it bubbles through, so the main screen's `@on` handlers
receive them and hand them to its `Capture`. It works with the screen's collaborators: the
navigator (the current project and the code shown), the project index (the bookmarks) and the
session (commits, remotes). The flows run as workers of the screen (`ui/workers.py`), and end
in messages to it: OpenNote shows a new log entry, BookmarksSaved repaints the marks and the
status line, `Failed` tells of a failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from readertui.core import bookmarks as bookmark_store
from readertui.core.citations import UNCITABLE, format_citation, pasteable, reads_back
from readertui.core.errors import ConflictError, ReadertuiError
from readertui.core.forge import permalink
from readertui.core.log import log_entry
from readertui.core.model import Bookmark, LineRange, Location, Project
from readertui.core.safe_text import sanitize_line
from readertui.ui import workers
from readertui.ui.messages import BookmarksSaved, CaptureRequested, CopyRequested, MarkToggled, OpenNote
from readertui.ui.navigation import Navigator
from readertui.ui.project_index import ProjectIndex
from readertui.ui.screens.prompt import PromptScreen
from readertui.ui.session import Session


class Capture:
    """The capture flows of the main screen: they read the place (`navigator`) and the
    bookmarks (`index`), and report to `screen`, which runs them as its workers."""

    def __init__(
        self,
        screen: Screen[Any],
        session: Session,
        navigator: Navigator,
        index: ProjectIndex,
        symbol_for: Callable[[LineRange], str | None] = lambda selection: None,
    ) -> None:
        self.screen = screen
        self.session = session
        self.navigator = navigator
        self.index = index
        self.symbol_for = symbol_for  # the definition holding a selection (`Engine.step`)

    # ---- reading-log entries

    def request(self, event: CaptureRequested | MarkToggled | CopyRequested) -> None:
        """Do what the source pane asked for, on its selection."""
        if isinstance(event, CaptureRequested):
            self.log_entry(event.selection)
        elif isinstance(event, MarkToggled):
            self.toggle_bookmark(event.selection)
        else:
            self.copy(event.selection, permalink=event.permalink)

    def log_entry(self, selection: LineRange) -> None:
        """Ask for an entry, prefilled with the selection's citation, and append it to today's
        section of the reading log."""
        self._run(self._prompt_log_entry, selection, group="capture", exclusive=True)

    async def _prompt_log_entry(self, selection: LineRange) -> None:
        location = self.navigator.require_code()
        if location is None:
            return
        project = self._own_project(location)
        raw = self._citation(location, selection)
        cited = sanitize_line(raw)  # as the prompt shows it
        self._warn_unless_citable(raw)
        log = project.reading_log.relative_to(project.path.parent).as_posix()
        symbol = self.symbol_for(selection)
        # The symbol opens the entry's text, right after the citation and its `@ sha` pin.
        prefill = f"{cited} (`{symbol}`) " if symbol else f"{cited} "
        answer = await self.screen.app.push_screen_wait(
            PromptScreen(f"Log entry → {log} (Enter writes it to today's section)", prefill)
        )
        if answer is None or not answer.strip():
            return
        text = answer.strip()
        citation: str | None = cited
        separator = " — "
        if text.startswith(cited):
            text, separator = entry_text(text[len(cited):])
        else:
            citation = None  # the reader changed or erased it: a plain entry
        commit = self._commit_of(location) if citation else None
        self._run(self._write_log, project, text, citation, commit, separator, group="write", thread=True)

    def _write_log(
        self, project: Project, text: str, citation: str | None, commit: str | None, separator: str
    ) -> None:
        try:
            logged = log_entry(project, text, citation, commit, separator=separator)
        except ReadertuiError as error:
            workers.post_failure(self.screen, "Log entry not written", error)
            return
        self.screen.post_message(OpenNote(logged.path, logged.line))

    # ---- bookmarks

    def toggle_bookmark(self, selection: LineRange) -> None:
        """On a single line: remove the bookmarks holding it; without any, add one. With a
        selection of several lines: add one on it (a bookmark already there keeps its place;
        only one on exactly those lines is removed). A selection that ends in a bookmarked
        line used to remove that bookmark instead of adding the one selected."""
        self._run(self._toggle_bookmark, selection, group="capture", exclusive=True)

    async def _toggle_bookmark(self, selection: LineRange) -> None:
        screen, source = self.screen, self.navigator.source
        location = self.navigator.require_code()
        if location is None:
            return
        self._own_project(location)
        line = source.cursor_line
        here = [b for b in self.index.bookmarks if (b.repo, b.path) == (location.repo, location.path)]
        if selection.start == selection.end:
            existing = [b for b in here if line in b.range]
        else:
            existing = [b for b in here if b.range == selection]
        if existing:
            ids = [bookmark.id for bookmark in existing]
            self._write_bookmarks(bookmark_store.remove_marks, (ids,), f"bookmark removed at line {line}")
            return
        label = await screen.app.push_screen_wait(PromptScreen("Bookmark label (optional)"))
        if label is None:
            return
        lines = [source.line_text(n) for n in range(selection.start, selection.end + 1)]
        bookmark = bookmark_store.new_bookmark(
            location.repo or "", location.path, selection, label.strip(),
            self._commit_of(location), lines, existing=self.index.bookmarks,
        )
        self._write_bookmarks(_added, (bookmark,), "bookmark added")

    def delete_bookmark(self, bookmark: Bookmark) -> None:
        self._write_bookmarks(bookmark_store.remove_marks, ([bookmark.id],), "bookmark deleted")

    async def rename_bookmark(self, bookmark: Bookmark) -> None:
        """Ask for the new label (call it from a worker: it waits for the prompt)."""
        answer = await self.screen.app.push_screen_wait(PromptScreen("New label", bookmark.label))
        if answer is None:
            return
        label = edited_label(bookmark.label, answer)
        if label == bookmark.label:
            self.screen.notify("label unchanged", timeout=3)
            return
        self._write_bookmarks(bookmark_store.rename_mark, (bookmark.id, label), "bookmark renamed")

    def _write_bookmarks(
        self, change: Callable[..., tuple[Bookmark, ...]], args: tuple[Any, ...], message: str
    ) -> None:
        """Run `change(project, *args)` (an edit of `core.bookmarks`) in a thread: it is applied
        to the file as it is on disk then, re-applied if another program changes the file
        meanwhile, and BookmarksSaved brings the file's whole list (others' marks included)."""
        project = self.navigator.project  # the index's bookmarks are this project's
        self._run(self._change_bookmarks, project, change, args, message, group="write", thread=True)

    def _change_bookmarks(
        self, project: Project, change: Callable[..., tuple[Bookmark, ...]], args: tuple[Any, ...], message: str
    ) -> None:
        try:
            marks = change(project, *args)
        except ReadertuiError as error:
            workers.post_failure(self.screen, "Bookmarks not saved", error)
            if isinstance(error, (ConflictError, bookmark_store.BookmarkError)):
                marks, problems = bookmark_store.load(project)  # the file's list, for the retry
                if not problems:
                    self.screen.post_message(BookmarksSaved(marks, "bookmarks reloaded from disk"))
            return
        self.screen.post_message(BookmarksSaved(tuple(marks), message))

    # ---- the clipboard

    def copy(self, selection: LineRange, *, permalink: bool) -> None:
        """Copy the selection's citation, or its permalink on the repo's forge."""
        location = self.navigator.require_code()
        if location is None:
            return
        if permalink:
            self._run(
                self._copy_permalink, location, selection,
                group="remote", exclusive=True, thread=True,
            )
        else:
            cited = self._citation(location, selection)
            symbol = self.symbol_for(selection)
            self._to_clipboard(f"`{cited}` (`{symbol}`)" if symbol else pasteable(cited))
            self._warn_unless_citable(cited)

    def _copy_permalink(self, location: Location, selection: LineRange) -> None:
        session = self.session
        try:
            _, repo = session.locate(location)
            remote = session.remote_url(repo)
        except ReadertuiError as error:
            workers.post_failure(self.screen, "No permalink", error)
            return
        commit = self._commit_of(location)
        link = permalink(remote, commit, location.path, selection) if commit else None
        if link is None:
            workers.post_failure(self.screen, "No permalink", ValueError("origin is not a known forge"))
        else:
            self.screen.app.call_from_thread(self._to_clipboard, link)

    def _to_clipboard(self, text: str) -> None:
        """With OSC 52, which reaches the local terminal over SSH and tmux."""
        text = sanitize_line(text)  # pasted into a terminal later, a raw ESC would run there
        self.screen.app.copy_to_clipboard(text)
        self.screen.notify(text, title="Copied", timeout=3)

    # ---- helpers

    def _own_project(self, location: Location) -> Project:
        """What is captured from code goes to the code's project. When the notes pane shows
        another project (a note opened from the tree), that project stops being current: the
        code's project takes over, its reading log shown and its bookmarks loaded."""
        project = self.session.workspace.project(location.project)
        if project is not None and project.name != self.navigator.project.name:
            self.navigator.switch_project(project.name, True)
        self.index.ensure_bookmarks(self.navigator.project)
        return self.navigator.project

    def _warn_unless_citable(self, cited: str) -> None:
        """The name is written or copied as shown (placeholders for control characters), but
        `check` and Enter will not find it: say so before the reader relies on it."""
        if not reads_back(cited):
            self.screen.notify(
                f"{sanitize_line(cited)}: {UNCITABLE}.", title="Not a citation", severity="warning", timeout=8
            )

    def _citation(self, location: Location, selection: LineRange) -> str:
        return format_citation(location.repo, location.path, (selection,))

    def _commit_of(self, location: Location) -> str | None:
        if location.commit:
            return location.commit
        session = self.session
        _, repo = session.locate(location)
        return session.head(repo)

    def _run(
        self,
        work: Callable[..., Any],
        *args: Any,
        group: str,
        exclusive: bool = False,
        thread: bool = False,
    ) -> None:
        """Run `work(*args)` as a worker of the screen, named and grouped as `@work` would."""
        workers.run(self.screen, work, *args, group=group, exclusive=exclusive, thread=thread)


def _added(project: Project, bookmark: Bookmark) -> tuple[Bookmark, ...]:
    return bookmark_store.add_mark(project, bookmark)[0]


def edited_label(label: str, answer: str) -> str:
    """The label the rename prompt's `answer` means. The prompt shows `label` with control
    characters as placeholders (␛ ␇ ␦, tabs as spaces): the part of it left as shown stays the
    label's own text, so an unedited label is unchanged (it was rewritten with the glyphs) and
    one typed after or before keeps the rest."""
    shown = sanitize_line(label)
    typed = answer.strip()
    if shown == label or not shown.strip():
        return typed
    if typed == shown.strip():
        return label
    if shown != shown.strip():  # the ends were trimmed: no longer one place for one character
        return typed
    if typed.startswith(shown):
        return label + typed[len(shown):]
    if typed.endswith(shown):
        return typed[: len(typed) - len(shown)] + label
    return typed


# What the prompt holds after the citation: the scope it prefilled (or the reader's own), then
# the reader's text, which may open with a dash or colon of the reader's.
_SCOPE = re.compile(r"\(`[^`\n]*`\)")
_OWN_SEPARATOR = re.compile(r"[—–:-]+(?:\s|$)")


def entry_text(rest: str) -> tuple[str, str]:
    """(text, separator) for `log_entry` from what follows the citation in the prompt.

    The prefilled part is the citation and its scope: the scope stays right after the
    citation (and its pin), and the reader's text follows as typed. The entry's ` — ` goes
    between them unless the reader typed a dash or colon there, which is kept instead (two
    would read as a typo): `(`Mul.flatten`) — text`, `(`Mul.flatten`) - text`, `— text`.
    """
    rest = rest.strip()
    scope = _SCOPE.match(rest)
    typed = rest[scope.end():].strip() if scope else rest
    own = _OWN_SEPARATOR.match(typed) is not None
    if scope is None:
        return typed, " " if own else " — "
    if not typed:
        return scope[0], " "
    return f"{scope[0]} {typed}" if own else f"{scope[0]} — {typed}", " "

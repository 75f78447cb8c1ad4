"""Changing the current project, and taking in a reloaded workspace.

A jump to another project's code or note makes that project current: its reading log is
watched, its citations indexed, its files listed for the finder and its symbols indexed. After
F5 or `update` the workspace itself is new (commits may have moved): the session, tree, note
and file shown are refreshed from it.
"""

from __future__ import annotations

from typing import Any

import msgspec
from textual.screen import Screen

from readertui.core.model import Workspace
from readertui.ui.code_nav import CodeNav
from readertui.ui.log_watch import FileWatch, LogWatch
from readertui.ui.navigation import Navigator
from readertui.ui.note_loader import NoteLoader, default_note
from readertui.ui.picker_flows import PickerFlows
from readertui.ui.project_index import ProjectIndex
from readertui.ui.session import Session
from readertui.ui.widgets.repo_tree import RepoTree
from readertui.ui.widgets.source_pane import welcome_text


class ProjectSwitch:
    def __init__(
        self,
        screen: Screen[Any],
        session: Session,
        navigator: Navigator,
        note_loader: NoteLoader,
        index: ProjectIndex,
        pickers: PickerFlows,
        code_nav: CodeNav,
        log_watch: LogWatch,
        bookmarks_watch: FileWatch,
    ) -> None:
        self.screen = screen  # its tree is shown anew after a reload
        self.session, self.navigator, self.note_loader = session, navigator, note_loader
        self.index, self.pickers, self.code_nav, self.log_watch = index, pickers, code_nav, log_watch
        self.bookmarks_watch = bookmarks_watch

    def switch(self, name: str, open_log: bool) -> None:
        """Make `name` the current project: its notes, bookmarks, backlinks and files."""
        project = self.session.workspace.project(name)
        if project is None:
            return
        self.navigator.project = project
        if self.navigator.location is None:  # the welcome page names the current project
            app: Any = self.screen.app  # the ReaderApp (not imported: it imports the screens)
            self.navigator.source.load(welcome_text(project.name, app.key_for), name="welcome")
        self.log_watch.follow(project.reading_log)
        self.bookmarks_watch.follow(project.bookmarks_file)
        self.pickers.ranker = None
        self.index.reset()
        self.index.start(project)
        self.code_nav.start(project)
        if open_log:
            self.navigator.open_note(default_note(project))

    def reloaded(self, workspace: Workspace) -> None:
        """Take in the reloaded workspace; show the note and file again from it."""
        if workspace != self.session.workspace:
            self.screen.query_one(RepoTree).show_workspace(workspace)
        self.session.refresh(workspace)
        navigator = self.navigator
        navigator.project = workspace.project(navigator.project.name) or navigator.project
        self.pickers.ranker = None  # the file finder lists the files anew
        note = navigator.notes.note_path
        if note is not None:
            self.note_loader.load(note, None)
        if navigator.location is not None:
            here = msgspec.structs.replace(navigator.location, line=navigator.source.cursor_line)
            navigator.open_location(here, record=False)
        self.index.start(navigator.project)

"""The current project's index: which notes cite which lines (backlinks, the source pane's
marks), its bookmarks and how many entries today's log section has.

Built in a thread worker (every note's citations are resolved: seconds on a big project) that
ends in `ProjectIndexed`; the screen hands that message back here and repaints. Also warms up
the highlight queries the project's files will need.

The bookmark list is the one thing here that is also written: a save (or a load for a capture)
sets it while an index may be on its way. Each such set bumps a version; an index result carries
the version it started at and brings its bookmarks only if nothing set them since. Otherwise
its older list would replace the newer one, and the next save would drop the marks it lacks.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from textual.dom import DOMNode
from textual.message import Message

from readertui.core.backlinks import BacklinkIndex
from readertui.core.errors import ReadertuiError
from readertui.core.log import entries_for_day
from readertui.core.model import Bookmark, CitationResult, Location, Project
from readertui.core.notes import read_text
from readertui.core.syntax import detect_language, warm_up
from readertui.core.workspace import is_file_quietly, note_files, notes_folder_problem
from readertui.ui import workers
from readertui.ui.session import Session

WARM_LANGUAGES = 4  # the project's commonest code languages whose queries compile at start


class ProjectIndexed(Message):
    def __init__(
        self,
        index: BacklinkIndex,
        bookmarks: tuple[Bookmark, ...],
        today: int,
        problems: list[str],
        project: str = "",
        version: int = 0,
    ) -> None:
        super().__init__()
        self.index, self.bookmarks, self.problems = index, bookmarks, problems
        self.today = today  # entries in today's section of the reading log
        self.project, self.version = project, version  # what it indexed, from which bookmarks


class ProjectIndex:
    def __init__(self, node: DOMNode, session: Session) -> None:
        self.node = node  # runs the workers, receives ProjectIndexed
        self.session = session
        self.backlinks = BacklinkIndex()
        self.bookmarks: tuple[Bookmark, ...] = ()
        self.bookmarks_loaded = False  # False: `bookmarks` is not (yet) what the file holds
        self._version = 0  # bumped whenever `bookmarks` is set from the file
        self._project = ""  # the project the last index was started for

    def reset(self) -> None:
        """Forget the old project's index (a new one is on its way)."""
        self.backlinks, self.bookmarks, self.bookmarks_loaded = BacklinkIndex(), (), False
        self._version += 1

    def set_bookmarks(self, bookmarks: tuple[Bookmark, ...]) -> None:
        """The file holds `bookmarks` now (just saved or loaded): newer than any index on its way."""
        self.bookmarks, self.bookmarks_loaded = tuple(bookmarks), True
        self._version += 1

    def reload_bookmarks(self, project: Project) -> None:
        """Read the bookmarks file again: it changed outside the reader."""
        from readertui.core import bookmarks as bookmark_store

        marks, _ = bookmark_store.load(project)  # a broken file: its problems show on a save
        self.set_bookmarks(marks)

    def ensure_bookmarks(self, project: Project) -> None:
        """Load the bookmarks now if the index has not brought them yet: a change made from an
        empty placeholder list would otherwise be written over the file's marks."""
        if not self.bookmarks_loaded:
            self.reload_bookmarks(project)  # a small file; the index brings the rest

    def start(self, project: Project) -> None:
        """Index `project` in a worker; `ProjectIndexed` brings the result."""
        self._project = project.name
        workers.run(
            self.node, self._index, project, self._version,
            group="index", exclusive=True, thread=True,
        )

    def indexed(self, event: ProjectIndexed) -> None:
        if event.project != self._project:
            return  # an older project's index, finished late
        self.backlinks = event.index
        if event.version == self._version:  # else a save or load since its start is newer
            self.bookmarks, self.bookmarks_loaded = event.bookmarks, True

    def _index(self, project: Project, version: int) -> None:
        """Resolve every note of the project (for backlinks and marks) and load bookmarks."""
        problems: list[str] = []
        resolver = self.session.resolver(project)
        results: list[CitationResult] = []
        for note in note_files(project):
            try:
                results.extend(resolver.resolve_note(note))
            except ReadertuiError as error:
                problems.append(str(error))
        from readertui.core import bookmarks as bookmark_store

        marks, bookmark_problems = bookmark_store.load(project)
        refused = notes_folder_problem(project)  # (said by the notes pane, and in the tree)
        if refused is None:
            problems.extend(str(problem) for problem in bookmark_problems)
        today = 0
        if refused is None and is_file_quietly(project.reading_log):
            try:
                today = len(entries_for_day(read_text(project.reading_log), date.today()))
            except ReadertuiError as error:
                problems.append(str(error))
        self.node.post_message(
            ProjectIndexed(BacklinkIndex(results), tuple(marks), today, problems, project.name, version)
        )

    def marks_for(self, location: Location) -> dict[int, str]:
        """The source pane's marks for the file at `location`: cited lines, bookmarked lines."""
        marks: dict[int, str] = {}
        if location.repo is None:
            return marks
        for line in self.backlinks.cited_lines(location.repo, location.path, location.commit):
            marks[line] = "cited"
        # One ● per bookmark, on its first line; its other lines get a quieter bar. A ● on
        # every line made a 2-line bookmark look like two (the list counts bookmarks).
        starts: set[int] = set()
        inside: set[int] = set()
        for bookmark in self.bookmarks:
            if (bookmark.repo, bookmark.path) == (location.repo, location.path):
                starts.add(bookmark.range.start)
                inside.update(range(bookmark.range.start + 1, bookmark.range.end + 1))
        for line in starts | inside:
            kind = "both" if marks.get(line) == "cited" else "bookmark"
            marks[line] = kind if line in starts else kind + "_range"
        return marks

    def warm_up_grammars(self, project: Project) -> None:
        """Compile, in a worker, the highlight queries this project will need."""
        workers.run(
            self.node, self._warm_up_grammars, project, group="warm-up", exclusive=True, thread=True
        )

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


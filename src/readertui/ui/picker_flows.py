"""The jumps that go through a picker: find a file, the bookmark list, switch note, and the
notes citing the cursor line. Each runs as an async worker of the screen that waits for the
picker and opens what was chosen. The pickers are imported where they are used: the first
screen needs none of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from readertui.core.backlinks import Backlink
from readertui.core.model import LineRange, Location
from readertui.core.workspace import note_files
from readertui.ui import workers
from readertui.ui.navigation import Navigator
from readertui.ui.project_index import ProjectIndex
from readertui.ui.session import Session

if TYPE_CHECKING:
    from readertui.core.tags import Definition
    from readertui.ui.capture import Capture
    from readertui.ui.screens.pickers import PathRanker


class PickerFlows:
    def __init__(
        self,
        screen: Screen[Any],
        session: Session,
        navigator: Navigator,
        index: ProjectIndex,
        capture: Callable[[], Capture],
    ) -> None:
        self.screen = screen
        self.session = session
        self.navigator = navigator
        self.index = index
        self.capture = capture  # made on first use: its imports are not needed at start
        self.ranker: PathRanker | None = None  # the file finder's list, built on first use
        # The definition around a line of the file shown (the screen's code navigation sets it).
        self.enclosing: Callable[[int], Definition | None] = lambda line: None

    def _run(self, flow: Callable[..., Any], *args: Any) -> None:
        workers.run(self.screen, flow, *args, group="picker", exclusive=True)

    def find_file(self) -> None:
        self._run(self._find_file)

    async def _find_file(self) -> None:
        from readertui.ui.screens.pickers import FileFinder

        if self.ranker is None:
            self.ranker = await workers.run(
                self.screen, self._build_ranker, group="ranker", exclusive=True, thread=True
            ).wait()
        chosen = await self.screen.app.push_screen_wait(FileFinder(self.ranker))
        if chosen:
            repo, _, path = chosen.partition("/")
            self.navigator.open_location(Location(self.navigator.project.name, repo, path))
            self.screen.set_focus(self.navigator.source)

    def _build_ranker(self) -> PathRanker:
        from readertui.ui.screens.pickers import PathRanker

        return PathRanker(self.session.project_paths(self.navigator.project))

    def bookmark_list(self) -> None:
        self._run(self._bookmark_list)

    async def _bookmark_list(self) -> None:
        from readertui.ui.screens.pickers import BookmarkPicker

        self.index.ensure_bookmarks(self.navigator.project)  # the index may not have them yet
        if not self.index.bookmarks:
            from readertui.core.bookmarks import refusal  # (not at start-up: tomllib, tomli_w)

            refused = refusal(self.navigator.project)  # not read at all: say why
            if refused is not None:
                self.screen.notify(str(refused), title="No bookmarks", severity="warning", timeout=8)
            else:
                self.screen.notify("no bookmarks yet", timeout=3)
            return
        choice = await self.screen.app.push_screen_wait(BookmarkPicker(self.index.bookmarks))
        if choice is None:
            return
        mark = choice.bookmark
        if choice.action == "jump":
            self.navigator.open_bookmark(mark)
        elif choice.action == "delete":
            self.capture().delete_bookmark(mark)
        elif choice.action == "rename":
            await self.capture().rename_bookmark(mark)

    def switch_note(self) -> None:
        self._run(self._switch_note)

    async def _switch_note(self) -> None:
        from readertui.ui.screens.pickers import ListPicker

        project = self.navigator.project
        found = await asyncio.to_thread(note_files, project)  # a walk: off the event loop
        items = [(p.relative_to(project.notes_dir).as_posix(), p) for p in found]
        chosen = await self.screen.app.push_screen_wait(ListPicker("Open note", items))
        if chosen is not None:
            self.navigator.open_note(chosen, record=True)
            self.screen.set_focus(self.navigator.notes)

    def backlinks(self) -> None:
        self._run(self._backlinks)

    async def _backlinks(self) -> None:
        from readertui.ui.screens.pickers import ListPicker

        navigator = self.navigator
        location = navigator.require_code()
        if location is None:
            return
        line = navigator.source.cursor_line
        links = self.index.backlinks.citing(location.repo or "", location.path, line, location.commit)
        # Notes citing other lines of the definition around the cursor count too, marked so.
        definition = self.enclosing(line)
        around: list[Backlink] = []
        if definition is not None:
            span = LineRange(definition.start, definition.end)
            around = [
                link
                for link in self.index.backlinks.for_file(location.repo or "", location.path, location.commit)
                if link not in links and any(r.overlaps(span) for r in link.ranges)
            ]
        if not links and not around:
            self.screen.notify("no note cites this line", timeout=3)
            return

        def label(link: Backlink, where: str = "") -> str:
            return f"{navigator.note_name(link.note)}:{link.note_line}  {where}{link.text}"

        items = [(label(link), link) for link in links]
        if definition is not None:
            items += [(label(link, f"in {definition.qualified}: "), link) for link in around]
        title = "Notes citing this line" + (f" or {definition.qualified}" if around and definition else "")
        chosen = await self.screen.app.push_screen_wait(ListPicker(title, items))
        if chosen is not None:
            # The very citation that cites this line is made current, not the line's first.
            navigator.open_note(chosen.note, chosen.note_line, record=True, column=chosen.note_column - 1)
            self.screen.set_focus(navigator.notes)

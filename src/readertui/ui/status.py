"""The status line's model: what the screen knows that the status line shows.

The screen tells it the facts as they arrive (the tag of the commit shown, today's entries,
the note's drift) and asks it for the `StatusInfo` of the place the reader is at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from readertui.core.git import short
from readertui.core.model import CitationResult, Location, Project, Repo
from readertui.ui.widgets.status_line import StatusInfo

if TYPE_CHECKING:
    from readertui.core.tags import Definition
    from readertui.ui.session import Session


class StatusModel:
    def __init__(self) -> None:
        self.tag = ""  # nearest tag of the code shown
        self.commit_owner = "note"  # whose commit the code shown is at, if not the checkout
        self.today_entries = 0  # entries in today's section of the reading log
        self.drift = ("", "")  # the notes' drift: (full, short for narrow terminals)
        self.symbol = ""  # the definition around the cursor (`Engine.step`)
        self.indexing = ""  # the symbol index's progress while it is built
        self.tree_name = ""  # the whole name of the tree's row under its cursor, when cut

    def refresh(
        self,
        session: Session,
        project: Project,
        location: Location | None,
        line: int,
        bookmarks: int,
        symbol_at: Callable[[int], Definition | None],
    ) -> StatusInfo:
        """The status line for `location` with the cursor on `line` (and in its symbol)."""
        repo = None
        if location is not None and location.repo is not None:
            _, repo = session.locate(location)
        symbol = symbol_at(line) if location is not None else None
        self.symbol = symbol.qualified if symbol is not None else ""
        return self.info(project, bookmarks, location, repo, line)

    def info(
        self,
        project: Project,
        bookmarks: int,
        location: Location | None,
        repo: Repo | None,
        line: int,
    ) -> StatusInfo:
        """What to show for `location` (in `repo`, the cursor on `line`)."""
        info = StatusInfo(project=project.name, bookmarks=bookmarks)
        if location is not None and location.repo is not None and repo is not None:
            commit = location.commit or repo.head
            info = msgspec.structs.replace(
                info,
                repo=location.repo,
                commit=short(commit) if commit else "",
                tag=self.tag,
                file=location.path,
                line=line,
                viewing_commit=location.commit is not None,
                commit_owner=self.commit_owner,
                symbol=self.symbol,
            )
        drift, drift_short = self.drift
        return msgspec.structs.replace(
            info, today_entries=self.today_entries, drift=drift, drift_short=drift_short,
            indexing=self.indexing, tree_name=self.tree_name,
        )

    def note_drift(self, project: Project, results: tuple[CitationResult, ...]) -> None:
        """Say so, in full and in short, when the note's citations are about a commit other
        than the checkout."""
        heads = {r.repo: r for r in results if r.commit and r.repo}
        for repo_name, result in heads.items():
            repo = project.repo(repo_name)
            if repo is not None and repo.head and result.commit != repo.head:
                notes = f"notes @ {short(result.commit or '')} ≠"
                self.drift = f"{notes} {repo_name} @ {short(repo.head)}", f"{notes} checkout"
                return
        self.drift = ("", "")

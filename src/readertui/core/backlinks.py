"""Which notes cite which lines of which repo file: the index behind backlinks and gutter marks.

Built from resolver results (pure: no I/O). A citation is indexed twice when it has them:
at the commit it was written about (`commit`, `path`, `ranges`), and at the checkout
(`new_path`/`new_ranges` for moved or stale code, else the original coordinates), so the
source pane can ask either "who cites this line as it was at commit X" or "as checked out".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import msgspec

from readertui.core.model import CitationResult, LineRange, Status

# A citation of a whole 100k-line file should not paint 100k gutter marks one by one.
MAX_MARKED_LINES_PER_CITATION = 5_000


class Backlink(msgspec.Struct, frozen=True, gc=False):
    """A note line that cites the code asked about. Untracked by the garbage collector (it
    refers to no container that could lead back to it): a long log makes 400,000 of them."""
    note: Path  # absolute path of the citing note
    note_line: int
    text: str  # the citation as written
    ranges: tuple[LineRange, ...]  # the cited ranges in the coordinates of the query
    status: Status
    note_column: int = 1  # 1-based column of the citation on its line (a line may hold several)


class BacklinkIndex:
    def __init__(self, results: Iterable[CitationResult] = ()) -> None:
        # (repo, path, commit or None for the checkout) -> backlinks
        self._by_file: dict[tuple[str, str, str | None], list[Backlink]] = defaultdict(list)
        for result in results:
            self._add(result)

    def _add(self, result: CitationResult) -> None:
        if result.repo is None or result.path is None:
            return  # missing / ambiguous: nothing to point at
        citation = result.citation

        def link(ranges: tuple[LineRange, ...]) -> Backlink:
            return Backlink(result.note, citation.line, citation.text, ranges, result.status, citation.column)

        if result.commit is not None:
            self._by_file[(result.repo, result.path, result.commit)].append(link(result.ranges))
        if result.new_path is not None and result.status in (Status.MOVED, Status.STALE):
            ranges = result.new_ranges or result.ranges
            self._by_file[(result.repo, result.new_path, None)].append(link(ranges))
        else:
            self._by_file[(result.repo, result.path, None)].append(link(result.ranges))

    def for_file(self, repo: str, path: str, commit: str | None = None) -> tuple[Backlink, ...]:
        """Every citation of `repo/path` (at `commit`, or at the checkout when None)."""
        return tuple(self._by_file.get((repo, path, commit), ()))

    def citing(
        self, repo: str, path: str, line: int, commit: str | None = None
    ) -> tuple[Backlink, ...]:
        """The citations whose ranges include `line`; a citation of the whole file counts."""
        return tuple(
            link
            for link in self.for_file(repo, path, commit)
            if not link.ranges or any(line in r for r in link.ranges)
        )

    def cited_lines(self, repo: str, path: str, commit: str | None = None) -> frozenset[int]:
        lines: set[int] = set()
        for link in self.for_file(repo, path, commit):
            for line_range in link.ranges:
                end = min(line_range.end, line_range.start + MAX_MARKED_LINES_PER_CITATION - 1)
                lines.update(range(line_range.start, end + 1))
        return frozenset(lines)

    def notes(self) -> frozenset[Path]:
        return frozenset(link.note for links in self._by_file.values() for link in links)

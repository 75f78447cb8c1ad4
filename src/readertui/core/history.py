"""Back/forward history of the places the reader jumped between (vim's jump list).

Pure data: a `History` is immutable and every operation returns a new one. The entry at
`index` is where the reader is now; `back`/`forward` first record the live cursor position
(`current`) into that entry so returning to it lands on the line the reader had moved to.
"""

from __future__ import annotations

import msgspec

from readertui.core.model import Location

DEFAULT_LIMIT = 200


def same_file(a: Location, b: Location) -> bool:
    return (a.project, a.repo, a.path, a.commit) == (b.project, b.repo, b.path, b.commit)


class History(msgspec.Struct, frozen=True):
    """The back/forward jump list (immutable: each move returns a new one)."""
    entries: tuple[Location, ...] = ()
    index: int = -1  # -1 only while empty
    limit: int = DEFAULT_LIMIT

    @property
    def current(self) -> Location | None:
        return self.entries[self.index] if self.entries else None

    @property
    def can_go_back(self) -> bool:
        return self.index > 0

    @property
    def can_go_forward(self) -> bool:
        return 0 <= self.index < len(self.entries) - 1

    def visit(self, to: Location, origin: Location | None = None) -> History:
        """A jump from `origin` (the live cursor position, if any) to `to`.

        Forward entries are dropped, as in a browser. `origin` replaces the current entry when
        it is the same file (the cursor moved within it), otherwise it is appended.
        """
        entries = list(self.entries[: self.index + 1])
        if origin is not None:
            _record(entries, origin)
        _record(entries, to, replace_same_file=False)
        entries = entries[-self.limit :]
        return msgspec.structs.replace(self, entries=tuple(entries), index=len(entries) - 1)

    def back(self, current: Location | None = None) -> tuple[History, Location | None]:
        if not self.can_go_back:
            return self, None
        moved = self.with_current(current)
        index = moved.index - 1
        return msgspec.structs.replace(moved, index=index), moved.entries[index]

    def forward(self, current: Location | None = None) -> tuple[History, Location | None]:
        if not self.can_go_forward:
            return self, None
        moved = self.with_current(current)
        index = moved.index + 1
        return msgspec.structs.replace(moved, index=index), moved.entries[index]

    def with_current(self, current: Location | None) -> History:
        """The current entry moved to `current` (a live cursor position) when it is that file."""
        here = self.current
        if current is None or here is None or not same_file(here, current):
            return self
        entries = list(self.entries)
        entries[self.index] = current
        return msgspec.structs.replace(self, entries=tuple(entries))


def _record(entries: list[Location], location: Location, replace_same_file: bool = True) -> None:
    if entries and entries[-1] == location:
        return
    if replace_same_file and entries and same_file(entries[-1], location):
        entries[-1] = location
        return
    entries.append(location)

"""Soft wrap for `CodeView`: where each line's screen rows start, and screen row ↔ line maps.

A line is cut into rows of at most `width` terminal cells (wide characters count two), at the
last space or next to a wide character when there is one in the row, else at the width. A
`WrapLayout` keeps the prefix sums of rows per line, so finding the line under a screen row is
one bisect; it is built again only when the width or the text changes, and measures lines
lazily from the top (what is on screen at once, the rest in background steps).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence
from itertools import accumulate

from rich.cells import get_character_cell_size, split_graphemes

# Characters that join or widen their neighbours: such lines are measured grapheme by grapheme.
_JOINERS = ("\u200d", "\ufe0f")


def wrap_offsets(text: str, width: int) -> list[int]:
    """Cell offsets where the rows of `text` (already sanitized: no tabs, no controls) start.

    `[0]` when it fits. A space where a row is full ends that row (it is cropped from view), so
    prose rows do not start with a blank. A word too long for any row (a path, a URL) is not
    moved to the next row but cut at the width, so it does not leave a short row behind; when
    the row has a `/` in its second half, after that `/` (`minillm/minillm/` | `attention.py`:
    a citation in a narrow notes pane is cut between names, not inside one)."""
    width = max(1, width)
    if text.isascii():
        return _wrap_ascii(text, width)
    if any(joiner in text for joiner in _JOINERS):
        spans, _ = split_graphemes(text)
        starts: list[int] | None = [start for start, _, _ in spans]
        widths = [cells for _, _, cells in spans]
    else:
        starts = None  # one unit per character
        widths = _widths(text)
    ends = list(accumulate(widths))  # cells up to and including each unit
    total = ends[-1] if ends else 0
    offsets = [0]
    unit = 0  # first unit (character or grapheme) of the current row
    cell = 0
    while total - cell > width:
        cut = bisect.bisect_right(ends, cell + width, unit)  # first unit that does not fit
        if cut == unit:
            cut += 1  # a wide character in a one-cell row
        elif text[cut if starts is None else starts[cut]] == " ":
            cut += 1
        else:
            broken = _last_break(text, starts, widths, ends, unit, cut, width)
            mid_word = broken == cut and widths[cut - 1] == 1 == widths[cut] and _char(text, starts, cut - 1) != " "
            cut = _after_slash(text, starts, ends, unit, cut, cell, width) if mid_word else broken
        while cut < len(ends) and ends[cut - 1] <= cell:
            cut += 1  # zero-width characters never make a row of their own
        if cut >= len(ends) or ends[cut - 1] >= total:
            break
        cell = ends[cut - 1]
        offsets.append(cell)
        unit = cut
    return offsets


def _char(text: str, starts: list[int] | None, unit: int) -> str:
    return text[unit if starts is None else starts[unit]]


def _after_slash(
    text: str, starts: list[int] | None, ends: list[int], first: int, cut: int, cell: int, width: int
) -> int:
    """Where a word cut at `cut` (a unit) breaks instead: after the last `/` of the row that
    leaves the row at least half full, else at `cut`."""
    floor = cell + max(1, width // 2)
    unit = cut - 1
    while unit > first and ends[unit] >= floor:
        if _char(text, starts, unit) == "/":
            return unit + 1
        unit -= 1
    return cut


_CELLS: dict[str, int] = {}  # cell width per character seen: a dict lookup beats rich's lru_cache


def _widths(text: str) -> list[int]:
    try:
        return list(map(_CELLS.__getitem__, text))
    except KeyError:
        if len(_CELLS) > 50_000:
            _CELLS.clear()
        _CELLS.update((char, get_character_cell_size(char)) for char in set(text))
        return list(map(_CELLS.__getitem__, text))


def _wrap_ascii(text: str, width: int) -> list[int]:
    length = len(text)
    offsets = [0]
    start = 0
    while length - start > width:
        cut = start + width
        if text[cut] == " ":
            cut += 1
        else:
            space = text.rfind(" ", start, cut)
            word_end = text.find(" ", cut)
            if space > start and (length if word_end < 0 else word_end) - space - 1 <= width:
                cut = space + 1
            else:  # a word longer than a row: after its last `/` in the row's second half
                slash = text.rfind("/", max(space + 1, start + max(1, width // 2) - 1), cut)
                if slash >= 0:
                    cut = slash + 1
        if cut >= length:
            break
        offsets.append(cut)
        start = cut
    return offsets


def _last_break(
    text: str, starts: list[int] | None, widths: list[int], ends: list[int], first: int, cut: int, width: int
) -> int:
    """The last unit in (first, cut] a row may start at: after a space, or beside a wide
    character (CJK breaks anywhere); `cut` itself when the row is one unbroken word or the
    word would not fit the next row either."""
    unit = cut
    while unit > first:
        previous = unit - 1
        if widths[previous] > 1 or widths[unit] > 1 or text[previous if starts is None else starts[previous]] == " ":
            break
        unit -= 1
    else:
        return cut
    # Does the word moved down (from `unit` to its next break) fit in one row? The break itself
    # need not: a space ends the row (cropped), a wide character starts the next one.
    limit = ends[unit - 1] + width
    following = cut
    while following < len(ends):
        if widths[following] > 1 or text[following if starts is None else starts[following]] == " ":
            return unit
        if ends[following] > limit:
            return cut
        following += 1
    return unit


class WrapLayout:
    """The rows of a document wrapped at `width` cells, measured lazily from the top.

    Lines are 0-based indexes here. Asking for a row or line past what is measured measures up
    to it (a line costs ~1 µs, ~5 µs when not plain ASCII); `extend_for` measures more in the
    background. Until every line is measured, `total_rows` estimates the rest from the rows per
    line so far; rows above the last measured line never move."""

    _BATCH = 64  # lines measured at a time: a screenful of wrapped prose

    def __init__(self, lines: Sequence[str], width: int, display: Callable[[str], str], plain_limit: int) -> None:
        """`display(raw)` is the text a line shows (tabs expanded, controls replaced, capped);
        a tab-free ASCII line up to `plain_limit` characters shows as many cells as it has
        characters and is measured as it is."""
        self.width = width
        self._lines = lines
        self._display = display
        self._plain_limit = plain_limit
        self._row_starts = [0]  # first row of each measured line, then the rows measured so far
        self._offsets: dict[int, list[int]] = {}  # cell offsets of the rows of multi-row lines

    @property
    def complete(self) -> bool:
        return len(self._row_starts) > len(self._lines)

    @property
    def total_rows(self) -> int:
        measured = len(self._row_starts) - 1
        rows = self._row_starts[-1]
        if measured >= len(self._lines):
            return rows
        per_line = rows / measured if measured else 1.0
        return rows + max(len(self._lines) - measured, round((len(self._lines) - measured) * per_line))

    def first_row(self, index: int) -> int:
        """The first row of line `index`; `first_row(line_count)` is the exact total."""
        if index >= len(self._row_starts):
            self._measure(index)
        return self._row_starts[index]

    def row_count(self, index: int) -> int:
        return self.first_row(index + 1) - self._row_starts[index]

    def locate(self, row: int) -> tuple[int, int]:
        """(line index, row within the line) of a screen row; `(line_count, 0)` past the end."""
        while row >= self._row_starts[-1] and not self.complete:
            self._measure(len(self._row_starts) - 1 + self._BATCH)
        if row >= self._row_starts[-1]:
            return len(self._lines), 0
        index = bisect.bisect_right(self._row_starts, row) - 1
        return index, row - self._row_starts[index]

    def offsets(self, index: int) -> list[int]:
        """Cell offsets where the rows of line `index` start."""
        self.first_row(index + 1)
        return self._offsets.get(index, [0])

    def part_of_cell(self, index: int, cell: int) -> int:
        """Which row of line `index` shows its cell `cell`."""
        return max(0, bisect.bisect_right(self.offsets(index), cell) - 1)

    def extend_for(self, seconds: float) -> None:
        """Measure more lines for about `seconds` (the background step)."""
        deadline = time.perf_counter() + seconds
        while not self.complete and time.perf_counter() < deadline:
            self._measure(len(self._row_starts) - 1 + self._BATCH)

    def _measure(self, through: int) -> None:
        """Measure lines up to index `through` - 1, so `_row_starts[through]` exists."""
        lines = self._lines
        stop = min(through, len(lines))
        width = self.width
        half = width // 2
        row_starts = self._row_starts
        total = row_starts[-1]
        for index in range(len(row_starts) - 1, stop):
            line = lines[index]
            length = len(line)
            if length <= half and "\t" not in line:  # fits even if every character is wide
                total += 1
            elif length <= width and "\t" not in line and line.isascii():
                total += 1
            else:
                if length <= self._plain_limit and "\t" not in line and line.isascii():
                    rows = _wrap_ascii(line, max(1, width))
                else:
                    rows = wrap_offsets(self._display(line), width)
                total += len(rows)
                if len(rows) > 1:
                    self._offsets[index] = rows
            row_starts.append(total)

"""Carry cited line ranges from commit A to commit B of one repository.

Technique order (docs/ANCHORS.md):

1. **Diff line mapping.** One `git diff -M --unified=0 A B` for the pair, parsed into hunks per
   file (renames followed). A range that no hunk touches moves by the summed line delta of the
   hunks above it: status "same" (delta 0, same path) or "moved", confidence 1.0. Only these are
   exact.
2. **Exact text.** A range a hunk touches is "changed". Its text at A (read from git) is looked
   up in B's file; a unique exact match of the whole block is the candidate, confidence 0.95.
   It stays below 1.0 on purpose: identical text elsewhere is strong evidence, not proof that it
   is the same code (a block deleted here and a copy living on there look the same).
3. **Fuzzy match.** Otherwise each cited line votes for where the block sits in B (identical
   lines after whitespace normalisation; rare lines weigh more), votes are weighted by nearness
   to the expected place, and the winning alignment's extent is the candidate. When no cited
   line survived verbatim, a block-sized window slides around the expected place, scored by
   line-by-line token similarity. Confidence = 0.9 x text similarity x nearness, always in
   (0, 0.9]. Below `MIN_SIMILARITY` there is no candidate (`new_ranges == ()`, confidence
   0.0): the cited code is gone.

When is a range touched? A hunk that replaces or deletes any cited line touches it. A pure
insertion touches it only when it lands strictly between two cited lines; an insertion just
above the first cited line or just below the last one leaves the cited lines contiguous and
identical, so the range simply moves (or stays).

Renames: git pairs them only above 50% similarity, so a file renamed and then much edited shows
up as deleted + added. Before calling a file deleted, the added files of the same extension are
searched for one holding at least 30% of its distinct lines; that pair is diffed with difflib
and mapped like any other (lines difflib aligns as equal are identical text in the same order,
hence exact). Only a file with no such partner is "orphaned" (`new_path is None`).

Several ranges are mapped one by one and the citation gets the worst status and the lowest
confidence; `new_ranges` is empty when any range has no candidate, so a citation is rewritten
whole or not at all.
"""

from __future__ import annotations

import difflib
import enum
import functools
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import msgspec

from readertui.core.lazy_pattern import LazyPattern
from readertui.core.model import Bookmark, LineRange

if TYPE_CHECKING:
    from readertui.core.git import GitRepo



class MappingStatus(enum.StrEnum):
    """What became of a cited range between two commits, mildest first."""

    SAME = "same"  # same lines, same path
    MOVED = "moved"  # same text, shifted or in a renamed file
    CHANGED = "changed"  # a hunk touched it: a best match, or none
    ORPHANED = "orphaned"  # the file was deleted


STATUS_ORDER = tuple(MappingStatus)
EXACT_STATUSES = frozenset({MappingStatus.SAME, MappingStatus.MOVED})
UNIQUE_MATCH_CONFIDENCE = 0.95
FUZZY_CEILING = 0.9
MIN_SIMILARITY = 0.3
MIN_LINE_SIMILARITY = 0.6
NEARNESS_SCALE = 200  # lines: a candidate this far from the expected place scores half
PAIRING_SHARE = 0.3  # of a deleted file's distinct lines found in an added file
PAIRING_CANDIDATES = 500  # added files (same extension) compared with one deleted file
SCAN_RADIUS = 40  # lines around the expected place searched when no cited line survived
FUZZY_LINE_CAP = 12  # cited lines (evenly spread) compared one by one in that last-resort search


class RangeMapping(msgspec.Struct, frozen=True):
    status: MappingStatus
    old_path: str
    new_path: str | None
    old_ranges: tuple[LineRange, ...]
    new_ranges: tuple[LineRange, ...]  # () when orphaned or when a changed range has no candidate
    confidence: float  # 1.0 only for exact (same / moved)
    by_symbol: str | None = None  # the definition that placed a changed range (core/symbol_drift.py)

    @property
    def exact(self) -> bool:
        return self.status in EXACT_STATUSES


class Hunk(msgspec.Struct, frozen=True):
    """One `@@ -old_start,old_count +new_start,new_count @@` header of a zero-context diff.

    With `old_count == 0` the hunk inserts lines after old line `old_start` (0: at the top)."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int

    @property
    def delta(self) -> int:
        return self.new_count - self.old_count


class FileDiff(msgspec.Struct, frozen=True):
    old_path: str
    new_path: str | None  # None: deleted at B
    hunks: tuple[Hunk, ...]
    binary: bool = False  # content changed but git gives no line hunks


_TOKEN = LazyPattern(r"\w+|[^\w\s]")
_HUNK_RE = LazyPattern(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_path(text: str) -> str:
    """Undo git's C-style quoting of unusual path names (`"caf\\303\\251.py"`)."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    out = bytearray()
    body = text[1:-1]
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 == len(body):
            out += char.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in "01234567":
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
    return out.decode("utf-8", errors="surrogateescape")


def _side_path(text: str, prefix: str) -> str | None:
    """The path of a `---`/`+++` line's argument; None for /dev/null."""
    text = text.rstrip("\t")  # git appends a tab to names containing spaces
    if text == "/dev/null":
        return None
    text = unquote_path(text)
    return text[len(prefix) :] if text.startswith(prefix) else text


class ParsedDiff(msgspec.Struct, frozen=True):
    files: dict[str, FileDiff]  # old path -> what became of it
    added: tuple[str, ...]  # paths new at B (candidates for renames git did not detect)


def parse_diff(text: str) -> ParsedDiff:
    """Parse `git diff -M --unified=0` output: one FileDiff per old path, plus added paths.

    Hunk bodies are skipped by count, so content lines that look like headers (`--- a/x`
    removed from a file) are safe."""
    files: dict[str, FileDiff] = {}
    added_paths: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("diff --git "):
            i += 1
            continue
        i += 1
        old_path: str | None = None
        new_path: str | None = None
        deleted = added = binary = False
        hunks: list[Hunk] = []
        while i < len(lines) and not lines[i].startswith("diff --git "):
            line = lines[i]
            i += 1
            if line.startswith("rename from "):
                old_path = unquote_path(line[len("rename from ") :])
            elif line.startswith("rename to "):
                new_path = unquote_path(line[len("rename to ") :])
            elif line.startswith("deleted file mode"):
                deleted = True
            elif line.startswith("new file mode"):
                added = True
            elif line.startswith("--- "):
                old_path = _side_path(line[4:], "a/") or old_path
            elif line.startswith("+++ "):
                new_path = _side_path(line[4:], "b/") or new_path
            elif line.startswith("Binary files "):
                binary = True
            elif match := _HUNK_RE.match(line):
                hunk = Hunk(
                    int(match[1]),
                    1 if match[2] is None else int(match[2]),
                    int(match[3]),
                    1 if match[4] is None else int(match[4]),
                )
                hunks.append(hunk)
                i = _skip_hunk_body(lines, i, hunk.old_count + hunk.new_count)
        if added and new_path is not None:
            added_paths.append(new_path)
        if added or old_path is None:
            continue
        if deleted:
            new_path = None
        elif new_path is None:
            new_path = old_path
        files[old_path] = FileDiff(old_path, new_path, tuple(hunks), binary)
    return ParsedDiff(files, tuple(added_paths))


def _skip_hunk_body(lines: list[str], i: int, count: int) -> int:
    while i < len(lines) and (count > 0 or lines[i].startswith("\\")):
        if not lines[i].startswith("\\"):  # "\ No newline at end of file"
            count -= 1
        i += 1
    return i


def map_through_hunks(hunks: tuple[Hunk, ...], rng: LineRange) -> tuple[int, bool]:
    """(offset of the hunks wholly above `rng`, whether any hunk touches it)."""
    offset = 0
    touched = False
    for hunk in hunks:
        if hunk.old_count == 0:
            after = hunk.old_start  # inserted between old lines `after` and `after + 1`
            if after < rng.start:
                offset += hunk.new_count
            elif after < rng.end:
                touched = True
        else:
            old_end = hunk.old_start + hunk.old_count - 1
            if old_end < rng.start:
                offset += hunk.delta
            elif hunk.old_start <= rng.end:
                touched = True
    return offset, touched


def split_lines(data: bytes) -> list[bytes]:
    """Lines as git counts them: split on LF only (CR, form feeds… stay in the line)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _normalize(line: bytes) -> str:
    return " ".join(line.decode("utf-8", errors="replace").split())


def normalize_lines(lines: list[bytes]) -> list[str]:
    return [_normalize(line) for line in lines]


class Relocation(msgspec.Struct, frozen=True):
    range: LineRange | None
    confidence: float


def relocate(
    old_block: list[bytes], new_lines: list[bytes], expected: int, new_norm: list[str] | None = None
) -> Relocation:
    """Find `old_block` (the cited lines at A) in `new_lines` (the file at B).

    `expected` is the 1-based line where the block would start if only the hunks above it had
    moved it; `new_norm` is `new_lines` normalised, when the caller has it already. Never
    returns confidence 1.0."""
    if not old_block or not new_lines:
        return Relocation(None, 0.0)
    count = len(old_block)
    starts = _exact_starts(old_block, new_lines)
    if len(starts) == 1:
        return Relocation(LineRange(starts[0] + 1, starts[0] + count), UNIQUE_MATCH_CONFIDENCE)
    old_norm = [_normalize(line) for line in old_block]
    if new_norm is None:
        new_norm = normalize_lines(new_lines)
    found = _vote(old_norm, new_norm, expected - 1) or _scan(old_norm, new_norm, expected - 1)
    if found is None:
        return Relocation(None, 0.0)
    first, last = found
    similarity = _similarity(old_norm, new_norm[first : last + 1])
    if similarity < MIN_SIMILARITY:
        return Relocation(None, 0.0)
    confidence = round(FUZZY_CEILING * similarity * _nearness(abs(first - (expected - 1))), 3)
    return Relocation(LineRange(first + 1, last + 1), max(confidence, 0.001))


def _exact_starts(block: list[bytes], lines: list[bytes]) -> list[int]:
    head = block[0]
    count = len(block)
    return [
        i
        for i in range(len(lines) - count + 1)
        if lines[i] == head and lines[i : i + count] == block
    ]


def _nearness(distance: int) -> float:
    return 1 / (1 + distance / NEARNESS_SCALE)


def _vote(old: list[str], new: list[str], expected: int) -> tuple[int, int] | None:
    """Align by identical (normalised) lines: each cited line votes for the block start its
    matches imply; rare lines weigh more. Returns 0-based (first, last) lines in `new`."""
    positions: dict[str, list[int]] = defaultdict(list)
    wanted = {line for line in old if line}
    for j, line in enumerate(new):
        if line in wanted:
            positions[line].append(j)
    votes: dict[int, float] = defaultdict(float)
    for i, line in enumerate(old):
        hits = positions.get(line, ())
        for j in hits:
            votes[j - i] += 1 / len(hits)
    if not votes:
        return None
    best = max(votes, key=lambda start: (votes[start] * _nearness(abs(start - expected)), -start))
    # Lines inserted or deleted inside the block shift later lines; accept matches whose
    # implied start is within the block's own length of the winner, in increasing order.
    slack = max(3, len(old))
    pairs: list[tuple[int, int]] = []
    for i, line in enumerate(old):
        hits = [j for j in positions.get(line, ()) if abs((j - i) - best) <= slack]
        if not hits:
            continue
        j = min(hits, key=lambda j: abs((j - i) - best))
        if not pairs or j > pairs[-1][1]:
            pairs.append((i, j))
    (i_first, j_first), (i_last, j_last) = pairs[0], pairs[-1]
    first = max(0, j_first - i_first)
    last = min(len(new) - 1, j_last + (len(old) - 1 - i_last))
    return first, max(first, last)


def _scan(old: list[str], new: list[str], expected: int) -> tuple[int, int] | None:
    """No cited line survived verbatim: slide a block-sized window around the expected place
    and score line-by-line similarity, weighted by nearness. A window whose lines are on
    average less than `MIN_LINE_SIMILARITY` alike is no candidate: the code is gone."""
    step = max(1, len(old) // FUZZY_LINE_CAP)
    sample = [(i, line) for i, line in enumerate(old) if line][::step][:FUZZY_LINE_CAP]
    if not sample:
        return None
    best: tuple[float, int] | None = None
    low = max(0, expected - SCAN_RADIUS)
    high = min(len(new) - 1, expected + SCAN_RADIUS)
    for start in range(low, high + 1):
        pairs = [(line, new[start + i]) for i, line in sample if start + i < len(new)]
        if not pairs:
            continue
        # quick_ratio bounds ratio from above: skip windows that cannot reach the bar
        if sum(_matcher(a, b).quick_ratio() for a, b in pairs) / len(sample) < MIN_LINE_SIMILARITY:
            continue
        alike = sum(_line_ratio(a, b) for a, b in pairs) / len(sample)
        if alike < MIN_LINE_SIMILARITY:
            continue
        score = alike * _nearness(abs(start - expected))
        if best is None or score > best[0]:
            best = (score, start)
    if best is None:
        return None
    start = best[1]
    return start, min(len(new) - 1, start + len(old) - 1)


@functools.lru_cache(maxsize=65536)
def _tokens(line: str) -> tuple[str, ...]:
    """Identifiers, numbers and single punctuation marks: lines compare by tokens, which is
    several times cheaper than by characters and closer to how code changes."""
    return tuple(_TOKEN.findall(line))


def _matcher(a: str, b: str) -> difflib.SequenceMatcher[str]:
    return difflib.SequenceMatcher(None, _tokens(a), _tokens(b), autojunk=False)


def _line_ratio(a: str, b: str) -> float:
    """Similarity of two (normalised) lines in [0, 1], by tokens."""
    if a == b:
        return 1.0
    matcher = _matcher(a, b)
    if matcher.real_quick_ratio() < 0.3 or matcher.quick_ratio() < 0.3:
        return 0.0  # cheap upper bounds: these two lines are nothing alike
    return matcher.ratio()


def _similarity(old: list[str], new: list[str]) -> float:
    """Text similarity of two blocks in [0, 1]: identical lines count 1, lines replaced by
    others count their token similarity to the best nearby partner (Swimm-style line matching)."""
    if not old or not new:
        return 0.0
    score = 0.0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            score += i2 - i1
        elif tag == "replace":
            # each replaced line against its counterpart by position, give or take two lines
            for k, line in enumerate(old[i1:i2]):
                here = j1 + k * (j2 - j1) // (i2 - i1)
                partners = new[max(j1, here - 2) : min(j2, here + 3)]
                score += max((_line_ratio(line, other) for other in partners), default=0.0)
    return score / max(len(old), len(new))


class DriftMapper:
    """Maps ranges of files at commit `a` to commit `b`; one `git diff -M` for the pair."""

    def __init__(self, git: GitRepo, a: str, b: str) -> None:
        self.git = git
        self.a = a
        self.b = b
        parsed = parse_diff(git.diff(a, b)) if a != b else ParsedDiff({}, ())
        self._files = parsed.files
        self._added = parsed.added
        self._paired: set[str] = set()
        self._added_sets: dict[str, frozenset[bytes]] = {}
        self._split: dict[tuple[str, str], list[bytes]] = {}
        self._normalized: dict[tuple[str, str], list[str]] = {}

    def changed_files(self, paths: Iterable[str] | None = None) -> dict[str, str | None]:
        """old path -> new path (None: deleted) for every file that changed or moved, or only
        for `paths` (cheaper: renames git missed are looked for only where asked)."""
        wanted = self._files.keys() if paths is None else set(paths) & self._files.keys()
        return {old: diff.new_path for old in sorted(wanted) if (diff := self._file_diff(old))}

    def touches(self, path: str) -> bool:
        """Whether the diff changes, renames or deletes `path`; when not, `map` answers "same"
        for any ranges in it."""
        return self._file_diff(path) is not None

    def _file_diff(self, path: str) -> FileDiff | None:
        diff = self._files.get(path)
        if diff is not None and diff.new_path is None and path not in self._paired:
            self._paired.add(path)
            diff = self._files[path] = self._pair_deleted(diff)
        return diff

    def _pair_deleted(self, diff: FileDiff) -> FileDiff:
        """git pairs a rename only above 50% similarity (and gives up on big change sets): a
        file renamed and then much edited looks deleted. Look for it among the added files by
        shared lines; when one holds at least `PAIRING_SHARE` of its distinct lines, diff the
        two with difflib, so lines the edits left alone still map exactly."""
        old_lines = self._lines(diff.old_path, self.a)
        wanted = {line for line in old_lines if line.strip()}
        if not wanted or not self._added:
            return diff
        suffix = PurePosixPath(diff.old_path).suffix
        candidates = [path for path in self._added if PurePosixPath(path).suffix == suffix]
        best: tuple[float, str] | None = None
        for path in candidates[:PAIRING_CANDIDATES]:
            share = len(wanted & self._line_set(path)) / len(wanted)
            if share >= PAIRING_SHARE and (best is None or share > best[0]):
                best = (share, path)
        if best is None:
            return diff
        new_path = best[1]
        new_lines = self._lines(new_path, self.b)
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        hunks = tuple(
            Hunk(i1 + 1 if i2 > i1 else i1, i2 - i1, j1 + 1 if j2 > j1 else j1, j2 - j1)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        )
        return FileDiff(diff.old_path, new_path, hunks)

    def map(self, path: str, ranges: tuple[LineRange, ...]) -> RangeMapping:
        diff = self._file_diff(path)
        if diff is None:
            return RangeMapping(MappingStatus.SAME, path, path, ranges, ranges, 1.0)
        if diff.new_path is None:
            return RangeMapping(MappingStatus.ORPHANED, path, None, ranges, (), 0.0)
        statuses: list[MappingStatus] = []
        new_ranges: list[LineRange] = []
        confidence = 1.0
        complete = True
        for rng in ranges:
            offset, touched = map_through_hunks(diff.hunks, rng)
            if not touched and not diff.binary:
                statuses.append(
                    MappingStatus.SAME if offset == 0 and diff.new_path == path else MappingStatus.MOVED
                )
                new_ranges.append(rng.shifted(offset))
                continue
            statuses.append(MappingStatus.CHANGED)
            found = self._relocate(path, diff.new_path, rng, rng.start + offset)
            confidence = min(confidence, found.confidence)
            if found.range is None:
                complete = False
            else:
                new_ranges.append(found.range)
        if not ranges and diff.new_path != path:
            statuses.append(MappingStatus.MOVED)
        status = max(statuses, key=STATUS_ORDER.index, default=MappingStatus.SAME)
        return RangeMapping(
            status,
            path,
            diff.new_path,
            ranges,
            tuple(new_ranges) if complete else (),
            confidence if status is MappingStatus.CHANGED else 1.0,
        )

    def _relocate(self, old_path: str, new_path: str, rng: LineRange, expected: int) -> Relocation:
        old_lines = self._lines(old_path, self.a)
        new_lines = self._lines(new_path, self.b)
        if (new_path, self.b) not in self._normalized:
            self._normalized[(new_path, self.b)] = normalize_lines(new_lines)
        return relocate(old_lines[rng.start - 1 : rng.end], new_lines, expected, self._normalized[(new_path, self.b)])

    def _line_set(self, added_path: str) -> frozenset[bytes]:
        if added_path not in self._added_sets:
            self._added_sets[added_path] = frozenset(self._lines(added_path, self.b))
        return self._added_sets[added_path]

    def _lines(self, path: str, commit: str) -> list[bytes]:
        """A file's lines at a commit, split once per mapper (many citations share a file)."""
        if (path, commit) not in self._split:
            self._split[(path, commit)] = split_lines(self.git.read_file(path, commit) or b"")
        return self._split[(path, commit)]


def map_bookmark(mapper: DriftMapper, bookmark: Bookmark) -> RangeMapping:
    """Map a bookmark and verify it by its fingerprint at B.

    An exact mapping whose lines at B do not carry the bookmark's fingerprint (the bookmark was
    taken on text that differs from A, e.g. an uncommitted edit) is downgraded: the fingerprint
    is searched in B's file (unique match, confidence 0.95), then the excerpt near the expected
    place."""
    from readertui.core.bookmarks import fingerprint  # (bookmarks' TOML and hashing: not for `check`)

    mapping = mapper.map(bookmark.path, (bookmark.range,))
    if mapping.new_path is None or not mapping.new_ranges:
        return mapping
    new_lines = _text_lines(mapper.git.read_file(mapping.new_path, mapper.b) or b"")
    target = mapping.new_ranges[0]
    if mapping.exact:
        if fingerprint(new_lines[target.start - 1 : target.end]) == bookmark.fingerprint:
            return mapping
        return _refind_bookmark(mapping, bookmark, new_lines, target.start)
    return mapping


def _refind_bookmark(
    mapping: RangeMapping,
    bookmark: Bookmark,
    new_lines: list[str],
    expected: int,
) -> RangeMapping:
    from readertui.core.bookmarks import fingerprint

    size = len(bookmark.range)
    hits = [
        start
        for start in range(len(new_lines) - size + 1)
        if fingerprint(new_lines[start : start + size]) == bookmark.fingerprint
    ]
    if len(hits) == 1:
        found = LineRange(hits[0] + 1, hits[0] + size)
        return _changed(mapping, (found,), UNIQUE_MATCH_CONFIDENCE)
    excerpt = bookmark.excerpt.strip()
    if excerpt:
        near = [i for i, line in enumerate(new_lines) if line.strip() == excerpt]
        if near:
            best = min(near, key=lambda i: abs(i + 1 - expected))
            found = LineRange(best + 1, best + size)
            if found.end <= len(new_lines):
                confidence = round(0.7 * _nearness(abs(best + 1 - expected)), 3)
                return _changed(mapping, (found,), confidence)
    return _changed(mapping, (), 0.0)


def _changed(mapping: RangeMapping, new_ranges: tuple[LineRange, ...], confidence: float) -> RangeMapping:
    return RangeMapping(MappingStatus.CHANGED, mapping.old_path, mapping.new_path, mapping.old_ranges, new_ranges, confidence)


def _text_lines(data: bytes) -> list[str]:
    return [line.decode("utf-8", errors="replace").rstrip("\r") for line in split_lines(data)]

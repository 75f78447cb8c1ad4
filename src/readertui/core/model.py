"""Frozen value types shared by the core, the commands and the UI.

Everything here is plain data: no I/O, no Textual, no Rich. Line numbers are 1-based and
ranges are inclusive, as people write them in notes (`engine.py:234-256`). The types are
`msgspec.Struct`s rather than dataclasses because msgspec builds a class in C, where a
dataclass execs generated methods: that was a third of the reader's import time.
"""

from __future__ import annotations

import bisect
import enum
import functools
from datetime import datetime
from pathlib import Path

import msgspec


class LineRange(msgspec.Struct, frozen=True, order=True, gc=False):
    """An inclusive, 1-based range of lines: `start`..`end`. Untracked by the garbage
    collector (two ints: no cycle), as are the other many-per-note structs below."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 1 or self.end < self.start:
            raise ValueError(f"bad line range {self.start}-{self.end}")

    @classmethod
    def single(cls, line: int) -> LineRange:
        return cls(line, line)

    def __len__(self) -> int:
        return self.end - self.start + 1

    def __contains__(self, line: object) -> bool:
        return isinstance(line, int) and self.start <= line <= self.end

    def overlaps(self, other: LineRange) -> bool:
        return self.start <= other.end and other.start <= self.end

    def shifted(self, offset: int) -> LineRange:
        return LineRange(self.start + offset, self.end + offset)

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


def format_ranges(ranges: tuple[LineRange, ...] | list[LineRange]) -> str:
    """`(1-1, 5-9)` → `"1,5-9"`, the compact form used inside citations."""
    return ",".join(str(r) for r in ranges)


class RepoKind(enum.StrEnum):
    SUBMODULE = "submodule"
    UNINITIALIZED_SUBMODULE = "uninitialized-submodule"
    NESTED_GIT = "nested-git"
    PLAIN = "plain"


class Repo(msgspec.Struct, frozen=True):
    """A code folder inside a project: `<project>/<name>/`."""

    name: str  # path relative to the project folder, posix ("DeepSpeed")
    path: Path  # absolute
    kind: RepoKind
    head: str | None = None  # full sha checked out (None for plain / uninitialized)
    url: str | None = None  # remote URL, when known
    fix_command: str | None = None  # e.g. the exact `git submodule update --init …` to run

    @property
    def is_git(self) -> bool:
        return self.kind in (RepoKind.SUBMODULE, RepoKind.NESTED_GIT)


class Project(msgspec.Struct, frozen=True):
    """A research project folder: code repos plus a `notes/` folder."""

    name: str
    path: Path  # absolute
    repos: tuple[Repo, ...]
    notes_dir: Path  # absolute; may not exist (reported by the workspace loader)

    def repo(self, name: str) -> Repo | None:
        for repo in self.repos:
            if repo.name == name:
                return repo
        return None

    @property
    def reading_log(self) -> Path:
        return self.notes_dir / "code-reading-log.md"

    @property
    def bookmarks_file(self) -> Path:
        return self.notes_dir / "bookmarks.toml"


class Workspace(msgspec.Struct, frozen=True):
    """A folder of projects, each with notes/ and its code."""
    root: Path  # absolute, resolved
    projects: tuple[Project, ...]
    git_root: Path | None = None  # the enclosing superproject's top level, if any
    problems: tuple[str, ...] = ()  # non-fatal findings (missing notes/, uninitialized submodule…)

    def project(self, name: str) -> Project | None:
        for project in self.projects:
            if project.name == name:
                return project
        return None

    def project_for(self, path: Path) -> Project | None:
        """The project containing `path` (absolute), if any."""
        path = path.resolve()
        for project in self.projects:
            if path == project.path or project.path in path.parents:
                return project
        return None


class CitationForm(enum.StrEnum):
    """How a citation was written; see docs/CITATIONS.md for the numbered forms."""

    INLINE = "inline"  # forms 1-6, 11 inside `code`
    FENCE_HEADER = "fence-header"  # form 7
    RELATIVE_LINES = "relative-lines"  # form 8: lines of the file in context
    PERMALINK = "permalink"  # form 9
    LINK = "link"  # form 10
    HEADING_PATH = "heading-path"  # form 11 in a heading: `### Queue (src/queue.ts)`


class Span(msgspec.Struct, frozen=True, gc=False):
    """A character span in the note text: absolute offsets into the decoded `str`."""

    start: int
    end: int


class Citation(msgspec.Struct, frozen=True, gc=False):
    """One citation found in a note. Pure syntax: nothing here is resolved yet."""

    text: str  # the exact note text of the citation
    line: int  # 1-based note line where it starts
    column: int  # 1-based column (characters) where it starts
    span: Span  # offsets of `text` in the note
    form: CitationForm
    path: str | None  # cited path as written, posix, no leading "./"; None for RELATIVE_LINES
    ranges: tuple[LineRange, ...]  # () when the citation names a file without lines
    range_spans: tuple[tuple[Span, Span], ...] = ()  # offsets of each range's start and end digits
    commit: str | None = None  # commit pinned by the citation itself (permalink, "@ abc1234")
    repo_hint: str | None = None  # a repo name the citation itself names (permalink repo)
    headings: tuple[str, ...] = ()  # enclosing heading texts, outermost first
    heading_line: int = 0  # note line of the innermost enclosing heading (0: none)
    context_path: str | None = None  # nearest preceding path mention in the same section chain
    # A forge link whose ref is not hex: everything after `blob/` (`v2.1/src/q.h`, refs may hold
    # `/`), for the resolver to split at the longest prefix naming a tag or branch.
    ref_path: str | None = None
    ref_kind: str | None = None  # "tag" / "branch" when the URL says so (Gitea `src/tag/…`)
    label: str | None = None  # the link text, or the backticked name right before the citation
    paragraph_path: str | None = None  # the full path the enclosing paragraph run names (form 17)
    in_code: bool = False  # found in a comment line or `click` line of a fenced block (form 12/13)


class CommitDeclaration(msgspec.Struct, frozen=True):
    """`**Commit**: `4be91c0``, `> based on commit a03f7d2`, `| Commit | <sha> |`, a tag…"""

    ref: str  # hex prefix or tag name, as written
    line: int
    column: int
    span: Span
    # The declaration applies from `line` until `scope_end_line` (inclusive): the end of the
    # section it sits in (whole note when it is above the first heading), or the line before
    # the next declaration in the same section.
    scope_end_line: int


class NoteScan(msgspec.Struct, frozen=True, dict=True):
    """Everything `scan_note` finds in a note: citations and commit declarations."""
    citations: tuple[Citation, ...]
    declarations: tuple[CommitDeclaration, ...]

    def commit_for_line(self, line: int) -> str | None:
        """The declared ref in force at note `line` (the innermost, latest declaration).

        Scopes nest (a declaration's scope lies within its section), so from the latest
        declaration at or above `line` the answer is found by walking to the declaration whose
        scope held that one's line: a few steps, not a pass over every declaration per
        citation (a 50 MB log has thousands of them)."""
        chain = self._chain
        if chain is None:
            return _commit_for_line_slowly(self.declarations, line)
        lines, parent = chain
        index = bisect.bisect_right(lines, line) - 1
        declarations = self.declarations
        while index >= 0 and declarations[index].scope_end_line < line:
            index = parent[index]
        return declarations[index].ref if index >= 0 else None

    @functools.cached_property
    def _chain(self) -> tuple[list[int], list[int]] | None:
        """Declaration lines (ascending) and, for each, the index of the latest earlier one whose
        scope holds its line (-1: none); None when lines repeat or go back (then the plain scan
        keeps its first-of-equals answer)."""
        lines = [decl.line for decl in self.declarations]
        if any(b <= a for a, b in zip(lines, lines[1:])):
            return None
        parent: list[int] = []
        for index, decl in enumerate(self.declarations):
            above = index - 1
            while above >= 0 and self.declarations[above].scope_end_line < decl.line:
                above = parent[above]
            parent.append(above)
        return lines, parent


def _commit_for_line_slowly(declarations: tuple[CommitDeclaration, ...], line: int) -> str | None:
    best: CommitDeclaration | None = None
    for decl in declarations:
        if decl.line <= line <= decl.scope_end_line:
            if best is None or decl.line > best.line:
                best = decl
    return best.ref if best else None


class Status(enum.StrEnum):
    OK = "ok"
    MOVED = "moved"  # lines unchanged but shifted since the note's commit (not broken)
    OUT_OF_RANGE = "out-of-range"
    MISSING = "missing"
    AMBIGUOUS = "ambiguous"
    STALE = "stale"
    UNPINNED = "unpinned"
    MISMATCH = "mismatch"  # the lines exist but do not show what the label names
    EXTERNAL = "external"  # a path on the machine, outside the workspace (`~/…`, `/etc/…`)
    IGNORED = "ignored"  # silenced by an ignore glob or an inline marker
    # no readable file matches, and a folder of a plain repo cannot be listed: it may be there
    UNREADABLE = "unreadable"

    @property
    def broken(self) -> bool:
        return self not in (Status.OK, Status.MOVED, Status.EXTERNAL, Status.IGNORED)


class CitationResult(msgspec.Struct, frozen=True, gc=False):
    """A citation resolved against the workspace: what `check` reports and the TUI follows."""

    note: Path  # absolute path of the note
    citation: Citation
    status: Status
    detail: str = ""  # one human sentence: why it is broken, or what it resolved to
    repo: str | None = None  # repo name within the project
    path: str | None = None  # path relative to the repo root
    ranges: tuple[LineRange, ...] = ()  # the ranges checked (relative-lines use the context file)
    commit: str | None = None  # full sha the citation is about
    candidates: tuple[str, ...] = ()  # "<repo>/<path>" for ambiguous (and the chosen one otherwise)
    new_path: str | None = None  # where the code is at the checkout (moved / stale)
    new_ranges: tuple[LineRange, ...] = ()
    confidence: float | None = None  # 1.0 exact; < 1.0 relocated by text

    @property
    def names_folder(self) -> bool:
        """A citation without lines naming a folder of a repo, or the repo itself (path "")."""
        return self.status is Status.OK and self.detail.startswith(FOLDER_OF)


FOLDER_OF = "folder of "  # how a folder's CitationResult.detail starts ("folder of <repo>")


class Bookmark(msgspec.Struct, frozen=True):
    """A labelled line range in a repo file, with a fingerprint of its text."""
    id: str
    repo: str
    path: str
    range: LineRange
    label: str
    commit: str | None
    created: datetime
    fingerprint: str  # stable hash of the marked lines' text
    excerpt: str = ""  # the first marked line, stripped, for display and re-finding


class Location(msgspec.Struct, frozen=True):
    """A place the reader was: a file of a repo (or a note) and a line."""

    project: str
    repo: str | None  # None for a note
    path: str  # repo-relative path, or the note path relative to the project
    line: int = 1
    commit: str | None = None  # set when viewing code as it was at a commit


class Problem(msgspec.Struct, frozen=True):
    """A non-fatal problem in user data: file, key path, line, message, suggestion."""

    file: Path
    message: str
    line: int | None = None
    key: str | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.key + ': ' if self.key else ''}{self.message}"
        if self.suggestion:
            text += f" (did you mean {self.suggestion!r}?)"
        return text


class ProblemKind(enum.StrEnum):
    """Why `check` could not read a note, folder or repo."""

    UNREADABLE = "unreadable"  # a note or folder: permissions, not UTF-8, not a regular file
    NOT_CHECKED_OUT = "not-checked-out"  # a submodule never initialized
    NO_NOTES = "no-notes"  # a project without a notes/ folder
    OUTSIDE = "outside-workspace"  # a note, or the notes folder, whose real path is outside the workspace


class CheckProblem(msgspec.Struct, frozen=True):
    """A note, folder or repo `check` could not read: reported, and the run goes on."""

    path: Path  # absolute: the note, folder or repo
    status: ProblemKind
    detail: str  # one sentence: the reason, or the command that fixes it


class Report(msgspec.Struct, frozen=True):
    """The results of checking citations, with counts per status, and what could not be read.

    `counts` is set when `results` holds only some of them (`check(keep=…)`: a 50 MB log's
    400,000 results are counted, not kept, when only the broken ones are printed)."""
    results: tuple[CitationResult, ...] = ()
    problems: tuple[CheckProblem, ...] = ()
    counts: dict[str, int] | None = None

    @property
    def summary(self) -> dict[str, int]:
        if self.counts is not None:
            return dict(self.counts)
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        return counts

    @property
    def broken(self) -> tuple[CitationResult, ...]:
        return tuple(r for r in self.results if r.status.broken)

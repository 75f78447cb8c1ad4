"""Resolve citations found in a note to one file and lines of a project's repos.

`docs/CITATIONS.md` is the spec. For each citation: pick the commit it is about (its own pin,
else the note's declaration in force, else the repo's HEAD), rank the repos' tracked files at
that commit (rules 1–6, stopping at the first rule that leaves one file), check the lines against
the blob read from git (never a checkout), and, when the checkout moved on since that commit,
carry the lines forward with `core/drift.py`.

Plain folders (no git: the demo workspace, a vendored copy) have no commit: their citations are
checked against the files on disk, and commit declarations do not apply to them.

A cited path that leaves the workspace (`../../etc/passwd`, `/etc/passwd`) is reported as
missing and never read. Git trouble becomes a result with a detail, never an exception.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shlex
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from readertui.core import claims, ignore, symbol_drift
from readertui.core.citations import scan_note
from readertui.core.drift import DriftMapper, MappingStatus
from readertui.core.errors import NoteError, ReadertuiError
from readertui.core.file_index import walk_files
from readertui.core.git import GitRepo, is_full_sha, no_commit_reason, short
from readertui.core.ignore import silenced_lines
from readertui.core.model import (
    FOLDER_OF,
    Citation,
    CitationForm,
    CitationResult,
    CommitDeclaration,
    LineRange,
    NoteScan,
    Project,
    Repo,
    RepoKind,
    Status,
    Workspace,
    format_ranges,
)
from readertui.core.notes import read_text
from readertui.core.scan_ahead import ScannedParts

if TYPE_CHECKING:
    from readertui.core.tags import Definition

# Rule 5: files under these folders lose to the same name elsewhere (dot-folders too).
VENDORED_DIRS = frozenset(
    {"third_party", "third-party", "thirdparty", "3rdparty", "vendor", "vendored", "node_modules"}
)

OUTSIDE_WORKSPACE = "outside the workspace"
EXTERNAL_DETAIL = "a path on this machine, outside the workspace: not code of the project"

Candidate = tuple[str, str]  # (repo name, path relative to the repo root)
_BATCH = 20_000  # citations resolved at a time by `iter_results` (one git batch per commit each)
# entries a per-path memo of the resolver holds before it starts over: a log cites a few
# thousand distinct files, a pathological one a new path each line (memory stays bounded)
_MEMO_ENTRIES = 50_000
_NOTES_REMEMBERED = 8  # `resolve_note` answers kept (the oldest goes first)


class _Wait:
    """`_locate`'s answer for a citation to resolve at the end of its note (`iter_results`)."""


_WAIT = _Wait()


class _Context:
    """`_placement`'s answer for a path that several files (or none) match: rank it in context."""


_CONTEXT = _Context()


# --------------------------------------------------------------------------- pure ranking


_T = TypeVar("_T")
GitOpener = Callable[[Path], GitRepo]  # a repo's git handle, from its path

class FileList:
    """The files of one repo at one commit, indexed by file name for suffix and gap matching."""

    def __init__(self, repo: str, paths: Iterable[str], outer: tuple[str, ...] = ()) -> None:
        self.repo = repo
        # folders above the repo that a path may start from: (workspace, project) names, so
        # `deepspeed/DeepSpeed/x.py` written from the workspace root still ends-with-matches
        self.outer = (*outer, *repo.split("/"))
        # folders of a plain repo that could not be listed (→ why): `walk_files` keeps them
        self.unreadable: dict[str, str] = dict(getattr(paths, "unreadable", {}))
        self.paths = frozenset(paths)
        by_name: dict[str, list[str]] = defaultdict(list)
        for path in self.paths:
            by_name[path.rpartition("/")[2]].append(path)
        self.by_name = {name: tuple(sorted(found)) for name, found in by_name.items()}
        self._dirs: frozenset[str] | None = None

    @property
    def dirs(self) -> frozenset[str]:
        """Every folder that holds a file (built on first use: only path-only citations need it)."""
        if self._dirs is None:
            dirs: set[str] = set()
            for path in self.paths:
                parent = path.rpartition("/")[0]
                while parent and parent not in dirs:
                    dirs.add(parent)
                    parent = parent.rpartition("/")[0]
            self._dirs = frozenset(dirs)
        return self._dirs


class Located(msgspec.Struct, frozen=True):
    """The outcome of ranking one cited path against a project's files."""

    chosen: Candidate | None
    candidates: tuple[Candidate, ...]  # every file still in the running (all of them if ambiguous)
    rule: str = ""  # which rule decided: "exact", "suffix", "gaps", "section context", …


def _components(text: str) -> list[str]:
    return [part for part in text.split("/") if part and part != "."]


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(part in it for part in needle)


def match_exact(cited: str, lists: Iterable[FileList]) -> list[Candidate]:
    """Rule 1: the path from a repo root, or with the repo's name first (any case)."""
    found: list[Candidate] = []
    for files in lists:
        if cited in files.paths:
            found.append((files.repo, cited))
        prefix = files.repo + "/"
        if cited[: len(prefix)].lower() == prefix.lower() and cited[len(prefix):] in files.paths:
            found.append((files.repo, cited[len(prefix):]))
    return sorted(set(found))


def match_suffix(cited: str, lists: Iterable[FileList]) -> list[Candidate]:
    """Rule 2a: paths ending with the cited components (`queue.ts` matches `src/queue.ts`)."""
    wanted = _components(cited)
    found: list[Candidate] = []
    for files in lists:
        for path in files.by_name.get(wanted[-1], ()):
            have = [*files.outer, *path.split("/")]
            if have[-len(wanted):] == wanted:
                found.append((files.repo, path))
    return sorted(found)


def match_gaps(cited: str, lists: Iterable[FileList]) -> list[Candidate]:
    """Rule 2b: paths holding the cited components in order (`worker/main.ts`)."""
    wanted = _components(cited)
    found: list[Candidate] = []
    for files in lists:
        for path in files.by_name.get(wanted[-1], ()):
            have = [files.repo, *path.split("/")]
            if _is_subsequence(wanted[:-1], have[:-1]):
                found.append((files.repo, path))
    return sorted(found)


def match_rules(cited: str, lists: tuple[FileList, ...]) -> tuple[str, tuple[Candidate, ...]]:
    """Rules 1, 2a, 2b in turn: the first that finds any file, and what it found."""
    if not _components(cited):
        return "", ()
    for rule, matcher in (("exact", match_exact), ("suffix", match_suffix), ("gaps", match_gaps)):
        candidates = matcher(cited, lists)
        if candidates:
            return rule, tuple(candidates)
    return "", ()


def is_vendored(path: str) -> bool:
    return any(part.startswith(".") or part in VENDORED_DIRS for part in path.split("/")[:-1])


def under_folder(candidate: Candidate, folder: str) -> bool:
    """True when `folder` (components, possibly repo-prefixed) names a folder holding the file."""
    repo, path = candidate
    parent = "/" + "/".join([repo, *path.split("/")[:-1]]) + "/"
    return "/" + "/".join(_components(folder)) + "/" in parent


def rank(
    cited: str,
    lists: Iterable[FileList],
    context: Candidate | None = None,
    context_path: str | None = None,
    full_paths: frozenset[Candidate] = frozenset(),
    paragraph: Candidate | None = None,
    matches: Callable[[str, tuple[FileList, ...]], tuple[str, tuple[Candidate, ...]]] | None = None,
) -> Located:
    """Rank the files for a cited path by CITATIONS.md rules 1–6.

    `matches` replaces `match_rules` (the resolver passes a cached one: rules 1–2 depend only
    on the path and the file lists, and a long log cites the same files over and over).

    `context` is the file the enclosing section points at (rule 3) and `context_path` its text
    (which may name a folder); `full_paths` are files cited with their full path elsewhere in
    the note (rule 4); `paragraph` the file the enclosing paragraph run names (after the
    section's context, before rule 4). Rules 3–5 only narrow: one that would remove every candidate is skipped.
    """
    lists = tuple(lists)
    rule, found = (matches or match_rules)(cited, lists)
    if len(found) == 1:
        return Located(found[0], found, rule)
    if not found:
        return Located(None, ())
    candidates = list(found)
    narrowing = (
        ("section context", lambda c: c == context),
        ("section context", lambda c: context_path is not None and under_folder(c, context_path)),
        ("paragraph context", lambda c: c == paragraph),
        ("full path in note", lambda c: c in full_paths),
        ("not vendored", lambda c: not is_vendored(c[1])),
    )
    for rule, keep in narrowing:
        kept = [c for c in candidates if keep(c)]
        if len(kept) == 1:
            return Located(kept[0], (kept[0],), rule)
        if kept:
            candidates = kept
    return Located(None, tuple(candidates), "ambiguous")


def count_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def is_within(path: str, root: str) -> bool:
    """Lexical containment of normalised absolute paths."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


# --------------------------------------------------------------------------- repos


class _RepoSource:
    """One repo as the resolver reads it: a git repo at a commit, or a plain folder on disk."""

    def __init__(self, repo: Repo, open_git: GitOpener = GitRepo) -> None:
        self.repo = repo
        self.git: GitRepo | None = None
        self.error: str | None = None  # why nothing can be read from this repo
        self._refs: dict[str, str | None] = {}
        self._counts: dict[tuple[str | None, str], int | None] = {}
        self._head: str | None = None
        if repo.kind == RepoKind.UNINITIALIZED_SUBMODULE:
            fix = f": run `{repo.fix_command}`" if repo.fix_command else ""
            self.error = f"submodule {repo.name} is not initialized{fix}"
        elif repo.is_git:
            try:
                self.git = open_git(repo.path)
                self._head = repo.head or self.git.head()
            except ReadertuiError as error:  # (its message may start with the work tree: said once)
                self.error = f"{repo.name}: {str(error).removeprefix(f'{repo.path}: ')}"
            if self.git is not None and self._head is None:
                self.error = f"{repo.name}: {no_commit_reason(repo.path, with_repo=False)}"
                self.git = None

    @property
    def head(self) -> str | None:
        return self._head

    def resolve_ref(self, ref: str) -> str | None:
        if ref not in self._refs:
            assert self.git is not None
            self._refs[ref] = self.git.resolve(ref)
        return self._refs[ref]

    def list_files(self, commit: str | None) -> tuple[str, ...]:
        if self.git is None:
            return walk_files(self.repo.path)
        return self.git.list_files(commit)

    def line_count(self, path: str, commit: str | None) -> int | None:
        key = (commit, path)
        if key not in self._counts:
            self._counts[key] = self._read_line_count(path, commit)
        return self._counts[key]

    def _read_line_count(self, path: str, commit: str | None) -> int | None:
        if self.git is not None:
            return self.git.line_count(path, commit)
        real = os.path.realpath(self.repo.path / path)
        # a symlink in a plain folder must not lead the resolver out of the repo
        if not is_within(real, os.path.realpath(self.repo.path)) or not os.path.isfile(real):
            return None
        with open(real, "rb") as handle:
            return count_lines(handle.read())

    def prefetch_line_counts(
        self, commit: str, paths: Iterable[str], keep: Iterable[str] = ()
    ) -> dict[str, bytes]:
        """Count the lines of many blobs, and read those in `keep`, with one `cat-file --batch`
        per commit instead of one round trip each (the round trips dominate `check` on a large
        run); each distinct blob is read once. Returns the kept blobs.

        Paths that are no blob at `commit`, and any git failure, are left to `line_count`."""
        wanted = {p for p in paths if (commit, p) not in self._counts}
        keep = set(keep)
        if self.git is None or not (wanted or keep):
            return {}
        counts, kept = self.git.line_counts(commit, wanted | keep, keep)
        for path, count in counts.items():
            self._counts[(commit, path)] = count
        return kept

    def fetch_hint(self, ref: str) -> str:
        """The fetch that would bring `ref` in: all history for a shallow clone, the commit
        itself when it is a full sha (servers allow that), else the branches or the tag."""
        command = ["git", "-C", _display_path(self.repo.path), "fetch"]
        if _is_shallow(self.repo.path):
            command += ["--unshallow", "origin"]
        elif is_full_sha(ref):
            command += ["origin", ref]
        elif _looks_like_hex(ref):
            command += ["origin"]
        else:
            command += ["origin", "tag", ref]
        return shlex.join(command)


def _looks_like_hex(ref: str) -> bool:
    return len(ref) >= 4 and all(ch in "0123456789abcdefABCDEF" for ch in ref)


def _is_shallow(work_tree: Path) -> bool:
    """A shallow clone lacks old commits: `.git/shallow` exists (also for a submodule's gitdir)."""
    dot_git = work_tree / ".git"
    try:
        if dot_git.is_file():
            line = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if not line.startswith("gitdir:"):
                return False
            gitdir = (work_tree / line.partition(":")[2].strip()).resolve()
        else:
            gitdir = dot_git
        return (gitdir / "shallow").is_file()
    except OSError:
        return False


def _display_path(path: Path) -> str:
    """`path` relative to the current folder when it is below it, else absolute."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except (ValueError, OSError):
        return str(path)


class _View(msgspec.Struct, frozen=True):
    """A repo's files at the commit a citation is about (commit None: a plain folder)."""

    source: _RepoSource
    commit: str | None
    files: FileList


class _Scope(msgspec.Struct, frozen=True):
    """The repos a citation can point into, at its commit; `unpinned` says why not, if so."""

    views: tuple[_View, ...]
    unpinned: str | None = None  # no git repo has the commit
    commit: str | None = None  # the full sha the citation is about (None: HEAD / plain)
    lacking: dict[str, str] = msgspec.field(default_factory=dict)  # repo -> why it lacks the commit
    # what placing a path in this scope depends on: its views when every repo has the commit
    # (two refs naming one commit share placements), else this ref alone (details name it)
    memo_key: int = 0


class _Placement(msgspec.Struct, frozen=True):
    """`_placement`'s answer: the one file a path names (`view`, `path`, by `rule`), or why it
    is unpinned: its repo lacks the commit, or every repo does (`view` None)."""

    view: _View | None
    path: str = ""
    rule: str = ""
    unpinned: str | None = None
    facts: _FileFacts | None = None  # of `path` in `view` (when pinned)


_UNREAD = -1  # `_FileFacts.total` before the line count is asked for


class _FileFacts:
    """What checking lines of one file at one commit needs, worked out once however many
    citations point into it (a long log cites the same files over and over)."""

    __slots__ = (
        "candidates", "commit", "mapper", "moved_on", "path", "repo", "since", "total", "unchanged",
        "untouched", "where",
    )

    def __init__(self, view: _View, path: str) -> None:
        self.repo = view.source.repo.name
        self.path = path
        self.commit = view.commit
        self.where = f"{self.repo}/{path}"
        self.candidates = (self.where,)
        self.total: int | None = _UNREAD  # lines at the commit (None: unreadable)
        head = view.source.head
        self.moved_on = view.commit is not None and head is not None and view.commit != head
        self.since = short(view.commit) if view.commit else ""
        self.unchanged = f"unchanged since {self.since}"  # (one string for all its citations)
        self.mapper: DriftMapper | None = None  # commit -> head, once needed
        self.untouched: bool | None = None  # no change to the file from commit to head (once known)

    def result(self, note: Path, citation: Citation, status: Status, detail: str) -> CitationResult:
        """A result in this file for `citation`, with its ranges as written."""
        return CitationResult(
            note, citation, status, detail, self.repo, self.path, citation.ranges, self.commit, self.candidates
        )


class _Part(msgspec.Struct, frozen=True, gc=False):
    """Citations of one note that `iter_results` resolves in a batch: the note's index in the
    run, the scan they came in, and each one's index in the note (its place is the pair)."""

    index: int
    note: Path
    scan: NoteScan
    citations: tuple[Citation, ...]
    places: range | list[int]


class _Waiting(msgspec.Struct, frozen=True, gc=False):
    """A citation whose path several files match, set aside until its note's end is read."""

    key: tuple[int, int]
    note: Path
    citation: Citation


class _Target(msgspec.Struct, frozen=True, gc=False):
    """A citation placed in one file; its lines are checked next (batched per commit)."""

    note: Path
    citation: Citation
    view: _View
    path: str
    rule: str
    facts: _FileFacts  # of `path` in `view`
    branch: str | None = None  # a forge link on a moving branch: never a plain ok
    pinned: bool = False  # the commit is known (hex or tag ref, declaration): labels are judged


# --------------------------------------------------------------------------- resolver


class Resolver:
    """Resolves the citations of one project's notes. Caches file lists per (repo, commit) and
    drift maps per (repo, A, B), so one Resolver should serve a whole `check` run.

    A long log cites a few thousand files hundreds of thousands of times, so what depends on
    the path alone is worked out once: where a path leads when no context can change it
    (`_placements`, per scope, path and repo hint) and what checking lines in a file needs
    (`_FileFacts`, per repo, commit and path: its name, line count, drift map, whether the
    diff touches it). Only what depends on the citation itself (its ranges, label, note) is
    done per citation. Memos start over past `_MEMO_ENTRIES`."""

    def __init__(
        self,
        workspace: Workspace,
        project: Project,
        ignore_rules: ignore.IgnoreRules | None = None,
        open_git: GitOpener = GitRepo,
        silence: bool = True,
    ) -> None:
        self.workspace = workspace
        self.project = project
        self.ignore = ignore_rules or ignore.IgnoreRules()  # inline markers apply regardless
        # False for `update`: a silenced stale citation is still carried forward
        self.silence = silence
        # The reader passes its shared handles (one set of git processes per repo); a `check`
        # run opens its own.
        self._open_git = open_git
        self._sources = {repo.name: _RepoSource(repo, open_git) for repo in project.repos}
        self.definitions_of: claims.DefinitionsOf = claims.tags_definitions  # replaceable in tests
        self._defs: dict[tuple[str, int, int], tuple[Definition, ...]] = {}
        self._texts: dict[tuple[str, str], tuple[bytes, list[str]] | None] = {}  # labelled files
        self._files: dict[tuple[str, str | None], FileList] = {}
        self._scopes: dict[str | None, _Scope] = {}
        self._views_at: dict[tuple[str, str | None], _View] = {}
        self._scope_keys: dict[tuple[_View, ...], int] = {}
        # (a counter, not a length: the reader's worker threads may make two scopes at once)
        self._new_keys = itertools.count()
        self._drift: dict[tuple[str, str, str], DriftMapper] = {}  # (repo path, A, B)
        self._peers: dict[str, Resolver] = {}
        # `resolve_note`'s last answers, by note: (digest of the text, results)
        self._notes_resolved: dict[Path, tuple[bytes, list[CitationResult]]] = {}
        self._note_locks: dict[Path, threading.Lock] = {}
        self._notes_lock = threading.Lock()
        self._full_paths: dict[tuple[Path, str | None], tuple[NoteScan, frozenset[Candidate]]] = {}
        self._matched: dict[tuple[str, tuple[int, ...]], tuple[str, tuple[Candidate, ...]]] = {}
        self._hinted: dict[tuple[int, str], tuple[_View, ...]] = {}
        self._claims: dict[str, claims.Claim | None] = {}
        self._facts: dict[tuple[_RepoSource, str | None, str], _FileFacts] = {}
        # scope's memo key -> path (or (path, repo hint)) -> placement
        self._placements: dict[int, dict[str | tuple[str, str], _Placement | _Context]] = {}
        self._placed = 0  # entries in all of them
        self._has_git = any(source.git is not None for source in self._sources.values())
        # `iter_results` reading a note in parts: the paths it has cited so far (rule 4 cannot
        # be applied before the end of the note), and then every path it cites
        self._partial = False
        self._whole_paths: dict[Path, frozenset[str]] = {}

    # ---- public API

    def resolve_note(self, note: Path, text: str | None = None) -> list[CitationResult]:
        """Every reportable citation of `note`. Raises NoteError for a binary / non-UTF-8 note.

        Prose is not reported: a bare file name without lines that names no file or several
        (`config.py`, `README.md` as words in a sentence), and relative line numbers with no
        file in context. `resolve` still answers for them (the TUI may follow one).
        """
        note = Path(note).absolute()
        text = read_text(note) if text is None else text
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        with self._notes_lock:
            lock = self._note_locks.setdefault(note, threading.Lock())
        # The reader asks for the same note from two threads at start (the notes pane and the
        # backlinks index): the second waits for the first's answer instead of redoing it
        # (seconds for a long log).
        with lock:
            known = self._notes_resolved.get(note)
            if known is not None and known[0] == digest:
                return list(known[1])
            results = self._resolve_scans([(note, scan_note(text))], {note: silenced_lines(text)})
            with self._notes_lock:
                self._notes_resolved.pop(note, None)
                self._notes_resolved[note] = (digest, results)
                while len(self._notes_resolved) > _NOTES_REMEMBERED:
                    del self._notes_resolved[next(iter(self._notes_resolved))]
            return list(results)

    def unreadable_folders(self) -> list[tuple[Path, str]]:
        """Folders of the project's plain repos (no git) that could not be listed, with the
        reason: a citation no readable file matches may lead into one (`Status.UNREADABLE`)."""
        found: list[tuple[Path, str]] = []
        for source in self._sources.values():
            if source.git is None and source.error is None:
                unreadable = self._file_list(source, None).unreadable
                found += [(source.repo.path / folder, why) for folder, why in sorted(unreadable.items())]
        return found

    def resolve_notes(self, notes: Iterable[Path]) -> list[CitationResult]:
        """`resolve_note` for many notes at once: line counts are fetched in one batch per
        (repo, commit) for all of them. Raises NoteError on the first unreadable note."""
        scans = []
        silenced: dict[Path, frozenset[int]] = {}
        for note in notes:
            note = Path(note).absolute()
            text = read_text(note)
            scans.append((note, scan_note(text)))
            silenced[note] = silenced_lines(text)
        return self._resolve_scans(scans, silenced)

    def iter_results(
        self, notes: Iterable[Path], unreadable: Callable[[Path, NoteError], None] | None = None
    ) -> Iterator[tuple[tuple[int, int], CitationResult]]:
        """`resolve_notes`' results, each with its place (note index, citation index), produced
        as the notes are read: a long note is scanned in parts (`ScannedParts`) and citations are
        resolved in batches of `_BATCH` (one git batch per commit each), so a 50 MB log is never
        held as one list of citations and results. A citation whose path several files match
        waits for the end of its note (rule 4 looks at every path the note cites). Sort by the
        place to get `resolve_notes`' order. An unreadable note goes to `unreadable` (the rest is
        read); without it, raises NoteError."""
        batch: list[_Part] = []
        size = 0  # citations in the batch
        waiting: list[_Waiting] = []
        silenced: dict[Path, frozenset[int]] = {}
        final: dict[Path, tuple[frozenset[str], tuple[CommitDeclaration, ...]]] = {}
        for note_index, note in enumerate(notes):
            note = Path(note).absolute()
            try:
                text = read_text(note)
            except NoteError as error:
                if unreadable is None:
                    raise
                unreadable(note, error)
                continue
            silenced[note] = silenced_lines(text)
            scanned = ScannedParts(text)  # a long note: its citations found by forked children
            count = 0
            for part, in_force in scanned:
                # declarations right for every line read so far, less those that ended before
                scan = NoteScan(part, in_force)
                batch.append(_Part(note_index, note, scan, part, range(count, count + len(part))))
                count += len(part)
                size += len(part)
                if size >= _BATCH:
                    yield from self._resolve_batch(batch, silenced, waiting)
                    batch, size = [], 0
            final[note] = (scanned.full_paths, scanned.declarations)
        yield from self._resolve_batch(batch, silenced, waiting)
        # every path of every note is known now: rule 4 can decide the citations that waited
        by_note: dict[Path, list[_Waiting]] = defaultdict(list)
        for entry in waiting:
            by_note[entry.note].append(entry)
        batch = []
        for note, entries in by_note.items():
            self._whole_paths[note] = final[note][0]
            scan = NoteScan(tuple(entry.citation for entry in entries), final[note][1])
            batch.append(_Part(entries[0].key[0], note, scan, scan.citations, [entry.key[1] for entry in entries]))
        try:
            yield from self._resolve_batch(batch, silenced, [], final=True)
        finally:
            self._whole_paths.clear()

    def _resolve_batch(
        self, batch: list[_Part], silenced: dict[Path, frozenset[int]], waiting: list[_Waiting],
        final: bool = False,
    ) -> Iterator[tuple[tuple[int, int], CitationResult]]:
        """Resolve a batch; with `final`, every path of the notes is known (rule 4 applies),
        else a citation that needs it goes to `waiting`. A placed citation whose file's line
        count is known (and whose label is not judged) is checked at once; the others after
        one `cat-file --batch` per (repo, commit) for all of them (`_prefetch`)."""
        keys: list[tuple[int, int]] = []
        items: list[CitationResult | _Target] = []
        targets: list[_Target] = []
        self._partial = not final
        # (`_guarded`'s handling written out: this loop runs once per citation of a long log)
        try:
            for part in batch:
                index, note, scan = part.index, part.note, part.scan
                for citation, place in zip(part.citations, part.places):
                    try:
                        item = self._locate(note, scan, citation)
                    except (ReadertuiError, OSError) as error:
                        item = _failed(note, citation, error)
                    if isinstance(item, _Target):
                        if item.facts.total is _UNREAD and item.citation.ranges or item.pinned and item.citation.label:
                            targets.append(item)  # checked after one git batch for the whole batch
                        else:  # nothing to ask git for: checked now
                            try:
                                item = self._check_lines(item)
                            except (ReadertuiError, OSError) as error:
                                item = _failed(note, citation, error)
                    elif isinstance(item, _Wait):  # kept without its part's scan (which it would keep alive)
                        waiting.append(_Waiting((index, place), note, citation))
                        continue
                    keys.append((index, place))
                    items.append(item)
        finally:
            self._partial = False
        self._prefetch(targets)
        results: list[CitationResult] = []
        shown: list[tuple[int, int]] = []
        for key, item in zip(keys, items):
            if isinstance(item, _Target):
                try:
                    result = self._check_lines(item)
                except (ReadertuiError, OSError) as error:
                    result = _failed(item.note, item.citation, error)
            else:
                result = item
            if result.status not in _MAYBE_PROSE or not _is_prose_mention(result.citation, result):
                results.append(result)
                shown.append(key)
        if self.silence and results:
            results = ignore.apply(results, self.project.name, self.ignore, silenced)
        yield from zip(shown, results)

    def resolve(self, note: Path, scan: NoteScan, citation: Citation) -> CitationResult:
        note = Path(note).absolute()
        placed = self._guarded(note, citation, lambda: self._place(note, scan, citation))
        if isinstance(placed, _Target):
            return self._guarded(note, citation, lambda: self._check_lines(placed))
        return placed

    # ---- steps

    def _resolve_scans(
        self, scans: list[tuple[Path, NoteScan]], silenced: dict[Path, frozenset[int]]
    ) -> list[CitationResult]:
        placed = [
            self._guarded(note, c, partial(self._place, note, scan, c))
            for note, scan in scans
            for c in scan.citations
        ]
        self._prefetch([p for p in placed if isinstance(p, _Target)])
        results: list[CitationResult] = []
        for item in placed:
            result = (
                self._guarded(item.note, item.citation, partial(self._check_lines, item))
                if isinstance(item, _Target) else item
            )
            if not _is_prose_mention(result.citation, result):
                results.append(result)
        return ignore.apply(results, self.project.name, self.ignore, silenced) if self.silence else results

    @staticmethod
    def _guarded(note: Path, citation: Citation, step: Callable[[], _T]) -> _T | CitationResult:
        """Run one step; a broken repo or a failed git call becomes the citation's result."""
        try:
            return step()
        except (ReadertuiError, OSError) as error:
            return _failed(note, citation, error)

    def _prefetch(self, targets: list[_Target]) -> None:
        wanted: dict[tuple[int, str], tuple[_RepoSource, set[str]]] = {}
        labelled: dict[tuple[int, str], tuple[_RepoSource, set[str]]] = {}
        for target in targets:
            if target.facts.total is not _UNREAD and not (target.pinned and target.citation.label):
                continue  # nothing to ask git for
            view = target.view
            if target.citation.ranges and view.commit is not None:
                key = (id(view.source), view.commit)
                entry = wanted.get(key)
                if entry is None:
                    entry = wanted[key] = (view.source, set())
                if target.facts.total is _UNREAD:  # (a count known already is not asked again)
                    entry[1].add(target.path)
                if target.pinned and self._claim_of(target.citation.label) is not None:
                    labelled.setdefault(key, (view.source, set()))[1].add(target.path)
        for key, (source, paths) in wanted.items():
            # the files whose labels are judged come in the same batch (not one round trip each)
            keep = labelled.get(key, (source, set()))[1]
            kept = source.prefetch_line_counts(key[1], paths, keep)
            for path in keep:
                if path in kept:
                    self._remember_text(key[1], path, kept[path])

    def _remember_text(self, commit: str, path: str, data: bytes | None) -> None:
        if data is None or b"\0" in data[:8000]:
            self._texts[(commit, path)] = None  # absent or binary: no label is judged on it
        else:
            self._texts[(commit, path)] = (data, data.decode("utf-8", "replace").split("\n"))

    def _place(self, note: Path, scan: NoteScan, citation: Citation) -> CitationResult | _Target:
        placed = self._locate(note, scan, citation)
        assert not isinstance(placed, _Wait)  # only `iter_results` reads notes in parts
        return placed

    def _locate(self, note: Path, scan: NoteScan, citation: Citation) -> CitationResult | _Target | _Wait:
        ref = citation.commit or scan.commit_for_line(citation.line)
        # a plain folder has no refs: its files are read from disk, like any pinned citation's
        if citation.ref_path is not None and not citation.commit and self._has_git:
            return self._locate_forge(note, scan, citation, ref)
        return self._locate_in(note, scan, citation, ref, citation.path)

    def _locate_forge(
        self, note: Path, scan: NoteScan, citation: Citation, ref: str | None
    ) -> CitationResult | _Target | _Wait:
        """A forge link whose ref is a name (`blob/v2.1/src/q.h`): a tag pins it, a branch moves."""
        branch: str | None = None
        forge = self._forge_ref(citation)
        if isinstance(forge, str):
            return CitationResult(note, citation, Status.UNPINNED, detail=forge, ranges=citation.ranges)
        kind, name, sha, cited = forge
        if kind == "tag":
            ref = sha  # pinned: resolved, checked and carried forward at the tag's commit
        else:
            branch = name
        if not cited:
            return CitationResult(note, citation, Status.UNPINNED if branch else Status.OK,
                                  detail=f"{kind} {name}", commit=sha)
        return self._locate_in(note, scan, citation, ref, cited, branch)

    def _forge_ref(self, citation: Citation) -> tuple[str, str, str, str] | str:
        """Split a forge link's `ref/path` at the longest prefix naming a tag or branch of the
        repo it names (else of any repo): (kind, name, commit, path), or why it cannot be."""
        assert citation.ref_path is not None
        parts = citation.ref_path.split("/")
        sources = [s for s in self._sources.values() if s.git is not None]
        hint = (citation.repo_hint or "").lower()
        sources.sort(key=lambda s: s.repo.name.rpartition("/")[2].lower() != hint)
        for source in sources:
            assert source.git is not None
            refs = source.git.refs()
            for cut in range(len(parts) - 1, 0, -1):
                name = "/".join(parts[:cut])
                found = refs.get(name)
                if found is not None and (citation.ref_kind in (None, found[0])):
                    return found[0], name, found[1], "/".join(parts[cut:])
        shown = parts[0] if len(parts[0]) <= 60 else parts[0][:57] + "…"
        where = ", ".join(s.repo.name for s in sources) or "no git repo of the project"
        kind = citation.ref_kind or "tag or branch"
        return f"ref {shown!r} of the link is not a known {kind} in {where}; its commit is unknown"

    def _locate_in(
        self, note: Path, scan: NoteScan, citation: Citation, ref: str | None, cited: str | None,
        branch: str | None = None,
    ) -> CitationResult | _Target | _Wait:
        """Place `cited` at `ref` in one file, or say why not. A placed citation is `pinned` when
        its commit is known (a ref, not the checkout) and not a branch's."""
        scope = self._scopes.get(ref) or self._scope(ref)
        pinned = branch is None and ref is not None
        form = citation.form
        if form == CitationForm.RELATIVE_LINES or cited is None:
            cited = citation.context_path
            # (a heading naming the repository, `# llama.cpp`, puts no file in context)
            if cited is None or self._repo_named(scope, cited) is not None:
                return CitationResult(note, citation, Status.MISSING, detail=_NO_FILE_IN_CONTEXT)
        elif not citation.ranges and form != CitationForm.LINK:
            repo = self._repo_named(scope, cited)
            if repo is not None:
                return CitationResult(
                    note, citation, Status.OK, detail=f"{FOLDER_OF}{repo.source.repo.name}",
                    repo=repo.source.repo.name, path="", commit=repo.commit,
                )
        # what the rules decide from the path alone is the same wherever it is cited
        memo = self._placements.get(scope.memo_key)
        if memo is None:
            memo = self._placements.setdefault(scope.memo_key, {})
        hint = citation.repo_hint
        key: str | tuple[str, str] = cited if hint is None else (cited, hint)
        known = memo.get(key)
        # (a remembered path does not leave its folder: only those that do not are remembered)
        if form == CitationForm.LINK or (known is None and _leaves_folder(cited)):  # relative to the note
            placed = self._place_in_workspace(note, cited, citation, ref)
            if isinstance(placed, _Target) and (placed.branch != branch or placed.pinned != pinned):
                return msgspec.structs.replace(placed, branch=branch, pinned=pinned)
            if placed is not None:
                return placed
        if known is None:
            known = self._remember_placement(memo, key, self._placement(scope, cited, hint))
        if isinstance(known, _Placement):
            view, path, unpinned = known.view, known.path, known.unpinned
            if unpinned is None:
                assert view is not None and known.facts is not None
                return _Target(note, citation, view, path, known.rule, known.facts, branch, pinned)
            if view is None:
                return CitationResult(note, citation, Status.UNPINNED, detail=unpinned)
            return CitationResult(note, citation, Status.UNPINNED, detail=unpinned,
                                  repo=view.source.repo.name, path=path, ranges=citation.ranges)
        views = self._views(scope, citation.repo_hint)
        rule, found = self._match(cited, tuple(view.files for view in views))
        if found and self._partial:  # several files (one is `_placement`'s answer)
            return _WAIT  # rule 4 may decide: wait until every path of the note is known
        located = rank(
            cited,
            (view.files for view in views),
            context=self._context_file(citation, views),
            context_path=citation.context_path,
            full_paths=self._full_paths_in(note, scan, views, ref) if found else frozenset(),
            paragraph=self._paragraph_file(citation, views),
            matches=self._match,
        )
        if located.chosen is None:
            return self._unlocated(note, citation, cited, located, scope)
        view = next(v for v in views if v.source.repo.name == located.chosen[0])
        if view.source.repo.name in scope.lacking:
            return CitationResult(
                note, citation, Status.UNPINNED, detail=scope.lacking[view.source.repo.name],
                repo=located.chosen[0], path=located.chosen[1], ranges=citation.ranges,
            )
        path = located.chosen[1]
        return _Target(note, citation, view, path, located.rule, self._file_facts(view, path), branch, pinned)

    def _placement(self, scope: _Scope, cited: str, hint: str | None) -> _Placement | _Context:
        """Where `cited` leads when no context can matter: one file matches (rules 1-2) or no
        repo has the commit. `_CONTEXT` when ranking must look at the note (several files, or
        none). Cached per (scope, path, repo hint) in `_placements`: a long log cites the same
        files over and over."""
        if scope.unpinned and not scope.views:
            return _Placement(None, unpinned=scope.unpinned)
        views = self._views(scope, hint)
        rule, found = self._match(cited, tuple(view.files for view in views))
        if len(found) != 1:
            return _CONTEXT
        repo, path = found[0]
        view = next(v for v in views if v.source.repo.name == repo)
        lacking = scope.lacking.get(repo)
        return _Placement(view, path, rule, lacking, None if lacking else self._file_facts(view, path))

    def _remember_placement(
        self, memo: dict[str | tuple[str, str], _Placement | _Context], key: str | tuple[str, str],
        placement: _Placement | _Context,
    ) -> _Placement | _Context:
        """Remember a placement in its scope's memo; all of them start over past `_MEMO_ENTRIES`."""
        if self._placed >= _MEMO_ENTRIES:
            for each in list(self._placements.values()):
                each.clear()
            self._placed = 0
        memo[key] = placement
        self._placed += 1
        return placement

    def _file_facts(self, view: _View, path: str) -> _FileFacts:
        key = (view.source, view.commit, path)
        facts = self._facts.get(key)
        if facts is None:
            facts = _remember(self._facts, key, _FileFacts(view, path))
        return facts

    def _views(self, scope: _Scope, hint: str | None) -> tuple[_View, ...]:
        """The scope's views a citation searches: the repo its permalink names, if any."""
        if not hint:
            return scope.views
        key = (id(scope), hint)
        hinted = self._hinted.get(key)
        if hinted is None:
            hinted = self._hinted[key] = self._views_for_hint(scope.views, hint)
        return hinted

    def _scope(self, ref: str | None) -> _Scope:
        """The repos at the commit `ref` names (None: each repo's HEAD). Cached per ref.

        A declaration names the commit of the repo the note is about; when a project has
        several repos, those without that commit are read at their HEAD, and a citation that
        lands in one of them is unpinned."""
        if ref in self._scopes:
            return self._scopes[ref]
        views: list[_View] = []
        lacking: dict[str, str] = {}
        commit: str | None = None
        git_sources = [s for s in self._sources.values() if s.git is not None]
        resolved = {s.repo.name: s.resolve_ref(ref) for s in git_sources} if ref else {}
        for source in self._sources.values():
            if source.error is not None:
                continue
            if source.git is None:
                views.append(self._view(source, None))
                continue
            at = resolved.get(source.repo.name) if ref else source.head
            if at is None:
                lacking[source.repo.name] = (
                    f"commit {ref} is not in {source.repo.name} (run `{source.fetch_hint(ref or '')}`)"
                )
                at = source.head
            elif ref:
                commit = commit or at
            views.append(self._view(source, at))
        unpinned = None
        if lacking and not any(resolved.values()):
            unpinned = "; ".join(lacking.values())
            views = [v for v in views if v.source.git is None]
        if lacking:  # placements of its own: their details name the ref
            memo_key = next(self._new_keys)
        else:  # refs naming the same commits share placements
            memo_key = self._scope_keys.setdefault(tuple(views), next(self._new_keys))
        scope = _Scope(tuple(views), unpinned, commit, lacking, memo_key)
        self._scopes[ref] = scope
        return scope

    def _view(self, source: _RepoSource, commit: str | None) -> _View:
        """One view per (repo, commit), whichever refs name that commit."""
        key = (source.repo.name, commit)
        view = self._views_at.get(key)
        if view is None:
            view = self._views_at[key] = _View(source, commit, self._file_list(source, commit))
        return view

    def _file_list(self, source: _RepoSource, commit: str | None) -> FileList:
        key = (source.repo.name, commit)
        if key not in self._files:
            outer = (self.workspace.root.name, self.project.name)
            self._files[key] = FileList(source.repo.name, source.list_files(commit), outer)
        return self._files[key]

    @staticmethod
    def _views_for_hint(views: tuple[_View, ...], hint: str | None) -> tuple[_View, ...]:
        """A permalink names its repo: search that one when the project has it."""
        if not hint:
            return views
        hinted = tuple(v for v in views if v.source.repo.name.lower() == hint.lower())
        if not hinted:
            hinted = tuple(
                v for v in views if v.source.repo.name.rpartition("/")[2].lower() == hint.lower()
            )
        return hinted or views

    def _repo_named(self, scope: _Scope, cited: str) -> _View | None:
        """The repo a bare `cited` names (`llama.cpp`, the submodule's folder, in a heading or
        a sentence) when no file at a repo root has that exact path: the project's code, not
        the file by the repo's name deeper down (`llama.cpp/src/llama.cpp`)."""
        name = cited.strip("/")
        for view in scope.views:
            if view.source.repo.name == name:
                rule, _ = self._match(cited, tuple(v.files for v in scope.views))
                return None if rule == "exact" else view
        return None

    def _match(self, cited: str, lists: tuple[FileList, ...]) -> tuple[str, tuple[Candidate, ...]]:
        """`match_rules`, once per (path, file lists): the lists live as long as the resolver."""
        key = (cited, tuple(map(id, lists)))
        found = self._matched.get(key)
        if found is None:
            found = _remember(self._matched, key, match_rules(cited, lists))
        return found

    def _context_file(self, citation: Citation, views: tuple[_View, ...]) -> Candidate | None:
        if not citation.context_path or citation.form == CitationForm.RELATIVE_LINES:
            return None
        located = rank(citation.context_path, (view.files for view in views), matches=self._match)
        return located.chosen

    def _paragraph_file(self, citation: Citation, views: tuple[_View, ...]) -> Candidate | None:
        if not citation.paragraph_path:
            return None
        return rank(citation.paragraph_path, (view.files for view in views), matches=self._match).chosen

    def _full_paths_in(
        self, note: Path, scan: NoteScan, views: tuple[_View, ...], ref: str | None
    ) -> frozenset[Candidate]:
        """Rule 4: files the note cites with a full path (exact from a repo root)."""
        cached = self._full_paths.get((note, ref))
        if cached is None or cached[0] is not scan:
            found: set[Candidate] = set()
            lists = [view.files for view in views]
            # each distinct path once: a long log cites the same files thousands of times
            full = self._whole_paths.get(note) or {
                other.path for other in scan.citations if other.path and "/" in other.path.strip("/")
            }
            for path in full:
                found.update(match_exact(path, lists))
            cached = (scan, frozenset(found))
            self._full_paths[(note, ref)] = cached
        return cached[1]

    def _unlocated(
        self, note: Path, citation: Citation, cited: str, located: Located, scope: _Scope
    ) -> CitationResult:
        candidates = tuple(f"{repo}/{path}" for repo, path in located.candidates)
        if candidates:
            return CitationResult(
                note,
                citation,
                Status.AMBIGUOUS,
                detail=f"{len(candidates)} files match {cited}: " + ", ".join(candidates),
                ranges=citation.ranges,
                commit=scope.commit,
                candidates=candidates,
            )
        folder = cited.strip("/")
        for view in () if citation.ranges else scope.views:  # a folder named without lines
            name = view.source.repo.name
            inner = folder[len(name) + 1:] if folder.startswith(name + "/") else folder
            if folder == name or inner in view.files.dirs:
                return CitationResult(
                    note, citation, Status.OK, detail=f"{FOLDER_OF}{name}",
                    repo=name, path="" if folder == name else inner, commit=view.commit,
                )
        unread = [
            (f"{view.source.repo.name}/{folder}" if folder else view.source.repo.name, why)
            for view in scope.views
            for folder, why in sorted(view.files.unreadable.items())
            if _may_lead_into(cited, folder)
        ]
        if unread:  # the file may be in a folder that cannot be listed: not called missing
            names = ", ".join(f"{name} ({why})" for name, why in unread)
            return CitationResult(
                note, citation, Status.UNREADABLE,
                detail=f"not checked: no readable file matches {cited}, and it may be in a folder that cannot be read: {names}",
                ranges=citation.ranges, commit=scope.commit,
            )
        if scope.unpinned:  # not in the plain folders; the git repos lack the commit
            return CitationResult(note, citation, Status.UNPINNED, detail=scope.unpinned)
        detail = f"no file matches {cited}"
        broken = [s.error for s in self._sources.values() if s.error]
        if broken:
            detail += "; " + "; ".join(broken)
        return CitationResult(
            note, citation, Status.MISSING, detail=detail, ranges=citation.ranges, commit=scope.commit
        )

    def _check_lines(self, target: _Target) -> CitationResult:
        result = self._check_range(target)
        if result.status not in (Status.OK, Status.MOVED):
            return result
        if target.branch is None:  # (no label: no claim)
            return self._check_claim(target, result) if target.pinned and target.citation.label else result
        at = target.view.commit or target.view.source.head
        declared = target.view.commit is not None and target.view.commit != target.view.source.head
        which = "the note's declared commit" if declared else "the checkout"
        return msgspec.structs.replace(
            result, status=Status.UNPINNED,
            detail=f"branch {target.branch} moves: checked at {short(at or '')} ({which}), "
            f"not at the commit the link meant; cite a commit or a tag",
        )

    def _check_claim(self, target: _Target, result: CitationResult) -> CitationResult:
        """A labelled citation at a known commit: do its lines show what the label names?"""
        claim = self._claim_of(target.citation.label)
        view = target.view
        if claim is None or view.commit is None or view.source.git is None or not target.citation.ranges:
            return result
        key = (view.commit, target.path)
        if key not in self._texts:
            self._remember_text(view.commit, target.path, view.source.git.read_file(target.path, view.commit))
        text = self._texts[key]
        if text is None:
            return result
        git, commit, definitions = view.source.git, view.commit, self._definitions()

        def elsewhere(name: str) -> tuple[str, LineRange] | None:
            from readertui.core.claim_search import definition_elsewhere

            return definition_elsewhere(git, commit, name, target.path, definitions)

        verdict = claims.judge(
            claim, text[0], target.path, target.citation.ranges, definitions, text[1], elsewhere
        )
        if verdict.shown:
            return result
        found = (verdict.defined_at,) if verdict.defined_at else ()
        return msgspec.structs.replace(
            result, status=Status.MISMATCH, detail=f"{view.source.repo.name}/{target.path}: {verdict.detail}",
            new_path=(verdict.defined_in or target.path) if found else None, new_ranges=found, confidence=None,
        )

    def _claim_of(self, label: str | None) -> claims.Claim | None:
        """`claims.claim_of`, once per label."""
        if not label:
            return None
        if label not in self._claims:
            return _remember(self._claims, label, claims.claim_of(label))
        return self._claims[label]

    def _definitions(self) -> claims.DefinitionsOf:
        """`definitions_of`, cached per file content: one parse per file however many labels."""
        def cached(source: bytes, path: str) -> tuple[Definition, ...]:
            key = (path, len(source), hash(source))
            if key not in self._defs:
                self._defs[key] = tuple(self.definitions_of(source, path))
            return self._defs[key]
        return cached

    def _check_range(self, target: _Target) -> CitationResult:
        note, citation, view, path, facts = target.note, target.citation, target.view, target.path, target.facts
        ranges = citation.ranges
        if ranges:
            total = facts.total
            if total is _UNREAD:
                total = view.source.line_count(path, view.commit)
                facts.total = total
            if total is None:
                return facts.result(note, citation, Status.MISSING, f"cannot read {facts.where}")
            for r in ranges:
                if r.end > total:
                    past = [r for r in ranges if r.end > total]
                    return facts.result(
                        note, citation, Status.OUT_OF_RANGE,
                        f"{facts.where} has {total} lines; {format_ranges(past)} is past the end",
                    )
        if facts.moved_on:
            if facts.untouched:  # (what `_carry_forward` finds, without the call)
                return facts.result(note, citation, Status.OK, facts.unchanged)
            return self._carry_forward(note, citation, view, path, facts)
        rule = target.rule
        how = "" if rule in ("exact", "") else f" (by {rule})"
        if ranges:
            return facts.result(note, citation, Status.OK, f"{facts.where}:{format_ranges(ranges)}{how}")
        return facts.result(note, citation, Status.OK, f"{facts.where}{how}")

    def _carry_forward(
        self, note: Path, citation: Citation, view: _View, path: str, facts: _FileFacts
    ) -> CitationResult:
        """The checkout moved on since the citation's commit: where are those lines now?"""
        source = view.source
        assert source.git is not None and view.commit is not None and source.head is not None
        mapper = facts.mapper
        if mapper is None:
            key = (str(source.repo.path), view.commit, source.head)
            if key not in self._drift:
                self._drift[key] = DriftMapper(source.git, view.commit, source.head)
            mapper = facts.mapper = self._drift[key]
        if facts.untouched is None:
            facts.untouched = not mapper.touches(path)
        if facts.untouched:  # (what `map` would say)
            return facts.result(note, citation, Status.OK, facts.unchanged)
        mapping = mapper.map(path, citation.ranges)
        if mapping.status is MappingStatus.SAME:
            return facts.result(note, citation, Status.OK, facts.unchanged)
        if mapping.status is MappingStatus.CHANGED:  # unsure by text: the cited definition may place it
            mapping = symbol_drift.improve(
                mapping, view.commit, source.head, citation.label,
                lambda commit, at: source.git.read_file(at, commit) if source.git else None,
                self._definitions(),
            )
        base: dict[str, Any] = dict(
            repo=facts.repo, path=path, ranges=citation.ranges, commit=view.commit, candidates=facts.candidates,
        )
        since = facts.since
        extra: dict[str, Any] = dict(new_path=mapping.new_path, new_ranges=mapping.new_ranges)
        if mapping.status is MappingStatus.SAME:  # (placed by its definition)
            return facts.result(note, citation, Status.OK, f"unchanged since {since}")
        if mapping.status is MappingStatus.MOVED:
            target = f"{mapping.new_path}:{format_ranges(mapping.new_ranges)}".rstrip(":")
            return CitationResult(
                note, citation, Status.MOVED, detail=f"moved to {target} since {since}",
                confidence=1.0, **base, **extra,
            )
        if mapping.status is MappingStatus.ORPHANED:
            return CitationResult(
                note, citation, Status.STALE, detail=f"file deleted since {since}", **base, **extra
            )
        if mapping.new_ranges:
            best = f"best match {mapping.new_path}:{format_ranges(mapping.new_ranges)}"
            best += f" (confidence {mapping.confidence:.2f}"
            best += f", by the definition of {mapping.by_symbol})" if mapping.by_symbol else ")"
        else:
            best = "no match found at the checkout"
        return CitationResult(
            note, citation, Status.STALE, detail=f"cited lines changed since {since}; {best}",
            confidence=mapping.confidence, **base, **extra,
        )

    # ---- paths given relative to the note (links, `../`) and paths that try to leave

    def _place_in_workspace(
        self, note: Path, cited: str, citation: Citation, ref: str | None
    ) -> CitationResult | _Target | None:
        """Resolve a path given relative to a folder (a link, a `../` path) or absolute. None:
        a plain link that names no file that way (it is then ranked like any other path)."""
        if "\0" in cited:  # no OS call accepts it; no file can be named so
            return CitationResult(note, citation, Status.MISSING, detail=f"no file {cited!r}")
        root = os.path.normpath(self.workspace.root)
        # links are relative to the note's folder (and so is a `../` context, which comes from
        # a link); other forms name paths from the project folder (rule 1: `<repo>/<path>`)
        from_note = citation.form in (CitationForm.LINK, CitationForm.RELATIVE_LINES)
        base = note.parent if from_note else self.project.path
        if cited.startswith("~"):
            target = os.path.normpath(os.path.expanduser(cited))
        else:
            target = os.path.normpath(os.path.join(base, cited))
        if not is_within(target, root):
            if cited.startswith(("/", "~", "\\")):  # `/etc/app.conf`, `~/.config/x.json`
                return CitationResult(note, citation, Status.EXTERNAL, detail=EXTERNAL_DETAIL)
            return CitationResult(note, citation, Status.MISSING, detail=OUTSIDE_WORKSPACE)
        for project in self.workspace.projects:
            for repo in project.repos:
                repo_root = os.path.normpath(repo.path)
                if is_within(target, repo_root) and target != repo_root:
                    rel = Path(os.path.relpath(target, repo_root)).as_posix()
                    if project.name == self.project.name:
                        return self._exact_in_repo(note, citation, repo.name, rel, ref)
                    # another project's code: that project's declarations do not apply here
                    return self._peer(project)._exact_in_repo(note, citation, repo.name, rel, None)
        # inside the workspace but in no repo (a note, a project file): read it from disk
        real = os.path.realpath(target)
        if is_within(real, os.path.realpath(root)) and os.path.isfile(real):
            rel = Path(os.path.relpath(target, root)).as_posix()
            return CitationResult(note, citation, Status.OK, detail=rel, path=rel)
        if _leaves_folder(cited):
            return CitationResult(note, citation, Status.MISSING, detail=f"no file {cited}")
        return None

    def _exact_in_repo(
        self, note: Path, citation: Citation, repo_name: str, path: str, ref: str | None
    ) -> CitationResult | _Target:
        scope = self._scope(ref)
        view = next((v for v in scope.views if v.source.repo.name == repo_name), None)
        if view is None:
            source = self._sources.get(repo_name)
            status, detail = Status.MISSING, f"cannot read {repo_name}"
            if scope.unpinned:
                status, detail = Status.UNPINNED, scope.unpinned
            elif source is not None and source.error:
                detail = source.error
            return CitationResult(note, citation, status, detail=detail, repo=repo_name, path=path)
        if repo_name in scope.lacking:
            return CitationResult(note, citation, Status.UNPINNED, detail=scope.lacking[repo_name],
                                  repo=repo_name, path=path, ranges=citation.ranges)
        if path not in view.files.paths:
            if path in view.files.dirs and not citation.ranges:
                return CitationResult(
                    note, citation, Status.OK, detail=f"{FOLDER_OF}{repo_name}",
                    repo=repo_name, path=path, commit=view.commit,
                )
            hidden = next(
                (f for f in sorted(view.files.unreadable) if not f or path == f or path.startswith(f + "/")), None
            )
            if hidden is not None:  # under a folder that cannot be listed: it may be there
                where = f"{repo_name}/{hidden}" if hidden else repo_name
                return CitationResult(
                    note, citation, Status.UNREADABLE,
                    detail=f"not checked: {where} cannot be read ({view.files.unreadable[hidden]})",
                    repo=repo_name, path=path, ranges=citation.ranges, commit=view.commit,
                )
            return CitationResult(
                note, citation, Status.MISSING, detail=f"no file {repo_name}/{path}",
                repo=repo_name, path=path, ranges=citation.ranges, commit=view.commit,
            )
        return _Target(note, citation, view, path, "exact", self._file_facts(view, path))

    def _peer(self, project: Project) -> Resolver:
        if project.name not in self._peers:
            self._peers[project.name] = Resolver(self.workspace, project, open_git=self._open_git)
        return self._peers[project.name]


_K = TypeVar("_K")


def _remember(memo: dict[_K, _T], key: _K, value: _T) -> _T:
    """`memo[key] = value`, starting the memo over when it is full; returns `value`."""
    if len(memo) >= _MEMO_ENTRIES:
        memo.clear()
    memo[key] = value
    return value


def _failed(note: Path, citation: Citation, error: ReadertuiError | OSError) -> CitationResult:
    """A broken repo or a failed git call, as the citation's result."""
    if isinstance(error, ReadertuiError):
        return CitationResult(note, citation, Status.UNPINNED, detail=str(error))
    # a file listed in the repo that cannot be opened (no permission): there, but unreadable
    return CitationResult(note, citation, Status.UNREADABLE, detail=f"cannot read: {error}")


def _may_lead_into(cited: str, folder: str) -> bool:
    """Whether a cited path no readable file matches may name a file in `folder` (repo-relative,
    "" for the repo itself), which could not be listed: any path when it is the repo, else a
    bare file name (it may be anywhere) or a path through a folder of that name."""
    if not folder:
        return True
    parts = cited.strip("/").split("/")
    return len(parts) == 1 or folder.rpartition("/")[2] in parts[:-1]


def _leaves_folder(cited: str) -> bool:
    """Absolute, home-relative or `..` paths: only meaningful relative to the note's folder."""
    return cited.startswith(("/", "~", "\\")) or (".." in cited and ".." in cited.split("/"))


_MAYBE_PROSE = (Status.MISSING, Status.AMBIGUOUS, Status.UNREADABLE)  # `_is_prose_mention` is False for the rest
_NO_FILE_IN_CONTEXT = "line numbers with no file in context"


def _is_prose_mention(citation: Citation, result: CitationResult) -> bool:
    """A bare file name without lines that names no file, or several (`config.py`, `README.md`
    as words in a sentence), and line numbers with no file in context are prose."""
    if citation.form == CitationForm.RELATIVE_LINES or citation.path is None:
        return result.status == Status.MISSING and result.detail == _NO_FILE_IN_CONTEXT
    if result.status not in _MAYBE_PROSE or result.detail == OUTSIDE_WORKSPACE:
        return False
    bare_name = "/" not in citation.path.strip("/")
    return bare_name and not citation.ranges and citation.form != CitationForm.LINK

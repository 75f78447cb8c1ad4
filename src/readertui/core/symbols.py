"""The symbol index of a repo at a commit: every definition of every code file, built by worker
processes and kept in the blob-keyed cache (core/symbol_cache.py).

Building (`build_repo`, meant for a background thread):

1. list the files with their blob ids (`git ls-tree -r`; plain folders: the same id computed
   from the bytes, so a copy of a repo reuses its rows); a commit indexed before is read back
   whole instead: one row, see `Snapshot`;
2. take what the cache already has; everything a cache hit costs is one `IN (…)` query; the
   sizes of the rest come from one `cat-file --batch-check`;
3. send the rest, the files named in `priority` (the file on screen) first, then the biggest
   (no long last batch on one worker while the other idles), in small batches to
   worker *processes* (tree-sitter holds the GIL while it parses: threads would freeze the UI).
   Each worker reads its blobs through a `cat-file --batch` of its own. At most two batches per
   worker are in flight, so memory stays bounded at any repo size;
   With `first_tier` (the reader, where someone can use it before the end), while the workers
   start, many Python files still to parse get a first tier of definitions
   from `git grep` (core/symbol_grep.py, ~0.5 s for sympy; header lines only), replaced file
   by file by the precise ones; `RepoSymbols.usable` is set once it is in;
4. store each batch's results as they arrive and report progress; `cancel` stops between
   batches. A finished commit is stored whole (unless git could not give some blob).

Files bigger than `MAX_FILE_BYTES`, binary files and files with a line longer than
`MAX_LINE_CHARS` (minified or generated code) are skipped with a reason, stored like a result.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path, PurePosixPath

import msgspec

from readertui.core import symbol_grep, tags
from readertui.core.git import BlobReader, TreeEntry, blob_sizes, no_commit_reason, read_head, tree_entries
from readertui.core.model import Project, RepoKind
from readertui.core.symbol_cache import BlobSymbols, Snapshot, SymbolCache
from readertui.core.tags import Definition

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_LINE_CHARS = 10_000
# Extension-less files are read for a shebang only when this small.
MAX_SCRIPT_BYTES = 256 * 1024
WORKERS = 2
WORKER_NICE = 5  # added to the workers' niceness (weight ~1/3 of the reader's)
PARENT_POLL_SECONDS = 1.0  # how often a worker checks that the reader still runs
_BATCH_FILES = 48
_BATCH_BYTES = 1024 * 1024
_IN_FLIGHT_PER_WORKER = 2
# Fewer files than this are parsed in-process: starting worker processes costs more.
_IN_PROCESS_FILES = 64
# With this many Python files to parse, a first tier (core/symbol_grep.py) answers meanwhile.
FIRST_TIER_FILES = 200
# Folders whose definitions rank last: tests, vendored code, hidden folders.
_LOW_FOLDERS = frozenset(
    {"test", "tests", "testing", "__tests__", "spec", "specs", "vendor", "vendored", "third_party",
     "third-party", "thirdparty", "external", "extern", "deps", "node_modules", "examples", "benchmarks"}
)

Progress = Callable[[int, int], None]  # (files done, files to do)
# Why a file is not indexed when git cannot give its bytes (tried again by the next build).
MISSING_BLOB = "blob not available (partial clone?)"


class SymbolHit(msgspec.Struct, frozen=True, gc=False):  # no cycles: see tags.Definition
    """A definition found in a repo: where (repo, path, commit) and what."""

    repo: str
    path: str
    definition: Definition
    commit: str | None = None

    @property
    def citation(self) -> str:
        """`repo/path:start-end`, the canonical citation form."""
        d = self.definition
        lines = f"{d.start}" if d.start == d.end else f"{d.start}-{d.end}"
        prefix = f"{self.repo}/" if self.repo else ""
        return f"{prefix}{self.path}:{lines}"


class RepoSymbols:
    """Every definition of one repo at one commit (None: a plain folder's files on disk)."""

    def __init__(self, repo: str, root: Path, commit: str | None) -> None:
        self.repo, self.root, self.commit = repo, root, commit
        self.files: dict[str, tuple[Definition, ...]] = {}
        self.skipped: dict[str, str] = {}  # path -> reason
        self.complete = False  # every file indexed (False while building or after a cancel)
        # Paths whose definitions are still the first tier's (core/symbol_grep.py: header
        # lines only), each replaced when its precise definitions arrive.
        self.provisional: set[str] = set()
        # Set once lookups are worth making: the first tier is in, or the build ended.
        self.usable = threading.Event()
        self._by_name: dict[str, list[tuple[str, Definition]]] | None = None
        self._lock = threading.Lock()

    def add(self, path: str, definitions: tuple[Definition, ...]) -> None:
        """A file's precise definitions."""
        with self._lock:
            self.files[path] = definitions
            self.provisional.discard(path)
            self._by_name = None

    def add_provisional(self, found: dict[str, tuple[Definition, ...]]) -> None:
        """First-tier definitions, for the files that have no precise ones yet."""
        with self._lock:
            for path, definitions in found.items():
                if path not in self.files:
                    self.files[path] = definitions
                    self.provisional.add(path)
            self._by_name = None

    def drop_provisional(self, paths: Iterable[str] | None = None) -> None:
        """Forget first-tier definitions (of `paths`, else all): a file skipped or unreadable
        after all has none."""
        with self._lock:
            for path in list(self.provisional if paths is None else paths):
                if path in self.provisional:
                    self.provisional.discard(path)
                    self.files.pop(path, None)
            self._by_name = None

    def load(self, snapshot: Snapshot) -> None:
        """Take a stored finished index whole."""
        with self._lock:
            self.files = dict(snapshot.files)
            self.skipped = dict(snapshot.skipped)
            self._by_name = None
        self.complete = True
        self.usable.set()

    def snapshot(self) -> Snapshot:
        with self._lock:
            files, skipped = dict(self.files), dict(self.skipped)
        # Item by item (not one C call over 200k entries): the GIL changes hands meanwhile.
        return Snapshot(tuple([(path, found) for path, found in files.items()]), tuple(skipped.items()))

    def definitions_in(self, path: str) -> tuple[Definition, ...]:
        return self.files.get(path, ())

    def hits(self) -> Iterator[SymbolHit]:
        for path, definitions in list(self.files.items()):
            for definition in definitions:
                yield SymbolHit(self.repo, path, definition, self.commit)

    def _names(self) -> dict[str, list[tuple[str, Definition]]]:
        with self._lock:
            if self._by_name is None:
                by_name: dict[str, list[tuple[str, Definition]]] = {}
                for path, definitions in self.files.items():
                    for definition in definitions:
                        by_name.setdefault(definition.name, []).append((path, definition))
                self._by_name = by_name
            return self._by_name

    def named(self, name: str) -> list[SymbolHit]:
        """Definitions whose name is exactly `name`."""
        found = list(self._names().get(name, ()))
        return [SymbolHit(self.repo, path, definition, self.commit) for path, definition in found]

    def names(self) -> list[str]:
        """Every distinct definition name."""
        return list(self._names())

    def __len__(self) -> int:
        return sum(len(definitions) for definitions in self.files.values())


# --- listing ----------------------------------------------------------------------------


def blob_id(data: bytes) -> str:
    """git's blob id of `data` (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _wanted(path: str, size: int) -> bool:
    """Whether a file may hold code with a tags query (by name; tiny extension-less scripts
    too; a size below 0 is not known yet: an extension-less file is kept until it is)."""
    if tags.language_for(path) is not None:
        return True
    return "." not in path.rpartition("/")[2] and (size < 0 or 0 < size <= MAX_SCRIPT_BYTES)


def _plain_entries(root: Path) -> list[TreeEntry]:
    """Code files under a plain folder, keyed by content; hidden folders and symlinks leading
    out of the folder are left out."""
    entries = []
    top = root.resolve()
    for folder, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            full = Path(folder) / name
            relative = full.relative_to(top).as_posix()
            try:
                if full.is_symlink() and not full.resolve().is_relative_to(top):
                    continue
                size = full.stat().st_size
                if not _wanted(relative, size):
                    continue
                data = full.read_bytes() if size <= MAX_FILE_BYTES else b""
            except OSError:
                continue
            entries.append(TreeEntry(relative, blob_id(data) if data else f"size:{size}", size))
    return entries


def list_entries(root: Path, commit: str | None) -> list[TreeEntry]:
    """The indexable files of a repo at `commit` (git) or on disk (commit None)."""
    if commit is None:
        return _plain_entries(root)
    return [entry for entry in tree_entries(root, commit, sizes=False) if _wanted(entry.path, entry.size)]


def _sized(
    root: Path, entries: list[TreeEntry], known: dict[str, BlobSymbols], table: RepoSymbols
) -> list[TreeEntry]:
    """`entries` with the sizes of the blobs still to parse (one `cat-file --batch-check` for
    them: listing every size costs far more on a big tree); a blob git does not have is
    skipped with `MISSING_BLOB`, an extension-less file too big for a script is dropped."""
    unknown = [entry.blob for entry in entries if entry.size < 0 and entry.blob not in known]
    sizes = blob_sizes(root, unknown) if unknown else {}
    result = []
    for entry in entries:
        if entry.size >= 0 or entry.blob in known:
            result.append(entry)
            continue
        size = sizes.get(entry.blob)
        if size is None:
            if tags.language_for(entry.path) is not None:
                table.skipped[entry.path] = MISSING_BLOB
        elif (
            0 < size <= MAX_SCRIPT_BYTES
            or "." in entry.path.rpartition("/")[2]  # listed for its extension
            or tags.language_for(entry.path) is not None
        ):
            result.append(TreeEntry(entry.path, entry.blob, size))
    return result


# --- parsing (runs in worker processes) -------------------------------------------------

_readers: dict[str, BlobReader] = {}


def skip_reason(data: bytes) -> str | None:
    """Why a file is not parsed: binary, or a line too long to be code a person reads."""
    if b"\0" in data[:8192]:
        return "binary file"
    if len(data) > MAX_LINE_CHARS:
        longest = max(map(len, data.split(b"\n")))
        if longest > MAX_LINE_CHARS:
            return f"a line of {longest:,} characters (minified or generated)"
    return None


def parse_blob(blob: str, path: str, data: bytes) -> BlobSymbols:
    """Definitions of one file's bytes, or why it was skipped. Never raises."""
    if len(data) > MAX_FILE_BYTES:
        return BlobSymbols(blob, tags.language_for(path) or "", skipped=f"{len(data) / 2**20:.1f} MB: too big to index")
    language = tags.language_for(path, data[:200])
    if language is None:
        return BlobSymbols(blob, "", skipped="no symbols for this kind of file")
    reason = skip_reason(data)
    if reason is not None:
        return BlobSymbols(blob, language, skipped=reason)
    return BlobSymbols(blob, language, tuple(tags.definitions(data, language)))


def _parse_batch(
    root: str, is_git: bool, items: list[tuple[str, str]], reuse: bool = True
) -> list[BlobSymbols | str]:
    """Worker entry point: parse `(blob, path)` items; a blob git cannot give (a partial clone)
    comes back as its id alone, to be tried again another time. A worker keeps its
    `cat-file` per repo (`reuse`); in-process callers get theirs closed at the end."""
    reader = None
    if is_git:
        reader = _readers.get(root) if reuse else None
        if reader is None:
            reader = BlobReader(Path(root))
            if reuse:
                _readers[root] = reader
    try:
        return _parse_items(root, reader, items)
    finally:
        if reader is not None and not reuse:
            reader.close()


def _parse_items(root: str, reader: BlobReader | None, items: list[tuple[str, str]]) -> list[BlobSymbols | str]:
    results: list[BlobSymbols | str] = []
    for blob, path in items:
        if reader is not None:
            data = reader.read(blob)
        else:
            try:
                data = (Path(root) / path).read_bytes()
            except OSError:
                data = None
        if data is None:
            results.append(blob)
            continue
        results.append(parse_blob(blob, path, data))
    return results


def new_executor(workers: int = WORKERS) -> ProcessPoolExecutor:
    """A pool of worker processes started fresh (`spawn`): forking a process that runs threads
    (the reader's UI) can deadlock the child. They run at a lower CPU priority."""
    _start_resource_tracker()
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start,
        initargs=(WORKER_NICE,),
    )


def _worker_start(nice: int) -> None:
    """A background indexer yields the CPU: the reader's UI thread (and the first tier's
    git grep) must not wait behind two processes parsing at full speed on a 2-core machine.
    It also ends with the reader: a reader killed (`kill -9`, a dropped SSH session whose
    terminal cannot be restored) never shuts the pool down, and a spawned worker holds its
    own end of the task pipe, so it would wait for work forever (44 MB each, measured)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(nice)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:  # the reader is gone: this process was handed to init
            os._exit(0)


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with the real stderr. It hands the child
    `sys.stderr.fileno()`, and a UI that captures `sys.stderr` (Textual) answers -1 there:
    the start then fails with "bad value(s) in fds_to_keep"."""
    from multiprocessing import resource_tracker

    captured = sys.stderr
    try:
        usable = captured is not None and captured.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if not usable and sys.__stderr__ is not None:
        sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


# --- building ---------------------------------------------------------------------------


def _batches(todo: Sequence[TreeEntry]) -> Iterator[list[TreeEntry]]:
    batch: list[TreeEntry] = []
    size = 0
    for entry in todo:
        batch.append(entry)
        size += entry.size
        if len(batch) >= _BATCH_FILES or size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def build_repo(
    cache: SymbolCache,
    repo: str,
    root: Path,
    commit: str | None,
    *,
    priority: Iterable[str] = (),
    executor: Executor | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    table: RepoSymbols | None = None,
    workers: int = 0,
    executor_factory: Callable[[], Executor] | None = None,
    first_tier: bool = False,
) -> RepoSymbols:
    """Index `repo` (folder `root`) at `commit`, reusing every cached blob.

    Few files (`_IN_PROCESS_FILES`) are parsed in this process: starting workers would cost
    more. Otherwise by `executor`, else one from `executor_factory` (the reader's, started on
    first need), else a pool of `workers` started for this build (the CLI), else in-process.
    Raises GitError
    when the commit cannot be listed; everything else (unreadable blobs, a broken cache) is a
    skipped file or a problem on `cache`, never an exception."""
    table = table if table is not None else RepoSymbols(repo, root, commit)
    if commit is not None and _from_snapshot(cache, table, commit):
        return table
    entries = list_entries(root, commit)
    own_pool = None
    known = cache.get_many(entry.blob for entry in entries)
    if commit is not None:
        entries = _sized(root, entries, known, table)
    todo: list[TreeEntry] = []
    new_rows: list[BlobSymbols] = []
    for entry in entries:
        row = known.get(entry.blob)
        if row is None and entry.size > MAX_FILE_BYTES:
            reason = f"{entry.size / 2**20:.1f} MB: too big to index"
            row = BlobSymbols(entry.blob, tags.language_for(entry.path) or "", skipped=reason)
            new_rows.append(row)
        if row is None:
            todo.append(entry)
        elif row.skipped is not None:
            if row.language:  # files that are not code at all are not worth listing
                table.skipped[entry.path] = row.skipped
        else:
            table.add(entry.path, row.definitions)
    cache.put_many(new_rows)
    total, done = len(todo), 0
    if progress is not None:
        progress(0, total)
    paths: dict[str, list[str]] = {}
    for entry in todo:
        paths.setdefault(entry.blob, []).append(entry.path)

    def absorb(results: list[BlobSymbols | str]) -> None:
        nonlocal done
        rows = [result for result in results if isinstance(result, BlobSymbols)]
        cache.put_many(rows)
        for result in results:
            blob = result if isinstance(result, str) else result.blob
            for path in paths.get(blob, ()):
                if isinstance(result, str):
                    table.skipped[path] = MISSING_BLOB
                    table.drop_provisional((path,))
                elif result.skipped is not None:
                    if result.language:
                        table.skipped[path] = result.skipped
                    table.drop_provisional((path,))
                else:
                    table.add(path, result.definitions)
            done += len(paths.get(blob, ()))
        if progress is not None:
            progress(done, total)

    # One item per blob: the same bytes under two paths are parsed once. The files on screen
    # first, then the biggest (sorting blobs, not paths: 200k copies of a file sort as one).
    unique = list({entry.blob: entry for entry in todo}.values())
    first = set(priority)
    unique.sort(key=lambda entry: (first.isdisjoint(paths[entry.blob]), -entry.size))
    batches = _batches(unique)
    root_text, is_git = str(root), commit is not None
    if len(unique) <= _IN_PROCESS_FILES:
        executor = None
    elif executor is None and executor_factory is not None:
        executor = executor_factory()
    elif executor is None and workers > 1:
        executor = own_pool = new_executor(workers)
    grep = None
    if first_tier and commit is not None and executor is not None:
        python = {path for entry in unique for path in paths[entry.blob] if path.endswith(".py")}
        if len(python) >= FIRST_TIER_FILES:
            grep = functools.partial(_first_tier, table, root, commit, python, cancel)
    try:
        _run_batches(table, batches, root_text, is_git, absorb, executor, cancel, grep)
    finally:
        if own_pool is not None:
            own_pool.shutdown(wait=True, cancel_futures=True)
        if table.complete:
            table.drop_provisional()  # none left in practice: every file came back precise
        table.usable.set()
    if commit is not None and table.complete and MISSING_BLOB not in table.skipped.values():
        cache.put_snapshot(commit, table.snapshot())
    return table


def _first_tier(
    table: RepoSymbols, root: Path, commit: str, python: set[str], cancel: threading.Event | None
) -> None:
    """The Python files' first-tier definitions (`git grep`), then the table is usable."""
    found = symbol_grep.python_definitions(root, commit, python, cancel)
    if found:
        table.add_provisional(found)
    table.usable.set()


def _from_snapshot(cache: SymbolCache, table: RepoSymbols, commit: str) -> bool:
    """Fill `table` from the commit's stored finished index, if there is one."""
    snapshot = cache.get_snapshot(commit)
    if snapshot is None:
        return False
    table.load(snapshot)
    return True


def _run_batches(
    table: RepoSymbols,
    batches: Iterator[list[TreeEntry]],
    root_text: str,
    is_git: bool,
    absorb: Callable[[list[BlobSymbols | str]], None],
    executor: Executor | None,
    cancel: threading.Event | None,
    first_tier: Callable[[], None] | None = None,
) -> RepoSymbols:
    if executor is None:
        for batch in batches:
            if cancel is not None and cancel.is_set():
                return table
            absorb(_parse_batch(root_text, is_git, [(e.blob, e.path) for e in batch], reuse=False))
        table.complete = True
        return table
    limit = _IN_FLIGHT_PER_WORKER * max(1, getattr(executor, "_max_workers", WORKERS))
    pending: set[Future[list[BlobSymbols | str]]] = set()
    exhausted = lost = False
    while True:
        while not exhausted and len(pending) < limit and not (cancel is not None and cancel.is_set()):
            following = next(batches, None)
            if following is None:
                exhausted = True
                break
            pending.add(executor.submit(_parse_batch, root_text, is_git, [(e.blob, e.path) for e in following]))
        if first_tier is not None:
            # While the workers start and parse their first batches.
            first_tier()
            first_tier = None
        if not pending:
            break
        finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
        for future in finished:
            try:
                results = future.result()
            except (BrokenProcessPool, CancelledError, OSError):
                results = []  # a worker died (killed, out of memory): its files stay unindexed
                lost = True  # and the table is not complete (nor stored whole)
            absorb(results)
        if cancel is not None and cancel.is_set():
            for future in pending:
                future.cancel()
            return table
    table.complete = exhausted and not lost
    return table


# --- lookups ----------------------------------------------------------------------------


def low_folder(path: str) -> bool:
    """Tests, vendored code and hidden folders: ranked after everything else."""
    parts = PurePosixPath(path).parts[:-1]
    name = PurePosixPath(path).name
    return (
        any(part.startswith(".") or part.lower() in _LOW_FOLDERS for part in parts)
        or name.startswith("test_")
        or name.endswith(("_test.py", "_test.go", ".test.js", ".test.ts", ".spec.ts", ".spec.js"))
    )


_KIND_ORDER = {"prototype": 2, "impl": 1}


def _plain_order(hit: SymbolHit) -> tuple[bool, int, str, str, int]:
    return (low_folder(hit.path), _KIND_ORDER.get(hit.definition.kind, 0), hit.repo, hit.path, hit.definition.line)


def find(tables: Iterable[RepoSymbols], query: str, kind: str | None = None) -> list[SymbolHit]:
    """Definitions matching `query`, best first: exact name, then `Scope.name` (`Class.method`,
    any depth of scope, `::` accepted), then names starting with it. Within each group:
    definitions before prototypes, tests and vendored code last, then by path."""
    query = query.strip().replace("::", ".")
    if not query:
        return []
    tables = list(tables)
    exact: list[SymbolHit] = []
    scoped: list[SymbolHit] = []
    prefix: list[SymbolHit] = []
    if "." in query.strip("."):
        name = query.rpartition(".")[2]
        for table in tables:
            for hit in table.named(name):
                qualified = hit.definition.qualified
                if qualified == query or qualified.endswith("." + query):
                    scoped.append(hit)
    else:
        for table in tables:
            exact.extend(table.named(query))
        for table in tables:
            for name in table.names():
                if name != query and name.startswith(query):
                    prefix.extend(table.named(name))
    result = []
    for group in (exact, scoped, prefix):
        group = [hit for hit in group if kind is None or hit.definition.kind == kind]
        result.extend(sorted(group, key=_plain_order))
    return result


def index_project(
    cache: SymbolCache,
    project: Project,
    *,
    workers: int = 0,
    executor: Executor | None = None,
    cancel: threading.Event | None = None,
    unreadable: list[str] | None = None,
) -> list[RepoSymbols]:
    """Every repo of `project` at its checkout (uninitialized submodules left out). A git repo
    with no commit checked out (a HEAD that is empty, garbled or names a branch without a
    commit) is left out too, and why goes into `unreadable`."""
    tables = []
    for repo in project.repos:
        if repo.kind == RepoKind.UNINITIALIZED_SUBMODULE or not repo.path.is_dir():
            continue
        commit = (repo.head or read_head(repo.path)) if repo.is_git else None
        if repo.is_git and commit is None:
            if unreadable is not None:
                unreadable.append(f"{project.name}/{repo.name} cannot be read: {no_commit_reason(repo.path, with_repo=False)}")
            continue
        tables.append(
            build_repo(cache, repo.name, repo.path, commit, workers=workers, executor=executor, cancel=cancel)
        )
    return tables

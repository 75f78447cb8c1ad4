"""The reader's symbol index: the tables of the repos it shows, built on demand by worker
processes and shared by every navigation action (pure: no Textual; thread-safe).

A table is one repo at one commit (`None`: a plain folder on disk). The repo the reader shows
at a note's older commit gets a table of its own at that commit; thanks to the blob-keyed
cache only the files that differ from the checkout are parsed. Several threads asking for the
same table wait for one build, and get its table as soon as it is usable (a big Python repo's
first tier, see core/symbols.py), before it is complete. A few tables are kept (least recently used dropped), which
bounds memory when the reader walks through many commits.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from readertui.core.errors import ReadertuiError
from readertui.core.git import read_head
from readertui.core.model import Project, Repo, RepoKind
from readertui.core.symbol_cache import SymbolCache
from readertui.core.symbols import WORKERS, RepoSymbols, blob_id, build_repo, new_executor
from readertui.core.tags import Definition

MAX_TABLES = 6
# (files done, files to do, repo name)
BuildProgress = Callable[[int, int, str], None]

_Key = tuple[Path, str | None]


class SymbolService:
    def __init__(self, cache_path: Path | None = None, workers: int = WORKERS) -> None:
        self._cache_path = cache_path
        self._cache: SymbolCache | None = None
        self._workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._tables: OrderedDict[_Key, RepoSymbols] = OrderedDict()
        self._builds: dict[_Key, threading.Event] = {}
        self._lock = threading.Lock()
        self.cancelled = threading.Event()
        self.problem: str | None = None  # the cache's trouble, once known

    # --- resources ---------------------------------------------------------------------

    def _cache_store(self) -> SymbolCache:
        with self._lock:
            if self._cache is None:
                self._cache = SymbolCache(self._cache_path)
                self.problem = self._cache.problem
            return self._cache

    def _pool(self) -> ProcessPoolExecutor:
        """The worker processes, started when a build first has enough files for them."""
        with self._lock:
            if self._executor is None:
                self._executor = new_executor(self._workers)
            return self._executor

    def close(self) -> None:
        """Stop building and let the worker processes go (they finish their batch at most)."""
        self.cancelled.set()
        with self._lock:
            executor, self._executor = self._executor, None
            cache, self._cache = self._cache, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        if cache is not None:
            cache.close()

    def stored_definitions(self, data: bytes, language: str) -> tuple[Definition, ...] | None:
        """The definitions the cache holds for exactly these bytes parsed as `language` (the
        file shown, when the index has seen its blob: no parse), else None."""
        blob = blob_id(data)
        row = self._cache_store().get_many([blob]).get(blob)
        if row is None or row.skipped is not None or row.language != language:
            return None
        return row.definitions

    # --- tables ------------------------------------------------------------------------

    @staticmethod
    def commit_of(repo: Repo, commit: str | None = None) -> str | None:
        """The commit a repo's table is about: `commit`, else its checkout (None: plain)."""
        if not repo.is_git:
            return None
        return commit or repo.head or read_head(repo.path)

    def peek(self, repo: Repo, commit: str | None = None) -> RepoSymbols | None:
        """The table if one exists (possibly still filling), without building anything."""
        key = (repo.path, self.commit_of(repo, commit))
        with self._lock:
            table = self._tables.get(key)
            if table is not None:
                self._tables.move_to_end(key)
            return table

    def table(
        self,
        repo: Repo,
        commit: str | None = None,
        *,
        priority: tuple[str, ...] = (),
        progress: BuildProgress | None = None,
    ) -> RepoSymbols | None:
        """`repo`'s table at `commit` (its checkout when None), built now if needed (blocking:
        call from a thread). While another thread builds it, it is returned once `usable`
        (possibly not `complete`: some files still first-tier). None for an uninitialized
        submodule or an empty repository."""
        if repo.kind == RepoKind.UNINITIALIZED_SUBMODULE or not repo.path.is_dir():
            return None
        sha = self.commit_of(repo, commit)
        if repo.is_git and sha is None:
            return None
        key = (repo.path, sha)
        while True:
            with self._lock:
                table = self._tables.get(key)
                if table is not None and table.complete:
                    self._tables.move_to_end(key)
                    return table
                waiting = self._builds.get(key)
                if waiting is None:
                    done = self._builds[key] = threading.Event()
                    table = RepoSymbols(repo.name, repo.path, sha)
                    self._tables[key] = table
                    while len(self._tables) > MAX_TABLES:
                        self._tables.popitem(last=False)
                    break
                building = self._tables.get(key)
            # Another thread builds it: its table is worth using once usable (first tier in,
            # or the build over), not only when complete.
            if building is not None:
                while not building.usable.wait(0.1) and not waiting.is_set():
                    pass
                if building.usable.is_set():
                    return building
            waiting.wait()
            with self._lock:
                if key not in self._builds and key in self._tables:
                    return self._tables[key]
        try:
            cache = self._cache_store()
            report = (lambda done_, total: progress(done_, total, repo.name)) if progress else None
            build_repo(
                cache, repo.name, repo.path, sha, priority=priority, cancel=self.cancelled,
                progress=report, table=table, executor_factory=self._pool if self._workers > 1 else None,
                first_tier=True,
            )
            if cache.problem:
                self.problem = cache.problem
        except ReadertuiError as error:
            self.problem = str(error)
        finally:
            with self._lock:
                self._builds.pop(key, None)
            done.set()
        return table

    def project_tables(
        self,
        project: Project,
        at: tuple[str, str | None] | None = None,
        *,
        priority: tuple[str, ...] = (),
        progress: BuildProgress | None = None,
    ) -> list[RepoSymbols]:
        """Every repo of `project`: the one named by `at` = (repo name, commit) first and at
        that commit, the others at their checkout. Blocking."""
        repos = list(project.repos)
        if at is not None:
            repos.sort(key=lambda repo: repo.name != at[0])
        tables = []
        for repo in repos:
            commit = at[1] if at is not None and repo.name == at[0] else None
            first = priority if at is not None and repo.name == at[0] else ()
            table = self.table(repo, commit, priority=first, progress=progress)
            if table is not None:
                tables.append(table)
        return tables

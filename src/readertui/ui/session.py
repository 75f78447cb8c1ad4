"""The reader's access to the workspace's code: one `GitRepo` per repo, one `Resolver` per
project (sharing those handles), file lists, file bytes.

No Textual here: the screen calls these from worker threads. Everything is cached and
guarded by a lock, since several workers may ask for the same repo at once. A resolver is
shared by those workers too: its caches are filled idempotently (two threads asking at once
compute the same value twice, at worst). `refresh` and `close` drop the resolvers and stop the
git processes: the next request opens them again, against the workspace as it is then.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from readertui.core.errors import ReadertuiError
from readertui.core.file_index import walk_files
from readertui.core.git import GitRepo, read_head
from readertui.core.model import Location, Project, Repo, RepoKind, Workspace
from readertui.core.safe_text import decode_for_display

if TYPE_CHECKING:
    from readertui.core.ignore import IgnoreRules
    from readertui.core.resolve import Resolver


class CodeAccessError(ReadertuiError):
    """A file cannot be shown: missing, outside its repo, too big."""


class Session:
    def __init__(self, workspace: Workspace, max_file_bytes: int = 64 * 1024 * 1024) -> None:
        self.workspace = workspace
        self.max_file_bytes = max_file_bytes
        self._gits: dict[Path, GitRepo] = {}
        self._files: dict[Path, tuple[str, ...]] = {}
        self._tags: dict[tuple[Path, str], str] = {}
        self._resolvers: dict[str, Resolver] = {}
        self._lock = threading.RLock()  # a resolver made under it asks for git handles

    def refresh(self, workspace: Workspace) -> None:
        """Forget what was read from the old workspace (after `update`, or F5): file lists, tags,
        resolvers, and the git handles (refs may have moved)."""
        with self._lock:
            self.workspace = workspace
            self._files.clear()
            self._tags.clear()
            self._forget_gits()

    def resolver(self, project: Project) -> Resolver:
        """The project's resolver, made on first use and kept until `refresh` or `close`."""
        from readertui.core.resolve import Resolver  # not needed for the first frame

        with self._lock:
            resolver = self._resolvers.get(project.name)
            workspace = self.workspace
        if resolver is not None and resolver.project == project:
            return resolver
        # Made outside the lock (it reads the workspace config and opens git handles, which may
        # import GitPython): a worker reading code must not wait for it. Two threads may both
        # make one; the first one stored is the one kept.
        made = Resolver(workspace, project, self._ignore_rules(), open_git=self._git_at)
        with self._lock:
            resolver = self._resolvers.get(project.name)
            if resolver is None or resolver.project != project:
                resolver = self._resolvers[project.name] = made
            return resolver

    def _ignore_rules(self) -> IgnoreRules | None:
        """The workspace's `[check] ignore` globs, so the reader marks what `check` reports; an
        invalid config is `check`'s to report (one clear line), the reader just goes without."""
        from readertui.core.ignore import load_rules

        try:
            return load_rules(self.workspace)
        except ReadertuiError:
            return None

    def _git_at(self, path: Path) -> GitRepo:
        """The shared handle of the git repo at `path` (called by resolvers)."""
        with self._lock:
            git = self._gits.get(path)
            if git is None:
                git = self._gits[path] = GitRepo(path)
            return git

    def git_for(self, repo: Repo) -> GitRepo | None:
        return self._git_at(repo.path) if repo.is_git else None

    def locate(self, location: Location) -> tuple[Project, Repo]:
        project = self.workspace.project(location.project)
        repo = project.repo(location.repo) if project and location.repo else None
        if project is None or repo is None:
            raise CodeAccessError(f"no repo {location.repo!r} in project {location.project!r}")
        return project, repo

    def list_files(self, project: Project, repo: Repo) -> tuple[str, ...]:
        with self._lock:
            cached = self._files.get(repo.path)
        if cached is not None:
            return cached
        git = self.git_for(repo)
        files = git.list_files() if git is not None else walk_files(repo.path)
        with self._lock:
            self._files[repo.path] = files
        return files

    def project_paths(self, project: Project) -> list[str]:
        """Every file of every initialized repo of `project`, as `<repo>/<path>`."""
        paths: list[str] = []
        for repo in project.repos:
            if repo.path.is_dir() and (repo.is_git or repo.kind is RepoKind.PLAIN):
                paths.extend(f"{repo.name}/{path}" for path in self.list_files(project, repo))
        return paths

    def read_code(self, location: Location) -> tuple[str, str | None]:
        """The display text of a repo file (at `location.commit`, or the working tree)."""
        _, repo = self.locate(location)
        git = self.git_for(repo)
        if git is not None:
            data = git.read_file(location.path, location.commit)
        else:
            data = self._read_plain(repo, location.path)
        if data is None:
            at = f" at {location.commit[:7]}" if location.commit else ""
            raise CodeAccessError(f"{location.repo}/{location.path} does not exist{at}")
        if len(data) > self.max_file_bytes:
            raise CodeAccessError(
                f"{location.path} is {len(data) // 1_048_576} MB: larger than max_file_bytes"
            )
        return decode_for_display(data)

    def _read_plain(self, repo: Repo, path: str) -> bytes | None:
        target = (repo.path / path).resolve()
        if repo.path.resolve() not in target.parents:
            raise CodeAccessError(f"{path} is outside {repo.name}")
        try:
            return target.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise CodeAccessError(f"cannot read {path}: {error.strerror}") from None

    def tag(self, location: Location) -> str:
        """The nearest tag of the commit shown at `location` ("" when none or not git)."""
        _, repo = self.locate(location)
        git = self.git_for(repo)
        commit = location.commit or (git.head() if git is not None else None)
        if git is None or commit is None:
            return ""
        with self._lock:
            cached = self._tags.get((repo.path, commit))
        if cached is None:
            cached = git.describe(commit) or ""
            with self._lock:
                self._tags[(repo.path, commit)] = cached
        return cached

    def head(self, repo: Repo) -> str | None:
        """The checked-out commit, read from the repo's files (no git process: event-loop safe)."""
        return read_head(repo.path) if repo.is_git else None

    def remote_url(self, repo: Repo) -> str | None:
        git = self.git_for(repo)
        return git.remote_url() if git is not None else None

    def close(self) -> None:
        with self._lock:
            self._forget_gits()

    def _forget_gits(self) -> None:
        """Drop the resolvers and stop the git processes (call with the lock held)."""
        self._resolvers.clear()
        for git in self._gits.values():
            git.close()
        self._gits.clear()

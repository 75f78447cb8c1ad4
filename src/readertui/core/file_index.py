"""The files of a repo as a path list, and a folder view of that list built lazily.

Git repos list their tracked files (one `git ls-files`); plain folders are walked with the
usual ignores. `FolderIndex` answers "what is in this folder" from the list without touching
the disk, so a 50,000-file tree expands one folder at a time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

IGNORED_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode", ".cache"}
)
MAX_WALKED_FILES = 200_000  # a runaway plain folder (a dataset) must not eat the memory


class FileList(tuple[str, ...]):
    """A walk's file paths, plus the folders it could not list (posix path → why; "" = root)."""

    unreadable: dict[str, str]


def walk_files(root: Path) -> FileList:
    """Posix paths relative to `root` of the files under it, skipping the usual noise.

    A folder that cannot be listed is not fatal: it is kept in `.unreadable` with the reason."""
    found: list[str] = []
    unreadable: dict[str, str] = {}

    def note(error: OSError) -> None:
        try:
            rel = Path(error.filename).relative_to(root).as_posix()
        except (TypeError, ValueError):
            return
        unreadable["" if rel == "." else rel] = error.strerror or type(error).__name__

    for folder, dirs, files in os.walk(root, onerror=note):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS)
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        found.extend(prefix + name for name in sorted(files))
        if len(found) >= MAX_WALKED_FILES:
            break
    listed = FileList(found[:MAX_WALKED_FILES])
    listed.unreadable = unreadable
    return listed


class FolderIndex:
    """Folder → (sub-folders, files) of a flat path list, each folder listed on first request.

    Listing a folder is one pass over the paths under it, which are then handed down to its
    sub-folders: opening the root of a 50,000-file repo costs one pass (~20 ms, not the ~110 ms
    of indexing every folder up front), and each later folder only its own share. A worker
    thread holding the GIL that long makes the UI thread's key answers stutter.
    """

    def __init__(self, paths: tuple[str, ...], unreadable: Mapping[str, str] | None = None) -> None:
        self.paths = paths
        # Folders that could not be listed (→ why): shown in their parent, empty, with the reason.
        self.unreadable = dict(unreadable if unreadable is not None else getattr(paths, "unreadable", {}))
        self._under: dict[str, Sequence[str]] = {"": paths}  # folder → paths under it, until listed
        self._listed: dict[str, tuple[list[str], list[str]]] = {}
        self._lock = threading.Lock()  # tree workers may list two folders at once

    def children(self, folder: str = "") -> tuple[list[str], list[str]]:
        """Sorted sub-folder paths and file paths directly inside `folder` ("" = the root)."""
        with self._lock:
            dirs, files = self._list(folder)
        return list(dirs), list(files)

    def unreadable_reason(self, folder: str) -> str | None:
        """Why `folder` ("" = the root) could not be listed, or None when it could."""
        return self.unreadable.get(folder)

    def _list(self, folder: str) -> tuple[list[str], list[str]]:
        listed = self._listed.get(folder)
        if listed is not None:
            return listed
        if folder not in self._under and folder:
            self._list(_parent(folder))  # hands this folder its paths, if it exists
        paths = self._under.pop(folder, ())
        start = len(folder) + 1 if folder else 0
        subfolders: dict[str, list[str]] = {}
        files: list[str] = []
        for path in paths:
            cut = path.find("/", start)
            if cut < 0:
                files.append(path)
            else:
                subfolders.setdefault(path[:cut], []).append(path)
        for bad in self.unreadable:
            if bad and _parent(bad) == folder:
                subfolders.setdefault(bad, [])
        self._under.update(subfolders)
        listed = self._listed[folder] = (_sorted(subfolders), _sorted(files))
        return listed


def _sorted(paths: Iterable[str]) -> list[str]:
    """Case-blind order; names that differ only in case in a fixed order (upper first)."""
    return sorted(sorted(paths), key=str.lower)


def _parent(folder: str) -> str:
    return folder.rpartition("/")[0]

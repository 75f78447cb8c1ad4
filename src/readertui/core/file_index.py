"""The files of a repo as a path list, and a folder view of that list built lazily.

Git repos list their tracked files (one `git ls-files`); plain folders are walked with the
usual ignores. `FolderIndex` answers "what is in this folder" from the list without touching
the disk, so a 50,000-file tree expands one folder at a time.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

IGNORED_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode", ".cache"}
)
MAX_WALKED_FILES = 200_000  # a runaway plain folder (a dataset) must not eat the memory


def walk_files(root: Path) -> tuple[str, ...]:
    """Posix paths relative to `root` of the files under it, skipping the usual noise."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS)
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        found.extend(prefix + name for name in sorted(files))
        if len(found) >= MAX_WALKED_FILES:
            break
    return tuple(found[:MAX_WALKED_FILES])


class FolderIndex:
    """Folder → (sub-folders, files), computed from a flat path list in one pass."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.paths = paths
        self._dirs: dict[str, set[str]] = defaultdict(set)
        self._files: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            folder, _, name = path.rpartition("/")
            self._files[folder].append(name)
            while folder and folder not in self._dirs[_parent(folder)]:
                self._dirs[_parent(folder)].add(folder)
                folder = _parent(folder)

    def children(self, folder: str = "") -> tuple[list[str], list[str]]:
        """Sorted sub-folder paths and file paths directly inside `folder` ("" = the root)."""
        prefix = folder + "/" if folder else ""
        dirs = sorted(self._dirs.get(folder, ()), key=str.lower)
        files = sorted((prefix + name for name in self._files.get(folder, ())), key=str.lower)
        return dirs, files


def _parent(folder: str) -> str:
    return folder.rpartition("/")[0]

"""Noticing edits made outside readertui (an editor in another tmux pane, a `readertui log` or
`readertui bookmarks` from a shell) to the reading log and the bookmarks file, so today's count,
the note shown and the bookmarks never go stale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from readertui.core.log import entries_for_day

POLL_SECONDS = 3.0  # between looks at the log's (mtime, size): one stat, no read


def stamp(path: Path) -> tuple[int, int] | None:
    """(mtime, size) of a file, None when it is missing: enough to notice an outside edit."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class FileWatch:
    """The last seen stamp of one file (the reading log, the bookmarks file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen = stamp(path)

    def follow(self, path: Path) -> None:
        """Watch another file from now on (another project's; no change reported for the switch)."""
        self.path = path
        self.seen = stamp(path)

    def changed(self) -> bool:
        """Whether the file changed since the last look; remembers the new stamp."""
        now = stamp(self.path)
        if now == self.seen:
            return False
        self.seen = now
        return True


class LogWatch(FileWatch):
    """The current project's reading log."""

    @property
    def log(self) -> Path:
        return self.path

    def today_entries(self) -> int | None:
        """Entries in today's section as the file holds them now; None when unreadable."""
        if self.seen is None:
            return 0
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return len(entries_for_day(text, date.today()))

"""Noticing edits made to the reading log outside readertui (an editor in another tmux pane, a
`readertui log` from a shell), so today's count and the note shown never go stale."""

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


class LogWatch:
    """The last seen stamp of the current project's reading log."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.seen = stamp(log)

    def follow(self, log: Path) -> None:
        """Watch another project's log from now on (no change reported for the switch)."""
        self.log = log
        self.seen = stamp(log)

    def changed(self) -> bool:
        """Whether the log changed since the last look; remembers the new stamp."""
        now = stamp(self.log)
        if now == self.seen:
            return False
        self.seen = now
        return True

    def today_entries(self) -> int | None:
        """Entries in today's section as the file holds them now; None when unreadable."""
        if self.seen is None:
            return 0
        try:
            text = self.log.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return len(entries_for_day(text, date.today()))

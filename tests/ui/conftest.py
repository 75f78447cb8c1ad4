"""Fixtures and waits shared by the reader's Pilot tests.

Waits are on conditions (no thread worker running, a predicate true), never on a number of
rounds: `settle` returns once the app is quiet, `wait_until` once the test's condition holds."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from textual.worker import WorkerCancelled

from readertui.core.model import Location
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.screens.main import MainScreen

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A private copy of the demo workspace (tests write notes and bookmarks)."""
    target = tmp_path / "ws"
    shutil.copytree(REPO_ROOT / "projects", target)
    return target


async def wait_until(pilot, condition, what: str = "", timeout: float = 20.0) -> None:
    """Let the app run until `condition()` holds: its messages are processed between checks
    (worker threads run meanwhile). Fails with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause()


# Groups of the workers that run in threads (reading, resolving, highlighting, writing, review
# planning). Async workers that wait on a prompt (pickers, capture) are left out: they end only
# when the prompt is answered.
THREAD_GROUPS = frozenset({
    "source", "note", "index", "write", "tree", "ranker", "remote", "reload", "warm-up",
    "review-plan", "review-preview", "review-sides", "review-apply", "codeview-parse",
})


def _thread_workers_running(app, groups: frozenset[str]) -> list:
    return [w for w in app.workers if w.group in groups and not w.is_finished]


async def settle(pilot, timeout: float = 30.0, groups: frozenset[str] = THREAD_GROUPS) -> None:
    """Until no thread worker of `groups` runs and what they posted has been handled: a
    worker's message can start another worker, so this waits until a pause finds none running."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        running = _thread_workers_running(app, groups)
        if not running:
            await pilot.pause()
            if not _thread_workers_running(app, groups):
                return
            continue
        if time.monotonic() > deadline:
            raise AssertionError(f"still running after {timeout} s: {[w.name for w in running]}")
        try:
            await app.workers.wait_for_complete(running)
        except WorkerCancelled:
            pass  # an exclusive worker of its group replaced it: look again


def make_app(root: Path) -> ReaderApp:
    return ReaderApp(find_workspace(root))


def notifications(app: ReaderApp) -> list[tuple[str, str | None]]:
    """Every (message, severity) the app notifies from now on, recorded as it is shown."""
    shown: list[tuple[str, str | None]] = []
    notify = app.notify
    app.notify = lambda message, **kw: (shown.append((message, kw.get("severity"))), notify(message, **kw))
    return shown


async def open_file(pilot, path: str, line: int = 1) -> MainScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.open_location(Location("minillm", "minillm", path, line))
    await settle(pilot)
    screen.source.focus()
    return screen


def screen_rows(screen) -> list[str]:
    """The rows of a pyte screen, as `screen.display` gives them, but never raising: pyte's
    `display` fails with IndexError on the empty stub cell a wide character leaves when a
    later, partial redraw wrote over only its first half (CJK text in the notes pane)."""
    return [
        "".join(screen.buffer[y][x].data for x in range(screen.columns))
        for y in range(screen.lines)
    ]

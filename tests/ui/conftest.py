"""Fixtures shared by the reader's Pilot tests."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

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

"""Fixtures shared by the reader's Pilot tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A private copy of the demo workspace (tests write notes and bookmarks)."""
    target = tmp_path / "ws"
    shutil.copytree(REPO_ROOT / "projects", target)
    return target

from __future__ import annotations

import os
from pathlib import Path

import pytest
import textual._wait

from tests.gitfixtures import KB, build_kb

# Pilot's `press` and `pause` wait for the process to look idle (`textual._wait.wait_for_idle`):
# they sleep in 20 ms slices until one passes with under 1 ms of CPU, at least one slice per
# pause and two per key. Over the suite that was most of its wall time (the CPU sat idle),
# so the slices are 5 ms here, with the same 5 % idle criterion. Waits on real work (workers,
# conditions) are explicit in tests/ui/conftest.py and do not depend on it.
# tests/ui/test_textual_compat.py checks the names still exist.
textual._wait.SLEEP_GRANULARITY = 0.005
textual._wait.SLEEP_IDLE = 0.00025


def pytest_configure(config: pytest.Config) -> None:
    """Compile readertui's bytecode once, before the workers start. Where PYTHONDONTWRITEBYTECODE
    is set (CI, this team's machines), every `python -m readertui` a test starts compiled ~70
    modules from source again: ~7 s of the suite's CPU. Python reads the bytecode either way."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller did it
        return
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parents[1] / "src", quiet=1)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores. Tests wait on git and on subprocesses a
    good part of their time; a third worker on 2 cores fills it (105 s against 116 s, back to
    back on the team's 2-core box)."""
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1


def pytest_collection_finish(session: pytest.Session) -> None:
    """Fewer, cheaper garbage collections while the tests run: what collection built (modules,
    test items) is frozen out of every later pass, and the young generation is collected every
    20,000 allocations instead of 700. Each Pilot test leaves an app's worth of cycles, and the
    collector's passes over a worker's growing heap were ~15 % of the suite's CPU (measured:
    220 -> 186 CPU-seconds, back to back)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


@pytest.fixture(autouse=True)
def _isolate_user_environment(tmp_path_factory, monkeypatch):
    """Keep the developer's config, state, git settings and editor out of every test."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    (home / "gitconfig").write_text(
        "[protocol \"file\"]\n\tallow = always\n[user]\n\tname = Test\n\temail = t@example.invalid\n"
    )


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    """A knowledge base with a submodule pinned at commit A; upstream has commit B."""
    return build_kb(tmp_path)


@pytest.fixture(scope="module")
def kb_readonly(tmp_path_factory) -> KB:
    """One `kb` per test module, for tests that only read it (a build is ~20 git calls)."""
    home = tmp_path_factory.mktemp("kb-home")
    (home / "gitconfig").write_text("[protocol \"file\"]\n\tallow = always\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        return build_kb(tmp_path_factory.mktemp("kb-readonly"))


REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo_workspace() -> Path:
    return REPO_ROOT / "projects"

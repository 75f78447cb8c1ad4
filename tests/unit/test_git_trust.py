"""Git as a reader, not an executor: a repository's own config (copied along with a workspace)
never makes readertui run a program unless the user trusts it. Each hostile setting writes a
marker file when it runs; the tests assert the markers are absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from readertui.core.git import GitRepo, UntrustedConfigError, repo_config_commands
from tests.gitfixtures import KB, git


def _markers(base: Path) -> list[str]:
    return sorted(p.name for p in base.glob("MARKER-*"))


def _make_hostile(kb: KB, base: Path) -> Path:
    """Settings in the submodule's own config that run a program on status, fetch, checkout."""
    sub = kb.submodule
    git_dir = Path(git(sub, "rev-parse", "--absolute-git-dir"))
    (git_dir / "info").mkdir(exist_ok=True)
    (git_dir / "info" / "attributes").write_text("* filter=evil\n")
    git(sub, "config", "filter.evil.clean", f"touch {base}/MARKER-clean; cat")
    git(sub, "config", "filter.evil.smudge", f"touch {base}/MARKER-smudge; cat")
    git(sub, "config", "remote.origin.uploadpack", f"touch {base}/MARKER-uploadpack; git-upload-pack")
    monitor = base / "monitor.sh"
    monitor.write_text(f"#!/bin/sh\ntouch {base}/MARKER-fsmonitor\n")
    monitor.chmod(0o755)
    git(sub, "config", "core.fsmonitor", str(monitor))
    # make the worktree files' stat differ from the index, so a status would have to filter
    for path in sub.rglob("*.py"):
        path.touch()
    return sub


def _readertui(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_hostile_settings_are_found_with_includes(kb: KB, tmp_path: Path) -> None:
    sub = _make_hostile(kb, tmp_path)
    git_dir = Path(git(sub, "rev-parse", "--absolute-git-dir"))
    (git_dir / "extra.cfg").write_text("[core]\n\tsshCommand = evil\n")
    git(sub, "config", "include.path", "extra.cfg")
    keys = {key for key, _ in repo_config_commands(sub)}
    assert {"filter.evil.clean", "filter.evil.smudge", "remote.origin.uploadpack", "core.fsmonitor", "core.sshcommand"} <= keys


def test_a_plain_repo_config_is_not_flagged(kb: KB) -> None:
    git(kb.submodule, "config", "core.fsmonitor", "false")
    assert repo_config_commands(kb.submodule) == ()


def test_dry_run_fetches_nothing_and_runs_nothing(kb: KB, tmp_path: Path) -> None:
    _make_hostile(kb, tmp_path)
    done = _readertui(kb.workspace, "update", "engine-study", "--dry-run")
    assert done.returncode in (0, 1), done.stderr
    assert _markers(tmp_path) == []
    assert "filter.evil.clean" in done.stderr and "--trust-repo-config" in done.stderr
    assert git(kb.submodule, "rev-parse", "HEAD") == kb.a


def test_update_refuses_a_hostile_repo_config_naming_the_keys(kb: KB, tmp_path: Path) -> None:
    _make_hostile(kb, tmp_path)
    log = kb.project / "notes" / "code-reading-log.md"
    before = log.read_bytes()
    done = _readertui(kb.workspace, "update", "engine-study", "--yes", "--to", kb.b)
    assert done.returncode == 2
    assert "remote.origin.uploadpack" in done.stderr and "filter.evil.smudge" in done.stderr
    assert done.stderr.count("\n") == 1
    assert _markers(tmp_path) == []
    assert git(kb.submodule, "rev-parse", "HEAD") == kb.a
    assert log.read_bytes() == before


def test_trusting_the_repo_config_lets_the_update_run(kb: KB, tmp_path: Path) -> None:
    _make_hostile(kb, tmp_path)
    done = _readertui(kb.workspace, "update", "engine-study", "--yes", "--to", kb.b, "--trust-repo-config")
    assert done.returncode in (0, 1), done.stderr
    assert git(kb.submodule, "rev-parse", "HEAD") == kb.b
    assert "MARKER-fsmonitor" not in _markers(tmp_path)  # hooks and fsmonitor stay off anyway


def test_an_ssh_command_in_the_repo_config_never_runs(kb: KB, tmp_path: Path) -> None:
    sub = kb.submodule
    git(sub, "remote", "set-url", "origin", "ssh://example.invalid/engine.git")
    git(sub, "config", "core.sshCommand", f"touch {tmp_path}/MARKER-ssh; false")
    for args in (("--dry-run",), ("--yes",)):
        done = _readertui(kb.workspace, "update", "engine-study", *args)
        assert "Traceback" not in done.stderr
    assert _markers(tmp_path) == []
    repo = GitRepo(sub)
    try:
        with pytest.raises(UntrustedConfigError, match="core.sshcommand"):
            repo.fetch(timeout=5)
    finally:
        repo.close()
    assert _markers(tmp_path) == []


def test_reading_commands_run_nothing_from_the_repo_config(kb: KB, tmp_path: Path) -> None:
    sub = _make_hostile(kb, tmp_path)
    (kb.project / "notes" / "overview.md").write_text("# o\n\n`Engine/src/engine/core.py:9-12`\n")
    assert _readertui(kb.workspace, "check", ".").returncode in (0, 1)
    assert _readertui(kb.project, "log", "--cite", "Engine/src/engine/core.py:9", "x").returncode == 0
    assert _readertui(kb.project, "bookmarks", "add", "Engine/src/engine/core.py:9", "--label", "l").returncode == 0
    repo = GitRepo(sub)
    try:
        repo.is_dirty()
        repo.read_file("src/engine/core.py", kb.a)
        repo.diff(kb.a, kb.a)
        with pytest.raises(UntrustedConfigError):
            repo.checkout_detached(kb.b)
    finally:
        repo.close()
    assert _markers(tmp_path) == []

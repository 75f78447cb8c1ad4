from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readertui.core import add as addmod
from readertui.core.add import UrlError, add_project, check_url, repo_name_from_url
from readertui.core.check import check
from readertui.core.errors import ReadertuiError
from readertui.core.git import submodules
from readertui.core.model import RepoKind
from readertui.core.workspace import load_workspace
from tests.gitfixtures import KB, commit_all, git, write

CLOCK = lambda: datetime(2026, 3, 4, 5, 6, 7)  # noqa: E731


def _bare_copy(kb: KB, name: str) -> Path:
    """A local upstream named like a hosted one (`DeepSpeed.git`), so `add` works offline."""
    target = kb.upstream.parent / name
    git(kb.upstream.parent, "clone", "-q", "--bare", str(kb.upstream), str(target))
    return target


def _state(kb: KB) -> dict[str, object]:
    """Everything a failed `add` must leave exactly as it was."""
    git_dir = kb.root / ".git"
    return {
        "status": git(kb.root, "status", "--porcelain", "--untracked-files=all", "--ignored"),
        "index": git(kb.root, "ls-files", "-s"),
        "gitmodules": (kb.root / ".gitmodules").read_bytes(),
        "config": (git_dir / "config").read_bytes(),
        "files": sorted(
            p.relative_to(kb.root).as_posix()
            for p in kb.root.rglob("*")
            if not p.is_relative_to(git_dir / "objects")
        ),
    }


# ---------------------------------------------------------------- URL validation


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/microsoft/DeepSpeed.git",
        "https://user@gitlab.example.com/group/sub/repo",
        "http://git.internal/repo.git",
        "ssh://git@github.com/vllm-project/vllm.git",
        "ssh://git@[::1]:2222/repo.git",
        "git://git.kernel.org/pub/scm/git/git.git",
        "git+ssh://host/repo",
        "file:///srv/git/engine.git",
        "git@github.com:ggerganov/llama.cpp.git",
        "user.name@host-1.example:path/to/repo",
    ],
)
def test_accepted_urls(url: str) -> None:
    source = check_url(url)
    assert source.url == url
    assert source.local == url.startswith("file:")


def test_local_paths_are_accepted_and_made_absolute(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    assert check_url(str(tmp_path / "code")).url == str(tmp_path / "code")
    source = check_url("code", cwd=tmp_path)
    assert source.url == str(tmp_path / "code") and source.local


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "empty"),
        ("-u", "'-'"),
        ("--upload-pack=touch /tmp/x", "'-'"),
        ("ext::sh -c touch% /tmp/pwned", "whitespace"),
        ("ext::sh", "::"),
        ("fd::17", "::"),
        ("foo+bar::https://host/x", "::"),
        ("ftp://host/repo", "unknown scheme"),
        ("javascript://host/x", "unknown scheme"),
        ("https://-oProxyCommand=x/repo", "'-'"),
        ("ssh://-oProxyCommand=touch%20x/repo", "'-'"),
        ("ssh://-user@host/repo", "'-'"),
        ("git@-oProxyCommand=x:repo", "unknown URL form"),
        ("git@host:-repo", "'-'"),
        ("https://host/repo name", "whitespace"),
        ("https://host/repo\n", "whitespace"),
        ("https://host/repo\x1b[31m", "control"),
        ("https://host/\u202erepo", "control"),
        ("https://host", "no repository"),
        ("https://host/", "no repository"),
        ("https:///repo", "no host"),
        ("file://otherhost/srv/repo", "file:///"),
        ("host:path/repo", "unknown URL form"),
        ("no/such/folder", "unknown URL form"),
    ],
)
def test_rejected_urls(url: str, reason: str) -> None:
    with pytest.raises(UrlError, match=reason.replace("(", r"\(")) as info:
        check_url(url)
    assert "\n" not in str(info.value) and "\x1b" not in str(info.value)


@given(st.text(max_size=60))
def test_check_url_only_ever_raises_url_error_and_accepts_nothing_dangerous(url: str) -> None:
    try:
        source = check_url(url, cwd=Path("/nonexistent-cwd"))
    except UrlError as error:
        assert "\n" not in str(error)
        return
    assert not source.url.startswith("-")
    assert not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in source.url)
    assert "::" not in source.url.split("/")[0] or source.url.startswith("/")


@given(st.sampled_from(["ext", "fd", "ssh", "https", "file", "x-y.z+w"]), st.text(max_size=20))
def test_any_transport_prefix_is_refused(transport: str, rest: str) -> None:
    with pytest.raises(UrlError):
        check_url(f"{transport}::{rest}")


@given(st.text(max_size=40))
def test_repo_names_from_any_url_are_plain_folder_names(url: str) -> None:
    name = repo_name_from_url(url)
    assert name is None or ("/" not in name and not name.startswith((".", "-")) and name.strip() == name)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/microsoft/DeepSpeed.git", "DeepSpeed"),
        ("https://github.com/microsoft/DeepSpeed/", "DeepSpeed"),
        ("git@github.com:ggerganov/llama.cpp.git", "llama.cpp"),
        ("git@host:repo", "repo"),
        ("file:///srv/git/Megatron-LM.git", "Megatron-LM"),
        ("/home/me/src/vllm", "vllm"),
        ("https://host/.git", None),
        ("https://host/-x", None),
        ("https://[::1/x.git", None),
    ],
)
def test_repo_name_from_url(url: str, name: str | None) -> None:
    assert repo_name_from_url(url) == name


# ---------------------------------------------------------------- adding a project


def test_add_creates_project_submodule_and_notes(kb: KB) -> None:
    upstream = _bare_copy(kb, "DeepSpeed.git")
    added = add_project(kb.workspace, str(upstream), clock=CLOCK)

    project = kb.workspace / "deepspeed"
    assert added.project == project and added.repo == project / "DeepSpeed"
    assert added.commit == kb.b and added.tag == f"v1.0-1-g{kb.b[:7]}"
    assert (project / "DeepSpeed" / "src" / "engine" / "core.py").is_file()
    names = [p.name for p in added.notes]
    assert names == ["overview.md", "architecture.md", "core-insights.md", "code-reading-log.md", "references.md"]
    assert all(p.parent == project / "notes" for p in added.notes)

    info = {s.path: s for s in submodules(kb.root)}["awesome/deepspeed/DeepSpeed"]
    assert info.url == str(upstream) and info.sha == kb.b and info.initialized
    status = git(kb.root, "status", "--porcelain").splitlines()
    assert "M  .gitmodules" in status and "A  awesome/deepspeed/DeepSpeed" in status

    overview = (project / "notes" / "overview.md").read_text()
    assert f"**Repository**: {upstream}\n" in overview
    assert f"**Commit**: `{kb.b}`\n" in overview
    assert f"**Tag**: v1.0-1-g{kb.b[:7]}\n" in overview
    assert "2026-03-04" in overview
    log = (project / "notes" / "code-reading-log.md").read_text()
    assert log.startswith("# Code reading log\n") and "## YYYY-MM-DD" in log
    for note in ("architecture.md", "core-insights.md", "references.md"):
        assert (project / "notes" / note).read_text().startswith("# DeepSpeed")

    loaded = load_workspace(kb.workspace).project("deepspeed")
    assert loaded.repo("DeepSpeed").kind == RepoKind.SUBMODULE and loaded.repo("DeepSpeed").head == kb.b

    # A fresh project's skeleton notes hold no citation that `check` would call broken.
    report = check(load_workspace(kb.workspace), project="deepspeed")
    assert report.broken == ()


def test_add_with_names_file_url_and_untagged_repo(kb: KB, tmp_path: Path) -> None:
    plain = tmp_path / "tagless"
    plain.mkdir()
    git(plain, "init", "-q")
    write(plain / "a.py", "x = 1\n")
    sha = commit_all(plain, "one")
    added = add_project(kb.project, f"file://{plain}", name="my-study", repo_name="Code", clock=CLOCK)
    assert added.project == kb.workspace / "my-study"  # found the workspace from a project folder
    assert added.commit == sha and added.tag is None
    assert "**Tag**: none\n" in (added.project / "notes" / "overview.md").read_text()


def test_first_project_of_an_empty_workspace(kb: KB) -> None:
    fresh = kb.root / "fresh"
    fresh.mkdir()
    added = add_project(fresh, str(kb.upstream), clock=CLOCK)
    assert added.project == fresh / "engine"
    assert load_workspace(fresh).project("engine").repo("engine").kind == RepoKind.SUBMODULE


def _assert_fails_without_trace(kb: KB, exc: type[BaseException], match: str | None, **call) -> None:
    before = _state(kb)
    modules_before = sorted(p.as_posix() for p in (kb.root / ".git" / "modules").rglob("*"))
    with pytest.raises(exc, match=match) as info:
        add_project(**{"start": kb.workspace, "clock": CLOCK, **call})
    if isinstance(info.value, ReadertuiError):
        assert "\n" not in str(info.value)
    assert _state(kb) == before
    assert sorted(p.as_posix() for p in (kb.root / ".git" / "modules").rglob("*")) == modules_before


def test_a_folder_that_is_not_a_repository_is_refused_in_plain_words(kb: KB, tmp_path: Path) -> None:
    (tmp_path / "notrepo").mkdir()
    (tmp_path / "not repo").mkdir()
    said: list[str] = []
    for url in (str(tmp_path / "notrepo"), f"file://{tmp_path / 'notrepo'}", f"file://{tmp_path / 'not%20repo'}"):
        _assert_fails_without_trace(kb, ReadertuiError, "is a folder but not a git repository", url=url,
                                    before_clone=lambda url, folder: said.append(url))
    assert said == []  # refused before git ran
    missing = f"file://{tmp_path / 'missing'}"  # no folder at all: git says so
    _assert_fails_without_trace(kb, ReadertuiError, "does not appear to be a git repository", url=missing)


def test_a_local_folder_is_checked_the_way_git_finds_repositories(kb: KB, tmp_path: Path) -> None:
    """git clones `X.git` when given `X`; a working tree, a bare repository and a `.git` file work."""
    _bare_copy(kb, "Engine.git")
    (kb.upstream.parent / "Engine").mkdir()  # a plain folder beside the bare repository
    added = add_project(kb.workspace, str(kb.upstream.parent / "Engine"), name="beside", clock=CLOCK)
    assert added.commit == kb.b


def test_unreachable_remote_leaves_no_trace(kb: KB) -> None:
    _assert_fails_without_trace(kb, ReadertuiError, "failed", url="https://127.0.0.1:9/nothing.git")


def test_bad_urls_and_names_run_nothing(kb: KB, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    _assert_fails_without_trace(kb, UrlError, "::", url=f"ext::touch%{marker}")
    assert not marker.exists()
    _assert_fails_without_trace(kb, UrlError, "'-'", url="--upload-pack=touch")
    _assert_fails_without_trace(kb, UrlError, "unknown scheme", url="ftp://host/x.git")
    _assert_fails_without_trace(kb, ReadertuiError, "--repo-name", url=str(kb.upstream), repo_name="../x")
    _assert_fails_without_trace(kb, ReadertuiError, "--name", url=str(kb.upstream), name="notes")
    _assert_fails_without_trace(kb, ReadertuiError, "--name", url=str(kb.upstream), name=".hidden")


def test_empty_names_are_refused_not_replaced_by_the_default(kb: KB) -> None:
    for option, call in (("--name", {"name": ""}), ("--repo-name", {"repo_name": ""}), ("--name", {"name": " "})):
        _assert_fails_without_trace(kb, ReadertuiError, f"the {option} given is empty", url=str(kb.upstream), **call)


def test_existing_project_folder_is_refused(kb: KB) -> None:
    _assert_fails_without_trace(kb, ReadertuiError, "already exists", url=str(kb.upstream), name="engine-study")


def test_empty_repository_is_rolled_back_after_the_submodule_was_added(kb: KB, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    _assert_fails_without_trace(kb, ReadertuiError, ".", url=str(empty))


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_failure_after_the_clone_is_rolled_back(kb: KB, monkeypatch, failure: BaseException) -> None:
    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(addmod, "write_notes", broken)
    _assert_fails_without_trace(kb, type(failure), None, url=str(kb.upstream), name="late")


def test_rollback_keeps_gitmodules_local_edits_and_staging(kb: KB) -> None:
    gitmodules = kb.root / ".gitmodules"
    gitmodules.write_text(gitmodules.read_text() + "# my unstaged comment\n")
    before = _state(kb)
    with pytest.raises(ReadertuiError):
        add_project(kb.workspace, "https://127.0.0.1:9/nothing.git", clock=CLOCK)
    assert _state(kb) == before


def test_not_inside_a_git_repository(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "old" / "notes").mkdir(parents=True)
    upstream = tmp_path / "up"
    upstream.mkdir()
    git(upstream, "init", "-q")
    write(upstream / "f", "x\n")
    commit_all(upstream, "one")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    with pytest.raises(ReadertuiError, match="not inside a git repository.*git -C"):
        add_project(workspace, str(upstream), clock=CLOCK)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_hooks_of_the_superproject_do_not_run(kb: KB, tmp_path: Path) -> None:
    marker = tmp_path / "hook-ran"
    for hook in ("post-checkout", "pre-commit", "post-index-change"):
        script = write(kb.root / ".git" / "hooks" / hook, f"#!/bin/sh\ntouch {marker}\n")
        script.chmod(0o755)
    add_project(kb.workspace, str(kb.upstream), name="hooked", clock=CLOCK)
    assert not marker.exists()


# ---------------------------------------------------------------- the command line


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readertui", "add", *args],
        cwd=cwd, capture_output=True, text=True, env=os.environ.copy(), timeout=60,
    )


def test_cli_add_success_and_failures(kb: KB, tmp_path: Path) -> None:
    done = _cli(str(kb.upstream), "--name", "cli-study", cwd=kb.project / "notes")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "cli-study" in done.stdout and "notes/overview.md" in done.stdout
    assert (kb.workspace / "cli-study" / "engine" / "README.md").is_file()
    # The hint says what is staged and how to commit all of it: run it, and nothing is left out.
    hint = done.stderr.splitlines()[-1]
    assert "the notes are not staged" in hint
    command = hint.split("`")[1]
    assert command.startswith(f"git -C {kb.root} add -- awesome/cli-study/notes && git -C {kb.root} commit -m ")
    subprocess.run(["sh", "-c", command], check=True, capture_output=True, env={
        **os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    })
    assert git(kb.root, "status", "--porcelain", "--", "awesome/cli-study") == ""
    committed = git(kb.root, "ls-tree", "-r", "--name-only", "HEAD", "--", "awesome/cli-study").splitlines()
    assert "awesome/cli-study/engine" in committed and "awesome/cli-study/notes/overview.md" in committed

    before = _state(kb)
    (tmp_path / "notrepo").mkdir()
    for args in ([f"file://{tmp_path / 'notrepo'}", str(kb.workspace)], ["--", "-oops", str(kb.workspace)],
                 [str(kb.upstream), str(kb.workspace), "--name", "cli-study"],
                 [str(tmp_path / "notrepo"), str(kb.workspace)], [str(kb.upstream), str(kb.workspace), "--name", ""]):
        failed = _cli(*args, cwd=tmp_path)
        assert failed.returncode == 2, failed.stderr
        assert "Traceback" not in failed.stderr
        errors = [line for line in failed.stderr.splitlines() if line.startswith("readertui: error:")]
        assert len(errors) == 1
        assert _state(kb) == before
        assert "cloning" not in failed.stderr  # refused before anything ran

    usage = _cli("--help", cwd=tmp_path)
    assert usage.returncode == 0 and "URL" in usage.stdout


ADD_THEN_SIGNAL = """
import os, signal, sys, time
from pathlib import Path
from readertui.core import add as addmod
from readertui.cli import main

real_write_notes = addmod.write_notes

def notes_then_signal(*args, **kwargs):
    written = real_write_notes(*args, **kwargs)  # the clone and the notes are there by now
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))
    time.sleep(30)  # the signal lands here, as it would mid-clone
    return written

addmod.write_notes = notes_then_signal
sys.exit(main(["add", sys.argv[2], "--name", "late", sys.argv[3]]))
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_during_add_roll_back_like_ctrl_c(kb: KB, name: str) -> None:
    before = _state(kb)
    done = subprocess.run(
        [sys.executable, "-c", ADD_THEN_SIGNAL, name, str(kb.upstream), str(kb.workspace)],
        cwd=kb.root, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 128 + getattr(signal, name), done.stderr
    assert "Traceback" not in done.stderr
    assert _state(kb) == before
    assert not (kb.root / ".git" / "modules" / "awesome" / "late").exists()
    rerun = _cli(str(kb.upstream), "--name", "late", str(kb.workspace), cwd=kb.root)
    assert rerun.returncode == 0, rerun.stderr


# A clone still busy when the signal comes: git runs this as its ssh, and it shrugs off every
# signal but SIGKILL (like a stalled network read, or git cleaning up a half-written clone).
SLOW_SSH = """#!/bin/sh
trap '' INT TERM HUP
echo $$ > "{mark}.tmp" && mv "{mark}.tmp" "{mark}"
exec sleep 300
"""

ADD_MID_CLONE = """
import signal, sys
from readertui.cli import main

signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, whatever started us
sys.exit(main(["add", *sys.argv[1:]]))
"""


def _running(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for init to reap it runs no more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc here: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rpartition(b")")[2].split()[0] not in (b"Z", b"X")


@pytest.mark.parametrize(("name", "whole_group"), [("SIGTERM", False), ("SIGINT", True), ("SIGHUP", True)])
def test_signal_mid_clone_stops_git_and_all_it_started_then_rolls_back(
    kb: KB, tmp_path: Path, name: str, whole_group: bool
) -> None:
    """`kill PID` signals readertui alone; a terminal's Ctrl-C or hangup signals its whole job."""
    mark = tmp_path / "ssh-started"
    slow_ssh = write(tmp_path / "slow-ssh", SLOW_SSH.format(mark=mark))
    slow_ssh.chmod(0o755)
    env = {**os.environ, "GIT_SSH_COMMAND": str(slow_ssh), "GIT_SSH_VARIANT": "simple"}
    before = _state(kb)
    signum = getattr(signal, name)
    process = subprocess.Popen(
        [sys.executable, "-c", ADD_MID_CLONE, "ssh://localhost/srv/engine.git", "--name", "mid", str(kb.workspace)],
        cwd=kb.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    ssh_pid = None
    try:
        deadline = time.monotonic() + 60
        while not mark.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "git never started its ssh"
            time.sleep(0.05)
        ssh_pid = int(mark.read_text())
        assert (kb.root / ".git" / "modules" / "awesome" / "mid" / "engine").is_dir()  # the clone began
        (os.killpg if whole_group else os.kill)(process.pid, signum)
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 128 + signum, err
        assert "Traceback" not in err
        assert err.splitlines()[-1] == f"readertui: add interrupted ({name}): nothing was added"
        # Everything git started is gone by the time readertui exits, so nothing writes into
        # what the rollback removed ...
        assert not _running(ssh_pid)
        # ... and it removed everything, `.git/modules/awesome/mid/` too.
        assert _state(kb) == before
        assert not (kb.root / ".git" / "modules" / "awesome" / "mid").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if ssh_pid is not None and _running(ssh_pid):
            os.kill(ssh_pid, signal.SIGKILL)


def test_only_the_first_signal_interrupts_and_an_ignored_one_stays_ignored() -> None:
    """A second Ctrl-C during the rollback cannot cut it short; under `nohup` a hangup does nothing."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers are set in the main thread only")
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(addmod.Terminated) as info, addmod._signals_as_interrupts():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            except addmod.Terminated:
                os.kill(os.getpid(), signal.SIGINT)  # held while the rollback runs
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.2)
                raise
        assert info.value.signum == signal.SIGTERM
        assert {signum: signal.getsignal(signum) for signum in handlers} == handlers
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_an_interrupted_add_says_what_it_put_back_or_could_not() -> None:
    from readertui.core.add import Interrupted

    assert str(Interrupted(signal.SIGHUP, [])) == "add interrupted (SIGHUP): nothing was added"
    failed = Interrupted(signal.SIGTERM, ["remove awesome/mid: permission denied"])
    assert str(failed) == "add interrupted (SIGTERM): cleaning up failed: remove awesome/mid: permission denied"
    assert isinstance(failed, KeyboardInterrupt) and failed.signum == signal.SIGTERM

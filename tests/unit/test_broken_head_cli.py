"""A submodule whose HEAD is unusable, a held superproject index.lock and an unreachable remote:
every command says the real cause in one line (QA's findings on the CLI), never a codec error,
"no such file", "missing" or "already there" built on a guess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core.git import head_problem, read_head
from readertui.core.workspace import find_workspace
from tests.gitfixtures import KB, build_kb, git

NOTE = "# Overview\n\nStep: `Engine/src/engine/core.py:9-12`, save `src/engine/core.py:14-16`.\n"


@pytest.fixture
def kb_cited(tmp_path: Path) -> KB:
    return build_kb(tmp_path, {"overview.md": NOTE, "code-reading-log.md": "# Code reading log\n"})


def head_file(kb: KB) -> Path:
    """The submodule's HEAD file in the superproject's `.git/modules/` (what QA garbled)."""
    return kb.root / ".git" / "modules" / "awesome" / "engine-study" / "Engine" / "HEAD"


def test_the_head_file_is_the_submodules(kb_readonly: KB) -> None:
    assert Path(git(kb_readonly.submodule, "rev-parse", "--absolute-git-dir")) / "HEAD" == head_file(kb_readonly)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_non_utf8_head_is_named_by_every_command(kb_cited: KB, capsys) -> None:
    head_file(kb_cited).write_bytes(b"\xff\xfegarbage\n")
    assert read_head(kb_cited.submodule) is None  # no UnicodeDecodeError (the TUI's traceback)
    assert find_workspace(kb_cited.workspace).project("engine-study") is not None
    ws = str(kb_cited.workspace)
    runs = {
        "check": ("check", ws),
        "log": ("log", "--path", ws, "--project", "engine-study", "--cite", "Engine/src/engine/core.py:9", "x"),
        "update": ("update", "engine-study", ws, "--dry-run"),
        "symbols": ("symbols", ws, "step"),
    }
    for name, args in runs.items():
        code, out, err = cli(capsys, *args)
        said = out + err
        assert code == 2, name
        assert str(head_file(kb_cited)) in said and "is garbled (not UTF-8 text" in said, name
        assert "codec" not in said and "Traceback" not in said, name
    code, _, err = cli(capsys, "bookmarks", ws)  # listing bookmarks needs no HEAD
    assert code == 0 and "codec" not in err


def test_an_empty_head_says_empty(kb_cited: KB, capsys) -> None:
    head_file(kb_cited).write_bytes(b"")
    problem = head_problem(kb_cited.submodule)
    assert problem is not None and problem.endswith("HEAD is empty (it should name a commit or a branch)")
    code, out, err = cli(capsys, "update", "engine-study", str(kb_cited.workspace), "--dry-run")
    assert code == 2 and "HEAD is empty" in err and "no message" not in out + err


def test_a_head_on_a_missing_branch_names_the_branch(kb_cited: KB, capsys) -> None:
    from readertui.core.git import no_commit_reason

    head_file(kb_cited).write_text("ref: refs/heads/nonexist\n")
    assert head_problem(kb_cited.submodule) is None  # a new repository looks the same: no error to open
    assert no_commit_reason(kb_cited.submodule).endswith("HEAD names branch 'nonexist', which has no commit")
    ws = str(kb_cited.workspace)
    code, _, err = cli(capsys, "log", "--path", ws, "--project", "engine-study", "--cite", "Engine/src/engine/core.py:9", "x")
    assert code == 2 and "names branch 'nonexist', which has no commit" in err and "no such file" not in err
    code, _, err = cli(capsys, "log", "--path", ws, "--project", "engine-study", "--cite", "src/engine/core.py:9", "x")
    assert code == 2 and "names branch 'nonexist'" in err
    # git's status calls every tracked file new then: not "uncommitted changes"
    code, _, err = cli(capsys, "update", "engine-study", ws, "--dry-run")
    assert code == 2 and "names branch 'nonexist', which has no commit" in err and "uncommitted" not in err


@pytest.mark.parametrize("head", [b"\xff\xfegarbage\n", b"garbage\n", b"", b"ref: refs/heads/nonexist\n"])
def test_check_reports_the_repo_once_and_no_citation_missing(kb_cited: KB, capsys, head: bytes) -> None:
    head_file(kb_cited).write_bytes(head)
    code, out, err = cli(capsys, "check", str(kb_cited.workspace))
    assert code == 2, out + err
    lines = out.splitlines()
    problems = [line for line in lines if ": unreadable: " in line]
    assert len(problems) == 1 and str(head_file(kb_cited)) in problems[0]
    assert problems[0].startswith("engine-study/Engine: unreadable: repository engine-study/Engine cannot be read")
    assert "missing" not in out and "no file matches" not in out
    code, out, _ = cli(capsys, "check", str(kb_cited.workspace), "--format", "json")
    report = json.loads(out)
    assert code == 2 and report["citations"] == []
    assert [problem["status"] for problem in report["problems"]] == ["unreadable"]


def test_symbols_says_the_repo_could_not_be_read(kb_cited: KB, capsys) -> None:
    head_file(kb_cited).write_text("garbage\n")
    code, _, err = cli(capsys, "symbols", str(kb_cited.workspace), "step")
    assert code == 2 and "engine-study/Engine cannot be read" in err and "HEAD is garbled" in err
    assert "no definition matches" not in err and err.count("\n") == 1


# ---------------------------------------------------------------- add and the index.lock


def _kb_state(kb: KB) -> dict[str, object]:
    return {
        "index": git(kb.root, "ls-files", "-s"),
        "gitmodules": (kb.root / ".gitmodules").read_bytes(),
        "config": (kb.root / ".git" / "config").read_bytes(),
        "projects": sorted(p.name for p in kb.workspace.iterdir()),
        "modules": sorted(p.name for p in (kb.root / ".git" / "modules" / "awesome").iterdir()),
    }


def test_add_refuses_while_the_superprojects_index_is_locked(kb: KB, capsys) -> None:
    lock = kb.root / ".git" / "index.lock"
    lock.write_text("")
    before = _kb_state(kb)
    code, out, err = cli(capsys, "add", str(kb.upstream), str(kb.workspace), "--name", "second")
    assert code == 2 and err.count("\n") == 1
    assert str(lock) in err and "another git process holds" in err and "Nothing was changed" in err
    assert "cleaning up also failed" not in err and "cloning" not in err  # refused before the clone
    assert _kb_state(kb) == before and lock.exists()
    lock.unlink()
    assert cli(capsys, "add", str(kb.upstream), str(kb.workspace), "--name", "second")[0] == 0


def test_a_lock_taken_during_the_clone_is_cleaned_up_without_a_false_alarm(kb: KB) -> None:
    from readertui.core.add import add_project
    from readertui.core.errors import ReadertuiError

    lock = kb.root / ".git" / "index.lock"
    before = _kb_state(kb)
    with pytest.raises(ReadertuiError) as failed:
        add_project(kb.workspace, str(kb.upstream), name="second", before_clone=lambda *_: lock.write_text(""))
    message = str(failed.value)
    assert "index.lock" in message and "nothing was changed" in message
    assert "cleaning up also failed" not in message  # nothing was staged: nothing to unstage
    lock.unlink()
    assert _kb_state(kb) == before


# ---------------------------------------------------------------- update with the remote away


def test_update_yes_refuses_when_the_remote_cannot_be_reached(kb_cited: KB, capsys) -> None:
    sub = kb_cited.submodule
    git(sub, "update-ref", "refs/remotes/origin/HEAD", kb_cited.a)  # a stale local idea: "already there"
    git(sub, "remote", "set-url", "origin", "/nonexistent")
    ws = str(kb_cited.workspace)
    code, out, err = cli(capsys, "update", "engine-study", ws, "--yes")
    assert code == 2 and err.count("\n") == 1 and "already there" not in out
    assert "could not be reached" in err and "'/nonexistent' does not appear to be a git repository" in err
    assert "origin's default branch is not known" in err and "--to REF" in err
    assert git(sub, "rev-parse", "HEAD") == kb_cited.a
    # asked (no terminal here): the plan says it stands on local refs only, and why
    code, out, _ = cli(capsys, "update", "engine-study", ws)
    assert "from local refs only: the remote could not be reached" in out and "/nonexistent" in out
    # a dry run still says it fetched nothing, not that the remote failed
    code, out, _ = cli(capsys, "update", "engine-study", ws, "--dry-run")
    assert code == 0 and "as known locally: a dry run fetches nothing" in out and "reached" not in out
    # an explicit ref known locally needs no remote, even with --yes
    assert cli(capsys, "update", "engine-study", ws, "--to", kb_cited.a, "--yes")[0] == 0
    code, _, err = cli(capsys, "update", "engine-study", ws, "--to", "no-such-tag", "--yes")
    assert code == 2 and "unknown ref 'no-such-tag'" in err and "could not be reached" in err


def test_the_resolver_names_the_repo_once(kb_cited: KB) -> None:
    """The reader's notification for a citation into such a repo: `Engine: <HEAD> is garbled`,
    not `Engine: <work tree>: <HEAD> is garbled`."""
    from readertui.core.resolve import Resolver
    from readertui.core.workspace import load_workspace

    head_file(kb_cited).write_bytes(b"\xff\xfegarbage\n")
    workspace = load_workspace(kb_cited.workspace)
    project = workspace.project("engine-study")
    results = Resolver(workspace, project).resolve_note(project.notes_dir / "overview.md")
    details = {result.detail for result in results}
    assert details and all(
        f"Engine: {head_file(kb_cited)} is garbled" in detail and f"{kb_cited.submodule}: " not in detail
        for detail in details
    ), details

"""`readertui update` end to end on the kb fixture (submodule at A, upstream at B)."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core import bookmarks as bookmark_store
from readertui.core import update as update_module
from readertui.core.citations import scan_note
from readertui.core.errors import NoteError, WorkspaceError
from readertui.core.git import GitRepo
from readertui.core.model import LineRange, Project, Repo, RepoKind, Status
from readertui.core.resolve import Resolver
from readertui.core.update import (
    PlanOutdated,
    UpdateOptions,
    apply_update,
    choose_repo,
    plan_update,
    resolve_target,
)
from readertui.core.workspace import find_workspace
from tests.gitfixtures import KB, build_kb, git, write

OVERVIEW = """# Engine overview

The class `src/engine/core.py:4-7` sets things up.
The step loop `src/engine/core.py:9-12` computes the loss.
Queue constants `src/util/queue.ts:3-4`, and by basename `queue.ts:5`.
Gone: `src/old.py:1-2`.
One line `src/engine/core.py:14` and two ranges `src/engine/core.py:5-6, 14-16`.
Canonical `Engine/src/engine/core.py:14-16`, untouched `README.md:1`.
Pinned https://github.com/o/engine/blob/{a}/src/engine/core.py#L14-L16 stays.
"""

CHINESE_CRLF = "# 笔记\r\n\r\n初始化见 `src/engine/core.py:5`（构造函数），保存见 `src/engine/core.py:14-16`。\r\n"

DECLARED = """# Pinned notes

**Commit**: `{a7}`

Save is `src/engine/core.py:14-16`.

## Later section

> based on commit `{a7}`

Step is `src/engine/core.py:9-12`, init `src/engine/core.py:5-7`.
"""


@pytest.fixture
def kb_notes(tmp_path: Path) -> KB:
    kb = build_kb(tmp_path, {"code-reading-log.md": "# Code reading log\n"})
    notes = kb.project / "notes"
    write(notes / "overview.md", OVERVIEW.format(a=kb.a))
    write(notes / "chinese.md", CHINESE_CRLF)
    write(notes / "declared.md", DECLARED.format(a7=kb.a[:7]))
    write_bookmarks(kb)
    return kb


def write_bookmarks(kb: KB) -> None:
    project = find_workspace(kb.workspace).project("engine-study")
    assert project is not None
    core = GitRepo(kb.submodule).read_file("src/engine/core.py", kb.a).decode().splitlines()
    when = datetime(2026, 1, 2, tzinfo=timezone.utc)
    save = bookmark_store.new_bookmark("Engine", "src/engine/core.py", LineRange(14, 16), "save", kb.a, core[13:16], created=when)
    step = bookmark_store.new_bookmark("Engine", "src/engine/core.py", LineRange(9, 12), "step", kb.a, core[8:12], (save,), when)
    bookmark_store.load(project)
    bookmark_store.save(project, (save, step))


def note(kb: KB, name: str) -> bytes:
    return (kb.project / "notes" / name).read_bytes()


def all_notes(kb: KB) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((kb.project / "notes").iterdir())}


def head(kb: KB) -> str:
    return git(kb.submodule, "rev-parse", "HEAD")


def run(kb: KB, *args: str) -> int:
    return main(["update", "engine-study", str(kb.workspace), *args])


def test_dry_run_prints_the_plan_and_changes_nothing(kb_notes, capsys):
    before = all_notes(kb_notes)
    assert run(kb_notes, "--dry-run") == 1  # some citations need a human
    out = capsys.readouterr().out
    assert "v1.0" in out and "1 commit" in out
    moved = out.split("Moved (exact, will be rewritten)")[1].split("Changed")[0]
    assert "overview.md:3  src/engine/core.py:4-7 → 9-12" in moved
    assert "src/util/work_queue.ts 3-4" in moved
    changed = out.split("Changed (need a human)")[1].split("Orphaned")[0]
    assert "src/engine/core.py:9-12 → 14-17 (confidence 0." in changed
    # the first line that differs, not the unchanged `def step` both start with
    assert "old: loss = self.model(batch)\n" in changed and "new: loss = self.model(batch) * self.scale" in changed
    assert "src/old.py:1-2" in out.split("Orphaned")[1]
    assert "queue.ts:5" in out.split("Renamed, cited by a partial path")[1]
    assert "Dry run: nothing changed." in out
    assert all_notes(kb_notes) == before
    assert head(kb_notes) == kb_notes.a


def test_apply_rewrites_only_the_digits_moves_bookmarks_and_logs(kb_notes, capsys):
    assert run(kb_notes, "--yes") == 1
    assert head(kb_notes) == kb_notes.b
    overview = note(kb_notes, "overview.md").decode()
    assert overview == OVERVIEW.format(a=kb_notes.a).replace(
        "`src/engine/core.py:4-7`", "`src/engine/core.py:9-12`"
    ).replace("`src/util/queue.ts:3-4`", "`src/util/work_queue.ts:3-4`").replace(
        "`src/engine/core.py:14` and two ranges `src/engine/core.py:5-6, 14-16`",
        "`src/engine/core.py:19` and two ranges `src/engine/core.py:10-11, 19-21`",
    ).replace("`Engine/src/engine/core.py:14-16`", "`Engine/src/engine/core.py:19-21`").replace(
        # left for a human: pinned to A, so their old numbers are not read in B's code
        "loop `src/engine/core.py:9-12`", f"loop `src/engine/core.py:9-12` @ `{kb_notes.a[:7]}`"
    ).replace("`queue.ts:5`", f"`queue.ts:5` @ `{kb_notes.a[:7]}`").replace(
        "`src/old.py:1-2`", f"`src/old.py:1-2` @ `{kb_notes.a[:7]}`"
    )
    workspace = find_workspace(kb_notes.workspace)
    results = Resolver(workspace, workspace.project("engine-study")).resolve_note(
        kb_notes.project / "notes" / "overview.md"
    )
    left = {r.citation.text: r for r in results if r.citation.commit is not None and r.citation.form != "permalink"}
    assert sorted(left) == ["queue.ts:5", "src/engine/core.py:9-12", "src/old.py:1-2"]
    assert all(r.status is not Status.OK and r.commit == kb_notes.a for r in left.values())  # check flags them
    assert note(kb_notes, "chinese.md") == CHINESE_CRLF.replace(":5`", ":10`").replace(":14-16`", ":19-21`").encode()
    # Declared notes stay pinned to A without --rewrite-commits.
    assert note(kb_notes, "declared.md").decode() == DECLARED.format(a7=kb_notes.a[:7])
    project = find_workspace(kb_notes.workspace).project("engine-study")
    marks, problems = bookmark_store.load(project)
    assert not problems
    by_label = {mark.label: mark for mark in marks}
    assert (by_label["save"].range, by_label["save"].commit) == (LineRange(19, 21), kb_notes.b)
    assert (by_label["step"].range, by_label["step"].commit) == (LineRange(9, 12), kb_notes.a)
    log = note(kb_notes, "code-reading-log.md").decode()
    assert f"Updated Engine: {kb_notes.a[:7]} (v1.0) → {kb_notes.b[:7]}, 1 commit." in log
    assert "src/old.py (deleted)" in log and "src/util/queue.ts → src/util/work_queue.ts (renamed)" in log
    assert "Need a human (3):" in log and "overview.md at 4: src/engine/core.py 9-12 — cited lines changed" in log
    assert f"Bookmarks left at {kb_notes.a[:7]} for a human: step (src/engine/core.py 9-12)." in log
    assert f"**Commit**: `{kb_notes.b[:7]}`" in log
    # The entry is prose: it adds no citation with line numbers to the log.
    assert not [c for c in scan_note(log).citations if c.ranges]
    assert "Applied: Engine is at" in capsys.readouterr().out


def test_rewrite_commits_moves_a_declaration_only_when_all_its_citations_are_exact(kb_notes):
    assert run(kb_notes, "--yes", "--rewrite-commits") == 1
    b7 = kb_notes.b[:7]
    expected = DECLARED.format(a7=kb_notes.a[:7]).replace(
        f"**Commit**: `{kb_notes.a[:7]}`", f"**Commit**: `{b7}`", 1
    ).replace("Save is `src/engine/core.py:14-16`", "Save is `src/engine/core.py:19-21`")
    assert note(kb_notes, "declared.md").decode() == expected  # the second section keeps A


def test_accept_changed_takes_the_candidates(kb_notes):
    assert run(kb_notes, "--yes", "--accept-changed") == 1  # orphaned and partial path remain
    assert "The step loop `src/engine/core.py:14-17`" in note(kb_notes, "overview.md").decode()


def test_not_a_terminal_is_a_no(kb_notes, capsys, monkeypatch):
    before = all_notes(kb_notes)
    assert run(kb_notes) == 1
    assert "no terminal to confirm on" in capsys.readouterr().err
    assert all_notes(kb_notes) == before and head(kb_notes) == kb_notes.a


def test_dirty_submodule_is_refused(kb_notes, capsys):
    write(kb_notes.submodule / "README.md", "# Engine, edited\n")
    before = all_notes(kb_notes)
    assert run(kb_notes, "--yes") == 2
    err = capsys.readouterr().err.strip()
    assert "uncommitted changes" in err and "Nothing was changed" in err and "\n" not in err
    assert all_notes(kb_notes) == before and head(kb_notes) == kb_notes.a


def test_unknown_ref_is_one_line_exit_2(kb_notes, capsys):
    assert run(kb_notes, "--to", "no-such-tag", "--yes") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown ref 'no-such-tag'" in err
    assert head(kb_notes) == kb_notes.a


def test_nothing_to_do(kb_notes, capsys):
    assert run(kb_notes, "--to", kb_notes.a[:10]) == 0
    assert "already there, nothing to do" in capsys.readouterr().out


def test_offline_uses_local_refs(kb_notes, capsys):
    git(kb_notes.submodule, "remote", "set-url", "origin", str(kb_notes.root / "nowhere"))
    _, how = resolve_target(GitRepo(kb_notes.submodule), None, fetch=True)
    assert how.startswith("origin/HEAD, from local refs only: the remote could not be reached (fatal: ")
    # an origin/… ref named by hand is the remote's too: the same words (QA: "already there")
    _, how = resolve_target(GitRepo(kb_notes.submodule), "origin/main", fetch=True)
    assert how.startswith("origin/main, from local refs only (the remote could not be reached: fatal: ")
    assert resolve_target(GitRepo(kb_notes.submodule), kb_notes.a, fetch=True)[1] == kb_notes.a  # no fetch
    # a dry run does not try: it says so, rather than blame the remote
    assert run(kb_notes, "--dry-run") == 1
    assert "as known locally: a dry run fetches nothing" in capsys.readouterr().out


def test_a_dry_run_that_finds_nothing_says_it_did_not_fetch(kb_notes, capsys):
    git(kb_notes.submodule, "update-ref", "refs/remotes/origin/HEAD", kb_notes.a)
    assert run(kb_notes, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "a dry run fetches nothing" in out and "already there, nothing to do" in out


def plan_for(kb: KB, options: UpdateOptions = UpdateOptions()):
    workspace = find_workspace(kb.workspace)
    project = workspace.project("engine-study")
    repo = choose_repo(project, None)
    gitrepo = GitRepo(repo.path)
    return plan_update(workspace, project, repo, gitrepo, kb.b, options), gitrepo


def test_note_edited_between_plan_and_apply_is_never_clobbered(kb_notes):
    plan, gitrepo = plan_for(kb_notes)
    path = kb_notes.project / "notes" / "overview.md"
    path.write_bytes(path.read_bytes() + b"\nA thought added while the plan was on screen.\n")
    edited = path.read_bytes()
    with pytest.raises(PlanOutdated):
        apply_update(plan, gitrepo)
    assert path.read_bytes() == edited and head(kb_notes) == kb_notes.a


def test_the_command_replans_when_a_note_changes(kb_notes, monkeypatch, capsys):
    real_apply = update_module.apply_update
    calls = []

    def edit_then_apply(plan, gitrepo, *args, **kwargs):
        calls.append(plan)
        if len(calls) == 1:
            path = kb_notes.project / "notes" / "overview.md"
            path.write_bytes(path.read_bytes() + "追加的一行\n".encode())
        return real_apply(plan, gitrepo, *args, **kwargs)

    monkeypatch.setattr("readertui.commands.update.apply_update", edit_then_apply)
    assert run(kb_notes, "--yes") == 1
    assert len(calls) == 2
    assert "planning again" in capsys.readouterr().err
    text = note(kb_notes, "overview.md").decode()
    assert text.endswith("追加的一行\n") and "`src/engine/core.py:9-12` sets" in text


def test_failure_midway_restores_every_byte_and_the_checkout(kb_notes, monkeypatch):
    before = all_notes(kb_notes)
    plan, gitrepo = plan_for(kb_notes)

    def broken_log(*args, **kwargs):
        raise NoteError("disk full")

    monkeypatch.setattr(update_module, "log_entry", broken_log)
    with pytest.raises(NoteError, match="disk full"):
        apply_update(plan, gitrepo)
    assert all_notes(kb_notes) == before and head(kb_notes) == kb_notes.a


def test_a_note_commit_missing_from_the_repo_says_how_to_fetch(kb_notes, capsys):
    write(kb_notes.project / "notes" / "shallow.md", "**Commit**: `deadbee`\n\n`src/engine/core.py:3`\n")
    run(kb_notes, "--dry-run")
    warning = [line for line in capsys.readouterr().out.splitlines() if "shallow.md" in line and "warning" in line]
    assert warning and "git" in warning[0] and "fetch" in warning[0]


def test_several_repos_need_repo_name(tmp_path):
    repos = (
        Repo("A", tmp_path / "A", RepoKind.NESTED_GIT),
        Repo("B", tmp_path / "B", RepoKind.SUBMODULE),
        Repo("docs", tmp_path / "docs", RepoKind.PLAIN),
    )
    project = Project("p", tmp_path, repos, tmp_path / "notes")
    with pytest.raises(WorkspaceError, match="several repositories .*--repo NAME"):
        choose_repo(project, None)
    assert choose_repo(project, "B").name == "B"
    with pytest.raises(WorkspaceError, match="no git repository 'docs'"):
        choose_repo(project, "docs")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "applied"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_a_terminal_answer_decides(kb_notes, monkeypatch, capsys, answer, applied):
    monkeypatch.setattr("sys.stdin", FakeTerminal(answer))
    assert run(kb_notes) == 1  # applied with citations for a human, or not applied
    assert "Apply this plan? [y/N]" in capsys.readouterr().out
    assert head(kb_notes) == (kb_notes.b if applied else kb_notes.a)

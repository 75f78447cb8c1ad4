"""A notes folder (or code folder) that cannot be read, or a notes folder or note leading
outside the workspace: every command says so on one line and exits 2, never a traceback and
never a silent pass. Tests run as root, whom chmod 000 does not stop: the kernel's refusal is
simulated for one folder (`_deny`); the real chmod runs when the tests run as another user."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readertui.core import bookmarks as store
from readertui.core.check import check, report_github
from readertui.core.errors import NoteError
from readertui.core.model import Status
from readertui.core.notes import edit
from readertui.core.workspace import load_workspace, note_files

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def readertui(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("readertui: error: "), proc.stderr
    return lines[0]


def _workspace(tmp_path: Path) -> Path:
    """ws/p: a plain code folder `code/` (a.py, sub/b.py) and notes citing both."""
    ws = tmp_path / "ws"
    (ws / "p/code/sub").mkdir(parents=True)
    (ws / "p/notes").mkdir()
    (ws / "p/code/a.py").write_text("a = 1\n")
    (ws / "p/code/sub/b.py").write_text("b = 2\n")
    (ws / "p/notes/overview.md").write_text(
        "`code/a.py:1` and `code/sub/b.py:1`, [b](../code/sub/b.py#L1)\n"
    )
    (ws / "p/notes/bookmarks.toml").write_text(
        '[[bookmark]]\nid = "abcd1234"\nrepo = "code"\npath = "a.py"\nstart = 1\nend = 1\n'
        'label = "outside mark"\ncreated = 2026-12-01T10:00:00+00:00\n'
    )
    return ws


def _deny(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """`folder` behaves as chmod 000 for root: not listed, nothing inside reached."""
    folder = folder.absolute()

    def refuse(path: object) -> None:
        if isinstance(path, int):
            return
        name = Path(os.fsdecode(path)).absolute()  # type: ignore[arg-type]
        if folder in name.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(name))

    real_scandir, real_stat, real_lstat, real_open = os.scandir, os.stat, os.lstat, os.open

    def scandir(path=".", *args, **kwargs):  # type: ignore[no-untyped-def]
        if not isinstance(path, int) and Path(os.fsdecode(path)).absolute() == folder:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        refuse(path)
        return real_scandir(path, *args, **kwargs)

    def stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        refuse(path)
        return real_stat(path, *args, **kwargs)

    def lstat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        refuse(path)
        return real_lstat(path, *args, **kwargs)

    def open_(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        refuse(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "lstat", lstat)
    monkeypatch.setattr(os, "open", open_)


# ---- 2: writing into a notes folder that cannot be read


def test_a_log_entry_into_an_unreadable_notes_folder_is_a_note_error(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    _deny(monkeypatch, ws / "p/notes")
    with pytest.raises(NoteError, match="notes folder .*Permission denied"):
        edit(ws / "p/notes/code-reading-log.md", lambda old: old + b"- entry\n", inside=ws)


def test_bookmarks_in_an_unreadable_notes_folder_are_refused_with_the_reason(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    project = load_workspace(ws).projects[0]
    _deny(monkeypatch, ws / "p/notes")
    marks, problems = store.load(project)
    assert marks == ()
    assert [str(problem) for problem in problems] == [f"{ws / 'p/notes'}: cannot read the notes folder: Permission denied"]
    with pytest.raises(NoteError, match="Permission denied"):
        store.save(project, ())


@pytest.mark.skipif(AS_ROOT, reason="root reads a chmod 000 folder")
def test_log_and_bookmarks_cli_in_a_chmod_000_notes_folder(tmp_path):
    ws = _workspace(tmp_path)
    (ws / "p/notes").chmod(0)
    try:
        assert "Permission denied" in one_line_error(readertui("log", "--path", ".", "hi", cwd=ws / "p"))
        assert "Permission denied" in one_line_error(readertui("bookmarks", ".", cwd=ws / "p"))
    finally:
        (ws / "p/notes").chmod(0o755)


# ---- 3: check, a plain code folder that cannot be read


def test_check_reports_an_unreadable_code_folder_and_does_not_call_its_citations_missing(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    _deny(monkeypatch, ws / "p/code/sub")
    report = check(load_workspace(ws))
    assert [(p.path, p.status, p.detail) for p in report.problems] == [
        (ws / "p/code/sub", "unreadable", "cannot read the folder: Permission denied; citations into it are not checked")
    ]
    statuses = {r.citation.text: r.status for r in report.results}
    assert statuses == {
        "code/a.py:1": Status.OK,
        "code/sub/b.py:1": Status.UNREADABLE,
        "[b](../code/sub/b.py#L1)": Status.UNREADABLE,
    }
    assert all("sub" in r.detail and "Permission denied" in r.detail for r in report.results if r.status is Status.UNREADABLE)


def test_check_with_the_whole_code_folder_unreadable(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    _deny(monkeypatch, ws / "p/code")
    workspace = load_workspace(ws)  # (its `.git` cannot be looked for: a plain folder)
    report = check(workspace)
    assert [(p.path, p.status) for p in report.problems] == [(ws / "p/code", "unreadable")]
    assert {r.status for r in report.results} == {Status.UNREADABLE}


def test_a_listed_file_that_cannot_be_opened_is_unreadable_not_missing(tmp_path, monkeypatch):
    """chmod 000 on one file in a readable folder (simulated for root: `open` refuses it)."""
    import builtins

    ws = _workspace(tmp_path)
    locked = str((ws / "p/code/a.py").resolve())
    real_open = builtins.open

    def refusing_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", locked)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    report = check(load_workspace(ws))
    statuses = {r.citation.text: (r.status, r.detail) for r in report.results}
    status, detail = statuses["code/a.py:1"]
    assert status is Status.UNREADABLE and "Permission denied" in detail
    assert statuses["code/sub/b.py:1"][0] is Status.OK


def test_a_missing_file_beside_an_unreadable_folder_is_still_missing(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    (ws / "p/notes/overview.md").write_text("`code/gone/c.py:1`\n")
    _deny(monkeypatch, ws / "p/code/sub")
    report = check(load_workspace(ws))
    assert [r.status for r in report.results] == [Status.MISSING]


@pytest.mark.skipif(AS_ROOT, reason="root reads a chmod 000 folder")
def test_check_cli_with_a_chmod_000_code_folder(tmp_path):
    ws = _workspace(tmp_path)
    (ws / "p/code/sub").chmod(0)
    try:
        proc = readertui("check", ".", cwd=ws)
    finally:
        (ws / "p/code/sub").chmod(0o755)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "p/code/sub: unreadable: cannot read the folder: Permission denied" in proc.stdout
    assert "missing" not in proc.stdout


# ---- 4: a notes folder, or a note, leading outside the workspace


def _outside_notes(tmp_path: Path) -> Path:
    ws = _workspace(tmp_path)
    outside = tmp_path / "elsewhere"
    (ws / "p/notes").rename(outside)
    (ws / "p/notes").symlink_to(outside)
    return ws


def test_a_notes_folder_leading_outside_is_refused_by_check(tmp_path):
    ws = _outside_notes(tmp_path)
    proc = readertui("check", ".", cwd=ws)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"p/notes: outside-workspace: the notes folder leads outside the workspace (to {tmp_path / 'elsewhere'})" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "0 citations; 1 not checked (listed above)"
    github = readertui("check", ".", "--format", "github", cwd=ws)
    assert github.returncode == 2
    assert github.stdout.splitlines()[-1] == "::notice::readertui check: 0 citations; 1 not checked (annotated)"


def test_a_notes_folder_leading_outside_lists_no_notes_and_no_bookmarks(tmp_path):
    ws = _outside_notes(tmp_path)
    project = load_workspace(ws).projects[0]
    assert note_files(project) == []
    marks, problems = store.load(project)
    assert marks == () and "leads outside the workspace" in str(problems[0])
    message = one_line_error(readertui("bookmarks", ".", cwd=ws / "p"))
    assert "leads outside the workspace" in message and "outside mark" not in message


def test_a_bookmarks_file_leading_outside_is_not_read(tmp_path):
    ws = _workspace(tmp_path)
    outside = tmp_path / "marks.toml"
    (ws / "p/notes/bookmarks.toml").rename(outside)
    (ws / "p/notes/bookmarks.toml").symlink_to(outside)
    marks, problems = store.load(load_workspace(ws).projects[0])
    assert marks == () and "leads outside the workspace" in str(problems[0])


def test_check_says_which_note_leads_outside(tmp_path):
    ws = _workspace(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("`code/a.py:1`\n")
    (ws / "p/notes/linked.md").symlink_to(secret)
    workspace = load_workspace(ws)
    report = check(workspace)
    assert [(p.path, p.status) for p in report.problems] == [(ws / "p/notes/linked.md", "outside-workspace")]
    assert str(secret) in report.problems[0].detail
    assert {r.note.name for r in report.results} == {"overview.md"}
    assert report_github(report, workspace, cwd=ws).splitlines()[-1].endswith("; 1 not checked (annotated)")
    proc = readertui("check", ".", "--format", "json", cwd=ws)
    assert proc.returncode == 2
    assert [p["path"] for p in json.loads(proc.stdout)["problems"]] == ["p/notes/linked.md"]


def test_starting_inside_an_unreadable_notes_folder(tmp_path, monkeypatch):
    from readertui.core.errors import WorkspaceError
    from readertui.core.workspace import find_workspace

    ws = _workspace(tmp_path)
    _deny(monkeypatch, ws / "p/notes")
    assert find_workspace(ws / "p/notes").root == ws  # (its readertui.toml cannot be looked for)
    with pytest.raises(WorkspaceError, match="cannot reach .*overview.md: Permission denied"):
        find_workspace(ws / "p/notes/overview.md")

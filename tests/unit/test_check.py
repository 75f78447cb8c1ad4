"""`readertui check`: the report, its JSON shape, exit codes and bad input (via subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from readertui.core.check import check, report_json, report_text
from readertui.core.errors import WorkspaceError
from readertui.core.model import LineRange, Status
from readertui.core.safe_text import json_inert
from readertui.core.workspace import load_workspace
from tests.gitfixtures import build_kb, git, write

REPO_ROOT = Path(__file__).resolve().parents[2]


def readertui(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args],
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )


GOOD_NOTE = """# Engine overview

**Commit**: `{a}`

The step is `Engine/src/engine/core.py:9-12`; saving is `core.py:14-16` under
`src/engine/core.py`. The worker starts in `worker/main.ts:1-5`.

Not citations: localhost:3000, 09:30 - 18:00, `std::vector`, ratio 3:1.
"""

BROKEN_NOTE = """# Log

## 2026-01-10

- 10:00 `Engine/src/engine/core.py:35-45` — past the end
- 10:05 `Engine/src/engine/nope.py:1-2` — no such file
- 10:10 `core.py:3` — fine: the full path above says which core.py (rule 4)
- 10:15 `../../etc/passwd:1` — escape attempt
- 10:20 `Engine/src/engine/core.py:4-7` — fine
"""


@pytest.fixture
def kb2(tmp_path):
    kb = build_kb(tmp_path, notes={"overview.md": "", "code-reading-log.md": ""})
    write(kb.project / "notes/overview.md", GOOD_NOTE.format(a=kb.a[:7]))
    write(kb.project / "notes/code-reading-log.md", BROKEN_NOTE)
    write(kb.project / "notes/questions.md", "# Open questions\n\nWhich `core.py:3`?\n")
    return kb


def test_report_finds_each_broken_citation(kb2):
    workspace = load_workspace(kb2.workspace)
    report = check(workspace)
    broken = {(r.note.name, r.citation.line, r.status) for r in report.broken}
    assert broken == {
        ("code-reading-log.md", 5, Status.OUT_OF_RANGE),
        ("code-reading-log.md", 6, Status.MISSING),
        ("questions.md", 3, Status.AMBIGUOUS),
        ("code-reading-log.md", 8, Status.MISSING),
    }
    ok = [(r.note.name, r.citation.line, r.path) for r in report.results if r.status == Status.OK]
    assert ("code-reading-log.md", 7, "src/engine/core.py") in ok
    assert len(ok) == 6  # overview's four, the log's two
    text = report_text(report, workspace)
    first = text.splitlines()[0]
    assert first.startswith("engine-study/notes/code-reading-log.md:5:")
    assert first.endswith(": out-of-range: Engine/src/engine/core.py:35-45 → "
                          "Engine/src/engine/core.py has 40 lines; 35-45 is past the end")
    assert "engine-study/notes/code-reading-log.md:8:" in text
    assert "outside the workspace" in text
    assert "localhost" not in text and "std::" not in text
    assert text.strip().splitlines()[-1].startswith(f"{len(report.results)} citations: ")


def test_json_shape(kb2):
    workspace = load_workspace(kb2.workspace)
    data = report_json(check(workspace), workspace)
    assert set(data) == {"citations", "summary", "problems"} and data["problems"] == []
    keys = {"note", "line", "column", "text", "status", "repo", "path", "ranges", "commit",
            "candidates", "new_ranges", "confidence", "detail"}
    for entry in data["citations"]:
        assert set(entry) == keys
    first = next(e for e in data["citations"] if e["text"] == "Engine/src/engine/core.py:9-12")
    assert first["note"] == "engine-study/notes/overview.md"
    assert (first["repo"], first["path"], first["ranges"]) == ("Engine", "src/engine/core.py", [[9, 12]])
    assert first["commit"] == kb2.a and first["status"] == "ok"
    ambiguous = next(e for e in data["citations"] if e["status"] == "ambiguous")
    assert ambiguous["candidates"] == ["Engine/src/engine/core.py", "Engine/tests/core.py"]
    assert data["summary"]["missing"] == 2
    assert sum(data["summary"].values()) == len(data["citations"])
    json.dumps(data)


def test_cli_json_exit_1_and_only_broken(kb2):
    proc = readertui("check", str(kb2.workspace), "--format", "json", "--only-broken", cwd=kb2.root)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert {e["status"] for e in data["citations"]} == {"out-of-range", "missing", "ambiguous"}
    assert data["summary"]["ok"] >= 5


def test_cli_exit_0_on_a_clean_note(kb2):
    note = kb2.project / "notes/overview.md"
    proc = readertui("check", str(note), cwd=kb2.root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("ok")
    assert proc.stderr == ""


def test_cli_project_folder_and_project_option(kb2):
    assert readertui("check", str(kb2.project), cwd=kb2.root).returncode == 1
    proc = readertui("check", "--project", "engine-study", cwd=kb2.workspace)
    assert proc.returncode == 1
    proc = readertui("check", "--project", "nope", cwd=kb2.workspace)
    assert proc.returncode == 2 and "no project 'nope'" in proc.stderr


def test_cli_moved_is_not_broken_stale_is(kb2):
    git(kb2.submodule, "checkout", "-q", "--detach", kb2.b)
    write(kb2.project / "notes/code-reading-log.md", f"# Log\n\nCommit {kb2.a[:7]}\n\n`src/engine/core.py:14-16`\n")
    proc = readertui("check", str(kb2.project / "notes/code-reading-log.md"), "--format", "json",
                     cwd=kb2.root)
    assert proc.returncode == 0, proc.stdout
    moved = json.loads(proc.stdout)["citations"][0]
    assert (moved["status"], moved["new_ranges"], moved["confidence"]) == ("moved", [[19, 21]], 1.0)
    write(kb2.project / "notes/code-reading-log.md", f"# Log\n\nCommit {kb2.a[:7]}\n\n`src/engine/core.py:9-12`\n")
    proc = readertui("check", str(kb2.project / "notes/code-reading-log.md"), cwd=kb2.root)
    assert proc.returncode == 1 and "stale" in proc.stdout


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("readertui: error: ")
    return lines[0]


def test_bad_input_path_outside_any_workspace(tmp_path):
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert "not inside a workspace" in one_line_error(readertui("check", str(lonely), cwd=lonely))


def test_bad_input_path_outside_the_workspace(kb2):
    write(kb2.root / "elsewhere.md", "`x.py:1`\n")
    with pytest.raises(WorkspaceError):
        check(load_workspace(kb2.workspace), kb2.root / "elsewhere.md")


def reported_problems(proc: subprocess.CompletedProcess) -> list[dict[str, str]]:
    """What `check --format json` could not check; the exit status says so (2), no traceback."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)["problems"]


@pytest.mark.parametrize("data", [b"\x00\x01binary\x00", b"caf\xe9 \xff\xfe"])
def test_a_binary_or_invalid_utf8_note_is_reported_and_the_rest_checked(kb2, data):
    bad = kb2.project / "notes/bad.md"
    bad.write_bytes(data)
    proc = readertui("check", str(kb2.workspace), "--format", "json", cwd=kb2.root)
    problems = reported_problems(proc)
    assert [(p["path"], p["status"]) for p in problems] == [("engine-study/notes/bad.md", "unreadable")]
    assert "bad.md" in problems[0]["detail"]
    citations = json.loads(proc.stdout)["citations"]
    assert {c["note"] for c in citations} >= {"engine-study/notes/overview.md", "engine-study/notes/code-reading-log.md"}
    text = readertui("check", str(kb2.workspace), cwd=kb2.root)
    assert text.returncode == 2 and "engine-study/notes/bad.md: unreadable: " in text.stdout
    assert "not checked" in text.stdout.splitlines()[-1]


def test_a_fifo_note_is_reported_without_hanging(kb2):
    import os

    os.mkfifo(kb2.project / "notes/pipe.md")
    report = check(load_workspace(kb2.workspace))
    assert [(p.path.name, p.status) for p in report.problems] == [("pipe.md", "unreadable")]
    assert report.results


def test_an_unreadable_note_and_folder_are_reported(kb2, monkeypatch):
    """Tests run as root, whom chmod 000 does not stop: the kernel's refusal is simulated."""
    import errno
    import os

    locked = kb2.project / "notes/locked.md"
    locked.write_text("# locked\n")
    folder = kb2.project / "notes/private"
    folder.mkdir()
    (folder / "inner.md").write_text("# inner\n")
    real_open, real_scandir = os.open, os.scandir

    def refusing_open(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def refusing_scandir(path="."):
        if Path(path) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(os, "scandir", refusing_scandir)
    report = check(load_workspace(kb2.workspace))
    found = {(p.path.name, p.status): p.detail for p in report.problems}
    assert set(found) == {("locked.md", "unreadable"), ("private", "unreadable")}
    assert "Permission denied" in found[("locked.md", "unreadable")]
    assert report.results  # the readable notes were checked


def test_bad_input_missing_notes_folder(kb2):
    for note in (kb2.project / "notes").iterdir():
        note.unlink()
    (kb2.project / "notes").rmdir()
    assert "notes/" in one_line_error(readertui("check", str(kb2.workspace), cwd=kb2.root))


def test_an_uninitialized_submodule_is_reported_and_other_projects_checked(kb2):
    write(kb2.workspace / "plain/notes/n.md", "`code/a.py:5`\n")
    write(kb2.workspace / "plain/code/a.py", "x = 1\n")
    git(kb2.root, "submodule", "deinit", "-q", "-f", "awesome/engine-study/Engine")
    proc = readertui("check", str(kb2.workspace), "--format", "json", cwd=kb2.root)
    problems = reported_problems(proc)
    assert [p["status"] for p in problems] == ["not-checked-out"]
    assert "submodule update --init" in problems[0]["detail"]
    citations = json.loads(proc.stdout)["citations"]
    assert [(c["note"], c["status"]) for c in citations] == [("plain/notes/n.md", "out-of-range")]


def test_bad_input_commit_the_submodule_lacks(kb2):
    write(kb2.project / "notes/overview.md", "**Commit**: `deadbeef`\n\n`src/engine/core.py:9-12`\n")
    write(kb2.project / "notes/code-reading-log.md", "# Log\n")
    (kb2.project / "notes/questions.md").unlink()
    message = one_line_error(readertui("check", str(kb2.workspace), cwd=kb2.root))
    assert "deadbeef" in message and "fetch" in message
    # beside citations that can be checked, it is one broken citation among others
    write(kb2.project / "notes/code-reading-log.md", "# Log\n\n`src/engine/core.py:9-12`\n")
    proc = readertui("check", str(kb2.workspace), cwd=kb2.root)
    assert proc.returncode == 1 and "unpinned" in proc.stdout


def test_usage_error_exit_2(kb2):
    proc = readertui("check", "--format", "xml", cwd=kb2.root)
    assert proc.returncode == 2


def test_text_output_is_inert(kb2):
    write(kb2.project / "notes/code-reading-log.md", "`src/\x1b[31mevil.py:1`\n")
    proc = readertui("check", str(kb2.workspace), cwd=kb2.root)
    assert "\x1b" not in proc.stdout


# --------------------------------------------------------------------------- demo workspace

DEMO_BROKEN = {
    ("minillm/notes/core-insights.md", "missing", "minillm/minillm/optimizer.py:10-24"),
    ("minillm/notes/code-reading-log.md", "out-of-range", "minillm/minillm/train.py:60-72"),
    ("minillm/notes/references.md", "ambiguous", "utils.py:8-14"),
}


def test_demo_workspace_reports_exactly_the_deliberate_breaks():
    proc = readertui("check", "projects", "--format", "json", cwd=REPO_ROOT)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    broken = {(e["note"], e["status"], e["text"]) for e in data["citations"]
              if e["status"] not in ("ok", "moved")}
    assert broken == DEMO_BROKEN
    assert data["summary"]["ok"] >= 40
    texts = " ".join(e["text"] for e in data["citations"])
    for prose in ("localhost", "127.0.0.1", "09:30", "std::", "3:1", "x[2:5]"):
        assert prose not in texts


def test_check_from_the_repository_root_checks_the_configured_workspace():
    proc = readertui("check", cwd=REPO_ROOT)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1].endswith("1 out-of-range, 1 missing, 1 ambiguous")
    assert "outside the workspace" in readertui("check", "src", cwd=REPO_ROOT).stderr


def test_demo_workspace_forms_resolve():
    proc = readertui("check", "projects", "--format", "json", cwd=REPO_ROOT)
    by_text = {e["text"]: e for e in json.loads(proc.stdout)["citations"]}
    expectations = {
        "config.py:6-19": "minillm/config.py",  # basename
        "client/api.ts:24-62": "client/src/api.ts",  # gaps
        "model.py:26 – 31": "minillm/model.py",  # en dash
        "softmax.cu:11-21, 23-33": "kernels/softmax.cu",  # several ranges
    }
    for text, path in expectations.items():
        assert (by_text[text]["status"], by_text[text]["path"]) == ("ok", path), text
    forms = {e["status"] for e in by_text.values()}
    assert "unpinned" not in forms  # plain folders are read from disk, never unpinned


def test_daily_sections_declare_their_own_commit(kb2):
    """A log whose older day was read at A and newer day at B, with the checkout at B."""
    git(kb2.submodule, "checkout", "-q", "--detach", kb2.b)
    write(kb2.project / "notes/code-reading-log.md", (
        f"# Log\n\n> based on commit `{kb2.a[:7]}`\n\n## 2026-01-14\n\n"
        "- 10:00 `Engine/src/engine/core.py:14-16` — save\n\n"
        f"## 2026-01-20\n\n**Commit**: `{kb2.b[:7]}`\n\n"
        "- 09:00 `Engine/src/engine/core.py:19-21` — save, read again at B\n"
        f"- 09:10 `Engine/src/engine/core.py:14-16` @ {kb2.a[:7]} — pinned to A\n"
    ))
    (kb2.project / "notes/questions.md").unlink()
    (kb2.project / "notes/overview.md").write_text("# Overview\n")
    report = check(load_workspace(kb2.workspace))
    got = [(r.citation.line, r.status, r.commit, r.new_ranges) for r in report.results]
    assert got == [
        (7, Status.MOVED, kb2.a, (LineRange(19, 21),)),
        (13, Status.OK, kb2.b, ()),
        (14, Status.MOVED, kb2.a, (LineRange(19, 21),)),
    ]


def test_keep_holds_only_what_is_printed_and_counts_everything(kb2):
    workspace = load_workspace(kb2.workspace)
    everything = check(workspace)
    broken = check(workspace, keep=lambda r: r.status.broken)
    assert broken.results == everything.broken  # same results, same order
    assert len(broken.results) < len(everything.results)
    assert broken.summary == everything.summary
    assert report_text(broken, workspace) == report_text(everything, workspace)


def _report_as_json(report, workspace) -> str:
    """The JSON report as one document (what `check --format json` printed before it printed
    each citation as it kept it)."""
    return json_inert(msgspec.json.format(msgspec.json.encode(report_json(report, workspace)), indent=2).decode()) + "\n"


def test_every_citation_printed_as_the_report_renders_it(kb2):
    """`--format json` and `--all` keep each result as its output only: the same bytes as the
    whole report rendered at once, unreadable notes, control characters and exit codes included."""
    write(kb2.project / "notes/odd.md", "# Odd\n\n`Engine/src/engine/core.py:3` \x1b[31m\u202e `nope.py:1`\n")
    (kb2.project / "notes/binary.md").write_bytes(b"\xff\xfe\x00bad")
    workspace = load_workspace(kb2.workspace)
    report = check(workspace)
    assert report.problems and len(report.results) > 8
    proc = readertui("check", str(kb2.workspace), "--format", "json", cwd=kb2.root)
    assert proc.stdout == _report_as_json(report, workspace) and proc.returncode == 2
    proc = readertui("check", str(kb2.workspace), "--all", cwd=kb2.root)
    assert proc.stdout == report_text(report, workspace, everything=True) and proc.returncode == 2
    (kb2.project / "notes/binary.md").unlink()
    proc = readertui("check", str(kb2.project / "notes/code-reading-log.md"), "--format", "json", cwd=kb2.root)
    assert proc.returncode == 1 and proc.stdout == _report_as_json(check(workspace, kb2.project / "notes/code-reading-log.md"), workspace)


def test_no_citation_at_all_in_json(kb2):
    write(kb2.project / "notes/empty.md", "# Nothing cited here\n")
    proc = readertui("check", str(kb2.project / "notes/empty.md"), "--format", "json", cwd=kb2.root)
    assert proc.returncode == 0 and proc.stdout == '{\n  "citations": [],\n  "summary": {},\n  "problems": []\n}\n'


def test_every_citation_is_printed_without_a_report_of_them_all(kb2, monkeypatch, capsys):
    """A 50 MB log's 414,000 results held as a report cost 1.8 GB; printed, each is kept as its
    output only."""
    from readertui import cli
    from readertui.commands import check as check_command

    def no_report(*args, **kwargs):
        raise AssertionError("every result held as a report")

    monkeypatch.setattr(check_command, "check", no_report)
    assert cli.main(["check", str(kb2.workspace), "--format", "json"]) == 1
    assert len(json.loads(capsys.readouterr().out)["citations"]) > 8
    assert cli.main(["check", str(kb2.workspace), "--all"]) == 1
    assert "citations: " in capsys.readouterr().out.splitlines()[-1]

"""`readertui log` and `readertui bookmarks` as a user runs them: real workspace, real git."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core.log import entries_for_day
from tests.gitfixtures import KB


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process (fast); `run_process` below checks the real executable."""

    def invoke(cwd: Path, *args: str, stdin: str | None = None) -> Result:
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse: --help, usage errors
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def run_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def _fails_cleanly(result: Result | subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("readertui: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0]


def _log(kb: KB) -> Path:
    return kb.project / "notes" / "code-reading-log.md"


def test_log_with_a_canonical_citation(run, kb: KB) -> None:
    result = run(kb.project, "log", "--cite", "Engine/src/engine/core.py:9-12", "the", "step", "loop")
    assert result.returncode == 0, result.stderr
    short = kb.a[:7]
    assert result.stdout.rstrip().endswith(f"`Engine/src/engine/core.py:9-12` @ `{short}` — the step loop")
    text = _log(kb).read_text()
    assert text.startswith("# Code reading log\n\n## ")
    assert f"**Commit**: `{short}`" in text
    assert len(entries_for_day(text, date.today())) == 1


def test_log_resolves_a_path_relative_to_a_repo_and_reads_stdin(run, kb: KB) -> None:
    result = run(kb.project / "notes", "log", "--cite", "src/engine/core.py:14", "-", stdin="save()\nwrites steps\n")
    assert result.returncode == 0, result.stderr
    entries = entries_for_day(_log(kb).read_text(), date.today())
    assert len(entries) == 1
    assert entries[0].endswith(f"`Engine/src/engine/core.py:14` @ `{kb.a[:7]}` — save()\nwrites steps")


def test_log_checks_citations_at_the_given_commit(run, kb: KB) -> None:
    missing_at_head = run(kb.project, "log", "--cite", "src/util/work_queue.ts:1-3", "renamed")
    _fails_cleanly(missing_at_head, "no such file")
    at_b = run(kb.project, "log", "--cite", "src/util/work_queue.ts:1-3", "--commit", kb.b[:10], "renamed")
    assert at_b.returncode == 0, at_b.stderr
    assert f"`Engine/src/util/work_queue.ts:1-3` @ `{kb.b[:7]}`" in _log(kb).read_text()


def test_a_commit_the_repos_do_not_have_is_refused_with_or_without_a_citation(run, kb: KB) -> None:
    """`--commit` names a commit of the project's repos: one line saying so, exit 2, the log as
    it was. A hex id gets the fetch that would bring it; another form, the forms taken."""
    before = _log(kb).read_bytes()
    unknown = "deadbeef"
    plain = run(kb.project, "log", "--commit", unknown, "hi")
    _fails_cleanly(plain, f"--commit '{unknown}' is not a commit of Engine", "fetch it first", "git -C Engine fetch")
    cited = run(kb.project, "log", "--cite", "Engine/src/engine/core.py:9-12", "--commit", unknown, "hi")
    assert cited.stderr == plain.stderr  # the same sentence, not a resolver's detail run on
    revision = run(kb.project, "log", "--commit", "HEAD~9", "hi")
    _fails_cleanly(revision, "--commit 'HEAD~9' is not a commit of ", "a commit id, a tag, a branch or a revision")
    assert _log(kb).read_bytes() == before
    known = run(kb.project, "log", "--commit", "HEAD", "hi")
    assert known.returncode == 0, known.stderr
    assert f"**Commit**: `{kb.a[:7]}`" in _log(kb).read_text()


def test_an_unpinned_citation_is_refused_in_one_sentence(run, kb: KB) -> None:
    url = f"https://github.com/acme/engine/blob/{'d' * 40}/src/engine/core.py#L9-L12"
    result = run(kb.project, "log", "--cite", url, "hi")
    _fails_cleanly(result, f"citation '{url}' is unpinned: commit {'d' * 40}")
    assert " in the repos of " not in result.stderr and " at commit " not in result.stderr


def test_bad_citations_exit_2_with_one_line_and_leave_the_log(run, kb: KB) -> None:
    before = _log(kb).read_bytes()
    _fails_cleanly(run(kb.project, "log", "--cite", "../../etc/passwd:1", "x"), "outside the workspace")
    _fails_cleanly(run(kb.project, "log", "--cite", "/etc/passwd:1", "x"), "outside the workspace")
    _fails_cleanly(run(kb.project, "log", "--cite", "Engine/src/engine/core.py:39-41", "x"), "only 40 lines")
    _fails_cleanly(run(kb.project, "log", "--cite", "Engine/src/engine/core.py", "x"), "needs one line range")
    _fails_cleanly(run(kb.project, "log", "--cite", "Engine/src/engine/core.py:1-2,5", "x"), "needs one line range")
    for zero in ("core.py:0", "Engine/src/engine/core.py:0-3", "Engine/src/engine/core.py#L0"):
        _fails_cleanly(run(kb.project, "log", "--cite", zero, "x"), "line numbers start at 1")
    _fails_cleanly(run(kb.project, "log", "--cite", "core.py:1", "x"),
                   "is ambiguous: Engine/src/engine/core.py, Engine/tests/core.py")
    _fails_cleanly(run(kb.project, "log", "--cite", "nothere.py:1", "x"), "no such file")
    # a name a note cannot hold as one path is said to be that, not a missing line range
    for name in ("Engine/src/x y.py:1", "Engine/src/\x1b]2;t\x07.py:1"):
        _fails_cleanly(run(kb.project, "log", "--cite", name, "x"), "a path with spaces or control characters")
    _fails_cleanly(run(kb.project, "log"), "empty")
    assert _log(kb).read_bytes() == before


def test_project_from_flag_or_cwd(run, kb: KB, tmp_path: Path) -> None:
    assert run(kb.workspace, "log", "--project", "engine-study", "from the workspace").returncode == 0
    assert run(kb.root, "log", "--path", str(kb.project), "via --path").returncode == 0
    assert [e.split(" ", 1)[1] for e in entries_for_day(_log(kb).read_text(), date.today())] == [
        "from the workspace", "via --path",
    ]
    _fails_cleanly(run(kb.workspace, "log", "--project", "nope", "x"), "no project 'nope'")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    _fails_cleanly(run(outside, "log", "x"))  # the message depends on what surrounds tmp_path


def test_bookmarks_add_list_rename_remove(run, kb: KB) -> None:
    empty = run(kb.project, "bookmarks")
    assert (empty.returncode, empty.stdout) == (0, "")
    added = run(kb.project, "bookmarks", "add", "Engine/src/engine/core.py:9-12", "--label", 'step "loop"\x1b[2J')
    assert added.returncode == 0, added.stderr
    ident = added.stdout.split()[0]
    listed = run(kb.workspace, "bookmarks")
    # the placeholders `symbols` and the reader show, not Python's escapes
    assert listed.stdout == f'{ident}  Engine/src/engine/core.py:9-12  step "loop"␛[2J  ({kb.a[:7]})\n'
    data = json.loads(run(kb.project, "bookmarks", "--format", "json").stdout)
    assert data == [
        {
            "project": "engine-study", "id": ident, "repo": "Engine", "path": "src/engine/core.py",
            "start": 9, "end": 12, "label": 'step "loop"\x1b[2J', "commit": kb.a,
            "created": data[0]["created"], "fingerprint": data[0]["fingerprint"],
            "excerpt": "def step(self, batch):",
        }
    ]
    assert data[0]["fingerprint"].startswith("sha1:")
    assert run(kb.project, "bookmarks", "rename", ident[:4], "renamed").returncode == 0
    assert "  renamed  " in run(kb.project, "bookmarks").stdout
    assert run(kb.project, "bookmarks", "remove", ident).returncode == 0
    assert run(kb.project, "bookmarks").stdout == ""
    _fails_cleanly(run(kb.project, "bookmarks", "remove", "zzzz"), "no bookmark")


def test_malformed_bookmarks_file_reported_and_untouched(run, kb: KB) -> None:
    path = kb.project / "notes" / "bookmarks.toml"
    bad = b'[[bookmark]]\nid = "a"\nlabel = "unterminated\n'
    path.write_bytes(bad)
    _fails_cleanly(run(kb.project, "bookmarks"), f"{path}:3")
    _fails_cleanly(run(kb.project, "bookmarks", "add", "Engine/src/engine/core.py:1", "--label", "x"), f"{path}:3")
    assert path.read_bytes() == bad


def test_help_exits_zero(run) -> None:
    for command in ("log", "bookmarks"):
        result = run(Path.cwd(), command, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout


def test_the_installed_command_logs_and_fails_without_traceback(kb: KB) -> None:
    ok = run_process(kb.project, "log", "--cite", "Engine/src/engine/core.py:9-12", "from a shell")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.rstrip().endswith("— from a shell")
    _fails_cleanly(run_process(kb.project, "log", "--cite", "../../etc/passwd:1", "x"), "outside the workspace")
    path = kb.project / "notes" / "bookmarks.toml"
    path.write_bytes(b"[[bookmark]]\nid = \n")
    _fails_cleanly(run_process(kb.project, "bookmarks"), f"{path}:2")


def test_log_cite_takes_every_form_check_resolves(run, kb: KB) -> None:
    """A basename or partial path ranked as `check` ranks it, a path relative to the current
    folder inside a repo, `path#L` lines, a permalink (its own commit): all written canonically."""
    short = kb.a[:7]
    cases = [
        (kb.project, "engine/core.py:9-12", "Engine/src/engine/core.py:9-12"),
        (kb.project, "main.ts:5", "Engine/services/worker/src/main.ts:5"),
        (kb.submodule / "src" / "engine", "core.py:14-16", "Engine/src/engine/core.py:14-16"),
        (kb.submodule / "src" / "engine", "../util/queue.ts:2", "Engine/src/util/queue.ts:2"),
        (kb.project, "src/engine/core.py#L4-L7", "Engine/src/engine/core.py:4-7"),
        (kb.project, f"https://github.com/acme/Engine/blob/{kb.a}/src/engine/core.py#L9-L12",
         "Engine/src/engine/core.py:9-12"),
        (kb.project, "https://github.com/acme/Engine/blob/v1.0/src/engine/core.py#L5", "Engine/src/engine/core.py:5"),
    ]
    for cwd, cited, canonical in cases:
        result = run(cwd, "log", "--cite", cited, "x")
        assert result.returncode == 0, (cited, result.stderr)
        assert f"`{canonical}` @ `{short}` — x" in result.stdout, (cited, result.stdout)
    # from inside the repo, climbing out of it is refused before anything is read
    _fails_cleanly(run(kb.submodule / "src", "log", "--cite", "../../../../etc/passwd:1", "x"), "outside the workspace")
    # a branch link moves: refused, saying so
    _fails_cleanly(run(kb.project, "log", "--cite", "https://github.com/acme/Engine/blob/main/src/engine/core.py#L5", "x"),
                   "unpinned")

"""Nothing the CLI prints can drive the terminal: names, labels, citations, URLs and messages
with ESC, C0/C1 or bidi controls come out as visible placeholders; bad encodings are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = {
    "osc52": "\x1b]52;c;aGFja2Vk\x1b\\",
    "title": "\x1b]2;pwned\x07",
    "clear": "\x1b[2J",
    "c1": "\x9b31m",
    "bidi": "\u202eexe.md",
    "cr": "\rspoof",
    "bare": "\x1bc\x9b",
}
FORBIDDEN = (b"\x1b", b"\x07", "\x9b".encode(), "\u202e".encode(), b"\r")


def _run(cwd: Path, *args: str | bytes, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args],
        cwd=cwd, input=stdin, capture_output=True, timeout=60,
    )


def _assert_inert(result: subprocess.CompletedProcess[bytes]) -> None:
    for stream in (result.stdout, result.stderr):
        for bad in FORBIDDEN:
            assert bad not in stream, f"{bad!r} reached the terminal: {stream!r}"
    assert b"Traceback" not in result.stderr


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A plain-folder workspace whose file names, note names and citations are hostile."""
    root = tmp_path / "ws"
    code = root / "p" / "code"
    code.mkdir(parents=True)
    (root / "p" / "notes").mkdir()
    (code / "ok.py").write_text("a = 1\nb = 2\n")
    for name, sequence in HOSTILE.items():
        (code / f"f{sequence}.py").write_text("x = 1\n")
        (root / "p" / "notes" / f"n-{name}{sequence}.md").write_text(
            f"# note\n\n`code/f{sequence}.py:1` and `code/gone{sequence}.py:3` and `code/ok.py:9`\n"
        )
    return root


def test_check_text_and_json_are_inert(workspace: Path) -> None:
    text = _run(workspace, "check", ".")
    assert text.returncode == 1
    _assert_inert(text)
    assert "␛".encode() in text.stdout  # shown, as a placeholder
    data = _run(workspace, "check", ".", "--format", "json")
    _assert_inert(data)
    parsed = json.loads(data.stdout)
    notes = {c["note"] for c in parsed["citations"]}
    assert "p/notes/n-bidi\u202eexe.md.md" in notes  # the data itself is exact
    assert "p/notes/n-osc52\x1b]52;c;aGFja2Vk\x1b\\.md" in notes


def test_log_and_its_citation_are_inert(workspace: Path) -> None:
    result = _run(workspace / "p", "log", "--cite", "code/ok.py:1", f"text {HOSTILE['bidi']}{HOSTILE['c1']}{HOSTILE['osc52']}")
    assert result.returncode == 0, result.stderr
    _assert_inert(result)
    for sequence in HOSTILE.values():
        bad_cite = _run(workspace / "p", "log", "--cite", f"code/f{sequence}.py:1", "x")
        assert bad_cite.returncode == 2
        _assert_inert(bad_cite)


def test_the_log_gets_a_citation_with_placeholders() -> None:
    from datetime import datetime

    from readertui.core.log import format_entry

    entry = format_entry(datetime(2026, 11, 29, 14, 32), "x", f"code/f{HOSTILE['bare']}.py:1", None)
    assert entry == "- 14:32 `code/f␛c␦.py:1` — x\n"


def test_bookmarks_listing_and_editing_are_inert(workspace: Path) -> None:
    added = _run(workspace / "p", "bookmarks", "add", "code/ok.py:1", "--label", f"L{HOSTILE['osc52']}{HOSTILE['bidi']}")
    assert added.returncode == 0, added.stderr
    _assert_inert(added)
    for form in ("text", "json"):
        listed = _run(workspace / "p", "bookmarks", "--format", form)
        assert listed.returncode == 0
        _assert_inert(listed)
        if form == "text":  # the one sanitizer's placeholders, as `symbols` and the reader show them
            shown = listed.stdout.decode()
            assert "L␛]52;c;aGFja2Vk␛\\␦exe.md" in shown and "\\x1b" not in shown
    marks = json.loads(_run(workspace / "p", "bookmarks", "--format", "json").stdout)
    assert marks[0]["label"] == f"L{HOSTILE['osc52']}{HOSTILE['bidi']}"


def test_update_and_add_errors_are_inert(workspace: Path) -> None:
    update = _run(workspace, "update", f"nope{HOSTILE['title']}")
    assert update.returncode == 2
    _assert_inert(update)
    add = _run(workspace, "add", f"https://example.invalid/{HOSTILE['clear']}{HOSTILE['c1']}.git")
    assert add.returncode == 2
    _assert_inert(add)


def test_a_non_utf8_argument_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"readertui", b"log", b"\xff"],
        cwd=tmp_path, capture_output=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1 and b"not valid UTF-8" in result.stderr
    assert b"Traceback" not in result.stderr


def test_non_utf8_stdin_is_one_line_and_exit_2(workspace: Path) -> None:
    log = workspace / "p" / "notes" / "code-reading-log.md"
    result = _run(workspace / "p", "log", "-", stdin=b"ok \xff\xfe")
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1 and b"standard input is not valid UTF-8" in result.stderr
    assert not log.exists()


def test_multi_line_error_messages_print_on_one_line(tmp_path: Path, capsys) -> None:
    from readertui.cli import main
    from readertui.commands import check as check_command

    def fail(args):
        from readertui.core.errors import GitError

        raise GitError("fatal: first line\nhint: second line")

    original = check_command.run
    check_command.run = fail
    try:
        assert main(["check", str(tmp_path)]) == 2
    finally:
        check_command.run = original
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "first line — hint: second line" in err

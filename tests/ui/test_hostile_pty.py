"""Hostile names on a real terminal: a file, a note and a bookmark named with escape sequences
are opened, and every key that shows a name is pressed (y, Y, c, m, ', b). The bytes the reader
writes to the pseudo-terminal carry the placeholders, never a sequence that came from a name."""

from __future__ import annotations

import base64
import os
import re
import select
import subprocess
import sys
import time

import pyte

from tests.ui.conftest import REPO_ROOT, screen_rows

# Every sequence a name may try: clipboard write (OSC 52), window title (OSC 2), clear screen,
# the one-byte CSI (U+009B) and a right-to-left override (U+202E).
HOSTILE = "\x1b]52;c;aGFja2Vk\x07\x1b]2;pwned\x07\x1b[2J\u009b31m\u202e"
FILE = f"hostile{HOSTILE}.py"
NOTE = f"tnote{HOSTILE}.md"
LEAKS = {
    "OSC 52 from a name": b"\x1b]52;c;aGFja2Vk",
    "OSC 2 from a name": b"\x1b]2;pwned",
    "clear screen from a name": b"\x1b[2J",
    "C1 CSI": "\u009b".encode(),
    "RTL override": "\u202e".encode(),
    "BEL from a name": b"\x07\x1b]2",
}
PLACEHOLDER = "␛".encode()
OSC52_COPY = re.compile(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\)")


def _hostile_workspace(demo):
    code = demo / "minillm" / "minillm"
    (code / FILE).write_text("print(1)\nprint(2)\n")
    notes = demo / "minillm" / "notes"
    (notes / NOTE).write_text("# title\n")
    label = "mark\\u001b]2;pwned\\u0007\\u001b[2J\\u009b31m\\u202e"
    path = "minillm/hostile\\u001b]52;c;aGFja2Vk\\u0007\\u001b]2;pwned\\u0007\\u001b[2J\\u009b31m\\u202e.py"
    with (notes / "bookmarks.toml").open("a") as out:
        out.write(
            f'\n[[bookmark]]\nid = "0badc0de"\nrepo = "minillm"\npath = "{path}"\nstart = 1\nend = 1\n'
            f'label = "{label}"\ncreated = 2026-11-20 14:32:00+08:00\n'
        )


class _Terminal:
    def __init__(self, workspace) -> None:
        self.master, slave = os.openpty()
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": "120",
            "LINES": "40",
            "PYTHONPATH": str(REPO_ROOT / "src"),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "readertui", str(workspace)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = b""
        self.screen = pyte.Screen(120, 40)
        self.stream = pyte.ByteStream(self.screen)

    def shown(self) -> str:
        return "\n".join(screen_rows(self.screen))

    def _read(self) -> None:
        ready, _, _ = select.select([self.master], [], [], 0.05)
        if ready:
            chunk = os.read(self.master, 65536)
            self.output += chunk
            self.stream.feed(chunk)

    def wait_for(self, *texts: str, timeout: float = 30) -> None:
        """Read until every one of `texts` is on the screen."""
        deadline = time.monotonic() + timeout
        while not all(text in self.shown() for text in texts):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {texts!r}; screen:\n{self.shown()}")
            self._read()

    def wait_gone(self, text: str, timeout: float = 30) -> None:
        """Read until `text` is off the screen."""
        deadline = time.monotonic() + timeout
        while text in self.shown():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {text!r} to go; screen:\n{self.shown()}")
            self._read()

    def close_modal(self, title: str) -> None:
        """Escape, and wait until the modal titled `title` is gone (a key sent sooner would
        reach the terminal glued to the ESC byte: alt+key)."""
        self.press(b"\x1b")
        self.wait_gone(title)

    def press(self, keys: bytes, *expect: str) -> None:
        os.write(self.master, keys)
        if expect:
            self.wait_for(*expect)

    def close(self) -> None:
        try:
            os.write(self.master, b"\x11")  # ctrl+q; its last output is read (and checked) too
            deadline = time.monotonic() + 10
            while self.process.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if ready:
                    try:
                        self.output += os.read(self.master, 65536)
                    except OSError:  # EIO: the reader is gone
                        break
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            os.close(self.master)


def test_no_escape_from_a_name_reaches_the_terminal(demo):
    _hostile_workspace(demo)
    term = _Terminal(demo)
    try:
        term.wait_for("code-reading-log", "tnote␛")  # the note's name, in the tree (cut in the middle)
        term.press(b"\x10", "parts of a path")  # ctrl+p: the finder
        term.press(b"hostile", "hostile␛")
        term.press(b"\r", "print(2)")
        term.press(b"y", "Copied")
        term.press(b"Y", "Copied")
        term.press(b"c", "Log entry →", "hostile␛]52")
        term.close_modal("Log entry →")
        term.press(b"m", "Bookmark label (")
        term.press(b"seen\r")
        term.wait_gone("Bookmark label (")
        term.press(b"'", "Enter: jump", "mark␛")
        term.close_modal("Enter: jump")
        term.press(b"b", "no note cites this line")
    finally:
        term.close()
    output = term.output
    for what, sequence in LEAKS.items():
        assert sequence not in output, what
    assert PLACEHOLDER in output
    copied = [base64.b64decode(payload).decode() for payload in OSC52_COPY.findall(output)]
    assert copied, "y and Y copy through OSC 52"
    for text in copied:
        assert "\x1b" not in text and "\x07" not in text and "\u009b" not in text and "\u202e" not in text
    assert any("hostile␛]52;c;aGFja2Vk" in text for text in copied)


def test_a_hostile_note_opened_from_the_tree_and_again_at_start_up_leaks_nothing(demo):
    """The note is opened from the tree (its name in the notes pane's title, the tree and the
    saved state), then the reader starts again on it: no key pressed, the name is shown at once."""
    _hostile_workspace(demo)
    output = b""
    term = _Terminal(demo)
    try:
        term.wait_for("code-reading-log", "tnote␛")
        term.press(b"1")  # the tree; the note is its last row (notes sort by name)
        # The status line names the tree's cursor row at once: the note is open when its text is.
        term.press(b"\x1b[B" * 12 + b"\r", "notes/tnote␛]52", "1   # title")
    finally:
        term.close()
        output += term.output
    term = _Terminal(demo)  # the saved state names the hostile note: shown at start-up
    try:
        term.wait_for("notes/tnote␛]52;c;aGFja2Vk␇␛]2;pw", "1   # title")
    finally:
        term.close()
        output += term.output
    for what, sequence in LEAKS.items():
        assert sequence not in output, what
    assert "tnote␛]52;c;aGFja2Vk".encode() in output

"""A reader ended by its terminal keeps the place like `q` does.

A real reader on a pseudo-terminal opens a file at its last place, moves the cursor (which
alone writes nothing: the state is saved on quit, when a file or note opens, and every few
seconds), then is ended by SIGTERM, by SIGHUP with its terminal gone (a dropped SSH session),
or by its terminal closing with no signal at all (a script's shell that got the SIGHUP and
died). Each time the process ends by itself and the state file holds the file and the line.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest

from readertui.core.model import Location
from readertui.core.workspace import find_workspace
from readertui.ui.state import ViewState, save_state
from tests.ui.conftest import REPO_ROOT, screen_rows

FILE = "minillm/attention.py"


class _Reader:
    """`python -m readertui WORKSPACE` on a pty of 120×40, its screen read through pyte."""

    def __init__(self, workspace: Path, state_dir: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "PYTHONPATH": str(REPO_ROOT / "src"),
            "READERTUI_STATE_DIR": str(state_dir),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "readertui", str(workspace)],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        )
        os.close(slave)
        self.output = b""
        self.screen = pyte.Screen(120, 40)
        self.stream = pyte.ByteStream(self.screen)

    def _read(self) -> bool:
        """Read what is there; False once the reader's side of the pty is closed."""
        ready, _, _ = select.select([self.master], [], [], 0.05)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the reader is gone
            return False
        self.output += chunk
        self.stream.feed(chunk)
        return bool(chunk)

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in "\n".join(screen_rows(self.screen)):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"timed out waiting for {text!r}:\n" + "\n".join(screen_rows(self.screen)))
            self._read()

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def hang_up(self) -> None:
        """The terminal goes away, as when tmux or sshd closes the pty's master side."""
        os.close(self.master)
        self.master = -1

    def wait_exit(self, timeout: float = 10) -> int:
        """The reader's exit status, reading its output meanwhile (a full pty would block it)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if self.master < 0 or not self._read():
                time.sleep(0.05)
        try:
            return self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError("the reader did not end") from None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.master >= 0:
            os.close(self.master)


@pytest.mark.parametrize("ending", ["SIGTERM", "SIGHUP", "terminal closed"])
def test_a_reader_ended_by_its_terminal_keeps_its_place(demo, tmp_path, ending):
    state_dir = tmp_path / "state"
    root = find_workspace(demo).root
    with pytest.MonkeyPatch.context() as patch:  # the last session: the file, at line 6
        patch.setenv("READERTUI_STATE_DIR", str(state_dir))
        save_state(root, ViewState(project="minillm", location=Location("minillm", "minillm", FILE, 6)))
    reader = _Reader(demo, state_dir)
    try:
        reader.wait_for(f"{FILE}:6")  # the status line: the file is open
        reader.press(b"\x07")  # ctrl+g
        reader.wait_for("Go to line")
        reader.press(b"41\r")
        reader.wait_for(f"{FILE}:41")
        if ending == "SIGTERM":  # the terminal stays: Textual puts it back as on `q`
            reader.process.send_signal(signal.SIGTERM)
            assert reader.wait_exit() == 128 + signal.SIGTERM
            assert b"\x1b[?1049l" in reader.output  # off the alternate screen
        elif ending == "SIGHUP":
            reader.process.send_signal(signal.SIGHUP)
            reader.hang_up()
            assert reader.wait_exit() == 128 + signal.SIGHUP
        else:
            reader.hang_up()
            assert reader.wait_exit() == 128 + signal.SIGHUP
    finally:
        reader.close()
    saved = json.loads((state_dir / "state.json").read_text())[str(root)]
    assert saved["project"] == "minillm"
    assert (saved["location"]["path"], saved["location"]["line"]) == (FILE, 41)

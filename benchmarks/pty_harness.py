"""Drive a terminal program in a pseudo-terminal and watch its screen with pyte.

Measures what a user over SSH feels: time until something appears on screen, and how many
bytes the program writes to the terminal for one key press.

    with PtySession([sys.executable, "-m", "pkg"], cols=120, rows=40) as term:
        term.wait_for(lambda screen: "READY" in screen.display[0])
        written = term.press(KEYS["down"])
"""

from __future__ import annotations

import fcntl
import os
import queue
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

KEYS = {
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "enter": b"\r",
    "ctrl+q": b"\x11",
}


class _Screen(pyte.Screen):
    """pyte's screen, tolerant of private-mode SGR sequences (vim sends `CSI > 4;2 m`)."""

    def select_graphic_rendition(self, *attrs: int, private: bool = False) -> None:
        if not private:
            super().select_graphic_rendition(*attrs)


class PtySession:
    """A child process on a pty of `cols`×`rows`, its output fed to a pyte screen."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        child_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})}
        child_env.pop("NO_COLOR", None)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=child_env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._fd = master
        self.screen = _Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)
        # Answer the terminal queries (cursor position, device attributes) the child sends.
        self.screen.write_process_input = lambda data: os.write(self._fd, data.encode())
        self.total_bytes = 0
        # When the chunk last fed to the screen arrived (perf_counter). pyte parses ~4 KB in
        # ~25 ms, far slower than a real terminal: were the pty read only between parses, the
        # child would block on the full pty buffer and every timing would include pyte's work.
        # A thread drains the pty as the bytes come and stamps each chunk on arrival.
        self.arrived = self.started
        self._chunks: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 1 << 16)
            except OSError:  # the child closed the terminal, or we did
                data = b""
            if not data:
                self._chunks.put(None)
                return
            self._chunks.put((time.perf_counter(), data))

    def read_some(self, timeout: float) -> int:
        """Feed the screen the next chunk that arrives within `timeout`; its size in bytes.
        `self.arrived` is then when that chunk reached the terminal."""
        try:
            chunk = self._chunks.get(timeout=max(timeout, 0))
        except queue.Empty:
            return 0
        if chunk is None:  # end of output: keep the marker for later reads
            self._chunks.put(None)
            time.sleep(min(timeout, 0.01))
            return 0
        self.arrived, data = chunk
        self.total_bytes += len(data)
        self._stream.feed(data)
        return len(data)

    def wait_for(self, predicate: Callable[[pyte.Screen], bool], timeout: float = 30.0) -> float:
        """Read output until `predicate(screen)` holds; seconds from `self.started` to the
        arrival of the chunk that made it hold. Raises TimeoutError with the screen text when
        it never does."""
        deadline = time.perf_counter() + timeout
        while not predicate(self.screen):
            if time.perf_counter() > deadline or self.process.poll() is not None:
                raise TimeoutError("\n".join(self.screen.display))
            self.read_some(0.01)
        return self.arrived - self.started

    def send(self, data: bytes) -> float:
        """Write keys to the child; returns the time sent (perf_counter)."""
        os.write(self._fd, data)
        return time.perf_counter()

    def settle(self, quiet: float = 0.15, timeout: float = 10.0) -> int:
        """Read until no output arrives for `quiet` seconds; the bytes read meanwhile."""
        deadline = time.perf_counter() + timeout
        received = 0
        while time.perf_counter() < deadline:
            got = self.read_some(quiet)
            if not got:
                break
            received += got
        return received

    def press(self, key: bytes, quiet: float = 0.15) -> int:
        """Send one key and return the bytes written in answer (until output settles)."""
        self.send(key)
        return self.settle(quiet)

    def rss_mb(self) -> float:
        """Resident memory of the child, in MB (Linux)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._drainer.join(timeout=1.0)  # it ends when the child's side of the pty closes
        os.close(self._fd)


def row_text(screen: pyte.Screen, row: int) -> str:
    return screen.display[row]


def find_text(screen: pyte.Screen, text: str) -> tuple[int, int] | None:
    """(row, column) of the first occurrence of `text` on screen."""
    for row, line in enumerate(screen.display):
        column = line.find(text)
        if column >= 0:
            return row, column
    return None


def foreground(screen: pyte.Screen, row: int, column: int) -> str:
    return screen.buffer[row][column].fg

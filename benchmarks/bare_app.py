"""The start-up anchor: a bare Textual app showing a note's text in one Static.

    python benchmarks/bare_app.py NOTE

A file of its own so that it imports nothing but Textual: run from `bench_app.py`, it would
also pay for that script's imports (the pty harness and pyte, ~40 ms), flattering the ratio.
"""

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static

TEXT = Path(sys.argv[1]).read_text(encoding="utf-8")


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static(TEXT, markup=False)


if __name__ == "__main__":
    Bare().run()

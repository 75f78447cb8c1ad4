"""Command line: `readertui [PATH]` opens the TUI; subcommands run headless on the core.

Each subcommand lives in `readertui.commands.<name>` and exposes `register(subparsers)`,
which adds its parser and sets `func=run`, and `run(args) -> int`. Exit codes: 0 success,
1 the command found problems (broken citations), 2 usage or environment errors.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from readertui import __version__
from readertui.core.errors import ReadertuiError

if TYPE_CHECKING:
    import argparse

COMMANDS = ("check", "log", "bookmarks", "add", "update", "symbols")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (for speed: each command imports its core modules) just `only`."""
    return _build(only)[0]


def _build(only: str | None) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    import argparse

    parser = argparse.ArgumentParser(
        prog="readertui",
        description="Read a codebase beside research notes that cite it. "
        "With no command, open the three-pane reader on PATH (default: the current folder).",
    )
    parser.add_argument("--version", action="version", version=f"readertui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"readertui.commands.{name}").register(sub)
    return parser, sub


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    undecodable = _undecodable(argv)
    if undecodable is not None:
        print(f"readertui: error: {undecodable}", file=sys.stderr)
        return 2
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        return _open_tui(argv)  # Textual writes to the terminal itself; its errors: _error_line
    with _inert_output():
        args = _parse(argv)
        try:
            return int(args.func(args))
        except ReadertuiError as error:
            print(f"readertui: error: {_one_line(str(error))}", file=sys.stderr)
            return 2
        except UnicodeError as error:  # text that is not UTF-8 where the command needs it
            print(f"readertui: error: {_one_line(str(error))}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM/SIGHUP during `add` (rolled back)
            if str(error):  # `add` says what it put back
                with suppress(OSError):  # (a hung-up terminal takes no more output)
                    print(f"readertui: {_one_line(str(error))}", file=sys.stderr)
            return 128 + int(getattr(error, "signum", 2))
        except BrokenPipeError:
            return 0


def _error_line(message: str) -> str:
    """An error for stderr outside `_inert_output` (the TUI's start): made inert, one line."""
    from readertui.core.safe_text import sanitize_line

    return f"readertui: error: {sanitize_line(_one_line(message))}"


def _one_line(message: str) -> str:
    """A message that spans lines (git's, say) joined into one."""
    return " — ".join(line.strip() for line in message.splitlines() if line.strip())


def _undecodable(argv: list[str]) -> str | None:
    """The complaint about the first argument that is not valid UTF-8 (Python hands such bytes
    over as lone surrogates), or None."""
    for index, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as error:
            raw = arg.encode("utf-8", "surrogateescape")[error.start : error.start + 1].hex()
            return f"argument {index} is not valid UTF-8 (byte 0x{raw}); readertui takes UTF-8 text"
    return None


class _InertStream:
    """A text stream that shows every control character but newline and tab as a visible
    placeholder (`safe_text.terminal_text`): whatever a command prints — names, labels,
    citations, git's messages — cannot drive the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from readertui.core.safe_text import terminal_text

        self._stream.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def _inert_output() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    for stream in saved:
        reconfigure = getattr(stream, "reconfigure", None)
        try:  # a terminal that cannot show a placeholder gets `?`, not a UnicodeEncodeError
            if reconfigure is not None:
                reconfigure(errors="replace")
        except ValueError:
            pass
    sys.stdout, sys.stderr = cast(TextIO, _InertStream(saved[0])), cast(TextIO, _InertStream(saved[1]))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse, letting options sit between positionals (`add URL --name N PATH`).

    Plain `parse_args` stops filling positionals at the first option; argparse's intermixed
    parsing fixes that but refuses parsers with sub-commands (`bookmarks add`) and mishandles
    `--` (`add -- -url`) before Python 3.12, hence the fallbacks."""
    if argv[0] not in COMMANDS or "--" in argv:
        return build_parser().parse_args(argv)
    parser, sub = _build(argv[0])
    command = sub.choices[argv[0]]
    try:
        return command.parse_intermixed_args(argv[1:])
    except TypeError:
        return parser.parse_args(argv)


def _open_tui(argv: list[str]) -> int:
    path = _tui_path(argv)
    # No cyclic garbage collection until the first screen is out (the main screen turns it
    # back on): imports and building the screen allocate much and free little, and the
    # collector's passes over them took ~40 ms of the start-up (measured).
    gc.disable()
    try:
        return _run_tui(path)
    finally:
        gc.enable()


def _tui_path(argv: list[str]) -> Path:
    """PATH from `readertui [PATH]`. The usual forms need no argparse, whose import is ~2 ms
    of every start; anything else gets argparse's usage line and errors."""
    if len(argv) <= 1 and not (argv and argv[0].startswith("-")):
        return Path(argv[0] if argv else ".")
    import argparse

    parser = argparse.ArgumentParser(prog="readertui")
    parser.add_argument("path", nargs="?", default=".", type=Path)
    return parser.parse_args(argv).path


def _run_tui(path: Path) -> int:
    from concurrent.futures import ThreadPoolExecutor  # asyncio imports it anyway

    from readertui.config.settings import load_settings
    from readertui.core.workspace import find_workspace

    def settings_and_workspace():
        settings, problems = load_settings()
        return settings, problems, find_workspace(path)

    # The settings and the workspace are found while the main thread imports Textual, so the
    # workspace's three git processes (~8 ms) run beside the imports instead of after them.
    with ThreadPoolExecutor(max_workers=1) as pool:
        found = pool.submit(settings_and_workspace)
        try:
            from readertui.ui.app import run_app
        except ImportError as error:  # a broken install, not a user error
            print(_error_line(f"the TUI cannot start: {error}"), file=sys.stderr)
            return 2
        try:
            settings, problems, workspace = found.result()
            return run_app(path, workspace, settings, problems)
        except ReadertuiError as error:
            print(_error_line(str(error)), file=sys.stderr)
            return 2

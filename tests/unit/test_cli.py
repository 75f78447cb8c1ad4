"""The command-line front door: version, help, exit codes and argument order."""

from __future__ import annotations

import subprocess
import sys

import pytest

from readertui import __version__
from readertui.cli import COMMANDS, _parse, main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args], capture_output=True, text=True, timeout=60
    )


def test_version_and_help() -> None:
    version = run("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"readertui {__version__}"
    usage = run("--help")
    assert usage.returncode == 0
    for command in COMMANDS:
        assert command in usage.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    assert f"readertui {command}" in capsys.readouterr().out


def test_options_may_sit_between_positionals() -> None:
    args = _parse(["add", "https://example.invalid/o/Repo.git", "--name", "study", "kb/awesome"])
    assert (args.url, args.name, str(args.path)) == ("https://example.invalid/o/Repo.git", "study", "kb/awesome")
    args = _parse(["update", "engine-study", "--to", "v2", "kb/awesome"])
    assert (args.project, args.to, str(args.path)) == ("engine-study", "v2", "kb/awesome")


def test_double_dash_still_ends_options() -> None:
    args = _parse(["add", "--", "-oops", "kb"])
    assert (args.url, str(args.path)) == ("-oops", "kb")


def test_commands_with_subcommands_still_parse() -> None:
    args = _parse(["bookmarks", "rename", "abc", "new label"])
    assert args.func is not None


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    done = run("check", "--no-such-option")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "unrecognized arguments" in done.stderr

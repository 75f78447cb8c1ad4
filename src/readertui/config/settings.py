"""`config.toml` → a frozen `Settings`: complete typed defaults with the user's file laid over.

Every field has a default, so a missing, empty or broken file still yields usable settings.
Unknown keys, wrong types and out-of-range values become `Problem`s (file, key, line, and the
closest known key) and the default is kept. `NO_COLOR` (https://no-color.org: set and not
empty) turns colour off whatever the file says.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from readertui.config import paths
from readertui.config.tomldata import TomlDocument, closest, read_toml, type_name
from readertui.core.model import Problem


class Settings(msgspec.Struct, frozen=True):
    """What config.toml may set; every field has a default."""
    theme: str = "dark"  # a name from themes/ (built-in or the user's)
    keymap: str = "default"  # a name from keymaps/ (built-in or the user's)
    show_tree: bool = True  # panes shown at start
    show_notes: bool = True
    editor: str | None = None  # command line for "open in editor"; None: $VISUAL, then $EDITOR
    tab_width: int = 4
    max_file_bytes: int = 64 * 1024 * 1024  # larger files are refused with the reason
    highlight_max_bytes: int = 32 * 1024 * 1024  # larger files are shown as plain text
    no_color: bool = False  # also forced on by the NO_COLOR environment variable


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    name: tuple(t for t in (typing.get_args(hint) or (hint,)) if t is not type(None))
    for name, hint in typing.get_type_hints(Settings).items()
}

# Value checks beyond the type: (test, what the value must be).
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "theme": (bool, "a theme name, not empty"),
    "keymap": (bool, "a keymap name, not empty"),
    "editor": (lambda value: bool(value.strip()), "a command, not empty"),
    "tab_width": (lambda value: 1 <= value <= 16, "between 1 and 16"),
    "max_file_bytes": (lambda value: value > 0, "a positive number of bytes"),
    "highlight_max_bytes": (lambda value: value >= 0, "zero or a positive number of bytes"),
}


# Settings that name a file of keymaps/ or themes/ (built-in or the user's).
_NAMED: dict[str, str] = {"keymap": "keymaps", "theme": "themes"}


def load_settings(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, list[Problem]]:
    """Read `path` (default: the user's `config.toml`); a missing file means all defaults."""
    path = path if path is not None else paths.config_file()
    environ = os.environ if environ is None else environ
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if path.exists():
        document, problems = read_toml(path)
        if document is not None:
            values = _validated_values(document, problems)
    settings = msgspec.structs.replace(Settings(), **values)
    if no_color_requested(environ):
        settings = msgspec.structs.replace(settings, no_color=True)
    return settings, problems


def no_color_requested(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("NO_COLOR"))


def _validated_values(document: TomlDocument, problems: list[Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in document.data.items():
        expected = _FIELD_TYPES.get(key)
        if expected is None:
            problems.append(document.problem((key,), "unknown setting", choices=_FIELD_TYPES))
            continue
        # bool is an int in Python, but `tab_width = true` is a mistake in TOML.
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            wanted = " or ".join(type_name(t) for t in expected)
            problems.append(
                document.problem((key,), f"expected {wanted}, got {type_name(type(value))}; default kept")
            )
            continue
        check = _CHECKS.get(key)
        if check is not None and not check[0](value):
            problems.append(document.problem((key,), f"must be {check[1]}; default kept"))
            continue
        kind = _NAMED.get(key)
        if kind is not None and isinstance(value, str):  # (a str: checked above)
            # Said here, at this line of config.toml: the keymap or theme loader would name the
            # file it looked for, which does not exist.
            available = paths.data_names(kind)
            if value not in available:
                problems.append(document.problem(
                    (key,), f"no {key} named {value!r} (available: {', '.join(available)}); default kept",
                    suggestion=closest(value, available),
                ))
                continue
        values[key] = value
    return values

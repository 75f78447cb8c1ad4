"""Where readertui's files live: the user's XDG config and state dirs, and the built-in data.

The config dir holds `config.toml`, `keymaps/*.toml` and `themes/*.toml`; the state dir holds
per-user state (last position, layout), never research data; the cache dir holds what can be
rebuilt (parsed TOML). `READERTUI_CONFIG_DIR`, `READERTUI_STATE_DIR` and `READERTUI_CACHE_DIR`
override them (tests, portable setups). Built-in keymaps and themes ship inside the wheel at
`readertui/_data/`; in a source checkout they are the repository's top-level `keymaps/` and
`themes/` folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "readertui"
DATA_KINDS = ("keymaps", "themes")


def config_dir() -> Path:
    """`$READERTUI_CONFIG_DIR`, else the XDG config dir (`~/.config/readertui`)."""
    override = os.environ.get("READERTUI_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME)


def state_dir() -> Path:
    """`$READERTUI_STATE_DIR`, else the XDG state dir (`~/.local/state/readertui`)."""
    override = os.environ.get("READERTUI_STATE_DIR")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_state_path(APP_NAME)


def cache_dir() -> Path:
    """`$READERTUI_CACHE_DIR`, else the XDG cache dir (`~/.cache/readertui`)."""
    override = os.environ.get("READERTUI_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_cache_path(APP_NAME)


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_data_dir(kind: str) -> Path:
    """The user's folder of `kind` ("keymaps" or "themes") files, which override built-ins."""
    _check_kind(kind)
    return config_dir() / kind


def builtin_data_dir(kind: str) -> Path:
    """The built-in folder of `kind`: inside the installed package, else the source checkout."""
    _check_kind(kind)
    # readertui/config/paths.py: the package is two levels up, the source checkout four.
    # (Not importlib.resources: the package is a plain folder either way, and importing
    # resources' machinery took ~4 ms of each start.)
    here = Path(__file__).resolve()
    installed = here.parents[1] / "_data" / kind
    if installed.is_dir():
        return installed
    return here.parents[3] / kind


def data_names(kind: str, user_dir: Path | None = None, builtin_dir: Path | None = None) -> list[str]:
    """Names (file stems) of every available `kind` file, built-in and user, sorted."""
    folders = (builtin_dir or builtin_data_dir(kind), user_dir or user_data_dir(kind))
    return sorted({path.stem for folder in folders if folder.is_dir() for path in folder.glob("*.toml")})


def _check_kind(kind: str) -> None:
    if kind not in DATA_KINDS:
        raise ValueError(f"unknown data kind {kind!r}; expected one of {DATA_KINDS}")

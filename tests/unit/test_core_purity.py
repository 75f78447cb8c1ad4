"""The core and config layers never import Textual or Rich (ARCHITECTURE.md, principle 1)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import readertui.config
import readertui.core


def _modules(package) -> list[str]:
    return sorted(
        f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
    )


MODULES = _modules(readertui.core) + _modules(readertui.config)


def test_no_core_or_config_module_imports_ui_libraries() -> None:
    """One fresh interpreter imports every module in turn; the first import that brings in
    Textual or Rich is named (a process per module cost ~8 s of the suite)."""
    code = (
        "import importlib, sys\n"
        f"for module in {MODULES!r}:\n"
        "    importlib.import_module(module)\n"
        "    bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "    if bad:\n"
        "        print(module, ','.join(bad))\n"
        "        break\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"pulls in a UI library: {out.stdout.strip()}"
    assert len(MODULES) > 30  # the list is real


def test_headless_cli_does_not_import_ui_libraries() -> None:
    code = (
        "import sys\n"
        "from readertui.cli import build_parser\n"
        "build_parser()\n"
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

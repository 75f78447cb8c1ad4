"""The core and config layers never import Textual or Rich (ARCHITECTURE.md, principle 1)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import readertui.config
import readertui.core


def _modules(package) -> list[str]:
    return sorted(
        f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
    )


@pytest.mark.parametrize("module", _modules(readertui.core) + _modules(readertui.config))
def test_module_does_not_import_ui_libraries(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulls in {out.stdout.strip()}"


def test_headless_cli_does_not_import_ui_libraries() -> None:
    code = (
        "import sys\n"
        "from readertui.cli import build_parser\n"
        "build_parser()\n"
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

"""Which of several definitions of a name the reader most likely means (pure, no I/O).

Order, from the file the cursor is in:

0. the same file;
1. the module the file imports the name from — Python `from a.b import Name` (relative too),
   C/C++/CUDA `#include "queue.h"` (the header and its sibling `queue.c`/`.cc`/`.cu`), JS/TS
   `import { Name } from './y'`, Rust `use crate::a::Name`, Go `import "x/y"`;
2. the same directory;
3. anywhere else;
4. then 2 and 3 again for tests, vendored code and hidden folders.

Within a rank: definitions before prototypes and `impl` blocks, then by path and line.
Imports are read with regular expressions over the text: cheap, any language, good enough to
order a list (a wrong guess only moves a candidate down).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

import msgspec

from readertui.core.lazy_pattern import LazyPattern
from readertui.core.symbols import SymbolHit, low_folder

_PY_FROM = LazyPattern(r"^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)", re.MULTILINE)
_C_INCLUDE = LazyPattern(r'^[ \t]*#[ \t]*include[ \t]*["<]([^">\n]+)[">]', re.MULTILINE)
_JS_IMPORT = LazyPattern(
    r"""(?:import|export)\s+(?:type\s+)?([\w$*{}\s,]+?)\s+from\s+['"]([^'"\n]+)['"]"""
    r"""|require\(\s*['"]([^'"\n]+)['"]\s*\)""",
)
_RUST_USE = LazyPattern(r"^[ \t]*(?:pub[ \t]+)?use[ \t]+([\w:]+)(?:::\{([^}]*)\})?", re.MULTILINE)
_GO_IMPORT = LazyPattern(r'"([\w./-]+)"')
_C_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".cu", ".h", ".hpp", ".cuh")
_JS_SUFFIXES = ("", ".js", ".ts", ".tsx", ".jsx", ".mjs", ".cjs", "/index.js", "/index.ts", "/index.tsx")


class ImportHints(msgspec.Struct, frozen=True):
    """Files (exact repo-relative paths, or path suffixes) a name is imported from."""

    exact: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()  # Go packages: any file in a folder ending so

    def matches(self, path: str) -> bool:
        if path in self.exact:
            return True
        if any(path == suffix or path.endswith("/" + suffix) for suffix in self.suffixes):
            return True
        folder = posixpath.dirname(path)
        return any(folder == f or folder.endswith("/" + f) for f in self.folders)


def _names(imported: str) -> set[str]:
    """`(A, B as C)` → {A, B}: the names as defined (an alias is not the definition's name)."""
    found = set()
    for part in imported.strip("() \t\n{}").replace("\n", ",").split(","):
        words = part.split()
        if words:
            found.add(words[0].strip("{}"))
    return found


def import_hints(source: str, language: str | None, name: str, current_path: str) -> ImportHints:
    """Where the file at `current_path` (repo-relative) imports `name` from."""
    folder = posixpath.dirname(current_path)
    exact: set[str] = set()
    suffixes: list[str] = []
    folders: list[str] = []
    text = source[:2_000_000]
    if language == "python":
        for module, imported in _PY_FROM.findall(text):
            names = _names(imported)
            if name not in names and "*" not in names:
                continue
            dots = len(module) - len(module.lstrip("."))
            parts = [p for p in module.lstrip(".").split(".") if p]
            if dots:
                base = folder
                for _ in range(dots - 1):
                    base = posixpath.dirname(base)
                stem = posixpath.join(base, *parts) if parts else base
                exact.update({f"{stem}.py", f"{stem}/__init__.py"} if parts else {f"{stem}/__init__.py"})
            elif parts:
                stem = "/".join(parts)
                suffixes += [f"{stem}.py", f"{stem}/__init__.py", f"{stem}.pyi"]
    elif language in ("c", "cpp", "cuda"):
        for header in _C_INCLUDE.findall(text):
            header = header.strip()
            stem, _ = posixpath.splitext(header)
            beside = posixpath.normpath(posixpath.join(folder, header))
            exact.add(beside)
            suffixes.append(header)
            for extension in _C_SOURCES:
                suffixes.append(stem + extension)
    elif language in ("javascript", "typescript", "tsx"):
        for match in _JS_IMPORT.finditer(text):
            imported, where = match.group(1), match.group(2) or match.group(3)
            if imported is not None and name not in _names(imported) and "*" not in imported:
                continue
            if where.startswith("."):
                stem = posixpath.normpath(posixpath.join(folder, where))
                exact.update(stem + suffix for suffix in _JS_SUFFIXES)
            else:
                suffixes.extend(where.rstrip("/") + suffix for suffix in _JS_SUFFIXES[1:])
    elif language == "rust":
        for path, group in _RUST_USE.findall(text):
            parts = [p for p in path.split("::") if p]
            if group:
                if name not in _names(group):
                    continue
            elif not parts or parts[-1] != name:
                continue
            else:
                parts = parts[:-1]
            parts = [p for p in parts if p not in ("crate", "self", "super")]
            if parts:
                stem = "/".join(parts)
                suffixes += [f"{stem}.rs", f"{stem}/mod.rs"]
    elif language == "go":
        block = re.findall(r"import\s*\(([^)]*)\)|import\s+(\"[^\"\n]*\")", text)
        for group, single in block:
            folders.extend(_GO_IMPORT.findall(group or single))
    return ImportHints(frozenset(exact), tuple(dict.fromkeys(suffixes)), tuple(dict.fromkeys(folders)))


_KIND_ORDER = {"prototype": 2, "impl": 1}


def rank(
    hits: Iterable[SymbolHit],
    repo: str | None,
    path: str | None,
    hints: ImportHints | None = None,
) -> list[SymbolHit]:
    """`hits` best first for a reader in `repo`/`path` (None: no current file)."""
    hints = hints or ImportHints()
    folder = posixpath.dirname(path) if path is not None else None

    def key(hit: SymbolHit) -> tuple[int, int, str, str, int]:
        same_repo = hit.repo == repo
        if same_repo and hit.path == path:
            tier = 0
        elif same_repo and hints.matches(hit.path):
            tier = 1
        else:
            tier = 2 if same_repo and posixpath.dirname(hit.path) == folder else 3
            if low_folder(hit.path):
                tier += 2
        return (tier, _KIND_ORDER.get(hit.definition.kind, 0), hit.repo, hit.path, hit.definition.line)

    return sorted(hits, key=key)

"""The index's fast first tier for Python: definitions read off `git grep` lines, while the
worker processes build the precise tier (tree-sitter) behind it (pure: no Textual).

A cold index of a big repo is bound by tree-sitter's parser (~6 CPU-seconds for sympy's
26 MB); `git grep -P` finds every `def`/`class` header and module-level `NAME =` line of the
same tree in ~0.3 s, in git's own threads, without the GIL. Each header becomes a
`Definition` whose name, kind and line are what the precise tier says in practice (99.4% of
sympy's definitions are identical, scope included), so workspace symbols and go to
definition answer from the first second. Each file's first-tier definitions are replaced as
soon as its precise ones arrive; only precise ones are ever stored.

What the first tier can get wrong (until the precise tier replaces it):
- a line that merely looks like a header inside a multi-line string (`def f(x):` in a
  docstring's example, `X = 1` at column 0 of a module docstring) is listed as a definition;
- scope is taken from the indentation of the headers alone: a `def` that follows the end of
  a nested function at a deeper indentation is put inside it (`outer.inner.later` for
  `outer.later`);
- the range is the header line only (`start == end == line`): decorators and bodies are not
  known, so a citation from it names one line;
- names outside ASCII are missed; a header split over lines (`def \\` + name) too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection
from pathlib import Path

from readertui.core.errors import ReadertuiError
from readertui.core.git import LineStream, is_full_sha
from readertui.core.tags import MAX_NAME_CHARS, Definition

# What git grep looks for (PCRE: git's own POSIX regex engine is 10x slower on this).
_GREP = (
    r"^[ \t]*(async[ \t]+)?def[ \t]+[A-Za-z_]\w*[ \t]*[(\[]"
    r"|^[ \t]*class[ \t]+[A-Za-z_]\w*[ \t]*[:(\[]"
    r"|^[A-Za-z_]\w*[ \t]*(:[^=\n]*)?=(?!=)"
)
# How each line found reads (the same three shapes).
_LINE = re.compile(
    r"(?P<indent>[ \t]*)(?:(?:async[ \t]+)?(?P<keyword>def|class)[ \t]+(?P<name>[A-Za-z_]\w*)"
    r"|(?P<constant>[A-Za-z_]\w*))"
)


def python_definitions(
    root: Path, commit: str, wanted: Collection[str] | None = None, cancel: threading.Event | None = None
) -> dict[str, tuple[Definition, ...]] | None:
    """First-tier definitions of the Python files of `root` at `commit` (only the paths in
    `wanted` when given), by path. None when git grep cannot run here (no PCRE support,
    a bad commit) or `cancel` was set (git is stopped at once): then there is no first tier,
    nothing fails."""
    if not is_full_sha(commit):  # git grep takes no --end-of-options: never an option
        return None
    prefix = f"{commit}:".encode()
    headers: dict[str, list[tuple[int, str]]] = {}
    try:
        stream = LineStream(
            root,
            ["grep", "-n", "-z", "-I", "--no-color", "-P", "-e", _GREP, commit, "--", "*.py"],
            lazy_fetch=False,
        )
    except ReadertuiError:
        return None
    with stream:
        for line in stream:
            if cancel is not None and cancel.is_set():
                stream.close()
                return None
            path_raw, _, rest = line.partition(b"\0")
            number, _, text = rest.partition(b"\0")
            if not path_raw.startswith(prefix) or not number.isdigit():
                continue
            path = path_raw[len(prefix) :].decode("utf-8", "surrogateescape")
            if wanted is not None and path not in wanted:
                continue
            headers.setdefault(path, []).append((int(number), text.decode("utf-8", "replace")))
    if stream.returncode not in (0, 1):  # 1: nothing found; anything else: no first tier
        return None
    return {path: _nest(lines) for path, lines in headers.items()}


def _nest(lines: list[tuple[int, str]]) -> tuple[Definition, ...]:
    """Definitions of one file's header lines, scoped by their indentation."""
    stack: list[tuple[int, str, str]] = []  # (indent, qualified name, kind) of open headers
    result = []
    for number, text in lines:
        match = _LINE.match(text)
        if match is None:
            continue
        if match["constant"] is not None:
            stack.clear()  # a statement at column 0 ends every block
            name = match["constant"][:MAX_NAME_CHARS]
            result.append(Definition(name, "constant", number, number, number, 0, ""))
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        enclosing = stack[-1] if stack else None
        if match["keyword"] == "class":
            kind = "class"
        else:
            kind = "method" if enclosing is not None and enclosing[2] == "class" else "function"
        scope = enclosing[1] if enclosing else ""
        name = match["name"][:MAX_NAME_CHARS]
        result.append(Definition(name, kind, number, number, number, match.start("name"), scope))
        stack.append((indent, f"{scope}.{name}" if scope else name, kind))
    return tuple(result)

"""Regular expressions compiled on first use.

The core's modules define their patterns at module level, and compiling the large ones (the
citation finders, the reading log's headings) took ~35 ms at import: a cost every start of the
reader paid before its first screen, which shows a note before scanning it.
"""

from __future__ import annotations

import re
from typing import Any

_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """Stands for `re.compile(pattern, flags)`, compiling it when first used. The common
    methods then become the compiled pattern's own, so later calls cost nothing extra."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:  # two threads may both compile: the same pattern either way
            compiled = self._compiled = re.compile(*self._args)
            for method in _METHODS:
                setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

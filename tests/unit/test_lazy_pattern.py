from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from readertui.core import lazy_pattern
from readertui.core.lazy_pattern import LazyPattern


def test_compiles_only_when_first_used(monkeypatch) -> None:
    calls: list[tuple] = []
    real = re.compile
    monkeypatch.setattr(lazy_pattern.re, "compile", lambda *args: calls.append(args) or real(*args))
    pattern = LazyPattern(r"(\d+)-(\d+)", re.ASCII)
    assert calls == []
    assert pattern.search("lines 10-20").groups() == ("10", "20")
    assert pattern.fullmatch("1-2") and not pattern.match("x1-2")
    assert pattern.pattern == r"(\d+)-(\d+)"
    assert len(calls) == 1  # later calls use the compiled pattern's own methods


@given(st.text(alphabet="ab-1 行", max_size=30))
def test_answers_like_a_compiled_pattern(text: str) -> None:
    source = r"[ab]+|\d|行"
    lazy, compiled = LazyPattern(source), re.compile(source)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.sub("_", text) == compiled.sub("_", text)
    assert lazy.split(text) == compiled.split(text)

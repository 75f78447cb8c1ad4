"""core/tags: definitions, scopes, ranges and references from the grammar wheels' tags queries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core import tags
from readertui.core.tags import (
    Definition,
    definitions,
    enclosing,
    language_for,
    references,
)

PYTHON = b'''import os
X = 1


class TransformerLayer(Base):
    """A layer."""

    @property
    def forward(self, x):
        def inner():
            pass
        return self.mlp(x)


def top():
    helper()
'''


def by_qualified(defs: list[Definition]) -> dict[str, Definition]:
    return {d.qualified: d for d in defs}


def test_python_definitions_kinds_scopes_and_whole_ranges() -> None:
    defs = by_qualified(definitions(PYTHON, "python"))
    assert set(defs) == {"X", "TransformerLayer", "TransformerLayer.forward", "TransformerLayer.forward.inner", "top"}
    layer = defs["TransformerLayer"]
    assert (layer.kind, layer.start, layer.end, layer.line, layer.column) == ("class", 5, 12, 5, 6)
    forward = defs["TransformerLayer.forward"]
    # The decorator belongs to the definition; the name is on the `def` line.
    assert (forward.kind, forward.start, forward.end, forward.line) == ("method", 8, 12, 9)
    assert defs["TransformerLayer.forward.inner"].kind == "function"
    assert (defs["top"].start, defs["top"].end) == (15, 16)


def test_python_references_are_calls() -> None:
    refs = references(PYTHON, "python")
    assert [(r.name, r.kind, r.line) for r in refs] == [("mlp", "call", 12), ("helper", "call", 16)]


C_SOURCE = b'''#include "queue.h"
#define MAX(a, b) ((a) > (b) ? (a) : (b))
typedef struct queue { int n; } queue_t;
enum color { RED, GREEN };
int queue_push(queue_t *q, int v);
static inline int *queue_pop(queue_t *q)
{
    return helper(q);
}
'''


def test_c_functions_span_their_body_and_prototypes_are_marked() -> None:
    defs = {d.name: d for d in definitions(C_SOURCE, "c")}
    assert (defs["queue_pop"].kind, defs["queue_pop"].start, defs["queue_pop"].end) == ("function", 6, 9)
    assert defs["queue_push"].kind == "prototype"
    assert defs["MAX"].kind == "macro"
    assert defs["queue_t"].kind == "type"
    assert (defs["queue"].kind, defs["queue"].scope) == ("class", "")
    assert (defs["RED"].kind, defs["RED"].scope) == ("constant", "color")
    assert [r.name for r in references(C_SOURCE, "c")] == ["helper"]


CPP_SOURCE = b'''namespace ns {
template <typename T>
class Foo {
 public:
  void bar() { baz(); }
  int qux(int);
};
int Foo::qux(int x) { return x; }
}
__global__ void kern(float *a) { a[0] = 1; }
'''


@pytest.mark.parametrize("language", ["cpp", "cuda"])
def test_cpp_and_cuda_scopes_from_nesting_and_qualifiers(language: str) -> None:
    defs = definitions(CPP_SOURCE, language)
    got = [(d.qualified, d.kind, d.start, d.end) for d in defs]
    assert ("ns", "module", 1, 9) in got
    assert ("ns.Foo", "class", 2, 7) in got  # with its template line
    assert ("ns.Foo.bar", "method", 5, 5) in got
    assert ("ns.Foo.qux", "prototype", 6, 6) in got
    assert ("ns.Foo.qux", "method", 8, 8) in got
    assert ("kern", "function", 10, 10) in got


def test_go_rust_typescript_bash() -> None:
    go = b"package main\ntype T struct{}\nfunc (t *T) M() {}\nfunc F() { t.M() }\n"
    assert [(d.qualified, d.kind) for d in definitions(go, "go")] == [("T", "type"), ("T.M", "method"), ("F", "function")]
    rust = b"struct S;\nimpl S {\n    fn new() -> S { S }\n}\nmod m {\n    fn f() {}\n}\n"
    got = [(d.qualified, d.kind) for d in definitions(rust, "rust")]
    assert ("S.new", "method") in got and ("m.f", "function") in got
    ts = b"export class A { m() {} }\ninterface I { x(): void }\ntype T = number;\nconst f = () => 1;\n"
    for language in ("typescript", "tsx"):
        got = [(d.qualified, d.kind) for d in definitions(ts, language)]
        assert got == [("A", "class"), ("A.m", "method"), ("I", "interface"), ("I.x", "method"), ("T", "type"), ("f", "function")]
    sh = b"foo() { echo hi; }\nfunction bar { foo; }\n"
    assert [d.name for d in definitions(sh, "bash")] == ["foo", "bar"]


def test_columns_count_characters_not_bytes() -> None:
    source = "π = 1\nclass Ünïcode:\n    pass\n".encode()
    defs = by_qualified(definitions(source, "python"))
    assert (defs["Ünïcode"].line, defs["Ünïcode"].column) == (2, 6)


def test_enclosing_is_the_innermost_definition() -> None:
    defs = definitions(PYTHON, "python")
    assert enclosing(defs, 11).qualified == "TransformerLayer.forward.inner"  # type: ignore[union-attr]
    assert enclosing(defs, 12).qualified == "TransformerLayer.forward"  # type: ignore[union-attr]
    assert enclosing(defs, 6).qualified == "TransformerLayer"  # type: ignore[union-attr]
    assert enclosing(defs, 1) is None
    assert enclosing([], 3) is None


def test_unknown_language_and_names() -> None:
    assert definitions(b"x = 1", "markdown") == []
    assert definitions(b"x = 1", "cobol") == []
    assert language_for("a/b.py") == "python"
    assert language_for("kernel.cu") == "cuda"
    assert language_for("README.md") is None
    assert language_for("script", b"#!/usr/bin/env python3\n") == "python"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(tags.languages()), st.integers(min_value=-5, max_value=50))
def test_any_bytes_never_raise(source: bytes, language: str, line: int) -> None:
    result = tags.extract(source, language)
    for definition in result.definitions:
        assert 1 <= definition.start <= definition.line <= definition.end or definition.start <= definition.end
        assert definition.column >= 0
    enclosing(result.definitions, line)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="class def ():\n\t x=1{}[]#\"'\\ü;*&<>", max_size=300), st.sampled_from(tags.languages()))
def test_code_like_text_never_raises(text: str, language: str) -> None:
    for definition in tags.definitions(text.encode("utf-8", "surrogatepass"), language):
        assert definition.start <= definition.end
        assert len(definition.name) <= tags.MAX_NAME_CHARS


# Python definitions come from a walk over statements, not the query (5x faster on big files):
# it must find exactly what the tags query's definition patterns find, on any input.
PY_PIECES = st.sampled_from(
    ["def f(x):\n", "class C(B):\n", "    ", "\t", "@deco\n", "X = 1\n", "y: int = 2\n", "a = b = 3\n",
     "if x:\n", "else:\n", "try:\n", "except E:\n", "with a as b:\n", "for i in r:\n", "match v:\n",
     "case 1:\n", "pass\n", "return (\n", ")\n", "'''\n", "lambda: 0\n", "async def g():\n", "(", ":", "\n",
     "x(", "def", "class", "é", "\x00"]
)


def test_python_walk_matches_the_tags_query_on_a_real_shaped_file() -> None:
    source = PYTHON + b"\nif True:\n    def guarded():\n        pass\nelse:\n    class Other:\n        Z = 2\n"
    assert definitions(source, "python") == list(tags.extract(source, "python").definitions)
    assert "guarded" in {d.name for d in definitions(source, "python")}


@settings(max_examples=200, deadline=None)
@given(st.lists(PY_PIECES, max_size=40))
def test_python_walk_matches_the_tags_query_on_any_text(pieces: list[str]) -> None:
    source = "".join(pieces).encode("utf-8")
    assert definitions(source, "python") == list(tags.extract(source, "python").definitions)


def test_python_definitions_never_run_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    import tree_sitter

    def refuse(*_: object) -> None:
        raise AssertionError("the tags query ran")

    tags.warm_up("python")
    monkeypatch.setattr(tree_sitter, "QueryCursor", refuse)
    assert {d.qualified for d in definitions(PYTHON, "python")} >= {"TransformerLayer.forward", "top", "X"}


# A big file is matched window by window (one `matches()` call holds the GIL: a whole 900 KB
# C++ file would stall the reader's UI thread ~100 ms); windows must change nothing.
SAMPLES = {
    "python": PYTHON * 3,
    "c": C_SOURCE * 3,
    "cpp": CPP_SOURCE * 3,
    "cuda": CPP_SOURCE * 3,
    "go": b"package main\ntype T struct{}\nfunc (t *T) M() {}\nfunc F() { t.M() }\n" * 5,
    "rust": b"struct S;\nimpl S {\n    fn new() -> S { S }\n}\nmod m {\n    fn f() { g(); }\n}\n" * 5,
    "typescript": b"export class A { m() { f(); } }\ninterface I { x(): void }\ntype T = number;\n" * 5,
    "javascript": b"class A { m() { f(); } }\nfunction g() { new A(); }\n" * 5,
    "bash": b"foo() { echo hi; }\nfunction bar { foo; }\n" * 5,
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_matching_window_by_window_changes_nothing(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = SAMPLES[language]
    whole = tags.extract(source, language)
    monkeypatch.setattr(tags, "_MATCH_WINDOW", 16)
    assert tags.extract(source, language) == whole
    assert whole.definitions


def test_a_big_file_is_never_matched_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    import tree_sitter

    real = tree_sitter.QueryCursor
    spans: list[int] = []

    class Recording:
        def __init__(self, query: object) -> None:
            self._cursor = real(query)
            self._span = -1

        def set_byte_range(self, start: int, end: int) -> None:
            self._span = end - start
            self._cursor.set_byte_range(start, end)

        def matches(self, node: object) -> object:
            spans.append(self._span)
            return self._cursor.matches(node)

    tags.warm_up("c")
    monkeypatch.setattr(tree_sitter, "QueryCursor", Recording)
    source = C_SOURCE * (3 * tags._MATCH_WINDOW // len(C_SOURCE))
    assert len(definitions(source, "c")) > 100
    assert len(spans) >= 3 and all(0 < span <= tags._MATCH_WINDOW for span in spans)

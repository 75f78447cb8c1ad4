"""core/syntax: detection, grammar loading, window-only highlight spans."""

from __future__ import annotations

import subprocess
import sys

import pytest

from readertui.core import syntax
from readertui.core.syntax import Highlighter, clean_query, detect_language, plain_text_reason, scope_chain


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b/engine.py", "python"),
        ("x.c", "c"),
        ("x.h", "cpp"),
        ("x.hpp", "cpp"),
        ("x.cc", "cpp"),
        ("x.cxx", "cpp"),
        ("kernel.cu", "cuda"),
        ("kernel.cuh", "cuda"),
        ("app.js", "javascript"),
        ("app.ts", "typescript"),
        ("view.tsx", "tsx"),
        ("lib.rs", "rust"),
        ("main.go", "go"),
        ("notes/log.md", "markdown"),
        ("package.json", "json"),
        ("ci.yml", "yaml"),
        ("pyproject.toml", "toml"),
        ("Cargo.lock", "toml"),
        ("run.sh", "bash"),
        (".bashrc", "bash"),
        ("README", None),
        ("Makefile", None),
    ],
)
def test_detect_by_name(path: str, language: str | None) -> None:
    assert detect_language(path) == language


@pytest.mark.parametrize(
    ("first_line", "language"),
    [
        ("#!/usr/bin/env python3", "python"),
        ("#!/usr/bin/python3.11", "python"),
        ("#!/usr/bin/env -S python3 -u", "python"),
        ("#!/bin/bash", "bash"),
        ("#!/usr/bin/env node", "javascript"),
        ("#!/usr/bin/env perl", None),
        ("#!", None),
    ],
)
def test_detect_by_shebang(first_line: str, language: str | None) -> None:
    assert detect_language("script", first_line + "\nbody\n") == language


def test_extension_wins_over_shebang() -> None:
    assert detect_language("tool.py", "#!/bin/sh\n") == "python"


@pytest.mark.parametrize("language", syntax.languages())
def test_every_language_compiles_and_highlights(language: str) -> None:
    samples = {
        "python": "def f(x):\n    return 'a'\n",
        "markdown": "# Title\n\nsome *text* and `code`\n",
        "json": '{"a": [1, true, null]}\n',
    }
    highlighter = Highlighter(samples.get(language, "x = 1\n// c\n# c\n"), language)
    highlighter.parse()
    assert highlighter.parsed
    assert isinstance(highlighter.spans(1, 3), dict)


def test_python_captures_by_specificity() -> None:
    text = "import os\n\ndef run(x):\n    return os.path.join(x, 'é')  # done\nprint(len(x))\n"
    highlighter = Highlighter(text, "python")
    assert highlighter.spans(1, 5) == {}  # nothing before the parse
    highlighter.parse()
    spans = highlighter.spans(1, 5)
    assert (0, 3, "keyword") in spans[3]
    assert (4, 7, "function") in spans[3]
    line4 = {text[a:b] if False else (a, b): name for a, b, name in spans[4]}
    assert line4[(19, 23)] == "function.method"  # `join`, not a property
    assert line4[(14, 18)] == "property"  # `path`
    assert line4[(27, 30)] == "string"  # columns count characters, not UTF-8 bytes
    assert line4[(33, 39)] == "comment"
    assert (0, 5, "function.builtin") in spans[5]


def test_spans_only_for_requested_rows() -> None:
    highlighter = Highlighter("x = 1\n" * 50, "python")
    highlighter.parse()
    assert set(highlighter.spans(10, 12)) == {10, 11, 12}


def test_json_key_is_not_a_plain_string() -> None:
    highlighter = Highlighter('{"key": "value"}', "json")
    highlighter.parse()
    names = {name for _, _, name in highlighter.spans(1, 1)[1]}
    assert "string.special.key" in names and "string" in names


def test_multiline_string_spans_each_row() -> None:
    highlighter = Highlighter('x = """a\nb\nc"""\n', "python")
    highlighter.parse()
    spans = highlighter.spans(1, 3)
    assert spans[2] == [(0, 1, "string")]
    assert spans[3] == [(0, 4, "string")]


def test_markdown_inline_spans() -> None:
    highlighter = Highlighter("# Head\n\nan *em* and `code`\n", "markdown")
    highlighter.parse()
    spans = highlighter.spans(1, 3)
    assert (2, 6, "text.title") in spans[1]
    names = {name for _, _, name in spans[3]}
    assert "text.emphasis" in names and "text.literal" in names


def test_a_markdown_parse_compiles_the_inline_queries_too(monkeypatch) -> None:
    """`spans()` runs on the UI thread: compiling there froze the reader's first note ~60 ms."""
    monkeypatch.delitem(syntax._cache, "markdown_inline", raising=False)
    Highlighter("# Head\n\nan *em*\n", "markdown").parse_window(1, 3)
    assert "markdown_inline" in syntax._cache


def test_markdown_fenced_code_uses_the_named_grammar() -> None:
    note = "# Notes\n\n```python\ndef run(x):\n    return x\n```\n\n```\nplain fence\n```\n\n```cu\n__global__ void k() {}\n```\n"
    highlighter = Highlighter(note, "markdown")
    highlighter.parse()  # also compiles python and cuda, named by the fences
    spans = highlighter.spans(1, 14)
    assert (0, 3, "keyword") in spans[4]
    assert (4, 7, "function") in spans[4]
    assert "keyword" not in {name for _, _, name in spans.get(9, [])}
    assert any(name.startswith("keyword") for _, _, name in spans[13])


def test_window_parse_then_full_parse() -> None:
    lines = [f"value_{i} = {i}" for i in range(5000)]
    highlighter = Highlighter(lines, "python")
    highlighter.parse_window(2000, 2100)
    assert 2050 in highlighter.spans(2050, 2050)
    assert highlighter.spans(10, 10) == {}
    assert not highlighter.parsed
    highlighter.parse()
    assert highlighter.parsed and 10 in highlighter.spans(10, 10)


def test_cancelled_parse_leaves_no_tree() -> None:
    highlighter = Highlighter(["x = 1"] * 50_000, "python")
    highlighter.cancel()
    highlighter.parse()
    assert not highlighter.parsed
    assert highlighter.spans(1, 10) == {}


def test_window_highlight_deep_in_a_big_file_spans_only_the_window() -> None:
    lines = ["def f(a, b):", "    return a + b  # sum", ""] * 34_000
    highlighter = Highlighter(lines, "python")
    highlighter.parse()
    spans = highlighter.spans(90_000, 90_060)
    assert len(spans) == 40 and min(spans) >= 90_000 and max(spans) <= 90_060


def test_plain_text_reason_for_long_lines() -> None:
    assert plain_text_reason(["short"] * 10) is None
    reason = plain_text_reason(["a", "x" * 5_000_000])
    assert reason is not None and "line 2" in reason and "5,000,000" in reason


def test_scope_chain() -> None:
    assert scope_chain("function.method.call") == ["function.method.call", "function.method", "function"]
    assert scope_chain("string") == ["string"]


def test_clean_query_drops_directives_and_unknown_predicates() -> None:
    source = (
        '(("\\"" @conceal) (#set! conceal ""))\n'
        "; a comment\n"
        '((identifier) @constant (#lua-match? @constant "^[A-Z]"))\n'
        '((identifier) @type (#match? @type "^[A-Z]"))\n'
    )
    cleaned = clean_query(source)
    assert "#set!" not in cleaned
    assert "lua-match" not in cleaned
    assert "#match?" in cleaned
    assert '"\\""' in cleaned


def test_json_queries_build_twice_in_one_process() -> None:
    # Textual's bundled JSON query crashed tree-sitter when a second parser was built in the same
    # process. Run in a child so a crash fails this test instead of killing pytest.
    script = """
from pathlib import Path
import importlib.util
import tree_sitter_json
from tree_sitter import Language, Parser, Query, QueryCursor
from readertui.core.syntax import Highlighter, clean_query
for _ in range(2):
    h = Highlighter('{"a": [1, "b\\\\n"]}', "json")
    h.parse()
    assert h.spans(1, 1)
folder = Path(next(iter(importlib.util.find_spec("textual").submodule_search_locations)))
source = clean_query((folder / "tree-sitter/highlights/json.scm").read_text())
language = Language(tree_sitter_json.language())
for _ in range(2):
    query = Query(language, source)
    tree = Parser(language).parse(b'{"a": "\\\\"x"}')
    QueryCursor(query).captures(tree.root_node)
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_every_query_compiles_twice_in_one_process() -> None:
    # `(#is-not? local)` in the JavaScript query crashed the binding; in a child for the same reason.
    script = """
import importlib
from tree_sitter import Language, Query
from readertui.core import syntax
for name, grammar in syntax._GRAMMARS.items():
    language = Language(getattr(importlib.import_module(grammar.module), grammar.function)())
    source = syntax._query_source(name, grammar)
    for _ in range(2):
        Query(language, source)
    syntax.warm_up(name)
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_core_syntax_does_not_import_textual() -> None:
    code = (
        "import sys, readertui.core.syntax, readertui.core.safe_text;"
        "print('textual' in sys.modules, 'rich' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False False"

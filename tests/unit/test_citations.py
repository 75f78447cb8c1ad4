"""core/citations.py: every citation form of CITATIONS.md, the non-citations, declarations and
their scopes, section context, offsets for digit-only rewrites, CRLF and Chinese notes."""

from __future__ import annotations

import pytest

from readertui.core.citations import (
    canonical_range,
    format_citation,
    looks_like_path,
    parse_citation,
    scan_note,
)
from readertui.core.model import Citation, CitationForm, LineRange, NoteScan

R = LineRange


def ranges(*items: int | tuple[int, int]) -> tuple[LineRange, ...]:
    return tuple(R(i, i) if isinstance(i, int) else R(*i) for i in items)


def assert_offsets(text: str, scan: NoteScan) -> None:
    """Spans hold the citation text; range spans hold exactly the digits of each range."""
    lines = text.split("\n")
    for c in scan.citations:
        assert text[c.span.start : c.span.end] == c.text
        line_start = sum(len(line) + 1 for line in lines[: c.line - 1])
        assert c.span.start == line_start + c.column - 1
        assert len(c.range_spans) == len(c.ranges)
        for rng, (a, b) in zip(c.ranges, c.range_spans):
            assert text[a.start : a.end] == str(rng.start)
            assert text[b.start : b.end] == str(rng.end)
            assert c.span.start <= a.start and b.end <= c.span.end
    for d in scan.declarations:
        assert text[d.span.start : d.span.end] == d.ref


def only(text: str) -> Citation:
    scan = scan_note(text)
    assert_offsets(text, scan)
    assert len(scan.citations) == 1, scan.citations
    return scan.citations[0]


def cited(text: str) -> list[tuple[str | None, tuple[LineRange, ...]]]:
    scan = scan_note(text)
    assert_offsets(text, scan)
    return [(c.path, c.ranges) for c in scan.citations]


# --- forms 1-6: inline code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "path", "expected"),
    [
        ("See `deepspeed/runtime/engine.py:234`.", "deepspeed/runtime/engine.py", ranges(234)),
        ("`engine.py:234-256`", "engine.py", ranges((234, 256))),
        ("`engine.py:234 – 256`", "engine.py", ranges((234, 256))),
        ("`engine.py:234—256`", "engine.py", ranges((234, 256))),
        ("`engine.py:234 - 256`", "engine.py", ranges((234, 256))),
        ("`sched.py:210-214, 530-541`", "sched.py", ranges((210, 214), (530, 541))),
        ("`engine.py:77,301-305`", "engine.py", ranges(77, (301, 305))),
        ("`DeepSpeed/deepspeed/runtime/engine.py:234-256`", "DeepSpeed/deepspeed/runtime/engine.py", ranges((234, 256))),
        ("`worker/main.ts:88`", "worker/main.ts", ranges(88)),
        ("`engine.py:L42`", "engine.py", ranges(42)),
        ("`engine.py:L42-L50`", "engine.py", ranges((42, 50))),
        ("`engine.py#L42-L50`", "engine.py", ranges((42, 50))),
        ("`./src/a.py:3`", "src/a.py", ranges(3)),
        ("`../other/a.py:3`", "../other/a.py", ranges(3)),
        ("`src\\win\\a.py:3`", "src/win/a.py", ranges(3)),
        ("`模型/代码/引擎.py:12`", "模型/代码/引擎.py", ranges(12)),
        ("`bin/deepspeed:40`", "bin/deepspeed", ranges(40)),
        ("`Makefile:12`", "Makefile", ranges(12)),
        ("`src/a.py:12:5`", "src/a.py", ranges(12)),
        ("`engine.py：234`", "engine.py", ranges(234)),
        ("`engine.py (行 12-30)`", "engine.py", ranges((12, 30))),
        ("`sched.py:256-234`", "sched.py", ranges((234, 256))),
    ],
)
def test_inline_code_citations(note: str, path: str, expected: tuple[LineRange, ...]) -> None:
    c = only(note)
    assert (c.path, c.ranges, c.form) == (path, expected, CitationForm.INLINE)


def test_inline_citation_text_and_position() -> None:
    note = "intro\nThe loop `engine.py:234-256` runs."
    c = only(note)
    assert c.text == "engine.py:234-256"
    assert (c.line, c.column) == (2, 11)


def test_double_backtick_code_span() -> None:
    assert cited("`` engine.py:3 ``") == [("engine.py", ranges(3))]
    c = only("``a`b`` then `x.py:4`")
    assert c.text == "x.py:4"


def test_escaped_backtick_does_not_open_code() -> None:
    assert cited("\\`a.py:3` and `b.py:4`") == [("a.py", ranges(3)), ("b.py", ranges(4))]


# --- prose without backticks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("see deepspeed/runtime/engine.py:234-256 for it", [("deepspeed/runtime/engine.py", ranges((234, 256)))]),
        ("| step | engine.py:12 |", [("engine.py", ranges(12))]),
        ("- in sched.py:210-214, 530-541.", [("sched.py", ranges((210, 214), (530, 541)))]),
        ("见engine.py:99。", [("engine.py", ranges(99))]),
        ("在 src/队列/queue.ts:88 中", [("src/队列/queue.ts", ranges(88))]),
        ("engine.py:234行", [("engine.py", ranges(234))]),
        ("engine.py#L3-L9", [("engine.py", ranges((3, 9)))]),
        ("见 engine.py 第 234 行", [("engine.py", ranges(234))]),
        ("engine.py (行 12-30)", [("engine.py", ranges((12, 30)))]),
        ("engine.py lines 40-52", [("engine.py", ranges((40, 52)))]),
        ("see notes.foo:12 and a.unknownext:3", []),  # prose needs a known source extension
        ("a::b.py:3", []),
    ],
)
def test_prose_citations(note: str, expected) -> None:
    assert cited(note) == expected


def test_prose_citation_with_relative_tail_keeps_parenthesis() -> None:
    c = only("engine.py（行 12-30）next")
    assert c.text == "engine.py（行 12-30）"


# --- not citations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "`127.0.0.1:5000`", "127.0.0.1:5000", "`localhost:3000`", "localhost:3000", "ws://x:8080",
        "`ws://x:8080`", "`example.com:443`", "example.com:443", "`api.example.io:8080`",
        "`09:30 - 18:00`", "09:30 - 18:00", "`12:00`", "`std::vector`", "`a::b:3`", "`x[1:3]`",
        "`a[:, 1:]`", "ratio 3:1", "`3:1`", "`v1.2.3`", "`python:3.11`", "`nginx:latest`",
        "`ubuntu:22.04`", "https://example.com/docs/page", "<https://example.com>", "key: value",
        "`key: value`", ":smile: :+1:", "`torch.nn.Module`", "`self.config`", "`os.path.join`",
        "`numpy==1.26`", "`Node.js`", "`self.env`", "`args.cfg`", "`x.in`", "L40 GPU and L2 cache", "L1", "执行 3 次", "运行 12 个 epoch",
        "the deadline 5", "`nn.Linear(3, 4)`", "[docs](overview.md)", "![diagram](img/arch.png)",
        "[top](#intro)", "[mail](mailto:a@b.c)", "<!-- `engine.py:3` -->", "`--lr 3e-4`",
"https://github.com/o/r", "https://github.com/o/r/tree/main/src",
    ],
)
def test_not_citations(note: str) -> None:
    # one path mention first, so relative refs would have a context if they matched
    text = "`src/queue.ts`\n\n" + note
    scan = scan_note(text)
    assert_offsets(text, scan)
    assert [c.text for c in scan.citations] == ["src/queue.ts"], note


def test_paths_inside_fenced_code_are_code() -> None:
    # a code line is code; a comment line anywhere in the block may cite (form 12)
    note = "```python\nx = 1\ns = 'a.py:3'\nsee `a.py:3`\n```\n"
    assert cited(note) == []
    note = "```python\nx = 1\n# deepspeed/runtime/engine.py:234\n```\n"
    assert cited(note) == [("deepspeed/runtime/engine.py", (LineRange(234, 234),))]


def test_indented_code_block_is_skipped() -> None:
    assert cited("text\n\n    `a.py:3`\n    engine.py:4\n") == []


def test_html_comment_block_is_skipped() -> None:
    assert cited("<!--\n`a.py:3`\n-->\n`b.py:4`") == [("b.py", ranges(4))]


# --- form 7: fence header comment -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "path", "expected"),
    [
        ("# deepspeed/runtime/engine.py:234-256", "deepspeed/runtime/engine.py", ranges((234, 256))),
        ("// src/worker/main.ts:10-20", "src/worker/main.ts", ranges((10, 20))),
        ("-- db/schema.sql:5", "db/schema.sql", ranges(5)),
        ("/* kernel.cu:40-52 */", "kernel.cu", ranges((40, 52))),
        ("; boot.asm:7", "boot.asm", ranges(7)),
        ("<!-- templates/page.html:3 -->", "templates/page.html", ranges(3)),
        ("% solver.m:9", "solver.m", ranges(9)),
        ("# File: engine.py:3 (simplified)", "engine.py", ranges(3)),
        ("# 文件：engine.py L10-L20", "engine.py", ranges((10, 20))),
        ("# src/queue.ts", "src/queue.ts", ()),
    ],
)
def test_fence_header(header: str, path: str, expected) -> None:
    note = f"text\n\n```python\n{header}\nx = 1\n```\n"
    c = only(note)
    assert (c.form, c.path, c.ranges) == (CitationForm.FENCE_HEADER, path, expected)


@pytest.mark.parametrize(
    ("opener", "path", "expected"),
    [
        ('```python title="src/a.py"', "src/a.py", ()),
        ("```python:src/a.py:3-9", "src/a.py", ranges((3, 9))),
        ("```py {file=pkg/b.py}", "pkg/b.py", ()),
    ],
)
def test_fence_info_string_path(opener: str, path: str, expected) -> None:
    c = only(f"{opener}\nx = 1\n```\n")
    assert (c.form, c.path, c.ranges) == (CitationForm.FENCE_HEADER, path, expected)


@pytest.mark.parametrize("opener", ["```python", '```bash title="Run it"', "```c++", "```mermaid"])
def test_fence_info_without_path(opener: str) -> None:
    assert cited(f"{opener}\nx = 1\n```\n") == []


@pytest.mark.parametrize("header", ["#include <x.h>", "# install deps", "#!/usr/bin/env python", "x = 1"])
def test_fence_first_line_that_is_not_a_header(header: str) -> None:
    assert cited(f"```\n{header}\nx = 'a.py:3'\n```") == []


def test_fence_in_list_and_blockquote() -> None:
    note = "- step\n  ```py\n  # a/b.py:3\n  ```\n\n> ```c\n> // c/d.c:4\n> ```\n"
    assert cited(note) == [("a/b.py", ranges(3)), ("c/d.c", ranges(4))]


def test_fence_header_relative_lines_use_context() -> None:
    note = "`src/queue.ts`\n\n```c\n// 行 640-652\n```\n\n```py\n# lines 10-20\n```\n"
    scan = scan_note(note)
    assert_offsets(note, scan)
    rel = [c for c in scan.citations if c.form == CitationForm.RELATIVE_LINES]
    assert [(c.ranges, c.context_path) for c in rel] == [
        (ranges((640, 652)), "src/queue.ts"), (ranges((10, 20)), "src/queue.ts"),
    ]


def test_tilde_fence_and_unclosed_fence() -> None:
    assert cited("~~~\n# a.py:3\n`b.py:4`\n~~~\n`c.py:5`") == [("a.py", ranges(3)), ("c.py", ranges(5))]
    assert cited("```\n# a.py:3\n`b.py:4`\n") == [("a.py", ranges(3))]


# --- block structure comes from markdown-it-py (CommonMark) -----------------------------------------


def headings_of(note: str) -> list[tuple[str, tuple[str, ...], int]]:
    scan = scan_note(note)
    assert_offsets(note, scan)
    return [(c.text, c.headings, c.heading_line) for c in scan.citations]


def test_heading_inside_a_fenced_block_is_code() -> None:
    note = "# Top\n\n```md\nx = 1\n# Not a section\n## `b.py:2`\n```\n\n`a.py:3`\n"
    assert headings_of(note) == [("a.py:3", ("Top",), 1)]


def test_setext_headings_make_sections() -> None:
    note = "Top\n===\n\n`a.py:1`\n\nTwo\nlines\n---\n\n`b.py:2`\n\nNext\n====\n`c.py:3`\n"
    assert headings_of(note) == [
        ("a.py:1", ("Top",), 1), ("b.py:2", ("Top", "Two lines"), 6), ("c.py:3", ("Next",), 12),
    ]


@pytest.mark.parametrize(
    "note",
    ["- item\n---\n`a.py:1`", "> quoted\n---\n`a.py:1`", "***\n`a.py:1`", "    # code\n\n`a.py:1`"],
    ids=["list-then-break", "quote-then-break", "break", "indented"],
)
def test_no_heading_where_commonmark_has_none(note: str) -> None:
    assert headings_of(note) == [("a.py:1", (), 0)]


def test_headings_in_quotes_and_list_items_are_prose() -> None:
    note = "# Top\n\n> ## Quoted `q.py:1`\n\n- ## Item\n\n`a.py:3`\n"
    assert headings_of(note) == [("q.py:1", ("Top",), 1), ("a.py:3", ("Top",), 1)]


def test_fence_in_list_item_is_code_until_it_closes() -> None:
    note = "- step\n  ```sh\n  # c/d.sh:3\n  `x.py:1`\n  ```\n  then `b.py:4`\n- `e.py:5`\n"
    assert cited(note) == [("c/d.sh", ranges(3)), ("b.py", ranges(4)), ("e.py", ranges(5))]


def test_unclosed_fence_runs_to_the_end() -> None:
    # a shorter fence, a fence in a quote and one in another list do not close it
    note = "````\n# a.py:1\n```\n`b.py:2`\n> ```\n- ```\n## `c.py:3`\n"
    assert headings_of(note) == [("a.py:1", (), 0)]


def test_html_comment_blocks_and_other_html_blocks() -> None:
    note = "- item\n  <!--\n  `a.py:1`\n  -->\n- `b.py:2`\n\n<details>\n`c.py:3`\n</details>\n"
    assert cited(note) == [("b.py", ranges(2)), ("c.py", ranges(3))]


def test_html_comment_ending_past_a_long_line_still_ends() -> None:
    note = "<!-- " + "x" * 5000 + " -->\n`a.py:3`\n\n<!-- " + "y" * 5000 + "\n`b.py:4`\n-->\n`c.py:5`"
    assert cited(note) == [("a.py", ranges(3)), ("c.py", ranges(5))]


def test_long_line_keeps_line_numbers_of_later_blocks() -> None:
    note = "intro " * 2000 + "\n# H\n\n```py\n# a.py:1\n```\n"
    assert headings_of(note) == [("a.py:1", ("H",), 2)]


def test_a_lone_carriage_return_does_not_end_a_line() -> None:
    note = "text\r# not a heading\n`a.py:3`"
    assert headings_of(note) == [("a.py:3", (), 0)]


def test_one_declaration_per_top_level_block() -> None:
    note = "- commit: 1111111\n\n- 版本: v0.9.3\n\n> Tag: v1.0.0\n> commit 2222222\n\nCommit: 3333333\n"
    assert [(d.ref, d.line) for d in scan_note(note).declarations] == [
        ("1111111", 1), ("2222222", 6), ("3333333", 8),
    ]


# --- form 8: relative lines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("（行 12-30）", ranges((12, 30))), ("(行 12-30)", ranges((12, 30))), ("行 640-652", ranges((640, 652))),
        ("第 12 行", ranges(12)), ("第12-30行", ranges((12, 30))), ("line 42", ranges(42)),
        ("lines 40-52", ranges((40, 52))), ("Line 42", ranges(42)), ("L42-L50", ranges((42, 50))),
        ("#L42-L50", ranges((42, 50))), ("(L42)", ranges(42)), ("`L42`", ranges(42)), ("`行 12`", ranges(12)),
        ("lines 3 to 9", ranges((3, 9))), ("第 3 至 9 行", ranges((3, 9))), ("行 12~30", ranges((12, 30))),
        ("见行 7", ranges(7)), ("lines 1, 5-6", ranges(1, (5, 6))),
    ],
)
def test_relative_lines(ref: str, expected) -> None:
    note = f"Look at `deepspeed/runtime/engine.py`.\n\nThe loop {ref} matters."
    scan = scan_note(note)
    assert_offsets(note, scan)
    rel = scan.citations[1:]
    assert len(rel) == 1, scan.citations
    assert rel[0].form == CitationForm.RELATIVE_LINES
    assert rel[0].path is None
    assert rel[0].ranges == expected
    assert rel[0].context_path == "deepspeed/runtime/engine.py"


def test_table_column_of_lines() -> None:
    note = "\n".join([
        "| 函数 | 文件 | 行 |",
        "|---|---|---|",
        "| `_configure` | `deepspeed/runtime/engine.py` | 234-256 |",
        "| `step` | `engine.py` | `1200, 1300-1310` |",
        "| `x` | none | n/a |",
        "",
        "| Name | Lines | File |",
        "|------|-------|------|",
        "| a | 3-9 | `a/b.py` |",
    ])
    scan = scan_note(note)
    assert_offsets(note, scan)
    rel = [(c.ranges, c.context_path) for c in scan.citations if c.form == CitationForm.RELATIVE_LINES]
    assert rel == [
        (ranges((234, 256)), "deepspeed/runtime/engine.py"),
        (ranges(1200, (1300, 1310)), "deepspeed/runtime/engine.py"),
        (ranges((3, 9)), "a/b.py"),  # the file named in the same row, even after the lines
    ]


def test_numbers_in_other_table_columns_are_not_lines() -> None:
    note = "| 文件 | 次数 |\n|---|---|\n| `a.py` | 3-9 |\n"
    assert cited(note) == [("a.py", ())]


def test_relative_lines_without_context_are_not_reported() -> None:
    assert cited("The loop (行 12-30) and lines 40-52 and L42-L50.") == []


# --- form 9: permalinks -------------------------------------------------------------------------------

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("url", "path", "expected", "commit", "repo"),
    [
        (f"https://github.com/o/DeepSpeed/blob/{SHA}/deepspeed/x.py#L10-L20", "deepspeed/x.py", ranges((10, 20)), SHA, "DeepSpeed"),
        ("https://github.com/o/r/blob/abc1234/x.py#L10", "x.py", ranges(10), "abc1234", "r"),
        ("https://github.com/o/r/blob/main/src/x.py#L3-L4", "src/x.py", ranges((3, 4)), None, "r"),
        ("https://github.com/o/r/blob/abc1234/x.py", "x.py", (), "abc1234", "r"),
        ("https://github.com/o/r/blob/abc1234/x.py#L10C2-L12C9", "x.py", ranges((10, 12)), "abc1234", "r"),
        ("https://gitlab.com/g/sub/r/-/blob/abc1234/src/y.py#L10-20", "src/y.py", ranges((10, 20)), "abc1234", "r"),
        ("https://codeberg.org/o/r/src/commit/abc1234/a/b.rs#L5-L6", "a/b.rs", ranges((5, 6)), "abc1234", "r"),
        ("https://bitbucket.org/o/r/src/abc1234/a.py#lines-3:9", "a.py", ranges((3, 9)), "abc1234", "r"),
        ("https://github.com/o/r/blob/abc1234/%E4%B8%AD/a.py#L1", "中/a.py", ranges(1), "abc1234", "r"),
    ],
)
def test_permalinks(url: str, path: str, expected, commit, repo) -> None:
    for note in (url, f"<{url}>", f"[engine]({url})", f"see {url}.", f"`{url}`"):
        c = only(note)
        assert (c.form, c.path, c.ranges, c.commit, c.repo_hint) == (CitationForm.PERMALINK, path, expected, commit, repo), note


def test_permalink_sha_is_not_a_declaration() -> None:
    scan = scan_note(f"based on https://github.com/o/r/blob/{SHA}/x.py#L1 and commit: see it")
    assert scan.declarations == ()


# --- form 10: relative links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "path", "expected"),
    [
        ("[engine](../DeepSpeed/deepspeed/runtime/engine.py#L234)", "../DeepSpeed/deepspeed/runtime/engine.py", ranges(234)),
        ("[engine](../DeepSpeed/engine.py#L234-L240)", "../DeepSpeed/engine.py", ranges((234, 240))),
        ("[e](./src/a.py#L3-9 \"title\")", "src/a.py", ranges((3, 9))),
        ("[e](<../My Repo/a.py#L3>)", "../My Repo/a.py", ranges(3)),
        ("[e](../Repo/%E4%B8%AD.py#L3)", "../Repo/中.py", ranges(3)),
        ("[the worker](../svc/worker/main.ts)", "../svc/worker/main.ts", ()),
        ("[`engine.py:234`](../x/engine.py#L234)", "../x/engine.py", ranges(234)),
        ("[engine][1]\n\n[1]: ../x/engine.py#L7", "../x/engine.py", ranges(7)),
    ],
)
def test_relative_links(note: str, path: str, expected) -> None:
    c = only(note)
    assert (c.form, c.path, c.ranges) == (CitationForm.LINK, path, expected)


def test_link_citation_spans_the_whole_link() -> None:
    c = only("see [engine](../a/engine.py#L5) now")
    assert c.text == "[engine](../a/engine.py#L5)"


def test_link_to_non_code_keeps_label_as_prose() -> None:
    assert cited("[see `a.py:3`](https://example.com/x)") == [("a.py", ranges(3))]


# --- form 11: paths without lines, headings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "path"),
    [
        ("`services/worker/src/main.ts`", "services/worker/src/main.ts"),
        ("`engine.py`", "engine.py"),
        ("`CMakeLists.txt`", "CMakeLists.txt"),
        ("`Dockerfile`", "Dockerfile"),
        ("`docs/design.abc`", "docs/design.abc"),
        ("`.github/workflows/ci.yml`", ".github/workflows/ci.yml"),
        ("`configs/train.cfg`", "configs/train.cfg"),
    ],
)
def test_path_without_lines(note: str, path: str) -> None:
    c = only(note)
    assert (c.form, c.path, c.ranges) == (CitationForm.INLINE, path, ())


@pytest.mark.parametrize(
    ("heading", "path"),
    [
        ("### Queue (src/queue.ts)", "src/queue.ts"),
        ("## engine.py", "engine.py"),
        ("## `src/queue.ts` internals", "src/queue.ts"),
        ("Queue (src/queue.ts)\n---", "src/queue.ts"),
        ("## 队列 src/queue.ts ##", "src/queue.ts"),
    ],
)
def test_heading_path(heading: str, path: str) -> None:
    note = f"{heading}\n\nThe loop (行 12-30).\n"
    scan = scan_note(note)
    assert_offsets(note, scan)
    head, rel = scan.citations
    assert (head.form, head.path, head.ranges) == (CitationForm.HEADING_PATH, path, ())
    assert (rel.form, rel.context_path, rel.ranges) == (CitationForm.RELATIVE_LINES, path, ranges((12, 30)))


def test_heading_with_lines_is_an_inline_citation() -> None:
    c = only("## engine.py:12-30")
    assert (c.form, c.path, c.ranges) == (CitationForm.INLINE, "engine.py", ranges((12, 30)))


# --- context ------------------------------------------------------------------------------------------


def test_context_follows_sections_and_not_siblings() -> None:
    note = "\n".join([
        "# Top",
        "`top.py`",                      # context for the whole note below
        "## A",
        "`a/a.py:3`",
        "### A.1",
        "L10-L12",                       # parent A's mention counts
        "## B",
        "line 7",                        # sibling A's mention does not: falls back to Top's
        "### B.1 (b/b.py)",
        "行 1-2",
        "### B.2",
        "第 5 行",                         # sibling B.1 does not count; Top's does
    ])
    scan = scan_note(note)
    assert_offsets(note, scan)
    got = [(c.text, c.context_path, c.headings, c.heading_line) for c in scan.citations]
    assert got == [
        ("top.py", None, ("Top",), 1),
        ("a/a.py:3", "top.py", ("Top", "A"), 3),
        ("L10-L12", "a/a.py", ("Top", "A", "A.1"), 5),
        ("line 7", "top.py", ("Top", "B"), 7),
        ("b/b.py", "top.py", ("Top", "B", "B.1 (b/b.py)"), 9),
        ("行 1-2", "b/b.py", ("Top", "B", "B.1 (b/b.py)"), 9),
        ("第 5 行", "top.py", ("Top", "B", "B.2"), 11),
    ]


def test_context_keeps_fuller_path_for_a_basename_mention() -> None:
    note = "`deepspeed/runtime/engine.py:3`, then `engine.py:9`, then 行 12."
    scan = scan_note(note)
    assert [c.context_path for c in scan.citations] == [
        None, "deepspeed/runtime/engine.py", "deepspeed/runtime/engine.py",
    ]


def test_link_context_reads_from_the_project_folder() -> None:
    note = "[s](../vllm/vllm/core/scheduler.py#L3), then `scheduler.py:9`, then 行 12."
    scan = scan_note(note)
    assert [c.context_path for c in scan.citations] == [
        None, "vllm/vllm/core/scheduler.py", "vllm/vllm/core/scheduler.py",
    ]


def test_context_from_preamble_reaches_sections() -> None:
    note = "`src/q.ts`\n\n## Loop\n\nline 4\n"
    assert scan_note(note).citations[-1].context_path == "src/q.ts"


# --- pins ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail", [" @ `abc1234`", " @abc1234", " (@abc1234)", "@abc1234", " @ abc1234", "（@ abc1234）"]
)
def test_pin_after_citation(tail: str) -> None:
    c = scan_note(f"- 14:32 `Engine/src/a.py:3-9`{tail} — the loop").citations[0]
    assert c.commit == "abc1234"


def test_pin_only_applies_to_the_citation_just_before_it() -> None:
    scan = scan_note("`a.py:3` @ `abc1234` and `b.py:4`")
    assert [c.commit for c in scan.citations] == ["abc1234", None]


# --- declarations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "ref"),
    [
        ("**Commit**: `4be91c0`", "4be91c0"),
        ("**Commit:** 4be91c0", "4be91c0"),
        ("Commit: 4be91c0", "4be91c0"),
        ("- commit: 4be91c0abc", "4be91c0abc"),
        ("commit = 4be91c0", "4be91c0"),
        ("> based on commit `a03f7d2`, 2026-01-14", "a03f7d2"),
        (f"| Commit | `{SHA}` |", SHA),
        (f"| 提交 | {SHA} |", SHA),
        ("Studied at commit 9c1e5ab… last week", "9c1e5ab"),
        ("基于 commit abc1234 的代码", "abc1234"),
        ("基于提交 abc1234", "abc1234"),
        ("提交 abc1234", "abc1234"),
        ("版本 v0.9.3", "v0.9.3"),
        ("**Commit**: v0.9.3", "v0.9.3"),
        ("**Tag**: v0.9.3", "v0.9.3"),
        ("- 版本：0.9.3", "0.9.3"),
        ("| Tag | release-2024-01 |", "release-2024-01"),
        ("based on v0.9.3", "v0.9.3"),
        ("Commit SHA: 4BE91C0", "4BE91C0"),
        ("**Commit**: `4be91c0` (tag `v0.9.3`, 2026-01-10)", "4be91c0"),
    ],
)
def test_declaration_shapes(line: str, ref: str) -> None:
    note = f"# Overview\n\n{line}\n"
    scan = scan_note(note)
    assert_offsets(note, scan)
    assert [d.ref for d in scan.declarations] == [ref]
    assert scan.declarations[0].line == 3


@pytest.mark.parametrize(
    "line",
    [
        "git commit -m 'x'", "the commit message", "- CUDA version: 12.1", "- Python 版本：3.10",
        "Python version 3.11", "最新版本: v0.10.0", "```\ncommit abc1234\n```", "`a.py:3` @ `abc1234`",
        "- 14:32 reverted to commit 9c1e5ab to compare", "commit deadbeef", "比例 3:1, 版本 v0.4.2, 镜像 x",
        "SHA256: e3b0c44298fc1c149afbf4c8996fb924", "rev: 3", "    commit abc1234",
    ],
)
def test_not_declarations(line: str) -> None:
    assert scan_note(f"# Overview\n\n{line}\n").declarations == ()


def test_one_declaration_per_block_prefers_hex() -> None:
    note = "- **版本**: v0.9.3\n- **提交**: `4be91c0`\n- 日期: 2026-01-10\n"
    assert [d.ref for d in scan_note(note).declarations] == ["4be91c0"]


def test_front_matter_declaration() -> None:
    note = "---\ntitle: Engine\ncommit: 4be91c0\n---\n\n# Notes\n\n`a.py:3`\n"
    scan = scan_note(note)
    assert [d.ref for d in scan.declarations] == ["4be91c0"]
    assert scan.commit_for_line(8) == "4be91c0"
    assert [c.headings for c in scan.citations] == [("Notes",)]  # front matter is no heading


def test_declaration_scopes() -> None:
    note = "\n".join([
        "# Log",                         # 1
        "Commit: 1111111",               # 2  whole section of "# Log" = whole note
        "## 2026-01-14",                 # 3
        "**Commit**: `2222222`",         # 4  to the end of this day
        "- `a.py:3`",                    # 5
        "",                              # 6
        "**Commit**: `3333333`",         # 7  takes over from its line
        "- `a.py:4`",                    # 8
        "### detail",                    # 9
        "- `a.py:5`",                    # 10 still 3333333 (parent section)
        "## 2026-01-15",                 # 11
        "- `a.py:6`",                    # 12 back to the top declaration
    ])
    scan = scan_note(note)
    assert_offsets(note, scan)
    assert [(d.ref, d.line, d.scope_end_line) for d in scan.declarations] == [
        ("1111111", 2, 12), ("2222222", 4, 6), ("3333333", 7, 10),
    ]
    assert [scan.commit_for_line(c.line) for c in scan.citations] == [
        "2222222", "3333333", "3333333", "1111111",
    ]


def test_preamble_declaration_covers_whole_note_until_replaced() -> None:
    note = "> based on commit `a03f7d2`\n\nintro\n\n# A\n\n`a.py:1`\n\ncommit b03f7d2 here\n\n# B\n`b.py:2`"
    scan = scan_note(note)
    assert [(d.ref, d.line, d.scope_end_line) for d in scan.declarations] == [
        ("a03f7d2", 1, 12), ("b03f7d2", 9, 10),
    ]
    assert [scan.commit_for_line(c.line) for c in scan.citations] == ["a03f7d2", "a03f7d2"]


def test_declaration_in_heading() -> None:
    note = "## 2026-01-14 · commit abc1234\n\n`a.py:3`\n\n## next\n`a.py:4`"
    scan = scan_note(note)
    assert [(d.ref, d.line, d.scope_end_line) for d in scan.declarations] == [("abc1234", 1, 4)]


# --- offsets, CRLF, Chinese ---------------------------------------------------------------------------


def test_crlf_offsets() -> None:
    note = "# 标题\r\n\r\n**Commit**: `4be91c0`\r\n\r\n- `engine.py:234-256` and `a.py:7`\r\n- 行 3\r\n```py\r\n# b.py:1-2\r\n```\r\n"
    scan = scan_note(note)
    assert_offsets(note, scan)
    assert [(c.text, c.line) for c in scan.citations] == [
        ("engine.py:234-256", 5), ("a.py:7", 5), ("行 3", 6), ("b.py:1-2", 8),
    ]
    assert scan.declarations[0].line == 3
    assert all("\r" not in c.text for c in scan.citations)


def test_chinese_note() -> None:
    note = (
        "# DeepSpeed 阅读笔记\n\n> 基于 commit `a03f7d2`，2026-01-14\n\n"
        "## 引擎初始化（deepspeed/runtime/engine.py）\n\n"
        "`_configure_optimizer` 在（行 1130-1190）里调用 `sched.py:210-214、530-541`。\n"
        "参见第 1200 行。\n"
    )
    scan = scan_note(note)
    assert_offsets(note, scan)
    got = [(c.form, c.path, c.ranges, c.context_path) for c in scan.citations]
    assert got == [
        (CitationForm.HEADING_PATH, "deepspeed/runtime/engine.py", (), None),
        (CitationForm.RELATIVE_LINES, None, ranges((1130, 1190)), "deepspeed/runtime/engine.py"),
        (CitationForm.INLINE, "sched.py", ranges((210, 214), (530, 541)), "deepspeed/runtime/engine.py"),
        (CitationForm.RELATIVE_LINES, None, ranges(1200), "sched.py"),
    ]
    assert [d.ref for d in scan.declarations] == ["a03f7d2"]


def test_range_spans_point_at_each_number() -> None:
    note = "`engine.py:L77, 301 – 305`"
    c = only(note)
    (a1, b1), (a2, b2) = c.range_spans
    assert a1 == b1 and note[a1.start : a1.end] == "77"
    assert (note[a2.start : a2.end], note[b2.start : b2.end]) == ("301", "305")


def test_line_zero_and_huge_numbers_are_not_citations() -> None:
    assert cited("`a.py:0` `a.py:1234567890`") == []


def test_document_order() -> None:
    note = "[l](../x/a.py#L1) `b.py:2` https://github.com/o/r/blob/abc1234/c.py#L3 d.py:4 (L5)"
    assert [c.path for c in scan_note(note).citations] == ["../x/a.py", "b.py", "c.py", "d.py", None]


# --- helpers ------------------------------------------------------------------------------------------


def test_format_citation() -> None:
    assert format_citation("Engine", "src/a.py", [R(3, 9), R(12, 12)]) == "Engine/src/a.py:3-9,12"
    assert format_citation(None, "./src/a.py", [R(12, 12), R(3, 9)]) == "src/a.py:3-9,12"
    assert format_citation("Engine", "src/a.py", []) == "Engine/src/a.py"


def test_canonical_range_merges() -> None:
    assert canonical_range([R(5, 9), R(1, 2), R(3, 3), R(8, 12), R(20, 20)]) == "1-3,5-12,20"
    assert canonical_range([]) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Engine/src/a.py:3-9,12", ("Engine/src/a.py", ranges((3, 9), 12))),
        ("a.py", ("a.py", ())),
        ("a.py#L3-L9", ("a.py", ranges((3, 9)))),
        (" a.py:3 – 9 ", ("a.py", ranges((3, 9)))),
        ("bin/tool:4", ("bin/tool", ranges(4))),
        ("a.py:0", None), ("", None), ("a b.py:3", None), ("http://x/a.py:3", None), ("a.py:x", None),
        ("a.py (行 3)", None),
    ],
)
def test_parse_citation(text: str, expected) -> None:
    assert parse_citation(text) == expected


@pytest.mark.parametrize(
    ("s", "ok"),
    [
        ("src/queue.ts", True), ("engine.py", True), ("Makefile", True), ("docs/a.abc", True),
        ("中文/引擎.py", True), ("src\\a.py", True), ("v1.2.3", False), ("torch.nn.Module", False),
        ("example.com", False), ("github.com/o/r", False), ("https://x/a.py", False), ("a b.py", False),
        ("127.0.0.1", False), ("src/", False), ("", False), ("Node.js", False), ("a.py:3", False),
    ],
)
def test_looks_like_path(s: str, ok: bool) -> None:
    assert looks_like_path(s) is ok


# --- robustness and speed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    ["", "\n", "\r", "\r\n\r\n", "\0`a.py:3`\0", "`" * 1001, "```", "~~~\n", "[" * 500, "# ", "#",
     "---", "---\n---", "\x1b[31m`a.py:3`", "\ufeff# t\n`a.py:1`", "a.py:" + "1-" * 5000, "行" * 3000],
    ids=lambda note: repr(note) if len(note) <= 20 else f"{note[:8]!r}...{len(note)}",
)
def test_odd_inputs(note: str) -> None:
    scan = scan_note(note)
    assert_offsets(note, scan)


def _big_note() -> str:
    """2,500 lines with ~300 citations, sections, declarations and fenced blocks."""
    filler = "the engine builds a schedule and the optimizer state is partitioned 这里调用了优化器"
    lines: list[str] = []
    i = 0
    while len(lines) < 2500:
        i += 1
        if i % 100 == 0:
            lines += [f"## Section {i} (src/mod{i}.py)", "", "**Commit**: `4be91c0`", ""]
        elif i % 50 == 0:
            lines += ["```python", f"# deepspeed/runtime/engine.py:{i}-{i + 9}", "x = 1", "```"]
        elif i % 8 == 0:
            lines.append(f"- {filler} `deepspeed/runtime/engine.py:{i}-{i + 5}` @ `4be91c0` — see (行 {i}-{i + 3})")
        else:
            lines.append(f"{filler} {filler}, at 09:30 on localhost:3000")
    return "\n".join(lines[:2500])


def test_big_note_is_scanned() -> None:
    # Its scanning speed is measured by benchmarks/bench_check.py, not asserted here.
    note = _big_note()
    scan = scan_note(note)
    assert 250 <= len([c for c in scan.citations if c.ranges]) <= 700


# Half a megabyte each: quadratic work on that is ~10^11 steps (hours), linear is a blink.
HUGE_LINES = {
    "letters": "a" * 500_000,
    "cjk": "中" * 500_000,
    "slashes": "a/" * 250_000,
    "brackets": "[" * 500_000,
    "links": "[a](" * 125_000,
    "backtick-pairs": "`a" * 250_000,
    "l-ranges": "L1-" * 150_000,
    "hang-rows": "行 1," * 125_000,
    "spaces-before-colon": "a.py" + " " * 500_000 + ":1",
    "commit-words": "commit " * 75_000,
    "pipes": "|" * 500_000,
    "heading-spaces": "# " + " " * 500_000 + "#",
    "colons-digits": "a:1" * 150_000,
    "urls": "https://x.io/" + "a/" * 250_000,
    "comments": "<!--" * 125_000,
    # block structure: markdown-it alone takes seconds on these
    "table-row": "| a | b |\n|---|---|\n| " + "x | " * 125_000,
    "indent": " " * 500_000 + "x",
    "tabs": "\t" * 500_000 + "x",
    "nested-lists": "- " * 250_000,
}


@pytest.mark.parametrize("line", list(HUGE_LINES.values()), ids=list(HUGE_LINES))
def test_huge_line_does_not_hang(line: str) -> None:
    # Linear time: well under a second per line on a developer machine.
    scan_note(line)

"""Property tests for core/citations.py: scanning never raises and its offsets always hold
what they claim; format_citation and parse_citation are inverses; cutting long lines for the
block parser keeps markdown-it's block structure."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core.citations import (
    _DECL_ANCHORS,
    _LINK,
    _REFERENCE_DEF,
    _anchors,
    _any_code_citation,
    _any_code_spans,
    _code_citation,
    _code_spans,
    _declaration_anchors,
    _digits_before,
    _links,
    _may_be_source_name,
    _PathRuns,
    _reference_definitions,
    canonical_range,
    format_citation,
    parse_citation,
    scan_note,
)
from readertui.core.model import LineRange
from readertui.core.note_blocks import Lines, _block_parser, _parser_input

# Pieces real notes are made of, including the broken ones.
FRAGMENTS = [
    "`", "``", "```", "~~~", "```python\n", "\n```\n", "# ", "## ", "### ", "\n", "\r\n", "\r", " ",
    "\t", "    ", "> ", "- ", "1. ", "| ", " |", "|---|", "[", "]", "(", ")", "<", ">", "<!--", "-->",
    "engine.py", "deepspeed/runtime/engine.py", "src/queue.ts", "../Repo/a.py", "./x.py", ":", "：",
    "#L", "L", "12", "234", "0", "-", "–", "—", ",", "、", " - ", "行", "第", "line ", "lines ",
    "（行 12-30）", "@ ", "@", "abc1234", "4be91c0", "commit ", "**Commit**: ", "Commit: ", "基于 ",
    "版本 ", "v0.9.3", "https://github.com/o/r/blob/abc1234/x.py#L3-L9", "https://", "://",
    "localhost:3000", "127.0.0.1:5000", "09:30", "std::vector", "x[1:3]", "中文", "\x00", "\x1b[31m",
    "\u2028", "\ufeff", "---\n", "===\n", "\\", "*", "_", "!", "\"", "'",
]

note_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=60).map("".join),
)


def check_offsets(text: str) -> None:
    scan = scan_note(text)
    previous = -1
    for c in scan.citations:
        assert text[c.span.start : c.span.end] == c.text
        assert c.span.start >= previous  # document order, no overlaps
        previous = c.span.end
        assert c.line == text.count("\n", 0, c.span.start) + 1
        assert c.column == c.span.start - (text.rfind("\n", 0, c.span.start) + 1) + 1
        assert len(c.range_spans) == len(c.ranges)
        for rng, (a, b) in zip(c.ranges, c.range_spans):  # the digits as written: `line 09` is 9
            assert text[a.start : a.end].isdigit() and int(text[a.start : a.end]) == rng.start
            assert text[b.start : b.end].isdigit() and int(text[b.start : b.end]) == rng.end
        if c.path is None:
            assert c.context_path is not None
    for d in scan.declarations:
        assert text[d.span.start : d.span.end] == d.ref
        assert d.line <= d.scope_end_line
        assert scan.commit_for_line(d.line) is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note_text)
def test_scan_never_raises_and_offsets_hold(text: str) -> None:
    check_offsets(text)


@settings(max_examples=150, deadline=None)
@given(note_text)
def test_crlf_version_finds_the_same_citations(text: str) -> None:
    lf = text.replace("\r", "")
    crlf = lf.replace("\n", "\r\n")
    check_offsets(crlf)
    assert [(c.path, c.ranges, c.line, c.form) for c in scan_note(crlf).citations] == [
        (c.path, c.ranges, c.line, c.form) for c in scan_note(lf).citations
    ]


segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-+中文", min_size=1, max_size=12)
paths = st.builds(
    lambda dirs, stem, ext: "/".join([*dirs, f"{stem}.{ext}"]),
    st.lists(segment, max_size=4),
    segment,
    st.sampled_from(["py", "ts", "cu", "h", "rs", "go", "cpp", "yaml", "md"]),
)
line_ranges = st.lists(
    st.tuples(st.integers(1, 10**6), st.integers(0, 500)).map(lambda t: LineRange(t[0], t[0] + t[1])),
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), segment), paths, line_ranges)
def test_format_then_parse_round_trips(repo, path, ranges) -> None:
    text = format_citation(repo, path, ranges)
    parsed = parse_citation(text)
    assert parsed is not None, text
    full = f"{repo}/{path}" if repo else path
    assert parsed[0] == full
    assert canonical_range(parsed[1]) == canonical_range(ranges)
    assert format_citation(None, parsed[0], parsed[1]) == text


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), segment), paths, line_ranges.filter(bool), st.sampled_from(["", "\n", "- x "]))
def test_formatted_citation_is_found_in_a_note(repo, path, ranges, prefix) -> None:
    citation = format_citation(repo, path, ranges)
    text = f"{prefix}see `{citation}` @ `abc1234` here"
    scan = scan_note(text)
    assert len(scan.citations) == 1
    found = scan.citations[0]
    assert found.text == citation
    assert canonical_range(found.ranges) == canonical_range(ranges)
    assert found.commit == "abc1234"
    check_offsets(text)


# --- cutting long lines for the block parser keeps the block structure ---------------------------

BLOCKS = [
    "Some text `a.py:3` here.", "more text", "# Title", "## Section two", "Setext title\n===",
    "Setext two\n---", "- item one", "1. first", "  continued", "> quoted", "> ## quoted heading",
    "```python\n# a.py:1\nx = 1\n```", "~~~\n// b.ts:2\n~~~", "- step\n  ```sh\n  # c.sh:3\n  ```",
    "> ```c\n> // d.c:4\n> ```", "    indented code", "***", "| a | b |\n|---|---|\n| `e.py:5` | 2 |",
    "<!-- note -->", "<!--\nhidden\n-->", "<div>\nhtml\n</div>", "<pre>\ncode\n</pre>", "", "",
]
# Added to a line, past the cut: plain text, or text with the end of an HTML block in it (drawn by
# index, so a failing example prints short).
PADDING = ["", "x" * 4100, " " + "y" * 4100 + " -->", " " + "z" * 4100 + " </pre> tail"]


def block_structure(source: str) -> list[tuple[str, int, int, int]]:
    return [(t.type, *t.map, t.level) for t in _block_parser().parse(source) if t.map is not None]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(BLOCKS), max_size=12),
    st.sampled_from(["\n\n", "\n"]),
    st.lists(st.integers(0, len(PADDING) - 1), max_size=30),
)
def test_long_lines_cut_for_the_parser_keep_block_structure(blocks, joiner, padding) -> None:
    lines = joiner.join(blocks).split("\n")
    text = "\n".join(line + PADDING[pad] for line, pad in zip(lines, [*padding, *[0] * len(lines)]))
    cut = _parser_input(Lines(text), -1)
    assert cut.count("\n") == text.count("\n")
    assert all(len(line) < 4100 for line in cut.split("\n"))
    assert block_structure(cut) == block_structure(text)


# Contents of an inline code span near the common `path:a-b` shape, and every way off it.
_CODE_BITS = [
    "src/", "a", "engine", ".py", ".", "./", "../", "/", "\\", ":", "：", "12", "0", "9999999999", "-",
    " - ", "–", "L", "#L", "line", "行", "第", ",", "[id]", "(", ")", "x.com", "Makefile", "_", "+", "@", "中文",
]
code_contents = st.one_of(
    st.lists(st.sampled_from(_CODE_BITS), min_size=1, max_size=10).map("".join),
    st.tuples(
        st.one_of(
            st.sampled_from(["src/a.py", "a.py", "engine/core.cu", "src/a", "./a.py", "../x/a.h", "x.com", "Makefile",
                             "[id]/page.tsx", "a\\b.py", "中文/a.py", ".py", "/a.py", "a..py", "a.b.c", "1.2", "src/"]),
            st.lists(st.sampled_from(["src/", "a", ".py", "./", "/", "x.com", "[id]", "\\", "中文", "-", "+", "@"]),
                     min_size=1, max_size=4).map("".join),
        ),
        st.sampled_from([":", ":", ":", "：", " : ", "#L", ""]),
        st.sampled_from(["12", "7", "30", "0", "1234567890"]),
        st.sampled_from(["-", "-", "-", "", "–", " - ", ",", "-L"]),
        st.sampled_from(["5", "30", "0", "", "1234567890"]),
        st.sampled_from(["", "", "", "", ":3", "x", " "]),
    ).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(content=code_contents, offset=st.integers(0, 1000), heading=st.booleans())
def test_the_common_code_span_shape_reads_as_the_general_pattern_reads_it(content, offset, heading) -> None:
    """`_code_citation` takes a short cut for `dir/file.py:12-30`: same result, spans included."""
    assert _code_citation(content, offset, heading) == _any_code_citation(content, offset, heading)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(["`", "`", "``", "\\", "a", " ", "\n", "x.py:3"]), max_size=24).map("".join),
       cut=st.integers(0, 3))
def test_single_backticks_pair_as_the_general_rule_pairs_them(text, cut) -> None:
    """`_code_spans` pairs single unescaped backticks directly: same spans as CommonMark's rule."""
    start, end = min(cut, len(text)), max(len(text) - cut, min(cut, len(text)))
    assert _code_spans(text, start, end) == _any_code_spans(text, start, end)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["commit", "Commit", "COMMIT", "cOmmit", "sha", "SHA", "sHa", "shard", "tagtag", "İ",
                                 "版本", "提交", "based", "Based", "x", " ", "\n", "Version", "VERSION", "release"]),
                max_size=30).map("".join))
def test_declaration_anchors_are_the_25_literal_searches(text) -> None:
    assert _declaration_anchors(text) == _anchors(text, *_DECL_ANCHORS)


link_soup = st.lists(
    st.sampled_from(["[", "]", "!", "![", "(", ")", "<", ">", "\n", " ", "   ", "\t", "\\", "x", "a.py#L3", '"t"', ":",
                     "[l](u)", "[r]: u", "![i](p.png)", "[`c`](x.py)", "[a [b] c](d)", "\0"]),
    max_size=40,
).map("".join)


@settings(max_examples=250, deadline=None)
@given(link_soup)
def test_links_tried_at_each_bracket_are_the_patterns_matches(view) -> None:
    """`_links` and `_reference_definitions` try their pattern only where it can start: the
    same matches as `finditer` over the whole view."""
    def spans(matches):
        return [(m.span(), m.groupdict()) for m in matches]

    assert spans(_links(view)) == spans(_LINK.finditer(view))
    assert spans(_reference_definitions(view)) == spans(_REFERENCE_DEF.finditer(view))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["1", "0", "12", "²", "١", " ", "\n", "a", "x.f90", "Makefile", "/", "_", ".", ")", "]",
                                 "[id]", ":", "\\", "中", "-"]), min_size=1, max_size=12).map("".join))
def test_a_number_before_a_colon_is_no_file(text) -> None:
    """`_find_tails` skips a colon after digits only: the prose path rule would reject them."""
    for at in range(1, len(text) + 1):
        if _digits_before(text, at):
            start = _PathRuns(text).start_before(at)
            assert start is None or not _may_be_source_name(text, start, at)

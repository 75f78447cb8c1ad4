"""rewrite_note changes the digits (and, for renames, the path) of citations and nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.citations import scan_note
from readertui.core.model import Citation, CitationForm, CommitDeclaration, LineRange, Span
from readertui.core.rewrite import (
    CitationEdit,
    DeclarationEdit,
    new_ref_text,
    path_rewrite,
    rewrite_note,
)

R = LineRange
_CITE = re.compile(r"`(?P<path>[\w./-]+):(?P<ranges>\d+(?:-\d+)?(?:,\s*\d+(?:-\d+)?)*)`")


def cite(text: str, nth: int = 0) -> Citation:
    """A Citation for the nth `path:ranges` in `text`, with exact spans (a tiny stand-in for
    core.citations.scan_note, enough for these tests)."""
    match = list(_CITE.finditer(text))[nth]
    ranges: list[LineRange] = []
    spans: list[tuple[Span, Span]] = []
    for part in re.finditer(r"(\d+)(?:-(\d+))?", match["ranges"]):
        base = match.start("ranges")
        first = Span(base + part.start(1), base + part.end(1))
        last = Span(base + part.start(2), base + part.end(2)) if part[2] else first
        ranges.append(LineRange(int(part[1]), int(part[2] or part[1])))
        spans.append((first, last))
    line = text.count("\n", 0, match.start()) + 1
    return Citation(
        text=match[0],
        line=line,
        column=match.start() - text.rfind("\n", 0, match.start()),
        span=Span(match.start(), match.end()),
        form=CitationForm.INLINE,
        path=match["path"],
        ranges=tuple(ranges),
        range_spans=tuple(spans),
    )


def test_single_line_stays_single_and_ranges_keep_their_shape():
    text = "看 `engine.py:42` 和 `engine.py:234-256`，还有 `engine.py:7-7`。\n"
    edits = [
        CitationEdit(cite(text, 0), (R(43, 43),)),
        CitationEdit(cite(text, 1), (R(240, 262),)),
        CitationEdit(cite(text, 2), (R(9, 9),)),
    ]
    assert rewrite_note(text, edits) == "看 `engine.py:43` 和 `engine.py:240-262`，还有 `engine.py:9-9`。\n"


def test_crlf_note_keeps_every_other_byte():
    text = "# Notes\r\n\r\nSee `src/a.py:10-12, 30` here.\r\nAnd `b.py:5`.\r\n"
    new = rewrite_note(text, [CitationEdit(cite(text, 0), (R(15, 17), R(31, 31))), CitationEdit(cite(text, 1), (R(6, 6),))])
    assert new == "# Notes\r\n\r\nSee `src/a.py:15-17, 31` here.\r\nAnd `b.py:6`.\r\n"
    assert new.encode().count(b"\r\n") == text.encode().count(b"\r\n")


def test_a_one_number_citation_whose_candidate_spans_lines_gets_a_range():
    text = "`a.py:42`"
    assert rewrite_note(text, [CitationEdit(cite(text), (R(44, 46),))]) == "`a.py:44-46`"


def test_renamed_file_rewrites_a_full_path_and_keeps_the_prefix():
    text = "`Engine/src/util/queue.ts:3-4` and `queue.ts:9`\n"
    full = CitationEdit(cite(text, 0), (R(3, 4),), "src/util/queue.ts", "src/util/work_queue.ts")
    assert rewrite_note(text, [full]) == "`Engine/src/util/work_queue.ts:3-4` and `queue.ts:9`\n"
    partial = CitationEdit(cite(text, 1), (R(9, 9),), "src/util/queue.ts", "src/util/work_queue.ts")
    with pytest.raises(ValueError, match="partial path"):
        rewrite_note(text, [partial])


def test_path_rewrite_rules():
    assert path_rewrite("src/a.py", "src/a.py", "lib/a.py") == "lib/a.py"
    assert path_rewrite("../Engine/src/a.py", "src/a.py", "lib/b.py") == "../Engine/lib/b.py"
    assert path_rewrite("a.py", "src/a.py", "lib/a.py") == "a.py"  # still names the file
    assert path_rewrite("src/a.py", "x/src/a.py", "y/src/a.py") == "src/a.py"
    assert path_rewrite("a.py", "src/a.py", "src/b.py") is None


def test_commit_declarations_keep_their_style():
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert new_ref_text("4be91c0", sha) == "0123456"
    assert new_ref_text("4be91c0aa1", sha) == "0123456789"
    assert new_ref_text("a" * 40, sha) == sha
    assert new_ref_text("v0.9.3", sha, "v1.0") == "v1.0"
    assert new_ref_text("v0.9.3", sha) == "0123456"
    text = "**Commit**: `4be91c0`\r\n`a.py:3`\r\n"
    decl = CommitDeclaration("4be91c0", 1, 14, Span(13, 20), 2)
    new = rewrite_note(text, [CitationEdit(cite(text), (R(5, 5),))], [DeclarationEdit(decl, "0123456")])
    assert new == "**Commit**: `0123456`\r\n`a.py:5`\r\n"


def test_stale_spans_are_refused():
    text = "`a.py:42`"
    citation = cite(text)
    with pytest.raises(ValueError):
        rewrite_note("`a.py:41`", [CitationEdit(citation, (R(43, 43),))])
    with pytest.raises(ValueError):
        rewrite_note(text, [CitationEdit(citation, (R(43, 43), R(50, 50)))])


def masked(text: str, citations: list[Citation]) -> str:
    spans = sorted({span for c in citations for pair in c.range_spans for span in pair}, key=lambda s: s.start)
    out, cursor = [], 0
    for span in spans:
        out += [text[cursor : span.start], "#"]
        cursor = span.end
    return "".join(out) + text[cursor:]


prose = st.text(alphabet=st.sampled_from(list("ab 中文，。\r\n#*`:-0123456789")), max_size=30)


@settings(max_examples=100)
@given(
    pieces=st.lists(
        st.tuples(prose, st.lists(st.tuples(st.integers(1, 5000), st.integers(0, 40)), min_size=1, max_size=3), st.integers(-30, 30)),
        min_size=1,
        max_size=5,
    ),
    trailer=prose,
)
def test_only_the_cited_digits_change(pieces, trailer):
    text = ""
    for filler, ranges, _ in pieces:
        text += filler.replace("`", "'") + " `src/m.py:" + ", ".join(
            str(start) if extra == 0 else f"{start}-{start + extra}" for start, extra in ranges
        ) + "` "
    text += trailer.replace("`", "'")
    edits = []
    for nth, (_, _ranges, shift) in enumerate(pieces):
        citation = cite(text, nth)
        new = tuple(LineRange(max(1, r.start + shift), max(1, r.start + shift) + len(r) - 1) for r in citation.ranges)
        edits.append(CitationEdit(citation, new))
    new_text = rewrite_note(text, edits)
    # Every character outside the cited digits is the same, in the same order.
    new_citations = [cite(new_text, nth) for nth in range(len(edits))]
    assert masked(new_text, new_citations) == masked(text, [edit.citation for edit in edits])
    # The rewritten note cites exactly the new ranges.
    for nth, edit in enumerate(edits):
        assert cite(new_text, nth).ranges == edit.new_ranges


def test_a_pin_follows_each_form_and_is_read_back_as_the_citations_commit():
    text = (
        "See `a.py:3-4` (`f`), ``b.py:5`` and [c](../c.py#L2-L3).\n"
        "```python\n# d.py:7\nx = 1\n```\n"
        "Prose e.py:9 too.\n"
    )
    citations = scan_note(text).citations
    assert len(citations) == 5
    pinned = rewrite_note(text, pins=[(citation, "abc1234") for citation in citations])
    again = scan_note(pinned).citations
    assert [(c.path, c.commit) for c in again] == [(c.path, "abc1234") for c in citations]
    assert "`a.py:3-4` @ `abc1234` (`f`)" in pinned and again[0].label == "f"

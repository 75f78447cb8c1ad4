"""A note scanned in pieces finds exactly what the whole note scanned at once finds.

`scan_note` reads a long note in pieces of whole top-level blocks (core/citations.py:
`NoteScanner`, `_blocks`) so a 50 MB log never has whole-note views or one markdown-it
token list, and reads the plain shapes of a log itself (`_plain_blocks`). These tests compare
it, on generated notes, with one piece and one markdown-it parse of the whole note (what
`scan_note` did before), with pieces and reads as small as they go: every block, every
citation, its context, headings, pins and labels, and every declaration."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core import citations, note_blocks
from readertui.core.citations import NoteScanner, scan_note
from readertui.core.model import NoteScan
from tests.unit.test_citations_property import FRAGMENTS


def whole(text: str, monkeypatch: pytest.MonkeyPatch) -> NoteScan:
    with monkeypatch.context() as patch:
        patch.setattr(note_blocks, "PARSE_LINES", 10**9)
        patch.setattr(note_blocks, "PLAIN_LINES", 0)
        scanner = NoteScanner(text, piece_lines=10**9)
        found = tuple(c for part in scanner.parts() for c in part)
        return NoteScan(found, scanner.declarations())


def pieces(
    text: str, monkeypatch: pytest.MonkeyPatch, piece_lines: int, parse_lines: int, plain_lines: int = 4096
) -> NoteScan:
    with monkeypatch.context() as patch:
        patch.setattr(note_blocks, "PARSE_LINES", parse_lines)
        patch.setattr(note_blocks, "PLAIN_LINES", plain_lines)
        scanner = NoteScanner(text, piece_lines=piece_lines)
        parts = list(scanner.parts())
        return NoteScan(tuple(c for part in parts for c in part), scanner.declarations())


# Lines of a reading note or log: blocks of every kind, citations of every form, declarations.
LINES = [
    "", "", "", "# Code reading log", "## 2026-11-29", "### Kernel side (kernels/softmax.cu)",
    "**Commit**: `4be91c0`", "Commit: a03f7d2", "> based on commit 4be91c0", "| Commit | 4be91c0 |",
    "- 14:32 `Engine/src/engine/core.py:9-12` @ `4be91c0` — the step loop",
    "- 14:40 a thought without a citation", "  continued `core.py:14` and (行 3-5)",
    "- 16:05 [core.py](https://github.com/o/Engine/blob/v1.0/src/engine/core.py#L3-L9) — tag link",
    "- [`step`](../Engine/src/engine/core.py#L14-L16)", "1. `queue.ts:40-52` (`Queue.push`)",
    "See line 38 and lines 40-52, 第 12 行.", "Then `L42-L50` and #L7.", "**Topic (src/util/queue.ts)**",
    "`index.ts:398-415`", "```python", "# src/engine/core.py:1-2", "pass  # core.py:3", "```",
    "  ```c", "  // [queue.h](https://github.com/o/r/blob/v2.1/src/queue.h#L57)", "  ```",
    "```mermaid", 'click A href "https://github.com/o/r/blob/abc1234/x.py#L3"', "```",
    "| file | 行 |", "|---|---|", "| `core.py` | 12-30 |", "| queue.ts | 3 |",
    "<!-- readertui-ignore -->", "<!-- `hidden.py:3` -->", "    indented.py:4 code", "---", "===",
    "Setext title", "> quoted `core.py:7`", ">", "- nested", "  - `deep.py:1`", "* star item",
    "<div>", "`html.py:2`", "</div>", "[ref]: ../Engine/README.md#L1", "text [ref] here",
    "~~~", "unclosed fence `a.py:1`", "---", "title: x", "commit: 4be91c0", "---",
]

note_lines = st.lists(
    st.one_of(st.sampled_from(LINES), st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join)),
    max_size=120,
).map("\n".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(text=note_lines, piece_lines=st.sampled_from([1, 2, 5, 30]), parse_lines=st.sampled_from([1, 2, 3, 16]),
       plain_lines=st.sampled_from([0, 1, 3, 4096]))
def test_pieces_find_what_the_whole_note_finds(text, piece_lines, parse_lines, plain_lines, monkeypatch) -> None:
    assert pieces(text, monkeypatch, piece_lines, parse_lines, plain_lines) == whole(text, monkeypatch)


# Lines of a reading log as `readertui log` writes it and people edit it, and near misses of
# each plain shape (which markdown-it must read).
LOG_LINES = [
    "", "", "", "# Code reading log", "## 2020-01-01", "**Commit**: `3bb09d7`",
    "- 10:04 `BigRepo/x/y.py:5-9` @ `3bb09d7` — the cache", "- 10:58 `a.ts:39-54` — text",
    "  continued: see also `b.ts:54` and the caller (行 39-54)", "- 11:43 a thought: x:", "  ```python",
    "  # BigRepo/src/a.py:3", "  value = step(value, 3)", "  ```", "  ````", "   ```", "      ```", " ```", "```",
    "text line", "  indented text", "   three", "    four", "- ", "-", "* star", "+ plus", "1. one", "2) two",
    "## ", "## title #", "####### seven", "#nospace", "---", "===", "> quote", "<div>", "| a | b |", "|---|---|",
    "- [link](x.py#L1)", "[ref]: x.py", "(paren) text", '"quoted"', "'q'", "**bold** x", "*** ", "***",
    "  - nested", "  1. nested", "  > q", "\t tab", "- \ttab", "  ```py title=a.py", "  ~~~", "a | b", "中文 text",
    "- 中文", "  `code` x", "`x` y", "``` inline", "  ````python", "  text ```", "- 10:00 a\\", "a  ", "12:30 text",
    "1.5 ratio", "100) x", "3 apples", "```python", "```c title=a.c", "````", "``` `x`", "\t```", " \t```",
    "   ```", "    ```", "```  ", "~~~", "# src/a.py:1-2", "pass  # a.py:3",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LOG_LINES), max_size=60), st.sampled_from([1, 2, 3, 64]),
       st.sampled_from([1, 2, 3, 7, 4096]))
def test_plain_shapes_are_read_as_markdown_it_reads_them(log_lines, parse_lines, plain_lines) -> None:
    lines = note_blocks.Lines("\n".join(log_lines))
    saved = note_blocks.PARSE_LINES, note_blocks.PLAIN_LINES
    try:
        note_blocks.PARSE_LINES, note_blocks.PLAIN_LINES = 10**9, 0
        expected = list(note_blocks.blocks(lines))
        note_blocks.PARSE_LINES, note_blocks.PLAIN_LINES = parse_lines, plain_lines
        assert list(note_blocks.blocks(lines)) == expected
    finally:
        note_blocks.PARSE_LINES, note_blocks.PLAIN_LINES = saved


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(text=note_lines)
def test_declarations_so_far_answer_every_line_read_so_far(text, monkeypatch) -> None:
    """What the resolver relies on to resolve a long note as it is read."""
    expected = whole(text, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(note_blocks, "PARSE_LINES", 2)
        scanner = NoteScanner(text, piece_lines=1)
        for part in scanner.parts():
            so_far = NoteScan(part, scanner.declarations())
            in_force = NoteScan(part, scanner.declarations_in_force(part[0].line)) if part else so_far
            for citation in part:
                assert so_far.commit_for_line(citation.line) == expected.commit_for_line(citation.line)
                assert in_force.commit_for_line(citation.line) == expected.commit_for_line(citation.line)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join))
def test_pieces_on_fragment_soup(text, monkeypatch) -> None:
    assert pieces(text, monkeypatch, 1, 2) == whole(text, monkeypatch)


def test_a_long_log_is_read_in_many_parts_with_the_same_result(monkeypatch) -> None:
    days = []
    for day in range(1, 29):
        entries = "\n".join(
            f"- {9 + i % 8:02d}:{i % 60:02d} `Engine/src/engine/core.py:{i + 1}-{i + 3}` — entry {i}"
            + ("\n  ```python\n  # src/util/queue.ts:4\n  x = 1\n  ```" if i % 7 == 0 else "")
            for i in range(40)
        )
        days.append(f"## 2026-11-{day:02d}\n\n**Commit**: `{'4be91c0' if day % 2 else 'a03f7d2'}`\n\n{entries}\n")
    text = "# Code reading log\n\n" + "\n".join(days)
    scanner = NoteScanner(text, piece_lines=50)
    parts = list(scanner.parts())
    assert len(parts) > 10
    assert NoteScan(tuple(c for p in parts for c in p), scanner.declarations()) == whole(text, monkeypatch)
    assert scan_note(text) == whole(text, monkeypatch)


def test_declarations_in_force_leave_out_the_ended_ones(monkeypatch) -> None:
    """A long log's earlier days are not handed to the resolver with every later part."""
    days = [f"## 2026-11-{day:02d}\n\n**Commit**: `{day:07x}`\n\n- 10:00 `a.py:{day}` — x\n" for day in range(1, 29)]
    text = "# Log\n\nCommit: 4be91c0\n\n" + "\n".join(days)
    scanner = NoteScanner(text, piece_lines=1)
    sizes = []
    for part in scanner.parts():
        if part:
            in_force = scanner.declarations_in_force(part[0].line)
            sizes.append(len(in_force))
            assert [d.ref for d in in_force] == ["4be91c0", f"{len(sizes):07x}"]
    assert len(sizes) == 28 and len(scanner.declarations()) == 29
    assert scanner.declarations() == whole(text, monkeypatch).declarations
    # what is looked at again after each piece stays small (it was every declaration: quadratic)
    assert scanner.scopes.unsettled == [0, 28] and len(scanner.scopes.live) == 2  # the top one, the last day's


# Plain log entries, which the scanner reads at once, and every near miss of them.
_HARMLESS_TEXT = [" — ", "the step", "(", ")", "（", "）", ":", "：", "3", "L", "LRU", "/", "a/b", "x.py", "@", "#", "中文",
                  "commit abc1234", "Commit: 4be91c0", "**", "_", " ", "\t", "~", "!"]
_TRICKY_TEXT = ["L4", "line", "Line", "LINE", "lines 4", "行", "第", "x.py:3", "://", "http://x", "@ abc1234", "`", "[",
                "]", "<!-- c -->", "\\", "#L3", "(a/b.py)", ": src/x.py"]
entry_lines = st.builds(
    lambda time, content, pin, text: f"- {time} `{content}`{pin}{''.join(text)}",
    st.sampled_from(["10:04", "10:04", "9:30", "10:4"]),
    st.one_of(
        st.sampled_from(["Engine/src/engine/core.py:9-12", "core.py:3", "src/a.py:12-5", "../x/a.h:7"]),
        st.sampled_from(["a.py:0", "x.com:443", "a.py", "core.py:3 ", "src/[id]/p.tsx:2", "a\\b.py:3", "L42", "line 4",
                         "https://x/blob/abc1234/a.py#L3", "a.py:1234567890"]),
    ),
    st.sampled_from(["", " @ `4be91c0`", " @ `4be91c0`", " @4be91c0", " @ `xyz`", "@ `4be91c0`"]),
    st.lists(st.one_of(*[st.sampled_from(_HARMLESS_TEXT)] * 4, st.sampled_from(_TRICKY_TEXT)), max_size=6),
)


plain_entries = st.builds(  # the lines the short cut takes
    lambda content, pin, text: f"- 10:04 `{content}`{pin}{''.join(text)}",
    st.sampled_from(["Engine/src/engine/core.py:9-12", "core.py:3", "src/a.py:12-5", "../x/a.h:7", "a.py:0", "x.com:443"]),
    st.sampled_from(["", " @ `4be91c0`"]),
    st.lists(st.one_of(*[st.sampled_from(_HARMLESS_TEXT)] * 3, st.sampled_from(["a/b.py", "line 4", "Line", "行 3", "L42"])),
             max_size=6),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(plain_entries, entry_lines, st.sampled_from(LOG_LINES)), max_size=30))
def test_plain_log_entries_read_at_once_find_what_the_finders_find(lines) -> None:
    text = "\n".join(lines)
    saved = citations.READ_LOG_ENTRIES
    try:
        citations.READ_LOG_ENTRIES = False
        expected = scan_note(text)
        citations.READ_LOG_ENTRIES = True
        assert scan_note(text) == expected
    finally:
        citations.READ_LOG_ENTRIES = saved


def test_the_log_entries_read_at_once_are_the_plain_ones() -> None:
    for plain in ["- 10:04 `Engine/src/engine/core.py:9-12` @ `4be91c0` — the step loop (scaled) LRU: 3 ways",
                  "- 9:30 `core.py:3` — see a.py:4 and line 5"]:  # (`a.py:4`, `line 5`: the piece's finders)
        assert citations._plain_log_entry(plain, 0, len(plain)) is not None
    for near_miss in ["- 10:04 `core.py:3` — (a/b.py)", "- 10:04 `core.py:3` — `x`", "- 10:04 `core.py:3` — [l](u)",
                      "- 10:04 `core.py#L3` — x", "- 10:04 `x.com:443` — x", "- 10:04 `core.py:3` <!-- x -->",
                      "- 10:04 `core.py:3` @4be91c0 `x`", "  - 10:04 `core.py:3` — x"]:
        assert citations._plain_log_entry(near_miss, 0, len(near_miss)) is None, near_miss

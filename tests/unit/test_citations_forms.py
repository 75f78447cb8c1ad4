"""core/citations.py, the forms seen in real notes since the first spec: links in comment lines
of fenced blocks and Mermaid `click` lines, permalinks whose ref is a tag or a branch, labelled
citations, paragraphs that set the file context, bracketed route paths. Every note here is
invented but written the way such notes are."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core.citations import scan_note
from readertui.core.model import CitationForm, LineRange

R = LineRange

C_NOTE = """\
# The work queue

The queue is a ring buffer guarded by one mutex.

```c
// [queue.h](https://github.com/acme/ringq/blob/v2.1/src/queue.h#L57)
struct queue {
    const char *name;          /* "queue.c:12" in a string is code */
    int head;
};
printf("// src/fake.c:9 is inside a string\\n");
/* slow path: see src/queue.c:120-131
 * and the drain loop in src/drain.c:40 */
#include "queue.h"
// L2 cache line 64 is not a citation
```
"""


def cites(text: str) -> list[tuple[str | None, tuple[LineRange, ...], bool]]:
    return [(c.path, c.ranges, c.in_code) for c in scan_note(text).citations]


def test_links_and_paths_in_comment_lines_anywhere_in_a_block() -> None:
    assert cites(C_NOTE) == [
        ("src/queue.h", (R(57, 57),), True),
        ("src/queue.c", (R(120, 131),), True),
        ("src/drain.c", (R(40, 40),), True),
    ]
    link = scan_note(C_NOTE).citations[0]
    assert link.ref_path == "v2.1/src/queue.h" and link.commit is None and link.label == "queue.h"


def test_comment_syntax_follows_the_language() -> None:
    # `#` is a comment in Python, a preprocessor line in C; `--` in SQL; `%%` in Mermaid
    assert cites("```python\nx = 1\n# see engine/core.py:40-52\n```\n") == [
        ("engine/core.py", (R(40, 52),), True)
    ]
    assert cites("```c\nint x;\n# engine/core.py:40-52\n```\n") == []
    assert cites("```sql\nselect 1;\n-- see db/schema.sql:10\n```\n") == [("db/schema.sql", (R(10, 10),), True)]
    assert cites("```html\n<p>x</p>\n<!-- from web/index.html:7 -->\n```\n") == [
        ("web/index.html", (R(7, 7),), True)
    ]
    # a language we know nothing about: nothing in it is read after the first line
    assert cites("```brainfuck\n+++\n// a/b.c:3\n```\n") == []


def test_code_lines_stay_code_even_with_comment_syntax_inside_strings() -> None:
    note = '```js\nconst s = "// lib/a.js:3";\nlet t = \'/* lib/b.js:4 */\';\nfoo(); // lib/c.js:5\n```\n'
    assert cites(note) == []


def test_mermaid_click_lines() -> None:
    note = """\
```mermaid
graph TD
  Q[queue] --> W[worker]
  click Q href "https://github.com/acme/ringq/blob/v2.1/src/queue.cc#L504" "open"
  click W "https://github.com/acme/ringq/blob/4be91c0d2a7e/src/worker.cc#L10-L30" _blank
  click Q call showDetails()
  %% the drain: src/drain.cc:12
```
"""
    found = scan_note(note).citations
    assert [(c.path, c.ranges, c.commit, c.ref_path) for c in found] == [
        ("src/queue.cc", (R(504, 504),), None, "v2.1/src/queue.cc"),
        ("src/worker.cc", (R(10, 30),), "4be91c0d2a7e", None),
        ("src/drain.cc", (R(12, 12),), None, None),
    ]
    assert all(c.in_code for c in found)
    assert note[found[0].span.start : found[0].span.end] == found[0].text


def test_unclosed_mermaid_block_runs_to_the_end_without_error() -> None:
    note = "```mermaid\ngraph TD\n  click A \"https://github.com/o/r/blob/v1/a.py#L3\"\n  click B \"unterminated\n"
    assert [c.path for c in scan_note(note).citations] == ["a.py"]


def test_forge_refs_that_are_not_hex_are_kept_whole_for_the_resolver() -> None:
    cases = {
        "https://github.com/o/r/blob/release/1.x/src/a.py#L10-L20": ("release/1.x/src/a.py", None),
        "https://github.com/o/r/tree/v3.4.1-1/src/init.cc#L83": ("v3.4.1-1/src/init.cc", None),
        "https://gitlab.com/grp/sub/r/-/blob/v1.0/lib/x.rb#L2-9": ("v1.0/lib/x.rb", None),
        "https://codeberg.org/o/r/src/tag/v2/a.go#L3": ("v2/a.go", "tag"),
        "https://codeberg.org/o/r/src/branch/main/a.go#L3": ("main/a.go", "branch"),
    }
    for url, (ref_path, kind) in cases.items():
        (c,) = scan_note(url).citations
        assert (c.ref_path, c.ref_kind, c.commit) == (ref_path, kind, None), url


def test_query_and_fragment_in_either_order() -> None:
    for url in (
        "https://github.com/o/r/blob/abc1234/a.py#L10-L20?plain=1",
        "https://github.com/o/r/blob/abc1234/a.py?plain=1#L10-L20",
    ):
        (c,) = scan_note(f"see {url} here").citations
        assert (c.path, c.ranges, c.commit) == ("a.py", (R(10, 20),), "abc1234"), url


def test_hostile_ref_names_are_kept_as_text_only() -> None:
    for ref in ("a..b", "x@{1}", "v1\x07", "r" * 500):
        (c,) = scan_note(f"[a](https://github.com/o/r/blob/{ref}/src/a.py#L3)").citations
        assert c.ref_path == f"{ref}/src/a.py" and c.commit is None


def test_labels_of_links_and_of_a_backticked_name_before() -> None:
    note = (
        "[`Queue.push()`](../Engine/src/queue.py#L40-L52) then `Queue.pop` (`queue.py:60-64`) and "
        "[here](../Engine/src/queue.py#L1) and `queue.py:70` alone."
    )
    assert [c.label for c in scan_note(note).citations] == ["`Queue.push()`", "Queue.pop", "here", None]


def test_a_paragraph_naming_one_file_sets_the_context_until_the_next_heading() -> None:
    note = """\
# Server

**Topic 1: message flow (src/index.ts)**

The handler `index.ts:398-415` parses, then `index.ts:420` replies.

Topic 2: services/api/index.ts

`index.ts:5`

Both (src/a.ts) and (src/b.ts) are involved: `index.ts:6`

## Client

`index.ts:7`
"""
    found = scan_note(note).citations
    assert [c.paragraph_path for c in found] == [
        "src/index.ts", "src/index.ts", "services/api/index.ts", "services/api/index.ts", None
    ]


def test_bracketed_route_paths_are_ordinary_paths() -> None:
    for text, path in (
        ("`src/app/[id]/page.tsx:12`", "src/app/[id]/page.tsx"),
        ("see src/app/[id]/page.tsx:12 now", "src/app/[id]/page.tsx"),
        ("(src/app/(auth)/login/page.tsx:3)", "src/app/(auth)/login/page.tsx"),
        ("`pages/posts/[...slug].tsx:4`", "pages/posts/[...slug].tsx"),
        ("`app/[[...all]]/route.ts:9`", "app/[[...all]]/route.ts"),
        ("[page](../web/src/app/[id]/page.tsx#L12)", "../web/src/app/[id]/page.tsx"),
    ):
        (c,) = scan_note(text).citations
        assert c.path == path and len(c.ranges) == 1, text
    # half a bracket is not part of a path
    assert [c.path for c in scan_note("`foo(a.py:3)`").citations] == ["a.py"]
    assert [c.path for c in scan_note("[engine.py:3]").citations] == ["engine.py"]


def test_brackets_anywhere_in_a_name_where_nothing_but_a_path_can_stand() -> None:
    # what the reader's `y` and `c` write for a file named `[bold]markup.py` or `x[` / `]close.py`
    for text, path in (
        ("- 12:01 `minillm/[bold]markup.py:1` — (`f`) read", "minillm/[bold]markup.py"),
        ("`minillm/x[/]close.py:1-2`", "minillm/x[/]close.py"),
        ("[it](minillm/[bold]markup.py#L1)", "minillm/[bold]markup.py"),
        ("https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/a/%5Bb%5Dc.py#L3", "a/[b]c.py"),
        ("```python\n# minillm/[bold]markup.py:1\nx = 1\n```\n", "minillm/[bold]markup.py"),
    ):
        (c,) = scan_note(text).citations
        assert c.path == path and len(c.ranges) == 1, text
    # in running text a bracket inside a name still ends the path (`[bold]` may be link text)
    assert [c.path for c in scan_note("see [bold]markup.py:3 here").citations] == ["markup.py"]
    assert scan_note("`[a.py`").citations == ()


def test_code_block_forms_keep_their_form() -> None:
    (c,) = scan_note("```go\n// see [x](../R/a.go#L3)\n```\n").citations
    assert c.form == CitationForm.LINK and c.in_code


PIECES = [
    "```", "```c\n", "```python\n", "```mermaid\n", "```sql\n", "\n```\n", "\n", "// ", "# ", "-- ",
    "/* ", " */", "<!-- ", " -->", "%% ", "click A ", "click B href ", '"', "'", "href ",
    "https://github.com/o/r/blob/v1.2/src/a.py#L3-L9", "https://github.com/o/r/tree/main/x.c",
    "?plain=1", "#L10", "src/a.py:3", "[q](", ")", "[", "]", "(", "`", "src/app/[id]/page.tsx:4",
    "**Topic (src/x.ts)**", ": src/y.ts", "## h\n", "\x1b[2J", "..", "@{", "\x00", " ",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=60).map("".join))
def test_scanner_on_arbitrary_blocks_never_raises_and_offsets_hold(text: str) -> None:
    scan = scan_note(text)
    for c in scan.citations:
        assert text[c.span.start : c.span.end] == c.text
        for rng, (a, b) in zip(c.ranges, c.range_spans):
            assert text[a.start : a.end] == str(rng.start) and text[b.start : b.end] == str(rng.end)


def test_a_backticked_name_in_parentheses_after_a_citation_labels_it() -> None:
    # the reader's `y` and `c` write the enclosing symbol after the citation (and its pin)
    cases = {
        "`Engine/src/engine/core.py:9-12` (`Engine.step`)": "Engine.step",
        "- 10:00 `Engine/a.py:9-12` @ `abc1234` — (`Engine.step`) the loop": "Engine.step",
        "`a.py:3` @abc1234 (`f`)": "f",
        "`a.py:3` (see `f`)": None,
        "`Queue.pop` (`queue.py:60-64`) (`other`)": "Queue.pop",  # the name before wins
    }
    for text, label in cases.items():
        (c,) = scan_note(text).citations
        assert c.label == label, text

from __future__ import annotations

from pathlib import Path

from readertui.core.backlinks import MAX_MARKED_LINES_PER_CITATION, BacklinkIndex
from readertui.core.model import Citation, CitationForm, CitationResult, LineRange, Span, Status

NOTE = Path("/kb/p/notes/arch.md")
OTHER = Path("/kb/p/notes/log.md")


def result(
    path: str | None,
    *ranges: LineRange,
    status: Status = Status.OK,
    note: Path = NOTE,
    line: int = 3,
    commit: str | None = "a" * 40,
    repo: str | None = "Engine",
    **extra,
) -> CitationResult:
    text = f"{path}:{','.join(map(str, ranges))}"
    citation = Citation(text, line, 1, Span(0, len(text)), CitationForm.INLINE, path, ranges)
    return CitationResult(
        note, citation, status, repo=repo, path=path, ranges=ranges, commit=commit, **extra
    )


def test_citing_finds_every_note_covering_a_line():
    index = BacklinkIndex(
        [
            result("src/a.py", LineRange(10, 20)),
            result("src/a.py", LineRange(15, 15), note=OTHER, line=9),
            result("src/b.py", LineRange(15, 15)),
        ]
    )
    assert {(b.note, b.note_line) for b in index.citing("Engine", "src/a.py", 15)} == {
        (NOTE, 3),
        (OTHER, 9),
    }
    assert [b.note for b in index.citing("Engine", "src/a.py", 11)] == [NOTE]
    assert index.citing("Engine", "src/a.py", 21) == ()
    assert index.cited_lines("Engine", "src/a.py") == frozenset(range(10, 21))
    assert index.notes() == {NOTE, OTHER}


def test_whole_file_citation_cites_every_line_but_marks_none():
    index = BacklinkIndex([result("README.md")])
    assert len(index.citing("Engine", "README.md", 999)) == 1
    assert index.cited_lines("Engine", "README.md") == frozenset()


def test_unresolved_citations_are_not_indexed():
    index = BacklinkIndex(
        [
            result(None, LineRange(1, 2), status=Status.MISSING, repo=None),
            result("core.py", LineRange(1, 2), status=Status.AMBIGUOUS, repo=None),
        ]
    )
    assert index.notes() == frozenset()


def test_moved_code_is_indexed_at_the_old_commit_and_at_the_checkout():
    old = "a" * 40
    index = BacklinkIndex(
        [
            result(
                "src/queue.ts",
                LineRange(3, 4),
                status=Status.MOVED,
                commit=old,
                new_path="src/work_queue.ts",
                new_ranges=(LineRange(8, 9),),
            )
        ]
    )
    assert index.cited_lines("Engine", "src/queue.ts", commit=old) == {3, 4}
    assert index.cited_lines("Engine", "src/work_queue.ts") == {8, 9}
    assert index.citing("Engine", "src/queue.ts", 3) == ()


def test_huge_ranges_are_capped_for_marks():
    index = BacklinkIndex([result("big.c", LineRange(1, 1_000_000))])
    assert len(index.cited_lines("Engine", "big.c")) == MAX_MARKED_LINES_PER_CITATION
    assert len(index.citing("Engine", "big.c", 999_999)) == 1

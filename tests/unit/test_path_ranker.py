"""PathRanker: what the fuzzy finder ranks per keystroke (ui/screens/pickers.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.ui.screens import pickers
from readertui.ui.screens.pickers import PathRanker

ALPHABET = "ab/._-[]\\^$*ÄéZ\n"
path_strategy = st.text(st.sampled_from(ALPHABET), min_size=1, max_size=12)
paths_strategy = st.lists(path_strategy, max_size=40, unique=True)
query_strategy = st.text(st.sampled_from("ab/._ ÄZ"), min_size=1, max_size=4)


def is_subsequence(query: str, path: str) -> bool:
    letters = iter(path.lower())
    return all(char in letters for char in query.lower().replace(" ", ""))


@pytest.fixture
def tiny_scans(monkeypatch):
    """Scans that stop after a few hits and check a few paths per chunk, so that small
    examples go through the early stop and the refinement between keys."""
    monkeypatch.setattr(pickers, "ENOUGH_HITS", 6)
    monkeypatch.setattr(pickers, "SCAN_CHUNK", 2)
    monkeypatch.setattr(pickers, "RESCORED", 4)


def shown(ranker: PathRanker, query: str, limit: int) -> list[str]:
    return [path for path, _ in ranker.rank(query, limit=limit)]


def test_every_result_holds_the_query_and_nothing_that_fits_is_left_out(tiny_scans):
    @settings(max_examples=200, deadline=None)
    @given(
        paths_strategy,
        st.lists(query_strategy, min_size=1, max_size=5),
        st.lists(st.booleans(), max_size=5),
    )
    def check(paths, queries, refine):
        ranker = PathRanker(paths)
        for query, refine_first in zip(queries, refine + [False] * len(queries)):
            if refine_first:  # the finder refines the last query's scan between keystrokes
                ranker.refine(query)
            results = shown(ranker, query, limit=4)
            matching = [p for p in paths if is_subsequence(query, p)]
            assert all(is_subsequence(query, path) for path in results)
            assert len(results) == min(4, len(matching))

    check()


def test_narrowing_and_refining_give_what_a_fresh_ranker_gives(tiny_scans):
    @settings(max_examples=200, deadline=None)
    @given(paths_strategy, query_strategy, st.lists(st.integers(0, 3), min_size=4, max_size=4))
    def check(paths, query, refines):
        typing = PathRanker(paths)
        for end in range(1, len(query) + 1):  # typed letter by letter, refined in between
            typing.rank(query[:end], limit=4)
            for _ in range(refines[end - 1]):
                typing.refine(query[:end])
        assert typing.rank(query, limit=4) == PathRanker(paths).rank(query, limit=4)

    check()


def test_a_path_equal_to_the_query_ranks_first():
    @settings(max_examples=200, deadline=None)
    @given(paths_strategy.filter(bool), st.data())
    def check(paths, data):
        exact = data.draw(st.sampled_from(paths))
        query = exact.replace("\n", "")
        if query != exact or not query.strip() or " " in query:
            return
        assert shown(PathRanker(paths), query, limit=5)[0].lower() == exact.lower()

    check()


def test_offsets_point_at_the_query_letters_in_order():
    @settings(max_examples=200, deadline=None)
    @given(paths_strategy, query_strategy)
    def check(paths, query):
        letters = query.lower().replace(" ", "")
        for path, offsets in PathRanker(paths).rank(query, limit=10):
            assert list(offsets) == sorted(set(offsets)) and len(offsets) == len(letters)
            assert "".join(path.lower()[i] for i in offsets) == letters

    check()


def test_contiguous_and_word_start_matches_beat_scattered_letters():
    paths = [
        "Engine/src/kernels/attention.cu",
        "Engine/docs/kernel_attn.md",
        "Engine/src/key_entry/rename_layout.py",  # k…e…r…n…e…l scattered
        "Engine/tests/test_kernel.py",
    ]
    ranked = shown(PathRanker(paths), "kernelattn", limit=4)
    assert ranked[0] == "Engine/docs/kernel_attn.md"
    assert "Engine/src/key_entry/rename_layout.py" not in ranked[:2]
    assert shown(PathRanker(paths), "test_kernel", limit=1) == ["Engine/tests/test_kernel.py"]


def test_a_repeated_letter_path_is_scored_without_enumerating_every_alignment():
    # 12 letters, each many times over: textual.fuzzy alone enumerates millions of alignments.
    path = "/".join(["aaaa_bbbb_cccc"] * 12) + ".py"
    ranked = PathRanker([path, "abc/abc.py"]).rank("abcabcabcabc", limit=2)
    assert [p for p, _ in ranked] == [path]


def test_empty_query_lists_paths_in_their_order():
    paths = [f"r/{name}.py" for name in ("zeta", "a", "mid")]
    assert PathRanker(paths).rank("  ") == [(p, ()) for p in paths]


def test_a_big_repo_query_is_answered_from_the_first_hits_then_refined_between_keys():
    paths = [f"src/mod{i % 97}/file_{i}.py" for i in range(20_000)]
    ranker = PathRanker(paths)
    assert shown(ranker, "file_1234", limit=1) == ["src/mod70/file_1234.py"]
    ranker.rank("sm")  # matches every path: the scan stopped after the first ENOUGH_HITS
    steps = 1
    while not ranker.refine("sm"):
        steps += 1
    assert steps > 1
    assert ranker.refine("sm")  # nothing left to check
    assert ranker.rank("smd12") == PathRanker(paths).rank("smd12")


def test_a_substring_is_scored_as_textual_fuzzy_scores_it():
    from textual.fuzzy import FuzzySearch

    @settings(max_examples=300, deadline=None)
    @given(st.text(st.sampled_from("ab_/.-é1 Z"), min_size=1, max_size=16), st.data())
    def check(path, data):
        start = data.draw(st.integers(0, len(path) - 1))
        end = data.draw(st.integers(start + 1, len(path)))
        query = path[start:end].lower()
        if " " in query or query != query.strip():
            return
        score, offsets = PathRanker([path])._score(query, path)
        expected_score, expected_offsets = FuzzySearch().match(query, path)
        assert score == pytest.approx(expected_score) and list(offsets) == list(expected_offsets)

    check()

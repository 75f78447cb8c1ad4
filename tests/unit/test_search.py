"""core/search: git grep at a commit, streamed, cancellable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.search import SearchQuery, grep_args, search
from tests.gitfixtures import commit_all, git, write


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str, str]:
    root = tmp_path / "code"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "src/a.py", "def step():\n    return Step()\n")
    write(root / "docs/b.md", "step by step\n")
    a = commit_all(root, "A")
    write(root / "src/a.py", "def stride():\n    pass\n")
    b = commit_all(root, "B")
    return root, a, b


def found(root: Path, commit: str | None, query: SearchQuery) -> list[tuple[str, int, int, str]]:
    return [(h.path, h.line, h.column, h.text) for h in search(root, commit, query)]


def test_search_runs_at_the_commit_asked_not_the_checkout(repo) -> None:
    root, a, b = repo
    assert found(root, a, SearchQuery("def step")) == [("src/a.py", 1, 0, "def step():")]
    assert found(root, b, SearchQuery("def step")) == []


def test_fixed_regex_case_word_and_path_filter(repo) -> None:
    root, a, _ = repo
    assert [h[0] for h in found(root, a, SearchQuery("step"))] == ["docs/b.md", "src/a.py"]
    assert [h[:3] for h in found(root, a, SearchQuery("Step", ignore_case=False))] == [("src/a.py", 2, 11)]
    assert len(found(root, a, SearchQuery("STEP", ignore_case=True))) == 3
    assert [h[0] for h in found(root, a, SearchQuery("st(e|a)p", regex=True, paths=("src/",)))] == ["src/a.py"]
    assert found(root, a, SearchQuery("st(e|a)p")) == []  # fixed string: parentheses are text
    assert [h[1] for h in found(root, a, SearchQuery("step", word=True, paths=("*.py",)))] == [1]


def test_bad_regex_is_an_error_message_not_an_exception(repo) -> None:
    root, a, _ = repo
    running = search(root, a, SearchQuery("(unclosed", regex=True))
    assert list(running) == []
    assert running.error and "\n" not in running.error


def test_close_stops_a_running_search(repo) -> None:
    root, a, _ = repo
    running = search(root, a, SearchQuery("step"))
    hits = iter(running)
    first = next(hits)
    running.close()
    assert first.path == "docs/b.md"
    assert list(hits) == [] or all(h.path for h in hits)
    assert running.error == ""


def test_options_never_come_from_the_pattern_and_plain_folders_work(tmp_path: Path) -> None:
    args = grep_args(SearchQuery("--output=/tmp/x"), "abc")
    assert args[args.index("-e") + 1] == "--output=/tmp/x"
    write(tmp_path / "plain/x.py", "--output=/tmp/x\n")
    assert found(tmp_path / "plain", None, SearchQuery("--output")) == [("x.py", 1, 0, "--output=/tmp/x")]
    assert list(search(tmp_path, "-rf", SearchQuery("x"))) == []


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_git_output_line_parses_or_is_skipped(raw: bytes) -> None:
    from readertui.core.search import _parse

    hit = _parse(raw, b"abc:")
    if hit is not None:
        assert hit.line >= 0 and hit.column >= 0 and len(hit.text) <= 400

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from readertui.core.history import History
from readertui.core.model import Location


def loc(path: str, line: int = 1, repo: str | None = "Engine") -> Location:
    return Location(project="p", repo=repo, path=path, line=line)


def test_empty_history_cannot_move():
    history = History()
    assert history.current is None
    assert history.back(loc("a.py")) == (history, None)
    assert history.forward(loc("a.py")) == (history, None)


def test_back_and_forward_walk_the_jumps():
    history = History().visit(loc("a.py", 1)).visit(loc("b.py", 20), origin=loc("a.py", 7))
    assert history.entries == (loc("a.py", 7), loc("b.py", 20))
    history, target = history.back(loc("b.py", 25))
    assert target == loc("a.py", 7)
    history, target = history.forward(loc("a.py", 9))
    # The cursor position the reader left behind is remembered in both directions.
    assert target == loc("b.py", 25)
    history, target = history.back()
    assert target == loc("a.py", 9)


def test_a_new_jump_drops_the_forward_entries():
    history = History().visit(loc("a.py")).visit(loc("b.py")).visit(loc("c.py"))
    history, _ = history.back()
    history, _ = history.back()
    history = history.visit(loc("d.py"), origin=loc("a.py", 3))
    assert [e.path for e in history.entries] == ["a.py", "d.py"]
    assert not history.can_go_forward


def test_jump_within_one_file_is_recorded():
    history = History().visit(loc("a.py", 1)).visit(loc("a.py", 500), origin=loc("a.py", 10))
    history, target = history.back(loc("a.py", 501))
    assert target == loc("a.py", 10)


def test_same_path_at_another_commit_is_another_place():
    old = Location("p", "Engine", "a.py", 3, commit="abc")
    history = History().visit(old).visit(loc("a.py", 3), origin=old)
    assert len(history.entries) == 2


def test_limit_keeps_the_latest():
    history = History(limit=3)
    for i in range(10):
        history = history.visit(loc(f"{i}.py"))
    assert [e.path for e in history.entries] == ["7.py", "8.py", "9.py"]
    assert history.index == 2


@given(st.lists(st.tuples(st.sampled_from(["visit", "back", "forward"]), st.integers(0, 5))))
def test_index_always_points_at_an_entry(ops):
    history = History(limit=4)
    for op, n in ops:
        if op == "visit":
            history = history.visit(loc(f"{n}.py", n + 1), origin=loc("x.py", n + 1))
        elif op == "back":
            history, _ = history.back(loc(f"{n}.py"))
        else:
            history, _ = history.forward(loc(f"{n}.py"))
        assert len(history.entries) <= 4
        assert (history.index == -1) == (not history.entries)
        if history.entries:
            assert 0 <= history.index < len(history.entries)

"""Drift by symbol: a cited function whose body was rewritten (text relocation finds little)
is carried to its definition's new range, in `check`'s new_ranges and in the review plan."""

from __future__ import annotations

from readertui.core.check import check
from readertui.core.drift import RangeMapping
from readertui.core.git import GitRepo
from readertui.core.model import LineRange, Status
from readertui.core.symbol_drift import NAME_ONLY_CONFIDENCE, SYMBOL_CONFIDENCE, improve
from readertui.core.tags import Definition
from readertui.core.update import plan_drift
from readertui.core.workspace import load_workspace
from tests.gitfixtures import commit_all, git, write

SCHED_A = """\
def helper():
    return 1


def schedule_step(rq):
    a = rq.pop()
    b = a * 2
    c = b + 1
    return c


def other():
    return 3
"""

SCHED_B = "".join(f"def added_{i}():\n    return {i}\n\n\n" for i in range(8)) + """\
def helper():
    return 1


def schedule_step(queue, budget):
    for item in list(queue)[:budget]:
        yield item.run()


def other():
    return 3
"""


def build(tmp_path):
    code = tmp_path / "ws" / "sched" / "kernel"
    code.mkdir(parents=True)
    git(code, "init", "-q")
    write(code / "sched.py", SCHED_A)
    a = commit_all(code, "A")
    write(code / "sched.py", SCHED_B)
    b = commit_all(code, "B")
    note = write(tmp_path / "ws/sched/notes/overview.md",
                 f"# Scheduler\n\n**Commit**: `{a[:7]}`\n\nThe step: `schedule_step()` (`sched.py:5-9`).\n")
    return tmp_path / "ws", code, note, a, b


def test_check_offers_the_definitions_new_range(tmp_path):
    ws, _, note, a, b = build(tmp_path)
    (result,) = check(load_workspace(ws), note).results
    assert result.status == Status.STALE
    assert result.new_ranges == (LineRange(37, 39),) and result.confidence == SYMBOL_CONFIDENCE
    assert "by the definition of schedule_step" in result.detail


def test_review_plan_carries_the_same_candidate(tmp_path):
    ws, code, note, a, b = build(tmp_path)
    workspace = load_workspace(ws)
    project = workspace.projects[0]
    plan = plan_drift(workspace, project, project.repos[0], GitRepo(code), a)
    (item,) = plan.citations
    assert item.mapping.by_symbol == "schedule_step"
    assert item.mapping.new_ranges == (LineRange(37, 39),)


def test_improve_keeps_a_sure_text_match_and_needs_a_definition():
    defs_old = [Definition("f", "function", 3, 9, 3, 4)]
    defs_new = [Definition("f", "function", 13, 16, 13, 4)]
    sources = {("A", "x.py"): b"old", ("B", "x.py"): b"new"}

    def read(commit, path):
        return sources.get((commit, path))

    def defs(source, path):
        return defs_old if source == b"old" else defs_new

    changed = RangeMapping("changed", "x.py", "x.py", (LineRange(4, 6),), (), 0.0)
    better = improve(changed, "A", "B", None, read, defs)
    assert better.new_ranges == (LineRange(14, 16),) and better.by_symbol == "f"
    sure = RangeMapping("changed", "x.py", "x.py", (LineRange(4, 6),), (LineRange(20, 22),), 0.95)
    assert improve(sure, "A", "B", None, read, defs) == sure
    outside = RangeMapping("changed", "x.py", "x.py", (LineRange(1, 2),), (), 0.0)
    assert improve(outside, "A", "B", None, read, defs) == outside
    renamed = [Definition("g", "function", 13, 16, 13, 4)]
    assert improve(changed, "A", "B", None, read, lambda s, p: defs_old if s == b"old" else renamed) == changed
    scoped_new = [Definition("f", "function", 13, 16, 13, 4, scope="Other")]
    by_name = improve(changed, "A", "B", None, read, lambda s, p: defs_old if s == b"old" else scoped_new)
    assert by_name.confidence == NAME_ONLY_CONFIDENCE


def test_a_silenced_citation_is_ignored_by_check_but_still_carried(tmp_path):
    ws, code, note, a, b = build(tmp_path)
    note.write_text(note.read_text().rstrip("\n") + " <!-- readertui-ignore -->\n")
    workspace = load_workspace(ws)
    (result,) = check(workspace, note).results
    assert result.status == Status.IGNORED and "was stale" in result.detail
    project = workspace.projects[0]
    (item,) = plan_drift(workspace, project, project.repos[0], GitRepo(code), a).citations
    assert item.mapping.new_ranges == (LineRange(37, 39),)

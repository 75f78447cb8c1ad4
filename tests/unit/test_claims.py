"""core/claims.py: which labels are claims, and whether cited lines show them. Definitions come
from a stub (the function is injectable) and from the real tags queries."""

from __future__ import annotations

import pytest

from readertui.core.claims import claim_of, judge, tags_definitions
from readertui.core.model import LineRange
from readertui.core.tags import Definition

R = LineRange

SCHED = b"""\
#include "sched.h"

static int pick_next(struct rq *rq)
{
    return rq->next;
}

void schedule_step(struct rq *rq)
{
    int next = pick_next(rq);
    rq->curr = next;
    initPostset(rq);
}
"""


def stub_defs(source: bytes, path: str):
    return [
        Definition("pick_next", "function", 3, 6, 3, 11),
        Definition("schedule_step", "function", 8, 13, 8, 5),
    ]


@pytest.mark.parametrize(
    "label, name",
    [
        ("buildGraph()", "buildGraph"), ("Foo.bar", "bar"), ("struct Foo", "Foo"), ("`foo_bar`", "foo_bar"),
        ("`Queue.push()`", "push"), ("ns::func", "func"), ("**step()**", "step"), ("MAX_SIZE", "MAX_SIZE"),
        ("GraphBuilder", "GraphBuilder"), ("~Queue()", "~Queue"), ("`Engine`", "Engine"),
    ],
)
def test_identifier_shaped_labels_are_claims(label, name):
    claim = claim_of(label)
    assert claim is not None and claim.name == name


@pytest.mark.parametrize(
    "label",
    ["here", "Calls", "updated", "Queue", "queue.h", "`queue.h`", "Makefile", "build graph", "调度()",
     "v2.1", "", None, "see foo()", "1.2.3", "[x]", "#L10"],
)
def test_prose_and_file_names_are_not_claims(label):
    assert claim_of(label) is None


def test_lines_containing_the_name_show_it_case_insensitively():
    assert judge(claim_of("schedule_step()"), SCHED, "sched.c", (R(8, 8),), stub_defs).shown
    assert judge(claim_of("initPostSet()"), SCHED, "sched.c", (R(12, 12),), stub_defs).shown


def test_lines_inside_the_definition_show_it():
    assert judge(claim_of("schedule_step()"), SCHED, "sched.c", (R(10, 11),), stub_defs).shown


def test_lines_of_another_function_are_a_mismatch_naming_the_definition():
    verdict = judge(claim_of("schedule_step()"), SCHED, "sched.c", (R(4, 5),), stub_defs)
    assert not verdict.shown and verdict.defined_at == R(8, 13)
    assert verdict.detail == "lines 4-5 do not show schedule_step; schedule_step is defined at 8-13"


def test_a_near_miss_spelling_is_suggested():
    verdict = judge(claim_of("shedule_step()"), SCHED, "sched.c", (R(4, 5),), stub_defs)
    assert not verdict.shown and verdict.suggestion == "schedule_step" and verdict.defined_at == R(8, 13)
    assert "did you mean schedule_step (defined at 8-13)?" in verdict.detail


def test_a_name_the_file_never_has():
    verdict = judge(claim_of("buildGraph()"), SCHED, "sched.c", (R(4, 5),), stub_defs)
    assert not verdict.shown and "never names it" in verdict.detail


def test_real_tags_definitions_for_c_and_python():
    assert judge(claim_of("pick_next()"), SCHED, "sched.c", (R(5, 5),), tags_definitions).shown
    verdict = judge(claim_of("pick_next()"), SCHED, "sched.c", (R(11, 11),), tags_definitions)
    assert not verdict.shown and verdict.defined_at == R(3, 6)
    py = b"class Queue:\n    def push(self, x):\n        self.items.append(x)\n\n    def pop(self):\n        return self.items.pop()\n"
    assert judge(claim_of("Queue.push()"), py, "q.py", (R(3, 3),), tags_definitions).shown
    wrong = judge(claim_of("Queue.push()"), py, "q.py", (R(6, 6),), tags_definitions)
    assert not wrong.shown and wrong.defined_at == R(2, 3)


def test_binary_and_odd_sources_do_not_raise():
    for source in (b"\xff\xfe\x00", b"", b"x" * 10):
        judge(claim_of("foo_bar"), source, "a.c", (R(1, 1),), tags_definitions)

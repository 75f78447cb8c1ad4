"""Review support in core/update.py: planning drift without moving the checkout, carrying only
the citations a human accepted, and writing the notes alone (kb fixture, checkout moved to B)."""

from __future__ import annotations

from pathlib import Path

import pytest

from readertui.core.git import GitRepo
from readertui.core.model import LineRange
from readertui.core.update import (
    KEEP,
    REVIEW,
    REWRITE,
    PlanOutdated,
    UpdateOptions,
    UpdatePlan,
    apply_notes,
    carriable,
    citation_key,
    drifted_commits,
    plan_drift,
    plan_update,
    with_options,
)
from readertui.core.workspace import find_workspace
from tests.gitfixtures import KB, build_kb, git, write

# One section per kind, each under its own declaration, so each can move on its own.
SECTIONS = """# Engine notes

## Step
**Commit**: `{step_commit}`

The step `src/engine/core.py:{step_lines}` computes the loss.

## Save
**Commit**: `{save_commit}`

Save is `src/engine/core.py:{save_lines}`.

## Gone
**Commit**: `{a7}`

Old helpers `src/old.py:1-2`.
"""

# Moved and changed citations under one declaration.
ONE_SECTION = """# Together

**Commit**: `{commit}`

Save `src/engine/core.py:{save}` and step `src/engine/core.py:{step}`.
"""


def sections(kb: KB, step=("a", "9-12"), save=("a", "14-16")) -> str:
    commit = {"a": kb.a[:7], "b": kb.b[:7]}
    return SECTIONS.format(
        a7=kb.a[:7],
        step_commit=commit[step[0]],
        step_lines=step[1],
        save_commit=commit[save[0]],
        save_lines=save[1],
    )


@pytest.fixture
def drifted(tmp_path: Path) -> KB:
    """Notes written at A; the checkout has since moved to B."""
    kb = build_kb(tmp_path)
    notes = kb.project / "notes"
    write(notes / "engine.md", sections(kb))
    write(notes / "together.md", ONE_SECTION.format(commit=kb.a[:7], save="14-16", step="9-12"))
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)
    return kb


def plan_for(kb: KB) -> tuple[UpdatePlan, GitRepo]:
    workspace = find_workspace(kb.workspace)
    project = workspace.projects[0]
    repo = project.repos[0]
    git_repo = GitRepo(repo.path)
    return plan_drift(workspace, project, repo, git_repo, kb.a), git_repo


def by_text(plan: UpdatePlan, note: str) -> dict[str, object]:
    return {item.citation.text: item for item in plan.citations if item.note.name == note}


def accept(plan: UpdatePlan, *items) -> UpdatePlan:
    keys = frozenset(citation_key(item) for item in items)
    return with_options(plan, UpdateOptions(rewrite_commits=True, accepted=keys))


def test_drifted_commits_counts_the_declared_commit(drifted):
    workspace = find_workspace(drifted.workspace)
    project = workspace.projects[0]
    repo = project.repos[0]
    assert drifted_commits(workspace, project, repo, GitRepo(repo.path)) == {drifted.a: 5}


def test_plan_drift_maps_declared_citations_to_the_checkout_without_moving_it(drifted):
    plan, git_repo = plan_for(drifted)
    assert (plan.old, plan.new) == (drifted.a, drifted.b)
    assert git_repo.head() == drifted.b and not plan.bookmarks
    items = by_text(plan, "engine.md")
    step, save, gone = (items[f"src/{p}"] for p in ("engine/core.py:9-12", "engine/core.py:14-16", "old.py:1-2"))
    assert save.mapping.status == "moved" and save.mapping.new_ranges == (LineRange(19, 21),)
    assert step.mapping.status == "changed" and step.mapping.new_ranges == (LineRange(14, 17),)
    assert 0 < step.mapping.confidence < 1
    assert gone.mapping.status == "orphaned"
    assert carriable(save) and carriable(step) and not carriable(gone)


def test_only_accepted_citations_and_their_declarations_are_rewritten(drifted):
    plan, _ = plan_for(drifted)
    items = by_text(plan, "engine.md")
    chosen = accept(plan, items["src/engine/core.py:14-16"])
    note = drifted.project / "notes" / "engine.md"
    assert chosen.writes[note].decode() == sections(drifted, save=("b", "19-21"))
    actions = {i.citation.text: i.action for i in chosen.citations if i.note == note}
    assert actions == {
        "src/engine/core.py:9-12": REVIEW,
        "src/engine/core.py:14-16": REWRITE,
        "src/old.py:1-2": REVIEW,
    }
    both = accept(plan, items["src/engine/core.py:14-16"], items["src/engine/core.py:9-12"])
    assert both.writes[note].decode() == sections(drifted, step=("b", "14-17"), save=("b", "19-21"))


def test_nothing_accepted_writes_nothing(drifted):
    plan, _ = plan_for(drifted)
    assert accept(plan).writes == {}


def test_a_section_moves_only_when_every_citation_in_it_is_accepted(drifted):
    plan, _ = plan_for(drifted)
    items = by_text(plan, "together.md")
    save, step = items["src/engine/core.py:14-16"], items["src/engine/core.py:9-12"]
    partly = accept(plan, save)
    assert not any(note.name == "together.md" for note in partly.writes)
    assert by_text(partly, "together.md")[save.citation.text].action == KEEP
    whole = accept(plan, save, step)
    note = drifted.project / "notes" / "together.md"
    assert whole.writes[note].decode() == ONE_SECTION.format(commit=drifted.b[:7], save="19-21", step="14-17")


def test_apply_notes_writes_only_the_notes(drifted):
    plan, git_repo = plan_for(drifted)
    chosen = accept(plan, by_text(plan, "engine.md")["src/engine/core.py:14-16"])
    log = drifted.project / "notes" / "code-reading-log.md"
    log_before = log.read_bytes()
    result = apply_notes(chosen)
    note = drifted.project / "notes" / "engine.md"
    assert result.notes_written == (note,)
    assert note.read_text() == sections(drifted, save=("b", "19-21"))
    assert log.read_bytes() == log_before and git_repo.head() == drifted.b


def test_apply_notes_never_clobbers_a_note_edited_after_planning(drifted):
    plan, _ = plan_for(drifted)
    chosen = accept(plan, by_text(plan, "engine.md")["src/engine/core.py:14-16"])
    note = drifted.project / "notes" / "engine.md"
    edited = note.read_text() + "\nA thought added in the editor.\n"
    note.write_text(edited)
    with pytest.raises(PlanOutdated):
        apply_notes(chosen)
    assert note.read_text() == edited
    again, _ = plan_for(drifted)  # the re-plan sees the edit and still finds the citations
    assert by_text(again, "engine.md")["src/engine/core.py:14-16"].mapping.new_ranges == (LineRange(19, 21),)


def test_plan_update_with_review_decisions_carries_only_the_accepted(tmp_path):
    kb = build_kb(tmp_path)
    note = write(kb.project / "notes" / "free.md", "Save `src/engine/core.py:14-16`, step `src/engine/core.py:9-12`.\n")
    workspace = find_workspace(kb.workspace)
    project = workspace.projects[0]
    repo = project.repos[0]
    git_repo = GitRepo(repo.path)
    plan = plan_update(workspace, project, repo, git_repo, kb.b, UpdateOptions(accept_changed=True))
    save = by_text(plan, "free.md")["src/engine/core.py:14-16"]
    chosen = with_options(plan, UpdateOptions(accepted=frozenset({citation_key(save)})))
    # not accepted: pinned to A, where its lines are what the note says
    assert chosen.writes[note].decode() == f"Save `src/engine/core.py:19-21`, step `src/engine/core.py:9-12` @ `{kb.a[:7]}`.\n"
    assert plan.writes[note].decode() == "Save `src/engine/core.py:19-21`, step `src/engine/core.py:14-17`.\n"

"""The review screen on the kb fixture: notes written at commit A, the checkout moved to B."""

from __future__ import annotations

from pathlib import Path

from readertui.core.model import LineRange
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.screens.main import MainScreen
from readertui.ui.screens.pickers import ListPicker
from readertui.ui.screens.review import COLUMNS, ReviewScreen, changed_lines
from tests.gitfixtures import CORE_A, CORE_B, KB, build_kb, git, write
from tests.ui.conftest import settle
from tests.unit.test_update_subset import sections

STEP_AT_A = "    def step(self, batch):"


def drifted_kb(tmp_path: Path) -> KB:
    kb = build_kb(tmp_path)
    write(kb.project / "notes" / "engine.md", sections(kb))
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)
    return kb


async def open_review(pilot) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("D")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def cells(screen: ReviewScreen) -> list[dict[str, str]]:
    """Each row's cells by column key (decision, status, citation, now, on apply, note)."""
    table = screen.table
    return [dict(zip(COLUMNS, map(str, table.get_row_at(row)))) for row in range(table.row_count)]


def column(screen: ReviewScreen, key: str) -> list[str]:
    return [row[key] for row in cells(screen)]


async def test_rows_sides_decisions_and_apply_rewrite_only_the_accepted(tmp_path):
    kb = drifted_kb(tmp_path)
    note = kb.project / "notes" / "engine.md"
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        review = await open_review(pilot)
        assert column(review, "citation") == ["src/engine/core.py:9-12", "src/engine/core.py:14-16", "src/old.py:1-2"]
        assert column(review, "status") == ["changed 0.85", "moved", "orphaned"]
        assert column(review, "decision") == ["·", "✓", "–"]  # exact pre-accepted, orphaned not decidable
        assert column(review, "now") == [":14-17", ":19-21", "(file deleted)"]
        assert column(review, "note") == ["engine.md:6", "engine.md:11", "engine.md:16"]
        # the first row's two sides: A's step() as cited, B's best candidate selected
        assert review.old_view.line_text(9) == STEP_AT_A and review.old_view.selection() == LineRange(9, 12)
        assert review.new_view.selection() == LineRange(14, 17)
        assert review.new_view.line_text(15).endswith("* self.scale")
        assert set(review.new_view._overlays) == {15}  # the edited line is pointed at

        await pilot.press("r")  # reject the changed one; the cursor moves to the moved one
        await settle(pilot)
        assert review.old_view.selection() == LineRange(14, 16)
        assert review.new_view.selection() == LineRange(19, 21)
        await pilot.press("a", "a")  # accept the moved one; accepting the orphan is refused
        await settle(pilot)
        assert column(review, "decision") == ["✗", "✓", "–"]
        assert column(review, "on apply") == ["rejected", "rewrite", "file deleted (by hand)"]
        assert set(app.screen_stack[-2].review.memory) == {("Engine", kb.a, kb.b)}
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.review.memory == {}  # carried or left by choice: a new review starts afresh
    assert note.read_text() == sections(kb, save=("b", "19-21"))  # those digits and that section's commit


async def test_open_a_version_then_come_back_to_the_same_decisions(tmp_path):
    kb = drifted_kb(tmp_path)
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        review = await open_review(pilot)
        await pilot.press("r", "O")  # reject the changed one, open the moved one's new code
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        assert (main.location.path, main.location.commit) == ("src/engine/core.py", None)
        assert main.source.selection() == LineRange(19, 21)
        review = await open_review(pilot)
        assert column(review, "decision") == ["✗", "✓", "–"]
        await pilot.press("o")  # the changed one's old code: at A, not the checkout
        await settle(pilot)
        assert app.screen.location.commit == kb.a
        assert app.screen.source.line_text(9) == STEP_AT_A


async def test_a_note_edited_between_plan_and_apply_is_not_clobbered(tmp_path):
    kb = drifted_kb(tmp_path)
    note = kb.project / "notes" / "engine.md"
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        review = await open_review(pilot)
        edited = note.read_text() + "\nAdded in an editor while reviewing.\n"
        note.write_text(edited)
        await pilot.press("w")  # the moved one is pre-accepted
        await settle(pilot)
        assert app.screen is review and note.read_text() == edited  # planned again, wrote nothing
        assert review.plan is not None and review.plan.snapshots[note].data == edited.encode()
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert note.read_text() == sections(kb, save=("b", "19-21")) + "\nAdded in an editor while reviewing.\n"


async def test_nothing_drifted_says_so_and_closes(tmp_path):
    kb = build_kb(tmp_path)
    write(kb.project / "notes" / "engine.md", "Step `src/engine/core.py:9-12`.\n")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("nothing drifted" in str(n.message) for n in app._notifications)


def test_changed_lines_points_at_the_edited_line():
    old, new = CORE_A.splitlines(), CORE_B.splitlines()
    assert changed_lines(old, (LineRange(9, 12),), new, (LineRange(14, 17),)) == ({10}, {15})
    assert changed_lines(old, (LineRange(14, 16),), new, (LineRange(19, 21),)) == (set(), set())


FREE = "Save `src/engine/core.py:14-16`, step `src/engine/core.py:9-12`, gone `src/old.py:1-2`.\n"


def carried(kb) -> str:
    """FREE once the update to B has carried the moved citation: the other two, left for a
    human, are pinned to A (the old numbers would cite other lines in B's code)."""
    a7 = kb.a[:7]
    return FREE.replace("14-16", "19-21").replace("9-12`", f"9-12` @ `{a7}`").replace("1-2`", f"1-2` @ `{a7}`")


async def update_to(pilot, ref: str) -> None:
    await settle(pilot)
    await pilot.press("U")
    await pilot.pause()
    await pilot.press(*ref, "enter")
    await settle(pilot)


async def test_update_to_a_ref_checks_out_and_rewrites_only_the_accepted(tmp_path):
    kb = build_kb(tmp_path)
    note = write(kb.project / "notes" / "free.md", FREE)
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await update_to(pilot, "v1.0")  # the checkout itself: nothing to do
        assert isinstance(app.screen, MainScreen)
        await update_to(pilot, kb.b[:10])
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.update
        rows = cells(review)
        assert [(row["decision"], row["status"].split()[0], row["citation"]) for row in rows] == [
            ("✓", "moved", "src/engine/core.py:14-16"),
            ("·", "changed", "src/engine/core.py:9-12"),
            ("–", "orphaned", "src/old.py:1-2"),
        ]
        await pilot.press("down", "r", "w")  # reject the changed one, apply
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert git(kb.submodule, "rev-parse", "HEAD") == kb.b
    assert note.read_text() == carried(kb)
    assert "Updated Engine" in (kb.project / "notes" / "code-reading-log.md").read_text()


async def test_update_refuses_a_dirty_repository_and_changes_nothing(tmp_path):
    kb = build_kb(tmp_path)
    note = write(kb.project / "notes" / "free.md", FREE)
    (kb.submodule / "src" / "engine" / "core.py").write_text("edited\n")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await update_to(pilot, kb.b[:10])
        assert any("uncommitted changes" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, ReviewScreen) and app.screen.plan is None
    assert git(kb.submodule, "rev-parse", "HEAD") == kb.a and note.read_text() == FREE


async def test_notes_at_several_commits_ask_which_to_review(tmp_path):
    kb = build_kb(tmp_path)
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)
    write(kb.submodule / "NEWS.md", "news\n")
    git(kb.submodule, "add", "NEWS.md")
    git(kb.submodule, "commit", "-q", "-m", "C: news")  # the checkout is now C, after B
    write(kb.project / "notes" / "engine.md", sections(kb))  # at A
    write(kb.project / "notes" / "later.md", f"**Commit**: `{kb.b[:7]}`\n\nSave `src/engine/core.py:19-21`.\n")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ListPicker)
        assert [drift.commit for _, drift in picker.items] == [kb.a, kb.b]  # most cited first
        await pilot.press("down", "enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.plan.old == kb.b
        assert cells(review) == []  # B → C left the cited lines as they were
        assert "1 commit declaration" in str(review.query_one("#review-head").render())
        await pilot.press("w")
        await settle(pilot)
    head = git(kb.submodule, "rev-parse", "HEAD")
    later = (kb.project / "notes" / "later.md").read_text()
    assert later == f"**Commit**: `{head[:7]}`\n\nSave `src/engine/core.py:19-21`.\n"


async def test_the_citation_column_is_whole_at_120_columns(tmp_path):
    kb = build_kb(tmp_path)
    long_name = "engine-internals-read-over-three-weeks-with-many-digressions-and-open-questions.md"
    write(kb.project / "notes" / long_name, sections(kb))
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        review = await open_review(pilot)
        table = review.table
        x = 0
        for key, table_column in table.columns.items():
            width = table_column.get_render_width(table)
            if key == "citation":
                assert x + width <= table.scrollable_content_region.width
                break
            x += width
        assert all(len(text) <= 40 for text in column(review, "on apply"))


async def test_update_asks_before_running_programs_from_the_repo_config(tmp_path):
    kb = build_kb(tmp_path)
    note = write(kb.project / "notes" / "free.md", FREE)
    git_dir = Path(git(kb.submodule, "rev-parse", "--absolute-git-dir"))
    (git_dir / "info").mkdir(exist_ok=True)
    (git_dir / "info" / "attributes").write_text("*.py filter=evil\n")
    git(kb.submodule, "config", "filter.evil.smudge", f"touch {tmp_path}/MARKER-smudge; cat")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await update_to(pilot, kb.b[:10])
        prompt = app.screen
        assert "filter.evil.smudge" in prompt.title_text  # asked, naming the key
        await pilot.press("escape")
        await settle(pilot)
        assert not (tmp_path / "MARKER-smudge").exists()
        assert git(kb.submodule, "rev-parse", "HEAD") == kb.a
        await update_to(pilot, kb.b[:10])
        await pilot.press(*"trust", "enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.plan is not None
        await pilot.press("w")
        await settle(pilot)
    assert git(kb.submodule, "rev-parse", "HEAD") == kb.b
    assert note.read_text() == carried(kb)


async def test_a_review_key_pressed_while_quitting_does_not_crash(tmp_path):
    kb = build_kb(tmp_path)
    for key in ("D", "U"):
        app = ReaderApp(find_workspace(kb.workspace))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            # in a terminal, `qD` typed at once: the key lands after `q` has begun the exit
            await app.action_quit()
            app.screen.action_review_drift() if key == "D" else await pilot.press(key)
            await pilot.pause()
        assert app._exception is None, key
        assert app.return_code == 0, key

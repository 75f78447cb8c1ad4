"""Pilot tests on the `kb` git fixture: code at the note's commit, ambiguity, permalinks,
note switching, and the small-terminal and NO_COLOR cases."""

from __future__ import annotations

import shutil
from pathlib import Path

from readertui.core.model import LineRange, Location
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.screens.main import MainScreen
from readertui.ui.screens.pickers import ListPicker, PathRanker
from tests.gitfixtures import build_kb, git
from tests.ui.conftest import REPO_ROOT, settle, wait_until

STEP_AT_B = "    def step(self, batch):"


def kb_with_notes(tmp_path: Path, log: str, **others: str):
    kb = build_kb(tmp_path)
    notes = kb.project / "notes"
    (notes / "code-reading-log.md").write_text(log.format(b=kb.b[:7]))
    for name, text in others.items():
        (notes / f"{name}.md").write_text(text)
    return kb


async def test_citation_at_another_commit_shows_that_code_then_the_checkout(tmp_path):
    kb = kb_with_notes(
        tmp_path, "# Log\n\n**Commit**: `{b}`\n\n- `Engine/src/engine/core.py:14-16` step at B\n"
    )
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("3", "right_square_bracket", "enter")
        await settle(pilot)
        assert screen.location.commit == kb.b
        assert screen.source.selection() == LineRange(14, 16)
        assert screen.source.line_text(14) == STEP_AT_B  # read from git at B, not the checkout
        source = screen.source
        assert source.has_class("-at-commit")  # the title bar turns warning-coloured
        assert source.border_title == (
            f"At {kb.b[:7]} (note's commit) · o: checkout · Engine/src/engine/core.py"
        )
        status = screen.query_one("#status").info
        assert status.drift.startswith(f"notes @ {kb.b[:7]} ≠ Engine @ ")
        assert status.drift_short == f"notes @ {kb.b[:7]} ≠ checkout"  # for narrow terminals
        await pilot.press("o")
        await settle(pilot)
        assert screen.location.commit is None and not source.has_class("-at-commit")
        assert source.border_title == "Engine/src/engine/core.py"
        assert screen.source.line_text(screen.source.cursor_line) == STEP_AT_B  # moved 14 → 9
        assert screen.source.cursor_line == 9


async def test_ambiguous_citation_opens_a_picker(tmp_path):
    kb = kb_with_notes(tmp_path, "# Log\n\nSee `core.py:3` here.\n")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        result = screen.notes.results[0]
        # src/engine/core.py and tests/core.py (third_party/ is dropped by rule 5)
        assert result.status.value == "ambiguous" and len(result.candidates) == 2
        await pilot.press("3", "right_square_bracket", "enter")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ListPicker)
        await pilot.press("enter")
        await settle(pilot)
        repo, _, path = picker.items[0][1].partition("/")
        assert (screen.location.repo, screen.location.path) == (repo, path)


async def test_permalink_for_a_forge_remote(tmp_path):
    kb = build_kb(tmp_path)
    git(kb.submodule, "remote", "set-url", "origin", "git@github.com:acme/engine.git")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.open_location(Location("engine-study", "Engine", "src/engine/core.py", 9))
        await settle(pilot)
        screen.source.focus()
        await pilot.press("shift+down", "shift+down", "Y")
        await settle(pilot)
        assert app.clipboard == (
            f"https://github.com/acme/engine/blob/{kb.a}/src/engine/core.py#L9-L11"
        )
        assert screen.query_one("#status").info.tag == "v1.0"


async def test_switch_note(tmp_path):
    kb = kb_with_notes(tmp_path, "# Log\n", overview="# Overview of Engine\n")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ListPicker)
        index = next(i for i, (label, _) in enumerate(picker.items) if label == "overview.md")
        picker.query_one("OptionList").highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.notes.line_text(1) == "# Overview of Engine"


async def test_small_terminal_80x24_hides_the_tree_and_keeps_the_notes_readable(tmp_path):
    shutil.copytree(REPO_ROOT / "projects", tmp_path / "ws")
    app = ReaderApp(find_workspace(tmp_path / "ws"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.open_location(Location("minillm", "minillm", "minillm/attention.py", 30))
        await settle(pilot)
        tree, source, notes = screen.pane_layout.panes()
        assert not tree.display  # hidden by the narrow terminal
        assert source.region.width >= 30 and notes.region.width >= 30
        assert source.region.height >= 15
        assert screen.query_one("#status").region.y == 22
        widths = source.region.width, notes.region.width
        await pilot.press("t")  # shown by hand: over the source, the notes keep their width
        await wait_until(pilot, lambda: tree.display and tree.region.width > 0, "the tree over the source")
        assert tree.display and tree.region.width >= 12 and tree.region.x == source.region.x
        assert (source.region.width, notes.region.width) == widths
        await pilot.press("t")
        await wait_until(pilot, lambda: not tree.display, "the tree hidden again")
        await pilot.resize_terminal(40, 24)  # tight: the source alone
        await wait_until(pilot, lambda: not notes.display and source.region.width >= 30, "the source alone")
        await pilot.resize_terminal(140, 40)  # wide again: what the terminal hid comes back
        await wait_until(pilot, lambda: notes.display, "the notes back at 140 columns")
        await app.action_quit()
    from readertui.ui.state import load_state

    saved = load_state(app.session.workspace.root)
    assert saved.show_tree and saved.show_notes


async def test_no_color_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    shutil.copytree(REPO_ROOT / "projects", tmp_path / "ws")
    app = ReaderApp(find_workspace(tmp_path / "ws"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.no_color
        styles = [*app.ui_theme.syntax.values(), *app.ui_theme.marks.values()]
        assert all(style.color is None or style.color.name == "default" for style in styles)


def test_fuzzy_ranking_of_50k_paths():
    # Speed is measured in benchmarks, never asserted here: this checks the answers.
    words = ["runtime", "engine", "zero", "stage", "ops", "csrc", "kernels", "model", "moe"]
    paths = [
        f"{words[i % 9]}/{words[i // 9 % 9]}/{words[i // 81 % 9]}/file{i}.py" for i in range(50_000)
    ]
    ranker = PathRanker(paths)
    for query in ("e", "en", "eng", "engine", "enginez", "enginezero"):
        assert ranker.rank(query)
    best = ranker.rank("engine/zero/file7")[0][0]
    assert "engine/zero/file7" in best  # the tightest match wins


async def test_quit_remembers_the_place_and_the_next_start_returns_there(tmp_path):
    from readertui.ui.state import load_state, state_file

    shutil.copytree(REPO_ROOT / "projects", tmp_path / "ws")
    app = ReaderApp(find_workspace(tmp_path / "ws"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.open_location(Location("minillm", "minillm", "minillm/model.py", 20))
        await settle(pilot)
        await pilot.press("t", "q")
    state = load_state(app.session.workspace.root)
    assert state.location == Location("minillm", "minillm", "minillm/model.py", 20)
    assert not state.show_tree
    assert not (tmp_path / "ws/minillm/notes/state.json").exists() and state_file().exists()
    again = ReaderApp(find_workspace(tmp_path / "ws"))
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.screen.location.path == "minillm/model.py"
        assert again.screen.source.cursor_line == 20
        assert not again.screen.query_one("#tree").display


async def test_uninitialized_submodule_shows_the_command_that_fixes_it(tmp_path):
    kb = build_kb(tmp_path)
    git(kb.root, "submodule", "deinit", "-q", "-f", "awesome/engine-study/Engine")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree")
        node = next(n for n in tree.root.children[0].children if n.data.kind == "uninit")
        assert "not initialized: git -C" in str(node.label)
        assert "submodule update --init" in str(node.label)


async def test_vim_keymap_jump_list(tmp_path):
    from readertui.config.settings import Settings

    shutil.copytree(REPO_ROOT / "projects", tmp_path / "ws")
    app = ReaderApp(find_workspace(tmp_path / "ws"), settings=Settings(keymap="vim"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        for path, line in (("minillm/model.py", 20), ("minillm/utils.py", 3)):
            screen.open_location(Location("minillm", "minillm", path, line))
            await settle(pilot)
        screen.source.focus()
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert screen.location.path == "minillm/model.py"
        await pilot.press("tab")  # what terminals send for ctrl+i
        await settle(pilot)
        assert screen.location.path == "minillm/utils.py"
        await pilot.press("k")
        assert screen.source.cursor_line == 2


def test_ranker_returns_exactly_the_subsequence_matches():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    alphabet = st.sampled_from("ab/._-[]\\^$*ÄéZ")
    paths_strategy = st.lists(st.text(alphabet, min_size=1, max_size=12), max_size=30, unique=True)

    def is_subsequence(query: str, path: str) -> bool:
        it = iter(path.lower())
        return all(char in it for char in query.lower())

    @settings(max_examples=150, deadline=None)
    @given(paths_strategy, st.lists(st.text(alphabet, max_size=4), max_size=4))
    def check(paths, queries):
        ranker = PathRanker(paths)
        for query in queries:  # successive queries exercise the narrowing cache
            shown = {path for path, _ in ranker.rank(query, limit=100)}
            wanted = {p for p in paths if is_subsequence(query.replace(" ", ""), p)}
            assert shown == wanted

    check()


async def test_reload_picks_up_a_submodule_moved_outside_the_app(tmp_path):
    kb = build_kb(tmp_path)
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "src/util/queue.ts" in screen.session.list_files(screen.project, screen.project.repo("Engine"))
        git(kb.submodule, "checkout", "-q", "--detach", kb.b)  # e.g. `git pull` in another pane
        await pilot.press("f5")
        await settle(pilot)
        repo = screen.project.repo("Engine")
        assert repo.head == kb.b
        files = screen.session.list_files(screen.project, repo)
        assert "src/util/work_queue.ts" in files and "src/util/queue.ts" not in files
        tree = screen.query_one("#tree")
        assert tree.workspace.project("engine-study").repo("Engine").head == kb.b


async def test_a_mismatch_is_broken_and_enter_offers_both_places(tmp_path):
    kb = kb_with_notes(
        tmp_path,
        "# Log\n\n**Commit**: `{b}`\n\n- [`Engine.save()`](../Engine/src/engine/core.py#L9-L12) writes\n",
    )
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        result = screen.notes.results[0]
        assert result.status.value == "mismatch" and result.status.broken
        await pilot.press("3", "right_square_bracket", "enter")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ListPicker)
        assert [value for _, value in picker.items] == ["cited", "defined"]
        assert picker.items[1][0] == "where the label's name is: Engine/src/engine/core.py:19-21"
        picker.query_one("OptionList").highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        assert screen.location.commit == kb.b
        assert screen.source.selection() == LineRange(19, 21)
        assert screen.source.line_text(19).strip() == "def save(self, path):"


async def test_the_reader_applies_the_workspace_ignore_globs(tmp_path):
    kb = kb_with_notes(tmp_path, "# Log\n\nState: `store/state.db` and `store/cache.db`.\n")
    (kb.workspace / "readertui.toml").write_text('[check]\nignore = ["store/state.db"]\n')
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        statuses = [r.status.value for r in app.screen.notes.results]
        assert statuses == ["ignored", "missing"]

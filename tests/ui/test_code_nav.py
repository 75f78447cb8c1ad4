"""Pilot tests of code navigation: keys pressed → picker contents → location opened → history.

The workspace is built with real git: a project whose repo has commit A, and B checked out
(B pushes `pkg/util.py` down three lines), so the same actions run on code shown at A.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readertui.core import search as search_module
from readertui.core.model import Location
from readertui.core.workspace import find_workspace
from readertui.ui import code_nav
from readertui.ui.app import ReaderApp
from readertui.ui.screens.main import MainScreen
from readertui.ui.screens.pickers import ListPicker
from readertui.ui.screens.symbol_pickers import GroupedPicker, RepoSearchScreen, SymbolFinder
from tests.gitfixtures import commit_all, git, write
from tests.ui.conftest import THREAD_GROUPS, wait_until
from tests.ui.conftest import settle as settle_app

ENGINE = (
    "from pkg.queue import Queue\n"  # 1
    "from pkg.util import helper\n"  # 2
    "\n"  # 3
    "class Engine:\n"  # 4
    "    def step(self):\n"  # 5
    "        return helper(1)\n"  # 6
    "\n"  # 7
    "    def run(self):\n"  # 8
    "        q = Queue()\n"  # 9
    "        self.step()\n"  # 10
)
UTIL = "def helper(x):\n    return x\n"
NAV_GROUPS = frozenset({"symbols", "symbol-lookup", "file-symbols"})


@pytest.fixture(autouse=True)
def _index_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """No worker processes in tests: the index is built in the reader's thread workers."""
    monkeypatch.setattr(code_nav, "INDEX_WORKERS", 0)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, str, str]:
    root = tmp_path / "ws"
    write(root / "study/notes/code-reading-log.md", "# Code reading log\n")
    code = root / "study" / "code"
    code.mkdir(parents=True)
    git(code, "init", "-q")
    write(code / "pkg/engine.py", ENGINE)
    write(code / "pkg/util.py", UTIL)
    write(code / "pkg/queue.py", "class Queue:\n    pass\n")
    write(code / "pkg/other/util.py", "def helper(x):\n    return -x\n")
    write(code / "tests/test_util.py", "def helper():\n    pass\n")
    a = commit_all(code, "A")
    write(code / "pkg/util.py", "# one\n# two\n# three\n" + UTIL)
    b = commit_all(code, "B")
    return root, a, b


async def settle(pilot) -> None:
    """conftest's settle, waiting on the symbol index's workers too."""
    await settle_app(pilot, groups=THREAD_GROUPS | NAV_GROUPS)


async def until(pilot, predicate) -> None:
    """Let workers finish, then wait for `predicate` (a condition, never a count of rounds)."""
    await settle(pilot)
    await wait_until(pilot, predicate, "the screen to get there")


async def open_code(pilot, path: str, line: int, commit: str | None = None, column: int = 0) -> MainScreen:
    screen = pilot.app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    screen.open_location(Location("study", "code", path, line, commit=commit))
    await until(pilot, lambda: screen.location is not None and screen.location.path == path)
    screen.source.goto(line, column=column)
    screen.source.focus()
    await settle(pilot)
    return screen


def make_app(root: Path) -> ReaderApp:
    return ReaderApp(find_workspace(root))


async def test_go_to_definition_ranks_the_imported_module_first_and_records_history(workspace) -> None:
    root, _, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 6)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ListPicker))
        picker = app.screen
        assert [hit.citation for _, hit in picker.items] == [
            "code/pkg/util.py:4-5",  # imported: `from pkg.util import helper`
            "code/pkg/other/util.py:1-2",
            "code/tests/test_util.py:1-2",  # tests last
        ]
        await pilot.press("enter")
        await until(pilot, lambda: screen.location.path == "pkg/util.py")
        assert screen.source.cursor_line == 4 and screen.location.commit is None
        await pilot.press("ctrl+o")
        await until(pilot, lambda: screen.location.path == "pkg/engine.py")
        assert screen.source.cursor_line == 6


async def test_one_definition_jumps_at_once_from_the_word_under_the_column(workspace) -> None:
    root, _, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 9, column=13)  # on `Queue`
        await pilot.press("d")
        await until(pilot, lambda: screen.location.path == "pkg/queue.py")
        assert screen.source.cursor_line == 1
        assert isinstance(app.screen, MainScreen)  # no picker for one definition
        assert screen.navigator.history.back(screen.navigator.here())[1].path == "pkg/engine.py"


async def test_at_a_notes_older_commit_definitions_come_from_that_commit(workspace) -> None:
    root, a, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 6, commit=a)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ListPicker))
        assert app.screen.items[0][1].citation == "code/pkg/util.py:1-2"  # at A: no header yet
        await pilot.press("enter")
        await until(pilot, lambda: screen.location.path == "pkg/util.py")
        assert (screen.location.commit, screen.source.cursor_line) == (a, 1)


async def test_references_grouped_by_file_with_the_definition_marked(workspace) -> None:
    root, _, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 6)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, GroupedPicker))
        labels = [label.rstrip() for label in app.screen.labels()]
        assert labels[:3] == ["code/pkg/engine.py", "       2   from pkg.util import helper", "       6   return helper(1)"]
        util = labels.index("code/pkg/util.py")
        assert labels[util + 1].startswith("       4 ◆ def helper(x):")
        assert "code/tests/test_util.py" in labels
        picker = app.screen
        picker.query_one("OptionList").highlighted = util + 1
        await pilot.press("enter")
        await until(pilot, lambda: screen.location.path == "pkg/util.py")
        assert screen.source.cursor_line == 4
        await pilot.press("ctrl+o")
        await until(pilot, lambda: screen.location.path == "pkg/engine.py")


async def test_outline_nested_filtered_and_status_shows_the_enclosing_symbol(workspace) -> None:
    root, _, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 6)
        await until(pilot, lambda: screen.query_one("#status").info.symbol == "Engine.step")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SymbolFinder))
        finder = app.screen
        assert [row for row, _ in finder.rows("")] == ["Engine  class  :4", "  step  method  :5", "  run  method  :8"]
        await pilot.press("r", "u", "n")
        await settle(pilot)
        assert finder._found.chosen == "Engine.run  method  :8"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen) and screen.source.cursor_line == 8)
        assert screen.query_one("#status").info.symbol == "Engine.run"


async def test_workspace_symbols_fuzzy_over_every_definition(workspace) -> None:
    root, _, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 1)
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, SymbolFinder))
        finder = app.screen
        assert len(finder.hits) == 7
        await pilot.press("q", "u", "e")
        await settle(pilot)
        assert finder._found.chosen == "Queue  class  code/pkg/queue.py:1"
        await pilot.press("enter")
        await until(pilot, lambda: screen.location.path == "pkg/queue.py")


async def test_repo_search_streams_cancels_old_searches_and_opens_a_hit(workspace, monkeypatch) -> None:
    root, a, _ = workspace
    started: list[search_module.Search] = []
    real = search_module.search

    def recording(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(search_module, "search", recording)
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 2, commit=a)
        await pilot.press("F")
        await until(pilot, lambda: isinstance(app.screen, RepoSearchScreen))
        search_screen = app.screen
        assert search_screen.where == f"code at {a[:7]}"
        await pilot.press(*"def helper")
        await until(pilot, search_screen.finished.is_set)
        assert all(s._closed for s in started[:-1]) and not started[-1]._closed
        assert [(h.path, h.line) for h in search_screen.hits] == [
            ("pkg/other/util.py", 1), ("pkg/util.py", 1), ("tests/test_util.py", 1)  # at A
        ]
        await pilot.press("ctrl+r")  # regex
        await pilot.press("backspace", *"r|Queue")
        await until(pilot, lambda: search_screen.finished.is_set() and search_screen.search_query().regex)
        assert {h.path for h in search_screen.hits} == {
            "pkg/engine.py", "pkg/queue.py", "pkg/util.py", "pkg/other/util.py", "tests/test_util.py"
        }
        search_screen.query_one("#search-paths").value = "pkg/other/"
        await until(pilot, lambda: search_screen.finished.is_set() and len(search_screen.hits) == 1)
        await pilot.press("enter")
        await until(pilot, lambda: screen.location.path == "pkg/other/util.py")
        assert screen.location.commit == a  # still the note's commit
        await pilot.press("ctrl+o")
        await until(pilot, lambda: screen.location.path == "pkg/engine.py")


async def test_every_action_is_in_the_command_palette_and_help(workspace) -> None:
    from readertui.ui.bindings import REGISTRY
    from readertui.ui.commands import PALETTE_SCOPES, ActionCommands

    ids = {"goto_definition", "find_references", "outline", "workspace_symbols", "search_repo"}
    listed = {spec.id for spec in REGISTRY if spec.scope in PALETTE_SCOPES}
    assert ids <= listed
    assert ActionCommands  # the palette lists every registry entry of those scopes


async def test_copy_and_log_entry_name_the_enclosing_symbol(workspace) -> None:
    root, _, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_code(pilot, "pkg/engine.py", 5)
        await pilot.press("shift+down", "y")
        assert app.clipboard == "`code/pkg/engine.py:5-6` (`Engine.step`)"
        await pilot.press("c")
        await until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        assert app.screen.value == "code/pkg/engine.py:5-6 (`Engine.step`) "
        await pilot.press("escape")
        await open_code(pilot, "pkg/engine.py", 1)
        await pilot.press("y")
        assert app.clipboard == "code/pkg/engine.py:1"  # no definition around an import


async def test_backlinks_include_notes_citing_the_enclosing_definition(workspace) -> None:
    root, _, _ = workspace
    write(
        root / "study/notes/code-reading-log.md",
        "# Code reading log\n\n- `code/pkg/engine.py:9` makes the queue\n- `code/pkg/engine.py:5` steps\n",
    )
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 10)
        await until(pilot, lambda: screen.index.backlinks.notes() != frozenset())
        await until(pilot, lambda: screen.code_nav.symbol_at(10) is not None)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ListPicker))
        labels = [label for label, _ in app.screen.items]
        assert labels == ["notes/code-reading-log.md:3  in Engine.run: code/pkg/engine.py:9"]
        assert app.screen.title_text == "Notes citing this line or Engine.run"


async def test_the_file_shown_takes_its_definitions_from_the_index_once_built(workspace, monkeypatch) -> None:
    root, _, _ = workspace
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_code(pilot, "pkg/engine.py", 1)
        await pilot.press("S")  # workspace symbols: the index is built
        await until(pilot, lambda: isinstance(app.screen, SymbolFinder))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        parsed: list[int] = []
        real = code_nav.tags.definitions

        def counting(source: bytes, language: str):
            parsed.append(len(source))
            return real(source, language)

        monkeypatch.setattr(code_nav.tags, "definitions", counting)
        screen = await open_code(pilot, "pkg/queue.py", 2)
        await until(pilot, lambda: screen.query_one("#status").info.symbol == "Queue")
        assert parsed == []  # read from the index's row for these bytes, not parsed again


@pytest.mark.parametrize(("cpus", "workers"), [(1, 2), (2, 2), (3, 2), (4, 3), (16, 4)])
def test_index_workers_two_or_a_core_fewer_than_there_are(cpus: int, workers: int, monkeypatch) -> None:
    monkeypatch.setattr(code_nav.os, "sched_getaffinity", lambda _pid: set(range(cpus)), raising=False)
    assert code_nav.index_workers() == workers


async def test_code_in_the_pickers_stays_inert(workspace) -> None:
    """Lines of code shown in the references and search pickers: an escape sequence arrives as
    a visible placeholder, markup as the characters typed."""
    root, _, _ = workspace
    code = root / "study" / "code"
    write(code / "pkg/evil.py", 'from pkg.util import helper\nX = helper("\x1b]2;pwned\x07[bold red]loud[/]")\n')
    commit_all(code, "C")
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_code(pilot, "pkg/engine.py", 6)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, GroupedPicker))
        shown = app.screen.query_one("OptionList")
        lines = [str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)]
        evil = next(line for line in lines if "pwned" in line)
        assert "\x1b" not in evil and "\x07" not in evil and "[bold red]loud[/]" in evil
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, GroupedPicker))
        await pilot.press("F")
        await until(pilot, lambda: isinstance(app.screen, RepoSearchScreen))
        search_screen = app.screen
        await pilot.press(*"pwned")
        await until(pilot, search_screen.finished.is_set)
        shown = search_screen.query_one("OptionList")
        (hit,) = [str(shown.get_option_at_index(i).prompt) for i in range(shown.option_count)]
        assert "\x1b" not in hit and "\x07" not in hit and "[bold red]loud[/]" in hit

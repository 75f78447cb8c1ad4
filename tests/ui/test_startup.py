"""What the reader's start does before its first screen, and what it leaves for later."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rich.color import Color
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual import events
from textual.css.stylesheet import Stylesheet
from textual.design import ColorSystem
from textual.filter import ANSIToTruecolor

from readertui import cli
from readertui.config.settings import Settings
from readertui.core import workspace as workspace_module
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.note_loader import NoteLoader
from readertui.ui.project_index import ProjectIndex
from readertui.ui.screens.main import MainScreen
from readertui.ui.widgets.code_view import CodeView
from readertui.ui.widgets.repo_tree import RepoTree


def test_the_first_screen_imports_neither_gitpython_nor_the_slow_parts() -> None:
    code = (
        "import sys\n"
        "import readertui.cli, readertui.ui.app\n"
        "from readertui.core import citations\n"
        "late = ['git', 'filelock', 'readertui.core.resolve', 'readertui.ui.screens.pickers', 'argparse',\n"
        "        'tree_sitter', 'tomllib', 'json', 'hashlib', 'shlex', 'tomli_w', 'readertui.ui.capture',\n"
        "        'readertui.ui.screens.prompt', 'readertui.core.bookmarks', 'readertui.core.forge']\n"
        "print(','.join(m for m in late if m in sys.modules))\n"
        "print('compiled' if citations._CODE_CITATION._compiled else 'lazy')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["", "lazy"]


async def test_the_first_note_is_on_the_first_frame_not_left_to_a_worker(demo, monkeypatch) -> None:
    loads: list[Path] = []
    monkeypatch.setattr(NoteLoader, "load", lambda self, path, line=None: loads.append(path))
    frames: list[int] = []
    app = ReaderApp(find_workspace(demo))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        screen.call_after_refresh(lambda: frames.append(screen.notes.line_count))
        await pilot.pause()
        assert loads == []  # no worker read it
        assert screen.notes.note_path == demo / "minillm/notes/code-reading-log.md"
        assert frames and frames[0] > 10  # already in the notes pane at the first refresh


async def test_background_work_waits_for_the_first_frame(demo, monkeypatch) -> None:
    """Index, grammar warm-up, the first note's citations and its highlighting all start once
    a frame is out: Textual runs `call_after_refresh` callbacks before any while it starts."""
    app = ReaderApp(find_workspace(demo))
    frames: list[int] = []
    real_display = app._display

    def display(screen, renderable) -> None:
        if renderable is not None:
            frames.append(1)
        real_display(screen, renderable)

    app._display = display
    started: dict[str, int] = {}

    def note(name: str):
        return lambda *args, **kwargs: started.setdefault(name, len(frames))

    monkeypatch.setattr(ProjectIndex, "start", note("index"))
    monkeypatch.setattr(ProjectIndex, "warm_up_grammars", note("warm"))
    monkeypatch.setattr(NoteLoader, "resolve_first", note("resolve"))
    monkeypatch.setattr(CodeView, "_parse", note("parse"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
    assert set(started) == {"index", "warm", "resolve", "parse"}
    assert all(count >= 1 for count in started.values()), started


def test_garbage_collection_is_off_until_the_first_screen_and_on_after(demo, monkeypatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr("readertui.ui.app.run_app", lambda *args: seen.append(gc.isenabled()) or 0)
    assert gc.isenabled()
    assert cli.main([str(demo)]) == 0
    assert seen == [False] and gc.isenabled()


def test_the_workspace_is_found_beside_the_imports_not_after_them(demo, monkeypatch) -> None:
    """Finding the workspace runs three git commands: a worker thread runs them while the
    main thread imports Textual, and the app gets what it found."""
    threads: list[threading.Thread] = []
    find = workspace_module.find_workspace

    def finding(path: Path):
        threads.append(threading.current_thread())
        return find(path)

    monkeypatch.setattr(workspace_module, "find_workspace", finding)
    opened: list[tuple] = []
    monkeypatch.setattr("readertui.ui.app.run_app", lambda *args: opened.append(args) or 0)
    assert cli.main([str(demo / "minillm")]) == 0
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    [(path, workspace, settings, problems)] = opened
    assert path == demo / "minillm"
    assert workspace.root == demo.resolve() and [p.name for p in workspace.projects] == ["minillm"]
    assert isinstance(settings, Settings) and problems == []


def test_a_folder_outside_any_workspace_is_refused_with_a_message(tmp_path, monkeypatch, capsys) -> None:
    opened: list[tuple] = []
    monkeypatch.setattr("readertui.ui.app.run_app", lambda *args: opened.append(args) or 0)
    assert cli.main([str(tmp_path / "nowhere")]) == 2
    assert opened == []
    assert capsys.readouterr().err == f"readertui: error: {tmp_path / 'nowhere'} does not exist\n"


async def test_the_main_screen_turns_garbage_collection_back_on(demo) -> None:
    gc.disable()
    try:
        app = ReaderApp(find_workspace(demo))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_no_frame_is_painted_only_to_be_dropped(demo) -> None:
    """Textual drops frames painted inside its start-up batch: the main screen used to be
    laid out and painted once there, for nothing."""
    app = ReaderApp(find_workspace(demo))
    batched: list[int] = []
    real_display = app._display

    def display(screen, renderable) -> None:
        if renderable is not None:
            batched.append(app._batch_count)
        real_display(screen, renderable)

    app._display = display
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen_stack[0], MainScreen)
    assert batched and not any(batched)


async def test_the_first_projects_notes_are_in_the_tree_without_a_worker(demo, monkeypatch) -> None:
    requested: list[str] = []
    monkeypatch.setattr(RepoTree, "_load_children", lambda self, node: requested.append(node.label.plain))
    app = ReaderApp(find_workspace(demo))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.query_one(RepoTree)
        project = tree.root.children[0]
        notes = next(node for node in project.children if node.label.plain == "notes/")
        assert [child.label.plain for child in notes.children][:2] == ["overview.md", "architecture.md"]
        assert requested == []


@pytest.mark.parametrize("theme", ["dark", "light", "ansi16"])
async def test_the_theme_is_in_place_before_any_css_is_parsed(demo, monkeypatch, theme) -> None:
    """Setting `App.theme` once the app is built made Textual parse every CSS source again and
    restyle every node (~15 ms of the start). The stylesheet gets our variables from the start,
    and what Textual's theme watcher would have done is done."""
    reparsed: list[int] = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: reparsed.append(1) or reparse(self))
    generated: list[int] = []
    generate = ColorSystem.generate
    monkeypatch.setattr(ColorSystem, "generate", lambda self: generated.append(1) or generate(self))
    app = ReaderApp(find_workspace(demo), settings=Settings(theme=theme))
    assert generated == [1]  # our theme's colours; not also those of Textual's default theme
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert reparsed == []
        assert app.current_theme.name == f"readertui-{theme}"
        assert app.stylesheet._variables == app.get_css_variables()
        assert app.has_class("-light-mode") == (theme == "light")
        assert app.has_class("-dark-mode") == (theme != "light")
        [truecolor] = [f for f in app._filters if isinstance(f, ANSIToTruecolor)]
        assert truecolor.enabled == (theme != "ansi16")  # the 16-colour theme keeps ANSI colours
        palette = app.ansi_theme_light if theme == "light" else app.ansi_theme_dark
        red = truecolor.truecolor_style(Style(color="red"), Color.parse("white")).color
        assert red is not None and red.triplet == palette.ansi_colors[1]
        assert palette.ansi_colors[1] != DEFAULT_TERMINAL_THEME.ansi_colors[1]


async def test_the_source_pane_has_the_focus_from_the_start(demo, monkeypatch) -> None:
    """Textual focused the first focusable widget, the tree, and the screen moved the focus on:
    two restyles of the tree before the first frame, for nothing."""
    focused: list[str] = []
    real_set_focus = MainScreen.set_focus

    def set_focus(self, widget, *args, **kwargs):
        focused.append(widget.id if widget is not None else "")
        return real_set_focus(self, widget, *args, **kwargs)

    monkeypatch.setattr(MainScreen, "set_focus", set_focus)
    app = ReaderApp(find_workspace(demo))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.source
        assert "tree" not in focused


def test_the_reader_path_is_read_without_argparse_and_odd_forms_get_its_errors(demo, monkeypatch, capsys) -> None:
    opened: list[Path] = []
    monkeypatch.setattr("readertui.ui.app.run_app", lambda path, *rest: opened.append(path) or 0)
    monkeypatch.chdir(demo)
    assert cli.main([]) == 0
    assert cli.main([str(demo / "minillm")]) == 0
    assert opened == [Path("."), demo / "minillm"]
    for argv in (["a", "b"], ["--bogus"]):
        with pytest.raises(SystemExit) as exit:
            cli.main(argv)
        assert exit.value.code == 2
        assert capsys.readouterr().err.startswith("usage: readertui [-h] [path]\n")


async def test_the_first_resume_does_not_restyle_the_screen_but_later_ones_do(demo, monkeypatch) -> None:
    """Every node is styled as it mounts; Textual restyled the whole screen again on its first
    ScreenResume, just before the first frame."""
    restyled: list[int] = []
    real = MainScreen.update_node_styles
    monkeypatch.setattr(
        MainScreen, "update_node_styles", lambda self, *args, **kwargs: restyled.append(1) or real(self, *args, **kwargs)
    )
    app = ReaderApp(find_workspace(demo))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert restyled == []
        app.screen.post_message(events.ScreenResume())  # as Textual posts it after a mode switch
        await pilot.pause()
        assert restyled == [1]

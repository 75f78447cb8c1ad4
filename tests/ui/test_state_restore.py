"""Restoring the last place can never stop the reader from starting.

The saved project, note and location are checked together against the workspace as it is now;
what no longer fits is dropped piece by piece, with one notice. The state that once crashed
every start (one project's note saved beside another project's file) is tested as a user makes
it, and a property test feeds arbitrary state files and workspaces whose projects, notes and
files were renamed or deleted.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core.model import Location
from readertui.core.workspace import find_workspace, load_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.messages import OpenNote
from readertui.ui.screens.main import MainScreen
from readertui.ui.state import ViewState, fit_state, load_state, save_state, state_file
from tests.ui.conftest import REPO_ROOT, notifications, settle

BETA_NOTE = "# Beta overview\n\nSee `beta/src/config.ts:1-2`.\n"


def two_projects(root: Path) -> Path:
    """The demo project `minillm` and a second one, `beta`, with a note and a code file."""
    shutil.copytree(REPO_ROOT / "projects", root)
    (root / "beta" / "notes").mkdir(parents=True)
    (root / "beta" / "notes" / "overview.md").write_text(BETA_NOTE)
    (root / "beta" / "beta" / "src").mkdir(parents=True)
    (root / "beta" / "beta" / "src" / "config.ts").write_text("export const a = 1;\nexport const b = 2;\n")
    return root


async def test_a_note_of_one_project_beside_a_file_of_another_survives_quit_and_restart(tmp_path):
    ws = two_projects(tmp_path / "ws")
    app = ReaderApp(find_workspace(ws))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        # ctrl+p-style: a file of minillm; then beta's overview from the tree; quit
        screen.open_location(Location("minillm", "minillm", "minillm/config.py", 6))
        await settle(pilot)
        screen.query_one("#tree").post_message(OpenNote(ws / "beta" / "notes" / "overview.md"))
        await settle(pilot)
        await app.action_quit()
    saved = load_state(find_workspace(ws).root)
    assert saved.location is None or saved.location.project == saved.project  # saved consistent
    for _ in range(2):  # and every later start works
        app = ReaderApp(find_workspace(ws))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            await app.action_quit()


async def test_the_state_that_crashed_every_start_opens_with_one_notice(tmp_path):
    ws = two_projects(tmp_path / "ws")
    root = find_workspace(ws).root
    save_state(root, ViewState(
        project="beta", note="notes/overview.md",
        location=Location("minillm", "minillm", "minillm/config.py", 6),
    ))
    app = ReaderApp(find_workspace(ws))
    shown = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.project.name == "beta"
        assert screen.notes.note_path == ws.resolve() / "beta" / "notes" / "overview.md"
        assert screen.location is None  # minillm's file was dropped, not opened into beta
    notices = [message for message, _ in shown if message.startswith("Last place")]
    assert notices == ["Last place only partly restored: the last file, minillm/minillm/config.py, belongs to project 'minillm'."]


def test_fit_state_drops_each_stale_piece_and_says_why(tmp_path):
    ws = two_projects(tmp_path / "ws")
    workspace = load_workspace(ws.resolve())
    minillm = workspace.project("minillm")
    good = ViewState(project="minillm", note="notes/overview.md",
                     location=Location("minillm", "minillm", "minillm/config.py", 6))
    assert fit_state(good, workspace, minillm) == (good, [])
    (ws / "minillm" / "notes" / "overview.md").rename(ws / "minillm" / "notes" / "renamed.md")
    (ws / "minillm" / "minillm" / "minillm" / "config.py").unlink()
    state, dropped = fit_state(good, workspace, minillm)
    assert state == ViewState(project="minillm")
    assert dropped == ["note 'notes/overview.md' is gone", "minillm/minillm/config.py is gone"]
    escaping = ViewState(project="minillm", note="../beta/notes/overview.md",
                         location=Location("minillm", "minillm", "../../etc/passwd"))
    state, dropped = fit_state(escaping, workspace, minillm)
    assert state == ViewState(project="minillm") and len(dropped) == 2
    gone = ViewState(project="gamma", note="notes/x.md")
    assert fit_state(gone, workspace, minillm) == (ViewState(), ["project 'gamma' is no longer in the workspace"])
    # a name is quoted as it is, not as Python's repr: the notification shows its control
    # characters as placeholders, as everywhere else (repr would show `\x1b`)
    hostile = ViewState(project="minillm", note="notes/n\x1b]2;t\x07.md")
    assert fit_state(hostile, workspace, minillm)[1] == ["note 'notes/n\x1b]2;t\x07.md' is gone"]


# ---- property: arbitrary state files, workspaces changed behind the reader's back

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**6) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
PROJECTS = st.sampled_from(["minillm", "beta", "gamma", "", "../x"])
NOTES = st.sampled_from(["notes/overview.md", "notes/code-reading-log.md", "notes/architecture.md",
                         "notes/gone.md", "../beta/notes/overview.md", "/etc/passwd", "notes", ""])
FILES = st.sampled_from([("minillm", "minillm/config.py"), ("minillm", "minillm/model.py"),
                         ("beta", "src/config.ts"), ("minillm", "nope.py"), ("gone", "a.py"),
                         ("minillm", "../../notes/overview.md"), ("minillm", "")])
LOCATIONS = st.builds(
    lambda project, file, line, commit: {"project": project, "repo": file[0], "path": file[1],
                                         "line": line, "commit": commit},
    PROJECTS, FILES, st.integers(-5, 10**9), st.none() | st.sampled_from(["abc1234", "zz", ""]),
)
ENTRIES = st.fixed_dictionaries(
    {},
    optional={"project": PROJECTS | JSON, "note": NOTES | JSON, "location": LOCATIONS | JSON,
              "show_tree": st.booleans() | JSON, "show_notes": st.booleans() | JSON},
) | JSON
CHANGES = st.lists(st.sampled_from([
    "delete beta", "rename beta", "delete minillm notes/overview.md", "rename minillm notes/overview.md",
    "delete beta notes/overview.md", "delete config.py", "rename minillm/minillm",
    "delete minillm code-reading-log.md", "replace config.py with a folder",
]), max_size=3, unique=True)


def change(ws: Path, what: str) -> None:
    code = ws / "minillm" / "minillm" / "minillm"
    actions = {
        "delete beta": lambda: shutil.rmtree(ws / "beta"),
        "rename beta": lambda: (ws / "beta").rename(ws / "beta2"),
        "delete minillm notes/overview.md": lambda: (ws / "minillm/notes/overview.md").unlink(),
        "rename minillm notes/overview.md": lambda: (ws / "minillm/notes/overview.md").rename(ws / "minillm/notes/o.md"),
        "delete beta notes/overview.md": lambda: (ws / "beta/notes/overview.md").unlink(missing_ok=True),
        "delete config.py": lambda: (code / "config.py").unlink(),
        "rename minillm/minillm": lambda: (ws / "minillm" / "minillm").rename(ws / "minillm" / "code"),
        "delete minillm code-reading-log.md": lambda: (ws / "minillm/notes/code-reading-log.md").unlink(),
        "replace config.py with a folder": lambda: ((code / "config.py").unlink(), (code / "config.py").mkdir()),
    }
    try:
        actions[what]()
    except (FileNotFoundError, IsADirectoryError, FileExistsError):
        pass  # an earlier change took it already


def test_load_and_fit_never_raise_and_keep_only_what_exists(tmp_path_factory):
    base = two_projects(tmp_path_factory.mktemp("fit") / "ws")

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(entry=ENTRIES, changes=CHANGES, start=st.sampled_from(["minillm", "beta"]))
    def check(entry, changes, start):
        ws = base.parent / "copy"
        shutil.rmtree(ws, ignore_errors=True)
        shutil.copytree(base, ws)
        for what in changes:
            change(ws, what)
        path = ws.parent / "state.json"
        path.write_text(json.dumps({str(ws): entry}))
        workspace = load_workspace(ws)
        project = workspace.project(start) or workspace.projects[0]
        state, dropped = fit_state(load_state(ws, path), workspace, project)
        if state.note is not None:
            assert (project.path / state.note).is_file()
        if state.location is not None:
            assert state.location.project == project.name
            repo = project.repo(state.location.repo)
            assert repo is not None and (repo.path / state.location.path).is_file()

    check()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=ENTRIES, changes=CHANGES)
def test_the_reader_starts_whatever_the_state_and_the_workspace(tmp_path_factory, entry, changes):
    base = tmp_path_factory.mktemp("start")
    ws = two_projects(base / "ws")
    for what in changes:
        change(ws, what)
    state_dir = base / "state"
    with mock.patch.dict(os.environ, {"READERTUI_STATE_DIR": str(state_dir)}):
        state_dir.mkdir()
        state_file().write_text(json.dumps({str(ws.resolve()): entry}))

        async def start() -> None:
            app = ReaderApp(find_workspace(ws))
            async with app.run_test(size=(100, 30)) as pilot:
                await settle(pilot)
                assert isinstance(app.screen, MainScreen)
                await app.action_quit()  # saving the place must not fail either

        asyncio.run(start())


async def test_the_place_is_saved_when_a_file_opens_and_not_on_each_move(demo):
    """So a reader killed outright (`kill -9`) loses little: the file opened is in the state at
    once. Moving the cursor writes nothing until the next save (quit, a signal, a file or note
    opened, the periodic one), which happens under a modal too."""
    from tests.ui.conftest import make_app, open_file, wait_until

    root = find_workspace(demo).root
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, "minillm/attention.py", 30)
        await wait_until(pilot, lambda: load_state(root).location is not None, "the place saved on opening")
        assert (load_state(root).location.path, load_state(root).location.line) == ("minillm/attention.py", 30)
        written = state_file().stat().st_mtime_ns, state_file().stat().st_ino
        await pilot.press("down", "down", "down")
        await pilot.press("ctrl+g")  # a prompt over the main screen
        await pilot.pause()
        assert (state_file().stat().st_mtime_ns, state_file().stat().st_ino) == written
        app.remember_place()  # what the timer, a signal or `q` do
        assert load_state(root).location.line == 33
        written = state_file().stat().st_mtime_ns, state_file().stat().st_ino
        app.remember_place()  # nothing moved: nothing written
        assert (state_file().stat().st_mtime_ns, state_file().stat().st_ino) == written

"""A submodule whose HEAD is garbled or names a branch without a commit: the reader starts and
says so in a notification naming the HEAD file (it printed a traceback for a non-UTF-8 HEAD),
and the update names the HEAD instead of "uncommitted changes"."""

from __future__ import annotations

from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from readertui.ui.screens.main import MainScreen
from tests.gitfixtures import KB, build_kb
from tests.ui.conftest import settle
from tests.ui.test_review import update_to


def _kb(tmp_path, head: bytes) -> tuple[KB, str]:
    kb = build_kb(tmp_path, {"code-reading-log.md": "# Log\n\n- `Engine/src/engine/core.py:9-12` step\n"})
    file = kb.root / ".git" / "modules" / "awesome" / "engine-study" / "Engine" / "HEAD"
    file.write_bytes(head)
    return kb, str(file)


def _notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_non_utf8_head_is_a_notification_naming_it(tmp_path):
    kb, head = _kb(tmp_path, b"\xff\xfegarbage\n")
    app = ReaderApp(find_workspace(kb.workspace))  # raised UnicodeDecodeError before the fix
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("3", "right_square_bracket", "enter")  # the log's citation
        await settle(pilot)
        said = _notes(app)
        assert any(head in note and "not UTF-8" in note for note in said), said
        assert not any("codec" in note for note in said)


async def test_an_update_names_a_head_on_a_missing_branch(tmp_path):
    kb, head = _kb(tmp_path, b"ref: refs/heads/nonexist\n")
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        await update_to(pilot, kb.b[:10])
        said = _notes(app)
        assert any(f"{head} names branch 'nonexist', which has no commit" in note for note in said), said
        assert not any("uncommitted" in note for note in said)

"""One resolver, and one set of git processes, per project: shared by the notes pane, the
project index and every note opened; dropped on refresh and quit."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from readertui.core import git as git_module
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from tests.ui.conftest import wait_until


def count_git_handles(monkeypatch) -> Counter[Path]:
    """How many `GitRepo`s (each with its own persistent git processes) open, per repo path."""
    opened: Counter[Path] = Counter()
    real_init = git_module.GitRepo.__init__

    def init(self, path: Path) -> None:
        opened[Path(path)] += 1
        real_init(self, path)

    monkeypatch.setattr(git_module.GitRepo, "__init__", init)
    return opened


async def test_fifty_notes_open_one_set_of_git_processes_per_repo(kb, monkeypatch) -> None:
    notes = []
    for n in range(50):
        note = kb.project / "notes" / f"n{n:02}.md"
        note.write_text(f"# note {n}\n\n`Engine/src/engine/core.py:{n % 5 + 1}` @ `{kb.a[:7]}`\n")
        notes.append(note)
    opened = count_git_handles(monkeypatch)
    app = ReaderApp(find_workspace(kb.workspace))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        for note in notes:  # in one burst: their workers resolve at the same time
            screen.open_note(note)
        await wait_until(
            pilot,
            lambda: screen.notes.note_path == notes[-1] and len(screen.notes.results) == 1,
            "the last note resolved",
        )
        await wait_until(pilot, lambda: all(w.is_finished for w in app.workers if w.group in ("note", "index")))
        assert screen.notes.results[0].status.value == "ok"
        assert opened == {kb.submodule: 1}
        session = screen.session
        assert session.resolver(screen.project) is session.resolver(screen.project)

        session.refresh(session.workspace)  # F5, `update`: handles and resolvers are dropped
        session.resolver(screen.project).resolve_note(notes[0])
        assert opened == {kb.submodule: 2}

"""A citation that names the repository (`# llama.cpp`, the submodule's folder) or a folder of
it: Enter shows it open in the tree and gives the tree the focus; no file is opened."""

from __future__ import annotations

import shutil

from readertui.core.model import Location
from tests.ui.conftest import make_app, notifications, settle


async def test_enter_on_the_repo_name_opens_the_repo_in_the_tree(demo):
    project = demo / "minillm"
    shutil.move(project / "minillm", project / "minillm.cpp")  # a repo named like a file
    (project / "minillm.cpp" / "src").mkdir()
    (project / "minillm.cpp" / "src" / "minillm.cpp").write_text("int main() { return 0; }\n")
    note = project / "notes" / "overview.md"
    note.write_text("# minillm.cpp\n\nRead `minillm.cpp` top down.\n")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.open_note(note, 1)
        await settle(pilot)
        assert [(r.citation.line, r.repo, r.path) for r in screen.notes.results] == [
            (1, "minillm.cpp", ""), (3, "minillm.cpp", ""),
        ]
        assert all(r.names_folder for r in screen.notes.results)
        tree = screen.query_one("#tree")
        await pilot.press("3", "right_square_bracket", "right_square_bracket")
        assert screen.notes.current.citation.line == 3
        shown = notifications(app)
        await pilot.press("enter")
        await settle(pilot)
        node = tree.cursor_node
        assert (node.data.kind, node.data.repo.name) == ("repo", "minillm.cpp")
        assert node.is_expanded and "src/" in [str(c.label) for c in node.children]
        assert screen.focused is tree and screen.location is None
        assert shown == []  # (main said: "llama.cpp/ does not exist")


async def test_revealing_a_folder_expands_it_and_puts_the_cursor_on_it(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree")
        tree.reveal(Location("minillm", "minillm", "kernels/"))
        await settle(pilot)
        node = tree.cursor_node
        assert (node.data.kind, node.data.path) == ("folder", "kernels")
        assert node.is_expanded and [str(c.label) for c in node.children] == ["softmax.cu"]

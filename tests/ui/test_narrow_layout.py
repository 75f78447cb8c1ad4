"""Layouts from 80×24 up: a narrow terminal's tree lies over the source and closes when done
with; at 120 columns the notes are wide enough for a citation; the tree's cut names are said
whole on the status line."""

from __future__ import annotations

from rich.cells import cell_len

from readertui.ui.layout import TREE_HIDES_BELOW
from readertui.ui.widgets.repo_tree import RepoTree
from readertui.ui.widgets.status_line import StatusLine
from tests.ui.conftest import make_app, open_file, settle, wait_until


def _note_row(tree: RepoTree, name: str) -> int:
    """The tree line of the note called `name` (the first project's notes are listed at once)."""
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        if node is not None and node.data is not None and node.data.path.endswith("/" + name):
            return line
    raise AssertionError(f"{name} is not in the tree")


async def test_the_tree_of_a_narrow_terminal_lies_over_the_source(demo):
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/attention.py", 30)
        tree, source, notes = screen.pane_layout.panes()
        assert not tree.display
        before = source.region, notes.region
        await pilot.press("t")
        await pilot.pause()
        # over the source, on its own layer: source and notes keep every column they had
        assert tree.display and tree.has_class("-overlay")
        assert (source.region, notes.region) == before
        assert tree.region.x == source.region.x and tree.region.width < source.region.width + notes.region.width
        assert app.focused is tree
        assert notes.region.width >= 30  # the notes keep their readable minimum
        # opening a note from it closes it, and the reader is back in the source
        tree.cursor_line = _note_row(tree, "overview.md")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.notes.note_path.name == "overview.md"
        assert not tree.display and app.focused is source
        # Esc closes it too; so does moving to another pane
        await pilot.press("1")
        await pilot.pause()
        assert tree.display and app.focused is tree
        await pilot.press("escape")
        await pilot.pause()
        assert not tree.display and app.focused is source
        await pilot.press("t", "z")  # zoom: not for the tree over the source
        await pilot.pause()
        assert tree.display and source.display and notes.display
        await pilot.press("3")
        await pilot.pause()
        assert not tree.display and app.focused is notes
        # a file opened another way (the finder) while the tree is over the source closes it
        await pilot.press("t")
        await pilot.pause()
        assert tree.display and app.focused is tree
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"utils.py", "enter")
        await settle(pilot)
        assert screen.location.path.endswith("utils.py")
        assert not tree.display and app.focused is source
        # a wide terminal puts the tree back in its column
        await pilot.resize_terminal(TREE_HIDES_BELOW + 10, 30)
        await pilot.pause()
        assert tree.display and not tree.has_class("-overlay")
        assert tree.region.right <= source.region.x


async def test_at_120_columns_the_notes_fit_a_citation(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        tree, source, notes = screen.pane_layout.panes()
        assert tree.display and not tree.has_class("-overlay")
        text_width = notes.scrollable_content_region.width - notes._gutter_width
        assert text_width >= 40, text_width
        assert tree.region.width <= 22 and source.region.width >= 50
        # a citation of 36 characters is on one row, not cut in the middle of its path
        citation = "`minillm/minillm/attention.py:29-50`"
        line = next(n for n in range(1, notes.line_count + 1) if citation in notes.line_text(n))
        offsets = notes._wrap.offsets(line - 1)
        start = notes.line_text(line).index(citation)
        assert not any(start < cut < start + len(citation) for cut in offsets), offsets


async def test_a_cut_name_in_the_tree_is_said_whole_on_the_status_line(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/attention.py", 3)
        tree = screen.query_one(RepoTree)
        status = screen.query_one(StatusLine)
        await pilot.press("1")
        tree.cursor_line = _note_row(tree, "code-reading-log.md")  # 19 characters: cut at 22 columns
        await wait_until(pilot, lambda: "notes/code-reading-log.md" in status.text, "the whole name")
        assert "…" in "".join(segment.text for segment in tree.render_line(tree.cursor_line - tree.scroll_offset.y))
        assert status.text.startswith("notes/code-reading-log.md │ ")
        assert "attention.py:3" in status.text  # the place in the source stays on the line
        tree.cursor_line = _note_row(tree, "core-insights.md")  # 16: not cut, nothing to add
        await wait_until(pilot, lambda: "code-reading-log" not in status.text, "the name gone")
        assert "core-insights" not in status.text
        tree.cursor_line = _note_row(tree, "code-reading-log.md")
        await wait_until(pilot, lambda: "notes/code-reading-log.md" in status.text, "the whole name")
        await pilot.press("2")  # the tree loses the focus: the status line is the source's again
        await wait_until(pilot, lambda: "code-reading-log" not in status.text, "the name gone")


async def test_the_welcome_page_fits_the_source_pane_at_80_columns(demo):
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        source = app.screen.source
        room = source.scrollable_content_region.width - source._gutter_width
        lines = [source.line_text(n) for n in range(1, source.line_count + 1)]
        assert any("find a file" in line for line in lines)
        assert max(len(line) for line in lines) <= room, (room, lines)  # no line runs off the edge


def test_a_path_longer_than_a_row_is_cut_after_a_slash():
    from readertui.ui.widgets.soft_wrap import wrap_offsets

    for tail in (" — then heads", " — 完整的 forward"):  # the plain-ASCII and the wide-character paths
        text = "- 14:30 `minillm/minillm/attention.py:29-50`" + tail
        assert wrap_offsets(text, 32)[:2] == [0, len("- 14:30 `minillm/minillm/")]
    assert wrap_offsets("x" * 70, 32) == [0, 32, 64]  # no slash: cut at the width, as before
    assert wrap_offsets("a/" + "x" * 70, 32)[:2] == [0, 32]  # a slash early in the row: not worth a short row
    # a word exactly as wide as a row moves down whole, beside wide characters too
    assert wrap_offsets("中 " + "x" * 32 + " 中", 32)[:3] == [0, 3, 36]
    assert wrap_offsets("ab " + "x" * 32 + " cd", 32)[:3] == [0, 3, 36]


async def test_at_80_columns_citations_in_the_notes_break_between_names(demo):
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        notes = app.screen.notes
        checked = 0
        for line in range(1, notes.line_count + 1):
            text = notes.line_text(line)
            for start in [i for i, char in enumerate(text) if char == "`"][::2]:
                end = text.index("`", start + 1)
                if "/" not in text[start:end]:
                    continue
                cells = [cell_len(text[:i]) for i in range(len(text) + 1)]  # offsets are in cells
                for cut in notes._wrap.offsets(line - 1):
                    if cells[start] < cut < cells[end]:
                        checked += 1
                        assert text[cells.index(cut) - 1] == "/", (text, cut)
        assert checked  # some citation was too long for its row


def test_snapshot_the_tree_over_the_source_at_80x24(snap_compare, demo):
    """80×24 with `t`: the tree lies over the source, the notes keep their columns."""
    from readertui.config.settings import Settings
    from readertui.core.workspace import find_workspace
    from readertui.ui.app import ReaderApp

    app = ReaderApp(find_workspace(demo), settings=Settings(theme="dark"))

    async def show_tree(pilot) -> None:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=show_tree)

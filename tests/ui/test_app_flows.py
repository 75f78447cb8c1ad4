"""Pilot tests of the reader's flows on a copy of the demo workspace: state and files written."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from textual import events
from textual.content import Content

from readertui.core.model import LineRange, Location
from readertui.ui.screens.main import MainScreen
from readertui.ui.screens.pickers import FileFinder, ListPicker
from readertui.ui.screens.prompt import PromptScreen
from readertui.ui.widgets import code_view
from tests.ui.conftest import make_app, notifications, open_file, settle

REPO_ROOT = Path(__file__).resolve().parents[2]
async def test_starts_on_the_reading_log_with_bookmarks_counted(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.notes.note_path == demo / "minillm/notes/code-reading-log.md"
        assert "Code reading log" in screen.notes.line_text(1)
        status = screen.query_one("#status").info
        assert status.project == "minillm" and status.bookmarks == 2


async def test_tree_lists_files_lazily_and_opens_one(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree")
        project = tree.root.children[0]
        repo = next(n for n in project.children if n.data.kind == "repo")
        assert not repo.children  # nothing listed before it is opened
        repo.expand()
        await settle(pilot)
        labels = [str(child.label) for child in repo.children]
        assert labels[:4] == ["client/", "include/", "kernels/", "minillm/"]
        kernels = next(n for n in repo.children if str(n.label) == "kernels/")
        kernels.expand()
        await settle(pilot)
        softmax = kernels.children[0]
        tree.focus()
        tree.move_cursor(softmax)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert screen.location == Location("minillm", "minillm", "kernels/softmax.cu", 1)
        assert screen.source.line_count > 30
        assert screen.query_one("#status").info.file == "kernels/softmax.cu"


async def test_fuzzy_finder_opens_the_chosen_file(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, FileFinder)
        await pilot.press(*"smax")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.location.path == "kernels/softmax.cu"


async def test_follow_citation_selects_the_cited_range(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("3")  # focus notes
        assert screen.focused is screen.notes
        await pilot.press("right_square_bracket")
        assert screen.notes.cursor_line == 5
        await pilot.press("enter")
        await settle(pilot)
        assert screen.location.path == "minillm/config.py"
        assert screen.source.selection() == LineRange(6, 19)
        assert screen.focused is screen.source
        # history: back returns to the note, forward to the code again
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert screen.focused is screen.notes and screen.notes.cursor_line == 5


async def test_history_back_and_forward_between_files(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/model.py", 20)
        await open_file(pilot, "minillm/utils.py", 3)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert (screen.location.path, screen.source.cursor_line) == ("minillm/model.py", 20)
        await pilot.press("alt+right")
        await settle(pilot)
        assert (screen.location.path, screen.source.cursor_line) == ("minillm/utils.py", 3)


async def test_capture_writes_a_log_entry_and_shows_it(demo):
    log = demo / "minillm/notes/code-reading-log.md"
    before = log.read_bytes()
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/attention.py", 30)
        await pilot.press("shift+down", "shift+down")
        await pilot.press("c")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert prompt.value == "minillm/minillm/attention.py:30-32 (`MultiHeadAttention.__call__`) "
        await pilot.press(*"heads split", "enter")
        await settle(pilot)
        after = log.read_bytes()
        entry = [line for line in after.decode().splitlines() if "heads split" in line]
        assert len(entry) == 1 and "`minillm/minillm/attention.py:30-32`" in entry[0]
        # appending is one insertion: every old byte is still there, in order
        cut = 0
        while cut < len(before) and before[cut] == after[cut]:
            cut += 1
        inserted = len(after) - len(before)
        assert after[:cut] + after[cut + inserted :] == before
        assert screen.notes.note_path == log
        assert "heads split" in screen.notes.line_text(screen.notes.cursor_line)
        assert screen.query_one("#status").info.today_entries == 1


async def _log_entry_typed(demo, *keys: str) -> str:
    """`c` on line 30 of attention.py, `keys` typed in the prompt, Enter: the entry written."""
    log = demo / "minillm/notes/code-reading-log.md"
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, "minillm/attention.py", 30)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*keys, "enter")
        await settle(pilot)
    entry = [line for line in log.read_text().splitlines() if "attention.py:30`" in line]
    assert len(entry) == 1
    return entry[0]


async def test_the_text_typed_in_the_log_prompt_is_written_as_typed(demo):
    """The prompt holds the citation and its scope; what the reader types after them is kept
    as typed, a dash of theirs included (the entry's own ` — ` stands in only when they typed
    none), and the scope stays next to the citation."""
    typed = await _log_entry_typed(demo, "end", *" — after")
    assert typed.endswith("`minillm/minillm/attention.py:30` (`MultiHeadAttention.__call__`) — after"), typed


async def test_a_dash_typed_after_the_prefilled_citation_is_not_written_twice(demo):
    dash = await _log_entry_typed(demo, *"- heads split")
    assert dash.endswith("`minillm/minillm/attention.py:30` (`MultiHeadAttention.__call__`) - heads split"), dash
    assert "—" not in dash


async def test_without_a_dash_the_entry_separates_the_text_from_the_citation(demo):
    plain = await _log_entry_typed(demo, *"heads split")
    assert plain.endswith("`minillm/minillm/attention.py:30` (`MultiHeadAttention.__call__`) — heads split"), plain


async def test_capture_into_a_newest_first_log_shows_the_entry_where_it_landed(demo):
    log = demo / "minillm/notes/code-reading-log.md"
    log.write_text(
        "# Log\n\n## 2026-11-22\n\n- 10:00 later day\n\n## 2026-11-21\n\n- 09:00 earlier day\n"
        + "".join(f"\nfiller {i}\n" for i in range(60))
    )
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/attention.py", 30)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"newest on top", "enter")
        await settle(pilot)
        lines = log.read_text().splitlines()
        index = next(i for i, line in enumerate(lines) if "newest on top" in line)
        assert index < lines.index("## 2026-11-22")  # today's section went on top
        assert screen.notes.cursor_line == index + 1
        assert "newest on top" in screen.notes.line_text(screen.notes.cursor_line)


async def test_bookmark_toggle_list_rename_and_delete(demo):
    store = demo / "minillm/notes/bookmarks.toml"
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/model.py", 12)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"block start", "enter")
        await settle(pilot)
        assert 'label = "block start"' in store.read_text()
        assert len(screen.index.bookmarks) == 3
        # the list: rename the new one, then delete it
        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.press("end", "r")
        await pilot.pause()
        await pilot.press(*" renamed", "enter")
        await settle(pilot)
        assert 'label = "block start renamed"' in store.read_text()
        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.press("end", "d")
        await settle(pilot)
        assert "block start" in store.read_text()  # the first d asks
        await pilot.press("d")
        await settle(pilot)
        assert "block start" not in store.read_text()
        assert len(screen.index.bookmarks) == 2
        # toggling on a bookmarked line removes that bookmark
        await open_file(pilot, "minillm/attention.py", 40)
        await pilot.press("m")
        await settle(pilot)
        assert "per-head attention loop" not in store.read_text()


async def test_bookmark_jump_from_the_list(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert screen.location.path == "minillm/attention.py"
        assert screen.source.selection() == LineRange(39, 47)


async def test_backlinks_list_the_notes_citing_a_line(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/attention.py", 35)
        assert screen.source._marks.get(35) in ("cited", "both")
        await pilot.press("b")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ListPicker)
        notes = {link.note.name for _, link in picker.items}
        assert "code-reading-log.md" in notes
        index = next(i for i, (_, link) in enumerate(picker.items) if link.note.name == "code-reading-log.md")
        picker.query_one("OptionList").highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert screen.notes.note_path.name == "code-reading-log.md"
        assert screen.notes.cursor_line == picker.items[index][1].note_line


async def test_copy_citation_to_clipboard(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, "minillm/utils.py", 11)
        await pilot.press("shift+down", "y")
        assert app.clipboard == "`minillm/minillm/utils.py:11-12` (`matmul`)"  # the enclosing definition


@pytest.mark.skipif(sys.platform == "win32", reason="shell script editor")
async def test_editor_edits_the_note_and_the_pane_reloads(demo, tmp_path, monkeypatch):
    log = demo / "minillm/notes/code-reading-log.md"
    before = log.read_bytes()
    editor = tmp_path / "fake-editor"
    editor.write_text('#!/bin/sh\necho "$1" > "$0.args"\nprintf -- "- 23:59 added in the editor\\n" >> "$2"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("3", "down", "down")
        await pilot.press("e")
        await settle(pilot)
        assert (tmp_path / "fake-editor.args").read_text().strip() == "+3"
        assert log.read_bytes() == before + b"- 23:59 added in the editor\n"
        assert screen.notes.line_text(screen.notes.line_count) == "- 23:59 added in the editor"
        assert screen.notes.cursor_line == 3  # the reader stays where they were


async def test_pane_toggle_and_zoom(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        tree, source, notes = screen.pane_layout.panes()
        await pilot.press("t")
        assert not tree.display
        await pilot.press("t", "T")
        assert tree.display and not notes.display
        await pilot.press("T", "z")
        await pilot.pause()
        assert source.region.width == 120
        assert not tree.region.width and not notes.region.width
        await pilot.press("z")
        await pilot.pause()
        assert tree.region.width and notes.region.width
        screen.notes.focus()
        await pilot.press("T")  # hiding the focused pane hands the focus to the source
        assert not notes.display and screen.focused is source


async def test_opening_a_file_of_another_project_switches_project(demo):
    other = demo / "other"
    (other / "notes").mkdir(parents=True)
    (other / "notes/code-reading-log.md").write_text("# Other log\n")
    (other / "code").mkdir()
    (other / "code/a.py").write_text("print('other')\n")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.project.name == "minillm"
        screen.open_location(Location("other", "code", "a.py"))
        await settle(pilot)
        assert screen.project.name == "other"
        assert screen.source.line_text(1) == "print('other')"
        assert screen.notes.note_path == other / "notes/code-reading-log.md"
        assert screen.query_one("#status").info.bookmarks == 0


async def test_command_palette_lists_and_runs_reader_actions(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("ctrl+k")
        await pilot.pause()
        await pilot.press(*"show/hide the tree")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert not screen.query_one("#tree").display


async def test_hostile_file_names_are_inert_in_the_tree(demo):
    hostile = demo / "minillm/minillm/[bold]x\x1b]52;c;aGk=\x07.py"
    hostile.write_text("x = 1\n")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#tree")
        repo = next(n for n in tree.root.children[0].children if n.data.kind == "repo")
        repo.expand()
        await settle(pilot)
        label = next(str(n.label) for n in repo.children if "bold" in str(n.label))
        assert label.startswith("[bold]x") and "\x1b" not in label and "\x07" not in label


async def test_hostile_file_and_note_names_are_inert_in_the_pane_titles(demo):
    """A border title given as a str is parsed as markup: a file named `[@click=app.quit]…`
    would be an action in the title bar. The titles are plain text, control characters shown."""
    name = "[@click=app.quit]q[bold]x\x1b]52;c;aGk=\x07.py"
    (demo / "minillm/minillm" / name).write_text("x = 1\n")
    note = demo / "minillm/notes/[red]n[@click=app.quit]q.md"
    note.write_text("# n\n")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, name)
        title = Content.from_markup(screen.source.border_title)  # the getter gives markup back
        assert title.plain == "minillm/" + name.replace("\x1b", "␛").replace("\x07", "␇")
        assert not any(span.style for span in title.spans)
        screen.open_note(note)
        await settle(pilot)
        assert Content.from_markup(screen.notes.border_title).plain == "notes/[red]n[@click=app.quit]q.md"


async def test_keys_typed_in_one_burst_after_a_focus_key_go_to_the_new_pane(demo):
    """"3]⏎" arriving in one read (a fast typist, a paste, a slow SSH link): the focus moves
    before "]" is handled, so the next citation opens. `Widget.focus()` waited its turn behind
    the keys already queued, which went to the pane being left."""
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, character in (("3", "3"), ("right_square_bracket", "]"), ("enter", "\r")):
            app.post_message(events.Key(key, character))  # queued together, as the driver does
        await settle(pilot)
        assert app.screen.location == Location("minillm", "minillm", "minillm/config.py", 6)


async def test_a_key_typed_right_after_hiding_the_focused_pane_goes_to_the_source(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.set_focus(screen.notes)
        await pilot.pause()
        for key, character in (("T", "T"), ("down", None)):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert not screen.notes.display and screen.focused is screen.source
        assert screen.source.cursor_line == 2


async def test_help_opens_from_the_keymap(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


async def test_a_log_that_cannot_be_written_is_a_notification_not_a_crash(demo):
    log = demo / "minillm/notes/code-reading-log.md"
    log.write_bytes(b"# log\n\x00 binary junk\n")
    app = make_app(demo)
    shown = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, "minillm/utils.py", 3)
        await pilot.press("c", *"x", "enter")
        await settle(pilot)
        assert log.read_bytes() == b"# log\n\x00 binary junk\n"
        assert any(severity == "error" and "code-reading-log.md" in msg for msg, severity in shown)
        assert app.is_running


async def test_today_count_is_about_the_reading_log_whatever_note_is_shown(demo):
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/utils.py", 3)
        await pilot.press("c", *"first", "enter")
        await settle(pilot)
        screen.open_note(demo / "minillm/notes/overview.md")
        await settle(pilot)
        assert screen.query_one("#status").info.today_entries == 1


async def test_binary_file_is_refused_with_the_reason(demo):
    (demo / "minillm/minillm/minillm/blob.bin").write_bytes(b"\x7fELF\x00\x01\x02\x1b]52;c;aGk=\x07")
    app = make_app(demo)
    shown = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_file(pilot, "minillm/blob.bin")
        assert screen.location.path == "minillm/blob.bin"
        assert screen.source.line_count == 1 and screen.source.line_text(1) == ""
        assert any("binary" in message for message, _ in shown)


async def test_a_note_too_long_to_wrap_says_so(demo, monkeypatch):
    # The limit lowered to 200 lines: the behaviour at 20,000 without 20,000 lines to resolve.
    monkeypatch.setattr(code_view, "WRAP_MAX_LINES", 200)
    long_note = demo / "minillm/notes/long.md"
    text = "".join(f"- line {n}\n" for n in range(200)) + "- `minillm/model.py:1`\n"
    long_note.write_text(text, encoding="utf-8")
    app = make_app(demo)
    shown = notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "unwrapped" not in screen.notes.border_title  # the reading log wraps
        screen.open_note(long_note)
        await settle(pilot)  # shown, then its citations resolved: one notice, not two
        assert screen.notes.note_path == long_note and screen.notes.too_big_to_wrap
        assert len(screen.notes.results) == 1  # its citation resolved: the second NoteLoaded landed
        assert screen.notes.border_title == "notes/long.md · unwrapped"
        assert [message for message, _ in shown] == [
            "notes/long.md has 201 lines: too long to wrap, so it is shown one row per line "
            "(scroll sideways for the rest)."
        ]
        screen.open_note(demo / "minillm/notes/overview.md")
        await settle(pilot)
        assert screen.notes.border_title == "notes/overview.md"
        assert len(shown) == 1

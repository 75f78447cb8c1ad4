"""Every citation in the notes pane is reachable from the keyboard: `]` / `[` step citation by
citation (several on a line too) and put the cursor on the citation, which is highlighted as
the current one; Enter opens the citation under or after the cursor; the ends are announced."""

from __future__ import annotations

from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp
from tests.ui.conftest import notifications, settle

LINE_3 = "Config lives in `~/.config/minillm/settings.toml`, read by `minillm/minillm/config.py:6-8` and `minillm/minillm/utils.py:11-14`."
NOTE = f"# Log\n\nNothing here.\n{LINE_3}\n\nLast: `minillm/minillm/model.py:19-31`.\n"


async def _notes_focused(demo, pilot):
    app = pilot.app
    (demo / "minillm" / "notes" / "code-reading-log.md").write_text(NOTE)
    await settle(pilot)
    await pilot.press("3")
    notes = app.screen.notes
    assert notes.line_text(4) == LINE_3
    return notes


async def test_brackets_step_citation_by_citation_and_enter_opens_the_current_one(demo):
    app = ReaderApp(find_workspace(demo))
    (demo / "minillm" / "notes" / "code-reading-log.md").write_text(NOTE)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        notes = app.screen.notes
        texts = [r.citation.text for r in notes.results]
        assert "minillm/minillm/config.py:6-8" in texts and "minillm/minillm/utils.py:11-14" in texts
        seen = []
        for _ in range(len(notes.results)):
            await pilot.press("right_square_bracket")
            current = notes.current
            assert current is not None
            # the cursor is on the citation, and that citation is the one painted as current
            assert (notes.cursor_line, notes.cursor_column) == (current.citation.line, current.citation.column - 1)
            start = current.citation.column - 1
            assert (start, start + len(current.citation.text), "citation_current") in notes._overlays[notes.cursor_line]
            seen.append(current.citation.text)
        assert seen == texts  # every one, in order, the second and third on line 4 included
        shown = notifications(app)
        await pilot.press("right_square_bracket")
        assert notes.current.citation.text == texts[-1]
        assert any("no citation after" in message for message, _ in shown)
        # back to the utils.py citation, the third on line 4, and open it
        while notes.current.citation.text != "minillm/minillm/utils.py:11-14":
            await pilot.press("left_square_bracket")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.location.path == "minillm/utils.py"
        assert app.screen.source.selection().start == 11


async def test_enter_opens_the_citation_under_or_after_the_cursor_column(demo):
    app = ReaderApp(find_workspace(demo))
    (demo / "minillm" / "notes" / "code-reading-log.md").write_text(NOTE)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        notes = app.screen.notes
        config_column = LINE_3.index("`minillm/minillm/config") + 1
        # between the first (a path, no lines) and the second citation: the second opens
        notes.goto(4, column=config_column - 4, center=False)
        assert notes.current.citation.text == "minillm/minillm/config.py:6-8"
        # inside the third
        notes.goto(4, column=LINE_3.index("utils.py"), center=False)
        assert notes.current.citation.text == "minillm/minillm/utils.py:11-14"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.location.path == "minillm/utils.py"


async def test_a_note_shown_at_a_column_selects_the_citation_there(demo):
    """What a backlink uses: the note opens with the cited citation current, not the line's first."""
    app = ReaderApp(find_workspace(demo))
    (demo / "minillm" / "notes" / "code-reading-log.md").write_text(NOTE)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        notes = app.screen.notes
        column = LINE_3.index("`minillm/minillm/utils") + 1
        notes.show_note(notes.note_path, NOTE, list(notes.results), line=4, column=column)
        assert notes.current.citation.text == "minillm/minillm/utils.py:11-14"


async def test_brackets_in_a_note_without_citations_say_so(demo):
    app = ReaderApp(find_workspace(demo))
    (demo / "minillm" / "notes" / "code-reading-log.md").write_text("# Log\n\nNo code cited yet.\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        shown = notifications(app)
        await pilot.press("right_square_bracket", "left_square_bracket")
        assert [m for m, _ in shown] == ["no citation in this note", "no citation in this note"]

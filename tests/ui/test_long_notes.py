"""A long reading log in the notes pane: its citations are sorted and laid out off the UI thread,
painted in one repaint, its width measured without a pass over every character, today's
entries counted once, and resolved once though two workers ask for it."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from rich.cells import load_cell_table
from textual.app import App, ComposeResult

from readertui.core import log as log_module
from readertui.core import syntax
from readertui.core.backlinks import Backlink
from readertui.core.model import LineRange, Span, Status
from readertui.core.resolve import Resolver
from readertui.core.workspace import find_workspace, load_workspace
from readertui.ui import note_loader
from readertui.ui.app import ReaderApp
from readertui.ui.widgets import code_view, notes_view
from readertui.ui.widgets.code_view import CodeView
from tests.ui.conftest import settle


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CodeView(id="view")


async def test_many_changed_overlays_are_one_repaint_not_one_per_line(monkeypatch) -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CodeView)
        view.load("".join(f"- `a.py:{n}` note\n" for n in range(1, 3001)), path="log.md")
        await pilot.pause()
        per_line: list[tuple[int, int]] = []
        monkeypatch.setattr(view, "_refresh_lines", lambda first, last: per_line.append((first, last)))
        view.set_overlays({n: [(2, 9, "citation")] for n in range(1, 3001)})
        assert per_line == []  # before: 3,000 regions, each also sweeping the row cache
        assert view._overlays[2500] == [(2, 9, "citation")]
        view.set_overlays({**view._overlays, 7: [(2, 9, "citation_broken")]})
        assert per_line == []  # still many lines in play: one repaint
        view.set_overlays({7: [(2, 9, "citation")]})
        view.set_overlays({7: [(2, 9, "citation_broken")]})
        assert per_line == [(7, 7)]  # a few lines: just those


async def test_the_widest_line_is_exact_without_measuring_lines_that_cannot_be_wide(monkeypatch) -> None:
    measured: list[str] = []

    def counting_cell_len(text: str) -> int:
        measured.append(text)
        return load_and_measure(text)

    load_and_measure = code_view.cell_len
    monkeypatch.setattr(code_view, "cell_len", counting_cell_len)
    dashes = "".join(f"- 10:{n % 60:02d} `a.py:{n}` — read it — again\n" for n in range(5000))
    wide = "漢字" * 30  # 60 characters, 120 cells: wider than any dash line
    app = ViewApp()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(CodeView)
        view.load(dashes + wide + "\n" + "\tindented\n", path="log.md")
        assert view._widest == 120
        assert len(measured) == 1  # only the CJK line: before, all 5,000 lines with a dash
        view.load(dashes, path="log.md")
        assert view._widest == max(len(line) for line in dashes.splitlines())


def test_every_character_rich_draws_wide_is_in_the_measured_ranges() -> None:
    for version in ("auto", "latest"):
        wide = "".join(
            chr(code) for start, end, width in load_cell_table(version).widths if width == 2
            for code in range(start, end + 1)
        )
        assert code_view._MAYBE_WIDE.sub("", wide) == ""
    assert code_view._MAYBE_WIDE.search("— – → ─ ñ α я …") is None


async def test_a_long_logs_results_arrive_painted_and_today_is_counted_once(demo, monkeypatch) -> None:
    log = demo / "minillm" / "notes" / "code-reading-log.md"
    log.write_text(log.read_text() + "".join(f"- 09:{n % 60:02d} `minillm/minillm/model.py:{n % 30 + 1}` — x\n" for n in range(400)))
    posted: list[note_loader.NoteLoaded] = []
    counted: list[int] = []
    real_count = note_loader.entries_for_day

    def counting(text, day):
        counted.append(len(text))
        return real_count(text, day)

    monkeypatch.setattr(note_loader, "entries_for_day", counting)
    app = ReaderApp(find_workspace(demo))
    async with app.run_test(size=(120, 40)) as pilot:
        loader = app.screen.note_loader
        original_post = app.screen.post_message

        def recording(message):
            if isinstance(message, note_loader.NoteLoaded):
                posted.append(message)
            return original_post(message)

        monkeypatch.setattr(app.screen, "post_message", recording)
        await settle(pilot)
        counted.clear()
        loader.load(log)
        await settle(pilot)
        resolved = [message for message in posted if message.results is not None]
        assert resolved and isinstance(resolved[-1].results, notes_view.PaintedResults)
        notes = app.screen.notes
        assert len(notes.results) > 400
        assert [(r.citation.line, r.citation.column) for r in notes.results] == sorted(
            (r.citation.line, r.citation.column) for r in notes.results
        )
        # the text was shown (counted once) and then its results arrived (not counted again)
        assert counted.count(len(log.read_text())) == 1


def test_today_is_not_looked_for_line_by_line_in_a_log_without_its_heading(monkeypatch) -> None:
    from datetime import date

    scans: list[int] = []
    real_scan = log_module._scan
    monkeypatch.setattr(log_module, "_scan", lambda text: scans.append(1) or real_scan(text))
    text = "# Log\n\n## 2020-01-01\n\n- 10:00 old\n"
    assert log_module.entries_for_day(text, date(2026, 12, 7)) == []
    assert scans == []
    assert log_module.entries_for_day(text, date(2020, 1, 1)) == ["10:00 old"]
    assert scans == [1]


def test_a_compiled_grammar_is_read_while_another_compiles() -> None:
    syntax.warm_up("python")
    got: list[object] = []
    with syntax._cache_lock:  # a worker compiling another grammar holds it
        reader = threading.Thread(target=lambda: got.append(syntax._compiled("python", syntax._GRAMMARS["python"])))
        reader.start()
        reader.join(timeout=5)
        assert got, "the UI thread waited for another grammar's compile"


def test_fenced_blocks_of_a_long_note_are_found_slice_by_slice(monkeypatch) -> None:
    warmed: list[str] = []
    monkeypatch.setattr(syntax, "warm_up", warmed.append)
    filler = "".join(f"- 10:00 line {n} of prose — and more\n" for n in range(6000))  # > 64 KB
    text = "```python\nx = 1\n```\n" + filler + "```rust\nfn main() {}\n```\n" + filler + "```python\ny = 2\n```\n"
    assert len(text.encode()) > 3 * syntax._HOLD_GIL_BYTES
    highlighter = syntax.Highlighter(text.split("\n"), "markdown")
    highlighter.parse()
    assert sorted(warmed) == ["python", "rust"]  # each language once, the last slice's too


def test_structs_made_by_the_hundred_thousand_are_not_tracked_by_the_collector() -> None:
    link = Backlink(note=Path("/n.md"), note_line=1, text="a.py:1", ranges=(LineRange(1, 2),), status=Status.OK)
    assert not gc.is_tracked(link)
    assert not gc.is_tracked(LineRange(1, 2))
    assert not gc.is_tracked(Span(0, 1))


def test_a_note_asked_for_twice_is_resolved_once_unless_its_text_changed(kb, monkeypatch) -> None:
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    note = kb.project / "notes" / "overview.md"
    runs: list[int] = []
    real = Resolver._resolve_scans
    monkeypatch.setattr(Resolver, "_resolve_scans", lambda self, *a: runs.append(1) or real(self, *a))
    text = "See `src/engine/core.py:9-12`.\n"
    barrier = threading.Barrier(2)
    answers: list[list] = []

    def ask() -> None:
        barrier.wait()
        answers.append(resolver.resolve_note(note, text))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs == [1]  # the second asker waited for the first's answer
    assert answers[0] == answers[1] and answers[0] is not answers[1]
    assert [r.status for r in answers[0]] == [Status.OK]
    changed = resolver.resolve_note(note, "See `src/engine/core.py:35-45`.\n")
    assert runs == [1, 1] and [r.status for r in changed] == [Status.OUT_OF_RANGE]

"""The fuzzy file finder screen: ranking per key, the result rows, choosing (pickers.py)."""

from __future__ import annotations

from textual.app import App

from readertui.ui.screens import pickers
from readertui.ui.screens.pickers import FileFinder, FoundPaths, PathRanker

PATHS = [
    "Engine/src/kernels/attention.cu",
    "Engine/docs/kernel_attn.md",
    "Engine/tests/test_kernel.py",
    "Engine/src/zero/stage.py",
    "Engine/README.md",
]
UNCHOSEN = object()


class FinderApp(App):
    def __init__(self, paths: list[str]) -> None:
        super().__init__()
        self.ranker = PathRanker(paths)
        self.chosen: object = UNCHOSEN

    def on_mount(self) -> None:
        self.push_screen(FileFinder(self.ranker), self._dismissed)

    def _dismissed(self, path: str | None) -> None:
        self.chosen = path


def rows(app: App) -> list[str]:
    found = app.screen.query_one(FoundPaths)
    return [found.render_line(y).text.rstrip() for y in range(found.size.height)]


async def test_each_key_shows_the_best_paths_first_and_enter_opens_the_top_one():
    app = FinderApp(PATHS)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        assert rows(app)[: len(PATHS)] == PATHS  # no query yet: the paths in their order
        await pilot.press(*"kernelattn")
        await pilot.pause()
        shown = [row for row in rows(app) if row]
        assert shown == [path for path, _ in app.ranker.rank("kernelattn")]
        assert shown[0] == "Engine/docs/kernel_attn.md"
        await pilot.press("enter")
        await pilot.pause()
    assert app.chosen == "Engine/docs/kernel_attn.md"


async def test_down_then_enter_opens_the_second_and_escape_opens_nothing():
    app = FinderApp(PATHS)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press(*"kernel", "down", "down", "up")
        await pilot.pause()
        second = app.ranker.rank("kernel")[1][0]
        await pilot.press("enter")
        await pilot.pause()
    assert app.chosen == second
    app = FinderApp(PATHS)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("z", "escape")
        await pilot.pause()
    assert app.chosen is None


async def test_clicking_a_row_opens_it():
    app = FinderApp(PATHS)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press(*"eng")
        await pilot.pause()
        third = rows(app)[2]
        await pilot.click(FoundPaths, offset=(2, 2))
        await pilot.pause()
    assert app.chosen == third


async def test_paths_are_shown_as_inert_text():
    hostile = ["r/[bold]x[/bold]/[@click=app.quit]q.py", "r/a\x1b[31mb.py", "r/tab\there.py"]
    app = FinderApp(hostile)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press(*"r/")
        await pilot.pause()
        shown = rows(app)
        assert "r/[bold]x[/bold]/[@click=app.quit]q.py" in shown
        assert not any("\x1b" in row or "\t" in row for row in shown)
        assert "r/tab here.py" in shown
        await pilot.press("enter")
        await pilot.pause()
    assert app.chosen in hostile  # the app did not run the markup's action


async def test_matched_letters_are_one_marked_segment_per_run():
    app = FinderApp(["Engine/src/kernels/attention.cu"])
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press(*"kernelattn")
        await pilot.pause()
        found = app.screen.query_one(FoundPaths)
        marked = [s.text for s in found.render_line(0) if s.style and s.style.reverse]
        assert marked == ["kernel", "att", "n"]
        assert found.render_line(0).cell_length == found.size.width


async def test_the_cursor_scrolls_past_the_visible_rows():
    paths = [f"src/file_{i:02d}.py" for i in range(50)]
    app = FinderApp(paths)
    async with app.run_test(size=(60, 14)) as pilot:
        await pilot.press(*"file")
        await pilot.pause()
        height = app.screen.query_one(FoundPaths).size.height
        assert height < 30
        await pilot.press(*["down"] * 30)
        await pilot.pause()
        wanted = app.ranker.rank("file")[30][0]
        assert rows(app)[-1] == wanted  # the cursor's row is the last one shown
        await pilot.press("enter")
        await pilot.pause()
    assert app.chosen == wanted


async def test_a_new_result_list_repaints_the_rows_without_a_relayout(monkeypatch):
    app = FinderApp(PATHS)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        found = app.screen.query_one(FoundPaths)
        region = found.region
        calls = []
        original = found.refresh
        monkeypatch.setattr(found, "refresh", lambda *a, **k: calls.append(k) or original(*a, **k))
        await pilot.press(*"stage")
        await pilot.pause()
        assert calls and not any(k.get("layout") for k in calls)
        assert found.region == region
        assert rows(app)[0] == "Engine/src/zero/stage.py"


async def test_the_scan_a_key_left_unfinished_is_refined_before_the_next_key(monkeypatch):
    monkeypatch.setattr(pickers, "ENOUGH_HITS", 200)
    monkeypatch.setattr(pickers, "SCAN_CHUNK", 100)
    paths = [f"pkg{i % 7}/mod_{i}.py" for i in range(3_000)]
    app = FinderApp(paths)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("m", "d")
        for _ in range(60):  # one chunk per turn of the event loop
            await pilot.pause()
        assert app.ranker.refine("md")  # nothing was left to check (else: one chunk, False)
        await pilot.press(*"_12")
        await pilot.pause()
        shown = rows(app)
        assert shown == [p for p, _ in PathRanker(paths).rank("md_12")][: len(shown)]


async def test_no_match_shows_no_row_and_enter_does_nothing():
    app = FinderApp(PATHS)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press(*"zzz")
        await pilot.pause()
        assert not any(rows(app))
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen is UNCHOSEN and isinstance(app.screen, FileFinder)
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert rows(app)[: len(PATHS)] == PATHS  # an empty query lists every path again


async def test_a_new_list_repaints_rows_only_as_far_as_their_paths_reach(monkeypatch):
    paths = ["a/x.py", "a/long/folder/name/x.py", "b/x.py"]
    app = FinderApp(paths)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        found = app.screen.query_one(FoundPaths)
        regions = []
        original = found.refresh
        monkeypatch.setattr(found, "refresh", lambda *r, **k: regions.extend(r) or original(*r, **k))
        before = rows(app)
        await pilot.press(".")  # the same paths, each with one more letter marked
        await pilot.pause()
        after = rows(app)
        assert {region.y: region.width for region in regions} == {
            y: max(len(old), len(new)) for y, (old, new) in enumerate(zip(before, after)) if old or new
        }
        regions.clear()
        await pilot.press("down", "p")  # the cursor goes back to the first row: both rows in full
        await pilot.pause()
        width = found.size.width
        assert {(region.y, region.width) for region in regions} >= {(0, width), (1, width)}
        assert rows(app)[0] == app.ranker.rank("x.p")[0][0]

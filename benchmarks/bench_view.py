"""CodeView against a stock read-only TextArea (and vim/less), in a pseudo-terminal at 120×40.

    python benchmarks/bench_view.py run [--sizes 2000 20000 100000] [--repeat 3]
    python benchmarks/bench_view.py app {codeview,textarea} FILE     # the app being measured

For each file size and viewer, a fresh process is started on a pty. The app shows READY; the
harness presses `o`, the app loads the file and the harness times the first frame showing the
file's marker line (plain) and the first frame where that line is highlighted (the `def` cell
coloured differently from the `(` after the name). Then it presses ↓ and PageDown and counts
the bytes the program writes in answer, and reads the resident memory. Medians are printed as
a Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
from pathlib import Path

MARKER = "marker_function_xyz"
# codeview: grammar compiled at app start (as the reader does); codeview-cold: on first load.
VIEWERS = ("codeview", "codeview-cold", "textarea")
# For a Markdown note: CodeView full width, CodeView soft-wrapped 37 columns wide (the notes
# pane at 120×40), Textual's Markdown widget.
NOTE_VIEWERS = ("codeview", "codeview-wrap", "markdown")
NOTES_PANE_WIDTH = 37


def run_app(kind: str, path: str) -> None:
    from textual import work
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.containers import VerticalScroll
    from textual.widgets import Label, Markdown, TextArea

    from readertui.core.syntax import warm_up
    from readertui.ui.widgets.code_view import CodeView

    class BenchApp(App):
        BINDINGS = [Binding("o", "open", "Open", priority=True, id="bench.open")]

        def compose(self) -> ComposeResult:
            yield Label("READY", markup=False)
            if kind == "codeview-wrap":
                view = CodeView(id="view", soft_wrap=True)
                view.styles.width = NOTES_PANE_WIDTH
                yield view
            elif kind.startswith("codeview"):
                yield CodeView(id="view")
            elif kind == "markdown":
                with VerticalScroll(id="view"):
                    yield Markdown(id="markdown")
            else:
                yield TextArea.code_editor(read_only=True, show_line_numbers=True, id="view")

        def on_mount(self) -> None:
            self.query_one("#view").focus()
            if kind in ("codeview", "codeview-wrap"):
                self.warm_up()

        @work(thread=True)
        def warm_up(self) -> None:
            # What the reader does at start for the languages it expects (notes: markdown).
            warm_up("python")
            warm_up("markdown")

        async def action_open(self) -> None:
            text = Path(path).read_text(encoding="utf-8")
            view = self.query_one("#view")
            if isinstance(view, CodeView):
                view.load(text, path=path)
            elif kind == "markdown":
                await self.query_one(Markdown).update(text)
            else:
                view.language = "python"
                view.load_text(text)

    BenchApp().run()


def make_file(folder: Path, lines: int) -> Path:
    import textual.widget

    corpus = Path(inspect.getsourcefile(textual.widget) or "").read_text(encoding="utf-8").splitlines()
    body = (corpus * (lines // len(corpus) + 1))[: lines - 1]
    path = folder / f"sample_{lines}.py"
    path.write_text(f"def {MARKER}(): pass\n" + "\n".join(body) + "\n", encoding="utf-8")
    return path


def make_note(folder: Path, lines: int) -> Path:
    """A Chinese reading note like the real ones: headings, prose, lists, citations, code."""
    section = [
        "## 第{n}节：调度器如何切分批次",
        "",
        "这里记录阅读 `DeepSpeed/deepspeed/runtime/engine.py:{a}-{b}` 时的理解，重点是**梯度累积**与*通信重叠*。",
        "调用链从 `forward` 开始，经过 [路由](../notes/architecture.md) 再到内核，参见 `csrc/kernel.cu:{a}`。",
        "",
        "- 要点一：批次大小由配置决定，见 `engine.py:{b}`",
        "- 要点二：每一步都会检查溢出 `loss_scaler.py:{a}-{b}`",
        "",
        "```python",
        "def step(self, batch):",
        "    return self.engine(batch)  # 第{n}步",
        "```",
        "",
    ]
    body: list[str] = []
    number = 0
    while len(body) < lines - 1:
        number += 1
        body += [line.format(n=number, a=number * 7, b=number * 7 + 20) for line in section]
    path = folder / f"note_{lines}.md"
    path.write_text(f"# {MARKER} 阅读笔记\n" + "\n".join(body[: lines - 1]) + "\n", encoding="utf-8")
    return path


def _highlighted(screen) -> bool:
    from pty_harness import find_text, foreground

    found = find_text(screen, f"def {MARKER}(")
    if found is None:
        return False
    row, column = found
    return foreground(screen, row, column) != foreground(screen, row, column + 4 + len(MARKER))


def measure_textual(kind: str, path: Path, highlight: bool = True) -> dict[str, float]:
    from pty_harness import KEYS, PtySession, find_text

    argv = [sys.executable, __file__, "app", kind, str(path)]
    with PtySession(argv, cols=120, rows=40) as term:
        ready = term.wait_for(lambda screen: find_text(screen, "READY") is not None)
        term.settle(0.3)
        sent = term.send(b"o")
        term.wait_for(lambda screen: find_text(screen, MARKER) is not None, timeout=120)
        shown = term.arrived - sent
        if highlight:
            term.wait_for(_highlighted, timeout=120)
        highlighted = max(term.arrived - sent, shown)
        # Keys pressed at once, while a big file may still be parsing in the background.
        busy = [_first_byte_ms(term, KEYS["down"], quiet=0.03) for _ in range(3)]
        term.settle(1.0)
        rss = term.rss_mb()
        down = [term.press(KEYS["down"], quiet=0.12) for _ in range(12)]
        page = [term.press(KEYS["pagedown"], quiet=0.15) for _ in range(3)]
        latency = [_first_byte_ms(term, KEYS["down"], quiet=0.12) for _ in range(5)]
        rss = max(rss, term.rss_mb())
        term.send(KEYS["ctrl+q"])
    return {
        "start": ready,
        "shown": shown,
        **({"highlighted": highlighted} if highlight else {}),
        "rss": rss,
        "down_bytes": statistics.median(down),
        "page_bytes": statistics.median(page),
        "key_ms": statistics.median(latency),
        "busy_key_ms": max(busy),
    }


def _first_byte_ms(term, key: bytes, quiet: float) -> float:
    """Milliseconds from sending `key` to the first byte of the answer."""
    sent = term.send(key)
    term.read_some(2.0)
    elapsed = (term.arrived - sent) * 1000
    term.settle(quiet)
    return elapsed


def measure_external(argv: list[str]) -> dict[str, float]:
    from pty_harness import KEYS, PtySession, find_text

    with PtySession(argv, cols=120, rows=40) as term:
        shown = term.wait_for(lambda screen: find_text(screen, MARKER) is not None)
        term.settle(0.3)
        rss = term.rss_mb()
        down = [term.press(KEYS["down"], quiet=0.12) for _ in range(12)]
        page = [term.press(KEYS["pagedown"], quiet=0.15) for _ in range(3)]
    return {"start": shown, "rss": rss, "down_bytes": statistics.median(down), "page_bytes": statistics.median(page)}


def run(sizes: list[int], repeat: int, viewers: list[str], notes: bool) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        if notes:
            for size in sizes:
                path = make_note(Path(folder), size)
                for kind in (viewer for viewer in NOTE_VIEWERS if viewer in viewers):
                    runs = [measure_textual(kind, path, highlight=False) for _ in range(repeat)]
                    rows.append((size, kind, {key: statistics.median(r[key] for r in runs) for key in runs[0]}))
                    print(size, kind, rows[-1][2], file=sys.stderr, flush=True)
            sizes = []
        for size in sizes:
            path = make_file(Path(folder), size)
            for kind in (viewer for viewer in VIEWERS if viewer in viewers):
                count = 1 if kind == "textarea" and size > 20000 else repeat  # TextArea: seconds per run
                runs = [measure_textual(kind, path) for _ in range(count)]
                rows.append((size, kind, {key: statistics.median(r[key] for r in runs) for key in runs[0]}))
                print(size, kind, rows[-1][2], file=sys.stderr, flush=True)
            for name, argv in (
                ("vim", ["vim", "-u", "NONE", "-N", "-c", "syntax on", "-c", "set number", str(path)]),
                ("less", ["less", "-N", str(path)]),
            ):
                if name not in viewers:
                    continue
                result = measure_external(argv)
                rows.append((size, name, result))
                print(size, name, result, file=sys.stderr, flush=True)
    print("| lines | viewer | start (s) | file shown after key (ms) | highlighted after key (ms) | RSS (MB) "
          "| bytes per ↓ | bytes per PgDn | ↓ answer (ms) | ↓ answer right after load, worst (ms) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, kind, r in rows:
        def cell(key: str, scale: float = 1.0, digits: int = 0, r: dict = r) -> str:
            return f"{r[key] * scale:,.{digits}f}" if key in r else "—"

        print(
            f"| {size:,} | {kind} | {cell('start', 1, 2)} | {cell('shown', 1000)} | {cell('highlighted', 1000)} "
            f"| {cell('rss')} | {cell('down_bytes')} | {cell('page_bytes')} | {cell('key_ms', 1, 1)} "
            f"| {cell('busy_key_ms', 1, 1)} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    app = commands.add_parser("app")
    app.add_argument("kind", choices=sorted({*VIEWERS, *NOTE_VIEWERS}))
    app.add_argument("path")
    bench = commands.add_parser("run")
    bench.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100000])
    bench.add_argument("--repeat", type=int, default=3)
    bench.add_argument("--viewers", nargs="+", default=[*VIEWERS, "codeview-wrap", "markdown", "vim", "less"])
    bench.add_argument("--notes", action="store_true", help="a Chinese Markdown note: CodeView vs Markdown")
    args = parser.parse_args()
    if args.command == "app":
        run_app(args.kind, args.path)
    else:
        run(args.sizes, args.repeat, args.viewers, args.notes)


if __name__ == "__main__":
    main()

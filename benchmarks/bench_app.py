"""The whole reader in a pseudo-terminal (120×40), each figure beside an anchor from the same run.

    python benchmarks/bench_app.py                      # every section, 5 start-up runs each
    python benchmarks/bench_app.py --only start finder --runs 7

Sections (the speed targets that `bench_view.py` does not cover):

- `start`: `readertui WS` until the notes pane shows the note's first line, against a bare
  Textual app (an `App` with one `Static` holding the same note) started the same way; wall
  time, CPU time and RSS, medians over `--runs`, and the median of each reader start over the
  bare start right after it. One untimed start first warms the parsed-TOML cache, as any
  start but a user's very first finds it. Workspaces: the generated 3,000-file one
  (`gen_workspace.py`) and the demo `projects/`. Target ≤ 1.3× the bare app.
- `open`: in the reader, ctrl+p, type a 20,000-line Python file's path, Enter → the file's
  second line highlighted; anchor: a bare app with `CodeView` loading the same file on a key
  (`bench_view.py app codeview`). Then, in both: bytes per ↓, per ↓ that scrolls one line, per
  mouse-wheel notch and per PgDn, and CPU time and bytes over 5 s idle. Targets: ≤ 150 ms,
  ≤ 1 KB per ↓, a line scroll ≤ one pane's repaint, no CPU when idle.
- `finder`: `PathRanker.rank` per keystroke on 50,000 paths (in-process) against
  `textual.fuzzy.Matcher` scoring every path; then in the reader, key → result list repainted.
  Target ≤ 50 ms per keystroke.
- `tree`: in the reader on a 50,000-file repo: expand the repo's root and a 5,000-entry folder;
  time until the first children show, and the cursor's answer to ↓/↑ pressed while they load
  (against the same keys when idle). Target: no freeze.

Generated data goes to `benchmarks/out/` (seeded; the 50,000-file repo is built once with
`git fast-import`, its index only: no working tree is needed to list or rank files).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pty_harness import KEYS, PtySession, find_text  # noqa: E402

OUT = HERE / "out"
KB_WS = OUT / "kb" / "ws"
DEMO = HERE.parent / "projects"
BIG_WS = OUT / "big" / "ws"
BIG_REPO = BIG_WS / "huge" / "Huge"
BIG_NOTE_MARKER = "Huge reading log"
WIDE_FOLDER = "wide"  # the 5,000-entry folder at the root of the 50,000-file repo
SECTIONS = ("start", "open", "finder", "tree")
WHEEL_DOWN = b"\x1b[<65;60;20M"  # SGR mouse report: wheel down over the source pane
CTRL_P = b"\x10"
ESCAPE = b"\x1b"


# ---- helpers -------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and the children it waited for (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def reader_argv(path: Path) -> list[str]:
    return [sys.executable, "-m", "readertui", str(path)]


def reader_env(folder: Path, cache: Path | None = None) -> dict[str, str]:
    """A fresh config and state dir: no remembered position, the default keymap and theme.
    The parsed-TOML cache is `cache` when given (runs that share it start warm, as every start
    but a user's first does), else a fresh one in `folder`."""
    return {
        "READERTUI_STATE_DIR": str(folder / "state"),
        "READERTUI_CONFIG_DIR": str(folder / "config"),
        "READERTUI_CACHE_DIR": str(cache or folder / "cache"),
    }


def first_byte_ms(term: PtySession, key: bytes, quiet: float = 0.12) -> float:
    sent = term.send(key)
    term.read_some(3.0)
    elapsed = (term.arrived - sent) * 1000
    term.settle(quiet)
    return elapsed


def wait_ms(term: PtySession, predicate, sent: float, timeout: float = 30.0) -> float:
    """ms from `sent` to the arrival of the output that made `predicate` hold (0 if it held)."""
    term.wait_for(predicate, timeout=timeout)
    return max(term.arrived - sent, 0.0) * 1000


def first_line(note: Path) -> str:
    return next(line for line in note.read_text(encoding="utf-8").splitlines() if line.strip())


def median(values) -> float:
    return statistics.median(values)


def highlighted_row(marker: str, number: str):
    """A predicate: the row showing `marker` has it coloured unlike the literal `number` after it."""
    def check(screen) -> bool:
        found = find_text(screen, marker)
        if found is None:
            return False
        row, column = found
        at = screen.display[row].find(number, column + len(marker))
        if at < 0:
            return False
        line = screen.buffer[row]
        return line[column].fg != line[at].fg
    return check


# ---- start ---------------------------------------------------------------------------------


def measure_start(argv: list[str], marker: str, env: dict[str, str]) -> dict[str, float]:
    with PtySession(argv, cols=120, rows=40, env=env) as term:
        ready = term.wait_for(lambda screen: find_text(screen, marker) is not None, timeout=60)
        cpu = cpu_seconds(term.process.pid)
        rss = term.rss_mb()
        term.settle(1.0)
        settled_rss = term.rss_mb()
    return {"wall": ready, "cpu": cpu, "rss": rss, "rss_settled": settled_rss}


def bench_start(runs: int, scratch: Path) -> list[tuple[str, str, dict[str, float]]]:
    # Bytecode for readertui's own modules, as a wheel install or any second start has: the
    # environment may set PYTHONDONTWRITEBYTECODE, and Textual's are compiled at install time.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src")], check=True)
    rows = []
    targets = [("generated 3,000-file workspace", KB_WS, KB_WS / "bench" / "notes" / "note-00.md")]
    if DEMO.is_dir():
        targets.append(("demo projects/", DEMO, DEMO / "minillm" / "notes" / "code-reading-log.md"))
    for label, workspace, note in targets:
        marker = first_line(note)
        results: dict[str, list[dict[str, float]]] = {"readertui": [], "bare Textual app": []}
        cache = scratch / "toml-cache"
        measure_start(reader_argv(workspace), marker, reader_env(scratch / "start-warm-up", cache))
        for run in range(runs):  # interleaved, so a burst of load hits both alike
            env = reader_env(scratch / f"start-{run}", cache)
            results["readertui"].append(measure_start(reader_argv(workspace), marker, env))
            bare = [sys.executable, str(HERE / "bare_app.py"), str(note)]
            results["bare Textual app"].append(measure_start(bare, marker, {}))
        pairs = [r["wall"] / b["wall"] for r, b in zip(results["readertui"], results["bare Textual app"])]
        for kind, runs_ in results.items():
            summary = {key: median(r[key] for r in runs_) for key in runs_[0]}
            summary["min"] = min(r["wall"] for r in runs_)
            # Each reader start over the bare start right after it: a burst of load or a slow
            # spell of the machine hits both, so these ratios scatter less than the walls.
            summary["paired"] = median(pairs) if kind == "readertui" else 1.0
            rows.append((label, kind, summary))
            print(label, kind, summary, file=sys.stderr, flush=True)
    return rows


# ---- open a 20k-line file, bytes per key, idle CPU -------------------------------------------


def twenty_k_file() -> str:
    """A 20,000-line Python file of the generated repo (repo-relative path)."""
    repo = KB_WS / "bench" / "BigRepo"
    listed = subprocess.run(["git", "-C", str(repo), "ls-files", "*.py"], capture_output=True, text=True, check=True)
    for path in sorted(listed.stdout.split()):
        if (repo / path).stat().st_size > 500_000:
            return path
    raise SystemExit("no 20,000-line Python file: run benchmarks/gen_workspace.py")


def keys_and_idle(term: PtySession) -> dict[str, float]:
    """Bytes per ↓ (cursor inside the page), per ↓ that scrolls, per wheel notch, per PgDn;
    then CPU and bytes over 5 s idle. The cursor starts on the file's first line."""
    term.settle(1.0)
    down = [term.press(KEYS["down"], quiet=0.12) for _ in range(12)]
    for _ in range(30):  # to the bottom edge of the pane: every further ↓ scrolls one line
        term.press(KEYS["down"], quiet=0.05)
    term.settle(0.3)
    scroll = [term.press(KEYS["down"], quiet=0.12) for _ in range(8)]
    wheel = [term.press(WHEEL_DOWN, quiet=0.12) for _ in range(8)]
    page = [term.press(KEYS["pagedown"], quiet=0.15) for _ in range(3)]
    latency = [first_byte_ms(term, KEYS["down"]) for _ in range(8)]
    term.settle(1.0)
    before, bytes_before = cpu_seconds(term.process.pid), term.total_bytes
    deadline = time.perf_counter() + 5.0
    while time.perf_counter() < deadline:
        term.read_some(deadline - time.perf_counter())
    return {
        "down_bytes": median(down),
        "scroll_bytes": median(scroll),
        "wheel_bytes": median(wheel),
        "page_bytes": median(page),
        "down_ms": median(latency),
        "idle_cpu": cpu_seconds(term.process.pid) - before,
        "idle_bytes": term.total_bytes - bytes_before,
        "rss": term.rss_mb(),
    }


def measure_open_reader(path: str, scratch: Path) -> dict[str, float]:
    note = KB_WS / "bench" / "notes" / "note-00.md"
    check = highlighted_row("value_2 = ", "2)")
    with PtySession(reader_argv(KB_WS), env=reader_env(scratch)) as term:
        term.wait_for(lambda screen: find_text(screen, first_line(note)) is not None, timeout=60)
        term.settle(1.5)  # the project's citations are indexed in a worker at start
        term.send(CTRL_P)
        term.wait_for(lambda screen: find_text(screen, "files)") is not None)
        term.settle(0.3)
        query = path.rsplit(".", 1)[0]
        for char in query:
            term.send(char.encode())
            time.sleep(0.02)
        term.wait_for(lambda screen: finder_top(screen) == f"BigRepo/{path}")
        term.settle(0.3)
        sent = term.send(KEYS["enter"])
        shown = wait_ms(term, lambda screen: find_text(screen, "value_2 = ") is not None, sent)
        highlighted = wait_ms(term, check, sent)
        return {"shown": shown, "highlighted": highlighted, **keys_and_idle(term)}


def finder_top(screen) -> str | None:
    """The finder's first result: two rows below its title ("Find file (N files)")."""
    found = find_text(screen, "files)")
    if found is None or found[0] + 2 >= screen.lines:
        return None
    return screen.display[found[0] + 2].split("│")[1].strip() or None


def measure_open_anchor(path: Path) -> dict[str, float]:
    check = highlighted_row("value_2 = ", "2)")
    argv = [sys.executable, str(HERE / "bench_view.py"), "app", "codeview", str(path)]
    with PtySession(argv) as term:
        term.wait_for(lambda screen: find_text(screen, "READY") is not None)
        term.settle(0.5)
        sent = term.send(b"o")
        shown = wait_ms(term, lambda screen: find_text(screen, "value_2 = ") is not None, sent)
        highlighted = wait_ms(term, check, sent)
        return {"shown": shown, "highlighted": highlighted, **keys_and_idle(term)}


def bench_open(runs: int, scratch: Path) -> list[tuple[str, dict[str, float]]]:
    path = twenty_k_file()
    absolute = KB_WS / "bench" / "BigRepo" / path
    results: dict[str, list[dict[str, float]]] = {"readertui": [], "bare app + CodeView": []}
    for run in range(runs):
        results["readertui"].append(measure_open_reader(path, scratch / f"open-{run}"))
        results["bare app + CodeView"].append(measure_open_anchor(absolute))
    rows = []
    for kind, runs_ in results.items():
        summary = {key: median(r[key] for r in runs_) for key in runs_[0]}
        summary["highlighted_max"] = max(r["highlighted"] for r in runs_)
        rows.append((kind, summary))
        print(kind, summary, file=sys.stderr, flush=True)
    vim = ["vim", "-u", "NONE", "-N", "-c", "syntax on", "-c", "set number", str(absolute)]
    if shutil.which("vim"):
        with PtySession(vim) as term:
            term.wait_for(lambda screen: find_text(screen, "value_2 = ") is not None)
            rows.append(("vim", keys_and_idle(term)))
    return rows


# ---- the 50,000-file repo ------------------------------------------------------------------


def ensure_big_workspace(files: int = 50_000, wide: int = 5_000, seed: int = 11) -> Path:
    """A project with a 50,000-file git repo (index only) and a reading log; built once."""
    if (BIG_REPO / ".git" / "index").exists():
        return BIG_WS
    from gen_workspace import GIT_ENV, make_tree

    if BIG_WS.exists():
        shutil.rmtree(BIG_WS)
    BIG_REPO.mkdir(parents=True)
    notes = BIG_WS / "huge" / "notes"
    notes.mkdir()
    (notes / "code-reading-log.md").write_text(f"# {BIG_NOTE_MARKER}\n\n## 2026-01-02\n", encoding="utf-8")
    rng = random.Random(seed)
    paths = make_tree(rng, files - wide) + [f"{WIDE_FOLDER}/item_{i:05d}.py" for i in range(wide)]
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "-b", "main", str(BIG_REPO)], check=True, env=env)
    stream = bytearray()
    blobs = 64  # distinct contents: the paths are what matter here
    for mark in range(1, blobs + 1):
        body = f"# blob {mark}\n" + "value = 1\n" * mark
        stream += f"blob\nmark :{mark}\ndata {len(body.encode())}\n{body}\n".encode()
    stream += b"commit refs/heads/main\ncommitter Bench <bench@example.invalid> 1767323045 +0000\ndata 5\nhuge\n"
    for number, path in enumerate(paths):
        stream += f"M 100644 :{number % blobs + 1} {path}\n".encode()
    subprocess.run(["git", "-C", str(BIG_REPO), "fast-import", "--quiet"], input=bytes(stream), check=True, env=env)
    # The index (what `git ls-files` lists) without writing 50,000 files to disk.
    subprocess.run(["git", "-C", str(BIG_REPO), "read-tree", "main"], check=True, env=env)
    return BIG_WS


def big_paths() -> list[str]:
    listed = subprocess.run(["git", "-C", str(BIG_REPO), "ls-files", "-z"], capture_output=True, check=True)
    return ["Huge/" + p for p in listed.stdout.decode().split("\0") if p]


# ---- finder --------------------------------------------------------------------------------

QUERIES = ("kernelattn", "srcenginepy", "zero/stage")


def bench_finder_inprocess(paths: list[str]) -> list[tuple[str, dict[str, float]]]:
    from textual.fuzzy import Matcher

    from readertui.ui.screens.pickers import PathRanker

    started = time.perf_counter()
    PathRanker(paths)
    build_ms = (time.perf_counter() - started) * 1000
    ranker_ms: list[float] = []
    matcher_ms: list[float] = []
    for query in QUERIES:
        ranker = PathRanker(paths)  # each query typed from scratch: its first key scans all
        for end in range(1, len(query) + 1):
            typed = query[:end]
            started = time.perf_counter()
            ranker.rank(typed)
            ranker_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            matcher = Matcher(typed)
            scored = [(matcher.match(path), path) for path in paths]
            sorted((s for s in scored if s[0] > 0), reverse=True)[:50]
            matcher_ms.append((time.perf_counter() - started) * 1000)
    return [
        ("PathRanker.rank (readertui)", {"median": median(ranker_ms), "max": max(ranker_ms), "build": build_ms}),
        ("textual.fuzzy.Matcher over every path", {"median": median(matcher_ms), "max": max(matcher_ms)}),
    ]


def bench_finder_pty(scratch: Path, paths: list[str]) -> dict[str, float]:
    """Key → the finder's first result row showing that query's best path."""
    from readertui.ui.screens.pickers import PathRanker

    latencies: list[float] = []
    with PtySession(reader_argv(BIG_WS), env=reader_env(scratch)) as term:
        term.wait_for(lambda screen: find_text(screen, BIG_NOTE_MARKER) is not None, timeout=60)
        term.settle(1.0)
        for query in QUERIES:
            expected = PathRanker(paths)
            term.send(CTRL_P)
            term.wait_for(lambda screen: find_text(screen, "files)") is not None, timeout=30)
            term.settle(0.3)
            previous = None
            for end in range(1, len(query) + 1):
                typed = query[:end]
                best = expected.rank(typed)[0][0]
                sent = term.send(typed[-1].encode())
                if best == previous:  # the list's top did not change: wait for the echo only
                    wait_ms(term, lambda screen, t=typed: find_text(screen, t) is not None, sent)
                else:
                    latencies.append(wait_ms(term, lambda screen, b=best: finder_top(screen) == b, sent))
                previous = best
                term.settle(0.08)
            term.send(ESCAPE)
            term.settle(0.3)
    return {"median": median(latencies), "max": max(latencies), "keys": len(latencies)}


# ---- tree ----------------------------------------------------------------------------------

TREE_COLUMNS = 21  # the tree pane's columns left of its scroll bar


def cursor_row(screen) -> int | None:
    """The tree's cursor row: the one with cells on a background unlike the rest of the pane."""
    rows = range(screen.lines - 2)
    backgrounds = [[screen.buffer[row][column].bg for column in range(TREE_COLUMNS)] for row in rows]
    flat = [bg for row in backgrounds for bg in row]
    common = max(set(flat), key=flat.count)
    odd = [row for row in rows if any(bg != common for bg in backgrounds[row])]
    return odd[0] if len(odd) == 1 else None


def probe(term: PtySession, key: bytes, row: int, timeout: float = 10.0) -> float:
    """ms from `key` until the tree cursor sits on `row`."""
    sent = term.send(key)
    return wait_ms(term, lambda screen: cursor_row(screen) == row, sent, timeout)


def expand_while_probing(term: PtySession, child_text: str, base: int, window: float = 2.0) -> dict[str, float]:
    """Press space on the cursor's folder, then ↑/↓ over and over for `window` seconds: the
    cursor's answer times while the children load, and the time until `child_text` shows."""
    sent = term.send(b" ")
    answers: list[float] = []
    shown_ms = None
    while (time.perf_counter() - sent) < window or shown_ms is None:
        # Above the folder: rows below it move as its children arrive.
        answers.append(probe(term, KEYS["up"], base - 1))
        answers.append(probe(term, KEYS["down"], base))
        if shown_ms is None and find_text(term.screen, child_text) is not None:
            shown_ms = (term.arrived - sent) * 1000
        if (time.perf_counter() - sent) > 60:
            break
    term.settle(1.0)
    return {"shown": shown_ms or float("nan"), "worst": max(answers), "median": median(answers), "keys": len(answers)}


def bench_tree(scratch: Path) -> dict[str, dict[str, float]]:
    with PtySession(reader_argv(BIG_WS), env=reader_env(scratch)) as term:
        term.wait_for(lambda screen: find_text(screen, BIG_NOTE_MARKER) is not None, timeout=60)
        term.settle(1.5)
        term.press(b"1")  # focus the tree
        project_row = 0
        probe(term, KEYS["down"], project_row)  # the cursor appears on the project
        term.settle(0.3)
        idle = [probe(term, KEYS["down"], project_row + 1), probe(term, KEYS["up"], project_row)]
        idle += [probe(term, KEYS["down"], project_row + 1), probe(term, KEYS["up"], project_row)]
        term.send(KEYS["down"])  # the repo
        term.settle(0.3)
        repo_row = project_row + 1
        root = expand_while_probing(term, f"{WIDE_FOLDER}/", repo_row)
        wide_row = find_text(term.screen, f"{WIDE_FOLDER}/")[0]
        for _ in range(wide_row - repo_row):
            term.press(KEYS["down"], quiet=0.05)
        term.settle(0.3)
        folder = expand_while_probing(term, "item_00000", wide_row)
    return {"idle": {"median": median(idle), "worst": max(idle)}, "root": root, "folder": folder}


# ---- report --------------------------------------------------------------------------------


def report(results: dict) -> None:
    if "start" in results:
        print("\n### Start to a ready screen (notes pane shows the note's first line)\n")
        print("| workspace | app | wall, median (s) | min (s) | CPU (s) | RSS at ready (MB) | RSS after 1 s (MB) "
              "| ratio of medians | of mins | median of paired runs |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        bare = {label: r for label, kind, r in results["start"] if kind.startswith("bare")}
        for label, kind, r in results["start"]:
            print(f"| {label} | {kind} | {r['wall']:.2f} | {r['min']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} "
                  f"| {r['rss_settled']:.0f} | {r['wall'] / bare[label]['wall']:.2f}× "
                  f"| {r['min'] / bare[label]['min']:.2f}× | {r['paired']:.2f}× |")
    if "open" in results:
        print("\n### A 20,000-line Python file: open, keys, idle\n")
        print("| app | shown after Enter (ms) | highlighted (ms) | worst run (ms) | bytes per ↓ | per ↓ that scrolls "
              "| per wheel notch | per PgDn | ↓ answer (ms) | idle 5 s: CPU (s) | idle bytes | RSS (MB) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for kind, r in results["open"]:
            def cell(key: str, digits: int = 0, r: dict = r) -> str:
                return f"{r[key]:,.{digits}f}" if key in r else "—"
            print(f"| {kind} | {cell('shown')} | {cell('highlighted')} | {cell('highlighted_max')} | {cell('down_bytes')} "
                  f"| {cell('scroll_bytes')} | {cell('wheel_bytes')} | {cell('page_bytes')} | {cell('down_ms', 1)} "
                  f"| {cell('idle_cpu', 2)} | {cell('idle_bytes')} | {cell('rss')} |")
    if "finder" in results:
        print(f"\n### Fuzzy finder, {results['finder_paths']:,} paths, {sum(map(len, QUERIES))} keystrokes\n")
        print("| what | per keystroke, median (ms) | worst (ms) |")
        print("|---|---:|---:|")
        for kind, r in results["finder"]:
            print(f"| {kind} | {r['median']:.1f} | {r['max']:.1f} |")
        pty = results["finder_pty"]
        print(f"| readertui in the pty: key → best result on screen ({pty['keys']} keys) "
              f"| {pty['median']:.1f} | {pty['max']:.1f} |")
        print(f"\n(Building the ranker for {results['finder_paths']:,} paths: "
              f"{results['finder'][0][1]['build']:.0f} ms, in a worker.)")
    if "tree" in results:
        t = results["tree"]
        print("\n### Tree on a 50,000-file repo: expanding while pressing ↓/↑\n")
        print("| what | children shown after the key (ms) | cursor answer, median (ms) | worst (ms) | keys |")
        print("|---|---:|---:|---:|---:|")
        print(f"| idle (anchor) | — | {t['idle']['median']:.1f} | {t['idle']['worst']:.1f} | 4 |")
        for label, key in (("the repo's root (50,000 files)", "root"), (f"`{WIDE_FOLDER}/` (5,000 entries)", "folder")):
            r = t[key]
            print(f"| {label} | {r['shown']:.0f} | {r['median']:.1f} | {r['worst']:.1f} | {r['keys']} |")
    if "git_ls_files" in results:
        print(f"\n`git ls-files` on the 50,000-file repo (anchor): {results['git_ls_files']:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--runs", type=int, default=5, help="start-up and open runs per app (medians)")
    args = parser.parse_args()
    if not KB_WS.is_dir():
        subprocess.run([sys.executable, str(HERE / "gen_workspace.py")], check=True)
    print(f"load average at start: {os.getloadavg()}", file=sys.stderr)
    results: dict = {}
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        scratch = Path(folder)
        if "start" in args.only:
            results["start"] = bench_start(args.runs, scratch)
        if "open" in args.only:
            results["open"] = bench_open(max(1, args.runs // 2 + 1), scratch)
        if {"finder", "tree"} & set(args.only):
            ensure_big_workspace()
            started = time.perf_counter()
            paths = big_paths()
            results["git_ls_files"] = (time.perf_counter() - started) * 1000
        if "finder" in args.only:
            results["finder_paths"] = len(paths)
            results["finder"] = bench_finder_inprocess(paths)
            results["finder_pty"] = bench_finder_pty(scratch / "finder", paths)
            print(results["finder"], results["finder_pty"], file=sys.stderr, flush=True)
        if "tree" in args.only:
            results["tree"] = bench_tree(scratch / "tree")
            print(results["tree"], file=sys.stderr, flush=True)
    print(f"load average at end: {os.getloadavg()}", file=sys.stderr)
    report(results)


if __name__ == "__main__":
    main()

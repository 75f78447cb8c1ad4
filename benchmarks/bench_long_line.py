"""A 2.7 MB JSON file on ONE line, opened in the reader, against the same bytes on many lines.

    python benchmarks/bench_long_line.py [--runs 5] [--mb 2.7]

The data is `json.dumps` of nested records (seeded). The one-line file is that text; the anchor
is the same text with a newline after each record (`},` → `},\\n`: valid JSON, the same bytes
plus one per line). Both go in a copy of the demo workspace. For each file and run, a fresh
reader starts on a pseudo-terminal of 120×40; ctrl+p, the file's name, Enter → time until the
file's first characters are on screen ("file shown"), then, to see that the reader is free
for keys once it is (nothing parsing on its thread), ctrl+g → the "Go to line" prompt shown.
Medians; the ratio one-line / multi-line is the figure (issue 14: "a 2.7 MB
single-line JSON file took ~5 s to open").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_app import CTRL_P, DEMO, reader_argv, reader_env, wait_ms  # noqa: E402
from pty_harness import KEYS, PtySession, find_text  # noqa: E402

MARKER = "marker_json_xyz"
CTRL_G = b"\x07"


def make_json(megabytes: float, seed: int = 5) -> str:
    """Nested records until the text reaches `megabytes` MB, on one line."""
    rng = random.Random(seed)
    records = []
    size = 0
    while size < megabytes * 1_000_000:
        record = {
            "id": len(records),
            "name": f"item-{rng.randrange(10**6)}",
            "tags": [rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(4)],
            "pos": {"x": rng.random(), "y": rng.random(), "z": [rng.randrange(100) for _ in range(5)]},
            "text": "lorem ipsum dolor sit amet " * rng.randrange(1, 4),
        }
        records.append(record)
        size += len(json.dumps(record)) + 2
    return json.dumps({MARKER: 1, "records": records})


def workspace(folder: Path, megabytes: float) -> tuple[Path, int]:
    ws = folder / "ws"
    shutil.copytree(DEMO, ws)
    data = ws / "minillm" / "minillm" / "data"
    data.mkdir()
    text = make_json(megabytes)
    (data / "oneline.json").write_text(text + "\n", encoding="utf-8")
    (data / "manylines.json").write_text(text.replace("}, {", "},\n{") + "\n", encoding="utf-8")
    return ws, len(text.encode())


def open_file(ws: Path, name: str, scratch: Path) -> dict[str, float]:
    with PtySession(reader_argv(ws), env={**os.environ, **reader_env(scratch)}) as term:
        term.wait_for(lambda screen: find_text(screen, "Code reading log") is not None, timeout=60)
        term.settle(1.5)  # the project's citations are indexed in a worker at start
        term.send(CTRL_P)
        term.wait_for(lambda screen: find_text(screen, "files)") is not None)
        term.settle(0.3)
        for char in name:
            term.send(char.encode())
            time.sleep(0.02)
        term.wait_for(lambda screen: find_text(screen, f"data/{name}") is not None)
        term.settle(0.3)
        sent = term.send(KEYS["enter"])
        shown = wait_ms(term, lambda screen: find_text(screen, f'{{"{MARKER}": 1') is not None, sent, timeout=120)
        sent = term.send(CTRL_G)  # at once: a parse or highlight still running would delay it
        prompt = wait_ms(term, lambda screen: find_text(screen, "Go to line") is not None, sent)
        return {"shown": shown, "prompt": prompt, "rss": term.rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=2.7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-long-line-") as tmp:
        ws, size = workspace(Path(tmp), args.mb)
        results: dict[str, list[dict[str, float]]] = {"oneline.json": [], "manylines.json": []}
        for run in range(args.runs):
            for name in results:  # alternated: the machine's load hits both alike
                results[name].append(open_file(ws, name, Path(tmp) / f"{name}-{run}"))
                print(name, results[name][-1], file=sys.stderr, flush=True)
        load = os.getloadavg()[0]
    print(f"{size:,} bytes of JSON; medians of {args.runs} runs; load average {load:.1f}\n")
    print("| file | lines | file shown after Enter (ms) | then ctrl+g → prompt (ms) | RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    medians = {}
    for name, runs in results.items():
        row = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        medians[name] = row
        lines = "1" if name == "oneline.json" else "many"
        print(f"| {name} | {lines} | {row['shown']:.0f} | {row['prompt']:.0f} | {row['rss']:.0f} |")
    ratio = medians["oneline.json"]["shown"] / medians["manylines.json"]["shown"]
    print(f"\none line / many lines, file shown: {ratio:.2f}×")


if __name__ == "__main__":
    main()

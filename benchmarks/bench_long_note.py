"""The reader opened on a workspace with a long reading log: how soon it shows, how long until
its citations are painted, and how long the UI thread ever stalls meanwhile.

    python benchmarks/gen_workspace.py /tmp/log5 --notes 5 --citations 600 --log-mb 5
    python benchmarks/bench_long_note.py /tmp/log5/kb/ws [--runs 3] [--compare OTHER/src]

Each run is a new process that opens the reader headless (120×40, the reading log in the
notes pane, as at any start) and reports:
- shown: seconds until the first screen, with the log's text on it;
- painted: seconds until every worker is done (citations resolved and painted, backlinks
  indexed, highlighting parsed);
- worst stall: the longest gap between the ticks of a 20 ms timer on the UI thread, i.e. the
  longest the reader would not have answered a key; and how many gaps exceeded 200 ms.
Anchor in the same run: resolving the log alone (`Resolver.resolve_note`, a new process), the
least work painting its citations needs. `--compare` runs the same against another tree's src.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_OPEN = r"""
import asyncio, json, sys, time
from pathlib import Path
from readertui.config.settings import load_settings
from readertui.core.workspace import find_workspace
from readertui.ui.app import ReaderApp

async def run(ws):
    settings, problems = load_settings()
    app = ReaderApp(find_workspace(ws), start=ws, settings=settings, problems=problems)
    start = time.perf_counter()
    ticks = []
    async with app.run_test(size=(120, 40)) as pilot:
        shown = time.perf_counter() - start
        app.set_interval(0.02, lambda: ticks.append(time.perf_counter()))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        painted = time.perf_counter() - start
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    print(json.dumps([shown, painted, max(gaps, default=0), sum(g > 0.2 for g in gaps)]))

asyncio.run(run(Path(sys.argv[1])))
"""

_RESOLVE = r"""
import json, sys, time
from pathlib import Path
from readertui.core.resolve import Resolver
from readertui.core.workspace import find_workspace

workspace = find_workspace(Path(sys.argv[1]))
project = workspace.projects[0]
start = time.perf_counter()
results = Resolver(workspace, project).resolve_note(project.reading_log)
print(json.dumps([time.perf_counter() - start, len(results)]))
"""


def _run(code: str, workspace: Path, src: Path | None) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
    done = subprocess.run([sys.executable, "-c", code, str(workspace)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", type=Path, metavar="OTHER/src", help="another tree's src, run alike")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent / "src"
    trees = [("this tree", here)] + ([(str(args.compare), args.compare)] if args.compare else [])
    log = args.workspace
    print(f"load average {os.getloadavg()[0]:.1f}; workspace {log}")
    print("| tree | anchor: resolve the log alone | shown | painted | painted / anchor | worst stall | stalls > 200 ms |")
    print("|---|---|---|---|---|---|---|")
    for _ in range(args.runs):
        for name, src in trees:
            anchor, count = _run(_RESOLVE, args.workspace, src)
            shown, painted, worst, stalls = _run(_OPEN, args.workspace, src)
            print(
                f"| {name} | {anchor:.2f} s ({int(count):,} citations) | {shown:.2f} s | {painted:.2f} s "
                f"| {painted / anchor:.1f}x | {worst * 1000:.0f} ms | {int(stalls)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

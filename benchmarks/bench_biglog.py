"""Time and measure `readertui check` on a workspace with a huge reading log (issue 12).

    python benchmarks/gen_workspace.py /tmp/biglog --notes 5 --citations 600 --log-mb 50
    python benchmarks/bench_biglog.py /tmp/biglog/kb/ws [--runs 1] [--format text|json]
                                      [--compare OTHER/src] [--children 0 1 2]

Each run starts `readertui check WS` (default: text, which prints the broken citations and
the counts) as a new process and reports its wall time, CPU time (user + system, its helper
processes and git included) and peak RSS. `check` decides itself how many helper processes
find the citations of a long note (core/scan_ahead.py: one per idle core but its own);
`--children N …` adds runs with N forced. Anchors in the same run, on the same log: `wc -l`
and `grep -c '`'` (what reading 50 MB costs on this machine right now), and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path


def measured(command: list[str], src: Path | None = None) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds (user + system, its children included) and peak RSS (KiB) of
    `command`, and its output. It runs under a fresh Python parent: the children's ru_maxrss is
    the largest any child reached, so each measurement needs a parent of its own."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "start = time.perf_counter()\n"
        f"done = subprocess.run({command!r}, capture_output=True)\n"
        "wall = time.perf_counter() - start\n"
        "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stderr.buffer.write(done.stdout)\n"
        "print(json.dumps([wall, use.ru_utime + use.ru_stime, use.ru_maxrss, done.returncode]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env)
    wall, cpu, rss, code = json.loads(done.stdout)
    if code not in (0, 1):
        sys.exit(f"exit {code}")
    return wall, cpu, rss, done.stderr


# `readertui check` with the number of helper processes forced (argv: N, then check's arguments).
_FORCED = (
    "import sys; import readertui.core.scan_ahead as ahead; forced = int(sys.argv[1]); "
    "ahead._children_for = lambda size: forced; from readertui.cli import main; "
    "raise SystemExit(main(sys.argv[2:]))"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--children", type=int, nargs="*", default=[], metavar="N",
                        help="also run check with N helper processes forced (0: none)")
    parser.add_argument("--compare", type=Path, metavar="SRC",
                        help="also run the `src` folder of another tree (say, an older commit's "
                        "`git archive`) in the same loop")
    args = parser.parse_args()
    workspace = args.workspace.resolve()
    log = workspace / "bench" / "notes" / "code-reading-log.md"
    if not log.is_file():
        sys.exit(f"no log at {log}: run gen_workspace.py with --log-mb first")
    src = Path(__file__).resolve().parent.parent / "src"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    size = log.stat().st_size
    print(f"log: {log} ({size / 1e6:.1f} MB, {sum(1 for _ in log.open('rb')):,} lines)")
    check = [sys.executable, "-m", "readertui", "check", str(workspace), "--format", args.format]
    rows = []
    for _ in range(args.runs):
        rows.append(("wc -l (anchor)", measured(["wc", "-l", str(log)])))
        rows.append(("grep -c '`' (anchor)", measured(["grep", "-c", "`", str(log)])))
        rows.append((f"readertui check --format {args.format}", measured(check, src)))
        for children in args.children:
            forced = [sys.executable, "-c", _FORCED, str(children), *check[3:]]
            noun = "helper" if children == 1 else "helpers"
            rows.append((f"  the same, {children} {noun} forced", measured(forced, src)))
        if args.compare:
            rows.append(("  the same, --compare tree", measured(check, args.compare.resolve())))
    last = rows[-1][1][3].decode("utf-8", "replace").strip().splitlines()
    if args.format == "text" and last:
        print(f"summary: {last[-1]}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'what':34} {'wall':>9} {'cpu':>9} {'peak RSS':>10}")
    for name, (wall, cpu, rss, _) in rows:
        print(f"{name:34} {wall:8.2f}s {cpu:8.2f}s {rss / 1024:8.0f}MB")


if __name__ == "__main__":
    main()

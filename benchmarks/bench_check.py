"""Time `readertui check` on the generated workspace, with `git ls-files` as an anchor.

    python benchmarks/gen_workspace.py      # once (seeded; about 5 s)
    python benchmarks/bench_check.py [WORKSPACE] [--runs 5] [--compare OTHER/src]

Columns: wall-clock median / min / max, and the median CPU time (this process plus the git and
Python children it waited for), which a busy machine does not inflate. Rows: the anchor (`git ls-files` in the 3,000-file submodule), `check()` in-process (load the
workspace, scan and resolve every note; a fresh Resolver each run, so no warm caches), and the
whole command in a new process (`readertui check WS --format json`, Python start-up included).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from readertui.core.check import check
from readertui.core.workspace import load_workspace

DEFAULT_WORKSPACE = Path(__file__).parent / "out" / "kb" / "ws"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (git, the command under test)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per run. On a busy machine wall time includes waiting for a
    core; CPU time does not, so the two together say how much of a slow run was contention."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        action()
        wall.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", nargs="?", type=Path, default=DEFAULT_WORKSPACE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, metavar="SRC",
                        help="also time the `src` folder of another tree (an older commit's "
                        "`git archive`), interleaved with this one's new process")
    args = parser.parse_args()
    workspace_root = args.workspace.resolve()
    if not workspace_root.is_dir():
        sys.exit(f"no workspace at {workspace_root}: run benchmarks/gen_workspace.py first")
    repo = workspace_root / "bench" / "BigRepo"
    # readertui's bytecode, as an install has it (the environment may forbid writing it).
    src = Path(__file__).resolve().parent.parent / "src"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)

    def ls_files() -> None:
        subprocess.run(["git", "ls-files", "-z"], cwd=repo, check=True, capture_output=True)

    results: dict[str, int] = {}

    def in_process() -> None:
        report = check(load_workspace(workspace_root))
        results.update(report.summary)

    def command(src: Path | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
        proc = subprocess.run(
            [sys.executable, "-m", "readertui", "check", str(workspace_root), "--format", "json"],
            capture_output=True, env=env,
        )
        if proc.returncode not in (0, 1):
            sys.exit(proc.stderr.decode(errors="replace"))

    files = len(subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True,
                               check=True).stdout.split(b"\0")) - 1
    rows = [
        ("git ls-files (anchor)", timed(ls_files, args.runs)),
        ("check() in-process", timed(in_process, args.runs)),
        ("readertui check --format json", timed(command, args.runs)),
    ]
    if args.compare:
        # the new process of both trees in one interleaved loop: the load moves from run to run
        other = args.compare.resolve()
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(other)], check=True)
        mine: tuple[list[float], list[float]] = ([], [])
        theirs: tuple[list[float], list[float]] = ([], [])
        for _ in range(args.runs):
            for store, run in ((mine, command), (theirs, lambda: command(other))):
                wall, cpu = timed(run, 1)
                store[0].extend(wall)
                store[1].extend(cpu)
        rows += [("  interleaved: this tree", mine), ("  interleaved: --compare tree", theirs)]
    print(f"workspace: {workspace_root}  ({files} files in the submodule; "
          f"{sum(results.values())} citations: {results})")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'what':34} {'median':>9} {'min':>9} {'max':>9} {'cpu med':>9}")
    for name, (wall, cpu) in rows:
        print(f"{name:34} {statistics.median(wall) * 1000:8.0f}ms {min(wall) * 1000:8.0f}ms "
              f"{max(wall) * 1000:8.0f}ms {statistics.median(cpu) * 1000:8.0f}ms")


if __name__ == "__main__":
    main()

"""Time `readertui update --dry-run` planning: 600 citations carried across 1,000 commits.

    python benchmarks/bench_update.py [--commits 1000] [--citations 600] [--runs 3] [--seed 1]

Generates everything in a temp dir (seeded, about 10 s): a repository of 150 Python-like files
whose history has --commits commits (each edits one to four files: inserted, deleted and edited
lines, now and then a rename or a deletion), checked out at the first commit, inside a
workspace project whose notes hold --citations citations of ranges at that commit. Then times,
in one run:

* anchor: `git diff -M <first> <last>` (what any carry-forward must at least pay);
* `readertui update bench --to main --dry-run` in-process (load the workspace, resolve every
  note, one DriftMapper, relocate changed ranges, format the plan); a fresh process-free run
  each time, so only git's own caches are warm.

Prints a table and the plan's counts. Target: planning ≤ 3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readertui.cli import main as readertui_main
from readertui.core.git import GitRepo
from readertui.core.update import UpdateOptions, choose_repo, plan_update
from readertui.core.workspace import load_workspace

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
WORDS = (
    "engine runtime stage optimizer sched comm pipe tensor model data loader kernel attention "
    "cache block layer norm embed quant adapter worker queue router config checkpoint memory "
    "stream graph fusion token batch shard mesh parallel"
).split()


def git(cwd: Path, *args: str, data: bytes | None = None) -> str:
    out = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, input=data, capture_output=True, check=True
    )
    return out.stdout.decode().strip()


class Code:
    """Files as lists of lines, edited at random; each commit is a fast-import record."""

    def __init__(self, rng: random.Random, files: int) -> None:
        self.rng = rng
        self.counter = 0
        self.files: dict[str, list[str]] = {}
        for index in range(files):
            folder = f"src/{rng.choice(WORDS)}"
            path = f"{folder}/{rng.choice(WORDS)}_{index}.py"
            self.files[path] = [self.line() for _ in range(rng.randint(150, 700))]

    def line(self) -> str:
        self.counter += 1
        roll = self.rng.random()
        if roll < 0.12:
            return ""
        if roll < 0.18:
            return "    return None"
        a, b = self.rng.sample(WORDS, 2)
        return f"    {a}_{self.counter} = {b}(self.{a}, {self.rng.randint(0, 99)})"

    def edit(self) -> dict[str, str | None]:
        changes: dict[str, str | None] = {}
        for _ in range(self.rng.randint(1, 4)):
            path = self.rng.choice(sorted(self.files))
            rows = self.files[path]
            roll = self.rng.random()
            if roll < 0.01 and len(self.files) > 100:
                del self.files[path]
                changes[path] = None
                continue
            if roll < 0.03:
                new_path = path.replace(".py", f"_v{self.counter}.py")
                self.files[new_path] = self.files.pop(path)
                changes[path] = None
                path, rows = new_path, self.files[new_path]
            at = self.rng.randrange(len(rows) + 1)
            count = self.rng.randint(1, 8)
            if roll < 0.5:
                rows[at:at] = [self.line() for _ in range(count)]
            elif roll < 0.75:
                del rows[at : at + count]
            else:
                for k in range(at, min(len(rows), at + count)):
                    rows[k] = rows[k] + "  # edited"
            changes[path] = "".join(row + "\n" for row in rows)
        return changes


def build(base: Path, commits: int, citations: int, seed: int) -> tuple[Path, str, str]:
    rng = random.Random(seed)
    code = Code(rng, files=150)
    at_a = {path: list(rows) for path, rows in code.files.items()}
    history = [{path: "".join(r + "\n" for r in rows) for path, rows in code.files.items()}]
    history += [code.edit() for _ in range(commits - 1)]
    workspace = base / "ws"
    repo = workspace / "bench" / "Code"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    stream = bytearray()
    for number, changes in enumerate(history, start=1):
        stream += b"commit refs/heads/main\ncommitter Bench <b@example.invalid> %d +0000\ndata 1\nx\n" % (
            1_700_000_000 + number
        )
        for path, text in changes.items():
            if text is None:
                stream += b"D %s\n" % path.encode()
            else:
                data = text.encode()
                stream += b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
    git(repo, "fast-import", "--quiet", data=bytes(stream))
    first = git(repo, "rev-list", "--max-parents=0", "main")
    last = git(repo, "rev-parse", "main")
    git(repo, "checkout", "-q", "--detach", first)
    notes = workspace / "bench" / "notes"
    notes.mkdir()
    per_note = citations // 12
    paths = sorted(at_a)
    for index in range(12):
        lines = [f"# Notes {index}\n\n"]
        for _ in range(per_note):
            path = rng.choice(paths)
            start = rng.randint(1, len(at_a[path]) - 20)
            end = start + rng.randint(0, 15)
            cited = f"{start}" if start == end else f"{start}-{end}"
            lines.append(f"- {rng.choice(WORDS)} lives in `{path}:{cited}`.\n")
        (notes / f"note{index:02}.md").write_text("".join(lines), encoding="utf-8")
    return workspace, first, last


def timed(action, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--citations", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        workspace, first, last = build(Path(tmp), args.commits, args.citations, args.seed)
        print(f"generated {args.commits} commits, {args.citations} citations in {time.perf_counter() - started:.1f} s")
        repo = workspace / "bench" / "Code"

        def anchor() -> None:
            git(repo, "diff", "-M", first, last)

        def command() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                code = readertui_main(["update", "bench", str(workspace), "--to", "main", "--dry-run"])
            assert code in (0, 1), code

        rows = [
            ("anchor: git diff -M A B", timed(anchor, args.runs)),
            ("update --dry-run (in-process)", timed(command, args.runs)),
        ]
        loaded = load_workspace(workspace)
        project = loaded.project("bench")
        chosen = choose_repo(project, None)
        plan = plan_update(loaded, project, chosen, GitRepo(chosen.path), last, UpdateOptions())
    width = max(len(name) for name, _ in rows)
    print(f"{'step':<{width}}  median s   min s")
    for name, times in rows:
        print(f"{name:<{width}}  {statistics.median(times):8.3f}  {min(times):6.3f}")
    counts = {action: len(plan.by_action(action)) for action in ("rewrite", "unchanged", "review", "keep")}
    print(f"plan: {counts}, commits {plan.commits}, cited files changed {len(plan.changed_files)}")


if __name__ == "__main__":
    sys.exit(main())

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

    python benchmarks/bench_update.py --real PATH [--span 80] [--citations 600]

Quality on a real history instead: cite random ranges at PATH's commit `--span` first-parent
commits back, map them straight to HEAD, and compare with the ground truth obtained by chaining
the diff of every commit in between (like `git blame`): every range the chain leaves untouched
must map exactly to the same place, every touched one must be flagged, and every exact result
must carry the very same text.
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
from readertui.core.drift import DriftMapper, map_through_hunks, parse_diff, split_lines
from readertui.core.git import GitRepo
from readertui.core.model import LineRange
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


def real_history(path: Path, span: int, citations: int, seed: int) -> None:
    repo = GitRepo(path)
    chain = git(path, "rev-list", "--first-parent", "--reverse", "HEAD").split()[-(span + 1) :]
    a, b = chain[0], chain[-1]
    steps = [parse_diff(repo.diff(x, y)).files for x, y in zip(chain, chain[1:])]

    def chained(cited: str, lines: LineRange) -> tuple[str, LineRange] | None:
        for files in steps:
            diff = files.get(cited)
            if diff is None:
                continue
            if diff.new_path is None:
                return None
            offset, touched = map_through_hunks(diff.hunks, lines)
            if touched or diff.binary:
                return None
            cited, lines = diff.new_path, lines.shifted(offset)
        return cited, lines

    rng = random.Random(seed)
    texts = {f: split_lines(data) for f in repo.list_files(a) if b"\0" not in (data := repo.read_file(f, a) or b"\0")}
    paths = sorted(f for f, rows in texts.items() if len(rows) >= 2)
    mapper = DriftMapper(repo, a, b)
    counts = {"untouched, exact": 0, "untouched, missed": 0, "touched, flagged": 0, "touched, exact": 0, "exact, text differs": 0}
    for _ in range(citations):
        cited = rng.choice(paths)
        start = rng.randint(1, len(texts[cited]))
        lines = LineRange(start, min(len(texts[cited]), start + rng.randint(0, 15)))
        truth = chained(cited, lines)
        result = mapper.map(cited, (lines,))
        if result.exact and result.new_path is not None:
            (new,) = result.new_ranges
            now = split_lines(repo.read_file(result.new_path, b) or b"")[new.start - 1 : new.end]
            counts["exact, text differs"] += now != texts[cited][lines.start - 1 : lines.end]
        if truth is None:
            counts["touched, exact" if result.exact else "touched, flagged"] += 1
        elif result.exact and (result.new_path, result.new_ranges) == (truth[0], (truth[1],)):
            counts["untouched, exact"] += 1
        else:
            counts["untouched, missed"] += 1
    print(f"{path}: {a[:7]} → {b[:7]}, {len(chain) - 1} commits, {citations} random ranges")
    for name, value in counts.items():
        print(f"  {name:<22} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--citations", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--real", type=Path, metavar="PATH", help="check mapping quality on this repository's history")
    parser.add_argument("--span", type=int, default=80, help="with --real: how many commits back")
    args = parser.parse_args()
    if args.real:
        real_history(args.real, args.span, args.citations, args.seed)
        return
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

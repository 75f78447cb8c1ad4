"""Symbol index and code navigation, timed on a real repository, with anchors from the same run.

    python benchmarks/bench_symbols.py REPO [REPO…] [--runs N] [--cold-runs N]
    python benchmarks/bench_symbols.py --sdist sympy-1.13.3.tar.gz      # builds a repo first

REPO is a git work tree (its HEAD is indexed). `--sdist` unpacks a source archive into
`benchmarks/out/symbols/<name>/` and commits it into a fresh git repository (see README).

Rows, per repo:
- cold index: a fresh cache, every blob parsed by 2 worker processes (their start included):
  when lookups first answer (the first tier of a big Python repo), when it is complete, and
  its CPU seconds (load-independent: on 2 idle cores the wall is about half of it); anchor
  `ctags -R` (Universal Ctags) over the same files, wall and CPU, run alternately with it;
- the UI thread during the cold index: the worst delay of a 5 ms timer on the main thread
  (what a key press would wait for) while the build runs in a thread with its workers;
- warm load: the index read back from the cache (one row per commit + decoding); anchor
  `git ls-files`;
- the file shown: tags of the repo's biggest code file (what the outline and status line need);
- workspace symbols: the fuzzy finder's ranking per key typed, over every definition;
  anchor textual.fuzzy's `Matcher` scoring every name (extrapolated from a sample);
- go to definition: name lookup and ranking for 200 names;
- search: first result of `git grep` (anchor) and of readertui's streamed search;
- memory: RSS of a fresh process before and after loading the index;
- `--many-files N`: a generated tree of N files sharing one blob: cold build, the main
  thread's worst delay meanwhile, warm load, RSS.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from readertui.core import tags  # noqa: E402
from readertui.core.git import read_head  # noqa: E402
from readertui.core.search import SearchQuery, search  # noqa: E402
from readertui.core.symbol_cache import SymbolCache  # noqa: E402
from readertui.core.symbol_rank import import_hints, rank  # noqa: E402
from readertui.core.symbol_service import SymbolService  # noqa: E402
from readertui.core.symbols import RepoSymbols, build_repo, new_executor  # noqa: E402

OUT = HERE / "out" / "symbols"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.2f} ms"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def from_sdist(archive: Path) -> Path:
    """Unpack a source archive and commit it as a git repository (once)."""
    name = archive.name.removesuffix(".tar.gz").removesuffix(".tgz")
    target = OUT / name
    if (target / ".git").is_dir():
        return target
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp, tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
        (top,) = list(Path(tmp).iterdir())
        shutil.move(str(top), target)
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "sdist"], ["gc", "-q"]):
        subprocess.run(["git", *args], cwd=target, env=env, check=True)
    return target


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its reaped children (workers, git)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ctags_anchor(repo: Path) -> tuple[float, float, str] | None:
    """(wall seconds, CPU seconds, tag count) of `ctags -R`."""
    ctags = shutil.which("ctags")
    if ctags is None:
        return None
    version = subprocess.run([ctags, "--version"], capture_output=True, text=True).stdout
    if "Universal Ctags" not in version:
        return None
    with tempfile.NamedTemporaryFile() as out:
        cpu = cpu_seconds()
        start = time.perf_counter()
        subprocess.run([ctags, "-R", "-f", out.name, "."], cwd=repo, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
        count = sum(1 for line in Path(out.name).read_text(errors="replace").splitlines() if not line.startswith("!"))
    return elapsed, cpu, f"{count:,} tags"


# The same 5 ms timer in a process of its own that does nothing else: how late the machine
# itself wakes a thread meanwhile (the other agents' load), the anchor of the UI-thread row.
TIMER_PROBE = """
import select, sys, time
worst = 0.0
while True:
    before = time.perf_counter()
    ready, _, _ = select.select([sys.stdin], [], [], 0.005)
    if ready:
        break
    worst = max(worst, time.perf_counter() - before - 0.005)
print(worst)
"""


class Cold(NamedTuple):
    wall: float  # until every file is indexed precisely
    usable: float  # until lookups answer (the first tier in; = wall without one)
    cpu: float  # CPU seconds of the build: this process, its workers and git
    worst: float  # worst delay of a 5 ms timer on the main thread
    idle_worst: float  # the same in an idle process meanwhile
    definitions: int
    files: int


def cold_index(repo: Path, commit: str) -> Cold:
    """A cold build in a thread (as the reader runs it) with 2 fresh worker processes, while
    the main thread runs a 5 ms timer, a stand-in for the UI's event loop."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = SymbolCache(Path(tmp) / "symbols.sqlite")
        table = RepoSymbols(repo.name, repo, commit)
        probe = subprocess.Popen([sys.executable, "-c", TIMER_PROBE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        cpu = cpu_seconds()
        start = time.perf_counter()
        executor = new_executor(2)

        def build() -> None:
            build_repo(cache, repo.name, repo, commit, executor=executor, table=table, first_tier=True)

        worker = threading.Thread(target=build)
        worker.start()
        worst = 0.0
        usable = None
        while worker.is_alive():
            before = time.perf_counter()
            time.sleep(0.005)
            worst = max(worst, time.perf_counter() - before - 0.005)
            if usable is None and table.usable.is_set():
                usable = time.perf_counter() - start
        elapsed = time.perf_counter() - start
        executor.shutdown()
        cpu = cpu_seconds() - cpu
        idle_worst = float(probe.communicate("stop\n")[0])
        cache.close()
    return Cold(elapsed, usable if usable is not None else elapsed, cpu, worst, idle_worst, len(table), len(table.files))


def many_files(count: int) -> None:
    """A tree of `count` files sharing one blob (a monorepo's shape, built in a second): cold
    build time, the main thread's worst delay meanwhile, warm load, and RSS in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "huge"
        root.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        blob = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"], cwd=root, input=b"def f():\n    pass\n",
            capture_output=True, check=True,
        ).stdout.decode().strip()
        index = "".join(f"100644 {blob}\td{i // 1000:04}/m{i % 1000:03}.py\n" for i in range(count))
        subprocess.run(["git", "update-index", "--index-info"], cwd=root, input=index.encode(), check=True)
        tree = subprocess.run(["git", "write-tree"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
               "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
        commit = subprocess.run(
            ["git", "commit-tree", "-m", "huge", tree], cwd=root, capture_output=True, text=True, check=True, env=env
        ).stdout.strip()
        cold = cold_index(root, commit)
        print(f"\n## {count:,} files sharing one blob\n")
        print("| what | value | note |\n|---|---|---|")
        print(f"| cold index | {ms(cold.wall)} | {cold.files:,} files |")
        print(f"| UI thread: worst 5 ms-timer delay during it | {ms(cold.worst)} | idle process meanwhile: {ms(cold.idle_worst)} |")
        cache_file = Path(tmp) / "symbols.sqlite"
        build_repo(SymbolCache(cache_file), "huge", root, commit)
        start = time.perf_counter()
        build_repo(SymbolCache(cache_file), "huge", root, commit)
        print(f"| warm load | {ms(time.perf_counter() - start)} | |")
        before, after, _ = rss_with_index(root, commit, cache_file)
        print(f"| RSS with the index loaded | +{(after - before) / 2**20:,.1f} MB above {before / 2**20:,.0f} MB | |")


def git_ls_files(repo: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["git", "ls-files", "-z"], cwd=repo, check=True, capture_output=True)
    return time.perf_counter() - start


def first_git_grep(repo: Path, pattern: str) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(["git", "grep", "-n", "-F", "-e", pattern, "HEAD"], cwd=repo, stdout=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.kill()
    process.wait()
    return elapsed


def first_search(repo: Path, commit: str, pattern: str) -> float:
    start = time.perf_counter()
    running = search(repo, commit, SearchQuery(pattern))
    next(iter(running), None)
    elapsed = time.perf_counter() - start
    running.close()
    return elapsed


RSS_PROBE = """
import sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[3])
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
from readertui.core.symbol_cache import SymbolCache
from readertui.core.symbols import build_repo
from readertui.ui.screens.pickers import PathRanker
import readertui.core.tags, tree_sitter_python  # what the reader has loaded anyway
before = rss()
table = build_repo(SymbolCache(Path(sys.argv[1])), "r", Path(sys.argv[2]), None if sys.argv[4] == "-" else sys.argv[4])
names = PathRanker(list({h.definition.qualified for h in table.hits()}))
print(before, rss(), len(table))
"""


def rss_with_index(repo: Path, commit: str, cache_file: Path) -> tuple[int, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, str(cache_file), str(repo), str(HERE.parent / "src"), commit],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


def bench(repo: Path, runs: int, cold_runs: int) -> None:
    from textual.fuzzy import Matcher

    from readertui.ui.screens.pickers import PathRanker

    commit = read_head(repo)
    assert commit, f"{repo} has no commit"
    print(f"\n## {repo.name} ({commit[:7]})\n")
    print("| what | median | min | max | note |\n|---|---|---|---|---|")

    def row(what: str, values: list[float], note: str = "") -> None:
        print(f"| {what} | {ms(median(values))} | {ms(min(values))} | {ms(max(values))} | {note} |", flush=True)

    anchors = []
    colds = []
    for _ in range(cold_runs):  # interleaved: each pair sees the same load
        anchors.append(ctags_anchor(repo))
        colds.append(cold_index(repo, commit))
    found = [a for a in anchors if a is not None]
    if found:
        row("`ctags -R` (anchor), wall", [a[0] for a in found], found[0][2])
        row("`ctags -R` (anchor), CPU", [a[1] for a in found])
    row("cold index: usable (first tier in)", [c.usable for c in colds], "lookups answer from here on")
    row("cold index: complete, 2 worker processes", [c.wall for c in colds],
        f"{colds[0].definitions:,} definitions in {colds[0].files:,} files")
    row("cold index: CPU (reader + workers + git)", [c.cpu for c in colds], "wall on 2 idle cores ≈ CPU / 2")
    row("UI thread: worst 5 ms-timer delay during the cold index", [c.worst for c in colds])
    row("the same timer in an idle process meanwhile (anchor: the machine's own delay)", [c.idle_worst for c in colds])

    with tempfile.TemporaryDirectory() as tmp:
        cache_file = Path(tmp) / "symbols.sqlite"
        cache = SymbolCache(cache_file)
        table = build_repo(cache, repo.name, repo, commit, executor=None, workers=2)
        cache.close()
        row("`git ls-files` (anchor)", [git_ls_files(repo) for _ in range(runs)])
        warm = []
        for _ in range(runs):
            start = time.perf_counter()
            build_repo(SymbolCache(cache_file), repo.name, repo, commit)
            warm.append(time.perf_counter() - start)
        row("warm load (cache present)", warm)

        code = [(path, defs) for path, defs in table.files.items()]
        biggest = max(code, key=lambda item: (repo / item[0]).stat().st_size if (repo / item[0]).is_file() else 0)[0]
        data = (repo / biggest).read_bytes()
        language = tags.language_for(biggest) or "python"
        tags.warm_up(language)
        shown = []
        for _ in range(runs):
            start = time.perf_counter()
            found = tags.definitions(data, language)
            shown.append(time.perf_counter() - start)
        row("the file shown: its definitions (parse + walk)", shown, f"{biggest}, {len(data) / 1024:,.0f} KB, {len(found):,} definitions")
        service = SymbolService(cache_file, workers=0)
        stored = []
        for _ in range(runs):
            start = time.perf_counter()
            assert service.stored_definitions(data, language) is not None
            stored.append(time.perf_counter() - start)
        service.close()
        row("the file shown, once indexed: its blob's row", stored, "what the reader uses when the index has the file")

        hits = list(table.hits())
        names = list({hit.definition.qualified for hit in hits})
        ranker = PathRanker(names)
        rng = random.Random(7)
        per_key: list[float] = []
        for target in rng.sample(names, min(40, len(names))):
            for end in range(1, min(len(target), 12) + 1):
                start = time.perf_counter()
                ranker.rank(target[:end])
                per_key.append(time.perf_counter() - start)
        row(f"workspace symbols: rank per key over {len(names):,} names", per_key, f"{len(per_key)} keys, p95 {ms(sorted(per_key)[int(len(per_key) * 0.95)])}")
        sample = names[:5000]
        matcher = Matcher("subs")
        start = time.perf_counter()
        for name in sample:
            matcher.match(name)
        full = (time.perf_counter() - start) * len(names) / len(sample)
        row("textual.fuzzy Matcher, every name, one key (anchor, extrapolated)", [full])

        lookups = []
        for hit in rng.sample(hits, min(200, len(hits))):
            source = (repo / hit.path).read_text(errors="replace") if (repo / hit.path).is_file() else ""
            start = time.perf_counter()
            found_hits = table.named(hit.definition.name)
            hints = import_hints(source[:200_000], tags.language_for(hit.path), hit.definition.name, hit.path)
            rank(found_hits, hit.repo, hit.path, hints)
            lookups.append(time.perf_counter() - start)
        row("go to definition: lookup + ranking", lookups, "200 names, import hints read from the file")

        pattern = "return"
        row("`git grep` first result (anchor)", [first_git_grep(repo, pattern) for _ in range(runs)], f"`{pattern}`")
        row("readertui search first result", [first_search(repo, commit, pattern) for _ in range(runs)])
        before, after, count = rss_with_index(repo, commit, cache_file)
        print(f"| RSS with the index loaded | {(after - before) / 2**20:,.1f} MB above {before / 2**20:,.0f} MB | | | {count:,} definitions + finder |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="*", type=Path)
    parser.add_argument("--sdist", type=Path, action="append", default=[], help="a source archive to build a repo from")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=2)
    parser.add_argument("--many-files", type=int, default=0, help="also time a tree of N files (e.g. 200000)")
    args = parser.parse_args()
    repos = [from_sdist(archive) for archive in args.sdist] + list(args.repos)
    if not repos and not args.many_files:
        parser.error("give a repo, --sdist or --many-files")
    load = os.getloadavg()[0]
    print(f"# bench_symbols {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {load:.1f}, {os.cpu_count()} cores")
    for repo in repos:
        bench(repo.resolve(), args.runs, args.cold_runs)
    if args.many_files:
        many_files(args.many_files)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

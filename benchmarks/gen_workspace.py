"""Generate a seeded workspace for benchmarking `readertui check`.

    python benchmarks/gen_workspace.py [OUT] [--files 3000] [--notes 25] [--citations 600]
                                       [--tag-share 0.34] [--log-mb 50]

Builds, under OUT (default `benchmarks/out/`, git-ignored):

    upstream/bigrepo/          a git repo with a realistic tree of --files files (Python, C++,
                               CUDA, TypeScript, Markdown…; a few 20,000-line files; tests/,
                               docs/, third_party/, .github/) and two commits: A, then B
                               (some files edited, one renamed)
    kb/                        the superproject
      ws/bench/BigRepo/        the repo as a submodule, checked out at B
      ws/bench/notes/*.md      --notes notes holding --citations citations in mixed forms;
                               a fifth of the notes declare commit A (so drift is computed);
                               --tag-share of them are permalinks pinned to tag v1.0 (= A),
                               half of those labelled with a name their first line holds
      ws/bench/notes/code-reading-log.md
                               with --log-mb N: a reading log of about N MB, as `readertui log`
                               writes it (dated sections, `**Commit**:` lines, timestamped
                               entries citing real paths, some permalinks, some entries with a
                               fenced block whose comments cite code); ~8,000 citations per MB

Objects are packed, as in a clone from a server (loose objects make `git ls-tree -r` 100×
slower). The same seed gives the same files, notes and commits (commit dates are fixed).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_COMMITTER_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}

WORDS = (
    "engine runtime zero stage optimizer sched comm moe pipe tensor model data loader utils "
    "kernel attention cache block layer norm embed rotary quant lora adapter serve worker queue "
    "router config launcher checkpoint profiler memory allocator stream graph fusion ops cuda "
    "triton flash paged spec decode sample token batch shard mesh parallel accel hub io"
).split()
LANGS = (  # extension, comment prefix, weight
    (".py", "#", 45),
    (".cpp", "//", 12),
    (".h", "//", 10),
    (".cu", "//", 6),
    (".ts", "//", 8),
    (".md", "", 6),
    (".yaml", "#", 4),
    (".sh", "#", 3),
    (".json", "", 2),
)
TOP_DIRS = (("src", 60), ("tests", 15), ("docs", 6), ("third_party", 8), ("tools", 5),
            ("benchmarks", 4), (".github", 2))


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "protocol.file.allow=always", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, env={**os.environ, **GIT_ENV}, check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


def pick(rng: random.Random, weighted) -> tuple:
    return rng.choices(weighted, weights=[w[-1] for w in weighted])[0]


def make_tree(rng: random.Random, count: int) -> list[str]:
    """Distinct repo paths with repeated basenames (engine.py in several folders)."""
    paths: set[str] = set()
    while len(paths) < count:
        top = pick(rng, TOP_DIRS)[0]
        depth = rng.choice((1, 2, 2, 3, 3, 4))
        folders = [top, *(rng.choice(WORDS) for _ in range(depth))]
        ext = pick(rng, LANGS)[0]
        stem = rng.choice(WORDS) if rng.random() < 0.6 else f"{rng.choice(WORDS)}_{rng.choice(WORDS)}"
        paths.add("/".join(folders) + "/" + stem + ext)
    return sorted(paths)


def file_text(rng: random.Random, path: str, lines: int) -> str:
    prefix = next((p for ext, p, _ in LANGS if path.endswith(ext)), "#") or "#"
    body = [f"{prefix} {path}"]
    for i in range(2, lines + 1):
        word = WORDS[(i * 7 + len(path)) % len(WORDS)]
        if path.endswith(".py"):
            body.append(f"    value_{i} = {word}(value_{i - 1}, {i})")
        else:
            body.append(f"  {word}_{i} = step({word}_{i - 1}, {i});")
    return "\n".join(body) + "\n"


def write_repo(rng: random.Random, root: Path, paths: list[str]) -> dict[str, int]:
    big = set(rng.sample(paths, 8))
    sizes: dict[str, int] = {}
    for path in paths:
        lines = 20_000 if path in big else int(rng.lognormvariate(4.8, 0.8)) + 5
        lines = min(lines, 20_000)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file_text(rng, path, lines), encoding="utf-8")
        sizes[path] = lines
    return sizes


def edit_for_b(rng: random.Random, root: Path, sizes: dict[str, int]) -> None:
    """Commit B: insert a header into 15 files, rewrite a block in 5, rename one."""
    for path in rng.sample(sorted(sizes), 20):
        target = root / path
        lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
        if rng.random() < 0.75:
            lines[1:1] = [f"# inserted in B {i}\n" for i in range(3)]
        else:
            at = len(lines) // 2
            lines[at:at + 4] = ["# rewritten in B\n"] * 4
        target.write_text("".join(lines), encoding="utf-8")
        sizes[path] = len(lines)


def citation(rng: random.Random, path: str, lines: int, repo: str, tag_share: float = 0.0) -> str:
    start = rng.randint(1, max(1, lines - 30))
    end = min(lines, start + rng.randint(0, 25))
    parts = path.split("/")
    if rng.random() < tag_share:
        # a permalink pinned to the release tag of commit A, half of them labelled with a name
        # the first cited line holds (`value_12` / `<word>_12`), the way reading notes link code
        url = f"https://github.com/bench/{repo}/blob/v1.0/{path}#L{start}-L{end}"
        if rng.random() < 0.5 and start > 1 and not path.endswith((".md", ".json")):
            word = WORDS[(start * 7 + len(path)) % len(WORDS)]
            name = f"value_{start}" if path.endswith(".py") else f"{word}_{start}"
            return f"[`{name}`]({url})"
        return f"[{parts[-1]}]({url})"
    form = rng.random()
    if form < 0.30:
        return f"`{repo}/{path}:{start}-{end}`"  # canonical, repo-prefixed
    if form < 0.45:
        return f"`{path}:{start}`"
    if form < 0.55:
        return f"`{parts[-1]}:{start}-{end}`"  # basename: may be ambiguous
    if form < 0.65 and len(parts) > 2:
        return f"`{parts[-3]}/{parts[-1]}:{start} – {end}`"  # partial path with gaps
    if form < 0.72:
        second = min(lines, end + 5)
        return f"`{path}:{start},{second}`"
    if form < 0.80:
        return f"[{parts[-1]}](../{repo}/{path}#L{start}-L{end})"
    if form < 0.86:
        return f"`{path}`"
    if form < 0.90:
        return f"`{path}:{lines + 10}-{lines + 20}`"  # out of range
    if form < 0.93:
        return f"`{path.rsplit('.', 1)[0]}_gone.py:{start}`"  # missing
    return f"`{repo}/{path}:{start}-{end}`"


def write_notes(rng: random.Random, notes_dir: Path, sizes: dict[str, int], repo: str,
                notes: int, citations: int, commit_a: str, tag_share: float = 0.0,
                sizes_a: dict[str, int] | None = None) -> None:
    notes_dir.mkdir(parents=True, exist_ok=True)
    paths = sorted(sizes)
    per_note = [citations // notes + (1 if i < citations % notes else 0) for i in range(notes)]
    for index, count in enumerate(per_note):
        out = [f"# Notes {index:02d}", ""]
        if index % 5 == 0:
            out += [f"**Commit**: `{commit_a[:7]}`", ""]
        written = 0
        section = 0
        while written < count:
            section += 1
            focus = rng.choice(paths)
            out += [f"## {section}. {rng.choice(WORDS)} ({focus})", ""]
            out.append(f"See `{focus}` first; 服务地址 localhost:3000, 09:30 - 18:00, `std::vector`.")
            written += 1
            for _ in range(min(count - written, rng.randint(3, 8))):
                if rng.random() < 0.15:
                    start = rng.randint(1, max(1, sizes[focus] - 5))
                    out.append(f"这里（行 {start}-{min(sizes[focus], start + 4)}）是关键。")
                elif rng.random() < 0.1:
                    path = rng.choice(paths)
                    out += ["```python", f"# {path}:1-2", "pass", "```"]
                else:
                    path = rng.choice(paths)
                    size = (sizes_a or sizes)[path] if tag_share else sizes[path]
                    out.append(f"- {rng.choice(WORDS)}: {citation(rng, path, size, repo, tag_share)}")
                written += 1
            out.append("")
        (notes_dir / f"note-{index:02d}.md").write_text("\n".join(out) + "\n", encoding="utf-8")


LOG_PHRASES = (
    "the step loop multiplies the loss before the all-reduce",
    "以为这里有 optimizer step，其实只是保存计数",
    "retry loop; the timeout is per attempt, not overall",
    "one block per row, three passes over the data",
    "the cache is keyed by (layer, head), evicted LRU",
    "こちらはバッファを二回コピーしている",
    "TODO: check whether the shard size is rounded up",
    "same pattern as the scheduler above, but async",
)


def log_entry(rng: random.Random, paths: list[str], sizes: dict[str, int], repo: str,
              commit: str, minute: int) -> list[str]:
    """One timestamped entry as `readertui log` writes it, with the odd hand-edited variant."""
    stamp = f"{minute // 60 % 24:02d}:{minute % 60:02d}"
    path = rng.choice(paths)
    lines = sizes[path]
    start = rng.randint(1, max(1, lines - 20))
    end = min(lines, start + rng.randint(0, 15))
    text = rng.choice(LOG_PHRASES)
    roll = rng.random()
    if roll < 0.55:
        entry = [f"- {stamp} `{repo}/{path}:{start}-{end}` @ `{commit[:7]}` — {text}"]
    elif roll < 0.70:
        entry = [f"- {stamp} [{path.rsplit('/', 1)[-1]}](https://github.com/bench/{repo}/blob/"
                 f"{commit}/{path}#L{start}-L{end}) — {text}"]
    elif roll < 0.80:
        other = rng.choice(paths)
        entry = [f"- {stamp} `{repo}/{path}:{start}` — {text}; compare `{other}:{rng.randint(1, sizes[other])}`"]
    elif roll < 0.87:
        entry = [f"- {stamp} `{repo}/{path}:{start}-{end}` — {text}",
                 f"  continued: see also `{path.rsplit('/', 1)[-1]}:{end}` and the caller (行 {start}-{end})"]
    elif roll < 0.93:
        other = rng.choice(paths)
        entry = [f"- {stamp} {text}:", "", "  ```python",
                 f"  # {repo}/{other}:{rng.randint(1, sizes[other])}",
                 f"  value = step(value, {start})", "  ```"]
    elif roll < 0.97:
        entry = [f"- {stamp} a thought without a citation: {text}"]
    else:
        entry = [f"- {stamp} `{repo}/{path}:{lines + 5}-{lines + 9}` — {text} (out of range)"]
    return entry


def write_log(rng: random.Random, notes_dir: Path, sizes: dict[str, int], repo: str, megabytes: float,
              commits: tuple[str, str]) -> None:
    """A reading log of about `megabytes` MB: one `## YYYY-MM-DD` section per day, newest last,
    written straight to disk in pieces (the generator itself stays small)."""
    paths = sorted(sizes)
    target = int(megabytes * 1_000_000)
    written = 0
    day = 0
    with open(notes_dir / "code-reading-log.md", "w", encoding="utf-8", newline="\n") as out:
        out.write("# Code reading log\n")
        while written < target:
            year, rest = divmod(day, 336)
            heading = f"\n## {2020 + year}-{rest // 28 + 1:02d}-{rest % 28 + 1:02d}\n\n"
            commit = commits[day % 7 == 6]  # most days at A, some at B
            chunk = [heading, f"**Commit**: `{commit[:7]}`\n\n"]
            minute = rng.randint(480, 600)
            for _ in range(rng.randint(20, 60)):
                minute += rng.randint(1, 9)
                chunk.append("\n".join(log_entry(rng, paths, sizes, repo, commit, minute)) + "\n")
            text = "".join(chunk)
            out.write(text)
            written += len(text.encode("utf-8"))
            day += 1


def generate(out: Path, files: int, notes: int, citations: int, seed: int, tag_share: float = 0.0,
             log_mb: float = 0.0) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    upstream = out / "upstream" / "bigrepo"
    upstream.mkdir(parents=True)
    git(upstream, "init", "-q")
    sizes = write_repo(rng, upstream, make_tree(rng, files))
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "A")
    commit_a = git(upstream, "rev-parse", "HEAD")
    git(upstream, "tag", "v1.0")
    sizes_a = dict(sizes)
    edit_for_b(rng, upstream, sizes)
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "B")
    git(upstream, "repack", "-adq")
    kb = out / "kb"
    kb.mkdir()
    git(kb, "init", "-q")
    git(kb, "submodule", "add", "-q", str(upstream), "ws/bench/BigRepo")
    # a local clone hard-links loose objects; a clone over the network arrives packed
    git(kb / "ws/bench/BigRepo", "repack", "-adq")
    write_notes(rng, kb / "ws/bench/notes", sizes, "BigRepo", notes, citations, commit_a, tag_share, sizes_a)
    if log_mb:
        commit_b = git(upstream, "rev-parse", "HEAD")
        write_log(rng, kb / "ws/bench/notes", sizes_a, "BigRepo", log_mb, (commit_a, commit_b))
    git(kb, "add", "-A")
    git(kb, "commit", "-q", "-m", "bench workspace")
    return kb / "ws"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--notes", type=int, default=25)
    parser.add_argument("--citations", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tag-share", type=float, default=0.0,
                        help="share of citations written as permalinks pinned to tag v1.0 (commit A)")
    parser.add_argument("--log-mb", type=float, default=0.0,
                        help="also write notes/code-reading-log.md of about this many MB")
    args = parser.parse_args()
    workspace = generate(args.out, args.files, args.notes, args.citations, args.seed, args.tag_share,
                         args.log_mb)
    print(workspace)


if __name__ == "__main__":
    main()

"""Precision and recall of `mismatch` on a generated note set with planted wrong labels.

    python benchmarks/bench_claims.py [REPO ...] [--per-file 6] [--files 120] [--seed 3]

REPO is any git repository (default: this readertui checkout). The script clones it (shared
objects, no copy) into a temporary workspace, tags its HEAD `bench-v1`, picks --files source
files the tags queries understand, and writes notes citing their definitions:

correct (must never be reported)
  name   — the definition's name line, labelled with the name (`` [`push()`](…) ``)
  body   — lines strictly inside the body that do not contain the name
  whole  — the whole definition, labelled `Scope.name()` when it has a scope
  prose  — random lines labelled with a prose word or the file name (`[here](…)`, `[q.h](…)`)
planted (must each be reported as mismatch)
  other  — the lines of another definition of the file, which neither contain the name nor lie
           inside a definition of that name
  typo   — the right lines, a near spelling of the name (two letters swapped or one dropped)
  before — the line just before the definition, when that line does not name it

Half of the citations are tag permalinks (`…/blob/bench-v1/path#La-Lb`), half inline
`` `name` (`path:a-b`) `` under a `**Commit**:` declaration. Ground truth is computed from the
file text and the tags query's definitions; `readertui check` is then run and every citation's
status compared: precision = planted found / all reported, recall = planted found / planted.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readertui.core import tags
from readertui.core.check import check
from readertui.core.model import Status
from readertui.core.workspace import load_workspace

PROSE = ("here", "this", "Calls", "updated", "see")
IDENT = re.compile(r"~?[A-Za-z_][A-Za-z0-9_]*")  # `operator()` and the like are not labels people write


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def word_in(name: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_$]){re.escape(name)}(?![A-Za-z0-9_$])", text, re.IGNORECASE) is not None


def typo(rng: random.Random, name: str) -> str | None:
    if len(name) < 6:
        return None
    i = rng.randrange(1, len(name) - 2)
    swapped = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    dropped = name[:i] + name[i + 1 :]
    for candidate in (swapped, dropped):
        if candidate.lower() != name.lower():
            return candidate
    return None


def build(repo: Path, out: Path, files: int, per_file: int, rng: random.Random):
    """The workspace and the expected verdict of every citation: {(note line): planted?}."""
    ws = out / "ws"
    project = ws / "study"
    (project / "notes").mkdir(parents=True)
    clone = project / repo.name
    git(out, "clone", "-q", "--shared", "--no-checkout", str(repo), str(clone))
    git(clone, "checkout", "-q", "--detach", git(repo, "rev-parse", "HEAD").strip())
    git(clone, "tag", "-f", "bench-v1")
    head = git(clone, "rev-parse", "HEAD").strip()
    paths = [p for p in git(clone, "ls-files").splitlines() if tags.language_for(p)]
    rng.shuffle(paths)
    lines_out = [f"# Reading {repo.name}", "", f"**Commit**: `{head[:10]}`", ""]
    expected: list[tuple[int, str, bool]] = []  # (note line, kind, planted)
    used_files = 0
    for path in paths:
        if used_files >= files:
            break
        if (clone / path).is_symlink():
            continue  # git holds the link's target name, not the file it points at
        data = (clone / path).read_bytes()
        if b"\0" in data[:8000] or len(data) > 400_000:
            continue
        text = data.decode("utf-8", "replace").split("\n")
        defs = [d for d in tags.definitions(data, tags.language_for(path, data[:200]) or "")
                if len(d.name) >= 3 and IDENT.fullmatch(d.name) and d.end <= len(text)]
        if len(defs) < 3:
            continue
        used_files += 1
        lines_out += [f"## {path}", ""]
        for _ in range(per_file):
            d = rng.choice(defs)
            same = [x for x in defs if x.name.lower() == d.name.lower()]

            def shows(a: int, b: int, name: str = d.name, text: list[str] = text, defs: list = defs) -> bool:
                cited = "\n".join(text[a - 1 : b])
                inside = any(x.start <= a and b <= x.end for x in defs if x.name.lower() == name.lower())
                return word_in(name, cited) or inside

            kind = rng.choice(("name", "body", "whole", "prose", "other", "typo", "before"))
            label, a, b, planted = d.name + "()", d.line, d.line, False
            if kind == "body":
                inner = [i for i in range(d.start + 1, d.end) if not word_in(d.name, text[i - 1])]
                if not inner:
                    continue
                a = b = rng.choice(inner)
            elif kind == "whole":
                label = f"{d.scope.rsplit('.', 1)[-1]}.{d.name}()" if d.scope else d.name + "()"
                a, b = d.start, d.end
            elif kind == "prose":
                label = rng.choice((*PROSE, path.rsplit("/", 1)[-1]))
                a = b = rng.randint(1, max(1, len(text) - 1))
            elif kind == "other":
                others = [x for x in defs if x.name.lower() != d.name.lower() and not shows(x.start, x.end)]
                if not others:
                    continue
                x = rng.choice(others)
                a, b, planted = x.start, x.end, True
            elif kind == "typo":
                wrong = typo(rng, d.name)
                if wrong is None or word_in(wrong, "\n".join(text[d.start - 1 : d.end])) or any(
                    x.name.lower() == wrong.lower() for x in defs
                ):
                    continue
                label, a, b, planted = wrong + "()", d.start, d.end, True
                label_name = wrong
                if any(x.start <= a and b <= x.end for x in defs if x.name.lower() == label_name.lower()):
                    continue
            elif kind == "before":
                a = b = d.start - 1
                if a < 1 or shows(a, b) or any(x.start <= a <= x.end for x in same):
                    continue
                planted = True
            if kind in ("name", "body", "whole") and not shows(a, b):
                continue  # a tags range that does not hold the name line (rare): not a clean case
            if b > len(text) or a < 1:
                continue
            fragment = f"#L{a}" if a == b else f"#L{a}-L{b}"
            if rng.random() < 0.5:
                url = f"https://github.com/bench/{repo.name}/blob/bench-v1/{path}{fragment}"
                lines_out.append(f"- [`{label}`]({url})" if kind != "prose" else f"- [{label}]({url})")
            else:
                lines = f"{a}" if a == b else f"{a}-{b}"
                if kind == "prose":
                    lines_out.append(f"- {label}: `{path}:{lines}`")
                else:
                    lines_out.append(f"- `{label}` (`{path}:{lines}`)")
            expected.append((len(lines_out), kind, planted))
        lines_out.append("")
    note = project / "notes" / "claims.md"
    note.write_text("\n".join(lines_out) + "\n", encoding="utf-8")
    return ws, note, expected


def run(repo: Path, files: int, per_file: int, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="readertui-claims-") as tmp:
        ws, note, expected = build(repo, Path(tmp), files, per_file, rng)
        start = time.perf_counter()
        report = check(load_workspace(ws), note)
        seconds = time.perf_counter() - start
        by_line = {r.citation.line: r for r in report.results}
        tp = fp = fn = 0
        misses, false_alarms = [], []
        for line, kind, planted in expected:
            result = by_line.get(line)
            reported = result is not None and result.status == Status.MISMATCH
            other_broken = result is not None and result.status.broken and not reported
            if planted and reported:
                tp += 1
            elif planted:
                fn += 1
                misses.append((line, kind, result.status.value if result else "none",
                               note.read_text(encoding="utf-8").split("\n")[line - 1][:160]))
            elif reported or other_broken:
                fp += 1
                false_alarms.append((line, kind, result.detail if result else ""))
        kinds: dict[str, int] = {}
        for _, kind, _ in expected:
            kinds[kind] = kinds.get(kind, 0) + 1
        return {
            "repo": repo.name, "citations": len(expected), "planted": tp + fn, "tp": tp, "fp": fp,
            "fn": fn, "seconds": seconds, "kinds": kinds, "misses": misses[:5],
            "false_alarms": false_alarms[:5],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="*", type=Path, default=[Path(__file__).resolve().parent.parent])
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--per-file", type=int, default=6)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    print(f"{'repo':16} {'citations':>9} {'planted':>8} {'caught':>7} {'false':>6} "
          f"{'precision':>9} {'recall':>7} {'check':>8}")
    for repo in args.repos:
        r = run(repo.resolve(), args.files, args.per_file, args.seed)
        reported = r["tp"] + r["fp"]
        precision = r["tp"] / reported if reported else 1.0
        recall = r["tp"] / r["planted"] if r["planted"] else 1.0
        print(f"{r['repo']:16} {r['citations']:>9} {r['planted']:>8} {r['tp']:>7} {r['fp']:>6} "
              f"{precision:>9.3f} {recall:>7.3f} {r['seconds'] * 1000:>6.0f}ms")
        print(f"  kinds: {r['kinds']}")
        for miss in r["misses"]:
            print(f"  missed: {miss}")
        for alarm in r["false_alarms"]:
            print(f"  false alarm: {alarm}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

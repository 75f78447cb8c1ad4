"""Can a readertui write clobber another program's? Two `readertui log` writers (in-process
`log_entry` loops, as the CLI runs it) and one outside appender (`open(…, "a")` per line, what a
shell `echo … >> log` does) hammer one reading log for minutes; then every line is counted.

    python benchmarks/bench_clobber.py --minutes 3 --pause 0.05 --writer-pause 0.05 [--size-kb 0]

Prints "outside lines lost: L of N" (and the same for each writer), duplicates, refusals
(writes readertui gave up on with nothing written, retried by the writer) and, as the anchor,
the time one `log_entry` takes on the same log with nobody else writing. `--size-kb` pads the
log first (the issue's 18 MB case: `--size-kb 18000`).

`--bookmarks` runs the same race on `bookmarks.toml`: the writers loop `add_mark` (what
`readertui bookmarks add` and the reader's `m` run), the appender adds `# outside N` comment
lines; the anchor is one `add_mark` alone.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

# One writer process: `WRITE` (an expression of `project`, `name`, `count`) in a loop. `{write}`
# is filled in for the log (`log_entry`, what `readertui log` runs) or for bookmarks (`add_mark`,
# what `readertui bookmarks add` and the reader's `m` run).
_WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime
    from pathlib import Path
    from readertui.core import bookmarks
    from readertui.core.errors import ReadertuiError
    from readertui.core.log import log_entry
    from readertui.core.model import LineRange, Project

    folder, name, seconds, pause = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    project = Project("p", folder, (), folder / "notes")
    print("ready", flush=True)
    sys.stdin.readline()
    stop, count, refused = time.monotonic() + seconds, 0, 0
    while time.monotonic() < stop:
        try:
            {write}
        except ReadertuiError:  # refused, nothing written (or the lock not had in 10 s)
            refused += 1
            continue
        count += 1
        time.sleep(pause)
    print(count, refused, flush=True)
    """
)
WRITER = _WRITER.replace(
    "{write}", 'log_entry(project, f"{name} {count}", clock=lambda: datetime(2026, 11, 29, 12, 0))'
)
BOOKMARK_WRITER = _WRITER.replace(
    "{write}",
    "bookmarks.add_mark(project, bookmarks.new_bookmark("
    '"r", f"{name}.py", LineRange(count + 1, count + 1), f"{name} {count}", None, ["x"]))',
)

APPENDER = textwrap.dedent(
    """
    import sys, time
    log, seconds, pause = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()
    stop, count = time.monotonic() + seconds, 0
    while time.monotonic() < stop:
        with open(log, "a") as handle:
            handle.write(f"- 12:00 outside {count}\\n")
        count += 1
        time.sleep(pause)
    print(count, 0, flush=True)
    """
)


def _anchor(folder: Path, bookmarks: bool, runs: int = 20) -> float:
    """Median ms of one log_entry (or add_mark) on a copy of the starting file, nobody else writing."""
    from readertui.core import bookmarks as marks
    from readertui.core.log import log_entry
    from readertui.core.model import LineRange, Project

    project = Project("p", folder, (), folder / "notes")
    times = []
    for index in range(runs):
        started = time.perf_counter()
        if bookmarks:
            mark = marks.new_bookmark("r", "anchor.py", LineRange(index + 1, index + 1), f"anchor {index}", None, ["x"])
            marks.add_mark(project, mark)
        else:
            log_entry(project, f"anchor {index}", clock=lambda: datetime(2026, 11, 28, 12, 0))
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def _written(text: str, bookmarks: bool) -> list[tuple[str, str]]:
    """(who, number) of every line or bookmark the race left in the file, in file order."""
    if not bookmarks:
        return re.findall(r"^- 12:00 (\w+) (\d+)$", text, flags=re.MULTILINE)
    found = re.findall(r"^# (outside) (\d+)$", text, flags=re.MULTILINE)
    labels = re.findall(r'^label = "(\w+) (\d+)"$', text, flags=re.MULTILINE)
    return found + [(who, number) for who, number in labels if who != "anchor"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between outside appends")
    parser.add_argument("--writer-pause", type=float, default=0.05, help="seconds between a writer's entries")
    parser.add_argument("--size-kb", type=int, default=0, help="pad the log to about this size first")
    parser.add_argument("--bookmarks", action="store_true", help="race on bookmarks.toml instead of the log")
    args = parser.parse_args()
    seconds = args.minutes * 60
    name, writer, appender = "code-reading-log.md", WRITER, APPENDER
    start_text = "# Code reading log\n\n"
    if args.bookmarks:
        name, writer = "bookmarks.toml", BOOKMARK_WRITER
        appender = APPENDER.replace("- 12:00 outside ", "# outside ")
        start_text = "# hand-written header\n"
    elif args.size_kb:
        line = "- 09:00 padding line of an older day, about sixty characters long\n"
        start_text += "## 2026-11-27\n\n" + line * (args.size_kb * 1024 // len(line)) + "\n"
    if not args.bookmarks:
        start_text += "## 2026-11-29\n\n"
    with tempfile.TemporaryDirectory(prefix="bench-clobber-") as tmp:
        anchor_folder = Path(tmp) / "anchor"
        (anchor_folder / "notes").mkdir(parents=True)
        (anchor_folder / "notes" / name).write_text(start_text)
        anchor = _anchor(anchor_folder, args.bookmarks)
        folder = Path(tmp) / "race"
        log = folder / "notes" / name
        log.parent.mkdir(parents=True)
        log.write_text(start_text)
        commands = {
            "alpha": [sys.executable, "-c", writer, str(folder), "alpha", str(seconds), str(args.writer_pause)],
            "beta": [sys.executable, "-c", writer, str(folder), "beta", str(seconds), str(args.writer_pause)],
            "outside": [sys.executable, "-c", appender, str(log), str(seconds), str(args.pause)],
        }
        processes = {
            name: subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for name, command in commands.items()
        }
        for process in processes.values():
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        for process in processes.values():
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = {}
        for name, process in processes.items():
            out, _ = process.communicate(timeout=seconds + 600)
            if process.returncode != 0:
                print(f"{name} failed (exit {process.returncode})")
                return 1
            written, refused = out.split()
            results[name] = (int(written), int(refused))
        text = log.read_text()
        size = log.stat().st_size
        leftovers = sorted(p.name for p in log.parent.iterdir() if p.name != log.name)
    found = _written(text, args.bookmarks)
    duplicates = sum(count - 1 for count in Counter(found).values() if count > 1)
    what = "bookmarks.toml" if args.bookmarks else "log"
    print(
        f"{args.minutes:g} min, outside append every {args.pause * 1000:g} ms, each writer every "
        f"{args.writer_pause * 1000:g} ms + its write, final {what} {size / 1024:.0f} KB"
    )
    operation = "add_mark" if args.bookmarks else "log_entry"
    print(f"anchor: one {operation} alone on the starting file: {anchor:.1f} ms (median of 20)")
    for who_name, (written, refused) in results.items():
        seen = [int(number) for who, number in found if who == who_name]
        lost = written - len(set(seen))
        in_order = seen == sorted(seen)
        label = "outside lines" if who_name == "outside" else f"{who_name} {'bookmarks' if args.bookmarks else 'entries'}"
        extra = f", refused and retried: {refused}" if who_name != "outside" else ""
        print(f"{label} lost: {lost} of {written}{extra}{'' if in_order else ', OUT OF ORDER'}")
    print(f"duplicated lines: {duplicates}; other files left in notes/: {leftovers or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where the reader's start-up goes: its phases and the terminal's view, on one clock.

    python benchmarks/start_phases.py                      # the generated workspace, 3 runs
    python benchmarks/start_phases.py projects --runs 5    # any workspace

Runs the reader in a pseudo-terminal (120×40) through a small wrapper that stamps, with the
monotonic clock both processes share, the end of its imports, `ReaderApp()`, the main screen's
mount and every frame Textual paints (and whether it was painted inside Textual's start-up
batch, where frames are dropped); the harness stamps when text first reaches the screen. Then
the same for the bare Textual app `bench_app.py` uses as its anchor. Times are milliseconds
from the spawn. A tool for finding what to cut, not a figure for the README: `bench_app.py`
measures start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pty_harness import PtySession  # noqa: E402

DEFAULT_WORKSPACE = HERE / "out" / "kb" / "ws"

# Runs inside the child: stamps its phases, then starts the reader or the bare app as usual.
WRAPPER = r"""
import json, os, sys, time
stamps = []
def stamp(name):
    stamps.append((name, time.perf_counter()))
def dump():
    with open(os.environ["PHASES_OUT"], "w") as out:
        json.dump(stamps, out)
import atexit
atexit.register(dump)
def watch_frames(app):
    display = app._display
    def counted(screen, renderable):
        if renderable is not None:
            stamp("frame" + (" (dropped: start-up batch)" if app._batch_count else ""))
        return display(screen, renderable)
    app._display = counted
stamp("python started")
if sys.argv[1] == "bare":
    sys.argv = [sys.argv[2], *sys.argv[3:]]
    import runpy
    from textual.app import App
    stamp("imports done")
    init = App.__init__
    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        stamp("App()")
        watch_frames(self)
    App.__init__ = patched
    runpy.run_path(sys.argv[0], run_name="__main__")
else:
    # Through `readertui`'s own entry point, which overlaps finding the workspace with the
    # imports: the reader's classes are patched as soon as `readertui.ui.app` is imported.
    import builtins
    real_import = builtins.__import__
    def patch_reader():
        import readertui.ui.app as app_module
        from readertui.ui.screens.main import MainScreen
        stamp("imports done")
        init = app_module.ReaderApp.__init__
        def patched(self, *args, **kwargs):
            init(self, *args, **kwargs)
            stamp("ReaderApp()")
            watch_frames(self)
        app_module.ReaderApp.__init__ = patched
        mount = MainScreen.on_mount
        def mounted(self):
            stamp("MainScreen mounted")
            mount(self)
        MainScreen.on_mount = mounted
        first = MainScreen.first_frame_shown
        def ready(self):
            stamp("Ready: background work starts")
            first(self)
        MainScreen.first_frame_shown = ready
    def importing(name, *args, **kwargs):
        module = real_import(name, *args, **kwargs)
        if name == "readertui.ui.app" and builtins.__import__ is importing:
            builtins.__import__ = real_import
            patch_reader()
        return module
    builtins.__import__ = importing
    from readertui import cli
    cli.main([sys.argv[2]])
"""


def run_once(argv: list[str], env: dict[str, str]) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "phases.json"
        env = {**env, "PHASES_OUT": str(out)}
        spawned = time.perf_counter()
        with PtySession([sys.executable, "-c", WRAPPER, *argv], cols=120, rows=40, env=env) as term:
            shown = term.started + term.wait_for(
                lambda screen: any(line.strip() for line in screen.display), timeout=30
            )
            term.settle(0.5)
            term.send(b"\x11")  # ctrl+q
            term.settle(0.5)
        for _ in range(50):  # the child writes its stamps when it exits
            if out.exists():
                break
            time.sleep(0.05)
        stamps = json.loads(out.read_text()) if out.exists() else []
    events = [(name, (at - spawned) * 1000) for name, at in stamps]
    events.append(("text on the terminal", (shown - spawned) * 1000))
    return sorted(events, key=lambda event: event[1])


def report(label: str, runs: list[list[tuple[str, float]]]) -> None:
    print(f"\n{label} (ms from spawn, median of {len(runs)} runs; each frame is numbered)")
    columns: dict[str, list[float]] = {}
    for events in runs:
        frames = 0
        for name, at in events:
            if name.startswith("frame"):
                frames += 1
                if frames > 3:
                    continue
                name = f"frame {frames}{name[5:]}"
            columns.setdefault(name, []).append(at)
    for name, values in sorted(columns.items(), key=lambda item: statistics.median(item[1])):
        print(f"  {statistics.median(values):7.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", nargs="?", type=Path, default=DEFAULT_WORKSPACE)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workspace = args.workspace.resolve()
    notes = sorted(workspace.glob("*/notes/*.md"))
    if not notes:
        sys.exit(f"no notes under {workspace}: run benchmarks/gen_workspace.py first")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src")], check=True)
    with tempfile.TemporaryDirectory() as state:
        env = {"READERTUI_STATE_DIR": f"{state}/state", "READERTUI_CONFIG_DIR": f"{state}/config",
               "READERTUI_CACHE_DIR": f"{state}/cache"}  # warm after the first run
        reader = [run_once(["reader", str(workspace)], env) for _ in range(args.runs)]
    bare = [run_once(["bare", str(HERE / "bare_app.py"), str(notes[0])], {}) for _ in range(args.runs)]
    print(f"load average {os.getloadavg()[0]:.2f}")
    report("readertui", reader)
    report("bare Textual app", bare)


if __name__ == "__main__":
    main()

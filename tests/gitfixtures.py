"""Real git history for tests, built with the `git` command in a temp dir (no network).

`build_kb(tmp)` makes a knowledge base as users have it:

    kb/                              superproject (git), registers the submodule
      awesome/                       the workspace
        engine-study/                a project
          Engine/                    submodule, pinned at commit A (B exists upstream)
          notes/overview.md …        notes citing Engine at A
      upstream/engine/               the submodule's origin (a plain repo with commits A, B)

Commit B moves and changes code: 5 lines inserted at the top of `src/engine/core.py`, the body
of `step()` edited, `src/util/queue.ts` renamed to `src/util/work_queue.ts`, and
`src/old.py` deleted.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_COMMITTER_DATE": "2026-01-02T03:04:05+00:00",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    out = subprocess.run(
        ["git", "-c", "protocol.file.allow=always", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def numbered(prefix: str, count: int) -> str:
    """`count` distinct lines: `<prefix> line 1` …, handy for exact line arithmetic."""
    return "".join(f"{prefix} line {i}\n" for i in range(1, count + 1))


CORE_A = (
    "import os\n"  # 1
    "\n"  # 2
    "\n"  # 3
    "class Engine:\n"  # 4
    "    def __init__(self, model):\n"  # 5
    "        self.model = model\n"  # 6
    "        self.steps = 0\n"  # 7
    "\n"  # 8
    "    def step(self, batch):\n"  # 9
    "        loss = self.model(batch)\n"  # 10
    "        self.steps += 1\n"  # 11
    "        return loss\n"  # 12
    "\n"  # 13
    "    def save(self, path):\n"  # 14
    "        with open(path, 'w') as fh:\n"  # 15
    "            fh.write(str(self.steps))\n"  # 16
    + numbered("# filler", 24)  # 17-40
)

CORE_B = (
    "# Copyright header added in B\n"
    "# line 2 of header\n"
    "# line 3 of header\n"
    "# line 4 of header\n"
    "# line 5 of header\n"
    + CORE_A.replace(
        "        loss = self.model(batch)\n        self.steps += 1\n",
        "        loss = self.model(batch) * self.scale\n        self.steps += 1\n",
    )
)

QUEUE_TS = "".join(f"export const q{i} = {i};\n" for i in range(1, 31))


@dataclass
class KB:
    root: Path  # kb/ superproject
    workspace: Path  # kb/awesome
    project: Path  # kb/awesome/engine-study
    submodule: Path  # kb/awesome/engine-study/Engine
    upstream: Path  # the submodule's origin
    a: str  # full sha of commit A (pinned)
    b: str  # full sha of commit B (upstream main)


def build_upstream(base: Path) -> tuple[Path, str, str]:
    up = base / "upstream" / "engine"
    up.mkdir(parents=True)
    git(up, "init", "-q")
    write(up / "src/engine/core.py", CORE_A)
    write(up / "src/engine/__init__.py", "from .core import Engine\n")
    write(up / "src/util/queue.ts", QUEUE_TS)
    write(up / "src/old.py", numbered("old", 10))
    write(up / "services/worker/src/main.ts", numbered("// main", 120))
    write(up / "tests/core.py", numbered("# test core", 12))  # a second core.py: ambiguity
    write(up / "third_party/lib/core.py", numbered("# vendored", 8))
    write(up / "README.md", "# Engine\n")
    a = commit_all(up, "A: initial")
    git(up, "tag", "v1.0")
    write(up / "src/engine/core.py", CORE_B)
    git(up, "mv", "src/util/queue.ts", "src/util/work_queue.ts")
    git(up, "rm", "-q", "src/old.py")
    b = commit_all(up, "B: header, scale, rename queue, drop old.py")
    return up, a, b


def build_kb(base: Path, notes: dict[str, str] | None = None) -> KB:
    """The knowledge base under `base`: a copy of one built once per process (a build is ~15
    git calls, a copy two), its absolute submodule URL pointed at this copy's upstream."""
    template, (a, b) = _template()
    shutil.copytree(template / "upstream", base / "upstream", symlinks=True)
    shutil.copytree(template / "kb", base / "kb", symlinks=True)
    root = base / "kb"
    old, new = str(template / "upstream"), str(base / "upstream")
    for config in [root / ".gitmodules", root / ".git" / "config", *(root / ".git" / "modules").rglob("config")]:
        config.write_text(config.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    project = root / "awesome" / "engine-study"
    if notes is not None:
        shutil.rmtree(project / "notes")
        for name, text in notes.items():
            write(project / "notes" / name, text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--amend", "-m", "kb: add engine-study")
    return KB(root, root / "awesome", project, project / "Engine", base / "upstream" / "engine", a, b)


@functools.cache
def _template() -> tuple[Path, tuple[str, str]]:
    """The knowledge base as `_build_kb` makes it, built once per process in a temp dir, and
    its commits A and B."""
    base = Path(tempfile.mkdtemp(prefix="readertui-kb-template-"))
    atexit.register(shutil.rmtree, base, True)
    kb = _build_kb(base)
    return base, (kb.a, kb.b)


def _build_kb(base: Path) -> KB:
    up, a, b = build_upstream(base)
    root = base / "kb"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "README.md", "# my knowledge base\n")
    workspace = root / "awesome"
    project = workspace / "engine-study"
    project.mkdir(parents=True)
    git(root, "submodule", "add", "-q", str(up), "awesome/engine-study/Engine")
    sub = project / "Engine"
    git(sub, "checkout", "-q", "--detach", a)
    write(project / "notes" / "code-reading-log.md", "# Code reading log\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "kb: add engine-study")
    return KB(root, workspace, project, sub, up, a, b)

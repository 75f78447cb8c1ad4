"""core/symbol_grep + the first tier in core/symbols and core/symbol_service: a big Python
repo's definitions from `git grep` while the precise tier is built behind them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from readertui.core import symbol_grep, symbols
from readertui.core.model import Repo, RepoKind
from readertui.core.symbol_cache import SymbolCache
from readertui.core.symbol_service import SymbolService
from readertui.core.symbols import build_repo
from tests.gitfixtures import commit_all, git, write

MODULE = '''"""Docs.

X = 1 is not a constant here, and
def looks_like(x): neither
"""
LIMIT: int = 10
a, b = 1, 2


@decorated
class Engine(Base):
    def step(self):
        def inner():
            pass
        return 1

    async def save(self):
        pass


def helper():
    return 2
'''


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "code"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "pkg/engine.py", MODULE)
    for i in range(4):
        write(root / f"pkg/m{i}.py", f"def f{i}():\n    pass\n")
    commit_all(root, "A")
    return root


def test_first_tier_reads_headers_with_scopes_kinds_and_columns(repo: Path) -> None:
    found = symbol_grep.python_definitions(repo, git(repo, "rev-parse", "HEAD"))
    assert found is not None
    got = [(d.qualified, d.kind, d.line, d.column, d.start, d.end) for d in found["pkg/engine.py"]]
    assert got == [
        # Documented mistakes: lines inside a string that look like a header are taken.
        ("X", "constant", 3, 0, 3, 3),
        ("looks_like", "function", 4, 4, 4, 4),
        ("LIMIT", "constant", 6, 0, 6, 6),
        ("Engine", "class", 11, 6, 11, 11),
        ("Engine.step", "method", 12, 8, 12, 12),
        ("Engine.step.inner", "function", 13, 12, 13, 13),
        ("Engine.save", "method", 17, 14, 17, 17),
        ("helper", "function", 21, 4, 21, 21),
    ]
    only = symbol_grep.python_definitions(repo, git(repo, "rev-parse", "HEAD"), {"pkg/m1.py"})
    assert only is not None and list(only) == ["pkg/m1.py"]


def test_first_tier_stops_at_once_when_cancelled(repo: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    assert symbol_grep.python_definitions(repo, git(repo, "rev-parse", "HEAD"), cancel=cancel) is None


def test_first_tier_never_fails(repo: Path, tmp_path: Path) -> None:
    assert symbol_grep.python_definitions(repo, "--output=/tmp/x") is None
    assert symbol_grep.python_definitions(repo, "0" * 40) is None  # unknown commit
    assert symbol_grep.python_definitions(tmp_path / "nowhere", "0" * 40) is None


class GatedExecutor(ThreadPoolExecutor):
    """Parses in threads, but only once `gate` opens: a build held in the middle."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__(max_workers=2)
        self.gate = gate

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def gated() -> Any:
            self.gate.wait(30)
            return fn(*args, **kwargs)

        return super().submit(gated)


def test_lookups_answer_from_the_first_tier_then_the_precise_one_replaces_it(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(symbols, "FIRST_TIER_FILES", 1)
    monkeypatch.setattr(symbols, "_IN_PROCESS_FILES", 0)
    gate = threading.Event()
    service = SymbolService(tmp_path / "symbols.sqlite", workers=2)
    service._executor = GatedExecutor(gate)  # type: ignore[assignment]
    model = Repo("code", repo, RepoKind.NESTED_GIT, head=git(repo, "rev-parse", "HEAD"))
    first_tier_in = threading.Event()
    original = symbol_grep.python_definitions

    def signalling(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        finally:
            first_tier_in.set()

    monkeypatch.setattr(symbol_grep, "python_definitions", signalling)
    builder = threading.Thread(target=service.table, args=(model,))
    builder.start()
    try:
        assert first_tier_in.wait(30)
        early = service.table(model)  # another thread: answered while the build is held
        assert early is not None and not early.complete and early.usable.is_set()
        (step,) = [hit for hit in early.named("step")]
        assert (step.path, step.definition.line, step.definition.end) == ("pkg/engine.py", 12, 12)
        assert "pkg/engine.py" in early.provisional
    finally:
        gate.set()
        builder.join(30)
    final = service.table(model)
    assert final is not None and final.complete and not final.provisional
    engine = {d.qualified: d for d in final.definitions_in("pkg/engine.py")}
    assert "looks_like" not in engine  # the docstring's false header is gone
    assert (engine["Engine"].start, engine["Engine"].end) == (10, 18)  # precise: decorator to body
    service.close()


def test_only_precise_definitions_are_stored(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(symbols, "FIRST_TIER_FILES", 1)
    monkeypatch.setattr(symbols, "_IN_PROCESS_FILES", 0)
    calls: list[int] = []
    original = symbol_grep.python_definitions

    def counted(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        calls.append(len(found or {}))
        return found

    monkeypatch.setattr(symbol_grep, "python_definitions", counted)
    commit = git(repo, "rev-parse", "HEAD")
    write(repo / "pkg/skipped.py", "x = 1;" * 3000 + "\ndef hidden():\n    pass\n")  # one line too long
    commit = commit_all(repo, "monster")
    cache = SymbolCache()
    build_repo(SymbolCache(tmp_path / "cli.sqlite"), "code", repo, commit, workers=2)
    assert calls == []  # the command line waits for the end: no first tier for it
    table = build_repo(cache, "code", repo, commit, workers=2, first_tier=True)
    assert calls and calls[0] >= 5  # the first tier ran
    assert table.complete and not table.provisional
    assert "pkg/skipped.py" not in table.files and "minified" in table.skipped["pkg/skipped.py"]
    snapshot = cache.get_snapshot(commit)
    assert snapshot is not None
    stored = dict(snapshot.files)
    assert "looks_like" not in {d.name for d in stored["pkg/engine.py"]}

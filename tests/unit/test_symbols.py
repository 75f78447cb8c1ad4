"""core/symbols + core/symbol_cache + core/symbol_rank: the blob-keyed symbol index."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core import symbol_cache, symbols
from readertui.core.symbol_cache import SymbolCache
from readertui.core.symbol_rank import import_hints, rank
from readertui.core.symbols import SymbolHit, blob_id, build_repo, find
from readertui.core.tags import Definition
from tests.gitfixtures import commit_all, git, write

ENGINE = "class Engine:\n    def step(self):\n        return 1\n\n    def save(self):\n        pass\n"
UTIL = "def helper():\n    return 2\n\n\ndef step():\n    return 3\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "code"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "src/engine/core.py", ENGINE)
    write(root / "src/util.py", UTIL)
    write(root / "README.md", "# not code with symbols\n")
    commit_all(root, "A")
    return root


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    original = symbols.parse_blob

    def counting(blob: str, path: str, data: bytes):
        parsed.append(path)
        return original(blob, path, data)

    monkeypatch.setattr(symbols, "parse_blob", counting)
    return parsed


def test_index_lists_definitions_with_scopes(repo: Path) -> None:
    table = build_repo(SymbolCache(), "code", repo, head(repo))
    assert table.complete
    assert [d.qualified for d in table.definitions_in("src/engine/core.py")] == ["Engine", "Engine.step", "Engine.save"]
    assert "README.md" not in table.files
    hit = table.named("helper")[0]
    assert hit.citation == "code/src/util.py:1-2" and hit.commit == head(repo)


def test_a_blob_is_parsed_once_across_commits_and_processes(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    a = head(repo)
    build_repo(SymbolCache(), "code", repo, a)
    assert sorted(parsed) == ["src/engine/core.py", "src/util.py"]
    write(repo / "src/util.py", UTIL + "\n\ndef added():\n    pass\n")
    b = commit_all(repo, "B")
    parsed.clear()
    table = build_repo(SymbolCache(), "code", repo, b)  # a new handle: read back from disk
    assert parsed == ["src/util.py"]  # core.py's blob is the same at B
    assert "added" in [d.name for d in table.definitions_in("src/util.py")]
    parsed.clear()
    older = build_repo(SymbolCache(), "code", repo, a)
    assert parsed == []
    assert "added" not in [d.name for d in older.definitions_in("src/util.py")]


def test_plain_folders_are_keyed_by_git_compatible_content_hash(repo: Path, tmp_path: Path) -> None:
    data = (repo / "src/util.py").read_bytes()
    assert blob_id(data) == git(repo, "hash-object", "src/util.py")
    plain = tmp_path / "plain"
    write(plain / "lib/util.py", UTIL)
    write(plain / ".hidden/secret.py", "def hidden():\n    pass\n")
    cache = SymbolCache()
    build_repo(cache, "code", repo, head(repo))
    before = cache.count()
    table = build_repo(cache, "plain", plain, None)
    assert cache.count() == before  # same bytes as the git blob: nothing new parsed
    assert [d.name for d in table.definitions_in("lib/util.py")] == ["helper", "step"]
    assert list(table.files) == ["lib/util.py"]


def test_monsters_binary_and_huge_files_are_skipped_with_a_reason(repo: Path) -> None:
    write(repo / "dist/bundle.js", "var a=1;" * 2000 + "\n")
    (repo / "big.py").write_bytes(b"x = 1\n" * (symbols.MAX_FILE_BYTES // 6 + 10))
    (repo / "blob.c").write_bytes(b"int x;\0\0\0")
    commit = commit_all(repo, "monsters")
    table = build_repo(SymbolCache(), "code", repo, commit)
    assert "minified or generated" in table.skipped["dist/bundle.js"]
    assert "too big" in table.skipped["big.py"]
    assert table.skipped["blob.c"] == "binary file"
    assert table.definitions_in("src/util.py")  # the rest is indexed


def test_cancel_stops_between_batches(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(120):
        write(repo / f"gen/m{i}.py", f"def f{i}():\n    pass\n")
    commit = commit_all(repo, "many")
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done:
            cancel.set()

    table = build_repo(SymbolCache(), "code", repo, commit, cancel=cancel, progress=progress)
    assert not table.complete
    assert 0 < len(table.files) < 122
    assert seen[0] == (0, 122)


def test_current_file_is_indexed_first(repo: Path) -> None:
    for i in range(60):
        write(repo / f"a{i:02}.py", f"def f{i}():\n    pass\n")
    commit = commit_all(repo, "many")
    order: list[str] = []
    table = symbols.RepoSymbols("code", repo, commit)
    original = table.add

    def add(path: str, definitions: tuple[Definition, ...]) -> None:
        order.append(path)
        original(path, definitions)

    table.add = add  # type: ignore[method-assign]
    build_repo(SymbolCache(), "code", repo, commit, priority=["src/util.py"], table=table)
    assert order[0] == "src/util.py"


def test_worker_processes_build_the_same_index(repo: Path) -> None:
    for i in range(symbols._IN_PROCESS_FILES + 5):
        write(repo / f"gen/m{i}.py", f"class C{i}:\n    def m(self):\n        pass\n")
    commit = commit_all(repo, "many")
    pooled = build_repo(SymbolCache(Path(repo.parent / "pool.sqlite")), "code", repo, commit, workers=2)
    local = build_repo(SymbolCache(Path(repo.parent / "local.sqlite")), "code", repo, commit)
    assert pooled.complete and pooled.files == local.files


def test_a_finished_commit_is_read_back_whole(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build_repo(SymbolCache(), "code", repo, head(repo))

    def no_listing(*_: object) -> None:
        raise AssertionError("the tree was listed again")

    monkeypatch.setattr(symbols, "tree_entries", no_listing)
    again = build_repo(SymbolCache(), "code", repo, head(repo))  # a new handle: from disk
    assert again.complete and again.files == first.files and again.skipped == first.skipped
    assert again.named("step")[0].definition.qualified in {"Engine.step", "step"}


def test_a_damaged_snapshot_is_rebuilt_from_the_blob_rows(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "symbols.sqlite"
    filled_cache(path, repo)
    db = sqlite3.connect(path)
    assert db.execute("UPDATE snapshots SET data = x'c1c1c1'").rowcount == 1
    db.commit()
    db.close()
    table = build_repo(SymbolCache(path), "code", repo, head(repo))
    assert table.complete and [d.name for d in table.definitions_in("src/util.py")] == ["helper", "step"]


def test_snapshots_are_bounded(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(symbol_cache, "MAX_SNAPSHOTS", 2)
    cache = SymbolCache()
    for i in range(4):
        write(repo / "src/util.py", UTIL + f"\n\ndef added{i}():\n    pass\n")
        build_repo(cache, "code", repo, commit_all(repo, f"c{i}"))
    assert cache._read("SELECT count(*) FROM snapshots", [])[0][0] == 2


def drop_object(repo: Path, blob: str, how: str) -> None:
    """Make git unable to give `blob`, as in a partial clone (loose objects in these repos)."""
    loose = repo / ".git" / "objects" / blob[:2] / blob[2:]
    if how == "missing":
        loose.unlink()
    else:
        loose.chmod(0o644)
        loose.write_bytes(b"garbage, not zlib")


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_a_blob_git_cannot_give_is_skipped_with_a_reason(repo: Path, how: str) -> None:
    for i in range(3):
        write(repo / f"gen/m{i}.py", f"def f{i}():\n    pass\n")
    commit = commit_all(repo, "more")
    blob = git(repo, "rev-parse", f"{commit}:gen/m0.py")  # the first in tree order
    drop_object(repo, blob, how)
    cache = SymbolCache()
    table = build_repo(cache, "code", repo, commit)
    assert table.skipped == {"gen/m0.py": symbols.MISSING_BLOB}
    assert set(table.files) == {"src/engine/core.py", "src/util.py", "gen/m1.py", "gen/m2.py"}
    # Not remembered as finished: once git has the blob again, the next build indexes it.
    assert cache.get_snapshot(commit) is None
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink(missing_ok=True)
    assert git(repo, "hash-object", "-w", "gen/m0.py") == blob  # the object is back
    table = build_repo(cache, "code", repo, commit)
    assert table.skipped == {} and [d.name for d in table.definitions_in("gen/m0.py")] == ["f0"]
    assert cache.get_snapshot(commit) is not None


def test_a_tree_of_200k_files_is_indexed(tmp_path: Path) -> None:
    """200k paths sharing one blob (built without writing 200k files): listed, parsed once,
    stored, read back whole. Time, memory and the UI thread's delay on such a tree are
    measured in benchmarks/bench_symbols.py (`--many-files`)."""
    root = tmp_path / "huge"
    root.mkdir()
    git(root, "init", "-q")
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], cwd=root, input=b"def f():\n    pass\n", capture_output=True, check=True
    ).stdout.decode().strip()
    index = "".join(f"100644 {blob}\td{i // 1000:03}/m{i % 1000:03}.py\n" for i in range(200_000))
    subprocess.run(["git", "update-index", "--index-info"], cwd=root, input=index.encode(), check=True)
    tree = git(root, "write-tree")
    commit = git(root, "commit-tree", "-m", "huge", tree)
    cache = SymbolCache()
    table = build_repo(cache, "huge", root, commit)
    assert table.complete and len(table.files) == 200_000 and len(table) == 200_000
    assert cache.count() == 1  # one blob, parsed once
    again = build_repo(SymbolCache(), "huge", root, commit)
    assert len(again.files) == 200_000


# --- the cache file: damage, versions, locks, sharing -----------------------------------


def filled_cache(path: Path, repo: Path) -> None:
    cache = SymbolCache(path)
    build_repo(cache, "code", repo, head(repo))
    cache.close()


def test_corrupt_cache_is_set_aside_and_rebuilt(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "c" / "symbols.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database at all" * 100)
    cache = SymbolCache(path)
    table = build_repo(cache, "code", repo, head(repo))
    assert table.definitions_in("src/util.py")
    assert cache.problem is None and cache.count() == 2
    assert path.with_name("symbols.sqlite.old").read_bytes().startswith(b"this is not")


def test_truncated_cache_never_crashes(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "symbols.sqlite"
    filled_cache(path, repo)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    cache = SymbolCache(path)
    table = build_repo(cache, "code", repo, head(repo))
    assert [d.name for d in table.definitions_in("src/util.py")] == ["helper", "step"]


def test_older_version_is_rebuilt(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "symbols.sqlite"
    filled_cache(path, repo)
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = 'symbols-0' WHERE key = 'version'")
    db.commit()
    db.close()
    cache = SymbolCache(path)
    assert cache.count() == 0  # rebuilt empty, then filled again
    build_repo(cache, "code", repo, head(repo))
    assert cache.count() == 2


def test_unwritable_cache_dir_keeps_the_index_in_memory(repo: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    cache = SymbolCache(blocker / "sub" / "symbols.sqlite")
    assert cache.problem and "in memory" in cache.problem
    table = build_repo(cache, "code", repo, head(repo))
    assert table.definitions_in("src/util.py")


def test_locked_cache_falls_back_to_memory(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(symbol_cache, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "symbols.sqlite"
    path.write_bytes(b"")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        cache = SymbolCache(path)
        table = build_repo(cache, "code", repo, head(repo))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert cache.problem and "busy" in cache.problem
    assert table.definitions_in("src/util.py")


WORKER = """
import sys
from pathlib import Path
from readertui.core.symbol_cache import SymbolCache
from readertui.core.symbols import build_repo
cache = SymbolCache(Path(sys.argv[1]))
table = build_repo(cache, "code", Path(sys.argv[2]), sys.argv[3])
print(len(table), cache.problem)
"""


def test_two_processes_share_one_cache(repo: Path, tmp_path: Path) -> None:
    for i in range(40):
        write(repo / f"gen/m{i}.py", f"def f{i}():\n    pass\n")
    commit = commit_all(repo, "many")
    path = tmp_path / "shared.sqlite"
    command = [sys.executable, "-c", WORKER, str(path), str(repo), commit]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert [out for out, _ in outputs] == ["45 None\n", "45 None\n"]
    assert SymbolCache(path).count() == 42


# --- lookups and ranking ---------------------------------------------------------------


def hit(path: str, name: str = "step", kind: str = "function", repo: str = "code", scope: str = "") -> SymbolHit:
    return SymbolHit(repo, path, Definition(name, kind, 1, 2, 1, 0, scope))


def test_find_exact_then_scoped_then_prefix(repo: Path) -> None:
    table = build_repo(SymbolCache(), "code", repo, head(repo))
    assert [h.definition.qualified for h in find([table], "step")] == ["Engine.step", "step"]
    assert [h.definition.qualified for h in find([table], "Engine.step")] == ["Engine.step"]
    assert [h.definition.qualified for h in find([table], "Engine::save")] == ["Engine.save"]
    assert [h.definition.qualified for h in find([table], "he")] == ["helper"]
    assert [h.definition.qualified for h in find([table], "step", kind="method")] == ["Engine.step"]
    assert find([table], "nothing") == [] and find([table], "  ") == []


def test_rank_same_file_then_imported_then_same_dir_then_rest_then_tests() -> None:
    source = "from pkg.models.layer import TransformerLayer\n"
    hints = import_hints(source, "python", "TransformerLayer", "pkg/train/run.py")
    hits = [
        hit("tests/test_layer.py"),
        hit("pkg/other/layer.py"),
        hit("pkg/train/helpers.py"),
        hit("pkg/models/layer.py"),
        hit("pkg/train/run.py"),
        hit(".venv/lib/layer.py"),
        hit("pkg/models/layer.py", repo="other-repo"),
    ]
    ranked = [(h.repo, h.path) for h in rank(hits, "code", "pkg/train/run.py", hints)]
    assert ranked == [
        ("code", "pkg/train/run.py"),
        ("code", "pkg/models/layer.py"),
        ("code", "pkg/train/helpers.py"),
        ("code", "pkg/other/layer.py"),
        ("other-repo", "pkg/models/layer.py"),
        ("code", ".venv/lib/layer.py"),
        ("code", "tests/test_layer.py"),
    ]


def test_import_hints_for_relative_python_c_and_js() -> None:
    py = import_hints("from ..core import (\n    Engine,\n    step as s,\n)\n", "python", "Engine", "a/b/c.py")
    assert py.matches("a/core.py") and py.matches("a/core/__init__.py") and not py.matches("a/b/core.py")
    assert not import_hints("from x import step as Engine\n", "python", "Engine", "m.py").matches("x.py")
    c = import_hints('#include "queue.h"\n#include <stdio.h>\n', "c", "queue_push", "src/main.c")
    assert c.matches("src/queue.h") and c.matches("src/queue.c") and c.matches("lib/queue.c")
    js = import_hints("import { work, other as o } from './util/queue';\n", "typescript", "work", "src/app.ts")
    assert js.matches("src/util/queue.ts") and not js.matches("src/queue.ts")
    assert not import_hints("import { other } from './util/queue';\n", "typescript", "work", "src/app.ts").matches(
        "src/util/queue.ts"
    )


def test_rank_prefers_definitions_over_prototypes_from_an_included_header() -> None:
    hints = import_hints('#include "queue.h"\n', "c", "queue_push", "src/main.c")
    ranked = rank(
        [hit("src/queue.h", "queue_push", "prototype"), hit("other/x.c", "queue_push"), hit("src/queue.c", "queue_push")],
        "code",
        "src/main.c",
        hints,
    )
    assert [h.path for h in ranked] == ["src/queue.c", "src/queue.h", "other/x.c"]


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet="from import #include<>\"'./{}(),*\n\tabcXY_:-", max_size=300),
    st.sampled_from(["python", "c", "cpp", "cuda", "javascript", "typescript", "rust", "go", None]),
    st.text(alphabet="abXY_", min_size=1, max_size=5),
)
def test_import_hints_never_raise_on_any_text(source: str, language: str | None, name: str) -> None:
    hints = import_hints(source, language, name, "a/b/c.x")
    hints.matches("a/b/d.py")
    rank([hit("a/b/d.py", name)], "code", "a/b/c.x", hints)


def test_worker_processes_run_at_a_lower_priority() -> None:
    import os

    with symbols.new_executor(1) as pool:
        assert pool.submit(os.nice, 0).result(timeout=60) == os.nice(0) + symbols.WORKER_NICE


def test_the_file_shown_reads_its_definitions_from_the_cache(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readertui.core import tags
    from readertui.core.model import Repo, RepoKind
    from readertui.core.symbol_service import SymbolService

    service = SymbolService(tmp_path / "symbols.sqlite", workers=0)
    model = Repo("code", repo, RepoKind.NESTED_GIT, head=head(repo))
    assert service.stored_definitions(UTIL.encode(), "python") is None  # nothing indexed yet
    service.table(model)

    def no_parse(*_: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(tags, "definitions", no_parse)
    stored = service.stored_definitions(UTIL.encode(), "python")
    assert stored is not None and [d.name for d in stored] == ["helper", "step"]
    assert service.stored_definitions(UTIL.encode(), "cpp") is None  # parsed as another language
    assert service.stored_definitions(UTIL.encode() + b"\n", "python") is None  # other bytes
    service.close()


def test_a_snapshot_keeps_one_copy_of_a_blob_shared_by_many_paths(repo: Path) -> None:
    for i in range(5):
        write(repo / f"copies/c{i}.py", UTIL)  # the same blob five times
    commit = commit_all(repo, "copies")
    first = build_repo(SymbolCache(), "code", repo, commit)
    again = build_repo(SymbolCache(), "code", repo, commit)  # read back from the snapshot
    assert list(again.files) == list(first.files)  # same paths, same order
    assert again.files == first.files
    copies = {id(again.files[f"copies/c{i}.py"]) for i in range(5)}
    assert len(copies) == 1 and again.files["src/util.py"] is again.files["copies/c0.py"]


def test_index_workers_end_when_the_reader_is_killed(tmp_path: Path) -> None:
    """A reader that dies without shutting its pool down (kill -9, a dead terminal) must not
    leave its index workers waiting for work forever."""
    import os
    import time

    listed = tmp_path / "pids"
    script = (
        "import os, sys\n"
        "from readertui.core import symbols\n"
        "pool = symbols.new_executor(2)\n"
        "pids = {pool.submit(os.getpid).result() for _ in range(20)}\n"
        f"open({str(listed)!r}, 'w').write(' '.join(map(str, pids)))\n"
        "os._exit(0)\n"  # as kill -9: no shutdown
    )
    subprocess.run([sys.executable, "-c", script], stdout=subprocess.DEVNULL, timeout=60, check=True)
    pids = [int(pid) for pid in listed.read_text().split()]
    assert pids

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().split(") ", 1)[1][:1] not in "ZX"  # a zombie has ended
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 15  # a worker looks every second
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    leftover = [pid for pid in pids if alive(pid)]
    for pid in leftover:
        os.kill(pid, 9)
    assert not leftover

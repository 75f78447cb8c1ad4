"""DriftMapper on real git history: exact moves, changed ranges relocated, renames, deletions."""

from __future__ import annotations

import random
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core.bookmarks import fingerprint
from readertui.core.drift import DriftMapper, RangeMapping, map_bookmark, parse_diff, relocate
from readertui.core.git import GitRepo
from readertui.core.model import Bookmark, LineRange
from tests.gitfixtures import commit_all, git, write

R = LineRange


def lines(*items: str) -> str:
    return "".join(item + "\n" for item in items)


def history(tmp: Path, before: dict[str, str], after: dict[str, str | None]) -> DriftMapper:
    """Commit `before` as A, apply `after` (None deletes, ("old", "new") renames) as B."""
    repo = tmp / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for path, text in before.items():
        write(repo / path, text)
    a = commit_all(repo, "A")
    for path, text in after.items():
        if text is None:
            (repo / path).unlink()
        else:
            write(repo / path, text)
    b = commit_all(repo, "B")
    return DriftMapper(GitRepo(repo), a, b)


WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()
# Forty distinct lines that do not look alike (numbered lines would fool any fuzzy matcher).
_pick = random.Random(7)
BASE = lines(*(f"{'_'.join(_pick.sample(WORDS, 3))} = {i}" for i in range(1, 41)))


def edited(*, insert_after: int | None = None, count: int = 3, replace: int | None = None) -> str:
    rows = BASE.splitlines(keepends=True)
    if replace is not None:
        rows[replace - 1] = rows[replace - 1].replace(" = ", " = 2 * ")
    if insert_after is not None:
        rows[insert_after:insert_after] = [f"new {i}\n" for i in range(count)]
    return "".join(rows)


def test_lines_inserted_above_move_the_range_exactly(tmp_path):
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": edited(insert_after=2, count=3)})
    result = mapper.map("f.py", (R(10, 14),))
    assert result == RangeMapping("moved", "f.py", "f.py", (R(10, 14),), (R(13, 17),), 1.0)
    assert result.exact


def test_lines_inserted_below_leave_the_range_the_same(tmp_path):
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": edited(insert_after=30)})
    assert mapper.map("f.py", (R(10, 14),)).status == "same"
    assert mapper.map("f.py", (R(10, 14),)).new_ranges == (R(10, 14),)


def test_insertion_just_above_first_line_moves_and_just_below_last_line_stays(tmp_path):
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": edited(insert_after=9, count=2)})
    above = mapper.map("f.py", (R(10, 14),))
    assert (above.status, above.new_ranges) == ("moved", (R(12, 16),))
    below = mapper.map("f.py", (R(5, 9),))
    assert (below.status, below.new_ranges) == ("same", (R(5, 9),))


def test_insertion_inside_the_range_is_changed_and_relocated_with_its_new_extent(tmp_path):
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": edited(insert_after=11, count=2)})
    result = mapper.map("f.py", (R(10, 14),))
    assert result.status == "changed"
    assert not result.exact
    assert result.new_ranges == (R(10, 16),)
    assert 0 < result.confidence < 1


def test_edited_line_inside_the_range_is_changed_with_a_fuzzy_candidate(tmp_path):
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": edited(insert_after=1, count=4, replace=12)})
    result = mapper.map("f.py", (R(10, 14),))
    assert result.status == "changed"
    assert result.new_ranges == (R(14, 18),)
    assert 0.5 < result.confidence < 0.9


def test_a_deleted_range_has_no_candidate(tmp_path):
    rows = BASE.splitlines(keepends=True)
    del rows[9:14]
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": "".join(rows)})
    result = mapper.map("f.py", (R(10, 14),))
    assert (result.status, result.new_ranges, result.confidence) == ("changed", (), 0.0)
    assert mapper.map("f.py", (R(20, 22),)).new_ranges == (R(15, 17),)


def test_a_block_moved_elsewhere_is_found_by_its_unique_text_but_not_exact(tmp_path):
    rows = BASE.splitlines(keepends=True)
    block = rows[9:14]
    del rows[9:14]
    rows[25:25] = block
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": "".join(rows)})
    result = mapper.map("f.py", (R(10, 14),))
    assert (result.status, result.new_ranges, result.confidence) == ("changed", (R(26, 30),), 0.95)


def test_renamed_file_keeps_exact_ranges_under_the_new_path(tmp_path):
    mapper = history(tmp_path, {"src/q.ts": BASE}, {"src/q.ts": None, "lib/queue.ts": BASE})
    result = mapper.map("src/q.ts", (R(3, 4),))
    assert (result.status, result.new_path, result.new_ranges) == ("moved", "lib/queue.ts", (R(3, 4),))
    assert mapper.changed_files() == {"src/q.ts": "lib/queue.ts"}


def test_renamed_and_edited_file_maps_through_the_edits(tmp_path):
    mapper = history(
        tmp_path,
        {"src/q.ts": BASE},
        {"src/q.ts": None, "lib/queue.ts": edited(insert_after=5, count=2, replace=30)},
    )
    moved = mapper.map("src/q.ts", (R(10, 12),))
    assert (moved.status, moved.new_path, moved.new_ranges) == ("moved", "lib/queue.ts", (R(12, 14),))
    changed = mapper.map("src/q.ts", (R(29, 31),))
    assert (changed.status, changed.new_path, changed.new_ranges) == ("changed", "lib/queue.ts", (R(31, 33),))


def test_a_rename_git_misses_after_heavy_edits_is_still_followed(tmp_path):
    rows = BASE.splitlines(keepends=True)
    for k in range(14, 40):  # 26 of 40 lines edited: below git's 50% rename similarity
        rows[k] = rows[k].replace(" = ", " = 3 * ")
    mapper = history(tmp_path, {"src/q.py": BASE}, {"src/q.py": None, "lib/queue.py": "new top\n" + "".join(rows)})
    assert mapper.changed_files() == {"src/q.py": "lib/queue.py"}
    kept = mapper.map("src/q.py", (R(3, 6),))
    assert (kept.status, kept.new_path, kept.new_ranges) == ("moved", "lib/queue.py", (R(4, 7),))
    assert not mapper.map("src/q.py", (R(20, 22),)).exact


def test_deleted_file_is_orphaned(tmp_path):
    mapper = history(tmp_path, {"a.py": BASE, "old.py": BASE}, {"old.py": None})
    result = mapper.map("old.py", (R(1, 3),))
    assert (result.status, result.new_path, result.new_ranges, result.confidence) == (
        "orphaned",
        None,
        (),
        0.0,
    )


def test_multi_range_citation_takes_the_worst_status(tmp_path):
    mapper = history(tmp_path, {"f.py": BASE}, {"f.py": edited(insert_after=2, count=1, replace=30)})
    both_exact = mapper.map("f.py", (R(5, 6), R(20, 22)))
    assert (both_exact.status, both_exact.new_ranges) == ("moved", (R(6, 7), R(21, 23)))
    mixed = mapper.map("f.py", (R(5, 6), R(29, 31)))
    assert mixed.status == "changed"
    assert mixed.new_ranges == (R(6, 7), R(30, 32))
    assert mixed.confidence < 1


def test_unquoted_and_unusual_paths_are_followed(tmp_path):
    mapper = history(
        tmp_path,
        {"docs/my notes.py": BASE, "src/café.py": BASE},
        {"docs/my notes.py": edited(insert_after=0, count=1), "src/café.py": edited(insert_after=0, count=2)},
    )
    assert mapper.map("docs/my notes.py", (R(3, 3),)).new_ranges == (R(4, 4),)
    assert mapper.map("src/café.py", (R(3, 3),)).new_ranges == (R(5, 5),)


def test_removed_lines_that_look_like_headers_do_not_confuse_the_parser():
    diff = (
        "diff --git a/x.md b/x.md\n"
        "index 1..2 100644\n"
        "--- a/x.md\n"
        "+++ b/x.md\n"
        "@@ -3,2 +2,0 @@\n"
        "--- a/evil\n"
        "-+++ b/evil\n"
        "@@ -9,0 +8,1 @@\n"
        "+added\n"
    )
    files = parse_diff(diff).files
    assert list(files) == ["x.md"]
    assert [(h.old_start, h.old_count, h.new_start, h.new_count) for h in files["x.md"].hunks] == [
        (3, 2, 2, 0),
        (9, 0, 8, 1),
    ]


def test_one_diff_for_the_whole_pair(tmp_path):
    first = history(tmp_path, {"a.py": BASE, "b.py": BASE}, {"a.py": edited(insert_after=1), "b.py": edited(insert_after=2)})
    calls: list[tuple[str, str]] = []
    repo = first.git
    real_diff = repo.diff

    def counting(a: str, b: str) -> str:
        calls.append((a, b))
        return real_diff(a, b)

    repo.diff = counting  # type: ignore[method-assign]
    mapper = DriftMapper(repo, first.a, first.b)
    for path in ("a.py", "b.py", "c.py"):
        for start in range(1, 30, 3):
            mapper.map(path, (R(start, start + 1),))
    assert len(calls) == 1


def test_kb_fixture_commit_b(kb):
    mapper = DriftMapper(GitRepo(kb.submodule), kb.a, kb.b)
    init = mapper.map("src/engine/core.py", (R(5, 7),))
    assert (init.status, init.new_ranges) == ("moved", (R(10, 12),))
    step = mapper.map("src/engine/core.py", (R(9, 12),))
    assert (step.status, step.new_ranges) == ("changed", (R(14, 17),))
    assert 0.5 < step.confidence < 0.9
    queue = mapper.map("src/util/queue.ts", (R(3, 4),))
    assert (queue.status, queue.new_path, queue.new_ranges) == ("moved", "src/util/work_queue.ts", (R(3, 4),))
    assert mapper.map("src/old.py", (R(1, 2),)).status == "orphaned"
    assert mapper.map("README.md", (R(1, 1),)).status == "same"


def test_touches_says_which_files_the_diff_changes_renames_or_deletes(kb):
    """The resolver answers "same" for every range of a file `touches` is False for."""
    mapper = DriftMapper(GitRepo(kb.submodule), kb.a, kb.b)
    touched = {path: mapper.touches(path) for path in
               ("src/engine/core.py", "src/util/queue.ts", "src/old.py", "README.md", "tests/core.py", "nope.py")}
    assert touched == {"src/engine/core.py": True, "src/util/queue.ts": True, "src/old.py": True,
                       "README.md": False, "tests/core.py": False, "nope.py": False}
    for path, changed in touched.items():
        if not changed:
            assert mapper.map(path, (R(1, 1), R(3, 4))).status == "same"


def test_bookmarks_map_and_are_verified_by_fingerprint(kb):
    mapper = DriftMapper(GitRepo(kb.submodule), kb.a, kb.b)

    def mark(rng: LineRange, fingerprint: str, excerpt: str) -> Bookmark:
        return Bookmark("b1", "Engine", "src/engine/core.py", rng, "init", kb.a, None, fingerprint, excerpt)  # type: ignore[arg-type]

    good = mark(R(5, 6), fingerprint(["    def __init__(self, model):", "        self.model = model"]), "def __init__(self, model):")
    assert map_bookmark(mapper, good).new_ranges == (R(10, 11),)
    assert map_bookmark(mapper, good).exact
    # Taken on text that is not A's: found again by its excerpt, never exact.
    drifted = mark(R(5, 6), "something else", "def save(self, path):")
    result = map_bookmark(mapper, drifted)
    assert (result.status, result.new_ranges) == ("changed", (R(19, 20),))
    assert 0 < result.confidence < 1


def test_relocate_never_claims_certainty():
    old = [b"a = 1", b"b = 2", b"c = 3"]
    assert relocate(old, [b"x", b"a = 1", b"b = 2", b"c = 3"], 1).confidence == 0.95
    assert relocate(old, [b"a = 1", b"b = 2", b"c = 3"] * 2, 1).confidence < 0.95
    assert relocate(old, [b"zzz"] * 5, 1).range is None


# --- property: random edit scripts --------------------------------------------------------


class ScratchRepo:
    """One repository reused by every example: each example imports its A and B commits on a
    new branch with one `git fast-import` (cheap: no work tree, no index)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name)
        git(self.path, "init", "-q")
        self.git = GitRepo(self.path)
        self._count = 0

    def commit_pair(self, text_a: str, text_b: str) -> tuple[str, str]:
        self._count += 1
        branch = f"refs/heads/example{self._count}"
        stream = b""
        for mark, text in ((1, text_a), (2, text_b)):
            data = text.encode()
            stream += b"commit %s\nmark :%d\ncommitter T <t@example.invalid> 0 +0000\ndata 1\nx\n" % (branch.encode(), mark)
            stream += b"M 100644 inline f.txt\ndata %d\n%s\n" % (len(data), data)
        subprocess.run(["git", "fast-import", "--quiet"], cwd=self.path, input=stream, check=True)
        a, b = git(self.path, "rev-parse", f"{branch}~1", branch).split()
        return a, b


@pytest.fixture(scope="module")
def scratch():
    repo = ScratchRepo()
    yield repo
    repo._dir.cleanup()


edit_scripts = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.integers(0, 10_000), st.integers(1, 4)),
    max_size=6,
)


def apply_script(size: int, script, unique: bool, rng: random.Random) -> tuple[list[str], list[int | None]]:
    """Apply edits to lines 1..size; return B's lines and, for B line k, the A line it keeps."""
    rows: list[tuple[str, int | None]] = [(f"orig {i}" if unique else rng.choice("ab{} "), i) for i in range(1, size + 1)]
    fresh = 0
    for kind, where, count in script:
        pos = where % (len(rows) + 1)
        if kind == "insert":
            new = []
            for _ in range(count):
                fresh += 1
                new.append((f"new {fresh}" if unique else rng.choice("ab{} "), None))
            rows[pos:pos] = new
        elif rows:
            pos = min(pos, len(rows) - 1)
            end = min(len(rows), pos + count)
            if kind == "delete":
                del rows[pos:end]
            else:
                new = []
                for _ in range(end - pos):
                    fresh += 1
                    new.append((f"changed {fresh}" if unique else rng.choice("ab{} "), None))
                rows[pos:end] = new
    return [text for text, _ in rows], [origin for _, origin in rows]


def expected_exact(origins: list[int | None], rng: LineRange) -> LineRange | None:
    """Where `rng` lands when every cited line survived and nothing was inserted between them."""
    where = {origin: k for k, origin in enumerate(origins, start=1) if origin is not None}
    if any(line not in where for line in range(rng.start, rng.end + 1)):
        return None
    start = where[rng.start]
    if where[rng.end] - start != rng.end - rng.start:
        return None
    return LineRange(start, where[rng.end])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(5, 40), script=edit_scripts, data=st.data())
def test_random_edits_untouched_ranges_map_exactly_and_touched_ones_never_do(scratch, size, script, data):
    before, _ = apply_script(size, [], True, random.Random(0))
    after, origins = apply_script(size, script, True, random.Random(0))
    a, b = scratch.commit_pair(lines(*before), lines(*after))
    mapper = DriftMapper(scratch.git, a, b)
    for _ in range(8):
        start = data.draw(st.integers(1, size))
        rng = LineRange(start, data.draw(st.integers(start, min(size, start + 6))))
        result = mapper.map("f.txt", (rng,))
        expected = expected_exact(origins, rng)
        if expected is None:
            assert not result.exact, (rng, result)
            assert result.confidence < 1
        else:
            assert result.exact and result.new_ranges == (expected,), (rng, result)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(5, 30), script=edit_scripts, seed=st.integers(0, 1000), data=st.data())
def test_random_edits_with_repeated_lines_exact_results_carry_identical_text(scratch, size, script, seed, data):
    before, _ = apply_script(size, [], False, random.Random(seed))
    after, _ = apply_script(size, script, False, random.Random(seed))
    a, b = scratch.commit_pair(lines(*before), lines(*after))
    mapper = DriftMapper(scratch.git, a, b)
    for _ in range(8):
        start = data.draw(st.integers(1, size))
        rng = LineRange(start, data.draw(st.integers(start, size)))
        result = mapper.map("f.txt", (rng,))
        if result.exact:
            (new,) = result.new_ranges
            assert after[new.start - 1 : new.end] == before[rng.start - 1 : rng.end]


# --- quality bar: a repository moved across 80 commits ------------------------------------


def import_history(repo: Path, commits: list[dict[str, str | None]]) -> list[str]:
    """Import commits (path -> text, None deletes) on main with one `git fast-import`."""
    stream = b""
    for number, changes in enumerate(commits, start=1):
        stream += b"commit refs/heads/main\nmark :%d\ncommitter T <t@example.invalid> %d +0000\ndata 1\nx\n" % (number, number)
        for path, text in changes.items():
            if text is None:
                stream += b"D %s\n" % path.encode()
            else:
                data = text.encode()
                stream += b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True)
    count = len(commits)
    return [git(repo, "rev-parse", f"main~{count - i}") for i in range(1, count + 1)]


class EvolvingCode:
    """Files of Python-like lines, each line tagged with an identity that survives until the
    line is edited or deleted: the ground truth for where cited lines went."""

    def __init__(self, rng: random.Random, files: int = 6, size: int = 150) -> None:
        self.rng = rng
        self.next_id = 0
        self.files: dict[str, list[tuple[int, str]]] = {}
        for index in range(files):
            self.files[f"pkg/mod{index}.py"] = [self.new_line() for _ in range(size)]

    def new_line(self, blank_ok: bool = True) -> tuple[int, str]:
        self.next_id += 1
        if blank_ok and self.rng.random() < 0.15:
            return self.next_id, self.rng.choice(["", "    pass", "    return None"])  # repeated text
        return self.next_id, f"    value_{self.next_id} = compute({self.rng.randint(0, 999)})"

    @staticmethod
    def text(rows: list[tuple[int, str]]) -> str:
        return "".join(text + "\n" for _, text in rows)

    def commit(self) -> dict[str, str | None]:
        changes: dict[str, str | None] = {}
        for _ in range(self.rng.randint(1, 3)):
            path = self.rng.choice(sorted(self.files))
            rows = self.files[path]
            kind = self.rng.random()
            if kind < 0.02 and len(self.files) > 3:
                del self.files[path]
                changes[path] = None
                continue
            if kind < 0.06:
                new_path = path.replace(".py", f"_r{self.next_id}.py")
                self.files[new_path] = self.files.pop(path)
                changes[path] = None
                changes[new_path] = self.text(self.files[new_path])
                continue
            at = self.rng.randrange(len(rows) + 1)
            count = self.rng.randint(1, 6)
            if kind < 0.45:  # insert fresh lines (never blank: their text is new)
                rows[at:at] = [self.new_line(blank_ok=False) for _ in range(count)]
            elif kind < 0.75:
                del rows[at : at + count]
            else:  # edit lines in place: new text, new identity
                for k in range(at, min(len(rows), at + count)):
                    rows[k] = (self.new_line(blank_ok=False)[0], f"    edited_{self.next_id} = {rows[k][1].strip()!r}")
            changes[path] = self.text(rows)
        return changes


@pytest.mark.parametrize("seed", [2026, 7])
def test_quality_bar_eighty_commits_no_silent_errors(tmp_path, seed):
    rng = random.Random(seed)
    code = EvolvingCode(rng)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    first = {path: code.text(rows) for path, rows in code.files.items()}
    at_a = {path: list(rows) for path, rows in code.files.items()}
    commits = [first] + [code.commit() for _ in range(80)]
    shas = import_history(repo, commits)
    mapper = DriftMapper(GitRepo(repo), shas[0], shas[-1])
    where_now = {ident: (path, k) for path, rows in code.files.items() for k, (ident, _) in enumerate(rows, start=1)}
    texts_b = {path: [text for _, text in rows] for path, rows in code.files.items()}
    checked = {"exact": 0, "flagged": 0}
    for _ in range(400):
        path = rng.choice(sorted(at_a))
        rows = at_a[path]
        unique = [k for k, (_, text) in enumerate(rows, start=1) if "value_" in text]
        start = rng.choice(unique)
        ends = [k for k in unique if start <= k <= start + 15]
        rng_lines = LineRange(start, rng.choice(ends))
        result = mapper.map(path, (rng_lines,))
        ids = [ident for ident, _ in rows[rng_lines.start - 1 : rng_lines.end]]
        places = [where_now.get(ident) for ident in ids]
        untouched = all(places) and len({p for p, _ in places}) == 1 and places[-1][1] - places[0][1] == len(ids) - 1
        if untouched:
            new_path, new_start = places[0]
            assert result.exact, (path, rng_lines, result)
            assert (result.new_path, result.new_ranges) == (new_path, (LineRange(new_start, new_start + len(ids) - 1),))
            checked["exact"] += 1
        else:
            assert not result.exact, (path, rng_lines, result)
            checked["flagged"] += 1
        if result.exact:  # never a silent error: exact means the very same text
            (new,) = result.new_ranges
            old_text = [text for _, text in rows[rng_lines.start - 1 : rng_lines.end]]
            assert texts_b[result.new_path][new.start - 1 : new.end] == old_text
    assert checked["exact"] > 30 and checked["flagged"] > 30, checked

"""Resolving citations: the ranking rules (pure) and every status against real git history."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core import citations
from readertui.core import git as core_git
from readertui.core import resolve as core_resolve
from readertui.core.model import (
    Citation,
    CitationForm,
    CommitDeclaration,
    LineRange,
    NoteScan,
    Span,
    Status,
)
from readertui.core.resolve import FileList, Resolver, is_vendored, rank
from readertui.core.workspace import load_workspace
from tests.gitfixtures import git, write

# --------------------------------------------------------------------------- pure ranking

FILES = FileList(
    "Engine",
    [
        "src/engine/core.py",
        "src/engine/__init__.py",
        "src/util/queue.ts",
        "src/util/myqueue.ts",
        "services/worker/src/main.ts",
        "tests/core.py",
        "third_party/lib/core.py",
        ".github/scripts/release.py",
        "tools/release.py",
        "README.md",
    ],
)


def test_rule1_exact_path_from_the_repo_root():
    assert rank("src/engine/core.py", [FILES]).chosen == ("Engine", "src/engine/core.py")
    assert rank("src/engine/core.py", [FILES]).rule == "exact"


def test_rule1_repo_name_first():
    located = rank("Engine/src/util/queue.ts", [FILES])
    assert located.chosen == ("Engine", "src/util/queue.ts")
    assert located.rule == "exact"


def test_rule1_repo_name_in_another_case_and_paths_from_the_workspace_root():
    files = FileList("DeepSpeed", ["deepspeed/runtime/engine.py"], ("awesome", "deepspeed"))
    for cited in ("deepspeed/runtime/engine.py", "Deepspeed/deepspeed/runtime/engine.py",
                  "deepspeed/DeepSpeed/deepspeed/runtime/engine.py",
                  "awesome/deepspeed/DeepSpeed/deepspeed/runtime/engine.py"):
        assert rank(cited, [files]).chosen == ("DeepSpeed", "deepspeed/runtime/engine.py"), cited


def test_rule1_beats_a_longer_suffix_match():
    files = FileList("R", ["a/b.py", "x/a/b.py"])
    assert rank("a/b.py", [files]).chosen == ("R", "a/b.py")


def test_rule2_suffix_is_component_wise():
    located = rank("queue.ts", [FILES])
    assert located.chosen == ("Engine", "src/util/queue.ts")  # not src/util/myqueue.ts
    assert located.rule == "suffix"


def test_rule2_partial_path_with_gaps():
    located = rank("worker/main.ts", [FILES])
    assert located.chosen == ("Engine", "services/worker/src/main.ts")
    assert located.rule == "gaps"


def test_rule2_gaps_keep_component_order():
    assert rank("src/worker/main.ts", [FILES]).chosen is None


def test_rule3_section_context_picks_the_file_the_section_points_at():
    located = rank("core.py", [FILES], context=("Engine", "tests/core.py"))
    assert located.chosen == ("Engine", "tests/core.py")
    assert located.rule == "section context"


def test_rule3_section_context_may_name_a_folder():
    located = rank("core.py", [FILES], context_path="src/engine/")
    assert located.chosen == ("Engine", "src/engine/core.py")


def test_rule4_full_path_elsewhere_in_the_note():
    located = rank("core.py", [FILES], full_paths=frozenset({("Engine", "tests/core.py")}))
    assert located.chosen == ("Engine", "tests/core.py")
    assert located.rule == "full path in note"


def test_rule5_hidden_and_vendored_folders_lose():
    located = rank("release.py", [FILES])
    assert located.chosen == ("Engine", "tools/release.py")
    assert located.rule == "not vendored"
    assert is_vendored("node_modules/x/index.js") and is_vendored(".github/a.py")
    assert not is_vendored("src/vendors.py")


def test_rule6_ambiguous_lists_every_remaining_candidate():
    located = rank("core.py", [FILES])
    assert located.chosen is None
    # third_party/ was dropped by rule 5; the two real candidates remain
    assert located.candidates == (("Engine", "src/engine/core.py"), ("Engine", "tests/core.py"))


def test_rules_stop_at_the_first_that_leaves_one():
    # the context would say tests/core.py, but the exact path already decided
    located = rank("src/engine/core.py", [FILES], context=("Engine", "tests/core.py"))
    assert located.chosen == ("Engine", "src/engine/core.py")


def test_candidates_across_repos():
    other = FileList("Other", ["lib/core.py"])
    assert rank("Other/lib/core.py", [FILES, other]).chosen == ("Other", "lib/core.py")
    assert len(rank("core.py", [FILES, other]).candidates) == 3


def test_no_match_and_degenerate_paths():
    assert rank("nope.py", [FILES]).candidates == ()
    assert rank("", [FILES]).chosen is None
    assert rank("/", [FILES]).chosen is None


# --------------------------------------------------------------------------- against git


def cite(
    path: str | None,
    *ranges: tuple[int, int],
    form: CitationForm = CitationForm.INLINE,
    line: int = 5,
    commit: str | None = None,
    repo_hint: str | None = None,
    context_path: str | None = None,
) -> Citation:
    text = f"{path}:{','.join(f'{a}-{b}' for a, b in ranges)}"
    return Citation(
        text=text, line=line, column=1, span=Span(0, len(text)), form=form, path=path,
        ranges=tuple(LineRange(a, b) for a, b in ranges), commit=commit,
        repo_hint=repo_hint, context_path=context_path,
    )


def scan_of(*citations: Citation, declared: str | None = None) -> NoteScan:
    decls = ()
    if declared:
        decls = (CommitDeclaration(declared, 1, 1, Span(0, 1), 10_000),)
    return NoteScan(tuple(citations), decls)


@pytest.fixture
def resolver(kb):
    workspace = load_workspace(kb.workspace)
    return Resolver(workspace, workspace.project("engine-study"))


@pytest.fixture
def note(kb) -> Path:
    return kb.project / "notes" / "overview.md"


def run(resolver, note, citation, declared=None, others=()):
    return resolver.resolve(note, scan_of(citation, *others, declared=declared), citation)


def test_ok_at_the_pinned_commit(resolver, note, kb):
    result = run(resolver, note, cite("src/engine/core.py", (9, 12)))
    assert result.status == Status.OK
    assert (result.repo, result.path, result.commit) == ("Engine", "src/engine/core.py", kb.a)
    assert result.candidates == ("Engine/src/engine/core.py",)


def test_out_of_range_gives_the_line_count(resolver, note):
    result = run(resolver, note, cite("Engine/src/engine/core.py", (35, 45)))
    assert result.status == Status.OUT_OF_RANGE
    assert "40 lines" in result.detail


def test_missing_file(resolver, note):
    result = run(resolver, note, cite("src/engine/nope.py", (1, 1)))
    assert result.status == Status.MISSING
    assert "nope.py" in result.detail


def test_ambiguous_reports_candidates(resolver, note):
    result = run(resolver, note, cite("core.py", (1, 2)))
    assert result.status == Status.AMBIGUOUS
    assert result.candidates == ("Engine/src/engine/core.py", "Engine/tests/core.py")


def test_section_context_resolves_a_basename(resolver, note):
    result = run(resolver, note, cite("core.py", (1, 2), context_path="tests/core.py"))
    assert (result.status, result.path) == (Status.OK, "tests/core.py")


def test_full_path_elsewhere_in_the_note(resolver, note):
    full = cite("Engine/tests/core.py", (3, 4), line=2)
    result = run(resolver, note, cite("core.py", (1, 2)), others=(full,))
    assert (result.status, result.path) == (Status.OK, "tests/core.py")


def test_relative_lines_use_the_context_file(resolver, note):
    rel = cite(None, (100, 110), form=CitationForm.RELATIVE_LINES, context_path="worker/main.ts")
    result = run(resolver, note, rel)
    assert (result.status, result.path) == (Status.OK, "services/worker/src/main.ts")
    past = cite(None, (119, 121), form=CitationForm.RELATIVE_LINES, context_path="worker/main.ts")
    assert run(resolver, note, past).status == Status.OUT_OF_RANGE


def test_path_only_citation(resolver, note):
    assert run(resolver, note, cite("services/worker/src/main.ts")).status == Status.OK
    assert run(resolver, note, cite("services/worker/src/")).status == Status.OK  # a folder
    assert run(resolver, note, cite("services/nope/main.ts")).status == Status.MISSING


def test_link_is_relative_to_the_note_folder(resolver, note):
    link = cite("../Engine/src/engine/core.py", (4, 7), form=CitationForm.LINK)
    result = run(resolver, note, link)
    assert (result.status, result.repo, result.path) == (Status.OK, "Engine", "src/engine/core.py")


def test_relative_lines_after_a_link_use_the_note_folder(resolver, note):
    rel = cite(None, (4, 7), form=CitationForm.RELATIVE_LINES,
               context_path="../Engine/src/engine/core.py")
    result = run(resolver, note, rel)
    assert (result.status, result.path) == (Status.OK, "src/engine/core.py")


def test_declared_tag_resolves(resolver, note, kb):
    result = run(resolver, note, cite("src/old.py", (1, 3)), declared="v1.0")
    assert (result.status, result.commit) == (Status.OK, kb.a)


def test_unknown_commit_is_unpinned_and_names_the_fetch(resolver, note):
    result = run(resolver, note, cite("src/engine/core.py", (9, 12)), declared="deadbee")
    assert result.status == Status.UNPINNED
    assert "deadbee" in result.detail and "git -C" in result.detail and "fetch" in result.detail


def test_unpinned_in_a_shallow_clone_suggests_unshallow(kb, tmp_path, note):
    shallow = kb.project / "Shallow"
    git(kb.project, "clone", "-q", "--depth", "1", f"file://{kb.upstream}", "Shallow")
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    citation = cite("Shallow/src/engine/core.py", (1, 2), commit=kb.a[:9])
    result = resolver.resolve(note, scan_of(citation), citation)
    assert shallow.is_dir()
    assert result.status == Status.UNPINNED
    assert "--unshallow" in result.detail


def test_permalink_repo_hint_picks_the_repo(kb, note):
    other = kb.project / "Other"
    write(other / "src/engine/core.py", "x\n")
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    link = cite("src/engine/core.py", (9, 12), form=CitationForm.PERMALINK,
                commit=kb.a, repo_hint="engine")
    result = resolver.resolve(note, scan_of(link), link)
    assert (result.status, result.repo, result.commit) == (Status.OK, "Engine", kb.a)


@pytest.fixture
def at_b(kb):
    """The submodule checked out at B; notes still cite A."""
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)
    workspace = load_workspace(kb.workspace)
    return Resolver(workspace, workspace.project("engine-study"))


def test_moved_when_untouched_lines_shift(at_b, note, kb):
    result = run(at_b, note, cite("src/engine/core.py", (14, 16)), declared=kb.a[:7])
    assert result.status == Status.MOVED
    assert result.new_ranges == (LineRange(19, 21),) and result.confidence == 1.0
    assert result.commit == kb.a


def test_moved_by_rename(at_b, note, kb):
    result = run(at_b, note, cite("src/util/queue.ts", (1, 3)), declared=kb.a[:7])
    assert (result.status, result.new_path) == (Status.MOVED, "src/util/work_queue.ts")


def test_stale_when_cited_lines_changed(at_b, note, kb):
    result = run(at_b, note, cite("src/engine/core.py", (9, 12)), declared=kb.a[:7])
    assert result.status == Status.STALE
    assert result.new_ranges == (LineRange(14, 17),)
    assert result.confidence is not None and result.confidence < 1.0


def test_stale_when_file_deleted(at_b, note, kb):
    result = run(at_b, note, cite("src/old.py", (1, 3)), declared=kb.a[:7])
    assert result.status == Status.STALE
    assert result.detail == f"file deleted since {kb.a[:7]}"


def test_own_pin_beats_the_declaration(at_b, note, kb):
    result = run(at_b, note, cite("src/engine/core.py", (19, 21), commit=kb.b[:8]), declared=kb.a)
    assert (result.status, result.commit) == (Status.OK, kb.b)


@pytest.mark.parametrize(
    "path, form",
    [
        ("../../etc/passwd", CitationForm.INLINE),
        ("../../../../../../../../etc/passwd", CitationForm.LINK),
        ("/etc/passwd", CitationForm.INLINE),
        ("~/.ssh/id_rsa", CitationForm.INLINE),
    ],
)
def test_a_path_leaving_the_workspace_is_never_read(
    resolver, note, monkeypatch, path, form
):
    reads: list[str] = []
    real_open = builtins.open
    real_read = core_git.GitRepo.read_file

    def spy_open(file, *args, **kwargs):
        reads.append(str(file))
        return real_open(file, *args, **kwargs)

    def spy_read(self, rel, commit=None):
        reads.append(rel)
        return real_read(self, rel, commit)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(core_git.GitRepo, "read_file", spy_read)
    result = run(resolver, note, cite(path, (1, 1), form=form))
    # absolute and home paths name the machine (external, not broken); `../` ones are missing
    expected = Status.EXTERNAL if path.startswith(("/", "~")) else Status.MISSING
    assert result.status == expected
    assert result.status.broken == (expected == Status.MISSING)
    if expected == Status.MISSING:
        assert result.detail == "outside the workspace"
    assert not [r for r in reads if "passwd" in r or "id_rsa" in r]


def test_files_listed_once_per_repo_and_commit(resolver, note, monkeypatch, kb):
    calls: list[str | None] = []
    real = core_git.GitRepo.list_files

    def spy(self, commit=None):
        calls.append(commit)
        return real(self, commit)

    monkeypatch.setattr(core_git.GitRepo, "list_files", spy)
    citations = [cite("src/engine/core.py", (i, i), line=i) for i in range(1, 41)]
    scan = scan_of(*citations)
    for citation in citations:
        assert resolver.resolve(note, scan, citation).status == Status.OK
    assert len(calls) == 1


def test_broken_repo_is_a_result_not_a_crash(kb, note):
    # the submodule's git dir vanished: reading fails, the resolver reports it
    workspace = load_workspace(kb.workspace)
    gitdir = kb.root / ".git" / "modules"
    for child in sorted(gitdir.rglob("HEAD")):
        if child.parent.name == "Engine":
            child.write_text("garbage\n")
    resolver = Resolver(workspace, workspace.project("engine-study"))
    result = run(resolver, note, cite("src/engine/core.py", (1, 2)))
    assert result.status in (Status.UNPINNED, Status.MISSING)
    assert result.detail


def test_plain_folder_reads_the_disk_and_ignores_declarations(kb, note):
    plain = kb.project / "Plain"
    write(plain / "pkg/mod.py", "a\nb\nc\n")
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    ok = run(resolver, note, cite("Plain/pkg/mod.py", (1, 3)), declared="deadbee")
    assert (ok.status, ok.commit) == (Status.OK, None)
    past = run(resolver, note, cite("mod.py", (2, 4)))
    assert past.status == Status.OUT_OF_RANGE and "3 lines" in past.detail


def test_plain_folder_symlink_out_of_the_workspace_is_not_followed(kb, note, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("1\n2\n")
    plain = kb.project / "Plain"
    plain.mkdir()
    (plain / "link.txt").symlink_to(outside)
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    result = run(resolver, note, cite("Plain/link.txt", (1, 1)))
    assert result.status == Status.MISSING


def test_line_counts_are_batched_not_read_blob_by_blob(resolver, note, monkeypatch):
    reads: list[str] = []
    real = core_git.GitRepo.read_file

    def spy(self, rel, commit=None):
        reads.append(rel)
        return real(self, rel, commit)

    monkeypatch.setattr(core_git.GitRepo, "read_file", spy)
    text = "".join(
        f"- `{path}:1-2`\n"
        for path in ("src/engine/core.py", "src/util/queue.ts", "src/old.py", "tests/core.py",
                     "services/worker/src/main.ts", "README.md")
    )
    results = resolver.resolve_note(note, text)
    assert [r.status for r in results] == [Status.OK] * 5 + [Status.OUT_OF_RANGE]
    assert "1 lines" in results[-1].detail
    assert reads == []  # all six counted by one `git cat-file --batch`




def test_prose_mentions_are_not_reported(resolver, note):
    text = (
        "See line 42 of the paper.\n"  # no file in context
        "Edit `setup.py` and `core.py` as usual.\n"  # bare names: no match / several
        "But `src/engine/nope.py` is missing.\n"  # with a folder: a citation
    )
    results = resolver.resolve_note(note, text)
    assert [(r.citation.text, r.status) for r in results] == [("src/engine/nope.py", Status.MISSING)]


@given(st.text(alphabet="ab/._-c", max_size=30))
def test_rank_never_raises_and_chooses_a_candidate(cited):
    located = rank(cited, [FILES, FileList("R", ["a/b.c", "b/a.c", ".a/b.c"])])
    assert located.chosen is None or located.chosen in located.candidates


NOTE_PIECES = st.sampled_from([
    "`", "`src/engine/core.py:9-12`", "core.py", ":", "-", "–", ",", "../", "/", "..", "\0",
    "\x1b[31m", "[x](", ")", "#L", "行 ", "line ", "L3-L", "9", "40", "99999999999", "\n",
    "## h (src/util/queue.ts)\n", "```py\n# src/old.py:1-3\n", "```\n", "**Commit**: `",
    "deadbee", "v1.0", "@ ", "https://github.com/o/Engine/blob/", "~/", " ", "中文",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(NOTE_PIECES, max_size=40).map("".join))
def test_resolving_any_note_never_raises(resolver, note, text):
    for result in resolver.resolve_note(note, text):
        assert result.status in Status
        if result.status == Status.OK and result.ranges:
            assert result.path is not None


def test_a_long_note_in_parts_resolves_as_one(resolver, note, monkeypatch):
    """`iter_results` reads a note in parts; a basename two files match waits for the end of
    the note, where a full path written far below it decides (rule 4)."""
    monkeypatch.setattr(citations, "_PIECE_LINES", 2)
    monkeypatch.setattr(core_resolve, "_BATCH", 3)
    days = [f"## 2026-01-{day:02d}\n\n- 10:00 `core.py:{day}`\n- 10:05 `src/util/queue.ts:{day}`\n"
            for day in range(1, 12)]
    text = "# Log\n\n" + "\n".join(days) + "\n## Later\n\nSee `Engine/tests/core.py:1` at last.\n"
    note.write_text(text, encoding="utf-8")
    expected = resolver.resolve_notes([note])
    placed = list(Resolver(resolver.workspace, resolver.project).iter_results([note]))
    assert [key for key, _ in placed] != sorted(key for key, _ in placed)  # some waited
    assert [result for _, result in sorted(placed, key=lambda item: item[0])] == expected
    assert [r.path for r in expected if r.citation.path == "core.py"] == ["tests/core.py"] * 11


# --------------------------------------------------------------------------- one resolver, many citations
# The resolver remembers where a path leads and what it knows of a file (`_placement`,
# `_FileFacts`): the same path cited under another commit, repo hint or ranges must still
# resolve on its own terms within one run.


def test_the_same_path_under_other_commits_in_one_run(at_b, note, kb):
    path = "src/engine/core.py"
    results = [
        run(at_b, note, cite(path, (14, 16)), declared=kb.a[:7]),  # moved since A
        run(at_b, note, cite(path, (14, 16), commit=kb.b[:8]), declared=kb.a[:7]),  # pinned at B
        run(at_b, note, cite(path, (14, 16)), declared="deadbee"),  # no repo has it
        run(at_b, note, cite(path, (14, 16))),  # the checkout (B)
        run(at_b, note, cite(path, (9, 12)), declared=kb.a[:7]),  # changed since A
        run(at_b, note, cite(path, (14, 16)), declared=kb.a),  # A written in full
    ]
    assert [(r.status, r.commit) for r in results] == [
        (Status.MOVED, kb.a), (Status.OK, kb.b), (Status.UNPINNED, None), (Status.OK, kb.b),
        (Status.STALE, kb.a), (Status.MOVED, kb.a),
    ]
    assert results[0].new_ranges == results[5].new_ranges == (LineRange(19, 21),)
    assert "deadbee" in results[2].detail


def test_the_same_path_under_other_repo_hints_and_ranges_in_one_run(kb, note):
    other = kb.project / "Other"
    write(other / "src/engine/core.py", "x\n")
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    path = "src/engine/core.py"
    results = [
        run(resolver, note, cite(path, (1, 1), form=CitationForm.PERMALINK, repo_hint="engine")),
        run(resolver, note, cite(path, (1, 1), form=CitationForm.PERMALINK, repo_hint="Other")),
        run(resolver, note, cite(path, (1, 1))),
        run(resolver, note, cite(path, (2, 3), form=CitationForm.PERMALINK, repo_hint="engine")),
        run(resolver, note, cite(path, (2, 3), form=CitationForm.PERMALINK, repo_hint="Other")),
    ]
    assert [(r.status, r.repo) for r in results] == [
        (Status.OK, "Engine"), (Status.OK, "Other"), (Status.AMBIGUOUS, None),
        (Status.OK, "Engine"), (Status.OUT_OF_RANGE, "Other"),
    ]
    assert results[4].detail == "Other/src/engine/core.py has 1 lines; 2-3 is past the end"


def test_the_same_path_with_and_without_context_in_one_run(resolver, note):
    results = [
        run(resolver, note, cite("core.py", (1, 2), context_path="tests/core.py")),
        run(resolver, note, cite("core.py", (1, 2))),
        run(resolver, note, cite("core.py", (1, 2), context_path="src/engine/core.py")),
        run(resolver, note, cite("core.py", (1, 2), line=9), others=(cite("Engine/tests/core.py", (3, 4), line=2),)),
    ]
    assert [(r.status, r.path) for r in results] == [
        (Status.OK, "tests/core.py"), (Status.AMBIGUOUS, None), (Status.OK, "src/engine/core.py"),
        (Status.OK, "tests/core.py"),
    ]


def test_the_memos_start_over_when_full_and_answer_the_same(kb, note, monkeypatch):
    workspace = load_workspace(kb.workspace)
    cited = [cite(path, (1, 2)) for path in
             ("src/engine/core.py", "tests/core.py", "src/util/queue.ts", "src/old.py", "src/nope.py")]
    expected = [run(Resolver(workspace, workspace.project("engine-study")), note, c) for c in cited]
    monkeypatch.setattr(core_resolve, "_MEMO_ENTRIES", 2)
    small = Resolver(workspace, workspace.project("engine-study"))
    assert [run(small, note, c) for c in cited * 2] == expected * 2
    assert 0 < sum(map(len, small._placements.values())) <= 2 and 0 < len(small._facts) <= 2


def test_paths_relative_to_the_note_are_never_taken_from_the_memo(resolver, note):
    cited = [
        cite("Engine/src/engine/core.py", (1, 2)),
        cite("../Engine/src/engine/core.py", (1, 2), form=CitationForm.LINK),
        cite("../../etc/passwd", (1, 2)),
        cite("/etc/passwd", (1, 2)),
        cite("src/engine/core.py", (1, 2), form=CitationForm.LINK),  # no such file next to the note
    ]
    expected = [(Status.OK, "src/engine/core.py"), (Status.OK, "src/engine/core.py"),
                (Status.MISSING, None), (Status.EXTERNAL, None), (Status.OK, "src/engine/core.py")]
    for _ in range(2):
        assert [(r.status, r.path) for r in (run(resolver, note, c) for c in cited)] == expected


def test_a_bare_repo_name_names_the_repository_not_a_file_named_after_it(kb):
    """`# Engine` in a heading, or `Engine` alone: the project's code, not `tools/Engine`
    deeper down; and line numbers under such a heading have no file in context (prose)."""
    write(kb.submodule / "tools" / "Engine", "#!/bin/sh\necho engine\n")
    git(kb.submodule, "add", "-A")
    git(kb.submodule, "commit", "-q", "-m", "a file named after the repo")
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    note = kb.project / "notes" / "overview.md"
    result = run(resolver, note, cite("Engine"))
    assert (result.status, result.repo, result.path) == (Status.OK, "Engine", "")
    assert result.detail == "folder of Engine"
    # with lines, or with a path, it is the file
    assert run(resolver, note, cite("Engine", (1, 2))).path == "tools/Engine"
    assert run(resolver, note, cite("tools/Engine")).path == "tools/Engine"
    rel = cite(None, (1, 2), form=CitationForm.RELATIVE_LINES, context_path="Engine")
    result = run(resolver, note, rel)
    assert (result.status, result.detail) == (Status.MISSING, "line numbers with no file in context")
    assert core_resolve._is_prose_mention(rel, result)


def test_a_file_at_the_root_named_like_the_repo_is_the_file(kb):
    write(kb.submodule / "Engine", "a root file\n")
    git(kb.submodule, "add", "-A")
    git(kb.submodule, "commit", "-q", "-m", "a root file named after the repo")
    workspace = load_workspace(kb.workspace)
    resolver = Resolver(workspace, workspace.project("engine-study"))
    result = run(resolver, kb.project / "notes" / "overview.md", cite("Engine"))
    assert (result.status, result.path) == (Status.OK, "Engine")

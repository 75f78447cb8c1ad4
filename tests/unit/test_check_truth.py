"""`check` on notes written the way real reading notes are: tag and branch permalinks (also in
code-block comments and Mermaid diagrams), machine paths, deliberate non-code paths silenced by
globs or markers, symlinked notes, paragraphs that name the file, bracketed route paths, and
GitHub annotations. Git fixtures have a tag `v1.0` at commit A and upstream `main` at B."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from readertui.core.check import check, report_github, report_text
from readertui.core.git import short
from readertui.core.model import LineRange, Status
from readertui.core.workspace import load_workspace
from tests.gitfixtures import build_kb, commit_all, git, write


def readertui(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


BLOB = "https://github.com/acme/Engine/blob"


def results_of(kb, name: str, text: str):
    write(kb.project / "notes" / name, text)
    workspace = load_workspace(kb.workspace)
    return check(workspace, kb.project / "notes" / name).results


@pytest.fixture
def kb(tmp_path):
    return build_kb(tmp_path, notes={"overview.md": "# Overview\n"})


# ------------------------------------------------------------------ refs in forge links


def test_a_tag_pins_the_link_and_a_moved_checkout_is_carried(kb):
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)  # the checkout moved on from v1.0
    note = (
        "# Stepping\n\n"
        f"The [step]({BLOB}/v1.0/src/engine/core.py#L9-L12) changed after the release; "
        f"[save]({BLOB}/v1.0/src/engine/core.py#L14-L16) only moved.\n"
    )
    step, save = results_of(kb, "stepping.md", note)
    assert step.status == Status.STALE and step.commit == kb.a  # was a silent ok at the checkout
    assert (save.status, save.new_ranges, save.commit) == (Status.MOVED, (LineRange(19, 21),), kb.a)


def test_the_longest_prefix_naming_a_ref_wins_and_refs_may_hold_slashes(kb):
    git(kb.submodule, "tag", "release/2.0", kb.b)
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)
    (result,) = results_of(kb, "r.md", f"See {BLOB}/release/2.0/src/engine/core.py#L14-L17 .\n")
    assert (result.status, result.path, result.commit) == (Status.OK, "src/engine/core.py", kb.b)


def test_a_branch_link_is_unpinned_naming_the_branch_and_the_commit_checked(kb):
    (result,) = results_of(kb, "b.md", f"Moving: [core]({BLOB}/main/src/engine/core.py#L4)\n")
    assert result.status == Status.UNPINNED
    assert "branch main" in result.detail and short(kb.a) in result.detail and "checkout" in result.detail
    git(kb.submodule, "checkout", "-q", "--detach", kb.b)
    (declared,) = results_of(kb, "b.md", f"**Commit**: `{kb.a[:7]}`\n\n[core]({BLOB}/main/src/engine/core.py#L4)\n")
    assert declared.status == Status.UNPINNED
    assert "branch main" in declared.detail and short(kb.a) in declared.detail
    assert "declared commit" in declared.detail


def test_unknown_and_hostile_refs_are_unpinned_with_a_reason_and_nothing_rewritten(kb):
    refs = ["v9.9", "a..b", "x@{1}", "v1\x1b[2J", "r" * 500]
    note = "# Refs\n\n`src/engine/core.py:3`\n\n" + "".join(
        f"- [x]({BLOB}/{ref}/src/engine/core.py#L3)\n" for ref in refs
    )
    path = write(kb.project / "notes/refs.md", note)
    before = path.read_bytes()
    proc = readertui("check", str(path), cwd=kb.root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == "" and "\x1b" not in proc.stdout and "Traceback" not in proc.stdout
    assert proc.stdout.count(": unpinned: ") == len(refs)
    assert "not a known tag or branch" in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) < 1300
    assert path.read_bytes() == before


def test_query_and_fragment_orders_resolve_alike(kb):
    note = (
        f"[a]({BLOB}/{kb.a}/src/engine/core.py#L9-L12?plain=1) and "
        f"[b]({BLOB}/{kb.a}/src/engine/core.py?plain=1#L9-L12)\n"
    )
    results = results_of(kb, "q.md", note)
    assert [(r.status, r.ranges) for r in results] == [(Status.OK, (LineRange(9, 12),))] * 2


# ------------------------------------------------------------------ code blocks


def test_links_in_code_comments_and_mermaid_clicks_are_checked(kb):
    note = f"""\
# Engine internals

```python
class Engine:
    # [Engine.step]({BLOB}/v1.0/src/engine/core.py#L9-L12)
    def step(self, batch): ...
    # the saver: src/engine/core.py:90
    msg = "# src/engine/core.py:99 is a string"
```

```mermaid
graph LR
  S[step] --> V[save]
  click S href "{BLOB}/v1.0/src/engine/core.py#L9"
  click V "{BLOB}/v1.0/src/engine/core.py#L140"
```
"""
    results = results_of(kb, "internals.md", note)
    assert [(r.citation.line, r.status) for r in results] == [
        (5, Status.OK), (7, Status.OUT_OF_RANGE), (14, Status.OK), (15, Status.OUT_OF_RANGE),
    ]


# ------------------------------------------------------------------ not code


MACHINE_NOTE = """\
# Running it

The app reads `~/.config/engine/settings.json` and `/etc/engine.conf`; the agent rules live in
`/workspace/shared/AGENT.md`. State goes to `store/state.db` and `.engine/cache.json:3`.
The step is `src/engine/core.py:9-12`.
"""


def test_machine_paths_are_external_never_broken(kb):
    results = results_of(kb, "run.md", MACHINE_NOTE)
    status = {r.citation.text: r.status for r in results}
    assert status["~/.config/engine/settings.json"] == Status.EXTERNAL
    assert status["/etc/engine.conf"] == Status.EXTERNAL
    assert status["/workspace/shared/AGENT.md"] == Status.EXTERNAL
    assert status["store/state.db"] == Status.MISSING  # a runtime file: silence it deliberately
    assert status["src/engine/core.py:9-12"] == Status.OK
    workspace = load_workspace(kb.workspace)
    report = check(workspace, kb.project / "notes/run.md")
    assert ": external: " not in report_text(report, workspace)
    assert "/etc/engine.conf → " in report_text(report, workspace, everything=True)


def test_ignore_globs_in_the_workspace_config_make_check_pass(kb):
    write(kb.project / "notes/run.md", MACHINE_NOTE)
    assert readertui("check", str(kb.workspace), cwd=kb.root).returncode == 1
    write(kb.workspace / "readertui.toml", '[check]\nignore = ["store/*.db"]\n\n'
          '[check.projects.engine-study]\nignore = [".engine/**"]\n')
    proc = readertui("check", str(kb.workspace), cwd=kb.root)
    assert proc.returncode == 0, proc.stdout
    assert "2 ignored" in proc.stdout
    listed = readertui("check", str(kb.workspace), "--all", cwd=kb.root).stdout
    assert "ignored: store/state.db → ignored by ignore glob 'store/*.db' (was missing" in listed


@pytest.mark.parametrize(
    "config, message",
    [
        ('[check]\nignore = ["store/[ab.db"]\n', "ignore[0] = \"store/[ab.db\" is not a valid glob: '[' at position 7 is never closed"),
        ('[check]\nignore = ["ok/*", ""]\n', "ignore[1] = \"\" is not a valid glob: an empty glob"),
        ('[check]\nignore = "store/*.db"\n', "[check] ignore must be a list of globs"),
        ('[check]\nignore = [3]\n', "ignore[0] must be a string glob, not int"),
        ('[check]\nignores = ["x"]\n', "[check] has no key 'ignores'"),
        ('[check.projects.nope]\nignore = ["x"]\n', "no project 'nope' in the workspace"),
        ('[check]\nignore = ["a]b"]\n', "']' at position 2 closes no '['"),
    ],
)
def test_invalid_ignore_config_is_one_clear_line_and_exit_2(kb, config, message):
    write(kb.project / "notes/run.md", MACHINE_NOTE)
    write(kb.workspace / "readertui.toml", config)
    proc = readertui("check", str(kb.workspace), cwd=kb.root)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_inline_markers_silence_a_line_the_next_line_or_a_block(kb):
    note = """\
# Runtime

State is in `store/a.db`. <!-- readertui-ignore -->
<!-- readertui-ignore-next-line -->

Cache: `store/b.db`.

<!-- readertui-ignore -->
```python
# store/c.py:3
# store/d.py:4
```

Not silenced: `store/e.py:5`.
"""
    results = results_of(kb, "runtime.md", note)
    assert [(r.citation.text, r.status) for r in results] == [
        ("store/a.db", Status.IGNORED), ("store/b.db", Status.IGNORED),
        ("store/c.py:3", Status.IGNORED), ("store/d.py:4", Status.IGNORED),
        ("store/e.py:5", Status.MISSING),
    ]
    assert "inline readertui-ignore marker" in results[0].detail


# ------------------------------------------------------------------ notes and context


def test_a_symlinked_note_is_checked_once_under_its_target(kb):
    write(kb.project / "notes/overview.md", "# Overview\n\n`Engine/src/engine/core.py:99`\n")
    os.symlink("overview.md", kb.project / "notes/aaa-alias.md")
    workspace = load_workspace(kb.workspace)
    report = check(workspace)
    assert [r.note.name for r in report.results] == ["overview.md"]
    assert report_text(report, workspace).count("overview.md:3:") == 1


def test_a_paragraph_naming_the_file_decides_between_same_named_files(kb):
    note = """\
# Training loop

`core.py:9` alone is ambiguous here.

**Topic 1: the engine's step (src/engine/core.py)**

The loss is computed at `core.py:10` and counted at `core.py:11`.

## Tests

`core.py:3`
"""
    results = results_of(kb, "loop.md", note)
    assert [(r.citation.line, r.status, r.path) for r in results] == [
        (3, Status.AMBIGUOUS, None),
        (7, Status.OK, "src/engine/core.py"), (7, Status.OK, "src/engine/core.py"),
        (11, Status.AMBIGUOUS, None),
    ]


def test_bracketed_route_paths_resolve_like_any_path(tmp_path):
    project = tmp_path / "ws" / "shop"
    write(project / "web/src/app/[id]/page.tsx", "export default function Page() {}\n" * 20)
    write(project / "notes/overview.md", "# Routes\n\nThe product page: `src/app/[id]/page.tsx:12`.\n")
    workspace = load_workspace(tmp_path / "ws")
    (result,) = check(workspace).results
    assert (result.status, result.path) == (Status.OK, "src/app/[id]/page.tsx")


# ------------------------------------------------------------------ CI


def test_github_annotations_and_exit_status(kb):
    write(kb.project / "notes/overview.md", "# O\n\nbad: `Engine/src/engine/core.py:90`, `a,b:c.py:3`\n")
    proc = readertui("check", str(kb.workspace), "--format", "github", cwd=kb.workspace)
    assert proc.returncode == 1
    first, last = proc.stdout.splitlines()[0], proc.stdout.splitlines()[-1]
    assert first.startswith("::error file=engine-study/notes/overview.md,line=3,col=7,title=citation out-of-range::")
    assert last.startswith("::notice::readertui check: ")
    workspace = load_workspace(kb.workspace)
    out = report_github(check(workspace), workspace, cwd=kb.root)
    assert "file=awesome/engine-study/notes/overview.md," in out


def test_pre_commit_hook_runs_check():
    text = (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "id: readertui-check" in text and "entry: readertui check" in text
    assert "pass_filenames: false" in text


def test_glob_rules():
    from readertui.core.ignore import glob_pattern

    for bad in ("[", "x[!]", "]"):
        with pytest.raises(ValueError):
            glob_pattern(bad)
    assert glob_pattern("store/**/*.db").fullmatch("store/a/b/c.db")
    assert not glob_pattern("store/*.db").fullmatch("store/a/c.db")
    assert glob_pattern("[!a]x").fullmatch("bx") and not glob_pattern("[!a]x").fullmatch("ax")


# ------------------------------------------------------------------ what a label claims


def test_a_label_the_lines_do_not_show_is_a_mismatch_at_a_known_commit(kb):
    note = f"""\
# Engine

**Commit**: `{kb.a[:7]}`

- [`Engine.step()`](../Engine/src/engine/core.py#L9-L12) runs the model.
- [`Engine.save()`](../Engine/src/engine/core.py#L9-L12) writes the counter.
- `Engine.sav` (`src/engine/core.py:10`) is a typo.
- [updated](../Engine/src/engine/core.py#L1) and [core.py](../Engine/src/engine/core.py#L2) are prose.
- [`initstep()`]({BLOB}/v1.0/src/engine/core.py#L5-L7) sits inside `__init__`, not `initstep`.
- [`self.steps`]({BLOB}/v1.0/src/engine/core.py#L11) is shown case-insensitively.
"""
    results = results_of(kb, "claims.md", note)
    assert [r.status for r in results] == [
        Status.OK, Status.MISMATCH, Status.MISMATCH, Status.OK, Status.OK, Status.MISMATCH, Status.OK,
    ]
    save = results[1]
    assert save.detail == "Engine/src/engine/core.py: lines 9-12 do not show save; Engine.save is defined at 14-16"
    assert (save.new_path, save.new_ranges) == ("src/engine/core.py", (LineRange(14, 16),))
    assert results[2].detail.endswith("line 10 does not show sav; did you mean save (defined at 14-16)?")
    assert save.status.broken


def test_a_label_defined_only_in_another_file_names_that_file(kb):
    write(kb.submodule / "src/engine/graph.py", "import os\n\n\ndef build_graph(nodes):\n    return list(nodes)\n")
    write(kb.submodule / "tests/test_graph.py", "def build_graph():\n    pass  # a test's stand-in\n")
    write(kb.submodule / "src/engine/caller.py", "from .graph import build_graph\n\nbuild_graph([])\n")
    sha = commit_all(kb.submodule, "graph")
    note = f"""\
# Engine

**Commit**: `{sha[:7]}`

- [`build_graph()`](../Engine/src/engine/core.py#L9-L12) builds the graph.
- [`nowhere_at_all()`](../Engine/src/engine/core.py#L9-L12) is named by no file.
"""
    moved, nowhere = results_of(kb, "graph.md", note)
    assert moved.status == Status.MISMATCH
    assert moved.detail.endswith("lines 9-12 do not show build_graph; it is defined in src/engine/graph.py:4-5")
    assert (moved.new_path, moved.new_ranges) == ("src/engine/graph.py", (LineRange(4, 5),))
    assert nowhere.status == Status.MISMATCH and nowhere.detail.endswith("this file never names it")


def test_labels_are_not_judged_without_a_known_commit_or_on_a_branch(kb):
    note = (
        "# Engine\n\n"
        "[`Engine.save()`](../Engine/src/engine/core.py#L9-L12) with no declared commit.\n\n"
        f"[`Engine.save()`]({BLOB}/main/src/engine/core.py#L9-L12) on a branch.\n"
    )
    first, second = results_of(kb, "loose.md", note)
    assert first.status == Status.OK
    assert second.status == Status.UNPINNED


def test_the_symbol_the_reader_writes_after_a_log_citation_is_judged(kb):
    note = f"""\
# Code reading log

## 2026-01-10

- 10:00 `Engine/src/engine/core.py:9-12` @ `{kb.a[:7]}` — (`Engine.step`) the loop
- 10:05 `Engine/src/engine/core.py:10-11` @ `{kb.a[:7]}` — (`Engine.save`) pasted under the wrong symbol
"""
    first, second = results_of(kb, "code-reading-log.md", note)
    assert first.status == Status.OK
    assert second.status == Status.MISMATCH and second.new_ranges == (LineRange(14, 16),)


def test_a_tag_link_into_a_plain_folder_is_read_from_disk(tmp_path):
    project = tmp_path / "ws" / "shop"
    write(project / "web/src/cart.ts", "export const cart = 1;\n" * 10)
    write(project / "notes/overview.md", "# Cart\n\n[cart](https://github.com/acme/web/blob/v2.0/src/cart.ts#L3)\n")
    (result,) = check(load_workspace(tmp_path / "ws")).results
    assert (result.status, result.path) == (Status.OK, "src/cart.ts")

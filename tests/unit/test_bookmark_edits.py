"""Bookmark edits in place (`add_mark`, `rename_mark`, `remove_marks`): re-applied when another
program changes the file during the write, and changing only their own bytes.

They used to rewrite the list loaded earlier: a change on disk between the load and the rename
refused the save (13 of 15 `bookmarks add` with a shell appending every 50 ms), and rename or
remove dropped comments (a table's trailing comments, the file's final comment)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core import bookmarks as store
from readertui.core import notes
from readertui.core.model import LineRange, Project

CREATED = datetime(2026, 11, 29, 14, 32, tzinfo=timezone.utc)
REPO_ROOT = Path(__file__).resolve().parents[2]
# The QA's file: a BOM, comments above, on and inside tables, and one at the end of the file.
QA_FILE = (
    "\ufeff# readertui bookmarks: one [[bookmark]] table per mark. Safe to commit and to edit by hand\n"
    "# (keep the keys; comments are not kept when readertui saves).\n"
    "\n"
    "# my comment about attention\n"
    "[[bookmark]]  # trailing table comment\n"
    'id = "3aea6fde"  # id comment\n'
    'repo = "minillm"\n'
    'path = "minillm/attention.py"\n'
    "start = 39\n"
    "end = 47\n"
    'label = "per-head attention loop"\n'
    "created = 2026-11-20 14:32:00+08:00\n"
    'fingerprint = "sha1:8d0e8806f334cf3e9c77a5f5a72d7d0cdfb83eba"\n'
    'excerpt = "for qh, kh, vh in zip(self.split_heads(q), self.split_heads(k), self.split_head…"\n'
    "\n"
    "[[bookmark]]\n"
    'id = "cf6cfe43"\n'
    'repo = "minillm"\n'
    'path = "kernels/softmax.cu"\n'
    "start = 35\n"
    "end = 56\n"
    'label = "fused row softmax kernel"   # label comment\n'
    "created = 2026-11-21 11:06:00+08:00\n"
    'fingerprint = "sha1:44929966c38fcb564b72fc2060810607cf823450"\n'
    'excerpt = "__global__ void softmax_rows(minillm::RowMajorView<float> x) {"\n'
    "\n"
    "# final comment\n"
)
OTHERS_MARK = (
    '\n[[bookmark]]\nid = "0123abcd"\nrepo = "r"\npath = "theirs.py"\nstart = 1\nend = 1\n'
    'label = "theirs"\ncreated = 2026-11-29T10:00:00Z\n'
)


def _project(root: Path) -> Project:
    (root / "notes").mkdir(parents=True, exist_ok=True)
    return Project("p", root, (), root / "notes")


def _mark(label: str, path: str = "a.py") -> store.Bookmark:
    return store.new_bookmark("r", path, LineRange(1, 2), label, None, ["x"], (), CREATED)


def _outside_write_before_rename(monkeypatch: pytest.MonkeyPatch, change, times: int = 1) -> list[int]:
    """Let another program change the file right before readertui's compare-and-rename (after
    readertui read it and decided its bytes), `times` times."""
    real, fired = notes._compare_and_rename, []

    def outside_first(target, temp, seen, result):
        if len(fired) < times:
            fired.append(1)
            change(Path(target))
        return real(target, temp, seen, result)

    monkeypatch.setattr(notes, "_compare_and_rename", outside_first)
    return fired


def _append(text: str):
    def change(path: Path) -> None:
        with open(path, "a", encoding="utf-8") as handle:  # what `echo … >> bookmarks.toml` does
            handle.write(text)

    return change


# --- re-applied on the file as it is --------------------------------------------------------


def test_an_add_is_reapplied_when_the_file_changes_during_the_write(tmp_path, monkeypatch) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_text(QA_FILE)
    store.load(project)
    fired = _outside_write_before_rename(monkeypatch, _append("# ONE\n"), times=3)
    marks, added = store.add_mark(project, _mark("mine"))
    assert len(fired) == 3
    assert project.bookmarks_file.read_text() == QA_FILE + "# ONE\n" * 3 + "\n" + store._render(added, "\n")
    assert [m.label for m in marks] == ["per-head attention loop", "fused row softmax kernel", "mine"]


def test_add_rename_remove_keep_an_outside_append_and_show_the_others_marks(tmp_path, monkeypatch) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_text(QA_FILE)
    store.load(project)
    _outside_write_before_rename(monkeypatch, _append(OTHERS_MARK))
    marks, added = store.add_mark(project, _mark("mine"))
    assert [m.label for m in marks] == ["per-head attention loop", "fused row softmax kernel", "theirs", "mine"]
    assert project.bookmarks_file.read_text() == QA_FILE + OTHERS_MARK + "\n" + store._render(added, "\n")
    before = project.bookmarks_file.read_text()
    _outside_write_before_rename(monkeypatch, _append("# TWO\n"))
    marks = store.rename_mark(project, "3aea6fde", "renamed")
    assert project.bookmarks_file.read_text() == before.replace(
        '"per-head attention loop"', '"renamed"'
    ) + "# TWO\n"
    assert marks[0].label == "renamed" and len(marks) == 4
    before = project.bookmarks_file.read_text()
    _outside_write_before_rename(monkeypatch, _append("# THREE\n"))
    marks = store.remove_marks(project, [added.id])
    assert [m.id for m in marks] == ["3aea6fde", "cf6cfe43", "0123abcd"]
    # its own lines go; the blank line above stays (the comment below is the file's)
    assert project.bookmarks_file.read_text() == before.replace(store._render(added, "\n"), "") + "# THREE\n"


def test_a_bookmark_removed_meanwhile_is_refused_clearly_with_nothing_written(tmp_path, monkeypatch) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_text(QA_FILE)
    store.load(project)
    start, end = QA_FILE.index("[[bookmark]]\nid = \"cf6cfe43\""), QA_FILE.index("\n# final comment")
    theirs = QA_FILE[:start] + QA_FILE[end + 1 :]

    def remove_it(path: Path) -> None:
        path.write_text(theirs)

    _outside_write_before_rename(monkeypatch, remove_it)
    with pytest.raises(store.BookmarkError, match="cf6cfe43.*removed meanwhile.*nothing written"):
        store.rename_mark(project, "cf6cfe43", "renamed")
    assert project.bookmarks_file.read_text() == theirs
    with pytest.raises(store.BookmarkError, match="nothing written"):
        store.remove_marks(project, ["cf6cfe43"])
    assert project.bookmarks_file.read_text() == theirs


def test_a_file_that_never_settles_is_refused_with_nothing_written(tmp_path, monkeypatch) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_text(QA_FILE)
    fired = _outside_write_before_rename(monkeypatch, _append("# again\n"), times=10**6)
    with pytest.raises(notes.ConflictError, match="kept changing"):
        store.add_mark(project, _mark("mine"))
    text = project.bookmarks_file.read_text()
    assert "mine" not in text and text.count("# again\n") == len(fired)


def test_the_cli_add_survives_an_outside_append(tmp_path, monkeypatch, capsys) -> None:
    """The QA's repro: `bookmarks add … &` with `echo '# ONE' >> bookmarks.toml` meanwhile."""
    import shutil

    from readertui.cli import main

    workspace = tmp_path / "ws"
    shutil.copytree(REPO_ROOT / "projects", workspace)
    bookmarks = workspace / "minillm/notes/bookmarks.toml"
    original = bookmarks.read_text()
    monkeypatch.chdir(workspace)
    _outside_write_before_rename(monkeypatch, _append("# ONE\n"))
    assert main(["bookmarks", "--project", "minillm", "add", "minillm/minillm/utils.py:5-6", "--label", "D"]) == 0
    text = bookmarks.read_text()
    assert text.startswith(original + "# ONE\n\n[[bookmark]]\n") and 'label = "D"' in text
    assert main(["bookmarks", "--project", "minillm", "rename", "3aea6fde", "renamed label"]) == 0
    assert main(["bookmarks", "--project", "minillm", "remove", "cf6cfe43"]) == 0
    capsys.readouterr()
    assert main(["bookmarks", "--project", "minillm", "--format", "json", "minillm"]) == 0
    import json

    listed = json.loads(capsys.readouterr().out)
    assert [(m["id"], m["label"]) for m in listed][:1] == [("3aea6fde", "renamed label")]
    assert [m["label"] for m in listed][1:] == ["D"]
    assert "# ONE\n" in bookmarks.read_text()


# --- only the edited bytes change -----------------------------------------------------------


def test_rename_and_remove_of_the_qa_file_change_only_their_own_bytes(tmp_path) -> None:
    project = _project(tmp_path)
    bom = QA_FILE.encode("utf-8")
    assert bom.startswith(b"\xef\xbb\xbf")
    project.bookmarks_file.write_bytes(bom)
    store.rename_mark(project, "3aea6fde", "renamed label")
    assert project.bookmarks_file.read_text() == QA_FILE.replace(
        'label = "per-head attention loop"', 'label = "renamed label"'
    )
    project.bookmarks_file.write_bytes(bom)
    store.rename_mark(project, "cf6cfe43", "new # not a comment")
    assert project.bookmarks_file.read_text() == QA_FILE.replace(
        '"fused row softmax kernel"   # label comment', '"new # not a comment"   # label comment'
    )
    project.bookmarks_file.write_bytes(bom)
    marks = store.remove_marks(project, ["cf6cfe43"])
    start, end = QA_FILE.index("[[bookmark]]\nid = \"cf6cfe43\""), QA_FILE.index("# final comment")
    assert project.bookmarks_file.read_text() == QA_FILE[:start] + QA_FILE[end:]
    assert [m.id for m in marks] == ["3aea6fde"]
    project.bookmarks_file.write_bytes(bom)
    store.remove_marks(project, ["3aea6fde"])
    start = QA_FILE.index("[[bookmark]]  # trailing")
    end = QA_FILE.index("[[bookmark]]\nid = \"cf6cfe43\"")
    assert project.bookmarks_file.read_text() == QA_FILE[:start] + QA_FILE[end:]
    project.bookmarks_file.write_bytes(bom)
    store.rename_mark(project, "cf6cfe43", "fused row softmax kernel")  # the same label
    assert project.bookmarks_file.read_bytes() == bom


def test_the_cli_rename_and_remove_keep_the_comments(tmp_path, monkeypatch) -> None:
    """The QA's repro: `bookmarks rename 3aea6fde …` dropped the table's trailing and id
    comments, `bookmarks remove cf6cfe43` the file's final comment."""
    import shutil

    from readertui.cli import main

    workspace = tmp_path / "ws"
    shutil.copytree(REPO_ROOT / "projects", workspace)
    bookmarks = workspace / "minillm/notes/bookmarks.toml"
    bookmarks.write_bytes(QA_FILE.encode("utf-8"))
    monkeypatch.chdir(workspace)
    assert main(["bookmarks", "--project", "minillm", "rename", "3aea6fde", "renamed label"]) == 0
    renamed = QA_FILE.replace('label = "per-head attention loop"', 'label = "renamed label"')
    assert bookmarks.read_bytes().decode("utf-8") == renamed
    assert main(["bookmarks", "--project", "minillm", "remove", "cf6cfe43"]) == 0
    start, end = renamed.index('[[bookmark]]\nid = "cf6cfe43"'), renamed.index("# final comment")
    assert bookmarks.read_bytes().decode("utf-8") == renamed[:start] + renamed[end:]


@dataclass
class _Table:
    ident: str
    label: str | None  # None: no label key
    literal: bool  # the label written as a 'literal string'
    label_comment: str  # after the label's value: "" or "   # …"
    header_comment: str
    before: list[str]  # comment or blank lines above the header
    inside: list[str]  # comment or blank lines between the keys (after `start`)
    spaced: bool  # `id    = …`


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)
_COMMENT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8).map(
    lambda text: "# " + text.replace("\u2028", " ").replace("\u2029", " ")
)
_FILLER = st.lists(st.one_of(st.just(""), st.just("   "), _COMMENT), max_size=3)


@st.composite
def _tables(draw, index: int) -> _Table:
    label = draw(st.one_of(st.none(), _TEXT))
    literal = label is not None and draw(st.booleans()) and all(c.isprintable() and c != "'" for c in label)
    return _Table(
        ident=f"{index:04x}beef",
        label=label,
        literal=literal,
        label_comment=draw(st.one_of(st.just(""), _COMMENT.map(lambda c: "   " + c))),
        header_comment=draw(st.one_of(st.just(""), _COMMENT.map(lambda c: "  " + c))),
        before=draw(_FILLER),
        inside=draw(_FILLER),
        spaced=draw(st.booleans()),
    )


def _value(text: str) -> str:
    return tomli_w.dumps({"v": text}).split("=", 1)[1].strip()


def _table_lines(table: _Table) -> tuple[list[str], int | None]:
    """The table's own lines (header … last key) and the index of its label line."""
    eq = "    = " if table.spaced else " = "
    lines = [
        "[[bookmark]]" + table.header_comment,
        f'id{eq}"{table.ident}"',
        'repo = "r"',
        'path = "a.py"',
        "start = 1",
        *table.inside,
        "end = 2",
    ]
    label_at = None
    if table.label is not None:
        value = f"'{table.label}'" if table.literal else _value(table.label)
        label_at = len(lines)
        lines.append(f"label{eq}{value}{table.label_comment}")
    lines.append("created = 2026-11-29T10:00:00Z")
    return lines, label_at


@st.composite
def _files(draw):
    count = draw(st.integers(1, 4))
    tables = [draw(_tables(i)) for i in range(count)]
    return {
        "tables": tables,
        "preamble": draw(_FILLER),
        "trailer": draw(_FILLER),
        "crlf": draw(st.booleans()),
        "bom": draw(st.booleans()),
        "final_newline": draw(st.booleans()),
    }


def _assemble(spec, tables_lines: list[list[str]]) -> str:
    """The file from its lines; `None` lines are left out (a removed table)."""
    lines = list(spec["preamble"])
    for table, own in zip(spec["tables"], tables_lines, strict=True):
        if own is None:
            continue
        lines += table.before + own
    lines += spec["trailer"]
    newline = "\r\n" if spec["crlf"] else "\n"
    text = newline.join(lines) + (newline if spec["final_newline"] else "")
    return ("\ufeff" if spec["bom"] else "") + text


def _expected_marks(spec, renamed: dict[str, str], removed: set[str]) -> list[tuple[str, str]]:
    return [
        (t.ident, renamed.get(t.ident, t.label or ""))
        for t in spec["tables"]
        if t.ident not in removed
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=_files(), which=st.integers(0, 3), label=_TEXT)
def test_a_rename_changes_only_the_label_value(tmp_path, spec, which, label) -> None:
    project = _project(tmp_path)
    table = spec["tables"][which % len(spec["tables"])]
    own = [_table_lines(t)[0] for t in spec["tables"]]
    original = _assemble(spec, own)
    project.bookmarks_file.write_bytes(original.encode("utf-8"))
    assert store.load(project)[1] == []
    store.rename_mark(project, table.ident, label)
    lines, label_at = _table_lines(table)
    if (table.label or "") == label:
        pass  # nothing to change
    elif label_at is not None:
        key = lines[label_at].split("=", 1)[0] + "= "
        lines[label_at] = key + _value(label) + table.label_comment
    else:
        lines.append(f"label = {_value(label)}")  # a table without a label gets one after its last key
    own[spec["tables"].index(table)] = lines
    expected = _assemble(spec, own)
    assert project.bookmarks_file.read_bytes() == expected.encode("utf-8")
    marks, problems = store.load(project)
    assert problems == []
    assert [(m.id, m.label) for m in marks] == _expected_marks(spec, {table.ident: label}, set())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=_files(), which=st.integers(0, 3))
def test_a_remove_takes_out_only_the_tables_own_lines(tmp_path, spec, which) -> None:
    project = _project(tmp_path)
    table = spec["tables"][which % len(spec["tables"])]
    own = [_table_lines(t)[0] for t in spec["tables"]]
    original = _assemble(spec, own)
    project.bookmarks_file.write_bytes(original.encode("utf-8"))
    store.remove_marks(project, [table.ident])
    after = project.bookmarks_file.read_bytes().decode("utf-8")
    marks, problems = store.load(project)
    assert problems == []
    assert [(m.id, m.label) for m in marks] == _expected_marks(spec, {}, {table.ident})
    # Every non-blank line but the table's own is there, in order, byte for byte (its line
    # ending too); only blank lines next to it may go with it.
    newline = "\r\n" if spec["crlf"] else "\n"
    removed = set(range(*_own_range(spec, table)))
    kept = [line for i, line in enumerate(_physical(original, newline)) if i not in removed]
    assert [line for line in _physical(after, newline) if line.strip()] == [line for line in kept if line.strip()]
    assert after.startswith("\ufeff") == spec["bom"]
    assert all(line.endswith(newline) for line in _physical(after, newline)[:-1])
    # and nothing but blank lines went besides the table's
    assert len(_physical(after, newline)) >= len(kept) - sum(1 for line in kept if not line.strip())


def _physical(text: str, newline: str) -> list[str]:
    parts = text.removeprefix("\ufeff").split(newline)
    lines = [part + newline for part in parts[:-1]]
    return lines + ([parts[-1]] if parts[-1] else [])


def _own_range(spec, table: _Table) -> tuple[int, int]:
    """[first, last + 1) of the table's own lines among the file's lines."""
    position = len(spec["preamble"])
    for other in spec["tables"]:
        position += len(other.before)
        size = len(_table_lines(other)[0])
        if other is table:
            return position, position + size
        position += size
    raise AssertionError("not in the file")


def test_a_header_lookalike_in_a_string_still_edits_right(tmp_path) -> None:
    """When the tables cannot be found with certainty, the edit keeps to the unchanged blocks."""
    project = _project(tmp_path)
    tricky = QA_FILE.replace('label = "per-head attention loop"', 'label = """per-head\n[[bookmark]]\n"""')
    project.bookmarks_file.write_text(tricky)
    marks = store.rename_mark(project, "cf6cfe43", "x")
    assert [m.label for m in marks] == ["per-head\n[[bookmark]]\n", "x"]
    assert tomllib.loads(project.bookmarks_file.read_text().removeprefix("\ufeff"))["bookmark"][1]["label"] == "x"

"""The TOML bookmark store: round trips, validation with lines and keys, safe saving."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.core import bookmarks as store
from readertui.core.errors import ConflictError, DataFileError
from readertui.core.model import Bookmark, LineRange, Project

CREATED = datetime(2026, 11, 29, 14, 32, tzinfo=timezone(timedelta(hours=8)))


def _project(root: Path) -> Project:
    (root / "notes").mkdir(exist_ok=True)
    return Project("p", root, (), root / "notes")


def _mark(label: str = "step loop", ident: str | None = None, commit: str | None = "4be91c0" + "0" * 33) -> Bookmark:
    mark = store.new_bookmark(
        "Engine", "src/engine/core.py", LineRange(9, 12), label, commit,
        ["    def step(self, batch):  ", "        loss = 1"], created=CREATED,
    )
    return mark if ident is None else msgspec.structs.replace(mark, id=ident)


def test_fingerprint_ignores_trailing_whitespace_and_line_endings() -> None:
    assert store.fingerprint(["a  ", "b\r\n"]) == store.fingerprint(["a", "b"])
    assert store.fingerprint(["a", "b"]) != store.fingerprint(["a", " b"])
    assert store.fingerprint(["x"]).startswith("sha1:")


def test_excerpt_is_first_marked_line_stripped_and_short() -> None:
    assert store.excerpt(["", "   def step(self):  "]) == "def step(self):"
    long = store.excerpt(["x" * 200])
    assert len(long) == 80 and long.endswith("…")
    assert store.excerpt(["\x1b[31mred\x1b[0m"]) == "[31mred[0m"


def test_new_bookmark_ids_are_unique() -> None:
    first = _mark()
    second = store.new_bookmark(
        "Engine", "src/engine/core.py", LineRange(9, 12), "again", None, ["x"], existing=(first,), created=CREATED
    )
    assert first.id != second.id and len(first.id) == 8


def test_add_remove_rename_are_pure() -> None:
    a, b = _mark("a", "aaaa0001"), _mark("b", "bbbb0002")
    both = store.add(store.add((), a), b)
    assert both == (a, b)
    assert store.rename(both, "bbbb0002", "B") == (a, msgspec.structs.replace(b, label="B"))
    assert store.remove(both, "aaaa0001") == (b,)
    assert both == (a, b)  # inputs untouched
    with pytest.raises(store.BookmarkError):
        store.add(both, a)
    with pytest.raises(store.BookmarkError, match="no bookmark"):
        store.remove(both, "zzz")


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert store.load(project) == ((), [])
    marks = (_mark("a", "aaaa0001"), _mark("b", "bbbb0002", commit=None))
    store.save(project, marks)
    text = project.bookmarks_file.read_text()
    tables = text.split("\n[[bookmark]]\n")
    assert len(tables) == 3 and "commit = " in tables[1] and "commit" not in tables[2]
    assert store.load(project) == (marks, [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), max_size=4))
def test_any_label_round_trips(tmp_path: Path, labels: list[str]) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.unlink(missing_ok=True)
    store.load(project)
    marks = tuple(_mark(label, f"{i:08x}") for i, label in enumerate(labels))
    store.save(project, marks)
    loaded, problems = store.load(project)
    assert problems == [] and loaded == marks


def test_malformed_toml_is_a_problem_with_a_line_and_save_refuses(tmp_path: Path) -> None:
    project = _project(tmp_path)
    bad = b'[[bookmark]]\nid = "a"\nstart = \n'
    project.bookmarks_file.write_bytes(bad)
    marks, problems = store.load(project)
    assert marks == () and len(problems) == 1
    assert problems[0].line == 3 and problems[0].file == project.bookmarks_file
    assert str(problems[0]).startswith(f"{project.bookmarks_file}:3: not valid TOML")
    with pytest.raises(DataFileError, match=r"bookmarks\.toml:3"):
        store.save(project, (_mark(),))
    assert project.bookmarks_file.read_bytes() == bad


def test_bad_entries_name_key_and_line(tmp_path: Path) -> None:
    project = _project(tmp_path)
    text = (
        "[[bookmark]]\nid = 'good0001'\nrepo = 'E'\npath = 'a.py'\nstart = 1\nend = 2\n"
        "created = 2026-11-29T10:00:00Z\n\n"
        "[[bookmark]]\nid = 'bad'\nrepo = 'E'\npath = 'a.py'\nstart = 'one'\nend = 2\n"
        "created = 2026-11-29T10:00:00Z\nlable = 'typo'\n"
    )
    project.bookmarks_file.write_text(text)
    marks, problems = store.load(project)
    assert [m.id for m in marks] == ["good0001"]
    rendered = sorted(str(p).split(f"{project.bookmarks_file}:")[1] for p in problems)
    assert rendered == [
        "13: bookmark.start: must be a line number (an integer ≥ 1)",
        "16: bookmark.lable: unknown key (it would be lost when readertui saves) (did you mean 'label'?)",
    ]
    with pytest.raises(DataFileError):
        store.save(project, marks)
    assert project.bookmarks_file.read_text() == text


def test_missing_keys_and_reversed_range(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_text("[[bookmark]]\nid = 'x'\nstart = 5\nend = 2\ncreated = 2026-11-29\n")
    _, problems = store.load(project)
    messages = {(p.key, p.message) for p in problems}
    assert ("bookmark.repo", "missing") in messages
    assert ("bookmark.created", "must be a date-time like 2026-11-29T14:32:00+00:00") in messages


def test_save_refuses_a_file_changed_since_load(tmp_path: Path) -> None:
    project = _project(tmp_path)
    store.load(project)
    store.save(project, (_mark("a", "aaaa0001"),))
    edited = project.bookmarks_file.read_text().replace('label = "a"', 'label = "edited by hand"')
    project.bookmarks_file.write_text(edited)
    with pytest.raises(ConflictError, match="changed on disk"):
        store.save(project, (_mark("b", "bbbb0002"),))
    assert project.bookmarks_file.read_text() == edited
    marks, _ = store.load(project)
    store.save(project, store.add(marks, _mark("b", "bbbb0002")))
    assert [m.label for m in store.load(project)[0]] == ["edited by hand", "b"]


def test_save_refuses_a_change_made_from_a_list_older_than_the_file(tmp_path: Path) -> None:
    """A caller whose list is older than the file (a stale read) cannot write it back."""
    project = _project(tmp_path)
    store.load(project)
    first = (_mark("a", "aaaa0001"),)
    store.save(project, first, base=())
    stale: tuple[Bookmark, ...] = ()  # what a read from before that save says
    with pytest.raises(ConflictError, match="changed on disk"):
        store.save(project, store.add(stale, _mark("b", "bbbb0002")), base=stale)
    assert [m.label for m in store.load(project)[0]] == ["a"]
    store.save(project, store.add(first, _mark("b", "bbbb0002")), base=first)
    assert [m.label for m in store.load(project)[0]] == ["a", "b"]


def test_save_refuses_a_file_created_since_load(tmp_path: Path) -> None:
    project = _project(tmp_path)
    store.load(project)  # absent
    project.bookmarks_file.write_text(store.dumps((_mark("theirs", "cccc0003"),)).decode())
    with pytest.raises(ConflictError):
        store.save(project, (_mark("mine", "dddd0004"),))
    assert "theirs" in project.bookmarks_file.read_text()


HAND_WRITTEN = """# my marks, curated by hand

[[bookmark]]
id = "aaaa0001"   # the first one
repo = "Engine"
path = "src/a.py"
start = 1
end = 2
label = "first"
created = 2026-11-29T10:00:00Z

# about the scheduler
[[bookmark]]
id    = "bbbb0002"
repo  = "Engine"
path  = "src/b.py"
start = 3
end   = 4
label = "second"
created = 2026-11-29T11:00:00Z
"""


def test_save_keeps_comments_and_unchanged_blocks_byte_for_byte(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_text(HAND_WRITTEN)
    marks, problems = store.load(project)
    assert problems == [] and [m.id for m in marks] == ["aaaa0001", "bbbb0002"]
    store.save(project, store.rename(marks, "bbbb0002", "renamed"))
    text = project.bookmarks_file.read_text()
    first_block = HAND_WRITTEN[: HAND_WRITTEN.index("# about")]
    assert text.startswith(first_block + "# about the scheduler\n[[bookmark]]\nid = \"bbbb0002\"")
    assert 'label = "renamed"' in text and "second" not in text
    marks, _ = store.load(project)
    store.save(project, store.add(marks, _mark("third", "cccc0003")))
    grown = project.bookmarks_file.read_text()
    assert grown.startswith(text) and grown.count("[[bookmark]]") == 3
    marks, _ = store.load(project)
    store.save(project, store.remove(marks, "bbbb0002"))
    shrunk = project.bookmarks_file.read_text()
    assert shrunk.startswith(first_block) and "bbbb0002" not in shrunk and "about the scheduler" not in shrunk
    assert [m.id for m in store.load(project)[0]] == ["aaaa0001", "cccc0003"]


def test_crlf_file_stays_crlf(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_bytes(HAND_WRITTEN.replace("\n", "\r\n").encode())
    marks, _ = store.load(project)
    store.save(project, store.add(marks, _mark("third", "cccc0003")))
    data = project.bookmarks_file.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert [m.id for m in store.load(project)[0]] == ["aaaa0001", "bbbb0002", "cccc0003"]


def test_header_lookalike_inside_a_string_falls_back_to_a_clean_rewrite(tmp_path: Path) -> None:
    project = _project(tmp_path)
    tricky = HAND_WRITTEN.replace('label = "first"', "label = \"\"\"first\n[[bookmark]]\n\"\"\"")
    project.bookmarks_file.write_text(tricky)
    marks, problems = store.load(project)
    assert problems == [] and marks[0].label == "first\n[[bookmark]]\n"
    store.save(project, store.rename(marks, "bbbb0002", "x"))
    assert store.load(project) == (store.rename(marks, "bbbb0002", "x"), [])


_LABELS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_OPS = st.lists(
    st.tuples(st.sampled_from(["add", "rename", "remove"]), st.integers(0, 5), _LABELS), max_size=8
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_any_sequence_of_edits_saves_what_was_asked(tmp_path: Path, ops) -> None:
    project = _project(tmp_path)
    project.bookmarks_file.write_text(HAND_WRITTEN)
    for number, (op, index, label) in enumerate(ops):
        marks, problems = store.load(project)
        assert problems == []
        if op == "add" or not marks:
            marks = store.add(marks, _mark(label, f"{number:04x}ffff"))
        elif op == "rename":
            marks = store.rename(marks, marks[index % len(marks)].id, label)
        else:
            marks = store.remove(marks, marks[index % len(marks)].id)
        store.save(project, marks)
        assert store.load(project) == (marks, [])
    assert project.bookmarks_file.read_text().startswith("# my marks, curated by hand\n")


def test_a_bom_is_accepted_and_kept_and_comments_survive_rename_and_remove(tmp_path) -> None:
    from datetime import datetime, timezone

    from readertui.core import bookmarks as store
    from readertui.core.model import LineRange, Project

    (tmp_path / "p" / "notes").mkdir(parents=True)
    project = Project("p", tmp_path / "p", (), tmp_path / "p" / "notes")
    created = datetime(2026, 11, 29, 14, 32, tzinfo=timezone.utc)
    first = store.new_bookmark("r", "a.py", LineRange(1, 2), "one", None, ["a"], (), created)
    second = store.new_bookmark("r", "b.py", LineRange(3, 3), "two", None, ["b"], (first,), created)
    text = store.dumps((first, second)).decode()
    text = text.replace("\n[[bookmark]]", "\n# my own note about this mark\n[[bookmark]]", 2)
    project.bookmarks_file.write_bytes(b"\xef\xbb\xbf" + text.encode())
    marks, problems = store.load(project)
    assert problems == [] and [m.label for m in marks] == ["one", "two"]
    store.save(project, store.rename(marks, second.id, "renamed"))
    store.save(project, store.remove(store.load(project)[0], first.id))
    data = project.bookmarks_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"# my own note about this mark") == 2  # the first one sits in the file's preamble, kept
    assert b"readertui bookmarks" in data  # the header comment
    assert [m.label for m in store.load(project)[0]] == ["renamed"]

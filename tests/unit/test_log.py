"""The reading-log format: entries only ever inserted, day sections in order, commit lines."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.errors import NoteError
from readertui.core.log import append_entry, entries_for_day, format_entry, log_entry
from readertui.core.model import Project

WHEN = datetime(2026, 11, 29, 14, 32)
DAY = WHEN.date()


def _append(text: str, when: datetime = WHEN, entry: str = "note", citation=None, commit=None) -> str:
    return append_entry(text.encode(), when, entry, citation, commit).decode()


def _split_point(old: bytes, new: bytes) -> int | None:
    """k such that new == old[:k] + inserted + old[k:], or None."""
    prefix = 0
    while prefix < len(old) and prefix < len(new) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = len(old) - prefix
    if len(new) >= len(old) and new[len(new) - suffix :] == old[prefix:]:
        return prefix
    return None


def test_first_entry_creates_the_day_section_with_commit() -> None:
    out = _append("# Code reading log\n", entry="the step loop", citation="Engine/src/a.py:9-12", commit="4be91c0" + "f" * 33)
    assert out == (
        "# Code reading log\n\n## 2026-11-29\n\n**Commit**: `4be91c0`\n\n"
        "- 14:32 `Engine/src/a.py:9-12` @ `4be91c0` — the step loop\n"
    )


def test_entries_join_the_end_of_today_even_when_it_is_not_last() -> None:
    old = "# Log\n\n## 2026-11-29\n\n- 09:00 first\n\n\n## 2026-11-30\n\n- 08:00 later day\n"
    out = _append(old, entry="second")
    assert out == "# Log\n\n## 2026-11-29\n\n- 09:00 first\n- 14:32 second\n\n\n## 2026-11-30\n\n- 08:00 later day\n"


def test_oldest_first_log_gets_the_new_day_in_date_order() -> None:
    old = "# Log\n\n## 2026-11-27\n\n- 10:00 a\n\n## 2026-11-30\n\n- 10:00 b\n"
    out = _append(old)
    assert out == "# Log\n\n## 2026-11-27\n\n- 10:00 a\n\n## 2026-11-29\n\n- 14:32 note\n\n## 2026-11-30\n\n- 10:00 b\n"


def test_newest_first_log_keeps_newest_first() -> None:
    old = "# Log\n\n## 2026-11-30\n\n- 10:00 b\n\n## 2026-11-27\n\n- 10:00 a\n"
    out = _append(old)
    assert out == "# Log\n\n## 2026-11-30\n\n- 10:00 b\n\n## 2026-11-29\n\n- 14:32 note\n\n## 2026-11-27\n\n- 10:00 a\n"
    newer = _append(old, when=datetime(2026, 12, 1, 9, 0))
    assert newer.startswith("# Log\n\n## 2026-12-01\n\n- 09:00 note\n\n## 2026-11-30\n")


def test_new_day_goes_after_the_last_day_not_after_trailing_sections() -> None:
    old = "# Log\n\n## 2026-11-28\n\n- 10:00 a\n\n## Open questions\n\n- why?\n"
    out = _append(old)
    assert out == "# Log\n\n## 2026-11-28\n\n- 10:00 a\n\n## 2026-11-29\n\n- 14:32 note\n\n## Open questions\n\n- why?\n"


def test_commit_change_adds_a_declaration_and_keeps_the_old_one() -> None:
    a, b = "4be91c0" + "0" * 33, "a03f7d2" + "0" * 33
    out = _append("# Log\n", entry="one", citation="E/x.py:1", commit=a)
    same = _append(out, when=WHEN.replace(minute=40), entry="two", citation="E/x.py:2", commit=a[:9])
    assert same.count("**Commit**") == 1
    changed = _append(same, when=WHEN.replace(hour=16), entry="three", citation="E/x.py:3", commit=b)
    assert changed == same + "\n**Commit**: `a03f7d2`\n\n- 16:32 `E/x.py:3` @ `a03f7d2` — three\n"
    back = _append(changed, when=WHEN.replace(hour=17), entry="four", citation="E/x.py:4", commit=a)
    assert back.count("**Commit**: `4be91c0`") == 2  # the latest declaration is what counts


def test_other_declaration_shapes_are_recognised() -> None:
    old = "# Log\n\n## 2026-11-29\n\n> based on commit `4be91c0`, 2026-11-29\n\n- 10:00 a\n"
    out = _append(old, entry="b", citation="E/x.py:1", commit="4be91c0abc")
    assert out == old + "- 14:32 `E/x.py:1` @ `4be91c0` — b\n"


def test_preamble_declaration_covers_sections_without_their_own() -> None:
    old = "# Log\n\n**Commit**: `4be91c0`\n\n## 2026-11-29\n\n- 10:00 a\n"
    assert _append(old, citation="E/x.py:1", commit="4be91c0") == old + "- 14:32 `E/x.py:1` @ `4be91c0` — note\n"


def test_crlf_bom_and_missing_final_newline() -> None:
    old = "\ufeff# Log\r\n\r\n## 2026-11-29\r\n\r\n- 10:00 a".encode()
    new = append_entry(old, WHEN, "b", None, None)
    assert new == old + b"\r\n- 14:32 b\r\n"
    empty_bom = append_entry("\ufeff".encode(), WHEN, "b", None, None)
    assert empty_bom == "\ufeff## 2026-11-29\n\n- 14:32 b\n".encode()
    before_first = append_entry("\ufeff## 2026-11-30\r\n- x\r\n".encode(), WHEN, "b", None, None)
    assert before_first == "\ufeff## 2026-11-29\r\n\r\n- 14:32 b\r\n\r\n## 2026-11-30\r\n- x\r\n".encode()


def test_headings_inside_fences_are_not_sections() -> None:
    old = "# Log\n\n## 2026-11-28\n\n```bash\n## 2026-11-29\n# comment\n```\n"
    out = _append(old)
    assert out == old + "\n## 2026-11-29\n\n- 14:32 note\n"
    listed = "## 2026-11-29\n\n- 10:00 look:\n  ```\n  ## 2026-11-30\n  ```\n"
    assert _append(listed) == listed + "- 14:32 note\n"


def test_multiline_text_is_one_entry_and_control_characters_are_dropped() -> None:
    entry = format_entry(WHEN, "  first\x1b[31m line \r\n\n second\u2028third\x00", None, None)
    assert entry == "- 14:32 first[31m line\n   second\n  third\n"
    out = _append("## 2026-11-29\n", entry="a\nb")
    assert entries_for_day(out, DAY) == ["14:32 a\nb"]


def test_empty_entry_is_refused() -> None:
    with pytest.raises(NoteError, match="empty"):
        format_entry(WHEN, " \n ", None, None)
    assert format_entry(WHEN, "", "E/x.py:1", "abcdef1234") == "- 14:32 `E/x.py:1` @ `abcdef1`\n"


def test_the_prompt_text_follows_the_citation_as_typed() -> None:
    """The reader's prompt (ui/capture.entry_text): the prefilled scope stays by the citation,
    the reader's text follows it as typed, and ` — ` is added only when no dash was typed."""
    from readertui.ui.capture import entry_text

    def written(rest: str) -> str:
        text, separator = entry_text(rest)
        return format_entry(WHEN, text, "E/x.py:1", "abcdef1234", separator=separator).rstrip("\n")

    head = "- 14:32 `E/x.py:1` @ `abcdef1`"
    assert written(" (`Engine.step`)  — after") == head + " (`Engine.step`) — after"
    assert written(" (`Engine.step`) - after") == head + " (`Engine.step`) - after"
    assert written(" (`Engine.step`) : after") == head + " (`Engine.step`) : after"
    assert written(" (`Engine.step`) after") == head + " (`Engine.step`) — after"
    assert written(" (`Engine.step`) -1 is off") == head + " (`Engine.step`) — -1 is off"
    assert written(" (`Engine.step`) ") == head + " (`Engine.step`)"
    assert written(" — after") == head + " — after"
    assert written(" after") == head + " — after"
    assert written("") == head
    assert format_entry(WHEN, "after", "E/x.py:1", None) == "- 14:32 `E/x.py:1` — after\n"  # the default


def test_entries_for_day() -> None:
    text = (
        "# Log\n\n## 2026-11-28\n\n- 09:00 old\n\n## 2026-11-29\n\n**Commit**: `abc1234`\n\n"
        "- 10:00 one\n  more\n\n- 11:00 two\n\n```\n- not an entry\n```\n\n## 2026-11-30\n- later\n"
    )
    assert entries_for_day(text, DAY) == ["10:00 one\nmore", "11:00 two"]
    assert entries_for_day(text, date(2026, 1, 1)) == []


def test_binary_log_is_refused() -> None:
    with pytest.raises(NoteError, match="NUL"):
        append_entry(b"## 2026-11-29\n\x00", WHEN, "x", None, None)


# --- property: appending is one insertion, whatever the file looks like -------------------

_FREE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="`~"), max_size=30
)
_DATES = st.dates(min_value=date(2026, 11, 20), max_value=date(2026, 12, 5))
_BLOCK = st.one_of(
    _DATES.map(lambda d: f"## {d.isoformat()}"),
    _DATES.map(lambda d: f"## {d.isoformat()} — reading"),
    st.just("# Code reading log"),
    st.just("## Open questions"),
    st.just("### detail"),
    st.just(""),
    st.just("   "),
    st.from_regex(r"[0-9a-f]{7}", fullmatch=True).map(lambda s: f"**Commit**: `{s}`"),
    _FREE_TEXT.map(lambda s: f"- 10:00 {s}"),
    _FREE_TEXT.map(lambda s: f"  {s}"),
    _FREE_TEXT,
    _DATES.map(lambda d: f"```\n## {d.isoformat()}\n```"),
)


@st.composite
def _logs(draw) -> bytes:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = "\n".join(draw(st.lists(_BLOCK, max_size=14))).split("\n")
    text = newline.join(lines)
    if draw(st.booleans()):
        text += newline
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(
    old=_logs(),
    day=_DATES,
    text=_FREE_TEXT.filter(str.strip),
    commit=st.one_of(st.none(), st.from_regex(r"[0-9a-f]{40}", fullmatch=True)),
)
def test_append_only_inserts_at_one_point(old: bytes, day: date, text: str, commit: str | None) -> None:
    when = datetime.combine(day, datetime.min.time()).replace(hour=9, minute=5)
    citation = "Engine/src/a.py:1-2" if commit else None
    new = append_entry(old, when, text, citation, commit)
    assert _split_point(old, new) is not None
    old_text, new_text = old.decode(), new.decode()
    if old.startswith(b"\xef\xbb\xbf"):
        assert new.startswith(b"\xef\xbb\xbf") and not new[3:].startswith(b"\xef\xbb\xbf")
    first_end = old_text.find("\n")
    if first_end > 0 and old_text[first_end - 1] == "\r":
        assert new.count(b"\r\n") - old.count(b"\r\n") == new.count(b"\n") - old.count(b"\n")
    else:
        assert new.count(b"\r") == old.count(b"\r")
    before = entries_for_day(old_text, day)
    after = entries_for_day(new_text, day)
    assert len(after) == len(before) + 1
    assert any(entry.startswith("09:05") and text.strip() in entry for entry in after)
    headings = [line for line in new_text.replace("\r", "").split("\n") if line.lstrip("\ufeff").startswith(f"## {day.isoformat()}")]
    assert len(headings) >= 1


# --- log_entry: creation, and two processes appending at once ------------------------------


def _project(root: Path) -> Project:
    (root / "notes").mkdir(exist_ok=True)
    return Project("p", root, (), root / "notes")


def test_log_entry_creates_the_log_with_a_title(tmp_path: Path) -> None:
    logged = log_entry(_project(tmp_path), "hello", clock=lambda: WHEN)
    assert logged.path == tmp_path / "notes" / "code-reading-log.md"
    assert logged.path.read_text() == "# Code reading log\n\n## 2026-11-29\n\n- 14:32 hello\n"
    assert (logged.line, logged.text) == (5, "- 14:32 hello")


def test_log_entry_returns_the_line_it_inserted_in_a_newest_first_crlf_log(tmp_path: Path) -> None:
    log = _project(tmp_path).reading_log
    log.write_bytes(
        "\ufeff# Log\r\n\r\n## 2026-11-29\r\n\r\n- 09:00 first\r\n\r\n## 2026-11-28\r\n\r\n- 08:00 old\r\n".encode()
    )
    logged = log_entry(_project(tmp_path), "two\nlines", citation="r/a.py:3", commit="a" * 40, clock=lambda: WHEN)
    lines = log.read_bytes().decode("utf-8").split("\r\n")
    assert lines[logged.line - 1] == "- 14:32 `r/a.py:3` @ `aaaaaaa` — two"
    assert logged.text == "- 14:32 `r/a.py:3` @ `aaaaaaa` — two\n  lines"
    assert lines[logged.line] == "  lines"


def test_log_entry_never_creates_the_notes_folder(tmp_path: Path) -> None:
    with pytest.raises(NoteError, match="has no notes folder"):
        log_entry(Project("p", tmp_path, (), tmp_path / "notes"), "hello", clock=lambda: WHEN)
    assert list(tmp_path.iterdir()) == []


def test_log_entry_refuses_an_invalid_utf8_log_and_leaves_it(tmp_path: Path) -> None:
    log = tmp_path / "notes" / "code-reading-log.md"
    log.parent.mkdir()
    log.write_bytes(b"# Log\n\xff\n")
    with pytest.raises(NoteError, match=r"code-reading-log\.md is not valid UTF-8"):
        log_entry(_project(tmp_path), "hello", clock=lambda: WHEN)
    assert log.read_bytes() == b"# Log\n\xff\n"


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from pathlib import Path
    from readertui.core.log import log_entry
    from readertui.core.model import Project

    root, name = Path(sys.argv[1]), sys.argv[2]
    project = Project("p", root, (), root / "notes")
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(100):
        log_entry(project, f"{name} entry {i}", clock=lambda: datetime(2026, 11, 29, 12, 0))
    """
)


def test_two_processes_appending_concurrently_lose_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("alpha", "beta")
    ]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    text = (tmp_path / "notes" / "code-reading-log.md").read_text()
    assert text.count("## 2026-11-29") == 1
    assert text.count("# Code reading log") == 1
    entries = entries_for_day(text, DAY)
    assert len(entries) == 200
    for name in ("alpha", "beta"):
        mine = [entry for entry in entries if entry.startswith(f"12:00 {name} ")]
        assert mine == [f"12:00 {name} entry {i}" for i in range(100)]

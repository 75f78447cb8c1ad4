"""core/safe_text: nothing from a file reaches the terminal as a control sequence."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from readertui.core.safe_text import (
    BINARY_NOTICE,
    INVALID_UTF8_NOTICE,
    decode_for_display,
    is_safe,
    sanitize_line,
    sanitize_with_map,
    split_lines,
)

HOSTILE = "a\x1b[2Jb\x1b]52;c;aGVsbG8=\x07c\x1b]0;pwned\x07d\x9b6ne\x00f\x7fg\u202eh\u2066i\u2028j"


def _dangerous(char: str) -> bool:
    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
        or code in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029)
        or 0xD800 <= code <= 0xDFFF
    )


def test_hostile_line_has_no_control_characters_left() -> None:
    shown = sanitize_line(HOSTILE)
    assert not any(_dangerous(char) for char in shown)
    assert "␛[2J" in shown
    assert "␇" in shown and "␀" in shown and "␡" in shown


def test_replacement_is_one_character_for_one() -> None:
    assert len(sanitize_line(HOSTILE)) == len(HOSTILE)


def test_plain_line_is_returned_unchanged() -> None:
    line = "def f(x):  # ünïcode 中文"
    assert sanitize_line(line) is line
    assert is_safe(line)
    assert not is_safe("x\x1by")


def test_tabs_expand_to_stops_with_a_column_map() -> None:
    text, columns = sanitize_with_map("\tab\tc", tab_width=4)
    assert text == "    ab  c"
    assert columns == [0, 4, 5, 6, 8, 9]
    assert sanitize_with_map("abc")[1] is None
    assert sanitize_with_map("a\x1bc") == ("a␛c", None)


@given(st.text())
def test_any_text_becomes_safe_and_keeps_length_without_tabs(text: str) -> None:
    text = text.replace("\t", " ")
    shown = sanitize_line(text)
    assert len(shown) == len(text)
    assert not any(_dangerous(char) for char in shown)
    assert all(unicodedata.category(char) != "Cc" for char in shown)


@given(st.text(alphabet=st.sampled_from("ab\t\x1b")))
def test_column_map_points_at_each_character(text: str) -> None:
    shown, columns = sanitize_with_map(text, tab_width=4)
    if columns is None:
        assert len(shown) == len(text)
        return
    assert columns[-1] == len(shown)
    for index, char in enumerate(text):
        if char != "\t":
            assert shown[columns[index]] == sanitize_line(char)


def test_split_lines_only_on_newline() -> None:
    assert split_lines("a\r\nb\u2028c\x0bd\x0ce\n") == ["a", "b\u2028c\x0bd\x0ce"]
    assert split_lines("") == [""]
    assert split_lines("a\n\n") == ["a", ""]
    assert split_lines("no newline") == ["no newline"]


def test_decode_refuses_binary() -> None:
    text, notice = decode_for_display(b"ELF\x00\x01\x02")
    assert text == ""
    assert notice == BINARY_NOTICE


def test_decode_invalid_utf8_with_notice() -> None:
    text, notice = decode_for_display(b"ok \xff\xfe bad")
    assert text == "ok \ufffd\ufffd bad"
    assert notice == INVALID_UTF8_NOTICE


def test_decode_plain_utf8_and_bom() -> None:
    assert decode_for_display("héllo".encode()) == ("héllo", None)
    assert decode_for_display(b"\xef\xbb\xbfx = 1\n") == ("x = 1\n", None)


def test_decode_utf16_with_bom() -> None:
    text, notice = decode_for_display("wide".encode("utf-16"))
    assert text == "wide"
    assert notice is not None and "UTF-16" in notice

"""Make untrusted file text safe to show in a terminal.

Source files and notes are untrusted: an ESC, a C1 control or a bidi override in a file must
never reach the terminal, where it could clear the screen, set the clipboard (OSC 52), change
the title or reorder what the reader sees. Everything here is pure string work.

Placeholders, one character for one character so column spans stay aligned:

- C0 controls U+0000–U+001F (except TAB) → the matching control picture U+2400–U+241F
  (`␀`, `␛`, `␇`…); DEL U+007F → `␡`.
- C1 controls U+0080–U+009F (a bare U+009B is a CSI introducer in some terminals),
  bidi embeddings/overrides/isolates U+202A–U+202E and U+2066–U+2069 ("Trojan Source"),
  the marks U+200E/U+200F/U+061C, and the line/paragraph separators U+2028/U+2029 → `␦`.
- Lone surrogates (only possible when text was decoded with `surrogateescape`) → U+FFFD.

TAB is expanded to spaces at `tab_width` stops; `sanitize_with_map` returns the column map for
that case. Zero-width joiners and other invisible but inert characters are left alone: they
cannot move the cursor or start an escape sequence.
"""

from __future__ import annotations

import re

DEFAULT_TAB_WIDTH = 4
SUBSTITUTE = "\u2426"  # ␦
DEL_PICTURE = "\u2421"  # ␡
REPLACEMENT = "\ufffd"

BINARY_NOTICE = "binary file (NUL bytes): not shown"
INVALID_UTF8_NOTICE = "invalid UTF-8: undecodable bytes shown as \ufffd"
UTF16_NOTICE = "UTF-16 text (decoded from its byte-order mark)"

_UNSAFE_CLASS = (
    "\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff"
)
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
_UNSAFE_OR_TAB = re.compile(f"[\t{_UNSAFE_CLASS}]")


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
    del table[0x09]  # TAB is expanded, not replaced
    table[0x7F] = DEL_PICTURE
    for code in range(0x80, 0xA0):
        table[code] = SUBSTITUTE
    for code in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = SUBSTITUTE
    for code in range(0xD800, 0xE000):
        table[code] = REPLACEMENT
    return table


_TABLE = _build_table()


def is_safe(text: str) -> bool:
    """True when `text` holds no character that `sanitize_line` would replace (TAB aside)."""
    return _UNSAFE.search(text) is None


def sanitize_line(line: str, tab_width: int = DEFAULT_TAB_WIDTH) -> str:
    """`line` with tabs expanded and every dangerous character replaced by a placeholder."""
    if _UNSAFE_OR_TAB.search(line) is None:
        return line
    if "\t" in line:
        line = line.expandtabs(tab_width)
    return line.translate(_TABLE)


def sanitize_with_map(line: str, tab_width: int = DEFAULT_TAB_WIDTH) -> tuple[str, list[int] | None]:
    """The sanitized line and, when tabs moved columns, `map[i]` = output column of input
    character `i` (with `map[len(line)]` = output length). `None` means columns are unchanged."""
    if _UNSAFE_OR_TAB.search(line) is None:
        return line, None
    if "\t" not in line:
        return line.translate(_TABLE), None
    columns: list[int] = []
    column = 0
    for char in line:
        columns.append(column)
        column += tab_width - column % tab_width if char == "\t" else 1
    columns.append(column)
    return line.expandtabs(tab_width).translate(_TABLE), columns


def split_lines(text: str) -> list[str]:
    """Lines split on LF only (never on U+2028, VT or FF), with a trailing CR dropped.

    A final newline does not start an extra empty line; empty text is one empty line.
    """
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def decode_for_display(data: bytes) -> tuple[str, str | None]:
    """Decode file bytes for display: `(text, notice)`.

    NUL bytes mean binary: the text is empty and the notice gives the reason (a refusal).
    UTF-16 with a byte-order mark is decoded. Invalid UTF-8 is decoded with U+FFFD and a notice.
    A UTF-8 byte-order mark is dropped.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), UTF16_NOTICE
        except UnicodeDecodeError:
            return "", BINARY_NOTICE
    if b"\x00" in data:
        return "", BINARY_NOTICE
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="replace"), INVALID_UTF8_NOTICE


_TERMINAL_TABLE = {code: picture for code, picture in _TABLE.items() if code != 0x0A}
_UNSAFE_FOR_TERMINAL = re.compile(f"[{_UNSAFE_CLASS.replace(chr(0x0a) + '-', chr(0x0b) + '-')}]")


def terminal_text(text: str) -> str:
    """`text` for a terminal as it is: newlines and tabs kept, every other control character,
    C1, bidi control and lone surrogate replaced by its placeholder (as `sanitize_line`).
    The CLI sends everything it prints through this."""
    if _UNSAFE_FOR_TERMINAL.search(text) is None:
        return text
    return text.translate(_TERMINAL_TABLE)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_inert(encoded: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`, which escapes C0 already) with
    DEL, C1 and bidi controls written as four-digit `\\u` escapes: the same data, inert on a
    terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)

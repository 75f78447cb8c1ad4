"""The code-reading log: `notes/code-reading-log.md`, one `## YYYY-MM-DD` section per day.

The format we write (readable as plain text, one line per entry, diff-friendly):

    # Code reading log

    ## 2026-11-29

    **Commit**: `4be91c0`

    - 14:32 `Engine/src/engine/core.py:9-12` @ `4be91c0` — the step loop multiplies the loss
    - 14:40 a thought without a citation
      continuation lines of a multi-line entry are indented by two spaces

    **Commit**: `a03f7d2`

    - 16:05 `Engine/src/engine/core.py:14-16` @ `a03f7d2` — save() only writes the step count

Rules:

- An entry is a top-level list item: local time `HH:MM`, then (when it cites code) the
  canonical citation `<repo>/<path>:<lines>` in backticks and `@ `<short commit>``, then ` — `
  and the text. The reader's prompt writes the definition it prefilled right after the pin
  (`… @ `4be91c0` (`Engine.step`) — text`), and a dash or colon typed there as typed.
  Multi-line text is folded into the one item: continuation lines indented by two spaces,
  blank lines dropped, control characters removed (a NUL would make the note binary).
- Today's section is created if missing, in date order: the log is newest-first when its first
  dated section is later than its last one, oldest-first otherwise. A new section goes before the
  first section that should follow it, else right after the last dated section (so trailing
  non-dated sections such as `## Open questions` stay last), else at the end of the file.
- An entry goes at the end of today's section, after its last non-blank line.
- The commit a section records is the declaration in force at its last line, as
  `citations.scan_note` (and so the resolver) reads it: the section's latest `**Commit**: `x``,
  `> based on commit x`, `| Commit | x |`, `commit x` in prose…, else one above the first
  heading. When the entry's commit differs (or none is recorded), a new `**Commit**:` line is
  added before the entry; an old declaration is never edited.
- Appending is an insertion at one point: `new == old[:k] + inserted + old[k:]`. The file's
  newline style (LF or CRLF, from its first line ending) is used for inserted lines, a BOM stays
  first, and a missing final newline is supplied by the insertion itself.
- Headings and declarations inside fenced code blocks are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import msgspec

from readertui.core.citations import scan_note
from readertui.core.errors import NoteError
from readertui.core.lazy_pattern import LazyPattern
from readertui.core.model import Project
from readertui.core.notes import decode_note, edit, require_notes_folder
from readertui.core.safe_text import sanitize_line

TITLE = "# Code reading log"
BOM = "\ufeff"

_DAY_HEADING = LazyPattern(r"^ {0,3}##[ \t]+(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIMED_ENTRY = LazyPattern(r"^ {0,3}[-*+][ \t]+\d{1,2}:\d{2}(?!\d)")
_LEVEL2 = LazyPattern(r"^ {0,3}##(?:[ \t]|$)")
_SECTION_BREAK = LazyPattern(r"^ {0,3}#{1,2}(?:[ \t]|$)")
_FENCE_OPEN = LazyPattern(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_LIST_ITEM = LazyPattern(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_TOP_ITEM = LazyPattern(r"^ ?[-*+][ \t]+")
_LINE_BREAKS = LazyPattern(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_CONTROL = LazyPattern(r"[\x00-\x08\x0e-\x1f\x7f]")
_HEX = LazyPattern(r"[0-9a-fA-F]{4,40}")


class _Line(msgspec.Struct, frozen=True):
    """One line of the reading log with its offsets."""
    start: int  # offset of the line in the text (after the BOM for the first line)
    end: int  # offset just past its newline (or the end of the text)
    content: str  # without the newline, the CR and the BOM
    fenced: bool  # inside (or delimiting) a fenced code block

    @property
    def blank(self) -> bool:
        return not self.content.strip()


class _Day(msgspec.Struct, frozen=True):
    """A day's section of the reading log."""
    day: date
    heading: int  # index of the heading line
    end: int  # index of the next section break (or len(lines))


def format_entry(
    when: datetime, text: str, citation: str | None, commit: str | None, newline: str = "\n",
    separator: str = " — ",
) -> str:
    """One log entry as written: `- HH:MM `cite` @ `abc1234` — text`, ending with a newline.
    `separator` goes between the citation and the text: " " when the text brings its own (the
    reader's prompt: the scope it prefilled, the reader's own dash)."""
    lines = _clean_lines(text)
    head = f"- {when:%H:%M}"
    if citation:
        citation = sanitize_line(citation)  # a file named with an ESC gets its placeholder
        head += f" {_code(citation)}"
        if commit:
            head += f" @ {_code(short_commit(commit))}"
    if lines:
        head += (separator if citation else " ") + lines[0]
    elif not citation:
        raise NoteError("the log entry is empty: give some text or a citation")
    return "".join(line + newline for line in [head, *("  " + more for more in lines[1:])])


def append_entry(
    data: bytes, when: datetime, text: str, citation: str | None, commit: str | None, separator: str = " — "
) -> bytes:
    """The log `data` with one entry added under `when`'s day (pure; see the module doc)."""
    cut, inserted, _ = _insertion(data, when, text, citation, commit, separator)
    return data[:cut] + inserted + data[cut:]


def _insertion(
    data: bytes, when: datetime, text: str, citation: str | None, commit: str | None, separator: str = " — "
) -> tuple[int, bytes, int]:
    """(byte offset, bytes to insert there, offset of the entry's first line in those bytes)."""
    text_now = decode_note(Path("code-reading-log.md"), data)
    lines = _scan(text_now)
    newline = _newline_style(text_now)
    entry = format_entry(when, text, citation, commit, newline, separator)
    days = _day_sections(lines)
    today = next((d for d in days if d.day == when.date()), None)
    if today is not None:
        offset, inserted = _into_section(text_now, lines, today, entry, commit, newline)
    else:
        offset, inserted = _new_section(text_now, lines, days, when.date(), entry, commit)
    if offset > 0 and not text_now[:offset].endswith(("\n", BOM)):
        inserted = newline + inserted  # the file had no final newline
    cut = len(text_now[:offset].encode("utf-8"))
    encoded = inserted.encode("utf-8")
    return cut, encoded, encoded.rindex(entry.encode("utf-8"))


def entries_for_day(text: str, day: date) -> list[str]:
    """The entries (top-level list items) in `day`'s sections, marker removed, continuation
    lines joined with newlines."""
    if day.isoformat() not in text:
        return []  # no heading for the day: a long log need not be read line by line
    lines = _scan(text)
    entries: list[list[str]] = []
    for section in (d for d in _day_sections(lines) if d.day == day):
        current: list[str] | None = None
        for line in lines[section.heading + 1 : section.end]:
            item = _TOP_ITEM.match(line.content) if not line.fenced else None
            if item:
                current = [line.content[item.end() :].strip()]
                entries.append(current)
            elif current is not None and (line.blank or line.content[:1] in (" ", "\t")):
                if not line.blank:
                    current.append(line.content.strip())
            else:
                current = None
    return ["\n".join(parts) for parts in entries]


class LoggedEntry(msgspec.Struct, frozen=True):
    """What `log_entry` inserted: the log file, the 1-based line of the entry's first line, and
    the entry as written (its lines joined with LF, without the final newline)."""

    path: Path
    line: int
    text: str


def log_entry(
    project: Project,
    text: str,
    citation: str | None = None,
    commit: str | None = None,
    clock: Callable[[], datetime] = datetime.now,
    separator: str = " — ",
) -> LoggedEntry:
    """Append an entry to the project's reading log (created with a title if missing), locked,
    atomic and compare-and-swapped via `notes.edit`, so concurrent writers — other readertui
    processes and other programs — never lose each other's lines. The notes folder must exist:
    it is what makes a folder a project, so it is never created here. The log must lie inside
    the workspace (a symlink out is refused)."""
    path = project.reading_log
    when = clock()
    require_notes_folder(project)
    done: list[LoggedEntry] = []

    def add(old: bytes) -> bytes:
        if not old:
            old = f"{TITLE}\n".encode()
        decode_note(path, old)  # a binary or mis-encoded log is reported with its real path
        cut, inserted, at = _insertion(old, when, text, citation, commit, separator)
        entry = inserted[at:].decode("utf-8").rstrip("\r\n").replace("\r\n", "\n")
        line = (old[:cut] + inserted[:at]).count(b"\n") + 1
        done[:] = [LoggedEntry(path, line, entry)]  # the last attempt's is the one written
        return old[:cut] + inserted + old[cut:]

    edit(path, add, inside=project.path.parent)
    return done[-1]


def short_commit(commit: str) -> str:
    """Seven characters of a hex sha; anything else (a tag) as given."""
    return commit[:7] if _HEX.fullmatch(commit) else commit


def same_commit(a: str, b: str) -> bool:
    """Whether two refs name the same commit as far as text can tell: one hex sha is a prefix of
    the other. Tags never match a sha here (resolving them needs git; a new line is harmless)."""
    a, b = a.lower(), b.lower()
    if not (_HEX.fullmatch(a) and _HEX.fullmatch(b)):
        return a == b
    return a.startswith(b) or b.startswith(a)


def _into_section(
    text: str, lines: list[_Line], section: _Day, entry: str, commit: str | None, newline: str
) -> tuple[int, str]:
    last = max(i for i in range(section.heading, section.end) if not lines[i].blank)
    recorded = _recorded_commit(text, lines, section.heading, last)
    if commit and (recorded is None or not same_commit(recorded, commit)):
        inserted = newline + _declaration(commit, newline) + newline + entry
    elif last != section.heading and _in_list(lines[last]):
        inserted = entry
    else:
        inserted = newline + entry
    if last + 1 < len(lines) and not lines[last + 1].blank:
        inserted += newline  # keep a blank line before the heading that follows
    return lines[last].end, inserted


def _new_section(
    text: str, lines: list[_Line], days: list[_Day], day: date, entry: str, commit: str | None
) -> tuple[int, str]:
    newline = _newline_style(text)
    block = f"## {day.isoformat()}{newline}{newline}"
    if commit:
        block += _declaration(commit, newline) + newline
    block += entry
    newest_first = len(days) >= 2 and days[0].day > days[-1].day
    before = next((d for d in days if (d.day < day if newest_first else d.day > day)), None)
    if before is not None:
        index = before.heading
    elif days:
        index = days[-1].end
    else:
        index = len(lines)
    if index < len(lines):
        prefix = newline if index > 0 and not lines[index - 1].blank else ""
        return lines[index].start, prefix + block + newline
    has_content = any(not line.blank for line in lines)
    ends_blank = bool(lines) and lines[-1].blank and lines[-1].end > lines[-1].start
    prefix = newline if has_content and not ends_blank else ""
    return len(text), prefix + block


def _recorded_commit(text: str, lines: list[_Line], heading: int, last: int) -> str | None:
    """The declared commit in force at line index `last` of the section starting at `heading`.

    Only the preamble (above the first `##`) and the section itself can declare it, and timed
    entries never declare (scan_note's rule), so only those lines are scanned, entries blanked
    out: appending stays fast in a year-long log or a day of hundreds of entries."""
    first = next(
        (i for i, line in enumerate(lines) if not line.fenced and _LEVEL2.match(line.content)), heading
    )
    section = "".join(
        "\n" if _TIMED_ENTRY.match(line.content) else text[line.start : line.end]
        for line in lines[heading : last + 1]
    )
    scan = scan_note(text[: lines[first].start] + section)
    return scan.commit_for_line(first + (last - heading) + 1)


def _declaration(commit: str, newline: str) -> str:
    return f"**Commit**: {_code(short_commit(commit))}{newline}"


def _in_list(line: _Line) -> bool:
    return bool(_LIST_ITEM.match(line.content)) or line.content[:1] in (" ", "\t")


def _day_sections(lines: list[_Line]) -> list[_Day]:
    breaks = [i for i, line in enumerate(lines) if not line.fenced and _SECTION_BREAK.match(line.content)]
    days: list[_Day] = []
    for position, index in enumerate(breaks):
        match = _DAY_HEADING.match(lines[index].content)
        if not match:
            continue
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue  # `## 2026-13-45` is a heading, not a day
        end = breaks[position + 1] if position + 1 < len(breaks) else len(lines)
        days.append(_Day(day, index, end))
    return days


def _scan(text: str) -> list[_Line]:
    """Split into lines (on LF only; a CR before it is part of the ending) and mark fences.

    A fence opened at column 0 ends only at its closing fence. One opened on an indented line
    (inside a list item) also ends at the first non-blank line indented less, as the list item
    it belongs to ends there.
    """
    lines: list[_Line] = []
    fence: tuple[str, int, int] | None = None  # (char, length, indent)
    position = 1 if text.startswith(BOM) else 0
    while position < len(text):
        stop = text.find("\n", position)
        end = len(text) if stop == -1 else stop + 1
        content = text[position:end].rstrip("\n")
        if content.endswith("\r"):
            content = content[:-1]
        indent = len(content) - len(content.lstrip(" \t"))
        fenced = False
        if fence is not None:
            char, length, fence_indent = fence
            closing = content.strip()
            if closing and indent < fence_indent:
                fence = None
            else:
                fenced = True
                if closing.startswith(char * length) and set(closing) == {char}:
                    fence = None
        if not fenced:
            opening = _FENCE_OPEN.match(content)
            if opening and not (opening.group(2)[0] == "`" and "`" in opening.group(3)):
                fence = (opening.group(2)[0], len(opening.group(2)), indent)
                fenced = True
        lines.append(_Line(position, end, content, fenced))
        position = end
    return lines


def _newline_style(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _clean_lines(text: str) -> list[str]:
    lines = [_CONTROL.sub("", line).rstrip() for line in _LINE_BREAKS.split(text)]
    lines = [line for line in lines if line.strip()]
    if lines:
        lines[0] = lines[0].lstrip()
    return lines


def _code(text: str) -> str:
    """Inline code that survives backticks inside the text."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"

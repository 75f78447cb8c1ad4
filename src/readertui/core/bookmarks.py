"""Bookmarks: `notes/bookmarks.toml`, research data that lives (and is committed) with the notes.

The file is an array of tables, one `[[bookmark]]` per mark, in the order they were added:

    # readertui bookmarks: one [[bookmark]] table per mark. …

    [[bookmark]]
    id = "3f9a1c2e"
    repo = "Engine"
    path = "src/engine/core.py"
    start = 9
    end = 12
    label = "the step loop"
    commit = "4be91c0e…"                      # full sha the lines were marked at (omitted if none)
    created = 2026-11-29T14:32:00+00:00
    fingerprint = "sha1:…"                    # see `fingerprint`
    excerpt = "def step(self, batch):"

An array of tables (rather than `[bookmark.<id>]`) keeps the file in creation order and makes
each mark one contiguous, diff-friendly block. Keys other than these are reported as problems,
because saving would drop them.

Safety: `load` never raises for a bad file; it returns `Problem`s naming file, line and key.
Every write goes through `notes.edit` (locked, atomic, compare-and-swap) and refuses a malformed
file (DataFileError). Two kinds:

- `add_mark`, `rename_mark`, `remove_marks` (the CLI, the reader): an operation applied to the
  file as it is on disk, re-applied when another program changes it during the write (like an
  entry of the reading log), changing only its own bytes (see "edits in place" below).
- `save` (a whole list, for `update`'s rewrite): refused (ConflictError) when the file changed
  on disk since this process last loaded or saved it. It keeps the text above the first table
  and the block of every unchanged bookmark byte for byte; changed bookmarks are rendered.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import threading
import tomllib
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec
import tomli_w

from readertui.core.errors import ConflictError, DataFileError, NoteError, ReadertuiError
from readertui.core.model import Bookmark, LineRange, Problem, Project
from readertui.core.notes import Snapshot, decode_note, edit, is_inside, require_notes_folder, snapshot_if_exists
from readertui.core.workspace import notes_folder_problem

HEADER = (
    "# readertui bookmarks: one [[bookmark]] table per mark, oldest first.\n"
    "# Safe to commit and to edit by hand: saving rewrites only the bookmarks that changed.\n"
)
EXCERPT_LIMIT = 80
KEYS = ("id", "repo", "path", "start", "end", "label", "commit", "created", "fingerprint", "excerpt")
_REQUIRED = ("id", "repo", "path", "start", "end", "created")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*bookmark\s*\]\]")

# What this process last read or wrote for each bookmarks file (resolved path -> snapshot, None
# for "absent"): `save` compares the disk against it, like an editor checks its buffer's file.
_seen: dict[Path, Snapshot | None] = {}
_seen_lock = threading.Lock()


class BookmarkError(ReadertuiError):
    """An unknown or duplicate bookmark id."""


def fingerprint(lines: list[str]) -> str:
    """`sha1:` of the marked lines, trailing whitespace stripped and newlines normalised, so a
    CRLF checkout or re-indented line endings do not make a moved mark look changed."""
    normalised = "\n".join(line.rstrip() for line in lines)
    return "sha1:" + hashlib.sha1(normalised.encode("utf-8", "surrogatepass")).hexdigest()


def excerpt(lines: list[str]) -> str:
    """The first non-blank marked line, stripped, control characters removed, ≤ 80 chars."""
    first = next((line for line in lines if line.strip()), "")
    text = _CONTROL.sub("", first.replace("\t", " ")).strip()
    return text if len(text) <= EXCERPT_LIMIT else text[: EXCERPT_LIMIT - 1] + "…"


def new_bookmark(
    repo: str,
    path: str,
    lines_range: LineRange,
    label: str,
    commit: str | None,
    lines: list[str],
    existing: tuple[Bookmark, ...] = (),
    created: datetime | None = None,
) -> Bookmark:
    """A bookmark for `lines` (the text of `lines_range`), with an id unique among `existing`."""
    created = (created or datetime.now(timezone.utc).astimezone()).replace(microsecond=0)
    taken = {bookmark.id for bookmark in existing}
    seed = f"{repo}/{path}:{lines_range}@{created.isoformat()}"
    counter = 0
    while True:
        ident = hashlib.sha1(f"{seed}#{counter}".encode()).hexdigest()[:8]
        if ident not in taken:
            break
        counter += 1
    return Bookmark(
        id=ident,
        repo=repo,
        path=path,
        range=lines_range,
        label=label,
        commit=commit,
        created=created,
        fingerprint=fingerprint(lines),
        excerpt=excerpt(lines),
    )


def add(bookmarks: tuple[Bookmark, ...], bookmark: Bookmark) -> tuple[Bookmark, ...]:
    if any(existing.id == bookmark.id for existing in bookmarks):
        raise BookmarkError(f"a bookmark with id {bookmark.id} already exists")
    return (*bookmarks, bookmark)


def remove(bookmarks: tuple[Bookmark, ...], ident: str) -> tuple[Bookmark, ...]:
    _find(bookmarks, ident)
    return tuple(bookmark for bookmark in bookmarks if bookmark.id != ident)


def rename(bookmarks: tuple[Bookmark, ...], ident: str, label: str) -> tuple[Bookmark, ...]:
    _find(bookmarks, ident)
    return tuple(
        msgspec.structs.replace(b, label=label) if b.id == ident else b for b in bookmarks
    )


def _find(bookmarks: tuple[Bookmark, ...], ident: str) -> Bookmark:
    for bookmark in bookmarks:
        if bookmark.id == ident:
            return bookmark
    raise BookmarkError(f"no bookmark with id {ident!r}")


def load(project: Project) -> tuple[tuple[Bookmark, ...], list[Problem]]:
    """The project's bookmarks and the problems found in its file (never raises for bad data)."""
    path = project.bookmarks_file
    refused = refusal(project)
    if refused is not None:
        return (), [refused]
    # Read and remember under one lock: a save finishing between the two would otherwise be
    # followed by this older read, and the next save refused as a conflict.
    with _seen_lock:
        try:
            taken = snapshot_if_exists(path)
        except NoteError as error:
            return (), [Problem(path, str(error))]
        _seen[_key(path)] = taken
    if taken is None:
        return (), []
    return parse(path, taken.data)


def refusal(project: Project) -> Problem | None:
    """Why the project's bookmarks are not read at all: the notes folder cannot be read or leads
    outside the workspace, or the bookmarks file leads outside it (a symlink out)."""
    folder = notes_folder_problem(project)
    if folder is not None:
        return Problem(project.notes_dir, folder.replace(f" {project.notes_dir}", "", 1))
    path = project.bookmarks_file
    inside = project.path.parent
    if not is_inside(path, inside):
        return Problem(path, f"leads outside the workspace (to {path.resolve()}); not read")
    return None


def save(
    project: Project, bookmarks: tuple[Bookmark, ...], base: tuple[Bookmark, ...] | None = None
) -> None:
    """Write the bookmarks file atomically under the note lock.

    Refuses (DataFileError) when the file on disk is malformed, and (ConflictError) when it is
    not what this process last loaded or saved; nothing is written then. `base` is the list the
    caller's change started from: when given, the file must still hold exactly that list, so a
    caller holding an older list (a reader whose list came from a stale read) can never write
    it back over marks it has not seen."""
    path = project.bookmarks_file
    key = _key(path)
    with _seen_lock:
        known = key in _seen
        expected = _seen.get(key)

    def replace(current: bytes) -> bytes:
        on_disk, problems = parse(path, current) if current else ((), [])
        if problems:
            raise DataFileError(f"{problems[0]}; fix it by hand, readertui will not overwrite it")
        if not known and current:
            raise ConflictError(f"{path} exists but was not loaded first; nothing written")
        if (expected.data if expected else b"") != current or (base is not None and base != on_disk):
            raise ConflictError(
                f"{path} changed on disk since it was loaded; nothing written (reload and retry)"
            )
        return _updated(current, on_disk, bookmarks)

    require_notes_folder(project)
    written = edit(path, replace, inside=project.path.parent)
    with _seen_lock:
        _seen[key] = written


# --------------------------------------------------------------------------- edits in place
#
# `add_mark`, `rename_mark` and `remove_marks` are what the CLI and the reader use. Each is an
# operation, not a list: `notes.edit` runs it on the bytes on disk under the note lock, and runs
# it again on the new bytes when another program (an editor, a shell `>>`, a `git pull`) changed
# the file between that read and the rename, for up to `notes.RETRY_SECONDS` (the guarantee the
# reading log has). Nobody's edit is lost, and the result is the file's whole list, other marks
# included. Each changes only its own bytes: add appends a table, rename replaces the label's
# value (an inline comment after it stays), remove takes out the table's own lines (its header
# through its last key line; comments and blank lines after the last key of the last table
# belong to the file). When the file cannot be edited that precisely (a header-like line inside
# a multi-line string…), the edit falls back to `_updated`, which still keeps unchanged blocks.


def add_mark(project: Project, bookmark: Bookmark) -> tuple[tuple[Bookmark, ...], Bookmark]:
    """Append `bookmark` to the project's file as it is on disk now; (the file's bookmarks,
    the one added). Its id is changed only if the file already has a bookmark with that id."""
    added = [bookmark]

    def change(text: str, marks: tuple[Bookmark, ...]) -> tuple[str, tuple[Bookmark, ...]]:
        mark = _with_free_id(bookmark, marks)
        added[0] = mark
        return _appended_table(text, mark), (*marks, mark)

    return _apply(project, change), added[0]


def rename_mark(project: Project, ident: str, label: str) -> tuple[Bookmark, ...]:
    """Give the bookmark `ident` the label `label` in the file as it is on disk now; the file's
    bookmarks. BookmarkError (nothing written) when the file no longer has that bookmark."""

    def change(text: str, marks: tuple[Bookmark, ...]) -> tuple[str, tuple[Bookmark, ...]]:
        if _find_on_disk(marks, ident).label == label:
            return text, marks  # the same label: not a byte changes (nothing is written)
        return _relabelled(text, marks, ident, label), rename(marks, ident, label)

    return _apply(project, change)


def remove_marks(project: Project, idents: list[str] | tuple[str, ...]) -> tuple[Bookmark, ...]:
    """Remove the bookmarks `idents` from the file as it is on disk now; the file's bookmarks.
    BookmarkError (nothing written) when the file no longer has one of them."""

    def change(text: str, marks: tuple[Bookmark, ...]) -> tuple[str, tuple[Bookmark, ...]]:
        for ident in idents:
            _find_on_disk(marks, ident)
        for ident in idents:
            text = _without_table(text, marks, ident)
            marks = remove(marks, ident)
        return text, marks

    return _apply(project, change)


_Change = Callable[[str, tuple[Bookmark, ...]], tuple[str, tuple[Bookmark, ...]]]


def _apply(project: Project, change: _Change) -> tuple[Bookmark, ...]:
    """Run `change(text, marks) -> (text, expected marks)` on the file through `notes.edit`."""
    path = project.bookmarks_file
    result: list[tuple[Bookmark, ...]] = [()]  # the marks of the bytes the last attempt made

    def transform(current: bytes) -> bytes:
        marks, problems = parse(path, current) if current else ((), [])
        if problems:
            raise DataFileError(f"{problems[0]}; fix it by hand, readertui will not overwrite it")
        text = decode_note(path, current) if current else ""
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        new, expected = change(text[len(bom) :], marks)
        data = (bom + new).encode("utf-8")
        if data != current or expected != marks:  # (unchanged text with changed marks: unsure)
            found, problems = parse(path, data)
            if problems or found != expected:  # not sure of the spans: keep the unchanged blocks
                data = _updated(current, marks, expected)
        result[0] = expected
        return data

    require_notes_folder(project)
    written = edit(path, transform, inside=project.path.parent)
    with _seen_lock:
        _seen[_key(path)] = written
    marks = result[0]  # (what was written parses to these: checked above, or `_updated`'s)
    return marks


def _find_on_disk(marks: tuple[Bookmark, ...], ident: str) -> Bookmark:
    for mark in marks:
        if mark.id == ident:
            return mark
    raise BookmarkError(
            f"no bookmark with id {ident!r} in the file any more (removed meanwhile?); nothing written"
        )


def _with_free_id(bookmark: Bookmark, marks: tuple[Bookmark, ...]) -> Bookmark:
    taken = {mark.id for mark in marks}
    if bookmark.id not in taken:
        return bookmark
    counter = 0
    while True:
        ident = hashlib.sha1(f"{bookmark.id}#{counter}".encode()).hexdigest()[:8]
        if ident not in taken:
            return msgspec.structs.replace(bookmark, id=ident)
        counter += 1


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)  # TOML lines end at LF only; each keeps its end


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _appended_table(text: str, mark: Bookmark) -> str:
    """`text` with `mark`'s table after everything in it (a blank line between)."""
    if not text:
        return HEADER + "\n" + _render(mark, "\n")
    newline = _newline(text)
    if not text.endswith("\n"):
        text += newline
    if _lines(text)[-1].strip():
        text += newline
    return text + _render(mark, newline)


def _table_span(lines: list[str], marks: tuple[Bookmark, ...], ident: str) -> tuple[int, int] | None:
    """(header line, last key line) of the table of bookmark `ident`, or None if unsure (the
    lines found there must parse to that very table)."""
    index = next(i for i, mark in enumerate(marks) if mark.id == ident)
    headers = [i for i, line in enumerate(lines) if _ARRAY_HEADER.match(line)]
    if len(headers) != len(marks):
        return None
    header = headers[index]
    end = headers[index + 1] if index + 1 < len(headers) else len(lines)
    last = header
    for number in range(header + 1, end):
        stripped = lines[number].strip()
        if stripped and not stripped.startswith("#"):
            last = number
    try:
        tables = tomllib.loads("".join(lines[header : last + 1])).get("bookmark")
    except tomllib.TOMLDecodeError:
        return None
    if not isinstance(tables, list) or len(tables) != 1:
        return None
    mark, problems = _from_table(Path(), [], 0, tables[0])
    return (header, last) if mark == marks[index] and not problems else None


_LABEL_KEY = re.compile(r"""^[ \t]*(?:label|"label"|'label')[ \t]*=[ \t]*""")
_AFTER_VALUE = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\r?\n|$)")


def _relabelled(text: str, marks: tuple[Bookmark, ...], ident: str, label: str) -> str:
    """`text` with only the value of bookmark `ident`'s label replaced (its key, spacing and an
    inline comment after it kept); a table without a label gets a `label = …` line after its
    last key. Unchanged when the span cannot be found with certainty (the caller falls back)."""
    lines = _lines(text)
    span = _table_span(lines, marks, ident)
    if span is None:
        return text
    header, last = span
    value = tomli_w.dumps({"label": label}).split("=", 1)[1].strip()
    old = next(mark.label for mark in marks if mark.id == ident)
    for number in range(header + 1, last + 1):
        key = _LABEL_KEY.match(lines[number])
        if key is None:
            continue
        rest = "".join(lines[number:last + 1])[key.end() :]
        for end in range(1, len(rest) + 1):
            if not _AFTER_VALUE.match(rest, end):
                continue
            try:
                parsed = tomllib.loads("v = " + rest[:end])
            except tomllib.TOMLDecodeError:
                continue
            if parsed == {"v": old}:
                before = "".join(lines[:number]) + lines[number][: key.end()]
                return before + value + rest[end:] + "".join(lines[last + 1 :])
        return text
    newline = "\r\n" if lines[last].endswith("\r\n") else _newline(text)
    ending = "" if lines[last].endswith("\n") else newline
    added = f"label = {value}{newline if ending == '' else ''}"
    return "".join(lines[: last + 1]) + ending + added + "".join(lines[last + 1 :])


def _without_table(text: str, marks: tuple[Bookmark, ...], ident: str) -> str:
    """`text` without bookmark `ident`'s own lines (header through last key line) and the blank
    lines after them (before them, when nothing follows). Unchanged when unsure (see
    `_relabelled`)."""
    lines = _lines(text)
    span = _table_span(lines, marks, ident)
    if span is None:
        return text
    first, last = span
    last += 1
    while last < len(lines) and not lines[last].strip():
        last += 1
    if last == len(lines):  # nothing after it: the blank lines before it go instead
        last = span[1] + 1
        while first > 0 and not lines[first - 1].strip():
            first -= 1
    return "".join(lines[:first] + lines[last:])


def _updated(current: bytes, on_disk: tuple[Bookmark, ...], bookmarks: tuple[Bookmark, ...]) -> bytes:
    """The new file, keeping every byte of the old one that still says the same thing.

    The text above the first `[[bookmark]]` (comments) and the block of each unchanged bookmark
    are kept verbatim, so hand-written comments and formatting survive; only new or changed
    bookmarks are rendered. When the file cannot be split into one block per table with
    certainty (a header-like line inside a multi-line string…), it is rewritten whole."""
    bom = b"\xef\xbb\xbf" if current.startswith(b"\xef\xbb\xbf") else b""  # kept as it was
    if bom:
        return bom + _updated(current[len(bom) :], on_disk, bookmarks)
    split = _blocks(current.decode("utf-8"), on_disk) if current.strip() else None
    if split is None:
        return dumps(bookmarks)
    preamble, old = split
    newline = "\r\n" if "\r\n" in current.decode("utf-8") else "\n"
    kept = {mark.id: (mark, lead, chunk) for mark, lead, chunk in old}
    text = preamble
    for mark in bookmarks:
        previous = kept.get(mark.id)
        if previous and previous[0] == mark:
            chunk = previous[2]
        else:  # a changed mark keeps the comment lines written above it
            chunk = (previous[1] if previous else "") + _render(mark, newline)
        if text and not text.endswith(newline * 2):
            text += newline if text.endswith(newline) else newline * 2
        text += chunk
    return text.encode("utf-8") if text.strip() else HEADER.encode("utf-8")


def _blocks(text: str, whole: tuple[Bookmark, ...]) -> tuple[str, list[tuple[Bookmark, str, str]]] | None:
    """(text before the first bookmark, [(bookmark, comment lines above its header, its whole
    block's text)]), or None if unsure: the blocks must parse to `whole`, the file's bookmarks."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)  # TOML lines end at LF only
    headers = [i for i, line in enumerate(lines) if _ARRAY_HEADER.match(line)]
    # Comment lines right above a header describe that bookmark (above the first: the file).
    starts = headers[:1] + [_comment_start(lines, header) for header in headers[1:]]
    preamble = "".join(lines[: headers[0]]) if headers else text
    try:
        if tomllib.loads(preamble):
            return None
        blocks = []
        for index, first in enumerate(starts):
            chunk = "".join(lines[first : starts[index + 1] if index + 1 < len(starts) else len(lines)])
            lead = "".join(lines[first : headers[index]])
            tables = tomllib.loads(chunk).get("bookmark")
            if not isinstance(tables, list) or len(tables) != 1:
                return None
            mark, problems = _from_table(Path(), chunk.splitlines(), 0, tables[0])
            if mark is None or problems:
                return None
            blocks.append((mark, lead, chunk))
    except tomllib.TOMLDecodeError:
        return None
    return (preamble, blocks) if whole == tuple(block[0] for block in blocks) else None


def _comment_start(lines: list[str], header: int) -> int:
    while header > 0 and lines[header - 1].lstrip().startswith("#"):
        header -= 1
    return header


def _render(mark: Bookmark, newline: str) -> str:
    return tomli_w.dumps({"bookmark": [_to_table(mark)]}).replace("\n", newline)


def dumps(bookmarks: tuple[Bookmark, ...]) -> bytes:
    """The file's bytes: the header comment, then one `[[bookmark]]` table per mark."""
    if not bookmarks:
        return HEADER.encode("utf-8")
    tables = [_to_table(bookmark) for bookmark in bookmarks]
    return (HEADER + "\n" + tomli_w.dumps({"bookmark": tables})).encode("utf-8")


def parse(path: Path, data: bytes) -> tuple[tuple[Bookmark, ...], list[Problem]]:
    """Bookmarks in `data` (the file at `path`) and problems, each naming a line and key."""
    try:
        text = decode_note(path, data).removeprefix("\ufeff")  # a BOM is accepted (and kept on save)
        document = tomllib.loads(text)
    except NoteError as error:
        return (), [Problem(path, str(error))]
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = None
        if position:  # "at end of document" has no number: the last line is where it ends
            line = int(position.group(1)) if position.group(1) else max(1, len(text.splitlines()))
        return (), [Problem(path, f"not valid TOML: {_TOML_POSITION.sub('', message)}", line=line)]
    lines = text.splitlines()
    problems: list[Problem] = []
    for name in document:
        if name != "bookmark":
            problems.append(
                Problem(path, "unknown key (it would be lost when readertui saves)", _key_line(lines, 0, name), name)
            )
    tables = document.get("bookmark", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        problems.append(Problem(path, "must be an array of [[bookmark]] tables", _key_line(lines, 0, "bookmark"), "bookmark"))
        return (), problems
    headers = [i for i, line in enumerate(lines) if _ARRAY_HEADER.match(line)]
    bookmarks: list[Bookmark] = []
    seen_ids: set[str] = set()
    for index, table in enumerate(tables):
        header = headers[index] if index < len(headers) else 0
        bookmark, found = _from_table(path, lines, header, table)
        problems += found
        if bookmark is None:
            continue
        if bookmark.id in seen_ids:
            problems.append(Problem(path, f"duplicate id {bookmark.id!r}", _key_line(lines, header, "id"), "id"))
            continue
        seen_ids.add(bookmark.id)
        bookmarks.append(bookmark)
    return tuple(bookmarks), problems


def _from_table(
    path: Path, lines: list[str], header: int, table: dict[str, Any]
) -> tuple[Bookmark | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(key: str, message: str, suggestion: str | None = None) -> None:
        line = _key_line(lines, header, key) if key in table else header + 1
        problems.append(Problem(path, message, line, f"bookmark.{key}", suggestion))

    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            problem(key, "unknown key (it would be lost when readertui saves)", close[0] if close else None)
    for key in _REQUIRED:
        if key not in table:
            problem(key, "missing")
    for key in ("id", "repo", "path", "label", "commit", "fingerprint", "excerpt"):
        if key in table and not isinstance(table[key], str):
            problem(key, "must be a string")
    for key in ("id", "repo", "path"):
        if isinstance(table.get(key), str) and not table[key].strip():
            problem(key, "must not be empty")
    for key in ("start", "end"):
        value = table.get(key)
        if key in table and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            problem(key, "must be a line number (an integer ≥ 1)")
    if "created" in table and not isinstance(table["created"], datetime):
        problem("created", "must be a date-time like 2026-11-29T14:32:00+00:00")
    if problems:
        return None, problems
    if table["end"] < table["start"]:
        problem("end", f"is before start ({table['start']})")
        return None, problems
    return (
        Bookmark(
            id=table["id"],
            repo=table["repo"],
            path=table["path"],
            range=LineRange(table["start"], table["end"]),
            label=table.get("label", ""),
            commit=table.get("commit"),
            created=table["created"],
            fingerprint=table.get("fingerprint", ""),
            excerpt=table.get("excerpt", ""),
        ),
        [],
    )


def _to_table(bookmark: Bookmark) -> dict[str, Any]:
    table: dict[str, Any] = {
        "id": bookmark.id,
        "repo": bookmark.repo,
        "path": bookmark.path,
        "start": bookmark.range.start,
        "end": bookmark.range.end,
        "label": bookmark.label,
    }
    if bookmark.commit:
        table["commit"] = bookmark.commit
    table["created"] = bookmark.created
    table["fingerprint"] = bookmark.fingerprint
    table["excerpt"] = bookmark.excerpt
    return table


def _key_line(lines: list[str], start: int, key: str) -> int | None:
    """1-based line of `key = …` at or after line index `start`, before the next table header
    (TOML errors carry positions; data errors are found back in the text this way)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for index in range(start, len(lines)):
        if index > start and lines[index].lstrip().startswith("["):
            break
        if pattern.match(lines[index]):
            return index + 1
    return None


def _key(path: Path) -> Path:
    return Path(path).resolve()

"""Rewrite citations in a note's text, touching only the characters that must change.

Pure: text in, text out. Offsets come from `core.citations.scan_note` on the same text, so the
note's line endings (CRLF), its Chinese prose and everything else survive byte for byte.

* Line numbers: only the digits at `Citation.range_spans` are replaced. A range written as one
  number (`:42`, both spans equal) stays one number when it maps to a one-line range (`:43`);
  `234-256` becomes `240-262`, `L10-L20` keeps its `L`s.
* Paths: rewritten only when the file was renamed and the citation wrote the whole old
  repo-relative path (`src/a.py`, or with a prefix such as `Engine/src/a.py`, `../Engine/src/a.py`).
  A shorter form (`a.py`, `engine/a.py`) is kept when the new path still ends with it; otherwise
  the citation cannot be carried without changing how the author wrote it, and
  `path_rewrite` says so (None) so the caller can ask a human.
* Commit declarations: replaced by the new commit written in the same style (`new_ref_text`).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from readertui.core.model import Citation, CommitDeclaration, LineRange, Span


class CitationEdit(msgspec.Struct, frozen=True):
    citation: Citation
    new_ranges: tuple[LineRange, ...]
    old_path: str | None = None  # repo-relative path at the old commit, when the file was renamed
    new_path: str | None = None  # repo-relative path at the new commit, when the file was renamed


class DeclarationEdit(msgspec.Struct, frozen=True):
    declaration: CommitDeclaration
    new_ref: str  # the text to write instead of `declaration.ref`


def path_rewrite(written: str, old_path: str, new_path: str) -> str | None:
    """What to write for a cited path after `old_path` was renamed to `new_path`.

    Returns `written` unchanged when it still names the new file, the written path with its
    `old_path` tail replaced when it wrote the full path, and None when neither holds."""
    if written == old_path or written.endswith("/" + old_path):
        return written[: len(written) - len(old_path)] + new_path
    written_parts = [part for part in written.split("/") if part not in ("", ".")]
    new_parts = new_path.split("/")
    if written_parts and new_parts[-len(written_parts) :] == written_parts:
        return written
    return None


def new_ref_text(old_ref: str, new_sha: str, new_tag: str | None = None) -> str:
    """The new commit written like the old one: a hex prefix keeps its length (at least 7);
    a tag becomes the new commit's tag when it has one, else its 7-character short sha."""
    if _is_hex(old_ref):
        return new_sha[: max(7, len(old_ref))]
    return new_tag or new_sha[:7]


def _is_hex(text: str) -> bool:
    return len(text) >= 4 and all(char in "0123456789abcdefABCDEF" for char in text)


def rewrite_note(
    text: str,
    edits: Iterable[CitationEdit] = (),
    declarations: Iterable[DeclarationEdit] = (),
    pins: Iterable[tuple[Citation, str]] = (),
) -> str:
    """Apply `edits` and `declarations` to `text`, and pin each citation of `pins` to its commit
    (`` `a.py:3` @ `abc1234` ``). Raises ValueError when a span does not hold what the citation
    says (the text changed since it was scanned) or when the edits overlap or cannot be
    expressed (a path that cannot be carried, a range count that differs)."""
    replacements: list[tuple[Span, str, str]] = []  # (span, expected old text, new text)
    for edit in edits:
        replacements.extend(_citation_replacements(text, edit))
    for decl in declarations:
        replacements.append((decl.declaration.span, decl.declaration.ref, decl.new_ref))
    for citation, commit in pins:
        if text[citation.span.start : citation.span.end] != citation.text:
            raise ValueError(f"citation {citation.text!r} not found as scanned")
        after = citation.span.end
        while text[after : after + 1] == "`":  # past a code span's closing backticks
            after += 1
        replacements.append((Span(after, after), "", f" @ `{commit}`"))
    replacements.sort(key=lambda item: item[0].start)
    previous_end = -1
    for span, _, _ in replacements:
        if span.start < previous_end:
            raise ValueError(f"overlapping edits at offset {span.start}")
        previous_end = span.end
    pieces: list[str] = []
    cursor = 0
    for span, expected, new in replacements:
        found = text[span.start : span.end]
        if found != expected:
            raise ValueError(f"expected {expected!r} at offset {span.start}, found {found!r}")
        pieces.append(text[cursor : span.start])
        pieces.append(new)
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _citation_replacements(text: str, edit: CitationEdit) -> list[tuple[Span, str, str]]:
    citation = edit.citation
    if len(edit.new_ranges) != len(citation.ranges) or len(citation.range_spans) != len(citation.ranges):
        raise ValueError(f"citation {citation.text!r}: range count differs")
    out: list[tuple[Span, str, str]] = []
    for old, new, (start_span, end_span) in zip(citation.ranges, edit.new_ranges, citation.range_spans):
        if start_span == end_span:  # written as one number
            out.append((start_span, str(old.start), str(new)))
            continue
        out.append((start_span, text[start_span.start : start_span.end], str(new.start)))
        out.append((end_span, text[end_span.start : end_span.end], str(new.end)))
        if int(text[start_span.start : start_span.end]) != old.start or int(
            text[end_span.start : end_span.end]
        ) != old.end:
            raise ValueError(f"citation {citation.text!r}: digits differ from its ranges")
    if edit.new_path and edit.old_path and edit.new_path != edit.old_path and citation.path:
        out.extend(_path_replacement(text, citation, edit.old_path, edit.new_path))
    return out


def _path_replacement(
    text: str, citation: Citation, old_path: str, new_path: str
) -> list[tuple[Span, str, str]]:
    written = citation.path or ""
    replacement = path_rewrite(written, old_path, new_path)
    if replacement is None:
        raise ValueError(f"citation {citation.text!r}: renamed file cited by a partial path")
    if replacement == written:
        return []
    where = text.find(written, citation.span.start, citation.span.end)
    if where < 0:
        raise ValueError(f"citation {citation.text!r}: path not found as written")
    # Keep the written prefix (repo name, ../) and replace just the old path's tail.
    tail_start = where + len(written) - len(old_path)
    return [(Span(tail_start, where + len(written)), old_path, new_path)]

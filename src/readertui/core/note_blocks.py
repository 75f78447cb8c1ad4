"""The block structure of a Markdown note: which lines are headings, prose, fenced code and
front matter (syntax only, never raises).

`blocks(Lines(text))` yields `Block`s in order. The structure is markdown-it-py's block parser
(CommonMark plus tables; `token.map` gives each block's lines), which reads a copy of the note
with the same lines, each cut at 4,000 characters: structure depends on how lines start, and
markdown-it costs seconds on a 5 MB table row. It reads `PARSE_LINES` lines at a time, so a
50 MB reading log never becomes one token list. The plain shapes of a reading log (headings,
paragraphs, `- ` lists, backtick fences) are read by `plain_blocks` instead, ~1 µs a line
against markdown-it's ~12 µs, with the same result (tests/unit/test_scan_pieces.py holds the
two to each other); anything else goes to markdown-it.

core/citations.py finds the citations inside these blocks.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

from readertui.core.lazy_pattern import LazyPattern

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


class Block(msgspec.Struct, frozen=True):
    """A run of note lines of one kind, from markdown-it's block structure."""
    kind: str  # "text" | "heading" | "fence-info" | "fence-first" | "meta"
    first: int  # 0-based first line
    last: int  # 0-based last line (inclusive)
    level: int = 0  # heading level
    title: str = ""  # heading text
    group: int = 0  # the top-level block (paragraph, list, table, quote…) this one is part of
    table_first: int = -1  # a table: its header line


class Lines:
    """Line offsets of the note: a line ends at `\\n`; its content excludes `\\r\\n`."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.starts = starts

    def __len__(self) -> int:
        return len(self.starts)

    def end(self, index: int) -> int:
        """Offset just past the content of line `index` (before its `\\r\\n`)."""
        if index + 1 < len(self.starts):
            stop = self.starts[index + 1] - 1
            if stop > self.starts[index] and self.text[stop - 1] == "\r":
                stop -= 1
            return stop
        return len(self.text)

    def content(self, index: int) -> str:
        return self.text[self.starts[index] : self.end(index)]

    def locate(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of `offset`."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _front_matter_end(lines: Lines) -> int:
    """Index of the closing `---` of a YAML front matter block, or -1. (CommonMark reads front
    matter as a thematic break and a setext heading.)"""
    if len(lines) < 2 or lines.content(0).rstrip() != "---":
        return -1
    for index in range(1, min(len(lines), 200)):
        if lines.content(index).rstrip() in ("---", "..."):
            return index
    return -1


# What the block parser reads of a line longer than this: its head, which decides how the line
# starts or continues a block (markdown-it costs seconds on a 5 MB table row or indentation).
_LINE_CAP = 4000
# An HTML block ends at a line that contains one of these anywhere: kept past the cap.
_HTML_BLOCK_ENDS = ("</script>", "</pre>", "</style>", "</textarea>", "-->", "?>", "]]>", ">")


@functools.cache
def _block_parser() -> MarkdownIt:
    """CommonMark with tables, block rules only: the finders compute exact offsets themselves."""
    from markdown_it import MarkdownIt  # on first scan: commands that never scan start sooner

    # No "normalize": `_parser_input` already makes `\n` the only line end. No "reference":
    # a link reference definition stays a paragraph, where the link finder reads it.
    rules_not_needed = ["normalize", "inline", "text_join", "reference"]
    return MarkdownIt("commonmark").enable("table").disable(rules_not_needed)


def _parser_input(lines: Lines, meta_end: int, lo: int = 0, hi: int | None = None) -> str:
    """Lines `lo..hi-1` of the note as the block parser reads them, line for line (so a token's
    `map` holds the note's line numbers less `lo`): `\r` as a space (markdown-it would end a
    line there), front matter blank, lines over `_LINE_CAP` cut."""
    text, starts = lines.text, lines.starts
    hi = len(starts) if hi is None else hi
    finish = starts[hi] if hi < len(starts) else len(text)
    first = min(max(lo, meta_end + 1), hi)
    cursor = starts[first] if first < len(starts) else len(text)
    pieces = ["\n" * (first - lo)]
    if finish - cursor > _LINE_CAP:
        for index in range(first, hi):
            start = starts[index]
            stop = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
            if stop - start > _LINE_CAP:
                rest = text[start + _LINE_CAP : stop].lower()
                ends = " ".join(end for end in _HTML_BLOCK_ENDS if end in rest)
                pieces += [text[cursor : start + _LINE_CAP], " ", ends]
                cursor = stop
    pieces.append(text[cursor:finish])
    joined = "".join(pieces) if len(pieces) > 2 or pieces[0] else pieces[1]
    return joined.replace("\r", " ") if "\r" in joined else joined


# Lines the block parser reads at a time: its state and tokens for a 50 MB note took gigabytes.
PARSE_LINES = 2048
# Lines the plain-shape reader (`plain_blocks`) looks at before handing back.
PLAIN_LINES = 4096


def _is_comment(html: str) -> bool:
    return html.lstrip().startswith("<!--")


def blocks(lines: Lines) -> Iterator[Block]:
    """The blocks the finders read, in document order: prose (paragraphs, headings, tables and
    HTML blocks other than comments, at any depth in lists and quotes), and the opening, first
    content line and body of each fenced block. Nothing else (code, HTML comment blocks,
    thematic breaks, blank lines) is read. Only top-level headings make sections; a heading
    inside a quote or list item is prose. `group` numbers the top-level block (paragraph, list,
    table, quote, fence…) each block belongs to.

    The structure is markdown-it-py's (CommonMark plus tables), read `PARSE_LINES` lines at a
    time: all top-level blocks but the last one it found are final (each ended before the next
    one began), and the next read starts at the last one's first line, where the whole-note
    parse would also be at top level with nothing open. A read that finds one block only is
    doubled. Runs of the plain shapes a reading log is made of (ATX headings, paragraphs,
    `- ` lists with fenced blocks in their items) are read by `plain_blocks` instead, ~20x
    faster, and handed to markdown-it at the first line of any other shape."""
    meta_end = _front_matter_end(lines)
    if meta_end > 0:
        yield Block("meta", 0, meta_end, group=-1)
    plain = PLAIN_LINES > 0 and "\r" not in lines.text
    total = len(lines)
    start, size, group = max(0, meta_end + 1), PARSE_LINES, 0
    while start < total:
        if plain:
            found, end, group = plain_blocks(lines, start, min(total, start + PLAIN_LINES), group)
            if end > start:
                yield from found
                start = end
                continue
        stop = min(total, start + size)
        tokens = _block_parser().parse(_parser_input(lines, meta_end, start, stop))
        tops = [i for i, token in enumerate(tokens) if token.level == 0 and token.nesting >= 0 and token.map]
        if stop == total:
            last = len(tokens)
        elif not tokens:  # blank lines only
            start = stop
            continue
        elif len(tops) < 2:
            size *= 2
            continue
        else:
            last = tops[-1]
        counter = [group]
        yield from _token_blocks(tokens[:last], start, counter)
        group = counter[0]
        if stop == total:
            return
        start += tokens[last].map[0]  # type: ignore[index]
        size = PARSE_LINES


def _token_blocks(tokens: list[Token], offset: int, group: list[int]) -> Iterator[Block]:
    """The blocks of markdown-it tokens whose maps count from note line `offset`; `group[0]`
    counts the top-level blocks."""
    for index, token in enumerate(tokens):
        if token.level == 0 and token.nesting >= 0:
            group[0] += 1
        if token.map is None:
            continue
        first, last = token.map[0] + offset, token.map[1] - 1 + offset
        kind = token.type
        if kind == "paragraph_open" or (kind == "html_block" and not _is_comment(token.content)):
            yield Block("text", first, last, group=group[0])
        elif kind == "heading_open":
            title = " ".join(part.strip(" \t") for part in tokens[index + 1].content.split("\n"))
            if token.level == 0:
                yield Block("heading", first, last, int(token.tag[1]), title, group[0])
            else:
                yield Block("text", first, last, group=group[0])
        elif kind == "table_open":
            yield Block("text", first, last, group=group[0], table_first=first)
        elif kind == "fence":
            content = token.content
            count = content.count("\n") + (0 if not content or content.endswith("\n") else 1)
            yield from _fence_blocks(first, token.info, count, group[0])


def _fence_blocks(first: int, info: str, count: int, group: int) -> list[Block]:
    """A fenced block opening at line `first` with `count` content lines."""
    blocks = []
    if info.strip():
        blocks.append(Block("fence-info", first, first, group=group))
    if count:
        blocks.append(Block("fence-first", first + 1, first + 1, group=group))
        language = info.strip().split(maxsplit=1)[0] if info.strip() else ""
        blocks.append(Block("fence-body", first + 1, first + count, title=language, group=group))
    return blocks


_ORDERED_MARKER = LazyPattern(r"[0-9]{1,9}[.)]")
_ATX_HEADING = LazyPattern(r"(#{1,6}) ")


def _plain_start(text: str) -> bool:
    """Whether a line whose text (after its indent) starts so can only be paragraph text: it
    starts no block (list, quote, fence, heading, HTML, table row, thematic break, setext
    underline), and is no table delimiter row."""
    first = text[0]
    if first.isalpha():
        return True
    if first.isdigit():
        return not _ORDERED_MARKER.match(text)
    if first == "`":
        return not text.startswith("```")
    if first == "*":
        return len(text) > 2 and text[1] == "*" and text[2].isalnum()
    return first in "[(\"'"


def plain_blocks(lines: Lines, start: int, limit: int, group: int) -> tuple[list[Block], int, int]:
    """The blocks of lines `start..limit-1` as markdown-it reads them, for the plain shapes of a
    reading log only: at column 0 an ATX heading, paragraph text, a `- ` list item or a backtick
    fence; indented by exactly two spaces, paragraph text or a fence in a list item; blank
    lines. Returns the
    blocks of the top-level blocks known to be complete, the line after them (`start`: none)
    and the group count. The first line of any other shape ends the run: the top-level block it
    may belong to is left to markdown-it, as is the last one before `limit` (it may go on)."""
    content = lines.content
    total = len(lines)
    done: list[Block] = []
    pending: list[Block] = []  # the blocks of the top-level block still open
    confirmed, block_start = group, start
    top: str | None = None  # "para", "list" or "fence": the open top-level block
    para = -1  # first line of the open paragraph (top level or in a list item)
    blank = False  # a blank line since the list item's last paragraph line
    fence, fence_info = -1, ""  # opening line of the open fence (top level or in a list item)
    line = start
    while line < limit:
        text = content(line)
        if fence >= 0:  # a fence's content, up to the closing fence
            body = text.lstrip(" ")
            indent = len(text) - len(body)
            closing = body.rstrip(" \t")
            if top == "fence":  # at top level: any line is content but a closing fence
                if len(text) > _LINE_CAP or ("\t" in text[: indent + 1] and closing.lstrip(" \t").startswith("```")):
                    break  # a closing fence after a tab or in the cut of a long line, perhaps
                if indent <= 3 and len(closing) >= 3 and not closing.strip("`"):
                    done += pending + _fence_blocks(fence, fence_info, line - fence - 1, group)
                    pending, confirmed, top, fence = [], group, None, -1
            else:  # in a list item: lines indented as its content, up to the closing fence
                if body.strip(" \t") and (indent < 2 or "\t" in text[: indent + 1] or len(text) > _LINE_CAP):
                    break  # it would end the item with the fence open
                if 2 <= indent <= 5 and len(closing) >= 3 and not closing.strip("`"):
                    pending += _fence_blocks(fence, fence_info, line - fence - 1, group)
                    fence, blank = -1, False
            line += 1
            continue
        if not text.strip(" \t"):
            if para >= 0:
                pending.append(Block("text", para, line - 1, group=group))
                para = -1
            if top == "para":
                done += pending
                pending, confirmed, top = [], group, None
            blank = True
            line += 1
            continue
        if len(text) > _LINE_CAP or "\t" in text[:3]:
            break
        if text[0] != " ":
            heading = _ATX_HEADING.match(text) if text[0] == "#" else None
            if heading is not None:
                title = text[heading.end() :].strip()
                if not title or title.endswith("#"):
                    break
                if para >= 0:
                    pending.append(Block("text", para, line - 1, group=group))
                    para = -1
                done += pending
                group += 1
                done.append(Block("heading", line, line, len(heading.group(1)), title, group))
                pending, confirmed, top, block_start = [], group, None, line + 1
            elif text.startswith("- ") and len(text) > 2 and text[2] != " " and _plain_start(text[2:]):
                if para >= 0:
                    pending.append(Block("text", para, line - 1, group=group))
                if top != "list":  # a new list (a bullet list may interrupt a paragraph)
                    done += pending
                    group += 1
                    pending, confirmed, top, block_start = [], group - 1, "list", line
                para, blank = line, False
            elif text.startswith("```") and "`" not in text[3:]:  # a fence at top level
                if para >= 0:
                    pending.append(Block("text", para, line - 1, group=group))
                    para = -1
                done += pending
                group += 1
                pending, confirmed, top, block_start = [], group - 1, "fence", line
                fence, fence_info = line, text[3:]
            elif _plain_start(text):
                if not (top == "para" or (top == "list" and para >= 0 and not blank)):
                    if para >= 0:  # (else: the paragraph goes on, lazily in a list item)
                        pending.append(Block("text", para, line - 1, group=group))
                    done += pending
                    group += 1
                    pending, confirmed, top, block_start = [], group - 1, "para", line
                    para, blank = line, False
            else:
                break
        elif text.startswith("  ") and text[2] != " ":
            body = text[2:]
            if top == "para" and _plain_start(body):  # an indented line goes on with the paragraph
                line += 1
                continue
            if top != "list":
                break
            elif body.startswith("```") and "`" not in body[3:]:
                if para >= 0:
                    pending.append(Block("text", para, line - 1, group=group))
                    para = -1
                fence, fence_info = line, body[3:]
            elif _plain_start(body):
                if para < 0 or blank:  # a new paragraph in the item (else it goes on)
                    if para >= 0:
                        pending.append(Block("text", para, line - 1, group=group))
                    para, blank = line, False
            else:
                break
        else:
            break
        line += 1
    else:
        if limit == total and fence < 0:  # the end of the note closes everything
            if para >= 0:
                pending.append(Block("text", para, total - 1, group=group))
            return done + pending, total, group
        if top is None and fence < 0:
            return done, line, group
    # the open top-level block may go on past here: markdown-it reads it
    if top is None and fence < 0:
        return done, line, group
    return done, block_start, confirmed

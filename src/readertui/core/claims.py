"""What a labelled citation claims to show, and whether its lines show it (pure).

`[buildGraph()](…/graph.cc#L492)` or `` `Queue.push` (`queue.py:40-52`) `` names an identifier:
the cited lines show it when they contain the name (case-insensitively, as a whole word: a
line calling `initPostset` shows `initPostSet()`) or lie inside its definition (a line in the
body of `compute()` shows `compute()`). Otherwise the citation is a `mismatch`, reported with
where the name is defined in the file, or a near spelling that is there
(`shedule_step` → `schedule_step`), or else where it is defined in another file of the repo.

Precision first, since a false alarm on a correct note costs trust:
- only identifier-shaped labels are claims: `foo()`, `Foo.bar`, `ns::f`, `struct Foo`,
  camelCase and snake_case words, anything in backticks; plain words (`[here](…)`,
  `[Calls](…)`, `[updated](…)`) and file names (`[queue.h](…)`) are not;
- the caller judges only citations whose commit is known (a hex or tag ref, or a declared
  commit), never a moving branch or an unpinned HEAD.

Definitions come from a function the caller passes (`DefinitionsOf`), by default the tags
queries of `core/tags.py` on the one file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import msgspec

from readertui.core.citations import KNOWN_FILENAMES, SOURCE_EXTENSIONS
from readertui.core.model import LineRange

if TYPE_CHECKING:  # tree-sitter loads only when a claim needs definitions
    from readertui.core.tags import Definition

DefinitionsOf = Callable[[bytes, str], Sequence["Definition"]]  # (file bytes, repo path) -> definitions
# name -> (repo path, whole definition) of that name in another file of the repo, or None
Elsewhere = Callable[[str], "tuple[str, LineRange] | None"]

_KEYWORDS = (
    "struct", "class", "enum", "union", "interface", "trait", "impl", "type", "typedef", "fn",
    "func", "function", "def", "macro", "method", "module", "namespace", "const", "static",
)
_IDENT = r"[A-Za-z_~$][A-Za-z0-9_$]{0,120}"
_CLAIM = re.compile(
    rf"(?:(?P<kw>{'|'.join(_KEYWORDS)})[ \t]+)?"
    rf"(?P<qual>{_IDENT}(?:(?:\.|::|->|#){_IDENT}){{0,6}})"
    r"(?P<call>[ \t]?\([^()]{0,80}\))?;?"
)
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{2,}")


class Claim(msgspec.Struct, frozen=True):
    """An identifier a label names: `name` is what the lines must show (the last component of
    `qualified`, `push` for `Queue.push()`)."""

    name: str
    qualified: str
    keyword: str | None = None


class Verdict(msgspec.Struct, frozen=True):
    """Whether the cited lines show the claim; when not, where the name is and a suggestion."""

    shown: bool
    detail: str = ""
    defined_at: LineRange | None = None  # the named definition (or the near spelling's)
    suggestion: str | None = None  # a near spelling defined or used in the file
    defined_in: str | None = None  # the other file of the repo `defined_at` is in


def claim_of(label: str | None) -> Claim | None:
    """The identifier an identifier-shaped label names, else None (prose, file names, text)."""
    if not label:
        return None
    text = label.strip()
    backticked = False
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "`*_":
        backticked = backticked or text[0] == "`"
        text = text[1:-1].strip()
    if not text or not text.isascii():
        return None
    match = _CLAIM.fullmatch(text)
    if match is None:
        return None
    qualified, keyword, call = match["qual"], match["kw"], match["call"]
    parts = re.split(r"\.|::|->|#", qualified)
    name = parts[-1]  # a destructor keeps its `~`: `~Queue` is not the constructor
    if _is_file_name(qualified):
        return None
    shaped = (
        backticked
        or call is not None
        or keyword is not None
        or len(parts) > 1
        or "_" in name.strip("_")
        or _camel(name)
    )
    if not shaped or not name:
        return None
    return Claim(name, qualified, keyword)


def _camel(word: str) -> bool:
    """`buildGraph`, `HTTPServer`, `GraphBuilder`: a lower-then-upper step inside the word."""
    return any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))


def _is_file_name(qualified: str) -> bool:
    if qualified in KNOWN_FILENAMES:
        return True
    if "." not in qualified or "::" in qualified or "->" in qualified:
        return False
    ext = qualified.rsplit(".", 1)[1].lower()
    return ext in SOURCE_EXTENSIONS


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def _has_word(text: str, name: str) -> bool:
    """`name` in `text` as a whole word (both lower-cased by the caller); no regex to compile,
    since each label names something else."""
    at = text.find(name)
    while at != -1:
        before = text[at - 1] if at else ""
        after = text[at + len(name) : at + len(name) + 1]
        if before not in _WORD_CHARS and before != "~" and after not in _WORD_CHARS:
            return True
        at = text.find(name, at + 1)
    return False


def _word_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9_$~]){re.escape(name)}(?![A-Za-z0-9_$])", re.IGNORECASE)


def judge(
    claim: Claim,
    source: bytes,
    path: str,
    ranges: Sequence[LineRange],
    definitions_of: DefinitionsOf,
    lines: Sequence[str] | None = None,
    elsewhere: Elsewhere | None = None,
) -> Verdict:
    """Whether `ranges` of `source` (the file at the citation's commit) show `claim`. `lines`
    is the decoded source split at `\n`, when the caller keeps it for many citations. A name
    neither defined nor nearly spelled in the file is looked up in the rest of the repo through
    `elsewhere`, when given."""
    if lines is None:
        lines = source.decode("utf-8", "replace").split("\n")
    cited = "\n".join(line for rng in ranges for line in lines[rng.start - 1 : rng.end])
    if _has_word(cited.lower(), claim.name.lower()):
        return Verdict(True)
    pattern = _word_pattern(claim.name)
    defs = [d for d in definitions_of(source, path) if d.name.lower() == claim.name.lower()]
    if any(all(d.start <= rng.start and rng.end <= d.end for rng in ranges) for d in defs):
        return Verdict(True)  # inside the named definition's body
    single = len(ranges) == 1 and len(ranges[0]) == 1
    shown = ("line " if single else "lines ") + ",".join(str(r) for r in ranges)
    shown += " does" if single else " do"
    if defs:
        best = _closest(defs, claim, ranges)
        where = LineRange(best.start, best.end)
        return Verdict(
            False, f"{shown} not show {claim.name}; {best.qualified} is defined at {where}",
            defined_at=where,
        )
    near = _near_spelling(claim.name, lines, definitions_of(source, path))
    if near is not None:
        word, near_at = near
        at = f" (defined at {near_at})" if near_at else ""
        return Verdict(
            False, f"{shown} not show {claim.name}; did you mean {word}{at}?",
            defined_at=near_at, suggestion=word,
        )
    other = elsewhere(claim.name) if elsewhere is not None else None
    if other is not None:
        other_path, where = other
        return Verdict(
            False, f"{shown} not show {claim.name}; it is defined in {other_path}:{where}",
            defined_at=where, defined_in=other_path,
        )
    used = next((i + 1 for i, line in enumerate(lines) if pattern.search(line)), None)
    if used is not None:
        return Verdict(False, f"{shown} not show {claim.name}; it appears at line {used}",
                       defined_at=LineRange(used, used))
    return Verdict(False, f"{shown} not show {claim.name}, and this file never names it")


def _closest(defs: list[Definition], claim: Claim, ranges: Sequence[LineRange]) -> Definition:
    """The definition meant: one whose scope matches the label's qualifier, then the nearest."""
    qualifier = claim.qualified.lower().replace("::", ".").replace("->", ".").replace("#", ".")
    first = ranges[0].start

    def key(d: Definition) -> tuple[bool, int]:
        matches = qualifier.endswith(d.qualified.lower()) or d.qualified.lower().endswith(qualifier)
        return (not matches, abs(d.start - first))

    return min(defs, key=key)


def _near_spelling(
    name: str, lines: Sequence[str], defs: Sequence[Definition]
) -> tuple[str, LineRange | None] | None:
    """A definition, else a word of the file, spelled nearly like `name` (`shedule_step` →
    `schedule_step`); a mere case difference is not near, it is the same name."""
    import difflib  # only a mismatch needs it

    by_name = {d.name: LineRange(d.start, d.end) for d in defs}
    close = difflib.get_close_matches(name, list(by_name), n=1, cutoff=0.84)
    if close and close[0].lower() != name.lower():
        return close[0], by_name[close[0]]
    words = {w for line in lines for w in _WORD.findall(line) if abs(len(w) - len(name)) <= 2}
    close = difflib.get_close_matches(name, sorted(words), n=1, cutoff=0.88)
    if close and close[0].lower() != name.lower():
        return close[0], None
    return None


def tags_definitions(source: bytes, path: str) -> Sequence[Definition]:
    """The default `DefinitionsOf`: the tags query of the file's language (none: no definitions)."""
    from readertui.core import tags  # tree-sitter is loaded only when a claim needs it

    language = tags.language_for(path, source[:200])
    return tags.definitions(source, language) if language else ()

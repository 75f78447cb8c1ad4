"""Find the citations of code and the commit declarations in a Markdown note (syntax only).

`scan_note(text)` never raises. It reports offsets into `text` exactly as given (read it with
`newline=""`: a CRLF note keeps its `\\r`). A line ends at `\\n`; `column` counts characters.

Block structure comes from markdown-it-py's block parser (CommonMark plus tables; `token.map`
gives each block's lines): top-level ATX and setext headings make sections (a heading inside a
quote or list item is prose); a YAML front matter block is read for declarations only;
fenced code blocks (also inside lists and blockquotes; an unclosed one runs to the end) are
code except their info string and first content line, which may be a header comment (form 7);
indented code blocks and HTML comments (blocks and inline) are skipped; everything else
(paragraphs, list items, tables, quotes, other HTML blocks) is prose. The parser reads a copy of
the note with the same lines, each cut at 4,000 characters: structure depends on how lines
start, and markdown-it costs seconds on a 5 MB table row. Within blocks the finders compute
exact offsets themselves (markdown-it's inline tokens carry none).

Cost: markdown-it's block parse is ~12 µs per line (~35 ms for 2,500 lines on a 2-core box);
the plain shapes of a reading log (headings, paragraphs, `- ` lists, backtick fences) are read
by `note_blocks.plain_blocks` instead, ~1 µs per line, with the same result. A note is read in pieces
(`NoteScanner`): markdown-it 2,048 lines at a time, the finders on pieces of whole top-level
blocks, so memory stays flat on a 50 MB log. Each finder searches for a literal anchor and
matches its full pattern only there, so their time is linear in the note plus the citations
found: ~45 ms of CPU for 2,500 lines with 300 citations, ~0.1-0.3 s for a 5 MB line without
citations, ~30 µs per citation found.

In prose, in this order (each finder masks what it claimed, so nothing is reported twice):
- Markdown links `[t](target)` and reference definitions `[id]: target`. An http(s) target on
  a forge blob path is a permalink (form 9: GitHub/Gitee/Gitea `/blob/`, GitLab `/-/blob/`,
  Codeberg `/src/commit/`, Bitbucket `/src/`; `#L10-L20`, `#L10-20`, `#lines-10:20`); `commit`
  is set when the ref is 7-40 hex, `repo_hint` to the repo name. A relative target is form 10
  (`path` as written, relative to the note's folder; `#L234-L240` gives lines). Images, anchors,
  other schemes and line-less links to notes/documents/images are not citations.
- Inline code spans. The whole content may be a citation: `path` + `:lines` / `#Llines` /
  ` (行 12-30)`-style lines (forms 1-6, also `path:line:col`), a path alone (form 11, strict
  path rule below), a permalink, or relative lines only (`L42-L50`, `行 12`, form 8). Otherwise
  the content is searched like prose. Backslashes in an inline-code path are read as `/`.
- Bare URLs and `<autolinks>` (permalinks; every URL is masked, so `host:port` never matches).
- Prose `path.ext:lines` / `path.ext#Llines` / `path.ext 第 3 行`: only when the file name has
  a known source extension or is a known extensionless name (Makefile…). A CJK word glued to
  the front of a path (`见engine.py:3`) is not part of the path.
- Relative lines (form 8): `（行 12-30）`, `行 640-652`, `第 12 行`, `第12-30行`, `line 42`,
  `lines 40-52`, `L42-L50`, `#L42`; a lone `L42` only after `#`, `(`, `[` (GPU and cache names
  like L40 or L2 are common in notes). `行` must not be the end of a longer word (执行, 运行…).
  These are reported only when a context path exists.
- In a heading, a path alone (backticked or not, strict rule) is form 11 (HEADING_PATH).
- In a table with a column headed `行` / `行号` / `Lines`, each cell of that column holding only
  lines is form 8 for the file named elsewhere in its row (else the context).
- A fence's info string naming a path (`title="a.py"`, `file=a.py`, ```` ```python:a.py:3-9 ````)
  is form 7, like a header comment.

Lines: `234`, `234-256`, `234 – 256` (hyphen, dashes, `~`, spaces), several ranges separated by
`,` `，` `、`; an `L` may prefix each number. A range written backwards is read in order; a
citation naming line 0 is not reported. Numbers have at most 9 digits.

Paths are posix, `./` stripped, `../` kept, Unicode folder names allowed, no spaces. A path
alone must end in a known source extension, or be a known file name, or contain `/` and end in
an extension; with lines, inline code also accepts any letter extension and `dir/file` without
one. Never paths: host names (`example.com:443`, IPv4), versions (`v1.2.3`), `::` scopes.

Context: each citation's `context_path` is the nearest preceding path mentioned in its section
or an enclosing one (a sibling section's mentions do not count); a mention that is a suffix of
the context already in force (`engine.py` after `deepspeed/runtime/engine.py`) keeps the fuller
path. A link's target gives its path without leading `../` (from `notes/`, that is the project
folder, where the repo name comes first). `headings` lists the enclosing heading texts,
outermost first; `heading_line` is the innermost heading's line (0 above the first heading).

Pins: `@ abc1234`, `@abc1234`, `(@abc1234)`, `` @ `abc1234` `` right after a citation set its
`commit`.

Declarations: `Commit: x`, `**Commit**: `x``, `- commit: x`, `| Commit | x |`, `| 提交 | x |`,
`commit x` / `提交 x` / `based on commit x` / `基于 x` in prose, `commit:` in YAML front matter,
`based on v0.9.3`; a tag under `Tag:` / `版本:` / `Version:` keys, or `版本 v0.9.3`, only first in
a line or table cell (not "CUDA version: 12.1"). Refs are 7-40 hex (in prose with a digit) or a
tag. Not in code blocks, URLs (permalink shas) or timed log entries (`- 14:32 …`). One
declaration per top-level block (a paragraph, list, table or quote): a hex ref is preferred to a tag, else the
first. Scope: above the first heading, the whole note; under a heading, to the end of that
section; a later declaration in the same section takes over from its line.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

import msgspec

from readertui.core import note_blocks
from readertui.core.lazy_pattern import LazyPattern
from readertui.core.model import (
    Citation,
    CitationForm,
    CommitDeclaration,
    LineRange,
    NoteScan,
    Span,
)

__all__ = [
    "scan_note",
    "format_citation",
    "pasteable",
    "parse_citation",
    "canonical_range",
    "looks_like_path",
    "SOURCE_EXTENSIONS",
    "KNOWN_FILENAMES",
]

# ---------------------------------------------------------------------------------------------
# Vocabulary

SOURCE_EXTENSIONS = frozenset(
    """
    py pyi pyx pxd pxi ipynb c h cc cpp cxx c++ hpp hh hxx h++ inl ipp tpp cu cuh cl metal
    m mm swift java kt kts scala sc groovy gradle go rs ts tsx mts cts js jsx mjs cjs vue svelte
    astro rb php pl pm lua r jl sh bash zsh fish ps1 psm1 bat cmd sql proto thrift fbs capnp
    graphql gql json jsonc json5 yaml yml toml ini cfg conf properties env xml xsd html htm css
    scss sass less md mdx rst adoc txt cmake mk make bzl bazel bzlmod star nix dart ex exs erl
    hrl hs lhs ml mli fs fsi fsx cs csx vb asm s ll td mlir tf tfvars hcl dockerfile el clj
    cljs cljc edn zig nim v sv svh vhd vhdl f f90 f95 f03 for tex bib csv tsv lock patch diff
    in ld def lds cl hip ptx sol move cairo wgsl glsl hlsl vert frag comp spv pbtxt prototxt
    jinja j2 tmpl tpl mako hbs ejs rake gemspec podspec cabal sbt clj plist xib storyboard
    """.split()
)
KNOWN_FILENAMES = frozenset(
    """
    Makefile makefile GNUmakefile Dockerfile Containerfile Jenkinsfile Vagrantfile Gemfile
    Rakefile Procfile Brewfile Podfile Justfile justfile Snakefile BUILD WORKSPACE Kconfig
    Kbuild LICENSE README CODEOWNERS MAINTAINERS OWNERS configure
    """.split()
)
# Last labels of host names that are not source extensions (`example.com:443` is no citation).
_HOST_SUFFIXES = frozenset(
    """
    com org net edu gov mil int io ai app dev me info biz xyz cloud tech site online local
    localhost internal lan home arpa top tv us eu uk de fr jp cn kr hk tw sg au ca ru nl br
    """.split()
)
# Names that read like files but are products (`## Why Node.js`).
_PRODUCT_NAMES = frozenset(
    "node.js vue.js next.js nuxt.js react.js three.js d3.js chart.js express.js ember.js "
    "backbone.js angular.js deno.js socket.io asp.net vb.net".split()
)
# Extensions that are also common attribute names (`self.env`, `args.cfg`, `x.in`): a bare name
# with one of these, without a folder or lines, is code, not a path.
_AMBIGUOUS_BARE_EXTENSIONS = frozenset(
    "env cfg conf s m f v r d in def for comp star lock sc ld spv td cl ll ml fs ex el edn hip "
    "move vert frag make properties ptx sol bib tpl tmpl".split()
)
# Targets of line-less links that point at documents, not code.
_DOCUMENT_EXTENSIONS = frozenset(
    "md markdown mdx html htm png jpg jpeg gif svg webp bmp pdf txt rst adoc".split()
)

# ---------------------------------------------------------------------------------------------
# Regular expressions. Every repetition is bounded or anchored by a lookbehind so that a 5 MB
# line costs linear time.

_NUM = r"[0-9]{1,9}(?![0-9])"
_DASH = r"[ \t]{0,3}[-\u2010-\u2015~\uff5e][ \t]{0,3}"
_REL_DASH = rf"(?:{_DASH}|[ \t]{{1,3}}to[ \t]{{1,3}}|[ \t]{{0,3}}[至到][ \t]{{0,3}})"
_SEP = r"[ \t]{0,3}[,\uff0c\u3001][ \t]{0,3}"
_RANGE = rf"L?{_NUM}(?:{_DASH}L?{_NUM})?"
_RANGES = rf"{_RANGE}(?:{_SEP}{_RANGE}){{0,50}}"
_REL_RANGE = rf"{_NUM}(?:{_REL_DASH}{_NUM})?"
_REL_RANGES = rf"{_REL_RANGE}(?:{_SEP}{_REL_RANGE}){{0,50}}"
_L_RANGE = rf"L{_NUM}(?:{_DASH}L?{_NUM})?"
_L_RANGES = rf"{_L_RANGE}(?:{_SEP}{_L_RANGE}){{0,50}}"
_END = r"(?![0-9A-Za-z_]|\.[0-9A-Za-z])"  # ASCII only: `engine.py:234行` still ends at 234
_COLON = r"[:\uff1a]"

_RANGE_ITEM = LazyPattern(rf"L?(?P<a>[0-9]{{1,9}})(?:{_REL_DASH}L?(?P<b>[0-9]{{1,9}}))?")

# Relative line references (form 8); the whole match, with the ranges in group a/b/c.
_LINE_WORD = r"[Ll][Ii][Nn][Ee][Ss]?"
_REL_BODY = (
    rf"第[ \t]{{0,3}}(?P<a>{_REL_RANGES})[ \t]{{0,3}}行"
    rf"|(?P<kw>行号?|{_LINE_WORD})(?P<gap>[ \t]{{0,3}}{_COLON}?[ \t]{{0,3}})(?P<b>{_REL_RANGES})"
    rf"|(?P<hash>#)?(?P<c>{_L_RANGES})"
)
_REL = LazyPattern(rf"(?:{_REL_BODY}){_END}")

_PATH_CHARS = r"\w.\-+@~/"
_PATH_RUN = rf"(?<![{_PATH_CHARS}\\])[{_PATH_CHARS}]{{1,1024}}"
# The lines after a path in prose, from the `:` or `#` (the path before is checked in Python).
_TAIL = LazyPattern(rf"{_COLON}(?P<colon>{_RANGES})(?::[0-9]{{1,5}})?{_END}|#(?P<hashl>{_L_RANGES}){_END}")
_GAP_BEFORE = LazyPattern(r"[ \t]{0,3}[(（]?[ \t]{0,2}\Z")
# The whole content of an inline code span, or the body of a fence header comment.
_CODE_CITATION = LazyPattern(
    rf"(?P<path>[{_PATH_CHARS}\\\[\]()]{{1,1024}})"
    rf"(?:[ \t]{{0,3}}{_COLON}[ \t]{{0,3}}(?P<colon>{_RANGES})(?::[0-9]{{1,5}})?"
    rf"|#(?P<hashl>{_L_RANGES})"
    rf"|[ \t]{{0,3}}[(（]?[ \t]{{0,2}}(?P<rel>(?:{_REL_BODY}))[ \t]{{0,2}}[)）]?)?{_END}"
)
_HEADING_PATH = LazyPattern(rf"{_PATH_RUN}")
# The common shape of `_CODE_CITATION`, `path:a` or `path:a-b`, when the path holds a `.` or a
# `/` (so the content is no relative `line:5`) and no backslash or bracket.
_SIMPLE_CODE_CITATION = LazyPattern(r"(?=[^:]{0,1024}[./])([\w.\-+@~/]{1,1024}):([0-9]{1,9})(?:-([0-9]{1,9}))?")

_URL_START = LazyPattern(r"[A-Za-z][A-Za-z0-9+.\-]{1,15}://")
_URL_BODY = LazyPattern(
    r"[^\s<>()\[\]{}\"'`\0\u3000-\u303f\uff08\uff09\uff0c\uff1b\uff1a\uff01\uff1f]{1,4096}"
)
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_OTHER_SCHEME = LazyPattern(r"(?:mailto|tel|data|javascript|file|ftp|ssh|git):", re.IGNORECASE)
def _has_code_hint(content: str) -> bool:
    """What every citation form holds somewhere (a literal search each: the equivalent class
    with CJK characters costs `re` ~4 ms to compile in every new process; spelled out, as a
    generator over the hints cost a log of 400k code spans a second)."""
    return (
        "." in content or "/" in content or "\\" in content or ":" in content or "#" in content
        or "L" in content or "行" in content or "第" in content or "ine" in content or "INE" in content
    )


_BACKTICKS = LazyPattern(r"`+")
_ASCII_WORD = LazyPattern(r"[A-Za-z0-9_]")
_COMMENT_CLOSE = LazyPattern(r"[ \t]*(?:\*/|-->)[ \t]*\Z")
# A backticked name in parentheses right after a citation (and its pin, and a dash), as the
# reader's `y` and `c` write it: `` `a.py:9-12` (`Engine.step`) ``, `` … @ `abc1234` — (`f`) ``.
_LABEL_AFTER = LazyPattern(
    r"`?[ \t]{0,3}(?:[\u2014\u2013\-][ \t]{0,3})?[(（][ \t]{0,2}`(?P<name>[^`\n]{1,200})`[ \t]{0,2}[)）]"
)
# Between a backticked name and the backticked citation it labels: `` `f` (`a.py:3`) ``.
_LABEL_GAP = LazyPattern(r"[ \t]{0,3}(?:[(（:：\-\u2013\u2014@→]|at|in)?[ \t]{0,3}")
_AFTER_HEADER = frozenset(["", " ", "\t", ",", ";", "。", "，", "；", ":", "：", ")", "）"])
_LINK = LazyPattern(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]\n\\]|\\.|\[[^\[\]\n]{0,500}\]){0,1000})\]"
    r"\([ \t]{0,20}(?:<(?P<t1>[^<>\n]{1,4096})>|(?P<t2>[^\s()<>]{1,4096}))"
    r"(?:[ \t]{1,20}(?:\"[^\"\n]{0,500}\"|'[^'\n]{0,500}'))?[ \t]{0,20}\)"
)
_REFERENCE_DEF = LazyPattern(
    r"(?m)^[ \t]{0,3}\[[^\[\]\n]{1,500}\]:[ \t]{0,20}(?:<(?P<t1>[^<>\n]{1,4096})>|(?P<t2>\S{1,4096}))"
)
_FRAGMENT_LINES = LazyPattern(
    r"#L(?P<a>[0-9]{1,9})(?:C[0-9]{1,5})?(?:-L?(?P<b>[0-9]{1,9})(?:C[0-9]{1,5})?)?"
    r"|#lines-(?P<c>[0-9]{1,9})(?::(?P<d>[0-9]{1,9}))?"
)
_HEX_REF = LazyPattern(r"[0-9a-fA-F]{7,40}")
_PIN = LazyPattern(r"[ \t]{0,4}[(（]?[ \t]{0,2}@[ \t]{0,2}`?(?P<sha>[0-9a-fA-F]{7,40})(?![0-9A-Za-z_])")
_CJK_PREFIX = LazyPattern(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+(?=[A-Za-z0-9_.])")


def _is_cjk(char: str) -> bool:
    """A CJK ideograph or radical (a class of 30,000 code points costs `re` ~5 ms to compile)."""
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


_WORDS_BEFORE_LINE = "见在于看参即从到至"  # CJK characters that may precede 行 ("see line")

_FENCE_COMMENT = LazyPattern(
    r"(?:#(?=[ \t])|//+|--(?=[ \t])|/\*+|;+|<!--|%+)[ \t]*"
    r"(?:(?:file|path|source|文件|路径|源码|来源)[ \t]*[:\uff1a][ \t]*)?",
    re.IGNORECASE,
)

# Block structure (the blocks themselves come from markdown-it-py)
_LINES_HEADER = LazyPattern(r"行|行号|代码行|[Ll]ines?|LINES?|[Ll]ine numbers?", re.IGNORECASE)
_TABLE_LINES = LazyPattern(rf"{_RANGES}")
_FENCE_MARKER = LazyPattern(r"`{3,}|~{3,}")
_FENCE_INFO_PATH = LazyPattern(
    r"\b(?:title|file|filename|path)[ \t]*=[ \t]*[\"']?(?P<path>[^\"'\s{}]{1,1024})"
)
_FENCE_INFO_LANG_PATH = LazyPattern(r"[ \t]*[\w+\-]{1,20}:(?P<path>[^\"'\s{}]{1,1024})")
_PATH_SEGMENT = LazyPattern(r"[\w.\-+@~/]*")
_IPV4 = LazyPattern(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")

# Declarations
_HEX_FULL = LazyPattern(r"[0-9a-fA-F]{7,40}")
_TAG_FULL = LazyPattern(r"v?[0-9]+(?:\.[0-9A-Za-z]+){0,4}(?:[-+][0-9A-Za-z.]{1,30})?", re.IGNORECASE)
# Where a declaration may start: each key as written, Capitalized or UPPER, and the CJK keys.
_DECL_WORDS = ("commit", "sha", "rev", "tag", "version", "release", "based")
_DECL_CJK = ("提交", "标签", "版本", "基于")
_DECL_ANCHORS = tuple(
    variant for word in _DECL_WORDS for variant in (word, word.capitalize(), word.upper())
) + _DECL_CJK
_COMMIT_KEY = r"commit(?:[ _-]?(?:id|sha|hash))?|sha|revision|rev|提交(?:号|哈希|版本)?"
_TAG_KEY = r"tag|标签|版本号?|version|release"
_DECL_KEY_VALUE = LazyPattern(
    rf"(?<![A-Za-z0-9_\-])(?:(?P<ck>{_COMMIT_KEY})|(?P<tk>{_TAG_KEY}))[*_]{{0,3}}[ \t]{{0,3}}"
    r"(?:[:\uff1a=]|\|)[ \t]{0,3}[*_`]{0,3}[ \t]{0,3}(?P<ref>[0-9A-Za-z][0-9A-Za-z._\-+/]{0,99})",
    re.IGNORECASE,
)
_DECL_PROSE = LazyPattern(
    r"(?:(?<![A-Za-z0-9_\-])(?P<kw>commit|based on|tag|release)|(?P<zh>提交|基于|版本))"
    r"[ \t]{0,3}(?P<kw2>commit|提交|tag|版本)?[ \t]{0,3}`?(?P<ref>[0-9A-Za-z][0-9A-Za-z.\-+]{0,99})",
    re.IGNORECASE,
)
_LINE_START_OF_KEY = LazyPattern(r"[ \t>|*_\-+\[\]]*(?:[0-9]{1,3}[.)])?[ \t*_\[\]]*")
_TIMED_ENTRY = LazyPattern(r"[ \t>]{0,8}[-*+][ \t]+[0-9]{1,2}:[0-9]{2}\b")


# ---------------------------------------------------------------------------------------------
# Public helpers


def canonical_range(ranges: Iterable[LineRange]) -> str:
    """`"3-9,12"`: the ranges sorted, overlapping or adjacent ones merged."""
    merged: list[LineRange] = []
    for rng in sorted(ranges):
        if merged and rng.start <= merged[-1].end + 1:
            merged[-1] = LineRange(merged[-1].start, max(merged[-1].end, rng.end))
        else:
            merged.append(rng)
    return ",".join(str(r) for r in merged)


def format_citation(repo: str | None, path: str, ranges: Iterable[LineRange]) -> str:
    """`"Engine/src/a.py:3-9,12"`; no repo prefix when `repo` is None, no `:` without ranges."""
    path = _normalize_path(path.replace("\\", "/"))
    if repo:
        path = f"{repo.strip('/')}/{path}"
    lines = canonical_range(ranges)
    return f"{path}:{lines}" if lines else path


def pasteable(cited: str) -> str:
    """`cited` (`format_citation`'s) as it should be pasted into a note: bare when a note reads
    it back whole, else in backticks (a file named `[bold]x.py` or `x[` ends a bare path)."""
    found = scan_note(cited).citations
    return cited if len(found) == 1 and found[0].text == cited else f"`{cited}`"


def reads_back(cited: str) -> bool:
    """Whether a note holding `cited` (`format_citation`'s) in backticks reads it back as that
    one citation: not so for a name with spaces or control characters (the citation grammar has
    no quoting, and a control character is written as its placeholder)."""
    found = scan_note(f"`{cited}`").citations
    return len(found) == 1 and found[0].text == cited


UNCITABLE = "a path with spaces or control characters cannot be cited (a note would not read it back as one path)"


def parse_citation(text: str) -> tuple[str, tuple[LineRange, ...]] | None:
    """The inverse of `format_citation`: `(path, ranges)`, or None when `text` is not one path
    with optional lines (`a.py:3-9,12`, `a.py#L3-L9`, `a.py:3 – 9`)."""
    match = _CODE_CITATION.fullmatch(text.strip())
    if match is None or match["rel"] is not None:
        return None
    path = _normalize_path(match["path"].replace("\\", "/"))
    if not path or path.endswith("/") or "//" in path or path.strip("./") == "":
        return None
    parsed = _ranges_in(text.strip(), match, 0)
    if parsed is None:
        return None
    return path, parsed[0]


def looks_like_path(s: str) -> bool:
    """Whether `s` alone reads as a file path in a note: a known source extension or file name,
    or a `/` and an extension; never a URL, host name, version or dotted identifier."""
    return not any(ch.isspace() for ch in s) and _path_alone_ok(_normalize_path(s.replace("\\", "/")))


# ---------------------------------------------------------------------------------------------
# Path rules


def _normalize_path(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def _split_ext(path: str) -> tuple[str, str | None]:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip("."):
        return name, None
    return name, ext


def _is_hostlike(path: str) -> bool:
    first = path.split("/", 1)[0]
    if _IPV4.fullmatch(first):
        return True
    if "." not in first or first.startswith("."):
        return False
    label = first.rsplit(".", 1)[-1].lower()
    return label in _HOST_SUFFIXES and ("/" in path or first == path)


def _basic_path_ok(path: str, brackets_anywhere: bool = False) -> bool:
    """`brackets_anywhere`: the path stands where nothing but a path can (the whole of a code
    span, a fence header, a link target, a URL), so `[bold]x.py` or `x[/]y.py` is a file name;
    in running text only whole route segments (`[id]`) are."""
    if not path or path.endswith("/") or "//" in path or ":" in path or _is_hostlike(path):
        return False
    if not brackets_anywhere and not _brackets_ok(path):
        return False
    name = path.rsplit("/", 1)[-1]
    if "/" not in path and name.lower() in _PRODUCT_NAMES:
        return False
    return bool(name.strip(".")) and any(ch.isalnum() for ch in name)


def _ext_is_word(ext: str | None) -> bool:
    return ext is not None and ext != "" and ext.isascii() and ext.isalnum() and not ext.isdigit() and len(ext) <= 12


def _known_source_name(path: str) -> bool:
    name, ext = _split_ext(path)
    if ext is not None and ext.isascii() and ext.lower() in SOURCE_EXTENSIONS:
        return True
    return name in KNOWN_FILENAMES or name.split(".", 1)[0] in ("Dockerfile", "Makefile")


# A folder or file name in brackets or parentheses, as Next.js / SvelteKit routes write them:
# `[id]`, `[...slug]`, `[[...slug]]`, `(auth)`, `[id].tsx`.
_BRACKETED_PART = LazyPattern(r"(?:\[{1,2}(?:\.\.\.)?[\w\-]{1,200}\]{1,2}|\([\w\-.]{1,200}\))(?:\.\w{1,12})?")


def _brackets_ok(path: str) -> bool:
    """Brackets and parentheses only as whole route segments (`src/app/[id]/page.tsx`), never
    half a word (`f(a.py`, `[a.py`)."""
    if not any(ch in path for ch in "[]()"):
        return True
    return all(
        not any(ch in part for ch in "[]()") or _BRACKETED_PART.fullmatch(part) is not None
        for part in path.split("/")
    )


@functools.lru_cache(maxsize=4096)
def _path_alone_ok(path: str) -> bool:
    """A path without lines (form 11): strict."""
    if not _basic_path_ok(path):
        return False
    _, ext = _split_ext(path)
    if "/" not in path and ext is not None and ext.lower() in _AMBIGUOUS_BARE_EXTENSIONS:
        return False
    if _known_source_name(path):
        return True
    return "/" in path and ext is not None and _ext_is_word(ext) and ext.lower() not in _HOST_SUFFIXES


@functools.lru_cache(maxsize=65536)  # a long log cites thousands of files
def _path_with_lines_ok(path: str) -> bool:
    """A path before `:lines` in inline code or a fence header: lenient."""
    if not _basic_path_ok(path, brackets_anywhere=True):
        return False
    if _known_source_name(path):
        return True
    name, ext = _split_ext(path)
    if ext is not None:
        return _ext_is_word(ext) and ext.lower() not in _HOST_SUFFIXES
    return "/" in path and path.split("/", 1)[0] != ""


@functools.lru_cache(maxsize=4096)
def _prose_path_ok(path: str) -> bool:
    """A path before lines in running text (people forget backticks): strict."""
    return _basic_path_ok(path) and _known_source_name(path)


# ---------------------------------------------------------------------------------------------
# Line ranges


# Line ranges and, for each, the note spans of its two numbers (for rewrites).
_Ranges = tuple[tuple[LineRange, ...], tuple[tuple[Span, Span], ...]]
# A code span: (start, end, content start, content end, inside a heading).
_CodeSpan = tuple[int, int, int, int, bool]


def _ranges_of(text: str, start: int, end: int, offset: int) -> _Ranges | None:
    """The ranges written in `text[start:end]`; spans are shifted by `offset`. None when a line
    number is 0."""
    ranges: list[LineRange] = []
    spans: list[tuple[Span, Span]] = []
    for item in _RANGE_ITEM.finditer(text, start, end):
        a_span = Span(offset + item.start("a"), offset + item.end("a"))
        b_span = Span(offset + item.start("b"), offset + item.end("b")) if item["b"] else a_span
        a, b = int(item["a"]), int(item["b"] or item["a"])
        if a < 1 or b < 1:
            return None
        if b < a:
            a, b, a_span, b_span = b, a, b_span, a_span
        ranges.append(LineRange(a, b))
        spans.append((a_span, b_span))
    if not ranges:
        return None
    return tuple(ranges), tuple(spans)


def _ranges_in(text: str, match: re.Match[str], offset: int) -> _Ranges | None:
    """Ranges of a `_CODE_CITATION` / `_TAIL` match: `((), ())` without lines."""
    groups = match.groupdict()
    for group in ("colon", "hashl"):
        if groups.get(group) is not None:
            return _ranges_of(text, match.start(group), match.end(group), offset)
    if groups.get("rel") is not None:
        rel = _REL.match(text, match.start("rel"))
        if rel is None:
            return None
        return _relative_ranges(text, rel, offset)
    return (), ()


# ---------------------------------------------------------------------------------------------
# Finders. Each one looks for a cheap literal anchor (`[`, `://`, `:`, `L`, `行`…; a literal
# search is ~40x faster than a character-class scan in `re`) and matches the full pattern only
# there, on a view of the note in which everything already claimed is blanked out with NULs.
# Order: links, whole code spans, URLs, `path:lines` tails, heading paths, relative lines.


class _Found(msgspec.Struct, array_like=True):
    """A citation's text span found by one finder, before its lines are parsed."""
    start: int
    end: int
    after: int  # where a `@ sha` pin may follow (past closing backticks or brackets)
    form: CitationForm
    path: str | None
    ranges: tuple[LineRange, ...]
    range_spans: tuple[tuple[Span, Span], ...]
    commit: str | None = None
    repo_hint: str | None = None
    context: str | None = None  # set when the context is known from the layout (a table row)
    ref_path: str | None = None  # a permalink's ref and path when the ref is not hex
    ref_kind: str | None = None
    label: str | None = None  # a link's text, or the backticked name right before
    in_code: bool = False


class _Masked:
    """The note with regions blanked out (NUL, which no finder matches; newlines are kept);
    offsets unchanged."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pending: list[tuple[int, int]] = []

    def claim(self, start: int, end: int) -> None:
        if end > start and not (end == start + 1 and self.text[start] == "\n"):  # (blanked, a newline stays)
            self.pending.append((start, end))

    def view(self) -> str:
        if self.pending:
            out: list[str] = []
            cursor = 0
            text = self.text
            for start, end in sorted(self.pending):
                start = max(start, cursor)
                if end > start:
                    out.append(text[cursor:start])
                    if text.find("\n", start, end) == -1:  # (most claims: no call, no slice)
                        out.append("\0" * (end - start))
                    else:
                        out.append(_blank_out(text[start:end]))
                    cursor = end
            out.append(self.text[cursor:])
            self.text = "".join(out)
            self.pending = []
        return self.text


def _blank_out(segment: str) -> str:
    """NULs in place of every character but newlines (finders still see line starts)."""
    if "\n" not in segment:
        return "\0" * len(segment)
    return "\n".join("\0" * len(part) for part in segment.split("\n"))


def _anchors(view: str, *patterns: str) -> list[int]:
    """Sorted start offsets of every match of the literal-led `patterns` in `view`."""
    hits: list[int] = []
    for pattern in patterns:
        hits.extend(m.start() for m in _compiled(pattern).finditer(view))
    hits.sort()
    return hits


_COMPILED: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern)
    return compiled


class _PathRuns:
    """Finds the run of path characters that ends at an offset. Queries come in increasing
    order, so a run already measured is reused: linear overall, even on a 5 MB path-like line."""

    def __init__(self, view: str) -> None:
        self.view = view
        self.last_end = 0
        self.last_start = 0

    def start_before(self, end: int) -> int | None:
        """Start of the path run ending at `end`, or None (empty, over 1024 characters, or
        right after `:` / `\\`, as in `std::x.h:3`)."""
        view = self.view
        if self.last_end <= end and _PATH_SEGMENT.fullmatch(view, self.last_end, end):
            start = self.last_start
        else:
            start = end
            floor = max(0, end - 1025)
            while start > floor:
                ch = view[start - 1]
                if not (ch.isalnum() or ch in "_.-+@~/"):
                    break
                start -= 1
        self.last_end, self.last_start = end, start
        if start == end or end - start > 1024:
            return None
        if start > 0 and view[start - 1] in ":\\":
            return None
        return start


def _may_be_source_name(view: str, start: int, end: int) -> bool:
    """A cheap look at the end of `view[start:end]` before the full prose path rule."""
    tail = view[max(start, end - 40) : end]
    name = tail.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext.lower() in SOURCE_EXTENSIONS or name in KNOWN_FILENAMES:
        return True
    return name.startswith(("Dockerfile", "Makefile"))


def _strip_cjk_prefix(view: str, start: int, end: int) -> int:
    """`见engine.py` → start of `engine.py`: a CJK word glued to the front of a prose path."""
    cjk = _CJK_PREFIX.match(view, start, end)
    return cjk.end() if cjk else start


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """CommonMark code spans in `text[start:end]`: (open, content start, content end, close end)."""
    if text.find("`", start, end) == -1:
        return []
    if text.find("\\", start, end) == -1 and text.find("``", start, end) == -1:
        # single backticks, none escaped (a log entry): each one closes the one before
        ticks = [run.start() for run in _BACKTICKS.finditer(text, start, end)]
        return [(a, a + 1, c, c + 1) for a, c in zip(ticks[::2], ticks[1::2])]
    return _any_code_spans(text, start, end)


def _any_code_spans(text: str, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """`_code_spans` for runs of any length and escaped backticks."""
    runs: list[tuple[int, int]] = []
    for run in _BACKTICKS.finditer(text, start, end):
        a, b = run.span()
        backslashes = 0
        while a - backslashes - 1 >= start and text[a - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 1:
            a += 1  # an escaped backtick is literal; the rest of the run still counts
            if a == b:
                continue
        runs.append((a, b))
    # An opener closes at the next run of exactly its length.
    next_same: list[int] = [len(runs)] * len(runs)
    last_of_length: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        next_same[i] = last_of_length.get(length, len(runs))
        last_of_length[length] = i
    spans: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(runs):
        closer = next_same[i]
        if closer == len(runs):
            i += 1
            continue
        spans.append((runs[i][0], runs[i][1], runs[closer][0], runs[closer][1]))
        i = closer + 1
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\n":
        start += 1
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return start, end


def _fragment_ranges(fragment: str, offset: int) -> _Ranges | None:
    """`#L10-L20`, `#L10-20`, `#L10C3-L20C5`, `#lines-10:20` → one range and its digit spans
    (`offset` is where `fragment` starts in the note); `((), ())` for another fragment."""
    lines = _FRAGMENT_LINES.fullmatch(fragment)
    if lines is None:
        return (), ()
    a_group, b_group = ("a", "b") if lines["a"] else ("c", "d")
    a_span = Span(offset + lines.start(a_group), offset + lines.end(a_group))
    b_span = Span(offset + lines.start(b_group), offset + lines.end(b_group)) if lines[b_group] else a_span
    a, b = int(lines[a_group]), int(lines[b_group] or lines[a_group])
    if a < 1 or b < 1:
        return None
    if b < a:
        a, b, a_span, b_span = b, a, b_span, a_span
    return (LineRange(a, b),), ((a_span, b_span),)


def _permalink(url: str, offset: int) -> _Found | None:
    """A forge blob or tree URL as a citation; `offset` is where `url` starts in the note.

    A 7-40 hex ref is the citation's commit. Any other ref (a tag, a branch; refs may contain
    `/`) cannot be split from the path without the repo: `ref_path` keeps everything after
    `blob/` for the resolver, and `path` is a first guess (the ref taken as one segment)."""
    scheme_end = url.find("://")
    if scheme_end == -1 or url[:scheme_end].lower() not in ("http", "https"):
        return None
    rest_at = scheme_end + 3
    fragment_at = url.find("#", rest_at)
    location = url[rest_at:fragment_at] if fragment_at != -1 else url[rest_at:]
    segs = location.split("?", 1)[0].split("/")[1:]  # after the host
    ref_index = repo_index = -1
    kind: str | None = None
    tree = False
    for i, seg in enumerate(segs):
        if i < 2:
            continue
        if seg in ("blob", "tree"):  # GitHub, Gitee, Gitea; GitLab writes `/-/blob/`
            ref_index, repo_index = i + 1, (i - 2 if segs[i - 1] == "-" and i >= 3 else i - 1)
            tree = seg == "tree"
            break
        if seg == "src":  # Codeberg/Gitea `/src/commit|tag|branch/<ref>/`, Bitbucket `/src/<ref>/`
            named = segs[i + 1] if i + 1 < len(segs) else ""
            if named in ("commit", "branch", "tag"):
                ref_index, kind = i + 2, (None if named == "commit" else named)
            else:
                ref_index = i + 1
            repo_index = i - 1
            break
    if ref_index < 0 or ref_index + 1 >= len(segs):
        return None
    ref = segs[ref_index]
    path = unquote("/".join(segs[ref_index + 1 :]))
    if not _basic_path_ok(path, brackets_anywhere=True) or (tree and not _path_alone_ok(path)):
        return None  # a `tree/` link to a folder names no code
    ranges: tuple[LineRange, ...] = ()
    spans: tuple[tuple[Span, Span], ...] = ()
    if fragment_at != -1:
        fragment = url[fragment_at:].split("?", 1)[0]  # `#L10-L20?plain=1`: the query is not lines
        parsed = _fragment_ranges(fragment, offset + fragment_at)
        if parsed is None:
            return None
        ranges, spans = parsed
    end = offset + len(url)
    pinned = kind is None and bool(_HEX_REF.fullmatch(ref))
    return _Found(
        offset, end, end, CitationForm.PERMALINK, path, ranges, spans,
        commit=ref if pinned else None, repo_hint=unquote(segs[repo_index]) or None,
        ref_path=None if pinned else unquote("/".join(segs[ref_index:])), ref_kind=kind,
    )


def _link_target(target: str, target_offset: int, start: int, end: int) -> _Found | None:
    """The citation a link target makes (forms 9 and 10); it spans the whole link."""
    if _URL_START.match(target):
        found = _permalink(target, target_offset)
        if found is not None:
            found.start, found.end, found.after = start, end, end
        return found
    if target.startswith(("#", "/")) or _OTHER_SCHEME.match(target):
        return None
    hash_at = target.find("#")
    path = _normalize_path(unquote(target[: hash_at if hash_at >= 0 else len(target)].split("?", 1)[0]))
    if not _basic_path_ok(path, brackets_anywhere=True) or path.rstrip("/").split("/")[-1] == "..":
        return None
    parsed = _fragment_ranges(target[hash_at:], target_offset + hash_at) if hash_at >= 0 else ((), ())
    if parsed is None:
        return None
    if not parsed[0]:
        _, ext = _split_ext(path)
        if ext is None or ext.lower() in _DOCUMENT_EXTENSIONS:
            return None  # a link to a note, a document or an image
    return _Found(start, end, end, CitationForm.LINK, path, *parsed)


def _find_links(prose: _Masked, text: str, spans: list[_CodeSpan], found: list[_Found]) -> list[tuple[int, int]]:
    """Links and reference definitions; returns the regions of links that are citations.
    `spans`: the code spans that may hide part of a link (they bind tighter)."""
    regions: list[tuple[int, int]] = []
    if "[" not in prose.view():
        return regions
    code = _Masked(prose.view())
    for a, _, _, d, _ in spans:
        code.claim(a, d)  # code spans bind tighter than links
    view = code.view()
    definitions = []
    for definition in _reference_definitions(view):
        group = "t1" if definition["t1"] else "t2"
        t_start, t_end = definition.span(group)
        hit = _link_target(definition[group], t_start, t_start, t_end)
        definitions.append((definition.start(), definition.end(), hit))
    def_index = 0
    for link in _links(view):
        at = link.start()
        while def_index < len(definitions) and definitions[def_index][1] <= at:
            def_index += 1
        if def_index < len(definitions) and definitions[def_index][0] < link.end():
            continue  # `[1]: <…>` is a definition, not a link
        group = "t1" if link["t1"] else "t2"
        image = at > 0 and view[at - 1] == "!"
        hit = None if image else _link_target(link[group], link.start(group), at, link.end())
        if hit is not None:
            hit.label = text[link.start("label") : link.end("label")]
        if hit or image:
            prose.claim(at, link.end())
            if hit:
                found.append(hit)
                regions.append((at, link.end()))
        else:
            prose.claim(link.end("label") + 1, link.end())  # the label is still prose
    for start, end, hit in definitions:
        prose.claim(start, end)
        if hit:
            found.append(hit)
            regions.append((start, end))
    regions.sort()
    return regions


def _links(view: str) -> Iterator[re.Match[str]]:
    """`_LINK.finditer(view)`, tried only at each `[` (and a `!` before it): a pattern that
    may start with `!` or `[` made `re` try every position, ~30 ms per MB of log."""
    after = 0  # matches do not overlap: none starts inside the last one
    at = view.find("[")
    while at != -1:
        link = _LINK.match(view, at - 1) if at > after and view[at - 1] == "!" else None
        link = link or _LINK.match(view, at)
        if link is not None:
            yield link
            after = link.end()
            at = view.find("[", after)
        else:
            at = view.find("[", at + 1)


def _reference_definitions(view: str) -> Iterator[re.Match[str]]:
    """`_REFERENCE_DEF.finditer(view)`, tried only on lines whose first `[` is at most three
    spaces in (a definition's shape; it never spans lines)."""
    tried = -1
    at = view.find("[")
    while at != -1:
        line_start = view.rfind("\n", 0, at) + 1
        if line_start != tried and at - line_start <= 3 and not view[line_start:at].strip(" \t"):
            tried = line_start
            definition = _REFERENCE_DEF.match(view, line_start)
            if definition is not None:
                yield definition
        at = view.find("[", at + 1)


def _find_code(prose: _Masked, text: str, spans: list[_CodeSpan], links: list[tuple[int, int]], found: list[_Found]) -> None:
    """Code spans that are citations as a whole; the content of the others stays prose."""
    link_starts = [start for start, _ in links]
    for i, (a, b, c, d, heading) in enumerate(spans):
        index = bisect.bisect_right(link_starts, a) - 1
        if index >= 0 and d <= links[index][1]:
            continue  # inside a link that is a citation: the link wins
        c_start, c_end = _strip_span(text, b, c)
        hit = _code_citation(text[c_start:c_end], c_start, heading) if c_start < c_end else None
        if hit:
            hit.after = d
            if i > 0 and _LABEL_GAP.fullmatch(text, spans[i - 1][3], a):
                # `` `Queue.push` (`queue.py:40-52`) ``: the name right before is the label
                hit.label = text[spans[i - 1][1] : spans[i - 1][2]].strip()
            found.append(hit)
            prose.claim(a, d)


def _code_citation(content: str, offset: int, heading: bool) -> _Found | None:
    """The citation that the whole `content` of an inline code span is, if any."""
    simple = _SIMPLE_CODE_CITATION.fullmatch(content)
    if simple is not None:
        return _simple_code_citation(simple, offset)
    return _any_code_citation(content, offset, heading)


def _any_code_citation(content: str, offset: int, heading: bool) -> _Found | None:
    """`_code_citation` for every form."""
    if not _has_code_hint(content) and content not in KNOWN_FILENAMES:
        return None
    if _URL_START.match(content):
        url = _URL_BODY.fullmatch(content, content.find("://") + 3)
        return _permalink(content, offset) if url else None
    rel = _REL.fullmatch(content)
    if rel is not None:
        parsed = _relative_ranges(content, rel, offset)
        return _Found(offset, offset + len(content), offset + len(content), CitationForm.RELATIVE_LINES,
                      None, *parsed) if parsed else None
    match = _CODE_CITATION.fullmatch(content)
    if match is None:
        return None
    path = _normalize_path(match["path"].replace("\\", "/"))
    parsed = _ranges_in(content, match, offset)
    if parsed is None:
        return None
    if parsed[0]:
        if not _path_with_lines_ok(path) or (match["rel"] is not None and not _path_alone_ok(path)):
            return None
        form = CitationForm.INLINE
    else:
        if not _path_alone_ok(path):
            return None
        form = CitationForm.HEADING_PATH if heading else CitationForm.INLINE
    end = offset + len(content)
    return _Found(offset, end, end, form, path, *parsed)


def _simple_code_citation(match: re.Match[str], offset: int) -> _Found | None:
    """`dir/file.py:12` or `file.py:12-30`, most of a reading log's citations, read without the
    general pattern's work (what `_CODE_CITATION` makes of them, and the same spans)."""
    path = _normalize_path(match[1])
    if not _path_with_lines_ok(path):
        return None
    a, b = int(match[2]), int(match[3] or match[2])
    if a < 1 or b < 1:
        return None
    a_span = Span(offset + match.start(2), offset + match.end(2))
    b_span = Span(offset + match.start(3), offset + match.end(3)) if match[3] else a_span
    if b < a:
        a, b, a_span, b_span = b, a, b_span, a_span
    end = offset + match.end()
    ranges = _RANGES_SEEN.get((a, b))
    if ranges is None:
        ranges = (LineRange(a, b),)
        if len(_RANGES_SEEN) < 100_000:
            _RANGES_SEEN[(a, b)] = ranges
    return _Found(offset, end, end, CitationForm.INLINE, path, ranges, ((a_span, b_span),))


# One `(LineRange,)` per range written (it is immutable): a long log writes the same few
# thousand ranges again and again, and each new one costs a validating `__post_init__`.
_RANGES_SEEN: dict[tuple[int, int], tuple[LineRange]] = {}


def _find_urls(masked: _Masked, found: list[_Found], urls: list[tuple[int, int]]) -> None:
    view = masked.view()
    for at in _anchors(view, "://"):
        start = at
        while start > max(0, at - 16) and view[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < at and not view[start].isalpha():
            start += 1
        before = view[start - 1] if start > 0 else ""
        if start == at or before.isalnum() or before in ("_", "/"):
            continue
        body = _URL_BODY.match(view, at + 3)
        if body is None:
            continue
        end = start + len(_trim_url(view[start : body.end()]))
        hit = _permalink(view[start:end], start)
        if hit:
            found.append(hit)
        masked.claim(start, end)
        urls.append((start, end))


def _trim_url(url: str) -> str:
    return url.rstrip(".,;:!?*_~'\"")


def _find_tails(masked: _Masked, found: list[_Found]) -> None:
    """`path.ext:lines` and `path.ext#Llines` in running text."""
    view = masked.view()
    runs = _PathRuns(view)
    for at in _anchors(view, r":(?=L?[0-9])", r"：(?=L?[0-9])", r"#L(?=[0-9])"):
        if _digits_before(view, at):
            continue  # `10:04` (every log entry has one): a number names no file
        tail = _TAIL.match(view, at)
        if tail is None:
            continue
        start = runs.start_before(at)
        if start is None or not _may_be_source_name(view, start, at):
            continue
        if start > 0 and view[start - 1] in ")]":
            start = _bracketed_start(view, start, at)
        start = _strip_cjk_prefix(view, start, at)
        path = _normalize_path(view[start:at])
        if not _prose_path_ok(path):
            continue
        parsed = _ranges_in(view, tail, 0)
        if not parsed or not parsed[0]:
            continue
        found.append(_Found(start, tail.end(), tail.end(), CitationForm.INLINE, path, *parsed))
        masked.claim(start, tail.end())


def _digits_before(view: str, at: int) -> bool:
    """Whether the run of path characters ending at `at` is digits only (`_may_be_source_name`
    is false for it)."""
    start = at
    while start > 0 and view[start - 1].isdigit():
        start -= 1
    if start == at:
        return False
    return start == 0 or not (view[start - 1].isalnum() or view[start - 1] in "_.-+@~/")


def _bracketed_start(view: str, start: int, end: int) -> int:
    """`src/app/[id]/page.tsx` in running text: the path run stopped at `]`; extend it over
    whole bracketed segments (an opening `(` or `[` that is not one is left out)."""
    floor = max(0, end - 1024)
    begin = start
    while begin > floor and (view[begin - 1].isalnum() or view[begin - 1] in "_.-+@~/[]()"):
        begin -= 1
    while begin < start:
        if _brackets_ok(view[begin:end]) and view[begin] not in "/":
            return begin
        begin += 1
    return start


def _find_heading_paths(masked: _Masked, headings: list[tuple[int, int]], found: list[_Found]) -> None:
    view = masked.view()
    for start, end in headings:
        for match in _HEADING_PATH.finditer(view, start, end):
            word = match.group().rstrip(".")
            if ("." in word or word in KNOWN_FILENAMES) and _path_alone_ok(_normalize_path(word)):
                stop = match.start() + len(word)
                found.append(_Found(match.start(), stop, stop, CitationForm.HEADING_PATH,
                                    _normalize_path(word), (), ()))
                masked.claim(match.start(), stop)


def _find_relative(masked: _Masked, found: list[_Found], path_before: bool = False) -> None:
    """Form 8 in running text, or `path.ext 第 3 行` when a path sits right before it.
    `path_before`: an earlier piece of the note mentioned a path."""
    view = masked.view()
    runs = _PathRuns(view)
    taken_until = -1
    # Before the first path mention a relative reference has no context: only the `path 第 3 行`
    # shape can count there, and it needs a path character or a gap right before it.
    first_path = -1 if path_before else min((f.start for f in found if f.path), default=len(view))
    for at in _anchors(view, "第", "行", "line", "Line", "LINE", r"L(?=[0-9])"):
        if at < taken_until:
            continue
        if at < first_path:
            before = view[at - 1 : at] if view[at - 1 : at] != "#" else view[at - 2 : at - 1]
            if not before or not (before in " \t(（" or before.isalnum() or before in "_.-+@~/"):
                continue
            if view[at] in "Ll" and before not in " \t(（":
                continue  # `L42` / `line 4` joins a path only after a space or parenthesis
        start = at - 1 if view[at] == "L" and at > 0 and view[at - 1] == "#" else at
        rel = _REL.match(view, start)
        if rel is None:
            continue
        combined = _path_before_relative(view, runs, rel)
        if combined is None and (at < first_path or not _relative_allowed(view, rel)):
            continue
        parsed = _relative_ranges(view, rel, 0)
        if parsed is None:
            continue
        if combined is not None:
            path_start, path, end = combined
            found.append(_Found(path_start, end, end, CitationForm.INLINE, path, *parsed))
            masked.claim(path_start, end)
            taken_until = end
        else:
            found.append(
                _Found(rel.start(), rel.end(), rel.end(), CitationForm.RELATIVE_LINES, None, *parsed)
            )
            taken_until = rel.end()


def _relative_allowed(view: str, rel: re.Match[str]) -> bool:
    before = view[rel.start() - 1 : rel.start()]
    word = rel.group()
    if word.startswith("行"):
        return not (_is_cjk(before) and before not in _WORDS_BEFORE_LINE)
    if word[:1] in "lL" and rel["gap"] is not None:
        return bool(rel["gap"]) and not _ASCII_WORD.match(before)
    if rel["c"] is not None:
        if _ASCII_WORD.match(before):
            return False
        lone = "L" not in rel["c"][1:]
        return not lone or bool(rel["hash"]) or before in ("(", "（", "[", "【")
    return True  # 第 … 行


def _path_before_relative(view: str, runs: _PathRuns, rel: re.Match[str]) -> tuple[int, str, int] | None:
    """`engine.py 第 3 行`: (path start, path, end of the whole citation) when a prose path sits
    right before the relative reference `rel`."""
    before = view[rel.start() - 1 : rel.start()]
    if not before or not (before in " \t(（" or before.isalnum() or before in "_.-+@~/"):
        return None
    gap = _GAP_BEFORE.search(view, max(0, rel.start() - 8), rel.start())
    path_end = gap.start() if gap else rel.start()
    start = runs.start_before(path_end)
    if start is None or not _may_be_source_name(view, start, path_end):
        return None
    start = _strip_cjk_prefix(view, start, path_end)
    path = _normalize_path(view[start:path_end])
    if not _prose_path_ok(path) or (rel["gap"] is not None and not rel["gap"] and rel.group()[:1] in "lL"):
        return None
    end = rel.end()
    if gap and gap.group().strip(" \t") in ("(", "（") and view[end : end + 1] in (")", "）"):
        end += 1
    return start, path, end


def _find_table_lines(
    masked: _Masked, lines: note_blocks.Lines, tables: list[tuple[int, int]], found: list[_Found]
) -> None:
    """A table column headed `行` / `Lines` / `行号`: each cell of lines is form 8 for the file
    named earlier in its row (or in context)."""
    view = masked.view()
    for first, last in tables:
        header = lines.text[lines.starts[first] : lines.end(first)]
        cells = _cells(header, 0)
        titles = [header[a:b].strip(" \t*`") for a, b in cells]
        column = next((i for i, title in enumerate(titles) if _LINES_HEADER.fullmatch(title)), -1)
        if column < 0:
            continue
        for index in range(first + 2, last + 1):
            start, end = lines.starts[index], lines.end(index)
            row_cells = _cells(view, start, end)
            if column >= len(row_cells):
                continue
            a, b = _strip_span(view, *row_cells[column])
            if a < b and view[a] == "`" and view[b - 1] == "`":
                a, b = a + 1, b - 1
            if _TABLE_LINES.fullmatch(view, a, b):
                parsed = _ranges_of(view, a, b, 0)
                if parsed:
                    row_path = next((f.path for f in found if start <= f.start < end and f.path), None)
                    found.append(
                        _Found(a, b, b, CitationForm.RELATIVE_LINES, None, *parsed, context=row_path)
                    )


def _cells(text: str, start: int, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each cell of a table row `text[start:end]`, outer pipes dropped."""
    end = len(text) if end is None else end
    bars = [m.start() for m in _compiled(r"\|").finditer(text, start, end)]
    edges = [start - 1, *bars, end]
    cells = [(edges[i] + 1, edges[i + 1]) for i in range(len(edges) - 1)]
    if cells and not text[cells[0][0] : cells[0][1]].strip():
        cells = cells[1:]
    if cells and not text[cells[-1][0] : cells[-1][1]].strip():
        cells = cells[:-1]
    return cells


def _relative_ranges(text: str, rel: re.Match[str], offset: int) -> _Ranges | None:
    for group in ("a", "b", "c"):
        if rel[group] is not None:
            return _ranges_of(text, rel.start(group), rel.end(group), offset)
    return None


# A log entry as `readertui log` writes it, on one line: `` - 10:04 `dir/a.py:3-9` @ `3bb09d7` — text ``,
# its text without code, brackets or `<` (links, HTML), which the finders of a block look at.
_LOG_ENTRY = LazyPattern(
    r"- [0-9]{1,2}:[0-9]{2} `(?P<content>[^`\n]{1,1024})`(?: @ `[0-9a-fA-F]{7,40}`)?(?P<rest>[^`\[\]<\\\n]*)"
)
READ_LOG_ENTRIES = True  # (a switch for the tests that hold the short cut to the finders)


def _plain_log_entry(text: str, start: int, end: int) -> _Found | None:
    """The citation a plain log entry line holds in code, found without the finders' work on
    its block (code spans, links, the paragraph's file, HTML comments); most of a long log is
    such lines. None for any other line: the finders read it. (What the finders of the whole
    piece look for in running text, `path:lines`, URLs, relative lines, they still do.)"""
    entry = _LOG_ENTRY.fullmatch(text, start, end)
    if entry is None:
        return None
    rest = entry["rest"]
    if "/" in rest and any(mark in rest for mark in "(（:："):
        return None  # the paragraph may name its file (`_paragraph_path`)
    simple = _SIMPLE_CODE_CITATION.fullmatch(entry["content"])
    if simple is None:
        return None
    hit = _simple_code_citation(simple, entry.start("content"))
    if hit is not None:
        hit.after = entry.end("content") + 1  # past the closing backtick
    return hit


def _html_comments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    regions = []
    pos = text.find("<!--", start, end)
    while pos != -1:
        close = text.find("-->", pos + 4, end)
        if close == -1:
            break
        regions.append((pos, close + 3))
        pos = text.find("<!--", close + 3, end)
    return regions


def _fence_header(text: str, start: int, end: int, found: list[_Found]) -> None:
    """Form 7 (or 8) in the first content line `text[start:end]` of a fenced block."""
    line = text[start:end]
    prefix = len(line) - len(line.lstrip(" \t>"))
    comment = _FENCE_COMMENT.match(line, prefix)
    if comment is None:
        return
    body_start = start + comment.end()
    body = _COMMENT_CLOSE.sub("", line[comment.end() :])
    rel = _REL.match(body)
    if rel is not None:
        parsed = _relative_ranges(body, rel, body_start)
        if parsed:
            found.append(_Found(body_start, body_start + rel.end(), body_start + rel.end(),
                                CitationForm.RELATIVE_LINES, None, *parsed))
        return
    match = _CODE_CITATION.match(body)
    if match is None or body[match.end() : match.end() + 1] not in _AFTER_HEADER:
        return
    path = _normalize_path(match["path"].replace("\\", "/").rstrip("."))
    parsed = _ranges_in(body, match, body_start)
    if parsed is None or not (_path_with_lines_ok(path) if parsed[0] else _path_alone_ok(path)):
        return
    stop = body_start + (match.end() if parsed[0] else match.start("path") + len(match["path"].rstrip(".")))
    found.append(_Found(body_start, stop, stop, CitationForm.FENCE_HEADER, path, *parsed))


# Comment syntax of fenced blocks by language (the info string's first word, lower case).
_HASH_LANGS = frozenset(
    "python py python3 py3 ipython sh bash zsh fish shell console shellsession ruby rb yaml yml "
    "toml perl pl r make makefile cmake dockerfile conf ini nix elixir ex exs powershell ps1 tcl "
    "awk julia jl nim coffee crystal starlark bzl bazel gdscript graphql gql cfg properties".split()
)
_SLASH_LANGS = frozenset(
    "c h cpp c++ cc cxx hpp hh cuda cu cuh js javascript mjs cjs ts typescript jsx tsx go golang "
    "rust rs java kotlin kt kts swift scala cs csharp dart php proto protobuf zig groovy gradle "
    "objc objective-c objectivec m mm glsl hlsl wgsl metal solidity sol verilog sv json5 jsonc "
    "d fsharp fs less scss css thrift capnp".split()
)
_DASH_LANGS = frozenset("sql mysql postgresql psql sqlite plsql lua haskell hs ada elm".split())
_SEMI_LANGS = frozenset("lisp elisp emacs-lisp clojure clj cljs scheme racket asm nasm gas s".split())
_PERCENT_LANGS = frozenset("tex latex matlab octave erlang erl".split())
_MARKUP_LANGS = frozenset("html htm xml svg markdown md vue svelte xhtml".split())
_CLICK = LazyPattern(
    r"[ \t>]*click[ \t]+[^ \t\n\"]{1,200}[ \t]+(?:href[ \t]+)?\"(?P<url>[^\"\n]{1,4096})\""
)


def _comment_syntax(language: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(line comment markers, (block opener, closer) pairs) of a fenced block's language.
    An unknown or missing language takes the common ones."""
    lang = language.strip("{}.").lower()
    if lang in _HASH_LANGS:
        line: tuple[str, ...] = ("# ", "#\t", "#")
    elif lang in _SLASH_LANGS:
        line = ("//",)
    elif lang in _DASH_LANGS:
        line = ("--",)
    elif lang in _SEMI_LANGS:
        line = (";",)
    elif lang in _PERCENT_LANGS:
        line = ("%",)
    elif lang == "mermaid":
        line = ("%%",)
    elif lang in _MARKUP_LANGS:
        line = ()
    elif lang:
        line = ()  # a language we do not know: its comments are unknown too
        return line, ()
    else:
        line = ("# ", "//", "-- ", ";", "%%")
    blocks: tuple[tuple[str, str], ...] = ()
    if lang in _SLASH_LANGS or lang in ("", "sql", "mysql", "postgresql", "psql", "plsql", "sqlite"):
        blocks += (("/*", "*/"),)
    if lang in _MARKUP_LANGS or lang in ("", "mermaid"):
        blocks += (("<!--", "-->"),)
    return line, blocks


def _fence_comments(
    lines: note_blocks.Lines, first: int, last: int, language: str, found: list[_Found]
) -> list[tuple[int, int]]:
    """The comment text of the lines `first..last` (0-based) of a fenced block: what follows a
    line comment marker that starts a line, and the inside of block comments that start a line.
    Code lines stay code: a string literal holding `//` or `a.py:3` is never read. Mermaid
    `click` lines are citations of their URL (added to `found`)."""
    line_markers, block_markers = _comment_syntax(language)
    mermaid = language.lower() == "mermaid"
    regions: list[tuple[int, int]] = []
    closer: str | None = None
    text = lines.text
    for index in range(first, min(last, len(lines) - 1) + 1):
        start, end = lines.starts[index], lines.end(index)
        content = text[start:end]
        body = content.lstrip(" \t>")
        at = start + len(content) - len(body)
        if closer is not None:  # inside a block comment
            stop = text.find(closer, at, end)
            inner = at + (1 if body.startswith("*") and not body.startswith(closer) else 0)
            regions.append((inner, stop if stop != -1 else end))
            if stop != -1:
                closer = None
            continue
        if mermaid and body.startswith("click"):
            click = _CLICK.match(text, start, end)
            if click is not None:
                hit = _link_target(click["url"], click.start("url"), click.start("url"), click.end("url"))
                if hit is not None:
                    hit.in_code = True
                    found.append(hit)
            continue
        marker = next((m for m in line_markers if body.startswith(m)), None)
        if marker is not None:
            if marker.startswith("#") and body.startswith(("#!", "#include", "#define", "#if")):
                continue  # a shebang or preprocessor line is code
            regions.append((at + len(marker.rstrip()), end))
            continue
        for opener, close in block_markers:
            if body.startswith(opener):
                stop = text.find(close, at + len(opener), end)
                regions.append((at + len(opener), stop if stop != -1 else end))
                if stop == -1:
                    closer = close
                break
    return [(a, b) for a, b in regions if b > a]


def _mark_in_code(found: list[_Found], regions: list[tuple[int, int]]) -> None:
    """Flag what was found in the comment text of fenced blocks; relative lines there are not
    read (`// L2 cache`, `-- line 3 of the query`)."""
    starts = [a for a, _ in regions]
    kept = []
    for item in found:
        index = bisect.bisect_right(starts, item.start) - 1
        if index >= 0 and item.start < regions[index][1]:
            if item.form == CitationForm.RELATIVE_LINES:
                continue
            item.in_code = True
        kept.append(item)
    found[:] = kept


def _fence_info(text: str, start: int, end: int, found: list[_Found]) -> None:
    """Form 7 in a fence's info string: ```` ```python title="src/a.py" ```` or ```` ```py:a.py ````;
    `text[start:end]` is the opening line (only quote marks, a list marker or spaces before the fence)."""
    fence = _FENCE_MARKER.search(text, start, end)
    if fence is None:
        return
    info = fence.end()
    match = _FENCE_INFO_LANG_PATH.match(text, info, end) or _FENCE_INFO_PATH.search(text, info, end)
    if match is None:
        return
    hit = _code_citation(match["path"], match.start("path"), heading=False)
    if hit is not None and hit.path is not None:
        hit.form = CitationForm.FENCE_HEADER
        found.append(hit)


# ---------------------------------------------------------------------------------------------
# Declarations


class _Decl(msgspec.Struct, array_like=True):
    """A commit or tag declaration found in a block, before it becomes a CommitDeclaration."""
    ref: str
    start: int
    end: int
    block: int


def _find_declarations(view: str, line_starts: list[int], blocks: list[tuple[int, int, int]]) -> list[_Decl]:
    """Declarations in `view` (code and URLs blanked); `blocks` are (start, end, block id)."""
    decls: list[_Decl] = []
    block_starts = [b[0] for b in blocks]
    seen_at = -1
    for at in _declaration_anchors(view):
        if at < seen_at:
            continue
        index = bisect.bisect_right(block_starts, at) - 1
        if index < 0 or at >= blocks[index][1]:
            continue
        line_start = line_starts[bisect.bisect_right(line_starts, at) - 1]
        if _TIMED_ENTRY.match(view, line_start):
            continue  # a log entry describes code; it does not declare the section's commit
        decl = _declaration_at(view, at, line_start, blocks[index][2])
        if decl is not None:
            decls.append(decl)
            seen_at = decl.end
    return decls


def _declaration_anchors(view: str) -> list[int]:
    """`_anchors(view, *_DECL_ANCHORS)` in 11 passes over the note instead of 25: the Latin
    keys are looked for in a lower-cased copy, each hit kept when the note spells it one of
    the three ways. (None of the keys overlaps itself, so each pass finds what `re` finds.)"""
    lowered = view.lower()
    if len(lowered) != len(view):  # `İ` lower-cases to two characters: offsets would shift
        return _anchors(view, *_DECL_ANCHORS)
    hits: list[int] = []
    for word in _DECL_WORDS:
        spellings = (word, word.capitalize(), word.upper())
        size = len(word)
        at = lowered.find(word)
        while at != -1:
            if view[at : at + size] in spellings:
                hits.append(at)
            at = lowered.find(word, at + size)
    for word in _DECL_CJK:
        at = view.find(word)
        while at != -1:
            hits.append(at)
            at = view.find(word, at + len(word))
    hits.sort()
    return hits


def _declaration_at(view: str, at: int, line_start: int, block: int) -> _Decl | None:
    match = _DECL_KEY_VALUE.match(view, at)
    if match is not None:
        ref = _clean_ref(match["ref"])
        if match["ck"] is not None:
            ok = bool(_HEX_FULL.fullmatch(ref) or (_TAG_FULL.fullmatch(ref) and "." in ref))
        else:  # a tag key only counts first in its line or table cell: not "Python version: 3.11"
            ok = _key_starts_line(view, line_start, at) and any(ch.isdigit() for ch in ref)
        return _Decl(ref, match.start("ref"), match.start("ref") + len(ref), block) if ok else None
    match = _DECL_PROSE.match(view, at)
    if match is None:
        return None
    ref = _clean_ref(match["ref"])
    key = (match["kw"] or match["zh"]).lower()
    is_hex = bool(_HEX_FULL.fullmatch(ref)) and any(ch.isdigit() for ch in ref)
    is_vtag = bool(_TAG_FULL.fullmatch(ref)) and ref[:1] in "vV" and len(ref) > 1
    if key in ("commit", "提交"):
        ok = is_hex
    elif key in ("based on", "基于"):
        ok = is_hex or is_vtag
    else:  # tag, release, 版本: only as the statement itself, first in its line or cell
        ok = is_vtag and _key_starts_line(view, line_start, at)
    return _Decl(ref, match.start("ref"), match.start("ref") + len(ref), block) if ok else None


def _key_starts_line(view: str, line_start: int, at: int) -> bool:
    """Whether only list markers, quote marks, emphasis or a `|` come before `at` in its line or
    table cell."""
    lookback = max(line_start, at - 40)  # a key first in its cell sits near the `|`
    cell_start = max(lookback, view.rfind("|", lookback, at) + 1)
    if cell_start - line_start >= 40 and view[cell_start - 1 : cell_start] != "|":
        return False
    return bool(_LINE_START_OF_KEY.fullmatch(view, cell_start, at))


def _clean_ref(ref: str) -> str:
    return ref.rstrip(".-+/_")


def _one_per_block(decls: list[_Decl]) -> list[_Decl]:
    chosen: dict[int, _Decl] = {}
    for decl in decls:
        best = chosen.get(decl.block)
        if best is None or (not _HEX_FULL.fullmatch(best.ref) and _HEX_FULL.fullmatch(decl.ref)):
            chosen[decl.block] = decl
    return sorted(chosen.values(), key=lambda d: d.start)


# ---------------------------------------------------------------------------------------------
# The scan


class _Section(msgspec.Struct):
    """A heading's section: where relative `（行 a-b）` lines find their path."""
    level: int
    line: int  # 1-based heading line (0 for the preamble)
    title: str
    context: str | None = None


def scan_note(text: str) -> NoteScan:
    """Every citation (document order) and commit declaration in the Markdown `text`."""
    scanner = NoteScanner(text)
    citations = [citation for part in scanner.parts() for citation in part]
    return NoteScan(tuple(citations), scanner.declarations())


# A note is scanned in pieces of whole top-level blocks of at least this many lines, each with
# views of its own: whole-note views of a 50 MB log were copies of 100 MB each.
_PIECE_LINES = 1024


class NoteScanner:
    """`scan_note` in parts, for a caller that resolves a long note as it goes: `parts()`
    yields the citations piece by piece (document order), and `declarations()` at any point
    gives the declarations seen so far, right for every line read so far (a scope that ends
    later is cut by a heading or declaration not yet read, so it holds every line up to here).

    A piece ends before a top-level block that follows a blank line; finders never look across
    a blank line (a link, a path run, a table, a fence are each inside their block), so the
    pieces find what the whole note would."""

    def __init__(self, text: str, piece_lines: int | None = None) -> None:
        self.text = text
        self.lines = note_blocks.Lines(text)
        self.piece_lines = piece_lines or _PIECE_LINES
        self.headings: list[tuple[int, note_blocks.Block]] = []
        self.paragraphs: list[tuple[int, str]] = []  # (offset, path) of paragraphs naming one file
        self.scopes = _Scopes(self.lines)
        self.full_paths: set[str] = set()  # cited paths holding a folder (the resolver's rule 4)
        self._assembler = _Assembler(text, self.lines, self.headings, self.paragraphs)

    def parts(self) -> Iterator[tuple[Citation, ...]]:
        for index, (blocks, stop) in enumerate(self.pieces()):
            yield self.assemble(self.find(index, blocks, stop, self.path_before))

    def pieces(self) -> Iterator[tuple[list[note_blocks.Block], int]]:
        """The note's pieces: their blocks, and the offset each one stops at."""
        lines = self.lines
        piece: list[note_blocks.Block] = []
        for block in note_blocks.blocks(lines):
            if (
                piece
                and block.group != piece[-1].group
                and block.first - piece[0].first >= self.piece_lines
                and not lines.content(block.first - 1).strip()
            ):
                yield piece, lines.starts[block.first]
                piece = []
            piece.append(block)
        yield piece, len(self.text)

    def declarations(self) -> tuple[CommitDeclaration, ...]:
        return self.scopes.all()

    def declarations_in_force(self, line: int) -> tuple[CommitDeclaration, ...]:
        """`declarations()` less those whose scope ends before `line` (see `_Scopes.in_force`)."""
        return self.scopes.in_force(line)

    def find(self, index: int, blocks: list[note_blocks.Block], stop: int, path_before: bool) -> PieceFinds:
        """What the finders find in piece `index` (offsets in the note): they look at it alone,
        with views of its text only, so pieces can be read in any order, even elsewhere
        (core/scan_ahead.py). `path_before`: whether an earlier piece mentioned a path."""
        base_line = blocks[0].first if blocks and index else 0  # the first piece: from the start
        base = self.lines.starts[base_line]
        text = self.text[base:stop]
        found, decls, headings, paragraphs, saw_path = _scan_blocks(
            text, note_blocks.Lines(text), blocks, base_line, path_before)
        for item in found:
            _shift(item, base)
        for decl in decls:
            decl.start += base
            decl.end += base
        return PieceFinds(
            found, decls, [(start + base, block) for start, block in headings],
            [(start + base, path) for start, path in paragraphs], path_before, saw_path,
        )

    def assemble(self, finds: PieceFinds) -> tuple[Citation, ...]:
        """The next piece's citations from what was found in it, in document order."""
        self.headings += finds.headings
        self.scopes.add(finds.headings, finds.decls)
        self.paragraphs += finds.paragraphs
        self.path_before = self.path_before or finds.saw_path
        citations = self._assembler.add(finds.found)
        self.full_paths.update(c.path for c in citations if c.path and "/" in c.path.strip("/"))
        return citations

    path_before = False  # whether a piece assembled so far mentioned a path


class PieceFinds(msgspec.Struct, array_like=True):
    """What the finders found in one piece of a note, in note offsets (`NoteScanner.find`)."""
    found: list[_Found]
    decls: list[_Decl]
    headings: list[tuple[int, note_blocks.Block]]
    paragraphs: list[tuple[int, str]]  # (offset, path) of paragraphs naming one file
    path_before: bool  # what it was found with: whether an earlier piece mentioned a path
    saw_path: bool  # whether it mentions a path itself (relative lines aside)


def _shift(item: _Found, base: int) -> None:
    if base:
        item.start += base
        item.end += base
        item.after += base
        if len(item.range_spans) == 1:  # the common case, without a generator
            (first, second), = item.range_spans
            a = Span(first.start + base, first.end + base)
            b = a if second == first else Span(second.start + base, second.end + base)
            item.range_spans = ((a, b),)
            return
        item.range_spans = tuple(
            (Span(a.start + base, a.end + base), Span(b.start + base, b.end + base)) for a, b in item.range_spans
        )


def _scan_blocks(
    text: str, lines: note_blocks.Lines, blocks: list[note_blocks.Block], base_line: int, path_before: bool
) -> tuple[list[_Found], list[_Decl], list[tuple[int, note_blocks.Block]], list[tuple[int, str]], bool]:
    """The finders over `text` (a piece of the note starting at note line `base_line`) and its
    blocks (in note lines): what they found, the declarations, headings (with the note's
    block) and paragraphs naming a file, at offsets into `text`, and whether the piece
    mentions a path (relative lines aside; `path_before`: whether an earlier piece did)."""
    found: list[_Found] = []
    prose = _Masked(text)
    declared = _Masked(text)
    decl_blocks: list[tuple[int, int, int]] = []
    headings: list[tuple[int, note_blocks.Block]] = []
    heading_spans: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int, int, bool]] = []
    # the code spans of blocks holding a `[`: a link lies within one line, so only these can
    # hide part of one (blanking all of them for the links' view cost a log ~5 % of its scan)
    near_links: list[tuple[int, int, int, int, bool]] = []
    tables: list[tuple[int, int]] = []
    paragraphs: list[tuple[int, str]] = []
    prose_cursor = decl_cursor = 0
    in_code: list[tuple[int, int]] = []  # comment text of fenced blocks, read as prose
    header_found = False
    for block in blocks:
        block_first, block_last = block.first - base_line, block.last - base_line  # in the piece
        start, end = lines.starts[block_first], lines.end(block_last)
        if block.kind == "fence-body":
            first = block_first + (1 if header_found else 0)
            for a, b in _fence_comments(lines, first, block_last, block.title, found):
                prose.claim(prose_cursor, a)
                prose_cursor = b
                in_code.append((a, b))
                comment_spans = [(*span, False) for span in _code_spans(text, a, b)]
                spans += comment_spans
                if text.find("[", a, b) != -1:
                    near_links += comment_spans
            continue
        if block.kind == "fence-first":
            before = len(found)
            _fence_header(text, start, end, found)
            header_found = len(found) > before
            continue
        if block.kind == "fence-info":
            _fence_info(text, start, end, found)
            continue
        declared.claim(decl_cursor, start)
        decl_cursor = end
        decl_blocks.append((start, end, block.group))
        if block.kind == "meta":
            continue
        prose.claim(prose_cursor, start)
        prose_cursor = end
        if block.table_first >= 0:
            tables.append((block.table_first - base_line, block_last))
        elif block.kind == "text":
            entry = _plain_log_entry(text, start, end) if block_first == block_last and READ_LOG_ENTRIES else None
            if entry is not None:  # what the finders would find in it, found at once
                found.append(entry)
                prose.claim(entry.start - 1, entry.after)
                continue
            named = _paragraph_path(text, start, end)
            if named is not None:
                paragraphs.append((start, named))
        heading = block.kind == "heading"
        if heading:
            headings.append((start, block))
            heading_spans.append((start, end))
        block_spans = [(a, b, c, d, heading) for a, b, c, d in _code_spans(text, start, end)]
        spans += block_spans
        if block_spans and text.find("[", start, end) != -1:
            near_links += block_spans
        for a, b in _html_comments(text, start, end):
            prose.claim(a, b)
            declared.claim(a, b)
    prose.claim(prose_cursor, len(text))
    declared.claim(decl_cursor, len(text))
    urls: list[tuple[int, int]] = []
    links = _find_links(prose, text, near_links, found)
    _find_code(prose, text, spans, links, found)
    _find_urls(prose, found, urls)
    _find_tails(prose, found)
    _find_heading_paths(prose, heading_spans, found)
    saw_path = any(f.path for f in found)  # what the relative finder's own hits do not count in
    _find_relative(prose, found, path_before)
    _find_table_lines(prose, lines, tables, found)
    if in_code:
        _mark_in_code(found, in_code)
    for start, end in urls:
        declared.claim(start, end)
    decls = _find_declarations(declared.view(), lines.starts, decl_blocks)
    return found, decls, headings, paragraphs, saw_path


def _context_form(item: _Found) -> str:
    """The path a mention gives as context. A link's target is relative to the note's folder
    (`<project>/notes/`): without its leading `../` it reads from the project folder, as the
    repo-prefixed form 4 does."""
    path = item.path or ""
    if item.form == CitationForm.LINK:
        while path.startswith("../"):
            path = path[3:]
    return path


def _is_suffix(short: str, full: str) -> bool:
    last = short.rpartition("/")[2]
    if last not in full:
        return False  # (most mentions in a log name another file than the one before)
    short_parts = [p for p in short.split("/") if p not in ("", ".")]
    full_parts = [p for p in full.split("/") if p not in ("", ".")]
    return 0 < len(short_parts) <= len(full_parts) and full_parts[-len(short_parts) :] == short_parts


_PARAGRAPH_PATH = LazyPattern(  # (the lookahead: only a path with a `/` can count)
    r"(?:[(（]|[:：])[ \t]{0,3}[*_`]{0,3}(?=[\w.\-+@~\[\]]{0,1024}/)(?P<path>[\w.\-+@~/\[\]]{3,1024}+)[*_`]{0,3}"
    r"[ \t]{0,3}(?=[)）,，;；。]|\.?[ \t]*(?:\n|\Z)|\.?[ \t])"
)


def _paragraph_path(text: str, start: int, end: int) -> str | None:
    """The one full path (with a folder) that a paragraph names in parentheses or after a colon
    (`**Topic 1: message flow (src/index.ts)**`), or None (no such path, or several)."""
    if text.find("/", start, end) == -1:
        return None
    named: set[str] = set()
    for match in _PARAGRAPH_PATH.finditer(text, start, end):
        path = _normalize_path(match["path"].rstrip("."))
        if "/" in path.strip("/") and not path.startswith(("/", "~")) and _path_alone_ok(path):
            named.add(path)
            if len(named) > 1:
                return None
    return named.pop() if named else None


class _Assembler:
    """Citations in document order, overlaps dropped, with headings, context and pins; fed the
    finders' results piece by piece (`headings` and `paragraphs` grow as pieces are read)."""

    def __init__(
        self, text: str, lines: note_blocks.Lines, headings: list[tuple[int, note_blocks.Block]], paragraphs: list[tuple[int, str]]
    ) -> None:
        self.text = text
        self.lines = lines
        self.headings = headings
        self.paragraphs = paragraphs
        self.stack = [_Section(0, 0, "")]
        self.titles: tuple[str, ...] = ()  # the stack's titles: one tuple shared while it holds
        self.last_end = -1
        self.head_index = self.para_index = 0
        self.paths: dict[str, str] = {}  # one string per distinct path (a log repeats them)

    def add(self, found: list[_Found]) -> tuple[Citation, ...]:
        # (the state in locals while the piece is read: this runs once per citation of a log)
        text, headings, paragraphs, stack = self.text, self.headings, self.paragraphs, self.stack
        last_end, head_index, para_index, titles = self.last_end, self.head_index, self.para_index, self.titles
        locate, paths, relative = self.lines.locate, self.paths, CitationForm.RELATIVE_LINES
        found.sort(key=lambda f: (f.start, -f.end))
        citations: list[Citation] = []
        for item in found:
            start = item.start
            if start < last_end:
                continue
            last_end = item.end
            while head_index < len(headings) and headings[head_index][0] <= start:
                block = headings[head_index][1]
                while len(stack) > 1 and stack[-1].level >= block.level:
                    stack.pop()
                stack.append(_Section(block.level, block.first + 1, block.title))
                titles = tuple(s.title for s in stack[1:])
                head_index += 1
            context = None
            for section in reversed(stack):
                if section.context:
                    context = section.context
                    break
            if item.context and not (context and _is_suffix(item.context, context)):
                context = item.context
            if context is None and item.form is relative:
                continue
            paragraph_path = None
            while para_index < len(paragraphs) and paragraphs[para_index][0] <= start:
                para_index += 1
            if para_index:
                at, named = paragraphs[para_index - 1]
                if at > (headings[head_index - 1][0] if head_index else -1):  # (up to the next heading)
                    paragraph_path = named
            pin = _PIN.match(text, item.after)
            label = item.label
            if label is None:  # `` `a.py:9-12` (`Engine.step`) ``, also after a pin and a dash
                after = _LABEL_AFTER.match(text, pin.end() if pin else item.after)
                label = after["name"].strip() if after else None
            line, column = locate(start)
            path = item.path
            if path is not None:
                path = paths.setdefault(path, path)
            citations.append(
                Citation(
                    text[start : item.end], line, column, Span(start, item.end), item.form, path,
                    item.ranges, item.range_spans, item.commit or (pin["sha"] if pin else None),
                    item.repo_hint, titles, stack[-1].line, context, item.ref_path, item.ref_kind, label,
                    paragraph_path, item.in_code,
                )  # (in field order: keywords cost a log ~2 % of its scan)
            )
            if path:
                mention = _context_form(item)
                keep_fuller = context is not None and _is_suffix(mention, context)
                stack[-1].context = context if keep_fuller else mention
        self.last_end, self.head_index, self.para_index, self.titles = last_end, head_index, para_index, titles
        return tuple(citations)


class _Scopes:
    """The declarations with their scopes (see CommitDeclaration), kept up to date as pieces
    are read: each piece adds its headings and declarations in document order, and only the
    declarations whose scope may still shrink are looked at again. (Recomputing every scope
    after every piece was quadratic: a 50 MB log has ~8,600 declarations and ~540 pieces.)

    Under a heading, a scope runs to the end of that section: the line before the next heading
    of its level or above. A later declaration on a later line of the same section cuts it at
    the line before. Above the first heading, a scope runs to the end of the note."""

    def __init__(self, lines: note_blocks.Lines) -> None:
        self.lines = lines
        self.last_line = len(lines)
        self.heading_numbers: list[int] = []  # 1-based line of each heading
        self.section_end: list[int] = []  # last line of each heading's section (last_line: open)
        self.open_sections: list[tuple[int, int]] = []  # (heading index, level), a stack
        self.declared: list[CommitDeclaration] = []
        self.section: list[int] = []  # each declaration's section (heading index, -1: none)
        self.cut: list[int | None] = []  # the line before the next one in its section, once seen
        self.same_section: list[int] = []  # declarations of the latest section not yet cut
        self.unsettled: list[int] = []  # declarations whose scope may still shrink
        self.live: list[int] = []  # declarations in force at the last line asked about (or later)

    def add(self, headings: list[tuple[int, note_blocks.Block]], decls: list[_Decl]) -> None:
        """One piece's headings and declarations (offsets in the note, document order)."""
        for _, block in headings:
            number = block.first + 1
            while self.open_sections and self.open_sections[-1][1] >= block.level:
                self.section_end[self.open_sections.pop()[0]] = number - 1
            self.open_sections.append((len(self.heading_numbers), block.level))
            self.heading_numbers.append(number)
            self.section_end.append(self.last_line)
        for decl in _one_per_block(decls):
            line, column = self.lines.locate(decl.start)
            section = bisect.bisect_right(self.heading_numbers, line) - 1
            if self.same_section and self.section[self.same_section[0]] != section:
                self.same_section = []  # a heading came between: no later one cuts these
            still = []
            for index in self.same_section:
                if self.declared[index].line < line:
                    self.cut[index] = line - 1
                else:
                    still.append(index)
            index = len(self.declared)
            self.same_section = [*still, index]
            self.section.append(section)
            self.cut.append(None)
            self.declared.append(CommitDeclaration(decl.ref, line, column, Span(decl.start, decl.end), line))
            self.unsettled.append(index)
            self.live.append(index)
        self._settle()

    def _settle(self) -> None:
        """Bring the scopes that may have changed up to date; keep those that may change again."""
        headings = len(self.heading_numbers)
        open_headings = {heading for heading, _ in self.open_sections}
        waiting = set(self.same_section)
        still = []
        for index in self.unsettled:
            decl, section, cut = self.declared[index], self.section[index], self.cut[index]
            end = self.section_end[section] if section >= 0 else self.last_line
            if cut is not None:
                end = min(end, cut)
            end = max(end, decl.line)
            if end != decl.scope_end_line:
                self.declared[index] = msgspec.structs.replace(decl, scope_end_line=end)
            # final once cut (a section ends after the declaration that cut it), once its
            # section has ended, or (above the first heading) once no declaration can follow
            open_section = section in open_headings if section >= 0 else headings == 0
            if cut is None and (open_section or index in waiting):
                still.append(index)
        self.unsettled = still

    def all(self) -> tuple[CommitDeclaration, ...]:
        return tuple(self.declared)

    def in_force(self, line: int) -> tuple[CommitDeclaration, ...]:
        """The declarations whose scope reaches `line` or later: all that `commit_for_line` needs
        for the lines from `line` on. Asked with lines that never go back (the resolver asks
        for each part's first line), so a scope that ended before is dropped for good."""
        declared = self.declared
        self.live = [index for index in self.live if declared[index].scope_end_line >= line]
        return tuple(declared[index] for index in self.live)

"""Tree-sitter language detection and per-line highlight spans (pure: no Textual, no Rich).

The whole file is parsed once (`Highlighter.parse`, meant for a worker thread); highlight
captures are then computed only for the rows being shown (`Highlighter.spans`), which costs a
few milliseconds at any file size. Capturing the whole file at once is what makes a stock
`TextArea` slow on big files, so it is never done here.

Highlight queries come from the `queries/` folder shipped inside each grammar wheel, with
`inherits` chains (cpp builds on c, cuda on cpp, typescript on javascript) expressed in
`_GRAMMARS`. Textual's bundled queries are read as plain data only when a wheel ships none.
Every query is cleaned before it is compiled: `#set!` directives are removed (Textual's JSON
query segfaults tree-sitter when a second parser is built in one process) and patterns using
predicates that tree-sitter's Python binding does not evaluate are dropped, since ignoring such
a predicate would make its pattern match far too much.

Which capture wins when several patterns capture the same node: the pattern with the longest
source text (the most specific), and among equals the later one. Inner nodes always win over
the nodes that contain them. The grammar wheels disagree on ordering conventions; specificity
gives the expected result for all of them (`obj.method()` is a method, not a property).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import threading
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import msgspec

from readertui.core.lazy_pattern import LazyPattern

if TYPE_CHECKING:
    # The binding is imported where it is used: the reader's first frame shows no highlighting
    # (it starts after the frame is out), and the import is ~1.3 ms of the start-up.
    from tree_sitter import Language, Node, Query

# Files with a longer line, or more bytes, are shown as plain text: highlighting a multi-MB
# line costs seconds and gigabytes, and nobody reads minified code for its colours.
MAX_HIGHLIGHT_LINE_CHARS = 10_000
MAX_HIGHLIGHT_BYTES = 32 * 1024 * 1024
# Columns painted per line; the view never shows more than this either.
MAX_SPAN_COLUMNS = 4_000

Span = tuple[int, int, str]


class _Grammar(msgspec.Struct, frozen=True):
    """Where a language's grammar and highlight queries come from."""
    module: str
    function: str
    queries: tuple[tuple[str, str], ...]  # (module, path inside it), base queries first


_GRAMMARS: dict[str, _Grammar] = {
    "python": _Grammar("tree_sitter_python", "language", (("tree_sitter_python", "queries/highlights.scm"),)),
    "c": _Grammar("tree_sitter_c", "language", (("tree_sitter_c", "queries/highlights.scm"),)),
    "cpp": _Grammar(
        "tree_sitter_cpp",
        "language",
        (("tree_sitter_c", "queries/highlights.scm"), ("tree_sitter_cpp", "queries/highlights.scm")),
    ),
    "cuda": _Grammar(
        "tree_sitter_cuda",
        "language",
        (
            ("tree_sitter_c", "queries/highlights.scm"),
            ("tree_sitter_cpp", "queries/highlights.scm"),
            ("tree_sitter_cuda", "queries/highlights.scm"),
        ),
    ),
    "javascript": _Grammar(
        "tree_sitter_javascript",
        "language",
        (
            ("tree_sitter_javascript", "queries/highlights.scm"),
            ("tree_sitter_javascript", "queries/highlights-jsx.scm"),
        ),
    ),
    "typescript": _Grammar(
        "tree_sitter_typescript",
        "language_typescript",
        (
            ("tree_sitter_javascript", "queries/highlights.scm"),
            ("tree_sitter_typescript", "queries/highlights.scm"),
        ),
    ),
    "tsx": _Grammar(
        "tree_sitter_typescript",
        "language_tsx",
        (
            ("tree_sitter_javascript", "queries/highlights.scm"),
            ("tree_sitter_javascript", "queries/highlights-jsx.scm"),
            ("tree_sitter_typescript", "queries/highlights.scm"),
        ),
    ),
    "rust": _Grammar("tree_sitter_rust", "language", (("tree_sitter_rust", "queries/highlights.scm"),)),
    "go": _Grammar("tree_sitter_go", "language", (("tree_sitter_go", "queries/highlights.scm"),)),
    "markdown": _Grammar(
        "tree_sitter_markdown", "language", (("tree_sitter_markdown", "queries/markdown/highlights.scm"),)
    ),
    "json": _Grammar("tree_sitter_json", "language", (("tree_sitter_json", "queries/highlights.scm"),)),
    "yaml": _Grammar("tree_sitter_yaml", "language", (("tree_sitter_yaml", "queries/highlights.scm"),)),
    "toml": _Grammar("tree_sitter_toml", "language", (("tree_sitter_toml", "queries/highlights.scm"),)),
    "bash": _Grammar("tree_sitter_bash", "language", (("tree_sitter_bash", "queries/highlights.scm"),)),
}
# Markdown inline content (emphasis, code spans, links) is a second grammar, parsed per window.
_MARKDOWN_INLINE = _Grammar(
    "tree_sitter_markdown",
    "inline_language",
    (("tree_sitter_markdown", "queries/markdown_inline/highlights.scm"),),
)

_EXTENSIONS: dict[str, str] = {
    **dict.fromkeys((".py", ".pyi", ".pyw"), "python"),
    ".c": "c",
    **dict.fromkeys(
        (".h", ".hpp", ".hh", ".hxx", ".h++", ".cc", ".cpp", ".cxx", ".c++", ".ipp", ".inl", ".tcc"), "cpp"
    ),
    **dict.fromkeys((".cu", ".cuh"), "cuda"),
    **dict.fromkeys((".js", ".mjs", ".cjs", ".jsx"), "javascript"),
    **dict.fromkeys((".ts", ".mts", ".cts"), "typescript"),
    ".tsx": "tsx",
    ".rs": "rust",
    ".go": "go",
    **dict.fromkeys((".md", ".markdown", ".mdown", ".mkd"), "markdown"),
    **dict.fromkeys((".json", ".jsonc", ".jsonl", ".geojson", ".ipynb"), "json"),
    **dict.fromkeys((".yaml", ".yml"), "yaml"),
    ".toml": "toml",
    **dict.fromkeys((".sh", ".bash", ".zsh", ".ksh"), "bash"),
}
_FILENAMES: dict[str, str] = {
    **dict.fromkeys((".bashrc", ".bash_profile", ".profile", ".zshrc", ".zprofile", "PKGBUILD"), "bash"),
    **dict.fromkeys(("Cargo.lock", "Pipfile", "poetry.lock", "uv.lock"), "toml"),
    **dict.fromkeys((".clang-format", ".clang-tidy"), "yaml"),
    ".babelrc": "json",
}
_INTERPRETERS: dict[str, str] = {
    **dict.fromkeys(("python", "python2", "python3", "pypy", "pypy3"), "python"),
    **dict.fromkeys(("sh", "bash", "zsh", "ksh", "dash"), "bash"),
    "node": "javascript",
    **dict.fromkeys(("deno", "ts-node", "tsx", "bun"), "typescript"),
}
_PYTHON_VERSIONED = LazyPattern(r"python\d+(\.\d+)*$")


def languages() -> tuple[str, ...]:
    """Every language name `detect_language` can return."""
    return tuple(_GRAMMARS)


def detect_language(path: str | None, text: str | None = None) -> str | None:
    """The language of a file from its name, else its shebang line; `None` for plain text."""
    if path:
        name = PurePosixPath(path.replace("\\", "/")).name
        if name in _FILENAMES:
            return _FILENAMES[name]
        suffix = PurePosixPath(name).suffix.lower()
        if suffix in _EXTENSIONS:
            return _EXTENSIONS[suffix]
    if text and text.startswith("#!"):
        return _language_from_shebang(text[: text.find("\n")] if "\n" in text else text[:200])
    return None


def _language_from_shebang(line: str) -> str | None:
    words = line[2:].split()
    if not words:
        return None
    program = PurePosixPath(words[0]).name
    if program == "env":
        rest = [word for word in words[1:] if not word.startswith("-") and "=" not in word]
        if not rest:
            return None
        program = PurePosixPath(rest[0]).name
    if _PYTHON_VERSIONED.match(program):
        return "python"
    return _INTERPRETERS.get(program)


def plain_text_reason(lines: Sequence[str], max_bytes: int = MAX_HIGHLIGHT_BYTES) -> str | None:
    """Why a file must be shown without highlighting (a line too long, more than `max_bytes`),
    or `None`."""
    if not lines:
        return None
    longest = max(map(len, lines))
    if longest > MAX_HIGHLIGHT_LINE_CHARS:
        line_number = next(i for i, line in enumerate(lines, 1) if len(line) == longest)
        return f"line {line_number} has {longest:,} characters: shown as plain text"
    size = sum(map(len, lines)) + len(lines)
    if size > max_bytes:
        return f"{size / 2**20:.0f} MB file: shown as plain text"
    return None


# --- query loading -------------------------------------------------------------------------

# Predicates the Python binding evaluates itself. Patterns using any other predicate are dropped.
_SUPPORTED_PREDICATES = frozenset(
    f"{prefix}{name}?" for prefix in ("", "not-", "any-", "any-not-") for name in ("eq", "match", "of")
)
_TOKEN = LazyPattern(r'"(?:\\.|[^"\\])*"|;[^\n]*|\(|\)|\[|\]|[^\s()\[\]";]+|\s+', re.S)


def _split_patterns(source: str) -> list[str]:
    """Split query source into its top-level patterns (comments dropped)."""
    patterns: list[list[str]] = []
    depth = 0
    for match in _TOKEN.finditer(source):
        token = match.group()
        if token.startswith(";") or token.isspace():
            continue
        starts_pattern = depth == 0 and not (token.startswith("@") or token in ("?", "*", "+", "."))
        if starts_pattern or not patterns:
            patterns.append([])
        patterns[-1].append(token)
        if token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth = max(0, depth - 1)
    return [" ".join(tokens) for tokens in patterns]


# Directives (`#set!`…) and the `#is?`/`#is-not?` property assertions are removed from their
# patterns: the binding crashes compiling `(#is-not? local)` and the directives only carry data.
_DIRECTIVE = LazyPattern(r'\(\s*#(?:[\w-]+!|is\?|is-not\?)(?:\s+(?:"(?:\\.|[^"\\])*"|[^\s()"]+))*\s*\)')
_PREDICATE_NAME = LazyPattern(r'\(\s*#([\w-]+[?!])')


def clean_query(source: str) -> str:
    """Query source without `#set!`-style directives and without patterns whose predicates the
    binding cannot evaluate. Safe to compile in any process, any number of times."""
    kept = []
    for pattern in _split_patterns(source):
        pattern = _DIRECTIVE.sub("", pattern)
        if all(name in _SUPPORTED_PREDICATES for name in _PREDICATE_NAME.findall(pattern)):
            kept.append(pattern)
    return "\n".join(kept)


def _compile(language: Language, source: str) -> Query:
    """Compile cleaned source; when a pattern names a node this grammar lacks (inherited
    queries drift between grammar versions), keep every pattern that compiles on its own."""
    from tree_sitter import Query, QueryError

    try:
        return Query(language, source)
    except QueryError:
        good = []
        for pattern in source.split("\n"):
            try:
                Query(language, pattern)
            except QueryError:
                continue
            good.append(pattern)
        return Query(language, "\n".join(good))


def _module_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _query_source(language_name: str, grammar: _Grammar) -> str:
    parts = []
    for module, relative in grammar.queries:
        folder = _module_dir(module)
        if folder is not None and (folder / relative).is_file():
            parts.append((folder / relative).read_text(encoding="utf-8"))
    if not parts:
        # Textual's bundled queries, read as data (never imported: core stays free of Textual).
        folder = _module_dir("textual")
        bundled = folder / "tree-sitter" / "highlights" / f"{language_name}.scm" if folder else None
        if bundled is not None and bundled.is_file():
            parts.append(bundled.read_text(encoding="utf-8"))
    return "\n".join(clean_query(part) for part in parts)


class _Compiled(msgspec.Struct):
    """A grammar's language and compiled highlight query."""
    language: Language
    query: Query
    specificity: list[int]  # per pattern: length of its source text


_cache: dict[str, _Compiled] = {}
_cache_lock = threading.Lock()


def _compiled(key: str, grammar: _Grammar) -> _Compiled:
    # A compiled grammar is read without the lock: the UI thread painting a note must not wait
    # for a worker compiling another grammar (over a second for several under load, measured).
    compiled = _cache.get(key)
    if compiled is not None:
        return compiled
    with _cache_lock:
        if key not in _cache:
            from tree_sitter import Language

            module = importlib.import_module(grammar.module)
            language = Language(getattr(module, grammar.function)())
            query = _compile(language, _query_source(key, grammar))
            specificity = [
                query.end_byte_for_pattern(i) - query.start_byte_for_pattern(i) for i in range(query.pattern_count)
            ]
            _cache[key] = _Compiled(language, query, specificity)
        return _cache[key]


def is_warm(language: str) -> bool:
    """True when `language`'s queries are compiled (parsing a few rows then costs ~1 ms)."""
    return language in _cache


def warm_up(language: str) -> None:
    """Load `language`'s grammar and compile its queries now (tens of milliseconds holding the
    GIL, over 100 ms for cuda). Call from a worker at start-up so the first file opens fast."""
    _compiled(language, _GRAMMARS[language])
    if language == "markdown":
        _compiled("markdown_inline", _MARKDOWN_INLINE)


# --- highlighting --------------------------------------------------------------------------


def _utf8_len(char: str) -> int:
    code = ord(char)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


def _byte_to_char(line: str) -> list[int]:
    """`table[b]` = index of the character holding byte `b` of the UTF-8 encoded line."""
    table: list[int] = []
    for index, char in enumerate(line):
        table.extend([index] * _utf8_len(char))
    table.append(len(line))
    return table


class _Parsed(msgspec.Struct, frozen=True):
    """A tree-sitter parse of some rows of a text."""
    root: Node
    source: bytes
    first_row: int  # 0-based row of the document where this parse starts
    last_row: int


class Highlighter:
    """Highlight spans for one text in one language.

    `parse()` is the slow part: call it once, from a worker thread. `spans()` is cheap and only
    looks at the rows asked for; before any parse has finished it returns no spans. For big
    files, `parse_window()` first parses just the rows around the viewport (tens of
    milliseconds) so colours appear at once; the full parse then replaces it.
    Lines are 1-based everywhere, as in the rest of readertui.
    """

    def __init__(self, text: str | Sequence[str], language: str) -> None:
        if language not in _GRAMMARS:
            raise ValueError(f"no grammar for {language!r}")
        self.language = language
        if isinstance(text, str):
            from readertui.core.safe_text import split_lines

            text = split_lines(text)
        self._lines: Sequence[str] = text
        self._lock = threading.Lock()
        self._full: _Parsed | None = None
        self._window: _Parsed | None = None
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop a parse running in another thread soon (the text is no longer shown)."""
        self._cancelled.set()

    @property
    def parsed(self) -> bool:
        """True once the whole text is parsed."""
        return self._full is not None

    def covers(self, line: int) -> bool:
        """True when `line` is inside what has been parsed (a window or the whole text)."""
        parsed = self._full or self._window
        return parsed is not None and parsed.first_row < line <= parsed.last_row + 1

    @property
    def ready(self) -> bool:
        """True once `spans` can return anything (a window or the whole text is parsed)."""
        return self._full is not None or self._window is not None

    def parse(self) -> None:
        """Parse the whole text (thread-safe; about 0.6 s for 100k lines).

        The binding holds the GIL while it parses a bytes object, which would freeze the UI
        thread; big texts are fed in chunks through callbacks, between which other threads run.
        """
        from tree_sitter import Query, QueryCursor

        parsed = self._parse_rows(0, len(self._lines) - 1)
        if parsed is None:
            return
        if self.language == "markdown":
            # Compile the grammars of the note's fenced code blocks here, in the worker:
            # `spans()` runs on the UI thread and only highlights blocks whose grammar is ready.
            markdown = _compiled("markdown", _GRAMMARS["markdown"]).language
            cursor = QueryCursor(Query(markdown, "(fenced_code_block) @block"))
            named: set[str] = set()
            # A slice of the note at a time: the query holds the GIL while it runs (0.47 s over
            # a 5 MB log, measured), and between slices the UI thread gets it back.
            for start in range(0, len(parsed.source), _HOLD_GIL_BYTES):
                cursor.set_byte_range(start, min(len(parsed.source), start + _HOLD_GIL_BYTES))
                for block in cursor.captures(parsed.root).get("block", []):
                    fence_language = _fence_language(block)
                    if fence_language is not None and fence_language not in named:
                        named.add(fence_language)
                        warm_up(fence_language)
        with self._lock:
            self._full = parsed
            self._window = None

    def parse_window(self, first_line: int, last_line: int) -> None:
        """Parse only `first_line..last_line` as a stand-in until `parse()` finishes."""
        first = max(0, first_line - 1)
        last = min(len(self._lines), last_line) - 1
        if last < first:
            return
        parsed = self._parse_rows(first, last)
        if parsed is None:
            return
        with self._lock:
            if self._full is None:
                self._window = parsed

    def _parse_rows(self, first: int, last: int) -> _Parsed | None:
        """The parse of rows first..last (0-based), or `None` when cancelled."""
        from tree_sitter import Parser

        compiled = _compiled(self.language, _GRAMMARS[self.language])
        if self.language == "markdown":  # for `spans()`, which must not compile on the UI thread
            _compiled("markdown_inline", _MARKDOWN_INLINE)
        source = b"\n".join(line.encode("utf-8", "surrogatepass") for line in self._lines[first : last + 1])
        parser = Parser(compiled.language)
        if len(source) <= _HOLD_GIL_BYTES:
            return _Parsed(parser.parse(source).root_node, source, first, last)

        def read(offset: int, _point: object) -> bytes:
            return source[offset : offset + _READ_CHUNK]

        def progress(_offset: int, _has_error: bool) -> bool:
            # Being Python code, this lets the interpreter hand the GIL to a waiting UI thread.
            return self._cancelled.is_set()

        try:
            tree = parser.parse(read, progress_callback=progress)
        except ValueError:  # "Parsing failed": the progress callback cancelled it
            if self._cancelled.is_set():
                return None
            raise
        # A tree parsed from a callback reads node text through it (slow, and contending for the
        # GIL, when predicates run); re-parsing from bytes reuses every node and stores the bytes.
        tree = parser.parse(source, old_tree=tree)
        return _Parsed(tree.root_node, source, first, last)

    def spans(self, start_line: int, end_line: int) -> dict[int, list[Span]]:
        """Non-overlapping `(col_start, col_end, capture_name)` spans, in characters, for each
        line in `start_line..end_line` that has any. Sorted by column."""
        with self._lock:
            parsed = self._full or self._window
        if parsed is None:
            return {}
        first = max(start_line - 1, parsed.first_row)
        last = min(end_line - 1, parsed.last_row)
        if last < first:
            return {}
        painter = _Painter(self._lines, first, last, parsed.first_row)
        compiled = _compiled(self.language, _GRAMMARS[self.language])
        painter.paint(compiled, parsed.root)
        if self.language == "markdown":
            self._paint_markdown_inline(painter, parsed)
            self._paint_fenced_code(painter, parsed)
        return painter.spans()

    def _paint_markdown_inline(self, painter: _Painter, parsed: _Parsed) -> None:
        from tree_sitter import Parser

        inline = _compiled("markdown_inline", _MARKDOWN_INLINE)
        first, last = painter.first - parsed.first_row, painter.last - parsed.first_row
        ranges = [node.range for node in _nodes_of_type(parsed.root, "inline", first, last)]
        if not ranges:
            return
        parser = Parser(inline.language)
        parser.included_ranges = ranges
        painter.paint(inline, parser.parse(parsed.source).root_node)


    def _paint_fenced_code(self, painter: _Painter, parsed: _Parsed) -> None:
        """Highlight fenced code blocks in a note with the grammar their info string names."""
        from tree_sitter import Parser

        first, last = painter.first - parsed.first_row, painter.last - parsed.first_row
        for block in _nodes_of_type(parsed.root, "fenced_code_block", first, last):
            fence_language = _fence_language(block)
            content = next((child for child in block.children if child.type == "code_fence_content"), None)
            if fence_language is None or content is None or not is_warm(fence_language):
                continue
            compiled = _compiled(fence_language, _GRAMMARS[fence_language])
            parser = Parser(compiled.language)
            parser.included_ranges = [content.range]
            painter.paint(compiled, parser.parse(parsed.source).root_node)


_FENCE_ALIASES = {
    **dict.fromkeys(("py", "python3"), "python"),
    **dict.fromkeys(("c++", "cxx"), "cpp"),
    "cu": "cuda",
    **dict.fromkeys(("js", "node"), "javascript"),
    "ts": "typescript",
    "rs": "rust",
    "golang": "go",
    "yml": "yaml",
    **dict.fromkeys(("sh", "shell", "zsh", "console"), "bash"),
}


def _fence_language(block: Node) -> str | None:
    """The grammar named by a fenced code block's info string (```` ```python ````), if any."""
    info = next((child for child in block.children if child.type == "info_string"), None)
    if info is None or info.text is None:
        return None
    words = info.text.decode("utf-8", "replace").strip().lower().split()
    if not words:
        return None
    name = _FENCE_ALIASES.get(words[0], words[0])
    if name in _GRAMMARS and name != "markdown":
        return name
    by_extension = _EXTENSIONS.get(f".{name}")
    return by_extension if by_extension != "markdown" else None


_READ_CHUNK = 4096
# Sources up to this size parse in one call holding the GIL (about 15 ms); bigger ones are fed
# through callbacks so the UI thread keeps running.
_HOLD_GIL_BYTES = 64 * 1024


def _nodes_of_type(root: Node, node_type: str, first: int, last: int) -> list[Node]:
    """Descendants of `root` of `node_type` overlapping rows first..last, without entering them."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_point.row < first or node.start_point.row > last:
            continue
        if node.type == node_type:
            found.append(node)
        else:
            stack.extend(reversed(node.children))
    found.sort(key=lambda node: node.start_byte)
    return found


class _Painter:
    """Paints capture names onto per-line columns of document rows `first..last` (0-based),
    then reads them back as spans. Trees may start at document row `offset`."""

    def __init__(self, lines: Sequence[str], first: int, last: int, offset: int) -> None:
        self._lines = lines
        self.first, self.last, self._offset = first, last, offset
        self._owners: list[list[str | None]] = [
            [None] * min(len(lines[row]), MAX_SPAN_COLUMNS) for row in range(first, last + 1)
        ]
        self._maps: dict[int, list[int] | None] = {}

    def _char(self, row: int, byte_column: int) -> int:
        if row not in self._maps:
            line = self._lines[row]
            self._maps[row] = None if line.isascii() else _byte_to_char(line)
        table = self._maps[row]
        if table is None:
            return byte_column
        return table[min(byte_column, len(table) - 1)]

    def paint(self, compiled: _Compiled, root: Node) -> None:
        from tree_sitter import QueryCursor

        cursor = QueryCursor(compiled.query)
        cursor.set_point_range((self.first - self._offset, 0), (self.last - self._offset + 1, 0))
        captures: list[tuple[int, int, int, Node, str]] = []
        for pattern, by_name in cursor.matches(root):
            rank = compiled.specificity[pattern]
            for name, nodes in by_name.items():
                if name.startswith("_"):
                    continue  # private captures exist only for predicates
                for node in nodes:
                    captures.append((node.start_byte - node.end_byte, rank, pattern, node, name))
        # Outer nodes first so inner ones overwrite them; then least specific first.
        captures.sort(key=lambda capture: capture[:3])
        for _, _, _, node, name in captures:
            self._paint_node(node, None if name == "none" else name)

    def _paint_node(self, node: Node, name: str | None) -> None:
        start_row, start_byte = node.start_point
        end_row, end_byte = node.end_point
        start_row += self._offset
        end_row += self._offset
        for row in range(max(start_row, self.first), min(end_row, self.last) + 1):
            owners = self._owners[row - self.first]
            begin = self._char(row, start_byte) if row == start_row else 0
            end = self._char(row, end_byte) if row == end_row else len(owners)
            end = min(end, len(owners))
            if end > begin:
                owners[begin:end] = [name] * (end - begin)

    def spans(self) -> dict[int, list[Span]]:
        result: dict[int, list[Span]] = {}
        for offset, owners in enumerate(self._owners):
            line_spans: list[Span] = []
            column = 0
            for name, run in _runs(owners):
                if name is not None:
                    line_spans.append((column, column + run, name))
                column += run
            if line_spans:
                result[self.first + offset + 1] = line_spans
        return result


def _runs(owners: list[str | None]) -> list[tuple[str | None, int]]:
    runs: list[tuple[str | None, int]] = []
    previous: str | None = None
    count = 0
    for owner in owners:
        if owner is previous or owner == previous:
            count += 1
        else:
            if count:
                runs.append((previous, count))
            previous, count = owner, 1
    if count:
        runs.append((previous, count))
    return runs


def scope_chain(capture: str) -> list[str]:
    """`function.method.call` → `["function.method.call", "function.method", "function"]`: the
    theme scopes to try, most specific first."""
    parts = capture.split(".")
    return [".".join(parts[:size]) for size in range(len(parts), 0, -1)]

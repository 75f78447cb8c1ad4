"""Definitions and references of one source file, from tree-sitter *tags* queries (pure: no
Textual, no Rich, no I/O besides reading the queries shipped in the grammar wheels).

The queries are the `queries/tags.scm` files the grammar packages ship (the same queries
GitHub's code navigation runs), with a few patterns of our own where a wheel ships none or
misses something readers look up all the time:

- C, C++ and CUDA: macros, enumerators, call references; C++ namespaces. CUDA's wheel ships no
  tags query: its grammar extends C++'s node for node, so the C and C++ queries are compiled
  against it (patterns naming a node it lacks are dropped one by one).
- TypeScript / TSX: the JavaScript query plus TypeScript's own (as highlighting inherits), plus
  type aliases and enums.
- Rust: `impl Type` blocks, so methods get their type as scope.
- Bash: functions and commands.

What a capture means is normalised after the query ran:

- The range of a definition is the whole definition (a C function's body, not only its
  declarator; a decorated Python function with its decorators; a C++ template with its
  `template <…>` line).
- A C/C++ function declarator that is not part of a function definition is a `prototype`,
  at file, namespace or class scope only: inside a function body it is a local object
  (`Batch batch(ctx, in);`, C++'s "most vexing parse") or a block-scope declaration, not a
  definition.
- A C/C++ `struct`/`union`/`enum`/`class` name is a definition only with a body: the wheels'
  patterns also match `enum ggml_type type` in a parameter or `class Foo;`, which use or
  declare the type, not define it.
- A C/C++ struct (union, enum, class) whose body tree-sitter could not parse — a field written
  as a macro call (`GGML_DEPRECATED(enum t backend, "hint");`), an unexpanded macro before it —
  is left as loose tokens in an ERROR node, which no pattern of the wheels matches: a
  `struct NAME {` there is taken from the tokens, and its extent runs to the matching brace.
- A function whose nearest enclosing definition is a class, interface or impl is a `method`.
- `scope` is the chain of enclosing definitions' names joined by `.` (C++ `A::B` qualifiers and
  Go receivers included), so `qualified` reads `TransformerLayer.forward` in every language.

Any bytes are accepted: tree-sitter parses anything (with error nodes), names are decoded with
replacement characters, and nothing here raises for bad input.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import msgspec

from readertui.core.syntax import (
    _EXTENSIONS,
    _FILENAMES,
    _GRAMMARS,
    _compile,
    _module_dir,
    _split_patterns,
    clean_query,
    detect_language,
)

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Query, QueryCursor

# Longer names are cut: a name is for a list line, and a pathological token must not bloat the index.
MAX_NAME_CHARS = 200


class Definition(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A named definition: its whole extent (`start`..`end`, 1-based, inclusive) and where its
    name stands (`line`, 0-based character `column`).

    Not tracked by the garbage collector (`gc=False`: strings and ints only, no cycle is
    possible): an index holds ~40k of them, and every full collection would walk them all
    while holding the GIL, a stall the UI thread feels."""

    name: str
    kind: str  # class function method prototype type constant interface module macro impl
    start: int
    end: int
    line: int
    column: int
    scope: str = ""  # enclosing definitions, "." joined: "TransformerLayer" for its methods

    @property
    def qualified(self) -> str:
        """`Scope.name` (`TransformerLayer.forward`), or the bare name at top level."""
        return f"{self.scope}.{self.name}" if self.scope else self.name


class Reference(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A use of a name the tags query recognises (a call, a type use…)."""

    name: str
    kind: str  # call class type implementation
    line: int
    column: int


class FileTags(msgspec.Struct, frozen=True):
    definitions: tuple[Definition, ...]
    references: tuple[Reference, ...]


EMPTY = FileTags((), ())

# --- queries -------------------------------------------------------------------------------

_C_EXTRA = """
(preproc_def name: (identifier) @name) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
(enumerator name: (identifier) @name) @definition.constant
(union_specifier name: (type_identifier) @name body: (_)) @definition.class
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression field: (field_identifier) @name)) @reference.call
(ERROR ["struct" "union" "enum"] . [(identifier) (type_identifier)] @name) @definition.class
"""
_CPP_EXTRA = """
(ERROR "class" . [(identifier) (type_identifier)] @name) @definition.class
(namespace_definition name: (namespace_identifier) @name) @definition.module
(function_declarator declarator: (qualified_identifier name: (identifier) @name)) @definition.method
(function_declarator declarator: (qualified_identifier name: (destructor_name) @name)) @definition.method
(function_declarator declarator: (operator_name) @name) @definition.function
(call_expression function: (qualified_identifier name: (identifier) @name)) @reference.call
"""
_TS_EXTRA = """
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.type
"""
_RUST_EXTRA = """
(impl_item type: (type_identifier) @name) @definition.impl
(impl_item type: (generic_type type: (type_identifier) @name)) @definition.impl
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
"""
_BASH_EXTRA = """
(function_definition name: (word) @name) @definition.function
(command name: (command_name (word) @name)) @reference.call
"""

# language -> (query files (module, path), extra patterns)
_TAGS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "python": ((("tree_sitter_python", "queries/tags.scm"),), ""),
    "c": ((("tree_sitter_c", "queries/tags.scm"),), _C_EXTRA),
    "cpp": (
        (("tree_sitter_c", "queries/tags.scm"), ("tree_sitter_cpp", "queries/tags.scm")),
        _C_EXTRA + _CPP_EXTRA,
    ),
    "cuda": (
        (("tree_sitter_c", "queries/tags.scm"), ("tree_sitter_cpp", "queries/tags.scm")),
        _C_EXTRA + _CPP_EXTRA,
    ),
    "javascript": ((("tree_sitter_javascript", "queries/tags.scm"),), ""),
    "typescript": (
        (("tree_sitter_javascript", "queries/tags.scm"), ("tree_sitter_typescript", "queries/tags.scm")),
        _TS_EXTRA,
    ),
    "tsx": (
        (("tree_sitter_javascript", "queries/tags.scm"), ("tree_sitter_typescript", "queries/tags.scm")),
        _TS_EXTRA,
    ),
    "rust": ((("tree_sitter_rust", "queries/tags.scm"),), _RUST_EXTRA),
    "go": ((("tree_sitter_go", "queries/tags.scm"),), ""),
    "bash": ((), _BASH_EXTRA),
}


def languages() -> tuple[str, ...]:
    """Languages with a tags query."""
    return tuple(_TAGS)


def language_for(path: str, head: bytes | None = None) -> str | None:
    """The tags language of a file (by name, else shebang), or None when it has no tags query."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    if name not in _FILENAMES and 0 < dot < len(name) - 1:
        # The common case without pathlib (called for every file of a 200k-file tree).
        by_suffix = _EXTENSIONS.get(name[dot:].lower())
        if by_suffix is not None:
            return by_suffix if by_suffix in _TAGS else None
    text = head[:200].decode("utf-8", "replace") if head else None
    language = detect_language(path, text)
    return language if language in _TAGS else None


class _TagsQuery(msgspec.Struct):
    language: Language
    full: Query  # definitions and references
    definitions: Query  # definitions only (what the index stores: half the matching work)


_cache: dict[str, _TagsQuery | None] = {}
_lock = threading.Lock()


def _source(language: str) -> tuple[str, str]:
    """(full query source, definitions-only source), cleaned, one pattern per line."""
    files, extra = _TAGS[language]
    parts = []
    for module, relative in files:
        folder = _module_dir(module)
        if folder is not None and (folder / relative).is_file():
            parts.append((folder / relative).read_text(encoding="utf-8"))
    parts.append(extra)
    patterns = [
        pattern
        for part in parts
        for pattern in _split_patterns(clean_query(part))
        if "@definition." in pattern or "@reference." in pattern
    ]
    return "\n".join(patterns), "\n".join(p for p in patterns if "@definition." in p)


def _query(language: str) -> _TagsQuery | None:
    with _lock:
        if language not in _cache:
            try:
                from tree_sitter import Language

                grammar = _GRAMMARS[language]
                module = importlib.import_module(grammar.module)
                lang = Language(getattr(module, grammar.function)())
                full, definitions = _source(language)
                _cache[language] = _TagsQuery(lang, _compile(lang, full), _compile(lang, definitions))
            except (ImportError, AttributeError, OSError, ValueError, KeyError):
                # A grammar wheel missing or broken: this language has no symbols, nothing fails.
                _cache[language] = None
        return _cache[language]


def warm_up(language: str) -> bool:
    """Load `language`'s grammar and compile its tags query now; False if it has none."""
    return language in _TAGS and _query(language) is not None


# --- extraction ----------------------------------------------------------------------------

_CONTAINERS = frozenset({"class", "function", "method", "interface", "module", "impl", "type"})
_CLASS_LIKE = frozenset({"class", "interface", "impl"})
# Nodes between a C/C++ function declarator and what declares it.
_DECLARATOR_WRAPPERS = frozenset(
    {"pointer_declarator", "reference_declarator", "parenthesized_declarator", "function_declarator",
     "attributed_declarator"}
)
_C_DECLARATIONS = frozenset({"declaration", "field_declaration"})
# What a C/C++ declaration's parent chain meets first: a scope that holds definitions (file,
# namespace, `extern "C"`, class body), or a function body (`compound_statement`).
_C_SCOPES = frozenset({"translation_unit", "declaration_list", "field_declaration_list"})
_C_TYPE_SPECIFIERS = frozenset({"struct_specifier", "union_specifier", "enum_specifier", "class_specifier"})
_C_FAMILY = frozenset({"c", "cpp", "cuda"})
# After a struct's name in an ERROR node: what may stand before its `{` (comments, `final`, a
# base clause or an enum's underlying type).
_C_BODY_AHEAD = re.compile(
    rb"(?:\s|//[^\n]*|/\*.*?\*/)*(?:final\b(?:\s|//[^\n]*|/\*.*?\*/)*)?(?::[^;{}()]*)?\{", re.DOTALL
)
# Braces, and what hides braces from the count: comments, string and character literals.
_C_BRACES = re.compile(rb'//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|[{}]', re.DOTALL)
_C_BODY_LOOKAHEAD = 1024  # bytes after a name in which its `{` must stand
# (start byte, -end byte, kind, node, name node, first row, last row): rows 0-based, inclusive.
_Raw = tuple[int, int, str, "Node", "Node", int, int]


def definitions(source: bytes, language: str) -> list[Definition]:
    """Definitions of `source` in `language`, in source order. Unknown language: []."""
    return list(extract(source, language, references=False).definitions)


def references(source: bytes, language: str) -> list[Reference]:
    """References the tags query gives (calls, type uses…), in source order."""
    return list(extract(source, language).references)


def extract(source: bytes, language: str, *, references: bool = True) -> FileTags:
    """Definitions (and, unless `references=False`, references) of one file. Never raises."""
    if language not in _TAGS or not isinstance(source, bytes | bytearray):
        return EMPTY
    compiled = _query(language)
    if compiled is None:
        return EMPTY
    from tree_sitter import Parser, QueryCursor

    source = bytes(source)
    tree = Parser(compiled.language).parse(source)
    if language == "python" and not references:
        # The query visits every node of the tree (a 436 KB file of nested expressions has
        # 170k); a walk over statements finds the same definitions ~5x faster.
        return FileTags(_with_scopes(source, _python_definitions(source, tree.root_node), language), ())
    cursor = QueryCursor(compiled.full if references else compiled.definitions)
    raw: list[_Raw] = []
    refs: list[Reference] = []
    seen_names: set[int] = set()
    seen_refs: set[tuple[int, str]] = set()
    for _pattern, captures in _matches(cursor, tree.root_node, len(source)):
        names = captures.get("name")
        if not names:
            continue
        name_node = names[0]
        for capture, nodes in captures.items():
            if capture.startswith("definition."):
                if name_node.start_byte in seen_names:
                    continue  # an earlier (more specific) pattern already took this name
                entry = _whole_definition(source, nodes[0], name_node, capture[len("definition.") :], language)
                if entry is None:
                    continue  # a use or a local the pattern took for a definition
                seen_names.add(name_node.start_byte)
                raw.append(entry)
            elif capture.startswith("reference."):
                key = (name_node.start_byte, capture)
                if key in seen_refs:
                    continue  # a match spanning two windows comes back twice
                seen_refs.add(key)
                line, column = _position(source, name_node)
                refs.append(Reference(_text(name_node), capture[len("reference.") :], line, column))
    return FileTags(_with_scopes(source, raw, language), tuple(sorted(refs, key=lambda r: (r.line, r.column))))


# `QueryCursor.matches` builds its whole list in one call that holds the GIL (~100 ms for a
# 900 KB C++ file: a stall of the UI thread when the file shown is parsed in the reader), so a
# big file is matched window by window; a match spanning windows comes back in each, deduplicated
# by its name's position.
_MATCH_WINDOW = 48 * 1024


def _matches(cursor: QueryCursor, root: Node, size: int) -> Iterator[tuple[int, dict[str, list[Node]]]]:
    if size <= 2 * _MATCH_WINDOW:
        yield from cursor.matches(root)
        return
    for start in range(0, size, _MATCH_WINDOW):
        cursor.set_byte_range(start, min(size, start + _MATCH_WINDOW))
        yield from cursor.matches(root)


# Python nodes that can hold statements (hence definitions); a walk never enters expressions.
# ERROR nodes too: tree-sitter's recovery can put a whole `def` inside one.
_PY_STATEMENT_HOLDERS = frozenset(
    {"module", "block", "class_definition", "function_definition", "decorated_definition",
     "if_statement", "elif_clause", "else_clause", "for_statement", "while_statement", "try_statement",
     "except_clause", "except_group_clause", "finally_clause", "with_statement", "match_statement",
     "case_clause", "ERROR"}
)


def _python_definitions(source: bytes, root: Node) -> list[_Raw]:
    """What the Python tags query's definition patterns match, by walking statements only:
    classes and functions at any depth, and `NAME = …` at module level."""
    raw: list[_Raw] = []
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind == "class_definition" or kind == "function_definition":
            name = node.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                entry = _whole_definition(source, node, name, "class" if kind == "class_definition" else "function", "python")
                if entry is not None:
                    raw.append(entry)
        elif kind == "expression_statement" and node.parent is not None and node.parent.type == "module":
            for child in node.named_children:
                if child.type == "assignment":
                    left = child.child_by_field_name("left")
                    if left is not None and left.type == "identifier":
                        raw.append(_entry(child, "constant", left))
            continue
        for child in node.named_children:
            if child.type in _PY_STATEMENT_HOLDERS or (kind == "module" and child.type == "expression_statement"):
                stack.append(child)
    return raw


def _text(node: Node) -> str:
    text = (node.text or b"").decode("utf-8", "replace")
    return text[:MAX_NAME_CHARS]


def _position(source: bytes, node: Node) -> tuple[int, int]:
    """1-based line and 0-based character column of a node's start."""
    row, byte_column = node.start_point
    line_start = node.start_byte - byte_column
    prefix = source[line_start : node.start_byte]
    return row + 1, byte_column if prefix.isascii() else len(prefix.decode("utf-8", "replace"))


def _entry(node: Node, kind: str, name_node: Node) -> _Raw:
    end_row = node.end_point.row
    if node.end_point.column == 0 and end_row > node.start_point.row:
        end_row -= 1  # a node ending at a line start ends on the line before
    return (node.start_byte, -node.end_byte, kind, node, name_node, node.start_point.row, end_row)


def _whole_definition(source: bytes, node: Node, name_node: Node, kind: str, language: str) -> _Raw | None:
    """The whole definition a pattern captured, its kind normalised; None when the capture
    is no definition after all (C/C++: a use or a declaration of a type, a local object)."""
    if language in _C_FAMILY:
        if node.type == "ERROR":
            return _struct_in_error(source, node, name_node)
        specifier = name_node.parent
        if (
            specifier is not None
            and specifier.type in _C_TYPE_SPECIFIERS
            and specifier.child_by_field_name("body") is None
        ):
            return None  # `enum ggml_type type`, `class Foo;`: a use or a declaration of the type
    if node.type == "function_declarator":
        top = node
        while top.parent is not None and top.parent.type in _DECLARATOR_WRAPPERS:
            top = top.parent
        parent = top.parent
        if parent is not None and parent.type == "function_definition":
            node = parent
        elif parent is not None and parent.type in _C_DECLARATIONS:
            if _in_function_body(parent):
                return None  # a local object (`Batch batch(ctx, in);`) or a block-scope prototype
            node, kind = parent, "prototype"
    elif language == "python" and node.parent is not None and node.parent.type == "decorated_definition":
        node = node.parent
    elif node.type == "variable_declarator" and node.parent is not None:
        node = node.parent  # `const f = () => …`: the whole declaration
    if node.parent is not None and node.parent.type == "template_declaration":
        node = node.parent  # a C++ template with its `template <…>` line
    return _entry(node, kind, name_node)


def _in_function_body(declaration: Node) -> bool:
    """A C/C++ declaration inside a function body (not at file, namespace or class scope).

    Only a body without a parse error counts: tree-sitter's recovery can read a macro call as
    a function header and the hundreds of lines after it as its body (ggml.h's
    `GGML_DEPRECATED(…)`, libstdc++'s `_GLIBCXX_BEGIN_NAMESPACE_VERSION namespace x {`),
    and the prototypes there are real. (Measured on llama.cpp and /usr/include: any narrower
    test of "recovered" drops real namespace- and class-scope prototypes.)"""
    parent = declaration.parent
    while parent is not None:
        kind = parent.type
        if kind == "compound_statement":
            owner = parent.parent
            return owner is not None and not owner.has_error
        if kind in _C_SCOPES:
            return False
        parent = parent.parent
    return False


def _struct_in_error(source: bytes, error: Node, name_node: Node) -> _Raw | None:
    """`struct NAME {` (union, enum, class) left as tokens in an ERROR node: the definition from
    the keyword to its matching `}` (the header line alone when the brace never closes).
    None when NAME is followed by anything but a body: a use (`struct ggml_tensor * t`)."""
    keyword = name_node.prev_sibling
    if keyword is None or keyword.type not in ("struct", "union", "enum", "class"):
        return None
    ahead = _C_BODY_AHEAD.match(source, name_node.end_byte, name_node.end_byte + _C_BODY_LOOKAHEAD)
    if ahead is None:
        return None
    before = keyword.prev_sibling
    kind = "type" if keyword.type == "enum" or (before is not None and before.type == "enum") else "class"
    start = before if kind == "type" and before is not None and before.type == "enum" else keyword
    depth = 0
    end_byte = -1
    for token in _C_BRACES.finditer(source, ahead.end() - 1):
        brace = token.group()
        if brace == b"{":
            depth += 1
        elif brace == b"}":
            depth -= 1
            if depth == 0:
                end_byte = token.end()
                break
    first_row = start.start_point.row
    if end_byte < 0:
        return (start.start_byte, -name_node.end_byte, kind, error, name_node, first_row, name_node.end_point.row)
    last_row = name_node.end_point.row + source.count(b"\n", name_node.end_byte, end_byte)
    return (start.start_byte, -end_byte, kind, error, name_node, first_row, last_row)


def _qualifier(def_node: Node, name_node: Node, language: str) -> str:
    """A scope written at the definition itself: C++ `A::B::f`, a Go method's receiver type."""
    if language in ("cpp", "cuda"):
        qualified = name_node.parent
        if qualified is not None and qualified.type == "qualified_identifier":
            scope = qualified.child_by_field_name("scope")
            if scope is not None:
                return _text(scope).replace("::", ".").strip(".")
    elif language == "go" and def_node.type == "method_declaration":
        receiver = def_node.child_by_field_name("receiver")
        stack = list(receiver.named_children) if receiver is not None else []
        while stack:
            current = stack.pop(0)
            if current.type == "type_identifier":
                return _text(current)
            stack.extend(current.named_children)
    return ""


def _with_scopes(source: bytes, raw: list[_Raw], language: str) -> tuple[Definition, ...]:
    """Definitions with their enclosing scope, from the nesting of their byte ranges."""
    raw.sort(key=lambda item: (item[0], item[1]))
    stack: list[tuple[int, str, str]] = []  # (end byte, qualified name, kind) of open containers
    result: list[Definition] = []
    for start_byte, negative_end, kind, node, name_node, first_row, last_row in raw:
        while stack and stack[-1][0] <= start_byte:
            stack.pop()
        enclosing = stack[-1] if stack else None
        scope = enclosing[1] if enclosing else ""
        qualifier = _qualifier(node, name_node, language)
        if qualifier:
            scope = f"{scope}.{qualifier}" if scope else qualifier
            if kind == "function":
                kind = "method"
        if kind == "function" and enclosing is not None and enclosing[2] in _CLASS_LIKE:
            kind = "method"
        elif kind == "method" and not qualifier and (enclosing is None or enclosing[2] == "module"):
            kind = "function"  # Rust's query calls every function in a `mod { }` block a method
        name = _text(name_node)
        line, column = _position(source, name_node)
        definition = Definition(name, kind, first_row + 1, last_row + 1, line, column, scope)
        result.append(definition)
        if kind in _CONTAINERS and node.type != "type_definition":  # a typedef names, not contains
            stack.append((-negative_end, definition.qualified, kind))
    return tuple(result)


def enclosing(defs: Sequence[Definition], line: int) -> Definition | None:
    """The innermost definition whose range holds `line` (prototypes and constants included,
    `impl` blocks only when nothing narrower does)."""
    best: Definition | None = None
    for definition in defs:
        if definition.start <= line <= definition.end and (
            best is None
            or (definition.end - definition.start, definition.kind == "impl")
            < (best.end - best.start, best.kind == "impl")
        ):
            best = definition
    return best

"""Themes as data: `themes/*.toml` → a frozen `ThemeSpec` of app colours, syntax and mark styles.

    dark = true
    extends = "dark"               # optional: the theme this one is laid over
    [colors]                       # the app palette (Textual theme colours)
    primary = "#61afef"
    [syntax]                       # tree-sitter capture name → style
    keyword = "bold #c678dd"
    [marks]                        # gutter, marks, cursor, selection, search hits, citations
    selection = "on #264f78"
    [variables]                    # optional Textual theme variables, e.g. "border" = "ansi_blue"

Colours are `#rgb` / `#rrggbb` or one of the 16 terminal colours (`ansi_red`,
`ansi_bright_blue`, `ansi_default`). A style is words: attributes (`bold`, `italic`,
`underline`, `dim`, `reverse`, `strike`, `not bold`…), a colour, and `on <colour>` for the
background. Built-in themes are complete; any other theme is laid over `extends`, else the
built-in of the same name, else `dark`/`light`. Bad values are reported and the base value kept;
an unknown theme name falls back to `dark`. Validation here is plain Python (no Rich).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

import msgspec

from readertui.config import paths
from readertui.config.tomldata import TomlDocument, closest, read_toml, type_name
from readertui.core.errors import ReadertuiError
from readertui.core.model import Problem

COLOR_KEYS = (
    "primary", "secondary", "accent", "background", "surface", "panel",
    "foreground", "success", "warning", "error",
)  # fmt: skip
MARK_KEYS = (
    "bookmark", "cited", "both", "selection", "cursor_line", "search", "citation", "citation_broken",
    "citation_current", "gutter", "gutter_cursor", "truncated",
)  # fmt: skip
# Capture names a theme styles. Highlight queries use finer names (`function.method.call`);
# `syntax_scope` maps those to the closest of these.
SYNTAX_SCOPES = (
    "keyword", "string", "string.escape", "string.special", "comment", "comment.documentation",
    "function", "function.builtin", "function.macro", "type", "type.builtin", "constructor",
    "number", "boolean", "operator", "constant", "constant.builtin", "variable",
    "variable.builtin", "variable.parameter", "property", "attribute", "label", "tag",
    "punctuation", "punctuation.special", "escape", "embedded",
    "heading", "link", "link.label", "code", "strong", "emphasis",
)  # fmt: skip
# Markdown grammars name these differently from the scopes themes use.
SCOPE_ALIASES = {
    "text.title": "heading",
    "markup.heading": "heading",
    "text.uri": "link",
    "markup.link.url": "link",
    "text.reference": "link.label",
    "markup.link.label": "link.label",
    "text.literal": "code",
    "markup.raw": "code",
    "text.strong": "strong",
    "markup.strong": "strong",
    "text.emphasis": "emphasis",
    "markup.italic": "emphasis",
    "delimiter": "punctuation",
}

ANSI_NAMES = (
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright_black", "bright_red", "bright_green", "bright_yellow",
    "bright_blue", "bright_magenta", "bright_cyan", "bright_white",
)  # fmt: skip
ANSI_COLORS = frozenset({f"ansi_{name}" for name in ANSI_NAMES} | {"ansi_default"})
STYLE_ATTRIBUTES = frozenset({"bold", "dim", "italic", "underline", "reverse", "strike", "blink"})
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_VARIABLE_NAME = re.compile(r"[a-z][a-z0-9-]*")
FALLBACK_THEME = "dark"


class ThemeSpec(msgspec.Struct, frozen=True):
    """A theme file, validated: UI colours, syntax styles and mark styles."""
    name: str
    dark: bool
    colors: Mapping[str, str]
    syntax: Mapping[str, str] = msgspec.field(default_factory=dict)
    marks: Mapping[str, str] = msgspec.field(default_factory=dict)
    variables: Mapping[str, str] = msgspec.field(default_factory=dict)

    @property
    def ansi_only(self) -> bool:
        """Whether every colour is a terminal colour (a 16-colour theme)."""
        return all(color in ANSI_COLORS for color in self.all_colors())

    def all_colors(self) -> Iterable[str]:
        yield from self.colors.values()
        yield from self.variables.values()
        for style in (*self.syntax.values(), *self.marks.values()):
            yield from style_colors(style)


def is_color(text: str) -> bool:
    return bool(_HEX.fullmatch(text)) or text in ANSI_COLORS


def color_problem(text: str) -> tuple[str, str | None] | None:
    """None for a valid colour, else (message, suggestion)."""
    if is_color(text):
        return None
    if text in ANSI_NAMES:
        return f"not a colour: {text!r}", f"ansi_{text}"
    suggestion = closest(text, ANSI_COLORS) if not text.startswith("#") else None
    return f"not a colour: {text!r} (use #rrggbb or ansi_<name>)", suggestion


def style_problem(style: str) -> str | None:
    """None for a valid style string, else why it is not."""
    words = style.split()
    index = 0
    foreground = background = False
    while index < len(words):
        word = words[index]
        if word in ("none", "default") and len(words) == 1:
            return None
        if word == "not" and index + 1 < len(words) and words[index + 1] in STYLE_ATTRIBUTES:
            index += 2
            continue
        if word == "on":
            if index + 1 >= len(words) or not is_color(words[index + 1]) or background:
                return "'on' must be followed by one colour"
            background = True
            index += 2
            continue
        if is_color(word):
            if foreground:
                return "more than one foreground colour"
            foreground = True
        elif word not in STYLE_ATTRIBUTES:
            return f"unknown style word {word!r}"
        index += 1
    return None


def style_colors(style: str) -> list[str]:
    return [word for word in style.split() if is_color(word)]


def strip_colors(style: str) -> str:
    """The style's attributes only (`bold #ff0000 on #000` → `bold`), for NO_COLOR."""
    words = style.split()
    kept: list[str] = []
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
        elif word == "on":
            skip_next = True
        elif not is_color(word):
            kept.append(word)
    return " ".join(kept)


def syntax_scope(capture: str, styled: Iterable[str]) -> str | None:
    """The styled scope for a highlight capture: exact, alias, then drop dotted suffixes.

    `function.method.call` → `function.method` → `function`; `text.title` → `heading`.
    """
    available = set(styled)
    name = capture.lstrip("@")
    while name:
        if name in available:
            return name
        alias = SCOPE_ALIASES.get(name)
        if alias is not None and alias in available:
            return alias
        name = name.rpartition(".")[0]
    return None


# Used when NO_COLOR is set: marks and the main syntax classes stay visible without colour.
_MONOCHROME_MARKS = {
    "bookmark": "bold",
    "cited": "bold",
    "both": "bold",
    "selection": "reverse",
    "cursor_line": "underline",  # as a 16-colour terminal's vim draws its cursor line
    "search": "reverse underline",
    "citation": "bold underline",  # still apart from the underlined cursor line
    "citation_broken": "underline strike",
    "citation_current": "reverse bold",
    "gutter": "dim",
    "gutter_cursor": "bold",
    "truncated": "italic",
}
_MONOCHROME_SYNTAX = {
    "keyword": "bold",
    "comment": "italic",
    "heading": "bold",
    "link": "underline",
    "strong": "bold",
    "emphasis": "italic",
}
# Textual's CSS needs these two in a theme of terminal colours; the rest keep borders uncoloured.
ANSI_THEME_VARIABLES = {"ansi-background": "ansi_default", "ansi-foreground": "ansi_default"}
_MONOCHROME_VARIABLES = {**ANSI_THEME_VARIABLES, "border": "ansi_default", "border-blurred": "ansi_default"}


def monochrome(spec: ThemeSpec) -> ThemeSpec:
    """`spec` without colours: the terminal's default colours, attribute-only styles (NO_COLOR)."""
    syntax = {scope: strip_colors(style) or _MONOCHROME_SYNTAX.get(scope, "none") for scope, style in spec.syntax.items()}
    return msgspec.structs.replace(
        spec,
        name=f"{spec.name}-nocolor",
        colors=MappingProxyType(dict.fromkeys(COLOR_KEYS, "ansi_default")),
        syntax=MappingProxyType(syntax),
        marks=MappingProxyType(dict(_MONOCHROME_MARKS)),
        variables=MappingProxyType(dict(_MONOCHROME_VARIABLES)),
    )


def theme_names(user_dir: Path | None = None, builtin_dir: Path | None = None) -> list[str]:
    return paths.data_names("themes", user_dir=user_dir, builtin_dir=builtin_dir)


def load_theme(
    name: str, *, user_dir: Path | None = None, builtin_dir: Path | None = None
) -> tuple[ThemeSpec, list[Problem]]:
    """The theme `name` with its bases applied; falls back to `dark` with a Problem."""
    user_dir = user_dir if user_dir is not None else paths.user_data_dir("themes")
    builtin_dir = builtin_dir if builtin_dir is not None else paths.builtin_data_dir("themes")
    problems: list[Problem] = []
    spec = _load_named(name, user_dir, builtin_dir, problems, seen=set(), allow_user=True)
    if spec is None:
        available = theme_names(user_dir, builtin_dir)
        problems.append(
            Problem(
                file=user_dir / f"{name}.toml",
                key="theme",
                message=f"no usable theme named {name!r} (available: {', '.join(available)}); using {FALLBACK_THEME!r}",
                suggestion=closest(name, available),
            )
        )
        spec = _load_named(FALLBACK_THEME, user_dir, builtin_dir, problems, seen=set(), allow_user=False)
    if spec is None:  # the built-in dark theme itself is missing: a broken install, not user data
        raise ReadertuiError(f"built-in theme {builtin_dir / FALLBACK_THEME}.toml is missing; reinstall readertui")
    return spec, problems


def _load_named(
    name: str, user_dir: Path, builtin_dir: Path, problems: list[Problem], *, seen: set[Path], allow_user: bool
) -> ThemeSpec | None:
    user_file, builtin_file = user_dir / f"{name}.toml", builtin_dir / f"{name}.toml"
    if allow_user and user_file.is_file():
        path, is_user = user_file, True
    elif builtin_file.is_file():
        path, is_user = builtin_file, False
    else:
        return None
    if path in seen:
        return None
    seen.add(path)
    document, read_problems = read_toml(path)
    problems.extend(read_problems)
    if document is None:
        return None
    if not is_user:
        # Built-ins are complete, checked by the tests; they are the ground everything stands on.
        empty = ThemeSpec(name=name, dark=True, colors={})
        return _overlay(empty, document, problems, complete=True)
    base_name = document.data.get("extends")
    if base_name is not None and not isinstance(base_name, str):
        problems.append(document.problem(("extends",), "must be the name of a theme"))
        base_name = None
    if base_name is None:
        dark = document.data.get("dark", True)
        base_name = name if builtin_file.is_file() else ("light" if dark is False else "dark")
    base = _load_named(
        base_name, user_dir, builtin_dir, problems, seen=seen, allow_user=not (base_name == name)
    )
    if base is None:
        problems.append(
            document.problem(
                ("extends",),
                f"no usable theme named {base_name!r} to extend; using {FALLBACK_THEME!r}",
                choices=theme_names(user_dir, builtin_dir),
            )
        )
        base = _load_named(FALLBACK_THEME, user_dir, builtin_dir, problems, seen=set(), allow_user=False)
        if base is None:
            return None
    return _overlay(msgspec.structs.replace(base, name=name), document, problems, complete=False)


def _overlay(base: ThemeSpec, document: TomlDocument, problems: list[Problem], *, complete: bool) -> ThemeSpec:
    """`base` with the document's valid values laid over it; invalid ones become Problems."""
    data = document.data
    dark = base.dark
    for key, value in data.items():
        if key == "dark":
            if isinstance(value, bool):
                dark = value
            else:
                problems.append(document.problem((key,), f"expected true or false, got {type_name(type(value))}"))
        elif key not in ("extends", "description", "colors", "syntax", "marks", "variables"):
            problems.append(
                document.problem(
                    (key,), "unknown key", choices=("dark", "extends", "description", "colors", "syntax", "marks", "variables")
                )
            )
    colors = _table(document, "colors", base.colors, problems, known=COLOR_KEYS, check=color_problem)
    syntax = _table(document, "syntax", base.syntax, problems, known=None, check=_style_check)
    marks = _table(document, "marks", base.marks, problems, known=MARK_KEYS, check=_style_check)
    variables = _table(document, "variables", base.variables, problems, known=None, check=color_problem)
    if complete:
        for table, values, keys in (("colors", colors, COLOR_KEYS), ("marks", marks, MARK_KEYS)):
            for key in keys:
                if key not in values:
                    problems.append(document.problem((table,), f"built-in theme lacks {table}.{key}"))
    return ThemeSpec(
        name=base.name,
        dark=dark,
        colors=MappingProxyType(colors),
        syntax=MappingProxyType(syntax),
        marks=MappingProxyType(marks),
        variables=MappingProxyType(variables),
    )


def _style_check(style: str) -> tuple[str, str | None] | None:
    message = style_problem(style)
    return None if message is None else (f"bad style {style!r}: {message}", None)


def _table(
    document: TomlDocument,
    table: str,
    base: Mapping[str, str],
    problems: list[Problem],
    *,
    known: tuple[str, ...] | None,
    check: Callable[[str], tuple[str, str | None] | None],
) -> dict[str, str]:
    merged = dict(base)
    values = document.data.get(table, {})
    if not isinstance(values, dict):
        problems.append(document.problem((table,), f"expected a table, got {type_name(type(values))}"))
        return merged
    for key, value in values.items():
        path = (table, key)
        if known is not None and key not in known:
            problems.append(document.problem(path, f"unknown {table} key", choices=known))
            continue
        if table == "syntax" and syntax_scope(key, SYNTAX_SCOPES) is None and key not in SCOPE_ALIASES:
            problems.append(document.problem(path, "unknown syntax scope", choices=SYNTAX_SCOPES))
            continue
        if table == "variables" and not _VARIABLE_NAME.fullmatch(key):
            problems.append(document.problem(path, "variable names are lower-case words joined by '-'"))
            continue
        if not isinstance(value, str):
            problems.append(document.problem(path, f"expected a string, got {type_name(type(value))}; base value kept"))
            continue
        error = check(value.strip())
        if error is not None:
            message, suggestion = error
            problems.append(document.problem(path, f"{message}; base value kept", suggestion=suggestion))
            continue
        merged[key] = value.strip()
    return merged

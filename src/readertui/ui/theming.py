"""A config `ThemeSpec` → what the UI draws with: a Textual `Theme` plus Rich styles.

The Textual theme colours the app (borders, footer, pickers); `syntax` and `marks` are Rich
styles the code views apply per highlight capture and per gutter mark. Theme data is the
user's, so a style Rich cannot parse is reported as a Problem and left unstyled, never raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import msgspec
from rich.errors import StyleSyntaxError
from rich.style import Style
from textual.theme import Theme

from readertui.config.theme import ANSI_THEME_VARIABLES, ThemeSpec, monochrome, syntax_scope
from readertui.core.model import Problem

THEME_PREFIX = "readertui-"


class UiTheme(msgspec.Struct, dict=True):
    """A theme ready for the UI: register `textual` with the app, draw with the styles."""

    spec: ThemeSpec
    textual: Theme
    syntax: dict[str, Style]
    marks: dict[str, Style]

    def __post_init__(self) -> None:
        # A plain attribute (`dict=True` gives the instance a __dict__), not a field: the
        # cache is no part of the theme's value, its repr or its equality.
        self._capture_cache: dict[str, Style] = {}

    def style_for(self, capture: str) -> Style:
        """The style of a tree-sitter capture (`function.method.call`), by the closest scope."""
        style = self._capture_cache.get(capture)
        if style is None:
            scope = syntax_scope(capture, self.syntax)
            style = self.syntax[scope] if scope is not None else Style.null()
            self._capture_cache[capture] = style
        return style

    def mark(self, name: str) -> Style:
        return self.marks.get(name, Style.null())


def build_theme(spec: ThemeSpec, *, no_color: bool = False, source: Path | None = None) -> tuple[UiTheme, list[Problem]]:
    """Turn `spec` (monochrome when `no_color`) into a `UiTheme`; bad styles become Problems.

    `source` is the theme file named in problems (the spec has been validated already, so
    these are only styles that pass our checks but not Rich's).
    """
    if no_color:
        spec = monochrome(spec)
    where = source if source is not None else Path(f"themes/{spec.name}.toml")
    problems: list[Problem] = []
    syntax = _rich_styles(spec.syntax, "syntax", where, problems)
    marks = _rich_styles(spec.marks, "marks", where, problems)
    colors = dict(spec.colors)
    variables = dict(spec.variables)
    if spec.ansi_only:
        variables = {**ANSI_THEME_VARIABLES, **variables}
    textual_theme = Theme(
        name=THEME_PREFIX + spec.name,
        primary=colors["primary"],
        secondary=colors.get("secondary"),
        accent=colors.get("accent"),
        background=colors.get("background"),
        surface=colors.get("surface"),
        panel=colors.get("panel"),
        foreground=colors.get("foreground"),
        success=colors.get("success"),
        warning=colors.get("warning"),
        error=colors.get("error"),
        dark=spec.dark,
        variables=variables,
        ansi=spec.ansi_only,
    )
    return UiTheme(spec=spec, textual=textual_theme, syntax=syntax, marks=marks), problems


def rich_style(text: str) -> Style:
    """Parse one theme style string; `ansi_red` is Rich's `red`, `#abc` its `#aabbcc`.

    Raises StyleSyntaxError.
    """
    words = [_rich_color(word) for word in text.split()]
    return Style.parse(" ".join(words) or "none")


def _rich_color(word: str) -> str:
    if word == "ansi_default":
        return "default"
    if len(word) == 4 and word.startswith("#"):  # Rich reads only #rrggbb
        return "#" + "".join(digit * 2 for digit in word[1:])
    return word.removeprefix("ansi_")


def _rich_styles(styles: Mapping[str, str], table: str, where: Path, problems: list[Problem]) -> dict[str, Style]:
    parsed: dict[str, Style] = {}
    for name, text in styles.items():
        try:
            parsed[name] = rich_style(text)
        except StyleSyntaxError as error:
            problems.append(Problem(file=where, key=f"{table}.{name}", message=f"bad style {text!r}: {error}"))
    return parsed

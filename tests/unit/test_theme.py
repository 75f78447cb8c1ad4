"""Themes: complete built-ins, user themes laid over them, bad values reported, NO_COLOR."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rich.style import Style

from readertui.config import paths
from readertui.config.theme import (
    ANSI_COLORS,
    COLOR_KEYS,
    MARK_KEYS,
    SYNTAX_SCOPES,
    ThemeSpec,
    is_color,
    load_theme,
    monochrome,
    style_colors,
    style_problem,
    syntax_scope,
)
from readertui.ui.theming import build_theme, rich_style

BUILTIN = paths.builtin_data_dir("themes")
BUILTIN_NAMES = ("dark", "light", "ansi16")


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "themes"
    folder.mkdir()
    return folder


def load(name: str, user_dir: Path):
    return load_theme(name, user_dir=user_dir, builtin_dir=BUILTIN)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_themes_are_complete_and_clean(name, user_dir):
    spec, problems = load(name, user_dir)
    assert problems == []
    assert spec.name == name
    assert set(spec.colors) == set(COLOR_KEYS)
    assert set(spec.marks) == set(MARK_KEYS)
    assert set(spec.syntax) == set(SYNTAX_SCOPES)
    ui_theme, ui_problems = build_theme(spec)
    assert ui_problems == []
    assert set(ui_theme.syntax) == set(SYNTAX_SCOPES)


def test_light_is_light_and_only_ansi16_is_ansi_only(user_dir):
    specs = {name: load(name, user_dir)[0] for name in BUILTIN_NAMES}
    assert specs["dark"].dark and not specs["light"].dark
    assert specs["ansi16"].ansi_only
    assert all(color in ANSI_COLORS for color in specs["ansi16"].all_colors())
    assert not specs["dark"].ansi_only and not specs["light"].ansi_only


def test_ansi16_becomes_a_native_ansi_textual_theme(user_dir):
    ui_theme, _ = build_theme(load("ansi16", user_dir)[0])
    assert ui_theme.textual.ansi is True
    assert ui_theme.textual.name == "readertui-ansi16"
    assert ui_theme.textual.variables["ansi-background"] == "ansi_default"
    assert ui_theme.syntax["string"] == Style(color="green")


def test_user_theme_extends_a_builtin(user_dir):
    write(user_dir, "mine", 'extends = "light"\n[colors]\nprimary = "#ff0000"\n[syntax]\nkeyword = "bold #00ff00"\n')
    spec, problems = load("mine", user_dir)
    assert problems == []
    assert spec.name == "mine" and spec.dark is False
    assert spec.colors["primary"] == "#ff0000"
    assert spec.colors["background"] == load("light", user_dir)[0].colors["background"]
    assert spec.syntax["keyword"] == "bold #00ff00"


def test_user_file_named_like_a_builtin_is_laid_over_it(user_dir):
    write(user_dir, "dark", '[marks]\nselection = "reverse"\n')
    spec, problems = load("dark", user_dir)
    assert problems == [] and spec.marks["selection"] == "reverse"
    assert spec.colors["background"] == "#282c34"


def test_user_theme_without_base_follows_its_dark_flag(user_dir):
    write(user_dir, "paper", "dark = false\n")
    assert load("paper", user_dir)[0].colors == load("light", user_dir)[0].colors


def test_bad_values_are_reported_with_line_and_suggestion(user_dir):
    path = write(
        user_dir,
        "mine",
        "\n".join(
            [
                'extends = "dark"',
                "[colors]",
                'primary = "#12345"',  # 3
                'secondary = "red"',  # 4
                'primery = "#ffffff"',  # 5
                "accent = 7",  # 6
                "[syntax]",
                'kyword = "bold"',  # 8
                'string = "bold purple"',  # 9
                '"function.method" = "italic"',  # 10: a finer capture name is fine
                "[marks]",
                'selection = "on"',  # 12
                "[extra]",  # 13
            ]
        )
        + "\n",
    )
    spec, problems = load("mine", user_dir)
    found = {problem.key: problem for problem in problems}
    assert {key: found[key].line for key in found} == {
        "colors.primary": 3,
        "colors.secondary": 4,
        "colors.primery": 5,
        "colors.accent": 6,
        "syntax.kyword": 8,
        "syntax.string": 9,
        "marks.selection": 12,
        "extra": 13,
    }
    assert found["colors.secondary"].suggestion == "ansi_red"
    assert found["colors.primery"].suggestion == "primary"
    assert found["syntax.kyword"].suggestion == "keyword"
    assert all(problem.file == path for problem in problems)
    dark = load("dark", user_dir)[0]
    assert spec.colors["primary"] == dark.colors["primary"]  # base value kept
    assert spec.syntax["string"] == dark.syntax["string"]
    assert spec.syntax["function.method"] == "italic"


def test_unknown_or_broken_theme_falls_back_to_dark(user_dir):
    spec, problems = load("drak", user_dir)
    assert spec.name == "dark" and problems[0].suggestion == "dark"
    path = write(user_dir, "mine", 'dark = true\n[colors\nprimary = "#fff"\n')
    spec, problems = load("mine", user_dir)
    assert spec.name == "dark"
    assert (problems[0].file, problems[0].line) == (path, 2)


def test_extends_a_missing_theme_uses_dark(user_dir):
    path = write(user_dir, "mine", 'extends = "solarized"\n[colors]\nprimary = "#ffffff"\n')
    spec, problems = load("mine", user_dir)
    assert spec.colors["primary"] == "#ffffff" and spec.colors["background"] == "#282c34"
    assert (problems[0].file, problems[0].key, problems[0].line) == (path, "extends", 1)


def test_syntax_scope_falls_back_through_dotted_names_and_aliases():
    styled = {"function", "keyword", "heading", "link"}
    assert syntax_scope("function.method.call", styled) == "function"
    assert syntax_scope("@keyword", styled) == "keyword"
    assert syntax_scope("text.title", styled) == "heading"
    assert syntax_scope("text.uri", styled) == "link"
    assert syntax_scope("variable", styled) is None


def test_style_and_color_validation():
    assert is_color("#abc") and is_color("#A0B1C2") and is_color("ansi_bright_black")
    assert not is_color("#abcd") and not is_color("red") and not is_color("ansi_purple")
    assert style_problem("bold italic #fff on ansi_blue") is None
    assert style_problem("not bold") is None and style_problem("none") is None
    assert style_problem("bold on") is not None
    assert style_problem("#fff #000") is not None
    assert style_problem("blod") is not None
    assert style_colors("bold #fff on ansi_blue") == ["#fff", "ansi_blue"]


def test_rich_styles_map_terminal_colours():
    assert rich_style("bold ansi_bright_red on ansi_default") == Style(bold=True, color="bright_red", bgcolor="default")
    assert rich_style("none") == Style.null()


def test_style_rich_rejects_is_a_problem_not_a_crash():
    spec = ThemeSpec(name="odd", dark=True, colors={"primary": "#ffffff"}, syntax={"keyword": "bold on"})
    ui_theme, problems = build_theme(spec)
    assert [problem.key for problem in problems] == ["syntax.keyword"]
    assert ui_theme.style_for("keyword") == Style.null()


def test_no_color_gives_a_monochrome_theme(user_dir):
    spec = load("dark", user_dir)[0]
    mono = monochrome(spec)
    assert all(color == "ansi_default" for color in mono.colors.values())
    assert all(not style_colors(style) for style in (*mono.syntax.values(), *mono.marks.values()))
    assert mono.syntax["keyword"] == "bold" and mono.syntax["comment"] == "italic"
    assert mono.marks["selection"] == "reverse"
    ui_theme, problems = build_theme(spec, no_color=True)
    assert problems == []
    assert ui_theme.textual.ansi is True
    assert all(style.color is None and style.bgcolor is None for style in (*ui_theme.syntax.values(), *ui_theme.marks.values()))


def test_style_for_caches_and_falls_back(user_dir):
    ui_theme, _ = build_theme(load("dark", user_dir)[0])
    assert ui_theme.style_for("function.method.call") == ui_theme.syntax["function"]
    assert ui_theme.style_for("text.title") == ui_theme.syntax["heading"]
    assert ui_theme.style_for("no.such.capture") == Style.null()
    assert ui_theme.mark("cited") == ui_theme.marks["cited"]


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_theme_files_never_raise(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("themes")
    (folder / "x.toml").write_text(text, encoding="utf-8")
    spec, _ = load_theme("x", user_dir=folder, builtin_dir=BUILTIN)
    _, _ = build_theme(spec)


_WORDS = st.sampled_from(
    ["bold", "dim", "italic", "underline", "reverse", "strike", "blink", "not", "on", "none", "default",
     "#fff", "#a0b1c2", "ansi_red", "ansi_bright_black", "ansi_default", "red", "#12"]
)  # fmt: skip


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(_WORDS, max_size=5).map(" ".join))
def test_every_style_we_accept_rich_accepts(style):
    if style_problem(style) is None:
        rich_style(style)


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["colors", "syntax", "marks", "variables", "dark", "zz"]),
                    st.dictionaries(st.sampled_from([*COLOR_KEYS, *MARK_KEYS, "keyword", "border", "x"]),
                                    st.one_of(st.text(max_size=12), st.integers(), _WORDS), max_size=4)
                    | st.booleans() | st.text(max_size=5))
)  # fmt: skip
def test_structured_theme_files_never_raise(tmp_path_factory, data):
    import tomli_w

    folder = tmp_path_factory.mktemp("themes")
    (folder / "x.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    spec, _ = load_theme("x", user_dir=folder, builtin_dir=BUILTIN)
    build_theme(spec)

"""Settings, paths and the TOML helpers: defaults, overrides, and bad files reported, never raised."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from readertui.config import paths
from readertui.config.settings import Settings, load_settings
from readertui.config.tomldata import key_line, read_toml

REPO_ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- paths -----------------------------------------------------------------------------------


def test_config_and_state_dirs_follow_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert paths.config_dir() == tmp_path / "cfg" / "readertui"
    assert paths.state_dir() == tmp_path / "state" / "readertui"
    assert paths.cache_dir() == tmp_path / "cache" / "readertui"
    assert paths.config_file() == tmp_path / "cfg" / "readertui" / "config.toml"
    assert paths.user_data_dir("themes") == tmp_path / "cfg" / "readertui" / "themes"


def test_env_overrides_win_over_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("READERTUI_CONFIG_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("READERTUI_STATE_DIR", str(tmp_path / "s"))
    monkeypatch.setenv("READERTUI_CACHE_DIR", str(tmp_path / "k"))
    assert paths.config_dir() == tmp_path / "c"
    assert paths.state_dir() == tmp_path / "s"
    assert paths.cache_dir() == tmp_path / "k"
    assert paths.user_data_dir("keymaps") == tmp_path / "c" / "keymaps"


def test_builtin_data_found_in_the_source_checkout():
    assert paths.builtin_data_dir("keymaps") == REPO_ROOT / "keymaps"
    assert paths.builtin_data_dir("themes") == REPO_ROOT / "themes"
    assert {"default", "vim", "emacs"} <= set(paths.data_names("keymaps"))
    assert {"dark", "light", "ansi16"} <= set(paths.data_names("themes"))


def test_builtin_data_prefers_the_installed_package_copy(tmp_path, monkeypatch):
    # The wheel puts the data at readertui/_data/ (hatch force-include in pyproject.toml).
    package = tmp_path / "site-packages" / "readertui"
    (package / "_data" / "themes").mkdir(parents=True)
    monkeypatch.setattr(paths, "__file__", str(package / "config" / "paths.py"))
    assert paths.builtin_data_dir("themes") == package / "_data" / "themes"


def test_wheel_ships_the_data_files():
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert '"keymaps" = "readertui/_data/keymaps"' in pyproject
    assert '"themes" = "readertui/_data/themes"' in pyproject


def test_user_names_are_listed_beside_builtins(tmp_path, monkeypatch):
    monkeypatch.setenv("READERTUI_CONFIG_DIR", str(tmp_path))
    write(tmp_path / "themes" / "mine.toml", "")
    assert "mine" in paths.data_names("themes")


def test_config_package_never_imports_textual_or_rich():
    code = (
        "import sys, readertui.config.paths, readertui.config.settings, readertui.config.keymap, "
        "readertui.config.theme; bad = {'textual', 'rich'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- settings --------------------------------------------------------------------------------


def test_missing_file_gives_complete_defaults(tmp_path):
    settings, problems = load_settings(tmp_path / "config.toml", environ={})
    assert settings == Settings()
    assert (settings.theme, settings.keymap, settings.tab_width, settings.editor) == ("dark", "default", 4, None)
    assert problems == []


def test_default_location_is_the_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("READERTUI_CONFIG_DIR", str(tmp_path))
    write(tmp_path / "config.toml", 'theme = "light"\n')
    assert load_settings(environ={})[0].theme == "light"


def test_user_values_are_laid_over_defaults(tmp_path):
    path = write(
        tmp_path / "config.toml",
        'theme = "ansi16"\nkeymap = "vim"\nshow_tree = false\neditor = "nvim -u NONE"\ntab_width = 8\n',
    )
    settings, problems = load_settings(path, environ={})
    assert problems == []
    assert settings == Settings(theme="ansi16", keymap="vim", show_tree=False, editor="nvim -u NONE", tab_width=8)


def test_unknown_key_is_reported_with_line_and_suggestion(tmp_path):
    path = write(tmp_path / "config.toml", '# mine\n\nthem = "light"\ntab_width = 2\n')
    settings, problems = load_settings(path, environ={})
    assert settings.theme == "dark" and settings.tab_width == 2
    [problem] = problems
    assert (problem.file, problem.key, problem.line, problem.suggestion) == (path, "them", 3, "theme")
    assert "unknown setting" in problem.message
    assert str(problem) == f"{path}:3: them: unknown setting (did you mean 'theme'?)"


def test_wrong_types_keep_the_default(tmp_path):
    path = write(tmp_path / "config.toml", 'tab_width = "8"\nshow_notes = 1\nmax_file_bytes = true\n')
    settings, problems = load_settings(path, environ={})
    assert settings == Settings()
    assert [(p.key, p.line) for p in problems] == [("tab_width", 1), ("show_notes", 2), ("max_file_bytes", 3)]
    assert problems[0].message == "expected an integer, got a string; default kept"


def test_out_of_range_values_keep_the_default(tmp_path):
    path = write(tmp_path / "config.toml", 'tab_width = 0\neditor = "  "\ntheme = ""\n')
    settings, problems = load_settings(path, environ={})
    assert settings == Settings()
    assert [(p.key, p.line) for p in problems] == [("tab_width", 1), ("editor", 2), ("theme", 3)]
    assert "between 1 and 16" in problems[0].message


def test_an_unknown_keymap_or_theme_is_reported_at_its_line_of_config_toml(tmp_path, monkeypatch):
    """Not against `keymaps/vimm.toml`, a file that does not exist: the mistake is in config.toml."""
    from readertui.config.keymap import load_keymap
    from readertui.config.theme import load_theme
    from readertui.ui.bindings import KEY_SLOTS

    monkeypatch.setenv("READERTUI_CONFIG_DIR", str(tmp_path))
    path = write(tmp_path / "config.toml", '# mine\nkeymap = "vimm"\ntheme = "nope"\n')
    settings, problems = load_settings(path, environ={})
    assert (settings.keymap, settings.theme) == ("default", "dark")
    assert [(p.file, p.key, p.line) for p in problems] == [(path, "keymap", 2), (path, "theme", 3)]
    assert str(problems[0]) == (
        f"{path}:2: keymap: no keymap named 'vimm' (available: default, emacs, vim); default kept (did you mean 'vim'?)"
    )
    assert load_keymap(settings.keymap, KEY_SLOTS)[1] == [] and load_theme(settings.theme)[1] == []  # said once
    write(tmp_path / "keymaps" / "vimm.toml", 'extends = "vim"\n')  # the user's own is a name too
    assert load_settings(path, environ={})[0].keymap == "vimm"


def test_nested_unknown_table_names_its_line(tmp_path):
    path = write(tmp_path / "config.toml", 'theme = "dark"\n\n[ui]\nshow_tree = false\n')
    settings, problems = load_settings(path, environ={})
    assert settings.show_tree is True
    assert [(p.key, p.line) for p in problems] == [("ui", 3)]


def test_syntax_error_reports_the_line_and_keeps_defaults(tmp_path):
    path = write(tmp_path / "config.toml", 'theme = "light"\ntab_width = = 3\n')
    settings, problems = load_settings(path, environ={})
    assert settings == Settings()
    [problem] = problems
    assert problem.line == 2 and problem.message.startswith("invalid TOML")


def test_binary_and_unreadable_files_are_problems(tmp_path):
    binary = tmp_path / "config.toml"
    binary.write_bytes(b"theme = \xff\xfe\n")
    assert load_settings(binary, environ={})[1][0].message == "not valid UTF-8 text"
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    settings, problems = load_settings(folder, environ={})
    assert settings == Settings() and "cannot read" in problems[0].message


def test_no_color_env_is_honoured(tmp_path):
    path = tmp_path / "config.toml"
    assert load_settings(path, environ={"NO_COLOR": "1"})[0].no_color is True
    assert load_settings(path, environ={"NO_COLOR": ""})[0].no_color is False  # no-color.org: non-empty
    assert load_settings(path, environ={})[0].no_color is False
    write(path, "no_color = true\n")
    assert load_settings(path, environ={})[0].no_color is True


def test_no_color_from_the_real_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "yes")
    assert load_settings(tmp_path / "config.toml")[0].no_color is True


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_settings_never_raise_on_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_bytes(data)
    settings, problems = load_settings(path, environ={})
    assert isinstance(settings, Settings)
    assert all(problem.file == path for problem in problems)


# --- locating keys ---------------------------------------------------------------------------


def test_key_line_finds_tables_dotted_and_quoted_keys():
    text = 'a = 1\n[view]\n"cursor.up" = "k"\ndown = "j"\n\n[colors]\nprimary = "#fff"\nx.y = 2\n'
    assert key_line(text, ("a",)) == 1
    assert key_line(text, ("view", "cursor.up")) == 3
    assert key_line(text, ("view", "down")) == 4
    assert key_line(text, ("colors", "primary")) == 7
    assert key_line(text, ("colors", "x", "y")) == 8
    assert key_line(text, ("colors",)) == 6
    assert key_line(text, ("view", "missing")) == 2  # falls back to the table header
    assert key_line(text, ("nowhere",)) is None


def test_read_toml_keeps_text_for_problem_lines(tmp_path):
    path = write(tmp_path / "x.toml", "[t]\nk = 1\n")
    document, problems = read_toml(path)
    assert problems == [] and document is not None
    problem = document.problem(("t", "kk"), "unknown", choices=["k", "key"])
    assert (problem.key, problem.line, problem.suggestion) == ("t.kk", 1, "k")

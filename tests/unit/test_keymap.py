"""Keymaps: built-ins match the registry, user files override/extend, bad files are reported."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from textual.keys import Keys, _character_to_key

from readertui.config import paths
from readertui.config.keymap import (
    NAMED_KEYS,
    SCOPES,
    character_key_name,
    find_conflicts,
    load_keymap,
    parse_key,
    read_layer,
    split_keys,
)
from readertui.ui.bindings import KEY_SLOTS, REGISTRY, REGISTRY_IDS, bindings_for

BUILTIN = paths.builtin_data_dir("keymaps")


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "keymaps"
    folder.mkdir()
    return folder


def load(name: str, user_dir: Path):
    return load_keymap(name, KEY_SLOTS, user_dir=user_dir, builtin_dir=BUILTIN)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def ids_in(path: Path) -> dict[str, str]:
    data = tomllib.loads(path.read_text())
    return {binding_id: keys for scope in SCOPES for binding_id, keys in data.get(scope, {}).items()}


# --- the registry and the built-in keymaps ---------------------------------------------------


def test_default_keymap_names_exactly_the_registered_ids():
    entries = ids_in(BUILTIN / "default.toml")
    assert set(entries) == REGISTRY_IDS
    assert len(entries) == len(REGISTRY)  # no id twice across tables


def test_default_keymap_matches_the_registry_defaults_and_tables():
    data = tomllib.loads((BUILTIN / "default.toml").read_text())
    for spec in REGISTRY:
        assert data[spec.scope][spec.id] == spec.default_keys, spec.id


@pytest.mark.parametrize("name", ["vim", "emacs"])
def test_other_builtin_keymaps_name_only_registered_ids(name):
    entries = ids_in(BUILTIN / f"{name}.toml")
    assert entries and set(entries) <= REGISTRY_IDS


@pytest.mark.parametrize("name", ["default", "vim", "emacs"])
def test_builtin_keymaps_load_cleanly_and_completely(name, user_dir):
    keymap, problems = load(name, user_dir)
    assert problems == []
    assert set(keymap) == REGISTRY_IDS
    assert all(keymap.values())


def test_registry_defaults_have_no_conflicts_and_every_binding_has_an_id():
    defaults = {spec.id: spec.default_keys for spec in REGISTRY}
    assert find_conflicts(defaults, KEY_SLOTS) == []
    assert len(REGISTRY_IDS) == len(REGISTRY)
    for scope in SCOPES:
        assert all(binding.id for binding in bindings_for(scope))
    # Widgets implement action_<id>; only the dialogs' actions take arguments, and the app's
    # own actions name the app.
    for spec in REGISTRY:
        if spec.scope not in ("picker", "bookmarks", "prompt"):
            assert spec.action in (spec.id, f"app.{spec.id}")


def test_vim_and_emacs_keys():
    vim, _ = load_keymap("vim", KEY_SLOTS, builtin_dir=BUILTIN)
    assert vim["cursor_down"] == "j,down" and vim["go_top"] == "g,home" and vim["go_bottom"] == "G,end"
    assert vim["search"] == "slash" and vim["goto_line"] == "colon"
    assert vim["history_back"].startswith("ctrl+o") and "tab" in split_keys(vim["history_forward"])
    emacs, _ = load_keymap("emacs", KEY_SLOTS, builtin_dir=BUILTIN)
    assert emacs["cursor_down"] == "ctrl+n,down" and emacs["search"] == "ctrl+s" and emacs["goto_line"] == "alt+g"
    assert emacs["find_file"] != "ctrl+p"  # freed for cursor_up


def test_key_names_agree_with_textual():
    for character in string.punctuation + string.ascii_letters + string.digits:
        assert character_key_name(character) == _character_to_key(character), character
    assert NAMED_KEYS <= {key.value for key in Keys}


# --- user keymaps ----------------------------------------------------------------------------


def test_user_file_with_a_builtin_name_is_laid_over_it(user_dir):
    write(user_dir, "vim", '[view]\ncursor_down = "ctrl+j"\n')
    keymap, problems = load("vim", user_dir)
    assert problems == []
    assert keymap["cursor_down"] == "ctrl+j"
    assert keymap["cursor_up"] == "k,up"  # from the built-in vim
    assert keymap["quit"] == "q,ctrl+q"  # from the registry defaults


def test_user_keymap_extends_another(user_dir):
    write(user_dir, "mine", 'extends = "emacs"\n[source]\ntoggle_bookmark = ["ctrl+space", "M"]\n')
    keymap, problems = load("mine", user_dir)
    assert problems == []
    assert keymap["toggle_bookmark"] == "ctrl+space,M"
    assert keymap["search"] == "ctrl+s"


def test_user_file_extending_its_own_name_gets_the_builtin(user_dir):
    write(user_dir, "emacs", 'extends = "emacs"\n[app]\nquit = "ctrl+x"\n')
    keymap, problems = load("emacs", user_dir)
    assert problems == [] and keymap["quit"] == "ctrl+x" and keymap["search"] == "ctrl+s"


def test_user_keymap_without_a_base_lays_over_the_defaults(user_dir):
    write(user_dir, "mine", '[app]\nquit = "ctrl+x"\n')
    keymap, problems = load("mine", user_dir)
    assert problems == [] and keymap["quit"] == "ctrl+x" and keymap["cursor_down"] == "down"


def test_unknown_id_is_reported_with_line_and_suggestion(user_dir):
    path = write(user_dir, "mine", '[view]\ncursor_down = "j"\ncursr_up = "k"\n')
    keymap, problems = load("mine", user_dir)
    assert keymap["cursor_down"] == "j" and keymap["cursor_up"] == "up"
    [problem] = problems
    assert (problem.file, problem.key, problem.line, problem.suggestion) == (path, "view.cursr_up", 3, "cursor_up")


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [
        ("pgdn", "pagedown"),
        ("ctrl+shft+x", "shift"),
        ("ctrl+?", "ctrl+question_mark"),
        ("ctrl+A", "ctrl+shift+a"),
        ("Enter", "enter"),
        ("ctrl++", "ctrl+plus"),
    ],
)
def test_bad_key_strings_are_reported_with_a_correction(user_dir, written, suggestion):
    path = write(user_dir, "mine", f'[source]\n\ncopy_citation = "{written},y"\n')
    keymap, problems = load("mine", user_dir)
    assert keymap["copy_citation"] == "y"  # the good key is kept
    [problem] = problems
    assert (problem.file, problem.key, problem.line) == (path, "source.copy_citation", 3)
    assert problem.suggestion == suggestion


def test_conflicting_keys_in_one_pane_are_reported(user_dir):
    path = write(user_dir, "mine", '[source]\ntoggle_bookmark = "y"\n')
    _, problems = load("mine", user_dir)
    [problem] = problems
    assert (problem.file, problem.key, problem.line) == (path, "source.toggle_bookmark", 2)
    assert "copy_citation" in problem.message


def test_app_keys_conflict_with_pane_keys_but_panes_do_not_conflict(user_dir):
    write(user_dir, "a", '[view]\nsearch = "n"\n')  # shadows switch_note (app) in both panes
    assert "switch_note" in load("a", user_dir)[1][0].message
    write(user_dir, "b", '[notes]\nnext_citation = "m"\n')  # toggle_bookmark is source-only
    assert load("b", user_dir)[1] == []


def test_wrong_value_types_and_tables(user_dir):
    path = write(user_dir, "mine", 'extends = 3\nkeys = "x"\n[view]\ncursor_up = 5\n[app]\ncursor_down = "j"\n')
    keymap, problems = load("mine", user_dir)
    by_key = {problem.key: problem for problem in problems}
    assert by_key["extends"].line == 1
    assert by_key["keys"].line == 2
    assert by_key["view.cursor_up"].line == 4 and "got an integer" in by_key["view.cursor_up"].message
    assert by_key["app.cursor_down"].suggestion == "view.cursor_down"
    assert keymap["cursor_up"] == "up" and keymap["cursor_down"] == "j"  # misplaced but applied
    assert all(problem.file == path for problem in problems)


def test_unknown_keymap_and_unknown_base_fall_back_to_defaults(user_dir):
    keymap, problems = load("vimm", user_dir)
    assert keymap["cursor_down"] == "down"
    assert problems[0].suggestion == "vim" and "no keymap named 'vimm'" in problems[0].message
    path = write(user_dir, "mine", 'extends = "emac"\n')
    keymap, problems = load("mine", user_dir)
    assert (problems[0].file, problems[0].line, problems[0].suggestion) == (path, 1, "emacs")


def test_extends_cycle_is_reported_not_followed_forever(user_dir):
    write(user_dir, "a", 'extends = "b"\n[app]\nquit = "ctrl+x"\n')
    path_b = write(user_dir, "b", 'extends = "a"\n')
    keymap, problems = load("a", user_dir)
    assert keymap["quit"] == "ctrl+x"
    assert [(p.file, p.key) for p in problems] == [(path_b, "extends")]


def test_syntax_error_reports_line_and_keeps_defaults(user_dir):
    write(user_dir, "mine", '[view]\ncursor_up = "k"\ncursor_down = \n')
    keymap, problems = load("mine", user_dir)
    assert keymap["cursor_up"] == "up"
    assert problems[0].line == 3 and "invalid TOML" in problems[0].message


def test_parse_key_normalizes_like_textual():
    assert parse_key("?") == ("question_mark", None)
    assert parse_key(" ctrl+f ") == ("ctrl+f", None)
    assert parse_key("alt+left_square_bracket") == ("alt+left_square_bracket", None)
    assert parse_key("G") == ("G", None)
    assert parse_key("")[1] is not None


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_parse_key_never_raises(text):
    normalized, error = parse_key(text)
    assert (normalized is None) != (error is None)


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_keymap_files_never_raise(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("km") / "x.toml"
    path.write_text(text, encoding="utf-8")
    layer, problems = read_layer(path, KEY_SLOTS, is_user=True)
    assert layer is not None or problems

"""Every key the built-in keymaps bind arrives inside tmux.

tmux re-encodes each key for the program in a pane. `tmux_bytes` models what tmux 3.x sends
with its default options (`extended-keys off`, `xterm-keys on`, prefix `ctrl+b`), following
its input-keys table; the bytes are then read by Textual's own terminal parser, as the reader
would read them. A key survives when the parser gives back that very key.

What does not survive, and why:
- modified function keys (`shift+f3` is `ESC[1;2R`, which Textual reads as a cursor-position
  report; whether others come through depends on the terminal and Textual's table),
- alt with punctuation (`alt+comma` is `ESC ,`: Textual reads a bare comma),
- ctrl with anything but a letter or `[ \\ ] ^ _ space` (no control byte exists for it without
  extended keys), ctrl+shift+letter (the shift is lost), shift+enter / shift+space,
- `ctrl+b`: tmux's prefix, which tmux keeps for itself,
- ctrl+h / ctrl+i / ctrl+m / ctrl+[ arrive as backspace / tab / enter / escape (documented
  aliases: bind those names instead).
"""

from __future__ import annotations

import pytest
from textual._xterm_parser import XTermParser
from textual.keys import _character_to_key, _get_key_aliases

from readertui.config.keymap import load_keymap, split_keys
from readertui.ui.bindings import KEY_SLOTS

ESC = "\x1b"
TMUX_PREFIX = "ctrl+b"
# Unmodified keys: what tmux's input-keys table sends (cursor keys in normal mode).
PLAIN = {
    "up": ESC + "[A", "down": ESC + "[B", "right": ESC + "[C", "left": ESC + "[D",
    "home": ESC + "[1~", "end": ESC + "[4~", "insert": ESC + "[2~", "delete": ESC + "[3~",
    "pageup": ESC + "[5~", "pagedown": ESC + "[6~",
    "f1": ESC + "OP", "f2": ESC + "OQ", "f3": ESC + "OR", "f4": ESC + "OS",
    "f5": ESC + "[15~", "f6": ESC + "[17~", "f7": ESC + "[18~", "f8": ESC + "[19~",
    "f9": ESC + "[20~", "f10": ESC + "[21~", "f11": ESC + "[23~", "f12": ESC + "[24~",
    "enter": "\r", "tab": "\t", "escape": ESC, "backspace": "\x7f", "space": " ",
}  # fmt: skip
# With a modifier, xterm-keys on: `ESC [ 1 ; m X` for cursor keys and f1-f4, `ESC [ n ; m ~`
# for the tilde keys; m = 1 + shift + 2·alt + 4·ctrl.
CURSORS = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F",
           "f1": "P", "f2": "Q", "f3": "R", "f4": "S"}  # fmt: skip
TILDES = {"insert": 2, "delete": 3, "pageup": 5, "pagedown": 6, "f5": 15, "f6": 17, "f7": 18,
          "f8": 19, "f9": 20, "f10": 21, "f11": 23, "f12": 24}  # fmt: skip
CONTROL_PUNCTUATION = {"left_square_bracket": "\x1b", "backslash": "\x1c", "right_square_bracket": "\x1d",
                       "circumflex_accent": "\x1e", "underscore": "\x1f", "space": "\x00"}  # fmt: skip
CHARACTERS = {_character_to_key(chr(code)): chr(code) for code in range(0x21, 0x7F)}


def tmux_bytes(key: str) -> str | None:
    """What tmux writes to the pane for `key` (a Textual key name); None if it never does."""
    *mods, base = key.split("+")
    if base == "" and key.endswith("+"):  # "ctrl++" is not a name we use
        return None
    shift, alt, ctrl = "shift" in mods, "alt" in mods, "ctrl" in mods
    if key == TMUX_PREFIX:
        return None
    if base in CHARACTERS or base in PLAIN and base in ("space",):
        char = CHARACTERS.get(base, " ")
        if shift:
            if not char.isalpha():
                return None  # shift+<punctuation> is another character, named as such
            char = char.upper()
        if ctrl:
            if char.isalpha() and char.isascii():
                char = chr(ord(char.lower()) & 0x1F)  # shift is lost here
            elif base in CONTROL_PUNCTUATION:
                char = CONTROL_PUNCTUATION[base]
            else:
                return None
        return (ESC if alt else "") + char
    if base not in PLAIN:
        return None
    if not (shift or alt or ctrl):
        return PLAIN[base]
    if base == "tab" and shift and not (alt or ctrl):
        return ESC + "[Z"
    modifier = 1 + shift + 2 * alt + 4 * ctrl
    if base in CURSORS:
        return f"{ESC}[1;{modifier}{CURSORS[base]}"
    if base in TILDES:
        return f"{ESC}[{TILDES[base]};{modifier}~"
    if alt and not (shift or ctrl):
        return ESC + PLAIN[base]  # alt+enter, alt+escape...
    return None  # shift/ctrl+enter, +escape, +backspace: no distinct bytes


def read_back(data: str) -> list[str]:
    parser = XTermParser()
    events = [*parser.feed(data), *parser.feed("")]
    return [getattr(event, "key", type(event).__name__) for event in events]


def survives(key: str) -> bool:
    data = tmux_bytes(key)
    if data is None:
        return False
    got = read_back(data)
    return len(got) == 1 and (got[0] == key or key in _get_key_aliases(got[0]))


def test_the_model_agrees_with_what_is_known_of_tmux():
    assert tmux_bytes("shift+f3") == "\x1b[1;2R" and not survives("shift+f3")  # read as a cursor report
    assert not survives("alt+comma")  # ESC , : Textual reads a bare comma
    assert not survives("ctrl+b")  # tmux's prefix
    assert not survives("ctrl+shift+p")  # shift lost: arrives as ctrl+p
    for key in ("f3", "f5", "ctrl+o", "ctrl+p", "alt+left", "alt+right", "shift+down", "N",
                "question_mark", "apostrophe", "right_square_bracket", "ctrl+right_square_bracket",
                "pageup", "home", "end", "alt+o", "tab", "escape", "enter"):
        assert survives(key), key


@pytest.mark.parametrize("keymap", ["default", "vim", "emacs"])
def test_every_action_has_a_key_that_arrives_in_tmux(keymap, tmp_path):
    keys, problems = load_keymap(keymap, KEY_SLOTS, user_dir=tmp_path)
    assert problems == []
    unreachable = {binding_id: bound for binding_id, bound in keys.items()
                   if not any(survives(key) for key in split_keys(bound))}
    assert unreachable == {}


def test_every_key_of_the_default_keymap_arrives_in_tmux(tmp_path):
    keys, _ = load_keymap("default", KEY_SLOTS, user_dir=tmp_path)
    lost = {(binding_id, key) for binding_id, bound in keys.items() for key in split_keys(bound) if not survives(key)}
    assert lost == set()


@pytest.mark.parametrize("keymap", ["vim", "emacs"])
def test_keys_lost_in_tmux_are_only_extras(keymap, tmp_path):
    """The other built-ins may keep a key tmux eats (vim's ctrl+b pages up outside tmux), never
    as the only one; this lists them, so a new one is a decision."""
    keys, _ = load_keymap(keymap, KEY_SLOTS, user_dir=tmp_path)
    lost = {key for bound in keys.values() for key in split_keys(bound) if not survives(key)}
    assert lost <= {"ctrl+b"}

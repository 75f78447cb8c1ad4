"""Keymaps as data: `keymaps/*.toml` → `{binding_id: "key1,key2"}` for `App.set_keymap`.

A keymap file has one table per scope, naming binding ids and their keys:

    extends = "default"          # optional: the keymap this one is laid over
    [view]
    cursor_down = "j,down"       # or ["j", "down"]

Every keymap is laid over the registry's default keys, so a file lists only what it changes,
and an entry replaces all keys of that id. A user file in the config dir's `keymaps/` with a
built-in's name is laid over that built-in; `extends` names another keymap (a user file that
extends its own name gets the built-in). The registry itself lives in `ui/bindings.py` and is
passed in as `{id: KeySlot}`, which keeps this module free of Textual.

Key names follow Textual: `ctrl+f`, `alt+left`, `shift+f3`, `pagedown`, `f1`, a single
character (`?`, `G`, `]`) or its name (`question_mark`). Bad ids, bad key names and keys bound
twice within one pane are reported as Problems; nothing here raises on user data.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import msgspec

from readertui.config import paths
from readertui.config.tomldata import TomlDocument, closest, read_toml, type_name
from readertui.core.model import Problem

# Scopes of the binding registry. `view` holds the cursor, selection, paging, goto and search
# bindings shared by the source and notes panes; the others belong to one widget or screen.
SCOPES = ("app", "view", "source", "notes", "picker", "bookmarks", "prompt", "help", "review")

# Scopes whose keys are live at the same time: the focused pane's bindings, then the main
# screen's (`app`); a modal screen's own. A key may belong to only one id within a chain.
KEY_CHAINS = (
    ("app", "view", "source"),
    ("app", "view", "notes"),
    ("picker", "bookmarks"),
    ("prompt",),
    ("help",),
    ("review", "view"),  # the review screen and its two code views
)

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    {"escape", "enter", "tab", "space", "backspace", "insert", "delete"}
    | {"up", "down", "left", "right", "home", "end", "pageup", "pagedown"}
    | {f"f{number}" for number in range(1, 25)}
)
# Terminals send these control keys as the same bytes as the named key.
KEY_ALIASES = {"ctrl+i": "tab", "ctrl+m": "enter", "ctrl+left_square_bracket": "escape"}

# Textual's names for punctuation keys: the Unicode name, lower-case, `_` for space and `-`.
_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def character_key_name(character: str) -> str:
    """Textual's key name for one typed character: `?` → `question_mark`, `G` → `G`."""
    if character.isalnum():
        return character
    name = unicodedata.name(character, character).lower().replace("-", "_").replace(" ", "_")
    return _NAME_REPLACEMENTS.get(name, name)


CHARACTER_NAMES = frozenset(character_key_name(c) for c in string.punctuation)
_ALL_NAMES = sorted(NAMED_KEYS | CHARACTER_NAMES | set(string.ascii_lowercase + string.digits))

Keymap = dict[str, str]


class KeySlot(msgspec.Struct, frozen=True):
    """What the keymap loader needs to know of a registered binding: its scope and keys."""

    scope: str
    default_keys: str


class BadKey(msgspec.Struct, frozen=True):
    """Why one key string is invalid, and a corrected spelling when there is one."""

    message: str
    suggestion: str | None = None


def parse_key(key: str) -> tuple[str | None, BadKey | None]:
    """Validate one key (`ctrl+f`, `?`, `pagedown`) → (Textual's normalized form, error)."""
    key = key.strip()
    if not key:
        return None, BadKey("empty key")
    if len(key) == 1:
        if not key.isprintable() or key.isspace():
            return None, BadKey("not a printable key", "space" if key == " " else None)
        return character_key_name(key), None
    *modifiers, base = key.split("+")
    if base == "":  # "ctrl++" or "ctrl+"
        return None, BadKey("write the + key as 'plus'", "+".join([*filter(None, modifiers), "plus"]))
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return None, BadKey(f"unknown modifier {modifier!r}", closest(modifier, MODIFIERS))
    if len(set(modifiers)) != len(modifiers):
        return None, BadKey("a modifier is repeated")
    prefix = "".join(f"{modifier}+" for modifier in modifiers)
    if len(base) == 1:
        if base.isalpha() and base.isupper() and modifiers:
            # Terminals send ctrl/alt with the shifted letter as `shift+<lower>`, never `ctrl+A`.
            return None, BadKey("use a lower-case letter with modifiers", f"{prefix}shift+{base.lower()}")
        if not base.isalnum() and modifiers:
            return None, BadKey("name punctuation keys with modifiers", prefix + character_key_name(base))
        return prefix + character_key_name(base), None
    if base in NAMED_KEYS or base in CHARACTER_NAMES:
        return prefix + base, None
    guess = closest(base.lower(), _ALL_NAMES)
    return None, BadKey(f"unknown key name {base!r}", prefix + guess if guess else None)


def canonical_key(key: str) -> str:
    """The key as the terminal delivers it, for comparing two bindings' keys."""
    return KEY_ALIASES.get(key, key)


def split_keys(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def find_conflicts(keymap: Mapping[str, str], slots: Mapping[str, KeySlot]) -> list[tuple[str, tuple[str, ...]]]:
    """Keys bound to more than one id within a chain of live scopes: `[(key, (id, id…))]`."""
    conflicts: dict[tuple[str, tuple[str, ...]], None] = {}
    for chain in KEY_CHAINS:
        owners: dict[str, list[str]] = {}
        for binding_id, keys in keymap.items():
            slot = slots.get(binding_id)
            if slot is None or slot.scope not in chain:
                continue
            for key in dict.fromkeys(canonical_key(k) for k in split_keys(keys)):
                owners.setdefault(key, []).append(binding_id)
        for key, ids in owners.items():
            if len(ids) > 1:
                conflicts[(key, tuple(ids))] = None
    return list(conflicts)


class KeymapLayer(msgspec.Struct, frozen=True):
    """One keymap file, validated: its entries and what it extends."""

    name: str
    document: TomlDocument
    extends: str | None
    entries: dict[str, str]  # binding id → normalized "key1,key2"
    is_user: bool


def read_layer(
    path: Path, slots: Mapping[str, KeySlot], *, is_user: bool
) -> tuple[KeymapLayer | None, list[Problem]]:
    """Parse and validate one keymap file against the registry."""
    document, problems = read_toml(path)
    if document is None:
        return None, problems
    extends: str | None = None
    entries: dict[str, str] = {}
    for top_key, value in document.data.items():
        if top_key == "extends":
            if isinstance(value, str) and value:
                extends = value
            else:
                problems.append(document.problem(("extends",), "must be the name of a keymap"))
        elif top_key == "description":
            if not isinstance(value, str):
                problems.append(document.problem((top_key,), f"expected a string, got {type_name(type(value))}"))
        elif top_key in SCOPES and isinstance(value, dict):
            for binding_id, keys in value.items():
                _read_entry(document, (top_key, binding_id), keys, slots, entries, problems)
        elif top_key in slots:
            _read_entry(document, (top_key,), value, slots, entries, problems)
        else:
            choices = [*SCOPES, "extends", "description", *slots]
            problems.append(
                document.problem((top_key,), "unknown table; keymaps have one table per scope", choices=choices)
            )
    layer = KeymapLayer(path.stem, document, extends, entries, is_user)
    return layer, problems


def _read_entry(
    document: TomlDocument,
    key_path: tuple[str, ...],
    value: object,
    slots: Mapping[str, KeySlot],
    entries: dict[str, str],
    problems: list[Problem],
) -> None:
    binding_id = key_path[-1]
    slot = slots.get(binding_id)
    if slot is None:
        problems.append(document.problem(key_path, "unknown binding id", choices=slots))
        return
    if len(key_path) == 1 or key_path[0] != slot.scope:
        problems.append(
            document.problem(
                key_path,
                f"belongs in the [{slot.scope}] table; applied anyway",
                suggestion=f"{slot.scope}.{binding_id}",
            )
        )
    if isinstance(value, str):
        written = split_keys(value)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        written = [item.strip() for item in value]
    else:
        problems.append(
            document.problem(key_path, f"expected a string of keys, got {type_name(type(value))}; ignored")
        )
        return
    keys: list[str] = []
    for key in written:
        normalized, error = parse_key(key)
        if error is not None:
            problems.append(document.problem(key_path, f"{error.message}: {key!r}", suggestion=error.suggestion))
        elif normalized is not None and normalized not in keys:
            keys.append(normalized)
    if keys:
        entries[binding_id] = ",".join(keys)
    elif not written:
        problems.append(document.problem(key_path, "no keys given; the previous keys are kept"))


def load_keymap(
    name: str,
    slots: Mapping[str, KeySlot],
    *,
    user_dir: Path | None = None,
    builtin_dir: Path | None = None,
) -> tuple[Keymap, list[Problem]]:
    """The complete keymap `name` (every registered id → keys) and the problems found.

    An unknown name falls back to the registry defaults (the `default` keymap) with a Problem.
    """
    user_dir = user_dir if user_dir is not None else paths.user_data_dir("keymaps")
    builtin_dir = builtin_dir if builtin_dir is not None else paths.builtin_data_dir("keymaps")
    problems: list[Problem] = []
    layers = _layer_chain(name, slots, user_dir, builtin_dir, problems)
    keymap: Keymap = {binding_id: _normalized(slot.default_keys) for binding_id, slot in slots.items()}
    origin: dict[str, KeymapLayer] = {}
    for layer in reversed(layers):  # base first, the named keymap last
        keymap.update(layer.entries)
        origin.update(dict.fromkeys(layer.entries, layer))
    for key, ids in find_conflicts(keymap, slots):
        problems.append(_conflict_problem(key, ids, origin, slots))
    return keymap, problems


def _layer_chain(
    name: str,
    slots: Mapping[str, KeySlot],
    user_dir: Path,
    builtin_dir: Path,
    problems: list[Problem],
) -> list[KeymapLayer]:
    """The files making up keymap `name`, the named one first, each followed by its base."""
    layers: list[KeymapLayer] = []
    seen: set[Path] = set()
    wanted: str | None = name
    allow_user = True
    referrer: KeymapLayer | None = None
    while wanted is not None:
        user_file = user_dir / f"{wanted}.toml"
        builtin_file = builtin_dir / f"{wanted}.toml"
        if allow_user and user_file.is_file():
            path, is_user = user_file, True
        elif builtin_file.is_file():
            path, is_user = builtin_file, False
        else:
            problems.append(_unknown_keymap(wanted, referrer, user_dir, builtin_dir))
            break
        if referrer is not None and path in seen:
            problems.append(referrer.document.problem(("extends",), f"{wanted!r} extends back to this keymap; ignored"))
            break
        seen.add(path)
        layer, layer_problems = read_layer(path, slots, is_user=is_user)
        problems.extend(layer_problems)
        if layer is None:
            break
        layers.append(layer)
        referrer = layer
        if layer.extends is not None:
            wanted = layer.extends
            allow_user = not (is_user and layer.extends == layer.name)
        elif is_user and builtin_file.is_file():
            allow_user = False  # a user file named like a built-in is laid over that built-in
        else:
            wanted = None
    return layers


def _unknown_keymap(name: str, referrer: KeymapLayer | None, user_dir: Path, builtin_dir: Path) -> Problem:
    available = paths.data_names("keymaps", user_dir=user_dir, builtin_dir=builtin_dir)
    message = f"no keymap named {name!r} (available: {', '.join(available) or 'none'}); using the defaults"
    if referrer is not None:
        return referrer.document.problem(("extends",), message, suggestion=closest(name, available))
    return Problem(file=user_dir / f"{name}.toml", message=message, key="keymap", suggestion=closest(name, available))


def _conflict_problem(
    key: str, ids: tuple[str, ...], origin: Mapping[str, KeymapLayer], slots: Mapping[str, KeySlot]
) -> Problem:
    # Report at the entry that came last (a user's line), naming the other ids.
    culprit = next((binding_id for binding_id in reversed(ids) if binding_id in origin), ids[-1])
    others = ", ".join(binding_id for binding_id in ids if binding_id != culprit)
    message = f"key {key!r} is also bound to {others} in the same pane; only one of them can work"
    layer = origin.get(culprit)
    if layer is None:
        return Problem(file=Path("<built-in bindings>"), message=message, key=culprit)
    return layer.document.problem((slots[culprit].scope, culprit), message, suggestion=None)


def _normalized(keys: str) -> str:
    """Registry defaults in Textual's spelling (`?` → `question_mark`); they are known good."""
    return ",".join(parse_key(key)[0] or key for key in split_keys(keys))

"""The value types are msgspec Structs, not dataclasses: start-up time, and what must not change.

A dataclass execs generated methods when its module is imported (a third of the reader's
import time); a Struct is built in C. These tests pin the move and the behaviour the code
relies on: ordering, hashing, validation on replace, and the saved view-state format.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import msgspec
import pytest

import readertui
from readertui.config.settings import _FIELD_TYPES, Settings, load_settings
from readertui.core.model import CommitDeclaration, LineRange, Location, Span
from readertui.ui.state import ViewState, load_state, save_state
from readertui.ui.theming import build_theme


def _modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(readertui.__path__, "readertui.")
        if info.name != "readertui.__main__"  # runs the CLI when imported
    ]


def test_no_module_defines_a_dataclass():
    dataclasses_found = []
    for name in _modules():
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == name and hasattr(value, "__dataclass_fields__"):
                dataclasses_found.append(f"{name}.{attribute}")
    assert dataclasses_found == []


def test_line_ranges_sort_by_start_then_end():
    ranges = [LineRange(5, 9), LineRange(1, 3), LineRange(1, 2), LineRange(4, 4)]
    assert sorted(ranges) == [LineRange(1, 2), LineRange(1, 3), LineRange(4, 4), LineRange(5, 9)]
    assert LineRange(1, 9) < LineRange(2, 2)
    assert LineRange(3, 4) >= LineRange(3, 4)


def test_line_range_is_validated_on_replace_too():
    with pytest.raises(ValueError, match="bad line range 5-2"):
        msgspec.structs.replace(LineRange(1, 2), start=5)
    assert msgspec.structs.replace(LineRange(1, 2), end=7) == LineRange(1, 7)


def test_frozen_values_are_immutable_and_hash_by_value():
    declaration = CommitDeclaration("4be91c0", 3, 1, Span(10, 17), 40)
    same = CommitDeclaration("4be91c0", 3, 1, Span(10, 17), 40)
    # update.py groups citations under their declaration in a dict and a set.
    assert {declaration: "a"}[same] == "a"
    assert len({declaration, same, msgspec.structs.replace(same, line=4)}) == 2
    assert len({Location("p", "repo", "a.py"), Location("p", "repo", "a.py", 1, None)}) == 1
    with pytest.raises(AttributeError):
        declaration.line = 5  # type: ignore[misc]


def test_settings_field_types_cover_every_field(tmp_path: Path):
    assert set(_FIELD_TYPES) == set(Settings.__struct_fields__)
    assert _FIELD_TYPES["editor"] == (str,)
    settings, problems = load_settings(tmp_path / "missing.toml", environ={"NO_COLOR": "1"})
    assert (settings, problems) == (msgspec.structs.replace(Settings(), no_color=True), [])


# What the dataclass version wrote (json.dump of dataclasses.asdict, indent=1, sorted keys):
# users' state files must keep loading, and keep the same shape when rewritten.
SAVED_STATE = """{
 "/ws/a": {
  "location": {
   "commit": null,
   "line": 12,
   "path": "engine.py",
   "project": "p",
   "repo": "DeepSpeed"
  },
  "note": "notes/x.md",
  "project": "p",
  "show_notes": true,
  "show_tree": false
 },
 "/ws/b": {
  "location": null,
  "note": null,
  "project": null,
  "show_notes": true,
  "show_tree": true
 }
}"""


def test_state_file_round_trip_keeps_the_dataclass_format(tmp_path: Path):
    path = tmp_path / "state.json"
    state = ViewState(
        project="p", note="notes/x.md", location=Location("p", "DeepSpeed", "engine.py", 12), show_tree=False
    )
    save_state(Path("/ws/a"), state, path)
    save_state(Path("/ws/b"), ViewState(), path)
    assert path.read_text(encoding="utf-8") == SAVED_STATE
    assert load_state(Path("/ws/a"), path) == state
    assert load_state(Path("/ws/b"), path) == ViewState()


def test_ui_theme_capture_cache_is_not_part_of_its_value():
    from readertui.config.theme import load_theme

    spec, _ = load_theme("dark")
    used, _ = build_theme(spec)
    fresh, _ = build_theme(spec)
    first = used.style_for("function.method.call")
    assert used.style_for("function.method.call") is first  # cached
    assert "_capture_cache" not in repr(used)
    assert used == fresh
    assert fresh._capture_cache == {}


@pytest.mark.parametrize("damage", [b"\xff\xfe not utf-8", b"{\"/ws/a\": ", b"[1, 2]", b'{"/ws/a": {"location": 7}}'])
def test_a_damaged_state_file_costs_only_the_last_position(tmp_path: Path, damage: bytes):
    path = tmp_path / "state.json"
    path.write_bytes(damage)
    assert load_state(Path("/ws/a"), path) == ViewState()
    save_state(Path("/ws/b"), ViewState(show_notes=False), path)  # and is replaced, not a crash
    assert load_state(Path("/ws/b"), path) == ViewState(show_notes=False)


def test_state_file_keeps_non_ascii_paths_readable(tmp_path: Path):
    path = tmp_path / "state.json"
    state = ViewState(project="项目", note="notes/阅读.md")
    save_state(Path("/ws/研究"), state, path)
    assert "项目" in path.read_text(encoding="utf-8")
    assert load_state(Path("/ws/研究"), path) == state

"""The private Textual API that ui/textual_compat.py stands on is still there, shaped as used;
and the reader's Textual is the major version the bound in pyproject.toml allows."""

from __future__ import annotations

import inspect
from importlib.metadata import version

from rich.style import Style
from textual.app import App, ComposeResult
from textual.filter import Monochrome, NoColor
from textual.widgets import Tree

from readertui.ui.textual_compat import (
    BatchedTree,
    refresh_truecolor_filter,
    render_tree_line,
    replace_output_filters,
)


def test_textual_is_the_major_version_tested() -> None:
    assert int(version("textual").split(".")[0]) == 8


def test_the_private_names_exist_with_the_parameters_used() -> None:
    assert list(inspect.signature(App._refresh_truecolor_filter).parameters) == ["self", "theme"]
    assert list(inspect.signature(Tree._render_line).parameters) == ["self", "y", "x1", "x2", "base_style"]
    assert list(inspect.signature(Tree._invalidate).parameters) == ["self"]


def test_the_pilot_idle_slices_the_tests_shorten_still_exist() -> None:
    """tests/conftest.py shortens Pilot's idle-wait slices; a rename would silently undo it."""
    import textual._wait

    assert textual._wait.SLEEP_GRANULARITY == 0.005 and textual._wait.SLEEP_IDLE == 0.00025
    source = inspect.getsource(textual._wait.wait_for_idle)
    assert "sleep(SLEEP_GRANULARITY)" in source and "SLEEP_IDLE" in source


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        tree: BatchedTree[int] = BatchedTree("root")
        tree.root.expand()
        yield tree


async def test_output_filters_are_replaced_and_the_truecolor_filter_follows_a_theme() -> None:
    app = TreeApp()
    async with app.run_test():
        refresh_truecolor_filter(app, app.ansi_theme)
        replace_output_filters(app, drop=(Monochrome, NoColor), add=NoColor())
        filters = app.get_line_filters()
        assert sum(isinstance(f, NoColor) for f in filters) == 1
        assert not any(isinstance(f, Monochrome) for f in filters)


async def test_a_batched_tree_rebuilds_once_and_renders_rows_as_textual_does(monkeypatch) -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(BatchedTree)
        rebuilds: list[int] = []
        real = Tree._invalidate
        monkeypatch.setattr(Tree, "_invalidate", lambda self: rebuilds.append(1) or real(self))
        with tree.one_rebuild_later():
            for n in range(50):
                tree.root.add_leaf(f"leaf {n}", n)
        assert rebuilds == []
        tree.rebuild_lines()
        assert rebuilds == [1]
        await pilot.pause()
        style = tree.rich_style
        assert render_tree_line(tree, 3, 0, tree.size.width, style).text == tree.render_line(3).text
        assert "leaf 2" in render_tree_line(tree, 3, 0, tree.size.width, Style()).text


# Made by Textual's metaclass or the ABC machinery on every subclass: not overrides.
GENERATED = {
    "_decorated_handlers", "_reactives", "_inherit_css", "_inherit_bindings", "_computes",
    "_inherit_component_classes", "_css_type_name", "_merged_bindings", "_css_type_names",
    "_abc_impl",
}


def test_no_ui_module_but_the_compat_one_touches_textual_private_api() -> None:
    """Neither calls (`x._name` where only Textual defines `_name`) nor overrides of Textual's
    private methods outside ui/textual_compat.py."""
    import ast
    import importlib
    import pkgutil
    import re
    from pathlib import Path

    import textual

    import readertui
    import readertui.ui

    package = Path(readertui.__file__).parent
    ours: set[str] = set()
    used: dict[str, str] = {}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                ours.add(node.name)
            elif isinstance(node, ast.Name):
                ours.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                ours.add(node.attr)
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and "ui" in path.parts:
                if path.name != "textual_compat.py":
                    used.setdefault(node.attr, f"{path.name}:{node.lineno}")
    textual_names: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        textual_names.update(re.findall(r"def (_[A-Za-z]\w*)\(", text))
        textual_names.update(re.findall(r"self\.(_[A-Za-z]\w*)\s*(?::[^=\n]*)?=(?!=)", text))
    private_calls = {
        name: where for name, where in used.items()
        if not name.startswith("__") and name not in ours and name in textual_names
    }
    assert private_calls == {}

    overrides = []
    for info in pkgutil.walk_packages(readertui.ui.__path__, "readertui.ui."):
        if info.name.endswith("textual_compat"):
            continue
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            bases = [b for b in cls.__mro__[1:] if b.__module__.startswith("textual.")]
            for name in cls.__dict__:
                if name.startswith("_") and not name.startswith("__") and name not in GENERATED:
                    if any(name in base.__dict__ for base in bases):
                        overrides.append(f"{cls.__name__}.{name}")
    assert overrides == []

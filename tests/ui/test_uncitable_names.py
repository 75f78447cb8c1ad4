"""A file whose name a note cannot read back as a citation (spaces, control characters): `c`
and `y` still write or copy it as shown, and warn that it is not a citation."""

from __future__ import annotations

import pytest

from readertui.ui.screens.prompt import PromptScreen
from tests.ui.conftest import make_app, notifications, open_file, settle


@pytest.mark.parametrize("name", ["two words.py", "esc\x1b]2;x\x07.py"])
async def test_c_and_y_on_an_uncitable_name_warn(demo, name):
    (demo / "minillm" / "minillm" / "minillm" / name).write_text("print(1)\n")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, f"minillm/{name}")
        shown = notifications(app)
        await pilot.press("y")
        assert [severity for message, severity in shown if "cannot be cited" in message] == ["warning"]
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert len([m for m, _ in shown if "cannot be cited" in m]) == 2
        assert all("\x1b" not in message for message, _ in shown)


async def test_a_citable_name_gives_no_warning(demo):
    (demo / "minillm" / "minillm" / "minillm" / "[id].py").write_text("print(1)\n")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_file(pilot, "minillm/[id].py")
        shown = notifications(app)
        await pilot.press("y")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert not [m for m, _ in shown if "cannot be cited" in m]

"""The command palette lists every registered action, with its key in the active keymap.

Each command runs on the widget of its scope: app actions on the main screen, view and
source actions on the source pane (view actions on the notes pane when it has focus), notes
actions on the notes pane.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widget import Widget

from readertui.ui.bindings import REGISTRY, BindingSpec

PALETTE_SCOPES = ("app", "view", "source", "notes")
NOT_LISTED = {"command_palette"}  # the palette is already open


class ActionCommands(Provider):
    def _commands(self) -> list[tuple[BindingSpec, Widget]]:
        from readertui.ui.screens.main import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return []
        notes_focused = self.focused is screen.notes
        targets: dict[str, Widget] = {
            "app": screen,
            "view": screen.notes if notes_focused else screen.source,
            "source": screen.source,
            "notes": screen.notes,
        }
        return [
            (spec, targets[spec.scope])
            for spec in REGISTRY
            if spec.scope in PALETTE_SCOPES and spec.id not in NOT_LISTED
        ]

    def _help(self, spec: BindingSpec) -> str:
        key_for = getattr(self.app, "key_for", None)
        keys = key_for(spec.id) if key_for else spec.default_keys
        return f"{keys}  ·  {spec.scope}"

    async def discover(self) -> Hits:
        for spec, target in self._commands():
            yield DiscoveryHit(
                spec.description, partial(target.run_action, spec.action), help=self._help(spec)
            )

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for spec, target in self._commands():
            score = matcher.match(spec.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(spec.description),
                    partial(target.run_action, spec.action),
                    help=self._help(spec),
                )

"""ReaderApp: loads settings, keymap and theme, finds the project, shows the main screen.

Kept small on purpose: the reading flows live in `screens/main.py`, the workspace access in
`session.py`. Bad user files are reported as notifications, never fatal.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import os
import signal
import sys
import termios
import threading
from collections.abc import Iterable
from os import _exit as exit_process  # no cleanup: for a process whose terminal is gone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from textual.app import App, SystemCommand
from textual.binding import Binding

from readertui.config.keymap import load_keymap, split_keys
from readertui.config.settings import Settings
from readertui.config.theme import load_theme
from readertui.core.errors import ReadertuiError
from readertui.core.model import Problem, Project, Workspace
from readertui.core.safe_text import terminal_text
from readertui.ui.bindings import KEY_SLOTS, spec_for
from readertui.ui.commands import ActionCommands
from readertui.ui.screens.main import MainScreen
from readertui.ui.session import Session
from readertui.ui.state import ViewState, fit_state, load_state, restore_notice, save_state
from readertui.ui.textual_compat import refresh_truecolor_filter, replace_output_filters
from readertui.ui.theming import build_theme

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen


# The view state is saved this often when the place changed (and when a file or note opens).
STATE_SAVE_SECONDS = 5.0
TERMINATING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
EXIT_GRACE_SECONDS = 3.0  # after one of them, the longest the terminal's restoration may take
HANGUP_POLL_SECONDS = 1.0  # how often the terminal is checked for a hang-up without SIGHUP


class ReaderApp(App[int]):
    CSS_PATH = "readertui.tcss"
    TITLE = "readertui"
    ENABLE_COMMAND_PALETTE = True
    # Declaring the palette's binding here keeps Textual from adding its own ctrl+p, which is
    # our file finder; the keymap decides the palette's key like any other.
    BINDINGS = [spec_for("command_palette").binding()]
    COMMANDS = App.COMMANDS | {ActionCommands}

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification (toasts, errors, `Copied`) goes through here, from any screen or
        widget: title and message are untrusted (file and note names, labels, URLs, git's
        messages), so they are shown as plain text with control characters as placeholders.
        `markup` is ignored: a message is never parsed as markup."""
        super().notify(
            terminal_text(message), title=terminal_text(title), severity=severity, timeout=timeout, markup=False
        )

    def __init__(
        self,
        workspace: Workspace,
        start: Path | None = None,
        settings: Settings | None = None,
        problems: list[Problem] | None = None,
        catch_signals: bool = False,
    ) -> None:
        super().__init__()
        self.catch_signals = catch_signals
        self._terminating = False
        self.settings = settings or Settings()
        self.problems: list[str] = [str(p) for p in problems or ()]
        self.keys, keymap_problems = load_keymap(self.settings.keymap, KEY_SLOTS)
        self.problems += [str(p) for p in keymap_problems]
        self.problems += list(workspace.problems)
        # NO_COLOR from the environment (Textual reads it) or from the config file.
        self.no_color = no_color = self.settings.no_color or self.no_color
        spec, theme_problems = load_theme(self.settings.theme)
        self.ui_theme, style_problems = build_theme(spec, no_color=no_color)
        self.problems += [str(p) for p in (*theme_problems, *style_problems)]
        self._apply_theme_before_css()
        self.session = Session(workspace, self.settings.max_file_bytes)
        saved = load_state(workspace.root)
        self.project = self._pick_project(workspace, start, saved)
        # The saved place, checked against the workspace as it is now (see ui/state.py).
        self.view_state, dropped = fit_state(saved, workspace, self.project)
        self.restore_notice = restore_notice(dropped)
        self._saved_state: ViewState | None = None  # what remember_place last wrote

    def _pick_project(self, workspace: Workspace, start: Path | None, saved: ViewState) -> Project:
        if not workspace.projects:
            raise ReadertuiError(f"{workspace.root} holds no project (a folder with notes/)")
        if start is not None:
            project = workspace.project_for(start.resolve())
            if project is not None:
                return project
        remembered = workspace.project(saved.project or "")
        return remembered or workspace.projects[0]

    def _apply_theme_before_css(self) -> None:
        """Make our theme current before any CSS is parsed.

        Setting `App.theme` runs Textual's watcher, which queues a reparse of every CSS source
        and a restyle of every node, and clears the parse cache, so each source was tokenized
        three times during start-up (~15 ms, measured). Nothing is parsed yet here, so giving
        the stylesheet our theme's variables is enough; the rest is what the watcher does.
        """
        theme = self.ui_theme.textual
        self.register_theme(theme)
        self.set_reactive(App.theme, theme.name)
        self.stylesheet.set_variables(self.get_css_variables())
        self.set_class(theme.dark, "-dark-mode", update=False)
        self.set_class(not theme.dark, "-light-mode", update=False)
        self.set_class(True, f"-theme-{theme.name}", update=False)
        self.set_class(self.no_color, "-no-color", update=False)  # readertui.tcss: attributes instead
        # The ANSI-to-truecolor filter was built for Textual's default theme: it must follow
        # ours (off for the 16-colour theme, the light palette for a light one).
        refresh_truecolor_filter(self, self.ansi_theme)
        if self.no_color:
            self._strip_colors_on_output()

    def _strip_colors_on_output(self) -> None:
        """NO_COLOR: every cell in the terminal's own colours, structure left to attributes.

        Textual picks its filter by the theme current in `App.__init__` (its default, a
        truecolor one): `Monochrome`, which turns every colour into a grey, and turned our
        terminal-default colours into black on black. `NoColor` drops colours altogether.
        """
        from textual.filter import Monochrome, NoColor

        replace_output_filters(self, drop=(Monochrome, NoColor), add=NoColor())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's "Theme" command offers its own themes (gruvbox, nord, …), which know
        # nothing of our syntax and mark styles: themes are chosen in config.toml.
        for command in super().get_system_commands(screen):
            if command.title != "Theme":
                yield command

    def get_css_variables(self) -> dict[str, str]:
        # Textual's own __init__ asks for the variables of its default theme, which nothing
        # uses: `_apply_theme_before_css` gives the stylesheet ours before any CSS is parsed.
        # Generating a theme's colour system is ~2 ms of the start-up (measured).
        if getattr(self, "ui_theme", None) is None:
            return {}
        return super().get_css_variables()

    def get_default_screen(self) -> MainScreen:
        # The main screen is the app's first screen, built in Textual's start-up batch: pushed
        # from on_mount it was laid out and painted once inside that batch, and the frame was
        # dropped (~50 ms of the start-up, measured).
        self.set_keymap(self.keys)
        state = self.view_state  # fitted to self.project already
        state = msgspec.structs.replace(
            state,
            show_tree=self.settings.show_tree and state.show_tree,
            show_notes=self.settings.show_notes and state.show_notes,
        )
        return MainScreen(self.session, self.project, state, self.settings.editor)

    def on_app_focus(self) -> None:
        """The terminal has the focus again: the log may have been edited meanwhile."""
        screen = self.screen_stack[0] if self.screen_stack else None
        if isinstance(screen, MainScreen):
            screen.check_outside_edits()

    def on_ready(self) -> None:
        """Textual's `Ready`: the first frame is out."""
        if not gc.isenabled():  # the command line turned it off for the start (cli._open_tui)
            # What start-up built lives as long as the reader: frozen, later collections need
            # not walk it (full ones took 60-100 ms while a 5,000-entry folder filled the tree).
            gc.freeze()
            gc.enable()
        screen = self.screen_stack[0]
        if isinstance(screen, MainScreen):
            screen.first_frame_shown()
        self.set_interval(STATE_SAVE_SECONDS, self.remember_place)

    def on_mount(self) -> None:
        if self.catch_signals:
            self._catch_signals()
        for problem in self.problems:
            self.notify(problem, title="Problem", severity="warning", timeout=10)
        if self.restore_notice is not None:
            self.notify(self.restore_notice, severity="warning", timeout=10)

    def key_for(self, binding_id: str) -> str:
        """How the active keymap's first key for `binding_id` is shown to the user."""
        keys = split_keys(self.keys.get(binding_id, spec_for(binding_id).default_keys))
        return self.get_key_display(Binding(keys[0], binding_id)) if keys else binding_id

    def action_show_help(self) -> None:
        from readertui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.keys))

    def remember_place(self) -> None:
        """Save the place (project, note, file and line, panes) when it changed since the last
        save: called on quit, on a hang-up or SIGTERM, when a file or note is opened, and every
        `STATE_SAVE_SECONDS` (a cursor moving writes nothing until then; a `kill -9` loses at
        most that much). The write is atomic (ui/state.py)."""
        screen = self.screen_stack[0] if self.screen_stack else None  # under any modal
        if not isinstance(screen, MainScreen):
            return
        state = screen.view_state()
        if state == self._saved_state:
            return
        try:
            save_state(self.session.workspace.root, state)
        except OSError as error:
            self.log.warning(f"state not saved: {error}")
            return
        self._saved_state = state

    async def action_quit(self) -> None:
        self.remember_place()
        self.session.close()
        self.exit(0)

    def _catch_signals(self) -> None:
        """SIGHUP (the terminal closed, an SSH session dropped) and SIGTERM end the reader as
        `q` does: the place is saved, then Textual restores the terminal. Only for `run_app`
        (`catch_signals`): tests' apps leave their process's signals alone.

        A closed terminal does not always send SIGHUP: the kernel signals only the session's
        leader, so a reader started by a script (`tmux new 'script.sh'`, whose shell dies of it)
        is left with a terminal that reads as end-of-file, where Textual's input thread spins.
        The terminal is looked at every `HANGUP_POLL_SECONDS` for that too."""
        loop = asyncio.get_running_loop()
        for signum in TERMINATING_SIGNALS:
            loop.add_signal_handler(signum, self._terminated, signum)
        stdin = sys.__stdin__  # the terminal Textual reads
        if stdin is not None and os.isatty(stdin.fileno()):
            self.set_interval(HANGUP_POLL_SECONDS, lambda: self._watch_terminal(stdin.fileno()))

    def _watch_terminal(self, fd: int) -> None:
        """A terminal that hung up fails its ioctls with EIO: end as on SIGHUP."""
        try:
            termios.tcgetattr(fd)
        except termios.error as error:
            if error.args and error.args[0] == errno.EIO:
                self._terminated(signal.SIGHUP)

    def _terminated(self, signum: int) -> None:
        if self._terminating:
            return
        self._terminating = True
        self.remember_place()
        self.session.close()
        code = 128 + signum
        # With the terminal gone, restoring it can block (Textual's writer thread dies on EIO
        # and its queue fills): the place is saved, so the process ends regardless.
        watchdog = threading.Timer(EXIT_GRACE_SECONDS, exit_process, (code,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(code, return_code=code)


def run_app(path: Path, workspace: Workspace, settings: Settings, problems: list[Problem]) -> int:
    """Open the reader on `workspace`, at the project holding `path`; returns the exit code."""
    if settings.no_color:
        os.environ["NO_COLOR"] = "1"  # Textual reads it when the app is built
    app = ReaderApp(workspace, start=path, settings=settings, problems=problems, catch_signals=True)
    return app.run() or 0

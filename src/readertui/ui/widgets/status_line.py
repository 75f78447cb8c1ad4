"""One line at the bottom: where the reader is and what the notes say about it.

The screen sets `info` (plain data); the widget only renders it, as inert text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from readertui.ui.widgets.repo_tree import inert


@dataclass(frozen=True)
class StatusInfo:
    project: str = ""
    repo: str = ""
    commit: str = ""  # short sha of the code shown
    tag: str = ""
    file: str = ""
    line: int = 0
    drift: str = ""  # e.g. "notes @ a1b2c3d ≠ checkout" when they differ
    viewing_commit: bool = False  # the source pane shows code at an older commit
    bookmarks: int = 0
    today_entries: int = 0


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text; }
    """

    info: reactive[StatusInfo] = reactive(StatusInfo, layout=False)

    def render(self) -> Text:
        info = self.info
        parts: list[Text] = []
        if info.project:
            parts.append(inert(info.project))
        if info.repo:
            where = info.repo + (f" @ {info.commit}" if info.commit else "")
            if info.tag:
                where += f" ({info.tag})"
            parts.append(inert(where))
        if info.file:
            parts.append(inert(f"{info.file}:{info.line}" if info.line else info.file))
        parts.append(Text(f"★ {info.bookmarks}"))
        parts.append(Text(f"log today: {info.today_entries}"))
        # Last, as they are the longest: a narrow terminal crops them first.
        if info.viewing_commit:
            parts.append(Text("showing the note's commit", style="bold"))
        if info.drift:
            parts.append(Text(info.drift, style="bold"))
        return Text(" │ ").join(parts)

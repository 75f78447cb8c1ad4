"""The tree pane: projects → repos → folders/files, plus each project's notes.

Folders are built lazily: a repo's path list (git's tracked files, or a walk of a plain folder)
is read in a worker on first expand, and each folder's children are computed from it in a
worker too, so a 50,000-file repo never blocks the event loop. A big folder's nodes are then
added a chunk per event-loop turn and the tree's lines rebuilt once, at the end.
Selecting a file or note posts `OpenLocation` / `OpenNote`; the screen decides what to do.
Shown over the source (class `-overlay`, a narrow terminal), the tree posts `Dismissed` when a
file or note is opened, on Esc and when the focus goes elsewhere. While it has the focus and the
name under its cursor is cut to fit, `FullName` gives the status line the whole name.
`reveal(location)` expands the folders down to the file shown and puts the cursor on it (not
the focus), loading folders on the way as a click would; each load that lands walks on.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import msgspec
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from readertui.core.errors import ReadertuiError
from readertui.core.file_index import FolderIndex
from readertui.core.model import Location, Project, Repo, RepoKind, Workspace
from readertui.core.safe_text import sanitize_line
from readertui.core.workspace import note_files, notes_folder_issue
from readertui.ui.messages import OpenLocation, OpenNote
from readertui.ui.textual_compat import BatchedTree, render_tree_line


def _label(node: TreeNode[Entry]) -> Text:
    """A node's label: always a Text once set (`Tree.process_label`), though typed str | Text."""
    return cast(Text, node.label)


def _icon_cells(node: TreeNode[Entry]) -> int:
    """Textual draws `▶ ` / `▼ ` before an expandable node's label, nothing before a leaf's."""
    return 2 if node.allow_expand else 0


def _notes_or_why(project: Project) -> tuple[list[Path], tuple[str, str] | None]:
    """The project's notes, or none and why its notes folder cannot be used
    (`notes_folder_issue`)."""
    refused = notes_folder_issue(project)
    return (note_files(project) if refused is None else []), refused


def inert(name: str) -> Text:
    """Untrusted names as plain text: no markup, control characters as visible placeholders."""
    return Text(sanitize_line(name))


def middle_truncate(text: Text, width: int) -> Text:
    """`text` cut to `width` cells by an ellipsis in the middle (`very_long_na…_name.py`): a
    name's start and its extension both say which file it is."""
    if text.cell_len <= width:
        return text
    plain = text.plain
    keep = width - 1  # cells left around the ellipsis
    head_cells = (keep + 1) // 2
    head = cells = 0
    while head < len(plain) and cells + cell_len(plain[head]) <= head_cells:
        cells += cell_len(plain[head])
        head += 1
    tail, tail_cells = len(plain), 0
    while tail > head and tail_cells + cell_len(plain[tail - 1]) <= keep - cells:
        tail -= 1
        tail_cells += cell_len(plain[tail])
    ellipsis = Text("…", style=text.style)
    for span in text.spans:  # styled like the character it replaces (the cursor's colours)
        if span.start <= head < span.end:
            ellipsis.stylize(span.style)
    return text[:head] + ellipsis + text[tail:]


def unlistable(folder: Path) -> str | None:
    """Why `folder` cannot be listed on disk (no permission), or None. A git repo's folders
    come from its index (`ls-files`), which lists a folder the user cannot open: the disk says."""
    try:
        with os.scandir(folder):
            return None
    except FileNotFoundError:
        return None  # tracked but not on disk (deleted, sparse): not a permission problem
    except OSError as error:
        return error.strerror or type(error).__name__


# Nodes made and added per event-loop turn while a big folder fills in (~4 ms a turn on the
# team's box, unloaded); the lines are rebuilt once at the end (~1.5 ms per 1,000 lines).
ADD_CHUNK = 500
MIN_ROOM = 6  # below this many cells a cut name says nothing: it is left to scroll


class Entry(msgspec.Struct, frozen=True):
    """What a tree node stands for."""
    kind: str  # "project" | "repo" | "uninit" | "folder" | "file" | "notes" | "note" | "why"
    project: Project
    repo: Repo | None = None
    path: str = ""  # repo-relative folder/file path; the absolute note path for notes


class RepoTree(BatchedTree[Entry]):
    """Lazy workspace tree. `list_files(project, repo)` returns a repo's posix file paths."""

    class ChildrenReady(Message):
        def __init__(
            self, node: TreeNode[Entry], dirs: list[str], files: list[str], unreadable: str | None = None
        ) -> None:
            super().__init__()
            self.node = node
            self.dirs = dirs
            self.files = files
            self.unreadable = unreadable  # why this folder could not be listed, if it could not

    class NotesReady(Message):
        def __init__(
            self, node: TreeNode[Entry], notes: list[Path], refused: tuple[str, str] | None = None
        ) -> None:
            super().__init__()
            self.node = node
            self.notes = notes
            self.refused = refused  # the notes folder cannot be used: `notes_folder_issue`

    class Dismissed(Message):
        """The tree shown over the source is done with (a file opened, Esc, the focus gone)."""

    class FullName(Message):
        """The whole name of the row under the cursor while it is cut to fit ("" when not)."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class LoadFailed(Message):
        def __init__(self, node: TreeNode[Entry], error: str) -> None:
            super().__init__()
            self.node = node
            self.error = error

    def __init__(
        self,
        workspace: Workspace,
        list_files: Callable[[Project, Repo], tuple[str, ...]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(inert(workspace.root.name), id=id)
        self.workspace = workspace
        self._list_files = list_files
        self._indexes: dict[tuple[str, str], FolderIndex] = {}
        self._index_lock = threading.Lock()
        self._loaded: set[int] = set()  # ids of nodes whose children were requested
        self._pending: set[int] = set()  # ids of nodes whose children are on their way
        self._reveal_target: tuple[str, str | None, str] | None = None  # (project, repo, path)
        self.show_root = False
        self.guide_depth = 2
        self._paint_style: Style | None = None  # the widget's style while one paint runs
        self._full_name = ""  # what FullName said last

    def render_lines(self, crop: Region) -> list[Strip]:
        # Textual's Tree asks for `rich_style` (a walk up the DOM, ~55 µs) on every row it
        # paints, a third of a full repaint; it cannot change within one paint.
        self._paint_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._paint_style = None

    def render_line(self, y: int) -> Strip:
        style = self._paint_style
        if style is None:
            return super().render_line(y)
        scroll_x, scroll_y = self.scroll_offset
        return render_tree_line(self, y + scroll_y, scroll_x, scroll_x + self.size.width, style)

    def process_label(self, label: str | Text) -> Text:
        # Never parse markup: a file may be called "[bold]x" or "[@click=quit]".
        return inert(label) if isinstance(label, str) else label

    def get_label_width(self, node: TreeNode[Entry]) -> int:
        # Textual renders every label to measure it on each rebuild of the lines; a 5,000-entry
        # folder made that the slowest step. The icon (folders only) is two cells, the label is
        # plain text, and sanitized: an ASCII label is one cell per character (half the cost of
        # cell_len).
        plain = _label(node).plain
        width = (len(plain) if plain.isascii() else cell_len(plain)) + _icon_cells(node)
        room = self._room(node)
        return room if MIN_ROOM <= room < width else width  # long names are cut to fit

    def render_label(self, node: TreeNode[Entry], base_style: Style, style: Style) -> Text:
        # Long names are cut in the middle to the pane's width rather than scrolled off its
        # edge; the status line names the file in full once it is open.
        text = super().render_label(node, base_style, style)
        room = self._room(node)
        return middle_truncate(text, room) if MIN_ROOM <= room < text.cell_len else text

    def _is_cut(self, node: TreeNode[Entry]) -> bool:
        """Whether `node`'s row shows its name cut (or scrolled off the pane's edge)."""
        return cell_len(_label(node).plain) + _icon_cells(node) > self._room(node)

    def full_name(self, node: TreeNode[Entry] | None) -> str:
        """What `node` stands for, in full: `repo/path` of a file or folder, `notes/x.md`."""
        entry = node.data if node is not None else None
        if entry is None:
            return ""
        if entry.kind == "note":
            try:
                return "notes/" + Path(entry.path).relative_to(entry.project.notes_dir).as_posix()
            except ValueError:
                return entry.path
        if entry.repo is not None and entry.path:
            return f"{entry.repo.name}/{entry.path}"
        return _label(node).plain if node is not None else ""

    def _say_full_name(self, focused: bool | None = None) -> None:
        """`focused`: the focus as it is about to be (Focus and Blur reach this class's
        handlers before Widget's own, which set `has_focus`)."""
        node = self.cursor_node
        name = ""
        if (self.has_focus if focused is None else focused) and node is not None and self._is_cut(node):
            name = self.full_name(node)
        if name != self._full_name:
            self._full_name = name
            self.post_message(self.FullName(name))

    @on(Tree.NodeHighlighted)
    def _highlighted(self) -> None:
        self._say_full_name()

    def on_focus(self) -> None:
        self._say_full_name(True)

    def on_blur(self) -> None:
        self._say_full_name(False)
        focused = self.screen.focused
        if focused is not None and focused is not self:  # not the terminal losing the focus
            self._dismiss()

    def on_resize(self) -> None:
        self._say_full_name()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.has_class("-overlay"):
            event.stop()
            self._dismiss()

    def _dismiss(self) -> None:
        if self.has_class("-overlay") and self.display:
            self.post_message(self.Dismissed())

    def _room(self, node: TreeNode[Entry]) -> int:
        """Cells left for `node`'s icon and name after its guides (as Textual measures them)."""
        depth = 0  # the node's ancestors, the root included
        while node.parent is not None:
            depth, node = depth + 1, node.parent
        if not self.show_root:  # the hidden root draws no guide (Textual's `_get_guide_width`)
            depth = max(0, depth - 1)
        return self.scrollable_content_region.width - depth * self.guide_depth

    def on_mount(self) -> None:
        self._populate()

    def show_workspace(self, workspace: Workspace) -> None:
        """Rebuild from a reloaded workspace (new commits checked out, projects added)."""
        self.workspace = workspace
        with self._index_lock:
            self._indexes.clear()
        self._loaded.clear()
        self._pending.clear()
        self.workers.cancel_group(self, "tree-fill")
        self.clear()
        self._populate()

    def _populate(self) -> None:
        for number, project in enumerate(self.workspace.projects):
            node = self.root.add(
                inert(project.name), Entry("project", project), expand=number == 0
            )
            for repo in project.repos:
                if repo.kind is RepoKind.UNINITIALIZED_SUBMODULE:
                    label = inert(f"{repo.name}  (not initialized: {repo.fix_command or ''})")
                    label.stylize("dim")
                    node.add_leaf(label, Entry("uninit", project, repo))
                else:
                    node.add(inert(repo.name + "/"), Entry("repo", project, repo))
            notes = node.add(inert("notes/"), Entry("notes", project), expand=number == 0)
            if number == 0:
                self._list_notes_now(notes)
        self.root.expand()

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[Entry]) -> None:
        event.stop()
        self._request(event.node)

    def _request(self, node: TreeNode[Entry]) -> None:
        if node.data is None or node.id in self._loaded:
            return
        if node.data.kind in ("repo", "folder", "notes"):
            self._loaded.add(node.id)
            self._pending.add(node.id)
            node.set_label(_label(node) + Text(" …", style="dim"))
            self._load_children(node)

    @work(thread=True, group="tree", exit_on_error=False)
    def _load_children(self, node: TreeNode[Entry]) -> None:
        entry = node.data
        assert entry is not None
        try:
            if entry.kind == "notes":
                self.post_message(self.NotesReady(node, *_notes_or_why(entry.project)))
                return
            assert entry.repo is not None
            index = self.index_for(entry.project, entry.repo)
            dirs, files = index.children(entry.path)
        except (ReadertuiError, OSError) as error:
            self.post_message(self.LoadFailed(node, str(error)))
            return
        why = index.unreadable_reason(entry.path)
        if why is None and entry.repo.is_git:
            why = unlistable(entry.repo.path / entry.path if entry.path else entry.repo.path)
        self.post_message(self.ChildrenReady(node, dirs, files, why))

    def index_for(self, project: Project, repo: Repo) -> FolderIndex:
        """The folder index of a repo, built once (call from a worker: it may run git)."""
        key = (project.name, repo.name)
        with self._index_lock:
            index = self._indexes.get(key)
            if index is None:
                index = self._indexes[key] = FolderIndex(self._list_files(project, repo))  # keeps a walk's unreadable folders
        return index

    def _clear_loading(self, node: TreeNode[Entry]) -> None:
        self._pending.discard(node.id)
        label = _label(node)
        if label.plain.endswith(" …"):
            node.set_label(label[:-2])

    @on(ChildrenReady)
    def _children_ready(self, event: ChildrenReady) -> None:
        if not self._in_tree(event.node):  # from before a reload
            return
        if event.unreadable is not None:
            self._mark_unreadable(event.node, event.unreadable)
        self._fill(event.node, event.dirs, event.files)

    def _mark_unreadable(self, node: TreeNode[Entry], why: str) -> None:
        """A folder that could not be listed says so, on its row and in a row inside it."""
        entry = node.data
        assert entry is not None
        label = _label(node)
        loading = label.plain.endswith(" …")
        base = label[:-2] if loading else label
        node.set_label(base + Text(" (unreadable)", style="bold red") + (Text(" …", style="dim") if loading else Text("")))
        reason = inert(f"cannot list this folder: {why}")
        reason.stylize("dim italic")
        node.add_leaf(reason, Entry("why", entry.project, entry.repo, entry.path))

    # A description of our own: by default `work` makes one by repr()-ing every argument.
    @work(group="tree-fill", description="add a folder's entries to the tree")
    async def _fill(self, node: TreeNode[Entry], dirs: list[str], files: list[str]) -> None:
        """Add a folder's entries a chunk per event-loop turn, then rebuild the lines once.

        Textual's `Tree` invalidates its line list on every `add` and rebuilds the whole of it
        on the next idle; 5,000 nodes added in slices through `call_later` (which never yields
        to the event loop) cost a growing rebuild per slice, one freeze of 0.2-0.4 s in all.
        Here the adds only create nodes, and the tree shows the folder as it was until the
        one rebuild at the end. An async worker, so that the tree's own messages (the keys)
        are handled between chunks. The labels are made here too, not in the listing thread:
        a thread's Python work stalls the event loop on the GIL, worst on a loaded machine.
        """
        entry = node.data
        assert entry is not None and entry.repo is not None
        try:
            for kind, paths in (("folder", dirs), ("file", files)):
                add = node.add if kind == "folder" else node.add_leaf
                slash = "/" if kind == "folder" else ""
                for start in range(0, len(paths), ADD_CHUNK):
                    with self.one_rebuild_later():
                        for path in paths[start : start + ADD_CHUNK]:
                            label = inert(path.rpartition("/")[2] + slash)
                            add(label, Entry(kind, entry.project, entry.repo, path))
                    await asyncio.sleep(0)
        finally:
            self._clear_loading(node)
            self.rebuild_lines()
            self._walk_to_target()

    def _in_tree(self, node: TreeNode[Entry]) -> bool:
        while node.parent is not None:
            node = node.parent
        return node is self.root

    def _list_notes_now(self, node: TreeNode[Entry]) -> None:
        """The first project's notes are on the first screen: a folder read here (about a
        millisecond) rather than a worker whose answer needed a second frame at start-up."""
        entry = node.data
        assert entry is not None
        try:
            notes, refused = _notes_or_why(entry.project)
        except (ReadertuiError, OSError):
            self._request(node)  # the worker reports why
            return
        self._loaded.add(node.id)
        if refused is not None:
            self._mark_refused(node, refused)
        self._add_note_nodes(node, notes)

    @on(NotesReady)
    def _add_notes(self, event: NotesReady) -> None:
        self._clear_loading(event.node)
        if event.refused is not None:
            self._mark_refused(event.node, event.refused)
        self._add_note_nodes(event.node, event.notes)
        self._walk_to_target()

    def _mark_refused(self, node: TreeNode[Entry], refused: tuple[str, str]) -> None:
        """A notes folder that cannot be listed, or leads outside the workspace, says so."""
        kind, detail = refused
        if kind == "unreadable":
            self._mark_unreadable(node, detail)
            return
        entry = node.data
        assert entry is not None
        node.set_label(_label(node) + Text(" (outside the workspace)", style="bold red"))
        reason = inert(f"not listed: it leads outside the workspace, to {detail}")
        reason.stylize("dim italic")
        node.add_leaf(reason, Entry("why", entry.project))

    def _add_note_nodes(self, node: TreeNode[Entry], notes: list[Path]) -> None:
        entry = node.data
        assert entry is not None
        for note in notes:
            label = note.relative_to(entry.project.notes_dir).as_posix()
            node.add_leaf(inert(label), Entry("note", entry.project, path=str(note)))

    # ---- reveal the file shown

    def reveal(self, location: Location) -> None:
        """Expand the folders down to `location`'s file (or note) and put the cursor on it,
        without taking the focus. Folders not listed yet load as on a click; the walk goes on
        as each arrives. Cheap on a big repo: one child scan per level, no full listing."""
        if location.repo is None:
            self._reveal_target = (location.project, None, location.path)
        else:  # (a folder may be cited with a trailing slash)
            self._reveal_target = (location.project, location.repo, location.path.strip("/"))
        self._walk_to_target()

    def _walk_to_target(self) -> None:
        target = self._reveal_target
        if target is None:
            return
        node: TreeNode[Entry] = self.root
        while True:
            child = next((c for c in node.children if self._leads_to(c, target)), None)
            if child is None:
                if node.id in self._pending:
                    return  # still loading: `_fill` walks on when it lands
                self._reveal_target = None  # not in the tree (ignored, deleted): give up
                return
            entry = child.data
            assert entry is not None
            reached = entry.kind in ("file", "note") or (
                entry.kind in ("repo", "folder") and entry.path == target[2]
            )  # (a folder cited: `llama.cpp`, `src/engine/`; a repo's entry path is "")
            if reached:
                self._reveal_target = None
                if entry.kind in ("repo", "folder") and not child.is_expanded:
                    child.expand()
                    self._request(child)
                self.get_node_at_line(0)  # the lines are rebuilt (after expands) before the move
                self.move_cursor(child, animate=False)
                return
            if not child.is_expanded:
                child.expand()
                self._request(child)  # now, not when NodeExpanded arrives: `_pending` knows
            node = child

    @staticmethod
    def _leads_to(node: TreeNode[Entry], target: tuple[str, str | None, str]) -> bool:
        """Whether `node` is the target (project, repo, path) or a folder on the way to it."""
        project, repo, path = target
        entry = node.data
        if entry is None or entry.project.name != project:
            return False
        if entry.kind == "project":
            return True
        if repo is None:  # a note: an absolute path under the project's notes folder
            return entry.kind == "notes" or (entry.kind == "note" and entry.path == path)
        if entry.repo is None or entry.repo.name != repo:
            return False
        if entry.kind == "repo":
            return True
        if entry.kind == "folder":
            return path == entry.path or path.startswith(entry.path + "/")
        return entry.kind == "file" and entry.path == path

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        self._clear_loading(event.node)
        self._loaded.discard(event.node.id)
        self.notify(event.error, severity="error", title="Cannot list files")

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Entry]) -> None:
        entry = event.node.data
        if entry is None:
            return
        if entry.kind == "file" and entry.repo is not None:
            event.stop()
            self.post_message(
                OpenLocation(Location(entry.project.name, entry.repo.name, entry.path))
            )
            self._dismiss()
        elif entry.kind == "note":
            event.stop()
            self.post_message(OpenNote(Path(entry.path)))
            self._dismiss()
        elif entry.kind == "uninit" and entry.repo is not None:
            event.stop()
            self.notify(
                f"{entry.repo.name} is not initialized. Run: {entry.repo.fix_command}",
                title="Submodule",
            )

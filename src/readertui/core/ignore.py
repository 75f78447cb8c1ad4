"""What the user marked as deliberately not code: ignore globs and inline markers (pure, no UI).

Notes mention runtime files (`store/state.db`) and machine paths that no repo holds; `check`
would report them broken forever. Two ways to say "this one is deliberate":

- globs in the workspace's `readertui.toml` (the file that names the workspace, or one at the
  workspace folder):

      [check]
      ignore = ["store/*.db", ".app/*"]          # every project
      [check.projects.minillm]
      ignore = ["runtime/**"]                    # one project

  A glob is matched against the path as the note wrote it (`./` dropped) and, when it resolved,
  against `<repo>/<path>` and `<path>` in the repo. `*` and `?` stay within a folder, `**`
  crosses folders, `[abc]` / `[!abc]` are character sets. A glob without `/` matches a file
  name in any folder.
- inline markers in the note: `<!-- readertui-ignore -->` on a line silences that line's
  citations (alone on a line, the block right below it: a paragraph, list or fenced block);
  `<!-- readertui-ignore-next-line -->` silences the next non-blank line.

A silenced citation that is broken becomes `ignored` (not broken); one that is fine stays as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from readertui.core.errors import WorkspaceError
from readertui.core.model import CitationResult, Status, Workspace

CONFIG_FILE = "readertui.toml"
MARK_LINE = "<!-- readertui-ignore -->"
MARK_NEXT = "<!-- readertui-ignore-next-line -->"
_MARK = re.compile(r"<!--[ \t]*readertui-ignore(?P<next>-next-line)?[ \t]*-->")
_FENCE = re.compile(r"[ \t>]{0,8}(`{3,}|~{3,})")


class IgnoreRules(msgspec.Struct, frozen=True):
    """Compiled globs: for every project, and per project name."""

    everywhere: tuple[str, ...] = ()
    per_project: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    source: str = ""  # the config file they came from, for details

    def matching(self, project: str, paths: list[str]) -> str | None:
        """The first glob of `project` (or of every project) that one of `paths` matches."""
        for glob in (*self.per_project.get(project, ()), *self.everywhere):
            pattern = _compiled(glob)
            for path in paths:
                if not path:
                    continue
                name = path.rstrip("/").rpartition("/")[2]
                if pattern.fullmatch(path) or ("/" not in glob and pattern.fullmatch(name)):
                    return glob
        return None


def glob_pattern(glob: str) -> re.Pattern[str]:
    """`store/*.db` as a regular expression; ValueError with a one-line reason when invalid."""
    if not isinstance(glob, str) or not glob.strip():
        raise ValueError("an empty glob matches nothing")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in glob):
        raise ValueError("control characters are not allowed in a glob")
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            close = glob.find("]", i + 2 if glob[i + 1 : i + 2] in ("!", "]") else i + 1)
            if close == -1:
                raise ValueError(f"'[' at position {i + 1} is never closed by ']'")
            body = glob[i + 1 : close]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            if not body:
                raise ValueError(f"empty character set at position {i + 1}")
            out.append("[" + ("^/" if negate else "") + re.escape(body).replace("\\-", "-") + "]")
            i = close + 1
        elif ch == "]":
            raise ValueError(f"']' at position {i + 1} closes no '['")
        else:
            out.append(re.escape(ch))
            i += 1
    try:
        return re.compile("".join(out))
    except re.error as error:  # a reversed range such as [z-a]
        raise ValueError(f"bad character set: {error}") from None


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(glob: str) -> re.Pattern[str]:
    if glob not in _CACHE:
        _CACHE[glob] = glob_pattern(glob)
    return _CACHE[glob]


def config_file(workspace: Workspace) -> Path | None:
    """The `readertui.toml` that configures `workspace`: the one at its folder, else the
    nearest above it (that is how the workspace was found)."""
    for folder in (workspace.root, *workspace.root.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        if workspace.git_root is not None and folder == workspace.git_root:
            break
    return None


def load_rules(workspace: Workspace) -> IgnoreRules:
    """The ignore globs of the workspace config; WorkspaceError (one line naming the file, the
    key and the glob) when the `[check]` table is malformed or a glob is invalid."""
    path = config_file(workspace)
    if path is None:
        return IgnoreRules()
    import tomllib  # only a workspace with a config file pays for it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise WorkspaceError(f"{path}: cannot read it: {error}") from None
    check = data.get("check", {})
    if not isinstance(check, dict):
        raise WorkspaceError(f"{path}: [check] must be a table, like [check] ignore = [\"store/*.db\"]")
    unknown = sorted(set(check) - {"ignore", "projects"})
    if unknown:
        raise WorkspaceError(f"{path}: [check] has no key {unknown[0]!r} (keys: ignore, projects)")
    everywhere = _globs(path, "[check] ignore", check.get("ignore", []))
    projects = check.get("projects", {})
    if not isinstance(projects, dict):
        raise WorkspaceError(f"{path}: [check.projects] must hold one table per project")
    per_project: dict[str, tuple[str, ...]] = {}
    names = {project.name for project in workspace.projects}
    for name, table in projects.items():
        where = f"[check.projects.{name}]"
        if not isinstance(table, dict) or set(table) - {"ignore"}:
            raise WorkspaceError(f"{path}: {where} takes one key, ignore = [\"<glob>\", ...]")
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            raise WorkspaceError(f"{path}: {where}: no project {name!r} in the workspace (projects: {known})")
        per_project[name] = _globs(path, f"{where} ignore", table.get("ignore", []))
    return IgnoreRules(everywhere, per_project, str(path))


def _globs(path: Path, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise WorkspaceError(f"{path}: {key} must be a list of globs, like [\"store/*.db\"]")
    for index, glob in enumerate(value):
        if not isinstance(glob, str):
            raise WorkspaceError(f"{path}: {key}[{index}] must be a string glob, not {type(glob).__name__}")
        try:
            _compiled(glob)
        except ValueError as error:
            raise WorkspaceError(f"{path}: {key}[{index}] = {_shown(glob)} is not a valid glob: {error}") from None
    return tuple(value)


def _shown(glob: str) -> str:
    text = glob if len(glob) <= 80 else glob[:77] + "…"
    return '"' + "".join(ch if ch.isprintable() else "?" for ch in text) + '"'


def silenced_lines(text: str) -> frozenset[int]:
    """Note lines (1-based) whose citations the inline markers silence."""
    if "readertui-ignore" not in text:
        return frozenset()
    lines = text.split("\n")
    silenced: set[int] = set()
    for index, line in enumerate(lines):
        mark = _MARK.search(line)
        if mark is None:
            continue
        alone = not _MARK.sub("", line).strip()
        if mark["next"]:
            following = next((j for j in range(index + 1, len(lines)) if lines[j].strip()), None)
            if following is not None:
                silenced.add(following + 1)
        elif not alone:
            silenced.add(index + 1)
        else:
            silenced.update(line + 1 for line in _block_below(lines, index + 1))
    return frozenset(silenced)


def _block_below(lines: list[str], start: int) -> range:
    """The block starting at line index `start`: a fenced block to its closing fence (or the
    end), else the lines up to the next blank one."""
    fence = _FENCE.match(lines[start]) if start < len(lines) else None
    if fence is not None:
        marker = fence.group(1)
        for end in range(start + 1, len(lines)):
            if lines[end].lstrip(" \t>").startswith(marker[0] * len(marker)):
                return range(start, end + 1)
        return range(start, len(lines))
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return range(start, end)


_BROKEN = frozenset(status for status in Status if status.broken)  # (looked up once per result)


def apply(
    results: list[CitationResult], project: str, rules: IgnoreRules, silenced: dict[Path, frozenset[int]]
) -> list[CitationResult]:
    """Broken results that a glob or a marker covers become `ignored`, with the reason."""
    out: list[CitationResult] = []
    for result in results:
        if result.status in _BROKEN:
            reason = None
            if result.citation.line in silenced.get(result.note, frozenset()):
                reason = "an inline readertui-ignore marker"
            else:
                written = (result.citation.path or "").removeprefix("./")
                resolved = [f"{result.repo}/{result.path}", result.path or ""] if result.repo else []
                glob = rules.matching(project, [written, *resolved])
                if glob is not None:
                    reason = f"ignore glob {glob!r}"
            if reason is not None:
                result = msgspec.structs.replace(
                    result, status=Status.IGNORED,
                    detail=f"ignored by {reason} (was {result.status.value}: {result.detail})",
                )
        out.append(result)
    return out

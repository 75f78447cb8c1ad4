"""`add`: a new research project in one step — folder, code as a git submodule, five notes.

The URL is validated before git runs (no option-like URLs, no `<transport>::` remote helpers,
no unknown schemes). Everything the step changes is recorded first, and on any failure
(including Ctrl-C) put back: the project folder, `.gitmodules` (bytes and index entry), the
submodule's index entry, its `submodule.<name>` config section and `.git/modules/<name>`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import msgspec

from readertui.core import git
from readertui.core.errors import GitError, ReadertuiError, WorkspaceError
from readertui.core.preconditions import require_unlocked
from readertui.core.workspace import NOTES_DIR, find_workspace

URL_SCHEMES = frozenset({"https", "http", "ssh", "git", "git+ssh", "ssh+git", "file"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_TRANSPORT = re.compile(r"[A-Za-z0-9][A-Za-z0-9+.-]*::")  # `ext::…`, `fd::…`, any remote helper
_SCP_LIKE = re.compile(r"([A-Za-z0-9._~+][A-Za-z0-9._~+-]*)@([A-Za-z0-9_][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\]):(.+)")
_FOLDER_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+-]*")


class UrlError(ReadertuiError):
    """A URL `add` refuses to hand to git."""


class Source(msgspec.Struct, frozen=True):
    """A validated clone source: what git is given, and whether it is on this machine."""

    url: str  # local paths are made absolute (git reads relative ones against the kb's remote)
    local: bool


class AddedProject(msgspec.Struct, frozen=True):
    project: Path
    repo: Path
    notes: tuple[Path, ...]
    url: str
    commit: str
    tag: str | None
    superproject: Path


def _shown(url: str) -> str:
    """The URL quoted for a one-line message: control characters escaped, length bounded."""
    text = repr(url)
    return text if len(text) <= 200 else text[:197] + "..."


def check_url(url: str, cwd: Path | None = None) -> Source:
    """Accept https/http/ssh/git/file URLs, scp-like `user@host:path` and existing local
    folders; raise UrlError for anything else (before any git command sees it)."""
    if not url:
        raise UrlError("the URL is empty")
    if url.startswith("-"):
        raise UrlError(f"refusing URL {_shown(url)}: it starts with '-' and would be read as a git option")
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in url):
        raise UrlError(f"refusing URL {_shown(url)}: it contains whitespace or control characters")
    if _TRANSPORT.match(url):
        raise UrlError(
            f"refusing URL {_shown(url)}: '<transport>::' remote helpers (like ext::) can run commands"
        )
    scheme = _SCHEME.match(url)
    if scheme:
        return _check_scheme_url(url, scheme.group(1).lower())
    scp = _SCP_LIKE.fullmatch(url)
    if scp:
        user, host, path = scp.groups()
        if host.startswith("-") or path.startswith("-"):
            raise UrlError(f"refusing URL {_shown(url)}: host or path starts with '-'")
        return Source(url, local=False)
    local = Path(os.path.expanduser(url))
    if not local.is_absolute():
        local = (cwd or Path.cwd()) / local
    try:
        if local.is_dir():
            return Source(str(local.resolve()), local=True)
    except OSError:  # a name too long for the file system is no folder of ours either
        pass
    raise UrlError(
        f"unknown URL form {_shown(url)}: use https://, ssh://, git://, file://, user@host:path "
        "or an existing local folder"
    )


def _check_scheme_url(url: str, scheme: str) -> Source:
    if scheme not in URL_SCHEMES:
        raise UrlError(f"refusing URL {_shown(url)}: unknown scheme {scheme!r} (use https, ssh, git or file)")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as error:
        raise UrlError(f"refusing URL {_shown(url)}: {error}") from error
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise UrlError(f"refusing URL {_shown(url)}: a file URL is file:///absolute/path")
        return Source(url, local=True)
    if not host or host.startswith("-") or (parts.username or "").startswith("-"):
        raise UrlError(f"refusing URL {_shown(url)}: it has no host, or the host or user starts with '-'")
    if parts.path.strip("/") == "":
        raise UrlError(f"refusing URL {_shown(url)}: it names no repository")
    return Source(url, local=False)


def _check_local_repository(source: Source) -> None:
    """A folder on this machine that git would not find a repository in is refused in words
    the user can act on (git itself says "repository ... does not exist")."""
    if not source.local:
        return
    folder = source.url
    if _SCHEME.match(folder):  # file:///path
        folder = unquote(urlsplit(folder).path)
    if not os.path.isdir(folder) or _git_finds_repository(folder):
        return  # a missing path, a bundle: git's own message says it best
    raise ReadertuiError(
        f"{_shown(folder)} is a folder but not a git repository (no .git in it, not a bare "
        "repository); give the folder of a clone, or its URL"
    )


def _git_finds_repository(folder: str) -> bool:
    """Whether `git clone folder` finds a repository: git tries `folder/.git`, `folder`,
    `folder.git/.git` and `folder.git` — a directory with HEAD, objects/ and refs/, or a
    `.git` file pointing to one — and bundle files (any file here is left to git)."""
    for candidate in (f"{folder}/.git", folder, f"{folder}.git/.git", f"{folder}.git", f"{folder}.bundle"):
        try:
            if os.path.isfile(candidate):
                return True
            base = Path(candidate)
            if (base / "HEAD").is_file() and (base / "objects").is_dir() and (base / "refs").is_dir():
                return True
        except OSError:
            continue
    return False


def repo_name_from_url(url: str) -> str | None:
    """The repository's folder name: the URL's last path part without `.git`
    (`https://github.com/microsoft/DeepSpeed.git` → `DeepSpeed`); None when there is none."""
    if _SCHEME.match(url):
        try:
            path = urlsplit(url).path
        except ValueError:  # a malformed URL (say an unclosed `[` host) names nothing
            return None
    elif _SCP_LIKE.fullmatch(url):
        path = url.split(":", 1)[1]
    else:
        path = url
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if name.endswith(".git"):
        name = name[: -len(".git")]
    return name if _FOLDER_NAME.fullmatch(name) else None


def _check_folder_name(what: str, option: str, name: str) -> None:
    if not _FOLDER_NAME.fullmatch(name) or name.lower() == NOTES_DIR:
        raise ReadertuiError(
            f"{what} name {name!r} is not a plain folder name (letters, digits, . _ + -, not starting "
            f"with '.' or '-', not 'notes'); choose one with {option}"
        )


def _workspace_root(start: Path) -> Path:
    """The workspace found from `start`; a folder with no project yet is the workspace itself."""
    try:
        return find_workspace(start).root
    except WorkspaceError:
        folder = Path(start).expanduser().resolve()
        if folder.is_dir():
            return folder
        raise


class _Undo(msgspec.Struct):
    """What `git submodule add` may touch, recorded before it runs, and how to put it back."""

    top: Path
    path: str  # submodule path (and name), relative to `top`
    project: Path
    modules_dir: Path
    gitmodules: bytes | None
    gitmodules_entry: str
    had_config_section: bool
    modules_parents_before: frozenset[Path]

    @classmethod
    def record(cls, top: Path, path: str, project: Path) -> _Undo:
        gitmodules_file = top / ".gitmodules"
        modules_root = git.git_common_dir(top) / "modules"
        modules_dir = modules_root / path
        return cls(
            top=top,
            path=path,
            project=project,
            modules_dir=modules_dir,
            modules_parents_before=frozenset(p for p in modules_dir.parents if p.is_dir()),
            gitmodules=gitmodules_file.read_bytes() if gitmodules_file.is_file() else None,
            gitmodules_entry=git.run_in(top, "ls-files", "-s", "--", ".gitmodules"),
            had_config_section=_config_has_submodule(top, path),
        )

    def restore(self) -> list[str]:
        """Put everything back; returns what could not be undone (normally nothing)."""
        failures: list[str] = []
        steps: list[tuple[str, Callable[[], object]]] = [
            (f"remove {self.project}", lambda: _remove_tree(self.project)),
            (f"remove {self.modules_dir}", self._remove_modules_dir),
            ("restore .gitmodules", self._restore_gitmodules),
            (f"unstage {self.path}", self._unstage),
            ("restore the index entry of .gitmodules", self._restore_gitmodules_entry),
            (f"remove the submodule.{self.path} config", self._restore_config),
        ]
        for what, step in steps:
            try:
                step()
            except (OSError, ReadertuiError) as error:
                failures.append(f"{what}: {error}")
        return failures

    def _unstage(self) -> None:
        """Take the submodule out of the index when `submodule add` staged it (only then: a
        failure before it staged anything leaves nothing to undo there)."""
        staged = git.run_in(self.top, "--literal-pathspecs", "ls-files", "-s", "--", self.path)
        if any(line.partition("\t")[2] == self.path for line in staged.splitlines()):
            git.run_in(self.top, "update-index", "--force-remove", "--", self.path)

    def _remove_modules_dir(self) -> None:
        """The clone's git dir, and the parent folders git made for it (`modules/<project>/`)."""
        _remove_tree(self.modules_dir)
        folder = self.modules_dir.parent
        while folder not in self.modules_parents_before and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

    def _restore_gitmodules(self) -> None:
        target = self.top / ".gitmodules"
        current = target.read_bytes() if target.is_file() else None
        if current == self.gitmodules:
            return
        if self.gitmodules is None:
            target.unlink()
        else:
            target.write_bytes(self.gitmodules)

    def _restore_gitmodules_entry(self) -> None:
        if git.run_in(self.top, "ls-files", "-s", "--", ".gitmodules") == self.gitmodules_entry:
            return
        if not self.gitmodules_entry:
            git.run_in(self.top, "update-index", "--force-remove", "--", ".gitmodules")
            return
        mode, sha, _stage = self.gitmodules_entry.split("\t", 1)[0].split()
        git.run_in(self.top, "update-index", "--add", "--cacheinfo", f"{mode},{sha},.gitmodules")

    def _restore_config(self) -> None:
        if not self.had_config_section and _config_has_submodule(self.top, self.path):
            git.run_in(self.top, "config", "--remove-section", f"submodule.{self.path}")


def _config_has_submodule(top: Path, path: str) -> bool:
    """Whether the repository's own config has a `submodule.<path>.*` key."""
    try:
        names = git.run_in(top, "config", "--local", "--name-only", "--get-regexp", "^submodule[.]")
    except GitError:  # git config exits 1 when nothing matches
        return False
    return any(line.startswith(f"submodule.{path}.") for line in names.splitlines())


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def add_project(
    start: Path,
    url: str,
    *,
    name: str | None = None,
    repo_name: str | None = None,
    clock: Callable[[], datetime] = datetime.now,
    cwd: Path | None = None,
    before_clone: Callable[[str, Path], None] | None = None,
) -> AddedProject:
    """Create `<workspace>/<name>/<repo_name>` as a submodule of the enclosing repository plus
    `<name>/notes/` with the five standard notes. Leaves nothing behind when it fails.

    `before_clone(url, folder)` is called once everything is checked, just before the clone
    (which can take minutes), so a caller can say what is happening."""
    source = check_url(url, cwd)
    _check_local_repository(source)
    for given, option in ((name, "--name"), (repo_name, "--repo-name")):
        if given is not None and not given.strip():
            raise ReadertuiError(f"the {option} given is empty; give a folder name, or leave {option} out for the default")
    repo_name = repo_name if repo_name is not None else repo_name_from_url(source.url)
    if not repo_name:
        raise ReadertuiError(f"cannot tell the repository's name from {_shown(url)}; give it with --repo-name")
    _check_folder_name("repository", "--repo-name", repo_name)
    name = name if name is not None else repo_name.lower()
    _check_folder_name("project", "--name", name)

    root = _workspace_root(start)
    top = git.toplevel(root)
    if top is None:
        raise GitError(
            f"{root} is not inside a git repository (the code is added as a submodule); "
            f"run `git -C {root} init` first"
        )
    top = top.resolve()
    project = root / name
    if os.path.lexists(project):
        raise ReadertuiError(f"{project} already exists; choose another project name with --name")
    # `git submodule add` stages into the superproject's index: a held index.lock makes it
    # fail after the clone, and the cleanup's unstaging with it. Refused before anything.
    require_unlocked(top)
    repo_dir = project / repo_name
    path = repo_dir.relative_to(top).as_posix()
    if any(info.path == path or info.name == path for info in git.submodules(top)):
        raise GitError(f"{path} is already a submodule in {top / '.gitmodules'}; remove it or choose --name")
    undo = _Undo.record(top, path, project)
    if undo.modules_dir.exists():
        raise GitError(
            f"{undo.modules_dir} is left from an earlier submodule at {path}; delete it or choose --name"
        )
    if before_clone is not None:
        before_clone(source.url, repo_dir)
    with _signals_as_interrupts():
        return _add(project, repo_dir, repo_name, source, top, path, undo, clock)


def _add(
    project: Path,
    repo_dir: Path,
    repo_name: str,
    source: Source,
    top: Path,
    path: str,
    undo: _Undo,
    clock: Callable[[], datetime],
) -> AddedProject:
    try:
        project.mkdir()
        git.run_in(
            top, "submodule", "add", "--quiet", "--", source.url, path,
            extra_config=("protocol.file.allow=always",) if source.local else (),
        )
        commit = git.read_head(repo_dir)
        if commit is None:
            raise GitError(f"{source.url} has no commits to study; add a repository with history")
        tag = git.GitRepo(repo_dir).describe(commit)
        notes = write_notes(project / NOTES_DIR, repo_name, source.url, commit, tag, clock().date().isoformat())
    except BaseException as error:
        failures = undo.restore()
        if isinstance(error, KeyboardInterrupt):
            raise Interrupted(getattr(error, "signum", signal.SIGINT), failures) from error
        if not isinstance(error, ReadertuiError):
            raise
        if failures:
            raise ReadertuiError(f"{error}; cleaning up also failed: {'; '.join(failures)}") from error
        raise type(error)(f"{error}; nothing was changed") from error
    return AddedProject(project, repo_dir, notes, source.url, commit, tag, top)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived during `add`: handled like Ctrl-C (everything is put back)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


class Interrupted(KeyboardInterrupt):
    """`add` was stopped by a signal (`signum`) and what it had done was put back; `failures`
    says what could not be. Its text is the one line the command prints."""

    def __init__(self, signum: int, failures: list[str]) -> None:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        undone = f"cleaning up failed: {'; '.join(failures)}" if failures else "nothing was added"
        super().__init__(f"add interrupted ({name}): {undone}")
        self.signum, self.failures = signum, tuple(failures)


@contextmanager
def _signals_as_interrupts() -> Iterator[None]:
    """Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal, `kill`) raise KeyboardInterrupt
    (`Terminated` for the last two) while `add` changes things, so they all get the rollback.
    Only the first one does: the ones after it, while git is being stopped and everything put
    back, are ignored, so a second Ctrl-C cannot cut the rollback short. A signal ignored when
    `add` starts (`nohup`) stays ignored. Only the main thread can do this."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def interrupt(signum: int, _frame: object) -> None:
        nonlocal fired
        if fired:
            return
        fired = True
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)

    wanted = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]
    saved = {}
    for signum in wanted:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            saved[signum] = signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def write_notes(notes_dir: Path, repo: str, url: str, commit: str, tag: str | None, day: str) -> tuple[Path, ...]:
    """The five standard notes of a new project (refuses to overwrite any file)."""
    contents = {
        "overview.md": (
            f"# {repo} — overview\n\n"
            f"- **Repository**: {url}\n"
            f"- **Commit**: `{commit}`\n"
            f"- **Tag**: {tag or 'none'}\n"
            f"- **Date**: {day}\n\n"
            "## What it is\n\n"
            "## Why study it\n\n"
            "## Where to start reading\n"
        ),
        "architecture.md": (
            f"# {repo} — architecture\n\n"
            "## Modules\n\n"
            "## Dependencies\n\n"
            "## Data flow\n"
        ),
        "core-insights.md": (
            f"# {repo} — core insights\n\n"
            # The example sits in an HTML comment so a fresh project has no broken citation.
            "Key techniques and clever designs, each citing the code it is about.\n"
            f"<!-- e.g. `{repo}/<path>:<start>-<end>`, as the status line shows it -->\n"
        ),
        "code-reading-log.md": (
            "# Code reading log\n\n"
            "One `## YYYY-MM-DD` section per day, in date order; each entry cites the code it is about.\n"
        ),
        "references.md": (
            f"# {repo} — references\n\n"
            "## Papers\n\n"
            "## Posts and talks\n\n"
            "## Issues and discussions\n"
        ),
    }
    notes_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in contents.items():
        path = notes_dir / file_name
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(path)
    return tuple(written)

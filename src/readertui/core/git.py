"""The one place that runs git: argument lists, safe settings, GitPython for repositories.

Every call carries settings that keep untrusted repositories and missing networks harmless:
no terminal prompts, no pager, no `ext::` transport, no fsmonitor, no hooks, no optional locks.
Costs were measured on a 50,000-file repository and decide the calls used here: `ls-files`
(~15 ms) over GitPython's index (~280 ms); blobs through GitPython's persistent
`cat-file --batch` (no process per file, no checkout); dirty checks (up to seconds) never on a
hot path; HEAD read from the ref files (no process at all).

One-off commands run through `subprocess`, and GitPython (~140 ms of imports) is opened only
when a `GitRepo` first needs its persistent `cat-file` (after a few single reads) or its config
reader: finding the workspace needs only `rev-parse` and `config`, and `check` lists, counts
and batch-reads through plain processes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Self

import msgspec

from readertui.core.errors import GitError

# `-c` settings on every git command (also passed to GitPython's `cat-file --batch`).
SAFE_CONFIG = (
    "protocol.ext.allow=never",
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.quotePath=false",
    "submodule.recurse=false",  # a checkout never walks into nested submodules' own config
)
SAFE_ENV = {
    "GIT_TERMINAL_PROMPT": "0",  # fail instead of asking for a password
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",  # reads never take index.lock from under the user's git
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
}

_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-fA-F]{4,64}")
_BLOB_CACHE_BYTES = 64 * 1024 * 1024
_BLOB_CACHE_MAX_ITEM = 8 * 1024 * 1024
_LIST_CACHE_COMMITS = 8


def short(sha: str) -> str:
    """The 7-character abbreviation people write in notes."""
    return sha[:7]


def is_full_sha(text: str) -> bool:
    return bool(_FULL_SHA.fullmatch(text))


class UntrustedConfigError(GitError):
    """The repository's own config would make git run a program; nothing was fetched or
    checked out. `keys` names the settings."""

    def __init__(self, path: Path, keys: tuple[str, ...]) -> None:
        super().__init__(
            f"the git config of {path} would run commands ({', '.join(keys)}); nothing was fetched "
            f"or checked out. Review them (`git -C {path} config --list --show-origin` shows "
            "included files too), remove them, or pass --trust-repo-config if you trust this "
            "repository"
        )
        self.keys = keys


# Settings of a repository's own config (local and worktree scope, included files too) that make
# git run a program on fetch, checkout or status. A workspace copied from someone else brings
# its submodules' config along: readertui does not run those programs unless the user says so.
_COMMAND_KEYS = re.compile(
    r"core\.(sshcommand|gitproxy|askpass|hookspath|alternaterefscommand)"
    r"|remote\..+\.(uploadpack|receivepack|vcs)"
    r"|filter\..+\.(clean|smudge|process)"
    r"|credential(\..+)?\.helper"
    r"|diff\..+\.(textconv|command)|diff\.external"
    r"|merge\..+\.driver"
    r"|gpg(\..+)?\.program"
    r"|ssh\.variant"
    r"|uploadpack\.packobjectshook"
    r"|submodule\..+\.update"
)
_BOOLEAN = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0", ""})


def repo_config_commands(work_tree: Path) -> tuple[tuple[str, str], ...]:
    """(key, value) of the repository's own config settings that would run a program; read with
    `git config`, which runs nothing."""
    try:
        raw = _run(work_tree, ["config", "--list", "--show-scope", "--includes", "-z"], strip=False)
    except GitCommandError:
        return ()
    found: list[tuple[str, str]] = []
    fields = raw.split("\0")
    for scope, entry in zip(fields[::2], fields[1::2]):
        if scope not in ("local", "worktree"):
            continue
        key, _, value = entry.partition("\n")
        key = key.lower()
        if key == "core.fsmonitor" and value.strip().lower() not in _BOOLEAN:
            found.append((key, value))  # a hook program, not the built-in daemon
        elif _COMMAND_KEYS.fullmatch(key):
            found.append((key, value))
    return tuple(found)


class GitCommandError(Exception):
    """A git command exited non-zero or ran past its timeout (`status` None)."""

    def __init__(self, args: list[str], status: int | None, stderr: str) -> None:
        super().__init__(f"git {' '.join(args[:3])} exited with {status}: {stderr.strip()}")
        self.status, self.stderr = status, stderr


def _gitpython() -> ModuleType:
    """GitPython, imported when the first `GitRepo` is opened."""
    import git

    return git


# Blobs read through a `cat-file` process each before GitPython's persistent one is opened.
_ONE_SHOT_READS = 8


def _plain_git_dir(path: Path) -> Path | None:
    """The git directory of the work tree at `path` when its `.git` plainly holds one (a
    directory with HEAD, or a `gitdir:` file naming such a directory, as a submodule has);
    None when that takes more judgement (GitPython decides then)."""
    dot_git = path / ".git"
    try:
        if dot_git.is_dir():
            found = dot_git
        elif dot_git.is_file():
            head, _, rest = dot_git.read_text(encoding="utf-8").partition(":")
            if head != "gitdir" or not rest.strip():
                return None
            found = (path / rest.strip()).resolve()
        else:
            return None
        config = (found / "config").read_text(encoding="utf-8", errors="replace")
    except (OSError, UnicodeDecodeError):
        return None
    if not (found / "HEAD").is_file() or re.search(r"(?im)^\s*bare\s*=\s*true", config):
        return None
    return found


def _safe_options() -> list[str]:
    options: list[str] = []
    for setting in SAFE_CONFIG:
        options += ["-c", setting]
    return options


_GENERIC_LINES = ("fatal: Could not read from remote repository.",)


def _one_line(text: str) -> str:
    """The most telling line of git's stderr (its first specific `fatal:`/`error:` line)."""
    text = text.strip()
    if text.startswith("stderr: '") and text.endswith("'"):  # GitPython's wrapping
        text = text[len("stderr: '") : -1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")) and line not in _GENERIC_LINES:
            return line
    return lines[-1] if lines else "no message"


def _command(args: list[str], extra_config: tuple[str, ...] = ()) -> list[str]:
    command = ["git", *_safe_options()]
    for setting in extra_config:
        command += ["-c", setting]
    return command + args


def _environment() -> dict[str, str]:
    # English messages whatever the user's locale (as GitPython does): `_one_line` reads them.
    return {**os.environ, **SAFE_ENV, "LANGUAGE": "C", "LC_ALL": "C"}


def _execute(
    cwd: Path,
    args: list[str],
    timeout: float | None,
    new_session: bool,
    extra_config: tuple[str, ...],
    stdin: bytes | None = None,
) -> bytes:
    """git's stdout; GitCommandError on failure or timeout, GitError when git is missing."""
    try:
        process = subprocess.Popen(
            _command(args, extra_config),
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=new_session,  # no controlling terminal: ssh cannot prompt
        )
    except FileNotFoundError as error:
        if Path(cwd).is_dir():
            raise GitError("git is not installed or not on PATH; install git and retry") from error
        raise GitCommandError(args, None, f"fatal: no folder {cwd}") from error
    except NotADirectoryError as error:
        raise GitCommandError(args, None, f"fatal: {cwd} is not a folder") from error
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM/SIGHUP during `add`: stop git too
        if new_session:
            _stop_group(process)
        else:
            process.kill()
            process.wait()
        raise
    except subprocess.TimeoutExpired:
        if new_session:  # the whole group: fetch's ssh or remote helper too
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.communicate()
        raise GitCommandError(args, None, f"fatal: no answer within {timeout:g} s") from None
    if process.returncode != 0:
        raise GitCommandError(args, process.returncode, err.decode("utf-8", "replace"))
    return out


# How long git gets to stop by itself (remove its lock files and partial clone) after SIGTERM,
# and how long its process tree then gets to vanish after SIGKILL.
STOP_GRACE = 2.0
KILL_WAIT = 10.0


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop git and everything it started (its session: `submodule--helper`, `clone`, ssh or
    `upload-pack`, `pack-objects`, `index-pack`) and return once they are gone, so nothing
    writes into what the caller removes next. One SIGTERM (git then removes its lock files
    and partial clone; a second one would cut that short), SIGKILL after `STOP_GRACE`."""
    group = process.pid  # a new session's id is its leader's pid, also once the leader is gone
    _signal_group(group, signal.SIGTERM)
    if not _group_gone(process, group, STOP_GRACE, 0):
        _group_gone(process, group, KILL_WAIT, signal.SIGKILL)
    process.wait()
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def _group_gone(process: subprocess.Popen[bytes], group: int, wait: float, signum: int) -> bool:
    """Whether the process group stops running within `wait` s, sending it `signum` (0: none)
    while it does not (SIGKILL again catches a process forked meanwhile)."""
    deadline = time.monotonic() + wait
    while True:
        if process.returncode is None:
            process.poll()  # reap the leader
        if signum:
            _signal_group(group, signum)
        if not _group_running(group):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.03)


def _signal_group(group: int, signum: int) -> bool:
    """Send `signum` to the process group; False when no process is left in it."""
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):  # none left (or none that is ours)
        return False
    return True


def _group_running(group: int) -> bool:
    """Whether a process of the group still runs. Orphans that died but that init has not
    reaped yet (zombies: they write nothing any more) do not count where /proc tells them
    apart; elsewhere they do, until the caller's deadline."""
    if not _signal_group(group, 0):
        return False
    try:
        entries = os.scandir("/proc")
    except OSError:
        return True
    wanted = str(group).encode()
    with entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:  # gone meanwhile
                continue
            fields = stat.rpartition(b")")[2].split()  # state, ppid, pgrp, ...
            if len(fields) > 2 and fields[2] == wanted and fields[0] not in (b"Z", b"X"):
                return True
    return False


def _run(
    cwd: Path,
    args: list[str],
    *,
    timeout: float | None = None,
    new_session: bool = False,
    extra_config: tuple[str, ...] = (),
    strip: bool = True,
) -> str:
    """Run `git <safe options> <args>` in `cwd`; raise GitCommandError on failure."""
    text = _execute(cwd, args, timeout, new_session, extra_config).decode("utf-8", "surrogateescape")
    return text[:-1] if strip and text.endswith("\n") else text


def _run_bytes(cwd: Path, args: list[str]) -> bytes:
    """Like `_run`, for output that is data (a blob), returned undecoded."""
    return _execute(cwd, args, None, False, ())


def _failure(action: str, where: Path, error: Exception, fix: str = "") -> GitError:
    detail = _one_line(str(getattr(error, "stderr", "") or error))
    message = f"{action} failed in {where}: {detail}"
    if fix:
        message += f"; {fix}"
    return GitError(message)


def _batch_safe(path: str) -> bool:
    """Whether `cat-file --batch` can be asked for `path`: one line, encodable as UTF-8."""
    if "\n" in path or "\r" in path:
        return False
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # a non-UTF-8 name read back with surrogate escapes
        return False
    return True


def _check_ref(ref: str) -> bool:
    """Refs must not look like options nor break `cat-file --batch`'s line protocol."""
    return bool(ref) and not ref.startswith("-") and not any(c in ref for c in "\n\r\0")


def toplevel(path: Path) -> Path | None:
    """The top of the git work tree enclosing `path` (a file or folder), or None."""
    folder = path if path.is_dir() else path.parent
    if not folder.is_dir():
        return None
    try:
        top = _run(folder, ["rev-parse", "--show-toplevel"])
    except (GitCommandError, GitError):  # not in a work tree, or no git: a plain folder
        return None
    return Path(top) if top else None


def _git_dir(work_tree: Path) -> Path | None:
    """The git directory of a work tree: `.git/`, or where a `.git` file points."""
    dot_git = work_tree / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:") :].strip())
    return (work_tree / target).resolve() if not target.is_absolute() else target


def _common_dir(git_dir: Path) -> Path:
    """Where a linked worktree's git dir keeps the shared refs (`commondir`), else `git_dir`."""
    try:
        return (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except (OSError, UnicodeDecodeError):
        return git_dir


def _read_ref(git_dir: Path, ref: str, depth: int = 0) -> str | None:
    common = _common_dir(git_dir)
    for base in (git_dir, common):
        try:
            value = (base / ref).read_text(encoding="utf-8").strip()
        except OSError:
            continue
        except UnicodeDecodeError:  # a garbled ref file holds no commit
            return None
        if value.startswith("ref:"):
            return _read_ref(git_dir, value[4:].strip(), depth + 1) if depth < 5 else None
        return value if is_full_sha(value) else None
    try:
        packed = (common / "packed-refs").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in packed.splitlines():
        sha, _, name = line.partition(" ")
        if name == ref and is_full_sha(sha):
            return sha
    return None


def head_problem(work_tree: Path) -> str | None:
    """Why the `HEAD` of the work tree's git directory is unusable (missing, unreadable, empty,
    not UTF-8, or not a sha nor a `ref: refs/…` line), for a message that starts with the work
    tree; None when it is fine or there is no git dir. A `ref:` to a branch without a commit is
    not judged here (a new repository has one): `no_commit_reason` says that."""
    trouble = _head_trouble(work_tree)
    return f"{work_tree}: {trouble}" if trouble is not None else None


def _head_trouble(work_tree: Path) -> str | None:
    """`head_problem` without the work tree in front: `<git dir>/HEAD is …`."""
    git_dir = _git_dir(work_tree)
    if git_dir is None or not git_dir.is_dir():
        return None
    file = git_dir / "HEAD"
    try:
        head = file.read_bytes()
    except FileNotFoundError:
        return f"{file} is missing"
    except OSError as error:
        return f"{file} is unreadable ({error.strerror or error})"
    try:
        text = head.decode("utf-8").strip()
    except UnicodeDecodeError:
        return f"{file} is garbled (not UTF-8 text, so not a commit nor a ref)"
    if not text:
        return f"{file} is empty (it should name a commit or a branch)"
    if is_full_sha(text) or re.fullmatch(r"ref:\s*refs/\S+", text):
        return None
    return f"{file} is garbled (holds {_one_line(text)[:40]!r}, not a commit nor a ref)"


def no_commit_reason(work_tree: Path, *, with_repo: bool = True) -> str:
    """Why no commit is checked out in `work_tree` (`read_head` gave None), naming its HEAD file:
    what `head_problem` says, or the branch HEAD names that has no commit (a new repository, or
    a branch deleted under it). `with_repo=False` leaves out the leading `<work tree>: ` for a
    message that names the repository already."""
    lead = f"{work_tree}: " if with_repo else ""
    if (trouble := _head_trouble(work_tree)) is not None:
        return lead + trouble
    git_dir = _git_dir(work_tree)
    if git_dir is None or not git_dir.is_dir():
        return f"{work_tree} is not a git repository (no .git inside it)"
    try:
        text = (git_dir / "HEAD").read_bytes().decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    if not text.startswith("ref:"):
        return f"{work_tree} has no commit checked out"
    ref = text[4:].strip()
    branch = ref[len("refs/heads/") :] if ref.startswith("refs/heads/") else ref
    reason = f"{lead}{git_dir / 'HEAD'} names branch {branch!r}, which has no commit"
    for base in dict.fromkeys((git_dir, _common_dir(git_dir))):
        if (base / ref).is_file():
            return f"{reason} (its ref file {base / ref} does not hold one)"
    return reason


def index_lock(work_tree: Path) -> Path | None:
    """The git directory's `index.lock` when another git process holds it (or one left it)."""
    git_dir = _git_dir(work_tree)
    lock = git_dir / "index.lock" if git_dir is not None else None
    return lock if lock is not None and lock.exists() else None


def lock_message(work_tree: Path, lock: Path) -> str:
    return (
        f"{work_tree}: another git process holds {lock}; wait for it, "
        "or remove that file if no git is running there"
    )


def read_head(work_tree: Path) -> str | None:
    """Full sha checked out in `work_tree`, from the ref files (no process); None if unborn.

    Falls back to `git rev-parse HEAD` for ref storage this reader does not know (reftable).
    """
    git_dir = _git_dir(work_tree)
    if git_dir is None:
        return None
    try:
        head = (git_dir / "HEAD").read_bytes().decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):  # `head_problem` says why
        return None
    if is_full_sha(head):
        return head
    if head.startswith("ref:"):
        ref = head[4:].strip()
        sha = _read_ref(git_dir, ref)
        if sha or not (git_dir / "reftable").exists():
            return sha
    try:
        return _run(work_tree, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]) or None
    except GitCommandError:
        return None


class SubmoduleInfo(msgspec.Struct, frozen=True):
    """A submodule as the superproject records it."""
    path: str  # posix, relative to the superproject's top level
    url: str | None  # as .gitmodules records it
    sha: str  # the commit the superproject's index records
    initialized: bool  # checked out (its folder has a `.git`)
    name: str = ""  # the submodule's name in .gitmodules (usually its path)


def submodules(superproject: Path) -> list[SubmoduleInfo]:
    """Submodules registered in `superproject`'s `.gitmodules` that have a gitlink in its index.

    Asks git (`config --file .gitmodules -z --get-regexp`, `ls-files -s -z`); never parses the
    file itself. `superproject` is the work tree's top level.
    """
    if not (superproject / ".gitmodules").is_file():
        return []
    try:
        raw = _run(
            superproject,
            ["config", "--file", ".gitmodules", "-z", "--get-regexp", r"^submodule\..*\.(path|url)$"],
            strip=False,
        )
    except GitCommandError as error:
        if error.status == 1:  # no matching keys
            return []
        raise _failure("reading .gitmodules", superproject, error, "fix the file's syntax") from error
    paths: dict[str, str] = {}
    urls: dict[str, str] = {}
    for entry in raw.split("\0"):
        key, _, value = entry.partition("\n")
        if not key.startswith("submodule."):
            continue
        name, _, variable = key[len("submodule.") :].rpartition(".")
        (paths if variable == "path" else urls)[name] = value
    if not paths:
        return []
    try:
        staged = _run(
            superproject, ["--literal-pathspecs", "ls-files", "-s", "-z", "--", *paths.values()], strip=False
        )
    except GitCommandError as error:
        raise _failure("listing submodules", superproject, error) from error
    gitlinks: dict[str, str] = {}
    for entry in staged.split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[0] == "160000":
            gitlinks[path] = fields[1]
    found = []
    for name, path in paths.items():
        path = path.strip("/")
        if path in gitlinks:
            initialized = (superproject / path / ".git").exists()
            found.append(SubmoduleInfo(path, urls.get(name), gitlinks[path], initialized, name))
    return sorted(found, key=lambda info: info.path)


class _BlobCache:
    """A byte-bounded LRU of blobs keyed by (full sha, path): those blobs never change."""

    def __init__(self, budget: int = _BLOB_CACHE_BYTES) -> None:
        self._items: OrderedDict[tuple[str, str], bytes | None] = OrderedDict()
        self._budget = budget
        self._size = 0

    def get(self, key: tuple[str, str]) -> tuple[bool, bytes | None]:
        if key not in self._items:
            return False, None
        self._items.move_to_end(key)
        return True, self._items[key]

    def put(self, key: tuple[str, str], data: bytes | None) -> None:
        size = len(data) if data else 0
        if size > _BLOB_CACHE_MAX_ITEM or key in self._items:
            return
        self._items[key] = data
        self._size += size
        while self._size > self._budget and self._items:
            _, evicted = self._items.popitem(last=False)
            self._size -= len(evicted) if evicted else 0


class GitRepo:
    """A git work tree (a submodule or a nested repository) read through one persistent git."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # GitPython (~140 ms of imports) is opened on first use of what only it serves (the
        # persistent `cat-file`, the config reader): `check` lists, counts and batch-reads
        # through plain processes and never needs it. A work tree whose `.git` is plainly
        # there is taken on sight; anything else is judged by GitPython now, as before.
        self._gitpython_repo: Any = None
        self._one_shot_reads = 0
        if (problem := head_problem(self.path)) is not None:
            raise GitError(problem)
        self._git_dir = _plain_git_dir(self.path) or Path(self._repo.git_dir)
        self._lock = threading.RLock()  # the persistent cat-file process serves one caller at a time
        self._blobs = _BlobCache()
        self._lists: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._blob_ids: dict[str, dict[str, str]] = {}  # commit -> path -> blob id (listed commits)
        self._blob_lines: dict[str, int] = {}  # blob id -> line count: blobs never change
        self._index_list: tuple[tuple[int, int], tuple[str, ...]] | None = None
        self._resolved: dict[str, str | None] = {}
        self._refs: dict[str, tuple[str, str]] | None = None
        # Whether fetch and checkout may run the programs the repo's own config names (the user
        # said so: `update --trust-repo-config`, or yes in the TUI's review).
        self.trust_config = False
        self._commands: tuple[tuple[str, str], ...] | None = None
        self.fetch_error: str | None = None  # why the last fetch failed (git's line)

    def __repr__(self) -> str:
        return f"GitRepo({str(self.path)!r})"

    @property
    def _repo(self) -> Any:
        """The GitPython repository, opened (and judged) on first use."""
        if self._gitpython_repo is None:
            gitpython = _gitpython()
            try:
                repo = gitpython.Repo(str(self.path))
            except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError) as error:
                if (problem := head_problem(self.path)) is not None:
                    raise GitError(problem) from error
                raise GitError(f"{self.path} is not a git repository (no .git inside it)") from error
            if repo.bare:
                raise GitError(f"{self.path} is a bare git repository; readertui needs a work tree")
            repo.git.update_environment(**SAFE_ENV)
            repo.git.set_persistent_git_options(c=list(SAFE_CONFIG))
            self._gitpython_repo = repo
        return self._gitpython_repo

    def close(self) -> None:
        """Stop the persistent git processes (they also stop when the object is collected)."""
        if self._gitpython_repo is not None:
            self._gitpython_repo.close()

    def _git(self, *args: str, timeout: float | None = None, strip: bool = True) -> str:
        return _run(self.path, list(args), timeout=timeout, strip=strip)

    def head(self) -> str | None:
        return read_head(self.path)

    def resolve(self, ref: str) -> str | None:
        """Full sha of the commit `ref` names (hex prefix, tag, branch, `HEAD~2`); None if unknown,
        ambiguous or not a commit. Refs starting with `-` are refused, never passed to git."""
        ref = ref.strip()
        if not _check_ref(ref):
            return None
        with self._lock:
            if ref in self._resolved:
                return self._resolved[ref]
        try:
            sha = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        except GitCommandError:
            sha = ""
        result = sha if is_full_sha(sha) else None
        if _HEX.fullmatch(ref):  # hex prefixes name the same commit until new objects arrive
            with self._lock:
                self._resolved[ref] = result
        return result

    def _require(self, commit: str) -> str:
        sha = self.resolve(commit)
        if sha is None:
            raise GitError(
                f"commit {commit!r} is unknown in {self.path}; run `git -C {self.path} fetch` "
                "or cite an existing commit"
            )
        return sha

    def list_files(self, commit: str | None = None) -> tuple[str, ...]:
        """Tracked files at `commit` (`ls-tree -r`), or in the index when None (`ls-files`);
        nested submodules (gitlinks) are left out."""
        if commit is None:
            return self._list_index()
        sha = self._require(commit)
        with self._lock:
            if sha in self._lists:
                self._lists.move_to_end(sha)
                return self._lists[sha]
        try:
            raw = self._git("ls-tree", "-r", "-z", "--full-tree", sha, strip=False)
        except GitCommandError as error:
            raise _failure("listing files", self.path, error) from error
        # `<mode> <type> <object>\t<name>`: the blob ids let `line_counts` read each distinct
        # blob once (two commits of a repo share most of them)
        names: list[str] = []
        blobs: dict[str, str] = {}
        for entry in raw.split("\0"):
            meta, tab, name = entry.partition("\t")
            if not tab or not name:
                continue
            names.append(name)
            parts = meta.split(" ")
            if len(parts) == 3 and parts[1] == "blob":
                blobs[name] = parts[2]
        files = self._without_gitlinks(tuple(names), f"{sha}:.gitmodules")
        with self._lock:
            self._lists[sha] = files
            self._blob_ids[sha] = blobs
            while len(self._lists) > _LIST_CACHE_COMMITS:
                evicted, _ = self._lists.popitem(last=False)
                self._blob_ids.pop(evicted, None)
        return files

    def line_counts(
        self, commit: str, paths: Iterable[str], keep: Iterable[str] = ()
    ) -> tuple[dict[str, int], dict[str, bytes]]:
        """Line counts of the blobs at `paths` in `commit`, and the bytes of those in `keep`,
        through one `cat-file --batch` that reads each distinct blob once (counted lines are
        remembered per blob id, so a second commit pays only for the blobs it changed).
        Paths that are no blob there, and any failure, are left out: ask `line_count`."""
        sha = self.resolve(commit)
        if sha is None:
            return {}, {}
        if sha not in self._blob_ids:
            self.list_files(sha)
        ids = self._blob_ids.get(sha, {})
        wanted = {path: ids[path] for path in paths if path in ids}
        kept_paths = {path for path in keep if path in wanted}
        kept_ids = {wanted[path] for path in kept_paths}
        request = sorted({blob for blob in wanted.values() if blob not in self._blob_lines} | kept_ids)
        data: dict[str, bytes] = {}
        out, objects = self._batch_objects(request)
        for blob, found in zip(request, objects):
            if found is None or found[0] != b"blob":
                continue
            _, start, end = found
            ends_open = end > start and out[end - 1 : end] != b"\n"
            self._blob_lines[blob] = out.count(b"\n", start, end) + (1 if ends_open else 0)
            if blob in kept_ids:
                data[blob] = out[start:end]
        counts = {path: self._blob_lines[blob] for path, blob in wanted.items() if blob in self._blob_lines}
        return counts, {path: data[wanted[path]] for path in kept_paths if wanted[path] in data}

    def _list_index(self) -> tuple[str, ...]:
        index = self._git_dir / "index"
        try:
            stat = index.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (0, 0)
        with self._lock:
            if self._index_list and self._index_list[0] == stamp:
                return self._index_list[1]
        try:
            raw = self._git("ls-files", "-z", "--full-name", strip=False)
        except GitCommandError as error:
            raise _failure("listing files", self.path, error) from error
        names = tuple(dict.fromkeys(name for name in raw.split("\0") if name))  # conflicts repeat names
        files = self._without_gitlinks(names, ":.gitmodules")
        with self._lock:
            self._index_list = (stamp, files)
        return files

    def _without_gitlinks(self, files: tuple[str, ...], gitmodules_blob: str) -> tuple[str, ...]:
        """`files` less the nested submodules .gitmodules registers: those are not readable
        files. Only repos that have submodules pay for the one extra `git config`."""
        if ".gitmodules" not in files:
            return files
        try:
            raw = self._git(
                "config", f"--blob={gitmodules_blob}", "-z", "--get-regexp", r"^submodule\..*\.path$", strip=False
            )
        except GitCommandError:  # no paths in it, or unreadable: list everything
            return files
        gitlinks = {entry.partition("\n")[2].strip("/") for entry in raw.split("\0")}
        return tuple(name for name in files if name not in gitlinks)

    def read_file(self, path: str, commit: str | None = None) -> bytes | None:
        """The bytes of `path` at `commit` (a blob), or in the working tree when None.

        None when absent, a folder, or outside the repository."""
        path = path.strip("/")
        if not path or "\0" in path or ".." in path.split("/"):
            return None
        if commit is None:
            return self._read_working_file(path)
        sha = self._require(commit)
        key = (sha, path)
        with self._lock:
            hit, data = self._blobs.get(key)
            if hit:
                return data
            data = self._read_blob(sha, path) if _batch_safe(path) else self._read_blob_slowly(sha, path)
            self._blobs.put(key, data)
            return data

    def read_files(self, commit: str, paths: Iterable[str]) -> dict[str, bytes | None]:
        """Many blobs at `commit` through one `cat-file --batch` whose requests are all written
        at once (one round trip per blob through the persistent process costs a context switch
        each). Paths the line protocol cannot carry, and any failure, are left out: read them
        with `read_file`."""
        sha = self.resolve(commit)
        wanted = sorted({p.strip("/") for p in paths if _batch_safe(p) and ".." not in p.split("/")})
        if sha is None or not wanted:
            return {}
        out, objects = self._batch_objects([f"{sha}:{path}" for path in wanted])
        return {
            path: out[found[1] : found[2]] if found is not None and found[0] == b"blob" else None
            for path, found in zip(wanted, objects)
        }

    def _batch_objects(self, names: Sequence[str]) -> tuple[bytes, list[tuple[bytes, int, int] | None]]:
        """One `cat-file --batch` for the object `names` (written all at once): git's output
        and, for each name in order, (type, start, end) of its content in that output, or None
        when git answered "missing" / "ambiguous". Offsets, not copies: a caller that only
        counts lines copies nothing. A failure, or output cut short, answers fewer names."""
        if not names:
            return b"", []
        request = "".join(f"{name}\n" for name in names).encode("utf-8")
        try:
            out = _execute(self.path, ["cat-file", "--batch"], None, False, (), stdin=request)
        except GitCommandError:
            return b"", []
        objects: list[tuple[bytes, int, int] | None] = []
        pos = 0
        for _ in names:
            end = out.find(b"\n", pos)
            if end < 0:
                break
            header = out[pos:end].split(b" ")
            pos = end + 1
            if len(header) == 3 and header[2].isdigit():
                size = int(header[2])
                objects.append((header[1], pos, pos + size))
                pos += size + 1
            else:  # "<name> missing" / "ambiguous": a header line only
                objects.append(None)
        return out, objects

    def _read_blob(self, sha: str, path: str) -> bytes | None:
        if self._gitpython_repo is None and self._one_shot_reads < _ONE_SHOT_READS:
            # a few reads through a process each before GitPython's persistent one is worth
            # opening (a `check` that reads two files never pays its import)
            self._one_shot_reads += 1
            found = self.read_files(sha, [path])
            if path in found:
                return found[path]
        try:
            _, kind, _, data = self._repo.git.get_object_data(f"{sha}:{path}")
        except ValueError:  # cat-file answered "missing"
            return None
        except _gitpython().GitCommandError as error:
            raise _failure(f"reading {path}", self.path, error) from error
        return data if kind == b"blob" else None

    def _read_blob_slowly(self, sha: str, path: str) -> bytes | None:
        """A process of its own for names `cat-file --batch` cannot take on its line protocol."""
        try:
            kind = self._git("cat-file", "-t", f"{sha}:{path}")
            if kind != "blob":
                return None
            return _run_bytes(self.path, ["cat-file", "blob", f"{sha}:{path}"])
        except GitCommandError:
            return None

    def _read_working_file(self, path: str) -> bytes | None:
        root = self.path.resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None  # a symlink may not lead out of the repository
        try:
            return target.read_bytes()
        except OSError:
            return None

    def line_count(self, path: str, commit: str | None = None) -> int | None:
        data = self.read_file(path, commit)
        if data is None:
            return None
        return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)

    def describe(self, commit: str) -> str | None:
        """The nearest tag (`git describe --tags`): `v1.0`, `v1.0-3-gabc1234`; None without tags."""
        if not _check_ref(commit):
            return None
        try:
            return self._git("describe", "--tags", "--end-of-options", commit) or None
        except GitCommandError:
            return None

    def tags_at(self, commit: str) -> tuple[str, ...]:
        sha = self.resolve(commit)
        if sha is None:
            return ()
        try:
            out = self._git("tag", "--points-at", sha)
        except GitCommandError:
            return ()
        return tuple(line for line in out.splitlines() if line)

    def refs(self) -> dict[str, tuple[str, str]]:
        """Tags and branches by name: `{"v2.1": ("tag", sha), "main": ("branch", sha)}`, the
        commit each names (annotated tags peeled). Remote-tracking branches count under their
        name without the remote (`origin/main` is also `main`); a tag wins over a branch of the
        same name. One `for-each-ref`, cached: forge links are looked up here, never by handing
        a name from a note to git."""
        if self._refs is not None:
            return self._refs
        try:
            out = self._git(
                "for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)",
                "refs/tags", "refs/heads", "refs/remotes",
            )
        except GitCommandError:
            out = ""
        tags: dict[str, tuple[str, str]] = {}
        branches: dict[str, tuple[str, str]] = {}
        for line in out.splitlines():
            name, _, rest = line.partition("\0")
            sha, _, peeled = rest.partition("\0")
            commit = peeled or sha
            if not is_full_sha(commit):
                continue
            if name.startswith("refs/tags/"):
                tags[name[len("refs/tags/") :]] = ("tag", commit)
            elif name.startswith("refs/heads/"):
                branches[name[len("refs/heads/") :]] = ("branch", commit)
            elif name.startswith("refs/remotes/") and not name.endswith("/HEAD"):
                remote_branch = name[len("refs/remotes/") :]
                branches.setdefault(remote_branch, ("branch", commit))
                branches.setdefault(remote_branch.partition("/")[2], ("branch", commit))
        self._refs = {**branches, **tags}
        return self._refs

    def remote_url(self) -> str | None:
        """origin's URL, from the config (no process)."""
        import configparser  # GitPython's config errors; not worth importing at every start

        try:
            return str(self._repo.config_reader().get_value('remote "origin"', "url"))
        except (configparser.NoSectionError, configparser.NoOptionError):
            return None

    def config_commands(self) -> tuple[tuple[str, str], ...]:
        """The repo's own settings that would run a program (`repo_config_commands`), read once."""
        if self._commands is None:
            self._commands = repo_config_commands(self.path)
        return self._commands

    def require_trusted_config(self) -> None:
        """UntrustedConfigError unless the repo's config runs nothing or the user trusts it."""
        if not self.trust_config:
            keys = tuple(dict.fromkeys(key for key, _ in self.config_commands()))
            if keys:
                raise UntrustedConfigError(self.path, keys)

    def _without_filters(self) -> tuple[str, ...]:
        """`-c` settings that switch off the clean/smudge filters the repo's own config defines
        (an empty command is no filter), so that a status runs none of them."""
        names = {
            key[len("filter.") : key.rindex(".")]
            for key, _ in self.config_commands()
            if key.startswith("filter.")
        }
        settings: list[str] = []
        for name in sorted(names):
            settings += [f"filter.{name}.{part}=" for part in ("clean", "smudge", "process")]
            settings.append(f"filter.{name}.required=false")
        return tuple(settings)

    def is_dirty(self) -> bool:
        """Tracked changes in the work tree or index. Slow on big trees: never on a hot path.

        Runs no program from the repo's config: its filters are switched off (a file whose stat
        changed is then compared unfiltered) and nested submodules, with configs of their own,
        are not looked into."""
        try:
            return bool(
                _run(
                    self.path,
                    ["status", "--porcelain", "--untracked-files=no", "--ignore-submodules=all"],
                    extra_config=self._without_filters(),
                )
            )
        except GitCommandError as error:
            raise _failure("checking for changes", self.path, error) from error

    def diff(self, a: str, b: str) -> str:
        """`git diff -M --unified=0 --no-color a b`, paths unquoted UTF-8, no external drivers.

        Prefixes are forced to a/ and b/ so a user's `diff.noprefix` cannot change the format."""
        sha_a, sha_b = self._require(a), self._require(b)
        try:
            return self._git(
                "diff", "-M", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv",
                "--src-prefix=a/", "--dst-prefix=b/", sha_a, sha_b,
                strip=False,
            )
        except GitCommandError as error:
            raise _failure(f"diffing {short(sha_a)}..{short(sha_b)}", self.path, error) from error

    def count_commits(self, a: str, b: str) -> int:
        sha_a, sha_b = self._require(a), self._require(b)
        try:
            return int(self._git("rev-list", "--count", f"{sha_a}..{sha_b}"))
        except GitCommandError as error:
            raise _failure("counting commits", self.path, error) from error

    def fetch(self, timeout: float = 20) -> bool:
        """Fetch from the default remote; False when it cannot be reached within `timeout` s
        (`fetch_error` then holds git's reason, one line).

        Never prompts: no terminal prompt, a new session without a controlling terminal (ssh
        cannot ask), a low-speed limit, and the process tree is killed at the timeout.
        UntrustedConfigError when the repo's config would run a program (`trust_config`)."""
        self.require_trusted_config()
        limit = max(1, int(timeout))
        self.fetch_error = None
        try:
            _run(
                self.path,
                ["fetch", "--quiet", "--tags", "--no-recurse-submodules"],
                timeout=timeout,
                new_session=True,
                extra_config=("http.lowSpeedLimit=1000", f"http.lowSpeedTime={limit}"),
            )
        except GitCommandError as error:
            self.fetch_error = _one_line(error.stderr)
            return False
        with self._lock:
            self._resolved.clear()  # new objects can make hex prefixes ambiguous
            self._refs = None
        return True

    def checkout_detached(self, commit: str) -> None:
        """UntrustedConfigError when the repo's config would run a program (`trust_config`)."""
        self.require_trusted_config()
        sha = self._require(commit)
        if (lock := index_lock(self.path)) is not None:
            raise GitError(lock_message(self.path, lock))
        try:
            self._git("checkout", "--quiet", "--detach", sha)
        except GitCommandError as error:
            if (lock := index_lock(self.path)) is not None:
                raise GitError(lock_message(self.path, lock)) from error
            raise _failure(
                f"checking out {short(sha)}", self.path, error,
                "commit or stash your changes in the submodule first",
            ) from error
        with self._lock:
            self._resolved.clear()
            self._refs = None


class TreeEntry(msgspec.Struct, frozen=True, gc=False):  # strs and an int: no cycles, no GC walk
    """A file of a commit's tree: its path, blob id and size in bytes."""

    path: str
    blob: str
    size: int


def tree_entries(work_tree: Path, commit: str, *, sizes: bool = True) -> list[TreeEntry]:
    """Regular files (and executables) at `commit`, with blob ids and sizes
    (`ls-tree -r -l -z --full-tree`); symlinks and submodules left out. GitError if unknown.
    `sizes=False` leaves sizes at -1: `-l` makes git read every blob's header, 50x slower on a
    tree of 200k files (ask `blob_sizes` for the few that matter)."""
    if not _check_ref(commit):
        raise GitError(f"bad commit {commit!r}")
    long = ["-l"] if sizes else []
    try:
        raw = _run(
            work_tree, ["ls-tree", "-r", *long, "-z", "--full-tree", "--end-of-options", commit], strip=False
        )
    except GitCommandError as error:
        raise _failure("listing files", work_tree, error) from error
    entries = []
    width = 4 if sizes else 3
    start = 0
    while start < len(raw):
        # Split 64 KB at a time: one split of a 200k-file listing holds the GIL ~50 ms.
        end = raw.find("\0", min(len(raw), start + 65536))
        end = len(raw) if end < 0 else end
        for record in raw[start:end].split("\0"):
            meta, tab, path = record.partition("\t")
            fields = meta.split()
            if not tab or len(fields) != width or fields[1] != "blob" or fields[0] not in ("100644", "100755"):
                continue
            size = (int(fields[3]) if fields[3].isdigit() else 0) if sizes else -1
            entries.append(TreeEntry(path, fields[2], size))
        start = end + 1
    return entries


def blob_sizes(work_tree: Path, blobs: list[str]) -> dict[str, int]:
    """Sizes of `blobs` (`cat-file --batch-check`); a blob git does not have (a partial clone,
    a damaged object) is absent. GitError when git cannot run there."""
    ids = [blob for blob in dict.fromkeys(blobs) if _HEX.fullmatch(blob)]
    if not ids:
        return {}
    try:
        done = subprocess.run(
            _command(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"]),
            cwd=work_tree,
            env={**_environment(), "GIT_NO_LAZY_FETCH": "1"},  # a partial clone must not fetch
            input="".join(f"{blob}\n" for blob in ids).encode("ascii"),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    except (FileNotFoundError, NotADirectoryError) as error:
        raise GitError(f"cannot run git in {work_tree}: {error.strerror}") from error
    found = {}
    for line in done.stdout.decode("ascii", "replace").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] == "blob" and fields[2].isdigit():
            found[fields[0]] = int(fields[2])
    return found


class BlobReader:
    """Blobs by id through one `git cat-file --batch` of its own (for worker processes, which
    cannot share the GitRepo's). A round trip per blob keeps both pipes from filling up."""

    def __init__(self, work_tree: Path) -> None:
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                _command(["cat-file", "--batch"]),
                cwd=work_tree,
                env={**_environment(), "GIT_NO_LAZY_FETCH": "1"},  # a partial clone must not fetch
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except (FileNotFoundError, NotADirectoryError) as error:
            raise GitError(f"cannot run git in {work_tree}: {error.strerror}") from error

    def read(self, blob: str) -> bytes | None:
        """The blob's bytes; None when it is missing (a partial clone) or not a blob."""
        process = self._process
        if process is None or process.stdin is None or process.stdout is None or not _HEX.fullmatch(blob):
            return None
        try:
            process.stdin.write(blob.encode("ascii") + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3:  # "<id> missing", or git went away
                return None
            size = int(header[2])
            data = process.stdout.read(size)
            process.stdout.read(1)  # the newline after the contents
        except (OSError, ValueError):
            self.close()
            return None
        return data if header[1] == b"blob" and len(data) == size else None

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LineStream:
    """A long-running git command's stdout, line by line, as it comes (`git grep` results).

    Iterate it; `close()` (or leaving a `with`) kills git at once, from any thread. After
    iteration, `returncode` holds git's exit status and `error` its last stderr line."""

    def __init__(self, work_tree: Path, args: list[str], *, lazy_fetch: bool = True) -> None:
        self.returncode: int | None = None
        self.error = ""
        environment = _environment()
        if not lazy_fetch:
            environment["GIT_NO_LAZY_FETCH"] = "1"  # a partial clone's missing blobs stay missing
        try:
            self._process = subprocess.Popen(
                _command(args),
                cwd=work_tree,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except (FileNotFoundError, NotADirectoryError) as error:
            raise GitError(f"cannot run git in {work_tree}: {error.strerror}") from error
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            for line in stdout:
                if self._closed:
                    break
                yield line.rstrip(b"\n")
        except GeneratorExit:  # the reader stopped early: git need not finish
            self.close()
            raise
        except (OSError, ValueError):  # closed from another thread
            pass
        finally:
            self._finish()

    def _finish(self) -> None:
        if self.returncode is not None:
            return
        if self._closed:
            self._process.kill()
        try:
            _, err = self._process.communicate(timeout=10)
        except (subprocess.TimeoutExpired, ValueError, OSError):
            self._process.kill()
            err = b""
        self.returncode = self._process.wait()
        lines = (err or b"").decode("utf-8", "replace").strip().splitlines()
        self.error = lines[-1] if lines else ""

    def close(self) -> None:
        """Stop git now; safe to call twice and from another thread."""
        self._closed = True
        try:
            self._process.kill()
        except OSError:
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self._finish()


def git_common_dir(work_tree: Path) -> Path:
    """The repository's shared git directory (where `modules/` for submodules lives)."""
    try:
        out = _run(work_tree, ["rev-parse", "--path-format=absolute", "--git-common-dir"])
    except GitCommandError as error:
        raise _failure("locating the git directory", work_tree, error) from error
    return Path(out)


def run_in(work_tree: Path, *args: str, extra_config: tuple[str, ...] = ()) -> str:
    """Run a git command (an argument list) in `work_tree` with the safe settings.

    For the few writers outside GitRepo (`readertui add`); raises GitError with git's message.
    git runs in a session of its own: a terminal's Ctrl-C or hangup reaches readertui only, and
    when readertui is interrupted (KeyboardInterrupt) it stops git's whole process tree and
    waits until it is gone before the interrupt goes on (the caller's rollback then races
    nothing)."""
    try:
        return _run(work_tree, list(args), new_session=True, extra_config=extra_config)
    except GitCommandError as error:
        words = [arg for arg in args[:2] if not arg.startswith("-")]
        raise _failure(f"git {' '.join(words)}", work_tree, error) from error

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from readertui.core import git as gitmod
from readertui.core.errors import GitError
from readertui.core.git import GitRepo, read_head, short, submodules, toplevel
from tests.gitfixtures import CORE_A, CORE_B, KB, commit_all, git, write


def test_not_a_repository_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(GitError) as info:
        GitRepo(tmp_path)
    message = str(info.value)
    assert "\n" not in message and str(tmp_path) in message


def test_a_folder_inside_a_repository_is_not_the_repository(kb_readonly: KB) -> None:
    with pytest.raises(GitError):
        GitRepo(kb_readonly.submodule / "src")


def test_head_and_checkout_detached(kb: KB) -> None:
    repo = GitRepo(kb.submodule)
    assert repo.head() == kb.a
    repo.checkout_detached(kb.b[:10])
    assert repo.head() == kb.b
    assert git(kb.submodule, "rev-parse", "HEAD") == kb.b


def test_read_head_follows_branches_and_packed_refs(kb: KB) -> None:
    up = kb.upstream  # on branch main
    assert read_head(up) == kb.b
    git(up, "pack-refs", "--all")
    assert not (up / ".git/refs/heads/main").exists()
    assert read_head(up) == kb.b
    assert read_head(kb.submodule) == kb.a  # `.git` is a file pointing into the superproject


def test_read_head_of_a_linked_worktree(kb: KB, tmp_path: Path) -> None:
    tree = tmp_path / "wt"
    git(kb.upstream, "worktree", "add", "-q", "-b", "side", str(tree), kb.a)
    assert read_head(tree) == kb.a
    git(kb.upstream, "pack-refs", "--all")
    assert read_head(tree) == kb.a


def test_read_head_of_an_unborn_repository_is_none(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert read_head(tmp_path) is None
    assert GitRepo(tmp_path).head() is None


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("A", "a"),
        ("A7", "a"),
        ("v1.0", "a"),
        ("HEAD", "a"),
        ("origin/main", "b"),
        ("HEAD~0", "a"),
    ],
)
def test_resolve_known_refs(kb_readonly: KB, ref: str, expected: str) -> None:
    repo = GitRepo(kb_readonly.submodule)
    full = {"a": kb_readonly.a, "b": kb_readonly.b}
    if ref == "A":
        ref = kb_readonly.a
    elif ref == "A7":
        ref = kb_readonly.a[:7]
    assert repo.resolve(ref) == full[expected]


@pytest.mark.parametrize(
    "ref", ["0000000", "nope", "v9.9", "", "-x", "--output=out.txt", "HEAD\nHEAD", "a\0b", "HEAD^{tree}"]
)
def test_resolve_rejects_unknown_option_like_and_non_commit_refs(kb_readonly: KB, ref: str) -> None:
    repo = GitRepo(kb_readonly.submodule)
    assert repo.resolve(ref) is None
    assert not (kb_readonly.submodule / "out.txt").exists()


def test_resolve_a_tree_sha_is_not_a_commit(kb_readonly: KB) -> None:
    tree = git(kb_readonly.submodule, "rev-parse", f"{kb_readonly.a}^{{tree}}")
    assert GitRepo(kb_readonly.submodule).resolve(tree) is None


def test_list_files_at_commits_a_and_b(kb_readonly: KB) -> None:
    repo = GitRepo(kb_readonly.submodule)
    at_a = repo.list_files(kb_readonly.a)
    at_b = repo.list_files(kb_readonly.b[:8])
    assert "src/util/queue.ts" in at_a and "src/util/work_queue.ts" not in at_a
    assert "src/util/work_queue.ts" in at_b and "src/old.py" not in at_b
    assert "src/old.py" in at_a
    assert repo.list_files(kb_readonly.a) is at_a  # cached per commit
    assert repo.list_files(None) == at_a  # the index of the checkout at A


def test_list_files_of_the_index_sees_new_files(kb: KB) -> None:
    repo = GitRepo(kb.submodule)
    before = repo.list_files()
    write(kb.submodule / "new.txt", "x\n")
    git(kb.submodule, "add", "new.txt")
    after = repo.list_files()
    assert "new.txt" not in before and "new.txt" in after


def test_list_files_leaves_out_nested_submodules(kb_readonly: KB) -> None:
    repo = GitRepo(kb_readonly.root)
    assert "awesome/engine-study/notes/code-reading-log.md" in repo.list_files("HEAD")
    assert "awesome/engine-study/Engine" not in repo.list_files("HEAD")
    assert "awesome/engine-study/Engine" not in repo.list_files()
    assert repo.read_file("awesome/engine-study/Engine", "HEAD") is None


def test_list_files_of_an_unknown_commit_says_how_to_fix(kb_readonly: KB) -> None:
    with pytest.raises(GitError, match="fetch"):
        GitRepo(kb_readonly.submodule).list_files("deadbeef")


def test_read_file_at_commits_without_checkout(kb_readonly: KB) -> None:
    repo = GitRepo(kb_readonly.submodule)
    assert repo.read_file("src/engine/core.py", kb_readonly.a) == CORE_A.encode()
    assert repo.read_file("src/engine/core.py", kb_readonly.b) == CORE_B.encode()
    assert repo.read_file("src/old.py", kb_readonly.b) is None
    assert repo.read_file("src/engine", kb_readonly.a) is None  # a tree, not a blob
    assert repo.read_file("no/such.py", kb_readonly.a) is None
    assert git(kb_readonly.submodule, "rev-parse", "HEAD") == kb_readonly.a  # nothing was checked out


def test_read_file_uses_one_persistent_git_not_a_process_per_file(kb_readonly: KB, monkeypatch) -> None:
    repo = GitRepo(kb_readonly.submodule)
    repo.read_file("README.md", kb_readonly.a)  # resolves the commit once
    calls: list[list[str]] = []
    real = gitmod._run
    monkeypatch.setattr(gitmod, "_run", lambda cwd, args, **kw: calls.append(args) or real(cwd, args, **kw))
    for path in repo.list_files(kb_readonly.a):
        assert repo.read_file(path, kb_readonly.a) is not None
    assert calls == [["ls-tree", "-r", "-z", "--full-tree", kb_readonly.a]]


def test_read_file_of_an_unknown_commit_raises(kb_readonly: KB) -> None:
    with pytest.raises(GitError, match="unknown"):
        GitRepo(kb_readonly.submodule).read_file("README.md", "v9.9")


def test_read_working_tree_file_stays_inside_the_repository(kb: KB, tmp_path: Path) -> None:
    repo = GitRepo(kb.submodule)
    write(kb.submodule / "README.md", "edited\n")
    assert repo.read_file("README.md") == b"edited\n"
    secret = write(tmp_path / "secret.txt", "secret\n")
    os.symlink(secret, kb.submodule / "link.txt")
    assert repo.read_file("link.txt") is None
    assert repo.read_file("../../notes/code-reading-log.md") is None
    assert repo.read_file("src") is None
    assert repo.read_file("missing.txt") is None


def test_read_file_handles_binary_and_odd_names(kb: KB) -> None:
    write(kb.upstream / "odd name ü.txt", "x")
    (kb.upstream / "blob.bin").write_bytes(b"\0\xff\x00binary")
    write(kb.upstream / "two\nlines.txt", "newline in the name\n")
    (kb.upstream / os.fsdecode(b"latin1-\xe9.txt")).write_bytes(b"not utf-8 name\n")
    sha = commit_all(kb.upstream, "odd files")
    repo = GitRepo(kb.upstream)
    files = repo.list_files(sha)
    assert {"odd name ü.txt", "two\nlines.txt", os.fsdecode(b"latin1-\xe9.txt")} <= set(files)
    assert repo.read_file("odd name ü.txt", sha) == b"x"
    assert repo.read_file("blob.bin", sha) == b"\0\xff\x00binary"
    assert repo.read_file("two\nlines.txt", sha) == b"newline in the name\n"
    assert repo.read_file(os.fsdecode(b"latin1-\xe9.txt"), sha) == b"not utf-8 name\n"
    assert repo.read_file("no\nsuch", sha) is None
    assert repo.read_file("README.md", sha) == b"# Engine\n"  # the batch process is still in step


def test_line_count(kb: KB) -> None:
    write(kb.upstream / "empty.txt", "")
    write(kb.upstream / "no-newline.txt", "a\nb")
    sha = commit_all(kb.upstream, "counts")
    repo = GitRepo(kb.upstream)
    assert repo.line_count("src/engine/core.py", kb.a) == 40
    assert repo.line_count("src/engine/core.py", kb.b) == 45
    assert repo.line_count("empty.txt", sha) == 0
    assert repo.line_count("no-newline.txt", sha) == 2
    assert repo.line_count("missing", sha) is None


def test_line_counts_read_each_distinct_blob_once(kb: KB, monkeypatch) -> None:
    write(kb.upstream / "empty.txt", "")
    write(kb.upstream / "no-newline.txt", "a\nb")
    write(kb.upstream / "odd name ü.txt", "x\ny\n")
    write(kb.upstream / "two\nlines.txt", "1\n2\n3\n")
    (kb.upstream / "blob.bin").write_bytes(b"\0\n\xff")
    write(kb.upstream / "same-a.txt", "shared\n")
    write(kb.upstream / "same-b.txt", "shared\n")  # one blob, two paths
    sha = commit_all(kb.upstream, "counts")
    repo = GitRepo(kb.upstream)
    asked: list[bytes] = []
    real = gitmod._execute

    def spy(cwd, args, *rest, stdin=None):
        if "cat-file" in args:
            asked.append(stdin or b"")
        return real(cwd, args, *rest, stdin=stdin)

    monkeypatch.setattr(gitmod, "_execute", spy)
    paths = ["empty.txt", "no-newline.txt", "odd name ü.txt", "two\nlines.txt", "blob.bin",
             "same-a.txt", "same-b.txt", "missing", "src"]
    counts, kept = repo.line_counts(sha, paths, keep=["odd name ü.txt", "missing"])
    assert counts == {"empty.txt": 0, "no-newline.txt": 2, "odd name ü.txt": 2, "two\nlines.txt": 3,
                      "blob.bin": 2, "same-a.txt": 1, "same-b.txt": 1}
    assert kept == {"odd name ü.txt": b"x\ny\n"}
    assert len(asked) == 1 and asked[0].count(b"\n") == 6  # 7 paths, 6 distinct blobs, one process
    assert {p: repo.line_count(p, sha) for p in counts} == counts  # the same as blob by blob
    # the next commit shares every blob but one: only that one is read
    write(kb.upstream / "empty.txt", "now\n")
    sha2 = commit_all(kb.upstream, "one change")
    asked.clear()
    counts2, _ = repo.line_counts(sha2, paths)
    assert counts2 == {**counts, "empty.txt": 1}
    assert len(asked) == 1 and asked[0].count(b"\n") == 1


def test_describe_and_tags(kb_readonly: KB, tmp_path: Path) -> None:
    repo = GitRepo(kb_readonly.submodule)
    assert repo.describe(kb_readonly.a) == "v1.0"
    assert repo.describe(kb_readonly.b).startswith(f"v1.0-1-g{kb_readonly.b[:7]}")
    assert repo.tags_at(kb_readonly.a) == ("v1.0",)
    assert repo.tags_at(kb_readonly.b) == ()
    assert repo.describe("-x") is None
    bare = tmp_path / "untagged"
    bare.mkdir()
    git(bare, "init", "-q")
    write(bare / "f", "x\n")
    sha = commit_all(bare, "one")
    assert GitRepo(bare).describe(sha) is None
    assert GitRepo(bare).remote_url() is None


def test_remote_url_dirty_diff_and_count(kb: KB) -> None:
    repo = GitRepo(kb.submodule)
    assert repo.remote_url() == str(kb.upstream)
    assert repo.is_dirty() is False
    write(kb.submodule / "src/engine/core.py", "changed\n")
    assert repo.is_dirty() is True
    diff = repo.diff(kb.a, kb.b)
    assert "rename from src/util/queue.ts" in diff and "rename to src/util/work_queue.ts" in diff
    assert "@@ -10 +15 @@" in diff
    assert repo.count_commits(kb.a, kb.b) == 1
    assert repo.count_commits(kb.b, kb.a) == 0


def test_fetch_brings_new_commits(kb: KB) -> None:
    write(kb.upstream / "later.txt", "later\n")
    c = commit_all(kb.upstream, "C")
    repo = GitRepo(kb.submodule)
    assert repo.resolve(c) is None
    assert repo.fetch(timeout=10) is True
    assert repo.resolve(c) == c


def test_fetch_from_an_unreachable_remote_is_false(kb: KB, tmp_path: Path) -> None:
    git(kb.submodule, "remote", "set-url", "origin", str(tmp_path / "gone"))
    assert GitRepo(kb.submodule).fetch(timeout=5) is False


def test_fetch_never_hangs_on_a_silent_server(kb: KB, tmp_path: Path, monkeypatch) -> None:
    hang = write(tmp_path / "fake-ssh", "#!/bin/sh\nsleep 30\n")
    hang.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(hang))
    git(kb.submodule, "remote", "set-url", "origin", "ssh://git@example.invalid/engine.git")
    started = time.monotonic()
    assert GitRepo(kb.submodule).fetch(timeout=1) is False
    assert time.monotonic() - started < 10


def test_ext_transport_never_runs(kb: KB, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    git(kb.submodule, "remote", "set-url", "origin", f"ext::sh -c touch% {marker}")
    assert GitRepo(kb.submodule).fetch(timeout=5) is False
    assert not marker.exists()


def test_hooks_never_run(kb: KB, tmp_path: Path) -> None:
    marker = tmp_path / "hook-ran"
    hooks = Path(git(kb.submodule, "rev-parse", "--path-format=absolute", "--git-path", "hooks"))
    hook = write(hooks / "post-checkout", f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    GitRepo(kb.submodule).checkout_detached(kb.b)
    assert not marker.exists()


def test_checkout_of_an_unknown_commit_is_a_one_line_error(kb_readonly: KB) -> None:
    with pytest.raises(GitError) as info:
        GitRepo(kb_readonly.submodule).checkout_detached("nope")
    assert "\n" not in str(info.value)


def test_submodules_are_asked_of_git(kb_readonly: KB) -> None:
    (info,) = submodules(kb_readonly.root)
    assert info.path == "awesome/engine-study/Engine"
    assert info.sha == kb_readonly.a
    assert info.url == str(kb_readonly.upstream)
    assert info.initialized is True


def test_submodule_with_a_dotted_name_and_uninitialized(kb: KB) -> None:
    git(kb.root, "config", "--file", ".gitmodules", "--rename-section",
        "submodule.awesome/engine-study/Engine", "submodule.engine.v1")
    git(kb.root, "submodule", "deinit", "-q", "-f", "--", "awesome/engine-study/Engine")
    (info,) = submodules(kb.root)
    assert info.name == "engine.v1"
    assert info.path == "awesome/engine-study/Engine"
    assert info.initialized is False


def test_no_gitmodules_no_submodules(kb_readonly: KB) -> None:
    assert submodules(kb_readonly.upstream) == []


def test_toplevel(kb_readonly: KB, tmp_path: Path) -> None:
    assert toplevel(kb_readonly.submodule / "src" / "engine") == kb_readonly.submodule
    assert toplevel(kb_readonly.submodule / "src/engine/core.py") == kb_readonly.submodule
    assert toplevel(kb_readonly.project / "notes") == kb_readonly.root
    (tmp_path / "plain").mkdir()
    assert toplevel(tmp_path / "plain") is None


def test_short() -> None:
    assert short("0123456789abcdef0123456789abcdef01234567") == "0123456"


def test_git_missing_from_path_is_a_one_line_error(kb: KB, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(GitError, match="git is not installed"):
        gitmod.run_in(kb.root, "status")
    assert toplevel(kb.root) is None  # a plain folder then, not a crash


def test_command_failure_keeps_gits_message(kb: KB) -> None:
    with pytest.raises(GitError, match="git cat-file failed in .*: fatal: Not a valid object name nosuchref"):
        gitmod.run_in(kb.submodule, "cat-file", "-t", "nosuchref")


def test_finding_repositories_does_not_import_gitpython() -> None:
    """GitPython costs ~60 ms to import; the reader's first screen and `check`'s start need
    only `rev-parse`, `config` and `ls-files`."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from readertui.core import git\n"
        "git.toplevel(Path('.')); git.submodules(Path('.')); git.read_head(Path('.'))\n"
        "print('git' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_listing_and_a_few_reads_do_not_import_gitpython(kb_readonly: KB) -> None:
    """`check` lists files and reads a handful of blobs: GitPython (its persistent `cat-file`)
    is opened only once a repository is read from often, so `check` never pays its import."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from readertui.core.git import GitRepo\n"
        f"repo = GitRepo(Path({str(kb_readonly.submodule)!r}))\n"
        f"files = repo.list_files({kb_readonly.b!r})\n"
        f"data = [repo.read_file(path, {kb_readonly.a!r}) for path in files[:3]]\n"
        "print('git' in sys.modules, all(d is not None for d in data))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False True"


def test_reads_past_the_first_few_give_the_same_bytes(
    kb_readonly: KB, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitmod, "_ONE_SHOT_READS", 2)
    repo = GitRepo(kb_readonly.submodule)
    files = repo.list_files(kb_readonly.a)
    first = {path: repo.read_file(path, kb_readonly.a) for path in files}
    assert len(first) > gitmod._ONE_SHOT_READS  # the later reads went through GitPython
    again = GitRepo(kb_readonly.submodule)
    assert {path: again.read_file(path, kb_readonly.a) for path in reversed(files)} == first
    assert repo._gitpython_repo is not None
    assert repo.read_file("no/such/file.py", kb_readonly.a) is None


def test_a_bare_repository_is_refused(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare")
    with pytest.raises(GitError, match="bare"):
        GitRepo(tmp_path)

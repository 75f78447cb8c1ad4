from __future__ import annotations

import pytest

from readertui.core.forge import permalink, web_base
from readertui.core.model import LineRange

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/microsoft/DeepSpeed.git",
        "https://github.com/microsoft/DeepSpeed",
        "git@github.com:microsoft/DeepSpeed.git",
        "ssh://git@github.com/microsoft/DeepSpeed.git",
    ],
)
def test_github_remotes_give_a_blob_link(remote):
    assert permalink(remote, SHA, "deepspeed/runtime/engine.py", LineRange(234, 256)) == (
        f"https://github.com/microsoft/DeepSpeed/blob/{SHA}/deepspeed/runtime/engine.py#L234-L256"
    )


def test_single_line_and_other_forges():
    one = LineRange.single(7)
    assert permalink("https://gitlab.com/g/sub/r.git", SHA, "a b.py", LineRange(1, 3)) == (
        f"https://gitlab.com/g/sub/r/-/blob/{SHA}/a%20b.py#L1-3"
    )
    assert permalink("git@codeberg.org:o/r.git", SHA, "x.c", one).endswith(f"/src/commit/{SHA}/x.c#L7")
    assert permalink("https://bitbucket.org/o/r", SHA, "x.c", one).endswith("#lines-7")


@pytest.mark.parametrize(
    "remote", [None, "/srv/git/engine", "file:///tmp/up", "https://example.com/o/r.git", "github.com"]
)
def test_unknown_or_local_remotes_give_none(remote):
    assert permalink(remote, SHA, "a.py", LineRange(1, 2)) is None


def test_path_traversal_in_remote_is_refused():
    assert web_base("https://github.com/../../etc") is None

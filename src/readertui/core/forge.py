"""Permalinks to a line range on a known forge, derived from a repo's remote URL (pure)."""

from __future__ import annotations

import re
from urllib.parse import quote

from readertui.core.model import LineRange

# host → how a blob line range is written there
_FORGES = {
    "github.com": ("blob", "#L{a}-L{b}", "#L{a}"),
    "gitlab.com": ("-/blob", "#L{a}-{b}", "#L{a}"),
    "codeberg.org": ("src/commit", "#L{a}-L{b}", "#L{a}"),
    "bitbucket.org": ("src", "#lines-{a}:{b}", "#lines-{a}"),
}
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/].*)$")  # git@github.com:o/r.git
_URL = re.compile(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[\w.-]+)(?::\d+)?/(?P<path>.+)$")


def web_base(remote_url: str) -> tuple[str, str] | None:
    """(`https://host/owner/repo`, host) for a remote on a known forge, else None."""
    url = remote_url.strip()
    match = _URL.match(url) or _SCP.match(url)
    if not match:
        return None
    host = match["host"].lower()
    path = match["path"].strip("/").removesuffix(".git")
    if host not in _FORGES or path.count("/") < 1 or ".." in path.split("/"):
        return None
    return f"https://{host}/{path}", host


def permalink(remote_url: str | None, commit: str, path: str, lines: LineRange) -> str | None:
    """`https://github.com/o/r/blob/<sha>/<path>#L<a>-L<b>`, or None off a known forge."""
    base = web_base(remote_url) if remote_url else None
    if base is None:
        return None
    url, host = base
    blob, span, single = _FORGES[host]
    anchor = (single if lines.start == lines.end else span).format(a=lines.start, b=lines.end)
    return f"{url}/{blob}/{commit}/{quote(path)}{anchor}"

"""Running the screen's slow work, and reporting its failures.

The screen's collaborators (navigation, note loading, the project index, capture) are plain
objects, and `@work` decorates only methods of DOM nodes: they run their work as workers of the
node they serve, named and grouped as `@work` would, so the node's Worker.StateChanged handler
reports what raised. Work in a thread ends by posting a message to that node (thread-safe).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker


class Failed(Message):
    """Work failed: the screen tells the reader in a notification."""

    def __init__(self, title: str, error: Exception) -> None:
        super().__init__()
        self.title, self.error = title, str(error)


def run(
    node: DOMNode,
    work: Callable[..., Any],
    *args: Any,
    group: str,
    exclusive: bool = False,
    thread: bool = False,
) -> Worker[Any]:
    """Run `work(*args)` as a worker of `node` (a thread worker when `thread`)."""
    return node.run_worker(
        partial(work, *args),
        name=work.__name__,
        group=group,
        exclusive=exclusive,
        thread=thread,
        exit_on_error=False,
    )


def post_failure(node: DOMNode, title: str, error: Exception) -> None:
    """Tell the reader that work failed; safe from any thread (it posts a message)."""
    node.post_message(Failed(title, error))

"""A long note's citations found by forked children while this process resolves them.

On a long reading log `check` spends most of its time in the finders (`NoteScanner.find`), and
those look at one piece of the note at a time: what they find in a piece depends only on its
text and on whether an earlier piece mentioned a path. So children, forked with the note's
text (a fork copies nothing until written), run the finders on every Kth piece each and send
what they found (msgpack, through a pipe); this process puts the pieces together in order
(`NoteScanner.assemble`: sections, context, declarations) and resolves them meanwhile.

A child assumes an earlier piece mentioned a path (true after the first few pieces of any real
note); when that turns out false, the piece is read again here. If a child dies, the rest of
the note is read here. The pipes' small buffers keep each child a piece or two ahead, so
memory stays flat. The note is read here instead when it is short (`AHEAD_FROM`), when no core
is idle but this process's own, when the platform cannot fork, or when this process runs
other threads (a fork copies locks another thread may hold; the reader's workers are threads).

Either way `ScannedParts` yields what `NoteScanner.parts()` yields.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

from readertui.core.citations import NoteScanner, PieceFinds
from readertui.core.model import Citation, CommitDeclaration
from readertui.core.note_blocks import Block

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

AHEAD_FROM = 2_000_000  # characters: below, forking costs more than it saves
MOST_CHILDREN = 4  # past this, assembling and resolving here is what takes the time

Part = tuple[tuple[Citation, ...], tuple[CommitDeclaration, ...]]
_END = b""  # a child's last message: it has no more pieces


class ScannedParts:
    """The non-empty parts of `text` as (citations, declarations in force at their first line),
    in document order; once they are all read, `full_paths` and `declarations` are the whole
    note's (`NoteScanner.full_paths`, `NoteScanner.declarations()`).

    `children`: how many to fork; None decides as described above (0 when not worth it)."""

    def __init__(self, text: str, children: int | None = None) -> None:
        self.text = text
        self.children = _children_for(len(text)) if children is None else children if _can_fork() else 0
        self.full_paths: frozenset[str] = frozenset()
        self.declarations: tuple[CommitDeclaration, ...] = ()

    def __iter__(self) -> Iterator[Part]:
        scanner = NoteScanner(self.text)
        found = self._from_children(scanner) if self.children else self._here(scanner, scanner.pieces())
        for part in found:
            if part:
                # asked for every part, in order (the scopes drop what ended before)
                yield part, scanner.declarations_in_force(part[0].line)
        self.full_paths = frozenset(scanner.full_paths)
        self.declarations = scanner.declarations()

    @staticmethod
    def _here(scanner: NoteScanner, pieces: Iterator[tuple[list[Block], int]], first: int = 0) -> Iterator[tuple[Citation, ...]]:
        for index, (blocks, stop) in enumerate(pieces, first):
            yield scanner.assemble(scanner.find(index, blocks, stop, scanner.path_before))

    def _from_children(self, scanner: NoteScanner) -> Iterator[tuple[Citation, ...]]:
        import multiprocessing  # (only here: a slow import the reader never needs)

        context = multiprocessing.get_context("fork")
        receivers: list[Connection] = []
        children = []
        decoder = msgspec.msgpack.Decoder(PieceFinds)
        local = scanner.pieces()  # read here only as far as needed (see below)
        local_at = 0
        try:
            for number in range(self.children):
                receiver, sender = context.Pipe(duplex=False)
                child = context.Process(
                    target=_find_into, args=(self.text, number, self.children, sender), daemon=True
                )
                child.start()
                sender.close()
                receivers.append(receiver)
                children.append(child)
            for index in itertools.count():
                try:
                    data = receivers[index % self.children].recv_bytes()
                    finds = None if data == _END else decoder.decode(data)
                except (EOFError, OSError, msgspec.DecodeError):  # a child died: read the rest here
                    yield from self._here(scanner, itertools.islice(local, index - local_at, None), index)
                    return
                if finds is None:
                    return
                if finds.path_before and not scanner.path_before:  # no earlier piece named a path
                    blocks, stop = next(itertools.islice(local, index - local_at, None))
                    local_at = index + 1
                    finds = scanner.find(index, blocks, stop, False)
                yield scanner.assemble(finds)
        finally:
            for receiver in receivers:
                receiver.close()
            for child in children:
                if child.is_alive():  # the caller stopped early, or an error: not wanted
                    child.terminate()
                child.join()


def _find_into(text: str, number: int, every: int, sender: Connection) -> None:
    """A child: the finds of pieces `number`, `number + every`, … of `text`, then `_END`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (it ends us)
    encoder = msgspec.msgpack.Encoder()
    scanner = NoteScanner(text)
    try:
        for index, (blocks, stop) in enumerate(scanner.pieces()):
            if index % every == number:
                sender.send_bytes(encoder.encode(scanner.find(index, blocks, stop, path_before=index > 0)))
        sender.send_bytes(_END)
    except OSError:  # the parent went away
        pass
    finally:
        sender.close()


def _children_for(size: int) -> int:
    """One per idle core but this process's own (a busy machine gains nothing from the split
    and pays its ~20 % more CPU), at most MOST_CHILDREN."""
    if size < AHEAD_FROM or threading.active_count() > 1 or not _can_fork():
        return 0
    idle = round(_cores() - _load())
    return max(0, min(idle - 1, MOST_CHILDREN))


def _load() -> float:
    try:
        return os.getloadavg()[0]  # processes running or waiting to, over the last minute
    except (AttributeError, OSError):  # (not on every platform)
        return 0.0


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's share)
    except AttributeError:  # (not on macOS)
        return os.cpu_count() or 1

"""Carry a changed citation by the definition it cites, when relocation by text is unsure.

`drift.DriftMapper` relocates a range a hunk touched by its text: an exact unique match, else a
fuzzy vote near the expected place. When a function's body was rewritten, the text vote is weak
(or finds nothing) although the function is plainly still there under its name. If the cited
range held a definition at the old commit (the innermost definition containing all of it), or
the citation's label names one, the same definition at the new commit gives a candidate: the
cited range at the same offset from the definition's start (to its end when it reached the end).

Its confidence is `SYMBOL_CONFIDENCE` for a unique match of the qualified name
(`Engine.step`), `NAME_ONLY_CONFIDENCE` when only the bare name matches uniquely; it replaces
the text candidate only when higher. It is a candidate for review like any other changed
mapping, never an exact carry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import msgspec

from readertui.core.claims import claim_of
from readertui.core.drift import RangeMapping
from readertui.core.model import LineRange

if TYPE_CHECKING:
    from readertui.core.tags import Definition

SYMBOL_CONFIDENCE = 0.8
NAME_ONLY_CONFIDENCE = 0.6

ReadAt = Callable[[str, str], bytes | None]  # (commit, path) -> blob
DefinitionsOf = Callable[[bytes, str], Sequence["Definition"]]


def improve(
    mapping: RangeMapping,
    old: str,
    new: str,
    label: str | None,
    read_at: ReadAt,
    definitions_of: DefinitionsOf,
) -> RangeMapping:
    """`mapping` with the definition's new range as its candidate when that is more certain
    than the text's; unchanged otherwise (and for anything but one changed range)."""
    if mapping.status != "changed" or len(mapping.old_ranges) != 1:
        return mapping
    new_path = mapping.new_path or mapping.old_path
    floor = mapping.confidence if mapping.new_ranges else 0.0
    if floor >= SYMBOL_CONFIDENCE:
        return mapping
    old_source = read_at(old, mapping.old_path)
    new_source = read_at(new, new_path)
    if not old_source or not new_source:
        return mapping
    cited = mapping.old_ranges[0]
    held = _cited_definition(definitions_of(old_source, mapping.old_path), cited, label)
    if held is None:
        return mapping
    found = _same_definition(definitions_of(new_source, new_path), held)
    if found is None:
        return mapping
    after, confidence = found
    if confidence <= floor:
        return mapping
    offset = cited.start - held.start
    start = min(after.start + max(offset, 0), after.end)
    end = after.end if cited.end >= held.end else min(start + len(cited) - 1, after.end)
    return msgspec.structs.replace(
        mapping, new_path=new_path, new_ranges=(LineRange(start, max(start, end)),),
        confidence=confidence, by_symbol=held.qualified,
    )


def _cited_definition(defs: Sequence[Definition], cited: LineRange, label: str | None) -> Definition | None:
    """The definition the label names (when the range lies in it or on it), else the innermost
    definition holding the whole range."""
    claim = claim_of(label)
    if claim is not None:
        named = [d for d in defs if d.name.lower() == claim.name.lower()
                 and d.start <= cited.end and cited.start <= d.end]
        if len(named) == 1:
            return named[0]
    holding = [d for d in defs if d.start <= cited.start and cited.end <= d.end and d.kind != "impl"]
    return min(holding, key=lambda d: d.end - d.start, default=None)


def _same_definition(defs: Sequence[Definition], held: Definition) -> tuple[Definition, float] | None:
    qualified = [d for d in defs if d.qualified == held.qualified and d.kind == held.kind]
    if len(qualified) == 1:
        return qualified[0], SYMBOL_CONFIDENCE
    if qualified:
        return None  # overloads: the name does not say which
    named = [d for d in defs if d.name == held.name and d.kind == held.kind]
    if len(named) == 1:
        return named[0], NAME_ONLY_CONFIDENCE
    return None

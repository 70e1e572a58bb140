"""The pair registry: one `pair(...)` line per migrated function, with its arguments' strategies."""

from __future__ import annotations

from dataclasses import dataclass, field

from equivalence_tests.strategies import ArgStrategy


@dataclass(frozen=True)
class Pair:
    """A legacy function, its migration, and what the comparison may ignore or must look at."""

    name: str
    legacy: str  # "module:function" under legacy_14/, or an absolute "pkg.module:function"
    modern: str  # the same under modern_20/
    args: dict[str, ArgStrategy] = field(default_factory=dict)
    ordered_by: str | None = None  # the sort key the function promises; ties may come in any order
    writes: bool = False  # compare the database state after the call as well
    loads: tuple[str, ...] = ()  # relationships the result promises to have loaded
    commit: bool = False  # the caller commits after the call (the function only flushes)
    known: str | None = None  # a divergence we expect, explained in one line
    # Paths the generated examples must exercise: label -> regex searched in both sides' SQL
    # and outcomes. A path no example reached makes the run incomplete, not green.
    covers: dict[str, str] = field(default_factory=dict)
    # Tables half the examples must have rows in: for deep chains (an order with items).
    rich: tuple[str, ...] = ()
    doc: str = ""


PAIRS: dict[str, Pair] = {}


def pair(target: str, *, label: str | None = None, legacy: str | None = None,
         modern: str | None = None, ordered_by: str | None = None, writes: bool = False,
         loads: tuple[str, ...] = (), commit: bool = False, known: str | None = None,
         covers: dict[str, str] | None = None, rich: tuple[str, ...] = (),
         registry: dict[str, Pair] | None = None,
         **args: ArgStrategy) -> Pair:
    """Register the pair `target` ("module:function"), the same on both sides unless overridden."""
    registry = PAIRS if registry is None else registry
    entry = Pair(name=label or target.rpartition(":")[2], legacy=legacy or target,
                 modern=modern or target, args=args, ordered_by=ordered_by, writes=writes,
                 loads=loads, commit=commit, known=known, covers=covers or {},
                 rich=rich)
    if entry.name in registry:
        raise ValueError(f"pair {entry.name!r} is registered twice")
    registry[entry.name] = entry
    return entry

"""The pair registry: one `pair(...)` line per migrated function, with its arguments' strategies."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from equivalence_tests.services import Unpaired
from equivalence_tests.strategies import ArgStrategy
from shared_schema.protocol import injected

# (dataset, one item of the list result in its canonical form) -> the item's sort key.
OrderKey = Callable[[dict[str, list[dict[str, Any]]], Any], Any]


@dataclass(frozen=True)
class Pair:
    """A legacy function, its migration, and what the comparison may ignore or must look at."""

    name: str
    legacy: str  # "module:function" under legacy_14/, or an absolute "pkg.module:function"
    modern: str  # the same under modern_20/
    args: dict[str, ArgStrategy] = field(default_factory=dict)
    ordered_by: str | None = None  # the sort key the function promises; ties may come in any order
    # The function promises an order by a key its result may not carry (users by their latest
    # order's date). A function (dataset, item) -> that key, computed from the dataset: the
    # items must come in the control's sequence, those with equal keys in any order. Or True:
    # a list in another sequence is a divergence unless the control's own order moves when
    # it is asked again on the same rows inserted in another physical order (then: ties).
    # Measured on a dropped ORDER BY: the key caught it in 40 of 40 random runs of 100
    # examples (`nox -s detection`) with no false alarm; True caught 19 of 20 but twice
    # failed a migration with the same SQL (ties ordered by each database's own physical
    # history, which the control's rerun does not reproduce). Prefer the key.
    ordered: bool | OrderKey = False
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
    service: str = "demo"  # whose schema and databases it runs on
    # Parameters whose strategy is inferred from the schema once it is known: name -> its
    # annotation's text ("" without one). Found pairs have these; registered ones rarely.
    infer: dict[str, str] = field(default_factory=dict)
    found: bool = False  # paired by module and name, with no registration line


PAIRS: dict[str, Pair] = {}


def pair(target: str, *, label: str | None = None, legacy: str | None = None,
         modern: str | None = None, ordered_by: str | None = None,
         ordered: bool | OrderKey = False,
         writes: bool = False,
         loads: tuple[str, ...] = (), commit: bool = False, known: str | None = None,
         covers: dict[str, str] | None = None, rich: tuple[str, ...] = (),
         registry: dict[str, Pair] | None = None, service: str | None = None,
         **args: ArgStrategy) -> Pair:
    """Register the pair `target` ("module:function"), the same on both sides unless overridden."""
    registry = PAIRS if registry is None else registry
    if service is None:
        from equivalence_tests.services import discover, service_of

        owner = service_of(legacy or target, discover())
        service = owner.name if owner else "demo"
    entry = Pair(name=label or target.rpartition(":")[2], legacy=legacy or target,
                 modern=modern or target, args=args, ordered_by=ordered_by, ordered=ordered,
                 writes=writes,
                 loads=loads, commit=commit, known=known, covers=covers or {},
                 rich=rich, service=service)
    if entry.name in registry:
        raise ValueError(f"pair {entry.name!r} is registered twice")
    registry[entry.name] = entry
    return entry


def every_pair() -> tuple[list[Pair], list[Unpaired]]:
    """The registered pairs, and every function found on both sides of a service that has no
    registration (its arguments inferred later, from the schema); plus what cannot pair."""
    importlib.import_module("equivalence_tests.pairs")  # the demo service, registered pairs
    from equivalence_tests.services import discover, pairing

    pairs = list(PAIRS.values())
    registered = {p.legacy for p in pairs}
    used = registered | {p.modern for p in pairs}  # variants named by a registration
    names = set(PAIRS)
    unpaired: list[Unpaired] = []
    for svc in discover().values():
        paired, cannot = pairing(svc)
        unpaired += [u for u in cannot if u.target not in used]
        for legacy, _modern in paired:
            target = f"{legacy.module}:{legacy.name}"
            if target in registered:
                continue
            params = list(legacy.params)
            if params and injected(params[0], legacy.annotations.get(params[0])):
                params = params[1:]
            name = f"{legacy.module}.{legacy.name}"
            if name in names:
                raise ValueError(f"pair {name!r} is found twice")
            names.add(name)
            pairs.append(Pair(name=name, legacy=target, modern=target, service=svc.name,
                              infer={p: legacy.annotations.get(p, "") for p in params
                                     if p not in legacy.defaults},
                              doc=f"{legacy.module}.py line {legacy.line}", found=True))
    return pairs, unpaired

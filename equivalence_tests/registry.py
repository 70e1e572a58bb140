"""The pair registry: one `pair(...)` line per migrated function, with its arguments' strategies."""

from __future__ import annotations

from collections.abc import Mapping

from equivalence_tests.domain.pair import ArgStrategy, OrderKey, Pair
from equivalence_tests.domain.service import Unpaired
from shared_schema.protocol import injected

PAIRS: dict[str, Pair] = {}


def pair(target: str, args: Mapping[str, ArgStrategy] | None = None, /, *,
         label: str | None = None, legacy: str | None = None, modern: str | None = None,
         ordered_by: str | None = None, ordered: bool | OrderKey = False, writes: bool = False,
         loads: tuple[str, ...] = (), commit: bool = False, known: str | None = None,
         covers: Mapping[str, str] | None = None, rich: tuple[str, ...] = (),
         service: str | None = None, registry: dict[str, Pair] | None = None) -> Pair:
    """Register the pair `target` ("module:function"), the same on both sides unless overridden.
    `args`: a strategy per parameter the schema cannot tell (`{"sku": key_of("products",
    "sku")}`); the options are what `Pair` documents. Parameters not in `args` are inferred."""
    registry = PAIRS if registry is None else registry
    if service is None:
        from equivalence_tests.services import discover, service_of

        owner = service_of(legacy or target, discover())
        service = owner.name if owner else "demo"
    entry = Pair(name=label or target.rpartition(":")[2], legacy=legacy or target,
                 modern=modern or target, args=dict(args or {}), ordered_by=ordered_by,
                 ordered=ordered, writes=writes, loads=loads, commit=commit, known=known,
                 covers=dict(covers or {}), rich=rich, service=service)
    if entry.name in registry:
        raise ValueError(f"pair {entry.name!r} is registered twice")
    registry[entry.name] = entry
    return entry


def every_pair() -> tuple[list[Pair], list[Unpaired]]:
    """The registered pairs, and every function found on both sides of a service that has no
    registration (its arguments inferred later, from the schema); plus what cannot pair.
    Registrations are what has been imported: `runner.every_pair` imports pairs.py first."""
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

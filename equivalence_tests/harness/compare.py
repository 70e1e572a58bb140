"""Is a difference between the two sides' answers a change of behaviour? Decides it, and only it.

Not differences: the order of rows the function does not order (or that tie on its sort key),
float rounding, which time zone a timestamp is written in (the canonical form is UTC already),
an exception's message text, and the raw identity values of rows the call itself inserted
(a sequence value consumed by a rolled-back savepoint is not a behaviour change; the order in
which rows were created is, so new ids are compared by rank).
"""

from __future__ import annotations

import decimal
import json
import math
from dataclasses import dataclass, field
from typing import Any

from equivalence_tests.harness.state import REFERENCES, SERVER_NOW, Dataset, State
from equivalence_tests.registry import Pair

FLOAT_TOLERANCE = 1e-9


@dataclass
class Observation:
    """One side's answer to one call: what it returned or raised, and what it left behind."""

    outcome: Any
    sql: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    state: State | None = None
    executed: list[Any] | None = None  # [statement, parameters, executemany]: benchmark only


def differences(pair: Pair, dataset: Dataset, legacy: Observation, modern: Observation,
                ) -> list[str]:
    """What differs, as names ("return value", "table orders"); empty when equivalent."""
    found = []
    names = new_identities(dataset, legacy.state), new_identities(dataset, modern.state)
    sides = [normalize(pair, renumber(o.outcome, n))
             for o, n in zip((legacy, modern), names, strict=True)]
    if not equal(*sides):
        found.append("return value")
    if pair.writes and legacy.state is not None and modern.state is not None:
        left, right = (renumber_state(o.state or {}, n)
                       for o, n in zip((legacy, modern), names, strict=True))
        found += [f"table {table}" for table in left if not equal(left[table], right[table])]
    return found


def normalize(pair: Pair, outcome: Any) -> Any:
    """Put a list result in a canonical order, keeping only the order the function promises."""
    if not isinstance(outcome, list):
        return outcome
    if pair.ordered_by is None:
        return sorted(outcome, key=_sort_key)
    groups: list[list[Any]] = []
    previous: object = object()
    for item in outcome:
        key = sort_value(item, pair.ordered_by)
        if not groups or key != previous:
            groups.append([])
        groups[-1].append(item)
        previous = key
    return [item for group in groups for item in sorted(group, key=_sort_key)]


def sort_value(item: Any, column: str) -> Any:
    """The value of the sort key in an entity or a row."""
    if isinstance(item, dict) and "$entity" in item:
        return _sort_key(item["columns"].get(column))
    if isinstance(item, dict) and "$row" in item:
        return _sort_key(dict((k, v) for k, v in item["$row"]).get(column))
    return _sort_key(item)


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def equal(a: Any, b: Any) -> bool:
    """Structural equality, with floats within tolerance, decimals by value, errors by class."""
    if isinstance(a, dict) and isinstance(b, dict):
        if "$float" in a and "$float" in b:
            x, y = float(a["$float"]), float(b["$float"])
            return x == y or math.isclose(x, y, rel_tol=FLOAT_TOLERANCE) or (
                math.isnan(x) and math.isnan(y))
        if "$decimal" in a and "$decimal" in b:
            return bool(decimal.Decimal(a["$decimal"]) == decimal.Decimal(b["$decimal"]))
        if "$error" in a and "$error" in b:
            return bool(a["$error"] == b["$error"] and a.get("sqlstate") == b.get("sqlstate"))
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


Identities = dict[str, dict[int, str]]


def new_identities(dataset: Dataset, state: State | None) -> Identities:
    """Rows the call created, per table: their raw id -> 'new #k' (k-th created in that table)."""
    if state is None:
        return {}
    names: Identities = {}
    for table, rows in state.items():
        old = {row["id"] for row in dataset.get(table, [])}
        created = sorted(row["id"] for row in rows if row["id"] not in old)
        names[table] = {raw: f"new #{k}" for k, raw in enumerate(created, start=1)}
    return names


def renumber_state(state: State, names: Identities) -> State:
    result: State = {}
    for table, rows in state.items():
        result[table] = [_renumber_row(table, row, names) for row in rows]
    return result


def _renumber_row(table: str, row: dict[str, Any], names: Identities) -> dict[str, Any]:
    created = row.get("id") in names.get(table, {})
    out = {}
    for column, value in row.items():
        target = table if column == "id" else REFERENCES.get((table, column))
        if target is not None and value in names.get(target, {}):
            value = names[target][value]
        elif created and (table, column) in SERVER_NOW and value is not None:
            value = "set by now()"
        out[column] = value
    return out


def renumber(outcome: Any, names: Identities) -> Any:
    """The same renaming inside a return value: entities know their table."""
    if not names:
        return outcome
    if isinstance(outcome, list):
        return [renumber(item, names) for item in outcome]
    if isinstance(outcome, dict):
        if "$entity" in outcome and outcome.get("table"):
            renamed = dict(outcome)
            renamed["columns"] = _renumber_row(outcome["table"], outcome["columns"], names)
            if "loaded" in outcome:
                renamed["loaded"] = renumber(outcome["loaded"], names)
            return renamed
        return {key: renumber(value, names) for key, value in outcome.items()}
    return outcome

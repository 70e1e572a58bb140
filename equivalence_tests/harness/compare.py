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
import re
from dataclasses import dataclass, field
from typing import Any

from equivalence_tests.domain.dataset import Dataset, State
from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.verdict import Observation
from equivalence_tests.schema.catalog import Catalog
from equivalence_tests.schema.reset import unwrap
from shared_schema.values import plain

FLOAT_TOLERANCE = 1e-9
_NOW = re.compile(r"\b(now\(\)|current_timestamp|localtimestamp|clock_timestamp\(\)|"
                  r"statement_timestamp\(\)|transaction_timestamp\(\))", re.I)


@dataclass(frozen=True)
class SchemaFacts:
    """What the comparison needs to know of a schema, read from its catalog: which key a
    sequence numbers (new rows are compared by creation rank, not raw value), which columns
    point at such keys, and which columns the database fills with the current time."""

    keys: dict[str, str]  # table -> its one-column key drawn from a sequence
    references: dict[tuple[str, str], str]  # (table, column) -> the table whose key it holds
    server_now: frozenset[tuple[str, str]]
    # (table, column) -> the canonical value of its constant DEFAULT: what a row that left the
    # column to its default holds (datasets leave such columns out)
    defaults: dict[tuple[str, str], Any] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog, defaults: dict[tuple[str, str], Any] | None = None,
           ) -> SchemaFacts:
        """The facts of `catalog`, with its constant defaults as its database evaluated them
        (`Database.constant_defaults`)."""
        keys = {}
        for table in catalog.tables:
            if len(table.primary_key) == 1:
                column = table.column(table.primary_key[0])
                if column.sequence is not None or column.identity:
                    keys[table.name] = column.name
        references = {
            (table.name, fk.columns[0]): fk.ref_table
            for table in catalog.tables for fk in table.foreign_keys
            if len(fk.columns) == 1 and keys.get(fk.ref_table) == fk.ref_columns[0]}
        server_now = frozenset(
            (table.name, column.name) for table in catalog.tables for column in table.columns
            if column.default and _NOW.search(column.default))
        return cls(keys, references, server_now, dict(defaults or {}))


def differences(pair: Pair, dataset: Dataset, legacy: Observation, modern: Observation,
                facts: SchemaFacts) -> list[str]:
    """What differs, as names ("return value", "table orders"); empty when equivalent."""
    found = []
    names = (new_identities(dataset, legacy.state, facts),
             new_identities(dataset, modern.state, facts))
    sides = [normalize(pair, renumber(o.outcome, n, facts), dataset)
             for o, n in zip((legacy, modern), names, strict=True)]
    if not equal(*sides):
        found.append("return value")
    if legacy.state is not None and modern.state is not None:
        left, right = (renumber_state(o.state or {}, n, facts)
                       for o, n in zip((legacy, modern), names, strict=True))
        found += [f"table {table}" for table in left if not equal(left[table], right[table])]
    return found


def order_differs(pair: Pair, dataset: Dataset, legacy: Observation, other: Observation,
                  facts: SchemaFacts) -> bool:
    """For a pair declared `ordered`: both return values are lists with the same items (as
    the comparison sees them) in another sequence. Whether that breaks a promised order or is
    among ties the caller asks the control (`check`), since the key is not in the result."""
    if pair.ordered is not True:
        return False
    a, b = (renumber(o.outcome, new_identities(dataset, o.state, facts), facts)
            for o in (legacy, other))
    if not (isinstance(a, list) and isinstance(b, list)):
        return False
    return equal(normalize(pair, a, dataset), normalize(pair, b, dataset)) and not equal(a, b)


def same_sequence(dataset: Dataset, legacy: Observation, other: Observation,
                  facts: SchemaFacts) -> bool:
    """The two return values are equal item by item, in the order they came."""
    a, b = (renumber(o.outcome, new_identities(dataset, o.state, facts), facts)
            for o in (legacy, other))
    return equal(a, b)


def rows_reversed(dataset: Dataset) -> Dataset:
    """The same rows (the same ids, the same sequence positions), every table's inserted in
    the opposite order: a plan that reads tables in physical order sees them reversed."""
    return {table: list(reversed(rows)) for table, rows in dataset.items()}


def changed_tables(dataset: Dataset, state: State | None, facts: SchemaFacts,
                   ) -> list[str]:
    """Tables whose content after the call differs from the dataset the call started from:
    rows compared as a multiset by the columns the dataset sets (numbers by value), leaving
    out sequence-drawn keys. Nothing read back (no side wrote): none changed."""
    if state is None:
        return []
    changed = []
    for table, rows in state.items():
        before = dataset.get(table, [])
        if len(rows) != len(before):
            changed.append(table)
            continue
        key = facts.keys.get(table)
        try:
            before = [{**{c: v for (t, c), v in facts.defaults.items()
                          if t == table and c not in row},
                       **{c: plain(unwrap(v)) for c, v in row.items()}} for row in before]
        except TypeError:  # a value with no plain form: say changed rather than "no data"
            changed.append(table)
            continue
        # Columns every row sets (a column left to a default not known here is left out).
        columns = sorted(set.intersection(*(set(row) for row in before)) - {key}
                         if before else ())
        old = sorted(_content(row, columns, lambda v: v) for row in before)
        if old != sorted(_content(row, columns, lambda v: v) for row in rows):
            changed.append(table)
    return changed


def _content(row: dict[str, Any], columns: list[str], form: Any) -> str:
    return json.dumps([_by_value(form(row.get(column))) for column in columns],
                      sort_keys=True, ensure_ascii=False)


def _by_value(value: Any) -> Any:
    """A plain value with numbers by value: numeric(10,2) reads back 1.5 as 1.50."""
    if isinstance(value, dict) and "$decimal" in value:
        number = decimal.Decimal(value["$decimal"])
        return {"$decimal": str(number.normalize()) if number.is_finite() else str(number)}
    if isinstance(value, dict) and "$float" in value:
        return {"$float": repr(float(value["$float"]))}
    if isinstance(value, list):
        return [_by_value(item) for item in value]
    return value


def normalize(pair: Pair, outcome: Any, dataset: Dataset | None = None) -> Any:
    """Put a list result in a canonical order, keeping only the order the function promises.
    A pair `ordered` by a key outside its result: by that key computed from `dataset`; with
    `ordered=True` as a multiset (the caller asks the control about the order). Without a
    dataset (a report showing both sides), such a list keeps its sequence as it came."""
    if not isinstance(outcome, list):
        return outcome
    if pair.ordered and dataset is None:
        return outcome
    order_key = pair.ordered if callable(pair.ordered) else None
    if pair.ordered_by is None and order_key is None:
        return sorted(outcome, key=_sort_key)
    groups: list[list[Any]] = []
    previous: object = object()
    for item in outcome:
        key: Any = (order_key(dataset or {}, item) if order_key is not None
                    else sort_value(item, pair.ordered_by or ""))
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


def new_identities(dataset: Dataset, state: State | None,
                   facts: SchemaFacts) -> Identities:
    """Rows the call created, per table: their raw key -> 'new #k' (k-th created there)."""
    if state is None:
        return {}
    names: Identities = {}
    for table, rows in state.items():
        key = facts.keys.get(table)
        if key is None:
            continue  # no sequence-drawn key: rows are compared by their values as they are
        old = {row[key] for row in dataset.get(table, [])}
        created = sorted(row[key] for row in rows if row[key] not in old)
        names[table] = {raw: f"new #{k}" for k, raw in enumerate(created, start=1)}
    return names


def renumber_state(state: State, names: Identities, facts: SchemaFacts) -> State:
    result: State = {}
    for table, rows in state.items():
        result[table] = [_renumber_row(table, row, names, facts) for row in rows]
    return result


def _renumber_row(table: str, row: dict[str, Any], names: Identities,
                  facts: SchemaFacts) -> dict[str, Any]:
    key = facts.keys.get(table)
    created = key is not None and row.get(key) in names.get(table, {})
    out = {}
    for column, value in row.items():
        target = table if column == key else facts.references.get((table, column))
        if target is not None and value in names.get(target, {}):
            value = names[target][value]
        elif created and (table, column) in facts.server_now and value is not None:
            value = "set by now()"
        out[column] = value
    return out


def renumber(outcome: Any, names: Identities, facts: SchemaFacts) -> Any:
    """The same renaming inside a return value: entities know their table."""
    if not names:
        return outcome
    if isinstance(outcome, list):
        return [renumber(item, names, facts) for item in outcome]
    if isinstance(outcome, dict):
        if "$entity" in outcome and outcome.get("table"):
            renamed = dict(outcome)
            renamed["columns"] = _renumber_row(outcome["table"], outcome["columns"], names,
                                               facts)
            if "loaded" in outcome:
                renamed["loaded"] = renumber(outcome["loaded"], names, facts)
            return renamed
        return {key: renumber(value, names, facts) for key, value in outcome.items()}
    return outcome

"""Put a database into a derived dataset's state, read it back, and drop what it refuses.

Everything is plain SQL over one psycopg2 connection in autocommit mode (as
`harness.state.Database` keeps it). The reset is one round trip; only when the database
refuses a dataset (a constraint the strategy could not read: `CHECK (a + b < 10)`, a trigger,
a domain) are rows inserted one by one, each inside a savepoint, to find and drop the refused
ones, and the run is told which table lost how many rows to which constraint.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg2
import psycopg2.extensions
from psycopg2.extras import Json

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.schema.catalog import Catalog, Column, Sequence, Table

__all__ = ["Refusal", "RefusalTally", "refused_rows", "reset_script", "snapshot"]

# Array element types psycopg2 reads back as strings unless cast: read them as text[].
_TEXT_ARRAYS = {"uuid", "json", "jsonb"}
# Types psycopg2 reads back as a value it can order natively; others are ordered as text.
_UNORDERED = {"json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"}


def quote(name: str) -> str:
    """An identifier as PostgreSQL quotes it (always quoted: safe for any name)."""
    return '"' + name.replace('"', '""') + '"'


def _qualified(catalog: Catalog, table: str) -> str:
    return f"{quote(catalog.schema)}.{quote(table)}"


def _adapt(value: Any) -> Any:
    """A dataset value as psycopg2 can send it: UUIDs as text (no global adapter needed)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return [_adapt(item) for item in value]
    return value


def _placeholder(column: Column) -> str:
    # ARRAY['a'] is text[]: an enum, uuid or json array column needs an explicit cast, and a
    # cast to the element type without its typmod keeps varchar(n) checking lengths.
    return f"%s::{column.element_sql_type}[]" if column.array else "%s"


def _deferred_columns(table: Table) -> set[str]:
    return {c for fk in table.foreign_keys if fk.deferred for c in fk.columns}


def _insert(cur: psycopg2.extensions.cursor, catalog: Catalog, table: Table,
            rows: list[dict[str, Any]], deferred: set[str]) -> bytes:
    """One INSERT of `rows` (a column missing from a row takes its DEFAULT)."""
    columns = [c for c in table.columns if not c.generated
               and any(c.name in row for row in rows)]
    if not columns:
        return b"".join(f"INSERT INTO {_qualified(catalog, table.name)} DEFAULT VALUES;".encode()
                        for _ in rows)
    overriding = any(c.identity == "always" for c in columns)
    head = (f"INSERT INTO {_qualified(catalog, table.name)} "
            f"({', '.join(quote(c.name) for c in columns)})"
            + (" OVERRIDING SYSTEM VALUE" if overriding else "") + " VALUES ")
    values = []
    for row in rows:
        parts, params = [], []
        for column in columns:
            if column.name not in row:
                parts.append("DEFAULT")
            elif column.name in deferred:
                parts.append("NULL")
            else:
                parts.append(_placeholder(column))
                params.append(_adapt(row[column.name]))
        values.append(cur.mogrify("(" + ", ".join(parts) + ")", params))
    return head.encode() + b", ".join(values) + b";"


def _updates(cur: psycopg2.extensions.cursor, catalog: Catalog, table: Table,
             rows: Iterable[dict[str, Any]], deferred: set[str]) -> list[bytes]:
    """Set the cycle-breaking keys once every table is filled, one UPDATE per row."""
    if not deferred or not table.primary_key:
        return []
    columns = [c for c in table.columns if c.name in deferred]
    statements = []
    for row in rows:
        if all(row.get(c.name) is None for c in columns):
            continue
        assignments = ", ".join(f"{quote(c.name)} = {_placeholder(c)}" for c in columns)
        where = " AND ".join(f"{quote(k)} = %s" for k in table.primary_key)
        statements.append(cur.mogrify(
            f"UPDATE {_qualified(catalog, table.name)} SET {assignments} WHERE {where};",
            [_adapt(row.get(c.name)) for c in columns]
            + [_adapt(row[k]) for k in table.primary_key]))
    return statements


def _clear(catalog: Catalog) -> list[bytes]:
    """Unset cycle-breaking keys, then delete children before parents."""
    parts = []
    for table in catalog.tables:
        deferred = sorted(_deferred_columns(table))
        if deferred:
            parts.append(
                f"UPDATE {_qualified(catalog, table.name)} SET "
                + ", ".join(f"{quote(c)} = NULL" for c in deferred) + " WHERE "
                + " OR ".join(f"{quote(c)} IS NOT NULL" for c in deferred) + ";")
    parts += [f"DELETE FROM {_qualified(catalog, t.name)};" for t in reversed(catalog.tables)]
    return [part.encode() for part in parts]


def _setvals(catalog: Catalog, dataset: Mapping[str, list[dict[str, Any]]]) -> bytes:
    """Every sequence the catalog names: right after the dataset's keys, or at its start."""
    used: dict[str, tuple[Sequence, list[int]]] = {}
    for table in catalog.tables:
        for column in table.columns:
            if column.sequence is None:
                continue
            values = used.setdefault(column.sequence.name, (column.sequence, []))[1]
            values += [row[column.name] for row in dataset.get(table.name, [])
                       if isinstance(row.get(column.name), int)]
    calls = []
    for name, (sequence, values) in used.items():
        value, is_called = sequence.start, False
        if values:
            ascending = sequence.increment > 0
            value = (max(values) if ascending else min(values)) + sequence.increment
            if value > sequence.max:
                value, is_called = sequence.max, True
            elif value < sequence.min:
                value, is_called = sequence.min, not ascending
        literal = "'" + name.replace("'", "''") + "'"
        calls.append(f"setval({literal}, {value}, {'true' if is_called else 'false'})")
    return f"SELECT {', '.join(calls)};".encode() if calls else b""


def reset_script(conn: psycopg2.extensions.connection, catalog: Catalog,
                 dataset: Mapping[str, list[dict[str, Any]]]) -> bytes:
    """One round trip: delete every table (children first), insert the dataset (parents
    first; cycle-breaking keys set by UPDATE afterwards), put every sequence after its keys."""
    parts = [b"BEGIN;", *_clear(catalog)]
    with conn.cursor() as cur:
        for table in catalog.tables:
            rows = dataset.get(table.name, [])
            if rows:
                parts.append(_insert(cur, catalog, table, rows, _deferred_columns(table)))
        for table in catalog.tables:
            parts += _updates(cur, catalog, table, dataset.get(table.name, []),
                              _deferred_columns(table))
    parts += [_setvals(catalog, dataset), b"COMMIT;"]
    return b"\n".join(part for part in parts if part)


def _reader(column: Column) -> tuple[str, Callable[[Any], Any]]:
    """The select expression of a column and what turns psycopg2's value into a dataset's."""
    name = quote(column.name)
    if column.array and (column.type in _TEXT_ARRAYS or column.enum_labels):
        convert = _converter(column)
        return f"{name}::text[]", lambda v: None if v is None else [
            None if item is None else convert(item) for item in v]
    if column.array and column.type == "bytea":
        return name, lambda v: None if v is None else [
            None if item is None else bytes(item) for item in v]
    if column.type == "uuid" or column.type == "bytea":
        convert = _converter(column)
        return name, lambda v: None if v is None else convert(v)
    return name, lambda v: v


def _converter(column: Column) -> Callable[[Any], Any]:
    if column.type == "uuid":
        return lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(v)
    if column.type in ("json", "jsonb"):
        return lambda v: json.loads(v) if isinstance(v, str) else v
    if column.type == "bytea":
        return bytes
    return lambda v: v


def order_by(table: Table) -> str:
    """The primary key, else every column (unorderable types compared as text)."""
    if table.primary_key:
        return ", ".join(quote(c) for c in table.primary_key)
    return ", ".join(
        f"{quote(c.name)}::text" if c.type in _UNORDERED or (c.array and c.type in _TEXT_ARRAYS)
        else quote(c.name)
        for c in table.columns)


def snapshot(conn: psycopg2.extensions.connection, catalog: Catalog) -> Dataset:
    """Every table, rows in primary-key order (tables without one: by all their columns),
    with values as a dataset holds them (json as its Python value, not wrapped in Json)."""
    state: Dataset = {}
    with conn.cursor() as cur:
        for table in catalog.tables:
            readers = [_reader(column) for column in table.columns]
            cur.execute(f"SELECT {', '.join(expr for expr, _ in readers)} "
                        f"FROM {_qualified(catalog, table.name)} ORDER BY {order_by(table)}")
            names = [column.name for column in table.columns]
            state[table.name] = [
                {name: convert(value)
                 for name, (_, convert), value in zip(names, readers, row, strict=True)}
                for row in cur.fetchall()
            ]
    return state


@dataclass(frozen=True)
class Refusal:
    """A row the database refused. `dropped`: left out of the dataset (else only its
    cycle-breaking key was refused and set to NULL)."""

    table: str
    row: dict[str, Any] = field(hash=False, compare=False)
    constraint: str | None
    sqlstate: str | None
    message: str
    dropped: bool = True


def refused_rows(conn: psycopg2.extensions.connection, catalog: Catalog,
                 dataset: Mapping[str, list[dict[str, Any]]],
                 ) -> tuple[Dataset, list[Refusal]]:
    """Insert the dataset row by row, each in a savepoint, inside a transaction that is rolled
    back: the dataset without the rows the database refused (children of a refused row are
    refused too, by their foreign key), and why each was refused. Leaves the tables as found."""
    if not conn.autocommit:
        raise ValueError("refused_rows needs a connection in autocommit mode")
    kept: Dataset = {}
    refusals: list[Refusal] = []
    with conn.cursor() as cur:
        cur.execute(b"BEGIN;\n" + b"\n".join(_clear(catalog)))
        try:
            for table in catalog.tables:
                deferred = _deferred_columns(table)
                kept[table.name] = []
                for row in dataset.get(table.name, []):
                    error = _attempt(cur, _insert(cur, catalog, table, [row], deferred))
                    if error is None:
                        kept[table.name].append(row)
                    else:
                        refusals.append(_refusal(table.name, row, error))
            for table in catalog.tables:
                deferred = _deferred_columns(table)
                for index, row in enumerate(kept[table.name]):
                    for statement in _updates(cur, catalog, table, [row], deferred):
                        error = _attempt(cur, statement)
                        if error is not None:
                            refusals.append(_refusal(table.name, row, error, dropped=False))
                            kept[table.name][index] = {
                                **row, **{column: None for column in deferred}}
        finally:
            cur.execute("ROLLBACK")
    return kept, refusals


def _attempt(cur: psycopg2.extensions.cursor, statement: bytes) -> psycopg2.Error | None:
    cur.execute("SAVEPOINT wb_row")
    try:
        cur.execute(statement)
    except psycopg2.Error as error:
        cur.execute("ROLLBACK TO SAVEPOINT wb_row")
        return error
    cur.execute("RELEASE SAVEPOINT wb_row")
    return None


def _refusal(table: str, row: dict[str, Any], error: psycopg2.Error, dropped: bool = True,
             ) -> Refusal:
    diag = error.diag
    message = (diag.message_primary or str(error)).splitlines()[0]
    return Refusal(table, row, diag.constraint_name, error.pgcode, message, dropped)


@dataclass
class RefusalTally:
    """Refusals summed over a run: rows dropped per table and per constraint, and which
    tables lose most of their rows (the strategy needs a hint there)."""

    offered: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    by_constraint: dict[str, Counter[str]] = field(default_factory=dict)

    def record(self, offered: Mapping[str, list[dict[str, Any]]],
               refusals: Iterable[Refusal]) -> None:
        for table, rows in offered.items():
            self.offered[table] += len(rows)
        for refusal in refusals:
            if refusal.dropped:
                self.dropped[refusal.table] += 1
            self.by_constraint.setdefault(refusal.table, Counter())[
                refusal.constraint or refusal.sqlstate or refusal.message] += 1

    def lines(self, catalog: Catalog | None = None, most: float = 0.5) -> list[str]:
        """One line per table that lost rows; tables losing more than `most` of them say so
        with the constraint responsible (and its text, given the catalog)."""
        out = []
        for table, count in sorted(self.dropped.items()):
            offered = self.offered[table]
            reasons = self.by_constraint.get(table, Counter())
            line = (f"{table}: {count} of {offered} rows refused and dropped ("
                    + ", ".join(f"{name}: {n}" for name, n in reasons.most_common()) + ")")
            if offered and count / offered > most and reasons:
                name = reasons.most_common(1)[0][0]
                line += f"; most rows of {table} are refused by {name}"
                if catalog is not None:
                    text = next((c.text for c in catalog.table(table).checks if c.name == name),
                                None)
                    if text:
                        line += f" ({text}): give the column a hint"
            out.append(line)
        return out


def unwrap(value: Any) -> Any:
    """A dataset value as `snapshot` reads it back (json unwrapped from `Json`)."""
    if isinstance(value, Json):
        return value.adapted
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value

"""What a database's catalog says about its tables, read with plain SQL over pg_catalog.

The dataset strategy and the reset are derived from this alone, so that a service's own
schema needs no hand-written generator. Tables come in an order rows can be inserted in:
parents before children; a foreign-key cycle is broken at a nullable foreign key, whose
values are then set by UPDATE once every table is filled (`ForeignKey.deferred`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import psycopg2.extensions

from equivalence_tests.schema.checks import Condition, parse_check

__all__ = [
    "Catalog", "Check", "Column", "Condition", "ForeignKey", "Sequence", "Table", "Unique",
    "read_catalog",
]


@dataclass(frozen=True)
class Sequence:
    """A sequence a column draws its default from (serial, identity or nextval default)."""

    name: str  # as regclass prints it: quoted and schema-qualified where needed
    start: int
    increment: int
    min: int
    max: int


@dataclass(frozen=True)
class Column:
    """One column. `type` is pg_type.typname of the scalar type (the element type of an array,
    the base type of a domain): int4, numeric, varchar, timestamptz, jsonb, an enum's name."""

    name: str
    type: str
    sql_type: str  # format_type(): what the column was declared as, e.g. character varying(20)[]
    array: bool = False
    element_sql_type: str | None = None  # format_type of the element without typmod (casts)
    length: int | None = None  # varchar(n), char(n)
    precision: int | None = None  # numeric(p, s); fractional digits of time/timestamp/interval
    scale: int | None = None
    enum_labels: tuple[str, ...] = ()
    nullable: bool = True
    default: str | None = None  # the default expression's text, None without one
    identity: str = ""  # "" | "always" | "by default"
    generated: bool = False  # GENERATED ALWAYS AS (...) STORED: never inserted
    sequence: Sequence | None = None


@dataclass(frozen=True)
class Unique:
    """A UNIQUE constraint or unique index over plain columns (not partial, no expressions)."""

    name: str
    columns: tuple[str, ...]
    nulls_distinct: bool = True


@dataclass(frozen=True)
class ForeignKey:
    """`columns` of this table reference `ref_columns` of `ref_table` (maybe this table).

    `deferred`: this key breaks a cycle; rows are inserted with it NULL and it is set by an
    UPDATE after every table is inserted (and reset to NULL before deleting)."""

    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    nullable: bool = False  # every column may be NULL (MATCH SIMPLE: then it is not checked)
    deferred: bool = False


@dataclass(frozen=True)
class Check:
    """A CHECK constraint: its text, and its conditions when of a common form (else None)."""

    name: str
    text: str
    columns: tuple[str, ...]
    conditions: tuple[Condition, ...] | None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[Unique, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name}.{name}")


@dataclass(frozen=True)
class Catalog:
    """Tables in insert order (parents first). `schema` is the one they were read from."""

    tables: tuple[Table, ...]
    schema: str = "public"

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(table.name for table in self.tables)


_COLUMNS = """
SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
       NOT (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)),
       pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated <> '',
       b.typcategory = 'A', COALESCE(el.oid, b.oid), COALESCE(el.typname, b.typname),
       format_type(el.oid, NULL),
       pg_get_serial_sequence(format('%%I.%%I', n.nspname, c.relname), a.attname)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type el ON el.oid = b.typelem AND b.typcategory = 'A'
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum
"""

_INDEXES = """
SELECT c.relname, i.relname, x.indisprimary, x.indkey::int2[], {nulls_distinct}
FROM pg_index x
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, NOT x.indisprimary, i.relname
"""

_CONSTRAINTS = """
SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.conkey,
       f.relname, k.confkey, fn.nspname
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class f ON f.oid = k.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
WHERE n.nspname = %s AND k.contype IN ('c', 'f') AND c.relkind IN ('r', 'p')
  AND NOT c.relispartition
ORDER BY c.relname, k.conname
"""

_SEQUENCE = """
SELECT s.seqrelid::regclass::text, s.seqstart, s.seqincrement, s.seqmin, s.seqmax
FROM pg_sequence s WHERE s.seqrelid = to_regclass(%s)
"""

_NEXTVAL = re.compile(r"^nextval\('((?:[^']|'')+)'::regclass\)$")


def _typmod_fields(typname: str, typmod: int) -> dict[str, int | None]:
    """Length, precision and scale from a type modifier (as PostgreSQL encodes them)."""
    if typmod < 0:
        return {}
    if typname in ("varchar", "bpchar"):
        return {"length": typmod - 4}
    if typname == "numeric":
        return {"precision": ((typmod - 4) >> 16) & 0xFFFF, "scale": (typmod - 4) & 0xFFFF}
    if typname in ("timestamp", "timestamptz", "time", "timetz"):
        return {"precision": typmod}
    if typname == "interval" and typmod & 0xFFFF != 0xFFFF:
        return {"precision": typmod & 0xFFFF}
    return {}


def read_catalog(conn: psycopg2.extensions.connection, schema: str = "public") -> Catalog:
    """Read every table of `schema`: columns, keys, unique, foreign keys and CHECKs."""
    with conn.cursor() as cur:
        cur.execute("SELECT enumtypid, enumlabel FROM pg_enum ORDER BY enumtypid, enumsortorder")
        labels: dict[int, list[str]] = {}
        for oid, label in cur.fetchall():
            labels.setdefault(int(oid), []).append(label)
        cur.execute(_COLUMNS, (schema,))
        column_rows = cur.fetchall()
        sequences: dict[str, Sequence | None] = {}
        columns: dict[str, list[Column]] = {}
        attnames: dict[str, dict[int, str]] = {}
        for (table, attnum, name, sql_type, typmod, nullable, default, identity, generated,
             is_array, type_oid, typname, element_sql_type, serial) in column_rows:
            sequence_name = serial
            if sequence_name is None and default and (match := _NEXTVAL.match(default)):
                sequence_name = match.group(1).replace("''", "'")
            sequence = None
            if sequence_name is not None:
                if sequence_name not in sequences:
                    cur.execute(_SEQUENCE, (sequence_name,))
                    found = cur.fetchone()
                    sequences[sequence_name] = Sequence(*found) if found else None
                sequence = sequences[sequence_name]
            columns.setdefault(table, []).append(Column(
                name=name, type=typname, sql_type=sql_type, array=bool(is_array),
                element_sql_type=element_sql_type,
                enum_labels=tuple(labels.get(int(type_oid), ())), nullable=bool(nullable),
                default=default,
                identity={"a": "always", "d": "by default"}.get(identity, ""),
                generated=bool(generated), sequence=sequence,
                **_typmod_fields(typname, int(typmod)),
            ))
            attnames.setdefault(table, {})[int(attnum)] = name
        nulls = "NOT x.indnullsnotdistinct" if conn.server_version >= 150000 else "true"
        cur.execute(_INDEXES.format(nulls_distinct=nulls), (schema,))
        primary: dict[str, tuple[str, ...]] = {}
        unique: dict[str, list[Unique]] = {}
        for table, index, is_primary, keys, nulls_distinct in cur.fetchall():
            names = tuple(attnames[table][k] for k in keys)
            if is_primary:
                primary[table] = names
            elif all(u.columns != names for u in unique.get(table, ())):
                unique.setdefault(table, []).append(Unique(index, names, bool(nulls_distinct)))
        cur.execute(_CONSTRAINTS, (schema,))
        checks: dict[str, list[Check]] = {}
        foreign: dict[str, list[ForeignKey]] = {}
        for table, name, kind, text, keys, ref, ref_keys, ref_schema in cur.fetchall():
            cols = tuple(attnames[table][k] for k in keys or ())
            if kind == "c":
                checks.setdefault(table, []).append(Check(name, text, cols, parse_check(text)))
            elif ref_schema == schema and ref in attnames:
                nullable = all(c.nullable for c in columns[table] if c.name in cols)
                foreign.setdefault(table, []).append(ForeignKey(
                    name, cols, ref, tuple(attnames[ref][k] for k in ref_keys), nullable))
    tables = {
        name: Table(name, tuple(cols), primary.get(name, ()), tuple(unique.get(name, ())),
                    tuple(foreign.get(name, ())), tuple(checks.get(name, ())))
        for name, cols in columns.items()
    }
    return Catalog(tuple(insert_order(tables.values())), schema)


def insert_order(tables: Iterable[Table]) -> list[Table]:
    """Parents before children (a stable topological sort by name). A cycle is broken at a
    nullable foreign key of a table with a primary key (so an UPDATE can find its rows),
    which is marked `deferred`; failing that at any key of the cycle, marked too."""
    pending = {table.name: table for table in sorted(tables, key=lambda t: t.name)}
    broken: set[tuple[str, str]] = set()
    ordered: list[Table] = []
    while pending:

        def waits(table: Table) -> bool:
            return any(fk.ref_table in pending and fk.ref_table != table.name
                       and (table.name, fk.name) not in broken for fk in table.foreign_keys)

        ready = [t for t in pending.values() if not waits(t)]
        if ready:
            for table in ready:
                ordered.append(pending.pop(table.name))
            continue
        # Every table left waits on another: break one edge inside a cycle.
        def edges(name: str) -> list[str]:
            return [fk.ref_table for fk in pending[name].foreign_keys
                    if fk.ref_table in pending and fk.ref_table != name
                    and (name, fk.name) not in broken]

        def reaches(start: str, goal: str) -> bool:
            seen, todo = {start}, [start]
            while todo:
                for nxt in edges(todo.pop()):
                    if nxt == goal:
                        return True
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            return False

        candidates: list[tuple[int, str, str]] = []
        for table in pending.values():
            for fk in table.foreign_keys:
                if (fk.ref_table in pending and fk.ref_table != table.name
                        and (table.name, fk.name) not in broken
                        and reaches(fk.ref_table, table.name)):
                    rank = 0 if fk.nullable and table.primary_key else 1 if fk.nullable else 2
                    candidates.append((rank, table.name, fk.name))
        _, table_name, fk_name = min(candidates)
        broken.add((table_name, fk_name))
    return [
        replace(table, foreign_keys=tuple(
            replace(fk, deferred=(table.name, fk.name) in broken) for fk in table.foreign_keys))
        for table in ordered
    ]

"""Schema drift: where a side's models declare a table differently from the database it runs on.

Version-neutral (SQLAlchemy 1.4 with Alembic 1.19.x, 2.x with Alembic 1.20.x): it runs inside
each side's worker, on that side's engine. Alembic's `compare_metadata` finds the differences;
this module turns its diff tuples into plain JSON dicts a person can read, one per difference:

    {"kind": "modify_nullable", "table": "users", "column": "name",
     "models": "NOT NULL", "database": "NULL", "info": false,
     "note": "the models say NOT NULL where the table allows NULL: ..."}

`models` / `database` say what each declares (None: it declares nothing there). `info` is true
for differences that do not block a step: columns (and their constraints) the models do not map,
a looser nullability or a database default the models do not declare, comments. Tables that exist
only in the database are ignored: a module may map a subset of the schema.

What is normalized (measured on schema.sql with 1.4.54/Alembic 1.19.2 and 2.0.58/Alembic 1.20.1,
both report alike): a unique constraint in the database declared as a unique index in the models
(or the other way round) on the same columns enforces the same thing, so the pair is dropped.
Nothing else needs it: Alembic compares types by their generic form (String(255) vs VARCHAR(255),
DateTime(timezone=True) vs TIMESTAMP WITH TIME ZONE, DECIMAL vs NUMERIC) and, on PostgreSQL, two
non-empty server defaults by evaluating both on the server (now() vs CURRENT_TIMESTAMP,
'pending' vs 'pending'::character varying, true vs sa.true()).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import MetaData, UniqueConstraint, create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.expression import ColumnClause

Difference = dict[str, Any]

KEYS = ("kind", "table", "column", "models", "database", "info", "note")


def drift(engine_or_url: Engine | Connection | str, metadata: MetaData) -> list[Difference]:
    """Every difference between `metadata` and the database, sorted by table, column, kind."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    mapped = {table.name for table in metadata.tables.values()}

    def include_name(name: str | None, type_: str, parents: Any) -> bool:
        # Reflect only the tables the models map (and whatever is not a table).
        return type_ != "table" or name in mapped

    opts = {"compare_type": True, "compare_server_default": True, "include_name": include_name}
    owned = isinstance(engine_or_url, str)
    bind: Engine | Connection = (
        create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    )
    try:
        if isinstance(bind, Connection):
            context = MigrationContext.configure(bind, opts=opts)
            raw = list(compare_metadata(context, metadata))
            dialect = bind.dialect
        else:
            with bind.connect() as connection:
                context = MigrationContext.configure(connection, opts=opts)
                raw = list(compare_metadata(context, metadata))
                dialect = bind.dialect
    finally:
        if owned and isinstance(bind, Engine):
            bind.dispose()
    return readable(_flatten(raw), metadata, dialect)


def answer(message: dict[str, Any], engine: Engine, side_package: str) -> dict[str, Any]:
    """The worker's reply to {"op": "drift", "models": "legacy_14.models",
    "metadata": "Base.metadata"} (a module without a dot is taken from the side's package)."""
    module_name = str(message["models"])
    if "." not in module_name:
        module_name = f"{side_package}.{module_name}"
    found: Any = importlib.import_module(module_name)
    for attribute in str(message.get("metadata") or "Base.metadata").split("."):
        found = getattr(found, attribute)
    if not isinstance(found, MetaData):
        raise TypeError(f"{module_name}:{message.get('metadata')} is a "
                        f"{type(found).__name__}, not a MetaData")
    return {"op": "drift", "differences": drift(engine, found)}


def _flatten(raw: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Alembic groups the modify_* tuples of one column in a list: one tuple each."""
    flat: list[tuple[Any, ...]] = []
    for item in raw:
        if isinstance(item, list):
            flat.extend(tuple(entry) for entry in item)
        else:
            flat.append(tuple(item))
    return flat


def readable(diffs: Sequence[tuple[Any, ...]], metadata: MetaData,
             dialect: Any) -> list[Difference]:
    render = _Renderer(dialect)
    mapped = {table.name: table for table in metadata.tables.values()}
    out: list[Difference] = []
    for diff in _without_equivalent_uniques(diffs):
        kind = str(diff[0])
        if kind == "remove_table":
            continue  # only in the database: the models map a subset of the schema
        entry = _describe(kind, diff, mapped, render)
        out.append({key: entry.get(key) for key in KEYS})
    out.sort(key=lambda d: (d["table"] or "", d["column"] or "", d["kind"],
                            str(d["models"]), str(d["database"])))
    return out


def _describe(kind: str, diff: tuple[Any, ...], mapped: dict[str, Any],
              render: _Renderer) -> Difference:
    if kind.startswith("modify_"):
        _, _schema, table, column, _existing, in_database, in_models = diff[:7]
        return _modified(kind, table, column, in_database, in_models, mapped, render)
    if kind in ("add_column", "remove_column"):
        table, column = diff[2], diff[3]
        if kind == "add_column":
            return {"kind": kind, "table": table, "column": column.name,
                    "models": render.column(column), "database": None, "info": False,
                    "note": "the models map a column the table does not have"}
        return {"kind": kind, "table": table, "column": column.name, "models": None,
                "database": render.column(column), "info": True,
                "note": "a column of the table the models do not map"}
    if kind == "add_table":
        table = diff[1]
        return {"kind": kind, "table": table.name, "column": None,
                "models": "table (" + ", ".join(c.name for c in table.columns) + ")",
                "database": None, "info": False,
                "note": "the models map a table the database does not have"}
    if kind in ("add_index", "remove_index", "add_fk", "remove_fk", "add_constraint",
                "remove_constraint"):
        item = diff[1]
        table = item.table.name
        columns = [c.name for c in item.columns]
        text = render.constraint(kind, item)
        adds = kind.startswith("add_")
        unmapped = not adds and table in mapped and not any(
            name in mapped[table].columns for name in columns)
        what = {"index": "unique index" if getattr(item, "unique", False) else "index",
                "fk": "foreign key", "constraint": "unique constraint"}[kind.partition("_")[2]]
        note = (f"the models declare {_a(what)} the table does not have" if adds else
                f"the table has {_a(what)} on columns the models do not map" if unmapped else
                f"the table has {_a(what)} the models do not declare")
        return {"kind": kind, "table": table, "column": ", ".join(columns) or None,
                "models": text if adds else None, "database": None if adds else text,
                "info": unmapped, "note": note}
    if kind in ("add_table_comment", "remove_table_comment"):
        table = diff[1]
        return {"kind": kind, "table": table.name, "column": None,
                "models": table.comment, "database": diff[2] if len(diff) > 2 else None,
                "info": True, "note": "table comment"}
    return {"kind": kind, "table": None, "column": None, "models": repr(diff[1:]),
            "database": None, "info": False, "note": "a difference this module does not know"}


def _modified(kind: str, table: str, column: str, in_database: Any, in_models: Any,
              mapped: dict[str, Any], render: _Renderer) -> Difference:
    base: Difference = {"kind": kind, "table": table, "column": column}
    if kind == "modify_nullable":
        models, database = _null(in_models), _null(in_database)
        if in_models:  # the models allow NULL, the table refuses it
            return {**base, "models": models, "database": database, "info": True,
                    "note": "the models allow NULL where the table does not (the database "
                            "still refuses NULL; SQLAlchemy does not check nullability)"}
        return {**base, "models": models, "database": database, "info": False,
                "note": "the models say NOT NULL where the table allows NULL: rows with NULL "
                        "load as None into a non-optional attribute"}
    if kind == "modify_type":
        return {**base, "models": render.type(in_models), "database": render.type(in_database),
                "info": False, "note": "type or length"}
    if kind == "modify_default":
        models_default = render.server_default(in_models)
        database_default = render.server_default(in_database)
        model_column = mapped[table].columns[column] if table in mapped else None
        python_default = render.python_default(model_column)
        if in_models is None and in_database is not None:
            note = ("the table has a server default the models do not declare"
                    + (f" (the models send {python_default} from Python)" if python_default
                       else " (the database fills it in when the models send nothing)"))
            return {**base, "models": None, "database": database_default, "info": True,
                    "note": note}
        return {**base, "models": models_default, "database": database_default, "info": False,
                "note": "server default"}
    if kind == "modify_comment":
        return {**base, "models": in_models, "database": in_database, "info": True,
                "note": "column comment"}
    return {**base, "models": repr(in_models), "database": repr(in_database), "info": False,
            "note": "a column difference this module does not know"}


def _null(nullable: Any) -> str:
    return "NULL" if nullable else "NOT NULL"


def _without_equivalent_uniques(diffs: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Drop a unique constraint on one side matched by a plain unique index on the other (same
    table, same columns): PostgreSQL enforces both with the same unique index."""

    def key(item: Any) -> tuple[str, tuple[str, ...]]:
        return item.table.name, tuple(c.name for c in item.columns)

    def plain_unique_index(item: Any) -> bool:
        expressions = getattr(item, "expressions", ())
        where = item.dialect_options["postgresql"].get("where") if hasattr(
            item, "dialect_options") else None
        return bool(item.unique) and where is None and all(
            isinstance(e, ColumnClause) for e in expressions)

    def unique_constraint(item: Any) -> bool:
        return isinstance(item, UniqueConstraint)

    pairs = (("remove_constraint", "add_index"), ("add_constraint", "remove_index"))
    dropped: set[int] = set()
    for constraint_kind, index_kind in pairs:
        for i, a in enumerate(diffs):
            if a[0] != constraint_kind or i in dropped or not unique_constraint(a[1]):
                continue
            for j, b in enumerate(diffs):
                if (b[0] == index_kind and j not in dropped and plain_unique_index(b[1])
                        and key(a[1]) == key(b[1])):
                    dropped.update((i, j))
                    break
    return [diff for n, diff in enumerate(diffs) if n not in dropped]


class _Renderer:
    """Types, defaults and constraints as the side's dialect spells them in DDL."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect

    def type(self, type_: Any) -> str | None:
        if type_ is None:
            return None
        try:
            return str(type_.compile(dialect=self.dialect))
        except Exception:  # a type the dialect cannot render: say what it is
            return repr(type_)

    def server_default(self, default: Any) -> str | None:
        if default is None:
            return None
        arg = getattr(default, "arg", default)
        if isinstance(arg, str):
            return "'" + arg.replace("'", "''") + "'"
        if hasattr(arg, "text"):
            return str(arg.text)
        try:
            return str(arg.compile(dialect=self.dialect))
        except Exception:
            return repr(arg)

    def python_default(self, column: Any) -> str | None:
        default = getattr(column, "default", None)
        if default is None:
            return None
        if getattr(default, "is_scalar", False):
            return repr(default.arg)
        return getattr(default.arg, "__name__", None) or repr(default.arg)

    def column(self, column: Any) -> str:
        text = self.type(column.type) or "?"
        if not column.nullable:
            text += " NOT NULL"
        if column.server_default is not None:
            text += f" DEFAULT {self.server_default(column.server_default)}"
        return text

    def constraint(self, kind: str, item: Any) -> str:
        columns = ", ".join(c.name for c in item.columns)
        name = f" {item.name}" if item.name else ""
        if kind.endswith("_fk"):
            target = item.elements[0].target_fullname.rpartition(".")[0] if item.elements else "?"
            referred = ", ".join(e.target_fullname.rpartition(".")[2] for e in item.elements)
            options = "".join(f" ON {verb.upper()} {value}" for verb, value in
                              (("delete", item.ondelete), ("update", item.onupdate)) if value)
            return f"FOREIGN KEY{name} ({columns}) REFERENCES {target} ({referred}){options}"
        if kind.endswith("_index"):
            return f"{'UNIQUE ' if item.unique else ''}INDEX{name} ({columns})"
        return f"UNIQUE{name} ({columns})"


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun

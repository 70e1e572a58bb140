"""The canonical form: what a function returned or raised, as JSON both versions agree on.

Runs inside each worker, on whichever SQLAlchemy is installed there, so it only uses APIs that
1.4 and 2.x share (`sqlalchemy.inspect`, `Row._fields`, `Result.all()`, `CursorResult.rowcount`).
Values that JSON cannot carry are tagged (`{"$decimal": "1.50"}`); the driver compares these
forms, never live objects. Result objects are tagged too, so that a list of rows and a `Result`
of the same rows differ (a caller can index one and only iterate the other once):

    Result / ScalarResult / MappingResult                 {"$result": [<each row>]}
    CursorResult (also 1.4's LegacyCursorResult)         {"$result": [<each row>], "rowcount": 3}
    a CursorResult of a statement that returns no rows   {"$rowcount": 3}
    AsyncResult (awaited by the worker)                  {"$async_result": [<each row>]}
    a generator or other one-shot iterator               {"$iterator": [<each item>]}
    a set                                                {"$set": [<items, sorted>]}
    Row / RowMapping                                     {"$row": [[k, v]]} / {"$mapping": [[k, v]]}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence, Set
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import CursorResult, MappingResult, Result, RowMapping, ScalarResult
from sqlalchemy.exc import NoInspectionAvailable

from shared_schema.values import is_plain, plain

LoadTree = dict[str, "LoadTree"]


RESULTS = (Result, ScalarResult, MappingResult)  # CursorResult (and 1.4's Legacy one) is a Result


class NotComparable(TypeError):
    """A returned value has no canonical form, so nothing can be said about it: that pair is
    "not comparable" (never "equivalent"), and the worker goes on with the next call."""

    def __init__(self, value: object) -> None:
        self.type_name = f"{type(value).__module__}.{type(value).__qualname__}"
        super().__init__(f"no canonical form for {self.type_name}")


class Streamed(list[Any]):
    """The rows of an AsyncResult, which only a coroutine can fetch: the worker awaits them
    and hands them over in this wrapper, to be tagged apart from a list."""


class LoadFailed(Exception):
    """Reading an attribute of a returned instance, or the rows of a returned result or
    generator, raised: that is the function's outcome (a lazy load under asyncio raises
    MissingGreenlet, a closed result ResourceClosedError), unlike a bug in this module."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _read(value: Any, name: str) -> Any:
    try:
        return getattr(value, name)
    except Exception as error:
        raise LoadFailed(error) from error


def load_tree(paths: Sequence[str]) -> LoadTree:
    """['orders', 'orders.items'] -> {'orders': {'items': {}}}."""
    tree: LoadTree = {}
    for path in paths:
        node = tree
        for step in path.split("."):
            node = node.setdefault(step, {})
    return tree


def canonical(value: Any, loads: LoadTree | None = None) -> Any:
    """Turn a return value into JSON; walk the relationships named in `loads` on ORM instances."""
    loads = loads or {}
    if is_plain(value):
        return plain(value)
    fields = getattr(value, "_fields", None)
    if fields is not None and hasattr(value, "_mapping"):
        pairs = zip(fields, value, strict=True)
        return {"$row": [[key, canonical(item, loads)] for key, item in pairs]}
    if isinstance(value, RowMapping):  # column order, as the row has it
        return {"$mapping": [[str(k), canonical(v, loads)] for k, v in value.items()]}
    if isinstance(value, RESULTS):
        return _result(value, loads)
    if isinstance(value, Streamed):
        return {"$async_result": [canonical(item, loads) for item in value]}
    entity = _entity(value, loads)
    if entity is not None:
        return entity
    if isinstance(value, tuple):
        return {"$tuple": [canonical(item, loads) for item in value]}
    if isinstance(value, Mapping):
        return {"$dict": sorted([str(k), canonical(v, loads)] for k, v in value.items())}
    if isinstance(value, list | Sequence):
        return [canonical(item, loads) for item in value]
    if isinstance(value, Set):
        return {"$set": sorted((canonical(item, loads) for item in value), key=_json)}
    if isinstance(value, Iterator):  # a generator: consumed here, while the session is open
        return {"$iterator": [canonical(item, loads) for item in _drain(value)]}
    raise NotComparable(value)


def _result(value: Any, loads: LoadTree) -> dict[str, Any]:
    """A result's rows, fetched while the session is still open; a statement that returns no
    rows (UPDATE without RETURNING) by its rowcount. A CursorResult also keeps its rowcount
    beside its rows: an UPDATE with synchronize_session="fetch" returns rows the ORM already
    consumed, and its rowcount is all a caller gets."""
    if not isinstance(value, CursorResult):
        return {"$result": [canonical(row, loads) for row in _drain(value)]}
    try:
        rowcount = value.rowcount  # before fetching: a closed cursor may forget it
    except Exception as error:
        raise LoadFailed(error) from error
    if not value.returns_rows:
        return {"$rowcount": rowcount}
    return {"$result": [canonical(row, loads) for row in _drain(value)], "rowcount": rowcount}


def _drain(rows: Any) -> list[Any]:
    """Everything an iterator still yields. What iterating raises (a closed result, a generator
    that fails half way) is what the caller would get: the function's outcome."""
    try:
        return list(rows)
    except Exception as error:
        raise LoadFailed(error) from error


def _json(item: Any) -> str:
    return json.dumps(item, sort_keys=True)


def _entity(value: Any, loads: LoadTree) -> dict[str, Any] | None:
    try:
        state = inspect(value)
    except NoInspectionAvailable:
        return None
    mapper = getattr(state, "mapper", None)
    if mapper is None or not hasattr(state, "identity"):
        return None
    columns = {attr.key: canonical(_read(value, attr.key)) for attr in mapper.column_attrs}
    loaded = {}
    for name, subtree in sorted(loads.items()):
        related = _read(value, name)  # an unloaded relationship loads here, or raises
        if isinstance(related, Sequence | set) and not isinstance(related, str):
            items = [canonical(item, subtree) for item in related]
            loaded[name] = sorted(items, key=_json)
        else:
            loaded[name] = canonical(related, subtree)
    table = getattr(mapper.local_table, "name", None)
    entity: dict[str, Any] = {"$entity": mapper.class_.__name__, "table": table, "columns": columns}
    if loaded:
        entity["loaded"] = loaded
    return entity


def canonical_error(error: BaseException) -> dict[str, Any]:
    """An exception by what a caller can catch: class name and SQLSTATE (message is only shown)."""
    orig = getattr(error, "orig", None)
    sqlstate = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    return {
        "$error": type(error).__name__,
        "sqlstate": sqlstate,
        "message": str(error).strip().splitlines()[0][:300] if str(error).strip() else "",
    }


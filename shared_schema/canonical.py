"""The canonical form: what a function returned or raised, as JSON both versions agree on.

Runs inside each worker, on whichever SQLAlchemy is installed there, so it only uses APIs that
1.4 and 2.x share (`sqlalchemy.inspect`, `Row._fields`). Values that JSON cannot carry are tagged
(`{"$decimal": "1.50"}`); the driver compares these forms, never live objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

from shared_schema.values import is_plain, plain

LoadTree = dict[str, "LoadTree"]


class NotCanonical(TypeError):
    """A returned value has no canonical form yet: a gap in the workbench, not a divergence."""


class LoadFailed(Exception):
    """Reading an attribute of a returned instance raised: that is the function's outcome
    (a lazy load under asyncio raises MissingGreenlet), unlike a bug in this module."""

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
    entity = _entity(value, loads)
    if entity is not None:
        return entity
    if isinstance(value, tuple):
        return {"$tuple": [canonical(item, loads) for item in value]}
    if isinstance(value, Mapping):
        return {"$dict": sorted([str(k), canonical(v, loads)] for k, v in value.items())}
    if isinstance(value, list | Sequence):
        return [canonical(item, loads) for item in value]
    raise NotCanonical(f"no canonical form for {type(value).__module__}.{type(value).__qualname__}")


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
            loaded[name] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
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


"""The canonical form: what a function returned or raised, as JSON both SQLAlchemy versions agree on.

Runs inside each worker, on whichever SQLAlchemy is installed there, so it only uses APIs that
1.4 and 2.x share (`sqlalchemy.inspect`, `Row._fields`). Values that JSON cannot carry are tagged
(`{"$decimal": "1.50"}`); the driver compares these forms, never live objects.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

LoadTree = dict[str, "LoadTree"]


class NotCanonical(TypeError):
    """A returned value has no canonical form yet: a gap in the workbench, not a divergence."""


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
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"$float": repr(value)}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return {"$datetime": value.isoformat(), "tz": False}
        return {"$datetime": value.astimezone(dt.timezone.utc).isoformat(), "tz": True}
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return {f"${type(value).__name__}": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": bytes(value).hex()}
    fields = getattr(value, "_fields", None)
    if fields is not None and hasattr(value, "_mapping"):
        return {"$row": [[key, canonical(item, loads)] for key, item in zip(fields, value)]}
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
    columns = {attr.key: canonical(getattr(value, attr.key)) for attr in mapper.column_attrs}
    loaded = {}
    for name, subtree in sorted(loads.items()):
        related = getattr(value, name)  # an unloaded relationship loads here, or raises
        if isinstance(related, Sequence | set) and not isinstance(related, str):
            items = [canonical(item, subtree) for item in related]
            loaded[name] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        else:
            loaded[name] = canonical(related, subtree)
    entity: dict[str, Any] = {"$entity": mapper.class_.__name__, "columns": columns}
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


def decode_argument(value: Any) -> Any:
    """Arguments travel as JSON; tagged decimals and datetimes become Python values again."""
    if isinstance(value, list):
        return [decode_argument(item) for item in value]
    if isinstance(value, dict):
        if "$decimal" in value:
            return decimal.Decimal(value["$decimal"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        return {key: decode_argument(item) for key, item in value.items()}
    return value

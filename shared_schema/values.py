"""Canonical JSON for plain column values, shared by the workers and the driver (stdlib only).

The driver reads database state with psycopg2 and the workers return values through their
SQLAlchemy; both must land on the same form, so both use this module.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

SCALARS = (type(None), bool, int, str)


def is_plain(value: Any) -> bool:
    return isinstance(value, (*SCALARS, float, decimal.Decimal, dt.date, dt.time, dt.timedelta,
                              uuid.UUID, bytes, memoryview))


def plain(value: Any) -> Any:
    """A column value as JSON: tagged where JSON has no type for it. Aware datetimes in UTC."""
    if isinstance(value, SCALARS):
        return value
    if isinstance(value, float):
        return {"$float": repr(value)}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return {"$datetime": value.isoformat(), "tz": False}
        return {"$datetime": value.astimezone(dt.UTC).isoformat(), "tz": True}
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return {f"${type(value).__name__}": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": bytes(value).hex()}
    if isinstance(value, list | tuple):  # arrays, json arrays
        return [plain(item) for item in value]
    if isinstance(value, dict):  # json objects: keys in order, as canonical.py tags mappings
        return {"$dict": sorted([str(k), plain(v)] for k, v in value.items())}
    if type(value).__name__ == "Json" and hasattr(value, "adapted"):
        return plain(value.adapted)  # a dataset's json value, in psycopg2's Json wrapper
    raise TypeError(f"not a plain value: {type(value).__qualname__}")


def encode(value: Any) -> Any:
    """Python values to JSON, for function arguments: the inverse of `decode`."""
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    return plain(value)


def decode(value: Any) -> Any:
    """JSON back to Python values: what function arguments need (decimals, datetimes)."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        if "$decimal" in value:
            return decimal.Decimal(value["$decimal"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$float" in value:
            return float(value["$float"])
        return {key: decode(item) for key, item in value.items()}
    return value

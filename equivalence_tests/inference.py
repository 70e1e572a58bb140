"""Arguments of a found pair, inferred from its signature and the service's schema.

A parameter named after a key (`user_id`, `post_id`: a table's one-column primary key) or after
a unique column (`sku`, `slug`, `email`) draws values present in the dataset about as often as
absent ones. A list of rows named after a table (`posts`, `post_rows`) draws rows shaped like
that table. Anything else draws from its annotation (Hypothesis's `from_type`). Where nothing
fits, `CannotInfer` says which parameter and the one line that registers a strategy for it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import typing
import uuid
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from equivalence_tests.domain.pair import ArgStrategy
from equivalence_tests.schema.catalog import Catalog, Column, Table
from equivalence_tests.schema.derive import DEFAULT, column_values
from equivalence_tests.schema.reset import unwrap
from equivalence_tests.strategies import key_of

# Names an annotation may use, for evaluating its text without importing the function.
_TYPES: dict[str, Any] = {
    **{name: getattr(typing, name) for name in ("Any", "Optional", "Union", "List", "Dict",
                                                 "Sequence", "Mapping", "Iterable", "Tuple")},
    "int": int, "str": str, "float": float, "bool": bool, "bytes": bytes, "list": list,
    "dict": dict, "tuple": tuple, "set": set, "None": None,
    "Decimal": decimal.Decimal, "datetime": dt.datetime, "date": dt.date, "time": dt.time,
    "timedelta": dt.timedelta, "UUID": uuid.UUID,
}


class CannotInfer(ValueError):
    """No strategy fits a parameter: the message names it and how to register one."""


def plural_forms(word: str) -> list[str]:
    forms = [word, f"{word}s", f"{word}es"]
    if word.endswith("y"):
        forms.append(f"{word[:-1]}ies")
    return forms


def _table_for(word: str, catalog: Catalog) -> Table | None:
    for form in plural_forms(word):
        if form in catalog.names:
            return catalog.table(form)
    return None


def _absent(column: Column) -> st.SearchStrategy[Any]:
    if column.type in ("int2", "int4", "int8"):
        return st.integers(min_value=-1, max_value=41)
    return column_values(column, key=True, may_default=False).map(unwrap)


def _key_param(name: str, catalog: Catalog) -> ArgStrategy | None:
    if name.endswith("_id"):
        table = _table_for(name[:-3], catalog)
        if table is not None and len(table.primary_key) == 1:
            column = table.column(table.primary_key[0])
            return key_of(table.name, column.name, absent=_absent(column))
    owners = [(table, table.column(name)) for table in catalog.tables
              for unique in ((table.primary_key,), *((u.columns,) for u in table.unique))
              if unique[0] == (name,)]
    if len(owners) == 1:
        table, column = owners[0]
        return key_of(table.name, column.name, absent=_absent(column))
    return None


def _rows_param(name: str, annotation: str, catalog: Catalog) -> ArgStrategy | None:
    """`list[dict]` rows for the table the parameter's name says (`posts`, `post_rows`)."""
    if "dict" not in annotation.lower() and "mapping" not in annotation.lower():
        return None
    word = name.removesuffix("_rows").removesuffix("_mappings")
    table = _table_for(word, catalog) or _table_for(word.rstrip("s"), catalog)
    if table is None:
        return None
    columns = {c.name: column_values(c, may_default=True).map(unwrap)
               for c in table.columns if not c.generated and c.identity != "always"
               and c.sequence is None}
    row = st.fixed_dictionaries(columns).map(
        lambda values: {k: v for k, v in values.items() if v is not DEFAULT})
    rows = st.lists(row, max_size=4)
    return lambda dataset: rows


def infer(function: str, params: Mapping[str, str], catalog: Catalog) -> dict[str, ArgStrategy]:
    """A strategy for each parameter (name -> annotation text), or CannotInfer."""
    inferred: dict[str, ArgStrategy] = {}
    for name, annotation in params.items():
        strategy = _key_param(name, catalog) or _rows_param(name, annotation, catalog)
        if strategy is None and annotation:
            try:
                hint = eval(annotation, {"__builtins__": {}}, dict(_TYPES))
                drawn = st.from_type(hint)
            except Exception:  # an annotation we cannot evaluate: fall through to the error
                drawn = None
            if drawn is not None:
                strategy = (lambda values: lambda dataset: values)(drawn)
        if strategy is None:
            raise CannotInfer(
                f"cannot infer an argument for parameter {name!r} of {function}: register it "
                f"in equivalence_tests/pairs.py, e.g. pair({function!r}, "
                f"{{{name!r}: anything(st.integers())}})")
        inferred[name] = strategy
    return inferred

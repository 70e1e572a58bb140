"""Hypothesis strategies for the shared schema: FK-consistent datasets and function arguments.

Datasets are small on purpose (a counterexample must be readable) but hit what breaks
migrations: empty tables, NULLs, unicode, tied timestamps, numeric boundaries, gaps in ids.
Arguments draw keys that are present in the dataset as often as keys that are absent.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from equivalence_tests.harness.state import REFERENCES, TABLES, Dataset

UTC = dt.UTC
ZONES = [UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-8))]
# A few fixed instants make ties on timestamps common; arbitrary ones cover the rest.
INSTANTS = [dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
            dt.datetime(2000, 2, 29, 12, tzinfo=UTC)]
STATUSES = ["pending", "processing", "shipped", "cancelled"]

ArgStrategy = Callable[[Dataset], st.SearchStrategy[Any]]

ids = st.integers(min_value=1, max_value=40)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
# Instants as microseconds since 1970 (one draw, not eight), in one of a few time zones.
timestamps = st.one_of(
    st.sampled_from(INSTANTS),
    st.builds(lambda us, zone: (EPOCH + dt.timedelta(microseconds=us)).astimezone(zone),
              st.integers(0, 4102444800 * 10**6), st.sampled_from(ZONES)),
)
words = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
slugs = st.text("ab-", min_size=1, max_size=4)
skus = st.text("AB1", min_size=1, max_size=4)
emails = st.builds("{}@{}.test".format, st.text("xyé", min_size=1, max_size=3),
                   st.sampled_from("ab"))


def money(places_max: str, minimum: str = "0") -> st.SearchStrategy[Decimal]:
    """Two decimal places, drawn as a count of cents (one draw), its bounds as likely as not."""
    low, high = int(Decimal(minimum) * 100), int(Decimal(places_max) * 100)
    cents = st.integers(low, high) | st.sampled_from([low, high])
    return cents.map(lambda c: Decimal(c).scaleb(-2))


# A foreign key is drawn as an index into its parent's keys (0 is NULL where NULL is allowed)
# and resolved after the draw: the strategy is built once, every draw has the same shape
# whether or not the parent table is empty, and Hypothesis can delete parents when shrinking.
fk = st.integers(0, 8)
NULLABLE = {("users", "tenant_id"), ("orders", "tenant_id"), ("orders", "product_id"),
            ("invoices", "user_id")}
UNIQUE = {"tenants": ("slug",), "users": ("email",), "products": ("sku",),
          "invoices": ("order_id",)}


def table(max_rows: int, **columns: st.SearchStrategy[Any],
          ) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Rows with distinct ids (gaps allowed); foreign keys still as indexes."""
    return st.lists(st.fixed_dictionaries({"id": ids, **columns}), max_size=max_rows,
                    unique_by=lambda row: row["id"])


def resolve(raw: Dataset) -> Dataset:
    """Turn foreign-key indexes into ids of rows that exist, drop rows whose required parent
    table is empty, and keep the first row for each value of a unique column."""
    dataset: Dataset = {}
    for name in TABLES:
        rows = []
        seen: dict[str, set[Any]] = {column: set() for column in UNIQUE.get(name, ())}
        for row in sorted(raw[name], key=lambda r: r["id"]):
            row = dict(row)
            for (child, column), parent in REFERENCES.items():
                if child != name:
                    continue
                keys = [r["id"] for r in dataset[parent]]
                index = row[column]
                if (child, column) in NULLABLE:
                    row[column] = keys[(index - 1) % len(keys)] if index and keys else None
                elif keys:
                    row[column] = keys[index % len(keys)]
                else:
                    break
            else:
                if all(row[c] not in seen[c] for c in seen):
                    for column in seen:
                        seen[column].add(row[column])
                    rows.append(row)
        dataset[name] = rows
    return dataset


@functools.cache
def datasets(max_rows: int = 4) -> st.SearchStrategy[Dataset]:
    """Database states that satisfy every constraint of shared_schema/schema.sql."""
    return st.fixed_dictionaries({
        "tenants": table(max_rows, slug=slugs, name=words),
        "users": table(max_rows, tenant_id=fk, email=emails, name=st.none() | words,
                       is_active=st.booleans(), created_at=timestamps),
        "products": table(max_rows, tenant_id=fk, sku=skus, name=words,
                          price=money("99999999.99"),
                          stock=st.none() | st.integers(0, 2**31 - 1)),
        "orders": table(max_rows, tenant_id=fk, user_id=fk, product_id=fk,
                        amount=money("9999999999.99"), status=st.sampled_from(STATUSES),
                        created_at=timestamps),
        "order_items": table(max_rows, order_id=fk, product_id=fk,
                             quantity=st.integers(1, 2**31 - 1),
                             unit_price=money("99999999.99")),
        "invoices": table(max_rows, order_id=fk, user_id=fk,
                          amount=money("9999999999.99", minimum="0.01"), issued_at=timestamps),
    }).map(resolve)


def key_of(table: str, column: str = "id", absent: st.SearchStrategy[Any] | None = None,
           ) -> ArgStrategy:
    """A value of `table.column` that is in the dataset about as often as it is not."""
    def strategy(dataset: Dataset) -> st.SearchStrategy[Any]:
        present = [row[column] for row in dataset.get(table, [])]
        missing = absent if absent is not None else _absent_for(column)
        return st.sampled_from(present) | missing if present else missing
    return strategy


def _absent_for(column: str) -> st.SearchStrategy[Any]:
    if column == "slug":
        return slugs
    if column == "sku":
        return skus
    if column == "email":
        return emails
    return st.integers(min_value=-1, max_value=41)


def anything(strategy: st.SearchStrategy[Any]) -> ArgStrategy:
    """An argument that does not depend on the dataset."""
    return lambda dataset: strategy

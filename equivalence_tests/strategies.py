"""Hypothesis strategies for the shared schema: FK-consistent datasets and function arguments.

Datasets are small on purpose (a counterexample must be readable) but hit what breaks
migrations: empty tables, NULLs, unicode, tied timestamps, numeric boundaries, gaps in ids.
Arguments draw keys that are present in the dataset as often as keys that are absent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from equivalence_tests.harness.state import Dataset

UTC = dt.timezone.utc
ZONES = [UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-8))]
# A few fixed instants make ties on timestamps common; arbitrary ones cover the rest.
INSTANTS = [dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
            dt.datetime(2000, 2, 29, 12, tzinfo=UTC)]
STATUSES = ["pending", "processing", "shipped", "cancelled"]

ArgStrategy = Callable[[Dataset], st.SearchStrategy[Any]]

ids = st.integers(min_value=1, max_value=40)
timestamps = st.one_of(
    st.sampled_from(INSTANTS),
    st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1),
                 timezones=st.sampled_from(ZONES)),
)
words = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
slugs = st.text("ab-", min_size=1, max_size=4)
skus = st.text("AB1", min_size=1, max_size=4)
emails = st.builds("{}@{}.test".format, st.text("xyé", min_size=1, max_size=3), st.sampled_from("ab"))


def money(places_max: str, minimum: str = "0") -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(minimum), max_value=Decimal(places_max), places=2)


def optional(keys: list[int]) -> st.SearchStrategy[int | None]:
    """A nullable foreign key, drawn as an index of a fixed range: the draw has the same shape
    whether or not the parent table is empty, which lets Hypothesis delete parents when shrinking."""
    return st.integers(0, 8).map(lambda i: keys[(i - 1) % len(keys)] if i and keys else None)


def required(keys: list[int]) -> st.SearchStrategy[int]:
    return st.integers(0, 8).map(lambda i: keys[i % len(keys)])


def table(max_rows: int, unique: tuple[str, ...] = (), **columns: st.SearchStrategy[Any],
          ) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Rows with distinct ids (with gaps, sorted) and distinct values in `unique` columns."""
    rows = st.lists(st.fixed_dictionaries({"id": ids, **columns}), max_size=max_rows,
                    unique_by=tuple(_by(c) for c in ("id", *unique)))
    return rows.map(lambda found: sorted(found, key=lambda row: row["id"]))


def _by(column: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row[column]


@st.composite
def datasets(draw: st.DrawFn, max_rows: int = 6) -> Dataset:
    """A database state that satisfies every constraint of shared_schema/schema.sql."""
    tenants = draw(table(max_rows, ("slug",), slug=slugs, name=words))
    tenant_ids = [t["id"] for t in tenants]

    users = draw(table(max_rows, ("email",), tenant_id=optional(tenant_ids), email=emails,
                       name=st.none() | words, is_active=st.booleans(), created_at=timestamps))
    user_ids = [u["id"] for u in users]

    products = draw(table(max_rows if tenant_ids else 0, ("sku",),
                          tenant_id=required(tenant_ids or [0]), sku=skus, name=words,
                          price=money("99999999.99"),
                          stock=st.none() | st.integers(0, 2**31 - 1)))
    product_ids = [p["id"] for p in products]

    orders = draw(table(max_rows if user_ids else 0, tenant_id=optional(tenant_ids),
                        user_id=required(user_ids or [0]), product_id=optional(product_ids),
                        amount=money("9999999999.99"), status=st.sampled_from(STATUSES),
                        created_at=timestamps))
    order_ids = [o["id"] for o in orders]

    items = draw(table(max_rows if order_ids and product_ids else 0,
                       order_id=required(order_ids or [0]),
                       product_id=required(product_ids or [0]),
                       quantity=st.integers(1, 2**31 - 1), unit_price=money("99999999.99")))

    invoices = draw(table(max_rows if order_ids else 0, ("order_id",),
                          order_id=required(order_ids or [0]), user_id=optional(user_ids),
                          amount=money("9999999999.99", minimum="0.01"), issued_at=timestamps))

    return {"tenants": tenants, "users": users, "products": products, "orders": orders,
            "order_items": items, "invoices": invoices}


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

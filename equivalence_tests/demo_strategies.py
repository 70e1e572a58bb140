"""The demo service's own argument strategies (shared_schema/schema.sql's statuses, prices,
bulk rows), for pairs.py: the generic ones are in strategies.py."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.pair import ArgStrategy
from equivalence_tests.strategies import emails, key_of, money, mostly, where_set, words

STATUSES = ["pending", "processing", "shipped", "cancelled"]

# 0 is a valid order amount (>= 0) but an invalid invoice amount (> 0): the SAVEPOINT path.
# Negative and too-large amounts make the order itself fail, before the SAVEPOINT.
order_amounts = (st.sampled_from([Decimal("0.00"), Decimal("-0.01"), Decimal("10000000000.00")])
                 | money("9999999999.99"))
# Statuses the CHECK constraint refuses (half the time), and ones longer than varchar(20).
refused_statuses = st.sampled_from(["delivered", "", "Pending"])
order_statuses = st.sampled_from([
    st.sampled_from(STATUSES), st.sampled_from(STATUSES), refused_statuses, refused_statuses,
    refused_statuses, st.text("ab", min_size=21, max_size=22),
]).flatmap(lambda chosen: chosen)
# LIMIT -1 is refused by PostgreSQL (SQLSTATE 2201W): a data exception, class 22.
limits = st.sampled_from([-1, 0, 1, 2, 3, 50])
long_emails = st.builds("{}@a.test".format, st.text("x", min_size=249, max_size=249))
# Product prices: numeric(10, 2) CHECK (price >= 0); -0.01 and 100000000.00 are refused.
prices = mostly(money("99999999.99"),
                st.sampled_from([Decimal("-0.01"), Decimal("100000000.00")]))
stocks = mostly(st.none() | st.integers(0, 2**31 - 1), st.just(-1))


def new_email(dataset: Dataset) -> st.SearchStrategy[str]:
    """A user's email half the time (another user's: a unique violation), else one too long
    for varchar(255) or, less often, a fresh one."""
    taken = [row["email"] for row in dataset.get("users", [])]
    choices = [emails, long_emails, long_emails, *[st.sampled_from(taken)] * (3 if taken else 0)]
    return st.sampled_from(choices).flatmap(lambda chosen: chosen)


def product_rows(price: st.SearchStrategy[Any] = prices) -> ArgStrategy:
    """Mappings for bulk INSERT: tenants that may not exist, SKUs that may be taken, an id
    given on some rows (possibly taken, or one the sequence will hand out later)."""
    def strategy(dataset: Dataset) -> st.SearchStrategy[list[dict[str, Any]]]:
        row = st.fixed_dictionaries(
            {"tenant_id": key_of("tenants")(dataset), "sku": taken_sku(dataset),
             "name": words, "price": price},
            optional={"id": key_of("products")(dataset), "stock": stocks})
        return mostly(st.lists(row, min_size=1, max_size=4), st.just([]))
    return strategy


def price_updates(price: st.SearchStrategy[Any] = prices,
                  stock: st.SearchStrategy[Any] | None = stocks) -> ArgStrategy:
    """Mappings for bulk UPDATE by primary key: ids that exist about as often as not; half the
    lists mix key sets (price, stock, both, neither) so rows fall into several batches, half
    share one, so one batch (one executemany) holds several rows."""
    optional = {"price": price} if stock is None else {"price": price, "stock": stock}
    key_sets = [keys for n in range(len(optional) + 1)
                for keys in itertools.combinations(optional, n)]

    def strategy(dataset: Dataset) -> st.SearchStrategy[list[dict[str, Any]]]:
        ids = key_of("products")(dataset)
        mixed = st.lists(st.fixed_dictionaries({"id": ids}, optional=optional),
                         min_size=1, max_size=4)
        one_batch = st.sampled_from(key_sets).flatmap(lambda keys: st.lists(
            st.fixed_dictionaries({"id": ids, **{k: optional[k] for k in keys}}),
            min_size=2, max_size=4))
        return mostly(mixed | one_batch, st.just([]))
    return strategy


# Prices numeric(10, 2) can hold: the CHECK may still refuse them, PostgreSQL's planner cannot.
prices_in_range = mostly(money("99999999.99"), st.just(Decimal("-0.01")))
# Half of them one cent too large for numeric(10, 2).
prices_overflowing = money("99999999.99") | st.just(Decimal("100000000.00"))


def taken_sku(dataset: Dataset) -> st.SearchStrategy[str]:
    """An SKU some product already has four times in five when there is one, else any SKU."""
    return where_set("products", "sku", key_of("products", "sku"), key="sku")(dataset)

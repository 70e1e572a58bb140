"""Hypothesis strategies for function arguments (datasets are derived from each service's
schema: equivalence_tests/schema/). Arguments draw keys that are present in the dataset as often
as keys that are absent, and values just inside and just outside what the schema accepts.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.pair import ArgStrategy

STATUSES = ["pending", "processing", "shipped", "cancelled"]

words = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
# Keys come from small pools: one draw each (text is several), and a small pool makes the
# arguments hit present keys and the data hit unique constraints often.
slugs = st.sampled_from(["a", "b", "-", "ab", "a-b", "ba", "b-"])
skus = st.sampled_from(["A", "B", "1", "AB", "A1", "B1", "1A"])
emails = st.sampled_from([f"{local}@{domain}.test" for local in ("x", "y", "é", "xé", "yy", "éx")
                          for domain in "ab"])


def money(places_max: str, minimum: str = "0") -> st.SearchStrategy[Decimal]:
    """Two decimal places, drawn as a count of cents (one draw), its bounds as likely as not."""
    low, high = int(Decimal(minimum) * 100), int(Decimal(places_max) * 100)
    cents = st.integers(low, high) | st.sampled_from([low, high])
    return cents.map(lambda c: Decimal(c).scaleb(-2))


def key_of(table: str, column: str = "id", absent: st.SearchStrategy[Any] | None = None,
           ) -> ArgStrategy:
    """A value of `table.column` that is in the dataset about as often as it is not; where
    rows share a value (namesakes), one of those shared values as often as any present one,
    so a lookup that must pick one of several rows meets that case in most runs."""
    def strategy(dataset: Dataset) -> st.SearchStrategy[Any]:
        present = [row[column] for row in dataset.get(table, [])]
        missing = absent if absent is not None else _absent_for(column)
        if not present:
            return missing
        shared = [value for value in dict.fromkeys(present) if present.count(value) > 1]
        if shared:
            return st.sampled_from(present) | st.sampled_from(shared) | missing | missing
        return st.sampled_from(present) | missing
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


# Arguments of the write, transaction, bulk and engine-level pairs.

def mostly(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any],
           ) -> st.SearchStrategy[Any]:
    """`valid` four times in five, else `invalid` (sampled_from draws about uniformly, where
    integers() would favour 0), and shrinking goes towards `valid`."""
    return st.sampled_from([valid] * 4 + [invalid]).flatmap(lambda chosen: chosen)


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


def where_set(table: str, column: str, fallback: ArgStrategy, key: str = "id") -> ArgStrategy:
    """`key` of a `table` row whose `column` is not NULL (an invoice that has a user, say)
    four times in five when the dataset has one, else `fallback`: small datasets rarely line
    these up, and the paths behind them must still be reached in 100 examples."""
    def strategy(dataset: Dataset) -> st.SearchStrategy[Any]:
        # A row that left the column to its (constant) default has it set.
        found = sorted({row[key] for row in dataset.get(table, [])
                        if row.get(column, True) is not None})
        return mostly(st.sampled_from(found), fallback(dataset)) if found else fallback(dataset)
    return strategy


# Keys no row can have, including ones beyond int4 (PostgreSQL `integer`): psycopg2 inlines
# them and the lookup matches nothing, asyncpg must bind them as int4 and refuses.
wide_ids = st.integers(min_value=-1, max_value=41) | st.sampled_from([2**31, -(2**31) - 1, 2**63])


def wide_key_of(table: str) -> ArgStrategy:
    """`key_of(table)`, with absent keys that may lie beyond int4."""
    return key_of(table, absent=wide_ids)


def taken_sku(dataset: Dataset) -> st.SearchStrategy[str]:
    """An SKU some product already has four times in five when there is one, else any SKU."""
    return where_set("products", "sku", key_of("products", "sku"), key="sku")(dataset)

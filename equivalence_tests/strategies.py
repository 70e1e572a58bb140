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
NEW_YEAR = dt.datetime(2024, 1, 1, tzinfo=UTC)
INSTANTS = [NEW_YEAR, NEW_YEAR, NEW_YEAR + dt.timedelta(microseconds=1),
            dt.datetime(2000, 2, 29, 12, tzinfo=UTC)]
STATUSES = ["pending", "processing", "shipped", "cancelled"]

ArgStrategy = Callable[[Dataset], st.SearchStrategy[Any]]

ids = st.integers(min_value=1, max_value=40)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
# Any instant (microseconds since 1970: one draw, not eight) in one of a few time zones...
instants = st.builds(lambda us, zone: (EPOCH + dt.timedelta(microseconds=us)).astimezone(zone),
                     st.integers(0, 4102444800 * 10**6), st.sampled_from(ZONES))
# ...but four times in five one of the fixed INSTANTS, so that ties are common.
timestamps = st.tuples(st.integers(0, len(INSTANTS)), instants).map(
    lambda pick: INSTANTS[pick[0]] if pick[0] < len(INSTANTS) else pick[1])
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


# A foreign key is drawn as an index into its parent's keys (0 is NULL where NULL is allowed)
# and resolved after the draw: the strategy is built once, every draw has the same shape
# whether or not the parent table is empty, and Hypothesis can delete parents when shrinking.
fk = st.integers(0, 8)
NULLABLE = {("users", "tenant_id"), ("orders", "tenant_id"), ("orders", "product_id"),
            ("invoices", "user_id")}
UNIQUE = {"tenants": ("slug",), "users": ("email",), "products": ("sku",),
          "invoices": ("order_id",)}


def table(max_rows: int, min_rows: int = 0, **columns: st.SearchStrategy[Any],
          ) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Rows with distinct ids (gaps allowed); foreign keys still as indexes."""
    return st.lists(st.fixed_dictionaries({"id": ids, **columns}), min_size=min_rows,
                    max_size=max(max_rows, min_rows), unique_by=lambda row: row["id"])


def with_parents(tables: tuple[str, ...]) -> set[str]:
    """The tables, and every table a row of theirs cannot exist without (NOT NULL keys)."""
    needed = set(tables)
    for child in reversed(TABLES):  # children before their parents: one pass reaches the top
        for (table, column), parent in REFERENCES.items():
            if table == child and child in needed and (table, column) not in NULLABLE:
                needed.add(parent)
    return needed


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
def datasets(max_rows: int = 4, rich: tuple[str, ...] = ()) -> st.SearchStrategy[Dataset]:
    """Database states that satisfy every constraint of shared_schema/schema.sql. With `rich`,
    half of them have rows in those tables (and in the parents those rows need): small
    random datasets rarely line up deep chains such as an order that has items."""
    if rich:
        return datasets(max_rows) | _datasets(max_rows, with_parents(rich))
    return _datasets(max_rows, set())


def _datasets(max_rows: int, needed: set[str]) -> st.SearchStrategy[Dataset]:
    def rows(table_name: str, /, **columns: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return table(max_rows, int(table_name in needed), **columns)

    return st.fixed_dictionaries({
        "tenants": rows("tenants", slug=slugs, name=words),
        "users": rows("users", tenant_id=fk, email=emails, name=st.none() | words,
                      is_active=st.booleans(), created_at=timestamps),
        "products": rows("products", tenant_id=fk, sku=skus, name=words,
                         price=money("99999999.99"),
                         stock=st.none() | st.integers(0, 2**31 - 1)),
        "orders": rows("orders", tenant_id=fk, user_id=fk, product_id=fk,
                       amount=money("9999999999.99"), status=st.sampled_from(STATUSES),
                       created_at=timestamps),
        "order_items": rows("order_items", order_id=fk, product_id=fk,
                            quantity=st.integers(1, 2**31 - 1),
                            unit_price=money("99999999.99")),
        "invoices": rows("invoices", order_id=fk, user_id=fk,
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
    """Mappings for bulk UPDATE by primary key: ids that exist about as often as not, and
    different key sets (price, stock, both, neither) so rows fall into several batches."""
    optional = {"price": price} if stock is None else {"price": price, "stock": stock}

    def strategy(dataset: Dataset) -> st.SearchStrategy[list[dict[str, Any]]]:
        row = st.fixed_dictionaries({"id": key_of("products")(dataset)}, optional=optional)
        return mostly(st.lists(row, min_size=1, max_size=4), st.just([]))
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

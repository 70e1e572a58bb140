"""Hypothesis strategies for function arguments (datasets are derived from each service's
schema: equivalence_tests/schema/). Arguments draw keys that are present in the dataset as often
as keys that are absent, and values just inside and just outside what the schema accepts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.pair import ArgStrategy

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


def mostly(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any],
           ) -> st.SearchStrategy[Any]:
    """`valid` four times in five, else `invalid` (sampled_from draws about uniformly, where
    integers() would favour 0), and shrinking goes towards `valid`."""
    return st.sampled_from([valid] * 4 + [invalid]).flatmap(lambda chosen: chosen)


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

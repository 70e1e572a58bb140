"""No green without evidence: a pair whose examples never reached data is not equivalent, and a
function ordered by a key its result does not carry can have that order checked."""

import datetime as dt
import decimal

import pytest
from hypothesis import strategies as st

from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair
from equivalence_tests.runner import check
from equivalence_tests.strategies import anything, key_of
from equivalence_tests.wrong_migrations import WRONG, by_latest_order, latest_order

LEGACY = "equivalence_tests.mutants.legacy:users_by_latest_order"
MODERN = "equivalence_tests.mutants.modern:"


def test_a_lookup_that_never_finds_a_row_is_vacuous_with_its_outcome_kinds(
        workbench: Workbench):
    never_present = anything(st.just("no-such-sku"))  # both sides answer None, every time
    verdict = check(pair("repositories:get_product_by_sku", {"sku": never_present}, registry={}),
                    workbench, max_examples=20)
    calls = verdict.tally.calls  # several calls per example: the lookup reads, never writes
    assert calls > 20
    assert verdict.text == (f"vacuous: no call reached data in 20 examples (None: {calls}; "
                              "no table changed)")
    assert not verdict.ok
    assert verdict.tally.kinds == {"None": calls} and verdict.tally.reached == 0


def test_a_lookup_that_finds_rows_stays_equivalent_and_counts_its_kinds(workbench: Workbench):
    verdict = check(pair("repositories:get_product_by_sku", {"sku": key_of("products", "sku")},
                         registry={}), workbench)
    assert verdict.status == "equivalent"
    assert verdict.tally.kinds["entity"] > 0 and verdict.tally.kinds["None"] > 0
    assert verdict.tally.reached == verdict.tally.kinds["entity"]


def test_a_write_that_changes_a_table_reaches_data_even_when_it_returns_nothing(
        workbench: Workbench):
    verdict = check(pair("orders:set_order_status",
                         {"order_id": key_of("orders"), "status": anything(st.just("shipped"))},
                         registry={}, writes=True),
                    workbench, max_examples=30)
    assert verdict.status == "equivalent"
    assert verdict.tally.changed > 0 and verdict.tally.reached >= verdict.tally.changed


@pytest.mark.xfail(strict=True, reason="known blind spot, what `ordered` is for: compared as "
                   "a multiset, a lost ORDER BY on a key outside the result goes unnoticed")
def test_a_dropped_order_by_on_a_key_outside_the_result_is_caught_without_an_order(
        workbench: Workbench):
    verdict = check(pair(LEGACY, modern=MODERN + "users_by_latest_order_unordered",
                         registry={}, rich=("orders",)), workbench)
    assert verdict.status == "divergent"


def test_a_dropped_order_by_is_caught_by_an_order_key_computed_from_the_dataset(
        workbench: Workbench):
    verdict = check(WRONG["dropped ORDER BY on a key outside the result"].pair, workbench)
    assert verdict.status == "divergent"
    found = verdict.counterexample
    assert found.what == ["return value"]
    assert len(found.legacy.outcome) == len(found.modern.outcome) == 2


def test_asking_the_control_on_rows_in_another_order_tells_a_promised_order(
        workbench: Workbench):
    # ordered=True (no key): the control, asked again on the same rows inserted reversed,
    # keeps its order when no rows tie, so the modern order is a divergence. Measured on
    # random data it also misses and false-alarms (see the registry): no Hypothesis search.
    dataset = tied_dataset()
    dataset["orders"][2]["created_at"] += dt.timedelta(hours=1)  # no tie: users 3, 2, 1
    verdict = check(by_latest_order("users_by_latest_order_ascending", True), workbench,
                    st.just(dataset), max_examples=3)
    assert verdict.status == "divergent"
    found = verdict.counterexample
    assert found.what == ["order of the return value"]
    assert [u["columns"]["id"] for u in found.legacy.outcome] == [3, 2, 1]


def test_a_kept_order_by_with_another_order_among_ties_is_equivalent(workbench: Workbench):
    for modern in ("users_by_latest_order", "users_by_latest_order_tiebreak"):
        verdict = check(by_latest_order(modern, latest_order), workbench)
        assert verdict.status == "equivalent", modern


def tied_dataset():
    """Three users; the latest orders of the last two tie, the first user's is older."""
    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    users = [{"id": i, "email": f"u{i}@x", "name": None, "is_active": True, "created_at": at,
              "tenant_id": None} for i in (1, 2, 3)]
    orders = [{"id": i, "user_id": user, "amount": decimal.Decimal("1.00"), "created_at": when,
               "product_id": None, "tenant_id": None}
              for i, (user, when) in enumerate([(1, at - dt.timedelta(1)), (2, at), (3, at),
                                                (1, at - dt.timedelta(2))], start=1)]
    return {"tenants": [], "products": [], "users": users, "orders": orders, "invoices": [],
            "order_items": []}


def test_ties_on_the_order_key_may_come_in_any_order(workbench: Workbench):
    tiebreak = by_latest_order("users_by_latest_order_tiebreak", latest_order)
    assert check(tiebreak, workbench, st.just(tied_dataset()),
                 max_examples=5).status == "equivalent"
    # The same dataset in the wrong order (the oldest first; a dropped ORDER BY's order would
    # depend on the plan and the table's history, so fixed data cannot rely on it).
    flipped = by_latest_order("users_by_latest_order_ascending", latest_order)
    assert check(flipped, workbench, st.just(tied_dataset()),
                 max_examples=5).status == "divergent"

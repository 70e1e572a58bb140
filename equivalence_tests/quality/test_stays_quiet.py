"""No false alarms: migrations that behave the same must be reported equivalent even where
their answers differ in ways that are not behaviour (tie order, rounding, time zone, ids)."""

from hypothesis import strategies as st

from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair
from equivalence_tests.runner import check
from equivalence_tests.strategies import anything, key_of

LEGACY = "equivalence_tests.mutants.legacy"
MODERN = "equivalence_tests.mutants.modern"


def test_rows_tied_on_the_sort_key_in_another_order_are_equivalent(workbench: Workbench):
    tiebreak = f"{MODERN}:get_active_users_tiebreak"
    verdict = check(pair("repositories:get_active_users", registry={}, ordered_by="created_at",
                         modern=tiebreak), workbench)
    assert verdict.status == "equivalent", verdict.counterexample
    # The same answers compared strictly (as if ordered by a unique column) do differ: ties
    # were generated, and it is the tie rule that keeps the verdict quiet. (A few hundred
    # examples: two active users on the same instant is one dataset in about twelve.)
    strict = check(pair("repositories:get_active_users", registry={}, ordered_by="email",
                        modern=tiebreak), workbench, max_examples=400)
    assert strict.status == "divergent"


def test_float_rounding_is_not_a_difference(workbench: Workbench):
    verdict = check(pair(f"{LEGACY}:price_ratio", registry={}, modern=f"{MODERN}:price_ratio"),
                    workbench)
    assert verdict.status == "equivalent", verdict.counterexample


def test_the_same_instant_in_another_time_zone_is_not_a_difference(workbench: Workbench):
    verdict = check(pair(f"{LEGACY}:oldest_signup", registry={},
                         modern=f"{MODERN}:oldest_signup"), workbench)
    assert verdict.status == "equivalent", verdict.counterexample


def test_other_identity_values_for_the_same_new_rows_are_not_a_difference(workbench: Workbench):
    slugs = anything(st.lists(st.text("xyz", min_size=1, max_size=2), unique=True, max_size=3))
    verdict = check(pair(f"{LEGACY}:add_tenants", {"slugs": slugs}, registry={},
                         modern=f"{MODERN}:add_tenants", writes=True), workbench)
    assert verdict.status == "equivalent", verdict.counterexample


def test_lost_deduplication_restored_with_unique_is_equivalent(workbench: Workbench):
    verdict = check(pair(f"{LEGACY}:users_with_orders", registry={},
                         modern=f"{MODERN}:users_with_orders_unique"), workbench)
    assert verdict.status == "equivalent", verdict.counterexample


def test_a_committed_write_is_equivalent(workbench: Workbench):
    verdict = check(pair(f"{LEGACY}:deactivate_user", {"user_id": key_of("users")}, registry={},
                         modern=f"{MODERN}:deactivate_user_committed", writes=True), workbench)
    assert verdict.status == "equivalent", verdict.counterexample

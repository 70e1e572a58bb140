"""A pair that declares a path (a failure branch, say) is not green until examples reach it."""

from hypothesis import strategies as st

from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair
from equivalence_tests.runner import check
from equivalence_tests.strategies import anything, key_of


def test_a_declared_path_no_example_reaches_makes_the_verdict_incomplete(workbench: Workbench):
    verdict = check(pair("repositories:get_user_orders", {"user_id": key_of("users")}, registry={},
                         covers={"a savepoint": "SAVEPOINT"}), workbench)
    assert verdict.text == "incomplete: no example reached a savepoint"
    assert not verdict.ok


def test_paths_reached_are_counted(workbench: Workbench):
    verdict = check(pair("repositories:require_tenant", {"slug": key_of("tenants", "slug")},
                         registry={},
                         covers={"found": '"\\$entity"', "missing": "NoResultFound"}), workbench)
    assert verdict.status == "equivalent"
    assert verdict.covered["found"] > 0 and verdict.covered["missing"] > 0
    assert verdict.covered["found"] + verdict.covered["missing"] >= verdict.examples


def test_a_pair_whose_every_example_raises_on_both_sides_is_vacuous_not_equivalent(
        workbench: Workbench):
    # An argument strategy that never hits a present key: both sides always raise NoResultFound.
    never_present = anything(st.just("no-such-slug"))
    verdict = check(pair("repositories:require_tenant", {"slug": never_present}, registry={}),
                    workbench)
    # The message says what the error was, so a user sees why the arguments never reached data.
    assert verdict.text.startswith("vacuous: every call raised on both sides: "
                                     "NoResultFound No row was found")
    assert not verdict.ok


def test_a_vacuous_verdict_names_the_sqlstate_and_message_of_a_database_error(
        workbench: Workbench):
    refused = anything(st.just(-1))  # LIMIT -1: PostgreSQL refuses it (SQLSTATE 2201W)
    verdict = check(pair("invoices:get_user_invoices",
                         {"user_id": anything(st.just(1)), "limit": refused}, registry={}),
                    workbench, max_examples=5)
    assert verdict.text.startswith("vacuous: every call raised on both sides: DataError "
                                     "[SQLSTATE 2201W] ")
    assert "LIMIT must not be negative" in verdict.text

"""The workbench's reason to exist: deliberately wrong migrations must be reported divergent,
each with a shrunk counterexample. They are declared in equivalence_tests/wrong_migrations.py
(their code in equivalence_tests/mutants/); `nox -s detection` measures how often a random
run catches each, these tests what the derandomized search finds and how far it shrinks."""

import pytest
from hypothesis.database import DirectoryBasedExampleDatabase

from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.runner import check
from equivalence_tests.wrong_migrations import WRONG, mutant


def rows(verdict, table):
    return verdict.counterexample.dataset[table]


@pytest.mark.parametrize("name", [name for name, wrong in WRONG.items()
                                  if wrong.pair.service == "demo"])
def test_every_declared_wrong_migration_is_caught(workbench: Workbench, name: str):
    """What the detection benchmark counts as a catch, on the derandomized examples."""
    verdict = check(WRONG[name].pair, workbench)
    assert verdict.status == WRONG[name].caught_as, verdict.counterexample


def test_first_migrated_to_scalar_one_or_none_is_caught_on_two_namesakes(workbench: Workbench):
    verdict = check(WRONG["first() -> scalar_one_or_none()"].pair, workbench)
    assert verdict.status == "divergent"
    found = verdict.counterexample
    assert found.modern.outcome["$error"] == "MultipleResultsFound"
    # Shrunk: two users sharing the name asked for, and nothing else.
    names = [u["name"] for u in rows(verdict, "users")]
    assert len(names) == 2 and names[0] == names[1] == found.arguments["name"]
    assert not any(rows(verdict, t) for t in ("tenants", "products", "orders", "invoices"))


def test_lost_query_deduplication_of_joined_single_entities_is_caught(workbench: Workbench):
    verdict = check(WRONG["lost de-duplication of joined entities"].pair, workbench)
    assert verdict.status == "divergent"
    assert len(verdict.counterexample.modern.outcome) == 2
    assert len(verdict.counterexample.legacy.outcome) == 1
    assert len(rows(verdict, "users")) == 1 and len(rows(verdict, "orders")) == 2


def test_true_division_of_integers_is_caught(workbench: Workbench):
    verdict = check(WRONG["integer division became true division"].pair, workbench)
    assert verdict.status == "divergent"
    assert isinstance(verdict.counterexample.legacy.outcome, int)
    assert "$decimal" in verdict.counterexample.modern.outcome


def test_a_flipped_sort_direction_is_caught(workbench: Workbench):
    verdict = check(WRONG["flipped sort direction"].pair, workbench)
    assert verdict.status == "divergent"
    assert len(rows(verdict, "users")) == 2


def test_a_write_that_is_never_committed_is_caught_in_the_database_state(workbench: Workbench):
    verdict = check(WRONG["write never committed"].pair, workbench)
    assert verdict.status == "divergent"
    assert verdict.counterexample.what == ["table users"]
    assert len(rows(verdict, "users")) == 1


def test_rows_created_in_another_order_are_caught(workbench: Workbench):
    verdict = check(WRONG["rows created in another order"].pair, workbench)
    assert verdict.status == "divergent"
    assert len(verdict.counterexample.arguments["slugs"]) == 2


def test_a_dropped_time_zone_is_caught(workbench: Workbench):
    verdict = check(WRONG["dropped time zone"].pair, workbench)
    assert verdict.status == "divergent"
    assert len(rows(verdict, "users")) == 1


def test_a_nondeterministic_control_is_reported_as_such_not_blamed_on_the_migration(
        workbench: Workbench):
    verdict = check(mutant("random_active_user"), workbench)
    assert verdict.status == "control nondeterministic"
    assert verdict.counterexample.legacy_again is not None


def test_a_divergence_found_once_is_replayed_first_next_time(workbench: Workbench, tmp_path):
    database = DirectoryBasedExampleDatabase(tmp_path)
    first = check(mutant("users_with_orders"), workbench, database=database)
    again = check(mutant("users_with_orders"), workbench, database=database)
    assert first.status == again.status == "divergent"
    assert again.counterexample.dataset == first.counterexample.dataset
    # The saved minimal example fails at once: no search, only the replay and a short shrink.
    assert again.examples < first.examples


def test_the_examples_column_counts_the_search_not_the_shrinking(workbench: Workbench):
    # Shrinking a divergence calls the pair hundreds of times: those are not more examples.
    verdict = check(mutant("users_with_orders"), workbench, max_examples=200, database=None)
    assert verdict.status == "divergent"
    assert 1 <= verdict.examples <= 200


def test_an_unreliable_control_is_named_whatever_example_the_shrink_ends_on(
        workbench: Workbench):
    # The control picks one of two rows at random: a single rerun agrees with it half the time,
    # so the verdict must rest on every rerun of the search, not on the last one.
    for _ in range(3):
        verdict = check(mutant("random_active_user"), workbench, database=None)
        assert verdict.status == "control nondeterministic"

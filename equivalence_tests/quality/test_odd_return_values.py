"""Return values that are not plain data: result objects must be compared like any value, and
one with no canonical form must cost only its own pair a verdict, never the run."""

from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.runner import check
from equivalence_tests.wrong_migrations import WRONG, mutant


def test_a_result_object_where_legacy_returned_its_rowcount_is_divergent(workbench: Workbench):
    verdict = check(WRONG["result object where legacy returned its rowcount"].pair, workbench)
    assert verdict.status == "divergent"
    found = verdict.counterexample
    assert isinstance(found.legacy.outcome, int)
    assert found.modern.outcome == {"$rowcount": found.legacy.outcome}


def test_the_same_rows_from_the_same_kind_of_result_are_equivalent(workbench: Workbench):
    verdict = check(mutant("user_rows_cursor"), workbench, max_examples=50)
    assert verdict.status == "equivalent", verdict.counterexample
    assert verdict.examples == 50


def test_a_list_of_rows_where_legacy_returned_the_result_is_divergent(workbench: Workbench):
    verdict = check(WRONG["list of rows where legacy returned the result"].pair, workbench)
    assert verdict.status == "divergent"
    assert "$result" in verdict.counterexample.legacy.outcome
    assert isinstance(verdict.counterexample.modern.outcome, list)


def test_a_value_with_no_canonical_form_is_not_comparable_and_the_run_goes_on(
        workbench: Workbench):
    pids = [worker.process.pid for worker in workbench.workers]
    verdict = check(mutant("count_users"), workbench)
    assert verdict.text == "not comparable: _thread.lock"
    assert not verdict.ok
    assert verdict.counterexample is None
    # The workbench is not broken: the next pair runs on the same workers to its own verdict.
    assert workbench.broken is None
    assert [worker.process.pid for worker in workbench.workers] == pids
    after = check(mutant("items_per_order"), workbench)
    assert after.status == "divergent"
    assert "$decimal" in after.counterexample.modern.outcome

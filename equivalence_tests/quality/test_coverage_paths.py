"""A pair that declares a path (a failure branch, say) is not green until examples reach it."""

from equivalence_tests.harness.check import check
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair
from equivalence_tests.strategies import key_of


def test_a_declared_path_no_example_reaches_makes_the_verdict_incomplete(workbench: Workbench):
    verdict = check(pair("repositories:get_user_orders", registry={}, user_id=key_of("users"),
                         covers={"a savepoint": "SAVEPOINT"}), workbench)
    assert verdict.status == "incomplete: no example reached a savepoint"
    assert not verdict.ok


def test_paths_reached_are_counted(workbench: Workbench):
    verdict = check(pair("repositories:require_tenant", registry={},
                         slug=key_of("tenants", "slug"),
                         covers={"found": '"\\$entity"', "missing": "NoResultFound"}), workbench)
    assert verdict.status == "equivalent"
    assert verdict.covered["found"] > 0 and verdict.covered["missing"] > 0
    assert verdict.covered["found"] + verdict.covered["missing"] >= verdict.examples

"""Several calls on one dataset: a read-only pair's example compares up to CALLS_PER_DATASET
argument draws after one reset, in one message per side. After a call that may have changed the
data, the next call starts from a new reset (it must start from the dataset), and a
counterexample is still one dataset and one call."""

import datetime as dt

from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair
from equivalence_tests.runner import check
from equivalence_tests.strategies import key_of, words
from shared_schema.protocol import read_only

LEGACY = "equivalence_tests.mutants.legacy"
MODERN = "equivalence_tests.mutants.modern"


def _user(uid):
    return {"id": uid, "tenant_id": 1, "email": f"u{uid}@example.com", "name": f"user {uid}",
            "is_active": True, "created_at": dt.datetime(2024, 1, uid, tzinfo=dt.UTC)}


DATASET = {"tenants": [{"id": 1, "slug": "t", "name": "T"}], "users": [_user(1), _user(2)]}
DEACTIVATE = pair(f"{LEGACY}:deactivate_user", modern=f"{MODERN}:deactivate_user_committed",
                  registry={})


def test_reads_share_one_reset_and_each_call_is_compared(workbench: Workbench):
    lookup = pair("repositories:get_product_by_sku", registry={})
    legacy, modern = workbench.observe_calls(lookup, {**DATASET, "products": []},
                                             [{"sku": "a"}, {"sku": "b"}, {"sku": "a"}])
    assert len(legacy) == len(modern) == 3
    assert all(o.outcome is None and o.state is None for o in legacy + modern)


def test_each_call_after_a_write_starts_from_the_dataset_again(workbench: Workbench):
    legacy, modern = workbench.observe_calls(DEACTIVATE, DATASET,
                                             [{"user_id": 99}, {"user_id": 1}, {"user_id": 2}])
    # The lookup of a missing user only reads; the deactivation of user 1 writes, and its
    # tables are read back; user 2's call starts from a new reset, where user 1 is active.
    assert len(legacy) == len(modern) == 3
    assert legacy[0].state is None and modern[0].state is None
    for side in (legacy, modern):
        for call, deactivated in ((1, 1), (2, 2)):
            users = {row["id"]: row["is_active"] for row in side[call].state["users"]}
            assert users == {1: deactivated != 1, 2: deactivated != 2}


def test_a_read_only_pair_compares_more_calls_than_examples(workbench: Workbench):
    verdict = check(pair("repositories:get_product_by_sku", {"sku": key_of("products", "sku")},
                         registry={}), workbench, max_examples=30)
    assert verdict.status == "equivalent"
    assert verdict.tally.examples == 30 and verdict.tally.calls > 30


def test_a_pair_that_writes_only_sometimes_compares_its_writes_from_the_dataset(
        workbench: Workbench):
    verdict = check(pair(DEACTIVATE.legacy, {"user_id": key_of("users")}, modern=DEACTIVATE.modern,
                         registry={}), workbench, max_examples=40)
    assert verdict.status == "equivalent"
    assert verdict.tally.changed > 0


def test_the_counterexample_of_a_read_only_pair_is_one_call(workbench: Workbench):
    verdict = check(pair(f"{LEGACY}:find_user_by_name",
                         {"name": key_of("users", "name", absent=words)},
                         modern=f"{MODERN}:find_user_by_name", registry={}), workbench)
    assert verdict.status == "divergent"
    found = verdict.counterexample
    assert found.before == [] and set(found.arguments) == {"name"}


def test_what_counts_as_read_only():
    assert read_only(["SELECT users.id FROM users WHERE users.id = %(pk)s",
                      "SAVEPOINT sa_savepoint_1", "RELEASE SAVEPOINT sa_savepoint_1"])
    assert read_only(["WITH x AS (SELECT 1) SELECT * FROM x"])
    for changing in ("UPDATE users SET name = %(n)s", "SELECT nextval('users_id_seq')",
                     "WITH d AS (DELETE FROM users RETURNING id) SELECT count(*) FROM d",
                     "SELECT id FROM users FOR UPDATE", "INSERT INTO users (id) VALUES (1)",
                     "CALL do_something()", "select setval('s', 3)"):
        assert not read_only([changing]), changing


def test_a_side_that_went_on_past_the_others_stop_is_read_back_where_the_other_stopped(
        workbench: Workbench):
    # Creating no tenant only reads on 1.4, while the migration's nextval() ends its message
    # there: 1.4 goes on and creates tenant "x" in the same message. The tables compared after
    # the first call must not hold it.
    adding = pair(f"{LEGACY}:add_tenants", modern=f"{MODERN}:add_tenants", registry={},
                  writes=True)
    legacy, modern = workbench.observe_calls(adding, {"tenants": []},
                                             [{"slugs": []}, {"slugs": ["x"]}])
    assert len(legacy) == len(modern) == 2
    assert legacy[0].state["tenants"] == modern[0].state["tenants"] == []
    assert [t["slug"] for t in legacy[1].state["tenants"]] == ["x"]

"""What counts as a difference: ties, floats, decimals, errors, new identity values."""

from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.verdict import Observation
from equivalence_tests.harness.compare import SchemaFacts, differences, equal, normalize
from equivalence_tests.registry import pair

# What the comparison knows of the demo schema's keys and now() columns, without a database.
FACTS = SchemaFacts(keys={"tenants": "id", "users": "id"}, references={},
                    server_now=frozenset({("users", "created_at")}))


def user(uid, created, email="a@x"):
    return {"$entity": "User", "table": "users",
            "columns": {"id": uid, "created_at": created, "email": email}}


def make(ordered_by: str | None = None, writes: bool = False) -> Pair:
    return pair("m:f", registry={}, ordered_by=ordered_by, writes=writes)


def test_rows_tied_on_the_sort_key_may_come_in_any_order():
    ordered = make(ordered_by="created_at")
    legacy = [user(1, "b"), user(2, "a"), user(3, "a")]
    modern = [user(1, "b"), user(3, "a"), user(2, "a")]
    assert equal(normalize(ordered, legacy), normalize(ordered, modern))


def test_rows_out_of_sort_order_are_a_difference():
    ordered = make(ordered_by="created_at")
    legacy = [user(1, "b"), user(2, "a")]
    modern = [user(2, "a"), user(1, "b")]
    assert not equal(normalize(ordered, legacy), normalize(ordered, modern))


def test_unordered_results_compare_as_multisets_but_keep_duplicates():
    unordered = make()
    assert equal(normalize(unordered, [user(1, "a"), user(2, "b")]),
                 normalize(unordered, [user(2, "b"), user(1, "a")]))
    assert not equal(normalize(unordered, [user(1, "a")]),
                     normalize(unordered, [user(1, "a"), user(1, "a")]))


def test_floats_within_rounding_are_equal_and_beyond_it_are_not():
    assert equal({"$float": repr(0.1 + 0.2)}, {"$float": "0.3"})
    assert not equal({"$float": "0.3"}, {"$float": "0.30001"})
    assert equal({"$float": "nan"}, {"$float": "nan"})


def test_decimals_compare_by_value_and_ints_are_not_decimals():
    assert equal({"$decimal": "1.50"}, {"$decimal": "1.5"})
    assert not equal({"$decimal": "3"}, 3)
    assert not equal(3, 3.0)
    assert not equal(True, 1)


def test_exceptions_compare_by_class_and_sqlstate_not_message():
    a = {"$error": "IntegrityError", "sqlstate": "23505", "message": "(psycopg2) dup"}
    b = {"$error": "IntegrityError", "sqlstate": "23505", "message": "(asyncpg) dup"}
    c = {"$error": "IntegrityError", "sqlstate": "23503", "message": "(psycopg2) fk"}
    assert equal(a, b)
    assert not equal(a, c)


def test_new_identity_values_compare_by_rank_not_raw_value():
    writes = make(writes=True)
    dataset = {"tenants": [{"id": 1}]}

    def state(new_id):
        return {"tenants": [{"id": 1, "slug": "a"}, {"id": new_id, "slug": "b"}]}

    legacy = Observation({"$entity": "Tenant", "table": "tenants",
                          "columns": {"id": 2, "slug": "b"}}, state=state(2))
    modern = Observation({"$entity": "Tenant", "table": "tenants",
                          "columns": {"id": 3, "slug": "b"}}, state=state(3))
    assert differences(writes, dataset, legacy, modern, FACTS) == []
    modern.state = {"tenants": [{"id": 1, "slug": "a"}, {"id": 3, "slug": "c"}]}
    assert differences(writes, dataset, legacy, modern, FACTS) == ["table tenants"]


def test_existing_identity_values_are_compared_exactly():
    writes = make(writes=True)
    dataset = {"tenants": [{"id": 1}, {"id": 2}]}
    legacy = Observation(1, state={"tenants": [{"id": 1}, {"id": 2}]})
    modern = Observation(2, state={"tenants": [{"id": 1}, {"id": 2}]})
    assert differences(writes, dataset, legacy, modern, FACTS) == ["return value"]


def test_server_now_on_new_rows_is_not_compared_but_on_old_rows_it_is():
    writes = make(writes=True)
    dataset = {"users": [{"id": 1}]}

    def state(old, new):
        return {"users": [{"id": 1, "created_at": old}, {"id": 5, "created_at": new}]}

    assert differences(writes, dataset, Observation(None, state=state("t0", "t1")),
                       Observation(None, state=state("t0", "t2")), FACTS) == []
    assert differences(writes, dataset, Observation(None, state=state("t0", "t1")),
                       Observation(None, state=state("t9", "t1")), FACTS) == ["table users"]

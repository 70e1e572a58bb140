"""The canonical form of what SQLAlchemy commonly returns (results, rows, mappings, generators),
computed inside the real workers: each probe runs on 1.4 and on 2.x against the same rows, and
both must land on the same tagged form. A value with no form is "not comparable", not a crash."""

import datetime as dt

import pytest

from equivalence_tests.harness.compare import equal
from equivalence_tests.harness.report import show
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair

pytestmark = pytest.mark.db

LEGACY = "equivalence_tests.mutants.legacy"
MODERN = "equivalence_tests.mutants.modern"
UTC = dt.UTC


def _user(uid, active):
    return {"id": uid, "tenant_id": 1, "email": f"u{uid}@example.com", "name": f"user {uid}",
            "is_active": active, "created_at": dt.datetime(2024, 1, uid, tzinfo=UTC)}


DATASET = {
    "tenants": [{"id": 1, "slug": "t", "name": "T"}],
    "users": [_user(1, True), _user(2, False), _user(3, True)],
}
ROWS = [{"$row": [["id", uid], ["email", f"u{uid}@example.com"]]} for uid in (1, 2, 3)]
MAPPINGS = [{"$mapping": [["id", uid], ["email", f"u{uid}@example.com"]]} for uid in (1, 2, 3)]


def both(workbench: Workbench, function: str, modern: str | None = None) -> tuple:
    """The outcome of one function on each side, from the same three users."""
    probe = pair(f"{LEGACY}:{function}", registry={}, modern=modern)
    legacy_side, modern_side = workbench.observe(probe, DATASET, {})
    return legacy_side.outcome, modern_side.outcome


@pytest.mark.parametrize(("function", "expected"), [
    ("user_rows", {"$result": ROWS}),
    ("user_rows_cursor", {"$result": ROWS, "rowcount": 3}),
    ("user_rows_list", ROWS),
    ("user_update_result", {"$rowcount": 2}),
    ("user_update_fetch", {"$result": [], "rowcount": 2}),
    ("user_ids_scalars", {"$result": [1, 2, 3]}),
    ("user_mappings", {"$result": MAPPINGS}),
    ("first_user_row", ROWS[0]),
    ("first_user_mapping", MAPPINGS[0]),
    ("user_emails_generator", {"$iterator": [f"u{uid}@example.com" for uid in (1, 2, 3)]}),
    ("user_id_set", {"$set": [1, 2, 3]}),
    ("update_rowcount", 2),
    ("session_factory", {"$not_comparable": "sqlalchemy.orm.session.sessionmaker"}),
])
def test_both_versions_agree_on_the_canonical_form(workbench: Workbench, function, expected):
    legacy, modern = both(workbench, function, modern=f"{LEGACY}:{function}")
    assert legacy == expected
    assert modern == expected


def test_a_result_of_orm_entities_is_its_rows_of_entities(workbench: Workbench):
    legacy, modern = both(workbench, "user_entity_rows", modern=f"{LEGACY}:user_entity_rows")
    assert legacy == modern
    rows = legacy["$result"]
    assert [row["$row"][0][0] for row in rows] == ["User"] * 3
    assert [row["$row"][0][1]["columns"]["id"] for row in rows] == [1, 2, 3]
    assert rows[1]["$row"][0][1]["columns"]["is_active"] is False


@pytest.mark.parametrize(("function", "error"), [
    ("closed_result", "ResourceClosedError"),  # iterating it is what the caller would do
    ("failing_generator", "ValueError"),
])
def test_a_result_that_raises_when_read_is_that_error(workbench: Workbench, function, error):
    legacy, modern = both(workbench, function, modern=f"{LEGACY}:{function}")
    assert legacy["$error"] == modern["$error"] == error


def test_async_results_are_awaited_by_the_worker(workbench: Workbench):
    _, scalars = both(workbench, "user_ids_scalars", modern=f"{MODERN}:streamed_user_ids")
    assert scalars == {"$async_result": [1, 2, 3]}
    _, rows = both(workbench, "user_rows", modern=f"{MODERN}:streamed_user_rows")
    assert rows == {"$async_result": ROWS}


def test_the_worker_goes_on_after_a_value_with_no_canonical_form(workbench: Workbench):
    legacy, modern = both(workbench, "count_users", modern=f"{MODERN}:count_users")
    assert legacy == 3
    assert modern == {"$not_comparable": "_thread.lock"}
    assert both(workbench, "user_rows") == ({"$result": ROWS}, {"$result": ROWS})


def test_a_result_object_is_not_the_same_value_as_a_list_or_an_int():
    """Legacy returning a list or an int where the migration returns a result object is a
    divergence: the caller can index a list, and cannot do arithmetic on a result."""
    assert not equal(ROWS, {"$result": ROWS})
    assert not equal({"$result": ROWS}, {"$result": ROWS, "rowcount": 3})
    assert not equal({"$result": ROWS}, {"$async_result": ROWS})
    assert not equal({"$result": [1, 2, 3]}, {"$iterator": [1, 2, 3]})
    assert not equal(2, {"$rowcount": 2})
    assert not equal(MAPPINGS[0], {"$dict": [["email", "u1@example.com"], ["id", 1]]})
    assert equal({"$rowcount": 2}, {"$rowcount": 2})


def test_the_report_shows_the_new_forms():
    assert show({"$rowcount": 2}) == "result returning no rows, rowcount=2"
    assert show({"$result": [1, 2], "rowcount": 2}) == "result of [1, 2], rowcount=2"
    shown = show({"$async_result": [ROWS[0]]})
    assert shown == "async result of [Row(id=1, email='u1@example.com')]"
    assert show({"$iterator": ["a"]}) == "iterator of ['a']"
    assert show(MAPPINGS[0]) == "RowMapping(id: 1, email: 'u1@example.com')"
    assert "not comparable" in show({"$not_comparable": "_thread.lock"})

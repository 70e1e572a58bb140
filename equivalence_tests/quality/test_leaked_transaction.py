"""A side that leaves its transaction open (the legacy `tasks.process_order`: a module-level
session, and a missing order returns without commit or rollback).

What the workbench does about it, and what it must not do:
- the transaction stays open from one call into the next while the pair runs, as it does in
  the long-lived process the code runs in: ending it would change what the next call sees;
- the side is named whenever any call left it open, not only when the last one did;
- it does not outlive the pair (the worker is restarted);
- the VACUUM between examples never asks for the lock that transaction blocks: truncating an
  emptied table takes ACCESS EXCLUSIVE, which the leaked ACCESS SHARE holds off for 5 s per
  VACUUM (process_order ran about twice as slow as its neighbours, the whole difference).
"""

import datetime as dt
import decimal

import psycopg2

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.harness.state import VACUUM_EVERY, Database
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair
from equivalence_tests.strategies import key_of

AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
ONE_ORDER: Dataset = {
    "tenants": [], "products": [], "order_items": [], "invoices": [],
    "users": [{"id": 1, "email": "u1@x", "name": None, "is_active": True, "created_at": AT,
               "tenant_id": None}],
    "orders": [{"id": 1, "user_id": 1, "amount": decimal.Decimal("1.00"), "status": "pending",
                "created_at": AT, "product_id": None, "tenant_id": None}],
}
PROCESS_ORDER = pair("tasks:process_order", {"order_id": key_of("orders")}, registry={},
                     writes=True)


def open_transactions(database: Database) -> list[tuple[int, dt.datetime, bool]]:
    """Other sessions on the database inside a transaction: pid, since when, whether they hold
    back VACUUM's horizon (an xmin or an xid)."""
    with database.conn.cursor() as cur:
        cur.execute("SELECT pid, xact_start, backend_xmin IS NOT NULL OR backend_xid IS NOT NULL"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")
        return list(cur.fetchall())


def test_a_transaction_left_open_is_kept_between_calls_named_and_ended_with_the_pair(
        workbench: Workbench) -> None:
    workbench.leaked_transactions()  # whatever an earlier test left is not this test's
    legacy, modern = workbench.databases
    before = workbench.workers[0].process.pid

    def process(order_id: int) -> list[object]:
        return [o.outcome for o in workbench.observe(PROCESS_ORDER, ONE_ORDER,
                                                     {"order_id": order_id})]

    assert process(2) == [False, False]  # no such order: legacy returns inside its transaction
    (left,) = open_transactions(legacy)
    assert open_transactions(modern) == []
    # Read committed, read only: it holds no xmin or xid back, so VACUUM still removes the
    # rows each reset deletes while it stays open.
    assert left[2] is False
    # The next example's reset does not end it: the next call runs in the same transaction,
    # as the next task would in the service's process.
    assert process(3) == [False, False]
    assert open_transactions(legacy) == [left]
    # The next order that exists commits it: the last call left nothing open...
    assert process(1) == [True, True]
    assert open_transactions(legacy) == []
    # ...and the side is named all the same, and its worker restarted.
    assert workbench.leaked_transactions() == ["legacy_14"]
    assert workbench.workers[0].process.pid != before
    assert workbench.leaked_transactions() == []


def test_the_open_transaction_does_not_outlive_the_pair(workbench: Workbench) -> None:
    workbench.leaked_transactions()
    workbench.observe(PROCESS_ORDER, ONE_ORDER, {"order_id": 2})
    assert len(open_transactions(workbench.databases[0])) == 1
    assert workbench.leaked_transactions() == ["legacy_14"]
    assert open_transactions(workbench.databases[0]) == []


def test_the_vacuum_between_examples_never_waits_for_a_leaked_sessions_lock(
        workbench: Workbench) -> None:
    workbench.leaked_transactions()
    database = workbench.databases[0]
    empty: Dataset = {table: [] for table in database.catalog.names}

    def size() -> int:
        with database.conn.cursor() as cur:
            cur.execute("SELECT pg_relation_size('orders')")
            row = cur.fetchone()
        assert row is not None
        return int(row[0])

    def vacuum_round(dataset: Dataset) -> None:
        database.resets = VACUUM_EVERY - 1  # the next reset vacuums first
        database.reset(database.reset_script(dataset))

    # With nobody else on the database, VACUUM of an emptied table would give its page back
    # (truncating it, under ACCESS EXCLUSIVE): it must not even try.
    database.reset(database.reset_script(ONE_ORDER))
    database.reset(database.reset_script(empty))
    vacuum_round(empty)
    assert size() > 0
    # A session left idle in transaction after reading orders, as process_order's is: the
    # VACUUM round neither ends it nor waits for it, and the reset notes it.
    database.take_left_open()
    reader = psycopg2.connect(database.url)
    try:
        with reader.cursor() as cur:
            cur.execute("SELECT * FROM orders WHERE id = 2")
        (left,) = open_transactions(database)
        vacuum_round(ONE_ORDER)
        assert open_transactions(database) == [left]
        assert database.take_left_open() == 1
    finally:
        reader.close()
        database.take_left_open()


def test_a_transaction_left_open_by_a_call_inside_an_example_is_named(
        workbench: Workbench) -> None:
    workbench.leaked_transactions()
    # One message: the missing order leaves the transaction open and only read, so the same
    # message goes on to order 1, which commits it. No reset sees it open; the worker does.
    legacy, _ = workbench.observe_calls(PROCESS_ORDER, ONE_ORDER, [{"order_id": 2},
                                                                    {"order_id": 1}])
    assert [o.outcome for o in legacy] == [False, True]
    assert open_transactions(workbench.databases[0]) == []
    assert workbench.leaked_transactions() == ["legacy_14"]

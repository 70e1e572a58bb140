"""Schema drift through real workers on a real database: each side's models compared with
shared_schema/schema.sql by Alembic inside that side's own environment (1.4.54 with Alembic
1.19.x, 2.0 with the latest Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from equivalence_tests.domain.errors import WorkerError
from equivalence_tests.harness.databases import OwnedDatabases
from equivalence_tests.harness.drift import blockers, drift_lines, schema_drift
from equivalence_tests.harness.server import postgres_server
from equivalence_tests.harness.workbench import sides_from_environment
from equivalence_tests.harness.workers import Worker

pytestmark = pytest.mark.db

SCHEMA = Path(__file__).resolve().parents[2] / "shared_schema" / "schema.sql"
DRIFTED = "equivalence_tests.mutants.drifted_models"
DRIFTED_LEGACY = "equivalence_tests.mutants.drifted_legacy_models"
RESPELLED = "equivalence_tests.mutants.respelled_models"


@pytest.fixture(scope="module")
def workers() -> Iterator[tuple[Worker, Worker]]:
    """A legacy and a modern worker, each on its own database built from schema.sql."""
    with postgres_server() as admin_url, OwnedDatabases(admin_url) as owned:
        started: list[Worker] = []
        try:
            for side in sides_from_environment():
                url = owned.create(f"drift_{side.package}")
                with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
                    cur.execute(SCHEMA.read_text())
                    conn.commit()
                started.append(Worker(side, url))
            yield started[0], started[1]
        finally:
            for worker in started:
                worker.stop()


def brief(differences: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(d["kind"], d["table"], d["column"], d["models"], d["database"], d["info"])
            for d in differences}


def test_a_difference_is_a_plain_dict_with_every_key(workers: tuple[Worker, Worker]) -> None:
    differences = schema_drift(workers[1], DRIFTED)
    assert differences
    for difference in differences:
        assert set(difference) == {"kind", "table", "column", "models", "database", "info",
                                   "note"}
        assert isinstance(difference["info"], bool) and difference["note"]
    keys = [(d["table"], d["column"], d["kind"]) for d in differences]
    assert keys == sorted(keys)


def test_the_demo_models_do_not_drift_from_the_schema_on_either_side(
        workers: tuple[Worker, Worker]) -> None:
    legacy, modern = workers
    assert blockers(schema_drift(legacy, "legacy_14.models")) == []
    assert blockers(schema_drift(modern, "modern_20.models")) == []
    assert blockers(schema_drift(modern, "models")) == []  # taken from the side's package


def test_what_the_demo_models_declare_more_loosely_is_informational(
        workers: tuple[Worker, Worker]) -> None:
    """Measured: 1.4's Column is nullable unless told, so the legacy models allow NULL in four
    NOT NULL columns; both sides give `is_active` and `status` a Python default where the table
    has a server default. None of it changes what reaches the database: shown, not blocking."""
    legacy = schema_drift(workers[0], "legacy_14.models")
    modern = schema_drift(workers[1], "modern_20.models")
    defaults = {
        ("modify_default", "orders", "status", None, "'pending'::character varying", True),
        ("modify_default", "users", "is_active", None, "true", True),
    }
    assert brief(modern) == defaults
    assert brief(legacy) == defaults | {
        ("modify_nullable", table, column, "NULL", "NOT NULL", True)
        for table, column in [("invoices", "issued_at"), ("orders", "created_at"),
                              ("users", "created_at"), ("users", "is_active")]
    }
    assert "the models send 'pending' from Python" in str(modern)


def test_other_spellings_of_the_same_schema_are_no_drift_on_either_side(
        workers: tuple[Worker, Worker]) -> None:
    """now() vs CURRENT_TIMESTAMP, 'pending' vs 'pending'::character varying, TIMESTAMP vs
    DateTime(timezone=True), DECIMAL vs NUMERIC, a unique index for a unique constraint."""
    unmapped = {
        ("remove_column", "orders", "product_id", None, "INTEGER", True),
        ("remove_fk", "orders", "product_id", None,
         "FOREIGN KEY orders_product_id_fkey (product_id) REFERENCES products (id)", True),
    }
    for worker in workers:
        assert brief(schema_drift(worker, RESPELLED)) == unmapped, worker.side.package


def test_each_drift_of_the_modern_models_is_named_by_table_and_column(
        workers: tuple[Worker, Worker]) -> None:
    differences = schema_drift(workers[1], DRIFTED)
    assert brief(differences) == {
        ("modify_nullable", "users", "name", "NOT NULL", "NULL", False),
        ("modify_type", "users", "email", "VARCHAR(100)", "VARCHAR(255)", False),
        ("add_index", "users", "tenant_id", "INDEX ix_users_tenant_id (tenant_id)", None, False),
        ("add_fk", "orders", "tenant_id", "FOREIGN KEY (tenant_id) REFERENCES users (id)", None,
         False),
        ("remove_fk", "orders", "tenant_id", None,
         "FOREIGN KEY orders_tenant_id_fkey (tenant_id) REFERENCES tenants (id)", False),
        ("remove_fk", "orders", "product_id", None,
         "FOREIGN KEY orders_product_id_fkey (product_id) REFERENCES products (id)", False),
        ("modify_default", "orders", "status", "'new'", "'pending'::character varying", False),
        ("modify_type", "orders", "created_at", "TIMESTAMP WITHOUT TIME ZONE",
         "TIMESTAMP WITH TIME ZONE", False),
        ("remove_column", "users", "is_active", None, "BOOLEAN NOT NULL DEFAULT true", True),
    }
    # products, order_items and invoices exist only in the database here: not reported
    assert {d["table"] for d in differences} == {"users", "orders"}


def test_the_legacy_side_is_compared_in_its_own_environment(
        workers: tuple[Worker, Worker]) -> None:
    legacy, modern = workers
    assert legacy.hello["sqlalchemy"].startswith("1.4.")
    differences = schema_drift(legacy, DRIFTED_LEGACY)
    expected = {
        ("modify_nullable", "users", "name", "NOT NULL", "NULL", False),
        ("modify_type", "users", "created_at", "TIMESTAMP WITHOUT TIME ZONE",
         "TIMESTAMP WITH TIME ZONE", False),
        ("modify_type", "products", "sku", "VARCHAR(32)", "VARCHAR(64)", False),
        ("add_index", "products", "name", "INDEX ix_products_name (name)", None, False),
        ("remove_fk", "products", "tenant_id", None,
         "FOREIGN KEY products_tenant_id_fkey (tenant_id) REFERENCES tenants (id)", False),
        ("remove_column", "users", "is_active", None, "BOOLEAN NOT NULL DEFAULT true", True),
        ("remove_column", "products", "stock", None, "INTEGER", True),
    }
    assert brief(differences) == expected
    # The same Column-style module on 2.0 with the latest Alembic reports the same.
    assert brief(schema_drift(modern, DRIFTED_LEGACY)) == expected


def test_drift_lines_name_the_side_the_table_and_the_column(
        workers: tuple[Worker, Worker]) -> None:
    lines = drift_lines("modern_20", schema_drift(workers[1], DRIFTED))
    assert ("drift modern_20 users.name: models NOT NULL, database NULL (modify_nullable) -- "
            "the models say NOT NULL where the table allows NULL") in "\n".join(lines)
    assert "drift modern_20 users.email: models VARCHAR(100), database VARCHAR(255)" in \
        "\n".join(lines)
    assert lines[-1].startswith("drift (info) modern_20 users.is_active: models (nothing), ")
    assert all("\n" not in line for line in lines)
    assert not any(line.startswith("drift (info)") for line in lines[:-1])


def test_an_unknown_models_module_is_one_line_and_the_worker_goes_on(
        workers: tuple[Worker, Worker]) -> None:
    legacy = workers[0]
    with pytest.raises(WorkerError) as error:
        schema_drift(legacy, "legacy_14.no_such_models")
    assert "no_such_models" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(WorkerError, match="not a MetaData"):
        schema_drift(legacy, "legacy_14.models", metadata="User")
    assert blockers(schema_drift(legacy, "legacy_14.models")) == []

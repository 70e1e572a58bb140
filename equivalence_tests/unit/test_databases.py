"""OwnedDatabases on a real server: it drops what it created and never anything else."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import closing

import psycopg2
import pytest
from psycopg2 import sql

from equivalence_tests.domain.errors import ProvisioningError
from equivalence_tests.harness.databases import OwnedDatabases, with_database
from equivalence_tests.harness.server import URL_VAR, postgres_server

pytestmark = pytest.mark.db

MACHINE_URL = os.environ.get(
    "WORKBENCH_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="module")
def admin_url() -> Iterator[str]:
    """The machine's server if it answers, else a throwaway one: either way a real server."""
    try:
        psycopg2.connect(MACHINE_URL, connect_timeout=3).close()
    except psycopg2.OperationalError:
        env = {k: v for k, v in os.environ.items() if k != URL_VAR}
        with postgres_server(env) as url:
            yield url
        return
    yield MACHINE_URL


@pytest.fixture
def run_id() -> str:
    return secrets.token_hex(4)


@pytest.fixture
def made_by_test(admin_url: str) -> Iterator[list[str]]:
    """Databases a test creates by hand (as 'someone else'); dropped here at the end."""
    names: list[str] = []
    yield names
    for name in names:
        admin(admin_url, sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def admin(url: str, statement: sql.Composable | str, *params: object) -> list[tuple[object, ...]]:
    with closing(psycopg2.connect(url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement, params or None)
            return cur.fetchall() if cur.description else []


def exists(url: str, name: str) -> bool:
    return bool(admin(url, "SELECT 1 FROM pg_database WHERE datname = %s", name))


def comment(url: str, name: str) -> object:
    rows = admin(
        url,
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        name,
    )
    return rows[0][0]


def create_by_hand(url: str, name: str, comment_text: str | None = None) -> None:
    ident = sql.Identifier(name)
    admin(url, sql.SQL("CREATE DATABASE {}").format(ident))
    if comment_text is not None:
        admin(url, sql.SQL("COMMENT ON DATABASE {} IS {}").format(ident, sql.Literal(comment_text)))


def test_create_makes_a_marked_database_and_drop_all_drops_it(admin_url: str, run_id: str) -> None:
    owned = OwnedDatabases(admin_url, run_id)
    url = owned.create("legacy_14")
    name = f"wb_{run_id}_legacy_14"
    assert url == with_database(admin_url, name)
    assert admin(url, "SELECT current_database(), current_setting('synchronous_commit')") == [
        (name, "off")
    ]
    assert comment(admin_url, name) == owned.marker
    assert run_id in owned.marker
    owned.drop_all()
    assert not exists(admin_url, name)


def test_leaving_the_with_block_drops_the_databases_even_with_clients_still_connected(
    admin_url: str, run_id: str
) -> None:
    with OwnedDatabases(admin_url, run_id) as owned:
        client = psycopg2.connect(owned.create("modern_20"))
    assert not exists(admin_url, f"wb_{run_id}_modern_20")
    with pytest.raises(psycopg2.OperationalError):  # its backend was terminated
        client.cursor().execute("SELECT 1")
    client.close()


def test_a_database_someone_else_created_is_never_dropped_even_with_our_name_and_marker(
    admin_url: str, run_id: str, made_by_test: list[str]
) -> None:
    owned = OwnedDatabases(admin_url, run_id)
    owned.hold_liveness_lock()  # the mark names the lock, so it exists once the lock is held
    theirs = f"wb_{run_id}_x"
    made_by_test.append(theirs)
    create_by_hand(admin_url, theirs, owned.marker)
    owned.create("y")
    owned.drop_all()
    assert exists(admin_url, theirs)
    assert not exists(admin_url, f"wb_{run_id}_y")


def test_drop_all_refuses_a_database_whose_comment_was_changed(
    admin_url: str, run_id: str, made_by_test: list[str]
) -> None:
    owned = OwnedDatabases(admin_url, run_id)
    owned.create("z")
    name = f"wb_{run_id}_z"
    made_by_test.append(name)
    admin(admin_url, sql.SQL("COMMENT ON DATABASE {} IS 'mine now'").format(sql.Identifier(name)))
    with pytest.raises(ProvisioningError) as err:
        owned.drop_all()
    assert "\n" not in str(err.value)
    assert name in str(err.value)
    assert exists(admin_url, name)


def test_a_name_collision_raises_and_leaves_the_existing_database_intact(
    admin_url: str, run_id: str, made_by_test: list[str]
) -> None:
    taken = f"wb_{run_id}_taken"
    made_by_test.append(taken)
    create_by_hand(admin_url, taken, "someone's data")
    admin(with_database(admin_url, taken), "CREATE TABLE precious AS SELECT 42 AS answer")
    owned = OwnedDatabases(admin_url, run_id)
    with pytest.raises(ProvisioningError) as err:
        owned.create("taken")
    assert "\n" not in str(err.value)
    assert f"database {taken} already exists" in str(err.value)
    owned.drop_all()
    assert comment(admin_url, taken) == "someone's data"
    assert admin(with_database(admin_url, taken), "SELECT answer FROM precious") == [(42,)]


def test_a_role_without_createdb_gets_a_one_line_error_saying_what_to_do(
    admin_url: str, run_id: str
) -> None:
    role = f"wb_test_nocreatedb_{run_id}"
    admin(admin_url, sql.SQL("CREATE ROLE {} LOGIN NOCREATEDB").format(sql.Identifier(role)))
    try:
        user_url = re.sub(r"://[^@/?#]*@", f"://{role}@", admin_url, count=1)
        assert role in user_url
        owned = OwnedDatabases(user_url, run_id)
        with pytest.raises(ProvisioningError) as err:
            owned.create("denied")
        assert "\n" not in str(err.value)
        assert f"ALTER ROLE {role} CREATEDB" in str(err.value)
        assert not exists(admin_url, f"wb_{run_id}_denied")
    finally:
        admin(admin_url, sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_labels_and_run_ids_that_are_not_plain_identifiers_are_rejected(admin_url: str) -> None:
    with pytest.raises(ValueError):
        OwnedDatabases(admin_url, "Bad-Id")
    with pytest.raises(ValueError):
        OwnedDatabases(admin_url).create('x"; DROP DATABASE postgres; --')


def test_with_database_swaps_only_the_database_name() -> None:
    assert with_database("postgresql://workbench@/postgres?host=/tmp/wb-pg-1", "wb_a_b") == (
        "postgresql://workbench@/wb_a_b?host=/tmp/wb-pg-1"
    )
    assert with_database("postgresql://u:p@h:5433/postgres?sslmode=require", "d") == (
        "postgresql://u:p@h:5433/d?sslmode=require"
    )
    assert with_database("postgres://u@h", "d") == "postgres://u@h/d"
    assert with_database("postgresql://u@?host=/tmp/s", "d") == "postgresql://u@/d?host=/tmp/s"

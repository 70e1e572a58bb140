"""Database state with plain SQL: load the schema, reset to a dataset, read every table back.

Neither side's ORM touches this: the driver puts both databases into the identical state
(rows and sequence positions) before each example, and reads them back after a write.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import psycopg2
import psycopg2.extensions

from equivalence_tests.domain.dataset import Dataset, State
from equivalence_tests.domain.errors import ResetBlocked, ServerLost
from equivalence_tests.schema import reset as schema_reset
from equivalence_tests.schema.catalog import Catalog, read_catalog
from equivalence_tests.schema.derive import constant
from equivalence_tests.schema.reset import quote, unwrap
from shared_schema.values import plain

VACUUM_EVERY = 200
# Other sessions on this database idle inside a transaction: a side's code left one open.
# Prepared on each connection: planning the view costs more than the reset it follows.
IDLE_IN_TRANSACTION = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")
COUNT_IDLE_IN_TRANSACTION = "EXECUTE workbench_idle_in_transaction"


class DatasetRefused(RuntimeError):
    """The database refused a dataset for a constraint the strategy could not read."""


def wait_for_server(url: str, patience: float = 30.0) -> bool:
    """Whether the server accepts connections again within `patience` seconds."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            psycopg2.connect(url, connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            time.sleep(0.2)
    return False


class Database:
    """One side's database, seen through a plain psycopg2 connection of the driver's."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.resets = 0
        self.left_open = 0  # resets that found a session left idle in transaction (a leak)
        self.conn = self._connect()
        self.catalog = Catalog(())  # read once the schema is created

    def _connect(self) -> psycopg2.extensions.connection:
        try:
            conn = psycopg2.connect(self.url, connect_timeout=10)
        except psycopg2.OperationalError as error:
            raise ServerLost(str(error).strip().splitlines()[0]) from None
        conn.autocommit = True
        with conn.cursor() as cur:
            # Never wait forever on a lock a worker holds: fail with a clear message instead.
            cur.execute("SET lock_timeout = '10s'")
            cur.execute(f"PREPARE workbench_idle_in_transaction AS {IDLE_IN_TRANSACTION}")
        return conn

    def reconnect(self) -> None:
        with contextlib.suppress(psycopg2.Error):
            self.conn.close()
        self.conn = self._connect()

    @contextlib.contextmanager
    def connection_kept(self) -> Iterator[None]:
        """A broken connection (the server restarted or died) is ServerLost, not a traceback."""
        try:
            yield
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            code = getattr(error, "pgcode", None) or ""
            lost = self.conn.closed or code[:2] == "08" or code[:3] == "57P"
            if not lost and not isinstance(error, psycopg2.InterfaceError):
                raise
            text = str(error).strip().splitlines()
            raise ServerLost(text[0] if text else type(error).__name__) from None

    def probe(self) -> None:
        """Raise ServerLost if the server no longer answers this connection."""
        with self.connection_kept(), self.conn.cursor() as cur:
            cur.execute("SELECT 1")

    def count_idle_in_transaction(self) -> int:
        """Sessions on this database sitting in an open transaction (a leaked session)."""
        with self.connection_kept(), self.conn.cursor() as cur:
            cur.execute(COUNT_IDLE_IN_TRANSACTION)
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def take_left_open(self) -> int:
        """How many resets since the last time this was asked found a session on this
        database left idle in transaction by the call before (and forget them)."""
        left, self.left_open = self.left_open, 0
        return left

    def create_schema(self, ddl: str) -> None:
        with self.conn.cursor() as cur:
            cur.execute(ddl)
        self.catalog = read_catalog(self.conn)

    def reset(self, script: bytes) -> None:
        self.resets += 1
        try:
            with self.connection_kept(), self.conn.cursor() as cur:
                if self.resets % VACUUM_EVERY == 0:
                    # DELETE leaves dead rows; thousands of examples make every query slower
                    # long before autovacuum's next round. These tables are tiny: it is cheap.
                    # Without truncating: giving an emptied table's pages back takes an ACCESS
                    # EXCLUSIVE lock, and a side's session left idle in transaction (a
                    # module-level session) holds ACCESS SHARE on what it read, for which
                    # VACUUM waits 5 s before giving up. The next INSERT reuses the pages.
                    option = "(TRUNCATE false) " if self.conn.server_version >= 120000 else ""
                    cur.execute(f"VACUUM {option}"
                                f"{', '.join(quote(t) for t in self.catalog.names)}")
                # The side's previous call is over: in the same round trip, whether it left
                # its transaction open (that transaction stays: see leaked_transactions).
                cur.execute(script + b"\n" + COUNT_IDLE_IN_TRANSACTION.encode())
                row = cur.fetchone()
                self.left_open += bool(row and row[0])
        except (psycopg2.IntegrityError, psycopg2.DataError) as error:
            with self.conn.cursor() as cur:
                cur.execute("ROLLBACK")  # the script's own transaction, aborted
            raise DatasetRefused(str(error).strip().splitlines()[0]) from error
        except psycopg2.errors.LockNotAvailable as error:
            raise ResetBlocked(
                "resetting the database timed out on a lock: a function left a transaction open "
                "(a session that was never closed?)"
            ) from error

    def reset_script(self, dataset: Dataset) -> bytes:
        """One round trip that puts this database (and any with the same schema) in `dataset`'s
        state: rows and sequence positions."""
        return schema_reset.reset_script(self.conn, self.catalog, dataset)

    def snapshot(self) -> State:
        """Every table, in primary-key order, values in their canonical JSON form."""
        with self.connection_kept():
            state = schema_reset.snapshot(self.conn, self.catalog)
        return {table: [{name: plain(value) for name, value in row.items()} for row in rows]
                for table, rows in state.items()}

    def constant_defaults(self) -> dict[tuple[str, str], Any]:
        """(table, column) -> the canonical value of its constant DEFAULT, evaluated here once
        (PostgreSQL, not a parser, says what `'pending'::varchar` is)."""
        found: dict[tuple[str, str], Any] = {}
        with self.conn.cursor() as cur:
            for table in self.catalog.tables:
                for column in table.columns:
                    if column.default is not None and constant(column.default):
                        cur.execute(f"SELECT {column.default}")
                        row = cur.fetchone()
                        found[(table.name, column.name)] = plain(unwrap(row[0]) if row else None)
        return found

    def close(self) -> None:
        self.conn.close()


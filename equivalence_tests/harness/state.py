"""Database state with plain SQL: load the schema, reset to a dataset, read every table back.

Neither side's ORM touches this: the driver puts both databases into the identical state
(rows and sequence positions) before each example, and reads them back after a write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions

from shared_schema.values import plain

SCHEMA_SQL = Path(__file__).resolve().parents[2] / "shared_schema" / "schema.sql"
# Parents before children: the order rows are inserted in, and the reverse of deletion.
TABLES = ("tenants", "users", "products", "orders", "order_items", "invoices")

VACUUM_EVERY = 200
Dataset = dict[str, list[dict[str, Any]]]
State = dict[str, list[dict[str, Any]]]


class ResetBlocked(RuntimeError):
    """A worker kept a transaction open, so the reset could not take its locks."""


class Database:
    """One side's database, seen through a plain psycopg2 connection of the driver's."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn = psycopg2.connect(url)
        self.conn.autocommit = True
        self.resets = 0
        with self.conn.cursor() as cur:
            # Never wait forever on a lock a worker holds: fail with a clear message instead.
            cur.execute("SET lock_timeout = '10s'")

    def create_schema(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute(SCHEMA_SQL.read_text())

    def reset(self, script: bytes) -> None:
        self.resets += 1
        try:
            with self.conn.cursor() as cur:
                if self.resets % VACUUM_EVERY == 0:
                    # DELETE leaves dead rows; thousands of examples make every query slower
                    # long before autovacuum's next round. These tables are tiny: it is cheap.
                    cur.execute(f"VACUUM {', '.join(TABLES)}")
                cur.execute(script)
        except psycopg2.errors.LockNotAvailable as error:
            raise ResetBlocked(
                "resetting the database timed out on a lock: a function left a transaction open "
                "(a session that was never closed?)"
            ) from error

    def snapshot(self) -> State:
        state: State = {}
        with self.conn.cursor() as cur:
            for table in TABLES:
                cur.execute(f"SELECT * FROM {table} ORDER BY id")
                names = [column.name for column in cur.description or ()]
                state[table] = [
                    {name: plain(value) for name, value in zip(names, row, strict=True)}
                    for row in cur
                ]
        return state

    def close(self) -> None:
        self.conn.close()


def reset_script(conn: psycopg2.extensions.connection, dataset: Dataset) -> bytes:
    """One round trip: delete everything, insert the dataset, put every sequence after it."""
    parts = [b"BEGIN;"]
    parts += [f"DELETE FROM {table};".encode() for table in reversed(TABLES)]
    with conn.cursor() as cur:
        for table in TABLES:
            rows = dataset.get(table, [])
            if not rows:
                continue
            columns = list(rows[0])
            placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
            values = b", ".join(
                cur.mogrify(placeholder, [row[c] for c in columns]) for row in rows
            )
            parts.append(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ".encode()
                         + values + b";")
    setvals = ", ".join(
        f"setval('{table}_id_seq', {max((r['id'] for r in dataset.get(table, [])), default=0) + 1},"
        " false)"
        for table in TABLES
    )
    parts += [f"SELECT {setvals};".encode(), b"COMMIT;"]
    return b"\n".join(parts)

# Which table each foreign key column points at: new identity values are renamed through these.
REFERENCES = {
    ("users", "tenant_id"): "tenants", ("products", "tenant_id"): "tenants",
    ("orders", "tenant_id"): "tenants", ("orders", "user_id"): "users",
    ("orders", "product_id"): "products", ("order_items", "order_id"): "orders",
    ("order_items", "product_id"): "products", ("invoices", "order_id"): "orders",
    ("invoices", "user_id"): "users",
}
# Columns the database fills with now(): on rows a call created, their value is not compared.
SERVER_NOW = {("users", "created_at"), ("orders", "created_at"), ("invoices", "issued_at")}

"""The workbench's own databases: created per run, marked, and dropped only if still ours.

The admin server may be the user's real one (WORKBENCH_DATABASE_URL), so dropping is guarded
twice: we only drop names this object created, and only while the database still has the OID we
created and the marker comment we put on it. Anything else is left alone and reported.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import warnings
from collections.abc import Iterator
from types import TracebackType

import psycopg2
from psycopg2 import errors, sql
from psycopg2.extensions import connection, cursor

from equivalence_tests.harness.server import ProvisioningError, first_line, mask_password

__all__ = ["OwnedDatabases", "ProvisioningError", "with_database"]

_LABEL = re.compile(r"[a-z0-9_]+")
_RUN_ID = re.compile(r"[a-z0-9]+")
_MAX_NAME = 63  # PostgreSQL truncates longer identifiers, which would break name matching


def with_database(url: str, dbname: str) -> str:
    """The same libpq URL (user, password, host, port, query kept) pointing at `dbname`."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a libpq URL: {mask_password(url)!r}")
    authority = re.match(r"[^/?#]*", rest)
    assert authority is not None  # matches at least the empty string
    query = re.sub(r"^[^?#]*", "", rest[authority.end() :])  # old path dropped; ?query kept
    quoted = "".join(c if c.isalnum() or c in "_-." else f"%{ord(c):02X}" for c in dbname)
    return f"{scheme}://{authority.group()}/{quoted}{query}"


class OwnedDatabases:
    """Creates databases for one workbench run and drops only those it created (lose no data)."""

    def __init__(self, admin_url: str, run_id: str | None = None) -> None:
        self.admin_url = admin_url
        self.run_id = secrets.token_hex(4) if run_id is None else run_id
        if not _RUN_ID.fullmatch(self.run_id):
            raise ValueError(f"run_id must match [a-z0-9]+, got {self.run_id!r}")
        self.marker = (
            f"sqlalchemy workbench run {self.run_id}: created and dropped by the workbench"
        )
        self._created: dict[str, int] = {}  # name -> OID at creation

    @contextlib.contextmanager
    def _admin(self) -> Iterator[connection]:
        try:
            conn = psycopg2.connect(self.admin_url, connect_timeout=10)
        except psycopg2.Error as exc:
            raise ProvisioningError(
                f"cannot connect to {mask_password(self.admin_url)}: {first_line(exc)}"
            ) from None
        conn.autocommit = True  # CREATE/DROP DATABASE refuse to run inside a transaction
        try:
            yield conn
        finally:
            conn.close()

    def create(self, label: str) -> str:
        """Create 'wb_<run_id>_<label>', mark it as ours, and return a libpq URL to it."""
        if not _LABEL.fullmatch(label):
            raise ValueError(f"label must match [a-z0-9_]+, got {label!r}")
        name = f"wb_{self.run_id}_{label}"
        if len(name) > _MAX_NAME:
            raise ValueError(f"database name {name} is longer than {_MAX_NAME} characters")
        ident = sql.Identifier(name)
        with self._admin() as conn, conn.cursor() as cur:
            try:
                # template0: pristine, and not blocked by someone else connected to template1.
                cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(ident))
            except errors.DuplicateDatabase:
                raise ProvisioningError(
                    f"database {name} already exists on {mask_password(self.admin_url)}; the "
                    "workbench never reuses or drops a database it did not create: drop it "
                    "yourself if it is a stale one, or use another run id"
                ) from None
            except errors.InsufficientPrivilege as exc:
                raise ProvisioningError(
                    f"cannot create database {name} ({first_line(exc)}); run `ALTER ROLE "
                    f"{conn.info.user} CREATEDB` or point the workbench at a role that may create "
                    "databases"
                ) from None
            except psycopg2.Error as exc:
                raise ProvisioningError(
                    f"cannot create database {name}: {first_line(exc)}"
                ) from None
            cur.execute("SELECT oid FROM pg_database WHERE datname = %s", (name,))
            row = cur.fetchone()
            assert row is not None, name
            self._created[name] = int(row[0])
            cur.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(ident, sql.Literal(self.marker))
            )
            cur.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(ident))
        return with_database(self.admin_url, name)

    def drop_all(self) -> None:
        """Drop what this object created, if each is still ours; report any it had to leave."""
        if not self._created:
            return
        left: list[str] = []
        with self._admin() as conn, conn.cursor() as cur:
            force = sql.SQL(" WITH (FORCE)" if conn.server_version >= 130000 else "")
            for name, oid in list(self._created.items()):
                del self._created[name]
                try:
                    problem = self._drop_if_ours(cur, name, oid, force)
                except psycopg2.Error as exc:
                    problem = first_line(exc)
                if problem:
                    left.append(f"{name} ({problem})")
        if left:
            raise ProvisioningError(
                f"left database(s) in place on {mask_password(self.admin_url)}: "
                f"{'; '.join(left)}; check them and drop them by hand if they are yours"
            )

    def _drop_if_ours(self, cur: cursor, name: str, oid: int, force: sql.Composable) -> str:
        """Drop `name` if it still is the database we created; else say why it was left."""
        cur.execute(
            "SELECT oid, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        )
        row = cur.fetchone()
        if row is None:
            return ""  # already gone: nothing of ours left to drop
        if (int(row[0]), row[1]) != (oid, self.marker):
            return "no longer carries this run's marker"
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        cur.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)) + force)
        return ""

    def __enter__(self) -> OwnedDatabases:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.drop_all()
            return
        try:
            self.drop_all()
        except ProvisioningError as error:  # don't hide the error that is already propagating
            warnings.warn(str(error), RuntimeWarning, stacklevel=2)

"""The workbench's own databases: created per run, marked, and dropped only if still ours.

The admin server may be the user's real one (WORKBENCH_DATABASE_URL), so dropping is guarded
twice: we only drop names this object created, and only while the database still has the OID we
created and the marker comment we put on it. Anything else is left alone and reported.

A run that dies before its teardown (Ctrl-C under nox, SIGTERM, SIGKILL, a server crash) must
not leave its databases behind either. Two safety nets, neither trusting the dying process:
- a janitor process (`harness/janitor.py`), detached from the run, told each database as it is
  created; when the run's pipe closes it drops the ones still carrying their mark;
- a live run holds an advisory lock, named in its mark, on the admin database. A later run that
  finds marked databases whose lock it can take knows their run is gone, names them and drops
  them (`sweep_leftovers`). A look-alike (no mark, another mark, a live run's) is never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psycopg2
from psycopg2 import errors, sql
from psycopg2.extensions import connection, cursor

from equivalence_tests.domain.errors import ProvisioningError
from equivalence_tests.harness.server import first_line, mask_password

__all__ = ["OwnedDatabases", "sweep_leftovers", "with_database"]

_LABEL = re.compile(r"[a-z0-9_]+")
_RUN_ID = re.compile(r"[a-z0-9]+")
_MAX_NAME = 63  # PostgreSQL truncates longer identifiers, which would break name matching
LOCK_CLASS = 0x5742  # "WB": the first key of every run's liveness advisory lock
_MARK = re.compile(
    r"sqlalchemy workbench run (?P<run>[a-z0-9]+): created and dropped by the workbench; "
    r"alive while advisory lock \((?P<cls>\d+),(?P<key>-?\d+)\) is held in database "
    r"(?P<db>[^ ]+)"
)


def lock_key(run_id: str) -> int:
    """The run's advisory lock key: a stable signed int4 from its id."""
    return int.from_bytes(hashlib.blake2b(run_id.encode(), digest_size=4).digest(), "big",
                          signed=True)


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
        self.marker = ""  # set once the liveness lock is held (it names the lock's database)
        self._created: dict[str, int] = {}  # name -> OID at creation
        self._alive: connection | None = None  # holds the liveness lock while the run lives
        self._janitor: subprocess.Popen[bytes] | None = None

    def hold_liveness_lock(self) -> None:
        """Take (or, after a server restart, take again) the lock that says this run lives."""
        if self._alive is not None and not self._alive.closed:
            with contextlib.suppress(psycopg2.Error):
                self._alive.close()
        try:
            self._alive = psycopg2.connect(self.admin_url, connect_timeout=10)
        except psycopg2.Error as exc:
            raise ProvisioningError(
                f"cannot connect to {mask_password(self.admin_url)}: {first_line(exc)}"
            ) from None
        self._alive.autocommit = True
        with self._alive.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, %s), current_database()",
                        (LOCK_CLASS, lock_key(self.run_id)))
            row = cur.fetchone()
        assert row is not None
        self.marker = (
            f"sqlalchemy workbench run {self.run_id}: created and dropped by the workbench; "
            f"alive while advisory lock ({LOCK_CLASS},{lock_key(self.run_id)}) is held in "
            f"database {row[1]}"
        )

    @property
    def names(self) -> list[str]:
        return list(self._created)

    def _tell_janitor(self, name: str, oid: int) -> None:
        """Start the janitor with the first database; tell it each one (it outlives a SIGKILL)."""
        if self._janitor is None or self._janitor.poll() is not None:
            self._janitor = subprocess.Popen(
                [sys.executable, "-m", "equivalence_tests.harness.janitor"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=Path(__file__).resolve().parents[2],
                start_new_session=True,  # the terminal's Ctrl-C must not reach the safety net
            )
            self._janitor_send({"admin_url": self.admin_url, "marker": self.marker})
        self._janitor_send({"name": name, "oid": oid})

    def _janitor_send(self, message: dict[str, object]) -> None:
        assert self._janitor is not None and self._janitor.stdin is not None
        with contextlib.suppress(OSError):
            self._janitor.stdin.write(json.dumps(message).encode() + b"\n")
            self._janitor.stdin.flush()

    def release(self) -> None:
        """The run is over: let the janitor go and drop the liveness lock."""
        if self._janitor is not None:
            if self._janitor.stdin is not None:
                with contextlib.suppress(OSError):
                    self._janitor.stdin.close()
            # Not waited for: with the server down it keeps trying for a while, on its own.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._janitor.wait(0.5)
            self._janitor = None
        if self._alive is not None:
            with contextlib.suppress(psycopg2.Error):
                self._alive.close()
            self._alive = None

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
        if not self.marker:
            self.hold_liveness_lock()
        name = f"wb_{self.run_id}_{label}"
        if len(name) > _MAX_NAME:
            raise ValueError(f"database name {name} is longer than {_MAX_NAME} characters")
        ident = sql.Identifier(name)
        # A Ctrl-C between CREATE and COMMENT would leave a database without its mark, which
        # neither the janitor nor a later run may drop: such signals wait until it is marked.
        deferred = {signal.SIGINT, signal.SIGTERM}
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, deferred)
        try:
            return self._create_marked(name, ident)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _create_marked(self, name: str, ident: sql.Identifier) -> str:
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
            self._tell_janitor(name, int(row[0]))
            cur.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(ident))
        return with_database(self.admin_url, name)

    def drop_all(self) -> None:
        """Drop what this object created, if each is still ours; report any it had to leave."""
        if not self._created:
            self.release()
            return
        left: list[str] = []
        try:
            with self._admin() as conn, conn.cursor() as cur:
                for name, oid in list(self._created.items()):
                    del self._created[name]
                    try:
                        problem = drop_if_marked(cur, name, oid, self.marker)
                    except psycopg2.Error as exc:
                        problem = first_line(exc)
                    if problem:
                        left.append(f"{name} ({problem})")
        except ProvisioningError as unreachable:
            names = ", ".join(self._created)
            self._created.clear()
            self.release()
            raise ProvisioningError(
                f"could not drop {names}: {unreachable}; they stay on that server until a "
                "later run (which drops leftovers whose run is gone) or you drop them"
            ) from None
        self.release()
        if left:
            raise ProvisioningError(
                f"left database(s) in place on {mask_password(self.admin_url)}: "
                f"{'; '.join(left)}; check them and drop them by hand if they are yours"
            )


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


def drop_if_marked(cur: cursor, name: str, oid: int | None, marker: str) -> str:
    """Drop `name` if it still is the database we mean (its OID, when known, and its exact
    mark); else say why it was left. Connected clients are terminated first."""
    cur.execute(
        "SELECT oid, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        (name,),
    )
    row = cur.fetchone()
    if row is None:
        return ""  # already gone: nothing of ours left to drop
    if row[1] != marker or (oid is not None and int(row[0]) != oid):
        return "no longer carries this run's marker"
    cur.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )
    force = " WITH (FORCE)" if cur.connection.server_version >= 130000 else ""
    cur.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)) + sql.SQL(force))
    return ""


@dataclass(frozen=True)
class Leftover:
    """A database a workbench run created and did not drop."""

    name: str
    run_id: str
    action: str  # "dropped" or why it was left


def sweep_leftovers(admin_url: str) -> list[Leftover]:
    """Find databases of workbench runs that are gone, and drop them.

    Only a database whose mark is this workbench's, whose name is `wb_<that run>_...`, and whose
    run's liveness lock can be taken (so no live session holds it) is dropped. A look-alike is
    never touched or listed; a marked database whose lock lives elsewhere is left and listed.
    """
    found: list[Leftover] = []
    try:
        conn = psycopg2.connect(admin_url, connect_timeout=10)
    except psycopg2.Error as exc:
        raise ProvisioningError(
            f"cannot connect to {mask_password(admin_url)}: {first_line(exc)}"
        ) from None
    conn.autocommit = True
    with contextlib.closing(conn), conn.cursor() as cur:
        cur.execute("SELECT datname, oid, shobj_description(oid, 'pg_database') "
                    "FROM pg_database WHERE datname LIKE 'wb\\_%%' ORDER BY datname")
        for name, oid, marker in cur.fetchall():
            mark = _MARK.fullmatch(marker or "")
            if mark is None or not name.startswith(f"wb_{mark['run']}_"):
                continue  # not ours: never touched, whatever its name says
            if (int(mark["cls"]), int(mark["key"])) != (LOCK_CLASS, lock_key(mark["run"])):
                continue
            if mark["db"] != conn.info.dbname:
                found.append(Leftover(name, mark["run"], f"left: its run's lock is in database "
                                      f"{mark['db']}; run with that database in the URL"))
                continue
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, lock_key(mark["run"])))
            row = cur.fetchone()
            if not (row and row[0]):
                continue  # its run is alive
            try:
                problem = drop_if_marked(cur, name, int(oid), marker)
            except psycopg2.Error as exc:
                problem = first_line(exc)
            finally:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)",
                            (LOCK_CLASS, lock_key(mark["run"])))
            found.append(Leftover(name, mark["run"], f"left: {problem}" if problem else "dropped"))
    return found

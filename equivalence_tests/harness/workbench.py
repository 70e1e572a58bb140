"""One running workbench: a PostgreSQL server, a database per side, a worker per side."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg2
from hypothesis import strategies as st

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.errors import (
    SchemaError,
    ServerLost,
    WorkbenchError,
    WorkerError,
)
from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.service import Service
from equivalence_tests.domain.verdict import Observation
from equivalence_tests.harness.compare import SchemaFacts
from equivalence_tests.harness.databases import OwnedDatabases, sweep_leftovers
from equivalence_tests.harness.server import URL_VAR, mask_password, postgres_server
from equivalence_tests.harness.state import Database, wait_for_server
from equivalence_tests.harness.workers import Side, Worker
from equivalence_tests.schema import derive
from equivalence_tests.schema.catalog import Catalog
from equivalence_tests.schema.reset import RefusalTally, refused_rows
from shared_schema import protocol
from shared_schema.values import encode


def sides_from_environment(environ: dict[str, str] | None = None) -> tuple[Side, Side]:
    """The nox session says where each side's interpreter is; without nox there is none."""
    environ = dict(os.environ if environ is None else environ)
    try:
        return (
            Side("legacy_14", environ["WORKBENCH_LEGACY_ENV"], environ["WORKBENCH_LEGACY_PYTHON"]),
            Side("modern_20", environ["WORKBENCH_MODERN_ENV"], environ["WORKBENCH_MODERN_PYTHON"]),
        )
    except KeyError as missing:
        raise WorkerError(f"{missing.args[0]} is not set: run the workbench through nox "
                          "(`python3 run_nox.py -s equivalence`), which builds both sides",
                          ) from None


# Which sides an observation runs on, as indices into `databases` and `workers`.
BOTH = (0, 1)
CONTROL = (0,)  # the legacy side alone: the control asked again


@dataclass
class Workbench:
    """Runs the same call on both sides from the same database state, and reads what it did."""

    databases: tuple[Database, Database]
    workers: tuple[Worker, Worker]
    service: Service
    threads: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(2))
    broken: Exception | None = None  # once a worker or a reset failed, nothing is trusted
    owned: OwnedDatabases | None = None
    where: str = "the throwaway PostgreSQL"  # the server, as a person would name it
    notes: list[str] = field(default_factory=list)  # what a person must hear at the end
    _datasets: dict[tuple[str, ...], st.SearchStrategy[Dataset]] = field(default_factory=dict)
    refusals: RefusalTally = field(default_factory=RefusalTally)  # rows the schema refused
    _facts: SchemaFacts | None = None
    held: list[int] = field(default_factory=lambda: [0, 0])  # calls that left a connection held

    def admissible(self, dataset: Dataset) -> Dataset:
        """The dataset without the rows the database refuses (a CHECK the strategy could not
        read, a trigger): tried row by row in a rolled-back transaction, and tallied."""
        kept, refused = refused_rows(self.databases[0].conn, self.catalog, dataset)
        self.refusals.record(dataset, refused)
        return kept

    @property
    def catalog(self) -> Catalog:
        return self.databases[0].catalog

    @property
    def facts(self) -> SchemaFacts:
        """Read once per service. The server may restart before the first example, as during
        one: then this reconnects as an example would."""
        if self._facts is None:
            try:
                with self.databases[0].connection_kept():
                    self._facts = SchemaFacts.of(self.catalog,
                                                 self.databases[0].constant_defaults())
            except ServerLost as lost:
                self._recover(lost)
                self._facts = SchemaFacts.of(self.catalog, self.databases[0].constant_defaults())
        return self._facts

    def datasets(self, rich: tuple[str, ...] = ()) -> st.SearchStrategy[Dataset]:
        """Datasets derived from this service's schema (read from the database's catalog)."""
        if rich not in self._datasets:
            self._datasets[rich] = derive.datasets(
                self.catalog, rich=rich, hints=self.service.hints)
        return self._datasets[rich]

    @property
    def versions(self) -> tuple[str, str]:
        return self.workers[0].hello["sqlalchemy"], self.workers[1].hello["sqlalchemy"]

    def observe(self, pair: Pair, dataset: Dataset, args: dict[str, Any],
                sides: tuple[int, ...] = BOTH, keep_parameters: bool = False,
                ) -> list[Observation]:
        """Reset the chosen sides to `dataset`, call the pair there at once, collect answers."""
        return [calls[0] for calls in self.observe_calls(pair, dataset, [args], sides,
                                                         keep_parameters)]

    def observe_calls(self, pair: Pair, dataset: Dataset, calls: list[dict[str, Any]],
                      sides: tuple[int, ...] = BOTH, keep_parameters: bool = False,
                      ) -> list[list[Observation]]:
        """Each call from `dataset`, on the chosen sides: per side, an observation per call.
        Calls that only read share one reset and one message per side; after a call that may
        have changed the data, the next one starts from a new reset. After a crashed worker or
        a blocked reset every later call fails at once with that error: replies may be out of
        step, and Hypothesis's retries must not wait again."""
        if self.broken is not None:
            raise self.broken
        try:
            try:
                return self._checked(pair, dataset, calls, sides, keep_parameters)
            except (ServerLost, WorkerError) as error:
                # A worker failing outside the function (closing a session on a dead
                # connection) may be the server's fault too: ask the server ourselves.
                lost = error if isinstance(error, ServerLost) else self._server_lost()
                if lost is None:
                    raise
                # The server restarted (or went away): the example proves nothing. Reconnect
                # once where it comes back, with fresh workers, and run the example again.
                self._recover(lost)
                return self._checked(pair, dataset, calls, sides, keep_parameters)
        except WorkbenchError as error:  # nothing later is trusted
            self.broken = error
            raise

    def _checked(self, pair: Pair, dataset: Dataset, calls: list[dict[str, Any]],
                 sides: tuple[int, ...], keep_parameters: bool) -> list[list[Observation]]:
        """Observe; an error that may be the connection's (not the function's) is checked by
        asking the server ourselves: if it is gone, that is no outcome of the function."""
        observations = self._observe(pair, dataset, calls, sides, keep_parameters)
        if any(_maybe_connection_lost(o.outcome) for side in observations for o in side):
            for i in sides:
                self.databases[i].probe()
        return observations

    def _server_lost(self) -> ServerLost | None:
        try:
            for database in self.databases:
                database.probe()
        except ServerLost as lost:
            return lost
        return None

    def _recover(self, lost: ServerLost) -> None:
        left = ", ".join(self.owned.names) if self.owned else "its databases"
        if not wait_for_server(self.databases[0].url):
            raise ServerLost(
                f"PostgreSQL ({self.where}) went away ({lost}) and did not come back within "
                f"30 s; left there: {left} (a later run on that server drops them)") from None
        if self.owned is not None:
            self.owned.hold_liveness_lock()
        for database in self.databases:
            database.reconnect()
        self.workers = (self.workers[0].restart(), self.workers[1].restart())
        self.notes.append(f"PostgreSQL ({self.where}) restarted during the run ({lost}); "
                          "reconnected, restarted both workers and repeated that example")

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()

    def leaked_transactions(self) -> list[str]:
        """Sides whose code left a transaction open after any of their calls since this was
        last asked (a module-level session, say): each reset notes whether the call before it
        did, and this asks once more for the last call. While the pair runs, such a
        transaction stays open from one call into the next, as in the long-lived process the
        code runs in (same session, same transaction, the same identity map); the worker is
        then restarted, so that the next pair does not run beside it or its locks."""
        leaked = []
        for i, database in enumerate(self.databases):
            # All asked, always: the counts noted at resets and by the workers (a call that
            # left a connection held, the next call of its example then in the same
            # transaction) are forgotten here.
            held, self.held[i] = self.held[i], 0
            if held + database.take_left_open() + database.count_idle_in_transaction():
                replacement = self.workers[i].restart()
                self.workers = ((replacement, self.workers[1]) if i == 0
                                else (self.workers[0], replacement))
                leaked.append(replacement.side.package)
        return leaked

    def _observe(self, pair: Pair, dataset: Dataset, calls: list[dict[str, Any]],
                 sides: tuple[int, ...], keep_parameters: bool) -> list[list[Observation]]:
        """Every call from `dataset`: reset, send the calls left; each side runs them up to
        its first that may change the data; the calls both ran are compared; again."""
        script = self.databases[0].reset_script(dataset)
        targets = (pair.legacy, pair.modern)
        observed: list[list[Observation]] = [[] for _ in sides]
        left = [encode(args) for args in calls]

        def run(batch: list[Any]) -> list[list[protocol.Message]]:
            def start(i: int) -> None:
                self.databases[i].reset(script)
                self.workers[i].start_calls(targets[i], batch, loads=pair.loads,
                                            commit=pair.commit, database=self.service.database,
                                            keep_parameters=keep_parameters)

            # Each side resets and starts in its own thread (psycopg2 releases the GIL), so
            # the two sides overlap; the workers' answers are then read in order.
            for future in [self.threads.submit(start, i) for i in sides]:
                future.result()
            return [self.workers[i].results() for i in sides]

        while left:
            replies = run(left)
            ran = min(len(results) for results in replies)  # the calls every side ran
            while any(not all(protocol.read_only(r["sql"]) for r in results[ran:])
                      for results in replies):
                # A side went on past the call where the other stopped, and may have written
                # since: its tables are not those after the calls compared. Make only those.
                replies = run(left[:ran])
                ran = min(len(results) for results in replies)
            # Only the last of them may have written. Tables are compared after any call that
            # wrote, on either side: decided by what was executed, not by a flag to remember.
            wrote = pair.writes or any(writes(results[ran - 1]["sql"]) for results in replies)
            states = list(self.threads.map(lambda i: self.databases[i].snapshot(), sides)
                          ) if wrote else [None for _ in sides]
            for i, results in zip(sides, replies, strict=True):
                self.held[i] += sum(bool(reply.get("held")) for reply in results)
            for kept, state, results in zip(observed, states, replies, strict=True):
                kept += [Observation(reply["outcome"], reply["sql"], reply["warnings"],
                                     state if n == ran - 1 else None, reply.get("executed"),
                                     reply.get("seconds"))
                         for n, reply in enumerate(results[:ran])]
            left = left[ran:]
        return observed


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|COMMENT|"
                    r"GRANT|REVOKE|COPY)\b|\b(INSERT\s+INTO|DELETE\s+FROM)\b", re.I)


def writes(statements: list[str]) -> bool:
    """Whether any statement changed data or schema (a SELECT nextval() does not count)."""
    return any(_WRITE.search(statement) for statement in statements)


def _maybe_connection_lost(outcome: Any) -> bool:
    """An error a lost connection would give (SQLSTATE class 08 or 57P, or none at all)."""
    if not (isinstance(outcome, dict) and "$error" in outcome):
        return False
    state = outcome.get("sqlstate") or ""
    return state[:2] == "08" or state[:3] == "57P" or (
        not state and outcome["$error"] in ("OperationalError", "InterfaceError", "DBAPIError"))


@dataclass
class Lab:
    """A server for a run, and the databases this run owns there."""

    owned: OwnedDatabases
    where: str
    notes: list[str]


@contextlib.contextmanager
def provision() -> Iterator[Lab]:
    """A server (the user's, after sweeping dead runs' leftovers, or a throwaway one) and the
    run's owned databases, taken down at exit (only what was created here)."""
    notes: list[str] = []
    with contextlib.ExitStack() as stack:
        admin_url = stack.enter_context(postgres_server())
        where = "the throwaway PostgreSQL"
        if os.environ.get(URL_VAR, "").strip():
            where = mask_password(admin_url)
            for leftover in sweep_leftovers(admin_url):
                notes.append(f"leftover {leftover.name} of run {leftover.run_id}, which is gone: "
                             f"{leftover.action}")
        owned = stack.enter_context(OwnedDatabases(admin_url))
        yield Lab(owned, where, notes)


@contextlib.contextmanager
def open_service(lab: Lab, service: Service, sides: tuple[Side, Side] | None = None,
                 labels: tuple[str, str] | None = None) -> Iterator[Workbench]:
    """The service's two databases (its schema created identically on both with plain SQL)
    and a worker per side on them; stopped (the databases stay until the run ends)."""
    legacy, modern = sides or sides_from_environment()
    with contextlib.ExitStack() as stack:
        databases = []
        for label in labels or (legacy.package, modern.package):
            database = Database(lab.owned.create(f"{service.name}_{label}"))
            stack.callback(database.close)
            databases.append(database)
        workers = [Worker(legacy, databases[0].url)]
        stack.callback(workers[0].stop)
        ddl = _schema_ddl(service, workers[0])
        for database in databases:
            try:
                database.create_schema(ddl)
            except psycopg2.Error as error:
                raise SchemaError(f"service {service.name}: its schema ({service.ddl_source}) "
                                  f"failed: {str(error).strip().splitlines()[0]}") from None
        workers.append(Worker(modern, databases[1].url))
        stack.callback(workers[1].stop)
        bench = Workbench((databases[0], databases[1]), (workers[0], workers[1]), service,
                          owned=lab.owned, where=lab.where, notes=lab.notes)
        stack.callback(bench.threads.shutdown)
        stack.callback(bench.stop_workers)  # the current ones: restarts replace them
        yield bench


def _schema_ddl(service: Service, legacy: Worker) -> str:
    """The service's .sql file, else its legacy models' DDL as 1.4 emits it."""
    if service.schema is not None:
        return service.schema.read_text()
    assert service.models is not None
    return ";\n".join(legacy.ddl(service.models)) + ";"


@contextlib.contextmanager
def open_workbench(service: Service, sides: tuple[Side, Side] | None = None,
                   ) -> Iterator[Workbench]:
    """Provision everything for one service, yield, take it all down."""
    with provision() as lab, open_service(lab, service, sides) as bench:
        yield bench

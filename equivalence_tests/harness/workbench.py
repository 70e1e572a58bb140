"""One running workbench: a PostgreSQL server, a database per side, a worker per side."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from equivalence_tests.harness.compare import Observation
from equivalence_tests.harness.databases import OwnedDatabases, sweep_leftovers
from equivalence_tests.harness.server import URL_VAR, mask_password, postgres_server
from equivalence_tests.harness.state import (
    Database,
    Dataset,
    ResetBlocked,
    ServerLost,
    reset_script,
    wait_for_server,
)
from equivalence_tests.harness.workers import Side, Worker, WorkerError
from equivalence_tests.registry import Pair
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


@dataclass
class Workbench:
    """Runs the same call on both sides from the same database state, and reads what it did."""

    databases: tuple[Database, Database]
    workers: tuple[Worker, Worker]
    threads: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(2))
    broken: Exception | None = None  # once a worker or a reset failed, nothing is trusted
    owned: OwnedDatabases | None = None
    where: str = "the throwaway PostgreSQL"  # the server, as a person would name it
    notes: list[str] = field(default_factory=list)  # what a person must hear at the end

    @property
    def versions(self) -> tuple[str, str]:
        return self.workers[0].hello["sqlalchemy"], self.workers[1].hello["sqlalchemy"]

    def observe(self, pair: Pair, dataset: Dataset, args: dict[str, Any],
                sides: tuple[int, ...] = (0, 1), keep_parameters: bool = False,
                ) -> list[Observation]:
        """Reset the chosen sides to `dataset`, call the pair there at once, collect answers.
        After a crashed worker or a blocked reset every later call fails at once with that
        error: replies may be out of step, and Hypothesis's retries must not wait again."""
        if self.broken is not None:
            raise self.broken
        try:
            try:
                return self._checked(pair, dataset, args, sides, keep_parameters)
            except (ServerLost, WorkerError) as error:
                # A worker failing outside the function (closing a session on a dead
                # connection) may be the server's fault too: ask the server ourselves.
                lost = error if isinstance(error, ServerLost) else self._server_lost()
                if lost is None:
                    raise
                # The server restarted (or went away): the example proves nothing. Reconnect
                # once where it comes back, with fresh workers, and run the example again.
                self._recover(lost)
                return self._checked(pair, dataset, args, sides, keep_parameters)
        except (WorkerError, ResetBlocked, ServerLost) as error:
            self.broken = error
            raise

    def _checked(self, pair: Pair, dataset: Dataset, args: dict[str, Any],
                 sides: tuple[int, ...], keep_parameters: bool) -> list[Observation]:
        """Observe; an error that may be the connection's (not the function's) is checked by
        asking the server ourselves: if it is gone, that is no outcome of the function."""
        observations = self._observe(pair, dataset, args, sides, keep_parameters)
        if any(_maybe_connection_lost(o.outcome) for o in observations):
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
        """Sides whose code left a transaction open after its calls (a module-level session,
        say). Such a worker is restarted, so that the next pair does not run beside it."""
        leaked = []
        for i, database in enumerate(self.databases):
            if database.count_idle_in_transaction():
                replacement = self.workers[i].restart()
                self.workers = ((replacement, self.workers[1]) if i == 0
                                else (self.workers[0], replacement))
                leaked.append(replacement.side.package)
        return leaked

    def _observe(self, pair: Pair, dataset: Dataset, args: dict[str, Any],
                 sides: tuple[int, ...], keep_parameters: bool) -> list[Observation]:
        script = reset_script(self.databases[0].conn, dataset)
        targets = (pair.legacy, pair.modern)

        def start(i: int) -> None:
            self.databases[i].reset(script)
            self.workers[i].send({"op": "call", "target": targets[i], "args": encode(args),
                                  "loads": list(pair.loads), "commit": pair.commit,
                                  "keep_parameters": keep_parameters})

        # Each side resets and starts in its own thread (psycopg2 releases the GIL), so the
        # two sides overlap; the workers' answers are then read in order.
        for future in [self.threads.submit(start, i) for i in sides]:
            future.result()
        observations = []
        for i in sides:
            reply = self.workers[i].receive()
            state = self.databases[i].snapshot() if pair.writes else None
            observations.append(Observation(reply["outcome"], reply["sql"], reply["warnings"],
                                            state, reply.get("executed")))
        return observations


def _maybe_connection_lost(outcome: Any) -> bool:
    """An error a lost connection would give (SQLSTATE class 08 or 57P, or none at all)."""
    if not (isinstance(outcome, dict) and "$error" in outcome):
        return False
    state = outcome.get("sqlstate") or ""
    return state[:2] == "08" or state[:3] == "57P" or (
        not state and outcome["$error"] in ("OperationalError", "InterfaceError", "DBAPIError"))


@contextlib.contextmanager
def open_workbench(sides: tuple[Side, Side] | None = None) -> Iterator[Workbench]:
    """Provision everything, yield, and take it all down again (only what was created here)."""
    legacy, modern = sides or sides_from_environment()
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
        databases = []
        for side in (legacy, modern):
            database = Database(owned.create(side.package))
            stack.callback(database.close)
            database.create_schema()
            databases.append(database)
        workers = []
        for side, database in zip((legacy, modern), databases, strict=True):
            worker = Worker(side, database.url)
            stack.callback(worker.stop)
            workers.append(worker)
        bench = Workbench((databases[0], databases[1]), (workers[0], workers[1]),
                          owned=owned, where=where, notes=notes)
        stack.callback(bench.threads.shutdown)
        stack.callback(bench.stop_workers)  # the current ones: restarts replace them
        yield bench

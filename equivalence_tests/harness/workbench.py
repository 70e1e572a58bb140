"""One running workbench: a PostgreSQL server, a database per side, a worker per side."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from equivalence_tests.harness.compare import Observation
from equivalence_tests.harness.databases import OwnedDatabases
from equivalence_tests.harness.server import postgres_server
from equivalence_tests.harness.state import Database, Dataset, ResetBlocked, reset_script
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
            return self._observe(pair, dataset, args, sides, keep_parameters)
        except (WorkerError, ResetBlocked) as error:
            self.broken = error
            raise

    def leaked_transactions(self) -> list[str]:
        """Sides whose code left a transaction open after its calls (a module-level session,
        say). Such a worker is restarted, so that the next pair does not run beside it."""
        leaked = []
        for i, database in enumerate(self.databases):
            with database.conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND state LIKE 'idle in transaction%%'")
                row = cur.fetchone()
            if row and row[0]:
                worker = self.workers[i]
                worker.stop()
                replacement = Worker(worker.side, database.url)
                self.workers = ((replacement, self.workers[1]) if i == 0
                                else (self.workers[0], replacement))
                leaked.append(worker.side.package)
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


@contextlib.contextmanager
def open_workbench(sides: tuple[Side, Side] | None = None) -> Iterator[Workbench]:
    """Provision everything, yield, and take it all down again (only what was created here)."""
    legacy, modern = sides or sides_from_environment()
    with contextlib.ExitStack() as stack:
        admin_url = stack.enter_context(postgres_server())
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
        bench = Workbench((databases[0], databases[1]), (workers[0], workers[1]))
        stack.callback(bench.threads.shutdown)
        yield bench

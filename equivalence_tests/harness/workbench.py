"""One running workbench: a PostgreSQL server, a database per side, a worker per side."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from equivalence_tests.harness.compare import Observation
from equivalence_tests.harness.databases import OwnedDatabases
from equivalence_tests.harness.server import postgres_server
from equivalence_tests.harness.state import Database, Dataset, reset_script
from equivalence_tests.harness.workers import Side, Worker, WorkerError
from equivalence_tests.registry import Pair


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
                          "(`python3 run_nox.py -s equivalence`), which builds both sides") from None


@dataclass
class Workbench:
    """Runs the same call on both sides from the same database state, and reads what it did."""

    databases: tuple[Database, Database]
    workers: tuple[Worker, Worker]

    @property
    def versions(self) -> tuple[str, str]:
        return self.workers[0].hello["sqlalchemy"], self.workers[1].hello["sqlalchemy"]

    def observe(self, pair: Pair, dataset: Dataset, args: dict[str, Any],
                sides: tuple[int, ...] = (0, 1)) -> list[Observation]:
        """Reset the chosen sides to `dataset`, call the pair there at once, collect answers."""
        script = reset_script(self.databases[0].conn, dataset)
        for i in sides:
            self.databases[i].reset(script)
        targets = (pair.legacy, pair.modern)
        for i in sides:
            self.workers[i].send({"op": "call", "target": targets[i], "args": args,
                                  "loads": list(pair.loads), "commit": pair.commit})
        observations = []
        for i in sides:
            reply = self.workers[i].receive()
            state = self.databases[i].snapshot() if pair.writes else None
            observations.append(Observation(reply["outcome"], reply["sql"], reply["warnings"],
                                            state))
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
        for side, database in zip((legacy, modern), databases):
            worker = Worker(side, database.url)
            stack.callback(worker.stop)
            workers.append(worker)
        yield Workbench((databases[0], databases[1]), (workers[0], workers[1]))

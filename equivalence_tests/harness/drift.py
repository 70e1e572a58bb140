"""The driver's side of schema drift: ask a worker to compare a models module with its database
(shared_schema/drift.py runs in the worker, with that side's SQLAlchemy and Alembic), and render
each difference as one line naming the side, the table and the column."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from equivalence_tests.harness.workers import Worker

Difference = dict[str, Any]


def schema_drift(worker: Worker, models: str, metadata: str = "Base.metadata") -> list[Difference]:
    """The differences between `models` (e.g. 'legacy_14.models') and the worker's database,
    sorted by table, column and kind. An unknown module or attribute is a WorkerError."""
    return worker.drift(models, metadata)


def blockers(differences: Iterable[Difference]) -> list[Difference]:
    """The differences that block a step (everything not marked informational)."""
    return [difference for difference in differences if not difference.get("info")]


def drift_lines(side: str, differences: Iterable[Difference]) -> list[str]:
    """One line per difference, blockers first:
    'drift legacy_14 users.name: models NOT NULL, database NULL (modify_nullable) -- <note>'."""
    ordered = sorted(differences, key=lambda d: bool(d.get("info")))
    return [_line(side, difference) for difference in ordered]


def _line(side: str, difference: Difference) -> str:
    where = str(difference.get("table") or "?")
    if difference.get("column"):
        where += f".{difference['column']}"
    label = "drift (info)" if difference.get("info") else "drift"
    models = difference.get("models")
    database = difference.get("database")
    line = (f"{label} {side} {where}: models {_shown(models)}, database {_shown(database)} "
            f"({difference.get('kind')})")
    if difference.get("note"):
        line += f" -- {difference['note']}"
    return " ".join(line.split())  # one line, whatever the values hold


def _shown(value: object) -> str:
    return "(nothing)" if value is None else str(value)

"""`nox -s bench`: examples per second per pair, against a plain psycopg2 baseline.

The baseline is measured in the same run on the same examples: for each example the harness
ran, a plain psycopg2 loop does the same reset of both databases and executes the same SQL
(with the same parameters) each side emitted. The ratio harness/baseline is what the
workbench adds: Hypothesis, the protocol, SQLAlchemy itself, the canonical form, comparing.
Also measured: the reset strategies (DELETE vs TRUNCATE), to keep the choice honest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

import psycopg2
import psycopg2.extensions
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

import equivalence_tests.pairs  # noqa: F401  (registers the pairs)
from equivalence_tests.harness.check import check
from equivalence_tests.harness.state import Database, Dataset
from equivalence_tests.harness.workbench import Workbench, open_workbench
from equivalence_tests.registry import PAIRS, Pair
from shared_schema.values import decode

Example = tuple[Dataset, dict[str, Any], list[list[Any]], list[list[Any]]]


def run_harness(bench: Workbench, pair: Pair, examples: int) -> tuple[float, list[Example]]:
    """Seconds per example of the real harness, and the examples it ran (with their SQL)."""
    seen: list[Example] = []
    observe = bench.observe

    def recording(pair: Pair, dataset: Dataset, args: dict[str, Any], **kw: Any) -> Any:
        legacy, modern = observe(pair, dataset, args, keep_parameters=True)
        seen.append((dataset, args, legacy.executed or [], modern.executed or []))
        return [legacy, modern]

    bench.observe = recording  # type: ignore[method-assign, assignment]
    search = {"database": None, "phases": [Phase.generate],
              "suppress_health_check": list(HealthCheck)}
    try:
        check(pair, bench, max_examples=5, **search)  # warm-up: imports, first connections
        seen.clear()
        started = time.perf_counter()
        verdict = check(pair, bench, max_examples=examples, **search)
        elapsed = time.perf_counter() - started
    finally:
        bench.observe = observe  # type: ignore[method-assign]
    if not verdict.ok:
        sys.exit(f"bench: {pair.name} is {verdict.status}; benchmark equivalent pairs only")
    return elapsed / max(len(seen), 1), seen


def generation_only(pair: Pair, examples: int, datasets: st.SearchStrategy[Dataset],
                    ) -> float:
    """Seconds per example Hypothesis spends drawing this pair's datasets and arguments alone."""
    drawn = 0

    @settings(max_examples=examples, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        nonlocal drawn
        dataset = data.draw(datasets)
        for argument in pair.args.values():
            data.draw(argument(dataset))
        drawn += 1

    started = time.perf_counter()
    draw()
    return (time.perf_counter() - started) / max(drawn, 1)


def replayable(executed: list[list[Any]]) -> bool:
    return all("$1" not in statement for statement, _, _ in executed)


def run_baseline(databases: tuple[Database, Database], seen: list[Example]) -> float:
    """Seconds per example of the same resets and the same SQL through plain psycopg2: one
    transaction per call, as SQLAlchemy runs it; a statement that fails ends the call."""
    sessions = [psycopg2.connect(database.url) for database in databases]
    try:
        started = time.perf_counter()
        for dataset, _, legacy_sql, modern_sql in seen:
            script = databases[0].reset_script(dataset)
            for database, conn, executed in zip(databases, sessions, (legacy_sql, modern_sql),
                                                strict=True):
                database.reset(script)
                replay(conn, executed)
        return (time.perf_counter() - started) / max(len(seen), 1)
    finally:
        for conn in sessions:
            conn.close()


def replay(conn: psycopg2.extensions.connection, executed: list[list[Any]]) -> None:
    try:
        with conn.cursor() as cur:
            for statement, params, many in executed:
                values = decode(params)
                if many and isinstance(values, list):
                    cur.executemany(statement, values)
                else:
                    cur.execute(statement, values)
                if cur.description is not None:
                    cur.fetchall()
        conn.commit()
    except psycopg2.Error:
        conn.rollback()


def reset_costs(database: Database, seen: list[Example]) -> dict[str, float]:
    """Milliseconds per reset for each strategy, on the same datasets."""
    tables = ", ".join(f'"{name}"' for name in database.catalog.names)
    truncate = f"TRUNCATE {tables} RESTART IDENTITY CASCADE;".encode()
    costs = {}
    for name, prefix in (("DELETE + setval (used)", b""), ("TRUNCATE RESTART IDENTITY", truncate)):
        started = time.perf_counter()
        for dataset, *_ in seen:
            database.reset(prefix + database.reset_script(dataset))
        costs[name] = (time.perf_counter() - started) / max(len(seen), 1) * 1000
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--pair", action="append", default=[])
    options = parser.parse_args()
    names = options.pair or [n for n, p in PAIRS.items() if not p.known]
    unknown = [n for n in names if n not in PAIRS]
    if unknown:
        sys.exit(f"bench: unknown pair {', '.join(unknown)}; registered: {', '.join(PAIRS)}")
    console = Console(width=120)
    table = Table(title=f"Examples per second ({options.examples} examples per pair)")
    for column in ("pair", "harness ms/ex", "harness ex/s", "of which drawing data",
                   "baseline ms/ex", "ratio", "ratio without drawing"):
        table.add_column(column, justify="right" if column != "pair" else "left")
    ratios: list[float] = []
    rest: list[float] = []
    with open_workbench() as bench:
        legacy_version, modern_version = bench.versions
        resets: dict[str, float] = {}
        for name in names:
            per_example, seen = run_harness(bench, PAIRS[name], options.examples)
            drawing = generation_only(PAIRS[name], options.examples,
                                      bench.datasets(PAIRS[name].rich))
            cells = ["n/a (asyncpg SQL)", "-", "-"]
            if all(replayable(m) for *_, m in seen):
                baseline = run_baseline(bench.databases, seen)
                ratios.append(per_example / baseline)
                rest.append(max(per_example - drawing, 0.0) / baseline)
                cells = [f"{baseline * 1000:.2f}", f"{ratios[-1]:.1f}x", f"{rest[-1]:.1f}x"]
            table.add_row(name, f"{per_example * 1000:.2f}", f"{1 / per_example:.0f}",
                          f"{drawing * 1000:.2f}", *cells)
            if not resets:
                resets = reset_costs(bench.databases[0], seen)
    console.print(table)
    if ratios:
        console.print(f"SQLAlchemy {legacy_version} vs {modern_version}; median ratio "
                      f"{statistics.median(ratios):.1f}x, without Hypothesis drawing the data "
                      f"{statistics.median(rest):.1f}x")
    console.print("reset per example: " + ", ".join(f"{k} {v:.2f} ms" for k, v in resets.items()))


if __name__ == "__main__":
    main()

"""`nox -s bench`: examples per second per pair, against a plain psycopg2 baseline.

The baseline is measured in the same run on the same examples: for each example the harness
ran, a plain psycopg2 loop does the same reset of both databases and executes the same SQL
(with the same parameters) each side emitted. The ratio harness/baseline is what the
workbench adds: Hypothesis, the protocol, SQLAlchemy itself, the canonical form, comparing.
Also measured: the reset strategies (DELETE vs TRUNCATE), to keep the choice honest;
`--profile` shows where the driver's and each worker's time goes, `--wall` times the main job
and the tests as a user runs them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from equivalence_tests import runner
from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.verdict import Observation
from equivalence_tests.harness.search import CALLS_PER_DATASET, calls_per_dataset
from equivalence_tests.harness.state import Database
from equivalence_tests.harness.workbench import BOTH, Workbench, open_workbench
from equivalence_tests.profiling import Profiles, profiled
from equivalence_tests.registry import PAIRS
from equivalence_tests.runner import check, demo
from shared_schema.values import decode

# One example as the harness ran it: its dataset, and per compared call the arguments and the
# SQL each side executed (with parameters), which the baseline replays.
Call = tuple[dict[str, Any], list[list[Any]], list[list[Any]]]
Example = tuple[Dataset, list[Call]]
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Measured:
    """The real harness on one pair: seconds per example and per compared call."""

    seconds: float
    examples: list[Example]

    @property
    def calls(self) -> int:
        return sum(len(calls) for _, calls in self.examples)

    @property
    def per_example(self) -> float:
        return self.seconds / max(len(self.examples), 1)

    @property
    def per_call(self) -> float:
        return self.seconds / max(self.calls, 1)


def run_harness(bench: Workbench, pair: Pair, examples: int) -> Measured:
    """The real harness (`check`, as the main job runs it), recording what it executed."""
    seen: list[Example] = []
    observe_calls = bench.observe_calls

    def recording(pair: Pair, dataset: Dataset, calls: list[dict[str, Any]],
                  sides: tuple[int, ...] = BOTH, keep_parameters: bool = False,
                  ) -> list[list[Observation]]:
        legacy, modern = observe_calls(pair, dataset, calls, sides, keep_parameters=True)
        seen.append((dataset, [(args, left.executed or [], right.executed or [])
                               for args, left, right in zip(calls, legacy, modern,
                                                            strict=False)]))
        return [legacy, modern]

    bench.observe_calls = recording  # type: ignore[method-assign]
    search: dict[str, Any] = {"database": None, "phases": [Phase.generate],
              "suppress_health_check": list(HealthCheck)}
    try:
        check(pair, bench, max_examples=5, **search)  # warm-up: imports, first connections
        seen.clear()
        started = time.perf_counter()
        verdict = check(pair, bench, max_examples=examples, **search)
        elapsed = time.perf_counter() - started
    finally:
        bench.observe_calls = observe_calls  # type: ignore[method-assign]
    if not verdict.ok:
        sys.exit(f"bench: {pair.name} is {verdict.text}; benchmark equivalent pairs only")
    return Measured(elapsed, seen)


def generation_only(pair: Pair, examples: int, bench: Workbench) -> float:
    """Seconds per example Hypothesis spends drawing this pair's datasets and arguments alone."""
    drawn = 0
    datasets = bench.datasets(pair.rich)
    arguments = runner.arguments(pair, bench.catalog)

    @settings(max_examples=examples, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        nonlocal drawn
        dataset = data.draw(datasets)
        one_call = st.fixed_dictionaries({name: arg(dataset) for name, arg in arguments.items()})
        data.draw(st.lists(one_call, min_size=1, max_size=calls_per_dataset(pair, arguments)))
        drawn += 1

    started = time.perf_counter()
    draw()
    return (time.perf_counter() - started) / max(drawn, 1)


def run_baseline(databases: tuple[Database, Database], seen: list[Example]) -> float:
    """Seconds for the same resets and the same SQL through plain psycopg2: per example one
    reset of each database, then each call's statements in one transaction per call, as
    SQLAlchemy runs them; a statement that fails ends the call."""
    sessions = [psycopg2.connect(database.url) for database in databases]
    try:
        started = time.perf_counter()
        for dataset, calls in seen:
            script = databases[0].reset_script(dataset)
            for side, (database, conn) in enumerate(zip(databases, sessions, strict=True)):
                database.reset(script)
                for _args, legacy_sql, modern_sql in calls:
                    replay(conn, (legacy_sql, modern_sql)[side])
        return time.perf_counter() - started
    finally:
        for conn in sessions:
            conn.close()


def replay(conn: psycopg2.extensions.connection, executed: list[list[Any]]) -> None:
    try:
        with conn.cursor() as cur:
            for text, params, many in executed:
                statement, values = pyformat(text, decode(params))
                if many and isinstance(values, list):
                    cur.executemany(statement, values)
                else:
                    cur.execute(statement, values)
                if cur.description is not None:
                    cur.fetchall()
        conn.commit()
    except psycopg2.Error:
        conn.rollback()


def pyformat(statement: str, values: Any) -> tuple[str, Any]:
    """asyncpg's `$1` placeholders as psycopg2's named ones, so async pairs replay too."""
    if not re.search(r"\$\d", statement):
        return statement, values
    named = re.sub(r"\$(\d+)", r"%(p\1)s", statement.replace("%", "%%"))
    if isinstance(values, list) and values and isinstance(values[0], list | tuple):
        return named, [{f"p{i}": v for i, v in enumerate(row, 1)} for row in values]
    return named, {f"p{i}": v for i, v in enumerate(values or (), 1)}


def wall_times(console: Console) -> None:
    """The main job and the tests as a user runs them, warm (environments built), and the main
    job cold: a fresh clone of this commit, environments built from uv's cache."""
    # nox itself runs outside this session's environment, as a user would start it.
    ours = str(Path(sys.executable).parent)
    outside = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    outside["PATH"] = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                      if p != ours)
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
              "equivalence_tests/test_equivalence.py"]
    runs = [("main job, warm (-n 0)", pytest, ROOT, dict(os.environ))]
    if importlib.util.find_spec("xdist") is not None:
        runs.append(("main job, warm (-n 2)", [*pytest, "-n", "2"], ROOT, dict(os.environ)))
    runs.append(("tests session, warm", ["python3", "run_nox.py", "-s", "tests"], ROOT, outside))
    table = Table(title="Wall times, as a user runs them")
    for column in ("run", "seconds", "exit"):
        table.add_column(column, justify="left" if column == "run" else "right")
    with tempfile.TemporaryDirectory(prefix="wb-cold-") as cold:
        subprocess.run(["git", "clone", "-q", str(ROOT), cold], check=True)
        runs.append(("main job, cold (fresh clone)",
                     ["python3", "run_nox.py", "-s", "equivalence"], Path(cold), outside))
        for label, command, cwd, env in runs:
            started = time.perf_counter()
            done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, check=False)
            seconds = time.perf_counter() - started
            console.print(f"wall: {label}: {seconds:.1f} s (exit {done.returncode})")
            table.add_row(label, f"{seconds:.1f}", str(done.returncode))
    console.print(table)


def reset_costs(database: Database, seen: list[Example]) -> dict[str, float]:
    """Milliseconds per reset for each strategy, on the same datasets."""
    tables = ", ".join(f'"{name}"' for name in database.catalog.names)
    truncate = f"TRUNCATE {tables} RESTART IDENTITY CASCADE;".encode()
    costs = {}
    for name, prefix in (("DELETE + setval (used)", b""), ("TRUNCATE RESTART IDENTITY", truncate)):
        started = time.perf_counter()
        for dataset, _ in seen:
            database.reset(prefix + database.reset_script(dataset))
        costs[name] = (time.perf_counter() - started) / max(len(seen), 1) * 1000
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--pair", action="append", default=[])
    parser.add_argument("--profile", action="store_true",
                        help="profile the driver and each worker (times are then inflated)")
    parser.add_argument("--wall", action="store_true",
                        help="also time the main job and the tests as a user runs them")
    options = parser.parse_args()
    names = options.pair or [n for n, p in PAIRS.items() if not p.known]
    unknown = [n for n in names if n not in PAIRS]
    if unknown:
        sys.exit(f"bench: unknown pair {', '.join(unknown)}; registered: {', '.join(PAIRS)}")
    console = Console(width=140)
    with contextlib.ExitStack() as stack:
        profiles = stack.enter_context(profiled()) if options.profile else None
        per_pair(console, names, options.examples, profiles)
    if options.wall:
        wall_times(console)


def per_pair(console: Console, names: list[str], examples: int,
             profiles: Profiles | None) -> None:
    table = Table(title=f"Per compared call ({examples} examples per pair; a read-only "
                        "pair's example compares up to "
                        f"{CALLS_PER_DATASET} calls on one dataset)")
    for column in ("pair", "calls/ex", "harness ms/call", "calls/s", "examples/s",
                   "drawing ms/ex", "baseline ms/call", "ratio", "ratio without drawing"):
        table.add_column(column, justify="right" if column != "pair" else "left")
    ratios: list[float] = []
    rest: list[float] = []
    with open_workbench(demo()) as bench:
        legacy_version, modern_version = bench.versions
        resets: dict[str, float] = {}
        for name in names:
            with profiles.driver() if profiles else contextlib.nullcontext():
                measured = run_harness(bench, PAIRS[name], examples)
            drawing = generation_only(PAIRS[name], examples, bench)
            baseline = run_baseline(bench.databases, measured.examples)
            ratios.append(measured.seconds / baseline)
            rest.append(max(measured.seconds - drawing * len(measured.examples), 0.0)
                        / baseline)
            table.add_row(name, f"{measured.calls / max(len(measured.examples), 1):.1f}",
                          f"{measured.per_call * 1000:.2f}", f"{1 / measured.per_call:.0f}",
                          f"{1 / measured.per_example:.0f}", f"{drawing * 1000:.2f}",
                          f"{baseline / max(measured.calls, 1) * 1000:.2f}",
                          f"{ratios[-1]:.1f}x", f"{rest[-1]:.1f}x")
            if not resets:
                resets = reset_costs(bench.databases[0], measured.examples)
    console.print(table)
    console.print(f"SQLAlchemy {legacy_version} vs {modern_version}; median ratio to the "
                  f"psycopg2 baseline {statistics.median(ratios):.1f}x per compared call, "
                  f"{statistics.median(rest):.1f}x without Hypothesis drawing the data")
    console.print("reset per example: " + ", ".join(f"{k} {v:.2f} ms" for k, v in resets.items()))
    if profiles:
        profiles.show(console)


if __name__ == "__main__":
    main()

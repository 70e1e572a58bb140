"""What drawing one dataset derived from the demo schema's catalog costs (the hand-written
strategies it replaced measured 1.50 ms net per dataset, 2.17 ms with rich order items, on the
day they were replaced). Prints milliseconds per dataset, with Hypothesis's own per-example
overhead (one integer drawn: `st.none()` would stop after one example) shown and subtracted.

    python -m equivalence_tests.dataset_cost [examples]

Uses WORKBENCH_DATABASE_URL's server, else a throwaway one, for a database of its own.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import closing
from typing import Any

import psycopg2
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from equivalence_tests.domain.service import ROOT
from equivalence_tests.harness.databases import OwnedDatabases
from equivalence_tests.harness.server import postgres_server
from equivalence_tests.schema.catalog import read_catalog
from equivalence_tests.schema.derive import datasets


def per_example(strategy: st.SearchStrategy[Any], examples: int) -> float:
    """Seconds per generated example (generation phase only, nothing shrunk or replayed)."""
    calls = 0

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value: Any) -> None:
        nonlocal calls
        calls += 1

    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) / max(calls, 1)


def main(examples: int = 500) -> None:
    with postgres_server(os.environ) as url, OwnedDatabases(url) as owned, closing(
            psycopg2.connect(owned.create("schema_cost"))) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute((ROOT / "shared_schema" / "schema.sql").read_text())
        catalog = read_catalog(conn)
    per_example(st.integers(), examples)  # warm up: the first run pays for imports and caches
    empty = per_example(st.integers(), examples)
    print(f"hypothesis overhead per example: {empty * 1000:.3f} ms ({examples} examples)")
    rows = [
        ("derived: datasets(read_catalog(demo))", datasets(catalog)),
        ("derived: datasets(demo, rich=('order_items',))",
         datasets(catalog, rich=("order_items",))),
    ]
    for label, strategy in rows:
        cost = per_example(strategy, examples)
        print(f"{label:55} {cost * 1000:7.3f} ms/dataset  ({(cost - empty) * 1000:.3f} ms "
              "without the overhead)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)

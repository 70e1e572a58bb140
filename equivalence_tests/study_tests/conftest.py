"""One small study, collected once on the tests' workbench: the known pairs the tests read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from equivalence_tests.domain.pair import Pair
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.registry import pair
from equivalence_tests.study import cli, collect, data

MUTANTS = "equivalence_tests.mutants"
# The N+1 against selectinload, Query.count()'s subquery, .first()'s LIMIT and its async
# migration, a known divergence, and a wrong migration (divergent, with a counterexample).
REGISTERED = ("count_orders_per_user", "count_pending_orders", "get_order_with_product",
              "get_order_with_product (async)", "get_user_with_orders (async, no eager load)")
DIVERGENT = "users_with_orders (lost deduplication)"


def pairs() -> list[Pair]:
    chosen = cli.pick(list(REGISTERED))
    chosen.append(pair(f"{MUTANTS}.legacy:users_with_orders", registry={}, label=DIVERGENT,
                       modern=f"{MUTANTS}.modern:users_with_orders"))
    return chosen


@pytest.fixture(scope="session")
def study_files(workbench: Workbench, tmp_path_factory: pytest.TempPathFactory,
                ) -> Iterator[tuple[data.Study, Path, Path]]:
    directory = tmp_path_factory.mktemp("study")
    study = collect.collect(pairs(), lambda p: workbench, data.empty())
    json_path, html_path = cli.write(study, directory)
    yield data.load(json_path), json_path, html_path


@pytest.fixture(scope="session")
def study(study_files: tuple[data.Study, Path, Path]) -> data.Study:
    return study_files[0]


@pytest.fixture(scope="session")
def page(study_files: tuple[data.Study, Path, Path]) -> str:
    return study_files[2].read_text(encoding="utf-8")

"""Runs a pair: its arguments (registered, else inferred from the schema), then the search.

The harness below searches what it is given and knows no registry, service or inference;
every entry point (the main job, `step`, the study, readiness, detection) runs pairs here.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.pair import ArgStrategy, Pair
from equivalence_tests.domain.status import Status
from equivalence_tests.harness.check import Tally, Verdict, search
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.inference import CannotInfer, infer
from equivalence_tests.schema.catalog import Catalog


def arguments(pair: Pair, catalog: Catalog) -> dict[str, ArgStrategy]:
    """A strategy per parameter: the registered ones, the rest inferred (CannotInfer if not)."""
    return {**infer(pair.legacy, pair.infer, catalog), **pair.args}


def check(pair: Pair, bench: Workbench, strategy: st.SearchStrategy[Dataset] | None = None,
          *, random_seed: int | None = None, **overrides: Any) -> Verdict:
    """The pair's verdict on this workbench (`search` documents the options)."""
    try:
        drawn = arguments(pair, bench.catalog)
    except CannotInfer as error:
        tally = Tally(covered=dict.fromkeys(pair.covers, 0))
        return Verdict(pair, Status.CANNOT_INFER, tally, None, bench.versions, str(error))
    return search(pair, bench, drawn, strategy, random_seed=random_seed, **overrides)

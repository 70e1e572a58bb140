"""Runs pairs: each service's workbench opened once with its drift checked (`Workbenches`), a
pair's arguments (registered, else inferred from the schema), then the search (`check`).

The harness below searches what it is given and knows no registry, service or inference; the
entry points (the main job's pytest plugin, `step`, the study, detection) run pairs here.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

import equivalence_tests.pairs  # noqa: F401  (the demo service and the registered pairs)
from equivalence_tests import registry
from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.errors import WorkerError
from equivalence_tests.domain.pair import ArgStrategy, Pair
from equivalence_tests.domain.service import Service, Unpaired
from equivalence_tests.domain.status import Status
from equivalence_tests.domain.verdict import Tally, Verdict
from equivalence_tests.harness.drift import Difference, blockers, drift_lines, schema_drift
from equivalence_tests.harness.search import search
from equivalence_tests.harness.workbench import Lab, Workbench, open_service
from equivalence_tests.inference import CannotInfer, infer
from equivalence_tests.schema.catalog import Catalog
from equivalence_tests.services import SIDES, discover


def every_pair() -> tuple[list[Pair], list[Unpaired]]:
    """Every pair the main job runs (pairs.py's registrations, then every function found on
    both sides of a service), and the functions that cannot pair."""
    return registry.every_pair()


def demo() -> Service:
    """The demo service: the guide's patterns on shared_schema/schema.sql (pairs.py)."""
    return discover()["demo"]


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


@dataclass
class Drift:
    """Each side's models against the schema its functions run on."""

    differences: list[Difference]  # each with the "side" it was found on
    unchecked: list[str]  # sides whose models could not be compared, and why

    @property
    def blockers(self) -> list[str]:
        """What blocks the step: a side not checked (never safe by default), then each blocking
        difference, side by side."""
        found = blockers(self.differences)
        return self.unchecked + [line for side in SIDES for line in
                                 drift_lines(side, [d for d in found if d["side"] == side])]


def drift(bench: Workbench, service: Service) -> Drift:
    """Compare each side's models module with its database (in the side's own worker)."""
    found = Drift([], [])
    for side, worker in zip(SIDES, bench.workers, strict=True):
        try:
            differences = schema_drift(worker, service.models_module(side))
        except WorkerError as error:
            found.unchecked.append(f"drift of {side} could not be checked: {error}")
            continue
        found.differences += [{"side": side, **difference} for difference in differences]
    return found


class Workbenches:
    """The workbenches of a run: one per service, opened when its first pair comes, its drift
    checked once (into `blockers`), and stopped when the next service's begins. With
    `keep_open` (an xdist worker, whose pairs come in any order) every service opened stays
    open until `close`: a service is never opened twice."""

    def __init__(self, lab: Lab, *, keep_open: bool = False,
                 blockers: list[str] | None = None, notes: list[str] | None = None) -> None:
        self.lab = lab
        self.keep_open = keep_open
        self.blockers = [] if blockers is None else blockers
        self.notes = [] if notes is None else notes
        self.drifts: dict[str, Drift] = {}  # service -> its drift, checked when it opened
        self.current: tuple[str, Workbench, contextlib.ExitStack] | None = None
        self.kept: dict[str, tuple[str, Workbench, contextlib.ExitStack]] = {}

    def bench(self, name: str) -> Workbench:
        if self.current is not None and self.current[0] == name:
            return self.current[1]
        if name in self.kept:
            self.current = self.kept[name]
            return self.current[1]
        if not self.keep_open:
            self.close()
        stack = contextlib.ExitStack()
        try:
            service = discover()[name]
            bench = stack.enter_context(open_service(self.lab, service))
            found = self.drifts[name] = drift(bench, service)
            self.blockers += [f"{name}: {line}" for line in found.blockers]
        except BaseException:
            stack.close()
            raise
        self.current = self.kept[name] = (name, bench, stack)
        return bench

    def close(self) -> None:
        """Stop every open service (the databases stay until the run ends)."""
        self.current = None
        errors: list[BaseException] = []
        while self.kept:
            name, bench, stack = self.kept.pop(next(iter(self.kept)))
            self.notes += [f"{name}: {line}" for line in bench.refusals.lines(bench.catalog)]
            try:
                stack.close()
            except BaseException as error:  # the others are still stopped
                errors.append(error)
        if errors:
            raise errors[0]

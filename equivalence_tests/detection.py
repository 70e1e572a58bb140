"""`nox -s detection`: how often one random run catches each wrong migration the workbench knows.

A user's CI runs the main job with fresh random examples every time, so "the workbench catches
this mistake" is a rate: a mistake caught in 9 runs of 10 is a false "safe to ship" in the
tenth. Each wrong migration (equivalence_tests/wrong_migrations.py: the quality suite's, and the
demo's registered known divergences) is searched under N independent random seeds at the main
job's example count, as the main job searches (no shrinking: only the catch is counted). Per
case: the seeds that caught it, the median number of examples to the first catch, and the
verdict of each seed that missed, with the seed, so a miss can be replayed
(`--first-seed SEED --seeds 1 --case NAME`). README, "Detection rates", says how to read it.
"""

from __future__ import annotations

import argparse
import math
import secrets
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase
from rich.console import Console
from rich.table import Table

from equivalence_tests.harness.workbench import Lab, Workbench, open_service, provision
from equivalence_tests.runner import check
from equivalence_tests.services import discover
from equivalence_tests.wrong_migrations import Wrong, every_wrong_migration

BAR = 0.95  # 19 of 20 seeds: below it, a case is a reach defect unless it states why
# The main job's search without shrinking (a catch is all that is counted here).
SEARCH: dict[str, Any] = {"database": None, "derandomize": False, "phases": [Phase.generate],
          "deadline": None, "suppress_health_check": list(HealthCheck)}


@dataclass
class Rate:
    """What N random runs of one wrong migration found."""

    wrong: Wrong
    caught: list[int] = field(default_factory=list)  # examples to the first catch, per catch
    missed: list[tuple[int, str]] = field(default_factory=list)  # (seed, verdict) per miss

    @property
    def runs(self) -> int:
        return len(self.caught) + len(self.missed)

    @property
    def below_bar(self) -> bool:
        return len(self.caught) < math.ceil(BAR * self.runs)


def measure(wrong: Wrong, bench: Workbench, seeds: list[int], examples: int) -> Rate:
    rate = Rate(wrong)
    for seed in seeds:
        verdict = check(wrong.pair, bench, random_seed=seed, max_examples=examples, **SEARCH)
        if verdict.status == wrong.caught_as:
            rate.caught.append(verdict.examples)
        else:
            rate.missed.append((seed, verdict.text))
    return rate


@contextmanager
def workbenches(lab: Lab, services: list[str]) -> Iterator[dict[str, Workbench]]:
    """One workbench per service, opened one after another and kept until the end."""
    known = discover()
    with ExitStack() as stack:
        yield {name: stack.enter_context(open_service(lab, known[name])) for name in services}


def table(rates: list[Rate], seeds: int, examples: int) -> Table:
    shown = Table(title=f"Detection: {seeds} random seeds per wrong migration, up to {examples} "
                        "examples each (the main job's search, without shrinking)")
    for column in ("wrong migration", "caught", "median examples to catch", "when missed"):
        shown.add_column(column, justify="right" if column.startswith(("caught", "median"))
                         else "left")
    for rate in rates:
        median = f"{statistics.median(rate.caught):g}" if rate.caught else "-"
        missed = "; ".join(f"{status} (seed {seed})" for seed, status in rate.missed[:3])
        if len(rate.missed) > 3:
            missed += f"; +{len(rate.missed) - 3} more"
        if rate.below_bar and rate.wrong.rare:
            missed += f" [why: {rate.wrong.rare}]"
        mark = " !" if rate.below_bar and not rate.wrong.rare else ""
        shown.add_row(rate.wrong.name, f"{len(rate.caught)}/{rate.runs}{mark}", median,
                      missed or "-")
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="random runs per case (20)")
    parser.add_argument("--examples", type=int, default=100,
                        help="examples per run (100, as the main job)")
    parser.add_argument("--case", action="append", default=[],
                        help="only cases whose name contains this (repeats)")
    parser.add_argument("--first-seed", type=int, default=None,
                        help="seeds FIRST, FIRST+1, ... instead of fresh random ones")
    options = parser.parse_args()
    cases = [w for w in every_wrong_migration()
             if not options.case or any(part in w.name for part in options.case)]
    if not cases:
        names = "; ".join(w.name for w in every_wrong_migration())
        sys.exit(f"detection: no case matches {options.case}; the cases: {names}")
    if options.first_seed is None:
        seeds = [secrets.randbits(32) for _ in range(options.seeds)]
    else:
        seeds = list(range(options.first_seed, options.first_seed + options.seeds))
    console = Console(width=160)
    services = list(dict.fromkeys(w.pair.service for w in cases))
    rates = []
    started = time.perf_counter()
    with provision() as lab, workbenches(lab, services) as benches:
        for wrong in cases:
            began = time.perf_counter()
            rates.append(measure(wrong, benches[wrong.pair.service], seeds, options.examples))
            rate = rates[-1]
            console.print(f"detection: {wrong.name}: caught {len(rate.caught)}/{rate.runs} "
                          f"({time.perf_counter() - began:.0f} s)", highlight=False)
    console.print(table(rates, options.seeds, options.examples))
    below = [r for r in rates if r.below_bar and not r.wrong.rare]
    console.print(f"{len(rates)} wrong migrations, {options.seeds} seeds each, "
                  f"{time.perf_counter() - started:.0f} s; below {math.ceil(BAR * options.seeds)}"
                  f"/{options.seeds} without a stated reason: {len(below)}", highlight=False)
    sys.exit(1 if below else 0)


if __name__ == "__main__":
    main()

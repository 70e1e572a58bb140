"""Run pairs for study: each through `check()` for its verdict and counterexample, then through
a few representative examples with the SQL's bound parameters, outcomes, warnings and time."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

from equivalence_tests import runner
from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.errors import WorkbenchError
from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.status import Status
from equivalence_tests.domain.verdict import (
    Counterexample,
    Observation,
    Verdict,
    counterexample_json,
    verdict_json,
)
from equivalence_tests.harness import report
from equivalence_tests.harness.search import paths_hit
from equivalence_tests.harness.source import function_source
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.runner import check
from equivalence_tests.study import data
from shared_schema.values import encode

TRIES = 40  # examples searched for representatives (and timed) per pair
MORE_TRIES = 200  # searched at most while a wanted case (a declared path, found/absent) is missing
EMPTY_TAGS = ("$result", "$async_result", "$iterator", "$set")


def shown(outcome: Any) -> list[str]:
    """An outcome as a person reads it, one line per item of a list."""
    if isinstance(outcome, list):
        return [report.show(item) for item in outcome] or ["[] (empty list)"]
    return [report.show(outcome)]


def side(observation: Observation, seconds: float | None = None) -> dict[str, Any]:
    """One side's answer in the study file's form (`data` documents it)."""
    if observation.executed is not None:
        sql = [{"statement": str(statement).strip(), "parameters": parameters,
                "executemany": bool(many)}
               for statement, parameters, many in observation.executed]
    else:  # recorded without parameters (the search's own observations)
        sql = [{"statement": statement, "parameters": None, "executemany": False}
               for statement in observation.sql]
    return {"outcome": observation.outcome, "shown": shown(observation.outcome),
            "statements": len(observation.sql), "sql": sql,
            "warnings": list(observation.warnings), "seconds": seconds}


def absent(outcome: Any) -> bool:
    """Nothing found: None, an empty collection, zero, False, or an error."""
    if outcome in (None, False, 0, [], {}):
        return True
    if isinstance(outcome, dict):
        if "$error" in outcome:
            return True
        if outcome.get("$rowcount") == 0:
            return True
        return any(tag in outcome and not outcome[tag] for tag in EMPTY_TAGS)
    return False


def cases(pair: Pair, legacy: Observation, modern: Observation) -> list[str]:
    """Which representative cases an example is: its declared paths, else found or absent."""
    if pair.covers:
        return paths_hit(pair, [legacy, modern])
    return ["absent" if absent(legacy.outcome) else "found"]


def wanted_cases(pair: Pair) -> list[str]:
    return list(pair.covers) or ["found", "absent"]


def observe(bench: Workbench, pair: Pair, dataset: Dataset, args: dict[str, Any],
            ) -> tuple[Observation, Observation, float | None, float | None]:
    """Both sides on one example with their SQL's parameters, and each call's seconds."""
    legacy, modern = bench.observe(pair, dataset, args, keep_parameters=True)
    return legacy, modern, legacy.seconds, modern.seconds


def _strategy(bench: Workbench, pair: Pair) -> st.SearchStrategy[Dataset]:
    """The datasets `check()` draws for this pair (the service's own, where benches know it)."""
    return bench.datasets(pair.rich)


def _arguments(bench: Workbench, pair: Pair) -> dict[str, Any]:
    """The argument strategies `check()` draws: registered ones over inferred ones."""
    return runner.arguments(pair, bench.catalog)


def _rows(dataset: Dataset) -> int:
    return sum(len(rows) for rows in dataset.values())


def representatives(pair: Pair, bench: Workbench, tries: int = TRIES,
                    counts_differ: bool = False,
                    ) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    """One example per wanted case (the one whose statement counts differ most, then the
    smallest), the cases no example reached, and the median seconds per call on each side.
    Where the verdict's run saw the sides emit different numbers of statements
    (`counts_differ`: an N+1), the search goes on until an example shows it too."""
    strategy, arguments = _strategy(bench, pair), _arguments(bench, pair)
    chosen: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
    seconds: tuple[list[float], list[float]] = ([], [])
    wanted = wanted_cases(pair)

    @settings(max_examples=max(tries, MORE_TRIES), derandomize=True, database=None,
              phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
    @given(st.data())
    def search(draw: st.DataObject) -> None:
        dataset = draw.draw(strategy, label="dataset")
        args = {name: draw.draw(arg(dataset), label=name) for name, arg in arguments.items()}
        # After the draws: Hypothesis replays the example that ends the search, and a replay
        # that draws less than the first run is an error of its own.
        shown = not counts_differ or any(score[0] for score, _ in chosen.values())
        if len(seconds[0]) >= tries and shown and all(case in chosen for case in wanted):
            raise Enough
        legacy, modern, left, right = observe(bench, pair, dataset, args)
        for kept, value in zip(seconds, (left, right), strict=True):
            if value is not None:
                kept.append(float(value))
        score = (min(abs(len(legacy.sql) - len(modern.sql)), 3), -_rows(dataset))
        for case in cases(pair, legacy, modern):
            if case not in chosen or score > chosen[case][0]:
                chosen[case] = (score, example(case, dataset, args, legacy, modern, left, right))

    try:
        search()
    except Enough:
        pass
    finally:
        if bench.broken is None:
            bench.leaked_transactions()
    examples = [chosen[case][1] for case in wanted if case in chosen]
    timing = {name: {"median": statistics.median(kept) if kept else None, "calls": len(kept)}
              for name, kept in zip(("legacy", "modern"), seconds, strict=True)}
    return examples, [case for case in wanted if case not in chosen], timing


class Enough(Exception):
    """Every wanted case has its example and enough calls were timed."""


def example(case: str, dataset: Dataset, args: dict[str, Any], legacy: Observation,
            modern: Observation, left: float | None, right: float | None) -> dict[str, Any]:
    return {"case": case, "dataset": encode(dataset), "arguments": encode(args),
            "legacy": side(legacy, left), "modern": side(modern, right)}


def counterexample(pair: Pair, verdict: Verdict) -> dict[str, Any] | None:
    found: Counterexample | None = verdict.counterexample
    if found is None:
        return None
    return {**counterexample_json(found),
            "legacy": side(found.legacy), "modern": side(found.modern),
            "legacy_again": side(found.legacy_again) if found.legacy_again else None,
            "diff": report.outcome_diff(pair, found)}


def is_async(target: str, package: str) -> bool:
    source = function_source(target, package)
    return any(line.lstrip().startswith("async def ") for line in source[:3])


def entry(pair: Pair) -> dict[str, Any]:
    """What the study knows of a pair before running it."""
    return {"name": pair.name, "service": data.service_of(pair), "legacy": pair.legacy,
            "modern": pair.modern, "modern_async": is_async(pair.modern, "modern_20"),
            "fingerprint": data.fingerprint(pair), "options": data.options(pair),
            "sources": {"legacy": function_source(pair.legacy, "legacy_14"),
                        "modern": function_source(pair.modern, "modern_20")},
            "status": "not run", "ok": False, "known": pair.known, "error": None,
            "verdict": None, "examples": [], "missing": [], "timing": None,
            "counterexample": None,
            "collected": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def collect_pair(pair: Pair, bench: Workbench, tries: int = TRIES,
                 **overrides: Any) -> dict[str, Any]:
    """Verdict, counterexample, representative examples and timing of one pair. A broken
    workbench propagates (nothing later can be trusted); any other error is the entry's."""
    found = entry(pair)
    try:
        verdict = check(pair, bench, **overrides)
        tally = verdict.tally
        found.update(status=verdict.text, ok=verdict.ok, verdict=verdict_json(verdict),
                     counterexample=counterexample(pair, verdict))
        if verdict.status is Status.CANNOT_INFER:
            return found
        examples, missing, timing = representatives(
            pair, bench, tries, counts_differ=tally.statements[0] != tally.statements[1])
        if verdict.counterexample is not None:
            shrunk = verdict.counterexample
            legacy, modern, left, right = observe(bench, pair, shrunk.dataset, shrunk.arguments)
            examples.append(example("counterexample", shrunk.dataset, shrunk.arguments, legacy,
                                    modern, left, right))
        found.update(examples=examples, missing=missing, timing=timing)
    except WorkbenchError as error:
        found.update(status="harness error", error=f"{type(error).__name__}: {error}")
        raise
    except Exception as error:
        found.update(status="harness error", error=f"{type(error).__name__}: {error}")
    return found


def collect(pairs: list[Pair], bench_for: Callable[[Pair], Workbench], study: data.Study,
            advance: Callable[[Pair], None] = lambda pair: None, tries: int = TRIES,
            **overrides: Any) -> data.Study:
    """Add every pair's entry to `study` (replacing older ones), in order; a broken workbench
    ends the run with that pair's entry saying why and the rest not run."""
    study["version"] = data.VERSION
    study["generated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    broken: Exception | None = None
    for pair in pairs:
        if broken is not None:
            study["pairs"][pair.name] = {**entry(pair), "error": f"not run: {broken}"}
            advance(pair)
            continue
        holder: dict[str, Any] = {}
        try:
            bench = bench_for(pair)
            legacy, modern = bench.versions
            study["sqlalchemy"] = {"legacy": legacy, "modern": modern}
            holder = collect_pair(pair, bench, tries, **overrides)
        except WorkbenchError as error:
            broken = error
            holder = holder or {**entry(pair), "status": "harness error",
                                "error": f"{type(error).__name__}: {error}"}
            if holder.get("status") != "harness error":
                holder.update(status="harness error",
                              error=f"{type(error).__name__}: {error}")
        study["pairs"][pair.name] = holder
        advance(pair)
    return study

"""Hypothesis drives one pair: draw a dataset and arguments, observe both sides, compare, shrink."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.domain.errors import WorkbenchError
from equivalence_tests.domain.pair import ArgStrategy, Pair
from equivalence_tests.domain.status import Status
from equivalence_tests.domain.verdict import Counterexample, Observation, Tally, Verdict
from equivalence_tests.harness.compare import (
    SchemaFacts,
    changed_tables,
    differences,
    order_differs,
    rows_reversed,
    same_sequence,
)
from equivalence_tests.harness.state import DatasetRefused
from equivalence_tests.harness.workbench import CONTROL, Workbench
from shared_schema.values import encode

CONTROL_RERUNS = 2
CALLS_PER_DATASET = 4  # at most, per example; Hypothesis draws 1 to 4 argument sets


def record(tally: Tally, pair: Pair, legacy: Observation, modern: Observation,
           dataset: Dataset | None, facts: SchemaFacts) -> None:
    """Count one compared call into the pair's tally (while searching, not shrinking)."""
    if not tally.searching:
        return  # Hypothesis is shrinking a divergence: these are not more examples
    tally.calls += 1
    (left, left_empty), (right, right_empty) = (outcome_kind(o.outcome)
                                                  for o in (legacy, modern))
    tally.kinds[left if left == right else f"{left} | {right}"] += 1
    changed = dataset is not None and any(changed_tables(dataset, o.state, facts)
                                           for o in (legacy, modern))
    tally.changed += changed
    tally.reached += changed or not (left_empty and right_empty)
    tally.wrote += legacy.state is not None or modern.state is not None
    for label in paths_hit(pair, [legacy, modern]):
        tally.covered[label] += 1
    if _error(legacy.outcome) and _error(modern.outcome):
        error = _error(legacy.outcome)
        tally.both_raised[error] += 1
        state = legacy.outcome.get("sqlstate")
        tally.raised_as.setdefault(error, (f"[SQLSTATE {state}] " if state else "")
                                   + str(legacy.outcome.get("message", ""))[:160])
    tally.statements = (max(tally.statements[0], len(legacy.sql)),
                        max(tally.statements[1], len(modern.sql)))
    for seen, observation in zip(tally.warnings, (legacy, modern), strict=True):
        seen.update(w.split(":")[0] for w in observation.warnings)


_COLLECTIONS = {"$result": "result", "$async_result": "async result", "$iterator": "iterator",
                "$set": "set", "$dict": "dict"}


def outcome_kind(outcome: Any) -> tuple[str, bool]:
    """What kind of answer a side gave, and whether it is empty: it shows no data (None,
    False, 0, "", no rows, rowcount 0, or only such values; an error counts as empty too)."""
    if outcome is None or outcome is False or outcome == "":
        return {None: "None", False: "False", "": "empty string"}[outcome], True
    if isinstance(outcome, bool):
        return "True", False
    if isinstance(outcome, int | float):
        return ("0", True) if outcome == 0 else ("scalar", False)
    if isinstance(outcome, list):
        return _many("list", outcome)
    if not isinstance(outcome, dict):
        return "scalar", False
    if "$error" in outcome:
        return f"error {outcome['$error']}", True
    if "$not_comparable" in outcome:
        return "not comparable", False
    if "$entity" in outcome:
        return "entity", False
    if "$rowcount" in outcome:
        count = outcome["$rowcount"]
        return ("rowcount 0", True) if not count else ("rowcount N>0", False)
    for tag in ("$row", "$mapping", "$tuple"):
        if tag in outcome:
            values = [item[1] for item in outcome[tag]] if tag != "$tuple" else outcome[tag]
            if all(outcome_kind(value)[1] for value in values):
                return ("row/tuple of empty values" if values else "empty tuple"), True
            return "row/tuple", False
    for tag, name in _COLLECTIONS.items():
        if tag in outcome:
            return _many(name, outcome[tag])
    if "$decimal" in outcome or "$float" in outcome:
        try:
            zero = float(str(outcome.get("$decimal", outcome.get("$float")))) == 0
        except ValueError:
            zero = False
        return ("0", True) if zero else ("scalar", False)
    return "scalar", False  # a datetime, uuid, bytes...


def _many(name: str, items: list[Any]) -> tuple[str, bool]:
    if not items:
        return f"empty {name}", True
    if all(outcome_kind(item)[1] for item in items):
        return f"{name} of empty values", True
    return f"{name} of N>0", False


def _error(outcome: Any) -> str:
    return str(outcome["$error"]) if isinstance(outcome, dict) and "$error" in outcome else ""


class NotComparable(Exception):
    """A side returned a value with no canonical form: nothing can be said about this pair
    (never "equivalent"), but the workbench is fine and the other pairs go on."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"not comparable: {type_name}")
        self.type_name = type_name


def _not_comparable(observation: Observation) -> str:
    """The type a side returned that the canonical form does not know, or ''."""
    outcome = observation.outcome
    if isinstance(outcome, dict) and "$not_comparable" in outcome:
        return str(outcome["$not_comparable"])
    return ""


def paths_hit(pair: Pair, observations: list[Observation]) -> list[str]:
    """Which of the pair's declared paths this call exercised, on either side."""
    if not pair.covers:
        return []
    text = "\n".join(line for o in observations for line in (*o.sql, json.dumps(o.outcome)))
    return [label for label, pattern in pair.covers.items() if re.search(pattern, text)]


def search(pair: Pair, bench: Workbench, arguments: Mapping[str, ArgStrategy],
           strategy: st.SearchStrategy[Dataset] | None = None, *,
           random_seed: int | None = None, **overrides: Any) -> Verdict:
    """Search for a dataset and arguments (a strategy per parameter) on which the two sides
    behave differently. `overrides` are Hypothesis settings for this search (max_examples=,
    database=); `random_seed` fixes the search's random choices (`nox -s detection`)."""
    tally = Tally(covered=dict.fromkeys(pair.covers, 0))
    strategy = strategy if strategy is not None else bench.datasets(pair.rich)
    facts = bench.facts
    # Set once the control answered some input differently twice: whatever Hypothesis then
    # shrinks to, the verdict must not blame the migration (the rerun is a coin toss).
    unreliable: list[Counterexample] = []

    options = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], **overrides}

    @settings(**options)
    @given(st.data())
    def example(data: st.DataObject) -> None:
        dataset = data.draw(strategy, label="dataset")
        one_call = st.fixed_dictionaries({name: arg(dataset) for name, arg in arguments.items()})
        calls = data.draw(st.lists(one_call, min_size=1,
                                   max_size=calls_per_dataset(pair, arguments)),
                          label="calls")
        try:
            observed = bench.observe_calls(pair, dataset, calls)
            bench.refusals.record(dataset, [])
        except DatasetRefused:
            # A constraint the strategy could not read: drop the rows the database refuses
            # (counted per table and constraint), and compare on the rest.
            dataset = bench.admissible(dataset)
            observed = bench.observe_calls(pair, dataset, calls)
        tally.examples += tally.searching
        for n, (legacy, modern) in enumerate(zip(*observed, strict=True)):
            compare_call(dataset, calls[n], legacy, modern, calls[:n])

    def compare_call(dataset: Dataset, args: dict[str, Any], legacy: Observation,
                     modern: Observation, before: list[dict[str, Any]]) -> None:
        record(tally, pair, legacy, modern, dataset, facts)
        odd = _not_comparable(legacy) or _not_comparable(modern)
        if odd:
            raise NotComparable(odd)
        what = differences(pair, dataset, legacy, modern, facts)
        # The same items in another sequence, ordered by a key the result does not carry
        # (`ordered=True`): ask the control again, on the same rows inserted in the opposite
        # physical order and as they were. If its order holds every time, the order is
        # promised; if it moves, these rows tie on the key (or the plan's order moved).
        if not what and order_differs(pair, dataset, legacy, modern, facts) and all(
                same_sequence(dataset, legacy, again, facts)
                for rows in (rows_reversed(dataset), dataset)
                for again in bench.observe(pair, rows, args, sides=CONTROL)):
            what = ["order of the return value"]
        if what:
            tally.searching = False
            # Before blaming the migration, ask the control the same question again (twice:
            # a control that picks one of two rows at random agrees with itself half the time).
            for _ in range(CONTROL_RERUNS):
                (again,) = bench.observe(pair, dataset, args, sides=CONTROL)
                if differences(pair, dataset, legacy, again, facts):
                    found = Counterexample(dataset, args, legacy, modern, what, True, again,
                                           before)
                    unreliable.append(found)
                    raise found
            raise Counterexample(dataset, args, legacy, modern, what, before=before)

    # Each pair keeps its own entry in Hypothesis's example database, so a divergence found
    # once is replayed first next time (the same hook Hypothesis's stateful testing uses).
    example.hypothesis.inner_test._hypothesis_internal_add_digest = (  # type: ignore[attr-defined]
        pair.name.encode())
    if random_seed is not None:
        example = seed(random_seed)(example)
    try:
        try:
            example()
        except BaseExceptionGroup as group:  # several failures, or one that did not replay
            raise _most_telling(group) from group
        finally:
            if bench.broken is None:
                tally.leaked = bench.leaked_transactions()
    except Counterexample as found:
        if unreliable and not found.control_nondeterministic:
            found = min(unreliable, key=_size)
        if found.control_nondeterministic:
            status = Status.CONTROL_NONDETERMINISTIC
        else:
            status = Status.KNOWN_DIVERGENCE if pair.known else Status.DIVERGENT
        return Verdict(pair, status, tally, found, bench.versions)
    except NotComparable as odd:
        return Verdict(pair, Status.NOT_COMPARABLE, tally, None, bench.versions, odd.type_name)
    status, detail = _quiet_status(pair, tally)
    return Verdict(pair, status, tally, None, bench.versions, detail)


def calls_per_dataset(pair: Pair, arguments: Mapping[str, ArgStrategy]) -> int:
    """How many argument draws an example may compare on its dataset: several, unless there is
    nothing to draw. Reads share one reset and one message per side; after a call that may
    have written, the next starts from a new reset (`Workbench.observe_calls`)."""
    return CALLS_PER_DATASET if arguments else 1


def _size(found: Counterexample) -> int:
    return len(json.dumps(encode(found.dataset))) + len(json.dumps(encode(found.arguments)))


def _quiet_status(pair: Pair, tally: Tally) -> tuple[Status, str]:
    """No divergence found: equivalent, unless the search itself proved too little."""
    if pair.known:
        return Status.NOT_REPRODUCED, ""
    missed = [label for label, hits in tally.covered.items() if not hits]
    if missed:
        return Status.INCOMPLETE, f"no example reached {', '.join(missed)}"
    if tally.calls and sum(tally.both_raised.values()) == tally.calls:
        raised = "; ".join(f"{error} {tally.raised_as.get(error, '')}".rstrip()
                           for error in sorted(tally.both_raised))
        return Status.VACUOUS, f"every call raised on both sides: {raised}"
    if tally.calls and not tally.reached:
        return (Status.VACUOUS,
                f"no call reached data in {tally.examples} examples ({kinds_text(tally)})")
    return Status.EQUIVALENT, ""


def kinds_text(tally: Tally) -> str:
    """How often each outcome kind occurred, most frequent first, and whether tables changed."""
    kinds = ", ".join(f"{kind}: {count}" for kind, count in tally.kinds.most_common())
    changed = (f"a table changed in {tally.changed}" if tally.changed
               else "no table changed")
    return f"{kinds}; {changed}"


def _most_telling(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """From several failures, the one to report: a broken workbench (a crashed worker) first,
    then an unreliable control, then any divergence."""
    leaves = _leaves(group)
    broken = [e for e in leaves if isinstance(e, WorkbenchError)]
    if broken:
        return broken[0]
    found = [e for e in leaves if isinstance(e, Counterexample)]
    found.sort(key=lambda e: not e.control_nondeterministic)
    return found[0] if found else group


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]

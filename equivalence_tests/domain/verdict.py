"""What a search found: each side's observation of a call, the counterexample, what the
examples exercised (the tally), and the verdict. Plain data: the harness fills them in."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from equivalence_tests.domain.dataset import Dataset, State
from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.status import Status, text
from shared_schema.values import encode


@dataclass
class Observation:
    """One side's answer to one call: what it returned or raised, and what it left behind."""

    outcome: Any
    sql: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    state: State | None = None
    executed: list[Any] | None = None  # [statement, parameters, executemany]: benchmark only
    seconds: float | None = None  # how long the call took in the worker


@dataclass
class Counterexample(Exception):
    """Both sides' answers for one (minimal, once Hypothesis is done) dataset and arguments."""

    dataset: Dataset
    arguments: dict[str, Any]
    legacy: Observation
    modern: Observation
    what: list[str]
    control_nondeterministic: bool = False
    legacy_again: Observation | None = None
    # Calls made on the same dataset before this one (read-only ones, as far as their SQL
    # tells): empty once Hypothesis has shrunk, unless they are needed to see the difference.
    before: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{'control nondeterministic' if self.control_nondeterministic else 'divergent'}: " \
               f"{', '.join(self.what)}"


@dataclass
class Tally:
    """What the examples of one pair exercised: paths, failures, SQL, warnings."""

    examples: int = 0  # examples searched until the first divergence (not shrinking's calls)
    calls: int = 0  # calls compared in them (a read-only pair's example makes several)
    searching: bool = True
    covered: dict[str, int] = field(default_factory=dict)  # path label -> calls that hit it
    both_raised: Counter[str] = field(default_factory=Counter)  # error class -> calls
    raised_as: dict[str, str] = field(default_factory=dict)  # error class -> a message, SQLSTATE
    statements: tuple[int, int] = (0, 0)  # most statements one call emitted, per side
    warnings: tuple[set[str], set[str]] = field(default_factory=lambda: (set(), set()))
    leaked: list[str] = field(default_factory=list)  # sides that left a transaction open
    wrote: int = 0  # calls after which either side's tables were read back (it wrote)
    # What the calls returned: outcome kind ("None", "list of N>0", "error NoResultFound";
    # "legacy kind | modern kind" where the sides' differ) -> calls; and how many calls
    # reached data (a non-empty outcome on either side, or a table the call changed).
    kinds: Counter[str] = field(default_factory=Counter)
    reached: int = 0
    changed: int = 0  # calls after which a table differed from the dataset


@dataclass
class Verdict:
    pair: Pair
    status: Status
    tally: Tally
    counterexample: Counterexample | None = None
    versions: tuple[str, str] = ("?", "?")
    detail: str = ""  # what made it vacuous, incomplete, not comparable, ...

    @property
    def text(self) -> str:
        return text(self.status, self.detail)

    @property
    def ok(self) -> bool:
        return self.status.ok

    @property
    def examples(self) -> int:
        return self.tally.examples

    @property
    def covered(self) -> dict[str, int]:
        return self.tally.covered


def counterexample_json(found: Counterexample) -> dict[str, Any]:
    """A counterexample as JSON, its values tagged as the worker encodes them
    (`{"$decimal": "1.50"}`, never `str()`): what step, the study and readiness write."""
    return {"what": list(found.what), "dataset": encode(found.dataset),
            "arguments": encode(found.arguments), "calls_before": encode(found.before),
            "control_nondeterministic": found.control_nondeterministic}


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The one serialized shape of a verdict: what `step` writes per function, what the study
    keeps per pair, and what an xdist worker sends its controller. `verdict` is the line
    people read; `status` and `detail` are what code reads."""
    tally = verdict.tally
    found = verdict.counterexample
    return {"pair": verdict.pair.name, "service": verdict.pair.service,
            "legacy": verdict.pair.legacy, "modern": verdict.pair.modern,
            "verdict": verdict.text, "status": verdict.status.value, "detail": verdict.detail,
            "ok": verdict.ok, "versions": list(verdict.versions),
            "examples": tally.examples, "calls": tally.calls, "wrote": tally.wrote,
            "covered": dict(tally.covered), "statements": list(tally.statements),
            "warnings": {"legacy": sorted(tally.warnings[0]),
                         "modern": sorted(tally.warnings[1])},
            "leaked": list(tally.leaked),
            "counterexample": None if found is None else counterexample_json(found)}

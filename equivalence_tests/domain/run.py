"""A run: the pairs selected, what became of each, and the one rule for "safe to ship".

A `Row` is a verdict as plain data (what an xdist worker sends its controller, what the
table shows); a `Run` gathers them with everything else that can stop a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from equivalence_tests.domain.service import Unpaired
from equivalence_tests.domain.status import Status, is_ok
from equivalence_tests.domain.verdict import Verdict, verdict_json


@dataclass
class Row:
    """One pair's verdict as it travels and as the table shows it: its JSON (`verdict_json`,
    the one shape every entry point writes) and the counterexample text shown above the table
    (a known divergence). A Verdict holds the pair's strategies and Hypothesis objects: an
    xdist worker sends this instead."""

    verdict: dict[str, Any]
    shown: str = ""

    @classmethod
    def of(cls, verdict: Verdict, shown: str = "") -> Row:
        return cls(verdict_json(verdict), shown)

    def wire(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "shown": self.shown}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Row:
        return cls(dict(data["verdict"]), str(data.get("shown") or ""))

    @property
    def name(self) -> str:
        return str(self.verdict["pair"])

    @property
    def status(self) -> str:
        """The verdict's text: 'vacuous: every call raised on both sides: ...'."""
        return str(self.verdict["verdict"])

    @property
    def ok(self) -> bool:
        return is_ok(self.status)

    @property
    def versions(self) -> tuple[str, str]:
        legacy, modern = self.verdict.get("versions") or ("?", "?")
        return str(legacy), str(modern)

    @property
    def examples(self) -> int:
        return int(self.verdict["examples"])

    @property
    def calls(self) -> int:
        return int(self.verdict["calls"])

    @property
    def paths(self) -> str:
        return ", ".join(f"{label}: {hits}"
                         for label, hits in self.verdict["covered"].items()) or "-"

    @property
    def statements(self) -> str:
        legacy, modern = self.verdict["statements"]
        return f"{legacy} / {modern}"

    @property
    def warnings(self) -> str:
        warned = self.verdict["warnings"]
        text = " / ".join(", ".join(warned[side]) or "-" for side in ("legacy", "modern"))
        if self.verdict["leaked"]:
            text += f"; {', '.join(self.verdict['leaked'])} left a transaction open"
        return text


@dataclass
class Run:
    """One run of the main job: the pairs selected, and what became of each of them.

    Under pytest-xdist each worker keeps one for the pairs it ran; the controller's gathers the
    workers' rows (one per pair, as each pair ends) and their end-of-run state (`wire`,
    `absorb`), and names the workers that ended without sending it (`lost`)."""

    selected: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # pair -> the harness error it hit
    notes: list[str] = field(default_factory=list)
    started: bool = False
    interrupted: str = ""  # the signal that ended the run early, if one did
    teardown_failed: bool = False
    unpaired: list[Unpaired] = field(default_factory=list)  # functions that cannot be compared
    blockers: list[str] = field(default_factory=list)  # e.g. models that drifted from the schema
    rows: list[Row] = field(default_factory=list)  # verdicts of pairs run by other processes
    # xdist workers that ended without their end-of-run state: "xdist worker gw1 crashed (...)"
    lost: list[str] = field(default_factory=list)

    @property
    def all_rows(self) -> list[Row]:
        """Every verdict, this process's and the workers', in the order of the selection."""
        rows = [Row.of(v) for v in self.verdicts] + self.rows
        order = {name: i for i, name in enumerate(self.selected)}
        return sorted(rows, key=lambda row: order.get(row.name, len(order)))

    def outcome(self, name: str) -> str:
        """A selected pair's verdict, or why it has none."""
        for row in self.all_rows:
            if row.name == name:
                return row.status
        return Status.HARNESS_ERROR if name in self.errors else Status.NOT_RUN

    @property
    def safe(self) -> bool:
        """Safe to ship only if every selected pair has an ok verdict and nothing broke."""
        ok = {row.name for row in self.all_rows if row.ok}
        return (bool(self.selected) and all(name in ok for name in self.selected)
                and not self.errors and not self.interrupted and not self.teardown_failed
                and not self.blockers and not self.lost)

    def wire(self) -> dict[str, Any]:
        """What an xdist worker sends the controller at its end (its rows went one by one)."""
        return {"errors": dict(self.errors),
                "notes": list(self.notes), "started": self.started,
                "interrupted": self.interrupted, "teardown_failed": self.teardown_failed,
                "unpaired": [[u.service, u.target, u.reason] for u in self.unpaired],
                "blockers": list(self.blockers)}

    def absorb(self, data: dict[str, Any]) -> None:
        """Add a worker's end-of-run state; lines two workers both report are kept once."""
        self.errors.update(data.get("errors", {}))
        self.notes += [line for line in data.get("notes", []) if line not in self.notes]
        self.blockers += [line for line in data.get("blockers", []) if line not in self.blockers]
        for service, target, reason in data.get("unpaired", []):
            unpaired = Unpaired(service, target, reason)
            if unpaired not in self.unpaired:
                self.unpaired.append(unpaired)
        self.started = self.started or bool(data.get("started"))
        self.interrupted = self.interrupted or str(data.get("interrupted") or "")
        self.teardown_failed = self.teardown_failed or bool(data.get("teardown_failed"))

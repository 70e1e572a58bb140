"""What a pair's verdict can be, and the rules read from it, defined once.

A verdict is a `Status` and a detail ("vacuous" + "every call raised on both sides: ...").
People and JSON read them joined as one text, `text(status, detail)`; code reads the status,
never a prefix of the text (`parse` turns a text back into both, for the xdist wire and JSON).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    EQUIVALENT = "equivalent"
    KNOWN_DIVERGENCE = "known divergence"
    DIVERGENT = "divergent"
    CONTROL_NONDETERMINISTIC = "control nondeterministic"
    # The search itself proved too little: no divergence found, but nothing shown either.
    NOT_REPRODUCED = "known divergence not reproduced"
    INCOMPLETE = "incomplete"
    VACUOUS = "vacuous"
    NOT_COMPARABLE = "not comparable"
    CANNOT_INFER = "cannot infer arguments"
    # No verdict: the workbench broke on the pair, or the run ended before it.
    HARNESS_ERROR = "harness error"
    NOT_RUN = "not run"

    @property
    def ok(self) -> bool:
        """The only statuses a step can ship with."""
        return self in (Status.EQUIVALENT, Status.KNOWN_DIVERGENCE)

# Longest first: "known divergence not reproduced" must not parse as "known divergence".
_BY_LENGTH = sorted(Status, key=lambda status: -len(status.value))


def text(status: Status, detail: str = "") -> str:
    """The one line people read: 'vacuous: every call raised on both sides: ...'."""
    return f"{status.value}: {detail}" if detail else status.value


def parse(line: str) -> tuple[Status, str]:
    """A verdict's text back into its status and detail (a text from JSON or another process)."""
    for status in _BY_LENGTH:
        if line == status.value:
            return status, ""
        if line.startswith(status.value + ": "):
            return status, line[len(status.value) + 2:]
    raise ValueError(f"not a verdict: {line!r}")


def is_ok(line: str) -> bool:
    """Whether a verdict's text is one a step can ship with."""
    return parse(line)[0].ok


"""Which warnings say the code still uses an API SQLAlchemy 2.x deprecates or calls legacy:
one rule for `step` (a blocker) and readiness (a cell that is not clean)."""

from __future__ import annotations

from collections.abc import Iterable

# SADeprecationWarning, Base20DeprecationWarning, LegacyAPIWarning, RemovedIn20Warning,
# MovedIn20Warning and plain DeprecationWarning: by name, so a class the driver only knows
# by name (a worker reports "LegacyAPIWarning: ...") is judged like one whose bases it has.
MARKS = ("Deprecat", "Legacy", "Removed", "Moved")


def is_deprecation(names: Iterable[str]) -> bool:
    """Whether a warning, given its class name (and, where known, its bases' names), is one."""
    return any(mark in name for name in names for mark in MARKS)

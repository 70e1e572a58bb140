"""Hypothesis profiles: the main job searches fresh random data, the workbench's own tests do not.

A user's CI runs the main job with new random examples each time: that is how a divergence the
last run missed is found by the next one, and how often a random run catches a wrong migration
is a measured rate (`nox -s detection`). The workbench's own tests must not pass or fail by
chance: by default they run derandomized (the same examples on every machine and every run) and
read no example database (a `.hypothesis/` folder left by another run would change what they
search first, and how far a counterexample shrinks). `WORKBENCH_PROFILE` names a profile for
either; naming a randomized one for the tests is a choice the run's header then states.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePath

from hypothesis import Phase, settings

VARIABLE = "WORKBENCH_PROFILE"
# `explain` re-runs failing cases many times to annotate lines; our report says more, faster.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
MAIN_JOB = "default"  # fresh random examples on every run
TESTS = "ci"  # derandomized, no example database
MAIN_JOB_FILE = "test_equivalence.py"

PROFILES = {
    "default": settings(max_examples=100, phases=PHASES),
    "ci": settings(max_examples=100, phases=PHASES, derandomize=True, database=None),
    "thorough": settings(max_examples=2000, phases=PHASES),
}
for _name, _profile in PROFILES.items():
    settings.register_profile(_name, _profile)


def chosen(paths: Iterable[str]) -> tuple[str, bool]:
    """The profile for a pytest run of `paths`, and whether it runs the workbench's own tests
    (anything but the main job's file)."""
    tests = not all(PurePath(path.split("::")[0]).name == MAIN_JOB_FILE for path in paths)
    return os.environ.get(VARIABLE) or (TESTS if tests else MAIN_JOB), tests


def load(name: str, *, tests: bool) -> None:
    """Load a profile; for the workbench's own tests, never with an example database."""
    if name not in PROFILES:
        raise SystemExit(f"workbench: {VARIABLE}={name} is not a profile; use one of "
                         f"{', '.join(PROFILES)}")
    profile = settings.get_profile(name)
    if tests:
        settings.register_profile(f"{name} (tests)", profile, database=None)
        name = f"{name} (tests)"
    settings.load_profile(name)


def randomized() -> bool:
    return not settings().derandomize


def header(name: str, tests: bool) -> str:
    """One line for the top of a run: which profile, and what that means for its outcome."""
    if not randomized():
        return f"hypothesis profile {name}: derandomized, the same examples on every run"
    if tests:
        return (f"hypothesis profile {name}: RANDOMIZED on purpose ({VARIABLE}={name}): a test "
                "that asserts what random data reaches may fail by chance here")
    return (f"hypothesis profile {name}: fresh random examples on every run "
            f"({settings().max_examples} per pair)")

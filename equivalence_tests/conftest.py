"""Shared fixtures: one workbench (server, databases, workers) per test run; the verdict report."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator

import pytest
from hypothesis import Phase, settings

from equivalence_tests.harness.check import Verdict
from equivalence_tests.harness.databases import ProvisioningError
from equivalence_tests.harness.report import (
    counterexample_text,
    render,
    summary_line,
    verdict_table,
)
from equivalence_tests.harness.server import ProvisioningError as ServerError
from equivalence_tests.harness.workbench import Workbench, open_workbench
from equivalence_tests.harness.workers import WorkerError

# `explain` re-runs failing cases many times to annotate lines; our report says more, faster.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
settings.register_profile("default", max_examples=100, phases=PHASES)
settings.register_profile("ci", max_examples=100, phases=PHASES, derandomize=True, database=None)
settings.register_profile("thorough", max_examples=2000, phases=PHASES)
settings.load_profile(os.environ.get("WORKBENCH_PROFILE", "default"))

VERDICTS: list[Verdict] = []


@pytest.fixture(scope="session")
def workbench() -> Iterator[Workbench]:
    try:
        with open_workbench() as bench:
            yield bench
    except (ProvisioningError, ServerError, WorkerError) as error:
        pytest.exit(f"workbench: {error}", returncode=3)


@pytest.fixture
def verdicts() -> list[Verdict]:
    return VERDICTS


def rerun_command(name: str) -> str:
    return f"python3 run_nox.py -s equivalence -- --pair {shlex.quote(name)}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--pair", action="append", default=[], metavar="NAME",
                     help="run only this pair (repeatable)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = config.getoption("--pair")
    if not wanted:
        return
    from equivalence_tests.registry import PAIRS

    unknown = [name for name in wanted if name not in PAIRS]
    if unknown:
        pytest.exit(f"unknown pair {', '.join(unknown)}; registered pairs: "
                    f"{', '.join(sorted(PAIRS))}", returncode=4)
    items[:] = [item for item in items
                if getattr(item, "callspec", None) is None
                or getattr(item.callspec.params.get("pair"), "name", None) in wanted]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not VERDICTS:
        return
    write = terminalreporter.write
    for verdict in VERDICTS:
        if verdict.counterexample is not None and verdict.ok:
            terminalreporter.section(f"{verdict.pair.name}: {verdict.status}")
            text = counterexample_text(verdict.pair, verdict, rerun_command(verdict.pair.name))
            write(text + "\n")
    terminalreporter.section("verdicts")
    write(render(verdict_table(VERDICTS)))
    write(summary_line(VERDICTS) + "\n")

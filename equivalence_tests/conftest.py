"""Shared fixtures: one workbench (server, databases, workers) per test run; the verdict report."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from types import FrameType

import pytest
from hypothesis import Phase, settings

from equivalence_tests.harness.check import Verdict
from equivalence_tests.harness.databases import ProvisioningError
from equivalence_tests.harness.drift import blockers, drift_lines, schema_drift
from equivalence_tests.harness.report import (
    Run,
    counterexample_text,
    render,
    summary_line,
    verdict_table,
)
from equivalence_tests.harness.server import ProvisioningError as ServerError
from equivalence_tests.harness.state import ServerLost
from equivalence_tests.harness.workbench import (
    Lab,
    SchemaError,
    Workbench,
    open_service,
    open_workbench,
    provision,
)
from equivalence_tests.harness.workers import WorkerError
from equivalence_tests.services import Service, discover

# `explain` re-runs failing cases many times to annotate lines; our report says more, faster.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
settings.register_profile("default", max_examples=100, phases=PHASES)
settings.register_profile("ci", max_examples=100, phases=PHASES, derandomize=True, database=None)
settings.register_profile("thorough", max_examples=2000, phases=PHASES)
settings.load_profile(os.environ.get("WORKBENCH_PROFILE", "default"))

RUN = Run()  # every selected pair, what became of it, and what a person must hear at the end
VERDICTS = RUN.verdicts


def _terminate_as_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGINT and SIGTERM (nox's second step after Ctrl-C, `timeout`'s signal, our parent's
    death) end the run the same way: fixtures tear down, so the databases are dropped and the
    workers stopped. A second signal during that teardown is ignored (nox sends SIGTERM 0.3 s
    after SIGINT); SIGKILL, and anything the teardown did not finish, is the janitor's job."""
    if RUN.interrupted:
        return
    RUN.interrupted = signal.Signals(signum).name
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """If nox is killed (SIGTERM to nox exits it at once), we get SIGTERM instead of running on
    as an orphan with both workers (Linux only; elsewhere nothing happens)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before we asked
        os.kill(os.getpid(), signal.SIGTERM)


def pytest_configure(config: pytest.Config) -> None:
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    signal.signal(signal.SIGINT, _terminate_as_interrupt)
    _die_with_parent()


BROKEN = (ProvisioningError, ServerError, WorkerError, ServerLost, SchemaError)


@pytest.fixture(scope="session")
def workbench() -> Iterator[Workbench]:
    """The demo service's workbench (the quality and plumbing tests use it)."""
    try:
        with open_workbench() as bench:
            RUN.notes = bench.notes
            yield bench
    except BROKEN as error:
        if RUN.started:  # the verdicts so far are still shown; this line joins them
            RUN.notes.append(f"workbench teardown: {error}")
            RUN.teardown_failed = True
            return
        pytest.exit(f"workbench: {error}", returncode=3)


class Services:
    """The main job's workbenches: one per service, opened when its first pair runs and
    stopped when the next service's begins (pairs are run service by service)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.current: tuple[str, Workbench, contextlib.ExitStack] | None = None

    def bench(self, name: str) -> Workbench:
        if self.current is not None and self.current[0] == name:
            return self.current[1]
        self.close()
        stack = contextlib.ExitStack()
        try:
            service = discover()[name]
            bench = stack.enter_context(open_service(self.lab, service))
            self._drift(bench, service)
        except BaseException:
            stack.close()
            raise
        self.current = (name, bench, stack)
        return bench

    @staticmethod
    def _drift(bench: Workbench, service: Service) -> None:
        """Each side's models against the schema: a blocking difference fails the run."""
        for side, worker in zip(("legacy_14", "modern_20"), bench.workers, strict=True):
            try:
                found = schema_drift(worker, service.models_module(side))
            except WorkerError as error:
                RUN.notes.append(f"{service.name}: drift of {side} not checked: {error}")
                continue
            for line in drift_lines(side, blockers(found)):
                RUN.blockers.append(f"{service.name}: {line}")

    def close(self) -> None:
        if self.current is not None:
            current, self.current = self.current, None
            bench = current[1]
            RUN.notes += [f"{current[0]}: {line}" for line in bench.refusals.lines(bench.catalog)]
            current[2].close()


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    try:
        with provision() as lab:
            RUN.notes = lab.notes
            opened = Services(lab)
            try:
                yield opened
            finally:
                opened.close()
    except BROKEN as error:
        if RUN.started:
            RUN.notes.append(f"workbench teardown: {error}")
            RUN.teardown_failed = True
            return
        pytest.exit(f"workbench: {error}", returncode=3)


@pytest.fixture
def verdicts() -> list[Verdict]:
    return VERDICTS


def rerun_command(name: str) -> str:
    """The command that reruns one pair in the session (so on the SQLAlchemy) that found it."""
    session = os.environ.get("WORKBENCH_SESSION", "equivalence")
    return f"python3 run_nox.py -s {session} -- --pair {shlex.quote(name)}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--pair", action="append", default=[], metavar="NAME",
                     help="run only this pair (repeatable)")
    parser.addoption("--service", action="append", default=[], metavar="NAME",
                     help="run only this service's pairs (repeatable)")


def _pair_name(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return getattr(callspec.params.get("pair"), "name", None) if callspec else None


def _pair_service(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return getattr(callspec.params.get("pair"), "service", None) if callspec else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = config.getoption("--pair")
    services = config.getoption("--service")
    if wanted or services:
        from equivalence_tests.registry import every_pair

        pairs, _ = every_pair()
        known = {pair.name for pair in pairs}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            pytest.exit(f"unknown pair {', '.join(unknown)}; pairs: "
                        f"{', '.join(sorted(known))}", returncode=4)
        known_services = sorted(discover())
        strangers = [name for name in services if name not in known_services]
        if strangers:
            pytest.exit(f"unknown service {', '.join(strangers)}; services: "
                        f"{', '.join(known_services)}", returncode=4)
        items[:] = [item for item in items if _pair_name(item) is None
                    or _pair_name(item) in wanted or _pair_service(item) in services]
    # The summary accounts for each of these, run or not.
    RUN.selected = [name for name in map(_pair_name, items) if name is not None]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RUN.selected:
        return
    write = terminalreporter.write
    for verdict in VERDICTS:
        if verdict.counterexample is not None and verdict.ok:
            terminalreporter.section(f"{verdict.pair.name}: {verdict.status}")
            text = counterexample_text(verdict.pair, verdict, rerun_command(verdict.pair.name))
            write(text + "\n")
    terminalreporter.section("verdicts")
    if VERDICTS:
        write(render(verdict_table(VERDICTS)))
    for note in RUN.notes:
        write(f"note: {note}\n")
    for name, error in RUN.errors.items():
        write(f"harness error in pair {name}: {error}\n")
    for blocker in RUN.blockers:
        write(f"blocker: {blocker}\n")
    for unpaired in RUN.unpaired:
        write(f"not compared: {unpaired.service} {unpaired.target}: {unpaired.reason}\n")
    write(summary_line(RUN) + "\n")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Whatever pytest thinks, a run that is not safe to ship does not exit 0."""
    if RUN.selected and not RUN.safe and session.exitstatus == 0:
        session.exitstatus = 1

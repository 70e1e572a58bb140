"""Shared fixtures: one workbench (server, databases, workers) per test run; the verdict report.

Under pytest-xdist (`-n N`) each worker is such a test run, with databases and workers of its
own; the controller starts nothing but, without WORKBENCH_DATABASE_URL, one throwaway server
the workers share; it gathers every worker's verdicts into one table and one summary line.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import settings

from equivalence_tests.domain.errors import WorkbenchError
from equivalence_tests.domain.run import Row, Run
from equivalence_tests.domain.verdict import Verdict
from equivalence_tests.harness.databases import OwnedDatabases
from equivalence_tests.harness.exampledb import REDIS_VAR, ExampleDatabaseError, example_database
from equivalence_tests.harness.report import (
    ERROR_PROPERTY,
    ROW_PROPERTY,
    STATE_OUTPUT,
    Gather,
    counterexample_text,
    render,
    summary_line,
    verdict_table,
)
from equivalence_tests.harness.server import URL_VAR, find_binaries, throwaway_server
from equivalence_tests.harness.workbench import (
    Lab,
    Workbench,
    open_service,
    provision,
)
from equivalence_tests.profiles import chosen, header, load
from equivalence_tests.runner import Workbenches, demo, every_pair
from equivalence_tests.services import discover

RUN = Run()  # every selected pair, what became of it, and what a person must hear at the end
GATHER = Gather(RUN)  # under xdist, on the controller: the workers' verdicts, into RUN
SHARED_SERVER = "workbench_server"  # workerinput key: the throwaway server the workers share
_CONTROLLER = contextlib.ExitStack()  # that server, stopped once every worker has ended


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
    # Before any test module is imported: their settings objects inherit from this profile.
    profile, tests = chosen(config.args)
    try:
        load(profile, tests=tests)
    except SystemExit as error:
        pytest.exit(str(error), returncode=3)
    config.stash[_PROFILE] = header(profile, tests)
    if not tests:
        _use_example_database(profile)


_PROFILE = pytest.StashKey[str]()


def pytest_report_header(config: pytest.Config) -> str:
    return config.stash.get(_PROFILE, "")


def _use_example_database(profile: str) -> None:
    """With WORKBENCH_HYPOTHESIS_REDIS, examples are saved to and replayed from that Redis too."""
    try:
        database = example_database()
    except ExampleDatabaseError as error:
        pytest.exit(f"workbench: {error}", returncode=3)
    if database is None:
        return
    if settings().derandomize:  # Hypothesis reads and writes no example database
        RUN.notes.append(f"{REDIS_VAR} is not used under WORKBENCH_PROFILE={profile} "
                         "(derandomized examples: no example database)")
        return
    settings.register_profile(profile, settings.default, database=database)
    settings.load_profile(profile)


def in_worker(config: pytest.Config) -> bool:
    """An xdist worker: it runs pairs and sends what became of them to the controller."""
    return hasattr(config, "workerinput")


def controls_workers(config: pytest.Config) -> bool:
    """The xdist controller (-n N, N > 0): it runs no test, it gathers the workers' results."""
    return not in_worker(config) and getattr(config.option, "dist", "no") != "no"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Without a database URL, the controller starts one throwaway server for all its workers
    (one initdb, one server's memory, not one each)."""
    if not controls_workers(session.config) or os.environ.get(URL_VAR, "").strip():
        return
    try:
        url = _CONTROLLER.enter_context(throwaway_server(find_binaries()))
    except WorkbenchError as error:
        pytest.exit(f"workbench: {error}", returncode=3)
    session.config.stash[_SHARED_URL] = url


_SHARED_URL = pytest.StashKey[str]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist (controller): hand the shared server down to each worker it starts."""
    url = node.config.stash.get(_SHARED_URL, None)
    if url is not None:
        node.workerinput[SHARED_SERVER] = url


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    GATHER.collected(ids)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    GATHER.node_down(node.gateway.id, getattr(node, "workeroutput", None), error)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """On the controller, a worker's report of a pair: its verdict row or harness error."""
    if getattr(report, "node", None) is None:
        return  # this process's own report
    crashed = str(report.longrepr) if str(report.when) == "???" else ""  # xdist's crash
    GATHER.report(report.nodeid, report.user_properties, crashed)


def pytest_unconfigure(config: pytest.Config) -> None:
    _CONTROLLER.close()


def send_to_controller(request: pytest.FixtureRequest, key: str, value: object) -> None:
    """Attach to the pair's test report what the controller needs of it (xdist workers only)."""
    if in_worker(request.config):
        request.node.user_properties.append((key, value))


def record_verdict(request: pytest.FixtureRequest, verdict: Verdict) -> None:
    RUN.verdicts.append(verdict)
    shown = ""
    if verdict.counterexample is not None and verdict.ok:
        shown = counterexample_text(verdict.pair, verdict, rerun_command(verdict.pair.name))
    send_to_controller(request, ROW_PROPERTY, Row.of(verdict, shown).wire())


def record_error(request: pytest.FixtureRequest, name: str, error: BaseException) -> None:
    RUN.errors[name] = f"{type(error).__name__}: {error}"
    send_to_controller(request, ERROR_PROPERTY, [name, RUN.errors[name]])


@contextlib.contextmanager
def _lab(config: pytest.Config) -> Iterator[Lab]:
    """The run's server and owned databases: the controller's shared throwaway server for an
    xdist worker when it started one, else provision() (the URL's server, or a throwaway one)."""
    shared = getattr(config, "workerinput", {}).get(SHARED_SERVER)
    with contextlib.ExitStack() as stack:
        if shared is None:
            lab = stack.enter_context(provision())
        else:
            lab = Lab(stack.enter_context(OwnedDatabases(shared)), "the throwaway PostgreSQL", [])
        # One list: what the workbench notes later (a server restart survived) is the run's.
        RUN.notes += lab.notes
        lab.notes = RUN.notes
        yield lab


@pytest.fixture(scope="session")
def workbench(pytestconfig: pytest.Config) -> Iterator[Workbench]:
    """The demo service's workbench (the quality and plumbing tests use it)."""
    try:
        with _lab(pytestconfig) as lab, open_service(lab, demo()) as bench:
            yield bench
    except WorkbenchError as error:
        if RUN.started:  # the verdicts so far are still shown; this line joins them
            RUN.notes.append(f"workbench teardown: {error}")
            RUN.teardown_failed = True
            return
        pytest.exit(f"workbench: {error}", returncode=3)


@pytest.fixture(scope="session")
def services(pytestconfig: pytest.Config) -> Iterator[Workbenches]:
    try:
        with _lab(pytestconfig) as lab:
            opened = Workbenches(lab, keep_open=in_worker(pytestconfig), blockers=RUN.blockers,
                             notes=RUN.notes)
            try:
                yield opened
            finally:
                opened.close()
    except WorkbenchError as error:
        if RUN.started:
            RUN.notes.append(f"workbench teardown: {error}")
            RUN.teardown_failed = True
            return
        pytest.exit(f"workbench: {error}", returncode=3)


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
    _mark_by_folder(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The summary accounts for each pair still selected (after `-m`, `-k`), run or not."""
    if session.config.option.collectonly:
        return  # nothing is run, so nothing is judged: no summary line, exit 0
    RUN.selected = [name for name in map(_pair_name, session.items) if name is not None]


# Outside unit/ every test drives PostgreSQL and both sides' workers; unit/ marks its own.
FOLDER_MARKS = {"quality": ("db", "slow"), "faults": ("db", "slow"),
                "study_tests": ("db", "slow"), "test_equivalence.py": ("db", "slow"),
                "test_study_browser.py": ("browser",)}


def _mark_by_folder(items: list[pytest.Item]) -> None:
    """`pytest -m "not db"` runs the pure tests alone, in about a second, with no server."""
    here = Path(__file__).resolve().parent
    for item in items:
        if not item.path.is_relative_to(here):
            continue  # a test file a test wrote elsewhere
        for part in item.path.relative_to(here).parts:
            for mark in FOLDER_MARKS.get(part, ()):
                item.add_marker(mark)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RUN.selected or in_worker(terminalreporter.config):
        return
    write = terminalreporter.write
    for verdict in RUN.verdicts:
        if verdict.counterexample is not None and verdict.ok:
            terminalreporter.section(f"{verdict.pair.name}: {verdict.text}")
            text = counterexample_text(verdict.pair, verdict, rerun_command(verdict.pair.name))
            write(text + "\n")
    for row in RUN.all_rows:  # known divergences found by xdist workers
        if row.shown:
            terminalreporter.section(f"{row.name}: {row.status}")
            write(row.shown + "\n")
    terminalreporter.section("verdicts")
    if RUN.all_rows:
        write(render(verdict_table(RUN.all_rows)))
    for note in RUN.notes:
        write(f"note: {note}\n")
    for name, error in RUN.errors.items():
        write(f"harness error in pair {name}: {error}\n")
    for blocker in RUN.blockers:
        write(f"blocker: {blocker}\n")
    for unpaired in RUN.unpaired:
        write(f"not compared: {unpaired.service} {unpaired.target}: {unpaired.reason}\n")
    write(summary_line(RUN) + "\n")


@pytest.hookimpl(trylast=True)  # after the fixtures' teardown (interrupted runs) and xdist's end
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Whatever pytest thinks, a run that is not safe to ship does not exit 0."""
    if in_worker(session.config):
        session.config.workeroutput[STATE_OUTPUT] = RUN.wire()  # type: ignore[attr-defined]
        return
    if RUN.selected and not RUN.safe and session.exitstatus == 0:
        session.exitstatus = 1

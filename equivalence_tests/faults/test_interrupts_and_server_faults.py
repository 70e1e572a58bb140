"""Interrupts and server faults end a run honestly and leave nothing behind.

Each test runs the real driver (the pytest process nox would start, and would signal) against
a PostgreSQL server of its own, which it may crash or restart. Signals follow nox's own
sequence on Ctrl-C: SIGINT, 0.3 s later SIGTERM, 0.2 s later SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest

from equivalence_tests.faults.pg_control import ControlledServer, controlled_server
from equivalence_tests.harness.databases import OwnedDatabases, sweep_leftovers
from equivalence_tests.harness.server import URL_VAR

ROOT = Path(__file__).resolve().parents[2]
READS = ("get_active_users", "get_user_orders", "get_product_by_sku", "require_tenant",
         "count_pending_orders", "get_user_invoices")


@pytest.fixture
def server() -> Iterator[ControlledServer]:
    with controlled_server() as own:
        yield own


def start_driver(server: ControlledServer, *pairs: str, parent: bool = False,
                 ) -> subprocess.Popen[str]:
    """The main job's pytest process on `server`, as nox starts it (optionally under a stand-in
    for nox: a parent process that dies at SIGTERM without passing it on, as nox does)."""
    command = [sys.executable, "-m", "pytest", "equivalence_tests/test_equivalence.py",
               "-p", "no:cacheprovider", *(f"--pair={name}" for name in pairs)]
    if parent:
        command = [sys.executable, "-c", "import subprocess, sys; "
                   "sys.exit(subprocess.call(sys.argv[1:]))", *command]
    env = {**os.environ, URL_VAR: server.url, "WORKBENCH_PROFILE": "default"}
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


@contextlib.contextmanager
def running_driver(server: ControlledServer, *pairs: str, parent: bool = False,
                   ) -> Iterator[subprocess.Popen[str]]:
    """`start_driver`, and whatever of it still runs is killed at the end, pass or fail."""
    driver = start_driver(server, *pairs, parent=parent)
    try:
        yield driver
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def workers_on(server: ControlledServer) -> list[int]:
    """Worker (and janitor-free) processes whose DATABASE_URL points at this server."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if b"DATABASE_URL=" in environ and str(server.base).encode() in environ:
            found.append(int(pid))
    return found


def like_nox_ctrl_c(process: subprocess.Popen[str]) -> None:
    """What nox does to its command on Ctrl-C (nox/popen.py: shutdown_process)."""
    for sig, wait in ((signal.SIGINT, 0.3), (signal.SIGTERM, 0.2), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            return
        process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)


def finish(process: subprocess.Popen[str], timeout: float = 120) -> str:
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise AssertionError(f"the driver did not finish within {timeout} s:\n{output}") from None
    return output


def assert_nothing_left(server: ControlledServer) -> None:
    wait_for(lambda: not server.databases(), 20, "the run's databases to be dropped")
    wait_for(lambda: not workers_on(server), 20, "the workers to exit")


@pytest.mark.parametrize("when", ["while provisioning", "mid-run"])
def test_ctrl_c_as_nox_delivers_it_leaves_no_database_and_never_says_safe(
        server: ControlledServer, when: str) -> None:
    with running_driver(server, *READS) as driver:
        wait_for(server.databases, 60, "the run's databases")
        if when == "mid-run":
            time.sleep(4)
        like_nox_ctrl_c(driver)
        output = finish(driver)
        assert driver.returncode != 0
        assert "-> safe to ship" not in output
        assert_nothing_left(server)


def test_sigkill_of_the_driver_leaves_no_database_the_janitor_drops_them(
        server: ControlledServer) -> None:
    with running_driver(server, *READS) as driver:
        wait_for(lambda: len(server.databases()) == 2, 60, "the run's databases")
        time.sleep(2)
        driver.kill()
        finish(driver)
        assert_nothing_left(server)


def test_sigterm_to_nox_ends_the_driver_too_instead_of_orphaning_it(
        server: ControlledServer) -> None:
    with running_driver(server, *READS, parent=True) as driver:  # the parent stands in for nox
        wait_for(lambda: len(server.databases()) == 2, 60, "the run's databases")
        time.sleep(2)
        driver.terminate()  # to "nox" only, which dies without passing it on
        finish(driver)
        started = time.monotonic()
        assert_nothing_left(server)
        assert time.monotonic() - started < 15


def test_a_server_restart_mid_run_reconnects_and_the_verdicts_stand(
        server: ControlledServer) -> None:
    pairs = ("get_active_users", "get_user_orders", "count_pending_orders")
    with running_driver(server, *pairs) as driver:
        wait_for(lambda: len(server.databases()) == 2, 60, "the run's databases")
        time.sleep(2)
        server.stop()
        server.start()
        output = finish(driver)
        assert "Traceback" not in output, output
        assert "restarted during the run" in output, output
        assert "3 pairs (SQLAlchemy 1.4.54 vs " in output and "3 equivalent" in output, output
        assert driver.returncode == 0, output
        assert_nothing_left(server)


def test_a_server_that_dies_mid_run_ends_it_with_one_line_naming_what_was_left(
        server: ControlledServer) -> None:
    with running_driver(server, *READS) as driver:
        wait_for(lambda: len(server.databases()) == 2, 60, "the run's databases")
        names = server.databases()
        time.sleep(2)
        server.crash()
        output = finish(driver, timeout=150)
        assert driver.returncode != 0
        assert "Traceback" not in output, output
        assert "-> NOT safe to ship" in output, output
        lines = [line for line in output.splitlines() if "went away" in line]
        assert lines, output
        assert all(name in lines[0] for name in names), output
        # The server comes back: the janitor, still trying, or the next run drops them.
        server.start()
        wait_for(lambda: not workers_on(server), 20, "the workers to exit")
        swept = sweep_leftovers(server.url)
        assert {leftover.name for leftover in swept} <= set(names)
        assert {leftover.action for leftover in swept} <= {"dropped"}
        wait_for(lambda: not server.databases(), 20, "the leftovers to be dropped")


def test_leftovers_of_dead_runs_are_dropped_and_nothing_else_is_touched(
        server: ControlledServer) -> None:
    dead = OwnedDatabases(server.url)
    dead.create("legacy_14")
    dead.create("modern_20")
    assert dead._janitor is not None and dead._alive is not None
    dead._janitor.kill()  # the run, its janitor and its lock all gone: a SIGKILL and a crash
    dead._janitor.wait()
    dead._alive.close()
    alive = OwnedDatabases(server.url)
    alive.create("legacy_14")
    alive.hold_liveness_lock()
    with contextlib.closing(psycopg2.connect(server.url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE wb_deadbeef_legacy_14")  # our name, no mark
            cur.execute("CREATE DATABASE wb_cafe_x")  # our name, a mark of another run's name
            cur.execute(f"COMMENT ON DATABASE wb_cafe_x IS '{dead.marker}'")
    try:
        swept = sweep_leftovers(server.url)
        assert sorted((s.name, s.action) for s in swept) == [
            (f"wb_{dead.run_id}_legacy_14", "dropped"), (f"wb_{dead.run_id}_modern_20", "dropped")]
        assert server.databases() == sorted(
            [f"wb_{alive.run_id}_legacy_14", "wb_cafe_x", "wb_deadbeef_legacy_14"])
    finally:
        alive.drop_all()

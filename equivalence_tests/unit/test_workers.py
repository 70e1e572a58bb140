"""Worker processes: the version check on real interpreters, and one clear line when a worker
runs the wrong environment, crashes, hangs, or is asked for a function that does not exist."""

import subprocess
import sys
from pathlib import Path

import pytest

from equivalence_tests.domain.errors import ResetBlocked, WorkerError
from equivalence_tests.harness.workbench import open_workbench, sides_from_environment
from equivalence_tests.harness.workers import Side, Worker
from equivalence_tests.registry import pair
from equivalence_tests.runner import check, demo
from equivalence_tests.strategies import key_of

pytestmark = pytest.mark.db

NOWHERE = "postgresql://nobody@127.0.0.1:1/none"  # engines connect lazily: never dialled here
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def legacy() -> Side:
    return sides_from_environment()[0]


@pytest.fixture(scope="module")
def modern() -> Side:
    return sides_from_environment()[1]


def one_line(error: pytest.ExceptionInfo[WorkerError]) -> str:
    text = str(error.value)
    assert "\n" not in text
    return text


def test_each_worker_reports_the_version_its_environment_pins(legacy: Side, modern: Side):
    for side in (legacy, modern):
        worker = Worker(side, NOWHERE)
        try:
            assert worker.hello["sqlalchemy"] == side.pinned_sqlalchemy()
        finally:
            worker.stop()


def test_legacy_code_in_the_modern_interpreter_is_refused(legacy: Side, modern: Side):
    wrong = Side(legacy.package, legacy.env, modern.python)
    with pytest.raises(WorkerError) as error:
        Worker(wrong, NOWHERE)
    text = one_line(error)
    assert "runs SQLAlchemy 2." in text and "pins 1.4.54" in text


def test_a_missing_interpreter_says_how_to_build_it(legacy: Side):
    with pytest.raises(WorkerError) as error:
        Worker(Side(legacy.package, legacy.env, "/nonexistent/python"), NOWHERE)
    assert "nox" in one_line(error)


def test_a_crashed_worker_is_one_line_with_its_exit_status(legacy: Side):
    worker = Worker(legacy, NOWHERE)
    worker.send({"op": "call", "target": "equivalence_tests.mutants.legacy:crash", "args": {}})
    with pytest.raises(WorkerError) as error:
        worker.receive()
    assert "exited with status 7" in one_line(error)
    worker.stop()


def test_a_hanging_call_is_stopped_after_the_timeout(legacy: Side):
    worker = Worker(legacy, NOWHERE)
    worker.send({"op": "call", "target": "equivalence_tests.mutants.legacy:hang",
                 "args": {"seconds": 30}})
    with pytest.raises(WorkerError) as error:
        worker.receive(timeout=1)
    assert "did not answer within 1 s" in one_line(error)
    assert worker.process.poll() is not None


def test_an_unknown_function_is_a_workbench_error_not_a_verdict(legacy: Side):
    worker = Worker(legacy, NOWHERE)
    try:
        worker.send({"op": "call", "target": "repositories:no_such_function", "args": {}})
        with pytest.raises(WorkerError) as error:
            worker.receive()
        assert "no_such_function" in one_line(error)
    finally:
        worker.stop()


def test_an_unknown_op_is_refused_not_run_as_a_call(legacy: Side):
    worker = Worker(legacy, NOWHERE)
    try:
        worker.send({"op": "cal", "target": "repositories:get_user_by_id", "args": {}})
        with pytest.raises(WorkerError) as error:
            worker.receive()
        assert "unknown op 'cal'" in one_line(error)
    finally:
        worker.stop()


def test_an_unknown_pair_is_one_line_naming_the_registered_ones():
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "equivalence_tests/test_equivalence.py",
         "--pair", "no_such_pair", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 4
    assert "unknown pair no_such_pair; pairs: " in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_a_worker_crashing_inside_a_search_ends_it_with_that_one_line(legacy: Side, modern: Side):
    crash = pair("equivalence_tests.mutants.legacy:crash", registry={},
                 modern="equivalence_tests.mutants.legacy:crash")
    with open_workbench(demo(), (legacy, modern)) as bench, pytest.raises(WorkerError) as error:
        check(crash, bench)
    assert "exited with status 7" in one_line(error)


def test_a_transaction_left_open_ends_the_run_with_one_line_not_a_hang(legacy: Side,
                                                                        modern: Side):
    stuck = pair("equivalence_tests.mutants.legacy:lock_user_and_leave",
                 {"user_id": key_of("users")}, registry={},
                 modern="equivalence_tests.mutants.legacy:lock_user_and_leave")
    with open_workbench(demo(), (legacy, modern)) as bench, pytest.raises(ResetBlocked) as error:
        check(stuck, bench)
    assert "left a transaction open" in str(error.value) and "\n" not in str(error.value)


def test_a_side_that_leaves_a_transaction_open_is_named_and_its_worker_restarted(
        legacy: Side, modern: Side):
    leaves = pair("equivalence_tests.mutants.legacy:read_and_leave", {"user_id": key_of("users")},
                  registry={}, modern="repositories:get_user_orders")
    with open_workbench(demo(), (legacy, modern)) as bench:
        before = bench.workers[0].process.pid
        verdict = check(leaves, bench, max_examples=10)
        assert verdict.tally.leaked == ["legacy_14"]
        assert bench.workers[0].process.pid != before
        assert bench.leaked_transactions() == []

"""A worker's stderr is kept as a bounded tail: side code that prints megabytes per call must
not grow the driver's memory, and a crash still names its last line. And a worker in the wrong
environment says how to rebuild it with what every machine has (nox may not be on PATH)."""

import os
import threading

import pytest

from equivalence_tests.domain.errors import WorkerError
from equivalence_tests.harness.workbench import sides_from_environment
from equivalence_tests.harness.workers import STDERR_KEPT, Side, Tail, Worker

pytestmark = pytest.mark.db

NOWHERE = "postgresql://nobody@127.0.0.1:1/none"  # engines connect lazily: never dialled here
SHOUT = "equivalence_tests.mutants.legacy:shout"


def test_a_tail_keeps_only_its_limit_and_the_last_line():
    reader, writer = os.pipe()
    tail = Tail(open(reader, "rb", buffering=0), limit=1000)  # noqa: SIM115
    with open(writer, "wb") as stream:
        for i in range(5000):
            stream.write(f"line {i}\n".encode())
        stream.write(b"the end\n\n  \n")
    assert tail.last_line() == "the end"
    assert len(tail) == 1000


def test_the_writer_never_blocks_on_a_full_pipe():
    reader, writer = os.pipe()
    tail = Tail(open(reader, "rb", buffering=0), limit=100)  # noqa: SIM115
    done = threading.Event()

    def write() -> None:
        with open(writer, "wb") as stream:
            stream.write(b"y" * (8 * 1024 * 1024))  # far more than a pipe buffers
        done.set()

    threading.Thread(target=write, daemon=True).start()
    assert done.wait(30)
    tail.last_line()
    assert len(tail) == 100


def test_megabytes_of_stderr_per_call_keep_a_bounded_tail_and_a_crash_names_its_last_line():
    legacy = sides_from_environment()[0]
    worker = Worker(legacy, NOWHERE)
    try:
        for _ in range(20):  # 10 MB each: 200 MB written, 64 KiB kept
            worker.send({"op": "call", "target": SHOUT, "args": {"megabytes": 10}})
            assert worker.receive()["outcome"] == 10
            assert len(worker.stderr) <= STDERR_KEPT
        worker.send({"op": "call", "target": "equivalence_tests.mutants.legacy:crash_saying",
                     "args": {"message": "the last words"}})
        with pytest.raises(WorkerError) as error:
            worker.receive()
        assert str(error.value) == "legacy_14 worker exited with status 9: the last words"
        assert len(worker.stderr) <= STDERR_KEPT
    finally:
        worker.stop()


def test_a_version_mismatch_suggests_the_bootstrap_not_a_bare_nox():
    legacy, modern = sides_from_environment()
    with pytest.raises(WorkerError) as error:
        Worker(Side(legacy.package, legacy.env, modern.python), NOWHERE)
    assert f"rebuild it with `python3 run_nox.py -s {legacy.env}`" in str(error.value)

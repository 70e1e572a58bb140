"""The driver's side of the protocol: one long-lived worker process per side, in its own venv."""

from __future__ import annotations

import io
import os
import re
import selectors
import subprocess
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from equivalence_tests.domain.errors import WorkerError
from shared_schema import protocol

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120.0
CALL_TIMEOUT = 120.0
STDERR_KEPT = 64 * 1024  # bytes of a worker's stderr kept: enough for its last traceback


@dataclass(frozen=True)
class Side:
    """Which code runs where: package `legacy_14` in the nox environment `legacy_14`, say."""

    package: str
    env: str
    python: str
    # Extra variables for this worker's process only: a readiness runtime's flags
    # (WORKBENCH_FUTURE, WORKBENCH_MODELS_FROM, ..., read by shared_schema/worker.py).
    environ: tuple[tuple[str, str], ...] = ()

    def pinned_sqlalchemy(self) -> str:
        return pinned_version(self.env)


def pinned_version(group: str, pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The SQLAlchemy version pyproject.toml pins for an environment's dependency group."""
    groups = tomllib.loads(pyproject.read_text())["dependency-groups"]
    if group not in groups:
        raise WorkerError(f"no dependency group {group!r} in pyproject.toml; known: "
                          f"{', '.join(groups)}")
    for requirement in groups[group]:
        match = re.fullmatch(r"sqlalchemy(\[[^\]]*\])?==([\w.]+)", requirement.strip(), re.I)
        if match:
            return match.group(2)
    raise WorkerError(f"dependency group {group!r} pins no SQLAlchemy version")


def check_hello(side: Side, hello: protocol.Message) -> None:
    """Refuse to compare anything if a worker runs another SQLAlchemy than its side pins."""
    expected = side.pinned_sqlalchemy()
    if hello.get("op") != "hello" or hello.get("side") != side.package:
        raise WorkerError(f"{side.package} worker sent {hello!r} instead of its hello")
    if hello.get("sqlalchemy") != expected:
        raise WorkerError(
            f"{side.package} worker runs SQLAlchemy {hello.get('sqlalchemy')} but environment "
            f"{side.env} pins {expected}: rebuild it with `python3 run_nox.py -s {side.env}` "
            f"(interpreter {side.python})"
        )


class Tail:
    """The last `limit` bytes a stream wrote. A daemon thread drains the pipe, so the writer
    never blocks on it and a function that prints megabytes per call costs no memory."""

    def __init__(self, stream: io.FileIO, limit: int = STDERR_KEPT) -> None:
        self.limit = limit
        self._kept = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream: io.FileIO) -> None:
        with stream:  # closed here, at end of file: never under a read in progress
            while chunk := stream.read(65536):
                with self._lock:
                    self._kept += chunk
                    del self._kept[:-self.limit]

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)

    def last_line(self, wait: float = 5.0) -> str:
        """The last non-empty line, once the writer is gone and everything it wrote is read."""
        self._thread.join(wait)
        with self._lock:
            text = self._kept.decode(errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else ""


class Worker:
    """A worker process: JSON lines in on stdin, JSON lines out on stdout, the tail of its
    stderr (tracebacks, and whatever side code prints) kept in memory."""

    def __init__(self, side: Side, database_url: str) -> None:
        self.side = side
        self.database_url = database_url
        if not Path(side.python).exists():
            raise WorkerError(f"no interpreter for {side.package} at {side.python}: run it "
                              f"through nox (`python3 run_nox.py -s equivalence`), which builds "
                              f"{side.env}")
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
               "PYTHONDONTWRITEBYTECODE": "1", **dict(side.environ)}
        reader, writer = os.pipe()  # stderr: a pipe of bytes, drained into a bounded tail
        try:
            self.process = subprocess.Popen(
                [side.python, "-m", "shared_schema.worker", side.package],
                cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=writer, text=True, encoding="utf-8", bufsize=1,
            )
        except BaseException:
            os.close(reader)
            raise
        finally:
            os.close(writer)
        self.stderr = Tail(open(reader, "rb", buffering=0))  # noqa: SIM115  (Tail closes it)
        self._selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self._selector.register(self.process.stdout, selectors.EVENT_READ)
        self.hello = self.receive(START_TIMEOUT)
        check_hello(side, self.hello)

    def send(self, message: protocol.Message) -> None:
        assert self.process.stdin is not None
        try:
            protocol.send(self.process.stdin, message)
        except (BrokenPipeError, OSError) as error:
            raise self._died() from error

    def receive(self, timeout: float = CALL_TIMEOUT) -> protocol.Message:
        assert self.process.stdout is not None
        if not self._selector.select(timeout):
            self.process.kill()
            self.stop()
            raise WorkerError(f"{self.side.package} worker did not answer within {timeout:.0f} s "
                              "(a function that hangs? a lock?); it was stopped")
        line = self.process.stdout.readline()
        if not line:
            raise self._died()
        reply = protocol.parse(line)
        if reply["op"] == "harness_error":
            message = str(reply["message"]).strip().splitlines() or ["(no message)"]
            raise WorkerError(f"{self.side.package} worker failed: {message[0]}")
        return reply

    # One method per op the driver sends (shared_schema/protocol.py); `send` and `receive`
    # stay the transport under them.

    def start_calls(self, target: str, calls: list[Any], *, loads: tuple[str, ...],
                    commit: bool, keep_parameters: bool, database: str) -> None:
        """Send an example's calls; `results()` reads the answers, so both sides run at once."""
        self.send({"op": "calls", "target": target, "calls": calls, "loads": list(loads),
                   "commit": commit, "keep_parameters": keep_parameters, "database": database})

    def results(self) -> list[protocol.Message]:
        """One reply per call the side ran, up to its first that may have changed the data."""
        return list(self.receive()["results"])

    def ddl(self, models: str) -> list[str]:
        """The CREATE statements of `models`' metadata, as this side's SQLAlchemy emits them."""
        self.send({"op": "ddl", "models": models})
        return [str(statement) for statement in self.receive()["statements"]]

    def drift(self, models: str, metadata: str) -> list[dict[str, Any]]:
        """Where `models` declares its tables differently from this side's database."""
        self.send({"op": "drift", "models": models, "metadata": metadata})
        reply = self.receive()
        if reply.get("op") != "drift" or not isinstance(reply.get("differences"), list):
            raise WorkerError(f"{self.side.package} worker answered a drift request with "
                              f"{str(reply)[:200]}")
        return list(reply["differences"])

    def _died(self) -> WorkerError:
        code = self.process.wait(timeout=10)
        last = self.stderr.last_line() or "no output"
        return WorkerError(f"{self.side.package} worker exited with status {code}: {last}")

    def restart(self) -> Worker:
        """Stop this worker and start a fresh one on the same database (new engines, no
        transaction or pooled connection carried over)."""
        self.stop()
        return Worker(self.side, self.database_url)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.send({"op": "quit"})
                self.process.wait(timeout=5)
            except (WorkerError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()

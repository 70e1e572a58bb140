"""A PostgreSQL server a fault test may stop, crash and restart: never the machine's own.

It plays the user's server (the driver gets its URL through WORKBENCH_DATABASE_URL); it runs
from the same binaries, as the same account, as the workbench's throwaway server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg2

from equivalence_tests.harness.server import (
    INITDB_OPTIONS,
    SERVER_SETTINGS,
    SUPERUSER,
    _account,
    _run_as,
    _stop,
    _temp_parent,
    _usable_binaries,
    _wait_until_ready,
    find_binaries,
)


class ControlledServer:
    """initdb once; then start, crash (SIGKILL of every server process) and start again."""

    def __init__(self) -> None:
        self.account = _account()
        self.base = Path(tempfile.mkdtemp(prefix="wb-fault-pg-", dir=_temp_parent(self.account)))
        self.account.give(self.base)
        self.binaries = _usable_binaries(find_binaries(), self.base, self.account)
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.url = f"postgresql://{SUPERUSER}@/postgres?host={quote(str(self.base), safe='/')}"
        initdb = [str(self.binaries.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                  *INITDB_OPTIONS]
        if _run_as(self.account, initdb, self.base, self.base / "initdb.log", 120) != 0:
            raise RuntimeError(f"initdb failed: {(self.base / 'initdb.log').read_text()[-500:]}")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        settings = [f"-c{key}={value}" for key, value in SERVER_SETTINGS.items()]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(self.binaries.bindir / "postgres"), "-D", str(self.data), "-k",
                 str(self.base), *settings],
                cwd=self.base, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, user=self.account.uid, group=self.account.gid,
                extra_groups=self.account.extra_groups,
            )
        _wait_until_ready(self.url, self.process, self.log)

    def stop(self) -> None:
        """A clean shutdown (what a restart by an administrator does first)."""
        if self.process is not None:
            _stop(self.process)
            self.process = None

    def crash(self) -> None:
        """SIGKILL the postmaster and every backend: the server is simply gone."""
        if self.process is None:
            return
        for pid in self.server_pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None
        deadline = time.monotonic() + 10
        while self.server_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        with contextlib.suppress(OSError):
            (self.data / "postmaster.pid").unlink()

    def server_pids(self) -> list[int]:
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
                exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
            except OSError:
                continue
            if cwd.startswith(str(self.base)) and exe.startswith("postgres"):
                pids.append(int(pid))
        return pids

    def databases(self, pattern: str = "wb\\_%") -> list[str]:
        with contextlib.closing(psycopg2.connect(self.url, connect_timeout=5)) as conn, \
                conn.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1",
                        (pattern,))
            return [row[0] for row in cur.fetchall()]

    def remove(self) -> None:
        self.stop()
        self.crash()
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def controlled_server() -> Iterator[ControlledServer]:
    server = ControlledServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()

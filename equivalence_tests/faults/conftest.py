"""Fault tests: real nox runs of a copy of the checkout, each against a server of its own."""

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

import pytest

from equivalence_tests.harness.server import find_binaries, throwaway_server

ROOT = Path(__file__).resolve().parents[2]
# Not copied when the checkout is no git work tree: environments, caches, history.
SKIP = shutil.ignore_patterns(".git", ".nox", ".nox-bootstrap", ".hypothesis", "*_cache",
                              "__pycache__")


def _processes_in(directory: Path) -> list[int]:
    """Processes (other than us) working in `directory`: runs of the copy and all they started."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if int(pid) != os.getpid() and (cwd == str(directory) or cwd.startswith(f"{directory}/")):
            pids.append(int(pid))
    return pids


def _stop_leftovers(directory: Path) -> None:
    """What still runs in the copy gets 15 s to end by itself (safety nets clean up), then KILL."""
    deadline = time.monotonic() + 15
    while _processes_in(directory) and time.monotonic() < deadline:
        time.sleep(0.1)
    deadline = time.monotonic() + 5
    while (pids := _processes_in(directory)) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)


@pytest.fixture
def own_server() -> Iterator[str]:
    """A throwaway PostgreSQL for this test alone (never the machine's server); removed after."""
    with throwaway_server(find_binaries()) as url:
        yield url


@pytest.fixture
def checkout_copy() -> Iterator[Path]:
    """The checkout's files as a user has them (git's view: no ignored files) in a temp dir;
    what still runs in it at the end is stopped, then it is removed."""
    base = Path(tempfile.mkdtemp(prefix="wb-faults-"))
    copy = base / "checkout"
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=False,
        )
        if listed.returncode == 0:
            for name in filter(None, listed.stdout.decode().split("\0")):
                source = ROOT / name
                if source.is_file():  # tracked files deleted in the work tree are skipped
                    (copy / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, copy / name)
        else:
            shutil.copytree(ROOT, copy, ignore=SKIP)
        yield copy
    finally:
        _stop_leftovers(copy)
        shutil.rmtree(base, ignore_errors=True)

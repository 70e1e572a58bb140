"""Two README commands in one checkout at the same time both finish, each with its verdict.

Started at once, the first builds the environments under .nox/'s build lock and the second says
which pid it waits for, then reuses them. Started while the first runs its pytest, the second
reuses the environments as they are (before the lock and reuse, it rebuilt them under the first,
which then failed with an ImportError). Either way both then run their pair at the same time.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

NOX = Path(sys.executable).parent / "nox"  # the faults environment installs nox
COMMAND = ["-s", "equivalence", "--", "--pair", "get_active_users"]
RUN_TIMEOUT = 900.0
VERDICT = re.compile(r"^1 pairs \(SQLAlchemy .+\): 1 equivalent -> safe to ship$", re.M)
LONG_COMMAND = b"nox > pytest "  # what nox prints as the first run starts its long command


def _nox_env(database_url: str) -> dict[str, str]:
    """The user's environment, minus what our own nox session set, plus our server."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("WORKBENCH_", "NOX_")) and key != "VIRTUAL_ENV"}
    env["PATH"] = f"{NOX.parent}{os.pathsep}{env.get('PATH', '')}"
    env["WORKBENCH_DATABASE_URL"] = database_url
    env["WORKBENCH_PROFILE"] = "ci"
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a run and everything left in its process group (SIGTERM, then SIGKILL); never hangs."""
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break  # nothing left in the group
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()  # reap nox itself: a zombie still counts as in the group
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def _tail(output: str, lines: int = 25) -> str:
    return "\n".join(output.splitlines()[-lines:])


@pytest.mark.parametrize("second", ["at once", "during the first's pytest"])
def test_two_equivalence_runs_in_one_checkout_both_pass(
    second: str, own_server: str, checkout_copy: Path  # the server outlives the copy's runs
) -> None:
    if not NOX.exists():
        pytest.fail(f"no nox next to {sys.executable}: run this through `nox -s faults`")
    # Beside the copy, so they go with it.
    logs: list[IO[bytes]] = [(checkout_copy.parent / f"run{i}.log").open("w+b") for i in (1, 2)]
    runs: list[subprocess.Popen[bytes]] = []
    started = time.monotonic()
    deadline = started + RUN_TIMEOUT
    late = False
    try:
        for log in logs:
            if runs and second != "at once":
                while LONG_COMMAND not in logs[0].read() and runs[0].poll() is None:
                    if time.monotonic() > deadline:
                        break
                    logs[0].seek(0)
                    time.sleep(0.1)
            runs.append(subprocess.Popen(
                [str(NOX), *COMMAND], cwd=checkout_copy, env=_nox_env(own_server),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            ))
        for run in runs:
            try:
                run.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                late = True
                break
    finally:
        for run in runs:
            _stop(run)
        outputs = []
        for log in logs:
            log.seek(0)
            outputs.append(log.read().decode(errors="replace"))
            log.close()
    print(f"two runs ({second}): {time.monotonic() - started:.0f} s")

    assert not late, f"not finished within {RUN_TIMEOUT:.0f} s:\n" + "\n".join(map(_tail, outputs))
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, f"run {run.pid} exited {run.returncode}:\n{_tail(output)}"
        assert "Traceback" not in output, f"run {run.pid} printed a traceback:\n{output}"
        assert VERDICT.search(output), f"run {run.pid} printed no verdict line:\n{_tail(output)}"
    waited = [output for output, other in zip(outputs, runs[::-1], strict=True)
              if f"waiting for nox (pid {other.pid})" in output]
    if second == "at once":
        # One run builds; the other waits for it (or, started a moment later, finds the lock
        # already released) and only reuses what was built.
        assert len(waited) <= 1, "both runs waited:\n" + "\n---\n".join(outputs)
        builders = [o for o in outputs if "Creating virtual environment" in o]
        assert len(builders) == 1, "not exactly one run built:\n" + "\n---\n".join(outputs)
        built_again = waited[0] if waited else next(o for o in outputs if o is not builders[0])
    else:
        assert not waited, "the first run held the build lock during its pytest:\n" + outputs[1]
        built_again = outputs[1]
    assert "Creating virtual environment" not in built_again, built_again
    assert built_again.count("Reusing existing virtual environment") == 3, built_again

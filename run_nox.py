"""Run nox on a machine that has only Python >= 3.11: install it into .nox-bootstrap/ once."""

import fcntl
import os
import subprocess
import sys
import venv
from pathlib import Path

NOX = "nox[uv]==2026.10.20"
HERE = Path(__file__).resolve().parent
ENV = HERE / ".nox-bootstrap"
# Two first runs at once must not build .nox-bootstrap/ over each other.
LOCK = HERE / ".nox" / ".bootstrap.lock"


def installed() -> bool:
    """nox is there, at the pinned version, and its install finished (RECORD is written last)."""
    version = NOX.partition("==")[2]
    records = ENV.glob(f"lib/python3*/site-packages/nox-{version}.dist-info/RECORD")
    return (ENV / "bin" / "nox").exists() and any(records)


def bootstrap() -> None:
    LOCK.parent.mkdir(exist_ok=True)
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"run_nox.py: waiting for another run_nox.py to finish installing {NOX}",
                  file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        if installed():
            return
        print(f"run_nox.py: installing {NOX} into {ENV}", file=sys.stderr)
        venv.create(ENV, with_pip=True, clear=True)
        done = subprocess.run([ENV / "bin" / "python", "-m", "pip", "install", "-q", NOX])
        if done.returncode != 0 or not installed():
            sys.exit(f"run_nox.py: installing {NOX} into {ENV} failed (see above); check the "
                     "network or the package index, then run again")
    finally:
        os.close(fd)


def main() -> None:
    bindir = ENV / "bin"
    if not installed():
        bootstrap()
    os.chdir(HERE)
    os.environ["PATH"] = f"{bindir}{os.pathsep}{os.environ['PATH']}"
    os.execv(bindir / "nox", ["nox", *sys.argv[1:]])


if __name__ == "__main__":
    main()

"""Run nox on a machine that has only Python >= 3.11: install it into .nox-bootstrap/ once."""

import os
import subprocess
import sys
import venv
from pathlib import Path

NOX = "nox[uv]==2026.10.20"
HERE = Path(__file__).resolve().parent
ENV = HERE / ".nox-bootstrap"


def main() -> None:
    bindir = ENV / "bin"
    if not (bindir / "nox").exists():
        print(f"run_nox.py: installing {NOX} into {ENV}", file=sys.stderr)
        venv.create(ENV, with_pip=True, clear=True)
        subprocess.run([bindir / "python", "-m", "pip", "install", "-q", NOX], check=True)
    os.chdir(HERE)
    os.environ["PATH"] = f"{bindir}{os.pathsep}{os.environ['PATH']}"
    os.execv(bindir / "nox", ["nox", *sys.argv[1:]])


if __name__ == "__main__":
    main()

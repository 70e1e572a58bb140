"""Environments of the workbench: one per side, one for the driver. `nox -l` lists them."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["equivalence"]
nox.options.error_on_missing_interpreters = False
# Environments are kept between runs: `uv pip install` of the pinned versions is then a no-op, or
# moves an environment to new pins after pyproject.toml changed. Never rebuilt under a run that
# uses them (`--reuse-venv=never` on the command line still does that).
nox.options.reuse_venv = "yes"

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT))  # for equivalence_tests.services (standard library only)
from equivalence_tests.services import workbench_paths  # noqa: E402

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
SIDES = ("legacy_14", "modern_20", "modern_21")
ENVDIR = ROOT / ".nox"
# Set by the nox process holding the build lock; its `--parallel` children build under it.
HOLDER_VAR = "WORKBENCH_BUILD_LOCK"
INTERRUPT_TIMEOUT = 15.0
NOT_BUILDING = {"-l", "--list", "--list-sessions", "--json", "--usage", "-h", "--help",
                "--version"}


class BuildLock:
    """Serializes what creates or changes environments in .nox/ across nox runs of this checkout.

    Taken when nox loads this file, released right before a session starts its long command
    (pytest, the bench): two runs started at once build one after the other, then run together.
    An advisory fcntl lock: the kernel drops it when its process ends, however it ends.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        self.checked = False

    def acquire(self, *, wait: bool = True) -> bool:
        if self.fd is not None or os.environ.get(HOLDER_VAR) == f"{self.path}:{os.getppid()}":
            return True
        self.path.parent.mkdir(exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                os.close(fd)
                return False
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            print(f"nox > waiting for nox (pid {holder}) to finish building the environments in "
                  f"{self.path.parent}", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        os.environ[HOLDER_VAR] = f"{self.path}:{os.getpid()}"
        if not self.checked:
            self.checked = True
            remove_broken_environments(self.path.parent)
        return True

    def release(self) -> None:
        if self.fd is None:
            return
        os.ftruncate(self.fd, 0)
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None
        os.environ.pop(HOLDER_VAR, None)


def remove_broken_environments(envdir: Path) -> None:
    """nox would reuse an environment whose creation was cut short: delete those, so it rebuilds."""
    if not envdir.is_dir():
        return
    for env in sorted(envdir.iterdir()):
        if env.name.startswith(".") or not env.is_dir():
            continue
        python = env / "bin" / "python"
        if (env / "pyvenv.cfg").is_file() and os.access(python, os.X_OK):
            continue
        print(f"nox > removing the broken environment {env} (no pyvenv.cfg or no python); it "
              "is rebuilt", file=sys.stderr, flush=True)
        shutil.rmtree(env, ignore_errors=True)


BUILD_LOCK = BuildLock(ENVDIR / ".build.lock")
if not NOT_BUILDING.intersection(sys.argv[1:]):
    BUILD_LOCK.acquire()


def _unimportable(session: nox.Session, modules: tuple[str, ...]) -> list[str]:
    """The modules the session's environment fails to import (a build cut short, files gone)."""
    probe = ("import importlib\n"
             f"for name in {list(modules)!r}:\n"
             "    try:\n        importlib.import_module(name)\n"
             "    except Exception:\n        print(name)")
    return str(session.run("python", "-c", probe, silent=True, log=False) or "").split()


def _install(session: nox.Session, group: str, *modules: str) -> None:
    """Install a dependency group's pins; reinstall them if the environment cannot import them."""
    BUILD_LOCK.acquire()
    requirements = nox.project.dependency_groups(PYPROJECT, group)
    session.install(*requirements)
    if broken := _unimportable(session, modules):
        session.log(f"{session.name}: cannot import {', '.join(broken)}; reinstalling {group}")
        session.install("--reinstall", *requirements)
        if broken := _unimportable(session, modules):
            session.error(f"{session.name}: still cannot import {', '.join(broken)} after "
                          f"reinstalling; delete .nox/{session.name} and run again")


def _run_unlocked(session: nox.Session, *args: str, env: dict[str, str]) -> None:
    """Run the session's long command without the build lock, so other runs may build meanwhile."""
    BUILD_LOCK.release()
    try:
        # On Ctrl-C nox gives its command 0.3 s before SIGTERM, then 0.2 s before SIGKILL; the
        # driver's teardown (drop its databases, stop its workers) takes about a second, so it
        # gets longer. Past that, the janitor drops the databases of a killed run.
        session.run(*args, env=env, interrupt_timeout=INTERRUPT_TIMEOUT)
    finally:
        # Later sessions of this run build under the lock again when it is free; if another run
        # is building now, the next session's own _install waits for it.
        BUILD_LOCK.acquire(wait=False)


def _side_env(session: nox.Session, side: str) -> None:
    _install(session, side, "sqlalchemy", "psycopg2")
    session.run("python", "-c", "import sqlalchemy; print('SQLAlchemy', sqlalchemy.__version__)")


@nox.session(python=PYTHON, default=False)
def legacy_14(session: nox.Session) -> None:
    """Legacy worker environment: SQLAlchemy 1.4.54 + psycopg2."""
    _side_env(session, "legacy_14")


@nox.session(python=PYTHON, default=False)
def modern_20(session: nox.Session) -> None:
    """Modern worker environment: SQLAlchemy 2.0 + psycopg2 + asyncpg."""
    _side_env(session, "modern_20")


@nox.session(python=PYTHON, default=False)
def modern_21(session: nox.Session) -> None:
    """Modern worker environment on SQLAlchemy 2.1 (same code as modern_20)."""
    _side_env(session, "modern_21")


def _worker_env(session: nox.Session, modern: str) -> dict[str, str]:
    """Tell the driver where each side's interpreter is (the environments `requires` built)."""
    envdir = Path(session.virtualenv.location).parent
    env = {
        "WORKBENCH_LEGACY_ENV": "legacy_14",
        "WORKBENCH_LEGACY_PYTHON": str(envdir / "legacy_14" / "bin" / "python"),
        "WORKBENCH_MODERN_ENV": modern,
        "WORKBENCH_MODERN_PYTHON": str(envdir / modern / "bin" / "python"),
        # The session to name in a rerun command (equivalence_21 reruns on 2.1).
        "WORKBENCH_SESSION": session.name,
    }
    if "WORKBENCH_DATABASE_URL" in os.environ:
        env["WORKBENCH_DATABASE_URL"] = os.environ["WORKBENCH_DATABASE_URL"]
    return env


DRIVER_MODULES = ("pytest", "hypothesis", "psycopg2", "rich")
# The main job's pairs over 2 pytest-xdist workers (README, "Faster"; measured there on 2 cores).
# `-- -n 0` (or any -n) after the session name wins: pytest keeps the last -n it is given.
EQUIVALENCE_XDIST = ("-n", "2")


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"])
def equivalence(session: nox.Session) -> None:
    """The main job: every registered pair, legacy 1.4 vs migrated 2.0, on real PostgreSQL."""
    _install(session, "driver", *DRIVER_MODULES)
    _run_unlocked(session, "pytest", "equivalence_tests/test_equivalence.py", *EQUIVALENCE_XDIST,
                  *session.posargs, env=_worker_env(session, "modern_20"))


@nox.session(python=PYTHON, requires=["legacy_14", "modern_21"], default=False)
def equivalence_21(session: nox.Session) -> None:
    """The main job against SQLAlchemy 2.1 on the modern side."""
    _install(session, "driver", *DRIVER_MODULES)
    _run_unlocked(session, "pytest", "equivalence_tests/test_equivalence.py", *EQUIVALENCE_XDIST,
                  *session.posargs, env=_worker_env(session, "modern_21"))


@nox.session(python=PYTHON, default=False)
def lint(session: nox.Session) -> None:
    """ruff over the workbench's own code (a user's services are checked by `step`)."""
    _install(session, "lint", "ruff")
    session.run("ruff", "check", *workbench_paths())


@nox.session(python=PYTHON, default=False)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the demo's migrated code, the version-neutral code and all of the driver
    (its tests and the mutants, side code the workers run, excepted)."""
    _install(session, "typecheck", "mypy", "sqlalchemy")
    _run_unlocked(session, "mypy", "--strict", *workbench_paths(side="modern_20"),
                  "shared_schema", "equivalence_tests",
                  "--exclude", r"^equivalence_tests/(unit|quality|faults|study_tests|mutants)/",
                  env={})


@nox.session(python=PYTHON, requires=["lint", "typecheck", "legacy_14", "modern_20"], default=False)
def tests(session: nox.Session) -> None:
    """The workbench's own tests: plumbing, whether it catches bugs, and fault handling."""
    _install(session, "faults", *DRIVER_MODULES, "nox")
    # The pure tests first, with no server to reach: one that needs a server or a worker and
    # is not marked `db` fails here (the marks are what `pytest -m "not db"` trusts).
    session.run("pytest", "-q", "-m", "not db", "equivalence_tests",
                env={"WORKBENCH_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    _run_unlocked(session, "pytest", "equivalence_tests/unit", "equivalence_tests/quality",
                  "equivalence_tests/study_tests", "equivalence_tests/faults", *session.posargs,
                  env={**_worker_env(session, "modern_20"), **_chromium(session)})


def _chromium(session: nox.Session) -> dict[str, str]:
    """A Chromium for the study page's browser test: the machine's; else, as root with apt,
    Debian's package; else Playwright's own build, downloaded once into its cache."""
    if any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        return {}
    if os.geteuid() == 0 and shutil.which("apt-get"):
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "chromium", external=True)
        return {}
    session.install("playwright==1.65.2")
    session.run("python", "-m", "playwright", "install", "chromium")
    path = session.run("python", "-c", "from playwright.sync_api import sync_playwright; "
                       "p = sync_playwright().start(); print(p.chromium.executable_path); "
                       "p.stop()", silent=True)
    return {"WORKBENCH_CHROMIUM": str(path).strip().splitlines()[-1]}


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"], default=False)
def faults(session: nox.Session) -> None:
    """Fault tests: concurrent runs, interrupts, dying servers; each on a server of its own."""
    _install(session, "faults", *DRIVER_MODULES, "nox")
    _run_unlocked(session, "pytest", "equivalence_tests/faults", *session.posargs,
                  env=_worker_env(session, "modern_20"))


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"], default=False)
def bench(session: nox.Session) -> None:
    """Examples per second per pair, against a plain psycopg2 baseline measured in the same run."""
    _install(session, "driver", *DRIVER_MODULES)
    _run_unlocked(session, "python", "-m", "equivalence_tests.benchmark", *session.posargs,
                  env=_worker_env(session, "modern_20"))


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"], default=False)
def detection(session: nox.Session) -> None:
    """How often one random run catches each known wrong migration: `-- --seeds 20`."""
    _install(session, "driver", *DRIVER_MODULES)
    _run_unlocked(session, "python", "-m", "equivalence_tests.detection", *session.posargs,
                  env=_worker_env(session, "modern_20"))


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"], default=False)
def report(session: nox.Session) -> None:
    """Every pair side by side: writes .workbench/study.json and the HTML page from it."""
    _install(session, "driver", *DRIVER_MODULES)
    _run_unlocked(session, "python", "-m", "equivalence_tests.study", "report", *session.posargs,
                  env=_worker_env(session, "modern_20"))


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"], default=False)
def diff(session: nox.Session) -> None:
    """One pair side by side in the terminal: `python3 run_nox.py -s diff -- NAME`."""
    _install(session, "driver", *DRIVER_MODULES)
    _run_unlocked(session, "python", "-m", "equivalence_tests.study", "diff", *session.posargs,
                  env=_worker_env(session, "modern_20"))


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20", "typecheck"], default=False)
def step(session: nox.Session) -> None:
    """Is one step of a service safe to ship? `python3 run_nox.py -s step -- SERVICE`."""
    _install(session, "driver", *DRIVER_MODULES)
    envdir = Path(session.virtualenv.location).parent
    env = {**_worker_env(session, "modern_20"),
           "WORKBENCH_MYPY": str(envdir / "typecheck" / "bin" / "mypy")}
    _run_unlocked(session, "python", "-m", "equivalence_tests.step", *session.posargs, env=env)


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20", "modern_21"], default=False)
def readiness(session: nox.Session) -> None:
    """The migration path as a matrix: every pair on 1.4, 1.4 future=True, 2.0 and 2.1."""
    _install(session, "driver", *DRIVER_MODULES)
    env = {**_worker_env(session, "modern_20"),
           "WORKBENCH_ENVDIR": str(Path(session.virtualenv.location).parent)}
    _run_unlocked(session, "python", "-m", "equivalence_tests.readiness", *session.posargs,
                  env=env)

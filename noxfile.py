"""Environments of the workbench: one per side, one for the driver. `nox -l` lists them."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["equivalence"]
nox.options.error_on_missing_interpreters = False

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
SIDES = ("legacy_14", "modern_20", "modern_21")


def _side_env(session: nox.Session, side: str) -> None:
    session.install(*nox.project.dependency_groups(PYPROJECT, side))
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
    }
    if "WORKBENCH_DATABASE_URL" in os.environ:
        env["WORKBENCH_DATABASE_URL"] = os.environ["WORKBENCH_DATABASE_URL"]
    return env


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"])
def equivalence(session: nox.Session) -> None:
    """The main job: every registered pair, legacy 1.4 vs migrated 2.0, on real PostgreSQL."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "driver"))
    session.run(
        "pytest", "equivalence_tests/test_equivalence.py", *session.posargs,
        env=_worker_env(session, "modern_20"),
    )


@nox.session(python=PYTHON, requires=["legacy_14", "modern_21"], default=False)
def equivalence_21(session: nox.Session) -> None:
    """The main job against SQLAlchemy 2.1 on the modern side."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "driver"))
    session.run(
        "pytest", "equivalence_tests/test_equivalence.py", *session.posargs,
        env=_worker_env(session, "modern_21"),
    )


@nox.session(python=PYTHON, default=False)
def lint(session: nox.Session) -> None:
    """ruff over the whole tree."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")


@nox.session(python=PYTHON, default=False)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the migrated code (modern_20) and the version-neutral code."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy", "--strict", "modern_20", "shared_schema", "equivalence_tests/harness")


@nox.session(python=PYTHON, requires=["lint", "typecheck", "legacy_14", "modern_20"], default=False)
def tests(session: nox.Session) -> None:
    """The workbench's own tests: plumbing (unit/) and whether it catches bugs (quality/)."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "driver"))
    session.run(
        "pytest", "equivalence_tests/unit", "equivalence_tests/quality", *session.posargs,
        env=_worker_env(session, "modern_20"),
    )


@nox.session(python=PYTHON, requires=["legacy_14", "modern_20"], default=False)
def bench(session: nox.Session) -> None:
    """Examples per second per pair, against a plain psycopg2 baseline measured in the same run."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "driver"))
    session.run("python", "-m", "equivalence_tests.bench", *session.posargs,
                env=_worker_env(session, "modern_20"))

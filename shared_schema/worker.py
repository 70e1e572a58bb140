"""The worker loop: runs one side's functions inside that side's interpreter, one call per line.

Started by the driver as `python -m shared_schema.worker <side package>` with DATABASE_URL set.
It says hello with its SQLAlchemy version before importing any side code, so a wrong
environment is reported as such rather than as an import error.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import os
import sys
import time
import traceback
import warnings
import weakref
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from types import ModuleType
from typing import IO, Any

os.environ.setdefault("SQLALCHEMY_WARN_20", "1")  # 1.4 reports its 2.0 deprecations only when asked

import sqlalchemy
from sqlalchemy import event

from shared_schema import protocol
from shared_schema.canonical import (
    LoadFailed,
    LoadTree,
    NotComparable,
    Streamed,
    canonical,
    canonical_error,
    load_tree,
)
from shared_schema.values import decode, plain

# A readiness runtime (equivalence_tests/readiness.py) is this worker plus flags, read here
# before any side code is imported; the side's code itself is never edited for them.
FUTURE_VAR = "WORKBENCH_FUTURE"  # "1": engines and sessions get future=True (SQLAlchemy 1.4)
MODELS_VAR = "WORKBENCH_MODELS_FROM"  # a package: its models modules stand in for the side's
DATABASE_VAR = "WORKBENCH_DATABASE_FROM"  # a package: its database modules stand in too
IMPORT_ERRORS_VAR = "WORKBENCH_IMPORT_ERRORS"  # "1": a function that fails to import is an outcome
CENSUS_VAR = "WORKBENCH_CENSUS"  # a file: each distinct warning, where the side's code raised it
ROOT = Path(__file__).resolve().parents[1]
SIDE_PACKAGES = ("legacy_14", "modern_20")


def runtime_flags() -> dict[str, str]:
    return {name: os.environ[name] for name in (FUTURE_VAR, MODELS_VAR, DATABASE_VAR,
                                                IMPORT_ERRORS_VAR) if os.environ.get(name)}


def apply_runtime(side: str) -> None:
    """Apply the runtime's flags (none in the main job)."""
    if os.environ.get(FUTURE_VAR) == "1" and sqlalchemy.__version__.startswith("1."):
        _future_everywhere()
    leaves = [leaf for var, leaf in ((MODELS_VAR, "models"), (DATABASE_VAR, "database"))
              if os.environ.get(var)]
    for leaf in leaves:
        var = MODELS_VAR if leaf == "models" else DATABASE_VAR
        sys.meta_path.insert(0, Borrowed(side, os.environ[var], leaf))


def _future_everywhere() -> None:
    """create_engine(..., future=True) and Session(future=True) by default, as the guide's
    transition step has it: wherever the side's code creates them, also `from sqlalchemy
    import create_engine` and sessionmaker(...)."""
    original = sqlalchemy.create_engine

    def create_engine(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("future", True)
        return original(*args, **kwargs)

    setattr(sqlalchemy, "create_engine", create_engine)  # noqa: B010
    setattr(sqlalchemy.engine, "create_engine", create_engine)  # noqa: B010
    from sqlalchemy.orm import Session

    session_init = Session.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("future", True)
        session_init(self, *args, **kwargs)

    setattr(Session, "__init__", init)  # noqa: B010


class Borrowed(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`<side>.models` (or `<side>.<pkg>.models`) is `<source>.models`: the same module object,
    so the side's functions see the other package's classes."""

    def __init__(self, side: str, source: str, leaf: str) -> None:
        self.side, self.source, self.leaf = side, source, leaf

    def find_spec(self, fullname: str, path: Any = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        head, _, rest = fullname.partition(".")
        if head != self.side or rest.rpartition(".")[2] != self.leaf:
            return None
        if importlib.util.find_spec(f"{self.source}.{rest}") is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(f"{self.source}.{spec.name.partition('.')[2]}")

    def exec_module(self, module: ModuleType) -> None:
        pass


class Census:
    """Every distinct warning a target's import or calls raised, with the line of the side's
    own code that raised it, appended to a JSON-lines file as it is first seen."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.seen: set[str] = set()
        self.roots = tuple(str(ROOT / package) + os.sep for package in SIDE_PACKAGES)

    def note(self, target: str, phase: str, message: Warning | str, category: type[Warning],
             filename: str, lineno: int, own: str | None) -> None:
        text = str(message).strip().splitlines()
        record = {
            "target": target,
            "phase": phase,
            "category": category.__name__,
            "bases": [c.__name__ for c in category.__mro__ if issubclass(c, Warning)],
            "message": text[0][:300] if text else "",
            "where": self._where(own) or self._relative(filename, lineno, own),
            "warned_at": f"{self._short(filename)}:{lineno}",
        }
        key = json.dumps(record, sort_keys=True)
        if key in self.seen:
            return
        self.seen.add(key)
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(key + "\n")

    def _mine(self, filename: str, own: str | None) -> bool:
        return filename.startswith(self.roots) or (own is not None and filename == own)

    def _relative(self, filename: str, lineno: int, own: str | None) -> str | None:
        path = os.path.abspath(filename)
        return f"{self._short(path)}:{lineno}" if self._mine(path, own) else None

    def _short(self, filename: str) -> str:
        path = os.path.abspath(filename)
        root = str(ROOT) + os.sep
        if path.startswith(root):
            return path[len(root):]
        marker = os.sep + "site-packages" + os.sep
        return path.split(marker, 1)[1] if marker in path else path

    def _where(self, own: str | None) -> str | None:
        """The innermost frame of the side's own code on the stack right now."""
        frame = sys._getframe(2)
        while frame is not None:
            filename = os.path.abspath(frame.f_code.co_filename)
            if self._mine(filename, own):
                return f"{self._short(filename)}:{frame.f_lineno}"
            frame = frame.f_back  # type: ignore[assignment]
        return None


@contextlib.contextmanager
def caught_warnings(census: Census | None, target: str, phase: str,
                    own: str | None) -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning (always, not once per place); tell the census where each came from."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if census is not None:
            def show(message: Warning | str, category: type[Warning], filename: str,
                     lineno: int, file: Any = None, line: str | None = None) -> None:
                caught.append(warnings.WarningMessage(message, category, filename, lineno,
                                                      file, line))
                census.note(target, phase, message, category, filename, lineno, own)

            warnings.showwarning = show
        yield caught


class Worker:
    """One side: its database module, the SQL it emits, an event loop for its async functions."""

    def __init__(self, side: str) -> None:
        self.side = side
        # The runtime may take the engine and sessions from another package's database module.
        self.database_package = os.environ.get(DATABASE_VAR) or side
        census = os.environ.get(CENSUS_VAR)
        self.census = Census(census) if census else None
        self.database: ModuleType = importlib.import_module(f"{self.database_package}.database")
        self.databases = {"database": self.database}
        self.statements: list[str] = []
        self.keep_parameters = False
        self.executed: list[list[Any]] = []
        self.runner = asyncio.Runner()
        self.engines: weakref.WeakSet[Any] = weakref.WeakSet()  # every engine that ran SQL
        # On the Engine class, so engines the side's own modules create are heard too.
        event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                executemany: bool) -> None:
        suffix = "  -- executemany" if executemany else ""
        self.statements.append(" ".join(statement.split()) + suffix)
        self.engines.add(conn.engine)
        if self.keep_parameters:  # only the benchmark asks: it replays the SQL without us
            self.executed.append([statement, _jsonable(params), executemany])

    def call(self, message: protocol.Message) -> protocol.Message:
        module_name, name = protocol.split_target(message["target"], self.side)
        try:
            function = self._function(message["target"], module_name, name)
        except Exception as error:
            if os.environ.get(IMPORT_ERRORS_VAR) != "1":
                raise
            # The runtime cannot even import the function (DeclarativeBase on 1.4): that is
            # this function's outcome on this runtime, not the workbench's failure.
            return {"op": "result", "outcome": {**canonical_error(error), "$import": True},
                    "seconds": 0.0, "sql": [], "warnings": []}
        args = decode(message.get("args", {}))
        loads = load_tree(message.get("loads", []))
        commit = bool(message.get("commit"))
        # A service may bring its own engine and session factory (its real sessionmaker).
        source = str(message.get("database") or "database")
        if source not in self.databases:
            self.databases[source] = importlib.import_module(
                f"{self.database_package}.{source}")
        self.database = self.databases[source]
        self.statements = []
        self.executed = []
        self.keep_parameters = bool(message.get("keep_parameters"))
        started = time.perf_counter()
        own = getattr(getattr(function, "__code__", None), "co_filename", None)
        with caught_warnings(self.census, message["target"], "call", own) as caught:
            if inspect.iscoroutinefunction(function):
                outcome = self.runner.run(self._invoke_async(function, args, loads, commit))
            else:
                outcome = self._invoke(function, args, loads, commit)
        return {
            "op": "result",
            "outcome": outcome,
            # Connections the side's code still holds after the call (ours are closed): a
            # module-level session left in its transaction, a connection never closed.
            **({"held": held} if (held := self._held()) else {}),
            "seconds": time.perf_counter() - started,
            **({"executed": self.executed} if self.keep_parameters else {}),
            "sql": self.statements,
            "warnings": sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}"
                                for w in caught}),
        }

    def _held(self) -> int:
        return sum(getattr(engine.pool, "checkedout", lambda: 0)() for engine in self.engines)

    def calls(self, message: protocol.Message) -> protocol.Message:
        """A read-only pair's several argument draws on one dataset, in one message: run in
        order until one may have changed the database (the calls after it would not start
        from the dataset); the driver compares the calls both sides ran."""
        results = []
        for args in message["calls"]:
            results.append(self.call({**message, "op": "call", "args": args}))
            if not protocol.read_only(results[-1]["sql"]):
                break
        return {"op": "results", "results": results}

    def _function(self, target: str, module_name: str, name: str) -> Callable[..., Any]:
        if self.census is None or module_name in sys.modules:
            return getattr(importlib.import_module(module_name), name)  # type: ignore[no-any-return]
        with caught_warnings(self.census, target, "import", None):
            return getattr(importlib.import_module(module_name), name)  # type: ignore[no-any-return]

    def _invoke(self, function: Callable[..., Any], args: dict[str, Any], loads: LoadTree,
                commit: bool) -> Any:
        """Pass what the first parameter asks for; canonicalize while the session is open."""
        first = _injected(function)
        if first == "engine":
            return settle(lambda: function(self.database.engine, **args), loads)
        if first == "connection":
            with self.database.engine.connect() as connection:
                return settle(lambda: function(connection, **args), loads)
        if first != "session":
            return settle(lambda: function(**args), loads)
        with self.database.SessionLocal() as session:
            outcome = settle(lambda: function(session, **args), loads)
            if commit and not is_error(outcome):
                committed = settle(session.commit, {})
                outcome = committed if is_error(committed) else outcome
            return outcome

    async def _invoke_async(self, function: Callable[..., Any], args: dict[str, Any],
                            loads: LoadTree, commit: bool) -> Any:
        first = _injected(function)
        if first == "engine":
            return await settle_async(function(self.database.async_engine, **args), loads)
        if first == "connection":
            async with self.database.async_engine.connect() as connection:
                return await settle_async(function(connection, **args), loads)
        if first != "session":
            return await settle_async(function(**args), loads)
        async with self.database.AsyncSessionLocal() as session:
            # Canonicalized outside any greenlet: a lazy load raises MissingGreenlet here,
            # exactly as it would in the caller's async code.
            outcome = await settle_async(function(session, **args), loads)
            if commit and not is_error(outcome):
                committed = await settle_async(session.commit(), {})
                outcome = committed if is_error(committed) else outcome
            return outcome


def _jsonable(params: Any) -> Any:
    if isinstance(params, dict):
        return {str(key): _jsonable(value) for key, value in params.items()}
    if isinstance(params, list | tuple):
        return [_jsonable(value) for value in params]
    return plain(params)


@functools.cache
def _injected(function: Callable[..., Any]) -> str | None:
    """'session', 'engine' or 'connection' if the first parameter asks for one, else None."""
    params = list(inspect.signature(function).parameters.values())
    if not params:
        return None
    annotation = params[0].annotation
    text = (None if annotation is inspect.Parameter.empty
            else getattr(annotation, "__name__", str(annotation)))
    return protocol.injected(params[0].name, text)


def metadata_ddl(models: str) -> list[str]:
    """CREATE statements for the tables a models module maps, compiled by this side's
    SQLAlchemy for PostgreSQL without a database (enum types included)."""
    module = importlib.import_module(models)
    metadata = getattr(getattr(module, "Base", None), "metadata", None)
    if not isinstance(metadata, sqlalchemy.MetaData):
        found = [value for value in vars(module).values()
                 if isinstance(value, sqlalchemy.MetaData)]
        found += [value.metadata for value in vars(module).values()
                  if isinstance(getattr(value, "metadata", None), sqlalchemy.MetaData)]
        if not found:
            raise LookupError(f"{models} has no Base.metadata and no MetaData to create "
                              f"tables from; add shared_schema/<service>.sql instead")
        metadata = found[0]
    statements: list[str] = []
    dialect = sqlalchemy.create_engine("postgresql+psycopg2://").dialect

    def collect(ddl: Any, *multiparams: Any, **params: Any) -> None:
        statements.append(str(ddl.compile(dialect=dialect)).strip())

    mock = sqlalchemy.create_mock_engine("postgresql+psycopg2://", collect)
    metadata.create_all(mock, checkfirst=False)
    return statements


def is_error(outcome: Any) -> bool:
    return isinstance(outcome, dict) and "$error" in outcome


def settle(produce: Callable[[], Any], loads: LoadTree) -> Any:
    """The function's outcome: its result's canonical form, or what it raised, or that it has
    no canonical form. Any other failure of the canonical form itself propagates: it is the
    workbench's bug, never a verdict."""
    try:
        result = produce()
    except Exception as error:
        return canonical_error(error)
    return _canonical_outcome(result, loads)


async def settle_async(pending: Coroutine[Any, Any, Any], loads: LoadTree) -> Any:
    try:
        result = await pending
    except Exception as error:
        return canonical_error(error)
    if _is_async_result(result):  # session.stream(): only awaiting fetches its rows
        try:
            result = Streamed(await result.all())
        except Exception as error:  # what the caller's `await result.all()` would raise
            return canonical_error(error)
    return _canonical_outcome(result, loads)


def _is_async_result(value: Any) -> bool:
    """AsyncResult, AsyncScalarResult, AsyncMappingResult: public in 1.4 and 2.x alike, and
    imported only once the side's code has (a 1.4 environment may lack greenlet)."""
    if "sqlalchemy.ext.asyncio" not in sys.modules:
        return False
    from sqlalchemy.ext.asyncio import AsyncMappingResult, AsyncResult, AsyncScalarResult

    return isinstance(value, AsyncResult | AsyncScalarResult | AsyncMappingResult)


def _canonical_outcome(result: Any, loads: LoadTree) -> Any:
    try:
        return canonical(result, loads)
    except LoadFailed as failed:  # reading the result raised: that is the function's outcome
        return canonical_error(failed.error)
    except NotComparable as unknown:  # that pair's verdict, not the end of the run
        return {"$not_comparable": unknown.type_name}


def _drift(worker: Worker, message: protocol.Message) -> protocol.Message:
    """Where the models module `message["models"]` declares its tables differently from this
    side's database. Alembic is imported only when asked."""
    try:
        from shared_schema import drift

        return drift.answer(message, worker.database.engine, worker.side)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        return {"op": "harness_error", "message": f"{type(error).__name__}: {error}"}


def serve(side: str, requests: IO[str], replies: IO[str]) -> None:
    protocol.send(replies, {
        "op": "hello",
        "side": side,
        "sqlalchemy": sqlalchemy.__version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "pid": os.getpid(),
        **({"runtime": runtime_flags()} if runtime_flags() else {}),
    })
    apply_runtime(side)
    worker = Worker(side)
    # Every op the driver sends (shared_schema/protocol.py); "quit" ends the loop.
    ops: dict[str, Callable[[protocol.Message], protocol.Message]] = {
        "call": worker.call,
        "calls": worker.calls,
        "ddl": lambda message: {"op": "ddl", "statements": metadata_ddl(message["models"])},
        "drift": lambda message: _drift(worker, message),  # needs Alembic
    }
    for line in requests:
        message = protocol.parse(line)
        if message.get("op") == "quit":
            break
        handle = ops.get(message.get("op", ""))
        try:
            if handle is None:
                raise ValueError(f"unknown op {message.get('op')!r}; ops: {', '.join(ops)}")
            reply = handle(message)
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            reply = {"op": "harness_error", "message": f"{type(error).__name__}: {error}"}
        protocol.send(replies, reply)


def main() -> None:
    # The protocol owns the real stdout; anything side code prints goes to stderr instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    profile_to = os.environ.get(protocol.PROFILE_VAR)  # a directory, from the bench
    if not profile_to:
        serve(sys.argv[1], sys.stdin, replies)
        return
    import cProfile  # `nox -s bench -- --profile`

    with cProfile.Profile() as profile:
        serve(sys.argv[1], sys.stdin, replies)
    profile.dump_stats(os.path.join(profile_to, f"{sys.argv[1]}-{os.getpid()}.pstats"))


if __name__ == "__main__":
    main()

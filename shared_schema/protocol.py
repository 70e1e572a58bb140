"""The driver <-> worker wire format: one JSON object per line. Standard library only.

Driver -> worker:  {"op": "call", "target": "module:function", "args": {...},
                    "loads": ["orders.items"], "commit": false, "database": "database"}
                   {"op": "calls", ...the same, with "calls": [{...args}, ...] for "args"}
                   -> {"op": "results", "results": [<a "result" per call run>]}: calls on one
                   dataset, in order, up to the first whose SQL may have changed the database
                   {"op": "ddl", "models": "legacy_14.blog"}  -> {"op": "ddl", "statements": [...]}
                   {"op": "quit"}
Worker -> driver:  {"op": "hello", "side": ..., "sqlalchemy": "1.4.54", "python": "3.11.7"}
                   {"op": "result", "outcome": <canonical value or {"$error": ...}>,
                    "sql": [...], "warnings": [...]}
                   {"op": "harness_error", "message": "..."}   (the workbench, not the pair, failed)
Schema drift:      {"op": "drift", "models": "legacy_14.models", "metadata": "Base.metadata"}
                   -> {"op": "drift", "differences": [{"kind": "modify_nullable", "table":
                       "users", "column": "name", "models": "NOT NULL", "database": "NULL",
                       "info": false, "note": "..."}, ...]}
                   (shared_schema/drift.py: the models vs the side's database, via Alembic's
                   compare_metadata; a module without a dot is taken from the side's package)
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

Message = dict[str, Any]
PROFILE_VAR = "WORKBENCH_WORKER_PROFILE"  # a directory: each worker writes its cProfile stats there

# What a function's first parameter is given, by its annotation's name or else its own name:
# the worker passes it, the driver draws every other parameter.
BY_ANNOTATION = {"Session": "session", "AsyncSession": "session", "scoped_session": "session",
                 "Engine": "engine", "AsyncEngine": "engine",
                 "Connection": "connection", "AsyncConnection": "connection"}
BY_NAME = {"session": "session", "db": "session", "db_session": "session",
           "dbsession": "session", "engine": "engine", "conn": "connection",
           "connection": "connection"}


def injected(name: str, annotation: str | None) -> str | None:
    """'session', 'engine' or 'connection' for a first parameter that asks for one."""
    if annotation:
        found = BY_ANNOTATION.get(annotation.replace("'", "").replace('"', "")
                                  .split("[")[0].split("|")[0].strip().rpartition(".")[2])
        if found:
            return found
    return BY_NAME.get(name)


_READS = re.compile(r"\s*(SELECT|WITH|SAVEPOINT|RELEASE|ROLLBACK|SHOW)\b", re.I)
_CHANGES = re.compile(r"\b(nextval|setval|INSERT|UPDATE|DELETE|MERGE|COPY|LOCK|CALL|PREPARE|"
                      r"EXECUTE|NOTIFY|LISTEN|DO)\b", re.I)


def read_only(statements: list[str]) -> bool:
    """Whether these statements surely left the database as it was: plain SELECTs, savepoints
    (a sequence's nextval() counts as a change). Anything else, known or not, may have
    changed it: a call after it would not start from the same data."""
    return all(_READS.match(s) and not _CHANGES.search(s) for s in statements)


def send(stream: IO[str], message: Message) -> None:
    stream.write(json.dumps(message, ensure_ascii=False, sort_keys=True) + "\n")
    stream.flush()


def parse(line: str) -> Message:
    message = json.loads(line)
    if not isinstance(message, dict) or "op" not in message:
        raise ValueError(f"not a protocol message: {line[:200]!r}")
    return message


def split_target(target: str, side_package: str) -> tuple[str, str]:
    """'repositories:get_x' -> ('<side>.repositories', 'get_x'); dotted modules are absolute."""
    module, sep, function = target.partition(":")
    if not sep or not module or not function:
        raise ValueError(f"target {target!r} is not 'module:function'")
    return (module if "." in module else f"{side_package}.{module}"), function

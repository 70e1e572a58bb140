"""The driver <-> worker wire format: one JSON object per line. Standard library only.

Driver -> worker:  {"op": "call", "target": "module:function", "args": {...},
                    "loads": ["orders.items"], "commit": false}
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
from typing import IO, Any

Message = dict[str, Any]


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

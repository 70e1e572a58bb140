"""Hypothesis's example database: `.hypothesis/` of the checkout, and optionally a Redis server
that CI jobs share, so a counterexample one job found is replayed first by every job after it.

WORKBENCH_HYPOTHESIS_REDIS=redis://host:port/db turns the Redis one on (`hypothesis[redis]`, in
the driver's environment). Examples are then saved to both and read from both. A Redis that is
set but cannot be reached is one error line, never a silent fall back to the local one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from hypothesis.configuration import storage_directory
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    MultiplexedDatabase,
)

REDIS_VAR = "WORKBENCH_HYPOTHESIS_REDIS"
KEY_PREFIX = b"sqlalchemy-workbench:"  # beside other projects' examples on the same Redis
CONNECT_TIMEOUT = 3.0


class ExampleDatabaseError(Exception):
    """The example database that was asked for cannot be used (one line: what, and why)."""


def masked(url: str) -> str:
    """The URL with its password replaced by ***."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


def example_database(environ: Mapping[str, str] = os.environ) -> ExampleDatabase | None:
    """The shared example database, if one is configured; None means Hypothesis's default
    (`.hypothesis/examples` in the working directory)."""
    url = environ.get(REDIS_VAR, "").strip()
    if not url:
        return None
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError as error:
        raise ExampleDatabaseError(
            f"{REDIS_VAR} is set but {error.name} is not installed: install "
            "'hypothesis[redis]' in the driver's environment (the nox sessions have it)") from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT,
                                      socket_timeout=30)
        client.ping()
    except (redis.RedisError, ValueError, OSError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(".")
        raise ExampleDatabaseError(
            f"cannot use {REDIS_VAR} ({masked(url)}): {reason}; start that Redis, or unset "
            f"{REDIS_VAR} to keep examples in .hypothesis/ only") from None
    local = DirectoryBasedExampleDatabase(storage_directory("examples", intent_to_write=False).path)
    return MultiplexedDatabase(local, RedisExampleDatabase(client, key_prefix=KEY_PREFIX))

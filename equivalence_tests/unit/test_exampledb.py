"""Hypothesis's example database shared through Redis (WORKBENCH_HYPOTHESIS_REDIS): unset, the
local .hypothesis/ as before; set, examples reach that Redis; unreachable, one error line."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from hypothesis.database import MultiplexedDatabase
from hypothesis.extra.redis import RedisExampleDatabase

from equivalence_tests.harness.exampledb import (
    KEY_PREFIX,
    REDIS_VAR,
    ExampleDatabaseError,
    example_database,
    masked,
)

ROOT = Path(__file__).resolve().parents[2]
# The machine's Redis (one runs on the workbench's own development machine); another with
# WORKBENCH_TEST_REDIS. Nothing is started here, and the test never skips: see below.
REDIS_URL = os.environ.get("WORKBENCH_TEST_REDIS", "redis://127.0.0.1:6379/15")
UNREACHABLE = "redis://:secret@127.0.0.1:1/0"  # port 1: nothing listens there


def test_without_the_variable_the_default_local_database_is_kept() -> None:
    assert example_database({}) is None
    assert example_database({REDIS_VAR: "  "}) is None


def test_an_unreachable_redis_is_one_line_naming_the_variable_without_the_password() -> None:
    with pytest.raises(ExampleDatabaseError) as raised:
        example_database({REDIS_VAR: UNREACHABLE})
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"cannot use {REDIS_VAR} (redis://:***@127.0.0.1:1/0): ")
    assert "secret" not in message
    with pytest.raises(ExampleDatabaseError, match="must specify one of the following schemes"):
        example_database({REDIS_VAR: "http://127.0.0.1:6379"})


@pytest.mark.db
def test_examples_saved_through_the_workbench_reach_redis_and_come_back() -> None:
    """With a Redis there, an example saved goes to Redis (and the local directory) and a
    fresh database object, as the next CI job has, reads it from Redis. Where no Redis is
    reachable, what the user gets is the one error line, asserted instead (never a skip)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        with pytest.raises(ExampleDatabaseError, match=f"cannot use {REDIS_VAR}"):
            example_database({REDIS_VAR: REDIS_URL})
        return
    database = example_database({REDIS_VAR: REDIS_URL})
    assert isinstance(database, MultiplexedDatabase)
    key, value = f"workbench-test-{secrets.token_hex(4)}".encode(), b"\x00counterexample"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        database.save(key, value)
        assert client.exists(KEY_PREFIX + key)  # really in Redis, under the workbench's prefix
        again = RedisExampleDatabase(redis.Redis.from_url(REDIS_URL), key_prefix=KEY_PREFIX)
        assert list(again.fetch(key)) == [value]
    finally:
        database.delete(key, value)
        client.delete(KEY_PREFIX + key)
    assert not client.exists(KEY_PREFIX + key)


@pytest.mark.db
def test_the_main_job_stops_with_one_line_and_no_traceback_when_redis_is_unreachable() -> None:
    """Only the main job reads an example database (the workbench's own tests run without one):
    it stops while configuring, before any server or worker is started."""
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_PROFILE"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only",
         "equivalence_tests/test_equivalence.py"],
        cwd=ROOT, env={**env, REDIS_VAR: UNREACHABLE}, capture_output=True, text=True,
        timeout=120, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if REDIS_VAR in line]
    assert len(lines) == 1 and "workbench: cannot use" in lines[0], output


def test_masked_hides_only_the_password() -> None:
    assert masked("redis://user:pw@host:6379/0") == "redis://user:***@host:6379/0"
    assert masked("redis://host:6379/0") == "redis://host:6379/0"

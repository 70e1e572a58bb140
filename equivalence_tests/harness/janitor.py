"""The janitor: drops a run's databases when the run ends without doing it (SIGKILL, say).

Started by `OwnedDatabases` in a session of its own, so neither the terminal's Ctrl-C nor nox's
SIGTERM/SIGKILL of the driver reaches it. It reads JSON lines on stdin: first the admin URL and
the run's mark (never on the command line, where `ps` would show a password), then one line per
database created. When stdin closes (the run ended, however), it drops every one of them that
still carries the mark and OID it was told. A run that ended normally has dropped them already.
"""

from __future__ import annotations

import json
import sys
import time

import psycopg2

from equivalence_tests.harness.databases import drop_if_marked

PATIENCE = 30.0  # seconds to wait for a server that is restarting; after that, a later run sweeps


def main() -> None:
    lines = [json.loads(line) for line in sys.stdin.buffer.read().splitlines() if line.strip()]
    if not lines:
        return
    admin_url, marker = lines[0]["admin_url"], lines[0]["marker"]
    databases = [(entry["name"], entry["oid"]) for entry in lines[1:]]
    deadline = time.monotonic() + PATIENCE
    while databases and time.monotonic() < deadline:
        try:
            conn = psycopg2.connect(admin_url, connect_timeout=5)
        except psycopg2.Error:
            time.sleep(1)
            continue
        conn.autocommit = True  # DROP DATABASE refuses to run in a transaction
        with conn.cursor() as cur:
            for name, oid in list(databases):
                try:
                    drop_if_marked(cur, name, oid, marker)
                except psycopg2.Error:
                    continue  # busy or gone away: try again until the deadline
                databases.remove((name, oid))
        conn.close()
        if databases:
            time.sleep(1)


if __name__ == "__main__":
    main()

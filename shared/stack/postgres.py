"""A private PostgreSQL cluster for development and tests.

The cluster lives in ``<state_dir>/postgres`` and listens on 127.0.0.1:``pg_port``;
it never touches a system cluster. PostgreSQL refuses to run as root, so as root
every server command runs as the ``postgres`` system user.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import stat
import subprocess
import time
from pathlib import Path

from shared.config import Settings, get_settings
from shared.stack.processes import (
    StackError,
    apt_install,
    console,
    is_root,
    log_file,
    port_in_use,
    process_alive,
    run_async,
    show_failure,
    state_dir,
)

PG_OS_USER = "postgres"  # the system user that runs the server when we are root
BOOTSTRAP_ROLE = "postgres"  # superuser made by initdb; reached by the trusted local socket
SOCKET_NAME_MAX = 100  # Unix socket paths are limited to ~107 bytes


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else get_settings()


def bin_dir(install: bool = True) -> Path:
    """Newest /usr/lib/postgresql/<v>/bin holding a server; installs it from apt if absent."""

    def found() -> list[Path]:
        dirs = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/postgres")]
        return sorted(dirs, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)

    if not found() and install:
        apt_install("postgresql")
    dirs = found()
    if not dirs:
        raise StackError("找不到 PostgreSQL 服务器 / no PostgreSQL server found under /usr/lib/postgresql")
    return dirs[-1]


def _traversable_by(path: Path, user: str) -> bool:
    """Can ``user`` reach ``path`` (search permission on every ancestor)?"""
    pw = pwd.getpwnam(user)
    gids = {pw.pw_gid} | {g.gr_gid for g in grp.getgrall() if user in g.gr_mem}
    for parent in [path, *path.parents]:
        if not parent.exists():
            continue
        st = parent.stat()
        if st.st_uid == pw.pw_uid:
            ok = st.st_mode & stat.S_IXUSR
        elif st.st_gid in gids:
            ok = st.st_mode & stat.S_IXGRP
        else:
            ok = st.st_mode & stat.S_IXOTH
        if not ok:
            return False
    return True


def data_dir(settings: Settings | None = None) -> Path:
    preferred = state_dir(settings) / "postgres"
    if not is_root() or _traversable_by(preferred.parent, PG_OS_USER):
        return preferred
    # The repo sits somewhere the postgres user cannot enter (e.g. under /root).
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"xingcun-{digest}" / "postgres"


def socket_dir(settings: Settings | None = None) -> Path:
    data = data_dir(settings)
    return data if len(str(data)) + len("/.s.PGSQL.65535") < SOCKET_NAME_MAX else Path("/tmp")


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", PG_OS_USER, "--", *argv] if is_root() else argv


def _chown_to_server_user(path: Path) -> None:
    if is_root():
        pw = pwd.getpwnam(PG_OS_USER)
        os.chown(path, pw.pw_uid, pw.pw_gid)


def server_pid(settings: Settings | None = None) -> int | None:
    """Pid of the postmaster of our cluster, from postmaster.pid, if it is alive."""
    try:
        pid = int((data_dir(settings) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if process_alive(pid) else None


def is_postgres_running(settings: Settings | None = None) -> bool:
    return server_pid(settings) is not None


def _initdb(settings: Settings) -> None:
    data = data_dir(settings)
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)  # the server refuses group/world-accessible data
    _chown_to_server_user(data)
    console.print(f"初始化 PostgreSQL 集群 / initialising PostgreSQL cluster in {data}")
    started = time.monotonic()
    result = subprocess.run(
        _as_server_user([
            str(bin_dir() / "initdb"), "-D", str(data), "--username", BOOTSTRAP_ROLE,
            "--auth-local=trust", "--auth-host=scram-sha-256",
            "--encoding=UTF8", "--locale=C", "--no-instructions",
        ]),
        check=False, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise StackError(f"initdb 失败 / initdb failed:\n{result.stdout}{result.stderr}")
    conf = data / "postgresql.conf"
    with open(conf, "a") as fh:
        fh.write("\n# Port, addresses and tuning of the local stack (rewritten at every start).\n")
        fh.write("include_if_exists = 'xingcun.conf'\n")
    console.print(f"  initdb 用时 / took {time.monotonic() - started:.1f} s")


def _write_conf(settings: Settings) -> None:
    conf = data_dir(settings) / "xingcun.conf"
    conf.write_text(
        f"listen_addresses = '{settings.pg_host}'\n"
        f"port = {settings.pg_port}\n"
        f"unix_socket_directories = '{socket_dir(settings)}'\n"
        "max_connections = 300\n"
        "shared_buffers = 256MB\n"
        # fsync stays on: the fault tests restart the server and expect committed events to survive.
        "fsync = on\n"
        # The relays' sequencers wait for every older transaction on the server to end: a
        # session left idle inside a transaction must not hold them back for long.
        "idle_in_transaction_session_timeout = '30s'\n"
        "log_line_prefix = '%m [%p] %q%u@%d '\n"
    )
    _chown_to_server_user(conf)


def start_postgres(settings: Settings | None = None) -> None:
    """Start the (already initialised) cluster and wait until it accepts connections."""
    settings = _settings(settings)
    if is_postgres_running(settings):
        return
    if port_in_use(settings.pg_host, settings.pg_port):
        raise StackError(
            f"端口 {settings.pg_port} 已被其他程序占用 / port {settings.pg_port} is taken by another program"
        )
    _write_conf(settings)
    log_path = log_file("postgres", settings)
    started = time.monotonic()
    # Without -l the server inherits pg_ctl's stdout: a log file opened by us, so the
    # postgres user needs no write access to our state directory.
    with open(log_path, "ab") as log:
        result = subprocess.run(
            _as_server_user([str(bin_dir() / "pg_ctl"), "-D", str(data_dir(settings)), "-w", "-t", "60", "start"]),
            check=False, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    if result.returncode != 0:
        raise show_failure("PostgreSQL 启动失败 / PostgreSQL failed to start", log_path)
    console.print(f"  PostgreSQL 启动用时 / start took {time.monotonic() - started:.1f} s")


def stop_postgres(settings: Settings | None = None) -> bool:
    """Fast shutdown (rolls back open transactions). Returns whether it was running."""
    settings = _settings(settings)
    if not is_postgres_running(settings):
        return False
    result = subprocess.run(
        _as_server_user([str(bin_dir(install=False) / "pg_ctl"), "-D", str(data_dir(settings)), "-m", "fast", "-w", "stop"]),
        check=False, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise StackError(f"PostgreSQL 停止失败 / could not stop PostgreSQL:\n{result.stdout}{result.stderr}")
    return True


def restart_postgres(settings: Settings | None = None) -> None:
    settings = _settings(settings)
    stop_postgres(settings)
    start_postgres(settings)
    wait_postgres(settings)


async def _ensure_role(settings: Settings) -> None:
    import asyncpg

    conn = await asyncpg.connect(
        host=str(socket_dir(settings)), port=settings.pg_port, user=BOOTSTRAP_ROLE, database="postgres"
    )
    try:
        # ALTER when present keeps the password in step with the settings.
        sql = await conn.fetchval(
            "SELECT format(CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)"
            " THEN 'ALTER' ELSE 'CREATE' END || ' ROLE %I LOGIN SUPERUSER PASSWORD %L', $1::text, $2::text)",
            settings.pg_user, settings.pg_password,
        )
        await conn.execute(sql)
        if settings.pg_app_user != settings.pg_user:
            # The services' role: no superuser, owns nothing; its privileges are granted per
            # database by the migrations' grants hook (shared/migrations).
            sql = await conn.fetchval(
                "SELECT format(CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)"
                " THEN 'ALTER' ELSE 'CREATE' END || ' ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',"
                " $1::text, $2::text)",
                settings.pg_app_user, settings.pg_app_password,
            )
            await conn.execute(sql)
    finally:
        await conn.close()


async def _try_login(settings: Settings) -> None:
    import asyncpg

    conn = await asyncpg.connect(settings.dsn_for("postgres"), timeout=5)
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


def wait_postgres(settings: Settings | None = None, timeout: float = 60.0) -> None:
    """Wait until the application role can log in over TCP with its password."""
    settings = _settings(settings)
    deadline = time.monotonic() + timeout
    while True:
        try:
            run_async(_try_login(settings))
            return
        except Exception as exc:  # any failure means "not yet"
            if time.monotonic() > deadline:
                raise StackError(f"无法连接 PostgreSQL / cannot connect to PostgreSQL: {exc!r}") from exc
            time.sleep(0.5)


def ensure_postgres(settings: Settings | None = None) -> None:
    """Install, initialise, start and provision the cluster as needed; a no-op when it runs."""
    settings = _settings(settings)
    bin_dir()
    if is_postgres_running(settings):
        console.print(f"PostgreSQL 已在运行 / already running (pid {server_pid(settings)}, port {settings.pg_port})")
    else:
        if not (data_dir(settings) / "PG_VERSION").exists():
            _initdb(settings)
        console.print(f"启动 PostgreSQL / starting PostgreSQL on {settings.pg_host}:{settings.pg_port}")
        start_postgres(settings)
    run_async(_ensure_role(settings))
    wait_postgres(settings)


__all__ = [
    "data_dir", "ensure_postgres", "is_postgres_running", "restart_postgres",
    "server_pid", "start_postgres", "stop_postgres", "wait_postgres",
]

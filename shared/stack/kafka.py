"""A single-node Kafka 4 broker in KRaft mode, run from jars fetched with Maven.

The version is the one docker-compose.yml and deploy/k8s (Strimzi) run; see docs/kafka.md.

State: jars in ``<state_dir>/kafka/libs``, data in ``<state_dir>/kafka/data``,
configuration in ``<state_dir>/kafka/server.properties``.
"""

from __future__ import annotations

import base64
import logging
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import psutil

from shared.config import REPO_ROOT, Settings, get_settings
from shared.messaging.acls import ADMIN
from shared.messaging.credentials import as_principal, generate_local_credentials, read_local_credentials
from shared.messaging.kafka import list_topics
from shared.messaging.kafka_admin import apply_acls
from shared.stack.processes import (
    StackError,
    apt_install,
    console,
    is_running,
    log_file,
    pid_file,
    port_in_use,
    read_pid,
    run_async,
    show_failure,
    start_process,
    state_dir,
    stop_process,
)

NAME = "kafka"
KAFKA_VERSION = "4.3.1"
POM = REPO_ROOT / "deploy" / "local" / "kafka" / "pom.xml"
LOG4J2 = REPO_ROOT / "deploy" / "local" / "kafka" / "log4j2.xml"
JVM_OPTS = ["-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Djava.awt.headless=true"]
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0  # a controlled shutdown flushes the logs; longer than for services


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else get_settings()


def kafka_dir(settings: Settings | None = None) -> Path:
    path = state_dir(settings) / "kafka"
    path.mkdir(exist_ok=True)
    return path


def libs_dir(settings: Settings | None = None) -> Path:
    return kafka_dir(settings) / "libs"


def data_dir(settings: Settings | None = None) -> Path:
    return kafka_dir(settings) / "data"


def properties_file(settings: Settings | None = None) -> Path:
    return kafka_dir(settings) / "server.properties"


def bootstrap_host_port(settings: Settings) -> tuple[str, int]:
    host, _, port = settings.kafka_bootstrap.split(",")[0].rpartition(":")
    return host or "127.0.0.1", int(port)


def _require_tools() -> None:
    missing = [pkg for tool, pkg in (("java", "openjdk-17-jre-headless"), ("mvn", "maven")) if not shutil.which(tool)]
    if missing:
        apt_install(*missing)


def fetch_jars(settings: Settings | None = None) -> float | None:
    """Download the broker jars with Maven unless present; returns seconds spent, None if cached."""
    libs = libs_dir(settings)
    marker = libs / f".kafka-{KAFKA_VERSION}"
    if marker.exists():
        return None
    _require_tools()
    console.print(f"下载 Kafka {KAFKA_VERSION} (Maven) / fetching Kafka jars into {libs}")
    started = time.monotonic()
    # Into a scratch folder first: an interrupted download must not look complete.
    scratch = libs.with_name("libs.partial")
    shutil.rmtree(scratch, ignore_errors=True)
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={scratch}"],
        check=False, capture_output=True, text=True,
    )
    if result.returncode != 0 or not (scratch / f"kafka_2.13-{KAFKA_VERSION}.jar").exists():
        raise StackError(f"Maven 下载失败 / Maven fetch failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    shutil.rmtree(libs, ignore_errors=True)
    scratch.rename(libs)
    marker.touch()
    elapsed = time.monotonic() - started
    console.print(f"  下载用时 / fetch took {elapsed:.1f} s")
    return elapsed


def auth_enabled(settings: Settings) -> bool:
    """SASL/SCRAM with ACLs: every broker this stack formats. One formatted before (no
    credentials in the state dir) keeps PLAINTEXT until its data is removed (docs/kafka.md)."""
    return bool(read_local_credentials(settings.state_dir))


def admin_settings(settings: Settings) -> Settings:
    """What the stack connects as: the super user where the broker authenticates."""
    return as_principal(settings, ADMIN) if auth_enabled(settings) else settings


def write_properties(settings: Settings | None = None) -> Path:
    settings = _settings(settings)
    host, port = bootstrap_host_port(settings)
    controller = f"127.0.0.1:{settings.kafka_controller_port}"
    listener = "SASL_PLAINTEXT" if auth_enabled(settings) else "PLAINTEXT"
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{controller}",
        "listeners": f"{listener}://{host}:{port},CONTROLLER://{controller}",
        "advertised.listeners": f"{listener}://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": listener,
        "listener.security.protocol.map": f"CONTROLLER:PLAINTEXT,{listener}:{listener}",
        "log.dirs": str(data_dir(settings)),
        "num.partitions": "3",
        # Topics come only from their declaration (ensure_topics), as on every cluster.
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "2",
    }
    if listener == "SASL_PLAINTEXT":
        props |= _sasl_properties(settings)
    path = properties_file(settings)
    lines = ["# Written by `xingcun stack` at every start; edit shared/stack/kafka.py instead."]
    path.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in props.items())]) + "\n")
    path.chmod(0o600)  # it holds the admin's password
    return path


def _sasl_properties(settings: Settings) -> dict[str, str]:
    mechanism = settings.kafka_sasl_mechanism
    password = read_local_credentials(settings.state_dir)[ADMIN]
    return {
        "sasl.enabled.mechanisms": mechanism,
        "sasl.mechanism.inter.broker.protocol": mechanism,
        f"listener.name.sasl_plaintext.{mechanism.lower()}.sasl.jaas.config":
            f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{ADMIN}" '
            f'password="{password}";',
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        # The controller listener stays PLAINTEXT on 127.0.0.1 (KRaft's controllers cannot
        # check SCRAM, whose credentials live in the metadata they serve): what arrives there
        # is ANONYMOUS and must be a super user for the broker to reach its controller.
        "super.users": f"User:{ADMIN};User:ANONYMOUS",
    }


def _java(main_class: str, *args: str, settings: Settings | None = None) -> list[str]:
    return [
        "java", *JVM_OPTS, f"-Dlog4j2.configurationFile={LOG4J2}",
        "-cp", f"{libs_dir(settings)}/*", main_class, *args,
    ]


def _cluster_id() -> str:
    # Kafka's Uuid text form: 16 random bytes, base64url without padding. Like
    # Kafka's own generator, avoid a leading '-' that a command line would misread.
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def format_storage(settings: Settings | None = None) -> None:
    """Format the KRaft metadata log once; later calls find meta.properties and return.

    A new password for every principal goes into the state dir (credentials.json), and their
    SCRAM credentials into the metadata log (``--add-scram``): the broker knows its users
    before it first starts, so no one ever connects unauthenticated."""
    settings = _settings(settings)
    if (data_dir(settings) / "meta.properties").exists():
        return
    users = generate_local_credentials(settings.state_dir)
    props = write_properties(settings)
    scram = [arg for name, password in users.items()
             for arg in ("--add-scram", f"{settings.kafka_sasl_mechanism}=[name={name},password={password}]")]
    with open(log_file(NAME, settings), "ab") as log:
        result = subprocess.run(
            _java("kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(props),
                  "--ignore-formatted", *scram, settings=settings),
            check=False, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        raise show_failure("Kafka 存储格式化失败 / formatting Kafka storage failed", log_file(NAME, settings))


def broker_ready(settings: Settings | None = None) -> bool:
    settings = _settings(settings)
    quiet = logging.getLogger("aiokafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # connection refused is expected while it boots
    try:
        run_async(list_topics(admin_settings(settings)))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False
    finally:
        quiet.setLevel(level)


def is_kafka_running(settings: Settings | None = None) -> bool:
    return is_running(NAME, settings)


def kafka_pid(settings: Settings | None = None) -> int | None:
    return read_pid(NAME, settings)


def start_kafka(settings: Settings | None = None, timeout: float = READY_TIMEOUT) -> float:
    """Start the broker on formatted storage and wait until it lists topics; returns seconds taken."""
    settings = _settings(settings)
    if is_kafka_running(settings):
        return 0.0
    host, port = bootstrap_host_port(settings)
    for taken in (port, settings.kafka_controller_port):
        if port_in_use(host, taken):
            raise StackError(f"端口 {taken} 已被其他程序占用 / port {taken} is taken by another program")
    format_storage(settings)
    if not auth_enabled(settings):
        console.print("[yellow]Kafka 未启用认证 / this broker was formatted without users: it runs PLAINTEXT "
                      f"and unauthenticated until {data_dir(settings)} is removed (docs/kafka.md)[/yellow]")
    props = write_properties(settings)
    started = time.monotonic()
    start_process(NAME, _java("kafka.Kafka", str(props), settings=settings), settings=settings, cwd=kafka_dir(settings))
    version_file(settings).write_text(KAFKA_VERSION + "\n")
    wait_kafka(settings, timeout)
    if auth_enabled(settings):
        apply_acls(admin_settings(settings), prefix=settings.topic_prefix)
    elapsed = time.monotonic() - started
    console.print(f"  Kafka 启动用时 / broker start took {elapsed:.1f} s")
    return elapsed


def wait_kafka(settings: Settings | None = None, timeout: float = READY_TIMEOUT) -> None:
    """Wait until our broker process answers an admin client; fail early if it exits."""
    settings = _settings(settings)
    deadline = time.monotonic() + timeout
    while not broker_ready(settings):
        if not is_kafka_running(settings):
            raise show_failure("Kafka 进程已退出 / the Kafka process exited", log_file(NAME, settings))
        if time.monotonic() > deadline:
            raise show_failure(f"Kafka {timeout:.0f} 秒内未就绪 / Kafka not ready within {timeout:.0f} s",
                               log_file(NAME, settings))
        time.sleep(1.0)


def stop_kafka(settings: Settings | None = None, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the broker (controlled shutdown, then SIGKILL). Returns whether it was running."""
    _adopt_orphan(settings)
    return stop_process(NAME, timeout, settings)


def _adopt_orphan(settings: Settings | None) -> None:
    """A broker of this state dir whose pid file is gone (the run dir removed under it) is
    found by its own properties file on its command line, so that `stack down` stops it
    instead of leaving it holding the ports."""
    if kafka_pid(settings) is not None:
        return
    config = str(properties_file(settings))
    for proc in psutil.process_iter(["pid", "cmdline", "create_time"]):
        if config in (proc.info["cmdline"] or []):
            path = pid_file(NAME, settings)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{proc.info['pid']}\n{proc.info['create_time']}\n")
            return


def version_file(settings: Settings | None = None) -> Path:
    """The release the running broker was started from (its jars may be replaced since)."""
    return kafka_dir(settings) / "running-version"


def running_version(settings: Settings | None = None) -> str | None:
    try:
        return version_file(settings).read_text().strip()
    except OSError:
        return None


def ensure_kafka(settings: Settings | None = None, timeout: float = READY_TIMEOUT) -> None:
    """Fetch, format and start the broker as needed; a no-op when it runs at KAFKA_VERSION.

    A broker of another release (a checkout that moved on, e.g. from 3.9.1) is stopped and
    started again on the new jars; its data stays (Kafka 4 reads a 3.x KRaft log).
    """
    settings = _settings(settings)
    if is_kafka_running(settings):
        running = running_version(settings)
        if running == KAFKA_VERSION:
            console.print(f"Kafka 已在运行 / already running (pid {kafka_pid(settings)}, {settings.kafka_bootstrap})")
            wait_kafka(settings, timeout)
            return
        console.print(f"Kafka {running or '3.9.1'} 在运行，换成 {KAFKA_VERSION} / a broker of another release "
                      f"is running: restarting it on {KAFKA_VERSION}")
        stop_kafka(settings)
    fetch_jars(settings)
    console.print(f"启动 Kafka / starting Kafka on {settings.kafka_bootstrap}")
    start_kafka(settings, timeout)

"""End-to-end fixtures: a real `tocsin serve` process on a free port with its own database.

Environment:
  TOCSIN_BIN       server binary (default: target/debug/tocsin)
  TOCSIN_WEB_DIR   built SPA (default: dist)
  TOCSIN_E2E_DATABASE  `postgres` runs every server on a new database of its own on the
                   PostgreSQL server TOCSIN_TEST_POSTGRES_URL names (`make test-postgres`,
                   through scripts/with-postgres.sh); default: a SQLite file per server
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BIN = Path(os.environ.get("TOCSIN_BIN", ROOT / "target" / "debug" / "tocsin"))
WEB_DIR = Path(os.environ.get("TOCSIN_WEB_DIR", ROOT / "dist"))
STARTUP_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 15


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def on_postgres() -> bool:
    """Whether this run puts every server on PostgreSQL (TOCSIN_E2E_DATABASE=postgres)."""
    return os.environ.get("TOCSIN_E2E_DATABASE") == "postgres"


class PostgresCluster:
    """A throwaway PostgreSQL cluster for this test session (Debian's packages, which
    scripts/setup.sh installs), started on first use; or the server TOCSIN_TEST_POSTGRES_URL
    names. initdb refuses root, so as root the cluster runs as the `postgres` user."""

    def __init__(self):
        self.url = os.environ.get("TOCSIN_TEST_POSTGRES_URL", "")
        self.dir: Path | None = None
        self.as_postgres: list[str] = []
        self.bindir: Path | None = None

    def start(self) -> None:
        import tempfile

        if self.url:
            return
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not bins:
            pytest.fail("no PostgreSQL under /usr/lib/postgresql (run scripts/setup.sh)")
        self.bindir = bins[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="tocsin-pg-", dir="/tmp"))
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.dir, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        subprocess.run(
            [*self.as_postgres, str(self.bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres",
             "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True,
        )
        port = _free_port()
        options = f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options,
             "-l", str(self.dir / "log"), "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def stop(self) -> None:
        if self.dir is not None and self.bindir is not None:
            subprocess.run(
                [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                 "stop"],
                capture_output=True,
            )
            import shutil

            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def new_database(self) -> str:
        """Creates an empty database (with `psql`) and returns its URL."""
        import urllib.parse
        import uuid

        self.start()
        name = f"tocsin_e2e_{uuid.uuid4().hex}"
        subprocess.run(
            ["psql", self.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", f"CREATE DATABASE {name}"],
            check=True,
            capture_output=True,
        )
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


CLUSTER = PostgresCluster()


def pytest_sessionfinish(session, exitstatus):
    CLUSTER.stop()


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


class TocsinServer:
    """A running `tocsin serve` child process."""

    def __init__(
        self,
        tmp: Path,
        extra_args: list[str] | None = None,
        *,
        binary: Path | None = None,
        web_dir: Path | None = WEB_DIR,
        cwd: Path = ROOT,
        postgres: bool | None = None,
    ):
        """`binary` defaults to TOCSIN_BIN; `web_dir=None` passes no `--web-dir` (the app
        compiled into the binary); `cwd` is the server's working directory; `postgres` puts it
        on a new PostgreSQL database (default: TOCSIN_E2E_DATABASE)."""
        self.extra_args = list(extra_args or [])
        self.binary = Path(binary or BIN)
        self.web_dir = web_dir
        self.cwd = cwd
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_path = tmp / "t.db"
        self.postgres = on_postgres() if postgres is None else postgres
        self.database_url = CLUSTER.new_database() if self.postgres else f"sqlite://{self.db_path}"
        self.log_path = tmp / "tocsin-server.log"
        self.credentials_path = tmp / "admin-credentials"
        # Beside the SQLite file by default; a PostgreSQL URL has no "beside".
        self.database_args = (
            ["--key-file", str(tmp / "server.key"), "--bootstrap-credentials-file", str(self.credentials_path)]
            if self.postgres
            else []
        )
        self.proc: subprocess.Popen | None = None
        self.access_key_id = ""
        self.secret_access_key = ""

    def start(self) -> None:
        if not self.binary.is_file():
            pytest.fail(f"{self.binary} does not exist: run `make build` first")
        args = [
            str(self.binary),
            "serve",
            "--listen",
            f"127.0.0.1:{self.port}",
            "--database-url",
            self.database_url,
            *[a for a in self.database_args if a not in self.extra_args],
            *(["--web-dir", str(self.web_dir)] if self.web_dir is not None else []),
            *self.extra_args,
        ]
        env = dict(os.environ)
        env.setdefault("RUST_LOG", "info")
        if self.web_dir is None:
            env.pop("TOCSIN_WEB_DIR", None)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                args, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"tocsin serve exited with {self.proc.returncode} before /healthz answered:\n{self.log()}"
                )
            if _healthy(self.base):
                self.access_key_id, self.secret_access_key = read_credentials(self.credentials_path)
                return
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"tocsin serve did not answer GET /healthz 200 within {STARTUP_TIMEOUT_S} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, with no shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> int | None:
        """SIGTERM, then wait (SIGKILL after SHUTDOWN_TIMEOUT_S). Returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(f"\n[e2e] tocsin serve ignored SIGTERM for {SHUTDOWN_TIMEOUT_S} s; killed\n")
            return None

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no server log)"

    @property
    def bearer(self) -> str:
        """`Authorization` value of the admin key the first start minted."""
        return f"Bearer {self.access_key_id}:{self.secret_access_key}"

    # Small JSON helper for calls the tests make outside an SDK (as the admin key).
    def post_json(self, path: str, body: dict, headers: dict | None = None) -> dict:
        data = json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base}{path}",
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": self.bearer, **(headers or {})},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"{}")


def sql_text(value) -> str:
    """`value` as an SQL literal (for the statements below, which take no parameters)."""
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def query(server: "TocsinServer", statement: str) -> list[tuple]:
    """The rows of `statement` run on the server's own database, directly: with Python's
    sqlite3 on the SQLite file (typed cells), or with `psql` on PostgreSQL (text cells).
    Test set-up and inspection only."""
    if server.postgres:
        out = subprocess.run(
            ["psql", server.database_url, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
             "-F", "\x1f", "-R", "\x1e", "-c", statement],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout
        return [tuple(r.split("\x1f")) for r in out.rstrip("\n").split("\x1e") if r]
    import sqlite3

    with sqlite3.connect(server.db_path, timeout=10) as conn:
        rows = conn.execute(statement).fetchall()
    conn.close()
    return rows


def read_credentials(path: Path) -> tuple[str, str]:
    """(access key id, secret) of an AWS shared-credentials file's `[tocsin]` profile."""
    import configparser

    parser = configparser.ConfigParser()
    if not parser.read(path):
        pytest.fail(f"the first start did not write {path}")
    section = parser["tocsin"]
    return section["aws_access_key_id"], section["aws_secret_access_key"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server log to the report of a failing test."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "_tocsin_server", None)
    if server is not None and report.failed:
        report.sections.append((f"tocsin serve log ({server.log_path})", server.log()))


def pytest_generate_tests(metafunc):
    """A test marked `postgres_too` whose server comes from the `backend` fixture runs
    twice: on SQLite and on PostgreSQL (one boto3 test and one browser test per surface, in
    `make test`)."""
    if metafunc.definition.get_closest_marker("postgres_too") and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def backend(request) -> bool | None:
    """Whether this test's servers are on PostgreSQL: True for the `postgres` run of a
    `postgres_too` test, None (TOCSIN_E2E_DATABASE decides) otherwise."""
    return True if getattr(request, "param", None) == "postgres" else None


@pytest.fixture
def tocsin(request, tmp_path, backend) -> TocsinServer:
    """A fresh `tocsin serve` (own port, own database) for one test: SQLite, or PostgreSQL
    (see `backend`)."""
    server = TocsinServer(tmp_path, postgres=backend)
    request.node._tocsin_server = server
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def base_url(tocsin: TocsinServer) -> str:
    """Base URL of a fresh `tocsin serve`, e.g. http://127.0.0.1:40123."""
    return tocsin.base


@pytest.fixture
def admin_credentials(tocsin: TocsinServer) -> tuple[str, str]:
    """(access key id, secret) of the admin key `tocsin serve` minted on its first start,
    read from the `admin-credentials` file beside its database."""
    return tocsin.access_key_id, tocsin.secret_access_key


@pytest.fixture
def cloudwatch_alarm_event() -> dict:
    with open(EXAMPLES / "events" / "cloudwatch-alarm-state-change-single-metric.json", encoding="utf-8") as f:
        return json.load(f)


# --- the browser ------------------------------------------------------------------------
CHROMIUM = os.environ.get("TOCSIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """Headless Chromium from Debian, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not (WEB_DIR / "index.html").is_file():
        pytest.fail(f"{WEB_DIR}/index.html does not exist: build the SPA with `make web` first")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def mailed(request, tmp_path, backend):
    """A fresh `tocsin serve` that mails through a real SMTP server on loopback (aiosmtpd):
    (server, SmtpSink)."""
    from receivers import SmtpSink

    smtp = SmtpSink()
    server = TocsinServer(tmp_path, postgres=backend)
    server.extra_args = ["--smtp-url", smtp.url, "--smtp-from", "tocsin@example.com"]
    request.node._tocsin_server = server
    server.start()
    try:
        yield server, smtp
    finally:
        server.stop()
        smtp.close()

"""End-to-end fixtures: a real `tocsin serve` process on a free port with its own database.

Environment:
  TOCSIN_BIN       server binary (default: target/debug/tocsin)
  TOCSIN_WEB_DIR   built SPA (default: dist)
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
    ):
        """`binary` defaults to TOCSIN_BIN; `web_dir=None` passes no `--web-dir` (the app
        compiled into the binary); `cwd` is the server's working directory."""
        self.extra_args = list(extra_args or [])
        self.binary = Path(binary or BIN)
        self.web_dir = web_dir
        self.cwd = cwd
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_path = tmp / "t.db"
        self.database_url = f"sqlite://{self.db_path}"
        self.log_path = tmp / "tocsin-server.log"
        self.credentials_path = tmp / "admin-credentials"
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


@pytest.fixture
def tocsin(request, tmp_path) -> TocsinServer:
    """A fresh `tocsin serve` (own port, own SQLite database) for one test."""
    server = TocsinServer(tmp_path)
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
def mailed(request, tmp_path):
    """A fresh `tocsin serve` that mails through a real SMTP server on loopback (aiosmtpd):
    (server, SmtpSink)."""
    from receivers import SmtpSink

    smtp = SmtpSink()
    server = TocsinServer(tmp_path)
    server.extra_args = ["--smtp-url", smtp.url, "--smtp-from", "tocsin@example.com"]
    request.node._tocsin_server = server
    server.start()
    try:
        yield server, smtp
    finally:
        server.stop()
        smtp.close()

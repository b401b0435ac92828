"""Helpers shared by the benchmark and soak scripts (scripts/bench-ingest.py,
scripts/bench-streams.py, scripts/soak.py): starting a server on a free loopback port,
reading a process's memory and CPU from /proc, decoding a chunked HTTP body, percentiles.
Standard library only.
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_up(url: str, proc: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Waits until `url` answers; exits if `proc` ends first or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode} before it came up")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def raise_nofile() -> int:
    """Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft == resource.RLIM_INFINITY or soft >= hard:
        return soft if soft != resource.RLIM_INFINITY else hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def vmrss_kib(pid: int) -> int:
    """The process's resident set (VmRSS), KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def server_log_problems(path: str, limit: int = 15) -> tuple[int, list[str]]:
    """Counts the log's WARN/ERROR lines (and streams closed for lagging); returns a few."""
    lines = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if " WARN " in line or " ERROR " in line or "fell behind" in line or "panic" in line:
                    lines.append(line.rstrip())
    except FileNotFoundError:
        pass
    return len(lines), lines[:limit]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (nan when empty)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


class Dechunker:
    """Incremental decoder of an HTTP/1.1 `Transfer-Encoding: chunked` body."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.remaining = 0  # bytes left in the current chunk
        self.crlf = False  # the CRLF after a chunk's data is still to skip
        self.done = False

    def feed(self, data: bytes) -> bytes:
        self.buf += data
        out = []
        buf = self.buf
        while not self.done:
            if self.remaining:
                take = min(self.remaining, len(buf))
                if not take:
                    break
                out.append(bytes(buf[:take]))
                del buf[:take]
                self.remaining -= take
                if self.remaining:
                    break
                self.crlf = True
            if self.crlf:
                if len(buf) < 2:
                    break
                del buf[:2]
                self.crlf = False
            i = buf.find(b"\r\n")
            if i < 0:
                break
            size = int(bytes(buf[:i]).split(b";")[0].strip() or b"0", 16)
            del buf[: i + 2]
            if size == 0:
                self.done = True
                break
            self.remaining = size
        return b"".join(out)


def stop_server(server: subprocess.Popen | None, log_path: str, work: str, keep_dir: bool) -> None:
    """Stops the server (SIGTERM, then SIGKILL after 15 s), prints the warnings and errors
    its log holds, and removes its directory unless `keep_dir`."""
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    n, lines = server_log_problems(log_path)
    if n:
        print(f"\nserver log: {n} warning/error lines, first {len(lines)}:")
        for line in lines:
            print(f"  {line}")
    if keep_dir:
        print(f"kept {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)

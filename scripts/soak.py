#!/usr/bin/env python3
"""Soak test of Tocsin: a steady PutEvents load with live streams open for a long time,
watching the server's memory (VmRSS) for growth.

The release binary is started here on a free loopback port with a fresh SQLite database in
a temporary directory (removed at the end), `--rate-limit-per-key 0`, and
`--retain-events 10m --retain-feed 10m --retention-interval 1m`: at 1,000 events/s for an
hour the events table and the change feed would otherwise grow by millions of rows (default
retention is 7 days), so with these flags the database levels off after ~10 minutes and
what is measured is the server's steady state rather than a growing database's page cache.

Load: --rate events/s (1000), sent as PutEvents of --batch events (10) each over keep-alive
http.client connections from --senders threads (3), `Authorization: Bearer` with the admin
key. Requests follow one shared schedule (request k is due at start + k x batch/rate), so
the mean rate is the target as long as the server keeps up; a late request is sent at once.
Streams: --streams `GET /v1/stream` clients (100) on one asyncio thread. They consume
cheaply: the chunked body is decoded and `\\nid:` occurrences are counted with bytes.count;
only the first and last id of each read are parsed, to check ids increase across reads and
to spot gaps. A stream that receives `event: closed` (it fell behind) is counted, not
reconnected.
Memory: the server's VmRSS every --sample seconds (30), at --warmup (300) and at the end
(--duration, 3600), all while the load runs. Bounded steps are expected and count as growth:
each of the pool's SQLite connections keeps a page cache (SQLite's default, 2 MiB) that fills
as it touches pages, and the retention job runs at start and every minute (a small run showed
+1.9 MiB at its first pass over a populated database); with 10-minute retention the first
deletions come ~10-11 min in, after the default 5-minute warm-up, so --warmup 720 puts the
baseline after them.

Usage: scripts/soak.py [--duration 3600] [--rate 1000] [--streams 100] [--warmup 300]
                       [--sample 30] [--csv FILE] [--batch 10] [--senders 3]
                       [--max-growth 10] [--bin target/release/tocsin] [--keep-dir]
Needs: Linux (/proc/PID/status), Python 3.9+, the standard library only.
Prints a progress line per sample on stderr, then a summary on stdout: achieved events/s,
requests failed, RSS after warm-up / at the end / max, growth % (end and max vs after
warm-up), streams closed or behind, the database file size, server warnings; writes the
samples as CSV to --csv if given.
Exit status: 1 if RSS under load (the highest sample after warm-up) grew more than
--max-growth % (10, the goal) over RSS after warm-up; otherwise 2 if requests failed or a stream was closed, fell behind or saw ids out
of order; 0 when all is well.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (  # noqa: E402
    ROOT, stop_server, Dechunker, cpu_seconds, file_size, free_port, mib, percentile, raise_nofile, server_log_problems,
    vmrss_kib, wait_up,
)


# ---------------------------------------------------------------------------------------
# Server


def id_at(text: bytes, i: int) -> int:
    """The number of the `\\nid:` line starting at text[i]."""
    j = text.find(b"\n", i + 4)
    return int(text[i + 4 : j if j >= 0 else len(text)])


class CountingStream(asyncio.Protocol):
    """A `GET /v1/stream` that counts entries without parsing them."""

    def __init__(self, host: str, port: int, auth: str) -> None:
        self.request = (
            f"GET /v1/stream HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {auth}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
        self.connected: asyncio.Future = asyncio.get_running_loop().create_future()
        self.transport = None
        self.head = bytearray()
        self.body = False
        self.dechunker: Dechunker | None = None
        self.carry = b"\n"  # the body starts a line: a first `id:` counts as `\nid:`
        self.count = 0
        self.first_id: int | None = None
        self.last_id = -1
        self.disorder = 0  # reads whose first id was not above the previous read's last
        self.bytes = 0
        self.closed_reason: str | None = None
        self.lost = False
        self.stopping = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if not self.body:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head, data = bytes(self.head[:end]).decode("latin-1"), bytes(self.head[end + 4 :])
            self.head = bytearray()
            self.body = True
            lines = head.split("\r\n")
            status = int(lines[0].split()[1])
            if status != 200:
                if not self.connected.done():
                    self.connected.set_exception(RuntimeError(f"HTTP {status}: {data[:300]!r}"))
                self.transport.close()
                return
            if any(l.lower().startswith("transfer-encoding:") and "chunked" in l.lower() for l in lines[1:]):
                self.dechunker = Dechunker()
            if not self.connected.done():
                self.connected.set_result(True)
        if self.dechunker is not None:
            data = self.dechunker.feed(data)
        if not data:
            return
        self.bytes += len(data)
        text = self.carry + data
        end = text.rfind(b"\n\n")
        if end < 0:
            self.carry = text
            return
        # Complete events end at `end`; keep the second newline, so the next read's first
        # line is preceded by one.
        done, self.carry = text[: end + 1], text[end + 1 :]
        n = done.count(b"\nid:")
        if n:
            first = id_at(done, done.find(b"\nid:"))
            last = id_at(done, done.rfind(b"\nid:"))
            if first <= self.last_id or last < first:
                self.disorder += 1
            if self.first_id is None:
                self.first_id = first
            self.last_id = last
            self.count += n
        if b"\nevent: closed" in done:
            i = done.rfind(b"\nevent: closed")
            self.closed_reason = done[i + 1 : i + 400].decode(errors="replace").replace("\n", " ")

    def connection_lost(self, exc) -> None:
        self.lost = True
        if not self.connected.done():
            self.connected.set_exception(RuntimeError(f"connection lost before headers: {exc}"))

    def close(self) -> None:
        self.stopping = True
        if self.transport is not None:
            self.transport.close()

    @property
    def open(self) -> bool:
        return self.closed_reason is None and not self.lost

    @property
    def gaps(self) -> int:
        """Ids between the first and last this stream read that it did not read."""
        if self.first_id is None:
            return 0
        return (self.last_id - self.first_id + 1) - self.count


async def open_streams(n: int, host: str, port: int, auth: str) -> tuple[list[CountingStream], list[str]]:
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(100)
    streams, failures = [], []

    async def one() -> None:
        async with sem:
            s = CountingStream(host, port, auth)
            try:
                await asyncio.wait_for(loop.create_connection(lambda: s, host, port), 30)
                await asyncio.wait_for(asyncio.shield(s.connected), 30)
                streams.append(s)
            except Exception as err:  # noqa: BLE001 (reported)
                failures.append(f"{type(err).__name__}: {err}")
                s.close()

    await asyncio.gather(*(one() for _ in range(n)))
    return streams, failures


# ---------------------------------------------------------------------------------------
# Load


class Load:
    """Sender threads on one shared schedule of PutEvents requests."""

    def __init__(self, host: str, port: int, auth: str, rate: float, batch: int, senders: int, duration: float):
        self.host, self.port = host, port
        self.headers = {
            "Authorization": auth,
            "X-Amz-Target": "AWSEvents.PutEvents",
            "Content-Type": "application/x-amz-json-1.1",
        }
        entry = {"Source": "soak.load", "DetailType": "Soak", "Detail": json.dumps({"host": "web-1", "value": 97.5})}
        self.body = json.dumps({"Entries": [entry] * batch})
        self.batch = batch
        self.period = batch / rate
        self.duration = duration
        self.senders = senders
        self.lock = threading.Lock()
        self.next_k = 0
        self.stop = threading.Event()
        self.start = 0.0
        self.events_ok = 0
        self.requests_ok = 0
        self.requests_failed = 0
        self.entries_failed = 0
        self.errors: list[str] = []
        self.max_late = 0.0  # how late a request started against its schedule, worst
        self.last_done = 0.0
        self.latencies: list[float] = []  # request latency, ms (a bounded sample)
        self.threads: list[threading.Thread] = []

    def begin(self) -> None:
        self.start = time.monotonic()
        self.threads = [threading.Thread(target=self.run, name=f"sender-{i}", daemon=True) for i in range(self.senders)]
        for t in self.threads:
            t.start()

    def end(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def run(self) -> None:
        conn = None
        while not self.stop.is_set():
            with self.lock:
                k = self.next_k
                self.next_k += 1
            due = self.start + k * self.period
            if due - self.start >= self.duration:
                break
            delay = due - time.monotonic()
            if delay > 0 and self.stop.wait(delay):
                break
            late = time.monotonic() - due
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                t0 = time.monotonic()
                conn.request("POST", "/", body=self.body, headers=self.headers)
                resp = conn.getresponse()
                raw = resp.read()
                t1 = time.monotonic()
            except (OSError, http.client.HTTPException) as err:
                if conn is not None:
                    conn.close()
                conn = None
                self.failed(f"{type(err).__name__}: {err}")
                continue
            if resp.status != 200:
                self.failed(f"HTTP {resp.status}: {raw[:300]!r}")
                continue
            failed = json.loads(raw).get("FailedEntryCount", 0)
            with self.lock:
                self.requests_ok += 1
                self.events_ok += self.batch - failed
                self.entries_failed += failed
                self.max_late = max(self.max_late, late)
                self.last_done = t1
                if len(self.latencies) < 200_000:
                    self.latencies.append((t1 - t0) * 1000)
        if conn is not None:
            conn.close()

    def failed(self, why: str) -> None:
        with self.lock:
            self.requests_failed += 1
            if len(self.errors) < 20:
                self.errors.append(why)


# ---------------------------------------------------------------------------------------
# The run


async def soak(args, server: subprocess.Popen, work: str, host: str, port: int, auth: str) -> int:
    db = os.path.join(work, "t.db")
    streams, failures = await open_streams(args.streams, host, port, auth)
    print(f"{len(streams)} streams open ({len(failures)} failed); server RSS {mib(vmrss_kib(server.pid))}; "
          f"load {args.rate:g} events/s in PutEvents of {args.batch} from {args.senders} threads for "
          f"{args.duration:g} s", file=sys.stderr)

    load = Load(host, port, auth, args.rate, args.batch, args.senders, args.duration)
    times = sorted({*(float(t) for t in range(0, int(args.duration), int(args.sample))), float(args.warmup),
                    float(args.duration)})
    samples: list[dict] = []
    server_cpu0, own_cpu0 = cpu_seconds(server.pid), sum(os.times()[:2])
    load.begin()
    prev_events, prev_t = 0, 0.0
    for t in times:
        delay = load.start + t - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if server.poll() is not None:
            print(f"the server exited with status {server.returncode}", file=sys.stderr)
            break
        now = time.monotonic() - load.start
        open_streams_ = [s for s in streams if s.open]
        last_ids = [s.last_id for s in open_streams_] or [-1]
        sample = {
            "elapsed_s": round(now, 1),
            "rss_kib": vmrss_kib(server.pid),
            "events_sent": load.events_ok,
            "requests_failed": load.requests_failed,
            "streams_open": len(open_streams_),
            "min_last_id": min(last_ids),
            "max_last_id": max(last_ids),
            "db_bytes": file_size(db),
            "wal_bytes": file_size(db + "-wal"),
        }
        samples.append(sample)
        rate = (sample["events_sent"] - prev_events) / (now - prev_t) if now > prev_t else 0.0
        prev_events, prev_t = sample["events_sent"], now
        print(f"  t={now:7.1f} s  RSS {mib(sample['rss_kib']):>10}  {rate:7.0f} events/s  "
              f"failed {sample['requests_failed']}  streams open {sample['streams_open']}  "
              f"stream spread {sample['max_last_id'] - sample['min_last_id']} ids  "
              f"db {sample['db_bytes'] / 2**20:.1f} MiB + wal {sample['wal_bytes'] / 2**20:.1f} MiB",
              file=sys.stderr)

    await asyncio.get_running_loop().run_in_executor(None, load.end)
    send_s = (load.last_done or time.monotonic()) - load.start
    wall = time.monotonic() - load.start
    server_cpu = cpu_seconds(server.pid) - server_cpu0 if server.poll() is None else float("nan")
    own_cpu = sum(os.times()[:2]) - own_cpu0

    # Let the streams read the rest, then see who is behind.
    drain_start = time.monotonic()
    target = max((s.last_id for s in streams), default=-1)
    while time.monotonic() - drain_start < args.drain:
        await asyncio.sleep(0.25)
        newest = max((s.last_id for s in streams), default=-1)
        if newest == target and all(s.last_id == newest for s in streams if s.open):
            break
        target = newest
    newest = max((s.last_id for s in streams), default=-1)
    closed = [s for s in streams if not s.open]
    behind = [s for s in streams if s.open and s.last_id < newest]
    disorder = [s for s in streams if s.disorder]
    gappy = [s for s in streams if s.open and s.gaps]
    rss_final = vmrss_kib(server.pid) if server.poll() is None else 0
    with open(f"/proc/{server.pid}/status") as f:
        hwm = next((int(l.split()[1]) for l in f if l.startswith("VmHWM:")), 0)
    for s in streams:
        s.close()

    # Summary
    warm = next((s for s in samples if s["elapsed_s"] >= args.warmup - 0.5), samples[-1])
    end = samples[-1]
    peak = max(samples, key=lambda s: s["rss_kib"])
    after = [s for s in samples if s["elapsed_s"] >= warm["elapsed_s"]]
    peak_after = max(after, key=lambda s: s["rss_kib"])
    growth_end = 100 * (end["rss_kib"] - warm["rss_kib"]) / warm["rss_kib"]
    growth_max = 100 * (peak_after["rss_kib"] - warm["rss_kib"]) / warm["rss_kib"]
    achieved = load.events_ok / send_s if send_s > 0 else 0.0
    db_bytes, wal_bytes = file_size(db), file_size(db + "-wal")

    print()
    print("| metric | value |")
    print("|---|---:|")
    print(f"| target events/s | {args.rate:,.0f} |")
    print(f"| achieved events/s | {achieved:,.0f} ({load.events_ok:,} events in {send_s:,.0f} s) |")
    print(f"| requests ok / failed | {load.requests_ok:,} / {load.requests_failed:,} (+{load.entries_failed} failed entries) |")
    print(f"| request latency p50 / p99 | {percentile(sorted(load.latencies), 50):.1f} / {percentile(sorted(load.latencies), 99):.1f} ms |")
    print(f"| worst start behind schedule | {load.max_late * 1000:,.0f} ms |")
    print(f"| RSS after warm-up (t={warm['elapsed_s']:.0f} s) | {mib(warm['rss_kib'])} |")
    print(f"| RSS at the end (t={end['elapsed_s']:.0f} s) | {mib(end['rss_kib'])} |")
    print(f"| max RSS (t={peak['elapsed_s']:.0f} s; VmHWM {mib(hwm)}) | {mib(peak['rss_kib'])} |")
    print(f"| growth end vs after warm-up | {growth_end:+.1f} % |")
    print(f"| growth max vs after warm-up | {growth_max:+.1f} % |")
    print(f"| RSS after the load stopped | {mib(rss_final)} |")
    print(f"| streams open / closed / behind / out of order / with gaps | {len(streams) - len(closed)} / "
          f"{len(closed)} / {len(behind)} / {len(disorder)} / {len(gappy)} (of {args.streams}; "
          f"{len(failures)} failed to open) |")
    print(f"| entries per stream (max) | {max((s.count for s in streams), default=0):,} |")
    print(f"| CPU: server / this script | {server_cpu:,.0f} s ({100 * server_cpu / wall:.0f} % of a core) / "
          f"{own_cpu:,.0f} s ({100 * own_cpu / wall:.0f} %) |")
    print(f"| database file | {db_bytes / 2**20:,.1f} MiB (+ WAL {wal_bytes / 2**20:,.1f} MiB) |")
    print()
    # Under load: the highest sample after warm-up (the last sample may come after the
    # load stopped, when buffers have drained).
    ok_growth = growth_max <= args.max_growth
    print(f"goal: RSS growth under load (max after warm-up) <= {args.max_growth:g} % over after warm-up: "
          f"{'met' if ok_growth else 'NOT MET'}")
    if load.errors:
        print(f"request errors (first {len(load.errors)}): {load.errors[:3]}")
    if failures:
        print(f"stream open failures: {failures[:3]}")
    for s in closed[:5]:
        print(f"closed stream: last id {s.last_id}, {s.closed_reason or 'disconnected'}")
    for s in behind[:5]:
        print(f"stream behind: last id {s.last_id} < {newest}")
    for s in gappy[:5]:
        print(f"stream with gaps: read {s.count} of ids {s.first_id}..{s.last_id}")

    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(samples[0]))
            w.writeheader()
            w.writerows(samples)
        print(f"samples written to {args.csv}")

    if not ok_growth:
        return 1
    if load.requests_failed or load.entries_failed or failures or closed or behind or disorder or server.poll() is not None:
        return 2
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=3600, help="seconds of load (3600)")
    ap.add_argument("--rate", type=float, default=1000, help="target events/s (1000)")
    ap.add_argument("--streams", type=int, default=100, help="live streams open throughout (100)")
    ap.add_argument("--retain", default="10m", help="--retain-events and --retain-feed of the server (10m)")
    ap.add_argument("--warmup", type=float, default=300, help="seconds before the baseline RSS (300)")
    ap.add_argument("--sample", type=float, default=30, help="seconds between RSS samples (30)")
    ap.add_argument("--csv", help="write the samples here")
    ap.add_argument("--batch", type=int, default=10, help="events per PutEvents (10; at most 10)")
    ap.add_argument("--senders", type=int, default=3, help="sender threads (3)")
    ap.add_argument("--max-growth", type=float, default=10, help="allowed RSS growth, %% (10)")
    ap.add_argument("--drain", type=float, default=30, help="seconds streams may take to catch up at the end (30)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "tocsin"))
    ap.add_argument("--keep-dir", action="store_true", help="keep the temporary directory (database, log)")
    args = ap.parse_args()
    if not 0 <= args.warmup < args.duration:
        ap.error("--warmup must be below --duration")
    if args.sample < 1 or not 1 <= args.batch <= 10 or args.rate <= 0 or args.senders < 1:
        ap.error("--sample >= 1, --batch 1..10, --rate > 0 and --senders >= 1")

    raise_nofile()
    work = tempfile.mkdtemp(prefix="tocsin-soak-")
    log_path = os.path.join(work, "tocsin.log")
    server = None
    code = 2
    try:
        host, port = "127.0.0.1", free_port()
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [args.bin, "serve", "--listen", f"{host}:{port}", "--database-url", f"sqlite://{work}/t.db",
                 "--web-dir", "/nonexistent", "--rate-limit-per-key", "0",
                 "--max-streams", str(max(2000, args.streams + 100)),
                 "--retain-events", args.retain, "--retain-feed", args.retain, "--retention-interval", "1m"],
                stdout=subprocess.DEVNULL, stderr=log)
        wait_up(f"http://{host}:{port}/healthz", server)
        creds = open(os.path.join(work, "admin-credentials")).read()
        key_id = creds.split("aws_access_key_id = ")[1].split()[0]
        secret = creds.split("aws_secret_access_key = ")[1].split()[0]
        auth = f"Bearer {key_id}:{secret}"
        print(f"server pid {server.pid} on {host}:{port}; {os.cpu_count()} CPUs", file=sys.stderr)
        code = asyncio.run(soak(args, server, work, host, port, auth))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    finally:
        stop_server(server, log_path, work, args.keep_dir)
    sys.exit(code)


if __name__ == "__main__":
    main()

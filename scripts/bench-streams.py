#!/usr/bin/env python3
"""Live-stream (`GET /v1/stream`, server-sent events) fan-out benchmark of Tocsin: how fast
a change reaches many open streams, and what an open stream costs the server in memory.

Modes:
  latency  Opens --streams SSE clients, waits until every one has its HTTP 200 headers, then
           sends --changes PutEvents of one event each, one at a time, ~--interval-ms apart.
           Each stream notes when each eventId arrives. Latency is measured from the start
           of the PutEvents request (time.monotonic() just before it is sent) to the moment
           the client read the entry, so it is an upper bound of commit-to-stream: it also
           holds the request's own commit time and the client's dispatch delay (one Python
           thread reads every stream of its process in turn; see --procs). Reports
           p50/p99/max over all (stream, change) pairs, missed deliveries (a stream that never got a change), reordering
           (feed ids not strictly increasing on a stream), streams closed early (`event:
           closed` or disconnect) and the server's VmRSS before and after connecting.
  idle     Opens --streams SSE clients, waits until all are connected, waits --idle-wait s
           (10), reports the server's VmRSS and the RSS per stream ((RSS with the streams -
           RSS before) / N), then sends one change and checks that every stream gets it
           (misses, p50/p99/max latency as above).

--procs N (latency and idle; default 1): with 1, as before, this process opens every stream
on its one asyncio thread, and with many streams that thread's sequential pass over the
sockets dominates the measured latency (the last stream read waits for all the others). With
N > 1 the streams are split across N client processes (multiprocessing, `spawn`; the sizes
differ by at most one), each opening its slice with the same asyncio code
(--connect-concurrency is divided among them) and noting per (stream, eventId) the
time.monotonic() at which it read the entry; CLOCK_MONOTONIC is system-wide on Linux, so
those times compare with this process's send times. This process waits until every client
process reports all its streams connected (a message on its pipe), measures RSS and sends the
PutEvents itself as with 1, then gives the children the sent eventIds: each waits until its
streams have them all or --grace s, reports receive times, missed, reordered and closed-early
streams, and closes its streams when told (after RSS after is read). The report is computed
over all streams, as with 1. More processes shorten the client's own pass but do not add
CPUs: on a 2-core machine the client processes still share both cores with the server (and
with each other), so latencies remain an upper bound that includes client scheduling.

The server is the release binary started here on a free loopback port with a fresh SQLite
database in a temporary directory (removed at the end; --database-url puts it on an empty
PostgreSQL database instead), `--rate-limit-per-key 0` and
`--max-streams` above --streams; requests use `Authorization: Bearer <key id>:<secret>` with
the admin key the first start writes. RLIMIT_NOFILE's soft limit is raised to the hard limit
before the server starts (both processes inherit it); --streams must fit under it.

Usage:
  scripts/bench-streams.py latency [--streams 1000] [--changes 200] [--interval-ms 50] [--procs 1]
  scripts/bench-streams.py idle [--streams 10000] [--idle-wait 10] [--procs 1]
  common: [--bin target/release/tocsin] [--connect-concurrency 200] [--grace 10]
          [--keep-alive-secs 15] [--keep-dir]
Needs: Linux (/proc/PID/status for VmRSS), Python 3.9+, the standard library only.
Prints progress on stderr, then a small Markdown table of results on stdout, and the server's
warnings/errors if it logged any. Exit status 1 if a stream missed a change, saw ids out of
order, was closed early or could not connect.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (  # noqa: E402
    ROOT, stop_server, Dechunker, free_port, mib, percentile, raise_nofile, server_log_problems, vmrss_kib, wait_up,
)


# ---------------------------------------------------------------------------------------
# Server


class SSEClient(asyncio.Protocol):
    """One `GET /v1/stream`; records per eventId the monotonic time its entry was read."""

    def __init__(self, host: str, port: int, auth: str) -> None:
        self.request = (
            f"GET /v1/stream HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {auth}\r\n"
            "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
        ).encode()
        self.connected: asyncio.Future = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.head = bytearray()
        self.status = 0
        self.body_started = False
        self.dechunker: Dechunker | None = None
        self.text = b""  # SSE text not yet ending in a blank line
        self.received: dict[str, float] = {}  # eventId -> monotonic time read
        self.last_id = -1
        self.reorders = 0
        self.entries = 0
        self.keep_alives = 0
        self.closed_event: str | None = None  # the data of an `event: closed`
        self.lost = False  # the connection ended
        self.stopping = False  # we closed it

    # Protocol callbacks

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if not self.body_started:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head, data = bytes(self.head[:end]).decode("latin-1"), bytes(self.head[end + 4 :])
            self.head = bytearray()
            lines = head.split("\r\n")
            self.status = int(lines[0].split()[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
            self.body_started = True
            if self.status != 200:
                if not self.connected.done():
                    self.connected.set_exception(RuntimeError(f"HTTP {self.status}: {data[:300]!r}"))
                self.transport.close()
                return
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.dechunker = Dechunker()
            if not self.connected.done():
                self.connected.set_result(True)
        if self.dechunker is not None:
            data = self.dechunker.feed(data)
        if data:
            self.sse(data, now)

    def connection_lost(self, exc) -> None:
        self.lost = True
        if not self.connected.done():
            self.connected.set_exception(RuntimeError(f"connection lost before headers: {exc}"))

    # SSE

    def sse(self, data: bytes, now: float) -> None:
        text = self.text + data
        if b"\r" in text:
            text = text.replace(b"\r\n", b"\n")
        blocks = text.split(b"\n\n")
        self.text = blocks.pop()  # incomplete (or empty) tail
        for block in blocks:
            self.dispatch(block, now)

    def dispatch(self, block: bytes, now: float) -> None:
        ident = event = None
        data = []
        for line in block.split(b"\n"):
            if not line:
                continue
            if line.startswith(b":"):
                self.keep_alives += 1
                continue
            field, _, value = line.partition(b":")
            if value.startswith(b" "):
                value = value[1:]
            if field == b"id":
                ident = value
            elif field == b"event":
                event = value.decode()
            elif field == b"data":
                data.append(value)
        if ident is not None:
            try:
                n = int(ident)
                if n <= self.last_id:
                    self.reorders += 1
                self.last_id = n
            except ValueError:
                pass
        if event == "closed":
            self.closed_event = b"\n".join(data).decode(errors="replace")
            return
        if not data or event not in (None, "message"):
            return
        self.entries += 1
        try:
            entry = json.loads(b"\n".join(data))
            change = entry.get("change") or {}
            if change.get("kind") == "eventReceived":
                eid = (change.get("data") or {}).get("eventId")
                if eid and eid not in self.received:
                    self.received[eid] = now
        except ValueError:
            pass

    def close(self) -> None:
        self.stopping = True
        if self.transport is not None:
            self.transport.close()

    @property
    def closed_early(self) -> bool:
        return self.closed_event is not None or (self.lost and not self.stopping)


async def open_streams(n: int, host: str, port: int, auth: str, concurrency: int, timeout: float,
                       label: str = ""):
    """Opens n streams, at most `concurrency` connecting at once; returns (clients, failures).
    `label` prefixes the progress lines (a client process's number with --procs)."""
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(concurrency)
    clients: list[SSEClient] = []
    failures: list[str] = []
    done = 0
    started = time.monotonic()

    async def one() -> None:
        nonlocal done
        async with sem:
            client = SSEClient(host, port, auth)
            try:
                await asyncio.wait_for(loop.create_connection(lambda: client, host, port), timeout)
                await asyncio.wait_for(asyncio.shield(client.connected), timeout)
                clients.append(client)
            except Exception as err:  # noqa: BLE001 (reported)
                failures.append(f"{type(err).__name__}: {err}")
                client.close()
            done += 1
            if done % 1000 == 0:
                print(f"  {label}{done}/{n} streams connected ({time.monotonic() - started:.1f} s)",
                      file=sys.stderr)

    await asyncio.gather(*(one() for _ in range(n)))
    return clients, failures


# ---------------------------------------------------------------------------------------
# Where the streams live: this process (--procs 1) or N client processes (--procs N)


class LocalStreams:
    """Every stream in this process, on its event loop (--procs 1, the original behaviour)."""

    procs = 1

    def __init__(self, args, host: str, port: int, auth: str) -> None:
        self.args, self.host, self.port, self.auth = args, host, port, auth
        self.clients: list[SSEClient] = []

    async def start(self) -> None:
        pass

    async def connect(self) -> tuple[int, list[str]]:
        """Opens --streams streams; returns (connected, failures)."""
        a = self.args
        self.clients, failures = await open_streams(a.streams, self.host, self.port, self.auth,
                                                    a.connect_concurrency, a.connect_timeout)
        return len(self.clients), failures

    async def finish(self, sent: dict[str, float], grace: float) -> tuple[float, list]:
        """Waits for the deliveries of `sent` (up to `grace` s); returns (wait, per-stream
        records with received/reorders/closed_event/closed_early). The streams stay open."""
        waited = await wait_delivered(self.clients, sent, grace)
        return waited, self.clients

    async def close(self) -> None:
        for c in self.clients:
            c.close()
        await asyncio.sleep(0.1)


class StreamResult:
    """One stream of a client process, as reported back (the fields deliveries() and report()
    read from an SSEClient)."""

    __slots__ = ("received", "reorders", "closed_event", "closed_early")

    def __init__(self, received: dict[str, float], reorders: int, closed_event: str | None,
                 closed_early: bool) -> None:
        self.received = received
        self.reorders = reorders
        self.closed_event = closed_event
        self.closed_early = closed_early

    def close(self) -> None:
        pass


def client_proc(conn, index: int, n: int, host: str, port: int, auth: str, concurrency: int,
                timeout: float) -> None:
    """Entry point of one client process of --procs N (spawned; talks over `conn`)."""
    try:
        asyncio.run(client_proc_main(conn, index, n, host, port, auth, concurrency, timeout))
    except KeyboardInterrupt:
        pass
    finally:
        conn.close()


async def client_proc_main(conn, index: int, n: int, host: str, port: int, auth: str,
                           concurrency: int, timeout: float) -> None:
    """Messages: -> ("ready",); <- ("connect",); -> ("connected", count, failures);
    <- ("finish", eventIds, grace); -> ("results", waited, [(times aligned with eventIds,
    None if not received; reorders; closed_event; closed_early) per stream]); <- ("close",).
    Anything else, or the parent's end closing, ends the process (closing its streams)."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()

    def readable() -> None:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            msg = ("eof",)
        inbox.put_nowait(msg)

    loop.add_reader(conn.fileno(), readable)
    clients: list[SSEClient] = []
    try:
        conn.send(("ready",))
        if (await inbox.get())[0] != "connect":
            return
        clients, failures = await open_streams(n, host, port, auth, concurrency, timeout,
                                               label=f"[client {index}] ")
        conn.send(("connected", len(clients), failures))
        msg = await inbox.get()
        if msg[0] != "finish":
            return
        _, eids, grace = msg
        waited = await wait_delivered(clients, dict.fromkeys(eids, 0.0), grace)
        conn.send(("results", waited, [
            ([c.received.get(e) for e in eids], c.reorders, c.closed_event, c.closed_early)
            for c in clients]))
        await inbox.get()  # ("close",) once the parent has read the server's RSS
    finally:
        loop.remove_reader(conn.fileno())
        for c in clients:
            c.close()
        await asyncio.sleep(0.1)


class ClientProcs:
    """The streams split across --procs client processes (see the module docstring). The
    blocking pipe calls run in the default executor, off this process's event loop."""

    def __init__(self, args, host: str, port: int, auth: str) -> None:
        self.args, self.host, self.port, self.auth = args, host, port, auth
        self.procs = args.procs
        self.processes: list = []
        self.conns: list = []
        self.clients: list[StreamResult] = []

    async def start(self) -> None:
        """Spawns the client processes and waits until each is up (before any stream opens)."""
        a, n = self.args, self.args.streams
        ctx = multiprocessing.get_context("spawn")
        concurrency = max(1, math.ceil(a.connect_concurrency / self.procs))
        for i in range(self.procs):
            share = n // self.procs + (1 if i < n % self.procs else 0)
            ours, theirs = ctx.Pipe()
            p = ctx.Process(target=client_proc, name=f"bench-streams-client-{i}", daemon=True,
                            args=(theirs, i, share, self.host, self.port, self.auth, concurrency,
                                  a.connect_timeout))
            p.start()
            theirs.close()  # so a child's exit reads as EOF here
            self.processes.append(p)
            self.conns.append(ours)
        await self.gather("ready", 60)

    async def gather(self, kind: str, timeout: float | None) -> list[tuple]:
        return await asyncio.get_running_loop().run_in_executor(None, self._gather, kind, timeout)

    def _gather(self, kind: str, timeout: float | None) -> list[tuple]:
        """One message of `kind` from every child, in child order."""
        out: list = [None] * len(self.conns)
        pending = set(range(len(self.conns)))
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise RuntimeError(f"no {kind!r} from client processes {sorted(pending)} in {timeout:g} s")
            ready = multiprocessing.connection.wait([self.conns[i] for i in pending], left)
            for i in sorted(pending):
                if self.conns[i] not in ready:
                    continue
                try:
                    msg = self.conns[i].recv()
                except EOFError:
                    self.processes[i].join(5)
                    raise RuntimeError(f"client process {i} exited (status {self.processes[i].exitcode}) "
                                       f"while {kind!r} was awaited") from None
                if msg[0] != kind:
                    raise RuntimeError(f"client process {i} sent {msg[0]!r}, not {kind!r}")
                out[i] = msg
                pending.discard(i)
        return out

    def send_all(self, msg: tuple) -> None:
        for i, c in enumerate(self.conns):
            try:
                c.send(msg)
            except OSError as err:
                self.processes[i].join(5)
                raise RuntimeError(f"client process {i} is gone (status {self.processes[i].exitcode}): "
                                   f"{type(err).__name__}") from None

    async def connect(self) -> tuple[int, list[str]]:
        self.send_all(("connect",))
        # Unbounded: each child's connects have their own --connect-timeout, and a child
        # that dies reads as EOF.
        replies = await self.gather("connected", None)
        return sum(r[1] for r in replies), [f for r in replies for f in r[2]]

    async def finish(self, sent: dict[str, float], grace: float) -> tuple[float, list]:
        eids = list(sent)
        self.send_all(("finish", eids, grace))
        replies = await self.gather("results", grace + 120)
        self.clients = [
            StreamResult({e: t for e, t in zip(eids, times) if t is not None}, reorders, closed_event, early)
            for r in replies for times, reorders, closed_event, early in r[2]]
        # The children waited at the same time; the longest wait is the run's.
        return max(r[1] for r in replies), self.clients

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._close)

    def _close(self) -> None:
        for c in self.conns:
            try:
                c.send(("close",))
            except OSError:
                pass
        for p in self.processes:
            p.join(15)
            if p.is_alive():
                p.terminate()
                p.join(5)
        for c in self.conns:
            c.close()


# ---------------------------------------------------------------------------------------
# Sending changes


class Sender:
    """PutEvents of one event over one keep-alive http.client connection (used from a
    worker thread, one call at a time)."""

    def __init__(self, host: str, port: int, auth: str) -> None:
        self.host, self.port, self.auth = host, port, auth
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0.0
        self.seq = 0
        self.durations: list[float] = []  # ms from request start to response read

    def put_one(self) -> tuple[float, str | None, str | None]:
        """Returns (t0, eventId or None, error or None); t0 is time.monotonic() just before
        the request is written."""
        self.seq += 1
        body = json.dumps({"Entries": [{
            "Source": "bench.streams", "DetailType": "Bench",
            "Detail": json.dumps({"seq": self.seq}),
        }]})
        headers = {
            "Authorization": self.auth,
            "X-Amz-Target": "AWSEvents.PutEvents",
            "Content-Type": "application/x-amz-json-1.1",
        }
        if self.conn is not None and time.monotonic() - self.used > 5:
            # The server closes connections idle longer than --header-read-timeout-secs (10).
            self.conn.close()
            self.conn = None
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.conn.connect()
        t0 = time.monotonic()
        self.used = t0
        try:
            self.conn.request("POST", "/", body=body, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
            self.durations.append((time.monotonic() - t0) * 1000)
        except (OSError, http.client.HTTPException) as err:
            self.conn.close()
            self.conn = None
            return t0, None, f"{type(err).__name__}: {err}"
        if resp.status != 200:
            return t0, None, f"HTTP {resp.status}: {raw[:300]!r}"
        out = json.loads(raw)
        if out.get("FailedEntryCount"):
            return t0, None, f"failed entry: {raw[:300]!r}"
        return t0, out["Entries"][0]["EventId"], None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


# ---------------------------------------------------------------------------------------
# Statistics


def deliveries(clients: list[SSEClient], sent: dict[str, float]) -> tuple[list[float], int]:
    """Latencies (ms) of every (stream, change) pair received, and the count missed."""
    lat, missed = [], 0
    for c in clients:
        for eid, t0 in sent.items():
            t = c.received.get(eid)
            if t is None:
                missed += 1
            else:
                lat.append((t - t0) * 1000)
    lat.sort()
    return lat, missed


async def wait_delivered(clients: list[SSEClient], sent: dict[str, float], grace: float) -> float:
    """Waits until every open stream has every sent eventId, or `grace` s; returns the wait."""
    start = time.monotonic()
    while time.monotonic() - start < grace:
        if all(c.closed_early or all(e in c.received for e in sent) for c in clients):
            break
        await asyncio.sleep(0.05)
    return time.monotonic() - start


# ---------------------------------------------------------------------------------------
# Modes


def procs_note(streams) -> str:
    return "" if streams.procs == 1 else f" over {streams.procs} client processes"


async def run_latency(args, server: subprocess.Popen, host: str, port: int, auth: str, streams) -> dict:
    loop = asyncio.get_running_loop()
    await streams.start()
    sender = Sender(host, getattr(args, "write_port", port), auth)
    # One change before measuring, so lazily created server state is not counted.
    await loop.run_in_executor(None, sender.put_one)
    await asyncio.sleep(0.5)
    rss_before = vmrss_kib(server.pid)
    t = time.monotonic()
    connected, failures = await streams.connect()
    connect_s = time.monotonic() - t
    await asyncio.sleep(0.5)
    rss_connected = vmrss_kib(server.pid)
    print(f"{connected} streams connected{procs_note(streams)} in {connect_s:.1f} s ({len(failures)} failed); "
          f"server RSS {mib(rss_before)} -> {mib(rss_connected)}", file=sys.stderr)

    sent: dict[str, float] = {}
    errors: list[str] = []
    interval = args.interval_ms / 1000
    start = time.monotonic()
    for i in range(args.changes):
        due = start + i * interval
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        t0, eid, err = await loop.run_in_executor(None, sender.put_one)
        if eid:
            sent[eid] = t0
        else:
            errors.append(err)
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{args.changes} changes sent", file=sys.stderr)
    send_s = time.monotonic() - start
    waited, clients = await streams.finish(sent, args.grace)
    rss_after = vmrss_kib(server.pid)
    sender.close()

    lat, missed = deliveries(clients, sent)
    return {
        "mode": "latency",
        "procs": streams.procs,
        "streams": args.streams,
        "connected": len(clients),
        "connect_failures": failures,
        "connect_s": connect_s,
        "changes": args.changes,
        "sent": len(sent),
        "send_errors": errors,
        "send_s": send_s,
        "waited_s": waited,
        "pairs": len(clients) * len(sent),
        "lat": lat,
        "missed": missed,
        "reorders": sum(c.reorders for c in clients),
        "reordered_streams": sum(1 for c in clients if c.reorders),
        "closed_early": [c for c in clients if c.closed_early],
        "rss_before": rss_before,
        "rss_connected": rss_connected,
        "rss_after": rss_after,
        "clients": clients,
        "request_ms": sorted(sender.durations[1:]),
    }


async def run_idle(args, server: subprocess.Popen, host: str, port: int, auth: str, streams) -> dict:
    loop = asyncio.get_running_loop()
    await streams.start()
    sender = Sender(host, getattr(args, "write_port", port), auth)
    await loop.run_in_executor(None, sender.put_one)
    await asyncio.sleep(0.5)
    rss_before = vmrss_kib(server.pid)
    t = time.monotonic()
    connected, failures = await streams.connect()
    connect_s = time.monotonic() - t
    print(f"{connected} streams connected{procs_note(streams)} in {connect_s:.1f} s ({len(failures)} failed); "
          f"idling {args.idle_wait:g} s", file=sys.stderr)
    await asyncio.sleep(args.idle_wait)
    rss_idle = vmrss_kib(server.pid)

    t0, eid, err = await loop.run_in_executor(None, sender.put_one)
    sent = {eid: t0} if eid else {}
    waited, clients = await streams.finish(sent, args.grace)
    rss_after = vmrss_kib(server.pid)
    sender.close()
    lat, missed = deliveries(clients, sent)
    return {
        "mode": "idle",
        "procs": streams.procs,
        "streams": args.streams,
        "connected": len(clients),
        "connect_failures": failures,
        "connect_s": connect_s,
        "changes": 1,
        "sent": len(sent),
        "send_errors": [err] if err else [],
        "waited_s": waited,
        "pairs": len(clients) * len(sent),
        "lat": lat,
        "missed": missed,
        "reorders": sum(c.reorders for c in clients),
        "reordered_streams": sum(1 for c in clients if c.reorders),
        "closed_early": [c for c in clients if c.closed_early],
        "rss_before": rss_before,
        "rss_connected": rss_idle,
        "rss_after": rss_after,
        "clients": clients,
        "request_ms": sorted(sender.durations[1:]),
    }


def report(r: dict) -> bool:
    """Prints the results; returns True when every delivery was correct."""
    lat = r["lat"]
    per_stream = (r["rss_connected"] - r["rss_before"]) / max(1, r["connected"])
    print()
    procs = r["procs"]
    clients_note = ("1 client process: one asyncio thread reads every stream in turn" if procs == 1 else
                    f"{procs} client processes, each reading its ~{r['streams'] // procs:,} streams in turn "
                    f"and sharing the machine's {os.cpu_count()} CPUs with the server")
    print("Latency is measured from the start of each PutEvents request (time.monotonic() before "
          "sending) to the client reading the entry: an upper bound of commit-to-stream "
          f"(it includes the request's commit and the client's own dispatch of many streams; "
          f"{clients_note}).")
    print()
    if r["mode"] == "latency":
        print("| streams | changes | pairs | p50 ms | p99 ms | max ms | missed | reordered | closed early "
              "| RSS before | RSS connected | RSS after | RSS/stream |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {r['connected']:,} | {r['sent']} | {r['pairs']:,} | {percentile(lat, 50):.1f} | "
              f"{percentile(lat, 99):.1f} | {(lat[-1] if lat else float('nan')):.1f} | {r['missed']} | "
              f"{r['reorders']} | {len(r['closed_early'])} | {mib(r['rss_before'])} | "
              f"{mib(r['rss_connected'])} | {mib(r['rss_after'])} | {per_stream:.1f} KiB |")
        print(f"\n{r['sent']} changes sent in {r['send_s']:.1f} s (one at a time, "
              f"~{1000 * r['send_s'] / max(1, r['sent']):.0f} ms apart); last deliveries waited "
              f"{r['waited_s']:.2f} s; streams connected in {r['connect_s']:.1f} s")
    else:
        print("| streams | RSS before | RSS with streams (idle) | RSS/stream | change p50 ms | p99 ms "
              "| max ms | missed | closed early |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {r['connected']:,} | {mib(r['rss_before'])} | {mib(r['rss_connected'])} | "
              f"{per_stream:.1f} KiB | {percentile(lat, 50):.1f} | {percentile(lat, 99):.1f} | "
              f"{(lat[-1] if lat else float('nan')):.1f} | {r['missed']} | {len(r['closed_early'])} |")
        print(f"\nstreams connected in {r['connect_s']:.1f} s; RSS after the change "
              f"{mib(r['rss_after'])}; deliveries waited {r['waited_s']:.2f} s")
    req = r["request_ms"]
    if req:
        print(f"PutEvents request itself (start to response): p50 {percentile(req, 50):.1f} ms, "
              f"max {req[-1]:.1f} ms (a stream may read the entry before the response arrives)")
    ok = True
    if r["connect_failures"]:
        ok = False
        print(f"connect failures: {len(r['connect_failures'])}, e.g. {r['connect_failures'][0]}")
    if r["send_errors"]:
        ok = False
        print(f"PutEvents failures: {len(r['send_errors'])}, e.g. {r['send_errors'][0]}")
    if r["missed"]:
        ok = False
        short = sum(1 for c in r["clients"] if len(c.received) < r["sent"])
        print(f"missed deliveries: {r['missed']} on {short} streams")
    if r["reorders"]:
        ok = False
        print(f"out-of-order ids: {r['reorders']} on {r['reordered_streams']} streams")
    if r["closed_early"]:
        ok = False
        reasons = [c.closed_event or "disconnected" for c in r["closed_early"]]
        print(f"streams closed early: {len(reasons)}, e.g. {reasons[0]}")
    if r["sent"] < r["changes"]:
        ok = False
    return ok


async def amain(args, server: subprocess.Popen, host: str, port: int, auth: str) -> dict:
    runner = run_latency if args.mode == "latency" else run_idle
    streams = LocalStreams(args, host, port, auth) if args.procs == 1 else ClientProcs(args, host, port, auth)
    try:
        result = await runner(args, server, host, port, auth, streams)
    finally:
        await streams.close()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["latency", "idle"])
    ap.add_argument("--streams", type=int, help="streams to open (latency: 1000, idle: 10000)")
    ap.add_argument("--changes", type=int, default=200, help="latency: PutEvents to send (200)")
    ap.add_argument("--interval-ms", type=float, default=50, help="latency: spacing of the changes (50)")
    ap.add_argument("--idle-wait", type=float, default=10, help="idle: seconds to idle before measuring (10)")
    ap.add_argument("--grace", type=float, default=10, help="seconds to wait for the last deliveries (10)")
    ap.add_argument("--procs", type=int, default=1,
                    help="client processes the streams are split across (1: all in this process)")
    ap.add_argument("--connect-concurrency", type=int, default=200,
                    help="streams connecting at once (200; divided among --procs)")
    ap.add_argument("--connect-timeout", type=float, default=30)
    ap.add_argument("--keep-alive-secs", type=int, default=15, help="the server's --keep-alive-secs (15)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "tocsin"))
    ap.add_argument("--keep-dir", action="store_true", help="keep the temporary directory (database, log)")
    ap.add_argument("--database-url", default="", help="an empty database to run on (PostgreSQL); "
                    "default: a SQLite file in the temporary directory")
    ap.add_argument("--nodes", type=int, default=1,
                    help="with --database-url: start this many nodes on it; the streams stay on the first, "
                         "the changes are sent through the last (fan-out across nodes)")
    args = ap.parse_args()
    if args.nodes > 1 and not args.database_url:
        raise SystemExit("--nodes needs --database-url (several nodes share one PostgreSQL database)")
    if args.streams is None:
        args.streams = 1000 if args.mode == "latency" else 10000
    if not 1 <= args.procs <= max(1, args.streams):
        raise SystemExit(f"--procs must be between 1 and --streams ({args.streams})")

    nofile = raise_nofile()
    if args.streams + 64 > nofile:
        raise SystemExit(f"--streams {args.streams} needs more file descriptors than RLIMIT_NOFILE {nofile}")

    work = tempfile.mkdtemp(prefix="tocsin-streams-")
    server = None
    others: list[subprocess.Popen] = []
    log_path = os.path.join(work, "tocsin.log")
    ok = False
    try:
        host, port = "127.0.0.1", free_port()
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [args.bin, "serve", "--listen", f"{host}:{port}",
                 "--database-url", args.database_url or f"sqlite://{work}/t.db",
                 "--key-file", f"{work}/server.key", "--bootstrap-credentials-file", f"{work}/admin-credentials",
                 "--web-dir", "/nonexistent", "--rate-limit-per-key", "0",
                 "--max-streams", str(args.streams + 100), "--keep-alive-secs", str(args.keep_alive_secs)],
                stdout=subprocess.DEVNULL, stderr=log)
        wait_up(f"http://{host}:{port}/healthz", server)
        args.write_port = port
        for n in range(1, max(1, args.nodes)):
            args.write_port = free_port()
            others.append(subprocess.Popen(
                [args.bin, "serve", "--listen", f"{host}:{args.write_port}", "--database-url", args.database_url,
                 "--key-file", f"{work}/server.key", "--web-dir", "/nonexistent", "--rate-limit-per-key", "0"],
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"tocsin-{n}.log"), "w")))
            wait_up(f"http://{host}:{args.write_port}/healthz", others[-1])
        creds = open(os.path.join(work, "admin-credentials")).read()
        key_id = creds.split("aws_access_key_id = ")[1].split()[0]
        secret = creds.split("aws_secret_access_key = ")[1].split()[0]
        auth = f"Bearer {key_id}:{secret}"
        print(f"server pid {server.pid} on {host}:{port}; RLIMIT_NOFILE {nofile}; {os.cpu_count()} CPUs",
              file=sys.stderr)

        result = asyncio.run(amain(args, server, host, port, auth))
        ok = report(result)
        if server.poll() is not None:
            ok = False
            print(f"the server exited with status {server.returncode} during the run")
    finally:
        for other in others:
            other.terminate()
            try:
                other.wait(timeout=15)
            except subprocess.TimeoutExpired:
                other.kill()
        stop_server(server, log_path, work, args.keep_dir)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

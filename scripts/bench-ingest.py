#!/usr/bin/env python3
"""Ingest throughput of Tocsin against Prometheus Alertmanager, side by side in one run, over
real HTTP on loopback with wrk (32 connections, 10 s per case by default).

Cases:
  am-1      Alertmanager: one alert per POST /api/v2/alerts (in memory, no durability)
  tocsin-1  Tocsin: PutEvents with 1 event matching no rule
  tocsin-10 Tocsin: PutEvents with 10 events matching no rule (events/s = requests/s x 10)
  tocsin-dd Tocsin: PutEvents with 1 event matched by a rule and deduplicated into one open
            incident (the plan has a dedupe string)
  tocsin-10-dd  Tocsin: PutEvents with 10 such events

Tocsin runs as users run it: the release binary, SigV4-signed requests (botocore's signer;
one signature per case, valid for its 10 s), the audit log on, WAL with synchronous=FULL:
every answer comes after its commit reached the disk.

Usage: scripts/bench-ingest.py [--duration 10] [--connections 32] [--bin target/release/tocsin]
                               [--cases am-1,tocsin-1,tocsin-10,tocsin-dd]
                               [--database-url postgres://… [--nodes 3]]

With --database-url (an empty PostgreSQL database) Tocsin runs on it, and with --nodes N
as N processes on that one database, each loaded by its own wrk (connections split evenly,
rates summed). Each case also reports how busy the machine's CPUs were during it.
Needs: wrk, prometheus-alertmanager (Debian packages), the repository's .venv (botocore).
Prints a Markdown table; docs/benchmarks.md keeps the last one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, free_port, wait_up  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))


def wrk(url: str, method: str, headers: dict, body: str, duration: int, connections: int) -> dict:
    """Runs wrk with a fixed request; returns requests/s, p50 and p99 (ms) and errors."""
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write(f"wrk.method = {json.dumps(method)}\n")
    lua.write(f"wrk.body = {json.dumps(body)}\n")
    for k, v in headers.items():
        lua.write(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n")
    lua.write(
        "function done(summary, latency, requests)\n"
        "  io.write(string.format('RESULT %d %d %d %d %d %d\\n', summary.requests, summary.duration,"
        " latency:percentile(50), latency:percentile(99), summary.errors.status, summary.errors.timeout"
        " + summary.errors.connect + summary.errors.read + summary.errors.write))\n"
        "end\n"
    )
    lua.close()
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s", "-s", lua.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(lua.name)
    m = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if not m:
        raise SystemExit(f"wrk printed no result:\n{out}")
    requests, micros, p50, p99, status_errors, socket_errors = map(int, m.groups())
    return {
        "rps": requests / (micros / 1e6),
        "p50_ms": p50 / 1000,
        "p99_ms": p99 / 1000,
        "non2xx": status_errors,
        "socket_errors": socket_errors,
        "requests": requests,
    }


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def signed(base: str, key: tuple[str, str], target: str, body: str) -> dict:
    """Headers of a SigV4-signed EventBridge call (botocore's signer)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST",
        url=f"{base}/",
        data=body.encode(),
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
    )
    SigV4Auth(Credentials(*key), "events", "us-east-1").add_auth(request)
    return {k: v for k, v in request.headers.items()}


def call(base: str, key: tuple[str, str], target: str, body: dict, path: str = "/") -> dict:
    text = json.dumps(body)
    if path == "/":
        headers = signed(base, key, target, text)
    else:
        headers = {"Authorization": f"Bearer {key[0]}:{key[1]}", "Content-Type": "application/json"}
    req = urllib.request.Request(f"{base}{path}", data=text.encode(), headers=headers, method="POST")
    return json.loads(urllib.request.urlopen(req, timeout=10).read() or b"{}")


def group_commits(base: str, key: tuple[str, str]) -> tuple[float, float, float]:
    """(requests, batches, seconds) the group commit has written so far, from /metrics."""
    req = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {key[0]}:{key[1]}"})
    text = urllib.request.urlopen(req, timeout=10).read().decode()

    def value(name: str) -> float:
        m = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
        return float(m.group(1)) if m else 0.0

    return (value("tocsin_group_commit_batch_size_sum"), value("tocsin_group_commit_batch_size_count"),
            value("tocsin_group_commit_seconds_sum"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "tocsin"))
    ap.add_argument("--alertmanager", default=shutil.which("prometheus-alertmanager") or "alertmanager")
    ap.add_argument("--cases", default="am-1,tocsin-1,tocsin-10,tocsin-dd",
                    help="comma-separated cases to run (the ratio needs am-1)")
    ap.add_argument("--database-url", default="", help="default: a SQLite file in a temporary directory")
    ap.add_argument("--nodes", type=int, default=1, help="Tocsin processes on the one database (PostgreSQL)")
    ap.add_argument("--group-commit", action="store_true",
                    help="also print each Tocsin case's mean group-commit batch size and batch time (/metrics)")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="tocsin-bench-")
    procs = []
    try:
        # Alertmanager: a null receiver, in memory.
        am_port = free_port()
        with open(os.path.join(work, "am.yml"), "w") as f:
            f.write('route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n')
        procs.append(subprocess.Popen(
            [args.alertmanager, f"--config.file={work}/am.yml", f"--storage.path={work}/am",
             f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        am = f"http://127.0.0.1:{am_port}"
        wait_up(f"{am}/-/ready")

        database = args.database_url or f"sqlite://{work}/t.db"
        bases = []
        for _ in range(max(1, args.nodes)):
            port = free_port()
            bases.append(f"http://127.0.0.1:{port}")
            procs.append(subprocess.Popen(
                [args.bin, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", database,
                 "--web-dir", "/nonexistent", "--rate-limit-per-key", "0",
                 "--key-file", f"{work}/server.key", "--bootstrap-credentials-file", f"{work}/admin-credentials"],
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"tocsin-{port}.log"), "w")))
            wait_up(f"{bases[-1]}/healthz")
        base = bases[0]
        creds = open(os.path.join(work, "admin-credentials")).read()
        key = (creds.split("aws_access_key_id = ")[1].split()[0], creds.split("aws_secret_access_key = ")[1].split()[0])

        # The deduplicating route: a plan with a dedupe string and a rule for bench.alarm.
        plan = call(base, key, "", {"name": "bench", "incidentTemplate": {"title": "Bench", "impact": 3, "dedupeString": "bench"}},
                    path="/createResponsePlan")["arn"]
        call(base, key, "AWSEvents.PutRule", {"Name": "bench", "EventPattern": json.dumps({"source": ["bench.alarm"]})})
        call(base, key, "AWSEvents.PutTargets", {"Rule": "bench", "Targets": [{"Id": "plan", "Arn": plan}]})
        time.sleep(0.5)

        def entry(source: str) -> dict:
            return {"Source": source, "DetailType": "Bench", "Detail": json.dumps({"host": "web-1", "value": 97.5})}

        alert = json.dumps([{"labels": {"alertname": "Bench", "instance": "web-1"}, "annotations": {"summary": "bench"}}])
        cases = [
            ("am-1", "Alertmanager, 1 alert per request", 1, lambda: (f"{am}/api/v2/alerts", {"Content-Type": "application/json"}, alert)),
            ("tocsin-1", "Tocsin, 1 event per request, matching no rule", 1, lambda: ("", None, {"Entries": [entry("bench.noise")]})),
            ("tocsin-10", "Tocsin, 10 events per request, matching no rule", 10, lambda: ("", None, {"Entries": [entry("bench.noise")] * 10})),
            ("tocsin-dd", "Tocsin, 1 event per request, matched and deduplicated into an open incident", 1, lambda: ("", None, {"Entries": [entry("bench.alarm")]})),
            ("tocsin-10-dd", "Tocsin, 10 events per request, matched and deduplicated", 10, lambda: ("", None, {"Entries": [entry("bench.alarm")] * 10})),
        ]
        results = {}
        wanted = args.cases.split(",")
        for name, words, per_request, make in cases:
            if name not in wanted:
                continue
            url, headers, body = make()
            commits0 = group_commits(bases[0], key) if args.group_commit and not url else None
            busy0, total0 = cpu_times()
            if url:
                r = wrk(url, "POST", headers, body, args.duration, args.connections)
            else:
                # Tocsin: one wrk per node, at once, the connections split between them.
                from concurrent.futures import ThreadPoolExecutor

                text = json.dumps(body)
                share = max(1, args.connections // len(bases))
                with ThreadPoolExecutor(len(bases)) as pool:
                    runs = list(pool.map(
                        lambda b: wrk(f"{b}/", "POST", signed(b, key, "AWSEvents.PutEvents", text), text,
                                      args.duration, share),
                        bases))
                r = {k: sum(x[k] for x in runs) for k in ("rps", "non2xx", "socket_errors", "requests")}
                r["p50_ms"] = max(x["p50_ms"] for x in runs)
                r["p99_ms"] = max(x["p99_ms"] for x in runs)
            busy1, total1 = cpu_times()
            r["cpu"] = (busy1 - busy0) / max(1, total1 - total0)
            r["per_s"] = r["rps"] * per_request
            results[name] = (words, r)
            if commits0:
                commits1 = group_commits(bases[0], key)
                batches = commits1[1] - commits0[1]
                if batches:
                    print(f"{name}: {batches} group commits, mean batch {(commits1[0] - commits0[0]) / batches:.1f} requests, "
                          f"mean batch time {(commits1[2] - commits0[2]) / batches * 1000:.2f} ms", file=sys.stderr)
            print(f"{name}: {r['per_s']:.0f}/s p50 {r['p50_ms']:.1f} ms p99 {r['p99_ms']:.1f} ms non-2xx {r['non2xx']} socket errors {r['socket_errors']} CPU {r['cpu']:.0%}", file=sys.stderr)
            time.sleep(1)
        incidents = call(base, key, "", {}, path="/listIncidentRecords")["incidentRecordSummaries"]

        am_rate = results["am-1"][1]["per_s"] if "am-1" in results else float("nan")
        print(f"| case | per second | p50 ms | p99 ms | ratio to Alertmanager | non-2xx | CPU busy |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, (words, r) in results.items():
            print(f"| {words} | {r['per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['per_s'] / am_rate:.2f}x | {r['non2xx']} | {r['cpu']:.0%} |")
        print(f"\nincidents after the deduplicated cases: {len(incidents)} (expected 1); "
              f"{args.connections} connections, {args.duration} s per case, {os.cpu_count()} CPUs; "
              f"{len(bases)} node(s) on {database.split('://')[0]}")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The single-page app's size, first render and memory, measured (not a timed test).

1. Sizes: what the wall route loads before it shows incidents (`index.html`, the CSS, the
   icon, and the wall's own JS glue and WebAssembly, `tocsin-wall`, which `index.html`'s
   loader picks on `/` and `/wall`), raw, gzip -9 and brotli (quality 11, the `Brotli`
   package), against the 200 KB brotli goal of issue 13; then the whole app's JS and
   WebAssembly (`tocsin-web`), which any other page loads when opened.
2. First render with 500 open incidents in headless Chromium (Debian's): the time from the
   end of the `GET /v1/wall` response (Resource Timing `responseEnd`) to the first animation
   frame in which the wall shows them all (`#open-count` reads 500 and the incident area is
   drawn), for --loads page loads at each of two sizes: 1920×1080 (the fitted wall, most
   incidents as compact rows or summaries) and 900×1000 (no fitting: 500 full cards in a
   scrolling page). Reports the median and the slowest.
3. Memory (--soak-minutes N, 0 to skip): the wall left open while the server gets 10
   changes/s (incident updates and notes, round-robin over the open incidents); the page's
   JS heap (`performance.memory.usedJSHeapSize`, with --enable-precise-memory-info) and the
   WebAssembly memory are sampled every --sample-s seconds. Growth is the last sample over
   the first one after the warm-up (the first fifth of the run). With --rotate-every S the
   wall is a kiosk rotation (`?boards=severe,by-plan&every=S`) between two boards: the
   critical and high incidents grouped by impact, and every incident grouped by response
   plan (the incidents are spread over two plans).

The server is the binary --bin (the release build: `make release`) serving --dist (the app
as built, `--web-dir`), started here on a free loopback port with a fresh SQLite database in a
temporary directory, `--rate-limit-per-key 0`. Prints progress on stderr and a Markdown
table on stdout.

Usage: scripts/bench-web.py [--bin target/release/tocsin] [--dist dist] [--loads 5]
                            [--incidents 500] [--soak-minutes 0] [--sample-s 30]
                            [--rotate-every 0]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import free_port, stop_server, wait_up  # noqa: E402

CHROMIUM = os.environ.get("TOCSIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-precise-memory-info"]
GOAL_KB = 200


def sizes(dist: str, app: str = "wall") -> list[tuple[str, int, int, int]]:
    """(file, raw, gzip, brotli) bytes of what a first load of the wall route fetches:
    index.html, what its <link>s name, and the JS and WebAssembly its loader names for `app`
    (scripts/web-loader.py). With `app="whole"`, only the whole app's JS and WebAssembly."""
    import brotli

    index = open(os.path.join(dist, "index.html"), "rb").read().decode()
    links = re.findall(r"""<link rel="(?:icon|stylesheet)" href="/([\w.-]+)""", index)
    chosen = re.search(app + r""": \["/([\w.-]+\.js)", "/([\w.-]+\.wasm)"\]""", index)
    if not chosen:
        sys.exit(f"bench-web: index.html names no {app} app (build it with scripts/build-web.sh)")
    names = (["index.html"] + links if app == "wall" else []) + list(chosen.groups())
    rows = []
    for name in names:
        data = open(os.path.join(dist, name), "rb").read()
        rows.append((name, len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11))))
    return rows


class Api:
    def __init__(self, base: str, auth: str) -> None:
        self.base, self.auth = base, auth

    def post(self, path: str, body: dict) -> dict:
        req = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": self.auth, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read()
            return json.loads(text) if text else {}


RENDERED = """n => new Promise(resolve => {
  const check = () => {
    const count = document.querySelector('#open-count');
    const drawn = document.querySelectorAll('.groups [data-arn], .groups .wall-summary').length > 0;
    if (count && count.textContent.trim() === String(n) && drawn) {
      const wall = performance.getEntriesByType('resource').filter(e => e.name.includes('/v1/wall'));
      const end = wall.length ? wall[wall.length - 1].responseEnd : NaN;
      resolve({frame: performance.now(), responseEnd: end,
               cards: document.querySelectorAll('.groups [data-arn]').length});
    } else requestAnimationFrame(check);
  };
  check();
})"""

# Trunk's loader announces the instance's exports (its `memory` among them) in this event.
KEEP_WASM = "addEventListener('TrunkApplicationStarted', e => { window.__tocsinWasm = e.detail.wasm; });"


def wasm_bytes(page) -> float:
    """The WebAssembly memory's size in bytes (it only grows: a leak in the app's Rust heap
    shows here)."""
    return page.evaluate("() => window.__tocsinWasm ? window.__tocsinWasm.memory.buffer.byteLength : NaN")


def live_heap(page) -> tuple[float, float]:
    """(bytes, blocks) the app's Rust heap holds allocated and not freed (`src/heap.rs`'s
    counting allocator): a leak grows these; the allocator's free lists and fragmentation,
    which also grow the WebAssembly memory, do not."""
    return tuple(page.evaluate(
        "() => { const w = window.__tocsinWasm; return w && w.heapLiveBytes"
        " ? [w.heapLiveBytes(), w.heapLiveBlocks()] : [NaN, NaN]; }"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/tocsin")
    ap.add_argument("--dist", default="dist")
    ap.add_argument("--loads", type=int, default=5)
    ap.add_argument("--incidents", type=int, default=500)
    ap.add_argument("--soak-minutes", type=float, default=0)
    ap.add_argument("--sample-s", type=float, default=30)
    ap.add_argument("--change-impacts", default="1,2,3,4,5",
                    help="impacts of the incidents the soak changes (1,2,3,4,5; 0: none, a baseline)")
    ap.add_argument("--skip-render", action="store_true", help="skip the first-render loads")
    ap.add_argument("--rotate-every", type=int, default=0,
                    help="soak a kiosk rotation between two boards, each shown this many seconds (0: the whole wall)")
    args = ap.parse_args()

    rows = sizes(args.dist)
    total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    print("## The wall route's files\n")
    print("| file | raw | gzip -9 | brotli 11 |\n|---|---:|---:|---:|")
    for name, raw, gz, br in rows:
        print(f"| `{name}` | {raw / 1024:,.1f} KB | {gz / 1024:,.1f} KB | {br / 1024:,.1f} KB |")
    print(f"| **total** | {total[0] / 1024:,.1f} KB | {total[1] / 1024:,.1f} KB | **{total[2] / 1024:,.1f} KB** |")
    print(f"\nGoal: ≤ {GOAL_KB} KB brotli: {'met' if total[2] <= GOAL_KB * 1024 else 'not met'}.\n")
    print("## Loaded when another page opens (the whole app)\n")
    print("| file | raw | gzip -9 | brotli 11 |\n|---|---:|---:|---:|")
    for name, raw, gz, br in sizes(args.dist, "whole"):
        print(f"| `{name}` | {raw / 1024:,.1f} KB | {gz / 1024:,.1f} KB | {br / 1024:,.1f} KB |")
    print()

    from playwright.sync_api import sync_playwright

    work = tempfile.mkdtemp(prefix="tocsin-bench-web-")
    log_path = os.path.join(work, "tocsin.log")
    server = None
    try:
        host, port = "127.0.0.1", free_port()
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [os.path.abspath(args.bin), "serve", "--listen", f"{host}:{port}",
                 "--database-url", f"sqlite://{work}/t.db", "--rate-limit-per-key", "0", "--web-dir", os.path.abspath(args.dist)],
                stdout=subprocess.DEVNULL, stderr=log, cwd=work)
        base = f"http://{host}:{port}"
        wait_up(f"{base}/healthz", server)
        creds = open(os.path.join(work, "admin-credentials")).read()
        key_id = creds.split("aws_access_key_id = ")[1].split()[0]
        secret = creds.split("aws_secret_access_key = ")[1].split()[0]
        api = Api(base, f"Bearer {key_id}:{secret}")
        plan = api.post("/createResponsePlan", {"name": "bench", "incidentTemplate": {"title": "Bench", "impact": 3}})["arn"]
        plan_b = api.post("/createResponsePlan", {"name": "bench-b", "incidentTemplate": {"title": "Bench B", "impact": 3}})["arn"]
        api.post("/v1/boards", {"name": "severe", "impacts": [1, 2]})
        api.post("/v1/boards", {"name": "by-plan", "groupBy": "responsePlan"})
        arns = []
        print(f"opening {args.incidents} incidents…", file=sys.stderr)
        for i in range(args.incidents):
            arns.append(api.post("/startIncident", {
                "responsePlanArn": plan if i % 7 else plan_b, "impact": 1 + i % 5, "clientToken": str(uuid.uuid4()),
                "title": f"Incident {i:03d}: checkout API error rate above five percent in eu-west-1"})["incidentRecordArn"])
        viewer = api.post("/v1/keys", {"name": "bench-wall", "role": "viewer"})
        fragment = f"#key={viewer['accessKeyId']}:{viewer['secretAccessKey']}"

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            print("## First render with", args.incidents, "open incidents (ms after /v1/wall's responseEnd)\n")
            print("| viewport | median | slowest | incidents drawn one by one |\n|---|---:|---:|---:|")
            for width, height in [] if args.skip_render else [(1920, 1080), (900, 1000)]:
                times, drawn = [], 0
                for _ in range(args.loads):
                    ctx = browser.new_context(viewport={"width": width, "height": height})
                    page = ctx.new_page()
                    page.goto(f"{base}/wall?kiosk=1{fragment}")
                    r = page.evaluate(RENDERED, args.incidents)
                    app = page.evaluate("document.documentElement.dataset.app")
                    if app != "wall":
                        sys.exit(f"bench-web: /wall loaded the {app!r} app, not the wall alone")
                    times.append(r["frame"] - r["responseEnd"])
                    drawn = r["cards"]
                    ctx.close()
                print(f"| {width}×{height} | {statistics.median(times):.0f} | {max(times):.0f} | {drawn} |")
            print("\nGoal: ≤ 300 ms after the snapshot arrives.\n")

            if args.soak_minutes > 0:
                ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
                ctx.add_init_script(KEEP_WASM)
                page = ctx.new_page()
                if args.rotate_every > 0:
                    page.goto(f"{base}/wall?boards=severe,by-plan&every={args.rotate_every}&kiosk=1{fragment}")
                    page.wait_for_selector("#board-heading", timeout=30_000)
                else:
                    page.goto(f"{base}/wall?kiosk=1{fragment}")
                    page.evaluate(RENDERED, args.incidents)
                stop = threading.Event()
                changes = [0]

                impacts = {int(x) for x in args.change_impacts.split(",")}
                targets = [a for n, a in enumerate(arns) if 1 + n % 5 in impacts]

                def drive() -> None:
                    i = 0
                    while targets and not stop.is_set():
                        started = time.monotonic()
                        arn = targets[i % len(targets)]
                        if i % 2:
                            api.post("/updateIncidentRecord", {"arn": arn, "summary": f"update {i}"})
                        else:
                            api.post("/createTimelineEvent", {
                                "incidentRecordArn": arn, "eventTime": time.time(), "eventType": "Custom Event",
                                "eventData": json.dumps(f"note {i}"), "clientToken": str(uuid.uuid4())})
                        i += 1
                        changes[0] = i
                        stop.wait(max(0.0, 0.1 - (time.monotonic() - started)))

                driver = threading.Thread(target=drive, daemon=True)
                driver.start()
                samples = []
                end = time.monotonic() + args.soak_minutes * 60
                start = time.monotonic()
                while time.monotonic() < end:
                    page.wait_for_timeout(args.sample_s * 1000)
                    heap = page.evaluate("() => performance.memory.usedJSHeapSize")
                    live, blocks = live_heap(page)
                    samples.append((time.monotonic() - start, heap, wasm_bytes(page), live, blocks))
                    print(f"  {samples[-1][0]:6.0f} s: heap {heap / 1e6:.1f} MB, wasm {samples[-1][2] / 1e6:.1f} MB, "
                          f"live Rust heap {live / 1e6:.2f} MB in {blocks:.0f} blocks, {changes[0]} changes",
                          file=sys.stderr)
                stop.set()
                driver.join()
                warm = samples[max(0, len(samples) // 5)]
                last = samples[-1]
                shown = f", boards rotating every {args.rotate_every} s" if args.rotate_every > 0 else ""
                print(f"## Memory over {args.soak_minutes:g} min at 10 changes/s ({changes[0]} changes{shown})\n")
                print("| s | JS heap | WebAssembly memory | live Rust heap | live blocks |\n|---:|---:|---:|---:|---:|")
                for s, heap, wasm, live, blocks in samples:
                    print(f"| {s:.0f} | {heap / 1e6:.1f} MB | {wasm / 1e6:.1f} MB | {live / 1e6:.2f} MB | {blocks:.0f} |")
                growth = (last[1] + last[2]) / (warm[1] + warm[2]) - 1
                live_growth = last[3] / warm[3] - 1
                print(f"\nGrowth after warm-up (heap + wasm, {warm[0]:.0f} s → {last[0]:.0f} s): {growth * 100:+.1f}% "
                      f"(goal ≤ +10%); live Rust heap {live_growth * 100:+.1f}%.\n")
                # The JS heap swings with garbage collection (a sample is before or after
                # one), so also: the median of five samples after warm-up against the last five.
                at = max(0, len(samples) // 5)
                first5, last5 = samples[at:at + 5], samples[-5:]

                def total(window: list) -> float:
                    return statistics.median(h + w for _, h, w, _, _ in window)

                print(f"Median of five samples ({first5[0][0]:.0f}-{first5[-1][0]:.0f} s against "
                      f"{last5[0][0]:.0f}-{last5[-1][0]:.0f} s): heap + wasm "
                      f"{(total(last5) / total(first5) - 1) * 100:+.1f}%, WebAssembly memory "
                      f"{(statistics.median(w for _, _, w, _, _ in last5) / statistics.median(w for _, _, w, _, _ in first5) - 1) * 100:+.1f}%.\n")
                ctx.close()
            browser.close()
    finally:
        stop_server(server, log_path, work, False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

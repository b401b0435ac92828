"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager 0.25) in front of Tocsin.

Alertmanager is configured with group_wait/group_interval of 1 s and two routes: one to a
`webhook_configs` receiver pointed at Tocsin's Alertmanager receiver with a bearer secret,
one to a `pagerduty_configs` receiver whose `url` is Tocsin's `/v2/enqueue`. Alerts posted
to Alertmanager's own API open one incident per fingerprint through the webhook route and
one per alert group through the PagerDuty route; acknowledging an incident creates a
silence in Alertmanager (seen with `amtool silence query`); ending the silenced alert still
resolves its incident (Tocsin polls Alertmanager, which sends nothing for silenced alerts);
resolving expires the silence; when the other alerts end, their incidents resolve."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from conftest import TocsinServer, _free_port

ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
AMTOOL = shutil.which("amtool") or "/usr/bin/amtool"
WAIT_S = 60


def http(method: str, url: str, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def wait_for(what: str, check, timeout: float = WAIT_S):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout} s waiting for {what}; last seen: {last!r}")


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class Alertmanager:
    def __init__(self, tmp, config: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        (tmp / "alertmanager.yml").write_text(config, encoding="utf-8")
        self.log_path = tmp / "alertmanager.log"
        self.proc = subprocess.Popen(
            [
                ALERTMANAGER,
                f"--config.file={tmp / 'alertmanager.yml'}",
                f"--storage.path={tmp / 'am-data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                f"--web.external-url={self.base}",
                "--cluster.listen-address=",
            ],
            stdout=open(self.log_path, "wb"),
            stderr=subprocess.STDOUT,
        )

        def ready():
            try:
                return http("GET", f"{self.base}/api/v2/status") is not None
            except OSError:
                if self.proc.poll() is not None:
                    pytest.fail(f"alertmanager exited:\n{self.log_path.read_text()}")
                return False

        wait_for("Alertmanager to start", ready, 30)

    def post(self, alerts: list[dict]) -> None:
        http("POST", f"{self.base}/api/v2/alerts", alerts)

    def silences(self, active_only: bool = True) -> list[dict]:
        args = [AMTOOL, f"--alertmanager.url={self.base}", "silence", "query", "-o", "json"]
        if not active_only:
            args.append("--expired")
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        return json.loads(out or "[]")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def alert(name: str, instance: str, team: str, severity: str, ends: datetime | None = None) -> dict:
    a = {
        "labels": {"alertname": name, "instance": instance, "team": team, "severity": severity},
        "annotations": {"summary": f"{name} on {instance}"},
        "startsAt": iso(datetime.now(timezone.utc) - timedelta(seconds=30)),
        "generatorURL": f"http://prometheus.example/graph?g0.expr={name}",
    }
    if ends is not None:
        a["endsAt"] = iso(ends)
    return a


def plan_and_rule(tocsin: TocsinServer, name: str, pattern: dict) -> str:
    plan = tocsin.post_json(
        "/createResponsePlan", {"name": name, "incidentTemplate": {"title": f"{name} incident", "impact": 3}}
    )["arn"]
    headers = {"X-Amz-Target": "AWSEvents.PutRule", "Content-Type": "application/x-amz-json-1.1"}
    tocsin.post_json("/", {"Name": name, "EventPattern": json.dumps(pattern)}, headers)
    headers["X-Amz-Target"] = "AWSEvents.PutTargets"
    tocsin.post_json("/", {"Rule": name, "Targets": [{"Id": "plan", "Arn": plan}]}, headers)
    return plan


def incidents(tocsin: TocsinServer, plan: str | None = None) -> list[dict]:
    out = tocsin.post_json("/listIncidentRecords", {})["incidentRecordSummaries"]
    return [i for i in out if plan is None or i.get("responsePlanArn", plan) == plan]


@pytest.fixture
def stack(request, tmp_path):
    tocsin = TocsinServer(tmp_path / "tocsin", ["--outbound-allow", "127.0.0.0/8"])
    (tmp_path / "tocsin").mkdir()
    request.node._tocsin_server = tocsin
    tocsin.start()
    webhook_plan = plan_and_rule(tocsin, "from-alertmanager", {"source": ["prometheus.alertmanager"]})
    pd_plan = plan_and_rule(
        tocsin, "from-pagerduty", {"source": ["pagerduty.events"], "detail-type": ["PagerDuty Event"]}
    )
    am_receiver = tocsin.post_json("/v1/receivers/create", {"name": "prom", "kind": "alertmanager"})
    pd_receiver = tocsin.post_json("/v1/receivers/create", {"name": "prom-pd", "kind": "pagerduty"})
    assert am_receiver["url"] == f"{tocsin.base}/v1/receivers/alertmanager/prom"
    # The receivers are exactly what the snippets say to paste into alertmanager.yml.
    snippet = {x["title"]: x["text"] for x in am_receiver["receiver"]["snippets"]}["alertmanager.yml receiver"]
    pd_snippet = {x["title"]: x["text"] for x in pd_receiver["receiver"]["snippets"]}[
        "alertmanager.yml receiver (pagerduty_configs)"
    ]
    receivers = yaml.safe_load(snippet)["receivers"] + yaml.safe_load(pd_snippet)["receivers"]
    assert receivers[0]["webhook_configs"][0]["url"] == am_receiver["url"]
    assert receivers[1]["pagerduty_configs"][0]["url"] == f"{tocsin.base}/v2/enqueue"
    config = yaml.safe_dump(
        {
            "route": {
                "receiver": receivers[0]["name"],
                "group_by": ["alertname"],
                "group_wait": "1s",
                "group_interval": "1s",
                "repeat_interval": "1h",
                "routes": [
                    {"matchers": ['team="web"'], "receiver": receivers[0]["name"]},
                    {"matchers": ['team="pd"'], "receiver": receivers[1]["name"]},
                ],
            },
            "receivers": receivers,
        }
    )
    am = Alertmanager(tmp_path, config)
    try:
        yield tocsin, am, webhook_plan, pd_plan
    finally:
        am.stop()
        tocsin.stop()


def test_alertmanager_webhook_and_pagerduty_routes_silences_and_resolution(stack):
    tocsin, am, webhook_plan, pd_plan = stack
    am.post(
        [
            alert("DiskFull", "web-1", "web", "critical"),
            alert("DiskFull", "web-2", "web", "critical"),
            alert("QueueBacklog", "q-1", "pd", "warning"),
            alert("QueueBacklog", "q-2", "pd", "warning"),
        ]
    )
    wait_for("three incidents", lambda: len(incidents(tocsin)) == 3 and incidents(tocsin))
    time.sleep(3)  # further group intervals open nothing more
    opened = incidents(tocsin)
    assert len(opened) == 3, opened
    by_title = {i["title"]: i for i in opened}
    assert "DiskFull on web-1" in by_title and "DiskFull on web-2" in by_title, by_title.keys()
    assert by_title["DiskFull on web-1"]["impact"] == 1, "severity=critical maps to 1"
    pd_incidents = [i for t, i in by_title.items() if not t.startswith("DiskFull on")]
    assert len(pd_incidents) == 1, "Alertmanager sends one PagerDuty event per group"
    web1 = by_title["DiskFull on web-1"]["arn"]

    # Acknowledging an incident fed by Alertmanager silences its alert there.
    tocsin.post_json(
        "/v1/incidents/acknowledge", {"incidentRecordArn": web1, "note": "on it", "expiresInSeconds": 600}
    )

    def silence_for_web1():
        for s in am.silences():
            matchers = {m["name"]: m["value"] for m in s["matchers"]}
            if matchers.get("instance") == "web-1" and matchers.get("alertname") == "DiskFull":
                return s
        return None

    silence = wait_for("amtool to show a silence for web-1", silence_for_web1)
    assert silence["comment"] == "on it"
    assert silence["createdBy"] == "admin", silence
    assert all(not m["isRegex"] for m in silence["matchers"])

    # Ending the silenced alert still resolves its incident (Alertmanager sends nothing).
    am.post([alert("DiskFull", "web-1", "web", "critical", ends=datetime.now(timezone.utc) - timedelta(seconds=1))])

    def status(arn):
        return next((i["status"] for i in incidents(tocsin) if i["arn"] == arn), None)

    wait_for("the silenced alert's incident to resolve", lambda: status(web1) == "RESOLVED")
    # Resolving expired the silence.
    wait_for("the silence to expire", lambda: silence_for_web1() is None)
    expired = [s for s in am.silences(active_only=False) if s["id"] == silence["id"]]
    assert expired and expired[0]["status"]["state"] == "expired", expired
    assert all(i["status"] == "OPEN" for i in incidents(tocsin) if i["arn"] != web1)

    # When the alerts end, their incidents resolve (webhook send_resolved and PagerDuty resolve).
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    am.post(
        [
            alert("DiskFull", "web-2", "web", "critical", ends=past),
            alert("QueueBacklog", "q-1", "pd", "warning", ends=past),
            alert("QueueBacklog", "q-2", "pd", "warning", ends=past),
        ]
    )
    wait_for(
        "every incident to resolve", lambda: all(i["status"] == "RESOLVED" for i in incidents(tocsin))
    )
    receivers = http("GET", f"{tocsin.base}/v1/receivers", headers={"Authorization": tocsin.bearer})
    counts = {r["name"]: r["eventCount"] for r in receivers}
    assert counts["prom"] >= 3 and counts["prom-pd"] >= 2, counts
    assert all(r["errorCount"] == 0 for r in receivers), receivers

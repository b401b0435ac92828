"""`GET /metrics` on a real `tocsin serve`: the text parses with the Prometheus client
library's own text-format parser, its counters move as SigV4-signed PutEvents (boto3) are
committed, and only a viewer key or the operator's scrape token may read it."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from awsshape import aws_client
from conftest import TocsinServer
from prometheus_client.parser import text_string_to_metric_families

SCRAPE_TOKEN = "scrape-token-0123456789abcdef"
ALARM_PATTERN = {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}


@pytest.fixture
def server(request, tmp_path):
    s = TocsinServer(tmp_path, ["--metrics-token", SCRAPE_TOKEN])
    request.node._tocsin_server = s
    s.start()
    try:
        yield s
    finally:
        s.stop()


def get(server: TocsinServer, authorization: str | None) -> tuple[int, str, str]:
    headers = {"Authorization": authorization} if authorization else {}
    req = urllib.request.Request(f"{server.base}/metrics", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample, keyed by (name, sorted labels), parsed by prometheus_client."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(parsed: dict, name: str, **labels) -> float:
    return parsed.get((name, tuple(sorted(labels.items()))), 0.0)


def put_entry(event: dict) -> dict:
    return {
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event["detail"]),
        "Resources": event["resources"],
    }


def test_metrics_parse_and_move_as_events_arrive(server, cloudwatch_alarm_event):
    admin = (server.access_key_id, server.secret_access_key)
    status, content_type, text = get(server, f"Bearer {SCRAPE_TOKEN}")
    assert status == 200, text
    assert content_type.startswith("text/plain; version=0.0.4"), content_type
    before = samples(text)

    incidents = aws_client("ssm-incidents", server.base, admin)
    events = aws_client("events", server.base, admin)
    plan = incidents.create_response_plan(
        name="cpu-high", incidentTemplate={"title": "CPU high", "impact": 2}
    )["arn"]
    events.put_rule(Name="cpu", EventPattern=json.dumps(ALARM_PATTERN))
    assert events.put_targets(Rule="cpu", Targets=[{"Id": "p", "Arn": plan}])["FailedEntryCount"] == 0
    unmatched = {"Source": "my.app", "DetailType": "noise", "Detail": "{}"}
    for _ in range(3):
        resp = events.put_events(Entries=[put_entry(cloudwatch_alarm_event), unmatched])
        assert resp["FailedEntryCount"] == 0, resp

    # The counters come from committed change-feed entries: give the tailer a moment.
    deadline = time.monotonic() + 10
    while True:
        status, _, text = get(server, server.bearer)
        assert status == 200, text
        after = samples(text)
        if value(after, "tocsin_events_ingested_total", bus="default") - value(
            before, "tocsin_events_ingested_total", bus="default"
        ) >= 6 or time.monotonic() > deadline:
            break
        time.sleep(0.2)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("tocsin_events_ingested_total", bus="default") == 6, text
    assert moved("tocsin_events_matched_total", bus="default") == 3, text
    assert moved("tocsin_incidents_opened_total", plan="cpu-high") == 1, text
    assert moved("tocsin_incidents_deduplicated_total", plan="cpu-high") == 2, text
    assert moved("tocsin_feed_entries_total") >= 6, text
    # Commit latency is a histogram with a count that grew with the writes.
    assert moved("tocsin_commit_seconds_count") >= 4, text
    assert value(after, "tocsin_commit_seconds_bucket", le="+Inf") == value(after, "tocsin_commit_seconds_count")
    for queue in ("deliveries", "notifications", "runbooks", "engagements", "pages"):
        assert ("tocsin_queue_depth", (("queue", queue),)) in after, queue
    assert ("tocsin_streams_open", ()) in after

    # Who may read it: a viewer key, the scrape token; not a producer key, a wrong token or nobody.
    viewer = server.post_json("/v1/keys", {"name": "grafana", "role": "viewer"})
    producer = server.post_json("/v1/keys", {"name": "sender", "role": "producer"})
    assert get(server, f"Bearer {viewer['accessKeyId']}:{viewer['secretAccessKey']}")[0] == 200
    assert get(server, f"Bearer {producer['accessKeyId']}:{producer['secretAccessKey']}")[0] == 403
    status, _, body = get(server, "Bearer scrape-token-but-not-the-right-one")
    assert status in (400, 403), body
    assert "tocsin_" not in body
    status, _, body = get(server, None)
    assert status in (401, 403), body
    # The token is never written to the log.
    assert SCRAPE_TOKEN not in server.log()

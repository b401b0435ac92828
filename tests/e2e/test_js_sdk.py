"""A second real AWS client: the AWS SDK for JavaScript v3 (@aws-sdk/client-ssm-incidents and
@aws-sdk/client-eventbridge, the exact versions in tests/e2e/js/package.json) run with Node.

tests/e2e/js/drive.mjs drives the scenario against a fresh `tocsin serve` and prints what it
observed as one JSON document: a response plan; a rule on a custom bus (CreateEventBus)
matching CloudWatch alarm events, with the plan as its target; an archive of that bus; an
alarm put on the bus, which opens an incident; a second incident started directly (one
client token, twice); a Note and a related item on it, listed back with filters; tags on it;
the rule's incident resolved; a replay of the archive, which opens a new incident. This test
asserts on that document. `scripts/setup.sh` installs Node and runs `npm ci` in tests/e2e/js.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
DRIVER = JS_DIR / "drive.mjs"
TIMEOUT_S = 120

# What drive.mjs creates (kept in step with the constants at its top).
PLAN_TITLE = "CPU high (JS SDK)"
PLAN_IMPACT = 2
PLAN_TAGS = {"owner": "sre", "driver": "js-sdk"}
DIRECT_TITLE = "Started directly (JS SDK)"
DIRECT_IMPACT = 4
RELATED_URL = "https://status.example.com/js-sdk"


def node_and_sdk() -> str:
    """The node binary; fails (never skips) when Node or the pinned SDK is not installed."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run scripts/setup.sh (it installs Debian's nodejs and npm)")
    if not (JS_DIR / "node_modules").is_dir():
        pytest.fail(f"{JS_DIR / 'node_modules'} is missing: run scripts/setup.sh (it runs `npm ci` there)")
    pins = json.loads((JS_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name, version in pins.items():
        manifest = JS_DIR / "node_modules" / name / "package.json"
        installed = json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else None
        if installed != version:
            pytest.fail(
                f"{name} {version} is pinned in tests/e2e/js/package.json but {installed or 'nothing'} is "
                "installed: run scripts/setup.sh (it runs `npm ci` in tests/e2e/js)"
            )
    return node


def run_driver(node: str, base_url: str, credentials: tuple[str, str]) -> dict:
    key, secret = credentials
    env = dict(os.environ, TOCSIN_ACCESS_KEY_ID=key, TOCSIN_SECRET_ACCESS_KEY=secret)
    try:
        proc = subprocess.run(
            [node, str(DRIVER), base_url],
            env=env,
            cwd=JS_DIR,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"node {DRIVER.name} did not finish within {TIMEOUT_S} s:\nstdout:\n{err.stdout}\nstderr:\n{err.stderr}")
    if proc.returncode != 0:
        pytest.fail(f"node {DRIVER.name} exited with {proc.returncode}:\n{proc.stderr}\nstdout:\n{proc.stdout}")
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"node {DRIVER.name} did not print one JSON document:\n{proc.stdout}\nstderr:\n{proc.stderr}")


def arns(records: list[dict]) -> list[str]:
    return sorted(r["arn"] for r in records)


def test_js_sdk_v3_drives_plans_rules_custom_bus_archive_replay_notes_tags_and_filters(
    base_url, admin_credentials, cloudwatch_alarm_event
):
    node = node_and_sdk()
    started = time.monotonic()
    out = run_driver(node, base_url, admin_credentials)
    elapsed = time.monotonic() - started
    print(f"drive.mjs: {elapsed:.1f} s with Node {out['node']} and {out['sdk']}")

    pins = json.loads((JS_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    sdk_pins = {name: version for name, version in pins.items() if name.startswith("@aws-sdk/")}
    assert out["sdk"] == sdk_pins, "the driver ran the pinned SDK versions"
    alarm_arn = cloudwatch_alarm_event["resources"][0]

    # The plan, with its tags.
    plan_arn = out["plan"]["arn"]
    assert plan_arn.startswith("arn:") and plan_arn.endswith(":response-plan/js-sdk-cpu")
    assert out["plan"]["tags"] == PLAN_TAGS

    # The custom bus, the rule on it, the plan as target, the archive of the bus.
    bus_arn = out["bus"]["arn"]
    assert bus_arn.startswith("arn:") and bus_arn.endswith(":event-bus/js-ops")
    rule_arn = out["rule"]["arn"]
    assert rule_arn.endswith(":rule/js-ops/js-alarms"), "a rule on a custom bus has the bus in its ARN"
    assert out["rule"]["putTargetsFailedEntryCount"] == 0
    assert out["rule"]["targets"] == [{"Id": "plan", "Arn": plan_arn}]
    archive = out["archive"]
    assert archive["arn"].endswith(":archive/js-alarms-archive") and archive["state"] == "ENABLED"
    assert archive["eventSourceArn"] == bus_arn

    # The alarm put on the custom bus: accepted, archived once.
    assert out["putEvents"]["failedEntryCount"] == 0
    [entry] = out["putEvents"]["entries"]
    assert entry.get("EventId") and entry.get("ErrorCode") is None, entry
    assert archive["eventCount"] == 1

    # The rule opened exactly one incident from the plan's template.
    rule_incident = out["ruleIncident"]
    assert rule_incident["status"] == "OPEN"
    assert rule_incident["title"] == PLAN_TITLE and rule_incident["impact"] == PLAN_IMPACT
    assert arns(rule_incident["listedOpenImpact2"]) == [rule_incident["arn"]], "no duplicate incident"
    assert rule_incident["arn"].startswith(plan_arn.replace(":response-plan/", ":incident-record/") + "/")
    assert rule_incident["source"]["resourceArn"] == rule_arn
    assert rule_incident["source"]["source"] == "aws.cloudwatch"
    assert {"type": "INVOLVED_RESOURCE", "value": {"arn": alarm_arn}} in rule_incident["relatedItems"]

    # StartIncident with one client token, twice: one incident.
    direct_arn = out["directIncident"]["arn"]
    assert out["directIncident"]["sameTokenArn"] == direct_arn
    assert direct_arn != rule_incident["arn"]

    # ListIncidentRecords filters narrow: values ORed within a filter, filters ANDed.
    filters = out["filters"]
    assert arns(filters["all"]) == sorted([rule_incident["arn"], direct_arn])
    assert arns(filters["openImpact2"]) == [rule_incident["arn"]]
    assert arns(filters["openImpact4"]) == [direct_arn]
    assert [r["title"] for r in filters["openImpact4"]] == [DIRECT_TITLE]
    assert [r["impact"] for r in filters["openImpact4"]] == [DIRECT_IMPACT]
    assert arns(filters["openImpact2or4"]) == sorted([rule_incident["arn"], direct_arn])
    assert filters["impact5"] == []
    assert filters["resolvedBefore"] == []

    # The note, listed back whole and through eventType/eventTime filters.
    note = out["note"]
    assert note["eventId"] and note["incidentRecordArn"] == direct_arn
    assert {e["eventType"] for e in note["all"]} == {"Incident Created", "Note"}
    assert all(e["incidentRecordArn"] == direct_arn for e in note["all"])
    assert [e["eventId"] for e in note["notes"]] == [note["eventId"]]
    assert [e["eventId"] for e in note["notesAfter"]] == [note["eventId"]]
    assert note["notesBefore"] == [], "an eventTime filter before the note excludes it"
    assert [e["eventType"] for e in note["createdOnly"]] == ["Incident Created"]

    # The related item.
    assert out["relatedItems"] == [{"type": "OTHER", "value": {"url": RELATED_URL}, "title": "Status page"}]

    # Tags on the incident round-trip.
    assert out["tags"]["afterTag"] == {"team": "sre", "severity": "high"}
    assert out["tags"]["afterUntag"] == {"team": "sre"}

    # The rule's incident resolved: it leaves the OPEN filter and enters the RESOLVED one.
    resolved = out["resolved"]
    assert resolved["arn"] == rule_incident["arn"] and resolved["status"] == "RESOLVED"
    assert resolved["resolvedTime"]
    assert resolved["openImpact2"] == []
    assert arns(resolved["resolved"]) == [rule_incident["arn"]]

    # The replay of the archive onto its bus, to the rule, completed.
    replay = out["replay"]
    assert replay["arn"].endswith(":replay/js-again")
    assert replay["startState"] == "STARTING"
    assert replay["state"] == "COMPLETED", replay
    assert set(replay["statesSeen"]) <= {"STARTING", "RUNNING", "COMPLETED"}
    assert replay["eventSourceArn"] == archive["arn"]
    assert replay["destination"] == {"Arn": bus_arn, "FilterArns": [rule_arn]}
    assert replay["eventLastReplayedTime"], replay
    assert replay["replayEndTime"] and replay["replayEndTime"] >= replay["replayStartTime"]

    # The replayed alarm opened a new incident (the earlier one is resolved); the direct one
    # is still open; replayed events are not archived again.
    after = out["afterReplay"]
    new = after["newIncident"]
    assert arns(after["openImpact2"]) == [new["arn"]]
    assert new["arn"] != rule_incident["arn"]
    assert new["status"] == "OPEN" and new["title"] == PLAN_TITLE and new["impact"] == PLAN_IMPACT
    assert new["source"]["resourceArn"] == rule_arn
    assert new["dedupeString"] == rule_incident["dedupeString"]
    assert arns(after["open"]) == sorted([new["arn"], direct_arn])
    assert arns(after["resolved"]) == [rule_incident["arn"]]
    assert after["archiveEventCount"] == 1

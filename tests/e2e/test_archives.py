"""EventBridge archives and replays driven by boto3 against a running `tocsin serve`.

The must-show: 1,000 archived events, replayed to their rule after the incidents they
opened were resolved, produce the same incidents and timeline entries (repeated triggers
folded into one entry with their count) as the original run,
compared field by field with ARNs, ids, times and `replay-name` masked.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import time

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError
from test_boto3 import ALARM_PATTERN, error_code, put_event_entry, wait_for

ALARMS = 50
EVENTS = 1000


@pytest.fixture
def incidents(base_url, admin_credentials):
    return aws_client("ssm-incidents", base_url, admin_credentials)


@pytest.fixture
def events(base_url, admin_credentials):
    return aws_client("events", base_url, admin_credentials)


MASKS = [
    (re.compile(r"arn:aws:[^\"\s,}\\]+"), "<arn>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"), "<time>"),
]


TIME_KEYS = {"timestamp", "time", "eventTime", "eventUpdatedTime", "creationTime", "resolvedTime", "firstTime", "lastTime"}


def mask(value):
    """A value with ARNs, ids and times masked and `replay-name` and `rawData` dropped."""
    if isinstance(value, dict):
        return {
            k: "<time>" if k in TIME_KEYS else mask(v)
            for k, v in value.items()
            if k not in ("replay-name", "rawData", "arn")
        }
    if isinstance(value, list):
        return [mask(v) for v in value]
    if isinstance(value, str):
        for pattern, replacement in MASKS:
            value = pattern.sub(replacement, value)
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return mask(parsed) if isinstance(parsed, (dict, list)) else value
    if isinstance(value, dt.datetime):
        return "<time>"
    return value


def incident_records(incidents, status):
    """Every incident in `status`, each with its timeline (oldest first), keyed by dedupe string."""
    out = {}
    token = None
    while True:
        kwargs = {"filters": [{"key": "status", "condition": {"equals": {"stringValues": [status]}}}], "maxResults": 100}
        if token:
            kwargs["nextToken"] = token
        page = incidents.list_incident_records(**kwargs)
        for summary in page["incidentRecordSummaries"]:
            record = incidents.get_incident_record(arn=summary["arn"])["incidentRecord"]
            timeline = []
            t_token = None
            while True:
                t_kwargs = {"incidentRecordArn": summary["arn"], "sortBy": "EVENT_TIME", "sortOrder": "ASCENDING", "maxResults": 100}
                if t_token:
                    t_kwargs["nextToken"] = t_token
                t_page = incidents.list_timeline_events(**t_kwargs)
                for e in t_page["eventSummaries"]:
                    full = incidents.get_timeline_event(incidentRecordArn=summary["arn"], eventId=e["eventId"])["event"]
                    timeline.append({"eventType": full["eventType"], "eventData": mask(full["eventData"])})
                t_token = t_page.get("nextToken")
                if not t_token:
                    break
            shape = {
                k: mask(v)
                for k, v in record.items()
                if k not in ("arn", "creationTime", "lastModifiedTime", "resolvedTime", "status", "lastModifiedBy")
            }
            out[record["dedupeString"]] = {"record": shape, "timeline": timeline}
        token = page.get("nextToken")
        if not token:
            return out


def test_archive_lifecycle(events):
    """CreateArchive/DescribeArchive/ListArchives/UpdateArchive/DeleteArchive with their
    errors; events matching the pattern are kept and counted."""
    bus_arn = events.describe_event_bus()["Arn"]
    created = events.create_archive(
        ArchiveName="alarms", EventSourceArn=bus_arn, EventPattern=json.dumps(ALARM_PATTERN),
        RetentionDays=7, Description="CloudWatch alarms",
    )
    assert created["State"] == "ENABLED" and created["ArchiveArn"].endswith(":archive/alarms")
    alarm = {
        "Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change",
        "Detail": json.dumps({"alarmName": "a", "state": {"value": "ALARM"}}), "Resources": ["arn:aws:cloudwatch:us-east-1:000000000000:alarm:a"],
    }
    other = {"Source": "my.app", "DetailType": "Other", "Detail": "{}"}
    events.put_events(Entries=[alarm, other, alarm])
    described = events.describe_archive(ArchiveName="alarms")
    assert described["EventCount"] == 2 and described["SizeBytes"] > 0
    assert described["RetentionDays"] == 7 and described["EventSourceArn"] == bus_arn
    assert json.loads(described["EventPattern"]) == ALARM_PATTERN
    assert [a["ArchiveName"] for a in events.list_archives()["Archives"]] == ["alarms"]
    assert events.list_archives(NamePrefix="x")["Archives"] == []
    events.update_archive(ArchiveName="alarms", RetentionDays=0, Description="kept")
    assert events.describe_archive(ArchiveName="alarms")["RetentionDays"] == 0
    for call, code in [
        (lambda: events.create_archive(ArchiveName="alarms", EventSourceArn=bus_arn), "ResourceAlreadyExistsException"),
        (lambda: events.create_archive(ArchiveName="x", EventSourceArn=bus_arn.replace("default", "nowhere")), "ResourceNotFoundException"),
        (lambda: events.create_archive(ArchiveName="x", EventSourceArn=bus_arn, EventPattern='{"source": "x"}'), "InvalidEventPatternException"),
        (lambda: events.describe_archive(ArchiveName="missing"), "ResourceNotFoundException"),
        (lambda: events.update_archive(ArchiveName="missing", RetentionDays=1), "ResourceNotFoundException"),
        (lambda: events.delete_archive(ArchiveName="missing"), "ResourceNotFoundException"),
        (lambda: events.delete_event_bus(Name="default"), "ValidationException"),
    ]:
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == code
    assert [a["ArchiveName"] for a in events.list_archives()["Archives"]] == ["alarms"], "refused calls write nothing"
    events.delete_archive(ArchiveName="alarms")
    assert events.list_archives()["Archives"] == []


def test_replay_of_1000_events_reproduces_incidents_and_timelines(incidents, events, cloudwatch_alarm_event):
    plan_arn = incidents.create_response_plan(name="replayed", incidentTemplate={"title": "Alarm", "impact": 3})["arn"]
    rule_arn = events.put_rule(Name="alarms", EventPattern=json.dumps(ALARM_PATTERN))["RuleArn"]
    events.put_targets(Rule="alarms", Targets=[{"Id": "plan", "Arn": plan_arn}])
    # A second rule matching the same events: not in FilterArns, so the replay skips it.
    other_plan = incidents.create_response_plan(name="not-replayed", incidentTemplate={"title": "Other", "impact": 5})["arn"]
    events.put_rule(Name="also-alarms", EventPattern=json.dumps(ALARM_PATTERN))
    bus_arn = events.describe_event_bus()["Arn"]
    archive_arn = events.create_archive(ArchiveName="all", EventSourceArn=bus_arn)["ArchiveArn"]
    start = time.time() - 1

    entries = []
    for i in range(EVENTS):
        event = copy.deepcopy(cloudwatch_alarm_event)
        name = f"alarm-{i % ALARMS:02d}"
        event["resources"] = [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"]
        event["detail"]["alarmName"] = name
        event["detail"]["state"]["reason"] = f"Threshold crossed ({i})"
        entries.append(put_event_entry(event))
    for i in range(0, EVENTS, 10):
        assert events.put_events(Entries=entries[i : i + 10])["FailedEntryCount"] == 0
    original = incident_records(incidents, "OPEN")
    assert len(original) == ALARMS
    for v in original.values():
        # Each alarm's repeats fold into one "Trigger Deduplicated" entry with their count.
        folded = [e for e in v["timeline"] if e["eventType"] == "Trigger Deduplicated"]
        assert len(folded) == 1, v["timeline"]
        assert folded[0]["eventData"]["count"] == EVENTS // ALARMS - 1, folded
    assert events.describe_archive(ArchiveName="all")["EventCount"] == EVENTS

    for summary in incidents.list_incident_records(maxResults=100)["incidentRecordSummaries"]:
        incidents.update_incident_record(arn=summary["arn"], status="RESOLVED")
    assert incident_records(incidents, "OPEN") == {}
    # Only the replay's rule: the other rule's plan stays without incidents.
    events.put_targets(Rule="also-alarms", Targets=[{"Id": "other", "Arn": other_plan}])

    end = time.time() + 0.5
    time.sleep(0.6)
    started = events.start_replay(
        ReplayName="again", EventSourceArn=archive_arn,
        EventStartTime=dt.datetime.fromtimestamp(start, dt.timezone.utc),
        EventEndTime=dt.datetime.fromtimestamp(end, dt.timezone.utc),
        Destination={"Arn": bus_arn, "FilterArns": [rule_arn]},
    )
    assert started["State"] == "STARTING" and started["ReplayArn"].endswith(":replay/again")
    seen = set()

    def describe():
        d = events.describe_replay(ReplayName="again")
        seen.add(d["State"])
        return d

    done = wait_for(describe, lambda d: d["State"] in ("COMPLETED", "FAILED", "CANCELLED"), timeout=120, interval=0.05, what="the replay to finish")
    assert done["State"] == "COMPLETED", done
    assert done["EventLastReplayedTime"] and done["ReplayEndTime"] >= done["ReplayStartTime"]
    assert done["Destination"] == {"Arn": bus_arn, "FilterArns": [rule_arn]}
    assert seen <= {"STARTING", "RUNNING", "COMPLETED"}
    listed = events.list_replays(State="COMPLETED")["Replays"]
    assert [r["ReplayName"] for r in listed] == ["again"]
    with pytest.raises(ClientError) as err:
        events.cancel_replay(ReplayName="again")
    assert error_code(err.value) == "IllegalStatusException"

    replayed = incident_records(incidents, "OPEN")
    assert set(replayed) == set(original)
    for key in original:
        assert replayed[key]["record"] == original[key]["record"], key
        assert replayed[key]["timeline"] == original[key]["timeline"], key
    other = [s for s in incidents.list_incident_records(maxResults=100)["incidentRecordSummaries"] if s["title"] == "Other"]
    assert other == [], "FilterArns keeps the replay to its rule"
    assert events.describe_archive(ArchiveName="all")["EventCount"] == EVENTS, "replayed events are not archived again"


def test_replay_errors_and_cancel(events):
    bus_arn = events.describe_event_bus()["Arn"]
    archive_arn = events.create_archive(ArchiveName="a", EventSourceArn=bus_arn)["ArchiveArn"]
    now = dt.datetime.now(dt.timezone.utc)
    hour = dt.timedelta(hours=1)
    ok = {"EventSourceArn": archive_arn, "EventStartTime": now - hour, "EventEndTime": now, "Destination": {"Arn": bus_arn}}
    events.create_event_bus(Name="ops")
    for kwargs, code in [
        (dict(ok, EventStartTime=now, EventEndTime=now - hour), "ValidationException"),
        (dict(ok, EventEndTime=now + hour), "ValidationException"),
        (dict(ok, EventSourceArn=archive_arn + "x"), "ResourceNotFoundException"),
        (dict(ok, Destination={"Arn": bus_arn.replace("default", "ops")}), "ValidationException"),
        (dict(ok, Destination={"Arn": bus_arn, "FilterArns": [bus_arn.replace("event-bus/default", "rule/none")]}), "ValidationException"),
    ]:
        with pytest.raises(ClientError) as err:
            events.start_replay(ReplayName="bad", **kwargs)
        assert error_code(err.value) == code, kwargs
    assert events.list_replays()["Replays"] == [], "refused replays write nothing"
    events.start_replay(ReplayName="r1", **ok)
    with pytest.raises(ClientError) as err:
        events.start_replay(ReplayName="r1", **ok)
    assert error_code(err.value) == "ResourceAlreadyExistsException"
    d = wait_for(lambda: events.describe_replay(ReplayName="r1"), lambda d: d["State"] == "COMPLETED", what="an empty replay to complete")
    assert d["StateReason"] == "Replayed 0 events."
    with pytest.raises(ClientError) as err:
        events.describe_replay(ReplayName="missing")
    assert error_code(err.value) == "ResourceNotFoundException"


def test_backtest_a_draft_pattern_over_an_archive(tocsin, incidents, events, cloudwatch_alarm_event):
    """POST /v1/rules/backtest: how many archived events a draft pattern would have matched,
    how many incidents a plan would have opened after dedupe, and the nearest misses with
    their deciding field."""
    bus_arn = events.describe_event_bus()["Arn"]
    events.create_archive(ArchiveName="history", EventSourceArn=bus_arn)

    def alarm(name, state):
        e = copy.deepcopy(cloudwatch_alarm_event)
        e["resources"] = [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"]
        e["detail"]["alarmName"] = name
        e["detail"]["state"]["value"] = state
        return put_event_entry(e)

    batch = [alarm("a", "ALARM")] * 5 + [alarm("b", "ALARM")] * 3
    events.put_events(Entries=batch)
    events.put_events(Entries=[alarm("a", "OK")] * 4 + [{"Source": "my.app", "DetailType": "Other", "Detail": "{}"}] * 2)
    draft = json.dumps(dict(ALARM_PATTERN, detail={"state": {"value": ["ALARM"]}}))
    result = tocsin.post_json("/v1/rules/backtest", {"archiveName": "history", "eventPattern": draft})
    assert (result["scanned"], result["matched"], result["incidents"]) == (14, 8, 2), result
    assert len(result["matchedSample"]) == 8 and not result["truncated"]
    misses = result["nearMisses"]
    assert len(misses) == 4, misses
    assert all(m["field"] == "detail.state.value" and '"OK"' in m["reason"] for m in misses)
    assert all(m["fieldsPassed"] == 2 and m["fieldsTotal"] == 3 for m in misses)

    # A plan with its own dedupe string merges everything into one incident.
    plan = incidents.create_response_plan(
        name="one", incidentTemplate={"title": "t", "impact": 3, "dedupeString": "all-alarms"}
    )["arn"]
    merged = tocsin.post_json("/v1/rules/backtest", {"archiveName": "history", "eventPattern": draft, "responsePlanArn": plan})
    assert (merged["matched"], merged["incidents"]) == (8, 1)
    # A time range before the events holds nothing.
    empty = tocsin.post_json("/v1/rules/backtest", {"archiveName": "history", "eventPattern": draft, "startTime": 0, "endTime": 1})
    assert (empty["scanned"], empty["matched"]) == (0, 0)

    import urllib.error

    for body, status in [
        ({"archiveName": "history", "eventPattern": '{"source": "x"}'}, 400),
        ({"archiveName": "missing", "eventPattern": draft}, 404),
        ({"archiveName": "history", "eventPattern": draft, "startTime": 10, "endTime": 5}, 400),
    ]:
        with pytest.raises(urllib.error.HTTPError) as err:
            tocsin.post_json("/v1/rules/backtest", body)
        assert err.value.code == status, body

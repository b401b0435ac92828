"""A real AWS client (boto3) against a running `tocsin serve`.

Every call goes through botocore's own request validation, signing and response parsing,
and every successful response body is also checked against the service model
(awsshape.check_response_body).
"""

from __future__ import annotations

import copy
import json
import time

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError

ALARM_PATTERN = {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}
PLAN_TITLE = "CPU high on web"
PLAN_IMPACT = 2


def wait_for(fetch, done, timeout=10.0, interval=0.1, what="condition"):
    """Poll fetch() until done(value) is true; return the last value."""
    deadline = time.monotonic() + timeout
    value = fetch()
    while not done(value):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}; last value: {value!r}")
        time.sleep(interval)
        value = fetch()
    return value


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def put_event_entry(event: dict) -> dict:
    """An EventBridge event envelope as a PutEvents request entry."""
    return {
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event["detail"]),
        "Resources": event["resources"],
        "Time": event["time"],
    }


@pytest.fixture
def incidents(base_url, admin_credentials):
    return aws_client("ssm-incidents", base_url, admin_credentials)


@pytest.fixture
def events(base_url, admin_credentials):
    return aws_client("events", base_url, admin_credentials)


@pytest.mark.postgres_too
def test_cloudwatch_alarm_opens_one_incident(incidents, events, cloudwatch_alarm_event):
    alarm_arn = cloudwatch_alarm_event["resources"][0]

    plan_arn = incidents.create_response_plan(
        name="cpu-high",
        displayName="CPU high",
        incidentTemplate={"title": PLAN_TITLE, "impact": PLAN_IMPACT},
    )["arn"]
    assert plan_arn.startswith("arn:") and "response-plan/cpu-high" in plan_arn

    rule_arn = events.put_rule(Name="cpu-alarms", EventPattern=json.dumps(ALARM_PATTERN))["RuleArn"]
    assert rule_arn.startswith("arn:") and rule_arn.endswith("rule/cpu-alarms")
    targets = events.put_targets(Rule="cpu-alarms", Targets=[{"Id": "plan", "Arn": plan_arn}])
    assert targets["FailedEntryCount"] == 0, targets

    def send_alarm():
        resp = events.put_events(Entries=[put_event_entry(cloudwatch_alarm_event)])
        assert resp["FailedEntryCount"] == 0, resp
        assert len(resp["Entries"]) == 1, resp
        assert resp["Entries"][0].get("EventId"), resp
        assert "ErrorCode" not in resp["Entries"][0], resp
        return resp

    send_alarm()

    def list_records(**kwargs):
        return incidents.list_incident_records(**kwargs)["incidentRecordSummaries"]

    wait_for(list_records, lambda r: len(r) >= 1, what="the alarm's incident to be listed")
    time.sleep(0.5)  # give a duplicate effect the chance to show up
    records = list_records()
    assert len(records) == 1, f"expected exactly one incident, got {records}"
    record = records[0]
    assert record["status"] == "OPEN"
    assert record["title"] == PLAN_TITLE
    assert record["impact"] == PLAN_IMPACT
    incident_arn = record["arn"]

    related = incidents.list_related_items(incidentRecordArn=incident_arn)["relatedItems"]
    involved = [
        item
        for item in related
        if item["identifier"]["type"] == "INVOLVED_RESOURCE" and item["identifier"]["value"].get("arn") == alarm_arn
    ]
    assert involved, f"no INVOLVED_RESOURCE related item with {alarm_arn}: {related}"

    def timeline():
        return incidents.list_timeline_events(incidentRecordArn=incident_arn)["eventSummaries"]

    before = len(timeline())
    assert before >= 1, "the new incident has no timeline entry"

    # The same alarm again: deduplicated into the open incident, with one new timeline entry.
    send_alarm()
    wait_for(timeline, lambda t: len(t) >= before + 1, what="a timeline entry for the repeated alarm")
    time.sleep(0.5)
    after = timeline()
    assert len(after) == before + 1, f"expected {before + 1} timeline entries, got {len(after)}: {after}"
    records = list_records()
    assert len(records) == 1, f"the repeated alarm opened another incident: {records}"
    assert records[0]["arn"] == incident_arn

    incidents.update_incident_record(arn=incident_arn, status="RESOLVED")
    resolved = incidents.get_incident_record(arn=incident_arn)["incidentRecord"]
    assert resolved["status"] == "RESOLVED"
    assert resolved.get("resolvedTime"), resolved
    assert resolved["title"] == PLAN_TITLE
    assert resolved["impact"] == PLAN_IMPACT

    open_filter = [{"key": "status", "condition": {"equals": {"stringValues": ["OPEN"]}}}]
    assert list_records(filters=open_filter) == []
    resolved_filter = [{"key": "status", "condition": {"equals": {"stringValues": ["RESOLVED"]}}}]
    assert [r["arn"] for r in list_records(filters=resolved_filter)] == [incident_arn]


@pytest.mark.postgres_too
def test_start_incident_client_token_is_idempotent(incidents):
    plan_arn = incidents.create_response_plan(name="manual", incidentTemplate={"title": "Manual incident", "impact": 3})[
        "arn"
    ]
    first = incidents.start_incident(responsePlanArn=plan_arn, clientToken="tok-1", title="manual")["incidentRecordArn"]
    second = incidents.start_incident(responsePlanArn=plan_arn, clientToken="tok-1", title="manual")["incidentRecordArn"]
    assert first == second
    records = incidents.list_incident_records()["incidentRecordSummaries"]
    assert [r["arn"] for r in records] == [first], records
    record = incidents.get_incident_record(arn=first)["incidentRecord"]
    assert record["title"] == "manual"
    assert record["impact"] == 3  # from the plan's template
    assert record["status"] == "OPEN"


def test_response_plan_round_trip(incidents):
    arn = incidents.create_response_plan(
        name="db-down",
        displayName="Database down",
        incidentTemplate={"title": "Database unreachable", "impact": 1, "summary": "Primary DB", "dedupeString": "db"},
    )["arn"]

    plan = incidents.get_response_plan(arn=arn)
    assert plan["arn"] == arn
    assert plan["name"] == "db-down"
    assert plan["displayName"] == "Database down"
    assert plan["incidentTemplate"]["title"] == "Database unreachable"
    assert plan["incidentTemplate"]["impact"] == 1
    assert plan["incidentTemplate"].get("summary") == "Primary DB"
    assert plan["incidentTemplate"].get("dedupeString") == "db"

    summaries = incidents.list_response_plans()["responsePlanSummaries"]
    assert {"arn": arn, "name": "db-down", "displayName": "Database down"} in summaries

    incidents.update_response_plan(
        arn=arn, displayName="DB down", incidentTemplateTitle="Database is down", incidentTemplateImpact=2
    )
    plan = incidents.get_response_plan(arn=arn)
    assert plan["displayName"] == "DB down"
    assert plan["incidentTemplate"]["title"] == "Database is down"
    assert plan["incidentTemplate"]["impact"] == 2

    incidents.delete_response_plan(arn=arn)
    with pytest.raises(ClientError) as err:
        incidents.get_response_plan(arn=arn)
    assert error_code(err.value) == "ResourceNotFoundException"
    assert arn not in [p["arn"] for p in incidents.list_response_plans()["responsePlanSummaries"]]


def test_rule_and_target_round_trip(incidents, events):
    plan_arn = incidents.create_response_plan(name="web", incidentTemplate={"title": "Web down", "impact": 1})["arn"]

    rule_arn = events.put_rule(Name="e2e-alarms", EventPattern=json.dumps(ALARM_PATTERN), Description="e2e")["RuleArn"]
    rule = events.describe_rule(Name="e2e-alarms")
    assert rule["Name"] == "e2e-alarms"
    assert rule["Arn"] == rule_arn
    assert json.loads(rule["EventPattern"]) == ALARM_PATTERN
    assert rule["State"] == "ENABLED"
    assert rule.get("EventBusName", "default") == "default"
    assert rule.get("Description") == "e2e"

    listed = events.list_rules(NamePrefix="e2e-")["Rules"]
    assert [r["Name"] for r in listed] == ["e2e-alarms"]
    assert listed[0]["Arn"] == rule_arn

    resp = events.put_targets(Rule="e2e-alarms", Targets=[{"Id": "plan", "Arn": plan_arn}])
    assert resp["FailedEntryCount"] == 0, resp
    targets = events.list_targets_by_rule(Rule="e2e-alarms")["Targets"]
    assert [(t["Id"], t["Arn"]) for t in targets] == [("plan", plan_arn)]

    resp = events.remove_targets(Rule="e2e-alarms", Ids=["plan"])
    assert resp["FailedEntryCount"] == 0, resp
    assert events.list_targets_by_rule(Rule="e2e-alarms")["Targets"] == []

    events.delete_rule(Name="e2e-alarms")
    with pytest.raises(ClientError) as err:
        events.describe_rule(Name="e2e-alarms")
    assert error_code(err.value) == "ResourceNotFoundException"
    assert events.list_rules(NamePrefix="e2e-")["Rules"] == []


def test_test_event_pattern(events, cloudwatch_alarm_event):
    event = json.dumps(cloudwatch_alarm_event)
    assert events.test_event_pattern(EventPattern=json.dumps(ALARM_PATTERN), Event=event)["Result"] is True
    other = {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}
    assert events.test_event_pattern(EventPattern=json.dumps(other), Event=event)["Result"] is False
    nested = {"detail": {"state": {"value": ["ALARM"]}}}
    assert events.test_event_pattern(EventPattern=json.dumps(nested), Event=event)["Result"] is True
    nested_ok = {"detail": {"state": {"value": ["OK"]}}}
    assert events.test_event_pattern(EventPattern=json.dumps(nested_ok), Event=event)["Result"] is False
    # An invalid pattern is the modelled InvalidEventPatternException, with EventBridge's wording.
    for invalid in ({"source": "aws.cloudwatch"}, {"detail": {"state": [{"prefix": 5}]}}):
        with pytest.raises(events.exceptions.InvalidEventPatternException) as err:
            events.test_event_pattern(EventPattern=json.dumps(invalid), Event=event)
        assert err.value.response["Error"]["Message"].startswith("Event pattern is not valid. Reason: ")
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Four *:stack/NAME/* globs on one field are past EventBridge's wildcard complexity limit
    # (event-ruler scores them 12); three (9) are not. PutRule refuses the rule and keeps nothing.
    globs = [{"wildcard": f"*:stack/s{i}/*"} for i in range(4)]
    with pytest.raises(events.exceptions.InvalidEventPatternException) as err:
        events.put_rule(Name="globs", EventPattern=json.dumps({"resources": globs}))
    assert err.value.response["Error"]["Message"] == (
        "Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters"
        " or fewer repeating character sequences after a wildcard character"
    )
    assert not [r for r in events.list_rules()["Rules"] if r["Name"] == "globs"]
    events.put_rule(Name="globs", EventPattern=json.dumps({"resources": globs[:3]}))
    events.delete_rule(Name="globs")


def test_put_events_with_11_entries_is_rejected(base_url, admin_credentials, incidents, events, cloudwatch_alarm_event):
    plan_arn = incidents.create_response_plan(name="batch", incidentTemplate={"title": "Batch", "impact": 4})["arn"]
    events.put_rule(Name="batch", EventPattern=json.dumps(ALARM_PATTERN))
    events.put_targets(Rule="batch", Targets=[{"Id": "plan", "Arn": plan_arn}])

    unchecked = aws_client("events", base_url, admin_credentials, validate=False)
    entries = []
    for i in range(11):
        event = copy.deepcopy(cloudwatch_alarm_event)
        event["resources"] = [f"{event['resources'][0]}-{i}"]
        entries.append(put_event_entry(event))
    with pytest.raises(ClientError) as err:
        unchecked.put_events(Entries=entries)
    assert error_code(err.value) == "ValidationException", err.value.response
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    time.sleep(0.5)
    assert incidents.list_incident_records()["incidentRecordSummaries"] == [], "a rejected batch had an effect"


def test_create_response_plan_impact_6_is_rejected(base_url, admin_credentials, incidents):
    unchecked = aws_client("ssm-incidents", base_url, admin_credentials, validate=False)
    with pytest.raises(ClientError) as err:
        unchecked.create_response_plan(name="too-bad", incidentTemplate={"title": "Too bad", "impact": 6})
    assert error_code(err.value) == "ValidationException", err.value.response
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "too-bad" not in [p["name"] for p in incidents.list_response_plans()["responsePlanSummaries"]]


def test_get_timeline_event(incidents):
    plan_arn = incidents.create_response_plan(name="timeline", incidentTemplate={"title": "Disk full", "impact": 2})[
        "arn"
    ]
    arn = incidents.start_incident(responsePlanArn=plan_arn)["incidentRecordArn"]
    summaries = incidents.list_timeline_events(incidentRecordArn=arn)["eventSummaries"]
    created = next(s for s in summaries if s["eventType"] == "Incident Created")
    event = incidents.get_timeline_event(incidentRecordArn=arn, eventId=created["eventId"])["event"]
    assert event["eventId"] == created["eventId"]
    assert event["incidentRecordArn"] == arn
    assert event["eventType"] == "Incident Created"
    assert json.loads(event["eventData"])["title"] == "Disk full"
    assert event["eventTime"] == created["eventTime"]

    with pytest.raises(ClientError) as missing:
        incidents.get_timeline_event(incidentRecordArn=arn, eventId="00000000-0000-0000-0000-000000000000")
    assert error_code(missing.value) == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as bad_arn:
        incidents.get_timeline_event(incidentRecordArn="not-an-arn", eventId=created["eventId"])
    assert error_code(bad_arn.value) == "ValidationException"


def test_disable_enable_rule_names_by_target_and_rule_tags(incidents, events, cloudwatch_alarm_event):
    """EnableRule/DisableRule (a disabled rule matches nothing, from the moment the call
    answers), ListRuleNamesByTarget, and tags on rules (PutRule's Tags, TagResource,
    UntagResource, ListTagsForResource), with boto3's own parsing of every answer."""
    plan_arn = incidents.create_response_plan(name="toggled", incidentTemplate={"title": "Toggled", "impact": 2})["arn"]
    rule_arn = events.put_rule(
        Name="toggled", EventPattern=json.dumps(ALARM_PATTERN), Tags=[{"Key": "team", "Value": "web"}]
    )["RuleArn"]
    events.put_rule(Name="other", EventPattern=json.dumps(ALARM_PATTERN), State="DISABLED")
    events.put_targets(Rule="toggled", Targets=[{"Id": "plan", "Arn": plan_arn}])
    events.put_targets(Rule="other", Targets=[{"Id": "plan", "Arn": plan_arn}])

    names = events.list_rule_names_by_target(TargetArn=plan_arn)["RuleNames"]
    assert names == ["other", "toggled"]
    first = events.list_rule_names_by_target(TargetArn=plan_arn, Limit=1)
    assert first["RuleNames"] == ["other"] and first["NextToken"]
    second = events.list_rule_names_by_target(TargetArn=plan_arn, Limit=1, NextToken=first["NextToken"])
    assert second["RuleNames"] == ["toggled"] and "NextToken" not in second
    assert events.list_rule_names_by_target(TargetArn="arn:aws:ssm-incidents::1:response-plan/none")["RuleNames"] == []

    events.disable_rule(Name="toggled")
    assert events.describe_rule(Name="toggled")["State"] == "DISABLED"
    events.put_events(Entries=[put_event_entry(cloudwatch_alarm_event)])
    assert incidents.list_incident_records()["incidentRecordSummaries"] == [], "a disabled rule matches nothing"
    events.enable_rule(Name="toggled")
    assert events.describe_rule(Name="toggled")["State"] == "ENABLED"
    events.put_events(Entries=[put_event_entry(cloudwatch_alarm_event)])
    assert len(incidents.list_incident_records()["incidentRecordSummaries"]) == 1

    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "team", "Value": "web"}]
    events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "tier", "Value": "1"}, {"Key": "team", "Value": "db"}])
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [
        {"Key": "team", "Value": "db"},
        {"Key": "tier", "Value": "1"},
    ]
    events.untag_resource(ResourceARN=rule_arn, TagKeys=["team", "absent"])
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "tier", "Value": "1"}]

    for call, code in [
        (lambda: events.disable_rule(Name="missing"), "ResourceNotFoundException"),
        (lambda: events.tag_resource(ResourceARN=rule_arn + "x", Tags=[{"Key": "k", "Value": "v"}]), "ResourceNotFoundException"),
        (lambda: events.list_tags_for_resource(ResourceARN=rule_arn + "x"), "ResourceNotFoundException"),
        (lambda: events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)]), "LimitExceededException"),
    ]:
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == code
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "tier", "Value": "1"}], "a refused call writes nothing"

    events.remove_targets(Rule="toggled", Ids=["plan"])
    events.delete_rule(Name="toggled")
    events.put_rule(Name="toggled", EventPattern=json.dumps(ALARM_PATTERN))
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [], "tags go with their rule"


def test_timeline_notes_and_related_items_round_trip(incidents):
    """CreateTimelineEvent, GetTimelineEvent, UpdateTimelineEvent (Custom Event and Note only,
    clientToken), DeleteTimelineEvent, and UpdateRelatedItems with boto3."""
    plan = incidents.create_response_plan(name="notes", incidentTemplate={"title": "Notes", "impact": 3})["arn"]
    arn = incidents.start_incident(responsePlanArn=plan)["incidentRecordArn"]
    created = incidents.create_timeline_event(
        incidentRecordArn=arn,
        eventTime=time.time(),
        eventType="Note",
        eventData=json.dumps({"text": "Rolled back v42"}),
        eventReferences=[{"resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-1"}],
    )
    event_id = created["eventId"]
    got = incidents.get_timeline_event(incidentRecordArn=arn, eventId=event_id)["event"]
    assert got["eventType"] == "Note"
    assert got["eventReferences"] == [{"resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-1"}]

    for _ in range(2):  # the same clientToken twice: one update
        incidents.update_timeline_event(
            incidentRecordArn=arn, eventId=event_id, eventType="Custom Event",
            eventData=json.dumps({"text": "Rolled back v42 and v43"}), clientToken="upd-1",
        )
    got = incidents.get_timeline_event(incidentRecordArn=arn, eventId=event_id)["event"]
    assert got["eventType"] == "Custom Event"
    assert json.loads(got["eventData"]) == {"text": "Rolled back v42 and v43"}
    assert got["eventUpdatedTime"] >= got["eventTime"]

    system = next(
        e for e in incidents.list_timeline_events(incidentRecordArn=arn)["eventSummaries"]
        if e["eventType"] == "Incident Created"
    )
    for call in (
        lambda: incidents.update_timeline_event(incidentRecordArn=arn, eventId=system["eventId"], eventData="{}"),
        lambda: incidents.delete_timeline_event(incidentRecordArn=arn, eventId=system["eventId"]),
        lambda: incidents.update_timeline_event(incidentRecordArn=arn, eventId=event_id, eventType="Incident Created"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == "ValidationException"

    incidents.delete_timeline_event(incidentRecordArn=arn, eventId=event_id)
    with pytest.raises(ClientError) as err:
        incidents.get_timeline_event(incidentRecordArn=arn, eventId=event_id)
    assert error_code(err.value) == "ResourceNotFoundException"
    incidents.delete_timeline_event(incidentRecordArn=arn, eventId=event_id)  # again: fine
    with pytest.raises(ClientError) as err:
        incidents.update_timeline_event(incidentRecordArn=arn, eventId=event_id, eventData="{}")
    assert error_code(err.value) == "ResourceNotFoundException"

    item = {"identifier": {"type": "OTHER", "value": {"url": "https://status.example.com/"}}, "title": "Status page"}
    incidents.update_related_items(incidentRecordArn=arn, relatedItemsUpdate={"itemToAdd": item})
    items = incidents.list_related_items(incidentRecordArn=arn)["relatedItems"]
    assert [i["identifier"]["value"].get("url") for i in items] == ["https://status.example.com/"]
    incidents.update_related_items(
        incidentRecordArn=arn, relatedItemsUpdate={"itemToRemove": item["identifier"]}
    )
    assert incidents.list_related_items(incidentRecordArn=arn)["relatedItems"] == []

    # A PagerDuty incident named back with its members in another order is the same item.
    pd = {"type": "OTHER", "value": {"pagerDutyIncidentDetail": {"id": "Q1", "autoResolve": True, "secretId": "pd"}}}
    incidents.update_related_items(incidentRecordArn=arn, relatedItemsUpdate={"itemToAdd": {"identifier": pd}})
    assert len(incidents.list_related_items(incidentRecordArn=arn)["relatedItems"]) == 1
    reordered = {"type": "OTHER", "value": {"pagerDutyIncidentDetail": {"secretId": "pd", "autoResolve": True, "id": "Q1"}}}
    incidents.update_related_items(incidentRecordArn=arn, relatedItemsUpdate={"itemToRemove": reordered})
    assert incidents.list_related_items(incidentRecordArn=arn)["relatedItems"] == []


def test_incident_manager_tags_on_plans_and_incidents(incidents):
    """TagResource, UntagResource and ListTagsForResource (ssm-incidents) on response plans
    and incident records; a plan's incidentTags go on the incidents it opens; bad tags and
    unknown resources are refused and change nothing."""
    plan = incidents.create_response_plan(
        name="tagged",
        incidentTemplate={"title": "Tagged", "impact": 3, "incidentTags": {"service": "checkout"}},
        tags={"owner": "sre"},
    )["arn"]
    assert incidents.list_tags_for_resource(resourceArn=plan)["tags"] == {"owner": "sre"}
    incidents.tag_resource(resourceArn=plan, tags={"tier": "1", "owner": "platform"})
    assert incidents.list_tags_for_resource(resourceArn=plan)["tags"] == {"owner": "platform", "tier": "1"}
    incidents.untag_resource(resourceArn=plan, tagKeys=["tier", "absent"])
    assert incidents.list_tags_for_resource(resourceArn=plan)["tags"] == {"owner": "platform"}

    incident = incidents.start_incident(responsePlanArn=plan)["incidentRecordArn"]
    assert incidents.list_tags_for_resource(resourceArn=incident)["tags"] == {"service": "checkout"}
    incidents.tag_resource(resourceArn=incident, tags={"customer-impact": "yes"})
    assert incidents.list_tags_for_resource(resourceArn=incident)["tags"] == {
        "customer-impact": "yes",
        "service": "checkout",
    }

    missing = plan.replace("tagged", "missing")
    for call, code in [
        (lambda: incidents.tag_resource(resourceArn=plan, tags={"aws:reserved": "x"}), "ValidationException"),
        (lambda: incidents.tag_resource(resourceArn=plan, tags={"k": "é"}), "ValidationException"),
        (lambda: incidents.tag_resource(resourceArn=missing, tags={"k": "v"}), "ResourceNotFoundException"),
        (lambda: incidents.list_tags_for_resource(resourceArn=missing), "ResourceNotFoundException"),
        (lambda: incidents.tag_resource(resourceArn=plan, tags={f"k{i}": "v" for i in range(50)}), "ServiceQuotaExceededException"),
    ]:
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == code
    assert incidents.list_tags_for_resource(resourceArn=plan)["tags"] == {"owner": "platform"}

    incidents.delete_response_plan(arn=plan)
    incidents.create_response_plan(name="tagged", incidentTemplate={"title": "Tagged", "impact": 3})
    assert incidents.list_tags_for_resource(resourceArn=plan)["tags"] == {}, "tags go with their plan"


def test_replication_set_lifecycle(incidents):
    """The replication set as Terraform's aws_ssmincidents_replication_set drives it: create
    (one at most), get, list, add and delete a region, tags, deletion protection honoured,
    delete."""
    arn = incidents.create_replication_set(
        regions={"us-east-1": {}, "eu-central-1": {"sseKmsKeyId": "alias/incidents"}},
        tags={"managed-by": "terraform"},
    )["arn"]
    with pytest.raises(ClientError) as err:
        incidents.create_replication_set(regions={"us-west-2": {}})
    assert error_code(err.value) == "ConflictException"
    rs = incidents.get_replication_set(arn=arn)["replicationSet"]
    assert rs["status"] == "ACTIVE" and rs["deletionProtected"] is False
    assert set(rs["regionMap"]) == {"us-east-1", "eu-central-1"}
    assert all(r["status"] == "ACTIVE" for r in rs["regionMap"].values())
    assert rs["regionMap"]["eu-central-1"]["sseKmsKeyId"] == "alias/incidents"
    assert incidents.list_replication_sets()["replicationSetArns"] == [arn]
    assert incidents.list_tags_for_resource(resourceArn=arn)["tags"] == {"managed-by": "terraform"}

    incidents.update_replication_set(arn=arn, actions=[{"addRegionAction": {"regionName": "ap-southeast-2"}}])
    incidents.update_replication_set(arn=arn, actions=[{"deleteRegionAction": {"regionName": "us-east-1"}}])
    rs = incidents.get_replication_set(arn=arn)["replicationSet"]
    assert set(rs["regionMap"]) == {"eu-central-1", "ap-southeast-2"}
    for bad in (
        [{"addRegionAction": {"regionName": "mars-1"}}],
        [{"deleteRegionAction": {"regionName": "us-east-1"}}],
        [{"addRegionAction": {"regionName": "us-west-1"}}, {"addRegionAction": {"regionName": "us-west-2"}}],
    ):
        with pytest.raises(ClientError) as err:
            incidents.update_replication_set(arn=arn, actions=bad)
        assert error_code(err.value) == "ValidationException", bad

    incidents.update_deletion_protection(arn=arn, deletionProtected=True)
    with pytest.raises(ClientError) as err:
        incidents.delete_replication_set(arn=arn)
    assert error_code(err.value) == "ValidationException"
    assert incidents.get_replication_set(arn=arn)["replicationSet"]["deletionProtected"] is True
    incidents.update_deletion_protection(arn=arn, deletionProtected=False)
    incidents.delete_replication_set(arn=arn)
    assert incidents.list_replication_sets()["replicationSetArns"] == []
    with pytest.raises(ClientError) as err:
        incidents.get_replication_set(arn=arn)
    assert error_code(err.value) == "ResourceNotFoundException"


def test_resource_policies_are_stored_and_returned(incidents):
    """PutResourcePolicy, GetResourcePolicies, DeleteResourcePolicy on a response plan:
    stored and returned (a single-account Tocsin grants nothing through them)."""
    plan = incidents.create_response_plan(name="shared", incidentTemplate={"title": "Shared", "impact": 3})["arn"]
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ssm-incidents:GetResponsePlan", "Resource": plan}],
        }
    )
    policy_id = incidents.put_resource_policy(resourceArn=plan, policy=policy)["policyId"]
    got = incidents.get_resource_policies(resourceArn=plan)["resourcePolicies"]
    assert [(p["policyId"], json.loads(p["policyDocument"])) for p in got] == [(policy_id, json.loads(policy))]
    for call, code in [
        (lambda: incidents.put_resource_policy(resourceArn=plan, policy="not json"), "ValidationException"),
        (lambda: incidents.put_resource_policy(resourceArn=plan.replace("shared", "none"), policy=policy), "ResourceNotFoundException"),
        (lambda: incidents.delete_resource_policy(resourceArn=plan, policyId="nope"), "ResourceNotFoundException"),
    ]:
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == code
    incidents.delete_resource_policy(resourceArn=plan, policyId=policy_id)
    assert incidents.get_resource_policies(resourceArn=plan)["resourcePolicies"] == []


def test_delete_incident_record(incidents):
    """DeleteIncidentRecord removes the incident with its timeline, related items and tags;
    deleting it again succeeds, as the model has no ResourceNotFoundException for it."""
    plan = incidents.create_response_plan(
        name="deletable", incidentTemplate={"title": "Deletable", "impact": 4, "incidentTags": {"k": "v"}}
    )["arn"]
    keep = incidents.start_incident(responsePlanArn=plan, title="keep")["incidentRecordArn"]
    gone = incidents.start_incident(responsePlanArn=plan, title="gone")["incidentRecordArn"]
    incidents.create_timeline_event(incidentRecordArn=gone, eventTime=time.time(), eventType="Note", eventData="{}")
    incidents.delete_incident_record(arn=gone)
    with pytest.raises(ClientError) as err:
        incidents.get_incident_record(arn=gone)
    assert error_code(err.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as err:
        incidents.list_tags_for_resource(resourceArn=gone)
    assert error_code(err.value) == "ResourceNotFoundException"
    arns = [i["arn"] for i in incidents.list_incident_records()["incidentRecordSummaries"]]
    assert arns == [keep]
    incidents.delete_incident_record(arn=gone)  # again: fine
    assert incidents.list_tags_for_resource(resourceArn=keep)["tags"] == {"k": "v"}


def test_list_incident_records_filters(incidents):
    """ListIncidentRecords with every filter key (creationTime, impact, status, createdBy):
    values ORed within a filter, filters ANDed, at most 5."""
    plan = incidents.create_response_plan(name="filtered", incidentTemplate={"title": "F", "impact": 3})["arn"]
    a = incidents.start_incident(responsePlanArn=plan, title="a", impact=1)["incidentRecordArn"]
    b = incidents.start_incident(responsePlanArn=plan, title="b", impact=2)["incidentRecordArn"]
    c = incidents.start_incident(responsePlanArn=plan, title="c", impact=3)["incidentRecordArn"]
    incidents.update_incident_record(arn=c, status="RESOLVED")
    me = incidents.get_incident_record(arn=a)["incidentRecord"]["incidentRecordSource"]["createdBy"]

    def arns(filters):
        return sorted(i["arn"] for i in incidents.list_incident_records(filters=filters)["incidentRecordSummaries"])

    assert arns([{"key": "impact", "condition": {"equals": {"integerValues": [1, 2]}}}]) == sorted([a, b])
    assert arns([
        {"key": "impact", "condition": {"equals": {"integerValues": [1, 3]}}},
        {"key": "status", "condition": {"equals": {"stringValues": ["OPEN"]}}},
    ]) == [a]
    assert arns([{"key": "createdBy", "condition": {"equals": {"stringValues": [me]}}}]) == sorted([a, b, c])
    assert arns([{"key": "createdBy", "condition": {"equals": {"stringValues": ["arn:aws:iam::1:user/nobody"]}}}]) == []
    assert arns([
        {"key": "status", "condition": {"equals": {"stringValues": ["OPEN"]}}},
        {"key": "status", "condition": {"equals": {"stringValues": ["RESOLVED"]}}},
    ]) == [], "two filters on one key are ANDed"
    created = incidents.get_incident_record(arn=b)["incidentRecord"]["creationTime"]
    assert arns([{"key": "creationTime", "condition": {"before": created}}]) == [a]
    with pytest.raises(ClientError) as err:
        arns([{"key": "impact", "condition": {"equals": {"integerValues": [1]}}}] * 6)
    assert error_code(err.value) == "ValidationException"


def test_list_timeline_events_filters_order_and_pages(incidents):
    """ListTimelineEvents: eventType and eventTime filters, sortOrder, and pages read from
    the database."""
    plan = incidents.create_response_plan(name="timeline", incidentTemplate={"title": "T", "impact": 3})["arn"]
    arn = incidents.start_incident(responsePlanArn=plan)["incidentRecordArn"]
    base = time.time() - 1000
    for i in range(5):
        incidents.create_timeline_event(
            incidentRecordArn=arn, eventTime=base + i, eventType="Note", eventData=json.dumps({"n": i})
        )
    notes = {"key": "eventType", "condition": {"equals": {"stringValues": ["Note"]}}}
    first = incidents.list_timeline_events(incidentRecordArn=arn, filters=[notes], maxResults=2)
    assert len(first["eventSummaries"]) == 2 and first["nextToken"]
    seen = [e["eventTime"].timestamp() for e in first["eventSummaries"]]
    token = first["nextToken"]
    while token:
        page = incidents.list_timeline_events(incidentRecordArn=arn, filters=[notes], maxResults=2, nextToken=token)
        seen += [e["eventTime"].timestamp() for e in page["eventSummaries"]]
        token = page.get("nextToken")
    assert [t - base for t in seen] == pytest.approx([0, 1, 2, 3, 4], abs=1e-3)
    newest = incidents.list_timeline_events(
        incidentRecordArn=arn, filters=[notes], sortBy="EVENT_TIME", sortOrder="DESCENDING", maxResults=1
    )["eventSummaries"]
    assert newest[0]["eventTime"].timestamp() == pytest.approx(base + 4, abs=1e-3)
    window = incidents.list_timeline_events(
        incidentRecordArn=arn,
        filters=[
            notes,
            {"key": "eventTime", "condition": {"after": base + 0.5}},
            {"key": "eventTime", "condition": {"before": base + 3.5}},
        ],
    )["eventSummaries"]
    assert [e["eventTime"].timestamp() - base for e in window] == pytest.approx([1, 2, 3], abs=1e-3)
    everything = incidents.list_timeline_events(incidentRecordArn=arn)["eventSummaries"]
    assert {e["eventType"] for e in everything} >= {"Incident Created", "Note"}


def test_custom_event_buses(incidents, events, cloudwatch_alarm_event):
    """CreateEventBus/DescribeEventBus/ListEventBuses/UpdateEventBus/DeleteEventBus; rules,
    targets and PutEvents honour EventBusName (name or ARN), and rules match per bus."""
    created = events.create_event_bus(
        Name="ops", Description="operations", Tags=[{"Key": "team", "Value": "sre"}],
        DeadLetterConfig={"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"},
    )
    bus_arn = created["EventBusArn"]
    assert bus_arn.endswith(":event-bus/ops") and created["Description"] == "operations"
    described = events.describe_event_bus(Name=bus_arn)
    assert described["Name"] == "ops" and described["Arn"] == bus_arn
    assert described["CreationTime"] and described["DeadLetterConfig"]["Arn"].endswith(":dlq")
    assert events.describe_event_bus()["Name"] == "default"
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default", "ops"]
    assert [b["Name"] for b in events.list_event_buses(NamePrefix="o")["EventBuses"]] == ["ops"]
    page = events.list_event_buses(Limit=1)
    assert [b["Name"] for b in page["EventBuses"]] == ["default"] and page["NextToken"]
    assert events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"] == [{"Key": "team", "Value": "sre"}]
    updated = events.update_event_bus(Name="ops", Description="ops bus")
    assert updated["Description"] == "ops bus" and updated["Arn"] == bus_arn
    assert events.describe_event_bus(Name="ops")["Description"] == "ops bus"

    plan_arn = incidents.create_response_plan(name="busplan", incidentTemplate={"title": "On ops", "impact": 3})["arn"]
    rule_arn = events.put_rule(Name="alarms", EventBusName="ops", EventPattern=json.dumps(ALARM_PATTERN))["RuleArn"]
    assert rule_arn.endswith(":rule/ops/alarms")
    events.put_targets(Rule="alarms", EventBusName=bus_arn, Targets=[{"Id": "plan", "Arn": plan_arn}])
    assert [r["Name"] for r in events.list_rules(EventBusName="ops")["Rules"]] == ["alarms"]
    assert events.list_rules()["Rules"] == [], "rules are per bus"

    # On the default bus the rule on ops does not match.
    events.put_events(Entries=[put_event_entry(cloudwatch_alarm_event)])
    assert incidents.list_incident_records()["incidentRecordSummaries"] == []
    entry = dict(put_event_entry(cloudwatch_alarm_event), EventBusName="ops")
    missing = dict(put_event_entry(cloudwatch_alarm_event), EventBusName="nowhere")
    out = events.put_events(Entries=[entry, missing])
    assert out["FailedEntryCount"] == 1
    assert out["Entries"][1]["ErrorCode"] == "ResourceNotFoundException"
    summaries = incidents.list_incident_records()["incidentRecordSummaries"]
    assert [s["title"] for s in summaries] == ["On ops"]

    for call, code in [
        (lambda: events.create_event_bus(Name="ops"), "ResourceAlreadyExistsException"),
        (lambda: events.create_event_bus(Name="default"), "ResourceAlreadyExistsException"),
        (lambda: events.create_event_bus(Name="p", EventSourceName="aws.partner/x/y"), "ResourceNotFoundException"),
        (lambda: events.describe_event_bus(Name="nowhere"), "ResourceNotFoundException"),
        (lambda: events.update_event_bus(Name="nowhere", Description="x"), "ResourceNotFoundException"),
        (lambda: events.put_rule(Name="r", EventBusName="nowhere", EventPattern=json.dumps(ALARM_PATTERN)), "ResourceNotFoundException"),
        (lambda: events.delete_event_bus(Name="default"), "ValidationException"),
        (lambda: events.delete_event_bus(Name="ops"), "ValidationException"),
    ]:
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == code, call
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default", "ops"], "refused calls write nothing"

    events.remove_targets(Rule="alarms", EventBusName="ops", Ids=["plan"])
    events.delete_rule(Name="alarms", EventBusName="ops")
    events.delete_event_bus(Name="ops")
    events.delete_event_bus(Name="ops")  # deleting a bus that is gone succeeds, as in EventBridge
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default"]
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 1


def test_sts_get_caller_identity(base_url, admin_credentials):
    """sts:GetCallerIdentity over the query protocol (what `aws sts get-caller-identity` and
    Terraform's credential check call): the caller's principal, key id and account."""
    sts = aws_client("sts", base_url, admin_credentials)
    me = sts.get_caller_identity()
    assert me["Account"] == "000000000000"
    assert me["Arn"].startswith("arn:aws:iam::000000000000:user/")
    assert me["UserId"] == admin_credentials[0]
    bad = aws_client("sts", base_url, (admin_credentials[0], "not-the-secret"))
    with pytest.raises(ClientError) as err:
        bad.get_caller_identity()
    assert error_code(err.value) == "SignatureDoesNotMatch"


def test_scheduled_rules(events):
    """PutRule with ScheduleExpression (rate and cron) round-trips through DescribeRule and
    ListRules; invalid expressions and schedules off the default bus are refused with
    ValidationException and write nothing."""
    events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")
    events.put_rule(Name="weekday-evenings", ScheduleExpression="cron(0 18 ? * MON-FRI *)", State="DISABLED")
    assert events.describe_rule(Name="every-minute")["ScheduleExpression"] == "rate(1 minute)"
    listed = {r["Name"]: r for r in events.list_rules()["Rules"]}
    assert listed["weekday-evenings"]["ScheduleExpression"] == "cron(0 18 ? * MON-FRI *)"
    assert listed["weekday-evenings"]["State"] == "DISABLED"
    events.create_event_bus(Name="ops")
    for kwargs in [
        {"ScheduleExpression": "rate(1 minutes)"},
        {"ScheduleExpression": "cron(0 10 * * * *)"},
        {"ScheduleExpression": "cron(0 10 ? * ? *)"},
        {"ScheduleExpression": "cron(0 10 * * ?)"},
        {"ScheduleExpression": "rate(5 minutes)", "EventBusName": "ops"},
    ]:
        with pytest.raises(ClientError) as err:
            events.put_rule(Name="refused", **kwargs)
        assert error_code(err.value) == "ValidationException", kwargs
    assert sorted(r["Name"] for r in events.list_rules()["Rules"]) == ["every-minute", "weekday-evenings"]
    assert events.list_rules(EventBusName="ops")["Rules"] == []


def test_every_answer_carries_a_request_id(incidents, events):
    """AWS SDKs read `x-amzn-RequestId` into the response metadata, on success and error."""
    assert incidents.list_response_plans()["ResponseMetadata"]["RequestId"]
    assert events.list_rules()["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as err:
        events.describe_rule(Name="missing")
    assert err.value.response["ResponseMetadata"]["RequestId"]

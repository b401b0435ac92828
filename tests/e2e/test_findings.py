"""Incident findings from real change events, driven by boto3: CodeDeploy deployments and
CloudFormation stack updates that involve an incident's resources become
`ListIncidentFindings` / `BatchGetIncidentFindings` answers in the model's shapes; any
event matching an admin-set change pattern shows in the native recent-changes list."""

from __future__ import annotations

import copy
import json
import urllib.request
from pathlib import Path

import pytest
from awsshape import aws_client

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def entry(event: dict) -> dict:
    return {"Source": event["source"], "DetailType": event["detail-type"], "Detail": json.dumps(event["detail"]),
            "Resources": event["resources"], "Time": event["time"]}


@pytest.fixture
def incidents(base_url, admin_credentials):
    return aws_client("ssm-incidents", base_url, admin_credentials)


@pytest.fixture
def events(base_url, admin_credentials):
    return aws_client("events", base_url, admin_credentials)


def get_json(tocsin, path: str):
    req = urllib.request.Request(f"{tocsin.base}{path}", headers={"Authorization": tocsin.bearer})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_findings_and_recent_changes(tocsin, incidents, events):
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    stamp = lambda minutes: (now - dt.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    deploy = example("codedeploy-deployment-state-change.json")
    group = deploy["resources"][1]
    start, success = copy.deepcopy(deploy), copy.deepcopy(deploy)
    start["detail"]["state"], start["time"] = "START", stamp(30)
    success["time"] = stamp(20)
    other = copy.deepcopy(deploy)
    other["resources"] = ["arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:other/prod"]
    other["detail"]["deploymentId"], other["time"] = "d-OTHER", stamp(15)
    stack = example("cloudformation-stack-status-change.json")
    stack_arn = stack["detail"]["stack-id"]
    updating, updated = copy.deepcopy(stack), copy.deepcopy(stack)
    updating["time"] = stamp(10)
    updated["detail"]["status-details"]["status"], updated["time"] = "UPDATE_COMPLETE", stamp(5)

    tocsin.post_json("/v1/change-patterns", {"name": "feature-flags", "eventPattern": json.dumps({"source": ["my.flags"]})})
    assert [p["name"] for p in get_json(tocsin, "/v1/change-patterns")] == ["feature-flags"]
    flag = {"Source": "my.flags", "DetailType": "Flag Flipped", "Detail": json.dumps({"flag": "new-checkout"})}
    noise = {"Source": "my.app", "DetailType": "Heartbeat", "Detail": "{}"}
    assert events.put_events(Entries=[entry(start), entry(success), entry(other), entry(updating), entry(updated)])["FailedEntryCount"] == 0
    assert events.put_events(Entries=[flag, noise])["FailedEntryCount"] == 0

    plan = incidents.create_response_plan(name="web", incidentTemplate={"title": "Web errors", "impact": 2})["arn"]
    arn = incidents.start_incident(
        responsePlanArn=plan,
        relatedItems=[
            {"identifier": {"type": "INVOLVED_RESOURCE", "value": {"arn": group}}},
            {"identifier": {"type": "INVOLVED_RESOURCE", "value": {"arn": stack_arn}}},
        ],
    )["incidentRecordArn"]

    listed = incidents.list_incident_findings(incidentRecordArn=arn)["findings"]
    ids = [f["id"] for f in listed]
    assert len(ids) == 2 and ids[0] == "d-123456789", listed
    assert "d-OTHER" not in ids, "a deployment of another group is not a finding"
    page = incidents.list_incident_findings(incidentRecordArn=arn, maxResults=1)
    assert len(page["findings"]) == 1 and page["nextToken"]

    got = incidents.batch_get_incident_findings(incidentRecordArn=arn, findingIds=ids + ["missing"])
    by_id = {f["id"]: f for f in got["findings"]}
    deployment = by_id["d-123456789"]["details"]["codeDeployDeployment"]
    assert deployment["deploymentGroupArn"] == group and deployment["deploymentId"] == "d-123456789"
    assert deployment["startTime"] < deployment["endTime"]
    stack_update = next(f for f in got["findings"] if "cloudFormationStackUpdate" in f["details"])["details"]["cloudFormationStackUpdate"]
    assert stack_update["stackArn"] == stack_arn and stack_update["startTime"] < stack_update["endTime"]
    assert [e["findingId"] for e in got["errors"]] == ["missing"]
    assert got["errors"][0]["code"] == "ResourceNotFoundException"

    changes = get_json(tocsin, "/v1/incidents/recent-changes?arn=" + urllib.parse.quote(arn))
    sources = [c["source"] for c in changes]
    assert "my.flags" in sources and "my.app" not in sources, changes
    assert sources.count("aws.codedeploy") == 3 and sources.count("aws.cloudformation") == 2
    involved = {c["eventId"]: c["involved"] for c in changes}
    assert not next(c for c in changes if c["source"] == "my.flags")["involved"]
    assert any(involved.values())

    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as err:
        incidents.list_incident_findings(incidentRecordArn=arn + "x")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"

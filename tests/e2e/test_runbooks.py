"""Runbooks through the real AWS SDK: boto3's `ssm` client creates Automation documents,
a response plan's `ssmAutomation` action starts one when a CloudWatch alarm opens an
incident, and responders advance it with SendAutomationSignal.

Every response is checked against the botocore model (awsshape).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import yaml
from awsshape import aws_client
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
ALARM_PATTERN = {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}

RESPONSE_DOC = {
    "description": "Sleep, note on the timeline, ask for approval, then branch on it.",
    "schemaVersion": "0.3",
    "parameters": {
        "IncidentRecordArn": {"type": "String"},
        "InvolvedResources": {"type": "StringList", "default": []},
        "Approvers": {"type": "StringList", "default": ["approver-a"]},
    },
    "mainSteps": [
        {"name": "settle", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}},
        {
            "name": "note",
            "action": "aws:executeAwsApi",
            "inputs": {
                "Service": "ssm-incidents",
                "Api": "CreateTimelineEvent",
                "incidentRecordArn": "{{ IncidentRecordArn }}",
                "eventType": "Custom Event",
                "eventTime": "{{ global:DATE_TIME }}",
                "eventData": "\"runbook {{ automation:EXECUTION_ID }} saw {{ InvolvedResources }}\"",
            },
            "outputs": [{"Name": "EventId", "Selector": "$.eventId", "Type": "String"}],
        },
        {
            "name": "approve",
            "action": "aws:approve",
            "inputs": {"Approvers": "{{ Approvers }}", "Message": "Restart the web tier?"},
        },
        {
            "name": "decide",
            "action": "aws:branch",
            "inputs": {
                "Choices": [
                    {"NextStep": "done", "Variable": "{{ approve.ApprovalStatus }}", "StringEquals": "Approved"}
                ],
                "Default": "never",
            },
        },
        {"name": "never", "action": "aws:pause", "inputs": {}, "isEnd": True},
        {"name": "done", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
    ],
    "outputs": ["note.EventId"],
}


def wait_for(fetch, done, timeout=20.0, interval=0.2, what="condition"):
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


def create_key(tocsin, name: str, role: str) -> tuple[str, str]:
    key = tocsin.post_json("/v1/keys", {"name": name, "role": role})
    return key["accessKeyId"], key["secretAccessKey"]


@pytest.fixture
def ssm(base_url, admin_credentials):
    return aws_client("ssm", base_url, admin_credentials)


def execution(ssm, execution_id):
    return ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]


def wait_status(ssm, execution_id, statuses, timeout=20.0):
    return wait_for(
        lambda: execution(ssm, execution_id),
        lambda e: e["AutomationExecutionStatus"] in statuses,
        timeout=timeout,
        what=f"execution {execution_id} to reach {statuses}",
    )


def test_an_alarm_opens_an_incident_whose_plan_runs_the_runbook_to_success(
    tocsin, base_url, admin_credentials, ssm, cloudwatch_alarm_event
):
    incidents = aws_client("ssm-incidents", base_url, admin_credentials)
    events = aws_client("events", base_url, admin_credentials)
    ssm.create_document(
        Name="restart-web", Content=yaml.safe_dump(RESPONSE_DOC), DocumentType="Automation", DocumentFormat="YAML"
    )
    plan_arn = incidents.create_response_plan(
        name="web-cpu",
        incidentTemplate={"title": "CPU high on web", "impact": 2},
        actions=[
            {
                "ssmAutomation": {
                    "documentName": "restart-web",
                    "documentVersion": "$DEFAULT",
                    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/IncidentAutomation",
                    "dynamicParameters": {
                        "IncidentRecordArn": {"variable": "INCIDENT_RECORD_ARN"},
                        "InvolvedResources": {"variable": "INVOLVED_RESOURCES"},
                    },
                }
            }
        ],
    )["arn"]
    events.put_rule(Name="alarms", EventPattern=json.dumps(ALARM_PATTERN))
    events.put_targets(Rule="alarms", Targets=[{"Id": "plan", "Arn": plan_arn}])
    alarm = cloudwatch_alarm_event
    events.put_events(
        Entries=[
            {
                "Source": alarm["source"],
                "DetailType": alarm["detail-type"],
                "Detail": json.dumps(alarm["detail"]),
                "Resources": alarm["resources"],
            }
        ]
    )
    record = wait_for(
        lambda: incidents.list_incident_records()["incidentRecordSummaries"],
        lambda s: len(s) == 1,
        what="the incident",
    )
    incident_arn = record[0]["arn"]
    full = incidents.get_incident_record(arn=incident_arn)["incidentRecord"]
    [started] = full["automationExecutions"]
    execution_id = started["ssmExecutionArn"].rsplit("/", 1)[1]
    related = incidents.list_related_items(incidentRecordArn=incident_arn)["relatedItems"]
    assert any(
        r["identifier"]["type"] == "AUTOMATION" and r["identifier"]["value"]["arn"] == started["ssmExecutionArn"]
        for r in related
    )

    waiting = wait_status(ssm, execution_id, {"Waiting"})
    assert waiting["CurrentStepName"] == "approve"
    assert waiting["Parameters"]["IncidentRecordArn"] == [incident_arn]
    assert waiting["Parameters"]["InvolvedResources"] == alarm["resources"]
    assert waiting["ExecutedBy"] == f"arn:aws:iam::{ACCOUNT}:role/IncidentAutomation"

    # A responder who is not an approver is refused; the approver's approval finishes it.
    outsider = aws_client("ssm", base_url, create_key(tocsin, "outsider", "responder"))
    with pytest.raises(ClientError) as refused:
        outsider.send_automation_signal(AutomationExecutionId=execution_id, SignalType="Approve")
    assert error_code(refused.value) == "InvalidAutomationSignalException"
    approver = aws_client("ssm", base_url, create_key(tocsin, "approver-a", "responder"))
    approver.send_automation_signal(
        AutomationExecutionId=execution_id, SignalType="Approve", Payload={"Comment": ["go ahead"]}
    )
    done = wait_status(ssm, execution_id, {"Success", "Failed", "TimedOut", "Cancelled"})
    assert done["AutomationExecutionStatus"] == "Success", done
    assert "note.EventId" in done["Outputs"]

    steps = ssm.describe_automation_step_executions(AutomationExecutionId=execution_id)["StepExecutions"]
    assert [(s["StepName"], s["StepStatus"]) for s in steps] == [
        ("settle", "Success"),
        ("note", "Success"),
        ("approve", "Success"),
        ("decide", "Success"),
        ("done", "Success"),
    ]
    approval = steps[2]
    assert approval["Outputs"]["ApprovalStatus"] == ["Approved"]

    timeline = incidents.list_timeline_events(incidentRecordArn=incident_arn)["eventSummaries"]
    types = [t["eventType"] for t in timeline]
    for expected in (
        "SSM Automation Execution Started",
        "Custom Event",
        "SSM Automation Execution Waiting",
        "SSM Automation Execution Ended",
    ):
        assert expected in types, types
    note_id = next(t["eventId"] for t in timeline if t["eventType"] == "Custom Event")
    note = incidents.get_timeline_event(incidentRecordArn=incident_arn, eventId=note_id)["event"]
    assert execution_id in note["eventData"]
    assert alarm["resources"][0] in note["eventData"]

    listed = ssm.describe_automation_executions(
        Filters=[{"Key": "DocumentNamePrefix", "Values": ["restart"]}]
    )["AutomationExecutionMetadataList"]
    assert [e["AutomationExecutionId"] for e in listed] == [execution_id]


def start(ssm, document, parameters):
    return ssm.start_automation_execution(DocumentName=document, Parameters=parameters)["AutomationExecutionId"]


def test_rejections_timeouts_and_two_approvals(tocsin, base_url, ssm):
    approval_doc = {
        "schemaVersion": "0.3",
        "parameters": {"Min": {"type": "Integer", "default": 1}, "Timeout": {"type": "Integer", "default": 600}},
        "mainSteps": [
            {
                "name": "approve",
                "action": "aws:approve",
                "timeoutSeconds": 2,
                "inputs": {"Approvers": ["approver-a", "approver-b"], "MinRequiredApprovals": "{{ Min }}"},
            },
            {"name": "after", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
        ],
    }
    ssm.create_document(Name="needs-approval", Content=json.dumps(approval_doc), DocumentType="Automation")
    a = aws_client("ssm", base_url, create_key(tocsin, "approver-a", "responder"))
    b = aws_client("ssm", base_url, create_key(tocsin, "approver-b", "responder"))

    # Reject: the approval step fails and, with onFailure Abort, the execution ends Failed.
    rejected = start(ssm, "needs-approval", {})
    wait_status(ssm, rejected, {"Waiting"})
    a.send_automation_signal(AutomationExecutionId=rejected, SignalType="Reject", Payload={"Comment": ["no"]})
    ended = wait_status(ssm, rejected, {"Failed"})
    step = ended["StepExecutions"][0]
    assert (step["StepStatus"], step["Outputs"]["ApprovalStatus"]) == ("Failed", ["Rejected"])
    assert "rejected" in ended["FailureMessage"]

    # Nobody answers within timeoutSeconds: TimedOut.
    timed_out = start(ssm, "needs-approval", {})
    ended = wait_status(ssm, timed_out, {"TimedOut"}, timeout=30)
    assert ended["StepExecutions"][0]["StepStatus"] == "TimedOut"

    # Two approvals needed: the same principal twice counts once.
    two = ssm.start_automation_execution(DocumentName="needs-approval", Parameters={"Min": ["2"]})[
        "AutomationExecutionId"
    ]
    wait_status(ssm, two, {"Waiting"})
    a.send_automation_signal(AutomationExecutionId=two, SignalType="Approve")
    a.send_automation_signal(AutomationExecutionId=two, SignalType="Approve")
    assert execution(ssm, two)["AutomationExecutionStatus"] == "Waiting"
    b.send_automation_signal(AutomationExecutionId=two, SignalType="Approve")
    assert wait_status(ssm, two, {"Success"})["AutomationExecutionStatus"] == "Success"

    # Signals to an ended execution, and to unknown ones, are refused with SSM's codes.
    with pytest.raises(ClientError) as late:
        b.send_automation_signal(AutomationExecutionId=two, SignalType="Approve")
    assert error_code(late.value) == "InvalidAutomationSignalException"
    with pytest.raises(ClientError) as unknown:
        ssm.get_automation_execution(AutomationExecutionId=str(uuid.uuid4()))
    assert error_code(unknown.value) == "AutomationExecutionNotFoundException"


@pytest.mark.postgres_too
def test_pause_resume_stop_and_client_tokens(ssm):
    doc = {
        "schemaVersion": "0.3",
        "mainSteps": [
            {"name": "hold", "action": "aws:pause", "inputs": {}},
            {"name": "hold_again", "action": "aws:pause", "inputs": {}},
        ],
    }
    ssm.create_document(Name="pauses", Content=json.dumps(doc), DocumentType="Automation")
    token = str(uuid.uuid4())
    first = ssm.start_automation_execution(DocumentName="pauses", ClientToken=token)["AutomationExecutionId"]
    again = ssm.start_automation_execution(DocumentName="pauses", ClientToken=token)["AutomationExecutionId"]
    assert first == again
    with pytest.raises(ClientError) as mismatch:
        ssm.start_automation_execution(DocumentName="pauses", ClientToken=token, Mode="Interactive")
    assert error_code(mismatch.value) == "IdempotentParameterMismatch"

    wait_status(ssm, first, {"Waiting"})
    ssm.send_automation_signal(AutomationExecutionId=first, SignalType="Resume", Payload={"StepName": ["hold"]})
    now_waiting = wait_for(
        lambda: execution(ssm, first), lambda e: e.get("CurrentStepName") == "hold_again", what="the second pause"
    )
    assert now_waiting["AutomationExecutionStatus"] == "Waiting"
    ssm.stop_automation_execution(AutomationExecutionId=first)
    stopped = execution(ssm, first)
    assert stopped["AutomationExecutionStatus"] == "Cancelled"
    assert [s["StepStatus"] for s in stopped["StepExecutions"]] == ["Success", "Cancelled"]
    with pytest.raises(ClientError) as twice:
        ssm.stop_automation_execution(AutomationExecutionId=first)
    assert error_code(twice.value) == "InvalidAutomationStatusUpdateException"

    with pytest.raises(ClientError) as missing:
        ssm.start_automation_execution(DocumentName="no-such-doc")
    assert error_code(missing.value) == "AutomationDefinitionNotFoundException"
    with pytest.raises(ClientError) as bad_params:
        ssm.start_automation_execution(DocumentName="pauses", Parameters={"Nope": ["x"]})
    assert error_code(bad_params.value) == "InvalidAutomationExecutionParametersException"


INVALID_DOCUMENTS = {
    "unknown action": {"mainSteps": [{"name": "a", "action": "aws:runCommand", "inputs": {}}]},
    "missing input": {"mainSteps": [{"name": "a", "action": "aws:approve", "inputs": {}}]},
    "nextStep to a missing step": {"mainSteps": [{"name": "a", "action": "aws:pause", "nextStep": "zz"}]},
    "unreachable step": {
        "mainSteps": [{"name": "a", "action": "aws:pause", "isEnd": True}, {"name": "b", "action": "aws:pause"}]
    },
    "cycle without a way out": {
        "mainSteps": [
            {"name": "a", "action": "aws:pause", "nextStep": "b"},
            {"name": "b", "action": "aws:pause", "nextStep": "a"},
        ]
    },
    "bad parameter reference": {"mainSteps": [{"name": "a", "action": "aws:pause", "inputs": {"x": "{{ Nope }}"}}]},
}


@pytest.mark.parametrize("case", sorted(INVALID_DOCUMENTS))
def test_invalid_documents_are_refused_and_nothing_is_stored(ssm, case):
    content = {"schemaVersion": "0.3", **INVALID_DOCUMENTS[case]}
    with pytest.raises(ClientError) as refused:
        ssm.create_document(Name="broken", Content=json.dumps(content), DocumentType="Automation")
    assert error_code(refused.value) == "InvalidDocumentContent"
    assert "Step " in refused.value.response["Error"]["Message"]
    names = [d["Name"] for d in ssm.list_documents(Filters=[{"Key": "Owner", "Values": ["Self"]}])["DocumentIdentifiers"]]
    assert names == []


def test_document_versions_formats_tags_and_built_ins(ssm):
    doc = {"schemaVersion": "0.3", "mainSteps": [{"name": "a", "action": "aws:pause", "inputs": {}}]}
    created = ssm.create_document(
        Name="versioned", Content=json.dumps(doc), DocumentType="Automation", Tags=[{"Key": "team", "Value": "sre"}]
    )["DocumentDescription"]
    assert (created["DocumentVersion"], created["Owner"], created["Status"]) == ("1", ACCOUNT, "Active")
    doc["description"] = "second"
    second = ssm.update_document(Name="versioned", Content=json.dumps(doc), DocumentVersion="$LATEST")[
        "DocumentDescription"
    ]
    assert (second["DocumentVersion"], second["DefaultVersion"], second["LatestVersion"]) == ("2", "1", "2")
    with pytest.raises(ClientError) as same:
        ssm.update_document(Name="versioned", Content=json.dumps(doc), DocumentVersion="$LATEST")
    assert error_code(same.value) == "DuplicateDocumentContent"
    ssm.update_document_default_version(Name="versioned", DocumentVersion="2")
    assert ssm.describe_document(Name="versioned")["Document"]["Description"] == "second"
    versions = ssm.list_document_versions(Name="versioned")["DocumentVersions"]
    assert [(v["DocumentVersion"], v["IsDefaultVersion"]) for v in versions] == [("2", True), ("1", False)]
    as_yaml = ssm.get_document(Name="versioned", DocumentVersion="1", DocumentFormat="YAML")
    assert yaml.safe_load(as_yaml["Content"]) == {"schemaVersion": "0.3", "mainSteps": doc["mainSteps"]}
    ssm.add_tags_to_resource(ResourceType="Document", ResourceId="versioned", Tags=[{"Key": "tier", "Value": "1"}])
    tags = ssm.list_tags_for_resource(ResourceType="Document", ResourceId="versioned")["TagList"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("team", "sre"), ("tier", "1")]
    ssm.remove_tags_from_resource(ResourceType="Document", ResourceId="versioned", TagKeys=["team"])
    perms = ssm.describe_document_permission(Name="versioned", PermissionType="Share")
    assert perms["AccountIds"] == []

    built_in = ssm.list_documents(Filters=[{"Key": "Owner", "Values": ["Amazon"]}])["DocumentIdentifiers"]
    assert [d["Name"] for d in built_in] == ["AWSIncidents-CriticalIncidentRunbookTemplate"]
    template = yaml.safe_load(ssm.get_document(Name="AWSIncidents-CriticalIncidentRunbookTemplate")["Content"])
    assert [s["name"] for s in template["mainSteps"]] == ["Triage", "Diagnosis", "Mitigation", "Recovery"]
    with pytest.raises(ClientError) as read_only:
        ssm.delete_document(Name="AWSIncidents-CriticalIncidentRunbookTemplate")
    assert error_code(read_only.value) == "InvalidDocumentOperation"
    ssm.delete_document(Name="versioned")
    with pytest.raises(ClientError) as gone:
        ssm.describe_document(Name="versioned")
    assert error_code(gone.value) == "InvalidDocument"

"""AWS CLI v1 (`aws`, awscli from PyPI) against a running `tocsin serve`.

What is asserted:
  * The CLI drives every operation Tocsin claims, with its own request building, signing
    and response parsing: every ssm-incidents operation in the botocore model, the
    EventBridge operations in EVENTS_OPERATIONS and sts:GetCallerIdentity.
  * The list is derived from the botocore models: ssm-incidents from the model itself, and
    every listed operation must exist both in boto3's botocore and in the model the CLI
    loads (recent awscli releases carry their own copy of botocore). The test ends with
    driven == required, so an operation nobody drives fails it.
  * An operation counts as driven when `aws` exits 0 and prints JSON, or prints nothing
    (the CLI's output for an answer without members), which is accepted only when the
    operation's output shape has no required member. CancelReplay is the one exception,
    see archives_and_replays.
  * Along the way, answers carry what the requests asked for (names, ARNs, states, tags,
    filters honoured), and secrets given to connections never come back.

The scenario runs on one server in independent areas, side by side, each reported as a
subtest: a failure in one area still lets the others run, and the final coverage check
lists every operation that was not driven.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name
from botocore.loaders import Loader
from test_boto3 import ALARM_PATTERN, put_event_entry, wait_for

AWS_CLI = Path(os.environ.get("TOCSIN_AWS_CLI", Path(sys.executable).with_name("aws")))
CLI_TIMEOUT_S = 30
# What `aws` exits with when the service answers with an error: 255 in v1, 254 in v2.
CLI_SERVICE_ERROR_EXIT_CODES = (254, 255)

EVENTS_OPERATIONS = [
    "PutEvents", "PutRule", "DescribeRule", "ListRules", "DeleteRule", "EnableRule", "DisableRule",
    "PutTargets", "ListTargetsByRule", "RemoveTargets", "ListRuleNamesByTarget",
    "TagResource", "UntagResource", "ListTagsForResource", "TestEventPattern",
    "CreateEventBus", "DescribeEventBus", "ListEventBuses", "UpdateEventBus", "DeleteEventBus",
    "CreateArchive", "DescribeArchive", "ListArchives", "UpdateArchive", "DeleteArchive",
    "StartReplay", "DescribeReplay", "ListReplays", "CancelReplay",
    "CreateConnection", "DescribeConnection", "ListConnections", "UpdateConnection", "DeleteConnection",
    "CreateApiDestination", "DescribeApiDestination", "ListApiDestinations", "UpdateApiDestination",
    "DeleteApiDestination",
]
STS_OPERATIONS = ["GetCallerIdentity"]

SDK_MODELS = botocore.session.get_session()


def cli_operation_names(service: str) -> set[str]:
    """Operation names in the service model the AWS CLI loads: its vendored botocore's
    (awscli/botocore/data) where it has one, else the SDK's."""
    spec = importlib.util.find_spec("awscli")  # finds the package without importing it
    data = Path(spec.origin).parent / "botocore" / "data"
    if not data.is_dir():
        return set(SDK_MODELS.get_service_model(service).operation_names)
    loader = Loader(extra_search_paths=[str(data)], include_default_search_paths=False)
    return set(loader.load_service_model(service, "service-2")["operations"])


def required_operations() -> set[tuple[str, str]]:
    """(service, operation) pairs the CLI must drive."""
    wanted = {
        "ssm-incidents": SDK_MODELS.get_service_model("ssm-incidents").operation_names,
        "events": EVENTS_OPERATIONS,
        "sts": STS_OPERATIONS,
    }
    required = set()
    for service, operations in wanted.items():
        sdk = set(SDK_MODELS.get_service_model(service).operation_names)
        cli = cli_operation_names(service)
        for operation in operations:
            assert operation in sdk, f"{service}:{operation} is not in botocore's {service} model"
            assert operation in cli, f"{service}:{operation} is not in the AWS CLI's own {service} model"
            required.add((service, operation))
    return required


def command(service: str, operation: str, params: dict) -> str:
    """A call as a reader would type it, for failure messages."""
    return f"aws {service} {xform_name(operation, '-')} --cli-input-json '{json.dumps(params)}'"


class CliFailure(AssertionError):
    pass


class AwsCli:
    """Runs `aws <service> <operation> --cli-input-json ...` against Tocsin as the admin key,
    and records each (service, operation) it drove."""

    def __init__(self, base_url: str, credentials: tuple[str, str], tmp_path: Path):
        config = tmp_path / "aws-config"
        shared_credentials = tmp_path / "aws-credentials"
        config.write_text("")
        shared_credentials.write_text("")
        self.base_url = base_url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(
            AWS_ACCESS_KEY_ID=credentials[0],
            AWS_SECRET_ACCESS_KEY=credentials[1],
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=str(config),
            AWS_SHARED_CREDENTIALS_FILE=str(shared_credentials),
            AWS_MAX_ATTEMPTS="1",
            AWS_PAGER="",
        )
        self.driven: set[tuple[str, str]] = set()

    def run(self, service: str, operation: str, params: dict) -> subprocess.CompletedProcess:
        args = [str(AWS_CLI), service, xform_name(operation, "-")]
        if params:
            args += ["--cli-input-json", json.dumps(params)]
        args += ["--endpoint-url", self.base_url, "--output", "json"]
        try:
            return subprocess.run(
                args, env=self.env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as e:
            raise CliFailure(f"`{command(service, operation, params)}` took over {CLI_TIMEOUT_S} s:\n{e.stderr}") from e

    def __call__(self, service: str, operation: str, **params) -> dict:
        """The CLI's parsed answer to a call that must succeed."""
        proc = self.run(service, operation, params)
        where = command(service, operation, params)
        if proc.returncode != 0:
            raise CliFailure(f"`{where}` exited {proc.returncode}:\n{proc.stderr}{proc.stdout}")
        if proc.stdout.strip():
            try:
                answer = json.loads(proc.stdout)
            except ValueError as e:
                raise CliFailure(f"`{where}` printed something that is not JSON ({e}):\n{proc.stdout}") from e
        else:
            output = SDK_MODELS.get_service_model(service).operation_model(operation).output_shape
            if output is not None and output.required_members:
                raise CliFailure(f"`{where}` printed nothing, but the answer requires {output.required_members}")
            answer = {}
        self.driven.add((service, operation))
        return answer

    def modeled_error(self, service: str, operation: str, code: str, **params) -> None:
        """A call the service must refuse with the modeled error `code`, as the CLI reports it."""
        proc = self.run(service, operation, params)
        expected = f"An error occurred ({code}) when calling the {operation} operation"
        if proc.returncode not in CLI_SERVICE_ERROR_EXIT_CODES or expected not in proc.stderr:
            raise CliFailure(
                f"`{command(service, operation, params)}` should fail with {code}, exited {proc.returncode}:\n"
                f"{proc.stderr}{proc.stdout}"
            )
        self.driven.add((service, operation))


@pytest.fixture
def cli(base_url, admin_credentials, tmp_path) -> AwsCli:
    if not AWS_CLI.is_file():
        pytest.fail(f"{AWS_CLI} does not exist: install tests/e2e/requirements.txt (awscli) into the venv")
    return AwsCli(base_url, admin_credentials, tmp_path)


def ssm(cli: AwsCli, operation: str, **params) -> dict:
    return cli("ssm-incidents", operation, **params)


def events(cli: AwsCli, operation: str, **params) -> dict:
    return cli("events", operation, **params)


def status_filter(status: str) -> dict:
    return {"key": "status", "condition": {"equals": {"stringValues": [status]}}}


def incident_arns(cli: AwsCli, filters: list[dict] | None = None) -> list[str]:
    params = {"filters": filters} if filters else {}
    return sorted(r["arn"] for r in ssm(cli, "ListIncidentRecords", **params)["incidentRecordSummaries"])


def new_response_plan(cli: AwsCli, name: str, title: str) -> str:
    return ssm(cli, "CreateResponsePlan", name=name, incidentTemplate={"title": title, "impact": 3})["arn"]


# --- Incident Manager -------------------------------------------------------------------


def replication_set(cli: AwsCli) -> None:
    arn = ssm(cli, "CreateReplicationSet", regions={"us-east-1": {}}, tags={"managed-by": "cli"})["arn"]
    assert ":replication-set/" in arn
    rs = ssm(cli, "GetReplicationSet", arn=arn)["replicationSet"]
    assert rs["arn"] == arn and set(rs["regionMap"]) == {"us-east-1"} and rs["deletionProtected"] is False
    assert ssm(cli, "ListReplicationSets")["replicationSetArns"] == [arn]
    ssm(cli, "UpdateReplicationSet", arn=arn, actions=[{"addRegionAction": {"regionName": "eu-west-1"}}])
    ssm(cli, "UpdateReplicationSet", arn=arn, actions=[{"deleteRegionAction": {"regionName": "us-east-1"}}])
    assert set(ssm(cli, "GetReplicationSet", arn=arn)["replicationSet"]["regionMap"]) == {"eu-west-1"}
    ssm(cli, "UpdateDeletionProtection", arn=arn, deletionProtected=True)
    assert ssm(cli, "GetReplicationSet", arn=arn)["replicationSet"]["deletionProtected"] is True
    ssm(cli, "UpdateDeletionProtection", arn=arn, deletionProtected=False)
    ssm(cli, "DeleteReplicationSet", arn=arn)
    assert ssm(cli, "ListReplicationSets")["replicationSetArns"] == []


def response_plans(cli: AwsCli) -> None:
    template = {"title": "Checkout down", "impact": 2, "summary": "Orders fail"}
    arn = ssm(
        cli, "CreateResponsePlan", name="cli-plan", displayName="CLI plan", incidentTemplate=template,
        tags={"owner": "sre"},
    )["arn"]
    assert arn.endswith(":response-plan/cli-plan")
    plan = ssm(cli, "GetResponsePlan", arn=arn)
    assert (plan["name"], plan["displayName"], plan["incidentTemplate"]) == ("cli-plan", "CLI plan", template)
    summaries = ssm(cli, "ListResponsePlans")["responsePlanSummaries"]
    assert {"arn": arn, "name": "cli-plan", "displayName": "CLI plan"} in summaries
    ssm(
        cli, "UpdateResponsePlan", arn=arn, displayName="Checkout", incidentTemplateTitle="Checkout is down",
        incidentTemplateImpact=1,
    )
    plan = ssm(cli, "GetResponsePlan", arn=arn)
    assert plan["displayName"] == "Checkout"
    assert (plan["incidentTemplate"]["title"], plan["incidentTemplate"]["impact"]) == ("Checkout is down", 1)

    statement = {
        "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ssm-incidents:GetResponsePlan",
        "Resource": arn,
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    policy_id = ssm(cli, "PutResourcePolicy", resourceArn=arn, policy=json.dumps(policy))["policyId"]
    got = ssm(cli, "GetResourcePolicies", resourceArn=arn)["resourcePolicies"]
    assert [(p["policyId"], json.loads(p["policyDocument"])) for p in got] == [(policy_id, policy)]
    ssm(cli, "DeleteResourcePolicy", resourceArn=arn, policyId=policy_id)
    assert ssm(cli, "GetResourcePolicies", resourceArn=arn)["resourcePolicies"] == []

    ssm(cli, "TagResource", resourceArn=arn, tags={"tier": "1"})
    assert ssm(cli, "ListTagsForResource", resourceArn=arn)["tags"] == {"owner": "sre", "tier": "1"}
    ssm(cli, "UntagResource", resourceArn=arn, tagKeys=["owner"])
    assert ssm(cli, "ListTagsForResource", resourceArn=arn)["tags"] == {"tier": "1"}

    ssm(cli, "DeleteResponsePlan", arn=arn)
    assert arn not in [p["arn"] for p in ssm(cli, "ListResponsePlans")["responsePlanSummaries"]]


def incident_records(cli: AwsCli) -> None:
    plan = new_response_plan(cli, "cli-incidents", "Checkout errors")
    start = {"responsePlanArn": plan, "title": "Checkout 500s", "impact": 2, "clientToken": "cli-1"}
    arn = ssm(cli, "StartIncident", **start)["incidentRecordArn"]
    assert ssm(cli, "StartIncident", **start)["incidentRecordArn"] == arn, "one incident per clientToken"
    record = ssm(cli, "GetIncidentRecord", arn=arn)["incidentRecord"]
    assert (record["arn"], record["title"], record["impact"], record["status"]) == (arn, "Checkout 500s", 2, "OPEN")
    ssm(cli, "UpdateIncidentRecord", arn=arn, summary="Payments provider times out", impact=1)
    record = ssm(cli, "GetIncidentRecord", arn=arn)["incidentRecord"]
    assert (record["summary"], record["impact"]) == ("Payments provider times out", 1)
    filters = [
        status_filter("OPEN"),
        {"key": "impact", "condition": {"equals": {"integerValues": [1]}}},
        {"key": "createdBy", "condition": {"equals": {"stringValues": [record["incidentRecordSource"]["createdBy"]]}}},
        {"key": "creationTime", "condition": {"after": record["creationTime"] - 60}},
    ]
    assert incident_arns(cli, filters) == [arn]

    timeline(cli, arn)
    related_items(cli, arn)

    ssm(cli, "TagResource", resourceArn=arn, tags={"customer-impact": "yes", "team": "payments"})
    ssm(cli, "UntagResource", resourceArn=arn, tagKeys=["team"])
    assert ssm(cli, "ListTagsForResource", resourceArn=arn)["tags"] == {"customer-impact": "yes"}

    ssm(cli, "UpdateIncidentRecord", arn=arn, status="RESOLVED")
    assert incident_arns(cli, [status_filter("RESOLVED")]) == [arn]
    assert arn not in incident_arns(cli, [status_filter("OPEN")])
    ssm(cli, "DeleteIncidentRecord", arn=arn)
    assert arn not in incident_arns(cli)


def timeline(cli: AwsCli, incident: str) -> None:
    note = json.dumps({"text": "Rolled back v42"})
    created = ssm(
        cli, "CreateTimelineEvent", incidentRecordArn=incident, eventTime=time.time(), eventType="Note", eventData=note
    )
    assert created["incidentRecordArn"] == incident
    event_id = created["eventId"]
    event = ssm(cli, "GetTimelineEvent", incidentRecordArn=incident, eventId=event_id)["event"]
    assert (event["eventId"], event["eventType"], event["eventData"]) == (event_id, "Note", note)
    custom = json.dumps({"text": "Rolled back v42 and v43"})
    ssm(cli, "UpdateTimelineEvent", incidentRecordArn=incident, eventId=event_id, eventType="Custom Event",
        eventData=custom)
    custom_filter = {"key": "eventType", "condition": {"equals": {"stringValues": ["Custom Event"]}}}
    summaries = ssm(cli, "ListTimelineEvents", incidentRecordArn=incident, filters=[custom_filter])["eventSummaries"]
    assert [e["eventId"] for e in summaries] == [event_id]
    ssm(cli, "DeleteTimelineEvent", incidentRecordArn=incident, eventId=event_id)
    summaries = ssm(cli, "ListTimelineEvents", incidentRecordArn=incident)["eventSummaries"]
    assert event_id not in [e["eventId"] for e in summaries]


def related_items(cli: AwsCli, incident: str) -> None:
    item = {"identifier": {"type": "OTHER", "value": {"url": "https://status.example.com/"}}, "title": "Status page"}
    ssm(cli, "UpdateRelatedItems", incidentRecordArn=incident, relatedItemsUpdate={"itemToAdd": item})
    items = ssm(cli, "ListRelatedItems", incidentRecordArn=incident)["relatedItems"]
    assert item["identifier"] in [i["identifier"] for i in items]
    ssm(cli, "UpdateRelatedItems", incidentRecordArn=incident, relatedItemsUpdate={"itemToRemove": item["identifier"]})
    items = ssm(cli, "ListRelatedItems", incidentRecordArn=incident)["relatedItems"]
    assert item["identifier"] not in [i["identifier"] for i in items]


def incident_findings(cli: AwsCli) -> None:
    plan = new_response_plan(cli, "cli-findings", "Deployment broke checkout")
    incident = ssm(cli, "StartIncident", responsePlanArn=plan)["incidentRecordArn"]
    listed = [f["id"] for f in ssm(cli, "ListIncidentFindings", incidentRecordArn=incident)["findings"]]
    unknown = "00000000-0000-0000-0000-000000000000"
    got = ssm(cli, "BatchGetIncidentFindings", incidentRecordArn=incident, findingIds=[*listed, unknown])
    assert sorted(f["id"] for f in got["findings"]) == sorted(listed)
    assert [e["findingId"] for e in got["errors"]] == [unknown]


# --- EventBridge ------------------------------------------------------------------------


def buses_rules_and_targets(cli: AwsCli, alarm_event: dict) -> None:
    plan = new_response_plan(cli, "cli-rules", "Alarm on ops")
    created = events(cli, "CreateEventBus", Name="ops", Description="operations", Tags=[{"Key": "team", "Value": "sre"}])
    bus_arn = created["EventBusArn"]
    assert bus_arn.endswith(":event-bus/ops")
    assert events(cli, "DescribeEventBus", Name="ops")["Arn"] == bus_arn
    assert [b["Name"] for b in events(cli, "ListEventBuses", NamePrefix="op")["EventBuses"]] == ["ops"]
    assert events(cli, "UpdateEventBus", Name="ops", Description="ops bus")["Description"] == "ops bus"

    on_ops = {"Name": "alarms", "EventBusName": "ops"}
    tags = [{"Key": "team", "Value": "web"}]
    rule_arn = events(cli, "PutRule", **on_ops, EventPattern=json.dumps(ALARM_PATTERN), Tags=tags)["RuleArn"]
    assert rule_arn.endswith(":rule/ops/alarms")
    rule = events(cli, "DescribeRule", **on_ops)
    assert (rule["Arn"], rule["State"], json.loads(rule["EventPattern"])) == (rule_arn, "ENABLED", ALARM_PATTERN)
    assert [r["Name"] for r in events(cli, "ListRules", EventBusName="ops")["Rules"]] == ["alarms"]

    put = events(cli, "PutTargets", Rule="alarms", EventBusName="ops", Targets=[{"Id": "plan", "Arn": plan}])
    assert put["FailedEntryCount"] == 0, put
    targets = events(cli, "ListTargetsByRule", Rule="alarms", EventBusName="ops")["Targets"]
    assert [(t["Id"], t["Arn"]) for t in targets] == [("plan", plan)]
    assert events(cli, "ListRuleNamesByTarget", TargetArn=plan, EventBusName="ops")["RuleNames"] == ["alarms"]

    events(cli, "TagResource", ResourceARN=rule_arn, Tags=[{"Key": "tier", "Value": "1"}])
    events(cli, "UntagResource", ResourceARN=rule_arn, TagKeys=["team"])
    assert events(cli, "ListTagsForResource", ResourceARN=rule_arn)["Tags"] == [{"Key": "tier", "Value": "1"}]

    events(cli, "DisableRule", **on_ops)
    assert events(cli, "DescribeRule", **on_ops)["State"] == "DISABLED"
    events(cli, "EnableRule", **on_ops)
    assert events(cli, "DescribeRule", **on_ops)["State"] == "ENABLED"

    tested = events(cli, "TestEventPattern", EventPattern=json.dumps(ALARM_PATTERN), Event=json.dumps(alarm_event))
    assert tested["Result"] is True

    sent = events(cli, "PutEvents", Entries=[dict(put_event_entry(alarm_event), EventBusName="ops")])
    assert sent["FailedEntryCount"] == 0 and sent["Entries"][0]["EventId"], sent
    wait_for(
        lambda: ssm(cli, "ListIncidentRecords")["incidentRecordSummaries"],
        lambda records: "Alarm on ops" in [r["title"] for r in records],
        what="the alarm put on the ops bus to open an incident through the rule",
    )

    removed = events(cli, "RemoveTargets", Rule="alarms", EventBusName="ops", Ids=["plan"])
    assert removed["FailedEntryCount"] == 0, removed
    events(cli, "DeleteRule", **on_ops)
    events(cli, "DeleteEventBus", Name="ops")
    assert [b["Name"] for b in events(cli, "ListEventBuses")["EventBuses"]] == ["default"]


def archives_and_replays(cli: AwsCli, alarm_event: dict) -> None:
    bus_arn = events(cli, "DescribeEventBus")["Arn"]
    archive_arn = events(
        cli, "CreateArchive", ArchiveName="alarms", EventSourceArn=bus_arn, EventPattern=json.dumps(ALARM_PATTERN),
        RetentionDays=7,
    )["ArchiveArn"]
    assert archive_arn.endswith(":archive/alarms")
    start = int(time.time()) - 1
    sent = events(cli, "PutEvents", Entries=[put_event_entry(alarm_event)] * 3)
    assert sent["FailedEntryCount"] == 0, sent
    described = events(cli, "DescribeArchive", ArchiveName="alarms")
    assert (described["ArchiveArn"], described["EventCount"]) == (archive_arn, 3)
    assert [a["ArchiveName"] for a in events(cli, "ListArchives")["Archives"]] == ["alarms"]
    events(cli, "UpdateArchive", ArchiveName="alarms", Description="CloudWatch alarms", RetentionDays=1)
    assert events(cli, "DescribeArchive", ArchiveName="alarms")["RetentionDays"] == 1

    time.sleep(1.1)  # in whole epoch seconds, the window ends after the events and not in the future
    started = events(
        cli, "StartReplay", ReplayName="again", EventSourceArn=archive_arn, EventStartTime=start,
        EventEndTime=int(time.time()), Destination={"Arn": bus_arn},
    )
    assert started["ReplayArn"].endswith(":replay/again")
    done = wait_for(
        lambda: events(cli, "DescribeReplay", ReplayName="again"),
        lambda replay: replay["State"] in ("COMPLETED", "FAILED", "CANCELLED"),
        what="the replay to finish",
    )
    assert done["State"] == "COMPLETED", done
    assert [r["ReplayName"] for r in events(cli, "ListReplays", State="COMPLETED")["Replays"]] == ["again"]
    # Cancelling needs a replay still in flight, which a client cannot count on: Tocsin
    # replays an archive this small in milliseconds. So CancelReplay is driven on the
    # completed replay, and its modeled IllegalStatusException, parsed by the CLI, counts.
    cli.modeled_error("events", "CancelReplay", "IllegalStatusException", ReplayName="again")

    events(cli, "DeleteArchive", ArchiveName="alarms")
    assert events(cli, "ListArchives")["Archives"] == []


OAUTH = {
    "ClientParameters": {"ClientID": "tocsin", "ClientSecret": "oauth-secret"},
    "AuthorizationEndpoint": "https://auth.example.com/oauth2/token",
    "HttpMethod": "POST",
    "OAuthHttpParameters": {"BodyParameters": [{"Key": "scope", "Value": "hooks", "IsValueSecret": False}]},
}
# name: (AuthorizationType, AuthParameters, what DescribeConnection returns of them)
CONNECTIONS = {
    "api-key": (
        "API_KEY",
        {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "key-secret"}},
        ("ApiKeyAuthParameters", {"ApiKeyName": "x-api-key"}),
    ),
    "basic": (
        "BASIC",
        {"BasicAuthParameters": {"Username": "tocsin", "Password": "basic-secret"}},
        ("BasicAuthParameters", {"Username": "tocsin"}),
    ),
    "oauth": ("OAUTH_CLIENT_CREDENTIALS", {"OAuthParameters": OAUTH}, ("OAuthParameters", None)),
}
SECRETS = ("key-secret", "basic-secret", "oauth-secret")


def connections_and_api_destinations(cli: AwsCli) -> None:
    arns = {}
    for name, (auth_type, auth, _) in CONNECTIONS.items():
        created = events(cli, "CreateConnection", Name=name, AuthorizationType=auth_type, AuthParameters=auth)
        assert f":connection/{name}/" in created["ConnectionArn"], created
        arns[name] = created["ConnectionArn"]
    for name, (auth_type, _, (auth_key, shown)) in CONNECTIONS.items():
        described = events(cli, "DescribeConnection", Name=name)
        assert (described["ConnectionArn"], described["Name"], described["AuthorizationType"]) == (
            arns[name], name, auth_type
        )
        assert not any(secret in json.dumps(described) for secret in SECRETS), f"a secret came back: {described}"
        if shown is not None:
            assert described["AuthParameters"][auth_key] == shown, described
    oauth = events(cli, "DescribeConnection", Name="oauth")["AuthParameters"]["OAuthParameters"]
    assert oauth["ClientParameters"] == {"ClientID": "tocsin"}
    assert oauth["AuthorizationEndpoint"] == OAUTH["AuthorizationEndpoint"]
    assert sorted(c["Name"] for c in events(cli, "ListConnections")["Connections"]) == sorted(CONNECTIONS)
    assert [c["Name"] for c in events(cli, "ListConnections", NamePrefix="bas")["Connections"]] == ["basic"]
    updated = events(
        cli, "UpdateConnection", Name="basic", Description="rotated", AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "tocsin2", "Password": "basic-secret"}},
    )
    assert updated["ConnectionArn"] == arns["basic"]
    described = events(cli, "DescribeConnection", Name="basic")
    assert described["Description"] == "rotated"
    assert described["AuthParameters"]["BasicAuthParameters"] == {"Username": "tocsin2"}

    hook = "https://example.com/hook"
    created = events(
        cli, "CreateApiDestination", Name="hook", ConnectionArn=arns["api-key"], InvocationEndpoint=hook,
        HttpMethod="POST", InvocationRateLimitPerSecond=10,
    )
    destination_arn = created["ApiDestinationArn"]
    assert ":api-destination/hook/" in destination_arn, created
    described = events(cli, "DescribeApiDestination", Name="hook")
    assert (described["ApiDestinationArn"], described["ConnectionArn"], described["InvocationEndpoint"]) == (
        destination_arn, arns["api-key"], hook
    )
    assert (described["HttpMethod"], described["InvocationRateLimitPerSecond"]) == ("POST", 10)
    listed = events(cli, "ListApiDestinations", ConnectionArn=arns["api-key"])["ApiDestinations"]
    assert [d["Name"] for d in listed] == ["hook"]
    events(cli, "UpdateApiDestination", Name="hook", HttpMethod="PUT", InvocationRateLimitPerSecond=5)
    described = events(cli, "DescribeApiDestination", Name="hook")
    assert (described["HttpMethod"], described["InvocationRateLimitPerSecond"]) == ("PUT", 5)
    events(cli, "DeleteApiDestination", Name="hook")
    assert events(cli, "ListApiDestinations")["ApiDestinations"] == []

    for name in CONNECTIONS:
        assert events(cli, "DeleteConnection", Name=name)["ConnectionArn"] == arns[name]
    assert events(cli, "ListConnections")["Connections"] == []


# --- STS --------------------------------------------------------------------------------


def caller_identity(cli: AwsCli, access_key_id: str) -> None:
    me = cli("sts", "GetCallerIdentity")
    assert (me["Account"], me["UserId"]) == ("000000000000", access_key_id)
    assert me["Arn"].startswith("arn:aws:iam::000000000000:user/")


def test_aws_cli_drives_every_claimed_operation(cli, admin_credentials, cloudwatch_alarm_event, subtests):
    required = required_operations()
    areas = {
        "replication set": lambda: replication_set(cli),
        "response plans, resource policies, plan tags": lambda: response_plans(cli),
        "incident records, timeline, related items, incident tags": lambda: incident_records(cli),
        "incident findings": lambda: incident_findings(cli),
        "event buses, rules, targets, PutEvents": lambda: buses_rules_and_targets(cli, cloudwatch_alarm_event),
        "archives and replays": lambda: archives_and_replays(cli, cloudwatch_alarm_event),
        "connections and API destinations": lambda: connections_and_api_destinations(cli),
        "caller identity": lambda: caller_identity(cli, admin_credentials[0]),
    }
    # The areas share nothing but the server, so they run side by side (each `aws` call
    # costs about half a second of CLI start-up); each one's outcome is a subtest.
    with ThreadPoolExecutor(max_workers=4) as pool:
        running = {name: pool.submit(area) for name, area in areas.items()}
    for name, outcome in running.items():
        with subtests.test(msg=name):
            outcome.result()

    missing = sorted(f"{service}:{operation}" for service, operation in required - cli.driven)
    extra = sorted(f"{service}:{operation}" for service, operation in cli.driven - required)
    assert not missing, f"{len(missing)} of {len(required)} operations were not driven by the AWS CLI: {missing}"
    assert not extra, f"driven but not in the required list: {extra}"

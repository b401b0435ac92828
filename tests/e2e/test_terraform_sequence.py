"""The Terraform AWS provider's call sequence for `aws_ssmincidents_replication_set` and
`aws_ssmincidents_response_plan`, replayed with boto3 against a running `tocsin serve`.

Each test walks one resource through a Terraform life: `terraform apply` (create),
`terraform apply` with changed attributes and tags (update), `terraform plan` (read again,
which must show no diff) and `terraform destroy`, making the calls the provider makes, in
its order, with the request shapes its expanders build, and checking each answer the way
the provider uses it (its waiters' status fields, what its flatteners put in state, the
errors it tests for).

Where the calls come from (hashicorp/terraform-provider-aws, main branch as stored):

  * Provider configure, in every Terraform walk (the plan walk and the apply walk of each
    command each start and configure the provider): internal/conns/config.go
    `Config.ConfigureProvider` calls `awsbase.GetAwsConfig` with SkipCredsValidation forced
    on ("Avoid duplicate calls to STS"), then `awsbase.GetAwsAccountIDAndPartition`, which
    with credentials validation on (the default) makes one sts:GetCallerIdentity and
    parses the account ID and partition out of its `Arn`
    (hashicorp/aws-sdk-go-base aws_config.go `GetAwsAccountIDAndPartition`,
    `getAccountIDAndPartitionFromSTSGetCallerIdentity`, `parseAccountIDAndPartitionFromARN`).
  * Tags of both resources are "transparent tagging" (`@Tags(identifierAttribute="id")`):
    internal/provider/sdkv2/tags_interceptor.go `tagsResourceCRUDInterceptor.run` puts the
    configured tags into the Create input (`getTagsIn`), calls `UpdateTags` *before* the
    resource's Update handler when `tags_all` changed, and calls `ListTags` *after* Create,
    Read and Update because neither Read handler sets tags itself;
    internal/service/ssmincidents/tags_gen.go `updateTags` makes UntagResource (removed
    keys) then TagResource (added and changed keys); `listTags` makes ListTagsForResource.
  * Create and Update handlers tail-call their Read handler directly (not through the
    interceptor), so each Create/Update is followed by one Get* and then one
    ListTagsForResource from the interceptor.

Run: .venv/bin/pytest -q tests/e2e/test_terraform_sequence.py
"""

from __future__ import annotations

import time

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError

# retry.StateChangeConf defaults the provider's waiters rely on.
NOT_FOUND_CHECKS = 20
WAIT_TIMEOUT_S = 10.0
POLL_S = 0.2


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


class CallLog:
    """Every call the replay makes: `service:Operation -> HTTP status [error code]`, shown
    with a failure so the point in the sequence is clear."""

    def __init__(self):
        self.calls: list[str] = []

    def attach(self, client):
        service = client.meta.service_model.endpoint_prefix

        def after_call(http_response, parsed, model, **kwargs):
            code = parsed.get("Error", {}).get("Code", "") if http_response.status_code >= 300 else ""
            self.calls.append(f"{service}:{model.name} -> {http_response.status_code}{' ' + code if code else ''}")

        client.meta.events.register("after-call", after_call)
        return client

    def mark(self, phase: str):
        self.calls.append(f"--- {phase}")

    def __str__(self):
        return "\n  ".join(["calls so far:", *self.calls])


class Expectations:
    """The provider's expectations that Tocsin's answers do not meet. The replay goes on
    after one (with what the provider would have had from AWS) so one run reports them all;
    the test fails at the end if any was recorded."""

    def __init__(self, log: CallLog):
        self.log = log
        self.problems: list[str] = []

    def check(self, ok: bool, message: str):
        if not ok:
            self.problems.append(f"[after {self.log.calls[-1] if self.log.calls else 'start'}] {message}")

    def assert_none(self):
        assert not self.problems, "Tocsin's answers differ from what the Terraform provider needs:\n- " + "\n- ".join(
            self.problems
        ) + f"\n{self.log}"


def configure_provider(sts, log: CallLog, walk: str) -> tuple[str, str]:
    """internal/conns/config.go ConfigureProvider → awsbase.GetAwsAccountIDAndPartition →
    sts:GetCallerIdentity; the provider parses the account ID and partition out of `Arn`
    (an error, "retrieving caller identity from STS: empty response", without one)."""
    log.mark(f"{walk}: provider configure")
    me = sts.get_caller_identity()
    arn = me.get("Arn")
    assert arn, f"sts:GetCallerIdentity without Arn: the provider stops configuring ({me})\n{log}"
    parts = arn.split(":", 5)
    assert len(parts) == 6 and parts[0] == "arn" and parts[1] and parts[4], (
        f"GetCallerIdentity Arn {arn!r} does not parse as an ARN (aws arn.Parse)\n{log}"
    )
    partition, account = parts[1], parts[4]
    assert account == me["Account"], f"account in Arn {account!r} != Account {me['Account']!r}\n{log}"
    assert partition == "aws"
    return account, partition


def wait_for_state(fetch, pending: list[str], target: list[str], what: str, log: CallLog):
    """internal/retry StateChangeConf as the provider's waiters use it: poll fetch() (which
    returns None for ResourceNotFoundException, like statusReplicationSet); a status in
    `target` ends the wait; one in `pending` polls again; any other status is an error
    ("unexpected state"); not found ends a wait whose target is empty and otherwise counts
    towards NotFoundChecks (20). The provider waits 30 s before the first poll and
    between polls; the replay does not."""
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    not_found = 0
    while True:
        result = fetch()
        if result is None:
            if not target:
                return None
            not_found += 1
            if not_found > NOT_FOUND_CHECKS:
                pytest.fail(f"{what}: couldn't find resource ({NOT_FOUND_CHECKS} retries)\n{log}")
        else:
            status = result["status"]
            if status in target:
                return result
            if status not in pending:
                pytest.fail(f"{what}: unexpected state {status!r}, wanted target {target!r}\n{log}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: still pending after {WAIT_TIMEOUT_S} s (the provider waits 120 min)\n{log}")
        time.sleep(POLL_S)


# --- aws_ssmincidents_replication_set -------------------------------------------------------

RS_ADDED_KEY = "arn:aws:kms:us-west-2:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# The configuration of each apply, as Terraform holds it: `regions` (kms_key_arn defaults
# to "DefaultKey") and `tags`.
RS_CONFIG_V1 = {
    "regions": {"us-east-1": "DefaultKey"},
    "tags": {"Name": "incident-manager", "env": "test"},
}
RS_CONFIG_V2 = {
    "regions": {"us-east-1": "DefaultKey", "us-west-2": RS_ADDED_KEY},
    "tags": {"env": "prod", "team": "sre"},
}


def rs_expand_regions(regions: dict[str, str]) -> dict:
    """replication_set.go expandRegionMapInputValues: "DefaultKey" is not sent."""
    return {name: ({} if key == "DefaultKey" else {"sseKmsKeyId": key}) for name, key in regions.items()}


def rs_update_actions(old: dict[str, str], new: dict[str, str]) -> tuple[list[dict], str | None]:
    """replication_set.go expandUpdateReplicationSetInput: deleteRegionAction for each
    region gone, an error for a region whose key changed, addRegionAction (with
    sseKmsKeyId unless "DefaultKey") for each new region."""
    actions: list[dict] = []
    for name, old_key in old.items():
        if name not in new:
            actions.append({"deleteRegionAction": {"regionName": name}})
        elif new[name] != old_key:
            return [], (
                "SSMIncidents Replication Set does not support updating encryption on a Region "
                f"({name}: state {old_key!r}, config {new[name]!r})"
            )
    for name, key in new.items():
        if name not in old:
            add = {"regionName": name}
            if key != "DefaultKey":
                add["sseKmsKeyId"] = key
            actions.append({"addRegionAction": add})
    return actions, None


def rs_state(rs: dict, tags: dict) -> dict:
    """What resourceReplicationSetRead (flattenRegionInfos) and the tags interceptor put in
    state: each region's kms_key_arn is aws.ToString(sseKmsKeyId), "" when absent."""
    return {
        "arn": rs["arn"],
        "status": rs["status"],
        "deletion_protected": rs["deletionProtected"],
        "created_by": rs["createdBy"],
        "last_modified_by": rs["lastModifiedBy"],
        "regions": {name: info.get("sseKmsKeyId", "") for name, info in rs["regionMap"].items()},
        "region_status": {name: info["status"] for name, info in rs["regionMap"].items()},
        "tags": tags,
    }


def rs_plan_diff(state: dict, config: dict) -> list[str]:
    """What `terraform plan` would show between state and configuration."""
    diff = []
    if state["regions"] != config["regions"]:
        diff.append(f"regions: state {state['regions']} vs config {config['regions']}")
    if state["tags"] != config["tags"]:
        diff.append(f"tags: state {state['tags']} vs config {config['tags']}")
    return diff


def test_terraform_replication_set_sequence(base_url, admin_credentials):
    """aws_ssmincidents_replication_set, from hashicorp/terraform-provider-aws
    internal/service/ssmincidents/replication_set.go (newest stored version:
    `@Region(overrideEnabled=false)`, `regions` block with the deprecated `region` alias):

    apply 1 (create)     resourceReplicationSetCreate: CreateReplicationSet{regions,
                         tags (getTagsIn), clientToken (filled in by the SDK: idempotency
                         token)} → waitReplicationSetCreated (GetReplicationSet via
                         findReplicationSetByID; pending CREATING, target ACTIVE) →
                         resourceReplicationSetRead (GetReplicationSet) → interceptor
                         ListTagsForResource.
    apply 2 (update)     refresh: Read (GetReplicationSet) + ListTagsForResource; then the
                         interceptor's updateTags (UntagResource, TagResource) before
                         resourceReplicationSetUpdate: UpdateReplicationSet{arn, actions
                         (expandUpdateReplicationSetInput), clientToken} →
                         waitReplicationSetUpdated (pending UPDATING, target ACTIVE) →
                         Read (GetReplicationSet) → ListTagsForResource.
    plan (read again)    Read (GetReplicationSet) + ListTagsForResource; no diff.
    destroy              refresh; resourceReplicationSetDelete: DeleteReplicationSet
                         (ResourceNotFoundException counts as deleted) →
                         waitReplicationSetDeleted (pending DELETING, target none: done
                         when GetReplicationSet answers ResourceNotFoundException).

    The provider never calls UpdateDeletionProtection: `deletion_protected` is computed
    only, so destroy works only if a new replication set is not deletion protected.
    Earlier provider versions (e.g. the one with `ssmincidents.NewWaitForReplicationSet
    ActiveWaiter`) wait with the SDK waiters WaitForReplicationSetActive / Deleted, whose
    acceptors (ACTIVE success, CREATING/UPDATING retry, FAILED failure; deleted on
    ResourceNotFoundException) Tocsin's answers satisfy the same way.
    """
    log = CallLog()
    want = Expectations(log)
    incidents = log.attach(aws_client("ssm-incidents", base_url, admin_credentials))
    sts = log.attach(aws_client("sts", base_url, admin_credentials))

    def find(arn):
        """findReplicationSetByID: ResourceNotFoundException → not found (None)."""
        try:
            return incidents.get_replication_set(arn=arn)["replicationSet"]
        except ClientError as e:
            if error_code(e) == "ResourceNotFoundException":
                return None
            raise

    def read(arn, walk):
        """resourceReplicationSetRead + the interceptor's ListTags (after Create/Read/Update)."""
        rs = find(arn)
        assert rs is not None, f"{walk}: GetReplicationSet says {arn} does not exist\n{log}"
        tags = incidents.list_tags_for_resource(resourceArn=arn)["tags"]
        return rs_state(rs, tags)

    # --- terraform apply (create) ------------------------------------------------------
    configure_provider(sts, log, "apply 1, plan walk")
    configure_provider(sts, log, "apply 1, apply walk")
    log.mark("apply 1: resourceReplicationSetCreate")
    arn = incidents.create_replication_set(
        regions=rs_expand_regions(RS_CONFIG_V1["regions"]), tags=RS_CONFIG_V1["tags"]
    )["arn"]
    assert arn.startswith("arn:aws:ssm-incidents::") and ":replication-set/" in arn, arn
    created = wait_for_state(lambda: find(arn), ["CREATING"], ["ACTIVE"], "waitReplicationSetCreated", log)
    assert created["arn"] == arn
    state = read(arn, "apply 1")
    assert state["status"] == "ACTIVE"
    assert set(state["region_status"]) == set(RS_CONFIG_V1["regions"])
    assert state["deletion_protected"] is False, (
        "a new replication set is deletion protected: `terraform destroy` cannot delete it "
        f"(the provider never calls UpdateDeletionProtection)\n{log}"
    )
    want.check(
        not rs_plan_diff(state, RS_CONFIG_V1),
        "after create, state differs from configuration (the next plan shows a diff): "
        + "; ".join(rs_plan_diff(state, RS_CONFIG_V1))
        + ". A region created with the default key must come back with sseKmsKeyId "
        '"DefaultKey" (flattenRegionInfos stores aws.ToString(sseKmsKeyId) as kms_key_arn, '
        'whose configured default is "DefaultKey"; the acceptance tests check '
        'kms_key_arn = "DefaultKey" in state)',
    )

    # --- terraform apply (update: a region added, tags changed) -------------------------
    configure_provider(sts, log, "apply 2, plan walk")
    log.mark("apply 2: refresh")
    state = read(arn, "apply 2 refresh")
    actions, refused = rs_update_actions(state["regions"], RS_CONFIG_V2["regions"])
    want.check(
        refused is None,
        f"with the regions Tocsin reported, apply 2 stops before any call: {refused}",
    )
    if refused is not None:
        # Go on with what the provider would have had in state from AWS.
        actions, _ = rs_update_actions(RS_CONFIG_V1["regions"], RS_CONFIG_V2["regions"])
    assert actions == [{"addRegionAction": {"regionName": "us-west-2", "sseKmsKeyId": RS_ADDED_KEY}}]

    configure_provider(sts, log, "apply 2, apply walk")
    log.mark("apply 2: tags interceptor updateTags, then resourceReplicationSetUpdate")
    old_tags, new_tags = state["tags"], RS_CONFIG_V2["tags"]
    removed = sorted(k for k in old_tags if k not in new_tags)
    updated = {k: v for k, v in new_tags.items() if old_tags.get(k) != v}
    assert removed == ["Name"] and updated == {"env": "prod", "team": "sre"}
    incidents.untag_resource(resourceArn=arn, tagKeys=removed)
    incidents.tag_resource(resourceArn=arn, tags=updated)
    incidents.update_replication_set(arn=arn, actions=actions)
    wait_for_state(lambda: find(arn), ["UPDATING"], ["ACTIVE"], "waitReplicationSetUpdated", log)
    state = read(arn, "apply 2")
    assert set(state["region_status"]) == {"us-east-1", "us-west-2"}
    assert all(s == "ACTIVE" for s in state["region_status"].values()), state["region_status"]
    assert state["regions"]["us-west-2"] == RS_ADDED_KEY
    assert state["tags"] == RS_CONFIG_V2["tags"]

    # --- terraform plan (read again: no changes expected) -------------------------------
    configure_provider(sts, log, "plan")
    log.mark("plan: refresh")
    state = read(arn, "plan")
    assert state["status"] == "ACTIVE" and state["deletion_protected"] is False
    want.check(
        not rs_plan_diff(state, RS_CONFIG_V2),
        "after update, `terraform plan` is not empty: " + "; ".join(rs_plan_diff(state, RS_CONFIG_V2)),
    )

    # --- terraform destroy -----------------------------------------------------------------
    configure_provider(sts, log, "destroy, plan walk")
    log.mark("destroy: refresh")
    read(arn, "destroy refresh")
    configure_provider(sts, log, "destroy, apply walk")
    log.mark("destroy: resourceReplicationSetDelete")
    try:
        incidents.delete_replication_set(arn=arn)
    except ClientError as e:
        if error_code(e) != "ResourceNotFoundException":  # the provider counts that as deleted
            pytest.fail(f"DeleteReplicationSet refused: {e}\n{log}")
    wait_for_state(lambda: find(arn), ["DELETING"], [], "waitReplicationSetDeleted", log)
    with pytest.raises(ClientError) as err:
        incidents.get_replication_set(arn=arn)
    assert error_code(err.value) == "ResourceNotFoundException"
    assert incidents.list_replication_sets()["replicationSetArns"] == []
    want.assert_none()


# --- aws_ssmincidents_response_plan ----------------------------------------------------------

ACCOUNT = "000000000000"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:incident-notifications"
TOPIC_2 = f"arn:aws:sns:us-east-1:{ACCOUNT}:incident-notifications-2"
CHAT_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:chatbot"
CONTACT = f"arn:aws:ssm-contacts:us-east-1:{ACCOUNT}:contact/oncall"
CONTACT_2 = f"arn:aws:ssm-contacts:us-east-1:{ACCOUNT}:contact/escalation"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/incident-automation"

# The configuration of each apply (the shape of the provider's documentation example).
PLAN_CONFIG_V1 = {
    "name": "tf-checkout",
    "display_name": "Checkout down",
    "chat_channel": [CHAT_TOPIC],
    "engagements": [CONTACT],
    "incident_template": {
        "title": "Checkout is failing",
        "impact": 2,
        "dedupe_string": "checkout",
        "incident_tags": {"service": "checkout"},
        "notification_target": [TOPIC, TOPIC_2],
        "summary": "Customers cannot pay",
    },
    "action": {
        "ssm_automation": [
            {
                "document_name": "AWSIncidents-CriticalIncidentRunbookTemplate",
                "role_arn": ROLE,
                "document_version": "version1",
                "target_account": "RESPONSE_PLAN_OWNER_ACCOUNT",
                "parameter": {"key": ["value1", "value2"], "foo": ["bar"]},
                "dynamic_parameters": {"someKey": "INVOLVED_RESOURCES", "anotherKey": "INCIDENT_RECORD_ARN"},
            }
        ]
    },
    "integration": {"pagerduty": [{"name": "pagerduty-checkout", "service_id": "PABC123", "secret_id": "pagerduty"}]},
    "tags": {"owner": "sre", "env": "test"},
}
PLAN_CONFIG_V2 = {
    **PLAN_CONFIG_V1,
    "display_name": "Checkout degraded",
    "chat_channel": [],
    "engagements": [CONTACT, CONTACT_2],
    "incident_template": {
        "title": "Checkout is slow",
        "impact": 3,
        "dedupe_string": "",
        "incident_tags": {"service": "checkout", "tier": "1"},
        "notification_target": [TOPIC_2],
        "summary": "Payments take more than 10 s",
    },
    "action": {
        "ssm_automation": [
            {
                "document_name": "AWSIncidents-CriticalIncidentRunbookTemplate",
                "role_arn": ROLE,
                "document_version": "version2",
                "target_account": "IMPACTED_ACCOUNT",
                "parameter": {"key": ["value3"]},
                "dynamic_parameters": {"someKey": "INCIDENT_RECORD_ARN"},
            }
        ]
    },
    "tags": {"env": "prod", "team": "payments"},
}


def plan_expand_template(t: dict) -> dict:
    """flex.go expandIncidentTemplate: title and impact when set; dedupeString and summary
    always (an empty string clears them); incidentTags and notificationTargets when
    non-empty."""
    out: dict = {}
    if t.get("title"):
        out["title"] = t["title"]
    if t.get("impact"):
        out["impact"] = t["impact"]
    out["dedupeString"] = t.get("dedupe_string", "")
    if t.get("incident_tags"):
        out["incidentTags"] = dict(t["incident_tags"])
    out["summary"] = t.get("summary", "")
    if t.get("notification_target"):
        out["notificationTargets"] = [{"snsTopicArn": a} for a in t["notification_target"]]
    return out


def plan_expand_actions(action: dict | None) -> list[dict] | None:
    """flex.go expandAction / expandSSMAutomations / expandParameters /
    expandDynamicParameters (documentVersion is sent even when empty; an empty
    targetAccount enum is left out by the SDK's serializer)."""
    if not action:
        return None
    out = []
    for a in action["ssm_automation"]:
        ssm = {
            "documentName": a["document_name"],
            "roleArn": a["role_arn"],
            "documentVersion": a.get("document_version", ""),
            "parameters": {k: list(v) for k, v in a.get("parameter", {}).items()},
            "dynamicParameters": {k: {"variable": v} for k, v in a.get("dynamic_parameters", {}).items()},
        }
        if a.get("target_account"):
            ssm["targetAccount"] = a["target_account"]
        out.append({"ssmAutomation": ssm})
    return out


def plan_expand_chat_channel(channels: list[str]) -> dict:
    """flex.go expandChatChannel: `empty` when no channel is configured."""
    return {"chatbotSns": list(channels)} if channels else {"empty": {}}


def plan_expand_integrations(integration: dict | None) -> list[dict] | None:
    """flex.go expandIntegration / expandPagerDutyIntegration."""
    if not integration:
        return None
    return [
        {
            "pagerDutyConfiguration": {
                "name": p["name"],
                "pagerDutyIncidentConfiguration": {"serviceId": p["service_id"]},
                "secretId": p["secret_id"],
            }
        }
        for p in integration["pagerduty"]
    ]


def plan_create_input(c: dict) -> dict:
    """response_plan.go resourceResponsePlanCreate: CreateResponsePlanInput (clientToken is
    filled in by the SDK, boto3 here and aws-sdk-go-v2 in the provider)."""
    kwargs = {
        "name": c["name"],
        "displayName": c.get("display_name", ""),
        "chatChannel": plan_expand_chat_channel(c.get("chat_channel", [])),
        "engagements": list(c.get("engagements", [])),
        "incidentTemplate": plan_expand_template(c["incident_template"]),
    }
    if (actions := plan_expand_actions(c.get("action"))) is not None:
        kwargs["actions"] = actions
    if (integrations := plan_expand_integrations(c.get("integration"))) is not None:
        kwargs["integrations"] = integrations
    if c.get("tags"):
        kwargs["tags"] = dict(c["tags"])
    return kwargs


def plan_update_input(arn: str, old: dict, new: dict) -> dict:
    """response_plan.go resourceResponsePlanUpdate: only the changed attributes
    (d.HasChanges); a changed incident_template is sent whole, flattened by
    updateResponsePlanInputWithIncidentTemplate."""
    kwargs: dict = {"arn": arn}
    if old.get("action") != new.get("action"):
        kwargs["actions"] = plan_expand_actions(new.get("action")) or []
    if old.get("chat_channel") != new.get("chat_channel"):
        kwargs["chatChannel"] = plan_expand_chat_channel(new.get("chat_channel", []))
    if old.get("display_name") != new.get("display_name"):
        kwargs["displayName"] = new.get("display_name", "")
    if old.get("engagements") != new.get("engagements"):
        kwargs["engagements"] = list(new.get("engagements", []))
    if old["incident_template"] != new["incident_template"]:
        t = plan_expand_template(new["incident_template"])
        for member, field in [
            ("incidentTemplateImpact", "impact"),
            ("incidentTemplateTitle", "title"),
            ("incidentTemplateTags", "incidentTags"),
            ("incidentTemplateNotificationTargets", "notificationTargets"),
            ("incidentTemplateDedupeString", "dedupeString"),
            ("incidentTemplateSummary", "summary"),
        ]:
            if field in t:
                kwargs[member] = t[field]
    if old.get("integration") != new.get("integration"):
        kwargs["integrations"] = plan_expand_integrations(new.get("integration")) or []
    return kwargs


def plan_state(out: dict, tags: dict) -> dict:
    """What setResponsePlanResourceData (helper.go; flex.go flatten*) and the tags
    interceptor put in state, normalised as Terraform compares it (sets as sets, an absent
    optional string as "")."""
    t = out["incidentTemplate"]
    chat = out.get("chatChannel") or {}
    return {
        "name": out["name"],
        "display_name": out.get("displayName") or "",
        "chat_channel": set(chat.get("chatbotSns") or []),
        "engagements": set(out.get("engagements") or []),
        "incident_template": {
            "title": t.get("title", ""),
            "impact": t.get("impact", 0),
            "dedupe_string": t.get("dedupeString") or "",
            "incident_tags": t.get("incidentTags") or {},
            "notification_target": {n["snsTopicArn"] for n in t.get("notificationTargets") or []},
            "summary": t.get("summary") or "",
        },
        "action": [
            {
                "document_name": a["ssmAutomation"].get("documentName"),
                "role_arn": a["ssmAutomation"].get("roleArn"),
                "document_version": a["ssmAutomation"].get("documentVersion") or "",
                "target_account": a["ssmAutomation"].get("targetAccount") or "",
                "parameter": {k: set(v) for k, v in (a["ssmAutomation"].get("parameters") or {}).items()},
                "dynamic_parameters": {
                    k: v["variable"] for k, v in (a["ssmAutomation"].get("dynamicParameters") or {}).items()
                },
            }
            for a in out.get("actions") or []
            if "ssmAutomation" in a
        ],
        "integration": [
            {
                "name": i["pagerDutyConfiguration"].get("name"),
                "service_id": i["pagerDutyConfiguration"]["pagerDutyIncidentConfiguration"]["serviceId"],
                "secret_id": i["pagerDutyConfiguration"].get("secretId"),
            }
            for i in out.get("integrations") or []
            if "pagerDutyConfiguration" in i
        ],
        "tags": tags,
    }


def plan_config_state(c: dict) -> dict:
    """The configuration, normalised like plan_state."""
    t = c["incident_template"]
    return {
        "name": c["name"],
        "display_name": c.get("display_name", ""),
        "chat_channel": set(c.get("chat_channel", [])),
        "engagements": set(c.get("engagements", [])),
        "incident_template": {
            "title": t["title"],
            "impact": t["impact"],
            "dedupe_string": t.get("dedupe_string", ""),
            "incident_tags": dict(t.get("incident_tags", {})),
            "notification_target": set(t.get("notification_target", [])),
            "summary": t.get("summary", ""),
        },
        "action": [
            {
                "document_name": a["document_name"],
                "role_arn": a["role_arn"],
                "document_version": a.get("document_version", ""),
                "target_account": a.get("target_account", ""),
                "parameter": {k: set(v) for k, v in a.get("parameter", {}).items()},
                "dynamic_parameters": dict(a.get("dynamic_parameters", {})),
            }
            for a in (c.get("action") or {}).get("ssm_automation", [])
        ],
        "integration": [dict(p) for p in (c.get("integration") or {}).get("pagerduty", [])],
        "tags": dict(c.get("tags", {})),
    }


def plan_diff(state: dict, config: dict) -> list[str]:
    wanted = plan_config_state(config)
    return [f"{k}: state {state[k]!r} vs config {wanted[k]!r}" for k in wanted if state[k] != wanted[k]]


def test_terraform_response_plan_sequence(base_url, admin_credentials):
    """aws_ssmincidents_response_plan, from hashicorp/terraform-provider-aws
    internal/service/ssmincidents/response_plan.go (plus find.go FindResponsePlanByID,
    helper.go setResponsePlanResourceData, flex.go expanders and flatteners):

    apply 1 (create)     resourceResponsePlanCreate: CreateResponsePlan{actions,
                         chatChannel, displayName, engagements, incidentTemplate,
                         integrations, name, tags (getTagsIn), clientToken (SDK)} →
                         resourceResponsePlanRead (GetResponsePlan; no waiter) →
                         interceptor ListTagsForResource.
    apply 2 (update)     refresh: GetResponsePlan + ListTagsForResource; the interceptor's
                         updateTags (UntagResource, TagResource) before
                         resourceResponsePlanUpdate: UpdateResponsePlan{arn, changed
                         members only, the template as incidentTemplate* members,
                         clientToken (SDK)} → Read (GetResponsePlan) → ListTagsForResource.
    plan (read again)    GetResponsePlan + ListTagsForResource; no diff.
    destroy              refresh; resourceResponsePlanDelete: DeleteResponsePlan
                         (ResourceNotFoundException counts as deleted; no waiter). A later
                         refresh's GetResponsePlan answers ResourceNotFoundException, which
                         Read treats as gone.

    (In AWS the configuration also holds the replication set the plan `depends_on`;
    Tocsin does not need one and the provider makes no call about it for this resource,
    so it is left out here: test_terraform_replication_set_sequence covers it.)
    """
    log = CallLog()
    want = Expectations(log)
    incidents = log.attach(aws_client("ssm-incidents", base_url, admin_credentials))
    sts = log.attach(aws_client("sts", base_url, admin_credentials))

    def read(arn, walk, *, new_resource=False):
        """resourceResponsePlanRead (FindResponsePlanByID) + the interceptor's ListTags."""
        try:
            out = incidents.get_response_plan(arn=arn)
        except ClientError as e:
            kind = "an error on a new resource" if new_resource else "removed from state"
            pytest.fail(f"{walk}: GetResponsePlan {error_code(e)} ({kind})\n{log}")
        tags = incidents.list_tags_for_resource(resourceArn=arn)["tags"]
        return plan_state(out, tags)

    # --- terraform apply (create) ------------------------------------------------------
    configure_provider(sts, log, "apply 1, plan walk")
    account, _ = configure_provider(sts, log, "apply 1, apply walk")
    assert account == ACCOUNT
    log.mark("apply 1: resourceResponsePlanCreate")
    arn = incidents.create_response_plan(**plan_create_input(PLAN_CONFIG_V1))["arn"]
    assert arn == f"arn:aws:ssm-incidents::{ACCOUNT}:response-plan/{PLAN_CONFIG_V1['name']}"
    state = read(arn, "apply 1", new_resource=True)
    want.check(
        not plan_diff(state, PLAN_CONFIG_V1),
        "after create, state differs from configuration: " + "; ".join(plan_diff(state, PLAN_CONFIG_V1)),
    )

    # --- terraform apply (update: attributes and tags changed) --------------------------
    configure_provider(sts, log, "apply 2, plan walk")
    log.mark("apply 2: refresh")
    state = read(arn, "apply 2 refresh")
    configure_provider(sts, log, "apply 2, apply walk")
    log.mark("apply 2: tags interceptor updateTags, then resourceResponsePlanUpdate")
    old_tags, new_tags = state["tags"], PLAN_CONFIG_V2["tags"]
    removed = sorted(k for k in old_tags if k not in new_tags)
    updated = {k: v for k, v in new_tags.items() if old_tags.get(k) != v}
    assert removed == ["owner"] and updated == {"env": "prod", "team": "payments"}
    incidents.untag_resource(resourceArn=arn, tagKeys=removed)
    incidents.tag_resource(resourceArn=arn, tags=updated)
    update = plan_update_input(arn, PLAN_CONFIG_V1, PLAN_CONFIG_V2)
    assert "integrations" not in update and update["chatChannel"] == {"empty": {}}
    assert update["incidentTemplateDedupeString"] == ""
    incidents.update_response_plan(**update)
    state = read(arn, "apply 2")
    want.check(
        not plan_diff(state, PLAN_CONFIG_V2),
        "after update, state differs from configuration: " + "; ".join(plan_diff(state, PLAN_CONFIG_V2)),
    )

    # --- terraform plan (read again: no changes expected) -------------------------------
    configure_provider(sts, log, "plan")
    log.mark("plan: refresh")
    state = read(arn, "plan")
    want.check(
        not plan_diff(state, PLAN_CONFIG_V2),
        "`terraform plan` after update is not empty: " + "; ".join(plan_diff(state, PLAN_CONFIG_V2)),
    )
    assert state["tags"] == PLAN_CONFIG_V2["tags"]

    # --- terraform destroy -----------------------------------------------------------------
    configure_provider(sts, log, "destroy, plan walk")
    log.mark("destroy: refresh")
    read(arn, "destroy refresh")
    configure_provider(sts, log, "destroy, apply walk")
    log.mark("destroy: resourceResponsePlanDelete")
    try:
        incidents.delete_response_plan(arn=arn)
    except ClientError as e:
        if error_code(e) != "ResourceNotFoundException":  # the provider counts that as deleted
            pytest.fail(f"DeleteResponsePlan refused: {e}\n{log}")
    log.mark("after destroy: a refresh finds nothing")
    with pytest.raises(ClientError) as err:
        incidents.get_response_plan(arn=arn)
    assert error_code(err.value) == "ResourceNotFoundException", f"{err.value}\n{log}"
    assert arn not in [p["arn"] for p in incidents.list_response_plans()["responsePlanSummaries"]]
    want.assert_none()

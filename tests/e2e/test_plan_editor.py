"""The response-plan editor in Chromium covers the whole CreateResponsePlan shape.

* Every member is filled in through the form: display name, plan tags, the incident
  template (title, impact, summary, dedupe string, incident tags, notification targets
  picked from the topics), the chat channel, an engagement picked from the contacts, the
  runbook (document picked from the Automation documents, version, role, target account,
  parameters, dynamic parameters) and the PagerDuty integration. The preview shows what
  the plan opens as it is typed.
* A bad field is named at that field, by the form (a parameter line without `=`) and by
  the server (a name already taken), and nothing is created.
* The "As code" JSON is the CreateResponsePlan request: boto3 sends it as it is
  (`create_response_plan(**plan)`) and the plan it creates reads back (GetResponsePlan,
  ListTagsForResource) the same as the one the form created.
* Editing loads every member back into the form, an edit saves (impact, a removed plan
  tag, a cleared runbook), and JSON edited in the "As code" tab applies to the form.
"""

from __future__ import annotations

import pytest
import json
import re

from awsshape import aws_client
from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, bearer, sign_in

DOC = {
    "description": "Restart the web tier.",
    "schemaVersion": "0.3",
    "parameters": {"InstanceId": {"type": "String"}, "IncidentArn": {"type": "String", "default": ""}},
    "mainSteps": [{"name": "settle", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}}],
}
ROLE = "arn:aws:iam::123456789012:role/incident-runbooks"


def comparable(plan: dict) -> dict:
    """A GetResponsePlan answer without what differs between two plans (ARN, name)."""
    return {k: v for k, v in plan.items() if k not in ("ResponseMetadata", "arn", "name")}


def check(page, fieldset: str, label_text: str) -> None:
    page.locator(f"fieldset#{fieldset} label.check", has_text=label_text).locator("input").check()


@pytest.mark.postgres_too
def test_the_plan_editor_covers_every_member_and_round_trips_as_code(tocsin, browser, admin_credentials):
    base = tocsin.base
    incidents = aws_client("ssm-incidents", base, admin_credentials)
    sns = aws_client("sns", base, admin_credentials)
    contacts = aws_client("ssm-contacts", base, admin_credentials)
    ssm = aws_client("ssm", base, admin_credentials)
    ops = sns.create_topic(Name="ops-alerts")["TopicArn"]
    chat = sns.create_topic(Name="ops-chat")["TopicArn"]
    sns.create_topic(Name="unused")
    maria = contacts.create_contact(Alias="maria", DisplayName="Maria", Type="PERSONAL", Plan={"Stages": []})[
        "ContactArn"
    ]
    ssm.create_document(Name="Restart-Web", Content=json.dumps(DOC), DocumentType="Automation")
    incidents.create_response_plan(name="taken", incidentTemplate={"title": "Taken", "impact": 3})

    problems: list[str] = []
    page = accepting_page(browser, "plan-editor", problems, [])
    sign_in(page, base, admin_credentials, "/plans/new")
    expect(page.locator("fieldset#engagements label.check")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("fieldset#notification-targets label.check")).to_have_count(3)

    page.fill("input#name", "taken")
    page.fill("input#display-name", "Web checkout")
    page.fill("textarea#tags", "owner=sre\ncost-centre=web")
    page.fill("input#title", "Checkout <b>failing</b>")
    page.select_option("select#impact", "2")
    page.fill("textarea#summary", "Payments time out for EU users")
    page.fill("input#dedupe-string", "checkout-eu")
    page.fill("textarea#incident-tags", "team=web\nservice=checkout")
    check(page, "notification-targets", "ops-alerts")
    check(page, "chat-channel", "ops-chat")
    check(page, "engagements", "Maria")
    page.select_option("select#runbook-document", "Restart-Web")
    page.fill("input#runbook-version", "$LATEST")
    page.fill("input#runbook-role", ROLE)
    page.select_option("select#runbook-target-account", "RESPONSE_PLAN_OWNER_ACCOUNT")
    page.fill("textarea#runbook-parameters", "InstanceId i-0abc")
    page.fill("textarea#runbook-dynamic-parameters", "IncidentArn=INCIDENT_RECORD_ARN")
    page.fill("input#pagerduty-name", "pd-web")
    page.fill("input#pagerduty-secret", "pagerduty-token")
    page.fill("input#pagerduty-service", "PWEB123")

    # The preview follows the form; untrusted text stays text.
    preview = page.locator("#plan-preview")
    expect(preview).to_contain_text("Checkout <b>failing</b>")
    expect(preview).to_contain_text("2 · High")
    expect(preview).to_contain_text("checkout-eu")
    expect(preview).to_contain_text("team=web")
    expect(preview.locator("b")).to_have_count(0)

    # A bad line is named at its field, and nothing is sent.
    page.click("#plan-submit")
    expect(page.locator("#runbook-parameters-error")).to_have_text(re.compile(r"Line 1: .*Name=value"))
    page.fill("textarea#runbook-parameters", "InstanceId=i-0abc\nInstanceId=i-0def")
    # The server's refusal (the name is taken) is named at the name.
    page.click("#plan-submit")
    expect(page.locator("#name-error")).to_contain_text("already exists", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#runbook-parameters-error")).to_have_count(0)
    assert [p["name"] for p in incidents.list_response_plans()["responsePlanSummaries"]] == ["taken"]
    page.fill("input#name", "web-checkout")

    # As code: the CreateResponsePlan request.
    page.click("#tab-code")
    code = json.loads(page.locator("textarea#plan-code").input_value())
    assert "clientToken" not in code
    assert code["name"] == "web-checkout"
    assert code["incidentTemplate"]["notificationTargets"] == [{"snsTopicArn": ops}]
    assert code["engagements"] == [maria]
    page.click("#tab-form")
    page.click("#plan-submit")
    page.wait_for_url(re.compile(r"/plans$"), timeout=LIVE_TIMEOUT_MS)

    made = incidents.list_response_plans()["responsePlanSummaries"]
    ui_arn = next(p["arn"] for p in made if p["name"] == "web-checkout")
    ui_plan = incidents.get_response_plan(arn=ui_arn)
    t = ui_plan["incidentTemplate"]
    assert ui_plan["displayName"] == "Web checkout"
    assert t["title"] == "Checkout <b>failing</b>" and t["impact"] == 2
    assert t["summary"] == "Payments time out for EU users" and t["dedupeString"] == "checkout-eu"
    assert t["incidentTags"] == {"team": "web", "service": "checkout"}
    assert t["notificationTargets"] == [{"snsTopicArn": ops}]
    assert ui_plan["chatChannel"] == {"chatbotSns": [chat]}
    assert ui_plan["engagements"] == [maria]
    assert ui_plan["actions"] == [
        {
            "ssmAutomation": {
                "documentName": "Restart-Web",
                "documentVersion": "$LATEST",
                "roleArn": ROLE,
                "targetAccount": "RESPONSE_PLAN_OWNER_ACCOUNT",
                "parameters": {"InstanceId": ["i-0abc", "i-0def"]},
                "dynamicParameters": {"IncidentArn": {"variable": "INCIDENT_RECORD_ARN"}},
            }
        }
    ]
    assert ui_plan["integrations"] == [
        {
            "pagerDutyConfiguration": {
                "name": "pd-web",
                "secretId": "pagerduty-token",
                "pagerDutyIncidentConfiguration": {"serviceId": "PWEB123"},
            }
        }
    ]
    ui_tags = incidents.list_tags_for_resource(resourceArn=ui_arn)["tags"]
    assert ui_tags == {"owner": "sre", "cost-centre": "web"}

    # boto3 sends the "as code" JSON as it is (only the name changed) and gets the same plan.
    page.goto(f"{base}/plans/edit?arn={ui_arn}")
    expect(page.locator("input#title")).to_have_value("Checkout <b>failing</b>", timeout=LIVE_TIMEOUT_MS)
    page.click("#tab-code")
    code = json.loads(page.locator("textarea#plan-code").input_value())
    code["name"] = "web-checkout-as-code"
    code_arn = incidents.create_response_plan(**code)["arn"]
    assert comparable(incidents.get_response_plan(arn=code_arn)) == comparable(ui_plan)
    assert incidents.list_tags_for_resource(resourceArn=code_arn)["tags"] == ui_tags

    # Editing: every member came back into the form.
    page.click("#tab-form")
    expect(page.locator("input#name")).to_have_value("web-checkout")
    expect(page.locator("select#runbook-document")).to_have_value("Restart-Web")
    expect(page.locator("textarea#runbook-parameters")).to_have_value("InstanceId=i-0abc\nInstanceId=i-0def")
    expect(page.locator("fieldset#engagements input")).to_be_checked()
    expect(page.locator("fieldset#chat-channel label.check", has_text="ops-chat").locator("input")).to_be_checked()
    expect(page.locator("input#pagerduty-service")).to_have_value("PWEB123")
    expect(page.locator("textarea#tags")).to_have_value("cost-centre=web\nowner=sre")
    # An edit: impact, a plan tag removed, the runbook cleared.
    page.select_option("select#impact", "3")
    page.fill("textarea#tags", "owner=sre")
    page.select_option("select#runbook-document", "")
    for field in ("runbook-version", "runbook-role"):
        page.fill(f"input#{field}", "")
    page.select_option("select#runbook-target-account", "")
    page.fill("textarea#runbook-parameters", "")
    page.fill("textarea#runbook-dynamic-parameters", "")
    page.click("#plan-submit")
    expect(page.locator("#plan-saved")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    edited = incidents.get_response_plan(arn=ui_arn)
    assert edited["incidentTemplate"]["impact"] == 3
    assert not edited.get("actions"), edited.get("actions")
    assert edited["engagements"] == [maria]
    assert incidents.list_tags_for_resource(resourceArn=ui_arn)["tags"] == {"owner": "sre"}

    # JSON edited in the "As code" tab fills the form; bad JSON is refused with a reason.
    page.click("#tab-code")
    page.fill("textarea#plan-code", "{not json")
    page.click("#plan-code-apply")
    expect(page.locator("#plan-code-error")).to_contain_text("not a CreateResponsePlan request")
    code["name"] = "web-checkout"
    code["incidentTemplate"]["title"] = "Checkout failing (from code)"
    page.fill("textarea#plan-code", json.dumps(code))
    page.click("#plan-code-apply")
    expect(page.locator("input#title")).to_have_value("Checkout failing (from code)")
    expect(page.locator("select#runbook-document")).to_have_value("Restart-Web")
    page.screenshot(path=str(ARTIFACTS / "plan-editor.png"), full_page=True)
    assert not problems, problems


def test_a_plan_without_a_title_is_named_at_the_title(tocsin, browser, admin_credentials):
    problems: list[str] = []
    page = accepting_page(browser, "plan-editor-bad", problems, [])
    sign_in(page, tocsin.base, admin_credentials, "/plans/new")
    page.fill("input#name", "no-title")
    page.click("#plan-submit")
    expect(page.locator("#title-error")).to_have_text("Incidents need a title.")
    assert page.evaluate("document.activeElement.id") == "title"
    plans = tocsin.post_json("/listResponsePlans", {}, headers=bearer(admin_credentials))["responsePlanSummaries"]
    assert plans == []
    assert not problems, problems

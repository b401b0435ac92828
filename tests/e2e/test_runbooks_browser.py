"""Runbooks in a real browser (headless Chromium from Debian, driven by Playwright).

* An incident whose response plan starts a runbook shows it on the incident page, waiting at
  its `aws:approve` step (the step's hostile message stays text); the approver's key clicks
  Approve and the step list turns to Success live, without a reload, while a viewer's wall
  card follows the runbook's state in words; the execution page shows the steps' inputs and
  outputs. No Content-Security-Policy violation on the way.
* The document editor: a document the server refuses shows the error at the step it
  concerns; a valid one is created, gets a second version, which is made the default; a
  built-in document is read-only; a viewer gets no editing controls.

Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid

import yaml
from awsshape import aws_client
from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, _watch, create_key, sign_in

ACCOUNT = "000000000000"
APPROVER = "approver-web"
HOSTILE = "<img src=x onerror=alert(1)> Restart the web tier?"

APPROVAL_DOC = {
    "description": "Settle, ask for approval, finish.",
    "schemaVersion": "0.3",
    "parameters": {"IncidentRecordArn": {"type": "String", "description": "The incident."}},
    "mainSteps": [
        {"name": "settle", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
        {
            "name": "approve",
            "action": "aws:approve",
            "inputs": {"Approvers": [APPROVER, f"arn:aws:iam::{ACCOUNT}:user/someone-else"], "Message": HOSTILE},
        },
        {"name": "done", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
    ],
}

CSP_WATCH = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def _csp_page(context, name: str, dialogs: list, problems: list):
    page = context.new_page()
    page.add_init_script(CSP_WATCH)
    _watch(page, name, dialogs, problems)
    return page


def _incident_with_waiting_runbook(base_url, admin_credentials) -> tuple[str, str]:
    """A document with an approval step, a plan that starts it, an incident from that plan:
    (incident ARN, execution id)."""
    ssm = aws_client("ssm", base_url, admin_credentials)
    incidents = aws_client("ssm-incidents", base_url, admin_credentials)
    ssm.create_document(
        Name="approve-restart",
        Content=yaml.safe_dump(APPROVAL_DOC),
        DocumentType="Automation",
        DocumentFormat="YAML",
    )
    plan_arn = incidents.create_response_plan(
        name="web-restart",
        incidentTemplate={"title": "Web tier unhealthy", "impact": 2},
        actions=[
            {
                "ssmAutomation": {
                    "documentName": "approve-restart",
                    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/IncidentAutomation",
                    "dynamicParameters": {"IncidentRecordArn": {"variable": "INCIDENT_RECORD_ARN"}},
                }
            }
        ],
    )["arn"]
    incident_arn = incidents.start_incident(responsePlanArn=plan_arn, clientToken=str(uuid.uuid4()))[
        "incidentRecordArn"
    ]
    record = incidents.get_incident_record(arn=incident_arn)["incidentRecord"]
    [started] = record["automationExecutions"]
    return incident_arn, started["ssmExecutionArn"].rsplit("/", 1)[1]


def test_approving_a_waiting_runbook_on_the_incident_page_updates_it_live(
    tocsin, base_url, browser, admin_credentials
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    approver = create_key(tocsin, admin_credentials, APPROVER, "responder")
    viewer = create_key(tocsin, admin_credentials, "wall-viewer", "viewer")
    incident_arn, execution_id = _incident_with_waiting_runbook(base_url, admin_credentials)
    incident_path = f"/incident?arn={urllib.parse.quote(incident_arn, safe='')}"

    dialogs: list[str] = []
    problems: list[str] = []
    page = _csp_page(browser.new_context(viewport={"width": 1400, "height": 1000}), "incident", dialogs, problems)
    wall = _csp_page(browser.new_context(viewport={"width": 1600, "height": 900}), "wall", dialogs, problems)
    try:
        # A viewer's wall shows the runbook on the incident's card, waiting, in words.
        sign_in(wall, base_url, viewer, "/wall")
        expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        card_runbook = wall.locator(f'article.incident-card li.card-runbook[data-id="{execution_id}"]')
        expect(card_runbook).to_have_attribute("data-status", "Waiting", timeout=LIVE_TIMEOUT_MS)
        expect(card_runbook).to_contain_text("approve-restart")
        expect(card_runbook.locator(".card-runbook-state")).to_have_text("Waiting for input")
        expect(card_runbook).to_have_class(re.compile(r"\brun-waiting\b"))
        wall.evaluate("window.__tocsinNoReload = 'still here'")

        # The approver opens the incident: the runbook waits at its approval step.
        sign_in(page, base_url, approver, "/wall")
        page.goto(f"{base_url}{incident_path}")
        expect(page.locator("#incident-title")).to_have_text("Web tier unhealthy", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        execution = page.locator(f'#runbooks article.execution[data-id="{execution_id}"]')
        expect(execution).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(execution.locator(".execution-link")).to_have_text("approve-restart")
        expect(execution.locator(".execution-status")).to_have_text("Waiting for input", timeout=LIVE_TIMEOUT_MS)
        approve_step = execution.locator('li.step[data-step="approve"]')
        expect(approve_step).to_have_attribute("data-status", "Waiting")
        expect(approve_step.locator(".step-status")).to_have_text("Waiting for input")
        expect(execution.locator('li.step[data-step="settle"]')).to_have_attribute("data-status", "Success")
        expect(execution.locator('li.step[data-step="done"]')).to_have_count(0)

        waiting = execution.locator(".waiting-approval")
        expect(waiting).to_be_visible()
        expect(waiting.locator(".waiting-step")).to_have_text("approve")
        # The step's message is untrusted text: shown as text, never as markup.
        expect(waiting.locator(".approval-message")).to_have_text(HOSTILE)
        assert page.locator("img[src='x']").count() == 0
        expect(waiting.locator(".approvers")).to_contain_text(APPROVER)
        expect(waiting.locator(".not-approver")).to_have_count(0)
        expect(execution.locator("button.next-step")).to_have_count(0)
        expect(execution.locator("button.stop")).to_be_visible()
        page.evaluate("window.__tocsinNoReload = 'still here'")
        page.screenshot(path=str(ARTIFACTS / "runbook-waiting.png"), full_page=True)

        # Approve with a comment: the steps move on live, without a reload.
        waiting.locator("textarea.approval-comment").fill("go ahead")
        waiting.locator("button.approve").click()
        expect(approve_step).to_have_attribute("data-status", "Success", timeout=LIVE_TIMEOUT_MS)
        expect(approve_step.locator(".step-status")).to_have_text("Succeeded")
        expect(execution.locator('li.step[data-step="done"]')).to_have_attribute(
            "data-status", "Success", timeout=LIVE_TIMEOUT_MS
        )
        expect(execution.locator(".execution-status")).to_have_text("Succeeded", timeout=LIVE_TIMEOUT_MS)
        expect(execution.locator(".waiting-approval")).to_have_count(0)
        expect(execution.locator("button.stop")).to_have_count(0)
        expect(execution.locator(".error")).to_have_count(0)
        assert page.evaluate("window.__tocsinNoReload") == "still here", "the incident page reloaded"

        # The wall card followed, in words and colour, without a reload.
        expect(card_runbook).to_have_attribute("data-status", "Success", timeout=LIVE_TIMEOUT_MS)
        expect(card_runbook.locator(".card-runbook-state")).to_have_text("Succeeded")
        expect(card_runbook).to_have_class(re.compile(r"\brun-succeeded\b"))
        assert wall.evaluate("window.__tocsinNoReload") == "still here", "the wall reloaded"

        # The server agrees, and recorded who approved.
        ssm = aws_client("ssm", base_url, admin_credentials)
        done = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
        assert done["AutomationExecutionStatus"] == "Success", done
        approval = next(s for s in done["StepExecutions"] if s["StepName"] == "approve")
        assert approval["Outputs"]["ApprovalStatus"] == ["Approved"], approval

        # The execution page: status, parameters, and each step's inputs and outputs.
        execution.locator(".execution-link").click()
        page.wait_for_url(re.compile(r"/runbooks/execution\?id=" + re.escape(execution_id) + "$"))
        expect(page.locator(".execution-page .execution-status")).to_have_text("Succeeded", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#execution-document")).to_have_text("approve-restart")
        expect(page.locator("#execution-incident")).to_have_text(incident_arn)
        expect(page.locator("#execution-parameters")).to_contain_text(incident_arn)
        steps = page.locator("ol.steps li.step")
        expect(steps).to_have_count(3)
        detail = page.locator('ol.steps li.step[data-step="approve"]')
        expect(detail.locator(".step-inputs")).to_contain_text(APPROVER)
        expect(detail.locator(".step-inputs")).to_contain_text(HOSTILE)
        expect(detail.locator(".step-outputs")).to_contain_text("Approved")
        assert page.locator("img[src='x']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "runbook-execution.png"), full_page=True)

        # The Runbooks page lists the document and the execution.
        page.click("nav a[href='/runbooks']")
        expect(page.locator('#document-list tr.document-row[data-name="approve-restart"]')).to_have_count(
            1, timeout=LIVE_TIMEOUT_MS
        )
        row = page.locator(f'#execution-list tr.execution-row[data-id="{execution_id}"]')
        expect(row.locator(".run-state")).to_have_text("Succeeded", timeout=LIVE_TIMEOUT_MS)

        violations = page.evaluate("window.__cspViolations") + wall.evaluate("window.__cspViolations")
        assert violations == [], violations
        assert not [p for p in problems if "Content Security Policy" in p or "pageerror" in p], problems
        assert dialogs == [], dialogs
    finally:
        page.screenshot(path=str(ARTIFACTS / "runbook-incident.png"), full_page=True)
        wall.screenshot(path=str(ARTIFACTS / "runbook-wall.png"), full_page=True)
        if problems:
            print("browser console problems:\n  " + "\n  ".join(problems))


def test_a_responder_who_is_not_an_approver_is_told_and_can_resume_a_pause(
    tocsin, base_url, browser, admin_credentials
):
    outsider = create_key(tocsin, admin_credentials, "night-responder", "responder")
    incident_arn, execution_id = _incident_with_waiting_runbook(base_url, admin_credentials)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        sign_in(page, base_url, outsider, "/wall")
        page.goto(f"{base_url}/incident?arn={urllib.parse.quote(incident_arn, safe='')}")
        execution = page.locator(f'article.execution[data-id="{execution_id}"]')
        waiting = execution.locator(".waiting-approval")
        expect(waiting).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(waiting.locator(".not-approver")).to_be_visible()
        waiting.locator("button.approve").click()
        expect(page.locator(f"#signal-error-{execution_id}")).to_contain_text(
            "is not an approver", timeout=LIVE_TIMEOUT_MS
        )
        expect(execution.locator('li.step[data-step="approve"]')).to_have_attribute("data-status", "Waiting")

        # "Start runbook" from the incident: a pause document, IncidentRecordArn prefilled.
        ssm = aws_client("ssm", base_url, admin_credentials)
        pause_doc = {
            "schemaVersion": "0.3",
            "parameters": {
                "IncidentRecordArn": {"type": "String"},
                "Hosts": {"type": "StringList", "default": ["web-1"]},
            },
            "mainSteps": [
                {"name": "hold", "action": "aws:pause", "inputs": {}},
                {"name": "after", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
            ],
        }
        ssm.create_document(Name="hold-then-go", Content=json.dumps(pause_doc), DocumentType="Automation")
        page.click("button#start-runbook-toggle")
        page.wait_for_function(
            "() => [...document.querySelectorAll('select#runbook-document option')].some(o => o.value === 'hold-then-go')",
            timeout=LIVE_TIMEOUT_MS,
        )
        page.select_option("select#runbook-document", "hold-then-go")
        expect(page.locator("input#param-IncidentRecordArn")).to_have_value(incident_arn, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("textarea#param-Hosts")).to_have_value("web-1")
        page.fill("textarea#param-Hosts", "web-1, web-2")
        page.click("button#start-runbook-submit")
        expect(page.locator("#runbook-started")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        started_id = page.locator("#runbook-started a").text_content().strip()
        started = ssm.get_automation_execution(AutomationExecutionId=started_id)["AutomationExecution"]
        assert started["Parameters"]["IncidentRecordArn"] == [incident_arn]
        assert started["Parameters"]["Hosts"] == ["web-1", "web-2"]

        paused = page.locator(f'article.execution[data-id="{started_id}"]')
        expect(paused.locator(".waiting-pause .waiting-step")).to_have_text("hold", timeout=LIVE_TIMEOUT_MS)
        paused.locator("button.next-step").click()
        expect(paused.locator('li.step[data-step="after"]')).to_have_attribute(
            "data-status", "Success", timeout=LIVE_TIMEOUT_MS
        )
        expect(paused.locator(".execution-status")).to_have_text("Succeeded", timeout=LIVE_TIMEOUT_MS)
    finally:
        page.screenshot(path=str(ARTIFACTS / "runbook-not-approver.png"), full_page=True)


def test_the_editor_shows_errors_at_their_step_and_manages_versions(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    dialogs: list[str] = []
    problems: list[str] = []
    _watch(page, "editor", dialogs, problems)
    try:
        sign_in(page, base_url, admin_credentials, "/runbooks")
        page.click("a#new-runbook")
        expect(page.locator("textarea#doc-content")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        page.fill("input#doc-name", "ask-first")
        invalid = (
            "schemaVersion: '0.3'\n"
            "mainSteps:\n"
            "- name: hold\n"
            "  action: aws:pause\n"
            "  inputs: {}\n"
            "- name: ask\n"
            "  action: aws:approve\n"
            "  inputs: {}\n"
        )
        page.fill("textarea#doc-content", invalid)
        expect(page.locator("#doc-steps li.doc-step")).to_have_count(2)
        page.click("button#doc-save")
        bad = page.locator('#doc-steps li.doc-step[data-step="ask"]')
        expect(bad).to_have_class(re.compile(r"\bstep-invalid\b"), timeout=LIVE_TIMEOUT_MS)
        expect(bad.locator(".step-error")).to_contain_text("Step ask")
        expect(page.locator('#doc-steps li.doc-step[data-step="hold"] .step-error')).to_have_count(0)
        expect(page.locator("#doc-save-error")).to_contain_text("step ask")
        page.screenshot(path=str(ARTIFACTS / "runbook-editor-error.png"), full_page=True)

        # Fixed, it is created and the page moves to it.
        fixed = invalid.replace("  action: aws:approve\n  inputs: {}\n", "  action: aws:approve\n  inputs: {Approvers: [someone]}\n")
        assert fixed != invalid
        page.fill("textarea#doc-content", fixed)
        page.click("button#doc-save")
        page.wait_for_url(re.compile(r"/runbooks/edit\?name=ask-first$"), timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#doc-latest-version")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#version-list tr.version-row")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)

        # A second version, as JSON; then it is made the default.
        page.select_option("select#doc-format", "JSON")
        page.fill(
            "textarea#doc-content",
            '{"schemaVersion": "0.3", "description": "v2", "mainSteps": [{"name": "hold", "action": "aws:pause", "inputs": {}}]}',
        )
        page.fill("input#doc-version-name", "second")
        page.click("button#doc-save")
        expect(page.locator("#doc-saved")).to_contain_text("version 2", timeout=LIVE_TIMEOUT_MS)
        v2 = page.locator('#version-list tr.version-row[data-version="2"]')
        expect(v2).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(v2.locator(".version-number")).to_have_text("2 (second)")
        expect(page.locator("#doc-default-version")).to_have_text("1")
        v2.locator("button.make-default").click()
        expect(page.locator("#doc-default-version")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
        expect(v2.locator(".tag-default")).to_have_text("default", timeout=LIVE_TIMEOUT_MS)
        ssm = aws_client("ssm", base_url, admin_credentials)
        assert ssm.describe_document(Name="ask-first")["Document"]["DefaultVersion"] == "2"

        # Opening version 1 shows its text.
        page.locator('#version-list tr.version-row[data-version="1"] button.open-version').click()
        expect(page.locator("textarea#doc-content")).to_have_value(re.compile(r"Approvers"), timeout=LIVE_TIMEOUT_MS)

        # A built-in document is read-only.
        page.goto(f"{base_url}/runbooks/edit?name=AWSIncidents-CriticalIncidentRunbookTemplate")
        expect(page.locator("#doc-read-only")).to_contain_text("read only", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("textarea#doc-content")).to_have_attribute("readonly", "")
        expect(page.locator("#doc-steps li.doc-step")).to_have_count(4, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("button#doc-save")).to_have_count(0)
        expect(page.locator("button.make-default")).to_have_count(0)
        assert not [p for p in problems if "pageerror" in p], problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "runbook-editor.png"), full_page=True)

    # A viewer reads runbooks but gets no editing controls.
    viewer = create_key(tocsin, admin_credentials, "reader", "viewer")
    page = browser.new_context().new_page()
    sign_in(page, base_url, viewer, "/runbooks")
    expect(page.locator('#document-list tr.document-row[data-name="ask-first"]')).to_have_count(
        1, timeout=LIVE_TIMEOUT_MS
    )
    expect(page.locator("#new-runbook")).to_have_count(0)
    page.goto(f"{base_url}/runbooks/edit?name=ask-first")
    expect(page.locator("#doc-read-only")).to_contain_text("role viewer", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("button#doc-save")).to_have_count(0)
    expect(page.locator("button.make-default")).to_have_count(0)
    page.goto(f"{base_url}/runbooks/new")
    expect(page.locator("#runbook-denied")).to_contain_text("role viewer", timeout=LIVE_TIMEOUT_MS)

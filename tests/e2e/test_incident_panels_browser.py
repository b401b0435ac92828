"""The incident page's notes, related items, tags and findings panels in a real browser
(headless Chromium from Debian, driven by Playwright), checked against boto3.

* A responder writes a note (hostile text stays text), edits it and deletes it from the
  page; boto3's `list_timeline_events`/`get_timeline_event` see each step.
* The responder attaches one related item of every `ItemType`, covering every kind of value
  (arn, url, metricDefinition, pagerDutyIncidentDetail), and removes them again; boto3's
  `list_related_items` sees each. A `javascript:` URL attached through boto3 shows as text,
  never a link; an https one is a link with `target=_blank rel="noopener noreferrer"`.
* Tags added and removed on the page are what `list_tags_for_resource` answers.
* A CodeDeploy deployment put on the bus, of a deployment group that is one of the
  incident's related resources, shows in the findings panel, and the event in its recent
  changes, without a reload.
* A viewer sees notes, related items and tags, and no control that changes them.

Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import time
import urllib.parse
import uuid
from pathlib import Path

from awsshape import aws_client
from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, create_key, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"
ITEM_TYPES = ["ANALYSIS", "INCIDENT", "METRIC", "PARENT", "ATTACHMENT", "OTHER", "AUTOMATION", "INVOLVED_RESOURCE", "TASK"]
KINDS = ["arn", "url", "metricDefinition", "pagerDutyIncidentDetail"]
HOSTILE_NOTE = "<img src=x onerror=alert(1)> rolled back v42\nsecond line"


def _incident(incidents, title: str) -> str:
    plan = incidents.create_response_plan(
        name=f"plan-{uuid.uuid4().hex[:8]}", incidentTemplate={"title": title, "impact": 2}
    )["arn"]
    return incidents.start_incident(responsePlanArn=plan, clientToken=str(uuid.uuid4()))["incidentRecordArn"]


def _open_incident(page, base_url: str, credentials, arn: str, title: str) -> None:
    sign_in(page, base_url, credentials, "/wall")
    page.goto(f"{base_url}/incident?arn={urllib.parse.quote(arn, safe='')}")
    expect(page.locator("#incident-title")).to_have_text(title, timeout=LIVE_TIMEOUT_MS)


def _notes(incidents, arn: str) -> list[dict]:
    notes = {"key": "eventType", "condition": {"equals": {"stringValues": ["Note"]}}}
    summaries = incidents.list_timeline_events(incidentRecordArn=arn, filters=[notes])["eventSummaries"]
    return [incidents.get_timeline_event(incidentRecordArn=arn, eventId=s["eventId"])["event"] for s in summaries]


def _value(kind: str, i: int) -> tuple[str, dict]:
    """What the form's value field gets for one kind, and the `value` boto3 then lists."""
    if kind == "arn":
        text = f"arn:aws:ec2:us-east-1:123456789012:instance/i-{i:04d}"
        return text, {"arn": text}
    if kind == "url":
        text = f"https://dashboards.example.com/d/{i}?from=now-1h"
        return text, {"url": text}
    if kind == "metricDefinition":
        text = json.dumps({"namespace": "AWS/ELB", "metric": f"Latency{i}"})
        return text, {"metricDefinition": text}
    text = f"PD{i:04d}"
    return text, {"pagerDutyIncidentDetail": {"id": text}}


def _stamp(minutes_ago: float) -> str:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return (now - dt.timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")


def test_notes_related_items_tags_and_findings_from_the_incident_page(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    responder = create_key(tocsin, admin_credentials, "ines", "responder")
    incidents = aws_client("ssm-incidents", base_url, admin_credentials)
    events = aws_client("events", base_url, admin_credentials)
    title = "Checkout latency"
    arn = _incident(incidents, title)
    problems: list[str] = []
    dialogs: list[str] = []
    page = accepting_page(browser, "incident", problems, dialogs)
    try:
        _open_incident(page, base_url, responder, arn, title)
        expect(page.locator("#no-notes")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # --- Notes: create, edit, delete; boto3 sees each step. -------------------------
        page.fill("textarea#note-text", HOSTILE_NOTE)
        page.click("button#note-submit")
        note = page.locator("li.incident-note")
        expect(note).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(note.locator(".note-text")).to_have_text(HOSTILE_NOTE)
        expect(page.locator("textarea#note-text")).to_have_value("")
        assert page.locator("#notes img").count() == 0, page.locator("#notes").inner_html()
        [stored] = _notes(incidents, arn)
        assert stored["eventType"] == "Note"
        assert json.loads(stored["eventData"]) == {"content": HOSTILE_NOTE.strip()}, stored
        assert stored["eventReferences"] == [{"resource": arn}], stored
        expect(note).to_have_attribute("data-event-id", stored["eventId"])
        # The note is on the timeline too.
        expect(page.locator(f'#timeline li[data-event-id="{stored["eventId"]}"]')).to_have_count(1)

        note.locator("button.note-edit").click()
        edit = note.locator("textarea.note-edit-text")
        expect(edit).to_have_value(HOSTILE_NOTE.strip())
        edit.fill("Rolled back v42 and v43")
        note.locator("button.note-save").click()
        expect(note.locator(".note-text")).to_have_text("Rolled back v42 and v43", timeout=LIVE_TIMEOUT_MS)
        expect(note.locator("textarea.note-edit-text")).to_have_count(0)
        [edited] = _notes(incidents, arn)
        assert edited["eventId"] == stored["eventId"]
        assert json.loads(edited["eventData"]) == {"content": "Rolled back v42 and v43"}

        # An empty edit is refused by the form, not sent.
        note.locator("button.note-edit").click()
        note.locator("textarea.note-edit-text").fill("   ")
        note.locator("button.note-save").click()
        expect(note.locator(".note-edit-error")).to_contain_text("Write something")
        note.locator("button.note-cancel").click()

        note.locator("button.note-delete").click()
        expect(page.locator("li.incident-note")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#no-notes")).to_be_visible()
        assert _notes(incidents, arn) == []
        assert any("Delete this note?" in d for d in dialogs), dialogs

        # --- Related items: every ItemType, every kind of value, added and removed. -------
        expected = []
        for i, item_type in enumerate(ITEM_TYPES):
            kind = KINDS[i % len(KINDS)]
            text, value = _value(kind, i)
            page.select_option("select#related-type", item_type)
            page.select_option("select#related-kind", kind)
            page.fill("input#related-value", text)
            page.fill("input#related-item-title", f"{item_type} item")
            page.click("button#related-submit")
            row = page.locator(f'li.related-item[data-type="{item_type}"]')
            expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
            expect(row).to_have_attribute("data-kind", kind)
            expect(row.locator(".related-name")).to_have_text(f"{item_type} item")
            expect(page.locator("input#related-value")).to_have_value("")
            expected.append({"type": item_type, "value": value})
        listed = incidents.list_related_items(incidentRecordArn=arn)["relatedItems"]
        got = [i["identifier"] for i in listed]
        for identifier in expected:
            assert identifier in got, (identifier, got)
        assert len(got) == len(ITEM_TYPES), got
        assert {i["title"] for i in listed} == {f"{t} item" for t in ITEM_TYPES}
        # Only the https URLs are links (and they open safely).
        for row in page.locator("li.related-item[data-kind='url'] a.related-link").all():
            assert row.get_attribute("target") == "_blank"
            assert row.get_attribute("rel") == "noopener noreferrer"
        expect(page.locator("li.related-item[data-kind='pagerDutyIncidentDetail'] .related-value").first).to_contain_text(
            "PagerDuty incident PD"
        )

        for item_type in ITEM_TYPES:
            page.locator(f'li.related-item[data-type="{item_type}"] button.related-remove').click()
            expect(page.locator(f'li.related-item[data-type="{item_type}"]')).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#no-related-items")).to_be_visible()
        assert incidents.list_related_items(incidentRecordArn=arn)["relatedItems"] == []

        # A hostile URL from another client is text; an https one a safe link.
        evil = "javascript:alert(document.domain)"
        safe = "https://runbooks.example.com/checkout?step=1"
        incidents.update_related_items(
            incidentRecordArn=arn,
            relatedItemsUpdate={"itemToAdd": {"identifier": {"type": "OTHER", "value": {"url": evil}}, "title": "evil"}},
        )
        incidents.update_related_items(
            incidentRecordArn=arn,
            relatedItemsUpdate={"itemToAdd": {"identifier": {"type": "ATTACHMENT", "value": {"url": safe}}, "title": "runbook"}},
        )
        evil_row = page.locator('li.related-item[data-type="OTHER"]')
        expect(evil_row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(evil_row.locator(".related-value")).to_have_text(evil)
        assert evil_row.locator("a").count() == 0, evil_row.inner_html()
        assert page.locator('a[href^="javascript:" i]').count() == 0
        link = page.locator('li.related-item[data-type="ATTACHMENT"] a.related-link')
        expect(link).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(link).to_have_attribute("href", safe)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(link).to_have_text(safe)

        # --- Tags: added and removed on the page, as boto3 lists them. -----------------------
        expect(page.locator("#no-tags")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        for key, value in (("team", "payments"), ("severity", "high")):
            page.fill("input#tag-key", key)
            page.fill("input#tag-value", value)
            page.click("button#tag-submit")
            expect(page.locator(f'li.tag[data-key="{key}"] .tag-value')).to_have_text(value, timeout=LIVE_TIMEOUT_MS)
        assert incidents.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "payments", "severity": "high"}
        page.locator('li.tag[data-key="team"] button.tag-remove').click()
        expect(page.locator('li.tag[data-key="team"]')).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        assert incidents.list_tags_for_resource(resourceArn=arn)["tags"] == {"severity": "high"}

        # Changes made by another client follow live (relatedItemRemoved, tagsChanged).
        incidents.tag_resource(resourceArn=arn, tags={"owner": "sre"})
        expect(page.locator('li.tag[data-key="owner"] .tag-value')).to_have_text("sre", timeout=LIVE_TIMEOUT_MS)
        incidents.untag_resource(resourceArn=arn, tagKeys=["owner"])
        expect(page.locator('li.tag[data-key="owner"]')).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        incidents.update_related_items(
            incidentRecordArn=arn,
            relatedItemsUpdate={"itemToRemove": {"type": "OTHER", "value": {"url": evil}}},
        )
        expect(page.locator('li.related-item[data-type="OTHER"]')).to_have_count(0, timeout=LIVE_TIMEOUT_MS)

        # --- Findings: a deployment of one of the incident's resources, live. ---------------
        expect(page.locator("#no-findings")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        deploy = json.loads((EXAMPLES / "codedeploy-deployment-state-change.json").read_text())
        group = deploy["resources"][1]
        incidents.update_related_items(
            incidentRecordArn=arn,
            relatedItemsUpdate={"itemToAdd": {"identifier": {"type": "INVOLVED_RESOURCE", "value": {"arn": group}}}},
        )
        expect(page.locator('li.related-item[data-type="INVOLVED_RESOURCE"]')).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        start, success = copy.deepcopy(deploy), copy.deepcopy(deploy)
        start["detail"]["state"], start["time"] = "START", _stamp(3)
        success["time"] = _stamp(1)
        entries = [
            {"Source": e["source"], "DetailType": e["detail-type"], "Detail": json.dumps(e["detail"]),
             "Resources": e["resources"], "Time": e["time"]}
            for e in (start, success)
        ]
        assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
        finding = page.locator('li.finding[data-id="d-123456789"]')
        expect(finding).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(finding).to_have_attribute("data-kind", "codeDeployDeployment")
        expect(finding.locator(".finding-subject")).to_contain_text(group)
        expect(finding.locator(".finding-time")).not_to_contain_text("in progress")
        [listed_finding] = incidents.list_incident_findings(incidentRecordArn=arn)["findings"]
        assert listed_finding["id"] == "d-123456789"
        changes = page.locator("tr.recent-change")
        expect(changes).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator('tr.recent-change[data-involved="yes"]')).to_have_count(2)
        expect(changes.first.locator(".change-source")).to_have_text("aws.codedeploy")

        page.wait_for_timeout(300)  # a would-be onerror handler's moment
        assert not [d for d in dialogs if d.startswith("incident: alert")], dialogs
        assert problems == [], problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "incident-panels.png"), full_page=True)


def test_a_viewer_sees_the_panels_without_controls(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewer = create_key(tocsin, admin_credentials, "wallboard", "viewer")
    incidents = aws_client("ssm-incidents", base_url, admin_credentials)
    title = "Search is slow"
    arn = _incident(incidents, title)
    incidents.create_timeline_event(
        incidentRecordArn=arn, eventTime=time.time(), eventType="Note", eventData=json.dumps({"text": "from boto3"})
    )
    incidents.update_related_items(
        incidentRecordArn=arn,
        relatedItemsUpdate={"itemToAdd": {"identifier": {"type": "METRIC", "value": {"url": "https://grafana.example.com/d/1"}}}},
    )
    incidents.tag_resource(resourceArn=arn, tags={"team": "search"})
    problems: list[str] = []
    dialogs: list[str] = []
    page = accepting_page(browser, "viewer", problems, dialogs)
    try:
        _open_incident(page, base_url, viewer, arn, title)
        expect(page.locator("li.incident-note .note-text")).to_have_text("from boto3", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator('li.related-item[data-type="METRIC"] a.related-link')).to_have_count(1)
        expect(page.locator('li.tag[data-key="team"] .tag-value')).to_have_text("search", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#findings")).to_be_visible()
        for control in (
            "#note-form", "button.note-edit", "button.note-delete",
            "#related-form", "button.related-remove",
            "#tag-form", "button.tag-remove",
        ):
            expect(page.locator(control)).to_have_count(0)
        assert problems == [], problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "incident-panels-viewer.png"), full_page=True)

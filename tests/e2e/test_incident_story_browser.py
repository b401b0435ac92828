"""The incident page reads like a story (headless Chromium): every timeline event type is a
sentence with who acted, the local time and how long ago; no raw JSON shows until a
"Details" toggle is opened; a note reads as a quote and its markup stays text; the page fits
a 390-px phone without sideways scrolling."""

from __future__ import annotations

import json
import re
import time
import urllib.parse

from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, bearer, create_plan, sign_in, start_incident

USER = "arn:aws:iam::000000000000:user/maria"

# (eventType, eventData, words the sentence must contain) for each kind Tocsin writes that
# this test does not cause for real, a note and a client's custom entry.
ENTRIES = [
    ("Trigger Deduplicated", {"source": "aws.cloudwatch", "count": 3, "dedupeString": "d"}, "3 triggers from aws.cloudwatch merged"),
    ("SSM Automation Execution Started", {"automationExecutionId": "e1", "documentName": "RestartWeb", "documentVersion": "2"}, "Runbook RestartWeb (version 2) started"),
    ("SSM Automation Execution Start Failure for Incident", {"documentName": "Gone", "reason": "no such document"}, "Runbook Gone could not start: no such document"),
    ("SSM Automation Execution Waiting", {"automationExecutionId": "e1", "stepName": "approve", "action": "aws:approve", "message": "Restart?"}, "Runbook step approve waits for approval: Restart?"),
    ("SSM Automation Execution Ended", {"automationExecutionId": "e1", "status": "Success"}, "Runbook finished successfully"),
    ("Engagement Started", {"engagementArn": "arn:aws:ssm-contacts:us-east-1:000000000000:engagement/x", "alias": "oncall"}, "Engaged oncall"),
    ("Page Sent", {"pageArn": "arn:aws:ssm-contacts:us-east-1:000000000000:page/x", "alias": "maria", "stage": 1}, "Paged maria (stage 1)"),
    ("Page Accepted", {"alias": "maria", "acceptType": "READ", "note": "on it"}, "maria accepted the page"),
    ("Engagement Escalated", {"stage": 2}, "Escalated to stage 2"),
    ("Engagement Stopped", {"reason": "incident acknowledged"}, "Engagement stopped: incident acknowledged"),
    ("Incident Acknowledged", {"by": USER, "name": "Maria", "note": "looking", "until": None}, "Acknowledged by Maria"),
    ("Acknowledgement Lapsed", {"by": USER, "name": "Maria"}, "Maria's acknowledgement lapsed"),
    ("Alerts Resolved", {"receiver": "prod-am", "sources": ["a"], "reason": "every alert was resolved at its source"}, "Resolved itself"),
    ("Alertmanager Silence", {"alertmanager": "http://am:9093", "silenceId": "s1", "action": "created"}, "Silence s1 created in http://am:9093"),
    ("Note", {"content": "<b>Rolled back</b> 4.2"}, "<b>Rolled back</b> 4.2"),
    ("Custom Event", {"summary": "Failover done", "region": "eu-west-1"}, "Custom Event: Failover done"),
]


def test_every_timeline_entry_is_a_sentence_and_the_page_fits_a_phone(tocsin, browser, admin_credentials):
    plan = create_plan(tocsin, admin_credentials)
    arn = start_incident(tocsin, admin_credentials, plan, "Checkout failing")
    auth = bearer(admin_credentials)
    for i, (kind, data, _) in enumerate(ENTRIES):
        tocsin.post_json(
            "/createTimelineEvent",
            {"incidentRecordArn": arn, "eventTime": time.time() + i, "eventType": kind, "eventData": json.dumps(data)},
            headers=auth,
        )
    tocsin.post_json("/updateIncidentRecord", {"arn": arn, "impact": 2, "summary": "EU only"}, headers=auth)
    tocsin.post_json("/updateIncidentRecord", {"arn": arn, "status": "RESOLVED"}, headers=auth)
    expected = [
        "Incident started by hand: \u201cCheckout failing\u201d",
        *[words for _, _, words in ENTRIES],
        "impact from 1 (Critical) to 2 (High)",
        "Changed the status to resolved",
        "Incident resolved",
    ]

    problems: list[str] = []
    page = accepting_page(browser, "story", problems, [], width=1280)
    sign_in(page, tocsin.base, admin_credentials, "/incidents")
    page.goto(f"{tocsin.base}/incident?arn={urllib.parse.quote(arn, safe='')}")
    entries = page.locator("#timeline li.timeline-event")
    # Created, the entries above, the update, the status change and the resolution.
    expect(entries).to_have_count(len(ENTRIES) + 4, timeout=LIVE_TIMEOUT_MS)
    sentences = entries.locator(".timeline-sentence").all_inner_texts()
    for words in expected:
        assert any(words in s for s in sentences), (words, sentences)
    # No raw JSON on view: the visible text of every entry (details closed) has none.
    for i in range(entries.count()):
        entry = entries.nth(i)
        visible = entry.inner_text()
        assert '{"' not in visible and '":' not in visible, visible
        expect(entry.locator("pre.event-data")).to_be_hidden()
        expect(entry.locator(".timeline-time")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"))
        expect(entry.locator(".timeline-ago")).to_have_text(re.compile(r" ago$"))
    # Who acted, where the entry says.
    acknowledged = entries.filter(has_text="Acknowledged by Maria")
    expect(acknowledged.locator(".timeline-actor")).to_have_text("Maria")
    resolved = entries.filter(has_text="Incident resolved")
    expect(resolved.locator(".timeline-actor")).not_to_have_text("")
    # A note is a quote, its markup text.
    note = entries.filter(has=page.locator("q"))
    expect(note.locator("q")).to_have_text("<b>Rolled back</b> 4.2")
    assert note.locator("b").count() == 0
    # The raw data is one click away.
    first = entries.filter(has_text="Incident started by hand")
    first.locator("details summary").click()
    expect(first.locator("pre.event-data")).to_be_visible()
    expect(first.locator("pre.event-data")).to_contain_text('"title"')
    page.screenshot(path=str(ARTIFACTS / "incident-story.png"), full_page=True)

    # On a phone the page fits the width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(ARTIFACTS / "incident-story-phone.png"), full_page=True)
    assert overflow <= 0, f"the incident page scrolls sideways by {overflow}px at 390 px"
    assert not problems, problems


def test_the_walls_recent_activity_comes_from_history_on_load(tocsin, browser, admin_credentials):
    plan = create_plan(tocsin, admin_credentials)
    first = start_incident(tocsin, admin_credentials, plan, "Checkout failing")
    start_incident(tocsin, admin_credentials, plan, "Search slow")
    tocsin.post_json(
        "/createTimelineEvent",
        {"incidentRecordArn": first, "eventTime": time.time(), "eventType": "Note",
         "eventData": json.dumps({"content": "Rolled back 4.2"})},
        headers=bearer(admin_credentials),
    )
    problems: list[str] = []
    page = accepting_page(browser, "wall", problems, [], width=1600)
    sign_in(page, tocsin.base, admin_credentials, "/wall")
    expect(page.locator("article.incident-card")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    # Right after load, nothing having happened since: the entries from history.
    items = page.locator(".ticker li")
    expect(items).to_have_count(3)
    texts = items.all_inner_texts()
    assert "Rolled back 4.2" in texts[0] and "Checkout failing" in texts[0], texts
    assert sum("Incident started by hand" in t for t in texts) == 2, texts
    assert not any('{"' in t for t in texts), texts
    # Each card ends with the same kind of sentence and its age.
    latest = page.locator("article.incident-card .latest").all_inner_texts()
    assert any(t.startswith("Rolled back 4.2 · ") and t.endswith(" ago") for t in latest), latest
    assert not problems, problems

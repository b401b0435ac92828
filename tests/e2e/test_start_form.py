"""The "Start incident" form in Chromium: the chosen plan's defaults shown before starting;
title, impact and summary overrides; involved resources and related items; the new
incident's page opens; a double submit opens one incident; a bad related item is refused
with its row named and nothing opened."""

from __future__ import annotations

import pytest
import re
import time
import urllib.parse

from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, bearer, get_json, sign_in

RESOURCE = "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"
STATUS_URL = "https://status.example.com/incidents/42"


def incidents(tocsin, credentials) -> list[dict]:
    return tocsin.post_json("/listIncidentRecords", {}, headers=bearer(credentials))["incidentRecordSummaries"]


@pytest.mark.postgres_too
def test_the_start_form_opens_one_incident_with_every_override(tocsin, browser, admin_credentials):
    plan_arn = tocsin.post_json(
        "/createResponsePlan",
        {
            "name": "checkout",
            "displayName": "Checkout",
            "incidentTemplate": {"title": "Checkout failing", "impact": 2, "summary": "The plan's summary"},
        },
        headers=bearer(admin_credentials),
    )["arn"]
    problems: list[str] = []
    page = accepting_page(browser, "start", problems, [])
    sign_in(page, tocsin.base, admin_credentials, "/start")

    preview = page.locator("#plan-preview")
    expect(preview).to_contain_text("Checkout failing", timeout=LIVE_TIMEOUT_MS)
    expect(preview).to_contain_text("2 · High")
    expect(preview).to_contain_text("The plan's summary")
    expect(preview).to_contain_text("Every start opens a new incident")

    # A related item with a title but no value is refused, naming its row; nothing opens.
    page.click("#add-related-item")
    page.locator(".related-row").nth(0).locator(".related-title").fill("Status page")
    page.click("#start-submit")
    expect(page.locator("#start-error")).to_have_text(re.compile(r"Related item 1: A value is required\."))
    assert incidents(tocsin, admin_credentials) == []

    page.fill("input#title", "Checkout failing in eu-west-1")
    page.select_option("select#impact", "1")
    page.fill("textarea#summary", "Payments time out <b>for EU users</b>")
    page.locator(".related-row").nth(0).locator(".related-value").fill(STATUS_URL)
    page.click("#add-involved-resource")
    involved = page.locator(".related-row").nth(1)
    expect(involved.locator(".related-type")).to_have_value("INVOLVED_RESOURCE")
    involved.locator(".related-value").fill(RESOURCE)

    # Two submissions in the same instant (a double click before the button disables).
    page.evaluate("() => { const f = document.querySelector('#start-form'); f.requestSubmit(); f.requestSubmit(); }")
    page.wait_for_url(re.compile(r"/incident\?arn="), timeout=LIVE_TIMEOUT_MS)
    arn = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["arn"][0]
    expect(page.locator("#incident-title")).to_have_text("Checkout failing in eu-west-1", timeout=LIVE_TIMEOUT_MS)
    # The incident page lists them grouped by type, involved resources first.
    groups = page.locator("#related-items section.related-group")
    expect(groups).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    assert groups.locator("h3").all_inner_texts() == ["Involved resources", "Other links"]
    expect(groups.nth(0).locator("li.related-item")).to_contain_text(RESOURCE)
    page.screenshot(path=str(ARTIFACTS / "start-form-opened.png"), full_page=True)

    opened = incidents(tocsin, admin_credentials)
    assert [i["arn"] for i in opened] == [arn], opened
    # Both submissions reached the server (the test would pass vacuously otherwise): one
    # opened the incident, the other replayed it by its client token.
    # The second (the replay) may still be on its way when the page shows the incident: it
    # waits for the first one's commit, which on a loaded machine can take a while.
    deadline = time.monotonic() + LIVE_TIMEOUT_MS / 1000
    while True:
        started = get_json(tocsin.base, "/v1/audit?operation=StartIncident", admin_credentials)
        if len(started) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [e["result"] for e in started] == ["success", "success"], started
    record = get_json(tocsin.base, f"/getIncidentRecord?arn={urllib.parse.quote(arn, safe='')}", admin_credentials)[
        "incidentRecord"
    ]
    assert record["title"] == "Checkout failing in eu-west-1"
    assert record["impact"] == 1
    assert record["summary"] == "Payments time out <b>for EU users</b>"
    items = tocsin.post_json("/listRelatedItems", {"incidentRecordArn": arn}, headers=bearer(admin_credentials))[
        "relatedItems"
    ]
    seen = sorted((i["identifier"]["type"], i["identifier"]["value"], i.get("title")) for i in items)
    assert seen == [
        ("INVOLVED_RESOURCE", {"arn": RESOURCE}, None),
        ("OTHER", {"url": STATUS_URL}, "Status page"),
    ], items
    assert not problems, problems

"""Accessibility (headless Chromium): axe-core (npm, installed by scripts/setup.sh into
tests/e2e/js) run on every page of the app, signed in as an admin with data on each page,
reports no serious or critical violation; the wall conveys impact in words, not colour
alone; the Start form is usable from the keyboard alone.

axe runs in a context that bypasses the app's Content-Security-Policy, which would (rightly)
refuse the injected script; the page itself is unchanged."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, bearer, create_plan, sign_in, start_incident
from test_pattern_tester import events_call

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"

# The app's routes, each with what shows once it has loaded.
PAGES = [
    ("/wall", "article.incident-card"),
    ("/boards", "#board-form"),
    ("/insights", "#chart-per-day"),
    ("/incidents", "main h1"),
    ("/incident?arn={arn}", "#incident-title"),
    ("/plans", "main h1"),
    ("/plans/new", "main form"),
    ("/rules", "main h1"),
    ("/rules/test", "main h1"),
    ("/runbooks", "main h1"),
    ("/runbooks/new", "main h1"),
    ("/start", "#plan-preview"),
    ("/keys", "main h1"),
    ("/topics", "main h1"),
    ("/contacts", "main h1"),
    ("/integrations", "main h1"),
    ("/receivers", "main h1"),
    ("/maintenance", "main h1"),
    ("/audit", "main h1"),
    ("/settings", "main h1"),
    ("/sign-in", "form"),
]

SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


@pytest.fixture
def axe_page(browser):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/setup.sh (npm ci in tests/e2e/js)")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def test_axe_finds_no_serious_violation_on_any_page(tocsin, axe_page, admin_credentials):
    plan = create_plan(tocsin, admin_credentials)
    arn = start_incident(tocsin, admin_credentials, plan, "Checkout failing")
    tocsin.post_json(
        "/createTimelineEvent",
        {"incidentRecordArn": arn, "eventTime": 1_796_000_000, "eventType": "Note",
         "eventData": json.dumps({"content": "Rolled back"})},
        headers=bearer(admin_credentials),
    )
    status, _ = events_call(
        tocsin.base,
        "PutRule",
        {"Name": "alarms", "EventPattern": json.dumps({"source": ["aws.cloudwatch"]})},
        admin_credentials,
    )
    assert status == 200
    status, _ = events_call(
        tocsin.base,
        "PutTargets",
        {"Rule": "alarms", "Targets": [{"Id": "plan", "Arn": plan}]},
        admin_credentials,
    )
    assert status == 200
    page = axe_page
    sign_in(page, tocsin.base, admin_credentials, "/wall")
    found: dict[str, list] = {}
    for path, ready in PAGES:
        url = f"{tocsin.base}{path.format(arn=urllib.parse.quote(arn, safe=''))}"
        page.goto(url)
        expect(page.locator(ready).first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        page.wait_for_timeout(300)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(SERIOUS)
        if violations:
            found[path] = violations
            page.screenshot(path=str(ARTIFACTS / f"axe{path.split('?')[0].replace('/', '-')}.png"), full_page=True)
    assert not found, json.dumps(found, indent=2)


def test_impact_is_told_in_words_and_the_start_form_works_from_the_keyboard(tocsin, axe_page, admin_credentials):
    plan = create_plan(tocsin, admin_credentials)
    start_incident(tocsin, admin_credentials, plan, "Web down")
    page = axe_page
    sign_in(page, tocsin.base, admin_credentials, "/wall")
    badge = page.locator("article.incident-card .impact-badge, article.incident-card [class*='impact']").first
    expect(page.locator("article.incident-card")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    card_text = page.locator("article.incident-card").inner_text()
    assert re.search(r"\bCritical\b", card_text), f"impact 1 is not named on the card: {card_text!r}"
    assert badge.count() == 1

    # Start an incident with the keyboard only: Tab to each control, type, Enter.
    page.goto(f"{tocsin.base}/start")
    expect(page.locator("#plan-preview")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    page.locator("select#plan").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "title"
    page.keyboard.type("Typed by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/incident\?arn="), timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#incident-title")).to_have_text("Typed by keyboard", timeout=LIVE_TIMEOUT_MS)

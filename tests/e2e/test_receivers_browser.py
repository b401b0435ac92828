"""Receivers and maintenance windows in a real browser (headless Chromium from Debian,
driven by Playwright).

* An admin reaches /receivers from the navigation bar and creates an `alertmanager`
  receiver: the page shows its secret once ("Shown once"), its URL built from the server's
  `--public-url` (`<public url>/v1/receivers/alertmanager/<name>`), and an Alertmanager
  snippet that carries that URL and the real secret. The list shows the receiver with its
  URL and kind; after a reload the secret is nowhere on the page (the list's snippets read
  `<secret>`).
* A responder opens an incident (started through the API with a CloudWatch alarm as its
  trigger) and clicks "Create maintenance window": the page says "Maintenance window NAME
  created" with a link to /maintenance. A wall screen open in another browser shows the
  window live (ACTIVE, "until HH:MM"), and again after a reload (from the snapshot); the
  Maintenance page lists it.

The server gets an explicit `--public-url` (its own address), the URL snippets must be built
from. Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.parse
import uuid

import pytest
from awsshape import aws_client
from conftest import TocsinServer
from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, create_key, get_json, sign_in

RECEIVER = "prom-main"
ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"


@pytest.fixture
def public(request, tmp_path):
    """A Tocsin whose --public-url is given explicitly (its own loopback address)."""
    server = TocsinServer(tmp_path)
    server.extra_args = ["--public-url", server.base]
    request.node._tocsin_server = server
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_an_admin_creates_an_alertmanager_receiver_and_sees_its_secret_once(public, browser):
    server = public
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    admin = (server.access_key_id, server.secret_access_key)
    expected_url = f"{server.base}/v1/receivers/alertmanager/{RECEIVER}"
    dialogs: list[str] = []
    problems: list[str] = []
    page = accepting_page(browser, "receivers", problems, dialogs)
    try:
        sign_in(page, server.base, admin, "/wall")
        page.click("nav.nav a[href='/receivers']")
        page.wait_for_url(re.compile(r"/receivers$"), timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("h1")).to_have_text("Receivers")
        expect(page.locator("#no-receivers")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # A name the form refuses itself.
        page.fill("input#receiver-name", "prom main")
        page.click("button#receiver-create")
        expect(page.locator("#receiver-form-error")).to_contain_text("letters, digits")
        expect(page.locator("#new-receiver")).to_have_count(0)

        # An Alertmanager receiver on the default bus.
        page.fill("input#receiver-name", RECEIVER)
        page.locator("select#receiver-kind").select_option("alertmanager")
        expect(page.locator("input#receiver-event-bus")).to_have_value("default")
        expect(page.locator("input#receiver-auto-resolve")).to_be_checked()
        page.click("button#receiver-create")

        panel = page.locator("#new-receiver")
        expect(panel).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#receiver-create-error")).to_have_count(0)
        expect(page.locator("#receiver-form-error")).to_have_count(0)
        expect(panel.locator("#new-receiver-warning")).to_contain_text("Shown once")
        expect(panel.locator("#new-receiver-url")).to_have_text(expected_url)
        secret = (panel.locator("#new-receiver-secret").text_content() or "").strip()
        assert len(secret) >= 16 and "<secret>" not in secret, secret

        # The Alertmanager snippet: the receiver's URL from --public-url, and the real secret.
        snippets = panel.locator("pre.snippet").evaluate_all(
            "ps => ps.map(p => [p.dataset.title || '', p.textContent || ''])"
        )
        assert snippets, "the creation answer shows no snippet"
        alertmanager = [(title, text) for title, text in snippets if "alertmanager" in title.lower()]
        assert alertmanager, f"no Alertmanager snippet among {[t for t, _ in snippets]}"
        assert any(expected_url in text and secret in text for _, text in alertmanager), alertmanager
        assert all("<secret>" not in text for _, text in snippets), snippets

        # Listed, with its kind and URL; its snippets there never carry the secret.
        item = page.locator(f'.receiver-item[data-name="{RECEIVER}"]')
        expect(item).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#no-receivers")).to_have_count(0)
        expect(item).to_have_attribute("data-kind", "alertmanager")
        expect(item.locator(".receiver-kind")).to_have_text("Prometheus Alertmanager")
        expect(item.locator(".receiver-url")).to_have_text(expected_url)
        expect(item.locator(".receiver-bus")).to_have_text("default")
        expect(item.locator(".receiver-event-count")).to_have_text("0")
        expect(item.locator(".receiver-last-event")).to_have_text("never")
        assert secret not in (item.text_content() or "")
        listed_texts = item.locator("pre.snippet").all_text_contents()
        assert listed_texts, "the listed receiver shows no snippet"
        assert any("<secret>" in text for text in listed_texts), listed_texts
        page.screenshot(path=str(ARTIFACTS / "receivers.png"), full_page=True)

        # The server agrees, and does not show the secret either.
        [listed] = get_json(server.base, "/v1/receivers", admin)
        assert (listed["name"], listed["kind"], listed["url"]) == (RECEIVER, "alertmanager", expected_url), listed
        assert secret not in json.dumps(listed), listed

        # "I have copied it", then a reload: the secret is gone for good.
        page.click("button#new-receiver-done")
        expect(panel).to_have_count(0)
        page.reload()
        expect(page.locator(f'.receiver-item[data-name="{RECEIVER}"]')).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        assert secret not in page.content()
        assert not problems, problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "receivers-end.png"), full_page=True)


def test_a_window_made_from_an_incident_shows_on_the_wall(public, browser, cloudwatch_alarm_event):
    server = public
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    admin = (server.access_key_id, server.secret_access_key)
    responder = create_key(server, admin, "maria", "responder")
    incidents = aws_client("ssm-incidents", server.base, admin)
    plan_arn = incidents.create_response_plan(
        name="servers", incidentTemplate={"title": "Server CPU too high", "impact": 2}
    )["arn"]
    incident_arn = incidents.start_incident(
        responsePlanArn=plan_arn,
        clientToken=str(uuid.uuid4()),
        triggerDetails={
            "source": "aws.cloudwatch",
            "triggerArn": ALARM_ARN,
            "timestamp": datetime.datetime.now(datetime.timezone.utc),
            "rawData": json.dumps(cloudwatch_alarm_event),
        },
    )["incidentRecordArn"]

    dialogs: list[str] = []
    problems: list[str] = []
    wall = accepting_page(browser, "wall", problems, dialogs, width=1600)
    detail = accepting_page(browser, "incident", problems, dialogs)
    try:
        # A wall screen, live, with no window yet.
        sign_in(wall, server.base, admin, "/wall")
        expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        expect(wall.locator(f'article.incident-card[data-arn="{incident_arn}"]')).to_have_count(
            1, timeout=LIVE_TIMEOUT_MS
        )
        expect(wall.locator(".maintenance-window")).to_have_count(0)
        wall.evaluate("window.__tocsinNoReload = 'still here'")

        # The incident page, as a responder: one click.
        sign_in(detail, server.base, responder, "/wall")
        detail.goto(f"{server.base}/incident?arn={urllib.parse.quote(incident_arn, safe='')}")
        expect(detail.locator("#incident-title")).to_have_text("Server CPU too high", timeout=LIVE_TIMEOUT_MS)
        button = detail.locator("button.create-window")
        expect(button).to_have_count(1)
        button.click()
        created = detail.locator(".window-created")
        expect(created).to_contain_text("Maintenance window", timeout=LIVE_TIMEOUT_MS)
        expect(created).to_contain_text("created")
        expect(detail.locator(".window-create-error")).to_have_count(0)
        name = (created.locator(".window-created-name").text_content() or "").strip()
        assert name, created.text_content()
        expect(created.locator("a[href='/maintenance']")).to_have_count(1)
        detail.screenshot(path=str(ARTIFACTS / "maintenance-incident.png"), full_page=True)

        # The server has it: an hour, from this incident, active now.
        windows = get_json(server.base, "/v1/maintenance-windows", admin)
        mine = [w for w in windows if w["name"] == name]
        assert len(mine) == 1, windows
        window = mine[0]
        assert window["status"] == "ACTIVE", window
        assert window["durationSeconds"] == 3600, window
        assert window.get("incidentArn") in (None, incident_arn), window
        window_id = window["id"]

        # The wall shows it live, without a reload: ACTIVE, its name, until when.
        item = wall.locator(f'section.maintenance-windows .maintenance-window[data-id="{window_id}"]')
        expect(item).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(item.locator(".window-name")).to_have_text(name)
        expect(item.locator(".window-status")).to_have_text("ACTIVE")
        expect(item.locator(".window-when")).to_have_text(re.compile(r"^until (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}$"))
        assert wall.evaluate("window.__tocsinNoReload") == "still here", "the wall screen reloaded"

        # And from the snapshot, after a reload.
        wall.reload()
        expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        shown = wall.locator(".maintenance-window").filter(has=wall.locator(".window-name", has_text=name))
        expect(shown).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(shown).to_be_visible()
        expect(shown).to_have_attribute("data-id", window_id)
        wall.screenshot(path=str(ARTIFACTS / "maintenance-wall.png"), full_page=True)

        # The link leads to the Maintenance page, which lists it.
        created.locator("a[href='/maintenance']").click()
        detail.wait_for_url(re.compile(r"/maintenance$"), timeout=LIVE_TIMEOUT_MS)
        listed = detail.locator(f'.maintenance-window-item[data-id="{window_id}"]')
        expect(listed).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(listed).to_have_attribute("data-status", "ACTIVE")
        expect(listed.locator(".window-name")).to_have_text(name)
        expect(listed.locator(".window-status")).to_have_text("ACTIVE")
        expect(listed.locator("button.window-delete")).to_have_count(1)
        detail.screenshot(path=str(ARTIFACTS / "maintenance.png"), full_page=True)
        assert dialogs == [], dialogs
        assert not problems, problems
    finally:
        wall.screenshot(path=str(ARTIFACTS / "maintenance-wall-end.png"), full_page=True)

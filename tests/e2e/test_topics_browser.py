"""The Topics page and the incident delivery log in a real browser (headless Chromium from
Debian, driven by Playwright).

* An admin reaches /topics from the navigation bar, creates a topic (a bad name and a clash
  with an existing topic's display name are shown as errors), subscribes a `slack` incoming
  webhook that points at a loopback receiver, and never sees the webhook URL again: the page
  shows "(secret webhook URL)" and the endpoint field is emptied. "Send test message" says
  how many subscriptions it was queued for, and the receiver gets a Slack Block Kit body.
* A response plan whose notificationTargets name the topic opens an incident; the incident
  page's "Delivery log" shows the slack delivery, DELIVERED. Unsubscribe and "Delete topic"
  then empty the page again.
* A viewer sees the topics and their subscriptions, without any control that changes them.

The server may reach loopback here (`--outbound-allow 127.0.0.0/8`), so it gets its own
fixture. Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
import urllib.parse
import uuid

import pytest
from awsshape import aws_client
from conftest import TocsinServer
from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, bearer, create_key, get_json, sign_in

TOPIC = "oncall-chat"
DELIVERED_WITHIN_MS = 15_000


class ChatWebhookReceiver:
    """A loopback HTTP server standing in for a Slack incoming webhook: answers every POST
    with 200 `ok` and keeps (path, JSON body) of each."""

    def __init__(self):
        self.received: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError as e:
                    with receiver._lock:
                        receiver.errors.append(f"not JSON ({e}): {raw[:200]!r}")
                    body = None
                if body is not None:
                    with receiver._lock:
                        receiver.received.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, count: int, timeout: float = 15) -> list[tuple[str, dict]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.1)
        with self._lock:
            got = len(self.received)
            pytest.fail(f"the webhook receiver got {got} POSTs, not {count}: {self.received} {self.errors}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lab(request, tmp_path):
    """A Tocsin that may reach loopback, and the chat webhook receiver."""
    receiver = ChatWebhookReceiver()
    server = TocsinServer(tmp_path)
    server.extra_args = ["--outbound-allow", "127.0.0.0/8", "--public-url", server.base]
    request.node._tocsin_server = server
    server.start()
    try:
        yield server, receiver
    finally:
        server.stop()
        receiver.close()


def _page_text(page) -> str:
    """Everything the page shows or holds: its text, its markup, and the form fields' values."""
    values = page.evaluate("() => [...document.querySelectorAll('input, textarea')].map(e => e.value).join('\\n')")
    return "\n".join([page.locator("body").text_content() or "", page.content(), values])


def test_topic_slack_subscription_test_message_and_delivery_log(lab, browser):
    server, receiver = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    admin = (server.access_key_id, server.secret_access_key)
    secret_path = f"/services/T0TOCSIN/B0TOCSIN/{uuid.uuid4().hex}"
    hook_url = receiver.url(secret_path)
    dialogs: list[str] = []
    problems: list[str] = []
    page = accepting_page(browser, "topics", problems, dialogs)
    try:
        sign_in(page, server.base, admin, "/wall")
        page.click("nav.nav a[href='/topics']")
        page.wait_for_url(re.compile(r"/topics$"), timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("h1")).to_have_text("Topics")
        expect(page.locator("#no-topics")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#topics-read-only")).to_have_count(0)

        # A name the form refuses itself.
        page.fill("input#topic-name", "<b>ops</b>")
        page.click("button#topic-create")
        expect(page.locator("#topic-form-error")).to_contain_text("letters, digits")

        # Created through the page: listed by name, with its ARN.
        page.fill("input#topic-name", TOPIC)
        page.fill("input#topic-display-name", "On-call chat")
        page.click("button#topic-create")
        expect(page.locator("#topic-created")).to_contain_text(f"Created topic {TOPIC}", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#topic-form-error")).to_have_count(0)
        expect(page.locator("input#topic-name")).to_have_value("")
        topic = page.locator(f'article.topic[data-name="{TOPIC}"]')
        expect(topic).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#no-topics")).to_have_count(0)
        expect(topic.locator(".topic-display-name")).to_have_text("On-call chat")
        expect(topic.locator(".no-subscriptions")).to_be_visible()
        [listed] = get_json(server.base, "/v1/topics", admin)
        topic_arn = listed["topicArn"]
        assert listed["name"] == TOPIC and topic_arn.endswith(f":{TOPIC}"), listed
        expect(topic).to_have_attribute("data-arn", topic_arn)
        expect(topic.locator(".topic-arn")).to_have_text(topic_arn)

        # The server's own refusal, shown as it sent it: the same name, another display name.
        page.fill("input#topic-name", TOPIC)
        page.fill("input#topic-display-name", "Something else")
        page.click("button#topic-create")
        expect(page.locator("#topic-create-error")).to_contain_text("HTTP 4", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#topic-created")).to_have_count(0)
        page.fill("input#topic-name", "")
        page.fill("input#topic-display-name", "")

        # A slack webhook: confirmed at once, shown as a secret, the field emptied.
        topic.locator("select.subscribe-protocol").select_option("slack")
        expect(topic.locator(".subscribe-secret-note")).to_be_visible()
        topic.locator("input.subscribe-endpoint").fill(hook_url)
        topic.locator("button.subscribe-submit").click()
        expect(topic.locator(".subscribe-result")).to_contain_text("confirmed", timeout=LIVE_TIMEOUT_MS)
        expect(topic.locator(".subscribe-error")).to_have_count(0)
        expect(topic.locator("input.subscribe-endpoint")).to_have_value("")
        row = topic.locator('tr.subscription-row[data-protocol="slack"]')
        expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(row.locator(".subscription-endpoint")).to_have_text("(secret webhook URL)")
        expect(row.locator(".subscription-state")).to_have_text("confirmed")
        expect(row.locator("button.subscription-unsubscribe")).to_have_count(1)
        shown = _page_text(page)
        for secret in (hook_url, secret_path, secret_path.rsplit("/", 1)[1]):
            assert secret not in shown, f"{secret!r} is on the page"
        [sub] = get_json(server.base, "/v1/topics", admin)[0]["subscriptions"]
        assert (sub["protocol"], sub["endpoint"], sub["pendingConfirmation"]) == ("slack", "REDACTED", False), sub

        # "Send test message": queued for the one subscription, received as Block Kit.
        topic.locator("button.topic-test").click()
        expect(topic.locator(".topic-test-result")).to_have_text(
            "Test message queued for 1 subscription(s).", timeout=LIVE_TIMEOUT_MS
        )
        [(path, body)] = receiver.wait_for(1)
        assert path == secret_path, path
        assert isinstance(body.get("text"), str) and body["text"], body
        assert isinstance(body.get("blocks"), list) and body["blocks"], body
        assert "test message" in json.dumps(body).lower(), body
        page.screenshot(path=str(ARTIFACTS / "topics.png"), full_page=True)

        # A response plan that notifies the topic opens an incident: its delivery log.
        incidents = aws_client("ssm-incidents", server.base, admin)
        plan_arn = incidents.create_response_plan(
            name="chat-notified",
            incidentTemplate={
                "title": "Checkout is failing",
                "impact": 2,
                "notificationTargets": [{"snsTopicArn": topic_arn}],
            },
        )["arn"]
        incident_arn = incidents.start_incident(responsePlanArn=plan_arn, clientToken=str(uuid.uuid4()))[
            "incidentRecordArn"
        ]
        page.goto(f"{server.base}/incident?arn={urllib.parse.quote(incident_arn, safe='')}")
        expect(page.locator("#incident-title")).to_have_text("Checkout is failing", timeout=LIVE_TIMEOUT_MS)
        log = page.locator("#delivery-log")
        expect(log.locator("h2")).to_have_text("Delivery log", timeout=LIVE_TIMEOUT_MS)
        delivery = log.locator('[data-testid="delivery-row"][data-protocol="slack"]')
        expect(delivery.first).to_be_visible(timeout=DELIVERED_WITHIN_MS)
        expect(delivery.first.locator(".delivery-status")).to_have_text("DELIVERED", timeout=DELIVERED_WITHIN_MS)
        expect(delivery.first.locator(".delivery-topic")).to_have_text(TOPIC)
        expect(delivery.first.locator(".delivery-endpoint")).to_have_text("(secret webhook URL)")
        expect(delivery.first.locator(".delivery-attempts")).to_have_text("1")
        expect(delivery.first.locator(".delivery-error")).to_have_text("—")
        received = receiver.wait_for(2)
        assert "Checkout is failing" in json.dumps(received[-1][1]), received[-1]
        assert all(p == secret_path for p, _ in received), received
        quoted = urllib.parse.quote(incident_arn, safe="")
        logged = get_json(server.base, f"/v1/notifications?incidentArn={quoted}", admin)
        assert [d["status"] for d in logged if d["protocol"] == "slack"][:1] == ["DELIVERED"], logged
        assert hook_url not in _page_text(page)

        # Raising the impact notifies again: the new delivery appears live, without a reload.
        expect(page.locator(".conn-live")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        incidents.update_incident_record(arn=incident_arn, impact=1)
        expect(delivery).to_have_count(2, timeout=DELIVERED_WITHIN_MS)
        expect(delivery.first.locator(".delivery-status")).to_have_text("DELIVERED", timeout=DELIVERED_WITHIN_MS)
        ids = [int(delivery.nth(i).get_attribute("data-id")) for i in range(2)]
        assert ids[0] > ids[1], f"newest first: {ids}"
        assert len(receiver.wait_for(3)) == 3
        page.screenshot(path=str(ARTIFACTS / "topics-delivery-log.png"), full_page=True)

        # Unsubscribe, then delete the topic, each after a confirmation.
        page.goto(f"{server.base}/topics")
        row = page.locator(f'article.topic[data-name="{TOPIC}"] tr.subscription-row')
        expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        row.locator("button.subscription-unsubscribe").click()
        expect(row).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        expect(topic.locator(".no-subscriptions")).to_be_visible()
        assert [d for d in dialogs if d.startswith("topics: confirm Unsubscribe this slack endpoint?")], dialogs
        topic.locator("button.topic-delete").click()
        expect(topic).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#no-topics")).to_be_visible()
        assert [d for d in dialogs if d.startswith(f"topics: confirm Delete topic {TOPIC}?")], dialogs
        assert get_json(server.base, "/v1/topics", admin) == []
        assert receiver.errors == [], receiver.errors
        assert not problems, problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "topics-end.png"), full_page=True)


def test_a_viewer_sees_topics_without_controls(tocsin, base_url, browser, admin_credentials):
    created = tocsin.post_json(
        "/v1/topics/create", {"name": "ops", "displayName": "Ops"}, headers=bearer(admin_credentials)
    )
    topic_arn = created["topicArn"]
    tocsin.post_json(
        "/v1/topics/subscribe",
        {"topicArn": topic_arn, "protocol": "email", "endpoint": "oncall@example.com"},
        headers=bearer(admin_credentials),
    )
    viewer = create_key(tocsin, admin_credentials, "lobby-wall", "viewer")
    problems: list[str] = []
    page = browser.new_context().new_page()
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    sign_in(page, base_url, viewer, "/wall")
    page.click("nav.nav a[href='/topics']")
    page.wait_for_url(re.compile(r"/topics$"), timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#topics-read-only")).to_have_text(
        "Your key (role viewer) cannot change topics or subscriptions.", timeout=LIVE_TIMEOUT_MS
    )
    topic = page.locator('article.topic[data-name="ops"]')
    expect(topic).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    row = topic.locator('tr.subscription-row[data-protocol="email"]')
    expect(row.locator(".subscription-endpoint")).to_have_text("oncall@example.com")
    expect(row.locator(".subscription-state")).to_have_text("pending confirmation")
    controls = (
        "form#topic-form",
        "form.subscribe-form",
        "button.topic-test",
        "button.topic-delete",
        "button.subscription-unsubscribe",
    )
    for control in controls:
        expect(page.locator(control)).to_have_count(0)
    assert not problems, problems

"""The rules page in a real browser (headless Chromium via Playwright).

* The pattern tester at /rules/test gives its verdict as you type, computed in the browser by
  the same `tocsin-pattern` code the server runs, and "Check with server" (TestEventPattern)
  agrees with it for a non-match, an invalid pattern and a match.
* A rule created through the /rules form is listed with its pattern; targets can be added and
  removed; deleting a rule with targets shows the server's refusal; a rule created by another
  client appears without a reload (change feed).

Both sign in with the admin key first (test_browser.sign_in), like a person would.

Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser import bearer, sign_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT_MS = 10_000
INVALID_PREFIX = "Event pattern is not valid. Reason:"


@pytest.fixture
def page(browser):
    """A page that records page errors and console errors (asserted empty by the tests).
    Chromium's own "Failed to load resource" lines for the 400s these tests provoke on
    purpose are not problems."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.problems = []
    pg.on("pageerror", lambda exc: pg.problems.append(f"pageerror: {exc}"))
    pg.on(
        "console",
        lambda msg: pg.problems.append(f"console.error: {msg.text}")
        if msg.type == "error" and not msg.text.startswith("Failed to load resource")
        else None,
    )
    try:
        yield pg
    finally:
        context.close()


def events_call(base_url: str, operation: str, body: dict, credentials: tuple[str, str]) -> tuple[int, dict]:
    """One EventBridge (awsJson1.1) call with a key (bearer); returns (status, parsed body)."""
    req = urllib.request.Request(
        f"{base_url}/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "X-Amz-Target": f"AWSEvents.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            **bearer(credentials),
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def set_pattern(page, text: str) -> None:
    page.fill("textarea#pattern-input", text)


def check_with_server(page, expected: str | re.Pattern) -> None:
    page.click("#pattern-server-check")
    expect(page.locator("#pattern-server-result")).to_have_text(expected, timeout=TIMEOUT_MS)
    expect(page.locator("#pattern-server-agreement")).to_contain_text("same verdict")


def test_pattern_tester_verdicts_as_you_type_and_the_server_agrees(base_url, page, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    verdict = page.locator("#pattern-verdict")
    field = page.locator("#pattern-deciding-field")
    reason = page.locator("#pattern-reason")
    try:
        sign_in(page, base_url, admin_credentials, "/rules/test")
        # Prefilled: a CloudWatch alarm pattern and the matching sample alarm event.
        expect(verdict).to_have_text("matches", timeout=TIMEOUT_MS)
        assert '"ServerCpuTooHigh"' in page.input_value("textarea#event-input")
        page.evaluate("window.__tocsinNoReload = 'still here'")

        # A non-match names the field that decided it. No button: the verdict follows input.
        set_pattern(page, '{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["OK"]}}}')
        expect(verdict).to_have_text("does not match")
        expect(field).to_have_text("detail.state.value")
        expect(reason).to_contain_text("ALARM")
        expect(page.locator(".verdict")).to_have_class(re.compile(r"\bverdict-nomatch\b"))
        check_with_server(page, "false")

        # Editing after a server check makes the server's answer go away (it was about other
        # input), so a stale "false" is never shown next to a new verdict.
        page.locator("textarea#pattern-input").press("End")
        page.keyboard.type(" ")
        expect(page.locator("#pattern-server-result")).to_have_count(0)

        # An invalid pattern shows EventBridge's message; the server refuses it the same way.
        set_pattern(page, '{"source": "aws.cloudwatch"}')
        expect(verdict).to_have_text(re.compile("^" + re.escape(INVALID_PREFIX)))
        expect(field).to_have_text("—")
        message = verdict.text_content()
        check_with_server(page, re.compile(re.escape(message)))
        expect(page.locator("#pattern-server-result")).to_contain_text("InvalidEventPatternException")

        # Typing key by key: an unfinished pattern is invalid, the closing brace makes it match.
        set_pattern(page, '{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}')
        expect(verdict).to_have_text(re.compile("^" + re.escape(INVALID_PREFIX)))
        page.locator("textarea#pattern-input").press("End")
        page.keyboard.type("}")
        expect(verdict).to_have_text("matches")
        expect(page.locator(".verdict")).to_have_class(re.compile(r"\bverdict-match\b"))
        expect(field).not_to_have_text("—")
        check_with_server(page, "true")

        # An event that is not JSON says so.
        page.fill("textarea#event-input", '{"source": ')
        expect(verdict).to_have_text(re.compile(r"^Event is not valid JSON: "))
        # A sample event from the list: an EC2 event does not match the alarm pattern; fields
        # are checked in sorted path order, and its detail has no state.value.
        page.select_option("select#event-sample", label="EC2 instance state change (terminated)")
        expect(verdict).to_have_text("does not match")
        expect(field).to_have_text("detail.state.value")
        check_with_server(page, "false")

        assert page.evaluate("window.__tocsinNoReload") == "still here", "the page reloaded"
        assert page.problems == [], page.problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "pattern-tester.png"), full_page=True)


def test_rules_page_creates_lists_targets_and_deletes_a_rule(tocsin, base_url, page, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plan_arn = tocsin.post_json(
        "/createResponsePlan",
        {"name": "web", "incidentTemplate": {"title": "Web down", "impact": 1}},
        headers=bearer(admin_credentials),
    )["arn"]
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept() if dialog.type == "confirm" else dialog.dismiss()

    page.on("dialog", on_dialog)
    hostile = "<img src=x onerror=alert(1)> e2e description"
    pattern = '{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}}'
    try:
        sign_in(page, base_url, admin_credentials, "/rules")
        expect(page.locator("#no-rules")).to_be_visible(timeout=TIMEOUT_MS)

        # Create through the form.
        page.fill("input#rule-name", "e2e-alarms")
        page.fill("input#rule-description", hostile)
        page.select_option("select#rule-state", "DISABLED")
        page.fill("textarea#rule-pattern", pattern)
        page.click("button#rule-submit")
        expect(page.locator("#rule-saved")).to_contain_text("e2e-alarms", timeout=TIMEOUT_MS)

        rule = page.locator('article.rule[data-name="e2e-alarms"]')
        expect(rule).to_have_count(1, timeout=TIMEOUT_MS)
        expect(rule.locator(".rule-state")).to_have_text(re.compile("Disabled"))
        expect(rule.locator(".rule-description")).to_have_text(hostile)
        assert rule.locator("img").count() == 0
        pretty = rule.locator(".rule-pattern").text_content()
        assert json.loads(pretty) == json.loads(pattern)
        assert "\n" in pretty, "the pattern is shown pretty-printed"

        status, described = events_call(base_url, "DescribeRule", {"Name": "e2e-alarms"}, admin_credentials)
        assert status == 200, described
        assert json.loads(described["EventPattern"]) == json.loads(pattern)
        assert described["State"] == "DISABLED"
        assert described["Description"] == hostile

        # The form now edits that rule; "Test this pattern" loads it into the tester.
        expect(page.locator("input#rule-name")).to_have_attribute("readonly", "")
        page.click("button#rule-test-pattern")
        expect(page.locator("#pattern-verdict")).to_have_text("matches")
        assert json.loads(page.input_value("textarea#pattern-input")) == json.loads(pattern)

        # Add a response-plan target, chosen from the list.
        rule.locator("select.target-plan").select_option(value=plan_arn)
        expect(rule.locator("input.target-id")).to_have_value("web")
        rule.locator("button.target-add").click()
        target = rule.locator('li.target[data-id="web"]')
        expect(target).to_have_count(1, timeout=TIMEOUT_MS)
        expect(target).to_contain_text(plan_arn)
        expect(target).to_contain_text("response plan")

        # Deleting a rule with targets fails with the server's message.
        rule.locator("button.rule-delete").click()
        expect(rule.locator(".rule-error")).to_contain_text("Rule can't be deleted since it has targets.", timeout=TIMEOUT_MS)

        # Remove the target, then the rule goes.
        target.locator("button.target-remove").click()
        expect(rule.locator("li.target")).to_have_count(0, timeout=TIMEOUT_MS)
        rule.locator("button.rule-delete").click()
        expect(rule).to_have_count(0, timeout=TIMEOUT_MS)
        # The form was editing the deleted rule: it goes back to creating one.
        expect(page.locator("#rule-editor-title")).to_have_text("New rule")
        assert len([d for d in dialogs if d.startswith("confirm")]) == 2, dialogs
        assert not [d for d in dialogs if d.startswith("alert")], dialogs

        # A rule created by another client shows up without a reload (ruleChanged).
        page.evaluate("window.__tocsinNoReload = 'still here'")
        status, out = events_call(
            base_url,
            "PutRule",
            {"Name": "from-boto3", "EventPattern": '{"source": ["aws.ec2"]}'},
            admin_credentials,
        )
        assert status == 200, out
        expect(page.locator('article.rule[data-name="from-boto3"]')).to_have_count(1, timeout=TIMEOUT_MS)
        assert page.evaluate("window.__tocsinNoReload") == "still here", "the page reloaded"
        assert page.problems == [], page.problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "rules.png"), full_page=True)

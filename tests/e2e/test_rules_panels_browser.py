"""The rules page's buses, enable/disable, schedules, archives, replays and backtest panels in
a real browser (headless Chromium from Debian, driven by Playwright), checked against boto3.

* An admin creates an event bus from the page (boto3 `describe_event_bus` sees it), shows
  its rules, creates a rule on it, disables and enables it (`describe_rule` State follows),
  is told by the server that a bus with rules cannot be deleted, deletes the rule and then
  the bus.
* A scheduled rule is created with `rate(5 minutes)` (listed with its schedule, stored as
  `ScheduleExpression`); a schedule the server refuses shows the server's message.
* An archive created on the page keeps the events boto3 puts on the bus; a replay started
  on the page reaches COMPLETED on the page without a reload, with how far it got.
* A backtest of a draft pattern over that archive shows how many events were tried and
  matched, the incidents after deduplication, and the near misses with their deciding field.
* A viewer sees buses, archives and replays without the controls that change them, and may
  backtest.

Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError
from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, create_key, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"
REPLAY_DONE_MS = 60_000
PATTERN = {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}
DRAFT = {"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}}


def _alarm_entries() -> list[dict]:
    """Five CloudWatch alarm state changes: three ALARM (two alarms), two OK."""
    base = json.loads((EXAMPLES / "cloudwatch-alarm-state-change-single-metric.json").read_text())
    entries = []
    for alarm, state in (("CpuHigh", "ALARM"), ("CpuHigh", "ALARM"), ("DiskFull", "ALARM"), ("CpuHigh", "OK"), ("DiskFull", "OK")):
        event = copy.deepcopy(base)
        event["detail"]["state"]["value"] = state
        event["detail"]["alarmName"] = alarm
        resources = [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm}"]
        entries.append({"Source": event["source"], "DetailType": event["detail-type"],
                        "Detail": json.dumps(event["detail"]), "Resources": resources})
    return entries


def test_buses_rules_schedules_archives_replays_and_backtest(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    events = aws_client("events", base_url, admin_credentials)
    problems: list[str] = []
    dialogs: list[str] = []
    page = accepting_page(browser, "rules", problems, dialogs)
    try:
        sign_in(page, base_url, admin_credentials, "/rules")
        default_row = page.locator('tr.bus-row[data-name="default"]')
        expect(default_row).to_have_attribute("aria-current", "true", timeout=LIVE_TIMEOUT_MS)
        expect(default_row.locator("button.bus-delete")).to_have_count(0)
        expect(page.locator("#no-rules")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # --- A bus made on the page, its rules, enable/disable, delete. --------------------
        page.fill("input#bus-name", "ops-bus")
        page.fill("input#bus-description", "Operations <b>events</b>")
        page.click("button#bus-submit")
        expect(page.locator("#bus-created")).to_contain_text("ops-bus", timeout=LIVE_TIMEOUT_MS)
        ops_row = page.locator('tr.bus-row[data-name="ops-bus"]')
        expect(ops_row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(ops_row.locator(".bus-description")).to_have_text("Operations <b>events</b>")
        described = events.describe_event_bus(Name="ops-bus")
        assert described["Name"] == "ops-bus" and described["Description"] == "Operations <b>events</b>", described
        expect(ops_row.locator(".bus-arn")).to_have_text(described["Arn"])

        ops_row.locator("button.bus-show-rules").click()
        expect(ops_row).to_have_attribute("aria-current", "true")
        expect(page.locator("#rule-list-title")).to_have_text("Rules on event bus ops-bus")
        expect(page.locator("#rule-editor-bus")).to_contain_text("ops-bus")
        expect(page.locator("#no-rules")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        page.fill("input#rule-name", "ops-alarms")
        page.fill("textarea#rule-pattern", json.dumps(PATTERN))
        page.click("button#rule-submit")
        expect(page.locator("#rule-saved")).to_contain_text("ops-alarms", timeout=LIVE_TIMEOUT_MS)
        rule = page.locator('article.rule[data-name="ops-alarms"]')
        expect(rule).to_have_attribute("data-bus", "ops-bus", timeout=LIVE_TIMEOUT_MS)
        expect(rule).to_have_attribute("data-state", "ENABLED")
        assert events.describe_rule(Name="ops-alarms", EventBusName="ops-bus")["State"] == "ENABLED"
        assert [r["Name"] for r in events.list_rules(EventBusName="default").get("Rules", [])] == []

        rule.locator("button.rule-toggle").click()
        expect(rule).to_have_attribute("data-state", "DISABLED", timeout=LIVE_TIMEOUT_MS)
        expect(rule.locator(".rule-state")).to_have_text(re.compile("Disabled"))
        assert events.describe_rule(Name="ops-alarms", EventBusName="ops-bus")["State"] == "DISABLED"
        rule.locator("button.rule-toggle").click()
        expect(rule).to_have_attribute("data-state", "ENABLED", timeout=LIVE_TIMEOUT_MS)
        assert events.describe_rule(Name="ops-alarms", EventBusName="ops-bus")["State"] == "ENABLED"

        # A bus with rules cannot go: the server says so.
        ops_row.locator("button.bus-delete").click()
        expect(page.locator("#bus-delete-error")).to_contain_text("delete them first", timeout=LIVE_TIMEOUT_MS)
        rule.locator("button.rule-delete").click()
        expect(rule).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        ops_row.locator("button.bus-delete").click()
        expect(ops_row).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        expect(default_row).to_have_attribute("aria-current", "true")
        expect(page.locator("#rule-list-title")).to_have_text("Rules on event bus default")
        with pytest.raises(ClientError) as err:
            events.describe_event_bus(Name="ops-bus")
        assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"

        # --- A scheduled rule (disabled, so it never fires here), and a refused schedule. -----
        page.click("button#new-rule")
        page.fill("input#rule-name", "every-5")
        page.select_option("select#rule-state", "DISABLED")
        page.select_option("select#rule-trigger", "schedule")
        expect(page.locator("textarea#rule-pattern")).to_have_count(0)
        page.fill("input#rule-schedule", "rate(5 minutes)")
        page.click("button#rule-submit")
        expect(page.locator("#rule-saved")).to_contain_text("every-5", timeout=LIVE_TIMEOUT_MS)
        scheduled = page.locator('article.rule[data-name="every-5"]')
        expect(scheduled.locator(".rule-schedule")).to_have_text("rate(5 minutes)", timeout=LIVE_TIMEOUT_MS)
        expect(scheduled.locator(".rule-pattern")).to_have_count(0)
        stored = events.describe_rule(Name="every-5")
        assert stored["ScheduleExpression"] == "rate(5 minutes)" and stored["State"] == "DISABLED", stored
        # A rule with a pattern and a schedule (made with boto3) keeps both when edited here.
        events.put_rule(
            Name="both-ways",
            EventPattern=json.dumps({"source": ["aws.cloudwatch"]}),
            ScheduleExpression="rate(1 hour)",
            State="DISABLED",
        )
        both = page.locator('article.rule[data-name="both-ways"]')
        both.locator("button.rule-edit").click(timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("select#rule-trigger")).to_have_value("both")
        expect(page.locator("input#rule-schedule")).to_have_value("rate(1 hour)")
        page.fill("input#rule-description", "edited in the page")
        page.click("button#rule-submit")
        expect(page.locator("#rule-saved")).to_contain_text("both-ways", timeout=LIVE_TIMEOUT_MS)
        stored = events.describe_rule(Name="both-ways")
        assert stored["ScheduleExpression"] == "rate(1 hour)", stored
        assert json.loads(stored["EventPattern"]) == {"source": ["aws.cloudwatch"]}, stored
        assert stored["Description"] == "edited in the page", stored
        events.delete_rule(Name="both-ways")

        page.click("button#rule-new")
        page.fill("input#rule-name", "bad-schedule")
        page.select_option("select#rule-trigger", "schedule")
        page.fill("input#rule-schedule", "rate(five minutes)")
        page.click("button#rule-submit")
        expect(page.locator("#rule-form-error")).to_contain_text("HTTP 400", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator('article.rule[data-name="bad-schedule"]')).to_have_count(0)

        # --- An archive, events kept, a replay followed to COMPLETED. ------------------------
        default_arn = events.describe_event_bus(Name="default")["Arn"]
        expect(page.locator("#no-archives")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        page.fill("input#archive-name", "alarms")
        page.select_option("select#archive-bus", default_arn)
        page.fill("textarea#archive-pattern", json.dumps({"source": ["aws.cloudwatch"]}))
        page.fill("input#archive-retention", "7")
        page.click("button#archive-submit")
        expect(page.locator("#archive-created")).to_contain_text("alarms", timeout=LIVE_TIMEOUT_MS)
        archive_row = page.locator('tr.archive-row[data-name="alarms"]')
        expect(archive_row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(archive_row.locator(".archive-retention")).to_have_text("7 days")
        assert events.describe_archive(ArchiveName="alarms")["RetentionDays"] == 7

        entries = _alarm_entries()
        assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
        assert events.describe_archive(ArchiveName="alarms")["EventCount"] == len(entries)
        page.wait_for_timeout(1_100)  # the replay's end (now, to the second) after the events' arrival

        page.fill("input#replay-name", "alarms-again")
        page.select_option("select#replay-archive", "alarms")
        page.click("button#replay-submit")
        expect(page.locator("#replay-started")).to_contain_text("alarms-again", timeout=LIVE_TIMEOUT_MS)
        replay = page.locator('tr.replay-row[data-name="alarms-again"]')
        expect(replay).to_have_attribute("data-state", "COMPLETED", timeout=REPLAY_DONE_MS)
        expect(replay.locator(".replay-state")).to_have_text("COMPLETED")
        expect(replay.locator(".replay-last")).not_to_have_text("—")
        expect(replay.locator(".replay-archive")).to_have_text("alarms")
        expect(replay.locator("button.replay-cancel")).to_have_count(0)
        described_replay = events.describe_replay(ReplayName="alarms-again")
        assert described_replay["State"] == "COMPLETED", described_replay
        assert described_replay["Destination"]["Arn"] == default_arn
        assert "EventLastReplayedTime" in described_replay
        # The archive's count as the page reads it again: replayed events are not kept twice.
        expect(archive_row.locator(".archive-events")).to_have_text(str(len(entries)), timeout=LIVE_TIMEOUT_MS)

        # --- The backtest of a draft pattern over that archive. -----------------------------
        page.select_option("select#backtest-archive", "alarms")
        page.fill("textarea#backtest-pattern", json.dumps(DRAFT))
        page.fill("input#backtest-rule-name", "draft-alarms")
        page.click("button#backtest-submit")
        expect(page.locator("#backtest-scanned")).to_have_text("5", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#backtest-matched")).to_have_text("3")
        expect(page.locator("#backtest-incidents")).to_have_text("2")
        expect(page.locator("li.backtest-match")).to_have_count(3)
        misses = page.locator("tr.near-miss")
        expect(misses).to_have_count(2)
        for i in range(2):
            expect(misses.nth(i).locator(".near-miss-field")).to_have_text("detail.state.value")
            expect(misses.nth(i).locator(".near-miss-reason")).to_contain_text("OK")
            expect(misses.nth(i).locator(".near-miss-score")).to_have_text("1 of 2")
        # A pattern the server refuses: its message.
        page.fill("textarea#backtest-pattern", '{"source": "not-a-list"}')
        page.click("button#backtest-submit")
        expect(page.locator("#backtest-error")).to_contain_text("HTTP 400", timeout=LIVE_TIMEOUT_MS)

        page.wait_for_timeout(300)
        assert not [d for d in dialogs if "alert" in d], dialogs
        assert problems == [], problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "rules-panels.png"), full_page=True)


def test_a_viewer_sees_buses_archives_and_replays_without_controls(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewer = create_key(tocsin, admin_credentials, "observer", "viewer")
    events = aws_client("events", base_url, admin_credentials)
    events.create_event_bus(Name="audit-bus")
    default_arn = events.describe_event_bus(Name="default")["Arn"]
    events.create_archive(ArchiveName="everything", EventSourceArn=default_arn)
    problems: list[str] = []
    dialogs: list[str] = []
    page = accepting_page(browser, "viewer", problems, dialogs)
    try:
        sign_in(page, base_url, viewer, "/rules")
        expect(page.locator('tr.bus-row[data-name="audit-bus"]')).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator('tr.archive-row[data-name="everything"]')).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#no-replays")).to_be_visible()
        for control in ("#bus-form", "button.bus-delete", "#archive-form", "button.archive-delete", "#replay-form", "#rule-form"):
            expect(page.locator(control)).to_have_count(0)
        # Anyone who can read may backtest.
        page.select_option("select#backtest-archive", "everything")
        page.fill("textarea#backtest-pattern", json.dumps(DRAFT))
        page.click("button#backtest-submit")
        expect(page.locator("#backtest-scanned")).to_have_text("0", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#backtest-no-matches")).to_be_visible()
        assert problems == [], problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "rules-panels-viewer.png"), full_page=True)


def test_a_rule_shows_its_dead_letters_live_with_the_reason(tocsin, base_url, browser, admin_credentials):
    """A rule whose response plan was deleted: each alarm it matches becomes a dead letter
    (issue 12), shown on the rule without a reload, with the server's reason as text."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    events = aws_client("events", base_url, admin_credentials)
    incidents = aws_client("ssm-incidents", base_url, admin_credentials)
    plan = incidents.create_response_plan(name="doomed", incidentTemplate={"title": "Doomed", "impact": 2})["arn"]
    events.put_rule(Name="orphaned", EventPattern=json.dumps(PATTERN))
    events.put_targets(Rule="orphaned", Targets=[{"Id": "doomed-plan", "Arn": plan}])
    incidents.delete_response_plan(arn=plan)
    problems: list[str] = []
    dialogs: list[str] = []
    page = accepting_page(browser, "dead-letters", problems, dialogs)
    try:
        sign_in(page, base_url, admin_credentials, "/rules")
        rule = page.locator('article.rule[data-name="orphaned"]')
        expect(rule).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(rule.locator(".dead-letters")).to_have_count(0)

        assert events.put_events(Entries=_alarm_entries()[:1])["FailedEntryCount"] == 0
        letters = rule.locator(".dead-letters")
        expect(letters).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(letters.locator(".dead-letters-head")).to_contain_text("1 dead letter")
        letter = letters.locator('li.dead-letter[data-target="doomed-plan"]')
        expect(letter.locator(".dead-letter-reason")).to_contain_text("does not exist")

        assert events.put_events(Entries=_alarm_entries()[1:2])["FailedEntryCount"] == 0
        expect(letters.locator(".dead-letters-head")).to_contain_text("2 dead letters", timeout=LIVE_TIMEOUT_MS)
        page.screenshot(path=str(ARTIFACTS / "rule-dead-letters.png"), full_page=True)
        assert problems == [], problems
    finally:
        page.close()

"""Insights: how incidents went over the last days, from the server's records.

* `GET /v1/insights?days=7` counts incidents opened per UTC day by impact (an incident
  aged three days in the database lands three bars back), time to acknowledge (from a
  real acknowledgement) and to resolve (from a real resolution) per response plan, the
  dedupe ratio and the noisiest trigger (a CloudWatch alarm sent five times through a rule:
  one incident, four deduplicated triggers), and filters by response plan; `days` outside
  1-366 or not a number is a 400 naming it.
* The `/insights` page draws the same as SVG charts: one rectangle per (day, impact) with
  the impact in words in its tooltip, the response times per plan, the noisiest plans and
  triggers; choosing a plan narrows it; `?kiosk=1` shows it as a wall board without
  controls.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.error
import urllib.request

from awsshape import aws_client
from conftest import query, sql_text
from playwright.sync_api import expect
from test_boto3 import ALARM_PATTERN, put_event_entry, wait_for
from test_browser import LIVE_TIMEOUT_MS, bearer, get_json, sign_in

DAY = 86_400


def status_of(base_url: str, path: str, credentials) -> tuple[int, dict]:
    req = urllib.request.Request(f"{base_url}{path}", headers=bearer(credentials))
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def age_incident(server, arn: str, seconds: int) -> None:
    """Moves an incident and its timeline `seconds` into the past (test set-up on the
    server's own database, with the server stopped)."""
    a, n = sql_text(arn), int(seconds)
    if server.postgres:
        shift = lambda field: (  # noqa: E731
            f"jsonb_set(body::jsonb, '{{{field}}}', to_jsonb((body::jsonb ->> '{field}')::float8 - {n}))"
        )
        query(server, f"UPDATE incidents SET creation_time = creation_time - {n}, "
                      f"body = jsonb_set({shift('creationTime')}, '{{lastModifiedTime}}', "
                      f"to_jsonb((body::jsonb ->> 'lastModifiedTime')::float8 - {n}))::text WHERE arn = {a}")
        query(server, f"UPDATE timeline_events SET event_time = event_time - {n}, "
                      f"body = jsonb_set({shift('eventTime')}, '{{eventUpdatedTime}}', "
                      f"to_jsonb((body::jsonb ->> 'eventUpdatedTime')::float8 - {n}))::text "
                      f"WHERE incident_arn = {a}")
        return
    query(server, f"UPDATE incidents SET creation_time = creation_time - {n}, "
                  f"body = json_set(body, '$.creationTime', json_extract(body, '$.creationTime') - {n}, "
                  f"'$.lastModifiedTime', json_extract(body, '$.lastModifiedTime') - {n}) WHERE arn = {a}")
    query(server, f"UPDATE timeline_events SET event_time = event_time - {n}, "
                  f"body = json_set(body, '$.eventTime', json_extract(body, '$.eventTime') - {n}, "
                  f"'$.eventUpdatedTime', json_extract(body, '$.eventUpdatedTime') - {n}) "
                  f"WHERE incident_arn = {a}")


def test_insights_count_time_and_rank_what_happened(tocsin, base_url, browser, admin_credentials, cloudwatch_alarm_event):
    admin = admin_credentials
    incidents = aws_client("ssm-incidents", base_url, admin)
    events = aws_client("events", base_url, admin)
    pay = incidents.create_response_plan(
        name="pay", displayName="Payments", incidentTemplate={"title": "Payments down", "impact": 2}
    )["arn"]
    web = incidents.create_response_plan(
        name="web", displayName="Web shop", incidentTemplate={"title": "Web down", "impact": 3}
    )["arn"]
    cpu = incidents.create_response_plan(
        name="cpu", displayName="CPU alarms", incidentTemplate={"title": "CPU high", "impact": 2}
    )["arn"]
    events.put_rule(Name="cpu-alarms", EventPattern=json.dumps(ALARM_PATTERN))
    events.put_targets(Rule="cpu-alarms", Targets=[{"Id": "plan", "Arn": cpu}])

    def start(plan, title, impact):
        return incidents.start_incident(responsePlanArn=plan, title=title, impact=impact)["incidentRecordArn"]

    acked = start(pay, "Card payments failing", 1)
    resolved = start(pay, "Refunds slow", 2)
    aged = start(web, "Checkout 500s", 3)
    time.sleep(1.1)  # response times of at least a second
    tocsin.post_json("/v1/incidents/acknowledge", {"incidentRecordArn": acked}, headers=bearer(admin))
    incidents.update_incident_record(arn=resolved, status="RESOLVED")
    for _ in range(5):
        resp = events.put_events(Entries=[put_event_entry(cloudwatch_alarm_event)])
        assert resp["FailedEntryCount"] == 0, resp
        time.sleep(0.2)

    def insights(query="days=7"):
        return get_json(base_url, f"/v1/insights?{query}", admin)

    wait_for(insights, lambda i: i["opened"] == 4 and i["deduplicated"] == 4, what="the alarm's incident and its repeats")
    got = insights()
    assert got["days"] == 7 and len(got["perDay"]) == 7
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    assert got["perDay"][-1] == {"day": today, "byImpact": [1, 2, 1, 0, 0]}
    assert got["dedupeRatio"] == 0.5
    assert [p["name"] for p in got["plans"]] == ["CPU alarms", "Payments", "Web shop"], "noisiest first"
    payments = got["plans"][1]
    assert payments["opened"] == 2 and payments["deduplicated"] == 0
    assert payments["timeToAcknowledge"]["samples"] == 1 and 1.0 <= payments["timeToAcknowledge"]["median"] < 60
    assert payments["timeToResolve"]["samples"] == 1 and 1.0 <= payments["timeToResolve"]["p90"] < 60
    assert got["plans"][2]["timeToAcknowledge"] == {"samples": 0}
    top = got["triggers"][0]
    assert (top["opened"], top["deduplicated"], top["source"]) == (1, 4, "aws.cloudwatch"), top
    assert top["trigger"].endswith(":rule/cpu-alarms"), "a rule's incidents count for the rule"
    assert got["timeToAcknowledge"]["samples"] == 1

    # Only one plan.
    only = insights(f"days=7&responsePlanArn={pay}")
    assert only["opened"] == 2 and [p["name"] for p in only["plans"]] == ["Payments"]

    # Bad periods.
    for bad in ("0", "367", "abc", "-1"):
        status, error = status_of(base_url, f"/v1/insights?days={bad}", admin)
        assert status == 400 and "days" in error.get("message", ""), (bad, status, error)

    # History: the web incident three days ago.
    tocsin.stop()
    age_incident(tocsin, aged, 3 * DAY)
    tocsin.start()
    got = insights()
    assert got["perDay"][-1]["byImpact"] == [1, 2, 0, 0, 0]
    assert got["perDay"][-4]["byImpact"] == [0, 0, 1, 0, 0]
    assert insights("days=1")["opened"] == 3

    # The page.
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(page, base_url, admin, next_path="/insights?days=7")
    expect(page.locator("#insights-opened")).to_have_text("4", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#insights-dedupe-ratio")).to_have_text("50 %")
    expect(page.locator("#insights-tta")).to_contain_text("p90")
    # One rectangle per (day, impact): today's critical and high, the medium three days back.
    expect(page.locator("#chart-per-day rect.bar")).to_have_count(3)
    tips = sorted(t.strip() for t in page.locator("#chart-per-day rect.bar title").all_text_contents())
    three_days_ago = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)).strftime("%Y-%m-%d")
    assert tips == sorted(
        [f"{three_days_ago}: 1 Medium (impact 3)", f"{today}: 1 Critical (impact 1)", f"{today}: 2 High (impact 2)"]
    ), tips
    # Taller bar for more incidents: today's high (2) is twice today's critical (1).
    heights = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#chart-per-day rect.bar')]"
        ".map(r => [r.dataset.day + '/' + r.dataset.impact, r.height.baseVal.value]))"
    )
    assert abs(heights[f"{today}/2"] - 2 * heights[f"{today}/1"]) < 0.01, heights
    rows = page.locator("#plan-times tbody tr .plan-name").all_text_contents()
    assert rows == ["CPU alarms", "Payments", "Web shop"]
    expect(page.locator("#noisy-triggers li").first).to_contain_text("5 fired: 1 opened, 4 deduplicated")
    expect(page.locator("#noisy-triggers li .noisy-name").first).to_have_text("rule/cpu-alarms")
    expect(page.locator("#noisy-plans li").first).to_contain_text("CPU alarms")
    page.select_option("#insights-plan", pay)
    expect(page.locator("#insights-opened")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#plan-times tbody tr")).to_have_count(1)

    # As a wall board.
    page.goto(f"{base_url}/insights?days=7&kiosk=1")
    expect(page.locator("#insights-opened")).to_have_text("4", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#insights-days")).to_have_count(0)
    expect(page.locator("nav")).to_have_count(0)
    assert re.search(r"kiosk-board", page.locator(".insights-page").get_attribute("class"))

""""What did we know at 03:12?": the wall and the incident timeline as they stood at a past
moment, replayed from the change feed.

* `GET /v1/wall?at=T` shows the incidents open at T: one opened after T is absent, one
  resolved after T is present; the live wall names the feed's horizon; a moment before
  the horizon, in the future, or unreadable is a 400 with the reason.
* In Chromium, the wall's time-travel control set to T shows the board as it stood
  (before the second incident opened), marked "As it stood at …"; an incident opened
  meanwhile stays off that board; "Now" returns to the live board, which has it.
  `/wall?at=T` opens on the same past board.
* The incident page's timeline scrubbed to a moment before the resolution lists only the
  entries up to then.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, accepting_page, bearer, create_plan, get_json, sign_in, start_incident

GAP_S = 1.5


def wall_status(base: str, credentials, query: str) -> tuple[int, str]:
    req = urllib.request.Request(f"{base}/v1/wall?{query}", headers=bearer(credentials))
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def titles(snapshot: dict) -> set[str]:
    return {i["incident"]["title"] for i in snapshot["incidents"]}


def local_input_value(page, epoch_s: float) -> str:
    """`YYYY-MM-DDTHH:MM:SS` of `epoch_s` in the browser's time zone."""
    return page.evaluate(
        """t => { const d = new Date(t * 1000), p = n => String(n).padStart(2, '0');
          return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`; }""",
        epoch_s,
    )


def card(page, title: str):
    return page.locator(".groups [data-arn]").filter(has=page.locator(".incident-title", has_text=title))


def test_the_wall_and_the_timeline_as_they_stood(tocsin, browser, admin_credentials):
    base, auth = tocsin.base, bearer(admin_credentials)
    plan = create_plan(tocsin, admin_credentials)
    first = start_incident(tocsin, admin_credentials, plan, "Payments slow")
    time.sleep(GAP_S)
    moment = time.time()
    time.sleep(GAP_S)
    start_incident(tocsin, admin_credentials, plan, "Search down")
    tocsin.post_json("/updateIncidentRecord", {"arn": first, "status": "RESOLVED"}, headers=auth)

    # The API: then and now.
    then = get_json(base, f"/v1/wall?at={moment}", admin_credentials)
    assert titles(then) == {"Payments slow"}, titles(then)
    assert then["generatedAt"] == moment
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int(moment % 1 * 1000):03d}Z"
    assert titles(get_json(base, f"/v1/wall?at={urllib.parse.quote(iso)}", admin_credentials)) == {"Payments slow"}
    now = get_json(base, "/v1/wall", admin_credentials)
    assert titles(now) == {"Search down"}
    horizon = now["feedHorizon"]
    assert horizon <= moment, now
    for query, reason in [
        (f"at={horizon - 3600}", "horizon"),
        (f"at={time.time() + 3600}", "past time"),
        ("at=yesterday-ish", "RFC 3339"),
    ]:
        status, body = wall_status(base, admin_credentials, query)
        assert status == 400 and reason in body, (query, status, body)

    problems: list[str] = []
    page = accepting_page(browser, "time-travel", problems, [])
    sign_in(page, base, admin_credentials, "/wall")
    expect(page.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
    expect(card(page, "Search down")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    page.click("#time-travel")
    page.fill("#wall-scrub-time", local_input_value(page, moment))
    expect(page.locator("#as-it-stood")).to_contain_text("As it stood at", timeout=LIVE_TIMEOUT_MS)
    expect(card(page, "Payments slow")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(card(page, "Search down")).to_have_count(0)
    expect(page.locator("#open-count")).to_have_text("1")
    # Recent activity is the past one too: the resolution came later.
    expect(page.locator(".ticker li").filter(has_text=re.compile("resolved", re.I))).to_have_count(0)
    expect(page.locator(".ticker li").filter(has_text="Payments slow")).to_have_count(1)
    expect(page.locator("#wall-scrub .horizon")).to_contain_text("History reaches back to")
    # The live wall goes on underneath: an incident opened now stays off the past board.
    start_incident(tocsin, admin_credentials, plan, "Queue backlog")
    page.wait_for_timeout(1500)
    expect(card(page, "Queue backlog")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "wall-as-it-stood.png"))
    page.click("#wall-scrub-now")
    expect(page.locator("#as-it-stood")).to_have_count(0)
    expect(card(page, "Queue backlog")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(card(page, "Search down")).to_have_count(1)
    expect(card(page, "Payments slow")).to_have_count(0)

    # The URL opens on the past board.
    page.goto(f"{base}/wall?at={moment}")
    expect(page.locator("#as-it-stood")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(card(page, "Payments slow")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(card(page, "Search down")).to_have_count(0)

    # The incident page's timeline as it stood before the resolution.
    page.goto(f"{base}/incident?arn={urllib.parse.quote(first, safe='')}")
    # The incident names its response plan as a link to the plan's editor.
    expect(page.locator("#incident-plan-link")).to_have_attribute(
        "href", f"/plans/edit?arn={urllib.parse.quote(plan, safe='')}", timeout=LIVE_TIMEOUT_MS
    )
    timeline = page.locator("#timeline li")
    expect(timeline.filter(has_text=re.compile("resolved", re.I))).not_to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    total = timeline.count()
    page.fill("#incident-scrub-time", local_input_value(page, moment))
    expect(page.locator("#timeline-as-it-stood")).to_contain_text(f"of {total} entries", timeout=LIVE_TIMEOUT_MS)
    expect(timeline.filter(has_text=re.compile("resolved", re.I))).to_have_count(0)
    assert 0 < timeline.count() < total
    page.click("#incident-scrub-now")
    expect(timeline).to_have_count(total)
    assert not problems, problems

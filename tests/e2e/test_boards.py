"""Boards: named, saved wall views, a kiosk rotation between them, and per-browser alerts.

* `POST /v1/boards` saves a board (responder), `GET /v1/boards` lists it (viewer),
  `POST /v1/boards/delete` deletes it; a bad name, impact, unknown plan or tag is a 400
  naming the field, a viewer's save is a 403, deleting a board that does not exist a 404,
  and nothing is half-saved.
* The wall's incidents carry their tags; tagging an incident moves it onto a board live.
* A board saved through the Boards page shows on `/wall?board=NAME` with only its
  incidents, grouped by response plan when asked (rows naming their impact), follows an
  edit of the board and a new matching incident live, and never scrolls.
* `/wall?boards=a,b&every=5&kiosk=1` turns between the two boards by itself.
* With the chime and the desktop alert on in this browser, a new critical incident on the
  board sounds the chime and shows a notification with its title; an incident of another
  impact, or off the board, does neither.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

from playwright.sync_api import expect
from test_browser import LIVE_TIMEOUT_MS, bearer, create_key, get_json, sign_in


def post(base_url: str, path: str, body: dict, credentials: tuple[str, str]) -> tuple[int, dict]:
    req = urllib.request.Request(
        f"{base_url}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **bearer(credentials)},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def plan(tocsin, admin, name: str, display: str, tags: dict | None = None) -> str:
    template = {"title": f"{display} down", "impact": 3}
    if tags:
        template["incidentTags"] = tags
    return tocsin.post_json(
        "/createResponsePlan",
        {"name": name, "displayName": display, "incidentTemplate": template},
        headers=bearer(admin),
    )["arn"]


def start(tocsin, admin, plan_arn: str, title: str, impact: int) -> str:
    return tocsin.post_json(
        "/startIncident",
        {"responsePlanArn": plan_arn, "title": title, "impact": impact, "clientToken": str(uuid.uuid4())},
        headers=bearer(admin),
    )["incidentRecordArn"]


def tag(base_url: str, admin, arn: str, tags: dict) -> None:
    status, body = post(base_url, f"/tags/{urllib.parse.quote(arn, safe='')}", {"tags": tags}, admin)
    assert status in (200, 204), body


def shown_titles(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('.groups [data-arn] .incident-title')].map(e => e.textContent.trim())"
    )


def test_boards_api_saves_lists_deletes_and_refuses_bad_input(tocsin, base_url, admin_credentials):
    admin = admin_credentials
    responder = create_key(tocsin, admin, "boards-responder", "responder")
    viewer = create_key(tocsin, admin, "boards-viewer", "viewer")
    pay = plan(tocsin, admin, "pay", "Payments")
    board = {
        "name": "payments",
        "title": "Payments",
        "responsePlanArns": [pay],
        "impacts": [2, 1, 2],
        "tags": {"team": "pay"},
        "statuses": ["unacknowledged"],
        "groupBy": "responsePlan",
    }
    status, saved = post(base_url, "/v1/boards", board, responder)
    assert status == 200, saved
    assert saved["impacts"] == [1, 2], "impacts are sorted and deduplicated"
    assert saved["updatedBy"].endswith("user/boards-responder") and saved["updatedAt"] > 0
    listed = get_json(base_url, "/v1/boards", viewer)
    assert [b["name"] for b in listed] == ["payments"]
    assert listed[0]["groupBy"] == "responsePlan" and listed[0]["tags"] == {"team": "pay"}

    bad = [
        ({**board, "name": "pay ments"}, "name"),
        ({**board, "name": ""}, "name"),
        ({**board, "impacts": [6]}, "impacts"),
        ({**board, "responsePlanArns": [pay.replace("pay", "nope")]}, "responsePlanArns"),
        ({**board, "tags": {"aws:x": "y"}}, "tags"),
        ({**board, "title": "x" * 101}, "title"),
        ({**board, "groupBy": "colour"}, "groupBy"),
    ]
    for body, field in bad:
        status, error = post(base_url, "/v1/boards", {**body, "name": body["name"] or ""}, responder)
        assert status == 400, (field, status, error)
        message = error.get("message") or error.get("Message") or ""
        assert field in message or error.get("__type", "").startswith("Serialization"), (field, error)
    status, error = post(base_url, "/v1/boards", {**board, "name": "viewers"}, viewer)
    assert status == 403, error
    # Nothing refused was saved.
    assert [b["name"] for b in get_json(base_url, "/v1/boards", viewer)] == ["payments"]

    status, error = post(base_url, "/v1/boards/delete", {"name": "nope"}, responder)
    assert status == 404 and "nope" in error.get("message", ""), error
    status, _ = post(base_url, "/v1/boards/delete", {"name": "payments"}, responder)
    assert status == 204
    assert get_json(base_url, "/v1/boards", viewer) == []


def test_wall_incidents_carry_their_tags(tocsin, base_url, admin_credentials):
    admin = admin_credentials
    tagged = plan(tocsin, admin, "tagged", "Tagged", {"team": "pay"})
    arn = start(tocsin, admin, tagged, "Card payments failing", 2)
    wall = get_json(base_url, "/v1/wall", admin)
    assert wall["incidents"][0]["tags"] == {"team": "pay"}
    tag(base_url, admin, arn, {"env": "prod"})
    wall = get_json(base_url, "/v1/wall", admin)
    assert wall["incidents"][0]["tags"] == {"env": "prod", "team": "pay"}


def test_a_board_saved_on_the_boards_page_filters_groups_and_follows_the_wall(
    tocsin, base_url, browser, admin_credentials
):
    admin = admin_credentials
    responder = create_key(tocsin, admin, "boards-page", "responder")
    pay = plan(tocsin, admin, "pay", "Payments", {"team": "pay"})
    web = plan(tocsin, admin, "web", "Web shop")
    ops = plan(tocsin, admin, "ops", "Operations")
    start(tocsin, admin, pay, "Card payments failing", 1)
    start(tocsin, admin, pay, "Refund queue slow", 3)
    start(tocsin, admin, web, "Checkout 500s", 2)
    start(tocsin, admin, ops, "Disk filling on db-7", 2)

    page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    sign_in(page, base_url, responder, next_path="/boards")
    expect(page.locator("#no-boards")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    page.fill("#board-name", "money")
    page.fill("#board-title", "Money paths")
    # The plan checklist lists plans by display name.
    page.get_by_label("Payments").check()
    page.get_by_label("Web shop").check()
    page.check("#board-impact-1")
    page.check("#board-impact-2")
    page.select_option("#board-group-by", "responsePlan")
    page.click("#board-save")
    expect(page.locator("#board-saved")).to_contain_text("money", timeout=LIVE_TIMEOUT_MS)
    item = page.locator('.board-item[data-board="money"]')
    expect(item.locator(".board-filters")).to_have_text(
        "impact 1, 2 · plans: Payments, Web shop · grouped by response plan"
    )
    # A bad tag line is shown at its field, and nothing is sent.
    page.fill("#board-name", "broken")
    page.fill("#board-tags", "team")
    page.click("#board-save")
    expect(page.locator("#board-tags-error")).to_contain_text("key=value")
    assert [b["name"] for b in get_json(base_url, "/v1/boards", responder)] == ["money"]

    # On the wall: the board's incidents only, grouped by plan, rows or cards naming impact.
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(f"{base_url}/wall?board=money#key={responder[0]}:{responder[1]}")
    expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
    expect(wall.locator("#board-heading")).to_have_text("Money paths")
    expect(wall.locator("#open-count")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    assert sorted(shown_titles(wall)) == ["Card payments failing", "Checkout 500s"]
    # The plan with the most severe incident first.
    expect(wall.locator(".plan-group .plan-name")).to_have_text(["Payments", "Web shop"])
    assert wall.locator(".impact-group").count() == 0
    drawn = wall.evaluate("() => [document.documentElement.scrollHeight, innerHeight]")
    assert drawn[0] <= drawn[1], f"the plan-grouped board scrolls: {drawn}"
    expect(wall.locator('.plan-group[data-plan="%s"] .impact-badge' % pay).first).to_contain_text("Critical")

    # A new matching incident appears live; one off the board does not.
    start(tocsin, admin, web, "Search down", 1)
    start(tocsin, admin, ops, "Backups late", 1)
    expect(wall.locator("#open-count")).to_have_text("3", timeout=LIVE_TIMEOUT_MS)
    assert "Backups late" not in shown_titles(wall)
    expect(wall.locator(".plan-group .plan-name")).to_have_text(["Web shop", "Payments"])

    # Editing the board (on the Boards page) moves the wall live: impact 3 joins, by impact.
    page.fill("#board-tags", "")
    item.locator(".board-edit").click()
    expect(page.locator("#board-name")).to_have_value("money")
    page.check("#board-impact-3")
    page.select_option("#board-group-by", "impact")
    page.click("#board-save")
    expect(wall.locator("#open-count")).to_have_text("4", timeout=LIVE_TIMEOUT_MS)
    expect(wall.locator(".impact-group")).to_have_count(3, timeout=LIVE_TIMEOUT_MS)
    assert wall.locator(".plan-group").count() == 0
    assert "Refund queue slow" in shown_titles(wall)
    drawn = wall.evaluate("() => [document.documentElement.scrollHeight, innerHeight]")
    assert drawn[0] <= drawn[1], f"the board scrolls: {drawn}"

    # A tag board: tagging an incident puts it on the board live.
    status, _ = post(base_url, "/v1/boards", {"name": "team-pay", "tags": {"team": "pay"}}, responder)
    assert status == 200
    wall.goto(f"{base_url}/wall?board=team-pay#key={responder[0]}:{responder[1]}")
    expect(wall.locator("#open-count")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    ops_arn = next(
        i["incident"]["arn"]
        for i in get_json(base_url, "/v1/wall", admin)["incidents"]
        if i["incident"]["title"] == "Disk filling on db-7"
    )
    tag(base_url, admin, ops_arn, {"team": "pay"})
    expect(wall.locator("#open-count")).to_have_text("3", timeout=LIVE_TIMEOUT_MS)
    assert "Disk filling on db-7" in shown_titles(wall)

    # A board that does not exist says so and shows nothing in its place.
    wall.goto(f"{base_url}/wall?board=nope#key={responder[0]}:{responder[1]}")
    expect(wall.locator("#board-error")).to_contain_text('"nope"', timeout=LIVE_TIMEOUT_MS)
    expect(wall.locator("#open-count")).to_have_text("0")

    # Deleting on the Boards page.
    page.locator('.board-item[data-board="team-pay"] .board-delete').click()
    expect(page.locator('.board-item[data-board="team-pay"]')).to_have_count(0, timeout=LIVE_TIMEOUT_MS)


def test_a_kiosk_rotation_turns_between_boards(tocsin, base_url, browser, admin_credentials):
    admin = admin_credentials
    viewer = create_key(tocsin, admin, "rotation", "viewer")
    pay = plan(tocsin, admin, "pay", "Payments")
    web = plan(tocsin, admin, "web", "Web shop")
    start(tocsin, admin, pay, "Card payments failing", 2)
    start(tocsin, admin, web, "Checkout 500s", 2)
    start(tocsin, admin, web, "Search slow", 4)
    for name, arn in (("pay", pay), ("web", web)):
        status, body = post(base_url, "/v1/boards", {"name": name, "responsePlanArns": [arn]}, admin)
        assert status == 200, body

    # The rotation builder's link.
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(page, base_url, viewer, next_path="/boards")
    expect(page.locator("#boards-read-only")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    page.check("#rotation-boards-1")
    page.check("#rotation-boards-0")
    page.fill("#rotation-every", "5")
    expect(page.locator("#rotation-link")).to_have_attribute("href", "/wall?boards=web,pay&every=5&kiosk=1")

    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(f"{base_url}/wall?boards=pay,web&every=5&kiosk=1#key={viewer[0]}:{viewer[1]}")
    expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
    expect(wall.locator("#board-heading")).to_have_text("pay", timeout=LIVE_TIMEOUT_MS)
    expect(wall.locator("#board-turn")).to_have_text("1/2")
    expect(wall.locator("#open-count")).to_have_text("1")
    # Turns within its 5 s (a loaded machine gets slack), then turns back.
    expect(wall.locator("#board-heading")).to_have_text("web", timeout=12_000)
    expect(wall.locator("#board-turn")).to_have_text("2/2")
    expect(wall.locator("#open-count")).to_have_text("2")
    assert sorted(shown_titles(wall)) == ["Checkout 500s", "Search slow"]
    expect(wall.locator("#board-heading")).to_have_text("pay", timeout=12_000)


# Records what the page asks of the Notifications and Web Audio APIs (the browser's own
# objects still do the work).
ALERT_WATCH = """
window.__notes = [];
window.__tones = 0;
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) { super(title, options); window.__notes.push({title, body: options && options.body}); }
};
const realStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return realStart.apply(this, args); };
"""


def test_a_new_critical_incident_chimes_and_notifies_when_switched_on(tocsin, base_url, browser, admin_credentials):
    admin = admin_credentials
    viewer = create_key(tocsin, admin, "alerts", "viewer")
    pay = plan(tocsin, admin, "pay", "Payments")
    web = plan(tocsin, admin, "web", "Web shop")
    status, _ = post(base_url, "/v1/boards", {"name": "pay", "responsePlanArns": [pay]}, admin)
    assert status == 200

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.grant_permissions(["notifications"], origin=base_url)
    context.add_init_script(ALERT_WATCH)
    wall = context.new_page()
    wall.goto(f"{base_url}/wall?board=pay#key={viewer[0]}:{viewer[1]}")
    expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
    # Off by default.
    expect(wall.locator("#alert-sound")).not_to_be_checked()
    start(tocsin, admin, pay, "Quiet before switching on", 1)
    expect(wall.locator("#open-count")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
    wall.wait_for_timeout(500)
    assert wall.evaluate("() => [window.__notes.length, window.__tones]") == [0, 0]

    wall.check("#alert-sound")
    wall.check("#alert-desktop")
    # Kept for this browser.
    assert wall.evaluate("() => localStorage.getItem('tocsin.alerts.sound')") == "1"
    wall.reload()
    expect(wall.locator("#alert-desktop")).to_be_checked(timeout=LIVE_TIMEOUT_MS)
    expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
    wall.locator("#open-count").click()  # a user gesture, as a kiosk browser would need once

    start(tocsin, admin, pay, "Card payments failing", 1)
    wall.wait_for_function("() => window.__notes.length === 1", timeout=LIVE_TIMEOUT_MS)
    notes = wall.evaluate("() => window.__notes")
    assert notes[0]["title"] == "Card payments failing"
    assert "Payments" in notes[0]["body"] and "Critical" in notes[0]["body"]
    assert wall.evaluate("() => window.__tones") == 2, "the two-tone chime"

    # Not critical, or not on the board: nothing.
    start(tocsin, admin, pay, "Refunds slow", 3)
    start(tocsin, admin, web, "Checkout 500s", 1)
    expect(wall.locator("#open-count")).to_have_text("3", timeout=LIVE_TIMEOUT_MS)
    wall.wait_for_timeout(1_000)
    assert wall.evaluate("() => [window.__notes.length, window.__tones]") == [1, 2]

"""A real browser: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

* The wall screen in one page shows, live and without a reload, an incident started through
  the "Start incident" form in another page; its hostile title stays text.
* Signing in: the form checks the key (unknown id, wrong secret, the right key), the
  navigation bar names the key and its role, "Sign out" forgets it.
* A viewer key gets no "Start incident" submit and no resolve/edit/rule/plan/key controls;
  a producer key is told it may not read.
* Kiosk mode: `/wall?kiosk=1#key=ID:SECRET` with a viewer key removes the key from the address
  bar, keeps it on the device, stays live after a reload, and never puts the secret in a URL
  it requests; an admin key is refused with no data shown.
* The audit page shows an admin's changes made through the API (refused ones marked in
  words), filters them by operation, and refuses a viewer key.

Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import pytest
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from pathlib import Path

from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LIVE_TIMEOUT_MS = 15_000
APPEAR_WITHIN_MS = 2_000
KEY_ITEM = "tocsin.accessKey"


def _watch(page, name: str, dialogs: list, problems: list) -> None:
    def on_dialog(dialog):
        dialogs.append(f"{name}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: problems.append(f"{name} pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"{name} console.{msg.type}: {msg.text}") if msg.type == "error" else None,
    )


def accepting_page(browser, name: str, problems: list, dialogs: list, width: int = 1400):
    """A page (own context, WIDTHx1000) that accepts confirmations and dismisses other
    dialogs, recording each as "NAME: TYPE MESSAGE", and records page errors and console
    errors (but for the browser's own note on a refused request, which tests of 4xx
    answers cause)."""
    page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()

    def on_dialog(dialog):
        dialogs.append(f"{name}: {dialog.type} {dialog.message}")
        dialog.accept() if dialog.type == "confirm" else dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: problems.append(f"{name} pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"{name} console.{msg.type}: {msg.text}")
        if msg.type == "error" and "Failed to load resource" not in msg.text
        else None,
    )
    return page


def bearer(credentials: tuple[str, str]) -> dict:
    """The `Authorization` header of a key."""
    return {"Authorization": f"Bearer {credentials[0]}:{credentials[1]}"}


def get_json(base_url: str, path: str, credentials: tuple[str, str]) -> dict:
    req = urllib.request.Request(f"{base_url}{path}", headers=bearer(credentials))
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"{}")


def create_key(tocsin, admin_credentials, name: str, role: str) -> tuple[str, str]:
    """A new key made with the admin key (`POST /v1/keys`): (access key id, secret)."""
    out = tocsin.post_json("/v1/keys", {"name": name, "role": role}, headers=bearer(admin_credentials))
    assert out["role"] == role and out["name"] == name, out
    return out["accessKeyId"], out["secretAccessKey"]


def create_plan(tocsin, admin_credentials, name: str = "web") -> str:
    return tocsin.post_json(
        "/createResponsePlan",
        {"name": name, "incidentTemplate": {"title": "Web down", "impact": 1}},
        headers=bearer(admin_credentials),
    )["arn"]


def start_incident(tocsin, admin_credentials, plan_arn: str, title: str) -> str:
    return tocsin.post_json(
        "/startIncident",
        {"responsePlanArn": plan_arn, "title": title, "clientToken": str(uuid.uuid4())},
        headers=bearer(admin_credentials),
    )["incidentRecordArn"]


def sign_in(page, base_url: str, credentials: tuple[str, str], next_path: str = "/wall", remember: bool = False):
    """Signs in through the form at /sign-in?next=… and waits until the app is back at
    `next_path` with the key's name in the navigation bar."""
    page.goto(f"{base_url}/sign-in?next={urllib.parse.quote(next_path, safe='')}")
    page.fill("input#access-key-id", credentials[0])
    page.fill("input#secret-access-key", credentials[1])
    if remember:
        page.check("input#remember")
    page.click("button#sign-in-submit")
    expect(page.locator("#whoami")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    page.wait_for_function(
        "([p]) => location.pathname + location.search === p", arg=[next_path], timeout=LIVE_TIMEOUT_MS
    )


def stored_key(page) -> tuple[str | None, str | None]:
    """The key item in (sessionStorage, localStorage)."""
    return (
        page.evaluate(f"sessionStorage.getItem('{KEY_ITEM}')"),
        page.evaluate(f"localStorage.getItem('{KEY_ITEM}')"),
    )


@pytest.mark.postgres_too
def test_started_incident_appears_live_on_the_wall_as_text(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plan_arn = create_plan(tocsin, admin_credentials)

    marker = f"e2e-{uuid.uuid4().hex[:8]}"
    title = f"<img src=x onerror=alert(1)> {marker}"
    dialogs: list[str] = []
    problems: list[str] = []

    wall = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
    start = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _watch(wall, "wall", dialogs, problems)
    _watch(start, "start", dialogs, problems)
    try:
        # Page A: the wall screen, connected.
        sign_in(wall, base_url, admin_credentials, "/wall")
        expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        wall.evaluate("window.__tocsinNoReload = 'still here'")

        # Page B: the "Start incident" form.
        sign_in(start, base_url, admin_credentials, "/start")
        plan_select = start.locator("select#plan")
        # Options load asynchronously; wait for the plan, then pick it by value or by label.
        start.wait_for_function(
            """([arn]) => {
                const s = document.querySelector('select#plan');
                return !!s && [...s.options].some(o => o.value === arn || /\\bweb\\b/i.test(o.textContent));
            }""",
            arg=[plan_arn],
            timeout=LIVE_TIMEOUT_MS,
        )
        values = plan_select.locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
        choice = next((v for v, _ in values if v == plan_arn), None)
        if choice is None:
            choice = next(v for v, label in values if re.search(r"\bweb\b", label or "", re.I))
        plan_select.select_option(value=choice)
        start.fill("input#title", title)

        start.click("button#start-submit")
        clicked = time.monotonic()

        card = wall.locator("article.incident-card").filter(
            has=wall.locator(".incident-title", has_text=marker)
        )
        expect(card).to_have_count(1, timeout=APPEAR_WITHIN_MS)
        elapsed = time.monotonic() - clicked
        assert elapsed <= APPEAR_WITHIN_MS / 1000 + 0.25, f"the incident took {elapsed:.2f} s to appear"

        title_el = card.locator(".incident-title")
        assert title_el.text_content().strip() == title
        assert card.locator("img").count() == 0, card.inner_html()
        assert wall.locator("img[src='x']").count() == 0
        # Give a would-be onerror handler a moment to fire.
        wall.wait_for_timeout(300)
        assert dialogs == [], f"a dialog fired: {dialogs}"
        assert wall.evaluate("window.__tocsinNoReload") == "still here", "the wall screen reloaded"
    finally:
        wall.screenshot(path=str(ARTIFACTS / "wall.png"), full_page=True)
        start.screenshot(path=str(ARTIFACTS / "start.png"), full_page=True)
        if problems:
            print("browser console problems:\n  " + "\n  ".join(problems))


def test_sign_in_form_names_the_key_and_its_role(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    key_id, secret = admin_credentials
    who = get_json(base_url, "/v1/whoami", admin_credentials)
    assert who["accessKeyId"] == key_id and who["role"] == "admin", who
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    error = page.locator("#sign-in-error")
    try:
        # Without a key, a page sends you to sign in, and says where you will come back to.
        page.goto(f"{base_url}/start")
        expect(page.locator("form#sign-in-form")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        page.wait_for_url(re.compile(r"/sign-in\?next=%2Fstart$"), timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#whoami")).to_have_count(0)
        expect(page.locator("input#secret-access-key")).to_have_attribute("type", "password")

        # A key id the server does not know.
        page.fill("input#access-key-id", "TOCS" + "A" * 16)
        page.fill("input#secret-access-key", "a" * 40)
        page.click("button#sign-in-submit")
        expect(error).to_contain_text("not recognised", timeout=LIVE_TIMEOUT_MS)

        # The right id with a wrong secret.
        wrong = ("b" if secret[0] != "b" else "c") * 40
        page.fill("input#access-key-id", key_id)
        page.fill("input#secret-access-key", wrong)
        page.click("button#sign-in-submit")
        expect(error).to_contain_text("Wrong secret", timeout=LIVE_TIMEOUT_MS)

        # A secret that cannot be one is refused before asking the server.
        page.fill("input#secret-access-key", "short")
        page.click("button#sign-in-submit")
        expect(error).to_contain_text("40 letters and digits")

        # The right key: back to /start, named in the navigation bar with its role.
        page.fill("input#secret-access-key", secret)
        page.click("button#sign-in-submit")
        expect(page.locator("#whoami")).to_have_text(f"{who['name']} · admin", timeout=LIVE_TIMEOUT_MS)
        page.wait_for_url(re.compile(r"/start$"), timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("button#start-submit")).to_be_visible()
        expect(page.locator("nav a[href='/keys']")).to_have_count(1)
        # Kept for this tab only (nothing ticked "Remember on this device").
        assert stored_key(page) == (f"{key_id}:{secret}", None)
        assert not [u for u in requested if secret in u], "the secret went into a URL"

        # Still signed in after a reload of this tab.
        page.reload()
        expect(page.locator("#whoami")).to_have_text(f"{who['name']} · admin", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("button#start-submit")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # Sign out forgets the key everywhere.
        page.click("button#sign-out")
        expect(page.locator("form#sign-in-form")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#whoami")).to_have_count(0)
        assert stored_key(page) == (None, None)
        page.goto(f"{base_url}/wall")
        expect(page.locator("form#sign-in-form")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # "Remember on this device" keeps it in localStorage instead.
        page.fill("input#access-key-id", key_id)
        page.fill("input#secret-access-key", secret)
        page.check("input#remember")
        page.click("button#sign-in-submit")
        expect(page.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        assert stored_key(page) == (None, f"{key_id}:{secret}")
        assert not [u for u in requested if secret in u], "the secret went into a URL"
    finally:
        page.screenshot(path=str(ARTIFACTS / "sign-in.png"), full_page=True)


def test_a_viewer_key_gets_no_start_or_edit_controls(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewer = create_key(tocsin, admin_credentials, "ci-bot", "viewer")
    plan_arn = create_plan(tocsin, admin_credentials)
    incident_arn = start_incident(tocsin, admin_credentials, plan_arn, "viewer sees this")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_in(page, base_url, viewer, "/start")
        expect(page.locator("#whoami")).to_have_text("ci-bot · viewer")
        expect(page.locator("#start-denied")).to_contain_text("role viewer", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("button#start-submit")).to_have_count(0)
        expect(page.locator("form#start-form")).to_have_count(0)
        nav = page.locator("nav.nav")
        expect(nav.locator("a[href='/wall']")).to_have_count(1)
        expect(nav.locator("a[href='/start']")).to_have_count(0)
        expect(nav.locator("a[href='/keys']")).to_have_count(0)

        # The incident page shows the incident, without resolve or edit.
        page.goto(f"{base_url}/incident?arn={urllib.parse.quote(incident_arn, safe='')}")
        expect(page.locator("#incident-title")).to_have_text("viewer sees this", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#whoami")).to_have_text("ci-bot · viewer")
        expect(page.locator("button#resolve")).to_have_count(0)
        expect(page.locator("button#edit-toggle")).to_have_count(0)

        # Plans are listed, without the editor.
        page.goto(f"{base_url}/plans")
        expect(page.locator("#plan-list")).to_contain_text("web", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#new-plan")).to_have_count(0)
        expect(page.locator("#plan-list a")).to_have_count(0)
        page.goto(f"{base_url}/plans/new")
        expect(page.locator("#plan-denied")).to_contain_text("role viewer", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("form#plan-form")).to_have_count(0)

        # Rules can be read and patterns tested, not changed.
        page.goto(f"{base_url}/rules")
        expect(page.locator("#rules-read-only")).to_contain_text("role viewer", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#no-rules")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("form#rule-form")).to_have_count(0)
        expect(page.locator("#new-rule")).to_have_count(0)
        expect(page.locator("#pattern-tester")).to_be_visible()

        # The Keys page is for admins.
        page.goto(f"{base_url}/keys")
        expect(page.locator("#keys-denied")).to_contain_text("role viewer", timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("#key-list")).to_have_count(0)
    finally:
        page.screenshot(path=str(ARTIFACTS / "viewer.png"), full_page=True)


def test_a_producer_key_is_told_it_may_not_read(tocsin, base_url, browser, admin_credentials):
    producer = create_key(tocsin, admin_credentials, "exporter", "producer")
    page = browser.new_context().new_page()
    sign_in(page, base_url, producer, "/wall")
    expect(page.locator("#whoami")).to_have_text("exporter · producer")
    # The wall's read is refused by role; the page says so where the wall would be.
    expect(page.locator("#wall-error")).to_contain_text(
        "Your key (role producer) may not do this.", timeout=LIVE_TIMEOUT_MS
    )
    # A refusal by role does not sign the key out.
    expect(page.locator("#whoami")).to_have_text("exporter · producer")


def test_kiosk_wall_with_a_viewer_key_stays_live_after_a_reload(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    key_id, secret = create_key(tocsin, admin_credentials, "wall-ops-room", "viewer")
    plan_arn = create_plan(tocsin, admin_credentials)
    page = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(f"{base_url}/wall?kiosk=1#key={key_id}:{secret}")
        expect(page.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        # The key left the address bar, and stays on the device.
        assert secret not in page.url and "key=" not in page.url, page.url
        assert page.evaluate("location.hash") == ""
        assert page.evaluate("location.pathname + location.search") == "/wall?kiosk=1"
        assert stored_key(page)[1] == f"{key_id}:{secret}"
        expect(page.locator("nav.nav")).to_have_count(0)

        # A reload (or a power cut) keeps the wall going with the stored key.
        page.reload()
        expect(page.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        assert secret not in page.url, page.url
        page.evaluate("window.__tocsinNoReload = 'still here'")

        marker = f"kiosk-{uuid.uuid4().hex[:8]}"
        start_incident(tocsin, admin_credentials, plan_arn, f"Disk full {marker}")
        card = page.locator("article.incident-card").filter(has=page.locator(".incident-title", has_text=marker))
        expect(card).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        # Kiosk: the title is text, not a link.
        expect(card.locator(".incident-title a")).to_have_count(0)
        assert page.evaluate("window.__tocsinNoReload") == "still here", "the wall screen reloaded"

        # The stream was opened with tickets, and the secret never went into a URL requested.
        assert [u for u in requested if "/v1/stream?ticket=" in u], requested
        leaked = [u for u in requested if secret in u and "/v1/" in u]
        assert not leaked, leaked
        assert not [u for u in requested if "/v1/stream" in u and key_id in u], requested
    finally:
        page.screenshot(path=str(ARTIFACTS / "kiosk-viewer.png"), full_page=True)


def test_kiosk_refuses_an_admin_key(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    key_id, secret = admin_credentials
    plan_arn = create_plan(tocsin, admin_credentials)
    start_incident(tocsin, admin_credentials, plan_arn, "must not show on a refused wall")
    page = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(f"{base_url}/wall?kiosk=1#key={key_id}:{secret}")
        refused = page.locator("#kiosk-refused")
        expect(refused).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(refused).to_contain_text("role admin")
        expect(refused).to_contain_text("viewer key")
        # No data: no wall, no incident, no stream.
        expect(page.locator("article.incident-card")).to_have_count(0)
        expect(page.locator("#open-count")).to_have_count(0)
        expect(page.locator("#connection-state")).to_have_count(0)
        assert page.locator("body").text_content().find("must not show") == -1
        assert not [u for u in requested if "/v1/wall" in u or "/v1/stream" in u], requested
        # The key left the address bar and was not kept.
        assert secret not in page.url and "key=" not in page.url, page.url
        assert stored_key(page) == (None, None)
    finally:
        page.screenshot(path=str(ARTIFACTS / "kiosk-admin-refused.png"), full_page=True)


def whoami_status(base_url: str, credentials: tuple[str, str]) -> int:
    try:
        get_json(base_url, "/v1/whoami", credentials)
        return 200
    except urllib.error.HTTPError as err:
        return err.code


def test_keys_page_creates_shows_the_secret_once_disables_and_deletes(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept() if dialog.type == "confirm" else dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        sign_in(page, base_url, admin_credentials, "/keys")
        mine = page.locator(f'tr.key-row[data-id="{admin_credentials[0]}"]')
        expect(mine).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(mine).to_contain_text("(this key)")
        expect(mine.locator("button.key-delete")).to_be_disabled()
        expect(mine.locator("button.key-toggle")).to_be_disabled()

        # Create a viewer key: its secret is shown once, with a warning and a kiosk link.
        hostile = "<b>x</b>"
        page.fill("input#key-name", hostile)
        page.click("button#key-create")
        expect(page.locator("#key-form-error")).to_contain_text("letters, digits")
        page.fill("input#key-name", "wall-lobby")
        page.select_option("select#key-role", "viewer")
        page.click("button#key-create")
        expect(page.locator("#new-key-warning")).to_contain_text("only this once", timeout=LIVE_TIMEOUT_MS)
        new_id = page.locator("#new-key-id").text_content().strip()
        new_secret = page.locator("#new-key-secret").text_content().strip()
        assert re.fullmatch(r"[A-Z0-9]{20}", new_id), new_id
        assert re.fullmatch(r"[A-Za-z0-9]{40}", new_secret)
        expect(page.locator("#new-key-kiosk")).to_have_text(f"{base_url}/wall?kiosk=1#key={new_id}:{new_secret}")
        assert whoami_status(base_url, (new_id, new_secret)) == 200
        row = page.locator(f'tr.key-row[data-id="{new_id}"]')
        expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(row.locator(".key-name")).to_have_text("wall-lobby")
        expect(row.locator(".key-role")).to_have_text("viewer")
        expect(row.locator(".key-state")).to_have_text("Enabled")
        page.click("button#new-key-done")
        expect(page.locator("#new-key")).to_have_count(0)
        assert new_secret not in page.locator("body").text_content()

        # Disable: the key stops working; enable: it works again.
        row.locator("button.key-toggle").click()
        expect(row.locator(".key-state")).to_have_text("Disabled", timeout=LIVE_TIMEOUT_MS)
        assert whoami_status(base_url, (new_id, new_secret)) == 403
        row.locator("button.key-toggle").click()
        expect(row.locator(".key-state")).to_have_text("Enabled", timeout=LIVE_TIMEOUT_MS)
        assert whoami_status(base_url, (new_id, new_secret)) == 200

        # Delete (after a confirmation).
        row.locator("button.key-delete").click()
        expect(row).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        assert whoami_status(base_url, (new_id, new_secret)) == 403
        assert len([d for d in dialogs if d.startswith("confirm")]) == 1, dialogs

        # A key created elsewhere shows up without a reload (accessKeyChanged).
        other_id, _ = create_key(tocsin, admin_credentials, "from-cli", "responder")
        expect(page.locator(f'tr.key-row[data-id="{other_id}"]')).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    finally:
        page.screenshot(path=str(ARTIFACTS / "keys.png"), full_page=True)


def test_a_key_refused_mid_session_goes_back_to_sign_in_with_a_note(tocsin, base_url, browser, admin_credentials):
    viewer = create_key(tocsin, admin_credentials, "night-shift", "viewer")
    page = browser.new_context().new_page()
    sign_in(page, base_url, viewer, "/wall")
    expect(page.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
    tocsin.post_json("/v1/keys/delete", {"accessKeyId": viewer[0]}, headers=bearer(admin_credentials))
    # The next request (a client-side move to the incident list) is refused for the key:
    # the app forgets it and asks to sign in again, coming back to where the person was.
    page.click("nav a[href='/incidents']")
    expect(page.locator("#sign-in-note")).to_contain_text("no longer recognised", timeout=LIVE_TIMEOUT_MS)
    page.wait_for_url(re.compile(r"/sign-in\?next=%2Fincidents$"), timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#whoami")).to_have_count(0)
    assert stored_key(page) == (None, None)


def test_audit_page_lists_changes_filters_them_and_refuses_a_viewer(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plan_arn = create_plan(tocsin, admin_credentials, "audited")
    # The same name again is refused (ConflictException): a failed entry.
    try:
        create_plan(tocsin, admin_credentials, "audited")
        raise AssertionError("a second plan with the same name was accepted")
    except urllib.error.HTTPError as err:
        assert err.code == 409, err.code
    start_incident(tocsin, admin_credentials, plan_arn, "audited incident")
    viewer = create_key(tocsin, admin_credentials, "auditor", "viewer")

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        sign_in(page, base_url, admin_credentials, "/audit")
        expect(page.locator("nav.nav a[href='/audit']")).to_have_count(1)
        rows = page.locator("tr.audit-row")
        created = rows.filter(has_text="CreateResponsePlan")
        ok = page.locator("tr.audit-row:not(.audit-failed)", has_text="CreateResponsePlan")
        expect(ok).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(ok.locator(".audit-result")).to_have_text("✓ success")
        expect(ok.locator(".audit-resource")).to_have_text(re.compile(r"response-plan/audited$"))
        expect(ok.locator(".audit-role")).to_have_text("admin")
        expect(ok.locator(".audit-time")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"))
        # The refused call is marked in words, not only by colour.
        refused = page.locator("tr.audit-row.audit-failed", has_text="CreateResponsePlan")
        expect(refused).to_have_count(1)
        expect(refused.locator(".audit-result")).to_have_text("✗ failed: ConflictException")
        expect(created).to_have_count(2)
        # Newest first: the key, then the incident, then the plans.
        expect(page.locator("tr.audit-row .audit-operation").first).to_have_text("CreateKey")

        # Filtering by operation hides the plan entries.
        page.fill("input#audit-operation", "StartIncident")
        page.click("button#audit-apply")
        expect(page.locator("tr.audit-row .audit-operation")).to_have_text(["StartIncident"], timeout=LIVE_TIMEOUT_MS)
        expect(rows.filter(has_text="CreateResponsePlan")).to_have_count(0)
        expect(page.locator("#audit-summary")).to_have_text("1 entry, newest first.")

        # An operation nobody called: nothing matches.
        page.fill("input#audit-operation", "DeleteRule")
        page.press("input#audit-operation", "Enter")
        expect(page.locator("#audit-empty")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(rows).to_have_count(0)

        # Clearing the filters shows everything again.
        page.click("button#audit-clear")
        expect(page.locator("input#audit-operation")).to_have_value("")
        expect(rows.filter(has_text="CreateResponsePlan")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    finally:
        page.screenshot(path=str(ARTIFACTS / "audit.png"), full_page=True)

    # A viewer key gets no link and the same refusal as on the Keys page.
    page = browser.new_context().new_page()
    sign_in(page, base_url, viewer, "/audit")
    expect(page.locator("#whoami")).to_have_text("auditor · viewer")
    expect(page.locator("#audit-denied")).to_contain_text("role viewer", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#audit-denied")).to_have_text("Your key (role viewer) cannot read the audit log.")
    expect(page.locator("#audit-list")).to_have_count(0)
    expect(page.locator("form#audit-filters")).to_have_count(0)
    expect(page.locator("nav.nav a[href='/audit']")).to_have_count(0)

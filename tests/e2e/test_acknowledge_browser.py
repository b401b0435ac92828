"""Acknowledgements, page links and contacts in a real browser (headless Chromium from
Debian, driven by Playwright).

* A responder acknowledges an incident from its page with a note and an expiry: the page says
  "Acknowledged by <key name>", the note and "until HH:MM", and shows the time to first
  acknowledgement; a wall screen open in another browser shows the same acknowledgement on
  the incident's card live (no reload) within 10 s.
* `/accept?page=…&token=…` (a page's email link) works without a key: loading it sends
  nothing, and "Acknowledge page" shows the server's refusal of a bad token.
* An admin creates a personal contact with an email channel on /contacts, reads the
  6-digit activation code from the email (a real SMTP server, aiosmtpd), enters it in the
  page and sees the channel ACTIVATED; then edits the contact's display name and plan (one
  stage on that channel) and an escalation plan's stage duration, and finds them shown after
  a reload and stored (`GetContact`).

Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
import time
import urllib.parse
import uuid

import pytest
from awsshape import aws_client
from playwright.sync_api import expect
from receivers import body_text
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, create_key, get_json, sign_in

WALL_SHOWS_WITHIN_MS = 10_000
NOTE = "Looking at the <b>load balancer</b> now"


def _watched_page(browser, name: str, problems: list, width: int = 1400):
    """A page (own context) that records page errors and console errors (but for the
    browser's own note on a refused request)."""
    page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
    page.on("pageerror", lambda exc: problems.append(f"{name} pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"{name} console.{msg.type}: {msg.text}")
        if msg.type == "error" and "Failed to load resource" not in msg.text
        else None,
    )
    return page


def test_acknowledging_on_the_incident_page_shows_live_on_the_wall(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    responder = create_key(tocsin, admin_credentials, "maria", "responder")
    incidents = aws_client("ssm-incidents", base_url, admin_credentials)
    plan_arn = incidents.create_response_plan(
        name="checkout", incidentTemplate={"title": "Checkout is failing", "impact": 2}
    )["arn"]
    incident_arn = incidents.start_incident(responsePlanArn=plan_arn, clientToken=str(uuid.uuid4()))[
        "incidentRecordArn"
    ]
    problems: list[str] = []
    wall = _watched_page(browser, "wall", problems, width=1600)
    detail = _watched_page(browser, "incident", problems)
    try:
        # The wall, live, with the open incident and no acknowledgement yet.
        sign_in(wall, base_url, admin_credentials, "/wall")
        expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        card = wall.locator(f'article.incident-card[data-arn="{incident_arn}"]')
        expect(card).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(card.locator(".acknowledgement")).to_have_count(0)
        # Not a kiosk, an admin key: the card offers "Acknowledge".
        expect(card.locator("button.ack-open")).to_have_count(1)
        wall.evaluate("window.__tocsinNoReload = 'still here'")

        # The incident page: no acknowledgement, no metric yet.
        path = f"/incident?arn={urllib.parse.quote(incident_arn, safe='')}"
        sign_in(detail, base_url, responder, "/wall")
        detail.goto(f"{base_url}{path}")
        expect(detail.locator("#incident-title")).to_have_text("Checkout is failing", timeout=LIVE_TIMEOUT_MS)
        expect(detail.locator("#not-acknowledged")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(detail.locator("#metric-time-to-acknowledge")).to_have_text("—")
        expect(detail.locator("#metric-time-to-resolve")).to_have_text("—")
        expect(detail.locator("#engagements #no-engagements")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # Acknowledge with a note and a 30-minute expiry.
        section = detail.locator("#acknowledgement")
        section.locator("button.ack-open").click()
        section.locator("textarea.ack-note-input").fill(NOTE)
        section.locator("select.ack-expiry").select_option("1800")
        section.locator("button.ack-submit").click()
        clicked = time.monotonic()
        expect(section.locator(".ack-by")).to_have_text("Acknowledged by maria", timeout=LIVE_TIMEOUT_MS)
        expect(section.locator(".ack-note")).to_have_text(NOTE)
        expect(section.locator(".ack-until")).to_have_text(re.compile(r"^until \d\d:\d\d$"))
        expect(section.locator("form.ack-form")).to_have_count(0)
        expect(section.locator(".ack-error")).to_have_count(0)
        expect(detail.locator("#metric-time-to-acknowledge")).to_have_text(
            re.compile(r"^\d+[smhd]"), timeout=LIVE_TIMEOUT_MS
        )
        expect(detail.locator("#metric-time-to-resolve")).to_have_text("—")

        # The wall follows, live and without a reload, as text.
        expect(card.locator(".ack-by")).to_have_text("Acknowledged by maria", timeout=WALL_SHOWS_WITHIN_MS)
        expect(card.locator(".ack-note")).to_have_text(NOTE, timeout=WALL_SHOWS_WITHIN_MS)
        elapsed = time.monotonic() - clicked
        assert elapsed <= WALL_SHOWS_WITHIN_MS / 1000, f"the wall took {elapsed:.1f} s"
        assert card.locator("b").count() == 0, card.inner_html()
        assert wall.evaluate("window.__tocsinNoReload") == "still here", "the wall reloaded"

        detail_json = get_json(base_url, f"/v1/incident?arn={urllib.parse.quote(incident_arn, safe='')}", admin_credentials)
        ack = detail_json["incident"]["acknowledgement"]
        assert (ack["name"], ack["note"]) == ("maria", NOTE), ack
        assert ack["until"] - ack["at"] == pytest.approx(1800, abs=1), ack
        assert detail_json["metrics"]["timeToFirstAcknowledgement"] >= 0, detail_json["metrics"]
        wall.screenshot(path=str(ARTIFACTS / "acknowledge-wall.png"), full_page=True)
        detail.screenshot(path=str(ARTIFACTS / "acknowledge-incident.png"), full_page=True)
        assert not problems, problems
    finally:
        if problems:
            print("browser console problems:\n  " + "\n  ".join(problems))


def test_a_page_link_sends_nothing_on_load_and_shows_the_servers_refusal(tocsin, base_url, browser):
    page_arn = "arn:aws:ssm-contacts:us-east-1:000000000000:page/maria/0f6a4c1e-2b7d-4e8a-9c3b-5d1e2f3a4b5c"
    problems: list[str] = []
    page = _watched_page(browser, "accept", problems)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(f"{r.method} {r.url}") if "/v1/pages/accept" in r.url else None)
    # No key: a person opening the link from their email.
    page.goto(f"{base_url}/accept?page={urllib.parse.quote(page_arn, safe='')}&token=bad")
    expect(page.locator("h1")).to_have_text("Acknowledge a page", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#accept-contact")).to_have_text("maria")
    expect(page.locator("button#accept-page")).to_be_visible()
    page.wait_for_timeout(1_500)
    assert posts == [], f"loading the link sent {posts}"
    expect(page.locator("#accept-done")).to_have_count(0)

    page.click("button#accept-page")
    expect(page.locator("#accept-error")).to_contain_text(
        "This acknowledgement link is not valid", timeout=LIVE_TIMEOUT_MS
    )
    expect(page.locator("#accept-done")).to_have_count(0)
    assert [p for p in posts if p.startswith("POST ")], posts
    page.screenshot(path=str(ARTIFACTS / "accept-refused.png"), full_page=True)

    # A link without its token says so, and offers nothing to click.
    page.goto(f"{base_url}/accept?page={urllib.parse.quote(page_arn, safe='')}")
    expect(page.locator("#accept-incomplete")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("button#accept-page")).to_have_count(0)
    assert not problems, problems


def test_contacts_page_creates_a_contact_and_activates_its_email_channel(mailed, browser):
    """Creates maria, activates her email channel, edits her display name and plan (one
    stage on that channel) and an escalation plan's stage duration, each checked after a
    reload or through `GetContact`."""
    server, smtp = mailed
    admin = (server.access_key_id, server.secret_access_key)
    problems: list[str] = []
    page = _watched_page(browser, "contacts", problems)
    page.on("dialog", lambda d: d.accept())
    try:
        sign_in(page, server.base, admin, "/wall")
        page.click("nav.nav a[href='/contacts']")
        page.wait_for_url(re.compile(r"/contacts$"), timeout=LIVE_TIMEOUT_MS)
        expect(page.locator("h1")).to_have_text("Contacts")
        expect(page.locator("#no-contacts")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # A bad alias is refused by the form itself.
        page.fill("input#contact-alias", "Maria Silva")
        page.click("button#contact-create")
        expect(page.locator("#contact-form-error")).to_contain_text("lower-case")

        page.fill("input#contact-alias", "maria")
        page.fill("input#contact-display-name", "Maria Silva")
        page.click("button#contact-principal-mine")
        principal = page.input_value("input#contact-principal")
        assert principal.startswith("arn:aws:iam::"), principal
        page.click("button#contact-create")
        expect(page.locator("#contact-created")).to_contain_text("Created contact maria", timeout=LIVE_TIMEOUT_MS)
        contact = page.locator('article.contact[data-alias="maria"]')
        expect(contact).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(contact.locator(".contact-display-name")).to_have_text("Maria Silva")
        expect(contact.locator(".no-channels")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

        # An email channel: listed NOT_ACTIVATED, and its code arrives by email.
        contact.locator("input.channel-name").fill("work email")
        contact.locator("input.channel-address").fill("maria@example.com")
        contact.locator("button.channel-add").click()
        expect(contact.locator(".channel-added")).to_contain_text("activation code", timeout=LIVE_TIMEOUT_MS)
        row = contact.locator('tr.channel-row[data-name="work email"]')
        expect(row.locator(".channel-status")).to_have_text("NOT_ACTIVATED", timeout=LIVE_TIMEOUT_MS)
        mail = smtp.wait_for(lambda m: m["To"] == "maria@example.com", what="the activation code")
        code = re.search(r"\b(\d{6})\b", body_text(mail)).group(1)

        # A wrong code: the server's refusal is shown.
        row.locator("input.channel-code").fill("000000" if code != "000000" else "111111")
        row.locator("button.channel-activate").click()
        expect(row.locator(".channel-activate-error")).to_contain_text("HTTP 400", timeout=LIVE_TIMEOUT_MS)

        # The code from the email activates it.
        row.locator("input.channel-code").fill(code)
        row.locator("button.channel-activate").click()
        expect(row.locator(".channel-status")).to_have_text("ACTIVATED", timeout=LIVE_TIMEOUT_MS)
        expect(row.locator("input.channel-code")).to_have_count(0)

        c = aws_client("ssm-contacts", server.base, admin)
        [listed] = c.list_contacts()["Contacts"]
        assert (listed["Alias"], listed["Type"]) == ("maria", "PERSONAL"), listed
        [channel] = c.list_contact_channels(ContactId=listed["ContactArn"])["ContactChannels"]
        assert channel["ActivationStatus"] == "ACTIVATED", channel

        # Editing maria: the form starts from what the server has (no stages yet); a new
        # display name and one stage paging her activated email channel every 2 minutes.
        expect(contact.locator("p.no-stages")).to_contain_text("every activated channel", timeout=LIVE_TIMEOUT_MS)
        contact.locator("button.contact-edit").click()
        form = contact.locator("form.contact-edit-form")
        expect(form).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(form.locator("input.contact-edit-display-name")).to_have_value("Maria Silva")
        expect(form.locator("fieldset.stage")).to_have_count(0)
        form.locator("input.contact-edit-display-name").fill("Maria S.")
        form.locator("button.edit-add-stage").click()
        stage = form.locator('fieldset.stage[data-stage="1"]')
        stage.locator("input.stage-duration").fill("7")
        stage.locator("input.stage-duration").dispatch_event("change")
        target = stage.locator('div.stage-channel[data-name="work email"]')
        target.locator("input.stage-channel-on").check()
        # An out-of-range retry interval is refused by the form itself (the browser's check).
        target.locator("input.stage-channel-retry").fill("61")
        target.locator("input.stage-channel-retry").dispatch_event("change")
        form.locator("button.contact-save").click()
        expect(target.locator("input.stage-channel-retry:invalid")).to_have_count(1)
        expect(form).to_be_visible()
        expect(contact.locator(".contact-saved")).to_have_count(0)
        target.locator("input.stage-channel-retry").fill("2")
        target.locator("input.stage-channel-retry").dispatch_event("change")
        form.locator("button.contact-save").click()
        expect(contact.locator(".contact-saved")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(form).to_have_count(0)
        expect(contact.locator(".contact-save-error")).to_have_count(0)

        page.reload()
        contact = page.locator('article.contact[data-alias="maria"]')
        expect(contact.locator(".contact-display-name")).to_have_text("Maria S.", timeout=LIVE_TIMEOUT_MS)
        expect(contact.locator("li.plan-stage")).to_have_text(
            "7 min: work email (retry every 2 min)", timeout=LIVE_TIMEOUT_MS
        )
        stored = c.get_contact(ContactId=listed["ContactArn"])
        assert stored.get("DisplayName") == "Maria S.", stored
        assert stored["Plan"]["Stages"] == [
            {
                "DurationInMinutes": 7,
                "Targets": [
                    {
                        "ChannelTargetInfo": {
                            "ContactChannelId": channel["ContactChannelArn"],
                            "RetryIntervalInMinutes": 2,
                        }
                    }
                ],
            }
        ], stored["Plan"]
        # Opened again, the form shows the stored plan.
        contact.locator("button.contact-edit").click()
        form = contact.locator("form.contact-edit-form")
        stage = form.locator('fieldset.stage[data-stage="1"]')
        expect(stage.locator("input.stage-duration")).to_have_value("7", timeout=LIVE_TIMEOUT_MS)
        target = stage.locator('div.stage-channel[data-name="work email"]')
        expect(target.locator("input.stage-channel-on")).to_be_checked()
        expect(target.locator("input.stage-channel-retry")).to_have_value("2")
        form.locator("button.contact-edit-cancel").click()
        expect(form).to_have_count(0)

        # An escalation plan of one stage engaging maria as essential.
        page.fill("input#escalation-alias", "oncall")
        stage = page.locator('#escalation-stages fieldset.stage[data-stage="1"]')
        stage.locator("input.stage-duration").fill("10")
        stage.locator("input.stage-duration").dispatch_event("change")
        stage.locator("select.stage-contact").select_option(listed["ContactArn"])
        stage.locator("input.stage-essential").check()
        page.click("button#escalation-create")
        expect(page.locator("#escalation-created")).to_contain_text("oncall", timeout=LIVE_TIMEOUT_MS)
        plan = page.locator('article.contact[data-alias="oncall"]')
        expect(plan.locator("li.plan-stage")).to_have_text("10 min: maria (essential)", timeout=LIVE_TIMEOUT_MS)
        page.screenshot(path=str(ARTIFACTS / "contacts.png"), full_page=True)

        # Editing the plan: the form starts from its stage; its duration becomes 15 minutes.
        plan.locator("button.contact-edit").click()
        form = plan.locator("form.contact-edit-form")
        stage = form.locator('fieldset.stage[data-stage="1"]')
        expect(stage.locator("input.stage-duration")).to_have_value("10", timeout=LIVE_TIMEOUT_MS)
        expect(stage.locator("select.stage-contact")).to_have_value(listed["ContactArn"])
        expect(stage.locator("input.stage-essential")).to_be_checked()
        stage.locator("input.stage-duration").fill("15")
        stage.locator("input.stage-duration").dispatch_event("change")
        form.locator("button.contact-save").click()
        expect(plan.locator(".contact-saved")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        expect(plan.locator("li.plan-stage")).to_have_text("15 min: maria (essential)", timeout=LIVE_TIMEOUT_MS)
        oncall = c.get_contact(ContactId=c.list_contacts(AliasPrefix="oncall")["Contacts"][0]["ContactArn"])
        assert [s["DurationInMinutes"] for s in oncall["Plan"]["Stages"]] == [15], oncall["Plan"]
        assert oncall["Plan"]["Stages"][0]["Targets"] == [
            {"ContactTargetInfo": {"ContactId": listed["ContactArn"], "IsEssential": True}}
        ], oncall["Plan"]

        # Deleting the plan, after a confirmation.
        plan.locator("button.contact-delete").click()
        expect(plan).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
        assert not problems, problems
    finally:
        page.screenshot(path=str(ARTIFACTS / "contacts-end.png"), full_page=True)


def test_engagement_progress_follows_a_page_acknowledged_through_its_link(mailed, browser):
    server, smtp = mailed
    admin = (server.access_key_id, server.secret_access_key)
    c = aws_client("ssm-contacts", server.base, admin)
    maria = c.create_contact(Alias="maria", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    channel = c.create_contact_channel(
        ContactId=maria, Name="email", Type="EMAIL", DeliveryAddress={"SimpleAddress": "maria@example.com"}
    )["ContactChannelArn"]
    mail = smtp.wait_for(lambda m: m["To"] == "maria@example.com", what="the activation code")
    c.activate_contact_channel(
        ContactChannelId=channel, ActivationCode=re.search(r"\b(\d{6})\b", body_text(mail)).group(1)
    )
    smtp.messages.remove(mail)

    incidents = aws_client("ssm-incidents", server.base, admin)
    plan = incidents.create_response_plan(
        name="db", incidentTemplate={"title": "Database down", "impact": 1}, engagements=[maria]
    )["arn"]
    incident = incidents.start_incident(responsePlanArn=plan)["incidentRecordArn"]
    page_mail = smtp.wait_for(lambda m: m["To"] == "maria@example.com", what="the page")
    link = re.search(r"(http://\S+/accept\?\S+)", body_text(page_mail)).group(1)

    problems: list[str] = []
    detail = _watched_page(browser, "incident", problems)
    sign_in(detail, server.base, admin, "/wall")
    detail.goto(f"{server.base}/incident?arn={urllib.parse.quote(incident, safe='')}")
    expect(detail.locator(".conn-live")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    engagement = detail.locator("#engagements article.engagement")
    expect(engagement).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(engagement.locator(".engagement-contact")).to_have_text("maria")
    row = engagement.locator("tr.page-row")
    expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(row.locator(".page-contact")).to_have_text("maria")
    expect(row).not_to_have_attribute("data-state", "read")

    # maria opens the link from her email (no key) and acknowledges the page.
    accept = _watched_page(browser, "accept", problems)
    accept.goto(link)
    expect(accept.locator("#accept-contact")).to_have_text("maria", timeout=LIVE_TIMEOUT_MS)
    accept.click("button#accept-page")
    expect(accept.locator("#accept-done")).to_have_text("Page acknowledged.", timeout=LIVE_TIMEOUT_MS)
    expect(accept.locator("#accept-error")).to_have_count(0)

    # The incident page follows (feed or its 10 s poll).
    expect(row).to_have_attribute("data-state", "read", timeout=WALL_SHOWS_WITHIN_MS + 2_000)
    expect(row.locator(".page-read")).not_to_have_text("—")
    detail.screenshot(path=str(ARTIFACTS / "engagement-progress.png"), full_page=True)
    assert not problems, problems

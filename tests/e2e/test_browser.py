"""A real browser: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The wall screen in one page shows, live and without a reload, an incident started through
the "Start incident" form in another page; its hostile title stays text.
Screenshots of both pages go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
import time
import uuid

from pathlib import Path

from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LIVE_TIMEOUT_MS = 15_000
APPEAR_WITHIN_MS = 2_000


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


def test_started_incident_appears_live_on_the_wall_as_text(tocsin, base_url, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plan_arn = tocsin.post_json(
        "/createResponsePlan", {"name": "web", "incidentTemplate": {"title": "Web down", "impact": 1}}
    )["arn"]

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
        wall.goto(f"{base_url}/wall")
        expect(wall.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
        wall.evaluate("window.__tocsinNoReload = 'still here'")

        # Page B: the "Start incident" form.
        start.goto(f"{base_url}/start")
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

"""The wall fits its screen: never a scroll bar, every critical title on show.

* At 1280×720, 1920×1080 and 3840×2160, with 7, 30 and 60 open incidents spread over the
  five impacts, the kiosk wall has no vertical (or horizontal) scroll, and every incident,
  critical ones first of all, is drawn (as a full card or a compact row) inside the
  viewport with its title. A screenshot of each is saved under `artifacts/`.
* At 1920×1080 the type is readable from three metres: full-card titles ≥ 28 px, ages
  ≥ 24 px, impact labels ≥ 20 px, compact rows ≥ 20 px (computed styles); at the other sizes
  the same sizes scaled with the screen.
* Recent activity is not empty right after load (it comes from history).
* 150 critical incidents at 1280×720 do not shrink below those sizes: they page ("Page 1/N"),
  each page inside the viewport, and the page turns by itself.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect
from test_browser import ARTIFACTS, LIVE_TIMEOUT_MS, bearer, create_key

SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]
# Open incidents per impact (critical first) for 7, 30 and 60 incidents.
SPREADS = {7: [2, 2, 1, 1, 1], 30: [3, 5, 7, 7, 8], 60: [6, 10, 14, 15, 15]}
TITLE_WORDS = "checkout API error rate above five percent in eu-west-1"
PAGE_TURN_WITHIN_MS = 16_000


def open_incidents(tocsin, admin_credentials, plan_arn: str, spread: list[int], have: dict) -> None:
    """Opens incidents until `have` (impact → titles) holds `spread[impact-1]` of each."""
    for impact, want in enumerate(spread, start=1):
        titles = have.setdefault(impact, [])
        while len(titles) < want:
            title = f"I{impact}-{len(titles) + 1:03d} {TITLE_WORDS} {uuid.uuid4().hex[:4]}"
            tocsin.post_json(
                "/startIncident",
                {"responsePlanArn": plan_arn, "title": title, "impact": impact, "clientToken": str(uuid.uuid4())},
                headers=bearer(admin_credentials),
            )
            titles.append(title)


def wall_page(browser, base_url: str, key: tuple[str, str], size: tuple[int, int]):
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    page.goto(f"{base_url}/wall?kiosk=1#key={key[0]}:{key[1]}")
    expect(page.locator("#connection-state")).to_have_text(re.compile(r"\bLive\b"), timeout=LIVE_TIMEOUT_MS)
    return page


DRAWN = """() => {
  const vw = innerWidth, vh = innerHeight;
  const doc = document.documentElement;
  const items = [...document.querySelectorAll('.groups [data-arn]')].map(el => {
    const r = el.getBoundingClientRect();
    const t = el.querySelector('.incident-title').getBoundingClientRect();
    return {
      title: el.querySelector('.incident-title').textContent.trim(),
      kind: el.classList.contains('wall-row') ? 'row' : 'card',
      inside: r.top >= 0 && r.left >= 0 && r.bottom <= vh + 0.5 && r.right <= vw + 0.5,
      titleShown: t.height > 0 && t.width > 40 && t.bottom <= r.bottom + 0.5,
    };
  });
  return {scrollH: doc.scrollHeight, scrollW: doc.scrollWidth, vw, vh, items,
          summaries: document.querySelectorAll('.wall-summary').length,
          ticker: document.querySelectorAll('.ticker li').length};
}"""

SIZES_JS = """() => {
  const px = (sel) => [...document.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e).fontSize));
  return {
    cardTitle: px('.incident-card .incident-title'),
    cardAge: px('.incident-card .age'),
    badge: px('.groups .impact-badge'),
    row: px('.wall-row .row-title'),
    rowAge: px('.wall-row .age'),
  };
}"""


def test_the_wall_fits_every_screen_with_7_30_and_60_incidents(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewer = create_key(tocsin, admin_credentials, "wall-fit", "viewer")
    plan_arn = tocsin.post_json(
        "/createResponsePlan",
        {"name": "fit", "incidentTemplate": {"title": "Checkout down", "impact": 3}},
        headers=bearer(admin_credentials),
    )["arn"]
    have: dict[int, list[str]] = {}
    for total, spread in SPREADS.items():
        open_incidents(tocsin, admin_credentials, plan_arn, spread, have)
        every = {t for titles in have.values() for t in titles}
        assert len(every) == total
        for size in SIZES:
            page = wall_page(browser, base_url, viewer, size)
            try:
                expect(page.locator("#open-count")).to_have_text(str(total), timeout=LIVE_TIMEOUT_MS)
                # The layout settles on the measured area.
                page.wait_for_function(
                    "n => document.querySelectorAll('.groups [data-arn]').length === n",
                    arg=total,
                    timeout=LIVE_TIMEOUT_MS,
                )
                page.wait_for_timeout(700)
                drawn = page.evaluate(DRAWN)
                label = f"{total} incidents at {size[0]}x{size[1]}"
                assert drawn["scrollH"] <= drawn["vh"], f"{label}: scrolls ({drawn['scrollH']} > {drawn['vh']})"
                assert drawn["scrollW"] <= drawn["vw"], f"{label}: scrolls sideways"
                shown = {i["title"] for i in drawn["items"]}
                assert shown == every, f"{label}: missing {sorted(every - shown)[:3]}"
                outside = [i["title"] for i in drawn["items"] if not (i["inside"] and i["titleShown"])]
                assert not outside, f"{label}: drawn outside the screen: {outside[:3]}"
                assert drawn["summaries"] == 0, label
                assert drawn["ticker"] > 0, f"{label}: recent activity is empty after load"
                critical_cards = [i for i in drawn["items"] if i["title"] in have[1] and i["kind"] == "card"]
                if total == 7:
                    assert len(critical_cards) == 2, f"{label}: critical incidents are not full cards"

                scale = min(size[0] / 1920, size[1] / 1080)
                fonts = page.evaluate(SIZES_JS)
                minimum = {"cardTitle": 28, "cardAge": 24, "badge": 20, "row": 20, "rowAge": 20}
                for what, least in minimum.items():
                    small = [f for f in fonts[what] if f < least * scale - 0.05]
                    assert not small, f"{label}: {what} at {small[0]} px, under {least * scale:.1f}"
                assert fonts["badge"], label
                if total == 7:
                    assert fonts["cardTitle"] and fonts["cardAge"], label
                if total == 60:
                    assert fonts["row"], f"{label}: 60 incidents are all full cards?"
            finally:
                page.screenshot(path=str(ARTIFACTS / f"wall-{size[0]}x{size[1]}-{total}.png"))
                page.context.close()


def test_critical_incidents_that_overflow_page_instead_of_shrinking(tocsin, base_url, browser, admin_credentials):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    viewer = create_key(tocsin, admin_credentials, "wall-pages", "viewer")
    plan_arn = tocsin.post_json(
        "/createResponsePlan",
        {"name": "pages", "incidentTemplate": {"title": "Region down", "impact": 1}},
        headers=bearer(admin_credentials),
    )["arn"]
    have: dict[int, list[str]] = {}
    open_incidents(tocsin, admin_credentials, plan_arn, [150, 0, 4, 0, 3], have)
    page = wall_page(browser, base_url, viewer, (1280, 720))
    try:
        expect(page.locator("#open-count")).to_have_text("157", timeout=LIVE_TIMEOUT_MS)
        indicator = page.locator(".impact-group.impact-1 .page-of")
        expect(indicator).to_have_text(re.compile(r"^Page 1/\d+$"), timeout=LIVE_TIMEOUT_MS)
        pages = int(indicator.inner_text().split("/")[1])
        assert pages >= 2
        first = page.evaluate(DRAWN)
        assert first["scrollH"] <= first["vh"], "the paged wall scrolls"
        assert all(i["inside"] and i["titleShown"] for i in first["items"]), "a row is off the screen"
        per_page = len(first["items"])
        assert per_page >= 10 and per_page * pages >= 150 and per_page * (pages - 1) < 150, (per_page, pages)
        # The lesser impacts collapse into summary lines, counted and with their oldest.
        expect(page.locator(".wall-summary")).to_have_count(2)
        expect(page.locator(".wall-summary.impact-3 .summary-count")).to_have_text("4 open")
        expect(page.locator(".wall-summary.impact-3 .summary-title")).to_have_text(have[3][0])
        # Rows stay at the minimum size, scaled to this screen.
        rows = page.evaluate(SIZES_JS)["row"]
        assert rows and min(rows) >= 20 * (720 / 1080) - 0.05, rows
        # The page turns by itself, to other critical incidents.
        expect(indicator).to_have_text(f"Page 2/{pages}", timeout=PAGE_TURN_WITHIN_MS)
        second = {i["title"] for i in page.evaluate(DRAWN)["items"]}
        assert second and not (second & {i["title"] for i in first["items"]})
        assert second <= set(have[1])
    finally:
        page.screenshot(path=str(ARTIFACTS / "wall-1280x720-paged.png"))
        page.context.close()

"""A `?api=` link only suggests another API: the app keeps using its own until the user saves
the suggestion in Settings, so a crafted link cannot send the signed-in key elsewhere."""

from __future__ import annotations

from playwright.sync_api import expect
from test_browser import LIVE_TIMEOUT_MS, sign_in

EVIL = "https://evil.example:8787"


def test_an_api_link_is_a_suggestion_until_saved(tocsin, base_url, browser, admin_credentials):
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    sign_in(page, base_url, admin_credentials, next_path="/wall")
    page.goto(f"{base_url}/settings?api={EVIL}")
    expect(page.locator("#api-suggested")).to_contain_text(EVIL, timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#api-base-current")).to_have_text(base_url)
    assert page.evaluate("localStorage.getItem('tocsin.apiBase')") is None
    page.goto(f"{base_url}/wall?api={EVIL}")
    expect(page.locator("#whoami")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    assert not [u for u in requested if u.startswith(EVIL)], requested

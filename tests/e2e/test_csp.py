"""The app runs under the Content-Security-Policy the server sends with it, with no
violation: every page is visited signed in, and both the console and the browser's
`securitypolicyviolation` events are watched."""

from __future__ import annotations

import urllib.request

from playwright.sync_api import expect
from test_browser import LIVE_TIMEOUT_MS, sign_in


def test_every_page_runs_under_the_csp_without_a_violation(tocsin, base_url, browser, admin_credentials):
    with urllib.request.urlopen(f"{base_url}/wall", timeout=10) as resp:
        csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval' 'sha256-" in csp, csp
    assert "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp, csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"

    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    sign_in(page, base_url, admin_credentials, next_path="/wall")
    for path in ["/wall", "/incidents", "/plans", "/rules", "/rules/test", "/runbooks", "/runbooks/new", "/start", "/keys", "/integrations", "/settings"]:
        page.goto(f"{base_url}{path}")
        expect(page.locator("#whoami")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        violations += page.evaluate("window.__cspViolations")
    assert violations == [], violations

"""CSRF and DNS rebinding, in the mode those defences exist for: `--insecure-no-auth` on
loopback, where a request without credentials acts as an admin.

A page on another origin (another port of 127.0.0.1, so Chromium's private-network rules do
not get in the way) posts a `text/plain` body to `/updateIncidentRecord`, a "simple" request
that needs no CORS preflight; the incident must not change. A request naming a foreign Host
(what a rebinding page sends) is refused.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import TocsinServer


@pytest.fixture
def open_server(request, tmp_path):
    server = TocsinServer(tmp_path, extra_args=["--insecure-no-auth"])
    request.node._tocsin_server = server
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _incident(server: TocsinServer) -> str:
    plan = server.post_json("/createResponsePlan", {"name": "csrf", "incidentTemplate": {"title": "Target", "impact": 2}})
    return server.post_json("/startIncident", {"responsePlanArn": plan["arn"]})["incidentRecordArn"]


def _record(server: TocsinServer, arn: str) -> dict:
    with urllib.request.urlopen(
        urllib.request.Request(f"{server.base}/getIncidentRecord?arn={urllib.parse.quote(arn)}"), timeout=10
    ) as resp:
        return json.loads(resp.read())["incidentRecord"]


def test_a_page_on_another_origin_cannot_change_an_incident(open_server, browser):
    server = open_server
    arn = _incident(server)
    attack = f"""<!doctype html><title>loading</title><script>
      fetch({json.dumps(server.base + "/updateIncidentRecord")}, {{
        method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
        body: JSON.stringify({{arn: {json.dumps(arn)}, status: "RESOLVED", title: "pwned"}})
      }}).then(() => document.title = "sent", () => document.title = "sent");
    </script>"""

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = attack.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        page.wait_for_function("document.title === 'sent'", timeout=10_000)
        time.sleep(0.5)
    finally:
        evil.shutdown()
    record = _record(server, arn)
    assert record["status"] == "OPEN", record
    assert record["title"] == "Target", record


def test_a_foreign_host_is_refused(open_server):
    server = open_server
    request = urllib.request.Request(
        f"{server.base}/listResponsePlans", data=b"{}", method="POST", headers={"Host": "rebind.example:80", "Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 400
    assert json.loads(err.value.read())["__type"] == "InvalidHostException"
    # The same request naming this server works (no credentials needed in this mode).
    request = urllib.request.Request(
        f"{server.base}/listResponsePlans", data=b"{}", method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200

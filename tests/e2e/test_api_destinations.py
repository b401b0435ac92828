"""EventBridge connections and API destinations, driven by boto3 against a running
`tocsin serve`, delivering to a real HTTP server on loopback: API key, Basic and OAuth
client-credentials authorization, the connection's extra parameters, the target's own query
parameters, `InvocationRateLimitPerSecond` of 2 measured by the spacing of arrivals,
secrets never answered back, and dead letters when the destination goes away."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError
from conftest import TocsinServer
from test_boto3 import error_code, wait_for

SECRETS = ["key-value-SECRET", "hunter2-SECRET", "client-secret-SECRET", "header-SECRET"]


class Sink:
    """A loopback HTTP server recording every request; `/oauth/token` hands out tokens."""

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                with sink.lock:
                    sink.requests.append({
                        "at": time.monotonic(), "method": self.command, "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                    })
                if self.path.startswith("/oauth/token"):
                    payload = json.dumps({"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_GET = _record

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def at(self, prefix: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(prefix)]


@pytest.fixture
def tocsin(request, tmp_path):
    server = TocsinServer(tmp_path, ["--outbound-allow", "127.0.0.0/8"])
    request.node._tocsin_server = server
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sink():
    s = Sink()
    yield s
    s.server.shutdown()


@pytest.fixture
def events(tocsin):
    return aws_client("events", tocsin.base, (tocsin.access_key_id, tocsin.secret_access_key))


def rule_to(events, name: str, source: str, target_arn: str, **target):
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [source]}))
    out = events.put_targets(Rule=name, Targets=[{"Id": "dest", "Arn": target_arn, **target}])
    assert out["FailedEntryCount"] == 0, out


def send(events, source: str, n: int):
    for i in range(0, n, 10):
        entries = [{"Source": source, "DetailType": "Test", "Detail": json.dumps({"n": j})} for j in range(i, min(n, i + 10))]
        assert events.put_events(Entries=entries)["FailedEntryCount"] == 0


def test_api_key_connection_rate_limit_and_parameters(events, sink, tocsin):
    conn = events.create_connection(
        Name="pager", AuthorizationType="API_KEY",
        AuthParameters={
            "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": SECRETS[0]},
            "InvocationHttpParameters": {
                "HeaderParameters": [{"Key": "x-team", "Value": "sre", "IsValueSecret": False},
                                     {"Key": "x-signing", "Value": SECRETS[3], "IsValueSecret": True}],
                "QueryStringParameters": [{"Key": "from", "Value": "tocsin", "IsValueSecret": False}],
                "BodyParameters": [{"Key": "routing", "Value": "primary", "IsValueSecret": False}],
            },
        },
    )
    assert conn["ConnectionState"] == "AUTHORIZED" and ":connection/pager/" in conn["ConnectionArn"]
    dest = events.create_api_destination(
        Name="hook", ConnectionArn=conn["ConnectionArn"], InvocationEndpoint=sink.url + "/hook",
        HttpMethod="PUT", InvocationRateLimitPerSecond=2,
    )
    assert dest["ApiDestinationState"] == "ACTIVE" and ":api-destination/hook/" in dest["ApiDestinationArn"]
    described = events.describe_api_destination(Name="hook")
    assert described["InvocationRateLimitPerSecond"] == 2 and described["HttpMethod"] == "PUT"
    assert described["ConnectionArn"] == conn["ConnectionArn"]
    rule_to(events, "paced", "my.app", dest["ApiDestinationArn"],
            HttpParameters={"QueryStringParameters": {"rule": "paced"}})

    send(events, "my.app", 10)
    arrivals = wait_for(lambda: sink.at("/hook"), lambda r: len(r) >= 10, timeout=30, what="10 deliveries")
    time.sleep(0.7)
    arrivals = sink.at("/hook")
    assert len(arrivals) == 10, "each event once"
    times = sorted(r["at"] for r in arrivals)
    gaps = [b - a for a, b in zip(times, times[1:])]
    # 2 per second: 0.5 s apart (a loaded machine may stretch, never squeeze, the spacing).
    assert min(gaps) >= 0.45, gaps
    assert times[-1] - times[0] >= 4.4, times[-1] - times[0]
    first = arrivals[0]
    assert first["method"] == "PUT"
    assert first["headers"]["x-api-key"] == SECRETS[0]
    assert first["headers"]["x-team"] == "sre" and first["headers"]["x-signing"] == SECRETS[3]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(first["path"]).query)
    assert query == {"from": ["tocsin"], "rule": ["paced"]}
    body = json.loads(first["body"])
    assert body["routing"] == "primary" and body["source"] == "my.app" and "n" in body["detail"]

    # Secrets are never answered back.
    shown = json.dumps(events.describe_connection(Name="pager"), default=str)
    assert not any(s in shown for s in SECRETS), shown
    assert "x-api-key" in shown and "x-signing" in shown
    assert [c["Name"] for c in events.list_connections()["Connections"]] == ["pager"]
    assert [d["Name"] for d in events.list_api_destinations(ConnectionArn=conn["ConnectionArn"])["ApiDestinations"]] == ["hook"]

    # An update applies to the next delivery.
    events.update_api_destination(Name="hook", InvocationEndpoint=sink.url + "/moved", HttpMethod="POST")
    send(events, "my.app", 1)
    moved = wait_for(lambda: sink.at("/moved"), lambda r: len(r) == 1, what="a delivery to the new endpoint")
    assert moved[0]["method"] == "POST"

    for call, code in [
        (lambda: events.create_connection(Name="pager", AuthorizationType="BASIC",
                                          AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}}),
         "ResourceAlreadyExistsException"),
        (lambda: events.create_connection(Name="x", AuthorizationType="BASIC", AuthParameters={}), "ValidationException"),
        (lambda: events.create_api_destination(Name="hook", ConnectionArn=conn["ConnectionArn"], InvocationEndpoint=sink.url, HttpMethod="POST"),
         "ResourceAlreadyExistsException"),
        (lambda: events.create_api_destination(Name="y", ConnectionArn=conn["ConnectionArn"] + "x", InvocationEndpoint=sink.url, HttpMethod="POST"),
         "ResourceNotFoundException"),
        (lambda: events.put_targets(Rule="paced", Targets=[{"Id": "t2", "Arn": dest["ApiDestinationArn"].rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"}]),
         "ResourceNotFoundException"),
        (lambda: events.delete_connection(Name="pager"), "ValidationException"),
        (lambda: events.describe_connection(Name="missing"), "ResourceNotFoundException"),
        (lambda: events.describe_api_destination(Name="missing"), "ResourceNotFoundException"),
    ]:
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err.value) == code
    assert len(events.list_targets_by_rule(Rule="paced")["Targets"]) == 1, "a refused PutTargets writes nothing"

    # Deleted, the destination's deliveries become dead letters with the reason.
    events.delete_api_destination(Name="hook")
    send(events, "my.app", 1)

    def failed():
        req = urllib.request.Request(f"{tocsin.base}/v1/deliveries?status=FAILED", headers={"Authorization": tocsin.bearer})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    dead = wait_for(failed, lambda d: len(d) >= 1, what="a dead letter")
    assert "no longer exists" in dead[0]["lastError"]
    events.delete_connection(Name="pager")
    assert events.list_connections()["Connections"] == []


def test_basic_and_oauth_connections(events, sink):
    basic = events.create_connection(
        Name="basic", AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "ops", "Password": SECRETS[1]}},
    )["ConnectionArn"]
    oauth = events.create_connection(
        Name="oauth", AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
        AuthParameters={"OAuthParameters": {
            "ClientParameters": {"ClientID": "client-1", "ClientSecret": SECRETS[2]},
            "AuthorizationEndpoint": sink.url + "/oauth/token", "HttpMethod": "POST",
            "OAuthHttpParameters": {"BodyParameters": [{"Key": "scope", "Value": "events", "IsValueSecret": False}]},
        }},
    )["ConnectionArn"]
    shown = json.dumps([events.describe_connection(Name=n) for n in ("basic", "oauth")], default=str)
    assert not any(s in shown for s in SECRETS), shown
    for name, arn, path in [("b", basic, "/basic"), ("o", oauth, "/oauthed")]:
        dest = events.create_api_destination(Name=name, ConnectionArn=arn, InvocationEndpoint=sink.url + path, HttpMethod="POST")
        rule_to(events, name, f"src.{name}", dest["ApiDestinationArn"])
        send(events, f"src.{name}", 2)
    got = wait_for(lambda: sink.at("/basic") + sink.at("/oauthed"), lambda r: len(r) == 4, what="four deliveries")
    expected = "Basic " + base64.b64encode(f"ops:{SECRETS[1]}".encode()).decode()
    assert all(r["headers"]["authorization"] == expected for r in got if r["path"] == "/basic")
    assert all(r["headers"]["authorization"] == "Bearer tok-1" for r in got if r["path"] == "/oauthed")
    tokens = sink.at("/oauth/token")
    assert len(tokens) == 1, "the token is reused until it expires"
    client = base64.b64encode(f"client-1:{SECRETS[2]}".encode()).decode()
    assert tokens[0]["headers"]["authorization"] == f"Basic {client}"
    form = urllib.parse.parse_qs(tokens[0]["body"])
    assert form == {"grant_type": ["client_credentials"], "scope": ["events"]}
    # A secret can be replaced without being read back.
    events.update_connection(Name="basic", AuthParameters={"BasicAuthParameters": {"Password": "new-" + SECRETS[1]}})
    send(events, "src.b", 1)
    wait_for(lambda: sink.at("/basic"), lambda r: len(r) == 3, what="a delivery with the new password")
    assert sink.at("/basic")[-1]["headers"]["authorization"] == "Basic " + base64.b64encode(f"ops:new-{SECRETS[1]}".encode()).decode()

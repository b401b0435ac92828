"""Access keys against real signers: boto3 (botocore's SigV4) and the AWS CLI v1.

botocore's own signer is the oracle for Tocsin's SigV4 verifier: requests with odd paths,
query strings, repeated and unusual headers, empty and large bodies verify, and changing any
one byte of a signed part makes them fail.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess
from pathlib import Path

import botocore.auth
import pytest
from awsshape import aws_client
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.httpsession import URLLib3Session
from conftest import query, sql_text

ROOT = Path(__file__).resolve().parents[2]
AUTH_ERRORS = {"InvalidSignatureException", "IncompleteSignatureException", "UnrecognizedClientException"}


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def create_key(tocsin, name: str, role: str) -> tuple[str, str]:
    key = tocsin.post_json("/v1/keys", {"name": name, "role": role})
    return key["accessKeyId"], key["secretAccessKey"]


def test_failures_raise_the_named_error_codes(tocsin, base_url, admin_credentials, monkeypatch):
    key_id, secret = admin_credentials
    # Unknown key id.
    for service, call in [("ssm-incidents", "list_response_plans"), ("events", "list_rules")]:
        client = aws_client(service, base_url, ("TOCSUNKNOWNKEY000000", secret))
        with pytest.raises(ClientError) as err:
            getattr(client, call)()
        assert error_code(err.value) == "UnrecognizedClientException", err.value.response
    # Wrong secret.
    for service, call in [("ssm-incidents", "list_response_plans"), ("events", "list_rules")]:
        client = aws_client(service, base_url, (key_id, "x" * 40))
        with pytest.raises(ClientError) as err:
            getattr(client, call)()
        assert error_code(err.value) == "InvalidSignatureException", err.value.response
    # Too old: signed 20 minutes ago.
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: past)
    client = aws_client("ssm-incidents", base_url, admin_credentials)
    with pytest.raises(ClientError) as err:
        client.list_response_plans()
    assert error_code(err.value) == "InvalidSignatureException"
    assert "Signature expired" in err.value.response["Error"]["Message"]
    monkeypatch.undo()
    # Role too low.
    viewer = create_key(tocsin, "wall", "viewer")
    incidents = aws_client("ssm-incidents", base_url, viewer)
    assert incidents.list_response_plans()["responsePlanSummaries"] == []
    with pytest.raises(ClientError) as err:
        incidents.create_response_plan(name="nope", incidentTemplate={"title": "t", "impact": 3})
    assert error_code(err.value) == "AccessDeniedException"
    events = aws_client("events", base_url, viewer)
    with pytest.raises(ClientError) as err:
        events.put_rule(Name="nope", EventPattern='{"source": ["x"]}')
    assert error_code(err.value) == "AccessDeniedException"
    producer = create_key(tocsin, "exporter", "producer")
    events = aws_client("events", base_url, producer)
    sent = events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}"}])
    assert sent["FailedEntryCount"] == 0
    with pytest.raises(ClientError) as err:
        events.list_rules()
    assert error_code(err.value) == "AccessDeniedException"
    # Who created what is the key's principal.
    admin = aws_client("ssm-incidents", base_url, admin_credentials)
    plan = admin.create_response_plan(name="who", incidentTemplate={"title": "t", "impact": 3})["arn"]
    responder = create_key(tocsin, "alice", "responder")
    arn = aws_client("ssm-incidents", base_url, responder).start_incident(responsePlanArn=plan)["incidentRecordArn"]
    record = admin.get_incident_record(arn=arn)["incidentRecord"]
    assert record["incidentRecordSource"]["createdBy"] == "arn:aws:iam::000000000000:user/alice"


def _signed(base_url, credentials, method, path, params=None, headers=None, body=b"", region="eu-west-3"):
    request = AWSRequest(method=method, url=f"{base_url}{path}", params=params or {}, headers=headers or {}, data=body)
    SigV4Auth(Credentials(*credentials), "ssm-incidents", region).add_auth(request)
    return request.prepare()


def _auth_outcome(session, prepared) -> str:
    """The auth error code the server answered, or "verified"."""
    response = session.send(prepared)
    return response.headers.get("x-amzn-ErrorType", "") if response.headers.get("x-amzn-ErrorType", "") in AUTH_ERRORS else "verified"


PATHS = ["/", "/listResponsePlans", "/a%20b/c", "/a%2Fb", "/x/./y/../z", "/%C3%BCn%C3%AFc%C3%B6d%C3%A9", "/tilde~/dots..", "/trailing/", "//double//slashes//", "/up/..", "/dot/.", "/../above"]
QUERIES = [
    {},
    {"a": "1", "b": "2"},
    {"b": "2", "a": "1"},
    {"k": "with space"},
    {"k": "plus+and%percent"},
    {"empty": ""},
    {"uni": "ünï", "arn": "arn:aws:ssm-incidents::000000000000:response-plan/x"},
    {"tilde": "~-_."},
]
HEADERS = [
    {},
    {"X-Custom": "a    b   c"},
    {"X-Custom": "  padded  "},
    {"Content-Type": "application/json", "X-Amz-Meta": "ünicode-free ascii"},
]
BODIES = [b"", b"{}", json.dumps({"k": "v" * 100}).encode(), os.urandom(300 * 1024)]


def test_botocore_signer_is_the_oracle(tocsin, base_url, admin_credentials):
    rng = random.Random(20261129)
    session = URLLib3Session()
    cases = []
    for i in range(48):
        method = rng.choice(["GET", "POST"])
        body = b"" if method == "GET" else rng.choice(BODIES)
        cases.append((method, rng.choice(PATHS), rng.choice(QUERIES), rng.choice(HEADERS), body))
    # Every kind at least once.
    cases += [("POST", p, QUERIES[0], HEADERS[0], b"{}") for p in PATHS]
    cases += [("GET", "/listResponsePlans", q, HEADERS[0], b"") for q in QUERIES]
    cases += [("POST", "/listResponsePlans", QUERIES[1], h, b) for h in HEADERS for b in BODIES]
    for method, path, params, headers, body in cases:
        prepared = _signed(base_url, admin_credentials, method, path, params, dict(headers), body)
        assert _auth_outcome(session, prepared) == "verified", (method, path, params, headers, len(body))

    # One changed byte in any signed part fails.
    prepared = _signed(
        base_url, admin_credentials, "POST", "/listResponsePlans", {"a": "1"}, {"X-Custom": "abc"}, b'{"k": "v"}'
    )

    def mutated(change):
        p = _signed(base_url, admin_credentials, "POST", "/listResponsePlans", {"a": "1"}, {"X-Custom": "abc"}, b'{"k": "v"}')
        change(p)
        return p

    assert _auth_outcome(session, prepared) == "verified"
    changes = {
        "path": lambda p: setattr(p, "url", p.url.replace("/listResponsePlans", "/listResponsePlant")),
        "query": lambda p: setattr(p, "url", p.url.replace("a=1", "a=2")),
        "signed header": lambda p: p.headers.__setitem__("X-Custom", "abd"),
        "body": lambda p: setattr(p, "body", b'{"k": "w"}'),
        "method": lambda p: setattr(p, "method", "PUT"),
        "date": lambda p: p.headers.__setitem__(
            "X-Amz-Date", p.headers["X-Amz-Date"][:-3] + ("59Z" if p.headers["X-Amz-Date"][-3:-1] != "59" else "58Z")
        ),
        "signature": lambda p: p.headers.__setitem__(
            "Authorization", p.headers["Authorization"][:-1] + ("0" if p.headers["Authorization"][-1] != "0" else "1")
        ),
    }
    for name, change in changes.items():
        outcome = _auth_outcome(session, mutated(change))
        assert outcome == "InvalidSignatureException", f"{name}: {outcome}"
    # A scope for another service is refused too.
    request = AWSRequest(method="POST", url=f"{base_url}/listResponsePlans", data=b"{}")
    SigV4Auth(Credentials(*admin_credentials), "events", "us-east-1").add_auth(request)
    assert _auth_outcome(session, request.prepare()) == "InvalidSignatureException"


def _aws(tocsin, *args, credentials_file=None):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tocsin.db_path.parent),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials_file or tocsin.credentials_path),
        "AWS_PROFILE": "tocsin",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "aws"), "--endpoint-url", tocsin.base, "--output", "json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_aws_cli_v1_with_the_bootstrap_credentials(tocsin, tmp_path):
    made = _aws(tocsin, "ssm-incidents", "create-response-plan", "--name", "from-cli", "--incident-template", "title=From the CLI,impact=2")
    assert made.returncode == 0, made.stderr
    plan_arn = json.loads(made.stdout)["arn"]
    listed = _aws(tocsin, "ssm-incidents", "list-response-plans")
    assert listed.returncode == 0, listed.stderr
    assert [p["name"] for p in json.loads(listed.stdout)["responsePlanSummaries"]] == ["from-cli"]
    got = _aws(tocsin, "ssm-incidents", "get-response-plan", "--arn", plan_arn)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["incidentTemplate"]["title"] == "From the CLI"
    rule = _aws(tocsin, "events", "put-rule", "--name", "cli-rule", "--event-pattern", '{"source": ["cli.test"]}')
    assert rule.returncode == 0, rule.stderr
    put = _aws(tocsin, "events", "put-events", "--entries", json.dumps([{"Source": "cli.test", "DetailType": "t", "Detail": "{}"}]))
    assert put.returncode == 0, put.stderr
    assert json.loads(put.stdout)["FailedEntryCount"] == 0
    # A wrong secret is refused with the named error.
    bad = tmp_path / "bad-credentials"
    bad.write_text(f"[tocsin]\naws_access_key_id = {tocsin.access_key_id}\naws_secret_access_key = {'x' * 40}\n")
    refused = _aws(tocsin, "ssm-incidents", "list-response-plans", credentials_file=bad)
    assert refused.returncode != 0
    assert "InvalidSignatureException" in refused.stderr, refused.stderr


def test_audit_verify_passes_and_catches_an_edited_row(tocsin, base_url, admin_credentials):
    incidents = aws_client("ssm-incidents", base_url, admin_credentials)
    plan = incidents.create_response_plan(name="audit", incidentTemplate={"title": "t", "impact": 3})["arn"]
    arn = incidents.start_incident(responsePlanArn=plan)["incidentRecordArn"]
    incidents.update_incident_record(arn=arn, status="RESOLVED")
    tocsin.stop()
    db = ["--database-url", tocsin.database_url, *tocsin.database_args[:2]]
    tool = ROOT / "target" / "debug" / "tocsin"
    verified = subprocess.run([str(tool), "audit", "verify", *db], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert "intact: 3 entries" in verified.stdout
    exported = subprocess.run([str(tool), "audit", "export", *db], capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [e["operation"] for e in lines] == ["CreateResponsePlan", "StartIncident", "UpdateIncidentRecord"]
    assert {e["principal"] for e in lines} == {"arn:aws:iam::000000000000:user/admin"}
    # Someone with the database but not the key file edits a row, and recomputes plain
    # SHA-256 hashes for it and every later row.
    query(
        tocsin,
        "UPDATE audit_log SET body = replace(body, 'UpdateIncidentRecord', 'GetIncidentRecord'), "
        "operation = 'GetIncidentRecord' WHERE seq = 3",
    )
    import hashlib

    previous = query(tocsin, "SELECT mac FROM audit_log WHERE seq = 2")[0][0]
    body = query(tocsin, "SELECT body FROM audit_log WHERE seq = 3")[0][0]
    forged = hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()
    query(tocsin, f"UPDATE audit_log SET mac = {sql_text(forged)} WHERE seq = 3")
    broken = subprocess.run([str(tool), "audit", "verify", *db], capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1, broken.stdout
    assert "broken at entry 3" in broken.stderr, broken.stderr

"""Engagements in real time, with boto3's `ssm-contacts` client and a real SMTP server
(aiosmtpd): an escalation plan pages stage after stage by whole minutes until an essential
contact reads a page, `DELIVERED` is only a receipt, a wrong code is refused under
`ENFORCE`, a GET of a page's link changes nothing, the schedule survives `kill -9`, and an
incident acknowledgement with an expiry lapses and restarts paging.

The minute-long scenarios wait for real minutes (no test-only clock) and run at once, each
on its own server: about two and a half minutes in all."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError
from conftest import TocsinServer
from receivers import SmtpSink, body_text

STAGE_S = 60


def contacts_client(server, key=None):
    key = key or (server.access_key_id, server.secret_access_key)
    return aws_client("ssm-contacts", server.base, key)


def mails_to(smtp, address):
    return [m for m in list(smtp.messages) if m["To"] == address]


def personal(c, smtp, alias, principal=None):
    """A personal contact with an activated email channel (code read from the mail)."""
    tags = [{"Key": "tocsin:principal", "Value": principal}] if principal else []
    arn = c.create_contact(Alias=alias, Type="PERSONAL", Plan={"Stages": []}, Tags=tags)["ContactArn"]
    address = f"{alias}@example.com"
    channel = c.create_contact_channel(
        ContactId=arn, Name="email", Type="EMAIL", DeliveryAddress={"SimpleAddress": address}
    )["ContactChannelArn"]
    mail = smtp.wait_for(lambda m: m["To"] == address, what=f"{alias}'s activation code")
    code = re.search(r"\b(\d{6})\b", body_text(mail)).group(1)
    c.activate_contact_channel(ContactChannelId=channel, ActivationCode=code)
    smtp.messages.remove(mail)
    return arn


def escalation(c, alias, *stages):
    return c.create_contact(
        Alias=alias,
        Type="ESCALATION",
        Plan={
            "Stages": [
                {
                    "DurationInMinutes": STAGE_S // 60,
                    "Targets": [{"ContactTargetInfo": {"ContactId": arn, "IsEssential": True}} for arn in stage],
                }
                for stage in stages
            ]
        },
    )["ContactArn"]


def page_mail(smtp, address, n=1, timeout=30.0):
    smtp.wait_for(lambda m: len(mails_to(smtp, address)) >= n, timeout=timeout, what=f"page {n} to {address}")
    mail = mails_to(smtp, address)[n - 1]
    text = body_text(mail)
    code = re.search(r"Accept code: (\d{6})", text).group(1)
    link = re.search(r"(http://\S+/accept\?\S+)", text).group(1)
    return mail, code, link


def escalation_scenario(server, smtp):
    """An escalation plan pages by stage until an essential contact reads (about 2.2 min)."""
    c = contacts_client(server)
    maria = personal(c, smtp, "maria")
    tom = personal(c, smtp, "tom")
    ana = personal(c, smtp, "ana")
    plan = escalation(c, "db-oncall", [maria], [tom], [ana])

    start = time.time()
    eng = c.start_engagement(
        ContactId=plan, Sender="ops", Subject="DB down", Content="db-1 is unreachable", IdempotencyToken="db-1"
    )["EngagementArn"]
    assert c.start_engagement(
        ContactId=plan, Sender="ops", Subject="DB down", Content="db-1 is unreachable", IdempotencyToken="db-1"
    )["EngagementArn"] == eng
    mail, code1, link = page_mail(smtp, "maria@example.com")
    assert mail["Subject"] == "DB down" and "db-1 is unreachable" in body_text(mail)
    pages = c.list_pages_by_engagement(EngagementId=eng)["Pages"]
    assert [p["ContactArn"] for p in pages] == [maria]
    maria_page = pages[0]["PageArn"]

    # A mail scanner GETs the link: the app loads, nothing is acknowledged.
    with urllib.request.urlopen(link, timeout=10) as resp:
        assert resp.status == 200
    assert "ReadTime" not in c.describe_page(PageId=maria_page)
    # DELIVERED is a receipt only: the escalation goes on.
    c.accept_page(PageId=maria_page, AcceptType="DELIVERED", AcceptCode=code1, AcceptCodeValidation="ENFORCE")
    assert "DeliveryTime" in c.describe_page(PageId=maria_page)

    mail, code2, _ = page_mail(smtp, "tom@example.com", timeout=STAGE_S + 30)
    elapsed = time.time() - start
    assert STAGE_S - 2 <= elapsed <= STAGE_S + 15, f"stage 2 paged after {elapsed:.1f} s"
    tom_page = next(p["PageArn"] for p in c.list_pages_by_contact(ContactId=tom)["Pages"])
    wrong = "000000" if code2 != "000000" else "111111"
    with pytest.raises(ClientError) as e:
        c.accept_page(PageId=tom_page, AcceptType="READ", AcceptCode=wrong, AcceptCodeValidation="ENFORCE")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "StopTime" not in c.describe_engagement(EngagementId=eng)
    c.accept_page(PageId=tom_page, AcceptType="READ", AcceptCode=code2, AcceptCodeValidation="ENFORCE", Note="on it")
    assert "StopTime" in c.describe_engagement(EngagementId=eng)
    receipts = [r["ReceiptType"] for r in c.list_page_receipts(PageId=tom_page)["Receipts"]]
    assert receipts == ["SENT", "READ"], receipts
    assert [r["ReceiptType"] for r in c.list_page_receipts(PageId=maria_page)["Receipts"]] == ["SENT", "DELIVERED", "STOP"]

    # Past the end of stage 2: ana is never paged.
    time.sleep(max(0.0, start + 2 * STAGE_S + 10 - time.time()))
    assert mails_to(smtp, "ana@example.com") == []
    assert len(mails_to(smtp, "tom@example.com")) == 1
    assert [x["EngagementArn"] for x in c.list_engagements()["Engagements"]] == [eng]
    with pytest.raises(ClientError) as e:
        c.describe_page(PageId=tom_page + "x")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def restart_scenario(server, smtp):
    """The next stage keeps its time across kill -9 (about 1.5 min)."""
    c = contacts_client(server)
    maria = personal(c, smtp, "maria")
    tom = personal(c, smtp, "tom")
    plan = escalation(c, "web-oncall", [maria], [tom])
    eng = c.start_engagement(ContactId=plan, Sender="ops", Subject="Web down", Content="5xx everywhere")["EngagementArn"]
    started = c.describe_engagement(EngagementId=eng)["StartTime"].timestamp()
    page_mail(smtp, "maria@example.com")
    time.sleep(15)
    server.proc.kill()
    server.proc.wait()
    time.sleep(5)
    server.start()
    page_mail(smtp, "tom@example.com", timeout=STAGE_S + 30)
    late = time.time() - (started + STAGE_S)
    assert -2 <= late <= 10, f"stage 2 paged {late:+.1f} s from its original time"
    time.sleep(max(0.0, started + STAGE_S + 25 - time.time()))
    assert len(mails_to(smtp, "tom@example.com")) == 1, "paged once, not twice"
    assert len(mails_to(smtp, "maria@example.com")) == 1


def _lab(tmp_path, name):
    directory = tmp_path / name
    directory.mkdir()
    smtp = SmtpSink()
    server = TocsinServer(directory)
    server.extra_args = ["--smtp-url", smtp.url, "--smtp-from", "tocsin@example.com"]
    server.start()
    return server, smtp


def test_escalation_by_stage_and_across_kill_9(request, tmp_path):
    """The two minute-long scenarios, each on its own server and SMTP server, at once."""
    labs = {name: _lab(tmp_path, name) for name in ("escalation", "restart")}
    request.node._tocsin_server = labs["escalation"][0]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = {
                "escalation": pool.submit(escalation_scenario, *labs["escalation"]),
                "restart": pool.submit(restart_scenario, *labs["restart"]),
            }
            failures = []
            for name, run in runs.items():
                try:
                    run.result()
                except Exception as e:  # report both, each with its own server log
                    failures.append(f"{name}: {type(e).__name__}: {e}\n--- {name} server log ---\n{labs[name][0].log()[-4000:]}")
            assert not failures, "\n\n".join(failures)
    finally:
        for server, smtp in labs.values():
            server.stop()
            smtp.close()


def post(server, path, body, key=None):
    key = key or (server.access_key_id, server.secret_access_key)
    req = urllib.request.Request(
        f"{server.base}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key[0]}:{key[1]}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def get(server, path):
    req = urllib.request.Request(f"{server.base}{path}", headers={"Authorization": server.bearer})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_acknowledgement_accepts_own_pages_holds_escalation_and_lapses(mailed):
    server, smtp = mailed
    keys = {}
    for name in ("maria", "tom"):
        status, out = post(server, "/v1/keys", {"name": name, "role": "responder"})
        assert status in (200, 201), out
        keys[name] = (out["accessKeyId"], out["secretAccessKey"])
    principal = lambda name: f"arn:aws:iam::000000000000:user/{name}"  # noqa: E731
    c = contacts_client(server)
    maria = personal(c, smtp, "maria", principal("maria"))
    tom = personal(c, smtp, "tom", principal("tom"))
    team = escalation(c, "team", [maria, tom])

    incidents = aws_client("ssm-incidents", server.base, (server.access_key_id, server.secret_access_key))
    plan = incidents.create_response_plan(
        name="db", incidentTemplate={"title": "Database down", "impact": 1}, engagements=[team]
    )["arn"]
    incident = incidents.start_incident(responsePlanArn=plan)["incidentRecordArn"]
    _, code, _ = page_mail(smtp, "maria@example.com")
    page_mail(smtp, "tom@example.com")
    eng = c.list_engagements(IncidentId=incident)["Engagements"]
    assert len(eng) == 1 and eng[0]["ContactArn"] == team

    status, ack = post(
        server,
        "/v1/incidents/acknowledge",
        {"incidentRecordArn": incident, "note": "looking at the primary", "expiresInSeconds": 2},
        keys["maria"],
    )
    assert status == 200, ack
    assert ack["name"] == "maria" and ack["note"] == "looking at the primary"
    pages = {p["ContactArn"]: p for p in c.list_pages_by_engagement(EngagementId=eng[0]["EngagementArn"])["Pages"]}
    assert "ReadTime" in pages[maria], "maria's own page is accepted"
    assert "ReadTime" not in pages[tom], "tom's is not"
    wall = get(server, "/v1/wall")["incidents"][0]
    assert wall["acknowledgement"]["name"] == "maria"

    # The expiry passes: the timeline says so and the stage is paged again.
    page_mail(smtp, "tom@example.com", n=2, timeout=20)
    page_mail(smtp, "maria@example.com", n=2, timeout=20)
    detail = get(server, f"/v1/incident?arn={urllib.parse.quote(incident, safe='')}")
    types = [e["eventType"] for e in detail["timelineEvents"]]
    assert "Incident Acknowledged" in types and "Acknowledgement Lapsed" in types, types
    lapsed = next(e for e in detail["timelineEvents"] if e["eventType"] == "Acknowledgement Lapsed")
    late = lapsed["eventTime"] - (ack["at"] + 2)
    assert -0.1 <= late <= 3, f"the acknowledgement lapsed {late:+.2f} s from its expiry"
    assert "acknowledgement" not in detail["incident"]
    assert detail["metrics"]["timeToFirstAcknowledgement"] > 0

    # Acknowledging again (no expiry) stops the paging.
    status, _ = post(server, "/v1/incidents/acknowledge", {"incidentRecordArn": incident}, keys["tom"])
    assert status == 200
    n_tom, n_maria = len(mails_to(smtp, "tom@example.com")), len(mails_to(smtp, "maria@example.com"))
    time.sleep(4)
    assert (len(mails_to(smtp, "tom@example.com")), len(mails_to(smtp, "maria@example.com"))) == (n_tom, n_maria)

    # Bad input: unknown incident, too long an expiry, a viewer.
    assert post(server, "/v1/incidents/acknowledge", {"incidentRecordArn": incident + "x"})[0] == 404
    assert post(server, "/v1/incidents/acknowledge", {"incidentRecordArn": incident, "expiresInSeconds": 10**9})[0] == 400

    # A page's link: the POST with its token acknowledges once; the token is single-use.
    ana = personal(c, smtp, "ana")
    direct = c.start_engagement(ContactId=ana, Sender="ops", Subject="Disk", Content="disk full")["EngagementArn"]
    _, _, link = page_mail(smtp, "ana@example.com")
    q = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    body = {"pageArn": q["page"][0], "token": q["token"][0]}
    assert post(server, "/v1/pages/accept", body, ("x", "y"))[0] in (400, 403)  # bad key refused first
    req = urllib.request.Request(
        f"{server.base}/v1/pages/accept", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 204
    assert "StopTime" in c.describe_engagement(EngagementId=direct)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400, "the token is single-use"

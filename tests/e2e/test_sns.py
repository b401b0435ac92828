"""Topics through the real AWS SDK: boto3's `sns` client drives every SNS operation Tocsin
answers (each XML response checked against the botocore model), an HTTPS subscriber on
loopback completes the SubscriptionConfirmation handshake and verifies every message's
signature with the certificate from its SigningCertURL, and a real SMTP server (aiosmtpd)
receives the email confirmation and the published message."""

from __future__ import annotations

import re
import time

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError
from conftest import TocsinServer
from receivers import SmtpSink, SnsHttpsSubscriber, body_text


@pytest.fixture
def lab(request, tmp_path, backend):
    """A Tocsin that may reach loopback, trusts the test CA, and mails through aiosmtpd;
    with the subscriber and the SMTP sink."""
    smtp = SmtpSink()
    server = TocsinServer(tmp_path, postgres=backend)
    subscriber = SnsHttpsSubscriber(tmp_path)
    server.extra_args = [
        "--outbound-allow",
        "127.0.0.0/8",
        "--outbound-ca-file",
        str(subscriber.ca_pem),
        "--smtp-url",
        smtp.url,
        "--smtp-from",
        "tocsin@example.com",
        "--public-url",
        server.base,
    ]
    request.node._tocsin_server = server
    server.start()
    try:
        yield server, subscriber, smtp
    finally:
        server.stop()
        subscriber.close()
        smtp.close()


@pytest.mark.postgres_too
def test_every_sns_operation_with_boto3_https_signatures_and_email(lab):
    server, subscriber, smtp = lab
    sns = aws_client("sns", server.base, (server.access_key_id, server.secret_access_key))

    topic = sns.create_topic(
        Name="ops-alerts", Attributes={"DisplayName": "Ops alerts"}, Tags=[{"Key": "team", "Value": "sre"}]
    )["TopicArn"]
    assert topic == "arn:aws:sns:us-east-1:000000000000:ops-alerts"
    assert sns.create_topic(Name="ops-alerts", Attributes={"DisplayName": "Ops alerts"})["TopicArn"] == topic
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="ops-alerts", Attributes={"DisplayName": "Other"})
    assert e.value.response["Error"]["Code"] == "InvalidParameter"
    assert {"TopicArn": topic} in sns.list_topics()["Topics"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Ops")
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["DisplayName"] == "Ops" and attributes["Owner"] == "000000000000"
    assert attributes["SignatureVersion"] == "2"

    sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "env", "Value": "prod"}])
    sns.untag_resource(ResourceArn=topic, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [{"Key": "env", "Value": "prod"}]

    # HTTPS: the subscriber verifies the confirmation's signature and GETs its SubscribeURL.
    pending = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=subscriber.url, ReturnSubscriptionArn=True)
    https_arn = pending["SubscriptionArn"]
    subscriber.wait_for("SubscriptionConfirmation")
    deadline = time.monotonic() + 15
    while sns.get_subscription_attributes(SubscriptionArn=https_arn)["Attributes"]["PendingConfirmation"] != "false":
        assert time.monotonic() < deadline, "the SubscribeURL GET did not confirm"
        time.sleep(0.2)

    # Email: the confirmation arrives by SMTP; the token in its link confirms through boto3.
    assert sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")["SubscriptionArn"] == (
        "pending confirmation"
    )
    confirmation = smtp.wait_for(lambda m: "Confirmation" in m["Subject"], what="the confirmation email")
    assert confirmation["To"] == "oncall@example.com"
    assert confirmation["From"] == "tocsin@example.com"
    link = re.search(r"(http://\S+/v1/sns/confirm\?\S+)", body_text(confirmation)).group(1)
    token = re.search(r"Token=([0-9a-f]+)", link).group(1)
    email_arn = sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
    assert email_arn.startswith(topic + ":")
    with pytest.raises(ClientError) as e:
        sns.confirm_subscription(TopicArn=topic, Token="0" * 64)
    assert e.value.response["Error"]["Code"] == "InvalidParameter"

    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted((s["Protocol"], s["SubscriptionArn"]) for s in subs) == sorted(
        [("https", https_arn), ("email", email_arn)]
    )
    sns.set_subscription_attributes(SubscriptionArn=https_arn, AttributeName="RawMessageDelivery", AttributeValue="false")

    message_id = sns.publish(
        TopicArn=topic,
        Subject="Disk almost full",
        Message="db-1 /var is 97% full",
        MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}},
    )["MessageId"]
    notification = subscriber.wait_for("Notification")[0]
    assert notification["MessageId"] == message_id
    assert notification["Message"] == "db-1 /var is 97% full"
    assert notification["MessageAttributes"] == {"severity": {"Type": "String", "Value": "high"}}
    assert notification["UnsubscribeURL"].startswith(server.base + "/v1/sns/unsubscribe?")
    assert subscriber.errors == [], subscriber.errors
    assert len(subscriber.verified) == 2, "the confirmation and the notification, both verified"
    mail = smtp.wait_for(lambda m: m["Subject"] == "Disk almost full", what="the published email")
    assert "db-1 /var is 97% full" in body_text(mail)
    assert "/v1/sns/unsubscribe?" in body_text(mail)

    # A tampered message fails the same verification the subscriber ran.
    from receivers import verify_sns_signature

    tampered = dict(notification, Message="db-1 is fine")
    with pytest.raises(Exception):
        verify_sns_signature(tampered, subscriber.fetch)

    sns.unsubscribe(SubscriptionArn=email_arn)
    assert [s["Protocol"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == ["https"]
    sns.delete_topic(TopicArn=topic)
    assert {"TopicArn": topic} not in sns.list_topics()["Topics"]
    with pytest.raises(ClientError) as e:
        sns.get_topic_attributes(TopicArn=topic)
    assert e.value.response["Error"]["Code"] == "NotFound"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_sns_refuses_bad_credentials_and_roles_in_its_own_codes(tocsin):
    good = aws_client("sns", tocsin.base, (tocsin.access_key_id, tocsin.secret_access_key))
    topic = good.create_topic(Name="t")["TopicArn"]
    wrong_secret = aws_client("sns", tocsin.base, (tocsin.access_key_id, "x" * 40))
    with pytest.raises(ClientError) as e:
        wrong_secret.list_topics()
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    unknown = aws_client("sns", tocsin.base, ("TOCSAAAAAAAAAAAAAAAA", "x" * 40))
    with pytest.raises(ClientError) as e:
        unknown.list_topics()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
    viewer = tocsin.post_json("/v1/keys", {"name": "viewer", "role": "viewer"})
    as_viewer = aws_client("sns", tocsin.base, (viewer["accessKeyId"], viewer["secretAccessKey"]))
    assert {"TopicArn": topic} in as_viewer.list_topics()["Topics"]
    with pytest.raises(ClientError) as e:
        as_viewer.publish(TopicArn=topic, Message="x")
    assert e.value.response["Error"]["Code"] == "AuthorizationError"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_email_over_starttls_and_implicit_tls_to_a_relay_with_an_internal_ca(request, tmp_path, tls):
    """Tocsin verifies the relay's certificate against --outbound-ca-file's roots."""
    from receivers import make_ca_and_leaf

    ca, leaf, key = make_ca_and_leaf(tmp_path)
    smtp = SmtpSink(tls=tls, cert=(leaf, key))
    server = TocsinServer(tmp_path)
    server.extra_args = ["--smtp-url", smtp.url, "--smtp-from", "tocsin@example.com", "--outbound-ca-file", str(ca)]
    request.node._tocsin_server = server
    server.start()
    try:
        sns = aws_client("sns", server.base, (server.access_key_id, server.secret_access_key))
        topic = sns.create_topic(Name="mail")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
        mail = smtp.wait_for(lambda m: "Confirmation" in m["Subject"], what=f"the confirmation over {tls}")
        assert "/v1/sns/confirm?" in body_text(mail)
    finally:
        server.stop()
        smtp.close()


def test_email_to_a_relay_whose_certificate_is_not_trusted_fails_with_the_reason(request, tmp_path):
    from receivers import make_ca_and_leaf

    _, leaf, key = make_ca_and_leaf(tmp_path)
    smtp = SmtpSink(tls="starttls", cert=(leaf, key))
    server = TocsinServer(tmp_path)
    server.extra_args = ["--smtp-url", smtp.url, "--smtp-from", "tocsin@example.com"]
    request.node._tocsin_server = server
    server.start()
    try:
        sns = aws_client("sns", server.base, (server.access_key_id, server.secret_access_key))
        topic = sns.create_topic(Name="mail")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
        import json
        import urllib.request

        deadline = time.monotonic() + 20
        while True:
            req = urllib.request.Request(f"{server.base}/v1/notifications", headers={"Authorization": server.bearer})
            with urllib.request.urlopen(req, timeout=10) as resp:
                log = json.loads(resp.read())
            errors = [a.get("error", "") for d in log for a in d["attempts"]]
            if errors:
                break
            assert time.monotonic() < deadline, log
            time.sleep(0.2)
        assert any("certificate" in e.lower() or "tls" in e.lower() for e in errors), errors
        assert smtp.messages == []
    finally:
        server.stop()
        smtp.close()

"""Contacts through the real AWS SDK: boto3's `ssm-contacts` client creates personal
contacts and escalation plans, a contact channel's activation code arrives at a real SMTP
server (aiosmtpd) and activates it, and an SMS channel without a gateway is refused with the
setting it needs. Every response is checked against the botocore model."""

from __future__ import annotations

import re

import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError
from receivers import body_text


@pytest.mark.postgres_too
def test_contacts_channels_and_activation_codes_by_email(mailed):
    server, smtp = mailed
    c = aws_client("ssm-contacts", server.base, (server.access_key_id, server.secret_access_key))
    maria = c.create_contact(
        Alias="maria",
        DisplayName="Maria Silva",
        Type="PERSONAL",
        Plan={"Stages": []},
        Tags=[{"Key": "tocsin:principal", "Value": "arn:aws:iam::000000000000:user/maria"}],
        IdempotencyToken="create-maria",
    )["ContactArn"]
    assert maria == "arn:aws:ssm-contacts:us-east-1:000000000000:contact/maria"
    again = c.create_contact(Alias="maria", Type="PERSONAL", Plan={"Stages": []}, IdempotencyToken="create-maria")
    assert again["ContactArn"] == maria, "the idempotency token replays"
    with pytest.raises(ClientError) as e:
        c.create_contact(Alias="maria", Type="PERSONAL", Plan={"Stages": []})
    assert e.value.response["Error"]["Code"] == "ConflictException"

    channel = c.create_contact_channel(
        ContactId=maria, Name="work email", Type="EMAIL", DeliveryAddress={"SimpleAddress": "maria@example.com"}
    )["ContactChannelArn"]
    mail = smtp.wait_for(lambda m: m["To"] == "maria@example.com", what="the activation code")
    code = re.search(r"\b(\d{6})\b", body_text(mail)).group(1)
    listed = c.list_contact_channels(ContactId=maria)["ContactChannels"]
    assert [(ch["ContactChannelArn"], ch["ActivationStatus"]) for ch in listed] == [(channel, "NOT_ACTIVATED")]
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ClientError) as e:
        c.activate_contact_channel(ContactChannelId=channel, ActivationCode=wrong)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    c.activate_contact_channel(ContactChannelId=channel, ActivationCode=code)
    assert c.list_contact_channels(ContactId=maria)["ContactChannels"][0]["ActivationStatus"] == "ACTIVATED"
    c.send_activation_code(ContactChannelId=channel)
    assert len(smtp.wait_for(lambda m: len([x for x in smtp.messages if x["To"] == "maria@example.com"]) >= 2, what="a second code")["Subject"]) > 0

    # SMS without a gateway: refused, naming the setting.
    with pytest.raises(ClientError) as e:
        c.create_contact_channel(ContactId=maria, Name="phone", Type="SMS", DeliveryAddress={"SimpleAddress": "+15555550100"})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "--sms-gateway-url" in e.value.response["Error"]["Message"]

    c.update_contact(
        ContactId=maria,
        Plan={"Stages": [{"DurationInMinutes": 1, "Targets": [{"ChannelTargetInfo": {"ContactChannelId": channel, "RetryIntervalInMinutes": 1}}]}]},
    )
    # An engagement of maria, stopped by hand: the page gets a STOP receipt.
    eng = c.start_engagement(ContactId=maria, Sender="ops", Subject="Test page", Content="please ignore")["EngagementArn"]
    smtp.wait_for(lambda m: m["Subject"] == "Test page", what="the page")
    c.stop_engagement(EngagementId=eng, Reason="a drill")
    assert "StopTime" in c.describe_engagement(EngagementId=eng)
    page = c.list_pages_by_engagement(EngagementId=eng)["Pages"][0]["PageArn"]
    assert [r["ReceiptType"] for r in c.list_page_receipts(PageId=page)["Receipts"]] == ["SENT", "STOP"]
    with pytest.raises(ClientError) as e:
        c.stop_engagement(EngagementId=eng + "-nope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"

    got = c.get_contact(ContactId=maria)
    assert got["Alias"] == "maria" and got["Type"] == "PERSONAL" and got["DisplayName"] == "Maria Silva"
    assert got["Plan"]["Stages"][0]["Targets"][0]["ChannelTargetInfo"]["ContactChannelId"] == channel

    tom = c.create_contact(Alias="tom", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    oncall = c.create_contact(
        Alias="db-oncall",
        Type="ESCALATION",
        Plan={
            "Stages": [
                {"DurationInMinutes": 1, "Targets": [{"ContactTargetInfo": {"ContactId": maria, "IsEssential": True}}]},
                {"DurationInMinutes": 1, "Targets": [{"ContactTargetInfo": {"ContactId": tom, "IsEssential": True}}]},
            ]
        },
    )["ContactArn"]
    for bad_plan, why in [
        ({"Stages": [{"DurationInMinutes": 31, "Targets": []}]}, "0-30"),
        ({"Stages": [{"DurationInMinutes": 1, "Targets": [{"ChannelTargetInfo": {"ContactChannelId": channel}}]}]}, "contacts"),
        ({"Stages": [{"DurationInMinutes": 1, "Targets": [{"ContactTargetInfo": {"ContactId": oncall, "IsEssential": True}}]}]}, "personal"),
    ]:
        with pytest.raises(ClientError) as e:
            c.create_contact(Alias="bad", Type="ESCALATION", Plan=bad_plan)
        assert e.value.response["Error"]["Code"] == "ValidationException", bad_plan
        assert why in e.value.response["Error"]["Message"]
    assert {x["Alias"] for x in c.list_contacts()["Contacts"]} == {"maria", "tom", "db-oncall"}
    assert [x["Alias"] for x in c.list_contacts(Type="ESCALATION")["Contacts"]] == ["db-oncall"]
    assert [x["Alias"] for x in c.list_contacts(AliasPrefix="ma")["Contacts"]] == ["maria"]
    page = c.list_contacts(MaxResults=2)
    assert len(page["Contacts"]) == 2 and "NextToken" in page
    assert len(c.list_contacts(NextToken=page["NextToken"])["Contacts"]) == 1

    with pytest.raises(ClientError) as e:
        c.delete_contact(ContactId=tom)
    assert e.value.response["Error"]["Code"] == "ConflictException", "the escalation plan engages tom"
    c.delete_contact(ContactId=oncall)
    c.delete_contact(ContactId=tom)
    c.delete_contact_channel(ContactChannelId=channel)
    assert c.list_contact_channels(ContactId=maria)["ContactChannels"] == []
    with pytest.raises(ClientError) as e:
        c.get_contact(ContactId=tom)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"

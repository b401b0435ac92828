//! Contacts and contact channels: Tocsin's subset of Incident Manager Contacts
//! (`ssm-contacts` 2021-05-03). Mirrors `CreateContact`, `GetContact`, `ListContacts`,
//! `UpdateContact`, `DeleteContact`, `CreateContactChannel`, `ListContactChannels`,
//! `ActivateContactChannel`, `SendActivationCode` and `DeleteContactChannel`.
//!
//! A `PERSONAL` contact's plan has stages of its channels; an `ESCALATION` contact's plan
//! has stages of other (personal) contacts. `EMAIL` channels are delivered by SMTP; `SMS`
//! and `VOICE` only through the operator's gateway (`--sms-gateway-url`), and are refused
//! without one. A channel is activated with the 6-digit code sent to it. The tag
//! `tocsin:principal` names the access-key principal a contact is, so acknowledging an
//! incident accepts that responder's own pages.

use std::collections::BTreeMap;

use tocsin_api::contacts::{
    ActivateContactChannelRequest, Contact, ContactChannel, CreateContactChannelRequest,
    CreateContactRequest, GetContactResult, ListContactChannelsRequest, ListContactChannelsResult,
    ListContactsRequest, ListContactsResult, Plan, UpdateContactRequest,
};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::notify::{Destination, queue, sns_timestamp};
use crate::domain::validate::Page;
use crate::store::{OutMessage, StoreTx, StoredChannel, StoredContact};

/// The tag naming the access-key principal a contact is.
pub const PRINCIPAL_TAG: &str = "tocsin:principal";
const CREATE_CONTACT: &str = "CreateContact";
const CREATE_CHANNEL: &str = "CreateContactChannel";

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::Validation(message.into())
}

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::NotFound(format!("{what} {id} does not exist."))
}

/// `arn:aws:ssm-contacts:REGION:ACCOUNT:contact/ALIAS`.
pub fn contact_arn(config: &ServerConfig, alias: &str) -> String {
    format!(
        "arn:aws:ssm-contacts:{}:{}:contact/{alias}",
        config.region, config.account_id
    )
}

async fn contact(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<StoredContact> {
    tx.contact(arn)
        .await?
        .ok_or_else(|| not_found("Contact", arn))
}

async fn channel(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<StoredChannel> {
    tx.channel(arn)
        .await?
        .ok_or_else(|| not_found("Contact channel", arn))
}

/// Checks a plan against the contact's type: stage durations 0-30 minutes, retry intervals
/// 0-60; a personal plan names this contact's own channels, an escalation plan names
/// existing personal contacts.
async fn check_plan(
    tx: &mut dyn StoreTx,
    contact_arn: &str,
    contact_type: &str,
    plan: &Plan,
) -> ApiResult<()> {
    if plan.rotation_ids.as_ref().is_some_and(|r| !r.is_empty()) {
        return Err(invalid(
            "Plan.RotationIds: on-call rotations are not supported by Tocsin.",
        ));
    }
    for (i, stage) in plan.stages.iter().flatten().enumerate() {
        if !(0..=30).contains(&stage.duration_in_minutes) {
            return Err(invalid(format!(
                "Plan.Stages[{i}].DurationInMinutes must be 0-30."
            )));
        }
        for target in &stage.targets {
            match (
                contact_type,
                &target.channel_target_info,
                &target.contact_target_info,
            ) {
                ("PERSONAL", Some(c), None) => {
                    if !(0..=60).contains(&c.retry_interval_in_minutes.unwrap_or(0)) {
                        return Err(invalid(format!(
                            "Plan.Stages[{i}]: RetryIntervalInMinutes must be 0-60."
                        )));
                    }
                    let ch = tx.channel(&c.contact_channel_id).await?;
                    if ch.is_none_or(|ch| ch.channel.contact_arn != contact_arn) {
                        return Err(invalid(format!(
                            "Plan.Stages[{i}]: {} is not a channel of this contact.",
                            c.contact_channel_id
                        )));
                    }
                }
                ("ESCALATION", None, Some(c)) => {
                    let id = c.contact_id.clone().unwrap_or_default();
                    match tx.contact(&id).await? {
                        Some(t) if t.contact.contact_type == "PERSONAL" => {}
                        Some(_) => {
                            return Err(invalid(format!(
                                "Plan.Stages[{i}]: {id} is an escalation plan; an escalation plan engages personal contacts."
                            )));
                        }
                        None => return Err(not_found("Contact", &id)),
                    }
                }
                ("PERSONAL", ..) => {
                    return Err(invalid(format!(
                        "Plan.Stages[{i}]: a personal contact's stages target its channels (ChannelTargetInfo) only."
                    )));
                }
                _ => {
                    return Err(invalid(format!(
                        "Plan.Stages[{i}]: an escalation plan's stages target contacts (ContactTargetInfo) only."
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Mirrors `CreateContact`.
///
/// Errors: `ValidationException` (alias, type, plan, tags), `ConflictException` (alias
/// taken), `ResourceNotFoundException` (a contact an escalation plan names).
pub async fn create_contact(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: CreateContactRequest,
    now: f64,
) -> ApiResult<String> {
    let alias_ok = (1..=255).contains(&req.alias.len())
        && req
            .alias
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !alias_ok {
        return Err(invalid(
            "Alias must be 1-255 lower-case letters, digits, '_' or '-'.",
        ));
    }
    if let Some(token) = &req.idempotency_token
        && let Some(arn) = tx.client_token(CREATE_CONTACT, token).await?
    {
        return Ok(arn);
    }
    match req.contact_type.as_str() {
        "PERSONAL" | "ESCALATION" => {}
        "ONCALL_SCHEDULE" => {
            return Err(invalid(
                "Type ONCALL_SCHEDULE: on-call schedules are not supported by Tocsin; use PERSONAL or ESCALATION.",
            ));
        }
        other => {
            return Err(invalid(format!(
                "Type {other} is not PERSONAL or ESCALATION."
            )));
        }
    }
    let arn = contact_arn(config, &req.alias);
    if tx.contact(&arn).await?.is_some() {
        return Err(ApiError::service(
            "ConflictException",
            format!("A contact with alias {} already exists.", req.alias),
        ));
    }
    check_plan(tx, &arn, &req.contact_type, &req.plan).await?;
    let mut tags = BTreeMap::new();
    for tag in req.tags.iter().flatten() {
        let key = tag.key.clone().unwrap_or_default();
        if key.is_empty() || key.len() > 128 {
            return Err(invalid("Tags: every tag needs a Key of 1-128 characters."));
        }
        tags.insert(key, tag.value.clone().unwrap_or_default());
    }
    if tags.len() > 50 {
        return Err(invalid("Tags: at most 50."));
    }
    tx.put_contact(&StoredContact {
        contact: GetContactResult {
            contact_arn: arn.clone(),
            alias: req.alias,
            display_name: req.display_name,
            contact_type: req.contact_type,
            plan: req.plan,
        },
        tags,
        created_at: now,
    })
    .await?;
    if let Some(token) = &req.idempotency_token {
        tx.put_client_token(CREATE_CONTACT, token, &arn).await?;
    }
    Ok(arn)
}

/// Mirrors `GetContact`.
///
/// Errors: `ResourceNotFoundException`.
pub async fn get_contact(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<GetContactResult> {
    Ok(contact(tx, arn).await?.contact)
}

/// Mirrors `ListContacts` (by ARN; the next token is the last ARN shown).
///
/// Errors: `ValidationException` (MaxResults).
pub async fn list_contacts(
    tx: &mut dyn StoreTx,
    req: ListContactsRequest,
) -> ApiResult<ListContactsResult> {
    let max = req.max_results.unwrap_or(100);
    if !(1..=1024).contains(&max) {
        return Err(invalid("MaxResults must be 1-1024."));
    }
    let after = req.next_token.unwrap_or_default();
    let mut matching: Vec<Contact> = tx
        .contacts()
        .await?
        .into_iter()
        .filter(|c| c.contact.contact_arn > after)
        .filter(|c| {
            req.alias_prefix
                .as_deref()
                .is_none_or(|p| c.contact.alias.starts_with(p))
        })
        .filter(|c| {
            req.contact_type
                .as_deref()
                .is_none_or(|t| c.contact.contact_type == t)
        })
        .map(|c| Contact {
            contact_arn: c.contact.contact_arn,
            alias: c.contact.alias,
            display_name: c.contact.display_name,
            contact_type: c.contact.contact_type,
        })
        .collect();
    let next_token = (matching.len() > max as usize).then(|| {
        matching.truncate(max as usize);
        matching
            .last()
            .map(|c| c.contact_arn.clone())
            .unwrap_or_default()
    });
    Ok(ListContactsResult {
        next_token,
        contacts: matching,
    })
}

/// Mirrors `UpdateContact`.
///
/// Errors: `ResourceNotFoundException`, `ValidationException` (plan).
pub async fn update_contact(tx: &mut dyn StoreTx, req: UpdateContactRequest) -> ApiResult<()> {
    let mut c = contact(tx, &req.contact_id).await?;
    if let Some(plan) = req.plan {
        check_plan(tx, &c.contact.contact_arn, &c.contact.contact_type, &plan).await?;
        c.contact.plan = plan;
    }
    if let Some(name) = req.display_name {
        c.contact.display_name = Some(name);
    }
    tx.put_contact(&c).await?;
    Ok(())
}

/// Mirrors `DeleteContact` (its channels go with it).
///
/// Errors: `ResourceNotFoundException`; `ConflictException` while an escalation plan
/// names it.
pub async fn delete_contact(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    contact(tx, arn).await?;
    for other in tx.contacts().await? {
        let named = other
            .contact
            .plan
            .stages
            .iter()
            .flatten()
            .flat_map(|s| &s.targets)
            .any(|t| {
                t.contact_target_info
                    .as_ref()
                    .and_then(|c| c.contact_id.as_deref())
                    == Some(arn)
            });
        if named {
            return Err(ApiError::service(
                "ConflictException",
                format!(
                    "{arn} is engaged by the escalation plan {}; remove it there first.",
                    other.contact.contact_arn
                ),
            ));
        }
    }
    tx.delete_contact(arn).await?;
    Ok(())
}

/// Queues a message straight to a contact channel (an activation code, a page) in the
/// notification outbox: it is delivered, retried and logged like a topic's.
pub async fn queue_to_channel(
    tx: &mut dyn StoreTx,
    ch: &ContactChannel,
    kind: &str,
    subject: &str,
    text: String,
    incident_arn: Option<String>,
    now: f64,
) -> ApiResult<String> {
    let message_id = uuid::Uuid::new_v4().to_string();
    let to = Destination {
        topic_arn: String::new(),
        subscription_arn: ch.contact_channel_arn.clone(),
        protocol: ch.channel_type.to_ascii_lowercase(),
        endpoint: ch
            .delivery_address
            .simple_address
            .clone()
            .unwrap_or_default(),
    };
    let message = OutMessage {
        text,
        subject: Some(subject.to_owned()),
        timestamp: sns_timestamp(now),
        notice: None,
        attributes: serde_json::Map::new(),
        token: None,
    };
    queue(tx, kind, &message_id, to, incident_arn, message, now).await?;
    Ok(message_id)
}

async fn send_code(tx: &mut dyn StoreTx, c: &mut StoredChannel, now: f64) -> ApiResult<()> {
    let code = crate::domain::keys::random_digits(6);
    c.activation_code = Some(code.clone());
    tx.put_channel(c).await?;
    queue_to_channel(
        tx,
        &c.channel,
        "ActivationCode",
        "Tocsin contact channel activation code",
        format!(
            "Your activation code for the Tocsin contact channel {} is {code}.\nActivate the channel with ActivateContactChannel (or in the Tocsin app) and this code.",
            c.channel.name
        ),
        None,
        now,
    )
    .await?;
    Ok(())
}

/// Mirrors `CreateContactChannel`: the channel starts `NOT_ACTIVATED`, and an activation
/// code is sent to it unless `DeferActivation`.
///
/// Errors: `ResourceNotFoundException` (contact), `ValidationException` (name, type,
/// address; `SMS` or `VOICE` without `--sms-gateway-url`; a channel for an escalation plan).
pub async fn create_channel(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: CreateContactChannelRequest,
    now: f64,
) -> ApiResult<String> {
    if let Some(token) = &req.idempotency_token
        && let Some(arn) = tx.client_token(CREATE_CHANNEL, token).await?
    {
        return Ok(arn);
    }
    let owner = contact(tx, &req.contact_id).await?;
    if owner.contact.contact_type != "PERSONAL" {
        return Err(invalid(
            "Contact channels belong to personal contacts, not escalation plans.",
        ));
    }
    if req.name.is_empty() || req.name.len() > 255 {
        return Err(invalid("Name must be 1-255 characters."));
    }
    let address = req
        .delivery_address
        .simple_address
        .clone()
        .unwrap_or_default();
    match req.channel_type.as_str() {
        "EMAIL" => {
            address.parse::<lettre::Address>().map_err(|_| {
                invalid(format!(
                    "DeliveryAddress {address:?} is not an email address."
                ))
            })?;
        }
        "SMS" | "VOICE" => {
            if config.sms_gateway_url.is_none() {
                return Err(invalid(format!(
                    "{} channels need an SMS/voice gateway, and none is configured: start Tocsin with --sms-gateway-url.",
                    req.channel_type
                )));
            }
            let e164 = address.starts_with('+')
                && (8..=16).contains(&address.len())
                && address[1..].chars().all(|c| c.is_ascii_digit());
            if !e164 {
                return Err(invalid(format!(
                    "DeliveryAddress {address:?} is not an E.164 phone number (+ and 7-15 digits)."
                )));
            }
        }
        other => return Err(invalid(format!("Type {other} is not EMAIL, SMS or VOICE."))),
    }
    let arn = format!(
        "arn:aws:ssm-contacts:{}:{}:contact-channel/{}/{}",
        config.region,
        config.account_id,
        owner.contact.alias,
        uuid::Uuid::new_v4()
    );
    let mut stored = StoredChannel {
        channel: ContactChannel {
            contact_channel_arn: arn.clone(),
            contact_arn: owner.contact.contact_arn,
            name: req.name,
            channel_type: req.channel_type,
            delivery_address: req.delivery_address,
            activation_status: "NOT_ACTIVATED".into(),
        },
        activation_code: None,
        created_at: now,
    };
    tx.put_channel(&stored).await?;
    if !req.defer_activation.unwrap_or(false) {
        send_code(tx, &mut stored, now).await?;
    }
    if let Some(token) = &req.idempotency_token {
        tx.put_client_token(CREATE_CHANNEL, token, &arn).await?;
    }
    Ok(arn)
}

/// Mirrors `SendActivationCode`: a new code replaces the last.
///
/// Errors: `ResourceNotFoundException`.
pub async fn send_activation_code(tx: &mut dyn StoreTx, arn: &str, now: f64) -> ApiResult<()> {
    let mut c = channel(tx, arn).await?;
    send_code(tx, &mut c, now).await
}

/// Mirrors `ActivateContactChannel`.
///
/// Errors: `ResourceNotFoundException`; `ValidationException` for a wrong code (or none
/// sent yet).
pub async fn activate_channel(
    tx: &mut dyn StoreTx,
    req: ActivateContactChannelRequest,
) -> ApiResult<()> {
    use subtle::ConstantTimeEq;
    let mut c = channel(tx, &req.contact_channel_id).await?;
    if c.channel.activation_status == "ACTIVATED" {
        return Ok(());
    }
    let right = c
        .activation_code
        .as_deref()
        .is_some_and(|code| bool::from(code.as_bytes().ct_eq(req.activation_code.as_bytes())));
    if !right {
        return Err(invalid(
            "The activation code is not the one sent to this channel.",
        ));
    }
    c.channel.activation_status = "ACTIVATED".into();
    c.activation_code = None;
    tx.put_channel(&c).await?;
    Ok(())
}

/// Mirrors `ListContactChannels`.
///
/// Errors: `ResourceNotFoundException`.
pub async fn list_channels(
    tx: &mut dyn StoreTx,
    req: ListContactChannelsRequest,
) -> ApiResult<ListContactChannelsResult> {
    contact(tx, &req.contact_id).await?;
    let page = Page::parse(
        "MaxResults",
        Some(req.max_results.unwrap_or(100)),
        req.next_token.as_deref(),
        1024,
    )?;
    let all: Vec<ContactChannel> = tx
        .channels(&req.contact_id)
        .await?
        .into_iter()
        .map(|c| c.channel)
        .collect();
    let (page, next_token) = page.slice(all);
    Ok(ListContactChannelsResult {
        next_token,
        contact_channels: page,
    })
}

/// Mirrors `DeleteContactChannel`.
///
/// Errors: `ResourceNotFoundException`.
pub async fn delete_channel(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    if tx.delete_channel(arn).await? {
        Ok(())
    } else {
        Err(not_found("Contact channel", arn))
    }
}

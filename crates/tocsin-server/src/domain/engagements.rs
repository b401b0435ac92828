//! The escalation engine: engagements, pages and their acceptance. Mirrors
//! `StartEngagement`, `StopEngagement`, `DescribeEngagement`, `ListEngagements`,
//! `ListPagesByEngagement`, `ListPagesByContact`, `DescribePage`, `ListPageReceipts` and
//! `AcceptPage` of Incident Manager Contacts (`ssm-contacts` 2021-05-03).
//!
//! - Engaging a **personal contact** pages it; engaging an **escalation plan** pages the
//!   contacts of its first stage, and when a stage's `DurationInMinutes` passes without the
//!   engagement stopping, the next stage's contacts.
//! - A **page** goes to the contact's `ACTIVATED` channels stage by stage of the contact's
//!   own plan (all activated channels when the plan is empty); a channel with
//!   `RetryIntervalInMinutes` gets the page again at that interval during its stage. Each
//!   page carries a 6-digit accept code and a link to a confirmation page in the app, whose
//!   acceptance is a POST with a single-use token (mail scanners prefetch links with GET).
//! - `AcceptPage` with `READ` acknowledges the page: it stops that contact's own plan, and
//!   an essential contact's (or a directly engaged contact's) acknowledgement stops the
//!   engagement. `DELIVERED` is a receipt only. `AcceptCodeValidation=ENFORCE` refuses a
//!   wrong code.
//!
//! Durable scheduling: every engagement and page has a `wake_at` (the end of its stage, a
//! channel's next retry); the escalation worker acts on those that are due, each in one
//! transaction, and stages are anchored to when the previous one began, so a restart acts
//! at the original time and never twice.

use serde_json::json;
use tocsin_api::contacts::{
    AcceptPageRequest, DescribeEngagementResult, DescribePageResult, Engagement,
    ListEngagementsRequest, ListEngagementsResult, ListPageReceiptsResult, ListPagesRequest,
    ListPagesResult, Page, Receipt, StartEngagementRequest,
};
use tocsin_api::native::timeline_event_types as kinds;

use crate::config::ServerConfig;
use crate::domain::contacts::{PRINCIPAL_TAG, queue_to_channel};
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::timeline::{append_timeline, timeline_entry};
use crate::store::{StoreTx, StoredContact, StoredEngagement, StoredPage};

const START_ENGAGEMENT: &str = "StartEngagement";
/// How long a page's accept link works (24 hours).
pub const LINK_LIFETIME_SECS: f64 = 86_400.0;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::Validation(message.into())
}

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::NotFound(format!("{what} {id} does not exist."))
}

/// Writes a timeline entry when the engagement belongs to an incident that exists.
async fn timeline(
    tx: &mut dyn StoreTx,
    incident_id: Option<&str>,
    kind: &str,
    data: serde_json::Value,
    now: f64,
) -> ApiResult<()> {
    if let Some(arn) = incident_id
        && tx.incident(arn).await?.is_some()
    {
        append_timeline(tx, timeline_entry(arn, kind, data, now)).await?;
    }
    Ok(())
}

async fn contact(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<StoredContact> {
    tx.contact(arn)
        .await?
        .ok_or_else(|| not_found("Contact", arn))
}

fn stage_secs(contact: &StoredContact, stage: usize) -> Option<f64> {
    contact
        .contact
        .plan
        .stages
        .as_ref()
        .and_then(|s| s.get(stage))
        .map(|s| f64::from(s.duration_in_minutes.max(0)) * 60.0)
}

fn stage_count(contact: &StoredContact) -> usize {
    contact.contact.plan.stages.as_ref().map_or(0, Vec::len)
}

/// The channels (with their retry interval in seconds) a personal contact's plan stage
/// names, activated ones only; with no stages, every activated channel once.
async fn stage_channels(
    tx: &mut dyn StoreTx,
    c: &StoredContact,
    stage: usize,
) -> ApiResult<Vec<(tocsin_api::contacts::ContactChannel, f64)>> {
    let channels = tx.channels(&c.contact.contact_arn).await?;
    let active = |arn: &str| {
        channels
            .iter()
            .find(|ch| {
                ch.channel.contact_channel_arn == arn && ch.channel.activation_status == "ACTIVATED"
            })
            .map(|ch| ch.channel.clone())
    };
    match c.contact.plan.stages.as_ref().filter(|s| !s.is_empty()) {
        None => Ok(channels
            .iter()
            .filter(|ch| ch.channel.activation_status == "ACTIVATED")
            .map(|ch| (ch.channel.clone(), 0.0))
            .collect()),
        Some(stages) => Ok(stages
            .get(stage)
            .map(|s| {
                s.targets
                    .iter()
                    .filter_map(|t| t.channel_target_info.as_ref())
                    .filter_map(|t| {
                        active(&t.contact_channel_id).map(|ch| {
                            (
                                ch,
                                f64::from(t.retry_interval_in_minutes.unwrap_or(0).max(0)) * 60.0,
                            )
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()),
    }
}

/// Sends a page to one channel (through the notification outbox) and records `SENT`.
async fn send_to_channel(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    p: &mut StoredPage,
    ch: &tocsin_api::contacts::ContactChannel,
    now: f64,
) -> ApiResult<()> {
    let link = config.links.app_page(
        "/accept",
        &[
            ("page", &p.page.page_arn),
            ("token", p.link_token.as_deref().unwrap_or_default()),
        ],
    );
    let (subject, content) = if ch.channel_type == "EMAIL" {
        (p.page.subject.clone(), p.page.content.clone())
    } else {
        (
            p.page
                .public_subject
                .clone()
                .unwrap_or_else(|| p.page.subject.clone()),
            p.page
                .public_content
                .clone()
                .unwrap_or_else(|| p.page.content.clone()),
        )
    };
    let text = format!(
        "{content}\n\nFrom: {}\nAccept code: {}\nAcknowledge this page (opens a confirmation page): {link}\n",
        p.page.sender, p.accept_code
    );
    queue_to_channel(
        tx,
        ch,
        "Page",
        &subject,
        text,
        p.page.incident_id.clone(),
        now,
    )
    .await?;
    p.last_sent.insert(ch.contact_channel_arn.clone(), now);
    p.receipts.push(Receipt {
        contact_channel_arn: Some(ch.contact_channel_arn.clone()),
        receipt_type: "SENT".into(),
        receipt_info: None,
        receipt_time: now,
    });
    Ok(())
}

/// When a page next needs the scheduler: a retry during its stage, or its next stage.
async fn page_wake(
    tx: &mut dyn StoreTx,
    c: &StoredContact,
    p: &StoredPage,
) -> ApiResult<Option<f64>> {
    if p.page.read_time.is_some() {
        return Ok(None);
    }
    let stage_end = stage_secs(c, p.stage).map(|d| p.stage_started_at + d);
    let mut wake = stage_end.filter(|_| p.stage + 1 < stage_count(c));
    for (ch, retry) in stage_channels(tx, c, p.stage).await? {
        if retry > 0.0
            && let Some(last) = p.last_sent.get(&ch.contact_channel_arn)
        {
            let next = last + retry;
            if stage_end.is_none_or(|end| next < end) {
                wake = Some(wake.map_or(next, |w: f64| w.min(next)));
            }
        }
    }
    Ok(wake)
}

/// Pages one contact for an engagement: sends to the first stage of its plan.
async fn page_contact(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    e: &StoredEngagement,
    contact_arn: &str,
    essential: bool,
    escalation_stage: usize,
    now: f64,
) -> ApiResult<()> {
    let c = contact(tx, contact_arn).await?;
    let eng = &e.engagement;
    let mut p = StoredPage {
        page: DescribePageResult {
            page_arn: format!(
                "arn:aws:ssm-contacts:{}:{}:page/{}/{}",
                config.region,
                config.account_id,
                c.contact.alias,
                uuid::Uuid::new_v4()
            ),
            engagement_arn: eng.engagement_arn.clone(),
            contact_arn: contact_arn.to_owned(),
            sender: eng.sender.clone(),
            subject: eng.subject.clone(),
            content: eng.content.clone(),
            public_subject: eng.public_subject.clone(),
            public_content: eng.public_content.clone(),
            incident_id: eng.incident_id.clone(),
            sent_time: Some(now),
            read_time: None,
            delivery_time: None,
        },
        essential,
        accept_code: crate::domain::keys::random_digits(6),
        link_token: Some(crate::domain::keys::random_hex(48)),
        link_expires_at: now + LINK_LIFETIME_SECS,
        receipts: Vec::new(),
        stage: 0,
        stage_started_at: now,
        last_sent: Default::default(),
        wake_at: None,
        principal: c.tags.get(PRINCIPAL_TAG).cloned(),
    };
    for (ch, _) in stage_channels(tx, &c, 0).await? {
        send_to_channel(tx, config, &mut p, &ch, now).await?;
    }
    p.wake_at = page_wake(tx, &c, &p).await?;
    tx.put_page(&p).await?;
    timeline(
        tx,
        eng.incident_id.as_deref(),
        kinds::PAGE_SENT,
        json!({"pageArn": p.page.page_arn, "contactArn": contact_arn, "alias": c.contact.alias, "stage": escalation_stage + 1}),
        now,
    )
    .await
}

/// Pages the contacts of an escalation plan's stage (or the personal contact itself), and
/// sets when the engagement next acts.
async fn run_stage(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    e: &mut StoredEngagement,
    c: &StoredContact,
    now: f64,
) -> ApiResult<()> {
    if !e.escalation {
        let arn = c.contact.contact_arn.clone();
        page_contact(tx, config, e, &arn, true, 0, now).await?;
        e.wake_at = None;
        return Ok(());
    }
    let targets: Vec<(String, bool)> = c
        .contact
        .plan
        .stages
        .as_ref()
        .and_then(|s| s.get(e.stage))
        .map(|s| {
            s.targets
                .iter()
                .filter_map(|t| t.contact_target_info.as_ref())
                .filter_map(|t| t.contact_id.clone().map(|id| (id, t.is_essential)))
                .collect()
        })
        .unwrap_or_default();
    for (arn, essential) in targets {
        page_contact(tx, config, e, &arn, essential, e.stage, now).await?;
    }
    e.wake_at = (e.stage + 1 < stage_count(c))
        .then(|| stage_secs(c, e.stage).map(|d| e.stage_started_at + d))
        .flatten();
    Ok(())
}

/// Mirrors `StartEngagement`.
///
/// Errors: `ResourceNotFoundException` (contact), `ValidationException` (sender, subject,
/// content lengths).
pub async fn start_engagement(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: StartEngagementRequest,
    now: f64,
) -> ApiResult<String> {
    if req.sender.len() > 255 {
        return Err(invalid("Sender must be at most 255 characters."));
    }
    if req.subject.is_empty() || req.subject.len() > 2048 {
        return Err(invalid("Subject must be 1-2048 characters."));
    }
    if req.content.is_empty() || req.content.len() > 8192 {
        return Err(invalid("Content must be 1-8192 characters."));
    }
    if let Some(token) = &req.idempotency_token
        && let Some(arn) = tx.client_token(START_ENGAGEMENT, token).await?
    {
        return Ok(arn);
    }
    let c = contact(tx, &req.contact_id).await?;
    let arn = format!(
        "arn:aws:ssm-contacts:{}:{}:engagement/{}/{}",
        config.region,
        config.account_id,
        c.contact.alias,
        uuid::Uuid::new_v4()
    );
    let mut e = StoredEngagement {
        engagement: DescribeEngagementResult {
            contact_arn: c.contact.contact_arn.clone(),
            engagement_arn: arn.clone(),
            sender: req.sender,
            subject: req.subject,
            content: req.content,
            public_subject: req.public_subject,
            public_content: req.public_content,
            incident_id: req.incident_id,
            start_time: Some(now),
            stop_time: None,
        },
        escalation: c.contact.contact_type == "ESCALATION",
        stage: 0,
        stage_started_at: now,
        wake_at: None,
        held_until: None,
    };
    timeline(
        tx,
        e.engagement.incident_id.as_deref(),
        kinds::ENGAGEMENT_STARTED,
        json!({"engagementArn": arn, "contactArn": c.contact.contact_arn, "alias": c.contact.alias}),
        now,
    )
    .await?;
    run_stage(tx, config, &mut e, &c, now).await?;
    tx.put_engagement(&e).await?;
    if let Some(token) = &req.idempotency_token {
        tx.put_client_token(START_ENGAGEMENT, token, &arn).await?;
    }
    Ok(arn)
}

/// The scheduler's turn for an engagement whose `wake_at` has come: the next stage of its
/// escalation plan, begun exactly one stage duration after the last began.
pub async fn advance_engagement(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    arn: &str,
    now: f64,
) -> ApiResult<()> {
    let Some(mut e) = tx.engagement(arn).await? else {
        return Ok(());
    };
    let Some(due) = e.wake_at.filter(|w| *w <= now) else {
        return Ok(());
    };
    if e.engagement.stop_time.is_some() {
        e.wake_at = None;
        tx.put_engagement(&e).await?;
        return Ok(());
    }
    if let Some(until) = e.held_until {
        // An acknowledgement holds the escalation; it is resumed by its lapse.
        e.wake_at = Some(until.max(due));
        tx.put_engagement(&e).await?;
        return Ok(());
    }
    let c = contact(tx, &e.engagement.contact_arn).await?;
    e.stage += 1;
    e.stage_started_at = due;
    timeline(
        tx,
        e.engagement.incident_id.as_deref(),
        kinds::ENGAGEMENT_ESCALATED,
        json!({"engagementArn": arn, "stage": e.stage + 1}),
        now,
    )
    .await?;
    run_stage(tx, config, &mut e, &c, now).await?;
    tx.put_engagement(&e).await?;
    Ok(())
}

/// The scheduler's turn for a page whose `wake_at` has come: a channel retry, or the next
/// stage of the contact's own plan.
pub async fn advance_page(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    arn: &str,
    now: f64,
) -> ApiResult<()> {
    let Some(mut p) = tx.page(arn).await? else {
        return Ok(());
    };
    if p.wake_at.is_none_or(|w| w > now) {
        return Ok(());
    }
    let stopped = tx
        .engagement(&p.page.engagement_arn)
        .await?
        .is_none_or(|e| e.engagement.stop_time.is_some() || e.held_until.is_some());
    if stopped || p.page.read_time.is_some() {
        p.wake_at = None;
        tx.put_page(&p).await?;
        return Ok(());
    }
    let c = contact(tx, &p.page.contact_arn).await?;
    if let Some(d) = stage_secs(&c, p.stage)
        && p.stage + 1 < stage_count(&c)
        && now >= p.stage_started_at + d
    {
        p.stage_started_at += d;
        p.stage += 1;
        for (ch, _) in stage_channels(tx, &c, p.stage).await? {
            send_to_channel(tx, config, &mut p, &ch, now).await?;
        }
    } else {
        for (ch, retry) in stage_channels(tx, &c, p.stage).await? {
            let due = p
                .last_sent
                .get(&ch.contact_channel_arn)
                .is_some_and(|last| retry > 0.0 && last + retry <= now);
            if due {
                send_to_channel(tx, config, &mut p, &ch, now).await?;
            }
        }
    }
    p.wake_at = page_wake(tx, &c, &p).await?;
    tx.put_page(&p).await?;
    Ok(())
}

/// Stops an engagement: no more stages or retries; unread pages get a `STOP` receipt.
async fn stop(
    tx: &mut dyn StoreTx,
    e: &mut StoredEngagement,
    reason: &str,
    now: f64,
) -> ApiResult<()> {
    if e.engagement.stop_time.is_some() {
        return Ok(());
    }
    e.engagement.stop_time = Some(now);
    e.wake_at = None;
    e.held_until = None;
    tx.put_engagement(e).await?;
    for mut p in tx.pages_by_engagement(&e.engagement.engagement_arn).await? {
        p.wake_at = None;
        if p.page.read_time.is_none() {
            p.receipts.push(Receipt {
                contact_channel_arn: None,
                receipt_type: "STOP".into(),
                receipt_info: Some(reason.chars().take(2048).collect()),
                receipt_time: now,
            });
        }
        tx.put_page(&p).await?;
    }
    timeline(
        tx,
        e.engagement.incident_id.as_deref(),
        kinds::ENGAGEMENT_STOPPED,
        json!({"engagementArn": e.engagement.engagement_arn, "reason": reason}),
        now,
    )
    .await
}

/// Stops every running engagement of an incident (it was resolved: nobody is paged for a
/// resolved incident).
pub async fn stop_for_incident(
    tx: &mut dyn StoreTx,
    incident_arn: &str,
    reason: &str,
    now: f64,
) -> ApiResult<()> {
    for mut e in tx.engagements(Some(incident_arn)).await? {
        stop(tx, &mut e, reason, now).await?;
    }
    Ok(())
}

/// Mirrors `StopEngagement`.
///
/// Errors: `ResourceNotFoundException`.
pub async fn stop_engagement(
    tx: &mut dyn StoreTx,
    arn: &str,
    reason: Option<String>,
    now: f64,
) -> ApiResult<()> {
    let mut e = tx
        .engagement(arn)
        .await?
        .ok_or_else(|| not_found("Engagement", arn))?;
    stop(tx, &mut e, reason.as_deref().unwrap_or("stopped"), now).await
}

/// Accepts a page as `READ`: stops the contact's own plan and, when `stops`, for an essential
/// or directly engaged contact, the engagement.
async fn read(
    tx: &mut dyn StoreTx,
    p: &mut StoredPage,
    channel: Option<String>,
    note: Option<String>,
    stops: bool,
    now: f64,
) -> ApiResult<()> {
    if p.page.read_time.is_some() {
        return Ok(());
    }
    p.page.read_time = Some(now);
    p.wake_at = None;
    p.receipts.push(Receipt {
        contact_channel_arn: channel,
        receipt_type: "READ".into(),
        receipt_info: note.clone(),
        receipt_time: now,
    });
    tx.put_page(p).await?;
    let alias = tx
        .contact(&p.page.contact_arn)
        .await?
        .map(|c| c.contact.alias)
        .unwrap_or_default();
    timeline(
        tx,
        p.page.incident_id.as_deref(),
        kinds::PAGE_ACCEPTED,
        json!({"pageArn": p.page.page_arn, "alias": alias, "acceptType": "READ", "note": note}),
        now,
    )
    .await?;
    if stops
        && let Some(mut e) = tx.engagement(&p.page.engagement_arn).await?
        && (p.essential || !e.escalation)
    {
        stop(tx, &mut e, &format!("page acknowledged by {alias}"), now).await?;
    }
    Ok(())
}

/// Mirrors `AcceptPage`.
///
/// Errors: `ResourceNotFoundException` (page), `ValidationException` (`AcceptType`,
/// `AcceptCodeValidation`, a wrong code under `ENFORCE`).
pub async fn accept_page(tx: &mut dyn StoreTx, req: AcceptPageRequest, now: f64) -> ApiResult<()> {
    use subtle::ConstantTimeEq;
    let mut p = tx
        .page(&req.page_id)
        .await?
        .ok_or_else(|| not_found("Page", &req.page_id))?;
    match req.accept_code_validation.as_deref() {
        None | Some("IGNORE") => {}
        Some("ENFORCE") => {
            if !bool::from(p.accept_code.as_bytes().ct_eq(req.accept_code.as_bytes())) {
                return Err(invalid(
                    "AcceptCode does not match the code sent with this page.",
                ));
            }
        }
        Some(other) => {
            return Err(invalid(format!(
                "AcceptCodeValidation {other} is not IGNORE or ENFORCE."
            )));
        }
    }
    match req.accept_type.as_str() {
        "DELIVERED" => {
            p.page.delivery_time.get_or_insert(now);
            p.receipts.push(Receipt {
                contact_channel_arn: req.contact_channel_id,
                receipt_type: "DELIVERED".into(),
                receipt_info: req.note,
                receipt_time: now,
            });
            tx.put_page(&p).await?;
            Ok(())
        }
        "READ" => read(tx, &mut p, req.contact_channel_id, req.note, true, now).await,
        other => Err(invalid(format!(
            "AcceptType {other} is not DELIVERED or READ."
        ))),
    }
}

/// `POST /v1/pages/accept`: accepts a page as `READ` through its link's single-use token.
///
/// Errors: `ValidationException` for an unknown page, a wrong, used or expired token.
pub async fn accept_by_link(
    tx: &mut dyn StoreTx,
    page_arn: &str,
    token: &str,
    now: f64,
) -> ApiResult<()> {
    use subtle::ConstantTimeEq;
    let bad =
        || invalid("This acknowledgement link is not valid (wrong, already used or expired).");
    let mut p = tx.page(page_arn).await?.ok_or_else(bad)?;
    let ok = p
        .link_token
        .as_deref()
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(token.as_bytes())))
        && now <= p.link_expires_at;
    if !ok {
        return Err(bad());
    }
    p.link_token = None;
    read(
        tx,
        &mut p,
        None,
        Some("acknowledged through the page's link".into()),
        true,
        now,
    )
    .await
}

/// Accepts (`READ`) every unread page of the incident's engagements that belongs to
/// `principal` (a contact tagged `tocsin:principal`), without stopping the engagements (an
/// acknowledgement holds them instead); returns how many.
pub async fn accept_pages_of(
    tx: &mut dyn StoreTx,
    incident_arn: &str,
    principal: &str,
    note: Option<String>,
    now: f64,
) -> ApiResult<usize> {
    let mut n = 0;
    for e in tx.engagements(Some(incident_arn)).await? {
        for mut p in tx.pages_by_engagement(&e.engagement.engagement_arn).await? {
            if p.page.read_time.is_none() && p.principal.as_deref() == Some(principal) {
                read(tx, &mut p, None, note.clone(), false, now).await?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Holds (`Some(until)`) or resumes (`None`) the escalation of an incident's running
/// engagements. Resuming pages the current stage again and restarts its timer.
pub async fn hold_escalation(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    incident_arn: &str,
    until: Option<f64>,
    now: f64,
) -> ApiResult<()> {
    for mut e in tx.engagements(Some(incident_arn)).await? {
        if e.engagement.stop_time.is_some() {
            continue;
        }
        match until {
            Some(t) => {
                e.held_until = Some(t);
                tx.put_engagement(&e).await?;
                for mut p in tx.pages_by_engagement(&e.engagement.engagement_arn).await? {
                    if p.wake_at.is_some() {
                        p.wake_at = None;
                        tx.put_page(&p).await?;
                    }
                }
            }
            None if e.held_until.is_some() => {
                e.held_until = None;
                e.stage_started_at = now;
                let c = contact(tx, &e.engagement.contact_arn).await?;
                run_stage(tx, config, &mut e, &c, now).await?;
                tx.put_engagement(&e).await?;
            }
            None => {}
        }
    }
    Ok(())
}

fn describe(e: &StoredEngagement) -> Engagement {
    let d = &e.engagement;
    Engagement {
        engagement_arn: d.engagement_arn.clone(),
        contact_arn: d.contact_arn.clone(),
        sender: d.sender.clone(),
        incident_id: d.incident_id.clone(),
        start_time: d.start_time,
        stop_time: d.stop_time,
    }
}

/// Mirrors `DescribeEngagement`.
///
/// Errors: `ResourceNotFoundException`.
pub async fn describe_engagement(
    tx: &mut dyn StoreTx,
    arn: &str,
) -> ApiResult<DescribeEngagementResult> {
    Ok(tx
        .engagement(arn)
        .await?
        .ok_or_else(|| not_found("Engagement", arn))?
        .engagement)
}

fn paginate<T>(
    all: Vec<T>,
    next_token: Option<&str>,
    max: Option<i32>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let page = crate::domain::validate::Page::parse(
        "MaxResults",
        Some(max.unwrap_or(100)),
        next_token,
        1024,
    )?;
    Ok(page.slice(all))
}

/// Mirrors `ListEngagements` (newest first; `IncidentId`, `TimeRangeValue` on start time).
///
/// Errors: `ValidationException` (paging).
pub async fn list_engagements(
    tx: &mut dyn StoreTx,
    req: ListEngagementsRequest,
) -> ApiResult<ListEngagementsResult> {
    let range = req.time_range_value.clone();
    let all: Vec<Engagement> = tx
        .engagements(req.incident_id.as_deref())
        .await?
        .iter()
        .filter(|e| {
            let t = e.engagement.start_time.unwrap_or_default();
            range.as_ref().is_none_or(|r| {
                r.start_time.is_none_or(|s| t >= s) && r.end_time.is_none_or(|end| t <= end)
            })
        })
        .map(describe)
        .collect();
    let (engagements, next_token) = paginate(all, req.next_token.as_deref(), req.max_results)?;
    Ok(ListEngagementsResult {
        next_token,
        engagements,
    })
}

fn page_summary(p: &StoredPage) -> Page {
    let d = &p.page;
    Page {
        page_arn: d.page_arn.clone(),
        engagement_arn: d.engagement_arn.clone(),
        contact_arn: d.contact_arn.clone(),
        sender: d.sender.clone(),
        incident_id: d.incident_id.clone(),
        sent_time: d.sent_time,
        delivery_time: d.delivery_time,
        read_time: d.read_time,
    }
}

/// Mirrors `ListPagesByEngagement` and `ListPagesByContact` (whichever id is given).
///
/// Errors: `ResourceNotFoundException`, `ValidationException` (paging, no id).
pub async fn list_pages(tx: &mut dyn StoreTx, req: ListPagesRequest) -> ApiResult<ListPagesResult> {
    let pages = match (&req.engagement_id, &req.contact_id) {
        (Some(e), _) => {
            tx.engagement(e)
                .await?
                .ok_or_else(|| not_found("Engagement", e))?;
            tx.pages_by_engagement(e).await?
        }
        (None, Some(c)) => {
            contact(tx, c).await?;
            tx.pages_by_contact(c).await?
        }
        (None, None) => return Err(invalid("EngagementId or ContactId is required.")),
    };
    let (pages, next_token) = paginate(
        pages.iter().map(page_summary).collect(),
        req.next_token.as_deref(),
        req.max_results,
    )?;
    Ok(ListPagesResult { next_token, pages })
}

/// Mirrors `DescribePage`.
///
/// Errors: `ResourceNotFoundException`.
pub async fn describe_page(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<DescribePageResult> {
    Ok(tx
        .page(arn)
        .await?
        .ok_or_else(|| not_found("Page", arn))?
        .page)
}

/// Mirrors `ListPageReceipts`.
///
/// Errors: `ResourceNotFoundException`, `ValidationException` (paging, no id).
pub async fn list_receipts(
    tx: &mut dyn StoreTx,
    req: ListPagesRequest,
) -> ApiResult<ListPageReceiptsResult> {
    let id = req
        .page_id
        .clone()
        .ok_or_else(|| invalid("PageId is required."))?;
    let p = tx.page(&id).await?.ok_or_else(|| not_found("Page", &id))?;
    let (receipts, next_token) = paginate(p.receipts, req.next_token.as_deref(), req.max_results)?;
    Ok(ListPageReceiptsResult {
        next_token,
        receipts,
    })
}

/// Longest acknowledgement expiry (7 days).
pub const MAX_ACK_SECS: f64 = 7.0 * 86_400.0;

/// Acknowledges an incident (a Tocsin extension): records who, when, the note and the
/// expiry; accepts (`READ`) that responder's own open pages (contacts tagged with their
/// principal); holds the incident's escalation until the expiry (or until resolved); writes
/// the timeline entry and the "acknowledged" notice. The caller announces the incident's
/// change ([`crate::domain::incidents::announce`]).
///
/// Errors: `ResourceNotFoundException`; `ValidationException` (a resolved incident, a note
/// over 1,000 characters, an expiry outside 1 s to 7 days).
pub async fn acknowledge_incident(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    caller: &crate::domain::identity::Caller,
    req: tocsin_api::native::AcknowledgeIncident,
    now: f64,
) -> ApiResult<tocsin_api::native::Acknowledgement> {
    let incident = tx
        .incident(&req.incident_record_arn)
        .await?
        .ok_or_else(|| not_found("Incident record", &req.incident_record_arn))?;
    if incident.record.status != tocsin_api::incidents::IncidentRecordStatus::Open {
        return Err(invalid(
            "The incident is resolved: there is nothing to acknowledge.",
        ));
    }
    if req.note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(invalid("note must be at most 1,000 characters."));
    }
    if let Some(secs) = req.expires_in_seconds
        && !(1.0..=MAX_ACK_SECS).contains(&secs)
    {
        return Err(invalid("expiresInSeconds must be 1 to 604800 (7 days)."));
    }
    let name = if caller.name.is_empty() {
        caller
            .principal
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    } else {
        caller.name.clone()
    };
    let ack = tocsin_api::native::Acknowledgement {
        by: caller.principal.clone(),
        name: name.clone(),
        at: now,
        note: req.note.clone().filter(|n| !n.is_empty()),
        until: req.expires_in_seconds.map(|s| now + s),
        lapsed: false,
    };
    tx.put_acknowledgement(&incident.record.arn, &ack).await?;
    crate::domain::silences::on_acknowledged(tx, &incident.record.arn, &ack, now).await?;
    append_timeline(
        tx,
        timeline_entry(
            &incident.record.arn,
            kinds::INCIDENT_ACKNOWLEDGED,
            json!({"by": ack.by, "name": ack.name, "note": ack.note, "until": ack.until}),
            now,
        ),
    )
    .await?;
    accept_pages_of(
        tx,
        &incident.record.arn,
        &caller.principal,
        ack.note.clone(),
        now,
    )
    .await?;
    hold_escalation(
        tx,
        config,
        &incident.record.arn,
        Some(ack.until.unwrap_or(f64::MAX)),
        now,
    )
    .await?;
    crate::domain::notify::notify_incident(
        tx,
        config,
        &incident.record,
        "IncidentAcknowledged",
        format!("Acknowledged by {name}"),
        now,
    )
    .await?;
    Ok(ack)
}

/// The scheduler's turn for an acknowledgement whose expiry has come: while the incident
/// is open it lapses (timeline entry) and the escalation resumes. Returns whether the
/// incident changed, which the caller then announces.
pub async fn lapse_acknowledgement(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    incident_arn: &str,
    now: f64,
) -> ApiResult<bool> {
    let Some(mut ack) = tx.acknowledgement(incident_arn).await? else {
        return Ok(false);
    };
    if ack.lapsed || ack.until.is_none_or(|u| u > now) {
        return Ok(false);
    }
    ack.lapsed = true;
    tx.put_acknowledgement(incident_arn, &ack).await?;
    let open = tx
        .incident(incident_arn)
        .await?
        .is_some_and(|i| i.record.status == tocsin_api::incidents::IncidentRecordStatus::Open);
    if !open {
        return Ok(false);
    }
    append_timeline(
        tx,
        timeline_entry(
            incident_arn,
            kinds::ACKNOWLEDGEMENT_LAPSED,
            json!({"by": ack.by, "name": ack.name, "acknowledgedAt": ack.at}),
            now,
        ),
    )
    .await?;
    hold_escalation(tx, config, incident_arn, None, now).await?;
    Ok(true)
}

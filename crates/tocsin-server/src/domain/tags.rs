//! Tags of Incident Manager resources (response plans, incident records and the
//! replication set), mirroring
//! `TagResource`, `UntagResource` and `ListTagsForResource` (ssm-incidents 2018-05-10): a
//! `TagMap` of at most 50 tags per resource, keys 1-128 characters of
//! `[A-Za-z0-9 _=@:.+-/]` not starting with `aws:`, values 0-256 of the same characters.
//! A response plan's `incidentTemplate.incidentTags` are put on each incident it opens.
//! Stored in the `resource_tags` table EventBridge rules' tags use too.

use std::collections::BTreeMap;

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate;
use crate::store::StoreTx;

/// Most tags on one resource.
pub const MAX_TAGS: usize = 50;

fn tag_chars(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || " _=@:.+-/".contains(c))
}

/// Checks a `TagMap` as the model constrains it (1-50 entries when `required`).
///
/// Errors: `ValidationException` naming the member.
pub fn check(at: &str, tags: &BTreeMap<String, String>) -> ApiResult<()> {
    validate::list_length(at, tags.len(), 0, MAX_TAGS)?;
    for (key, value) in tags {
        check_key(&format!("{at}.key"), key)?;
        validate::length(&format!("{at}.value"), value, 0, 256)?;
        if !tag_chars(value) {
            return Err(ApiError::Validation(format!(
                "{at}.value {value:?} must match ^[A-Za-z0-9 _=@:.+-/]*$"
            )));
        }
    }
    Ok(())
}

fn check_key(at: &str, key: &str) -> ApiResult<()> {
    validate::length(at, key, 1, 128)?;
    if key.starts_with("aws:") || !tag_chars(key) {
        return Err(ApiError::Validation(format!(
            "{at} {key:?} must match ^(?!aws:)[A-Za-z0-9 _=@:.+-/]+$"
        )));
    }
    Ok(())
}

/// Adds or replaces tags on a resource that exists (the caller checked), keeping at most
/// [`MAX_TAGS`].
///
/// Errors: `ServiceQuotaExceededException` beyond 50 tags in all.
pub async fn put(
    tx: &mut dyn StoreTx,
    arn: &str,
    tags: &BTreeMap<String, String>,
) -> ApiResult<()> {
    let mut keys: std::collections::BTreeSet<String> =
        tx.tags(arn).await?.into_iter().map(|(k, _)| k).collect();
    keys.extend(tags.keys().cloned());
    if keys.len() > MAX_TAGS {
        return Err(ApiError::LimitExceeded(format!(
            "A resource can have at most {MAX_TAGS} tags; this would give {arn} {}.",
            keys.len()
        )));
    }
    for (k, v) in tags {
        tx.put_tag(arn, k, v).await?;
    }
    Ok(())
}

/// The resource a tag call names, which must be a response plan or an incident record.
///
/// Errors: `ValidationException` for a malformed ARN, `ResourceNotFoundException`.
async fn existing(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    validate::arn("resourceArn", arn)?;
    let found = if arn.contains(":response-plan/") {
        tx.plan(arn).await?.is_some()
    } else if arn.contains(":incident-record/") {
        tx.incident(arn).await?.is_some()
    } else if arn.contains(":replication-set/") {
        tx.replication_sets().await?.iter().any(|s| s.arn == arn)
    } else {
        false
    };
    if found {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "Resource {arn} does not exist (tags are on response plans, incident records and the replication set)."
        )))
    }
}

/// Mirrors TagResource.
///
/// Errors: `ValidationException`, `ResourceNotFoundException`,
/// `ServiceQuotaExceededException`.
pub async fn tag_resource(
    tx: &mut dyn StoreTx,
    arn: &str,
    tags: &BTreeMap<String, String>,
) -> ApiResult<()> {
    validate::list_length("tags", tags.len(), 1, MAX_TAGS)?;
    check("tags", tags)?;
    existing(tx, arn).await?;
    put(tx, arn, tags).await?;
    changed(tx, arn).await
}

/// Records a tag change in the change feed, so open pages follow it. (The HTTP layer also
/// announces an incident record's new state, tags included, so boards follow it.)
async fn changed(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    tx.append_change(&tocsin_api::native::Change::TagsChanged {
        resource_arn: arn.to_owned(),
    })
    .await?;
    Ok(())
}

/// Mirrors UntagResource (keys the resource does not have are ignored).
///
/// Errors: `ValidationException` (1-50 keys), `ResourceNotFoundException`.
pub async fn untag_resource(tx: &mut dyn StoreTx, arn: &str, keys: &[String]) -> ApiResult<()> {
    validate::list_length("tagKeys", keys.len(), 1, MAX_TAGS)?;
    for key in keys {
        check_key("tagKeys.member", key)?;
    }
    existing(tx, arn).await?;
    for key in keys {
        tx.delete_tag(arn, key).await?;
    }
    changed(tx, arn).await
}

/// Mirrors ListTagsForResource.
///
/// Errors: `ValidationException`, `ResourceNotFoundException`.
pub async fn list(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<BTreeMap<String, String>> {
    existing(tx, arn).await?;
    Ok(tx.tags(arn).await?.into_iter().collect())
}

/// Checks EventBridge tags (`Tag`: key 1-128, value 0-256 characters).
pub fn check_event_tags(tags: &[tocsin_api::events::Tag]) -> ApiResult<()> {
    for t in tags {
        validate::length("tags.member.key", &t.key, 1, 128)?;
        validate::length("tags.member.value", &t.value, 0, 256)?;
    }
    Ok(())
}

/// Adds or replaces EventBridge tags on a rule or bus, refusing more than [`MAX_TAGS`] in
/// all (`LimitExceededException`).
pub async fn put_event_tags(
    tx: &mut dyn StoreTx,
    arn: &str,
    tags: &[tocsin_api::events::Tag],
) -> ApiResult<()> {
    let mut keys: std::collections::BTreeSet<String> =
        tx.tags(arn).await?.into_iter().map(|(k, _)| k).collect();
    keys.extend(tags.iter().map(|t| t.key.clone()));
    if keys.len() > MAX_TAGS {
        return Err(ApiError::LimitExceeded(format!(
            "A resource can have at most {MAX_TAGS} tags; this would give it {}.",
            keys.len()
        )));
    }
    for t in tags {
        tx.put_tag(arn, &t.key, &t.value).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_rules_as_the_model_has_them() {
        let ok: BTreeMap<String, String> = [
            ("team".into(), "web ops/db=1".into()),
            ("k".into(), String::new()),
        ]
        .into();
        assert!(check("tags", &ok).is_ok());
        for (k, v) in [("aws:x", "v"), ("", "v"), ("k", "café"), ("bad#", "v")] {
            let bad: BTreeMap<String, String> = [(k.to_owned(), v.to_owned())].into();
            assert!(check("tags", &bad).is_err(), "{k}={v}");
        }
        let too_many: BTreeMap<String, String> =
            (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(check("tags", &too_many).is_err());
    }
}

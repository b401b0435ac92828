//! Server-side checks of the constraints the botocore models declare (`min`, `max`,
//! `pattern`, `enum`). botocore checks only required members and minimum lengths on the
//! client, so the server enforces the rest, with AWS's message form:
//! `1 validation error detected: Value '6' at 'impact' failed to satisfy constraint: ...`.

use crate::domain::error::ApiError;

fn violation(value: Option<&str>, at: &str, constraint: &str) -> ApiError {
    let value = match value {
        Some(v) if v.chars().count() <= 64 => format!("Value '{v}' at"),
        _ => "Value at".to_owned(),
    };
    ApiError::Validation(format!(
        "1 validation error detected: {value} '{at}' failed to satisfy constraint: {constraint}"
    ))
}

/// `value` must have `min..=max` characters.
pub fn length(at: &str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n < min {
        Err(violation(
            Some(value),
            at,
            &format!("Member must have length greater than or equal to {min}"),
        ))
    } else if n > max {
        Err(violation(
            Some(value),
            at,
            &format!("Member must have length less than or equal to {max}"),
        ))
    } else {
        Ok(())
    }
}

/// A list must have `min..=max` entries (the `min`/`max` of a list shape).
pub fn list_length(at: &str, len: usize, min: usize, max: usize) -> Result<(), ApiError> {
    if len < min {
        Err(violation(
            None,
            at,
            &format!("Member must have length greater than or equal to {min}"),
        ))
    } else if len > max {
        Err(violation(
            None,
            at,
            &format!("Member must have length less than or equal to {max}"),
        ))
    } else {
        Ok(())
    }
}

/// Replaces `slot` when `update` names a value: the "absent members stay as they are" rule
/// of the Update* operations.
pub fn overwrite<T>(slot: &mut Option<T>, update: Option<T>) {
    if update.is_some() {
        *slot = update;
    }
}

/// Optional `value` must have at most `max` characters.
pub fn opt_length(at: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    value.map_or(Ok(()), |v| length(at, v, 0, max))
}

/// Impact must be 1-5 (`Impact`, see [`tocsin_api::impact::Impact`]).
pub fn impact(at: &str, value: i32) -> Result<(), ApiError> {
    use tocsin_api::impact::Impact;
    if value < Impact::MIN {
        Err(violation(
            Some(&value.to_string()),
            at,
            &format!(
                "Member must have value greater than or equal to {}",
                Impact::MIN
            ),
        ))
    } else if value > Impact::MAX {
        Err(violation(
            Some(&value.to_string()),
            at,
            &format!(
                "Member must have value less than or equal to {}",
                Impact::MAX
            ),
        ))
    } else {
        Ok(())
    }
}

/// `value` must be 1-`max` characters from `[A-Za-z0-9]` plus `extra`.
pub fn name(at: &str, value: &str, max: usize, extra: &str, pattern: &str) -> Result<(), ApiError> {
    length(at, value, 1, max)?;
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    {
        Ok(())
    } else {
        Err(violation(
            Some(value),
            at,
            &format!("Member must satisfy regular expression pattern: {pattern}"),
        ))
    }
}

/// `value` must look like an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`).
pub fn arn(at: &str, value: &str) -> Result<(), ApiError> {
    length(at, value, 1, 1000)?;
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && (parts[4].is_empty()
            || (parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit())))
        && !parts[5].is_empty();
    if ok {
        Ok(())
    } else {
        Err(violation(
            Some(value),
            at,
            "Member must satisfy regular expression pattern: ^arn:aws(-cn|-us-gov)?:[a-z0-9-]*:[a-z0-9-]*:([0-9]{12})?:.+$",
        ))
    }
}

/// One page of a list operation: where it starts (from `nextToken`, an offset Tocsin issued)
/// and how long it is (from `maxResults`/`Limit`, 1-`max`, default `max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

impl Page {
    /// Reads the page size member `at` (AWS wording on violation) and the page token.
    pub fn parse(
        at: &str,
        size: Option<i32>,
        token: Option<&str>,
        max: i32,
    ) -> Result<Self, ApiError> {
        let limit = match size {
            None => i64::from(max),
            Some(v) if v < 1 => {
                return Err(violation(
                    Some(&v.to_string()),
                    at,
                    "Member must have value greater than or equal to 1",
                ));
            }
            Some(v) if v > max => {
                return Err(violation(
                    Some(&v.to_string()),
                    at,
                    &format!("Member must have value less than or equal to {max}"),
                ));
            }
            Some(v) => i64::from(v),
        };
        let offset = match token {
            None => 0,
            Some(t) => t.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ApiError::Validation(format!("The nextToken '{t}' is not valid."))
            })?,
        };
        Ok(Page { offset, limit })
    }

    /// The token after a page the store returned with `returned` rows: present when the page
    /// came back full (the next page may then be empty).
    pub fn next_token(&self, returned: usize) -> Option<String> {
        (returned as i64 == self.limit).then(|| (self.offset + self.limit).to_string())
    }

    /// This page of `items` as a JSON answer, `{<member>: [...], <token_member>: "..."}`,
    /// the token present only when more follow (`nextToken` or `NextToken`, as the
    /// protocol spells it).
    pub fn answer(
        &self,
        member: &str,
        token_member: &str,
        items: Vec<serde_json::Value>,
    ) -> serde_json::Value {
        let (page, next) = self.slice(items);
        let mut out = serde_json::Map::new();
        out.insert(member.to_owned(), serde_json::Value::Array(page));
        if let Some(token) = next {
            out.insert(token_member.to_owned(), serde_json::Value::String(token));
        }
        serde_json::Value::Object(out)
    }

    /// This page of a list held in memory, and the token for the next one (exact: none after
    /// the last item).
    pub fn slice<T>(&self, items: Vec<T>) -> (Vec<T>, Option<String>) {
        let total = items.len() as i64;
        let page = items
            .into_iter()
            .skip(self.offset as usize)
            .take(self.limit as usize)
            .collect();
        let next =
            (self.offset + self.limit < total).then(|| (self.offset + self.limit).to_string());
        (page, next)
    }
}

/// Checks a Tocsin name (receivers, heartbeats, outbound webhooks): 1 to `max` letters,
/// digits, `_`, `-` or `.`.
///
/// Errors: `ValidationException` naming the rule.
pub fn simple_name(name: &str, max: usize) -> Result<(), ApiError> {
    let ok = (1..=max).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::Validation(format!(
            "name {name:?} must be 1-{max} letters, digits, '_', '-' or '.'"
        )))
    }
}

/// An optional `NamePrefix` of an EventBridge List operation: when given, 1-`max`
/// characters of `A-Za-z0-9` and `extra` (the listed resource's name pattern).
pub fn opt_prefix(at: &str, value: Option<&str>, max: usize, extra: &str) -> Result<(), ApiError> {
    match value {
        Some(v) => name(
            at,
            v,
            max,
            extra,
            &format!("[{}A-Za-z0-9]+", regex_class(extra)),
        ),
        None => Ok(()),
    }
}

fn regex_class(extra: &str) -> String {
    extra.chars().map(|c| format!("\\{c}")).collect()
}

/// An optional ARN member of at most `max` characters (EventBridge's `Arn`-shaped members).
pub fn opt_arn(at: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) => {
            length(at, v, 1, max)?;
            arn(at, v)
        }
        None => Ok(()),
    }
}

/// An optional `KmsKeyIdentifier`: at most 2048 of `[a-zA-Z0-9_\-/:]`.
pub fn opt_kms_key(value: Option<&str>) -> Result<(), ApiError> {
    let Some(k) = value else {
        return Ok(());
    };
    length("kmsKeyIdentifier", k, 0, 2048)?;
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/:".contains(c))
    {
        Ok(())
    } else {
        Err(violation(
            Some(k),
            "kmsKeyIdentifier",
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-/:]*$",
        ))
    }
}

/// `value` must be one of `allowed` (a model enum), with AWS's wording.
pub fn one_of(at: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(violation(
            Some(value),
            at,
            &format!(
                "Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_parse_and_slice() {
        let p = Page::parse("maxResults", Some(2), Some("2"), 100).unwrap();
        assert_eq!(
            p,
            Page {
                offset: 2,
                limit: 2
            }
        );
        assert_eq!(p.slice(vec![1, 2, 3, 4, 5]), (vec![3, 4], Some("4".into())));
        assert_eq!(
            p.slice(vec![1, 2, 3, 4]),
            (vec![3, 4], None),
            "no token after the last item"
        );
        assert_eq!(
            Page::parse("limit", None, None, 100).unwrap(),
            Page {
                offset: 0,
                limit: 100
            }
        );
        assert!(Page::parse("maxResults", Some(0), None, 100).is_err());
        assert!(Page::parse("maxResults", Some(101), None, 100).is_err());
        assert!(Page::parse("maxResults", None, Some("-1"), 100).is_err());
        assert!(Page::parse("maxResults", None, Some("abc"), 100).is_err());
        assert_eq!(p.next_token(2), Some("4".into()));
        assert_eq!(p.next_token(1), None);
    }

    #[test]
    fn impact_bounds_use_aws_wording() {
        assert!(impact("impact", 1).is_ok() && impact("impact", 5).is_ok());
        let err = impact("impact", 6).unwrap_err().to_string();
        assert_eq!(
            err,
            "1 validation error detected: Value '6' at 'impact' failed to satisfy constraint: Member must have value less than or equal to 5"
        );
        assert!(impact("impact", 0).is_err());
    }

    #[test]
    fn arns_and_names() {
        assert!(arn("arn", "arn:aws:ssm-incidents::000000000000:response-plan/x").is_ok());
        assert!(arn("arn", "not-an-arn").is_err());
        assert!(arn("arn", "arn:aws:ssm-incidents::12:response-plan/x").is_err());
        assert!(name("name", "ok-name_1", 200, "-_", "^[a-zA-Z0-9-_]*$").is_ok());
        assert!(name("name", "bad name", 200, "-_", "^[a-zA-Z0-9-_]*$").is_err());
        assert!(length("title", &"x".repeat(201), 0, 200).is_err());
    }
}

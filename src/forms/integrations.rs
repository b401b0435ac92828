//! The Integrations page's forms (`/integrations`): an outbound webhook (name, URL, headers
//! typed as `Name: value` lines) and a service principal's role.
//!
//! A webhook's header values are secrets: no message here ever repeats one (they name the
//! line and the header name only).

use std::collections::BTreeMap;

use tocsin_api::auth::Role;
use tocsin_api::native::{PutOutboundWebhook, PutServiceRole};

use super::required;

/// Most headers one webhook may have (the server's limit).
pub const MAX_HEADERS: usize = 20;

/// The message for a webhook name the server would refuse.
pub const WEBHOOK_NAME_RULES: &str =
    "A webhook name is 1-128 letters, digits, '_', '-' or '.' (what IntegrationName gives).";

/// The message for a webhook without a URL.
pub const URL_MESSAGE: &str = "A URL is required.";

/// The message for a URL that is not http(s).
pub const URL_SCHEME_MESSAGE: &str = "The URL must start with https:// or http://.";

/// The message for more than [`MAX_HEADERS`] header lines.
pub const TOO_MANY_HEADERS: &str = "At most 20 headers.";

/// The message for a service role without a role ARN.
pub const ROLE_ARN_MESSAGE: &str = "A role ARN is required.";

/// The message for a role ARN that is not one.
pub const ROLE_ARN_RULES: &str = "A role ARN starts with arn: and has no spaces, e.g. \
     arn:aws:iam::000000000000:role/IncidentAutomation (at most 1000 characters).";

/// The message for a service role without a role.
pub const ROLE_MESSAGE: &str = "Choose a role.";

/// A webhook name as the server accepts it (1-128 of `[A-Za-z0-9_.-]`). Returns the trimmed
/// name.
pub fn check_webhook_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let ok = (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(WEBHOOK_NAME_RULES.to_owned())
    }
}

/// Whether `name` is an HTTP header name (a token: letters, digits and
/// ``!#$%&'*+-.^_`|~``).
fn is_header_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Headers typed one per line as `Name: value`: names and values trimmed, blank lines
/// skipped, the value being everything after the first `:` (so it may hold colons).
///
/// Errors name the line (counting from 1, blank lines included) and never repeat a value: a
/// line without `:`, an empty name, a name that is not a header name, a name given twice
/// (header names are not case-sensitive, so `x-token` repeats `X-Token`), more than
/// [`MAX_HEADERS`] headers.
pub fn parse_header_lines(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut headers = BTreeMap::new();
    // Lower-cased name → the line it was first given on.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "Line {number}: missing ':' between the header name and its value (write Name: value)."
            ));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(format!(
                "Line {number}: the header name before ':' is empty."
            ));
        }
        if !is_header_name(name) {
            return Err(format!(
                "Line {number}: {name:?} is not a header name (letters, digits and ! # $ % & ' * + - . ^ _ ` | ~ only)."
            ));
        }
        if let Some(first) = seen.insert(name.to_ascii_lowercase(), number) {
            return Err(format!(
                "Line {number}: header {name} is already given on line {first} (header names are not case-sensitive)."
            ));
        }
        headers.insert(name.to_owned(), value.trim().to_owned());
    }
    if headers.len() > MAX_HEADERS {
        return Err(TOO_MANY_HEADERS.to_owned());
    }
    Ok(headers)
}

/// The outbound-webhook form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookForm {
    /// The name runbooks call it by (`IntegrationName`).
    pub name: String,
    /// Where it POSTs.
    pub url: String,
    /// Extra headers, one `Name: value` per line.
    pub headers: String,
}

impl WebhookForm {
    /// The `POST /v1/webhooks` input: the name and URL trimmed, the header lines parsed
    /// ([`parse_header_lines`]). Whether the URL's address may be reached, and which headers
    /// Tocsin sets itself, the server decides.
    pub fn put_input(&self) -> Result<PutOutboundWebhook, String> {
        let name = check_webhook_name(&self.name)?;
        let url = required(&self.url, URL_MESSAGE)?;
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(URL_SCHEME_MESSAGE.to_owned());
        }
        let headers = parse_header_lines(&self.headers)?;
        Ok(PutOutboundWebhook {
            name,
            url: url.to_owned(),
            headers,
        })
    }
}

/// The service-role form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRoleForm {
    /// The principal's role ARN.
    pub role_arn: String,
    /// A role's wire spelling (`producer`, `viewer`, `responder`, `admin`).
    pub role: String,
}

impl Default for ServiceRoleForm {
    /// No ARN, and `responder`: what a principal acts with unless told otherwise.
    fn default() -> Self {
        Self {
            role_arn: String::new(),
            role: Role::Responder.as_str().to_owned(),
        }
    }
}

impl ServiceRoleForm {
    /// The `POST /v1/service-roles` input, the ARN trimmed.
    pub fn put_input(&self) -> Result<PutServiceRole, String> {
        let role_arn = required(&self.role_arn, ROLE_ARN_MESSAGE)?;
        let ok = role_arn.starts_with("arn:")
            && role_arn.len() <= 1000
            && !role_arn.chars().any(char::is_whitespace);
        if !ok {
            return Err(ROLE_ARN_RULES.to_owned());
        }
        let role = Role::parse(self.role.trim()).ok_or_else(|| ROLE_MESSAGE.to_owned())?;
        Ok(PutServiceRole {
            role_arn: role_arn.to_owned(),
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn header_lines_are_parsed_and_trimmed() {
        assert_eq!(parse_header_lines(""), Ok(BTreeMap::new()));
        assert_eq!(parse_header_lines(" \n\n  "), Ok(BTreeMap::new()));
        assert_eq!(
            parse_header_lines("X-Token:  s3cret \r\n\nAuthorization: Basic a:b:c\n"),
            Ok(headers(&[
                ("X-Token", "s3cret"),
                ("Authorization", "Basic a:b:c")
            ]))
        );
        // An empty value is a value.
        assert_eq!(
            parse_header_lines("X-Empty:"),
            Ok(headers(&[("X-Empty", "")]))
        );
    }

    #[test]
    fn a_line_without_a_colon_is_named() {
        assert_eq!(
            parse_header_lines("X-A: 1\n\nX-Token s3cret"),
            Err(
                "Line 3: missing ':' between the header name and its value (write Name: value)."
                    .to_owned()
            )
        );
    }

    #[test]
    fn an_empty_or_bad_name_is_named() {
        assert_eq!(
            parse_header_lines(": s3cret"),
            Err("Line 1: the header name before ':' is empty.".to_owned())
        );
        assert_eq!(
            parse_header_lines("X-A: 1\n   : s3cret"),
            Err("Line 2: the header name before ':' is empty.".to_owned())
        );
        let err = parse_header_lines("X Token: s3cret")
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("Line 1: \"X Token\" is not a header name"),
            "{err}"
        );
        assert!(parse_header_lines("Émoji: 1").is_err());
    }

    #[test]
    fn a_name_given_twice_is_named_whatever_its_case() {
        assert_eq!(
            parse_header_lines("X-Token: a\nX-Other: b\nx-token: c"),
            Err(
                "Line 3: header x-token is already given on line 1 (header names are not case-sensitive)."
                    .to_owned()
            )
        );
    }

    #[test]
    fn errors_never_repeat_a_value() {
        for text in [
            "X-Token s3cret-value",
            ": s3cret-value",
            "X-A: s3cret-value\nX-A: s3cret-value",
            "Bad Name: s3cret-value",
        ] {
            let err = parse_header_lines(text).err().unwrap_or_default();
            assert!(!err.is_empty(), "{text:?} was accepted");
            assert!(!err.contains("s3cret-value"), "{text:?}: {err}");
        }
    }

    #[test]
    fn at_most_twenty_headers() {
        let lines = |n: usize| {
            (0..n)
                .map(|i| format!("X-H{i}: v"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(parse_header_lines(&lines(20)).map(|h| h.len()), Ok(20));
        assert_eq!(
            parse_header_lines(&lines(21)),
            Err(TOO_MANY_HEADERS.to_owned())
        );
    }

    #[test]
    fn webhook_names() {
        assert_eq!(
            check_webhook_name(" pager.v2_x-y "),
            Ok("pager.v2_x-y".to_owned())
        );
        assert_eq!(
            check_webhook_name(&"a".repeat(128)).map(|n| n.len()),
            Ok(128)
        );
        for bad in ["", "  ", "has space", "a/b", "<b>", &"a".repeat(129)] {
            assert_eq!(
                check_webhook_name(bad),
                Err(WEBHOOK_NAME_RULES.to_owned()),
                "{bad:?}"
            );
        }
    }

    fn webhook(name: &str, url: &str, headers: &str) -> WebhookForm {
        WebhookForm {
            name: name.to_owned(),
            url: url.to_owned(),
            headers: headers.to_owned(),
        }
    }

    #[test]
    fn a_valid_webhook_form_builds_the_request() {
        let input = webhook(
            " pager ",
            " https://hooks.example.com/x?a=1 ",
            "X-Token: t\n",
        )
        .put_input();
        assert_eq!(
            input,
            Ok(PutOutboundWebhook {
                name: "pager".to_owned(),
                url: "https://hooks.example.com/x?a=1".to_owned(),
                headers: headers(&[("X-Token", "t")]),
            })
        );
        assert!(
            webhook("p", "HTTP://hooks.example.com", "")
                .put_input()
                .is_ok()
        );
    }

    #[test]
    fn webhook_form_errors() {
        assert_eq!(
            webhook("", "https://x", "").put_input(),
            Err(WEBHOOK_NAME_RULES.to_owned())
        );
        assert_eq!(
            webhook("p", "  ", "").put_input(),
            Err(URL_MESSAGE.to_owned())
        );
        for bad in ["ftp://x", "hooks.example.com", "javascript:alert(1)"] {
            assert_eq!(
                webhook("p", bad, "").put_input(),
                Err(URL_SCHEME_MESSAGE.to_owned()),
                "{bad:?}"
            );
        }
        assert!(
            webhook("p", "https://x", "oops")
                .put_input()
                .is_err_and(|e| e.starts_with("Line 1:"))
        );
    }

    fn service_role(arn: &str, role: &str) -> ServiceRoleForm {
        ServiceRoleForm {
            role_arn: arn.to_owned(),
            role: role.to_owned(),
        }
    }

    #[test]
    fn service_role_form() {
        assert_eq!(ServiceRoleForm::default().role, "responder");
        assert_eq!(
            service_role(" arn:aws:iam::000000000000:role/Auto ", "viewer").put_input(),
            Ok(PutServiceRole {
                role_arn: "arn:aws:iam::000000000000:role/Auto".to_owned(),
                role: Role::Viewer,
            })
        );
        assert_eq!(
            service_role(" ", "viewer").put_input(),
            Err(ROLE_ARN_MESSAGE.to_owned())
        );
        for bad in [
            "role/Auto",
            "arn:aws:iam::0:role/a b",
            &format!("arn:{}", "a".repeat(997)),
        ] {
            assert_eq!(
                service_role(bad, "viewer").put_input(),
                Err(ROLE_ARN_RULES.to_owned()),
                "{bad:?}"
            );
        }
        assert_eq!(
            service_role("arn:r", "root").put_input(),
            Err(ROLE_MESSAGE.to_owned())
        );
    }
}

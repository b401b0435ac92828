//! The app's forms as plain data: what was typed in, checked and turned into API requests.
//!
//! Nothing here touches the DOM or the network; components keep one signal per field and
//! build these values from them on submit, so every rule a form applies (what is required,
//! what is trimmed, what is left out, which message a bad field gives) is unit-tested
//! natively with `cargo test -p tocsin-web`.

pub mod acknowledge;
pub mod archive;
pub mod audit;
pub mod board;
pub mod contacts;
pub mod incident;
pub mod integrations;
pub mod maintenance;
pub mod note;
pub mod plan;
pub mod receivers;
pub mod related;
pub mod rule;
pub mod runbook;
pub mod start;
pub mod tags;
pub mod target;
pub mod topics;

use tocsin_api::impact::Impact;

/// The message for an impact that is not 1-5.
pub const IMPACT_MESSAGE: &str = "Choose an impact from 1 to 5.";

/// `text` trimmed, or `message` when that leaves nothing.
pub fn required<'a>(text: &'a str, message: &str) -> Result<&'a str, String> {
    match text.trim() {
        "" => Err(message.to_owned()),
        trimmed => Ok(trimmed),
    }
}

/// `text` trimmed, or `None` when that leaves nothing (an optional field left out).
pub fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// An impact picked as `"1"`…`"5"`.
pub fn impact(text: &str) -> Result<i32, String> {
    text.trim()
        .parse::<i32>()
        .ok()
        .and_then(Impact::new)
        .map(Impact::get)
        .ok_or_else(|| IMPACT_MESSAGE.to_owned())
}

/// An impact picked as `"1"`…`"5"`, or `""` for "the default" (`None`).
pub fn optional_impact(text: &str) -> Result<Option<i32>, String> {
    match text.trim() {
        "" => Ok(None),
        s => impact(s).map(Some),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tocsin_api::incidents::ResponsePlanSummary;

    /// Plan `db`, displayed as `Database`.
    pub(crate) fn plan_summary() -> ResponsePlanSummary {
        ResponsePlanSummary {
            arn: "arn:p".to_owned(),
            name: "db".to_owned(),
            display_name: Some("Database".to_owned()),
        }
    }

    #[test]
    fn shared_field_rules() {
        assert_eq!(required(" a ", "m"), Ok("a"));
        assert_eq!(required(" \n", "m"), Err("m".to_owned()));
        assert_eq!(non_empty("  "), None);
        assert_eq!(non_empty(" x "), Some("x".to_owned()));
        assert_eq!(impact(" 2 "), Ok(2));
        for bad in ["", "0", "6", "x", "1.5"] {
            assert_eq!(impact(bad), Err(IMPACT_MESSAGE.to_owned()), "{bad:?}");
        }
        assert_eq!(optional_impact(""), Ok(None));
        assert_eq!(optional_impact("5"), Ok(Some(5)));
        assert_eq!(optional_impact("9"), Err(IMPACT_MESSAGE.to_owned()));
    }
}

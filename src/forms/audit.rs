//! The Audit page's filters (`/audit`): who, which operation, how far back, how many.

use tocsin_api::EpochSeconds;
use tocsin_api::audit::AuditQuery;

use super::non_empty;

/// Most entries one query may ask for (the server's limit).
pub const MAX_LIMIT: i64 = 1000;

/// Entries asked for unless the form says otherwise (the server's default).
pub const DEFAULT_LIMIT: i64 = 100;

/// The limits the page offers.
pub const LIMIT_CHOICES: [i64; 4] = [25, 100, 250, 1000];

/// The message for a limit that is not a whole number from 1 to [`MAX_LIMIT`].
pub const LIMIT_MESSAGE: &str = "Show 1 to 1000 entries.";

/// How far back the page looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeWindow {
    /// The last hour.
    Hour,
    /// The last 24 hours.
    Day,
    /// The last 7 days.
    Week,
    /// No time limit.
    All,
}

impl TimeWindow {
    /// Every window, in the order the page offers them.
    pub const ALL: [Self; 4] = [Self::Hour, Self::Day, Self::Week, Self::All];

    /// The `<option>` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
            Self::All => "all",
        }
    }

    /// What the picker shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Hour => "Last hour",
            Self::Day => "Last day",
            Self::Week => "Last week",
            Self::All => "All time",
        }
    }

    /// The window an `<option>` value names.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == text.trim())
    }

    /// Its length in seconds (`None`: no limit).
    pub fn seconds(self) -> Option<f64> {
        match self {
            Self::Hour => Some(3_600.0),
            Self::Day => Some(86_400.0),
            Self::Week => Some(7.0 * 86_400.0),
            Self::All => None,
        }
    }

    /// Where the window starts when it ends at `now` (whole seconds; `None`: no limit).
    pub fn after(self, now: EpochSeconds) -> Option<EpochSeconds> {
        self.seconds().map(|len| (now - len).floor())
    }
}

/// The filter form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditForm {
    /// A principal ARN, a key name, or empty for everyone.
    pub principal: String,
    /// An operation (`CreateResponsePlan`…), or empty for every operation.
    pub operation: String,
    /// A [`TimeWindow`]'s value.
    pub window: String,
    /// How many entries, `"1"`…`"1000"`.
    pub limit: String,
}

impl Default for AuditForm {
    fn default() -> Self {
        Self {
            principal: String::new(),
            operation: String::new(),
            window: TimeWindow::All.as_str().to_owned(),
            limit: DEFAULT_LIMIT.to_string(),
        }
    }
}

impl AuditForm {
    /// The `GET /v1/audit` filters at `now`. `own_principal` (the signed-in key's) lets a
    /// bare key name stand for its principal ARN; empty fields are left out.
    pub fn query(
        &self,
        now: EpochSeconds,
        own_principal: Option<&str>,
    ) -> Result<AuditQuery, String> {
        let window = TimeWindow::parse(&self.window).ok_or("Choose a time window.")?;
        Ok(AuditQuery {
            principal: principal_filter(&self.principal, own_principal),
            operation: non_empty(&self.operation),
            after: window.after(now),
            before: None,
            limit: Some(limit(&self.limit)?),
        })
    }
}

/// A limit typed or picked as `"1"`…`"1000"`.
pub fn limit(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| LIMIT_MESSAGE.to_owned())
}

/// The principal to filter on: empty is everyone; a bare key name (no `:` or `/`) becomes
/// `arn:aws:iam::<account>:user/<name>` with the account of `own_principal` (the signed-in
/// key's ARN); anything else is used as typed (the server matches it exactly).
pub fn principal_filter(typed: &str, own_principal: Option<&str>) -> Option<String> {
    let typed = non_empty(typed)?;
    if typed.contains([':', '/']) {
        return Some(typed);
    }
    let prefix = own_principal
        .and_then(|own| own.rsplit_once(":user/"))
        .map(|(account, _)| account)
        .filter(|account| account.starts_with("arn:"));
    Some(match prefix {
        Some(account) => format!("{account}:user/{typed}"),
        None => typed,
    })
}

/// The line above the table: how many entries, and whether the limit cut older ones off.
pub fn summary(count: usize, limit: Option<i64>) -> String {
    let noun = if count == 1 { "entry" } else { "entries" };
    let full = limit.is_some_and(|l| usize::try_from(l).is_ok_and(|l| l > 0 && count >= l));
    if full {
        format!("{count} {noun}, newest first (the limit: older entries are not shown).")
    } else {
        format!("{count} {noun}, newest first.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "arn:aws:iam::000000000000:user/admin";
    const NOW: f64 = 1_700_000_000.5;

    fn form(principal: &str, operation: &str, window: &str, limit: &str) -> AuditForm {
        AuditForm {
            principal: principal.to_owned(),
            operation: operation.to_owned(),
            window: window.to_owned(),
            limit: limit.to_owned(),
        }
    }

    #[test]
    fn the_default_form_asks_for_the_latest_hundred() {
        let query = AuditForm::default().query(NOW, Some(ME));
        assert_eq!(
            query,
            Ok(AuditQuery {
                limit: Some(100),
                ..AuditQuery::default()
            })
        );
    }

    #[test]
    fn filters_are_trimmed_and_empty_ones_left_out() {
        let query = form("  ", " StartIncident ", "all", " 25 ").query(NOW, Some(ME));
        assert_eq!(
            query,
            Ok(AuditQuery {
                operation: Some("StartIncident".to_owned()),
                limit: Some(25),
                ..AuditQuery::default()
            })
        );
    }

    #[test]
    fn windows_end_now_in_whole_seconds() {
        let after = |w: &str| form("", "", w, "100").query(NOW, None).map(|q| q.after);
        assert_eq!(after("hour"), Ok(Some(1_699_996_400.0)));
        assert_eq!(after("day"), Ok(Some(1_699_913_600.0)));
        assert_eq!(after("week"), Ok(Some(1_699_395_200.0)));
        assert_eq!(after("all"), Ok(None));
        assert!(after("fortnight").is_err());
        for w in TimeWindow::ALL {
            assert_eq!(TimeWindow::parse(w.as_str()), Some(w));
            assert!(!w.label().is_empty());
        }
    }

    #[test]
    fn limits_are_1_to_1000() {
        assert_eq!(limit("1"), Ok(1));
        assert_eq!(limit("1000"), Ok(1000));
        for bad in ["0", "1001", "-5", "", "ten", "2.5"] {
            assert_eq!(limit(bad), Err(LIMIT_MESSAGE.to_owned()), "{bad:?}");
        }
        assert!(form("", "", "all", "0").query(NOW, None).is_err());
        for choice in LIMIT_CHOICES {
            assert_eq!(limit(&choice.to_string()), Ok(choice));
        }
    }

    #[test]
    fn summaries_say_when_the_limit_cut_entries_off() {
        assert_eq!(summary(1, Some(100)), "1 entry, newest first.");
        assert_eq!(summary(3, None), "3 entries, newest first.");
        assert_eq!(
            summary(25, Some(25)),
            "25 entries, newest first (the limit: older entries are not shown)."
        );
        assert_eq!(summary(0, Some(0)), "0 entries, newest first.");
    }

    #[test]
    fn a_key_name_stands_for_its_principal() {
        assert_eq!(principal_filter("", Some(ME)), None);
        assert_eq!(
            principal_filter(" ci-bot ", Some(ME)).as_deref(),
            Some("arn:aws:iam::000000000000:user/ci-bot")
        );
        // A whole principal is used as typed.
        for whole in ["arn:aws:iam::111111111111:user/x", "local:tocsin-cli"] {
            assert_eq!(principal_filter(whole, Some(ME)).as_deref(), Some(whole));
        }
        // Without an ARN to take the account from, the name is sent as typed.
        assert_eq!(principal_filter("ci-bot", None).as_deref(), Some("ci-bot"));
        assert_eq!(
            principal_filter("ci-bot", Some("local:tocsin-cli")).as_deref(),
            Some("ci-bot")
        );
    }
}

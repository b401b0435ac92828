//! Schedule expressions of scheduled rules, as EventBridge reads them (PutRule's
//! `ScheduleExpression`, EventBridge 2015-10-07; "Schedule expressions for rules" in the
//! EventBridge User Guide):
//!
//! - `rate(<value> <unit>)`: a positive whole `value` and `minute`/`hour`/`day`, singular
//!   for 1 and plural otherwise (`rate(1 minute)`, `rate(5 minutes)`). The first firing is
//!   one period after the rule is created (or its schedule changed, or it is enabled).
//! - `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)`, six fields, UTC:
//!   `*`, `,`, `-`, `/` increments; `?` in exactly one of day-of-month and day-of-week (they
//!   cannot both be set); `L` (last day of the month, or of the week; `6L` the last Friday),
//!   `W` (`3W`: the weekday nearest the 3rd) in day-of-month; `#` (`2#1`: the first Monday) in
//!   day-of-week; day-of-week 1-7 = SUN-SAT (or the names); months 1-12 or JAN-DEC; years
//!   1970-2199.
//!
//! Next firing times are computed with the `croner` crate (Quartz-style weekdays, years
//! and seconds fixed at 0) after the EventBridge-specific checks here.

use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

use crate::domain::error::{ApiError, ApiResult};

/// A parsed schedule expression.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Every this many seconds.
    Rate(f64),
    /// A six-field EventBridge cron expression, in UTC.
    Cron(Box<Cron>),
}

fn invalid() -> ApiError {
    ApiError::Validation("Parameter ScheduleExpression is not valid.".into())
}

/// Most occurrences [`Schedule::latest_due`] walks through when catching up (beyond, it
/// jumps to the next occurrence after now).
const CATCH_UP_STEPS: usize = 100_000;

impl Schedule {
    /// Parses `rate(...)` or `cron(...)`.
    ///
    /// Errors: `ValidationException` "Parameter ScheduleExpression is not valid." for
    /// anything EventBridge refuses, as it words it.
    pub fn parse(expression: &str) -> ApiResult<Self> {
        if expression.len() > 256 {
            return Err(invalid());
        }
        if let Some(inner) = expression
            .strip_prefix("rate(")
            .and_then(|s| s.strip_suffix(')'))
        {
            return rate(inner).map(Schedule::Rate);
        }
        if let Some(inner) = expression
            .strip_prefix("cron(")
            .and_then(|s| s.strip_suffix(')'))
        {
            return cron(inner).map(|c| Schedule::Cron(Box::new(c)));
        }
        Err(invalid())
    }

    /// The first occurrence strictly after `t` (epoch seconds); `None` if there is none
    /// (a cron expression whose years have passed).
    pub fn next_after(&self, t: f64) -> Option<f64> {
        match self {
            Schedule::Rate(period) => Some(t + period),
            Schedule::Cron(c) => {
                let start = DateTime::<Utc>::from_timestamp_millis((t * 1000.0) as i64)?;
                c.find_next_occurrence(&start, false)
                    .ok()
                    .map(|d| d.timestamp() as f64)
            }
        }
    }

    /// Catch-up: given the stored next firing `next_at` and `now >= next_at`, the
    /// occurrence to fire (the latest one at or before `now`), how many earlier ones it
    /// stands for (missed while Tocsin was down or busy), and the next one after it.
    pub fn latest_due(&self, next_at: f64, now: f64) -> (f64, u64, Option<f64>) {
        let mut fire = next_at;
        let mut missed = 0u64;
        if let Schedule::Rate(period) = self {
            let k = ((now - next_at) / period).floor().max(0.0);
            fire = next_at + k * period;
            return (fire, k as u64, Some(fire + period));
        }
        for _ in 0..CATCH_UP_STEPS {
            match self.next_after(fire) {
                Some(n) if n <= now => {
                    fire = n;
                    missed += 1;
                }
                other => return (fire, missed, other),
            }
        }
        (fire, missed, self.next_after(now))
    }
}

fn rate(inner: &str) -> ApiResult<f64> {
    let mut parts = inner.split(' ');
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let n: u64 = value.parse().map_err(|_| invalid())?;
    let seconds = match (n, unit) {
        (0, _) => return Err(invalid()),
        (1, "minute") | (2.., "minutes") => 60,
        (1, "hour") | (2.., "hours") => 3600,
        (1, "day") | (2.., "days") => 86_400,
        _ => return Err(invalid()),
    };
    n.checked_mul(seconds)
        .filter(|s| *s <= 100 * 365 * 86_400)
        .map(|s| s as f64)
        .ok_or_else(invalid)
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Checks one field's characters and numbers: `extra` are the letters it allows besides
/// digits and `* , - /`; `names` its names, in order from 1; numbers must lie in
/// `min..=max` (increments after `/` only need to be positive, `#n` is 1-5).
fn field(text: &str, extra: &str, names: &[&str], min: u32, max: u32) -> ApiResult<()> {
    // Names stand for their numbers (JAN = 1, SUN = 1).
    let mut rest = text.to_ascii_uppercase();
    for (i, name) in names.iter().enumerate() {
        rest = rest.replace(name, &(i + 1).to_string());
    }
    for item in rest.split(',') {
        if item.is_empty() {
            return Err(invalid());
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(step) = step
            && (step.is_empty()
                || !step.bytes().all(|b| b.is_ascii_digit())
                || step.parse::<u32>().map_or(true, |s| s == 0))
        {
            return Err(invalid());
        }
        for c in range.chars() {
            if !(c.is_ascii_digit() || "*-".contains(c) || extra.contains(c)) {
                return Err(invalid());
            }
        }
        for number in range.split(|c: char| !c.is_ascii_digit()) {
            if number.is_empty() {
                continue;
            }
            let n: u32 = number.parse().map_err(|_| invalid())?;
            // `#n` is the nth weekday (1-5), checked separately.
            if range.contains('#') && range.ends_with(number) {
                if !(1..=5).contains(&n) {
                    return Err(invalid());
                }
                continue;
            }
            if n < min || n > max {
                return Err(invalid());
            }
        }
    }
    Ok(())
}

fn cron(inner: &str) -> ApiResult<Cron> {
    let fields: Vec<&str> = inner.split(' ').collect();
    let [minutes, hours, dom, month, dow, year] = fields[..] else {
        return Err(invalid());
    };
    // `?` is a whole field, in exactly one of day-of-month and day-of-week.
    let (dom_q, dow_q) = (dom == "?", dow == "?");
    if dom_q == dow_q || dom.len() > 1 && dom.contains('?') || dow.len() > 1 && dow.contains('?') {
        return Err(invalid());
    }
    field(minutes, "", &[], 0, 59)?;
    field(hours, "", &[], 0, 23)?;
    if !dom_q {
        field(dom, "LW", &[], 1, 31)?;
        if dom.contains('W')
            && !dom
                .trim_end_matches('W')
                .bytes()
                .all(|b| b.is_ascii_digit())
            && dom != "LW"
        {
            return Err(invalid());
        }
    }
    field(month, "", &MONTHS, 1, 12)?;
    if !dow_q {
        field(dow, "L#", &DAYS, 1, 7)?;
    }
    field(year, "", &[], 1970, 2199)?;
    // croner takes Quartz's weekdays (1-7 = SUN-SAT), seconds and years; a lone `L` in
    // day-of-week is the last day of the week, Saturday.
    let dow = if dow == "L" { "7" } else { dow };
    let pattern = format!("0 {minutes} {hours} {dom} {month} {dow} {year}");
    CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Required)
        .alternative_weekdays(true)
        .build()
        .parse(&pattern)
        .map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> f64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp() as f64
    }

    fn iso(t: f64) -> String {
        DateTime::<Utc>::from_timestamp(t as i64, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    /// The next `n` firings after `from`.
    fn next(expr: &str, from: &str, n: usize) -> Vec<String> {
        let s = Schedule::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let mut t = at(from);
        (0..n)
            .map(|_| {
                t = s.next_after(t).unwrap();
                iso(t)
            })
            .collect()
    }

    /// Every example in the EventBridge User Guide's "Cron expressions" table, from
    /// Wednesday 2025-01-01 00:00 UTC.
    #[test]
    fn eventbridge_documentation_examples() {
        let from = "2025-01-01T00:00:00Z";
        let table: &[(&str, &[&str])] = &[
            // 10:15 AM every day.
            (
                "cron(15 10 * * ? *)",
                &["2025-01-01T10:15:00Z", "2025-01-02T10:15:00Z"],
            ),
            // 6:00 PM Monday through Friday (2025-01-01 is a Wednesday).
            (
                "cron(0 18 ? * MON-FRI *)",
                &[
                    "2025-01-01T18:00:00Z",
                    "2025-01-02T18:00:00Z",
                    "2025-01-03T18:00:00Z",
                    "2025-01-06T18:00:00Z",
                ],
            ),
            // 8:00 AM on the first day of the month.
            (
                "cron(0 8 1 * ? *)",
                &["2025-01-01T08:00:00Z", "2025-02-01T08:00:00Z"],
            ),
            // Every 10 minutes on weekdays.
            (
                "cron(0/10 * ? * MON-FRI *)",
                &["2025-01-01T00:10:00Z", "2025-01-01T00:20:00Z"],
            ),
            // Every 5 minutes between 8:00 AM and 5:55 PM on weekdays.
            (
                "cron(0/5 8-17 ? * MON-FRI *)",
                &["2025-01-01T08:00:00Z", "2025-01-01T08:05:00Z"],
            ),
            // 9:00 AM on the first Monday of each month.
            (
                "cron(0 9 ? * 2#1 *)",
                &["2025-01-06T09:00:00Z", "2025-02-03T09:00:00Z"],
            ),
            // 12:00 PM every day.
            (
                "cron(0 12 * * ? *)",
                &["2025-01-01T12:00:00Z", "2025-01-02T12:00:00Z"],
            ),
            // 2:05 PM and 2:35 PM every day.
            (
                "cron(5,35 14 * * ? *)",
                &[
                    "2025-01-01T14:05:00Z",
                    "2025-01-01T14:35:00Z",
                    "2025-01-02T14:05:00Z",
                ],
            ),
            // 10:15 AM on the last Friday of each month, 2025-2026.
            (
                "cron(15 10 ? * 6L 2025-2026)",
                &[
                    "2025-01-31T10:15:00Z",
                    "2025-02-28T10:15:00Z",
                    "2025-03-28T10:15:00Z",
                ],
            ),
            // Every 15 minutes.
            (
                "cron(0/15 * * * ? *)",
                &["2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z"],
            ),
        ];
        for (expr, want) in table {
            assert_eq!(next(expr, from, want.len()), *want, "{expr}");
        }
    }

    /// Cases derived from each documented rule.
    #[test]
    fn documented_rules() {
        let from = "2025-01-01T00:00:00Z";
        let table: &[(&str, &[&str])] = &[
            // L in day-of-month: the last day of the month (February 2025 has 28).
            (
                "cron(0 0 L * ? *)",
                &["2025-01-31T00:00:00Z", "2025-02-28T00:00:00Z"],
            ),
            // L in day-of-week: the last day of the week, Saturday.
            (
                "cron(0 0 ? * L *)",
                &["2025-01-04T00:00:00Z", "2025-01-11T00:00:00Z"],
            ),
            // W: the weekday nearest the 4th (2025-01-04 is a Saturday: Friday the 3rd; 2025-05-04
            // is a Sunday: Monday the 5th).
            (
                "cron(0 0 4W * ? *)",
                &["2025-01-03T00:00:00Z", "2025-02-04T00:00:00Z"],
            ),
            ("cron(0 0 4W 5 ? *)", &["2025-05-05T00:00:00Z"]),
            // #: the third Friday.
            (
                "cron(0 0 ? * 6#3 *)",
                &["2025-01-17T00:00:00Z", "2025-02-21T00:00:00Z"],
            ),
            // Day-of-week 1 is Sunday, 7 Saturday; names are the same days.
            ("cron(0 0 ? * 1 *)", &["2025-01-05T00:00:00Z"]),
            ("cron(0 0 ? * 7 *)", &["2025-01-04T00:00:00Z"]),
            ("cron(0 0 ? * SUN *)", &["2025-01-05T00:00:00Z"]),
            // Lists of days, months by name and number, increments in hours.
            (
                "cron(30 6 ? * MON,WED *)",
                &["2025-01-01T06:30:00Z", "2025-01-06T06:30:00Z"],
            ),
            (
                "cron(0 0 1 JAN,JUL ? *)",
                &["2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"],
            ),
            (
                "cron(0 0 1 1/6 ? *)",
                &["2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"],
            ),
            (
                "cron(0 0/6 * * ? *)",
                &["2025-01-01T06:00:00Z", "2025-01-01T12:00:00Z"],
            ),
            // The year field: only 2027.
            ("cron(0 0 1 1 ? 2027)", &["2027-01-01T00:00:00Z"]),
            // 29 February only in leap years.
            ("cron(0 0 29 2 ? *)", &["2028-02-29T00:00:00Z"]),
            // Ranges of minutes.
            (
                "cron(10-12 0 * * ? *)",
                &[
                    "2025-01-01T00:10:00Z",
                    "2025-01-01T00:11:00Z",
                    "2025-01-01T00:12:00Z",
                    "2025-01-02T00:10:00Z",
                ],
            ),
        ];
        for (expr, want) in table {
            assert_eq!(next(expr, from, want.len()), *want, "{expr}");
        }
        // A year that has passed: no next firing.
        assert_eq!(
            Schedule::parse("cron(0 0 1 1 ? 2024)")
                .unwrap()
                .next_after(at(from)),
            None
        );
    }

    #[test]
    fn rates() {
        let cases = [
            ("rate(1 minute)", 60.0),
            ("rate(5 minutes)", 300.0),
            ("rate(1 hour)", 3600.0),
            ("rate(12 hours)", 43_200.0),
            ("rate(1 day)", 86_400.0),
            ("rate(7 days)", 604_800.0),
        ];
        for (expr, period) in cases {
            match Schedule::parse(expr).unwrap() {
                Schedule::Rate(p) => assert_eq!(p, period, "{expr}"),
                other => panic!("{expr}: {other:?}"),
            }
        }
        assert_eq!(
            next("rate(5 minutes)", "2025-01-01T00:00:00Z", 2),
            ["2025-01-01T00:05:00Z", "2025-01-01T00:10:00Z"]
        );
    }

    #[test]
    fn invalid_expressions_are_refused() {
        for expr in [
            "",
            "rate()",
            "rate(0 minutes)",
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(-1 minutes)",
            "rate(1.5 hours)",
            "rate(5 seconds)",
            "rate(5  minutes)",
            "rate(1 week)",
            "every 5 minutes",
            "cron(0 10 * * ?)",
            "cron(0 10 * * ? * *)",
            "cron(0 10 * * * *)",
            "cron(0 10 ? * ? *)",
            "cron(0 10 1 * MON *)",
            "cron(60 10 * * ? *)",
            "cron(0 24 * * ? *)",
            "cron(0 10 32 * ? *)",
            "cron(0 10 0 * ? *)",
            "cron(0 10 * 13 ? *)",
            "cron(0 10 ? * 8 *)",
            "cron(0 10 ? * 0 *)",
            "cron(0 10 * * ? 1969)",
            "cron(0 10 * * ? 2200)",
            "cron(0/0 * * * ? *)",
            "cron(0 10 ? * 2#6 *)",
            "cron(0 10 1W5 * ? *)",
            "cron(0 10 ? * MON#x *)",
            "cron(0 10 L? * ? *)",
            "cron(0 W * * ? *)",
            "cron(0 10 * * ? *",
            "CRON(0 10 * * ? *)",
        ] {
            assert!(
                matches!(Schedule::parse(expr), Err(ApiError::Validation(m)) if m == "Parameter ScheduleExpression is not valid."),
                "{expr:?} must be refused"
            );
        }
    }

    #[test]
    fn catch_up_fires_the_latest_missed_occurrence_once() {
        let s = Schedule::parse("rate(1 minute)").unwrap();
        let (fire, missed, next) = s.latest_due(1000.0, 1000.0 + 185.0);
        assert_eq!((fire, missed, next), (1180.0, 3, Some(1240.0)));
        let c = Schedule::parse("cron(0/15 * * * ? *)").unwrap();
        let (fire, missed, next) =
            c.latest_due(at("2025-01-01T00:15:00Z"), at("2025-01-01T01:05:00Z"));
        assert_eq!(iso(fire), "2025-01-01T01:00:00Z");
        assert_eq!(missed, 3);
        assert_eq!(iso(next.unwrap()), "2025-01-01T01:15:00Z");
        // On time: nothing missed.
        let (fire, missed, _) =
            c.latest_due(at("2025-01-01T00:15:00Z"), at("2025-01-01T00:15:00Z"));
        assert_eq!((iso(fire).as_str(), missed), ("2025-01-01T00:15:00Z", 0));
    }
}

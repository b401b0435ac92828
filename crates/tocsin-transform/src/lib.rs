//! Why this crate exists: an EventBridge rule's targets can be sent something other than the
//! whole event, set by `Input`, `InputPath` or `InputTransformer` as PutTargets defines them
//! (EventBridge API 2015-10-07, user guide "Amazon EventBridge input transformation"). That is
//! the target side of a rule, not the event-pattern language: a pattern decides *whether* a
//! rule fires (`tocsin-pattern`, which the web app also runs in the browser), an input
//! transformer decides *what* its targets receive, which only the server needs, at delivery.
//! So it lives here, and neither crate depends on the other.
//!
//! The one design decision: everything is checked when the target is saved
//! ([`TargetInput::new`], with EventBridge-style reasons in [`TransformError`]), so delivery
//! ([`TargetInput::render`]) cannot fail: a path that finds nothing yields nothing (or
//! `null`), never an error at send time.
//!
//! Template semantics:
//! - A template that is JSON once its placeholders are filled (an object, an array or a
//!   quoted string) is a **JSON template**. A placeholder outside quotes becomes the value as
//!   JSON (`"i-1"`, `5`, `{...}`; `null` when the path found nothing). Inside quotes it
//!   becomes the value's text, escaped so the result stays valid JSON (EventBridge inserts it
//!   unescaped and can emit broken JSON; Tocsin escapes). A placeholder may not be an object
//!   key. The output is minified.
//! - Any other template is a **string template**: values are inserted as plain text
//!   (strings without quotes), nothing for a missing path.
//! - Predefined variables: `<aws.events.rule-arn>`, `<aws.events.rule-name>`,
//!   `<aws.events.event.ingestion-time>` (ISO 8601), and, only as a JSON value outside quotes,
//!   `<aws.events.event>` (the event without `detail`) and `<aws.events.event.json>` (the
//!   whole event). They are reserved: `InputPathsMap` may not define `aws.*` keys.
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use serde_json::json;
//! use tocsin_transform::{DeliveryContext, TargetInput};
//!
//! let paths = BTreeMap::from([("state".to_owned(), "$.detail.state".to_owned())]);
//! let template = r#"{"state": <state>, "rule": "<aws.events.rule-name>"}"#;
//! let input = TargetInput::new(None, None, Some((&paths, template)))?;
//! let ctx = DeliveryContext {
//!     rule_arn: "arn:aws:events:us-east-1:123456789012:rule/ec2",
//!     rule_name: "ec2",
//!     ingestion_time: "2024-05-01T12:00:00Z",
//! };
//! let event = json!({"source": "aws.ec2", "detail": {"state": "terminated"}});
//! assert_eq!(input.render(&event, &ctx), r#"{"state":"terminated","rule":"ec2"}"#);
//!
//! // Refused when saved, not when delivered.
//! assert!(TargetInput::new(None, None, Some((&paths, "<undefined>"))).is_err());
//! # Ok::<(), tocsin_transform::TransformError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// Most `InputPathsMap` entries.
pub const MAX_INPUT_PATHS: usize = 100;
/// Longest `InputTemplate` (characters).
pub const MAX_TEMPLATE_CHARS: usize = 8192;
/// Longest `Input` (characters).
pub const MAX_INPUT_CHARS: usize = 8192;
/// Longest `InputPath` and `InputPathsMap` value (characters).
pub const MAX_PATH_CHARS: usize = 256;

const RULE_ARN: &str = "aws.events.rule-arn";
const RULE_NAME: &str = "aws.events.rule-name";
const INGESTION_TIME: &str = "aws.events.event.ingestion-time";
const EVENT: &str = "aws.events.event";
const EVENT_JSON: &str = "aws.events.event.json";

/// Why a target's input settings are invalid (rendered as EventBridge's
/// `ValidationException` by the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformError(String);

impl TransformError {
    fn new(msg: impl Into<String>) -> Self {
        TransformError(msg.into())
    }
}

impl fmt::Display for TransformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransformError {}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Index(usize),
    Wildcard,
}

/// A JSON path in the subset EventBridge supports: `$`, dot notation with letters, digits,
/// `-`, `_`, `/` (and other non-special characters), array indices `[0]` and wildcards `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses `$.detail.state` and the like.
    ///
    /// Errors: a path not starting with `$`, empty segments, brackets other than `[N]`/`[*]`.
    pub fn parse(text: &str) -> Result<Self, TransformError> {
        let bad =
            |why: &str| TransformError::new(format!("JSON path '{text}' is not valid: {why}."));
        if text.chars().count() > MAX_PATH_CHARS {
            return Err(bad(&format!("longer than {MAX_PATH_CHARS} characters")));
        }
        let rest = text
            .strip_prefix('$')
            .ok_or_else(|| bad("it must start with $"))?;
        let mut steps = Vec::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '.' => {
                    let mut name = String::new();
                    while let Some(&n) = chars.peek() {
                        if n == '.' || n == '[' {
                            break;
                        }
                        if n.is_whitespace() || matches!(n, '"' | '\'' | ']' | '$' | '<' | '>') {
                            return Err(bad(&format!(
                                "character '{n}' is not allowed in a field name"
                            )));
                        }
                        name.push(n);
                        chars.next();
                    }
                    if name.is_empty() {
                        return Err(bad("empty field name"));
                    }
                    steps.push(if name == "*" {
                        Step::Wildcard
                    } else {
                        Step::Field(name)
                    });
                }
                '[' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some(']') => break,
                            Some(x) => inner.push(x),
                            None => return Err(bad("unclosed '['")),
                        }
                    }
                    if inner == "*" {
                        steps.push(Step::Wildcard);
                    } else {
                        let i = inner
                            .parse::<usize>()
                            .map_err(|_| bad("only [N] array indices and [*] are supported; use dot notation for fields"))?;
                        steps.push(Step::Index(i));
                    }
                }
                other => return Err(bad(&format!("unexpected '{other}'"))),
            }
        }
        Ok(JsonPath {
            text: text.to_owned(),
            steps,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What the path selects in `value`: `None` when nothing is there. A path with a
    /// wildcard selects an array of everything it reached.
    pub fn select(&self, value: &Value) -> Option<Value> {
        let has_wildcard = self.steps.contains(&Step::Wildcard);
        let mut current: Vec<&Value> = vec![value];
        for step in &self.steps {
            let mut next = Vec::new();
            for v in current {
                match (step, v) {
                    (Step::Field(name), Value::Object(map)) => next.extend(map.get(name)),
                    (Step::Index(i), Value::Array(items)) => next.extend(items.get(*i)),
                    (Step::Wildcard, Value::Object(map)) => next.extend(map.values()),
                    (Step::Wildcard, Value::Array(items)) => next.extend(items.iter()),
                    _ => {}
                }
            }
            current = next;
        }
        if has_wildcard {
            (!current.is_empty()).then(|| Value::Array(current.into_iter().cloned().collect()))
        } else {
            current.first().map(|v| (*v).clone())
        }
    }
}

/// Facts about the delivery that predefined variables expose.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryContext<'a> {
    /// ARN of the rule that matched.
    pub rule_arn: &'a str,
    /// Name of the rule that matched.
    pub rule_name: &'a str,
    /// When the event was received, ISO 8601 (e.g. `2024-05-01T12:00:00Z`).
    pub ingestion_time: &'a str,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    /// A placeholder: variable name, and whether it stands inside a JSON string literal.
    Var {
        name: String,
        in_string: bool,
    },
}

/// A validated `InputTransformer`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputTransformer {
    paths: BTreeMap<String, JsonPath>,
    pieces: Vec<Piece>,
    json: bool,
}

fn is_var_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Splits a template into text and placeholders, tracking JSON string context.
fn tokenize(template: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' {
            let end = chars[i + 1..]
                .iter()
                .position(|&x| !is_var_char(x))
                .map(|p| i + 1 + p);
            if let Some(end) = end
                && end > i + 1
                && chars[end] == '>'
            {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Var {
                    name: chars[i + 1..end].iter().collect(),
                    in_string,
                });
                i = end + 1;
                escaped = false;
                continue;
            }
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        text.push(c);
        i += 1;
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// Sentinel characters (private use) marking in-string placeholders during validation.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

fn key_has_mark(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k.contains(MARK_OPEN) || key_has_mark(v)),
        Value::Array(a) => a.iter().any(key_has_mark),
        _ => false,
    }
}

impl InputTransformer {
    /// Validates `InputPathsMap` and `InputTemplate`.
    ///
    /// Errors: more than 100 paths; a key that is empty, reserved (`aws.*`) or has
    /// characters other than letters, digits, `_`, `-`, `.`; an invalid JSON path; a template
    /// that is empty or over 8192 characters; a placeholder naming no variable; a placeholder
    /// used as an object key; `<aws.events.event>`/`<aws.events.event.json>` anywhere but as
    /// a JSON value.
    pub fn new(
        paths_map: &BTreeMap<String, String>,
        template: &str,
    ) -> Result<Self, TransformError> {
        if paths_map.len() > MAX_INPUT_PATHS {
            return Err(TransformError::new(format!(
                "InputPathsMap has {} entries; at most {MAX_INPUT_PATHS} are allowed.",
                paths_map.len()
            )));
        }
        let mut paths = BTreeMap::new();
        for (key, path) in paths_map {
            if key.is_empty() || !key.chars().all(is_var_char) {
                return Err(TransformError::new(format!(
                    "InputPathsMap key '{key}' is not valid: use letters, digits, '_', '-' and '.'."
                )));
            }
            if key.to_ascii_lowercase().starts_with("aws.") {
                return Err(TransformError::new(format!(
                    "InputPathsMap key '{key}' is reserved: keys cannot start with 'aws.'."
                )));
            }
            paths.insert(key.clone(), JsonPath::parse(path)?);
        }
        let n = template.chars().count();
        if n == 0 || n > MAX_TEMPLATE_CHARS {
            return Err(TransformError::new(format!(
                "InputTemplate must have 1-{MAX_TEMPLATE_CHARS} characters; it has {n}."
            )));
        }
        let pieces = tokenize(template);
        let mut probe = String::new();
        let mut whole_event_vars = false;
        for piece in &pieces {
            match piece {
                Piece::Text(t) => probe.push_str(t),
                Piece::Var { name, in_string } => {
                    let predefined = [RULE_ARN, RULE_NAME, INGESTION_TIME, EVENT, EVENT_JSON]
                        .contains(&name.as_str());
                    if !predefined && !paths.contains_key(name) {
                        return Err(TransformError::new(format!(
                            "InputTemplate placeholder <{name}> is not defined in InputPathsMap."
                        )));
                    }
                    if name == EVENT || name == EVENT_JSON {
                        whole_event_vars = true;
                        if *in_string {
                            return Err(TransformError::new(format!(
                                "<{name}> can only be used as the value of a JSON field, not inside a string."
                            )));
                        }
                    }
                    if *in_string {
                        probe.push(MARK_OPEN);
                        probe.push(MARK_CLOSE);
                    } else {
                        probe.push_str("null");
                    }
                }
            }
        }
        let parsed = serde_json::from_str::<Value>(&probe).ok();
        let json = parsed
            .as_ref()
            .is_some_and(|v| v.is_object() || v.is_array() || v.is_string());
        if let Some(v) = parsed.as_ref().filter(|_| json)
            && key_has_mark(v)
        {
            return Err(TransformError::new(
                "InputTemplate placeholders cannot be used as object keys.",
            ));
        }
        let trimmed = template.trim_start();
        if !json && trimmed.starts_with('{') {
            return Err(TransformError::new(
                "InputTemplate starts with '{' but is not valid JSON once its placeholders are filled.",
            ));
        }
        if !json && whole_event_vars {
            return Err(TransformError::new(
                "<aws.events.event> and <aws.events.event.json> can only be used in a JSON template.",
            ));
        }
        Ok(InputTransformer {
            paths,
            pieces,
            json,
        })
    }

    /// Whether this is a JSON template (else a string template).
    pub fn is_json(&self) -> bool {
        self.json
    }

    fn value_of(&self, name: &str, event: &Value, ctx: &DeliveryContext<'_>) -> Option<Value> {
        match name {
            RULE_ARN => Some(Value::String(ctx.rule_arn.to_owned())),
            RULE_NAME => Some(Value::String(ctx.rule_name.to_owned())),
            INGESTION_TIME => Some(Value::String(ctx.ingestion_time.to_owned())),
            EVENT => {
                let mut without = event.clone();
                if let Value::Object(m) = &mut without {
                    m.remove("detail");
                }
                Some(without)
            }
            EVENT_JSON => Some(event.clone()),
            other => self.paths.get(other).and_then(|p| p.select(event)),
        }
    }

    /// Renders the template for `event`.
    pub fn render(&self, event: &Value, ctx: &DeliveryContext<'_>) -> String {
        // Nothing is larger than `usize::MAX` bytes: the cap never applies.
        self.render_capped(event, ctx, usize::MAX)
            .unwrap_or_default()
    }

    /// Renders the template for `event`, giving up as soon as the text passes `max_bytes`,
    /// so a template that repeats a large value cannot turn one event into gigabytes.
    ///
    /// Errors: [`TooLarge`] when the rendered text would exceed `max_bytes`.
    pub fn render_capped(
        &self,
        event: &Value,
        ctx: &DeliveryContext<'_>,
        max_bytes: usize,
    ) -> Result<String, TooLarge> {
        let mut out = String::new();
        for piece in &self.pieces {
            if out.len() > max_bytes {
                return Err(TooLarge { max_bytes });
            }
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var { name, in_string } => {
                    let value = self.value_of(name, event, ctx);
                    let text = match &value {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    if self.json && *in_string {
                        // Escape as JSON string content (without the surrounding quotes).
                        let quoted = Value::String(text).to_string();
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    } else if self.json {
                        out.push_str(&value.map_or_else(|| "null".to_owned(), |v| v.to_string()));
                    } else {
                        out.push_str(&text);
                    }
                }
            }
        }
        if out.len() > max_bytes {
            return Err(TooLarge { max_bytes });
        }
        Ok(if self.json {
            // Minify, as EventBridge delivers it.
            serde_json::from_str::<Value>(&out).map_or(out, |v| v.to_string())
        } else {
            out
        })
    }
}

/// A rendered target input would be larger than the cap it was rendered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    /// The cap, in bytes.
    pub max_bytes: usize,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the rendered input is larger than {} bytes, the most a target may receive",
            self.max_bytes
        )
    }
}

impl std::error::Error for TooLarge {}

/// What a target receives, from its `Input`, `InputPath` or `InputTransformer` (at most one).
#[derive(Debug, Clone, PartialEq)]
pub enum TargetInput {
    /// The whole event (none of the three set).
    Event,
    /// `Input`: constant JSON text.
    Constant(String),
    /// `InputPath`: part of the event.
    Path(JsonPath),
    /// `InputTransformer`.
    Transform(InputTransformer),
}

impl TargetInput {
    /// Validates a target's input settings.
    ///
    /// Errors: more than one of the three given; `Input` that is not JSON or over 8192
    /// characters; an invalid `InputPath`; an invalid transformer (see
    /// [`InputTransformer::new`]).
    pub fn new(
        input: Option<&str>,
        input_path: Option<&str>,
        transformer: Option<(&BTreeMap<String, String>, &str)>,
    ) -> Result<Self, TransformError> {
        let given = [input.is_some(), input_path.is_some(), transformer.is_some()];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(TransformError::new(
                "Only one of Input, InputPath, or InputTransformer must be provided.",
            ));
        }
        if let Some(text) = input {
            if text.chars().count() > MAX_INPUT_CHARS {
                return Err(TransformError::new(format!(
                    "Input must have at most {MAX_INPUT_CHARS} characters."
                )));
            }
            serde_json::from_str::<Value>(text)
                .map_err(|e| TransformError::new(format!("Input is not valid JSON: {e}.")))?;
            return Ok(TargetInput::Constant(text.to_owned()));
        }
        if let Some(path) = input_path {
            return Ok(TargetInput::Path(JsonPath::parse(path)?));
        }
        if let Some((paths, template)) = transformer {
            return Ok(TargetInput::Transform(InputTransformer::new(
                paths, template,
            )?));
        }
        Ok(TargetInput::Event)
    }

    /// The text delivered for `event` (JSON unless a string template says otherwise). An
    /// `InputPath` that selects nothing delivers `null`.
    pub fn render(&self, event: &Value, ctx: &DeliveryContext<'_>) -> String {
        match self {
            TargetInput::Event => event.to_string(),
            TargetInput::Constant(text) => text.clone(),
            TargetInput::Path(path) => path.select(event).unwrap_or(Value::Null).to_string(),
            TargetInput::Transform(t) => t.render(event, ctx),
        }
    }

    /// [`TargetInput::render`], refusing a result larger than `max_bytes`. A transformer
    /// stops rendering as soon as it passes the cap.
    ///
    /// Errors: [`TooLarge`].
    pub fn render_capped(
        &self,
        event: &Value,
        ctx: &DeliveryContext<'_>,
        max_bytes: usize,
    ) -> Result<String, TooLarge> {
        let text = match self {
            TargetInput::Transform(t) => t.render_capped(event, ctx, max_bytes)?,
            other => other.render(event, ctx),
        };
        if text.len() > max_bytes {
            Err(TooLarge { max_bytes })
        } else {
            Ok(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ec2_event() -> Value {
        // The example event of the user guide page "Amazon EventBridge input transformation".
        json!({
            "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
            "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}
        })
    }

    const CTX: DeliveryContext<'static> = DeliveryContext {
        rule_arn: "arn:aws:events:us-east-2:123456789012:rule/example",
        rule_name: "example",
        ingestion_time: "2015-11-11T21:29:55Z",
    };

    fn guide_paths() -> BTreeMap<String, String> {
        [
            ("timestamp", "$.time"),
            ("instance", "$.detail.instance-id"),
            ("state", "$.detail.state"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn render(template: &str) -> String {
        InputTransformer::new(&guide_paths(), template)
            .unwrap()
            .render(&ec2_event(), &CTX)
    }

    // The rows of the user guide's "Input Transform Examples" table.
    #[test]
    fn guide_simple_string() {
        assert_eq!(
            render(r#""instance <instance> is in <state>""#),
            r#""instance i-0123456789 is in RUNNING""#
        );
    }

    #[test]
    fn guide_string_with_escaped_quotes() {
        assert_eq!(
            render(r#""instance \"<instance>\" is in <state>""#),
            r#""instance \"i-0123456789\" is in RUNNING""#
        );
    }

    #[test]
    fn guide_simple_json() {
        assert_eq!(
            render(r#"{"instance" : <instance>, "state": <state>}"#),
            r#"{"instance":"i-0123456789","state":"RUNNING"}"#
        );
    }

    #[test]
    fn guide_json_with_strings_and_variables() {
        let out: Value = serde_json::from_str(&render(
            r#"{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}"#,
        ))
        .unwrap();
        assert_eq!(
            out,
            json!({"instance": "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \"i-0123456789\" is in RUNNING"})
        );
    }

    #[test]
    fn guide_json_with_static_information() {
        let out: Value = serde_json::from_str(&render(
            r#"{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}"#,
        ))
        .unwrap();
        assert_eq!(
            out,
            json!({"instance": "i-0123456789", "state": [9, "RUNNING", true], "Transformed": "Yes"})
        );
    }

    #[test]
    fn guide_reserved_variables_in_json() {
        let out: Value = serde_json::from_str(&render(
            r#"{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event>, "full": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}"#,
        ))
        .unwrap();
        assert_eq!(out["ruleArn"], CTX.rule_arn);
        assert_eq!(out["ruleName"], "example");
        assert_eq!(out["at"], CTX.ingestion_time);
        assert_eq!(
            out["originalEvent"]["id"],
            "7bf73129-1428-4cd3-a780-95db273d1602"
        );
        assert!(
            out["originalEvent"].get("detail").is_none(),
            "aws.events.event has no detail"
        );
        assert_eq!(out["full"], ec2_event());
    }

    #[test]
    fn guide_reserved_variables_in_string() {
        assert_eq!(
            render(r#""<aws.events.rule-name> triggered""#),
            r#""example triggered""#
        );
    }

    #[test]
    fn plain_text_template_inserts_raw_values() {
        assert_eq!(
            render("<instance> is in state <state>"),
            "i-0123456789 is in state RUNNING"
        );
    }

    #[test]
    fn values_are_escaped_inside_json_strings() {
        let mut paths = BTreeMap::new();
        paths.insert("msg".to_owned(), "$.detail.msg".to_owned());
        let t = InputTransformer::new(&paths, r#"{"text": "said: <msg>"}"#).unwrap();
        let out = t.render(&json!({"detail": {"msg": "a \"quoted\" \\ <b>"}}), &CTX);
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["text"], "said: a \"quoted\" \\ <b>");
    }

    #[test]
    fn missing_paths_give_null_or_nothing() {
        let mut paths = BTreeMap::new();
        paths.insert("gone".to_owned(), "$.detail.nope".to_owned());
        let json = InputTransformer::new(&paths, r#"{"a": <gone>, "b": "x<gone>y"}"#).unwrap();
        assert_eq!(json.render(&ec2_event(), &CTX), r#"{"a":null,"b":"xy"}"#);
        let text = InputTransformer::new(&paths, "[<gone>]").unwrap();
        assert!(text.is_json());
    }

    #[test]
    fn paths_select_indices_and_wildcards() {
        let e = ec2_event();
        assert_eq!(JsonPath::parse("$").unwrap().select(&e), Some(e.clone()));
        assert_eq!(
            JsonPath::parse("$.resources[0]").unwrap().select(&e),
            Some(json!(
                "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"
            ))
        );
        assert_eq!(
            JsonPath::parse("$.detail.*").unwrap().select(&e),
            Some(json!(["i-0123456789", "RUNNING"]))
        );
        assert_eq!(JsonPath::parse("$.resources[5]").unwrap().select(&e), None);
    }

    #[test]
    fn invalid_settings_are_rejected_with_reasons() {
        let cases: Vec<(BTreeMap<String, String>, &str, &str)> = vec![
            (guide_paths(), "<undefined>", "not defined"),
            (guide_paths(), r#"{"<instance>": 1}"#, "object keys"),
            (
                guide_paths(),
                r#""<aws.events.event>""#,
                "only be used as the value",
            ),
            (guide_paths(), "", "1-8192"),
            (guide_paths(), r#"{"a": <instance>"#, "not valid JSON"),
            (
                [("aws.thing".to_owned(), "$.a".to_owned())].into(),
                "<aws.thing>",
                "reserved",
            ),
            (
                [("x".to_owned(), "detail.a".to_owned())].into(),
                "<x>",
                "must start with $",
            ),
            (
                [("x".to_owned(), "$.a[b]".to_owned())].into(),
                "<x>",
                "array indices",
            ),
            (
                [("x".to_owned(), "$..a".to_owned())].into(),
                "<x>",
                "empty field name",
            ),
            (
                [("bad key".to_owned(), "$.a".to_owned())].into(),
                "<x>",
                "not valid",
            ),
        ];
        for (paths, template, expect) in cases {
            let err = InputTransformer::new(&paths, template)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expect), "{template:?} {paths:?}: {err}");
        }
        let many: BTreeMap<String, String> = (0..101)
            .map(|i| (format!("v{i}"), "$.a".to_owned()))
            .collect();
        assert!(InputTransformer::new(&many, "\"x\"").is_err());
    }

    #[test]
    fn target_input_variants() {
        let e = ec2_event();
        assert_eq!(
            TargetInput::new(None, None, None).unwrap().render(&e, &CTX),
            e.to_string()
        );
        assert_eq!(
            TargetInput::new(Some(r#"{"k":1}"#), None, None)
                .unwrap()
                .render(&e, &CTX),
            r#"{"k":1}"#
        );
        assert_eq!(
            TargetInput::new(None, Some("$.detail.state"), None)
                .unwrap()
                .render(&e, &CTX),
            r#""RUNNING""#
        );
        assert!(TargetInput::new(Some("{"), None, None).is_err());
        let paths = guide_paths();
        let err = TargetInput::new(Some("1"), Some("$"), Some((&paths, "\"x\""))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Only one of Input, InputPath, or InputTransformer must be provided."
        );
    }

    #[test]
    fn amplifying_templates_stop_at_the_cap() {
        let event = ec2_event();
        let ctx = DeliveryContext {
            rule_arn: "arn:aws:events:us-east-1:123456789012:rule/r",
            rule_name: "r",
            ingestion_time: "2015-11-11T21:29:55Z",
        };
        let paths = BTreeMap::from([("a".to_owned(), "$".to_owned())]);
        let template = "<a>".repeat(2000);
        let input = TargetInput::new(None, None, Some((&paths, template.as_str()))).unwrap();
        let one = event.to_string().len();
        let err = input.render_capped(&event, &ctx, 256 * 1024).unwrap_err();
        assert_eq!(err.max_bytes, 256 * 1024);
        assert!(err.to_string().contains("262144 bytes"), "{err}");
        // Under a cap it fits, the same text as without one.
        let small = TargetInput::new(None, None, Some((&paths, "<a>"))).unwrap();
        assert_eq!(
            small.render_capped(&event, &ctx, one + 10).unwrap(),
            small.render(&event, &ctx)
        );
        assert!(
            TargetInput::Event
                .render_capped(&event, &ctx, one - 1)
                .is_err()
        );
        assert!(TargetInput::Event.render_capped(&event, &ctx, one).is_ok());
    }
}

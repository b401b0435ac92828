//! Amazon SNS (API 2010-03-31) in the AWS query protocol: `POST /` with a form body
//! (`Action=CreateTopic&Version=2010-03-31&…`, SigV4 service `sns`), answered in SNS's XML
//! (`<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">…`) and its
//! error codes (`InvalidParameter`, `NotFound`, `AuthorizationError`, `Throttled`,
//! `InvalidClientTokenId`, `SignatureDoesNotMatch`, …) in `<ErrorResponse>`.
//!
//! Also the public links SNS messages carry: `GET /v1/sns/signing-cert.pem` (the
//! `SigningCertURL`), `GET /v1/sns/confirm` (the `SubscribeURL`; the token is the proof)
//! and `GET /v1/sns/unsubscribe` (the `UnsubscribeURL`), and the app's JSON views:
//! `GET /v1/topics`, `POST /v1/topics/test`, `GET /v1/notifications`.
//!
//! Roles: reads `viewer`; `Subscribe`, `Unsubscribe`, `SetSubscriptionAttributes`,
//! `Publish` `responder` (chat subscriptions need an admin); topics and tags `admin`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use serde::Deserialize;
use tocsin_api::sns::{
    CreateTopic, NotificationDelivery, SubscribeEndpoint, SubscriptionRef, TestTopic,
    TestTopicResult, TopicRef, TopicView,
};

use crate::clock;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::{Caller, Role};
use crate::domain::notify::{self, Publication};
use crate::domain::topics;
use crate::http::audit::Audit;
use crate::http::error::RestJsonError;
use crate::http::extract::{
    Admin, Public, Require, Responder, RestJson, Viewer, missing_credentials, role_refused,
};
use crate::http::routes::{Routes, Verb};
use crate::http::state::AppState;

/// The XML namespace of every answer.
pub const XMLNS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";
/// What [`crate::http::routes::RouteSpec::target_prefix`] says for a query-protocol
/// operation: the body's `Action=` names it.
pub const ACTION_PREFIX: &str = "Action=";

/// Whether a request's content type is a form (the query protocol).
pub fn is_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
        .unwrap_or(false)
}

/// The parameters of a query-protocol request, with the protocol's list and map
/// encodings (`Tags.member.1.Key`, `Attributes.entry.1.key`, `TagKeys.member.1`).
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::Validation(message.into())
}

impl Params {
    /// Parses a form body.
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// One parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A required parameter.
    ///
    /// Errors: `InvalidParameter` naming it.
    pub fn required(&self, name: &str) -> ApiResult<&str> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("Invalid parameter: {name} is required")))
    }

    /// Members of a list or map, grouped by index: `PREFIX.N.FIELD` → N → FIELD → value.
    fn indexed(&self, prefix: &str) -> BTreeMap<u32, BTreeMap<String, String>> {
        let mut out: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        let start = format!("{prefix}.");
        for (k, v) in &self.0 {
            let Some(rest) = k.strip_prefix(&start) else {
                continue;
            };
            let (n, field) = rest.split_once('.').unwrap_or((rest, ""));
            if let Ok(n) = n.parse::<u32>() {
                out.entry(n)
                    .or_default()
                    .insert(field.to_owned(), v.clone());
            }
        }
        out
    }

    /// A map: `NAME.entry.N.key` / `NAME.entry.N.value`.
    ///
    /// Errors: `InvalidParameter` for an entry without a key.
    pub fn map(&self, name: &str) -> ApiResult<BTreeMap<String, String>> {
        self.indexed(&format!("{name}.entry"))
            .into_values()
            .map(|e| {
                let key = e.get("key").cloned().ok_or_else(|| {
                    invalid(format!("Invalid parameter: {name}: entry without a key"))
                })?;
                Ok((key, e.get("value").cloned().unwrap_or_default()))
            })
            .collect()
    }

    /// Tags: `NAME.member.N.Key` / `NAME.member.N.Value`.
    ///
    /// Errors: `InvalidParameter` for a tag without a key.
    pub fn tags(&self, name: &str) -> ApiResult<BTreeMap<String, String>> {
        self.indexed(&format!("{name}.member"))
            .into_values()
            .map(|m| {
                let key = m.get("Key").cloned().ok_or_else(|| {
                    invalid(format!("Invalid parameter: {name}: a tag without a Key"))
                })?;
                Ok((key, m.get("Value").cloned().unwrap_or_default()))
            })
            .collect()
    }

    /// A list of strings: `NAME.member.N`.
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.indexed(&format!("{name}.member"))
            .into_values()
            .filter_map(|m| m.get("").cloned())
            .collect()
    }

    /// `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` /
    /// `.Value.BinaryValue`, as SNS's JSON message shows them (`{"Type", "Value"}`).
    ///
    /// Errors: `InvalidParameter` for a missing name, type or value, or more than 10.
    pub fn message_attributes(&self) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        let entries = self.indexed("MessageAttributes.entry");
        if entries.len() > 10 {
            return Err(invalid(
                "Invalid parameter: MessageAttributes: at most 10 attributes",
            ));
        }
        let mut out = serde_json::Map::new();
        for e in entries.into_values() {
            let name = e.get("Name").cloned().ok_or_else(|| {
                invalid("Invalid parameter: MessageAttributes: an attribute without a Name")
            })?;
            let data_type = e.get("Value.DataType").cloned().ok_or_else(|| {
                invalid(format!(
                    "Invalid parameter: MessageAttributes: {name} has no DataType"
                ))
            })?;
            let value = e
                .get("Value.StringValue")
                .or_else(|| e.get("Value.BinaryValue"))
                .cloned()
                .ok_or_else(|| {
                    invalid(format!(
                        "Invalid parameter: MessageAttributes: {name} has no value"
                    ))
                })?;
            out.insert(name, serde_json::json!({"Type": data_type, "Value": value}));
        }
        Ok(out)
    }
}

/// A small XML writer: every text goes through quick-xml's escaping.
#[derive(Default)]
pub struct Xml(String);

impl Xml {
    /// `<name>text</name>`.
    pub fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.0.push_str(&format!(
            "<{name}>{}</{name}>",
            quick_xml::escape::escape(text)
        ));
        self
    }

    /// `<name>…</name>` around what `inner` writes.
    pub fn element(&mut self, name: &str, inner: impl FnOnce(&mut Xml)) -> &mut Self {
        self.0.push_str(&format!("<{name}>"));
        inner(self);
        self.0.push_str(&format!("</{name}>"));
        self
    }

    /// `<name><entry><key>k</key><value>v</value></entry>…</name>`.
    pub fn map(&mut self, name: &str, map: &BTreeMap<String, String>) -> &mut Self {
        self.element(name, |x| {
            for (k, v) in map {
                x.element("entry", |e| {
                    e.text("key", k).text("value", v);
                });
            }
        })
    }
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

/// `<ActionResponse>` with an optional `<ActionResult>` written by `result`.
fn answer(action: &str, result: Option<Xml>) -> Response {
    answer_in(XMLNS, action, result)
}

/// A query-protocol answer in namespace `xmlns`: `<ActionResponse>` with an optional
/// `<ActionResult>` and the `ResponseMetadata` every query service sends.
pub fn answer_in(xmlns: &str, action: &str, result: Option<Xml>) -> Response {
    let mut body = format!(r#"<?xml version="1.0"?><{action}Response xmlns="{xmlns}">"#);
    if let Some(result) = result {
        body.push_str(&format!("<{action}Result>{}</{action}Result>", result.0));
    }
    body.push_str(&format!(
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        request_id()
    ));
    xml_response(StatusCode::OK, body)
}

/// An [`ApiError`] rendered as SNS renders errors.
#[derive(Debug)]
pub struct SnsError(pub ApiError);

impl<E: Into<ApiError>> From<E> for SnsError {
    fn from(err: E) -> Self {
        SnsError(err.into())
    }
}

impl IntoResponse for SnsError {
    fn into_response(self) -> Response {
        query_error(XMLNS, self.0)
    }
}

/// An [`ApiError`] as query-protocol services (SNS, STS) render errors: an
/// `<ErrorResponse>` in namespace `xmlns` with `Type`, `Code` and `Message`.
pub fn query_error(xmlns: &str, err: ApiError) -> Response {
    {
        let (status, code) = match &err {
            ApiError::Validation(_) | ApiError::Serialization(_) | ApiError::Conflict(_) => {
                (StatusCode::BAD_REQUEST, "InvalidParameter")
            }
            ApiError::InvalidEventPattern(_) => (StatusCode::BAD_REQUEST, "InvalidParameter"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound"),
            ApiError::LimitExceeded(_) => (StatusCode::BAD_REQUEST, "TagLimitExceeded"),
            ApiError::UnknownOperation(_) => (StatusCode::BAD_REQUEST, "InvalidAction"),
            ApiError::Unauthenticated(_) => (StatusCode::FORBIDDEN, "MissingAuthenticationToken"),
            ApiError::UnrecognizedClient(_) => (StatusCode::FORBIDDEN, "InvalidClientTokenId"),
            ApiError::InvalidSignature(_) | ApiError::IncompleteSignature(_) => {
                (StatusCode::FORBIDDEN, "SignatureDoesNotMatch")
            }
            ApiError::AccessDenied(_) => (StatusCode::FORBIDDEN, "AuthorizationError"),
            ApiError::Throttled(_) => (StatusCode::TOO_MANY_REQUESTS, "Throttled"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
            ApiError::Service { code, .. } if *code == "ResourceNotFound" => {
                (StatusCode::NOT_FOUND, *code)
            }
            ApiError::Service { code, .. } => (StatusCode::BAD_REQUEST, *code),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),
        };
        let message = match &err {
            ApiError::Internal(_) => "An internal error occurred; see the server log.".to_owned(),
            other => other.to_string(),
        };
        let fault = if status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        };
        let mut x = Xml::default();
        x.element("Error", |e| {
            e.text("Type", fault)
                .text("Code", code)
                .text("Message", &message);
        })
        .text("RequestId", &request_id());
        let body = format!(
            r#"<?xml version="1.0"?><ErrorResponse xmlns="{xmlns}">{}</ErrorResponse>"#,
            x.0
        );
        let mut response = xml_response(status, body);
        response
            .headers_mut()
            .insert("x-amzn-ErrorType", HeaderValue::from_static(code));
        if let ApiError::Internal(source) = &err {
            response
                .extensions_mut()
                .insert(crate::http::error::InternalErrorReport(source.to_string()));
        }
        response
    }
}

type Call = fn(AppState, Caller, Params) -> BoxFuture<'static, ApiResult<Response>>;

/// One query-protocol operation: its `Action`, the least role it needs, how it runs.
pub struct Action {
    /// The `Action` value.
    pub name: &'static str,
    /// The least role.
    pub role: Role,
    /// The handler.
    pub call: Call,
}

macro_rules! action {
    ($name:literal, $role:ident, |$s:ident, $caller:ident, $p:ident| $body:block) => {
        Action {
            name: $name,
            role: Role::$role,
            call: |state, caller, params| {
                Box::pin(async move {
                    let $s: &AppState = &state;
                    let $caller: &Caller = &caller;
                    let $p: &Params = &params;
                    $body
                })
            },
        }
    };
}

fn not_found_as_resource(err: ApiError) -> ApiError {
    match err {
        ApiError::NotFound(m) => ApiError::service("ResourceNotFound", m),
        ApiError::Validation(m) if m.contains("at most 50 tags") => {
            ApiError::service("TagLimitExceeded", m)
        }
        other => other,
    }
}

/// Every SNS operation Tocsin answers, with its role.
pub static ACTIONS: &[Action] = &[
    action!("CreateTopic", Admin, |s, caller, p| {
        let name = p.required("Name")?;
        let arn = topics::topic_arn(&s.config, name);
        let attributes = p.map("Attributes")?;
        let tags = p.tags("Tags")?;
        let audit = Audit::new(caller, "CreateTopic", arn);
        let arn = write_tx!(s, audit, |tx| topics::create_topic(
            tx,
            &s.config,
            name,
            attributes,
            tags,
            clock::now()
        )
        .await?);
        let mut x = Xml::default();
        x.text("TopicArn", &arn);
        Ok(answer("CreateTopic", Some(x)))
    }),
    action!("DeleteTopic", Admin, |s, caller, p| {
        let arn = p.required("TopicArn")?.to_owned();
        let audit = Audit::new(caller, "DeleteTopic", arn.clone());
        write_tx!(s, audit, |tx| topics::delete_topic(tx, &arn).await?);
        Ok(answer("DeleteTopic", None))
    }),
    action!("ListTopics", Viewer, |s, _caller, p| {
        let (arns, next) = read_tx!(s, |tx| topics::list_topics(tx, p.get("NextToken")).await?);
        let mut x = Xml::default();
        x.element("Topics", |t| {
            for arn in &arns {
                t.element("member", |m| {
                    m.text("TopicArn", arn);
                });
            }
        });
        if let Some(next) = next {
            x.text("NextToken", &next);
        }
        Ok(answer("ListTopics", Some(x)))
    }),
    action!("GetTopicAttributes", Viewer, |s, _caller, p| {
        let arn = p.required("TopicArn")?;
        let attributes = read_tx!(s, |tx| topics::topic_attributes(tx, &s.config, arn).await?);
        let mut x = Xml::default();
        x.map("Attributes", &attributes);
        Ok(answer("GetTopicAttributes", Some(x)))
    }),
    action!("SetTopicAttributes", Admin, |s, caller, p| {
        let arn = p.required("TopicArn")?.to_owned();
        let name = p.required("AttributeName")?;
        let value = p.get("AttributeValue").unwrap_or_default();
        let audit = Audit::new(caller, "SetTopicAttributes", arn.clone());
        write_tx!(s, audit, |tx| topics::set_topic_attribute(
            tx, &arn, name, value
        )
        .await?);
        Ok(answer("SetTopicAttributes", None))
    }),
    action!("Subscribe", Responder, |s, caller, p| {
        let topic = p.required("TopicArn")?.to_owned();
        let protocol = p.required("Protocol")?.to_ascii_lowercase();
        let endpoint = p.required("Endpoint")?;
        let attributes = p.map("Attributes")?;
        let return_arn = p.get("ReturnSubscriptionArn") == Some("true");
        let audit = Audit::new(caller, "Subscribe", topic.clone());
        let req = topics::SubscribeRequest {
            topic_arn: &topic,
            protocol: &protocol,
            endpoint,
            attributes,
            return_arn,
        };
        let arn = write_tx!(s, audit, |tx| topics::subscribe(
            tx,
            &s.config,
            caller,
            req,
            clock::now()
        )
        .await?);
        let mut x = Xml::default();
        x.text("SubscriptionArn", &arn);
        Ok(answer("Subscribe", Some(x)))
    }),
    action!("ConfirmSubscription", Viewer, |s, caller, p| {
        let topic = p.required("TopicArn")?.to_owned();
        let token = p.required("Token")?;
        confirm(s, caller, &topic, token).await
    }),
    action!("Unsubscribe", Responder, |s, caller, p| {
        let arn = p.required("SubscriptionArn")?.to_owned();
        let audit = Audit::new(caller, "Unsubscribe", arn.clone());
        write_tx!(s, audit, |tx| topics::unsubscribe(tx, &arn).await?);
        Ok(answer("Unsubscribe", None))
    }),
    action!("ListSubscriptionsByTopic", Viewer, |s, _caller, p| {
        let topic = p.required("TopicArn")?;
        let (subs, next) = read_tx!(s, |tx| topics::list_subscriptions(
            tx,
            topic,
            p.get("NextToken")
        )
        .await?);
        let mut x = Xml::default();
        x.element("Subscriptions", |list| {
            for sub in &subs {
                list.element("member", |m| {
                    m.text("TopicArn", &sub.topic_arn)
                        .text("Protocol", &sub.protocol)
                        .text("SubscriptionArn", &sub.subscription_arn)
                        .text("Owner", &s.config.account_id)
                        .text("Endpoint", &sub.endpoint);
                });
            }
        });
        if let Some(next) = next {
            x.text("NextToken", &next);
        }
        Ok(answer("ListSubscriptionsByTopic", Some(x)))
    }),
    action!("GetSubscriptionAttributes", Viewer, |s, _caller, p| {
        let arn = p.required("SubscriptionArn")?;
        let attributes = read_tx!(s, |tx| topics::subscription_attributes(tx, &s.config, arn)
            .await?);
        let mut x = Xml::default();
        x.map("Attributes", &attributes);
        Ok(answer("GetSubscriptionAttributes", Some(x)))
    }),
    action!("SetSubscriptionAttributes", Responder, |s, caller, p| {
        let arn = p.required("SubscriptionArn")?.to_owned();
        let name = p.required("AttributeName")?;
        let value = p.get("AttributeValue").unwrap_or_default();
        let audit = Audit::new(caller, "SetSubscriptionAttributes", arn.clone());
        write_tx!(s, audit, |tx| topics::set_subscription_attribute(
            tx, &arn, name, value
        )
        .await?);
        Ok(answer("SetSubscriptionAttributes", None))
    }),
    action!("Publish", Responder, |s, caller, p| {
        let topic = p
            .get("TopicArn")
            .or_else(|| p.get("TargetArn"))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid("Invalid parameter: TopicArn or TargetArn is required"))?
            .to_owned();
        if p.get("PhoneNumber").is_some() {
            return Err(invalid(
                "Invalid parameter: PhoneNumber: Tocsin publishes to topics only",
            ));
        }
        let publication = Publication {
            message: p.get("Message").unwrap_or_default().to_owned(),
            subject: p.get("Subject").map(str::to_owned),
            structure_json: p.get("MessageStructure") == Some("json"),
            attributes: p.message_attributes()?,
            notice: None,
        };
        let audit = Audit::new(caller, "Publish", topic.clone());
        let id = write_tx!(s, audit, |tx| topics::publish(
            tx,
            &s.config,
            &topic,
            publication,
            clock::now()
        )
        .await?);
        let mut x = Xml::default();
        x.text("MessageId", &id);
        Ok(answer("Publish", Some(x)))
    }),
    action!("TagResource", Admin, |s, caller, p| {
        let arn = p.required("ResourceArn")?.to_owned();
        let tags = p.tags("Tags")?;
        let audit = Audit::new(caller, "TagResource", arn.clone());
        write_tx!(s, audit, |tx| topics::tag(tx, &arn, tags)
            .await
            .map_err(not_found_as_resource)?);
        Ok(answer("TagResource", Some(Xml::default())))
    }),
    action!("UntagResource", Admin, |s, caller, p| {
        let arn = p.required("ResourceArn")?.to_owned();
        let keys = p.strings("TagKeys");
        let audit = Audit::new(caller, "UntagResource", arn.clone());
        write_tx!(s, audit, |tx| topics::untag(tx, &arn, &keys)
            .await
            .map_err(not_found_as_resource)?);
        Ok(answer("UntagResource", Some(Xml::default())))
    }),
    action!("ListTagsForResource", Viewer, |s, _caller, p| {
        let arn = p.required("ResourceArn")?;
        let tags = read_tx!(s, |tx| topics::tags(tx, arn)
            .await
            .map_err(not_found_as_resource)?);
        let mut x = Xml::default();
        x.element("Tags", |list| {
            for (k, v) in &tags {
                list.element("member", |m| {
                    m.text("Key", k).text("Value", v);
                });
            }
        });
        Ok(answer("ListTagsForResource", Some(x)))
    }),
];

async fn confirm(s: &AppState, caller: &Caller, topic: &str, token: &str) -> ApiResult<Response> {
    let audit = Audit::new(caller, "ConfirmSubscription", topic.to_owned());
    let arn = write_tx!(s, audit, |tx| topics::confirm_subscription(
        tx,
        topic,
        token,
        clock::now()
    )
    .await?);
    let mut x = Xml::default();
    x.text("SubscriptionArn", &arn);
    Ok(answer("ConfirmSubscription", Some(x)))
}

/// `POST /` with a form body: routes on `Action`. An unknown action answers
/// `InvalidAction`; a caller without the action's role `AuthorizationError`.
pub async fn dispatch(state: AppState, caller: Option<Caller>, body: Bytes) -> Response {
    let params = Params::parse(&body);
    let action = params.get("Action").unwrap_or_default().to_owned();
    let Some(op) = ACTIONS.iter().find(|a| a.name == action) else {
        return SnsError(ApiError::UnknownOperation(format!(
            "Could not find operation {action:?} for version 2010-03-31 (Tocsin answers {})",
            ACTIONS
                .iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .into_response();
    };
    let Some(caller) = caller else {
        return SnsError(missing_credentials()).into_response();
    };
    if let Err(err) = caller.require(op.role) {
        return role_refused(SnsError(err).into_response(), op.name, caller);
    }
    match (op.call)(state, caller, params).await {
        Ok(response) => response,
        Err(err) => SnsError(err).into_response(),
    }
}

/// The query of `GET /v1/sns/confirm` (a message's `SubscribeURL`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmLink {
    /// The topic.
    pub topic_arn: String,
    /// The confirmation token.
    pub token: String,
}

/// The query of `GET /v1/sns/unsubscribe` (a message's `UnsubscribeURL`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnsubscribeLink {
    /// The subscription.
    pub subscription_arn: String,
    /// Its unsubscribe token.
    pub token: String,
}

/// Public routes (the links in messages) and the app's JSON views.
pub fn routes() -> Routes {
    use Verb::{Get, Post};
    Routes::new()
        .route(
            Get,
            "/v1/sns/signing-cert.pem",
            "GetSigningCertificate",
            signing_cert,
        )
        .route(
            Get,
            "/v1/sns/confirm",
            "ConfirmSubscriptionLink",
            confirm_link,
        )
        .route(
            Get,
            "/v1/sns/unsubscribe",
            "UnsubscribeLink",
            unsubscribe_link,
        )
        .route(Get, "/v1/topics", "ListTopicViews", topic_views)
        .route(Post, "/v1/topics/create", "CreateTopicView", create_topic)
        .route(Post, "/v1/topics/delete", "DeleteTopicView", delete_topic)
        .route(
            Post,
            "/v1/topics/subscribe",
            "SubscribeEndpoint",
            subscribe_endpoint,
        )
        .route(
            Post,
            "/v1/topics/unsubscribe",
            "UnsubscribeEndpoint",
            unsubscribe_endpoint,
        )
        .route(Post, "/v1/topics/test", "SendTestMessage", send_test)
        .route(
            Get,
            "/v1/notifications",
            "ListNotificationDeliveries",
            notifications,
        )
}

/// `GET /v1/sns/signing-cert.pem`: the certificate whose key signs every SNS message
/// (made on first use).
async fn signing_cert(
    _: Require<Public>,
    State(s): State<AppState>,
) -> Result<Response, RestJsonError> {
    let key = crate::worker::notify::signing_key(&s.signing, s.store.as_ref(), &s.config).await?;
    let mut response = key.cert_pem.clone().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-pem-file"),
    );
    Ok(response)
}

/// `GET /v1/sns/confirm?TopicArn=…&Token=…`: confirms a subscription (the token is the
/// proof), answering `ConfirmSubscriptionResponse` as SNS's `SubscribeURL` does.
async fn confirm_link(
    _: Require<Public>,
    State(s): State<AppState>,
    query: Result<Query<ConfirmLink>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(link)) = query else {
        return SnsError(invalid(
            "Invalid parameter: TopicArn and Token are required",
        ))
        .into_response();
    };
    let caller = Caller::nobody();
    match confirm(&s, &caller, &link.topic_arn, &link.token).await {
        Ok(r) => r,
        Err(e) => SnsError(e).into_response(),
    }
}

/// `GET /v1/sns/unsubscribe?SubscriptionArn=…&Token=…`: the `UnsubscribeURL` of every
/// message.
async fn unsubscribe_link(
    _: Require<Public>,
    State(s): State<AppState>,
    query: Result<Query<UnsubscribeLink>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(link)) = query else {
        return SnsError(invalid(
            "Invalid parameter: SubscriptionArn and Token are required",
        ))
        .into_response();
    };
    let caller = Caller::nobody();
    let audit = Audit::new(&caller, "Unsubscribe", link.subscription_arn.clone());
    let result: ApiResult<()> = async {
        write_tx!(s, audit, |tx| topics::unsubscribe_by_link(
            tx,
            &link.subscription_arn,
            &link.token
        )
        .await?);
        Ok(())
    }
    .await;
    match result {
        Ok(()) => answer("Unsubscribe", None),
        Err(e) => SnsError(e).into_response(),
    }
}

/// `GET /v1/topics`: every topic with its subscriptions (chat webhook URLs redacted).
async fn topic_views(
    _: Require<Viewer>,
    State(s): State<AppState>,
) -> Result<axum::Json<Vec<TopicView>>, RestJsonError> {
    Ok(axum::Json(read_tx!(s, |tx| topics::topic_views(tx).await?)))
}

/// `POST /v1/topics/test {"topicArn"}`: publishes a test message to every confirmed
/// subscription.
async fn send_test(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<TestTopic>,
) -> Result<axum::Json<TestTopicResult>, RestJsonError> {
    let audit = Audit::new(&caller, "SendTestMessage", req.topic_arn.clone());
    let publication = Publication {
        message: format!(
            "Test message from Tocsin, sent by {} at {}. If you can read this, this subscription works.",
            caller.principal,
            clock::rfc3339(clock::now())
        ),
        subject: Some("Tocsin test message".into()),
        ..Default::default()
    };
    let (message_id, deliveries) = write_tx!(s, audit, |tx| {
        tx.topic(&req.topic_arn).await?.ok_or_else(|| {
            ApiError::NotFound(format!("Topic {} does not exist.", req.topic_arn))
        })?;
        notify::publish_in(tx, &s.config, &req.topic_arn, &publication, clock::now()).await?
    });
    Ok(axum::Json(TestTopicResult {
        message_id,
        deliveries,
    }))
}

/// The query of `GET /v1/notifications`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationQuery {
    /// Only this incident's deliveries (its delivery log).
    pub incident_arn: Option<String>,
    /// At most this many, 1-1000 (default 100).
    pub limit: Option<i64>,
}

/// `GET /v1/notifications[?incidentArn=…&limit=N]`: notification deliveries with every
/// attempt, newest first.
async fn notifications(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<NotificationQuery>,
) -> Result<axum::Json<Vec<NotificationDelivery>>, RestJsonError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(invalid("limit must be 1-1000.").into());
    }
    let rows = read_tx!(s, |tx| tx
        .notifications(q.incident_arn.as_deref(), limit)
        .await?);
    Ok(axum::Json(rows.into_iter().map(|n| n.delivery).collect()))
}

/// `POST /v1/topics/create {"name", "displayName"}`: `CreateTopic` for the app.
async fn create_topic(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(req): RestJson<CreateTopic>,
) -> Result<axum::Json<TopicRef>, RestJsonError> {
    let arn = topics::topic_arn(&s.config, &req.name);
    let audit = Audit::new(&caller, "CreateTopic", arn);
    let attributes: BTreeMap<String, String> = req
        .display_name
        .filter(|d| !d.is_empty())
        .map(|d| ("DisplayName".to_owned(), d))
        .into_iter()
        .collect();
    let topic_arn = write_tx!(s, audit, |tx| topics::create_topic(
        tx,
        &s.config,
        &req.name,
        attributes,
        BTreeMap::new(),
        clock::now()
    )
    .await?);
    Ok(axum::Json(TopicRef { topic_arn }))
}

/// `POST /v1/topics/delete {"topicArn"}`: `DeleteTopic` for the app.
async fn delete_topic(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(req): RestJson<TopicRef>,
) -> Result<StatusCode, RestJsonError> {
    let audit = Audit::new(&caller, "DeleteTopic", req.topic_arn.clone());
    write_tx!(s, audit, |tx| topics::delete_topic(tx, &req.topic_arn)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/topics/subscribe {"topicArn", "protocol", "endpoint"}`: `Subscribe` for the
/// app.
async fn subscribe_endpoint(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(req): RestJson<SubscribeEndpoint>,
) -> Result<axum::Json<SubscriptionRef>, RestJsonError> {
    let audit = Audit::new(&caller, "Subscribe", req.topic_arn.clone());
    let protocol = req.protocol.to_ascii_lowercase();
    let subscribe = topics::SubscribeRequest {
        topic_arn: &req.topic_arn,
        protocol: &protocol,
        endpoint: &req.endpoint,
        attributes: BTreeMap::new(),
        return_arn: false,
    };
    let subscription_arn = write_tx!(s, audit, |tx| topics::subscribe(
        tx,
        &s.config,
        &caller,
        subscribe,
        clock::now()
    )
    .await?);
    Ok(axum::Json(SubscriptionRef { subscription_arn }))
}

/// `POST /v1/topics/unsubscribe {"subscriptionArn"}`: `Unsubscribe` for the app.
async fn unsubscribe_endpoint(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(req): RestJson<SubscriptionRef>,
) -> Result<StatusCode, RestJsonError> {
    let audit = Audit::new(&caller, "Unsubscribe", req.subscription_arn.clone());
    write_tx!(s, audit, |tx| topics::unsubscribe(
        tx,
        &req.subscription_arn
    )
    .await?);
    Ok(StatusCode::NO_CONTENT)
}

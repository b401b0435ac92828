//! EventBridge connections and API destinations (EventBridge 2015-10-07):
//! `CreateConnection`, `DescribeConnection`, `ListConnections`, `UpdateConnection`,
//! `DeleteConnection`, `CreateApiDestination`, `DescribeApiDestination`,
//! `ListApiDestinations`, `UpdateApiDestination`, `DeleteApiDestination`.
//!
//! A connection holds how to authorize (`API_KEY`, `BASIC`, `OAUTH_CLIENT_CREDENTIALS`) and
//! extra `InvocationHttpParameters`. Its secrets (the password, the API key value, the OAuth
//! client secret and every parameter marked `IsValueSecret`) are sealed with the server key
//! as they arrive and are never answered, logged or put on the change feed: Describe answers
//! only what the model's response shapes carry (no secret member exists there).
//!
//! An API destination is an endpoint, a method and an `InvocationRateLimitPerSecond`
//! (default 300) over a connection. A rule target whose `Arn` is an API destination's ARN is
//! delivered by the delivery worker through the same outbox, retries and dead letters as
//! HTTP targets ([`resolve`] builds each request at attempt time, so updates apply at once).

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::keys::ServerKey;
use crate::domain::validate::{self, Page};
use crate::store::StoreTx;

/// Resource kind of connections.
pub const CONNECTION: &str = "connection";
/// Resource kind of API destinations.
pub const API_DESTINATION: &str = "api-destination";
/// EventBridge's default `InvocationRateLimitPerSecond`.
pub const DEFAULT_RATE: u32 = 300;

/// A sealed secret: (nonce, ciphertext), hex.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sealed(String, String);

/// One `ConnectionHttpParameters` entry (header, query or body), its value sealed when
/// `IsValueSecret`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Param {
    key: String,
    value: Option<String>,
    sealed: Option<Sealed>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct HttpParams {
    headers: Vec<Param>,
    query: Vec<Param>,
    body: Vec<Param>,
}

/// A stored connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredConnection {
    name: String,
    id: String,
    description: Option<String>,
    authorization_type: String,
    /// `ApiKeyName`, `Username` or `ClientID`.
    public: Option<String>,
    /// The API key value, password or client secret.
    secret: Option<Sealed>,
    /// OAuth: `AuthorizationEndpoint`, `HttpMethod`, `OAuthHttpParameters`.
    oauth_endpoint: Option<String>,
    oauth_method: Option<String>,
    oauth_params: HttpParams,
    invocation: HttpParams,
    kms_key_identifier: Option<String>,
    created_at: f64,
    modified_at: f64,
}

/// A stored API destination.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredDestination {
    name: String,
    id: String,
    description: Option<String>,
    connection: String,
    endpoint: String,
    method: String,
    rate: u32,
    created_at: f64,
    modified_at: f64,
}

/// A request an API destination target makes, secrets opened (never stored or logged).
#[derive(Debug, Clone)]
pub struct Call {
    /// The destination's name (the rate limit's key).
    pub destination: String,
    /// `InvocationRateLimitPerSecond`.
    pub rate: u32,
    /// HTTP method.
    pub method: String,
    /// The endpoint with the connection's query parameters.
    pub url: String,
    /// The connection's headers and authorization (`None` for OAuth: see `oauth`).
    pub headers: BTreeMap<String, String>,
    /// The connection's body parameters, merged into a JSON object body.
    pub body_params: BTreeMap<String, String>,
    /// OAuth client credentials, when the connection uses them.
    pub oauth: Option<OAuth>,
}

/// An OAuth client-credentials grant to run before a call.
#[derive(Debug, Clone)]
pub struct OAuth {
    /// The connection's name (the token cache's key).
    pub connection: String,
    /// `AuthorizationEndpoint`.
    pub endpoint: String,
    /// `GET`, `POST` or `PUT`.
    pub method: String,
    /// `ClientID`.
    pub client_id: String,
    /// `ClientSecret`.
    pub client_secret: String,
    /// `OAuthHttpParameters`: headers, query and body parameters of the token request.
    pub headers: BTreeMap<String, String>,
    /// Query parameters of the token request.
    pub query: BTreeMap<String, String>,
    /// Body parameters of the token request (form-encoded with `grant_type`).
    pub body: BTreeMap<String, String>,
}

fn connection_arn(config: &ServerConfig, c: &StoredConnection) -> String {
    format!(
        "arn:aws:events:{}:{}:connection/{}/{}",
        config.region, config.account_id, c.name, c.id
    )
}

fn destination_arn(config: &ServerConfig, d: &StoredDestination) -> String {
    format!(
        "arn:aws:events:{}:{}:api-destination/{}/{}",
        config.region, config.account_id, d.name, d.id
    )
}

fn seal(key: &ServerKey, context: &str, secret: &str) -> ApiResult<Sealed> {
    let (nonce, sealed) = key.seal(context, secret)?;
    Ok(Sealed(hex::encode(nonce), hex::encode(sealed)))
}

fn open(key: &ServerKey, context: &str, s: &Sealed) -> Option<String> {
    key.open(context, &hex::decode(&s.0).ok()?, &hex::decode(&s.1).ok()?)
}

fn resource_name(at: &str, name: &str) -> ApiResult<()> {
    validate::name(at, name, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")
}

/// `AuthHeaderParameters`: 1-512 characters, no control characters or `:`.
fn header_value(at: &str, v: &str) -> ApiResult<()> {
    validate::length(at, v, 1, 512)?;
    if v.chars().any(|c| c.is_control() || c == ':') {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value at '{at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$"
        )));
    }
    Ok(())
}

fn https_endpoint(at: &str, url: &str) -> ApiResult<()> {
    validate::length(at, url, 1, 2048)?;
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => Ok(()),
        _ => Err(ApiError::Validation(format!(
            "Parameter {at} is not valid. Reason: {url} is not an http(s) URL."
        ))),
    }
}

fn read_params(key: &ServerKey, context: &str, v: Option<&Value>) -> ApiResult<HttpParams> {
    let mut out = HttpParams::default();
    let Some(v) = v else {
        return Ok(out);
    };
    for (member, list) in [
        ("HeaderParameters", &mut out.headers),
        ("QueryStringParameters", &mut out.query),
        ("BodyParameters", &mut out.body),
    ] {
        for p in v[member].as_array().into_iter().flatten() {
            let k = p["Key"].as_str().unwrap_or_default();
            let value = p["Value"].as_str().unwrap_or_default();
            validate::length(&format!("{member}.member.key"), k, 1, 512)?;
            validate::length(&format!("{member}.member.value"), value, 0, 512)?;
            if member == "HeaderParameters"
                && (reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err()
                    || reqwest::header::HeaderValue::from_str(value).is_err())
            {
                return Err(ApiError::Validation(format!(
                    "Header parameter {k} is not a valid HTTP header."
                )));
            }
            let secret = p["IsValueSecret"].as_bool().unwrap_or(false);
            list.push(Param {
                key: k.to_owned(),
                value: (!secret).then(|| value.to_owned()),
                sealed: if secret {
                    Some(seal(key, &format!("{context}/{member}/{k}"), value)?)
                } else {
                    None
                },
            });
        }
    }
    Ok(out)
}

/// The parameters as the model answers them: secret values left out.
fn show_params(p: &HttpParams) -> Value {
    let list = |l: &[Param]| -> Vec<Value> {
        l.iter()
            .map(|p| match &p.value {
                Some(v) => json!({"Key": p.key, "Value": v, "IsValueSecret": false}),
                None => json!({"Key": p.key, "IsValueSecret": true}),
            })
            .collect()
    };
    json!({
        "HeaderParameters": list(&p.headers),
        "QueryStringParameters": list(&p.query),
        "BodyParameters": list(&p.body),
    })
}

fn open_params(
    key: &ServerKey,
    context: &str,
    member: &str,
    list: &[Param],
) -> BTreeMap<String, String> {
    list.iter()
        .filter_map(|p| {
            let v = match (&p.value, &p.sealed) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(s)) => open(key, &format!("{context}/{member}/{}", p.key), s),
                _ => None,
            }?;
            Some((p.key.clone(), v))
        })
        .collect()
}

async fn load<T: serde::de::DeserializeOwned>(
    tx: &mut dyn StoreTx,
    kind: &str,
    name: &str,
) -> ApiResult<Option<T>> {
    match tx.resource(kind, name).await? {
        Some(b) => serde_json::from_value(b)
            .map(Some)
            .map_err(|e| ApiError::Internal(format!("stored {kind} {name}: {e}").into())),
        None => Ok(None),
    }
}

async fn connection(tx: &mut dyn StoreTx, name: &str) -> ApiResult<StoredConnection> {
    resource_name("name", name)?;
    load(tx, CONNECTION, name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Connection '{name}' does not exist.")))
}

async fn destination(tx: &mut dyn StoreTx, name: &str) -> ApiResult<StoredDestination> {
    resource_name("name", name)?;
    load(tx, API_DESTINATION, name).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "Failed to describe the api-destination(s). An api-destination '{name}' does not exist."
        ))
    })
}

/// Reads `AuthParameters` for `kind` into the connection (sealing its secret); on update,
/// members not given keep their stored values.
fn apply_auth(
    key: &ServerKey,
    c: &mut StoredConnection,
    auth: &Value,
    creating: bool,
) -> ApiResult<()> {
    let context = format!("connection/{}", c.name);
    let (member, public_key, secret_key) = match c.authorization_type.as_str() {
        "API_KEY" => ("ApiKeyAuthParameters", "ApiKeyName", "ApiKeyValue"),
        "BASIC" => ("BasicAuthParameters", "Username", "Password"),
        _ => ("OAuthParameters", "ClientID", "ClientSecret"),
    };
    let section = &auth[member];
    let holder = if member == "OAuthParameters" {
        &section["ClientParameters"]
    } else {
        section
    };
    if creating && !section.is_object() {
        return Err(ApiError::Validation(format!(
            "Parameter AuthParameters is not valid. Reason: {member} is required for authorization type {}.",
            c.authorization_type
        )));
    }
    if let Some(public) = holder[public_key].as_str() {
        header_value(public_key, public)?;
        c.public = Some(public.to_owned());
    } else if creating {
        return Err(ApiError::Validation(format!(
            "Parameter AuthParameters.{member}.{public_key} is required."
        )));
    }
    if let Some(secret) = holder[secret_key].as_str() {
        header_value(secret_key, secret)?;
        c.secret = Some(seal(key, &context, secret)?);
    } else if creating {
        return Err(ApiError::Validation(format!(
            "Parameter AuthParameters.{member}.{secret_key} is required."
        )));
    }
    if member == "OAuthParameters" {
        if let Some(endpoint) = section["AuthorizationEndpoint"].as_str() {
            https_endpoint("AuthorizationEndpoint", endpoint)?;
            c.oauth_endpoint = Some(endpoint.to_owned());
        } else if creating {
            return Err(ApiError::Validation(
                "Parameter AuthParameters.OAuthParameters.AuthorizationEndpoint is required."
                    .into(),
            ));
        }
        if let Some(method) = section["HttpMethod"].as_str() {
            validate::one_of("HttpMethod", method, &["GET", "POST", "PUT"])?;
            c.oauth_method = Some(method.to_owned());
        } else if creating {
            return Err(ApiError::Validation(
                "Parameter AuthParameters.OAuthParameters.HttpMethod is required.".into(),
            ));
        }
        if section.get("OAuthHttpParameters").is_some() {
            c.oauth_params = read_params(
                key,
                &format!("{context}/oauth"),
                section.get("OAuthHttpParameters"),
            )?;
        }
    }
    if auth.get("InvocationHttpParameters").is_some() {
        c.invocation = read_params(key, &context, auth.get("InvocationHttpParameters"))?;
    }
    Ok(())
}

/// `KmsKeyIdentifier` and `InvocationConnectivityParameters` (checked, then kept only as
/// given: Tocsin reaches endpoints directly, not through VPC Lattice).
fn check_connection_extras(req: &Value) -> ApiResult<()> {
    validate::opt_kms_key(req["KmsKeyIdentifier"].as_str())?;
    if let Some(p) = req.get("InvocationConnectivityParameters")
        && !p["ResourceParameters"]["ResourceConfigurationArn"].is_string()
    {
        return Err(ApiError::Validation(
            "1 validation error detected: Value null at 'invocationConnectivityParameters.resourceParameters' failed to satisfy constraint: Member must not be null".into(),
        ));
    }
    Ok(())
}

fn connection_state(config: &ServerConfig, c: &StoredConnection, state: &str) -> Value {
    json!({
        "ConnectionArn": connection_arn(config, c),
        "ConnectionState": state,
        "CreationTime": c.created_at,
        "LastModifiedTime": c.modified_at,
        "LastAuthorizedTime": c.modified_at,
    })
}

/// Mirrors CreateConnection: answers `{ConnectionArn, ConnectionState: AUTHORIZED,
/// CreationTime, LastModifiedTime}`.
///
/// Errors: `ResourceAlreadyExistsException`, `ValidationException` (name, an unknown
/// authorization type, its parameters missing or malformed).
pub async fn create_connection(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: &Value,
    now: f64,
) -> ApiResult<Value> {
    let name = req["Name"].as_str().unwrap_or_default();
    resource_name("name", name)?;
    validate::opt_length("description", req["Description"].as_str(), 512)?;
    check_connection_extras(req)?;
    let kind = req["AuthorizationType"].as_str().unwrap_or_default();
    validate::one_of(
        "authorizationType",
        kind,
        &["BASIC", "OAUTH_CLIENT_CREDENTIALS", "API_KEY"],
    )?;
    if load::<StoredConnection>(tx, CONNECTION, name)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "Connection {name} already exists."
        )));
    }
    let mut c = StoredConnection {
        name: name.to_owned(),
        id: uuid::Uuid::new_v4().to_string(),
        description: req["Description"].as_str().map(str::to_owned),
        authorization_type: kind.to_owned(),
        public: None,
        secret: None,
        oauth_endpoint: None,
        oauth_method: None,
        oauth_params: HttpParams::default(),
        invocation: HttpParams::default(),
        kms_key_identifier: req["KmsKeyIdentifier"].as_str().map(str::to_owned),
        created_at: now,
        modified_at: now,
    };
    apply_auth(&config.server_key, &mut c, &req["AuthParameters"], true)?;
    tx.put_resource(
        CONNECTION,
        name,
        &serde_json::to_value(&c).unwrap_or_default(),
    )
    .await?;
    let mut out = connection_state(config, &c, "AUTHORIZED");
    if let Some(o) = out.as_object_mut() {
        o.remove("LastAuthorizedTime");
    }
    Ok(out)
}

fn connection_summary(config: &ServerConfig, c: &StoredConnection) -> Value {
    json!({
        "ConnectionArn": connection_arn(config, c),
        "Name": c.name,
        "ConnectionState": "AUTHORIZED",
        "AuthorizationType": c.authorization_type,
        "CreationTime": c.created_at,
        "LastModifiedTime": c.modified_at,
        "LastAuthorizedTime": c.modified_at,
    })
}

/// Mirrors DescribeConnection: never a secret (the password, key value or client secret,
/// or a parameter marked secret).
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn describe_connection(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: &str,
) -> ApiResult<Value> {
    let c = connection(tx, name).await?;
    let mut out = connection_summary(config, &c);
    out["SecretArn"] = json!(format!(
        "arn:aws:secretsmanager:{}:{}:secret:events!connection/{}/{}",
        config.region, config.account_id, c.name, c.id
    ));
    if let Some(d) = &c.description {
        out["Description"] = json!(d);
    }
    if let Some(k) = &c.kms_key_identifier {
        out["KmsKeyIdentifier"] = json!(k);
    }
    let public = c.public.clone().unwrap_or_default();
    let mut auth = match c.authorization_type.as_str() {
        "API_KEY" => json!({"ApiKeyAuthParameters": {"ApiKeyName": public}}),
        "BASIC" => json!({"BasicAuthParameters": {"Username": public}}),
        _ => json!({"OAuthParameters": {
            "ClientParameters": {"ClientID": public},
            "AuthorizationEndpoint": c.oauth_endpoint,
            "HttpMethod": c.oauth_method,
            "OAuthHttpParameters": show_params(&c.oauth_params),
        }}),
    };
    auth["InvocationHttpParameters"] = show_params(&c.invocation);
    out["AuthParameters"] = auth;
    Ok(out)
}

/// Mirrors ListConnections (`NamePrefix`, `ConnectionState`, `Limit` 1-100).
///
/// Errors: `ValidationException`.
pub async fn list_connections(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: &Value,
) -> ApiResult<Value> {
    let limit = req["Limit"].as_i64().map(|l| l as i32);
    let page = Page::parse("limit", limit, req["NextToken"].as_str(), 100)?;
    validate::opt_prefix("namePrefix", req["NamePrefix"].as_str(), 64, ".-_")?;
    let prefix = req["NamePrefix"].as_str().unwrap_or_default();
    let state = req["ConnectionState"].as_str();
    if let Some(s) = state {
        validate::one_of(
            "connectionState",
            s,
            &[
                "CREATING",
                "UPDATING",
                "DELETING",
                "AUTHORIZED",
                "DEAUTHORIZED",
                "AUTHORIZING",
                "DEAUTHORIZING",
                "ACTIVE",
                "FAILED_CONNECTIVITY",
            ],
        )?;
    }
    let all: Vec<Value> = tx
        .resources(CONNECTION, prefix)
        .await?
        .into_iter()
        .filter_map(|b| serde_json::from_value::<StoredConnection>(b).ok())
        .filter(|_| state.is_none_or(|s| s == "AUTHORIZED"))
        .map(|c| connection_summary(config, &c))
        .collect();
    Ok(page.answer("Connections", "NextToken", all))
}

/// Mirrors UpdateConnection: given members replace stored ones (a new secret is sealed; an
/// absent one is kept).
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn update_connection(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: &Value,
    now: f64,
) -> ApiResult<Value> {
    let name = req["Name"].as_str().unwrap_or_default();
    let mut c = connection(tx, name).await?;
    validate::opt_length("description", req["Description"].as_str(), 512)?;
    check_connection_extras(req)?;
    if let Some(kind) = req["AuthorizationType"].as_str() {
        validate::one_of(
            "authorizationType",
            kind,
            &["BASIC", "OAUTH_CLIENT_CREDENTIALS", "API_KEY"],
        )?;
        if kind != c.authorization_type {
            c.authorization_type = kind.to_owned();
            c.public = None;
            c.secret = None;
            apply_auth(&config.server_key, &mut c, &req["AuthParameters"], true)?;
        }
    }
    if req["AuthParameters"].is_object() {
        apply_auth(&config.server_key, &mut c, &req["AuthParameters"], false)?;
    }
    if let Some(d) = req["Description"].as_str() {
        c.description = Some(d.to_owned());
    }
    if let Some(k) = req["KmsKeyIdentifier"].as_str() {
        c.kms_key_identifier = Some(k.to_owned());
    }
    c.modified_at = now;
    tx.put_resource(
        CONNECTION,
        name,
        &serde_json::to_value(&c).unwrap_or_default(),
    )
    .await?;
    Ok(connection_state(config, &c, "AUTHORIZED"))
}

/// Mirrors DeleteConnection. A connection API destinations still use is refused.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn delete_connection(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: &str,
) -> ApiResult<Value> {
    let c = connection(tx, name).await?;
    let users: Vec<String> = tx
        .resources(API_DESTINATION, "")
        .await?
        .into_iter()
        .filter_map(|b| serde_json::from_value::<StoredDestination>(b).ok())
        .filter(|d| d.connection == c.name)
        .map(|d| d.name)
        .collect();
    if !users.is_empty() {
        return Err(ApiError::Validation(format!(
            "Connection {name} is used by API destination(s) {}; delete them first.",
            users.join(", ")
        )));
    }
    tx.delete_resource(CONNECTION, name).await?;
    Ok(connection_state(config, &c, "DELETING"))
}

/// The connection name in a connection ARN of this account and region.
async fn connection_of_arn(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    arn: &str,
) -> ApiResult<StoredConnection> {
    validate::opt_arn("connectionArn", Some(arn), 1600)?;
    let name = arn
        .split_once(":connection/")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(n, _)| n)
        .unwrap_or_default();
    match load::<StoredConnection>(tx, CONNECTION, name).await? {
        Some(c) if connection_arn(config, &c) == arn => Ok(c),
        _ => Err(ApiError::NotFound(format!(
            "Connection '{arn}' does not exist."
        ))),
    }
}

const METHODS: &[&str] = &["POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"];

fn rate_of(v: &Value) -> ApiResult<Option<u32>> {
    match v.get("InvocationRateLimitPerSecond") {
        None | Some(Value::Null) => Ok(None),
        Some(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or_else(|| {
                ApiError::Validation(
                    "1 validation error detected: Value at 'invocationRateLimitPerSecond' failed to satisfy constraint: Member must have value greater than or equal to 1".into(),
                )
            }),
    }
}

fn destination_state(config: &ServerConfig, d: &StoredDestination) -> Value {
    json!({
        "ApiDestinationArn": destination_arn(config, d),
        "ApiDestinationState": "ACTIVE",
        "CreationTime": d.created_at,
        "LastModifiedTime": d.modified_at,
    })
}

/// Mirrors CreateApiDestination: answers `{ApiDestinationArn, ApiDestinationState: ACTIVE,
/// CreationTime, LastModifiedTime}`.
///
/// Errors: `ResourceAlreadyExistsException`, `ResourceNotFoundException` (the connection),
/// `ValidationException`.
pub async fn create_destination(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: &Value,
    now: f64,
) -> ApiResult<Value> {
    let name = req["Name"].as_str().unwrap_or_default();
    resource_name("name", name)?;
    validate::opt_length("description", req["Description"].as_str(), 512)?;
    let endpoint = req["InvocationEndpoint"].as_str().unwrap_or_default();
    https_endpoint("invocationEndpoint", endpoint)?;
    let method = req["HttpMethod"].as_str().unwrap_or_default();
    validate::one_of("httpMethod", method, METHODS)?;
    let rate = rate_of(req)?.unwrap_or(DEFAULT_RATE);
    let c = connection_of_arn(
        tx,
        config,
        req["ConnectionArn"].as_str().unwrap_or_default(),
    )
    .await?;
    if load::<StoredDestination>(tx, API_DESTINATION, name)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "An api-destination '{name}' already exists."
        )));
    }
    let d = StoredDestination {
        name: name.to_owned(),
        id: uuid::Uuid::new_v4().to_string(),
        description: req["Description"].as_str().map(str::to_owned),
        connection: c.name,
        endpoint: endpoint.to_owned(),
        method: method.to_owned(),
        rate,
        created_at: now,
        modified_at: now,
    };
    tx.put_resource(
        API_DESTINATION,
        name,
        &serde_json::to_value(&d).unwrap_or_default(),
    )
    .await?;
    Ok(destination_state(config, &d))
}

async fn destination_view(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    d: &StoredDestination,
) -> ApiResult<Value> {
    let connection_arn = match load::<StoredConnection>(tx, CONNECTION, &d.connection).await? {
        Some(c) => connection_arn(config, &c),
        None => String::new(),
    };
    Ok(json!({
        "ApiDestinationArn": destination_arn(config, d),
        "Name": d.name,
        "ApiDestinationState": "ACTIVE",
        "ConnectionArn": connection_arn,
        "InvocationEndpoint": d.endpoint,
        "HttpMethod": d.method,
        "InvocationRateLimitPerSecond": d.rate,
        "CreationTime": d.created_at,
        "LastModifiedTime": d.modified_at,
    }))
}

/// Mirrors DescribeApiDestination.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn describe_destination(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: &str,
) -> ApiResult<Value> {
    let d = destination(tx, name).await?;
    let mut out = destination_view(tx, config, &d).await?;
    if let Some(desc) = &d.description {
        out["Description"] = json!(desc);
    }
    Ok(out)
}

/// Mirrors ListApiDestinations (`NamePrefix`, `ConnectionArn`, `Limit` 1-100).
///
/// Errors: `ValidationException`.
pub async fn list_destinations(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: &Value,
) -> ApiResult<Value> {
    let limit = req["Limit"].as_i64().map(|l| l as i32);
    let page = Page::parse("limit", limit, req["NextToken"].as_str(), 100)?;
    validate::opt_prefix("namePrefix", req["NamePrefix"].as_str(), 64, ".-_")?;
    validate::opt_arn("connectionArn", req["ConnectionArn"].as_str(), 1600)?;
    let prefix = req["NamePrefix"].as_str().unwrap_or_default();
    let mut all = Vec::new();
    for b in tx.resources(API_DESTINATION, prefix).await? {
        let Ok(d) = serde_json::from_value::<StoredDestination>(b) else {
            continue;
        };
        let view = destination_view(tx, config, &d).await?;
        if req["ConnectionArn"]
            .as_str()
            .is_none_or(|c| view["ConnectionArn"] == c)
        {
            all.push(view);
        }
    }
    Ok(page.answer("ApiDestinations", "NextToken", all))
}

/// Mirrors UpdateApiDestination: given members replace stored ones.
///
/// Errors: `ResourceNotFoundException` (the destination or a new connection),
/// `ValidationException`.
pub async fn update_destination(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: &Value,
    now: f64,
) -> ApiResult<Value> {
    let name = req["Name"].as_str().unwrap_or_default();
    let mut d = destination(tx, name).await?;
    validate::opt_length("description", req["Description"].as_str(), 512)?;
    if let Some(endpoint) = req["InvocationEndpoint"].as_str() {
        https_endpoint("invocationEndpoint", endpoint)?;
        d.endpoint = endpoint.to_owned();
    }
    if let Some(method) = req["HttpMethod"].as_str() {
        validate::one_of("httpMethod", method, METHODS)?;
        d.method = method.to_owned();
    }
    if let Some(rate) = rate_of(req)? {
        d.rate = rate;
    }
    if let Some(arn) = req["ConnectionArn"].as_str() {
        d.connection = connection_of_arn(tx, config, arn).await?.name;
    }
    if let Some(desc) = req["Description"].as_str() {
        d.description = Some(desc.to_owned());
    }
    d.modified_at = now;
    tx.put_resource(
        API_DESTINATION,
        name,
        &serde_json::to_value(&d).unwrap_or_default(),
    )
    .await?;
    Ok(destination_state(config, &d))
}

/// Mirrors DeleteApiDestination. Rule targets that name it fail their deliveries from then
/// on (dead letters, with the reason).
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn delete_destination(tx: &mut dyn StoreTx, name: &str) -> ApiResult<()> {
    destination(tx, name).await?;
    tx.delete_resource(API_DESTINATION, name).await?;
    Ok(())
}

/// Checks that a target's API destination ARN names an existing destination (PutTargets).
///
/// Errors: `ResourceNotFoundException`.
pub async fn check_target(tx: &mut dyn StoreTx, config: &ServerConfig, arn: &str) -> ApiResult<()> {
    let name = tocsin_api::arn::api_destination_name(arn).unwrap_or_default();
    match load::<StoredDestination>(tx, API_DESTINATION, name).await? {
        Some(d) if destination_arn(config, &d) == arn => Ok(()),
        _ => Err(ApiError::NotFound(format!(
            "API destination {arn} does not exist."
        ))),
    }
}

/// The request an API destination target makes now: its endpoint, method, rate, the
/// connection's parameters and authorization, secrets opened. `Ok(None)` when the
/// destination or its connection no longer exists (the delivery fails with that reason).
///
/// Errors: store errors.
pub async fn resolve(tx: &mut dyn StoreTx, key: &ServerKey, arn: &str) -> ApiResult<Option<Call>> {
    let Some(name) = tocsin_api::arn::api_destination_name(arn) else {
        return Ok(None);
    };
    let Some(d) = load::<StoredDestination>(tx, API_DESTINATION, name).await? else {
        return Ok(None);
    };
    if !arn.ends_with(&format!("/{}", d.id)) {
        return Ok(None);
    }
    let Some(c) = load::<StoredConnection>(tx, CONNECTION, &d.connection).await? else {
        return Ok(None);
    };
    let context = format!("connection/{}", c.name);
    let secret = c
        .secret
        .as_ref()
        .and_then(|s| open(key, &context, s))
        .unwrap_or_default();
    let public = c.public.clone().unwrap_or_default();
    let mut headers = open_params(key, &context, "HeaderParameters", &c.invocation.headers);
    let mut oauth = None;
    match c.authorization_type.as_str() {
        "API_KEY" => {
            headers.insert(public, secret);
        }
        "BASIC" => {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{public}:{secret}"));
            headers.insert("Authorization".into(), format!("Basic {token}"));
        }
        _ => {
            let oc = format!("{context}/oauth");
            oauth = Some(OAuth {
                connection: c.name.clone(),
                endpoint: c.oauth_endpoint.clone().unwrap_or_default(),
                method: c.oauth_method.clone().unwrap_or_else(|| "POST".into()),
                client_id: public,
                client_secret: secret,
                headers: open_params(key, &oc, "HeaderParameters", &c.oauth_params.headers),
                query: open_params(key, &oc, "QueryStringParameters", &c.oauth_params.query),
                body: open_params(key, &oc, "BodyParameters", &c.oauth_params.body),
            });
        }
    }
    let mut url = reqwest::Url::parse(&d.endpoint)
        .map_err(|e| ApiError::Internal(format!("stored endpoint: {e}").into()))?;
    let query = open_params(key, &context, "QueryStringParameters", &c.invocation.query);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query.iter());
    }
    Ok(Some(Call {
        destination: d.name,
        rate: d.rate,
        method: d.method,
        url: url.to_string(),
        headers,
        body_params: open_params(key, &context, "BodyParameters", &c.invocation.body),
        oauth,
    }))
}

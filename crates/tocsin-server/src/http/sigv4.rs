//! AWS Signature Version 4, verified: the one verifier for every AWS endpoint (rest-json,
//! awsJson, and later the query protocol).
//!
//! The server rebuilds the canonical request from what arrived, following the client's own
//! `SignedHeaders` list (which is why a signing library cannot do this: it decides for
//! itself which headers to sign), derives the signing key from the caller's secret, and
//! compares signatures in constant time. Canonical form, as AWS specifies it and botocore
//! produces it: the path with dot segments removed and every byte outside
//! `A-Za-z0-9-_.~/` percent-encoded (so an already-encoded path is encoded again, as for
//! every service but S3); query pairs decoded (`+` as a space), re-encoded strictly and sorted by key, then
//! value; each signed header's values trimmed, inner runs of spaces collapsed, repeats
//! joined by `,` (header bytes read as ISO-8859-1); the payload's SHA-256 (or `UNSIGNED-PAYLOAD` when `x-amz-content-sha256`
//! says so). Requests are accepted within 15 minutes of the server's clock, either way.

use axum::http::{HeaderMap, Method, Uri};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The only algorithm SigV4 defines.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far a request's time may be from the server's, either way (seconds).
pub const MAX_SKEW_SECS: i64 = 15 * 60;

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The access key id.
    pub access_key_id: String,
    /// Scope date, `YYYYMMDD`.
    pub date: String,
    /// Scope region (any region is accepted).
    pub region: String,
    /// Scope service (`ssm-incidents`, `events`, …).
    pub service: String,
    /// Lower-case header names, in the order given.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// The header is not a well-formed SigV4 authorization (`IncompleteSignatureException`).
    #[error("{0}")]
    Incomplete(String),
    /// The signature does not match, or the request is outside the time window, or the
    /// scope is wrong (`InvalidSignatureException`).
    #[error("{0}")]
    Invalid(String),
}

/// Parses `AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/SERVICE/aws4_request,
/// SignedHeaders=a;b, Signature=HEX`.
///
/// Errors: [`SigV4Error::Incomplete`] naming what is missing or malformed.
pub fn parse_authorization(header: &str) -> Result<Authorization, SigV4Error> {
    let rest = header.strip_prefix(ALGORITHM).ok_or_else(|| {
        SigV4Error::Incomplete(format!("Authorization header must use {ALGORITHM}."))
    })?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |what: &str| {
        SigV4Error::Incomplete(format!(
            "Authorization header requires '{what}' parameter. Authorization={header:.64}"
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[4] != "aws4_request" || scope.iter().any(|s| s.is_empty()) {
        return Err(SigV4Error::Incomplete(format!(
            "Credential should be scoped to a valid region, service and date: {credential}."
        )));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SigV4Error::Incomplete(
            "Signature must be 64 hex digits.".into(),
        ));
    }
    Ok(Authorization {
        access_key_id: scope[0].to_owned(),
        date: scope[1].to_owned(),
        region: scope[2].to_owned(),
        service: scope[3].to_owned(),
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: signature.to_ascii_lowercase(),
    })
}

/// Percent-encodes every byte outside `A-Za-z0-9-_.~` (and `/` when `keep_slash`).
fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (a malformed escape is kept as it is).
fn percent_decode(text: &str) -> Vec<u8> {
    fn hex_digit(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The canonical URI: dot segments removed (RFC 3986 5.2.4) and empty segments dropped
/// (AWS services treat `//` as `/`), a trailing slash kept when the path ends with one and
/// something is left, then encoded again. As AWS's test suite and botocore define it.
pub fn canonical_uri(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut normalised = format!("/{}", out.join("/"));
    if path.ends_with('/') && !out.is_empty() {
        normalised.push('/');
    }
    uri_encode(normalised.as_bytes(), true)
}

/// The canonical query string: pairs decoded, re-encoded strictly, sorted by key then value.
pub fn canonical_query(query: Option<&str>) -> String {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            // `+` is a space in a query string (botocore sends params form-encoded).
            let decode = |t: &str| percent_decode(&t.replace('+', " "));
            (uri_encode(&decode(k), false), uri_encode(&decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `name:value\n` for each signed header, in the order the client listed them.
///
/// Errors: a signed header that is not in the request.
fn canonical_headers(headers: &HeaderMap, signed: &[String]) -> Result<String, SigV4Error> {
    let mut out = String::new();
    for name in signed {
        let values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .map(|v| {
                // Header bytes are ISO-8859-1 on the wire (as Python's http.client sends a
                // non-ASCII str); the canonical request is then hashed as UTF-8.
                let text: String = v.as_bytes().iter().map(|&b| b as char).collect();
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect();
        if values.is_empty() {
            return Err(SigV4Error::Invalid(format!(
                "The request signature we calculated does not match the signature you provided: signed header {name} is missing."
            )));
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The canonical request of a request as it arrived.
///
/// Errors: a signed header missing from the request.
pub fn canonical_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    signed_headers: &[String],
    body: &[u8],
) -> Result<String, SigV4Error> {
    canonical_request_parts(
        method.as_str(),
        uri.path(),
        uri.query(),
        headers,
        signed_headers,
        body,
    )
}

/// [`canonical_request`] over the request line's parts: `path` and `query` as sent (a path
/// may hold raw UTF-8 or spaces, as in AWS's test suite; they are encoded like any other
/// byte outside the unreserved set).
///
/// Errors: a signed header missing from `headers`.
pub fn canonical_request_parts(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    signed_headers: &[String],
    body: &[u8],
) -> Result<String, SigV4Error> {
    let payload_hash = match headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
    {
        Some(given) if given == "UNSIGNED-PAYLOAD" => given.to_owned(),
        _ => hex::encode(Sha256::digest(body)),
    };
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method,
        canonical_uri(path),
        canonical_query(query),
        canonical_headers(headers, signed_headers)?,
        signed_headers.join(";"),
        payload_hash
    ))
}

/// The string to sign: algorithm, `amz_date` (`YYYYMMDD'T'HHMMSS'Z'`), the credential scope
/// of `auth`, and the hex SHA-256 of `canonical_request`, one per line.
pub fn string_to_sign(auth: &Authorization, amz_date: &str, canonical_request: &str) -> String {
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The hex signature of `canonical_request` under `secret` for this scope and time.
pub fn signature(
    secret: &str,
    auth: &Authorization,
    amz_date: &str,
    canonical_request: &str,
) -> String {
    let to_sign = string_to_sign(auth, amz_date, canonical_request);
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    hex::encode(hmac(&k_signing, to_sign.as_bytes()))
}

/// Reads `YYYYMMDD'T'HHMMSS'Z'` as epoch seconds.
fn parse_amz_date(text: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

fn amz_date(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// A request as it arrived, for [`verify`].
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// Its method.
    pub method: &'a Method,
    /// Its path and query, as sent.
    pub uri: &'a Uri,
    /// Its headers.
    pub headers: &'a HeaderMap,
    /// Its body.
    pub body: &'a [u8],
}

/// Verifies a signed request against the caller's secret at server time `now` (epoch
/// seconds). `service`, when given, is the service the operation belongs to; any region is
/// accepted.
///
/// Errors: [`SigV4Error::Invalid`] for a wrong signature, a request older or newer than 15
/// minutes, a scope of another service or date; [`SigV4Error::Incomplete`] for a missing
/// `X-Amz-Date` or unsigned `host`/`x-amz-date`.
pub fn verify(
    auth: &Authorization,
    secret: &str,
    request: &Signed<'_>,
    service: Option<&str>,
    now: i64,
) -> Result<(), SigV4Error> {
    let Signed {
        method,
        uri,
        headers,
        body,
    } = *request;
    let date_text = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            SigV4Error::Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into())
        })?;
    for needed in ["host", "x-amz-date"] {
        if !auth.signed_headers.iter().any(|h| h == needed) {
            return Err(SigV4Error::Incomplete(format!(
                "'{needed}' must be a 'SignedHeader' in the AWS Authorization."
            )));
        }
    }
    let when = parse_amz_date(date_text).ok_or_else(|| {
        SigV4Error::Incomplete(format!(
            "X-Amz-Date {date_text} is not YYYYMMDD'T'HHMMSS'Z'."
        ))
    })?;
    if when < now - MAX_SKEW_SECS {
        return Err(SigV4Error::Invalid(format!(
            "Signature expired: {date_text} is now earlier than {} ({} - 15 min.)",
            amz_date(now - MAX_SKEW_SECS),
            amz_date(now)
        )));
    }
    if when > now + MAX_SKEW_SECS {
        return Err(SigV4Error::Invalid(format!(
            "Signature not yet current: {date_text} is still later than {} ({} + 15 min.)",
            amz_date(now + MAX_SKEW_SECS),
            amz_date(now)
        )));
    }
    if !date_text.starts_with(&auth.date) {
        return Err(SigV4Error::Invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'",
            auth.date,
            &date_text[..date_text.len().min(8)]
        )));
    }
    if let Some(service) = service
        && auth.service != service
    {
        return Err(SigV4Error::Invalid(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    let canonical = canonical_request(method, uri, headers, &auth.signed_headers, body)?;
    let expected = signature(secret, auth, date_text, &canonical);
    if bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        Ok(())
    } else {
        Err(SigV4Error::Invalid(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of AWS's SigV4 documentation (IAM ListUsers, 2015-08-30).
    #[test]
    fn aws_documentation_example() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        headers.insert("host", "iam.amazonaws.com".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let uri: Uri = "/?Action=ListUsers&Version=2010-05-08".parse().unwrap();
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let auth = parse_authorization(header).unwrap();
        let canonical =
            canonical_request(&Method::GET, &uri, &headers, &auth.signed_headers, b"").unwrap();
        assert_eq!(
            canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let get = |body: &'static [u8]| Signed {
            method: &Method::GET,
            uri: &uri,
            headers: &headers,
            body,
        };
        let now = parse_amz_date("20150830T123600Z").unwrap();
        verify(&auth, secret, &get(b""), Some("iam"), now).unwrap();
        // Every failure the verifier reports.
        let wrong = verify(&auth, "x", &get(b""), Some("iam"), now);
        assert!(matches!(wrong, Err(SigV4Error::Invalid(m)) if m.contains("does not match")));
        let late = verify(&auth, secret, &get(b""), Some("iam"), now + 16 * 60);
        assert!(
            matches!(late, Err(SigV4Error::Invalid(m)) if m.starts_with("Signature expired: 20150830T123600Z is now earlier than"))
        );
        let early = verify(&auth, secret, &get(b""), Some("iam"), now - 16 * 60);
        assert!(matches!(early, Err(SigV4Error::Invalid(m)) if m.contains("not yet current")));
        let service = verify(&auth, secret, &get(b""), Some("events"), now);
        assert!(matches!(service, Err(SigV4Error::Invalid(m)) if m.contains("'events'")));
        let body = verify(&auth, secret, &get(b"x"), Some("iam"), now);
        assert!(body.is_err(), "the payload is signed");
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a/./b/../c/"), "/a/c/");
        assert_eq!(
            canonical_uri("/a/b/.."),
            "/a",
            "as botocore: no trailing slash after .."
        );
        assert_eq!(canonical_uri("//a//b//"), "/a/b/", "empty segments dropped");
        assert_eq!(canonical_uri("/foo%20bar"), "/foo%2520bar", "encoded twice");
        assert_eq!(canonical_uri("/ü"), "/%C3%BC");
        assert_eq!(
            canonical_query(Some("b=2&a=%7E1&a=0&c&d=x%2By+z")),
            "a=0&a=~1&b=2&c=&d=x%2By%20z"
        );
        assert_eq!(canonical_query(None), "");
        assert!(parse_authorization("Bearer x").is_err());
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request").is_err());
        assert!(
            parse_authorization(
                "AWS4-HMAC-SHA256 Credential=a/b/c/aws4_request, SignedHeaders=host, Signature=00"
            )
            .is_err()
        );
    }
}

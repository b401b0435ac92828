//! AWS's published Signature Version 4 test suite (`tests/fixtures/aws4_testsuite`, Apache
//! 2.0, see its NOTICE) run against the server's verifier: for every case the canonical
//! request, the string to sign and the signature must equal AWS's, the verifier must accept
//! the signed request at the suite's time, and changing any one byte of a signed part (or
//! the secret) must make it refuse.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use std::path::{Path, PathBuf};
use tocsin_server::http::sigv4;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z, the suite's signing time.
const SUITE_TIME: i64 = 1_440_938_160;

/// One case: the raw request and AWS's expected outputs.
struct Case {
    name: String,
    method: String,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
    creq: String,
    sts: String,
    authz: String,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws4_testsuite");
    let mut dirs = Vec::new();
    collect(&root, &mut dirs);
    dirs.sort();
    dirs.iter().map(|dir| read_case(&root, dir)).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if path.join(format!("{name}.req")).exists() {
                out.push(path);
            }
        }
    }
}

fn read_case(root: &Path, dir: &Path) -> Case {
    let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap();
    let raw = read("req");
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw.as_str(), ""));
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    // The target may hold a space (normalize-path/get-space): the version is the last word.
    let target = rest.rsplit_once(' ').unwrap().0;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target.to_owned(), None),
    };
    // Unfold obsolete line folding (RFC 9112 5.2): a continuation line joins the previous
    // value with a space.
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = fields.last_mut().unwrap();
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else {
            let (k, v) = line.split_once(':').unwrap();
            fields.push((k.to_owned(), v.to_owned()));
        }
    }
    let mut headers = HeaderMap::new();
    for (k, v) in fields {
        headers.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    let creq = read("creq");
    // Cases signed with a session token: the signer adds the header the request lacks.
    if let Some(token) = creq
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-security-token:"))
        && !headers.contains_key("x-amz-security-token")
    {
        headers.insert(
            "x-amz-security-token",
            HeaderValue::from_str(token).unwrap(),
        );
    }
    Case {
        name: dir
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        method: method.to_owned(),
        path,
        query,
        headers,
        body: body.as_bytes().to_vec(),
        creq,
        sts: read("sts"),
        authz: read("authz"),
    }
}

fn amz_date(case: &Case) -> String {
    case.headers
        .get("x-amz-date")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_case_of_the_published_suite_canonicalises_and_signs_as_aws_does() {
    let cases = cases();
    assert!(cases.len() >= 30, "suite not found: {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let auth = sigv4::parse_authorization(&case.authz).unwrap();
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE", "{}", case.name);
        let creq = sigv4::canonical_request_parts(
            &case.method,
            &case.path,
            case.query.as_deref(),
            &case.headers,
            &auth.signed_headers,
            &case.body,
        )
        .unwrap();
        if creq != case.creq {
            failures.push(format!(
                "{}: canonical request\n{creq}\n!=\n{}",
                case.name, case.creq
            ));
            continue;
        }
        let sts = sigv4::string_to_sign(&auth, &amz_date(case), &creq);
        if sts != case.sts {
            failures.push(format!("{}: string to sign {sts:?}", case.name));
            continue;
        }
        let signature = sigv4::signature(SECRET, &auth, &amz_date(case), &creq);
        if signature != auth.signature {
            failures.push(format!("{}: signature {signature}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The cases whose request line `http::Uri` accepts as it is (the suite also has raw UTF-8
/// and a space in paths, which no HTTP client sends unencoded).
fn wire_cases() -> Vec<(Case, Uri)> {
    cases()
        .into_iter()
        .filter_map(|case| {
            let target = match &case.query {
                Some(q) => format!("{}?{q}", case.path),
                None => case.path.clone(),
            };
            let uri: Uri = target.parse().ok()?;
            Some((case, uri))
        })
        .collect()
}

#[test]
fn the_verifier_accepts_every_suite_request_and_refuses_any_one_byte_change() {
    let cases = wire_cases();
    assert!(cases.len() >= 28, "{} wire cases", cases.len());
    for (case, uri) in &cases {
        let auth = sigv4::parse_authorization(&case.authz).unwrap();
        let method = Method::from_bytes(case.method.as_bytes()).unwrap();
        let verify =
            |method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8], secret: &str| {
                let signed = sigv4::Signed {
                    method,
                    uri,
                    headers,
                    body,
                };
                sigv4::verify(&auth, secret, &signed, Some("service"), SUITE_TIME)
            };
        verify(&method, uri, &case.headers, &case.body, SECRET)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        // The secret.
        let mut wrong = SECRET.to_owned().into_bytes();
        wrong[0] ^= 1;
        assert!(
            verify(
                &method,
                uri,
                &case.headers,
                &case.body,
                &String::from_utf8(wrong).unwrap()
            )
            .is_err(),
            "{}: wrong secret accepted",
            case.name
        );
        // The method.
        let other = if method == Method::GET {
            Method::POST
        } else {
            Method::GET
        };
        assert!(verify(&other, uri, &case.headers, &case.body, SECRET).is_err());
        // Each byte of the path and query.
        let target = uri.to_string();
        for i in 0..target.len() {
            let mut bytes = target.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let Some(changed) = String::from_utf8(bytes)
                .ok()
                .and_then(|t| t.parse::<Uri>().ok())
            else {
                continue;
            };
            if sigv4::canonical_uri(changed.path()) == sigv4::canonical_uri(uri.path())
                && sigv4::canonical_query(changed.query()) == sigv4::canonical_query(uri.query())
            {
                continue; // the same canonical form (e.g. `a` for `%61`): the same request
            }
            assert!(
                verify(&method, &changed, &case.headers, &case.body, SECRET).is_err(),
                "{}: changed target {changed} accepted",
                case.name
            );
        }
        // Each byte of each signed header's value.
        for name in &auth.signed_headers {
            let original: Vec<HeaderValue> = case
                .headers
                .get_all(name.as_str())
                .iter()
                .cloned()
                .collect();
            for (which, value) in original.iter().enumerate() {
                for i in 0..value.len() {
                    let mut bytes = value.as_bytes().to_vec();
                    if bytes[i] == b' ' {
                        continue; // whitespace runs are collapsed by definition
                    }
                    bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
                    let mut headers = case.headers.clone();
                    headers.remove(name.as_str());
                    for (j, v) in original.iter().enumerate() {
                        let v = if j == which {
                            HeaderValue::from_bytes(&bytes).unwrap()
                        } else {
                            v.clone()
                        };
                        headers.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), v);
                    }
                    if name == "x-amz-date" {
                        continue; // another time is another scope: checked below
                    }
                    assert!(
                        verify(&method, uri, &headers, &case.body, SECRET).is_err(),
                        "{}: changed header {name} accepted",
                        case.name
                    );
                }
            }
        }
        // Each byte of the body.
        for i in 0..case.body.len() {
            let mut body = case.body.clone();
            body[i] ^= 1;
            assert!(verify(&method, uri, &case.headers, &body, SECRET).is_err());
        }
        // Another time, within the window, with the same signature.
        let mut headers = case.headers.clone();
        headers.insert("x-amz-date", HeaderValue::from_static("20150830T123601Z"));
        assert!(verify(&method, uri, &headers, &case.body, SECRET).is_err());
    }
}

#[test]
fn the_suite_requests_are_refused_outside_the_clock_window() {
    let (case, uri) = wire_cases().into_iter().next().unwrap();
    let auth = sigv4::parse_authorization(&case.authz).unwrap();
    let method = Method::from_bytes(case.method.as_bytes()).unwrap();
    let signed = sigv4::Signed {
        method: &method,
        uri: &uri,
        headers: &case.headers,
        body: &case.body,
    };
    for (now, ok) in [
        (SUITE_TIME + 15 * 60, true),
        (SUITE_TIME - 15 * 60, true),
        (SUITE_TIME + 15 * 60 + 1, false),
        (SUITE_TIME - 15 * 60 - 1, false),
    ] {
        let result = sigv4::verify(&auth, SECRET, &signed, Some("service"), now);
        assert_eq!(result.is_ok(), ok, "{}: at {now}: {result:?}", case.name);
    }
    let err = sigv4::verify(&auth, SECRET, &signed, Some("events"), SUITE_TIME).unwrap_err();
    assert!(
        err.to_string().contains("scoped to correct service"),
        "{err}"
    );
}

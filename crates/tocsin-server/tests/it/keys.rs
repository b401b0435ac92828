//! Access keys from the command line and on first start, with the real binary: secrets are
//! shown once and never stored in plain text, files are owner-only, the wrong key file is
//! refused, and the admin key is minted exactly once per database.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::Tocsin;

fn tocsin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(args)
        .output()
        .unwrap()
}

fn keys(db: &str, key_file: Option<&str>, args: &[&str]) -> Output {
    let mut all = vec!["keys", "--database-url", db];
    if let Some(k) = key_file {
        all.extend(["--key-file", k]);
    }
    all.extend(args);
    tocsin(&all)
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every byte of the database, WAL included.
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("t.db") {
            all.extend(std::fs::read(path).unwrap());
        }
    }
    all
}

#[tokio::test]
async fn keys_are_created_listed_disabled_enabled_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let created = stdout_json(&keys(
        &db,
        None,
        &[
            "create", "--name", "ci-bot", "--role", "viewer", "--output", "json",
        ],
    ));
    let id = created["accessKeyId"].as_str().unwrap().to_owned();
    let secret = created["secretAccessKey"].as_str().unwrap().to_owned();
    assert_eq!(
        (created["role"].as_str(), created["name"].as_str()),
        (Some("viewer"), Some("ci-bot"))
    );
    assert!(
        id.len() == 20
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(secret.len(), 40);
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir.path().join("server.key")), 0o600, "key file");
        assert_eq!(mode(&dir.path().join("t.db")), 0o600, "database file");
    }
    let bytes = database_bytes(dir.path());
    assert!(!bytes.is_empty());
    assert!(
        !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the secret is stored in plain text"
    );

    let list = stdout_json(&keys(&db, None, &["list", "--output", "json"]));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["accessKeyId"], id.as_str());
    assert_eq!(list[0]["enabled"], true);
    assert!(
        !list.to_string().contains(&secret),
        "list never shows a secret"
    );
    let text = keys(&db, None, &["list"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains(&id));

    assert!(keys(&db, None, &["disable", &id]).status.success());
    assert_eq!(
        stdout_json(&keys(&db, None, &["list", "--output", "json"]))[0]["enabled"],
        false
    );
    assert!(keys(&db, None, &["enable", &id]).status.success());
    assert_eq!(
        stdout_json(&keys(&db, None, &["list", "--output", "json"]))[0]["enabled"],
        true
    );
    assert!(keys(&db, None, &["delete", &id]).status.success());
    assert_eq!(
        stdout_json(&keys(&db, None, &["list", "--output", "json"])),
        Value::Array(vec![])
    );

    // Bad input: a clear message and a non-zero exit, nothing written.
    let again = keys(&db, None, &["delete", &id]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("does not exist"));
    let bad_role = keys(&db, None, &["create", "--name", "x", "--role", "root"]);
    assert_eq!(
        bad_role.status.code(),
        Some(2),
        "clap refuses an unknown role"
    );
    let bad_name = keys(
        &db,
        None,
        &["create", "--name", "two words", "--role", "admin"],
    );
    assert_eq!(bad_name.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_name.stderr).contains("is not valid"));
    assert_eq!(
        stdout_json(&keys(&db, None, &["list", "--output", "json"])),
        Value::Array(vec![])
    );
}

#[tokio::test]
async fn the_wrong_or_a_missing_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let own = dir.path().join("own.key");
    let own = own.to_str().unwrap();
    stdout_json(&keys(
        &db,
        Some(own),
        &[
            "create", "--name", "a", "--role", "admin", "--output", "json",
        ],
    ));

    let other_db = format!("sqlite://{}", dir.path().join("other.db").display());
    let foreign = dir.path().join("foreign.key");
    let foreign = foreign.to_str().unwrap();
    stdout_json(&keys(
        &other_db,
        Some(foreign),
        &["list", "--output", "json"],
    ));

    let wrong = keys(&db, Some(foreign), &["list"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("does not belong to this database"));
    let missing = dir.path().join("missing.key");
    let out = keys(&db, Some(missing.to_str().unwrap()), &["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    assert!(
        !missing.exists(),
        "no key file is made up for a database that has one"
    );
}

#[tokio::test]
async fn the_first_start_mints_one_admin_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let credentials = dir.path().join("admin-credentials");
    let server = Tocsin::start(&db, &[]).await;
    let text = std::fs::read_to_string(&credentials).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&credentials), 0o600);
    assert!(text.contains("[tocsin]\n"), "{text}");
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_access_key_id = "))
        .unwrap()
        .to_owned();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .to_owned();
    assert_eq!((id.len(), secret.len()), (20, 40));
    drop(server);

    let list = stdout_json(&keys(&db, None, &["list", "--output", "json"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["accessKeyId"], id.as_str());
    assert_eq!(list[0]["role"], "admin");
    assert_eq!(list[0]["name"], "admin");

    // Deleting every key does not mint a new one at the next start.
    assert!(keys(&db, None, &["delete", &id]).status.success());
    let server = Tocsin::start(&db, &[]).await;
    drop(server);
    assert_eq!(
        stdout_json(&keys(&db, None, &["list", "--output", "json"])),
        Value::Array(vec![])
    );
    assert_eq!(
        std::fs::read_to_string(&credentials).unwrap(),
        text,
        "file left as it was"
    );
}

#[tokio::test]
async fn the_log_names_the_credentials_file_but_never_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let log = std::fs::File::create(dir.path().join("log")).unwrap();
    let port = crate::support::free_port();
    let mut child = crate::support::serve_command(&db, port)
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .is_err()
    {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let logged = std::fs::read_to_string(dir.path().join("log")).unwrap();
    let credentials = std::fs::read_to_string(dir.path().join("admin-credentials")).unwrap();
    let secret = credentials
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap();
    assert!(logged.contains("admin-credentials"), "{logged}");
    assert!(!logged.contains(secret), "the secret was logged");
}

#[tokio::test]
async fn insecure_no_auth_is_for_loopback_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let refused = tocsin(&[
        "serve",
        "--listen",
        "0.0.0.0:0",
        "--insecure-no-auth",
        "--database-url",
        &db,
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("--insecure-no-auth is refused on 0.0.0.0:0"),
        "{stderr}"
    );

    // On loopback: no credentials act as an admin; bad credentials are still refused.
    let server = Tocsin::start(&db, &["--insecure-no-auth"]).await;
    let plain = reqwest::Client::new();
    let made = plain
        .post(format!("{}/createResponsePlan", server.base))
        .body(r#"{"name": "local", "incidentTemplate": {"title": "t", "impact": 3}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let bad = plain
        .get(format!("{}/v1/wall", server.base))
        .header("Authorization", "Bearer TOCSUNKNOWN000000000:secret")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
    let who: Value = crate::support::get_json(&plain, format!("{}/v1/whoami", server.base)).await;
    assert_eq!(who["role"], "admin");
    assert_eq!(who["name"], "anonymous");
}

#[tokio::test]
async fn without_credentials_nothing_but_health_answers() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let server = Tocsin::start(&db, &[]).await;
    let plain = reqwest::Client::new();
    let wall = plain
        .get(format!("{}/v1/wall", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wall.status(), 401);
    let body: Value = wall.json().await.unwrap();
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
    let health = plain
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    // The bootstrap key works as a bearer token.
    let who: Value = server
        .client
        .get(format!("{}/v1/whoami", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (who["name"].as_str(), who["role"].as_str()),
        (Some("admin"), Some("admin"))
    );
    assert_eq!(who["principal"], "arn:aws:iam::000000000000:user/admin");
}

#[tokio::test]
async fn serves_https_with_a_pem_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let port = crate::support::free_port();
    let mut child = crate::support::serve_command(&db, port)
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // curl is the client: it trusts exactly the certificate given with --cacert.
    let curl = |path: &str, bearer: Option<String>| {
        let mut c = Command::new("curl");
        c.args(["-sS", "--fail", "--max-time", "5", "--cacert"])
            .arg(&cert);
        if let Some(b) = bearer {
            c.args(["-H", &format!("Authorization: Bearer {b}")]);
        }
        c.arg(format!("https://127.0.0.1:{port}{path}"))
            .output()
            .unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !curl("/healthz", None).status.success() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("no HTTPS answer");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (id, secret) = crate::support::admin_credentials(&db).unwrap();
    let who = curl("/v1/whoami", Some(format!("{id}:{secret}")));
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        who.status.success(),
        "{}",
        String::from_utf8_lossy(&who.stderr)
    );
    let who: Value = serde_json::from_slice(&who.stdout).unwrap();
    assert_eq!(who["role"], "admin");
    assert!(plain.is_err(), "plain HTTP is not served on the TLS port");
}

#[tokio::test]
async fn public_and_app_urls_name_the_host_the_links_and_the_app_origin() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    for (flag, bad) in [
        ("--public-url", "tocsin.example.com"),
        ("--public-url", "https://tocsin.example.com/?x=1"),
        ("--app-url", "javascript:alert(1)"),
    ] {
        let refused = tocsin(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            flag,
            bad,
            "--database-url",
            &db,
        ]);
        assert_eq!(refused.status.code(), Some(1), "{flag} {bad}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(flag), "{stderr}");
    }
    let server = Tocsin::start(
        &db,
        &[
            "--public-url",
            "https://tocsin.example.com/",
            "--app-url",
            "https://wall.example.net",
        ],
    )
    .await;
    let with_host = |host: &'static str| {
        server
            .client
            .get(format!("{}/v1/whoami", server.base))
            .header("Host", host)
            .send()
    };
    assert_eq!(with_host("tocsin.example.com").await.unwrap().status(), 200);
    assert_eq!(with_host("127.0.0.1").await.unwrap().status(), 200);
    assert_eq!(with_host("evil.example.org").await.unwrap().status(), 400);
    // The app's origin may call the API from a browser; another may not.
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/listResponsePlans", server.base),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type",
            )
            .send()
    };
    let allowed = preflight("https://wall.example.net").await.unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://wall.example.net"
    );
    let other = preflight("https://evil.example.org").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

/// Looked-up keys are cached for a few seconds (issue 12: no database read per request),
/// but a key disabled or deleted through the API is refused on the very next request, and
/// one enabled again works at once.
#[tokio::test]
async fn a_key_disabled_or_deleted_through_the_api_is_refused_at_once_despite_the_cache() {
    let server = crate::support::TestServer::start().await;
    let (id, secret) = server.key("cached", tocsin_api::auth::Role::Viewer).await;
    let client = crate::support::bearer_client(&id, &secret);
    let wall = || client.get(format!("{}/v1/wall", server.base)).send();
    assert_eq!(wall().await.unwrap().status(), 200);
    assert_eq!(wall().await.unwrap().status(), 200, "served from the cache");

    let state = |enabled: bool| {
        let body = serde_json::json!({"accessKeyId": id, "enabled": enabled});
        let server = &server;
        async move { server.rest("/v1/keys/state", &body).await }
    };
    assert_eq!(state(false).await.0, 204);
    let refused = wall().await.unwrap();
    assert_eq!(refused.status(), 403, "disabled: refused at once");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["__type"], "UnrecognizedClientException", "{body}");

    assert_eq!(state(true).await.0, 204);
    assert_eq!(
        wall().await.unwrap().status(),
        200,
        "enabled again: works at once"
    );

    let (status, _) = server
        .rest("/v1/keys/delete", &serde_json::json!({"accessKeyId": id}))
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        wall().await.unwrap().status(),
        403,
        "deleted: refused at once"
    );
    server.stop();
}

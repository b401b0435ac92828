//! The web app as the server serves it from a directory: caching by name (trunk's hashed
//! assets immutable, the rest revalidated), a 404 for a missing file, and a `config.json`
//! whose API origin joins the app's `connect-src`. (The embedded copy is tested end to end
//! in `tests/e2e/test_hosting.py`.)

use crate::support::TestServer;

#[tokio::test]
async fn the_web_app_is_cached_by_name_and_its_config_json_opens_connect_src() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><script type=\"module\">go()</script><body></body>",
    )
    .unwrap();
    std::fs::write(web.path().join("main-46fbdcc4acac9220.css"), "body{}").unwrap();
    std::fs::write(web.path().join("robots.txt"), "User-agent: *").unwrap();
    let server = TestServer::start_with(tocsin_server::ServerConfig {
        web: tocsin_server::config::WebSource::Dir(web.path().to_owned()),
        ..Default::default()
    })
    .await;
    let get = |path: &'static str| {
        server
            .anonymous
            .get(format!("{}{path}", server.base))
            .send()
    };

    let r = get("/main-46fbdcc4acac9220.css").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let r = get("/robots.txt").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");

    // No config.json: a 404 (not the app), and the app may connect only to its own origin.
    let r = get("/config.json").await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let r = get("/wall").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert!(r.text().await.unwrap().contains("go()"));

    // With one, its API's origin (only the origin) joins connect-src, and it is served fresh.
    std::fs::write(
        web.path().join("config.json"),
        r#"{"apiBaseUrl": "https://tocsin.example.com:8443/base"}"#,
    )
    .unwrap();
    let r = get("/config.json").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let r = get("/incident?arn=x").await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("connect-src 'self' https://tocsin.example.com:8443;"),
        "{csp}"
    );

    // A hashed name that does not exist is a 404, never HTML cached for a year.
    let r = get("/tocsin-web-0000000000000000_bg.wasm").await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    server.stop();
}

//! CORS: a web app hosted on another origin (a CDN) may call the API only from an origin
//! the operator listed.

use tocsin_server::ServerConfig;

use crate::support::TestServer;

async fn preflight(server: &TestServer, origin: &str) -> Option<String> {
    let r = server
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/listIncidentRecords", server.base),
        )
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    r.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn only_listed_origins_may_call_from_a_browser() {
    let config = ServerConfig {
        cors_origins: vec!["https://wall.example.com".into()],
        ..Default::default()
    };
    let server = TestServer::start_with(config).await;
    assert_eq!(
        preflight(&server, "https://wall.example.com")
            .await
            .as_deref(),
        Some("https://wall.example.com")
    );
    assert_eq!(preflight(&server, "https://evil.example.net").await, None);
    let r = server
        .client
        .get(format!("{}/v1/wall", server.base))
        .header("Origin", "https://wall.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://wall.example.com"
    );
    server.stop();

    let same_origin_only = TestServer::start().await;
    assert_eq!(
        preflight(&same_origin_only, "https://wall.example.com").await,
        None
    );
    same_origin_only.stop();
}

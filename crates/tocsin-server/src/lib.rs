//! Tocsin's server: ingest events, route them with EventBridge event patterns, open and
//! track incidents from response plans, and show it all live.
//!
//! Why it exists: one self-hosted program for the whole alarm → incident → response loop,
//! speaking the AWS wire protocols (`ssm-incidents` rest-json and EventBridge awsJson1.1)
//! so boto3, the AWS CLI and Terraform work against it with `endpoint_url`.
//!
//! The one design decision to know: every state change happens inside one store
//! transaction that also appends its change-feed entry ([`store`]); the HTTP answer is sent
//! only after that commit. The live stream (`GET /v1/stream`) is a read of that feed, never
//! an in-memory side channel, so a reconnecting client misses nothing.
//!
//! Layers, with a one-way rule: [`domain`] (the engines) and [`store`] never import HTTP;
//! [`worker`] takes explicit dependencies; [`http`] is the only layer that knows requests.
//!
//! Entry points: [`AppState::new`] opens the engines over a store and starts the workers;
//! [`app`] builds the router over it; [`serve`] runs it.

pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod files;
pub mod http;
pub mod keys_cli;
pub mod metrics;
pub mod outbound;
pub mod pattern_cli;
pub mod store;
pub mod transfer;
pub mod worker;

pub use config::ServerConfig;
pub use http::app;
pub use http::state::AppState;

/// PEM files of a TLS certificate chain and its private key (`--tls-cert`, `--tls-key`).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: std::path::PathBuf,
    /// The private key of the leaf.
    pub key: std::path::PathBuf,
}

/// Serves `state` on `listener`, over TLS (rustls) when `tls` is given, until `shutdown`
/// resolves; then ends open streams and lets in-flight requests finish (10 s at most).
///
/// Connections are held to `config.header_read_timeout`: a client that does not send a
/// request's headers within it, or keeps a connection idle between requests longer than it,
/// is disconnected (hyper's header-read timer runs while waiting for each request head).
/// HTTP/1.1 only: hyper's protocol sniffing for HTTP/2 waits for a first byte without any
/// timeout, which would let silent connections pile up.
///
/// Errors: the certificate or key cannot be read or do not match; the listener fails.
pub async fn serve(
    listener: std::net::TcpListener,
    state: AppState,
    stop_streams: tokio::sync::watch::Sender<bool>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    tls: Option<TlsFiles>,
) -> std::io::Result<()> {
    let header_read_timeout = state.config.header_read_timeout;
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: closing streams, finishing requests");
        let _ = stop_streams.send(true);
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    listener.set_nonblocking(true)?;
    match tls {
        Some(files) => {
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                .await?;
            // Offer only HTTP/1.1 in ALPN, since only HTTP/1.1 is served.
            let mut only_http1 = (*tls.get_inner()).clone();
            only_http1.alpn_protocols = vec![b"http/1.1".to_vec()];
            tls.reload_from_config(std::sync::Arc::new(only_http1));
            let mut server = axum_server::from_tcp_rustls(listener, tls)?.http1_only();
            server
                .http_builder()
                .http1()
                .header_read_timeout(header_read_timeout);
            server.handle(handle).serve(service).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)?.http1_only();
            server
                .http_builder()
                .http1()
                .header_read_timeout(header_read_timeout);
            server.handle(handle).serve(service).await
        }
    }
}

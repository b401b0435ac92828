//! Settings fixed at start-up, shared by every layer (no HTTP types here).

use std::path::PathBuf;
use std::time::Duration;

/// The names of the loopback interface a `Host` header may use.
pub const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// 12-digit account id used in ARNs and event envelopes.
    pub account_id: String,
    /// Region used in ARNs and event envelopes.
    pub region: String,
    /// Where the built single-page app (`index.html` + assets) served at `/` comes from.
    pub web: WebSource,
    /// Origins allowed to call the API from a browser (CORS); empty: same origin only.
    pub cors_origins: Vec<String>,
    /// Interval between SSE keep-alive comments.
    pub keep_alive: Duration,
    /// Networks outbound requests may reach although the SSRF guard forbids them.
    pub outbound_allow: Vec<ipnet::IpNet>,
    /// First wait before a crashed background worker is restarted; doubles per crash up
    /// to [`ServerConfig::worker_backoff_max`].
    pub worker_backoff: Duration,
    /// Longest wait before restarting a crashed worker.
    pub worker_backoff_max: Duration,
    /// How long a rule change waits for the matcher to compile it before answering
    /// `InternalException` (the rule is stored and applies once the matcher catches up).
    pub matcher_wait: Duration,
    /// Largest input a target may receive, in bytes (default 256 KiB, EventBridge's event
    /// size); a larger rendered input fails that delivery instead of being sent.
    pub max_target_input_bytes: usize,
    /// Most rules one event bus may hold (default 300, as EventBridge's default quota);
    /// PutRule beyond it answers `LimitExceededException`.
    pub max_rules_per_bus: usize,
    /// The key that seals access-key secrets (from `--key-file`; a fresh one by default, for
    /// databases that live only in memory). Its `Debug` output is redacted.
    pub server_key: crate::domain::keys::ServerKey,
    /// `--insecure-no-auth` (loopback only): a request without credentials is an anonymous
    /// admin. For local experiments; bad credentials are still refused.
    pub insecure_no_auth: bool,
    /// Host names (without ports) the `Host` header may carry: the loopback aliases by
    /// default, the listen address and every `--public-host`. Empty: no check.
    pub allowed_hosts: Vec<String>,
    /// Requests each access key may make per second, sustained (bursts of twice that);
    /// beyond it: `ThrottlingException`. 0 turns the limit off.
    pub rate_limit_per_key: u32,
    /// Most live streams (`/v1/stream`) open at once; one more answers 503 with the reason.
    pub max_streams: usize,
    /// The external addresses every link Tocsin sends is built from.
    pub links: Links,
    /// How long a connection may take to send a request's headers, and how long a kept-alive
    /// connection may sit idle between requests, before it is closed (default 10 s).
    pub header_read_timeout: Duration,
    /// `--enable-execute-script`: runbooks may run `aws:executeScript` steps (local Python;
    /// see `worker::effects` for what is and is not sandboxed). Off by default.
    pub execute_script: bool,
    /// How long a request body may take to arrive once its headers have (default 30 s); a
    /// slower one is refused (400, the protocol's validation error saying so) and nothing
    /// is written.
    pub body_read_timeout: Duration,
    /// Where email goes (`--smtp-url`, `--smtp-from`); `None`: email deliveries fail with a
    /// reason naming the missing setting.
    pub smtp: Option<Smtp>,
    /// Extra trusted roots for outbound HTTPS (`--outbound-ca-file`, PEM).
    pub outbound_roots_pem: Option<Vec<u8>>,
    /// Where `SMS` and `VOICE` contact channels are delivered (`--sms-gateway-url`): a POST
    /// of `{"type", "to", "subject", "message"}`; `None`: such channels are refused.
    pub sms_gateway_url: Option<String>,
    /// Hosts (`host` or `host:port`) SNS receivers trust besides AWS's SNS hosts
    /// (`--sns-cert-allow`).
    pub sns_cert_allow: Vec<String>,
    /// Regions whose `sns.<region>.amazonaws.com` SNS receivers trust (`--sns-region`).
    pub sns_regions: Vec<String>,
    /// How long stored rows are kept (`--retain-*`; see [`crate::worker::retention`]).
    pub retention: Retention,
    /// The token a Prometheus scraper may send to `GET /metrics` instead of a key
    /// (`--metrics-token`); `None`: only viewer keys read it.
    pub metrics_token: Option<ScrapeToken>,
    /// An external dead man's switch Tocsin GETs every `heartbeat_interval` while healthy
    /// (`--heartbeat-url`; see [`crate::worker::pulse`]).
    pub heartbeat_url: Option<SecretUrl>,
    /// How often (`--heartbeat-interval`, default 60 s).
    pub heartbeat_interval: Duration,
}

/// A URL that may carry a token: `Debug` shows only its scheme and host.
#[derive(Clone, PartialEq)]
pub struct SecretUrl(pub String);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(u) => write!(
                f,
                "SecretUrl({}://{}/…)",
                u.scheme(),
                u.host_str().unwrap_or("")
            ),
            Err(_) => f.write_str("SecretUrl(…)"),
        }
    }
}

/// A scrape token: compared in constant time, never shown by `Debug` or logged.
#[derive(Clone, PartialEq)]
pub struct ScrapeToken(String);

impl ScrapeToken {
    /// A token of at least 16 characters (a short one would be guessable).
    ///
    /// Errors: shorter than 16 characters, or holding whitespace.
    pub fn new(token: &str) -> Result<Self, String> {
        if token.len() < 16 || token.chars().any(char::is_whitespace) {
            return Err("--metrics-token must be at least 16 characters without spaces".into());
        }
        Ok(ScrapeToken(token.to_owned()))
    }

    /// Whether `presented` is this token (constant time).
    pub fn matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.0.as_bytes().ct_eq(presented.as_bytes()))
    }
}

impl std::fmt::Debug for ScrapeToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScrapeToken(…)")
    }
}

/// How long each kind of stored row is kept before the retention job deletes it.
/// `None`: kept for ever.
#[derive(Debug, Clone, PartialEq)]
pub struct Retention {
    /// Stored events (`--retain-events`, default 7 days). Archives keep their own.
    pub events: Option<Duration>,
    /// The change feed (`--retain-feed`, default 7 days): how far back a stream can
    /// resume and the app's time travel can reach.
    pub feed: Option<Duration>,
    /// Delivered deliveries (`--retain-deliveries`, default 7 days); dead letters stay.
    pub delivered: Option<Duration>,
    /// `clientToken` idempotency records (`--retain-client-tokens`, default 7 days): a
    /// retry with the same token within this window answers the first result.
    pub client_tokens: Option<Duration>,
    /// How often the job runs (`--retention-interval`, default 60 s).
    pub interval: Duration,
    /// Rows deleted per transaction (default 500), so ingest never waits long.
    pub batch: i64,
}

impl Default for Retention {
    fn default() -> Self {
        let week = Some(Duration::from_secs(7 * 86_400));
        Retention {
            events: week,
            feed: week,
            delivered: week,
            client_tokens: week,
            interval: Duration::from_secs(60),
            batch: 500,
        }
    }
}

impl Retention {
    /// The retention of `what`.
    pub fn of(&self, what: crate::store::Expiring) -> Option<Duration> {
        use crate::store::Expiring;
        match what {
            Expiring::Events => self.events,
            Expiring::Feed => self.feed,
            Expiring::Delivered => self.delivered,
            Expiring::ClientTokens => self.client_tokens,
        }
    }
}

/// The SMTP relay email goes through. Its URL may carry a password, so `Debug` shows only
/// the scheme, host and port.
#[derive(Clone, PartialEq, Eq)]
pub struct Smtp {
    /// `smtp://[user:password@]host[:port]` (add `?tls=required` for STARTTLS, or
    /// `?tls=opportunistic`) or `smtps://…` (TLS from the first byte), as lettre reads it.
    pub url: String,
    /// The `From` address.
    pub from: String,
}

impl Smtp {
    /// The URL without credentials or query, for logs and messages.
    pub fn shown(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(u) => format!(
                "{}://{}{}",
                u.scheme(),
                u.host_str().unwrap_or_default(),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            ),
            Err(_) => "(invalid SMTP URL)".into(),
        }
    }

    /// Checks the URL and address at start-up.
    ///
    /// Errors: a message naming `--smtp-url` or `--smtp-from`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("--smtp-url: {e}"))?;
        if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
            return Err("--smtp-url must be smtp://host[:port] or smtps://host[:port]".into());
        }
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("--smtp-from {from:?} is not an email address: {e}"))?;
        Ok(Self {
            url: url.to_owned(),
            from: from.to_owned(),
        })
    }
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("url", &self.shown())
            .field("from", &self.from)
            .finish()
    }
}

/// The external addresses of the API (`--public-url`) and the web app (`--app-url`, when it
/// is hosted elsewhere, e.g. on a CDN). Every link Tocsin sends (notifications, pages,
/// receiver snippets, start-up messages) is built here, never from a request's `Host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    api: String,
    app: String,
}

impl Links {
    /// Links for an API at `api` and an app at `app` (`None`: the app is served by the API).
    ///
    /// Errors: either is not an absolute `http`/`https` URL with a host, or has a query, a
    /// fragment or credentials; the message names the flag.
    pub fn new(api: &str, app: Option<&str>) -> Result<Self, String> {
        let api = Self::base(api, "--public-url")?;
        let app = match app {
            Some(app) => Self::base(app, "--app-url")?,
            None => api.clone(),
        };
        Ok(Links { api, app })
    }

    fn base(text: &str, flag: &str) -> Result<String, String> {
        let url = url::Url::parse(text).map_err(|e| format!("{flag} {text:?}: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "{flag} {text:?}: must be an http:// or https:// URL with a host"
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{flag} {text:?}: must not have a query or fragment"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("{flag} {text:?}: must not carry credentials"));
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    /// The API's base URL, without a trailing slash (e.g. `https://tocsin.example.com`): the
    /// `--endpoint-url` of AWS clients.
    pub fn api(&self) -> &str {
        &self.api
    }

    /// The web app's base URL, without a trailing slash.
    pub fn app(&self) -> &str {
        &self.app
    }

    /// The API's host name (without port), which the `Host` header may carry.
    pub fn api_host(&self) -> Option<String> {
        url::Url::parse(&self.api)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
    }

    /// The app's origin (`scheme://host[:port]`) when it is not the API's: a browser origin
    /// the API must allow (CORS).
    pub fn foreign_app_origin(&self) -> Option<String> {
        let origin = |t: &str| {
            url::Url::parse(t)
                .ok()
                .map(|u| u.origin().ascii_serialization())
        };
        let app = origin(&self.app)?;
        (Some(&app) != origin(&self.api).as_ref()).then_some(app)
    }

    /// A page of the app, `path` starting with `/`. An app hosted elsewhere is told where the
    /// API is with `api=` (which it only offers as a suggestion, never uses unconfirmed).
    pub fn app_page(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{path}", self.app);
        let mut pairs: Vec<(&str, &str)> = query.to_vec();
        if self.app != self.api {
            pairs.push(("api", &self.api));
        }
        if !pairs.is_empty() {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            url.push('?');
            url.push_str(&query);
        }
        url
    }

    /// The app's page of one incident record.
    pub fn incident(&self, arn: &str) -> String {
        self.app_page("/incident", &[("arn", arn)])
    }

    /// The app's wall screen.
    pub fn wall(&self) -> String {
        self.app_page("/wall", &[])
    }

    /// The app's sign-in page.
    pub fn sign_in(&self) -> String {
        self.app_page("/sign-in", &[])
    }
}

/// Where the single-page app's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebSource {
    /// A directory holding trunk's output (`dist/`), read on every request.
    Dir(PathBuf),
    /// The copy of `dist/` compiled into the binary (cargo feature `embed-web`).
    Embedded,
}

impl WebSource {
    /// `--web-dir` when given (development, or an app hosted elsewhere); otherwise the app
    /// compiled into the binary when there is one; otherwise `dist` in the working directory.
    pub fn choose(web_dir: Option<PathBuf>) -> Self {
        match web_dir {
            Some(dir) => Self::Dir(dir),
            None if cfg!(feature = "embed-web") => Self::Embedded,
            None => Self::Dir(PathBuf::from("dist")),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            web: WebSource::Dir(PathBuf::from("dist")),
            cors_origins: Vec::new(),
            keep_alive: Duration::from_secs(15),
            outbound_allow: Vec::new(),
            worker_backoff: Duration::from_secs(1),
            worker_backoff_max: Duration::from_secs(60),
            matcher_wait: Duration::from_secs(10),
            max_target_input_bytes: 256 * 1024,
            max_rules_per_bus: 300,
            server_key: crate::domain::keys::ServerKey::generate(),
            insecure_no_auth: false,
            allowed_hosts: LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            rate_limit_per_key: 200,
            max_streams: 10000,
            links: Links {
                api: "http://127.0.0.1:8787".into(),
                app: "http://127.0.0.1:8787".into(),
            },
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            execute_script: false,
            smtp: None,
            outbound_roots_pem: None,
            sms_gateway_url: None,
            sns_cert_allow: Vec::new(),
            sns_regions: vec!["us-east-1".into()],
            retention: Retention::default(),
            metrics_token: None,
            heartbeat_url: None,
            heartbeat_interval: Duration::from_secs(60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Links;

    #[test]
    fn links_are_built_from_the_configured_urls_only() {
        let here = Links::new("https://tocsin.example.com/", None).unwrap();
        assert_eq!(here.api(), "https://tocsin.example.com");
        assert_eq!(here.wall(), "https://tocsin.example.com/wall");
        assert_eq!(
            here.incident("arn:aws:ssm-incidents::1:incident-record/p/x y"),
            "https://tocsin.example.com/incident?arn=arn%3Aaws%3Assm-incidents%3A%3A1%3Aincident-record%2Fp%2Fx+y"
        );
        assert_eq!(here.foreign_app_origin(), None);
        assert_eq!(here.api_host().as_deref(), Some("tocsin.example.com"));
        let cdn = Links::new(
            "https://api.example.com:8443",
            Some("https://wall.example.net/app/"),
        )
        .unwrap();
        assert_eq!(
            cdn.foreign_app_origin().as_deref(),
            Some("https://wall.example.net")
        );
        assert_eq!(
            cdn.sign_in(),
            "https://wall.example.net/app/sign-in?api=https%3A%2F%2Fapi.example.com%3A8443"
        );
        for bad in [
            "tocsin.example.com",
            "ftp://x.example",
            "https://x.example/?a=1",
            "https://x.example/#f",
            "https://u:p@x.example",
            "file:///etc/passwd",
        ] {
            let err = Links::new(bad, None).unwrap_err();
            assert!(err.contains("--public-url"), "{bad}: {err}");
        }
        assert!(
            Links::new("https://a.example", Some("nope"))
                .unwrap_err()
                .contains("--app-url")
        );
    }
}

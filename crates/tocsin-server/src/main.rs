//! `tocsin`: the binary. Parses flags, sets up logging and runs the chosen command.

use clap::Parser;
use tocsin_server::cli::{Cli, Command, PatternCommand, ServeArgs};
use tocsin_server::domain::keys;
use tocsin_server::keys_cli;
use tocsin_server::{AppState, ServerConfig};
use tracing_subscriber::EnvFilter;

/// jemalloc (`tikv-jemallocator`, TiKV's build of it, with its background purge thread)
/// instead of glibc's malloc: with glibc, a fifth of ingest's CPU went to `malloc`/`free`,
/// arena locks and `malloc_consolidate`, and the requests' buffers freed on the ingest
/// writer's thread contended for the arenas they came from. jemalloc's per-thread caches
/// and its purging of unused pages after 10 s (on its own thread, off the requests' path)
/// kept the hour-long soak's memory flat; mimalloc, tried before, did not
/// (`docs/benchmarks.md`). SQLite still allocates with the C library's malloc.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => match serve(*args).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(err) => {
                tracing::error!("{err}");
                eprintln!("tocsin: {err}");
                std::process::ExitCode::FAILURE
            }
        },
        Command::Receivers(args) => {
            init_logging("text");
            match keys_cli::run_receivers(&args).await {
                Ok(out) => {
                    println!("{out}");
                    std::process::ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("tocsin receivers: {err}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Command::Keys(args) => {
            init_logging("text");
            match keys_cli::run(&args.store, args.command).await {
                Ok(out) => {
                    println!("{out}");
                    std::process::ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("tocsin keys: {err}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Command::Backup(args) => {
            let out = tocsin_server::backup::backup(
                &args.store.database_url,
                args.store.key_file.as_deref(),
                &args.to,
            )
            .await;
            report("backup", out)
        }
        Command::Migrate(args) => {
            let out = tocsin_server::store::migrate(&args.store.database_url).await;
            report("migrate", out)
        }
        Command::Export(args) => {
            let out = tocsin_server::transfer::export(
                &args.store.database_url,
                args.store.key_file.as_deref(),
                &args.to,
            )
            .await;
            report("export", out)
        }
        Command::Import(args) => {
            let out = tocsin_server::transfer::import(
                &args.store.database_url,
                args.store.key_file.as_deref(),
                &args.from,
            )
            .await;
            report("import", out)
        }
        Command::Restore(args) => {
            let out = tocsin_server::backup::restore(
                &args.store.database_url,
                args.store.key_file.as_deref(),
                &args.from,
                args.force,
            )
            .await;
            report("restore", out)
        }
        Command::Audit(args) => {
            init_logging("text");
            match keys_cli::run_audit(&args.store, args.command).await {
                Ok(out) => {
                    println!("{out}");
                    std::process::ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("tocsin audit: {err}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Command::Pattern(PatternCommand::Test { pattern, event }) => {
            let (code, message) = tocsin_server::pattern_cli::test(&pattern, &event);
            if code == 2 {
                eprintln!("{message}");
            } else {
                println!("{message}");
            }
            std::process::ExitCode::from(code)
        }
    }
}

/// Raises the open-file soft limit to the hard limit (each live stream and each
/// connection is a descriptor; the usual soft default of 1,024 would refuse thousands of
/// streams) and logs the value.
fn raise_open_file_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => tracing::info!(from = soft, to = hard, "raised the open-file limit"),
            Err(err) => tracing::warn!(%err, soft, hard, "could not raise the open-file limit"),
        },
        Ok((soft, _)) => tracing::info!(limit = soft, "open-file limit"),
        Err(err) => tracing::warn!(%err, "could not read the open-file limit"),
    }
}

/// Prints a command's line, or its error (exit 1).
fn report(command: &str, out: Result<String, String>) -> std::process::ExitCode {
    match out {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("tocsin {command}: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    init_logging(&args.log_format);
    raise_open_file_limit();
    if args.account_id.len() != 12 || !args.account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("--account-id must be 12 digits, got {:?}", args.account_id).into());
    }
    if args.insecure_no_auth {
        if !args.listen.ip().is_loopback() {
            return Err(format!(
                "--insecure-no-auth is refused on {}: it is only for a loopback --listen address (127.0.0.1, [::1])",
                args.listen
            )
            .into());
        }
        tracing::warn!(
            "--insecure-no-auth: requests without credentials act as an admin; for local experiments only"
        );
    }
    let ip = args.listen.ip();
    if ip.is_unspecified() && args.public_hosts.is_empty() && args.public_url.is_none() {
        return Err(format!(
            "--listen {} accepts connections on every interface: name the host clients use with --public-host or --public-url (checked against the Host header)",
            args.listen
        )
        .into());
    }
    let mut allowed_hosts: Vec<String> = args.public_hosts.clone();
    if ip.is_loopback() || ip.is_unspecified() {
        allowed_hosts.extend(
            tocsin_server::config::LOOPBACK_HOSTS
                .iter()
                .map(|h| (*h).to_owned()),
        );
    }
    if !ip.is_unspecified() {
        allowed_hosts.push(match ip {
            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
            v4 => v4.to_string(),
        });
    }
    let tls = args.tls_cert.is_some();
    let listener = std::net::TcpListener::bind(args.listen)?;
    let addr = listener.local_addr()?;
    let default_api = format!(
        "{}://{}",
        if tls { "https" } else { "http" },
        if ip.is_unspecified() {
            let host = args
                .public_hosts
                .first()
                .map_or("localhost", String::as_str);
            format!("{host}:{}", addr.port())
        } else {
            addr.to_string()
        }
    );
    let links = tocsin_server::config::Links::new(
        args.public_url.as_deref().unwrap_or(&default_api),
        args.app_url.as_deref(),
    )?;
    if let Some(host) = links.api_host() {
        allowed_hosts.push(host);
    }
    let mut cors_origins = args.cors_origins.clone();
    cors_origins.extend(links.foreign_app_origin());
    let store = tocsin_server::store::open(&args.database_url).await?;
    let database_file = tocsin_server::store::sqlite_path(&args.database_url);
    let server_key = match (&args.key_file, &database_file) {
        (None, None) if args.database_url.contains(":memory:") => keys::ServerKey::generate(),
        (key_file, _) => {
            let path = keys_cli::key_file(&args.database_url, key_file.as_deref())?;
            keys::open_server_key(store.as_ref(), &path).await?
        }
    };
    bootstrap_admin_key(
        store.as_ref(),
        &server_key,
        args.bootstrap_credentials_file
            .clone()
            .or_else(|| database_file.map(|db| keys_cli::beside(&db, "admin-credentials"))),
    )
    .await?;
    let smtp = match &args.smtp_url {
        Some(url) => {
            let from = args.smtp_from.clone().unwrap_or_else(|| {
                format!(
                    "tocsin@{}",
                    links
                        .api_host()
                        .filter(|h| h.contains('.') && !h.starts_with('['))
                        .unwrap_or_else(|| "localhost.localdomain".into())
                )
            });
            Some(tocsin_server::config::Smtp::new(url, &from)?)
        }
        None => None,
    };
    let outbound_roots_pem = match &args.outbound_ca_file {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| format!("--outbound-ca-file {}: {e}", path.display()))?;
            match reqwest::Certificate::from_pem_bundle(&pem) {
                Ok(certs) if !certs.is_empty() => Some(pem),
                _ => {
                    return Err(format!(
                        "--outbound-ca-file {}: no PEM certificate in it",
                        path.display()
                    )
                    .into());
                }
            }
        }
        None => None,
    };
    if let Some(url) = &args.sms_gateway_url {
        let ok = url::Url::parse(url)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .unwrap_or(false);
        if !ok {
            return Err("--sms-gateway-url must be an http(s) URL with a host".into());
        }
    }
    let sns_regions = if args.sns_regions.is_empty() {
        vec![args.region.clone()]
    } else {
        args.sns_regions.clone()
    };
    let config = ServerConfig {
        sns_cert_allow: args.sns_cert_allow.clone(),
        sns_regions,
        sms_gateway_url: args.sms_gateway_url.clone(),
        smtp,
        outbound_roots_pem,
        account_id: args.account_id,
        region: args.region,
        web: tocsin_server::config::WebSource::choose(args.web_dir),
        cors_origins,
        keep_alive: std::time::Duration::from_secs(args.keep_alive_secs.max(1)),
        outbound_allow: args.outbound_allow,
        max_target_input_bytes: args.max_target_input_bytes.max(1),
        max_rules_per_bus: args.max_rules_per_bus,
        server_key,
        insecure_no_auth: args.insecure_no_auth,
        allowed_hosts,
        rate_limit_per_key: args.rate_limit_per_key,
        max_streams: args.max_streams.max(1),
        links,
        execute_script: args.enable_execute_script,
        header_read_timeout: std::time::Duration::from_secs(args.header_read_timeout_secs.max(1)),
        body_read_timeout: std::time::Duration::from_secs(args.body_read_timeout_secs.max(1)),
        heartbeat_url: match &args.heartbeat_url {
            Some(u) => {
                let parsed = url::Url::parse(u)
                    .map_err(|_| "--heartbeat-url must be an http(s) URL".to_owned())?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                    return Err("--heartbeat-url must be an http(s) URL with a host".into());
                }
                Some(tocsin_server::config::SecretUrl(u.clone()))
            }
            None => None,
        },
        heartbeat_interval: args.heartbeat_interval,
        metrics_token: match &args.metrics_token {
            Some(t) => Some(tocsin_server::config::ScrapeToken::new(t)?),
            None => None,
        },
        retention: tocsin_server::config::Retention {
            events: args.retain_events,
            feed: args.retain_feed,
            delivered: args.retain_deliveries,
            client_tokens: args.retain_client_tokens,
            interval: args.retention_interval,
            ..Default::default()
        },
        ..ServerConfig::default()
    };
    let (state, stop_streams) = AppState::new(store, config).await?;
    if args.seed_example {
        if tocsin_server::domain::seed::seed_example(state.store.as_ref(), &state.config).await? {
            // Serve only once the matcher has compiled the example rule.
            let position = state.store.latest_change_id().await?;
            state.await_matcher(Some(position)).await?;
            tracing::info!(
                plan = tocsin_server::domain::seed::EXAMPLE_NAME,
                "seeded the example response plan and rule"
            );
        } else {
            tracing::info!("database not empty: example not seeded");
        }
    }
    let scheme = if tls { "https" } else { "http" };
    tracing::info!(%addr, database = %tocsin_server::store::redact_url(&args.database_url), "tocsin listening on {scheme}://{addr}/");
    tracing::info!(app = %state.config.links.app(), api = %state.config.links.api(), "links Tocsin sends point here");
    match &state.config.web {
        tocsin_server::config::WebSource::Dir(dir) => {
            tracing::info!(web_dir = %dir.display(), "serving the web app from a directory")
        }
        tocsin_server::config::WebSource::Embedded => {
            tracing::info!("serving the web app compiled into this binary")
        }
    }
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(tocsin_server::TlsFiles { cert, key }),
        _ => None,
    };
    tocsin_server::serve(listener, state, stop_streams, shutdown_signal(), tls).await?;
    tracing::info!("stopped");
    Ok(())
}

/// On a database that never had a key: mints the admin key and writes it, in AWS
/// shared-credentials format (profile `[tocsin]`, mode 0600), to `credentials_file`. The key
/// is committed only once the file is written, so a failed write mints nothing. Logs where
/// the file is, never the secret.
async fn bootstrap_admin_key(
    store: &dyn tocsin_server::store::Store,
    server_key: &keys::ServerKey,
    credentials_file: Option<std::path::PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut tx = store.write().await?;
    let Some(key) = keys::bootstrap(tx.as_mut(), server_key, tocsin_server::clock::now()).await?
    else {
        return Ok(());
    };
    let Some(path) = credentials_file else {
        tracing::warn!(
            "no --bootstrap-credentials-file: no admin key minted; create one with `tocsin keys create`"
        );
        return Ok(());
    };
    tocsin_server::files::write_private(&path, &keys::credentials_file_text(&key)).map_err(
        |e| {
            format!(
                "cannot write the admin credentials to {}: {e}",
                path.display()
            )
        },
    )?;
    tx.commit().await?;
    tracing::info!(
        access_key_id = %key.access_key_id,
        credentials_file = %path.display(),
        "first start: created the admin access key; its secret is in the credentials file (profile [{}])",
        keys::CREDENTIALS_PROFILE
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

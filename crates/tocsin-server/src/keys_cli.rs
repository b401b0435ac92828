//! `tocsin keys` (create, list, disable, enable and delete access keys) and `tocsin
//! receivers` (create, list and delete receivers) from the command line, on the same
//! database and key file as `tocsin serve` (safe while it runs: every change is one store
//! transaction, recorded in the audit log).

use std::path::{Path, PathBuf};

use tocsin_api::auth::Role;

use crate::cli::{KeysCommand, OutputFormat, StoreArgs};
use crate::clock;
use crate::domain::{audit, keys};

/// The key file `args` name, or `server.key` beside the SQLite file.
///
/// Errors: no `--key-file` with a database that is not a SQLite file.
pub fn key_file(database_url: &str, key_file: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = key_file {
        return Ok(path.to_owned());
    }
    crate::store::sqlite_path(database_url)
        .map(|db| beside(&db, "server.key"))
        .ok_or_else(|| {
            format!(
                "--key-file is required with {}",
                crate::store::redact_url(database_url)
            )
        })
}

/// `name` in the directory of `file`.
pub fn beside(file: &Path, name: &str) -> PathBuf {
    file.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from(name), |d| d.join(name))
}

/// Opens the database and its server key, as `serve` would.
async fn open(
    store_args: &StoreArgs,
) -> Result<(std::sync::Arc<dyn crate::store::Store>, keys::ServerKey), String> {
    let store = crate::store::open(&store_args.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let path = key_file(&store_args.database_url, store_args.key_file.as_deref())?;
    let server_key = keys::open_server_key(store.as_ref(), &path)
        .await
        .map_err(|e| e.to_string())?;
    Ok((store, server_key))
}

/// Appends a local (command-line) change to the audit log, if there was one, and commits.
async fn commit_with_audit(
    mut tx: Box<dyn crate::store::StoreTx>,
    server_key: &keys::ServerKey,
    change: Option<(&str, String)>,
) -> Result<(), String> {
    if let Some((operation, resource)) = change {
        audit::append(
            tx.as_mut(),
            server_key,
            audit::NewEntry {
                principal: audit::LOCAL_PRINCIPAL.into(),
                role: Role::Admin,
                operation: operation.into(),
                resource,
                source_address: String::new(),
                result: "success".into(),
            },
            clock::now(),
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())
}

/// Runs a `tocsin keys` command; returns what to print on success.
///
/// Errors: the message to print (exit status 1).
pub async fn run(store_args: &StoreArgs, command: KeysCommand) -> Result<String, String> {
    let (store, server_key) = open(store_args).await?;
    let mut tx = store.write().await.map_err(|e| e.to_string())?;
    // What to record in the audit log: (operation, resource) for changes.
    let (out, change) = match command {
        KeysCommand::Create { name, role, output } => {
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role {role}"))?;
            let key = keys::create_key(tx.as_mut(), &server_key, &name, role, clock::now())
                .await
                .map_err(|e| e.to_string())?;
            let out = match output {
                OutputFormat::Json => {
                    serde_json::to_string_pretty(&key).map_err(|e| e.to_string())?
                }
                OutputFormat::Text => format!(
                    "Access key created. The secret is shown this once; store it now.\n  name:              {}\n  role:              {}\n  access key id:     {}\n  secret access key: {}",
                    key.name, key.role, key.access_key_id, key.secret_access_key
                ),
            };
            (out, Some(("CreateKey", key.access_key_id)))
        }
        KeysCommand::List { output } => {
            let list = keys::list_keys(tx.as_mut())
                .await
                .map_err(|e| e.to_string())?;
            let out = match output {
                OutputFormat::Json => {
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
                }
                OutputFormat::Text => {
                    let mut text = format!(
                        "{:<20}  {:<9}  {:<8}  {:<20}  {:<20}  name",
                        "access key id", "role", "state", "created", "last used"
                    );
                    for k in &list {
                        text.push_str(&format!(
                            "\n{:<20}  {:<9}  {:<8}  {:<20}  {:<20}  {}",
                            k.access_key_id,
                            k.role.as_str(),
                            if k.enabled { "enabled" } else { "disabled" },
                            clock::rfc3339(k.created_at),
                            k.last_used_at
                                .map_or_else(|| "never".to_owned(), clock::rfc3339),
                            k.name
                        ));
                    }
                    text
                }
            };
            (out, None)
        }
        KeysCommand::Disable { id } => {
            keys::set_key_enabled(tx.as_mut(), &id, false)
                .await
                .map_err(|e| e.to_string())?;
            (
                format!("Access key {id} disabled."),
                Some(("DisableKey", id)),
            )
        }
        KeysCommand::Enable { id } => {
            keys::set_key_enabled(tx.as_mut(), &id, true)
                .await
                .map_err(|e| e.to_string())?;
            (format!("Access key {id} enabled."), Some(("EnableKey", id)))
        }
        KeysCommand::Delete { id } => {
            keys::delete_key(tx.as_mut(), &id)
                .await
                .map_err(|e| e.to_string())?;
            (format!("Access key {id} deleted."), Some(("DeleteKey", id)))
        }
    };
    commit_with_audit(tx, &server_key, change).await?;
    Ok(out)
}

/// Runs a `tocsin receivers` command; returns what to print on success.
///
/// Errors: the message to print (exit status 1).
pub async fn run_receivers(args: &crate::cli::ReceiversArgs) -> Result<String, String> {
    use crate::cli::ReceiversCommand;
    use crate::domain::receivers;
    let (store, server_key) = open(&args.store).await?;
    let config = crate::config::ServerConfig {
        links: crate::config::Links::new(&args.public_url, None)?,
        server_key: server_key.clone(),
        ..Default::default()
    };
    let mut tx = store.write().await.map_err(|e| e.to_string())?;
    let local = crate::domain::identity::Caller {
        principal: audit::LOCAL_PRINCIPAL.into(),
        role: Role::Admin,
        access_key_id: String::new(),
        name: "local".into(),
        source_address: String::new(),
    };
    let (out, change) = match &args.command {
        ReceiversCommand::Create {
            kind,
            name,
            bus,
            output,
        } => {
            let kind = tocsin_api::receivers::ReceiverKind::parse(kind)
                .ok_or_else(|| format!("unknown kind {kind}"))?;
            let bus = crate::domain::buses::resolve(tx.as_mut(), Some(bus))
                .await
                .map_err(|e| e.to_string())?;
            let req = tocsin_api::receivers::CreateReceiver {
                name: name.clone(),
                kind,
                event_bus_name: None,
                settings: None,
            };
            let created = receivers::create(tx.as_mut(), &config, &local, req, bus, clock::now())
                .await
                .map_err(|e| e.to_string())?;
            let out = match output {
                OutputFormat::Json => serde_json::to_string_pretty(&serde_json::json!({
                    "name": created.name,
                    "kind": created.kind,
                    "secret": created.secret,
                    "url": created.url,
                }))
                .map_err(|e| e.to_string())?,
                OutputFormat::Text => {
                    let mut text = format!(
                        "Receiver created. The secret is shown this once; store it now.\n  name:   {}\n  kind:   {}\n  url:    {}\n  secret: {}\n",
                        created.name, created.kind, created.url, created.secret
                    );
                    for snippet in &created.receiver.snippets {
                        text.push_str(&format!("\n# {}\n{}\n", snippet.title, snippet.text));
                    }
                    text
                }
            };
            (out, Some(("CreateReceiver", format!("receiver/{name}"))))
        }
        ReceiversCommand::List { output } => {
            let list = receivers::list(tx.as_mut(), &config)
                .await
                .map_err(|e| e.to_string())?;
            let out = match output {
                OutputFormat::Json => {
                    serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
                }
                OutputFormat::Text => {
                    let mut text = format!(
                        "{:<24}  {:<12}  {:>7}  {:>7}  {:<20}  url",
                        "name", "kind", "events", "errors", "last event"
                    );
                    for r in &list {
                        text.push_str(&format!(
                            "\n{:<24}  {:<12}  {:>7}  {:>7}  {:<20}  {}",
                            r.name,
                            r.kind,
                            r.event_count,
                            r.error_count,
                            r.last_event_at
                                .map_or_else(|| "never".to_owned(), clock::rfc3339),
                            r.url
                        ));
                    }
                    text
                }
            };
            (out, None)
        }
        ReceiversCommand::Delete { name } => {
            receivers::delete(tx.as_mut(), name)
                .await
                .map_err(|e| e.to_string())?;
            (
                format!("Receiver {name} deleted."),
                Some(("DeleteReceiver", format!("receiver/{name}"))),
            )
        }
    };
    commit_with_audit(tx, &server_key, change).await?;
    Ok(out)
}

/// Runs a `tocsin audit` command; returns what to print on success.
///
/// Errors: the message to print (exit status 1), e.g. where the chain breaks.
pub async fn run_audit(
    store_args: &StoreArgs,
    command: crate::cli::AuditCommand,
) -> Result<String, String> {
    let (store, server_key) = open(store_args).await?;
    match command {
        crate::cli::AuditCommand::Verify => {
            let n = audit::verify(store.as_ref(), &server_key)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("The audit log is intact: {n} entries verified."))
        }
        crate::cli::AuditCommand::Export => {
            let mut lines = Vec::new();
            let mut after = 0;
            loop {
                let mut tx = store.read().await.map_err(|e| e.to_string())?;
                let batch = tx
                    .audit_rows(after, 1000)
                    .await
                    .map_err(|e| e.to_string())?;
                if batch.is_empty() {
                    break;
                }
                for (entry, _) in batch {
                    after = entry.seq;
                    lines.push(serde_json::to_string(&entry).map_err(|e| e.to_string())?);
                }
            }
            Ok(lines.join("\n"))
        }
    }
}

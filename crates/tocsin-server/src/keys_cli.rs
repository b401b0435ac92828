//! `tocsin keys`: create, list, disable, enable and delete access keys from the command
//! line, on the same database and key file as `tocsin serve` (safe while it runs: every
//! change is one store transaction).

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
        .ok_or_else(|| format!("--key-file is required with {database_url}"))
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
    if let Some((operation, resource)) = change {
        audit::append(
            tx.as_mut(),
            &server_key,
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
    tx.commit().await.map_err(|e| e.to_string())?;
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

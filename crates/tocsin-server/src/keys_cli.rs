//! `tocsin keys`: create, list, disable, enable and delete access keys from the command
//! line, on the same database and key file as `tocsin serve` (safe while it runs: every
//! change is one store transaction).

use std::path::{Path, PathBuf};

use tocsin_api::auth::Role;

use crate::cli::{KeysCommand, OutputFormat, StoreArgs};
use crate::clock;
use crate::domain::keys;

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

/// Runs a `tocsin keys` command; returns what to print on success.
///
/// Errors: the message to print (exit status 1).
pub async fn run(store_args: &StoreArgs, command: KeysCommand) -> Result<String, String> {
    let store = crate::store::open(&store_args.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let path = key_file(&store_args.database_url, store_args.key_file.as_deref())?;
    let server_key = keys::open_server_key(store.as_ref(), &path)
        .await
        .map_err(|e| format!("{e}"))?;
    let mut tx = store.write().await.map_err(|e| e.to_string())?;
    let out = match command {
        KeysCommand::Create { name, role, output } => {
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role {role}"))?;
            let key = keys::create_key(tx.as_mut(), &server_key, &name, role, clock::now())
                .await
                .map_err(|e| e.to_string())?;
            match output {
                OutputFormat::Json => {
                    serde_json::to_string_pretty(&key).map_err(|e| e.to_string())?
                }
                OutputFormat::Text => format!(
                    "Access key created. The secret is shown this once; store it now.\n  name:              {}\n  role:              {}\n  access key id:     {}\n  secret access key: {}",
                    key.name, key.role, key.access_key_id, key.secret_access_key
                ),
            }
        }
        KeysCommand::List { output } => {
            let list = keys::list_keys(tx.as_mut())
                .await
                .map_err(|e| e.to_string())?;
            match output {
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
            }
        }
        KeysCommand::Disable { id } => {
            keys::set_key_enabled(tx.as_mut(), &id, false)
                .await
                .map_err(|e| e.to_string())?;
            format!("Access key {id} disabled.")
        }
        KeysCommand::Enable { id } => {
            keys::set_key_enabled(tx.as_mut(), &id, true)
                .await
                .map_err(|e| e.to_string())?;
            format!("Access key {id} enabled.")
        }
        KeysCommand::Delete { id } => {
            keys::delete_key(tx.as_mut(), &id)
                .await
                .map_err(|e| e.to_string())?;
            format!("Access key {id} deleted.")
        }
    };
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(out)
}

//! Access keys: who may call Tocsin, with what role, and the server key that keeps their
//! secrets sealed.
//!
//! A key has an id (20 upper-case letters and digits, AWS style), a 40-character secret, a
//! name and a role. The secret is sealed with XChaCha20-Poly1305 under the **server key**, a
//! 32-byte key kept outside the database (`--key-file`, mode 0600), with the key id as
//! associated data, so a copied database reveals no secret and a sealed secret cannot be
//! moved to another id. The database keeps a check value of the server key, so starting
//! with the wrong key file fails at once. On a database that never had a key, the first
//! start mints one admin key ([`bootstrap`]); deleting every key later does not mint another.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload, rand_core::RngCore};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tocsin_api::auth::{AccessKey, NewAccessKey, Role};
use tocsin_api::native::Change;

use crate::domain::error::{ApiError, ApiResult};
use crate::store::{StoreTx, StoredKey};

/// `server_meta` entry: set once the database has had a key.
const HAS_HAD_KEY: &str = "has_had_key";
/// `server_meta` entry: the server key's check value.
const KEY_CHECK: &str = "server_key_check";
/// Name of the key minted on first start.
pub const BOOTSTRAP_KEY_NAME: &str = "admin";
/// Profile of the credentials file written on first start.
pub const CREDENTIALS_PROFILE: &str = "tocsin";

/// The 32-byte key that seals access-key secrets (and, later, keys the audit chain).
/// Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(redacted)")
    }
}

impl ServerKey {
    /// A fresh random key (for a database that lives only in memory).
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        ServerKey(key)
    }

    /// Reads the key file at `path` (64 hex digits), creating it with a fresh key and mode
    /// 0600 if it does not exist (and its directory). Returns the key and whether it was
    /// created.
    ///
    /// Errors: the file cannot be read or created, or does not hold 64 hex digits.
    pub fn load_or_create(path: &Path) -> std::io::Result<(Self, bool)> {
        if path.exists() {
            return Self::load(path).map(|k| (k, false));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let key = Self::generate();
        let mut file = crate::files::private_file(path)?;
        writeln!(file, "{}", hex::encode(key.0))?;
        file.sync_all()?;
        Ok((key, true))
    }

    /// Reads the key file at `path`.
    ///
    /// Errors: the file cannot be read or does not hold 64 hex digits.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        let bytes = hex::decode(text.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{} does not hold a server key (64 hex digits)",
                        path.display()
                    ),
                )
            })?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(ServerKey(key))
    }

    /// HMAC-SHA256 of `data` under the server key.
    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// The value stored in the database to recognise this key.
    fn check_value(&self) -> String {
        hex::encode(self.mac(b"tocsin server key check v1"))
    }

    /// Seals `secret` (XChaCha20-Poly1305, a fresh nonce) bound to `context` (associated
    /// data: an access key id, an outbound webhook's name): returns (nonce, ciphertext).
    ///
    /// Errors: the cipher failed (internal).
    pub fn seal(&self, context: &str, secret: &str) -> ApiResult<(Vec<u8>, Vec<u8>)> {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| ApiError::Internal("sealing a secret failed".into()))?;
        Ok((nonce.to_vec(), sealed))
    }

    /// Opens what [`ServerKey::seal`] sealed for the same `context`; `None` when the
    /// ciphertext, nonce or context do not match (or another server key sealed it).
    pub fn open(&self, context: &str, nonce: &[u8], sealed: &[u8]) -> Option<String> {
        if nonce.len() != 24 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

fn random_chars(n: usize, alphabet: &[u8]) -> String {
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        OsRng.fill_bytes(&mut buf);
        for b in buf {
            if (b as usize) < limit && out.len() < n {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

/// `n` random decimal digits (a code a person types: activation and accept codes).
pub fn random_digits(n: usize) -> String {
    random_chars(n, b"0123456789")
}

/// `n` random lower-case hex characters (an unguessable token in a link).
pub fn random_hex(n: usize) -> String {
    random_chars(n, b"0123456789abcdef")
}

/// A new access key id: `TOCS` and 16 characters of `A-Z2-7`, 20 in all.
pub fn new_access_key_id() -> String {
    format!(
        "TOCS{}",
        random_chars(16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    )
}

/// A new 40-character secret of letters and digits (about 238 bits).
pub fn new_secret() -> String {
    random_chars(
        40,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    )
}

/// The principal ARN of the key named `name`: `arn:aws:iam::<account>:user/<name>`.
pub fn principal(account_id: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:user/{name}")
}

/// Checks that `key` is the server key this database was set up with, recording it on a
/// database that has none yet.
///
/// Errors: `InternalServerException` naming the mismatch (the wrong `--key-file`).
pub async fn check_server_key(tx: &mut dyn StoreTx, key: &ServerKey) -> ApiResult<()> {
    match tx.meta(KEY_CHECK).await? {
        Some(stored) if stored == key.check_value() => Ok(()),
        Some(_) => Err(ApiError::Internal(
            "the server key file does not belong to this database (its secrets were sealed with another key); use the --key-file this database was created with".into(),
        )),
        None => {
            tx.set_meta(KEY_CHECK, &key.check_value()).await?;
            Ok(())
        }
    }
}

/// Opens the server key of the database behind `store` from `path`: reads the key file, or
/// creates it (mode 0600) when the database has no server key yet, then checks it against
/// the database's check value (recording it the first time).
///
/// Errors: `InternalServerException` when the database has a server key but `path` does not
/// exist, when `path` is unreadable or malformed, or when it holds another database's key.
pub async fn open_server_key(store: &dyn crate::store::Store, path: &Path) -> ApiResult<ServerKey> {
    let mut tx = store.write().await?;
    let key = if path.exists() {
        ServerKey::load(path).map_err(|e| ApiError::Internal(Box::new(e)))?
    } else if tx.meta(KEY_CHECK).await?.is_some() {
        return Err(ApiError::Internal(
            format!(
                "the database was set up with a server key, but the key file {} does not exist; point --key-file at it",
                path.display()
            )
            .into(),
        ));
    } else {
        let (key, _) =
            ServerKey::load_or_create(path).map_err(|e| ApiError::Internal(Box::new(e)))?;
        tracing::info!(key_file = %path.display(), "created the server key file");
        key
    };
    check_server_key(tx.as_mut(), &key).await?;
    tx.commit().await?;
    Ok(key)
}

/// Checks a key name: 1-64 characters of letters, digits and `+=,.@_-` (an IAM user name,
/// since it becomes the principal ARN).
fn validate_name(name: &str) -> ApiResult<()> {
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::Validation(format!(
            "Key name '{name}' is not valid: use 1-64 letters, digits and +=,.@_-"
        )))
    }
}

/// Creates a key with a fresh id and secret; returns it with the secret (shown once).
///
/// Errors: `ValidationException` for a bad name.
pub async fn create_key(
    tx: &mut dyn StoreTx,
    server_key: &ServerKey,
    name: &str,
    role: Role,
    now: f64,
) -> ApiResult<NewAccessKey> {
    validate_name(name)?;
    let access_key_id = new_access_key_id();
    let secret = new_secret();
    let (nonce, sealed) = server_key.seal(&access_key_id, &secret)?;
    tx.insert_key(&StoredKey {
        key: AccessKey {
            access_key_id: access_key_id.clone(),
            name: name.to_owned(),
            role,
            created_at: now,
            last_used_at: None,
            enabled: true,
        },
        nonce,
        sealed,
    })
    .await?;
    tx.set_meta(HAS_HAD_KEY, "true").await?;
    tx.append_change(&Change::AccessKeyChanged {
        access_key_id: access_key_id.clone(),
    })
    .await?;
    Ok(NewAccessKey {
        access_key_id,
        secret_access_key: secret,
        role,
        name: name.to_owned(),
    })
}

/// Every key, oldest first (never a secret).
pub async fn list_keys(tx: &mut dyn StoreTx) -> ApiResult<Vec<AccessKey>> {
    Ok(tx.keys().await?)
}

/// Enables or disables a key.
///
/// Errors: `ResourceNotFoundException`.
pub async fn set_key_enabled(
    tx: &mut dyn StoreTx,
    access_key_id: &str,
    enabled: bool,
) -> ApiResult<()> {
    if !tx.set_key_enabled(access_key_id, enabled).await? {
        return Err(ApiError::NotFound(format!(
            "Access key {access_key_id} does not exist."
        )));
    }
    tx.append_change(&Change::AccessKeyChanged {
        access_key_id: access_key_id.to_owned(),
    })
    .await?;
    Ok(())
}

/// Deletes a key.
///
/// Errors: `ResourceNotFoundException`.
pub async fn delete_key(tx: &mut dyn StoreTx, access_key_id: &str) -> ApiResult<()> {
    if !tx.delete_key(access_key_id).await? {
        return Err(ApiError::NotFound(format!(
            "Access key {access_key_id} does not exist."
        )));
    }
    tx.append_change(&Change::AccessKeyChanged {
        access_key_id: access_key_id.to_owned(),
    })
    .await?;
    Ok(())
}

/// How long a looked-up key is trusted without reading the database again. A key disabled
/// or deleted through this server's API is forgotten at once ([`KeyCache::forget`]); one
/// changed by another process (`tocsin keys disable`, another node) stops working within
/// this time.
pub const KEY_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Keys at most in a [`KeyCache`]; a full cache starts over.
const KEY_CACHE_MAX: usize = 10_000;

/// Enabled access keys with their unsealed secrets, by access key id, each for at most
/// [`KEY_CACHE_TTL`]: a busy sender's every request would otherwise cost a database read
/// (three round trips to SQLite's thread) before its signature is even checked. Unknown
/// and disabled ids are never cached, so they are refused from the database every time.
#[derive(Default)]
pub struct KeyCache {
    entries: std::sync::Mutex<
        std::collections::HashMap<
            String,
            (std::time::Instant, tocsin_api::auth::AccessKey, String),
        >,
    >,
}

impl KeyCache {
    /// The key and its secret, if looked up less than [`KEY_CACHE_TTL`] ago.
    pub fn get(&self, access_key_id: &str) -> Option<(tocsin_api::auth::AccessKey, String)> {
        let entries = self.entries.lock().ok()?;
        let (at, key, secret) = entries.get(access_key_id)?;
        (at.elapsed() < KEY_CACHE_TTL).then(|| (key.clone(), secret.clone()))
    }

    /// Remembers an enabled key and its secret (now).
    pub fn put(&self, key: &tocsin_api::auth::AccessKey, secret: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= KEY_CACHE_MAX {
                entries.clear();
            }
            entries.insert(
                key.access_key_id.clone(),
                (std::time::Instant::now(), key.clone(), secret.to_owned()),
            );
        }
    }

    /// Drops a key (after it was disabled, enabled or deleted here), so the next request
    /// reads it from the database.
    pub fn forget(&self, access_key_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(access_key_id);
        }
    }
}

/// An enabled key with its secret unsealed, for checking a signature or a bearer token;
/// `None` for an unknown or disabled key.
///
/// Errors: `InternalServerException` when a stored secret does not open under the server
/// key (the database was tampered with or the key file replaced).
pub async fn key_with_secret(
    tx: &mut dyn StoreTx,
    server_key: &ServerKey,
    access_key_id: &str,
) -> ApiResult<Option<(AccessKey, String)>> {
    let Some(stored) = tx.key(access_key_id).await? else {
        return Ok(None);
    };
    if !stored.key.enabled {
        return Ok(None);
    }
    let secret = server_key
        .open(access_key_id, &stored.nonce, &stored.sealed)
        .ok_or_else(|| {
            ApiError::Internal(
                format!(
                    "the secret of access key {access_key_id} does not open under the server key"
                )
                .into(),
            )
        })?;
    Ok(Some((stored.key, secret)))
}

/// On a database that has never had a key, creates the admin key and returns it (with its
/// secret, to be written to the bootstrap credentials file); otherwise `None`.
pub async fn bootstrap(
    tx: &mut dyn StoreTx,
    server_key: &ServerKey,
    now: f64,
) -> ApiResult<Option<NewAccessKey>> {
    if tx.meta(HAS_HAD_KEY).await?.is_some() {
        return Ok(None);
    }
    create_key(tx, server_key, BOOTSTRAP_KEY_NAME, Role::Admin, now)
        .await
        .map(Some)
}

/// The key in AWS shared-credentials format, under the profile `[tocsin]`.
pub fn credentials_file_text(key: &NewAccessKey) -> String {
    format!(
        "# Tocsin access key '{}' (role {}). Use it with\n#   AWS_SHARED_CREDENTIALS_FILE=<this file> AWS_PROFILE={CREDENTIALS_PROFILE} aws ... --endpoint-url <tocsin URL>\n[{CREDENTIALS_PROFILE}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        key.name, key.role, key.access_key_id, key.secret_access_key
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_secrets_look_like_aws_ones() {
        let id = new_access_key_id();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("TOCS"));
        assert!(
            id.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        let secret = new_secret();
        assert_eq!(secret.len(), 40);
        assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(new_secret(), secret);
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_id() {
        let key = ServerKey::generate();
        let (nonce, sealed) = key.seal("TOCSAAAA", "s3cret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"s3cret"));
        assert_eq!(
            key.open("TOCSAAAA", &nonce, &sealed).as_deref(),
            Some("s3cret")
        );
        assert_eq!(
            key.open("TOCSBBBB", &nonce, &sealed),
            None,
            "bound to its id"
        );
        assert_eq!(
            ServerKey::generate().open("TOCSAAAA", &nonce, &sealed),
            None
        );
        let mut tampered = sealed.clone();
        tampered[0] ^= 1;
        assert_eq!(key.open("TOCSAAAA", &nonce, &tampered), None);
        assert_eq!(format!("{key:?}"), "ServerKey(redacted)");
    }

    #[test]
    fn key_files_are_private_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/server.key");
        let (key, created) = ServerKey::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let (again, created) = ServerKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(again.0, key.0);
        std::fs::write(dir.path().join("bad.key"), "not hex").unwrap();
        assert!(ServerKey::load(&dir.path().join("bad.key")).is_err());
    }
}

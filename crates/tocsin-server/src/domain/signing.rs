//! The key Tocsin signs SNS messages with, as Amazon SNS signs them (`SignatureVersion` 2:
//! RSA PKCS #1 v1.5 over SHA-256 of the message's canonical string), and the self-signed
//! X.509 certificate that carries its public key, served at the messages'
//! `SigningCertURL` (`GET /v1/sns/signing-cert.pem`) so a receiver that verifies SNS
//! messages verifies Tocsin's the same way.
//!
//! One 2048-bit key per database, made the first time it is needed (key generation takes a
//! moment, so never inside a write transaction) and stored in the database's metadata with
//! the private key sealed by the server key. Crates: `rsa` generates the key (ring cannot),
//! `ring` signs (constant time), `rcgen` writes the certificate.

use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde::{Deserialize, Serialize};

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::keys::ServerKey;
use crate::store::Store;

/// Metadata name of the stored key.
const META: &str = "sns-signing-key";
/// Associated data the private key is sealed with.
const CONTEXT: &str = "sns-signing-key";

/// The stored form: the certificate in clear, the PKCS #8 private key sealed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSigningKey {
    cert_pem: String,
    nonce: String,
    sealed: String,
}

/// A loaded signing key and its certificate.
pub struct SigningKey {
    pair: RsaKeyPair,
    /// The self-signed certificate (PEM) holding the public key.
    pub cert_pem: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Signs `text` (SHA256withRSA); returns the signature in base64, as SNS's `Signature`.
    ///
    /// Errors: the signer failed (internal).
    pub fn sign(&self, text: &str) -> ApiResult<String> {
        use base64::Engine;
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                text.as_bytes(),
                &mut signature,
            )
            .map_err(|_| ApiError::Internal("signing an SNS message failed".into()))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(signature))
    }
}

fn internal(what: &str, err: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("{what}: {err}").into())
}

/// Makes a new key pair and its self-signed certificate (valid 20 years).
fn generate() -> ApiResult<(String, String)> {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let mut rng = rsa::rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| internal("RSA key", e))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| internal("PKCS #8", e))?
        .to_string();
    let der = key.to_pkcs8_der().map_err(|e| internal("PKCS #8", e))?;
    let pair = rcgen::KeyPair::try_from(der.as_bytes()).map_err(|e| internal("key pair", e))?;
    let mut params = rcgen::CertificateParams::new(vec!["tocsin.sns.local".to_owned()])
        .map_err(|e| internal("certificate", e))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Tocsin SNS message signing");
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2046, 1, 1);
    let cert = params
        .self_signed(&pair)
        .map_err(|e| internal("certificate", e))?;
    Ok((cert.pem(), pem))
}

fn load(stored: &StoredSigningKey, server_key: &ServerKey) -> ApiResult<SigningKey> {
    let nonce = hex::decode(&stored.nonce).map_err(|e| internal("stored signing key", e))?;
    let sealed = hex::decode(&stored.sealed).map_err(|e| internal("stored signing key", e))?;
    let pem = server_key.open(CONTEXT, &nonce, &sealed).ok_or_else(|| {
        ApiError::Internal("the SNS signing key was sealed with another server key".into())
    })?;
    use rsa::pkcs8::DecodePrivateKey;
    let der = rsa::pkcs8::SecretDocument::from_pkcs8_pem(&pem)
        .map_err(|e| internal("stored signing key", e))?;
    let pair =
        RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| internal("stored signing key", e))?;
    Ok(SigningKey {
        pair,
        cert_pem: stored.cert_pem.clone(),
    })
}

/// The database's signing key: loads it, or makes and stores one the first time. When two
/// callers race, the first stored key wins and both use it.
///
/// Errors: the store failed, or the stored key cannot be opened with this server key.
pub async fn load_or_create(store: &dyn Store, server_key: &ServerKey) -> ApiResult<SigningKey> {
    let existing = store.read().await?.meta(META).await?;
    if let Some(text) = existing {
        let stored: StoredSigningKey =
            serde_json::from_str(&text).map_err(|e| internal("stored signing key", e))?;
        return load(&stored, server_key);
    }
    let (cert_pem, pem) = tokio::task::spawn_blocking(generate)
        .await
        .map_err(|e| internal("key generation", e))??;
    let (nonce, sealed) = server_key.seal(CONTEXT, &pem)?;
    let fresh = StoredSigningKey {
        cert_pem,
        nonce: hex::encode(nonce),
        sealed: hex::encode(sealed),
    };
    let mut tx = store.write().await?;
    let stored = match tx.meta(META).await? {
        Some(text) => serde_json::from_str(&text).map_err(|e| internal("stored signing key", e))?,
        None => {
            let text = serde_json::to_string(&fresh).map_err(|e| internal("signing key", e))?;
            tx.set_meta(META, &text).await?;
            tx.commit().await?;
            fresh
        }
    };
    load(&stored, server_key)
}

/// SNS's canonical string for a `Notification` (SignatureVersion 1 and 2): each present
/// field's name and value on their own lines, in this order.
pub fn notification_string(
    message: &str,
    message_id: &str,
    subject: Option<&str>,
    timestamp: &str,
    topic_arn: &str,
) -> String {
    let mut s = format!("Message\n{message}\nMessageId\n{message_id}\n");
    if let Some(subject) = subject {
        s.push_str(&format!("Subject\n{subject}\n"));
    }
    s.push_str(&format!(
        "Timestamp\n{timestamp}\nTopicArn\n{topic_arn}\nType\nNotification\n"
    ));
    s
}

/// SNS's canonical string for a `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
pub fn confirmation_string(
    kind: &str,
    message: &str,
    message_id: &str,
    subscribe_url: &str,
    timestamp: &str,
    token: &str,
    topic_arn: &str,
) -> String {
    format!(
        "Message\n{message}\nMessageId\n{message_id}\nSubscribeURL\n{subscribe_url}\nTimestamp\n{timestamp}\nToken\n{token}\nTopicArn\n{topic_arn}\nType\n{kind}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_key_per_database_and_signatures_verify() {
        let store = crate::store::open("sqlite::memory:").await.unwrap();
        let server_key = ServerKey::generate();
        let key = load_or_create(store.as_ref(), &server_key).await.unwrap();
        let again = load_or_create(store.as_ref(), &server_key).await.unwrap();
        assert_eq!(key.cert_pem, again.cert_pem, "the stored key is reused");
        assert!(key.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let text = notification_string("hi", "m-1", Some("s"), "2026-01-01T00:00:00.000Z", "arn");
        assert_eq!(
            text,
            "Message\nhi\nMessageId\nm-1\nSubject\ns\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn\nType\nNotification\n"
        );
        let sig = key.sign(&text).unwrap();
        use base64::Engine;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(sig)
            .unwrap();
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            key.pair.public().as_ref(),
        );
        public.verify(text.as_bytes(), &raw).unwrap();
        assert!(public.verify(b"other", &raw).is_err());
        assert!(
            load_or_create(store.as_ref(), &ServerKey::generate())
                .await
                .is_err(),
            "another server key cannot open it"
        );
    }
}

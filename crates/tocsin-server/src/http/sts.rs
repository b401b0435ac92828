//! AWS Security Token Service over the query protocol (STS 2011-06-15,
//! `Action=GetCallerIdentity&Version=2011-06-15`, SigV4 service `sts`), so that
//! `aws sts get-caller-identity` and Terraform's credential check work against Tocsin.
//! `POST /` hands form bodies whose `Action` is an STS action here
//! ([`crate::http::awsjson::dispatch`]); the rest of the query protocol is SNS's.

use axum::body::Bytes;
use axum::response::Response;

use crate::domain::identity::Caller;
use crate::http::extract::missing_credentials;
use crate::http::sns::{Params, Xml, answer_in, query_error};
use crate::http::state::AppState;

/// STS's XML namespace.
pub const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Route-table prefix of STS actions (they share `POST /` and `Action=` with SNS).
pub const ACTION_PREFIX: &str = "sts:Action=";

/// The STS actions Tocsin answers; any access key may call them.
pub const ACTIONS: &[&str] = &["GetCallerIdentity"];

/// Whether a form body names an STS action (its `Action` parameter).
pub fn is_sts(body: &[u8]) -> bool {
    Params::parse(body)
        .get("Action")
        .is_some_and(|a| ACTIONS.contains(&a))
}

/// Answers an STS request. `GetCallerIdentity` mirrors STS: `Arn` is the caller's
/// principal (`arn:aws:iam::<account>:user/<key name>`), `UserId` its access key id and
/// `Account` the configured account. Without credentials: `MissingAuthenticationToken`
/// (403), in STS's error shape.
pub async fn dispatch(state: AppState, caller: Option<Caller>, _body: Bytes) -> Response {
    let Some(caller) = caller else {
        return query_error(XMLNS, missing_credentials());
    };
    let mut x = Xml::default();
    x.text("Arn", &caller.principal)
        .text("UserId", &caller.access_key_id)
        .text("Account", &state.config.account_id);
    answer_in(XMLNS, "GetCallerIdentity", Some(x))
}

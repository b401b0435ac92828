//! Auditing a state-changing call: [`Audit`] names who did what to which resource; the
//! `write_tx!`/`rule_change!` macros append it in the same transaction as the change on
//! success, or in a transaction of its own when the engine refused the call.
//! [`record_role_refusals`] records state-changing calls refused at the role check.

use crate::clock;
use crate::domain::audit::{self, NewEntry};
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::Caller;
use crate::http::extract::RoleRefused;
use crate::http::state::AppState;
use crate::store::StoreTx;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// One call to audit.
#[derive(Debug, Clone)]
pub struct Audit {
    entry: NewEntry,
}

impl Audit {
    /// `caller` calls `operation` on `resource` (an ARN, a key id, or empty).
    pub fn new(caller: &Caller, operation: &str, resource: impl Into<String>) -> Self {
        Audit {
            entry: NewEntry {
                principal: caller.principal.clone(),
                role: caller.role,
                operation: operation.to_owned(),
                resource: resource.into(),
                source_address: caller.source_address.clone(),
                result: String::new(),
            },
        }
    }

    /// Appends the successful call to `tx`, the change's own transaction.
    pub async fn success(&self, tx: &mut dyn StoreTx, state: &AppState) -> ApiResult<()> {
        let mut entry = self.entry.clone();
        entry.result = "success".into();
        audit::append(tx, &state.config.server_key, entry, clock::now()).await
    }

    /// Records a refused call, with the error code, in a transaction of its own (the change's
    /// was rolled back). A failure to record is logged, never turned into the answer.
    pub async fn failure(&self, state: &AppState, err: &ApiError) {
        let mut entry = self.entry.clone();
        entry.result = err.code().to_owned();
        let result = async {
            let mut tx = state.store.write().await?;
            audit::append(tx.as_mut(), &state.config.server_key, entry, clock::now()).await?;
            tx.commit().await?;
            ApiResult::Ok(())
        }
        .await;
        if let Err(e) = result {
            tracing::error!(%e, "could not record a refused call in the audit log");
        }
    }
}

/// Middleware: a state-changing call refused at the role check (a response carrying
/// [`RoleRefused`]) is recorded in the audit log with `AccessDeniedException`; reads are not.
pub async fn record_role_refusals(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if let Some(RoleRefused { operation, caller }) = response.extensions().get::<RoleRefused>()
        && audit::changes_state(operation)
    {
        let err = ApiError::AccessDenied(format!("{} refused at the role check", caller.role));
        Audit::new(caller, operation, "")
            .failure(&state, &err)
            .await;
    }
    response
}

//! `/v1/service-roles`: the roles service principals (a plan's or rule target's `roleArn`)
//! act with when they run runbooks; admin only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tocsin_api::native::{DeleteServiceRole, PutServiceRole, ServiceRole};

use crate::clock;
use crate::domain::service_roles;
use crate::http::audit::Audit;
use crate::http::error::RestJsonError;
use crate::http::extract::{Admin, Require, RestJson};
use crate::http::routes::Routes;
use crate::http::routes::Verb::{Get, Post};
use crate::http::state::AppState;

type RestResult<T> = Result<T, RestJsonError>;

/// The routes.
pub fn routes() -> Routes {
    Routes::new()
        .route(Get, "/v1/service-roles", "ListServiceRoles", list)
        .route(Post, "/v1/service-roles", "PutServiceRole", put)
        .route(
            Post,
            "/v1/service-roles/delete",
            "DeleteServiceRole",
            delete,
        )
}

/// `GET /v1/service-roles`: every assignment.
async fn list(_: Require<Admin>, State(s): State<AppState>) -> RestResult<Json<Vec<ServiceRole>>> {
    Ok(Json(read_tx!(s, |tx| service_roles::list(tx).await?)))
}

/// `POST /v1/service-roles` `{"roleArn", "role"}`: 201 with the assignment.
async fn put(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<PutServiceRole>,
) -> RestResult<(StatusCode, Json<ServiceRole>)> {
    let audit = Audit::new(&caller, "PutServiceRole", input.role_arn.clone());
    let assigned = write_tx!(s, audit, |tx| service_roles::put(
        tx,
        &caller.principal,
        input,
        clock::now()
    )
    .await?);
    Ok((StatusCode::CREATED, Json(assigned)))
}

/// `POST /v1/service-roles/delete` `{"roleArn"}`: 204.
async fn delete(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<DeleteServiceRole>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "DeleteServiceRole", input.role_arn.clone());
    write_tx!(s, audit, |tx| service_roles::delete(tx, &input.role_arn)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}

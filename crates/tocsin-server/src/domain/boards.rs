//! Boards: named, saved wall views ([`tocsin_api::boards::Board`]), kept in the store's
//! generic resource table (kind [`BOARD`]) so every node and every browser sees the same
//! ones. Each change appends `BoardChanged` to the change feed, so a wall showing the
//! board follows an edit live.

use tocsin_api::boards::Board;
use tocsin_api::native::Change;

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::Caller;
use crate::domain::validate;
use crate::store::StoreTx;

/// The resource kind boards are stored under.
pub const BOARD: &str = "board";

/// Most boards an installation keeps.
pub const MAX_BOARDS: usize = 200;

/// Most response plans, or tags, one board filters on.
pub const MAX_FILTER_ITEMS: usize = 50;

/// Every board, by name.
///
/// Errors: `InternalServerError` for a stored board that no longer parses.
pub async fn list(tx: &mut dyn StoreTx) -> ApiResult<Vec<Board>> {
    let mut boards: Vec<Board> = tx
        .resources(BOARD, "")
        .await?
        .into_iter()
        .map(|b| {
            serde_json::from_value(b)
                .map_err(|e| ApiError::Internal(format!("stored board: {e}").into()))
        })
        .collect::<ApiResult<_>>()?;
    boards.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(boards)
}

/// Checks a board: its name (1-64 of `A-Za-z0-9_.-`), title (≤ 100 characters), at most
/// [`MAX_FILTER_ITEMS`] response plans (ARNs of plans that exist) and tags (tag rules of
/// TagResource), impacts 1-5.
///
/// Errors: `ValidationException` naming the field.
async fn check(tx: &mut dyn StoreTx, board: &Board) -> ApiResult<()> {
    validate::simple_name(&board.name, 64)?;
    validate::opt_length("title", board.title.as_deref(), 100)?;
    validate::list_length(
        "responsePlanArns",
        board.response_plan_arns.len(),
        0,
        MAX_FILTER_ITEMS,
    )?;
    for arn in &board.response_plan_arns {
        validate::arn("responsePlanArns.member", arn)?;
        if tx.plan(arn).await?.is_none() {
            return Err(ApiError::Validation(format!(
                "responsePlanArns: the response plan {arn} does not exist."
            )));
        }
    }
    validate::list_length("impacts", board.impacts.len(), 0, 5)?;
    for &impact in &board.impacts {
        validate::impact("impacts.member", impact)?;
    }
    crate::domain::tags::check("tags", &board.tags)?;
    Ok(())
}

/// Creates or replaces a board as `caller` (who and when are recorded on it). Returns the
/// board as stored.
///
/// Errors: `ValidationException` (see [`check`]), `ServiceQuotaExceededException` (LimitExceeded) past
/// [`MAX_BOARDS`].
pub async fn put(
    tx: &mut dyn StoreTx,
    caller: &Caller,
    mut board: Board,
    now: f64,
) -> ApiResult<Board> {
    check(tx, &board).await?;
    board.impacts.sort_unstable();
    board.impacts.dedup();
    board.statuses.sort_unstable();
    board.statuses.dedup();
    board.title = board.title.filter(|t| !t.trim().is_empty());
    board.updated_by = Some(caller.principal.clone());
    board.updated_at = Some(now);
    if tx.resource(BOARD, &board.name).await?.is_none()
        && tx.resources(BOARD, "").await?.len() >= MAX_BOARDS
    {
        return Err(ApiError::LimitExceeded(format!(
            "An installation keeps at most {MAX_BOARDS} boards."
        )));
    }
    let value = serde_json::to_value(&board)
        .map_err(|e| ApiError::Internal(format!("board: {e}").into()))?;
    tx.put_resource(BOARD, &board.name, &value).await?;
    tx.append_change(&Change::BoardChanged {
        name: board.name.clone(),
        deleted: false,
    })
    .await?;
    Ok(board)
}

/// Deletes a board.
///
/// Errors: `ResourceNotFoundException` when there is none of that name.
pub async fn delete(tx: &mut dyn StoreTx, name: &str) -> ApiResult<()> {
    if !tx.delete_resource(BOARD, name).await? {
        return Err(ApiError::NotFound(format!("Board {name} does not exist.")));
    }
    tx.append_change(&Change::BoardChanged {
        name: name.to_owned(),
        deleted: true,
    })
    .await?;
    Ok(())
}

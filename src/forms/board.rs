//! The Boards page's form (`form#board-form`): a board (a saved wall view,
//! [`tocsin_api::boards::Board`]) as typed.

use tocsin_api::boards::{Board, BoardGroupBy, BoardStatus};

use super::plan::{FieldError, parse_tags, tag_lines};

/// The message for a board without a name.
pub const NAME_MESSAGE: &str = "A board needs a name: 1 to 64 letters, digits, '_', '-' or '.'.";

/// The board form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoardForm {
    /// The name (the `?board=` of its URL).
    pub name: String,
    /// The heading (optional).
    pub title: String,
    /// Response plans chosen (ARNs).
    pub plans: Vec<String>,
    /// Impacts chosen, 1-5.
    pub impacts: Vec<i32>,
    /// Tags, one `key=value` a line.
    pub tags: String,
    /// Show unacknowledged incidents.
    pub unacknowledged: bool,
    /// Show acknowledged incidents.
    pub acknowledged: bool,
    /// `impact` or `responsePlan`.
    pub group_by: String,
}

impl BoardForm {
    /// The form showing `board` (to edit it).
    pub fn from_board(board: &Board) -> Self {
        Self {
            name: board.name.clone(),
            title: board.title.clone().unwrap_or_default(),
            plans: board.response_plan_arns.clone(),
            impacts: board.impacts.clone(),
            tags: tag_lines(Some(&board.tags)),
            unacknowledged: board.statuses.contains(&BoardStatus::Unacknowledged),
            acknowledged: board.statuses.contains(&BoardStatus::Acknowledged),
            group_by: group_by_value(board.group_by).to_owned(),
        }
    }

    /// The board to save (`POST /v1/boards`), or the field that is wrong. Both or neither
    /// acknowledgement states mean no filter on it.
    pub fn board(&self) -> Result<Board, FieldError> {
        let name = self.name.trim();
        let name_ok = (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !name_ok {
            return Err(FieldError::new("board-name", NAME_MESSAGE));
        }
        if self.title.trim().chars().count() > 100 {
            return Err(FieldError::new(
                "board-title",
                "A heading is at most 100 characters.",
            ));
        }
        let tags = parse_tags("board-tags", &self.tags)?.unwrap_or_default();
        let statuses = match (self.unacknowledged, self.acknowledged) {
            (true, false) => vec![BoardStatus::Unacknowledged],
            (false, true) => vec![BoardStatus::Acknowledged],
            _ => Vec::new(),
        };
        let mut impacts = self.impacts.clone();
        impacts.sort_unstable();
        impacts.dedup();
        Ok(Board {
            name: name.to_owned(),
            title: super::non_empty(&self.title),
            response_plan_arns: self.plans.clone(),
            impacts,
            tags,
            statuses,
            group_by: if self.group_by == "responsePlan" {
                BoardGroupBy::ResponsePlan
            } else {
                BoardGroupBy::Impact
            },
            updated_by: None,
            updated_at: None,
        })
    }
}

/// The `<select>` value of a grouping.
pub fn group_by_value(g: BoardGroupBy) -> &'static str {
    match g {
        BoardGroupBy::Impact => "impact",
        BoardGroupBy::ResponsePlan => "responsePlan",
    }
}

/// What a board shows, in words: "Impact 1–2 · plans: Payments · tag team=pay ·
/// unacknowledged · grouped by response plan". `plan_name` names a plan by ARN.
pub fn describe(board: &Board, plan_name: impl Fn(&str) -> String) -> String {
    let mut parts = Vec::new();
    if board.impacts.is_empty() {
        parts.push("every impact".to_owned());
    } else {
        let list: Vec<String> = board.impacts.iter().map(i32::to_string).collect();
        parts.push(format!("impact {}", list.join(", ")));
    }
    if !board.response_plan_arns.is_empty() {
        let names: Vec<String> = board
            .response_plan_arns
            .iter()
            .map(|a| plan_name(a))
            .collect();
        parts.push(format!("plans: {}", names.join(", ")));
    }
    for (k, v) in &board.tags {
        parts.push(format!("tag {k}={v}"));
    }
    for s in &board.statuses {
        parts.push(
            match s {
                BoardStatus::Unacknowledged => "unacknowledged",
                BoardStatus::Acknowledged => "acknowledged",
            }
            .to_owned(),
        );
    }
    parts.push(
        match board.group_by {
            BoardGroupBy::Impact => "grouped by impact",
            BoardGroupBy::ResponsePlan => "grouped by response plan",
        }
        .to_owned(),
    );
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> BoardForm {
        BoardForm {
            name: " payments ".into(),
            title: "Payments".into(),
            plans: vec!["arn:p".into()],
            impacts: vec![2, 1, 2],
            tags: "team=pay\n\n env = prod ".into(),
            unacknowledged: true,
            acknowledged: false,
            group_by: "responsePlan".into(),
        }
    }

    #[test]
    fn a_form_becomes_a_board_and_back() {
        let board = form().board().expect("board");
        assert_eq!(board.name, "payments");
        assert_eq!(board.impacts, [1, 2]);
        assert_eq!(board.tags.get("env").map(String::as_str), Some("prod"));
        assert_eq!(board.statuses, [BoardStatus::Unacknowledged]);
        assert_eq!(board.group_by, BoardGroupBy::ResponsePlan);
        let again = BoardForm::from_board(&board).board().expect("again");
        assert_eq!(again, board);
        assert_eq!(
            describe(&board, |_| "Pay".into()),
            "impact 1, 2 · plans: Pay · tag env=prod · tag team=pay · unacknowledged · grouped by response plan"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let mut f = form();
        f.name = "a b".into();
        assert_eq!(f.board().map_err(|e| e.field), Err("board-name"));
        let mut f = form();
        f.tags = "team".into();
        assert_eq!(f.board().map_err(|e| e.field), Err("board-tags"));
        let mut f = form();
        f.title = "x".repeat(101);
        assert_eq!(f.board().map_err(|e| e.field), Err("board-title"));
        let mut both = form();
        both.acknowledged = true;
        assert!(both.board().expect("board").statuses.is_empty());
    }
}

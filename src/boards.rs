//! What the wall reads from its URL to show boards (saved wall views, see
//! [`tocsin_api::boards`]): `?board=<name>` shows one; `?boards=a,b,c&every=<seconds>`
//! rotates between several (a kiosk rotation), each shown for `every` seconds.

use tocsin_api::boards::Board;

/// Seconds each board of a rotation is shown when `every` is absent or unreadable.
pub const DEFAULT_ROTATION_SECS: u32 = 30;
/// Shortest time a rotation shows a board, seconds.
pub const MIN_ROTATION_SECS: u32 = 5;
/// Longest, seconds.
pub const MAX_ROTATION_SECS: u32 = 3_600;

/// The boards the URL names, in order: `boards` (comma-separated) when given, else
/// `board`; blanks and repeats are dropped. Empty: the whole wall.
pub fn rotation(board: Option<&str>, boards: Option<&str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let list = boards.filter(|b| !b.trim().is_empty()).or(board);
    for name in list.unwrap_or_default().split(',') {
        let name = name.trim();
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Seconds each board is shown: `every` clamped to
/// [`MIN_ROTATION_SECS`]..=[`MAX_ROTATION_SECS`], or [`DEFAULT_ROTATION_SECS`].
pub fn rotation_secs(every: Option<&str>) -> u32 {
    every
        .and_then(|e| e.trim().parse::<u32>().ok())
        .map_or(DEFAULT_ROTATION_SECS, |s| {
            s.clamp(MIN_ROTATION_SECS, MAX_ROTATION_SECS)
        })
}

/// What the wall shows.
#[derive(Debug, Clone, PartialEq)]
pub enum BoardChoice {
    /// Every open incident (no board in the URL).
    All,
    /// The boards are still loading.
    Loading,
    /// This board (`position` of `of` in the rotation, 0-based).
    Board {
        /// The board.
        board: Board,
        /// Its place in the rotation.
        position: usize,
        /// Boards in the rotation.
        of: usize,
    },
    /// The URL names a board that does not exist, or the boards could not be read: the
    /// message says which.
    Unavailable(String),
}

/// The board on show at rotation step `step` of `names`, given the boards loaded so far
/// (`None`: not yet; `Some(Err)`: reading them failed).
pub fn choose(
    names: &[String],
    step: usize,
    loaded: Option<Result<&[Board], String>>,
) -> BoardChoice {
    if names.is_empty() {
        return BoardChoice::All;
    }
    let position = step % names.len();
    let name = &names[position];
    match loaded {
        None => BoardChoice::Loading,
        Some(Err(e)) => BoardChoice::Unavailable(format!("Could not read the boards: {e}")),
        Some(Ok(boards)) => match boards.iter().find(|b| &b.name == name) {
            Some(board) => BoardChoice::Board {
                board: board.clone(),
                position,
                of: names.len(),
            },
            None => BoardChoice::Unavailable(format!(
                "There is no board named {name:?}. Boards are saved on the Boards page."
            )),
        },
    }
}

/// The wall URL that shows `names` (one board, or a rotation every `every` seconds), in
/// kiosk mode when `kiosk`.
pub fn wall_href(names: &[String], every: u32, kiosk: bool) -> String {
    let encoded: Vec<String> = names
        .iter()
        .map(|n| crate::format::encode_component(n))
        .collect();
    let mut href = match encoded.len() {
        0 => "/wall".to_owned(),
        1 => format!("/wall?board={}", encoded[0]),
        _ => format!("/wall?boards={}&every={every}", encoded.join(",")),
    };
    if kiosk {
        href.push_str(if href.contains('?') {
            "&kiosk=1"
        } else {
            "?kiosk=1"
        });
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_one_board_or_a_rotation() {
        assert!(rotation(None, None).is_empty());
        assert_eq!(rotation(Some("pay"), None), ["pay"]);
        assert_eq!(rotation(Some("x"), Some(" a, b,,a ")), ["a", "b"]);
        assert_eq!(rotation(Some("x"), Some(" ")), ["x"]);
        assert_eq!(rotation_secs(None), 30);
        assert_eq!(rotation_secs(Some("2")), 5);
        assert_eq!(rotation_secs(Some("90")), 90);
        assert_eq!(rotation_secs(Some("soon")), 30);
        assert_eq!(rotation_secs(Some("99999")), 3_600);
    }

    #[test]
    fn the_choice_follows_the_step_and_what_loaded() {
        let names = vec!["a".to_owned(), "b".to_owned()];
        let boards = vec![Board {
            name: "b".into(),
            ..Board::default()
        }];
        assert_eq!(choose(&[], 3, None), BoardChoice::All);
        assert_eq!(choose(&names, 0, None), BoardChoice::Loading);
        assert!(matches!(
            choose(&names, 1, Some(Ok(&boards))),
            BoardChoice::Board {
                position: 1,
                of: 2,
                ..
            }
        ));
        assert!(matches!(
            choose(&names, 2, Some(Ok(&boards))),
            BoardChoice::Unavailable(m) if m.contains("\"a\"")
        ));
        assert!(matches!(
            choose(&names, 0, Some(Err("503".into()))),
            BoardChoice::Unavailable(_)
        ));
    }

    #[test]
    fn links_to_the_wall() {
        assert_eq!(wall_href(&[], 30, false), "/wall");
        assert_eq!(
            wall_href(&["a b".into()], 30, true),
            "/wall?board=a%20b&kiosk=1"
        );
        assert_eq!(
            wall_href(&["a".into(), "b".into()], 45, true),
            "/wall?boards=a,b&every=45&kiosk=1"
        );
    }
}

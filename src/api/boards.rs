//! Boards (`/v1/boards…`): named, saved wall views, kept by the server so every wall
//! screen and browser sees the same ones.

use tocsin_api::boards::{Board, DeleteBoard};

use super::{Api, ApiError};

impl Api {
    /// `GET /v1/boards`: every board, by name.
    pub async fn list_boards(&self) -> Result<Vec<Board>, ApiError> {
        self.get_json("/v1/boards").await
    }

    /// `POST /v1/boards` (responder): creates or replaces a board; answers it as stored.
    pub async fn put_board(&self, board: &Board) -> Result<Board, ApiError> {
        self.post_json("/v1/boards", board).await
    }

    /// `POST /v1/boards/delete` (responder): deletes a board.
    pub async fn delete_board(&self, name: &str) -> Result<(), ApiError> {
        let input = DeleteBoard {
            name: name.to_owned(),
        };
        self.post_empty("/v1/boards/delete", &input).await
    }
}

//! Relay cursor pages: checks `first` against the configured maximum and
//! decodes opaque `after` cursors, so every connection treats them alike.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// An opaque cursor: the base64 of the key the list is ordered by.
pub struct Cursor(pub String);

impl CursorType for Cursor {
    type Error = ApiError;

    fn decode_cursor(s: &str) -> Result<Self, ApiError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| ApiError::bad_input("after is not a cursor from this list"))?;
        String::from_utf8(bytes)
            .map(Cursor)
            .map_err(|_| ApiError::bad_input("after is not a cursor from this list"))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }
}

/// A checked page request.
pub struct Page {
    pub first: u64,
    pub after: Option<String>,
}

impl Page {
    pub fn parse(ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<Self> {
        let max = ctx
            .data::<crate::app::AppState>()
            .map(|s| s.config.limits.max_page_size)
            .unwrap_or(100);
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if first < 0 || first as usize > max {
            return Err(ApiError::BadUserInput(format!(
                "first must be between 0 and {max}, got {first}"
            )));
        }
        let after = after
            .map(|a| Cursor::decode_cursor(&a).map(|c| c.0))
            .transpose()?;
        Ok(Self {
            first: first as u64,
            after,
        })
    }

    /// How many rows to fetch: one more than asked, to learn whether a next page exists.
    pub fn limit(&self) -> u64 {
        self.first + 1
    }

    /// Builds the connection from up to `limit()` rows, keyed by `key`.
    pub fn connection<T, N: OutputType>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> String,
        node: impl Fn(T) -> N,
    ) -> Connection<Cursor, N> {
        let has_next = rows.len() as u64 > self.first;
        rows.truncate(self.first as usize);
        let mut connection = Connection::new(self.after.is_some(), has_next);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(Cursor(key(&row)), node(row))),
        );
        connection
    }
}

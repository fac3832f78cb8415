//! Relay cursor pages: checks `first` against the configured maximum and
//! decodes opaque `after` cursors, so every connection treats them alike.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// An opaque cursor: the base64 of a version byte, the key the list is
/// ordered by, and a checksum of the key, so a cursor the server did not
/// issue (cut short, padded, made up) is refused instead of being read as
/// some other key.
pub struct Cursor(pub String);

const CURSOR_VERSION: u8 = 1;
/// Longer than any key a list orders by, encoded.
const MAX_CURSOR_CHARS: usize = 1_024;

/// FNV-1a: a checksum against accidents and guesses, not a signature.
fn checksum(key: &[u8]) -> [u8; 4] {
    let hash = key.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    });
    hash.to_be_bytes()
}

impl CursorType for Cursor {
    type Error = ApiError;

    fn decode_cursor(s: &str) -> Result<Self, ApiError> {
        let refused = || ApiError::bad_input("after is not a cursor from this list");
        if s.len() > MAX_CURSOR_CHARS {
            return Err(refused());
        }
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| refused())?;
        let [version, rest @ ..] = bytes.as_slice() else {
            return Err(refused());
        };
        let Some((key, sum)) = rest.split_last_chunk::<4>() else {
            return Err(refused());
        };
        if *version != CURSOR_VERSION || *sum != checksum(key) {
            return Err(refused());
        }
        String::from_utf8(key.to_vec())
            .map(Cursor)
            .map_err(|_| refused())
    }

    fn encode_cursor(&self) -> String {
        let key = self.0.as_bytes();
        let mut bytes = Vec::with_capacity(key.len() + 5);
        bytes.push(CURSOR_VERSION);
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(&checksum(key));
        URL_SAFE_NO_PAD.encode(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_nothing_else_does() {
        for key in ["", "a", "Ada Lovelace\u{0}0192-id", "ünïcode"] {
            let cursor = Cursor(key.into()).encode_cursor();
            assert_eq!(Cursor::decode_cursor(&cursor).unwrap().0, key);
            let mut cut = cursor.clone();
            cut.pop();
            assert!(Cursor::decode_cursor(&cut).is_err(), "{key:?} cut");
            assert!(Cursor::decode_cursor(&format!("{cursor}AA")).is_err());
        }
        // The old shape, a bare base64 key, is not a cursor any more.
        assert!(Cursor::decode_cursor(&URL_SAFE_NO_PAD.encode("a")).is_err());
        assert!(Cursor::decode_cursor("").is_err());
        assert!(Cursor::decode_cursor(&"A".repeat(MAX_CURSOR_CHARS + 4)).is_err());
    }
}

//! Tokens verified recently. A client sends the same bearer token with
//! every request until it expires; decoding it and checking its signature
//! each time was a tenth of a small request's cost. A remembered token is
//! still refused once it expires and, with keys fetched from the provider,
//! once the key set it was checked against has been replaced (a rotation
//! that drops its key then refuses it, as before).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Claims;
use super::keyset::KeySet;

/// Past this many remembered tokens the memory is emptied.
const MAX_TOKENS: usize = 10_000;

struct Verified {
    claims: Claims,
    /// The provider's key set it was checked against; `None` for keys read
    /// at start-up, which never change while the process runs.
    keys: Option<Arc<KeySet>>,
}

#[derive(Default)]
pub(super) struct Recent {
    tokens: Mutex<HashMap<String, Verified>>,
}

impl Recent {
    /// The claims of `token` if it was verified against `keys` (the
    /// current set) and has not expired at `now` (seconds since the epoch,
    /// `leeway` allowed, as verification allows it).
    pub(super) fn recall(
        &self,
        token: &str,
        keys: Option<&Arc<KeySet>>,
        now: i64,
        leeway: u64,
    ) -> Option<Claims> {
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let hit = tokens.get(token)?;
        let same_keys = match (&hit.keys, keys) {
            (None, None) => true,
            (Some(then), Some(now)) => Arc::ptr_eq(then, now),
            _ => false,
        };
        let leeway = i64::try_from(leeway).unwrap_or(i64::MAX);
        (same_keys && hit.claims.exp >= now.saturating_sub(leeway)).then(|| hit.claims.clone())
    }

    /// Remembers that `token` verified, with `claims`, against `keys`.
    pub(super) fn remember(&self, token: &str, claims: &Claims, keys: Option<Arc<KeySet>>) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if tokens.len() >= MAX_TOKENS && !tokens.contains_key(token) {
            tokens.clear();
        }
        let verified = Verified {
            claims: claims.clone(),
            keys,
        };
        tokens.insert(token.to_owned(), verified);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "u1".into(),
            name: None,
            email: None,
            roles: vec!["ospo".into()],
            exp,
        }
    }

    #[test]
    fn a_remembered_token_holds_until_it_expires_with_the_leeway() {
        let recent = Recent::default();
        assert_eq!(recent.recall("t", None, 0, 30), None);
        recent.remember("t", &claims(1_000), None);
        assert_eq!(recent.recall("t", None, 1_000, 30), Some(claims(1_000)));
        assert_eq!(recent.recall("t", None, 1_030, 30), Some(claims(1_000)));
        assert_eq!(recent.recall("t", None, 1_031, 30), None);
        assert_eq!(recent.recall("t", None, 1_001, 0), None);
        assert_eq!(recent.recall("other", None, 0, 30), None);
    }

    #[test]
    fn a_remembered_token_needs_the_key_set_it_was_checked_against() {
        let recent = Recent::default();
        let (then, later) = (Arc::new(KeySet::default()), Arc::new(KeySet::default()));
        recent.remember("t", &claims(1_000), Some(then.clone()));
        assert_eq!(recent.recall("t", Some(&then), 0, 0), Some(claims(1_000)));
        assert_eq!(recent.recall("t", Some(&later), 0, 0), None);
        assert_eq!(recent.recall("t", None, 0, 0), None);
        recent.remember("s", &claims(1_000), None);
        assert_eq!(recent.recall("s", Some(&then), 0, 0), None);
    }

    #[test]
    fn the_memory_is_bounded() {
        let recent = Recent::default();
        for i in 0..MAX_TOKENS {
            recent.remember(&i.to_string(), &claims(1_000), None);
        }
        assert!(recent.recall("0", None, 0, 0).is_some());
        recent.remember("one more", &claims(1_000), None);
        assert_eq!(recent.recall("0", None, 0, 0), None);
        assert!(recent.recall("one more", None, 0, 0).is_some());
        assert_eq!(recent.tokens.lock().unwrap().len(), 1);
    }
}

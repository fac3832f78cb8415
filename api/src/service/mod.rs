//! Service functions: one per use case. Each checks who may do it, decides
//! with `domain` rules, and owns its transaction. Resolvers call exactly one.

pub mod cases;
pub mod catalog;
pub mod cohort;
pub mod export;
pub mod features;
pub mod import;
pub mod leavers;
pub mod matches;
pub mod notifications;
pub mod people;
pub mod policies;
pub mod privacy;
pub mod profiles;
pub mod programs;
pub mod proposals;
pub mod reports;
pub mod requests;
pub mod scoring;

use crate::auth::Claims;
use crate::error::ApiError;

/// The signed-in caller: checked claims and the person they map to.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub person_id: String,
    pub claims: Claims,
    /// The caller's record as read when the request was authenticated
    /// (that read is what proves them active), so `me` needs no second
    /// query. `None` when provisioning had to write it.
    pub person: Option<std::sync::Arc<crate::store::people::Person>>,
}

/// Proof that the caller holds the `ospo` role; only [`Viewer::as_ospo`]
/// makes one, so OSPO-only services cannot be called without the check.
pub struct OspoAdmin<'a>(&'a Viewer);

impl OspoAdmin<'_> {
    /// The OSPO member acting, for the audit trail.
    pub fn person_id(&self) -> &str {
        &self.0.person_id
    }

    pub fn viewer(&self) -> &Viewer {
        self.0
    }
}

/// Who runs an OSPO task that also has a command (import, export): an OSPO
/// admin through the API, or the operator at the command line, who holds
/// the database itself.
pub enum OspoTask<'a> {
    Admin(OspoAdmin<'a>),
    Operator,
}

impl Viewer {
    pub fn is_ospo(&self) -> bool {
        self.claims.is_ospo()
    }

    pub fn as_ospo(&self) -> Result<OspoAdmin<'_>, ApiError> {
        if self.is_ospo() {
            Ok(OspoAdmin(self))
        } else {
            Err(ApiError::ospo_only())
        }
    }

    pub fn is(&self, person_id: &str) -> bool {
        self.person_id == person_id
    }
}

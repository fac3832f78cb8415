//! `ApiError`: the one error type of the service layer, and its mapping to the
//! `extensions.code` values of design.md. Internal causes are logged once,
//! inside the request span, and never shown to the caller.

use sea_orm::DbErr;

/// Every `extensions.code` the API sends (design.md, "API"). No code is
/// written anywhere as a string literal: it is one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    Internal,
    GraphqlParseFailed,
    GraphqlValidationFailed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::Internal => "INTERNAL",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("a valid bearer token is required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    BadUserInput(String),
    #[error("{0}")]
    Conflict(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::BadUserInput(_) => ErrorCode::BadUserInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn bad_input(message: impl std::fmt::Display) -> Self {
        Self::BadUserInput(message.to_string())
    }

    pub fn ospo_only() -> Self {
        Self::Forbidden("only the OSPO may do this")
    }
}

/// SQLSTATEs (PostgreSQL) and extended result codes (SQLite) that mean the
/// change lost a race or broke an invariant the database guards: a unique
/// index, a CHECK (capacity), a deadlock, a serialization failure, a lock
/// wait given up. The caller may read again and retry: `CONFLICT`.
const CONFLICT_CODES: [&str; 11] = [
    "23505", "23514", "40P01", "40001", "55P03", // PostgreSQL
    "2067", "1555", "275", "5", "517",
    "6", // SQLite: UNIQUE, PRIMARYKEY, CHECK, BUSY, BUSY_SNAPSHOT, LOCKED
];

/// Whether a database error is a lost race or a guarded invariant.
pub fn is_conflict(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = e
    else {
        return false;
    };
    match e.as_ref() {
        sea_orm::sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| CONFLICT_CODES.contains(&code.as_ref())),
        _ => false,
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        if is_conflict(&e) {
            tracing::info!(error = %e, "database refused a change: conflict");
            return Self::Conflict(
                "the change conflicted with another one made at the same time; read again and retry"
                    .into(),
            );
        }
        Self::Internal(anyhow::Error::new(e).context("database"))
    }
}

impl From<domain::values::OutOfRange> for ApiError {
    fn from(e: domain::values::OutOfRange) -> Self {
        Self::BadUserInput(e.to_string())
    }
}

impl From<domain::values::TextError> for ApiError {
    fn from(e: domain::values::TextError) -> Self {
        Self::BadUserInput(e.to_string())
    }
}

impl From<domain::mentorship::IllegalRequestTransition> for ApiError {
    fn from(e: domain::mentorship::IllegalRequestTransition) -> Self {
        Self::Conflict(e.to_string())
    }
}

impl From<domain::mentorship::IllegalMatchTransition> for ApiError {
    fn from(e: domain::mentorship::IllegalMatchTransition) -> Self {
        Self::Conflict(e.to_string())
    }
}

impl From<domain::mentorship::MentorAtCapacity> for ApiError {
    fn from(e: domain::mentorship::MentorAtCapacity) -> Self {
        Self::Conflict(e.to_string())
    }
}

impl From<domain::mentorship::CapacityBelowLive> for ApiError {
    fn from(e: domain::mentorship::CapacityBelowLive) -> Self {
        Self::Conflict(e.to_string())
    }
}

impl From<domain::mentorship::FeedbackError> for ApiError {
    fn from(e: domain::mentorship::FeedbackError) -> Self {
        use domain::mentorship::FeedbackError as F;
        match e {
            F::NotFinished(_) | F::AlreadyGiven(_) => Self::Conflict(e.to_string()),
        }
    }
}

impl From<domain::mentorship::LevelUpError> for ApiError {
    fn from(e: domain::mentorship::LevelUpError) -> Self {
        use domain::mentorship::LevelUpError as L;
        match e {
            L::Missing | L::NotAbove { .. } | L::Unexpected => Self::BadUserInput(e.to_string()),
        }
    }
}

impl From<domain::program::IllegalTransition> for ApiError {
    fn from(e: domain::program::IllegalTransition) -> Self {
        Self::Conflict(e.to_string())
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = ?cause, "request failed");
        }
        let code = e.code().as_str();
        use async_graphql::ErrorExtensions;
        async_graphql::Error::new(e.to_string()).extend_with(|_, ext| ext.set("code", code))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

//! `ApiError`: the one error type of the service layer, and its mapping to the
//! `extensions.code` values of design.md. Internal causes are logged once,
//! inside the request span, and never shown to the caller.

use sea_orm::DbErr;

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
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::Internal(_) => "INTERNAL",
        }
    }

    pub fn bad_input(message: impl std::fmt::Display) -> Self {
        Self::BadUserInput(message.to_string())
    }

    pub fn ospo_only() -> Self {
        Self::Forbidden("only the OSPO may do this")
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
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

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = ?cause, "request failed");
        }
        let code = e.code();
        use async_graphql::ErrorExtensions;
        async_graphql::Error::new(e.to_string()).extend_with(|_, ext| ext.set("code", code))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

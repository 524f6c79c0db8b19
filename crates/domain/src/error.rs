//! The domain's one error type. The server maps each variant to a problem-details answer.

use crate::password::policy::Violation;
use crate::store::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("not a valid phone number")]
    InvalidPhone,
    #[error("not a valid e-mail address")]
    InvalidEmail,
    #[error("not a valid phone number or e-mail address")]
    InvalidIdentifier,
    #[error("invalid nickname: {0}")]
    InvalidNickname(&'static str),
    #[error("the code is not correct")]
    InvalidCode { attempts_left: u32 },
    #[error("the code has expired, was used, or had too many wrong attempts")]
    CodeExpired,
    #[error("the password does not meet the policy")]
    WeakPassword(Vec<Violation>),
    #[error("wrong identifier or password")]
    InvalidCredentials,
    #[error("authentication required")]
    Unauthenticated,
    #[error("too many requests; retry in {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error("not found")]
    NotFound,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.to_string())
    }
}

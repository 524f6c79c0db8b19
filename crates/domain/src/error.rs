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
    #[error("the recovery has expired, was completed, or the reset token is wrong")]
    ResetExpired,
    #[error("a second factor is required")]
    SecondFactorRequired { methods: Vec<String> },
    #[error("this second-factor method is not available")]
    InvalidMethod,
    #[error("recovery through this recently bound channel is on hold")]
    ChannelOnHold {
        until: crate::clock::Millis,
        alternatives: Vec<String>,
    },
    #[error("the support desk must verify this recovery")]
    SupportRequired,
    #[error("the last recovery channel cannot be removed")]
    LastChannel,
    #[error("this destination cannot be bound")]
    DestinationUnavailable,
    #[error("the link has expired or was used")]
    LinkExpired,
    #[error("two-factor authentication of this kind is on already")]
    MfaAlreadyEnabled,
    #[error("two-factor authentication is not on")]
    MfaNotEnabled,
    #[error("the login step has expired, was used, or had too many wrong attempts")]
    ChallengeExpired,
    #[error("the passkey response was refused")]
    PasskeyRejected,
    #[error("passkeys need public_url on HTTPS (or http://localhost)")]
    PasskeysUnavailable,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("conflict: {detail}")]
    Conflict {
        code: &'static str,
        detail: &'static str,
    },
    /// A well-formed request the rules refuse (422), with a stable code.
    #[error("rejected: {detail}")]
    Rejected {
        code: &'static str,
        detail: &'static str,
    },
    /// An uploaded file over the size limit (the server stopped reading it).
    #[error("the file is larger than {max} bytes")]
    FileTooLarge { max: u64 },
    /// The declared type of an upload contradicts its content.
    #[error("the file's content is not of its declared type {declared}")]
    TypeMismatch { declared: String },
    /// A byte range outside the file.
    #[error("range not satisfiable (size {size})")]
    RangeNotSatisfiable { size: u64 },
    /// An enterprise's policy keeps this session from its data (`policy_requires_2fa`,
    /// `policy_network`, `policy_session_expired`).
    #[error("the enterprise's policy refuses this session: {code}")]
    PolicyBlocked { code: &'static str, org_id: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.to_string())
    }
}

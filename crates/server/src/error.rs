//! The one mapping from domain errors to RFC 9457 problem details. Internal errors are logged
//! with their context and never shown to clients.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use domain::Error;
use proto::Problem;
use proto::problem::Violation;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    attempts_left: Option<u32>,
    violations: Option<Vec<Violation>>,
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            attempts_left: None,
            violations: None,
            retry_after: None,
        }
    }

    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid request",
            detail,
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            "There is nothing at this address.",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        use StatusCode as S;
        match e {
            Error::InvalidRequest(d) => Self::invalid_request(d),
            Error::InvalidPhone => Self::new(
                S::BAD_REQUEST,
                "invalid_phone",
                "Invalid phone number",
                "This is not a valid phone number.",
            ),
            Error::InvalidEmail => Self::new(
                S::BAD_REQUEST,
                "invalid_email",
                "Invalid e-mail address",
                "This is not a valid e-mail address.",
            ),
            Error::InvalidIdentifier => Self::new(
                S::BAD_REQUEST,
                "invalid_identifier",
                "Invalid identifier",
                "Enter a phone number or an e-mail address.",
            ),
            Error::InvalidNickname(why) => Self::new(
                S::UNPROCESSABLE_ENTITY,
                "invalid_nickname",
                "Invalid nickname",
                format!("The nickname must be 1–32 characters without control characters ({why})."),
            ),
            Error::InvalidCode { attempts_left } => Self {
                attempts_left: Some(attempts_left),
                ..Self::new(
                    S::BAD_REQUEST,
                    "invalid_code",
                    "Wrong code",
                    "The code is not correct.",
                )
            },
            Error::CodeExpired => Self::new(
                S::GONE,
                "code_expired",
                "Code no longer valid",
                "The code has expired, was already used, or had too many wrong attempts. Ask for a new one.",
            ),
            Error::WeakPassword(v) => Self {
                violations: Some(
                    v.into_iter()
                        .map(|v| Violation {
                            code: v.code.into(),
                            message: v.message,
                        })
                        .collect(),
                ),
                ..Self::new(
                    S::UNPROCESSABLE_ENTITY,
                    "weak_password",
                    "Password not accepted",
                    "The password does not meet the password policy.",
                )
            },
            Error::InvalidCredentials => Self::new(
                S::UNAUTHORIZED,
                "invalid_credentials",
                "Wrong identifier or password",
                "The phone/e-mail or the password is wrong.",
            ),
            Error::Unauthenticated => Self::new(
                S::UNAUTHORIZED,
                "unauthenticated",
                "Not signed in",
                "Sign in first; the session is missing, expired or revoked.",
            ),
            Error::Throttled { retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(
                    S::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "Too many requests",
                    format!("Too many attempts; try again in {retry_after} seconds."),
                )
            },
            Error::NotFound => Self::not_found(),
            Error::Internal(context) => {
                tracing::error!(%context, "internal error");
                Self::new(
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "Something went wrong on our side; nothing was changed.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("/problems/{}", self.code),
            title: self.title.into(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.into(),
            attempts_left: self.attempts_left,
            violations: self.violations,
            retry_after: self.retry_after,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (self.status, json).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

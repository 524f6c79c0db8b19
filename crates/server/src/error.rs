//! The one mapping from domain errors to RFC 9457 problem details. Internal errors are logged
//! with their context and never shown to clients.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use domain::Error;
use proto::Problem;
use proto::problem::Violation;

/// An error answer of the API: a status and its problem-details body (boxed, so results that
/// carry it stay small).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Box<Problem>,
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
            body: Box::new(Problem {
                kind: format!("/problems/{code}"),
                title: title.into(),
                status: status.as_u16(),
                detail: detail.into(),
                code: code.into(),
                attempts_left: None,
                violations: None,
                retry_after: None,
                methods: None,
                alternatives: None,
                until: None,
                org_id: None,
            }),
        }
    }

    /// Sets extension fields of the body.
    fn with(mut self, set: impl FnOnce(&mut Problem)) -> Self {
        set(&mut self.body);
        self
    }

    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid request",
            detail,
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
            "This address does not take this method.",
        )
    }

    /// The problem for an error answer that was made without one (a rejection of axum or of a
    /// layer): the status kept, the code named after it.
    pub fn for_status(status: StatusCode) -> Self {
        use StatusCode as S;
        match status {
            S::NOT_FOUND => Self::not_found(),
            S::METHOD_NOT_ALLOWED => Self::method_not_allowed(),
            S::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            S::UNSUPPORTED_MEDIA_TYPE => Self::unsupported_media_type(),
            s if s.is_server_error() => Self::from(Error::Internal(format!("a plain {s} answer"))),
            s => Self::new(
                s,
                "invalid_request",
                "Invalid request",
                "The request is not valid for this address.",
            ),
        }
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Body too large",
            "The request body may be at most 64 KiB.",
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the body as application/json.",
        )
    }

    /// A file upload that is not `multipart/form-data`.
    pub fn unsupported_multipart() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the file as multipart/form-data.",
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

    /// The problem-details body.
    pub fn problem(&self) -> &Problem {
        &self.body
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
            Error::InvalidCode { attempts_left } => Self::new(
                    S::BAD_REQUEST,
                    "invalid_code",
                    "Wrong code",
                    "The code is not correct.",
                ).with(|p| { p.attempts_left = Some(attempts_left); }),
            Error::CodeExpired => Self::new(
                S::GONE,
                "code_expired",
                "Code no longer valid",
                "The code has expired, was already used, or had too many wrong attempts. Ask for a new one.",
            ),
            Error::WeakPassword(v) => Self::new(
                    S::UNPROCESSABLE_ENTITY,
                    "weak_password",
                    "Password not accepted",
                    "The password does not meet the password policy.",
                ).with(|p| { p.violations = Some(
                    v.into_iter()
                        .map(|v| Violation {
                            code: v.code.into(),
                            message: v.message,
                        })
                        .collect(),
                ); }),
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
            Error::Throttled { retry_after } => Self::new(
                    S::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "Too many requests",
                    format!("Too many attempts; try again in {retry_after} seconds."),
                ).with(|p| { p.retry_after = Some(retry_after); }),
            Error::NotFound => Self::not_found(),
            Error::ResetExpired => Self::new(
                S::GONE,
                "reset_expired",
                "Recovery no longer valid",
                "This password recovery has expired or was completed. Start again from \"Forgot password\".",
            ),
            Error::SecondFactorRequired { methods } => Self::new(
                    S::FORBIDDEN,
                    "second_factor_required",
                    "Second factor required",
                    "This account has two-factor authentication: confirm with a second factor first.",
                ).with(|p| { p.methods = Some(methods); }),
            Error::InvalidMethod => Self::new(
                S::BAD_REQUEST,
                "invalid_method",
                "Method not available",
                "This second-factor method is not set up for the account.",
            ),
            Error::ChannelOnHold {
                until,
                alternatives,
            } => Self::new(
                    S::FORBIDDEN,
                    "channel_on_hold",
                    "Channel recently bound",
                    "This phone/e-mail was bound to the account recently. To protect the account, it can be used for recovery only after the waiting period, or use the previously bound channel or the support desk.",
                ).with(|p| { p.until = Some(domain::clock::rfc3339(until)); p.alternatives = Some(alternatives); }),
            Error::SupportRequired => Self::new(
                S::FORBIDDEN,
                "support_required",
                "Support desk needed",
                "This phone number has not been used for a long time and may have changed owner. Verify the account's e-mail too, or contact the support desk.",
            ),
            Error::LastChannel => Self::new(
                S::CONFLICT,
                "last_channel",
                "Last recovery channel",
                "The last phone/e-mail of the account cannot be removed; bind another one first.",
            ),
            Error::DestinationUnavailable => Self::new(
                S::CONFLICT,
                "destination_unavailable",
                "Cannot bind",
                "This phone/e-mail cannot be bound to the account.",
            ),
            Error::MfaAlreadyEnabled => Self::new(
                S::CONFLICT,
                "mfa_already_enabled",
                "Already on",
                "This kind of two-factor authentication is on already; turn it off first to enrol again.",
            ),
            Error::MfaNotEnabled => Self::new(
                S::CONFLICT,
                "mfa_not_enabled",
                "Two-factor is off",
                "Turn on two-factor authentication first.",
            ),
            Error::ChallengeExpired => Self::new(
                S::GONE,
                "challenge_expired",
                "Sign-in step no longer valid",
                "This sign-in step has expired, was used, or had too many wrong attempts. Sign in again.",
            ),
            Error::PasskeyRejected => Self::new(
                S::BAD_REQUEST,
                "passkey_rejected",
                "Passkey refused",
                "The passkey response was refused (wrong site, an old or reused challenge, or an unknown passkey). Try again.",
            ),
            Error::PasskeysUnavailable => Self::new(
                S::CONFLICT,
                "passkeys_unavailable",
                "Passkeys unavailable",
                "This server's address cannot host passkeys; use an authenticator app.",
            ),
            Error::LinkExpired => Self::new(
                S::GONE,
                "link_expired",
                "Link no longer valid",
                "This link has expired or was already used.",
            ),
            Error::Forbidden(code) => Self::new(
                S::FORBIDDEN,
                code,
                "Not allowed",
                "Your role does not allow this.",
            ),
            Error::Conflict { code, detail } => Self::new(S::CONFLICT, code, "Conflict", detail),
            Error::PolicyBlocked { code, org_id } => Self::new(
                S::FORBIDDEN,
                code,
                "Refused by the enterprise's policy",
                match code {
                    domain::policy::gate::NETWORK => {
                        "The enterprise allows its data only from its own networks."
                    }
                    domain::policy::gate::SUSPENDED => {
                        "An owner or admin of the enterprise suspended your access to its conversations."
                    }
                    domain::policy::gate::SESSION_EXPIRED => {
                        "This session is older or was idle longer than the enterprise allows: sign in again."
                    }
                    _ => "The enterprise requires two-factor authentication: set it up in your security settings.",
                },
            )
            .with(|p| p.org_id = Some(org_id)),
            Error::Rejected { code, detail } => {
                Self::new(S::UNPROCESSABLE_ENTITY, code, "Not accepted", detail)
            }
            Error::FileTooLarge { max } => Self::new(
                S::PAYLOAD_TOO_LARGE,
                "file_too_large",
                "File too large",
                format!("A file may be at most {max} bytes."),
            ),
            Error::TypeMismatch { declared } => Self::new(
                S::UNSUPPORTED_MEDIA_TYPE,
                "type_mismatch",
                "Type does not match the content",
                format!("The file was sent as {declared}, but its content is something else."),
            ),
            Error::RangeNotSatisfiable { size } => Self::new(
                S::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                "Range not satisfiable",
                format!("The file has {size} bytes."),
            ),
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
        let retry_after = self.body.retry_after;
        let json = serde_json::to_vec(&*self.body).unwrap_or_default();
        let mut res = (self.status, json).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

/// Under `/api/`, every error answer is a problem document: one made without one (a rejection
/// of axum's own extractors or routing, or of a layer) is replaced by the problem for its status,
/// its headers (`Allow`, `Retry-After`) kept.
pub async fn problems_only(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !api || !(status.is_client_error() || status.is_server_error()) || is_problem(&res) {
        return res;
    }
    tracing::debug!(%status, "an error answer without a problem document");
    let (mut parts, _) = res.into_parts();
    let problem = ApiError::for_status(status).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in problem.headers() {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, problem.into_body())
}

fn is_problem(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/problem+json")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt;

    /// A router whose handlers answer plain-text errors, as axum's own rejections do.
    fn plain() -> Router {
        let teapot = || async {
            (
                StatusCode::BAD_REQUEST,
                [(header::ALLOW, "GET")],
                "plain text",
            )
        };
        Router::new()
            .route("/api/v1/plain", get(teapot))
            .route("/page", get(teapot))
            .route("/api/v1/fine", get(|| async { "fine" }))
            .layer(axum::middleware::from_fn(super::problems_only))
    }

    async fn call(path: &str) -> (StatusCode, header::HeaderMap, serde_json::Value) {
        let res = plain()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 16).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (parts.status, parts.headers, json)
    }

    #[tokio::test]
    async fn plain_errors_under_api_become_problems() {
        let (status, headers, body) = call("/api/v1/plain").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(headers[header::ALLOW], "GET");
        assert_eq!(body["code"], "invalid_request");
        assert_eq!(body["status"], 400);
    }

    #[tokio::test]
    async fn other_answers_are_left_alone() {
        let (status, headers, body) = call("/page").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_ne!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(body.is_null());
        let (status, headers, _) = call("/api/v1/fine").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
    }
}

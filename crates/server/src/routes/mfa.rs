use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};

use domain::clock::to_datetime;
use proto::mfa::{
    CurrentPassword, DisableTotp, FinishPasskey, PasskeyAdded, PasskeyRegistration, PasskeyView,
    RecoveryCodes, RenamePasskey, SecurityQuestions, SetSecurityQuestions, TotpCode, TotpEnrolment,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth, ClientInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/mfa/totp", post(start_totp).delete(disable_totp))
        .route("/me/mfa/totp/confirm", post(confirm_totp))
        .route("/me/mfa/recovery-codes", post(recovery_codes))
        .route("/me/mfa/webauthn", get(list_passkeys))
        .route(
            "/me/security-questions",
            get(security_questions).put(set_security_questions),
        )
        .route("/me/mfa/webauthn/register/start", post(start_passkey))
        .route("/me/mfa/webauthn/register/finish", post(finish_passkey))
        .route(
            "/me/mfa/webauthn/{id}",
            patch(rename_passkey).delete(remove_passkey),
        )
}

/// Starts TOTP enrolment: a new secret, its `otpauth://` URI and a QR code. Not active until
/// confirmed with a first code.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp", tag = "mfa", request_body = CurrentPassword,
    responses((status = 200, body = TotpEnrolment), (status = 401, description = "invalid_credentials"), (status = 409, description = "mfa_already_enabled"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn start_totp(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<CurrentPassword>,
) -> Result<Json<TotpEnrolment>, ApiError> {
    let e = s.app.start_totp(&auth, &req.current_password).await?;
    Ok(Json(TotpEnrolment {
        secret: e.secret,
        otpauth_uri: e.otpauth_uri,
        qr_svg: e.qr_svg,
    }))
}

/// Turns TOTP on with a first code. The first factor comes with 10 recovery codes, shown once;
/// other sessions end and every bound channel is told.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/confirm", tag = "mfa", request_body = TotpCode,
    responses((status = 200, body = RecoveryCodes), (status = 400, description = "invalid_code"), (status = 404, description = "not_found"), (status = 409, description = "mfa_already_enabled")),
    security(("bearer" = [])))]
pub async fn confirm_totp(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<TotpCode>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = s.app.confirm_totp(&auth, &req.code, &client).await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes.0,
    }))
}

/// Turns TOTP off: the password and a current code.
#[utoipa::path(delete, path = "/api/v1/me/mfa/totp", tag = "mfa", request_body = DisableTotp,
    responses((status = 204), (status = 400, description = "invalid_code"), (status = 401, description = "invalid_credentials"), (status = 409, description = "mfa_not_enabled"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn disable_totp(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<DisableTotp>,
) -> Result<StatusCode, ApiError> {
    s.app
        .disable_totp(&auth, &req.current_password, &req.code, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new set of 10 recovery codes; the old ones stop working.
#[utoipa::path(post, path = "/api/v1/me/mfa/recovery-codes", tag = "mfa", request_body = CurrentPassword,
    responses((status = 200, body = RecoveryCodes), (status = 401, description = "invalid_credentials"), (status = 409, description = "mfa_not_enabled"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn recovery_codes(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<CurrentPassword>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = s
        .app
        .regenerate_recovery_codes(&auth, &req.current_password, &client)
        .await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes.0,
    }))
}

/// Starts registering a passkey: the creation options for the browser.
#[utoipa::path(post, path = "/api/v1/me/mfa/webauthn/register/start", tag = "mfa", request_body = CurrentPassword,
    responses((status = 200, body = PasskeyRegistration), (status = 401, description = "invalid_credentials"), (status = 409, description = "passkeys_unavailable"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn start_passkey(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<CurrentPassword>,
) -> Result<Json<PasskeyRegistration>, ApiError> {
    let (registration_id, options) = s
        .app
        .start_passkey_registration(&auth, &req.current_password)
        .await?;
    Ok(Json(PasskeyRegistration {
        registration_id,
        options,
    }))
}

/// Stores the passkey the browser created. The first factor comes with recovery codes.
#[utoipa::path(post, path = "/api/v1/me/mfa/webauthn/register/finish", tag = "mfa", request_body = FinishPasskey,
    responses((status = 201, body = PasskeyAdded), (status = 400, description = "passkey_rejected"), (status = 409, description = "passkeys_unavailable"), (status = 410, description = "challenge_expired")),
    security(("bearer" = [])))]
pub async fn finish_passkey(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<FinishPasskey>,
) -> Result<(StatusCode, Json<PasskeyAdded>), ApiError> {
    let (p, codes) = s
        .app
        .finish_passkey_registration(
            &auth,
            &req.registration_id,
            req.name.as_deref(),
            &req.credential,
            &client,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PasskeyAdded {
            credential_id: p.credential_id,
            name: p.name,
            recovery_codes: codes.0,
        }),
    ))
}

/// The account's passkeys.
#[utoipa::path(get, path = "/api/v1/me/mfa/webauthn", tag = "mfa",
    responses((status = 200, body = Vec<PasskeyView>), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn list_passkeys(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<Vec<PasskeyView>>, ApiError> {
    Ok(Json(
        s.app
            .passkeys(&auth)
            .await?
            .into_iter()
            .map(|p| PasskeyView {
                credential_id: p.credential_id,
                name: p.name,
                created_at: to_datetime(p.created_at),
                last_used_at: p.last_used_at.map(to_datetime),
            })
            .collect(),
    ))
}

/// Renames a passkey.
#[utoipa::path(patch, path = "/api/v1/me/mfa/webauthn/{id}",
    params(("id" = String, Path, description = "The passkey's credential id.")), tag = "mfa", request_body = RenamePasskey,
    responses((status = 204), (status = 404, description = "not_found")),
    security(("bearer" = [])))]
pub async fn rename_passkey(
    State(s): State<AppState>,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RenamePasskey>,
) -> Result<StatusCode, ApiError> {
    s.app.rename_passkey(&auth, &id, &req.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a passkey: needs the password.
#[utoipa::path(delete, path = "/api/v1/me/mfa/webauthn/{id}",
    params(("id" = String, Path, description = "The passkey's credential id.")), tag = "mfa", request_body = CurrentPassword,
    responses((status = 204), (status = 401, description = "invalid_credentials"), (status = 404, description = "not_found"), (status = 429, description = "too_many_requests")),
    security(("bearer" = [])))]
pub async fn remove_passkey(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CurrentPassword>,
) -> Result<StatusCode, ApiError> {
    s.app
        .remove_passkey(&auth, &id, &req.current_password, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's security questions (never the answers). They serve as extra evidence for the
/// support desk only.
#[utoipa::path(get, path = "/api/v1/me/security-questions", tag = "mfa",
    responses((status = 200, body = SecurityQuestions), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn security_questions(
    State(s): State<AppState>,
    Auth(auth): Auth,
) -> Result<Json<SecurityQuestions>, ApiError> {
    Ok(Json(SecurityQuestions {
        questions: s.app.security_questions(&auth).await?,
    }))
}

/// Replaces the security questions: at most 3, answers normalised (width, case, spaces) and
/// hashed. Needs the password.
#[utoipa::path(put, path = "/api/v1/me/security-questions", tag = "mfa", request_body = SetSecurityQuestions,
    responses((status = 204), (status = 401, description = "invalid_credentials"), (status = 429, description = "too_many_requests"), (status = 400, description = "invalid_request")),
    security(("bearer" = [])))]
pub async fn set_security_questions(
    State(s): State<AppState>,
    ClientInfo(client): ClientInfo,
    Auth(auth): Auth,
    ApiJson(req): ApiJson<SetSecurityQuestions>,
) -> Result<StatusCode, ApiError> {
    let pairs: Vec<(String, String)> = req
        .questions
        .into_iter()
        .map(|q| (q.question, q.answer))
        .collect();
    s.app
        .set_security_questions(&auth, &req.current_password, &pairs, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

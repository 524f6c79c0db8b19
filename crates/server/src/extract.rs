//! Extractors: JSON bodies, path and query parameters with problem-details rejections, the
//! caller's session, the client. Handlers of the JSON API use these, never axum's `Json`, `Path`
//! or `Query` directly, whose rejections are plain text.

use std::net::SocketAddr;

use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};

use domain::app::Client;
use domain::sessions::Authenticated;

use crate::AppState;
use crate::error::ApiError;

/// A JSON body. Malformed JSON and unknown fields → `400 invalid_request`; a missing or wrong
/// content type → `415`; over 64 KiB → `413`.
pub struct ApiJson<T>(pub T);

/// A request body that must be a JSON object. serde would also fill a struct from an array of
/// its fields in order (`[null, null]`), which no client of this API sends and the OpenAPI
/// document does not allow.
struct ObjectOnly<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Object<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(Object(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<ObjectOnly<T>>::from_request(req, state).await {
            Ok(axum::Json(ObjectOnly(v))) => Ok(ApiJson(v)),
            Err(rejection) => Err(match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::unsupported_media_type(),
                _ => ApiError::invalid_request(rejection.body_text()),
            }),
        }
    }
}

/// A JSON body that may also be left empty (then `T::default()`), for calls whose fields are
/// all optional.
pub struct ApiJsonOrEmpty<T>(pub T);

impl<S, T> FromRequest<S> for ApiJsonOrEmpty<T>
where
    T: serde::de::DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::payload_too_large())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiJsonOrEmpty(T::default()));
        }
        serde_json::from_slice::<ObjectOnly<T>>(&bytes)
            .map(|ObjectOnly(v)| ApiJsonOrEmpty(v))
            .map_err(|e| ApiError::invalid_request(e.to_string()))
    }
}

/// The client's IP and user agent. Behind a trusted proxy (`behind_proxy`), the IP is the last
/// `X-Forwarded-For` hop.
pub struct ClientInfo(pub Client);

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        let forwarded = state
            .app
            .config
            .behind_proxy
            .then(|| parts.headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_owned())
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect();
        Ok(ClientInfo(Client {
            ip: forwarded.unwrap_or(peer),
            user_agent,
        }))
    }
}

/// The caller's live session, from `Authorization: Bearer`.
pub struct Auth(pub Authenticated);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or(domain::Error::Unauthenticated)?
            .to_owned();
        let ClientInfo(client) = ClientInfo::from_request_parts(parts, state).await?;
        Ok(Auth(state.app.authenticate(&token, &client.ip).await?))
    }
}

/// A query string; a malformed one → `400 invalid_request`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|r| ApiError::invalid_request(r.body_text()))
    }
}

/// Path parameters. One that is not valid percent-encoded UTF-8, or that holds a control
/// character (no id or keyword has one, and PostgreSQL refuses NUL in text), → `400
/// invalid_request`.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|r| ApiError::invalid_request(r.body_text()))?;
        if let Some((name, _)) = raw.iter().find(|(_, v)| v.chars().any(char::is_control)) {
            return Err(ApiError::invalid_request(format!(
                "The path parameter `{name}` must not contain control characters."
            )));
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                Err(ApiError::invalid_request(e.body_text()))
            }
            // The route and the handler disagree: a bug, not the client's fault.
            Err(other) => Err(domain::Error::Internal(other.body_text()).into()),
        }
    }
}

/// The language the caller reads (`Accept-Language`: English for `en*`, else zh-CN), for texts
/// of the API that people read as they are.
pub struct ApiLang(pub crate::web::i18n::Tr);

impl<S: Send + Sync> FromRequestParts<S> for ApiLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let lang = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::web::i18n::Lang::from_accept)
            .unwrap_or(crate::web::i18n::Lang::Zh);
        Ok(ApiLang(crate::web::i18n::Tr(lang)))
    }
}

//! The dev outbox: with `--dev`, the messages the dev driver "sent"; without it, `404`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use domain::clock::to_datetime;
use domain::identifier::Destination;
use proto::dev::{DevMessage, DevOutbox};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiQuery;

pub fn router() -> Router<AppState> {
    Router::new().route("/dev/outbox", get(outbox))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// A phone or e-mail, written as the user would; normalised before matching.
    destination: Option<String>,
}

/// Messages "sent" by the dev driver, newest first (dev mode only).
#[utoipa::path(get, path = "/api/v1/dev/outbox", tag = "dev", params(Filter), responses((status = 200, body = DevOutbox), (status = 404, description = "not_found")))]
pub async fn outbox(
    State(s): State<AppState>,
    ApiQuery(f): ApiQuery<Filter>,
) -> Result<Json<DevOutbox>, ApiError> {
    if !s.app.config.dev {
        return Err(ApiError::not_found());
    }
    let destination = f.destination.map(|d| {
        Destination::parse_identifier(&d, &s.app.config.default_region)
            .map(|p| p.as_str().to_owned())
            .unwrap_or(d)
    });
    let list = s.app.dev_messages(destination.as_deref(), 100).await?;
    Ok(Json(DevOutbox {
        messages: list
            .into_iter()
            .map(|m| DevMessage {
                id: m.id,
                channel: m.channel.as_str().into(),
                destination: m.destination,
                subject: m.subject,
                body: m.body,
                code: m.code,
                created_at: to_datetime(m.created_at),
            })
            .collect(),
    }))
}

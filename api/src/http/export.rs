//! `GET /export/matches.csv` and `GET /export/metrics.csv` for the OSPO
//! (bearer token; 401 without one, 403 for anyone else): `programId`, and
//! for the metrics `from` and `to` (`YYYY-MM-DD`). The matches are streamed
//! a page at a time. Both read from the read replica when one is configured.
//! `GET /me/export.json`: the caller's own data (as `myData`), from the
//! primary, so what they just changed is in it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use futures_util::stream;

use super::AppState;
use super::rest::{authenticate, refuse_error};
use crate::error::ApiError;
use crate::service::OspoTask;
use crate::service::export::{MatchExport, metrics_csv};

#[derive(serde::Deserialize)]
struct Params {
    #[serde(rename = "programId")]
    program_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn params(req: &HttpRequest) -> Result<Params, ApiError> {
    web::Query::<Params>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::BadUserInput(format!("bad query string: {e}")))
}

fn date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    raw.map(|d| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::BadUserInput(format!("{field} must be a date, YYYY-MM-DD")))
    })
    .transpose()
}

fn csv_response(name: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

pub(super) async fn matches(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let viewer = match authenticate(&state, &req).await {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal,
    };
    let export = async {
        let ospo = viewer.as_ospo()?;
        let params = params(&req)?;
        MatchExport::new(&state.reads, OspoTask::Admin(ospo), params.program_id).await
    };
    let export = match export.await {
        Ok(export) => export,
        Err(e) => return refuse_error(&e),
    };
    // Each page becomes one chunk of the body; an error after the first
    // chunk can only cut the download short, and is logged.
    let chunks = stream::unfold(export, |mut export| async move {
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(web::Bytes::from(chunk)), export)),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "matches export failed midway");
                Some((Err(actix_web::error::ErrorInternalServerError(e)), export))
            }
        }
    });
    csv_response("matches.csv").streaming(chunks)
}

pub(super) async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let viewer = match authenticate(&state, &req).await {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal,
    };
    let body = async {
        let ospo = viewer.as_ospo()?;
        let params = params(&req)?;
        let (from, to) = (
            date("from", params.from.as_deref())?,
            date("to", params.to.as_deref())?,
        );
        metrics_csv(
            &state.db,
            OspoTask::Admin(ospo),
            params.program_id,
            from,
            to,
        )
        .await
    };
    match body.await {
        Ok(body) => csv_response("metrics.csv").body(body),
        Err(e) => refuse_error(&e),
    }
}

/// `GET /me/export.json`: everything kept about the caller, as a download.
pub(super) async fn my_data(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let viewer = match authenticate(&state, &req).await {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal,
    };
    match crate::service::privacy::my_data(&state, &viewer).await {
        Ok(document) => HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tandem-my-data.json\"",
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(document),
        Err(e) => refuse_error(&e),
    }
}

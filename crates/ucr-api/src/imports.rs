//! Bulk loading over HTTP (`/api/v1/imports`) and export (`/api/v1/export`): the same import
//! and export code as the command line.

use crate::access::caller;
use crate::entries::blocking;
use crate::problem::ApiError;
use crate::State;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde_json::json;
use std::io::{Seek as _, Write as _};
use ucr_core::bulk::read::{Encoding, Format};
use ucr_core::bulk::{MatchKey, Mode, Options, Outcome, Source};
use ucr_core::export::{ExportFormat, ExportOptions};
use ucr_core::{Filter, Kind, Status};

/// Registers the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/imports")
            .route(crate::service::get_or_head().to(list))
            .route(web::post().to(create))
            .default_service(web::to(crate::entries::not_allowed)),
    )
    .service(
        web::resource("/api/v1/imports/{id}/undo")
            .route(web::post().to(undo))
            .default_service(web::to(crate::entries::not_allowed)),
    )
    .service(
        web::resource("/api/v1/imports/{id}")
            .route(crate::service::get_or_head().to(get))
            .default_service(web::to(crate::entries::not_allowed)),
    )
    .service(
        web::resource("/api/v1/export")
            .route(crate::service::get_or_head().to(export))
            .default_service(web::to(crate::entries::not_allowed)),
    );
}

fn query(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("unreadable query string: {e}")))
}

fn flag(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "`{name}={value}`: true or false"
        ))),
    }
}

/// A temporary file the body is spooled to, removed on drop.
async fn create(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state).await?;
    who.require(ucr_core::Action::Load)?;
    let mut options = Options {
        mode: Mode::Create,
        match_on: Default::default(),
        dialect: Default::default(),
        atomic: true,
        dry_run: false,
        kind: None,
        writer: who.writer(),
    };
    let mut name = "upload".to_string();
    let mut summary = false;
    for (key, value) in query(&req)? {
        match key.as_str() {
            "dry_run" => options.dry_run = flag(&key, &value)?,
            "atomic" => options.atomic = flag(&key, &value)?,
            "mode" => {
                options.mode = match value.as_str() {
                    "create" => Mode::Create,
                    "upsert" => Mode::Upsert,
                    _ => return Err(ApiError::bad_request(format!("`mode={value}`: create or upsert"))),
                }
            }
            "kind" => {
                options.kind = Some(Kind::parse(&value).ok_or_else(|| {
                    ApiError::bad_request(format!("`kind={value}`: one of {}", Kind::words().join(", ")))
                })?)
            }
            "match" => {
                options.match_on = MatchKey::parse(&value).ok_or_else(|| {
                    let all: Vec<&str> = MatchKey::ALL.iter().map(|k| k.as_str()).collect();
                    ApiError::bad_request(format!("`match={value}`: one of {}", all.join(", ")))
                })?
            }
            "delimiter" => {
                options.dialect.delimiter = Some(match value.as_str() {
                    "," => b',',
                    ";" => b';',
                    "tab" | "\t" => b'\t',
                    _ => return Err(ApiError::bad_request(format!("`delimiter={value}`: `,`, `;` or `tab`"))),
                })
            }
            "encoding" => {
                options.dialect.encoding = Encoding::parse(&value).ok_or_else(|| {
                    let all: Vec<&str> = Encoding::ALL.iter().map(|e| e.as_str()).collect();
                    ApiError::bad_request(format!("`encoding={value}`: one of {}", all.join(", ")))
                })?
            }
            "filename" => name = value,
            "summary" => summary = flag(&key, &value)?,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{key}`; imports take dry_run, atomic, mode, match, kind, delimiter, encoding, filename, summary"
                )))
            }
        }
    }
    if options.mode == Mode::Create && options.match_on != MatchKey::RegistryNumber {
        return Err(ApiError::bad_request(format!(
            "`match={}` matches rows to existing entries: it needs `mode=upsert`",
            options.match_on.as_str()
        )));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let format = match essence.as_str() {
        "application/json" => Format::Json,
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => Format::Ndjson,
        "text/csv" => Format::Csv,
        _ => {
            return Err(ApiError::unsupported_media_type(
                "application/json (an array), application/x-ndjson or text/csv",
                &content_type,
            ))
        }
    };
    // The body goes to a temporary file, so a large load never sits in memory. The file has
    // no name: the system removes it when it is closed, whichever way this request ends.
    let mut file =
        tempfile::tempfile().map_err(|e| ApiError::internal(format!("spooling the body: {e}")))?;
    let mut size = 0usize;
    // The limit applies to the decoded body, so a small compressed bomb is refused too.
    let mut payload = crate::body::decoded(&req, payload)?;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(crate::body::unreadable)?;
        size += chunk.len();
        if size > state.config.import_limit {
            return Err(ApiError::too_large(state.config.import_limit));
        }
        file.write_all(&chunk)
            .map_err(|e| ApiError::internal(format!("spooling the body: {e}")))?;
    }
    let register = state.register.clone();
    let opts = options.clone();
    let report = blocking(move || {
        file.rewind().map_err(|e| {
            ucr_core::RegisterError::Database(format!("reading the spooled body: {e}"))
        })?;
        let sources = vec![Source {
            name,
            reader: Box::new(file),
            format,
        }];
        register.import(sources, &opts, &mut |_| {})
    })
    .await?;
    let mut report = report;
    if summary {
        report.summarise();
    }
    let body = serde_json::to_value(&report).unwrap_or_default();
    Ok(match report.outcome {
        Outcome::DryRun => HttpResponse::Ok().json(body),
        Outcome::Committed => {
            let mut res = HttpResponse::Created();
            if let Some(id) = report.import_id {
                res.insert_header((header::LOCATION, format!("/api/v1/imports/{id}")));
            }
            res.json(body)
        }
        Outcome::Rejected => {
            let mut err = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import-rejected",
                "The load was refused; nothing was written",
                format!("{} row(s) rejected; see `report`", report.rejected),
            );
            err.0.report = Some(body);
            err.error_response()
        }
        Outcome::Unreadable => {
            let mut err = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import-unreadable",
                "The body cannot be read as the declared format",
                format!(
                    "no row of the body could be read as an entry of {essence}; nothing was written or recorded; see `report`"
                ),
            );
            err.0.report = Some(body);
            err.error_response()
        }
    })
}

async fn list(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)
        .await?
        .require(ucr_core::Action::ReadImports)?;
    let register = state.register.clone();
    let all = blocking(move || register.imports()).await?;
    Ok(HttpResponse::Ok().json(json!({"items": all, "next_cursor": null, "total": all.len()})))
}

fn import_id(req: &HttpRequest) -> Result<String, ApiError> {
    let id = req.match_info().get("id").unwrap_or_default();
    uuid::Uuid::parse_str(id)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::not_found(format!("no import {id}")))
}

async fn get(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    caller(&req, &state)
        .await?
        .require(ucr_core::Action::ReadImports)?;
    let id = import_id(&req)?;
    let register = state.register.clone();
    let record = blocking(move || register.import_record(&id)).await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn undo(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state).await?;
    who.require(ucr_core::Action::UndoImport)?;
    let id = import_id(&req)?;
    let register = state.register.clone();
    let w = who.writer();
    let record = blocking(move || register.undo_import(&id, &w)).await?;
    Ok(HttpResponse::Ok().json(record))
}

/// Writes into the response stream in chunks; a closed connection stops the export.
struct Chunks {
    tx: tokio::sync::mpsc::Sender<Result<web::Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl std::io::Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = web::Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

async fn export(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state).await?;
    who.require_read(&state)?;
    let mut format = None;
    let mut filter = Filter::default();
    for (key, value) in query(&req)? {
        let bad = |what: &str| ApiError::bad_request(format!("`{key}={value}`: {what}"));
        match key.as_str() {
            "format" => {
                format = Some(
                    ExportFormat::parse(&value)
                        .ok_or_else(|| bad("ndjson, csv, geojson or jsonld"))?,
                )
            }
            "kind" => filter.kind = Some(Kind::parse(&value).ok_or_else(|| bad("not a kind"))?),
            "status" => {
                filter.status = Some(Status::parse(&value).ok_or_else(|| bad("not a status"))?)
            }
            "region" => {
                ucr_core::regions::unit(&value).ok_or_else(|| bad("not an ISO 3166-2:AZ code"))?;
                filter.region = Some(value);
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{key}`; export takes format, kind, region, status"
                )))
            }
        }
    }
    let format =
        format.ok_or_else(|| ApiError::bad_request("say format=ndjson, csv, geojson or jsonld"))?;
    let options = ExportOptions {
        format,
        filter,
        personal_data: who.sees_personal_data(),
        base_url: Some(state.public_url(&req)),
    };
    ucr_core::export::check_options(&options).map_err(ApiError::bad_request)?;
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let register = state.register.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut out = Chunks {
            tx: tx.clone(),
            buf: Vec::new(),
        };
        if let Err(e) = register.export(&options, &mut out) {
            tracing::warn!(error = %e, "export stopped");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .streaming(stream))
}

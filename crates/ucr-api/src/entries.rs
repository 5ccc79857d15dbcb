//! The six collections (`/api/v1/theatres` …), entries by id or registry number, and history.

use crate::access::{caller, read_as, Caller};
use crate::body;
use crate::problem::ApiError;
use crate::State;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use ucr_core::cursor::{HistoryCursor, ListCursor};
use ucr_core::query::{Filter, PAGE_MAX};
use ucr_core::vocab::*;
use ucr_core::{Action, Entry, Register, RegisterError, Revision, Saved, Write};

/// Entries on a page when the client does not say.
pub const DEFAULT_LIMIT: i64 = 50;

/// Registers the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/entries/{key}/history/{version}")
            .route(crate::service::get_or_head().to(revision))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/api/v1/entries/{key}/history")
            .route(crate::service::get_or_head().to(history))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/api/v1/entries/{key}")
            .route(crate::service::get_or_head().to(get_any))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/api/v1/{collection}")
            .route(crate::service::get_or_head().to(list))
            .route(web::post().to(create))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/api/v1/{collection}/{key}")
            .route(crate::service::get_or_head().to(get_one))
            .route(web::put().to(replace))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete))
            .default_service(web::to(not_allowed)),
    );
}

/// 405 with `Allow`, or 404 for a collection that does not exist.
pub async fn not_allowed(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    if let Some(c) = req.match_info().get("collection") {
        if collection_kind(c).is_none() {
            return ApiError::not_found(format!("no collection {c}")).error_response();
        }
    }
    let allow = match req.match_pattern().as_deref() {
        Some("/api/v1/{collection}") => "GET, HEAD, POST",
        Some("/api/v1/{collection}/{key}") => "GET, HEAD, PUT, PATCH, DELETE",
        Some("/api/v1/imports" | "/oai" | "/reconcile") => "GET, HEAD, POST",
        Some("/api/v1/imports/{id}/undo") => "POST",
        _ => "GET, HEAD",
    };
    let mut res = ApiError::method_not_allowed(req.method().as_str(), req.path()).error_response();
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    res
}

fn collection_kind(name: &str) -> Option<Kind> {
    Kind::ALL.iter().copied().find(|k| k.collection() == name)
}

fn kind_of(req: &HttpRequest) -> Result<Kind, ApiError> {
    let name = req.match_info().get("collection").unwrap_or_default();
    collection_kind(name).ok_or_else(|| ApiError::not_found(format!("no collection {name}")))
}

fn key_of(req: &HttpRequest) -> String {
    req.match_info().get("key").unwrap_or_default().to_string()
}

/// Runs blocking register work off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RegisterError> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
        .map_err(ApiError::from)
}

/// The ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What a change's `If-Match` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match` (allowed only when the service runs with `IfMatch::Optional`).
    Absent,
    /// `*`: any current version.
    Any,
    /// The versions of the strong entity tags listed; weak tags (`W/"3"`) never match under
    /// the strong comparison of RFC 9110, and a tag that names no version matches nothing.
    Tags(Vec<i64>),
}

/// Reads `If-Match` (RFC 9110 §13.1.1): `*` or a list of entity tags. Without it, a change
/// gets 428 unless the service runs with `IfMatch::Optional`.
pub fn precondition(req: &HttpRequest, state: &State) -> Result<Precondition, ApiError> {
    let values: Vec<_> = req.headers().get_all(header::IF_MATCH).collect();
    if values.is_empty() {
        return match state.config.if_match {
            crate::IfMatch::Required => Err(ApiError::precondition_required(req.path())),
            crate::IfMatch::Optional => Ok(Precondition::Absent),
        };
    }
    let mut versions = Vec::new();
    for value in values {
        let text = value
            .to_str()
            .map_err(|_| ApiError::bad_request("If-Match is not readable text"))?;
        if text.trim() == "*" {
            return Ok(Precondition::Any);
        }
        versions.extend(
            entity_tags(text)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "If-Match `{text}` is not `*` or a list of entity tags such as \"3\""
                    ))
                })?
                .into_iter()
                .filter_map(|(weak, tag)| (!weak).then(|| tag.parse::<i64>().ok()).flatten()),
        );
    }
    Ok(Precondition::Tags(versions))
}

/// The entity tags of a list (`"1", W/"2"`) as (weak, opaque tag); `None` when the text is
/// not a list of entity tags (RFC 9110 §8.8.3; a tag may hold commas, lists may hold empty
/// elements).
fn entity_tags(text: &str) -> Option<Vec<(bool, &str)>> {
    let blank = |c: char| c == ' ' || c == '\t';
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| blank(c) || c == ',');
        if rest.is_empty() {
            break;
        }
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let inside = quoted.strip_prefix('"')?;
        let close = inside.find('"')?;
        tags.push((weak, &inside[..close]));
        rest = inside[close + 1..].trim_start_matches(blank);
        if !(rest.is_empty() || rest.starts_with(',')) {
            return None;
        }
    }
    (!tags.is_empty()).then_some(tags)
}

/// The version a change expects, given the entry's current version: `None` for any version,
/// 412 when no strong tag of `If-Match` names the current one. The store checks the version
/// again in the write, so a change made meanwhile is still refused.
fn expected_version(pre: &Precondition, current: i64) -> Result<Option<i64>, ApiError> {
    match pre {
        Precondition::Absent | Precondition::Any => Ok(None),
        Precondition::Tags(versions) if versions.contains(&current) => Ok(Some(current)),
        Precondition::Tags(versions) => Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "version-mismatch",
            "The entry changed since it was read",
            format!(
                "If-Match names {}, the entry is at version {current} (ETag \"{current}\"): read it again; weak tags (W/) never match",
                if versions.is_empty() {
                    "no strong entity tag".to_string()
                } else {
                    format!("version(s) {}", versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
                }
            ),
        )),
    }
}

fn write_for(req: &HttpRequest, who: &Caller) -> Result<Write, ApiError> {
    let mut w = who.writer();
    if let Some(reason) = req.headers().get("UCR-Reason") {
        // UTF-8, so that a reason in Azerbaijani is kept, not dropped.
        let reason = std::str::from_utf8(reason.as_bytes())
            .map_err(|_| ApiError::bad_request("UCR-Reason: not UTF-8"))?;
        w.reason = Some(reason.to_string());
    }
    Ok(w)
}

/// An entry as the caller may see it: `head` is personal data, hidden from anonymous callers.
pub fn visible(entry: &Entry, who: &Caller) -> Value {
    if who.sees_personal_data() {
        entry.to_json()
    } else {
        entry.to_public_json()
    }
}

fn entry_response(status: StatusCode, entry: &Entry, who: &Caller) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(entry.version)))
        .json(visible(entry, who))
}

fn saved_response(status: StatusCode, saved: &Saved, who: &Caller) -> HttpResponse {
    let location = format!(
        "/api/v1/{}/{}",
        saved.entry.kind().collection(),
        saved.entry.id
    );
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag(saved.entry.version)));
    if status == StatusCode::CREATED {
        res.insert_header((header::LOCATION, location));
    }
    res.json(
        json!({"entry": visible(&saved.entry, who), "warnings": saved.warnings,
                    "notices": saved.notices}),
    )
}

/// An inventory number to filter by: 1–100 characters, dashes read as `-`.
pub fn inventory_number(value: &str) -> Result<String, &'static str> {
    let n = ucr_core::query::inventory_number(value);
    if n.is_empty() || n.chars().count() > 100 {
        return Err("an inventory number of 1 to 100 characters");
    }
    Ok(n)
}

/// Parses the list query of a collection.
fn list_filter(req: &HttpRequest, kind: Kind) -> Result<(Filter, i64, Option<String>), ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("unreadable query string: {e}")))?;
    let type_field = ucr_core::catalogue::type_field(kind);
    let mut filter = Filter {
        kind: Some(kind),
        ..Default::default()
    };
    let mut limit = DEFAULT_LIMIT;
    let mut cursor = None;
    for (name, value) in pairs {
        let bad = |what: &str| ApiError::bad_request(format!("`{name}={value}`: {what}"));
        match name.as_str() {
            "status" => {
                filter.status = Some(Status::parse(&value).ok_or_else(|| {
                    bad(&format!("status is one of {}", Status::words().join(", ")))
                })?)
            }
            "region" => {
                ucr_core::regions::unit(&value)
                    .ok_or_else(|| bad("not an ISO 3166-2:AZ code"))?;
                filter.region = Some(value);
            }
            "economic_region" => {
                ucr_core::regions::economic_region(&value)
                    .ok_or_else(|| bad("not an economic region code"))?;
                filter.economic_region = Some(value);
            }
            "ownership" if kind.is_institution() => {
                filter.ownership = Some(Ownership::parse(&value).ok_or_else(|| {
                    bad(&format!("ownership is one of {}", Ownership::words().join(", ")))
                })?)
            }
            "limit" => {
                limit = page_limit(&value).map_err(|m| bad(&m))?
            }
            "cursor" => {
                value
                    .parse::<ListCursor>()
                    .map_err(|e| bad(&e.to_string()))?;
                cursor = Some(value);
            }
            "inventory_number" if kind == Kind::HeritageObject => {
                filter.inventory_number = Some(inventory_number(&value).map_err(&bad)?);
            }
            n if n == type_field.0 => {
                if !type_field.1.contains(&value.as_str()) {
                    return Err(bad(&format!("{n} is one of {}", type_field.1.join(", "))));
                }
                filter.type_word = Some(value);
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{name}`; this list takes status, region, economic_region, {}{}{}, limit, cursor",
                    if kind.is_institution() { "ownership, " } else { "" },
                    type_field.0,
                    if kind == Kind::HeritageObject { ", inventory_number" } else { "" }
                )))
            }
        }
    }
    Ok((filter, limit, cursor))
}

async fn list(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let who = caller(&req, &state).await?;
    who.require_read(&state)?;
    let (filter, limit, cursor) = list_filter(&req, kind)?;
    let register = state.register.clone();
    let listing = blocking(move || register.list(&filter, limit, cursor.as_deref())).await?;
    if crate::jsonld::wanted(&req) {
        return Ok(crate::jsonld::page(&req, &state, &listing, &who));
    }
    let items: Vec<Value> = listing.items.iter().map(|e| visible(e, &who)).collect();
    Ok(crate::jsonld::varies(HttpResponse::Ok().json(json!({
        "items": items,
        "next_cursor": listing.next_cursor,
        "total": listing.total,
    }))))
}

/// Reads a JSON body for a collection of `kind`: `kind` may be left out; another kind is an error.
async fn entry_body(
    req: &HttpRequest,
    payload: web::Payload,
    state: &State,
    kind: Kind,
    media_type: &str,
) -> Result<Value, ApiError> {
    body::require_type(req, media_type)?;
    let bytes = body::read(req, payload, state.config.body_limit).await?;
    let mut value = body::json(&bytes)?;
    if let Some(map) = value.as_object_mut() {
        match map.get("kind") {
            None if media_type == "application/json" => {
                map.insert("kind".into(), Value::String(kind.as_str().into()));
            }
            Some(Value::String(k)) if k != kind.as_str() => {
                return Err(RegisterError::Invalid(vec![ucr_core::Problem::error(
                    "/kind",
                    ucr_core::Code::NotInVocabulary,
                    format!(
                        "/api/v1/{} holds entries of kind {}, not {k}",
                        kind.collection(),
                        kind.as_str()
                    ),
                )])
                .into())
            }
            _ => {}
        }
    }
    Ok(value)
}

async fn create(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let who = caller(&req, &state).await?;
    who.require(Action::Create)?;
    let w = write_for(&req, &who)?;
    let value = entry_body(&req, payload, &state, kind, "application/json").await?;
    let register = state.register.clone();
    let saved = blocking(move || register.create(value, &w)).await?;
    Ok(saved_response(StatusCode::CREATED, &saved, &who))
}

/// The entry of this collection named by the path (id or registry number).
async fn entry_in(register: &Register, kind: Kind, key: &str) -> Result<Entry, ApiError> {
    let register = register.clone();
    let k = key.to_string();
    let entry = blocking(move || register.get(&k)).await?;
    if entry.kind() != kind {
        return Err(ApiError::not_found(format!(
            "no entry {key} in /api/v1/{}",
            kind.collection()
        )));
    }
    Ok(entry)
}

async fn get_one(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let key = key_of(&req);
    let (who, entry) = read_as(&req, &state, move |r| Ok(r.get(&key)?)).await?;
    if entry.kind() != kind {
        return Err(ApiError::not_found(format!(
            "no entry {} in /api/v1/{}",
            key_of(&req),
            kind.collection()
        )));
    }
    Ok(negotiated(&req, &state, &entry, &who))
}

/// An entry read: JSON-LD when the client asks for it, otherwise the entry's JSON.
fn negotiated(req: &HttpRequest, state: &State, entry: &Entry, who: &Caller) -> HttpResponse {
    if crate::jsonld::wanted(req) {
        return crate::jsonld::entry(req, state, entry, who);
    }
    crate::jsonld::varies(entry_response(StatusCode::OK, entry, who))
}

/// How a changing request applies its body: a full replace or a merge patch.
type Change = fn(&Register, &str, Value, &Write) -> Result<Saved, RegisterError>;

/// PUT and PATCH: a clerk's change of an entry of this collection, by the body's media type.
async fn change(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
    media_type: &str,
    apply: Change,
) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let who = caller(&req, &state).await?;
    who.require(Action::Change)?;
    let pre = precondition(&req, &state)?;
    let mut w = write_for(&req, &who)?;
    let value = entry_body(&req, payload, &state, kind, media_type).await?;
    let entry = entry_in(&state.register, kind, &key_of(&req)).await?;
    w.expected_version = expected_version(&pre, entry.version)?;
    let register = state.register.clone();
    let key = entry.id.to_string();
    let saved = blocking(move || apply(&register, &key, value, &w)).await?;
    Ok(saved_response(StatusCode::OK, &saved, &who))
}

async fn replace(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Result<HttpResponse, ApiError> {
    change(
        req,
        payload,
        state,
        "application/json",
        |r, key, value, w| r.replace(key, value, w),
    )
    .await
}

async fn patch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Result<HttpResponse, ApiError> {
    change(
        req,
        payload,
        state,
        "application/merge-patch+json",
        |r, key, value, w| r.patch(key, &value, w),
    )
    .await
}

async fn delete(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let who = caller(&req, &state).await?;
    who.require(Action::Delete)?;
    let pre = precondition(&req, &state)?;
    let mut w = write_for(&req, &who)?;
    let entry = entry_in(&state.register, kind, &key_of(&req)).await?;
    w.expected_version = expected_version(&pre, entry.version)?;
    let register = state.register.clone();
    let key = entry.id.to_string();
    blocking(move || register.delete(&key, &w)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn get_any(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let key = key_of(&req);
    let (who, entry) = read_as(&req, &state, move |r| Ok(r.get(&key)?)).await?;
    Ok(negotiated(&req, &state, &entry, &who))
}

/// A revision as the caller may see it.
pub fn revision_json(r: &Revision, who: &Caller) -> Value {
    let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
    value["entry"] = visible(&r.entry, who);
    value
}

/// A page's `limit`: a whole number from 1 to [`PAGE_MAX`].
fn page_limit(value: &str) -> Result<i64, String> {
    value
        .parse::<i64>()
        .ok()
        .filter(|l| (1..=PAGE_MAX).contains(l))
        .ok_or_else(|| format!("limit is a whole number from 1 to {PAGE_MAX}"))
}

/// The query of a history: `limit` and `cursor`, nothing else.
fn history_query(req: &HttpRequest) -> Result<(i64, Option<String>), ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("unreadable query string: {e}")))?;
    let mut limit = DEFAULT_LIMIT;
    let mut cursor = None;
    for (name, value) in pairs {
        let bad = |what: &str| ApiError::bad_request(format!("`{name}={value}`: {what}"));
        match name.as_str() {
            "limit" => limit = page_limit(&value).map_err(|m| bad(&m))?,
            "cursor" => {
                value
                    .parse::<HistoryCursor>()
                    .map_err(|e| bad(&e.to_string()))?;
                cursor = Some(value);
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{name}`; a history takes limit, cursor"
                )))
            }
        }
    }
    Ok((limit, cursor))
}

async fn history(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state).await?;
    who.require_read(&state)?;
    let (limit, cursor) = history_query(&req)?;
    let register = state.register.clone();
    let key = key_of(&req);
    let page = blocking(move || register.history_page(&key, limit, cursor.as_deref())).await?;
    let items: Vec<Value> = page.items.iter().map(|r| revision_json(r, &who)).collect();
    Ok(HttpResponse::Ok().json(json!({
        "items": items,
        "next_cursor": page.next_cursor,
        "total": page.total,
    })))
}

async fn revision(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state).await?;
    who.require_read(&state)?;
    let version_text = req.match_info().get("version").unwrap_or_default();
    let version = version_text
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| ApiError::not_found(format!("no version {version_text}")))?;
    let register = state.register.clone();
    let key = key_of(&req);
    let r = blocking(move || register.revision(&key, version)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(r.version)))
        .json(revision_json(&r, &who)))
}

#[cfg(test)]
mod tests {
    use super::entity_tags;

    #[test]
    fn if_match_lists_are_read_as_rfc_9110_writes_them() {
        assert_eq!(entity_tags("\"3\""), Some(vec![(false, "3")]));
        assert_eq!(
            entity_tags(" , \"1\",W/\"2\" ,\t\"a,b\",, "),
            Some(vec![(false, "1"), (true, "2"), (false, "a,b")])
        );
        assert_eq!(entity_tags("\"\""), Some(vec![(false, "")]));
        for bad in [
            "",
            " , ",
            "3",
            "\"3",
            "W/3",
            "\"1\" \"2\"",
            "\"1\"x",
            "w/\"1\"",
        ] {
            assert_eq!(entity_tags(bad), None, "{bad}");
        }
    }
}

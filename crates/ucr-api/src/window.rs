//! The single window: `GET /api/v1/entries` (search over every sub-register),
//! `GET /api/v1/changes` (the change feed) and `GET /api/v1/stats`.

use crate::access::{caller, read_as};
use crate::entries::{blocking, not_allowed, revision_json};
use crate::problem::ApiError;
use crate::State;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use ucr_core::query::PAGE_MAX;
use ucr_core::search::{GroupBy, Search, Sort};
use ucr_core::{Kind, Status};

/// Registers the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/entries")
            .route(crate::service::get_or_head().to(search))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/api/v1/changes")
            .route(crate::service::get_or_head().to(changes))
            .default_service(web::to(not_allowed)),
    )
    .service(
        web::resource("/api/v1/stats")
            .route(crate::service::get_or_head().to(stats))
            .default_service(web::to(not_allowed)),
    );
}

fn pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("unreadable query string: {e}")))
}

fn number(name: &str, value: &str) -> Result<f64, ApiError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ApiError::bad_request(format!("`{name}={value}`: not a number")))
}

/// Reads the search parameters; `extra` names the parameters only this endpoint takes.
fn search_params(
    req: &HttpRequest,
    extra: &[&str],
) -> Result<(Search, Vec<(String, String)>), ApiError> {
    let mut s = Search {
        limit: crate::entries::DEFAULT_LIMIT,
        ..Default::default()
    };
    let mut radius = None;
    let mut near = None;
    let mut rest = Vec::new();
    for (name, value) in pairs(req)? {
        let bad = |what: &str| ApiError::bad_request(format!("`{name}={value}`: {what}"));
        match name.as_str() {
            "q" => {
                if value.chars().count() > 200 {
                    return Err(bad("at most 200 characters"));
                }
                s.q = Some(value).filter(|v| !v.trim().is_empty());
            }
            "kind" => {
                s.filter.kind = Some(
                    Kind::parse(&value)
                        .ok_or_else(|| bad(&format!("one of {}", Kind::words().join(", "))))?,
                )
            }
            "status" => {
                s.filter.status =
                    Some(Status::parse(&value).ok_or_else(|| bad(&Status::words().join(", ")))?)
            }
            "region" => {
                ucr_core::regions::unit(&value).ok_or_else(|| bad("not an ISO 3166-2:AZ code"))?;
                s.filter.region = Some(value);
            }
            "economic_region" => {
                ucr_core::regions::economic_region(&value)
                    .ok_or_else(|| bad("not an economic region code"))?;
                s.filter.economic_region = Some(value);
            }
            "ownership" => {
                s.filter.ownership = Some(
                    ucr_core::vocab::Ownership::parse(&value)
                        .ok_or_else(|| bad(&ucr_core::vocab::Ownership::words().join(", ")))?,
                )
            }
            "inventory_number" => {
                s.filter.inventory_number =
                    Some(crate::entries::inventory_number(&value).map_err(&bad)?);
            }
            "founded_from" | "founded_to" => {
                let y = value.trim().parse::<i64>().map_err(|_| bad("a year"))?;
                if name == "founded_from" {
                    s.founded_from = Some(y);
                } else {
                    s.founded_to = Some(y);
                }
            }
            "near" => {
                let (lat, lon) = value.split_once(',').ok_or_else(|| bad("lat,lon"))?;
                near = Some((number("near", lat)?, number("near", lon)?));
            }
            "radius_km" => radius = Some(number(&name, &value)?),
            "bbox" => {
                let parts: Vec<f64> = value
                    .split(',')
                    .map(|p| number("bbox", p))
                    .collect::<Result<_, _>>()?;
                let [a, b, c, d] = parts[..] else {
                    return Err(bad("min_lon,min_lat,max_lon,max_lat"));
                };
                s.bbox = Some([a, b, c, d]);
            }
            "sort" => {
                s.sort = Sort::parse(&value)
                    .ok_or_else(|| bad("relevance, created, -created, registry_number or name"))?
            }
            "limit" => {
                s.limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|l| (1..=PAGE_MAX).contains(l))
                    .ok_or_else(|| bad(&format!("a whole number from 1 to {PAGE_MAX}")))?
            }
            "cursor" => s.cursor = Some(value),
            n if extra.contains(&n) => rest.push((name, value)),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{name}`"
                )))
            }
        }
    }
    match (near, radius) {
        (Some((lat, lon)), Some(r)) => s.near = Some((lat, lon, r)),
        (Some((lat, lon)), None) => s.near = Some((lat, lon, 10.0)),
        (None, Some(_)) => return Err(ApiError::bad_request("radius_km goes with near=lat,lon")),
        (None, None) => {}
    }
    Ok((s, rest))
}

async fn search(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let (s, _) = search_params(&req, &[])?;
    let (who, mut found) = read_as(&req, &state, move |r| {
        r.search(&s)?.map_err(|e| ApiError::bad_request(e.0))
    })
    .await?;
    if !who.sees_personal_data() {
        for entry in &mut found.items {
            entry.hide_personal_data();
        }
    }
    // Written straight from the entries: `{items, next_cursor, total, facets}`.
    Ok(HttpResponse::Ok().json(found))
}

async fn stats(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state).await?;
    who.require_read(&state)?;
    if let Some((name, _)) = pairs(&req)?
        .into_iter()
        .find(|(n, _)| matches!(n.as_str(), "limit" | "sort" | "cursor"))
    {
        return Err(ApiError::bad_request(format!(
            "`{name}`: statistics have no pages and no order; drop it"
        )));
    }
    let (s, rest) = search_params(&req, &["group_by"])?;
    let mut by = GroupBy::Kind;
    for (_, value) in rest {
        by = GroupBy::parse(&value).ok_or_else(|| {
            ApiError::bad_request(format!(
                "`group_by={value}`: kind, region, economic_region or status"
            ))
        })?;
    }
    let register = state.register.clone();
    let stats = blocking(move || register.stats(&s, by))
        .await?
        .map_err(|e| ApiError::bad_request(e.0))?;
    Ok(HttpResponse::Ok().json(stats))
}

async fn changes(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = caller(&req, &state).await?;
    who.require_read(&state)?;
    let mut since = 0i64;
    let mut limit = 100i64;
    for (name, value) in pairs(&req)? {
        let bad = |what: &str| ApiError::bad_request(format!("`{name}={value}`: {what}"));
        match name.as_str() {
            "since" => {
                since = value
                    .parse::<i64>()
                    .ok()
                    .filter(|v| *v >= 0)
                    .ok_or_else(|| bad("the last change number seen, 0 or more"))?
            }
            "limit" => {
                limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|l| (1..=PAGE_MAX).contains(l))
                    .ok_or_else(|| bad(&format!("a whole number from 1 to {PAGE_MAX}")))?
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{name}`; the feed takes since and limit"
                )))
            }
        }
    }
    let register = state.register.clone();
    let (page, total) = blocking(move || {
        let page = register.changes(since, limit)?;
        let total = register.changes_after(since)?;
        Ok((page, total))
    })
    .await?;
    let next = page.last().map(|r| r.seq.to_string());
    let items: Vec<Value> = page.iter().map(|r| revision_json(r, &who)).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next, "total": total})))
}

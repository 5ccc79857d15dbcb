//! OGC API – Features, Part 1: Core, under `/ogc`: the landing page, the conformance
//! declaration, one collection per sub-register with its extent, and its entries as GeoJSON
//! features (`ucr_core::features`) in pages that follow the entries' ids, so that paging stays
//! consistent while entries change and costs the same on every page.

use crate::access::{caller, read_as};
use crate::entries::{blocking, not_allowed};
use crate::problem::ApiError;
use crate::State;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use ucr_core::cursor::ListCursor;
use ucr_core::query::{Extent, Filter, Within, PAGE_MAX};
use ucr_core::vocab::{Kind, Status};
use ucr_core::{features, Entry, Listing};

/// Features on a page when the client does not say.
pub const DEFAULT_LIMIT: i64 = 100;

/// The one coordinate reference system: WGS 84 longitude, latitude.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The conformance classes the service meets.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
];

const GEOJSON: &str = "application/geo+json";

/// Registers the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path: &str| web::resource(path).default_service(web::to(not_allowed));
    cfg.service(resource("/ogc").route(web::get().to(landing)))
        .service(resource("/ogc/conformance").route(web::get().to(conformance)))
        .service(resource("/ogc/collections").route(web::get().to(collections)))
        .service(resource("/ogc/collections/{collection}").route(web::get().to(collection)))
        .service(resource("/ogc/collections/{collection}/items").route(web::get().to(items)))
        .service(resource("/ogc/collections/{collection}/items/{key}").route(web::get().to(item)));
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": media_type, "title": title})
}

fn pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("unreadable query string: {e}")))
}

/// The metadata pages take only `f=json`.
fn only_format(req: &HttpRequest) -> Result<(), ApiError> {
    for (name, value) in pairs(req)? {
        match (name.as_str(), value.as_str()) {
            ("f", "json") => {}
            ("f", _) => return Err(ApiError::bad_request(format!("`f={value}`: only json"))),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{name}`; this page takes only f=json"
                )))
            }
        }
    }
    Ok(())
}

/// Checks the caller may read (and that its token, if any, is alive).
async fn reader(req: &HttpRequest, state: &State) -> Result<(), ApiError> {
    caller(req, state).await?.require_read(state)
}

async fn landing(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    only_format(&req)?;
    reader(&req, &state).await?;
    let base = state.public_url(&req);
    Ok(HttpResponse::Ok().json(json!({
        "title": "Unified Cultural Register",
        "description": "Theatres, libraries, museums, reserves, art and music schools and heritage objects of Azerbaijan, as OGC API – Features collections",
        "links": [
            link(format!("{base}/ogc"), "self", "application/json", "This page"),
            link(format!("{base}/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.1", "The API definition"),
            link(format!("{base}/docs/"), "service-doc", "text/html", "The API documentation"),
            link(format!("{base}/ogc/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{base}/ogc/collections"), "data", "application/json", "The collections: one per sub-register"),
        ],
    })))
}

async fn conformance(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    only_format(&req)?;
    reader(&req, &state).await?;
    Ok(HttpResponse::Ok().json(json!({ "conformsTo": CONFORMANCE })))
}

/// The sub-register of a collection id (the collection names of `/api/v1`).
fn kind_of(req: &HttpRequest) -> Result<Kind, ApiError> {
    let name = req.match_info().get("collection").unwrap_or_default();
    Kind::ALL
        .iter()
        .copied()
        .find(|k| k.collection() == name)
        .ok_or_else(|| ApiError::not_found(format!("no collection {name}")))
}

/// A collection's title: its id in words (`heritage-objects` → `Heritage objects`).
fn title(kind: Kind) -> String {
    let words = kind.collection().replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn collection_json(base: &str, kind: Kind, extent: &Extent) -> Value {
    let c = kind.collection();
    let mut extent_json = json!({});
    if let Some(bbox) = extent.bbox {
        extent_json["spatial"] = json!({"bbox": [bbox], "crs": CRS84});
    }
    if let Some([first, last]) = extent.changed {
        extent_json["temporal"] = json!({
            "interval": [[
                first.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                last.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        });
    }
    let (type_field, _) = ucr_core::catalogue::type_field(kind);
    json!({
        "id": c,
        "title": title(kind),
        "description": format!(
            "The {} of the register; filters: region, status, {type_field}; datetime is the time of an entry's last change",
            title(kind).to_lowercase()
        ),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent_json,
        "links": [
            link(format!("{base}/ogc/collections/{c}"), "self", "application/json", "This collection"),
            link(format!("{base}/ogc/collections/{c}/items"), "items", GEOJSON, "Its entries"),
        ],
    })
}

async fn collections(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    only_format(&req)?;
    reader(&req, &state).await?;
    let register = state.register.clone();
    let extents = blocking(move || {
        Kind::ALL
            .iter()
            .map(|k| Ok((*k, register.extent(*k)?)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let base = state.public_url(&req);
    let list: Vec<Value> = extents
        .iter()
        .map(|(k, e)| collection_json(&base, *k, e))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "links": [link(format!("{base}/ogc/collections"), "self", "application/json", "The collections")],
        "collections": list,
    })))
}

async fn collection(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    only_format(&req)?;
    reader(&req, &state).await?;
    let register = state.register.clone();
    let extent = blocking(move || register.extent(kind)).await?;
    Ok(HttpResponse::Ok().json(collection_json(&state.public_url(&req), kind, &extent)))
}

/// What a page of items asks for.
#[derive(Debug, Default)]
struct ItemsQuery {
    filter: Filter,
    within: Within,
    limit: i64,
    cursor: Option<String>,
}

fn number(name: &str, text: &str) -> Result<f64, ApiError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ApiError::bad_request(format!("`{name}`: `{text}` is not a number")))
}

/// `bbox`: min lon, min lat, max lon, max lat (or six numbers with heights, which are
/// ignored: entries have none).
fn read_bbox(value: &str) -> Result<[f64; 4], ApiError> {
    let n: Vec<f64> = value
        .split(',')
        .map(|p| number("bbox", p))
        .collect::<Result<_, _>>()?;
    let [a, b, c, d] = match n[..] {
        [a, b, c, d] => [a, b, c, d],
        [a, b, _, c, d, _] => [a, b, c, d],
        _ => {
            return Err(ApiError::bad_request(format!(
                "`bbox={value}`: four numbers, min lon,min lat,max lon,max lat (CRS84)"
            )))
        }
    };
    if !(-180.0..=180.0).contains(&a) || !(-180.0..=180.0).contains(&c) {
        return Err(ApiError::bad_request(format!(
            "`bbox={value}`: longitudes lie from -180 to 180"
        )));
    }
    if !(-90.0..=90.0).contains(&b) || !(-90.0..=90.0).contains(&d) {
        return Err(ApiError::bad_request(format!(
            "`bbox={value}`: latitudes lie from -90 to 90"
        )));
    }
    if a > c || b > d {
        return Err(ApiError::bad_request(format!(
            "`bbox={value}`: the first corner is the south-west one (min lon ≤ max lon, min lat ≤ max lat)"
        )));
    }
    Ok([a, b, c, d])
}

/// One end of a `datetime` interval: `None` when open (`..` or empty); a date stands for its
/// first (`end` false) or last (`end` true) instant.
fn instant(text: &str, end: bool) -> Result<Option<DateTime<Utc>>, String> {
    if text.is_empty() || text == ".." {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is neither an RFC 3339 date-time nor a date"))?;
    let t = if end {
        day.succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc() - chrono::Duration::microseconds(1))
    } else {
        day.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
    };
    t.map(Some).ok_or_else(|| format!("`{text}`: no such day"))
}

/// The two ends of a time interval, `None` where open.
type Interval = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `datetime`: an instant, or an interval `start/end` with `..` for an open end.
fn read_datetime(value: &str) -> Result<Interval, ApiError> {
    let bad = |what: String| ApiError::bad_request(format!("`datetime={value}`: {what}"));
    let (from, to) = match value.split_once('/') {
        Some((a, b)) => (
            instant(a, false).map_err(bad)?,
            instant(b, true).map_err(bad)?,
        ),
        None if value == ".." || value.is_empty() => {
            return Err(bad("an instant, or an interval start/end".into()))
        }
        None => (
            instant(value, false).map_err(bad)?,
            instant(value, true).map_err(bad)?,
        ),
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(bad("the interval ends before it starts".into()));
        }
    }
    Ok((from, to))
}

fn items_query(req: &HttpRequest, kind: Kind) -> Result<ItemsQuery, ApiError> {
    let (type_field, type_words) = ucr_core::catalogue::type_field(kind);
    let mut q = ItemsQuery {
        filter: Filter {
            kind: Some(kind),
            ..Default::default()
        },
        limit: DEFAULT_LIMIT,
        ..Default::default()
    };
    for (name, value) in pairs(req)? {
        let bad = |what: &str| ApiError::bad_request(format!("`{name}={value}`: {what}"));
        match name.as_str() {
            // Larger than the largest page: the largest page (OGC API – Features 7.15.3).
            "limit" => {
                q.limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|l| *l >= 1)
                    .map(|l| l.min(PAGE_MAX))
                    .ok_or_else(|| bad(&format!("a whole number from 1 to {PAGE_MAX}")))?
            }
            "bbox" => q.within.bbox = Some(read_bbox(&value)?),
            "bbox-crs" if value == CRS84 => {}
            "bbox-crs" => return Err(bad(&format!("the one CRS is {CRS84}"))),
            "datetime" => {
                (q.within.changed_from, q.within.changed_to) = read_datetime(&value)?;
            }
            "cursor" => {
                value
                    .parse::<ListCursor>()
                    .map_err(|e| bad(&format!("{e}: take the next link as it is")))?;
                q.cursor = Some(value);
            }
            "f" if value == "json" || value == "geojson" => {}
            "status" => {
                q.filter.status = Some(
                    Status::parse(&value)
                        .ok_or_else(|| bad(&format!("one of {}", Status::words().join(", "))))?,
                )
            }
            "region" => {
                ucr_core::regions::unit(&value).ok_or_else(|| bad("not an ISO 3166-2:AZ code"))?;
                q.filter.region = Some(value);
            }
            n if n == type_field => {
                if !type_words.contains(&value.as_str()) {
                    return Err(bad(&format!("one of {}", type_words.join(", "))));
                }
                q.filter.type_word = Some(value);
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{name}`; items take limit, bbox, bbox-crs, datetime, region, status, {type_field}, cursor and f"
                )))
            }
        }
    }
    Ok(q)
}

/// A feature as served: the entry as the caller may see it, with its links.
fn feature(base: &str, entry: &Entry, who: &crate::access::Caller) -> Value {
    let mut f = features::feature(
        entry,
        &crate::entries::visible(entry, who),
        who.sees_personal_data(),
    );
    f["links"] = json!([
        link(
            format!(
                "{base}/ogc/collections/{}/items/{}",
                entry.kind().collection(),
                entry.id
            ),
            "self",
            GEOJSON,
            "This feature"
        ),
        link(
            ucr_core::linked::entry_url(base, &entry.id.to_string()),
            "alternate",
            "application/json",
            "The entry in the register's API"
        ),
    ]);
    f
}

async fn items(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    let q = items_query(&req, kind)?;
    let (who, listing): (_, Listing) = read_as(&req, &state, move |r| {
        Ok(r.list_within(&q.filter, &q.within, q.limit, q.cursor.as_deref())?)
    })
    .await?;
    let base = state.public_url(&req);
    let path = format!("{base}/ogc/collections/{}/items", kind.collection());
    let query = req.query_string();
    let mut links = vec![
        link(
            if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{query}")
            },
            "self",
            GEOJSON,
            "This page",
        ),
        link(
            format!("{base}/ogc/collections/{}", kind.collection()),
            "collection",
            "application/json",
            "The collection",
        ),
    ];
    if let Some(next) = &listing.next_cursor {
        let mut rest = pairs(&req)?;
        rest.retain(|(name, _)| name != "cursor");
        rest.push(("cursor".into(), next.clone()));
        let query = serde_urlencoded::to_string(&rest)
            .map_err(|e| ApiError::internal(format!("writing the next link: {e}")))?;
        links.push(link(
            format!("{path}?{query}"),
            "next",
            GEOJSON,
            "The next page",
        ));
    }
    let features: Vec<Value> = listing
        .items
        .iter()
        .map(|e| feature(&base, e, &who))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(GEOJSON)
        .insert_header(("Content-Crs", format!("<{CRS84}>")))
        .json(json!({
            "type": "FeatureCollection",
            "numberMatched": listing.total,
            "numberReturned": listing.items.len(),
            "links": links,
            "features": features,
        })))
}

async fn item(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let kind = kind_of(&req)?;
    only_format(&req)?;
    let key = req.match_info().get("key").unwrap_or_default().to_string();
    let wanted = key.clone();
    let (who, entry) = read_as(&req, &state, move |r| Ok(r.get(&wanted)?)).await?;
    if entry.kind() != kind {
        return Err(ApiError::not_found(format!(
            "no feature {key} in the collection {}",
            kind.collection()
        )));
    }
    let base = state.public_url(&req);
    let mut f = feature(&base, &entry, &who);
    if let Some(links) = f["links"].as_array_mut() {
        links.push(link(
            format!("{base}/ogc/collections/{}", kind.collection()),
            "collection",
            "application/json",
            "The collection",
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type(GEOJSON)
        .insert_header(("Content-Crs", format!("<{CRS84}>")))
        .insert_header((header::ETAG, crate::entries::etag(entry.version)))
        .json(f))
}

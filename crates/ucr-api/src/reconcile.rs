//! The reconciliation service at `/reconcile` (W3C Reconciliation Service API v0.2, as
//! OpenRefine speaks it): the manifest, query batches, suggest, preview and data extension.
//! Types, properties, scores and matches are the rules of `ucr_core::reconcile`.
//!
//! Candidates are named by registry number. The access rules are the API's: a register that is
//! not public needs a token, and anonymous callers never see `head`.

use crate::access::{reader, Caller};
use crate::entries::blocking;
use crate::problem::ApiError;
use crate::State;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};
use ucr_core::reconcile::{self, Candidate, Query, Type, PROPERTIES};
use ucr_core::search::Search;
use ucr_core::{Entry, RegisterError};

/// Most queries in one batch.
pub const MAX_QUERIES: usize = 200;
/// Most ids in one data extension request.
pub const MAX_IDS: usize = 1000;
/// Entries a suggest answer lists.
const SUGGESTIONS: usize = 10;

/// Registers the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let get_only =
        |path: &str| web::resource(path).default_service(web::to(crate::entries::not_allowed));
    cfg.service(
        web::resource("/reconcile")
            .route(web::get().to(service))
            .route(web::post().to(service_post))
            .default_service(web::to(crate::entries::not_allowed)),
    )
    .service(get_only("/reconcile/suggest/entity").route(web::get().to(suggest_entity)))
    .service(get_only("/reconcile/suggest/type").route(web::get().to(suggest_type)))
    .service(get_only("/reconcile/suggest/property").route(web::get().to(suggest_property)))
    .service(get_only("/reconcile/preview").route(web::get().to(preview)))
    .service(get_only("/reconcile/propose_properties").route(web::get().to(propose)));
}

fn pairs(text: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("unreadable arguments: {e}")))
}

fn base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// `GET /reconcile`: the manifest, or a batch (`queries=`), or data extension (`extend=`).
async fn service(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = reader(&req, &state).await?;
    let args = pairs(req.query_string())?;
    dispatch(&req, &state, who, args).await
}

/// `POST /reconcile`: a form with `queries` or `extend` (as OpenRefine sends), or a JSON body
/// `{"queries": {…}}`, `{"extend": {…}}` or the batch itself.
async fn service_post(
    req: HttpRequest,
    state: web::Data<State>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // The caller first: no body is read for a caller who may not read.
    let who = reader(&req, &state).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let bytes = crate::body::read(&req, payload, state.config.body_limit).await?;
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| ApiError::bad_request("the form is not UTF-8"))?;
            dispatch(&req, &state, who, pairs(text)?).await
        }
        "application/json" => {
            let value = crate::body::json(&bytes)?;
            let args = match value {
                Value::Object(mut o) if o.contains_key("queries") || o.contains_key("extend") => {
                    let mut args = Vec::new();
                    for name in ["queries", "extend"] {
                        match o.remove(name) {
                            Some(Value::String(s)) => args.push((name.to_string(), s)),
                            Some(v) => args.push((name.to_string(), v.to_string())),
                            None => {}
                        }
                    }
                    args
                }
                other => vec![("queries".to_string(), other.to_string())],
            };
            dispatch(&req, &state, who, args).await
        }
        _ => Err(ApiError::unsupported_media_type(
            "application/x-www-form-urlencoded or application/json",
            &content_type,
        )),
    }
}

async fn dispatch(
    req: &HttpRequest,
    state: &State,
    who: Caller,
    args: Vec<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let mut queries = None;
    let mut extend = None;
    for (name, value) in args {
        match name.as_str() {
            "queries" if queries.is_none() => queries = Some(value),
            "extend" if extend.is_none() => extend = Some(value),
            "queries" | "extend" => {
                return Err(ApiError::bad_request(format!("{name} is given twice")))
            }
            // OpenRefine's JSONP is not offered: the service answers CORS-free JSON.
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown argument `{name}`; the service takes queries or extend"
                )))
            }
        }
    }
    match (queries, extend) {
        (Some(q), None) => batch(state, &q).await,
        (None, Some(e)) => extension(state, &who, &e).await,
        (None, None) => Ok(HttpResponse::Ok().json(manifest(&base(req)))),
        (Some(_), Some(_)) => Err(ApiError::bad_request("send queries or extend, not both")),
    }
}

/// The service manifest.
pub fn manifest(base: &str) -> Value {
    let service =
        |path: &str| json!({"service_url": format!("{base}/reconcile"), "service_path": path});
    json!({
        "versions": ["0.2"],
        "name": "Unified Cultural Register",
        "identifierSpace": format!("{base}/api/v1/entries/"),
        "schemaSpace": format!("{base}/reconcile/types/"),
        "documentation": format!("{base}/docs/"),
        "view": {"url": format!("{base}/api/v1/entries/{{{{id}}}}")},
        "preview": {"url": format!("{base}/reconcile/preview?id={{{{id}}}}"), "width": 420, "height": 180},
        "defaultTypes": Type::all().into_iter().map(Type::to_json).collect::<Vec<_>>(),
        "suggest": {
            "entity": service("/suggest/entity"),
            "type": service("/suggest/type"),
            "property": service("/suggest/property"),
        },
        "extend": {
            "propose_properties": service("/propose_properties"),
            "property_settings": [],
        },
    })
}

fn read_json(what: &str, text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| {
        ApiError::bad_request(format!(
            "{what}: not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })
}

/// A property value as the register compares it.
fn value_text(key: &str, v: &Value) -> Result<String, ApiError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Object(o) => match o.get("id") {
            Some(Value::String(id)) => Ok(id.clone()),
            _ => Err(ApiError::bad_request(format!(
                "{key}: a property value object needs an id"
            ))),
        },
        _ => Err(ApiError::bad_request(format!(
            "{key}: a property value is a string, number, boolean or {{id, name}}"
        ))),
    }
}

/// Reads one query of a batch.
pub fn read_query(key: &str, v: &Value) -> Result<Query, ApiError> {
    let bad = |what: String| ApiError::bad_request(format!("query {key}: {what}"));
    let o = v.as_object().ok_or_else(|| bad("not an object".into()))?;
    let mut q = Query {
        limit: reconcile::DEFAULT_LIMIT,
        ..Default::default()
    };
    for (name, value) in o {
        match name.as_str() {
            "query" => {
                let text = value.as_str().ok_or_else(|| bad("query is text".into()))?;
                if text.chars().count() > 300 {
                    return Err(bad("query: at most 300 characters".into()));
                }
                q.query = text.to_string();
            }
            "type" => {
                let ids: Vec<&str> = match value {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(all) => all.iter().filter_map(Value::as_str).collect(),
                    _ => return Err(bad("type is a type id or a list of them".into())),
                };
                for id in ids {
                    q.types.push(Type::parse(id).ok_or_else(|| {
                        bad(format!(
                            "no type {id}; the types are {}",
                            Type::all()
                                .into_iter()
                                .map(Type::id)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?);
                }
            }
            "limit" => {
                q.limit = value
                    .as_u64()
                    .filter(|l| (1..=reconcile::MAX_LIMIT as u64).contains(l))
                    .ok_or_else(|| {
                        bad(format!(
                            "limit is a whole number from 1 to {}",
                            reconcile::MAX_LIMIT
                        ))
                    })? as usize
            }
            "type_strict" => {}
            "properties" => {
                let all = value
                    .as_array()
                    .ok_or_else(|| bad("properties is a list".into()))?;
                for p in all {
                    let pid = p["pid"]
                        .as_str()
                        .ok_or_else(|| bad("every property has a pid".into()))?;
                    if reconcile::property(pid).and_then(|p| p.weight).is_none() {
                        return Err(bad(format!(
                            "no property {pid} to match on; the properties are {}",
                            PROPERTIES
                                .iter()
                                .filter(|p| p.weight.is_some())
                                .map(|p| p.id)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                    let values = match &p["v"] {
                        Value::Array(all) => all
                            .iter()
                            .map(|v| value_text(key, v))
                            .collect::<Result<Vec<_>, _>>()?,
                        Value::Null => return Err(bad(format!("property {pid} has no v"))),
                        v => vec![value_text(key, v)?],
                    };
                    q.properties.push((pid.to_string(), values));
                }
            }
            other => return Err(bad(format!("unknown member {other}"))),
        }
    }
    if q.query.trim().is_empty() && q.properties.is_empty() {
        return Err(bad("a query needs a query text or properties".into()));
    }
    Ok(q)
}

/// The candidate as the protocol writes it.
fn candidate_json(c: &Candidate) -> Value {
    let t = Type::of(&c.entry);
    let mut features = vec![json!({"id": "name", "value": c.name_score})];
    for (pid, agrees) in &c.features {
        if let Some(a) = agrees {
            features.push(json!({"id": pid, "value": a}));
        }
    }
    json!({
        "id": c.entry.registry_number(),
        "name": display_name(&c.entry),
        "description": description(&c.entry),
        "type": [{"id": t.id(), "name": t.name()}],
        "score": c.score,
        "match": c.matched,
        "features": features,
    })
}

fn display_name(e: &Entry) -> String {
    let n = &e.record.name;
    n.az.clone()
        .or_else(|| n.en.clone())
        .or_else(|| n.ru.clone())
        .unwrap_or_else(|| e.registry_number().to_string())
}

fn description(e: &Entry) -> String {
    let mut parts = vec![Type::of(e).name()];
    if let Some(en) = &e.record.name.en {
        parts.push(en.clone());
    }
    if let Some(r) = e.record.region.as_deref().and_then(ucr_core::regions::unit) {
        parts.push(r.name_az.to_string());
    }
    parts.join(" · ")
}

async fn batch(state: &State, text: &str) -> Result<HttpResponse, ApiError> {
    let value = read_json("queries", text)?;
    let all = value
        .as_object()
        .ok_or_else(|| ApiError::bad_request("queries: an object of queries by key"))?;
    if all.len() > MAX_QUERIES {
        return Err(ApiError::bad_request(format!(
            "queries: at most {MAX_QUERIES} in one batch, not {}",
            all.len()
        )));
    }
    let queries: Vec<(String, Query)> = all
        .iter()
        .map(|(k, v)| Ok((k.clone(), read_query(k, v)?)))
        .collect::<Result<_, ApiError>>()?;
    let register = state.register.clone();
    let answers = blocking(move || {
        let (keys, queries): (Vec<String>, Vec<Query>) = queries.into_iter().unzip();
        let found = register.reconcile_all(&queries)?;
        let mut out = Map::new();
        for (key, found) in keys.into_iter().zip(found) {
            out.insert(
                key,
                json!({"result": found.iter().map(candidate_json).collect::<Vec<_>>()}),
            );
        }
        Ok(Value::Object(out))
    })
    .await?;
    Ok(HttpResponse::Ok().json(answers))
}

/// A value of data extension, as the protocol types it.
fn extension_values(pid: &str, entry: &Entry, who: &Caller) -> Vec<Value> {
    if pid == "head" && !who.sees_personal_data() {
        return Vec::new();
    }
    reconcile::values(entry, pid)
        .into_iter()
        .map(|v| match (pid, v.parse::<i64>()) {
            ("founded_year", Ok(n)) => json!({"int": n}),
            _ => json!({"str": v}),
        })
        .collect()
}

async fn extension(state: &State, who: &Caller, text: &str) -> Result<HttpResponse, ApiError> {
    let value = read_json("extend", text)?;
    let ids: Vec<String> = value["ids"]
        .as_array()
        .ok_or_else(|| ApiError::bad_request("extend: ids is a list of registry numbers"))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_request("extend: every id is a registry number"))
        })
        .collect::<Result<_, _>>()?;
    if ids.len() > MAX_IDS {
        return Err(ApiError::bad_request(format!(
            "extend: at most {MAX_IDS} ids at once"
        )));
    }
    let mut meta = Vec::new();
    let mut pids = Vec::new();
    for p in value["properties"]
        .as_array()
        .ok_or_else(|| ApiError::bad_request("extend: properties is a list of {id}"))?
    {
        let id = p["id"]
            .as_str()
            .ok_or_else(|| ApiError::bad_request("extend: every property has an id"))?;
        let prop = reconcile::property(id).ok_or_else(|| {
            ApiError::bad_request(format!(
                "extend: no property {id}; the properties are {}",
                PROPERTIES
                    .iter()
                    .map(|p| p.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        meta.push(json!({"id": prop.id, "name": prop.name}));
        pids.push(prop.id);
    }
    let register = state.register.clone();
    let who = who.clone();
    let rows = blocking(move || {
        let mut rows = Map::new();
        for id in ids {
            let entry = match register.get(&id) {
                Ok(e) => Some(e),
                Err(RegisterError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
            let mut row = Map::new();
            for pid in &pids {
                let values = entry
                    .as_ref()
                    .map(|e| extension_values(pid, e, &who))
                    .unwrap_or_default();
                row.insert(pid.to_string(), Value::Array(values));
            }
            rows.insert(id, Value::Object(row));
        }
        Ok(rows)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"meta": meta, "rows": rows})))
}

fn prefix_arg(req: &HttpRequest) -> Result<(String, usize), ApiError> {
    let mut prefix = None;
    let mut cursor = 0usize;
    for (name, value) in pairs(req.query_string())? {
        match name.as_str() {
            "prefix" => prefix = Some(value),
            "cursor" => {
                cursor = value
                    .parse()
                    .ok()
                    .filter(|c| *c <= 1000)
                    .ok_or_else(|| ApiError::bad_request("cursor: a whole number up to 1000"))?
            }
            // OpenRefine sends the type it is reconciling against; entities are found across
            // types, so it is read and ignored.
            "type" | "type_strict" => {}
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown argument `{other}`; suggest takes prefix and cursor"
                )))
            }
        }
    }
    let prefix = prefix.ok_or_else(|| ApiError::bad_request("prefix is required"))?;
    if prefix.chars().count() > 200 {
        return Err(ApiError::bad_request("prefix: at most 200 characters"));
    }
    Ok((prefix, cursor))
}

async fn suggest_entity(
    req: HttpRequest,
    state: web::Data<State>,
) -> Result<HttpResponse, ApiError> {
    reader(&req, &state).await?;
    let (prefix, cursor) = prefix_arg(&req)?;
    if prefix.trim().is_empty() {
        return Ok(HttpResponse::Ok().json(json!({"result": []})));
    }
    let register = state.register.clone();
    let found = blocking(move || {
        let s = Search {
            q: Some(prefix),
            limit: (cursor + SUGGESTIONS) as i64,
            ..Default::default()
        };
        Ok(register.search(&s)?.map(|f| f.items).unwrap_or_default())
    })
    .await?;
    let result: Vec<Value> = found
        .iter()
        .skip(cursor)
        .map(|e| {
            let t = Type::of(e);
            json!({
                "id": e.registry_number(),
                "name": display_name(e),
                "description": description(e),
                "notable": [{"id": t.id(), "name": t.name()}],
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"result": result})))
}

fn folded_match(prefix: &str, texts: &[&str]) -> bool {
    let p = ucr_core::normalize::fold(prefix);
    texts
        .iter()
        .any(|t| ucr_core::normalize::fold(t).contains(p.trim()))
}

async fn suggest_type(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    reader(&req, &state).await?;
    let (prefix, cursor) = prefix_arg(&req)?;
    let result: Vec<Value> = Type::all()
        .into_iter()
        .filter(|t| folded_match(&prefix, &[&t.id(), &t.name()]))
        .skip(cursor)
        .map(Type::to_json)
        .collect();
    Ok(HttpResponse::Ok().json(json!({"result": result})))
}

async fn suggest_property(
    req: HttpRequest,
    state: web::Data<State>,
) -> Result<HttpResponse, ApiError> {
    reader(&req, &state).await?;
    let (prefix, cursor) = prefix_arg(&req)?;
    let result: Vec<Value> = PROPERTIES
        .iter()
        .filter(|p| folded_match(&prefix, &[p.id, p.name]))
        .skip(cursor)
        .map(|p| json!({"id": p.id, "name": p.name}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"result": result})))
}

async fn propose(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    reader(&req, &state).await?;
    let mut type_id = None;
    let mut limit = PROPERTIES.len();
    for (name, value) in pairs(req.query_string())? {
        match name.as_str() {
            "type" => type_id = Some(value),
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=1000).contains(l))
                    .ok_or_else(|| ApiError::bad_request("limit: a whole number from 1 to 1000"))?
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown argument `{other}`; propose_properties takes type and limit"
                )))
            }
        }
    }
    let type_id = type_id.ok_or_else(|| ApiError::bad_request("type is required"))?;
    let t =
        Type::parse(&type_id).ok_or_else(|| ApiError::bad_request(format!("no type {type_id}")))?;
    // Every property applies to institutions; heritage objects have no founding year or ISIL.
    let properties: Vec<Value> = PROPERTIES
        .iter()
        .filter(|p| match p.id {
            "founded_year" | "head" => t.kind.is_institution(),
            "isil" => t.kind == ucr_core::Kind::Library,
            "inventory_number" => t.kind == ucr_core::Kind::HeritageObject,
            _ => true,
        })
        .take(limit)
        .map(|p| json!({"id": p.id, "name": p.name}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"type": t.id(), "properties": properties, "limit": limit})))
}

async fn preview(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    let who = reader(&req, &state).await?;
    let mut id = None;
    for (name, value) in pairs(req.query_string())? {
        match name.as_str() {
            "id" => id = Some(value),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown argument `{other}`; preview takes id"
                )))
            }
        }
    }
    let id = id.ok_or_else(|| ApiError::bad_request("id is required"))?;
    let register = state.register.clone();
    let entry = blocking(move || register.get(&id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(card(&entry, &who)))
}

/// A small HTML card of an entry (no scripts, no outside resources).
pub fn card(e: &Entry, who: &Caller) -> String {
    use crate::oai::escape;
    let mut rows = vec![
        ("Registry number", e.registry_number().to_string()),
        ("Type", Type::of(e).name()),
    ];
    if let Some(en) = &e.record.name.en {
        rows.push(("English", en.clone()));
    }
    if let Some(ru) = &e.record.name.ru {
        rows.push(("Russian", ru.clone()));
    }
    if let Some(r) = e.record.region.as_deref().and_then(ucr_core::regions::unit) {
        rows.push(("Region", format!("{} ({})", r.name_az, r.code)));
    }
    for (pid, label) in [("founded_year", "Founded"), ("status", "Status")] {
        if let Some(v) = reconcile::values(e, pid).first() {
            rows.push((label, v.clone()));
        }
    }
    if who.sees_personal_data() {
        if let Some(h) = reconcile::values(e, "head").first() {
            rows.push(("Head", h.clone()));
        }
    }
    let mut html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"margin:0;font:14px sans-serif\"><div style=\"padding:8px\"><strong>{}</strong><table>",
        escape(e.registry_number()),
        escape(&display_name(e))
    );
    for (k, v) in rows {
        html.push_str(&format!(
            "<tr><th style=\"text-align:left;padding-right:8px\">{}</th><td>{}</td></tr>",
            escape(k),
            escape(&v)
        ));
    }
    html.push_str("</table></div></body></html>");
    html
}

//! Routes, the request log, health, readiness, vocabularies and documents.

use crate::entries;
use crate::problem::ApiError;
use crate::State;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use std::time::Instant;
use ucr_core::vocab::*;

/// The committed OpenAPI document, served as it is.
pub const OPENAPI_JSON: &str = include_str!("../../../openapi/openapi.json");

/// A route for `GET` and `HEAD` (RFC 9110 §9.3.2: the same answer without its body; the
/// HTTP layer leaves the body out and keeps its headers).
pub fn get_or_head() -> actix_web::Route {
    use actix_web::guard;
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let get_only = |path: &str| web::resource(path).default_service(web::to(entries::not_allowed));
    cfg.service(get_only("/health").route(crate::service::get_or_head().to(health)))
        .service(get_only("/ready").route(crate::service::get_or_head().to(ready)))
        .service(get_only("/openapi.json").route(crate::service::get_or_head().to(openapi)))
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/openapi.json")),
        )
        .route("/docs", crate::service::get_or_head().to(docs_redirect))
        .service(
            get_only("/api/v1/vocabularies").route(crate::service::get_or_head().to(vocabularies)),
        );
    crate::imports::configure(cfg);
    crate::jsonld::configure(cfg);
    crate::ogc::configure(cfg);
    crate::window::configure(cfg);
    crate::oai::configure(cfg);
    crate::reconcile::configure(cfg);
    entries::configure(cfg);
    cfg.default_service(web::to(not_found));
}

/// Longest request target (path and query) read, in bytes; longer ones get 414.
pub const URI_MAX: usize = 8 * 1024;

/// Most bytes of header names and values read; more get 431. (The HTTP layer itself closes
/// the connection with an empty 431 on a request head over 128 KiB or with more than 96
/// headers, and with an empty 400 on a request line or header it cannot parse: those
/// answers are made before any of this service's code runs.)
pub const HEADERS_MAX: usize = 32 * 1024;

/// Refuses request targets and headers over the limits with problem+json, and turns every
/// other error answer of the framework (one not made by this service) into problem+json.
pub async fn limits_and_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::ResponseError;
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > URI_MAX {
        let err = ApiError::new(
            actix_web::http::StatusCode::URI_TOO_LONG,
            "uri-too-long",
            "URI too long",
            format!("the request target is {target} bytes; at most {URI_MAX} are read"),
        );
        return Ok(req.into_response(err.error_response()));
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > HEADERS_MAX {
        let err = ApiError::new(
            actix_web::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            "Request header fields too large",
            format!("the headers are {headers} bytes; at most {HEADERS_MAX} are read"),
        );
        return Ok(req.into_response(err.error_response()));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let problem = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || problem {
        return Ok(res);
    }
    // An error answer the framework made (e.g. an unreadable path): the same status as
    // problem+json, keeping headers such as `Allow`.
    let (req, old) = res.into_parts();
    let reason = status.canonical_reason().unwrap_or("Error");
    let mut new = ApiError::new(
        status,
        &reason.to_ascii_lowercase().replace(' ', "-"),
        reason,
        format!("{} {}: {reason}", req.method(), req.path()),
    )
    .error_response();
    for (name, value) in old.headers() {
        if name != actix_web::http::header::CONTENT_TYPE
            && name != actix_web::http::header::CONTENT_LENGTH
        {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, new))
}

/// One structured log line per request.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_string();
    let res = next.call(req).await?;
    tracing::info!(
        method,
        path,
        status = res.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(res)
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn ready(state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    if let Some(replica) = &state.config.replica {
        return crate::replica::ready(state.register.clone(), replica.clone()).await;
    }
    let register = state.register.clone();
    let up = web::block(move || register.ping()).await.unwrap_or(false);
    if up {
        Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
    } else {
        Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The register is unavailable",
            "the database does not answer",
        ))
    }
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI_JSON)
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", "/docs/"))
        .finish()
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    ApiError::not_found(format!("no resource at {}", req.path())).error_response()
}

async fn vocabularies(req: HttpRequest, state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    // Public, but a dead token is still refused, as everywhere in the API.
    crate::access::caller(&req, &state).await?;
    Ok(HttpResponse::Ok().json(vocabulary_document()))
}

/// Every controlled list of the register.
pub fn vocabulary_document() -> serde_json::Value {
    json!({
        "kinds": Kind::words(),
        "statuses": Status::words(),
        "ownerships": Ownership::words(),
        "theatre_types": TheatreType::words(),
        "library_types": LibraryType::words(),
        "museum_profiles": MuseumProfile::words(),
        "reserve_types": ReserveType::words(),
        "school_types": SchoolType::words(),
        "specialities": Speciality::words(),
        "heritage_categories": HeritageCategory::words(),
        "monument_types": MonumentType::words(),
        "significances": Significance::words(),
        "conditions": Condition::words(),
        "ich_domains": IchDomain::words(),
        "unesco_lists": UnescoList::words(),
        "problem_codes": ucr_core::Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "regions": ucr_core::regions::units().collect::<Vec<_>>(),
        "economic_regions": ucr_core::regions::economic_regions().collect::<Vec<_>>(),
    })
}

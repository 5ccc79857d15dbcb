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

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let get_only = |path: &str| web::resource(path).default_service(web::to(entries::not_allowed));
    cfg.service(get_only("/health").route(web::get().to(health)))
        .service(get_only("/ready").route(web::get().to(ready)))
        .service(get_only("/openapi.json").route(web::get().to(openapi)))
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/openapi.json")),
        )
        .route("/docs", web::get().to(docs_redirect))
        .service(get_only("/api/v1/vocabularies").route(web::get().to(vocabularies)));
    crate::imports::configure(cfg);
    crate::jsonld::configure(cfg);
    crate::ogc::configure(cfg);
    crate::window::configure(cfg);
    entries::configure(cfg);
    cfg.default_service(web::to(not_found));
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

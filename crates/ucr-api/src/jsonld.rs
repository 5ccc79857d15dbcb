//! JSON-LD (schema.org) answers: entries and collection pages asked for with
//! `Accept: application/ld+json`, and the register's own `@context` at `/ld/context.jsonld`.
//! The mapping is `ucr_core::linked` (documented in `docs/jsonld.md`).

use crate::access::Caller;
use crate::entries::{etag, not_allowed, visible};
use crate::State;
use actix_web::http::header::{self, Accept, Header};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use ucr_core::{linked, Entry, Listing};

/// The media type of JSON-LD.
pub const MEDIA_TYPE: &str = "application/ld+json";

/// Registers the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(linked::CONTEXT_PATH)
            .route(web::get().to(context))
            .default_service(web::to(not_allowed)),
    );
}

/// The `@context` of the register's documents. It holds no register data, so it is served
/// to everyone, like the OpenAPI document.
async fn context(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(MEDIA_TYPE)
        .insert_header((header::VARY, "Accept"))
        .json(linked::context(&state.public_url(&req)))
}

/// Whether the client prefers JSON-LD: `application/ld+json` ranks first in its `Accept`.
pub fn wanted(req: &HttpRequest) -> bool {
    Accept::parse(req)
        .ok()
        .filter(|a| !a.is_empty())
        .is_some_and(|a| a.preference().essence_str() == MEDIA_TYPE)
}

/// Marks an answer whose form depends on `Accept`.
pub fn varies(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut()
        .insert(header::VARY, header::HeaderValue::from_static("Accept"));
    res
}

/// One entry as a JSON-LD document.
pub fn entry(req: &HttpRequest, state: &State, entry: &Entry, who: &Caller) -> HttpResponse {
    let base = state.public_url(req);
    HttpResponse::Ok()
        .content_type(MEDIA_TYPE)
        .insert_header((header::ETAG, etag(entry.version)))
        .insert_header((header::VARY, "Accept"))
        .json(linked::document(entry, &visible(entry, who), &base))
}

/// A page of a collection: its entries in `@graph`, the next page in a `Link` header.
pub fn page(req: &HttpRequest, state: &State, listing: &Listing, who: &Caller) -> HttpResponse {
    let base = state.public_url(req);
    let graph: Vec<_> = listing
        .items
        .iter()
        .map(|e| {
            let mut doc = linked::document(e, &visible(e, who), &base);
            if let Some(map) = doc.as_object_mut() {
                map.remove("@context");
            }
            doc
        })
        .collect();
    let mut res = HttpResponse::Ok();
    res.content_type(MEDIA_TYPE)
        .insert_header((header::VARY, "Accept"));
    if let Some(next) = &listing.next_cursor {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        pairs.retain(|(name, _)| name != "cursor");
        pairs.push(("cursor".into(), next.clone()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        res.insert_header((
            header::LINK,
            format!("<{base}{}?{query}>; rel=\"next\"", req.path()),
        ));
    }
    res.json(json!({
        "@context": format!("{base}{}", linked::CONTEXT_PATH),
        "@graph": graph,
    }))
}

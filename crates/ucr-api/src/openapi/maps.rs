//! The document's parts for integrators: OGC API – Features under `/ogc` (one path per
//! collection, so that each lists its own type field) and JSON-LD (the `@context`, the
//! `application/ld+json` answers of entry and collection reads, the JSON-LD export).

use super::{errors, param_ref, schema_ref, secure};
use crate::ogc::{CRS84, DEFAULT_LIMIT};
use serde_json::{json, Map, Value};
use ucr_core::catalogue;
use ucr_core::query::PAGE_MAX;
use ucr_core::vocab::Kind;
use ucr_core::Action;

const LD: &str = "application/ld+json";
const GEOJSON: &str = "application/geo+json";

fn format_param(values: &[&str]) -> Value {
    json!({"name": "f", "in": "query", "required": false, "schema": {"type": "string", "enum": values},
           "description": "The format; JSON is the only one and the default"})
}

fn ogc_get(
    operation_id: String,
    summary: String,
    params: Vec<Value>,
    ok: Value,
    codes: &[(&str, &str)],
) -> Value {
    let mut responses = errors(codes);
    if let Some(map) = responses.as_object_mut() {
        map.insert("200".into(), ok);
    }
    json!({"get": {"tags": ["ogc"], "x-action": Action::Read, "operationId": operation_id,
                   "summary": summary, "parameters": params, "responses": responses}})
}

fn ogc_paths(paths: &mut Map<String, Value>) {
    let json_ok = |description: &str, schema: &str| json!({"description": description, "content": {"application/json": {"schema": schema_ref(schema)}}});
    let meta = [("400", "BadRequest"), ("503", "Unavailable")];
    paths.insert(
        "/ogc".into(),
        ogc_get(
            "ogcLandingPage".into(),
            "OGC API – Features: the landing page".into(),
            vec![format_param(&["json"])],
            json_ok(
                "Links to the API definition, the conformance classes and the collections",
                "OgcLandingPage",
            ),
            &meta,
        ),
    );
    paths.insert(
        "/ogc/conformance".into(),
        ogc_get(
            "ogcConformance".into(),
            "The OGC conformance classes the service meets".into(),
            vec![format_param(&["json"])],
            json_ok(
                "Core and GeoJSON of OGC API – Features, Part 1",
                "OgcConformance",
            ),
            &meta,
        ),
    );
    paths.insert(
        "/ogc/collections".into(),
        ogc_get(
            "ogcCollections".into(),
            "The collections: one per sub-register, with its extent".into(),
            vec![format_param(&["json"])],
            json_ok("The collections", "OgcCollections"),
            &meta,
        ),
    );
    for kind in Kind::ALL {
        let c = kind.collection();
        let name = super::pascal(c);
        let (type_field, type_words) = catalogue::type_field(*kind);
        paths.insert(
            format!("/ogc/collections/{c}"),
            ogc_get(
                format!("ogcCollection{name}"),
                format!("The collection {c}"),
                vec![format_param(&["json"])],
                json_ok(
                    "The collection, with the box around its points and the times of its changes",
                    "OgcCollection",
                ),
                &[("400", "BadRequest"), ("503", "Unavailable")],
            ),
        );
        let params = vec![
            json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
                   "description": format!("Features per page (default {DEFAULT_LIMIT}); a larger value than {PAGE_MAX} gives {PAGE_MAX}")}),
            json!({"name": "bbox", "in": "query", "required": false,
                   "schema": {"type": "string", "pattern": "^[-+]?[0-9]+(\\.[0-9]+)?(,[-+]?[0-9]+(\\.[0-9]+)?){3}(,[-+]?[0-9]+(\\.[0-9]+)?,[-+]?[0-9]+(\\.[0-9]+)?)?$"},
                   "description": "min lon,min lat,max lon,max lat (CRS84; six numbers with heights are read as the four): the entries whose point lies inside, edges included",
                   "example": "49.7,40.3,50.0,40.5"}),
            json!({"name": "bbox-crs", "in": "query", "required": false, "schema": {"type": "string", "enum": [CRS84]}}),
            json!({"name": "datetime", "in": "query", "required": false, "schema": {"type": "string"},
                   "description": "The time of an entry's last change: an RFC 3339 date-time or date, or an interval start/end with `..` for an open end", "example": "2026-01-01T00:00:00Z/.."}),
            param_ref("region"),
            param_ref("status"),
            json!({"name": type_field, "in": "query", "required": false, "schema": {"type": "string", "enum": type_words}}),
            json!({"name": "cursor", "in": "query", "required": false, "schema": {"type": "string", "format": "uuid"},
                   "description": "Set by the `next` link: pages follow the entries' ids, so they stay consistent while entries change",
                   "example": "00000000-0000-7000-8000-000000000000"}),
            format_param(&["json", "geojson"]),
        ];
        paths.insert(format!("/ogc/collections/{c}/items"), ogc_get(format!("ogcItems{name}"), format!("The entries of {c} as GeoJSON features"),
            params, json!({"description": "A page of features; `next` links to the following page",
                "headers": {"Content-Crs": {"schema": {"type": "string"}, "description": format!("<{CRS84}>")}},
                "content": {GEOJSON: {"schema": schema_ref("FeatureCollection")}}}),
            &[("400", "BadRequest"), ("503", "Unavailable")]));
        let mut item = ogc_get(
            format!("ogcItem{name}"),
            format!("One entry of {c} as a GeoJSON feature, by id or registry number"),
            vec![format_param(&["json"])],
            json!({"description": "The feature", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                   "content": {GEOJSON: {"schema": schema_ref("Feature")}}}),
            &[
                ("400", "BadRequest"),
                ("404", "NotFound"),
                ("503", "Unavailable"),
            ],
        );
        item["parameters"] = json!([param_ref("key")]);
        paths.insert(format!("/ogc/collections/{c}/items/{{key}}"), item);
    }
}

/// Adds `application/ld+json` to the answers of the entry and collection reads, and
/// `jsonld` to the export's formats.
fn linked_data(paths: &mut Map<String, Value>) {
    let vary = json!({"schema": {"type": "string", "enum": ["Accept"]}, "description": "Entry reads answer JSON or JSON-LD by Accept"});
    for (path, item) in paths.iter_mut() {
        let page = Kind::ALL
            .iter()
            .any(|k| *path == format!("/api/v1/{}", k.collection()));
        let entry = path == "/api/v1/entries/{key}"
            || Kind::ALL
                .iter()
                .any(|k| *path == format!("/api/v1/{}/{{key}}", k.collection()));
        if !page && !entry {
            continue;
        }
        let ok = &mut item["get"]["responses"]["200"];
        ok["content"][LD] =
            json!({"schema": schema_ref(if page { "JsonLdPage" } else { "JsonLdEntry" })});
        ok["headers"]["Vary"] = vary.clone();
        let description = item["get"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        item["get"]["description"] = json!(format!("{description}{}With `Accept: application/ld+json`: schema.org JSON-LD (docs/jsonld.md){}.",
            if description.is_empty() { "" } else { "\n\n" },
            if page { "; the next page is in the header `Link: <URL>; rel=\"next\"`" } else { "" }));
    }
    if let Some(export) = paths.get_mut("/api/v1/export") {
        if let Some(params) = export["get"]["parameters"].as_array_mut() {
            for p in params.iter_mut().filter(|p| p["name"] == "format") {
                if let Some(values) = p["schema"]["enum"].as_array_mut() {
                    values.push(json!("jsonld"));
                }
            }
        }
        let description = export["get"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        export["get"]["description"] = json!(format!(
            "{description} jsonld: one schema.org JSON-LD document per line (NDJSON)."
        ));
    }
}

fn schemas() -> Value {
    let link = json!({"type": "object", "required": ["href", "rel"], "properties": {
        "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}}});
    let links = json!({"type": "array", "items": schema_ref("OgcLink")});
    let collections: Vec<&str> = Kind::ALL.iter().map(|k| k.collection()).collect();
    let flat = json!({"type": ["string", "number", "null"]});
    json!({
        "OgcLink": link,
        "OgcLandingPage": {"type": "object", "required": ["title", "links"], "properties": {
            "title": {"type": "string"}, "description": {"type": "string"}, "links": links}},
        "OgcConformance": {"type": "object", "required": ["conformsTo"], "properties": {
            "conformsTo": {"type": "array", "items": {"type": "string", "format": "uri"}}}},
        "OgcCollection": {"type": "object", "required": ["id", "title", "links", "extent", "itemType", "crs"], "properties": {
            "id": {"type": "string", "enum": collections}, "title": {"type": "string"}, "description": {"type": "string"},
            "itemType": {"type": "string", "enum": ["feature"]}, "crs": {"type": "array", "items": {"type": "string"}},
            "extent": {"type": "object", "properties": {
                "spatial": {"type": "object", "required": ["bbox"], "properties": {
                    "bbox": {"type": "array", "items": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
                    "crs": {"type": "string", "enum": [CRS84]}}},
                "temporal": {"type": "object", "required": ["interval"], "properties": {
                    "interval": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": ["string", "null"], "format": "date-time"}}},
                    "trs": {"type": "string"}}}}},
            "links": links}},
        "OgcCollections": {"type": "object", "required": ["links", "collections"], "properties": {
            "links": links, "collections": {"type": "array", "items": schema_ref("OgcCollection")}}},
        "Feature": {"type": "object", "required": ["type", "id", "geometry", "properties"], "properties": {
            "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string", "format": "uuid"},
            "geometry": {"oneOf": [
                {"type": "null", "description": "No location (intangible heritage, entries not yet placed)"},
                {"type": "object", "required": ["type", "coordinates"], "properties": {"type": {"type": "string", "enum": ["Point"]},
                    "coordinates": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}}},
                {"type": "object", "required": ["type", "coordinates"], "properties": {"type": {"type": "string", "enum": ["Polygon"]},
                    "coordinates": {"type": "array", "items": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}}}}]},
            "properties": {"type": "object", "required": ["kind", "registry_number", "name_az"],
                "description": "The entry's fields, flat: nested members as field_member (name_az, address_locality), lists joined with |; every property of the collection on every feature, null when empty",
                "additionalProperties": flat},
            "links": links}},
        "FeatureCollection": {"type": "object", "required": ["type", "features", "numberMatched", "numberReturned", "links"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "numberMatched": {"type": "integer", "minimum": 0}, "numberReturned": {"type": "integer", "minimum": 0},
            "links": links, "features": {"type": "array", "items": schema_ref("Feature")}}},
        "JsonLdEntry": {"type": "object", "required": ["@context", "@id", "@type", "identifier", "name"],
            "description": "An entry in schema.org terms; the mapping is docs/jsonld.md", "properties": {
            "@context": {"type": "string", "format": "uri"}, "@id": {"type": "string", "format": "uri"}, "@type": {"type": "string"},
            "identifier": {"type": "array", "items": {"type": "string"}},
            "name": {"type": "object", "additionalProperties": {"type": "string"}}}},
        "JsonLdPage": {"type": "object", "required": ["@context", "@graph"], "properties": {
            "@context": {"type": "string", "format": "uri"},
            "@graph": {"type": "array", "items": {"type": "object", "required": ["@id", "@type"]}}}},
        "JsonLdContext": {"type": "object", "required": ["@context"], "properties": {"@context": {"type": "object"}}},
    })
}

/// Adds the paths, schemas and tags of OGC API – Features and JSON-LD to the document.
pub(super) fn extend(doc: &mut Value) {
    let mut paths = Map::new();
    ogc_paths(&mut paths);
    secure(&mut paths);
    paths.insert(ucr_core::linked::CONTEXT_PATH.into(), json!({
        "get": {"tags": ["reference"], "operationId": "getJsonLdContext", "summary": "The JSON-LD @context of the register's documents",
                "responses": {"200": {"description": "The context", "content": {LD: {"schema": schema_ref("JsonLdContext")}}}}}
    }));
    if let Some(all) = doc["paths"].as_object_mut() {
        linked_data(all);
        all.extend(paths);
    }
    if let (Some(all), Value::Object(mine)) =
        (doc["components"]["schemas"].as_object_mut(), schemas())
    {
        all.extend(mine);
    }
    if let Some(tags) = doc["tags"].as_array_mut() {
        tags.push(json!({"name": "ogc", "description": "OGC API – Features, Part 1: Core: the sub-registers as map layers (GeoJSON, CRS84)"}));
    }
}

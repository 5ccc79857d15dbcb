//! The OpenAPI 3.1 document of the API, built from the register's field catalogue so that the
//! schemas say exactly what the rules accept. `openapi/openapi.json` is this document,
//! committed; a test fails when the two differ (`UCR_UPDATE_OPENAPI=1` rewrites the file).

use serde_json::{json, Map, Value};
use ucr_core::catalogue::{self, Field, Shape};
use ucr_core::check::REGISTRY_DIGITS;
use ucr_core::vocab::{HeritageCategory, Kind, Role};
use ucr_core::Action;

/// Problem responses every operation may give.
mod interop;
mod schemas;

mod maps;

use schemas::components;
pub use schemas::schema_name;

const PROBLEM: &str = "application/problem+json";

/// The document as a utoipa value (its structure checked by utoipa's model).
pub fn document() -> Result<utoipa::openapi::OpenApi, serde_json::Error> {
    serde_json::from_value(document_json())
}

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document_text() -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&document()?)?;
    text.push('\n');
    Ok(text)
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(super) fn response_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{name}")})
}

fn param_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

/// A real entry of the kind (and category) from the fixtures, as a request example.
fn example(kind: Kind, category: Option<HeritageCategory>) -> Value {
    let fixtures: Vec<Value> =
        serde_json::from_str(include_str!("../../../../fixtures/az-institutions.json"))
            .unwrap_or_default();
    fixtures
        .into_iter()
        .find(|v| {
            v["kind"] == kind.as_str()
                && category.is_none_or(|c| v["category"] == c.as_str())
                && v.get("parent_id").is_none()
                && v.get("reserve_id").is_none()
        })
        .map(|mut v| {
            if let Some(m) = v.as_object_mut() {
                // Values no two entries share: the example can be sent to a register that
                // holds the fixtures.
                for unique in ["registry_number", "isil", "inventory_number"] {
                    m.remove(unique);
                }
            }
            v
        })
        .unwrap_or(Value::Null)
}

fn errors(codes: &[(&str, &str)]) -> Value {
    let mut map = Map::new();
    for (status, name) in codes {
        map.insert((*status).into(), response_ref(name));
    }
    Value::Object(map)
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn collection_paths(paths: &mut Map<String, Value>, kind: Kind) {
    let name = schema_name(kind, None);
    let tag = kind.collection();
    let word = kind.as_str().replace('_', " ");
    let plural = tag.replace('-', " ");
    let (type_field, type_words) = catalogue::type_field(kind);
    let mut list_params = vec![
        param_ref("status"),
        param_ref("region"),
        param_ref("economic_region"),
    ];
    if kind.is_institution() {
        list_params.push(param_ref("ownership"));
    }
    list_params.push(json!({"name": type_field, "in": "query", "required": false,
                            "schema": {"type": "string", "enum": type_words}}));
    if kind == Kind::HeritageObject {
        list_params.push(param_ref("inventory_number"));
    }
    list_params.extend([param_ref("limit"), param_ref("cursor")]);
    let example_value = match kind {
        Kind::HeritageObject => example(kind, Some(HeritageCategory::Immovable)),
        _ => example(kind, None),
    };
    let input = json!({"content": {"application/json": {
        "schema": schema_ref(&format!("{name}Input")),
        "example": example_value
    }}, "required": true});
    let saved = |status: &str, description: &str| {
        let mut headers = json!({"ETag": {"$ref": "#/components/headers/ETag"}});
        if status == "201" {
            headers["Location"] = json!({"$ref": "#/components/headers/Location"});
        }
        json!({status: {"description": description, "headers": headers,
                "content": {"application/json": {"schema": schema_ref(&format!("Saved{name}"))}}}})
    };
    paths.insert(format!("/api/v1/{tag}"), json!({
        "get": {
            "tags": [tag], "x-action": Action::Read, "operationId": format!("list{}", pascal(tag)),
            "summary": format!("List {plural}"),
            "description": format!("{plural} in the order they were registered, filtered; cursor pagination."),
            "parameters": list_params,
            "responses": merge(json!({"200": {"description": format!("A page of {plural}"),
                "content": {"application/json": {"schema": schema_ref(&format!("{name}List"))}}}}),
                errors(&[("400", "BadRequest"), ("503", "Unavailable")]))
        },
        "post": {
            "tags": [tag], "x-action": Action::Create, "operationId": format!("create{name}"),
            "summary": format!("Register a {word}"),
            "description": "The registry number is assigned in sequence unless given; `kind` may be left out. Warnings do not block.",
            "parameters": [param_ref("reason")],
            "requestBody": input,
            "responses": merge(saved("201", "Registered"),
                errors(&[("400", "BadRequest"), ("409", "Conflict"), ("413", "PayloadTooLarge"),
                         ("415", "UnsupportedMediaType"), ("422", "Unprocessable"), ("503", "Unavailable")]))
        }
    }));
    let key = json!({"name": "key", "in": "path", "required": true, "description": "The entry's id or registry number",
                     "schema": {"type": "string"}, "example": format!("{}-000001", kind.prefix())});
    paths.insert(format!("/api/v1/{tag}/{{key}}"), json!({
        "parameters": [key],
        "get": {
            "tags": [tag], "x-action": Action::Read, "operationId": format!("get{name}"),
            "summary": format!("Read a {word}"),
            "responses": merge(json!({"200": {"description": format!("The {word}"),
                "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                "content": {"application/json": {"schema": schema_ref(&name)}}}}),
                errors(&[("404", "NotFound"), ("503", "Unavailable")]))
        },
        "put": {
            "tags": [tag], "x-action": Action::Change, "operationId": format!("replace{name}"),
            "summary": format!("Replace a {word}"),
            "description": "Full replace. The kind and registry number cannot change.",
            "parameters": [param_ref("ifMatch"), param_ref("reason")],
            "requestBody": input,
            "responses": merge(saved("200", "Replaced"),
                errors(&[("400", "BadRequest"), ("404", "NotFound"), ("409", "Conflict"), ("412", "PreconditionFailed"),
                         ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType"), ("422", "Unprocessable"),
                         ("428", "PreconditionRequired"), ("503", "Unavailable")]))
        },
        "patch": {
            "tags": [tag], "x-action": Action::Change, "operationId": format!("patch{name}"),
            "summary": format!("Change part of a {word}"),
            "description": "JSON Merge Patch (RFC 7396): members set values, null removes them.",
            "parameters": [param_ref("ifMatch"), param_ref("reason")],
            "requestBody": {"required": true, "content": {"application/merge-patch+json": {
                "schema": {"type": "object", "description": format!("A merge patch of a {name}")},
                "example": {"status": "suspended"}}}},
            "responses": merge(saved("200", "Changed"),
                errors(&[("400", "BadRequest"), ("404", "NotFound"), ("409", "Conflict"), ("412", "PreconditionFailed"),
                         ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType"), ("422", "Unprocessable"),
                         ("428", "PreconditionRequired"), ("503", "Unavailable")]))
        },
        "delete": {
            "tags": [tag], "x-action": Action::Delete, "operationId": format!("delete{name}"),
            "summary": format!("Delete a {word}"),
            "description": "Its history stays readable. Refused while another entry refers to it.",
            "parameters": [param_ref("ifMatch"), param_ref("reason")],
            "responses": merge(json!({"204": {"description": "Deleted"}}),
                errors(&[("400", "BadRequest"), ("404", "NotFound"), ("409", "Conflict"), ("412", "PreconditionFailed"),
                         ("428", "PreconditionRequired"), ("503", "Unavailable")]))
        }
    }));
}

/// Adds who may call each operation, from the role table of `ucr-core` (each operation names
/// its [`Action`] where it is defined): reads are open to anonymous callers when the register
/// is public (and to every token), every other operation needs a token of the role it names.
fn secure(paths: &mut Map<String, Value>) {
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            // Operations without an action (health, readiness, this document, the
            // vocabularies) are open to everyone.
            let Some(action) = op
                .remove("x-action")
                .and_then(|a| serde_json::from_value::<Action>(a).ok())
            else {
                continue;
            };
            // (A POST that reads, as OAI-PMH and reconciliation allow, is no write.)
            let writes = matches!(method.as_str(), "post" | "put" | "patch" | "delete")
                && action != Action::Read;
            let role = action.role();
            // Reads need no token unless the register is private: no padlock on them.
            let note = if action == Action::Read {
                "Open to anonymous callers when the register is public (UCR_PUBLIC_READ, the default), who never see `head`; a token (any role) sees it, and is needed when the register is private.".to_string()
            } else {
                op.insert("security".into(), json!([{"bearer": []}]));
                format!("Needs a token of role {role} or above.")
            };
            let description = op
                .get("description")
                .and_then(Value::as_str)
                .map(|d| format!("{d}\n\n{note}"))
                .unwrap_or(note);
            op.insert("description".into(), json!(description));
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                if writes {
                    // A read-only server (on a replica) refuses every write.
                    responses.insert("421".into(), response_ref("ReadOnly"));
                }
                responses.insert("401".into(), response_ref("Unauthorized"));
                if role > Role::Reader {
                    responses.insert("403".into(), response_ref("Forbidden"));
                }
            }
        }
    }
}

fn pascal(s: &str) -> String {
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The document as plain JSON, before utoipa's model reads it.
pub fn document_raw() -> Value {
    document_json()
}

fn document_json() -> Value {
    let mut paths = Map::new();
    for kind in Kind::ALL {
        collection_paths(&mut paths, *kind);
    }
    let search_params = json!([
        {"name": "q", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 200}, "example": "Atəşgah",
         "description": "Words to find in every name and alternative name, any language; case- and diacritic-insensitive the Azerbaijani way (seki, Sheki, Shaki and Şəki find the same entries; Ganja finds Gəncə); the words are prefixes, for type-ahead"},
        {"name": "kind", "in": "query", "required": false, "schema": {"type": "string", "enum": Kind::words()}},
        param_ref("region"), param_ref("economic_region"), param_ref("status"), param_ref("ownership"),
        param_ref("inventory_number"),
        {"name": "founded_from", "in": "query", "required": false, "schema": {"type": "integer", "format": "int64"}},
        {"name": "founded_to", "in": "query", "required": false, "schema": {"type": "integer", "format": "int64"}},
        {"name": "near", "in": "query", "required": false, "schema": {"type": "string", "pattern": "^-?[0-9.]+,-?[0-9.]+$"},
         "description": "lat,lon: entries within radius_km (default 10) of the point", "example": "40.4153,50.0086"},
        {"name": "radius_km", "in": "query", "required": false, "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000}, "example": 5},
        {"name": "bbox", "in": "query", "required": false, "schema": {"type": "string"},
         "description": "min_lon,min_lat,max_lon,max_lat", "example": "49.7,40.3,50.1,40.5"}
    ]);
    let mut search_list = search_params.as_array().cloned().unwrap_or_default();
    search_list.extend([
        json!({"name": "sort", "in": "query", "required": false,
               "schema": {"type": "string", "enum": ["relevance", "created", "-created", "registry_number", "name"]},
               "description": "relevance (the default with q), created (the default without), -created, registry_number, name"}),
        param_ref("limit"),
        json!({"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"},
               "description": "The next_cursor of the previous page; pages stay consistent while entries are added"}),
    ]);
    paths.insert("/api/v1/entries".into(), json!({
        "get": {"tags": ["entries"], "x-action": Action::Read, "operationId": "searchEntries", "summary": "Search every sub-register at once (the single window)",
                "parameters": search_list,
                "responses": merge(json!({"200": {"description": "A page of matching entries, with facet counts",
                    "content": {"application/json": {"schema": schema_ref("SearchResult")}}}}), errors(&[("400", "BadRequest"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/changes".into(), json!({
        "get": {"tags": ["entries"], "x-action": Action::Read, "operationId": "listChanges", "summary": "The change feed",
                "description": "Every change of every entry exactly once, in strictly increasing sequence, with the entry as it became (for a delete, its last state). Mirror the register by polling with since = the last seq (or next_cursor) seen.",
                "parameters": [
                    {"name": "since", "in": "query", "required": false, "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX}, "description": "The last change number seen (default 0)"},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 1000}, "description": "Changes per page (default 100)"}],
                "responses": merge(json!({"200": {"description": "Changes after since",
                    "content": {"application/json": {"schema": schema_ref("ChangeList")}}}}), errors(&[("400", "BadRequest"), ("503", "Unavailable")]))}
    }));
    let mut stats_params = search_params.as_array().cloned().unwrap_or_default();
    stats_params.retain(|p| p["name"] != "limit" && p["name"] != "cursor");
    stats_params.push(json!({"name": "group_by", "in": "query", "required": false,
        "schema": {"type": "string", "enum": ["kind", "region", "economic_region", "status"]}, "description": "Default kind"}));
    paths.insert("/api/v1/stats".into(), json!({
        "get": {"tags": ["entries"], "x-action": Action::Read, "operationId": "getStats", "summary": "Counts and sums grouped by kind, region, economic region or status",
                "description": "Entries, theatre seats, library holdings, museum items, enrolled pupils and reserve area, over the entries a search with the same filters finds.",
                "parameters": stats_params,
                "responses": merge(json!({"200": {"description": "The figures",
                    "content": {"application/json": {"schema": schema_ref("Stats")}}}}), errors(&[("400", "BadRequest"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/entries/{key}".into(), json!({
        "parameters": [param_ref("key")],
        "get": {"tags": ["entries"], "x-action": Action::Read, "operationId": "getEntry", "summary": "Read an entry of any sub-register by id or registry number",
                "responses": merge(json!({"200": {"description": "The entry", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                    "content": {"application/json": {"schema": schema_ref("Entry")}}}}), errors(&[("404", "NotFound"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/entries/{key}/history".into(), json!({
        "parameters": [param_ref("key")],
        "get": {"tags": ["entries"], "x-action": Action::Read, "operationId": "getEntryHistory", "summary": "Every revision of an entry, also of a deleted one",
                "description": "Oldest first, in pages of `limit` revisions; `next_cursor` reads on.",
                "parameters": [
                    {"name": "limit", "in": "query", "required": false, "description": "Revisions per page (1–1000, default 50)",
                     "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 1000}},
                    {"name": "cursor", "in": "query", "required": false, "description": "The next_cursor of the previous page",
                     "schema": {"type": "string", "pattern": "^v[1-9][0-9]{0,17}$"}}],
                "responses": merge(json!({"200": {"description": "Revisions, oldest first",
                    "content": {"application/json": {"schema": schema_ref("RevisionList")}}}}), errors(&[("400", "BadRequest"), ("404", "NotFound"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/entries/{key}/history/{version}".into(), json!({
        "parameters": [param_ref("key"), {"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX}}],
        "get": {"tags": ["entries"], "x-action": Action::Read, "operationId": "getEntryVersion", "summary": "One past version of an entry",
                "responses": merge(json!({"200": {"description": "The revision", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                    "content": {"application/json": {"schema": schema_ref("Revision")}}}}), errors(&[("404", "NotFound"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/imports".into(), json!({
        "get": {"tags": ["imports"], "x-action": Action::ReadImports, "operationId": "listImports", "summary": "Every recorded import, newest first",
                "responses": merge(json!({"200": {"description": "Imports",
                    "content": {"application/json": {"schema": schema_ref("ImportList")}}}}), errors(&[("503", "Unavailable")]))},
        "post": {"tags": ["imports"], "x-action": Action::Load, "operationId": "createImport",
                 "summary": "Check or load a file of entries",
                 "description": "The body is a JSON array, NDJSON (one entry per line, `kind` in each) or CSV (one kind per file: a `kind` column or `kind=`; dotted column names; lists with `|`; columns split by `,`, `;` or tab). All or nothing unless `atomic=false`; `dry_run=true` checks without writing (and lists, for an upsert, what would change). Entries may refer to entries later in the same file by registry number. A new entry without a registry number that has the kind, region and folded name of another gets a `possible_duplicate` warning.",
                 "parameters": [
                    {"name": "dry_run", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "Check only (default false)"},
                    {"name": "atomic", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "All or nothing (default true); false stores the good rows"},
                    {"name": "mode", "in": "query", "required": false, "schema": {"type": "string", "enum": ["create", "upsert"]}},
                    {"name": "match", "in": "query", "required": false, "schema": {"type": "string", "enum": ucr_core::bulk::MatchKey::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()},
                     "description": "What an upsert matches rows to existing entries on (default registry_number; another key needs mode=upsert)"},
                    {"name": "kind", "in": "query", "required": false, "schema": {"type": "string", "enum": Kind::words()}, "description": "Kind of a CSV body without a kind column"},
                    {"name": "delimiter", "in": "query", "required": false, "schema": {"type": "string", "enum": [",", ";", "tab"]}, "description": "Delimiter of CSV columns (default: the one the header line uses)"},
                    {"name": "encoding", "in": "query", "required": false, "schema": {"type": "string", "enum": ucr_core::bulk::read::Encoding::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>()},
                     "description": "Character encoding of the body (default utf-8; a body that is not is refused, naming the line and the encoding its bytes look like)"},
                    {"name": "filename", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Recorded as the file's name"},
                    {"name": "summary", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "Count the warnings and notices of accepted rows in `summary` only, without listing the rows in `accepted` (default false; for big files)"}
                 ],
                 "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"type": "array", "items": schema_ref("EntryInput")}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}}}},
                 "responses": merge(json!({
                    "200": {"description": "Dry run: what would happen", "content": {"application/json": {"schema": schema_ref("ImportReport")}}},
                    "201": {"description": "Loaded", "headers": {"Location": {"$ref": "#/components/headers/Location"}},
                            "content": {"application/json": {"schema": schema_ref("ImportReport")}}},
                    "422": {"description": "Refused: nothing written. An atomic load with a rejected row is recorded (`/problems/import-rejected`); a body of which no row reads as an entry of its format is not, in any mode (`/problems/import-unreadable`); `report` lists every rejected row",
                            "content": {PROBLEM: {"schema": schema_ref("ProblemDetails")}}}}),
                    errors(&[("400", "BadRequest"), ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/imports/{id}".into(), json!({
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
        "get": {"tags": ["imports"], "x-action": Action::ReadImports, "operationId": "getImport", "summary": "A recorded import",
                "responses": merge(json!({"200": {"description": "The import", "content": {"application/json": {"schema": schema_ref("Import")}}}}),
                    errors(&[("404", "NotFound"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/imports/{id}/undo".into(), json!({
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
        "post": {"tags": ["imports"], "x-action": Action::UndoImport, "operationId": "undoImport", "summary": "Undo an import as one operation",
                 "description": "Entries it created are deleted, entries it updated get their previous state back. Refused (409, `changed` lists them) when any of them changed since.",
                 "responses": merge(json!({"200": {"description": "Undone", "content": {"application/json": {"schema": schema_ref("Import")}}}}),
                    errors(&[("404", "NotFound"), ("409", "Conflict"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/export".into(), json!({
        "get": {"tags": ["imports"], "x-action": Action::Read, "operationId": "export", "summary": "Stream the register or a part of it",
                "description": "NDJSON and CSV load back into an empty register: references are written as registry numbers. CSV holds one kind.",
                "parameters": [
                    {"name": "format", "in": "query", "required": true, "schema": {"type": "string", "enum": ["ndjson", "csv", "geojson"]}},
                    {"name": "kind", "in": "query", "required": false, "schema": {"type": "string", "enum": Kind::words()}},
                    param_ref("region"), param_ref("status")],
                "responses": merge(json!({"200": {"description": "The entries", "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "application/geo+json": {"schema": {"type": "object"}}}}}), errors(&[("400", "BadRequest")]))}
    }));
    paths.insert("/api/v1/vocabularies".into(), json!({
        "get": {"tags": ["reference"], "operationId": "getVocabularies", "summary": "Every controlled list: regions, types, specialities, codes",
                "responses": {"200": {"description": "The vocabularies", "content": {"application/json": {"schema": schema_ref("Vocabularies")}}}}}
    }));
    paths.insert("/health".into(), json!({
        "get": {"tags": ["service"], "operationId": "health", "summary": "The process is up",
                "responses": {"200": {"description": "Up", "content": {"application/json": {"schema": schema_ref("Status")}}}}}
    }));
    paths.insert("/ready".into(), json!({
        "get": {"tags": ["service"], "operationId": "ready", "summary": "The database answers (and a replica is within its allowed lag)",
                "description": "A server started with --read-only on a replica also reports the replica's lag, and answers 503 (problem type /problems/replica-lag, with `replica`) past its --max-lag.",
                "responses": merge(json!({"200": {"description": "Ready", "content": {"application/json": {"schema": schema_ref("Readiness")}}}}),
                    errors(&[("503", "Unavailable")]))}
    }));
    paths.insert("/openapi.json".into(), json!({
        "get": {"tags": ["service"], "operationId": "openapi", "summary": "This document",
                "responses": {"200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    }));
    let mut tags: Vec<Value> = Kind::ALL
        .iter()
        .map(|k| json!({"name": k.collection(), "description": format!("The {} sub-register", k.as_str().replace('_', " "))}))
        .collect();
    tags.push(json!({"name": "entries", "description": "Entries of every sub-register, by id or registry number, and their history"}));
    tags.push(json!({"name": "imports", "description": "Bulk loading, undo and export"}));
    tags.push(json!({"name": "reference", "description": "Controlled vocabularies"}));
    tags.push(json!({"name": "service", "description": "Health, readiness and this document"}));
    interop::paths(&mut paths);
    tags.extend(interop::tags());
    secure(&mut paths);
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Unified Cultural Register API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The register of Azerbaijan's cultural institutions and heritage: theatres, libraries, museums, reserves, art and music schools, heritage objects. Every error is application/problem+json (RFC 9457); validation failures (422) list every problem with a JSON Pointer, a stable code and a severity.",
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"}
        },
        "tags": tags,
        "paths": paths,
        "components": components(),
    });
    maps::extend(&mut doc);
    doc
}

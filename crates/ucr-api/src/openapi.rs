//! The OpenAPI 3.1 document of the API, built from the register's field catalogue so that the
//! schemas say exactly what the rules accept. `openapi/openapi.json` is this document,
//! committed; a test fails when the two differ (`UCR_UPDATE_OPENAPI=1` rewrites the file).

use serde_json::{json, Map, Value};
use ucr_core::catalogue::{self, Field, Shape};
use ucr_core::check::REGISTRY_DIGITS;
use ucr_core::vocab::{HeritageCategory, Kind, Role};
use ucr_core::Action;

/// Problem responses every operation may give.
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

fn response_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{name}")})
}

fn param_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

/// The schema name of a kind (and heritage category).
pub fn schema_name(kind: Kind, category: Option<HeritageCategory>) -> String {
    let base = match kind {
        Kind::Theatre => "Theatre",
        Kind::Library => "Library",
        Kind::Museum => "Museum",
        Kind::Reserve => "Reserve",
        Kind::School => "School",
        Kind::HeritageObject => "HeritageObject",
    };
    match category {
        Some(HeritageCategory::Immovable) => "ImmovableHeritage".into(),
        Some(HeritageCategory::Movable) => "MovableHeritage".into(),
        Some(HeritageCategory::Intangible) => "IntangibleHeritage".into(),
        None => base.into(),
    }
}

fn field_schema(field: &Field, kind: Kind) -> Value {
    let mut s = match field.shape {
        Shape::Text(max) => json!({"type": "string", "minLength": 1, "maxLength": max}),
        Shape::Formatted("registry-number") => json!({
            "type": "string",
            "pattern": format!(
                "^{}-[0-9]{{{},{}}}$",
                kind.prefix(),
                REGISTRY_DIGITS.start(),
                REGISTRY_DIGITS.end()
            ),
            "examples": [format!("{}-000001", kind.prefix())]
        }),
        Shape::Formatted("iso-3166-2-az") => schema_ref("RegionCode"),
        Shape::Formatted("voen") => json!({"type": "string", "pattern": "^[0-9]{9}[12]$"}),
        Shape::Formatted(_) => json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)*$"}),
        Shape::Integer(min, max) => {
            let mut s = json!({"type": "integer", "format": "int64"});
            if let Some(min) = min {
                s["minimum"] = json!(min);
            }
            if let Some(max) = max {
                s["maximum"] = json!(max);
            }
            s
        }
        Shape::Positive => json!({"type": "number", "exclusiveMinimum": 0}),
        Shape::Date => json!({"type": "string", "format": "date"}),
        Shape::Word(words) => json!({"type": "string", "enum": words}),
        Shape::Words(words) => json!({
            "type": "array", "minItems": 1, "uniqueItems": true,
            "items": {"type": "string", "enum": words}
        }),
        Shape::Texts => {
            json!({"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 100}})
        }
        Shape::Names => schema_ref("Names"),
        Shape::NamesList => {
            json!({"type": "array", "maxItems": ucr_core::check::ALT_NAMES_MAX, "items": schema_ref("Names")})
        }
        Shape::Address => schema_ref("Address"),
        Shape::Location => schema_ref("Location"),
        Shape::ExternalIds => schema_ref("ExternalIds"),
        Shape::Contacts => schema_ref("Contacts"),
        Shape::Act => schema_ref("Act"),
        Shape::Dating => schema_ref("Dating"),
        Shape::Polygon => schema_ref("Polygon"),
        Shape::Reference(target) => json!({
            "type": "string",
            "minLength": 1,
            "description": format!(
                "Id or registry number of a {} on input; always the id on output",
                target.as_str().replace('_', " ")
            )
        }),
    };
    if s.get("$ref").is_some() {
        // 3.1 allows siblings of $ref; keep the description beside it.
        s["description"] = json!(field.description);
    } else if s.get("description").is_none() {
        s["description"] = json!(field.description);
    }
    s
}

/// The flat object schema of one kind (or heritage category): `output` adds the
/// register-assigned members as required.
fn entry_schema(kind: Kind, category: Option<HeritageCategory>, output: bool) -> Value {
    let fields = catalogue::fields(kind, category);
    let mut props = Map::new();
    props.insert(
        "id".into(),
        json!({"type": "string", "format": "uuid", "readOnly": true, "description": "UUID v7 assigned by the register"}),
    );
    props.insert(
        "kind".into(),
        json!({"type": "string", "enum": [kind.as_str()], "description": "The sub-register"}),
    );
    let mut required = vec!["kind".to_string()];
    for f in &fields {
        props.insert(f.name.into(), field_schema(f, kind));
        let region_required = f.name == "region" && category != Some(HeritageCategory::Intangible);
        if f.required || region_required {
            required.push(f.name.into());
        }
    }
    if let Some(c) = category {
        props.insert(
            "category".into(),
            json!({"type": "string", "enum": [c.as_str()]}),
        );
    }
    props.insert(
        "economic_region".into(),
        json!({"$ref": "#/components/schemas/EconomicRegionCode", "readOnly": true,
               "description": "Economic region (Decree 1386 of 2021), derived from region"}),
    );
    props.insert(
        "version".into(),
        json!({"type": "integer", "format": "int64", "minimum": 1, "readOnly": true,
               "description": "Starts at 1 and grows by one per change; the ETag"}),
    );
    for t in ["created_at", "updated_at"] {
        props.insert(
            t.into(),
            json!({"type": "string", "format": "date-time", "readOnly": true}),
        );
    }
    if output {
        required.extend(
            [
                "id",
                "registry_number",
                "status",
                "version",
                "created_at",
                "updated_at",
            ]
            .map(String::from),
        );
    }
    let title = schema_name(kind, category);
    json!({
        "type": "object",
        "title": if output { title.clone() } else { format!("{title}Input") },
        "description": if output {
            format!("A {} as the register holds it. `head` is shown only to authenticated readers.", kind.as_str().replace('_', " "))
        } else {
            format!("A {} as submitted; register-assigned members may be echoed back unchanged.", kind.as_str().replace('_', " "))
        },
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn kind_schemas(schemas: &mut Map<String, Value>, output: bool) {
    let suffix = if output { "" } else { "Input" };
    for kind in Kind::ALL {
        let name = format!("{}{suffix}", schema_name(*kind, None));
        if *kind == Kind::HeritageObject {
            let mut variants = Vec::new();
            let mut mapping = Map::new();
            for c in HeritageCategory::ALL {
                let vname = format!("{}{suffix}", schema_name(*kind, Some(*c)));
                schemas.insert(vname.clone(), entry_schema(*kind, Some(*c), output));
                mapping.insert(
                    c.as_str().into(),
                    json!(format!("#/components/schemas/{vname}")),
                );
                variants.push(schema_ref(&vname));
            }
            schemas.insert(
                name,
                json!({"oneOf": variants, "discriminator": {"propertyName": "category", "mapping": mapping},
                       "description": "A heritage object: immovable, movable or intangible"}),
            );
        } else {
            schemas.insert(name, entry_schema(*kind, None, output));
        }
    }
}

fn components() -> Value {
    let mut schemas = Map::new();
    kind_schemas(&mut schemas, true);
    kind_schemas(&mut schemas, false);
    let mut mapping = Map::new();
    for kind in Kind::ALL {
        mapping.insert(
            kind.as_str().into(),
            json!(format!("#/components/schemas/{}", schema_name(*kind, None))),
        );
        let name = schema_name(*kind, None);
        schemas.insert(format!("{name}List"), list_schema(schema_ref(&name)));
        schemas.insert(
            format!("Saved{name}"),
            json!({"type": "object", "required": ["entry", "warnings"], "additionalProperties": false,
                   "properties": {"entry": schema_ref(&name),
                                  "warnings": {"type": "array", "items": schema_ref("Problem")}},
                   "description": "The entry as stored and the warnings it was stored with"}),
        );
    }
    schemas.insert(
        "Entry".into(),
        json!({"oneOf": Kind::ALL.iter().map(|k| schema_ref(&schema_name(*k, None))).collect::<Vec<_>>(),
               "discriminator": {"propertyName": "kind", "mapping": mapping},
               "description": "An entry of any sub-register"}),
    );
    schemas.insert(
        "RegionCode".into(),
        json!({
            "type": "string", "description": "ISO 3166-2:AZ code of one of the 78 units",
            "enum": ucr_core::regions::units().map(|u| u.code).collect::<Vec<_>>()
        }),
    );
    schemas.insert("EconomicRegionCode".into(), json!({
        "type": "string", "description": "One of the 14 economic regions of Presidential Decree No. 1386 of 2021",
        "enum": ucr_core::regions::economic_regions().map(|r| r.code).collect::<Vec<_>>()
    }));
    let text = |max: usize| json!({"type": "string", "minLength": 1, "maxLength": max});
    schemas.insert("Names".into(), json!({
        "type": "object", "additionalProperties": false,
        "description": "Names; each 1–300 characters after trimming, NFC, no control characters",
        "properties": {"az": text(300), "en": text(300), "ru": text(300)}
    }));
    schemas.insert("Address".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": {"locality": text(500), "street": text(500),
                       "postal_code": {"type": "string", "description": "Accepted as AZ1000, AZ 1000, AZ-1000 or 1000; stored as AZ1000"}}
    }));
    schemas.insert(
        "Location".into(),
        json!({
            "type": "object", "additionalProperties": false, "required": ["lat", "lon"],
            "description": "WGS84 point inside Azerbaijan",
            "properties": {"lat": {"type": "number", "minimum": 38.38, "maximum": 41.91},
                           "lon": {"type": "number", "minimum": 44.76, "maximum": 50.63}}
        }),
    );
    schemas.insert(
        "ExternalIds".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "properties": {"wikidata": {"type": "string", "pattern": "^Q[1-9][0-9]*$"},
                           "unesco_whc": {"type": "integer", "format": "int64", "minimum": 1},
                           "unesco_ich": {"type": "integer", "format": "int64", "minimum": 1},
                           "geonames": {"type": "integer", "format": "int64", "minimum": 1},
                           "viaf": {"type": "string", "pattern": "^[0-9]+$"}}
        }),
    );
    schemas.insert("Contacts".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": {"phone": {"type": "string", "description": "Azerbaijani number; accepts (012) 493 40 03, 012 493 40 03, +994 12 493 40 03; stored E.164"},
                       "email": {"type": "string", "format": "email"},
                       "website": {"type": "string", "format": "uri", "description": "http or https"}}
    }));
    schemas.insert("Act".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": {"act": text(500), "number": text(50), "date": {"type": "string", "format": "date"}}
    }));
    schemas.insert(
        "Dating".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "description": "Years may be negative (BCE); from_year ≤ to_year ≤ this year",
            "properties": {"from_year": {"type": "integer", "format": "int64"},
                           "to_year": {"type": "integer", "format": "int64"},
                           "label": text(500)}
        }),
    );
    schemas.insert("Polygon".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["type", "coordinates"],
        "description": "GeoJSON polygon (RFC 7946): rings of [lon, lat], each closed, every vertex inside Azerbaijan",
        "properties": {"type": {"type": "string", "enum": ["Polygon"]},
                       "coordinates": {"type": "array", "items": {"type": "array", "minItems": 4,
                           "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}}}}
    }));
    schemas.insert("Problem".into(), json!({
        "type": "object", "additionalProperties": false,
        "required": ["field", "code", "message", "severity"],
        "description": "One thing wrong with an entry",
        "properties": {
            "field": {"type": "string", "description": "JSON Pointer (RFC 6901) to the field"},
            "code": {"type": "string", "enum": ucr_core::Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
            "message": {"type": "string"},
            "severity": {"type": "string", "enum": ["error", "warning"]}
        }
    }));
    schemas.insert("ProblemDetails".into(), json!({
        "type": "object", "required": ["type", "title", "status", "detail"],
        "description": "RFC 9457 problem details",
        "properties": {
            "type": {"type": "string", "description": "URI reference naming the problem, e.g. /problems/validation"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": schema_ref("Problem")},
            "referrers": {"type": "array", "items": {"type": "string"}, "description": "Entries that refer to the one a delete names"},
            "changed": {"type": "array", "items": {"type": "string"}, "description": "Entries changed since the import an undo names"},
            "report": schema_ref("ImportReport")
        }
    }));
    schemas.insert("Revision".into(), json!({
        "type": "object", "additionalProperties": false,
        "required": ["seq", "entry_id", "version", "operation", "actor", "recorded_at", "entry"],
        "properties": {
            "seq": {"type": "integer", "format": "int64", "description": "Position in the global change sequence"},
            "entry_id": {"type": "string", "format": "uuid"},
            "version": {"type": "integer", "format": "int64"},
            "operation": {"type": "string", "enum": ["create", "update", "status_change", "delete"]},
            "actor": {"type": "string"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "reason": {"type": "string"},
            "import_id": {"type": "string"},
            "entry": schema_ref("Entry")
        }
    }));
    schemas.insert("RevisionList".into(), list_schema(schema_ref("Revision")));
    let mut change_list = list_schema(schema_ref("Revision"));
    change_list["properties"]["next_cursor"]["description"] =
        json!("The seq of the last change of this page: pass it as since to read on; null when the page is empty");
    change_list["properties"]["total"]["description"] = json!("Changes after since");
    schemas.insert("ChangeList".into(), change_list);
    let counts = json!({"type": "object", "additionalProperties": {"type": "integer"}});
    let mut search_result = list_schema(schema_ref("Entry"));
    search_result["required"] = json!(["items", "next_cursor", "total", "facets"]);
    search_result["properties"]["facets"] = json!({
        "type": "object", "additionalProperties": false, "required": ["kind", "region", "status"],
        "description": "Counts of all matching entries by kind, region (\"none\" for entries without one) and status",
        "properties": {"kind": counts, "region": counts, "status": counts}
    });
    schemas.insert("SearchResult".into(), search_result);
    let group = json!({
        "type": "object", "additionalProperties": false,
        "required": ["key", "count", "seats", "holdings", "items", "enrolled", "area_ha"],
        "properties": {
            "key": {"type": ["string", "null"], "description": "The group; null for entries without one (e.g. intangible heritage has no region)"},
            "count": {"type": "integer"}, "seats": {"type": "integer", "description": "Theatre seats"},
            "holdings": {"type": "integer", "description": "Library holdings"},
            "items": {"type": "integer", "description": "Museum items"},
            "enrolled": {"type": "integer", "description": "Pupils enrolled"},
            "area_ha": {"type": "number", "description": "Reserve area, hectares"}
        }
    });
    schemas.insert("Stats".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["group_by", "groups", "total"],
        "properties": {
            "group_by": {"type": "string", "enum": ["kind", "region", "economic_region", "status"]},
            "groups": {"type": "array", "items": group.clone()},
            "total": group
        }
    }));
    schemas.insert("EntryInput".into(), json!({
        "oneOf": Kind::ALL.iter().map(|k| schema_ref(&format!("{}Input", schema_name(*k, None)))).collect::<Vec<_>>(),
        "description": "An entry of any sub-register, as submitted"
    }));
    let count =
        |d: &str| json!({"type": "integer", "format": "int64", "minimum": 0, "description": d});
    schemas.insert("ImportReport".into(), json!({
        "type": "object", "additionalProperties": false,
        "required": ["outcome", "created", "updated", "unchanged", "rejected", "warnings", "rows", "rows_not_listed"],
        "properties": {
            "import_id": {"type": "string", "format": "uuid", "description": "The recorded import (none for a dry run)"},
            "outcome": {"type": "string", "enum": ["dry_run", "committed", "rejected"]},
            "created": count("Entries created (or that would be)"),
            "updated": count("Entries updated"),
            "unchanged": count("Rows equal to the stored entry, not rewritten"),
            "rejected": count("Rows rejected"),
            "warnings": count("Warnings on accepted rows"),
            "rows": {"type": "array", "items": schema_ref("RowReport"), "description": "Rejected rows (at most 10 000)"},
            "rows_not_listed": count("Rejected rows beyond those listed")
        }
    }));
    schemas.insert("RowReport".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["file", "line", "problems"],
        "properties": {
            "file": {"type": "string"}, "line": {"type": "integer", "format": "int64", "minimum": 0},
            "registry_number": {"type": "string"},
            "problems": {"type": "array", "items": schema_ref("Problem")}
        }
    }));
    schemas.insert("Import".into(), json!({
        "type": "object", "additionalProperties": false,
        "required": ["id", "actor", "started_at", "finished_at", "files", "mode", "atomic", "status",
                     "created", "updated", "unchanged", "rejected", "undone_at", "undone_by"],
        "properties": {
            "id": {"type": "string", "format": "uuid"}, "actor": {"type": "string"},
            "started_at": {"type": "string", "format": "date-time"}, "finished_at": {"type": "string", "format": "date-time"},
            "files": {"type": "array", "items": {"type": "string"}},
            "mode": {"type": "string", "enum": ["create", "upsert"]}, "atomic": {"type": "boolean"},
            "status": {"type": "string", "enum": ["committed", "rejected", "undone"]},
            "created": count("Entries created"), "updated": count("Entries updated"),
            "unchanged": count("Rows unchanged"), "rejected": count("Rows rejected"),
            "undone_at": {"type": ["string", "null"], "format": "date-time"},
            "undone_by": {"type": ["string", "null"]}
        }
    }));
    schemas.insert("ImportList".into(), list_schema(schema_ref("Import")));
    let words =
        |about: &str| json!({"type": "array", "items": {"type": "string"}, "description": about});
    schemas.insert("Vocabularies".into(), json!({
        "type": "object",
        "description": "Every controlled list of the register",
        "required": ["kinds", "statuses", "regions", "economic_regions"],
        "properties": {
            "kinds": words("Sub-registers"), "statuses": words("Statuses"), "ownerships": words("Ownership"),
            "theatre_types": words("Theatre types"), "library_types": words("Library types"),
            "museum_profiles": words("Museum profiles"), "reserve_types": words("Reserve types"),
            "school_types": words("School types"), "specialities": words("School specialities"),
            "heritage_categories": words("Heritage categories"), "monument_types": words("Monument types"),
            "significances": words("Significance of monuments"), "conditions": words("Conditions of monuments"),
            "ich_domains": words("Intangible heritage domains"), "unesco_lists": words("UNESCO lists"),
            "problem_codes": words("Validation problem codes"),
            "regions": {"type": "array", "items": {"type": "object", "required": ["code", "name_az", "type", "economic_region"],
                "properties": {"code": {"type": "string"}, "name_az": {"type": "string"},
                               "type": {"type": "string", "enum": ["autonomous_republic", "city", "rayon"]},
                               "economic_region": {"type": "string"}}}},
            "economic_regions": {"type": "array", "items": {"type": "object", "required": ["code", "name_az", "name_en"],
                "properties": {"code": {"type": "string"}, "name_az": {"type": "string"}, "name_en": {"type": "string"}}}}
        }
    }));
    schemas.insert(
        "Status".into(),
        json!({
            "type": "object", "required": ["status"], "additionalProperties": false,
            "properties": {"status": {"type": "string"}}
        }),
    );

    let problem = |description: &str| json!({"description": description, "content": {PROBLEM: {"schema": schema_ref("ProblemDetails")}}});
    let responses = json!({
        "BadRequest": problem("Malformed JSON (with line and column), an empty body, or a bad query parameter"),
        "NotFound": problem("No such entry, version or collection"),
        "Conflict": problem("A unique value is taken (`errors` lists them), or the entry is referred to (`referrers`)"),
        "PreconditionFailed": problem("If-Match names a version other than the stored one"),
        "PayloadTooLarge": problem("The body is larger than the configured limit"),
        "UnsupportedMediaType": problem("The body is not of the required media type"),
        "Unprocessable": problem("The entry breaks validation rules; `errors` lists every problem"),
        "Unavailable": problem("The database does not answer"),
        "MethodNotAllowed": problem("The method is not allowed on this resource"),
        "Unauthorized": {"description": "No token where one is needed, or an unknown or revoked token",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer realm=\"ucr\""}},
            "content": {PROBLEM: {"schema": schema_ref("ProblemDetails")}}},
        "Forbidden": problem("The token's role is too low for this operation (deleting, reinstating a closed entry and undoing an import need admin)"),
    });
    let parameters = json!({
        "limit": {"name": "limit", "in": "query", "required": false, "description": "Entries per page (1–1000, default 50)",
                  "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
        "cursor": {"name": "cursor", "in": "query", "required": false, "description": "The next_cursor of the previous page",
                   "schema": {"type": "string", "format": "uuid"}},
        "status": {"name": "status", "in": "query", "required": false, "schema": {"type": "string", "enum": ["active", "suspended", "closed"]}},
        "region": {"name": "region", "in": "query", "required": false, "description": "ISO 3166-2:AZ code",
                   "schema": schema_ref("RegionCode")},
        "economic_region": {"name": "economic_region", "in": "query", "required": false,
                   "schema": schema_ref("EconomicRegionCode")},
        "ownership": {"name": "ownership", "in": "query", "required": false,
                   "schema": {"type": "string", "enum": ["state", "municipal", "private", "public_association"]}},
        "key": {"name": "key", "in": "path", "required": true, "description": "The entry's id or registry number",
                "schema": {"type": "string"}, "example": "MUS-000001"},
        "ifMatch": {"name": "If-Match", "in": "header", "required": false,
                    "description": "The ETag read (e.g. \"3\"); a stale one gets 412", "schema": {"type": "string"}},
        "reason": {"name": "UCR-Reason", "in": "header", "required": false,
                   "description": "Why the change is made; recorded in the revision", "schema": {"type": "string"}},
    });
    let headers = json!({
        "ETag": {"description": "The entry's version, quoted", "schema": {"type": "string"}},
        "Location": {"description": "The new entry's URL", "schema": {"type": "string"}},
    });
    let security = json!({"bearer": {"type": "http", "scheme": "bearer",
        "description": "A token from `ucr token create --name NAME --role reader|clerk|admin`; its name is the actor of every change made with it"}});
    json!({"schemas": schemas, "responses": responses, "parameters": parameters, "headers": headers,
           "securitySchemes": security})
}

fn list_schema(item: Value) -> Value {
    json!({
        "type": "object", "additionalProperties": false,
        "required": ["items", "next_cursor", "total"],
        "properties": {
            "items": {"type": "array", "items": item},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as cursor for the next page; null on the last"},
            "total": {"type": "integer", "format": "int64", "description": "Matching entries on all pages"}
        }
    })
}

/// A real entry of the kind (and category) from the fixtures, as a request example.
fn example(kind: Kind, category: Option<HeritageCategory>) -> Value {
    let fixtures: Vec<Value> =
        serde_json::from_str(include_str!("../../../fixtures/az-institutions.json"))
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
                m.remove("registry_number");
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
    paths.insert(format!("/api/v1/{tag}/{{key}}"), json!({
        "parameters": [param_ref("key")],
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
                         ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType"), ("422", "Unprocessable"), ("503", "Unavailable")]))
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
                         ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType"), ("422", "Unprocessable"), ("503", "Unavailable")]))
        },
        "delete": {
            "tags": [tag], "x-action": Action::Delete, "operationId": format!("delete{name}"),
            "summary": format!("Delete a {word}"),
            "description": "Its history stays readable. Refused while another entry refers to it.",
            "parameters": [param_ref("ifMatch"), param_ref("reason")],
            "responses": merge(json!({"204": {"description": "Deleted"}}),
                errors(&[("404", "NotFound"), ("409", "Conflict"), ("412", "PreconditionFailed"), ("503", "Unavailable")]))
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
        for op in item.values_mut() {
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
            let role = action.role();
            let (security, note) = if action == Action::Read {
                (
                    json!([{}, {"bearer": []}]),
                    "Anonymous callers may read when the register is public (UCR_PUBLIC_READ) and never see `head`; any token sees it.".to_string(),
                )
            } else {
                (
                    json!([{"bearer": []}]),
                    format!("Needs a token of role {role} or above."),
                )
            };
            op.insert("security".into(), security);
            let description = op
                .get("description")
                .and_then(Value::as_str)
                .map(|d| format!("{d}\n\n{note}"))
                .unwrap_or(note);
            op.insert("description".into(), json!(description));
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
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
        {"name": "q", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 200}, "example": "Şəki",
         "description": "Words to find in every name and alternative name, any language; case- and diacritic-insensitive the Azerbaijani way (seki, Sheki, Shaki and Şəki find the same entries; Ganja finds Gəncə); the words are prefixes, for type-ahead"},
        {"name": "kind", "in": "query", "required": false, "schema": {"type": "string", "enum": Kind::words()}},
        param_ref("region"), param_ref("economic_region"), param_ref("status"), param_ref("ownership"),
        {"name": "founded_from", "in": "query", "required": false, "schema": {"type": "integer"}},
        {"name": "founded_to", "in": "query", "required": false, "schema": {"type": "integer"}},
        {"name": "near", "in": "query", "required": false, "schema": {"type": "string", "pattern": "^-?[0-9.]+,-?[0-9.]+$"},
         "description": "lat,lon: entries within radius_km (default 10) of the point", "example": "40.3664,49.8372"},
        {"name": "radius_km", "in": "query", "required": false, "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000}, "example": 5},
        {"name": "bbox", "in": "query", "required": false, "schema": {"type": "string"},
         "description": "min_lon,min_lat,max_lon,max_lat", "example": "49.7,40.3,50.0,40.5"}
    ]);
    let mut search_list = search_params.as_array().cloned().unwrap_or_default();
    search_list.extend([
        json!({"name": "sort", "in": "query", "required": false,
               "schema": {"type": "string", "enum": ["relevance", "created", "-created", "registry_number", "name"]},
               "description": "relevance (the default with q), created (the default without), -created, registry_number, name"}),
        param_ref("limit"),
        json!({"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"},
               "description": "The next_cursor of the previous page; pages stay consistent while entries are added",
               "example": "5b302c22222c2230303030303030302d303030302d373030302d383030302d303030303030303030303030225d"}),
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
                    {"name": "since", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}, "description": "The last change number seen (default 0)"},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}, "description": "Changes per page (default 100)"}],
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
                "responses": merge(json!({"200": {"description": "Revisions, oldest first",
                    "content": {"application/json": {"schema": schema_ref("RevisionList")}}}}), errors(&[("404", "NotFound"), ("503", "Unavailable")]))}
    }));
    paths.insert("/api/v1/entries/{key}/history/{version}".into(), json!({
        "parameters": [param_ref("key"), {"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}],
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
                 "description": "The body is a JSON array, NDJSON (one entry per line, `kind` in each) or CSV (one kind per file: a `kind` column or `kind=`; dotted column names; lists with `|`). All or nothing unless `atomic=false`; `dry_run=true` checks without writing. Entries may refer to entries later in the same file by registry number.",
                 "parameters": [
                    {"name": "dry_run", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "Check only (default false)"},
                    {"name": "atomic", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "All or nothing (default true); false stores the good rows"},
                    {"name": "mode", "in": "query", "required": false, "schema": {"type": "string", "enum": ["create", "upsert"]}},
                    {"name": "kind", "in": "query", "required": false, "schema": {"type": "string", "enum": Kind::words()}, "description": "Kind of a CSV body without a kind column"},
                    {"name": "filename", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Recorded as the file's name"}
                 ],
                 "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"type": "array", "items": schema_ref("EntryInput")}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}}}},
                 "responses": merge(json!({
                    "200": {"description": "Dry run: what would happen", "content": {"application/json": {"schema": schema_ref("ImportReport")}}},
                    "201": {"description": "Loaded", "headers": {"Location": {"$ref": "#/components/headers/Location"}},
                            "content": {"application/json": {"schema": schema_ref("ImportReport")}}},
                    "422": {"description": "Refused (atomic): nothing written; `report` lists every rejected row",
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
        "get": {"tags": ["service"], "operationId": "ready", "summary": "The database answers",
                "responses": merge(json!({"200": {"description": "Ready", "content": {"application/json": {"schema": schema_ref("Status")}}}}),
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
    secure(&mut paths);
    json!({
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
    })
}

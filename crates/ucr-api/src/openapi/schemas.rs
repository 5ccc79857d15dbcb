//! The schemas of the document: each kind's entry as the field catalogue describes it (as
//! submitted and as stored), and the shared components (problems, lists, parameters).

use super::*;

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
        Shape::Text(_) if field.name == "isil" => {
            json!({"type": "string", "pattern": isil_pattern()})
        }
        Shape::Text(max) => text_schema(max),
        Shape::Formatted("registry-number") => json!({
            "type": "string",
            "description": "Read in any case, around spaces",
            "pattern": format!(
                "^\\s*{}-[0-9]{{{},{}}}\\s*$",
                kind.prefix()
                    .chars()
                    .map(|c| format!("[{c}{}]", c.to_ascii_lowercase()))
                    .collect::<String>(),
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
        Shape::Names => schema_ref("Name"),
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

pub(super) fn components() -> Value {
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
            json!({"type": "object", "required": ["entry", "warnings", "notices"], "additionalProperties": false,
                   "properties": {"entry": schema_ref(&name),
                                  "warnings": {"type": "array", "items": schema_ref("Problem")},
                                  "notices": {"type": "array", "items": schema_ref("Problem"),
                                              "description": "Every value the register normalised (phone, postal code, NFC, look-alike letters, dashes): the field, the value given and the value stored"}},
                   "description": "The entry as stored, the warnings it was stored with and the notices of what the register normalised"}),
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
    let text = text_schema;
    schemas.insert("Name".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["az"],
        "description": "The name in Azerbaijani (required), English and Russian; each 1–300 characters after trimming, NFC, no control characters",
        "properties": {"az": text(300), "en": text(300), "ru": text(300)}
    }));
    schemas.insert("Names".into(), json!({
        "type": "object", "additionalProperties": false, "minProperties": 1,
        "description": "Another name in at least one of Azerbaijani, English and Russian; each 1–300 characters after trimming, NFC, no control characters",
        "properties": {"az": text(300), "en": text(300), "ru": text(300)}
    }));
    schemas.insert("Address".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": {"locality": text(500), "street": text(500),
                       "postal_code": {"type": "string", "pattern": "^\\s*([Aa][Zz][ -]*)?[0-9]{4}\\s*$",
                                       "description": "Accepted as AZ1000, AZ 1000, AZ-1000 or 1000; stored as AZ1000"}}
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
        "properties": {"phone": {"type": "string", "pattern": PHONE_PATTERN, "description": "Azerbaijani number; accepts (012) 493 40 03, 012 493 40 03, +994 12 493 40 03; stored E.164"},
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
        "description": "One thing wrong with an entry (error, warning), or one value the register normalised (notice)",
        "properties": {
            "field": {"type": "string", "description": "JSON Pointer (RFC 6901) to the field"},
            "code": {"type": "string", "enum": ucr_core::Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
            "message": {"type": "string"},
            "severity": {"type": "string", "enum": ["error", "warning", "notice"],
                         "description": "error: blocks the write; warning: stored anyway; notice: a value normalised"},
            "given": {"type": "string", "description": "Notices: the value given"},
            "stored": {"type": "string", "description": "Notices: the value stored"}
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
            "report": schema_ref("ImportReport"),
            "write_to": {"type": "string", "description": "Where to send a write a read-only server refused (421)"},
            "replica": schema_ref("Replica")
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
        "required": ["outcome", "created", "updated", "unchanged", "rejected", "not_written", "warnings", "notices",
                     "rows", "rows_not_listed", "accepted", "accepted_not_listed", "summary", "changes"],
        "properties": {
            "import_id": {"type": "string", "format": "uuid", "description": "The recorded import (none for a dry run)"},
            "outcome": {"type": "string", "enum": ["dry_run", "committed", "rejected", "unreadable"]},
            "created": count("Entries created (or that would be, in a dry run); 0 in a rejected load"),
            "updated": count("Entries updated (or that would be, in a dry run); 0 in a rejected load"),
            "unchanged": count("Rows equal to the stored entry, not rewritten"),
            "rejected": count("Rows rejected"),
            "not_written": count("Rows of a rejected atomic load that passed every rule: none was written"),
            "warnings": count("Warnings on accepted rows"),
            "notices": count("Notices on accepted rows: values the register normalised"),
            "rows": {"type": "array", "items": schema_ref("RowReport"), "description": "Rejected rows (at most 10 000)"},
            "rows_not_listed": count("Rejected rows beyond those listed"),
            "accepted": {"type": "array", "items": schema_ref("RowReport"),
                         "description": "Accepted rows with their warnings and notices (at most 10 000; none with summary=true)"},
            "accepted_not_listed": count("Accepted rows with warnings or notices beyond those listed"),
            "summary": {"type": "array", "description": "The warnings and notices of the accepted rows, counted by severity, field (`*` for any list index) and code",
                        "items": {"type": "object", "additionalProperties": false, "required": ["severity", "field", "code", "count"],
                                  "properties": {"severity": {"type": "string", "enum": ["warning", "notice"]},
                                                 "field": {"type": "string"},
                                                 "code": {"type": "string", "enum": ucr_core::Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()},
                                                 "count": count("Problems of this severity, field and code")}}},
            "changes": {"type": "array", "items": schema_ref("EntryChanges"), "description": "Dry run of an upsert: what would change in each entry it updates (at most 10 000)"}
        }
    }));
    schemas.insert("EntryChanges".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["file", "line", "registry_number", "fields"],
        "properties": {
            "file": {"type": "string"}, "line": {"type": "integer", "format": "int64", "minimum": 0},
            "registry_number": {"type": "string"},
            "fields": {"type": "array", "items": schema_ref("FieldChange")}
        }
    }));
    schemas.insert("FieldChange".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["field", "old", "new"],
        "properties": {
            "field": {"type": "string", "description": "JSON Pointer of the field"},
            "old": {"type": ["string", "number", "integer", "boolean", "array", "object", "null"], "description": "The value stored now (null: none)"},
            "new": {"type": ["string", "number", "integer", "boolean", "array", "object", "null"], "description": "The value the row gives (null: none)"}
        }
    }));
    schemas.insert("RowReport".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["file", "line", "problems"],
        "properties": {
            "file": {"type": "string"}, "line": {"type": "integer", "format": "int64", "minimum": 0},
            "column": {"type": "integer", "format": "int64", "minimum": 1, "description": "Where the file could not be read further"},
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

    schemas.insert(
        "Readiness".into(),
        json!({
            "type": "object", "required": ["status"], "additionalProperties": false,
            "properties": {"status": {"type": "string"}, "replica": schema_ref("Replica")}
        }),
    );
    schemas.insert("Replica".into(), crate::replica::readiness_schema());

    let problem = |description: &str| json!({"description": description, "content": {PROBLEM: {"schema": schema_ref("ProblemDetails")}}});
    let responses = json!({
        "BadRequest": problem("Malformed JSON (with line and column), an empty body, or a bad query parameter"),
        "NotFound": problem("No such entry, version or collection"),
        "Conflict": problem("A unique value is taken (`errors` lists them), or the entry is referred to (`referrers`)"),
        "PreconditionFailed": problem("No strong entity tag of If-Match names the stored version (weak tags never match)"),
        "PreconditionRequired": problem("A change without If-Match: read the entry and send its ETag (unless the service runs with --if-match optional)"),
        "PayloadTooLarge": problem("The body is larger than the configured limit"),
        "UnsupportedMediaType": problem("The body is not of the required media type, or is sent with a Content-Encoding other than gzip, x-gzip, deflate or identity"),
        "Unprocessable": problem("The entry breaks validation rules; `errors` lists every problem"),
        "Unavailable": problem("The database does not answer"),
        "ReadOnly": problem("This server reads from a replica and takes no writes; `write_to` names the same path on the server that writes, when configured"),
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
        "inventory_number": {"name": "inventory_number", "in": "query", "required": false,
                   "description": "Only entries filed under this inventory number: any one of the numbers of an immovable monument in the state list (dashes read as -), or a museum's number of a movable object",
                   "schema": {"type": "string", "minLength": 1, "maxLength": 100}, "example": "93-2"},
        "ownership": {"name": "ownership", "in": "query", "required": false,
                   "schema": {"type": "string", "enum": ["state", "municipal", "private", "public_association"]}},
        "key": {"name": "key", "in": "path", "required": true, "description": "The entry's id or registry number",
                "schema": {"type": "string"}, "example": "MUS-000001"},
        "ifMatch": {"name": "If-Match", "in": "header", "required": true,
                    "description": "The ETag read (e.g. \"3\"), a list of them, or `*` for any version; compared strongly (RFC 9110): a stale or weak one gets 412, none 428",
                    "schema": {"type": "string", "pattern": IF_MATCH_PATTERN}, "example": "\"1\""},
        "reason": {"name": "UCR-Reason", "in": "header", "required": false,
                   "description": "Why the change is made; recorded in the revision", "schema": {"type": "string"}},
    });
    let headers = json!({
        "ETag": {"description": "The entry's version, quoted", "schema": {"type": "string", "pattern": "^\"[1-9][0-9]*\"$"}},
        "Location": {"description": "The new entry's URL", "schema": {"type": "string"}},
    });
    let security = json!({"bearer": {"type": "http", "scheme": "bearer",
        "description": "A token from `ucr token create --name NAME --role reader|clerk|admin`; its name is the actor of every change made with it"}});
    json!({"schemas": schemas, "responses": responses, "parameters": parameters, "headers": headers,
           "securitySchemes": security})
}

/// An Azerbaijani phone number as people write it: +994 or 994 and nine digits, or 0 and nine
/// digits (the first of the nine not 0), with spaces, hyphens, dots and brackets anywhere.
const PHONE_PATTERN: &str = r"^\s*(\+[ ().-]*9[ ().-]*9[ ().-]*4|[ ().-]*9[ ().-]*9[ ().-]*4|[ ().-]*0)[ ().-]*[1-9]([ ().-]*[0-9]){8}[ ().-]*\s*$";

/// An ISIL (ISO 15511) of at most 16 characters: a prefix of 1 to 4 letters or digits, a
/// hyphen, and a unit id of letters, digits, `/`, `-` and `:`.
fn isil_pattern() -> String {
    let max = ucr_core::check::ISIL_MAX;
    let alternatives: Vec<String> = (1..=4)
        .map(|p| format!("[A-Za-z0-9]{{{p}}}-[A-Za-z0-9/:-]{{1,{}}}", max - p - 1))
        .collect();
    format!("^\\s*({})\\s*$", alternatives.join("|"))
}

/// Free text: something besides spaces, no control characters (C0, DEL, C1).
const TEXT_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

/// Free text of at most `max` characters (counted after trimming).
fn text_schema(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": TEXT_PATTERN})
}

/// `*` or a list of entity tags (RFC 9110 §13.1.1).
const IF_MATCH_PATTERN: &str =
    "^[ \\t]*(\\*|(,[ \\t]*)*(W/)?\"[^\"]*\"([ \\t]*,([ \\t]*(W/)?\"[^\"]*\")?)*)[ \\t]*$";

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

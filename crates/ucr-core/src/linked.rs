//! Entries as linked data: JSON-LD with schema.org. Each kind has a schema.org type
//! ([`schema_type`]); each field of the field table ([`crate::model::fields`]) a term
//! ([`TERMS`]): a schema.org property where one fits, otherwise the register's own term
//! `ucr:<field>`. The `@context` ([`context`]) is derived from the same table and the fields'
//! shapes, and is served by the register itself, so a client expands documents offline.
//! `docs/jsonld.md` describes the mapping; a test keeps it in step with [`TERMS`].

use crate::catalogue::{self, Shape};
use crate::model::HeritageDetails;
use crate::vocab::{HeritageCategory, Kind};
use crate::Entry;
use serde_json::{json, Map, Value};

/// Where the register serves its `@context`, relative to its public URL.
pub const CONTEXT_PATH: &str = "/ld/context.jsonld";

/// The register's own vocabulary, relative to its public URL (`ucr:` terms).
pub const VOCAB_PATH: &str = "/ld/vocab#";

/// The term of each field of the field table, in table order: a schema.org property, or
/// `ucr:` for the register's own term (written under the field's name). `contacts` and
/// `external_ids` are spread over several properties (see [`document`]).
pub const TERMS: &[(&str, &str)] = &[
    ("registry_number", "identifier"),
    ("name", "name"),
    ("alt_names", "alternateName"),
    ("status", "ucr:"),
    ("closed_on", "dissolutionDate"),
    ("region", "containedInPlace"),
    ("address", "address"),
    ("location", "geo"),
    ("external_ids", "sameAs"),
    ("ownership", "ucr:"),
    ("tax_id", "taxID"),
    ("founded_year", "foundingDate"),
    ("parent_id", "parentOrganization"),
    ("contacts", "telephone email url"),
    ("head", "ucr:"),
    ("theatre_type", "ucr:"),
    ("seats", "maximumAttendeeCapacity"),
    ("halls", "ucr:"),
    ("library_type", "ucr:"),
    ("isil", "identifier"),
    ("holdings", "ucr:"),
    ("registered_readers", "ucr:"),
    ("museum_profile", "ucr:"),
    ("items_total", "ucr:"),
    ("items_on_display", "ucr:"),
    ("exhibition_rooms", "ucr:"),
    ("visitors_per_year", "ucr:"),
    ("reserve_type", "ucr:"),
    ("area_ha", "ucr:"),
    ("established_by", "ucr:"),
    ("unesco_whs_id", "sameAs"),
    ("boundary", "ucr:"),
    ("school_type", "ucr:"),
    ("specialities", "ucr:"),
    ("capacity", "ucr:"),
    ("enrolled", "ucr:"),
    ("teachers", "ucr:"),
    ("category", "ucr:"),
    ("dating", "temporalCoverage"),
    ("monument_type", "ucr:"),
    ("significance", "ucr:"),
    ("inventory_number", "identifier"),
    ("reserve_id", "containedInPlace"),
    ("condition", "ucr:"),
    ("protection_act", "ucr:"),
    ("museum_id", "holdingArchive"),
    ("object_type", "ucr:"),
    ("materials", "material"),
    ("ich_domain", "ucr:"),
    ("unesco_list", "ucr:"),
    ("inscribed_year", "ucr:"),
];

/// The schema.org type of an entry of `kind` (and heritage `category`).
pub fn schema_type(kind: Kind, category: Option<HeritageCategory>) -> &'static str {
    match (kind, category) {
        (Kind::Theatre, _) => "PerformingArtsTheater",
        (Kind::Library, _) => "Library",
        (Kind::Museum, _) => "Museum",
        // A protected territory with its administration: schema.org has no protected-area
        // type; a reserve is a place people visit for its heritage.
        (Kind::Reserve, _) => "TouristAttraction",
        (Kind::School, _) => "School",
        (Kind::HeritageObject, Some(HeritageCategory::Movable)) => "ArchiveComponent",
        (Kind::HeritageObject, Some(HeritageCategory::Intangible)) => "CreativeWork",
        (Kind::HeritageObject, _) => "LandmarksOrHistoricalBuildings",
    }
}

/// Every schema.org type the register uses.
pub fn schema_types() -> Vec<&'static str> {
    let mut types: Vec<&str> = Kind::ALL
        .iter()
        .flat_map(|k| {
            HeritageCategory::ALL
                .iter()
                .map(move |c| schema_type(*k, Some(*c)))
        })
        .chain(["AdministrativeArea", "PostalAddress", "GeoCoordinates"])
        .collect();
    types.sort_unstable();
    types.dedup();
    types
}

/// The term of a field of the field table (`None` for a field the table does not have).
pub fn term(field: &str) -> Option<&'static str> {
    TERMS.iter().find(|(f, _)| *f == field).map(|(_, t)| *t)
}

/// The heritage category of an entry, for heritage objects.
fn category(entry: &Entry) -> Option<HeritageCategory> {
    match &entry.record.details {
        crate::model::Details::HeritageObject(h) => Some(match h.details {
            HeritageDetails::Immovable(_) => HeritageCategory::Immovable,
            HeritageDetails::Movable(_) => HeritageCategory::Movable,
            HeritageDetails::Intangible(_) => HeritageCategory::Intangible,
        }),
        _ => None,
    }
}

/// The URL (and `@id`) of an entry, under the register's public URL `base`.
pub fn entry_url(base: &str, id: &str) -> String {
    format!("{base}/api/v1/entries/{id}")
}

/// Term definitions of the schema.org properties the register writes.
fn schema_term(property: &str) -> Value {
    let iri = format!("schema:{property}");
    match property {
        "name" | "alternateName" => json!({"@id": iri, "@container": "@language"}),
        "sameAs" | "url" | "containedInPlace" | "parentOrganization" | "holdingArchive" => {
            json!({"@id": iri, "@type": "@id"})
        }
        "foundingDate" => json!({"@id": iri, "@type": "xsd:gYear"}),
        "dissolutionDate" => json!({"@id": iri, "@type": "xsd:date"}),
        "dateModified" | "dateCreated" => json!({"@id": iri, "@type": "xsd:dateTime"}),
        "latitude" | "longitude" => json!({"@id": iri, "@type": "xsd:double"}),
        _ => json!(iri),
    }
}

/// The definition of a field's own `ucr:` term, from its shape in the field table.
fn own_term(field: &str, shape: Shape) -> Value {
    let iri = format!("ucr:{field}");
    match shape {
        Shape::Polygon | Shape::Act | Shape::Dating => json!({"@id": iri, "@type": "@json"}),
        Shape::Date => json!({"@id": iri, "@type": "xsd:date"}),
        Shape::Positive => json!({"@id": iri, "@type": "xsd:double"}),
        _ => json!(iri),
    }
}

/// The register's `@context` for documents whose `ucr:` terms live under `base`.
pub fn context(base: &str) -> Value {
    let mut terms = Map::new();
    terms.insert("@version".into(), json!(1.1));
    terms.insert("schema".into(), json!("https://schema.org/"));
    terms.insert("xsd".into(), json!("http://www.w3.org/2001/XMLSchema#"));
    terms.insert("ucr".into(), json!(format!("{base}{VOCAB_PATH}")));
    for t in schema_types() {
        terms.insert(t.into(), json!(format!("schema:{t}")));
    }
    let mut properties: Vec<&str> = TERMS
        .iter()
        .flat_map(|(_, t)| t.split(' '))
        .filter(|t| *t != "ucr:")
        .collect();
    properties.extend([
        "streetAddress",
        "addressLocality",
        "postalCode",
        "addressCountry",
        "latitude",
        "longitude",
        "dateModified",
        "dateCreated",
    ]);
    for p in properties {
        terms.insert(p.into(), schema_term(p));
    }
    for group in crate::catalogue::GROUPS {
        for f in group.iter().filter(|f| term(f.name) == Some("ucr:")) {
            terms.insert(f.name.into(), own_term(f.name, f.shape));
        }
    }
    json!({ "@context": Value::Object(terms) })
}

/// Adds `value` to the property `name` of `doc`, making a list when it already has one.
fn add(doc: &mut Map<String, Value>, name: &str, value: Value) {
    match doc.get_mut(name) {
        None => {
            doc.insert(name.into(), value);
        }
        Some(Value::Array(list)) => list.push(value),
        Some(old) => {
            let first = old.take();
            *old = json!([first, value]);
        }
    }
}

/// The IRIs of an entry's identifiers in other systems.
fn same_as(field: &str, value: &Value) -> Vec<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match field {
        "unesco_whs_id" => text(value)
            .map(|n| format!("https://whc.unesco.org/en/list/{n}"))
            .into_iter()
            .collect(),
        _ => {
            let patterns = [
                ("wikidata", "http://www.wikidata.org/entity/"),
                ("unesco_whc", "https://whc.unesco.org/en/list/"),
                ("geonames", "https://sws.geonames.org/"),
                ("viaf", "http://viaf.org/viaf/"),
            ];
            patterns
                .iter()
                .filter_map(|(member, prefix)| {
                    let v = text(value.get(member)?)?;
                    Some(if *member == "geonames" {
                        format!("{prefix}{v}/")
                    } else {
                        format!("{prefix}{v}")
                    })
                })
                .collect()
        }
    }
}

/// An entry as a JSON-LD document: `json` is the entry's flat JSON as the caller may see it
/// (without `head` for anonymous callers), `base` the register's public URL.
pub fn document(entry: &Entry, json: &Value, base: &str) -> Value {
    let mut doc = Map::new();
    doc.insert("@context".into(), json!(format!("{base}{CONTEXT_PATH}")));
    doc.insert("@id".into(), json!(entry_url(base, &entry.id.to_string())));
    let category = category(entry);
    doc.insert("@type".into(), json!(schema_type(entry.kind(), category)));
    let mut identifiers = Vec::new();
    for f in catalogue::fields(entry.kind(), category) {
        let Some(value) = json.get(f.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(term) = term(f.name) else { continue };
        match (f.name, f.shape) {
            (_, _) if term == "identifier" => {
                if let Some(s) = value.as_str() {
                    identifiers.push(json!(s));
                }
            }
            (_, Shape::Names) => add(&mut doc, term, value.clone()),
            (_, Shape::NamesList) => {
                let mut by_language = Map::new();
                for names in value.as_array().into_iter().flatten() {
                    for (language, name) in names.as_object().into_iter().flatten() {
                        let slot = by_language
                            .entry(language.clone())
                            .or_insert_with(|| json!([]));
                        if let Value::Array(list) = slot {
                            list.push(name.clone());
                        }
                    }
                }
                add(&mut doc, term, Value::Object(by_language));
            }
            (_, Shape::Address) => {
                let mut address = Map::new();
                address.insert("@type".into(), json!("PostalAddress"));
                for (member, property) in [
                    ("street", "streetAddress"),
                    ("locality", "addressLocality"),
                    ("postal_code", "postalCode"),
                ] {
                    if let Some(v) = value.get(member) {
                        address.insert(property.into(), v.clone());
                    }
                }
                address.insert("addressCountry".into(), json!("AZ"));
                add(&mut doc, term, Value::Object(address));
            }
            (_, Shape::Location) => add(
                &mut doc,
                term,
                json!({"@type": "GeoCoordinates", "latitude": value["lat"], "longitude": value["lon"]}),
            ),
            (_, Shape::Contacts) => {
                for (member, property) in [
                    ("phone", "telephone"),
                    ("email", "email"),
                    ("website", "url"),
                ] {
                    if let Some(v) = value.get(member) {
                        add(&mut doc, property, v.clone());
                    }
                }
            }
            (_, Shape::Reference(_)) => {
                if let Some(id) = value.as_str() {
                    add(&mut doc, term, json!(entry_url(base, id)));
                }
            }
            ("region", _) => {
                let code = value.as_str().unwrap_or_default();
                let mut place = json!({"@type": "AdministrativeArea", "identifier": code});
                if let Some(unit) = crate::regions::unit(code) {
                    place["name"] = json!({"az": unit.name_az});
                }
                add(&mut doc, term, place);
            }
            ("founded_year", _) => add(&mut doc, term, json!(value.to_string())),
            ("dating", _) => {
                let covered = match (value.get("from_year"), value.get("to_year")) {
                    _ if value.get("label").is_some() => value["label"].clone(),
                    (Some(from), Some(to)) => json!(format!("{from}/{to}")),
                    (Some(year), None) | (None, Some(year)) => json!(year.to_string()),
                    (None, None) => continue,
                };
                add(&mut doc, term, covered);
            }
            (_, _) if term == "sameAs" => {
                for iri in same_as(f.name, value) {
                    add(&mut doc, term, json!(iri));
                }
            }
            (_, _) if term == "ucr:" => {
                doc.insert(f.name.into(), value.clone());
            }
            (_, _) => add(&mut doc, term, value.clone()),
        }
    }
    if !identifiers.is_empty() {
        doc.insert("identifier".into(), Value::Array(identifiers));
    }
    doc.insert("dateCreated".into(), json!(entry.created_at.to_rfc3339()));
    doc.insert("dateModified".into(), json!(entry.updated_at.to_rfc3339()));
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_the_field_table_has_one_term() {
        let mut names: Vec<&str> = crate::catalogue::GROUPS
            .iter()
            .flat_map(|g| g.iter().map(|f| f.name))
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut mapped: Vec<&str> = TERMS.iter().map(|(f, _)| *f).collect();
        mapped.sort_unstable();
        assert_eq!(names, mapped);
    }

    #[test]
    fn the_mapping_document_lists_every_term_and_type() {
        let doc = include_str!("../../../docs/jsonld.md");
        for (field, term) in TERMS {
            let property = if *term == "ucr:" {
                format!("ucr:{field}")
            } else {
                term.split(' ')
                    .map(|t| format!("schema:{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let row = format!("| `{field}` | {property} |");
            assert!(doc.contains(&row), "docs/jsonld.md has no row {row}");
        }
        for t in schema_types() {
            assert!(doc.contains(&format!("schema:{t}")), "docs/jsonld.md: {t}");
        }
    }

    #[test]
    fn the_context_defines_every_term_a_document_uses() {
        let context = context("http://x");
        let terms = context["@context"].as_object().cloned().unwrap_or_default();
        for (field, term) in TERMS {
            for t in term.split(' ') {
                let name = if t == "ucr:" { *field } else { t };
                assert!(terms.contains_key(name), "{name} is not in the context");
            }
        }
    }
}

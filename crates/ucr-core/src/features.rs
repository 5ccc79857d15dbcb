//! Entries as GeoJSON features for GIS clients (OGC API – Features): the geometry, and the
//! fields as flat properties. The properties are the CSV columns of the kind
//! ([`crate::bulk::columns`], from the field table) with `_` for `.` (`name_az`,
//! `address_locality`), every one on every feature (`null` when empty) so that a client sees
//! one schema per collection; lists are joined with `|` as in CSV. The point and the boundary
//! are the geometry, not properties.

use crate::bulk::columns::{members, LIST_SEPARATOR};
use crate::catalogue::{self, Shape};
use crate::model::Details;
use crate::vocab::Kind;
use crate::Entry;
use serde_json::{json, Map, Value};

/// The geometry of an entry in CRS84 (lon, lat): a reserve's boundary where it has one,
/// otherwise its point; `null` without a location.
pub fn geometry(entry: &Entry) -> Value {
    if let Details::Reserve(r) = &entry.record.details {
        if let Some(boundary) = &r.boundary {
            return serde_json::to_value(boundary).unwrap_or(Value::Null);
        }
    }
    entry.record.location.map_or(
        Value::Null,
        |l| json!({"type": "Point", "coordinates": [l.lon, l.lat]}),
    )
}

/// A list as one text, its items joined with `|`; `null` when empty.
fn joined<'a>(items: impl Iterator<Item = Option<&'a str>>) -> Value {
    let items: Vec<&str> = items.map(Option::unwrap_or_default).collect();
    if items.iter().all(|s| s.is_empty()) {
        Value::Null
    } else {
        json!(items.join(&LIST_SEPARATOR.to_string()))
    }
}

/// The names of the flat properties of a collection of `kind`, in order.
pub fn property_names(kind: Kind, personal_data: bool) -> Vec<String> {
    properties(kind, &json!({}), personal_data)
        .keys()
        .cloned()
        .collect()
}

/// Fields of personal data ([`Entry::hide_personal_data`]): properties only for callers who
/// may see them.
const PERSONAL: &[&str] = &["head"];

/// The flat properties of an entry: `json` is its flat JSON as the caller may see it;
/// without `personal_data`, the personal fields are no properties at all.
pub fn properties(kind: Kind, json: &Value, personal_data: bool) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("kind".into(), json!(kind.as_str()));
    let mut seen = std::collections::HashSet::new();
    for f in catalogue::fields(kind, None) {
        if !seen.insert(f.name)
            || matches!(f.shape, Shape::Location | Shape::Polygon)
            || (!personal_data && PERSONAL.contains(&f.name))
        {
            continue;
        }
        let value = json.get(f.name).filter(|v| !v.is_null());
        match (members(f.shape), value) {
            (Some(ms), Some(Value::Array(list))) => {
                for (m, _) in ms {
                    let names = list.iter().map(|n| n.get(m).and_then(Value::as_str));
                    out.insert(format!("{}_{m}", f.name), joined(names));
                }
            }
            (Some(ms), value) => {
                for (m, _) in ms {
                    let v = value.and_then(|v| v.get(m)).cloned();
                    out.insert(format!("{}_{m}", f.name), v.unwrap_or(Value::Null));
                }
            }
            (None, Some(Value::Array(list))) => {
                out.insert(f.name.into(), joined(list.iter().map(Value::as_str)));
            }
            (None, value) => {
                out.insert(f.name.into(), value.cloned().unwrap_or(Value::Null));
            }
        }
    }
    for name in ["economic_region", "updated_at"] {
        out.insert(name.into(), json.get(name).cloned().unwrap_or(Value::Null));
    }
    out
}

/// An entry as a GeoJSON feature (`json` and `personal_data` as for [`properties`]).
pub fn feature(entry: &Entry, json: &Value, personal_data: bool) -> Value {
    json!({
        "type": "Feature",
        "id": entry.id.to_string(),
        "geometry": geometry(entry),
        "properties": properties(entry.kind(), json, personal_data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_feature_of_a_kind_has_the_same_properties() {
        for kind in Kind::ALL {
            for personal in [true, false] {
                let full = properties(*kind, &json!({"name": {"az": "x"}, "seats": 3}), personal);
                let names: Vec<String> = full.keys().cloned().collect();
                let expected = property_names(*kind, personal);
                assert_eq!(names, expected, "{kind:?}");
                assert!(expected.contains(&"name_az".to_string()));
                assert!(!expected.iter().any(|n| n.starts_with("location")));
                let head = expected.contains(&"head".to_string());
                assert_eq!(head, personal && kind.is_institution(), "{kind:?}");
            }
        }
    }

    #[test]
    fn nested_fields_and_lists_are_flat() {
        let value = json!({
            "name": {"az": "Şəki", "en": "Sheki"},
            "alt_names": [{"az": "Nuxa"}, {"az": "Nükha", "ru": "Нуха"}],
            "specialities": ["piano", "tar"],
            "region": "AZ-SA",
        });
        let p = properties(Kind::School, &value, false);
        assert_eq!(p["name_az"], json!("Şəki"));
        assert_eq!(p["name_ru"], Value::Null);
        assert_eq!(p["alt_names_az"], json!("Nuxa|Nükha"));
        assert_eq!(p["alt_names_ru"], json!("|Нуха"));
        assert_eq!(p["specialities"], json!("piano|tar"));
        assert_eq!(p["region"], json!("AZ-SA"));
    }
}

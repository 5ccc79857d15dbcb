//! The raw shape of a submitted entry: every field of every kind, each optional and typed only
//! as far as JSON allows. A JSON object becomes a [`Draft`] field by field, so that every wrong
//! type and every unknown field is reported, not only the first.

use crate::model::{Act, Address, Contacts, Dating, ExternalIds, Location, Names};
use crate::problem::{pointer, Code, Problems};
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// Declares the draft's fields once: the struct, the per-field parser and the list of names.
macro_rules! draft {
    ($($field:ident : $ty:ty),+ $(,)?) => {
        /// Every field a submitted entry may carry, none yet checked.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Draft {
            $(#[doc = concat!("`", stringify!($field), "`")] pub $field: Option<$ty>,)+
        }

        impl Draft {
            /// Every field name.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// Sets one field from JSON; `false` when the name is not a field.
            fn set(&mut self, name: &str, value: Value, problems: &mut Problems) -> bool {
                match name {
                    $(stringify!($field) => {
                        self.$field = parse_value(name, value, problems);
                        true
                    })+
                    _ => false,
                }
            }

            /// The names of the fields that are present.
            pub fn present(&self) -> Vec<&'static str> {
                let mut names = Vec::new();
                $(if self.$field.is_some() { names.push(stringify!($field)); })+
                names
            }
        }
    };
}

draft! {
    kind: String,
    registry_number: String,
    name: Names,
    alt_names: Vec<Names>,
    status: String,
    closed_on: NaiveDate,
    region: String,
    address: Address,
    location: Location,
    external_ids: ExternalIds,
    // institutions
    ownership: String,
    tax_id: String,
    founded_year: i64,
    parent_id: String,
    contacts: Contacts,
    head: String,
    // theatre
    theatre_type: String,
    seats: i64,
    halls: i64,
    // library
    library_type: String,
    isil: String,
    holdings: i64,
    registered_readers: i64,
    // museum
    museum_profile: String,
    items_total: i64,
    items_on_display: i64,
    exhibition_rooms: i64,
    visitors_per_year: i64,
    // reserve
    reserve_type: String,
    area_ha: f64,
    established_by: Act,
    unesco_whs_id: i64,
    boundary: Value,
    // school
    school_type: String,
    specialities: Vec<String>,
    capacity: i64,
    enrolled: i64,
    teachers: i64,
    // heritage object
    category: String,
    dating: Dating,
    monument_type: String,
    significance: String,
    inventory_number: String,
    reserve_id: String,
    condition: String,
    protection_act: String,
    museum_id: String,
    object_type: String,
    materials: Vec<String>,
    ich_domain: String,
    unesco_list: String,
    inscribed_year: i64,
    // assigned by the register: accepted only as they are
    id: String,
    version: i64,
    created_at: String,
    updated_at: String,
    economic_region: String,
}

/// Fields the register assigns; a client may echo them back unchanged but never set them.
pub const ASSIGNED: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "economic_region",
];

fn parse_value<T: serde::de::DeserializeOwned>(
    name: &str,
    mut value: Value,
    problems: &mut Problems,
) -> Option<T> {
    if value.is_null() {
        return None;
    }
    // Unknown members of nested objects are each reported at their own pointer, then left
    // out so that the rest of the value is still read.
    for _ in 0..64 {
        match serde_json::from_value(value.clone()) {
            Ok(v) => return Some(v),
            Err(e) => {
                let message = e.to_string();
                let unknown = message
                    .strip_prefix("unknown field `")
                    .and_then(|rest| rest.split_once('`'))
                    .map(|(member, _)| member.to_string());
                match unknown.and_then(|m| remove_member(&mut value, &m).map(|at| (m, at))) {
                    Some((member, at)) => {
                        let field = match at {
                            Some(i) => pointer(&pointer(&pointer("", name), i), &member),
                            None => pointer(&pointer("", name), &member),
                        };
                        problems.error(field, Code::UnknownField, message);
                    }
                    None => {
                        problems.error(pointer("", name), Code::Format, message);
                        return None;
                    }
                }
            }
        }
    }
    None
}

/// Removes `member` from an object, or from the first object of an array that has it;
/// returns the array index (if any), or `None` when no object has the member.
fn remove_member(value: &mut Value, member: &str) -> Option<Option<usize>> {
    match value {
        Value::Object(map) => map.remove(member).map(|_| None),
        Value::Array(items) => items.iter_mut().enumerate().find_map(|(i, item)| {
            item.as_object_mut()
                .and_then(|m| m.remove(member))
                .map(|_| Some(i))
        }),
        _ => None,
    }
}

impl Draft {
    /// Reads a JSON value that must be an object. Wrong types and unknown fields go to
    /// `problems`; a `null` field counts as absent.
    pub fn from_json(value: Value, problems: &mut Problems) -> Draft {
        let mut draft = Draft::default();
        let Value::Object(map) = value else {
            problems.error(
                "",
                Code::Format,
                format!("an entry is a JSON object, not {}", json_type(&value)),
            );
            return draft;
        };
        draft.fill(map, problems);
        draft
    }

    fn fill(&mut self, map: Map<String, Value>, problems: &mut Problems) {
        for (name, value) in map {
            if !self.set(&name, value, problems) {
                problems.error(
                    pointer("", &name),
                    Code::UnknownField,
                    format!("`{name}` is not a field of a register entry"),
                );
            }
        }
    }
}

/// The JSON type of a value, for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

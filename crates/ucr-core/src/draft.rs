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
        let e = match serde_path_to_error::deserialize(value.clone()) {
            Ok(v) => return Some(v),
            Err(e) => e,
        };
        let message = e.inner().to_string();
        match unknown_member::<T>(e.path()) {
            Some((at, member)) if remove_member(&mut value, at, &member) => {
                let field = match at {
                    Some(i) => pointer(&pointer(&pointer("", name), i), &member),
                    None => pointer(&pointer("", name), &member),
                };
                problems.error(field, Code::UnknownField, message);
            }
            _ => {
                problems.error(pointer("", name), Code::Format, message);
                return None;
            }
        }
    }
    None
}

/// Where a value read as `T` failed, when that is a member its object does not have: the
/// index of the object in a list (if any) and the member's name.
fn unknown_member<T: serde::de::DeserializeOwned>(
    path: &serde_path_to_error::Path,
) -> Option<(Option<usize>, String)> {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let (at, member) = match segments.as_slice() {
        [Segment::Map { key }] => (None, key),
        [Segment::Seq { index }, Segment::Map { key }] => (Some(*index), key),
        _ => return None,
    };
    (!members::<T>().contains(&member.as_str())).then(|| (at, member.clone()))
}

/// Removes `member` from the object `value` is, or from its item `at`; whether it was there.
fn remove_member(value: &mut Value, at: Option<usize>, member: &str) -> bool {
    let object = match at {
        None => value.as_object_mut(),
        Some(i) => value.get_mut(i).and_then(Value::as_object_mut),
    };
    object.is_some_and(|o| o.remove(member).is_some())
}

/// The members serde reads from an object as a `T`: a struct's fields, or those of the items
/// of a list of structs; none for anything else. Serde hands them to the deserializer of a
/// struct, which is all this one does.
fn members<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{self, DeserializeSeed, Visitor};

    struct Fields<'a>(&'a mut &'static [&'static str]);

    fn stop<E: de::Error>() -> E {
        E::custom("only the field names are read")
    }

    impl<'de> de::Deserializer<'de> for Fields<'_> {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(stop())
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(stop())
        }

        fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            visitor.visit_seq(self)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    // A list: its first item tells.
    impl<'de> de::SeqAccess<'de> for Fields<'_> {
        type Error = de::value::Error;

        fn next_element_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<Option<S::Value>, Self::Error> {
            seed.deserialize(Fields(&mut *self.0)).map(Some)
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Fields(&mut fields));
    fields
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

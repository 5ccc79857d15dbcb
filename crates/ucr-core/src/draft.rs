//! The raw shape of a submitted entry: every field of every kind, each optional and typed only
//! as far as JSON allows. A JSON object becomes a [`Draft`] field by field, so that every wrong
//! type and every unknown field is reported, not only the first.

use crate::catalogue::GROUPS;
use crate::model::{
    Act, Address, Contacts, Dating, EntryRef, ExternalIds, Location, Names, Polygon,
};
use crate::problem::{pointer, Code, Problems};
use crate::vocab::*;
use chrono::NaiveDate;
use serde_json::{Map, Value};
use std::any::Any;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The type a field of the table is read as from JSON, before its rule makes it `Self`: a
/// word or a reference is read as a string, a list of words as a list of strings, a polygon
/// as any JSON (its rule reads it); everything else as itself.
pub trait Drafted {
    /// What the draft holds.
    type Raw: serde::de::DeserializeOwned + 'static;
}

macro_rules! drafted_as_itself {
    ($($t:ty),+) => {$(impl Drafted for $t { type Raw = $t; })+};
}

drafted_as_itself!(
    String,
    i64,
    f64,
    NaiveDate,
    Names,
    Address,
    Location,
    ExternalIds,
    Contacts,
    Act,
    Dating
);

/// A word of a vocabulary is read as a string; its rule looks it up.
macro_rules! drafted_as_string {
    ($($t:ty),+) => {$(impl Drafted for $t { type Raw = String; })+};
}

crate::vocab::with_vocabularies!(drafted_as_string, EntryRef);

/// Reads the field `name` of a submission as the field table types it, and lists the type
/// of each row (a callback of the table).
macro_rules! field_reading {
    ($({ $docs:tt $list:ident $struct:tt [$(
        ($fname:ident, $ty:ty, $shape:tt, $need:ident, $desc:literal, $rule:tt)
    )*] $after:tt })*) => {
        /// Reads the field `name` of a submission as the table types it: `Err` gives the
        /// value back when no group has the field.
        fn read_field(
            name: &str,
            value: Value,
            problems: &mut Problems,
        ) -> Result<Option<Box<dyn Any>>, Value> {
            $($(if name == stringify!($fname) {
                return Ok(read::< <$ty as Drafted>::Raw >(name, value, problems));
            })*)*
            Err(value)
        }

        /// The type each row is read as (a field in two groups is read as one).
        #[cfg(test)]
        fn read_types() -> Vec<(&'static str, std::any::TypeId)> {
            vec![$($((stringify!($fname), std::any::TypeId::of::< <$ty as Drafted>::Raw >()),)*)*]
        }
    };
}

crate::model::fields::field_table!(field_reading);

#[cfg(test)]
mod table_tests {
    /// A field in two groups (`inventory_number`) is one member of a submission: both rows
    /// must read it as the same type.
    #[test]
    fn a_field_in_two_groups_is_read_as_one_type() {
        let types = super::read_types();
        for (name, t) in &types {
            for (other, u) in &types {
                if name == other {
                    assert_eq!(t, u, "{name} is read as two types");
                }
            }
        }
    }
}
impl Drafted for Polygon {
    type Raw = Value;
}

impl<T: Drafted> Drafted for Vec<T> {
    type Raw = Vec<T::Raw>;
}

/// Every field a submitted entry may carry, none yet checked: each present field read as the
/// field table types it ([`Drafted::Raw`]).
#[derive(Default)]
pub struct Draft {
    values: HashMap<&'static str, Box<dyn Any>>,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("present", &self.present())
            .finish()
    }
}

/// The fields the draft reads besides the table's: the kind, then (last) the assigned ones.
const KIND: &str = "kind";

impl Draft {
    /// Every field name: `kind`, the table's fields in table order (a field of two groups
    /// once), the register-assigned ones.
    pub fn fields() -> &'static [&'static str] {
        static FIELDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
            let mut names = vec![KIND];
            for field in GROUPS.iter().flat_map(|g| g.iter()) {
                if !names.contains(&field.name) {
                    names.push(field.name);
                }
            }
            names.extend(ASSIGNED);
            names
        });
        &FIELDS
    }

    /// Takes the field `name` out of the draft, read as `T` (its [`Drafted::Raw`] type).
    pub fn take<T: 'static>(&mut self, name: &str) -> Option<T> {
        let value = self.values.remove(name)?;
        value.downcast().ok().map(|v| *v)
    }

    /// The field `name`, read as `T`, left in the draft.
    pub fn get<T: 'static>(&self, name: &str) -> Option<&T> {
        self.values.get(name)?.downcast_ref()
    }

    /// Whether the field `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The names of the fields that are present, in the order of [`Draft::fields`].
    pub fn present(&self) -> Vec<&'static str> {
        Draft::fields()
            .iter()
            .copied()
            .filter(|name| self.values.contains_key(name))
            .collect()
    }

    /// Sets one field from JSON; `false` when the name is not a field.
    fn set(&mut self, name: &str, value: Value, problems: &mut Problems) -> bool {
        let Some(name) = Draft::fields().iter().copied().find(|n| *n == name) else {
            return false;
        };
        let read = match name {
            KIND | "id" | "created_at" | "updated_at" | "economic_region" => {
                read::<String>(name, value, problems)
            }
            "version" => read::<i64>(name, value, problems),
            _ => match read_field(name, value, problems) {
                Ok(read) => read,
                Err(_) => return false,
            },
        };
        match read {
            Some(v) => self.values.insert(name, v),
            None => self.values.remove(name),
        };
        true
    }
}

/// Fields the register assigns; a client may echo them back unchanged but never set them.
pub const ASSIGNED: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "economic_region",
];

/// Reads one field's JSON as `T`; `None` (with the problems) when it is `null` or not a `T`.
pub(crate) fn read<T: serde::de::DeserializeOwned + 'static>(
    name: &str,
    value: Value,
    problems: &mut Problems,
) -> Option<Box<dyn Any>> {
    parse_value::<T>(name, value, problems).map(|v| Box::new(v) as Box<dyn Any>)
}

fn parse_value<T: serde::de::DeserializeOwned>(
    name: &str,
    mut value: Value,
    problems: &mut Problems,
) -> Option<T> {
    if value.is_null() {
        return None;
    }
    whole_numbers(&mut value);
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

/// Writes whole numbers written with a fraction (`49.0`, `1e3`) as integers, as JSON Schema
/// counts them: an integer field takes them, a number field reads them the same.
fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64() {
                // i64::MAX as f64 rounds up to 2^63, which is out of range: `<` keeps it out.
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(members) => members.values_mut().for_each(whole_numbers),
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields left over after the kind's rules are reported in this order: these keep it,
    /// whatever is added to the table.
    #[test]
    fn fields_keep_their_order() {
        let expected = [
            "kind",
            "registry_number",
            "name",
            "alt_names",
            "status",
            "closed_on",
            "region",
            "address",
            "location",
            "external_ids",
            "ownership",
            "tax_id",
            "founded_year",
            "parent_id",
            "contacts",
            "head",
            "theatre_type",
            "seats",
            "halls",
            "library_type",
            "isil",
            "holdings",
            "registered_readers",
            "museum_profile",
            "items_total",
            "items_on_display",
            "exhibition_rooms",
            "visitors_per_year",
            "reserve_type",
            "area_ha",
            "established_by",
            "unesco_whs_id",
            "boundary",
            "school_type",
            "specialities",
            "capacity",
            "enrolled",
            "teachers",
            "category",
            "dating",
            "monument_type",
            "significance",
            "inventory_number",
            "reserve_id",
            "condition",
            "protection_act",
            "museum_id",
            "object_type",
            "materials",
            "ich_domain",
            "unesco_list",
            "inscribed_year",
            "id",
            "version",
            "created_at",
            "updated_at",
            "economic_region",
        ];
        let kept: Vec<&str> = Draft::fields()
            .iter()
            .copied()
            .filter(|f| expected.contains(f))
            .collect();
        assert_eq!(kept, expected);
        assert_eq!(Draft::fields().first(), Some(&"kind"));
        assert!(Draft::fields().ends_with(ASSIGNED));
    }

    #[test]
    fn whole_numbers_with_a_fraction_are_integers() {
        let mut problems = Problems::default();
        let draft = Draft::from_json(
            serde_json::json!({"seats": 49.0, "founded_year": 1.9e3, "area_ha": 12.0}),
            &mut problems,
        );
        assert_eq!(problems, Problems::default());
        assert_eq!(draft.get::<i64>("seats"), Some(&49));
        assert_eq!(draft.get::<i64>("founded_year"), Some(&1900));
        assert_eq!(draft.get::<f64>("area_ha"), Some(&12.0));
        // A fraction, or a whole number beyond 64 bits, is still not an integer.
        for seats in [serde_json::json!(49.5), serde_json::json!(1e19)] {
            let mut problems = Problems::default();
            let draft = Draft::from_json(serde_json::json!({"seats": seats}), &mut problems);
            assert_eq!(draft.get::<i64>("seats"), None, "{seats}");
            assert_eq!(problems.0.len(), 1, "{seats}");
        }
    }

    #[test]
    fn a_field_is_read_as_the_table_types_it() {
        let mut problems = Problems::default();
        let mut draft = Draft::from_json(
            serde_json::json!({"seats": 3, "theatre_type": "drama", "boundary": {"a": 1}}),
            &mut problems,
        );
        assert_eq!(problems, Problems::default());
        assert_eq!(draft.present(), ["theatre_type", "seats", "boundary"]);
        assert_eq!(draft.get::<i64>("seats"), Some(&3));
        assert_eq!(
            draft.take::<String>("theatre_type").as_deref(),
            Some("drama")
        );
        assert_eq!(
            draft.take::<Value>("boundary"),
            Some(serde_json::json!({"a": 1}))
        );
        assert_eq!(draft.present(), ["seats"]);
    }
}

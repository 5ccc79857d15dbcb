//! The entry model (SPEC §3): typed values for the six sub-registers.
//!
//! Entries travel as flat JSON objects — the common fields, then the kind's own fields at the
//! top level. A value of these types is only built by [`crate::check`](mod@crate::check) from checked input, or
//! read back from storage, so it is valid by construction.

use crate::vocab::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod fields;
pub(crate) mod table;

pub use fields::{
    Immovable, Institution, Intangible, Library, Movable, Museum, Reserve, School, Theatre,
};

/// A name in the register's languages. `az` is required, `en` and `ru` optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    /// Azerbaijani (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub az: Option<String>,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    /// Russian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
}

impl Names {
    /// Every name given, in the order az, en, ru.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        [&self.az, &self.en, &self.ru]
            .into_iter()
            .filter_map(|n| n.as_deref())
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// City, town or village.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Street and house.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Postal code, stored as `AZdddd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

/// A WGS84 point inside Azerbaijan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lon: f64,
}

/// Identifiers of the entry in other systems.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalIds {
    /// Wikidata item, `Q` and digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    /// UNESCO World Heritage Centre property number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unesco_whc: Option<i64>,
    /// UNESCO Intangible Cultural Heritage element number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unesco_ich: Option<i64>,
    /// GeoNames feature id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geonames: Option<i64>,
    /// VIAF authority id (digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viaf: Option<String>,
}

/// How to reach an institution.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    /// Phone, stored in E.164 (`+994…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Web site, http or https.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// A legal act, e.g. Council of Ministers decision No. 280 of 1977-08-10.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    /// The kind of act and who issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
    /// Its number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The date it was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// When a heritage object was made; negative years are BCE.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dating {
    /// First possible year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_year: Option<i64>,
    /// Last possible year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<i64>,
    /// The dating as written, e.g. `12th century`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A GeoJSON polygon (RFC 7946 §3.1.6): rings of `[lon, lat]` positions, each ring closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Polygon {
    /// Always `Polygon`.
    #[serde(rename = "type")]
    pub geometry_type: String,
    /// Exterior ring first, then holes.
    pub coordinates: Vec<Vec<[f64; 2]>>,
}

/// A reference to another entry: its id, or on input its registry number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum EntryRef {
    /// The entry's id.
    Id(Uuid),
    /// The entry's registry number (input only; stored as the id).
    Number(String),
}

impl From<String> for EntryRef {
    fn from(s: String) -> Self {
        match Uuid::parse_str(s.trim()) {
            Ok(id) => EntryRef::Id(id),
            Err(_) => EntryRef::Number(s.trim().to_string()),
        }
    }
}

impl From<EntryRef> for String {
    fn from(r: EntryRef) -> Self {
        r.to_string()
    }
}

impl std::fmt::Display for EntryRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EntryRef::Id(id) => write!(f, "{id}"),
            EntryRef::Number(n) => f.write_str(n),
        }
    }
}

/// What kind of heritage object it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "category", rename_all = "snake_case")]
pub enum HeritageDetails {
    /// A monument.
    Immovable(Immovable),
    /// An object in a museum.
    Movable(Movable),
    /// A practice, tradition or skill.
    Intangible(Intangible),
}

/// A heritage object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeritageObject {
    /// When it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dating: Option<Dating>,
    /// Category-specific fields.
    #[serde(flatten)]
    pub details: HeritageDetails,
}

/// The fields of one sub-register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    /// A theatre.
    Theatre(Theatre),
    /// A library.
    Library(Library),
    /// A museum.
    Museum(Museum),
    /// A reserve.
    Reserve(Reserve),
    /// A school.
    School(School),
    /// A heritage object.
    HeritageObject(HeritageObject),
}

impl Details {
    /// The sub-register.
    pub fn kind(&self) -> Kind {
        match self {
            Details::Theatre(_) => Kind::Theatre,
            Details::Library(_) => Kind::Library,
            Details::Museum(_) => Kind::Museum,
            Details::Reserve(_) => Kind::Reserve,
            Details::School(_) => Kind::School,
            Details::HeritageObject(_) => Kind::HeritageObject,
        }
    }

    /// The institution fields, for the five institution kinds.
    pub fn institution(&self) -> Option<&Institution> {
        match self {
            Details::Theatre(x) => Some(&x.institution),
            Details::Library(x) => Some(&x.institution),
            Details::Museum(x) => Some(&x.institution),
            Details::Reserve(x) => Some(&x.institution),
            Details::School(x) => Some(&x.institution),
            Details::HeritageObject(_) => None,
        }
    }

    /// Mutable institution fields.
    pub fn institution_mut(&mut self) -> Option<&mut Institution> {
        match self {
            Details::Theatre(x) => Some(&mut x.institution),
            Details::Library(x) => Some(&mut x.institution),
            Details::Museum(x) => Some(&mut x.institution),
            Details::Reserve(x) => Some(&mut x.institution),
            Details::School(x) => Some(&mut x.institution),
            Details::HeritageObject(_) => None,
        }
    }

    /// The value of the kind's own type field (`theatre_type`, `museum_profile`, … or the
    /// heritage category).
    pub fn type_word(&self) -> &'static str {
        match self {
            Details::Theatre(x) => x.theatre_type.as_str(),
            Details::Library(x) => x.library_type.as_str(),
            Details::Museum(x) => x.museum_profile.as_str(),
            Details::Reserve(x) => x.reserve_type.as_str(),
            Details::School(x) => x.school_type.as_str(),
            Details::HeritageObject(x) => match x.details {
                HeritageDetails::Immovable(_) => "immovable",
                HeritageDetails::Movable(_) => "movable",
                HeritageDetails::Intangible(_) => "intangible",
            },
        }
    }

    /// References to other entries: (JSON field name, reference, kind it must name).
    pub fn references(&self) -> Vec<(&'static str, &EntryRef, Kind)> {
        let mut refs = Vec::new();
        if let Some(parent) = self.institution().and_then(|i| i.parent_id.as_ref()) {
            refs.push(("parent_id", parent, self.kind()));
        }
        if let Details::HeritageObject(h) = self {
            match &h.details {
                HeritageDetails::Immovable(Immovable {
                    reserve_id: Some(r),
                    ..
                }) => refs.push(("reserve_id", r, Kind::Reserve)),
                HeritageDetails::Movable(m) => refs.push(("museum_id", &m.museum_id, Kind::Museum)),
                _ => {}
            }
        }
        refs
    }

    /// Mutable references, in the same order as [`Details::references`].
    pub fn references_mut(&mut self) -> Vec<&mut EntryRef> {
        let mut refs = Vec::new();
        match self {
            Details::HeritageObject(h) => match &mut h.details {
                HeritageDetails::Immovable(Immovable {
                    reserve_id: Some(r),
                    ..
                }) => refs.push(r),
                HeritageDetails::Movable(m) => refs.push(&mut m.museum_id),
                _ => {}
            },
            other => {
                if let Some(p) = other.institution_mut().and_then(|i| i.parent_id.as_mut()) {
                    refs.push(p);
                }
            }
        }
        refs
    }
}

/// What a client supplies for an entry: everything but the register-assigned fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Registry number; assigned in sequence when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_number: Option<String>,
    /// Names in the register's languages.
    pub name: Names,
    /// Other names: old names, transliterations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alt_names: Vec<Names>,
    /// Lifecycle status.
    pub status: Status,
    /// Date of closing, when `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
    /// ISO 3166-2:AZ code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// WGS84 point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Identifiers in other systems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<ExternalIds>,
    /// The sub-register's own fields, with `kind`.
    #[serde(flatten)]
    pub details: Details,
}

impl Record {
    /// The sub-register.
    pub fn kind(&self) -> Kind {
        self.details.kind()
    }

    /// The economic region derived from `region`.
    pub fn economic_region(&self) -> Option<&'static str> {
        self.region
            .as_deref()
            .and_then(crate::regions::unit)
            .map(|u| u.economic_region)
    }
}

/// An entry as the register holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// UUID v7, assigned by the register.
    pub id: Uuid,
    /// What the client supplied, normalised, with references stored as ids.
    #[serde(flatten)]
    pub record: Record,
    /// Economic region derived from `region`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economic_region: Option<String>,
    /// Starts at 1, grows by one per change; the HTTP ETag.
    pub version: i64,
    /// When the entry was created.
    pub created_at: DateTime<Utc>,
    /// When the entry last changed.
    pub updated_at: DateTime<Utc>,
}

impl Entry {
    /// The registry number (always set on a stored entry).
    pub fn registry_number(&self) -> &str {
        self.record.registry_number.as_deref().unwrap_or_default()
    }

    /// The sub-register.
    pub fn kind(&self) -> Kind {
        self.record.kind()
    }

    /// The entry as flat JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Blanks the personal data (`head`), for readers who may not see it.
    pub fn hide_personal_data(&mut self) {
        if let Some(i) = self.record.details.institution_mut() {
            i.head = None;
        }
    }

    /// The entry as flat JSON without the personal data of `head`.
    pub fn to_public_json(&self) -> serde_json::Value {
        let mut public = self.clone();
        public.hide_personal_data();
        public.to_json()
    }

    /// The client-editable part as flat JSON: what a full replace would send back.
    pub fn record_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.record).unwrap_or(serde_json::Value::Null)
    }
}

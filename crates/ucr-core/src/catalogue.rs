//! The catalogue of entry fields: which fields each sub-register has, their JSON shape and
//! limits, as the field table ([`crate::model::fields`]) lists them. It describes the rules of
//! [`crate::check`](mod@crate::check) for documents (the OpenAPI schemas, the vocabularies endpoint, CSV
//! columns); a test keeps the two in agreement.

use crate::vocab::*;

/// Longest name, in characters after trimming.
pub const NAME_MAX: usize = 300;
/// Most alternative names an entry may have (old names and transliterations; a bound keeps
/// the full-text index of one entry small).
pub const ALT_NAMES_MAX: usize = 50;
/// Longest free text (locality, street, act, label …), in characters.
pub const TEXT_MAX: usize = 500;
/// Earliest founding year the register accepts.
pub const FOUNDED_MIN: i64 = 1000;
/// Most seats a theatre may declare.
pub const SEATS_MAX: i64 = 10_000;
/// Most halls a theatre may declare.
pub const HALLS_MAX: i64 = 50;
/// Longest ISIL (ISO 15511).
pub const ISIL_MAX: usize = 16;
/// The year the UNESCO Convention for the Safeguarding of the Intangible Cultural Heritage was
/// adopted; no inscription is older.
pub const ICH_CONVENTION_YEAR: i64 = 2003;
/// Bounding box of Azerbaijan (WGS84), SPEC §3.
pub const LAT_MIN: f64 = 38.38;
/// See [`LAT_MIN`].
pub const LAT_MAX: f64 = 41.91;
/// See [`LAT_MIN`].
pub const LON_MIN: f64 = 44.76;
/// See [`LAT_MIN`].
pub const LON_MAX: f64 = 50.63;

/// The JSON shape of a field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// A string of at most this many characters.
    Text(usize),
    /// A string with a documented format (the name of the format).
    Formatted(&'static str),
    /// A whole number in a range (`None`: unbounded; a year's upper bound is this year).
    Integer(Option<i64>, Option<i64>),
    /// A number greater than zero.
    Positive,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One word of a vocabulary.
    Word(&'static [&'static str]),
    /// A list of distinct words of a vocabulary.
    Words(&'static [&'static str]),
    /// A list of short texts.
    Texts,
    /// `{az, en, ru}`.
    Names,
    /// A list of `{az, en, ru}`.
    NamesList,
    /// `{locality, street, postal_code}`.
    Address,
    /// `{lat, lon}`.
    Location,
    /// `{wikidata, unesco_whc, unesco_ich, geonames, viaf}`.
    ExternalIds,
    /// `{phone, email, website}`.
    Contacts,
    /// `{act, number, date}`.
    Act,
    /// `{from_year, to_year, label}`.
    Dating,
    /// A GeoJSON polygon.
    Polygon,
    /// The id or registry number of another entry (of the kind named).
    Reference(Kind),
}

/// One field of an entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// JSON member name.
    pub name: &'static str,
    /// Its shape.
    pub shape: Shape,
    /// Whether a submission must have it.
    pub required: bool,
    /// What it means.
    pub description: &'static str,
}

/// Declares the field list of every group of the field table, and [`GROUPS`] (a callback
/// of the table).
macro_rules! field_lists {
    ($({ [$(#[$doc:meta])*] $list:ident $struct:tt [$(
        ($fname:ident, $ty:ty, [$($shape:tt)*], $need:ident, $desc:literal, $rule:tt)
    )*] $after:tt })*) => {
        $(
            $(#[$doc])*
            pub const $list: &[Field] = &[$(Field {
                name: stringify!($fname),
                shape: Shape::$($shape)*,
                required: $crate::model::table::required!($need),
                description: $desc,
            },)*];
        )*

        /// Every group of the table, in table order.
        pub const GROUPS: &[&[Field]] = &[$($list),*];
    };
}

crate::model::fields::field_table!(field_lists);

/// The kind's own fields (for heritage objects: the fields of every category).
pub fn own_fields(kind: Kind) -> Vec<Field> {
    match kind {
        Kind::Theatre => THEATRE.to_vec(),
        Kind::Library => LIBRARY.to_vec(),
        Kind::Museum => MUSEUM.to_vec(),
        Kind::Reserve => RESERVE.to_vec(),
        Kind::School => SCHOOL.to_vec(),
        Kind::HeritageObject => {
            let mut all = HERITAGE.to_vec();
            for c in HeritageCategory::ALL {
                all.extend(category_fields(*c));
            }
            all
        }
    }
}

/// The kind's own type field (`theatre_type`, `library_type`, `museum_profile`,
/// `reserve_type`, `school_type`, or the heritage `category`) and its words: the first of
/// [`own_fields`].
pub fn type_field(kind: Kind) -> (&'static str, &'static [&'static str]) {
    match own_fields(kind).first().map(|f| (f.name, f.shape)) {
        Some((name, Shape::Word(words))) => (name, words),
        _ => ("category", &[]),
    }
}

/// The fields of one heritage category.
pub fn category_fields(category: HeritageCategory) -> Vec<Field> {
    match category {
        HeritageCategory::Immovable => IMMOVABLE.to_vec(),
        HeritageCategory::Movable => MOVABLE.to_vec(),
        HeritageCategory::Intangible => INTANGIBLE.to_vec(),
    }
}

/// Every field an entry of `kind` (and, for heritage, `category`) may carry, `kind` excluded.
pub fn fields(kind: Kind, category: Option<HeritageCategory>) -> Vec<Field> {
    let mut all: Vec<Field> = COMMON.to_vec();
    if kind.is_institution() {
        all.extend(INSTITUTION.iter().map(|f| match f.shape {
            Shape::Reference(_) => Field {
                shape: Shape::Reference(kind),
                ..*f
            },
            _ => *f,
        }));
    }
    match (kind, category) {
        (Kind::HeritageObject, Some(c)) => {
            all.extend(own_fields(kind).into_iter().take(2));
            all.extend(category_fields(c));
        }
        _ => all.extend(own_fields(kind)),
    }
    all
}

/// Vocabulary word lists, as static slices for the catalogue.
pub mod words {
    /// Theatre types.
    pub const THEATRE: &[&str] = &[
        "drama",
        "opera_ballet",
        "musical",
        "puppet",
        "young_spectators",
        "pantomime",
        "other",
    ];
    /// Library types.
    pub const LIBRARY: &[&str] = &[
        "national",
        "republican",
        "central",
        "city",
        "district",
        "village",
        "children",
        "youth",
        "school",
        "university",
        "special",
    ];
    /// Museum profiles.
    pub const MUSEUM: &[&str] = &[
        "history",
        "art",
        "literature",
        "memorial",
        "local_lore",
        "natural_history",
        "science_technology",
        "ethnography",
        "archaeology",
        "music",
        "other",
    ];
    /// Reserve types.
    pub const RESERVE: &[&str] = &[
        "historical_architectural",
        "historical_cultural",
        "historical_artistic",
        "archaeological",
        "ethnographic",
        "nature_historical",
    ];
    /// School types.
    pub const SCHOOL: &[&str] = &[
        "music",
        "art",
        "music_and_art",
        "art_centre",
        "secondary_special_music",
        "secondary_special_art",
    ];
    /// Specialities.
    pub const SPECIALITY: &[&str] = &[
        "piano",
        "tar",
        "kamancha",
        "garmon",
        "balaban",
        "violin",
        "cello",
        "vocal",
        "mugham_vocal",
        "choir",
        "composition",
        "painting",
        "graphics",
        "sculpture",
        "decorative_arts",
        "dance",
        "theatre",
        "saz",
        "oud",
        "qanun",
        "nagara",
        "clarinet",
        "flute",
        "trumpet",
        "accordion",
        "guitar",
        "conducting",
        "musicology",
        "design",
        "ceramics",
        "carpet_weaving",
    ];
    /// Monument types.
    pub const MONUMENT: &[&str] = &[
        "architecture",
        "archaeology",
        "garden_park",
        "monumental_memorial",
        "decorative_applied",
    ];
    /// Intangible heritage domains.
    pub const ICH_DOMAIN: &[&str] = &[
        "oral_traditions",
        "performing_arts",
        "social_practices",
        "knowledge_nature",
        "traditional_craftsmanship",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::{Draft, ASSIGNED};
    use crate::problem::Code;
    use serde_json::{json, Value};

    fn sample(shape: Shape) -> Value {
        match shape {
            Shape::Integer(min, _) => json!(min.unwrap_or(1).max(2004)),
            Shape::Positive => json!(1.5),
            Shape::Date => json!("2000-01-01"),
            Shape::Word(w) => json!(w[0]),
            Shape::Words(w) => json!([w[0]]),
            Shape::Texts => json!(["x"]),
            Shape::Names => json!({"az": "Ad"}),
            Shape::NamesList => json!([{"az": "Ad"}]),
            Shape::Text(_) | Shape::Formatted(_) | Shape::Reference(_) => json!("x"),
            Shape::Location => json!({"lat": 40.4, "lon": 49.8}),
            Shape::Polygon => json!({"type": "Polygon", "coordinates": []}),
            _ => json!({}),
        }
    }

    /// The catalogue and `check` agree on which fields each kind has.
    #[test]
    fn catalogue_matches_the_rules() {
        let cases: Vec<(Kind, Option<HeritageCategory>)> = Kind::ALL
            .iter()
            .filter(|k| **k != Kind::HeritageObject)
            .map(|k| (*k, None))
            .chain(
                HeritageCategory::ALL
                    .iter()
                    .map(|c| (Kind::HeritageObject, Some(*c))),
            )
            .collect();
        for (kind, category) in cases {
            let own: Vec<&str> = fields(kind, category).iter().map(|f| f.name).collect();
            for name in Draft::fields() {
                if *name == "kind" || ASSIGNED.contains(name) {
                    continue;
                }
                let mut value = json!({"kind": kind.as_str(), "name": {"az": "Ad"}});
                if let Some(c) = category {
                    value["category"] = json!(c.as_str());
                }
                let field = fields(Kind::HeritageObject, None)
                    .into_iter()
                    .chain(fields(Kind::Theatre, None))
                    .chain(fields(Kind::Library, None))
                    .chain(fields(Kind::Museum, None))
                    .chain(fields(Kind::Reserve, None))
                    .chain(fields(Kind::School, None))
                    .find(|f| f.name == *name);
                let Some(field) = field else {
                    panic!("{name} is in the draft but in no kind's catalogue");
                };
                value[*name] = sample(field.shape);
                let checked = crate::check(value, None);
                let unknown = checked
                    .problems
                    .iter()
                    .any(|p| p.field == format!("/{name}") && p.code == Code::UnknownField);
                assert_eq!(
                    unknown,
                    !own.contains(name),
                    "{kind} {category:?}: field {name}"
                );
            }
        }
    }

    #[test]
    fn every_kind_has_a_type_field_with_words() {
        let fields: Vec<_> = Kind::ALL.iter().map(|k| type_field(*k).0).collect();
        assert_eq!(
            fields,
            [
                "theatre_type",
                "library_type",
                "museum_profile",
                "reserve_type",
                "school_type",
                "category"
            ]
        );
        assert_eq!(
            type_field(Kind::HeritageObject).1,
            ["immovable", "movable", "intangible"]
        );
    }

    #[test]
    fn word_lists_match_the_vocabularies() {
        assert_eq!(words::THEATRE, TheatreType::words().as_slice());
        assert_eq!(words::LIBRARY, LibraryType::words().as_slice());
        assert_eq!(words::MUSEUM, MuseumProfile::words().as_slice());
        assert_eq!(words::RESERVE, ReserveType::words().as_slice());
        assert_eq!(words::SCHOOL, SchoolType::words().as_slice());
        assert_eq!(words::SPECIALITY, Speciality::words().as_slice());
        assert_eq!(words::MONUMENT, MonumentType::words().as_slice());
        assert_eq!(words::ICH_DOMAIN, IchDomain::words().as_slice());
    }
}

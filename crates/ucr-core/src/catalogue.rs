//! The catalogue of entry fields: which fields each sub-register has, their JSON shape and
//! limits. It describes the rules of [`crate::check`] for documents (the OpenAPI schemas, the
//! vocabularies endpoint, CSV columns); a test keeps the two in agreement.

use crate::check::{
    FOUNDED_MIN, HALLS_MAX, ICH_CONVENTION_YEAR, ISIL_MAX, NAME_MAX, SEATS_MAX, TEXT_MAX,
};
use crate::vocab::*;

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

const fn f(name: &'static str, shape: Shape, required: bool, description: &'static str) -> Field {
    Field {
        name,
        shape,
        required,
        description,
    }
}

/// Fields every entry has (besides `kind` and the register-assigned ones).
pub const COMMON: &[Field] = &[
    f("registry_number", Shape::Formatted("registry-number"), false, "THR-000001, LIB-…, MUS-…, RSV-…, SCH-…, HER-… (prefix by kind, 6 to 12 digits); assigned in sequence when absent; immutable"),
    f("name", Shape::Names, true, "Names; `az` required, `en` and `ru` optional, each 1–300 characters"),
    f("alt_names", Shape::NamesList, false, "Other names: old names, transliterations; at most 50"),
    f("status", Shape::Word(&["active", "suspended", "closed"]), false, "Lifecycle status (default active); a closed entry returns to active only through an admin"),
    f("closed_on", Shape::Date, false, "Date of closing; required when closed, not before the founding year, not in the future"),
    f("region", Shape::Formatted("iso-3166-2-az"), false, "ISO 3166-2:AZ code (78 units); required except for intangible heritage"),
    f("address", Shape::Address, false, "Postal address"),
    f("location", Shape::Location, false, "WGS84 point inside Azerbaijan"),
    f("external_ids", Shape::ExternalIds, false, "Identifiers in other systems"),
];

/// Fields of every institution (theatre, library, museum, reserve, school).
pub const INSTITUTION: &[Field] = &[
    f(
        "ownership",
        Shape::Word(&["state", "municipal", "private", "public_association"]),
        true,
        "Who owns the institution",
    ),
    f(
        "tax_id",
        Shape::Formatted("voen"),
        false,
        "VÖEN: 10 digits, the 9th a check digit, the 10th 1 (legal person) or 2 (natural person)",
    ),
    f(
        "founded_year",
        Shape::Integer(Some(FOUNDED_MIN), None),
        false,
        "Year of foundation, 1000 to this year",
    ),
    f(
        "parent_id",
        Shape::Reference(Kind::Theatre),
        false,
        "The entry of the same kind this one is a branch of (id or registry number); no cycles",
    ),
    f(
        "contacts",
        Shape::Contacts,
        false,
        "Phone (stored E.164), e-mail, web site",
    ),
    f(
        "head",
        Shape::Text(NAME_MAX),
        false,
        "Name of the director: personal data, never shown to anonymous readers",
    ),
];

/// The kind's own fields (for heritage objects: the fields of every category).
pub fn own_fields(kind: Kind) -> Vec<Field> {
    match kind {
        Kind::Theatre => vec![
            f("theatre_type", Shape::Word(words::THEATRE), true, "Type of theatre"),
            f("seats", Shape::Integer(Some(1), Some(SEATS_MAX)), false, "Seats in all halls"),
            f("halls", Shape::Integer(Some(1), Some(HALLS_MAX)), false, "Number of halls"),
        ],
        Kind::Library => vec![
            f("library_type", Shape::Word(words::LIBRARY), true, "Type of library"),
            f("isil", Shape::Text(ISIL_MAX), false, "ISO 15511 identifier: a prefix, a hyphen and a unit id of A–Z a–z 0–9 / - :; unique ignoring case"),
            f("holdings", Shape::Integer(Some(0), None), false, "Items held"),
            f("registered_readers", Shape::Integer(Some(0), None), false, "Registered readers"),
        ],
        Kind::Museum => vec![
            f("museum_profile", Shape::Word(words::MUSEUM), true, "Profile of the museum"),
            f("items_total", Shape::Integer(Some(0), None), false, "Items in the collection"),
            f("items_on_display", Shape::Integer(Some(0), None), false, "Items on display, at most items_total"),
            f("exhibition_rooms", Shape::Integer(Some(0), None), false, "Exhibition rooms"),
            f("visitors_per_year", Shape::Integer(Some(0), None), false, "Visitors a year"),
        ],
        Kind::Reserve => vec![
            f("reserve_type", Shape::Word(words::RESERVE), true, "Type of reserve"),
            f("area_ha", Shape::Positive, false, "Area in hectares, more than 0"),
            f("established_by", Shape::Act, false, "The act that established it, e.g. Council of Ministers decision No. 280 of 1977-08-10"),
            f("unesco_whs_id", Shape::Integer(Some(1), None), false, "UNESCO World Heritage property number"),
            f("boundary", Shape::Polygon, false, "Boundary: GeoJSON polygon, closed rings, every vertex inside Azerbaijan"),
        ],
        Kind::School => vec![
            f("school_type", Shape::Word(words::SCHOOL), true, "Type of school"),
            f("specialities", Shape::Words(words::SPECIALITY), true, "What the school teaches: non-empty, no duplicates"),
            f("capacity", Shape::Integer(Some(1), None), false, "Places for pupils"),
            f("enrolled", Shape::Integer(Some(0), None), false, "Pupils enrolled, at most capacity"),
            f("teachers", Shape::Integer(Some(0), None), false, "Teachers"),
        ],
        Kind::HeritageObject => {
            let mut all = vec![
                f("category", Shape::Word(&["immovable", "movable", "intangible"]), true, "Category of heritage"),
                f("dating", Shape::Dating, false, "When it was made; BCE years negative; from ≤ to ≤ this year"),
            ];
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
        HeritageCategory::Immovable => vec![
            f("monument_type", Shape::Word(words::MONUMENT), true, "Type of monument"),
            f("significance", Shape::Word(&["world", "national", "local"]), true, "Significance (Cabinet of Ministers Decision No. 132 of 2001-08-02)"),
            f("inventory_number", Shape::Formatted("state-list-number"), false, "Number in the state list, like 2 or 2.1; unique within (significance, monument_type)"),
            f("reserve_id", Shape::Reference(Kind::Reserve), false, "The reserve it lies in (id or registry number)"),
            f("condition", Shape::Word(&["good", "satisfactory", "poor", "ruined", "unknown"]), false, "Physical condition"),
            f("protection_act", Shape::Text(TEXT_MAX), false, "The act that protects it"),
        ],
        HeritageCategory::Movable => vec![
            f("museum_id", Shape::Reference(Kind::Museum), true, "The museum that holds it (id or registry number)"),
            f("inventory_number", Shape::Text(100), false, "Inventory number, unique within the museum"),
            f("object_type", Shape::Text(NAME_MAX), false, "What it is (carpet, manuscript, …)"),
            f("materials", Shape::Texts, false, "What it is made of"),
        ],
        HeritageCategory::Intangible => vec![
            f("ich_domain", Shape::Word(words::ICH_DOMAIN), true, "Domain (UNESCO 2003 Convention)"),
            f("unesco_list", Shape::Word(&["representative", "urgent_safeguarding", "good_practices", "none"]), true, "The UNESCO list it is inscribed on, or none"),
            f("inscribed_year", Shape::Integer(Some(ICH_CONVENTION_YEAR), None), false, "Year of inscription, 2003 to this year; required unless unesco_list is none"),
        ],
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
            for name in Draft::FIELDS {
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

//! The field table: every field of every kind of entry, in one place. From it come the
//! typed per-kind structs (declared here, their JSON members in table order), the catalogue's
//! field lists (OpenAPI schemas, vocabularies answer, CSV columns), what a submission may hold
//! (the draft) and the building of each struct by the rule each field names (check): each of
//! those modules calls [`field_table`] with its own derivation (see [`super::table`]).
//!
//! A row is `name: Type = Shape, required | optional | many, "description" => rule;`. The
//! simple rules read their limits from the shape: `word` (a word of `Type`'s vocabulary),
//! `range` (an `Integer` shape's bounds), `year` (an `Integer` shape's lower bound, not after
//! this year), `text` (a `Text` shape's length), `texts` (a list of short texts), `reference`
//! (an id or registry number). Other rules are code in [`crate::check`](mod@crate::check), named here; rules
//! across fields follow a group's closing brace. Groups without `struct` (the common fields,
//! the heritage object's own) are checked by code in [`crate::check`](mod@crate::check).

use super::table::entry_structs;
use crate::model::{Act, Contacts, EntryRef, Polygon};
use crate::vocab::*;
use serde::{Deserialize, Serialize};

/// The table: hands every group to `$callback!` in the uniform form of
/// [`normalize`](super::table::normalize).
macro_rules! field_table {
    ($callback:ident) => {
$crate::model::table::normalize! { $callback;
    /// Fields every entry has (besides `kind` and the register-assigned ones).
    COMMON {
        registry_number: String = Formatted("registry-number"), optional, "THR-000001, LIB-…, MUS-…, RSV-…, SCH-…, HER-… (prefix by kind, 6 to 12 digits); assigned in sequence when absent; immutable";
        name: Names = Names, required, "Names; `az` required, `en` and `ru` optional, each 1–300 characters";
        alt_names: Vec<Names> = NamesList, many, "Other names: old names, transliterations; at most 50";
        status: Status = Word(&["active", "suspended", "closed"]), optional, "Lifecycle status (default active); a closed entry returns to active only through an admin";
        closed_on: NaiveDate = Date, optional, "Date of closing; required when closed, not before the founding year, not in the future";
        region: String = Formatted("iso-3166-2-az"), optional, "ISO 3166-2:AZ code (78 units); required except for intangible heritage";
        address: Address = Address, optional, "Postal address";
        location: Location = Location, optional, "WGS84 point inside Azerbaijan";
        external_ids: ExternalIds = ExternalIds, optional, "Identifiers in other systems";
    }

    /// Fields every institution (theatre, library, museum, reserve, school) has.
    INSTITUTION: struct Institution {
        ownership: Ownership = Word(&["state", "municipal", "private", "public_association"]), required, "Who owns the institution" => word;
        tax_id: String = Formatted("voen"), optional, "VÖEN: 10 digits, the 9th a check digit, the 10th 1 (legal person) or 2 (natural person)" => tax_id(ownership);
        founded_year: i64 = Integer(Some(FOUNDED_MIN), None), optional, "Year of foundation, 1000 to this year" => year;
        parent_id: EntryRef = Reference(Kind::Theatre), optional, "The entry of the same kind this one is a branch of (id or registry number); no cycles" => reference;
        contacts: Contacts = Contacts, optional, "Phone (stored E.164), e-mail, web site" => contacts;
        head: String = Text(NAME_MAX), optional, "Name of the director: personal data, never shown to anonymous readers" => text;
    }

    /// A theatre.
    THEATRE: struct Theatre(institution: Institution) {
        theatre_type: TheatreType = Word(words::THEATRE), required, "Type of theatre" => word;
        seats: i64 = Integer(Some(1), Some(SEATS_MAX)), optional, "Seats in all halls" => range;
        halls: i64 = Integer(Some(1), Some(HALLS_MAX)), optional, "Number of halls" => range;
    }

    /// A library.
    LIBRARY: struct Library(institution: Institution) {
        library_type: LibraryType = Word(words::LIBRARY), required, "Type of library" => word;
        isil: String = Text(ISIL_MAX), optional, "ISO 15511 identifier: a prefix, a hyphen and a unit id of A–Z a–z 0–9 / - :; unique ignoring case" => isil;
        holdings: i64 = Integer(Some(0), None), optional, "Items held" => range;
        registered_readers: i64 = Integer(Some(0), None), optional, "Registered readers" => range;
    }

    /// A museum.
    MUSEUM: struct Museum(institution: Institution) {
        museum_profile: MuseumProfile = Word(words::MUSEUM), required, "Profile of the museum" => word;
        items_total: i64 = Integer(Some(0), None), optional, "Items in the collection" => range;
        items_on_display: i64 = Integer(Some(0), None), optional, "Items on display, at most items_total" => range;
        exhibition_rooms: i64 = Integer(Some(0), None), optional, "Exhibition rooms" => range;
        visitors_per_year: i64 = Integer(Some(0), None), optional, "Visitors a year" => range;
    } => on_display(items_total, items_on_display);

    /// A historical, cultural or nature reserve.
    RESERVE: struct Reserve(institution: Institution) {
        reserve_type: ReserveType = Word(words::RESERVE), required, "Type of reserve" => word;
        area_ha: f64 = Positive, optional, "Area in hectares, more than 0" => area;
        established_by: Act = Act, optional, "The act that established it, e.g. Council of Ministers decision No. 280 of 1977-08-10" => act;
        unesco_whs_id: i64 = Integer(Some(1), None), optional, "UNESCO World Heritage property number" => range;
        boundary: Polygon = Polygon, optional, "Boundary: GeoJSON polygon, closed rings, every vertex inside Azerbaijan" => boundary;
    }

    /// An art or music school.
    SCHOOL: struct School(institution: Institution) {
        school_type: SchoolType = Word(words::SCHOOL), required, "Type of school" => word;
        specialities: Vec<Speciality> = Words(words::SPECIALITY), required, "What the school teaches: non-empty, no duplicates" => specialities;
        capacity: i64 = Integer(Some(1), None), optional, "Places for pupils" => range;
        enrolled: i64 = Integer(Some(0), None), optional, "Pupils enrolled, at most capacity" => range;
        teachers: i64 = Integer(Some(0), None), optional, "Teachers" => range;
    } => enrolment(capacity, enrolled);

    /// Fields of every heritage object; the rest depends on its category.
    HERITAGE {
        category: HeritageCategory = Word(&["immovable", "movable", "intangible"]), required, "Category of heritage";
        dating: Dating = Dating, optional, "When it was made; BCE years negative; from ≤ to ≤ this year";
    }

    /// An immovable monument.
    IMMOVABLE: struct Immovable {
        monument_type: MonumentType = Word(words::MONUMENT), required, "Type of monument" => word;
        significance: Significance = Word(&["world", "national", "local"]), required, "Significance (Cabinet of Ministers Decision No. 132 of 2001-08-02)" => word;
        inventory_number: String = Formatted("state-list-number"), optional, "Number in the state list: 2, 2.1, 93-2 or 4996-15 (dashes stored as -), or several a complex is filed under, like 71, 70, 73, 69 (stored joined by a comma and a space); each unique within (significance, monument_type)" => state_list_number;
        reserve_id: EntryRef = Reference(Kind::Reserve), optional, "The reserve it lies in (id or registry number)" => reference;
        condition: Condition = Word(&["good", "satisfactory", "poor", "ruined", "unknown"]), optional, "Physical condition" => word;
        protection_act: String = Text(TEXT_MAX), optional, "The act that protects it" => text;
    }

    /// A movable object held by a museum.
    MOVABLE: struct Movable {
        museum_id: EntryRef = Reference(Kind::Museum), required, "The museum that holds it (id or registry number)" => holding_museum;
        inventory_number: String = Text(100), optional, "Inventory number, unique within the museum" => text;
        object_type: String = Text(NAME_MAX), optional, "What it is (carpet, manuscript, …)" => text;
        materials: Vec<String> = Texts, many, "What it is made of" => texts;
    }

    /// An element of intangible heritage.
    INTANGIBLE: struct Intangible {
        ich_domain: IchDomain = Word(words::ICH_DOMAIN), required, "Domain (UNESCO 2003 Convention)" => word;
        unesco_list: UnescoList = Word(&["representative", "urgent_safeguarding", "good_practices", "none"]), required, "The UNESCO list it is inscribed on, or none" => word;
        inscribed_year: i64 = Integer(Some(ICH_CONVENTION_YEAR), None), optional, "Year of inscription, 2003 to this year; required unless unesco_list is none" => year;
    } => inscription(unesco_list, inscribed_year);
}
    };
}
pub(crate) use field_table;

field_table!(entry_structs);

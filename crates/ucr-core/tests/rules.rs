#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every rule of `ucr_core::check` (SPEC §3–§4), seen from outside the crate: for each rule one
//! input that passes and one that fails with the exact list of error `(field, code)` pairs.
//!
//! Each kind has a valid base entry built from the real fixtures (`fixtures/az-institutions.json`);
//! a case changes one field of it with a JSON Merge Patch (RFC 7396, `null` removes a field).

use chrono::{Datelike, Duration, Utc};
use serde_json::{json, Value};
use ucr_core::model::{Details, HeritageDetails};
use ucr_core::{check, Checked, Entry, Record, Severity};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `(field, code)` pairs, sorted.
type Found = Vec<(String, &'static str)>;

fn pairs(checked: &Checked, severity: Severity) -> Found {
    let mut found: Found = checked
        .problems
        .iter()
        .filter(|p| p.severity == severity)
        .map(|p| (p.field.clone(), p.code.as_str()))
        .collect();
    found.sort();
    found
}

fn expected(list: &[(&str, &'static str)]) -> Found {
    let mut found: Found = list.iter().map(|(f, c)| (f.to_string(), *c)).collect();
    found.sort();
    found
}

/// The errors (not warnings) of a new entry, sorted.
fn errors(value: Value) -> Found {
    pairs(&check(value, None), Severity::Error)
}

/// The warnings of a new entry, sorted.
fn warnings(value: Value) -> Found {
    pairs(&check(value, None), Severity::Warning)
}

/// Asserts that a new entry fails with exactly these errors, and yields no record.
fn fails(value: Value, want: &[(&str, &'static str)]) {
    let checked = check(value.clone(), None);
    assert_eq!(
        pairs(&checked, Severity::Error),
        expected(want),
        "input: {value}\nproblems: {:#?}",
        checked.problems
    );
    assert!(
        checked.record.is_none(),
        "an entry with errors has no record"
    );
}

/// Asserts that a new entry has no error and returns its record.
fn passes(value: Value) -> Record {
    let checked = check(value.clone(), None);
    assert_eq!(
        pairs(&checked, Severity::Error),
        Found::new(),
        "input: {value}\nproblems: {:#?}",
        checked.problems
    );
    checked.record.expect("a record when there is no error")
}

/// Asserts that a replacement of `current` fails with exactly these errors.
fn fails_update(value: Value, current: &Entry, want: &[(&str, &'static str)]) {
    let checked = check(value.clone(), Some(current));
    assert_eq!(
        pairs(&checked, Severity::Error),
        expected(want),
        "input: {value}\nproblems: {:#?}",
        checked.problems
    );
    assert!(checked.record.is_none());
}

/// Asserts that a replacement of `current` has no error and returns its record.
fn passes_update(value: Value, current: &Entry) -> Record {
    let checked = check(value.clone(), Some(current));
    assert_eq!(
        pairs(&checked, Severity::Error),
        Found::new(),
        "input: {value}\nproblems: {:#?}",
        checked.problems
    );
    checked.record.expect("a record when there is no error")
}

/// `base` with a JSON Merge Patch (RFC 7396) applied: `null` removes a field.
fn with(mut base: Value, patch: Value) -> Value {
    json_patch::merge(&mut base, &patch);
    base
}

fn this_year() -> i64 {
    i64::from(Utc::now().year())
}

/// A date safely in the future (two days on, so that no time zone or midnight makes it today).
fn future_day() -> String {
    (Utc::now().date_naive() + Duration::days(2)).to_string()
}

// Valid VÖENs, computed with the weights 4, 1, 8, 6, 2, 7, 5, 3 (mod 11):
// 1·4+7·1+0+0+0+1·7+2·5+3·3 = 37 ≡ 4, so 17000123 takes check digit 4.
const VOEN_LEGAL: &str = "1700012341";
// 1·4+3·1+0+0+1·2+2·7+3·5+4·3 = 50 ≡ 6.
const VOEN_NATURAL: &str = "1300123462";

// ---------------------------------------------------------------------------------------------
// Valid base entries, one per kind (and heritage category), from the fixtures
// ---------------------------------------------------------------------------------------------

/// THR-000008, the Şəki drama theatre; complete, so it has no warning either.
fn theatre() -> Value {
    json!({
        "kind": "theatre",
        "name": {
            "az": "Sabit Rəhman adına Şəki Dövlət Dram Teatrı",
            "en": "Shaki State Drama Theatre named after Sabit Rahman"
        },
        "status": "active",
        "region": "AZ-SA",
        "address": { "locality": "Şəki", "street": "Məmməd Əmin Rəsulzadə 197" },
        "location": { "lat": 41.1975, "lon": 47.1706 },
        "ownership": "state",
        "tax_id": VOEN_LEGAL,
        "founded_year": 1975,
        "theatre_type": "drama",
        "seats": 350,
        "halls": 1
    })
}

/// LIB-000001, the national library in Baku.
fn library() -> Value {
    json!({
        "kind": "library",
        "name": {
            "az": "Mirzə Fətəli Axundov adına Azərbaycan Milli Kitabxanası",
            "en": "Mirza Fatali Akhundov National Library of Azerbaijan"
        },
        "status": "active",
        "region": "AZ-BA",
        "address": { "locality": "Bakı", "street": "Xaqani küçəsi 57", "postal_code": "AZ1000" },
        "location": { "lat": 40.3756, "lon": 49.8442 },
        "ownership": "state",
        "tax_id": VOEN_LEGAL,
        "founded_year": 1922,
        "contacts": { "phone": "+994 12 493 40 03", "website": "https://millikitabxana.az/" },
        "library_type": "national",
        "holdings": 4690311,
        "registered_readers": 270373
    })
}

/// MUS-000001, the national art museum in Baku.
fn museum() -> Value {
    json!({
        "kind": "museum",
        "name": {
            "az": "Azərbaycan Milli İncəsənət Muzeyi",
            "en": "Azerbaijan National Art Museum (named after Rustam Mustafayev)"
        },
        "status": "active",
        "region": "AZ-BA",
        "address": { "locality": "Bakı", "street": "Niyazi küçəsi 9/11" },
        "location": { "lat": 40.3667, "lon": 49.8369 },
        "ownership": "state",
        "tax_id": VOEN_LEGAL,
        "founded_year": 1936,
        "museum_profile": "art",
        "items_total": 15000,
        "items_on_display": 3000,
        "exhibition_rooms": 60
    })
}

/// RSV-000001, İçərişəhər, with a boundary around the walled city.
fn reserve() -> Value {
    json!({
        "kind": "reserve",
        "name": {
            "az": "\"İçərişəhər\" Dövlət Tarix-Memarlıq Qoruğu",
            "en": "Icherisheher State Historical-Architectural Reserve"
        },
        "status": "active",
        "region": "AZ-BA",
        "address": { "locality": "Bakı", "street": "Asəf Zeynallı küçəsi 20/85", "postal_code": "AZ1004" },
        "location": { "lat": 40.3662, "lon": 49.8352 },
        "external_ids": { "unesco_whc": 958 },
        "ownership": "state",
        "tax_id": VOEN_LEGAL,
        "founded_year": 1977,
        "contacts": { "website": "https://icherisheher.gov.az/" },
        "reserve_type": "historical_architectural",
        "area_ha": 22.1,
        "established_by": {
            "act": "Council of Ministers of the Azerbaijan SSR decision",
            "number": "280",
            "date": "1977-08-10"
        },
        "unesco_whs_id": 958,
        "boundary": {
            "type": "Polygon",
            "coordinates": [[
                [49.8320, 40.3640], [49.8385, 40.3640], [49.8385, 40.3690],
                [49.8320, 40.3690], [49.8320, 40.3640]
            ]]
        }
    })
}

/// SCH-000003, the Sumqayıt children's music school No. 1.
fn school() -> Value {
    json!({
        "kind": "school",
        "name": {
            "az": "Qara Qarayev adına 1 nömrəli Uşaq Musiqi Məktəbi",
            "en": "Sumgayit Children's Music School No. 1 named after Gara Garayev"
        },
        "status": "active",
        "region": "AZ-SM",
        "address": { "locality": "Sumqayıt" },
        "location": { "lat": 40.5897, "lon": 49.6686 },
        "ownership": "state",
        "tax_id": VOEN_LEGAL,
        "founded_year": 1954,
        "school_type": "music",
        "specialities": ["piano", "tar", "kamancha", "musicology"],
        "capacity": 600,
        "enrolled": 501,
        "teachers": 140
    })
}

/// HER-000003, Atəşgah in Baku.
fn immovable() -> Value {
    json!({
        "kind": "heritage_object",
        "name": { "az": "Atəşgah", "en": "Ateshgah (Fire Temple)" },
        "status": "active",
        "region": "AZ-BA",
        "address": { "locality": "Bakı" },
        "location": { "lat": 40.415278, "lon": 50.008611 },
        "category": "immovable",
        "monument_type": "architecture",
        "significance": "world",
        "inventory_number": "1",
        "reserve_id": "RSV-000009",
        "condition": "good",
        "dating": {
            "from_year": 1713,
            "to_year": 1810,
            "label": "1713 (earliest structure) – 1810 (central shrine)"
        }
    })
}

/// A Karabakh carpet held by the National Carpet Museum (MUS-000003).
fn movable() -> Value {
    json!({
        "kind": "heritage_object",
        "name": { "az": "Qarabağ xalçası", "en": "Karabakh carpet" },
        "status": "active",
        "region": "AZ-BA",
        "location": { "lat": 40.3603, "lon": 49.8375 },
        "category": "movable",
        "museum_id": "MUS-000003",
        "inventory_number": "XM-0001",
        "object_type": "carpet",
        "materials": ["wool", "cotton"],
        "dating": { "from_year": 1801, "to_year": 1900, "label": "19th century" }
    })
}

/// HER-000010, Azerbaijani mugham: no region, no location.
fn intangible() -> Value {
    json!({
        "kind": "heritage_object",
        "name": { "az": "Azərbaycan muğamı", "en": "Azerbaijani mugham" },
        "status": "active",
        "category": "intangible",
        "ich_domain": "performing_arts",
        "unesco_list": "representative",
        "inscribed_year": 2008
    })
}

fn every_base() -> Vec<(&'static str, Value)> {
    vec![
        ("theatre", theatre()),
        ("library", library()),
        ("museum", museum()),
        ("reserve", reserve()),
        ("school", school()),
        ("immovable", immovable()),
        ("movable", movable()),
        ("intangible", intangible()),
    ]
}

/// The stored theatre, as the register would hold it after its first write.
fn stored_theatre() -> Entry {
    let value = with(
        theatre(),
        json!({
            "id": "01936f3e-8a4b-7c2d-9e1f-0a1b2c3d4e5f",
            "registry_number": "THR-000008",
            "economic_region": "shaki-zagatala",
            "version": 1,
            "created_at": "2025-03-01T09:30:00Z",
            "updated_at": "2025-03-01T09:30:00Z"
        }),
    );
    serde_json::from_value(value).expect("a stored entry")
}

// ---------------------------------------------------------------------------------------------
// Base entries
// ---------------------------------------------------------------------------------------------

#[test]
fn every_base_entry_passes_without_warnings() {
    for (what, value) in every_base() {
        let checked = check(value, None);
        assert_eq!(
            checked
                .problems
                .iter()
                .filter(|p| !p.is_notice())
                .map(|p| (p.field.as_str(), p.code.as_str()))
                .collect::<Vec<_>>(),
            Vec::<(&str, &str)>::new(),
            "{what}: {:#?}",
            checked.problems
        );
        assert!(checked.record.is_some(), "{what}");
    }
}

#[test]
fn every_fixture_entry_passes() {
    let text = include_str!("../../../fixtures/az-institutions.json");
    let fixtures: Vec<Value> = serde_json::from_str(text).expect("fixtures are JSON");
    assert_eq!(fixtures.len(), 58);
    for value in fixtures {
        let number = value["registry_number"].clone();
        let checked = check(value, None);
        assert_eq!(pairs(&checked, Severity::Error), Found::new(), "{number}");
    }
}

// ---------------------------------------------------------------------------------------------
// Shape of the input: object, kind, unknown fields, JSON types, assigned fields
// ---------------------------------------------------------------------------------------------

#[test]
fn an_entry_is_a_json_object() {
    fails(json!(["theatre"]), &[("", "format")]);
    fails(json!("theatre"), &[("", "format")]);
}

#[test]
fn kind_is_required_and_controlled() {
    passes(with(museum(), json!({ "kind": " museum " })));
    fails(
        with(museum(), json!({ "kind": null })),
        &[("/kind", "required")],
    );
    fails(
        with(museum(), json!({ "kind": "gallery" })),
        &[("/kind", "not_in_vocabulary")],
    );
}

#[test]
fn unknown_top_level_field_is_rejected() {
    fails(
        with(museum(), json!({ "director": "Çingiz Fərzəliyev" })),
        &[("/director", "unknown_field")],
    );
}

#[test]
fn field_of_another_kind_is_rejected() {
    fails(
        with(museum(), json!({ "seats": 120 })),
        &[("/seats", "unknown_field")],
    );
    fails(
        with(theatre(), json!({ "isil": "AZ-1" })),
        &[("/isil", "unknown_field")],
    );
    // Heritage objects are no institutions.
    fails(
        with(immovable(), json!({ "ownership": "state" })),
        &[("/ownership", "unknown_field")],
    );
    // Nor are the fields of one heritage category fields of another.
    fails(
        with(immovable(), json!({ "museum_id": "MUS-000003" })),
        &[("/museum_id", "unknown_field")],
    );
    fails(
        with(intangible(), json!({ "monument_type": "architecture" })),
        &[("/monument_type", "unknown_field")],
    );
}

#[test]
fn unknown_field_inside_an_object_is_rejected() {
    fails(
        with(
            museum(),
            json!({ "external_ids": { "wikipedia": "Azerbaijan_National_Museum_of_Art" } }),
        ),
        &[("/external_ids/wikipedia", "unknown_field")],
    );
    fails(
        with(museum(), json!({ "address": { "city": "Bakı" } })),
        &[("/address/city", "unknown_field")],
    );
}

#[test]
fn wrong_json_type_is_format() {
    fails(
        with(theatre(), json!({ "seats": "many" })),
        &[("/seats", "format")],
    );
    fails(
        with(theatre(), json!({ "founded_year": 1975.5 })),
        &[("/founded_year", "format")],
    );
    fails(
        with(theatre(), json!({ "location": "41.1975,47.1706" })),
        &[("/location", "format")],
    );
    fails(
        with(
            theatre(),
            json!({ "closed_on": "21.11.2020", "status": "active" }),
        ),
        &[("/closed_on", "format")],
    );
}

#[test]
fn wrong_json_type_of_a_required_field_is_format_only() {
    // The field is there, only of the wrong type: "required" would be false.
    fails(
        with(theatre(), json!({ "name": "Şəki Dövlət Dram Teatrı" })),
        &[("/name", "format")],
    );
    fails(
        with(theatre(), json!({ "region": 12 })),
        &[("/region", "format")],
    );
}

#[test]
fn null_counts_as_absent() {
    passes(with(theatre(), json!({ "seats": null, "halls": null })));
    fails(
        with(theatre(), json!({ "region": null })),
        &[("/region", "required")],
    );
}

#[test]
fn register_assigned_fields_are_not_accepted_on_create() {
    passes(theatre());
    fails(
        with(
            theatre(),
            json!({ "id": "01936f3e-8a4b-7c2d-9e1f-0a1b2c3d4e5f" }),
        ),
        &[("/id", "immutable")],
    );
    fails(
        with(theatre(), json!({ "version": 1 })),
        &[("/version", "immutable")],
    );
    fails(
        with(
            theatre(),
            json!({ "created_at": "2025-03-01T09:30:00Z", "updated_at": "2025-03-01T09:30:00Z" }),
        ),
        &[("/created_at", "immutable"), ("/updated_at", "immutable")],
    );
    // The economic region is derived from the region, never input.
    fails(
        with(theatre(), json!({ "economic_region": "shaki-zagatala" })),
        &[("/economic_region", "immutable")],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let value = with(
        theatre(),
        json!({
            "id": "01936f3e-8a4b-7c2d-9e1f-0a1b2c3d4e5f",
            "name": { "az": "   " },
            "region": "AZ-XX",
            "location": { "lat": 47.1706, "lon": 41.1975 },
            "tax_id": "1700012351",
            "founded_year": 999,
            "seats": 0,
            "halls": 51,
            "contacts": { "email": "teatr at seki.az" },
            "stage": "main"
        }),
    );
    fails(
        value,
        &[
            ("/id", "immutable"),
            ("/name/az", "required"),
            ("/region", "not_in_vocabulary"),
            ("/location", "swapped_coordinates"),
            ("/tax_id", "checksum"),
            ("/founded_year", "out_of_range"),
            ("/seats", "out_of_range"),
            ("/halls", "out_of_range"),
            ("/contacts/email", "format"),
            ("/stage", "unknown_field"),
        ],
    );
}

#[test]
fn every_problem_is_reported_even_when_the_kind_fields_are_unusable() {
    // The type is wrong, so the theatre's details cannot be built; the closing date is still
    // before the founding year and must be reported too.
    fails(
        with(
            theatre(),
            json!({ "theatre_type": "circus", "status": "closed", "closed_on": "1970-01-01" }),
        ),
        &[
            ("/theatre_type", "not_in_vocabulary"),
            ("/closed_on", "cross_field"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Registry number
// ---------------------------------------------------------------------------------------------

#[test]
fn registry_number_is_optional_and_kept_when_well_formed() {
    let record = passes(with(museum(), json!({ "registry_number": " MUS-000042 " })));
    assert_eq!(record.registry_number.as_deref(), Some("MUS-000042"));
    assert_eq!(passes(museum()).registry_number, None);
    passes(with(museum(), json!({ "registry_number": "MUS-1234567" })));
}

#[test]
fn registry_number_needs_prefix_hyphen_and_six_digits() {
    fails(
        with(museum(), json!({ "registry_number": "MUS-42" })),
        &[("/registry_number", "format")],
    );
    fails(
        with(museum(), json!({ "registry_number": "MUS000042" })),
        &[("/registry_number", "format")],
    );
    fails(
        with(museum(), json!({ "registry_number": "ABC-000042" })),
        &[("/registry_number", "format")],
    );
    fails(
        with(museum(), json!({ "registry_number": "MUS-00004a" })),
        &[("/registry_number", "format")],
    );
    // At most 12 digits: a sequence the register continues cannot overflow.
    passes(with(
        museum(),
        json!({ "registry_number": "MUS-999999999999" }),
    ));
    fails(
        with(
            museum(),
            json!({ "registry_number": "MUS-9223372036854775807" }),
        ),
        &[("/registry_number", "format")],
    );
    fails(
        with(museum(), json!({ "registry_number": "MUS-0000000000001" })),
        &[("/registry_number", "format")],
    );
}

#[test]
fn registry_number_prefix_must_match_the_kind() {
    passes(with(
        immovable(),
        json!({ "registry_number": "HER-000003" }),
    ));
    fails(
        with(museum(), json!({ "registry_number": "THR-000001" })),
        &[("/registry_number", "format")],
    );
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

#[test]
fn name_is_required() {
    fails(
        with(museum(), json!({ "name": null })),
        &[("/name", "required")],
    );
}

#[test]
fn azerbaijani_name_is_required() {
    let value = with(museum(), json!({ "name": { "az": null } }));
    fails(value, &[("/name/az", "required")]);
}

#[test]
fn english_name_missing_is_only_a_warning() {
    let value = with(museum(), json!({ "name": { "en": null } }));
    let checked = check(value.clone(), None);
    assert!(checked.record.is_some());
    assert_eq!(
        warnings(value.clone()),
        expected(&[("/name/en", "required")])
    );
    assert_eq!(errors(value), Found::new());
    let problem = &checked.problems[0];
    assert_eq!(problem.severity, Severity::Warning);
    assert_eq!(problem.code, ucr_core::Code::Required);
}

#[test]
fn name_empty_after_trimming_is_required() {
    fails(
        with(museum(), json!({ "name": { "az": " \t " } })),
        &[("/name/az", "required")],
    );
    fails(
        with(museum(), json!({ "name": { "en": "" } })),
        &[("/name/en", "required")],
    );
    fails(
        with(museum(), json!({ "name": { "ru": "  " } })),
        &[("/name/ru", "required")],
    );
}

#[test]
fn name_has_at_most_300_characters() {
    // Characters, not bytes: 300 × ə is 600 bytes.
    passes(with(museum(), json!({ "name": { "az": "ə".repeat(300) } })));
    passes(with(
        museum(),
        json!({ "name": { "az": format!("  {}  ", "a".repeat(300)) } }),
    ));
    fails(
        with(museum(), json!({ "name": { "az": "ə".repeat(301) } })),
        &[("/name/az", "too_long")],
    );
    fails(
        with(museum(), json!({ "name": { "en": "a".repeat(301) } })),
        &[("/name/en", "too_long")],
    );
}

#[test]
fn name_length_is_counted_after_nfc() {
    // 300 × "e" + combining acute accent: 600 code points, 300 characters in NFC.
    let record = passes(with(
        museum(),
        json!({ "name": { "az": "e\u{0301}".repeat(300) } }),
    ));
    assert_eq!(record.name.az, Some("é".repeat(300)));
}

#[test]
fn name_has_no_control_characters() {
    fails(
        with(
            museum(),
            json!({ "name": { "az": "Azərbaycan Milli\u{0007} İncəsənət Muzeyi" } }),
        ),
        &[("/name/az", "format")],
    );
    fails(
        with(
            museum(),
            json!({ "name": { "en": "Azerbaijan National\nArt Museum" } }),
        ),
        &[("/name/en", "format")],
    );
    fails(
        with(museum(), json!({ "name": { "az": "Mu\u{0085}zey" } })),
        &[("/name/az", "format")],
    );
}

#[test]
fn name_unknown_language_is_rejected() {
    fails(
        with(
            museum(),
            json!({ "name": { "tr": "Azerbaycan Milli Sanat Müzesi" } }),
        ),
        &[("/name/tr", "unknown_field")],
    );
}

#[test]
fn name_is_trimmed_and_nfc() {
    let record = passes(with(
        museum(),
        json!({ "name": { "az": "  S\u{0327}əki Muzeyi \n", "ru": " Музей " } }),
    ));
    assert_eq!(record.name.az.as_deref(), Some("Şəki Muzeyi"));
    assert_eq!(record.name.ru.as_deref(), Some("Музей"));
}

#[test]
fn turned_e_is_stored_as_schwa() {
    // U+01DD (ǝ), a look-alike often typed for U+0259 (ə).
    let value = with(
        library(),
        json!({
            "name": { "az": "K\u{01DD}ng\u{01DD}rli rayon M\u{0259}rk\u{0259}zi Kitabxanası", "en": null },
            "region": "AZ-KAN",
            "address": { "locality": "Qıvraq", "street": null, "postal_code": null },
            "location": { "lat": 39.40, "lon": 45.11 },
            "founded_year": null,
            "contacts": null,
            "library_type": "central",
            "holdings": null,
            "registered_readers": null
        }),
    );
    let record = passes(value);
    let az = record.name.az.unwrap_or_default();
    assert_eq!(az, "Kəngərli rayon Mərkəzi Kitabxanası");
    assert!(az.starts_with("K\u{0259}ng\u{0259}rli"));
    assert!(!az.contains('\u{01DD}'));
    // The capital turned E too.
    let record = passes(with(
        museum(),
        json!({ "name": { "az": "\u{018E}d\u{0259}biyyat Muzeyi" } }),
    ));
    assert_eq!(record.name.az.as_deref(), Some("Ədəbiyyat Muzeyi"));
}

#[test]
fn alt_names_follow_the_name_rules() {
    let record = passes(with(
        theatre(),
        json!({ "alt_names": [{ "en": "Sheki Drama Theatre" }, { "az": "  Şəki Teatrı " }] }),
    ));
    assert_eq!(record.alt_names.len(), 2);
    assert_eq!(record.alt_names[1].az.as_deref(), Some("Şəki Teatrı"));
    fails(
        with(
            theatre(),
            json!({ "alt_names": [{ "en": "Sheki Drama Theatre" }, {}] }),
        ),
        &[("/alt_names/1", "required")],
    );
    fails(
        with(
            theatre(),
            json!({ "alt_names": [{ "az": "ə".repeat(301) }] }),
        ),
        &[("/alt_names/0/az", "too_long")],
    );
    fails(
        with(
            theatre(),
            json!({ "alt_names": [{ "en": "Sheki\tTheatre" }] }),
        ),
        &[("/alt_names/0/en", "format")],
    );
    fails(
        with(theatre(), json!({ "alt_names": [{ "ru": " " }] })),
        &[("/alt_names/0/ru", "required")],
    );
    fails(
        with(theatre(), json!({ "alt_names": ["Şəki Teatrı"] })),
        &[("/alt_names", "format")],
    );
}

// ---------------------------------------------------------------------------------------------
// Status and closing
// ---------------------------------------------------------------------------------------------

#[test]
fn status_defaults_to_active_and_is_controlled() {
    assert_eq!(
        passes(with(theatre(), json!({ "status": null }))).status,
        ucr_core::Status::Active
    );
    assert_eq!(
        passes(with(theatre(), json!({ "status": "suspended" }))).status,
        ucr_core::Status::Suspended
    );
    fails(
        with(theatre(), json!({ "status": "open" })),
        &[("/status", "not_in_vocabulary")],
    );
}

#[test]
fn closed_needs_closed_on() {
    let record = passes(with(
        theatre(),
        json!({ "status": "closed", "closed_on": "2020-06-30" }),
    ));
    assert_eq!(
        record.closed_on.map(|d| d.to_string()).as_deref(),
        Some("2020-06-30")
    );
    fails(
        with(theatre(), json!({ "status": "closed" })),
        &[("/closed_on", "required")],
    );
}

#[test]
fn closed_on_is_not_in_the_future() {
    let today = Utc::now().date_naive().to_string();
    passes(with(
        theatre(),
        json!({ "status": "closed", "closed_on": today }),
    ));
    fails(
        with(
            theatre(),
            json!({ "status": "closed", "closed_on": future_day() }),
        ),
        &[("/closed_on", "future_date")],
    );
}

#[test]
fn closed_on_is_not_before_the_founding_year() {
    // Founded 1975: closing in 1975 is possible, in 1974 it is not.
    passes(with(
        theatre(),
        json!({ "status": "closed", "closed_on": "1975-01-01" }),
    ));
    fails(
        with(
            theatre(),
            json!({ "status": "closed", "closed_on": "1974-12-31" }),
        ),
        &[("/closed_on", "cross_field")],
    );
}

#[test]
fn only_a_closed_entry_has_a_closing_date() {
    fails(
        with(
            theatre(),
            json!({ "status": "active", "closed_on": "2020-06-30" }),
        ),
        &[("/closed_on", "cross_field")],
    );
}

// ---------------------------------------------------------------------------------------------
// Region
// ---------------------------------------------------------------------------------------------

#[test]
fn region_is_required_except_for_intangible_heritage() {
    fails(
        with(theatre(), json!({ "region": null })),
        &[("/region", "required")],
    );
    fails(
        with(immovable(), json!({ "region": null })),
        &[("/region", "required")],
    );
    fails(
        with(movable(), json!({ "region": null })),
        &[("/region", "required")],
    );
    let record = passes(intangible());
    assert_eq!(record.region, None);
    // An intangible element may still name a region, which must then be a real one.
    passes(with(intangible(), json!({ "region": "AZ-NX" })));
    fails(
        with(intangible(), json!({ "region": "AZ-XX" })),
        &[("/region", "not_in_vocabulary")],
    );
}

#[test]
fn region_is_an_iso_3166_2_az_code() {
    fails(
        with(theatre(), json!({ "region": "AZ-XX" })),
        &[("/region", "not_in_vocabulary")],
    );
    fails(
        with(theatre(), json!({ "region": "az-sa" })),
        &[("/region", "not_in_vocabulary")],
    );
    fails(
        with(theatre(), json!({ "region": "Şəki" })),
        &[("/region", "not_in_vocabulary")],
    );
    assert_eq!(
        passes(with(theatre(), json!({ "region": " AZ-SA " })))
            .region
            .as_deref(),
        Some("AZ-SA")
    );
}

#[test]
fn city_and_rayon_of_saki_are_distinct_codes_of_one_economic_region() {
    let city = passes(theatre());
    let rayon = passes(with(theatre(), json!({ "region": "AZ-SAK" })));
    assert_eq!(city.region.as_deref(), Some("AZ-SA"));
    assert_eq!(rayon.region.as_deref(), Some("AZ-SAK"));
    assert_ne!(city.region, rayon.region);
    assert_eq!(city.economic_region(), Some("shaki-zagatala"));
    assert_eq!(rayon.economic_region(), Some("shaki-zagatala"));
    assert_eq!(passes(museum()).economic_region(), Some("baku"));
    assert_eq!(passes(intangible()).economic_region(), None);
}

// ---------------------------------------------------------------------------------------------
// Address
// ---------------------------------------------------------------------------------------------

#[test]
fn postal_code_is_stored_as_az_and_four_digits() {
    for written in [
        "AZ1000",
        "AZ 1000",
        "AZ-1000",
        "1000",
        "az1000",
        " AZ 1000 ",
    ] {
        let record = passes(with(
            library(),
            json!({ "address": { "postal_code": written } }),
        ));
        let stored = record.address.and_then(|a| a.postal_code);
        assert_eq!(stored.as_deref(), Some("AZ1000"), "{written}");
    }
    let record = passes(with(
        library(),
        json!({ "address": { "postal_code": "AZ 0100" } }),
    ));
    assert_eq!(
        record.address.and_then(|a| a.postal_code).as_deref(),
        Some("AZ0100")
    );
}

#[test]
fn postal_code_of_another_form_is_rejected() {
    for written in ["AZ100", "AZ10000", "AB1000", "AZ 10a0", ""] {
        fails(
            with(library(), json!({ "address": { "postal_code": written } })),
            &[("/address/postal_code", "format")],
        );
    }
}

#[test]
fn address_texts_follow_the_text_rules() {
    let record = passes(with(
        library(),
        json!({ "address": { "locality": "  Bakı " } }),
    ));
    assert_eq!(
        record.address.and_then(|a| a.locality).as_deref(),
        Some("Bakı")
    );
    fails(
        with(library(), json!({ "address": { "locality": " " } })),
        &[("/address/locality", "required")],
    );
    fails(
        with(
            library(),
            json!({ "address": { "street": "x".repeat(501) } }),
        ),
        &[("/address/street", "too_long")],
    );
    fails(
        with(
            library(),
            json!({ "address": { "street": "Xaqani\u{0000} 57" } }),
        ),
        &[("/address/street", "format")],
    );
}

// ---------------------------------------------------------------------------------------------
// Location
// ---------------------------------------------------------------------------------------------

#[test]
fn location_inside_azerbaijan_passes_including_the_box_edges() {
    passes(theatre());
    passes(with(
        theatre(),
        json!({ "location": { "lat": 38.38, "lon": 44.76 } }),
    ));
    passes(with(
        theatre(),
        json!({ "location": { "lat": 41.91, "lon": 50.63 } }),
    ));
}

#[test]
fn location_with_latitude_and_longitude_swapped() {
    fails(
        with(
            theatre(),
            json!({ "location": { "lat": 47.1706, "lon": 41.1975 } }),
        ),
        &[("/location", "swapped_coordinates")],
    );
}

#[test]
fn location_outside_azerbaijan() {
    // Tabriz, Iran.
    fails(
        with(
            theatre(),
            json!({ "location": { "lat": 38.08, "lon": 46.29 } }),
        ),
        &[("/location", "out_of_bounds")],
    );
    // Null Island.
    fails(
        with(theatre(), json!({ "location": { "lat": 0.0, "lon": 0.0 } })),
        &[("/location", "out_of_bounds")],
    );
}

#[test]
fn location_needs_both_coordinates() {
    fails(
        with(theatre(), json!({ "location": { "lon": null } })),
        &[("/location", "format")],
    );
}

#[test]
fn location_missing_is_a_warning_except_for_intangible_heritage() {
    let value = with(theatre(), json!({ "location": null }));
    assert_eq!(errors(value.clone()), Found::new());
    assert_eq!(warnings(value), expected(&[("/location", "required")]));
    assert_eq!(warnings(intangible()), Found::new());
}

// ---------------------------------------------------------------------------------------------
// External ids
// ---------------------------------------------------------------------------------------------

#[test]
fn wikidata_id_is_q_and_digits() {
    passes(with(
        museum(),
        json!({ "external_ids": { "wikidata": "Q9248" } }),
    ));
    for id in ["X12", "Q", "Q012", "Q12a", "12"] {
        fails(
            with(museum(), json!({ "external_ids": { "wikidata": id } })),
            &[("/external_ids/wikidata", "format")],
        );
    }
}

#[test]
fn viaf_id_is_digits() {
    passes(with(
        museum(),
        json!({ "external_ids": { "viaf": "123456789" } }),
    ));
    fails(
        with(museum(), json!({ "external_ids": { "viaf": "12a" } })),
        &[("/external_ids/viaf", "format")],
    );
}

#[test]
fn numeric_external_ids_are_positive() {
    passes(with(
        intangible(),
        json!({ "external_ids": { "unesco_ich": 1181, "geonames": 587084 } }),
    ));
    fails(
        with(reserve(), json!({ "external_ids": { "unesco_whc": 0 } })),
        &[("/external_ids/unesco_whc", "out_of_range")],
    );
    fails(
        with(
            intangible(),
            json!({ "external_ids": { "unesco_ich": -1 } }),
        ),
        &[("/external_ids/unesco_ich", "out_of_range")],
    );
    fails(
        with(museum(), json!({ "external_ids": { "geonames": 0 } })),
        &[("/external_ids/geonames", "out_of_range")],
    );
}

// ---------------------------------------------------------------------------------------------
// Institutions: ownership, VÖEN, founding year, contacts, head
// ---------------------------------------------------------------------------------------------

#[test]
fn ownership_is_required_and_controlled() {
    passes(with(
        museum(),
        json!({ "ownership": "public_association", "tax_id": null }),
    ));
    fails(
        with(museum(), json!({ "ownership": null })),
        &[("/ownership", "required")],
    );
    fails(
        with(museum(), json!({ "ownership": "government" })),
        &[("/ownership", "not_in_vocabulary")],
    );
}

#[test]
fn valid_voen_of_a_legal_and_of_a_natural_person() {
    let record = passes(with(museum(), json!({ "tax_id": VOEN_LEGAL })));
    let tax_id = record.details.institution().and_then(|i| i.tax_id.clone());
    assert_eq!(tax_id.as_deref(), Some(VOEN_LEGAL));
    passes(with(
        museum(),
        json!({ "ownership": "private", "tax_id": VOEN_NATURAL }),
    ));
    // 12345678: 4+2+24+24+10+42+35+24 = 165 ≡ 0 (mod 11).
    passes(with(museum(), json!({ "tax_id": " 1234567801 " })));
}

#[test]
fn voen_with_a_wrong_check_digit() {
    // 17000123 takes 4, not 5.
    fails(
        with(museum(), json!({ "tax_id": "1700012351" })),
        &[("/tax_id", "checksum")],
    );
}

#[test]
fn voen_whose_check_sum_is_ten_has_no_valid_check_digit() {
    // 10000002: 1·4 + 2·3 = 10 ≡ 10 (mod 11): no ninth digit can be right.
    for ninth in 0..=9 {
        fails(
            with(museum(), json!({ "tax_id": format!("10000002{ninth}1") })),
            &[("/tax_id", "checksum")],
        );
    }
}

#[test]
fn voen_ends_in_1_or_2() {
    // Right check digit, but 3 is neither a legal (1) nor a natural (2) person.
    fails(
        with(museum(), json!({ "tax_id": "1700012343" })),
        &[("/tax_id", "format")],
    );
    fails(
        with(museum(), json!({ "tax_id": "1700012340" })),
        &[("/tax_id", "format")],
    );
}

#[test]
fn voen_has_ten_digits() {
    for t in ["170001234", "17000123411", "17000123A1", "1700 12341", ""] {
        fails(
            with(museum(), json!({ "tax_id": t })),
            &[("/tax_id", "format")],
        );
    }
    fails(
        with(museum(), json!({ "tax_id": 1700012341_u64 })),
        &[("/tax_id", "format")],
    );
}

#[test]
fn state_institution_without_voen_is_a_warning() {
    let value = with(museum(), json!({ "tax_id": null }));
    assert_eq!(errors(value.clone()), Found::new());
    assert_eq!(warnings(value), expected(&[("/tax_id", "required")]));
    let private = with(museum(), json!({ "ownership": "private", "tax_id": null }));
    assert_eq!(warnings(private), Found::new());
}

#[test]
fn founded_year_lies_between_1000_and_this_year() {
    passes(with(theatre(), json!({ "founded_year": 1000 })));
    passes(with(theatre(), json!({ "founded_year": this_year() })));
    fails(
        with(theatre(), json!({ "founded_year": 999 })),
        &[("/founded_year", "out_of_range")],
    );
    fails(
        with(theatre(), json!({ "founded_year": -300 })),
        &[("/founded_year", "out_of_range")],
    );
    fails(
        with(theatre(), json!({ "founded_year": this_year() + 1 })),
        &[("/founded_year", "future_date")],
    );
}

#[test]
fn phone_is_stored_in_e164() {
    for written in [
        "(012) 493 40 03",
        "012 493 40 03",
        "+994 12 493 40 03",
        "994124934003",
        "+994-12-493-40-03",
    ] {
        let record = passes(with(library(), json!({ "contacts": { "phone": written } })));
        let phone = record
            .details
            .institution()
            .and_then(|i| i.contacts.clone())
            .and_then(|c| c.phone);
        assert_eq!(phone.as_deref(), Some("+994124934003"), "{written}");
    }
}

#[test]
fn phone_that_is_not_azerbaijani_is_rejected() {
    for written in [
        "493 40 03",
        "+7 495 123 45 67",
        "012 493 40 0x",
        "+994 012 493 40 0",
        "+90 212 123 45 67",
    ] {
        fails(
            with(library(), json!({ "contacts": { "phone": written } })),
            &[("/contacts/phone", "format")],
        );
    }
}

#[test]
fn email_is_an_email_address() {
    passes(with(
        library(),
        json!({ "contacts": { "email": "info@millikitabxana.az" } }),
    ));
    for written in ["info millikitabxana.az", "info@", "@millikitabxana.az"] {
        fails(
            with(library(), json!({ "contacts": { "email": written } })),
            &[("/contacts/email", "format")],
        );
    }
}

#[test]
fn website_is_http_or_https() {
    passes(with(
        library(),
        json!({ "contacts": { "website": "http://millikitabxana.az" } }),
    ));
    for written in [
        "ftp://millikitabxana.az",
        "millikitabxana.az",
        "www.millikitabxana.az",
        "https://",
    ] {
        fails(
            with(library(), json!({ "contacts": { "website": written } })),
            &[("/contacts/website", "format")],
        );
    }
}

#[test]
fn head_follows_the_text_rules() {
    let record = passes(with(museum(), json!({ "head": " Çingiz Fərzəliyev " })));
    let head = record.details.institution().and_then(|i| i.head.clone());
    assert_eq!(head.as_deref(), Some("Çingiz Fərzəliyev"));
    fails(
        with(museum(), json!({ "head": "Çingiz\u{001B}Fərzəliyev" })),
        &[("/head", "format")],
    );
    fails(
        with(museum(), json!({ "head": "a".repeat(301) })),
        &[("/head", "too_long")],
    );
}

#[test]
fn parent_id_accepts_a_registry_number_or_an_id() {
    let record = passes(with(school(), json!({ "parent_id": "SCH-000005" })));
    let parent = record
        .details
        .institution()
        .and_then(|i| i.parent_id.clone());
    assert_eq!(parent.map(|p| p.to_string()).as_deref(), Some("SCH-000005"));
    passes(with(
        school(),
        json!({ "parent_id": "01936f3e-8a4b-7c2d-9e1f-0a1b2c3d4e5f" }),
    ));
}

// ---------------------------------------------------------------------------------------------
// Theatre
// ---------------------------------------------------------------------------------------------

#[test]
fn theatre_type_is_required_and_controlled() {
    passes(with(
        theatre(),
        json!({ "theatre_type": "young_spectators" }),
    ));
    fails(
        with(theatre(), json!({ "theatre_type": null })),
        &[("/theatre_type", "required")],
    );
    fails(
        with(theatre(), json!({ "theatre_type": "circus" })),
        &[("/theatre_type", "not_in_vocabulary")],
    );
}

#[test]
fn seats_lie_between_1_and_10000() {
    passes(with(theatre(), json!({ "seats": 1 })));
    passes(with(theatre(), json!({ "seats": 10000 })));
    fails(
        with(theatre(), json!({ "seats": 0 })),
        &[("/seats", "out_of_range")],
    );
    fails(
        with(theatre(), json!({ "seats": 10001 })),
        &[("/seats", "out_of_range")],
    );
}

#[test]
fn halls_lie_between_1_and_50() {
    passes(with(theatre(), json!({ "halls": 50 })));
    fails(
        with(theatre(), json!({ "halls": 0 })),
        &[("/halls", "out_of_range")],
    );
    fails(
        with(theatre(), json!({ "halls": 51 })),
        &[("/halls", "out_of_range")],
    );
}

// ---------------------------------------------------------------------------------------------
// Library
// ---------------------------------------------------------------------------------------------

#[test]
fn library_type_is_required_and_controlled() {
    passes(with(library(), json!({ "library_type": "republican" })));
    fails(
        with(library(), json!({ "library_type": null })),
        &[("/library_type", "required")],
    );
    fails(
        with(library(), json!({ "library_type": "public" })),
        &[("/library_type", "not_in_vocabulary")],
    );
}

#[test]
fn isil_is_a_prefix_a_hyphen_and_a_unit_id() {
    for isil in [
        "AZ-MK001",
        "AZ-1",
        "AZ-Baki:1",
        "AZ-a/b-c:d",
        "AZ-1234567890123",
    ] {
        let record = passes(with(library(), json!({ "isil": isil })));
        let Details::Library(l) = record.details else {
            panic!("a library")
        };
        assert_eq!(l.isil.as_deref(), Some(isil));
    }
}

#[test]
fn isil_has_at_most_16_characters() {
    // 17 characters.
    fails(
        with(library(), json!({ "isil": "AZ-12345678901234" })),
        &[("/isil", "too_long")],
    );
}

#[test]
fn isil_of_another_form_is_rejected() {
    for isil in [
        "AZMK001",
        "-MK001",
        "AZ-",
        "AZ-Bakı",
        "AZ-MK 001",
        "AZ_MK-001",
        "AZERB-1",
    ] {
        fails(
            with(library(), json!({ "isil": isil })),
            &[("/isil", "format")],
        );
    }
}

#[test]
fn library_counts_are_not_negative() {
    passes(with(
        library(),
        json!({ "holdings": 0, "registered_readers": 0 }),
    ));
    fails(
        with(library(), json!({ "holdings": -1 })),
        &[("/holdings", "out_of_range")],
    );
    fails(
        with(library(), json!({ "registered_readers": -1 })),
        &[("/registered_readers", "out_of_range")],
    );
}

// ---------------------------------------------------------------------------------------------
// Museum
// ---------------------------------------------------------------------------------------------

#[test]
fn museum_profile_is_required_and_controlled() {
    passes(with(museum(), json!({ "museum_profile": "local_lore" })));
    fails(
        with(museum(), json!({ "museum_profile": null })),
        &[("/museum_profile", "required")],
    );
    fails(
        with(museum(), json!({ "museum_profile": "carpets" })),
        &[("/museum_profile", "not_in_vocabulary")],
    );
}

#[test]
fn items_on_display_are_at_most_items_total() {
    passes(with(museum(), json!({ "items_on_display": 15000 })));
    passes(with(
        museum(),
        json!({ "items_total": null, "items_on_display": 3000 }),
    ));
    fails(
        with(museum(), json!({ "items_on_display": 15001 })),
        &[("/items_on_display", "cross_field")],
    );
}

#[test]
fn museum_counts_are_not_negative() {
    passes(with(
        museum(),
        json!({ "items_total": 0, "items_on_display": 0, "exhibition_rooms": 0, "visitors_per_year": 0 }),
    ));
    fails(
        with(
            museum(),
            json!({ "items_total": -1, "items_on_display": null }),
        ),
        &[("/items_total", "out_of_range")],
    );
    fails(
        with(museum(), json!({ "items_on_display": -1 })),
        &[("/items_on_display", "out_of_range")],
    );
    fails(
        with(museum(), json!({ "exhibition_rooms": -1 })),
        &[("/exhibition_rooms", "out_of_range")],
    );
    fails(
        with(museum(), json!({ "visitors_per_year": -1 })),
        &[("/visitors_per_year", "out_of_range")],
    );
}

// ---------------------------------------------------------------------------------------------
// Reserve
// ---------------------------------------------------------------------------------------------

#[test]
fn reserve_type_is_required_and_controlled() {
    passes(with(
        reserve(),
        json!({ "reserve_type": "nature_historical" }),
    ));
    fails(
        with(reserve(), json!({ "reserve_type": null })),
        &[("/reserve_type", "required")],
    );
    fails(
        with(reserve(), json!({ "reserve_type": "national_park" })),
        &[("/reserve_type", "not_in_vocabulary")],
    );
}

#[test]
fn area_is_more_than_zero() {
    passes(with(reserve(), json!({ "area_ha": 0.5 })));
    passes(with(reserve(), json!({ "area_ha": 22 })));
    fails(
        with(reserve(), json!({ "area_ha": 0 })),
        &[("/area_ha", "out_of_range")],
    );
    fails(
        with(reserve(), json!({ "area_ha": -22.1 })),
        &[("/area_ha", "out_of_range")],
    );
}

#[test]
fn established_by_names_its_act() {
    fails(
        with(reserve(), json!({ "established_by": { "act": null } })),
        &[("/established_by/act", "required")],
    );
    fails(
        with(reserve(), json!({ "established_by": { "act": "  " } })),
        &[("/established_by/act", "required")],
    );
    fails(
        with(
            reserve(),
            json!({ "established_by": { "number": "2".repeat(51) } }),
        ),
        &[("/established_by/number", "too_long")],
    );
}

#[test]
fn established_by_date_is_not_in_the_future() {
    passes(with(
        reserve(),
        json!({ "established_by": { "date": Utc::now().date_naive().to_string() } }),
    ));
    fails(
        with(
            reserve(),
            json!({ "established_by": { "date": future_day() } }),
        ),
        &[("/established_by/date", "future_date")],
    );
    fails(
        with(
            reserve(),
            json!({ "established_by": { "date": "1977-13-10" } }),
        ),
        &[("/established_by", "format")],
    );
}

#[test]
fn unesco_whs_id_is_positive() {
    fails(
        with(reserve(), json!({ "unesco_whs_id": 0 })),
        &[("/unesco_whs_id", "out_of_range")],
    );
}

#[test]
fn boundary_ring_must_be_closed() {
    let open = json!({ "boundary": { "coordinates": [[
        [49.8320, 40.3640], [49.8385, 40.3640], [49.8385, 40.3690], [49.8320, 40.3690]
    ]] } });
    fails(
        with(reserve(), open),
        &[("/boundary/coordinates/0", "format")],
    );
    let too_short = json!({ "boundary": { "coordinates": [[
        [49.8320, 40.3640], [49.8385, 40.3640], [49.8320, 40.3640]
    ]] } });
    fails(
        with(reserve(), too_short),
        &[("/boundary/coordinates/0", "format")],
    );
}

#[test]
fn boundary_vertices_lie_inside_azerbaijan() {
    // [lat, lon] instead of [lon, lat] puts the third vertex out of the country.
    let outside = json!({ "boundary": { "coordinates": [[
        [49.8320, 40.3640], [49.8385, 40.3640], [40.3690, 49.8385],
        [49.8320, 40.3690], [49.8320, 40.3640]
    ]] } });
    fails(
        with(reserve(), outside),
        &[("/boundary/coordinates/0/2", "out_of_bounds")],
    );
}

#[test]
fn boundary_is_a_geojson_polygon() {
    fails(
        with(reserve(), json!({ "boundary": { "type": "MultiPolygon" } })),
        &[("/boundary/type", "format")],
    );
    fails(
        with(reserve(), json!({ "boundary": { "coordinates": [] } })),
        &[("/boundary/coordinates", "required")],
    );
    fails(
        with(
            reserve(),
            json!({ "boundary": "POLYGON((49.83 40.36, …))" }),
        ),
        &[("/boundary", "format")],
    );
}

// ---------------------------------------------------------------------------------------------
// School
// ---------------------------------------------------------------------------------------------

#[test]
fn school_type_is_required_and_controlled() {
    passes(with(school(), json!({ "school_type": "art_centre" })));
    fails(
        with(school(), json!({ "school_type": null })),
        &[("/school_type", "required")],
    );
    fails(
        with(school(), json!({ "school_type": "ballet" })),
        &[("/school_type", "not_in_vocabulary")],
    );
}

#[test]
fn specialities_are_required() {
    fails(
        with(school(), json!({ "specialities": [] })),
        &[("/specialities", "required")],
    );
    fails(
        with(school(), json!({ "specialities": null })),
        &[("/specialities", "required")],
    );
}

#[test]
fn specialities_come_from_the_controlled_list() {
    let record = passes(with(
        school(),
        json!({ "specialities": [" mugham_vocal ", "carpet_weaving"] }),
    ));
    let Details::School(s) = record.details else {
        panic!("a school")
    };
    assert_eq!(s.specialities.len(), 2);
    fails(
        with(
            school(),
            json!({ "specialities": ["piano", "tar", "bagpipe"] }),
        ),
        &[("/specialities/2", "not_in_vocabulary")],
    );
}

#[test]
fn specialities_have_no_duplicates() {
    fails(
        with(
            school(),
            json!({ "specialities": ["piano", "tar", "piano", "tar"] }),
        ),
        &[
            ("/specialities/2", "duplicate"),
            ("/specialities/3", "duplicate"),
        ],
    );
}

#[test]
fn enrolled_are_at_most_capacity() {
    passes(with(school(), json!({ "enrolled": 600 })));
    fails(
        with(school(), json!({ "enrolled": 601 })),
        &[("/enrolled", "cross_field")],
    );
}

#[test]
fn school_counts() {
    passes(with(
        school(),
        json!({ "capacity": 1, "enrolled": 0, "teachers": 0 }),
    ));
    fails(
        with(school(), json!({ "capacity": 0, "enrolled": null })),
        &[("/capacity", "out_of_range")],
    );
    fails(
        with(school(), json!({ "enrolled": -1 })),
        &[("/enrolled", "out_of_range")],
    );
    fails(
        with(school(), json!({ "teachers": -1 })),
        &[("/teachers", "out_of_range")],
    );
}

// ---------------------------------------------------------------------------------------------
// Heritage objects
// ---------------------------------------------------------------------------------------------

#[test]
fn heritage_category_is_required_and_controlled() {
    fails(
        with(immovable(), json!({ "category": null })),
        &[("/category", "required")],
    );
    // Without a usable category the category's own fields are not judged.
    fails(
        with(immovable(), json!({ "category": "building" })),
        &[("/category", "not_in_vocabulary")],
    );
}

#[test]
fn immovable_needs_monument_type_and_significance() {
    passes(with(
        immovable(),
        json!({ "monument_type": "garden_park", "significance": "local" }),
    ));
    let plain = with(immovable(), json!({ "reserve_id": null }));
    fails(
        with(
            plain.clone(),
            json!({ "monument_type": null, "significance": null }),
        ),
        &[
            ("/monument_type", "required"),
            ("/significance", "required"),
        ],
    );
    fails(
        with(
            plain,
            json!({ "monument_type": "mosque", "significance": "regional" }),
        ),
        &[
            ("/monument_type", "not_in_vocabulary"),
            ("/significance", "not_in_vocabulary"),
        ],
    );
}

#[test]
fn immovable_without_monument_type_still_knows_its_own_fields() {
    // `reserve_id` and `protection_act` are fields of an immovable monument whatever else is wrong.
    fails(
        with(
            immovable(),
            json!({ "monument_type": null, "protection_act": "Cabinet of Ministers Decision No. 132 of 2001-08-02" }),
        ),
        &[("/monument_type", "required")],
    );
}

/// The notices of a new entry that passes: (field, code, given, stored).
fn notices(value: Value) -> Vec<(String, &'static str, String, String)> {
    let checked = check(value.clone(), None);
    assert!(checked.record.is_some(), "{value}: {:#?}", checked.problems);
    checked
        .problems
        .iter()
        .filter(|p| p.is_notice())
        .map(|p| {
            (
                p.field.clone(),
                p.code.as_str(),
                p.given.clone().unwrap_or_default(),
                p.stored.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The inventory number a passing immovable monument is stored with.
fn stored_inventory(number: &str) -> Option<String> {
    let record = passes(with(immovable(), json!({ "inventory_number": number })));
    serde_json::to_value(&record).expect("a record as JSON")["inventory_number"]
        .as_str()
        .map(str::to_string)
}

#[test]
fn immovable_inventory_numbers_take_the_state_lists_forms() {
    passes(with(immovable(), json!({ "inventory_number": null })));
    for (given, stored) in [
        ("2", "2"),
        ("2.1", "2.1"),
        ("93-2", "93-2"),
        ("4996-15", "4996-15"),
        ("26\u{2014}33", "26-33"),
        ("26\u{2013}33", "26-33"),
        ("71, 70, 73, 69", "71, 70, 73, 69"),
        ("5291,390", "5291, 390"),
        ("  12 ", "12"),
    ] {
        assert_eq!(stored_inventory(given).as_deref(), Some(stored), "{given}");
    }
    // A value changed other than by trimming is a notice with the value given and stored.
    assert_eq!(
        notices(with(
            immovable(),
            json!({ "inventory_number": "26\u{2014}33" })
        )),
        vec![(
            "/inventory_number".to_string(),
            "normalized_dash",
            "26\u{2014}33".to_string(),
            "26-33".to_string()
        )]
    );
    assert_eq!(
        notices(with(immovable(), json!({ "inventory_number": "93-2" }))),
        vec![]
    );
    for n in [
        "2.a", "2.", ".1", "", "№2", "-2", "2--1", "71,,70", "71; 70", "A-1",
    ] {
        fails(
            with(immovable(), json!({ "inventory_number": n })),
            &[("/inventory_number", "format")],
        );
    }
    let checked = check(
        with(immovable(), json!({ "inventory_number": "2.a" })),
        None,
    );
    assert_eq!(
        checked.problems[0].message,
        "`2.a` is not a state-list number: the list writes 2, 2.1, 93-2 or 4996-15 \
         (a part of an item), or several separated by commas (71, 70, 73)"
    );
    let checked = check(
        with(immovable(), json!({ "inventory_number": "71, 70, 71" })),
        None,
    );
    assert_eq!(
        pairs(&checked, Severity::Error),
        expected(&[("/inventory_number", "format")])
    );
    assert_eq!(
        checked.problems[0].message,
        "`71, 70, 71` lists the number 71 twice"
    );
}

#[test]
fn look_alike_letters_in_latin_names_are_stored_latin_with_a_notice() {
    // "Cümə məscidi" typed with a Cyrillic е (U+0435) and а (U+0430) in Latin words.
    let typed = "C\u{00FC}m\u{0259} m\u{0259}sc\u{0456}d\u{0456} T\u{0435}z\u{0430}p\u{0438}r";
    let record = passes(with(
        immovable(),
        json!({ "name": {"az": typed, "en": "Friday Mosque"} }),
    ));
    // The last word has an и, which has no Latin twin: it stays as typed.
    assert_eq!(
        record.name.az.as_deref(),
        Some("Cümə məscidi T\u{0435}z\u{0430}p\u{0438}r")
    );
    let record = passes(with(
        immovable(),
        json!({ "name": {"az": "M\u{0259}sc\u{0456}d T\u{0435}z\u{0430}p\u{0456}r", "en": "Mosque"} }),
    ));
    assert_eq!(record.name.az.as_deref(), Some("Məscid Tezapir"));
    assert_eq!(
        notices(with(
            immovable(),
            json!({ "name": {"az": "M\u{0259}sc\u{0456}d T\u{0435}z\u{0430}p\u{0456}r", "en": "Mosque"} })
        )),
        vec![(
            "/name/az".to_string(),
            "look_alike_letters",
            "M\u{0259}sc\u{0456}d T\u{0435}z\u{0430}p\u{0456}r".to_string(),
            "Məscid Tezapir".to_string()
        )]
    );
    // A Russian name is left alone, without a notice.
    let russian = "Мечеть Джума";
    let value = with(
        immovable(),
        json!({ "name": {"az": "Cümə məscidi", "ru": russian, "en": "Friday Mosque"} }),
    );
    assert_eq!(passes(value.clone()).name.ru.as_deref(), Some(russian));
    assert_eq!(notices(value), vec![]);
    // NFC and the turned e: a notice of their own.
    assert_eq!(
        notices(with(
            immovable(),
            json!({ "name": {"az": "Ka\u{0301}bǝ", "en": "Kaaba"} })
        )),
        vec![(
            "/name/az".to_string(),
            "normalized_unicode",
            "Ka\u{0301}bǝ".to_string(),
            "Kábə".to_string()
        )]
    );
}

#[test]
fn immovable_condition_and_protection_act() {
    passes(with(
        immovable(),
        json!({ "condition": "ruined", "protection_act": "Cabinet of Ministers Decision No. 132 of 2001-08-02" }),
    ));
    fails(
        with(immovable(), json!({ "condition": "bad" })),
        &[("/condition", "not_in_vocabulary")],
    );
    fails(
        with(immovable(), json!({ "protection_act": "x".repeat(501) })),
        &[("/protection_act", "too_long")],
    );
}

#[test]
fn movable_names_its_museum() {
    let record = passes(movable());
    let Details::HeritageObject(h) = record.details else {
        panic!("a heritage object")
    };
    let HeritageDetails::Movable(m) = h.details else {
        panic!("movable")
    };
    assert_eq!(m.museum_id.to_string(), "MUS-000003");
    assert_eq!(m.materials, vec!["wool".to_string(), "cotton".to_string()]);
    fails(
        with(movable(), json!({ "museum_id": null })),
        &[("/museum_id", "required")],
    );
}

#[test]
fn movable_texts() {
    fails(
        with(movable(), json!({ "materials": ["wool", " "] })),
        &[("/materials/1", "required")],
    );
    fails(
        with(movable(), json!({ "inventory_number": "x".repeat(101) })),
        &[("/inventory_number", "too_long")],
    );
    fails(
        with(movable(), json!({ "object_type": "car\u{0008}pet" })),
        &[("/object_type", "format")],
    );
}

#[test]
fn intangible_needs_domain_and_list() {
    passes(with(
        intangible(),
        json!({ "ich_domain": "traditional_craftsmanship", "unesco_list": "good_practices" }),
    ));
    fails(
        with(
            intangible(),
            json!({ "ich_domain": null, "unesco_list": null, "inscribed_year": null }),
        ),
        &[("/ich_domain", "required"), ("/unesco_list", "required")],
    );
    fails(
        with(intangible(), json!({ "ich_domain": "music" })),
        &[("/ich_domain", "not_in_vocabulary")],
    );
    fails(
        with(intangible(), json!({ "unesco_list": "world" })),
        &[("/unesco_list", "not_in_vocabulary")],
    );
}

#[test]
fn intangible_on_a_unesco_list_needs_its_year() {
    fails(
        with(intangible(), json!({ "inscribed_year": null })),
        &[("/inscribed_year", "required")],
    );
    fails(
        with(
            intangible(),
            json!({ "unesco_list": "urgent_safeguarding", "inscribed_year": null }),
        ),
        &[("/inscribed_year", "required")],
    );
}

#[test]
fn intangible_on_no_list_has_no_year() {
    passes(with(
        intangible(),
        json!({ "unesco_list": "none", "inscribed_year": null }),
    ));
    fails(
        with(intangible(), json!({ "unesco_list": "none" })),
        &[("/inscribed_year", "cross_field")],
    );
}

#[test]
fn inscribed_year_lies_between_2003_and_this_year() {
    passes(with(intangible(), json!({ "inscribed_year": 2003 })));
    passes(with(intangible(), json!({ "inscribed_year": this_year() })));
    fails(
        with(intangible(), json!({ "inscribed_year": 2002 })),
        &[("/inscribed_year", "out_of_range")],
    );
    fails(
        with(intangible(), json!({ "inscribed_year": this_year() + 1 })),
        &[("/inscribed_year", "future_date")],
    );
}

#[test]
fn dating_may_be_bce_but_runs_forward() {
    let record = passes(with(
        immovable(),
        json!({ "dating": { "from_year": -300, "to_year": 500, "label": null } }),
    ));
    let Details::HeritageObject(h) = record.details else {
        panic!("a heritage object")
    };
    let dating = h.dating.unwrap_or_default();
    assert_eq!((dating.from_year, dating.to_year), (Some(-300), Some(500)));
    passes(with(
        immovable(),
        json!({ "dating": { "from_year": 1186, "to_year": 1186 } }),
    ));
    fails(
        with(
            immovable(),
            json!({ "dating": { "from_year": 500, "to_year": -300 } }),
        ),
        &[("/dating/to_year", "cross_field")],
    );
}

#[test]
fn dating_is_not_in_the_future() {
    passes(with(
        immovable(),
        json!({ "dating": { "from_year": null, "to_year": this_year() } }),
    ));
    fails(
        with(
            immovable(),
            json!({ "dating": { "from_year": null, "to_year": this_year() + 1 } }),
        ),
        &[("/dating/to_year", "future_date")],
    );
    fails(
        with(
            immovable(),
            json!({ "dating": { "from_year": this_year() + 1, "to_year": null } }),
        ),
        &[("/dating/from_year", "future_date")],
    );
}

#[test]
fn dating_label_follows_the_text_rules() {
    passes(with(
        intangible(),
        json!({ "dating": { "label": "XII əsr" } }),
    ));
    fails(
        with(immovable(), json!({ "dating": { "label": " " } })),
        &[("/dating/label", "required")],
    );
}

// ---------------------------------------------------------------------------------------------
// Normalisation seen through check
// ---------------------------------------------------------------------------------------------

#[test]
fn controlled_words_are_trimmed() {
    let record = passes(with(
        theatre(),
        json!({ "theatre_type": " drama ", "ownership": " state", "status": "active " }),
    ));
    assert_eq!(record.details.type_word(), "drama");
}

#[test]
fn intangible_category_written_with_spaces_needs_no_region() {
    // `category` is read trimmed, so this is an intangible element: no region, no location.
    let value = with(intangible(), json!({ "category": " intangible " }));
    assert_eq!(errors(value.clone()), Found::new());
    assert_eq!(warnings(value), Found::new());
}

#[test]
fn controlled_words_are_case_sensitive() {
    fails(
        with(theatre(), json!({ "theatre_type": "Drama" })),
        &[("/theatre_type", "not_in_vocabulary")],
    );
}

// ---------------------------------------------------------------------------------------------
// Replacing a stored entry (`current: Some(..)`)
// ---------------------------------------------------------------------------------------------

#[test]
fn stored_entry_echoed_back_is_accepted() {
    let current = stored_theatre();
    // What a client reads (with id, version, timestamps, economic region) and sends back.
    let record = passes_update(current.to_json(), &current);
    assert_eq!(record.registry_number.as_deref(), Some("THR-000008"));
    assert_eq!(record, current.record);
    passes_update(current.record_json(), &current);
}

#[test]
fn same_id_and_version_echoed_back_are_accepted() {
    let current = stored_theatre();
    let value = with(
        theatre(),
        json!({ "id": "01936f3e-8a4b-7c2d-9e1f-0a1b2c3d4e5f", "version": 1, "registry_number": "THR-000008" }),
    );
    passes_update(value, &current);
}

#[test]
fn update_without_kind_or_registry_number_keeps_them() {
    let current = stored_theatre();
    let record = passes_update(
        with(theatre(), json!({ "kind": null, "seats": 400 })),
        &current,
    );
    assert_eq!(record.kind(), ucr_core::Kind::Theatre);
    assert_eq!(record.registry_number.as_deref(), Some("THR-000008"));
}

#[test]
fn kind_cannot_change() {
    let current = stored_theatre();
    fails_update(
        with(theatre(), json!({ "kind": "museum" })),
        &current,
        &[("/kind", "immutable")],
    );
}

#[test]
fn registry_number_cannot_change() {
    let current = stored_theatre();
    fails_update(
        with(theatre(), json!({ "registry_number": "THR-000009" })),
        &current,
        &[("/registry_number", "immutable")],
    );
}

#[test]
fn assigned_fields_cannot_change() {
    let current = stored_theatre();
    fails_update(
        with(
            theatre(),
            json!({ "id": "01936f3e-8a4b-7c2d-9e1f-0a1b2c3d4e60" }),
        ),
        &current,
        &[("/id", "immutable")],
    );
    fails_update(
        with(theatre(), json!({ "created_at": "2024-01-01T00:00:00Z" })),
        &current,
        &[("/created_at", "immutable")],
    );
    fails_update(
        with(theatre(), json!({ "economic_region": "baku" })),
        &current,
        &[("/economic_region", "immutable")],
    );
}

#[test]
fn update_is_checked_by_the_same_rules() {
    let current = stored_theatre();
    fails_update(
        with(theatre(), json!({ "seats": 0 })),
        &current,
        &[("/seats", "out_of_range")],
    );
}

#[test]
fn alt_names_are_at_most_fifty() {
    let names = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({ "az": format!("Şəki Teatrı {i}") }))
            .collect()
    };
    passes(with(theatre(), json!({ "alt_names": names(50) })));
    fails(
        with(theatre(), json!({ "alt_names": names(51) })),
        &[("/alt_names", "too_long")],
    );
}

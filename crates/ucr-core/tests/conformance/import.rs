//! Bulk loading (SPEC §7) on every backend: the real fixture files in every format, export and
//! load back, forward references, atomic and continue modes, create and upsert, dry runs, undo,
//! and the change feed across all of them.

use super::*;
use std::collections::BTreeMap;
use ucr_core::bulk::read::Format;
use ucr_core::bulk::{ImportReport, Mode, Options, Outcome, RowReport, Source};
use ucr_core::export::{ExportFormat, ExportOptions};
use ucr_core::search::Search;
use ucr_core::store::connection::Db;
use ucr_core::testing::POSTGRES_ENV;
use ucr_core::{Entry, Filter, Kind, Operation, Revision};

/// Entries per kind in the real fixtures.
const PER_KIND: [(Kind, u64); 6] = [
    (Kind::Theatre, 12),
    (Kind::Library, 4),
    (Kind::Museum, 9),
    (Kind::Reserve, 9),
    (Kind::School, 5),
    (Kind::HeritageObject, 19),
];

fn fixture_bytes(path: &str) -> Vec<u8> {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn csv_name(kind: Kind) -> String {
    format!("csv/{}.csv", kind.as_str())
}

/// The fixture NDJSON lines, parsed, in file order.
fn fixture_rows() -> Vec<Value> {
    String::from_utf8(fixture_bytes("az-institutions.ndjson"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ndjson(rows: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        out.extend_from_slice(serde_json::to_string(r).unwrap().as_bytes());
        out.push(b'\n');
    }
    out
}

fn options() -> Options {
    Options {
        mode: Mode::Create,
        match_on: Default::default(),
        dialect: Default::default(),
        atomic: true,
        dry_run: false,
        kind: None,
        writer: clerk(),
    }
}

fn upsert() -> Options {
    Options {
        mode: Mode::Upsert,
        match_on: Default::default(),
        dialect: Default::default(),
        ..options()
    }
}

fn continuing() -> Options {
    Options {
        atomic: false,
        ..options()
    }
}

/// Loads named in-memory files (the format from the name).
fn load(register: &Register, files: &[(&str, &[u8])], options: &Options) -> ImportReport {
    let sources = files
        .iter()
        .map(|(name, bytes)| Source {
            name: (*name).to_string(),
            reader: Box::new(*bytes),
            format: Format::from_name(name).unwrap(),
        })
        .collect();
    register.import(sources, options, &mut |_| {}).unwrap()
}

/// (created, updated, unchanged, rejected) of a report.
fn counts(r: &ImportReport) -> (u64, u64, u64, u64) {
    (r.created, r.updated, r.unchanged, r.rejected)
}

fn assert_clean(r: &ImportReport, created: u64) {
    assert_eq!(r.outcome, Outcome::Committed, "{r:?}");
    assert_eq!(counts(r), (created, 0, 0, 0), "{:?}", r.rows);
    assert!(r.rows.is_empty());
    assert_eq!(r.rows_not_listed, 0);
    assert!(r.import_id.is_some());
}

/// A fresh, empty register on the same backend as `register`.
fn fresh_like(register: &Register) -> Scratch {
    let pg = matches!(&*register.connection().unwrap(), Db::Pg(_));
    if pg {
        Scratch::postgres(&std::env::var(POSTGRES_ENV).unwrap()).unwrap()
    } else {
        Scratch::sqlite().unwrap()
    }
}

fn all_entries(register: &Register) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = register
            .list(&Filter::default(), 1000, cursor.as_deref())
            .unwrap();
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn entry_count(register: &Register) -> i64 {
    register.list(&Filter::default(), 1, None).unwrap().total
}

/// Every entry by registry number: its record as flat JSON with references written as
/// registry numbers, its economic region and its version — everything but id and times.
fn snapshot(register: &Register) -> BTreeMap<String, Value> {
    let entries = all_entries(register);
    let numbers: BTreeMap<String, String> = entries
        .iter()
        .map(|e| (e.id.to_string(), e.registry_number().to_string()))
        .collect();
    entries
        .iter()
        .map(|e| {
            let mut v = e.record_json();
            for (field, reference, _) in e.record.details.references() {
                let n = numbers
                    .get(&reference.to_string())
                    .unwrap_or_else(|| panic!("{}: dangling {field}", e.registry_number()));
                v[field] = json!(n);
            }
            v["economic_region"] = json!(e.economic_region);
            v["version"] = json!(e.version);
            (e.registry_number().to_string(), v)
        })
        .collect()
}

fn assert_same(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "registry numbers differ"
    );
    for (number, value) in a {
        assert_eq!(value, &b[number], "{number} differs");
    }
}

/// The whole change feed, page by page.
fn feed(register: &Register) -> Vec<Revision> {
    let mut out: Vec<Revision> = Vec::new();
    loop {
        let since = out.last().map_or(0, |r| r.seq);
        let page = register.changes(since, 1000).unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// Asserts the feed is 1, 2, … N and returns N.
fn assert_gapless(register: &Register) -> i64 {
    let seqs: Vec<i64> = feed(register).iter().map(|r| r.seq).collect();
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "the change feed has a gap or a repeat");
    seqs.len() as i64
}

fn export(register: &Register, format: ExportFormat, kind: Option<Kind>) -> Vec<u8> {
    let mut out = Vec::new();
    let options = ExportOptions {
        format,
        filter: Filter {
            kind,
            ..Default::default()
        },
        personal_data: true,
        base_url: None,
    };
    register.export(&options, &mut out).unwrap();
    out
}

/// Error (field, code) pairs of a reported row, sorted.
fn row_errors(row: &RowReport) -> Vec<(String, Code)> {
    let mut pairs: Vec<_> = row
        .problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| (p.field.clone(), p.code))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

fn load_json_fixtures(register: &Register) -> ImportReport {
    let bytes = fixture_bytes("az-institutions.json");
    let report = load(register, &[("az-institutions.json", &bytes)], &options());
    assert_clean(&report, 58);
    report
}

/// MUS-000003 with four errors: an unknown region, a future founding year, a malformed phone
/// and more items on display than in the collection.
fn broken_museum(rows: &[Value]) -> Value {
    let mut m = rows
        .iter()
        .find(|r| r["registry_number"] == "MUS-000003")
        .unwrap()
        .clone();
    m["region"] = json!("AZ-XX");
    m["founded_year"] = json!(3000);
    m["contacts"] = json!({"phone": "12345"});
    m["items_on_display"] = json!(10_005);
    m
}

fn broken_museum_errors() -> Vec<(String, Code)> {
    vec![
        ("/contacts/phone".to_string(), Code::Format),
        ("/founded_year".to_string(), Code::FutureDate),
        ("/items_on_display".to_string(), Code::CrossField),
        ("/region".to_string(), Code::NotInVocabulary),
    ]
}

#[test]
fn every_fixture_file_loads_completely_and_alike() {
    each_backend(|register| {
        let from_json = load_json_fixtures(register);
        let expected = snapshot(register);
        assert_eq!(expected.len(), 58);
        assert!(expected.values().all(|v| v["version"] == json!(1)));
        let record = register
            .import_record(&from_json.import_id.unwrap().to_string())
            .unwrap();
        assert_eq!(
            (
                record.status.as_str(),
                record.mode.as_str(),
                record.atomic,
                record.created,
                record.rejected,
                record.actor.as_str()
            ),
            ("committed", "create", true, 58, 0, "clerk-ana")
        );

        // NDJSON.
        let nd = fresh_like(register);
        let bytes = fixture_bytes("az-institutions.ndjson");
        let report = load(
            nd.register(),
            &[("az-institutions.ndjson", &bytes)],
            &options(),
        );
        assert_clean(&report, 58);
        assert_same(&expected, &snapshot(nd.register()));

        // Every CSV file in one load: heritage objects come first and refer to reserves in a
        // later file.
        let csv = fresh_like(register);
        let files: Vec<(String, Vec<u8>)> = PER_KIND
            .iter()
            .map(|(k, _)| (csv_name(*k), fixture_bytes(&csv_name(*k))))
            .rev()
            .collect();
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let report = load(csv.register(), &named, &options());
        assert_clean(&report, 58);
        for (kind, count) in PER_KIND {
            let filter = Filter {
                kind: Some(kind),
                ..Default::default()
            };
            let total = csv.register().list(&filter, 1, None).unwrap().total;
            assert_eq!(total as u64, count, "{kind:?}");
        }
        assert_same(&expected, &snapshot(csv.register()));

        // Each CSV file on its own, as its own import: the per-kind counts.
        let each = fresh_like(register);
        for (kind, count) in PER_KIND {
            let name = csv_name(kind);
            let bytes = fixture_bytes(&name);
            let report = load(each.register(), &[(&name, &bytes)], &options());
            assert_clean(&report, count);
        }
        assert_eq!(each.register().imports().unwrap().len(), 6);
        assert_same(&expected, &snapshot(each.register()));
    });
}

/// Entries beyond the fixtures, with the fields the fixtures do not use: personal data,
/// locations, several alternative names in several languages, a boundary, a dating, ids.
fn rich_entries() -> Vec<Value> {
    vec![
        json!({
            "kind": "theatre",
            "registry_number": "THR-000101",
            "name": {"az": "Abdulla Şaiq adına Azərbaycan Dövlət Kukla Teatrı", "en": "Azerbaijan State Puppet Theatre", "ru": "Азербайджанский государственный театр кукол"},
            "alt_names": [{"az": "Kukla Teatrı", "en": "Puppet Theatre"}, {"ru": "Театр кукол имени Абдуллы Шаига"}],
            "region": "AZ-BA",
            "address": {"locality": "Bakı", "street": "Neftçilər prospekti 36", "postal_code": "AZ1010"},
            "location": {"lat": 40.3664, "lon": 49.8372},
            "external_ids": {"wikidata": "Q4161953"},
            "ownership": "state",
            "founded_year": 1931,
            "contacts": {"phone": "+994 12 492 64 25", "email": "info@kuklateatri.az", "website": "https://kuklateatri.az/"},
            "head": "Məmmədov Elçin",
            "theatre_type": "puppet",
            "seats": 210,
            "halls": 2
        }),
        json!({
            "kind": "reserve",
            "registry_number": "RSV-000101",
            "name": {"az": "Qobustan Dövlət Tarix-Bədii Qoruğu", "en": "Gobustan State Historical-Artistic Reserve"},
            "region": "AZ-BA",
            "location": {"lat": 40.1125, "lon": 49.3750},
            "ownership": "state",
            "founded_year": 1966,
            "reserve_type": "historical_artistic",
            "area_ha": 4400.5,
            "boundary": {"type": "Polygon", "coordinates": [[[49.30, 40.05], [49.45, 40.05], [49.45, 40.15], [49.30, 40.15], [49.30, 40.05]]]},
            "unesco_whs_id": 1076
        }),
        json!({
            "kind": "heritage_object",
            "registry_number": "HER-000101",
            "name": {"az": "Qobustan qayaüstü təsvirləri", "en": "Gobustan rock art"},
            "region": "AZ-BA",
            "location": {"lat": 40.1097, "lon": 49.3870},
            "category": "immovable",
            "monument_type": "archaeology",
            "significance": "world",
            "reserve_id": "RSV-000101",
            "condition": "satisfactory",
            "dating": {"from_year": -10000, "to_year": 1500, "label": "Upper Palaeolithic to the Middle Ages"}
        }),
    ]
}

#[test]
fn exports_load_back_into_an_empty_register() {
    each_backend(|register| {
        load_json_fixtures(register);
        let rich = ndjson(&rich_entries());
        assert_clean(&load(register, &[("rich.ndjson", &rich)], &options()), 3);
        let expected = snapshot(register);
        assert_eq!(expected.len(), 61);
        assert_eq!(expected["THR-000101"]["head"], json!("Məmmədov Elçin"));

        let nd = export(register, ExportFormat::Ndjson, None);
        assert_eq!(nd.iter().filter(|b| **b == b'\n').count(), 61);
        let back = fresh_like(register);
        assert_clean(
            &load(back.register(), &[("export.ndjson", &nd)], &options()),
            61,
        );
        assert_same(&expected, &snapshot(back.register()));

        // One CSV file per kind, all in one load.
        let files: Vec<(String, Vec<u8>)> = Kind::ALL
            .iter()
            .map(|k| {
                (
                    format!("export-{}.csv", k.as_str()),
                    export(register, ExportFormat::Csv, Some(*k)),
                )
            })
            .collect();
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let back = fresh_like(register);
        assert_clean(&load(back.register(), &named, &options()), 61);
        assert_same(&expected, &snapshot(back.register()));

        // Loaded back into the register they came from, as an upsert: nothing changed.
        let before = feed(register);
        for files in [vec![("export.ndjson", nd.as_slice())], named] {
            let report = load(register, &files, &upsert());
            assert_eq!(report.outcome, Outcome::Committed, "{:?}", report.rows);
            assert_eq!(counts(&report), (0, 0, 61, 0), "{:?}", report.rows);
        }
        assert_eq!(feed(register), before);
    });
}

#[test]
fn a_reference_to_an_entry_later_in_the_load_resolves() {
    each_backend(|register| {
        let mut tower = monument("RSV-000777");
        tower["registry_number"] = json!("HER-000777");
        let mut school = json!({
            "kind": "school",
            "registry_number": "SCH-000778",
            "name": {"az": "Bülbül adına Orta İxtisas Musiqi Məktəbi"},
            "region": "AZ-BA",
            "ownership": "state",
            "school_type": "secondary_special_music",
            "specialities": ["piano", "tar"],
            "capacity": 600,
            "parent_id": "SCH-000779"
        });
        let mut parent = school.clone();
        parent["registry_number"] = json!("SCH-000779");
        parent["name"] = json!({"az": "Üzeyir Hacıbəyli adına Bakı Musiqi Akademiyası"});
        parent.as_object_mut().unwrap().remove("parent_id");
        let mut icherisheher = reserve();
        icherisheher["registry_number"] = json!("RSV-000777");
        // The school refers to its parent two lines on; the monument to a reserve in a later file.
        school["founded_year"] = json!(1934);
        let first = ndjson(&[tower, school]);
        let second = ndjson(&[parent, icherisheher]);
        let report = load(
            register,
            &[("a.ndjson", &first), ("b.ndjson", &second)],
            &options(),
        );
        assert_clean(&report, 4);
        let tower = register.get("HER-000777").unwrap();
        let site = register.get("RSV-000777").unwrap();
        assert_eq!(tower.to_json()["reserve_id"], json!(site.id.to_string()));
        let school = register.get("SCH-000778").unwrap();
        let parent = register.get("SCH-000779").unwrap();
        assert_eq!(school.to_json()["parent_id"], json!(parent.id.to_string()));

        // A reference that never resolves is reported on its own line, and nothing is written.
        let mut orphan = monument("RSV-000999");
        orphan["registry_number"] = json!("HER-000780");
        let mut other = reserve();
        other["registry_number"] = json!("RSV-000780");
        let file = ndjson(&[orphan, other]);
        let before = assert_gapless(register);
        let report = load(register, &[("orphan.ndjson", &file)], &options());
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(counts(&report), (0, 0, 0, 1));
        assert_eq!(report.not_written, 1);
        assert_eq!(report.rows.len(), 1);
        let row = &report.rows[0];
        assert_eq!(
            (row.file.as_str(), row.line, row.registry_number.as_deref()),
            ("orphan.ndjson", 1, Some("HER-000780"))
        );
        assert_eq!(
            row_errors(row),
            vec![("/reserve_id".to_string(), Code::UnknownReference)]
        );
        assert_eq!(assert_gapless(register), before);
        assert!(matches!(
            register.get("RSV-000780"),
            Err(RegisterError::NotFound(_))
        ));
    });
}

#[test]
fn an_atomic_load_with_one_bad_row_writes_nothing_and_continue_keeps_the_good_rows() {
    each_backend(|register| {
        let theatres = fixture_bytes("csv/theatre.csv");
        assert_clean(
            &load(register, &[("theatre.csv", &theatres)], &options()),
            12,
        );
        // The other 46 fixtures, MUS-000003 broken.
        let mut rows: Vec<Value> = fixture_rows()
            .into_iter()
            .filter(|r| r["kind"] != "theatre")
            .collect();
        let at = rows
            .iter()
            .position(|r| r["registry_number"] == "MUS-000003")
            .unwrap();
        rows[at] = broken_museum(&rows);
        let file = ndjson(&rows);
        let line = at as u64 + 1;

        let entries_before = entry_count(register);
        let feed_before = feed(register);
        let imports_before = register.imports().unwrap();
        let snapshot_before = snapshot(register);

        let report = load(register, &[("rest.ndjson", &file)], &options());
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(counts(&report), (0, 0, 0, 1));
        assert_eq!(report.not_written, 45);
        assert_eq!(report.rows.len(), 1);
        let row = &report.rows[0];
        assert_eq!(
            (row.file.as_str(), row.line, row.registry_number.as_deref()),
            ("rest.ndjson", line, Some("MUS-000003"))
        );
        assert_eq!(row_errors(row), broken_museum_errors());
        // Nothing written.
        assert_eq!(entry_count(register), entries_before);
        assert_eq!(feed(register), feed_before);
        assert_same(&snapshot_before, &snapshot(register));
        // The refused load is on record.
        let imports = register.imports().unwrap();
        assert_eq!(imports.len(), imports_before.len() + 1);
        let refused = &imports[0];
        assert_eq!(
            Some(refused.id.clone()),
            report.import_id.map(|i| i.to_string())
        );
        assert_eq!(
            (
                refused.status.as_str(),
                refused.atomic,
                refused.rejected,
                refused.files.as_str()
            ),
            ("rejected", true, 1, "[\"rest.ndjson\"]")
        );
        assert!(matches!(
            register.undo_import(&refused.id, &admin()),
            Err(RegisterError::NotUndoable(_))
        ));

        // --continue: the 45 good rows are stored, the bad one reported the same way.
        let report = load(register, &[("rest.ndjson", &file)], &continuing());
        assert_eq!(report.outcome, Outcome::Committed);
        assert_eq!(counts(&report), (45, 0, 0, 1));
        assert_eq!(report.rows.len(), 1);
        assert_eq!(report.rows[0].line, line);
        assert_eq!(row_errors(&report.rows[0]), broken_museum_errors());
        assert_eq!(entry_count(register), entries_before + 45);
        let feed_after = feed(register);
        assert_eq!(feed_after.len(), feed_before.len() + 45);
        let id = report.import_id.unwrap().to_string();
        assert!(feed_after[feed_before.len()..]
            .iter()
            .all(
                |r| r.import_id.as_deref() == Some(id.as_str()) && r.operation == Operation::Create
            ));
        assert!(matches!(
            register.get("MUS-000003"),
            Err(RegisterError::NotFound(_))
        ));
        let record = register.import_record(&id).unwrap();
        assert_eq!(
            (
                record.status.as_str(),
                record.atomic,
                record.created,
                record.rejected
            ),
            ("committed", false, 45, 1)
        );
        assert_gapless(register);
    });
}

#[test]
fn create_mode_refuses_an_existing_registry_number() {
    each_backend(|register| {
        load_json_fixtures(register);
        let rows = fixture_rows();
        let existing = rows
            .iter()
            .find(|r| r["registry_number"] == "THR-000002")
            .unwrap()
            .clone();
        let file = ndjson(&[theatre(), existing]);
        let before = feed(register);
        let report = load(register, &[("again.ndjson", &file)], &options());
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(counts(&report), (0, 0, 0, 1));
        assert_eq!(report.not_written, 1);
        let row = &report.rows[0];
        assert_eq!(
            (row.file.as_str(), row.line, row.registry_number.as_deref()),
            ("again.ndjson", 2, Some("THR-000002"))
        );
        assert_eq!(
            row_errors(row),
            vec![("/registry_number".to_string(), Code::Duplicate)]
        );
        assert_eq!(feed(register), before);
        assert_eq!(entry_count(register), 58);
    });
}

#[test]
fn upsert_updates_changed_rows_and_leaves_unchanged_ones_alone() {
    each_backend(|register| {
        load_json_fixtures(register);
        let before = feed(register);
        let mut rows = fixture_rows();
        for r in rows.iter_mut() {
            if r["registry_number"] == "THR-000001" {
                r["seats"] = json!(650);
            }
            if r["registry_number"] == "HER-000002" {
                r["condition"] = json!("good");
            }
        }
        rows.push(theatre());
        let file = ndjson(&rows);
        let report = load(register, &[("upsert.ndjson", &file)], &upsert());
        assert_eq!(report.outcome, Outcome::Committed, "{:?}", report.rows);
        assert_eq!(counts(&report), (1, 2, 56, 0));
        let id = report.import_id.unwrap().to_string();
        let record = register.import_record(&id).unwrap();
        assert_eq!(
            (
                record.mode.as_str(),
                record.created,
                record.updated,
                record.unchanged
            ),
            ("upsert", 1, 2, 56)
        );

        // Exactly three new revisions, all of this import.
        let after = feed(register);
        assert_eq!(after.len(), before.len() + 3);
        let new: Vec<_> = after[before.len()..]
            .iter()
            .map(|r| {
                (
                    r.entry.registry_number().to_string(),
                    r.operation,
                    r.version,
                    r.import_id.clone(),
                )
            })
            .collect();
        let mut numbers: Vec<_> = new.iter().map(|n| n.0.clone()).collect();
        numbers.sort();
        assert_eq!(numbers, vec!["HER-000002", "THR-000001", "THR-000013"]);
        assert!(new.iter().all(|n| n.3.as_deref() == Some(id.as_str())));
        let tower = register.get("THR-000001").unwrap();
        assert_eq!(
            (tower.version, tower.to_json()["seats"].clone()),
            (2, json!(650))
        );
        let history = register.history("THR-000001").unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            (history[1].operation, history[1].import_id.as_deref()),
            (Operation::Update, Some(id.as_str()))
        );
        let mosque = register.get("HER-000002").unwrap();
        assert_eq!(mosque.version, 2);
        // The reference given as a registry number still names the reserve.
        assert_eq!(
            mosque.to_json()["reserve_id"],
            json!(register.get("RSV-000001").unwrap().id.to_string())
        );
        // Unchanged rows: version 1, one revision.
        let same = register.get("HER-000001").unwrap();
        assert_eq!(same.version, 1);
        assert_eq!(register.history("HER-000001").unwrap().len(), 1);

        // An atomic upsert with one bad row changes nothing, not even the good rows.
        let mut rows = fixture_rows();
        rows[0]["seats"] = json!(700);
        rows[1]["seats"] = json!(0);
        let before = feed(register);
        let report = load(register, &[("bad.ndjson", &ndjson(&rows))], &upsert());
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(counts(&report), (0, 0, 0, 1));
        // Nothing was written: 2 rows would have updated, 55 were equal.
        assert_eq!(report.not_written, 57);
        assert_eq!(
            (
                report.rows[0].line,
                report.rows[0].registry_number.as_deref()
            ),
            (2, Some("THR-000002"))
        );
        assert_eq!(
            row_errors(&report.rows[0]),
            vec![("/seats".to_string(), Code::OutOfRange)]
        );
        assert_eq!(feed(register), before);
        assert_eq!(register.get("THR-000001").unwrap().version, 2);

        // The register's own export, loaded back as an upsert: every row is unchanged.
        let nd = export(register, ExportFormat::Ndjson, None);
        let before = feed(register);
        let report = load(register, &[("export.ndjson", &nd)], &upsert());
        assert_eq!(counts(&report), (0, 0, 59, 0), "{:?}", report.rows);
        assert_eq!(feed(register), before);
    });
}

#[test]
fn a_dry_run_writes_nothing_and_records_no_import() {
    each_backend(|register| {
        let theatres = fixture_bytes("csv/theatre.csv");
        assert_clean(
            &load(register, &[("theatre.csv", &theatres)], &options()),
            12,
        );
        let feed_before = feed(register);
        let imports_before = register.imports().unwrap();
        let dry = Options {
            dry_run: true,
            ..options()
        };
        let all = fixture_bytes("az-institutions.ndjson");
        let report = load(register, &[("all.ndjson", &all)], &dry);
        assert_eq!(report.outcome, Outcome::DryRun);
        assert_eq!(report.import_id, None);
        // The twelve theatres are taken already.
        assert_eq!(counts(&report), (46, 0, 0, 12));
        assert!(report
            .rows
            .iter()
            .all(|r| row_errors(r) == vec![("/registry_number".to_string(), Code::Duplicate)]));

        let mut rows = fixture_rows();
        rows.retain(|r| r["kind"] != "theatre");
        let at = rows
            .iter()
            .position(|r| r["registry_number"] == "MUS-000003")
            .unwrap();
        rows[at] = broken_museum(&rows);
        let file = ndjson(&rows);
        for mode in [Mode::Create, Mode::Upsert] {
            for atomic in [true, false] {
                let o = Options {
                    mode,
                    atomic,
                    ..dry.clone()
                };
                let report = load(register, &[("rest.ndjson", &file)], &o);
                assert_eq!(report.outcome, Outcome::DryRun);
                assert_eq!(report.import_id, None);
                assert_eq!(counts(&report), (45, 0, 0, 1));
                assert_eq!(row_errors(&report.rows[0]), broken_museum_errors());
            }
        }
        assert_eq!(feed(register), feed_before);
        assert_eq!(register.imports().unwrap(), imports_before);
        assert_eq!(entry_count(register), 12);
    });
}

#[test]
fn undo_deletes_created_entries_and_restores_updated_ones() {
    each_backend(|register| {
        load_json_fixtures(register);
        let at_first = snapshot(register);
        let mut rows = fixture_rows();
        for r in rows.iter_mut() {
            if r["registry_number"] == "THR-000001" {
                r["seats"] = json!(650);
                r["name"]["ru"] =
                    json!("Азербайджанский государственный академический театр оперы и балета");
            }
        }
        let mut tower = monument("RSV-000001");
        tower["registry_number"] = json!("HER-000100");
        rows.push(tower);
        rows.push(theatre());
        let file = ndjson(&rows);
        let report = load(register, &[("upsert.ndjson", &file)], &upsert());
        assert_eq!(counts(&report), (2, 1, 57, 0), "{:?}", report.rows);
        let id = report.import_id.unwrap().to_string();
        let created_theatre = register.get("THR-000013").unwrap();
        let before_undo = assert_gapless(register);

        let undone = register.undo_import(&id, &admin()).unwrap();
        assert_eq!(undone.id, id);
        assert_eq!(undone.status, "undone");
        assert_eq!(undone.undone_by.as_deref(), Some("admin-elvin"));
        assert!(undone.undone_at.is_some());
        assert_eq!(register.import_record(&id).unwrap(), undone);

        // Three revisions: two deletes, one update back.
        assert_eq!(assert_gapless(register), before_undo + 3);
        let now = snapshot(register);
        assert_eq!(now.len(), 58);
        let mut expected = at_first.clone();
        expected.get_mut("THR-000001").unwrap()["version"] = json!(3);
        assert_same(&expected, &now);
        for gone in ["HER-000100", "THR-000013"] {
            assert!(matches!(
                register.get(gone),
                Err(RegisterError::NotFound(_))
            ));
        }
        // History keeps everything.
        let kept = register.history(&created_theatre.id.to_string()).unwrap();
        let ops: Vec<_> = kept.iter().map(|r| (r.operation, r.version)).collect();
        assert_eq!(ops, vec![(Operation::Create, 1), (Operation::Delete, 2)]);
        assert_eq!(kept[1].actor, "admin-elvin");
        let history = register.history("THR-000001").unwrap();
        let summary: Vec<_> = history
            .iter()
            .map(|r| (r.operation, r.version, r.entry.to_json()["seats"].clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Operation::Create, 1, json!(600)),
                (Operation::Update, 2, json!(650)),
                (Operation::Update, 3, json!(600)),
            ]
        );
        assert_eq!(history[1].import_id.as_deref(), Some(id.as_str()));
        assert!(history[2]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains(&id)));

        // Twice: refused, and nothing changes.
        assert!(matches!(
            register.undo_import(&id, &admin()),
            Err(RegisterError::NotUndoable(_))
        ));
        assert_eq!(assert_gapless(register), before_undo + 3);
        assert!(matches!(
            register.undo_import("01900000-0000-7000-8000-000000000000", &admin()),
            Err(RegisterError::NotFound(_))
        ));
    });
}

#[test]
fn undo_is_refused_while_entries_of_the_import_changed_since() {
    each_backend(|register| {
        let report = load_json_fixtures(register);
        let id = report.import_id.unwrap().to_string();
        register
            .patch("THR-000002", &json!({"seats": 700}), &clerk())
            .unwrap();
        register
            .set_status(
                "MUS-000006",
                ucr_core::Status::Suspended,
                None,
                &clerk().because("renovation"),
            )
            .unwrap();
        // An entry outside the import does not matter.
        register.create(theatre(), &clerk()).unwrap();
        let before = snapshot(register);
        let feed_before = assert_gapless(register);

        match register.undo_import(&id, &admin()) {
            Err(RegisterError::ChangedSince { entries }) => {
                let mut entries = entries;
                entries.sort();
                assert_eq!(entries, vec!["MUS-000006", "THR-000002"]);
            }
            other => panic!("expected ChangedSince, got {other:?}"),
        }
        assert_eq!(assert_gapless(register), feed_before);
        assert_same(&before, &snapshot(register));
        assert_eq!(register.import_record(&id).unwrap().status, "committed");

        // A load whose entries nobody touched since undoes fine, then only once.
        let rich = ndjson(&rich_entries());
        let second = load(register, &[("rich.ndjson", &rich)], &options());
        let second = second.import_id.unwrap().to_string();
        register.undo_import(&second, &admin()).unwrap();
        assert_eq!(entry_count(register), 59);
        assert!(matches!(
            register.undo_import(&second, &admin()),
            Err(RegisterError::NotUndoable(_))
        ));
        assert_eq!(assert_gapless(register), feed_before + 6);
    });
}

#[test]
fn the_change_feed_stays_gapless_across_loads_rejections_and_undo() {
    each_backend(|register| {
        let mut first = museum();
        first["registry_number"] = json!("MUS-000500");
        register.create(first, &clerk()).unwrap();
        assert_eq!(assert_gapless(register), 1);
        load_json_fixtures(register);
        assert_eq!(assert_gapless(register), 59);

        // A rejected atomic load takes no number.
        let mut rows = rich_entries();
        let mut bad = theatre();
        bad["seats"] = json!(0);
        rows.insert(1, bad);
        let file = ndjson(&rows);
        let report = load(register, &[("mixed.ndjson", &file)], &options());
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(report.rows[0].line, 2);
        assert_eq!(
            row_errors(&report.rows[0]),
            vec![("/seats".to_string(), Code::OutOfRange)]
        );
        assert_eq!(assert_gapless(register), 59);
        // A dry run neither.
        let dry = Options {
            dry_run: true,
            ..options()
        };
        load(register, &[("mixed.ndjson", &file)], &dry);
        assert_eq!(assert_gapless(register), 59);
        // The next single write follows on.
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        assert_eq!(assert_gapless(register), 60);
        assert_eq!(register.history(&t.id.to_string()).unwrap()[0].seq, 60);
        // A continue load with the same bad row: three numbers.
        let kept = load(register, &[("mixed.ndjson", &file)], &continuing());
        assert_eq!(counts(&kept), (3, 0, 0, 1));
        assert_eq!(assert_gapless(register), 63);
        // An upsert of one change, then its undo, then the continue load's undo.
        let mut changed = rich_entries();
        changed[0]["seats"] = json!(215);
        let up = load(register, &[("up.ndjson", &ndjson(&changed))], &upsert());
        assert_eq!(counts(&up), (0, 1, 2, 0));
        assert_eq!(assert_gapless(register), 64);
        register
            .undo_import(&up.import_id.unwrap().to_string(), &admin())
            .unwrap();
        assert_eq!(assert_gapless(register), 65);
        // THR-000101 changed since the continue load (updated, then restored).
        assert!(matches!(
            register.undo_import(&kept.import_id.unwrap().to_string(), &admin()),
            Err(RegisterError::ChangedSince { .. })
        ));
        assert_eq!(assert_gapless(register), 65);
        let seqs: Vec<i64> = feed(register).iter().map(|r| r.seq).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
    });
}

#[test]
fn undo_names_an_entry_deleted_since_by_its_registry_number() {
    each_backend(|register| {
        let theatres = fixture_bytes("csv/theatre.csv");
        let report = load(register, &[("theatre.csv", &theatres)], &options());
        let id = report.import_id.unwrap().to_string();
        register.delete("THR-000007", &admin()).unwrap();
        register
            .patch("THR-000008", &json!({"seats": 350}), &clerk())
            .unwrap();
        match register.undo_import(&id, &admin()) {
            Err(RegisterError::ChangedSince { entries }) => {
                let mut entries = entries;
                entries.sort();
                assert_eq!(entries, vec!["THR-000007", "THR-000008"]);
            }
            other => panic!("expected ChangedSince, got {other:?}"),
        }
    });
}

#[test]
fn undo_is_refused_while_a_later_entry_refers_to_one_the_import_created() {
    each_backend(|register| {
        let reserves = fixture_bytes("csv/reserve.csv");
        let report = load(register, &[("reserve.csv", &reserves)], &options());
        let id = report.import_id.unwrap().to_string();
        let tower = register.create(monument("RSV-000004"), &clerk()).unwrap();
        let before = snapshot(register);
        let feed_before = assert_gapless(register);
        match register.undo_import(&id, &admin()) {
            Err(RegisterError::Referenced { referrers }) => {
                assert_eq!(referrers, vec![tower.entry.registry_number().to_string()]);
            }
            other => panic!("expected Referenced, got {other:?}"),
        }
        assert_same(&before, &snapshot(register));
        assert_eq!(assert_gapless(register), feed_before);
        assert_eq!(register.import_record(&id).unwrap().status, "committed");
    });
}

#[test]
fn a_reader_of_the_change_feed_skips_no_number_while_a_load_and_single_writes_run() {
    use std::sync::atomic::{AtomicBool, Ordering};
    each_backend(|register| {
        let rows: Vec<Value> = (0..400).map(|n| ucr_core::synthetic::entry(n, 7)).collect();
        let file = ndjson(&rows);
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut seen: Vec<i64> = Vec::new();
                loop {
                    let finished = done.load(Ordering::SeqCst);
                    let since = seen.last().copied().unwrap_or(0);
                    seen.extend(register.changes(since, 1000).unwrap().iter().map(|r| r.seq));
                    if finished {
                        return seen;
                    }
                }
            });
            let writer = s.spawn(|| {
                for _ in 0..10 {
                    register.create(theatre(), &clerk()).unwrap();
                }
            });
            let report = load(register, &[("synthetic.ndjson", &file)], &options());
            writer.join().unwrap();
            done.store(true, Ordering::SeqCst);
            let seen = reader.join().unwrap();
            assert_clean(&report, 400);
            let expected: Vec<i64> = (1..=410).collect();
            assert_eq!(seen, expected, "the reader saw a gap or a repeat");
            // The load's revisions are one unbroken run.
            let id = report.import_id.unwrap().to_string();
            let own: Vec<i64> = feed(register)
                .iter()
                .filter(|r| r.import_id.as_deref() == Some(id.as_str()))
                .map(|r| r.seq)
                .collect();
            assert_eq!(own.len(), 400);
            assert!(own.windows(2).all(|w| w[1] == w[0] + 1));
        });
    });
}

/// A quote inside an unquoted CSV field is an ordinary character (as for the CSV reader):
/// every row after it is read, also more than the largest entry (1 MiB) further on, and each
/// is reported at its own line.
#[test]
fn a_quote_inside_an_unquoted_csv_field_is_a_character() {
    each_backend(|register| {
        let mut file = String::from(
            "kind,name.az,name.en,region,ownership,theatre_type\n\
             theatre,Kiçik 5\" səhnə teatrı,,AZ-SA,state,drama\n\
             theatre,\"Gənc \"\"Tamaşaçı\"\" teatrı\",,AZ-BA,state,drama\n\
             theatre,Yol teatrı,,AZ-XX,state,drama\n",
        );
        // 4 000 more rows of about 300 bytes: past 1 MiB after the quote.
        let long = "Small stage of the district house of culture ".repeat(5);
        for i in 0..4000 {
            file.push_str(&format!(
                "theatre,Dağ teatrı {i},{long}{i},AZ-GA,state,drama\n"
            ));
        }
        assert!(file.len() > 1 << 20);
        let report = load(
            register,
            &[("theatres.csv", file.as_bytes())],
            &continuing(),
        );
        assert_eq!(counts(&report), (4002, 0, 0, 1), "{:?}", report.rows);
        assert_eq!(report.rows.len(), 1);
        assert_eq!(report.rows[0].line, 4, "{:?}", report.rows);
        let names: Vec<String> = register
            .list(&Default::default(), 3, None)
            .unwrap()
            .items
            .iter()
            .filter_map(|e| e.record.name.az.clone())
            .collect();
        assert_eq!(
            names,
            [
                "Kiçik 5\" səhnə teatrı",
                "Gənc \"Tamaşaçı\" teatrı",
                "Dağ teatrı 0"
            ]
        );
        let last = register
            .list(&Default::default(), 1000, None)
            .unwrap()
            .total;
        assert_eq!(last, 4002);
    });
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Definition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

/// Every index and trigger of the register's tables, as the database defines them.
fn definitions(register: &Register) -> Vec<Definition> {
    use diesel::RunQueryDsl;
    let mut conn = register.connection().unwrap();
    let query = match &*conn {
        Db::Sqlite(_) => {
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') \
             AND sql IS NOT NULL ORDER BY name"
        }
        Db::Pg(_) => {
            "SELECT indexname::text AS name, indexdef AS sql FROM pg_indexes \
             WHERE schemaname = current_schema() ORDER BY indexname"
        }
    };
    diesel::sql_query(query).load(&mut *conn).unwrap()
}

/// Names of the entries a search of `words` finds (through the database's own indexes:
/// these registers keep no search index in memory).
fn found(register: &Register, words: &str) -> Vec<String> {
    let search = Search {
        q: Some(words.to_string()),
        limit: 100,
        ..Default::default()
    };
    let mut names: Vec<String> = register
        .search(&search)
        .unwrap()
        .unwrap()
        .items
        .iter()
        .map(|e| e.registry_number().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_load_into_an_empty_register_builds_its_indexes_once_and_leaves_them_as_defined() {
    each_backend(|register| {
        let defined = definitions(register);
        // 11 secondary indexes on SQLite (+ 3 triggers and 2 unique), 12 on PostgreSQL
        // (the full-text GIN index among them): all are there to be set aside.
        assert!(defined.len() >= 14, "{defined:?}");
        let mut rows = fixture_rows();
        // One real theatre is kept back for a second load.
        let last = rows.iter().rposition(|r| r["kind"] == "theatre").unwrap();
        let kept_back = rows.remove(last);
        let at = rows
            .iter()
            .position(|r| r["registry_number"] == "MUS-000003")
            .unwrap();
        let good = ndjson(&rows);
        rows[at] = broken_museum(&rows);
        let bad = ndjson(&rows);

        // Loads that write nothing get every index back with the rows they never wrote.
        let dry = Options {
            dry_run: true,
            ..options()
        };
        assert_eq!(
            counts(&load(register, &[("a.ndjson", &good)], &dry)),
            (57, 0, 0, 0)
        );
        assert_eq!(definitions(register), defined);
        let refused = load(register, &[("a.ndjson", &bad)], &options());
        assert_eq!(refused.outcome, Outcome::Rejected);
        assert_eq!(definitions(register), defined);
        assert_eq!(entry_count(register), 0);

        // A load that commits into the empty register builds them from its rows.
        assert_clean(&load(register, &[("a.ndjson", &good)], &options()), 57);
        assert_eq!(definitions(register), defined);
        // Eleven theatres and the museum of theatre history.
        let mut theatres: Vec<String> = (1..=11).map(|i| format!("THR-{i:06}")).collect();
        theatres.insert(0, "MUS-000006".to_string());
        assert_eq!(found(register, "teatr"), theatres);
        assert_eq!(found(register, "Şəki"), found(register, "SHEKI"));
        assert!(!found(register, "Şəki").is_empty());

        // The next load, into a register that holds entries, keeps them in step row by row.
        let more = ndjson(std::slice::from_ref(&kept_back));
        assert_clean(&load(register, &[("b.ndjson", &more)], &options()), 1);
        assert_eq!(definitions(register), defined);
        theatres.push(kept_back["registry_number"].as_str().unwrap().to_string());
        assert_eq!(found(register, "teatr"), theatres);
        let name = kept_back["name"]["az"].as_str().unwrap();
        let number = kept_back["registry_number"].as_str().unwrap();
        assert!(found(register, name).contains(&number.to_string()));

        if let Db::Sqlite(c) = &mut *register.connection().unwrap() {
            use diesel::connection::SimpleConnection;
            c.batch_execute(
                "INSERT INTO entry_search(entry_search, rank) VALUES ('integrity-check', 1)",
            )
            .unwrap();
        }
    });
}

/// The `n`th synthetic entry of the set the large-undo test uses.
fn synthetic(n: u64) -> Value {
    ucr_core::synthetic::entry(n, 11)
}

fn synthetic_number(n: u64) -> String {
    synthetic(n)["registry_number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Synthetic entries `from..to`, each with its English name changed.
fn renamed(from: u64, to: u64, name: &str) -> Vec<Value> {
    (from..to)
        .map(|n| {
            let mut v = synthetic(n);
            v["name"]["en"] = json!(format!("{name} {n}"));
            v
        })
        .collect()
}

#[test]
fn undo_of_a_large_import_names_exactly_the_entries_changed_since_or_restores_everything() {
    each_backend(|register| {
        // The register before: 800 entries of one load.
        let first: Vec<Value> = (0..800).map(synthetic).collect();
        let report = load(register, &[("first.ndjson", &ndjson(&first))], &options());
        assert_clean(&report, 800);

        // A large upsert: 600 of them changed, 2 400 new ones (museums and objects that refer
        // to them among them).
        let mut rows = renamed(0, 600, "Renamed");
        rows.extend((800..3200).map(synthetic));
        let big = load(register, &[("big.ndjson", &ndjson(&rows))], &upsert());
        assert_eq!(counts(&big), (2400, 600, 0, 0), "{:?}", big.rows);
        let big = big.import_id.unwrap().to_string();

        // Changed since: two it updated, three it created (one of them deleted).
        register
            .patch(
                &synthetic_number(300),
                &json!({"founded_year": 1950}),
                &clerk(),
            )
            .unwrap();
        register
            .set_status(
                &synthetic_number(10),
                ucr_core::Status::Suspended,
                None,
                &clerk(),
            )
            .unwrap();
        for n in [2900, 1000] {
            register
                .patch(&synthetic_number(n), &json!({"region": "AZ-SA"}), &clerk())
                .unwrap();
        }
        register.delete(&synthetic_number(1600), &admin()).unwrap();
        let before = snapshot(register);
        let feed_before = assert_gapless(register);
        match register.undo_import(&big, &admin()) {
            // In the order the import wrote them (the file's).
            Err(RegisterError::ChangedSince { entries }) => assert_eq!(
                entries,
                [10, 300, 1000, 1600, 2900].map(synthetic_number).to_vec()
            ),
            other => panic!("expected ChangedSince, got {other:?}"),
        }
        assert_eq!(assert_gapless(register), feed_before);
        assert_same(&before, &snapshot(register));
        assert_eq!(register.import_record(&big).unwrap().status, "committed");

        // A fresh large upsert: 200 entries of the first load changed, 2 000 new ones.
        let mut rows = renamed(600, 800, "Changed");
        rows.extend((3200..5200).map(synthetic));
        let fresh = load(register, &[("fresh.ndjson", &ndjson(&rows))], &upsert());
        assert_eq!(counts(&fresh), (2000, 200, 0, 0), "{:?}", fresh.rows);
        let fresh = fresh.import_id.unwrap().to_string();
        let loaded = snapshot(register);
        let feed_loaded = assert_gapless(register);

        // A later object that refers to a museum the load created refuses the undo, which
        // leaves everything as it was.
        let museum = synthetic_number(4003);
        let mut object = synthetic(4007);
        object["registry_number"] = json!("HER-09000001");
        object["museum_id"] = json!(museum);
        object["inventory_number"] = json!("later-1");
        register.create(object, &clerk()).unwrap();
        let with_object = snapshot(register);
        match register.undo_import(&fresh, &admin()) {
            Err(RegisterError::Referenced { referrers }) => {
                assert_eq!(referrers, vec!["HER-09000001".to_string()]);
            }
            other => panic!("expected Referenced, got {other:?}"),
        }
        assert_same(&with_object, &snapshot(register));
        assert_eq!(assert_gapless(register), feed_loaded + 1);
        register.delete("HER-09000001", &admin()).unwrap();
        assert_same(&loaded, &snapshot(register));

        // Undone: the register as before the load, but for the versions of the entries it
        // changed (two more: the change and its undo).
        let undone = register.undo_import(&fresh, &admin()).unwrap();
        assert_eq!(undone.status, "undone");
        assert_eq!(assert_gapless(register), feed_loaded + 2 + 2200);
        let now = snapshot(register);
        assert_eq!(now.len(), before.len());
        assert_eq!(entry_count(register), before.len() as i64);
        let mut expected = before.clone();
        for n in 600..800 {
            let e = expected.get_mut(&synthetic_number(n)).unwrap();
            e["version"] = json!(e["version"].as_i64().unwrap() + 2);
        }
        assert_same(&expected, &now);
        for n in [600, 799] {
            let history = register.history(&synthetic_number(n)).unwrap();
            let last = history.last().unwrap();
            assert_eq!(last.operation, Operation::Update);
            assert_eq!(last.actor, "admin-elvin");
            assert_eq!(last.reason, Some(format!("undo of import {fresh}")));
            assert_eq!(last.import_id, None);
            assert_eq!(last.entry.record, history[0].entry.record);
        }
        for n in [3200, 4003, 4007, 5199] {
            let number = synthetic_number(n);
            assert!(matches!(
                register.get(&number),
                Err(RegisterError::NotFound(_))
            ));
            let history = register.history(&number).unwrap();
            let ops: Vec<_> = history.iter().map(|r| (r.operation, r.version)).collect();
            assert_eq!(ops, vec![(Operation::Create, 1), (Operation::Delete, 2)]);
            assert_eq!(history[1].reason, Some(format!("undo of import {fresh}")));
            assert_eq!(history[1].import_id, None);
        }
    });
}

/// PostgreSQL refuses a NUL character in any text it is sent, SQLite takes it: a NUL in a
/// reference, a registry number, an ISIL or an inventory number of a loaded row is that row's
/// error on both backends, never a database error of the load.
#[test]
fn nul_characters_in_keys_are_errors_of_their_rows() {
    each_backend(|register| {
        load_json_fixtures(register);
        let rows = fixture_rows();
        let of = |number: &str| -> Value {
            let mut r = rows
                .iter()
                .find(|r| r["registry_number"] == number)
                .unwrap()
                .clone();
            r.as_object_mut().unwrap().remove("registry_number");
            r
        };
        let mut school = of("SCH-000001");
        school["parent_id"] = json!("SCH-0000\u{0}5");
        let mut monument = of("HER-000001");
        monument["reserve_id"] = json!("RSV-0000\u{0}1");
        let mut numbered = of("HER-000003");
        numbered["inventory_number"] = json!("4\u{0}1");
        let mut library = of("LIB-000001");
        library["isil"] = json!("AZ-\u{0}1");
        let mut numbered_entry = of("HER-000006");
        numbered_entry["registry_number"] = json!("HER-0000\u{0}9");
        let file = ndjson(&[school, monument, numbered, library, numbered_entry]);
        for options in [continuing(), options(), upsert()] {
            let before = snapshot(register);
            let report = load(register, &[("nul.ndjson", &file)], &options);
            assert_eq!(report.rejected, 5, "{:?}", report.rows);
            let mut errors: Vec<(u64, Vec<(String, Code)>)> = report
                .rows
                .iter()
                .map(|r| (r.line, row_errors(r)))
                .collect();
            errors.sort();
            let one = |field: &str, code| vec![(field.to_string(), code)];
            assert_eq!(
                errors,
                vec![
                    (1, one("/parent_id", Code::UnknownReference)),
                    (2, one("/reserve_id", Code::UnknownReference)),
                    (3, one("/inventory_number", Code::Format)),
                    (4, one("/isil", Code::Format)),
                    (5, one("/registry_number", Code::Format)),
                ],
                "{:?}",
                report.rows
            );
            assert_same(&before, &snapshot(register));
        }
    });
}

#[test]
fn an_upsert_matches_a_heritage_object_on_its_inventory_number() {
    for scratch in Scratch::all().unwrap() {
        let register = scratch.register();
        // Azıx mağarası: number 1 of the state list of world-significance archaeology.
        let row = fixture_rows()
            .into_iter()
            .find(|r| r["registry_number"] == "HER-000006")
            .unwrap();
        assert_eq!(row["inventory_number"], "1");
        let first = load(
            register,
            &[("one.ndjson", &ndjson(std::slice::from_ref(&row)))],
            &options(),
        );
        assert_clean(&first, 1);
        // The list again as the state list keeps it: no registry number, another English name.
        let mut again = row.clone();
        again.as_object_mut().unwrap().remove("registry_number");
        again["name"]["en"] = json!("Azykh cave");
        let by_inventory = Options {
            match_on: ucr_core::bulk::MatchKey::InventoryNumber,
            ..upsert()
        };
        let report = load(
            register,
            &[("again.ndjson", &ndjson(&[again.clone()]))],
            &by_inventory,
        );
        assert_eq!(counts(&report), (0, 1, 0, 0), "{:?}", report.rows);
        let stored = register.get("HER-000006").unwrap();
        assert_eq!(stored.record.name.en.as_deref(), Some("Azykh cave"));
        assert_eq!(stored.version, 2);
        // By registry number the same row has none to match: it would be a new entry, which
        // its inventory number, taken, refuses.
        let report = load(register, &[("again.ndjson", &ndjson(&[again]))], &upsert());
        assert_eq!(counts(&report), (0, 0, 0, 1), "{:?}", report.rows);
        assert!(
            report.rows[0]
                .problems
                .iter()
                .any(|p| p.is_error() && p.code == ucr_core::Code::Duplicate),
            "{:?}",
            report.rows
        );
    }
}

#[test]
fn a_load_into_an_empty_register_finds_possible_duplicates_of_rows_written_chunks_before() {
    each_backend(|register| {
        let defined = definitions(register);
        // A full chunk of rows with registry numbers (the real fixtures, then synthetic
        // entries): the index of name keys is not kept for them. Then a real theatre again,
        // without its number, as a list loaded twice would give it.
        let mut rows = fixture_rows();
        let theatre = rows
            .iter()
            .find(|r| r["kind"] == "theatre")
            .unwrap()
            .clone();
        rows.extend((0..1000).map(synthetic));
        let mut again = theatre.clone();
        again.as_object_mut().unwrap().remove("registry_number");
        rows.push(again);
        let report = load(register, &[("a.ndjson", &ndjson(&rows))], &options());
        assert_eq!(counts(&report), (1059, 0, 0, 0));
        let warned: Vec<(u64, String)> = report
            .accepted
            .iter()
            .flat_map(|r| {
                r.problems
                    .iter()
                    .filter(|p| p.code == Code::PossibleDuplicate)
                    .map(move |p| (r.line, p.message.clone()))
            })
            .collect();
        let number = theatre["registry_number"].as_str().unwrap();
        assert_eq!(
            warned,
            vec![(
                1059,
                format!(
                    "{number} has the same kind, region and name: this may be the same entry \
                     (give its registry number to update it)"
                )
            )]
        );
        // Every index is back as defined.
        assert_eq!(definitions(register), defined);
    });
}

//! The single window over real HTTP: search (the Azerbaijani spelling traps, every filter,
//! facets, ranking, cursor pages that hold while entries are added, bad parameters), the
//! change feed (gapless, complete, and enough to mirror the register), statistics, and what
//! anonymous callers see.
//!
//! Expected results come from the fixture file and the entries added here, never from the
//! implementation. Mismatches are collected over both backends and reported together.

use super::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use ucr_core::testing::Scratch;
use ucr_core::{Register, Role, Write};

// ------------------------------------------------------------------------------ the world

/// Real coordinates (WGS84) of buildings the fixtures name without a location.
const LOCATIONS: [(&str, f64, f64); 9] = [
    // Opera and Ballet Theatre, Nizami küçəsi 95, Bakı.
    ("THR-000001", 40.3772, 49.8386),
    // National Drama Theatre, Füzuli meydanı, Bakı.
    ("THR-000002", 40.3740, 49.8468),
    // Puppet Theatre, Neftçilər prospekti 36, Bakı.
    ("THR-000004", 40.3669, 49.8375),
    // Russian Drama Theatre, Xaqani küçəsi 7, Bakı.
    ("THR-000006", 40.3733, 49.8503),
    // Ganja State Drama Theatre.
    ("THR-000007", 40.6826, 46.3606),
    // Shaki State Drama Theatre.
    ("THR-000008", 41.1985, 47.1700),
    // Maiden Tower, İçərişəhər.
    ("HER-000001", 40.3661, 49.8372),
    // Palace of Shaki Khans.
    ("HER-000005", 41.2044, 47.1986),
    // Gobustan rock art.
    ("RSV-000002", 40.1119, 49.3756),
];

/// Statuses the world's entries are put in after they are created (test data, not history).
const STATUSES: [(&str, &str, Option<&str>); 2] = [
    ("THR-000012", "suspended", None),
    ("MUS-000009", "closed", Some("2025-03-01")),
];

/// Economic region of each ISO 3166-2:AZ unit the world uses (Decree 1386 of 2021, from
/// shared/reference/az-admin-units.json).
const ECONOMIC_REGIONS: [(&str, &str); 13] = [
    ("AZ-BA", "baku"),
    ("AZ-FUZ", "karabakh"),
    ("AZ-GA", "ganja-dashkasan"),
    ("AZ-ISM", "mountainous-shirvan"),
    ("AZ-LA", "lankaran-astara"),
    ("AZ-LAN", "lankaran-astara"),
    ("AZ-NV", "nakhchivan"),
    ("AZ-ORD", "nakhchivan"),
    ("AZ-QAZ", "gazakh-tovuz"),
    ("AZ-QBA", "guba-khachmaz"),
    ("AZ-SA", "shaki-zagatala"),
    ("AZ-SM", "absheron-khizi"),
    ("AZ-SUS", "karabakh"),
];

fn economic_region(entry: &Value) -> Option<&'static str> {
    let region = entry["region"].as_str()?;
    let (_, er) = ECONOMIC_REGIONS
        .iter()
        .find(|(code, _)| *code == region)
        .unwrap_or_else(|| panic!("no economic region for {region} in the table"));
    Some(er)
}

/// Real institutions the fixtures lack: two museums of Quba, a music college in Şəki, a
/// private and a public-association museum in Baku.
fn additions() -> Vec<Value> {
    vec![
        json!({
            "kind": "museum", "registry_number": "MUS-000010",
            "name": {"az": "Quba Tarix-Diyarşünaslıq Muzeyi", "en": "Guba History and Local Lore Museum",
                     "ru": "Губинский историко-краеведческий музей"},
            "status": "active", "region": "AZ-QBA", "address": {"locality": "Quba"},
            "location": {"lat": 41.3616, "lon": 48.5131},
            "ownership": "state", "museum_profile": "local_lore"
        }),
        json!({
            "kind": "museum", "registry_number": "MUS-000011",
            "name": {"az": "Quba Soyqırımı Memorial Kompleksi", "en": "Guba Genocide Memorial Complex",
                     "ru": "Мемориальный комплекс геноцида в Губе"},
            "status": "active", "region": "AZ-QBA", "address": {"locality": "Quba"},
            "location": {"lat": 41.3583, "lon": 48.5046},
            "ownership": "state", "founded_year": 2013, "museum_profile": "memorial"
        }),
        json!({
            "kind": "school", "registry_number": "SCH-000006",
            "name": {"az": "Şəki Musiqi Kolleci", "en": "Shaki Music College"},
            "status": "active", "region": "AZ-SA", "address": {"locality": "Şəki"},
            "location": {"lat": 41.1935, "lon": 47.1745},
            "ownership": "state", "school_type": "secondary_special_music",
            "specialities": ["piano", "tar", "kamancha"]
        }),
        json!({
            "kind": "museum", "registry_number": "MUS-000012",
            "name": {"az": "Miniatür Kitab Muzeyi", "en": "Museum of Miniature Books"},
            "status": "active", "region": "AZ-BA", "address": {"locality": "Bakı"},
            "location": {"lat": 40.3667, "lon": 49.8356},
            "ownership": "private", "founded_year": 2002, "museum_profile": "other"
        }),
        json!({
            "kind": "museum", "registry_number": "MUS-000013",
            "name": {"az": "YARAT Müasir İncəsənət Məkanı", "en": "YARAT Contemporary Art Space"},
            "status": "active", "region": "AZ-BA", "address": {"locality": "Bakı"},
            "ownership": "public_association", "founded_year": 2011, "museum_profile": "art"
        }),
    ]
}

/// Every fixture (those referring to others last), some with the coordinates of their
/// buildings, then the additions; statuses as they end up. In creation order.
fn world() -> Vec<Value> {
    let mut all = fixtures();
    all.extend(additions());
    for entry in &mut all {
        let number = entry["registry_number"].as_str().unwrap().to_string();
        if let Some((_, lat, lon)) = LOCATIONS.iter().find(|(n, _, _)| *n == number) {
            entry["location"] = json!({"lat": lat, "lon": lon});
        }
        if let Some((_, status, closed_on)) = STATUSES.iter().find(|(n, _, _)| *n == number) {
            entry["status"] = json!(status);
            if let Some(day) = closed_on {
                entry["closed_on"] = json!(day);
            }
        }
    }
    all
}

/// PATCHes an entry by registry number as the admin, with a reason; the reply must be 200.
fn patch_entry(app: &TestApp, number: &str, patch: &Value) -> Value {
    let kind = app.register().get(number).unwrap().kind();
    let path = format!("/api/v1/{}/{number}", collection(kind.as_str()));
    let reply = app.send(
        app.http
            .patch(app.url(&path))
            .header("content-type", "application/merge-patch+json")
            .header("ucr-reason", "window test")
            .header("if-match", app.etag_of(number))
            .body(patch.to_string()),
    );
    assert_eq!(reply.status, 200, "PATCH {path} {patch}: {}", reply.text);
    reply.json
}

/// DELETEs an entry by registry number as the admin; the reply must be 204.
fn delete_entry(app: &TestApp, number: &str) {
    let kind = app.register().get(number).unwrap().kind();
    let reply = app.delete(
        &format!("/api/v1/{}/{number}", collection(kind.as_str())),
        Some(&app.etag_of(number)),
    );
    assert_eq!(reply.status, 204, "DELETE {number}: {}", reply.text);
}

/// Creates the world over HTTP: each entry active, then put in its status.
fn load_world(app: &TestApp) -> Vec<Value> {
    let world = world();
    for entry in &world {
        let mut body = entry.clone();
        body["status"] = json!("active");
        body.as_object_mut().unwrap().remove("closed_on");
        let stored = app.create(&body);
        assert_eq!(stored["registry_number"], entry["registry_number"]);
    }
    for (number, status, closed_on) in STATUSES {
        let mut patch = json!({"status": status});
        if let Some(day) = closed_on {
            patch["closed_on"] = json!(day);
        }
        patch_entry(app, number, &patch);
    }
    world
}

fn number_of(entry: &Value) -> String {
    entry["registry_number"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn set(numbers: &[&str]) -> BTreeSet<String> {
    numbers.iter().map(|n| n.to_string()).collect()
}

/// Registry numbers of the world's entries that satisfy `keep`.
fn those(world: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    world.iter().filter(|e| keep(e)).map(number_of).collect()
}

/// Great-circle distance in km (haversine, mean Earth radius).
fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// The world's entries within `radius` km of a point (computed here, independently).
fn within(world: &[Value], lat: f64, lon: f64, radius: f64) -> BTreeSet<String> {
    those(world, |e| {
        let (Some(a), Some(b)) = (e["location"]["lat"].as_f64(), e["location"]["lon"].as_f64())
        else {
            return false;
        };
        distance_km(lat, lon, a, b) <= radius
    })
}

// ------------------------------------------------------------------------------ checking

/// Query parameters.
type Query<'a> = &'a [(&'a str, &'a str)];

/// Query parameters of a test's own table.
type Params = Vec<(&'static str, &'static str)>;

/// Which of the world's entries a query should find.
type Keep = Box<dyn Fn(&Value) -> bool>;

/// Mismatches of every backend, reported together at the end of a test.
#[derive(Default)]
struct Findings(RefCell<Vec<String>>);

impl Findings {
    /// Records a mismatch unless `got == want`.
    fn same<T: PartialEq + std::fmt::Debug>(
        &self,
        app: &TestApp,
        what: impl std::fmt::Display,
        got: T,
        want: T,
    ) {
        if got != want {
            self.fail(app, format!("{what}:\n     got {got:?}\n    want {want:?}"));
        }
    }

    fn fail(&self, app: &TestApp, what: String) {
        self.0
            .borrow_mut()
            .push(format!("[{}] {what}", app.backend));
    }

    #[track_caller]
    fn assert_none(self) {
        let all = self.0.into_inner();
        assert!(
            all.is_empty(),
            "{} mismatch(es):\n{}",
            all.len(),
            all.join("\n")
        );
    }
}

/// `path?query` by `client`.
fn get(
    app: &TestApp,
    client: &reqwest::blocking::Client,
    path: &str,
    query: &[(&str, &str)],
) -> Reply {
    app.send(client.get(app.url(path)).query(query))
}

/// A search as the admin; `None` (and a finding) unless the answer is 200.
fn search(app: &TestApp, f: &Findings, query: &[(&str, &str)]) -> Option<Value> {
    let reply = get(app, &app.http, "/api/v1/entries", query);
    if reply.status != 200 {
        f.fail(
            app,
            format!("search {query:?}: {} {}", reply.status, reply.text),
        );
        return None;
    }
    Some(reply.json)
}

fn item_numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| items.iter().map(number_of).collect())
        .unwrap_or_default()
}

/// Everything a search finds, on one page of up to 1000; checks that `total` counts it and
/// that there is no next page.
fn found(app: &TestApp, f: &Findings, query: &[(&str, &str)]) -> BTreeSet<String> {
    let mut query = query.to_vec();
    query.push(("limit", "1000"));
    let Some(page) = search(app, f, &query) else {
        return BTreeSet::new();
    };
    let numbers = item_numbers(&page);
    let unique: BTreeSet<String> = numbers.iter().cloned().collect();
    f.same(
        app,
        format!("{query:?}: entries once each"),
        unique.len(),
        numbers.len(),
    );
    f.same(
        app,
        format!("{query:?}: total"),
        page["total"].as_i64(),
        Some(numbers.len() as i64),
    );
    f.same(
        app,
        format!("{query:?}: next_cursor"),
        &page["next_cursor"],
        &Value::Null,
    );
    unique
}

/// Every page of a search, `limit` at a time, in order; `between(n)` runs before page n + 1.
/// Checks that every page but the last is full and that the last has no next cursor.
fn pages(
    app: &TestApp,
    f: &Findings,
    query: &[(&str, &str)],
    limit: usize,
    mut between: impl FnMut(usize),
) -> Vec<String> {
    let limit_text = limit.to_string();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for n in 0..500 {
        if n > 0 {
            between(n);
        }
        let mut q = query.to_vec();
        q.push(("limit", &limit_text));
        if let Some(c) = &cursor {
            q.push(("cursor", c));
        }
        let Some(page) = search(app, f, &q) else {
            return all;
        };
        let numbers = item_numbers(&page);
        all.extend(numbers.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => {
                f.same(
                    app,
                    format!("{q:?}: a page before the last is full"),
                    numbers.len(),
                    limit,
                );
                cursor = Some(next.to_string());
            }
            None => return all,
        }
    }
    f.fail(app, format!("{query:?}: no last page after 500"));
    all
}

// ------------------------------------------------------------------------------ search

#[test]
fn spellings_of_a_place_find_the_same_entries() {
    let f = Findings::default();
    each_backend(|app| {
        load_world(app);
        let sheki = set(&["HER-000005", "HER-000008", "SCH-000006", "THR-000008"]);
        for q in [
            "seki",
            "Sheki",
            "Shaki",
            "Şəki",
            "şəki",
            "ŞƏKİ",
            "SHEKI",
            "sheki",
            // The turned e (U+01DD) people type for ə, and a decomposed Ş.
            "Şǝki",
            "S\u{0327}əki",
        ] {
            f.same(
                app,
                format!("q={q}"),
                found(app, &f, &[("q", q)]),
                sheki.clone(),
            );
        }
        let ganja = set(&["MUS-000004", "RSV-000006", "THR-000007"]);
        for q in ["Ganja", "Gəncə", "GƏNCƏ", "ganca", "gence"] {
            f.same(
                app,
                format!("q={q}"),
                found(app, &f, &[("q", q)]),
                ganja.clone(),
            );
        }
        for q in ["Khinalig", "Xınalıq", "XINALIQ", "khinalig", "Xinaliq"] {
            f.same(
                app,
                format!("q={q}"),
                found(app, &f, &[("q", q)]),
                set(&["RSV-000007"]),
            );
        }
        for q in ["Quba", "Guba", "QUBA", "guba"] {
            f.same(
                app,
                format!("q={q}"),
                found(app, &f, &[("q", q)]),
                set(&["MUS-000010", "MUS-000011"]),
            );
        }
        for q in [
            "Icherisheher",
            "İçərişəhər",
            "icherisheher",
            "İÇƏRİŞƏHƏR",
            "Içərişəhər",
        ] {
            f.same(
                app,
                format!("q={q}"),
                found(app, &f, &[("q", q)]),
                set(&["HER-000007", "RSV-000001"]),
            );
        }
        // A name with an initial: "C.Cabbarlı adına …" is found by the surname, like "Cəfər
        // Cabbarlı adına …".
        for q in ["Cabbarlı", "cabbarli"] {
            f.same(
                app,
                format!("q={q}"),
                found(app, &f, &[("q", q)]),
                set(&["LIB-000004", "MUS-000006"]),
            );
        }
    });
    f.assert_none();
}

#[test]
fn type_ahead_case_and_every_name_are_searched() {
    let f = Findings::default();
    each_backend(|app| {
        load_world(app);
        let cases: [(&str, &[&str]); 22] = [
            // Prefixes, as typed.
            ("İçəri", &["HER-000007", "RSV-000001"]),
            ("Icheri", &["HER-000007", "RSV-000001"]),
            ("içəri", &["HER-000007", "RSV-000001"]),
            ("muğ", &["HER-000010"]),
            ("MUĞ", &["HER-000010"]),
            ("mugh", &["HER-000010"]),
            ("Xına", &["RSV-000007"]),
            ("Qub", &["MUS-000010", "MUS-000011"]),
            ("Губ", &["MUS-000010", "MUS-000011"]),
            // Every word must match, the last as a prefix.
            ("Şəki xan", &["HER-000005", "HER-000008"]),
            ("Sheki khan", &["HER-000005", "HER-000008"]),
            ("Qız qalası", &["HER-000001", "HER-000007"]),
            ("qiz qala", &["HER-000001", "HER-000007"]),
            // Words only in alt_names (the schools have "Children's" in name.en).
            ("United", &["THR-000001"]),
            ("Satire", &["THR-000006"]),
            ("Children", &["SCH-000003", "SCH-000004", "THR-000005"]),
            // Words only in name.en.
            ("Genocide", &["MUS-000011"]),
            ("Lore", &["MUS-000010"]),
            // A prefix of a word in both languages.
            ("Shirvanshah", &["HER-000007"]),
            // Words only in name.ru, in any case.
            ("Губинский", &["MUS-000010"]),
            ("ГЕНОЦИДА", &["MUS-000011"]),
            // Nothing.
            ("Tbilisi", &[]),
        ];
        for (q, want) in cases {
            f.same(
                app,
                format!("q={q}"),
                found(app, &f, &[("q", q)]),
                set(want),
            );
        }
    });
    f.assert_none();
}

#[test]
fn search_follows_every_change() {
    let f = Findings::default();
    each_backend(|app| {
        load_world(app);
        let q = |text: &str| found(app, &f, &[("q", text)]);
        f.same(
            app,
            "q=Mərkəzi before",
            q("Mərkəzi"),
            set(&["HER-000008", "LIB-000003", "MUS-000005"]),
        );
        f.same(app, "q=Məkan before", q("Məkan"), set(&["MUS-000013"]));
        // A new name is found, the old one no longer; the other languages stay.
        patch_entry(
            app,
            "MUS-000013",
            &json!({"name": {"az": "YARAT Müasir İncəsənət Mərkəzi"}}),
        );
        f.same(
            app,
            "q=Mərkəzi after a rename",
            q("Mərkəzi"),
            set(&["HER-000008", "LIB-000003", "MUS-000005", "MUS-000013"]),
        );
        f.same(app, "q=Məkan after a rename", q("Məkan"), set(&[]));
        f.same(
            app,
            "q=Space after a rename",
            q("Space"),
            set(&["MUS-000013"]),
        );
        // A deleted entry is no longer found.
        delete_entry(app, "HER-000008");
        f.same(
            app,
            "q=Şəki after a delete",
            q("Şəki"),
            set(&["HER-000005", "SCH-000006", "THR-000008"]),
        );
        f.same(
            app,
            "q=Mərkəzi after a delete",
            q("Mərkəzi"),
            set(&["LIB-000003", "MUS-000005", "MUS-000013"]),
        );
        // A status change moves the entry between the status filters and facets.
        patch_entry(app, "THR-000008", &json!({"status": "suspended"}));
        f.same(
            app,
            "status=suspended after a change",
            found(app, &f, &[("status", "suspended")]),
            set(&["THR-000008", "THR-000012"]),
        );
        let page = search(app, &f, &[("q", "Sheki")]).unwrap_or_default();
        f.same(
            app,
            "q=Sheki facets after the changes",
            &page["facets"],
            &json!({"kind": {"heritage_object": 1, "school": 1, "theatre": 1}, "region": {"AZ-SA": 3},
                    "status": {"active": 2, "suspended": 1}}),
        );
        // A new entry is found at once.
        app.create(&fixture_numbered("THR-000008"));
        f.same(app, "q=Şəki after a create", q("Şəki").len(), 4);
    });
    f.assert_none();
}

#[test]
fn an_exact_name_ranks_first() {
    let f = Findings::default();
    each_backend(|app| {
        load_world(app);
        let order = |q: &str| -> Vec<String> {
            search(app, &f, &[("q", q)])
                .map(|p| item_numbers(&p))
                .unwrap_or_default()
        };
        // The monument named exactly "Atəşgah" before the reserve named after it (which was
        // registered first).
        for q in ["Atəşgah", "Ateshgah"] {
            f.same(
                app,
                format!("q={q}"),
                order(q),
                vec!["HER-000003".into(), "RSV-000009".into()],
            );
        }
        // The tower named exactly "Qız qalası" before the walled city whose name holds it.
        f.same(
            app,
            "q=Qız qalası",
            order("Qız qalası"),
            vec!["HER-000001".into(), "HER-000007".into()],
        );
        // Names with the word "Gəncə" before the museum of Nizami Gəncəvi, whose names only
        // hold a word starting with it.
        for q in ["Gəncə", "Ganja"] {
            let got = order(q);
            f.same(
                app,
                format!("q={q}: last"),
                got.last().cloned(),
                Some("MUS-000004".into()),
            );
            f.same(
                app,
                format!("q={q}: first two"),
                got.iter().take(2).cloned().collect::<BTreeSet<_>>(),
                set(&["RSV-000006", "THR-000007"]),
            );
        }
        // Relevance is the default order with q.
        let explicit = search(app, &f, &[("q", "Gəncə"), ("sort", "relevance")])
            .map(|p| item_numbers(&p))
            .unwrap_or_default();
        f.same(
            app,
            "sort=relevance is the default with q",
            explicit,
            order("Gəncə"),
        );
    });
    f.assert_none();
}

#[test]
fn every_filter_finds_exactly_its_entries() {
    let f = Findings::default();
    each_backend(|app| {
        let world = load_world(app);
        let all = those(&world, |_| true);
        f.same(app, "no filter", found(app, &f, &[]), all.clone());
        for kind in [
            "theatre",
            "library",
            "museum",
            "reserve",
            "school",
            "heritage_object",
        ] {
            f.same(
                app,
                format!("kind={kind}"),
                found(app, &f, &[("kind", kind)]),
                those(&world, |e| e["kind"] == kind),
            );
        }
        for region in [
            "AZ-BA", "AZ-SA", "AZ-QBA", "AZ-GA", "AZ-NV", "AZ-SAK", "AZ-ZAQ",
        ] {
            f.same(
                app,
                format!("region={region}"),
                found(app, &f, &[("region", region)]),
                those(&world, |e| e["region"] == region),
            );
        }
        f.same(
            app,
            "region=AZ-SA by hand",
            found(app, &f, &[("region", "AZ-SA")]),
            set(&[
                "HER-000005",
                "HER-000008",
                "RSV-000003",
                "SCH-000006",
                "THR-000008",
            ]),
        );
        for er in [
            "baku",
            "shaki-zagatala",
            "guba-khachmaz",
            "nakhchivan",
            "karabakh",
            "lankaran-astara",
            "central-aran",
        ] {
            f.same(
                app,
                format!("economic_region={er}"),
                found(app, &f, &[("economic_region", er)]),
                those(&world, |e| economic_region(e) == Some(er)),
            );
        }
        f.same(
            app,
            "economic_region=nakhchivan by hand",
            found(app, &f, &[("economic_region", "nakhchivan")]),
            set(&["HER-000004", "RSV-000005", "THR-000010"]),
        );
        for status in ["active", "suspended", "closed"] {
            f.same(
                app,
                format!("status={status}"),
                found(app, &f, &[("status", status)]),
                those(&world, |e| e["status"] == status),
            );
        }
        f.same(
            app,
            "status=closed by hand",
            found(app, &f, &[("status", "closed")]),
            set(&["MUS-000009"]),
        );
        for ownership in ["state", "municipal", "private", "public_association"] {
            f.same(
                app,
                format!("ownership={ownership}"),
                found(app, &f, &[("ownership", ownership)]),
                those(&world, |e| e["ownership"] == ownership),
            );
        }
        f.same(
            app,
            "ownership=private by hand",
            found(app, &f, &[("ownership", "private")]),
            set(&["MUS-000012"]),
        );
        let year = |e: &Value| e["founded_year"].as_i64();
        for (from, to) in [
            (Some(1920), Some(1930)),
            (Some(2000), None),
            (None, Some(1900)),
            (Some(1977), Some(1977)),
        ] {
            let mut q = Vec::new();
            let (from_s, to_s) = (
                from.map(|y: i64| y.to_string()),
                to.map(|y: i64| y.to_string()),
            );
            if let Some(s) = &from_s {
                q.push(("founded_from", s.as_str()));
            }
            if let Some(s) = &to_s {
                q.push(("founded_to", s.as_str()));
            }
            let want = those(&world, |e| {
                year(e).is_some_and(|y| from.is_none_or(|a| y >= a) && to.is_none_or(|b| y <= b))
            });
            f.same(app, format!("{q:?}"), found(app, &f, &q), want);
        }
        f.same(
            app,
            "founded_to=1900 by hand",
            found(app, &f, &[("founded_to", "1900")]),
            set(&["THR-000002", "THR-000009", "THR-000010"]),
        );

        // Distance, around the centre of Baku (by the Fountain Square), Ateshgah and Şəki.
        let centre = set(&[
            "HER-000001",
            "MUS-000012",
            "THR-000001",
            "THR-000002",
            "THR-000004",
            "THR-000006",
        ]);
        let mut with_ateshgah = centre.clone();
        with_ateshgah.insert("HER-000003".into());
        let mut with_gobustan = with_ateshgah.clone();
        with_gobustan.insert("RSV-000002".into());
        let sheki = set(&["HER-000005", "SCH-000006", "THR-000008"]);
        for (point, radius, want) in [
            ("40.3700,49.8400", Some("2"), &centre),
            ("40.3700,49.8400", None, &centre),
            ("40.3700,49.8400", Some("20"), &with_ateshgah),
            ("40.3700,49.8400", Some("40"), &with_ateshgah),
            ("40.3700,49.8400", Some("60"), &with_gobustan),
            ("41.2000,47.1800", Some("5"), &sheki),
            ("40.415278,50.008611", Some("1"), &set(&["HER-000003"])),
            ("38.7500,48.8500", Some("10"), &set(&[])),
        ] {
            let (lat, lon) = point.split_once(',').unwrap();
            let (lat, lon) = (lat.parse().unwrap(), lon.parse().unwrap());
            let r: f64 = radius.unwrap_or("10").parse().unwrap();
            // The test's own arithmetic agrees with the hand-made set.
            assert_eq!(
                &within(&world, lat, lon, r),
                want,
                "near={point} radius={r}"
            );
            let mut q = vec![("near", point)];
            if let Some(r) = radius {
                q.push(("radius_km", r));
            }
            f.same(app, format!("{q:?}"), found(app, &f, &q), want.clone());
        }
        let mut baku_box = centre.clone();
        baku_box.insert("HER-000003".into());
        for (bbox, want) in [
            ("49.7,40.3,50.1,40.5", baku_box),
            (
                "46.0,40.5,48.0,41.5",
                set(&["HER-000005", "SCH-000006", "THR-000007", "THR-000008"]),
            ),
            ("48.0,41.0,49.0,42.0", set(&["MUS-000010", "MUS-000011"])),
            // The edges belong to the box.
            (
                "50.008611,40.415278,50.008611,40.415278",
                set(&["HER-000003"]),
            ),
            ("44.8,38.4,45.0,38.5", set(&[])),
        ] {
            f.same(
                app,
                format!("bbox={bbox}"),
                found(app, &f, &[("bbox", bbox)]),
                want,
            );
        }

        // Combined.
        let combined: [(Query, BTreeSet<String>); 6] = [
            (
                &[
                    ("kind", "theatre"),
                    ("near", "40.3700,49.8400"),
                    ("radius_km", "20"),
                ],
                set(&["THR-000001", "THR-000002", "THR-000004", "THR-000006"]),
            ),
            (
                &[("kind", "heritage_object"), ("bbox", "49.7,40.3,50.1,40.5")],
                set(&["HER-000001", "HER-000003"]),
            ),
            (
                &[("q", "Şəki"), ("kind", "heritage_object")],
                set(&["HER-000005", "HER-000008"]),
            ),
            (
                &[
                    ("kind", "theatre"),
                    ("region", "AZ-BA"),
                    ("founded_from", "1920"),
                    ("founded_to", "1930"),
                ],
                set(&["THR-000001", "THR-000005", "THR-000006"]),
            ),
            (
                &[
                    ("kind", "museum"),
                    ("ownership", "state"),
                    ("economic_region", "guba-khachmaz"),
                    ("status", "active"),
                ],
                set(&["MUS-000010", "MUS-000011"]),
            ),
            (
                &[
                    ("kind", "theatre"),
                    ("status", "suspended"),
                    ("region", "AZ-BA"),
                ],
                set(&[]),
            ),
        ];
        for (q, want) in combined {
            f.same(app, format!("{q:?}"), found(app, &f, q), want);
        }
    });
    f.assert_none();
}

/// Facet counts of the world's entries that satisfy `keep`.
fn facets_of(world: &[Value], keep: impl Fn(&Value) -> bool) -> Value {
    let mut kind: BTreeMap<String, i64> = BTreeMap::new();
    let mut region: BTreeMap<String, i64> = BTreeMap::new();
    let mut status: BTreeMap<String, i64> = BTreeMap::new();
    for e in world.iter().filter(|e| keep(e)) {
        *kind.entry(e["kind"].as_str().unwrap().into()).or_default() += 1;
        // Intangible heritage has no region.
        *region
            .entry(e["region"].as_str().unwrap_or("none").into())
            .or_default() += 1;
        *status
            .entry(e["status"].as_str().unwrap().into())
            .or_default() += 1;
    }
    json!({"kind": kind, "region": region, "status": status})
}

#[test]
fn facets_and_totals_count_every_match() {
    let f = Findings::default();
    each_backend(|app| {
        let world = load_world(app);
        let cases: [(Query, Keep); 5] = [
            (&[], Box::new(|_| true)),
            (
                &[("q", "Şəki")],
                Box::new(|e| {
                    ["HER-000005", "HER-000008", "SCH-000006", "THR-000008"]
                        .contains(&e["registry_number"].as_str().unwrap())
                }),
            ),
            (
                &[("kind", "theatre"), ("region", "AZ-BA")],
                Box::new(|e| e["kind"] == "theatre" && e["region"] == "AZ-BA"),
            ),
            (
                &[("kind", "heritage_object")],
                Box::new(|e| e["kind"] == "heritage_object"),
            ),
            (&[("q", "Tbilisi")], Box::new(|_| false)),
        ];
        for (q, keep) in cases {
            // The facets and the total are of every match, whatever the page.
            let mut paged = q.to_vec();
            paged.push(("limit", "2"));
            let Some(page) = search(app, &f, &paged) else {
                continue;
            };
            let want = facets_of(&world, &keep);
            f.same(app, format!("{q:?}: facets"), &page["facets"], &want);
            let n = world.iter().filter(|e| keep(e)).count() as i64;
            f.same(
                app,
                format!("{q:?}: total"),
                page["total"].as_i64(),
                Some(n),
            );
            f.same(
                app,
                format!("{q:?}: page size"),
                page["items"].as_array().map(Vec::len),
                Some(n.min(2) as usize),
            );
        }
        // By hand, for the spellings of Şəki.
        let page = search(app, &f, &[("q", "Sheki")]).unwrap_or_default();
        f.same(
            app,
            "q=Sheki: facets by hand",
            &page["facets"],
            &json!({"kind": {"heritage_object": 2, "school": 1, "theatre": 1}, "region": {"AZ-SA": 4}, "status": {"active": 4}}),
        );
    });
    f.assert_none();
}

/// The orders a search can be asked for, with the expected sequence when it is fixed.
fn sort_orders(world: &[Value]) -> Vec<(Params, Option<Vec<String>>)> {
    let created: Vec<String> = world.iter().map(number_of).collect();
    let mut newest = created.clone();
    newest.reverse();
    let mut by_number = created.clone();
    by_number.sort();
    // By the Azerbaijani name (code point order), then by registration.
    let mut by_name: Vec<(String, usize, String)> = world
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                e["name"]["az"].as_str().unwrap().to_string(),
                i,
                number_of(e),
            )
        })
        .collect();
    by_name.sort();
    let by_name: Vec<String> = by_name.into_iter().map(|(_, _, n)| n).collect();
    let museums: Vec<String> = by_name
        .iter()
        .filter(|n| n.starts_with("MUS-"))
        .cloned()
        .collect();
    vec![
        (vec![], Some(created.clone())),
        (vec![("sort", "created")], Some(created)),
        (vec![("sort", "-created")], Some(newest)),
        (vec![("sort", "registry_number")], Some(by_number)),
        (vec![("sort", "name")], Some(by_name)),
        (vec![("sort", "name"), ("kind", "museum")], Some(museums)),
        (vec![("q", "Azərbaycan")], None),
        (vec![("q", "Azərbaycan"), ("sort", "relevance")], None),
        (vec![("q", "dövlət teatr"), ("sort", "name")], None),
    ]
}

/// Entries whose names hold a word starting with "Azərbaycan" (folded: "ezerbeycen"; the
/// English "Azerbaijan" is another word).
const AZERBAYCAN: [&str; 18] = [
    "HER-000010",
    "HER-000011",
    "HER-000012",
    "LIB-000001",
    "LIB-000002",
    "MUS-000001",
    "MUS-000002",
    "MUS-000003",
    "MUS-000004",
    "MUS-000006",
    "MUS-000007",
    "SCH-000002",
    "THR-000001",
    "THR-000002",
    "THR-000003",
    "THR-000004",
    "THR-000005",
    "THR-000006",
];

/// Entries whose names hold words starting with "dövlət" and "teatr".
const STATE_THEATRES: [&str; 13] = [
    "MUS-000006",
    "THR-000001",
    "THR-000002",
    "THR-000003",
    "THR-000004",
    "THR-000005",
    "THR-000006",
    "THR-000007",
    "THR-000008",
    "THR-000009",
    "THR-000010",
    "THR-000011",
    "THR-000012",
];

fn matching(world: &[Value], query: &[(&str, &str)]) -> BTreeSet<String> {
    let q = query.iter().find(|(k, _)| *k == "q").map(|(_, v)| *v);
    let kind = query.iter().find(|(k, _)| *k == "kind").map(|(_, v)| *v);
    match q {
        Some("Azərbaycan") => set(&AZERBAYCAN),
        Some("dövlət teatr") => set(&STATE_THEATRES),
        Some(other) => panic!("no expected set for q={other}"),
        None => those(world, |e| kind.is_none_or(|k| e["kind"] == k)),
    }
}

#[test]
fn cursor_pages_return_every_entry_once_in_every_order() {
    let f = Findings::default();
    each_backend(|app| {
        let world = load_world(app);
        for (query, order) in sort_orders(&world) {
            let want = matching(&world, &query);
            for limit in [1, 7, 1000] {
                let got = pages(app, &f, &query, limit, |_| {});
                let unique: BTreeSet<String> = got.iter().cloned().collect();
                f.same(
                    app,
                    format!("{query:?} limit {limit}: no entry twice"),
                    unique.len(),
                    got.len(),
                );
                f.same(
                    app,
                    format!("{query:?} limit {limit}: every entry"),
                    unique,
                    want.clone(),
                );
                if let Some(order) = &order {
                    f.same(app, format!("{query:?} limit {limit}: order"), &got, order);
                }
            }
        }
    });
    f.assert_none();
}

#[test]
fn cursor_pages_hold_while_entries_are_added() {
    let f = Findings::default();
    each_backend(|app| {
        let world = load_world(app);
        // Copies of real entries (under new registry numbers) that every query below finds,
        // and that sort among the originals.
        let copies = [
            "THR-000002",
            "MUS-000001",
            "RSV-000002",
            "THR-000005",
            "MUS-000006",
            "THR-000007",
        ];
        let mut added = 0usize;
        for (query, _) in sort_orders(&world) {
            let before = matching(&world, &query);
            let got = pages(app, &f, &query, 5, |_| {
                let number = copies[added % copies.len()];
                added += 1;
                app.create(&fixture_numbered(number));
            });
            let mut seen = BTreeSet::new();
            for n in &got {
                if !seen.insert(n.clone()) {
                    f.fail(app, format!("{query:?}: {n} came twice"));
                }
            }
            let missed: Vec<&String> = before.iter().filter(|n| !seen.contains(*n)).collect();
            if !missed.is_empty() {
                f.fail(app, format!("{query:?}: skipped {missed:?}"));
            }
        }
        assert!(added > 40, "{added} entries added between pages");
    });
    f.assert_none();
}

#[test]
fn bad_parameters_are_refused_with_a_problem() {
    let hex = |s: &str| -> String { s.bytes().map(|b| format!("{b:02x}")).collect() };
    let long_q = "Ş".repeat(201);
    let not_an_id = hex(r#"[0,"","not-an-id"]"#);
    let float_score = hex(r#"[1.5,"","01900000-0000-7000-8000-000000000000"]"#);
    let not_json = hex("Şəki");
    let search_cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("near", "north")],
        vec![("near", "40.4093")],
        vec![("near", "40.4093,east")],
        vec![("near", "40.4093,49.8671,5")],
        vec![("near", "NaN,49.8671")],
        vec![("near", "inf,49.8671")],
        vec![("radius_km", "5")],
        vec![("near", "40.4093,49.8671"), ("radius_km", "0")],
        vec![("near", "40.4093,49.8671"), ("radius_km", "-5")],
        vec![("near", "40.4093,49.8671"), ("radius_km", "1001")],
        vec![("near", "40.4093,49.8671"), ("radius_km", "five")],
        vec![("bbox", "49.7,40.3,50.0")],
        vec![("bbox", "49.7,40.3,50.0,40.5,1")],
        vec![("bbox", "50.0,40.3,49.7,40.5")],
        vec![("bbox", "49.7,40.5,50.0,40.3")],
        vec![("bbox", "west,south,east,north")],
        vec![("limit", "0")],
        vec![("limit", "1001")],
        vec![("limit", "-1")],
        vec![("limit", "2.5")],
        vec![("limit", "")],
        vec![("colour", "red")],
        vec![("Q", "Şəki")],
        vec![("q", "!!!")],
        vec![("q", "«—»")],
        vec![("q", "...")],
        vec![("q", "%_")],
        vec![("q", &long_q)],
        vec![("cursor", "forged")],
        vec![("cursor", "abc")],
        vec![("cursor", "zz")],
        vec![("cursor", &not_an_id)],
        vec![("cursor", &float_score)],
        vec![("cursor", &not_json)],
        vec![("sort", "popularity")],
        vec![("kind", "opera")],
        vec![("region", "AZ-XX")],
        vec![("economic_region", "caspian")],
        vec![("status", "open")],
        vec![("ownership", "crown")],
        vec![("founded_from", "old")],
        vec![("founded_to", "1920.5")],
    ];
    let stats_cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("group_by", "city")],
        vec![("group_by", "")],
        vec![("radius_km", "5")],
        vec![("bbox", "49.7,40.3,50.0")],
        vec![("q", "!!!")],
        vec![("colour", "red")],
        vec![("cursor", "forged")],
        // Statistics have no pages and no order.
        vec![("limit", "5")],
        vec![("sort", "name")],
    ];
    let changes_cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("since", "-1")],
        vec![("since", "latest")],
        vec![("since", "")],
        vec![("limit", "0")],
        vec![("limit", "1001")],
        vec![("cursor", "1")],
        vec![("colour", "red")],
    ];
    let f = Findings::default();
    each_backend(|app| {
        load_world(app);
        for (path, cases) in [
            ("/api/v1/entries", &search_cases),
            ("/api/v1/stats", &stats_cases),
            ("/api/v1/changes", &changes_cases),
        ] {
            for query in cases {
                for client in [&app.http, &app.anon] {
                    let reply = get(app, client, path, query);
                    let ok = reply.status == 400
                        && reply.header("content-type").as_deref()
                            == Some("application/problem+json")
                        && reply.json["type"] == "/problems/bad-request"
                        && reply.json["status"] == 400
                        && reply.json["detail"].is_string();
                    if !ok {
                        f.fail(
                            app,
                            format!(
                                "GET {path} {query:?}: wanted a 400 problem, got {} {}",
                                reply.status, reply.text
                            ),
                        );
                    }
                }
            }
        }
    });
    f.assert_none();
}

// ------------------------------------------------------------------------------ change feed

/// One page of the feed as the admin.
fn feed(app: &TestApp, since: i64, limit: Option<i64>) -> Reply {
    let since = since.to_string();
    let limit = limit.map(|l| l.to_string());
    let mut query = vec![("since", since.as_str())];
    if let Some(l) = &limit {
        query.push(("limit", l.as_str()));
    }
    get(app, &app.http, "/api/v1/changes", &query)
}

#[test]
fn the_feed_holds_every_change_once_in_sequence() {
    let f = Findings::default();
    each_backend(|app| {
        // What was done, in order: (operation, registry number, version).
        let mut done: Vec<(String, String, i64)> = Vec::new();
        let mut did = |op: &str, n: &str, v: i64| done.push((op.into(), n.into(), v));
        for fixture in fixtures() {
            app.create(&fixture);
            did("create", fixture["registry_number"].as_str().unwrap(), 1);
        }
        patch_entry(
            app,
            "THR-000001",
            &json!({"name": {"ru": "Азербайджанский государственный академический театр оперы и балета"}}),
        );
        did("update", "THR-000001", 2);
        let mut library = registered("LIB-000001");
        library["name"]["ru"] = json!("Национальная библиотека Азербайджана имени М. Ф. Ахундова");
        let reply = app.put("/api/v1/libraries/LIB-000001", &library, Some("\"1\""));
        assert_eq!(reply.status, 200, "{}", reply.text);
        did("update", "LIB-000001", 2);
        patch_entry(app, "THR-000012", &json!({"status": "suspended"}));
        did("status_change", "THR-000012", 2);
        patch_entry(app, "THR-000012", &json!({"status": "active"}));
        did("status_change", "THR-000012", 3);
        patch_entry(
            app,
            "MUS-000009",
            &json!({"status": "closed", "closed_on": "2025-03-01"}),
        );
        did("status_change", "MUS-000009", 2);
        // Refused writes leave no trace.
        let reply = app.patch(
            "/api/v1/heritage-objects/HER-000002",
            &json!({"region": "AZ-XX"}),
            Some("\"1\""),
        );
        assert_eq!(reply.status, 422, "{}", reply.text);
        let reply = app.delete("/api/v1/reserves/RSV-000001", Some("\"1\""));
        assert_eq!(reply.status, 409, "{}", reply.text);
        let reply = app.patch(
            "/api/v1/theatres/THR-000001",
            &json!({"halls": 2}),
            Some("\"1\""),
        );
        assert_eq!(reply.status, 412, "{}", reply.text);
        delete_entry(app, "HER-000004");
        did("delete", "HER-000004", 2);
        delete_entry(app, "HER-000006");
        did("delete", "HER-000006", 2);
        app.create(&additions()[0]);
        did("create", "MUS-000010", 1);
        patch_entry(
            app,
            "MUS-000010",
            &json!({"alt_names": [{"en": "Quba Museum of History and Local Lore"}]}),
        );
        did("update", "MUS-000010", 2);
        delete_entry(app, "MUS-000010");
        did("delete", "MUS-000010", 3);
        let n = done.len() as i64;
        assert_eq!(n, 68);

        // Pages of 7 from the start.
        let mut got: Vec<Value> = Vec::new();
        let mut since = 0;
        loop {
            let reply = feed(app, since, Some(7));
            if reply.status != 200 {
                f.fail(
                    app,
                    format!("since={since}: {} {}", reply.status, reply.text),
                );
                break;
            }
            let items = reply.json["items"].as_array().cloned().unwrap_or_default();
            f.same(
                app,
                format!("since={since}: total"),
                reply.json["total"].as_i64(),
                Some(n - since),
            );
            f.same(
                app,
                format!("since={since}: page size"),
                items.len() as i64,
                (n - since).min(7),
            );
            if items.is_empty() {
                f.same(
                    app,
                    "after the last change: next_cursor",
                    &reply.json["next_cursor"],
                    &Value::Null,
                );
                break;
            }
            let last = items.last().unwrap()["seq"].as_i64().unwrap_or(-1);
            f.same(
                app,
                format!("since={since}: next_cursor"),
                &reply.json["next_cursor"],
                &json!(last.to_string()),
            );
            if last <= since {
                f.fail(app, format!("since={since}: the feed went back to {last}"));
                break;
            }
            since = last;
            got.extend(items);
        }
        let seqs: Vec<i64> = got
            .iter()
            .map(|r| r["seq"].as_i64().unwrap_or(-1))
            .collect();
        f.same(app, "sequence numbers", seqs, (1..=n).collect::<Vec<_>>());
        let ops: Vec<(String, String, i64)> = got
            .iter()
            .map(|r| {
                (
                    r["operation"].as_str().unwrap_or_default().to_string(),
                    number_of(&r["entry"]),
                    r["version"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        f.same(app, "operations", &ops, &done);
        for r in &got {
            f.same(
                app,
                format!("seq {}: entry_id", r["seq"]),
                &r["entry_id"],
                &r["entry"]["id"],
            );
            f.same(
                app,
                format!("seq {}: actor", r["seq"]),
                &r["actor"],
                &json!("admin-test"),
            );
            f.same(
                app,
                format!("seq {}: entry version", r["seq"]),
                &r["entry"]["version"],
                &r["version"],
            );
        }
        // A delete carries the entry's last state; a reason is kept.
        if let Some(delete) = got
            .iter()
            .find(|r| r["operation"] == "delete" && number_of(&r["entry"]) == "MUS-000010")
        {
            // Numbered like its revision: one past the last version.
            f.same(
                app,
                "deleted entry's version",
                &delete["entry"]["version"],
                &json!(3),
            );
            f.same(
                app,
                "deleted entry's last state",
                &delete["entry"]["alt_names"],
                &json!([{"en": "Quba Museum of History and Local Lore"}]),
            );
        }
        if let Some(closing) = got
            .iter()
            .find(|r| r["operation"] == "status_change" && number_of(&r["entry"]) == "MUS-000009")
        {
            f.same(app, "reason", &closing["reason"], &json!("window test"));
            f.same(
                app,
                "closed entry",
                &closing["entry"]["status"],
                &json!("closed"),
            );
        }

        // Past the end; the default page; one page of everything.
        for since in [n, n + 5] {
            let reply = feed(app, since, Some(7));
            f.same(
                app,
                format!("since={since}"),
                (reply.status, &reply.json),
                (200, &json!({"items": [], "next_cursor": null, "total": 0})),
            );
        }
        let reply = get(app, &app.http, "/api/v1/changes", &[]);
        f.same(
            app,
            "default page: items",
            reply.json["items"].as_array().map(Vec::len),
            Some(n as usize),
        );
        f.same(
            app,
            "default page: total",
            reply.json["total"].as_i64(),
            Some(n),
        );
        let reply = feed(app, 0, Some(1000));
        f.same(
            app,
            "one page of all: items",
            reply.json["items"].as_array().map(Vec::len),
            Some(n as usize),
        );
        let reply = feed(app, 60, Some(3));
        let seqs: Vec<i64> = reply.json["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| r["seq"].as_i64().unwrap_or(-1))
            .collect();
        f.same(
            app,
            "since=60 limit=3",
            (seqs, reply.json["total"].as_i64()),
            (vec![61, 62, 63], Some(n - 60)),
        );
    });
    f.assert_none();
}

/// A register that follows another through its change feed.
struct Mirror {
    register: Register,
    _scratch: Scratch,
    /// Entry id in the source → registry number.
    numbers: HashMap<String, String>,
    /// The last change applied.
    since: i64,
}

impl Mirror {
    /// An empty register on the same kind of database as `app`.
    fn new(app: &TestApp) -> Mirror {
        let scratch = match app.backend {
            "postgres" => {
                Scratch::postgres(&std::env::var(ucr_core::testing::POSTGRES_ENV).unwrap()).unwrap()
            }
            _ => Scratch::sqlite().unwrap(),
        };
        Mirror {
            register: scratch.register().clone(),
            _scratch: scratch,
            numbers: HashMap::new(),
            since: 0,
        }
    }

    /// Polls the feed in pages of 7 from the last change applied, and applies every change.
    fn poll(&mut self, app: &TestApp) {
        loop {
            let reply = feed(app, self.since, Some(7));
            assert_eq!(reply.status, 200, "{}", reply.text);
            let items = reply.json["items"].as_array().cloned().unwrap();
            if items.is_empty() {
                assert_eq!(reply.json["next_cursor"], Value::Null);
                return;
            }
            for revision in &items {
                let seq = revision["seq"].as_i64().unwrap();
                assert_eq!(seq, self.since + 1, "the feed is gapless");
                self.apply(revision);
                self.since = seq;
            }
            assert_eq!(reply.json["next_cursor"], json!(self.since.to_string()));
        }
    }

    /// Applies one change: creates and updates by registry number, deletes.
    fn apply(&mut self, revision: &Value) {
        let entry = &revision["entry"];
        let number = number_of(entry);
        self.numbers.insert(
            revision["entry_id"].as_str().unwrap().to_string(),
            number.clone(),
        );
        let mut body = entry.clone();
        let map = body.as_object_mut().unwrap();
        for member in [
            "id",
            "version",
            "created_at",
            "updated_at",
            "economic_region",
        ] {
            map.remove(member);
        }
        for member in ["parent_id", "reserve_id", "museum_id"] {
            if let Some(reference) = map.get_mut(member) {
                *reference = json!(self.numbers[reference.as_str().unwrap()]);
            }
        }
        let w = Write::by("mirror", Role::Admin);
        let result = match revision["operation"].as_str().unwrap() {
            "create" => self.register.create(body, &w).map(|_| ()),
            "update" | "status_change" => self.register.replace(&number, body, &w).map(|_| ()),
            "delete" => self.register.delete(&number, &w).map(|_| ()),
            other => panic!("operation {other}"),
        };
        if let Err(e) = result {
            panic!("applying seq {} to the mirror: {e:?}", revision["seq"]);
        }
    }
}

/// Every entry of a register by registry number, without what each register assigns itself
/// (id, times), references as registry numbers.
fn contents(register: &Register) -> BTreeMap<String, Value> {
    let listing = register
        .list(
            &ucr_core::Filter::default(),
            ucr_core::query::PAGE_MAX,
            None,
        )
        .unwrap();
    assert!(listing.next_cursor.is_none());
    let numbers: HashMap<String, String> = listing
        .items
        .iter()
        .map(|e| (e.id.to_string(), e.registry_number().to_string()))
        .collect();
    listing
        .items
        .iter()
        .map(|e| {
            let mut v = e.to_json();
            let map = v.as_object_mut().unwrap();
            for member in ["id", "created_at", "updated_at"] {
                map.remove(member);
            }
            for member in ["parent_id", "reserve_id", "museum_id"] {
                if let Some(r) = map.get_mut(member) {
                    *r = json!(numbers[r.as_str().unwrap()]);
                }
            }
            (e.registry_number().to_string(), v)
        })
        .collect()
}

#[test]
fn a_mirror_fed_by_the_feed_equals_the_register() {
    let f = Findings::default();
    each_backend(|app| {
        load_world(app);
        patch_entry(app, "THR-000003", &json!({"parent_id": "THR-000002"}));
        patch_entry(
            app,
            "THR-000004",
            &json!({"head": "Rövşən Hüseynzadə", "seats": 220}),
        );
        let mut mirror = Mirror::new(app);
        mirror.poll(app);
        let source = contents(app.register());
        f.same(
            app,
            "entries after the first poll",
            source.len(),
            world().len(),
        );
        f.same(
            app,
            "mirror after the first poll",
            contents(&mirror.register),
            source,
        );
        let first = mirror.since;

        // More changes between two polls: updates, a branch link, a movable object in a
        // museum, a closing and a reinstatement, deletes (a referrer before what it refers to).
        patch_entry(app, "LIB-000003", &json!({"parent_id": "LIB-000001"}));
        let carpet = app.create(&json!({
            "kind": "heritage_object", "category": "movable", "name": {"az": "Xalça", "en": "Carpet"},
            "region": "AZ-BA", "museum_id": "MUS-000003", "object_type": "carpet", "materials": ["wool"]
        }));
        patch_entry(
            app,
            "MUS-000012",
            &json!({"status": "closed", "closed_on": "2024-06-01"}),
        );
        patch_entry(
            app,
            "MUS-000012",
            &json!({"status": "active", "closed_on": null}),
        );
        patch_entry(app, "MUS-000010", &json!({"name": {"ru": null}}));
        delete_entry(app, "HER-000007");
        delete_entry(app, "HER-000001");
        delete_entry(app, number_of(&carpet).as_str());
        delete_entry(app, "THR-000003");
        patch_entry(app, "THR-000012", &json!({"status": "active"}));
        app.create(&fixture_numbered("THR-000005"));
        mirror.poll(app);
        f.same(
            app,
            "the second poll continues after",
            mirror.since > first,
            true,
        );
        let source = contents(app.register());
        f.same(
            app,
            "entries after the second poll",
            source.len(),
            world().len() - 3 + 1,
        );
        f.same(
            app,
            "mirror after the second poll",
            contents(&mirror.register),
            source,
        );
    });
    f.assert_none();
}

// ------------------------------------------------------------------------------ statistics

/// One group's figures: key, count, seats, holdings, items, enrolled, area.
type Figures = (Option<String>, i64, i64, i64, i64, i64, f64);

/// The groups of `entries` by `key`, largest first, then by key (computed here).
fn groups_of(entries: &[Value], key: impl Fn(&Value) -> Option<String>) -> Vec<Figures> {
    let mut by: BTreeMap<Option<String>, Figures> = BTreeMap::new();
    for e in entries {
        let k = key(e);
        let g = by.entry(k.clone()).or_insert((k, 0, 0, 0, 0, 0, 0.0));
        let n = |field: &str| e[field].as_i64().unwrap_or(0);
        g.1 += 1;
        g.2 += n("seats");
        g.3 += n("holdings");
        g.4 += n("items_total");
        g.5 += n("enrolled");
        g.6 += e["area_ha"].as_f64().unwrap_or(0.0);
    }
    let mut groups: Vec<Figures> = by.into_values().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    groups
}

fn total_of(groups: &[Figures]) -> Figures {
    groups.iter().fold((None, 0, 0, 0, 0, 0, 0.0), |t, g| {
        (
            None,
            t.1 + g.1,
            t.2 + g.2,
            t.3 + g.3,
            t.4 + g.4,
            t.5 + g.5,
            t.6 + g.6,
        )
    })
}

fn figures(group: &Value) -> Figures {
    let n = |field: &str| group[field].as_i64().unwrap_or(-1);
    (
        group["key"].as_str().map(str::to_string),
        n("count"),
        n("seats"),
        n("holdings"),
        n("items"),
        n("enrolled"),
        group["area_ha"].as_f64().unwrap_or(-1.0),
    )
}

/// Checks `GET /api/v1/stats` with `query` against the figures of `entries` grouped by `by`.
fn check_stats(app: &TestApp, f: &Findings, query: &[(&str, &str)], by: &str, entries: &[Value]) {
    let key = |e: &Value| -> Option<String> {
        match by {
            "economic_region" => economic_region(e).map(str::to_string),
            field => e[field].as_str().map(str::to_string),
        }
    };
    let want = groups_of(entries, key);
    let reply = get(app, &app.http, "/api/v1/stats", query);
    if reply.status != 200 {
        f.fail(
            app,
            format!("stats {query:?}: {} {}", reply.status, reply.text),
        );
        return;
    }
    let got: Vec<Figures> = reply.json["groups"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(figures)
        .collect();
    f.same(
        app,
        format!("stats {query:?}: group_by"),
        &reply.json["group_by"],
        &json!(by),
    );
    f.same(app, format!("stats {query:?}: groups"), &got, &want);
    f.same(
        app,
        format!("stats {query:?}: total"),
        figures(&reply.json["total"]),
        total_of(&want),
    );
}

#[test]
fn statistics_count_and_sum_the_fixtures() {
    let f = Findings::default();
    each_backend(|app| {
        let mut entries = fixtures();
        app.load_fixtures();
        let baku_theatres = |all: &[Value]| -> Vec<Value> {
            all.iter()
                .filter(|e| e["region"] == "AZ-BA" && e["kind"] == "theatre")
                .cloned()
                .collect()
        };
        let check_all = |entries: &[Value]| {
            check_stats(app, &f, &[], "kind", entries);
            for by in ["kind", "region", "economic_region", "status"] {
                check_stats(app, &f, &[("group_by", by)], by, entries);
                let q = [("group_by", by), ("region", "AZ-BA"), ("kind", "theatre")];
                check_stats(app, &f, &q, by, &baku_theatres(entries));
            }
            let sheki: Vec<Value> = entries
                .iter()
                .filter(|e| {
                    ["THR-000008", "HER-000005", "HER-000008"]
                        .contains(&e["registry_number"].as_str().unwrap())
                })
                .cloned()
                .collect();
            check_stats(
                app,
                &f,
                &[("q", "Şəki"), ("group_by", "region")],
                "region",
                &sheki,
            );
        };
        check_all(&entries);
        // By hand: the Baku theatres.
        let reply = get(
            app,
            &app.http,
            "/api/v1/stats",
            &[("region", "AZ-BA"), ("kind", "theatre")],
        );
        f.same(
            app,
            "Baku theatres by hand",
            reply.json["groups"]
                .as_array()
                .map(|g| g.iter().map(figures).collect::<Vec<_>>()),
            Some(vec![(Some("theatre".into()), 6, 2036, 0, 0, 0, 0.0)]),
        );

        // Areas of reserves (İçərişəhər 21.5 ha; Gobustan 4,400 ha) and two statuses.
        for (number, patch) in [
            ("RSV-000001", json!({"area_ha": 21.5})),
            ("RSV-000002", json!({"area_ha": 4400})),
            ("THR-000012", json!({"status": "suspended"})),
            (
                "MUS-000009",
                json!({"status": "closed", "closed_on": "2025-03-01"}),
            ),
            ("THR-000004", json!({"seats": 220})),
        ] {
            patch_entry(app, number, &patch);
            let e = entries
                .iter_mut()
                .find(|e| e["registry_number"] == number)
                .unwrap();
            for (k, v) in patch.as_object().unwrap() {
                e[k] = v.clone();
            }
        }
        check_all(&entries);
        let reply = get(
            app,
            &app.http,
            "/api/v1/stats",
            &[("kind", "reserve"), ("group_by", "region")],
        );
        f.same(
            app,
            "reserve area by hand",
            reply.json["total"]["area_ha"].as_f64(),
            Some(4421.5),
        );
    });
    f.assert_none();
}

// ------------------------------------------------------------------------------ access

#[test]
fn anonymous_callers_never_see_the_head() {
    let f = Findings::default();
    each_backend(|app| {
        let mut theatre = registered("THR-000002");
        theatre["head"] = json!("Aygün Kazımova");
        app.create(&theatre);
        app.create(&registered("THR-000004"));
        patch_entry(app, "THR-000002", &json!({"head": "Tofiq Babayev"}));
        patch_entry(app, "THR-000004", &json!({"head": "Arif Şükürov"}));
        delete_entry(app, "THR-000004");
        let reader = app.client(Role::Reader);
        for (who, client, sees) in [
            ("anonymous", &app.anon, false),
            ("reader", &reader, true),
            ("admin", &app.http, true),
        ] {
            let reply = get(app, client, "/api/v1/entries", &[("q", "Dram")]);
            f.same(app, format!("{who}: search status"), reply.status, 200);
            let heads: Vec<Value> = reply.json["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|e| e["head"].clone())
                .collect();
            let want = if sees {
                vec![json!("Tofiq Babayev")]
            } else {
                vec![Value::Null]
            };
            f.same(app, format!("{who}: heads in search"), heads, want);
            let reply = get(app, client, "/api/v1/changes", &[("since", "0")]);
            f.same(app, format!("{who}: feed status"), reply.status, 200);
            let heads: Vec<Value> = reply.json["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|r| r["entry"]["head"].clone())
                .collect();
            // Created with a head, created without, both changed, one deleted.
            let want: Vec<Value> = if sees {
                vec![
                    json!("Aygün Kazımova"),
                    Value::Null,
                    json!("Tofiq Babayev"),
                    json!("Arif Şükürov"),
                    json!("Arif Şükürov"),
                ]
            } else {
                vec![Value::Null; 5]
            };
            f.same(app, format!("{who}: heads in the feed"), heads, want);
            if !sees {
                f.same(
                    app,
                    format!("{who}: no `head` member anywhere"),
                    reply.text.contains("\"head\""),
                    false,
                );
            }
        }
    });
    f.assert_none();
}

//! The single window at the library level: the Azerbaijani spelling traps, a filter and a
//! distance, and cursor pages that hold while entries are added — the same on every backend.

use super::*;
use diesel::RunQueryDsl;
use std::collections::BTreeSet;
use ucr_core::search::{BadSearch, Search, Sort};
use ucr_core::{Filter, Kind};

/// Two real museums of Quba, a music college in Şəki, which the fixtures lack, and the Juma
/// mosque of Ordubad with its name typed on a Cyrillic keyboard layout (`О`, `а` and `с`
/// are Cyrillic).
fn additions() -> Vec<Value> {
    vec![
        json!({
            "kind": "heritage_object", "registry_number": "HER-000020",
            "name": {"az": LOOK_ALIKE_NAME, "en": "Ordubad Juma Mosque"},
            "region": "AZ-ORD", "location": {"lat": 38.9067, "lon": 46.0236},
            "category": "immovable", "monument_type": "architecture", "significance": "national"
        }),
        json!({
            "kind": "museum", "registry_number": "MUS-000010",
            "name": {"az": "Quba Tarix-Diyarşünaslıq Muzeyi", "en": "Guba History and Local Lore Museum",
                     "ru": "Губинский историко-краеведческий музей"},
            "region": "AZ-QBA", "location": {"lat": 41.3616, "lon": 48.5131},
            "ownership": "state", "museum_profile": "local_lore"
        }),
        json!({
            "kind": "museum", "registry_number": "MUS-000011",
            "name": {"az": "Quba Soyqırımı Memorial Kompleksi", "en": "Guba Genocide Memorial Complex"},
            "region": "AZ-QBA", "location": {"lat": 41.3583, "lon": 48.5046},
            "ownership": "state", "founded_year": 2013, "museum_profile": "memorial"
        }),
        json!({
            "kind": "school", "registry_number": "SCH-000006",
            "name": {"az": "Şəki Musiqi Kolleci", "en": "Shaki Music College"},
            "region": "AZ-SA", "location": {"lat": 41.1935, "lon": 47.1745},
            "ownership": "state", "school_type": "secondary_special_music",
            "specialities": ["piano", "tar", "kamancha"]
        }),
    ]
}

/// Loads the fixtures and the additions; returns the registry numbers in creation order.
pub fn load(register: &Register) -> Vec<String> {
    let mut all = fixtures();
    all.extend(additions());
    all.into_iter()
        .map(|v| {
            let saved = register
                .create(v.clone(), &clerk())
                .unwrap_or_else(|e| panic!("{v}: {e:?}"));
            saved.entry.registry_number().to_string()
        })
        .collect()
}

/// "Ordubad Cümə məscidi" with Cyrillic letters that look Latin.
const LOOK_ALIKE_NAME: &str = "\u{041E}rdub\u{0430}d Cümə məs\u{0441}idi";

#[test]
fn a_name_typed_with_look_alike_letters_is_found_by_its_latin_spelling() {
    each_backend(|register| {
        load(register);
        let stored = register.get("HER-000020").unwrap();
        assert_eq!(
            stored.record.name.az.as_deref(),
            Some("Ordubad Cümə məscidi")
        );
        for text in [
            "Cümə",
            "Cume",
            "Juma",
            "Ordubad Cümə",
            "Juma Mosque",
            LOOK_ALIKE_NAME,
        ] {
            assert!(found(register, q(text)).contains("HER-000020"), "q={text}");
        }
        assert_eq!(found(register, q("Cume")), set(&["HER-000020"]));
        assert_eq!(
            found(register, q("\u{0421}üm\u{04D9}")),
            set(&["HER-000020"]),
            "a query typed the same way"
        );
    });
}

/// Every look-alike letter, inside a Latin word of a name, is stored as its Latin twin and the
/// name is found by its Latin spelling.
#[test]
fn every_look_alike_letter_is_stored_and_found_as_its_latin_twin() {
    let pairs = [
        ('а', 'a'),
        ('е', 'e'),
        ('о', 'o'),
        ('р', 'p'),
        ('с', 'c'),
        ('у', 'y'),
        ('х', 'x'),
        ('і', 'i'),
        ('ј', 'j'),
        ('һ', 'h'),
        ('ә', 'ə'),
        ('А', 'A'),
        ('В', 'B'),
        ('Е', 'E'),
        ('К', 'K'),
        ('М', 'M'),
        ('Н', 'H'),
        ('О', 'O'),
        ('Р', 'P'),
        ('С', 'C'),
        ('Т', 'T'),
        ('У', 'Y'),
        ('Х', 'X'),
        ('І', 'I'),
        ('Ј', 'J'),
        ('Һ', 'H'),
    ];
    each_backend(|register| {
        for (n, (cyrillic, latin)) in pairs.iter().enumerate() {
            // A word of its own per letter: "Zqb{n}" with the letter inside.
            let word = format!("Zq{cyrillic}b{n}");
            let saved = register
                .create(
                    json!({"kind": "theatre", "name": {"az": format!("Teatr {word}"), "en": "Theatre"},
                           "region": "AZ-BA", "ownership": "private", "theatre_type": "drama",
                           "location": {"lat": 40.37, "lon": 49.84}}),
                    &clerk(),
                )
                .unwrap();
            let stored = format!("Teatr Zq{latin}b{n}");
            assert_eq!(
                saved.entry.record.name.az.as_deref(),
                Some(stored.as_str()),
                "{cyrillic}"
            );
            assert_eq!(saved.notices.len(), 1, "{cyrillic}");
            assert_eq!(saved.notices[0].stored.as_deref(), Some(stored.as_str()));
            assert_eq!(
                found(register, q(&format!("Zq{latin}b{n}"))),
                set(&[saved.entry.registry_number()]),
                "{cyrillic}"
            );
        }
    });
}

fn set(numbers: &[&str]) -> BTreeSet<String> {
    numbers.iter().map(|n| n.to_string()).collect()
}

/// Every entry `search` finds (one page of up to 1000), checking the total.
fn found(register: &Register, search: Search) -> BTreeSet<String> {
    let found = register
        .search(&Search {
            limit: 1000,
            ..search
        })
        .unwrap()
        .unwrap();
    assert_eq!(found.next_cursor, None);
    assert_eq!(found.total, found.items.len() as i64);
    let numbers: BTreeSet<String> = found
        .items
        .iter()
        .map(|e| e.registry_number().to_string())
        .collect();
    assert_eq!(numbers.len(), found.items.len(), "an entry came twice");
    numbers
}

fn q(text: &str) -> Search {
    Search {
        q: Some(text.to_string()),
        ..Default::default()
    }
}

#[test]
fn spellings_find_the_same_entries() {
    each_backend(|register| {
        load(register);
        let cases: [(&[&str], &[&str]); 8] = [
            (
                &["seki", "Sheki", "Shaki", "Şəki", "ŞƏKİ", "Şǝki"],
                &["HER-000005", "HER-000008", "SCH-000006", "THR-000008"],
            ),
            (
                &["Ganja", "Gəncə"],
                &["MUS-000004", "RSV-000006", "THR-000007"],
            ),
            (&["Khinalig", "Xınalıq"], &["RSV-000007"]),
            (
                &["Quba", "Guba", "Qub", "Губинский"],
                &["MUS-000010", "MUS-000011"][..],
            ),
            (
                &["Icherisheher", "İçərişəhər", "İçəri", "Icheri"],
                &["HER-000007", "RSV-000001"],
            ),
            (&["muğ", "Mugham"], &["HER-000010"]),
            // An alternative name only.
            (&["United"], &["THR-000001"]),
            (&["Cabbarlı"], &["LIB-000004", "MUS-000006"]),
        ];
        // A query of no words is refused, not run.
        assert!(matches!(
            register.search(&q("!!!")).unwrap(),
            Err(BadSearch(_))
        ));
        for (spellings, want) in cases {
            for text in spellings {
                let want = if *text == "Губинский" {
                    set(&["MUS-000010"])
                } else {
                    set(want)
                };
                assert_eq!(found(register, q(text)), want, "q={text}");
            }
        }
    });
}

#[test]
fn filters_and_distance_narrow_a_search() {
    each_backend(|register| {
        load(register);
        let sheki = Search {
            filter: Filter {
                region: Some("AZ-SA".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            found(register, sheki.clone()),
            set(&[
                "HER-000005",
                "HER-000008",
                "RSV-000003",
                "SCH-000006",
                "THR-000008"
            ])
        );
        let heritage_of_sheki = Search {
            q: Some("Sheki".into()),
            filter: Filter {
                kind: Some(Kind::HeritageObject),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            found(register, heritage_of_sheki),
            set(&["HER-000005", "HER-000008"])
        );
        let guba = Search {
            filter: Filter {
                economic_region: Some("guba-khachmaz".into()),
                kind: Some(Kind::Museum),
                ..Default::default()
            },
            founded_from: Some(2000),
            ..Default::default()
        };
        assert_eq!(found(register, guba), set(&["MUS-000011"]));
        // Within 20 km of the centre of Baku: Ateshgah (about 15 km) and the three located in
        // the centre, the Maiden Tower (0.5 km), the Puppet and the Russian Drama theatres
        // (0.3 km each); within 5 km of Quba, both museums.
        let near = |lat, lon, r| Search {
            near: Some((lat, lon, r)),
            ..Default::default()
        };
        assert_eq!(
            found(register, near(40.37, 49.84, 20.0)),
            set(&["HER-000001", "HER-000003", "THR-000004", "THR-000006"])
        );
        assert_eq!(
            found(register, near(40.37, 49.84, 10.0)),
            set(&["HER-000001", "THR-000004", "THR-000006"])
        );
        assert_eq!(
            found(register, near(40.37, 49.84, 0.4)),
            set(&["THR-000004", "THR-000006"])
        );
        assert_eq!(
            found(register, near(41.36, 48.51, 5.0)),
            set(&["MUS-000010", "MUS-000011"])
        );
        let bbox = Search {
            bbox: Some([46.0, 40.5, 48.0, 41.5]),
            ..Default::default()
        };
        assert_eq!(found(register, bbox), set(&["SCH-000006"]));
    });
}

#[test]
fn cursor_pages_hold_while_entries_are_added() {
    each_backend(|register| {
        let created = load(register);
        let copies = ["THR-000002", "MUS-000001", "RSV-000002", "THR-000007"];
        let mut added = 0;
        for (sort, text) in [
            (Sort::Created, None),
            (Sort::CreatedDesc, None),
            (Sort::RegistryNumber, None),
            (Sort::Name, None),
            (Sort::Relevance, Some("Azərbaycan")),
            (Sort::Name, Some("dövlət teatr")),
        ] {
            let before: BTreeSet<String> = found(
                register,
                Search {
                    q: text.map(str::to_string),
                    ..Default::default()
                },
            );
            let mut seen: Vec<String> = Vec::new();
            let mut cursor = None;
            for _ in 0..200 {
                let page = register
                    .search(&Search {
                        q: text.map(str::to_string),
                        sort,
                        limit: 6,
                        cursor: cursor.clone(),
                        ..Default::default()
                    })
                    .unwrap()
                    .unwrap();
                seen.extend(page.items.iter().map(|e| e.registry_number().to_string()));
                cursor = page.next_cursor;
                if cursor.is_none() {
                    break;
                }
                // A copy of a real entry (under a new number) that every search here finds.
                let mut copy = fixtures()
                    .into_iter()
                    .find(|v| v["registry_number"] == copies[added % copies.len()])
                    .unwrap();
                copy.as_object_mut().unwrap().remove("registry_number");
                register.create(copy, &clerk()).unwrap();
                added += 1;
            }
            assert_eq!(cursor, None, "{sort:?}: no last page");
            let unique: BTreeSet<String> = seen.iter().cloned().collect();
            assert_eq!(
                unique.len(),
                seen.len(),
                "{sort:?} {text:?}: an entry came twice"
            );
            let missed: Vec<&String> = before.difference(&unique).collect();
            assert!(missed.is_empty(), "{sort:?} {text:?}: skipped {missed:?}");
            if sort == Sort::Created && text.is_none() {
                // Oldest first: the loaded entries in the order they were created.
                assert_eq!(seen[..created.len()], created[..]);
            }
        }
        assert!(added > 20, "{added}");
    });
}

/// Registry numbers and total of the first page of `search`.
fn page(register: &Register, search: &Search) -> (Vec<String>, i64) {
    let found = register
        .search(&Search {
            limit: 20,
            ..search.clone()
        })
        .unwrap()
        .unwrap();
    let numbers = found
        .items
        .iter()
        .map(|e| e.registry_number().to_string())
        .collect();
    (numbers, found.total)
}

/// Answers of recent searches are kept, and never outlive a change: a create, an update, a
/// delete, an import and an undo made through this register or through another one on the
/// same database (a second `ucr serve`) all show at once.
#[test]
fn kept_answers_never_outlive_a_change() {
    for scratch in Scratch::all().expect("scratch databases") {
        eprintln!("backend: {}", scratch.backend);
        let here = scratch.register();
        let other = Register::connect(&scratch.url, 2).unwrap();
        let uncached = Register::connect(&scratch.url, 2)
            .unwrap()
            .with_search_cache(0);
        load(here);
        let quba = q("Quba");
        let first = page(here, &quba);
        assert_eq!(first.1, 2);
        assert_eq!(page(here, &quba), first, "the kept answer is the answer");
        assert_eq!(page(&uncached, &quba), first);

        // A new museum of Quba, written by the other process.
        let created = other
            .create(
                json!({
                    "kind": "museum", "name": {"az": "Quba Xalça Muzeyi"},
                    "region": "AZ-QBA", "ownership": "state", "museum_profile": "art"
                }),
                &clerk(),
            )
            .unwrap();
        let number = created.entry.registry_number().to_string();
        let (numbers, total) = page(here, &quba);
        assert_eq!(total, 3, "{}", scratch.backend);
        assert!(numbers.contains(&number));
        assert_eq!(page(&uncached, &quba), (numbers.clone(), total));

        // Renamed away from Quba, here: gone from the answer.
        here.patch(
            &number,
            &json!({"name": {"az": "Xaçmaz Xalça Muzeyi"}}),
            &clerk(),
        )
        .unwrap();
        assert_eq!(page(here, &quba).1, 2);
        assert_eq!(page(here, &q("Xaçmaz")).0, vec![number.clone()]);

        // Deleted by the other process: gone from the kept answer to "Xaçmaz".
        other.delete(&number, &admin()).unwrap();
        assert_eq!(page(here, &q("Xaçmaz")), (vec![], 0));

        // An import, then its undo, both by the other process.
        let file = r#"{"kind": "museum", "name": {"az": "Quba Çörək Muzeyi"}, "region": "AZ-QBA", "ownership": "private", "museum_profile": "history"}"#;
        let id = import_ndjson(&other, "quba.ndjson", file.to_string());
        assert_eq!(page(here, &quba).1, 3);
        other.undo_import(&id, &admin()).unwrap();
        assert_eq!(page(here, &quba), first);

        // The answer is kept, not recomputed: a change made behind the register's back (not
        // through it, so the change sequence stays) shows to a register keeping no answers
        // only.
        let facets = |r: &Register| r.search(&quba).unwrap().unwrap().facets.status;
        let before = facets(here);
        assert_eq!(before.get("active"), Some(&2));
        diesel::sql_query(
            "UPDATE entries SET status = 'closed' WHERE registry_number = 'MUS-000010'",
        )
        .execute(&mut *here.connection().unwrap())
        .unwrap();
        assert_eq!(facets(here), before);
        let fresh = facets(&uncached);
        assert_eq!(
            (fresh.get("active"), fresh.get("closed")),
            (Some(&1), Some(&1))
        );
    }
}

/// The same search from many threads at once: one answer for all, equal to a search
/// computed alone.
#[test]
fn the_same_search_at_once_gets_one_answer() {
    each_backend(|register| {
        load(register);
        // Another spelling: another search, computed alone before.
        let want = page(register, &q("Şəki"));
        assert_eq!(want.1, 4);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| page(register, &q("Sheki"))))
                .collect();
            for h in handles {
                assert_eq!(h.join().unwrap(), want);
            }
        });
    });
}

/// Imports `text` (NDJSON) through `register`; returns the import's id.
pub fn import_ndjson(register: &Register, name: &str, text: String) -> String {
    let report = register
        .import(
            vec![ucr_core::bulk::Source {
                name: name.into(),
                reader: Box::new(std::io::Cursor::new(text.into_bytes())),
                format: ucr_core::bulk::read::Format::Ndjson,
            }],
            &ucr_core::bulk::Options {
                mode: ucr_core::bulk::Mode::Create,
                match_on: Default::default(),
                dialect: Default::default(),
                atomic: true,
                dry_run: false,
                kind: None,
                writer: clerk(),
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(report.rejected, 0, "{name}");
    report.import_id.unwrap().to_string()
}

/// Every search of `searches`, walked page by page, answered by the tables and by the
/// index kept in memory: the same pages, totals, facets and cursors.
fn same_answers(tables: &Register, index: &Register, searches: &[Search], backend: &str) {
    for search in searches {
        let mut cursor = None;
        for n in 0.. {
            let s = Search {
                cursor: cursor.clone(),
                ..search.clone()
            };
            let want = tables.search(&s).unwrap();
            let got = index.search(&s).unwrap();
            let (want, got) = match (want, got) {
                (Ok(want), Ok(got)) => (want, got),
                (Err(want), Err(got)) => {
                    assert_eq!(want, got, "{backend}: {s:?}");
                    break;
                }
                (want, got) => panic!("{backend}: {s:?}: {:?} against {:?}", want.err(), got.err()),
            };
            assert_eq!(
                serde_json::to_value(&got).unwrap(),
                serde_json::to_value(&want).unwrap(),
                "{backend}: page {n} of {s:?}"
            );
            cursor = want.next_cursor;
            if cursor.is_none() || n == 4 {
                break;
            }
        }
    }
}

/// The searches the index must answer as the tables do: the spelling traps, prefixes, whole
/// names (the top score), words of thousands of entries, every filter, each order.
fn searches() -> Vec<Search> {
    let mut texts: Vec<String> = [
        "seki",
        "Sheki",
        "Şəki",
        "Quba",
        "Qub",
        "Губинский",
        "United",
        "Ganja",
        "Khinalig",
        "Cume",
        LOOK_ALIKE_NAME,
        "teatr",
        "Teatrı",
        "kitabxana",
        "muzey",
        "nizami",
        "nizami seki",
        "sabir quba",
        "s",
        "ba",
        "No",
        "12",
        "dövlət dram teatrı",
        "dram dram",
        "xyzzy",
        "Icheri",
        "!!!",
        "Mərkəzi Kitabxana",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    // Whole names of real entries.
    texts.extend(
        fixtures()
            .iter()
            .take(12)
            .map(|v| v["name"]["az"].as_str().unwrap().to_string()),
    );
    let mut all = Vec::new();
    for text in &texts {
        for (sort, limit) in [
            (Sort::Relevance, 7),
            (Sort::Created, 25),
            (Sort::CreatedDesc, 3),
        ] {
            all.push(Search {
                q: Some(text.clone()),
                sort,
                limit,
                ..Default::default()
            });
        }
    }
    let q = |t: &str| Some(t.to_string());
    let only = |text: &str, filter: Filter| Search {
        q: q(text),
        filter,
        ..Default::default()
    };
    let none = Filter::default;
    let filtered = [
        only(
            "teatr",
            Filter {
                kind: Some(Kind::Theatre),
                ..none()
            },
        ),
        only(
            "a",
            Filter {
                region: Some("AZ-SA".into()),
                ..none()
            },
        ),
        only(
            "e",
            Filter {
                region: Some("AZ-XX".into()),
                ..none()
            },
        ),
        only(
            "kitabxana",
            Filter {
                economic_region: Some("absheron-khizi".into()),
                ..none()
            },
        ),
        only(
            "muzey",
            Filter {
                status: Some(ucr_core::Status::Active),
                ownership: Some(ucr_core::vocab::Ownership::Municipal),
                ..none()
            },
        ),
        only(
            "d",
            Filter {
                type_word: Some("drama".into()),
                ..none()
            },
        ),
        Search {
            founded_from: Some(1950),
            founded_to: Some(1960),
            ..only("m", none())
        },
        Search {
            bbox: Some([49.0, 40.0, 50.0, 40.6]),
            ..only("b", none())
        },
        Search {
            near: Some((41.19, 47.17, 30.0)),
            ..only("e", none())
        },
        Search {
            near: Some((41.19, 47.17, 0.0)),
            ..only("e", none())
        },
        Search {
            bbox: Some([50.0, 40.0, 49.0, 40.6]),
            ..only("e", none())
        },
        Search {
            cursor: Some("00".into()),
            ..only("e", none())
        },
        // Orders the index leaves to the tables.
        Search {
            sort: Sort::Name,
            limit: 5,
            ..only("teatr", none())
        },
        Search {
            sort: Sort::RegistryNumber,
            limit: 5,
            ..only("teatr", none())
        },
    ];
    all.extend(filtered.into_iter().map(|s| Search {
        limit: if s.limit == 0 { 11 } else { s.limit },
        ..s
    }));
    all
}

/// The index kept in memory answers every search exactly as the tables do, also after
/// creates, updates, deletes, an import and its undo made by another process; and it is
/// really the index answering: a change made behind the register's back (raw SQL, the
/// sequence standing still) shows in the tables' answer only.
#[test]
fn the_index_in_memory_answers_as_the_tables_do() {
    for scratch in Scratch::all().expect("scratch databases") {
        let backend = scratch.backend;
        let tables = scratch.register();
        load(tables);
        let synthetic: String = (0..1500)
            .map(|n| format!("{}\n", ucr_core::synthetic::entry(n, 11)))
            .collect();
        import_ndjson(tables, "synthetic.ndjson", synthetic);
        let tables = Register::connect(&scratch.url, 2)
            .unwrap()
            .with_search_cache(0);
        let index = Register::connect(&scratch.url, 2)
            .unwrap()
            .with_search_cache(0)
            .with_search_index();
        let other = Register::connect(&scratch.url, 2).unwrap();
        index.prepare_search_index().unwrap();
        let searches = searches();
        same_answers(&tables, &index, &searches, backend);

        // Changes by another process: a create, renames, a status change, a delete, an import.
        let created = other
            .create(
                json!({"kind": "museum", "name": {"az": "Quba Xalça Muzeyi", "en": "Guba Carpet Museum"},
                       "region": "AZ-QBA", "ownership": "municipal", "museum_profile": "art",
                       "location": {"lat": 41.36, "lon": 48.51}, "founded_year": 1955}),
                &clerk(),
            )
            .unwrap();
        let number = created.entry.registry_number().to_string();
        other
            .patch(
                "THR-0000001",
                &json!({"name": {"az": "Şəki Yay Teatrı"}}),
                &clerk(),
            )
            .unwrap();
        other
            .patch("SCH-000006", &json!({"status": "suspended"}), &clerk())
            .unwrap();
        other.delete("LIB-00000010", &admin()).unwrap();
        let more: String = (1500..1600)
            .map(|n| format!("{}\n", ucr_core::synthetic::entry(n, 11)))
            .collect();
        let imported = import_ndjson(&other, "more.ndjson", more);
        same_answers(&tables, &index, &searches, backend);
        // Its whole name ranks it first.
        assert_eq!(
            page(&index, &q("Guba Carpet Museum")).0.first(),
            Some(&number)
        );

        other.undo_import(&imported, &admin()).unwrap();
        other
            .patch(
                &number,
                &json!({"name": {"az": "Xaçmaz Xalça Muzeyi", "en": null}, "region": "AZ-XAC"}),
                &clerk(),
            )
            .unwrap();
        same_answers(&tables, &index, &searches, backend);
        assert!(!page(&index, &q("Guba Carpet Museum")).0.contains(&number));
        assert_eq!(
            page(&index, &q("Xaçmaz Xalça Muzeyi")).0.first(),
            Some(&number)
        );

        // Behind the register's back: the index does not see it, the tables do.
        let closed = |r: &Register| {
            r.search(&q("Quba"))
                .unwrap()
                .unwrap()
                .facets
                .status
                .get("closed")
                .copied()
        };
        diesel::sql_query(
            "UPDATE entries SET status = 'closed' WHERE registry_number = 'MUS-000010'",
        )
        .execute(&mut *tables.connection().unwrap())
        .unwrap();
        assert_eq!(
            (closed(&tables), closed(&index)),
            (Some(1), None),
            "{backend}"
        );
    }
}

/// A NUL character, which PostgreSQL refuses in any text it is sent, in a key or a filter of a
/// read finds nothing on both backends instead of failing in the database.
#[test]
fn nul_characters_in_reads_find_nothing() {
    each_backend(|register| {
        load(register);
        let nul = "AZ-\u{0}SA".to_string();
        for filter in [
            Filter {
                region: Some(nul.clone()),
                ..Default::default()
            },
            Filter {
                economic_region: Some("sheki\u{0}".into()),
                ..Default::default()
            },
            Filter {
                type_word: Some("drama\u{0}".into()),
                ..Default::default()
            },
        ] {
            let listing = register.list(&filter, 10, None).unwrap();
            assert_eq!((listing.total, listing.items.len()), (0, 0));
            let search = Search {
                filter: filter.clone(),
                ..Default::default()
            };
            assert_eq!(found(register, search), set(&[]));
        }
        assert!(matches!(
            register.get("MUS-0000\u{0}1"),
            Err(RegisterError::NotFound(_))
        ));
        assert!(matches!(
            register.history("MUS-0000\u{0}1"),
            Err(RegisterError::NotFound(_))
        ));
        assert!(matches!(
            register.import_record("0193\u{0}"),
            Err(RegisterError::NotFound(_))
        ));
        assert!(matches!(
            register.revoke_token("clerk\u{0}"),
            Err(RegisterError::NotFound(_))
        ));
    });
}

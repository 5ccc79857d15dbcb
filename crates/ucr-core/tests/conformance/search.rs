//! The single window at the library level: the Azerbaijani spelling traps, a filter and a
//! distance, and cursor pages that hold while entries are added — the same on every backend.

use super::*;
use std::collections::BTreeSet;
use ucr_core::search::{BadSearch, Search, Sort};
use ucr_core::{Filter, Kind};

/// Two real museums of Quba and a music college in Şəki, which the fixtures lack.
fn additions() -> Vec<Value> {
    vec![
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
fn load(register: &Register) -> Vec<String> {
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
        // Within 20 km of the centre of Baku: Ateshgah (about 15 km) only, of the located
        // entries; within 5 km of Quba, both museums.
        let near = |lat, lon, r| Search {
            near: Some((lat, lon, r)),
            ..Default::default()
        };
        assert_eq!(
            found(register, near(40.37, 49.84, 20.0)),
            set(&["HER-000003"])
        );
        assert_eq!(found(register, near(40.37, 49.84, 10.0)), set(&[]));
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

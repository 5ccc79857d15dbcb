use super::*;

#[test]
fn registry_numbers_are_assigned_in_sequence_per_kind() {
    each_backend(|register| {
        let a = register.create(theatre(), &clerk()).unwrap().entry;
        let b = register.create(theatre(), &clerk()).unwrap().entry;
        let m = register.create(museum(), &clerk()).unwrap().entry;
        assert_eq!(a.registry_number(), "THR-000001");
        assert_eq!(b.registry_number(), "THR-000002");
        assert_eq!(m.registry_number(), "MUS-000001");
        let mut t = theatre();
        t["registry_number"] = json!("THR-000010");
        register.create(t, &clerk()).unwrap();
        let next = register.create(theatre(), &clerk()).unwrap().entry;
        assert_eq!(next.registry_number(), "THR-000011");
        assert_eq!(a.version, 1);
        assert_eq!(a.id.get_version_num(), 7);
    });
}

#[test]
fn a_taken_registry_number_is_a_duplicate() {
    each_backend(|register| {
        let mut t = theatre();
        t["registry_number"] = json!("THR-000001");
        register.create(t.clone(), &clerk()).unwrap();
        let result = register.create(t, &clerk());
        assert!(matches!(result, Err(RegisterError::Duplicate(_))));
        assert_eq!(
            error_pairs(result),
            vec![("/registry_number".to_string(), Code::Duplicate)]
        );
        assert_eq!(
            register.list(&Default::default(), 10, None).unwrap().total,
            1
        );
    });
}

#[test]
fn isil_is_unique_ignoring_case() {
    each_backend(|register| {
        let library = json!({
            "kind": "library",
            "name": {"az": "Mirzə Fətəli Axundov adına Azərbaycan Milli Kitabxanası", "en": "Mirza Fatali Akhundov National Library of Azerbaijan"},
            "region": "AZ-BA", "ownership": "state", "library_type": "national", "isil": "AZ-BaNL"
        });
        register.create(library.clone(), &clerk()).unwrap();
        let mut other = library.clone();
        other["isil"] = json!("az-banl");
        assert_eq!(
            error_pairs(register.create(other, &clerk())),
            vec![("/isil".to_string(), Code::Duplicate)]
        );
        let mut third = library;
        third["isil"] = json!("AZ-BaNL2");
        register.create(third, &clerk()).unwrap();
    });
}

#[test]
fn inventory_numbers_are_unique_within_their_list() {
    each_backend(|register| {
        let mut a = monument("");
        a.as_object_mut().unwrap().remove("reserve_id");
        a["inventory_number"] = json!("2.1");
        register.create(a.clone(), &clerk()).unwrap();
        assert_eq!(
            error_pairs(register.create(a.clone(), &clerk())),
            vec![("/inventory_number".to_string(), Code::Duplicate)]
        );
        // Same number in another list (local significance) is fine.
        let mut local = a.clone();
        local["significance"] = json!("local");
        register.create(local, &clerk()).unwrap();
        // Movable objects: unique within their museum.
        let m1 = register.create(museum(), &clerk()).unwrap().entry;
        let m2 = register.create(museum(), &clerk()).unwrap().entry;
        let carpet = |museum: &str| {
            json!({"kind": "heritage_object", "category": "movable", "name": {"az": "Şirvan xalçası", "en": "Shirvan carpet"},
                   "region": "AZ-BA", "museum_id": museum, "inventory_number": "X-17", "materials": ["yun"]})
        };
        register
            .create(carpet(m1.registry_number()), &clerk())
            .unwrap();
        register
            .create(carpet(&m2.id.to_string()), &clerk())
            .unwrap();
        assert_eq!(
            error_pairs(register.create(carpet(m1.registry_number()), &clerk())),
            vec![("/inventory_number".to_string(), Code::Duplicate)]
        );
    });
}

/// The registry numbers of the entries a list and a search find by one inventory number.
fn filed_under(register: &Register, number: &str) -> (Vec<String>, Vec<String>) {
    let filter = ucr_core::Filter {
        inventory_number: Some(ucr_core::query::inventory_number(number)),
        ..Default::default()
    };
    let listed = register
        .list(&filter, 100, None)
        .unwrap()
        .items
        .iter()
        .map(|e| e.registry_number().to_string())
        .collect();
    let found = register
        .search(&ucr_core::search::Search {
            filter,
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .unwrap()
        .items
        .iter()
        .map(|e| e.registry_number().to_string())
        .collect();
    (listed, found)
}

#[test]
fn state_list_numbers_in_every_form_are_stored_one_way_and_each_is_unique() {
    each_backend(|register| {
        let numbered = |name: &str, number: &str| {
            let mut m = monument("");
            m.as_object_mut().unwrap().remove("reserve_id");
            m["name"] = json!({"az": name, "en": name});
            m["significance"] = json!("national");
            m["location"] = json!({"lat": 40.3661, "lon": 49.8372});
            m["inventory_number"] = json!(number);
            m
        };
        // Each form, as stored, with the notice of what changed.
        for (name, given, stored) in [
            ("Bir", "2", "2"),
            ("İki", "2.1", "2.1"),
            ("Üç", "93-2", "93-2"),
            ("Dörd", "4996-15", "4996-15"),
            ("Beş", "26\u{2014}33", "26-33"),
            ("Altı", "27\u{2013}1", "27-1"),
            ("Yeddi", "71, 70,73 , 69", "71, 70, 73, 69"),
            ("Səkkiz", "5291, 390", "5291, 390"),
        ] {
            let saved = register.create(numbered(name, given), &clerk()).unwrap();
            assert_eq!(
                saved.entry.to_json()["inventory_number"],
                json!(stored),
                "{given}"
            );
            let again = register.get(saved.entry.registry_number()).unwrap();
            assert_eq!(again.to_json()["inventory_number"], json!(stored));
            let notices: Vec<(String, String, String, String)> = saved
                .notices
                .iter()
                .map(|p| {
                    (
                        p.field.clone(),
                        p.code.to_string(),
                        p.given.clone().unwrap(),
                        p.stored.clone().unwrap(),
                    )
                })
                .collect();
            let want = if given.trim() == stored {
                vec![]
            } else {
                vec![(
                    "/inventory_number".to_string(),
                    "normalized_dash".to_string(),
                    given.to_string(),
                    stored.to_string(),
                )]
            };
            assert_eq!(notices, want, "{given}");
            assert_eq!(saved.warnings.len(), 0, "{:?}", saved.warnings);
        }
        // A complex is found by any of its numbers, in lists and searches; a dash in the
        // filter reads as a hyphen.
        for n in ["71", "70", "73", "69"] {
            let both = (
                vec!["HER-000007".to_string()],
                vec!["HER-000007".to_string()],
            );
            assert_eq!(filed_under(register, n), both, "{n}");
        }
        assert_eq!(
            filed_under(register, "26\u{2014}33").0,
            vec!["HER-000005".to_string()]
        );
        assert_eq!(
            filed_under(register, "390").0,
            vec!["HER-000008".to_string()]
        );
        assert_eq!(filed_under(register, "7").0, Vec::<String>::new());
        // Each number of a complex is taken in its list, alone or in another complex.
        for taken in ["70", "1, 73", "26-33", "26\u{2013}33"] {
            let refused = register.create(numbered("Doqquz", taken), &clerk());
            assert_eq!(
                error_pairs(refused),
                vec![("/inventory_number".to_string(), Code::Duplicate)],
                "{taken}"
            );
        }
        match register.create(numbered("Doqquz", "1, 73"), &clerk()) {
            Err(RegisterError::Duplicate(p)) => assert_eq!(
                p[0].message,
                "inventory number 73 is already used by HER-000007 in the same list"
            ),
            other => panic!("{other:?}"),
        }
        // In another list (local significance) the same numbers are free.
        let mut local = numbered("On", "70");
        local["significance"] = json!("local");
        register.create(local, &clerk()).unwrap();
        // A complex that gives up a number frees it; a deleted one frees all.
        register
            .patch(
                "HER-000007",
                &json!({"inventory_number": "71, 73, 69"}),
                &clerk(),
            )
            .unwrap();
        // Now only the local monument holds 70.
        assert_eq!(
            filed_under(register, "70").0,
            vec!["HER-000009".to_string()]
        );
        register.create(numbered("On bir", "70"), &clerk()).unwrap();
        register.delete("HER-000007", &admin()).unwrap();
        register
            .create(numbered("On iki", "69, 71"), &clerk())
            .unwrap();
        assert_eq!(filed_under(register, "73").0, Vec::<String>::new());
        // A load: a row taking a number another row of the same load took is refused.
        let rows = [numbered("Bir", "400"), numbered("İki", "401, 400")]
            .iter()
            .map(|v| format!("{v}\n"))
            .collect::<String>();
        let report = register
            .import(
                vec![ucr_core::bulk::Source {
                    name: "list.ndjson".into(),
                    reader: Box::new(std::io::Cursor::new(rows.into_bytes())),
                    format: ucr_core::bulk::read::Format::Ndjson,
                }],
                &ucr_core::bulk::Options {
                    mode: ucr_core::bulk::Mode::Create,
                    match_on: Default::default(),
                    dialect: Default::default(),
                    atomic: false,
                    dry_run: false,
                    kind: None,
                    writer: clerk(),
                },
                &mut |_| {},
            )
            .unwrap();
        assert_eq!((report.created, report.rejected), (1, 1));
        assert_eq!(report.rows[0].line, 2);
        let errors: Vec<&str> = report.rows[0]
            .problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(
            errors,
            ["inventory number 400 is already used by HER-000012 in the same list"]
        );
        // The refused row's numbers are filed under nobody.
        assert_eq!(
            filed_under(register, "400").0,
            vec!["HER-000012".to_string()]
        );
        assert_eq!(filed_under(register, "401").0, Vec::<String>::new());
    });
}

use super::*;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use ucr_core::Status;

#[test]
fn merge_patch_changes_and_removes_fields() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let patch = json!({"seats": 250, "contacts": null, "halls": 2});
        let saved = register.patch(&t.id.to_string(), &patch, &clerk()).unwrap();
        let got = saved.entry.to_json();
        assert_eq!(got["seats"], json!(250));
        assert_eq!(got["halls"], json!(2));
        assert!(got.get("contacts").is_none());
        assert_eq!(saved.entry.version, 2);
        assert_eq!(saved.entry.created_at, t.created_at);
        assert_eq!(
            error_pairs(register.patch(&t.id.to_string(), &json!({"kind": "museum"}), &clerk())),
            vec![("/kind".to_string(), Code::Immutable)]
        );
        assert_eq!(
            error_pairs(register.patch(
                &t.id.to_string(),
                &json!({"registry_number": "THR-000999"}),
                &clerk()
            )),
            vec![("/registry_number".to_string(), Code::Immutable)]
        );
        assert_eq!(
            error_pairs(register.patch(
                &t.id.to_string(),
                &json!({"seats": 0, "halls": 99}),
                &clerk()
            )),
            vec![
                ("/halls".to_string(), Code::OutOfRange),
                ("/seats".to_string(), Code::OutOfRange)
            ]
        );
        assert_eq!(register.get(&t.id.to_string()).unwrap().version, 2);
    });
}

#[test]
fn replace_accepts_the_entry_as_read() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let mut body = t.to_json();
        body["seats"] = json!(300);
        let saved = register
            .replace(&t.id.to_string(), body, &clerk().at_version(1))
            .unwrap();
        assert_eq!(saved.entry.to_json()["seats"], json!(300));
        assert_eq!(saved.entry.registry_number(), t.registry_number());
        let mut forged = saved.entry.to_json();
        forged["id"] = json!(uuid::Uuid::now_v7().to_string());
        assert_eq!(
            error_pairs(register.replace(&t.id.to_string(), forged, &clerk())),
            vec![("/id".to_string(), Code::Immutable)]
        );
    });
}

#[test]
fn a_closed_entry_returns_only_through_an_admin() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let key = t.id.to_string();
        assert_eq!(
            error_pairs(register.set_status(&key, Status::Closed, None, &clerk())),
            vec![("/closed_on".to_string(), Code::Required)]
        );
        let day = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
        let closed = register
            .set_status(&key, Status::Closed, Some(day), &clerk())
            .unwrap();
        assert_eq!(closed.entry.record.status, Status::Closed);
        assert!(matches!(
            register.set_status(&key, Status::Active, None, &clerk()),
            Err(RegisterError::Forbidden {
                action: ucr_core::Action::Reinstate,
                ..
            })
        ));
        let reopened = register
            .set_status(&key, Status::Active, None, &admin())
            .unwrap();
        assert_eq!(reopened.entry.record.status, Status::Active);
        assert_eq!(reopened.entry.record.closed_on, None);
        let ops: Vec<_> = register
            .history(&key)
            .unwrap()
            .iter()
            .map(|r| r.operation.as_str())
            .collect();
        assert_eq!(ops, vec!["create", "status_change", "status_change"]);
    });
}

#[test]
fn lists_filter_and_page() {
    each_backend(|register| {
        for value in fixtures() {
            register.create(value, &clerk()).unwrap();
        }
        let theatres = ucr_core::Filter {
            kind: Some(ucr_core::Kind::Theatre),
            ..Default::default()
        };
        let first = register.list(&theatres, 5, None).unwrap();
        assert_eq!(first.total, 12);
        assert_eq!(first.items.len(), 5);
        let second = register
            .list(&theatres, 5, first.next_cursor.as_deref())
            .unwrap();
        let third = register
            .list(&theatres, 5, second.next_cursor.as_deref())
            .unwrap();
        assert_eq!(third.items.len(), 2);
        assert_eq!(third.next_cursor, None);
        let numbers: Vec<_> = [first, second, third]
            .iter()
            .flat_map(|p| p.items.iter().map(|e| e.registry_number().to_string()))
            .collect();
        let expected: Vec<_> = (1..=12).map(|n| format!("THR-{n:06}")).collect();
        assert_eq!(numbers, expected);
        let shaki = ucr_core::Filter {
            economic_region: Some("shaki-zagatala".into()),
            ..Default::default()
        };
        let listing = register.list(&shaki, 100, None).unwrap();
        // Exactly the fixtures in a unit of the economic region, by the core's own table.
        let in_shaki = |region: Option<&str>| {
            region
                .and_then(ucr_core::regions::unit)
                .is_some_and(|u| u.economic_region == "shaki-zagatala")
        };
        let want: BTreeSet<String> = fixtures()
            .iter()
            .filter(|v| in_shaki(v["region"].as_str()))
            .map(|v| v["registry_number"].as_str().unwrap().to_string())
            .collect();
        let got: BTreeSet<String> = listing
            .items
            .iter()
            .map(|e| e.registry_number().to_string())
            .collect();
        assert_eq!(
            got,
            set(&["HER-000005", "HER-000008", "RSV-000003", "THR-000008"])
        );
        assert_eq!(got, want);
        assert_eq!(listing.total, 4);
        let puppets = ucr_core::Filter {
            kind: Some(ucr_core::Kind::Theatre),
            type_word: Some("puppet".into()),
            status: Some(Status::Active),
            ..Default::default()
        };
        assert_eq!(register.list(&puppets, 100, None).unwrap().total, 1);
    });
}

fn set(numbers: &[&str]) -> BTreeSet<String> {
    numbers.iter().map(|n| n.to_string()).collect()
}

use super::*;

#[test]
fn every_real_entity_loads_without_a_false_error() {
    each_backend(|register| {
        let all = fixtures();
        assert_eq!(all.len(), 58);
        for value in all {
            let number = value["registry_number"].as_str().unwrap().to_string();
            let saved = register
                .create(value.clone(), &clerk())
                .unwrap_or_else(|e| panic!("{number}: {e:?}"));
            assert_eq!(saved.entry.registry_number(), number);
            assert!(saved.warnings.iter().all(|w| !w.is_error()));
        }
        let listing = register.list(&Default::default(), 100, None).unwrap();
        assert_eq!(listing.total, 58);
        // References given as registry numbers are stored as ids.
        let tower = register.get("HER-000001").unwrap();
        let icherisheher = register.get("RSV-000001").unwrap();
        assert_eq!(
            tower.to_json()["reserve_id"],
            json!(icherisheher.id.to_string())
        );
        assert_eq!(tower.economic_region.as_deref(), Some("baku"));
    });
}

#[test]
fn warnings_are_stored_and_reported() {
    each_backend(|register| {
        let mut t = theatre();
        t["name"].as_object_mut().unwrap().remove("en");
        t.as_object_mut().unwrap().remove("location");
        let saved = register.create(t, &clerk()).unwrap();
        let mut warned: Vec<_> = saved
            .warnings
            .iter()
            .map(|w| (w.field.as_str(), w.code))
            .collect();
        warned.sort();
        assert_eq!(
            warned,
            vec![
                ("/location", Code::Required),
                ("/name/en", Code::Required),
                ("/tax_id", Code::Required)
            ]
        );
        assert_eq!(
            register.get(saved.entry.registry_number()).unwrap(),
            saved.entry
        );
    });
}

#[test]
fn input_is_normalised_before_storage() {
    each_backend(|register| {
        let mut t = theatre();
        t["name"]["az"] = json!("  Kǝngǝrli Dövlət Teatrı ");
        t["region"] = json!("AZ-KAN");
        t["contacts"] = json!({"phone": "(012) 493 40 03"});
        t["address"] = json!({"locality": "Xırdalan", "postal_code": "AZ 0100"});
        t["location"] = json!({"lat": 39.4, "lon": 45.3});
        let saved = register.create(t, &clerk()).unwrap();
        let got = register.get(&saved.entry.id.to_string()).unwrap().to_json();
        assert_eq!(got["name"]["az"], json!("Kəngərli Dövlət Teatrı"));
        assert_eq!(got["contacts"]["phone"], json!("+994124934003"));
        assert_eq!(got["address"]["postal_code"], json!("AZ0100"));
        assert_eq!(got["economic_region"], json!("nakhchivan"));
    });
}

#[test]
fn open_creates_a_wal_database_with_foreign_keys() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    let scratch = Scratch::sqlite().unwrap();
    let mut conn = scratch.register().connection().unwrap();
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Fk {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        foreign_keys: i32,
    }
    conn.batch_execute("SELECT 1").unwrap();
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut *conn)
        .unwrap();
    let fk: Fk = diesel::sql_query("PRAGMA foreign_keys")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
    assert_eq!(fk.foreign_keys, 1);
    // Migrating again applies nothing.
    assert_eq!(scratch.register().migrate().unwrap(), Vec::<String>::new());
}

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

use super::*;

#[test]
fn a_movable_object_must_name_a_museum() {
    each_backend(|register| {
        let theatre = register.create(theatre(), &clerk()).unwrap().entry;
        let object = |museum_id: &str| {
            json!({"kind": "heritage_object", "category": "movable", "name": {"az": "Təbriz xalçası", "en": "Tabriz carpet"},
                   "region": "AZ-BA", "museum_id": museum_id})
        };
        assert_eq!(
            error_pairs(register.create(object(theatre.registry_number()), &clerk())),
            vec![("/museum_id".to_string(), Code::WrongReferenceKind)]
        );
        assert_eq!(
            error_pairs(register.create(object("MUS-000404"), &clerk())),
            vec![("/museum_id".to_string(), Code::UnknownReference)]
        );
        let museum = register.create(museum(), &clerk()).unwrap().entry;
        let saved = register.create(object("mus-000001"), &clerk());
        // Registry numbers are matched as written by clerks: upper case.
        assert!(saved.is_ok(), "{saved:?}");
        let stored = saved.unwrap().entry.to_json();
        assert_eq!(stored["museum_id"], json!(museum.id.to_string()));
    });
}

#[test]
fn a_monument_reserve_must_be_a_reserve() {
    each_backend(|register| {
        let museum = register.create(museum(), &clerk()).unwrap().entry;
        assert_eq!(
            error_pairs(register.create(monument(museum.registry_number()), &clerk())),
            vec![("/reserve_id".to_string(), Code::WrongReferenceKind)]
        );
    });
}

#[test]
fn parents_are_of_the_same_kind_and_form_no_cycle() {
    each_backend(|register| {
        let a = register.create(theatre(), &clerk()).unwrap().entry;
        let mut child = theatre();
        child["parent_id"] = json!(a.registry_number());
        let b = register.create(child, &clerk()).unwrap().entry;
        let mut grandchild = theatre();
        grandchild["parent_id"] = json!(b.id.to_string());
        let c = register.create(grandchild, &clerk()).unwrap().entry;
        // a → c would close a → c → b → a.
        let patch = json!({"parent_id": c.registry_number()});
        assert_eq!(
            error_pairs(register.patch(&a.id.to_string(), &patch, &clerk())),
            vec![("/parent_id".to_string(), Code::CrossField)]
        );
        // An entry cannot be its own parent.
        let own = json!({"parent_id": a.registry_number()});
        assert_eq!(
            error_pairs(register.patch(a.registry_number(), &own, &clerk())),
            vec![("/parent_id".to_string(), Code::CrossField)]
        );
        let m = register.create(museum(), &clerk()).unwrap().entry;
        let wrong = json!({"parent_id": m.registry_number()});
        assert_eq!(
            error_pairs(register.patch(a.registry_number(), &wrong, &clerk())),
            vec![("/parent_id".to_string(), Code::WrongReferenceKind)]
        );
        assert_eq!(register.get(a.registry_number()).unwrap().version, 1);
    });
}

#[test]
fn a_referenced_entry_cannot_be_deleted() {
    each_backend(|register| {
        let reserve = register.create(reserve(), &clerk()).unwrap().entry;
        let tower = register
            .create(monument(reserve.registry_number()), &clerk())
            .unwrap()
            .entry;
        match register.delete(reserve.registry_number(), &admin()) {
            Err(RegisterError::Referenced { referrers }) => {
                assert_eq!(referrers, vec![tower.registry_number().to_string()])
            }
            other => panic!("expected Referenced, got {other:?}"),
        }
        assert!(register.get(reserve.registry_number()).is_ok());
        register.delete(tower.registry_number(), &admin()).unwrap();
        register
            .delete(reserve.registry_number(), &admin())
            .unwrap();
        assert!(matches!(
            register.get(reserve.registry_number()),
            Err(RegisterError::NotFound(_))
        ));
    });
}

//! Harvests (OAI-PMH) on every backend: a list paged on the change sequence keeps its size and
//! its order while entries are added, changed and deleted between pages; deleted entries stay
//! records; sets and time bounds pick the right records.

use super::{admin, clerk, each_backend, fixtures};
use std::collections::BTreeMap;
use ucr_core::oai::{Bound, Harvest, HarvestError};

fn start(set: Option<&str>) -> Harvest {
    Harvest::Start {
        prefix: "oai_dc".into(),
        set: set.map(str::to_string),
        from: None,
        until: None,
    }
}

#[test]
fn a_harvest_is_consistent_while_the_register_changes() {
    each_backend(|r| {
        for f in fixtures() {
            r.create(f, &clerk()).unwrap();
        }
        let first = r.harvest(&start(None), 10).unwrap();
        assert_eq!(first.size, 58);
        assert_eq!(first.cursor, 0);
        assert_eq!(first.records.len(), 10);
        // Between pages: one entry already delivered changes, one not yet delivered is
        // deleted, one is added.
        let delivered = first.records[0].entry.registry_number().to_string();
        let later = "HER-000019";
        let e = r.get(&delivered).unwrap();
        r.patch(
            &delivered,
            &serde_json::json!({"name": {"ru": "Изменено"}}),
            &clerk().at_version(e.version),
        )
        .unwrap();
        r.delete(later, &admin()).unwrap();
        let mut added = fixtures()[0].clone();
        added.as_object_mut().unwrap().remove("registry_number");
        added["name"]["az"] = "Yeni teatr".into();
        added["name"].as_object_mut().unwrap().remove("en");
        r.create(added, &clerk()).unwrap();

        let mut seen: BTreeMap<String, i64> = BTreeMap::new();
        let mut page = first;
        let mut pages = 1;
        loop {
            for rec in &page.records {
                let n = rec.entry.registry_number().to_string();
                assert!(seen.insert(n.clone(), rec.version).is_none(), "{n} twice");
            }
            let Some(token) = page.next.clone() else {
                break;
            };
            page = r.harvest(&Harvest::Resume(token), 10).unwrap();
            assert_eq!(page.size, 58, "the list keeps its size");
            pages += 1;
            assert!(pages <= 6, "a bounded number of pages");
        }
        assert_eq!(pages, 6);
        // Exactly the register as it stood when the harvest began.
        assert_eq!(seen.len(), 58);
        assert_eq!(seen[&delivered], 1, "delivered before its change");
        assert_eq!(seen[later], 1, "as it stood, not yet deleted");
        assert!(!seen.contains_key("THR-000013"));

        // A new harvest sees the change, the deletion (as a record) and the new entry.
        let mut now: BTreeMap<String, (i64, bool)> = BTreeMap::new();
        let mut h = start(None);
        for _ in 0..10 {
            let p = r.harvest(&h, 25).unwrap();
            for rec in &p.records {
                now.insert(
                    rec.entry.registry_number().to_string(),
                    (rec.version, ucr_core::oai::is_deleted(rec)),
                );
            }
            match p.next {
                Some(t) => h = Harvest::Resume(t),
                None => break,
            }
        }
        assert_eq!(now.len(), 59);
        assert_eq!(now[&delivered], (2, false));
        assert_eq!(now[later], (2, true));
        assert_eq!(now["THR-000013"], (1, false));
    });
}

#[test]
fn sets_bounds_and_refusals() {
    each_backend(|r| {
        for f in fixtures() {
            r.create(f, &clerk()).unwrap();
        }
        assert_eq!(r.harvest(&start(Some("theatre")), 100).unwrap().size, 12);
        assert_eq!(
            r.harvest(&start(Some("heritage_object")), 100)
                .unwrap()
                .size,
            19
        );
        let immovable = r
            .harvest(&start(Some("heritage_object:immovable")), 100)
            .unwrap();
        assert_eq!(immovable.size, 9);
        assert!(immovable.next.is_none());
        assert!(matches!(
            r.harvest(&start(Some("heritage_object:movable")), 100),
            Err(HarvestError::NoRecordsMatch)
        ));
        assert!(matches!(
            r.harvest(&start(Some("gallery")), 100),
            Err(HarvestError::BadArgument(_))
        ));
        let future = Harvest::Start {
            prefix: "oai_dc".into(),
            set: None,
            from: Bound::parse("2999-01-01"),
            until: None,
        };
        assert!(matches!(
            r.harvest(&future, 100),
            Err(HarvestError::NoRecordsMatch)
        ));
        let past = Harvest::Start {
            prefix: "oai_dc".into(),
            set: None,
            from: Bound::parse("2000-01-01"),
            until: Bound::parse("2999-01-01"),
        };
        assert_eq!(r.harvest(&past, 100).unwrap().size, 58);
        let mixed = Harvest::Start {
            prefix: "oai_dc".into(),
            set: None,
            from: Bound::parse("2000-01-01"),
            until: Bound::parse("2999-01-01T00:00:00Z"),
        };
        assert!(matches!(
            r.harvest(&mixed, 100),
            Err(HarvestError::BadArgument(_))
        ));
        let format = Harvest::Start {
            prefix: "marc21".into(),
            set: None,
            from: None,
            until: None,
        };
        assert!(matches!(
            r.harvest(&format, 100),
            Err(HarvestError::CannotDisseminateFormat(_))
        ));
        for bad in ["", "zz", "5b5d"] {
            assert!(matches!(
                r.harvest(&Harvest::Resume(bad.into()), 100),
                Err(HarvestError::BadResumptionToken)
            ));
        }
        // A deleted entry's record is its delete, found by registry number.
        r.delete("MUS-000009", &admin()).unwrap();
        let rec = r.record("MUS-000009").unwrap().unwrap();
        assert!(ucr_core::oai::is_deleted(&rec));
        assert!(r.record("MUS-999999").unwrap().is_none());
    });
}

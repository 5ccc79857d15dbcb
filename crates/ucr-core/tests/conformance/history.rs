use super::*;
use ucr_core::Operation;

#[test]
fn every_change_writes_a_revision_and_a_deleted_entry_stays_in_history() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let key = t.id.to_string();
        register
            .patch(&key, &json!({"seats": 220}), &clerk().because("recount"))
            .unwrap();
        let deleted = register.delete(&key, &admin().at_version(2)).unwrap();
        assert_eq!(deleted.operation, Operation::Delete);
        let history = register.history(&key).unwrap();
        let summary: Vec<_> = history
            .iter()
            .map(|r| {
                (
                    r.version,
                    r.operation,
                    r.actor.as_str(),
                    r.reason.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, Operation::Create, "clerk-ana", None),
                (2, Operation::Update, "clerk-ana", Some("recount")),
                (3, Operation::Delete, "admin-elvin", None),
            ]
        );
        // The deleted entry's last state is kept, and found by its registry number too.
        assert_eq!(history[2].entry.to_json()["seats"], json!(220));
        let by_number = register.history(t.registry_number()).unwrap();
        assert_eq!(by_number.len(), 3);
        assert_eq!(
            register.revision(&key, 1).unwrap().entry.to_json()["seats"],
            json!(210)
        );
        assert!(matches!(
            register.revision(&key, 9),
            Err(RegisterError::NotFound(_))
        ));
        assert!(matches!(
            register.get(&key),
            Err(RegisterError::NotFound(_))
        ));
    });
}

#[test]
fn the_change_sequence_is_strictly_increasing_and_gapless() {
    each_backend(|register| {
        let a = register.create(theatre(), &clerk()).unwrap().entry;
        let b = register.create(museum(), &clerk()).unwrap().entry;
        register
            .patch(&a.id.to_string(), &json!({"seats": 1}), &clerk())
            .unwrap();
        // A refused write takes no number.
        let refused = register.patch(&b.id.to_string(), &json!({"items_total": -1}), &clerk());
        assert!(
            matches!(&refused, Err(RegisterError::Invalid(p)) if p.iter().any(|p| p.field == "/items_total")),
            "{refused:?}"
        );
        register.delete(&b.id.to_string(), &admin()).unwrap();
        let changes = register.changes(0, 100).unwrap();
        let seqs: Vec<_> = changes.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3, 4]);
        let ids: Vec<_> = changes.iter().map(|r| r.entry_id).collect();
        assert_eq!(ids, vec![a.id, b.id, a.id, b.id]);
        let later: Vec<_> = register
            .changes(2, 100)
            .unwrap()
            .iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(later, vec![3, 4]);
        let limited: Vec<_> = register
            .changes(0, 2)
            .unwrap()
            .iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(limited, vec![1, 2]);
    });
}

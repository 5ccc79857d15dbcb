use super::*;
use ucr_core::{Entry, Operation};

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

/// (version, whether the revision stores a body) of an entry's revisions, as stored.
fn stored_bodies(register: &Register, id: &str) -> Vec<(i64, bool)> {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Bool, Text};
    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = BigInt)]
        version: i64,
        #[diesel(sql_type = Bool)]
        stored: bool,
    }
    let mut conn = register.connection().unwrap();
    let query = "SELECT version, body IS NOT NULL AS stored FROM revisions \
                 WHERE entry_id = $1 ORDER BY seq";
    let query = match &*conn {
        ucr_core::store::connection::Db::Sqlite(_) => query.replace("$1", "?"),
        ucr_core::store::connection::Db::Pg(_) => query.to_string(),
    };
    let rows: Vec<Stored> = diesel::sql_query(query)
        .bind::<Text, _>(id)
        .load(&mut *conn)
        .unwrap();
    rows.into_iter().map(|r| (r.version, r.stored)).collect()
}

fn run_sql(register: &Register, sql: &str) {
    use diesel::connection::SimpleConnection;
    register.connection().unwrap().batch_execute(sql).unwrap();
}

#[test]
fn each_state_is_stored_once_and_history_reads_every_body() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let key = t.id.to_string();
        // The current version's body is the entry's own row.
        assert_eq!(stored_bodies(register, &key), vec![(1, false)]);
        assert_eq!(register.history(&key).unwrap()[0].entry, t);

        let v2 = register
            .patch(&key, &json!({"seats": 220}), &clerk())
            .unwrap()
            .entry;
        assert_eq!(stored_bodies(register, &key), vec![(1, true), (2, false)]);
        let v3 = register
            .patch(&key, &json!({"seats": 230}), &clerk())
            .unwrap()
            .entry;
        assert_eq!(
            stored_bodies(register, &key),
            vec![(1, true), (2, true), (3, false)]
        );
        let states: Vec<Entry> = register
            .history(&key)
            .unwrap()
            .into_iter()
            .map(|r| r.entry)
            .collect();
        assert_eq!(states, vec![t.clone(), v2.clone(), v3.clone()]);
        // The feed reads the same states.
        let feed: Vec<Entry> = register
            .changes(0, 100)
            .unwrap()
            .into_iter()
            .map(|r| r.entry)
            .collect();
        assert_eq!(feed, states);

        // A deleted entry has no row: every state is in its revisions.
        register.delete(&key, &admin()).unwrap();
        assert_eq!(
            stored_bodies(register, &key),
            vec![(1, true), (2, true), (3, true), (4, true)]
        );
        let history = register.history(&key).unwrap();
        assert_eq!(history[2].entry, v3);
        assert_eq!(history[3].entry.to_json()["seats"], json!(230));
        assert_eq!(history[3].version, 4);

        // A body missing where the entry moved on is an error, not a wrong state.
        let m = register.create(museum(), &clerk()).unwrap().entry;
        let mkey = m.id.to_string();
        register
            .patch(&mkey, &json!({"founded_year": 1921}), &clerk())
            .unwrap();
        run_sql(
            register,
            &format!("UPDATE revisions SET body = NULL WHERE entry_id = '{mkey}' AND version = 1"),
        );
        match register.history(&mkey) {
            Err(RegisterError::Database(m)) => assert!(
                m.starts_with("revision ")
                    && m.ends_with(&format!("of entry {mkey} has no stored body")),
                "{m}"
            ),
            other => panic!("expected a database error, got {other:?}"),
        }
    });
}

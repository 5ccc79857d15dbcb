//! The role each operation needs is enforced by the register itself (SPEC §6): a program that
//! embeds the library and writes as a clerk cannot delete, undo an import or reinstate a closed
//! entry, and a reader cannot write at all. Refused operations write nothing.

use super::*;
use chrono::NaiveDate;
use ucr_core::bulk::read::Format;
use ucr_core::bulk::{Mode, Options, Source};
use ucr_core::{Action, Status};

fn reader() -> Write {
    Write::by("reader-leyla", Role::Reader)
}

/// The refusal of `action` to `w`, or a description of what happened instead.
fn refused<T: std::fmt::Debug>(result: Result<T, RegisterError>) -> (Action, String, Role) {
    match result {
        Err(RegisterError::Forbidden {
            action,
            actor,
            role,
        }) => (action, actor, role),
        other => panic!("expected a refusal for the role, got {other:?}"),
    }
}

fn sequence(register: &Register) -> i64 {
    register.changes(0, 1000).unwrap().len() as i64
}

fn one_theatre_file() -> Vec<u8> {
    let mut bytes = serde_json::to_vec(&theatre()).unwrap();
    bytes.push(b'\n');
    bytes
}

fn load_options(writer: Write) -> Options {
    Options {
        mode: Mode::Create,
        match_on: Default::default(),
        dialect: Default::default(),
        atomic: true,
        dry_run: false,
        kind: None,
        writer,
    }
}

fn load_as(
    register: &Register,
    writer: Write,
) -> Result<ucr_core::bulk::ImportReport, RegisterError> {
    let bytes = one_theatre_file();
    let sources = vec![Source {
        name: "theatre.ndjson".into(),
        reader: Box::new(std::io::Cursor::new(bytes)),
        format: Format::Ndjson,
    }];
    register.import(sources, &load_options(writer), &mut |_| {})
}

#[test]
fn a_reader_cannot_write() {
    each_backend(|register| {
        let saved = register.create(theatre(), &clerk()).unwrap().entry;
        let key = saved.id.to_string();
        let before = sequence(register);

        assert_eq!(
            refused(register.create(theatre(), &reader())),
            (Action::Create, "reader-leyla".to_string(), Role::Reader)
        );
        assert_eq!(
            refused(register.patch(&key, &json!({"seats": 300}), &reader())).0,
            Action::Change
        );
        assert_eq!(
            refused(register.replace(&key, theatre(), &reader())).0,
            Action::Change
        );
        assert_eq!(
            refused(register.set_status(&key, Status::Suspended, None, &reader())).0,
            Action::Change
        );
        assert_eq!(refused(load_as(register, reader())).0, Action::Load);
        assert_eq!(sequence(register), before, "nothing was written");
        assert_eq!(register.get(&key).unwrap().version, 1);
        assert!(register.imports().unwrap().is_empty());
    });
}

#[test]
fn a_clerk_cannot_delete_undo_or_reinstate() {
    each_backend(|register| {
        let report = load_as(register, clerk()).unwrap();
        let import_id = report.import_id.unwrap().to_string();
        let loaded = register.get("THR-000001").unwrap();
        let key = loaded.id.to_string();
        let day = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
        register
            .set_status(&key, Status::Closed, Some(day), &clerk())
            .unwrap();
        let before = sequence(register);

        let delete = refused(register.delete(&key, &clerk()));
        assert_eq!(
            delete,
            (Action::Delete, "clerk-ana".to_string(), Role::Clerk)
        );
        assert_eq!(
            RegisterError::Forbidden {
                action: delete.0,
                actor: delete.1,
                role: delete.2
            }
            .to_string(),
            "deleting an entry needs the role admin; clerk-ana writes as a clerk"
        );
        assert_eq!(
            refused(register.undo_import(&import_id, &clerk())).0,
            Action::UndoImport
        );
        let reinstate = register.set_status(&key, Status::Active, None, &clerk());
        assert_eq!(refused(reinstate).0, Action::Reinstate);
        let reinstate = register.patch(
            &key,
            &json!({"status": "suspended", "closed_on": null}),
            &clerk(),
        );
        assert_eq!(refused(reinstate).0, Action::Reinstate);

        assert_eq!(sequence(register), before, "nothing was written");
        assert_eq!(register.get(&key).unwrap().record.status, Status::Closed);
        assert_eq!(
            register.import_record(&import_id).unwrap().status,
            "committed"
        );

        // A change that also breaks a field rule is an invalid entry, not a refusal for the role.
        assert_eq!(
            error_pairs(register.patch(
                &key,
                &json!({"status": "active", "closed_on": null, "seats": 0}),
                &clerk()
            )),
            vec![("/seats".to_string(), Code::OutOfRange)]
        );

        // An admin may do all three.
        register
            .set_status(&key, Status::Active, None, &admin())
            .unwrap();
        // (the import's entry changed since, so even an admin's undo is refused: for that reason)
        assert!(matches!(
            register.undo_import(&import_id, &admin()),
            Err(RegisterError::ChangedSince { .. })
        ));
        register.delete(&key, &admin()).unwrap();
        assert!(matches!(
            register.get(&key),
            Err(RegisterError::NotFound(_))
        ));
    });
}

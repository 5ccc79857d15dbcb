//! The migrated database of each backend matches the committed `schema.rs`, and every
//! migration runs up, down and up again.

use super::*;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use ucr_core::store::connection::{redo, Db};

/// Views `schema.rs` declares as tables, for reading: their columns are the expressions of
/// their definition, not stored ones (see
/// `the_revision_log_reads_every_body_across_its_migration`).
const VIEWS: [&str; 1] = ["revision_log"];

/// (table, column, diesel type, nullable) as `schema.rs` declares them.
fn declared() -> Vec<(String, String, String, bool)> {
    let text = include_str!("../../src/store/schema.rs");
    let mut out = Vec::new();
    let mut table = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix('{') {
            let name = rest.split_whitespace().next().unwrap_or_default();
            if name != "diesel::table!" {
                table = (!VIEWS.contains(&name)).then(|| name.to_string());
            }
            continue;
        }
        if let (Some(t), Some((column, ty))) = (&table, line.split_once("->")) {
            let ty = ty.trim().trim_end_matches(',');
            let nullable = ty.starts_with("Nullable<");
            let inner = ty
                .trim_start_matches("Nullable<")
                .trim_end_matches('>')
                .to_string();
            out.push((t.clone(), column.trim().to_string(), inner, nullable));
        }
    }
    out.sort();
    out
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    nullable: i32,
}

/// The columns the migrated database has, with types mapped to diesel's names.
fn actual(conn: &mut Db) -> Vec<(String, String, String, bool)> {
    let query = match conn {
        Db::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
             CASE WHEN p.\"notnull\" = 1 OR p.pk = 1 THEN 0 ELSE 1 END AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name NOT LIKE 'entry_search%' \
             AND m.name <> '__diesel_schema_migrations'"
        }
        Db::Pg(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             data_type::text AS data_type, CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations' \
             AND table_name NOT IN (SELECT table_name FROM information_schema.views)"
        }
    };
    let rows: Vec<Column> = diesel::sql_query(query).load(conn).unwrap();
    let mut out: Vec<_> = rows
        .into_iter()
        .map(|c| {
            let ty = match c.data_type.to_lowercase().as_str() {
                "text" => "Text",
                "bigint" => "BigInt",
                "integer" => "Integer",
                "double precision" => "Double",
                "timestamp" | "timestamp without time zone" => "Timestamp",
                "boolean" => "Bool",
                other => panic!(
                    "{}.{} has type {other}, which schema.rs cannot name",
                    c.table_name, c.column_name
                ),
            };
            (c.table_name, c.column_name, ty.to_string(), c.nullable == 1)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn migrated_database_matches_schema_rs_and_migrations_redo() {
    // entries 30, revisions 9, inventory_numbers 3, counters 2, imports 14, tokens 5 columns:
    // the whole file was read.
    assert_eq!(declared().len(), 63);
    for scratch in Scratch::all().unwrap() {
        let mut conn = scratch.register().connection().unwrap();
        assert_eq!(actual(&mut conn), declared(), "backend {}", scratch.backend);
        // Down and up again: the schema is the same, and the register works on it.
        redo(&mut conn, None).unwrap();
        assert_eq!(
            actual(&mut conn),
            declared(),
            "backend {} after redo",
            scratch.backend
        );
        drop(conn);
        let saved = scratch.register().create(theatre(), &clerk()).unwrap();
        assert_eq!(saved.entry.registry_number(), "THR-000001");
    }
}

#[test]
fn the_revision_log_reads_every_body_across_its_migration() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let key = t.id.to_string();
        register
            .patch(&key, &json!({"seats": 220}), &clerk())
            .unwrap();
        let m = register.create(museum(), &clerk()).unwrap().entry;
        register.delete(&m.id.to_string(), &admin()).unwrap();
        let feed = register.changes(0, 100).unwrap();
        assert_eq!(feed.len(), 4);
        // Only the theatre's current version reads its body from the entry.
        assert_eq!(bodies_not_stored(register), 1);

        // Down: every revision gets its body back (the column is NOT NULL again) and keeps
        // it through up; the same history, and writes go on.
        let mut conn = register.connection().unwrap();
        redo(&mut conn, Some("20261121000006")).unwrap();
        assert_eq!(actual(&mut conn), declared());
        drop(conn);
        assert_eq!(bodies_not_stored(register), 0);
        assert_eq!(register.changes(0, 100).unwrap(), feed);
        let of_theatre: Vec<_> = feed
            .iter()
            .filter(|r| r.entry_id == t.id)
            .cloned()
            .collect();
        assert_eq!(of_theatre.len(), 2);
        assert_eq!(register.history(&key).unwrap(), of_theatre);
        register
            .patch(&key, &json!({"seats": 230}), &clerk())
            .unwrap();
        let history = register.history(&key).unwrap();
        assert_eq!(history.len(), 3);
        assert_eq!(history[1].entry.to_json()["seats"], json!(220));
        assert_eq!(history[2].entry.to_json()["seats"], json!(230));
        assert_eq!(bodies_not_stored(register), 1);
    });
}

/// Revisions that store no body of their own.
fn bodies_not_stored(register: &Register) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = register.connection().unwrap();
    let counted: Count =
        diesel::sql_query("SELECT COUNT(*) AS n FROM revisions WHERE body IS NULL")
            .get_result(&mut *conn)
            .unwrap();
    counted.n
}

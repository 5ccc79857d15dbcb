//! Indexes set aside while a load fills an empty register.
//!
//! Maintaining a dozen secondary indexes and the full-text index row by row costs a load into
//! an empty register more than building them once from the finished table (a sort each).
//! Such a load drops them inside its transaction and creates them again, from the very
//! definitions the database held, just before it commits. The transaction makes this
//! invisible: a rolled-back load (a dry run, a rejected atomic load, a crash) gets the
//! indexes back with the rows it never wrote; readers of SQLite see the register as it was
//! until the commit; on PostgreSQL they wait for the commit (the drop locks the tables), which
//! is only ever the case while the register is empty.
//!
//! Unique indexes stay: they hold the register's constraints and answer the load's own
//! lookups (registry numbers, ids, ISILs, inventory numbers).

use super::connection::Db;
use super::schema::entries;
use crate::error::RegisterError;
use diesel::prelude::*;
use diesel::sql_types::Text;

/// What was set aside: the statements that create it again.
pub(crate) struct SetAside {
    create: Vec<String>,
}

#[derive(QueryableByName)]
struct Definition {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// The full-text index of SQLite, filled by this trigger row by row.
const SEARCH_TRIGGER: &str = "entries_search_insert";

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Drops the secondary indexes (and SQLite's full-text trigger) when the register holds no
/// entry; returns how to create them again. Not for a dry run on PostgreSQL, which would keep
/// readers waiting for nothing. Where they cannot be set aside (another session holds the
/// tables longer than a few seconds; the database role does not own them), the load keeps
/// them in step row by row.
pub(crate) fn set_aside(c: &mut Db, dry_run: bool) -> Result<Option<SetAside>, RegisterError> {
    if dry_run && matches!(c, Db::Pg(_)) {
        return Ok(None);
    }
    let any: Option<String> = entries::table.select(entries::id).first(c).optional()?;
    if any.is_some() {
        return Ok(None);
    }
    // In a savepoint: a refusal leaves the load's transaction as it was.
    match c.transaction(drop_secondary) {
        Ok(set) => Ok(Some(set)),
        Err(e) => {
            tracing::warn!(error = %e, "indexes kept during the load");
            Ok(None)
        }
    }
}

fn drop_secondary(c: &mut Db) -> Result<SetAside, RegisterError> {
    if let Db::Pg(_) = c {
        // Both tables at once, in the order a reader of `revision_log` takes them: dropping
        // their indexes one by one could otherwise deadlock with such a reader, which would
        // hold `revisions` while waiting for `entries`.
        diesel::sql_query("SET LOCAL lock_timeout = '5s'").execute(c)?;
        diesel::sql_query("LOCK TABLE revisions, entries IN ACCESS EXCLUSIVE MODE").execute(c)?;
        diesel::sql_query("SET LOCAL lock_timeout TO DEFAULT").execute(c)?;
    }
    let definitions: Vec<Definition> = match c {
        Db::Sqlite(_) => diesel::sql_query(format!(
            "SELECT type AS kind, name, sql FROM sqlite_master \
             WHERE tbl_name IN ('entries', 'revisions') AND sql IS NOT NULL \
             AND ((type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%') OR name = '{SEARCH_TRIGGER}') \
             ORDER BY name"
        ))
        .load(c)?,
        Db::Pg(_) => diesel::sql_query(
            "SELECT 'index' AS kind, indexname AS name, indexdef AS sql FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN ('entries', 'revisions') \
             AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname",
        )
        .load(c)?,
    };
    let mut create = Vec::with_capacity(definitions.len() + 1);
    for d in definitions {
        let drop = match d.kind.as_str() {
            "trigger" => "DROP TRIGGER",
            _ => "DROP INDEX",
        };
        diesel::sql_query(format!("{drop} {}", quoted(&d.name))).execute(c)?;
        create.push(d.sql);
    }
    if create.iter().any(|s| s.contains(SEARCH_TRIGGER)) {
        create.push("INSERT INTO entry_search(entry_search) VALUES ('rebuild')".to_string());
    }
    if let Db::Pg(_) = c {
        // Index builds sort in memory up to this much (for this transaction only).
        diesel::sql_query("SET LOCAL maintenance_work_mem = '256MB'").execute(c)?;
    }
    Ok(SetAside { create })
}

impl SetAside {
    /// Creates again what was set aside, from the rows now in the tables.
    pub(crate) fn restore(self, c: &mut Db) -> Result<(), RegisterError> {
        if let Db::Pg(_) = c {
            // PostgreSQL builds no index on a table with reference checks pending: they are
            // made now, as the commit would.
            diesel::sql_query("SET CONSTRAINTS ALL IMMEDIATE").execute(c)?;
        }
        for sql in self.create {
            diesel::sql_query(sql).execute(c)?;
        }
        Ok(())
    }
}

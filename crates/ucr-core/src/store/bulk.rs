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
//! lookups (registry numbers, ids, ISILs, inventory numbers). The index of name keys answers
//! the look for possible duplicates among the rows already written, which only rows without
//! a registry number need: it is created again as soon as the first such row comes (from the
//! rows written until then), and is not kept row by row for a list whose every row has its
//! number.

use super::connection::{self, Db};
use super::schema::entries;
use crate::error::RegisterError;
use diesel::prelude::*;
use diesel::sql_types::Text;

/// What was set aside: the statements that create it again.
pub(crate) struct SetAside {
    create: Vec<String>,
    /// The index of name keys, until a row needs it.
    name_keys: Option<String>,
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

/// The index a chunk with rows without registry numbers reads (possible duplicates).
const NAME_KEY_INDEX: &str = "entries_name_key";

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Drops the secondary indexes (and SQLite's full-text trigger) when the register holds no
/// entry; returns how to create them again. Not for a dry run on PostgreSQL, which would keep
/// readers waiting for nothing. Where they cannot be set aside (another session holds the
/// tables longer than a few seconds; the database role does not own them), the load keeps
/// them in step row by row.
pub(crate) fn set_aside(c: &mut Db, dry_run: bool) -> Result<Option<SetAside>, RegisterError> {
    if dry_run && connection::is_pg(c) {
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
    connection::lock_for_index_drop(c)?;
    let definitions: Vec<Definition> =
        diesel::sql_query(connection::secondary_index_definitions(c, SEARCH_TRIGGER)).load(c)?;
    let mut create = Vec::with_capacity(definitions.len() + 1);
    let mut name_keys = None;
    for d in definitions {
        let drop = match d.kind.as_str() {
            "trigger" => "DROP TRIGGER",
            _ => "DROP INDEX",
        };
        diesel::sql_query(format!("{drop} {}", quoted(&d.name))).execute(c)?;
        if d.name == NAME_KEY_INDEX {
            name_keys = Some(d.sql);
        } else {
            create.push(d.sql);
        }
    }
    if create.iter().any(|s| s.contains(SEARCH_TRIGGER)) {
        create.push("INSERT INTO entry_search(entry_search) VALUES ('rebuild')".to_string());
    }
    connection::before_index_builds(c)?;
    Ok(SetAside { create, name_keys })
}

impl SetAside {
    /// Creates the index of name keys again, if it is still set aside: rows about to be
    /// checked for possible duplicates read it.
    pub(crate) fn need_name_keys(&mut self, c: &mut Db) -> Result<(), RegisterError> {
        if let Some(sql) = self.name_keys.take() {
            connection::before_index_restore(c)?;
            diesel::sql_query(sql).execute(c)?;
            connection::after_index_build(c)?;
        }
        Ok(())
    }

    /// Creates again what was set aside, from the rows now in the tables.
    pub(crate) fn restore(self, c: &mut Db) -> Result<(), RegisterError> {
        connection::before_index_restore(c)?;
        for sql in self.create.into_iter().chain(self.name_keys) {
            diesel::sql_query(sql).execute(c)?;
        }
        Ok(())
    }
}

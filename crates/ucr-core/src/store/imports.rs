//! The record of loads (`imports`) and what undoing one reads: the import's own revisions,
//! the entries changed since, the states before. Each is one statement over every entry of
//! the import (or of a range of its revisions), so an undo reads in time linear in its size.

use super::connection::Db;
use super::rows::{entry_from_body, logged_body};
use super::schema::{imports, revisions};
use crate::error::RegisterError;
use crate::model::Entry;
use crate::vocab::Operation;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use std::collections::HashMap;

/// A load to record.
#[derive(Insertable)]
#[diesel(table_name = imports)]
pub(crate) struct NewImport<'a> {
    pub id: &'a str,
    pub actor: &'a str,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    /// The files, as a JSON array of names.
    pub files: String,
    pub mode: &'a str,
    pub atomic: bool,
    pub status: &'a str,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
}

/// Records a load.
pub(crate) fn record(c: &mut Db, import: &NewImport<'_>) -> Result<(), RegisterError> {
    diesel::insert_into(imports::table)
        .values(import)
        .execute(c)?;
    Ok(())
}

/// A row of the imports table, as read.
#[derive(Queryable)]
pub(crate) struct ImportRow {
    pub id: String,
    pub actor: String,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    pub files: String,
    pub mode: String,
    pub atomic: bool,
    pub status: String,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub undone_at: Option<NaiveDateTime>,
    pub undone_by: Option<String>,
}

/// Every recorded import, newest first.
pub(crate) fn all(c: &mut Db) -> Result<Vec<ImportRow>, RegisterError> {
    Ok(imports::table.order(imports::id.desc()).load(c)?)
}

/// The import with this id.
pub(crate) fn find(c: &mut Db, id: &str) -> Result<Option<ImportRow>, RegisterError> {
    if !super::connection::can_match(id) {
        return Ok(None);
    }
    Ok(imports::table
        .filter(imports::id.eq(id))
        .first(c)
        .optional()?)
}

/// Marks an import undone, by `actor`, now; returns its record.
pub(crate) fn mark_undone(c: &mut Db, id: &str, actor: &str) -> Result<ImportRow, RegisterError> {
    diesel::update(imports::table.filter(imports::id.eq(id)))
        .set((
            imports::status.eq("undone"),
            imports::undone_at.eq(Some(super::naive_now())),
            imports::undone_by.eq(Some(actor)),
        ))
        .execute(c)?;
    Ok(imports::table.filter(imports::id.eq(id)).first(c)?)
}

/// A revision an import wrote.
pub(crate) struct Own {
    /// Its place in the change sequence.
    pub seq: i64,
    /// The entry it changed.
    pub entry_id: String,
    /// Whether it created the entry.
    pub created: bool,
}

/// The revisions the import wrote, in sequence order.
pub(crate) fn own_revisions(c: &mut Db, id: &str) -> Result<Vec<Own>, RegisterError> {
    let rows: Vec<(i64, String, bool)> = revisions::table
        .filter(revisions::import_id.eq(id))
        .order(revisions::seq.asc())
        .select((
            revisions::seq,
            revisions::entry_id,
            revisions::operation.eq(Operation::Create.as_str()),
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(seq, entry_id, created)| Own {
            seq,
            entry_id,
            created,
        })
        .collect())
}

/// An entry in its last state, as `revision_log` gives it.
#[derive(QueryableByName)]
pub(crate) struct LastState {
    #[diesel(sql_type = Text)]
    pub entry_id: String,
    /// The body of its last revision (none where it was lost).
    #[diesel(sql_type = Nullable<Text>)]
    pub body: Option<String>,
}

/// The entries of an import that have a revision later than the import's last one of them,
/// each with the body of its last revision. In no particular order.
pub(crate) fn changed_since(c: &mut Db, id: &str) -> Result<Vec<LastState>, RegisterError> {
    Ok(diesel::sql_query(
        "WITH own AS (
             SELECT entry_id, MAX(seq) AS own_last FROM revisions WHERE import_id = $1
             GROUP BY entry_id),
         later AS (
             SELECT own.entry_id, MAX(r.seq) AS last_seq FROM own
             JOIN revisions r ON r.entry_id = own.entry_id AND r.seq > own.own_last
             GROUP BY own.entry_id)
         SELECT l.entry_id, l.body FROM later JOIN revision_log l ON l.seq = later.last_seq",
    )
    .bind::<Text, _>(id)
    .load(c)?)
}

/// The state an entry had before a revision of an import.
#[derive(QueryableByName)]
pub(crate) struct StateBefore {
    /// The import's revision.
    #[diesel(sql_type = BigInt)]
    pub of_seq: i64,
    #[diesel(sql_type = Text)]
    pub entry_id: String,
    /// The revision before it, which holds the state.
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    /// Its body (none where it was lost).
    #[diesel(sql_type = Nullable<Text>)]
    pub body: Option<String>,
}

/// States before revisions of an import, by the import's revision.
#[derive(Default)]
pub(crate) struct StatesBefore(HashMap<i64, StateBefore>);

impl StatesBefore {
    /// The state of an entry before the import's revision `of_seq` of it.
    pub(crate) fn take(&mut self, of_seq: i64, entry_id: &str) -> Result<Entry, RegisterError> {
        let state = self
            .0
            .remove(&of_seq)
            .filter(|s| s.entry_id == entry_id)
            .ok_or(diesel::result::Error::NotFound)?;
        entry_from_body(&logged_body(state.seq, entry_id, state.body)?)
    }
}

/// For each revision numbered `from..=to` by which the import changed an entry it did not
/// create: the revision of that entry before it.
pub(crate) fn states_before(
    c: &mut Db,
    id: &str,
    from: i64,
    to: i64,
) -> Result<StatesBefore, RegisterError> {
    // The import is matched by an expression, not by its index: the range of the sequence
    // is the way in (each range would otherwise read every revision of the import).
    let states: Vec<StateBefore> = diesel::sql_query(
        "SELECT f.seq AS of_seq, l.entry_id, l.seq, l.body FROM revisions f
         JOIN revision_log l ON l.seq = (
             SELECT MAX(p.seq) FROM revisions p WHERE p.entry_id = f.entry_id AND p.seq < f.seq)
         WHERE f.seq >= $1 AND f.seq <= $2 AND COALESCE(f.import_id, '') = $3
         AND f.operation <> $4",
    )
    .bind::<BigInt, _>(from)
    .bind::<BigInt, _>(to)
    .bind::<Text, _>(id)
    .bind::<Text, _>(Operation::Create.as_str())
    .load(c)?;
    Ok(StatesBefore(
        states.into_iter().map(|s| (s.of_seq, s)).collect(),
    ))
}

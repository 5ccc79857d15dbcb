//! Many entries at a time: what a load reads ahead of a chunk of entries and writes for it
//! (multi-row statements on SQLite, `COPY` on PostgreSQL), and the removal of many entries by
//! an undo. A caller passes at most [`IN_LIST`] keys per call.

use super::connection::{self, Db};
use super::rows::{EntryRow, RevisionRow};
use super::schema::{entries, inventory_numbers, revisions};
use super::{remove, Counters};
use crate::change::Write;
use crate::error::RegisterError;
use crate::model::Entry;
use crate::store::write::body_of;
use crate::store::write::revision_row;
use crate::vocab::Operation;
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};

/// Keys per statement: SQLite binds at most 32 766 parameters, and the referrers of a removal
/// name each key three times.
pub(crate) const IN_LIST: usize = 1000;

/// An entry as a reference sees it: id, kind, registry number, parent id.
pub(crate) type Holder = (String, String, String, Option<String>);

const HOLDER: (
    entries::id,
    entries::kind,
    entries::registry_number,
    entries::parent_id,
) = (
    entries::id,
    entries::kind,
    entries::registry_number,
    entries::parent_id,
);

/// The entries with these registry numbers.
pub(crate) fn holders_by_number(
    c: &mut Db,
    numbers: &[String],
) -> Result<Vec<Holder>, RegisterError> {
    Ok(entries::table
        .filter(entries::registry_number.eq_any(connection::matchable(numbers)))
        .select(HOLDER)
        .load(c)?)
}

/// The entries with these ids.
pub(crate) fn holders_by_id(c: &mut Db, ids: &[String]) -> Result<Vec<Holder>, RegisterError> {
    Ok(entries::table
        .filter(entries::id.eq_any(connection::matchable(ids)))
        .select(HOLDER)
        .load(c)?)
}

/// (ISIL key, registry number, id) of the entries holding these ISIL keys.
pub(crate) fn isil_holders(
    c: &mut Db,
    keys: &[String],
) -> Result<Vec<(Option<String>, String, String)>, RegisterError> {
    Ok(entries::table
        .filter(entries::isil_key.eq_any(connection::matchable(keys)))
        .select((entries::isil_key, entries::registry_number, entries::id))
        .load(c)?)
}

/// An entry holding an inventory number: scope, inventory number, registry number, id.
pub(crate) type InventoryHolder = (String, String, String, String);

/// The entries holding these inventory numbers (each one number of a list), in any scope.
pub(crate) fn inventory_holders(
    c: &mut Db,
    numbers: &[String],
) -> Result<Vec<InventoryHolder>, RegisterError> {
    Ok(inventory_numbers::table
        .inner_join(entries::table.on(entries::id.eq(inventory_numbers::entry_id)))
        .filter(inventory_numbers::inventory_number.eq_any(connection::matchable(numbers)))
        .select((
            inventory_numbers::inventory_scope,
            inventory_numbers::inventory_number,
            entries::registry_number,
            entries::id,
        ))
        .load(c)?)
}

/// Writes new entries and their revisions.
pub(crate) fn write_created(
    c: &mut Db,
    entry_rows: &[EntryRow],
    revision_rows: &[RevisionRow],
) -> Result<(), RegisterError> {
    connection::insert_entries(c, entry_rows)?;
    super::write::file_numbers(c, entry_rows)?;
    write_revisions(c, revision_rows)
}

fn write_revisions(c: &mut Db, rows: &[RevisionRow]) -> Result<(), RegisterError> {
    connection::insert_revisions(c, rows)
}

/// The entries with these ids (those that exist), by id.
pub(crate) fn entries_by_id(
    c: &mut Db,
    ids: &[&str],
) -> Result<HashMap<String, Entry>, RegisterError> {
    let bodies: Vec<String> = entries::table
        .filter(entries::id.eq_any(ids))
        .select(entries::body)
        .load(c)?;
    bodies
        .iter()
        .map(|b| super::rows::entry_from_body(b).map(|e| (e.id.to_string(), e)))
        .collect()
}

/// An entry that may refer to others: id, parent id, reserve id, museum id.
type Referrer = (String, Option<String>, Option<String>, Option<String>);

/// Deletes entries one after the other, in the order given, as [`remove`] would one by one:
/// each keeps its last state in a revision, and the first one another entry still refers to
/// (one not deleted before it) refuses the whole with its referrers.
pub(crate) fn remove_all(
    c: &mut Db,
    gone: Vec<Entry>,
    w: &Write,
    counters: &mut Counters,
) -> Result<(), RegisterError> {
    if gone.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = gone.iter().map(|e| e.id.to_string()).collect();
    // Who refers to which of them, as the register stands before the first is deleted.
    let referring: Vec<Referrer> = entries::table
        .filter(
            entries::parent_id
                .eq_any(&ids)
                .or(entries::reserve_id.eq_any(&ids))
                .or(entries::museum_id.eq_any(&ids)),
        )
        .select((
            entries::id,
            entries::parent_id,
            entries::reserve_id,
            entries::museum_id,
        ))
        .load(c)?;
    let mut referrers: HashMap<String, Vec<String>> = HashMap::new();
    for (referrer, parent, reserve, museum) in referring {
        for target in [parent, reserve, museum].into_iter().flatten() {
            if target != referrer {
                referrers.entry(target).or_default().push(referrer.clone());
            }
        }
    }
    let mut deleted: HashSet<String> = HashSet::with_capacity(gone.len());
    let mut pending: Vec<String> = Vec::with_capacity(gone.len());
    let mut rows: Vec<RevisionRow> = Vec::with_capacity(gone.len());
    for (current, id) in gone.into_iter().zip(ids) {
        let held = referrers
            .get(&id)
            .is_some_and(|by| by.iter().any(|r| !deleted.contains(r)));
        if held {
            // The register as it would be at this point, and the refusal as one removal
            // words it.
            delete(c, &pending, &rows)?;
            pending.clear();
            rows.clear();
            remove(c, current, w, counters, None)?;
        } else {
            let mut last = current;
            last.version += 1;
            let body = body_of(&last)?;
            rows.push(revision_row(
                &last,
                Some(body),
                Operation::Delete,
                w,
                counters,
                None,
            ));
            pending.push(id.clone());
        }
        deleted.insert(id);
    }
    delete(c, &pending, &rows)
}

/// Keeps the current bodies of entries in their revisions, deletes the entries, and writes
/// the revisions of the deletes.
fn delete(c: &mut Db, ids: &[String], rows: &[RevisionRow]) -> Result<(), RegisterError> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(
        revisions::table
            .filter(revisions::entry_id.eq_any(connection::matchable(ids)))
            .filter(revisions::body.is_null()),
    )
    .set(
        revisions::body.eq(entries::table
            .filter(entries::id.eq(revisions::entry_id))
            .filter(entries::version.eq(revisions::version))
            .select(entries::body)
            .single_value()),
    )
    .execute(c)?;
    super::write::unfile_numbers(c, ids)?;
    diesel::delete(entries::table.filter(entries::id.eq_any(ids))).execute(c)?;
    write_revisions(c, rows)
}

/// An entry as a possible duplicate sees it: name key, kind, region, registry number.
pub(crate) type NameHolder = (String, String, Option<String>, String);

/// The entries whose Azerbaijani name has one of these keys (see `duplicates::name_key`),
/// lowest registry number first.
pub(crate) fn name_holders(c: &mut Db, keys: &[String]) -> Result<Vec<NameHolder>, RegisterError> {
    Ok(entries::table
        .filter(entries::name_key.eq_any(keys))
        .select((
            entries::name_key,
            entries::kind,
            entries::region,
            entries::registry_number,
        ))
        .order(entries::registry_number)
        .load(c)?)
}

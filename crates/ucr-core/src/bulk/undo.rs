//! The record of imports, and undoing an import as one operation.

use super::{batch, Import};
use crate::change::Write;
use crate::error::RegisterError;
use crate::register::Register;
use crate::roles::Action;
use crate::store;
use diesel::prelude::*;
use serde_json::Value;

impl Register {
    /// Every recorded import, newest first.
    pub fn imports(&self) -> Result<Vec<Import>, RegisterError> {
        let mut conn = self.connection()?;
        Ok(store::imports::all(&mut conn)?
            .into_iter()
            .map(Import::from)
            .collect())
    }

    /// One recorded import.
    pub fn import_record(&self, id: &str) -> Result<Import, RegisterError> {
        let mut conn = self.connection()?;
        store::imports::find(&mut conn, &id.trim().to_lowercase())?
            .map(Import::from)
            .ok_or_else(|| RegisterError::NotFound(format!("import {id}")))
    }

    /// Undoes a committed import as one operation: entries it created are deleted, entries it
    /// updated get their previous state back, the last changed first. Refused, with the
    /// entries concerned, when any of them changed since.
    ///
    /// Reads and deletes go a chunk of entries at a time, in a few statements each; an entry
    /// given its previous state back is written as a single update is (the rules need the
    /// register as it stands at that point).
    pub fn undo_import(&self, id: &str, w: &Write) -> Result<Import, RegisterError> {
        w.require(Action::UndoImport)?;
        let id = id.trim().to_lowercase();
        let mut conn = self.connection()?;
        conn.transaction::<_, RegisterError, _>(|c| {
            let mut counters = store::Counters::take(c)?;
            let import = store::imports::find(c, &id)?
                .map(Import::from)
                .ok_or_else(|| RegisterError::NotFound(format!("import {id}")))?;
            if import.status != "committed" {
                return Err(RegisterError::NotUndoable(format!(
                    "import {id} is {}; only a committed import can be undone",
                    import.status
                )));
            }
            let touched = touched(&store::imports::own_revisions(c, &id)?);
            // Entries changed since the import (a later revision than the import's own), in
            // the order the import first changed them, each named by the registry number of
            // its last state (a deleted entry's too).
            let mut changed: std::collections::HashMap<String, String> =
                store::imports::changed_since(c, &id)?
                    .into_iter()
                    .map(|last| {
                        let number = last
                            .body
                            .and_then(|b| serde_json::from_str::<Value>(&b).ok())
                            .and_then(|v| v["registry_number"].as_str().map(str::to_string));
                        let name = number.unwrap_or_else(|| last.entry_id.clone());
                        (last.entry_id, name)
                    })
                    .collect();
            if !changed.is_empty() {
                let entries = touched
                    .iter()
                    .filter_map(|t| changed.remove(&t.entry_id))
                    .collect();
                return Err(RegisterError::ChangedSince { entries });
            }
            let w = Write {
                reason: Some(format!("undo of import {id}")),
                ..w.clone()
            };
            let mut end = touched.len();
            while end > 0 {
                let start = end.saturating_sub(batch::CHUNK);
                let part = &touched[start..end];
                undo_part(c, &id, part, &w, &mut counters)?;
                end = start;
            }
            counters.flush(c)?;
            store::imports::mark_undone(c, &id, &w.actor).map(Import::from)
        })
    }
}

/// An entry an import changed: its id, whether the import created it, and the import's
/// first revision of it.
struct Touched {
    entry_id: String,
    created: bool,
    first_seq: i64,
}

/// The entries an import changed, in the order it first changed them.
fn touched(own: &[store::imports::Own]) -> Vec<Touched> {
    let mut seen = std::collections::HashSet::with_capacity(own.len());
    own.iter()
        .filter(|o| seen.insert(o.entry_id.as_str()))
        .map(|o| Touched {
            entry_id: o.entry_id.clone(),
            created: o.created,
            first_seq: o.seq,
        })
        .collect()
}

/// Undoes the changes of an import to these entries, the last first: created ones are
/// deleted, updated ones get the state before the import back.
fn undo_part(
    c: &mut store::connection::Db,
    id: &str,
    part: &[Touched],
    w: &Write,
    counters: &mut store::Counters,
) -> Result<(), RegisterError> {
    let ids: Vec<&str> = part.iter().map(|t| t.entry_id.as_str()).collect();
    let mut current = store::batch::entries_by_id(c, &ids)?;
    let mut before = match (part.first(), part.last()) {
        (Some(first), Some(last)) if part.iter().any(|t| !t.created) => {
            store::imports::states_before(c, id, first.first_seq, last.first_seq)?
        }
        _ => store::imports::StatesBefore::default(),
    };
    // Consecutive deletes go together; an update waits for the deletes before it.
    let mut gone = Vec::new();
    for t in part.iter().rev() {
        let Some(entry) = current.remove(&t.entry_id) else {
            continue;
        };
        if t.created {
            gone.push(entry);
            continue;
        }
        store::batch::remove_all(c, std::mem::take(&mut gone), w, counters)?;
        let previous = before.take(t.first_seq, &t.entry_id)?;
        store::save_update(c, entry, previous.record, Vec::new(), w, counters, None)?;
    }
    store::batch::remove_all(c, gone, w, counters)
}

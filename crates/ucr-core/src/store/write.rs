//! Writing entries: a new entry, a changed one, a deleted one, each with its revision numbered
//! by the change sequence. The rules that need the register run first
//! ([`crate::context::context_rules`]).

use super::connection::Db;
use super::counters::Counters;
use super::now;
use super::rows::{EntryRow, InventoryRow, RevisionRow};
use super::schema::{entries, inventory_numbers, revisions};
use crate::change::{Revision, Saved, Write};
use crate::check::{format_registry_number, parse_registry_number};
use crate::context::{context_rules, finish, inventory_numbers, Facts};
use crate::error::RegisterError;
use crate::model::{Entry, Record};
use crate::problem::{Code, Problem};
use crate::vocab::{Kind, Operation};
use diesel::prelude::*;
use uuid::Uuid;

/// A new entry checked against the register, ready to be written.
pub(crate) struct Prepared {
    /// The entry and its warnings.
    pub saved: Saved,
    /// Its row.
    pub entry_row: EntryRow,
    /// Its first revision.
    pub revision_row: RevisionRow,
}

/// Runs the rules that need the register on a new entry, assigns its registry number and
/// builds its rows (the caller writes them).
pub(crate) fn prepare_create(
    c: &mut impl Facts,
    id: Uuid,
    mut record: Record,
    mut problems: Vec<Problem>,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Prepared, RegisterError> {
    context_rules(c, id, &mut record, None, w.role, &mut problems)?;
    let warnings = finish(problems)?;
    let kind = record.kind();
    let number = match record.registry_number.clone() {
        Some(n) => {
            // A supplied number moves the sequence past it, so assigned numbers never collide.
            if let Some((_, value)) = parse_registry_number(&n) {
                if value > counters.last_number(kind) {
                    counters.set_number(kind, value);
                }
            }
            n
        }
        None => next_number(c, kind, counters)?,
    };
    record.registry_number = Some(number);
    let at = now();
    let entry = Entry {
        id,
        economic_region: record.economic_region().map(str::to_string),
        record,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let body = body_of(&entry)?;
    let entry_row = EntryRow::from_entry(&entry, &body);
    // The entry's row holds its body while this is its current version.
    let revision_row = revision_row(&entry, None, Operation::Create, w, counters, import_id);
    Ok(Prepared {
        saved: Saved::new(entry, warnings),
        entry_row,
        revision_row,
    })
}

/// Inserts a new entry and its first revision.
pub(crate) fn insert(
    c: &mut Db,
    id: Uuid,
    record: Record,
    problems: Vec<Problem>,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Saved, RegisterError> {
    let p = prepare_create(c, id, record, problems, w, counters, import_id)?;
    diesel::insert_into(entries::table)
        .values(&p.entry_row)
        .execute(c)
        .map_err(unique_violation)?;
    file_numbers(c, std::slice::from_ref(&p.entry_row))?;
    diesel::insert_into(revisions::table)
        .values(&p.revision_row)
        .execute(c)?;
    Ok(p.saved)
}

pub(crate) fn body_of(entry: &Entry) -> Result<String, RegisterError> {
    serde_json::to_string(entry).map_err(|e| RegisterError::Database(format!("entry to JSON: {e}")))
}

/// Next free registry number of a kind. Every registry number enters through
/// [`prepare_create`], which moves the kind's sequence past it, so the next number of the
/// sequence is free; the check is a second line behind the unique index.
fn next_number(
    c: &mut impl Facts,
    kind: Kind,
    counters: &mut Counters,
) -> Result<String, RegisterError> {
    let mut n = counters.last_number(kind);
    loop {
        n = n.checked_add(1).ok_or_else(|| {
            RegisterError::Database(format!("the {} sequence is exhausted", kind.prefix()))
        })?;
        let candidate = format_registry_number(kind, n);
        if !c.number_assigned(&candidate)? {
            counters.set_number(kind, n);
            return Ok(candidate);
        }
    }
}

/// Writes a changed entry and its revision.
pub(crate) fn save_update(
    c: &mut Db,
    current: Entry,
    mut record: Record,
    mut problems: Vec<Problem>,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Saved, RegisterError> {
    context_rules(
        c,
        current.id,
        &mut record,
        Some(&current),
        w.role,
        &mut problems,
    )?;
    let warnings = finish(problems)?;
    let operation = if record.status != current.record.status {
        Operation::StatusChange
    } else {
        Operation::Update
    };
    let entry = Entry {
        id: current.id,
        economic_region: record.economic_region().map(str::to_string),
        record,
        version: current.version + 1,
        created_at: current.created_at,
        updated_at: now(),
    };
    let body = body_of(&entry)?;
    let row = EntryRow::from_entry(&entry, &body);
    keep_current_body(c, &current)?;
    let changed = diesel::update(
        entries::table
            .filter(entries::id.eq(current.id.to_string()))
            .filter(entries::version.eq(current.version)),
    )
    .set(&row)
    .execute(c)
    .map_err(unique_violation)?;
    if changed == 0 {
        return Err(RegisterError::VersionMismatch {
            expected: current.version,
            actual: current.version + 1,
        });
    }
    unfile_numbers(c, std::slice::from_ref(&row.id))?;
    file_numbers(c, std::slice::from_ref(&row))?;
    append(c, &entry, None, operation, w, counters, import_id)?;
    Ok(Saved::new(entry, warnings))
}

/// Deletes an entry, keeping its last state in history.
pub(crate) fn remove(
    c: &mut Db,
    current: Entry,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Revision, RegisterError> {
    let me = current.id.to_string();
    let referrers: Vec<String> = entries::table
        .filter(
            entries::parent_id
                .eq(&me)
                .or(entries::reserve_id.eq(&me))
                .or(entries::museum_id.eq(&me)),
        )
        .filter(entries::id.ne(&me))
        .select(entries::registry_number)
        .order(entries::registry_number.asc())
        .load(c)?;
    if !referrers.is_empty() {
        return Err(RegisterError::Referenced { referrers });
    }
    keep_current_body(c, &current)?;
    unfile_numbers(c, std::slice::from_ref(&me))?;
    diesel::delete(entries::table.filter(entries::id.eq(&me))).execute(c)?;
    let mut last = current;
    last.version += 1;
    let body = body_of(&last)?;
    append(
        c,
        &last,
        Some(body),
        Operation::Delete,
        w,
        counters,
        import_id,
    )
}

/// Files the inventory numbers of entries' rows, one row per number: its primary key keeps
/// each number unique within its list.
pub(crate) fn file_numbers(c: &mut Db, rows: &[EntryRow]) -> Result<(), RegisterError> {
    let mut filed = Vec::new();
    for row in rows {
        let (Some(scope), Some(numbers)) = (&row.inventory_scope, &row.inventory_number) else {
            continue;
        };
        for number in inventory_numbers(scope, numbers) {
            filed.push(InventoryRow {
                inventory_scope: scope.clone(),
                inventory_number: number.to_string(),
                entry_id: row.id.clone(),
            });
        }
    }
    super::connection::insert_inventory_numbers(c, &filed)
}

/// Takes the inventory numbers of these entries off their lists.
pub(crate) fn unfile_numbers(c: &mut Db, ids: &[String]) -> Result<(), RegisterError> {
    diesel::delete(inventory_numbers::table.filter(inventory_numbers::entry_id.eq_any(ids)))
        .execute(c)?;
    Ok(())
}

/// Copies an entry's body into its current revision, which stores none, before the entry's
/// row changes or goes.
fn keep_current_body(c: &mut Db, current: &Entry) -> Result<(), RegisterError> {
    let id = current.id.to_string();
    diesel::update(
        revisions::table
            .filter(revisions::entry_id.eq(&id))
            .filter(revisions::version.eq(current.version))
            .filter(revisions::body.is_null()),
    )
    .set(
        revisions::body.eq(entries::table
            .filter(entries::id.eq(&id))
            .select(entries::body)
            .single_value()),
    )
    .execute(c)?;
    Ok(())
}

/// The revision row of a change, numbered by the change sequence. `body` is `None` when the
/// change leaves the entry in the register: its row holds the body.
pub(crate) fn revision_row(
    entry: &Entry,
    body: Option<String>,
    operation: Operation,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> RevisionRow {
    RevisionRow {
        seq: counters.next_change(),
        entry_id: entry.id.to_string(),
        version: entry.version,
        operation: operation.as_str().to_string(),
        actor: w.actor.clone(),
        recorded_at: now().naive_utc(),
        reason: w.reason.clone(),
        import_id: import_id.map(str::to_string),
        body,
    }
}

fn append(
    c: &mut Db,
    entry: &Entry,
    body: Option<String>,
    operation: Operation,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Revision, RegisterError> {
    let row = revision_row(entry, body, operation, w, counters, import_id);
    diesel::insert_into(revisions::table)
        .values(&row)
        .execute(c)?;
    Ok(Revision {
        seq: row.seq,
        entry_id: entry.id,
        version: entry.version,
        operation,
        actor: row.actor,
        recorded_at: row.recorded_at.and_utc(),
        reason: row.reason,
        import_id: row.import_id,
        entry: entry.clone(),
    })
}

/// A unique index caught what the rules did not (cannot happen while writers are serialised,
/// but the schema has the last word).
fn unique_violation(e: diesel::result::Error) -> RegisterError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            RegisterError::Duplicate(vec![Problem::error(
                "",
                Code::Duplicate,
                format!("a unique value is already taken: {}", info.message()),
            )])
        }
        other => other.into(),
    }
}

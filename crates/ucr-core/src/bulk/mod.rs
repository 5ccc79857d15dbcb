//! Bulk loading (SPEC §7): files of entries checked and written as one recorded import, and
//! undone as one operation.
//!
//! A load runs in one transaction. Every row goes through the same rules as a single write;
//! a row that refers by registry number to an entry later in the load waits and is retried
//! after the rest. In atomic mode any rejected row rolls the whole load back; in continue
//! mode the good rows are committed. A dry run (`ucr check`) always rolls back.

mod batch;
pub mod columns;
mod encoding;
mod feed;
pub mod read;
mod report;
mod row;
mod undo;

use feed::{read_sources, Batch, Parsed, Pending, BATCHES_AHEAD, CUT_SHORT};
use report::{changed_fields, record};
pub use report::{
    EntryChanges, FieldChange, Import, ImportReport, Outcome, Phase, Progress, RowReport, Tally,
};

use crate::change::Write;
use crate::draft::ASSIGNED;
use crate::duplicates::{self, DuplicateKey};
use crate::error::RegisterError;
use crate::model::Entry;
use crate::problem::{Code, Problem};
use crate::register::Register;
use crate::roles::Action;
use crate::store;
use crate::vocab::Kind;
use crate::{check, Checked};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use read::{Format, Row};
use serde::Serialize;
use serde_json::Value;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Rejected rows listed in a report, and accepted rows with warnings or notices; more are only
/// counted (and tallied in the summary), so memory stays bounded.
pub const ROWS_LISTED: usize = 10_000;

/// A file to load.
pub struct Source<'a> {
    /// Its name, for the report and the import record.
    pub name: String,
    /// Its content, read as a stream (on a thread of the load's own).
    pub reader: Box<dyn Read + Send + 'a>,
    /// Its format.
    pub format: Format,
}

/// What to do with an entry whose registry number exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// An existing registry number is a `duplicate`.
    Create,
    /// Update the entry with that number; unchanged rows are not rewritten.
    Upsert,
}

impl Mode {
    /// The mode as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Create => "create",
            Mode::Upsert => "upsert",
        }
    }
}

/// What an upsert matches a row to an existing entry on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKey {
    /// The registry number (`registry_number`).
    #[default]
    RegistryNumber,
    /// The Wikidata item (`external_ids.wikidata`).
    Wikidata,
    /// The ISIL of a library (`isil`).
    Isil,
    /// The inventory number of a heritage object in its list (`inventory_number`).
    InventoryNumber,
}

impl MatchKey {
    /// Every key, as written.
    pub const ALL: [MatchKey; 4] = [
        MatchKey::RegistryNumber,
        MatchKey::Wikidata,
        MatchKey::Isil,
        MatchKey::InventoryNumber,
    ];

    /// The key as written.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKey::RegistryNumber => "registry_number",
            MatchKey::Wikidata => "wikidata",
            MatchKey::Isil => "isil",
            MatchKey::InventoryNumber => "inventory_number",
        }
    }

    /// Parses a key as written.
    pub fn parse(s: &str) -> Option<MatchKey> {
        MatchKey::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The field of a row that holds the key, as a JSON Pointer.
    fn field(self) -> &'static str {
        match self {
            MatchKey::RegistryNumber => "/registry_number",
            MatchKey::Wikidata => "/external_ids/wikidata",
            MatchKey::Isil => "/isil",
            MatchKey::InventoryNumber => "/inventory_number",
        }
    }
}

/// How to load.
#[derive(Debug, Clone)]
pub struct Options {
    /// Create or upsert.
    pub mode: Mode,
    /// What an upsert matches existing entries on (only the registry number in create mode).
    pub match_on: MatchKey,
    /// How the files are written: CSV delimiter, character encoding.
    pub dialect: read::Dialect,
    /// All or nothing (`true`), or store the good rows (`false`).
    pub atomic: bool,
    /// Check only; write nothing.
    pub dry_run: bool,
    /// The kind of CSV files without a `kind` column.
    pub kind: Option<Kind>,
    /// Who loads.
    pub writer: Write,
}

enum Stop {
    Rollback(Box<ImportReport>),
    Fail(RegisterError),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Fail(e.into())
    }
}

impl From<RegisterError> for Stop {
    fn from(e: RegisterError) -> Self {
        Stop::Fail(e)
    }
}

enum Applied {
    /// Created, with the warnings and notices.
    Created(Vec<Problem>),
    /// Updated, with the warnings and notices.
    Updated(Vec<Problem>),
    Unchanged,
    Rejected(Vec<Problem>),
    /// Refers by registry number to an entry not (yet) in the register.
    Waiting(Vec<Problem>),
}

struct Load<'o> {
    options: &'o Options,
    import_id: String,
    counters: store::Counters,
    report: ImportReport,
    /// What the rows of the current chunk leave behind, and where it goes.
    trash: Trash,
    to_reader: std::sync::mpsc::Sender<Trash>,
    /// A file could not be read in its encoding: nothing may be written.
    unreadable: bool,
    /// The indexes set aside while the load fills an empty register.
    set_aside: Option<store::bulk::SetAside>,
}

/// Rows the writer is done with, handed back to the reading thread that allocated them to be
/// freed there: glibc's allocator frees memory of another thread's heap under that heap's
/// lock, which cost a load a fifth of its CPU.
#[derive(Default)]
struct Trash {
    pendings: Vec<Pending>,
    saved: Vec<crate::change::Saved>,
    /// Warnings and notices of accepted rows the report does not list.
    problems: Vec<Vec<Problem>>,
}

impl Load<'_> {
    /// Checks and writes a chunk of entries. Creates take the fast path (facts read ahead,
    /// rows written together); an upsert goes one by one.
    fn chunk(
        &mut self,
        c: &mut store::connection::Db,
        known: &mut batch::Known,
        chunk: Vec<Pending>,
        waiting: &mut Vec<(Pending, Vec<Problem>)>,
    ) -> Result<(), RegisterError> {
        if chunk.is_empty() {
            return Ok(());
        }
        if let Some(set_aside) = &mut self.set_aside {
            // Rows without a registry number are looked at as possible duplicates.
            if chunk.iter().any(|p| registry_number(&p.value).is_none()) {
                set_aside.need_name_keys(c)?;
            }
        }
        if self.options.mode == Mode::Upsert {
            known.flush(c)?;
            for p in chunk {
                let number = registry_number(&p.value);
                match self.apply(c, &p)? {
                    Applied::Rejected(r) => self.reject(&p.file, p.line, number, r),
                    Applied::Waiting(r) => {
                        waiting.push((p, r));
                        continue;
                    }
                    applied => self.accept(&p, number, applied),
                }
                self.trash.pendings.push(p);
            }
            self.empty_trash();
            return Ok(());
        }
        let values: Vec<&Value> = chunk.iter().map(|p| &p.value).collect();
        known.read_ahead(c, &values)?;
        for mut p in chunk {
            let number = registry_number(&p.value);
            let checked = match p.checked.take() {
                Some(checked) => checked,
                None => check(p.value.clone(), None),
            };
            let Some(record) = checked.record else {
                self.reject(&p.file, p.line, number, checked.problems);
                self.trash.pendings.push(p);
                continue;
            };
            let mut problems = checked.problems;
            if number.is_none() {
                let similar = DuplicateKey::of(&record)
                    .and_then(|key| known.similar(&key).map(str::to_string));
                if let Some(existing) = similar {
                    problems.push(duplicates::warning(&existing));
                }
            }
            let mut facts = batch::ChunkFacts { c, known };
            let prepared = store::prepare_create(
                &mut facts,
                Uuid::now_v7(),
                record,
                problems,
                &self.options.writer,
                &mut self.counters,
                Some(&self.import_id),
            );
            match prepared {
                Ok(mut prepared) => {
                    let saved = &mut prepared.saved;
                    let mut problems = std::mem::take(&mut saved.warnings);
                    problems.append(&mut saved.notices);
                    self.accept(&p, number, Applied::Created(problems));
                    self.trash.saved.push(known.add(prepared));
                }
                Err(RegisterError::Invalid(r)) | Err(RegisterError::Duplicate(r)) => {
                    if batch::only_waits(&r) {
                        waiting.push((p, r));
                        continue;
                    }
                    self.reject(&p.file, p.line, number, r);
                }
                Err(other) => return Err(other),
            }
            self.trash.pendings.push(p);
        }
        self.empty_trash();
        known.flush(c)
    }

    /// Hands the chunk's leftovers to the reading thread (or frees them here once it is gone).
    fn empty_trash(&mut self) {
        let trash = std::mem::take(&mut self.trash);
        if let Err(unsent) = self.to_reader.send(trash) {
            drop(unsent.0);
        }
    }

    /// Lists a rejected row, while the list has room.
    fn list(&mut self, row: RowReport) {
        if self.report.rows.len() < ROWS_LISTED {
            self.report.rows.push(row);
        } else {
            self.report.rows_not_listed += 1;
        }
    }

    fn reject(&mut self, file: &str, line: u64, number: Option<String>, problems: Vec<Problem>) {
        self.report.rejected += 1;
        self.list(RowReport {
            file: file.to_string(),
            line,
            column: None,
            registry_number: number,
            problems,
        });
    }

    /// Counts a row that went in (or was equal to its entry), and lists its warnings and
    /// notices.
    fn accept(&mut self, p: &Pending, number: Option<String>, applied: Applied) {
        let problems = match applied {
            Applied::Created(problems) => {
                self.report.created += 1;
                problems
            }
            Applied::Updated(problems) => {
                self.report.updated += 1;
                problems
            }
            Applied::Unchanged => {
                self.report.unchanged += 1;
                return;
            }
            Applied::Rejected(_) | Applied::Waiting(_) => return,
        };
        if problems.is_empty() {
            return;
        }
        let notices = problems.iter().filter(|p| p.is_notice()).count() as u64;
        self.report.notices += notices;
        self.report.warnings += problems.len() as u64 - notices;
        self.report.tally(&problems);
        if self.report.accepted.len() < ROWS_LISTED {
            self.report.accepted.push(RowReport {
                file: p.file.clone(),
                line: p.line,
                column: None,
                registry_number: number,
                problems,
            });
        } else {
            self.report.accepted_not_listed += 1;
            self.trash.problems.push(problems);
        }
    }

    /// The entry an upsert row updates: the one its match key names, none for a new entry, or
    /// why the row cannot be matched.
    fn matching(
        &self,
        c: &mut store::connection::Db,
        value: &Value,
        number: Option<&str>,
    ) -> Result<Result<Option<Entry>, Vec<Problem>>, RegisterError> {
        use store::lookup::MatchOn;
        let key = self.options.match_on;
        if key == MatchKey::RegistryNumber {
            return Ok(Ok(match number {
                Some(n) => store::find(c, n)?,
                None => None,
            }));
        }
        // The key as the rules normalise it.
        let checked = check(value.clone(), None);
        let Some(record) = checked.record else {
            return Ok(Err(checked.problems));
        };
        let found = match key {
            MatchKey::RegistryNumber => Vec::new(),
            MatchKey::Wikidata => match record
                .external_ids
                .as_ref()
                .and_then(|x| x.wikidata.as_deref())
            {
                Some(q) => store::lookup::find_matching(c, MatchOn::Wikidata(q))?,
                None => Vec::new(),
            },
            MatchKey::Isil => match crate::context::isil_key(&record) {
                Some(k) => store::lookup::find_matching(c, MatchOn::Isil(&k))?,
                None => Vec::new(),
            },
            MatchKey::InventoryNumber => match crate::context::inventory(&record) {
                Some((scope, n)) => store::lookup::find_matching(
                    c,
                    MatchOn::InventoryNumber {
                        scope: &scope,
                        number: &n,
                    },
                )?,
                None => Vec::new(),
            },
        };
        let mut found = found.into_iter();
        let Some(current) = found.next() else {
            return Ok(Ok(None));
        };
        let others: Vec<String> = found.map(|e| e.registry_number().to_string()).collect();
        if !others.is_empty() {
            return Ok(Err(vec![Problem::error(
                key.field(),
                Code::Duplicate,
                format!(
                    "{} entries hold this {}: {}, {}; the row cannot be matched to one of them",
                    others.len() + 1,
                    key.as_str(),
                    current.registry_number(),
                    others.join(", ")
                ),
            )]));
        }
        match number {
            Some(n) if n != current.registry_number() => Ok(Err(vec![Problem::error(
                "/registry_number",
                Code::CrossField,
                format!(
                    "the row's {} matches {}, not the registry number it gives, {n}",
                    key.as_str(),
                    current.registry_number()
                ),
            )])),
            _ => Ok(Ok(Some(current))),
        }
    }

    /// Applies one row of an upsert inside the load's transaction.
    fn apply(
        &mut self,
        c: &mut store::connection::Db,
        p: &Pending,
    ) -> Result<Applied, RegisterError> {
        let mut value = p.value.clone();
        if let Some(map) = value.as_object_mut() {
            for field in ASSIGNED {
                map.remove(*field);
            }
        }
        let number = registry_number(&value);
        let current = match self.matching(c, &value, number.as_deref())? {
            Ok(current) => current,
            Err(problems) => return Ok(Applied::Rejected(problems)),
        };
        let w = &self.options.writer;
        let result = match current {
            Some(current) => {
                if let Some(map) = value.as_object_mut() {
                    map.entry("registry_number")
                        .or_insert_with(|| Value::from(current.registry_number()));
                }
                let checked = check(value, Some(&current));
                let Some(record) = checked.record else {
                    return Ok(Applied::Rejected(checked.problems));
                };
                let mut resolved = record.clone();
                let mut probe = checked.problems.clone();
                crate::context::context_rules(
                    c,
                    current.id,
                    &mut resolved,
                    Some(&current),
                    w.role,
                    &mut probe,
                )?;
                if !probe.iter().any(Problem::is_error) && resolved == current.record {
                    return Ok(Applied::Unchanged);
                }
                let before = (self.options.dry_run && self.report.changes.len() < ROWS_LISTED)
                    .then(|| current.to_json());
                let saved = store::save_update(
                    c,
                    current,
                    record,
                    checked.problems,
                    w,
                    &mut self.counters,
                    Some(&self.import_id),
                );
                if let (Ok(saved), Some(before)) = (&saved, before) {
                    self.report.changes.push(EntryChanges {
                        file: p.file.clone(),
                        line: p.line,
                        registry_number: saved.entry.registry_number().to_string(),
                        fields: changed_fields(&before, &saved.entry.to_json()),
                    });
                }
                saved.map(|s| Applied::Updated(s.warnings.into_iter().chain(s.notices).collect()))
            }
            None => {
                let checked = check(value, None);
                let Some(record) = checked.record else {
                    return Ok(Applied::Rejected(checked.problems));
                };
                let mut problems = checked.problems;
                if number.is_none() {
                    if let Some(key) = DuplicateKey::of(&record) {
                        if let Some(existing) = similar_stored(c, &key)? {
                            problems.push(duplicates::warning(&existing));
                        }
                    }
                }
                store::insert(
                    c,
                    Uuid::now_v7(),
                    record,
                    problems,
                    w,
                    &mut self.counters,
                    Some(&self.import_id),
                )
                .map(|s| Applied::Created(s.warnings.into_iter().chain(s.notices).collect()))
            }
        };
        match result {
            Ok(applied) => Ok(applied),
            Err(RegisterError::Invalid(p)) | Err(RegisterError::Duplicate(p)) => {
                Ok(if batch::only_waits(&p) {
                    Applied::Waiting(p)
                } else {
                    Applied::Rejected(p)
                })
            }
            Err(other) => Err(other),
        }
    }
}

/// The registry number of a stored entry with the kind, region and name key of `key`.
fn similar_stored(
    c: &mut store::connection::Db,
    key: &DuplicateKey,
) -> Result<Option<String>, RegisterError> {
    Ok(
        store::batch::name_holders(c, std::slice::from_ref(&key.name))?
            .into_iter()
            .find(|(_, kind, region, _)| *kind == key.kind && *region == key.region)
            .map(|(_, _, _, number)| number),
    )
}

fn registry_number(value: &Value) -> Option<String> {
    value
        .get("registry_number")
        .and_then(Value::as_str)
        .map(|n| n.trim().to_uppercase())
}

impl Register {
    /// Loads files of entries as one import (or checks them, in a dry run). `progress` is
    /// called as the load moves on: every 1 000 rows read, and as each phase begins.
    pub fn import(
        &self,
        sources: Vec<Source<'_>>,
        options: &Options,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<ImportReport, RegisterError> {
        options.writer.require(Action::Load)?;
        if options.mode == Mode::Create && options.match_on != MatchKey::RegistryNumber {
            return Err(RegisterError::Invalid(vec![Problem::error(
                "",
                Code::CrossField,
                format!(
                    "matching on {} is for upserts: a create matches nothing",
                    options.match_on.as_str()
                ),
            )]));
        }
        let bytes = AtomicU64::new(0);
        let started_at = crate::store::naive_now();
        let files: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        let import_id = Uuid::now_v7().to_string();
        let mut conn = self.connection()?;
        let (to_writer, batches) = std::sync::mpsc::sync_channel::<Batch>(BATCHES_AHEAD);
        let (to_reader, trash) = std::sync::mpsc::channel::<Trash>();
        let result = std::thread::scope(|scope| {
            let reader = match std::thread::Builder::new()
                .name("ucr-load-read".into())
                .spawn_scoped(scope, || {
                    read_sources(sources, options, to_writer, trash, &bytes)
                }) {
                Ok(reader) => reader,
                Err(e) => {
                    return Err(Stop::Fail(RegisterError::Database(format!(
                        "starting the reading thread: {e}"
                    ))))
                }
            };
            let written = conn.transaction::<ImportReport, Stop, _>(|c| {
                self.write_load(
                    c,
                    (batches, to_reader),
                    options,
                    &import_id,
                    &files,
                    started_at,
                    &mut |phase, rows| {
                        progress(&Progress {
                            phase,
                            rows,
                            bytes: bytes.load(Ordering::Relaxed),
                        })
                    },
                )
            });
            // Joined here, after the transaction ended: a reading thread that panicked is
            // an error of this load, not of its caller (the writer saw no last batch, so
            // nothing was committed). Any other error of the writer is the one reported.
            let joined = reader.join();
            match written {
                Err(Stop::Fail(RegisterError::Database(m)))
                    if joined.is_err() && m == CUT_SHORT =>
                {
                    Err(Stop::Fail(RegisterError::Database(
                        "the thread reading the files failed".to_string(),
                    )))
                }
                other => other,
            }
        });
        match result {
            Ok(report) => Ok(report),
            Err(Stop::Fail(e)) => Err(e),
            Err(Stop::Rollback(report)) => {
                let mut report = *report;
                if report.outcome == Outcome::Rejected {
                    // The refused load is still on record: who tried, when, what was wrong.
                    conn.transaction::<_, RegisterError, _>(|c| {
                        record(
                            c, &import_id, options, &files, started_at, "rejected", &report,
                        )
                    })?;
                    report.import_id = Uuid::parse_str(&import_id).ok();
                }
                Ok(report)
            }
        }
    }

    /// The writing side of a load, inside its transaction: takes the rows the reading thread
    /// sends, checks them against the register and writes them.
    #[allow(clippy::too_many_arguments)]
    fn write_load(
        &self,
        c: &mut store::connection::Db,
        (batches, to_reader): (
            std::sync::mpsc::Receiver<Batch>,
            std::sync::mpsc::Sender<Trash>,
        ),
        options: &Options,
        import_id: &str,
        files: &[String],
        started_at: NaiveDateTime,
        progress: &mut dyn FnMut(Phase, u64),
    ) -> Result<ImportReport, Stop> {
        store::connection::before_load(c)?;
        let counters = store::Counters::take(c)?;
        let set_aside = store::bulk::set_aside(c, options.dry_run)?;
        let mut load = Load {
            options,
            import_id: import_id.to_string(),
            counters,
            report: ImportReport::new(),
            trash: Trash::default(),
            to_reader,
            unreadable: false,
            set_aside,
        };
        let mut waiting: Vec<(Pending, Vec<Problem>)> = Vec::new();
        let mut known = batch::Known::default();
        let mut chunk: Vec<Pending> = Vec::with_capacity(batch::CHUNK);
        let mut read = 0u64;
        let mut entries = 0u64;
        let mut complete = false;
        for batch in batches {
            complete |= batch.last;
            for row in batch.rows {
                match row {
                    Parsed::Broken {
                        file,
                        line,
                        column,
                        problems,
                        fatal,
                    } => {
                        load.unreadable |= fatal;
                        load.report.rejected += 1;
                        load.list(RowReport {
                            file,
                            line,
                            column,
                            registry_number: None,
                            problems,
                        });
                    }
                    Parsed::Entry(pending) => {
                        // Only an object can be an entry (`[1, 2]` is JSON, but no entries).
                        entries += u64::from(pending.value.is_object());
                        chunk.push(pending);
                        if chunk.len() == batch::CHUNK {
                            load.chunk(c, &mut known, std::mem::take(&mut chunk), &mut waiting)?;
                        }
                    }
                }
            }
            if batch.read / 1000 > read / 1000 {
                progress(Phase::Reading, batch.read);
            }
            read = batch.read;
        }
        if !complete {
            // The reading thread ended without reaching the end of the files: nothing of
            // this load may be committed.
            return Err(Stop::Fail(RegisterError::Database(CUT_SHORT.to_string())));
        }
        progress(Phase::Writing, read);
        load.chunk(c, &mut known, std::mem::take(&mut chunk), &mut waiting)?;
        known.flush(c)?;
        // Rows that referred forward: retry while any of them goes in.
        loop {
            let before = waiting.len();
            let retry: Vec<Pending> = waiting.drain(..).map(|(p, _)| p).collect();
            for part in retry.chunks(batch::CHUNK) {
                load.chunk(c, &mut known, part.to_vec(), &mut waiting)?;
            }
            known.flush(c)?;
            if waiting.is_empty() || waiting.len() == before {
                break;
            }
        }
        for (p, problems) in waiting {
            let number = registry_number(&p.value);
            load.reject(&p.file, p.line, number, problems);
        }
        load.counters.flush(c)?;
        let mut report = load.report;
        if entries == 0 && report.rejected > 0 {
            report.outcome = Outcome::Unreadable;
            return Err(Stop::Rollback(Box::new(report)));
        }
        if options.dry_run {
            report.outcome = Outcome::DryRun;
            report.finish();
            return Err(Stop::Rollback(Box::new(report)));
        }
        if (options.atomic && report.rejected > 0) || load.unreadable {
            report.outcome = Outcome::Rejected;
            report.finish();
            return Err(Stop::Rollback(Box::new(report)));
        }
        report.finish();
        if let Some(set_aside) = load.set_aside.take() {
            progress(Phase::Indexing, read);
            set_aside.restore(c)?;
        }
        progress(Phase::Committing, read);
        report.import_id = Uuid::parse_str(import_id).ok();
        record(
            c,
            import_id,
            options,
            files,
            started_at,
            "committed",
            &report,
        )?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests;

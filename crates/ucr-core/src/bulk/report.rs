//! What a load reports: its outcome, the rows with problems, the accepted rows' warnings and
//! notices and their summary, an upsert's changes, the progress of a running load, and the
//! record of a past import.

use super::Options;
use crate::error::RegisterError;
use crate::problem::Problem;
use crate::store;
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// What happened to a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Checked only.
    DryRun,
    /// Written.
    Committed,
    /// Nothing written: some row was rejected in atomic mode.
    Rejected,
    /// Nothing written and nothing recorded, in any mode: the files hold rows but none of
    /// them could be read as an entry of the declared format (not JSON, not an array, …).
    Unreadable,
}

/// A row and its problems: a rejected row with every error and warning, or an accepted row
/// with its warnings and notices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowReport {
    /// File name.
    pub file: String,
    /// Line where the entry starts, or where a file could not be read further.
    pub line: u64,
    /// Column (in characters, from 1) where a file could not be read further.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// Its registry number, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry_number: Option<String>,
    /// Every problem.
    pub problems: Vec<Problem>,
}

/// How many warnings or notices of one code at one field the accepted rows of a load had (list
/// indexes in the field read as `*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// `warning` or `notice`.
    pub severity: crate::problem::Severity,
    /// JSON Pointer of the field, `*` for any index.
    pub field: String,
    /// The problem's code.
    pub code: crate::problem::Code,
    /// Problems of this kind in all rows.
    pub count: u64,
}

/// The report of a load.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The recorded import (none for a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_id: Option<Uuid>,
    /// What happened.
    pub outcome: Outcome,
    /// Entries created (or that would be, in a dry run); none in a rejected load.
    pub created: u64,
    /// Entries updated (or that would be, in a dry run); none in a rejected load.
    pub updated: u64,
    /// Rows equal to the stored entry: not rewritten.
    pub unchanged: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows of a rejected load that passed every rule: none of them was written.
    pub not_written: u64,
    /// Warnings on accepted rows.
    pub warnings: u64,
    /// Notices on accepted rows: values the register normalised.
    pub notices: u64,
    /// The rejected rows (at most [`ROWS_LISTED`](super::ROWS_LISTED)).
    pub rows: Vec<RowReport>,
    /// Rejected rows beyond those listed.
    pub rows_not_listed: u64,
    /// The accepted rows with warnings or notices (at most [`ROWS_LISTED`](super::ROWS_LISTED)).
    pub accepted: Vec<RowReport>,
    /// Accepted rows with warnings or notices beyond those listed.
    pub accepted_not_listed: u64,
    /// The warnings and notices of the accepted rows, counted by severity, field and code.
    pub summary: Vec<Tally>,
    /// The counts of `summary` while the load runs.
    #[serde(skip)]
    tallies: std::collections::BTreeMap<(u8, String, crate::problem::Code), u64>,
    /// In a dry run of an upsert: for each entry that would be updated, what would change
    /// (at most [`ROWS_LISTED`](super::ROWS_LISTED) entries).
    pub changes: Vec<EntryChanges>,
}

impl ImportReport {
    pub(super) fn new() -> ImportReport {
        ImportReport {
            import_id: None,
            outcome: Outcome::Committed,
            created: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            not_written: 0,
            warnings: 0,
            notices: 0,
            rows: Vec::new(),
            rows_not_listed: 0,
            accepted: Vec::new(),
            accepted_not_listed: 0,
            summary: Vec::new(),
            changes: Vec::new(),
            tallies: std::collections::BTreeMap::new(),
        }
    }

    pub(super) fn tally(&mut self, problems: &[Problem]) {
        use crate::problem::Severity;
        for p in problems {
            let rank = match p.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Notice => 2,
            };
            let field = p
                .field
                .split('/')
                .map(|t| {
                    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                        "*"
                    } else {
                        t
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            *self.tallies.entry((rank, field, p.code)).or_default() += 1;
        }
    }

    /// The summary from the tallies; in a rejected load, nothing counts as written.
    pub(super) fn finish(&mut self) {
        use crate::problem::Severity;
        self.summary = std::mem::take(&mut self.tallies)
            .into_iter()
            .map(|((rank, field, code), count)| Tally {
                severity: match rank {
                    0 => Severity::Error,
                    1 => Severity::Warning,
                    _ => Severity::Notice,
                },
                field,
                code,
                count,
            })
            .collect();
        if self.outcome == Outcome::Rejected {
            self.not_written = self.created + self.updated + self.unchanged;
            self.created = 0;
            self.updated = 0;
            self.unchanged = 0;
        }
    }

    /// Lists accepted rows only as the summary's counts (for big files).
    pub fn summarise(&mut self) {
        self.accepted_not_listed += self.accepted.len() as u64;
        self.accepted.clear();
    }
}

/// What an upsert would change in one entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryChanges {
    /// File name.
    pub file: String,
    /// Line where the row starts.
    pub line: u64,
    /// The entry's registry number.
    pub registry_number: String,
    /// Each field that would change, in field order.
    pub fields: Vec<FieldChange>,
}

/// One field an upsert would change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// JSON Pointer of the field (`/name/en`).
    pub field: String,
    /// The value stored now (`null`: none).
    pub old: Value,
    /// The value the row gives (`null`: none).
    pub new: Value,
}

/// Where a load is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the files and checking their rows (and writing them as they come).
    Reading,
    /// Writing what is left: rows that referred to later ones, the counters.
    Writing,
    /// Building the indexes set aside during the load.
    Indexing,
    /// Committing.
    Committing,
}

impl Phase {
    /// The phase for people.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Reading => "reading and checking",
            Phase::Writing => "writing",
            Phase::Indexing => "building indexes",
            Phase::Committing => "committing",
        }
    }
}

/// How far a load is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Rows read so far.
    pub rows: u64,
    /// Bytes of the files read so far.
    pub bytes: u64,
}

/// A recorded import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    /// Its id.
    pub id: String,
    /// Who loaded.
    pub actor: String,
    /// When the load started.
    #[serde(with = "utc")]
    pub started_at: NaiveDateTime,
    /// When it ended.
    #[serde(with = "utc")]
    pub finished_at: NaiveDateTime,
    /// The files, as a JSON array of names.
    #[serde(serialize_with = "files_list")]
    pub files: String,
    /// `create` or `upsert`.
    pub mode: String,
    /// Whether it was all or nothing.
    pub atomic: bool,
    /// `committed`, `rejected` or `undone`.
    pub status: String,
    /// Entries created.
    pub created: i64,
    /// Entries updated.
    pub updated: i64,
    /// Rows unchanged.
    pub unchanged: i64,
    /// Rows rejected.
    pub rejected: i64,
    /// When it was undone.
    #[serde(with = "utc_opt")]
    pub undone_at: Option<NaiveDateTime>,
    /// Who undid it.
    pub undone_by: Option<String>,
}

impl From<store::imports::ImportRow> for Import {
    fn from(r: store::imports::ImportRow) -> Import {
        Import {
            id: r.id,
            actor: r.actor,
            started_at: r.started_at,
            finished_at: r.finished_at,
            files: r.files,
            mode: r.mode,
            atomic: r.atomic,
            status: r.status,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected: r.rejected,
            undone_at: r.undone_at,
            undone_by: r.undone_by,
        }
    }
}

fn files_list<S: serde::Serializer>(files: &str, s: S) -> Result<S::Ok, S::Error> {
    let list: Vec<String> = serde_json::from_str(files).unwrap_or_default();
    list.serialize(s)
}

mod utc {
    use chrono::NaiveDateTime;
    pub fn serialize<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&t.and_utc(), s)
    }
}

mod utc_opt {
    use chrono::NaiveDateTime;
    pub fn serialize<S: serde::Serializer>(
        t: &Option<NaiveDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&t.map(|t| t.and_utc()), s)
    }
}

/// The fields that differ between two entries as flat JSON, by JSON Pointer (members of
/// objects one by one; lists as a whole), but those the register assigns on every change.
pub(super) fn changed_fields(old: &Value, new: &Value) -> Vec<FieldChange> {
    fn walk(path: String, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<FieldChange>) {
        match (old, new) {
            (Some(Value::Object(a)), Some(Value::Object(b))) => {
                let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    if path.is_empty() && matches!(k.as_str(), "version" | "updated_at") {
                        continue;
                    }
                    walk(crate::problem::pointer(&path, k), a.get(k), b.get(k), out);
                }
            }
            _ if old == new => {}
            _ => out.push(FieldChange {
                field: path,
                old: old.cloned().unwrap_or(Value::Null),
                new: new.cloned().unwrap_or(Value::Null),
            }),
        }
    }
    let mut out = Vec::new();
    walk(String::new(), Some(old), Some(new), &mut out);
    out
}

/// Records a load (committed or refused) in the imports table.
pub(super) fn record(
    c: &mut store::connection::Db,
    id: &str,
    options: &Options,
    files: &[String],
    started_at: NaiveDateTime,
    status: &str,
    report: &ImportReport,
) -> Result<(), RegisterError> {
    // A refused load wrote nothing: its record counts only the rejected rows.
    let committed = status == "committed";
    let written = |n: u64| if committed { n as i64 } else { 0 };
    store::imports::record(
        c,
        &store::imports::NewImport {
            id,
            actor: &options.writer.actor,
            started_at,
            finished_at: crate::store::naive_now(),
            files: serde_json::to_string(files).unwrap_or_default(),
            mode: options.mode.as_str(),
            atomic: options.atomic,
            status,
            created: written(report.created),
            updated: written(report.updated),
            unchanged: written(report.unchanged),
            rejected: report.rejected as i64,
        },
    )
}

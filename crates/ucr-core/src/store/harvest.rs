//! Harvests (OAI-PMH): each entry's last state at a point of the change sequence, from the
//! history, deleted entries included.
//!
//! An entry's record at snapshot `S` is its revision with the highest version whose sequence
//! number is at most `S`. Records are listed in the order of those sequence numbers, which do
//! not change while later writes happen, so a harvest paged by sequence number sees every entry
//! once, as it stood at `S`.

use super::connection::Db;
use super::rows::LoggedRevision;
use super::schema::{revision_log, revisions};
use crate::change::Revision;
use crate::error::RegisterError;
use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

/// Which records a harvest asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Records {
    /// The change sequence number read at.
    pub snapshot: i64,
    /// Only records after this sequence number.
    pub after: i64,
    /// Only records last changed at or after this time.
    pub from: Option<NaiveDateTime>,
    /// Only records last changed before this time.
    pub before: Option<NaiveDateTime>,
    /// `LIKE` patterns every stored body must match (the set).
    pub patterns: Vec<String>,
    /// At most this many records (`None`: count only).
    pub limit: i64,
}

fn query<'a>(r: &Records) -> revision_log::BoxedQuery<'a, <Db as diesel::Connection>::Backend> {
    let snapshot = r.snapshot;
    let mut q = revision_log::table
        .filter(revision_log::seq.gt(r.after))
        .filter(revision_log::seq.le(snapshot))
        .filter(not(exists(
            revisions::table
                .filter(revisions::entry_id.eq(revision_log::entry_id))
                .filter(revisions::version.gt(revision_log::version))
                .filter(revisions::seq.le(snapshot)),
        )))
        .into_boxed();
    if let Some(from) = r.from {
        q = q.filter(revision_log::recorded_at.ge(from));
    }
    if let Some(before) = r.before {
        q = q.filter(revision_log::recorded_at.lt(before));
    }
    for p in &r.patterns {
        q = q.filter(revision_log::body.like(p.clone()));
    }
    q
}

/// The records asked for, in sequence order.
pub(crate) fn records(c: &mut Db, r: &Records) -> Result<Vec<Revision>, RegisterError> {
    let rows: Vec<LoggedRevision> = query(r)
        .order(revision_log::seq.asc())
        .limit(r.limit)
        .load(c)?;
    rows.into_iter()
        .map(LoggedRevision::into_revision)
        .collect()
}

/// How many records there are (`after` and `limit` aside from `after`).
pub(crate) fn count(c: &mut Db, r: &Records) -> Result<i64, RegisterError> {
    Ok(query(r).count().get_result(c)?)
}

/// When the first change was recorded, if any.
pub(crate) fn earliest(c: &mut Db) -> Result<Option<NaiveDateTime>, RegisterError> {
    Ok(revisions::table
        .order(revisions::seq.asc())
        .select(revisions::recorded_at)
        .first(c)
        .optional()?)
}

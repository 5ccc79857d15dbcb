//! What the search index kept in memory reads of the register: the few columns of every
//! entry, a batch at a time in id order, and the changes between two change sequences.

use super::connection::Db;
use super::rows::EntryRow;
use super::schema::{entries, revision_log};
use crate::error::RegisterError;
use diesel::prelude::*;

/// The columns of an entry the index reads.
#[derive(Queryable)]
pub(crate) struct IndexRow {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub region: Option<String>,
    pub economic_region: Option<String>,
    pub ownership: Option<String>,
    pub type_word: String,
    pub founded_year: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub search_text: String,
}

impl From<EntryRow> for IndexRow {
    fn from(r: EntryRow) -> IndexRow {
        IndexRow {
            id: r.id,
            kind: r.kind,
            status: r.status,
            region: r.region,
            economic_region: r.economic_region,
            ownership: r.ownership,
            type_word: r.type_word,
            founded_year: r.founded_year,
            lat: r.lat,
            lon: r.lon,
            search_text: r.search_text,
        }
    }
}

/// At most `limit` entries whose id is after `after`, in id order.
pub(crate) fn entries_after(
    c: &mut Db,
    after: &str,
    limit: i64,
) -> Result<Vec<IndexRow>, RegisterError> {
    Ok(entries::table
        .filter(entries::id.gt(after))
        .order(entries::id.asc())
        .limit(limit)
        .select((
            entries::id,
            entries::kind,
            entries::status,
            entries::region,
            entries::economic_region,
            entries::ownership,
            entries::type_word,
            entries::founded_year,
            entries::lat,
            entries::lon,
            entries::search_text,
        ))
        .load(c)?)
}

/// A revision as the index reads it: seq, entry id, operation, body.
pub(crate) type LoggedChange = (i64, String, String, Option<String>);

/// At most `limit` revisions after `from` up to `to`, in sequence order: seq, entry id,
/// operation, and the body `revision_log` gives it (see [`super::rows::logged_body`]).
pub(crate) fn changes_between(
    c: &mut Db,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<LoggedChange>, RegisterError> {
    Ok(revision_log::table
        .filter(revision_log::seq.gt(from))
        .filter(revision_log::seq.le(to))
        .order(revision_log::seq.asc())
        .limit(limit)
        .select((
            revision_log::seq,
            revision_log::entry_id,
            revision_log::operation,
            revision_log::body,
        ))
        .load(c)?)
}

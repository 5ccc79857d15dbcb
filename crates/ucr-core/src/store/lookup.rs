//! Reading entries: by id or registry number (also a deleted one, from its history), pages of
//! a filtered list, an entry's history and the change feed.

use super::connection::{can_match, Db};
use super::rows::{self, LoggedRevision};
use super::schema::{entries, inventory_numbers, revision_log, revisions};
use crate::change::Revision;
use crate::context::Located;
use crate::error::RegisterError;
use crate::model::Entry;
use crate::query::{Extent, Filter, Within};
use crate::vocab::{Kind, Operation};
use diesel::prelude::*;
use uuid::Uuid;

/// The entry with this id or registry number.
pub(crate) fn find(c: &mut Db, key: &str) -> Result<Option<Entry>, RegisterError> {
    let key = key.trim();
    if key.is_empty() || !can_match(key) {
        return Ok(None);
    }
    let body: Option<String> = if Uuid::parse_str(key).is_ok() {
        entries::table
            .filter(entries::id.eq(key.to_lowercase()))
            .select(entries::body)
            .first(c)
            .optional()?
    } else {
        entries::table
            .filter(entries::registry_number.eq(key.to_uppercase()))
            .select(entries::body)
            .first(c)
            .optional()?
    };
    body.map(|b| rows::entry_from_body(&b)).transpose()
}

/// The id, kind and registry number of the entry with this id or registry number, without
/// reading the entry itself.
pub(crate) fn locate(c: &mut Db, key: &str) -> Result<Option<Located>, RegisterError> {
    let key = key.trim();
    if key.is_empty() || !can_match(key) {
        return Ok(None);
    }
    let query = entries::table.select((entries::id, entries::kind, entries::registry_number));
    let row: Option<(String, String, String)> = if Uuid::parse_str(key).is_ok() {
        query
            .filter(entries::id.eq(key.to_lowercase()))
            .first(c)
            .optional()?
    } else {
        query
            .filter(entries::registry_number.eq(key.to_uppercase()))
            .first(c)
            .optional()?
    };
    let Some((id, kind, registry_number)) = row else {
        return Ok(None);
    };
    let stored =
        |what: &str| RegisterError::Database(format!("stored {what} of {registry_number}"));
    Ok(Some(Located {
        id: Uuid::parse_str(&id).map_err(|_| stored("id"))?,
        kind: Kind::parse(&kind).ok_or_else(|| stored("kind"))?,
        registry_number: registry_number.clone(),
    }))
}

/// The id of a deleted entry, from its history.
pub(crate) fn history_id(c: &mut Db, key: &str) -> Result<Option<String>, RegisterError> {
    if !can_match(key) {
        return Ok(None);
    }
    if Uuid::parse_str(key.trim()).is_ok() {
        return Ok(Some(key.trim().to_lowercase()));
    }
    // A deleted entry is found by registry number through the last revision that had it.
    let bodies: Vec<(String, Option<String>)> = revision_log::table
        .filter(revision_log::operation.eq(Operation::Delete.as_str()))
        .select((revision_log::entry_id, revision_log::body))
        .load(c)?;
    let wanted = key.trim().to_uppercase();
    // (A delete revision always stores its body: the entry's row is gone.)
    Ok(bodies.into_iter().find_map(|(id, body)| {
        rows::entry_from_body(body.as_deref()?)
            .ok()
            .filter(|e| e.registry_number() == wanted)
            .map(|_| id)
    }))
}

/// The entries matching `filter` and `within`, all of them counted, at most `limit` of them
/// read, in id order after `after`.
pub(crate) fn page(
    c: &mut Db,
    filter: &Filter,
    within: &Within,
    limit: i64,
    after: Option<Uuid>,
) -> Result<(i64, Vec<Entry>), RegisterError> {
    if !filter_can_match(filter) {
        return Ok((0, Vec::new()));
    }
    let total = inside(filtered(filter), within)
        .count()
        .get_result::<i64>(c)?;
    let mut query = inside(filtered(filter), within)
        .select(entries::body)
        .order(entries::id.asc())
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(entries::id.gt(after.to_string()));
    }
    let bodies: Vec<String> = query.load(c)?;
    let items = bodies
        .iter()
        .map(|b| rows::entry_from_body(b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total, items))
}

/// Every revision of the entry with this id, oldest first.
pub(crate) fn history(c: &mut Db, id: &str) -> Result<Vec<Revision>, RegisterError> {
    let rows: Vec<LoggedRevision> = revision_log::table
        .filter(revision_log::entry_id.eq(id))
        .order(revision_log::seq.asc())
        .load(c)?;
    rows.into_iter()
        .map(LoggedRevision::into_revision)
        .collect()
}

/// The revisions of entry `id` after version `after`, at most `limit` of them in version
/// order (one more when there are more), and how many revisions the entry has in all.
pub(crate) fn history_page(
    c: &mut Db,
    id: &str,
    after: i64,
    limit: i64,
) -> Result<(Vec<Revision>, i64), RegisterError> {
    let total: i64 = revision_log::table
        .filter(revision_log::entry_id.eq(id))
        .count()
        .get_result(c)?;
    let rows: Vec<LoggedRevision> = revision_log::table
        .filter(revision_log::entry_id.eq(id))
        .filter(revision_log::version.gt(after))
        .order(revision_log::version.asc())
        .limit(limit.saturating_add(1))
        .load(c)?;
    let revisions = rows
        .into_iter()
        .map(LoggedRevision::into_revision)
        .collect::<Result<_, _>>()?;
    Ok((revisions, total))
}

/// How many changes come after sequence number `since`.
pub(crate) fn changes_after(c: &mut Db, since: i64) -> Result<i64, RegisterError> {
    Ok(revisions::table
        .filter(revisions::seq.gt(since))
        .count()
        .get_result(c)?)
}

/// At most `limit` changes after sequence number `since`, in sequence order.
pub(crate) fn changes(c: &mut Db, since: i64, limit: i64) -> Result<Vec<Revision>, RegisterError> {
    let rows: Vec<LoggedRevision> = revision_log::table
        .filter(revision_log::seq.gt(since))
        .order(revision_log::seq.asc())
        .limit(limit)
        .load(c)?;
    rows.into_iter()
        .map(LoggedRevision::into_revision)
        .collect()
}

/// Whether every text of `filter` may be sent in a query (see [`can_match`]); a filter
/// that cannot matches nothing.
pub(crate) fn filter_can_match(f: &Filter) -> bool {
    [&f.region, &f.economic_region, &f.type_word]
        .into_iter()
        .flatten()
        .all(|t| can_match(t))
}

/// Narrows a query to the entries `within` a box and an interval of change times.
fn inside<'a>(
    mut q: entries::BoxedQuery<'a, <Db as Connection>::Backend>,
    within: &Within,
) -> entries::BoxedQuery<'a, <Db as Connection>::Backend> {
    if let Some([min_lon, min_lat, max_lon, max_lat]) = within.bbox {
        q = q
            .filter(entries::lon.ge(min_lon))
            .filter(entries::lon.le(max_lon))
            .filter(entries::lat.ge(min_lat))
            .filter(entries::lat.le(max_lat));
    }
    if let Some(from) = within.changed_from {
        q = q.filter(entries::updated_at.ge(super::naive(from)));
    }
    if let Some(to) = within.changed_to {
        q = q.filter(entries::updated_at.le(super::naive(to)));
    }
    q
}

/// The box around the points of the entries of `kind` and the times of their changes.
pub(crate) fn extent(c: &mut Db, kind: Kind) -> Result<Extent, RegisterError> {
    use diesel::dsl::{max, min};
    let of_kind = || entries::table.filter(entries::kind.eq(kind.as_str()));
    let (min_lon, min_lat, max_lon, max_lat): (Option<f64>, Option<f64>, Option<f64>, Option<f64>) =
        of_kind()
            .select((
                min(entries::lon),
                min(entries::lat),
                max(entries::lon),
                max(entries::lat),
            ))
            .first(c)?;
    let (first, last): (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>) = of_kind()
        .select((min(entries::updated_at), max(entries::updated_at)))
        .first(c)?;
    Ok(Extent {
        bbox: match (min_lon, min_lat, max_lon, max_lat) {
            (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
            _ => None,
        },
        changed: first.zip(last).map(|(f, l)| [f.and_utc(), l.and_utc()]),
    })
}

pub(crate) fn filtered<'a>(f: &Filter) -> entries::BoxedQuery<'a, <Db as Connection>::Backend> {
    let mut q = entries::table.into_boxed();
    if let Some(k) = f.kind {
        q = q.filter(entries::kind.eq(k.as_str()));
    }
    if let Some(s) = f.status {
        q = q.filter(entries::status.eq(s.as_str()));
    }
    if let Some(r) = &f.region {
        q = q.filter(entries::region.eq(r.clone()));
    }
    if let Some(r) = &f.economic_region {
        q = q.filter(entries::economic_region.eq(r.clone()));
    }
    if let Some(o) = f.ownership {
        q = q.filter(entries::ownership.eq(o.as_str()));
    }
    if let Some(t) = &f.type_word {
        q = q.filter(entries::type_word.eq(t.clone()));
    }
    if let Some(n) = &f.inventory_number {
        q = q.filter(
            entries::id.eq_any(
                inventory_numbers::table
                    .filter(inventory_numbers::inventory_number.eq(n.clone()))
                    .select(inventory_numbers::entry_id),
            ),
        );
    }
    q
}

/// The entries a load may match a row on by a key other than the registry number.
pub(crate) enum MatchOn<'a> {
    /// The Wikidata item (`Q…`).
    Wikidata(&'a str),
    /// The ISIL key (`context::isil_key`).
    Isil(&'a str),
    /// An inventory number in its scope (`context::inventory`).
    InventoryNumber {
        /// The list it is unique in.
        scope: &'a str,
        /// The number.
        number: &'a str,
    },
}

/// The entries holding this key, lowest registry number first (more than one only for a
/// Wikidata item, which is not unique).
pub(crate) fn find_matching(c: &mut Db, key: MatchOn<'_>) -> Result<Vec<Entry>, RegisterError> {
    let query = entries::table
        .select(entries::body)
        .order(entries::registry_number)
        .into_boxed();
    let query = match key {
        MatchOn::Wikidata(q) => query.filter(entries::wikidata.eq(q.to_string())),
        MatchOn::Isil(k) => query.filter(entries::isil_key.eq(k.to_string())),
        MatchOn::InventoryNumber { scope, number } => query
            .filter(entries::inventory_scope.eq(scope.to_string()))
            .filter(entries::inventory_number.eq(number.to_string())),
    };
    let bodies: Vec<String> = query.load(c)?;
    bodies.iter().map(|b| rows::entry_from_body(b)).collect()
}

//! Reads: one entry, filtered lists with cursors, history and the change feed.

use super::Register;
use crate::change::Revision;
use crate::cursor::ListCursor;
use crate::error::RegisterError;
use crate::model::Entry;
use crate::problem::{Code, Problem};
use crate::query::{Extent, Filter, HistoryPage, Listing, Within, PAGE_MAX};
use crate::store;
use crate::vocab::Kind;

impl Register {
    /// The entry with this id or registry number.
    pub fn get(&self, key: &str) -> Result<Entry, RegisterError> {
        let mut conn = self.connection()?;
        store::find(&mut conn, key)?.ok_or_else(|| RegisterError::NotFound(key.to_string()))
    }

    /// Lists entries, oldest first, `limit` (1–1000) at a time after `cursor` (a
    /// [`ListCursor`]: the `next_cursor` of the previous page).
    pub fn list(
        &self,
        filter: &Filter,
        limit: i64,
        cursor: Option<&str>,
    ) -> Result<Listing, RegisterError> {
        self.list_within(filter, &Within::default(), limit, cursor)
    }

    /// [`Register::list`] of the entries also [`Within`] a box and a time interval. Pages
    /// follow the id, so a client paging through sees every entry that stays matching once,
    /// whatever is written meanwhile.
    pub fn list_within(
        &self,
        filter: &Filter,
        within: &Within,
        limit: i64,
        cursor: Option<&str>,
    ) -> Result<Listing, RegisterError> {
        let limit = limit.clamp(1, PAGE_MAX);
        let after = match cursor.map(str::parse::<ListCursor>).transpose() {
            Ok(after) => after,
            Err(e) => {
                return Err(RegisterError::Invalid(vec![Problem::error(
                    "",
                    Code::Format,
                    e.to_string(),
                )]))
            }
        };
        let (total, mut items) = store::lookup::page(
            &mut *self.connection()?,
            filter,
            within,
            limit + 1,
            after.map(|c| c.after),
        )?;
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|e| ListCursor { after: e.id }.to_string())
        } else {
            None
        };
        Ok(Listing {
            items,
            next_cursor,
            total,
        })
    }

    /// The extent of the entries of `kind`: the box around their points, the times of
    /// their changes.
    pub fn extent(&self, kind: Kind) -> Result<Extent, RegisterError> {
        store::lookup::extent(&mut *self.connection()?, kind)
    }

    /// Every revision of an entry (also of a deleted one), oldest first.
    pub fn history(&self, key: &str) -> Result<Vec<Revision>, RegisterError> {
        let mut conn = self.connection()?;
        let id = match store::find(&mut conn, key)? {
            Some(e) => e.id.to_string(),
            None => store::lookup::history_id(&mut conn, key)?
                .ok_or_else(|| RegisterError::NotFound(key.to_string()))?,
        };
        let revisions = store::lookup::history(&mut conn, &id)?;
        if revisions.is_empty() {
            return Err(RegisterError::NotFound(key.to_string()));
        }
        Ok(revisions)
    }

    /// A page of an entry's history: at most `limit` revisions after the `cursor` of the page
    /// before (a [`HistoryCursor`](crate::cursor::HistoryCursor)), in version order.
    pub fn history_page(
        &self,
        key: &str,
        limit: i64,
        cursor: Option<&str>,
    ) -> Result<HistoryPage, RegisterError> {
        let after = match cursor {
            Some(text) => {
                text.parse::<crate::cursor::HistoryCursor>()
                    .map_err(|e| {
                        RegisterError::Invalid(vec![crate::Problem::error(
                            "/cursor",
                            crate::Code::Format,
                            e.to_string(),
                        )])
                    })?
                    .after
            }
            None => 0,
        };
        let limit = limit.clamp(1, PAGE_MAX);
        let mut conn = self.connection()?;
        let id = match store::find(&mut conn, key)? {
            Some(e) => e.id.to_string(),
            None => store::lookup::history_id(&mut conn, key)?
                .ok_or_else(|| RegisterError::NotFound(key.to_string()))?,
        };
        let (mut items, total) = store::lookup::history_page(&mut conn, &id, after, limit)?;
        if total == 0 {
            return Err(RegisterError::NotFound(key.to_string()));
        }
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        let next_cursor = match items.last() {
            Some(last) if more => Some(
                crate::cursor::HistoryCursor {
                    after: last.version,
                }
                .to_string(),
            ),
            _ => None,
        };
        Ok(HistoryPage {
            items,
            next_cursor,
            total,
        })
    }

    /// One past version of an entry.
    pub fn revision(&self, key: &str, version: i64) -> Result<Revision, RegisterError> {
        self.history(key)?
            .into_iter()
            .find(|r| r.version == version)
            .ok_or_else(|| RegisterError::NotFound(format!("{key} version {version}")))
    }

    /// How many changes come after sequence number `since`.
    pub fn changes_after(&self, since: i64) -> Result<i64, RegisterError> {
        store::lookup::changes_after(&mut *self.connection()?, since)
    }

    /// Changes after sequence number `since`, at most `limit` (1–1000), in sequence order.
    pub fn changes(&self, since: i64, limit: i64) -> Result<Vec<Revision>, RegisterError> {
        store::lookup::changes(&mut *self.connection()?, since, limit.clamp(1, PAGE_MAX))
    }
}

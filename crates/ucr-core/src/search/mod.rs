//! The single window (SPEC §6): one search over every sub-register — full text over every
//! name in every language, folded the Azerbaijani way, with prefixes for type-ahead — with
//! filters, distance and box queries, sorting, facets and cursor pagination; and the
//! statistics the Ministry manages by.
//!
//! Relevance is a score of the entry alone (how many query words are whole words of its
//! names, an exact name beating a partial one), never of the corpus, so a cursor stays valid
//! while entries are added.

use crate::cursor::SearchCursor;
use crate::error::RegisterError;
use crate::query::PAGE_MAX;
use crate::store;
use crate::store::connection::{Db, Pool};
use crate::store::rows::entry_from_body;
use crate::Entry;
use std::collections::HashMap;

mod answers;
mod index;
pub(crate) mod stats;

pub(crate) use crate::query::{near_box, words, NearBox};
pub use crate::query::{BadSearch, Facets, Found, Group, GroupBy, Search, Sort, Stats};
pub(crate) use answers::Answers;
pub use answers::ANSWERS_BYTES;
use answers::{Lookup, Running};
pub(crate) use index::Kept as KeptIndex;
pub(crate) use index::{Lexicon, Sketch};

/// Searches every sub-register at once ([`crate::Register::search`]): a kept answer while the
/// register has not changed, else the index kept in memory when it can answer, else the tables.
pub(crate) fn find(
    pool: &Pool,
    answers: &Answers,
    kept: &KeptIndex,
    s: &Search,
) -> Result<Result<Found, BadSearch>, RegisterError> {
    // The sequence first: what the search then reads is at least as new. No connection
    // is held while waiting for the same search running elsewhere.
    let seq = store::search::change_seq(&mut *store::connection::checkout(pool)?)?;
    let key = format!("{s:?}");
    let mine = match answers.lookup(&key, seq) {
        Lookup::Found(found) => return Ok(Ok(found)),
        Lookup::Compute { mine } => mine,
    };
    let mut running = mine.then(|| Running {
        answers,
        key,
        seq,
        answer: None,
    });
    let answer = compute(&mut *store::connection::checkout(pool)?, kept, s, seq, true)?;
    if let (Some(r), Ok((found, bytes))) = (running.as_mut(), &answer) {
        r.answer = Some((found.clone(), *bytes));
    }
    Ok(answer.map(|(found, _)| found))
}

/// Searches read on one connection as of one change sequence, their answers not kept: the
/// candidates of a reconciliation batch, many searches each seen once, whose answers would
/// only push out those of the single window. Where the index answers, pages are ranked
/// without their totals and facets.
pub(crate) struct Reader<'a> {
    conn: diesel::r2d2::PooledConnection<store::connection::Manager>,
    kept: &'a KeptIndex,
    seq: i64,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(pool: &Pool, kept: &'a KeptIndex) -> Result<Reader<'a>, RegisterError> {
        let mut conn = store::connection::checkout(pool)?;
        let seq = store::search::change_seq(&mut conn)?;
        Ok(Reader { conn, kept, seq })
    }

    /// A search's page.
    pub(crate) fn found(&mut self, s: &Search) -> Result<Result<Found, BadSearch>, RegisterError> {
        Ok(compute(&mut self.conn, self.kept, s, self.seq, false)?.map(|(found, _)| found))
    }

    /// The ids of a search's page as the index ranks it; `None` when the index cannot answer
    /// it (then [`Reader::found`] does).
    pub(crate) fn ranked(
        &mut self,
        s: &Search,
    ) -> Result<Option<Result<Vec<uuid::Uuid>, BadSearch>>, RegisterError> {
        Ok(ranked(&mut self.conn, self.kept, s, self.seq, false)?
            .map(|r| r.map(|ranked| ranked.page.into_iter().map(|(_, id)| id).collect())))
    }

    /// What `f` makes of what the index holds of these entries and of the numbers of these
    /// words (see [`KeptIndex::sketch`]).
    pub(crate) fn sketch<R>(
        &self,
        ids: &[uuid::Uuid],
        words: &[(&str, bool)],
        f: impl FnOnce(&[Sketch<'_>], &Lexicon<'_>) -> R,
    ) -> Option<R> {
        self.kept.sketch(ids, words, f)
    }

    /// The entries with these ids (one deleted since is left out).
    pub(crate) fn entries(
        &mut self,
        ids: &[uuid::Uuid],
    ) -> Result<HashMap<uuid::Uuid, Entry>, RegisterError> {
        let ids: Vec<String> = ids.iter().map(uuid::Uuid::to_string).collect();
        let mut entries = HashMap::with_capacity(ids.len());
        // A statement's parameters are bounded (32 766 on SQLite): a thousand ids at a time.
        for chunk in ids.chunks(1000) {
            for body in store::search::bodies(&mut self.conn, chunk)?.into_values() {
                let entry = entry_from_body(&body)?;
                entries.insert(entry.id, entry);
            }
        }
        Ok(entries)
    }
}

/// A search's answer as of change `seq`: from the index kept in memory when it can answer
/// (with its total and facets when `counted`), else from the tables.
fn compute(
    conn: &mut Db,
    kept: &KeptIndex,
    s: &Search,
    seq: i64,
    counted: bool,
) -> Result<Answer, RegisterError> {
    match indexed(conn, kept, s, seq, counted)? {
        Some(answer) => Ok(answer),
        None => search(conn, s),
    }
}

/// A search's answer with the bytes of its entries, or why it cannot run.
type Answer = Result<(Found, usize), BadSearch>;

/// A search's page ranked by the index kept in memory, when the register keeps one, it is
/// ready and the search has words, no inventory number, and is ranked by relevance or by
/// registration (the other orders follow the database's collation).
fn ranked(
    conn: &mut Db,
    kept: &KeptIndex,
    s: &Search,
    seq: i64,
    counted: bool,
) -> Result<Option<Result<index::Ranked, BadSearch>>, RegisterError> {
    let sort = match (s.sort, &s.q) {
        (_, None) => return Ok(None),
        (sort @ (Sort::Relevance | Sort::Created | Sort::CreatedDesc), Some(_)) => sort,
        _ => return Ok(None),
    };
    // The index keeps no inventory numbers: the tables find them by their own index.
    if !kept.is_on() || s.filter.inventory_number.is_some() {
        return Ok(None);
    }
    // The same refusals as the tables give.
    if let Some(e) = store::search::refusal(s) {
        return Ok(Some(Err(e)));
    }
    let after = match &s.cursor {
        None => None,
        Some(cursor) => match cursor.parse::<SearchCursor>() {
            Ok(c) => Some((c.score, c.id)),
            Err(e) => return Ok(Some(Err(BadSearch(e.to_string())))),
        },
    };
    if !kept.ready(conn, seq)? {
        return Ok(None);
    }
    let want = index::Want {
        sort,
        after,
        limit: s.limit.clamp(1, PAGE_MAX) as usize,
        counted,
    };
    Ok(kept.rank(s, &want).map(Ok))
}

/// A search answered by the index kept in memory, when it can answer (see [`ranked`]). The
/// page's bodies are read from the entries.
fn indexed(
    conn: &mut Db,
    kept: &KeptIndex,
    s: &Search,
    seq: i64,
    counted: bool,
) -> Result<Option<Answer>, RegisterError> {
    let ranked = match ranked(conn, kept, s, seq, counted)? {
        None => return Ok(None),
        Some(Err(e)) => return Ok(Some(Err(e))),
        Some(Ok(ranked)) => ranked,
    };
    let ids: Vec<String> = ranked.page.iter().map(|(_, id)| id.to_string()).collect();
    let bodies = store::search::bodies(conn, &ids)?;
    // An entry deleted since the index was read is left out of the page.
    let mut items = Vec::with_capacity(ids.len());
    let mut bytes = 0;
    for id in &ids {
        if let Some(body) = bodies.get(id) {
            bytes += body.len();
            items.push(entry_from_body(body)?);
        }
    }
    let next_cursor = match (ranked.more, ranked.page.last()) {
        (true, Some((score, id))) => Some(
            SearchCursor {
                score: *score,
                key: String::new(),
                id: *id,
            }
            .to_string(),
        ),
        _ => None,
    };
    Ok(Some(Ok((
        Found {
            items,
            next_cursor,
            total: ranked.total,
            facets: ranked.facets,
        },
        bytes,
    ))))
}

/// A search on the tables, and the bytes of the entries it found.
fn search(conn: &mut Db, s: &Search) -> Result<Answer, RegisterError> {
    if let Some(e) = store::search::refusal(s) {
        return Ok(Err(e));
    }
    let limit = s.limit.clamp(1, PAGE_MAX);
    let sort = match (s.sort, &s.q) {
        (Sort::Relevance, None) => Sort::Created,
        (other, _) => other,
    };
    let after = match &s.cursor {
        None => None,
        Some(cursor) => match cursor.parse::<SearchCursor>() {
            Ok(c) => Some((c.score, c.key, c.id.to_string())),
            Err(e) => return Ok(Err(BadSearch(e.to_string()))),
        },
    };
    let (mut hits, cells) = match store::search::page(conn, s, sort, limit, after)? {
        Ok(found) => found,
        Err(e) => return Ok(Err(e)),
    };
    let next_cursor = if hits.len() as i64 > limit {
        hits.truncate(limit as usize);
        match hits.last() {
            Some(h) => Some(
                SearchCursor {
                    score: h.score,
                    key: h.sort_key.clone(),
                    id: uuid::Uuid::parse_str(&h.id)
                        .map_err(|_| RegisterError::Database(format!("stored id {}", h.id)))?,
                }
                .to_string(),
            ),
            None => None,
        }
    } else {
        None
    };
    let items = hits
        .iter()
        .map(|h| entry_from_body(&h.body))
        .collect::<Result<Vec<Entry>, _>>()?;
    let mut facets = Facets::default();
    let mut total = 0;
    for cell in cells {
        total += cell.n;
        *facets.kind.entry(cell.kind).or_default() += cell.n;
        *facets
            .region
            .entry(cell.region.unwrap_or_else(|| "none".into()))
            .or_default() += cell.n;
        *facets.status.entry(cell.status).or_default() += cell.n;
    }
    let bytes = hits.iter().map(|h| h.body.len()).sum();
    Ok(Ok((
        Found {
            items,
            next_cursor,
            total,
            facets,
        },
        bytes,
    )))
}

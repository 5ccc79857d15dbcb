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
use crate::normalize::fold;
use crate::store::connection::Db;
use crate::store::{self, Filter, Register, PAGE_MAX};
use crate::Entry;
use serde::Serialize;
use std::collections::BTreeMap;

mod answers;
mod index;
mod stats;

pub(crate) use answers::Answers;
pub use answers::ANSWERS_BYTES;
use answers::{Lookup, Running};
pub(crate) use index::Kept as KeptIndex;
pub use stats::{Group, GroupBy, Stats};

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (the default with `q`; otherwise `created`).
    #[default]
    Relevance,
    /// Oldest registration first.
    Created,
    /// Newest registration first.
    CreatedDesc,
    /// By registry number.
    RegistryNumber,
    /// By Azerbaijani name.
    Name,
}

impl Sort {
    /// Parses `relevance`, `created`, `-created`, `registry_number`, `name`.
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "relevance" => Sort::Relevance,
            "created" => Sort::Created,
            "-created" => Sort::CreatedDesc,
            "registry_number" => Sort::RegistryNumber,
            "name" => Sort::Name,
            _ => return None,
        })
    }
}

/// A search.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Words to find in names (any language, any usual spelling; every word may be a prefix).
    pub q: Option<String>,
    /// Kind, status, region, economic region, ownership.
    pub filter: Filter,
    /// Founded in or after this year.
    pub founded_from: Option<i64>,
    /// Founded in or before this year.
    pub founded_to: Option<i64>,
    /// Within `radius_km` of (lat, lon).
    pub near: Option<(f64, f64, f64)>,
    /// Inside (min lon, min lat, max lon, max lat).
    pub bbox: Option<[f64; 4]>,
    /// Order.
    pub sort: Sort,
    /// Page size (1–1000).
    pub limit: i64,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Counts of the matching entries by kind, region and status.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Facets {
    /// By kind.
    pub kind: BTreeMap<String, i64>,
    /// By ISO 3166-2:AZ unit.
    pub region: BTreeMap<String, i64>,
    /// By status.
    pub status: BTreeMap<String, i64>,
}

/// A page of search results.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// The entries of this page.
    pub items: Vec<Entry>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// Matching entries on all pages.
    pub total: i64,
    /// Counts of the matching entries.
    pub facets: Facets,
}

/// Why a search cannot run.
#[derive(Debug, Clone, PartialEq)]
pub struct BadSearch(pub String);

pub(crate) fn words(q: &str) -> Vec<String> {
    fold(q)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(str::to_string)
        .collect()
}

/// The box around a circle of `r` km about (lat, lon), and the km in a degree of longitude
/// there: a search near a point takes the box first (the index), then the distance on an
/// equirectangular projection, exact to well under 1 % at Azerbaijan's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NearBox {
    pub(crate) lat_from: f64,
    pub(crate) lat_to: f64,
    pub(crate) lon_from: f64,
    pub(crate) lon_to: f64,
    pub(crate) kx: f64,
}

pub(crate) fn near_box(lat: f64, lon: f64, r: f64) -> NearBox {
    let dlat = r / 110.574;
    let kx = 111.320 * lat.to_radians().cos();
    let dlon = r / kx.max(1.0);
    NearBox {
        lat_from: lat - dlat,
        lat_to: lat + dlat,
        lon_from: lon - dlon,
        lon_to: lon + dlon,
        kx,
    }
}

/// The highest relevance score: every word of a query of 12 whole, and a whole name.
pub(crate) const MAX_SCORE: i64 = 2 * 12 + 10;

impl Register {
    /// Searches every sub-register at once. Answers are kept while the register does not
    /// change (see [`Answers`]), so a repeated search costs one indexed read.
    pub fn search(&self, s: &Search) -> Result<Result<Found, BadSearch>, RegisterError> {
        // The sequence first: what the search then reads is at least as new. No connection
        // is held while waiting for the same search running elsewhere.
        let seq = store::search::change_seq(&mut *self.connection()?)?;
        let key = format!("{s:?}");
        let mine = match self.answers().lookup(&key, seq) {
            Lookup::Found(found) => return Ok(Ok(found)),
            Lookup::Compute { mine } => mine,
        };
        let mut running = mine.then(|| Running {
            answers: self.answers(),
            key,
            seq,
            answer: None,
        });
        let mut conn = self.connection()?;
        let answer = match indexed(&mut conn, self.search_index(), s, seq)? {
            Some(answer) => answer,
            None => search(&mut conn, s)?,
        };
        drop(conn);
        if let (Some(r), Ok((found, bytes))) = (running.as_mut(), &answer) {
            r.answer = Some((found.clone(), *bytes));
        }
        Ok(answer.map(|(found, _)| found))
    }
}

/// A search's answer with the bytes of its entries, or why it cannot run.
type Answer = Result<(Found, usize), BadSearch>;

/// A search answered by the index kept in memory, when the register keeps one, it is ready
/// and the search has words and is ranked by relevance or by registration (the other orders
/// follow the database's collation). The page's bodies are read from the entries.
fn indexed(
    conn: &mut Db,
    kept: &KeptIndex,
    s: &Search,
    seq: i64,
) -> Result<Option<Answer>, RegisterError> {
    let sort = match (s.sort, &s.q) {
        (_, None) => return Ok(None),
        (sort @ (Sort::Relevance | Sort::Created | Sort::CreatedDesc), Some(_)) => sort,
        _ => return Ok(None),
    };
    if !kept.is_on() {
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
    let limit = s.limit.clamp(1, PAGE_MAX) as usize;
    let Some(ranked) = kept.rank(s, sort, after, limit) else {
        return Ok(None);
    };
    let ids: Vec<String> = ranked.page.iter().map(|(_, id)| id.to_string()).collect();
    let bodies = store::search::bodies(conn, &ids)?;
    // An entry deleted since the index was read is left out of the page.
    let mut items = Vec::with_capacity(ids.len());
    let mut bytes = 0;
    for id in &ids {
        if let Some(body) = bodies.get(id) {
            bytes += body.len();
            items.push(
                serde_json::from_str::<Entry>(body)
                    .map_err(|e| RegisterError::Database(format!("stored entry: {e}")))?,
            );
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
        .map(|h| serde_json::from_str(&h.body))
        .collect::<Result<Vec<Entry>, _>>()
        .map_err(|e| RegisterError::Database(format!("stored entry: {e}")))?;
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

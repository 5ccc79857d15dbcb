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
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

mod index;
pub(crate) use index::Kept as KeptIndex;

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

/// Sums of one group of the statistics.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Group {
    /// The group (a kind, region, economic region or status); `null` for entries without one.
    pub key: Option<String>,
    /// Entries.
    pub count: i64,
    /// Theatre seats.
    pub seats: i64,
    /// Library holdings.
    pub holdings: i64,
    /// Museum items.
    pub items: i64,
    /// Pupils enrolled in schools.
    pub enrolled: i64,
    /// Reserve area in hectares.
    pub area_ha: f64,
}

/// What statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// Sub-register.
    Kind,
    /// ISO 3166-2:AZ unit.
    Region,
    /// Economic region.
    EconomicRegion,
    /// Status.
    Status,
}

impl GroupBy {
    /// Parses `kind`, `region`, `economic_region`, `status`.
    pub fn parse(s: &str) -> Option<GroupBy> {
        Some(match s {
            "kind" => GroupBy::Kind,
            "region" => GroupBy::Region,
            "economic_region" => GroupBy::EconomicRegion,
            "status" => GroupBy::Status,
            _ => return None,
        })
    }

    /// Its name, as `parse` reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Kind => "kind",
            GroupBy::Region => "region",
            GroupBy::EconomicRegion => "economic_region",
            GroupBy::Status => "status",
        }
    }
}

/// Statistics: the groups and the totals.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// What the groups are.
    pub group_by: &'static str,
    /// One row per group, largest first.
    pub groups: Vec<Group>,
    /// Over all matching entries.
    pub total: Group,
}

/// Bytes the answers of recent searches hold at most (their entries as stored, their keys
/// and facets, and a fixed overhead each), unless configured.
pub const ANSWERS_BYTES: usize = 8 << 20;

/// Bytes counted for each answer kept, besides its entries and its key, so that answers
/// that found nothing still fill the room.
const ANSWER_BYTES: usize = 512;

/// Bytes counted for each facet count of an answer.
const FACET_BYTES: usize = 64;

/// How long a search waits for the same search already running before it runs it too.
const SAME_SEARCH_WAIT: Duration = Duration::from_secs(5);

/// Answers of recent searches, each valid while the change sequence stands where it stood
/// when the answer was computed: every write to an entry advances the sequence, so an answer
/// is never served after a change it does not show, whichever process made the change. The
/// oldest answers go first when the bytes run out. A search that is already running is not
/// run twice at once: the later callers wait for its answer.
#[derive(Clone)]
pub(crate) struct Answers(Arc<(Mutex<Cached>, Condvar)>);

impl Default for Answers {
    fn default() -> Self {
        Answers::new(ANSWERS_BYTES)
    }
}

#[derive(Default)]
struct Cached {
    /// Bytes of entries the answers may hold.
    capacity: usize,
    /// The change sequence the answers were computed at.
    seq: i64,
    answers: HashMap<String, (Found, usize)>,
    order: VecDeque<String>,
    bytes: usize,
    /// Searches being computed at `seq`.
    running: HashSet<String>,
}

impl Cached {
    /// Forgets every answer when the register has changed since (`seq` is newer); says
    /// whether the answers are of `seq`.
    fn at(&mut self, seq: i64) -> bool {
        if seq > self.seq {
            *self = Cached {
                capacity: self.capacity,
                seq,
                ..Cached::default()
            };
        }
        seq == self.seq
    }

    fn put(&mut self, key: String, found: Found, bytes: usize) {
        // What an answer holds besides its entries: its key twice, its facets, its page.
        let facets =
            found.facets.kind.len() + found.facets.region.len() + found.facets.status.len();
        let bytes = bytes + 2 * key.len() + facets * FACET_BYTES + ANSWER_BYTES;
        if bytes > self.capacity / 16 || self.answers.contains_key(&key) {
            return;
        }
        while self.bytes + bytes > self.capacity {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, b)) = self.answers.remove(&old) {
                self.bytes -= b;
            }
        }
        self.bytes += bytes;
        self.order.push_back(key.clone());
        self.answers.insert(key, (found, bytes));
    }
}

/// What a search finds in the answers.
enum Lookup {
    /// The answer.
    Found(Found),
    /// Nothing: compute it, and hand it in with [`Answers::done`] when `mine`.
    Compute { mine: bool },
}

impl Answers {
    pub(crate) fn new(capacity: usize) -> Answers {
        Answers(Arc::new((
            Mutex::new(Cached {
                capacity,
                ..Cached::default()
            }),
            Condvar::new(),
        )))
    }

    /// The answer to `key` at `seq`; waits while the same search runs elsewhere.
    fn lookup(&self, key: &str, seq: i64) -> Lookup {
        let (lock, ready) = &*self.0;
        // `put` leaves the answers whole at every step, so a panic elsewhere while the lock
        // was held leaves nothing half done.
        let mut c = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let until = Instant::now() + SAME_SEARCH_WAIT;
        loop {
            if !c.at(seq) || c.capacity == 0 {
                return Lookup::Compute { mine: false };
            }
            if let Some((found, _)) = c.answers.get(key) {
                return Lookup::Found(found.clone());
            }
            if c.running.insert(key.to_string()) {
                return Lookup::Compute { mine: true };
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Lookup::Compute { mine: false };
            }
            c = match ready.wait_timeout(c, left) {
                Ok((c, _)) => c,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Hands in the answer (or `None` when the search failed) of a search `lookup` left to
    /// this caller, and wakes those waiting for it.
    fn done(&self, key: &str, seq: i64, answer: Option<(Found, usize)>) {
        let (lock, ready) = &*self.0;
        let mut c = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if c.seq == seq {
            c.running.remove(key);
            if let Some((found, bytes)) = answer {
                c.put(key.to_string(), found, bytes);
            }
        }
        drop(c);
        ready.notify_all();
    }
}

/// Hands a search's answer in when dropped, also when the search failed, so that nobody
/// waits for it in vain.
struct Running<'a> {
    answers: &'a Answers,
    key: String,
    seq: i64,
    answer: Option<(Found, usize)>,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.answers.done(&self.key, self.seq, self.answer.take());
    }
}

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

impl Register {
    /// Counts and sums grouped by kind, region, economic region or status, over the entries
    /// a search would find.
    pub fn stats(
        &self,
        s: &Search,
        by: GroupBy,
    ) -> Result<Result<Stats, BadSearch>, RegisterError> {
        let groups = match store::search::groups(&mut *self.connection()?, s, by)? {
            Ok(groups) => groups,
            Err(e) => return Ok(Err(e)),
        };
        let total = groups.iter().fold(Group::default(), |mut t, g| {
            t.count += g.count;
            t.seats += g.seats;
            t.holdings += g.holdings;
            t.items += g.items;
            t.enrolled += g.enrolled;
            t.area_ha += g.area_ha;
            t
        });
        Ok(Ok(Stats {
            group_by: by.as_str(),
            groups,
            total,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(total: i64) -> Found {
        Found {
            items: Vec::new(),
            next_cursor: None,
            total,
            facets: Facets::default(),
        }
    }

    fn kept(a: &Answers, key: &str, seq: i64) -> Option<i64> {
        match a.lookup(key, seq) {
            Lookup::Found(f) => Some(f.total),
            Lookup::Compute { mine } => {
                if mine {
                    a.done(key, seq, None);
                }
                None
            }
        }
    }

    #[test]
    fn answers_are_kept_within_their_bytes_oldest_out_first() {
        // Each answer below counts 1 000 bytes: its entries, its key twice, the overhead.
        let entries = 1000 - ANSWER_BYTES - 2 * "q10".len();
        let a = Answers::new(16_000);
        for i in 10..27 {
            let key = format!("q{i}");
            assert!(matches!(a.lookup(&key, 7), Lookup::Compute { mine: true }));
            a.done(&key, 7, Some((found(i), entries)));
        }
        // 17 000 bytes do not fit in 16 000: the first went.
        assert_eq!(kept(&a, "q10", 7), None);
        assert_eq!(kept(&a, "q11", 7), Some(11));
        assert_eq!(kept(&a, "q26", 7), Some(26));
        // An answer larger than a sixteenth of the room is not kept.
        assert!(matches!(a.lookup("big", 7), Lookup::Compute { mine: true }));
        a.done("big", 7, Some((found(99), 1001 - ANSWER_BYTES - 6)));
        assert_eq!(kept(&a, "big", 7), None);
        // Answers that found nothing still count: they cannot grow without end.
        let a = Answers::new(16_000);
        for i in 0..1000 {
            let key = format!("nothing {i}");
            if let Lookup::Compute { mine: true } = a.lookup(&key, 7) {
                a.done(&key, 7, Some((found(0), 0)));
            }
        }
        let held =
            a.0 .0
                .lock()
                .map(|c| (c.answers.len(), c.bytes))
                .unwrap_or_default();
        assert!(
            held.0 <= 16_000 / ANSWER_BYTES && held.1 <= 16_000,
            "{held:?}"
        );
        assert!(held.0 > 0);
    }

    #[test]
    fn the_same_search_waits_for_the_one_running() {
        let a = Answers::new(1 << 20);
        assert!(matches!(a.lookup("q", 5), Lookup::Compute { mine: true }));
        std::thread::scope(|s| {
            let waiter = s.spawn(|| kept(&a, "q", 5));
            // The waiter cannot compute it: the search is running here.
            std::thread::sleep(Duration::from_millis(100));
            assert!(!waiter.is_finished());
            a.done("q", 5, Some((found(42), 10)));
            assert_eq!(waiter.join().ok().flatten(), Some(42));
        });
        // A failed search wakes its waiters, who then compute it themselves.
        assert!(matches!(a.lookup("r", 5), Lookup::Compute { mine: true }));
        std::thread::scope(|s| {
            let waiter = s.spawn(|| matches!(a.lookup("r", 5), Lookup::Compute { mine: true }));
            std::thread::sleep(Duration::from_millis(100));
            a.done("r", 5, None);
            assert!(waiter.join().unwrap_or(false));
        });
    }

    #[test]
    fn a_change_forgets_every_answer_and_an_older_reader_keeps_nothing() {
        let a = Answers::new(1 << 20);
        assert!(matches!(a.lookup("q", 3), Lookup::Compute { mine: true }));
        a.done("q", 3, Some((found(1), 10)));
        assert_eq!(kept(&a, "q", 3), Some(1));
        // The register moved on: the answer of sequence 3 is gone.
        assert_eq!(kept(&a, "q", 4), None);
        // A reader that saw sequence 3 computes alone and keeps nothing.
        assert!(matches!(a.lookup("q", 3), Lookup::Compute { mine: false }));
        a.done("q", 3, Some((found(1), 10)));
        assert_eq!(kept(&a, "q", 4), None);
        // No room, nothing kept, nobody waits.
        let none = Answers::new(0);
        assert!(matches!(
            none.lookup("q", 1),
            Lookup::Compute { mine: false }
        ));
    }
}

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
use crate::store::{Filter, Register, PAGE_MAX};
use crate::Entry;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
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

/// A bind value of the generated SQL.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
}

/// SQL built for one backend, with its binds in order.
struct Sql {
    pg: bool,
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(pg: bool) -> Sql {
        Sql {
            pg,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    /// Appends a placeholder for `b`: numbered, so it may be used more than once and in any
    /// order (`$N` on PostgreSQL, `?N` on SQLite, where `$N` would be a named parameter
    /// numbered by first appearance).
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        let n = self.binds.len();
        if self.pg {
            format!("${n}")
        } else {
            format!("?{n}")
        }
    }
}

fn words(q: &str) -> Vec<String> {
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
struct NearBox {
    lat_from: f64,
    lat_to: f64,
    lon_from: f64,
    lon_to: f64,
    kx: f64,
}

fn near_box(lat: f64, lon: f64, r: f64) -> NearBox {
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

/// The WHERE clause shared by search, facets and statistics.
fn conditions(s: &Search, sql: &mut Sql) -> Result<Vec<String>, BadSearch> {
    let mut c = Vec::new();
    let f = &s.filter;
    let equal = [
        ("kind", f.kind.map(|k| k.as_str().to_string())),
        ("status", f.status.map(|st| st.as_str().to_string())),
        ("region", f.region.clone()),
        ("economic_region", f.economic_region.clone()),
        ("ownership", f.ownership.map(|o| o.as_str().to_string())),
        ("type_word", f.type_word.clone()),
    ];
    for (column, value) in equal {
        if let Some(v) = value {
            let p = sql.bind(Bind::Text(v));
            c.push(format!("{column} = {p}"));
        }
    }
    if let Some(y) = s.founded_from {
        let p = sql.bind(Bind::Int(y));
        c.push(format!("founded_year >= {p}"));
    }
    if let Some(y) = s.founded_to {
        let p = sql.bind(Bind::Int(y));
        c.push(format!("founded_year <= {p}"));
    }
    if let Some([min_lon, min_lat, max_lon, max_lat]) = s.bbox {
        if min_lon > max_lon || min_lat > max_lat {
            return Err(BadSearch("bbox is min_lon,min_lat,max_lon,max_lat".into()));
        }
        let (a, b) = (
            sql.bind(Bind::Float(min_lat)),
            sql.bind(Bind::Float(max_lat)),
        );
        let (d, e) = (
            sql.bind(Bind::Float(min_lon)),
            sql.bind(Bind::Float(max_lon)),
        );
        c.push(format!(
            "lat BETWEEN {a} AND {b} AND lon BETWEEN {d} AND {e}"
        ));
    }
    if let Some((lat, lon, r)) = s.near {
        if !(r > 0.0 && r <= 1000.0) {
            return Err(BadSearch(
                "radius_km is more than 0 and at most 1000".into(),
            ));
        }
        let b = near_box(lat, lon, r);
        let (a, bb) = (
            sql.bind(Bind::Float(b.lat_from)),
            sql.bind(Bind::Float(b.lat_to)),
        );
        let (d, e) = (
            sql.bind(Bind::Float(b.lon_from)),
            sql.bind(Bind::Float(b.lon_to)),
        );
        let (plat, plon) = (sql.bind(Bind::Float(lat)), sql.bind(Bind::Float(lon)));
        let (pkx, pr) = (sql.bind(Bind::Float(b.kx)), sql.bind(Bind::Float(r * r)));
        c.push(format!(
            "lat BETWEEN {a} AND {bb} AND lon BETWEEN {d} AND {e} AND \
             ((lon - {plon}) * {pkx}) * ((lon - {plon}) * {pkx}) + \
             ((lat - {plat}) * 110.574) * ((lat - {plat}) * 110.574) <= {pr}"
        ));
    }
    if let Some(q) = &s.q {
        let ws = words(q);
        if ws.is_empty() {
            return Err(BadSearch("q has no letters or digits to search for".into()));
        }
        if sql.pg {
            let query = ws
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & ");
            let p = sql.bind(Bind::Text(query));
            c.push(format!(
                "to_tsvector('simple', search_text) @@ to_tsquery('simple', {p})"
            ));
        } else {
            let query = ws
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" ");
            let p = sql.bind(Bind::Text(query));
            c.push(format!(
                "rowid IN (SELECT rowid FROM entry_search WHERE entry_search MATCH {p})"
            ));
        }
    }
    Ok(c)
}

/// The highest relevance score: every word of a query of 12 whole, and a whole name.
pub(crate) const MAX_SCORE: i64 = 2 * 12 + 10;

/// The relevance score: whole-word matches count 2, a name that is exactly the query 10.
/// (`search_text` is `| name one | name two |`, see the entries row.)
fn score_sql(s: &Search, sql: &mut Sql) -> String {
    let Some(q) = &s.q else {
        return "0".into();
    };
    let ws = words(q);
    let mut parts = Vec::new();
    for w in &ws {
        let p = sql.bind(Bind::Text(format!("% {w} %")));
        parts.push(format!(
            "CASE WHEN (' ' || search_text || ' ') LIKE {p} THEN 2 ELSE 0 END"
        ));
    }
    let whole = sql.bind(Bind::Text(format!("%| {} |%", ws.join(" "))));
    parts.push(format!(
        "CASE WHEN search_text LIKE {whole} THEN 10 ELSE 0 END"
    ));
    format!("({})", parts.join(" + "))
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = BigInt)]
    score: i64,
    #[diesel(sql_type = Text)]
    sort_key: String,
    #[diesel(sql_type = Text)]
    id: String,
}

/// A row of the one-pass search: a facet cell (`part` 0) or an entry of the page (`part` 1,
/// `n` its place).
#[derive(QueryableByName)]
struct Pass {
    #[diesel(sql_type = BigInt)]
    part: i64,
    #[diesel(sql_type = Nullable<Text>)]
    body: Option<String>,
    #[diesel(sql_type = BigInt)]
    score: i64,
    #[diesel(sql_type = Text)]
    sort_key: String,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    region: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct FacetCell {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    region: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Sums of one group of the statistics.
#[derive(Debug, Clone, Default, Serialize, PartialEq, QueryableByName)]
pub struct Group {
    /// The group (a kind, region, economic region or status); `null` for entries without one.
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    /// Entries.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// Theatre seats.
    #[diesel(sql_type = BigInt)]
    pub seats: i64,
    /// Library holdings.
    #[diesel(sql_type = BigInt)]
    pub holdings: i64,
    /// Museum items.
    #[diesel(sql_type = BigInt)]
    pub items: i64,
    /// Pupils enrolled in schools.
    #[diesel(sql_type = BigInt)]
    pub enrolled: i64,
    /// Reserve area in hectares.
    #[diesel(sql_type = Double)]
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

    fn column(self) -> &'static str {
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

fn run<T: diesel::deserialize::QueryableByName<<Db as Connection>::Backend> + 'static>(
    c: &mut Db,
    sql: &Sql,
) -> Result<Vec<T>, RegisterError> {
    let mut q = diesel::sql_query(sql.text.clone()).into_boxed::<<Db as Connection>::Backend>();
    for b in &sql.binds {
        q = match b {
            Bind::Text(s) => q.bind::<Text, _>(s.clone()),
            Bind::Int(i) => q.bind::<BigInt, _>(*i),
            Bind::Float(f) => q.bind::<Double, _>(*f),
        };
    }
    Ok(q.load(c)?)
}

fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
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

/// Where the change sequence stands.
pub(crate) fn change_seq(c: &mut Db) -> Result<i64, RegisterError> {
    use crate::store::schema::counters;
    Ok(counters::table
        .filter(counters::name.eq("change"))
        .select(counters::value)
        .first(c)
        .optional()?
        .unwrap_or(0))
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
        let seq = change_seq(&mut *self.connection()?)?;
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
    let pg = matches!(&*conn, Db::Pg(_));
    if let Err(e) = conditions(s, &mut Sql::new(pg)) {
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
    use crate::store::schema::entries;
    let ids: Vec<String> = ranked.page.iter().map(|(_, id)| id.to_string()).collect();
    let bodies: HashMap<String, String> = entries::table
        .filter(entries::id.eq_any(&ids))
        .select((entries::id, entries::body))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
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

/// A search, and the bytes of the entries it found.
fn search(conn: &mut Db, s: &Search) -> Result<Result<(Found, usize), BadSearch>, RegisterError> {
    let pg = matches!(&*conn, Db::Pg(_));
    let limit = s.limit.clamp(1, PAGE_MAX);
    let sort = match (s.sort, &s.q) {
        (Sort::Relevance, None) => Sort::Created,
        (other, _) => other,
    };
    // The page.
    let mut sql = Sql::new(pg);
    let mut conds = match conditions(s, &mut sql) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let score = score_sql(s, &mut sql);
    let key = match sort {
        Sort::Relevance | Sort::Created | Sort::CreatedDesc => "''".to_string(),
        Sort::RegistryNumber => "registry_number".into(),
        Sort::Name => "name_az".into(),
    };
    // With words to find, the matches are read once: their narrow columns are kept aside,
    // and both the facets and the page come from them in one statement. Without, the page
    // follows an index and stops at the limit, and the facets are a grouped count.
    let one_pass = s.q.is_some();
    let (score_of, key_of) = if one_pass {
        ("score".to_string(), "sort_key".to_string())
    } else {
        (score.clone(), key.clone())
    };
    let mut after = None;
    if let Some(cursor) = &s.cursor {
        let SearchCursor {
            score: cur_score,
            key: cur_key,
            id: cur_id,
        } = match cursor.parse::<SearchCursor>() {
            Ok(c) => c,
            Err(e) => return Ok(Err(BadSearch(e.to_string()))),
        };
        let id = sql.bind(Bind::Text(cur_id.to_string()));
        after = Some(match sort {
            Sort::Relevance => {
                let sc = sql.bind(Bind::Int(cur_score));
                format!("({score_of} < {sc} OR ({score_of} = {sc} AND id > {id}))")
            }
            Sort::Created => format!("id > {id}"),
            Sort::CreatedDesc => format!("id < {id}"),
            Sort::RegistryNumber | Sort::Name => {
                let k = sql.bind(Bind::Text(cur_key));
                format!("({key_of} > {k} OR ({key_of} = {k} AND id > {id}))")
            }
        });
    }
    let order = match sort {
        Sort::Relevance => format!("{score_of} DESC, id ASC"),
        Sort::Created => "id ASC".into(),
        Sort::CreatedDesc => "id DESC".into(),
        Sort::RegistryNumber | Sort::Name => format!("{key_of} ASC, id ASC"),
    };
    let lim = sql.bind(Bind::Int(limit + 1));
    let (mut hits, cells) = if one_pass {
        let after = after.map(|a| format!(" WHERE {a}")).unwrap_or_default();
        sql.text = format!(
            "WITH hits AS MATERIALIZED (SELECT id, kind, region, status, \
               CAST({score} AS BIGINT) AS score, CAST({key} AS TEXT) AS sort_key \
               FROM entries{}) \
             SELECT CAST(0 AS BIGINT) AS part, CAST(NULL AS TEXT) AS body, \
               CAST(0 AS BIGINT) AS score, CAST('' AS TEXT) AS sort_key, CAST('' AS TEXT) AS id, \
               kind, region, status, COUNT(*) AS n \
             FROM hits GROUP BY kind, region, status \
             UNION ALL \
             SELECT CAST(1 AS BIGINT), e.body, t.score, t.sort_key, t.id, \
               CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), t.n \
             FROM (SELECT id, score, sort_key, ROW_NUMBER() OVER (ORDER BY {order}) AS n \
                   FROM (SELECT id, score, sort_key FROM hits{after} \
                         ORDER BY {order} LIMIT {lim}) u) t \
             JOIN entries e ON e.id = t.id",
            where_clause(&conds)
        );
        let rows: Vec<Pass> = run(conn, &sql)?;
        let (mut page, groups): (Vec<Pass>, Vec<Pass>) =
            rows.into_iter().partition(|r| r.part == 1);
        page.sort_by_key(|r| r.n);
        let hits = page
            .into_iter()
            .map(|r| Hit {
                body: r.body.unwrap_or_default(),
                score: r.score,
                sort_key: r.sort_key,
                id: r.id,
            })
            .collect();
        let cells = groups
            .into_iter()
            .map(|r| FacetCell {
                kind: r.kind.unwrap_or_default(),
                region: r.region,
                status: r.status.unwrap_or_default(),
                n: r.n,
            })
            .collect();
        (hits, cells)
    } else {
        conds.extend(after);
        // Order and cut on narrow rows first; read the bodies of the page only.
        let outer_order = match sort {
            Sort::Relevance => "t.score DESC, t.id ASC",
            Sort::Created => "t.id ASC",
            Sort::CreatedDesc => "t.id DESC",
            Sort::RegistryNumber | Sort::Name => "t.sort_key ASC, t.id ASC",
        };
        sql.text = format!(
            "SELECT e.body AS body, t.score AS score, t.sort_key AS sort_key, t.id AS id FROM \
             (SELECT id, CAST({score} AS BIGINT) AS score, CAST({key} AS TEXT) AS sort_key \
              FROM entries{} ORDER BY {order} LIMIT {lim}) t \
             JOIN entries e ON e.id = t.id ORDER BY {outer_order}",
            where_clause(&conds)
        );
        let hits: Vec<Hit> = run(conn, &sql)?;
        // Total and facets, over the whole match (no cursor), in one grouped query.
        let mut sql = Sql::new(pg);
        let conds = conditions(s, &mut sql).unwrap_or_default();
        sql.text = format!(
            "SELECT kind, region, status, COUNT(*) AS n FROM entries{} GROUP BY kind, region, status",
            where_clause(&conds)
        );
        let cells: Vec<FacetCell> = run(conn, &sql)?;
        (hits, cells)
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
        let mut conn = self.connection()?;
        let pg = matches!(&*conn, Db::Pg(_));
        let sums = "COUNT(*) AS count, CAST(COALESCE(SUM(seats), 0) AS BIGINT) AS seats, \
             CAST(COALESCE(SUM(holdings), 0) AS BIGINT) AS holdings, \
             CAST(COALESCE(SUM(items_total), 0) AS BIGINT) AS items, \
             CAST(COALESCE(SUM(enrolled), 0) AS BIGINT) AS enrolled, \
             CAST(COALESCE(SUM(area_ha), 0) AS DOUBLE PRECISION) AS area_ha";
        let mut sql = Sql::new(pg);
        let conds = match conditions(s, &mut sql) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let column = by.column();
        sql.text = format!(
            "SELECT {column} AS key, {sums} FROM entries{} GROUP BY {column} ORDER BY count DESC, key ASC",
            where_clause(&conds)
        );
        let groups: Vec<Group> = run(&mut conn, &sql)?;
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
            group_by: column,
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

//! The search index kept in memory: the words of every entry's names and the few columns the
//! filters and facets read, so that a search with words ranks and counts its matches without
//! reading a table, and reads the bodies of its page only.
//!
//! It is never stale: before a search it takes in every change up to the change sequence the
//! search read, from the revisions any process wrote (a change is a revision, and the
//! sequence moves only when its revisions are committed). Far behind, or not built yet, it is
//! built again from the entries by one caller while the others search the tables.
//!
//! What it finds is what the tables find: an entry matches when each word of the query begins
//! one of the words of its names (as `store::search::conditions` asks the full-text indexes), and
//! it scores as `store::search::score_sql` does. `tests/conformance/search.rs` checks both paths
//! give the same pages, totals, facets and cursors.

use super::{near_box, words, Facets, NearBox, Search, Sort};
use crate::error::RegisterError;
use crate::store;
use crate::store::connection::Db;
use crate::store::index::IndexRow as Row;
use crate::store::rows::{entry_from_body, logged_body, EntryRow};
use crate::vocab::Operation;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// A column value that is null.
const NULL: u8 = u8::MAX;
/// A filter value no entry holds.
const NO_MATCH: u8 = u8::MAX - 1;
/// Ends each name in an entry's words.
const END_OF_NAME: u32 = u32::MAX;
/// Rows read at a time while building.
const BATCH: i64 = 10_000;
/// Changes behind beyond which the index is built again rather than brought up to date.
const REBUILD_AFTER: i64 = 100_000;

/// An entry id as two numbers, ordered as the ids' text is.
type Key = [u64; 2];

fn key(id: uuid::Uuid) -> Key {
    let n = id.as_u128();
    [(n >> 64) as u64, n as u64]
}

fn uuid_of(k: Key) -> uuid::Uuid {
    uuid::Uuid::from_u128((u128::from(k[0]) << 64) | u128::from(k[1]))
}

/// The slots holding one word, ascending. Most words of a large register (numbers in names)
/// are one entry's: those take no allocation of their own.
#[derive(Debug, Clone)]
enum Postings {
    One(u32),
    Many(Vec<u32>),
}

impl Postings {
    fn as_slice(&self) -> &[u32] {
        match self {
            Postings::One(s) => std::slice::from_ref(s),
            Postings::Many(v) => v,
        }
    }

    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn insert(&mut self, s: u32) {
        match self {
            Postings::Many(v) if v.is_empty() => *self = Postings::One(s),
            Postings::Many(v) => {
                if let Err(i) = v.binary_search(&s) {
                    v.insert(i, s);
                }
            }
            Postings::One(one) if *one == s => {}
            Postings::One(one) => {
                let one = *one;
                *self = Postings::Many(if one < s { vec![one, s] } else { vec![s, one] });
            }
        }
    }

    fn remove(&mut self, s: u32) {
        match self {
            Postings::One(one) if *one == s => *self = Postings::Many(Vec::new()),
            Postings::One(_) => {}
            Postings::Many(v) => {
                if let Ok(i) = v.binary_search(&s) {
                    v.remove(i);
                }
            }
        }
    }

    fn shrink(&mut self) {
        if let Postings::Many(v) = self {
            v.shrink_to_fit();
        }
    }
}

/// The values one column takes, numbered.
#[derive(Default)]
struct Values {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u8>,
}

impl Values {
    fn intern(&mut self, v: Option<&str>) -> Result<u8, RegisterError> {
        let Some(v) = v else { return Ok(NULL) };
        if let Some(&id) = self.ids.get(v) {
            return Ok(id);
        }
        let id = u8::try_from(self.names.len())
            .ok()
            .filter(|&i| i < NO_MATCH)
            .ok_or_else(|| {
                RegisterError::Database(format!("more than {NO_MATCH} values in a column (`{v}`)"))
            })?;
        self.names.push(v.into());
        self.ids.insert(v.into(), id);
        Ok(id)
    }

    /// The number a filter on `v` compares with.
    fn wanted(&self, v: Option<&str>) -> Option<u8> {
        v.map(|v| self.ids.get(v).copied().unwrap_or(NO_MATCH))
    }

    fn name(&self, id: u8) -> Option<&str> {
        self.names.get(usize::from(id)).map(|s| &**s)
    }
}

/// What the index holds of one entry.
#[derive(Clone, Copy)]
struct Slot {
    id: Key,
    /// NaN without a location.
    lat: f64,
    lon: f64,
    /// `i16::MIN` without one (years are 1000 to now).
    founded: i16,
    /// Where its words are in [`Index::words`], and how many.
    words_at: u32,
    words_len: u32,
    economic_region: u8,
    ownership: u8,
    type_word: u8,
}

/// The group of a deleted entry.
const NO_GROUP: u16 = u16::MAX;

/// The index at one change sequence.
#[derive(Default)]
struct Index {
    /// Every change up to this one is in.
    seq: i64,
    slots: Vec<Slot>,
    /// Beside each slot, what every search reads of it: the number of its (kind, region,
    /// status) in `groups` ([`NO_GROUP`] once deleted), two bytes, so that a search without
    /// other filters goes through little memory and counts a match once for three facets.
    group_of: Vec<u16>,
    /// Beside each slot, the fewest words of its names (a name is the whole query only if
    /// it has as many words).
    shortest: Vec<u8>,
    /// The (kind, region, status) the entries have, numbered.
    groups: Vec<(u8, u8, u8)>,
    group_ids: HashMap<(u8, u8, u8), u16>,
    /// `slots[..sorted]` are in id order; the others are found through `strays`.
    sorted: usize,
    strays: HashMap<Key, u32>,
    /// Each entry's names as word numbers, each name ended by [`END_OF_NAME`].
    words: Vec<u32>,
    /// Words no longer any entry's.
    garbage: usize,
    /// Word numbers, in word order (for prefixes).
    terms: BTreeMap<Box<str>, u32>,
    /// The slots holding each word, ascending.
    postings: Vec<Postings>,
    kinds: Values,
    statuses: Values,
    regions: Values,
    economic_regions: Values,
    ownerships: Values,
    type_words: Values,
}

/// A page ranked by the index: (score, id) of each entry, whether more follow, the total and
/// the facets.
pub(super) struct Ranked {
    pub page: Vec<(i64, uuid::Uuid)>,
    pub more: bool,
    pub total: i64,
    pub facets: Facets,
}

/// Where a page starts: after this score and id.
pub(super) type After = (i64, uuid::Uuid);

impl Index {
    fn find(&self, k: &Key) -> Option<u32> {
        match self.slots[..self.sorted].binary_search_by(|s| s.id.cmp(k)) {
            Ok(i) => u32::try_from(i).ok(),
            Err(_) => self.strays.get(k).copied(),
        }
    }

    fn term(&mut self, w: &str) -> Result<u32, RegisterError> {
        if let Some(&t) = self.terms.get(w) {
            return Ok(t);
        }
        let t = u32::try_from(self.postings.len())
            .ok()
            .filter(|&t| t < END_OF_NAME)
            .ok_or_else(|| RegisterError::Database("too many distinct words to index".into()))?;
        self.terms.insert(w.into(), t);
        self.postings.push(Postings::Many(Vec::new()));
        Ok(t)
    }

    /// The distinct word numbers of a slot.
    fn terms_of(&self, slot: &Slot) -> Vec<u32> {
        let at = slot.words_at as usize;
        let mut ts: Vec<u32> = self.words[at..at + slot.words_len as usize]
            .iter()
            .copied()
            .filter(|&t| t != END_OF_NAME)
            .collect();
        ts.sort_unstable();
        ts.dedup();
        ts
    }

    /// Takes a slot's words out of the postings and marks it deleted.
    fn unlink(&mut self, s: u32) {
        let slot = self.slots[s as usize];
        if self.group_of[s as usize] == NO_GROUP {
            return;
        }
        for t in self.terms_of(&slot) {
            self.postings[t as usize].remove(s);
        }
        self.garbage += slot.words_len as usize;
        self.group_of[s as usize] = NO_GROUP;
    }

    fn remove(&mut self, id: uuid::Uuid) {
        if let Some(s) = self.find(&key(id)) {
            self.unlink(s);
        }
    }

    /// Puts an entry in, in place of what it was.
    fn put(&mut self, row: Row) -> Result<(), RegisterError> {
        let id = uuid::Uuid::parse_str(&row.id)
            .map_err(|e| RegisterError::Database(format!("stored id `{}`: {e}", row.id)))?;
        let k = key(id);
        let s = match self.find(&k) {
            Some(s) => {
                self.unlink(s);
                s
            }
            None => {
                let s = u32::try_from(self.slots.len())
                    .map_err(|_| RegisterError::Database("too many entries to index".into()))?;
                let in_order = self.sorted == self.slots.len()
                    && self.slots.last().is_none_or(|last| last.id < k);
                if in_order {
                    self.sorted += 1;
                } else {
                    self.strays.insert(k, s);
                }
                self.slots.push(Slot {
                    id: k,
                    lat: f64::NAN,
                    lon: f64::NAN,
                    founded: i16::MIN,
                    words_at: 0,
                    words_len: 0,
                    economic_region: NULL,
                    ownership: NULL,
                    type_word: NULL,
                });
                self.group_of.push(NO_GROUP);
                self.shortest.push(u8::MAX);
                s
            }
        };
        let too_many = || RegisterError::Database("too many words to index".into());
        let words_at = u32::try_from(self.words.len()).map_err(|_| too_many())?;
        // `search_text` is "| name one | name two |", the words of a name split by spaces.
        let mut shortest = u8::MAX;
        for name in row.search_text.split('|') {
            let mut n = 0usize;
            for w in name.split(' ').filter(|w| !w.is_empty()) {
                let t = self.term(w)?;
                self.words.push(t);
                n += 1;
            }
            if n > 0 {
                self.words.push(END_OF_NAME);
                shortest = shortest.min(u8::try_from(n).unwrap_or(u8::MAX));
            }
        }
        let words_len =
            u32::try_from(self.words.len() - words_at as usize).map_err(|_| too_many())?;
        let slot = Slot {
            id: k,
            lat: row.lat.unwrap_or(f64::NAN),
            lon: row.lon.unwrap_or(f64::NAN),
            founded: match row.founded_year {
                None => i16::MIN,
                Some(y) => i16::try_from(y)
                    .ok()
                    .filter(|&y| y != i16::MIN)
                    .ok_or_else(|| RegisterError::Database(format!("founded in {y}")))?,
            },
            words_at,
            words_len,
            economic_region: self
                .economic_regions
                .intern(row.economic_region.as_deref())?,
            ownership: self.ownerships.intern(row.ownership.as_deref())?,
            type_word: self.type_words.intern(Some(&row.type_word))?,
        };
        self.slots[s as usize] = slot;
        let kind = self.kinds.intern(Some(&row.kind))?;
        let region = self.regions.intern(row.region.as_deref())?;
        let status = self.statuses.intern(Some(&row.status))?;
        let group = match self.group_ids.get(&(kind, region, status)) {
            Some(&g) => g,
            None => {
                // Within u16 for any real register (6 × 79 × 3); beyond, refuse.
                let g = u16::try_from(self.groups.len())
                    .ok()
                    .filter(|&g| g < NO_GROUP)
                    .ok_or_else(|| {
                        RegisterError::Database("too many kinds × regions × statuses".into())
                    })?;
                self.groups.push((kind, region, status));
                self.group_ids.insert((kind, region, status), g);
                g
            }
        };
        self.group_of[s as usize] = group;
        self.shortest[s as usize] = shortest;
        for t in self.terms_of(&slot) {
            self.postings[t as usize].insert(s);
        }
        Ok(())
    }

    /// Drops the words of deleted and changed entries once they outweigh the live ones.
    fn tidy(&mut self) {
        if self.garbage <= self.words.len() / 2 {
            return;
        }
        let mut words = Vec::with_capacity(self.words.len() - self.garbage);
        for (slot, &group) in self.slots.iter_mut().zip(&self.group_of) {
            let at = slot.words_at as usize;
            let live = group != NO_GROUP;
            // Within u32: the new list is shorter than the old one.
            slot.words_at = words.len() as u32;
            if live {
                words.extend_from_slice(&self.words[at..at + slot.words_len as usize]);
            } else {
                slot.words_len = 0;
            }
        }
        self.words = words;
        self.garbage = 0;
    }

    fn shrink(&mut self) {
        self.slots.shrink_to_fit();
        self.group_of.shrink_to_fit();
        self.shortest.shrink_to_fit();
        self.words.shrink_to_fit();
        for p in &mut self.postings {
            p.shrink();
        }
    }

    /// Builds the index from the entries, then brings it to at least `seq`.
    fn build(c: &mut Db, seq: i64) -> Result<Index, RegisterError> {
        let mut ix = Index {
            seq: store::search::change_seq(c)?,
            ..Index::default()
        };
        let mut last = String::new();
        loop {
            let rows = store::index::entries_after(c, &last, BATCH)?;
            let Some(end) = rows.last().map(|r| r.id.clone()) else {
                break;
            };
            for row in rows {
                ix.put(row)?;
            }
            last = end;
        }
        // Entries read after the sequence was may already hold later changes: taking those
        // changes in again changes nothing.
        ix.catch_up(c, seq)?;
        ix.shrink();
        Ok(ix)
    }

    /// Takes in the changes after `self.seq` up to `seq`.
    fn catch_up(&mut self, c: &mut Db, seq: i64) -> Result<(), RegisterError> {
        while self.seq < seq {
            let changes = read_changes(c, self.seq, seq)?;
            let Some(&(last, _)) = changes.last() else {
                self.seq = seq;
                break;
            };
            self.apply(changes)?;
            self.seq = last;
        }
        self.tidy();
        Ok(())
    }

    fn apply(&mut self, changes: Vec<(i64, Change)>) -> Result<(), RegisterError> {
        for (_, change) in changes {
            match change {
                Change::Gone(id) => self.remove(id),
                Change::Now(row) => self.put(*row)?,
            }
        }
        Ok(())
    }

    /// The slots holding a word beginning with `prefix`, and how many postings that is.
    fn prefixed(&self, prefix: &str) -> (Vec<u32>, usize) {
        let mut ts = Vec::new();
        let mut n = 0;
        for (w, &t) in self
            .terms
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
        {
            if !w.starts_with(prefix) {
                break;
            }
            n += self.postings[t as usize].len();
            ts.push(t);
        }
        (ts, n)
    }

    /// Ranks the entries matching `s` (which has words): the page after `after`, up to
    /// `limit`, the total and the facets.
    fn rank(&self, s: &Search, sort: Sort, after: Option<After>, limit: usize) -> Ranked {
        // While every slot is in id order, a slot's place is its id's.
        self.rank_by(s, sort, after, limit, self.strays.is_empty())
    }

    fn rank_by(
        &self,
        s: &Search,
        sort: Sort,
        after: Option<After>,
        limit: usize,
        by_place: bool,
    ) -> Ranked {
        let q = s.q.as_deref().unwrap_or_default();
        let ws = words(q);
        let blocks = self.slots.len().div_ceil(64);
        let bits_of = |ts: &[u32]| {
            let mut bits = vec![0u64; blocks];
            for &t in ts {
                for &slot in self.postings[t as usize].as_slice() {
                    bits[slot as usize / 64] |= 1 << (slot % 64);
                }
            }
            bits
        };

        // The slots holding every word as a prefix, cheapest word first.
        let mut distinct = ws.clone();
        distinct.sort();
        distinct.dedup();
        let mut lists: Vec<(Vec<u32>, usize)> = distinct.iter().map(|w| self.prefixed(w)).collect();
        lists.sort_by_key(|(_, n)| *n);
        let mut matches: Option<Vec<u64>> = None;
        for (ts, _) in &lists {
            let mut bits = bits_of(ts);
            if let Some(m) = &matches {
                for (b, m) in bits.iter_mut().zip(m) {
                    *b &= m;
                }
            }
            matches = Some(bits);
        }
        let matches = matches.unwrap_or_default();

        // Whole words score 2 each (a repeated word counts again), a whole name 10 more.
        let exact: Vec<Option<u32>> = ws
            .iter()
            .map(|w| self.terms.get(w.as_str()).copied())
            .collect();
        let phrase: Option<Vec<u32>> = exact.iter().copied().collect();
        let mut whole_terms: Vec<u32> = exact.iter().flatten().copied().collect();
        whole_terms.sort_unstable();
        let mut whole: Vec<(Vec<u64>, i64)> = Vec::new();
        for group in whole_terms.chunk_by(|a, b| a == b) {
            whole.push((bits_of(&group[..1]), 2 * group.len() as i64));
        }
        let every_word = 2 * ws.len() as i64;

        let f = &s.filter;
        let kind = self.kinds.wanted(f.kind.map(|k| k.as_str()));
        let status = self.statuses.wanted(f.status.map(|k| k.as_str()));
        let region = self.regions.wanted(f.region.as_deref());
        let economic_region = self.economic_regions.wanted(f.economic_region.as_deref());
        let ownership = self.ownerships.wanted(f.ownership.map(|o| o.as_str()));
        let type_word = self.type_words.wanted(f.type_word.as_deref());
        let near = s
            .near
            .map(|(lat, lon, r)| (lat, lon, r, near_box(lat, lon, r)));
        let reads_slot = economic_region.is_some()
            || ownership.is_some()
            || type_word.is_some()
            || s.founded_from.is_some()
            || s.founded_to.is_some()
            || s.bbox.is_some()
            || near.is_some();
        let is = |want: Option<u8>, have: u8| want.is_none_or(|w| w == have);

        // Order: (minus the score when by relevance, then the id's place or the id), smallest
        // first; from the newest, the place or id reversed.
        let desc = sort == Sort::CreatedDesc;
        let place = |i: usize| -> u128 {
            if by_place {
                let p = i as u128 + 1;
                if desc {
                    u128::MAX - p
                } else {
                    p
                }
            } else {
                let n = uuid_of(self.slots[i].id).as_u128();
                if desc {
                    !n
                } else {
                    n
                }
            }
        };
        let primary = |score: i64| if sort == Sort::Relevance { -score } else { 0 };
        let after_key = after.map(|(score, id)| {
            let k = key(id);
            let sorted = &self.slots[..self.sorted];
            let second = match (by_place, desc) {
                // After the id: the slots from the first with a greater id.
                (true, false) => sorted.partition_point(|s| s.id <= k) as u128,
                // Before the id: the slots up to the last with a smaller id.
                (true, true) => u128::MAX - (sorted.partition_point(|s| s.id < k) as u128 + 1),
                (false, false) => id.as_u128(),
                (false, true) => !id.as_u128(),
            };
            (primary(score), second)
        });

        // The groups kind, status and region let through, when filtered on.
        let allowed: Option<Vec<bool>> = (kind.is_some() || status.is_some() || region.is_some())
            .then(|| {
                self.groups
                    .iter()
                    .map(|&(k, r, st)| is(kind, k) && is(status, st) && is(region, r))
                    .collect()
            });
        let mut by_group = vec![0i64; self.groups.len()];
        let mut page = if by_place && whole.len() <= 1 {
            self.page_by_levels(
                matches,
                &mut by_group,
                &Levels {
                    passes: &|i: usize| {
                        let g = usize::from(self.group_of[i]);
                        allowed
                            .as_ref()
                            .is_none_or(|a| a.get(g).copied().unwrap_or(false))
                            && (!reads_slot
                                || self.passes(
                                    &self.slots[i],
                                    s,
                                    near,
                                    [economic_region, ownership, type_word],
                                ))
                    },
                    whole: whole.first(),
                    phrase: phrase
                        .as_deref()
                        .filter(|_| whole.first().is_some_and(|(_, n)| *n == every_word)),
                    sort,
                    after: after_key,
                    limit,
                },
            )
        } else {
            // The page so far: the `limit` + 1 smallest orders.
            let mut page: BinaryHeap<((i64, u128), i64, usize)> =
                BinaryHeap::with_capacity(limit + 2);
            // Whole words of the 64 slots of a block, a bit each.
            let mut whole_bits = vec![0u64; whole.len()];
            for (block, (&bits, groups)) in matches.iter().zip(self.group_of.chunks(64)).enumerate()
            {
                if bits == 0 {
                    continue;
                }
                for (w, (all, _)) in whole_bits.iter_mut().zip(&whole) {
                    *w = all[block];
                }
                let mut bits = bits;
                while bits != 0 {
                    let j = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let i = block * 64 + j;
                    let Some(&group) = groups.get(j) else { break };
                    let g = usize::from(group);
                    if group == NO_GROUP
                        || allowed
                            .as_ref()
                            .is_some_and(|a| !a.get(g).copied().unwrap_or(false))
                    {
                        continue;
                    }
                    if reads_slot
                        && !self.passes(
                            &self.slots[i],
                            s,
                            near,
                            [economic_region, ownership, type_word],
                        )
                    {
                        continue;
                    }
                    if let Some(n) = by_group.get_mut(g) {
                        *n += 1;
                    }

                    let mut score = 0i64;
                    for (w, (_, n)) in whole_bits.iter().zip(&whole) {
                        if w >> j & 1 == 1 {
                            score += n;
                        }
                    }
                    if let Some(phrase) = &phrase {
                        if score == every_word
                            && usize::from(self.shortest[i]) <= phrase.len()
                            && self.names_of(i).any(|name| name == phrase.as_slice())
                        {
                            score += 10;
                        }
                    }
                    let first = primary(score);
                    // Cannot make the page: no need to read its id.
                    if page.len() > limit && page.peek().is_some_and(|(top, _, _)| first > top.0) {
                        continue;
                    }
                    let order = (first, place(i));
                    if after_key.is_some_and(|a| order <= a) {
                        continue;
                    }
                    if page.len() <= limit {
                        page.push((order, score, i));
                    } else if page.peek().is_some_and(|(top, _, _)| order < *top) {
                        page.pop();
                        page.push((order, score, i));
                    }
                }
            }
            page.into_sorted_vec()
        };
        let (mut by_kind, mut by_region, mut by_status) = ([0i64; 256], [0i64; 256], [0i64; 256]);
        let mut total = 0i64;
        for (&n, &(k, r, st)) in by_group.iter().zip(&self.groups) {
            total += n;
            by_kind[usize::from(k)] += n;
            by_region[usize::from(r)] += n;
            by_status[usize::from(st)] += n;
        }
        let more = page.len() > limit;
        page.truncate(limit);

        let mut facets = Facets::default();
        for (counts, values, into) in [
            (&by_kind, &self.kinds, &mut facets.kind),
            (&by_status, &self.statuses, &mut facets.status),
        ] {
            for (i, &n) in counts.iter().enumerate() {
                if let (true, Some(name)) = (n > 0, values.name(i as u8)) {
                    into.insert(name.to_string(), n);
                }
            }
        }
        for (i, &n) in by_region.iter().enumerate() {
            if n > 0 {
                let name = self.regions.name(i as u8).unwrap_or("none");
                facets.region.insert(name.to_string(), n);
            }
        }
        Ranked {
            page: page
                .into_iter()
                .map(|(_, score, i)| (score, uuid_of(self.slots[i].id)))
                .collect(),
            more,
            total,
            facets,
        }
    }

    /// The page of a search of one whole word at most (the broad ones), while slots are in id
    /// order: the matches that pass the filters are counted, then the page is taken level by
    /// level — whole names, whole words, the rest when by relevance — each in place order,
    /// without ranking every match.
    fn page_by_levels(
        &self,
        mut matches: Vec<u64>,
        by_group: &mut [i64],
        l: &Levels<'_>,
    ) -> Vec<((i64, u128), i64, usize)> {
        for (block, (bits, groups)) in matches.iter_mut().zip(self.group_of.chunks(64)).enumerate()
        {
            let mut rest = *bits;
            while rest != 0 {
                let j = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let group = groups.get(j).copied().unwrap_or(NO_GROUP);
                if group == NO_GROUP || !(l.passes)(block * 64 + j) {
                    *bits &= !(1 << j);
                } else if let Some(n) = by_group.get_mut(usize::from(group)) {
                    *n += 1;
                }
            }
        }
        let (whole, n): (&[u64], i64) = l.whole.map_or((&[], 0), |(w, n)| (w.as_slice(), *n));
        let is_whole = |i: usize| whole.get(i / 64).is_some_and(|b| b >> (i % 64) & 1 == 1);
        // Entries with a name that is the whole query, among those holding the word whole.
        let mut named: Vec<usize> = Vec::new();
        if let Some(phrase) = l.phrase {
            for (block, (&m, &w)) in matches.iter().zip(whole).enumerate() {
                let mut rest = m & w;
                while rest != 0 {
                    let i = block * 64 + rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    if usize::from(self.shortest[i]) <= phrase.len()
                        && self.names_of(i).any(|name| name == phrase)
                    {
                        named.push(i);
                    }
                }
            }
        }
        let desc = l.sort == Sort::CreatedDesc;
        let place = |i: usize| {
            let p = i as u128 + 1;
            if desc {
                u128::MAX - p
            } else {
                p
            }
        };
        let mut page = Vec::with_capacity(l.limit + 1);
        // Appends slot `i` unless the cursor is past it; says when the page is full.
        let mut take = |i: usize| {
            let score = if is_whole(i) { n } else { 0 }
                + if named.binary_search(&i).is_ok() {
                    10
                } else {
                    0
                };
            let first = if l.sort == Sort::Relevance { -score } else { 0 };
            let order = (first, place(i));
            if l.after.is_none_or(|a| order > a) {
                page.push((order, score, i));
            }
            page.len() > l.limit
        };
        let ones = |bits: u64, block: usize| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let j = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    block * 64 + j
                })
            })
        };
        let word = |b: usize| whole.get(b).copied().unwrap_or(0);
        match l.sort {
            Sort::CreatedDesc => {
                'all: for (block, &m) in matches.iter().enumerate().rev() {
                    let mut rest = m;
                    while rest != 0 {
                        let j = 63 - rest.leading_zeros() as usize;
                        rest &= !(1 << j);
                        if take(block * 64 + j) {
                            break 'all;
                        }
                    }
                }
            }
            Sort::Relevance => {
                // Whole names, then whole words, then the rest.
                let levels: [&dyn Fn(usize, u64) -> u64; 2] =
                    [&|b, m| m & word(b), &|b, m| m & !word(b)];
                let mut full = named.iter().any(|&i| take(i));
                for level in levels {
                    for (block, &m) in matches.iter().enumerate() {
                        if full {
                            break;
                        }
                        for i in ones(level(block, m), block) {
                            if named.binary_search(&i).is_err() && take(i) {
                                full = true;
                                break;
                            }
                        }
                    }
                }
            }
            _ => {
                'all: for (block, &m) in matches.iter().enumerate() {
                    for i in ones(m, block) {
                        if take(i) {
                            break 'all;
                        }
                    }
                }
            }
        }
        page
    }

    /// The names of slot `i`, each as its word numbers.
    fn names_of(&self, i: usize) -> impl Iterator<Item = &[u32]> {
        let slot = &self.slots[i];
        let at = slot.words_at as usize;
        self.words[at..at + slot.words_len as usize]
            .split(|&t| t == END_OF_NAME)
            .filter(|name| !name.is_empty())
    }

    /// Whether a slot passes the filters beyond kind, status and region: economic region,
    /// ownership, type, founding years, box and distance.
    fn passes(
        &self,
        slot: &Slot,
        s: &Search,
        near: Option<(f64, f64, f64, NearBox)>,
        [economic_region, ownership, type_word]: [Option<u8>; 3],
    ) -> bool {
        let is = |want: Option<u8>, have: u8| want.is_none_or(|w| w == have);
        if !is(economic_region, slot.economic_region)
            || !is(ownership, slot.ownership)
            || !is(type_word, slot.type_word)
        {
            return false;
        }
        let founded = i64::from(slot.founded);
        let none = slot.founded == i16::MIN;
        if s.founded_from.is_some_and(|y| none || founded < y)
            || s.founded_to.is_some_and(|y| none || founded > y)
        {
            return false;
        }
        let (lat, lon) = (slot.lat, slot.lon);
        if let Some([min_lon, min_lat, max_lon, max_lat]) = s.bbox {
            if !(lat >= min_lat && lat <= max_lat && lon >= min_lon && lon <= max_lon) {
                return false;
            }
        }
        if let Some((plat, plon, r, b)) = near {
            return lat >= b.lat_from
                && lat <= b.lat_to
                && lon >= b.lon_from
                && lon <= b.lon_to
                && ((lon - plon) * b.kx) * ((lon - plon) * b.kx)
                    + ((lat - plat) * 110.574) * ((lat - plat) * 110.574)
                    <= r * r;
        }
        true
    }
}

/// What [`Index::page_by_levels`] needs of a search.
struct Levels<'a> {
    /// Whether slot `i` passes the filters.
    passes: &'a dyn Fn(usize) -> bool,
    /// The one whole word of the query, as a bitmap, and what it scores.
    whole: Option<&'a (Vec<u64>, i64)>,
    /// The query as a name, when a name can be the whole query.
    phrase: Option<&'a [u32]>,
    sort: Sort,
    after: Option<(i64, u128)>,
    limit: usize,
}

/// What a change made of an entry.
enum Change {
    Gone(uuid::Uuid),
    Now(Box<Row>),
}

/// The changes after `from` up to `to`, a batch at a time.
fn read_changes(c: &mut Db, from: i64, to: i64) -> Result<Vec<(i64, Change)>, RegisterError> {
    let rows = store::index::changes_between(c, from, to, BATCH)?;
    rows.into_iter()
        .map(|(seq, id, operation, body)| {
            if operation == Operation::Delete.as_str() {
                let id = uuid::Uuid::parse_str(&id)
                    .map_err(|e| RegisterError::Database(format!("stored id `{id}`: {e}")))?;
                return Ok((seq, Change::Gone(id)));
            }
            let entry = entry_from_body(&logged_body(seq, &id, body)?)?;
            Ok((
                seq,
                Change::Now(Box::new(EntryRow::from_entry(&entry, "").into())),
            ))
        })
        .collect()
}

/// How long a search waits for the index to be brought up to date by another search.
const CATCH_UP_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// The lock, if it can be had within `wait`.
fn lock_within(m: &Mutex<()>, wait: std::time::Duration) -> Option<std::sync::MutexGuard<'_, ()>> {
    let until = std::time::Instant::now() + wait;
    loop {
        match m.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => {
                if std::time::Instant::now() >= until {
                    return None;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
}

/// The index a register keeps, when asked to (see [`crate::Register::with_search_index`]).
#[derive(Clone, Default)]
pub(crate) struct Kept(Option<Arc<Shared>>);

#[derive(Default)]
struct Shared {
    index: RwLock<Option<Index>>,
    /// Held by whoever builds the index or brings it up to date.
    updating: Mutex<()>,
    /// Set when the index could not be built: the tables answer from then on.
    broken: AtomicBool,
    /// Why it could not.
    why: Mutex<Option<String>>,
}

impl Kept {
    pub(crate) fn on() -> Kept {
        Kept(Some(Arc::default()))
    }

    pub(crate) fn is_on(&self) -> bool {
        self.0
            .as_ref()
            .is_some_and(|s| !s.broken.load(Ordering::Relaxed))
    }

    /// Why the index was given up, if it was.
    pub(crate) fn failure(&self) -> Option<String> {
        let shared = self.0.as_ref()?;
        let why = shared.why.lock().unwrap_or_else(PoisonError::into_inner);
        why.clone()
    }

    /// Brings the index to at least `seq`; false when it is being built elsewhere (or cannot
    /// be), so that the tables must answer.
    pub(crate) fn ready(&self, c: &mut Db, seq: i64) -> Result<bool, RegisterError> {
        let Some(shared) = &self.0 else {
            return Ok(false);
        };
        if shared.broken.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let at = shared
            .index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|ix| ix.seq);
        match at {
            Some(at) if at >= seq => Ok(true),
            Some(at) if seq - at <= REBUILD_AFTER => {
                // A few changes behind: wait a little for whoever is taking them in (or
                // building the index again), or take them in; the tables answer rather than
                // keep a search waiting long.
                let Some(_updating) = lock_within(&shared.updating, CATCH_UP_WAIT) else {
                    return Ok(false);
                };
                if shared.broken.load(Ordering::Relaxed) {
                    return Ok(false);
                }
                let Some(at) = shared
                    .index
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_ref()
                    .map(|ix| ix.seq)
                else {
                    return Ok(false);
                };
                if at >= seq {
                    return Ok(true);
                }
                // Read outside the index's lock, so that searches go on meanwhile.
                let mut changes = Vec::new();
                let mut from = at;
                while from < seq {
                    let batch = read_changes(c, from, seq)?;
                    let Some(&(last, _)) = batch.last() else {
                        break;
                    };
                    from = last;
                    changes.extend(batch);
                }
                let mut index = shared.index.write().unwrap_or_else(PoisonError::into_inner);
                if let Some(ix) = index.as_mut() {
                    if let Err(e) = ix.apply(changes) {
                        *index = None;
                        shared.broken.store(true, Ordering::Relaxed);
                        *shared.why.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some(e.to_string());
                        return Ok(false);
                    }
                    ix.seq = ix.seq.max(seq);
                    ix.tidy();
                }
                Ok(true)
            }
            _ => {
                // Not built, or far behind: one caller builds it, the others do not wait.
                let Ok(_updating) = shared.updating.try_lock() else {
                    return Ok(false);
                };
                match Index::build(c, seq) {
                    Ok(fresh) => {
                        *shared.index.write().unwrap_or_else(PoisonError::into_inner) = Some(fresh);
                        Ok(true)
                    }
                    Err(e) => {
                        // The tables answer from now on; the next search says why if the
                        // database itself failed.
                        shared.broken.store(true, Ordering::Relaxed);
                        *shared.index.write().unwrap_or_else(PoisonError::into_inner) = None;
                        *shared.why.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some(e.to_string());
                        Ok(false)
                    }
                }
            }
        }
    }

    /// Ranks a search on the index, which [`Kept::ready`] brought up to date.
    pub(super) fn rank(
        &self,
        s: &Search,
        sort: Sort,
        after: Option<After>,
        limit: usize,
    ) -> Option<Ranked> {
        let shared = self.0.as_ref()?;
        let index = shared.index.read().unwrap_or_else(PoisonError::into_inner);
        Some(index.as_ref()?.rank(s, sort, after, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u128, names: &str, region: Option<&str>) -> Row {
        Row {
            id: uuid::Uuid::from_u128(id).to_string(),
            kind: "museum".into(),
            status: "active".into(),
            region: region.map(str::to_string),
            economic_region: None,
            ownership: Some("state".into()),
            type_word: "art".into(),
            founded_year: None,
            lat: None,
            lon: None,
            search_text: crate::normalize::fold(names),
        }
    }

    fn put(ix: &mut Index, r: Row) {
        if let Err(e) = ix.put(r) {
            panic!("{e}");
        }
    }

    fn q(text: &str) -> Search {
        Search {
            q: Some(text.into()),
            ..Default::default()
        }
    }

    fn ids(ix: &Index, text: &str) -> Vec<u128> {
        ix.rank(&q(text), Sort::Relevance, None, 100)
            .page
            .iter()
            .map(|(_, id)| id.as_u128())
            .collect()
    }

    #[test]
    fn entries_out_of_id_order_changes_and_deletions() {
        let mut ix = Index::default();
        for (id, names) in [(10, "| quba xelce muzeyi |"), (30, "| seki xan sareyi |")] {
            put(&mut ix, row(id, names, Some("AZ-QBA")));
        }
        // An id below the last one (another process's clock): found all the same.
        put(&mut ix, row(20, "| quba | guba |", None));
        assert_eq!((ix.sorted, ix.strays.len()), (2, 1));
        assert_eq!(ix.find(&key(uuid::Uuid::from_u128(20))), Some(2));
        // The whole name "quba" scores 2 + 10 and comes first; then by id.
        assert_eq!(ids(&ix, "qub"), vec![10, 20]);
        assert_eq!(ids(&ix, "quba"), vec![20, 10]);
        let ranked = ix.rank(&q("quba"), Sort::Relevance, None, 100);
        assert_eq!(ranked.page[0].0, 12);
        assert_eq!(ranked.facets.region.get("none"), Some(&1));
        assert_eq!(ranked.facets.region.get("AZ-QBA"), Some(&1));
        // Renamed: its old words find it no more.
        put(&mut ix, row(20, "| xacmaz |", None));
        assert_eq!(ids(&ix, "quba"), vec![10]);
        assert_eq!(ids(&ix, "xac"), vec![20]);
        // Deleted, twice: nothing finds it.
        ix.remove(uuid::Uuid::from_u128(20));
        ix.remove(uuid::Uuid::from_u128(20));
        assert!(ids(&ix, "xacmaz").is_empty());
        assert!(ix.postings.iter().all(|p| !p.as_slice().contains(&2)));
        // The dropped words go once they outweigh the rest; what is left still answers.
        for n in 0..10 {
            put(&mut ix, row(10, &format!("| quba muzey {n} |"), None));
        }
        ix.tidy();
        assert!(ix.garbage <= ix.words.len());
        assert_eq!(ix.words.len(), 4 + 4);
        assert_eq!(ids(&ix, "quba muzey 9"), vec![10]);
        assert_eq!(ids(&ix, "seki"), vec![30]);
    }

    #[test]
    fn postings_stay_ordered_and_small() {
        let mut p = Postings::Many(Vec::new());
        for s in [7, 3, 7, 9, 1] {
            p.insert(s);
        }
        assert_eq!(p.as_slice(), &[1, 3, 7, 9]);
        for s in [3, 1, 9, 4] {
            p.remove(s);
        }
        assert_eq!(p.as_slice(), &[7]);
        let mut one = Postings::Many(Vec::new());
        one.insert(5);
        assert!(matches!(one, Postings::One(5)));
        one.remove(5);
        assert_eq!(one.len(), 0);
        // What an entry and a word cost, before their words.
        assert_eq!(std::mem::size_of::<Slot>(), 48);
        assert_eq!(std::mem::size_of::<Postings>(), 24);
    }

    /// Ranking by a slot's place (the fast way, while ids come in order) and by its id give
    /// the same pages, page after page, in every order.
    #[test]
    fn places_and_ids_rank_alike() {
        let vocabulary = [
            "quba",
            "qala",
            "seki",
            "xan",
            "muzey",
            "teatr",
            "kitab",
            "kitabxana",
        ];
        let mut dice = 0x2545_F491_4F6C_DD1Du64;
        let mut roll = |n: usize| {
            dice ^= dice << 13;
            dice ^= dice >> 7;
            dice ^= dice << 17;
            (dice % n as u64) as usize
        };
        let mut ix = Index::default();
        for n in 1..=300u128 {
            let names: Vec<String> = (0..1 + roll(3))
                .map(|_| {
                    let words: Vec<&str> = (0..1 + roll(4)).map(|_| vocabulary[roll(8)]).collect();
                    words.join(" ")
                })
                .collect();
            let region = ["AZ-QBA", "AZ-SA", "AZ-BA"][roll(3)];
            let mut r = row(
                n * 1000,
                &format!("| {} |", names.join(" | ")),
                Some(region),
            );
            r.status = ["active", "closed"][roll(2)].into();
            put(&mut ix, r);
        }
        assert!(ix.strays.is_empty());
        let filters = [
            crate::query::Filter::default(),
            crate::query::Filter {
                region: Some("AZ-SA".into()),
                ..Default::default()
            },
            crate::query::Filter {
                status: Some(crate::Status::Closed),
                ..Default::default()
            },
        ];
        let texts = [
            "q",
            "qu",
            "xan",
            "muzey",
            "seki xan",
            "kitab",
            "xan xan",
            "quba qala teatr",
        ];
        for (text, filter) in texts
            .iter()
            .flat_map(|t| filters.iter().map(move |f| (t, f)))
        {
            let search = Search {
                filter: filter.clone(),
                ..q(text)
            };
            for sort in [Sort::Relevance, Sort::Created, Sort::CreatedDesc] {
                let mut after = None;
                for _ in 0..10 {
                    let fast = ix.rank_by(&search, sort, after, 7, true);
                    let slow = ix.rank_by(&search, sort, after, 7, false);
                    assert_eq!(fast.page, slow.page, "{search:?} {sort:?} after {after:?}");
                    assert_eq!((fast.more, fast.total), (slow.more, slow.total));
                    assert_eq!(fast.facets, slow.facets);
                    if !fast.more {
                        break;
                    }
                    after = fast.page.last().copied();
                }
            }
        }
        // A cursor at an id no entry has (deleted since) still cuts in the right place.
        let all = ix.rank_by(&q("k"), Sort::Created, None, 1000, true).page;
        ix.remove(all[3].1);
        let rest = ix
            .rank_by(&q("k"), Sort::Created, Some(all[3]), 1000, true)
            .page;
        assert_eq!(rest, all[4..].to_vec());
        let back = ix
            .rank_by(&q("k"), Sort::CreatedDesc, Some(all[3]), 1000, true)
            .page;
        let mut before = all[..3].to_vec();
        before.reverse();
        assert_eq!(back, before);
    }
}

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

mod postings;
mod rank;
mod sketch;

use postings::{Postings, Values};
pub(super) use rank::{Ranked, Want};
pub(crate) use sketch::{Lexicon, Sketch};

/// A column value that is null.
const NULL: u8 = u8::MAX;
/// A filter value no entry holds.
const NO_MATCH: u8 = u8::MAX - 1;
/// Ends each name in an entry's words.
const END_OF_NAME: u32 = u32::MAX;
/// The share of the entries a word must be held by, at least, to be kept as a bit per slot
/// too: one in 128, so that the bits take at most four times the memory of the word's
/// postings. At 1 000 000 synthetic entries that is 158 words (29 at one in 32; the regions'
/// names among the others) and 20 MB of bits; a reconciliation batch then costs 12-16 % less
/// CPU than with one in 32 (BENCHMARKS.md).
const DENSE: usize = 128;
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
    /// The numbers of the words of one letter or digit, ascending.
    single: Vec<u32>,
    /// The slots holding each word, ascending.
    postings: Vec<Postings>,
    /// The same as a bit per slot, for the words a [`DENSE`]th of the entries or more held
    /// when the index was built: a search narrowing few matches by such a word tests a bit
    /// for each rather than looking each up in the postings.
    dense: HashMap<u32, Vec<u64>>,
    kinds: Values,
    statuses: Values,
    regions: Values,
    economic_regions: Values,
    ownerships: Values,
    type_words: Values,
}

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
        if w.chars().nth(1).is_none() {
            self.single.push(t);
        }
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
            if let Some(bits) = self.dense.get_mut(&t) {
                if let Some(b) = bits.get_mut(s as usize / 64) {
                    *b &= !(1 << (s % 64));
                }
            }
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
            if let Some(bits) = self.dense.get_mut(&t) {
                let block = s as usize / 64;
                if bits.len() <= block {
                    bits.resize(block + 1, 0);
                }
                bits[block] |= 1 << (s % 64);
            }
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

    /// Keeps the words held by a [`DENSE`]th of the entries or more as a bit per slot too.
    fn densify(&mut self) {
        let least = (self.slots.len() / DENSE).max(1);
        let blocks = self.slots.len().div_ceil(64);
        for (t, p) in self.postings.iter().enumerate() {
            if p.len() >= least {
                let mut bits = vec![0u64; blocks];
                for &s in p.as_slice() {
                    bits[s as usize / 64] |= 1 << (s % 64);
                }
                // Within u32: word numbers are.
                self.dense.insert(t as u32, bits);
            }
        }
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
        ix.densify();
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
    pub(super) fn rank(&self, s: &Search, want: &Want) -> Option<Ranked> {
        let shared = self.0.as_ref()?;
        let index = shared.index.read().unwrap_or_else(PoisonError::into_inner);
        Some(index.as_ref()?.rank(s, want))
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

    fn want(sort: Sort, after: Option<rank::After>, limit: usize) -> Want {
        Want {
            sort,
            after,
            limit,
            counted: true,
        }
    }

    fn q(text: &str) -> Search {
        Search {
            q: Some(text.into()),
            ..Default::default()
        }
    }

    fn ids(ix: &Index, text: &str) -> Vec<u128> {
        ix.rank(&q(text), &want(Sort::Relevance, None, 100))
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
        let ranked = ix.rank(&q("quba"), &want(Sort::Relevance, None, 100));
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
        // A word few entries hold, beside words many hold.
        for (n, names) in [
            (301, "| nadir kitabxana | quba qala |"),
            (302, "| nadir quba qala teatr |"),
            (303, "| kitabxana nadir |"),
            // More than eight words of one prefix: looked up by a bit per word.
            (304, "| kitabxana n1 n2 n3 n4 n5 n6 n7 n8 n9 n10 |"),
        ] {
            put(&mut ix, row(n * 1000, names, Some("AZ-SA")));
        }
        assert!(ix.strays.is_empty());
        // The words many entries hold kept as bits too; then more entries and changes, which
        // the bits follow.
        ix.densify();
        assert!(ix.dense.len() >= 8, "{}", ix.dense.len());
        for (n, names) in [
            (305, "| quba qala teatr |"),
            (306, "| seki xan nadir kitab |"),
        ] {
            put(&mut ix, row(n * 1000, names, Some("AZ-QBA")));
        }
        put(&mut ix, row(1000, "| nadir quba qala |", Some("AZ-SA")));
        ix.remove(uuid::Uuid::from_u128(2000));
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
            "kitabxana k",
            "nadir kitab",
            "nadir quba qala",
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
                    let fast = ix.rank_by(&search, &want(sort, after, 7), true, rank::TUNED);
                    let slow = ix.rank_by(&search, &want(sort, after, 7), false, rank::TUNED);
                    assert_eq!(fast.page, slow.page, "{search:?} {sort:?} after {after:?}");
                    assert_eq!((fast.more, fast.total), (slow.more, slow.total));
                    assert_eq!(fast.facets, slow.facets);
                    // Words looked for in the names of few matches, or in their postings:
                    // the same page.
                    let bits = |sparse| rank::Tuning {
                        sparse,
                        listed: usize::MAX,
                        ..rank::TUNED
                    };
                    let names = ix.rank_by(&search, &want(sort, after, 7), true, bits(1));
                    let postings =
                        ix.rank_by(&search, &want(sort, after, 7), true, bits(usize::MAX));
                    assert_eq!(names.page, postings.page, "{search:?} {sort:?} sparse");
                    assert_eq!((names.more, names.total), (postings.more, postings.total));
                    assert_eq!(names.facets, postings.facets);
                    assert_eq!(fast.page, postings.page);
                    // The matches as a list of slots, each further word taken by a bit set,
                    // by galloping through its postings or by reading names: the same page,
                    // by place or by id.
                    let ways = [
                        (usize::MAX, usize::MAX, false),
                        (0, usize::MAX, false),
                        (usize::MAX, 0, false),
                        (usize::MAX, usize::MAX, true),
                    ];
                    for ((gallop, names, dense), by_place) in
                        ways.iter().flat_map(|&w| [(w, true), (w, false)])
                    {
                        let listed = rank::Tuning {
                            sparse: rank::SPARSE,
                            listed: 0,
                            gallop,
                            names,
                            dense,
                        };
                        let list = ix.rank_by(&search, &want(sort, after, 7), by_place, listed);
                        assert_eq!(list.page, postings.page, "{search:?} {sort:?} listed");
                        assert_eq!((list.more, list.total), (postings.more, postings.total));
                        assert_eq!(list.facets, postings.facets);
                        // Without the total and the facets: the same page, however soon the
                        // ranking stops.
                        let page_only = Want {
                            counted: false,
                            ..want(sort, after, 7)
                        };
                        for tune in [listed, rank::TUNED] {
                            let uncounted = ix.rank_by(&search, &page_only, by_place, tune);
                            assert_eq!(uncounted.page, postings.page, "{search:?} {sort:?}");
                            assert_eq!(uncounted.more, postings.more);
                        }
                    }
                    if !fast.more {
                        break;
                    }
                    after = fast.page.last().copied();
                }
            }
        }
        // A cursor at an id no entry has (deleted since) still cuts in the right place.
        let all = ix
            .rank_by(&q("k"), &want(Sort::Created, None, 1000), true, rank::TUNED)
            .page;
        ix.remove(all[3].1);
        let rest = ix
            .rank_by(
                &q("k"),
                &want(Sort::Created, Some(all[3]), 1000),
                true,
                rank::TUNED,
            )
            .page;
        assert_eq!(rest, all[4..].to_vec());
        let back = ix
            .rank_by(
                &q("k"),
                &want(Sort::CreatedDesc, Some(all[3]), 1000),
                true,
                rank::TUNED,
            )
            .page;
        let mut before = all[..3].to_vec();
        before.reverse();
        assert_eq!(back, before);
    }
}

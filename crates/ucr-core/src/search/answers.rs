//! Answers of recent searches, kept while the register does not change.

use super::Found;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

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
pub(crate) enum Lookup {
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
    pub(crate) fn lookup(&self, key: &str, seq: i64) -> Lookup {
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
    pub(crate) fn done(&self, key: &str, seq: i64, answer: Option<(Found, usize)>) {
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
pub(crate) struct Running<'a> {
    pub(crate) answers: &'a Answers,
    pub(crate) key: String,
    pub(crate) seq: i64,
    pub(crate) answer: Option<(Found, usize)>,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.answers.done(&self.key, self.seq, self.answer.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Facets;

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

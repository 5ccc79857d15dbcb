//! The in-memory search index keeps, for each word, the ascending list of the slots holding it
//! (one slot inline, more in a `Vec<u32>`), and answers a search by OR-ing the lists of the
//! words a query word prefixes into a dense bitset, then AND-ing the bitsets of the query's
//! words. This program builds the same postings from the synthetic register that the serving
//! benchmark loads, and compares that with roaring bitmaps (`roaring` crate) on memory, build
//! time and the searches of `bench/serve.sh`, interleaved in one process.
//!
//! `cargo run --release -- [entries] [rounds]`

use roaring::RoaringBitmap;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// The system allocator, counting the bytes in use, so that each structure's heap is measured
/// rather than estimated.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SELECTIVE: &[&str] = &[
    "nizami seki",
    "sabir quba",
    "natavan gence",
    "fuzuli lenkeran",
    "cavid naxcivan",
    "behbudov qebele",
    "bulbul xacmaz",
    "vurgun zaqatala",
];
const BROAD: &[&str] = &["seki", "gence", "quba", "nizami", "kitabxana", "teatr", "muzey"];

fn words(text: &str) -> Vec<String> {
    ucr_core::normalize::fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The names of a synthetic entry, as the index reads them.
fn names(v: &serde_json::Value) -> String {
    let mut all = Vec::new();
    let mut take = |n: &serde_json::Value| {
        if let Some(o) = n.as_object() {
            all.extend(o.values().filter_map(|s| s.as_str()).map(str::to_string));
        }
    };
    take(&v["name"]);
    if let Some(alt) = v["alt_names"].as_array() {
        alt.iter().for_each(&mut take);
    }
    all.join(" | ")
}

/// The index's postings: one slot inline, more in a sorted vector.
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
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(15);

    // Each entry's distinct words.
    let mut terms: BTreeMap<String, u32> = BTreeMap::new();
    let mut slots_of: Vec<Vec<u32>> = Vec::new();
    for slot in 0..n {
        let mut ws: Vec<u32> = words(&names(&ucr_core::synthetic::entry(u64::from(slot), 1)))
            .into_iter()
            .map(|w| {
                let next = terms.len() as u32;
                *terms.entry(w).or_insert(next)
            })
            .collect();
        ws.sort_unstable();
        ws.dedup();
        slots_of.push(ws);
    }
    let term_count = terms.len();

    let before = IN_USE.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); term_count];
    for (slot, ws) in slots_of.iter().enumerate() {
        for &t in ws {
            lists[t as usize].push(slot as u32);
        }
    }
    let ours: Vec<Postings> = lists
        .into_iter()
        .map(|mut l| {
            if l.len() == 1 {
                Postings::One(l[0])
            } else {
                l.shrink_to_fit();
                Postings::Many(l)
            }
        })
        .collect();
    let build_ours = started.elapsed().as_secs_f64();
    let heap_ours = IN_USE.load(Ordering::Relaxed) - before;

    let before = IN_USE.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut roaring: Vec<RoaringBitmap> = vec![RoaringBitmap::new(); term_count];
    for (slot, ws) in slots_of.iter().enumerate() {
        for &t in ws {
            roaring[t as usize].insert(slot as u32);
        }
    }
    let build_roaring = started.elapsed().as_secs_f64();
    let heap_roaring = IN_USE.load(Ordering::Relaxed) - before;

    let prefixed = |w: &str| -> Vec<u32> {
        terms
            .range(w.to_string()..)
            .take_while(|(t, _)| t.starts_with(w))
            .map(|(_, &t)| t)
            .collect()
    };
    let blocks = (n as usize).div_ceil(64);
    let search_ours = |q: &str| -> u64 {
        let mut matches: Option<Vec<u64>> = None;
        for w in words(q) {
            let mut bits = vec![0u64; blocks];
            for t in prefixed(&w) {
                for &s in ours[t as usize].as_slice() {
                    bits[s as usize / 64] |= 1 << (s % 64);
                }
            }
            if let Some(m) = &matches {
                for (b, m) in bits.iter_mut().zip(m) {
                    *b &= m;
                }
            }
            matches = Some(bits);
        }
        matches
            .unwrap_or_default()
            .iter()
            .map(|b| u64::from(b.count_ones()))
            .sum()
    };
    let search_roaring = |q: &str| -> u64 {
        let mut matches: Option<RoaringBitmap> = None;
        for w in words(q) {
            let mut bits = RoaringBitmap::new();
            for t in prefixed(&w) {
                bits |= &roaring[t as usize];
            }
            matches = Some(match matches {
                Some(m) => m & bits,
                None => bits,
            });
        }
        matches.map_or(0, |m| m.len())
    };

    println!("entries {n}, distinct words {term_count}, rounds {rounds}");
    println!(
        "postings heap: lists {:.1} MiB, roaring {:.1} MiB ({:.2}x)",
        heap_ours as f64 / 1048576.0,
        heap_roaring as f64 / 1048576.0,
        heap_roaring as f64 / heap_ours as f64
    );
    println!(
        "build: lists {:.3} s, roaring {:.3} s ({:.2}x)",
        build_ours,
        build_roaring,
        build_roaring / build_ours
    );
    for (label, queries) in [("selective", SELECTIVE), ("broad", BROAD)] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            for q in queries.iter() {
                let t = Instant::now();
                let x = search_ours(q);
                a.push(t.elapsed().as_secs_f64() * 1e6);
                let t = Instant::now();
                let y = search_roaring(q);
                b.push(t.elapsed().as_secs_f64() * 1e6);
                assert_eq!(x, y, "{q}: the two answers differ");
            }
        }
        let (ma, mb) = (median(a), median(b));
        println!(
            "{label} searches (median of {} each): lists {:.0} µs, roaring {:.0} µs ({:.2}x)",
            rounds * queries.len(),
            ma,
            mb,
            mb / ma
        );
    }
}

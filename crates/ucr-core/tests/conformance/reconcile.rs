//! Reconciliation scores alike whether its candidates are scored on what the search index
//! holds or on the entries themselves.

use super::search::{import_ndjson, load};
use super::*;
use ucr_core::reconcile::{Query, Type};
use ucr_core::testing::Scratch;

fn query(text: &str) -> Query {
    Query {
        query: text.into(),
        limit: 5,
        ..Default::default()
    }
}

fn with(text: &str, properties: &[(&str, &str)]) -> Query {
    Query {
        properties: properties
            .iter()
            .map(|(pid, v)| (pid.to_string(), vec![v.to_string()]))
            .collect(),
        ..query(text)
    }
}

fn typed(text: &str, types: &[&str], limit: usize) -> Query {
    Query {
        types: types.iter().filter_map(|t| Type::parse(t)).collect(),
        limit,
        ..query(text)
    }
}

/// The real fixtures and 1500 synthetic entries (many of them named alike, so that scores
/// tie), reconciled by a register keeping the index and by one reading the tables: the same
/// candidates, scores, features and matches for every query.
#[test]
fn the_index_scores_candidates_as_the_entries_do() {
    for scratch in Scratch::all().expect("scratch databases") {
        let backend = scratch.backend;
        load(scratch.register());
        let synthetic: Vec<Value> = (0..1500)
            .map(|n| ucr_core::synthetic::entry(n, 11))
            .collect();
        let text: String = synthetic.iter().map(|e| format!("{e}\n")).collect();
        import_ndjson(scratch.register(), "synthetic.ndjson", text);
        let tables = Register::connect(&scratch.url, 2).unwrap();
        let index = Register::connect(&scratch.url, 2)
            .unwrap()
            .with_search_index();
        index.prepare_search_index().unwrap();

        let name = |n: usize| synthetic[n]["name"]["az"].as_str().unwrap().to_string();
        let region = |n: usize| synthetic[n]["region"].as_str().unwrap_or("").to_string();
        let mut queries = vec![
            query("Qiz qalasi"),
            query("Maiden Tower"),
            query("Sheki Khan Palace"),
            query("Gobustan"),
            typed("Drama Theatre", &["theatre"], 25),
            typed("Maiden Tower", &["heritage_object:immovable"], 3),
            typed("Maiden Tower", &["heritage_object:intangible"], 3),
            typed("Museum", &["museum", "library"], 10),
            with("Drama Theatre", &[("region", "Şəki")]),
            with(
                "State Drama Theatre",
                &[("region", "AZ-BA"), ("founded_year", "1919")],
            ),
            // Weighs a property the index does not hold: scored on the entries either way.
            with("Qiz qalasi", &[("wikidata", "Q215410")]),
            // Stop words and one-letter words are not words of a name.
            query("Palace of the Shaki Khans"),
            query("of the"),
            query("A"),
            // Words that only begin names.
            query("Azerbaij Carp Muse"),
            query("Zzyzx Qwpt"),
        ];
        for n in [0, 7, 19, 100, 333, 1024, 1499] {
            queries.push(query(&name(n)));
            queries.push(with(&name(n), &[("region", &region(n))]));
            queries.push(with(&name(n), &[("economic_region", "Bakı")]));
            let full = name(n);
            let words: Vec<&str> = full.split(' ').collect();
            queries.push(typed(&words[1..].join(" "), &[], 25));
            queries.push(typed(words[0], &[], 1));
        }
        let read = tables.reconcile_all(&queries).unwrap();
        let sketched = index.reconcile_all(&queries).unwrap();
        for ((q, a), b) in queries.iter().zip(&read).zip(&sketched) {
            assert_eq!(a, b, "{backend}: {q:?}");
        }
        // Best first; equal scores in the order the entries were registered (their ids).
        let mut ties = 0;
        for (q, candidates) in queries.iter().zip(&read) {
            for pair in candidates.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                assert!(
                    a.score > b.score || (a.score == b.score && a.entry.id < b.entry.id),
                    "{backend}: {q:?}: {} ({}) before {} ({})",
                    a.entry.registry_number(),
                    a.score,
                    b.entry.registry_number(),
                    b.score
                );
                ties += usize::from(a.score == b.score);
            }
        }
        assert!(
            ties >= 20,
            "{backend}: only {ties} equal scores side by side"
        );
        // The queries found candidates, matches among them.
        let found = read.iter().filter(|c| !c.is_empty()).count();
        let matched = read
            .iter()
            .filter(|c| c.first().is_some_and(|c| c.matched))
            .count();
        assert!(
            found >= 40 && matched >= 5,
            "{backend}: {found} found, {matched} matched"
        );
        assert_eq!(read[0][0].entry.registry_number(), "HER-000001");
        assert!(read[13].is_empty() && read[15].is_empty());
        // One at a time as in a batch.
        for (q, a) in queries.iter().zip(&read).take(12) {
            assert_eq!(&index.reconcile(q).unwrap(), a, "{backend}: {q:?}");
        }
    }
}

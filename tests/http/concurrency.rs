//! Two clients writing the same entry at once, and paging through the loaded fixtures.

use super::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Barrier;

/// Sends `patch` from a client of its own, with `If-Match` when given.
fn patch_from(
    app: &TestApp,
    client: &reqwest::blocking::Client,
    path: &str,
    patch: &Value,
    if_match: Option<&str>,
) -> Reply {
    let mut request = client
        .patch(app.url(path))
        .header("content-type", "application/merge-patch+json")
        .body(patch.to_string());
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    Reply::from(request.send().unwrap())
}

#[test]
fn two_clients_with_the_same_etag_one_wins() {
    each_backend(|app| {
        let theatre = app.create(&fixture_numbered("THR-000001"));
        let id = theatre["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/theatres/{id}");
        let clients = [
            app.client(ucr_core::Role::Clerk),
            app.client(ucr_core::Role::Clerk),
        ];
        let rounds = 8;
        for round in 0..rounds {
            let version = round + 1;
            let barrier = Barrier::new(2);
            let replies: Vec<(i64, Reply)> = std::thread::scope(|s| {
                let handles: Vec<_> = clients
                    .iter()
                    .enumerate()
                    .map(|(n, client)| {
                        let barrier = &barrier;
                        let path = &path;
                        s.spawn(move || {
                            // Each client reads, then both write at once with what they read.
                            let read = Reply::from(client.get(app.url(path)).send().unwrap());
                            assert_eq!(read.status, 200);
                            let tag = read.header("etag").unwrap();
                            assert_eq!(tag, format!("\"{version}\""));
                            let seats = 1000 + 10 * round + n as i64;
                            barrier.wait();
                            let reply =
                                patch_from(app, client, path, &json!({"seats": seats}), Some(&tag));
                            (seats, reply)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let mut statuses: Vec<u16> = replies.iter().map(|(_, r)| r.status).collect();
            statuses.sort();
            assert_eq!(
                statuses,
                [200, 412],
                "round {round}: {:?}",
                replies.iter().map(|(_, r)| &r.text).collect::<Vec<_>>()
            );
            let (won_seats, won) = replies.iter().find(|(_, r)| r.status == 200).unwrap();
            let (_, lost) = replies.iter().find(|(_, r)| r.status == 412).unwrap();
            assert_problem(lost, 412, "/problems/version-mismatch");
            assert_eq!(won.header("etag").unwrap(), format!("\"{}\"", version + 1));
            // The winner's value is stored, the loser's is not.
            let stored = app.register().get(&id).unwrap();
            assert_eq!(stored.version, version + 1);
            assert_eq!(stored.to_json()["seats"], *won_seats);
            // Exactly one new revision.
            let history = app.get(&format!("/api/v1/entries/{id}/history"));
            assert_eq!(history.json["total"], version + 1);
            let items = history.json["items"].as_array().unwrap();
            assert_eq!(items.len() as i64, version + 1);
            assert_eq!(items.last().unwrap()["entry"]["seats"], *won_seats);
            assert_eq!(items.last().unwrap()["operation"], "update");
        }
    });
}

/// A service that runs with `If-Match` optional (`ucr serve --if-match optional`).
#[test]
fn concurrent_writers_without_if_match_lose_no_update() {
    let config = ucr_api::Config {
        if_match: ucr_api::IfMatch::Optional,
        ..test_config()
    };
    each_backend_with(config, |app| {
        let museum = app.create(&fixture_numbered("MUS-000001"));
        let id = museum["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/museums/{id}");
        let clients = [
            app.client(ucr_core::Role::Clerk),
            app.client(ucr_core::Role::Clerk),
        ];
        let rounds = 8;
        for round in 0..rounds {
            let barrier = Barrier::new(2);
            // Each client changes a different member; both changes must survive.
            let patches = [
                json!({"visitors_per_year": 100_000 + round}),
                json!({"exhibition_rooms": 60 + round}),
            ];
            let replies: Vec<Reply> = std::thread::scope(|s| {
                let handles: Vec<_> = clients
                    .iter()
                    .zip(&patches)
                    .map(|(client, patch)| {
                        let barrier = &barrier;
                        let path = &path;
                        s.spawn(move || {
                            barrier.wait();
                            patch_from(app, client, path, patch, None)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for r in &replies {
                assert_eq!(r.status, 200, "round {round}: {}", r.text);
            }
            let mut tags: Vec<String> = replies.iter().map(|r| r.header("etag").unwrap()).collect();
            tags.sort();
            let v = 2 * round;
            assert_eq!(tags, [format!("\"{}\"", v + 2), format!("\"{}\"", v + 3)]);
            let stored = app.register().get(&id).unwrap().to_json();
            assert_eq!(stored["version"], v + 3);
            assert_eq!(stored["visitors_per_year"], 100_000 + round);
            assert_eq!(stored["exhibition_rooms"], 60 + round);
        }
        let history = app.get(&format!("/api/v1/entries/{id}/history"));
        assert_eq!(history.json["total"], 1 + 2 * rounds);
    });
}

#[test]
fn concurrent_creates_get_distinct_numbers() {
    each_backend(|app| {
        // The twelve real theatres, registered by four clients at once, numbers assigned.
        let theatres: Vec<Value> = fixtures()
            .into_iter()
            .filter(|f| f["kind"] == "theatre" && f.get("parent_id").is_none())
            .map(|mut f| {
                f.as_object_mut().unwrap().remove("registry_number");
                f
            })
            .collect();
        let n = theatres.len();
        assert!(n >= 8, "{n}");
        let barrier = Barrier::new(4);
        let replies: Vec<Reply> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    let barrier = &barrier;
                    let theatres = &theatres;
                    s.spawn(move || {
                        let client = app.client(ucr_core::Role::Clerk);
                        barrier.wait();
                        theatres
                            .iter()
                            .skip(t)
                            .step_by(4)
                            .map(|body| {
                                Reply::from(
                                    client
                                        .post(app.url("/api/v1/theatres"))
                                        .header("content-type", "application/json")
                                        .body(body.to_string())
                                        .send()
                                        .unwrap(),
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert_eq!(replies.len(), n);
        for r in &replies {
            assert_eq!(r.status, 201, "{}", r.text);
        }
        let numbers: BTreeSet<String> = replies
            .iter()
            .map(|r| {
                r.json["entry"]["registry_number"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let expected: BTreeSet<String> = (1..=n).map(|i| format!("THR-{i:06}")).collect();
        assert_eq!(numbers, expected);
        assert_eq!(app.total_of(ucr_core::Kind::Theatre), n as i64);
        assert_eq!(app.snapshot().revisions, n);
    });
}

/// Walks a list to its end; returns every item's id in page order and the totals seen.
fn walk(app: &TestApp, path: &str, limit: usize) -> (Vec<String>, BTreeSet<i64>) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut ids = Vec::new();
    let mut totals = BTreeSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let page = app.get(&url);
        assert_eq!(page.status, 200, "{url}: {}", page.text);
        totals.insert(page.json["total"].as_i64().unwrap());
        let items = page.json["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{url}");
        ids.extend(items.iter().map(|e| e["id"].as_str().unwrap().to_string()));
        match page.json["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), limit, "{url}: a page before the last is full");
                assert_eq!(Some(next), items.last().and_then(|e| e["id"].as_str()));
                cursor = Some(next.to_string());
            }
            None => return (ids, totals),
        }
    }
    panic!("{path} never ends");
}

#[test]
fn pagination_over_the_fixtures_is_complete() {
    each_backend(|app| {
        let ids = app.load_fixtures();
        let all = fixtures();
        assert_eq!(ids.len(), all.len());
        for kind in [
            "theatre",
            "library",
            "museum",
            "reserve",
            "school",
            "heritage_object",
        ] {
            let collection = collection(kind);
            // In the order they were registered: the order they were loaded.
            let expected: Vec<String> = all
                .iter()
                .filter(|f| f["kind"] == kind)
                .map(|f| ids[f["registry_number"].as_str().unwrap()].clone())
                .collect();
            assert!(!expected.is_empty());
            for limit in [1, 2, 3, 7, 50, 1000] {
                let (got, totals) = walk(app, &format!("/api/v1/{collection}"), limit);
                let unique: BTreeSet<&String> = got.iter().collect();
                assert_eq!(
                    unique.len(),
                    got.len(),
                    "{collection} limit {limit}: duplicates"
                );
                assert_eq!(got, expected, "{collection} limit {limit}");
                assert_eq!(
                    totals,
                    BTreeSet::from([expected.len() as i64]),
                    "{collection} limit {limit}"
                );
            }
        }
        // A filtered list pages the same way and counts only what matches.
        for (path, kind, field, value) in [
            (
                "/api/v1/theatres?region=AZ-BA",
                "theatre",
                "region",
                "AZ-BA",
            ),
            (
                "/api/v1/heritage-objects?category=intangible",
                "heritage_object",
                "category",
                "intangible",
            ),
            (
                "/api/v1/reserves?reserve_type=historical_architectural",
                "reserve",
                "reserve_type",
                "historical_architectural",
            ),
        ] {
            let expected: Vec<String> = all
                .iter()
                .filter(|f| f["kind"] == kind && f[field] == value)
                .map(|f| ids[f["registry_number"].as_str().unwrap()].clone())
                .collect();
            assert!(expected.len() > 1, "{path}");
            let others = all.iter().filter(|f| f["kind"] == kind).count();
            assert!(expected.len() < others, "{path} must filter something out");
            for limit in [1, 2, 5] {
                let (got, totals) = walk(app, path, limit);
                assert_eq!(got, expected, "{path} limit {limit}");
                assert_eq!(totals, BTreeSet::from([expected.len() as i64]));
            }
        }
        // The register agrees.
        assert_eq!(app.snapshot().total, all.len() as i64);
    });
}

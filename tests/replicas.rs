//! Two `ucr serve` processes on one database, 8 clients doing read-modify-write with If-Match
//! on the same 20 entries: no update is lost, losers get 412, nobody gets a 5xx — on
//! PostgreSQL (when `UCR_TEST_POSTGRES_URL` is set) and on one shared SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serving;

use serde_json::{json, Value};
use serving::{free_port, Server};
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ucr_core::testing::Scratch;
use ucr_core::{Role, Write};

const ENTRIES: usize = 20;
const CLIENTS: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(3);

fn serve(database: &str) -> (Server, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_ucr"))
        .args(["--database", database, "serve", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server::ready(child, port);
    let base = server.base.clone();
    (server, base)
}

fn theatre(i: usize) -> Value {
    json!({
        "kind": "theatre",
        "name": {"az": format!("Şəki Dövlət Dram Teatrı {i}"), "en": format!("Shaki State Drama Theatre {i}")},
        "region": "AZ-SA",
        "location": {"lat": 41.19, "lon": 47.17},
        "ownership": "state",
        "theatre_type": "drama",
        "seats": 100
    })
}

fn no_lost_update(scratch: Scratch) {
    let register = scratch.register();
    let ids: Vec<String> = (0..ENTRIES)
        .map(|i| {
            register
                .create(theatre(i), &Write::by("setup", Role::Clerk))
                .unwrap()
                .entry
                .id
                .to_string()
        })
        .collect();
    let token = register
        .create_token("clerk-replicas", Role::Clerk)
        .unwrap();
    let (_a, base_a) = serve(&scratch.url);
    let (_b, base_b) = serve(&scratch.url);
    let bases = [base_a, base_b];
    let wins: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let refused = Arc::new(Mutex::new(0_u64));
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    std::thread::scope(|s| {
        for c in 0..CLIENTS {
            let (ids, bases, wins, refused, failures) = (&ids, &bases, &wins, &refused, &failures);
            let token = &token;
            s.spawn(move || {
                let client = reqwest::blocking::Client::new();
                let started = Instant::now();
                let mut n = c * 7919;
                while started.elapsed() < RUN_FOR {
                    n = n
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let id = &ids[(n >> 33) % ENTRIES];
                    let read_from = &bases[c % 2];
                    let write_to = &bases[(c + (n >> 40)) % 2];
                    let got = client
                        .get(format!("{read_from}/api/v1/theatres/{id}"))
                        .send()
                        .unwrap();
                    if got.status() != 200 {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("GET {}", got.status()));
                        continue;
                    }
                    let etag = got.headers()["etag"].to_str().unwrap().to_string();
                    let seats = got.json::<Value>().unwrap()["seats"].as_i64().unwrap();
                    let res = client
                        .patch(format!("{write_to}/api/v1/theatres/{id}"))
                        .header("content-type", "application/merge-patch+json")
                        .header("if-match", etag)
                        .header("authorization", format!("Bearer {token}"))
                        .body(json!({"seats": seats + 1}).to_string())
                        .send()
                        .unwrap();
                    match res.status().as_u16() {
                        200 => *wins.lock().unwrap().entry(id.clone()).or_default() += 1,
                        412 => *refused.lock().unwrap() += 1,
                        other => failures
                            .lock()
                            .unwrap()
                            .push(format!("PATCH {other}: {}", res.text().unwrap_or_default())),
                    }
                }
            });
        }
    });
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{}: {:?}",
        scratch.backend,
        &failures[..failures.len().min(5)]
    );
    let wins = wins.lock().unwrap();
    let total: i64 = wins.values().sum();
    assert!(total > 0);
    for id in &ids {
        let entry = register.get(id).unwrap();
        let won = wins.get(id).copied().unwrap_or(0);
        assert_eq!(entry.version, 1 + won, "{}: {id}", scratch.backend);
        assert_eq!(entry.to_json()["seats"], json!(100 + won));
    }
    eprintln!(
        "{}: {total} updates won, {} refused with 412",
        scratch.backend,
        refused.lock().unwrap()
    );
}

#[test]
fn two_servers_on_one_postgres_lose_no_update() {
    let Some(url) = std::env::var(ucr_core::testing::POSTGRES_ENV)
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("UCR_TEST_POSTGRES_URL is not set: PostgreSQL part skipped");
        return;
    };
    no_lost_update(Scratch::postgres(&url).unwrap());
}

#[test]
fn two_servers_on_one_sqlite_file_lose_no_update() {
    no_lost_update(Scratch::sqlite().unwrap());
}

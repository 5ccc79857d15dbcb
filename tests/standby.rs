//! `ucr serve --read-only` on a real PostgreSQL streaming standby of the test server: reads
//! equal the primary's once the standby has caught up, writes are refused, a mirror of the
//! change feed read from replicas only while writers race on the primary misses nothing, a
//! token revoked on the primary stops working, the lag shows in `/ready`, and a stopped
//! standby makes the server not-ready without stopping it.
//!
//! Needs `UCR_TEST_POSTGRES_URL` (the primary) and `UCR_TEST_STANDBY_URL` (a URL of the
//! standby's server; `.ci/run` makes the standby with `.ci/standby.sh`); the tests that pause
//! or stop the standby also need `UCR_TEST_STANDBY_DATA` (its data directory). Without them
//! the tests are skipped, or fail when `UCR_TEST_CLIENTS=require`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serving;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};
use serving::{free_port, Server};
use std::process::{Command, Stdio};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};
use ucr_core::testing::{Scratch, POSTGRES_ENV};
use ucr_core::{Register, Role, Write};

const STANDBY_ENV: &str = "UCR_TEST_STANDBY_URL";
const DATA_ENV: &str = "UCR_TEST_STANDBY_DATA";
/// The longest a test waits for the standby to replay what the primary wrote.
const CATCH_UP: Duration = Duration::from_secs(60);

/// Tests that pause or stop the standby hold it alone; the others share it.
static STANDBY: RwLock<()> = RwLock::new(());

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Skips (or fails, when the clients are required) without the variables named.
fn needs(test: &str, names: &[&str]) -> bool {
    let missing: Vec<&str> = names.iter().copied().filter(|n| env(n).is_none()).collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!("{test}: needs a PostgreSQL standby: set {missing:?} (.ci/run makes one)");
    assert!(
        std::env::var("UCR_TEST_CLIENTS").as_deref() != Ok("require"),
        "{why}"
    );
    eprintln!("{why}; skipped");
    false
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    format!("{}/{name}", url.rsplit_once('/').unwrap().0)
}

/// A fresh register on the primary and the same database on the standby, once the standby
/// has it.
struct Pair {
    primary: Scratch,
    standby_url: String,
}

impl Pair {
    fn new() -> Pair {
        let primary = Scratch::postgres(&env(POSTGRES_ENV).unwrap()).unwrap();
        let name = primary.url.rsplit_once('/').unwrap().1.to_string();
        let standby_url = with_database(&env(STANDBY_ENV).unwrap(), &name);
        let started = Instant::now();
        while let Err(e) = Register::open_read_only(&standby_url, 1) {
            assert!(
                started.elapsed() < CATCH_UP,
                "the standby has no {name} after {CATCH_UP:?}: {e}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Pair {
            primary,
            standby_url,
        }
    }

    fn register(&self) -> &Register {
        self.primary.register()
    }
}

/// `ucr serve` on `database` with `args`, once it answers `/health`.
fn serve(database: &str, args: &[&str]) -> (Server, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_ucr"))
        .args(["--database", database, "serve", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server::started(child, port);
    let base = server.base.clone();
    let client = Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/health")).send().is_err() {
        assert!(!server.exited(), "ucr serve {args:?} on {database} stopped");
        assert!(started.elapsed() < CATCH_UP, "{base} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, base)
}

/// A read-only server on the standby that knows the primary's database and writer.
fn serve_replica(pair: &Pair, write_to: &str, extra: &[&str]) -> (Server, String) {
    let mut args = vec![
        "--read-only",
        "--primary-url",
        write_to,
        "--primary-database",
        &pair.primary.url,
    ];
    args.extend_from_slice(extra);
    serve(&pair.standby_url, &args)
}

/// An OAI-PMH answer without its `responseDate` and `request` (the second it was answered,
/// and the address of the server that answered).
fn without_date_and_address(xml: String) -> String {
    match (xml.find("<responseDate>"), xml.find("</request>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &xml[..a], &xml[b..]),
        _ => xml,
    }
}

fn get(client: &Client, url: &str) -> Response {
    client.get(url).send().unwrap()
}

fn ready(client: &Client, base: &str) -> (u16, Value) {
    let res = get(client, &format!("{base}/ready"));
    (res.status().as_u16(), res.json().unwrap())
}

/// Polls `/ready` of `base` until `done` holds for its status and body.
fn wait_ready(
    client: &Client,
    base: &str,
    what: &str,
    done: impl Fn(u16, &Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = ready(client, base);
        if done(status, &body) {
            return body;
        }
        assert!(
            started.elapsed() < CATCH_UP,
            "{what}: after {CATCH_UP:?}, /ready answers {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the replica behind `base` holds every change the primary holds now.
fn caught_up(client: &Client, base: &str, pair: &Pair) -> i64 {
    let seq = pair.register().change_seq().unwrap();
    wait_ready(client, base, "catching up", |status, body| {
        status == 200 && body["replica"]["change_seq"].as_i64() >= Some(seq)
    });
    seq
}

fn theatre(i: usize) -> Value {
    json!({
        "kind": "theatre",
        "name": {"az": format!("Şəki Dövlət Dram Teatrı {i}"), "en": format!("Shaki State Drama Theatre {i}")},
        "region": "AZ-SA",
        "location": {"lat": 41.19, "lon": 47.17},
        "ownership": "state",
        "theatre_type": "drama",
        "seats": 100 + i % 900
    })
}

/// Creates `theatre(i)` on `register`; its id.
fn new_theatre(register: &Register, i: usize) -> String {
    register
        .create(theatre(i), &clerk())
        .unwrap()
        .entry
        .id
        .to_string()
}

fn clerk() -> Write {
    Write::by("clerk-ana", Role::Clerk)
}

#[test]
fn reads_on_the_standby_equal_the_primarys_and_writes_are_refused() {
    if !needs("reads", &[POSTGRES_ENV, STANDBY_ENV]) {
        return;
    }
    let _shared = STANDBY.read().unwrap_or_else(|p| p.into_inner());
    let pair = Pair::new();
    let register = pair.register();
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            register
                .create(theatre(i), &clerk())
                .unwrap()
                .entry
                .id
                .to_string(),
        );
    }
    for id in &ids[..4] {
        register.patch(id, &json!({"seats": 7}), &clerk()).unwrap();
    }
    register
        .delete(&ids[11], &Write::by("admin-rza", Role::Admin))
        .unwrap();
    let admin = register.create_token("admin-rza", Role::Admin).unwrap();
    let (_writer, writer) = serve(&pair.primary.url, &[]);
    let (_replica, replica) = serve_replica(&pair, &writer, &[]);
    let client = Client::new();
    let seq = caught_up(&client, &replica, &pair);
    assert_eq!(seq, 17, "12 creates, 4 patches, 1 delete");

    let reads = [
        "/api/v1/theatres?limit=100".to_string(),
        "/api/v1/theatres?limit=5".to_string(),
        "/api/v1/entries?q=seki&limit=100".to_string(),
        "/api/v1/entries?q=Shaki%203&region=AZ-SA".to_string(),
        "/api/v1/entries?near=41.19,47.17&radius_km=5".to_string(),
        "/api/v1/stats?group_by=region".to_string(),
        "/api/v1/changes?since=0&limit=1000".to_string(),
        "/api/v1/changes?since=9&limit=3".to_string(),
        format!("/api/v1/theatres/{}", ids[0]),
        format!("/api/v1/entries/{}", ids[5]),
        format!("/api/v1/entries/{}/history", ids[0]),
        format!("/api/v1/entries/{}/history", ids[11]),
        format!("/api/v1/entries/{}/history/1", ids[1]),
        format!("/api/v1/theatres/{}", ids[11]),
        "/api/v1/export?format=ndjson".to_string(),
        "/api/v1/export?format=csv&kind=theatre".to_string(),
        "/api/v1/imports".to_string(),
    ];
    for path in &reads {
        for token in [None, Some(&admin)] {
            let fetch = |base: &str| {
                let mut req = client.get(format!("{base}{path}"));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let res = req.send().unwrap();
                let status = res.status().as_u16();
                let etag = res.headers().get("etag").cloned();
                (status, etag, res.text().unwrap())
            };
            let (on_primary, on_replica) = (fetch(&writer), fetch(&replica));
            assert!(
                [200, 401, 404].contains(&on_primary.0),
                "{path}: {on_primary:?}"
            );
            assert_eq!(
                on_replica,
                on_primary,
                "{path} (token: {})",
                token.is_some()
            );
        }
    }

    // The standards' form POSTs are reads: OpenRefine's batches and a harvester's requests
    // are answered on the replica as on the primary.
    let posted = [
        (
            "/reconcile",
            "queries=%7B%22q0%22%3A%7B%22query%22%3A%22Shaki%203%22%7D%7D",
        ),
        ("/oai", "verb=ListRecords&metadataPrefix=oai_dc&set=theatre"),
        ("/oai", "verb=ListIdentifiers&metadataPrefix=ucr_json"),
    ];
    for (path, form) in posted {
        for token in [None, Some(&admin)] {
            let fetch = |base: &str| {
                let mut req = client
                    .post(format!("{base}{path}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form);
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let res = req.send().unwrap();
                (
                    res.status().as_u16(),
                    without_date_and_address(res.text().unwrap()),
                )
            };
            let (on_primary, on_replica) = (fetch(&writer), fetch(&replica));
            assert_eq!(on_primary.0, 200, "POST {path} {form}: {on_primary:?}");
            assert_eq!(on_replica, on_primary, "POST {path} {form}");
        }
    }
    let batch: Value = serde_json::from_str(
        &client
            .post(format!("{replica}/reconcile"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(posted[0].1)
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    // Eleven theatres left, all named alike: the five best of them.
    let result = batch["q0"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 5, "{batch}");
    assert!(
        result.iter().all(|c| c["name"]
            .as_str()
            .unwrap()
            .starts_with("Şəki Dövlət Dram Teatrı ")),
        "{batch}"
    );

    // Every write is refused before anything is read, naming where it goes; nothing changes.
    let id = &ids[2];
    let writes = [
        (
            "POST",
            "/api/v1/theatres".to_string(),
            theatre(99).to_string(),
        ),
        (
            "PUT",
            format!("/api/v1/theatres/{id}"),
            theatre(98).to_string(),
        ),
        (
            "PATCH",
            format!("/api/v1/theatres/{id}"),
            json!({"seats": 1}).to_string(),
        ),
        ("DELETE", format!("/api/v1/theatres/{id}"), String::new()),
        (
            "POST",
            "/api/v1/imports?mode=create".to_string(),
            String::new(),
        ),
        (
            "POST",
            "/api/v1/imports/0190d1b4-7d5e-7000-8000-000000000000/undo".to_string(),
            String::new(),
        ),
    ];
    for (method, path, body) in &writes {
        let res = client
            .request(method.parse().unwrap(), format!("{replica}{path}"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .unwrap();
        assert_eq!(res.status().as_u16(), 421, "{method} {path}");
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        let problem: Value = res.json().unwrap();
        assert_eq!(problem["type"], "/problems/read-only", "{problem}");
        assert_eq!(problem["status"], 421);
        assert_eq!(problem["write_to"], json!(format!("{writer}{path}")));
        assert_eq!(
            problem["detail"],
            json!(format!("this server reads from a replica of the register and writes nothing: send {method} {path} to {writer}{path}"))
        );
    }
    assert_eq!(
        register.change_seq().unwrap(),
        seq,
        "a refused write changed the primary"
    );

    // The address named takes the write; the replica then shows it.
    let refused: Value = client
        .post(format!("{replica}/api/v1/theatres"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(theatre(50).to_string())
        .send()
        .unwrap()
        .json()
        .unwrap();
    let created = client
        .post(refused["write_to"].as_str().unwrap())
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(theatre(50).to_string())
        .send()
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created = created.json::<Value>().unwrap()["entry"].take();
    caught_up(&client, &replica, &pair);
    let read = get(
        &client,
        &format!(
            "{replica}/api/v1/theatres/{}",
            created["id"].as_str().unwrap()
        ),
    );
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(read.json::<Value>().unwrap(), created);
    let found: Value = get(&client, &format!("{replica}/api/v1/entries?q=Shaki%2050"))
        .json()
        .unwrap();
    assert_eq!(
        found["total"], 1,
        "the search index took the change in: {found}"
    );
}

#[test]
fn a_standby_of_another_schema_is_refused() {
    if !needs("schema", &[POSTGRES_ENV, STANDBY_ENV]) {
        return;
    }
    let _shared = STANDBY.read().unwrap_or_else(|p| p.into_inner());
    let pair = Pair::new();
    let mut primary = diesel::PgConnection::establish(&pair.primary.url).unwrap();
    // The schema of a build one migration older than this one.
    primary
        .batch_execute(
            "DELETE FROM __diesel_schema_migrations \
             WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
        )
        .unwrap();
    let started = Instant::now();
    let refusal = loop {
        let out = Command::new(env!("CARGO_BIN_EXE_ucr"))
            .args([
                "--database",
                &pair.standby_url,
                "serve",
                "--read-only",
                "--bind",
            ])
            .arg(format!("127.0.0.1:{}", free_port()))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        // Before the standby replays the change, the server would start: it is stopped by
        // the bound below, so only a refusal gets here.
        let text = String::from_utf8_lossy(&out.stderr).to_string();
        if text.contains("schema is at version") {
            assert!(!out.status.success());
            break text;
        }
        assert!(started.elapsed() < CATCH_UP, "no refusal: {text}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        refusal.contains("the database's schema is at version 20261206000007 and this build of ucr expects 20261206000008"),
        "{refusal}"
    );
    assert!(
        refusal.contains("missing: [\"20261206000008\"]"),
        "{refusal}"
    );
}

#[test]
fn a_mirror_of_the_feed_read_from_replicas_misses_nothing_while_writers_race() {
    if !needs("feed", &[POSTGRES_ENV, STANDBY_ENV]) {
        return;
    }
    let _shared = STANDBY.read().unwrap_or_else(|p| p.into_inner());
    let pair = Pair::new();
    let register = pair.register();
    let (_writer, writer) = serve(&pair.primary.url, &[]);
    let (_a, replica_a) = serve_replica(&pair, &writer, &[]);
    let (_b, replica_b) = serve_replica(&pair, &writer, &[]);
    let writing = std::sync::atomic::AtomicBool::new(true);
    // The primary's last change, once every writer has stopped.
    let finished = std::sync::OnceLock::<i64>::new();
    let written = Mutex::new(0_usize);
    let mirror: Vec<Value> = std::thread::scope(|s| {
        let mut writers = Vec::new();
        for w in 0..4 {
            let (writing, written) = (&writing, &written);
            writers.push(s.spawn(move || {
                let mut mine = Vec::new();
                let mut i = 0;
                while writing.load(std::sync::atomic::Ordering::Relaxed) {
                    // Creates, and patches of this writer's own entries.
                    if i % 3 == 2 {
                        let id: &String = &mine[i % mine.len()];
                        register.patch(id, &json!({"seats": i}), &clerk()).unwrap();
                    } else {
                        let saved = register.create(theatre(w * 100_000 + i), &clerk()).unwrap();
                        mine.push(saved.entry.id.to_string());
                    }
                    i += 1;
                    *written.lock().unwrap() += 1;
                }
            }));
        }
        let mirror = s.spawn(|| {
            let client = Client::new();
            let mut items: Vec<Value> = Vec::new();
            let mut since = 0;
            let mut turn = 0;
            let mut stopped_at: Option<Instant> = None;
            loop {
                // Replicas only, in turn, as behind a load balancer.
                let base = [&replica_a, &replica_b][turn % 2];
                turn += 1;
                let page: Value = get(
                    &client,
                    &format!("{base}/api/v1/changes?since={since}&limit=37"),
                )
                .json()
                .unwrap();
                for item in page["items"].as_array().unwrap() {
                    items.push(item.clone());
                }
                if let Some(next) = page["next_cursor"].as_str() {
                    since = next.parse().unwrap();
                }
                if let Some(&last) = finished.get() {
                    let when = *stopped_at.get_or_insert_with(Instant::now);
                    if since >= last {
                        return items;
                    }
                    assert!(
                        when.elapsed() < CATCH_UP,
                        "the mirror is stuck at {since} of {last}"
                    );
                }
                if page["items"].as_array().unwrap().is_empty() {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        });
        std::thread::sleep(Duration::from_secs(3));
        writing.store(false, std::sync::atomic::Ordering::Relaxed);
        for writer in writers {
            writer.join().unwrap();
        }
        finished.set(register.change_seq().unwrap()).unwrap();
        mirror.join().unwrap()
    });
    let last = register.change_seq().unwrap();
    assert_eq!(last as usize, *written.lock().unwrap());
    assert!(last > 20, "only {last} changes were written");
    let seqs: Vec<i64> = mirror.iter().map(|i| i["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=last).collect::<Vec<_>>(),
        "the mirror skipped or repeated changes"
    );
    // The whole feed as the primary serves it.
    let client = Client::new();
    let mut on_primary = Vec::new();
    let mut since = 0;
    while since < last {
        let page: Value = get(
            &client,
            &format!("{writer}/api/v1/changes?since={since}&limit=1000"),
        )
        .json()
        .unwrap();
        on_primary.extend(page["items"].as_array().unwrap().iter().cloned());
        since = page["next_cursor"].as_str().unwrap().parse().unwrap();
    }
    assert_eq!(
        mirror, on_primary,
        "the mirror differs from the primary's feed"
    );
    eprintln!("feed: {last} changes by 4 writers mirrored from two replicas");
}

#[test]
fn a_token_revoked_on_the_primary_stops_working_on_the_replica() {
    if !needs("token", &[POSTGRES_ENV, STANDBY_ENV]) {
        return;
    }
    let _shared = STANDBY.read().unwrap_or_else(|p| p.into_inner());
    let pair = Pair::new();
    let register = pair.register();
    register.create(theatre(1), &clerk()).unwrap();
    let token = register.create_token("reader-lala", Role::Reader).unwrap();
    let (_replica, replica) = serve_replica(&pair, "http://primary.example", &[]);
    let client = Client::new();
    let status = |client: &Client| {
        client
            .get(format!("{replica}/api/v1/theatres"))
            .bearer_auth(&token)
            .send()
            .unwrap()
    };
    let started = Instant::now();
    while status(&client).status() != 200 {
        assert!(
            started.elapsed() < CATCH_UP,
            "the token never reached the replica"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Reads on the replica with the token write nothing: the primary's change sequence and
    // the token's row are what they were.
    let before = register.tokens().unwrap();
    for _ in 0..5 {
        assert_eq!(status(&client).status(), 200);
    }
    assert_eq!(register.tokens().unwrap(), before);
    assert_eq!(register.change_seq().unwrap(), 1);

    register.revoke_token("reader-lala").unwrap();
    let revoked = Instant::now();
    let refused = loop {
        let res = status(&client);
        match res.status().as_u16() {
            200 => {}
            401 => break res,
            other => panic!("the replica answered {other}"),
        }
        assert!(
            revoked.elapsed() < CATCH_UP,
            "the revoked token still works"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        refused.headers()["www-authenticate"].to_str().unwrap(),
        "Bearer realm=\"ucr\", error=\"invalid_token\""
    );
    let problem: Value = refused.json().unwrap();
    assert_eq!(problem["detail"], "the token is unknown or revoked");
    eprintln!(
        "token: refused by the replica {:?} after the revocation",
        revoked.elapsed()
    );
}

/// Replay paused on the standby until dropped.
struct Paused(diesel::PgConnection);

impl Paused {
    fn new() -> Paused {
        let url = with_database(&env(STANDBY_ENV).unwrap(), "postgres");
        let mut c = diesel::PgConnection::establish(&url).unwrap();
        c.batch_execute("SELECT pg_wal_replay_pause()").unwrap();
        Paused(c)
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = self.0.batch_execute("SELECT pg_wal_replay_resume()");
    }
}

#[test]
fn ready_reports_the_lag_and_turns_not_ready_past_the_allowed_lag() {
    if !needs("lag", &[POSTGRES_ENV, STANDBY_ENV, DATA_ENV]) {
        return;
    }
    let _alone = STANDBY.write().unwrap_or_else(|p| p.into_inner());
    let pair = Pair::new();
    let register = pair.register();
    register.create(theatre(1), &clerk()).unwrap();
    let (_replica, replica) = serve_replica(&pair, "http://primary.example", &["--max-lag", "1"]);
    let client = Client::new();
    // The standby also replays what other databases of the server write, so its lag is
    // whatever it is now, within the allowed second.
    let mut body = wait_ready(&client, &replica, "catching up", |status, body| {
        status == 200 && body["replica"]["changes_behind"] == 0
    });
    let lag = body["replica"]["lag_seconds"].take().as_f64().unwrap();
    assert!((0.0..=1.0).contains(&lag), "{lag}");
    assert_eq!(
        body,
        json!({"status": "ready", "replica": {"standby": true, "lag_seconds": null, "change_seq": 1,
               "primary_change_seq": 1, "changes_behind": 0, "max_lag_seconds": 1.0}})
    );

    // The standby stops replaying; the primary goes on writing.
    let paused = Paused::new();
    for i in 2..5 {
        register.create(theatre(i), &clerk()).unwrap();
    }
    let lagging = wait_ready(&client, &replica, "lagging", |status, _| status == 503);
    assert_eq!(lagging["type"], "/problems/replica-lag", "{lagging}");
    assert_eq!(lagging["replica"]["change_seq"], 1);
    assert_eq!(lagging["replica"]["primary_change_seq"], 4);
    assert_eq!(lagging["replica"]["changes_behind"], 3);
    let lag = lagging["replica"]["lag_seconds"].as_f64().unwrap();
    assert!(lag > 1.0, "{lagging}");
    assert_eq!(
        lagging["detail"],
        json!(format!(
            "the replica is {lag:.1} s behind its primary, more than the 1 s allowed"
        ))
    );
    // Reads still answer, from the replica's (older) state.
    let listed: Value = get(&client, &format!("{replica}/api/v1/theatres"))
        .json()
        .unwrap();
    assert_eq!(listed["total"], 1);

    drop(paused);
    let body = wait_ready(&client, &replica, "caught up", |status, body| {
        status == 200 && body["replica"]["changes_behind"] == 0
    });
    assert_eq!(body["replica"]["change_seq"], 4);
    let listed: Value = get(&client, &format!("{replica}/api/v1/theatres"))
        .json()
        .unwrap();
    assert_eq!(listed["total"], 4);
}

/// Runs `pg_ctl` on the standby (as the postgres user when run as root).
fn pg_ctl(args: &[&str]) {
    let data = env(DATA_ENV).unwrap();
    let pg_ctl = env("UCR_TEST_STANDBY_PG_CTL").unwrap_or_else(|| {
        let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
            .unwrap()
            .map(|d| d.unwrap().path().join("bin/pg_ctl"))
            .filter(|p| p.exists())
            .collect();
        found.sort();
        found.pop().unwrap().display().to_string()
    });
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &pg_ctl]);
        c
    } else {
        Command::new(&pg_ctl)
    };
    let log = format!("{data}/server.log");
    let status = cmd
        .args(["-D", &data, "-l", &log, "-w", "-t", "60"])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl {args:?} failed");
}

/// The standby stopped until dropped.
struct Stopped;

impl Stopped {
    fn new() -> Stopped {
        pg_ctl(&["-m", "fast", "stop"]);
        Stopped
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        pg_ctl(&["start"]);
    }
}

#[test]
fn a_stopped_standby_makes_the_server_not_ready_without_stopping_it() {
    if !needs("stop", &[POSTGRES_ENV, STANDBY_ENV, DATA_ENV]) {
        return;
    }
    let _alone = STANDBY.write().unwrap_or_else(|p| p.into_inner());
    let pair = Pair::new();
    let register = pair.register();
    let id = new_theatre(register, 1);
    let (mut server, replica) = serve_replica(&pair, "http://primary.example", &[]);
    let client = Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    caught_up(&client, &replica, &pair);

    let stopped = Stopped::new();
    let down = wait_ready(&client, &replica, "standby stopped", |status, _| {
        status == 503
    });
    assert_eq!(down["type"], "/problems/unavailable", "{down}");
    for path in [
        format!("/api/v1/theatres/{id}"),
        "/api/v1/entries?q=seki".into(),
        "/api/v1/changes".into(),
    ] {
        let res = get(&client, &format!("{replica}{path}"));
        assert_eq!(res.status().as_u16(), 503, "{path}");
        assert_eq!(
            res.json::<Value>().unwrap()["type"],
            "/problems/unavailable"
        );
    }
    assert!(!server.exited(), "the server stopped");

    drop(stopped);
    wait_ready(&client, &replica, "standby started again", |status, _| {
        status == 200
    });
    let res = get(&client, &format!("{replica}/api/v1/theatres/{id}"));
    assert_eq!(res.status().as_u16(), 200);
    let found: Value = get(&client, &format!("{replica}/api/v1/entries?q=seki"))
        .json()
        .unwrap();
    assert_eq!(found["total"], 1);
}

/// Without a standby: `--read-only` on a SQLite file reads, refuses writes (none reaches the
/// file, whose connections are `query_only` besides), and is ready with no lag.
#[test]
fn read_only_on_a_sqlite_file_reads_and_refuses_writes() {
    let scratch = Scratch::sqlite().unwrap();
    let register = scratch.register();
    let id = new_theatre(register, 1);
    let admin = register.create_token("admin-rza", Role::Admin).unwrap();
    let (_replica, replica) = serve(&scratch.url, &["--read-only"]);
    let client = Client::new();
    let (status, body) = ready(&client, &replica);
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "ready", "replica": {"standby": false, "lag_seconds": 0.0, "change_seq": 1,
               "primary_change_seq": null, "changes_behind": null, "max_lag_seconds": 30.0}})
    );
    let res = client
        .get(format!("{replica}/api/v1/theatres/{id}"))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = client
        .delete(format!("{replica}/api/v1/theatres/{id}"))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 421);
    let problem: Value = res.json().unwrap();
    assert_eq!(problem["write_to"], Value::Null);
    assert_eq!(
        problem["detail"],
        json!(format!("this server reads from a replica of the register and writes nothing: send DELETE /api/v1/theatres/{id} to the server on the primary database"))
    );
    assert_eq!(register.get(&id).unwrap().version, 1);
    assert_eq!(register.change_seq().unwrap(), 1);
    // The connections of a read-only register refuse writes themselves.
    let read_only = Register::open_read_only(&scratch.url, 1).unwrap();
    assert!(read_only.create(theatre(2), &clerk()).is_err());
    assert!(read_only.create_token("clerk-ana", Role::Clerk).is_err());
    assert_eq!(register.change_seq().unwrap(), 1);
    assert_eq!(register.tokens().unwrap().len(), 1);
}

#[test]
fn read_only_refuses_a_database_without_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("empty.db").display());
    std::fs::write(dir.path().join("empty.db"), b"").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ucr"))
        .args(["--database", &url, "serve", "--read-only", "--bind"])
        .arg(format!("127.0.0.1:{}", free_port()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("the database holds no register schema"),
        "{text}"
    );
    // Nothing was created in it.
    assert_eq!(
        std::fs::metadata(dir.path().join("empty.db"))
            .unwrap()
            .len(),
        0
    );
}

//! Promises of HTTP itself: HEAD, content codings, preconditions, problem+json before any
//! handler, history pages, unreadable imports, whole numbers, and a database that stops.

use super::*;
use serde_json::{json, Value};
use std::io::{Read, Write};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// POSTs `body` to `path` with a content type and a content coding.
fn post_coded(app: &TestApp, path: &str, content_type: &str, coding: &str, body: Vec<u8>) -> Reply {
    app.send(
        app.http
            .post(app.url(path))
            .header("content-type", content_type)
            .header("content-encoding", coding)
            .body(body),
    )
}

#[test]
fn head_answers_every_get_resource_without_a_body() {
    each_backend(|app| {
        let id = app.create(&fixture("theatre", None))["id"]
            .as_str()
            .unwrap()
            .to_string();
        for path in [
            "/health".to_string(),
            "/ready".to_string(),
            "/openapi.json".to_string(),
            "/api/v1/vocabularies".to_string(),
            "/api/v1/theatres".to_string(),
            format!("/api/v1/theatres/{id}"),
            format!("/api/v1/entries/{id}"),
            format!("/api/v1/entries/{id}/history"),
            format!("/api/v1/entries/{id}/history/1"),
            "/api/v1/entries?q=teatr".to_string(),
            "/api/v1/changes".to_string(),
            "/api/v1/stats".to_string(),
            "/api/v1/imports".to_string(),
            "/api/v1/theatres/THR-999999".to_string(),
        ] {
            let get = app.get(&path);
            let head = app.send(app.http.head(app.url(&path)));
            assert_eq!(head.status, get.status, "HEAD {path}");
            assert_ne!(head.status, 405, "HEAD {path}");
            assert_eq!(head.text, "", "HEAD {path} has a body");
            for name in ["content-type", "etag"] {
                assert_eq!(head.header(name), get.header(name), "HEAD {path}: {name}");
            }
        }
        // Still refused where GET is not the method of the resource.
        let reply = app.send(app.http.head(app.url("/api/v1/imports/x/undo")));
        assert_eq!(reply.status, 405);
        assert_eq!(reply.header("allow").as_deref(), Some("POST"));
    });
}

#[test]
fn compressed_bodies_are_decoded_and_limited_by_their_decoded_size() {
    each_backend(|app| {
        let mut theatre = fixture("theatre", None);
        theatre["name"]["az"] = json!("Gzip Dövlət Teatrı");
        let reply = post_coded(
            app,
            "/api/v1/theatres",
            "application/json",
            "gzip",
            gzip(theatre.to_string().as_bytes()),
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.json["entry"]["name"]["az"], "Gzip Dövlət Teatrı");
        theatre["name"]["az"] = json!("Deflate Dövlət Teatrı");
        let reply = post_coded(
            app,
            "/api/v1/theatres",
            "application/json",
            "deflate",
            deflate(theatre.to_string().as_bytes()),
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
        let before = app.snapshot();
        // A codings the server does not decode: 415 naming those it does.
        for coding in ["br", "zstd", "compress", "gzip, br"] {
            let reply = post_coded(
                app,
                "/api/v1/theatres",
                "application/json",
                coding,
                theatre.to_string().into_bytes(),
            );
            assert_problem(&reply, 415, "/problems/unsupported-encoding");
            let detail = reply.json["detail"].as_str().unwrap();
            assert!(
                detail.contains("gzip") && detail.contains("deflate"),
                "{detail}"
            );
        }
        // A gzip bomb: 8 KiB on the wire, 8 MiB decoded, the limit 64 KiB.
        let mut bomb_json = b"{\"kind\": \"theatre\", \"x\": \"".to_vec();
        bomb_json.extend(std::iter::repeat_n(b' ', 8 << 20));
        let bomb = gzip(&bomb_json);
        assert!(bomb.len() < TEST_BODY_LIMIT, "{}", bomb.len());
        let reply = post_coded(
            app,
            "/api/v1/theatres",
            "application/json",
            "gzip",
            bomb.clone(),
        );
        assert_problem(&reply, 413, "/problems/payload-too-large");
        // The same bomb as an import (limit 256 KiB).
        let reply = post_coded(app, "/api/v1/imports", "application/json", "gzip", bomb);
        assert_problem(&reply, 413, "/problems/payload-too-large");
        // Bytes that are not gzip at all.
        let reply = post_coded(
            app,
            "/api/v1/theatres",
            "application/json",
            "gzip",
            theatre.to_string().into_bytes(),
        );
        assert_problem(&reply, 400, "/problems/bad-request");
        assert_eq!(app.snapshot(), before);
        assert!(app.register().imports().unwrap().is_empty());
    });
}

#[test]
fn a_gzipped_import_loads_the_fixtures() {
    each_backend(|app| {
        let file = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/az-institutions.json"),
        )
        .unwrap();
        let reply = post_coded(
            app,
            "/api/v1/imports",
            "application/json",
            "gzip",
            gzip(&file),
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.json["created"], 58, "{}", reply.text);
        assert_eq!(reply.json["rejected"], 0, "{}", reply.text);
        assert_eq!(app.snapshot().total, 58);
    });
}

#[test]
fn a_history_is_read_in_pages_and_checks_its_parameters() {
    each_backend(|app| {
        let id = app.create(&fixture("theatre", None))["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/theatres/{id}");
        for version in 1..=4 {
            let reply = app.patch(
                &path,
                &json!({"seats": 100 + version}),
                Some(&format!("\"{version}\"")),
            );
            assert_eq!(reply.status, 200, "{}", reply.text);
        }
        // Five revisions, two a page.
        let mut versions = Vec::new();
        let mut next = format!("/api/v1/entries/{id}/history?limit=2");
        let mut pages = 0;
        loop {
            let reply = app.get(&next);
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert_eq!(reply.json["total"], 5);
            let items = reply.json["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            versions.extend(items.iter().map(|r| r["version"].as_i64().unwrap()));
            pages += 1;
            assert!(pages <= 3, "more pages than revisions allow");
            match reply.json["next_cursor"].as_str() {
                Some(cursor) => {
                    next = format!("/api/v1/entries/{id}/history?limit=2&cursor={cursor}")
                }
                None => break,
            }
        }
        assert_eq!(versions, [1, 2, 3, 4, 5]);
        assert_eq!(pages, 3);
        // Without a limit, the default page holds them all.
        let all = app.get(&format!("/api/v1/entries/{id}/history"));
        assert_eq!(all.json["items"].as_array().unwrap().len(), 5);
        assert_eq!(all.json["next_cursor"], Value::Null);
        for query in [
            "limit=0",
            "limit=1001",
            "limit=x",
            "cursor=3",
            "cursor=v0",
            "cursor=abc",
            "sort=version",
            "since=1",
        ] {
            let reply = app.get(&format!("/api/v1/entries/{id}/history?{query}"));
            assert_problem(&reply, 400, "/problems/bad-request");
        }
    });
}

#[test]
fn an_unreadable_import_is_422_and_recorded_nowhere() {
    each_backend(|app| {
        let before = app.snapshot();
        for (content_type, body) in [
            ("application/json", "this is not JSON"),
            ("application/json", "[1, 2, 3]"),
            ("application/x-ndjson", "{\"kind\": \n nonsense\n"),
            ("text/csv", "sitze,platz\n1,2\n"),
        ] {
            for query in ["", "?atomic=false", "?dry_run=true"] {
                let reply = app.send(
                    app.http
                        .post(app.url(&format!("/api/v1/imports{query}")))
                        .header("content-type", content_type)
                        .body(body),
                );
                assert_problem(&reply, 422, "/problems/import-unreadable");
                assert_eq!(
                    reply.json["report"]["outcome"], "unreadable",
                    "{}",
                    reply.text
                );
                assert!(
                    reply.json["report"].get("import_id").is_none(),
                    "{}",
                    reply.text
                );
            }
        }
        assert_eq!(app.snapshot(), before);
        assert!(app.register().imports().unwrap().is_empty());
        // A body with one readable row among unreadable ones is an import as before.
        let mixed = format!("nonsense\n{}\n", json!(fixture("theatre", None)));
        let reply = app.send(
            app.http
                .post(app.url("/api/v1/imports?atomic=false"))
                .header("content-type", "application/x-ndjson")
                .body(mixed),
        );
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(
            (
                reply.json["created"].as_i64(),
                reply.json["rejected"].as_i64()
            ),
            (Some(1), Some(1))
        );
    });
}

#[test]
fn errors_before_any_handler_are_problems() {
    each_backend(|app| {
        // A request target over 8 KiB.
        let long = format!("/api/v1/theatres?region={}", "A".repeat(9000));
        assert_problem(&app.get(&long), 414, "/problems/uri-too-long");
        // Headers over 32 KiB in all.
        let mut request = app.http.get(app.url("/api/v1/theatres"));
        for i in 0..5 {
            request = request.header(format!("x-filler-{i}"), "x".repeat(8000));
        }
        assert_problem(&app.send(request), 431, "/problems/headers-too-large");
        // An unreadable path segment and the framework's other errors come as problems too.
        let reply = app.get("/docs/nothing-here");
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{} {}",
            reply.status,
            reply.text
        );
        // What the HTTP layer answers itself, before any code of the service runs: a request
        // head over 128 KiB gets 431, a request line it cannot parse 400, both without a
        // body (see README, "HTTP conformance").
        let addr = app.base.trim_start_matches("http://").to_string();
        for raw in [
            "GARBAGE\r\n\r\n".to_string(),
            format!(
                "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "y".repeat(140 * 1024)
            ),
        ] {
            let mut stream = std::net::TcpStream::connect(&addr).unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let _ = stream.write_all(raw.as_bytes());
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            assert!(
                answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.1 431"),
                "{}",
                answer.lines().next().unwrap_or_default()
            );
        }
    });
}

#[test]
fn whole_numbers_with_a_fraction_are_integers() {
    each_backend(|app| {
        let mut theatre = fixture("theatre", None);
        theatre["seats"] = json!(49.0);
        theatre["founded_year"] = json!(1.92e3);
        let reply = app.post("/api/v1/theatres", &theatre);
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.json["entry"]["seats"], 49);
        assert_eq!(reply.json["entry"]["founded_year"], 1920);
        let stored = app
            .register()
            .get(reply.json["entry"]["id"].as_str().unwrap())
            .unwrap();
        assert_eq!(stored.to_json()["seats"], 49);
        theatre["seats"] = json!(49.5);
        let reply = app.post("/api/v1/theatres", &theatre);
        assert_problem(&reply, 422, "/problems/validation");
    });
}

#[test]
fn if_match_may_be_made_optional() {
    let config = ucr_api::Config {
        if_match: ucr_api::IfMatch::Optional,
        ..test_config()
    };
    each_backend_with(config, |app| {
        let id = app.create(&fixture("theatre", None))["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/theatres/{id}");
        let reply = app.patch(&path, &json!({"seats": 321}), None);
        assert_eq!(reply.status, 200, "{}", reply.text);
        // A tag that is sent is still compared.
        let reply = app.patch(&path, &json!({"seats": 322}), Some("\"1\""));
        assert_problem(&reply, 412, "/problems/version-mismatch");
        assert_eq!(app.delete(&path, None).status, 204);
    });
}

/// A TCP proxy in front of the PostgreSQL server: stopping it is the database going away
/// (connections cut, new ones refused); starting it again, the database coming back.
struct Proxy {
    port: u16,
    target: String,
    running: std::sync::Arc<std::sync::atomic::AtomicBool>,
    streams: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
    acceptor: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    fn new(target: &str) -> Proxy {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut proxy = Proxy {
            port,
            target: target.to_string(),
            running: Default::default(),
            streams: Default::default(),
            acceptor: None,
        };
        proxy.start();
        proxy
    }

    fn start(&mut self) {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.running.store(true, Ordering::SeqCst);
        let (running, streams, target) = (
            self.running.clone(),
            self.streams.clone(),
            self.target.clone(),
        );
        self.acceptor = Some(std::thread::spawn(move || {
            for client in listener.incoming() {
                if !running.load(Ordering::SeqCst) {
                    break; // The listener closes: connections are refused.
                }
                let Ok(client) = client else { continue };
                let Ok(server) = std::net::TcpStream::connect(&target) else {
                    continue;
                };
                let mut kept = streams.lock().unwrap();
                for (from, to) in [(&client, &server), (&server, &client)] {
                    let (mut from, mut to) = (from.try_clone().unwrap(), to.try_clone().unwrap());
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
                kept.extend([client, server]);
            }
        }));
    }

    fn stop(&mut self) {
        use std::sync::atomic::Ordering;
        self.running.store(false, Ordering::SeqCst);
        // Wakes the acceptor, which then closes the listener.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.join().unwrap();
        }
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// GET `path`, with how long the answer took.
fn timed_get(client: &reqwest::blocking::Client, url: &str) -> (u16, Value, std::time::Duration) {
    let started = std::time::Instant::now();
    let reply = client
        .get(url)
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .unwrap();
    let status = reply.status().as_u16();
    let json = reply.json().unwrap_or(Value::Null);
    (status, json, started.elapsed())
}

#[test]
fn a_database_that_stops_answering_is_503_at_once_and_comes_back() {
    let Some(admin_url) = std::env::var(ucr_core::testing::POSTGRES_ENV)
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!(
            "skipped: needs PostgreSQL ({})",
            ucr_core::testing::POSTGRES_ENV
        );
        return;
    };
    let scratch = ucr_core::testing::Scratch::postgres(&admin_url).unwrap();
    let (rest, name) = scratch.url.rsplit_once('/').unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.trim_start_matches("postgres://");
    let mut proxy = Proxy::new(host);
    let through = scratch
        .url
        .replacen(host, &format!("127.0.0.1:{}", proxy.port), 1);
    assert!(through.ends_with(name), "{through}");
    let register = ucr_core::Register::open(&through).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = ucr_api::State {
        register,
        config: test_config(),
    };
    let (handle, thread) = run_server(listener, state);
    let client = reqwest::blocking::Client::new();
    let (ready, list) = (format!("{base}/ready"), format!("{base}/api/v1/theatres"));
    assert_eq!(timed_get(&client, &ready).0, 200);
    assert_eq!(timed_get(&client, &list).0, 200);

    proxy.stop();
    // Readiness probes commonly give up after 1 to 5 s; the service used to wait 10 s.
    for url in [&ready, &list, &ready] {
        let (status, body, took) = timed_get(&client, url);
        assert_eq!(status, 503, "{url}: {body}");
        assert_eq!(body["type"], "/problems/unavailable", "{url}: {body}");
        eprintln!("{url}: 503 after {took:?}");
        assert!(
            took < std::time::Duration::from_secs(3),
            "{url}: 503 after {took:?}"
        );
    }

    proxy.start();
    let started = std::time::Instant::now();
    while timed_get(&client, &ready).0 != 200 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the service did not recover when the database came back"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(timed_get(&client, &list).0, 200);

    actix_web::rt::System::new().block_on(handle.stop(true));
    thread.join().unwrap();
    proxy.stop();
}

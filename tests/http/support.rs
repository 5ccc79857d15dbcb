//! `spawn_app`: a server on port 0 over a throw-away register, and a blocking client.

use actix_web::dev::ServerHandle;
use serde_json::Value;
use std::net::TcpListener;
use ucr_core::testing::Scratch;

/// A running service and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// A client with no default headers.
    pub http: reqwest::blocking::Client,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    scratch: Option<Scratch>,
}

/// Body limit of test servers, small so that 413 is cheap to provoke.
pub const TEST_BODY_LIMIT: usize = 64 * 1024;

impl TestApp {
    /// Starts a server over `scratch`.
    pub fn spawn(scratch: Scratch) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = ucr_api::State {
            register: scratch.register().clone(),
            config: ucr_api::Config {
                body_limit: TEST_BODY_LIMIT,
                public_read: true,
                workers: Some(2),
            },
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = ucr_api::start(listener, state).unwrap();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv().unwrap();
        TestApp {
            base,
            http: reqwest::blocking::Client::new(),
            backend: scratch.backend,
            handle,
            thread: Some(thread),
            scratch: Some(scratch),
        }
    }

    /// The register behind the service, for checking database contents.
    pub fn register(&self) -> &ucr_core::Register {
        self.scratch.as_ref().unwrap().register()
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET, returning status, headers and JSON body (Null when empty).
    pub fn get(&self, path: &str) -> Reply {
        Reply::from(self.http.get(self.url(path)).send().unwrap())
    }

    /// POST JSON.
    pub fn post(&self, path: &str, body: &Value) -> Reply {
        Reply::from(
            self.http
                .post(self.url(path))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .unwrap(),
        )
    }

    /// Sends any request built from the client.
    pub fn send(&self, request: reqwest::blocking::RequestBuilder) -> Reply {
        Reply::from(request.send().unwrap())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(true));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.scratch.take();
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body as JSON (Null when empty or not JSON).
    pub json: Value,
    /// Body as text.
    pub text: String,
}

impl Reply {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

impl From<reqwest::blocking::Response> for Reply {
    fn from(r: reqwest::blocking::Response) -> Self {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            json,
            text,
        }
    }
}

/// Runs `test` against a fresh server on each configured backend.
pub fn each_backend(test: impl Fn(&TestApp)) {
    for scratch in Scratch::all().unwrap() {
        let app = TestApp::spawn(scratch);
        eprintln!("backend: {}", app.backend);
        test(&app);
    }
}

/// The real fixtures, entries that refer to others last.
pub fn fixtures() -> Vec<Value> {
    let mut all: Vec<Value> =
        serde_json::from_str(include_str!("../../fixtures/az-institutions.json")).unwrap();
    all.sort_by_key(|v| {
        ["parent_id", "reserve_id", "museum_id"]
            .iter()
            .any(|f| v.get(f).is_some())
    });
    all
}

/// The first fixture of a kind (and heritage category), without its registry number.
pub fn fixture(kind: &str, category: Option<&str>) -> Value {
    let mut v = fixtures()
        .into_iter()
        .find(|v| {
            v["kind"] == kind
                && category.is_none_or(|c| v["category"] == c)
                && v.get("parent_id").is_none()
                && v.get("reserve_id").is_none()
                && v.get("museum_id").is_none()
        })
        .unwrap();
    v.as_object_mut().unwrap().remove("registry_number");
    v
}

/// (field, code) pairs of the errors of a problem body, sorted.
pub fn error_pairs(body: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = body["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| {
            (
                p["field"].as_str().unwrap_or_default().to_string(),
                p["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

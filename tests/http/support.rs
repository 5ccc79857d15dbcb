//! `spawn_app`: a server on port 0 over a throw-away register, and a blocking client.

use actix_web::dev::ServerHandle;
use serde_json::Value;
use std::net::TcpListener;
use ucr_core::testing::Scratch;

/// A running service and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// A client that sends the admin token (named `admin-test`) on every request.
    pub http: reqwest::blocking::Client,
    /// A client with no default headers: an anonymous caller.
    pub anon: reqwest::blocking::Client,
    /// Tokens of the roles: `reader-test`, `clerk-test`, `admin-test`.
    pub tokens: std::collections::HashMap<ucr_core::Role, String>,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    scratch: Option<Scratch>,
}

/// Body limit of test servers, small so that 413 is cheap to provoke.
pub const TEST_BODY_LIMIT: usize = 64 * 1024;

/// Import body limit of test servers, small so that 413 on imports is cheap to provoke.
pub const TEST_IMPORT_LIMIT: usize = 256 * 1024;

impl TestApp {
    /// Starts a server over `scratch`.
    pub fn spawn(scratch: Scratch) -> TestApp {
        TestApp::spawn_with(scratch, test_config())
    }

    /// Starts a server over `scratch` with `config` (e.g. `public_read: false`).
    pub fn spawn_with(scratch: Scratch, config: ucr_api::Config) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // As `ucr serve` runs by default: with the search index kept in memory, so that the
        // searches of these tests go through it.
        let state = ucr_api::State {
            register: scratch.register().clone().with_search_index(),
            config,
        };
        let (handle, thread) = run_server(listener, state);
        let tokens: std::collections::HashMap<ucr_core::Role, String> = [
            ucr_core::Role::Reader,
            ucr_core::Role::Clerk,
            ucr_core::Role::Admin,
        ]
        .into_iter()
        .map(|role| {
            let name = format!("{role}-test");
            (role, scratch.register().create_token(&name, role).unwrap())
        })
        .collect();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", tokens[&ucr_core::Role::Admin])
                .parse()
                .unwrap(),
        );
        TestApp {
            base,
            http: reqwest::blocking::Client::builder()
                .default_headers(headers)
                .build()
                .unwrap(),
            anon: reqwest::blocking::Client::new(),
            tokens,
            backend: scratch.backend,
            handle,
            thread: Some(thread),
            scratch: Some(scratch),
        }
    }

    /// A client sending the token of `role` on every request.
    pub fn client(&self, role: ucr_core::Role) -> reqwest::blocking::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", self.tokens[&role]).parse().unwrap(),
        );
        reqwest::blocking::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
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

/// Runs the service on `listener` on a thread of its own; stop it with the handle.
pub fn run_server(
    listener: TcpListener,
    state: ucr_api::State,
) -> (ServerHandle, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = ucr_api::start(listener, state).unwrap();
            tx.send(server.handle()).unwrap();
            let _ = server.await;
        })
    });
    (rx.recv().unwrap(), thread)
}

/// The configuration of test servers: small limits, public reads, two workers.
pub fn test_config() -> ucr_api::Config {
    ucr_api::Config {
        body_limit: TEST_BODY_LIMIT,
        import_limit: TEST_IMPORT_LIMIT,
        public_read: true,
        workers: Some(2),
        replica: None,
        if_match: ucr_api::IfMatch::Required,
        public_url: None,
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

/// Like [`each_backend`], with servers that run with `config`.
pub fn each_backend_with(config: ucr_api::Config, test: impl Fn(&TestApp)) {
    for scratch in Scratch::all().unwrap() {
        let app = TestApp::spawn_with(scratch, config.clone());
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

/// The collection path segment of a kind (`heritage_object` → `heritage-objects`).
pub fn collection(kind: &str) -> &'static str {
    match kind {
        "theatre" => "theatres",
        "library" => "libraries",
        "museum" => "museums",
        "reserve" => "reserves",
        "school" => "schools",
        "heritage_object" => "heritage-objects",
        other => panic!("no collection for kind {other}"),
    }
}

/// Every collection of the API.
pub const COLLECTIONS: [&str; 6] = [
    "theatres",
    "libraries",
    "museums",
    "reserves",
    "schools",
    "heritage-objects",
];

/// The real fixture with this registry number, without its registry number.
pub fn fixture_numbered(registry_number: &str) -> Value {
    let mut v = fixtures()
        .into_iter()
        .find(|v| v["registry_number"] == registry_number)
        .unwrap_or_else(|| panic!("no fixture {registry_number}"));
    v.as_object_mut().unwrap().remove("registry_number");
    v
}

/// The real fixture with this registry number, as registered (registry number kept).
pub fn registered(registry_number: &str) -> Value {
    let mut v = fixture_numbered(registry_number);
    v["registry_number"] = Value::String(registry_number.to_string());
    v
}

impl TestApp {
    /// A request with a body of `content_type`, and `If-Match` when given.
    pub fn write(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::blocking::Body>,
        if_match: Option<&str>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        self.send(request)
    }

    /// PUT JSON.
    pub fn put(&self, path: &str, body: &Value, if_match: Option<&str>) -> Reply {
        self.write(
            reqwest::Method::PUT,
            path,
            "application/json",
            body.to_string(),
            if_match,
        )
    }

    /// PATCH a JSON Merge Patch.
    pub fn patch(&self, path: &str, body: &Value, if_match: Option<&str>) -> Reply {
        self.write(
            reqwest::Method::PATCH,
            path,
            "application/merge-patch+json",
            body.to_string(),
            if_match,
        )
    }

    /// The ETag of the entry `key` (id or registry number) as stored now.
    pub fn etag_of(&self, key: &str) -> String {
        format!("\"{}\"", self.register().get(key).unwrap().version)
    }

    /// DELETE, with `If-Match` when given.
    pub fn delete(&self, path: &str, if_match: Option<&str>) -> Reply {
        let mut request = self.http.delete(self.url(path));
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        self.send(request)
    }

    /// POSTs `body` to its kind's collection and returns the stored entry (201 required).
    pub fn create(&self, body: &Value) -> Value {
        let kind = body["kind"].as_str().unwrap();
        let reply = self.post(&format!("/api/v1/{}", collection(kind)), body);
        assert_eq!(reply.status, 201, "creating {body}: {}", reply.text);
        reply.json["entry"].clone()
    }

    /// Loads every fixture through the API; returns registry number → id.
    pub fn load_fixtures(&self) -> std::collections::BTreeMap<String, String> {
        fixtures()
            .iter()
            .map(|f| {
                let entry = self.create(f);
                assert_eq!(entry["registry_number"], f["registry_number"]);
                (
                    entry["registry_number"].as_str().unwrap().to_string(),
                    entry["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// What the database holds, read past the API: every entry's id and version, the total, and
    /// the number of revisions. Equal snapshots mean nothing was written.
    pub fn snapshot(&self) -> Snapshot {
        let register = self.register();
        let listing = register
            .list(
                &ucr_core::Filter::default(),
                ucr_core::query::PAGE_MAX,
                None,
            )
            .unwrap();
        Snapshot {
            total: listing.total,
            versions: listing
                .items
                .iter()
                .map(|e| (e.id.to_string(), e.version))
                .collect(),
            revisions: register
                .changes(0, ucr_core::query::PAGE_MAX)
                .unwrap()
                .len(),
        }
    }

    /// The total the database holds for one kind.
    pub fn total_of(&self, kind: ucr_core::Kind) -> i64 {
        let filter = ucr_core::Filter {
            kind: Some(kind),
            ..Default::default()
        };
        self.register().list(&filter, 1, None).unwrap().total
    }
}

/// The database's contents in brief; see [`TestApp::snapshot`].
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Entries of every kind.
    pub total: i64,
    /// Id and version of every entry.
    pub versions: Vec<(String, i64)>,
    /// Revisions of every entry.
    pub revisions: usize,
}

/// Asserts a problem+json reply of `status` and problem `type` (e.g. `/problems/validation`).
#[track_caller]
pub fn assert_problem(reply: &Reply, status: u16, problem_type: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        reply.text
    );
    assert_eq!(reply.json["type"], problem_type, "{}", reply.text);
    assert_eq!(reply.json["status"], status, "{}", reply.text);
    assert!(reply.json["title"].is_string(), "{}", reply.text);
    assert!(reply.json["detail"].is_string(), "{}", reply.text);
}

/// `[(field, code)]` as owned, sorted pairs, to compare with [`error_pairs`].
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    v.sort();
    v
}

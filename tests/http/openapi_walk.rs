//! The integrator's view: every operation of the committed OpenAPI document, called for real,
//! and every answer checked against what the document promises for its status.

use super::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The committed document, as integrators get it.
const DOCUMENT: &str = include_str!("../../openapi/openapi.json");

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// The document and validators for its schemas.
struct Api {
    doc: Value,
    validators: RefCell<HashMap<String, std::rc::Rc<jsonschema::Validator>>>,
}

impl Api {
    fn load() -> Api {
        Api {
            doc: serde_json::from_str(DOCUMENT).unwrap(),
            validators: RefCell::new(HashMap::new()),
        }
    }

    /// Follows `$ref`s into the document (responses, parameters, headers).
    fn deref<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        while let Some(r) = v.get("$ref").and_then(Value::as_str) {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("external $ref {r}"));
            v = self
                .doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("unresolved $ref {r}"));
        }
        v
    }

    /// Every (METHOD, path template) of the document.
    fn operations(&self) -> Vec<(String, String)> {
        let mut ops = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for (name, _) in item.as_object().unwrap() {
                if METHODS.contains(&name.as_str()) {
                    ops.push((name.to_uppercase(), path.clone()));
                }
            }
        }
        ops
    }

    fn operation(&self, method: &str, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the document");
        op
    }

    /// The statuses an operation documents.
    fn statuses(&self, method: &str, template: &str) -> Vec<u16> {
        self.operation(method, template)["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.parse().unwrap())
            .collect()
    }

    /// Why `instance` breaks `schema` (a schema of the document; `$ref`s resolve inside it).
    fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let key = schema.to_string();
        let validator = self
            .validators
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": self.doc["components"],
                    "allOf": [schema],
                });
                std::rc::Rc::new(
                    jsonschema::draft202012::options()
                        .should_validate_formats(true)
                        .build(&root)
                        .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}")),
                )
            })
            .clone();
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    /// The request example of an operation and its schema, for `content_type`.
    fn request_example(&self, method: &str, template: &str, content_type: &str) -> (Value, Value) {
        let media = &self.operation(method, template)["requestBody"]["content"][content_type];
        let example = media["example"].clone();
        assert!(example.is_object(), "{method} {template}: no example");
        (example, media["schema"].clone())
    }
}

/// What the walk has done and found.
struct Walk<'a> {
    app: &'a TestApp,
    api: &'a Api,
    failures: Vec<String>,
    /// Operations called with valid data.
    exercised: BTreeSet<(String, String)>,
    /// Documented error statuses provoked.
    provoked: BTreeSet<(String, String, u16)>,
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn path_of(template: &str, key: &str) -> String {
    template.replace("{key}", key).replace("{version}", "1")
}

/// The collection template of an item template: `/api/v1/theatres/{key}` → `/api/v1/theatres`.
fn collection_of(template: &str) -> String {
    template.trim_end_matches("/{key}").to_string()
}

impl Walk<'_> {
    fn send(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<String>,
        if_match: Option<&str>,
    ) -> Reply {
        let mut request = self.app.http.request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            self.app.url(path),
        );
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        if let Some(b) = body {
            request = request.body(b);
        }
        // Changes name the version they change: any, unless the case says which.
        match if_match {
            Some(tag) => request = request.header("if-match", tag),
            None if ["PUT", "PATCH", "DELETE"].contains(&method) => {
                request = request.header("if-match", "*")
            }
            None => {}
        }
        self.app.send(request)
    }

    /// Sends a change without `If-Match` (and with `bad_if_match` as raw bytes when given).
    fn send_bare(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, String)>,
        bad_if_match: Option<&[u8]>,
    ) -> Reply {
        let mut request = self.app.http.request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            self.app.url(path),
        );
        if let Some((content_type, text)) = body {
            request = request.header("content-type", content_type).body(text);
        }
        if let Some(bytes) = bad_if_match {
            request = request.header(
                "if-match",
                reqwest::header::HeaderValue::from_bytes(bytes).unwrap(),
            );
        }
        self.app.send(request)
    }

    /// Sends a request as an anonymous client with this `Authorization` header (if any).
    fn send_as(
        &self,
        authorization: Option<&str>,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let mut request = self.app.anon.request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            self.app.url(path),
        );
        if let Some(a) = authorization {
            request = request.header("authorization", a);
        }
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        if let Some(b) = body {
            request = request.body(b);
        }
        self.app.send(request)
    }

    fn fail(&mut self, what: String) {
        self.failures.push(format!("[{}] {what}", self.app.backend));
    }

    /// Checks a reply against the document: a documented status, a documented content type, a
    /// body valid against the documented schema, the documented headers.
    fn check(&mut self, method: &str, template: &str, label: &str, reply: &Reply) {
        let op = self.api.operation(method, template);
        let Some(response) = op["responses"].get(reply.status.to_string()) else {
            self.fail(format!(
                "{method} {template} ({label}): status {} is not documented: {}",
                reply.status, reply.text
            ));
            return;
        };
        let response = self.api.deref(response);
        match response.get("content").and_then(Value::as_object) {
            Some(content) => {
                let ct = essence(&reply.header("content-type").unwrap_or_default());
                let Some(media) = content.get(&ct) else {
                    self.fail(format!(
                        "{method} {template} ({label}): {} answered {ct:?}, documented {:?}",
                        reply.status,
                        content.keys().collect::<Vec<_>>()
                    ));
                    return;
                };
                let json_media = ct == "application/json" || ct.ends_with("+json");
                let parsed = if json_media {
                    serde_json::from_str::<Value>(&reply.text).ok()
                } else {
                    Some(Value::String(reply.text.clone()))
                };
                let Some(body) = parsed else {
                    self.fail(format!(
                        "{method} {template} ({label}): body is not JSON: {}",
                        reply.text
                    ));
                    return;
                };
                let errors = self.api.errors(&media["schema"], &body);
                if !errors.is_empty() {
                    self.fail(format!(
                        "{method} {template} ({label}): {} body breaks its schema: {}\nbody: {}",
                        reply.status,
                        errors.join("; "),
                        reply.text
                    ));
                }
            }
            None => {
                if !reply.text.is_empty() {
                    self.fail(format!(
                        "{method} {template} ({label}): {} has a body, none documented: {}",
                        reply.status, reply.text
                    ));
                }
            }
        }
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            for name in headers.keys() {
                if reply.header(name).is_none() {
                    self.fail(format!(
                        "{method} {template} ({label}): {} lacks documented header {name}",
                        reply.status
                    ));
                }
            }
        }
    }

    /// A call with valid data: checked, counted, and required to succeed.
    fn valid(&mut self, method: &str, template: &str, label: &str, reply: Reply) -> Reply {
        self.check(method, template, label, &reply);
        if !(200..300).contains(&reply.status) {
            self.fail(format!(
                "{method} {template} ({label}): valid request got {}: {}",
                reply.status, reply.text
            ));
        }
        self.exercised
            .insert((method.to_string(), template.to_string()));
        reply
    }

    /// A provoked error: checked, required to be `status` with problem `type`, and recorded.
    fn error(
        &mut self,
        method: &str,
        template: &str,
        status: u16,
        problem: &str,
        reply: Reply,
    ) -> Reply {
        let label = format!("provoking {status}");
        self.check(method, template, &label, &reply);
        if reply.status != status || reply.json["type"] != problem {
            self.fail(format!(
                "{method} {template}: wanted {status} {problem}, got {}: {}",
                reply.status, reply.text
            ));
        }
        self.provoked
            .insert((method.to_string(), template.to_string(), status));
        reply
    }

    /// Checks an example of the document against its own schema.
    fn example_is_valid(&mut self, what: &str, schema: &Value, example: &Value) {
        let errors = self.api.errors(schema, example);
        if !errors.is_empty() {
            self.fail(format!(
                "{what}: the document's example breaks its schema: {}",
                errors.join("; ")
            ));
        }
    }

    /// A valid value for a documented query parameter.
    fn parameter_value(&mut self, what: &str, parameter: &Value, some_id: &str) -> String {
        let schema = self.api.deref(&parameter["schema"]);
        let value = if let Some(example) = parameter.get("example") {
            example.clone()
        } else if parameter["name"] == "region" {
            json!("AZ-BA")
        } else if parameter["name"] == "economic_region" {
            json!("baku")
        } else if parameter["name"] == "q" {
            json!("Şəki")
        } else if parameter["name"] == "near" {
            // Baku, by the Ganjlik metro station.
            json!("40.4093,49.8671")
        } else if parameter["name"] == "radius_km" {
            json!(5)
        } else if parameter["name"] == "bbox" {
            // Baku and the Absheron peninsula.
            json!("49.7,40.3,50.0,40.5")
        } else if let Some(first) = schema["enum"].get(0) {
            first.clone()
        } else if schema["format"] == "uuid" {
            json!(some_id)
        } else if schema["type"] == "integer" {
            schema.get("minimum").cloned().unwrap_or(json!(1))
        } else {
            panic!("{what}: no value for parameter {parameter}")
        };
        self.example_is_valid(what, &parameter["schema"], &value);
        match value {
            Value::String(s) => s,
            other => other.to_string(),
        }
    }
}

/// `s` percent-encoded for a query string (everything but the unreserved characters).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Bad queries of the single window's operations, each of which the service must answer with
/// 400: values outside the documented choices and ranges, a radius without its point, a box
/// of three numbers, a query of no words, a cursor the service never gave, a parameter the
/// operation does not take.
fn bad_window_queries(template: &str) -> Option<Vec<String>> {
    let long_q = format!("q={}", encode(&"Ş".repeat(201)));
    let filters = [
        "kind=opera",
        "region=AZ-XX",
        "economic_region=caspian",
        "status=open",
        "ownership=crown",
        "founded_from=old",
        "founded_to=1920.5",
        "near=north",
        "near=40.4093",
        "near=40.4093,east",
        "radius_km=5",
        "near=40.4093,49.8671&radius_km=0",
        "near=40.4093,49.8671&radius_km=1001",
        "near=40.4093,49.8671&radius_km=-5",
        "bbox=49.7,40.3,50.0",
        "bbox=49.7,40.3,50.0,40.5,1",
        "bbox=50.0,40.3,49.7,40.5",
        "q=%21%21%21",
        "q=%C2%AB%E2%80%94%C2%BB",
        "colour=red",
    ];
    let mut queries: Vec<String> = filters.iter().map(|q| q.to_string()).collect();
    queries.push(long_q);
    match template {
        // The reconciliation service's type-ahead and preview need what they look up.
        "/reconcile/suggest/entity"
        | "/reconcile/suggest/type"
        | "/reconcile/suggest/property"
        | "/reconcile/preview" => Some(vec![String::new()]),
        "/api/v1/entries" => {
            queries.extend(
                [
                    "limit=0",
                    "limit=1001",
                    "limit=ten",
                    "sort=popularity",
                    "cursor=forged",
                    "cursor=5b302c22222c226e6f742d616e2d6964225d",
                ]
                .map(String::from),
            );
            Some(queries)
        }
        "/api/v1/stats" => {
            queries.push("group_by=city".into());
            Some(queries)
        }
        "/api/v1/changes" => Some(
            [
                "since=-1",
                "since=latest",
                "limit=0",
                "limit=1001",
                "cursor=1",
                "colour=red",
            ]
            .map(String::from)
            .to_vec(),
        ),
        _ => None,
    }
}

/// A body of `value` padded with spaces past the test limit.
fn oversized(value: &Value) -> String {
    let mut text = value.to_string();
    text.insert_str(1, &" ".repeat(TEST_BODY_LIMIT + 1 - text.len()));
    text
}

/// Entries that let the walk provoke conflicts: referenced entries (409 on delete) and unique
/// values already taken. Returns collection template → key of a referenced entry.
fn conflict_setup(app: &TestApp) -> BTreeMap<String, String> {
    let numbered = registered;
    // Palace of Shaki Khans lies in the Yukhari Bash reserve.
    app.create(&numbered("RSV-000003"));
    app.create(&numbered("HER-000005"));
    // Ateshgah (world, architecture, inventory number 1) in its reserve.
    app.create(&numbered("RSV-000009"));
    app.create(&numbered("HER-000003"));
    // The Bulbul school is part of the Baku Music Academy.
    app.create(&numbered("SCH-000005"));
    app.create(&numbered("SCH-000001"));
    // A carpet held by the Carpet Museum (the fixtures hold no movable object).
    app.create(&numbered("MUS-000003"));
    app.create(&json!({
        "kind": "heritage_object", "category": "movable", "name": {"az": "Xalça", "en": "Carpet"},
        "region": "AZ-BA", "museum_id": "MUS-000003", "object_type": "carpet", "materials": ["wool"]
    }));
    // Branch links between real institutions, so that the parent cannot be deleted.
    app.create(&numbered("THR-000002"));
    let mut branch = numbered("THR-000003");
    branch["parent_id"] = json!("THR-000002");
    app.create(&branch);
    let mut library = numbered("LIB-000002");
    library["isil"] = json!("AZ-1001");
    app.create(&library);
    let mut branch = numbered("LIB-000003");
    branch["parent_id"] = json!("LIB-000002");
    app.create(&branch);
    BTreeMap::from([
        ("/api/v1/reserves".into(), "RSV-000003".into()),
        ("/api/v1/schools".into(), "SCH-000005".into()),
        ("/api/v1/museums".into(), "MUS-000003".into()),
        ("/api/v1/theatres".into(), "THR-000002".into()),
        ("/api/v1/libraries".into(), "LIB-000002".into()),
    ])
}

/// A PUT or PATCH body that takes a unique value another entry holds, where a collection has one.
fn taken_unique_value(collection: &str) -> Option<Value> {
    match collection {
        "/api/v1/heritage-objects" => Some(json!({"inventory_number": "1"})),
        // ISIL is unique ignoring case.
        "/api/v1/libraries" => Some(json!({"isil": "az-1001"})),
        _ => None,
    }
}

/// A CSV field, quoted.
fn csv_field(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `POST /api/v1/imports` in each documented body type, `GET /api/v1/imports/{id}`, undo, and
/// their documented errors. Uses theatres THR-000006… that nothing else in the walk registers.
/// `POST /oai` and `POST /reconcile`: the document's examples as a form (and, where the
/// operation takes one, as JSON) answer 200; an oversized form is a 413, a body of another type
/// a 415, a body that is not UTF-8 (or JSON that does not parse) a 400.
fn forms_phase(walk: &mut Walk<'_>, operations: &[(String, String)]) {
    const FORM: &str = "application/x-www-form-urlencoded";
    for template in ["/oai", "/reconcile"] {
        if !operations.contains(&("POST".to_string(), template.to_string())) {
            continue;
        }
        let (example, schema) = walk.api.request_example("POST", template, FORM);
        walk.example_is_valid(&format!("POST {template}"), &schema, &example);
        let form: Vec<String> = example
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v.as_str().unwrap())))
            .collect();
        let form = form.join("&");
        let reply = walk.send("POST", template, Some(FORM), Some(form.clone()), None);
        let reply = walk.valid("POST", template, "form example", reply);
        assert_eq!(reply.status, 200, "POST {template}: {}", reply.text);
        let takes_json = walk.api.operation("POST", template)["requestBody"]["content"]
            .get("application/json")
            .is_some();
        if takes_json {
            let (example, _) = walk
                .api
                .request_example("POST", template, "application/json");
            let reply = walk.send(
                "POST",
                template,
                Some("application/json"),
                Some(example.to_string()),
                None,
            );
            walk.valid("POST", template, "JSON example", reply);
        }
        let statuses = walk.api.statuses("POST", template);
        if statuses.contains(&413) {
            let big = format!("{form}&{}", "x".repeat(TEST_BODY_LIMIT));
            let reply = walk.send("POST", template, Some(FORM), Some(big), None);
            walk.error("POST", template, 413, "/problems/payload-too-large", reply);
        }
        if statuses.contains(&415) {
            let reply = walk.send("POST", template, Some("text/plain"), Some(form), None);
            walk.error(
                "POST",
                template,
                415,
                "/problems/unsupported-media-type",
                reply,
            );
        }
        if statuses.contains(&400) {
            let reply = if takes_json {
                let reply = walk.send(
                    "POST",
                    template,
                    Some("application/json"),
                    Some("{\n\"q0\": ".into()),
                    None,
                );
                walk.error("POST", template, 400, "/problems/malformed-json", reply)
            } else {
                let request = walk
                    .app
                    .http
                    .post(walk.app.url(template))
                    .header("content-type", FORM)
                    .body(b"verb=Identify&set=\xff".to_vec());
                let reply = walk.app.send(request);
                walk.error("POST", template, 400, "/problems/bad-request", reply)
            };
            if !reply.json["detail"].is_string() {
                walk.fail(format!(
                    "POST {template} 400 without a detail: {}",
                    reply.text
                ));
            }
        }
    }
}

fn imports_phase(walk: &mut Walk<'_>) {
    let app = walk.app;
    let post = "/api/v1/imports";
    let one = "/api/v1/imports/{id}";
    let undo = "/api/v1/imports/{id}/undo";
    let schema = walk.api.operation("POST", post)["requestBody"]["content"]["application/json"]
        ["schema"]
        .clone();

    // A real load of three theatres as a JSON array.
    let array = json!(["THR-000006", "THR-000007", "THR-000008"].map(registered));
    walk.example_is_valid("POST /api/v1/imports (JSON array)", &schema, &array);
    let reply = walk.send(
        "POST",
        &format!("{post}?filename=theatres.json"),
        Some("application/json"),
        Some(array.to_string()),
        None,
    );
    let reply = walk.valid("POST", post, "JSON array", reply);
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json["created"], 3, "{}", reply.text);
    let import_id = reply.json["import_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/imports/{import_id}"))
    );
    assert_eq!(app.register().get("THR-000007").unwrap().version, 1);

    // Dry runs of NDJSON and CSV, and of JSON with the other options.
    let ndjson: String = ["THR-000009", "THR-000010"]
        .map(|n| registered(n).to_string() + "\n")
        .concat();
    let reply = walk.send(
        "POST",
        &format!("{post}?dry_run=true"),
        Some("application/x-ndjson"),
        Some(ndjson),
        None,
    );
    let reply = walk.valid("POST", post, "NDJSON dry run", reply);
    assert_eq!(
        (reply.status, &reply.json["created"]),
        (200, &json!(2)),
        "{}",
        reply.text
    );
    let columns = [
        "registry_number",
        "name.az",
        "name.en",
        "region",
        "ownership",
        "theatre_type",
    ];
    let theatre = registered("THR-000011");
    let row: Vec<String> = columns
        .iter()
        .map(|c| {
            let pointer = format!("/{}", c.replace('.', "/"));
            csv_field(theatre.pointer(&pointer).unwrap_or(&Value::Null))
        })
        .collect();
    let csv = format!("{}\n{}\n", columns.join(","), row.join(","));
    let reply = walk.send(
        "POST",
        &format!("{post}?dry_run=true&kind=theatre"),
        Some("text/csv"),
        Some(csv),
        None,
    );
    let reply = walk.valid("POST", post, "CSV dry run", reply);
    assert_eq!(
        (reply.status, &reply.json["created"]),
        (200, &json!(1)),
        "{}",
        reply.text
    );
    let reply = walk.send(
        "POST",
        &format!("{post}?dry_run=true&mode=upsert&atomic=false"),
        Some("application/json"),
        Some(array.to_string()),
        None,
    );
    let reply = walk.valid("POST", post, "upsert dry run", reply);
    assert_eq!(
        (reply.status, &reply.json["unchanged"]),
        (200, &json!(3)),
        "{}",
        reply.text
    );

    // The recorded import, then its undo.
    let reply = walk.send("GET", &one.replace("{id}", &import_id), None, None, None);
    let reply = walk.valid("GET", one, "the import", reply);
    assert_eq!(reply.json["created"], 3, "{}", reply.text);
    let reply = walk.send("POST", &undo.replace("{id}", &import_id), None, None, None);
    let reply = walk.valid("POST", undo, "the import", reply);
    assert_eq!(reply.json["status"], "undone", "{}", reply.text);
    assert!(app.register().get("THR-000007").is_err());

    // Errors.
    let before = app.snapshot();
    let reply = walk.send(
        "POST",
        &format!("{post}?mode=sideways"),
        Some("application/json"),
        Some(array.to_string()),
        None,
    );
    walk.error("POST", post, 400, "/problems/bad-request", reply);
    let mut big = array.to_string();
    big.insert_str(1, &" ".repeat(TEST_IMPORT_LIMIT + 1 - big.len()));
    let reply = walk.send("POST", post, Some("application/json"), Some(big), None);
    walk.error("POST", post, 413, "/problems/payload-too-large", reply);
    let reply = walk.send(
        "POST",
        post,
        Some("text/plain"),
        Some(array.to_string()),
        None,
    );
    walk.error("POST", post, 415, "/problems/unsupported-media-type", reply);
    let mut bad = array.clone();
    bad[1]["region"] = json!("AZ-XX");
    let reply = walk.send(
        "POST",
        post,
        Some("application/json"),
        Some(bad.to_string()),
        None,
    );
    walk.error("POST", post, 422, "/problems/import-rejected", reply);
    let unknown = "01900000-0000-7000-8000-000000000000";
    let reply = walk.send("GET", &one.replace("{id}", unknown), None, None, None);
    walk.error("GET", one, 404, "/problems/not-found", reply);
    let reply = walk.send("POST", &undo.replace("{id}", unknown), None, None, None);
    walk.error("POST", undo, 404, "/problems/not-found", reply);
    if app.snapshot() != before {
        walk.fail("a refused import changed the register".into());
    }
    // An import whose entry changed since cannot be undone.
    let reply = app.send(
        app.http
            .post(app.url(post))
            .header("content-type", "application/json")
            .body(json!([registered("THR-000012")]).to_string()),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let second = reply.json["import_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let changed = app.patch(
        "/api/v1/theatres/THR-000012",
        &json!({"halls": 2}),
        Some(&app.etag_of("THR-000012")),
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    let reply = walk.send("POST", &undo.replace("{id}", &second), None, None, None);
    let reply = walk.error("POST", undo, 409, "/problems/changed-since-import", reply);
    assert_eq!(
        reply.json["changed"],
        json!(["THR-000012"]),
        "{}",
        reply.text
    );
}

#[test]
fn every_operation_answers_as_documented() {
    let api = Api::load();
    let operations = api.operations();
    assert!(operations.len() >= 43, "operations in the document");
    // Collections: paths with an item path `{collection}/{key}` beside them.
    let collections: BTreeSet<String> = operations
        .iter()
        .filter(|(_, t)| t.ends_with("/{key}") && t.starts_with("/api/v1/"))
        .filter(|(_, t)| !t.starts_with("/api/v1/entries"))
        .map(|(_, t)| collection_of(t))
        .filter(|c| api.doc["paths"].get(c).is_some())
        .collect();
    assert_eq!(collections.len(), 6, "{collections:?}");
    // The operations this walk knows how to call; any other one fails the test below.
    let known = |method: &str, template: &str| -> bool {
        let item = template.ends_with("/{key}") && collections.contains(&collection_of(template));
        match method {
            "POST" => {
                collections.contains(template)
                    || template == "/api/v1/imports"
                    || template == "/api/v1/imports/{id}/undo"
            }
            "PUT" | "PATCH" | "DELETE" => item,
            "GET" => {
                !template.contains('{')
                    || item
                    || template.starts_with("/api/v1/entries/{key}")
                    || template.starts_with("/ogc/collections/")
                    || template == "/api/v1/imports/{id}"
            }
            _ => false,
        }
    };
    // Mismatches of every backend, reported together at the end.
    let found: RefCell<Vec<String>> = RefCell::new(Vec::new());
    each_backend(|app| {
        let referenced = conflict_setup(app);
        let mut walk = Walk {
            app,
            api: &api,
            failures: Vec::new(),
            exercised: BTreeSet::new(),
            provoked: BTreeSet::new(),
        };
        let of = |m: &str| -> Vec<String> {
            operations
                .iter()
                .filter(|(method, t)| {
                    method == m
                        && known(method, t)
                        && !(t.starts_with("/api/v1/imports") && (m == "POST" || t.contains('{')))
                })
                .map(|(_, t)| t.clone())
                .collect()
        };

        // POST: the document's own example of each collection.
        let mut created: BTreeMap<String, Value> = BTreeMap::new();
        for template in of("POST") {
            let (example, schema) = api.request_example("POST", &template, "application/json");
            walk.example_is_valid(&format!("POST {template}"), &schema, &example);
            let reply = walk.send(
                "POST",
                &template,
                Some("application/json"),
                Some(example.to_string()),
                None,
            );
            let reply = walk.valid("POST", &template, "example", reply);
            assert_eq!(reply.status, 201, "POST {template}: {}", reply.text);
            created.insert(template.clone(), reply.json["entry"].clone());
        }
        let museum = created["/api/v1/museums"].clone();
        let museum_id = museum["id"].as_str().unwrap().to_string();
        let museum_number = museum["registry_number"].as_str().unwrap().to_string();

        // GET: lists with no filter and with each documented parameter; entries by id and by
        // registry number; history; the service documents.
        for template in of("GET") {
            let op = api.operation("GET", &template).clone();
            if let Some(items) = template
                .strip_prefix("/ogc/collections/")
                .and_then(|t| t.strip_suffix("/items/{key}"))
            {
                // A feature of the map layer, by id and by registry number.
                let entry = &created[&format!("/api/v1/{items}")];
                for key in [&entry["id"], &entry["registry_number"]] {
                    let path = path_of(&template, key.as_str().unwrap());
                    let reply = walk.send("GET", &path, None, None, None);
                    walk.valid("GET", &template, &path, reply);
                }
            } else if template.ends_with("/{key}") && !template.starts_with("/api/v1/entries") {
                let entry = &created[&collection_of(&template)];
                for key in [&entry["id"], &entry["registry_number"]] {
                    let path = path_of(&template, key.as_str().unwrap());
                    let reply = walk.send("GET", &path, None, None, None);
                    walk.valid("GET", &template, &path, reply);
                }
            } else if template.starts_with("/api/v1/entries/") {
                for key in [&museum_id, &museum_number] {
                    let path = path_of(&template, key);
                    let reply = walk.send("GET", &path, None, None, None);
                    walk.valid("GET", &template, &path, reply);
                }
            } else {
                let some_id = created
                    .get(&template)
                    .map(|e| e["id"].as_str().unwrap().to_string())
                    .unwrap_or_default();
                let parameters: Vec<Value> = op["parameters"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|p| api.deref(p).clone())
                    .filter(|p| p["in"] == "query")
                    .collect();
                // Required parameters in every request; then each optional one added.
                let mut base = Vec::new();
                for p in parameters.iter().filter(|p| p["required"] == true) {
                    let value = walk.parameter_value(&template, p, &some_id);
                    base.push(format!("{}={value}", p["name"].as_str().unwrap()));
                }
                let with = |extra: &[String]| {
                    let all: Vec<String> = base.iter().chain(extra).cloned().collect();
                    if all.is_empty() {
                        template.clone()
                    } else {
                        format!("{template}?{}", all.join("&"))
                    }
                };
                let path = with(&[]);
                let reply = walk.send("GET", &path, None, None, None);
                walk.valid("GET", &template, &path, reply);
                let optional: Vec<&Value> = parameters
                    .iter()
                    .filter(|p| p["required"] != true)
                    .collect();
                for p in &optional {
                    let name = p["name"].as_str().unwrap();
                    let schema = api.deref(&p["schema"]);
                    let mut values = Vec::new();
                    if name == "cursor" && schema["format"] != "uuid" {
                        // An opaque cursor: the one the service hands out after a first page.
                        let first = walk.send("GET", &with(&["limit=1".into()]), None, None, None);
                        let first = walk.valid("GET", &template, "a first page of one", first);
                        match first.json["next_cursor"].as_str() {
                            Some(c) => values.push(c.to_string()),
                            None => walk.fail(format!(
                                "GET {template}?limit=1: no next_cursor: {}",
                                first.text
                            )),
                        }
                        if p.get("example").is_some() {
                            values.push(walk.parameter_value(&template, p, &some_id));
                        }
                    } else {
                        values.push(walk.parameter_value(&template, p, &some_id));
                        // Every other value offered, where there are few (not the 78 regions).
                        if let Some(all) = schema["enum"].as_array().filter(|a| a.len() <= 8) {
                            for v in all {
                                let v = match v {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                };
                                if !values.contains(&v) {
                                    values.push(v);
                                }
                            }
                        }
                    }
                    for value in values {
                        let mut extra = vec![format!("{name}={}", encode(&value))];
                        // A radius is around a point.
                        if name == "radius_km" {
                            let near = optional
                                .iter()
                                .find(|o| o["name"] == "near")
                                .unwrap_or_else(|| panic!("{template}: radius_km without near"));
                            let point = walk.parameter_value(&template, near, &some_id);
                            extra.push(format!("near={}", encode(&point)));
                        }
                        let path = with(&extra);
                        let reply = walk.send("GET", &path, None, None, None);
                        walk.valid("GET", &template, &path, reply);
                    }
                }
                // A point and a box around Ateshgah, which has real coordinates: answers with
                // something in them.
                if template == "/api/v1/entries" || template == "/api/v1/stats" {
                    for query in [
                        "near=40.415278%2C50.008611&radius_km=1",
                        "bbox=50.0%2C40.4%2C50.1%2C40.5&q=Atəşgah",
                    ] {
                        let path = with(&[query.to_string()]);
                        let reply = walk.send("GET", &path, None, None, None);
                        let reply = walk.valid("GET", &template, &path, reply);
                        let found = reply.json["items"]
                            .as_array()
                            .map(Vec::len)
                            .or(reply.json["total"]["count"].as_u64().map(|n| n as usize));
                        if found != Some(1) {
                            walk.fail(format!("GET {path}: not Ateshgah alone: {}", reply.text));
                        }
                    }
                }
                // Every other value of a required choice (with the optional `kind`, which a
                // one-kind format such as CSV needs).
                for p in parameters.iter().filter(|p| p["required"] == true) {
                    let name = p["name"].as_str().unwrap();
                    let values = api.deref(&p["schema"])["enum"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    for value in values.iter().skip(1) {
                        let mut query = vec![format!("{name}={}", value.as_str().unwrap())];
                        if let Some(kind) = optional.iter().find(|o| o["name"] == "kind") {
                            let kind = walk.parameter_value(&template, kind, &some_id);
                            query.push(format!("kind={kind}"));
                        }
                        let path = format!("{template}?{}", query.join("&"));
                        let reply = walk.send("GET", &path, None, None, None);
                        walk.valid("GET", &template, &path, reply);
                    }
                }
            }
        }

        // PUT: the document's example back over the entry made from it, with the current ETag.
        for template in of("PUT") {
            let (example, schema) = api.request_example("PUT", &template, "application/json");
            walk.example_is_valid(&format!("PUT {template}"), &schema, &example);
            let entry = &created[&collection_of(&template)];
            let path = path_of(&template, entry["id"].as_str().unwrap());
            let tag = app.get(&path).header("etag");
            let reply = walk.send(
                "PUT",
                &path,
                Some("application/json"),
                Some(example.to_string()),
                tag.as_deref(),
            );
            walk.valid("PUT", &template, "example", reply);
        }

        // PATCH: the document's example, with the current ETag.
        for template in of("PATCH") {
            let (example, schema) =
                api.request_example("PATCH", &template, "application/merge-patch+json");
            walk.example_is_valid(&format!("PATCH {template}"), &schema, &example);
            let entry = &created[&collection_of(&template)];
            let path = path_of(&template, entry["registry_number"].as_str().unwrap());
            let tag = app.get(&path).header("etag");
            let reply = walk.send(
                "PATCH",
                &path,
                Some("application/merge-patch+json"),
                Some(example.to_string()),
                tag.as_deref(),
            );
            walk.valid("PATCH", &template, "example", reply);
        }

        // The standards' reads sent as a form (OAI-PMH, reconciliation), when documented.
        forms_phase(&mut walk, &operations);

        // Bulk loads, when the document has them.
        if operations
            .iter()
            .any(|(_, t)| t.starts_with("/api/v1/imports"))
        {
            imports_phase(&mut walk);
        }

        // The documented errors that a client can provoke, before anything is deleted.
        let before = app.snapshot();
        let unknown = "01900000-0000-7000-8000-000000000000";
        for (method, template) in &operations {
            let (method, template) = (method.as_str(), template.as_str());
            if !known(method, template)
                || (template.starts_with("/api/v1/imports") && template != "/api/v1/imports")
                || (template == "/api/v1/imports" && method == "POST")
            {
                continue;
            }
            let collection = collection_of(template);
            let entry = created.get(&collection);
            let body_content_type = match method {
                "PATCH" => "application/merge-patch+json",
                _ => "application/json",
            };
            let example = match method {
                "POST" | "PUT" | "PATCH" => {
                    Some(api.request_example(method, template, body_content_type).0)
                }
                _ => None,
            };
            let own_path = entry.map(|e| path_of(template, e["id"].as_str().unwrap()));
            for status in api.statuses(method, template) {
                match (status, method) {
                    (400, "GET") => {
                        // A required choice with a value not offered, or a page of no entries.
                        let required = api.operation(method, template)["parameters"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default()
                            .iter()
                            .map(|p| api.deref(p).clone())
                            .find(|p| p["in"] == "query" && p["required"] == true);
                        let paths = match (required, bad_window_queries(template)) {
                            (_, Some(queries)) => {
                                queries.iter().map(|q| format!("{template}?{q}")).collect()
                            }
                            (Some(p), None) => {
                                vec![format!("{template}?{}=xml", p["name"].as_str().unwrap())]
                            }
                            (None, None) => vec![format!("{template}?limit=0")],
                        };
                        for path in paths {
                            let reply = walk.send("GET", &path, None, None, None);
                            let reply =
                                walk.error(method, template, 400, "/problems/bad-request", reply);
                            if reply.status != 400 {
                                walk.fail(format!("GET {path}: {}", reply.text));
                            }
                        }
                    }
                    (400, "DELETE") => {
                        // An If-Match that is not text.
                        let reply = walk.send_bare(
                            method,
                            own_path.as_ref().unwrap(),
                            None,
                            Some(b"\"\xff\""),
                        );
                        walk.error(method, template, 400, "/problems/bad-request", reply);
                    }
                    (428, _) => {
                        let body = example.as_ref().map(|e| (body_content_type, e.to_string()));
                        let reply = walk.send_bare(method, own_path.as_ref().unwrap(), body, None);
                        let reply = walk.error(
                            method,
                            template,
                            428,
                            "/problems/precondition-required",
                            reply,
                        );
                        if !reply.json["detail"]
                            .as_str()
                            .is_some_and(|d| d.contains("ETag"))
                        {
                            walk.fail(format!("{method} {template} 428: {}", reply.text));
                        }
                    }
                    (400, _) => {
                        let path = own_path.clone().unwrap_or(template.to_string());
                        let reply = walk.send(
                            method,
                            &path,
                            Some(body_content_type),
                            Some("{\n\"name\": ".into()),
                            None,
                        );
                        walk.error(method, template, 400, "/problems/malformed-json", reply);
                    }
                    (404, _) => {
                        let path = if template.ends_with("{version}") {
                            template
                                .replace("{key}", &museum_id)
                                .replace("{version}", "999")
                        } else if template == "/reconcile/preview" {
                            format!("{template}?id={unknown}")
                        } else {
                            path_of(template, unknown)
                        };
                        let reply = walk.send(
                            method,
                            &path,
                            example.as_ref().map(|_| body_content_type),
                            example.as_ref().map(Value::to_string),
                            None,
                        );
                        walk.error(method, template, 404, "/problems/not-found", reply);
                    }
                    (409, "POST") => {
                        let mut body = example.clone().unwrap();
                        body["registry_number"] = entry.unwrap()["registry_number"].clone();
                        let reply = walk.send(
                            method,
                            template,
                            Some("application/json"),
                            Some(body.to_string()),
                            None,
                        );
                        walk.error(method, template, 409, "/problems/duplicate", reply);
                    }
                    (409, "DELETE") => {
                        if let Some(key) = referenced.get(&collection) {
                            let reply =
                                walk.send(method, &path_of(template, key), None, None, None);
                            walk.error(method, template, 409, "/problems/referenced", reply);
                        }
                    }
                    (409, _) => {
                        if let Some(taken) = taken_unique_value(&collection) {
                            let body = if method == "PUT" {
                                let mut full = example.clone().unwrap();
                                full.as_object_mut()
                                    .unwrap()
                                    .extend(taken.as_object().unwrap().clone());
                                full
                            } else {
                                taken
                            };
                            let reply = walk.send(
                                method,
                                own_path.as_ref().unwrap(),
                                Some(body_content_type),
                                Some(body.to_string()),
                                None,
                            );
                            walk.error(method, template, 409, "/problems/duplicate", reply);
                        }
                    }
                    (412, _) => {
                        let reply = walk.send(
                            method,
                            own_path.as_ref().unwrap(),
                            example.as_ref().map(|_| body_content_type),
                            example.as_ref().map(Value::to_string),
                            Some("\"999\""),
                        );
                        walk.error(method, template, 412, "/problems/version-mismatch", reply);
                    }
                    (413, _) => {
                        let path = own_path.clone().unwrap_or(template.to_string());
                        let body = oversized(example.as_ref().unwrap());
                        let reply =
                            walk.send(method, &path, Some(body_content_type), Some(body), None);
                        walk.error(method, template, 413, "/problems/payload-too-large", reply);
                    }
                    (415, _) => {
                        let path = own_path.clone().unwrap_or(template.to_string());
                        let reply = walk.send(
                            method,
                            &path,
                            Some("text/plain"),
                            example.as_ref().map(Value::to_string),
                            None,
                        );
                        walk.error(
                            method,
                            template,
                            415,
                            "/problems/unsupported-media-type",
                            reply,
                        );
                    }
                    (422, _) => {
                        let path = own_path.clone().unwrap_or(template.to_string());
                        let body = if method == "PATCH" {
                            json!({"region": "AZ-XX"})
                        } else {
                            let mut full = example.clone().unwrap();
                            full["region"] = json!("AZ-XX");
                            full
                        };
                        let reply = walk.send(
                            method,
                            &path,
                            Some(body_content_type),
                            Some(body.to_string()),
                            None,
                        );
                        let reply =
                            walk.error(method, template, 422, "/problems/validation", reply);
                        // Only the bad region is an error.
                        if error_pairs(&reply.json) != pairs(&[("/region", "not_in_vocabulary")]) {
                            walk.fail(format!("{method} {template}: 422 lists {}", reply.text));
                        }
                    }
                    _ => {}
                }
            }
        }
        // 401 and 403: refused before anything is read or written, on every operation that
        // documents them.
        for (method, template) in &operations {
            let (method, template) = (method.as_str(), template.as_str());
            let statuses = api.statuses(method, template);
            let path = template
                .replace("{key}", "THR-000001")
                .replace("{id}", unknown)
                .replace("{version}", "1");
            let (content_type, body) = match method {
                "PATCH" => (Some("application/merge-patch+json"), Some("{}".to_string())),
                "POST" | "PUT" => (Some("application/json"), Some("{}".to_string())),
                _ => (None, None),
            };
            if statuses.contains(&401) {
                let reply = walk.send_as(
                    Some("Bearer ucr_not-a-token"),
                    method,
                    &path,
                    content_type,
                    body.clone(),
                );
                if reply.header("www-authenticate").is_none() {
                    walk.fail(format!("{method} {template}: 401 without WWW-Authenticate"));
                }
                walk.error(method, template, 401, "/problems/unauthorized", reply);
            }
            if statuses.contains(&403) {
                let description = api.operation(method, template)["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let lower = if description.contains("role admin") {
                    ucr_core::Role::Clerk
                } else {
                    ucr_core::Role::Reader
                };
                let auth = format!("Bearer {}", app.tokens[&lower]);
                let reply = walk.send_as(Some(&auth), method, &path, content_type, body);
                walk.error(method, template, 403, "/problems/forbidden", reply);
            }
        }

        if app.snapshot() != before {
            walk.fail("a provoked error changed the register".into());
        }

        // DELETE last, with the current ETag; the history stays readable.
        for template in of("DELETE") {
            let entry = &created[&collection_of(&template)];
            let id = entry["id"].as_str().unwrap();
            let path = path_of(&template, id);
            let tag = app.get(&path).header("etag");
            let reply = walk.send("DELETE", &path, None, None, tag.as_deref());
            let reply = walk.valid("DELETE", &template, "current ETag", reply);
            assert_eq!(reply.status, 204);
            let history = app.get(&format!("/api/v1/entries/{id}/history"));
            walk.check(
                "GET",
                "/api/v1/entries/{key}/history",
                "deleted entry",
                &history,
            );
            assert_eq!(history.status, 200);
        }

        // Every operation was called with valid data.
        let missed: Vec<String> = operations
            .iter()
            .filter(|op| !walk.exercised.contains(*op))
            .map(|(m, t)| format!("{m} {t}"))
            .collect();
        assert_eq!(
            missed,
            Vec::<String>::new(),
            "operations the walk did not call"
        );
        assert_eq!(walk.exercised.len(), operations.len());
        // Every documented error was provoked, except those no client can cause here.
        let mut not_provoked = Vec::new();
        for (method, template) in &operations {
            for status in api.statuses(method, template) {
                if status >= 400
                    && !walk
                        .provoked
                        .contains(&(method.clone(), template.clone(), status))
                {
                    not_provoked.push(format!("{method} {template} {status}"));
                }
            }
        }
        let unprovokable: Vec<String> = not_provoked
            .iter()
            .filter(|s| {
                s.ends_with(" 503")
                    // Only a read-only server (on a replica) answers 421: tests/standby.rs.
                    || s.ends_with(" 421")
                    || s.as_str() == "DELETE /api/v1/heritage-objects/{key} 409"
                    || ["theatres", "museums", "reserves", "schools"]
                        .iter()
                        .any(|c| {
                            s.as_str() == format!("PUT /api/v1/{c}/{{key}} 409")
                                || s.as_str() == format!("PATCH /api/v1/{c}/{{key}} 409")
                        })
            })
            .cloned()
            .collect();
        assert_eq!(not_provoked, unprovokable, "documented errors not provoked");
        assert!(walk.provoked.len() > 100, "{}", walk.provoked.len());

        found.borrow_mut().extend(walk.failures);
    });
    let found = found.into_inner();
    assert!(
        found.is_empty(),
        "{} mismatch(es) with the document:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_validator_is_not_vacuous() {
    let api = Api::load();
    let theatre = json!({"$ref": "#/components/schemas/Theatre"});
    let entry = json!({
        "id": "01900000-0000-7000-8000-000000000000", "kind": "theatre", "registry_number": "THR-000001",
        "name": {"az": "Teatr"}, "status": "active", "region": "AZ-BA", "ownership": "state",
        "theatre_type": "drama", "version": 1,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
    });
    assert_eq!(api.errors(&theatre, &entry), Vec::<String>::new());
    for (pointer, bad) in [
        ("/seats", json!(0)),
        ("/region", json!("AZ-XX")),
        ("/nickname", json!("x")),
        ("/id", json!("not-a-uuid")),
        ("/name/fr", json!("x")),
        ("/kind", json!("museum")),
    ] {
        let mut wrong = entry.clone();
        let (parent, member) = pointer.rsplit_once('/').unwrap();
        wrong
            .pointer_mut(if parent.is_empty() { "" } else { parent })
            .unwrap()[member] = bad;
        assert!(!api.errors(&theatre, &wrong).is_empty(), "{pointer} passed");
    }
    // Through a oneOf of the whole register, and through the problem schema.
    assert!(api
        .errors(&json!({"$ref": "#/components/schemas/Entry"}), &entry)
        .is_empty());
    assert!(!api
        .errors(
            &json!({"$ref": "#/components/schemas/Entry"}),
            &json!({"kind": "theatre"})
        )
        .is_empty());
    assert!(!api
        .errors(
            &json!({"$ref": "#/components/schemas/ProblemDetails"}),
            &json!({"type": 1})
        )
        .is_empty());
}

#[test]
fn documents_and_service_endpoints() {
    each_backend(|app| {
        let doc = app.get("/openapi.json");
        assert_eq!(doc.status, 200);
        assert_eq!(
            essence(&doc.header("content-type").unwrap()),
            "application/json"
        );
        assert_eq!(
            doc.text, DOCUMENT,
            "GET /openapi.json is the committed file"
        );
        assert_eq!(doc.json["openapi"], "3.1.0");

        let no_redirects = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let redirect = Reply::from(no_redirects.get(app.url("/docs")).send().unwrap());
        assert!(
            [301, 302, 307, 308].contains(&redirect.status),
            "{}",
            redirect.status
        );
        assert_eq!(redirect.header("location").as_deref(), Some("/docs/"));

        let page = app.get("/docs/");
        assert_eq!(page.status, 200);
        assert_eq!(essence(&page.header("content-type").unwrap()), "text/html");
        assert!(page.text.contains("<html") || page.text.contains("<!DOCTYPE html"));
        assert!(
            page.text.contains("swagger-initializer.js"),
            "{}",
            page.text
        );
        let init = app.get("/docs/swagger-initializer.js");
        assert_eq!(init.status, 200);
        assert!(
            init.text.contains("\"/openapi.json\"") || init.text.contains("'/openapi.json'"),
            "{}",
            init.text
        );
        // The viewer's assets are served, not fetched from elsewhere.
        for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js"] {
            let reply = app.get(asset);
            assert_eq!(reply.status, 200, "{asset}");
            assert!(reply.text.len() > 1000, "{asset}");
        }
        assert!(
            !page.text.contains("https://"),
            "the viewer loads nothing from the internet"
        );

        let health = app.get("/health");
        assert_eq!(health.status, 200);
        assert_eq!(health.json, json!({"status": "ok"}));
        let ready = app.get("/ready");
        assert_eq!(ready.status, 200);
        assert_eq!(ready.json, json!({"status": "ready"}));

        // The vocabularies list what the rules accept.
        let vocab = app.get("/api/v1/vocabularies");
        assert_eq!(vocab.status, 200);
        assert_eq!(vocab.json["regions"].as_array().unwrap().len(), 78);
        assert_eq!(vocab.json["economic_regions"].as_array().unwrap().len(), 14);
        assert_eq!(
            vocab.json["kinds"],
            json!([
                "theatre",
                "library",
                "museum",
                "reserve",
                "school",
                "heritage_object"
            ])
        );
    });
}

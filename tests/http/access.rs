//! Access control (SPEC §6 "Access"), black-box: every operation of the committed OpenAPI
//! document × every kind of caller answers exactly the status of the table in [`expected`];
//! refusals write nothing; allowed writes record the token's name as their actor; a private
//! register refuses anonymous reads; anonymous callers never see `head`, anywhere.

use crate::*;
use reqwest::header::AUTHORIZATION;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use ucr_core::testing::Scratch;
use ucr_core::Role;

/// The committed document: the operations the matrix must cover, all of them.
const OPENAPI: &str = include_str!("../../openapi/openapi.json");

/// A kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// No `Authorization` header.
    Anonymous,
    Reader,
    Clerk,
    Admin,
    /// An admin token that worked, then was revoked.
    Revoked,
    /// `Bearer nonsense`.
    Garbage,
    /// `Basic xyz`: not a bearer token at all.
    NotBearer,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Reader,
    Who::Clerk,
    Who::Admin,
    Who::Revoked,
    Who::Garbage,
    Who::NotBearer,
];

/// Name of the revoked token.
const REVOKED_NAME: &str = "revoked-admin";

impl Who {
    /// The token's name: the actor its writes must record.
    fn name(self) -> &'static str {
        match self {
            Who::Reader => "reader-test",
            Who::Clerk => "clerk-test",
            Who::Admin => "admin-test",
            Who::Revoked => REVOKED_NAME,
            Who::Anonymous | Who::Garbage | Who::NotBearer => "-",
        }
    }

    /// The `Authorization` header this caller sends.
    fn authorization(self, app: &TestApp, revoked: &str) -> Option<String> {
        match self {
            Who::Anonymous => None,
            Who::Reader => Some(format!("Bearer {}", app.tokens[&Role::Reader])),
            Who::Clerk => Some(format!("Bearer {}", app.tokens[&Role::Clerk])),
            Who::Admin => Some(format!("Bearer {}", app.tokens[&Role::Admin])),
            Who::Revoked => Some(format!("Bearer {revoked}")),
            Who::Garbage => Some("Bearer nonsense".to_string()),
            Who::NotBearer => Some("Basic xyz".to_string()),
        }
    }
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Probes and documents (no `security` in the document): everyone.
    Open,
    /// Register reads: anonymous callers when the register is public; every token.
    Read,
    /// A token of this role or above.
    Token(Role),
}

/// The rule of each operation, written out: an operation added to the document without a rule
/// here fails the matrix.
fn rule(method: &str, template: &str) -> Rule {
    let in_collection = |member: bool| {
        COLLECTIONS.iter().any(|c| {
            let path = format!("/api/v1/{c}");
            template
                == if member {
                    format!("{path}/{{key}}")
                } else {
                    path
                }
        })
    };
    match (method, template) {
        ("GET", "/health" | "/ready" | "/openapi.json" | "/api/v1/vocabularies") => Rule::Open,
        ("GET", "/ld/context.jsonld") => Rule::Open,
        ("GET", t) if t.starts_with("/ogc") => Rule::Read,
        (
            "GET",
            "/api/v1/entries/{key}"
            | "/api/v1/entries/{key}/history"
            | "/api/v1/entries/{key}/history/{version}"
            | "/api/v1/export"
            | "/api/v1/entries"
            | "/api/v1/changes"
            | "/api/v1/stats"
            | "/oai"
            | "/reconcile"
            | "/reconcile/suggest/entity"
            | "/reconcile/suggest/type"
            | "/reconcile/suggest/property"
            | "/reconcile/propose_properties"
            | "/reconcile/preview",
        ) => Rule::Read,
        // The standards' form POSTs are reads.
        ("POST", "/oai" | "/reconcile") => Rule::Read,
        ("GET", "/api/v1/imports" | "/api/v1/imports/{id}") => Rule::Token(Role::Reader),
        ("POST", "/api/v1/imports") => Rule::Token(Role::Clerk),
        ("POST", "/api/v1/imports/{id}/undo") => Rule::Token(Role::Admin),
        ("GET", _) if in_collection(false) || in_collection(true) => Rule::Read,
        ("POST", _) if in_collection(false) => Rule::Token(Role::Clerk),
        ("PUT" | "PATCH", _) if in_collection(true) => Rule::Token(Role::Clerk),
        ("DELETE", _) if in_collection(true) => Rule::Token(Role::Admin),
        _ => panic!("no access rule written for {method} {template}: add it to `rule`"),
    }
}

/// The status of an allowed call made by [`prepare`].
fn success(method: &str, template: &str) -> u16 {
    match (method, template) {
        ("POST", "/api/v1/imports/{id}/undo" | "/oai" | "/reconcile") => 200,
        ("POST", _) => 201,
        ("DELETE", _) => 204,
        _ => 200,
    }
}

/// The expected status of every cell: the table of the rules of SPEC §6 "Access".
fn expected(method: &str, template: &str, who: Who, public_read: bool) -> u16 {
    let ok = success(method, template);
    let anonymous_read = if public_read { ok } else { 401 };
    // Columns: anonymous, reader, clerk, admin.
    let row: [u16; 4] = match rule(method, template) {
        Rule::Open => [ok, ok, ok, ok],
        Rule::Read => [anonymous_read, ok, ok, ok],
        Rule::Token(Role::Reader) => [401, ok, ok, ok],
        Rule::Token(Role::Clerk) => [401, 403, ok, ok],
        Rule::Token(Role::Admin) => [401, 403, 403, ok],
    };
    match who {
        Who::Anonymous => row[0],
        Who::Reader => row[1],
        Who::Clerk => row[2],
        Who::Admin => row[3],
        // A token that is not a valid one is refused on every operation of the API — reads
        // and vocabularies too: a client learns at once that its token is dead instead of
        // carrying on as an anonymous caller. The service's probes and its document
        // (/health, /ready, /openapi.json) ignore credentials.
        Who::Revoked | Who::Garbage | Who::NotBearer => {
            if template.starts_with("/api/v1")
                || template.starts_with("/reconcile")
                || template == "/oai"
                || template.starts_with("/ogc")
            {
                401
            } else {
                ok
            }
        }
    }
}

/// Requests beyond one per operation: rules that depend on the request, not the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// The plain, valid request of the operation.
    Plain,
    /// `POST /api/v1/imports?dry_run=true`: writes nothing, still needs a clerk.
    DryRun,
    /// A closed entry PATCHed back to this status: only an admin reinstates.
    ReinstateByPatch(&'static str),
    /// A closed entry replaced by an active one.
    ReinstateByPut,
}

/// Expected status of the variants (the plain requests follow [`expected`]).
fn expected_variant(variant: Variant, who: Who) -> u16 {
    // Columns: anonymous, reader, clerk, admin.
    let row: [u16; 4] = match variant {
        Variant::Plain => unreachable!("plain requests follow `expected`"),
        Variant::DryRun => [401, 403, 200, 200],
        Variant::ReinstateByPatch(_) | Variant::ReinstateByPut => [401, 403, 403, 200],
    };
    match who {
        Who::Anonymous => row[0],
        Who::Reader => row[1],
        Who::Clerk => row[2],
        Who::Admin => row[3],
        Who::Revoked | Who::Garbage | Who::NotBearer => 401,
    }
}

/// Every (method, path template) of the committed document.
fn operations() -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let m = method.to_ascii_uppercase();
            if [
                "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
            ]
            .contains(&m.as_str())
            {
                ops.push((m, path.clone()));
            }
        }
    }
    ops
}

/// The number of operations in the document, counted on its own.
fn document_operation_count() -> usize {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters" && *k != "summary" && *k != "description")
                .count()
        })
        .sum()
}

/// The kind stored in a collection.
fn kind_of(collection_name: &str) -> &'static str {
    [
        "theatre",
        "library",
        "museum",
        "reserve",
        "school",
        "heritage_object",
    ]
    .into_iter()
    .find(|k| collection(k) == collection_name)
    .unwrap()
}

/// The collection of a template, and whether it names one member (`/{key}`).
fn collection_of(template: &str) -> Option<(&'static str, bool)> {
    COLLECTIONS.iter().find_map(|c| {
        let path = format!("/api/v1/{c}");
        if template == path {
            Some((*c, false))
        } else if template == format!("{path}/{{key}}") {
            Some((*c, true))
        } else {
            None
        }
    })
}

/// What the matrix stores before it starts.
struct World {
    /// The revoked token.
    revoked: String,
    /// One entry per collection: (collection, id, registry number).
    base: Vec<(&'static str, String, String)>,
    /// A committed import.
    import_id: String,
}

impl World {
    fn build(app: &TestApp) -> World {
        let revoked = app
            .register()
            .create_token(REVOKED_NAME, Role::Admin)
            .unwrap();
        // It worked before it was revoked: the 401s below are the revocation's doing.
        let before = call(
            app,
            Some(format!("Bearer {revoked}").as_str()),
            Method::GET,
            "/api/v1/imports",
            None,
        );
        assert_eq!(before.status, 200, "{}", before.text);
        app.register().revoke_token(REVOKED_NAME).unwrap();
        let base = COLLECTIONS
            .iter()
            .map(|c| {
                let entry = app.create(&fixture(kind_of(c), None));
                (
                    *c,
                    entry["id"].as_str().unwrap().to_string(),
                    entry["registry_number"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        World {
            revoked,
            base,
            import_id: import_by_admin(app),
        }
    }

    fn base(&self, collection_name: &str) -> (&str, &str) {
        let (_, id, number) = self
            .base
            .iter()
            .find(|(c, _, _)| *c == collection_name)
            .unwrap();
        (id, number)
    }
}

/// One theatre as an import body.
fn import_body() -> String {
    json!([fixture("theatre", None)]).to_string()
}

/// A committed import of one theatre, by the admin; its id.
fn import_by_admin(app: &TestApp) -> String {
    let reply = app.send(
        app.http
            .post(app.url("/api/v1/imports"))
            .header("content-type", "application/json")
            .body(import_body()),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json["import_id"].as_str().unwrap().to_string()
}

/// A stored theatre, closed by the admin; its id.
fn closed_theatre(app: &TestApp) -> String {
    let id = app.create(&fixture("theatre", None))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = app.patch(
        &format!("/api/v1/theatres/{id}"),
        &json!({"status": "closed", "closed_on": "2021-05-01"}),
        Some("\"1\""),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    id
}

/// What a successful call must have recorded, with the token's name as actor.
enum Recorded {
    /// Nothing (a read, a dry run).
    Nothing,
    /// A revision of this entry.
    Revision(String),
    /// A revision of the entry the reply holds.
    NewEntry,
    /// The import the reply names, and revisions of its entries.
    Import,
    /// The undo of this import.
    Undo(String),
}

/// One prepared request.
struct Call {
    method: Method,
    path: String,
    body: Option<(&'static str, String)>,
    recorded: Recorded,
}

impl Call {
    fn read(path: impl Into<String>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            body: None,
            recorded: Recorded::Nothing,
        }
    }
}

/// A valid request of the operation (storing what it needs first), as an allowed caller would
/// send it.
fn prepare(app: &TestApp, world: &World, method: &str, template: &str, variant: Variant) -> Call {
    match variant {
        Variant::Plain => {}
        Variant::DryRun => {
            return Call {
                method: Method::POST,
                path: "/api/v1/imports?dry_run=true".into(),
                body: Some(("application/json", import_body())),
                recorded: Recorded::Nothing,
            }
        }
        Variant::ReinstateByPatch(status) => {
            let id = closed_theatre(app);
            return Call {
                method: Method::PATCH,
                path: format!("/api/v1/theatres/{id}"),
                body: Some((
                    "application/merge-patch+json",
                    json!({"status": status, "closed_on": null}).to_string(),
                )),
                recorded: Recorded::Revision(id),
            };
        }
        Variant::ReinstateByPut => {
            let id = closed_theatre(app);
            return Call {
                method: Method::PUT,
                path: format!("/api/v1/theatres/{id}"),
                body: Some(("application/json", fixture("theatre", None).to_string())),
                recorded: Recorded::Revision(id),
            };
        }
    }
    let (theatre, theatre_number) = world.base("theatres");
    match (method, template) {
        ("GET", "/health" | "/ready" | "/openapi.json" | "/api/v1/vocabularies") => {
            Call::read(template)
        }
        ("GET", "/ld/context.jsonld" | "/ogc" | "/ogc/conformance" | "/ogc/collections") => {
            Call::read(template)
        }
        ("GET", t) if t.starts_with("/ogc/collections/") => {
            // `/ogc/collections/{c}…/{key}`: the collection's own entry.
            let c = t.split('/').nth(3).unwrap();
            Call::read(t.replace("{key}", world.base(c).1))
        }
        ("GET", "/api/v1/entries/{key}") => Call::read(format!("/api/v1/entries/{theatre_number}")),
        ("GET", "/api/v1/entries/{key}/history") => {
            Call::read(format!("/api/v1/entries/{theatre}/history"))
        }
        ("GET", "/api/v1/entries/{key}/history/{version}") => {
            Call::read(format!("/api/v1/entries/{theatre}/history/1"))
        }
        ("GET", "/api/v1/export") => Call::read("/api/v1/export?format=ndjson"),
        ("GET", "/api/v1/entries") => Call::read("/api/v1/entries?kind=theatre"),
        ("GET", "/api/v1/changes") => Call::read("/api/v1/changes?since=0"),
        ("GET", "/api/v1/stats") => Call::read("/api/v1/stats"),
        ("GET", "/oai") => Call::read("/oai?verb=ListSets"),
        ("GET", "/reconcile") => Call::read("/reconcile"),
        ("GET", "/reconcile/suggest/entity") => Call::read("/reconcile/suggest/entity?prefix=A"),
        ("GET", "/reconcile/suggest/type") => Call::read("/reconcile/suggest/type?prefix=t"),
        ("GET", "/reconcile/suggest/property") => {
            Call::read("/reconcile/suggest/property?prefix=r")
        }
        ("GET", "/reconcile/propose_properties") => {
            Call::read("/reconcile/propose_properties?type=theatre")
        }
        ("GET", "/reconcile/preview") => {
            Call::read(format!("/reconcile/preview?id={theatre_number}"))
        }
        ("POST", "/oai") => Call {
            method: Method::POST,
            path: "/oai".into(),
            body: Some(("application/x-www-form-urlencoded", "verb=ListSets".into())),
            recorded: Recorded::Nothing,
        },
        ("POST", "/reconcile") => Call {
            method: Method::POST,
            path: "/reconcile".into(),
            body: Some((
                "application/x-www-form-urlencoded",
                "queries=%7B%22q0%22%3A%7B%22query%22%3A%22Sheki%22%7D%7D".into(),
            )),
            recorded: Recorded::Nothing,
        },
        ("GET", "/api/v1/imports") => Call::read("/api/v1/imports"),
        ("GET", "/api/v1/imports/{id}") => {
            Call::read(format!("/api/v1/imports/{}", world.import_id))
        }
        ("POST", "/api/v1/imports") => Call {
            method: Method::POST,
            path: "/api/v1/imports?filename=access.json".into(),
            body: Some(("application/json", import_body())),
            recorded: Recorded::Import,
        },
        ("POST", "/api/v1/imports/{id}/undo") => {
            let id = import_by_admin(app);
            Call {
                method: Method::POST,
                path: format!("/api/v1/imports/{id}/undo"),
                body: None,
                recorded: Recorded::Undo(id),
            }
        }
        (m, t) => {
            let Some((c, member)) = collection_of(t) else {
                panic!("no request written for {m} {t}: add it to `prepare`")
            };
            let kind = kind_of(c);
            let (id, _) = world.base(c);
            let member_path = format!("/api/v1/{c}/{id}");
            match (m, member) {
                ("GET", false) => Call::read(format!("/api/v1/{c}")),
                ("GET", true) => Call::read(member_path),
                ("POST", false) => Call {
                    method: Method::POST,
                    path: format!("/api/v1/{c}"),
                    body: Some(("application/json", fixture(kind, None).to_string())),
                    recorded: Recorded::NewEntry,
                },
                ("PUT", true) => {
                    let mut body = fixture(kind, None);
                    body["name"]["en"] = json!(format!("Replaced {}", fresh_label()));
                    Call {
                        method: Method::PUT,
                        path: member_path,
                        body: Some(("application/json", body.to_string())),
                        recorded: Recorded::Revision(id.to_string()),
                    }
                }
                ("PATCH", true) => Call {
                    method: Method::PATCH,
                    path: member_path,
                    body: Some((
                        "application/merge-patch+json",
                        json!({"name": {"en": format!("Patched {}", fresh_label())}}).to_string(),
                    )),
                    recorded: Recorded::Revision(id.to_string()),
                },
                ("DELETE", true) => {
                    let fresh = app.create(&fixture(kind, None))["id"]
                        .as_str()
                        .unwrap()
                        .to_string();
                    Call {
                        method: Method::DELETE,
                        path: format!("/api/v1/{c}/{fresh}"),
                        body: None,
                        recorded: Recorded::Revision(fresh),
                    }
                }
                _ => panic!("no request written for {m} {t}: add it to `prepare`"),
            }
        }
    }
}

/// A value that differs on every call, so that every allowed write changes something.
fn fresh_label() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("no. {}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The start of a body, on one line, for a fault message.
fn brief(text: &str) -> String {
    text.chars()
        .take(160)
        .collect::<String>()
        .replace('\n', " ")
}

/// Sends a request with the given `Authorization` header (none when `None`).
fn call(
    app: &TestApp,
    authorization: Option<&str>,
    method: Method,
    path: &str,
    body: Option<(&str, String)>,
) -> Reply {
    // Changes name the version they change; this matrix is about roles, so any version.
    let change = [Method::PUT, Method::PATCH, Method::DELETE].contains(&method);
    let mut request = app.anon.request(method, app.url(path));
    if change {
        request = request.header("if-match", "*");
    }
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value);
    }
    if let Some((content_type, text)) = body {
        request = request.header("content-type", content_type).body(text);
    }
    app.send(request)
}

/// What the database holds: entries, revisions, imports (with their state), tokens.
#[derive(Debug, PartialEq)]
struct Stored {
    entries: Snapshot,
    imports: Vec<(String, String, Option<String>)>,
    tokens: usize,
}

fn stored(app: &TestApp) -> Stored {
    let entries = app.snapshot();
    assert!(
        entries.revisions < ucr_core::query::PAGE_MAX as usize,
        "the snapshot no longer sees every revision"
    );
    Stored {
        entries,
        imports: app
            .register()
            .imports()
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.status, i.undone_by))
            .collect(),
        tokens: app.register().tokens().unwrap().len(),
    }
}

/// Checks a refusal's body and headers; returns what is wrong.
fn refusal_faults(reply: &Reply, who: Who) -> Vec<String> {
    let mut faults = Vec::new();
    let problem_type = match reply.status {
        401 => "/problems/unauthorized",
        403 => "/problems/forbidden",
        _ => return faults,
    };
    if reply.header("content-type").as_deref() != Some("application/problem+json") {
        faults.push(format!(
            "content-type {:?}, not application/problem+json",
            reply.header("content-type")
        ));
    }
    if reply.json["type"] != problem_type || reply.json["status"] != reply.status {
        faults.push(format!(
            "problem {}, not of type {problem_type}",
            reply.text
        ));
    }
    if reply.status == 401 {
        match reply.header("www-authenticate") {
            None => faults.push("401 without WWW-Authenticate".into()),
            Some(challenge) => {
                if !challenge.to_ascii_lowercase().starts_with("bearer") {
                    faults.push(format!(
                        "WWW-Authenticate {challenge:?} is no Bearer challenge"
                    ));
                }
                // RFC 6750 §3.1: a bad bearer token is an invalid_token; a request without
                // credentials gets no error code.
                let invalid = challenge.contains("error=\"invalid_token\"");
                match who {
                    Who::Revoked | Who::Garbage if !invalid => faults.push(format!(
                        "WWW-Authenticate {challenge:?} does not say invalid_token"
                    )),
                    Who::Anonymous if challenge.contains("error=") => faults.push(format!(
                        "WWW-Authenticate {challenge:?} has an error code without credentials"
                    )),
                    _ => {}
                }
            }
        }
    }
    faults
}

/// Checks that an allowed write recorded `who`'s name as its actor; returns what is wrong.
fn actor_faults(app: &TestApp, recorded: &Recorded, reply: &Reply, who: Who) -> Vec<String> {
    let name = who.name();
    let last_actor = |id: &str| -> Value {
        let history = app.get(&format!("/api/v1/entries/{id}/history"));
        history.json["items"]
            .as_array()
            .and_then(|items| items.last())
            .map(|r| r["actor"].clone())
            .unwrap_or(Value::Null)
    };
    let mut faults = Vec::new();
    match recorded {
        Recorded::Nothing => {}
        Recorded::Revision(id) => {
            let actor = last_actor(id);
            if actor != name {
                faults.push(format!("the revision's actor is {actor}, not {name}"));
            }
        }
        Recorded::NewEntry => {
            let id = reply.json["entry"]["id"].as_str().unwrap_or_default();
            let actor = last_actor(id);
            if actor != name {
                faults.push(format!("the new entry's actor is {actor}, not {name}"));
            }
        }
        Recorded::Import => {
            let id = reply.json["import_id"].as_str().unwrap_or_default();
            let record = app.get(&format!("/api/v1/imports/{id}"));
            if record.json["actor"] != name {
                faults.push(format!("the import's actor is {}, not {name}", record.json));
            }
            let actors: Vec<String> = app
                .register()
                .changes(0, ucr_core::query::PAGE_MAX)
                .unwrap()
                .into_iter()
                .filter(|r| r.import_id.as_deref() == Some(id))
                .map(|r| r.actor)
                .collect();
            if actors.is_empty() || actors.iter().any(|a| a != name) {
                faults.push(format!("the import's revisions have actors {actors:?}"));
            }
        }
        Recorded::Undo(id) => {
            let record = app.get(&format!("/api/v1/imports/{id}"));
            if record.json["status"] != "undone" || record.json["undone_by"] != name {
                faults.push(format!("the undone import is {}", record.json));
            }
        }
    }
    faults
}

/// Runs one cell; returns what is wrong with it.
fn cell(
    app: &TestApp,
    world: &World,
    (method, template, variant): (&str, &str, Variant),
    who: Who,
    public_read: bool,
) -> Vec<String> {
    let want = match variant {
        Variant::Plain => expected(method, template, who, public_read),
        v => expected_variant(v, who),
    };
    let prepared = prepare(app, world, method, template, variant);
    let before = stored(app);
    let authorization = who.authorization(app, &world.revoked);
    let reply = call(
        app,
        authorization.as_deref(),
        prepared.method.clone(),
        &prepared.path,
        prepared.body.clone(),
    );
    let after = stored(app);
    let mut faults = Vec::new();
    if reply.status != want {
        faults.push(format!(
            "{} instead of {want}: {}",
            reply.status,
            brief(&reply.text)
        ));
    }
    faults.extend(refusal_faults(&reply, who));
    let writes = !matches!(prepared.recorded, Recorded::Nothing);
    if writes && (200..300).contains(&want) {
        if (200..300).contains(&reply.status) {
            if before == after {
                faults.push("an allowed write changed nothing".into());
            }
            faults.extend(actor_faults(app, &prepared.recorded, &reply, who));
        }
    } else if before != after {
        faults.push(format!(
            "a call that must not write changed the database:\n  before {before:?}\n  after  {after:?}"
        ));
    }
    faults
        .into_iter()
        .map(|f| {
            format!(
                "[{}] {method} {template} {variant:?} as {who:?} ({} {}): {f}",
                app.backend, prepared.method, prepared.path
            )
        })
        .collect()
}

/// The variants every caller also runs.
const VARIANTS: [(&str, &str, Variant); 4] = [
    ("POST", "/api/v1/imports", Variant::DryRun),
    (
        "PATCH",
        "/api/v1/theatres/{key}",
        Variant::ReinstateByPatch("active"),
    ),
    (
        "PATCH",
        "/api/v1/theatres/{key}",
        Variant::ReinstateByPatch("suspended"),
    ),
    ("PUT", "/api/v1/theatres/{key}", Variant::ReinstateByPut),
];

#[test]
fn every_operation_answers_every_caller_as_the_rules_say() {
    let mut faults = Vec::new();
    for scratch in Scratch::all().unwrap() {
        let app = &TestApp::spawn(scratch);
        let world = World::build(app);
        let operations = operations();
        let mut covered = BTreeSet::new();
        for (method, template) in &operations {
            for who in EVERYONE {
                faults.extend(cell(
                    app,
                    &world,
                    (method.as_str(), template.as_str(), Variant::Plain),
                    who,
                    true,
                ));
            }
            covered.insert((method.clone(), template.clone()));
        }
        for case in VARIANTS {
            for who in EVERYONE {
                faults.extend(cell(app, &world, case, who, true));
            }
        }
        assert_eq!(covered.len(), document_operation_count());
        // A document read wrongly would cover nothing and still match its own count.
        assert!(
            covered.len() >= 48,
            "only {} operations read",
            covered.len()
        );
    }
    assert!(
        faults.is_empty(),
        "{} wrong cell(s):\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[test]
fn a_private_register_refuses_anonymous_reads() {
    let mut faults = Vec::new();
    for scratch in Scratch::all().unwrap() {
        let config = ucr_api::Config {
            public_read: false,
            ..test_config()
        };
        let app = TestApp::spawn_with(scratch, config);
        let world = World::build(&app);
        let mut reads = 0;
        for (method, template) in operations().iter().filter(|(m, _)| m == "GET") {
            if rule(method, template) == Rule::Read {
                reads += 1;
            }
            for who in EVERYONE {
                faults.extend(cell(
                    &app,
                    &world,
                    (method.as_str(), template.as_str(), Variant::Plain),
                    who,
                    false,
                ));
            }
        }
        assert!(reads >= 15, "only {reads} register reads in the document");
        // Anonymous reads get the challenge, not the invalid-token error.
        let reply = app.send(app.anon.get(app.url("/api/v1/theatres")));
        assert_problem(&reply, 401, "/problems/unauthorized");
        let reply = app.send(app.client(Role::Reader).get(app.url("/api/v1/theatres")));
        assert_eq!(reply.status, 200, "{}", reply.text);
        // The base theatre and the imported one.
        assert_eq!(reply.json["total"], 2, "{}", reply.text);
    }
    assert!(
        faults.is_empty(),
        "{} wrong cell(s):\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[test]
fn the_document_states_who_may_call_each_operation() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    for (method, template) in operations() {
        let op = &doc["paths"][&template][method.to_ascii_lowercase()];
        let responses = op["responses"].as_object().unwrap();
        let (security, documented) = match rule(&method, &template) {
            Rule::Open => (Value::Null, vec![]),
            Rule::Read => (Value::Null, vec!["401"]),
            Rule::Token(Role::Reader) => (json!([{"bearer": []}]), vec!["401"]),
            Rule::Token(_) => (json!([{"bearer": []}]), vec!["401", "403"]),
        };
        assert_eq!(op["security"], security, "{method} {template}");
        for status in documented {
            assert!(
                responses.contains_key(status),
                "{method} {template} does not document {status}"
            );
        }
        if !matches!(
            rule(&method, &template),
            Rule::Token(Role::Clerk | Role::Admin)
        ) {
            assert!(
                !responses.contains_key("403"),
                "{method} {template} documents a 403 nobody can get"
            );
        }
    }
}

/// One stored entry of the personal-data walk.
struct Shown {
    collection: &'static str,
    id: String,
    number: String,
    /// `head` of each version, oldest first.
    heads: Vec<Option<&'static str>>,
    deleted: bool,
}

impl Shown {
    fn head(&self) -> Option<&'static str> {
        *self.heads.last().unwrap()
    }
}

/// Directors' names stored in the walk: none may reach an anonymous caller.
const HEADS: [&str; 8] = [
    "Elçin Əfəndiyev",
    "Nərgiz Əliyeva",
    "Gülnarə Məmmədova",
    "Rövşən Hüseynzadə",
    "Səbinə Quliyeva",
    "Tofiq Babayev",
    "Aygün Kazımova",
    "Arif Şükürov",
];

/// Stores entries with `head`, changes and deletes some, as the admin.
fn store_heads(app: &TestApp) -> Vec<Shown> {
    let with_head = |kind: &str, head: &'static str| {
        let mut body = fixture(kind, None);
        body["head"] = json!(head);
        let entry = app.create(&body);
        assert_eq!(entry["head"], head, "the admin sees what it stored");
        Shown {
            collection: collection(kind),
            id: entry["id"].as_str().unwrap().to_string(),
            number: entry["registry_number"].as_str().unwrap().to_string(),
            heads: vec![Some(head)],
            deleted: false,
        }
    };
    let mut theatre = with_head("theatre", HEADS[0]);
    let reply = app.patch(
        &format!("/api/v1/theatres/{}", theatre.id),
        &json!({"head": HEADS[1]}),
        Some("\"1\""),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    theatre.heads.push(Some(HEADS[1]));
    let library = with_head("library", HEADS[2]);
    let mut museum = with_head("museum", HEADS[3]);
    let reply = app.delete(&format!("/api/v1/museums/{}", museum.id), Some("\"1\""));
    assert_eq!(reply.status, 204, "{}", reply.text);
    museum.heads.push(Some(HEADS[3]));
    museum.deleted = true;
    let mut reserve = with_head("reserve", HEADS[4]);
    let mut body = fixture("reserve", None);
    body["head"] = json!(HEADS[5]);
    let reply = app.put(
        &format!("/api/v1/reserves/{}", reserve.id),
        &body,
        Some("\"1\""),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    reserve.heads.push(Some(HEADS[5]));
    let school = with_head("school", HEADS[6]);
    // An entry stored by an import, and entries without a director.
    let mut imported = fixture("theatre", None);
    imported["head"] = json!(HEADS[7]);
    let reply = app.send(
        app.http
            .post(app.url("/api/v1/imports"))
            .header("content-type", "application/json")
            .body(json!([imported]).to_string()),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let imported_id = app
        .register()
        .changes(0, ucr_core::query::PAGE_MAX)
        .unwrap()
        .into_iter()
        .rev()
        .find(|r| r.import_id.is_some())
        .unwrap()
        .entry_id
        .to_string();
    let imported_entry = app.get(&format!("/api/v1/entries/{imported_id}"));
    let by_import = Shown {
        collection: "theatres",
        id: imported_id,
        number: imported_entry.json["registry_number"]
            .as_str()
            .unwrap()
            .to_string(),
        heads: vec![Some(HEADS[7])],
        deleted: false,
    };
    let mut shown = vec![theatre, library, museum, reserve, school, by_import];
    for kind in ["theatre", "museum", "heritage_object"] {
        let entry = app.create(&fixture(kind, None));
        shown.push(Shown {
            collection: collection(kind),
            id: entry["id"].as_str().unwrap().to_string(),
            number: entry["registry_number"].as_str().unwrap().to_string(),
            heads: vec![None],
            deleted: false,
        });
    }
    shown
}

/// One GET of the walk: its template, path, and the heads a reader must see in it.
struct Walk {
    template: String,
    path: String,
    heads: Vec<&'static str>,
}

/// Every GET an anonymous caller can reach, over the stored entries.
fn walk(shown: &[Shown]) -> Vec<Walk> {
    let live_heads = |collection_name: Option<&str>| -> Vec<&'static str> {
        shown
            .iter()
            .filter(|s| !s.deleted && collection_name.is_none_or(|c| s.collection == c))
            .filter_map(Shown::head)
            .collect()
    };
    let mut walk = Vec::new();
    let mut add = |template: &str, path: String, heads: Vec<&'static str>| {
        walk.push(Walk {
            template: template.to_string(),
            path,
            heads,
        })
    };
    for template in [
        "/health",
        "/ready",
        "/openapi.json",
        "/api/v1/vocabularies",
        "/ld/context.jsonld",
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
    ] {
        add(template, template.to_string(), vec![]);
    }
    // The map layers: each collection, its features, each feature.
    for c in COLLECTIONS {
        let ogc = format!("/ogc/collections/{c}");
        add(&ogc, ogc.clone(), vec![]);
        let items = format!("{ogc}/items");
        add(&items, format!("{items}?limit=1000"), live_heads(Some(c)));
        for s in shown.iter().filter(|s| s.collection == c && !s.deleted) {
            let heads: Vec<&'static str> = s.head().into_iter().collect();
            add(
                &format!("{items}/{{key}}"),
                format!("{items}/{}", s.number),
                heads,
            );
        }
    }
    for c in COLLECTIONS {
        let list = format!("/api/v1/{c}");
        let heads = live_heads(Some(c));
        for query in ["", "?status=active", "?region=AZ-BA&status=active"] {
            add(&list, format!("{list}{query}"), heads.clone());
        }
        if c != "heritage-objects" {
            add(&list, format!("{list}?ownership=state"), heads.clone());
        }
        // Pages of one are walked by following next_cursor, in `walk_pages`.
        for s in shown.iter().filter(|s| s.collection == c && !s.deleted) {
            let heads: Vec<&'static str> = s.head().into_iter().collect();
            add(
                &format!("{list}/{{key}}"),
                format!("{list}/{}", s.id),
                heads.clone(),
            );
            add(
                &format!("{list}/{{key}}"),
                format!("{list}/{}", s.number),
                heads,
            );
        }
    }
    for s in shown {
        let current: Vec<&'static str> = s.head().into_iter().collect();
        if !s.deleted {
            add(
                "/api/v1/entries/{key}",
                format!("/api/v1/entries/{}", s.id),
                current.clone(),
            );
            add(
                "/api/v1/entries/{key}",
                format!("/api/v1/entries/{}", s.number),
                current,
            );
        }
        let mut all: Vec<&'static str> = s.heads.iter().flatten().copied().collect();
        all.dedup();
        for key in [&s.id, &s.number] {
            add(
                "/api/v1/entries/{key}/history",
                format!("/api/v1/entries/{key}/history"),
                all.clone(),
            );
        }
        for (i, head) in s.heads.iter().enumerate() {
            add(
                "/api/v1/entries/{key}/history/{version}",
                format!("/api/v1/entries/{}/history/{}", s.id, i + 1),
                head.iter().copied().collect(),
            );
        }
    }
    add(
        "/api/v1/export",
        "/api/v1/export?format=ndjson".into(),
        live_heads(None),
    );
    add(
        "/api/v1/export",
        "/api/v1/export?format=ndjson&kind=theatre".into(),
        live_heads(Some("theatres")),
    );
    add(
        "/api/v1/export",
        "/api/v1/export?format=geojson".into(),
        live_heads(None),
    );
    add(
        "/api/v1/export",
        "/api/v1/export?format=geojson&status=active&region=AZ-BA".into(),
        live_heads(None),
    );
    // The single window: search, the change feed (every version ever), statistics.
    let search = "/api/v1/entries";
    add(search, search.into(), live_heads(None));
    add(
        search,
        format!("{search}?kind=theatre&status=active"),
        live_heads(Some("theatres")),
    );
    add(search, format!("{search}?q=Axundov"), vec![]);
    add(search, format!("{search}?q=teatr&sort=name"), vec![]);
    add(
        "/api/v1/changes",
        "/api/v1/changes?since=0&limit=1000".into(),
        HEADS.to_vec(),
    );
    add("/api/v1/stats", "/api/v1/stats".into(), vec![]);
    add(
        "/api/v1/stats",
        "/api/v1/stats?group_by=region".into(),
        vec![],
    );
    for c in COLLECTIONS {
        add(
            "/api/v1/export",
            format!("/api/v1/export?format=csv&kind={}", kind_of(c)),
            live_heads(Some(c)),
        );
    }
    // The standard interfaces: OAI-PMH (the register's JSON carries the head for readers,
    // Dublin Core never) and reconciliation.
    add(
        "/oai",
        "/oai?verb=ListRecords&metadataPrefix=ucr_json".into(),
        live_heads(None),
    );
    add(
        "/oai",
        "/oai?verb=ListRecords&metadataPrefix=oai_dc".into(),
        vec![],
    );
    add("/reconcile", "/reconcile".into(), vec![]);
    add(
        "/reconcile",
        "/reconcile?queries=%7B%22q%22%3A%7B%22query%22%3A%22teatr%22%7D%7D".into(),
        vec![],
    );
    for (template, query) in [
        ("/reconcile/suggest/entity", "prefix=teatr"),
        ("/reconcile/suggest/type", "prefix=t"),
        ("/reconcile/suggest/property", "prefix=r"),
        ("/reconcile/propose_properties", "type=theatre"),
    ] {
        add(template, format!("{template}?{query}"), vec![]);
    }
    for s in shown.iter().filter(|s| !s.deleted) {
        add(
            "/reconcile/preview",
            format!("/reconcile/preview?id={}", s.number),
            s.head().into_iter().collect(),
        );
    }
    walk
}

/// `value` without any member named `head`.
fn without_head(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| *k != "head")
                .map(|(k, v)| (k.clone(), without_head(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_head).collect()),
        other => other.clone(),
    }
}

/// Whether a JSON value has a member named `head` anywhere.
fn has_head(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("head") || map.values().any(has_head),
        Value::Array(items) => items.iter().any(has_head),
        _ => false,
    }
}

/// What is wrong with an anonymous reply and a reader's reply to the same GET.
fn personal_data_faults(
    anon: &Reply,
    reader: &Reply,
    heads: &[&str],
    register_data: bool,
) -> Vec<String> {
    let mut faults = Vec::new();
    if anon.status != 200 || reader.status != 200 {
        faults.push(format!(
            "anonymous {}, reader {}: {}",
            anon.status,
            reader.status,
            brief(&anon.text)
        ));
        return faults;
    }
    // Raw text and re-serialised JSON (in case of \u escapes).
    let lines: Vec<Value> = anon
        .text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let decoded = format!("{} {}", anon.json, Value::Array(lines.clone()));
    for head in HEADS {
        if anon.text.contains(head) || decoded.contains(head) {
            faults.push(format!("anonymous body holds {head}"));
        }
    }
    // The OpenAPI document names the field `head` in its schemas: only register data counts.
    if register_data && (has_head(&anon.json) || lines.iter().any(has_head)) {
        faults.push("anonymous body has a `head` member".into());
    }
    for head in heads {
        if !reader.text.contains(head) {
            faults.push(format!("the reader does not see {head}"));
        }
    }
    // Apart from `head`, both see the same.
    let same = if !register_data {
        reader.text == anon.text
    } else if reader.json != Value::Null {
        without_head(&reader.json) == anon.json
    } else if reader
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/xml") || t.starts_with("text/html"))
    {
        // The standards' documents (OAI-PMH answers, the reconciliation preview) carry the time
        // they were written or lay the entry out as markup: that the anonymous one holds no
        // head is what counts.
        true
    } else if reader
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/csv"))
    {
        let mut blanked = reader.text.clone();
        for head in HEADS {
            blanked = blanked.replace(head, "");
        }
        blanked == anon.text
    } else {
        let reader_lines: Vec<Value> = reader
            .text
            .lines()
            .map(|l| without_head(&serde_json::from_str(l).unwrap_or(Value::Null)))
            .collect();
        reader_lines == lines && !lines.is_empty()
    };
    if !same {
        faults.push(format!(
            "anonymous and reader bodies differ beyond `head`:\n  anonymous {}\n  reader    {}",
            brief(&anon.text),
            brief(&reader.text)
        ));
    }
    faults
}

#[test]
fn anonymous_callers_never_see_head() {
    let mut faults = Vec::new();
    for scratch in Scratch::all().unwrap() {
        let app = &TestApp::spawn(scratch);
        let shown = store_heads(app);
        let reader = app.client(Role::Reader);
        let get =
            |client: &reqwest::blocking::Client, path: &str| app.send(client.get(app.url(path)));
        let mut templates = BTreeSet::new();
        for step in walk(&shown) {
            let anon = get(&app.anon, &step.path);
            let seen = get(&reader, &step.path);
            faults.extend(
                personal_data_faults(
                    &anon,
                    &seen,
                    &step.heads,
                    // The document and the JSON-LD context name the field, they hold no data.
                    !["/openapi.json", "/ld/context.jsonld"].contains(&step.template.as_str()),
                )
                .into_iter()
                .map(|f| format!("[{}] GET {}: {f}", app.backend, step.path)),
            );
            templates.insert(step.template);
        }
        // Pages of one, following next_cursor, anonymous and reader side by side: every list
        // of a collection, the search, and the change feed (whose cursor is `since`).
        let mut paged: Vec<(String, &str, Vec<&str>)> = COLLECTIONS
            .iter()
            .map(|c| {
                let heads = shown
                    .iter()
                    .filter(|s| s.collection == *c && !s.deleted)
                    .filter_map(Shown::head)
                    .collect();
                (format!("/api/v1/{c}"), "cursor", heads)
            })
            .collect();
        let live: Vec<&str> = shown
            .iter()
            .filter(|s| !s.deleted)
            .filter_map(Shown::head)
            .collect();
        paged.push(("/api/v1/entries".into(), "cursor", live));
        paged.push(("/api/v1/changes".into(), "since", HEADS.to_vec()));
        for (list, cursor_name, heads) in paged {
            let mut path = format!("{list}?limit=1");
            let mut reader_pages = String::new();
            let mut pages = 0;
            loop {
                let anon = get(&app.anon, &path);
                let seen = get(&reader, &path);
                faults.extend(
                    personal_data_faults(&anon, &seen, &[], true)
                        .into_iter()
                        .map(|f| format!("[{}] GET {path}: {f}", app.backend)),
                );
                reader_pages.push_str(&seen.text);
                pages += 1;
                match seen.json["next_cursor"].as_str() {
                    Some(cursor) if pages < 100 => {
                        path = format!("{list}?limit=1&{cursor_name}={cursor}")
                    }
                    _ => break,
                }
            }
            for head in heads {
                if !reader_pages.contains(head) {
                    faults.push(format!(
                        "[{}] the reader's pages of {list} miss {head}",
                        app.backend
                    ));
                }
            }
        }
        // Every GET an anonymous caller may call was walked.
        let anonymous_gets: BTreeSet<String> = operations()
            .into_iter()
            .filter(|(m, t)| m == "GET" && matches!(rule(m, t), Rule::Read | Rule::Open))
            .map(|(_, t)| t)
            .collect();
        assert_eq!(templates, anonymous_gets);
    }
    assert!(
        faults.is_empty(),
        "{} fault(s):\n{}",
        faults.len(),
        faults.join("\n")
    );
}

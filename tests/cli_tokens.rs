//! Tokens over the command line, black-box: `ucr token create` prints a token once, `ucr token
//! list` never prints one, a duplicate name is refused, and a token works against a running
//! `ucr serve` until `ucr token revoke`, then is refused at once (SPEC §6 "Access", §8).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serving;

use serde_json::{json, Value};
use serving::{free_port, Server};
use std::process::{Command, Output, Stdio};

/// A register in a directory of its own.
struct Workspace {
    dir: tempfile::TempDir,
    url: String,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("ucr.db").display());
        Workspace { dir, url }
    }

    /// `ucr --database URL ARGS…`, not yet run.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ucr"));
        c.arg("--database")
            .arg(&self.url)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("UCR_DATABASE_URL")
            .env_remove("UCR_PUBLIC_READ")
            .env("RUST_LOG", "warn");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Every byte of every file of the register's directory (database, WAL, …).
    fn files(&self) -> Vec<u8> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap_or_default())
            .collect()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `ucr token create`: the token it printed.
fn create(w: &Workspace, name: &str, role: &str) -> String {
    let out = w.run(&["token", "create", "--name", name, "--role", role]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one line, the token: {text}");
    let token = lines[0].trim().to_string();
    assert!(token.starts_with("ucr_"), "{token}");
    assert!(
        token.len() >= 36,
        "a token carries enough randomness: {token}"
    );
    token
}

/// `ucr token list`, one line per token.
fn list(w: &Workspace) -> String {
    let out = w.run(&["token", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// The line of `list` naming `name`.
fn line_of(listing: &str, name: &str) -> String {
    let lines: Vec<&str> = listing
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(name))
        .collect();
    assert_eq!(lines.len(), 1, "one line for {name} in:\n{listing}");
    lines[0].to_string()
}

/// The role column of a line of `list` (after the name).
fn role_of(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap_or_default()
}

/// Whether `text` holds a date like 2025-01-31.
fn has_date(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        let b = w.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    })
}

fn serve(w: &Workspace) -> Server {
    let port = free_port();
    let child = w
        .command(&["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Server::ready(child, port)
}

/// Status, JSON body and `WWW-Authenticate` of a request sent with `token`.
fn send(request: reqwest::blocking::RequestBuilder, token: &str) -> (u16, Value, Option<String>) {
    let reply = request.bearer_auth(token).send().unwrap();
    let status = reply.status().as_u16();
    let challenge = reply
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    let body = reply.json().unwrap_or(Value::Null);
    (status, body, challenge)
}

fn theatre() -> Value {
    json!({
        "kind": "theatre",
        "name": {"az": "Şəki Dövlət Dram Teatrı", "en": "Shaki State Drama Theatre"},
        "region": "AZ-SA",
        "ownership": "state",
        "theatre_type": "drama",
        "seats": 300,
        "head": "Elçin Əfəndiyev"
    })
}

#[test]
fn tokens_are_printed_once_listed_without_secrets_and_refused_once_revoked() {
    let w = Workspace::new();
    let clerk = create(&w, "ayla-clerk", "clerk");
    let reader = create(&w, "murad.reader", "reader");
    assert_ne!(clerk, reader);

    // The list names, roles and dates; never a token, nor its random part.
    let listing = list(&w);
    for token in [&clerk, &reader] {
        assert!(!listing.contains(token.as_str()), "{listing}");
        assert!(!listing.contains(&token["ucr_".len()..]), "{listing}");
    }
    assert!(!listing.contains("ucr_"), "{listing}");
    let line = line_of(&listing, "ayla-clerk");
    assert_eq!(role_of(&line), "clerk", "{line}");
    assert!(line.contains("active"), "{line}");
    assert!(has_date(&line), "{line}");
    assert!(!line.contains("revoked"), "{line}");
    let line = line_of(&listing, "murad.reader");
    assert_eq!(role_of(&line), "reader", "{line}");
    assert!(line.contains("active"), "{line}");
    // Only a hash is stored: the token is in no file of the register.
    let files = w.files();
    for token in [&clerk, &reader] {
        assert!(
            !files
                .windows(token.len())
                .any(|window| window == token.as_bytes()),
            "the token {token} is stored in plain text"
        );
    }

    // A duplicate name is refused, and the first token stays as it was.
    let out = w.run(&["token", "create", "--name", "ayla-clerk", "--role", "admin"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(!stdout(&out).contains("ucr_"), "{}", stdout(&out));
    let line = line_of(&list(&w), "ayla-clerk");
    assert_eq!(role_of(&line), "clerk", "{line}");
    // So is an unknown role.
    let out = w.run(&["token", "create", "--name", "nigar", "--role", "root"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(!list(&w).contains("nigar"));

    let server = serve(&w);
    let client = reqwest::blocking::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);

    // The clerk's token writes, as ayla-clerk.
    let (status, body, _) = send(
        client.post(url("/api/v1/theatres")).json(&theatre()),
        &clerk,
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["entry"]["head"], "Elçin Əfəndiyev", "{body}");
    let id = body["entry"]["id"].as_str().unwrap().to_string();
    let (status, history, _) = send(
        client.get(url(&format!("/api/v1/entries/{id}/history"))),
        &clerk,
    );
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["items"][0]["actor"], "ayla-clerk", "{history}");
    let (status, body, _) = send(client.get(url("/api/v1/imports")), &clerk);
    assert_eq!(status, 200, "{body}");
    // The reader's token reads, personal data too, and may not write.
    let (status, body, _) = send(client.get(url(&format!("/api/v1/theatres/{id}"))), &reader);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["head"], "Elçin Əfəndiyev", "{body}");
    let (status, body, _) = send(
        client.post(url("/api/v1/theatres")).json(&theatre()),
        &reader,
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["type"], "/problems/forbidden", "{body}");

    // Revoked while the server runs: refused at once, on reads too, and writes nothing.
    let out = w.run(&["token", "revoke", "ayla-clerk"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for request in [
        client.get(url("/api/v1/imports")),
        client.get(url(&format!("/api/v1/theatres/{id}"))),
        client.get(url("/api/v1/theatres")),
        client.post(url("/api/v1/theatres")).json(&theatre()),
        client
            .patch(url(&format!("/api/v1/theatres/{id}")))
            .header("content-type", "application/merge-patch+json")
            .header("if-match", "*")
            .body(r#"{"seats": 301}"#),
    ] {
        let (status, body, challenge) = send(request, &clerk);
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["type"], "/problems/unauthorized", "{body}");
        let challenge = challenge.expect("a 401 has WWW-Authenticate");
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(challenge.contains("invalid_token"), "{challenge}");
    }
    let (status, body, _) = send(client.get(url("/api/v1/theatres")), &reader);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 1, "the revoked token wrote nothing: {body}");
    assert_eq!(body["items"][0]["seats"], 300, "{body}");
    // The other token is untouched.
    let (status, _, _) = send(client.get(url("/api/v1/imports")), &reader);
    assert_eq!(status, 200);

    let listing = list(&w);
    let line = line_of(&listing, "ayla-clerk");
    assert!(line.contains("revoked") && has_date(&line), "{line}");
    assert!(!line.contains("active"), "{line}");
    assert!(line_of(&listing, "murad.reader").contains("active"));
    assert!(!listing.contains("ucr_"), "{listing}");

    // A revoked name stays taken, and revoking it again or an unknown name is an error.
    let out = w.run(&["token", "create", "--name", "ayla-clerk", "--role", "clerk"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    let out = w.run(&["token", "revoke", "ayla-clerk"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    let out = w.run(&["token", "revoke", "nobody"]);
    assert!(!out.status.success(), "{}", stdout(&out));
}

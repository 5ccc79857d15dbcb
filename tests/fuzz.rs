//! The API keeps every promise of its document, checked by a property-based fuzzer that
//! nobody in this project wrote: schemathesis (PyPI) runs every operation with all its checks
//! against `ucr serve` holding the fixtures, on SQLite and (with UCR_TEST_POSTGRES_URL) on
//! PostgreSQL, once with an admin token and once without. The run fails on any 5xx, any
//! response that breaks the document, and any other check failure that
//! `tests/fuzz/accepted.json` does not list with its reason.
//!
//! Bounded: each run stops generating after `MAX_TIME` seconds and is killed after
//! `KILL_AFTER`. Without schemathesis the test is skipped, unless UCR_TEST_CLIENTS=require.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod serving;

use serde_json::Value;
use serving::{free_port, Server};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use ucr_core::testing::Scratch;

/// Seconds of generation per run (schemathesis `--max-time`).
const MAX_TIME: u64 = 60;

/// Test cases per operation and phase (schemathesis `--max-examples`).
const MAX_EXAMPLES: u64 = 25;

/// A run that has not ended by then is killed and fails.
const KILL_AFTER: Duration = Duration::from_secs(MAX_TIME + 120);

/// A fixed seed, so that a failure in CI reproduces locally.
const SEED: &str = "20261206";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the `st` command of schemathesis runs; when it does not and UCR_TEST_CLIENTS is
/// `require`, the test fails.
fn schemathesis() -> bool {
    let found = Command::new("st")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        let required = std::env::var("UCR_TEST_CLIENTS").is_ok_and(|v| v == "require");
        assert!(
            !required,
            "schemathesis (`st`) is required: pip install 'schemathesis==4.32.*'"
        );
        eprintln!(
            "skipped: schemathesis (`st`) is not installed (pip install 'schemathesis==4.32.*')"
        );
    }
    found
}

/// One accepted failure: a check's code on some operations, and why it is not a fault.
struct Accepted {
    code: String,
    operations: BTreeSet<String>,
}

fn accepted() -> Vec<Accepted> {
    let text = std::fs::read_to_string(repo().join("tests/fuzz/accepted.json")).unwrap();
    let list: Vec<Value> = serde_json::from_str(&text).unwrap();
    list.iter()
        .map(|item| {
            let code = item["code"].as_str().unwrap().to_string();
            let reason = item["reason"].as_str().unwrap_or_default();
            assert!(reason.len() > 20, "{code}: every accepted failure says why");
            // Responses are never excused: a 5xx or a response the document does not allow
            // (ST1xx) always fails.
            assert!(
                !code.starts_with("ST1"),
                "{code} is a response that breaks the document or a 5xx: it cannot be accepted"
            );
            let operations = item["operations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_str().unwrap().to_string())
                .collect();
            Accepted { code, operations }
        })
        .collect()
}

/// `ucr serve` on `database` with the fixtures.
fn serve(database: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_ucr"))
        .args(["--database", database, "serve", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--seed")
        .arg(repo().join("fixtures/az-institutions.json"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Server::ready(child, port)
}

/// Runs schemathesis against `base`, with `token` when given; returns its JSON report.
fn run(base: &str, token: Option<&str>, report: &Path) -> Value {
    let mut command = Command::new("st");
    command
        .arg("--config-file")
        .arg(repo().join("tests/fuzz/schemathesis.toml"))
        .args(["run", &format!("{base}/openapi.json")])
        // One worker: schemathesis's workers are threads of one Python process, so two made
        // no more test cases in the same time (10 849-10 976 against 10 917 in 60 s), and
        // they sometimes raced inside hypothesis ("AST constructor recursion depth mismatch",
        // reported as a Runtime Error of some GET operation).
        .args(["--checks", "all", "--workers", "1", "--seed", SEED])
        .args(["--max-examples", &MAX_EXAMPLES.to_string()])
        .args(["--max-time", &MAX_TIME.to_string()])
        .args(["--generation-database", "none", "--no-color"])
        .args(["--report", "json", "--report-json-path"])
        .arg(report)
        // schemathesis keeps files of its own in its working directory.
        .current_dir(report.parent().unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(token) = token {
        command.args(["--header", &format!("Authorization: Bearer {token}")]);
    }
    let mut child = command.spawn().unwrap();
    // The output is read on threads so that a full pipe never stalls the run.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > KILL_AFTER {
            let _ = child.kill();
            let _ = child.wait();
            panic!("schemathesis ran longer than {KILL_AFTER:?}");
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    let text = std::fs::read_to_string(report).unwrap_or_else(|e| {
        panic!("no report from schemathesis ({status}): {e}\n{out}\n{err}");
    });
    let report: Value = serde_json::from_str(&text).unwrap();
    // Kept for whoever reads a failure: the summary schemathesis prints.
    eprintln!(
        "{}",
        out.lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    report
}

/// Every failure of a report that the accepted list does not excuse.
fn unexcused(report: &Value, accepted: &[Accepted]) -> Vec<String> {
    let mut faults = Vec::new();
    for error in report["errors"].as_array().into_iter().flatten() {
        faults.push(format!("error: {error}"));
    }
    for failure in report["failures"].as_array().into_iter().flatten() {
        let code = failure["code"].as_str().unwrap_or_default();
        let title = failure["title"].as_str().unwrap_or_default();
        for operation in failure["operations"].as_array().into_iter().flatten() {
            let operation = operation.as_str().unwrap_or_default();
            let excused = accepted
                .iter()
                .any(|a| a.code == code && a.operations.contains(operation));
            if !excused {
                faults.push(format!("{code} {title}: {operation}"));
            }
        }
    }
    faults
}

#[test]
fn schemathesis_finds_nothing_the_document_does_not_allow() {
    if !schemathesis() {
        return;
    }
    let accepted = accepted();
    let reports = tempfile::tempdir().unwrap();
    let mut faults = Vec::new();
    for scratch in Scratch::all().unwrap() {
        let token = scratch
            .register()
            .create_token("fuzz-admin", ucr_core::Role::Admin)
            .unwrap();
        let server = serve(&scratch.url);
        for (who, token) in [("admin", Some(token.as_str())), ("anonymous", None)] {
            let path: PathBuf = reports
                .path()
                .join(format!("{}-{who}.json", scratch.backend));
            let report = run(&server.base, token, &path);
            let generated = report["test_cases"]["generated"].as_u64().unwrap_or(0);
            eprintln!("[{} {who}] {generated} test cases", scratch.backend);
            // A run that tested nothing proves nothing.
            assert!(
                report["operations"]["tested"].as_u64().unwrap_or(0) >= 40 && generated > 500,
                "[{} {who}] schemathesis tested too little: {}",
                scratch.backend,
                report["operations"]
            );
            faults.extend(
                unexcused(&report, &accepted)
                    .into_iter()
                    .map(|f| format!("[{} {who}] {f}", scratch.backend)),
            );
        }
    }
    assert!(
        faults.is_empty(),
        "schemathesis found {} failure(s) not in tests/fuzz/accepted.json:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[test]
fn a_failure_not_listed_fails_the_run() {
    let accepted = accepted();
    let report = serde_json::json!({
        "errors": [],
        "failures": [
            {"code": "ST202", "title": "Schema-valid request rejected",
             "operations": ["GET /api/v1/export", "GET /api/v1/changes"]},
            {"code": "ST101", "title": "Server error", "operations": ["GET /api/v1/export"]}
        ]
    });
    assert_eq!(
        unexcused(&report, &accepted),
        [
            "ST202 Schema-valid request rejected: GET /api/v1/changes",
            "ST101 Server error: GET /api/v1/export"
        ]
    );
}

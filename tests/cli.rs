//! The clerk's commands, black-box: `ucr check`, `ucr load`, `ucr imports`, `ucr export` and
//! `ucr generate` run as processes on a SQLite file in a temporary directory. Bad files of every
//! sort are refused with their line and never crash the importer or leave half a load; a load
//! killed in the middle leaves the database as it was; memory stays bounded on huge inputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Peak resident memory allowed for one command on a huge or broken file.
const MEMORY_LIMIT_KIB: u64 = 200 * 1024;

/// Entries per kind in the real fixtures, with their CSV files.
const PER_KIND: [(&str, u64); 6] = [
    ("theatre", 12),
    ("library", 4),
    ("museum", 9),
    ("reserve", 9),
    ("school", 5),
    ("heritage_object", 19),
];

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

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `ucr --database URL ARGS…`, not yet run.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ucr"));
        c.arg("--database")
            .arg(&self.url)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("UCR_DATABASE_URL")
            .env_remove("UCR_ACTOR")
            .env("RUST_LOG", "warn");
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).stdin(Stdio::null()).output().unwrap();
        Run::from(out, args)
    }

    /// `ucr export --format ndjson`, as bytes; nothing when no register was ever written
    /// (`ucr check` does not create one, and export refuses a missing one).
    fn export(&self) -> Vec<u8> {
        if !self.path("ucr.db").exists() {
            return Vec::new();
        }
        let run = self.run(&["export", "--format", "ndjson"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.into_bytes()
    }

    fn export_lines(&self) -> usize {
        self.export().iter().filter(|b| **b == b'\n').count()
    }

    /// `ucr imports list`; nothing when no register was ever written.
    fn imports(&self) -> Vec<String> {
        if !self.path("ucr.db").exists() {
            return Vec::new();
        }
        let run = self.run(&["imports", "list"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.lines().map(str::to_string).collect()
    }
}

/// A finished command.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(out: Output, args: &[&str]) -> Run {
        Run {
            code: exit_code(out.status, args),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The totals line of a text report.
    fn totals(&self) -> &str {
        self.stdout
            .lines()
            .rev()
            .find(|l| {
                l.starts_with("created ")
                    || l.starts_with("rejected: ")
                    || l.starts_with("unreadable: ")
            })
            .unwrap_or_else(|| panic!("no totals line in {:?}", self.stdout))
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("report is not JSON ({e}): {}", self.stdout))
    }

    /// The error lines of a text report (`file:line number: error field code: message`).
    fn errors(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.contains(": error "))
            .collect()
    }
}

/// The exit code; a death by signal or a panic (101) fails the test.
fn exit_code(status: ExitStatus, args: &[&str]) -> i32 {
    let code = status
        .code()
        .unwrap_or_else(|| panic!("ucr {args:?} died by a signal: {status:?}"));
    assert_ne!(code, 101, "ucr {args:?} panicked");
    code
}

/// The status column of a line of `ucr imports list` (id, date, time, status, mode, …).
fn status(line: &str) -> &str {
    line.split_whitespace().nth(3).unwrap_or_default()
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

fn fixture_str(path: &str) -> String {
    fixture(path).display().to_string()
}

fn csv_fixtures() -> Vec<String> {
    PER_KIND
        .iter()
        .map(|(k, _)| fixture_str(&format!("csv/{k}.csv")))
        .collect()
}

/// The lines of the NDJSON fixture, without line ends.
fn ndjson_lines() -> Vec<Vec<u8>> {
    std::fs::read(fixture("az-institutions.ndjson"))
        .unwrap()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The lines of a fixture CSV file, header first, without line ends.
fn csv_lines(kind: &str) -> Vec<Vec<u8>> {
    std::fs::read(fixture(&format!("csv/{kind}.csv")))
        .unwrap()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect()
}

fn join(lines: &[Vec<u8>], end: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.extend_from_slice(end);
    }
    out
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = haystack
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(from)));
    [&haystack[..at], to, &haystack[at + from.len()..]].concat()
}

/// Sets one cell of a CSV line (no quoted commas before it in the fixtures used).
fn set_cell(header: &[u8], line: &[u8], column: &str, value: &str) -> Vec<u8> {
    let i = header
        .split(|b| *b == b',')
        .position(|c| c == column.as_bytes())
        .unwrap();
    let mut cells: Vec<Vec<u8>> = line.split(|b| *b == b',').map(<[u8]>::to_vec).collect();
    cells[i] = value.as_bytes().to_vec();
    cells.join(&b","[..])
}

/// Deterministic pseudo-random bytes (xorshift64), fast enough for 100 MB in a debug build.
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Peak resident memory of the process, from `/proc`, in KiB.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs a command with its output in files and measures its peak memory: with GNU time's
/// `%M` where `/usr/bin/time` exists, otherwise by polling `VmHWM` in `/proc`.
fn run_measured(w: &Workspace, args: &[&str]) -> (Run, u64) {
    let stdout = w.path("measured.out");
    let stderr = w.path("measured.err");
    let peak_file = w.path("measured.peak");
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&peak_file);
        c.arg(env!("CARGO_BIN_EXE_ucr"));
        c.arg("--database").arg(&w.url).args(args);
        c.current_dir(w.dir.path())
            .env_remove("UCR_DATABASE_URL")
            .env_remove("UCR_ACTOR");
        c
    } else {
        w.command(args)
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let mut polled = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Some(kib) = vm_hwm(child.id()) {
            polled = polled.max(kib);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let peak = if time.exists() {
        let text = std::fs::read_to_string(&peak_file).unwrap();
        assert!(
            !text.contains("signal"),
            "ucr {args:?} died by a signal: {text}"
        );
        text.lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no peak memory in {text:?}"))
    } else {
        polled
    };
    let run = Run {
        code: exit_code(status, args),
        stdout: String::from_utf8(std::fs::read(&stdout).unwrap()).unwrap(),
        stderr: String::from_utf8_lossy(&std::fs::read(&stderr).unwrap()).into_owned(),
    };
    eprintln!("ucr {args:?}: peak {} KiB", peak);
    (run, peak)
}

/// Loads in atomic mode a file that must be refused: exit code 1, nothing written, the refused
/// load on record. Returns the run.
fn refused(w: &Workspace, args: &[&str]) -> Run {
    let before = w.export();
    let imports = w.imports().len();
    let run = w.run(args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let totals = run.totals();
    assert!(
        totals.starts_with("rejected: nothing written — ")
            && totals.ends_with(
                "an atomic load writes all or nothing (use --continue to store the good rows)"
            )
            && !totals.contains("created"),
        "{totals}"
    );
    assert_eq!(w.export(), before, "an atomic load that was refused wrote");
    let list = w.imports();
    assert_eq!(list.len(), imports + 1);
    assert_eq!(status(&list[0]), "rejected", "{}", list[0]);
    run
}

/// Loads a file none of whose rows reads as an entry: exit code 1, nothing written, and no
/// import on record, in any mode. Returns the run.
fn unreadable(w: &Workspace, args: &[&str]) -> Run {
    let before = w.export();
    let imports = w.imports().len();
    let run = w.run(args);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.totals()
            .ends_with("unreadable: no row could be read as an entry; nothing written or recorded"),
        "{}",
        run.totals()
    );
    assert_eq!(w.export(), before, "an unreadable load wrote");
    assert_eq!(
        w.imports().len(),
        imports,
        "an unreadable load was recorded"
    );
    run
}

#[test]
fn check_and_load_the_fixtures() {
    let w = Workspace::new();
    let json = fixture_str("az-institutions.json");
    let ndjson = fixture_str("az-institutions.ndjson");

    let check = w.run(&["check", &json]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.errors().is_empty());
    let totals = check.totals();
    assert!(
        totals.starts_with("created 58, updated 0, unchanged 0, rejected 0 ("),
        "{totals}"
    );
    assert!(totals.ends_with(" — checked, nothing written"), "{totals}");
    assert_eq!(w.export_lines(), 0);
    assert!(w.imports().is_empty(), "a check recorded an import");

    let report = w.run(&["check", "--report", "json", &json]).json();
    assert_eq!(report["outcome"], "dry_run");
    assert_eq!(report.get("import_id"), None);
    let warnings = report["warnings"].as_u64().unwrap();

    let load = w.run(&["load", &ndjson]);
    assert_eq!(load.code, 0, "{}", load.stderr);
    let totals = load.totals();
    assert!(
        totals.starts_with(&format!(
            "created 58, updated 0, unchanged 0, rejected 0 ({warnings} warnings, 0 notices) — loaded as import "
        )),
        "{totals}"
    );
    let id = totals.rsplit(' ').next().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(w.export_lines(), 58);
    let list = w.imports();
    assert_eq!(list.len(), 1);
    assert!(list[0].starts_with(&format!("{id}  ")), "{}", list[0]);
    assert_eq!(status(&list[0]), "committed");
    for part in [
        " create ",
        "created 58 updated 0 unchanged 0 rejected 0",
        " by cli ",
        "az-institutions.ndjson",
    ] {
        assert!(list[0].contains(part), "{part:?} not in {}", list[0]);
    }

    // Again: every row is a duplicate, exit code 1, nothing written.
    let again = w.run(&["load", "--report", "json", &json]);
    assert_eq!(again.code, 1);
    let report = again.json();
    assert_eq!(report["outcome"], "rejected");
    let counts: Vec<_> = ["created", "updated", "unchanged", "rejected"]
        .iter()
        .map(|k| report[k].as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![0, 0, 0, 58]);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 58);
    assert_eq!(rows[0]["file"], json.as_str());
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["registry_number"], "THR-000001");
    assert!(rows.iter().all(|r| r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["field"] == "/registry_number" && p["code"] == "duplicate")));
    assert_eq!(w.export_lines(), 58);

    // As an upsert: all unchanged, nothing rewritten.
    let before = w.export();
    let upsert = w.run(&["load", "--mode", "upsert", "--report", "json", &json]);
    assert_eq!(upsert.code, 0, "{}", upsert.stdout);
    let report = upsert.json();
    assert_eq!(report["outcome"], "committed");
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(58))
    );
    assert_eq!(w.export(), before);
}

#[test]
fn the_csv_fixtures_check_and_load_with_json_reports() {
    let w = Workspace::new();
    let mut args = vec!["check".to_string(), "--report".into(), "json".into()];
    args.extend(csv_fixtures());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let check = w.run(&args);
    assert_eq!(check.code, 0, "{}", check.stdout);
    let report = check.json();
    assert_eq!(report["outcome"], "dry_run");
    for (key, n) in [
        ("created", 58),
        ("updated", 0),
        ("unchanged", 0),
        ("rejected", 0),
    ] {
        assert_eq!(report[key], n, "{key}");
    }
    assert_eq!(report["rows"], serde_json::json!([]));
    assert_eq!(report["rows_not_listed"], 0);

    // Kind by kind, each its own import: the per-kind counts.
    for (kind, n) in PER_KIND {
        let file = fixture_str(&format!("csv/{kind}.csv"));
        let load = w.run(&["load", "--report", "json", &file]);
        assert_eq!(load.code, 0, "{kind}: {}", load.stdout);
        let report = load.json();
        assert_eq!(report["outcome"], "committed");
        assert_eq!(report["created"], n, "{kind}");
        assert_eq!(report["rejected"], 0, "{kind}");
        assert_eq!(report["import_id"].as_str().unwrap().len(), 36);
    }
    assert_eq!(w.export_lines(), 58);
    assert_eq!(w.imports().len(), 6);
}

#[test]
fn a_continue_load_stores_the_good_rows_and_exits_1() {
    let w = Workspace::new();
    let lines = csv_lines("theatre");
    let mut rows = lines.clone();
    rows[4] = set_cell(&lines[0], &lines[4], "seats", "0");
    let file = w.write("theatres.csv", &join(&rows, b"\n"));
    let file = file.display().to_string();
    let run = refused(&w, &["load", &file]);
    assert_eq!(
        run.totals().split(" (").next(),
        Some("rejected: nothing written — 1 row rejected, 11 rows passed")
    );
    let run = w.run(&["load", "--continue", &file]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.errors(),
        vec![format!(
            "{file}:5 THR-000004: error /seats out_of_range: 0 is out of range: 1…10000"
        )]
    );
    assert!(run
        .totals()
        .starts_with("created 11, updated 0, unchanged 0, rejected 1 ("));
    assert_eq!(w.export_lines(), 11);
    let list = w.imports();
    assert_eq!(status(&list[0]), "committed", "{}", list[0]);
    assert!(list[0].contains("created 11 updated 0 unchanged 0 rejected 1"));
}

#[test]
fn a_line_that_is_not_utf8_stops_the_load_on_its_line_and_column_and_writes_nothing() {
    let w = Workspace::new();
    let mut lines: Vec<Vec<u8>> = ndjson_lines().into_iter().take(5).collect();
    // Latin-1 `ç` (0xE7) inside a name.
    let at = String::from_utf8_lossy(&lines[2]).find("Musiqili").unwrap();
    let column = lines[2][..at].iter().filter(|b| *b & 0xC0 != 0x80).count() + "Musiqil".len() + 1;
    lines[2] = replace(&lines[2], "Musiqili".as_bytes(), b"Musiqil\xe7");
    let file = w.write("latin1.ndjson", &join(&lines, b"\n"));
    // Not even --continue stores the rows before it: the file is not what it says it is.
    for (args, ending) in [
        (
            vec!["load"],
            "an atomic load writes all or nothing (use --continue to store the good rows)",
        ),
        (vec!["load", "--continue"], "a file is not in its encoding"),
    ] {
        let args = [args, vec![file.to_str().unwrap()]].concat();
        let run = w.run(&args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(&format!(
                "{}:3:{column} -: error (entry) format: the file is not UTF-8; its bytes look like ",
                file.display()
            )),
            "{}",
            errors[0]
        );
        let totals = run.totals();
        assert!(
            totals.starts_with("rejected: nothing written — 1 row rejected, 2 rows passed ("),
            "{totals}"
        );
        assert!(totals.ends_with(ending), "{totals}");
        assert_eq!(w.export_lines(), 0);
    }
    let imports = w.imports();
    assert_eq!(imports.len(), 2);
    assert!(
        imports.iter().all(|i| status(i) == "rejected"),
        "{imports:?}"
    );
}

#[test]
fn a_byte_order_mark_loads_fine() {
    let w = Workspace::new();
    let bom = b"\xEF\xBB\xBF";
    let json = [
        bom,
        &std::fs::read(fixture("az-institutions.json")).unwrap()[..],
    ]
    .concat();
    let ndjson = [bom, &join(&ndjson_lines(), b"\n")[..]].concat();
    let csv = [bom, &join(&csv_lines("reserve"), b"\n")[..]].concat();
    let json = w.write("bom.json", &json);
    let ndjson = w.write("bom.ndjson", &ndjson);
    let csv = w.write("bom.csv", &csv);
    let check = w.run(&["check", "--report", "json", ndjson.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.json()["created"], 58);
    let check = w.run(&["check", "--report", "json", csv.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.json()["created"], 9);
    let load = w.run(&["load", "--report", "json", json.to_str().unwrap()]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    assert_eq!(load.json()["created"], 58);
    assert_eq!(w.export_lines(), 58);
}

#[test]
fn crlf_line_ends_load_fine_and_count_lines_right() {
    let w = Workspace::new();
    let ndjson = w.write("crlf.ndjson", &join(&ndjson_lines(), b"\r\n"));
    let theatres = w.write("crlf.csv", &join(&csv_lines("theatre"), b"\r\n"));
    let load = w.run(&["load", "--report", "json", ndjson.to_str().unwrap()]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    assert_eq!(load.json()["created"], 58);
    let w2 = Workspace::new();
    let load = w2.run(&["load", "--report", "json", theatres.to_str().unwrap()]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    assert_eq!(load.json()["created"], 12);

    // A bad row on line 3 of CRLF NDJSON, on line 6 of CRLF CSV after a two-line cell.
    let w = Workspace::new();
    let mut lines = ndjson_lines();
    lines.truncate(5);
    lines[2] = replace(&lines[2], b"\"seats\": 343", b"\"seats\": -1");
    let file = w.write("bad-crlf.ndjson", &join(&lines, b"\r\n"));
    let run = refused(&w, &["load", file.to_str().unwrap()]);
    assert_eq!(
        run.errors(),
        vec![format!(
            "{}:3 THR-000003: error /seats out_of_range: -1 is out of range: 1…10000",
            file.display()
        )]
    );

    let csv = csv_lines("theatre");
    let mut rows = csv.clone();
    rows[1] = set_cell(
        &csv[0],
        &csv[1],
        "alt_names.ru",
        "\"Театр оперы\r\nи балета\"",
    );
    rows[4] = set_cell(&csv[0], &csv[4], "seats", "0");
    let file = w.write("bad-crlf.csv", &join(&rows, b"\r\n"));
    let run = refused(&w, &["load", file.to_str().unwrap()]);
    let shown = file.display();
    assert_eq!(
        run.errors(),
        vec![
            format!("{shown}:2 THR-000001: error /alt_names/0/ru format: must not contain control characters"),
            format!("{shown}:6 THR-000004: error /seats out_of_range: 0 is out of range: 1…10000"),
        ]
    );
}

#[test]
fn a_truncated_json_array_is_refused_on_the_line_of_the_cut_entry() {
    let w = Workspace::new();
    let whole = std::fs::read(fixture("az-institutions.json")).unwrap();
    let cut = &whole[..whole.len() / 2];
    // The fixture writes each entry from a line of its own starting with `  {`.
    let text = String::from_utf8_lossy(cut);
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "  {")
        .map(|(i, _)| i + 1)
        .collect();
    let last = *starts.last().unwrap();
    let complete = starts.len() - 1;
    let file = w.write("cut.json", cut);
    let run = refused(&w, &["load", file.to_str().unwrap()]);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!(
            "{}:{last}:3 -: error (entry) format: the file ends in the middle of an entry",
            file.display()
        )),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("truncated"), "{}", errors[0]);
    assert!(
        run.totals().starts_with(&format!(
            "rejected: nothing written — 1 row rejected, {complete} rows passed ("
        )),
        "{}",
        run.totals()
    );
    assert_eq!(w.export_lines(), 0);
}

#[test]
fn csv_rows_with_a_missing_or_an_extra_column_are_refused_on_their_lines() {
    let w = Workspace::new();
    let csv = csv_lines("theatre");
    let mut rows = csv.clone();
    // Line 3 lacks its last cell, line 5 has one more.
    let cut = rows[2].iter().rposition(|b| *b == b',').unwrap();
    rows[2].truncate(cut);
    rows[4].extend_from_slice(b",extra");
    let file = w.write("columns.csv", &join(&rows, b"\n"));
    let run = refused(&w, &["load", file.to_str().unwrap()]);
    let shown = file.display();
    assert_eq!(
        run.errors(),
        vec![
            format!("{shown}:3 -: error (entry) format: 31 columns, the header has 32: a missing column"),
            format!("{shown}:5 -: error (entry) format: 33 columns, the header has 32: an extra column"),
        ]
    );
    assert!(run
        .totals()
        .starts_with("rejected: nothing written — 2 rows rejected, 10 rows passed ("));
    assert_eq!(w.export_lines(), 0);
}

#[test]
fn an_unknown_csv_column_is_refused_on_line_1() {
    let w = Workspace::new();
    let mut rows = csv_lines("theatre");
    rows[0] = replace(&rows[0], b",seats,", b",sitze,");
    let file = w.write("unknown.csv", &join(&rows, b"\n"));
    // No row can be read with that header: not even `--continue` records an import.
    let run = unreadable(&w, &["load", file.to_str().unwrap()]);
    let again = unreadable(&w, &["load", "--continue", file.to_str().unwrap()]);
    assert_eq!(again.errors(), run.errors());
    assert_eq!(
        run.errors(),
        vec![format!(
            "{}:1 -: error (entry) format: unknown column(s) for a theatre: sitze",
            file.display()
        )]
    );
    assert_eq!(w.export_lines(), 0);
}

#[test]
fn a_hundred_megabytes_of_random_bytes_are_refused_in_bounded_memory() {
    let w = Workspace::new();
    let started = Instant::now();
    let noise = random_bytes(100 * 1024 * 1024, 0x5eed_0dd5);
    // The same noise as printable ASCII in lines: UTF-8, but no entry.
    let text: Vec<u8> = noise
        .iter()
        .map(|b| if b % 64 == 0 { b'\n' } else { b'!' + b % 90 })
        .collect();
    w.write("text.ndjson", &text);
    drop(text);
    let header = &csv_lines("theatre")[0];
    w.write("noise.ndjson", &noise);
    let mut csv = header.clone();
    csv.push(b'\n');
    csv.extend_from_slice(&noise);
    w.write("noise.csv", &csv);
    drop(csv);
    let mut json = b"[\n".to_vec();
    json.extend_from_slice(&noise[..1024 * 1024]);
    w.write("noise.json", &json);
    drop(noise);
    eprintln!("generated in {:?}", started.elapsed());

    // Bytes that are not UTF-8 stop each file where they start, whatever its format.
    for args in [
        vec!["load", "noise.ndjson"],
        vec!["load", "--kind", "theatre", "noise.csv"],
        vec!["load", "noise.json"],
        vec!["load", "--format", "csv", "noise.ndjson"],
    ] {
        let started = Instant::now();
        let (run, peak) = run_measured(&w, &args);
        eprintln!("ucr {args:?}: {:?}", started.elapsed());
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(peak < MEMORY_LIMIT_KIB, "{args:?}: peak {peak} KiB");
        assert_eq!(
            run.totals(),
            "unreadable: no row could be read as an entry; nothing written or recorded"
        );
        let errors = run.errors();
        let last = errors.last().unwrap();
        assert!(
            last.starts_with(&format!("{}:", args.last().unwrap())),
            "{last}"
        );
        assert!(
            last.contains(" -: error (entry) format: the file is not UTF-8; its bytes look like "),
            "{last}"
        );
    }
    // Every line of the text noise is its own rejected row; the report lists the first
    // 10 000 and counts the rest.
    let (run, peak) = run_measured(&w, &["check", "--report", "json", "text.ndjson"]);
    assert!(peak < MEMORY_LIMIT_KIB, "peak {peak} KiB");
    let report = run.json();
    let rejected = report["rejected"].as_u64().unwrap();
    let listed = report["rows"].as_array().unwrap().len() as u64;
    assert_eq!(listed, 10_000);
    assert_eq!(
        report["rows_not_listed"].as_u64().unwrap(),
        rejected - listed
    );
    let lines = std::fs::read(w.path("text.ndjson"))
        .unwrap()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    assert_eq!(rejected, lines);
    assert_eq!(report["rows"][0]["line"], 1);
    assert!(report["rows"][0]["column"].as_u64().unwrap() >= 1);
    assert_eq!(w.export_lines(), 0);
}

/// A clerk's typo: a cell opens a quote that never closes, in a 100 MB file. The rest of the
/// file is one cell; reading it must stop at the entry limit, not hold the file in memory.
#[test]
fn an_unterminated_quote_in_a_large_csv_is_refused_in_bounded_memory() {
    let w = Workspace::new();
    let csv = csv_lines("theatre");
    let mut file = csv[0].clone();
    file.push(b'\n');
    file.extend_from_slice(&set_cell(
        &csv[0],
        &csv[1],
        "address.street",
        "\"Nizami küçəsi 95",
    ));
    file.push(b'\n');
    while file.len() < 100 * 1024 * 1024 {
        file.extend_from_slice(&csv[2]);
        file.push(b'\n');
    }
    w.write("quote.csv", &file);
    drop(file);
    let (run, peak) = run_measured(&w, &["load", "quote.csv"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("quote.csv:2 -: error (entry) format: longer than 1048576 bytes"),
        "{}",
        errors[0]
    );
    assert_eq!(w.export_lines(), 0);
    assert!(peak < MEMORY_LIMIT_KIB, "peak {peak} KiB");
}

/// One 10 MB entry between two good ones, in each format.
#[test]
fn a_single_ten_megabyte_line_is_refused_in_bounded_memory() {
    let big = "ə".repeat(5 * 1024 * 1024);
    let entry = format!(
        r#"{{"kind":"theatre","name":{{"az":"{big}"}},"region":"AZ-BA","ownership":"state","theatre_type":"drama"}}"#
    );
    let lines = ndjson_lines();
    let ndjson = join(
        &[
            lines[0].clone(),
            entry.clone().into_bytes(),
            lines[1].clone(),
        ],
        b"\n",
    );
    let json = format!(
        "[\n{},\n{entry},\n{}\n]\n",
        String::from_utf8_lossy(&lines[0]),
        String::from_utf8_lossy(&lines[1])
    );
    let csv = csv_lines("theatre");
    let long_row = set_cell(&csv[0], &csv[2], "name.az", &big);
    let csv = join(
        &[csv[0].clone(), csv[1].clone(), long_row, csv[3].clone()],
        b"\n",
    );

    // The entry is refused on its line; the good entries before and after it still count, and
    // with --continue they are stored.
    for (file, bytes, line) in [
        ("long.ndjson", ndjson, 2),
        ("long.csv", csv, 3),
        ("long.json", json.into_bytes(), 3),
    ] {
        let w = Workspace::new();
        w.write(file, &bytes);
        let (run, peak) = run_measured(&w, &["load", file]);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        assert!(peak < MEMORY_LIMIT_KIB, "{file}: peak {peak} KiB");
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(&format!("{file}:{line}")),
            "{}",
            errors[0]
        );
        assert!(
            errors[0].contains(" -: error (entry) format: "),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("1048576 bytes"), "{}", errors[0]);
        assert_eq!(w.export_lines(), 0);
        assert!(
            run.totals()
                .starts_with("rejected: nothing written — 1 row rejected, 2 rows passed ("),
            "{file}: {}",
            run.totals()
        );
        let (kept, _) = run_measured(&w, &["load", "--continue", file]);
        assert_eq!(kept.code, 1);
        assert_eq!(w.export_lines(), 2, "{file}: {}", kept.totals());
    }
}

#[test]
fn a_load_killed_in_the_middle_leaves_the_database_as_before() {
    use diesel::{Connection, QueryableByName, RunQueryDsl};

    let w = Workspace::new();
    let started = Instant::now();
    let generate = w.run(&[
        "generate",
        "--count",
        "200000",
        "--output",
        "synthetic.ndjson",
    ]);
    assert_eq!(generate.code, 0, "{}", generate.stderr);
    let lines = std::fs::read(w.path("synthetic.ndjson"))
        .unwrap()
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    assert_eq!(lines, 200_000);
    eprintln!("generated 200 000 rows in {:?}", started.elapsed());

    let theatres = fixture_str("csv/theatre.csv");
    let museums = fixture_str("csv/museum.csv");
    assert_eq!(w.run(&["load", &theatres, &museums]).code, 0);
    let before = w.export();
    assert_eq!(before.iter().filter(|b| **b == b'\n').count(), 21);
    let imports_before = w.imports();

    let wal = w.path("ucr.db-wal");
    let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let base = wal_size();
    let mut child = w
        .command(&["load", "synthetic.ndjson"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Mid-load: the transaction has filled SQLite's page cache (64 MiB) and spilled 4 MiB of
    // uncommitted pages into the WAL, or 40 s passed (a debug build reads about 1 000 rows/s,
    // so the 200 000 rows are far from done either way).
    while wal_size() < base + 4 * 1024 * 1024 && started.elapsed() < Duration::from_secs(40) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the load ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "killing after {:?}, WAL {} bytes",
        started.elapsed(),
        wal_size()
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the load already ended"
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by SIGKILL");

    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let mut conn = diesel::SqliteConnection::establish(w.path("ucr.db").to_str().unwrap()).unwrap();
    let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    let results: Vec<&str> = check.iter().map(|c| c.integrity_check.as_str()).collect();
    assert_eq!(results, vec!["ok"]);
    drop(conn);

    assert_eq!(w.export(), before, "the killed load left entries behind");
    let imports = w.imports();
    assert_eq!(imports, imports_before);
    assert!(imports.iter().all(|l| !l.contains("synthetic.ndjson")));
    // The register takes the next load as usual.
    let libraries = fixture_str("csv/library.csv");
    let load = w.run(&["load", &libraries]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    assert_eq!(w.export_lines(), 25);
}

#[test]
fn imports_are_listed_and_undone_end_to_end() {
    let w = Workspace::new();
    let import_id = |run: &Run| -> String {
        assert_eq!(run.code, 0, "{}", run.stdout);
        run.json()["import_id"].as_str().unwrap().to_string()
    };
    let theatres =
        import_id(&w.run(&["load", "--report", "json", &fixture_str("csv/theatre.csv")]));
    let museums = import_id(&w.run(&[
        "load",
        "--report",
        "json",
        "--actor",
        "clerk-leyla",
        &fixture_str("csv/museum.csv"),
    ]));
    let list = w.imports();
    assert_eq!(list.len(), 2);
    assert!(list[0].starts_with(&format!("{museums}  ")), "{}", list[0]);
    assert!(list[1].starts_with(&format!("{theatres}  ")), "{}", list[1]);
    assert!(list[0].contains("created 9 updated 0 unchanged 0 rejected 0  by clerk-leyla"));
    assert!(list[1].contains("created 12 updated 0 unchanged 0 rejected 0  by cli"));

    // Two theatres change after the load: its undo is refused, naming them.
    let csv = csv_lines("theatre");
    let changed = [
        csv[0].clone(),
        set_cell(&csv[0], &csv[2], "seats", "480"),
        set_cell(&csv[0], &csv[5], "halls", "2"),
    ];
    let file = w.write("changed.csv", &join(&changed, b"\n"));
    let upsert = w.run(&[
        "load",
        "--mode",
        "upsert",
        "--report",
        "json",
        file.to_str().unwrap(),
    ]);
    assert_eq!(upsert.code, 0, "{}", upsert.stdout);
    assert_eq!(upsert.json()["updated"], 2);
    let before = w.export();
    let undo = w.run(&["imports", "undo", &theatres]);
    assert_eq!(undo.code, 1, "{}", undo.stderr);
    let mut named: Vec<&str> = undo
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .collect();
    named.sort_unstable();
    assert_eq!(named, vec!["THR-000002", "THR-000005"]);
    assert!(undo
        .stderr
        .contains(&format!("import {theatres} cannot be undone")));
    assert_eq!(w.export(), before);
    assert_eq!(status(&w.imports()[2]), "committed");

    // The museums are untouched: their import undoes, once.
    let undo = w.run(&["imports", "undo", "--actor", "admin-elvin", &museums]);
    assert_eq!(undo.code, 0, "{}", undo.stderr);
    assert_eq!(undo.stdout.trim(), format!("import {museums} undone"));
    assert_eq!(w.export_lines(), 12);
    let list = w.imports();
    let line = list.iter().find(|l| l.starts_with(&museums)).unwrap();
    assert_eq!(status(line), "undone", "{line}");
    let again = w.run(&["imports", "undo", &museums]);
    assert_ne!(again.code, 0);
    assert!(
        again
            .stderr
            .contains("only a committed import can be undone"),
        "{}",
        again.stderr
    );
    assert_eq!(w.export_lines(), 12);
}

#[test]
fn geojson_export_is_a_feature_collection_of_points() {
    let w = Workspace::new();
    let located = serde_json::json!({
        "kind": "theatre",
        "registry_number": "THR-000100",
        "name": {"az": "Abdulla Şaiq adına Azərbaycan Dövlət Kukla Teatrı", "en": "Azerbaijan State Puppet Theatre"},
        "region": "AZ-BA",
        "location": {"lat": 40.3664, "lon": 49.8372},
        "ownership": "state",
        "theatre_type": "puppet",
        "seats": 210
    });
    let extra = w.write("located.ndjson", format!("{located}\n").as_bytes());
    let load = w.run(&[
        "load",
        &fixture_str("az-institutions.json"),
        extra.to_str().unwrap(),
    ]);
    assert_eq!(load.code, 0, "{}", load.stdout);

    // Where each entry is, from the input files.
    let mut input: Vec<Value> =
        serde_json::from_slice(&std::fs::read(fixture("az-institutions.json")).unwrap()).unwrap();
    input.push(located);
    let expected: std::collections::BTreeMap<String, Value> = input
        .iter()
        .map(|e| {
            let geometry = match e.get("location") {
                Some(l) => {
                    serde_json::json!({"type": "Point", "coordinates": [l["lon"], l["lat"]]})
                }
                None => Value::Null,
            };
            (e["registry_number"].as_str().unwrap().to_string(), geometry)
        })
        .collect();
    assert!(expected.values().filter(|g| !g.is_null()).count() >= 2);

    let run = w.run(&["export", "--format", "geojson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 59);
    let mut got = std::collections::BTreeMap::new();
    for f in features {
        assert_eq!(f["type"], "Feature");
        let number = f["properties"]["registry_number"].as_str().unwrap();
        got.insert(number.to_string(), f["geometry"].clone());
    }
    assert_eq!(got, expected);
    let puppets = &got["THR-000100"]["coordinates"];
    assert_eq!(puppets, &serde_json::json!([49.8372, 40.3664]));

    let run = w.run(&["export", "--format", "geojson", "--kind", "theatre"]);
    assert_eq!(run.json()["features"].as_array().unwrap().len(), 13);
}

/// An export filtered by a region that does not exist is refused, not an empty success.
#[test]
fn export_refuses_an_unknown_region() {
    let w = Workspace::new();
    let load = w.run(&["load", &fixture_str("az-institutions.json")]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    let sheki = w.run(&["export", "--format", "ndjson", "--region", "AZ-SA"]);
    assert_eq!(sheki.code, 0, "{}", sheki.stderr);
    assert_eq!(sheki.stdout.lines().count(), 4, "{}", sheki.stdout);
    let wrong = w.run(&["export", "--format", "ndjson", "--region", "AZ-XX"]);
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(
        wrong
            .stderr
            .contains("region `AZ-XX` is not an ISO 3166-2:AZ code"),
        "{}",
        wrong.stderr
    );
    assert_eq!(wrong.stdout, "");
}

/// A mistyped database path is not created as an empty register: `ucr check` checks against
/// an empty register in memory and writes nothing; `ucr export` and `ucr imports` refuse.
#[test]
fn a_missing_register_is_not_created_by_check_export_or_imports() {
    let w = Workspace::new();
    let db = w.path("ucr.db");
    let fixtures = fixture_str("az-institutions.json");
    let check = w.run(&["check", &fixtures]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stderr.contains(&format!(
            "no register at {}: checking against an empty register",
            db.display()
        )),
        "{}",
        check.stderr
    );
    for args in [&["export", "--format", "ndjson"][..], &["imports", "list"]] {
        let run = w.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "no register at {}: `ucr load` or `ucr serve` creates one",
                db.display()
            )),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{args:?}");
    }
    assert!(
        !db.exists(),
        "a check, an export or a list created {}",
        db.display()
    );
    // `ucr load` creates the register; then the same commands answer.
    let load = w.run(&["load", &fixtures]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    assert!(db.exists());
    assert_eq!(w.imports().len(), 1);
    assert_eq!(w.export_lines(), 58);
}

/// `ucr export --output` writes the whole file or none: an export that fails half way (here
/// an entry whose stored body is damaged) leaves the file that was there as it was, and no
/// partial file beside it.
#[test]
fn a_failed_export_leaves_the_output_file_as_it_was() {
    use diesel::{Connection, RunQueryDsl};
    let w = Workspace::new();
    let load = w.run(&["load", &fixture_str("az-institutions.json")]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    let out = w.path("museums.csv");
    let out_str = out.to_str().unwrap();
    let good = w.run(&[
        "export", "--format", "csv", "--kind", "museum", "--output", out_str,
    ]);
    assert_eq!(good.code, 0, "{}", good.stderr);
    assert!(
        good.stderr.contains("9 entries exported"),
        "{}",
        good.stderr
    );
    let exported = std::fs::read(&out).unwrap();
    assert_eq!(exported.iter().filter(|b| **b == b'\n').count(), 10);

    let mut conn = diesel::SqliteConnection::establish(w.path("ucr.db").to_str().unwrap()).unwrap();
    diesel::sql_query("UPDATE entries SET body = '{\"id\": ' WHERE registry_number = 'MUS-000009'")
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    let failed = w.run(&[
        "export", "--format", "csv", "--kind", "museum", "--output", out_str,
    ]);
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    assert!(failed.stderr.contains("stored entry"), "{}", failed.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), exported);
    // Nothing beside it: the register's own files and the export.
    let mut files: Vec<String> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("ucr.db"))
        .collect();
    files.sort();
    assert_eq!(files, ["museums.csv"]);
}

/// `--output` keeps what the file at that path was: its permissions, and the file a symbolic
/// link names (the link stays a link).
#[test]
fn an_export_keeps_the_output_file_permissions_and_links() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workspace::new();
    let load = w.run(&["load", &fixture_str("az-institutions.json")]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    let private = w.write("heads.ndjson", b"old\n");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = w.path("latest.ndjson");
    std::os::unix::fs::symlink(&private, &link).unwrap();
    let args = [
        "export",
        "--format",
        "ndjson",
        "--personal-data",
        "--output",
    ];
    let run = w.run(&[&args[..], &[link.to_str().unwrap()]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let written = std::fs::read_to_string(&private).unwrap();
    assert_eq!(written.lines().count(), 58);
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// The fixture entries that refer to no other entry, without their registry numbers (nor
/// inventory numbers, which are unique): a list as another system keeps it.
fn unnumbered_rows() -> Vec<Value> {
    ndjson_lines()
        .iter()
        .map(|l| serde_json::from_slice::<Value>(l).unwrap())
        .filter(|v| {
            ["parent_id", "reserve_id", "museum_id"]
                .iter()
                .all(|f| v.get(*f).is_none())
        })
        .map(|mut v| {
            let map = v.as_object_mut().unwrap();
            map.remove("registry_number");
            map.remove("inventory_number");
            v
        })
        .collect()
}

fn ndjson_of(rows: &[Value]) -> Vec<u8> {
    let lines: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| serde_json::to_vec(r).unwrap())
        .collect();
    join(&lines, b"\n")
}

/// The entries of the register, by registry number.
fn exported(w: &Workspace) -> std::collections::BTreeMap<String, Value> {
    w.export()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice::<Value>(l).unwrap())
        .map(|e| (e["registry_number"].as_str().unwrap().to_string(), e))
        .collect()
}

/// (line, message) of every `possible_duplicate` warning of a JSON report's accepted rows.
fn possible_duplicates(report: &Value) -> Vec<(u64, String)> {
    report["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            row["problems"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["code"] == "possible_duplicate")
                .map(|p| {
                    assert_eq!(p["severity"], "warning");
                    assert_eq!(p["field"], "/name/az");
                    (
                        row["line"].as_u64().unwrap(),
                        p["message"].as_str().unwrap().to_string(),
                    )
                })
        })
        .collect()
}

fn duplicate_message(number: &str) -> String {
    format!(
        "{number} has the same kind, region and name: this may be the same entry \
         (give its registry number to update it)"
    )
}

#[test]
fn loading_the_same_file_twice_warns_of_possible_duplicates() {
    let w = Workspace::new();
    let rows = unnumbered_rows();
    w.write("list.ndjson", &ndjson_of(&rows));
    let first = w.run(&["load", "--report", "json", "list.ndjson"]);
    assert_eq!(first.code, 0, "{}", first.stdout);
    let first = first.json();
    assert_eq!(first["created"], rows.len() as u64);
    assert_eq!(possible_duplicates(&first), vec![]);
    // Which entry each row became.
    let key = |e: &Value| {
        (
            e["kind"].clone(),
            e["region"].clone(),
            e["name"]["az"].clone(),
        )
    };
    let stored: Vec<((Value, Value, Value), String)> = exported(&w)
        .into_iter()
        .map(|(number, e)| (key(&e), number))
        .collect();
    let number_of = |row: &Value| {
        let k = key(row);
        stored.iter().find(|(s, _)| *s == k).unwrap().1.clone()
    };

    // The second time every row is written again, and each names the entry it may duplicate.
    let second = w.run(&["load", "--report", "json", "list.ndjson"]);
    assert_eq!(second.code, 0, "{}", second.stdout);
    let second = second.json();
    assert_eq!(second["created"], rows.len() as u64);
    let expected: Vec<(u64, String)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, duplicate_message(&number_of(r))))
        .collect();
    assert_eq!(possible_duplicates(&second), expected);
    assert_eq!(exported(&w).len(), 2 * rows.len());
    // The text report lists them.
    let check = w.run(&["check", "list.ndjson"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    let line = format!(
        "list.ndjson:1 -: warning /name/az possible_duplicate: {}",
        duplicate_message(&number_of(&rows[0]))
    );
    assert!(check.stdout.lines().any(|l| l == line), "{}", check.stdout);

    // Within one load: the second of two rows alike names the first. The name folds as
    // search folds it (case, `ə`, spaces); a row that gives its registry number is not asked.
    let w = Workspace::new();
    let mut again = rows[0].clone();
    let name = again["name"]["az"].as_str().unwrap().to_string();
    again["name"]["az"] = Value::from(format!("  {}", name.to_uppercase().replace('Ə', "E")));
    let mut numbered = rows[0].clone();
    numbered["registry_number"] = Value::from("THR-000100");
    w.write(
        "twice.ndjson",
        &ndjson_of(&[rows[0].clone(), again, numbered]),
    );
    let run = w.run(&["load", "--report", "json", "twice.ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.json();
    assert_eq!(report["created"], 3);
    let first_number = exported(&w)
        .into_iter()
        .find(|(n, _)| n != "THR-000100")
        .unwrap()
        .0;
    assert_eq!(
        possible_duplicates(&report),
        vec![(2, duplicate_message(&first_number))]
    );
}

#[test]
fn an_upsert_matches_rows_on_isil_and_on_wikidata_and_its_dry_run_lists_the_changes() {
    let w = Workspace::new();
    // The fixture libraries with an ISIL and a Wikidata item each (identifiers made up for
    // the test).
    let mut libraries: Vec<Value> = ndjson_lines()
        .iter()
        .map(|l| serde_json::from_slice::<Value>(l).unwrap())
        .filter(|v| v["kind"] == "library")
        .collect();
    assert_eq!(libraries.len(), 4);
    for (i, l) in libraries.iter_mut().enumerate() {
        l["isil"] = Value::from(format!("AZ-T{i}"));
        l["external_ids"] = serde_json::json!({"wikidata": format!("Q{}", 990_001 + i)});
    }
    w.write("libraries.ndjson", &ndjson_of(&libraries));
    let load = w.run(&["load", "libraries.ndjson"]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    let before = exported(&w);
    assert_eq!(before["LIB-000001"]["holdings"], 4_690_311);

    // The list as another system keeps it: no registry numbers, one figure changed.
    let mut list: Vec<Value> = libraries.clone();
    for l in &mut list {
        l.as_object_mut().unwrap().remove("registry_number");
    }
    list[0]["holdings"] = Value::from(4_700_000);
    w.write("by-isil.ndjson", &ndjson_of(&list));
    let upsert = ["--mode", "upsert", "--match", "isil"];
    let check = w.run(
        &[
            &["check", "--report", "json"][..],
            &upsert,
            &["by-isil.ndjson"],
        ]
        .concat(),
    );
    assert_eq!(check.code, 0, "{}", check.stdout);
    let report = check.json();
    assert_eq!(
        (&report["created"], &report["updated"], &report["unchanged"]),
        (&Value::from(0), &Value::from(1), &Value::from(3))
    );
    assert_eq!(
        report["changes"],
        serde_json::json!([{"file": "by-isil.ndjson", "line": 1, "registry_number": "LIB-000001",
            "fields": [{"field": "/holdings", "old": 4_690_311, "new": 4_700_000}]}])
    );
    let text = w.run(&[&["check"][..], &upsert, &["by-isil.ndjson"]].concat());
    assert!(
        text.stdout
            .lines()
            .any(|l| l == "by-isil.ndjson:1 LIB-000001: would change /holdings: 4690311 → 4700000"),
        "{}",
        text.stdout
    );
    assert_eq!(exported(&w), before, "a check writes nothing");
    let load = w.run(
        &[
            &["load", "--report", "json"][..],
            &upsert,
            &["by-isil.ndjson"],
        ]
        .concat(),
    );
    assert_eq!(load.code, 0, "{}", load.stdout);
    assert_eq!(load.json()["updated"], 1);
    assert_eq!(load.json()["changes"], serde_json::json!([]));
    let after = exported(&w);
    assert_eq!(after.len(), 4);
    assert_eq!(after["LIB-000001"]["holdings"], 4_700_000);
    assert_eq!(after["LIB-000001"]["version"], 2);

    // By Wikidata item: another field of another entry.
    list[1]["founded_year"] = Value::from(2004);
    w.write("by-wikidata.ndjson", &ndjson_of(&list));
    let load = w.run(&[
        "load",
        "--report",
        "json",
        "--mode",
        "upsert",
        "--match",
        "wikidata",
        "by-wikidata.ndjson",
    ]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    let report = load.json();
    assert_eq!(
        (&report["created"], &report["updated"], &report["unchanged"]),
        (&Value::from(0), &Value::from(1), &Value::from(3))
    );
    let after = exported(&w);
    assert_eq!(after.len(), 4);
    assert_eq!(after["LIB-000002"]["founded_year"], 2004);

    // A row whose item is one entry's while it gives another's registry number is refused.
    let mut crossed = list[2].clone();
    crossed["registry_number"] = Value::from("LIB-000004");
    w.write("crossed.ndjson", &ndjson_of(&[crossed]));
    let run = refused(
        &w,
        &[
            "load",
            "--mode",
            "upsert",
            "--match",
            "wikidata",
            "crossed.ndjson",
        ],
    );
    assert_eq!(
        run.errors(),
        vec![
            "crossed.ndjson:1 LIB-000004: error /registry_number cross_field: the row's wikidata \
             matches LIB-000003, not the registry number it gives, LIB-000004"
        ]
    );
    // Matching on a key is for upserts.
    let run = w.run(&["load", "--match", "isil", "by-isil.ndjson"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.trim(),
        "ucr: --match isil matches rows to existing entries: it needs --mode upsert"
    );
}

/// Text in Windows-1251: ASCII as it is, Russian letters as their single bytes.
fn windows_1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() => c as u8,
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            'ё' => 0xB8,
            'Ё' => 0xA8,
            _ => panic!("{c} is not in Windows-1251"),
        })
        .collect()
}

#[test]
fn semicolon_separated_and_windows_1251_files_load() {
    // Excel in an Azerbaijani, Russian or Turkish locale writes `;` between columns.
    let comma = join(&csv_lines("theatre"), b"\r\n");
    let semicolon: Vec<u8> = comma
        .iter()
        .map(|b| if *b == b',' { b';' } else { *b })
        .collect();
    let w = Workspace::new();
    w.write("theatres.csv", &semicolon);
    let load = w.run(&["load", "--report", "json", "theatres.csv"]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    assert_eq!(load.json()["created"], 12);
    let by_semicolon = exported(&w);
    let w2 = Workspace::new();
    w2.write("theatres.csv", &comma);
    assert_eq!(w2.run(&["load", "theatres.csv"]).code, 0);
    let strip = |m: std::collections::BTreeMap<String, Value>| -> Vec<Value> {
        m.into_values()
            .map(|mut e| {
                for f in ["id", "created_at", "updated_at"] {
                    e.as_object_mut().unwrap().remove(f);
                }
                e
            })
            .collect()
    };
    assert_eq!(strip(by_semicolon), strip(exported(&w2)));
    // --delimiter overrides what the header suggests: read with `,`, the file has one column.
    let w3 = Workspace::new();
    w3.write("theatres.csv", &semicolon);
    let run = w3.run(&[
        "check",
        "--delimiter",
        ",",
        "--kind",
        "theatre",
        "theatres.csv",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.errors()[0].starts_with("theatres.csv:1 -: error (entry) format: unknown column(s) for a theatre: kind;registry_number;"),
        "{:?}",
        run.errors()
    );

    // A list saved in a Russian locale: `;` and Windows-1251.
    let russian = "kind;name.az;name.ru;region;ownership;theatre_type\r\n\
                   theatre;Rus Dram Teatri;Русский драматический театр;AZ-BA;state;drama\r\n";
    let w = Workspace::new();
    w.write("russian.csv", &windows_1251(russian));
    // Read as UTF-8 it is refused where its first Russian letter is, naming the encoding.
    let run = unreadable(&w, &["load", "russian.csv"]);
    assert_eq!(
        run.errors(),
        vec![
            "russian.csv:2:25 -: error (entry) format: the file is not UTF-8; its bytes look like \
             windows-1251: load it with the encoding windows-1251. Nothing of the load is written"
        ]
    );
    let load = w.run(&["load", "--encoding", "windows-1251", "russian.csv"]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    let entries = exported(&w);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries["THR-000001"]["name"],
        serde_json::json!({"az": "Rus Dram Teatri", "ru": "Русский драматический театр"})
    );
}

#[test]
fn a_load_that_fails_before_its_first_row_leaves_no_database() {
    let w = Workspace::new();
    std::fs::create_dir(w.path("folder.csv")).unwrap();
    for (args, message) in [
        (
            vec!["load", "missing.csv"],
            "ucr: opening missing.csv: No such file or directory (os error 2)",
        ),
        (
            vec!["load", "folder.csv"],
            "ucr: folder.csv is a directory, not a file of entries",
        ),
    ] {
        let run = w.run(&args);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert_eq!(run.stderr.trim(), message);
        assert!(!w.path("ucr.db").exists(), "{args:?} created a database");
    }
}

#[test]
fn check_offers_no_option_of_a_writing_load() {
    let w = Workspace::new();
    w.write("theatres.csv", &join(&csv_lines("theatre"), b"\n"));
    for option in ["--continue", "--atomic", "--actor=ana"] {
        let run = w.run(&["check", option, "theatres.csv"]);
        assert_eq!(run.code, 2, "{option}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!(
                "unexpected argument '{}'",
                option.split('=').next().unwrap()
            )),
            "{option}: {}",
            run.stderr
        );
    }
    let help = w.run(&["check", "--help"]);
    for option in ["--match", "--delimiter", "--encoding", "--mode", "--report"] {
        assert!(help.stdout.contains(option), "{}", help.stdout);
    }
}

/// The report of `tests/data/clerk-list.ndjson` (shown in the README): a monument typed with a
/// Cyrillic `с` and a dash in its state-list numbers, a theatre with a phone and a postal code
/// as people write them, and a theatre with 0 seats.
const CLERK_LIST: &str = "clerk-list.ndjson";

fn clerk_list(w: &Workspace) -> String {
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/clerk-list.ndjson"))
            .unwrap();
    w.write(CLERK_LIST, &bytes);
    CLERK_LIST.to_string()
}

/// The lines of the rejected row, then those of the accepted rows, of the clerk list.
const REJECTED_LINES: [&str; 3] = [
    "clerk-list.ndjson:3 -: warning /location required: no location: the entry will not appear on maps or in searches by distance",
    "clerk-list.ndjson:3 -: warning /tax_id required: a state institution without a VÖEN cannot be matched with the tax register",
    "clerk-list.ndjson:3 -: error /seats out_of_range: 0 is out of range: 1…10000",
];
const ACCEPTED_LINES: [&str; 8] = [
    "clerk-list.ndjson:1 -: warning /name/en required: no English name: international users will see only the Azerbaijani one",
    "clerk-list.ndjson:1 -: warning /location required: no location: the entry will not appear on maps or in searches by distance",
    "clerk-list.ndjson:1 -: notice /name/az look_alike_letters: Cyrillic letters that look Latin, inside Latin words, stored as their Latin twins: `Ordubad Cümə məsсidi` → `Ordubad Cümə məscidi`",
    "clerk-list.ndjson:1 -: notice /inventory_number normalized_dash: stored as the state list writes it: dashes as hyphens, several numbers joined by `, `: `5291—2, 390` → `5291-2, 390`",
    "clerk-list.ndjson:2 -: warning /location required: no location: the entry will not appear on maps or in searches by distance",
    "clerk-list.ndjson:2 -: warning /tax_id required: a state institution without a VÖEN cannot be matched with the tax register",
    "clerk-list.ndjson:2 -: notice /address/postal_code normalized_postal_code: stored as AZ and four digits: `az 5500` → `AZ5500`",
    "clerk-list.ndjson:2 -: notice /contacts/phone normalized_phone: stored in E.164 (+994 and nine digits): `(024) 244 50 51` → `+994242445051`",
];

#[test]
fn reports_list_the_errors_warnings_and_notices_of_every_row() {
    let w = Workspace::new();
    let file = clerk_list(&w);
    // A check lists every row's problems, the accepted rows' notices with the values given and
    // stored.
    let check = w.run(&["check", &file]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    let mut want: Vec<&str> = REJECTED_LINES.to_vec();
    want.extend(ACCEPTED_LINES);
    want.push(
        "created 2, updated 0, unchanged 0, rejected 1 (4 warnings, 4 notices) — checked, nothing written",
    );
    assert_eq!(check.stdout.lines().collect::<Vec<_>>(), want);

    // An atomic load refused: the same lines, and it says it wrote nothing.
    let refused = refused(&w, &["load", &file]);
    assert_eq!(
        refused.stdout.lines().last(),
        Some(
            "rejected: nothing written — 1 row rejected, 2 rows passed (4 warnings, 4 notices); \
             an atomic load writes all or nothing (use --continue to store the good rows)"
        )
    );
    let json = w.run(&["load", "--report", "json", &file]);
    assert_eq!(json.code, 1);
    let report = json.json();
    assert_eq!(report["outcome"], "rejected");
    for (key, n) in [
        ("created", 0),
        ("updated", 0),
        ("unchanged", 0),
        ("rejected", 1),
        ("not_written", 2),
        ("warnings", 4),
        ("notices", 4),
        ("accepted_not_listed", 0),
    ] {
        assert_eq!(report[key], n, "{key}");
    }
    assert_eq!(report["rows"][0]["line"], 3);
    assert_eq!(
        report["accepted"][0],
        serde_json::json!({"file": "clerk-list.ndjson", "line": 1, "problems": [
            {"field": "/name/en", "code": "required", "severity": "warning",
             "message": "no English name: international users will see only the Azerbaijani one"},
            {"field": "/location", "code": "required", "severity": "warning",
             "message": "no location: the entry will not appear on maps or in searches by distance"},
            {"field": "/name/az", "code": "look_alike_letters", "severity": "notice",
             "message": "Cyrillic letters that look Latin, inside Latin words, stored as their Latin twins",
             "given": "Ordubad Cümə məsсidi", "stored": "Ordubad Cümə məscidi"},
            {"field": "/inventory_number", "code": "normalized_dash", "severity": "notice",
             "message": "stored as the state list writes it: dashes as hyphens, several numbers joined by `, `",
             "given": "5291—2, 390", "stored": "5291-2, 390"}
        ]})
    );
    assert_eq!(report["accepted"][1]["line"], 2);
    assert_eq!(report["accepted"].as_array().unwrap().len(), 2);
    assert_eq!(w.export_lines(), 0);

    // In JSON, --summary leaves the accepted rows out of the list, counts them, and tallies
    // their warnings and notices.
    let summarised = w
        .run(&["check", "--report", "json", "--summary", &file])
        .json();
    assert_eq!(summarised["accepted"], serde_json::json!([]));
    assert_eq!(summarised["accepted_not_listed"], 2);
    assert_eq!(
        summarised["summary"][0],
        serde_json::json!(
        {"severity": "warning", "field": "/location", "code": "required", "count": 2})
    );
    assert_eq!(summarised["summary"].as_array().unwrap().len(), 7);

    // Kept going with --summary: the accepted rows counted per field and code.
    let load = w.run(&["load", "--continue", "--summary", &file]);
    assert_eq!(load.code, 1, "{}", load.stderr);
    let lines: Vec<&str> = load.stdout.lines().collect();
    assert_eq!(lines[..3], REJECTED_LINES);
    assert_eq!(
        lines[3..11],
        [
            "accepted rows, by field and code:",
            "  warning /location required: 2",
            "  warning /name/en required: 1",
            "  warning /tax_id required: 1",
            "  notice /address/postal_code normalized_postal_code: 1",
            "  notice /contacts/phone normalized_phone: 1",
            "  notice /inventory_number normalized_dash: 1",
            "  notice /name/az look_alike_letters: 1",
        ]
    );
    assert!(
        lines[11].starts_with(
            "created 2, updated 0, unchanged 0, rejected 1 (4 warnings, 4 notices) — loaded as import "
        ),
        "{}",
        lines[11]
    );
    assert_eq!(lines.len(), 12);
    // What was stored is what the notices said.
    let stored: Vec<Value> = w
        .export()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0]["name"]["az"], "Ordubad Cümə məscidi");
    assert_eq!(stored[0]["inventory_number"], "5291-2, 390");
    assert_eq!(stored[1]["contacts"]["phone"], "+994242445051");
    assert_eq!(stored[1]["address"]["postal_code"], "AZ5500");
}

/// `ucr export --format jsonld` names entries by the public URL it is given, one schema.org
/// document per line, and refuses to start without one.
#[test]
fn a_json_ld_export_needs_the_public_url() {
    let w = Workspace::new();
    let load = w.run(&["load", &fixture_str("az-institutions.json")]);
    assert_eq!(load.code, 0, "{}", load.stdout);
    let refused = w
        .command(&["export", "--format", "jsonld"])
        .env_remove("UCR_PUBLIC_URL")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--public-url"));
    assert!(refused.stdout.is_empty());
    let bad = w.run(&[
        "export",
        "--format",
        "jsonld",
        "--public-url",
        "register.example",
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let run = w.run(&[
        "export",
        "--format",
        "jsonld",
        "--kind",
        "museum",
        "--public-url",
        "https://register.example/",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 9);
    for d in &docs {
        assert_eq!(d["@context"], "https://register.example/ld/context.jsonld");
        assert!(d["@id"]
            .as_str()
            .unwrap()
            .starts_with("https://register.example/api/v1/entries/"));
        assert_eq!(d["@type"], "Museum");
    }
}

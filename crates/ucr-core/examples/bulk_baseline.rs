//! Baseline of the bulk-load benchmark: the same rows loaded the database's own fast way,
//! with no validation, no revisions and no indexes but the primary key.
//!
//! - SQLite: one prepared `INSERT` (cached by diesel) per row, one transaction, WAL.
//! - PostgreSQL: `COPY … FROM STDIN` of the rows as CSV.
//!
//! Usage: `bulk_baseline sqlite PATH.db ROWS.ndjson` or `bulk_baseline postgres URL ROWS.ndjson`.
//! Prints the seconds taken.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::io::BufRead;

diesel::table! {
    baseline (registry_number) {
        registry_number -> Text,
        kind -> Text,
        name_az -> Text,
        region -> Nullable<Text>,
        status -> Text,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        founded_year -> Nullable<BigInt>,
        type_word -> Nullable<Text>,
        body -> Text,
    }
}

#[derive(Insertable)]
#[diesel(table_name = baseline, treat_none_as_default_value = false)]
struct Row {
    registry_number: String,
    kind: String,
    name_az: String,
    region: Option<String>,
    status: String,
    lat: Option<f64>,
    lon: Option<f64>,
    founded_year: Option<i64>,
    type_word: Option<String>,
    body: String,
}

const CREATE: &str = "CREATE TABLE baseline (registry_number TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, \
    name_az TEXT NOT NULL, region TEXT, status TEXT NOT NULL, lat DOUBLE PRECISION, lon DOUBLE PRECISION, \
    founded_year BIGINT, type_word TEXT, body TEXT NOT NULL)";

fn rows(path: &str) -> impl Iterator<Item = Row> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    file.lines().map(|line| {
        let line = line.unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        Row {
            registry_number: s("registry_number").unwrap(),
            kind: s("kind").unwrap(),
            name_az: v["name"]["az"].as_str().unwrap().to_string(),
            region: s("region"),
            status: s("status").unwrap_or_else(|| "active".into()),
            lat: v["location"]["lat"].as_f64(),
            lon: v["location"]["lon"].as_f64(),
            founded_year: v["founded_year"].as_i64(),
            type_word: [
                "theatre_type",
                "library_type",
                "museum_profile",
                "reserve_type",
                "school_type",
                "category",
            ]
            .iter()
            .find_map(|k| s(k)),
            body: line,
        }
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (backend, target, file) = (&args[1], &args[2], &args[3]);
    let started = std::time::Instant::now();
    let count = match backend.as_str() {
        "sqlite" => {
            let _ = std::fs::remove_file(target);
            let mut c = SqliteConnection::establish(target).unwrap();
            c.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                .unwrap();
            c.batch_execute(CREATE).unwrap();
            c.transaction::<_, diesel::result::Error, _>(|c| {
                let mut n = 0u64;
                for row in rows(file) {
                    diesel::insert_into(baseline::table)
                        .values(&row)
                        .execute(c)?;
                    n += 1;
                }
                Ok(n)
            })
            .unwrap()
        }
        "postgres" => {
            let mut c = PgConnection::establish(target).unwrap();
            c.batch_execute("DROP TABLE IF EXISTS baseline").unwrap();
            c.batch_execute(CREATE).unwrap();
            let all: Vec<Row> = rows(file).collect();
            let n = all.len() as u64;
            diesel::copy_from(baseline::table)
                .from_insertable(all)
                .execute(&mut c)
                .unwrap();
            n
        }
        other => panic!("unknown backend {other}"),
    };
    let secs = started.elapsed().as_secs_f64();
    println!("{count} {secs:.3}");
}

//! Storage: the register on SQLite or PostgreSQL through diesel.
//!
//! Every write runs in one transaction that first takes the change counter (which serialises
//! writers until commit on both backends), then runs the rules that need the database —
//! uniqueness, references, cycles, status transitions, the expected version — writes the
//! entry with a version check in its `UPDATE`, and appends a revision numbered by the global
//! change sequence. Unique indexes and foreign keys back the same rules in the schema.
//!
//! Each state of an entry is stored once: the revision that is the entry's current version
//! stores no body (the entry's row holds it), and a writer copies the body into it before the
//! row changes or is deleted. Readers of history and of the change feed read the view
//! `revision_log`, which gives every revision its body.

pub(crate) mod batch;
pub(crate) mod bulk;
pub mod connection;
pub(crate) mod counters;
pub(crate) mod export;
pub(crate) mod facts;
pub(crate) mod harvest;
pub(crate) mod imports;
pub(crate) mod index;
pub(crate) mod lookup;
pub(crate) mod rows;
pub(crate) mod schema;
pub(crate) mod search;
pub(crate) mod tokens;
pub(crate) mod write;

pub(crate) use counters::Counters;
pub(crate) use lookup::find;
pub(crate) use write::{insert, prepare_create, remove, save_update, Prepared};

use chrono::{DateTime, NaiveDateTime, Utc};

/// Microsecond precision on both backends, so round trips agree.
pub(crate) fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// [`now`] as the databases store it.
pub(crate) fn naive_now() -> NaiveDateTime {
    naive(now())
}

pub(crate) fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

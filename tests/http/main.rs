//! Black-box tests of the whole service over real HTTP: a server on port 0 per test, on every
//! configured backend (SQLite always; PostgreSQL when `UCR_TEST_POSTGRES_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod clerks;
mod concurrency;
mod imports;
mod jsonld;
mod oai;
mod ogc;
mod openapi_walk;
mod promises;
mod reconcile;
mod round_trip;
mod smoke;
mod statuses;
mod support;
mod window;

pub use support::*;

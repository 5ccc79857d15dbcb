//! Black-box tests of the whole service over real HTTP: a server on port 0 per test, on every
//! configured backend (SQLite always; PostgreSQL when `UCR_TEST_POSTGRES_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod concurrency;
mod jsonld;
mod ogc;
mod openapi_walk;
mod round_trip;
mod smoke;
mod statuses;
mod support;
mod window;

pub use support::*;

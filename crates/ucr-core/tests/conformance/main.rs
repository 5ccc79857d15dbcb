//! Conformance of the register's storage: the same tests on every configured backend
//! (SQLite always; PostgreSQL when `UCR_TEST_POSTGRES_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod concurrency;
mod fixtures;
mod harvest;
mod history;
mod import;
mod lifecycle;
mod reconcile;
mod references;
mod roles;
mod schema;
mod search;
mod uniqueness;

use serde_json::{json, Value};
use ucr_core::testing::Scratch;
use ucr_core::{Code, Register, RegisterError, Role, Write};

/// Runs `test` once per backend, naming the backend in any failure.
pub fn each_backend(test: impl Fn(&Register)) {
    for scratch in Scratch::all().expect("scratch databases") {
        eprintln!("backend: {}", scratch.backend);
        test(scratch.register());
    }
}

pub fn clerk() -> Write {
    Write::by("clerk-ana", Role::Clerk)
}

pub fn admin() -> Write {
    Write::by("admin-elvin", Role::Admin)
}

/// The real fixtures, in file order except that entries referring to others come last (one
/// by one, a reference must name an entry that already exists).
pub fn fixtures() -> Vec<Value> {
    let text = include_str!("../../../../fixtures/az-institutions.json");
    let mut all = serde_json::from_str::<Vec<Value>>(text).expect("fixtures parse");
    let refers = |v: &Value| {
        ["parent_id", "reserve_id", "museum_id"]
            .iter()
            .any(|f| v.get(f).is_some())
    };
    all.sort_by_key(refers);
    all
}

/// A real theatre (Azerbaijan State Puppet Theatre) without a registry number.
pub fn theatre() -> Value {
    json!({
        "kind": "theatre",
        "name": {"az": "Abdulla Şaiq adına Azərbaycan Dövlət Kukla Teatrı", "en": "Azerbaijan State Puppet Theatre named after Abdulla Shaig"},
        "region": "AZ-BA",
        "address": {"locality": "Bakı", "street": "Neftçilər prospekti 36"},
        "location": {"lat": 40.3664, "lon": 49.8372},
        "ownership": "state",
        "founded_year": 1931,
        "contacts": {"phone": "+994 12 492 64 25"},
        "theatre_type": "puppet",
        "seats": 210
    })
}

/// A real museum (National Museum of History of Azerbaijan).
pub fn museum() -> Value {
    json!({
        "kind": "museum",
        "name": {"az": "Azərbaycan Milli Tarix Muzeyi", "en": "National Museum of History of Azerbaijan"},
        "region": "AZ-BA",
        "ownership": "state",
        "founded_year": 1920,
        "museum_profile": "history"
    })
}

/// A real reserve (Icherisheher).
pub fn reserve() -> Value {
    json!({
        "kind": "reserve",
        "name": {"az": "\"İçərişəhər\" Dövlət Tarix-Memarlıq Qoruğu", "en": "Icherisheher State Historical-Architectural Reserve"},
        "region": "AZ-BA",
        "ownership": "state",
        "founded_year": 1977,
        "reserve_type": "historical_architectural",
        "established_by": {"act": "Council of Ministers of the Azerbaijan SSR decision", "number": "280", "date": "1977-08-10"},
        "unesco_whs_id": 958
    })
}

/// A real monument (Maiden Tower) in the reserve `reserve`.
pub fn monument(reserve: &str) -> Value {
    json!({
        "kind": "heritage_object",
        "name": {"az": "Qız qalası", "en": "Maiden Tower"},
        "region": "AZ-BA",
        "category": "immovable",
        "monument_type": "architecture",
        "significance": "world",
        "reserve_id": reserve
    })
}

/// The error codes of an `Invalid` or `Duplicate` error, as (field, code) pairs.
pub fn error_pairs(result: Result<impl std::fmt::Debug, RegisterError>) -> Vec<(String, Code)> {
    match result {
        Err(RegisterError::Invalid(p)) | Err(RegisterError::Duplicate(p)) => {
            let mut pairs: Vec<_> = p
                .into_iter()
                .filter(|p| p.is_error())
                .map(|p| (p.field, p.code))
                .collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs
        }
        other => panic!("expected validation errors, got {other:?}"),
    }
}

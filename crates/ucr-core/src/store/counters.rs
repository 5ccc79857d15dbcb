//! The change sequence and the registry-number sequences, as a write transaction draws from
//! them.

use super::connection::Db;
use super::schema::counters;
use crate::error::RegisterError;
use crate::vocab::Kind;
use diesel::prelude::*;

/// The sequences a write transaction draws from: the global change sequence and the
/// registry-number sequence of each kind. Taken once at the start of the transaction (its
/// first statement takes the change counter's row, so writers queue there on both backends
/// and every rule below runs race-free), kept in memory, written back before commit.
pub(crate) struct Counters {
    change: i64,
    kinds: std::collections::HashMap<&'static str, i64>,
    changed_kinds: bool,
}

impl Counters {
    /// Takes the change counter (the write lock) and reads the sequences.
    pub(crate) fn take(c: &mut Db) -> Result<Counters, RegisterError> {
        diesel::update(counters::table.filter(counters::name.eq("change")))
            .set(counters::value.eq(counters::value))
            .execute(c)?;
        let rows: Vec<(String, i64)> = counters::table
            .select((counters::name, counters::value))
            .load(c)?;
        let mut out = Counters {
            change: 0,
            kinds: std::collections::HashMap::new(),
            changed_kinds: false,
        };
        for (name, value) in rows {
            match Kind::from_prefix(&name) {
                Some(kind) => {
                    out.kinds.insert(kind.prefix(), value);
                }
                None if name == "change" => out.change = value,
                None => {}
            }
        }
        Ok(out)
    }

    /// The next number of the change sequence.
    pub(crate) fn next_change(&mut self) -> i64 {
        self.change += 1;
        self.change
    }

    pub(crate) fn last_number(&self, kind: Kind) -> i64 {
        self.kinds.get(kind.prefix()).copied().unwrap_or(0)
    }

    pub(crate) fn set_number(&mut self, kind: Kind, value: i64) {
        self.kinds.insert(kind.prefix(), value);
        self.changed_kinds = true;
    }

    /// Writes the sequences back (before commit).
    pub(crate) fn flush(&self, c: &mut Db) -> Result<(), RegisterError> {
        advance(c, "change", self.change)?;
        if self.changed_kinds {
            for (name, value) in &self.kinds {
                advance(c, name, *value)?;
            }
        }
        Ok(())
    }
}

/// Records a counter's value.
fn advance(c: &mut Db, name: &str, value: i64) -> Result<(), RegisterError> {
    diesel::update(counters::table.filter(counters::name.eq(name)))
        .set(counters::value.eq(value))
        .execute(c)?;
    Ok(())
}

//! Writes of single entries: create, replace, merge patch, status change, delete — each one
//! transaction that checks the role, the rules and the expected version.

use super::Register;
use crate::change::{Revision, Saved, Write};
use crate::check::check;
use crate::context::{context_rules, finish};
use crate::error::RegisterError;
use crate::model::Entry;
use crate::problem::{Code, Problem};
use crate::roles::Action;
use crate::store::connection::Db;
use crate::store::{self, Counters};
use crate::vocab::{Role, Status};
use diesel::Connection;
use serde_json::Value;
use uuid::Uuid;

impl Register {
    /// Validates an entry as a create would, against the rules and the register, without
    /// writing. `Ok` holds the warnings.
    pub fn validate(&self, value: Value) -> Result<Vec<Problem>, RegisterError> {
        let checked = check(value, None);
        let Some(record) = checked.record else {
            return Err(RegisterError::Invalid(checked.problems));
        };
        let mut conn = self.connection()?;
        let id = Uuid::now_v7();
        let mut problems = checked.problems;
        let mut record = record;
        conn.transaction(|c| {
            context_rules(&mut **c, id, &mut record, None, Role::Admin, &mut problems)?;
            Ok::<_, RegisterError>(())
        })?;
        finish(problems)
    }

    /// Creates an entry from flat JSON.
    pub fn create(&self, value: Value, w: &Write) -> Result<Saved, RegisterError> {
        w.require(Action::Create)?;
        let checked = check(value, None);
        let Some(record) = checked.record else {
            return Err(RegisterError::Invalid(checked.problems));
        };
        let mut conn = self.connection()?;
        conn.transaction(|c| {
            let mut counters = Counters::take(c)?;
            let saved = store::insert(
                c,
                Uuid::now_v7(),
                record,
                checked.problems,
                w,
                &mut counters,
                None,
            )?;
            counters.flush(c)?;
            Ok(saved)
        })
    }

    /// Replaces an entry by flat JSON (the kind and registry number may be given, unchanged).
    pub fn replace(&self, key: &str, value: Value, w: &Write) -> Result<Saved, RegisterError> {
        self.update(key, w, |_| Ok(value))
    }

    /// Applies a JSON Merge Patch (RFC 7396) to an entry.
    pub fn patch(&self, key: &str, patch: &Value, w: &Write) -> Result<Saved, RegisterError> {
        if !patch.is_object() {
            return Err(RegisterError::Invalid(vec![Problem::error(
                "",
                Code::Format,
                "a merge patch of an entry is a JSON object",
            )]));
        }
        self.update(key, w, |current| {
            let mut doc = current.record_json();
            json_patch::merge(&mut doc, patch);
            Ok(doc)
        })
    }

    /// Changes an entry's status (`closed_on` is required for `closed`, removed otherwise).
    pub fn set_status(
        &self,
        key: &str,
        status: Status,
        closed_on: Option<chrono::NaiveDate>,
        w: &Write,
    ) -> Result<Saved, RegisterError> {
        self.update(key, w, |current| {
            let mut doc = current.record_json();
            if let Some(map) = doc.as_object_mut() {
                map.insert("status".into(), Value::String(status.as_str().into()));
                match closed_on {
                    Some(d) => map.insert("closed_on".into(), Value::String(d.to_string())),
                    None => map.remove("closed_on"),
                };
            }
            Ok(doc)
        })
    }

    fn update(
        &self,
        key: &str,
        w: &Write,
        build: impl FnOnce(&Entry) -> Result<Value, RegisterError>,
    ) -> Result<Saved, RegisterError> {
        w.require(Action::Change)?;
        let mut conn = self.connection()?;
        conn.transaction(|c| {
            let mut counters = Counters::take(c)?;
            let current = current_at(c, key, w)?;
            let value = build(&current)?;
            let checked = check(value, Some(&current));
            let Some(record) = checked.record else {
                return Err(RegisterError::Invalid(checked.problems));
            };
            let saved =
                store::save_update(c, current, record, checked.problems, w, &mut counters, None)
                    .map_err(|e| reinstating(e, w))?;
            counters.flush(c)?;
            Ok(saved)
        })
    }

    /// Deletes an entry (its history stays). Refused while another entry refers to it.
    pub fn delete(&self, key: &str, w: &Write) -> Result<Revision, RegisterError> {
        w.require(Action::Delete)?;
        let mut conn = self.connection()?;
        conn.transaction(|c| {
            let mut counters = Counters::take(c)?;
            let current = current_at(c, key, w)?;
            let revision = store::remove(c, current, w, &mut counters, None)?;
            counters.flush(c)?;
            Ok(revision)
        })
    }
}

/// The entry named by `key`, at the version the writer read.
fn current_at(c: &mut Db, key: &str, w: &Write) -> Result<Entry, RegisterError> {
    let current = store::find(c, key)?.ok_or_else(|| RegisterError::NotFound(key.to_string()))?;
    expect_version(&current, w)?;
    Ok(current)
}

fn expect_version(current: &Entry, w: &Write) -> Result<(), RegisterError> {
    match w.expected_version {
        Some(v) if v != current.version => Err(RegisterError::VersionMismatch {
            expected: v,
            actual: current.version,
        }),
        _ => Ok(()),
    }
}

/// A change refused by the rules only because it reinstates a closed entry is refused for the
/// writer's role, not for the entry: [`RegisterError::Forbidden`]. With other errors besides,
/// the entry is wrong and every problem is reported.
fn reinstating(e: RegisterError, w: &Write) -> RegisterError {
    match e {
        RegisterError::Invalid(problems)
            if problems.iter().any(Problem::is_error)
                && problems
                    .iter()
                    .filter(|p| p.is_error())
                    .all(|p| p.code == Code::InvalidTransition) =>
        {
            RegisterError::Forbidden {
                action: Action::Reinstate,
                actor: w.actor.clone(),
                role: w.role,
            }
        }
        other => other,
    }
}

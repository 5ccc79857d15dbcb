//! What a change of the register is: who writes with what expectation ([`Write`]), what a
//! write stored ([`Saved`]), and the revision it left in history ([`Revision`]).

use crate::error::RegisterError;
use crate::model::Entry;
use crate::problem::Problem;
use crate::roles::Action;
use crate::vocab::{Operation, Role};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Who writes, with what expectation.
#[derive(Debug, Clone)]
pub struct Write {
    /// Recorded as the actor of the revision (the token's name over HTTP).
    pub actor: String,
    /// The writer's role: only an admin reinstates a closed entry.
    pub role: Role,
    /// The version the writer read (`If-Match`); a different stored version refuses the write.
    pub expected_version: Option<i64>,
    /// Why, recorded in the revision.
    pub reason: Option<String>,
}

impl Write {
    /// A write by `actor` with `role`, no version expectation, no reason.
    pub fn by(actor: impl Into<String>, role: Role) -> Self {
        Write {
            actor: actor.into(),
            role,
            expected_version: None,
            reason: None,
        }
    }

    /// Refuses this writer when its role is below what `action` needs ([`crate::roles::ROLES`]).
    pub fn require(&self, action: Action) -> Result<(), RegisterError> {
        if action.allows(self.role) {
            Ok(())
        } else {
            Err(RegisterError::Forbidden {
                action,
                actor: self.actor.clone(),
                role: self.role,
            })
        }
    }

    /// Expects the entry at `version`.
    pub fn at_version(mut self, version: i64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// Records a reason.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// A stored entry, the warnings it was stored with and the notices of what the register
/// normalised.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    /// The entry as stored.
    pub entry: Entry,
    /// Problems of severity `warning`.
    pub warnings: Vec<Problem>,
    /// Problems of severity `notice`: each value normalised, as given and as stored.
    pub notices: Vec<Problem>,
}

impl Saved {
    /// The entry with its warnings and notices, from the problems of a write that passed.
    pub(crate) fn new(entry: Entry, problems: Vec<Problem>) -> Saved {
        let (notices, warnings) = problems.into_iter().partition(Problem::is_notice);
        Saved {
            entry,
            warnings,
            notices,
        }
    }
}

/// One change of one entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// Position in the global change sequence (strictly increasing, gapless).
    pub seq: i64,
    /// The entry changed.
    pub entry_id: Uuid,
    /// The entry's version after the change (for a delete, one past the last).
    pub version: i64,
    /// What happened.
    pub operation: Operation,
    /// Who did it.
    pub actor: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Why, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The import that made the change, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_id: Option<String>,
    /// The entry as it became (for a delete, its last state).
    pub entry: Entry,
}

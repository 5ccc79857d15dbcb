//! Errors of the register.
//!
//! Policy: `ucr-core` returns the typed [`RegisterError`] from every public operation; each
//! variant maps to one outcome a caller must handle differently (the HTTP layer maps them to
//! status codes one to one). Only the command-line binary uses `anyhow`, at its edge.

use crate::problem::Problem;
use crate::roles::Action;
use crate::vocab::Role;
use thiserror::Error;

/// Why a register operation failed.
#[derive(Debug, Error)]
pub enum RegisterError {
    /// The entry breaks validation rules: every problem, errors and warnings.
    #[error("{}", messages(.0))]
    Invalid(Vec<Problem>),
    /// A value that must be unique is taken (registry number, ISIL, inventory number).
    #[error("{}", messages(.0))]
    Duplicate(Vec<Problem>),
    /// No entry (or revision) has this id or registry number.
    #[error("not found: {0}")]
    NotFound(String),
    /// The entry changed since the version the writer read.
    #[error("version mismatch: expected {expected}, the entry is at {actual}")]
    VersionMismatch {
        /// The version the writer expected.
        expected: i64,
        /// The version stored.
        actual: i64,
    },
    /// The entry cannot be deleted while others refer to it.
    #[error("referred to by {}", .referrers.join(", "))]
    Referenced {
        /// Registry numbers of the entries that refer to it.
        referrers: Vec<String>,
    },
    /// An import that cannot be undone (not committed, or already undone).
    #[error("{0}")]
    NotUndoable(String),
    /// An import cannot be undone: these entries changed since.
    #[error("entries changed since the import: {}", .entries.join(", "))]
    ChangedSince {
        /// Registry numbers (or ids) of the entries that changed.
        entries: Vec<String>,
    },
    /// The writer's role is too low for the operation ([`crate::roles::ROLES`]).
    #[error("{}", forbidden(*.action, .actor, *.role))]
    Forbidden {
        /// What was refused.
        action: Action,
        /// Who tried (the actor of the write).
        actor: String,
        /// The role they write with.
        role: Role,
    },
    /// The database could not be opened or migrated.
    #[error("cannot open the register: {0}")]
    Open(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
}

/// A refusal in words.
fn forbidden(action: Action, actor: &str, role: Role) -> String {
    match action {
        Action::Reinstate => format!(
            "only an {} can take a closed entry back to active or suspended",
            action.role()
        ),
        _ => format!(
            "{action} needs the role {}; {actor} writes as a {role}",
            action.role()
        ),
    }
}

/// The errors of a problem list as one line.
fn messages(problems: &[Problem]) -> String {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| format!("{} {}: {}", p.field, p.code, p.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<diesel::result::Error> for RegisterError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => RegisterError::NotFound("no such row".into()),
            other => RegisterError::Database(other.to_string()),
        }
    }
}

impl From<r2d2_error::PoolError> for RegisterError {
    fn from(e: r2d2_error::PoolError) -> Self {
        RegisterError::Database(format!("no database connection: {e}"))
    }
}

mod r2d2_error {
    pub type PoolError = diesel::r2d2::PoolError;
}

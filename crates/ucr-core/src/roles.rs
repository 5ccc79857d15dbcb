//! Who may do what (SPEC §6): the one table of the role each operation needs. The register
//! enforces it itself — [`crate::Register`] refuses a write whose [`crate::Write`] role is too
//! low with [`crate::RegisterError::Forbidden`] — and the API, the command line and the
//! OpenAPI document's security read it from here.

use crate::vocab::Role;
use serde::{Deserialize, Serialize};

/// An operation on the register, as far as access is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Reading entries, lists, searches, history, the change feed, statistics, exports.
    /// Anonymous callers may also read when the register is public, and never see `head`.
    Read,
    /// Reading the record of imports.
    ReadImports,
    /// Registering an entry.
    Create,
    /// Changing an entry (replace, merge patch, status change).
    Change,
    /// Taking a closed entry back to active or suspended.
    Reinstate,
    /// Deleting an entry.
    Delete,
    /// Loading entries in bulk (a dry run too).
    Load,
    /// Undoing an import.
    UndoImport,
    /// Creating, listing and revoking tokens.
    ManageTokens,
}

/// The role each operation needs; each role includes the ones before it.
pub const ROLES: &[(Action, Role)] = &[
    (Action::Read, Role::Reader),
    (Action::ReadImports, Role::Reader),
    (Action::Create, Role::Clerk),
    (Action::Change, Role::Clerk),
    (Action::Reinstate, Role::Admin),
    (Action::Delete, Role::Admin),
    (Action::Load, Role::Clerk),
    (Action::UndoImport, Role::Admin),
    (Action::ManageTokens, Role::Admin),
];

impl Action {
    /// Every operation, in the order of [`ROLES`].
    pub const ALL: [Action; 9] = [
        Action::Read,
        Action::ReadImports,
        Action::Create,
        Action::Change,
        Action::Reinstate,
        Action::Delete,
        Action::Load,
        Action::UndoImport,
        Action::ManageTokens,
    ];

    /// The role this operation needs, from [`ROLES`].
    pub fn role(self) -> Role {
        ROLES
            .iter()
            .find(|(action, _)| *action == self)
            .map_or(Role::Admin, |(_, role)| *role)
    }

    /// Whether `role` may do this.
    pub fn allows(self, role: Role) -> bool {
        role >= self.role()
    }

    /// What it is, in words, as a refusal names it ("deleting an entry").
    pub fn describe(self) -> &'static str {
        match self {
            Action::Read => "reading the register",
            Action::ReadImports => "reading imports",
            Action::Create => "registering an entry",
            Action::Change => "changing an entry",
            Action::Reinstate => "taking a closed entry back",
            Action::Delete => "deleting an entry",
            Action::Load => "loading entries",
            Action::UndoImport => "undoing an import",
            Action::ManageTokens => "managing tokens",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_in_the_table_once() {
        for action in Action::ALL {
            assert_eq!(
                ROLES.iter().filter(|(a, _)| *a == action).count(),
                1,
                "{action:?}"
            );
        }
        assert_eq!(ROLES.len(), Action::ALL.len());
    }

    #[test]
    fn roles_include_the_ones_before_them() {
        assert!(Action::Delete.allows(Role::Admin));
        assert!(!Action::Delete.allows(Role::Clerk));
        assert!(Action::Create.allows(Role::Admin));
        assert!(Action::Create.allows(Role::Clerk));
        assert!(!Action::Create.allows(Role::Reader));
        assert!(Action::Read.allows(Role::Reader));
    }
}

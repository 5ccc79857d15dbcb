//! Access tokens: bearer tokens with a role, created and revoked by an admin. Only the
//! SHA-256 hash of a token is stored; a request is checked by one indexed lookup of that hash
//! (a token carries 256 random bits, so a fast hash is as safe as a slow one and costs
//! nothing per request). Nothing is cached, so a revoked token is refused at once by every
//! replica.

use crate::error::RegisterError;
use crate::problem::{Code, Problem};
use crate::register::Register;
use crate::store;
use crate::vocab::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The prefix of every token, so that one found in a log or a file is recognisable.
pub const TOKEN_PREFIX: &str = "ucr_";

/// Longest token name.
pub const NAME_MAX: usize = 100;

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The token's name: recorded as the actor of every change made with it.
    pub name: String,
    /// What it may do.
    pub role: Role,
}

/// A token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Register {
    /// Creates a token; returns it (the only time it is shown).
    pub fn create_token(&self, name: &str, role: Role) -> Result<String, RegisterError> {
        let name = name.trim();
        let valid = !name.is_empty()
            && name.chars().count() <= NAME_MAX
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
        if !valid {
            return Err(RegisterError::Invalid(vec![Problem::error(
                "/name",
                Code::Format,
                "a token name is 1–100 letters, digits, - _ . @ (it is recorded as the actor of changes)",
            )]));
        }
        let mut random = [0u8; 32];
        getrandom::fill(&mut random)
            .map_err(|e| RegisterError::Database(format!("no randomness for a token: {e}")))?;
        let token: String = std::iter::once(TOKEN_PREFIX.to_string())
            .chain(random.iter().map(|b| format!("{b:02x}")))
            .collect();
        let mut conn = self.connection()?;
        if store::tokens::insert(&mut conn, name, role.as_str(), &hash(&token))? {
            Ok(token)
        } else {
            Err(RegisterError::Duplicate(vec![Problem::error(
                "/name",
                Code::Duplicate,
                format!("a token named {name} exists (revoked ones keep their name)"),
            )]))
        }
    }

    /// Every token, revoked ones too.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, RegisterError> {
        let rows = store::tokens::all(&mut *self.connection()?)?;
        Ok(rows
            .into_iter()
            .map(|(name, role, created, revoked)| TokenInfo {
                name,
                role: Role::parse(&role).unwrap_or(Role::Reader),
                created_at: created.and_utc(),
                revoked_at: revoked.map(|r| r.and_utc()),
            })
            .collect())
    }

    /// Revokes a token by name; it is refused from now on.
    pub fn revoke_token(&self, name: &str) -> Result<(), RegisterError> {
        if !store::tokens::revoke(&mut *self.connection()?, name.trim())? {
            return Err(RegisterError::NotFound(format!(
                "no active token named {name}"
            )));
        }
        Ok(())
    }

    /// Who a token belongs to; `None` for an unknown or revoked one.
    pub fn authenticate(&self, token: &str) -> Result<Option<Principal>, RegisterError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Ok(None);
        }
        let row = store::tokens::by_hash(&mut *self.connection()?, &hash(token))?;
        Ok(row.and_then(|(name, role)| Role::parse(&role).map(|role| Principal { name, role })))
    }
}

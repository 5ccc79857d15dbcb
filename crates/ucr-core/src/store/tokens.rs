//! The statements of access tokens: a token is stored as the hash of its text, with its name
//! and role; revoking sets a time and keeps the row (and so the name).

use super::connection::Db;
use super::naive_now;
use super::schema::tokens;
use crate::error::RegisterError;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored token, as listed: name, role, created, revoked.
pub(crate) type TokenRow = (String, String, NaiveDateTime, Option<NaiveDateTime>);

/// Stores a new token; `Ok(false)` when a token (also a revoked one) has that name.
pub(crate) fn insert(
    c: &mut Db,
    name: &str,
    role: &str,
    token_hash: &str,
) -> Result<bool, RegisterError> {
    let inserted = diesel::insert_into(tokens::table)
        .values((
            tokens::name.eq(name),
            tokens::role.eq(role),
            tokens::token_hash.eq(token_hash),
            tokens::created_at.eq(naive_now()),
        ))
        .execute(c);
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Every token by name, revoked ones too.
pub(crate) fn all(c: &mut Db) -> Result<Vec<TokenRow>, RegisterError> {
    Ok(tokens::table
        .select((
            tokens::name,
            tokens::role,
            tokens::created_at,
            tokens::revoked_at,
        ))
        .order(tokens::name.asc())
        .load(c)?)
}

/// Revokes the active token of this name; `false` when there is none.
pub(crate) fn revoke(c: &mut Db, name: &str) -> Result<bool, RegisterError> {
    if !super::connection::can_match(name) {
        return Ok(false);
    }
    let changed = diesel::update(
        tokens::table
            .filter(tokens::name.eq(name))
            .filter(tokens::revoked_at.is_null()),
    )
    .set(tokens::revoked_at.eq(Some(naive_now())))
    .execute(c)?;
    Ok(changed > 0)
}

/// The name and role of the active token with this hash (one indexed lookup).
pub(crate) fn by_hash(
    c: &mut Db,
    token_hash: &str,
) -> Result<Option<(String, String)>, RegisterError> {
    Ok(tokens::table
        .filter(tokens::token_hash.eq(token_hash))
        .filter(tokens::revoked_at.is_null())
        .select((tokens::name, tokens::role))
        .first(c)
        .optional()?)
}

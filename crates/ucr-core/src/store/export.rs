//! What an export reads beside the pages of a list.

use super::connection::Db;
use super::schema::entries;
use crate::error::RegisterError;
use diesel::prelude::*;

/// (id, registry number) of the entries with these ids: the registry numbers an exported file
/// writes for references.
pub(crate) fn registry_numbers(
    c: &mut Db,
    ids: &[String],
) -> Result<Vec<(String, String)>, RegisterError> {
    Ok(entries::table
        .filter(entries::id.eq_any(ids))
        .select((entries::id, entries::registry_number))
        .load(c)?)
}

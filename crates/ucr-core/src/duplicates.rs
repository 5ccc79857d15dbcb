//! Possible duplicates: a new entry without a registry number whose kind, region and folded
//! Azerbaijani name equal those of an entry already in the register (or of another row of the
//! same load) is written, with a `possible_duplicate` warning that names that entry. A list
//! loaded twice is then seen for what it is before it doubles the register.

use crate::model::Record;
use crate::normalize::fold;
use crate::problem::{Code, Problem};

/// A name as search folds it (`normalize::fold`), its words split on anything but letters and
/// digits and joined by one space: `Cümə Məscidi` and `cume  mescidi` have the same key. It is
/// also the first name of an entry's `search_text`.
pub fn name_key(name: &str) -> String {
    let folded = fold(name);
    let mut key = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    key
}

/// What two entries share when one may duplicate the other: kind, region and name key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DuplicateKey {
    /// The sub-register, as written.
    pub kind: String,
    /// The ISO 3166-2:AZ unit (none when the entry has none).
    pub region: Option<String>,
    /// [`name_key`] of the Azerbaijani name.
    pub name: String,
}

impl DuplicateKey {
    /// The key of a record, when it has an Azerbaijani name to compare.
    pub fn of(record: &Record) -> Option<DuplicateKey> {
        let name = name_key(record.name.az.as_deref()?);
        (!name.is_empty()).then(|| DuplicateKey {
            kind: record.kind().as_str().to_string(),
            region: record.region.clone(),
            name,
        })
    }
}

/// The warning on a new entry that looks like `existing` (a registry number).
pub fn warning(existing: &str) -> Problem {
    Problem::warning(
        "/name/az",
        Code::PossibleDuplicate,
        format!(
            "{existing} has the same kind, region and name: this may be the same entry \
             (give its registry number to update it)"
        ),
    )
}

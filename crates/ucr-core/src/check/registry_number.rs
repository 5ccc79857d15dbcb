//! Registry numbers: a kind's prefix, a hyphen and 6 to 12 digits (SPEC §3).

use super::{all_digits, Rules};
use crate::model::Entry;
use crate::normalize;
use crate::problem::Code;
use crate::vocab::Kind;

impl Rules {
    pub(super) fn registry_number(
        &mut self,
        number: Option<String>,
        kind: Option<Kind>,
        current: Option<&Entry>,
    ) -> Option<String> {
        let number = number.map(|n| normalize::text(&n).to_uppercase());
        if let Some(entry) = current {
            if let Some(n) = &number {
                if n != entry.registry_number() {
                    self.problems.error(
                        "/registry_number",
                        Code::Immutable,
                        format!(
                            "a registry number cannot change (it is {})",
                            entry.registry_number()
                        ),
                    );
                }
            }
            return Some(entry.registry_number().to_string());
        }
        let n = number?;
        match parse_registry_number(&n) {
            None => self.problems.error(
                "/registry_number",
                Code::Format,
                "a registry number is a prefix (THR, LIB, MUS, RSV, SCH, HER), a hyphen and 6 to 12 digits, e.g. MUS-000042",
            ),
            Some((k, _)) => {
                if let Some(kind) = kind.filter(|kind| *kind != k) {
                    self.problems.error(
                        "/registry_number",
                        Code::Format,
                        format!("the registry number of a {} starts with {}-", kind.as_str().replace('_', " "), kind.prefix()),
                    );
                }
            }
        }
        Some(n)
    }
}

/// Fewest and most digits of a registry number. The most keeps every sequence far from
/// overflow: the register assigns the next number after the highest one supplied.
pub const REGISTRY_DIGITS: std::ops::RangeInclusive<usize> = 6..=12;

/// Splits a registry number like `MUS-000042` into its kind and sequence number.
pub fn parse_registry_number(n: &str) -> Option<(Kind, i64)> {
    let (prefix, digits) = n.split_once('-')?;
    let kind = Kind::from_prefix(prefix)?;
    if !REGISTRY_DIGITS.contains(&digits.len()) || !all_digits(digits) {
        return None;
    }
    Some((kind, digits.parse().ok()?))
}

/// Formats the registry number of sequence `n` of `kind`.
pub fn format_registry_number(kind: Kind, n: i64) -> String {
    format!("{}-{n:06}", kind.prefix())
}

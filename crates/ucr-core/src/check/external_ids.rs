//! Identifiers of an entry in other systems.

use super::{all_digits, short, Rules};
use crate::model::ExternalIds;
use crate::problem::Code;

impl Rules {
    pub(super) fn external_ids(&mut self, e: ExternalIds) -> ExternalIds {
        let wikidata = e.wikidata.map(|q| q.trim().to_string());
        if let Some(q) = &wikidata {
            let digits = q.strip_prefix('Q').unwrap_or_default();
            if digits.is_empty() || digits.starts_with('0') || !all_digits(digits) {
                self.problems.error(
                    "/external_ids/wikidata",
                    Code::Format,
                    format!(
                        "`{}` is not a Wikidata item id (Q followed by digits)",
                        short(q)
                    ),
                );
            }
        }
        if let Some(v) = &e.viaf {
            if v.is_empty() || !all_digits(v) {
                self.problems.error(
                    "/external_ids/viaf",
                    Code::Format,
                    "a VIAF id is digits only",
                );
            }
        }
        for (field, value) in [
            ("/external_ids/unesco_whc", e.unesco_whc),
            ("/external_ids/unesco_ich", e.unesco_ich),
            ("/external_ids/geonames", e.geonames),
        ] {
            self.at_least(field, value, 1);
        }
        ExternalIds { wikidata, ..e }
    }
}

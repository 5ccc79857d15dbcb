//! Heritage objects: the category decides the fields; the rules of those that need code.

use super::{short, FromDraft, Rules, TEXT_MAX};
use crate::catalogue::Field;
use crate::draft::Draft;
use crate::model::*;
use crate::normalize;
use crate::problem::Code;
use crate::vocab::{HeritageCategory, UnescoList};

impl Rules {
    pub(super) fn heritage(&mut self, d: &mut Draft) -> Option<HeritageObject> {
        let category = self.required_word::<HeritageCategory>("/category", d.take("category"));
        let dating = d.take("dating").map(|x| self.dating(x));
        let details = match category? {
            HeritageCategory::Immovable => {
                HeritageDetails::Immovable(Immovable::from_draft(self, d)?)
            }
            HeritageCategory::Movable => HeritageDetails::Movable(Movable::from_draft(self, d)?),
            HeritageCategory::Intangible => {
                HeritageDetails::Intangible(Intangible::from_draft(self, d)?)
            }
        };
        Some(HeritageObject { dating, details })
    }

    /// The table's rule for the numbers an immovable monument is filed under in the state
    /// list: one or several, dashes stored as `-` (a notice says so).
    pub(crate) fn state_list_number(
        &mut self,
        _: &Field,
        number: Option<String>,
    ) -> Option<String> {
        let given = number?;
        match normalize::state_list_numbers(&given) {
            Ok(numbers) => {
                let mut seen = std::collections::HashSet::new();
                if let Some(twice) = numbers.iter().find(|n| !seen.insert(n.as_str())) {
                    self.problems.error(
                        "/inventory_number",
                        Code::Format,
                        format!("`{}` lists the number {twice} twice", short(&given)),
                    );
                    return None;
                }
                let stored = numbers.join(", ");
                self.problems.notice(
                    "/inventory_number",
                    Code::NormalizedDash,
                    "stored as the state list writes it: dashes as hyphens, several numbers joined by `, `",
                    given.trim(),
                    &stored,
                );
                Some(stored)
            }
            Err(part) => {
                let quoted = if part.is_empty() {
                    "an empty number".to_string()
                } else {
                    format!("`{}`", short(&part))
                };
                self.problems.error(
                    "/inventory_number",
                    Code::Format,
                    format!(
                        "{quoted} is not a state-list number: the list writes {}",
                        normalize::STATE_LIST_FORMS
                    ),
                );
                None
            }
        }
    }

    /// The table's rule for the museum that holds a movable object.
    pub(crate) fn holding_museum(&mut self, _: &Field, museum: Option<String>) -> Option<EntryRef> {
        let museum = museum.map(EntryRef::from);
        if museum.is_none() {
            self.problems.error(
                "/museum_id",
                Code::Required,
                "a movable object names the museum that holds it",
            );
        }
        museum
    }

    /// An element on a UNESCO list has a year of inscription; one on none has none.
    pub(crate) fn inscription(&mut self, list: &Option<UnescoList>, year: &Option<i64>) {
        match (list, year) {
            (Some(UnescoList::None), Some(_)) => self.problems.error(
                "/inscribed_year",
                Code::CrossField,
                "an element on no UNESCO list has no year of inscription",
            ),
            (Some(l), None) if *l != UnescoList::None => self.problems.error(
                "/inscribed_year",
                Code::Required,
                "the year of inscription is required for an element on a UNESCO list",
            ),
            _ => {}
        }
    }

    pub(super) fn dating(&mut self, x: Dating) -> Dating {
        let now = self.this_year();
        for (field, year) in [
            ("/dating/from_year", x.from_year),
            ("/dating/to_year", x.to_year),
        ] {
            if let Some(y) = year.filter(|y| *y > now) {
                self.problems
                    .error(field, Code::FutureDate, format!("{y} is in the future"));
            }
        }
        if let (Some(from), Some(to)) = (x.from_year, x.to_year) {
            if from > to {
                self.problems.error(
                    "/dating/to_year",
                    Code::CrossField,
                    format!(
                        "the dating ends ({to}) before it begins ({from}); BCE years are negative"
                    ),
                );
            }
        }
        Dating {
            label: self.opt_text("/dating/label", x.label, TEXT_MAX),
            ..x
        }
    }
}

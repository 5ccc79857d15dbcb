//! Names in the register's languages.

use super::{Rules, NAME_MAX};
use crate::model::Names;
use crate::problem::{pointer, Code};

impl Rules {
    pub(super) fn names(&mut self, field: &str, names: Option<Names>, main: bool) -> Option<Names> {
        let Some(n) = names else {
            self.problems.error(
                field,
                Code::Required,
                "a name is required, at least in Azerbaijani (`az`)",
            );
            return None;
        };
        let az = self.opt_text(&pointer(field, "az"), n.az.clone(), NAME_MAX);
        let en = self.opt_text(&pointer(field, "en"), n.en.clone(), NAME_MAX);
        let ru = self.opt_text(&pointer(field, "ru"), n.ru.clone(), NAME_MAX);
        if main && n.az.is_none() {
            self.problems.error(
                pointer(field, "az"),
                Code::Required,
                "the Azerbaijani name is required",
            );
        }
        if !main && n.az.is_none() && n.en.is_none() && n.ru.is_none() {
            self.problems.error(
                field,
                Code::Required,
                "an alternative name needs at least one language",
            );
        }
        if main && n.en.is_none() {
            self.problems.warning(
                pointer(field, "en"),
                Code::Required,
                "no English name: international users will see only the Azerbaijani one",
            );
        }
        let invalid = (n.az.is_some() && az.is_none())
            || (n.en.is_some() && en.is_none())
            || (n.ru.is_some() && ru.is_none());
        if invalid || (main && az.is_none()) {
            return None;
        }
        Some(Names { az, en, ru })
    }
}

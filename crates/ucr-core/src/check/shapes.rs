//! The simple rules of the field table ([`crate::model::fields`]): each reads its limits
//! from the field's shape, so the table alone says what is accepted.

use super::{Rules, Vocabulary, TEXT_MAX};
use crate::catalogue::{Field, Shape};
use crate::model::EntryRef;
use crate::problem::{pointer, Code};

/// The simple rules of the field table: each reads its limits from the field's shape.
impl Rules {
    /// A word of `T`'s vocabulary; required or not as the field is.
    pub(crate) fn word<T: Vocabulary>(&mut self, f: &Field, word: Option<String>) -> Option<T> {
        let at = pointer("", f.name);
        if f.required {
            self.required_word(&at, word)
        } else {
            word.and_then(|w| self.one_of(&at, &w))
        }
    }

    /// A whole number within the bounds of an `Integer` shape.
    pub(crate) fn range(&mut self, f: &Field, value: Option<i64>) -> Option<i64> {
        self.present(f, value.is_some());
        if let Shape::Integer(min, max) = f.shape {
            let (min, max) = (min.unwrap_or(i64::MIN), max.unwrap_or(i64::MAX));
            self.between(&pointer("", f.name), value, min, max);
        }
        value
    }

    /// A year from the lower bound of an `Integer` shape up to this year.
    pub(crate) fn year(&mut self, f: &Field, value: Option<i64>) -> Option<i64> {
        self.present(f, value.is_some());
        if let Shape::Integer(min, _) = f.shape {
            self.year_until_now(&pointer("", f.name), value, min.unwrap_or(i64::MIN));
        }
        value
    }

    /// A free text of at most a `Text` shape's length.
    pub(crate) fn text(&mut self, f: &Field, value: Option<String>) -> Option<String> {
        self.present(f, value.is_some());
        let max = match f.shape {
            Shape::Text(max) => max,
            _ => TEXT_MAX,
        };
        self.opt_text(&pointer("", f.name), value, max)
    }

    /// A list of short texts.
    pub(crate) fn texts(&mut self, f: &Field, list: Option<Vec<String>>) -> Vec<String> {
        self.present(f, list.is_some());
        let at = pointer("", f.name);
        list.unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter_map(|(i, t)| self.free_text(&pointer(&at, i), &t, 100))
            .collect()
    }

    /// The id or registry number of another entry; whether it exists is the store's rule.
    pub(crate) fn reference(&mut self, f: &Field, id: Option<String>) -> Option<EntryRef> {
        self.present(f, id.is_some());
        id.map(EntryRef::from)
    }

    /// A required field must be there.
    fn present(&mut self, f: &Field, present: bool) {
        if f.required && !present {
            self.problems
                .error(pointer("", f.name), Code::Required, "required");
        }
    }
}

//! The basic values rules are made of: words of a vocabulary, free texts, numbers in a
//! range, years up to now; and how a bad value is quoted in a message.

use super::Rules;
use crate::normalize;
use crate::problem::Code;
use crate::vocab::*;

impl Rules {
    /// A controlled word.
    pub(super) fn one_of<T: Vocabulary>(&mut self, field: &str, word: &str) -> Option<T> {
        let parsed = T::parse_word(word.trim());
        if parsed.is_none() {
            self.problems.error(
                field,
                Code::NotInVocabulary,
                format!(
                    "`{}` is not one of: {}",
                    short(word),
                    T::all_words().join(", ")
                ),
            );
        }
        parsed
    }

    pub(super) fn required_word<T: Vocabulary>(
        &mut self,
        field: &str,
        word: Option<String>,
    ) -> Option<T> {
        match word {
            Some(w) => self.one_of(field, &w),
            None => {
                self.problems.error(
                    field,
                    Code::Required,
                    format!("required: one of {}", T::all_words().join(", ")),
                );
                None
            }
        }
    }

    /// A free text: normalised (a notice says how), no control characters, 1..=max characters.
    pub(super) fn free_text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let unicode = normalize::unicode(value);
        self.problems.notice(
            field,
            Code::NormalizedUnicode,
            "stored in Unicode NFC (composed letters, `ǝ` read as `ə`)",
            value.trim(),
            &unicode,
        );
        let t = normalize::look_alikes(&unicode);
        if t != unicode {
            self.problems.notice(
                field,
                Code::LookAlikeLetters,
                "Cyrillic letters that look Latin, inside Latin words, stored as their Latin twins",
                value.trim(),
                &t,
            );
        }
        if t.is_empty() {
            self.problems
                .error(field, Code::Required, "must not be empty or only spaces");
            return None;
        }
        if normalize::has_control(&t) {
            self.problems
                .error(field, Code::Format, "must not contain control characters");
            return None;
        }
        let len = t.chars().count();
        if len > max {
            self.problems.error(
                field,
                Code::TooLong,
                format!("{len} characters, at most {max} allowed"),
            );
            return None;
        }
        Some(t)
    }

    pub(super) fn opt_text(
        &mut self,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> Option<String> {
        value.and_then(|v| self.free_text(field, &v, max))
    }

    pub(super) fn at_least(&mut self, field: &str, value: Option<i64>, min: i64) {
        self.between(field, value, min, i64::MAX);
    }

    pub(super) fn between(&mut self, field: &str, value: Option<i64>, min: i64, max: i64) {
        if let Some(v) = value {
            if v < min || v > max {
                let range = if max == i64::MAX {
                    format!("at least {min}")
                } else {
                    format!("{min}…{max}")
                };
                self.problems.error(
                    field,
                    Code::OutOfRange,
                    format!("{v} is out of range: {range}"),
                );
            }
        }
    }

    /// A year that may not lie after this one.
    pub(super) fn year_until_now(&mut self, field: &str, value: Option<i64>, min: i64) {
        let Some(y) = value else { return };
        if y > self.this_year() {
            self.problems
                .error(field, Code::FutureDate, format!("{y} is in the future"));
        } else {
            self.at_least(field, Some(y), min);
        }
    }
}

/// A vocabulary enum, for the generic rules above.
pub(crate) trait Vocabulary: Sized + Copy {
    fn parse_word(s: &str) -> Option<Self>;
    fn all_words() -> Vec<&'static str>;
}

macro_rules! vocabulary_impl {
    ($($t:ty),+) => {$(
        impl Vocabulary for $t {
            fn parse_word(s: &str) -> Option<Self> { <$t>::parse(s) }
            fn all_words() -> Vec<&'static str> { <$t>::words() }
        }
    )+};
}

crate::vocab::with_vocabularies!(vocabulary_impl, Kind);

/// A value as quoted in a message: at most 80 characters, so a huge bad value does not make
/// a huge report.
pub(super) fn short(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub(super) fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

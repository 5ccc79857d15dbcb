//! Validation problems: what is wrong with an entry, where, and how badly.
//!
//! A failed validation lists every problem at once. Each names its field as a JSON Pointer
//! (RFC 6901) into the submitted entry, carries a stable [`Code`] that clients may match on,
//! and a [`Severity`]: errors block the write, warnings are reported and the entry is stored,
//! notices say how the register normalised a value it stored (the value given and the value
//! stored).

use serde::{Deserialize, Serialize};

/// Stable problem codes. Clients match on these; their meaning never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A required value is missing (a warning when it is only recommended).
    Required,
    /// A text is longer than its limit.
    TooLong,
    /// A value does not have the expected form or JSON type.
    Format,
    /// A check digit does not match (VÖEN).
    Checksum,
    /// A number lies outside its allowed range.
    OutOfRange,
    /// A value is not in its controlled vocabulary.
    NotInVocabulary,
    /// A point lies outside Azerbaijan.
    OutOfBounds,
    /// A point outside Azerbaijan that would be inside with latitude and longitude swapped.
    SwappedCoordinates,
    /// Two fields contradict each other.
    CrossField,
    /// A reference names no entry.
    UnknownReference,
    /// A reference names an entry of the wrong kind.
    WrongReferenceKind,
    /// A value that must be unique is already taken.
    Duplicate,
    /// A value that may not change was changed, or a register-assigned value was supplied.
    Immutable,
    /// A status change that is not allowed.
    InvalidTransition,
    /// A date that lies in the future.
    FutureDate,
    /// A field that the entry model does not have (for this kind).
    UnknownField,
    /// A new entry with the kind, region and folded name of another (a warning).
    PossibleDuplicate,
    /// Notice: a phone number stored in E.164.
    NormalizedPhone,
    /// Notice: a postal code stored as `AZdddd`.
    NormalizedPostalCode,
    /// Notice: a text stored in Unicode NFC (with `ǝ` read as `ə`).
    NormalizedUnicode,
    /// Notice: Cyrillic letters that look Latin, inside Latin words, stored as Latin.
    LookAlikeLetters,
    /// Notice: dashes stored as hyphens (and several numbers joined by `, `).
    NormalizedDash,
}

impl Code {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::TooLong => "too_long",
            Code::Format => "format",
            Code::Checksum => "checksum",
            Code::OutOfRange => "out_of_range",
            Code::NotInVocabulary => "not_in_vocabulary",
            Code::OutOfBounds => "out_of_bounds",
            Code::SwappedCoordinates => "swapped_coordinates",
            Code::CrossField => "cross_field",
            Code::UnknownReference => "unknown_reference",
            Code::WrongReferenceKind => "wrong_reference_kind",
            Code::Duplicate => "duplicate",
            Code::Immutable => "immutable",
            Code::InvalidTransition => "invalid_transition",
            Code::FutureDate => "future_date",
            Code::UnknownField => "unknown_field",
            Code::PossibleDuplicate => "possible_duplicate",
            Code::NormalizedPhone => "normalized_phone",
            Code::NormalizedPostalCode => "normalized_postal_code",
            Code::NormalizedUnicode => "normalized_unicode",
            Code::LookAlikeLetters => "look_alike_letters",
            Code::NormalizedDash => "normalized_dash",
        }
    }

    /// Every code, in documentation order.
    pub const ALL: [Code; 22] = [
        Code::Required,
        Code::TooLong,
        Code::Format,
        Code::Checksum,
        Code::OutOfRange,
        Code::NotInVocabulary,
        Code::OutOfBounds,
        Code::SwappedCoordinates,
        Code::CrossField,
        Code::UnknownReference,
        Code::WrongReferenceKind,
        Code::Duplicate,
        Code::Immutable,
        Code::InvalidTransition,
        Code::FutureDate,
        Code::UnknownField,
        Code::PossibleDuplicate,
        Code::NormalizedPhone,
        Code::NormalizedPostalCode,
        Code::NormalizedUnicode,
        Code::LookAlikeLetters,
        Code::NormalizedDash,
    ];

    /// Parses a code from its JSON spelling.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a problem blocks the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks the write.
    Error,
    /// Reported, but the entry is stored.
    Warning,
    /// The register normalised a value it stored: the value given and the value stored.
    Notice,
}

impl Severity {
    /// The severity as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        }
    }
}

/// One thing wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// JSON Pointer (RFC 6901) to the offending field, `""` for the entry as a whole.
    pub field: String,
    /// Stable machine-readable code.
    pub code: Code,
    /// Human-readable explanation.
    pub message: String,
    /// `error`, `warning` or `notice`.
    pub severity: Severity,
    /// The value given (notices only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    /// The value stored (notices only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<String>,
}

impl Problem {
    /// An error at `field`.
    pub fn error(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Problem {
            field: field.into(),
            code,
            message: message.into(),
            severity: Severity::Error,
            given: None,
            stored: None,
        }
    }

    /// A warning at `field`.
    pub fn warning(field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Problem {
            field: field.into(),
            code,
            message: message.into(),
            severity: Severity::Warning,
            given: None,
            stored: None,
        }
    }

    /// A notice at `field`: the register stored `stored` for the `given` value.
    pub fn notice(
        field: impl Into<String>,
        code: Code,
        message: impl Into<String>,
        given: impl Into<String>,
        stored: impl Into<String>,
    ) -> Self {
        Problem {
            field: field.into(),
            code,
            message: message.into(),
            severity: Severity::Notice,
            given: Some(given.into()),
            stored: Some(stored.into()),
        }
    }

    /// Whether this is a notice of a normalised value.
    pub fn is_notice(&self) -> bool {
        self.severity == Severity::Notice
    }

    /// Whether this problem blocks the write.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Escapes one JSON Pointer reference token (RFC 6901 §3).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Joins a parent pointer and a child token.
pub fn pointer(parent: &str, token: impl std::fmt::Display) -> String {
    format!("{parent}/{}", pointer_token(&token.to_string()))
}

/// Problems collected while checking one entry.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Records an error.
    pub fn error(&mut self, field: impl Into<String>, code: Code, message: impl Into<String>) {
        self.0.push(Problem::error(field, code, message));
    }

    /// Records a warning.
    pub fn warning(&mut self, field: impl Into<String>, code: Code, message: impl Into<String>) {
        self.0.push(Problem::warning(field, code, message));
    }

    /// Records a notice of a normalised value, when the stored value differs from the given.
    pub fn notice(&mut self, field: &str, code: Code, message: &str, given: &str, stored: &str) {
        if given != stored {
            self.0
                .push(Problem::notice(field, code, message, given, stored));
        }
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Problem::is_error)
    }

    /// The warnings only.
    pub fn warnings(&self) -> Vec<Problem> {
        self.0
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .cloned()
            .collect()
    }
}

/// The problems of a value that is not stored: its notices say nothing (no value was stored).
pub fn without_notices(problems: Vec<Problem>) -> Vec<Problem> {
    problems.into_iter().filter(|p| !p.is_notice()).collect()
}

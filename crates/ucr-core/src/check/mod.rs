//! Every validation rule of SPEC §3–§4 that needs no database: normalisation, field rules,
//! vocabularies and cross-field rules. Rules that need the register (uniqueness, references,
//! status transitions) live in the module `context` and run inside the write transaction.
//!
//! [`check`] turns submitted JSON into a [`Record`] or the complete list of problems.

mod external_ids;
mod heritage;
mod institution;
mod names;
mod places;
mod registry_number;
mod shapes;
mod values;

pub use places::inside;
pub use registry_number::{format_registry_number, parse_registry_number, REGISTRY_DIGITS};
pub(crate) use values::Vocabulary;
use values::{all_digits, short};

use crate::catalogue::{words, Field, Shape};
use crate::draft::{json_type, Draft, Drafted, ASSIGNED};
use crate::model::*;
use crate::problem::{pointer, Code, Problem, Problems};
use crate::vocab::*;
use chrono::{Datelike, NaiveDate, Utc};
use serde_json::Value;

pub use crate::catalogue::{
    ALT_NAMES_MAX, FOUNDED_MIN, HALLS_MAX, ICH_CONVENTION_YEAR, ISIL_MAX, LAT_MAX, LAT_MIN,
    LON_MAX, LON_MIN, NAME_MAX, SEATS_MAX, TEXT_MAX,
};

/// The outcome of checking one submitted entry.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The record, when no problem is an error.
    pub record: Option<Record>,
    /// Every problem found: errors (then without notices), or warnings and notices.
    pub problems: Vec<Problem>,
}

/// Checks a submitted entry against every rule that needs no database. `current` is the stored
/// entry when the submission replaces one: the kind and registry number may then not change,
/// and register-assigned fields may be echoed back unchanged.
pub fn check(value: Value, current: Option<&Entry>) -> Checked {
    let mut rules = Rules::new();
    if !value.is_object() {
        rules.problems.error(
            "",
            Code::Format,
            format!("an entry is a JSON object, not {}", json_type(&value)),
        );
        return Checked {
            record: None,
            problems: rules.problems.0,
        };
    }
    let draft = Draft::from_json(value, &mut rules.problems);
    // A field present with the wrong type is reported once, not again as missing.
    let broken: Vec<String> = rules.problems.0.iter().map(|p| p.field.clone()).collect();
    let record = rules.record(draft, current);
    let problems: Vec<Problem> = rules
        .problems
        .0
        .into_iter()
        .enumerate()
        .filter(|(i, p)| {
            *i < broken.len()
                || p.code != Code::Required
                || !broken
                    .iter()
                    .any(|b| p.field == *b || p.field.starts_with(&format!("{b}/")))
        })
        .map(|(_, p)| p)
        .collect();
    if problems.iter().any(Problem::is_error) {
        // Nothing is stored: no notice of how a value would have been.
        return Checked {
            record: None,
            problems: crate::problem::without_notices(problems),
        };
    }
    Checked { record, problems }
}

/// A struct of the field table ([`crate::model::fields`]), built from a draft by the rules its
/// fields name.
pub(crate) trait FromDraft: Sized {
    /// Takes the struct's fields out of `d` and checks them; `None` when a required one is
    /// missing or wrong (the problem is then reported).
    fn from_draft(rules: &mut Rules, d: &mut Draft) -> Option<Self>;
}

/// Implements [`FromDraft`] for every struct of the field table (a callback of the table):
/// each field is taken from the draft as its `Drafted::Raw` type and handed to the rule the
/// row names, in table order; then the group's cross-field rule runs on the results.
macro_rules! field_rules {
    (@group { $docs:tt $list:ident [$sname:ident ($($bname:ident: $base:ty)?)] [$(
        ($fname:ident, $ty:ty, [$($shape:tt)*], $need:ident, $desc:literal, [$($rule:ident $(($($rarg:ident),*))?)?])
    )*] [$($after:ident($($aarg:ident),*))?] }) => {
        impl FromDraft for $sname {
            fn from_draft(rules: &mut Rules, d: &mut Draft) -> Option<Self> {
                $(let $bname = <$base as FromDraft>::from_draft(rules, d);)?
                $(let $fname = field_rules!(@rule rules, d, $fname, $ty,
                    &Field {
                        name: stringify!($fname),
                        shape: Shape::$($shape)*,
                        required: $crate::model::table::required!($need),
                        description: $desc,
                    },
                    $($rule $(($($rarg),*))?)?);)*
                $(rules.$after($(&$aarg),*);)?
                Some($sname {
                    $($bname: $bname?,)?
                    $($fname: field_rules!(@value $need $fname),)*
                })
            }
        }
    };
    // A group without a struct: its rules are code.
    (@group { $docs:tt $list:ident [] $fields:tt $after:tt }) => {};

    // A required field's absence or error leaves the struct unbuilt; the problem is reported.
    (@value required $fname:ident) => { $fname? };
    (@value optional $fname:ident) => { $fname };
    (@value many $fname:ident) => { $fname };

    (@rule $rules:ident, $d:ident, $fname:ident, $ty:ty, $field:expr, $rule:ident $(($($rarg:ident),*))?) => {
        $rules.$rule($field, $d.take::< <$ty as Drafted>::Raw >(stringify!($fname)) $($(, &$rarg)*)?)
    };
    (@rule $rules:ident, $d:ident, $fname:ident, $ty:ty, $field:expr,) => {
        compile_error!(concat!("the field `", stringify!($fname), "` of a struct needs a rule: `=> rule`"))
    };

    // The table: one group at a time.
    ($($group:tt)*) => {$(field_rules!(@group $group);)*};
}

crate::model::fields::field_table!(field_rules);

/// The rules at work on one submission, and the problems found so far.
pub(crate) struct Rules {
    problems: Problems,
    today: NaiveDate,
}

impl Rules {
    fn new() -> Self {
        Rules {
            problems: Problems::default(),
            today: Utc::now().date_naive(),
        }
    }

    fn this_year(&self) -> i64 {
        i64::from(self.today.year())
    }

    fn record(&mut self, mut d: Draft, current: Option<&Entry>) -> Option<Record> {
        self.assigned_fields(&mut d, current);
        let kind = self.kind(&d, current);
        let registry_number = self.registry_number(d.take("registry_number"), kind, current);
        let name = self.names("/name", d.take("name"), true);
        let mut alt_names: Vec<Names> = d.take("alt_names").unwrap_or_default();
        if alt_names.len() > ALT_NAMES_MAX {
            self.problems.error(
                "/alt_names",
                Code::TooLong,
                format!(
                    "{} alternative names, at most {ALT_NAMES_MAX}",
                    alt_names.len()
                ),
            );
            alt_names.truncate(ALT_NAMES_MAX);
        }
        let alt_names = alt_names
            .into_iter()
            .enumerate()
            .filter_map(|(i, n)| self.names(&pointer("/alt_names", i), Some(n), false))
            .collect();
        let status = match d.take::<String>("status") {
            None => Some(Status::Active),
            Some(s) => self.one_of::<Status>("/status", &s),
        };
        let closed_on = d.take("closed_on");
        let category = d.get::<String>("category").cloned();
        let region = self.region(d.take("region"), kind, category.as_deref());
        let address = d.take("address").map(|a| self.address(a));
        let located = d.has("location");
        let location = d.take("location").and_then(|l| self.location(l));
        if !located && !self.is_intangible(kind, category.as_deref()) {
            self.problems.warning(
                "/location",
                Code::Required,
                "no location: the entry will not appear on maps or in searches by distance",
            );
        }
        let external_ids = d.take("external_ids").map(|e| self.external_ids(e));
        // Without a usable kind (or category) the kind's own fields cannot be judged.
        let judged = match kind {
            Some(Kind::HeritageObject) => category
                .as_deref()
                .is_some_and(|c| HeritageCategory::parse(c.trim()).is_some()),
            Some(_) => true,
            None => false,
        };
        d.take::<String>("kind");
        let founded = d.get::<i64>("founded_year").copied();
        let details = kind.and_then(|k| self.details(k, &mut d));
        for field in d.present() {
            if ASSIGNED.contains(&field) || !judged {
                continue;
            }
            let what = kind.map_or("this kind of entry".to_string(), |k| {
                format!("a {}", k.as_str().replace('_', " "))
            });
            self.problems.error(
                pointer("", field),
                Code::UnknownField,
                format!("`{field}` is not a field of {what}"),
            );
        }
        let status = status?;
        self.closing(status, closed_on, founded);
        Some(Record {
            registry_number,
            name: name?,
            alt_names,
            status,
            closed_on,
            region,
            address,
            location,
            external_ids,
            details: details?,
        })
    }

    fn is_intangible(&self, kind: Option<Kind>, category: Option<&str>) -> bool {
        kind == Some(Kind::HeritageObject) && category.map(str::trim) == Some("intangible")
    }

    /// `id`, `version`, timestamps and `economic_region` belong to the register.
    fn assigned_fields(&mut self, d: &mut Draft, current: Option<&Entry>) {
        let echoed = |field: &str, value: String| -> bool {
            let Some(entry) = current else { return false };
            let stored = entry.to_json();
            match (&stored[field], field) {
                (Value::String(s), "id") => uuid::Uuid::parse_str(&value)
                    .is_ok_and(|v| uuid::Uuid::parse_str(s).is_ok_and(|s| s == v)),
                (Value::String(s), "created_at" | "updated_at") => {
                    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
                    parse(s).is_some() && parse(s) == parse(&value)
                }
                (Value::String(s), _) => *s == value,
                (Value::Number(n), _) => n.to_string() == value,
                _ => false,
            }
        };
        let supplied = [
            ("id", d.take("id")),
            ("version", d.take::<i64>("version").map(|v| v.to_string())),
            ("created_at", d.take("created_at")),
            ("updated_at", d.take("updated_at")),
            ("economic_region", d.take("economic_region")),
        ];
        for (field, value) in supplied {
            let Some(value) = value else { continue };
            // A replaced entry may echo the version it was read at; If-Match carries the check.
            if echoed(field, value) || (field == "version" && current.is_some()) {
                continue;
            }
            self.problems.error(
                pointer("", field),
                Code::Immutable,
                format!("`{field}` is assigned by the register and cannot be set"),
            );
        }
    }

    fn kind(&mut self, d: &Draft, current: Option<&Entry>) -> Option<Kind> {
        let Some(word) = d.get::<String>("kind").map(String::as_str) else {
            if let Some(entry) = current {
                return Some(entry.kind());
            }
            self.problems.error(
                "/kind",
                Code::Required,
                format!("`kind` is required: one of {}", Kind::words().join(", ")),
            );
            return None;
        };
        let kind = self.one_of::<Kind>("/kind", word)?;
        if let Some(entry) = current {
            if entry.kind() != kind {
                self.problems.error(
                    "/kind",
                    Code::Immutable,
                    format!("an entry's kind cannot change (it is {})", entry.kind()),
                );
                return None;
            }
        }
        Some(kind)
    }

    fn closing(&mut self, status: Status, closed_on: Option<NaiveDate>, founded: Option<i64>) {
        match (status, closed_on) {
            (Status::Closed, None) => self.problems.error(
                "/closed_on",
                Code::Required,
                "a closed entry needs the date it closed",
            ),
            (Status::Closed, Some(date)) => {
                if date > self.today {
                    self.problems.error(
                        "/closed_on",
                        Code::FutureDate,
                        format!("{date} is in the future"),
                    );
                }
                if let Some(f) = founded.filter(|f| i64::from(date.year()) < *f) {
                    self.problems.error(
                        "/closed_on",
                        Code::CrossField,
                        format!("closed on {date}, before it was founded in {f}"),
                    );
                }
            }
            (_, Some(_)) => self.problems.error(
                "/closed_on",
                Code::CrossField,
                "only a closed entry has a closing date",
            ),
            (_, None) => {}
        }
    }

    fn details(&mut self, kind: Kind, d: &mut Draft) -> Option<Details> {
        Some(match kind {
            Kind::Theatre => Details::Theatre(Theatre::from_draft(self, d)?),
            Kind::Library => Details::Library(Library::from_draft(self, d)?),
            Kind::Museum => Details::Museum(Museum::from_draft(self, d)?),
            Kind::Reserve => Details::Reserve(Reserve::from_draft(self, d)?),
            Kind::School => Details::School(School::from_draft(self, d)?),
            Kind::HeritageObject => Details::HeritageObject(self.heritage(d)?),
        })
    }
}

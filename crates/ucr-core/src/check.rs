//! Every validation rule of SPEC §3–§4 that needs no database: normalisation, field rules,
//! vocabularies and cross-field rules. Rules that need the register (uniqueness, references,
//! status transitions) live in [`crate::store`] and run inside the write transaction.
//!
//! [`check`] turns submitted JSON into a [`Record`] or the complete list of problems.

use crate::catalogue::{Field, Shape};
use crate::draft::{json_type, Draft, ASSIGNED};
use crate::model::*;
use crate::normalize;
use crate::problem::{pointer, Code, Problem, Problems};
use crate::regions;
use crate::vocab::*;
use crate::voen;
use chrono::{Datelike, NaiveDate, Utc};
use serde_json::Value;
use validator::{ValidateEmail, ValidateUrl};

/// Longest name, in characters after trimming.
pub const NAME_MAX: usize = 300;
/// Most alternative names an entry may have (old names and transliterations; a bound keeps
/// the full-text index of one entry small).
pub const ALT_NAMES_MAX: usize = 50;
/// Longest free text (locality, street, act, label …), in characters.
pub const TEXT_MAX: usize = 500;
/// Earliest founding year the register accepts.
pub const FOUNDED_MIN: i64 = 1000;
/// Most seats a theatre may declare.
pub const SEATS_MAX: i64 = 10_000;
/// Most halls a theatre may declare.
pub const HALLS_MAX: i64 = 50;
/// Longest ISIL (ISO 15511).
pub const ISIL_MAX: usize = 16;
/// The year the UNESCO Convention for the Safeguarding of the Intangible Cultural Heritage was
/// adopted; no inscription is older.
pub const ICH_CONVENTION_YEAR: i64 = 2003;
/// Bounding box of Azerbaijan (WGS84), SPEC §3.
pub const LAT_MIN: f64 = 38.38;
/// See [`LAT_MIN`].
pub const LAT_MAX: f64 = 41.91;
/// See [`LAT_MIN`].
pub const LON_MIN: f64 = 44.76;
/// See [`LAT_MIN`].
pub const LON_MAX: f64 = 50.63;

/// The outcome of checking one submitted entry.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The record, when no problem is an error.
    pub record: Option<Record>,
    /// Every problem found, errors and warnings.
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
    let record = if problems.iter().any(Problem::is_error) {
        None
    } else {
        record
    };
    Checked { record, problems }
}

/// A struct of the field table ([`crate::model::fields`]), built from a draft by the rules its
/// fields name.
pub(crate) trait FromDraft: Sized {
    /// Takes the struct's fields out of `d` and checks them; `None` when a required one is
    /// missing or wrong (the problem is then reported).
    fn from_draft(rules: &mut Rules, d: &mut Draft) -> Option<Self>;
}

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

    fn registry_number(
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

    /// A controlled word.
    fn one_of<T: Vocabulary>(&mut self, field: &str, word: &str) -> Option<T> {
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

    fn required_word<T: Vocabulary>(&mut self, field: &str, word: Option<String>) -> Option<T> {
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

    /// A free text: normalised, no control characters, 1..=max characters.
    fn free_text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let t = normalize::text(value);
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

    fn opt_text(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        value.and_then(|v| self.free_text(field, &v, max))
    }

    fn names(&mut self, field: &str, names: Option<Names>, main: bool) -> Option<Names> {
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

    fn region(
        &mut self,
        region: Option<String>,
        kind: Option<Kind>,
        category: Option<&str>,
    ) -> Option<String> {
        let Some(code) = region else {
            if kind.is_some() && !self.is_intangible(kind, category) {
                self.problems.error(
                    "/region",
                    Code::Required,
                    "an ISO 3166-2:AZ code is required, e.g. AZ-BA for Baku",
                );
            }
            return None;
        };
        let code = code.trim().to_string();
        if regions::unit(&code).is_none() {
            let hint = regions::unit(&code.to_uppercase())
                .map(|u| format!(" (did you mean {}?)", u.code))
                .unwrap_or_default();
            self.problems.error(
                "/region",
                Code::NotInVocabulary,
                format!("`{}` is not an ISO 3166-2:AZ code{hint}", short(&code)),
            );
            return None;
        }
        Some(code)
    }

    fn address(&mut self, a: Address) -> Address {
        let postal_code = a.postal_code.and_then(|p| {
            let normal = normalize::postal_code(&p);
            if normal.is_none() {
                self.problems.error(
                    "/address/postal_code",
                    Code::Format,
                    format!(
                        "`{}` is not a postal code: AZ and four digits, e.g. AZ1000",
                        short(&p)
                    ),
                );
            }
            normal
        });
        Address {
            locality: self.opt_text("/address/locality", a.locality, TEXT_MAX),
            street: self.opt_text("/address/street", a.street, TEXT_MAX),
            postal_code,
        }
    }

    fn location(&mut self, l: Location) -> Option<Location> {
        if inside(l.lat, l.lon) {
            return Some(l);
        }
        if inside(l.lon, l.lat) {
            self.problems.error(
                "/location",
                Code::SwappedCoordinates,
                format!(
                    "latitude and longitude look swapped: ({}, {}) is outside Azerbaijan, ({}, {}) is inside",
                    l.lat, l.lon, l.lon, l.lat
                ),
            );
        } else {
            self.problems.error(
                "/location",
                Code::OutOfBounds,
                format!(
                    "({}, {}) lies outside Azerbaijan (lat {LAT_MIN}…{LAT_MAX}, lon {LON_MIN}…{LON_MAX})",
                    l.lat, l.lon
                ),
            );
        }
        None
    }

    fn external_ids(&mut self, e: ExternalIds) -> ExternalIds {
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

    fn at_least(&mut self, field: &str, value: Option<i64>, min: i64) {
        self.between(field, value, min, i64::MAX);
    }

    fn between(&mut self, field: &str, value: Option<i64>, min: i64, max: i64) {
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
    fn year_until_now(&mut self, field: &str, value: Option<i64>, min: i64) {
        let Some(y) = value else { return };
        if y > self.this_year() {
            self.problems
                .error(field, Code::FutureDate, format!("{y} is in the future"));
        } else {
            self.at_least(field, Some(y), min);
        }
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

    /// The table's rule for a VÖEN; a state institution should have one.
    pub(crate) fn tax_id(
        &mut self,
        _: &Field,
        tax_id: Option<String>,
        ownership: &Option<Ownership>,
    ) -> Option<String> {
        let tax_id = tax_id.map(|t| t.trim().to_string());
        if let Some(t) = &tax_id {
            if let Err((code, message)) = voen::check(t) {
                self.problems.error("/tax_id", code, message);
            }
        } else if *ownership == Some(Ownership::State) {
            self.problems.warning(
                "/tax_id",
                Code::Required,
                "a state institution without a VÖEN cannot be matched with the tax register",
            );
        }
        tax_id
    }

    /// The table's rule for contacts.
    pub(crate) fn contacts(&mut self, _: &Field, contacts: Option<Contacts>) -> Option<Contacts> {
        contacts.map(|c| self.contact_details(c))
    }

    /// The table's rule for an ISIL.
    pub(crate) fn isil(&mut self, _: &Field, isil: Option<String>) -> Option<String> {
        isil.and_then(|i| self.isil_checked(&i))
    }

    /// The table's rule for an area in hectares.
    pub(crate) fn area(&mut self, _: &Field, area: Option<f64>) -> Option<f64> {
        if let Some(a) = area.filter(|a| !(a.is_finite() && *a > 0.0)) {
            self.problems.error(
                "/area_ha",
                Code::OutOfRange,
                format!("{a} is out of range: the area must be more than 0 ha"),
            );
        }
        area
    }

    /// Items on display are at most the items in the collection.
    pub(crate) fn on_display(&mut self, total: &Option<i64>, shown: &Option<i64>) {
        if let (Some(total), Some(shown)) = (total, shown) {
            if shown > total {
                self.problems.error(
                    "/items_on_display",
                    Code::CrossField,
                    format!("{shown} items on display, but only {total} in the collection"),
                );
            }
        }
    }

    /// Pupils enrolled are at most the places.
    pub(crate) fn enrolment(&mut self, capacity: &Option<i64>, enrolled: &Option<i64>) {
        if let (Some(c), Some(e)) = (capacity, enrolled) {
            if e > c {
                self.problems.error(
                    "/enrolled",
                    Code::CrossField,
                    format!("{e} pupils enrolled, but the capacity is {c}"),
                );
            }
        }
    }

    fn contact_details(&mut self, c: Contacts) -> Contacts {
        let phone = c.phone.and_then(|p| {
            let e164 = normalize::phone(&p);
            if e164.is_none() {
                self.problems.error(
                    "/contacts/phone",
                    Code::Format,
                    format!("`{}` is not an Azerbaijani phone number (+994 and 9 digits, e.g. (012) 493 40 03)", short(&p)),
                );
            }
            e164
        });
        let email = c.email.map(|e| e.trim().to_string());
        if let Some(e) = email.as_deref().filter(|e| !e.validate_email()) {
            self.problems.error(
                "/contacts/email",
                Code::Format,
                format!("`{}` is not an e-mail address", short(e)),
            );
        }
        let website = c.website.map(|w| w.trim().to_string());
        if let Some(w) = &website {
            let lower = w.to_ascii_lowercase();
            let web = lower.starts_with("http://") || lower.starts_with("https://");
            if !(web && w.validate_url()) {
                self.problems.error(
                    "/contacts/website",
                    Code::Format,
                    format!("`{}` is not an http or https address", short(w)),
                );
            }
        }
        Contacts {
            phone,
            email,
            website,
        }
    }

    fn isil_checked(&mut self, isil: &str) -> Option<String> {
        let isil = isil.trim().to_string();
        let allowed = isil
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | ':'));
        let shaped = match isil.split_once('-') {
            Some((prefix, unit)) => {
                !prefix.is_empty()
                    && prefix.len() <= 4
                    && prefix.chars().all(|c| c.is_ascii_alphanumeric())
                    && !unit.is_empty()
            }
            None => false,
        };
        if isil.len() > ISIL_MAX {
            self.problems.error(
                "/isil",
                Code::TooLong,
                format!("an ISIL has at most {ISIL_MAX} characters"),
            );
            return None;
        }
        if !(allowed && shaped) {
            self.problems.error(
                "/isil",
                Code::Format,
                format!("`{}` is not an ISIL (ISO 15511): a prefix, a hyphen and a library id of A–Z a–z 0–9 / - :", short(&isil)),
            );
            return None;
        }
        Some(isil)
    }

    /// The table's rule for the act that established a reserve.
    pub(crate) fn act(&mut self, _: &Field, act: Option<Act>) -> Option<Act> {
        act.map(|a| self.established_by(a))
    }

    fn established_by(&mut self, a: Act) -> Act {
        if let Some(date) = a.date.filter(|d| *d > self.today) {
            self.problems.error(
                "/established_by/date",
                Code::FutureDate,
                format!("{date} is in the future"),
            );
        }
        if a.act.is_none() {
            self.problems.error(
                "/established_by/act",
                Code::Required,
                "name the act, e.g. Council of Ministers decision",
            );
        }
        Act {
            act: self.opt_text("/established_by/act", a.act, TEXT_MAX),
            number: self.opt_text("/established_by/number", a.number, 50),
            date: a.date,
        }
    }

    /// The table's rule for a boundary.
    pub(crate) fn boundary(&mut self, _: &Field, value: Option<Value>) -> Option<Polygon> {
        value.and_then(|v| self.polygon(v))
    }

    fn polygon(&mut self, value: Value) -> Option<Polygon> {
        let polygon: Polygon = match serde_json::from_value(value) {
            Ok(p) => p,
            Err(e) => {
                self.problems.error(
                    "/boundary",
                    Code::Format,
                    format!("not a GeoJSON polygon: {e}"),
                );
                return None;
            }
        };
        let before = self.problems.0.len();
        if polygon.geometry_type != "Polygon" {
            self.problems.error(
                "/boundary/type",
                Code::Format,
                format!("`{}` is not `Polygon`", short(&polygon.geometry_type)),
            );
        }
        if polygon.coordinates.is_empty() {
            self.problems.error(
                "/boundary/coordinates",
                Code::Required,
                "a polygon needs a ring",
            );
        }
        for (r, ring) in polygon.coordinates.iter().enumerate() {
            let at = pointer("/boundary/coordinates", r);
            if ring.len() < 4 || ring.first() != ring.last() {
                self.problems.error(
                    &at,
                    Code::Format,
                    "a ring has at least 4 positions and ends where it starts",
                );
            }
            for (i, [lon, lat]) in ring.iter().enumerate() {
                if !inside(*lat, *lon) {
                    self.problems.error(
                        pointer(&at, i),
                        Code::OutOfBounds,
                        format!("vertex [{lon}, {lat}] lies outside Azerbaijan (positions are [lon, lat])"),
                    );
                }
            }
        }
        (self.problems.0.len() == before).then_some(polygon)
    }

    /// The table's rule for what a school teaches.
    pub(crate) fn specialities(
        &mut self,
        _: &Field,
        list: Option<Vec<String>>,
    ) -> Option<Vec<Speciality>> {
        let list = list.unwrap_or_default();
        if list.is_empty() {
            self.problems.error(
                "/specialities",
                Code::Required,
                "a school teaches at least one speciality",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (i, word) in list.iter().enumerate() {
            let at = pointer("/specialities", i);
            match self.one_of::<Speciality>(&at, word) {
                Some(s) if out.contains(&s) => {
                    ok = false;
                    self.problems
                        .error(at, Code::Duplicate, format!("`{s}` is listed twice"));
                }
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn heritage(&mut self, d: &mut Draft) -> Option<HeritageObject> {
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

    /// The table's rule for a number in the state list of monuments.
    pub(crate) fn state_list_number(
        &mut self,
        _: &Field,
        number: Option<String>,
    ) -> Option<String> {
        let number = number.map(|n| n.trim().to_string());
        if let Some(n) = &number {
            if n.split('.').any(|p| p.is_empty() || !all_digits(p)) {
                self.problems.error(
                    "/inventory_number",
                    Code::Format,
                    format!("`{}` is not a state-list number like 2 or 2.1", short(n)),
                );
            }
        }
        number
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

    fn dating(&mut self, x: Dating) -> Dating {
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

vocabulary_impl!(
    Kind,
    Status,
    Ownership,
    TheatreType,
    LibraryType,
    MuseumProfile,
    ReserveType,
    SchoolType,
    Speciality,
    HeritageCategory,
    MonumentType,
    Significance,
    Condition,
    IchDomain,
    UnescoList
);

/// Whether a point lies in Azerbaijan's bounding box.
pub fn inside(lat: f64, lon: f64) -> bool {
    (LAT_MIN..=LAT_MAX).contains(&lat) && (LON_MIN..=LON_MAX).contains(&lon)
}

/// A value as quoted in a message: at most 80 characters, so a huge bad value does not make
/// a huge report.
fn short(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
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

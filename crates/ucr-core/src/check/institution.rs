//! The rules of institutions' fields that need code (the field table names them): VÖEN,
//! contacts, ISIL, area, founding act, specialities, and the rules across fields.

use super::{short, Rules, ISIL_MAX, TEXT_MAX};
use crate::catalogue::Field;
use crate::model::{Act, Contacts};
use crate::normalize;
use crate::problem::{pointer, Code};
use crate::vocab::{Ownership, Speciality};
use crate::voen;
use validator::{ValidateEmail, ValidateUrl};

impl Rules {
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

    pub(super) fn contact_details(&mut self, c: Contacts) -> Contacts {
        let phone = c.phone.and_then(|p| {
            let e164 = normalize::phone(&p);
            if e164.is_none() {
                self.problems.error(
                    "/contacts/phone",
                    Code::Format,
                    format!("`{}` is not an Azerbaijani phone number (+994 and 9 digits, e.g. (012) 493 40 03)", short(&p)),
                );
            }
            if let Some(e) = &e164 {
                self.problems.notice(
                    "/contacts/phone",
                    Code::NormalizedPhone,
                    "stored in E.164 (+994 and nine digits)",
                    &p,
                    e,
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

    pub(super) fn isil_checked(&mut self, isil: &str) -> Option<String> {
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

    pub(super) fn established_by(&mut self, a: Act) -> Act {
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
}

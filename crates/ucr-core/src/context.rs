//! The rules that need the register (SPEC §3): references resolved to existing entries of the
//! right kind, registry numbers assigned or checked, uniqueness of registry numbers, ISILs and
//! inventory numbers, no cycles of branches, and the status transitions a role may make.
//! What they need to know is asked through [`Facts`], which the store answers from the
//! database and a bulk load from what it has written and read ahead.

use crate::error::RegisterError;
use crate::model::{Details, Entry, EntryRef, HeritageDetails, Record};
use crate::problem::{Code, Problem};
use crate::roles::Action;
use crate::vocab::{Kind, Role, Status};
use uuid::Uuid;

/// What a reference needs to know of the entry it names.
pub(crate) struct Located {
    pub(crate) id: Uuid,
    pub(crate) kind: Kind,
    pub(crate) registry_number: String,
}

/// What the rules need to know of the register. The database answers one query at a time;
/// a bulk load answers from what it has already written and what it read ahead.
pub(crate) trait Facts {
    /// Whether an entry has this registry number.
    fn number_taken(&mut self, number: &str) -> Result<bool, RegisterError>;
    /// Whether a number the sequence gives is taken (the database checks; a bulk load trusts
    /// the sequence).
    fn number_assigned(&mut self, number: &str) -> Result<bool, RegisterError> {
        self.number_taken(number)
    }
    /// The entry with this id or registry number.
    fn locate(&mut self, key: &str) -> Result<Option<Located>, RegisterError>;
    /// The parent id of an entry.
    fn parent_of(&mut self, id: &str) -> Result<Option<String>, RegisterError>;
    /// The registry number of another entry holding this ISIL key.
    fn isil_holder(&mut self, key: &str, except: &str) -> Result<Option<String>, RegisterError>;
    /// The registry number of another entry holding this inventory number in this scope.
    fn inventory_holder(
        &mut self,
        scope: &str,
        number: &str,
        except: &str,
    ) -> Result<Option<String>, RegisterError>;
}

/// Resolves references, assigns or checks the registry number, checks uniqueness, cycles and
/// the status transition. Problems are added to `problems`.
pub(crate) fn context_rules(
    c: &mut impl Facts,
    id: Uuid,
    record: &mut Record,
    current: Option<&Entry>,
    role: Role,
    problems: &mut Vec<Problem>,
) -> Result<(), RegisterError> {
    let me = id.to_string();
    // Registry number supplied on create: unique.
    if current.is_none() {
        if let Some(n) = &record.registry_number {
            if c.number_taken(n)? {
                problems.push(Problem::error(
                    "/registry_number",
                    Code::Duplicate,
                    format!("registry number {n} is already taken"),
                ));
            }
        }
    }
    // References: exist, right kind, stored as ids.
    let wanted: Vec<(&'static str, EntryRef, Kind)> = record
        .details
        .references()
        .into_iter()
        .map(|(f, r, k)| (f, r.clone(), k))
        .collect();
    let mut resolved = Vec::new();
    for (field, reference, kind) in wanted {
        let at = format!("/{field}");
        match c.locate(&reference.to_string())? {
            None => problems.push(Problem::error(
                at,
                Code::UnknownReference,
                format!("no entry has the id or registry number {reference}"),
            )),
            Some(target) if target.kind != kind => problems.push(Problem::error(
                at,
                Code::WrongReferenceKind,
                format!(
                    "{} is a {}, not a {}",
                    target.registry_number,
                    target.kind.as_str().replace('_', " "),
                    kind.as_str().replace('_', " ")
                ),
            )),
            Some(target) => {
                if field == "parent_id" {
                    parent_cycle(c, &me, &target, problems)?;
                }
                resolved.push(EntryRef::Id(target.id));
                continue;
            }
        }
        resolved.push(reference);
    }
    for (slot, value) in record.details.references_mut().into_iter().zip(resolved) {
        *slot = value;
    }
    // ISIL unique, ignoring case.
    if let Some(key) = isil_key(record) {
        if let Some(other) = c.isil_holder(&key, &me)? {
            problems.push(Problem::error(
                "/isil",
                Code::Duplicate,
                format!("this ISIL is already held by {other}"),
            ));
        }
    }
    // Each inventory number unique within its scope.
    if let Some((scope, numbers)) = inventory(record) {
        for number in inventory_numbers(&scope, &numbers) {
            if let Some(other) = c.inventory_holder(&scope, number, &me)? {
                problems.push(Problem::error(
                    "/inventory_number",
                    Code::Duplicate,
                    format!(
                        "inventory number {number} is already used by {other} in the same list"
                    ),
                ));
            }
        }
    }
    // A closed entry returns only through an admin.
    if let Some(cur) = current {
        let from = cur.record.status;
        let to = record.status;
        if from == Status::Closed && to != Status::Closed && !Action::Reinstate.allows(role) {
            problems.push(Problem::error(
                "/status",
                Code::InvalidTransition,
                format!("only an admin can take a closed entry back to {to}"),
            ));
        }
    }
    Ok(())
}

/// Walks up from `parent`; reaching `me` would close a cycle.
fn parent_cycle(
    c: &mut impl Facts,
    me: &str,
    parent: &Located,
    problems: &mut Vec<Problem>,
) -> Result<(), RegisterError> {
    let mut at = Some(parent.id.to_string());
    let mut steps = 0;
    while let Some(id) = at {
        if id == me {
            problems.push(Problem::error(
                "/parent_id",
                Code::CrossField,
                format!(
                    "{} would become its own ancestor: branches may not form a cycle",
                    parent.registry_number
                ),
            ));
            return Ok(());
        }
        steps += 1;
        if steps > 10_000 {
            break;
        }
        at = c.parent_of(&id)?;
    }
    Ok(())
}

pub(crate) fn isil_key(record: &Record) -> Option<String> {
    match &record.details {
        Details::Library(l) => l.isil.as_ref().map(|i| i.to_lowercase()),
        _ => None,
    }
}

/// The scope of a state list of immovable monuments begins so.
const STATE_LIST: &str = "state-list:";

/// The numbers an entry's inventory number holds in its scope: in the state list one or
/// several joined by `, ` (as [`crate::normalize::state_list_number`] writes them), else one.
pub(crate) fn inventory_numbers<'a>(scope: &str, number: &'a str) -> Vec<&'a str> {
    if scope.starts_with(STATE_LIST) {
        number.split(", ").collect()
    } else {
        vec![number]
    }
}

/// The scope an inventory number is unique in, and the number (as the entry writes it).
pub(crate) fn inventory(record: &Record) -> Option<(String, String)> {
    let Details::HeritageObject(h) = &record.details else {
        return None;
    };
    match &h.details {
        HeritageDetails::Immovable(m) => m.inventory_number.as_ref().map(|n| {
            (
                format!("{STATE_LIST}{}:{}", m.significance, m.monument_type),
                n.clone(),
            )
        }),
        HeritageDetails::Movable(m) => m
            .inventory_number
            .as_ref()
            .map(|n| (format!("museum:{}", m.museum_id), n.clone())),
        HeritageDetails::Intangible(_) => None,
    }
}

/// The warnings and notices of an entry that is written, or every error (and warning) of one
/// that is not.
pub(crate) fn finish(problems: Vec<Problem>) -> Result<Vec<Problem>, RegisterError> {
    if problems.iter().any(Problem::is_error) {
        let problems = crate::problem::without_notices(problems);
        let only_duplicates = problems
            .iter()
            .filter(|p| p.is_error())
            .all(|p| p.code == Code::Duplicate);
        if only_duplicates {
            return Err(RegisterError::Duplicate(problems));
        }
        return Err(RegisterError::Invalid(problems));
    }
    Ok(problems)
}

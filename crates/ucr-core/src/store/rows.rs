//! Row structs of the tables, apart from the queries.

use super::schema::{entries, inventory_numbers, revisions};
use crate::change::Revision;
use crate::duplicates::name_key;
use crate::error::RegisterError;
use crate::model::{Details, Entry};
use crate::vocab::Operation;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An `inventory_numbers` row: one number an entry is filed under in its list.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = inventory_numbers, treat_none_as_default_value = false)]
pub(crate) struct InventoryRow {
    pub inventory_scope: String,
    pub inventory_number: String,
    pub entry_id: String,
}

/// An `entries` row: the searchable and constrained columns beside the body.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = entries, treat_none_as_null = true, treat_none_as_default_value = false)]
pub(crate) struct EntryRow {
    pub id: String,
    pub kind: String,
    pub registry_number: String,
    pub name_az: String,
    pub search_text: String,
    pub status: String,
    pub region: Option<String>,
    pub economic_region: Option<String>,
    pub ownership: Option<String>,
    pub type_word: String,
    pub founded_year: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub parent_id: Option<String>,
    pub reserve_id: Option<String>,
    pub museum_id: Option<String>,
    pub isil_key: Option<String>,
    pub inventory_scope: Option<String>,
    pub inventory_number: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub body: String,
    pub seats: Option<i64>,
    pub holdings: Option<i64>,
    pub items_total: Option<i64>,
    pub enrolled: Option<i64>,
    pub area_ha: Option<f64>,
    /// The folded Azerbaijani name ([`crate::duplicates::name_key`]).
    pub name_key: String,
    /// The Wikidata item.
    pub wikidata: Option<String>,
}

impl EntryRow {
    pub fn from_entry(e: &Entry, body: &str) -> EntryRow {
        let r = &e.record;
        let institution = r.details.institution();
        let refs = r.details.references();
        let reference = |field: &str| {
            refs.iter()
                .find(|(f, _, _)| *f == field)
                .map(|(_, r, _)| r.to_string())
        };
        // "| name one | name two |": words split on anything but letters and digits (as
        // both backends' full-text tokenizers do), names kept apart so that a whole name can
        // be matched for ranking.
        let names: Vec<String> = std::iter::once(&r.name)
            .chain(r.alt_names.iter())
            .flat_map(|n| n.all())
            .map(name_key)
            .collect();
        // The Azerbaijani name comes first (`Name::all`): its key is the name key.
        let name_key = match (&r.name.az, names.first()) {
            (Some(_), Some(key)) => key.clone(),
            _ => String::new(),
        };
        let names = format!("| {} |", names.join(" | "));
        let (inventory_scope, inventory_number) = match crate::context::inventory(r) {
            Some((s, n)) => (Some(s), Some(n)),
            None => (None, None),
        };
        EntryRow {
            id: e.id.to_string(),
            kind: r.kind().as_str().to_string(),
            registry_number: e.registry_number().to_string(),
            name_az: r.name.az.clone().unwrap_or_default(),
            search_text: names,
            status: r.status.as_str().to_string(),
            region: r.region.clone(),
            economic_region: e.economic_region.clone(),
            ownership: institution.map(|i| i.ownership.as_str().to_string()),
            type_word: r.details.type_word().to_string(),
            founded_year: institution.and_then(|i| i.founded_year),
            lat: r.location.map(|l| l.lat),
            lon: r.location.map(|l| l.lon),
            parent_id: reference("parent_id"),
            reserve_id: reference("reserve_id"),
            museum_id: reference("museum_id"),
            isil_key: crate::context::isil_key(r),
            inventory_scope,
            inventory_number,
            version: e.version,
            created_at: super::naive(e.created_at),
            updated_at: super::naive(e.updated_at),
            body: body.to_string(),
            seats: match &r.details {
                Details::Theatre(t) => t.seats,
                _ => None,
            },
            holdings: match &r.details {
                Details::Library(l) => l.holdings,
                _ => None,
            },
            items_total: match &r.details {
                Details::Museum(m) => m.items_total,
                _ => None,
            },
            enrolled: match &r.details {
                Details::School(s) => s.enrolled,
                _ => None,
            },
            area_ha: match &r.details {
                Details::Reserve(x) => x.area_ha,
                _ => None,
            },
            name_key,
            wikidata: r.external_ids.as_ref().and_then(|x| x.wikidata.clone()),
        }
    }
}

/// A `revisions` row. `body` is `None` while the revision is its entry's current version.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = revisions, treat_none_as_default_value = false)]
pub(crate) struct RevisionRow {
    pub seq: i64,
    pub entry_id: String,
    pub version: i64,
    pub operation: String,
    pub actor: String,
    pub recorded_at: NaiveDateTime,
    pub reason: Option<String>,
    pub import_id: Option<String>,
    pub body: Option<String>,
}

/// A `revision_log` row: a revision with its body.
#[derive(Debug, Clone, Queryable)]
pub(crate) struct LoggedRevision {
    pub seq: i64,
    pub entry_id: String,
    pub version: i64,
    pub operation: String,
    pub actor: String,
    pub recorded_at: NaiveDateTime,
    pub reason: Option<String>,
    pub import_id: Option<String>,
    pub body: Option<String>,
}

/// The body `revision_log` gave revision `seq` of `entry_id`: none means it was lost (the
/// entry moved on without it being kept), which no reader may take for another state.
pub(crate) fn logged_body(
    seq: i64,
    entry_id: &str,
    body: Option<String>,
) -> Result<String, RegisterError> {
    body.ok_or_else(|| {
        RegisterError::Database(format!(
            "revision {seq} of entry {entry_id} has no stored body"
        ))
    })
}

impl LoggedRevision {
    pub fn into_revision(self) -> Result<Revision, RegisterError> {
        Ok(Revision {
            seq: self.seq,
            entry_id: uuid::Uuid::parse_str(&self.entry_id)
                .map_err(|e| RegisterError::Database(format!("stored id: {e}")))?,
            version: self.version,
            operation: Operation::parse(&self.operation).ok_or_else(|| {
                RegisterError::Database(format!("stored operation `{}`", self.operation))
            })?,
            actor: self.actor,
            recorded_at: self.recorded_at.and_utc(),
            reason: self.reason,
            import_id: self.import_id,
            entry: entry_from_body(&logged_body(self.seq, &self.entry_id, self.body)?)?,
        })
    }
}

/// Reads an entry back from its stored JSON.
pub(crate) fn entry_from_body(body: &str) -> Result<Entry, RegisterError> {
    serde_json::from_str(body).map_err(|e| RegisterError::Database(format!("stored entry: {e}")))
}

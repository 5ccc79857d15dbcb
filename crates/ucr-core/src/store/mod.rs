//! Storage: the register on SQLite or PostgreSQL through diesel.
//!
//! Every write runs in one transaction that first takes the change counter (which serialises
//! writers until commit on both backends), then runs the rules that need the database —
//! uniqueness, references, cycles, status transitions, the expected version — writes the
//! entry with a version check in its `UPDATE`, and appends a revision numbered by the global
//! change sequence. Unique indexes and foreign keys back the same rules in the schema.
//!
//! Each state of an entry is stored once: the revision that is the entry's current version
//! stores no body (the entry's row holds it), and a writer copies the body into it before the
//! row changes or is deleted. Readers of history and of the change feed read the view
//! `revision_log`, which gives every revision its body.

pub(crate) mod batch;
pub(crate) mod bulk;
pub mod connection;
pub(crate) mod export;
pub(crate) mod imports;
pub(crate) mod index;
pub(crate) mod rows;
pub(crate) mod schema;
pub(crate) mod search;
pub(crate) mod tokens;

use crate::check::{check, format_registry_number, parse_registry_number};
use crate::cursor::ListCursor;
use crate::error::RegisterError;
use crate::model::{Details, Entry, EntryRef, HeritageDetails, Record};
use crate::problem::{Code, Problem};
use crate::roles::Action;
use crate::vocab::{Kind, Operation, Role, Status};
use chrono::{DateTime, NaiveDateTime, Utc};
use connection::{Db, Manager, Pool};
use diesel::prelude::*;
use rows::{EntryRow, LoggedRevision, RevisionRow};
use schema::{counters, entries, revision_log, revisions};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// Who writes, with what expectation.
#[derive(Debug, Clone)]
pub struct Write {
    /// Recorded as the actor of the revision (the token's name over HTTP).
    pub actor: String,
    /// The writer's role: only an admin reinstates a closed entry.
    pub role: Role,
    /// The version the writer read (`If-Match`); a different stored version refuses the write.
    pub expected_version: Option<i64>,
    /// Why, recorded in the revision.
    pub reason: Option<String>,
}

impl Write {
    /// A write by `actor` with `role`, no version expectation, no reason.
    pub fn by(actor: impl Into<String>, role: Role) -> Self {
        Write {
            actor: actor.into(),
            role,
            expected_version: None,
            reason: None,
        }
    }

    /// Refuses this writer when its role is below what `action` needs ([`crate::roles::ROLES`]).
    pub fn require(&self, action: Action) -> Result<(), RegisterError> {
        if action.allows(self.role) {
            Ok(())
        } else {
            Err(RegisterError::Forbidden {
                action,
                actor: self.actor.clone(),
                role: self.role,
            })
        }
    }

    /// Expects the entry at `version`.
    pub fn at_version(mut self, version: i64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// Records a reason.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// A stored entry and the warnings it was stored with.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    /// The entry as stored.
    pub entry: Entry,
    /// Problems of severity `warning`.
    pub warnings: Vec<Problem>,
}

/// One change of one entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// Position in the global change sequence (strictly increasing, gapless).
    pub seq: i64,
    /// The entry changed.
    pub entry_id: Uuid,
    /// The entry's version after the change (for a delete, one past the last).
    pub version: i64,
    /// What happened.
    pub operation: Operation,
    /// Who did it.
    pub actor: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Why, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The import that made the change, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_id: Option<String>,
    /// The entry as it became (for a delete, its last state).
    pub entry: Entry,
}

/// Filters of a list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this sub-register.
    pub kind: Option<Kind>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only this ISO 3166-2:AZ unit.
    pub region: Option<String>,
    /// Only this economic region.
    pub economic_region: Option<String>,
    /// Only this ownership (institutions).
    pub ownership: Option<crate::vocab::Ownership>,
    /// Only this value of the kind's type field (`theatre_type`, `museum_profile`, …).
    pub type_word: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// The entries of this page, oldest first.
    pub items: Vec<Entry>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// Entries matching the filter, on all pages.
    pub total: i64,
}

/// Most entries one page may hold.
pub const PAGE_MAX: i64 = 1000;

/// The register: a pool of connections to one database.
#[derive(Clone)]
pub struct Register {
    pool: Pool,
    answers: crate::search::Answers,
    index: crate::search::KeptIndex,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register").finish_non_exhaustive()
    }
}

/// Microsecond precision on both backends, so round trips agree.
pub(crate) fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// [`now`] as the databases store it.
pub(crate) fn naive_now() -> NaiveDateTime {
    naive(now())
}

impl Register {
    /// Opens (creating and migrating if needed) the register at `url`: a path or `sqlite://…`
    /// for SQLite, `postgres://…` for PostgreSQL. Uses a pool of up to 8 connections.
    pub fn open(url: &str) -> Result<Register, RegisterError> {
        Register::open_with_pool_size(url, 8)
    }

    /// Like [`Register::open`], with a pool of up to `size` connections.
    pub fn open_with_pool_size(url: &str, size: u32) -> Result<Register, RegisterError> {
        let register = Register::connect(url, size)?;
        register.migrate()?;
        Ok(register)
    }

    /// Connects to the register at `url` without migrating it.
    pub fn connect(url: &str, size: u32) -> Result<Register, RegisterError> {
        let pool = Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(1))
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(Manager::new(url))
            .map_err(|e| RegisterError::Open(e.to_string()))?;
        Ok(Register {
            pool,
            answers: Default::default(),
            index: Default::default(),
        })
    }

    /// Applies pending migrations; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, RegisterError> {
        let mut conn = self.pool.get()?;
        connection::migrate(&mut conn).map_err(RegisterError::Open)
    }

    /// Answers of recent searches.
    pub(crate) fn answers(&self) -> &crate::search::Answers {
        &self.answers
    }

    /// Sets how many bytes of entries the answers of recent searches may hold
    /// ([`crate::search::ANSWERS_BYTES`] unless set; 0 keeps none). They are served only while
    /// the register has not changed since they were computed.
    pub fn with_search_cache(mut self, bytes: usize) -> Register {
        self.answers = crate::search::Answers::new(bytes);
        self
    }

    /// Keeps a search index in memory: the words of every name and the columns searches
    /// filter and count on, so that a search with words reads no table but for the bodies of
    /// its page. It is built on the first such search (or by
    /// [`Register::prepare_search_index`]), the tables answering meanwhile, and brought up to
    /// date from the change sequence before every search, whichever process wrote: it never
    /// answers older than the register. About 140 bytes an entry (135 MiB for 1 000 000).
    pub fn with_search_index(mut self) -> Register {
        self.index = crate::search::KeptIndex::on();
        self
    }

    /// Builds the search index now (when the register keeps one), so that the first searches
    /// need not wait or fall back to the tables. Says why if it could not be built; searches
    /// then use the tables.
    pub fn prepare_search_index(&self) -> Result<(), RegisterError> {
        if !self.index.is_on() {
            return Ok(());
        }
        let mut conn = self.connection()?;
        let seq = search::change_seq(&mut conn)?;
        self.index.ready(&mut conn, seq)?;
        match self.index.failure() {
            Some(why) => Err(RegisterError::Database(format!("search index: {why}"))),
            None => Ok(()),
        }
    }

    pub(crate) fn search_index(&self) -> &crate::search::KeptIndex {
        &self.index
    }

    /// A pooled connection, for the modules that build on the register.
    pub fn connection(&self) -> Result<diesel::r2d2::PooledConnection<Manager>, RegisterError> {
        Ok(self.pool.get()?)
    }

    /// Whether the database answers.
    pub fn ping(&self) -> bool {
        use diesel::connection::SimpleConnection;
        self.pool
            .get()
            .map(|mut c| c.batch_execute("SELECT 1").is_ok())
            .unwrap_or(false)
    }

    /// Validates an entry as a create would, against the rules and the register, without
    /// writing. `Ok` holds the warnings.
    pub fn validate(&self, value: Value) -> Result<Vec<Problem>, RegisterError> {
        let checked = check(value, None);
        let Some(record) = checked.record else {
            return Err(RegisterError::Invalid(checked.problems));
        };
        let mut conn = self.pool.get()?;
        let id = Uuid::now_v7();
        let mut problems = checked.problems;
        let mut record = record;
        conn.transaction(|c| {
            context_rules(&mut **c, id, &mut record, None, Role::Admin, &mut problems)?;
            Ok::<_, RegisterError>(())
        })?;
        finish(problems)
    }

    /// Creates an entry from flat JSON.
    pub fn create(&self, value: Value, w: &Write) -> Result<Saved, RegisterError> {
        w.require(Action::Create)?;
        let checked = check(value, None);
        let Some(record) = checked.record else {
            return Err(RegisterError::Invalid(checked.problems));
        };
        let mut conn = self.pool.get()?;
        conn.transaction(|c| {
            let mut counters = Counters::take(c)?;
            let saved = insert(
                c,
                Uuid::now_v7(),
                record,
                checked.problems,
                w,
                &mut counters,
                None,
            )?;
            counters.flush(c)?;
            Ok(saved)
        })
    }

    /// The entry with this id or registry number.
    pub fn get(&self, key: &str) -> Result<Entry, RegisterError> {
        let mut conn = self.pool.get()?;
        find(&mut conn, key)?.ok_or_else(|| RegisterError::NotFound(key.to_string()))
    }

    /// Replaces an entry by flat JSON (the kind and registry number may be given, unchanged).
    pub fn replace(&self, key: &str, value: Value, w: &Write) -> Result<Saved, RegisterError> {
        self.update(key, w, |_| Ok(value))
    }

    /// Applies a JSON Merge Patch (RFC 7396) to an entry.
    pub fn patch(&self, key: &str, patch: &Value, w: &Write) -> Result<Saved, RegisterError> {
        if !patch.is_object() {
            return Err(RegisterError::Invalid(vec![Problem::error(
                "",
                Code::Format,
                "a merge patch of an entry is a JSON object",
            )]));
        }
        self.update(key, w, |current| {
            let mut doc = current.record_json();
            json_patch::merge(&mut doc, patch);
            Ok(doc)
        })
    }

    /// Changes an entry's status (`closed_on` is required for `closed`, removed otherwise).
    pub fn set_status(
        &self,
        key: &str,
        status: Status,
        closed_on: Option<chrono::NaiveDate>,
        w: &Write,
    ) -> Result<Saved, RegisterError> {
        self.update(key, w, |current| {
            let mut doc = current.record_json();
            if let Some(map) = doc.as_object_mut() {
                map.insert("status".into(), Value::String(status.as_str().into()));
                match closed_on {
                    Some(d) => map.insert("closed_on".into(), Value::String(d.to_string())),
                    None => map.remove("closed_on"),
                };
            }
            Ok(doc)
        })
    }

    fn update(
        &self,
        key: &str,
        w: &Write,
        build: impl FnOnce(&Entry) -> Result<Value, RegisterError>,
    ) -> Result<Saved, RegisterError> {
        w.require(Action::Change)?;
        let mut conn = self.pool.get()?;
        conn.transaction(|c| {
            let mut counters = Counters::take(c)?;
            let current = find(c, key)?.ok_or_else(|| RegisterError::NotFound(key.to_string()))?;
            expect_version(&current, w)?;
            let value = build(&current)?;
            let checked = check(value, Some(&current));
            let Some(record) = checked.record else {
                return Err(RegisterError::Invalid(checked.problems));
            };
            let saved = save_update(c, current, record, checked.problems, w, &mut counters, None)
                .map_err(|e| reinstating(e, w))?;
            counters.flush(c)?;
            Ok(saved)
        })
    }

    /// Deletes an entry (its history stays). Refused while another entry refers to it.
    pub fn delete(&self, key: &str, w: &Write) -> Result<Revision, RegisterError> {
        w.require(Action::Delete)?;
        let mut conn = self.pool.get()?;
        conn.transaction(|c| {
            let mut counters = Counters::take(c)?;
            let current = find(c, key)?.ok_or_else(|| RegisterError::NotFound(key.to_string()))?;
            expect_version(&current, w)?;
            let revision = remove(c, current, w, &mut counters, None)?;
            counters.flush(c)?;
            Ok(revision)
        })
    }

    /// Lists entries, oldest first, `limit` (1–1000) at a time after `cursor` (a
    /// [`ListCursor`]: the `next_cursor` of the previous page).
    pub fn list(
        &self,
        filter: &Filter,
        limit: i64,
        cursor: Option<&str>,
    ) -> Result<Listing, RegisterError> {
        let limit = limit.clamp(1, PAGE_MAX);
        let after = match cursor.map(str::parse::<ListCursor>).transpose() {
            Ok(after) => after,
            Err(e) => {
                return Err(RegisterError::Invalid(vec![Problem::error(
                    "",
                    Code::Format,
                    e.to_string(),
                )]))
            }
        };
        let mut conn = self.pool.get()?;
        let total = filtered(filter).count().get_result::<i64>(&mut conn)?;
        let mut query = filtered(filter)
            .select(entries::body)
            .order(entries::id.asc())
            .limit(limit + 1);
        if let Some(c) = after {
            query = query.filter(entries::id.gt(c.after.to_string()));
        }
        let bodies: Vec<String> = query.load(&mut conn)?;
        let mut items = bodies
            .iter()
            .map(|b| rows::entry_from_body(b))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|e| ListCursor { after: e.id }.to_string())
        } else {
            None
        };
        Ok(Listing {
            items,
            next_cursor,
            total,
        })
    }

    /// Every revision of an entry (also of a deleted one), oldest first.
    pub fn history(&self, key: &str) -> Result<Vec<Revision>, RegisterError> {
        let mut conn = self.pool.get()?;
        let id = match find(&mut conn, key)? {
            Some(e) => e.id.to_string(),
            None => history_id(&mut conn, key)?
                .ok_or_else(|| RegisterError::NotFound(key.to_string()))?,
        };
        let rows: Vec<LoggedRevision> = revision_log::table
            .filter(revision_log::entry_id.eq(&id))
            .order(revision_log::seq.asc())
            .load(&mut conn)?;
        if rows.is_empty() {
            return Err(RegisterError::NotFound(key.to_string()));
        }
        rows.into_iter()
            .map(LoggedRevision::into_revision)
            .collect()
    }

    /// One past version of an entry.
    pub fn revision(&self, key: &str, version: i64) -> Result<Revision, RegisterError> {
        self.history(key)?
            .into_iter()
            .find(|r| r.version == version)
            .ok_or_else(|| RegisterError::NotFound(format!("{key} version {version}")))
    }

    /// How many changes come after sequence number `since`.
    pub fn changes_after(&self, since: i64) -> Result<i64, RegisterError> {
        let mut conn = self.pool.get()?;
        Ok(revisions::table
            .filter(revisions::seq.gt(since))
            .count()
            .get_result(&mut conn)?)
    }

    /// Changes after sequence number `since`, at most `limit` (1–1000), in sequence order.
    pub fn changes(&self, since: i64, limit: i64) -> Result<Vec<Revision>, RegisterError> {
        let mut conn = self.pool.get()?;
        let rows: Vec<LoggedRevision> = revision_log::table
            .filter(revision_log::seq.gt(since))
            .order(revision_log::seq.asc())
            .limit(limit.clamp(1, PAGE_MAX))
            .load(&mut conn)?;
        rows.into_iter()
            .map(LoggedRevision::into_revision)
            .collect()
    }
}

fn filtered<'a>(f: &Filter) -> entries::BoxedQuery<'a, <Db as Connection>::Backend> {
    let mut q = entries::table.into_boxed();
    if let Some(k) = f.kind {
        q = q.filter(entries::kind.eq(k.as_str()));
    }
    if let Some(s) = f.status {
        q = q.filter(entries::status.eq(s.as_str()));
    }
    if let Some(r) = &f.region {
        q = q.filter(entries::region.eq(r.clone()));
    }
    if let Some(r) = &f.economic_region {
        q = q.filter(entries::economic_region.eq(r.clone()));
    }
    if let Some(o) = f.ownership {
        q = q.filter(entries::ownership.eq(o.as_str()));
    }
    if let Some(t) = &f.type_word {
        q = q.filter(entries::type_word.eq(t.clone()));
    }
    q
}

/// The sequences a write transaction draws from: the global change sequence and the
/// registry-number sequence of each kind. Taken once at the start of the transaction (its
/// first statement takes the change counter's row, so writers queue there on both backends
/// and every rule below runs race-free), kept in memory, written back before commit.
pub(crate) struct Counters {
    change: i64,
    kinds: std::collections::HashMap<&'static str, i64>,
    changed_kinds: bool,
}

impl Counters {
    /// Takes the change counter (the write lock) and reads the sequences.
    pub(crate) fn take(c: &mut Db) -> Result<Counters, RegisterError> {
        diesel::update(counters::table.filter(counters::name.eq("change")))
            .set(counters::value.eq(counters::value))
            .execute(c)?;
        let rows: Vec<(String, i64)> = counters::table
            .select((counters::name, counters::value))
            .load(c)?;
        let mut out = Counters {
            change: 0,
            kinds: std::collections::HashMap::new(),
            changed_kinds: false,
        };
        for (name, value) in rows {
            match Kind::from_prefix(&name) {
                Some(kind) => {
                    out.kinds.insert(kind.prefix(), value);
                }
                None if name == "change" => out.change = value,
                None => {}
            }
        }
        Ok(out)
    }

    /// The next number of the change sequence.
    pub(crate) fn next_change(&mut self) -> i64 {
        self.change += 1;
        self.change
    }

    fn last_number(&self, kind: Kind) -> i64 {
        self.kinds.get(kind.prefix()).copied().unwrap_or(0)
    }

    fn set_number(&mut self, kind: Kind, value: i64) {
        self.kinds.insert(kind.prefix(), value);
        self.changed_kinds = true;
    }

    /// Writes the sequences back (before commit).
    pub(crate) fn flush(&self, c: &mut Db) -> Result<(), RegisterError> {
        advance(c, "change", self.change)?;
        if self.changed_kinds {
            for (name, value) in &self.kinds {
                advance(c, name, *value)?;
            }
        }
        Ok(())
    }
}

/// Records a counter's value.
fn advance(c: &mut Db, name: &str, value: i64) -> Result<(), RegisterError> {
    diesel::update(counters::table.filter(counters::name.eq(name)))
        .set(counters::value.eq(value))
        .execute(c)?;
    Ok(())
}

fn expect_version(current: &Entry, w: &Write) -> Result<(), RegisterError> {
    match w.expected_version {
        Some(v) if v != current.version => Err(RegisterError::VersionMismatch {
            expected: v,
            actual: current.version,
        }),
        _ => Ok(()),
    }
}

/// The entry with this id or registry number.
pub(crate) fn find(c: &mut Db, key: &str) -> Result<Option<Entry>, RegisterError> {
    let key = key.trim();
    // No id or registry number holds a control character (PostgreSQL refuses NUL outright).
    if key.is_empty() || key.chars().any(char::is_control) {
        return Ok(None);
    }
    let body: Option<String> = if Uuid::parse_str(key).is_ok() {
        entries::table
            .filter(entries::id.eq(key.to_lowercase()))
            .select(entries::body)
            .first(c)
            .optional()?
    } else {
        entries::table
            .filter(entries::registry_number.eq(key.to_uppercase()))
            .select(entries::body)
            .first(c)
            .optional()?
    };
    body.map(|b| rows::entry_from_body(&b)).transpose()
}

/// What a reference needs to know of the entry it names.
pub(crate) struct Located {
    pub(crate) id: Uuid,
    pub(crate) kind: Kind,
    pub(crate) registry_number: String,
}

/// The id, kind and registry number of the entry with this id or registry number, without
/// reading the entry itself.
pub(crate) fn locate(c: &mut Db, key: &str) -> Result<Option<Located>, RegisterError> {
    let key = key.trim();
    if key.is_empty() || key.chars().any(char::is_control) {
        return Ok(None);
    }
    let query = entries::table.select((entries::id, entries::kind, entries::registry_number));
    let row: Option<(String, String, String)> = if Uuid::parse_str(key).is_ok() {
        query
            .filter(entries::id.eq(key.to_lowercase()))
            .first(c)
            .optional()?
    } else {
        query
            .filter(entries::registry_number.eq(key.to_uppercase()))
            .first(c)
            .optional()?
    };
    let Some((id, kind, registry_number)) = row else {
        return Ok(None);
    };
    let stored =
        |what: &str| RegisterError::Database(format!("stored {what} of {registry_number}"));
    Ok(Some(Located {
        id: Uuid::parse_str(&id).map_err(|_| stored("id"))?,
        kind: Kind::parse(&kind).ok_or_else(|| stored("kind"))?,
        registry_number: registry_number.clone(),
    }))
}

/// The id of a deleted entry, from its history.
fn history_id(c: &mut Db, key: &str) -> Result<Option<String>, RegisterError> {
    if key.chars().any(char::is_control) {
        return Ok(None);
    }
    if Uuid::parse_str(key.trim()).is_ok() {
        return Ok(Some(key.trim().to_lowercase()));
    }
    // A deleted entry is found by registry number through the last revision that had it.
    let bodies: Vec<(String, Option<String>)> = revision_log::table
        .filter(revision_log::operation.eq(Operation::Delete.as_str()))
        .select((revision_log::entry_id, revision_log::body))
        .load(c)?;
    let wanted = key.trim().to_uppercase();
    // (A delete revision always stores its body: the entry's row is gone.)
    Ok(bodies.into_iter().find_map(|(id, body)| {
        rows::entry_from_body(body.as_deref()?)
            .ok()
            .filter(|e| e.registry_number() == wanted)
            .map(|_| id)
    }))
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

impl Facts for Db {
    fn number_taken(&mut self, number: &str) -> Result<bool, RegisterError> {
        let taken: i64 = entries::table
            .filter(entries::registry_number.eq(number))
            .count()
            .get_result(self)?;
        Ok(taken > 0)
    }

    fn locate(&mut self, key: &str) -> Result<Option<Located>, RegisterError> {
        locate(self, key)
    }

    fn parent_of(&mut self, id: &str) -> Result<Option<String>, RegisterError> {
        Ok(entries::table
            .filter(entries::id.eq(id))
            .select(entries::parent_id)
            .first::<Option<String>>(self)
            .optional()?
            .flatten())
    }

    fn isil_holder(&mut self, key: &str, except: &str) -> Result<Option<String>, RegisterError> {
        Ok(entries::table
            .filter(entries::isil_key.eq(key))
            .filter(entries::id.ne(except))
            .select(entries::registry_number)
            .first(self)
            .optional()?)
    }

    fn inventory_holder(
        &mut self,
        scope: &str,
        number: &str,
        except: &str,
    ) -> Result<Option<String>, RegisterError> {
        Ok(entries::table
            .filter(entries::inventory_scope.eq(scope))
            .filter(entries::inventory_number.eq(number))
            .filter(entries::id.ne(except))
            .select(entries::registry_number)
            .first(self)
            .optional()?)
    }
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
    // Inventory number unique within its scope.
    if let Some((scope, number)) = inventory(record) {
        if let Some(other) = c.inventory_holder(&scope, &number, &me)? {
            problems.push(Problem::error(
                "/inventory_number",
                Code::Duplicate,
                format!("inventory number {number} is already used by {other} in the same list"),
            ));
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

fn isil_key(record: &Record) -> Option<String> {
    match &record.details {
        Details::Library(l) => l.isil.as_ref().map(|i| i.to_lowercase()),
        _ => None,
    }
}

/// The scope an inventory number is unique in, and the number.
fn inventory(record: &Record) -> Option<(String, String)> {
    let Details::HeritageObject(h) = &record.details else {
        return None;
    };
    match &h.details {
        HeritageDetails::Immovable(m) => m.inventory_number.as_ref().map(|n| {
            (
                format!("state-list:{}:{}", m.significance, m.monument_type),
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

fn finish(problems: Vec<Problem>) -> Result<Vec<Problem>, RegisterError> {
    if problems.iter().any(Problem::is_error) {
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

/// A new entry checked against the register, ready to be written.
pub(crate) struct Prepared {
    /// The entry and its warnings.
    pub saved: Saved,
    /// Its row.
    pub entry_row: EntryRow,
    /// Its first revision.
    pub revision_row: RevisionRow,
}

/// Runs the rules that need the register on a new entry, assigns its registry number and
/// builds its rows (the caller writes them).
pub(crate) fn prepare_create(
    c: &mut impl Facts,
    id: Uuid,
    mut record: Record,
    mut problems: Vec<Problem>,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Prepared, RegisterError> {
    context_rules(c, id, &mut record, None, w.role, &mut problems)?;
    let warnings = finish(problems)?;
    let kind = record.kind();
    let number = match record.registry_number.clone() {
        Some(n) => {
            // A supplied number moves the sequence past it, so assigned numbers never collide.
            if let Some((_, value)) = parse_registry_number(&n) {
                if value > counters.last_number(kind) {
                    counters.set_number(kind, value);
                }
            }
            n
        }
        None => next_number(c, kind, counters)?,
    };
    record.registry_number = Some(number);
    let at = now();
    let entry = Entry {
        id,
        economic_region: record.economic_region().map(str::to_string),
        record,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let body = body_of(&entry)?;
    let entry_row = EntryRow::from_entry(&entry, &body);
    // The entry's row holds its body while this is its current version.
    let revision_row = revision_row(&entry, None, Operation::Create, w, counters, import_id);
    Ok(Prepared {
        saved: Saved { entry, warnings },
        entry_row,
        revision_row,
    })
}

/// Inserts a new entry and its first revision.
pub(crate) fn insert(
    c: &mut Db,
    id: Uuid,
    record: Record,
    problems: Vec<Problem>,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Saved, RegisterError> {
    let p = prepare_create(c, id, record, problems, w, counters, import_id)?;
    diesel::insert_into(entries::table)
        .values(&p.entry_row)
        .execute(c)
        .map_err(unique_violation)?;
    diesel::insert_into(revisions::table)
        .values(&p.revision_row)
        .execute(c)?;
    Ok(p.saved)
}

fn body_of(entry: &Entry) -> Result<String, RegisterError> {
    serde_json::to_string(entry).map_err(|e| RegisterError::Database(format!("entry to JSON: {e}")))
}

/// Next free registry number of a kind. Every registry number enters through
/// [`prepare_create`], which moves the kind's sequence past it, so the next number of the
/// sequence is free; the check is a second line behind the unique index.
fn next_number(
    c: &mut impl Facts,
    kind: Kind,
    counters: &mut Counters,
) -> Result<String, RegisterError> {
    let mut n = counters.last_number(kind);
    loop {
        n = n.checked_add(1).ok_or_else(|| {
            RegisterError::Database(format!("the {} sequence is exhausted", kind.prefix()))
        })?;
        let candidate = format_registry_number(kind, n);
        if !c.number_assigned(&candidate)? {
            counters.set_number(kind, n);
            return Ok(candidate);
        }
    }
}

/// A change refused by the rules only because it reinstates a closed entry is refused for the
/// writer's role, not for the entry: [`RegisterError::Forbidden`]. With other errors besides,
/// the entry is wrong and every problem is reported.
fn reinstating(e: RegisterError, w: &Write) -> RegisterError {
    match e {
        RegisterError::Invalid(problems)
            if problems.iter().any(Problem::is_error)
                && problems
                    .iter()
                    .filter(|p| p.is_error())
                    .all(|p| p.code == Code::InvalidTransition) =>
        {
            RegisterError::Forbidden {
                action: Action::Reinstate,
                actor: w.actor.clone(),
                role: w.role,
            }
        }
        other => other,
    }
}

/// Writes a changed entry and its revision.
pub(crate) fn save_update(
    c: &mut Db,
    current: Entry,
    mut record: Record,
    mut problems: Vec<Problem>,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Saved, RegisterError> {
    context_rules(
        c,
        current.id,
        &mut record,
        Some(&current),
        w.role,
        &mut problems,
    )?;
    let warnings = finish(problems)?;
    let operation = if record.status != current.record.status {
        Operation::StatusChange
    } else {
        Operation::Update
    };
    let entry = Entry {
        id: current.id,
        economic_region: record.economic_region().map(str::to_string),
        record,
        version: current.version + 1,
        created_at: current.created_at,
        updated_at: now(),
    };
    let body = body_of(&entry)?;
    let row = EntryRow::from_entry(&entry, &body);
    keep_current_body(c, &current)?;
    let changed = diesel::update(
        entries::table
            .filter(entries::id.eq(current.id.to_string()))
            .filter(entries::version.eq(current.version)),
    )
    .set(&row)
    .execute(c)
    .map_err(unique_violation)?;
    if changed == 0 {
        return Err(RegisterError::VersionMismatch {
            expected: current.version,
            actual: current.version + 1,
        });
    }
    append(c, &entry, None, operation, w, counters, import_id)?;
    Ok(Saved { entry, warnings })
}

/// Deletes an entry, keeping its last state in history.
pub(crate) fn remove(
    c: &mut Db,
    current: Entry,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Revision, RegisterError> {
    let me = current.id.to_string();
    let referrers: Vec<String> = entries::table
        .filter(
            entries::parent_id
                .eq(&me)
                .or(entries::reserve_id.eq(&me))
                .or(entries::museum_id.eq(&me)),
        )
        .filter(entries::id.ne(&me))
        .select(entries::registry_number)
        .order(entries::registry_number.asc())
        .load(c)?;
    if !referrers.is_empty() {
        return Err(RegisterError::Referenced { referrers });
    }
    keep_current_body(c, &current)?;
    diesel::delete(entries::table.filter(entries::id.eq(&me))).execute(c)?;
    let mut last = current;
    last.version += 1;
    let body = body_of(&last)?;
    append(
        c,
        &last,
        Some(body),
        Operation::Delete,
        w,
        counters,
        import_id,
    )
}

/// Copies an entry's body into its current revision, which stores none, before the entry's
/// row changes or goes.
fn keep_current_body(c: &mut Db, current: &Entry) -> Result<(), RegisterError> {
    let id = current.id.to_string();
    diesel::update(
        revisions::table
            .filter(revisions::entry_id.eq(&id))
            .filter(revisions::version.eq(current.version))
            .filter(revisions::body.is_null()),
    )
    .set(
        revisions::body.eq(entries::table
            .filter(entries::id.eq(&id))
            .select(entries::body)
            .single_value()),
    )
    .execute(c)?;
    Ok(())
}

/// The revision row of a change, numbered by the change sequence. `body` is `None` when the
/// change leaves the entry in the register: its row holds the body.
fn revision_row(
    entry: &Entry,
    body: Option<String>,
    operation: Operation,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> RevisionRow {
    RevisionRow {
        seq: counters.next_change(),
        entry_id: entry.id.to_string(),
        version: entry.version,
        operation: operation.as_str().to_string(),
        actor: w.actor.clone(),
        recorded_at: now().naive_utc(),
        reason: w.reason.clone(),
        import_id: import_id.map(str::to_string),
        body,
    }
}

fn append(
    c: &mut Db,
    entry: &Entry,
    body: Option<String>,
    operation: Operation,
    w: &Write,
    counters: &mut Counters,
    import_id: Option<&str>,
) -> Result<Revision, RegisterError> {
    let row = revision_row(entry, body, operation, w, counters, import_id);
    diesel::insert_into(revisions::table)
        .values(&row)
        .execute(c)?;
    Ok(Revision {
        seq: row.seq,
        entry_id: entry.id,
        version: entry.version,
        operation,
        actor: row.actor,
        recorded_at: row.recorded_at.and_utc(),
        reason: row.reason,
        import_id: row.import_id,
        entry: entry.clone(),
    })
}

/// A unique index caught what the rules did not (cannot happen while writers are serialised,
/// but the schema has the last word).
fn unique_violation(e: diesel::result::Error) -> RegisterError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            RegisterError::Duplicate(vec![Problem::error(
                "",
                Code::Duplicate,
                format!("a unique value is already taken: {}", info.message()),
            )])
        }
        other => other.into(),
    }
}

pub(crate) fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

//! The fast path of a load: entries are checked a chunk at a time against facts read ahead
//! in a few queries (registry numbers, references, ISILs, inventory numbers), and written
//! together (see `store::batch`). The rules are the same functions as a single write's; only
//! where their facts come from differs.

use crate::context::Facts;
use crate::context::Located;
use crate::duplicates::{name_key, DuplicateKey};
use crate::error::RegisterError;
use crate::problem::Problem;
use crate::store::connection::Db;
use crate::store::rows::{EntryRow, RevisionRow};
use crate::store::{self, Prepared};
use crate::vocab::Kind;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Entries checked and written together (and keys read ahead per statement).
pub const CHUNK: usize = store::batch::IN_LIST;

/// What the rules may ask about the entries of one chunk, read ahead, plus what the chunk
/// itself has added so far.
#[derive(Default)]
pub(super) struct Known {
    /// Registry numbers whose holders were read: the entry, or `None` when free.
    numbers: HashMap<String, Option<Located>>,
    /// Entries by id.
    ids: HashMap<String, Located>,
    /// Parent ids of entries read or added.
    parents: HashMap<String, Option<String>>,
    /// ISIL keys read: holder (registry number, id) or free.
    isils: HashMap<String, Option<(String, String)>>,
    /// Inventory numbers read: (scope, number) → (registry number, id).
    inventories: HashMap<(String, String), (String, String)>,
    /// Inventory numbers whose every holder was read.
    inventory_read: HashSet<String>,
    /// Name keys read: (kind, region, registry number) of every entry holding each, read or
    /// added.
    names: HashMap<String, Vec<(String, Option<String>, String)>>,
    /// The rows waiting to be written.
    entry_rows: Vec<EntryRow>,
    revision_rows: Vec<RevisionRow>,
}

fn located(id: &str, kind: &str, number: &str) -> Option<Located> {
    Some(Located {
        id: Uuid::parse_str(id).ok()?,
        kind: Kind::parse(kind)?,
        registry_number: number.to_string(),
    })
}

impl Known {
    /// Reads ahead what the rules will ask about these entries.
    pub(super) fn read_ahead(
        &mut self,
        c: &mut Db,
        values: &[&Value],
    ) -> Result<(), RegisterError> {
        let text = |v: &Value, f: &str| {
            v.get(f)
                .and_then(Value::as_str)
                .map(|s| s.trim().to_string())
        };
        let mut numbers: HashSet<String> = HashSet::with_capacity(values.len());
        let mut ids: HashSet<String> = HashSet::with_capacity(values.len());
        let mut isils: HashSet<String> = HashSet::with_capacity(values.len());
        let mut inventory: HashSet<String> = HashSet::with_capacity(values.len());
        let mut names: HashSet<String> = HashSet::with_capacity(values.len());
        for v in values {
            // Only a row without a registry number is looked at as a possible duplicate.
            if v.get("registry_number").is_none_or(Value::is_null) {
                if let Some(az) = v
                    .get("name")
                    .and_then(|n| n.get("az"))
                    .and_then(Value::as_str)
                {
                    names.insert(name_key(az));
                }
            }
            if let Some(n) = text(v, "registry_number") {
                numbers.insert(n.to_uppercase());
            }
            for f in ["parent_id", "reserve_id", "museum_id"] {
                if let Some(r) = text(v, f) {
                    match Uuid::parse_str(&r) {
                        Ok(u) => ids.insert(u.to_string()),
                        Err(_) => numbers.insert(r.to_uppercase()),
                    };
                }
            }
            if let Some(i) = text(v, "isil") {
                isils.insert(i.to_lowercase());
            }
            if let Some(n) = text(v, "inventory_number") {
                // A state-list entry may be filed under several numbers; read each (a number
                // in the form of another list is read as written).
                if let Ok(numbers) = crate::normalize::state_list_numbers(&n) {
                    inventory.extend(numbers);
                }
                inventory.insert(n);
            }
        }
        numbers.retain(|n| !self.numbers.contains_key(n));
        ids.retain(|i| !self.ids.contains_key(i));
        isils.retain(|i| !self.isils.contains_key(i));
        inventory.retain(|i| !self.inventory_read.contains(i));
        let number_list: Vec<String> = numbers.iter().cloned().collect();
        for part in number_list.chunks(CHUNK) {
            for (id, kind, number, parent) in store::batch::holders_by_number(c, part)? {
                self.remember(&id, &kind, &number, parent);
            }
        }
        for n in numbers {
            self.numbers.entry(n).or_insert(None);
        }
        let id_list: Vec<String> = ids.into_iter().collect();
        for part in id_list.chunks(CHUNK) {
            for (id, kind, number, parent) in store::batch::holders_by_id(c, part)? {
                self.remember(&id, &kind, &number, parent);
            }
        }
        let isil_list: Vec<String> = isils.iter().cloned().collect();
        for part in isil_list.chunks(CHUNK) {
            for (key, number, id) in store::batch::isil_holders(c, part)? {
                if let Some(key) = key {
                    self.isils.insert(key, Some((number, id)));
                }
            }
        }
        for i in isils {
            self.isils.entry(i).or_insert(None);
        }
        let inventory_list: Vec<String> = inventory.iter().cloned().collect();
        for part in inventory_list.chunks(CHUNK) {
            for (scope, number, registry, id) in store::batch::inventory_holders(c, part)? {
                self.inventories.insert((scope, number), (registry, id));
            }
        }
        self.inventory_read.extend(inventory);
        names.retain(|k| !k.is_empty() && !self.names.contains_key(k));
        let name_list: Vec<String> = names.into_iter().collect();
        for part in name_list.chunks(CHUNK) {
            for k in part {
                self.names.insert(k.clone(), Vec::new());
            }
            for (key, kind, region, number) in store::batch::name_holders(c, part)? {
                self.names
                    .entry(key)
                    .or_default()
                    .push((kind, region, number));
            }
        }
        Ok(())
    }

    /// The registry number of an entry read or added with this kind, region and name, when the
    /// rows of the chunk had its name key read ahead.
    pub(super) fn similar(&self, key: &DuplicateKey) -> Option<&str> {
        self.names
            .get(&key.name)?
            .iter()
            .find(|(kind, region, _)| *kind == key.kind && *region == key.region)
            .map(|(_, _, number)| number.as_str())
    }

    fn remember(&mut self, id: &str, kind: &str, number: &str, parent: Option<String>) {
        if let Some(l) = located(id, kind, number) {
            self.numbers
                .insert(number.to_string(), located(id, kind, number));
            self.ids.insert(id.to_string(), l);
            self.parents.insert(id.to_string(), parent);
        }
    }

    /// Takes in a prepared entry: the next rows of the chunk must see it.
    /// Returns what the rows do not keep.
    pub(super) fn add(&mut self, p: Prepared) -> crate::change::Saved {
        let row = &p.entry_row;
        self.remember(
            &row.id,
            &row.kind,
            &row.registry_number,
            row.parent_id.clone(),
        );
        if let Some(key) = &row.isil_key {
            self.isils.insert(
                key.clone(),
                Some((row.registry_number.clone(), row.id.clone())),
            );
        }
        if let (Some(scope), Some(numbers)) = (&row.inventory_scope, &row.inventory_number) {
            for number in crate::context::inventory_numbers(scope, numbers) {
                self.inventories.insert(
                    (scope.clone(), number.to_string()),
                    (row.registry_number.clone(), row.id.clone()),
                );
            }
        }
        if !row.name_key.is_empty() {
            self.names.entry(row.name_key.clone()).or_default().push((
                row.kind.clone(),
                row.region.clone(),
                row.registry_number.clone(),
            ));
        }
        self.entry_rows.push(p.entry_row);
        self.revision_rows.push(p.revision_row);
        p.saved
    }

    /// Whether the registry number is known to be held (read ahead or added).
    pub(super) fn holds(&self, number: &str) -> Option<bool> {
        self.numbers.get(number).map(Option::is_some)
    }

    /// Writes the waiting rows and forgets everything read: the database knows it now. The
    /// maps keep their room for the next chunk.
    pub(super) fn flush(&mut self, c: &mut Db) -> Result<(), RegisterError> {
        let written = store::batch::write_created(c, &self.entry_rows, &self.revision_rows);
        self.numbers.clear();
        self.ids.clear();
        self.parents.clear();
        self.isils.clear();
        self.inventories.clear();
        self.inventory_read.clear();
        self.names.clear();
        self.entry_rows.clear();
        self.revision_rows.clear();
        written
    }
}

/// The facts of a chunk: what was read ahead or added, the database for the rest.
pub(super) struct ChunkFacts<'a> {
    pub(super) c: &'a mut Db,
    pub(super) known: &'a Known,
}

impl Facts for ChunkFacts<'_> {
    fn number_taken(&mut self, number: &str) -> Result<bool, RegisterError> {
        match self.known.holds(number) {
            Some(held) => Ok(held),
            None => self.c.number_taken(number),
        }
    }

    fn number_assigned(&mut self, number: &str) -> Result<bool, RegisterError> {
        // The sequence is past every number ever stored (see store::next_number).
        Ok(self.known.holds(number).unwrap_or(false))
    }

    fn locate(&mut self, key: &str) -> Result<Option<Located>, RegisterError> {
        let clone = |l: &Located| Located {
            id: l.id,
            kind: l.kind,
            registry_number: l.registry_number.clone(),
        };
        if let Ok(id) = Uuid::parse_str(key.trim()) {
            if let Some(l) = self.known.ids.get(&id.to_string()) {
                return Ok(Some(clone(l)));
            }
        } else if let Some(held) = self.known.numbers.get(&key.trim().to_uppercase()) {
            return Ok(held.as_ref().map(clone));
        }
        self.c.locate(key)
    }

    fn parent_of(&mut self, id: &str) -> Result<Option<String>, RegisterError> {
        match self.known.parents.get(id) {
            Some(p) => Ok(p.clone()),
            None => self.c.parent_of(id),
        }
    }

    fn isil_holder(&mut self, key: &str, except: &str) -> Result<Option<String>, RegisterError> {
        match self.known.isils.get(key) {
            Some(holder) => Ok(holder
                .as_ref()
                .filter(|(_, id)| id != except)
                .map(|(n, _)| n.clone())),
            None => self.c.isil_holder(key, except),
        }
    }

    fn inventory_holder(
        &mut self,
        scope: &str,
        number: &str,
        except: &str,
    ) -> Result<Option<String>, RegisterError> {
        if let Some((n, id)) = self
            .known
            .inventories
            .get(&(scope.to_string(), number.to_string()))
        {
            return Ok((id != except).then(|| n.clone()));
        }
        if self.known.inventory_read.contains(number) {
            return Ok(None);
        }
        self.c.inventory_holder(scope, number, except)
    }
}

/// Whether every error of a refused entry is a reference to an entry not (yet) present.
pub(super) fn only_waits(problems: &[Problem]) -> bool {
    problems
        .iter()
        .filter(|p| p.is_error())
        .all(|p| p.code == crate::problem::Code::UnknownReference)
}

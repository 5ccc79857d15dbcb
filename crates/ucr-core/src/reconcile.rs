//! Reconciliation (the W3C Reconciliation Service API, v0.2): matching names from a clerk's
//! spreadsheet to register entries. The types a query may name, the properties it may carry,
//! how candidates are found (the single window's search, folded the Azerbaijani way) and
//! scored from 0 to 100, when a candidate is a match, and the values data extension gives.

use crate::error::RegisterError;
use crate::model::{Details, Entry, HeritageDetails};
use crate::normalize::fold;
use crate::search::{Reader, Search, Sketch};
use crate::vocab::{HeritageCategory, Kind};
use crate::Register;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A type a query may name: a sub-register, or a heritage category (`heritage_object:immovable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Type {
    /// The sub-register.
    pub kind: Kind,
    /// The heritage category, for the category types.
    pub category: Option<HeritageCategory>,
}

impl Type {
    /// Every type: the six sub-registers, then the three heritage categories.
    pub fn all() -> Vec<Type> {
        let mut all: Vec<Type> = Kind::ALL
            .iter()
            .map(|k| Type {
                kind: *k,
                category: None,
            })
            .collect();
        all.extend(HeritageCategory::ALL.iter().map(|c| Type {
            kind: Kind::HeritageObject,
            category: Some(*c),
        }));
        all
    }

    /// `museum`, `heritage_object:immovable`, …
    pub fn id(self) -> String {
        match self.category {
            Some(c) => format!("{}:{}", self.kind.as_str(), c.as_str()),
            None => self.kind.as_str().to_string(),
        }
    }

    /// In words.
    pub fn name(self) -> String {
        match self.category {
            Some(c) => format!("Heritage object ({})", c.as_str()),
            None => match self.kind {
                Kind::Theatre => "Theatre",
                Kind::Library => "Library",
                Kind::Museum => "Museum",
                Kind::Reserve => "Reserve",
                Kind::School => "Art or music school",
                Kind::HeritageObject => "Heritage object",
            }
            .to_string(),
        }
    }

    /// The type with this id.
    pub fn parse(id: &str) -> Option<Type> {
        Type::all().into_iter().find(|t| t.id() == id)
    }

    /// The type an entry has (its category's for a heritage object).
    pub fn of(entry: &Entry) -> Type {
        Type {
            kind: entry.kind(),
            category: heritage_category(entry),
        }
    }

    /// Whether an entry is of this type.
    pub fn holds(self, entry: &Entry) -> bool {
        self.is(entry.kind().as_str(), entry.record.details.type_word())
    }

    /// Whether an entry of this kind and type word (a heritage object's is its category) is
    /// of this type.
    fn is(self, kind: &str, type_word: &str) -> bool {
        self.kind.as_str() == kind && self.category.is_none_or(|c| c.as_str() == type_word)
    }

    /// The `{id, name}` of the protocol, with `broader` for the category types.
    pub fn to_json(self) -> Value {
        let mut t = json!({"id": self.id(), "name": self.name()});
        if self.category.is_some() {
            let broader = Type {
                kind: self.kind,
                category: None,
            };
            t["broader"] = json!([{"id": broader.id(), "name": broader.name()}]);
        }
        t
    }
}

fn heritage_category(entry: &Entry) -> Option<HeritageCategory> {
    match &entry.record.details {
        Details::HeritageObject(h) => Some(match h.details {
            HeritageDetails::Immovable(_) => HeritageCategory::Immovable,
            HeritageDetails::Movable(_) => HeritageCategory::Movable,
            HeritageDetails::Intangible(_) => HeritageCategory::Intangible,
        }),
        _ => None,
    }
}

/// How a property weighs on a candidate's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// An identifier: agreeing all but settles it, disagreeing all but rules it out.
    Identifier,
    /// A trait many entries share: agreeing helps a little, disagreeing counts against.
    Trait,
}

/// A property a query may carry, or data extension may fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    /// Its id (`pid`).
    pub id: &'static str,
    /// In words.
    pub name: &'static str,
    /// How it weighs in a query; `None`: data extension only.
    pub weight: Option<Weight>,
}

/// Every property: those a query may carry, then those only data extension fetches.
pub const PROPERTIES: &[Property] = &[
    Property {
        id: "region",
        name: "Region (ISO 3166-2:AZ code or name)",
        weight: Some(Weight::Trait),
    },
    Property {
        id: "economic_region",
        name: "Economic region (code or name)",
        weight: Some(Weight::Trait),
    },
    Property {
        id: "founded_year",
        name: "Year of foundation",
        weight: Some(Weight::Trait),
    },
    Property {
        id: "inventory_number",
        name: "Inventory number (state list or museum)",
        weight: Some(Weight::Identifier),
    },
    Property {
        id: "wikidata",
        name: "Wikidata id",
        weight: Some(Weight::Identifier),
    },
    Property {
        id: "isil",
        name: "ISIL (libraries)",
        weight: Some(Weight::Identifier),
    },
    Property {
        id: "location",
        name: "Location (lat,lon)",
        weight: None,
    },
    Property {
        id: "status",
        name: "Status",
        weight: None,
    },
    Property {
        id: "head",
        name: "Head (personal data: only for authenticated callers)",
        weight: None,
    },
];

/// The property with this id.
pub fn property(id: &str) -> Option<Property> {
    PROPERTIES.iter().copied().find(|p| p.id == id)
}

/// Score points an identifier moves the score by, up or down.
const IDENTIFIER_POINTS: f64 = 40.0;
/// Points a trait that agrees adds.
const TRAIT_AGREES: f64 = 10.0;
/// Points a trait that disagrees takes away.
const TRAIT_DISAGREES: f64 = 25.0;
/// The least score of a match.
pub const MATCH_SCORE: f64 = 75.0;
/// How far ahead of the next candidate a match must be.
pub const MATCH_LEAD: f64 = 20.0;
/// Candidates a query returns when it does not say.
pub const DEFAULT_LIMIT: usize = 5;
/// Most candidates a query returns.
pub const MAX_LIMIT: usize = 25;

/// One query of a batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// The name to match.
    pub query: String,
    /// Only entries of these types (none: any).
    pub types: Vec<Type>,
    /// Candidates wanted.
    pub limit: usize,
    /// Property values: `(pid, values)`.
    pub properties: Vec<(String, Vec<String>)>,
}

/// One candidate of a query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The entry.
    pub entry: Entry,
    /// 0 to 100.
    pub score: f64,
    /// How well the best name matched, 0 to 100.
    pub name_score: f64,
    /// Whether each property the query carried agreed with the entry (`None`: the entry has
    /// no value for it).
    pub features: Vec<(String, Option<bool>)>,
    /// Whether this candidate is the match.
    pub matched: bool,
}

/// Words that say little about which entry is meant.
const STOP_WORDS: &[&str] = &[
    "of",
    "the",
    "and",
    "named",
    "after",
    "with",
    "ve",
    "ile",
    "edine",
    "и",
    "имени",
];

/// [`STOP_WORDS`] folded, once.
static STOP: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| STOP_WORDS.iter().map(|w| fold(w)).collect());

fn name_words(s: &str) -> Vec<String> {
    let stop = &*STOP;
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1 && !stop.iter().any(|s| s == w))
        .map(str::to_string)
        .collect()
}

/// How well a name matches a query, 0 to 100: 100 when their folded words are the same, else
/// the Dice coefficient of their words (a query word that begins a name word counting half).
pub fn name_score(query: &str, name: &str) -> f64 {
    words_score(&name_words(query), name)
}

/// [`name_score`] of a query already split into its words.
fn words_score(q: &[String], name: &str) -> f64 {
    dice(
        q,
        &name_words(name),
        |w, x| w == x,
        |w, x| x.starts_with(w.as_str()),
        |w| w.chars().count() >= 3,
    )
}

/// [`name_score`] of a query's words and a name's, however the words are written down:
/// `same` says whether a query word is a name word, `begins` whether it begins one, `long`
/// whether it is long enough to count when it only begins one (three letters).
fn dice<Q, N>(
    q: &[Q],
    n: &[N],
    same: impl Fn(&Q, &N) -> bool,
    begins: impl Fn(&Q, &N) -> bool,
    long: impl Fn(&Q) -> bool,
) -> f64 {
    if q.is_empty() || n.is_empty() {
        return 0.0;
    }
    if q.len() == n.len() && q.iter().zip(n).all(|(w, x)| same(w, x)) {
        return 100.0;
    }
    let mut free: Vec<&N> = n.iter().collect();
    let mut shared = 0.0;
    // Whole words first, then prefixes, each name word used once.
    let mut rest = Vec::new();
    for w in q {
        match free.iter().position(|x| same(w, x)) {
            Some(i) => {
                free.remove(i);
                shared += 1.0;
            }
            None => rest.push(w),
        }
    }
    for w in rest {
        if long(w) {
            if let Some(i) = free.iter().position(|x| begins(w, x)) {
                free.remove(i);
                shared += 0.5;
            }
        }
    }
    let dice = 2.0 * shared / (q.len() + n.len()) as f64;
    // Below an exact match, however close.
    (dice * 95.0).min(95.0)
}

/// The best score of any of an entry's names (every language, other names too).
fn best_name_score(query: &[String], entry: &Entry) -> f64 {
    std::iter::once(&entry.record.name)
        .chain(entry.record.alt_names.iter())
        .flat_map(|n| n.all())
        .map(|n| words_score(query, n))
        .fold(0.0, f64::max)
}

/// The values an entry has for a property, as text (`None`: a property no query weighs).
pub fn values(entry: &Entry, pid: &str) -> Vec<String> {
    let r = &entry.record;
    let institution = r.details.institution();
    match pid {
        "region" => r.region.iter().cloned().collect(),
        "economic_region" => entry.economic_region.iter().cloned().collect(),
        "founded_year" => institution
            .and_then(|i| i.founded_year)
            .map(|y| y.to_string())
            .into_iter()
            .collect(),
        "inventory_number" => match &r.details {
            Details::HeritageObject(h) => match &h.details {
                HeritageDetails::Immovable(i) => i
                    .inventory_number
                    .iter()
                    .flat_map(|n| n.split(',').map(|p| p.trim().to_string()))
                    .collect(),
                HeritageDetails::Movable(m) => m.inventory_number.iter().cloned().collect(),
                HeritageDetails::Intangible(_) => Vec::new(),
            },
            _ => Vec::new(),
        },
        "wikidata" => r
            .external_ids
            .as_ref()
            .and_then(|x| x.wikidata.clone())
            .into_iter()
            .collect(),
        "isil" => match &r.details {
            Details::Library(l) => l.isil.iter().cloned().collect(),
            _ => Vec::new(),
        },
        "location" => r
            .location
            .map(|l| format!("{},{}", l.lat, l.lon))
            .into_iter()
            .collect(),
        "status" => vec![r.status.as_str().to_string()],
        "head" => institution
            .and_then(|i| i.head.clone())
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a value a clerk wrote names the entry's value of `pid`: the same code, number or
/// identifier ignoring case, or for regions the same folded name.
fn agrees(pid: &str, given: &str, stored: &str) -> bool {
    let given = given.trim();
    if given.eq_ignore_ascii_case(stored) {
        return true;
    }
    match pid {
        "region" => crate::regions::unit(stored).is_some_and(|u| fold(u.name_az) == fold(given)),
        "economic_region" => crate::regions::economic_region(stored)
            .is_some_and(|r| fold(r.name_az) == fold(given) || fold(r.name_en) == fold(given)),
        "founded_year" => given.parse::<i64>().ok() == stored.parse::<i64>().ok(),
        _ => false,
    }
}

/// Scores one entry against a query.
pub fn score(q: &Query, entry: &Entry) -> Candidate {
    scored(q, &name_words(&q.query), entry)
}

/// [`score`] with the query's words already read.
fn scored(q: &Query, words: &[String], entry: &Entry) -> Candidate {
    let name_score = best_name_score(words, entry);
    let (score, features) = weigh(q, name_score, |pid| values(entry, pid));
    Candidate {
        entry: entry.clone(),
        score,
        name_score: (name_score * 10.0).round() / 10.0,
        features,
        matched: false,
    }
}

/// A candidate's score (0 to 100, to a tenth) from how well its name matched and from the
/// properties the query carries, given the candidate's `values` of each; and whether each
/// property agreed (`None`: the candidate has no value for it).
fn weigh(
    q: &Query,
    name_score: f64,
    values: impl Fn(&str) -> Vec<String>,
) -> (f64, Vec<(String, Option<bool>)>) {
    let mut score = name_score;
    let mut features = Vec::new();
    for (pid, given) in &q.properties {
        let Some(Property {
            weight: Some(weight),
            ..
        }) = property(pid)
        else {
            continue;
        };
        let stored = values(pid);
        let agreement = if stored.is_empty() || given.is_empty() {
            None
        } else {
            Some(
                given
                    .iter()
                    .any(|g| stored.iter().any(|s| agrees(pid, g, s))),
            )
        };
        score += match (weight, agreement) {
            (_, None) => 0.0,
            (Weight::Identifier, Some(true)) => IDENTIFIER_POINTS,
            (Weight::Identifier, Some(false)) => -IDENTIFIER_POINTS,
            (Weight::Trait, Some(true)) => TRAIT_AGREES,
            (Weight::Trait, Some(false)) => -TRAIT_DISAGREES,
        };
        features.push((pid.clone(), agreement));
    }
    ((score.clamp(0.0, 100.0) * 10.0).round() / 10.0, features)
}

/// Orders scored candidates, best first (then by registration: the entry's id), keeps `limit`
/// and marks the first a match when it is unambiguous (see [`unambiguous`]).
pub fn rank(all: Vec<Candidate>, limit: usize) -> Vec<Candidate> {
    let (mut best, matched) = ordered(all, limit, |c| (c.score, c.entry.id));
    if let Some(first) = best.first_mut() {
        first.matched = matched;
    }
    best
}

/// The `limit` best of candidates by their (score, entry id), best first (then by
/// registration), and whether the first is unambiguous (see [`unambiguous`]).
fn ordered<T>(
    mut all: Vec<T>,
    limit: usize,
    key: impl Fn(&T) -> (f64, uuid::Uuid),
) -> (Vec<T>, bool) {
    all.sort_by(|a, b| {
        let ((a_score, a_id), (b_score, b_id)) = (key(a), key(b));
        b_score.total_cmp(&a_score).then_with(|| a_id.cmp(&b_id))
    });
    let scores: Vec<f64> = all.iter().take(2).map(|c| key(c).0).collect();
    all.truncate(limit);
    (all, unambiguous(&scores))
}

/// Whether the first of candidates scored so (best first) is a match: at least
/// [`MATCH_SCORE`], and [`MATCH_LEAD`] ahead of the next.
fn unambiguous(scores: &[f64]) -> bool {
    let lead = match scores {
        [first, second, ..] => first - second,
        [first] => *first,
        [] => return false,
    };
    scores[0] >= MATCH_SCORE && lead >= MATCH_LEAD
}

/// Entries a search reads for one query's candidates, at least: the search ranks whole words
/// and whole names first, so the best names are among its first.
const CANDIDATES_READ: usize = 20;

/// The properties the search index holds a value of, so that a query weighing no others is
/// scored on the index, reading only the entries it answers with.
const SKETCHED: &[&str] = &["region", "economic_region", "founded_year"];

/// A candidate scored on what the index holds, its entry not read yet.
struct Scored {
    id: uuid::Uuid,
    score: f64,
    name_score: f64,
    features: Vec<(String, Option<bool>)>,
}

/// A query's candidates, ranked.
enum Ranking {
    /// Scored on what the index holds: the best, best first, and whether the first is the
    /// match. Their entries are read for all the batch's queries at once.
    Sketched(Vec<Scored>, bool),
    /// Scored on the entries.
    Read(Vec<Candidate>),
}

impl Register {
    /// Reconciles one query (see [`Register::reconcile_all`]).
    pub fn reconcile(&self, q: &Query) -> Result<Vec<Candidate>, RegisterError> {
        Ok(self
            .reconcile_all(std::slice::from_ref(q))?
            .pop()
            .unwrap_or_default())
    }

    /// Reconciles a batch of queries, as of one moment of the register: for each, entries
    /// found by the single window's search (every word of the query, or failing that any of
    /// its words), scored and ranked.
    pub fn reconcile_all(&self, queries: &[Query]) -> Result<Vec<Vec<Candidate>>, RegisterError> {
        let mut reader = self.search_reader()?;
        let rankings = queries
            .iter()
            .map(|q| ranking(&mut reader, q))
            .collect::<Result<Vec<_>, _>>()?;
        let wanted: Vec<uuid::Uuid> = rankings
            .iter()
            .flat_map(|r| match r {
                Ranking::Sketched(best, _) => best.as_slice(),
                Ranking::Read(_) => &[],
            })
            .map(|s| s.id)
            .collect();
        let entries = if wanted.is_empty() {
            Default::default()
        } else {
            reader.entries(&wanted)?
        };
        Ok(rankings
            .into_iter()
            .map(|r| match r {
                Ranking::Read(candidates) => candidates,
                Ranking::Sketched(best, matched) => {
                    let first = best.first().map(|s| s.id);
                    best.into_iter()
                        .filter_map(|s| {
                            Some(Candidate {
                                entry: entries.get(&s.id)?.clone(),
                                matched: matched && Some(s.id) == first,
                                score: s.score,
                                name_score: s.name_score,
                                features: s.features,
                            })
                        })
                        .collect()
                }
            })
            .collect())
    }
}

/// Ranks one query's candidates: on the index when it answers and knows every property the
/// query weighs, else on the entries.
fn ranking(reader: &mut Reader<'_>, q: &Query) -> Result<Ranking, RegisterError> {
    let words = name_words(&q.query);
    if words.is_empty() {
        return Ok(Ranking::Read(Vec::new()));
    }
    let limit = q.limit.clamp(1, MAX_LIMIT);
    let filter_kind = match q.types.as_slice() {
        [t] => Some(t.kind),
        _ => None,
    };
    let search = |text: String| Search {
        q: Some(text),
        filter: crate::query::Filter {
            kind: filter_kind,
            ..Default::default()
        },
        limit: CANDIDATES_READ.max(limit) as i64,
        ..Default::default()
    };
    // Every word of the query, or failing that each of its words.
    let each = || {
        words
            .iter()
            .filter(|w| w.chars().count() >= 3)
            .take(6)
            .cloned()
    };
    let sketchable = q.properties.iter().all(|(pid, _)| {
        SKETCHED.contains(&pid.as_str()) || property(pid).is_none_or(|p| p.weight.is_none())
    });
    if sketchable {
        if let Some(ranked) = sketched(reader, q, &words, limit, &search, each)? {
            return Ok(ranked);
        }
    }
    let mut found: BTreeMap<uuid::Uuid, Entry> = BTreeMap::new();
    let mut find = |text: String, found: &mut BTreeMap<uuid::Uuid, Entry>| {
        if let Ok(page) = reader.found(&search(text))? {
            found.extend(page.items.into_iter().map(|e| (e.id, e)));
        }
        Ok::<_, RegisterError>(())
    };
    find(words.join(" "), &mut found)?;
    if found.is_empty() {
        for w in each() {
            find(w, &mut found)?;
        }
    }
    let scored = found
        .values()
        .filter(|e| q.types.is_empty() || q.types.iter().any(|t| t.holds(e)))
        .map(|e| scored(q, &words, e))
        .filter(|c| c.score > 0.0)
        .collect();
    Ok(Ranking::Read(rank(scored, limit)))
}

/// [`ranking`] on what the index holds, when it answers every search.
fn sketched<I: Iterator<Item = String>>(
    reader: &mut Reader<'_>,
    q: &Query,
    words: &[String],
    limit: usize,
    search: &dyn Fn(String) -> Search,
    each: impl Fn() -> I,
) -> Result<Option<Ranking>, RegisterError> {
    let mut ids: Vec<uuid::Uuid> = Vec::new();
    let mut find = |text: String, ids: &mut Vec<uuid::Uuid>| match reader.ranked(&search(text))? {
        None => Ok::<_, RegisterError>(false),
        Some(page) => {
            ids.extend(page.unwrap_or_default());
            Ok(true)
        }
    };
    if !find(words.join(" "), &mut ids)? {
        return Ok(None);
    }
    if ids.is_empty() {
        for w in each() {
            if !find(w, &mut ids)? {
                return Ok(None);
            }
        }
        ids.sort_unstable();
        ids.dedup();
    }
    // The query's words by the index's numbers, the words it may begin, and the stop words'.
    let stop = &*STOP;
    let asked: Vec<(&str, bool)> = words
        .iter()
        .map(|w| (w.as_str(), w.chars().count() >= 3))
        .chain(stop.iter().map(|w| (w.as_str(), false)))
        .collect();
    let scored = reader.sketch(&ids, &asked, |sketches, lexicon| {
        let (query, stops) = lexicon.words.split_at(words.len());
        let dropped = |t: u32| {
            lexicon.single.binary_search(&t).is_ok() || stops.iter().any(|(s, _)| *s == Some(t))
        };
        let query: Vec<Numbered<'_>> = query
            .iter()
            .zip(words)
            .map(|((exact, begun), w)| Numbered {
                exact: *exact,
                begun,
                long: w.chars().count() >= 3,
            })
            .collect();
        // A name's words but those dropped, one name after another.
        let mut kept: Vec<u32> = Vec::new();
        sketches
            .iter()
            .filter(|s| q.types.is_empty() || q.types.iter().any(|t| t.is(s.kind, s.type_word)))
            .map(|s| {
                let name_score = s
                    .names()
                    .map(|name| {
                        kept.clear();
                        kept.extend(name.iter().copied().filter(|&t| !dropped(t)));
                        dice(
                            &query,
                            &kept,
                            |w, &t| w.exact == Some(t),
                            |w, t| w.begun.binary_search(t).is_ok(),
                            |w| w.long,
                        )
                    })
                    .fold(0.0, f64::max);
                let (score, features) = weigh(q, name_score, |pid| sketch_values(s, pid));
                Scored {
                    id: s.id,
                    score,
                    name_score: (name_score * 10.0).round() / 10.0,
                    features,
                }
            })
            .filter(|s| s.score > 0.0)
            .collect::<Vec<Scored>>()
    });
    let Some(scored) = scored else {
        return Ok(None);
    };
    let (best, matched) = ordered(scored, limit, |s| (s.score, s.id));
    Ok(Some(Ranking::Sketched(best, matched)))
}

/// A query word by the index's numbers.
struct Numbered<'a> {
    /// Its number, when an entry has the word.
    exact: Option<u32>,
    /// The numbers of the words it begins, ascending (when it is long enough to count so).
    begun: &'a [u32],
    /// Whether it counts when it only begins a name's word.
    long: bool,
}

/// [`values`] of the properties the index holds.
fn sketch_values(s: &Sketch<'_>, pid: &str) -> Vec<String> {
    match pid {
        "region" => s.region.iter().map(|r| r.to_string()).collect(),
        "economic_region" => s.economic_region.iter().map(|r| r.to_string()).collect(),
        "founded_year" => s.founded_year.map(|y| y.to_string()).into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_spellings() {
        assert_eq!(name_score("Qiz qalasi", "Qız qalası"), 100.0);
        assert_eq!(name_score("Sheki", "Şəki"), 100.0);
        assert_eq!(name_score("Shaki", "Şəki"), 100.0);
        let palace = name_score("Sheki Khan Palace", "Palace of Shaki Khans");
        let centre = name_score(
            "Sheki Khan Palace",
            "Historic Centre of Sheki with the Khan's Palace (World Heritage property)",
        );
        assert!(palace > centre, "{palace} {centre}");
        assert!(palace < 100.0);
        assert_eq!(
            name_score("Maiden Tower", "Azerbaijan National Carpet Museum"),
            0.0
        );
        assert_eq!(name_score("", "Qız qalası"), 0.0);
    }

    #[test]
    fn types_read_back() {
        for t in Type::all() {
            assert_eq!(Type::parse(&t.id()), Some(t));
        }
        assert_eq!(Type::parse("gallery"), None);
        assert_eq!(
            Type::parse("heritage_object:immovable")
                .map(|t| t.to_json()["broader"][0]["id"].clone()),
            Some(json!("heritage_object"))
        );
    }

    #[test]
    fn regions_agree_by_code_or_name() {
        assert!(agrees("region", "az-sa", "AZ-SA"));
        assert!(agrees("region", "Şəki", "AZ-SA"));
        assert!(agrees("region", "Sheki", "AZ-SA"));
        assert!(!agrees("region", "Bakı", "AZ-SA"));
        assert!(agrees("founded_year", " 1975", "1975"));
    }
}

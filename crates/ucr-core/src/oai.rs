//! The rules of harvesting the register with OAI-PMH 2.0: identifiers, sets, datestamps, the
//! metadata formats, the Dublin Core mapping of every field of the field table, and harvests
//! paged on the change sequence ([`Register::harvest`]).
//!
//! A record is an entry as it last changed, read from the history, so a deleted entry stays a
//! record (with the status `deleted`) for good: the repository keeps deletions persistently.
//! A harvest reads at the change sequence number of its first request; every page after it
//! reads at the same number, so the list keeps its size and order while entries are added,
//! changed and deleted, and the next harvest `from` the time of this one picks those changes
//! up.

use crate::catalogue::{fields, Field};
use crate::change::Revision;
use crate::cursor::HarvestCursor;
use crate::error::RegisterError;
use crate::model::{Details, Entry, HeritageDetails};
use crate::store;
use crate::vocab::{HeritageCategory, Kind, Operation};
use crate::Register;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

/// The repository identifier of the `oai:` identifiers (a domain name the register answers for).
pub const REPOSITORY_IDENTIFIER: &str = "register.culture.gov.az";

/// Records on one page of `ListRecords` and `ListIdentifiers`.
pub const PAGE: i64 = 100;

/// A metadata format the register disseminates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// The `metadataPrefix`.
    pub prefix: &'static str,
    /// Where its XML schema is.
    pub schema: &'static str,
    /// Its XML namespace.
    pub namespace: &'static str,
}

/// Unqualified Dublin Core, as every OAI-PMH repository must offer.
pub const OAI_DC: Format = Format {
    prefix: "oai_dc",
    schema: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    namespace: "http://www.openarchives.org/OAI/2.0/oai_dc/",
};

/// The register's own entry: the flat JSON of the API inside one XML element.
pub const UCR_JSON: Format = Format {
    prefix: "ucr_json",
    schema: "https://register.culture.gov.az/oai/ucr-json.xsd",
    namespace: "https://register.culture.gov.az/ns/ucr-json/",
};

/// Every metadata format, for every record.
pub const FORMATS: [Format; 2] = [OAI_DC, UCR_JSON];

/// The format with this prefix.
pub fn format(prefix: &str) -> Option<Format> {
    FORMATS.iter().copied().find(|f| f.prefix == prefix)
}

/// The `oai:` identifier of an entry.
pub fn identifier(entry: &Entry) -> String {
    format!("oai:{REPOSITORY_IDENTIFIER}:{}", entry.registry_number())
}

/// The registry number an `oai:` identifier names, if it is one of this repository's.
pub fn registry_number(identifier: &str) -> Option<&str> {
    identifier
        .strip_prefix("oai:")?
        .strip_prefix(REPOSITORY_IDENTIFIER)?
        .strip_prefix(':')
        .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
}

/// A set: a sub-register, or one category of heritage objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    /// `museum`, `heritage_object:immovable`, …
    pub spec: String,
    /// What it holds, in words.
    pub name: String,
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Theatre => "Theatres",
        Kind::Library => "Libraries",
        Kind::Museum => "Museums",
        Kind::Reserve => "Reserves",
        Kind::School => "Art and music schools",
        Kind::HeritageObject => "Heritage objects",
    }
}

/// Every set: the six sub-registers, then the three heritage categories under theirs.
pub fn sets() -> Vec<Set> {
    let mut all: Vec<Set> = Kind::ALL
        .iter()
        .map(|k| Set {
            spec: k.as_str().to_string(),
            name: kind_label(*k).to_string(),
        })
        .collect();
    all.extend(HeritageCategory::ALL.iter().map(|c| Set {
        spec: format!("{}:{}", Kind::HeritageObject.as_str(), c.as_str()),
        name: format!("Heritage objects: {}", c.as_str()),
    }));
    all
}

/// The sets an entry is in: its sub-register, and for a heritage object its category too.
pub fn set_specs(entry: &Entry) -> Vec<String> {
    let kind = entry.kind().as_str();
    match &entry.record.details {
        Details::HeritageObject(h) => vec![
            kind.to_string(),
            format!("{kind}:{}", category(&h.details).as_str()),
        ],
        _ => vec![kind.to_string()],
    }
}

fn category(details: &HeritageDetails) -> HeritageCategory {
    match details {
        HeritageDetails::Immovable(_) => HeritageCategory::Immovable,
        HeritageDetails::Movable(_) => HeritageCategory::Movable,
        HeritageDetails::Intangible(_) => HeritageCategory::Intangible,
    }
}

/// How the store picks the entries of a set out of stored bodies: `LIKE` patterns on the
/// compact JSON the register writes. A member `"kind":"museum"` can only be the entry's own
/// `kind` (inside a string value the quotes would be escaped), so the patterns are exact.
/// `None` for a set that does not exist.
pub fn set_patterns(spec: &str) -> Option<Vec<String>> {
    let (kind, cat) = match spec.split_once(':') {
        Some((k, c)) => (k, Some(c)),
        None => (spec, None),
    };
    let kind = Kind::parse(kind)?;
    let mut patterns = vec![format!("%\"kind\":\"{}\"%", kind.as_str())];
    if let Some(c) = cat {
        if kind != Kind::HeritageObject {
            return None;
        }
        let c = HeritageCategory::parse(c)?;
        patterns.push(format!("%\"category\":\"{}\"%", c.as_str()));
    }
    Some(patterns)
}

/// A datestamp as OAI-PMH writes it, to the second in UTC.
pub fn datestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A `from` or `until` argument: a day (`YYYY-MM-DD`) or a second (`YYYY-MM-DDThh:mm:ssZ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The first second it names, since 1970 (UTC).
    pub start: i64,
    /// Whether it names a day.
    pub day: bool,
}

impl Bound {
    /// Reads a `from` or `until` argument.
    pub fn parse(s: &str) -> Option<Bound> {
        if s.len() == 10 {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
            let t = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
            return Some(Bound {
                start: t,
                day: true,
            });
        }
        let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").ok()?;
        Some(Bound {
            start: t.and_utc().timestamp(),
            day: false,
        })
    }

    /// The first second after what it names.
    pub fn end(self) -> i64 {
        self.start + if self.day { 86_400 } else { 1 }
    }
}

/// Why a harvest cannot be answered, as OAI-PMH names it.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    /// An argument is wrong (the text says which and why).
    #[error("{0}")]
    BadArgument(String),
    /// The resumption token is not one this repository handed out.
    #[error("the resumptionToken is not one this repository gave out")]
    BadResumptionToken,
    /// The metadata format is not one the register disseminates.
    #[error("metadataPrefix {0}: this repository disseminates oai_dc and ucr_json")]
    CannotDisseminateFormat(String),
    /// No record matches.
    #[error("no record matches these arguments")]
    NoRecordsMatch,
    /// The register failed.
    #[error(transparent)]
    Register(#[from] RegisterError),
}

/// A harvest request: a new list, or the next page of one.
#[derive(Debug, Clone)]
pub enum Harvest {
    /// A new list.
    Start {
        /// The metadata format.
        prefix: String,
        /// Only this set.
        set: Option<String>,
        /// Only records changed from this time on.
        from: Option<Bound>,
        /// Only records changed until this time.
        until: Option<Bound>,
    },
    /// The next page of a list.
    Resume(String),
}

/// One page of a harvest.
#[derive(Debug, Clone)]
pub struct HarvestPage {
    /// The records of this page: each entry's last revision (a deleted entry's is its delete).
    pub records: Vec<Revision>,
    /// The metadata format.
    pub format: Format,
    /// Where the next page starts; `None` on the last.
    pub next: Option<String>,
    /// Records in the whole list.
    pub size: i64,
    /// Records delivered before this page.
    pub cursor: i64,
}

/// Whether a record's entry is deleted.
pub fn is_deleted(r: &Revision) -> bool {
    r.operation == Operation::Delete
}

impl Register {
    /// A page of a harvest (`ListRecords`, `ListIdentifiers`), `limit` records at most.
    pub fn harvest(&self, h: &Harvest, limit: i64) -> Result<HarvestPage, HarvestError> {
        let cursor = match h {
            Harvest::Resume(token) => token
                .parse::<HarvestCursor>()
                .map_err(|_| HarvestError::BadResumptionToken)?,
            Harvest::Start {
                prefix,
                set,
                from,
                until,
            } => {
                format(prefix)
                    .ok_or_else(|| HarvestError::CannotDisseminateFormat(prefix.clone()))?;
                if let (Some(f), Some(u)) = (from, until) {
                    if f.day != u.day {
                        return Err(HarvestError::BadArgument(
                            "from and until must have the same granularity".into(),
                        ));
                    }
                    if f.start > u.start {
                        return Err(HarvestError::BadArgument("from is later than until".into()));
                    }
                }
                if let Some(s) = set {
                    set_patterns(s).ok_or_else(|| {
                        HarvestError::BadArgument(format!("no set {s}; ListSets names the sets"))
                    })?;
                }
                let mut conn = self.connection()?;
                let snapshot = store::search::change_seq(&mut conn)?;
                let mut c = HarvestCursor {
                    snapshot,
                    after: 0,
                    delivered: 0,
                    size: 0,
                    prefix: prefix.clone(),
                    set: set.clone(),
                    from: from.map(|b| b.start),
                    until: until.map(Bound::end),
                };
                c.size = store::harvest::count(&mut conn, &records_of(&c, 0)?)?;
                if c.size == 0 {
                    return Err(HarvestError::NoRecordsMatch);
                }
                c
            }
        };
        let format = format(&cursor.prefix).ok_or(HarvestError::BadResumptionToken)?;
        let limit = limit.max(1);
        let mut conn = self.connection()?;
        let mut records = store::harvest::records(&mut conn, &records_of(&cursor, limit + 1)?)?;
        let more = records.len() as i64 > limit;
        records.truncate(limit as usize);
        let next = match (more, records.last()) {
            (true, Some(last)) => Some(
                HarvestCursor {
                    after: last.seq,
                    delivered: cursor.delivered + records.len() as i64,
                    ..cursor.clone()
                }
                .to_string(),
            ),
            _ => None,
        };
        Ok(HarvestPage {
            records,
            format,
            next,
            size: cursor.size,
            cursor: cursor.delivered,
        })
    }

    /// The record of the entry with this registry number: its last revision, also when the
    /// entry is deleted.
    pub fn record(&self, registry_number: &str) -> Result<Option<Revision>, RegisterError> {
        match self.history(registry_number) {
            Ok(mut revisions) => Ok(revisions.pop()),
            Err(RegisterError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// When the first change was recorded (the repository's earliest datestamp).
    pub fn earliest_change(&self) -> Result<Option<DateTime<Utc>>, RegisterError> {
        Ok(store::harvest::earliest(&mut *self.connection()?)?.map(|t| t.and_utc()))
    }
}

fn at(seconds: Option<i64>) -> Result<Option<NaiveDateTime>, HarvestError> {
    seconds
        .map(|s| {
            DateTime::from_timestamp(s, 0)
                .map(|t| t.naive_utc())
                .ok_or(HarvestError::BadResumptionToken)
        })
        .transpose()
}

fn records_of(c: &HarvestCursor, limit: i64) -> Result<store::harvest::Records, HarvestError> {
    let patterns = match &c.set {
        Some(s) => set_patterns(s).ok_or(HarvestError::BadResumptionToken)?,
        None => Vec::new(),
    };
    Ok(store::harvest::Records {
        snapshot: c.snapshot,
        after: c.after,
        from: at(c.from)?,
        before: at(c.until)?,
        patterns,
        limit,
    })
}

/// The fifteen elements of unqualified Dublin Core that the register fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dc {
    /// `dc:title`
    Title,
    /// `dc:subject`
    Subject,
    /// `dc:description`
    Description,
    /// `dc:date`
    Date,
    /// `dc:type`
    Type,
    /// `dc:format`
    Format,
    /// `dc:identifier`
    Identifier,
    /// `dc:relation`
    Relation,
    /// `dc:coverage`
    Coverage,
    /// `dc:rights`
    Rights,
}

impl Dc {
    /// The element's local name.
    pub fn name(self) -> &'static str {
        match self {
            Dc::Title => "title",
            Dc::Subject => "subject",
            Dc::Description => "description",
            Dc::Date => "date",
            Dc::Type => "type",
            Dc::Format => "format",
            Dc::Identifier => "identifier",
            Dc::Relation => "relation",
            Dc::Coverage => "coverage",
            Dc::Rights => "rights",
        }
    }
}

/// Where each field of the field table goes in Dublin Core (`None`: never disseminated —
/// `head` is personal data). Every field of every kind is here; a test checks it. Fields
/// mapped to `dc:description` are written `field: value`.
pub const DC_MAPPING: &[(&str, Option<Dc>)] = &[
    ("registry_number", Some(Dc::Identifier)),
    ("name", Some(Dc::Title)),
    ("alt_names", Some(Dc::Title)),
    ("status", Some(Dc::Description)),
    ("closed_on", Some(Dc::Date)),
    ("region", Some(Dc::Coverage)),
    ("address", Some(Dc::Coverage)),
    ("location", Some(Dc::Coverage)),
    ("external_ids", Some(Dc::Identifier)),
    ("ownership", Some(Dc::Rights)),
    ("tax_id", Some(Dc::Identifier)),
    ("founded_year", Some(Dc::Date)),
    ("parent_id", Some(Dc::Relation)),
    ("contacts", Some(Dc::Description)),
    ("head", None),
    ("theatre_type", Some(Dc::Type)),
    ("seats", Some(Dc::Description)),
    ("halls", Some(Dc::Description)),
    ("library_type", Some(Dc::Type)),
    ("isil", Some(Dc::Identifier)),
    ("holdings", Some(Dc::Description)),
    ("registered_readers", Some(Dc::Description)),
    ("museum_profile", Some(Dc::Type)),
    ("items_total", Some(Dc::Description)),
    ("items_on_display", Some(Dc::Description)),
    ("exhibition_rooms", Some(Dc::Description)),
    ("visitors_per_year", Some(Dc::Description)),
    ("reserve_type", Some(Dc::Type)),
    ("area_ha", Some(Dc::Format)),
    ("established_by", Some(Dc::Description)),
    ("unesco_whs_id", Some(Dc::Identifier)),
    ("boundary", Some(Dc::Coverage)),
    ("school_type", Some(Dc::Type)),
    ("specialities", Some(Dc::Subject)),
    ("capacity", Some(Dc::Description)),
    ("enrolled", Some(Dc::Description)),
    ("teachers", Some(Dc::Description)),
    ("category", Some(Dc::Type)),
    ("dating", Some(Dc::Date)),
    ("monument_type", Some(Dc::Type)),
    ("significance", Some(Dc::Description)),
    ("inventory_number", Some(Dc::Identifier)),
    ("reserve_id", Some(Dc::Relation)),
    ("condition", Some(Dc::Description)),
    ("protection_act", Some(Dc::Rights)),
    ("museum_id", Some(Dc::Relation)),
    ("object_type", Some(Dc::Type)),
    ("materials", Some(Dc::Format)),
    ("ich_domain", Some(Dc::Subject)),
    ("unesco_list", Some(Dc::Description)),
    ("inscribed_year", Some(Dc::Date)),
];

/// One Dublin Core statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcValue {
    /// The element.
    pub element: Dc,
    /// The value.
    pub value: String,
    /// Its language (`xml:lang`), for names.
    pub lang: Option<&'static str>,
}

fn dc(element: Dc, value: impl Into<String>) -> DcValue {
    DcValue {
        element,
        value: value.into(),
        lang: None,
    }
}

/// An entry in unqualified Dublin Core: its kind as `dc:type`, then its fields in the order of
/// the field table, each where [`DC_MAPPING`] puts it. Personal data is never included.
pub fn dublin_core(entry: &Entry) -> Vec<DcValue> {
    let json = entry.to_public_json();
    let category = match &entry.record.details {
        Details::HeritageObject(h) => Some(category(&h.details)),
        _ => None,
    };
    let mut out = vec![dc(Dc::Type, entry.kind().as_str())];
    for Field { name, .. } in fields(entry.kind(), category) {
        let Some(value) = json.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(Some(element)) = DC_MAPPING.iter().find(|(f, _)| *f == name).map(|(_, e)| *e)
        else {
            continue;
        };
        out.extend(statements(name, element, value));
    }
    out
}

fn statements(name: &str, element: Dc, value: &Value) -> Vec<DcValue> {
    match (name, value) {
        ("name", v) => names(v),
        ("alt_names", Value::Array(all)) => all.iter().flat_map(names).collect(),
        ("registry_number", Value::String(s)) => vec![dc(element, s.clone())],
        ("external_ids", Value::Object(ids)) => ids
            .iter()
            .map(|(k, v)| {
                let v = plain(v);
                dc(
                    element,
                    match k.as_str() {
                        "wikidata" => format!("http://www.wikidata.org/entity/{v}"),
                        "unesco_whc" => format!("https://whc.unesco.org/en/list/{v}"),
                        "geonames" => format!("https://sws.geonames.org/{v}/"),
                        "viaf" => format!("https://viaf.org/viaf/{v}"),
                        _ => format!("{k}:{v}"),
                    },
                )
            })
            .collect(),
        ("region", Value::String(code)) => {
            let unit = crate::regions::unit(code)
                .map(|u| u.name_az)
                .unwrap_or_default();
            vec![dc(element, format!("{unit} ({code})").trim().to_string())]
        }
        ("location", v) => vec![dc(
            element,
            format!(
                "north={}; east={}; projection=WGS84",
                plain(&v["lat"]),
                plain(&v["lon"])
            ),
        )],
        ("boundary", v) => bounding_box(v)
            .map(|b| dc(element, b))
            .into_iter()
            .collect(),
        ("dating", v) => {
            let span = match (v.get("from_year"), v.get("to_year")) {
                (Some(f), Some(t)) if f != t => Some(format!("{}/{}", plain(f), plain(t))),
                (Some(y), _) | (None, Some(y)) => Some(plain(y)),
                _ => None,
            };
            span.into_iter()
                .chain(v.get("label").map(plain))
                .map(|s| dc(element, s))
                .collect()
        }
        ("parent_id" | "reserve_id" | "museum_id", v) => {
            vec![dc(element, format!("urn:uuid:{}", plain(v)))]
        }
        ("tax_id", v) => vec![dc(element, format!("VÖEN {}", plain(v)))],
        ("isil", v) => vec![dc(element, format!("ISIL {}", plain(v)))],
        ("unesco_whs_id", v) => vec![dc(
            element,
            format!("https://whc.unesco.org/en/list/{}", plain(v)),
        )],
        ("ownership", v) => vec![dc(element, format!("ownership: {}", plain(v)))],
        ("area_ha", v) => vec![dc(element, format!("{} ha", plain(v)))],
        (_, Value::Array(all)) if element != Dc::Description => {
            all.iter().map(|v| dc(element, plain(v))).collect()
        }
        _ if element == Dc::Description => vec![dc(element, format!("{name}: {}", plain(value)))],
        _ => vec![dc(element, plain(value))],
    }
}

fn names(v: &Value) -> Vec<DcValue> {
    ["az", "en", "ru"]
        .into_iter()
        .filter_map(|lang| {
            Some(DcValue {
                element: Dc::Title,
                value: v.get(lang)?.as_str()?.to_string(),
                lang: Some(lang),
            })
        })
        .collect()
}

/// A value as plain text: strings as they are, lists joined, objects as `member value` pairs.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(all) => all.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| format!("{k} {}", plain(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A polygon's bounding box, in the DCMI Box encoding.
fn bounding_box(v: &Value) -> Option<String> {
    let points: Vec<(f64, f64)> = v
        .get("coordinates")?
        .as_array()?
        .iter()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
        .collect();
    let lon = points.iter().map(|p| p.0);
    let lat = points.iter().map(|p| p.1);
    let (w, e) = (
        lon.clone().fold(f64::MAX, f64::min),
        lon.fold(f64::MIN, f64::max),
    );
    let (s, n) = (
        lat.clone().fold(f64::MAX, f64::min),
        lat.fold(f64::MIN, f64::max),
    );
    (!points.is_empty()).then(|| {
        format!("northlimit={n}; eastlimit={e}; southlimit={s}; westlimit={w}; projection=WGS84")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::own_fields;

    #[test]
    fn every_field_of_every_kind_has_a_dublin_core_element_or_is_withheld() {
        for kind in Kind::ALL {
            let mut all = crate::catalogue::COMMON.to_vec();
            all.extend(crate::catalogue::INSTITUTION.iter().copied());
            all.extend(own_fields(*kind));
            for f in all {
                assert!(
                    DC_MAPPING.iter().any(|(name, _)| *name == f.name),
                    "{} of {kind:?} has no Dublin Core mapping",
                    f.name
                );
            }
        }
        // Only personal data is withheld.
        let withheld: Vec<&str> = DC_MAPPING
            .iter()
            .filter(|(_, e)| e.is_none())
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(withheld, ["head"]);
    }

    #[test]
    fn identifiers_and_bounds() {
        assert_eq!(
            registry_number("oai:register.culture.gov.az:MUS-000001"),
            Some("MUS-000001")
        );
        assert_eq!(registry_number("oai:elsewhere.az:MUS-000001"), None);
        assert_eq!(registry_number("oai:register.culture.gov.az:"), None);
        let day = Bound::parse("2026-01-02");
        assert_eq!(
            day.map(|d| (d.day, d.end() - d.start)),
            Some((true, 86_400))
        );
        let second = Bound::parse("2026-01-02T03:04:05Z");
        assert_eq!(
            second.zip(day).map(|(s, d)| (s.day, s.start - d.start)),
            Some((false, 3 * 3600 + 4 * 60 + 5))
        );
        for bad in [
            "2026-1-2",
            "2026-01-02T03:04:05",
            "2026-01-02T03:04Z",
            "yesterday",
        ] {
            assert_eq!(Bound::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn sets_name_kinds_and_heritage_categories() {
        let specs: Vec<String> = sets().into_iter().map(|s| s.spec).collect();
        assert_eq!(specs.len(), 9);
        assert!(specs.contains(&"heritage_object:intangible".to_string()));
        for s in &specs {
            assert!(set_patterns(s).is_some(), "{s}");
        }
        assert_eq!(set_patterns("museum:immovable"), None);
        assert_eq!(set_patterns("gallery"), None);
        assert_eq!(
            set_patterns("heritage_object:movable"),
            Some(vec![
                "%\"kind\":\"heritage_object\"%".to_string(),
                "%\"category\":\"movable\"%".to_string()
            ])
        );
    }
}

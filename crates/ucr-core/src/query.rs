//! What a reader asks of the register: the filters of a list and its page, a search of the
//! single window (words, filters, distance, box, order, cursor) and what it finds, and the
//! statistics. Plain values: the store turns them into statements, the search index answers
//! them from memory.

use crate::normalize::fold;
use crate::vocab::{Kind, Status};
use crate::Entry;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Only entries filed under this inventory number (any of a monument's numbers in the
    /// state list, or a museum's number); see [`inventory_number`].
    pub inventory_number: Option<String>,
}

/// An inventory number as a filter looks for it: trimmed, dashes read as `-`.
pub fn inventory_number(value: &str) -> String {
    value
        .trim()
        .chars()
        .map(|c| {
            if crate::normalize::DASHES.contains(&c) {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// Where and when, for reads of a map (OGC API – Features): a box around the entry's point
/// and an interval of the time of its last change. The default holds every entry.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Within {
    /// Inside (min lon, min lat, max lon, max lat), edges included; entries without a
    /// location are outside every box.
    pub bbox: Option<[f64; 4]>,
    /// Changed at or after.
    pub changed_from: Option<chrono::DateTime<chrono::Utc>>,
    /// Changed at or before.
    pub changed_to: Option<chrono::DateTime<chrono::Utc>>,
}

/// The extent of a sub-register's entries: the box around their points and the times of
/// their last changes; `None` where no entry has one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Extent {
    /// (min lon, min lat, max lon, max lat) of the entries with a location.
    pub bbox: Option<[f64; 4]>,
    /// The first and the last time an entry changed.
    pub changed: Option<[chrono::DateTime<chrono::Utc>; 2]>,
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

/// A page of an entry's history.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// The revisions of this page, oldest first.
    pub items: Vec<crate::change::Revision>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// Revisions of the entry, on all pages.
    pub total: i64,
}

/// Most entries one page may hold.
pub const PAGE_MAX: i64 = 1000;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (the default with `q`; otherwise `created`).
    #[default]
    Relevance,
    /// Oldest registration first.
    Created,
    /// Newest registration first.
    CreatedDesc,
    /// By registry number.
    RegistryNumber,
    /// By Azerbaijani name.
    Name,
}

impl Sort {
    /// Parses `relevance`, `created`, `-created`, `registry_number`, `name`.
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "relevance" => Sort::Relevance,
            "created" => Sort::Created,
            "-created" => Sort::CreatedDesc,
            "registry_number" => Sort::RegistryNumber,
            "name" => Sort::Name,
            _ => return None,
        })
    }
}

/// A search.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Words to find in names (any language, any usual spelling; every word may be a prefix).
    pub q: Option<String>,
    /// Kind, status, region, economic region, ownership.
    pub filter: Filter,
    /// Founded in or after this year.
    pub founded_from: Option<i64>,
    /// Founded in or before this year.
    pub founded_to: Option<i64>,
    /// Within `radius_km` of (lat, lon).
    pub near: Option<(f64, f64, f64)>,
    /// Inside (min lon, min lat, max lon, max lat).
    pub bbox: Option<[f64; 4]>,
    /// Order.
    pub sort: Sort,
    /// Page size (1–1000).
    pub limit: i64,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Counts of the matching entries by kind, region and status.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Facets {
    /// By kind.
    pub kind: BTreeMap<String, i64>,
    /// By ISO 3166-2:AZ unit.
    pub region: BTreeMap<String, i64>,
    /// By status.
    pub status: BTreeMap<String, i64>,
}

/// A page of search results.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// The entries of this page.
    pub items: Vec<Entry>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// Matching entries on all pages.
    pub total: i64,
    /// Counts of the matching entries.
    pub facets: Facets,
}

/// Why a search cannot run.
#[derive(Debug, Clone, PartialEq)]
pub struct BadSearch(pub String);

pub(crate) fn words(q: &str) -> Vec<String> {
    fold(q)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(str::to_string)
        .collect()
}

/// The box around a circle of `r` km about (lat, lon), and the km in a degree of longitude
/// there: a search near a point takes the box first (the index), then the distance on an
/// equirectangular projection, exact to well under 1 % at Azerbaijan's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NearBox {
    pub(crate) lat_from: f64,
    pub(crate) lat_to: f64,
    pub(crate) lon_from: f64,
    pub(crate) lon_to: f64,
    pub(crate) kx: f64,
}

pub(crate) fn near_box(lat: f64, lon: f64, r: f64) -> NearBox {
    let dlat = r / 110.574;
    let kx = 111.320 * lat.to_radians().cos();
    let dlon = r / kx.max(1.0);
    NearBox {
        lat_from: lat - dlat,
        lat_to: lat + dlat,
        lon_from: lon - dlon,
        lon_to: lon + dlon,
        kx,
    }
}

/// The highest relevance score: every word of a query of 12 whole, and a whole name.
pub(crate) const MAX_SCORE: i64 = 2 * 12 + 10;

/// Sums of one group of the statistics.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Group {
    /// The group (a kind, region, economic region or status); `null` for entries without one.
    pub key: Option<String>,
    /// Entries.
    pub count: i64,
    /// Theatre seats.
    pub seats: i64,
    /// Library holdings.
    pub holdings: i64,
    /// Museum items.
    pub items: i64,
    /// Pupils enrolled in schools.
    pub enrolled: i64,
    /// Reserve area in hectares.
    pub area_ha: f64,
}

/// What statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// Sub-register.
    Kind,
    /// ISO 3166-2:AZ unit.
    Region,
    /// Economic region.
    EconomicRegion,
    /// Status.
    Status,
}

impl GroupBy {
    /// Parses `kind`, `region`, `economic_region`, `status`.
    pub fn parse(s: &str) -> Option<GroupBy> {
        Some(match s {
            "kind" => GroupBy::Kind,
            "region" => GroupBy::Region,
            "economic_region" => GroupBy::EconomicRegion,
            "status" => GroupBy::Status,
            _ => return None,
        })
    }

    /// Its name, as `parse` reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Kind => "kind",
            GroupBy::Region => "region",
            GroupBy::EconomicRegion => "economic_region",
            GroupBy::Status => "status",
        }
    }
}

/// Statistics: the groups and the totals.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// What the groups are.
    pub group_by: &'static str,
    /// One row per group, largest first.
    pub groups: Vec<Group>,
    /// Over all matching entries.
    pub total: Group,
}

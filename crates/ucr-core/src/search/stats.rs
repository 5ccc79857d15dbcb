//! Statistics: counts and sums over the entries a search finds, grouped by kind, region,
//! economic region or status — the analytics the Ministry manages by.

use super::{BadSearch, Search};
use crate::error::RegisterError;
use crate::store::{self, Register};
use serde::Serialize;

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

impl Register {
    /// Counts and sums grouped by kind, region, economic region or status, over the entries
    /// a search would find.
    pub fn stats(
        &self,
        s: &Search,
        by: GroupBy,
    ) -> Result<Result<Stats, BadSearch>, RegisterError> {
        let groups = match store::search::groups(&mut *self.connection()?, s, by)? {
            Ok(groups) => groups,
            Err(e) => return Ok(Err(e)),
        };
        let total = groups.iter().fold(Group::default(), |mut t, g| {
            t.count += g.count;
            t.seats += g.seats;
            t.holdings += g.holdings;
            t.items += g.items;
            t.enrolled += g.enrolled;
            t.area_ha += g.area_ha;
            t
        });
        Ok(Ok(Stats {
            group_by: by.as_str(),
            groups,
            total,
        }))
    }
}

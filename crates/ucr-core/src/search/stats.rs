//! Statistics: counts and sums over the entries a search finds, grouped by kind, region,
//! economic region or status — the analytics the Ministry manages by.

use crate::error::RegisterError;
use crate::query::{BadSearch, Group, GroupBy, Search, Stats};
use crate::store;
use crate::store::connection::Db;

/// Counts and sums grouped by `by`, over the entries `s` would find
/// ([`crate::Register::stats`]).
pub(crate) fn compute(
    c: &mut Db,
    s: &Search,
    by: GroupBy,
) -> Result<Result<Stats, BadSearch>, RegisterError> {
    let groups = match store::search::groups(c, s, by)? {
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

//! The single window and the statistics, as operations of the register.

use super::Register;
use crate::error::RegisterError;
use crate::query::{BadSearch, Found, GroupBy, Search, Stats};
use crate::search;

impl Register {
    /// Searches every sub-register at once. Answers are kept while the register does not
    /// change, so a repeated search costs one indexed read.
    pub fn search(&self, s: &Search) -> Result<Result<Found, BadSearch>, RegisterError> {
        search::find(&self.pool, &self.answers, &self.index, s)
    }

    /// [`Register::search`] computed now, its answer not kept.
    pub(crate) fn search_fresh(
        &self,
        s: &Search,
    ) -> Result<Result<Found, BadSearch>, RegisterError> {
        search::fresh(&self.pool, &self.index, s)
    }

    /// Counts and sums grouped by kind, region, economic region or status, over the entries
    /// a search would find.
    pub fn stats(
        &self,
        s: &Search,
        by: GroupBy,
    ) -> Result<Result<Stats, BadSearch>, RegisterError> {
        search::stats::compute(&mut *self.connection()?, s, by)
    }
}

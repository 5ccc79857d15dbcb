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

    /// Searches read on one connection as of one moment, their answers not kept (see
    /// [`search::Reader`]).
    pub(crate) fn search_reader(&self) -> Result<search::Reader<'_>, RegisterError> {
        search::Reader::new(&self.pool, &self.index)
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

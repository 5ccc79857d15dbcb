//! A register read from a PostgreSQL hot standby: opened without migrating, on connections
//! that refuse every write, and how far it is behind its primary.

use super::{Register, PING_WAIT};
use crate::error::RegisterError;
use crate::store;
use crate::store::connection::{self, Manager};
use serde::Serialize;

/// Where a register's database stands in replication ([`Register::replication`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replication {
    /// Whether the database is a hot standby (in recovery, replaying a primary's changes).
    pub standby: bool,
    /// Seconds the standby is behind: 0 while it has replayed everything it received and
    /// streams from its primary, else the age of the last change it replayed; `None` when it
    /// cannot tell (it has replayed nothing since it started); 0 on a database that is not
    /// a standby (a primary, SQLite).
    pub lag_seconds: Option<f64>,
    /// The last change of the change sequence this database holds.
    pub change_seq: i64,
}

impl Register {
    /// Opens the register at `url` to read only, e.g. on a PostgreSQL hot standby: nothing is
    /// migrated, every connection refuses writes in the database itself, and the schema must
    /// be the one this build was made for (the migrations applied are those it carries), or
    /// [`RegisterError::Open`] says how they differ.
    pub fn open_read_only(url: &str, size: u32) -> Result<Register, RegisterError> {
        let register = Register::with_manager(Manager::read_only(url), size)?;
        connection::check_schema(&mut *register.connection()?).map_err(RegisterError::Open)?;
        Ok(register)
    }

    /// Where the database stands in replication: whether it is a standby, its lag, and its
    /// change sequence. Waits at most 2 s for a connection.
    pub fn replication(&self) -> Result<Replication, RegisterError> {
        let mut conn = self.pool.get_timeout(PING_WAIT)?;
        let lag = connection::standby_lag(&mut conn)?;
        let change_seq = store::search::change_seq(&mut conn)?;
        Ok(Replication {
            standby: lag.is_some(),
            lag_seconds: lag.unwrap_or(Some(0.0)),
            change_seq,
        })
    }

    /// The last change of the change sequence.
    pub fn change_seq(&self) -> Result<i64, RegisterError> {
        store::search::change_seq(&mut *self.pool.get_timeout(PING_WAIT)?)
    }
}

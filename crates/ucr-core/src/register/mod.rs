//! The register: the one handle a program holds — a pool of connections to one database, the
//! answers of recent searches and the search index kept in memory — and every operation on
//! entries: writes (`write.rs`) and reads (`read.rs`).

mod read;
mod replica;
mod search;
mod write;

pub use replica::Replication;

use crate::error::RegisterError;
use crate::store;
use crate::store::connection::{self, Manager, Pool};

/// How long [`Register::ping`] and [`Register::replication`] wait for a connection.
const PING_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

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
        Register::with_manager(Manager::new(url), size)
    }

    fn with_manager(manager: Manager, size: u32) -> Result<Register, RegisterError> {
        let pool = Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(1))
            .connection_timeout(connection::BUSY_WAIT)
            .build(manager)
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
        let seq = store::search::change_seq(&mut conn)?;
        self.index.ready(&mut conn, seq)?;
        match self.index.failure() {
            Some(why) => Err(RegisterError::Database(format!("search index: {why}"))),
            None => Ok(()),
        }
    }

    /// A pooled connection, for the modules that build on the register.
    /// See [`connection::checkout`] for how long it waits.
    pub fn connection(&self) -> Result<diesel::r2d2::PooledConnection<Manager>, RegisterError> {
        connection::checkout(&self.pool)
    }

    /// Whether the database answers (within 2 s).
    pub fn ping(&self) -> bool {
        use diesel::connection::SimpleConnection;
        self.connection()
            .map(|mut c| c.batch_execute("SELECT 1").is_ok())
            .unwrap_or(false)
    }
}

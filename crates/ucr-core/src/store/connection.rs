//! The two backends: connections to SQLite or PostgreSQL chosen from the URL, their
//! migrations, and every other difference between them that the store's statements have
//! (placeholders, word matching, bulk inserts, setting indexes aside). No other module of the
//! store tells one backend from the other.
// The MultiConnection derive generates undocumented items.
#![allow(missing_docs)]

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum Db {
    /// The embedded backend.
    Sqlite(SqliteConnection),
    /// The production backend.
    Pg(PgConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Which backend a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A SQLite file (or `:memory:`), by path.
    Sqlite(String),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl Target {
    /// Reads a database URL: `postgres://…`/`postgresql://…` is PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` or a plain path is SQLite.
    pub fn parse(url: &str) -> Target {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Target::Postgres(url.to_string());
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        Target::Sqlite(path.to_string())
    }

    /// A connection; a read-only one refuses every write in the database itself (SQLite's
    /// `query_only`, PostgreSQL's read-only transactions), whatever the statement.
    fn connect(&self, read_only: bool) -> Result<Db, diesel::ConnectionError> {
        let bad = |e: diesel::result::Error| diesel::ConnectionError::BadConnection(e.to_string());
        match self {
            Target::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // A read-only connection leaves the journal mode as it is: setting it writes.
                conn.batch_execute(if read_only {
                    "PRAGMA query_only = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA cache_size = -8192;"
                } else {
                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                     PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -8192;"
                })
                .map_err(bad)?;
                Ok(Db::Sqlite(conn))
            }
            Target::Postgres(url) => {
                let mut conn = PgConnection::establish(&with_timeouts(url))?;
                if read_only {
                    conn.batch_execute("SET default_transaction_read_only = on")
                        .map_err(bad)?;
                }
                Ok(Db::Pg(conn))
            }
        }
    }
}

/// libpq settings that bound how long a connection waits for a server that stopped answering
/// (a URL that sets one itself keeps its own): connecting gives up after 2 s (libpq's least),
/// and data the server has not acknowledged for 1 s breaks the connection.
const PG_TIMEOUTS: &[(&str, &str)] = &[("connect_timeout", "2"), ("tcp_user_timeout", "1000")];

/// `url` with the [`PG_TIMEOUTS`] it does not set.
fn with_timeouts(url: &str) -> String {
    let mut out = url.to_string();
    for (name, value) in PG_TIMEOUTS {
        let set = url
            .split_once('?')
            .is_some_and(|(_, query)| query.split('&').any(|p| p.split('=').next() == Some(*name)));
        if !set {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{name}={value}"));
        }
    }
    out
}

/// How long a caller waits for a connection before the database counts as not answering.
pub const DOWN_AFTER: std::time::Duration = std::time::Duration::from_millis(900);

/// How long a caller waits for a connection while every connection is open and lent out.
pub const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A connection from the pool. A database that stops answering is an error within about
/// [`DOWN_AFTER`]: the pool cannot open a connection. Only while every connection is open and
/// lent out (the database answers; the register is busy) does a caller wait longer, up to
/// [`BUSY_WAIT`].
pub fn checkout(
    pool: &Pool,
) -> Result<diesel::r2d2::PooledConnection<Manager>, crate::error::RegisterError> {
    let started = std::time::Instant::now();
    loop {
        match pool.get_timeout(DOWN_AFTER) {
            Ok(c) => return Ok(c),
            Err(e) => {
                let state = pool.state();
                let busy = state.connections >= pool.max_size() && state.idle_connections == 0;
                if !busy || started.elapsed() >= BUSY_WAIT {
                    return Err(e.into());
                }
            }
        }
    }
}

/// Opens connections for the pool.
#[derive(Debug, Clone)]
pub struct Manager {
    target: Target,
    read_only: bool,
}

impl Manager {
    /// A manager for the database at `url`.
    pub fn new(url: &str) -> Self {
        Manager {
            target: Target::parse(url),
            read_only: false,
        }
    }

    /// A manager whose connections refuse every write.
    pub fn read_only(url: &str) -> Self {
        Manager {
            target: Target::parse(url),
            read_only: true,
        }
    }
}

impl ManageConnection for Manager {
    type Connection = Db;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Db, r2d2::Error> {
        self.target
            .connect(self.read_only)
            .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut Db) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut Db) -> bool {
        false
    }
}

/// The pool the register draws connections from.
pub type Pool = r2d2::Pool<Manager>;

/// Applies every pending migration of the connection's backend; returns their names.
pub fn migrate(conn: &mut Db) -> Result<Vec<String>, String> {
    let applied = match conn {
        Db::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        Db::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS),
    };
    applied
        .map(|v| v.iter().map(|m| m.to_string()).collect())
        .map_err(|e| e.to_string())
}

/// The migrations applied to the database, against those this build carries: `Ok` when they
/// are the same, else a sentence saying how they differ. Reads only (a standby cannot create
/// the table of migrations that diesel's own check would create).
pub fn check_schema(conn: &mut Db) -> Result<(), String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let expected: Vec<String> = match conn {
        Db::Sqlite(_) => versions(&SQLITE_MIGRATIONS),
        Db::Pg(_) => versions(&PG_MIGRATIONS),
    }?;
    let applied: Vec<String> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load::<Applied>(conn)
            .map_err(|e| format!("the database holds no register schema ({e})"))?
            .into_iter()
            .map(|a| a.version)
            .collect();
    if applied == expected {
        return Ok(());
    }
    let last = |v: &[String]| v.last().cloned().unwrap_or_else(|| "none".into());
    let missing: Vec<&String> = expected.iter().filter(|v| !applied.contains(v)).collect();
    let unknown: Vec<&String> = applied.iter().filter(|v| !expected.contains(v)).collect();
    Err(format!(
        "the database's schema is at version {} and this build of ucr expects {} \
         (missing: {missing:?}; unknown to this build: {unknown:?}); migrate the primary with \
         the matching ucr, or run the ucr built for that schema",
        last(&applied),
        last(&expected)
    ))
}

fn versions(migrations: &EmbeddedMigrations) -> Result<Vec<String>, String> {
    use diesel::migration::MigrationSource;
    let list = MigrationSource::<diesel::sqlite::Sqlite>::migrations(migrations)
        .map_err(|e| e.to_string())?;
    let mut out: Vec<String> = list
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    out.sort();
    Ok(out)
}

/// How far a PostgreSQL hot standby is behind its primary, in seconds: 0 when it has replayed
/// everything it received and is streaming from the primary, else the age of the last
/// transaction it replayed (`None` when it has replayed none since it started). `Ok(None)`
/// on a database that is not a standby (a primary, SQLite).
pub(crate) fn standby_lag(
    conn: &mut Db,
) -> Result<Option<Option<f64>>, crate::error::RegisterError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Lag {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        standby: bool,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
        seconds: Option<f64>,
    }
    if !is_pg(conn) {
        return Ok(None);
    }
    let lag: Lag = diesel::sql_query(
        "SELECT pg_is_in_recovery() AS standby, CASE \
           WHEN NOT pg_is_in_recovery() THEN 0 \
           WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() \
                AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL) THEN 0 \
           ELSE GREATEST(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) \
         END::float8 AS seconds",
    )
    .get_result(conn)?;
    Ok(lag.standby.then_some(lag.seconds))
}

/// Reverts the migrations back to and including `version` (a migration's version, as
/// `20261121000006`; every migration when `None`), then applies them all again: the CI's
/// migration checks, `Some` on a register that holds entries to run one migration's down and
/// up over real rows.
pub fn redo(conn: &mut Db, version: Option<&str>) -> Result<(), String> {
    match conn {
        Db::Sqlite(c) => redo_with(c, || SQLITE_MIGRATIONS, version),
        Db::Pg(c) => redo_with(c, || PG_MIGRATIONS, version),
    }
}

fn redo_with<DB: diesel::backend::Backend>(
    c: &mut impl MigrationHarness<DB>,
    migrations: impl Fn() -> EmbeddedMigrations,
    version: Option<&str>,
) -> Result<(), String> {
    let text = |e: Box<dyn std::error::Error + Send + Sync>| e.to_string();
    match version {
        None => {
            c.revert_all_migrations(migrations()).map_err(text)?;
        }
        // Down to the one named (an error once none is left to revert: a wrong version).
        Some(wanted) => {
            while c
                .revert_last_migration(migrations())
                .map_err(text)?
                .to_string()
                != wanted
            {}
        }
    }
    c.run_pending_migrations(migrations()).map_err(text)?;
    Ok(())
}

/// Creates the PostgreSQL database `name` on the server of `admin_url` (for throw-away
/// registers of tests; `name` is made by the caller of letters, digits and `_`).
pub fn create_database(admin_url: &str, name: &str) -> Result<(), crate::error::RegisterError> {
    let mut admin = PgConnection::establish(admin_url)
        .map_err(|e| crate::error::RegisterError::Open(e.to_string()))?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(|e| crate::error::RegisterError::Open(e.to_string()))
}

/// Drops the PostgreSQL database `name` on the server of `admin_url`, if it can.
pub fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::establish(admin_url) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// Whether a key may be sent in a query. PostgreSQL refuses a NUL character in any text it
/// is sent (SQLite takes it); no key or value the register holds has a control character (the
/// rules refuse them), so a key that has one matches nothing and the store answers for it
/// without asking the database.
pub(crate) fn can_match(key: &str) -> bool {
    !key.chars().any(char::is_control)
}

/// The keys of `keys` that may be sent in a query (see [`can_match`]).
pub(crate) fn matchable(keys: &[String]) -> Vec<&str> {
    keys.iter()
        .map(String::as_str)
        .filter(|k| can_match(k))
        .collect()
}

/// Whether the connection is to PostgreSQL.
pub(crate) fn is_pg(c: &Db) -> bool {
    matches!(c, Db::Pg(_))
}

/// The placeholder of bind `n` (1-based): numbered, so it may be used more than once and in
/// any order (`$N` on PostgreSQL, `?N` on SQLite, where `$N` would be a named parameter
/// numbered by first appearance).
pub(crate) fn placeholder(pg: bool, n: usize) -> String {
    if pg {
        format!("${n}")
    } else {
        format!("?{n}")
    }
}

/// Every word a prefix of a word of `search_text`, by the backend's full-text index: the
/// query to bind, and the condition with `{p}` where its placeholder goes.
pub(crate) fn words_match(pg: bool, words: &[String]) -> (String, &'static str) {
    if pg {
        let query = words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & ");
        (
            query,
            "to_tsvector('simple', search_text) @@ to_tsquery('simple', {p})",
        )
    } else {
        let query = words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ");
        (
            query,
            "rowid IN (SELECT rowid FROM entry_search WHERE entry_search MATCH {p})",
        )
    }
}

/// SQLite binds at most 32 766 parameters per statement: rows per multi-row INSERT.
const SQLITE_ROWS: usize = 1000;

/// Inserts rows into a table: multi-row `INSERT`s on SQLite, `COPY` on PostgreSQL.
macro_rules! insert_rows {
    ($c:expr, $table:expr, $rows:expr) => {{
        use diesel::prelude::*;
        let rows = $rows;
        if !rows.is_empty() {
            match $c {
                Db::Sqlite(s) => {
                    for part in rows.chunks(SQLITE_ROWS) {
                        diesel::insert_into($table).values(part).execute(s)?;
                    }
                }
                Db::Pg(p) => {
                    diesel::copy_from($table).from_insertable(rows).execute(p)?;
                }
            }
        }
        Ok(())
    }};
}

/// Inserts new entries: multi-row `INSERT`s on SQLite, `COPY` on PostgreSQL.
pub(crate) fn insert_entries(
    c: &mut Db,
    rows: &[super::rows::EntryRow],
) -> Result<(), crate::error::RegisterError> {
    insert_rows!(c, super::schema::entries::table, rows)
}

/// Inserts revisions: multi-row `INSERT`s on SQLite, `COPY` on PostgreSQL.
pub(crate) fn insert_revisions(
    c: &mut Db,
    rows: &[super::rows::RevisionRow],
) -> Result<(), crate::error::RegisterError> {
    insert_rows!(c, super::schema::revisions::table, rows)
}

/// Files inventory numbers: multi-row `INSERT`s on SQLite, `COPY` on PostgreSQL.
pub(crate) fn insert_inventory_numbers(
    c: &mut Db,
    rows: &[super::rows::InventoryRow],
) -> Result<(), crate::error::RegisterError> {
    insert_rows!(c, super::schema::inventory_numbers::table, rows)
}

/// Before a load drops the secondary indexes. PostgreSQL: both tables locked at once, in the
/// order a reader of `revision_log` takes them (dropping their indexes one by one could
/// otherwise deadlock with such a reader, which would hold `revisions` while waiting for
/// `entries`), waiting at most 5 s.
pub(crate) fn lock_for_index_drop(c: &mut Db) -> Result<(), crate::error::RegisterError> {
    use diesel::RunQueryDsl;
    if is_pg(c) {
        diesel::sql_query("SET LOCAL lock_timeout = '5s'").execute(c)?;
        diesel::sql_query("LOCK TABLE revisions, entries IN ACCESS EXCLUSIVE MODE").execute(c)?;
        diesel::sql_query("SET LOCAL lock_timeout TO DEFAULT").execute(c)?;
    }
    Ok(())
}

/// The query of the definitions of the non-unique indexes of `entries` and `revisions` (and on
/// SQLite of the full-text trigger `trigger`), as rows `kind, name, sql`.
pub(crate) fn secondary_index_definitions(c: &Db, trigger: &str) -> String {
    if is_pg(c) {
        "SELECT 'index' AS kind, indexname AS name, indexdef AS sql FROM pg_indexes \
         WHERE schemaname = current_schema() AND tablename IN ('entries', 'revisions') \
         AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname"
            .to_string()
    } else {
        format!(
            "SELECT type AS kind, name, sql FROM sqlite_master \
             WHERE tbl_name IN ('entries', 'revisions') AND sql IS NOT NULL \
             AND ((type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%') \
             OR name = '{trigger}') ORDER BY name"
        )
    }
}

/// At the start of a load's transaction. Every read of a load is by key, and each key has
/// an index; PostgreSQL's statistics of a table lag behind the rows the load itself writes
/// (none are counted before it commits), and with a few hundred keys to look up its planner
/// then preferred scanning the whole table, again for every chunk: a load of 300 000 rows
/// spent 14 s reading 300 times a 37 000-row table of inventory numbers. So the load's
/// transaction tells the planner to use the indexes.
pub(crate) fn before_load(c: &mut Db) -> Result<(), crate::error::RegisterError> {
    use diesel::RunQueryDsl;
    if is_pg(c) {
        diesel::sql_query("SET LOCAL enable_seqscan = off").execute(c)?;
    }
    Ok(())
}

/// Before a load builds its indexes: PostgreSQL sorts in memory up to 256 MB (for this
/// transaction only).
pub(crate) fn before_index_builds(c: &mut Db) -> Result<(), crate::error::RegisterError> {
    use diesel::RunQueryDsl;
    if is_pg(c) {
        diesel::sql_query("SET LOCAL maintenance_work_mem = '256MB'").execute(c)?;
    }
    Ok(())
}

/// After an index was built in the middle of a load (see [`before_index_restore`]): the
/// references between entries are checked at the commit again, as they are declared.
pub(crate) fn after_index_build(c: &mut Db) -> Result<(), crate::error::RegisterError> {
    use diesel::RunQueryDsl;
    if is_pg(c) {
        diesel::sql_query("SET CONSTRAINTS ALL DEFERRED").execute(c)?;
    }
    Ok(())
}

/// Before the indexes set aside are created again: PostgreSQL builds no index on a table with
/// reference checks pending, so they are made now, as the commit would.
pub(crate) fn before_index_restore(c: &mut Db) -> Result<(), crate::error::RegisterError> {
    use diesel::RunQueryDsl;
    if is_pg(c) {
        diesel::sql_query("SET CONSTRAINTS ALL IMMEDIATE").execute(c)?;
    }
    Ok(())
}

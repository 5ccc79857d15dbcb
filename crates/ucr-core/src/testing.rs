//! Throw-away registers for tests: a fresh SQLite file, or a fresh PostgreSQL database created
//! beside the one named by an environment variable and dropped afterwards.

use crate::store::connection::{create_database, drop_database};
use crate::{Register, RegisterError};

/// The environment variable that names a PostgreSQL server for the conformance tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/test`. When unset, tests run on SQLite only.
pub const POSTGRES_ENV: &str = "UCR_TEST_POSTGRES_URL";

/// A register on a database of its own, removed on drop.
pub struct Scratch {
    /// The register.
    pub register: Option<Register>,
    /// Its database URL.
    pub url: String,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    admin: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    /// The register (always present until drop).
    pub fn register(&self) -> &Register {
        match &self.register {
            Some(r) => r,
            None => unreachable!("the register lives until drop"),
        }
    }

    /// A fresh SQLite register in a temporary directory.
    pub fn sqlite() -> Result<Scratch, RegisterError> {
        let dir = tempfile::Builder::new()
            .prefix("ucr-")
            .tempdir()
            .map_err(|e| RegisterError::Open(e.to_string()))?;
        let url = format!("sqlite://{}", dir.path().join("ucr.db").display());
        Ok(Scratch {
            register: Some(Register::open(&url)?),
            url,
            backend: "sqlite",
            admin: None,
            _dir: Some(dir),
        })
    }

    /// A fresh PostgreSQL database on the server of `admin_url`.
    pub fn postgres(admin_url: &str) -> Result<Scratch, RegisterError> {
        let name = format!("ucr_test_{}", uuid::Uuid::now_v7().simple());
        create_database(admin_url, &name)?;
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => return Err(RegisterError::Open(format!("no database in {admin_url}"))),
        };
        Ok(Scratch {
            register: Some(Register::open_with_pool_size(&url, 4)?),
            url,
            backend: "postgres",
            admin: Some((admin_url.to_string(), name)),
            _dir: None,
        })
    }

    /// One scratch register per configured backend: SQLite always, PostgreSQL when
    /// [`POSTGRES_ENV`] is set.
    pub fn all() -> Result<Vec<Scratch>, RegisterError> {
        let mut all = vec![Scratch::sqlite()?];
        if let Some(url) = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) {
            all.push(Scratch::postgres(&url)?);
        }
        Ok(all)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.register.take();
        if let Some((admin_url, name)) = self.admin.take() {
            drop_database(&admin_url, &name);
        }
    }
}

#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod access;
pub mod body;
pub mod entries;
pub mod imports;
pub mod jsonld;
pub mod oai;
pub mod ogc;
pub mod openapi;
pub mod problem;
pub mod reconcile;
pub mod replica;
pub mod service;
pub mod window;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use ucr_core::Register;

/// Default largest request body, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Blocking threads per worker for register work (each waits for a pooled connection).
pub const BLOCKING_THREADS: usize = 8;

/// Default largest import body, in bytes.
pub const DEFAULT_IMPORT_LIMIT: usize = 256 * 1024 * 1024;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit: usize,
    /// Largest import body (a file of entries), in bytes.
    pub import_limit: usize,
    /// Whether anonymous clients may read.
    pub public_read: bool,
    /// HTTP worker threads; `None`: one per core.
    pub workers: Option<usize>,
    /// The register's public URL (`https://host/prefix`, no trailing `/`), for every absolute
    /// link and `@id`; `None`: the scheme and host of each request.
    pub public_url: Option<String>,
    /// Serving from a read-only replica of the database: writes are refused (421) and
    /// `/ready` reports the replica's lag. `None`: the server reads and writes.
    pub replica: Option<replica::Replica>,
    /// Whether `PUT`, `PATCH` and `DELETE` must send `If-Match` (428 without it).
    pub if_match: IfMatch,
}

/// Whether changes must name the version they change (`If-Match`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IfMatch {
    /// A change without `If-Match` gets 428 Precondition Required (RFC 6585).
    #[default]
    Required,
    /// A change without `If-Match` applies to whatever version is current.
    Optional,
}

impl std::str::FromStr for IfMatch {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "required" => Ok(IfMatch::Required),
            "optional" => Ok(IfMatch::Optional),
            _ => Err(format!("`{s}`: required or optional")),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: DEFAULT_BODY_LIMIT,
            import_limit: DEFAULT_IMPORT_LIMIT,
            public_read: true,
            workers: None,
            public_url: None,
            replica: None,
            if_match: IfMatch::Required,
        }
    }
}

/// Checks a public URL (`--public-url`): http or https with a host; returned without a
/// trailing `/`.
pub fn public_url(text: &str) -> Result<String, String> {
    let url = text.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("public URL `{text}`: starts with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || url.contains(['?', '#', ' ']) || url.chars().any(char::is_control) {
        return Err(format!(
            "public URL `{text}`: a host and an optional path, without query or fragment"
        ));
    }
    Ok(url.to_string())
}

impl State {
    /// The public URL of the register: the configured one, or the scheme and host of the
    /// request.
    pub fn public_url(&self, req: &actix_web::HttpRequest) -> String {
        match &self.config.public_url {
            Some(url) => url.clone(),
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        }
    }
}

/// What every handler shares: the register and the configuration. The only register data
/// kept in process are answers of recent searches, each checked against the database's
/// change sequence before it is served, so any number of replicas can serve one database.
#[derive(Clone)]
pub struct State {
    /// The register.
    pub register: Register,
    /// The configuration.
    pub config: Config,
}

/// Starts the service on an already bound listener (port 0 in tests). The server stops
/// gracefully on SIGTERM or Ctrl-C.
pub fn start(listener: TcpListener, state: State) -> std::io::Result<Server> {
    let workers = state.config.workers;
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(actix_web::middleware::from_fn(replica::refuse_writes))
            .wrap(actix_web::middleware::from_fn(service::limits_and_problems))
            .wrap(actix_web::middleware::from_fn(service::log_request))
            .configure(service::configure)
    })
    .shutdown_timeout(10)
    // Register work runs on blocking threads that wait for a pooled connection: more threads
    // than connections only add memory.
    .worker_max_blocking_threads(BLOCKING_THREADS);
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.listen(listener)?.run())
}

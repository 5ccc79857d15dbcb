//! `ucr serve`: the REST API.

use anyhow::{Context, Result};
use std::net::TcpListener;
use std::process::ExitCode;
use ucr_core::bulk::read::Format;
use ucr_core::bulk::{Mode, Options, Outcome, Source};
use ucr_core::{Register, Role, Write};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "UCR_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Largest request body in bytes; larger ones get 413.
    #[arg(long, env = "UCR_BODY_LIMIT", default_value_t = ucr_api::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Largest import body (a file of entries) in bytes.
    #[arg(long, env = "UCR_IMPORT_LIMIT", default_value_t = ucr_api::DEFAULT_IMPORT_LIMIT)]
    import_limit: usize,
    /// Whether anonymous clients may read.
    #[arg(long, env = "UCR_PUBLIC_READ", default_value_t = true, action = clap::ArgAction::Set)]
    public_read: bool,
    /// Whether PUT, PATCH and DELETE must send If-Match with the ETag they read: `required`
    /// (428 without it) or `optional` (a change without it overwrites whatever is current).
    #[arg(long, env = "UCR_IF_MATCH", default_value = "required", value_parser = ["required", "optional"])]
    if_match: String,
    /// Database connections in the pool.
    #[arg(long, env = "UCR_POOL_SIZE", default_value_t = 8)]
    pool_size: u32,
    /// Memory for answers of recent searches, in MiB of entries (0: keep none). An answer is
    /// served again only while the register has not changed since.
    #[arg(long, env = "UCR_SEARCH_CACHE_MIB", default_value_t = 8)]
    search_cache_mib: usize,
    /// Keep a search index in memory (about 140 bytes an entry), built at start and brought
    /// up to date from the change sequence before every search, so that searches with words
    /// read no table but for the bodies of their page. Off: every search reads the tables.
    #[arg(long, env = "UCR_SEARCH_INDEX", default_value_t = true, action = clap::ArgAction::Set)]
    search_index: bool,
    /// The register's public URL (e.g. `https://register.example`), used for every absolute
    /// link and JSON-LD `@id`; without it, the scheme and host of each request.
    #[arg(long, env = "UCR_PUBLIC_URL", value_parser = ucr_api::public_url)]
    public_url: Option<String>,
    /// When the register is empty, load this file of entries first (.json, .ndjson or .csv,
    /// e.g. the fixtures).
    #[arg(long, env = "UCR_SEED", conflicts_with = "read_only")]
    seed: Option<std::path::PathBuf>,
    /// Serve reads only, e.g. from a PostgreSQL hot standby: never migrate (refuse to start
    /// when the database's schema is not the one this build expects), write nothing, answer
    /// every write with 421 naming --primary-url, and report the replica's lag on /ready.
    #[arg(long, env = "UCR_READ_ONLY", default_value_t = false)]
    read_only: bool,
    /// With --read-only: the public URL of the server that writes, named in every refusal.
    #[arg(long, env = "UCR_PRIMARY_URL", requires = "read_only")]
    primary_url: Option<String>,
    /// With --read-only: the primary's database URL, read only for its change sequence so
    /// that /ready also says how many changes the replica is behind.
    #[arg(long, env = "UCR_PRIMARY_DATABASE", requires = "read_only")]
    primary_database: Option<String>,
    /// With --read-only: past this lag behind the primary, in seconds, /ready answers 503.
    #[arg(long, env = "UCR_MAX_LAG", default_value_t = 30.0, requires = "read_only",
          value_parser = lag_seconds)]
    max_lag: f64,
}

fn lag_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(s),
        _ => Err(format!("`{text}`: seconds, a number 0 or more")),
    }
}

/// Heaps the C allocator keeps for threads (glibc's default is eight per core).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MALLOC_ARENAS: i32 = 2;

/// Bounds the memory the C allocator holds on to. Each database connection allocates
/// (page cache, full-text doclists, sorters) from whichever thread runs it; with glibc's
/// default of up to 16 heaps on two cores, the freed memory of every heap stays with the
/// process, which doubled the server's peak memory under concurrent searches.
fn bound_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator settings; it is called before the server
    // starts its threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS);
    }
}

pub fn run(database: &str, args: ServeArgs) -> Result<ExitCode> {
    bound_allocator();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let register = if args.read_only {
        Register::open_read_only(database, args.pool_size)
    } else {
        Register::open_with_pool_size(database, args.pool_size)
    }
    .with_context(|| format!("opening {database}"))?
    .with_search_cache(args.search_cache_mib.saturating_mul(1 << 20));
    let replica = if args.read_only {
        let primary = match &args.primary_database {
            Some(url) => Some(
                Register::open_read_only(url, 1)
                    .with_context(|| format!("opening the primary {url}"))?,
            ),
            None => None,
        };
        Some(ucr_api::replica::Replica {
            write_to: args.primary_url.clone(),
            primary,
            max_lag: std::time::Duration::from_secs_f64(args.max_lag),
        })
    } else {
        None
    };
    let register = if args.search_index {
        register.with_search_index()
    } else {
        register
    };
    if let Some(path) = &args.seed {
        seed(&register, path)?;
    }
    if args.search_index {
        // Built while the server starts; searches read the tables until it is ready.
        let register = register.clone();
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            match register.prepare_search_index() {
                Ok(()) => tracing::info!(
                    seconds = started.elapsed().as_secs_f64(),
                    "search index ready"
                ),
                Err(e) => tracing::warn!(error = %e, "no search index; searches read the tables"),
            }
        });
    }
    let listener =
        TcpListener::bind(&args.bind).with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(bind = %args.bind, database, read_only = args.read_only, "serving the Unified Cultural Register");
    let state = ucr_api::State {
        register,
        config: ucr_api::Config {
            body_limit: args.body_limit,
            import_limit: args.import_limit,
            public_read: args.public_read,
            workers: None,
            replica,
            if_match: args.if_match.parse().map_err(anyhow::Error::msg)?,
            public_url: args.public_url.clone(),
        },
    };
    actix_web::rt::System::new().block_on(async move {
        ucr_api::start(listener, state)?.await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Loads a file of entries (JSON, NDJSON or CSV) into an empty register as one import.
fn seed(register: &Register, path: &std::path::Path) -> Result<()> {
    if register.list(&Default::default(), 1, None)?.total > 0 {
        tracing::info!("the register is not empty; not seeding");
        return Ok(());
    }
    let name = path.display().to_string();
    let format = Format::from_name(&name)
        .with_context(|| format!("{name}: a seed file is .json, .ndjson or .csv"))?;
    let file = std::fs::File::open(path).with_context(|| format!("opening {name}"))?;
    let options = Options {
        mode: Mode::Create,
        match_on: Default::default(),
        dialect: Default::default(),
        atomic: true,
        dry_run: false,
        kind: None,
        writer: Write::by("seed", Role::Admin),
    };
    let report = register.import(
        vec![Source {
            name: name.clone(),
            reader: Box::new(file),
            format,
        }],
        &options,
        &mut |_| {},
    )?;
    if report.outcome != Outcome::Committed {
        anyhow::bail!(
            "{name} cannot be loaded: {} rejected rows, first: {:?}",
            report.rejected,
            report.rows.first()
        );
    }
    tracing::info!(entries = report.created, file = %name, "seeded");
    Ok(())
}

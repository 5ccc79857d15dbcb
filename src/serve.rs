//! `ucr serve`: the REST API.

use anyhow::{Context, Result};
use std::net::TcpListener;
use std::process::ExitCode;
use ucr_core::{Register, RegisterError, Role, Write};

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
    /// Database connections in the pool.
    #[arg(long, env = "UCR_POOL_SIZE", default_value_t = 8)]
    pool_size: u32,
    /// When the register is empty, load these entries first (a JSON array, e.g. the fixtures).
    #[arg(long, env = "UCR_SEED")]
    seed: Option<std::path::PathBuf>,
}

pub fn run(database: &str, args: ServeArgs) -> Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let register = Register::open_with_pool_size(database, args.pool_size)
        .with_context(|| format!("opening {database}"))?;
    if let Some(path) = &args.seed {
        seed(&register, path)?;
    }
    let listener =
        TcpListener::bind(&args.bind).with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(bind = %args.bind, database, "serving the Unified Cultural Register");
    let state = ucr_api::State {
        register,
        config: ucr_api::Config {
            body_limit: args.body_limit,
            import_limit: args.import_limit,
            public_read: args.public_read,
            workers: None,
        },
    };
    actix_web::rt::System::new().block_on(async move {
        ucr_api::start(listener, state)?.await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Loads a JSON array of entries into an empty register. Entries that refer to others are
/// retried after the rest, so the file's order does not matter.
fn seed(register: &Register, path: &std::path::Path) -> Result<()> {
    if register.list(&Default::default(), 1, None)?.total > 0 {
        tracing::info!("the register is not empty; not seeding");
        return Ok(());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut pending: Vec<serde_json::Value> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON array of entries", path.display()))?;
    let writer = Write::by("seed", Role::Admin);
    let total = pending.len();
    loop {
        let before = pending.len();
        let mut waiting = Vec::new();
        let mut last_problems = Vec::new();
        for value in pending {
            match register.create(value.clone(), &writer) {
                Ok(_) => {}
                Err(RegisterError::Invalid(problems)) => {
                    last_problems = problems;
                    waiting.push(value);
                }
                Err(other) => return Err(other.into()),
            }
        }
        if waiting.is_empty() {
            tracing::info!(entries = total, file = %path.display(), "seeded");
            return Ok(());
        }
        if waiting.len() == before {
            anyhow::bail!(
                "{} entries of {} cannot be loaded; first problems: {:?}",
                waiting.len(),
                path.display(),
                last_problems
            );
        }
        pending = waiting;
    }
}

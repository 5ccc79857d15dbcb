//! The clerk's commands: `ucr check`, `ucr load`, `ucr imports`, `ucr export`, `ucr generate`.

use anyhow::{bail, Context, Result};
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use ucr_core::bulk::read::Format;
use ucr_core::bulk::{ImportReport, Mode, Options, Outcome, Source};
use ucr_core::export::{ExportFormat, ExportOptions};
use ucr_core::{Action, Filter, Kind, Register, Status, Write};

// The values of the options, as clap reads them (its help lists each enum's words).

/// `--format` of `check` and `load`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum FileFormat {
    Json,
    Ndjson,
    Csv,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Format {
        match f {
            FileFormat::Json => Format::Json,
            FileFormat::Ndjson => Format::Ndjson,
            FileFormat::Csv => Format::Csv,
        }
    }
}

/// `--mode` of `check` and `load`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LoadMode {
    Create,
    Upsert,
}

impl From<LoadMode> for Mode {
    fn from(m: LoadMode) -> Mode {
        match m {
            LoadMode::Create => Mode::Create,
            LoadMode::Upsert => Mode::Upsert,
        }
    }
}

/// `--report` of `check` and `load`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportStyle {
    Text,
    Json,
}

/// `--format` of `export`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFileFormat {
    Ndjson,
    Csv,
    Geojson,
    Jsonld,
}

impl From<ExportFileFormat> for ExportFormat {
    fn from(f: ExportFileFormat) -> ExportFormat {
        match f {
            ExportFileFormat::Ndjson => ExportFormat::Ndjson,
            ExportFileFormat::Csv => ExportFormat::Csv,
            ExportFileFormat::Geojson => ExportFormat::Geojson,
            ExportFileFormat::Jsonld => ExportFormat::Jsonld,
        }
    }
}

/// `--format` of `generate`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum GeneratedFormat {
    Ndjson,
    Json,
}

/// `--kind`: a word of the register's vocabulary (not listed in the help).
fn kind_word(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| format!("one of {}", Kind::words().join(", ")))
}

/// `--status`: a word of the register's vocabulary (not listed in the help).
fn status_word(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| format!("one of {}", Status::words().join(", ")))
}

#[derive(clap::Args)]
pub struct LoadArgs {
    /// Files of entries: .json (array), .ndjson/.jsonl, .csv.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Format of every file, when the names do not tell.
    #[arg(long)]
    format: Option<FileFormat>,
    /// Kind of the entries of CSV files without a `kind` column.
    #[arg(long, value_parser = kind_word)]
    kind: Option<Kind>,
    /// `create`: an existing registry number is a duplicate; `upsert`: update it.
    #[arg(long, default_value = "create")]
    mode: LoadMode,
    /// Store the good rows and report the bad (default: all or nothing).
    #[arg(long = "continue", conflicts_with = "atomic")]
    keep_going: bool,
    /// All or nothing (the default).
    #[arg(long)]
    atomic: bool,
    /// `text` for people, `json` for machines.
    #[arg(long, default_value = "text")]
    report: ReportStyle,
    /// Recorded as who loaded.
    #[arg(long, env = "UCR_ACTOR", default_value = "cli")]
    actor: String,
}

/// The SQLite file `database` names, when it is a file that is not there (a mistyped path).
fn missing_file(database: &str) -> Option<String> {
    match ucr_core::store::connection::Target::parse(database) {
        ucr_core::store::connection::Target::Sqlite(path)
            if path != ":memory:" && !std::path::Path::new(&path).exists() =>
        {
            Some(path)
        }
        _ => None,
    }
}

/// Opens a register that must exist: a SQLite file that is not there is refused rather than
/// created empty (an export or an undo of nothing would look like success).
fn open_existing(database: &str) -> Result<Register> {
    if let Some(path) = missing_file(database) {
        bail!("no register at {path}: `ucr load` or `ucr serve` creates one");
    }
    Register::open(database).with_context(|| format!("opening {database}"))
}

/// `ucr check` (dry run) and `ucr load`.
pub fn load(database: &str, args: LoadArgs, dry_run: bool) -> Result<ExitCode> {
    let register = match missing_file(database) {
        // A check writes nothing, not even an empty register: the rows are checked against
        // an empty one in memory (one connection, so that it is one database).
        Some(path) if dry_run => {
            eprintln!("no register at {path}: checking against an empty register");
            Register::open_with_pool_size(":memory:", 1).context("opening an empty register")?
        }
        _ => Register::open(database).with_context(|| format!("opening {database}"))?,
    };
    let mut sources = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let format = match args.format {
            Some(f) => Some(f.into()),
            None => Format::from_name(&name),
        }
        .with_context(|| format!("{name}: say --format json, ndjson or csv"))?;
        let file = std::fs::File::open(path).with_context(|| format!("opening {name}"))?;
        sources.push(Source {
            name,
            reader: Box::new(file),
            format,
        });
    }
    let options = Options {
        mode: args.mode.into(),
        atomic: !args.keep_going,
        dry_run,
        kind: args.kind,
        // The command line acts for whoever may open the database: with the role its operation needs.
        writer: Write::by(args.actor.clone(), Action::Load.role()),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} rows read {per_sec} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let report = register.import(sources, &options, &mut |n| {
        if let Some(bar) = &bar {
            bar.set_position(n);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut out = std::io::stdout().lock();
    if let ReportStyle::Json = args.report {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &report, &options)?;
    }
    Ok(if report.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(out: &mut dyn std::io::Write, r: &ImportReport, o: &Options) -> Result<()> {
    for row in &r.rows {
        let number = row.registry_number.as_deref().unwrap_or("-");
        for p in &row.problems {
            let severity = if p.is_error() { "error" } else { "warning" };
            let field = if p.field.is_empty() {
                "(entry)"
            } else {
                &p.field
            };
            writeln!(
                out,
                "{}:{} {number}: {severity} {field} {}: {}",
                row.file, row.line, p.code, p.message
            )?;
        }
    }
    if r.rows_not_listed > 0 {
        writeln!(
            out,
            "… and {} more rejected rows not listed",
            r.rows_not_listed
        )?;
    }
    let what = match r.outcome {
        Outcome::DryRun => "checked, nothing written".to_string(),
        Outcome::Committed => format!(
            "loaded as import {}",
            r.import_id.map(|i| i.to_string()).unwrap_or_default()
        ),
        Outcome::Rejected => {
            "rejected: nothing written (atomic load; use --continue to store the good rows)".into()
        }
    };
    writeln!(
        out,
        "created {}, updated {}, unchanged {}, rejected {} ({} warnings) — {what}",
        r.created, r.updated, r.unchanged, r.rejected, r.warnings
    )?;
    let _ = o;
    Ok(())
}

#[derive(clap::Subcommand)]
pub enum ImportsCommand {
    /// List recorded imports, newest first.
    List,
    /// Undo an import as one operation.
    Undo {
        /// The import id.
        id: String,
        /// Recorded as who undid it.
        #[arg(long, env = "UCR_ACTOR", default_value = "cli")]
        actor: String,
    },
}

/// `ucr imports …`.
pub fn imports(database: &str, command: ImportsCommand) -> Result<ExitCode> {
    let register = open_existing(database)?;
    match command {
        ImportsCommand::List => {
            for i in register.imports()? {
                let files: Vec<String> = serde_json::from_str(&i.files).unwrap_or_default();
                println!(
                    "{}  {}  {:<9}  {:<8} created {} updated {} unchanged {} rejected {}  by {}  {}",
                    i.id,
                    i.started_at.and_utc().format("%Y-%m-%d %H:%M:%S"),
                    i.status,
                    i.mode,
                    i.created,
                    i.updated,
                    i.unchanged,
                    i.rejected,
                    i.actor,
                    files.join(" ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ImportsCommand::Undo { id, actor } => {
            match register.undo_import(&id, &Write::by(actor, Action::UndoImport.role())) {
                Ok(i) => {
                    println!("import {} undone", i.id);
                    Ok(ExitCode::SUCCESS)
                }
                Err(ucr_core::RegisterError::ChangedSince { entries }) => {
                    eprintln!("ucr: import {id} cannot be undone; these entries changed since:");
                    for e in entries {
                        eprintln!("  {e}");
                    }
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// ndjson, csv (needs --kind), geojson or jsonld (needs --public-url).
    #[arg(long)]
    format: ExportFileFormat,
    /// The register's public URL, for the `@id`s of a JSON-LD export.
    #[arg(long, env = "UCR_PUBLIC_URL", value_parser = ucr_api::public_url)]
    public_url: Option<String>,
    /// Only this kind.
    #[arg(long, value_parser = kind_word)]
    kind: Option<Kind>,
    /// Only this ISO 3166-2:AZ unit.
    #[arg(long)]
    region: Option<String>,
    /// Only this status.
    #[arg(long, value_parser = status_word)]
    status: Option<Status>,
    /// Write here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Include personal data (the `head` of institutions).
    #[arg(long)]
    personal_data: bool,
}

/// `ucr export`.
pub fn export(database: &str, args: ExportArgs) -> Result<ExitCode> {
    let register = open_existing(database)?;
    let format = args.format.into();
    let filter = Filter {
        kind: args.kind,
        status: args.status,
        region: args.region.clone(),
        ..Default::default()
    };
    let options = ExportOptions {
        format,
        filter,
        personal_data: args.personal_data,
        base_url: args.public_url.clone(),
    };
    if let Err(m) = ucr_core::export::check_options(&options) {
        bail!(m);
    }
    let count = match &args.output {
        Some(path) => export_to_file(&register, &options, path)?,
        None => export_into(&register, &options, std::io::stdout().lock())?,
    };
    eprintln!("{count} entries exported");
    Ok(ExitCode::SUCCESS)
}

/// Exports through a buffer into `out`, flushed.
fn export_into(
    register: &Register,
    options: &ExportOptions,
    out: impl std::io::Write,
) -> Result<u64> {
    let mut out = std::io::BufWriter::new(out);
    let count = register.export(options, &mut out)?;
    out.flush()?;
    Ok(count)
}

/// Exports into a file beside `path`, renamed to `path` once complete: an export that fails
/// leaves no partial file, and a file already at `path` as it was (with its permissions; a
/// symbolic link is followed). What is not a regular file (a terminal, a pipe, a device) is
/// written directly.
fn export_to_file(register: &Register, options: &ExportOptions, path: &Path) -> Result<u64> {
    let (target, permissions) = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?;
            return export_into(register, options, file);
        }
        Ok(m) => (
            std::fs::canonicalize(path).with_context(|| format!("resolving {}", path.display()))?,
            Some(m.permissions()),
        ),
        Err(_) => (path.to_path_buf(), None),
    };
    let name = target
        .file_name()
        .with_context(|| format!("--output {}: name a file", path.display()))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".partial-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // A new file gets what `File::create` would give it: read and write for all, less the
    // umask (a temporary file is otherwise only the owner's).
    #[cfg(unix)]
    if permissions.is_none() {
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Removed when dropped, unless it became `target`.
    let partial = builder
        .tempfile_in(dir)
        .with_context(|| format!("creating {}…", dir.join(&prefix).display()))?;
    if let Some(p) = permissions {
        partial
            .as_file()
            .set_permissions(p)
            .with_context(|| format!("setting the permissions of {}", partial.path().display()))?;
    }
    let shown = partial.path().display().to_string();
    let mut out = std::io::BufWriter::new(partial);
    let count = register.export(options, &mut out)?;
    let partial = out
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|file| file.as_file().sync_all().map(|()| file))
        .with_context(|| format!("writing {shown}"))?;
    partial
        .persist(&target)
        .with_context(|| format!("renaming {shown} to {}", target.display()))?;
    Ok(count)
}

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// How many entries.
    #[arg(long)]
    count: u64,
    /// ndjson (one entry per line) or json (one array).
    #[arg(long, default_value = "ndjson")]
    format: GeneratedFormat,
    /// Seed of the generator (the same seed gives the same set).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// `ucr generate`: a synthetic set of any size.
pub fn generate(args: GenerateArgs) -> Result<ExitCode> {
    let out: Box<dyn std::io::Write> = match &args.output {
        Some(p) => {
            Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(out);
    let json = matches!(args.format, GeneratedFormat::Json);
    if json {
        writeln!(out, "[")?;
    }
    for n in 0..args.count {
        let v = ucr_core::synthetic::entry(n, args.seed);
        if json && n > 0 {
            writeln!(out, ",")?;
        }
        serde_json::to_writer(&mut out, &v)?;
        if !json {
            writeln!(out)?;
        }
    }
    if json {
        writeln!(out, "\n]")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

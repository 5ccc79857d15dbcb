//! The clerk's commands: `ucr check`, `ucr load`, `ucr imports`, `ucr export`, `ucr generate`.

use anyhow::{bail, Context, Result};
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use ucr_core::bulk::read::{Dialect, Encoding, Format};
use ucr_core::bulk::{ImportReport, MatchKey, Mode, Options, Outcome, Phase, Source};
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

/// `--match`: a key of [`MatchKey`].
fn match_key(s: &str) -> Result<MatchKey, String> {
    MatchKey::parse(s).ok_or_else(|| {
        let all: Vec<&str> = MatchKey::ALL.iter().map(|k| k.as_str()).collect();
        format!("one of {}", all.join(", "))
    })
}

/// `--delimiter`: `,`, `;` or `tab`.
fn delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => Err("`,`, `;` or `tab`".to_string()),
    }
}

/// `--encoding`: an [`Encoding`].
fn encoding(s: &str) -> Result<Encoding, String> {
    Encoding::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Encoding::ALL.iter().map(|e| e.as_str()).collect();
        format!("one of {}", all.join(", "))
    })
}

/// The options of `ucr check`, which `ucr load` has too.
#[derive(clap::Args)]
pub struct CheckArgs {
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
    /// What an upsert matches rows to entries on: registry_number, wikidata, isil or
    /// inventory_number.
    #[arg(long = "match", value_parser = match_key, default_value = "registry_number")]
    match_on: MatchKey,
    /// Delimiter of CSV columns: `,`, `;` or `tab` (default: the one the header line uses).
    #[arg(long, value_parser = delimiter)]
    delimiter: Option<u8>,
    /// Character encoding of the files: utf-8 (the default), windows-1251 or windows-1254.
    #[arg(long, value_parser = encoding, default_value = "utf-8")]
    encoding: Encoding,
    /// `text` for people, `json` for machines.
    #[arg(long, default_value = "text")]
    report: ReportStyle,
    /// Count the warnings and notices of accepted rows per field and code instead of listing
    /// them row by row (for big files).
    #[arg(long)]
    summary: bool,
}

/// The options of `ucr load`.
#[derive(clap::Args)]
pub struct LoadArgs {
    #[command(flatten)]
    check: CheckArgs,
    /// Store the good rows and report the bad (default: all or nothing).
    #[arg(long = "continue", conflicts_with = "atomic")]
    keep_going: bool,
    /// All or nothing (the default).
    #[arg(long)]
    atomic: bool,
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

/// `ucr check`: a dry run.
pub fn check(database: &str, args: CheckArgs) -> Result<ExitCode> {
    load_or_check(database, args, None)
}

/// `ucr load`.
pub fn load(database: &str, args: LoadArgs) -> Result<ExitCode> {
    let writing = Options {
        mode: Mode::Create,
        match_on: MatchKey::RegistryNumber,
        dialect: Default::default(),
        atomic: !args.keep_going,
        dry_run: false,
        kind: None,
        // The command line acts for whoever may open the database: with the role its operation needs.
        writer: Write::by(args.actor, Action::Load.role()),
    };
    load_or_check(database, args.check, Some(writing))
}

/// Opens the files of a load, before any database is touched: a file that is missing or
/// cannot be read stops the load with nothing created.
fn open_files(args: &CheckArgs) -> Result<(Vec<Source<'static>>, u64)> {
    let mut sources = Vec::new();
    let mut total = 0;
    for path in &args.files {
        let name = path.display().to_string();
        let format = match args.format {
            Some(f) => Some(f.into()),
            None => Format::from_name(&name),
        }
        .with_context(|| format!("{name}: say --format json, ndjson or csv"))?;
        let file = std::fs::File::open(path).with_context(|| format!("opening {name}"))?;
        let meta = file.metadata().with_context(|| format!("reading {name}"))?;
        if meta.is_dir() {
            bail!("{name} is a directory, not a file of entries");
        }
        total += meta.len();
        sources.push(Source {
            name,
            reader: Box::new(file),
            format,
        });
    }
    Ok((sources, total))
}

/// The progress bar of a load on a terminal: the share of the files read, rows per second,
/// the time left and the phase, redrawn steadily while a phase has no rows to count.
fn progress_bar(total_bytes: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total_bytes);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {prefix}: {percent}% of {total_bytes} read, {msg}, {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message("0 rows, 0 rows/s");
    bar.set_prefix(Phase::Reading.as_str());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// `ucr check` (no `writing` options: a dry run) and `ucr load`.
fn load_or_check(database: &str, args: CheckArgs, writing: Option<Options>) -> Result<ExitCode> {
    let dry_run = writing.is_none();
    if args.match_on != MatchKey::RegistryNumber && matches!(args.mode, LoadMode::Create) {
        bail!(
            "--match {} matches rows to existing entries: it needs --mode upsert",
            args.match_on.as_str()
        );
    }
    let (sources, total_bytes) = open_files(&args)?;
    let new_file = missing_file(database);
    let register = match &new_file {
        // A check writes nothing, not even an empty register: the rows are checked against
        // an empty one in memory (one connection, so that it is one database).
        Some(path) if dry_run => {
            eprintln!("no register at {path}: checking against an empty register");
            Register::open_with_pool_size(":memory:", 1).context("opening an empty register")?
        }
        _ => Register::open(database).with_context(|| format!("opening {database}"))?,
    };
    let base = writing.unwrap_or_else(|| Options {
        mode: Mode::Create,
        match_on: MatchKey::RegistryNumber,
        dialect: Default::default(),
        atomic: true,
        dry_run: true,
        kind: None,
        writer: Write::by("cli", Action::Load.role()),
    });
    let options = Options {
        mode: args.mode.into(),
        match_on: args.match_on,
        dialect: Dialect {
            delimiter: args.delimiter,
            encoding: args.encoding,
        },
        kind: args.kind,
        ..base
    };
    let bar = progress_bar(total_bytes);
    let started = std::time::Instant::now();
    let imported = register.import(sources, &options, &mut |p| {
        if let Some(bar) = &bar {
            bar.set_position(p.bytes);
            bar.set_prefix(p.phase.as_str());
            let seconds = started.elapsed().as_secs_f64();
            let rate = if seconds > 0.0 {
                (p.rows as f64 / seconds).round() as u64
            } else {
                0
            };
            bar.set_message(format!("{} rows, {rate} rows/s", p.rows));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = match imported {
        Ok(report) => report,
        Err(e) => {
            // A load that failed before writing leaves no register it created.
            if let (Some(path), false) = (new_file, dry_run) {
                drop(register);
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            return Err(e.into());
        }
    };
    let mut report = report;
    if args.summary {
        report.summarise();
    }
    let mut out = std::io::stdout().lock();
    if let ReportStyle::Json = args.report {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &report, &options, args.summary)?;
    }
    Ok(if report.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `1 row`, `2 rows`.
fn rows_of(n: u64) -> String {
    if n == 1 {
        "1 row".to_string()
    } else {
        format!("{n} rows")
    }
}

fn print_report(
    out: &mut dyn std::io::Write,
    r: &ImportReport,
    o: &Options,
    summary: bool,
) -> Result<()> {
    let rows = |out: &mut dyn std::io::Write, rows: &[ucr_core::bulk::RowReport]| -> Result<()> {
        for row in rows {
            let number = row.registry_number.as_deref().unwrap_or("-");
            let at = match row.column {
                Some(column) => format!("{}:{}:{column}", row.file, row.line),
                None => format!("{}:{}", row.file, row.line),
            };
            for p in &row.problems {
                let field = if p.field.is_empty() {
                    "(entry)"
                } else {
                    &p.field
                };
                write!(
                    out,
                    "{at} {number}: {} {field} {}: {}",
                    p.severity.as_str(),
                    p.code,
                    p.message
                )?;
                match (&p.given, &p.stored) {
                    (Some(given), Some(stored)) => writeln!(out, ": `{given}` → `{stored}`")?,
                    _ => writeln!(out)?,
                }
            }
        }
        Ok(())
    };
    let not_listed = |out: &mut dyn std::io::Write, n: u64, what: &str| -> Result<()> {
        if n > 0 {
            writeln!(out, "… and {n} more {what} not listed")?;
        }
        Ok(())
    };
    rows(out, &r.rows)?;
    not_listed(out, r.rows_not_listed, "rejected rows")?;
    if summary {
        if !r.summary.is_empty() {
            writeln!(out, "accepted rows, by field and code:")?;
        }
        for t in &r.summary {
            writeln!(
                out,
                "  {} {} {}: {}",
                t.severity.as_str(),
                t.field,
                t.code,
                t.count
            )?;
        }
    } else {
        rows(out, &r.accepted)?;
        not_listed(
            out,
            r.accepted_not_listed,
            "accepted rows with warnings or notices",
        )?;
    }
    for change in &r.changes {
        for f in &change.fields {
            writeln!(
                out,
                "{}:{} {}: would change {}: {} → {}",
                change.file, change.line, change.registry_number, f.field, f.old, f.new
            )?;
        }
    }
    let remarks = format!("{} warnings, {} notices", r.warnings, r.notices);
    match r.outcome {
        Outcome::Rejected if o.atomic => writeln!(
            out,
            "rejected: nothing written — {} rejected, {} passed ({remarks}); \
             an atomic load writes all or nothing (use --continue to store the good rows)",
            rows_of(r.rejected),
            rows_of(r.not_written)
        )?,
        Outcome::Rejected => writeln!(
            out,
            "rejected: nothing written — {} rejected, {} passed ({remarks}); a file is not in its encoding",
            rows_of(r.rejected),
            rows_of(r.not_written)
        )?,
        Outcome::DryRun => writeln!(
            out,
            "created {}, updated {}, unchanged {}, rejected {} ({remarks}) — checked, nothing written",
            r.created, r.updated, r.unchanged, r.rejected
        )?,
        Outcome::Committed => writeln!(
            out,
            "created {}, updated {}, unchanged {}, rejected {} ({remarks}) — loaded as import {}",
            r.created,
            r.updated,
            r.unchanged,
            r.rejected,
            r.import_id.map(|i| i.to_string()).unwrap_or_default()
        )?,
        Outcome::Unreadable => writeln!(
            out,
            "unreadable: no row could be read as an entry; nothing written or recorded"
        )?,
    }
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

//! `ucr`: the Unified Cultural Register on the command line.

mod bulk;
mod serve;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use ucr_core::Register;

#[derive(Parser)]
#[command(name = "ucr", version, about = "Unified Cultural Register")]
struct Cli {
    /// Database: a path or sqlite://PATH for SQLite, postgres://… for PostgreSQL.
    #[arg(
        long,
        global = true,
        env = "UCR_DATABASE_URL",
        default_value = "sqlite://ucr.db"
    )]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API.
    Serve(serve::ServeArgs),
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Check files of entries against every rule and the register, writing nothing.
    Check(bulk::CheckArgs),
    /// Load files of entries as one recorded import.
    Load(bulk::LoadArgs),
    /// List or undo imports.
    #[command(subcommand)]
    Imports(bulk::ImportsCommand),
    /// Export the register (or part of it) as NDJSON, CSV or GeoJSON.
    Export(bulk::ExportArgs),
    /// Write a synthetic set of entries of every kind (for benchmarks).
    Generate(bulk::GenerateArgs),
    /// Create, list or revoke access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it (the only time it is shown; only its hash is stored).
    Create {
        /// The token's name: recorded as the actor of every change made with it.
        #[arg(long)]
        name: String,
        /// reader, clerk or admin.
        #[arg(long)]
        role: TokenRole,
    },
    /// List tokens (names, roles, dates; never the tokens).
    List,
    /// Revoke a token by name; it is refused from now on.
    Revoke {
        /// The token's name.
        name: String,
    },
}

/// `--role` of `token create`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum TokenRole {
    Reader,
    Clerk,
    Admin,
}

impl From<TokenRole> for ucr_core::Role {
    fn from(r: TokenRole) -> ucr_core::Role {
        match r {
            TokenRole::Reader => ucr_core::Role::Reader,
            TokenRole::Clerk => ucr_core::Role::Clerk,
            TokenRole::Admin => ucr_core::Role::Admin,
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ucr: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(&cli.database, args),
        Command::Migrate => {
            let register = Register::connect(&cli.database, 1)
                .with_context(|| format!("opening {}", cli.database))?;
            let applied = register.migrate()?;
            for name in &applied {
                println!("applied {name}");
            }
            println!("{} is up to date", cli.database);
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => bulk::check(&cli.database, args),
        Command::Load(args) => bulk::load(&cli.database, args),
        Command::Imports(command) => bulk::imports(&cli.database, command),
        Command::Export(args) => bulk::export(&cli.database, args),
        Command::Generate(args) => bulk::generate(args),
        Command::Token(command) => {
            let register = Register::open(&cli.database)
                .with_context(|| format!("opening {}", cli.database))?;
            match command {
                TokenCommand::Create { name, role } => {
                    println!("{}", register.create_token(&name, role.into())?);
                }
                TokenCommand::List => {
                    for t in register.tokens()? {
                        let state = match t.revoked_at {
                            Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                            None => "active".to_string(),
                        };
                        println!(
                            "{:<30} {:<7} created {}  {state}",
                            t.name,
                            t.role,
                            t.created_at.format("%Y-%m-%d %H:%M")
                        );
                    }
                }
                TokenCommand::Revoke { name } => {
                    register.revoke_token(&name)?;
                    println!("token {name} revoked");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            print!("{}", ucr_api::openapi::document_text()?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

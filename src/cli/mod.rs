//! The headless front end: `import`, `update`, `regroup`, `export`, `inspect` and `sandbox`.
//! Each command returns its one-sentence failure as an error; `main` prints it and exits
//! non-zero (130 when interrupted).

mod progress;
mod runs;
mod summary;

pub use summary::summary;

use crate::cin7::{Cin7Error, PRODUCTION_BASE_URL, Resource};
use crate::import::ImportError;
use crate::project::file::ProjectFileError;
use crate::project::tables::TableKind;
use crate::project::{GroupBy, ImportSettings, RegroupError, SaleDate, file};
use crate::rate_limit::RateLimits;
use crate::sandbox::{self, Faults, Preset, Sandbox, SandboxConfig};
use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "cin7-planner",
    version = crate::identity::VERSION,
    about = "Turns a Cin7 Omni account into a demand-planning project.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Open the window with the built-in sandbox running and its demo account filled in.
    #[arg(long)]
    pub demo: bool,
    /// A project file to open in the window (what a desktop's "Open with" passes).
    #[arg(value_name = "PROJECT")]
    pub project: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Import an account into a new project file (the API key comes from CIN7_API_KEY, the
    /// system keychain, or a prompt).
    Import(ImportArgs),
    /// Bring a project up to date: what changed in Cin7 since its last run, saved in place.
    Update(UpdateArgs),
    /// Rebuild a project's series under other grouping or sales options from its ledger,
    /// without calling Cin7.
    Regroup(RegroupArgs),
    /// Write a project's tables: the history as a CSV long table, its items' info, its open
    /// orders, lead times and kits, or all of them in one Excel workbook.
    Export(ExportArgs),
    /// Print a summary of a project file.
    Inspect {
        /// The project file.
        file: PathBuf,
    },
    /// Serve a synthetic Cin7 account on 127.0.0.1 until interrupted.
    Sandbox(SandboxArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The API username (Cin7: Settings > Integrations & API > API v1).
    #[arg(long)]
    pub username: String,
    /// The first day to import; the first period is the one containing it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub start: NaiveDate,
    #[arg(long, value_enum, default_value = "week")]
    pub group_by: GroupBy,
    /// IANA time zone the periods are in (default: this computer's).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<Tz>,
    /// First day of a week.
    #[arg(long, default_value = "monday", value_parser = parse_weekday)]
    pub week_start: Weekday,
    /// Which date places a sale in a period.
    #[arg(long, value_enum, default_value = "invoice")]
    pub sale_date: SaleDate,
    /// Count only orders that have been dispatched.
    #[arg(long)]
    pub dispatched_only: bool,
    /// Do not subtract returns (credit notes) from sales.
    #[arg(long)]
    pub no_returns: bool,
    /// Import only these branches (Cin7 branch ids), e.g. 1,3.
    #[arg(long, value_delimiter = ',')]
    pub branches: Option<Vec<i64>>,
    /// Count only the sales of these channels (a sale's source), e.g. POS,Shopify
    /// (default: all).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub channels: Option<Vec<String>>,
    /// The project file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The API root; http:// only for this computer.
    #[arg(long, default_value = PRODUCTION_BASE_URL)]
    pub base_url: String,
    /// The rate windows to pace by, e.g. 3/1s,60/60s,5000/1d (ms, s, m, h, d).
    #[arg(long, default_value = crate::rate_limit::CIN7_LIMITS)]
    pub rate_limits: RateLimits,
    /// Pick up the stopped import of this connection with these settings, reading only what
    /// it had not read.
    #[arg(long)]
    pub resume: bool,
    /// Replace the project file --out names if there is one (a read-only file never is).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The project file; saved in place unless --out is given. A stopped update of it is
    /// picked up where it stopped.
    pub file: PathBuf,
    /// Where to save the updated project instead.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Read everything again (Reimport everything).
    #[arg(long)]
    pub full: bool,
    /// How far before the last run's start (by Cin7's clock) to read changes from (default 1h;
    /// a day for a project whose run could not tell Cin7's clock).
    #[arg(long, value_name = "DURATION")]
    pub overlap: Option<String>,
    /// The rate windows to pace by.
    #[arg(long, default_value = crate::rate_limit::CIN7_LIMITS)]
    pub rate_limits: RateLimits,
}

/// Options left out keep the project's own.
#[derive(Args, Debug)]
pub struct RegroupArgs {
    /// The project file.
    pub file: PathBuf,
    #[arg(long, value_enum)]
    pub group_by: Option<GroupBy>,
    /// IANA time zone the periods are in.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<Tz>,
    /// First day of a week.
    #[arg(long, value_parser = parse_weekday)]
    pub week_start: Option<Weekday>,
    /// Which date places a sale in a period.
    #[arg(long, value_enum)]
    pub sale_date: Option<SaleDate>,
    /// Count only orders that have been dispatched.
    #[arg(long, conflicts_with = "all_orders")]
    pub dispatched_only: bool,
    /// Count orders whether or not they have been dispatched.
    #[arg(long)]
    pub all_orders: bool,
    /// Subtract returns (credit notes) from sales.
    #[arg(long, conflicts_with = "no_returns")]
    pub returns: bool,
    /// Do not subtract returns from sales.
    #[arg(long)]
    pub no_returns: bool,
    /// Count only the sales of these channels, e.g. POS,Shopify.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAMES",
        conflicts_with = "all_channels"
    )]
    pub channels: Option<Vec<String>>,
    /// Count the sales of every channel.
    #[arg(long)]
    pub all_channels: bool,
    /// Where to write the regrouped project (default: over FILE).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl RegroupArgs {
    /// The project's settings with the options given.
    fn apply(&self, settings: &ImportSettings) -> ImportSettings {
        let either = |yes: bool, no: bool, current: bool| yes || (current && !no);
        ImportSettings {
            group_by: self.group_by.unwrap_or(settings.group_by),
            time_zone: self.tz.unwrap_or(settings.time_zone),
            week_start: self.week_start.unwrap_or(settings.week_start),
            sale_date: self.sale_date.unwrap_or(settings.sale_date),
            dispatched_only: either(
                self.dispatched_only,
                self.all_orders,
                settings.dispatched_only,
            ),
            returns: either(self.returns, self.no_returns, settings.returns),
            channels: match (&self.channels, self.all_channels) {
                (Some(chosen), _) => Some(chosen.clone()),
                (None, true) => None,
                (None, false) => settings.channels.clone(),
            },
            ..settings.clone()
        }
    }
}

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("output").required(true).multiple(true))]
pub struct ExportArgs {
    /// The project file.
    pub file: PathBuf,
    /// Where to write the history: one row per period of every item and location with data.
    #[arg(long, group = "output")]
    pub csv: Option<PathBuf>,
    /// Where to write the item info: one row per item.
    #[arg(long, group = "output")]
    pub items_csv: Option<PathBuf>,
    /// Where to write what open orders still have to ship.
    #[arg(long, group = "output")]
    pub orders_to_ship: Option<PathBuf>,
    /// Where to write what open orders still have to receive.
    #[arg(long, group = "output")]
    pub orders_to_receive: Option<PathBuf>,
    /// Where to write the lead times per item and location.
    #[arg(long, group = "output")]
    pub lead_times: Option<PathBuf>,
    /// Where to write each kit's components.
    #[arg(long, group = "output")]
    pub kits: Option<PathBuf>,
    /// Where to write every table in one Excel workbook.
    #[arg(long, group = "output")]
    pub xlsx: Option<PathBuf>,
}

impl ExportArgs {
    /// Each CSV asked for, with its table.
    fn csv_files(&self) -> Vec<(&Path, TableKind)> {
        [
            (&self.csv, TableKind::Transactions),
            (&self.items_csv, TableKind::ItemInfo),
            (&self.orders_to_ship, TableKind::OrdersToShip),
            (&self.orders_to_receive, TableKind::OrdersToReceive),
            (&self.lead_times, TableKind::LeadTimes),
            (&self.kits, TableKind::Kits),
        ]
        .into_iter()
        .filter_map(|(path, table)| Some((path.as_deref()?, table)))
        .collect()
    }
}

#[derive(Args, Debug)]
pub struct SandboxArgs {
    #[arg(long, value_enum, default_value = "demo")]
    pub preset: Preset,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    #[arg(long, default_value = sandbox::DEMO_USERNAME)]
    pub username: String,
    #[arg(long, default_value = sandbox::DEMO_KEY)]
    pub key: String,
    /// Delay added to every response.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// The rate windows to enforce per credential ("none" for no limit).
    #[arg(long, default_value = crate::rate_limit::CIN7_LIMITS)]
    pub rate_limits: RateLimits,
    /// Faults to inject, e.g. 500@20,503~0.05,drop@50,truncate@30,drip@40,revoke@100,jitter=20ms.
    #[arg(long, default_value = "none")]
    pub faults: Faults,
    /// Error bodies as {"Message": "…"} instead of a JSON string.
    #[arg(long)]
    pub message_errors: bool,
    /// Send Retry-After on 429 answers.
    #[arg(long)]
    pub retry_after: bool,
    /// Resources whose Read permission is off (they answer 403), e.g. SalesOrders,Stock.
    #[arg(long, value_delimiter = ',', value_parser = parse_resource)]
    pub deny: Vec<Resource>,
}

fn parse_resource(text: &str) -> Result<Resource, String> {
    Resource::from_path(text.trim()).ok_or_else(|| format!("{text:?} is not a Cin7 resource"))
}

fn parse_weekday(text: &str) -> Result<Weekday, String> {
    text.parse::<Weekday>()
        .map_err(|_| format!("{text:?} is not a day of the week"))
}

/// Why a command failed: one sentence each, the module errors' own among them.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("{0}")]
    Connection(#[from] Cin7Error),
    #[error("{0}")]
    File(#[from] ProjectFileError),
    #[error("{0}")]
    Regroup(#[from] RegroupError),
    #[error("No API key: set CIN7_API_KEY, or run the command in a terminal to be asked for it.")]
    NoKey,
    #[error("No API key was entered.")]
    EmptyKey,
    #[error("Could not read the API key ({0}).")]
    KeyPrompt(String),
    #[error("{0}")]
    Export(#[from] crate::project::csv::ExportError),
    #[error("The sandbox could not listen on port {port} ({reason}).")]
    Sandbox { port: u16, reason: String },
    #[error("{path} cannot be written ({reason}), so nothing was read.")]
    NotWritable { path: PathBuf, reason: String },
    #[error("{path} is read-only, so it was not replaced: give --out another file.")]
    ReadOnly { path: PathBuf },
    #[error(
        "{path} exists already, so nothing was read: give --force to replace it, or --out another file."
    )]
    Exists { path: PathBuf },
    #[error("{0:?} is not a duration: use one like 1d, 12h or 30m.")]
    BadOverlap(String),
    #[error(
        "Stopped: what was read so far is kept, and the same command with --resume (or update again) goes on from there."
    )]
    Interrupted,
    #[error("{0}")]
    Window(String),
}

/// Runs one headless command.
pub fn run(command: CliCommand) -> Result<(), CliError> {
    match command {
        CliCommand::Import(args) => runs::import(args),
        CliCommand::Update(args) => runs::update(args),
        CliCommand::Regroup(args) => regroup(&args),
        CliCommand::Export(args) => export(&args),
        CliCommand::Inspect { file } => inspect(&file),
        CliCommand::Sandbox(args) => serve_sandbox(args),
    }
}

fn regroup(args: &RegroupArgs) -> Result<(), CliError> {
    let out = args.out.as_deref().unwrap_or(&args.file);
    runs::check_replaceable(out)?;
    let project = file::open(&args.file)?;
    let settings = args.apply(&project.settings);
    let regrouped = project.regrouped(settings)?;
    file::save(&regrouped, out)?;
    let rows = regrouped.ledger.as_ref().map_or(0, |l| l.rows());
    println!(
        "Regrouped {rows} ledger rows into {} periods ({} in {}) without calling Cin7: {}.",
        regrouped.periods.len(),
        regrouped.settings.group_by.label().to_lowercase(),
        regrouped.settings.time_zone,
        out.display()
    );
    Ok(())
}

fn export(args: &ExportArgs) -> Result<(), CliError> {
    let project = file::open(&args.file)?;
    for (target, table) in args.csv_files() {
        crate::project::csv::export(target, |out| {
            crate::project::csv::write_table(table.of(&project), out)
        })?;
    }
    if let Some(target) = &args.xlsx {
        crate::project::xlsx::export(&project, target)?;
    }
    Ok(())
}

fn inspect(path: &Path) -> Result<(), CliError> {
    let project = file::open(path)?;
    print!("{}", summary(&project));
    Ok(())
}

fn serve_sandbox(args: SandboxArgs) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let account = sandbox::generate(args.preset, args.seed, chrono::Utc::now());
    let generated = started.elapsed();
    let mut config = SandboxConfig::new(account, &args.username, &args.key);
    config.port = args.port;
    config.rate_limits = args.rate_limits;
    config.latency = Duration::from_millis(args.latency_ms);
    config.faults = args.faults;
    config.seed = args.seed;
    config.message_object_errors = args.message_errors;
    config.retry_after = args.retry_after;
    config.credentials[0].denied = args.deny;
    let orders = config.account.sales_orders.len();
    let server = Sandbox::start(config).map_err(|e| CliError::Sandbox {
        port: args.port,
        reason: crate::io_error::listen_reason(&e),
    })?;
    // Whoever started the sandbox may stop reading its output; that is no reason to stop.
    let mut out = std::io::stdout();
    writeln!(
        out,
        "Cin7 sandbox serving the {:?} account at {}",
        args.preset,
        server.base_url()
    )
    .ok();
    writeln!(
        out,
        "API username: {}  API key: {}  ({orders} sales orders, generated in {:.1} s; press Ctrl+C to stop)",
        args.username,
        args.key,
        generated.as_secs_f64()
    )
    .ok();
    out.flush().ok();
    server.wait();
    Ok(())
}

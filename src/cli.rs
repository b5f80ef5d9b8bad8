//! The command line: one struct of options per command (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about = "Build an IT service portal (catalog, announcements, FAQs, surveys, feeds) from Markdown",
    propagate_version = true
)]
pub struct Cli {
    /// The project folder (holding portico.toml)
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each stage and its timing
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal into the output folder (public/ by default)
    Build(BuildArgs),
    /// Check everything `build` checks, writing nothing
    Check(SiteArgs),
    /// Create a new portal with sample content
    Init(InitArgs),
    /// Scaffold a new content file (written as a draft)
    New(NewArgs),
    /// Live preview: build, serve from memory, rebuild and reload on every change
    Serve(ServeArgs),
    /// Run the feedback receiver: store survey answers and page feedback in SQLite
    Collect(CollectArgs),
    /// Survey and page-feedback reports (HTML with charts, CSV, JSON) from the database
    Results(ResultsArgs),
    /// An email digest of what is new: HTML, plain text and a ready-to-send
    /// .eml, or mailed to each recipient with --send
    Digest(DigestArgs),
}

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// What happened since this day (YYYY-MM-DD) or moment
    #[arg(long, value_name = "DATE", conflicts_with = "days")]
    pub since: Option<String>,
    /// What happened in the last N days [default: 7]
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    /// Only what is for this audience (announcements for `all` are included)
    #[arg(long, value_name = "GROUP")]
    pub audience: Option<String>,
    /// The language of the digest [default: the portal's]
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Where to write digest.html, digest.txt and digest.eml (with --send:
    /// failed-recipients.txt, if any failed)
    #[arg(short, long, value_name = "DIR", default_value = "digest")]
    pub output: PathBuf,
    /// Write (or send) a digest even when nothing is new
    #[arg(long)]
    pub allow_empty: bool,
    /// Mail the digest, each recipient a message of their own, through the
    /// SMTP server named by PORTICO_SMTP_HOST (and PORTICO_SMTP_PORT,
    /// PORTICO_SMTP_TLS, PORTICO_SMTP_USER, PORTICO_SMTP_PASSWORD,
    /// PORTICO_SMTP_CA_FILE)
    #[arg(long)]
    pub send: bool,
    /// With --send: say what would be sent, to whom and through which
    /// server, and send nothing
    #[arg(long, requires = "send")]
    pub dry_run: bool,
    /// With --send: mail the addresses in FILE instead of those portico.toml
    /// names (one address a line; `[group]` lines start an audience's)
    #[arg(long, value_name = "FILE", requires = "send", conflicts_with = "to")]
    pub recipients: Option<PathBuf>,
    /// With --send: mail only this address (a test run); repeatable
    #[arg(long, value_name = "ADDRESS", requires = "send")]
    pub to: Vec<String>,
    /// With --send: messages sent over one connection [default: 50, or
    /// `[digest] batch_size`]
    #[arg(long, value_name = "N", requires = "send", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: Option<u32>,
    /// With --send: seconds to wait between batches [default: 0, or
    /// `[digest] batch_pause`]
    #[arg(
        long,
        value_name = "SECONDS",
        requires = "send",
        allow_negative_numbers = true
    )]
    pub batch_pause: Option<f64>,
    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The SQLite database answers are stored in (created if missing)
    #[arg(long, value_name = "FILE", default_value = "feedback.sqlite")]
    pub db: PathBuf,
    /// Address to listen on (only this machine by default)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on; 0 picks a free one
    #[arg(short, long, default_value_t = 8080)]
    pub port: u16,
    /// Also serve this built site (and take its surveys); without it the
    /// surveys come from ROOT/public and only /api/ is served
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
    /// A page's origin that may post answers besides the receiver's own
    /// (adds to `allowed_origins` in portico.toml); repeatable
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allowed_origins: Vec<String>,
    /// Posts per minute one client may make; 0 for no limit [default: from the site, 30]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// The largest request body in bytes [default: from the site, 65536]
    #[arg(long, value_name = "BYTES")]
    pub max_body: Option<u64>,
    /// Open and close surveys as if it were this moment (RFC 3339), for replays and tests
    #[arg(long, value_name = "TIMESTAMP")]
    pub now: Option<jiff::Timestamp>,
    /// Request threads (each waits for its answer's commit)
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The SQLite database the receiver wrote
    #[arg(long, value_name = "FILE", default_value = "feedback.sqlite")]
    pub db: PathBuf,
    /// Where to write the reports
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub output: PathBuf,
    /// Which reports to write, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "html,csv,json")]
    pub format: Vec<ReportFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one
    #[arg(short, long, default_value_t = 8000)]
    pub port: u16,
    /// Address to listen on (only this machine by default)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Show drafts and scheduled content, marked as such
    #[arg(long)]
    pub drafts: bool,
    /// Open the portal in the default browser
    #[arg(long)]
    pub open: bool,
    /// Where answers posted to the preview are stored
    #[arg(long, value_name = "FILE", default_value = ".portico/preview.sqlite")]
    pub db: PathBuf,
}

/// Options that change what the site contains.
#[derive(Debug, Args, Clone, Default)]
pub struct SiteArgs {
    /// Include drafts and scheduled (future-dated) content
    #[arg(long)]
    pub drafts: bool,
    /// Override `base_url` from portico.toml
    #[arg(long, value_name = "URL", value_parser = base_url)]
    pub base_url: Option<String>,
}

/// `--base-url` is checked where it is given, so its error names the
/// option rather than the line of portico.toml it overrides.
fn base_url(s: &str) -> Result<String, String> {
    match crate::config::base_path_of(s) {
        Some(_) => Ok(s.to_owned()),
        None => Err(format!(
            "`{s}` is not an absolute http(s) URL (e.g. `https://intranet.example.com/it/`)"
        )),
    }
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site [default: ROOT/public]
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the new portal (created if missing; must not hold a portal already)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to create
    pub kind: NewKind,
    /// Its title; the file name is made from it
    pub title: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NewKind {
    Announcement,
    Service,
    Faq,
    Survey,
    Page,
}

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

impl Cli {
    pub fn verbosity(&self) -> Verbosity {
        if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }
}

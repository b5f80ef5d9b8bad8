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
}

/// Options that change what the site contains.
#[derive(Debug, Args, Clone, Default)]
pub struct SiteArgs {
    /// Include drafts and scheduled (future-dated) content
    #[arg(long)]
    pub drafts: bool,
    /// Override `base_url` from portico.toml
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
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

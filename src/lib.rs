//! Portico: a static-site generator for IT service portals.
//!
//! The data flows one way: `content` reads and parses files, `site` checks
//! and cross-links them into a `Site`, `render` turns the site into
//! `Output`s with the `theme`, and `output` writes them.

pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod date;
pub mod diagnostic;
pub mod digest;
pub mod feedback;
pub mod i18n;
pub mod markdown;
pub mod output;
pub mod render;
pub mod serve;
pub mod site;
pub mod theme;
pub mod timing;
pub mod translation;

use std::fmt;

/// A mistake in how Portico was called (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Runs one command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<()> {
    commands::run(cli)
}

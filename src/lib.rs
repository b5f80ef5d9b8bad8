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

/// `s` moved into an allocation of its own length, for text a build keeps
/// to its end (rendered Markdown, cards, search documents). A string grown
/// by doubling holds up to twice its length, and `shrink_to_fit` does not
/// reliably give that back: the allocator may keep a block in place when
/// it shrinks by less than half. At 50,000 announcements the difference is
/// about 90 MB of peak memory.
pub(crate) fn compact(s: String) -> String {
    if s.capacity() > s.len() {
        s.as_str().to_owned()
    } else {
        s
    }
}

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

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

/// "1 survey", "2 surveys", "0 surveys": a count with its noun, for
/// messages.
pub(crate) fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", noun(n, one, many))
}

/// The noun for a count of `n`: `one` for exactly one, else `many`.
pub(crate) fn noun<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
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

#[cfg(test)]
mod tests {
    #[test]
    fn one_of_a_kind_is_singular_and_none_is_plural() {
        assert_eq!(super::counted(1u64, "survey", "surveys"), "1 survey");
        assert_eq!(super::counted(0u64, "survey", "surveys"), "0 surveys");
        assert_eq!(super::noun(1, "response", "responses"), "response");
        assert_eq!(super::noun(4, "response", "responses"), "responses");
        assert_eq!(
            super::counted(2u64, "FAQ topic", "FAQ topics"),
            "2 FAQ topics"
        );
    }
}

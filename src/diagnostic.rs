//! Located errors in content, configuration and templates, and the collection
//! of all of them that one build reports at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one input file, at a line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// The text of the offending line, shown under the message.
    pub source_line: Option<String>,
    /// How wide the caret under the offending spot is.
    pub width: usize,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(path: impl AsRef<std::path::Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.as_ref().to_path_buf(),
            line: 1,
            col: 1,
            message: message.into(),
            source_line: None,
            width: 1,
            help: None,
        }
    }

    /// Places the diagnostic at `line`/`col` of `text` (the whole file).
    pub fn at(mut self, text: &str, line: usize, col: usize) -> Self {
        self.line = line.max(1);
        self.col = col.max(1);
        self.source_line = text.lines().nth(self.line - 1).map(str::to_owned);
        self
    }

    /// Places the diagnostic at a byte offset of `text` (the whole file).
    pub fn at_offset(self, text: &str, offset: usize, width: usize) -> Self {
        let (line, col) = line_col(text, offset);
        self.at(text, line, col).width(width)
    }

    pub fn width(mut self, width: usize) -> Self {
        self.width = width.max(1);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            display_path(&self.path),
            self.line,
            self.col,
            self.message
        )?;
        if let Some(source) = &self.source_line {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let source = source.replace('\t', " ");
            let prefix = " ".repeat(self.col - 1);
            let available = source.chars().count().saturating_sub(self.col - 1).max(1);
            let carets = "^".repeat(self.width.min(available));
            writeln!(f, "{pad} |")?;
            writeln!(f, "{number} | {source}")?;
            writeln!(f, "{pad} | {prefix}{carets}")?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Every content error of one run; returned as the error of a build that
/// must write nothing. `main` maps it to exit code 1.
#[derive(Debug, Default)]
pub struct ContentErrors(pub Vec<Diagnostic>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{} found; nothing was written",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for ContentErrors {}

/// "did you mean `x`?" for a misspelt name among the known ones.
pub fn suggest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("did you mean `{k}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, text.len()), (3, 2));
    }

    #[test]
    fn display_shows_line_and_caret() {
        let text = "+++\nlifecyle = \"live\"\n+++\n";
        let d = Diagnostic::new("content/services/vpn.md", "unknown field `lifecyle`")
            .at(text, 2, 1)
            .width(8)
            .help("did you mean `lifecycle`?");
        assert_eq!(
            d.to_string(),
            "content/services/vpn.md:2:1: error: unknown field `lifecyle`\n  |\n2 | lifecyle = \"live\"\n  | ^^^^^^^^\n  = help: did you mean `lifecycle`?\n"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            suggest("lifecyle", ["title", "lifecycle", "delivery"]).as_deref(),
            Some("did you mean `lifecycle`?")
        );
        assert_eq!(suggest("zzz", ["title", "lifecycle"]), None);
    }
}

//! Watching the project: which changed paths matter (a pure function), and
//! the debounce that turns a burst of events from one save into one rebuild.

use crate::content::is_ignored_name;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// What kind of input changed; a later rebuild can do less for some kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Content,
    /// Only stylesheets: open pages can refresh their styles in place.
    Style,
    Static,
    Templates,
    Words,
    Theme,
    Config,
}

/// Sorts one changed path: `None` for editors' swap and backup files,
/// hidden files and anything outside the portal's inputs.
pub fn classify(root: &Path, path: &Path) -> Option<Change> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let first = parts.next()?;
    let name = rel.file_name()?.to_string_lossy();
    if is_ignored_name(&name)
        || rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return None;
    }
    let stylesheet = name.ends_with(".css");
    match first.as_str() {
        "static" | "themes" if stylesheet => Some(Change::Style),
        "portico.toml" => Some(Change::Config),
        "content" => Some(Change::Content),
        "static" => Some(Change::Static),
        "templates" => Some(Change::Templates),
        "i18n" => Some(Change::Words),
        "themes" => Some(Change::Theme),
        _ => None,
    }
}

/// What changed in one burst of events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Each kind once, sorted.
    pub changes: Vec<Change>,
    /// The content paths that changed, relative to the root, sorted.
    pub content: Vec<PathBuf>,
}

/// Waits for the first change that matters, then for the events to stop
/// for `quiet` (at most `limit` in all), and returns every change seen.
/// `None` when the watcher is gone.
pub fn next_batch(
    events: &Receiver<Vec<PathBuf>>,
    root: &Path,
    quiet: Duration,
    limit: Duration,
) -> Option<Batch> {
    let mut batch = Batch::default();
    let take = |paths: Vec<PathBuf>, batch: &mut Batch| {
        for p in paths {
            if let Some(change) = classify(root, &p) {
                batch.changes.push(change);
                if change == Change::Content {
                    if let Ok(rel) = p.strip_prefix(root) {
                        batch.content.push(rel.to_path_buf());
                    }
                }
            }
        }
    };
    while batch.changes.is_empty() {
        let paths = events.recv().ok()?;
        take(paths, &mut batch);
    }
    let started = Instant::now();
    loop {
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        match events.recv_timeout(quiet.min(left)) {
            Ok(paths) => take(paths, &mut batch),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    batch.changes.sort();
    batch.changes.dedup();
    batch.content.sort();
    batch.content.dedup();
    Some(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn editor_files_and_outputs_are_ignored() {
        let root = Path::new("/p");
        let c = |p: &str| classify(root, Path::new(p));
        assert_eq!(c("/p/content/services/vpn.md"), Some(Change::Content));
        assert_eq!(c("/p/portico.toml"), Some(Change::Config));
        assert_eq!(c("/p/templates/page.html"), Some(Change::Templates));
        assert_eq!(c("/p/static/logo.png"), Some(Change::Static));
        assert_eq!(c("/p/static/extra.css"), Some(Change::Style));
        assert_eq!(
            c("/p/themes/default/static/assets/style.css"),
            Some(Change::Style)
        );
        assert_eq!(c("/p/i18n/nl.toml"), Some(Change::Words));
        for ignored in [
            "/p/content/services/.vpn.md.swp",
            "/p/content/services/vpn.md~",
            "/p/content/services/#vpn.md#",
            "/p/content/services/.#vpn.md",
            "/p/content/services/4913",
            "/p/content/x.tmp",
            "/p/public/index.html",
            "/p/target/debug/portico",
            "/p/.git/index",
            "/p/content/.hidden/x.md",
            "/elsewhere/x.md",
        ] {
            assert_eq!(c(ignored), None, "{ignored}");
        }
    }

    #[test]
    fn a_burst_of_events_is_one_batch() {
        let (tx, rx) = channel();
        let root = PathBuf::from("/p");
        tx.send(vec![root.join("content/a.md.swp")]).unwrap();
        tx.send(vec![root.join("content/a.md")]).unwrap();
        tx.send(vec![root.join("content/a.md"), root.join("4913")])
            .unwrap();
        tx.send(vec![root.join("templates/page.html")]).unwrap();
        let batch = next_batch(
            &rx,
            &root,
            Duration::from_millis(30),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(batch.changes, [Change::Content, Change::Templates]);
        assert_eq!(batch.content, [PathBuf::from("content/a.md")]);
        drop(tx);
        assert_eq!(
            next_batch(
                &rx,
                &root,
                Duration::from_millis(30),
                Duration::from_secs(1)
            ),
            None
        );
    }
}

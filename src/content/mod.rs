//! Loading content: walking `content/`, reading each file, and parsing it
//! purely into one of the portal's content types. Cross-file checks live in
//! `site.rs`.

pub mod announcement;
pub mod faq;
pub mod front_matter;
pub mod page;
pub mod service;
pub mod survey;

use crate::diagnostic::{suggest, Diagnostic};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::fmt;
use std::path::{Path, PathBuf};

pub use announcement::Announcement;
pub use faq::FaqTopic;
pub use page::{Home, Page};
pub use service::Service;
pub use survey::Survey;

/// One content file as read from disk.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path shown in errors, relative to the project root. This and
    /// the names below are shared: a rebuild copies every parsed item
    /// it reuses, and the link map holds each name.
    pub path: std::sync::Arc<Path>,
    /// The path under `content/` with `/` separators, as internal links name it
    /// (`services/vpn.nl.md` for a translation).
    pub rel: std::sync::Arc<str>,
    /// `rel` without the language: the same for a file and its translations.
    pub key: std::sync::Arc<str>,
    /// The language of a translation (`vpn.nl.md`); `None` for the default language.
    pub lang: Option<String>,
    /// Shared: the same text serves every language's copy of the item. A
    /// `String` inside, so the bytes read are kept where they were read to
    /// (an `Arc<str>` would copy every file once more).
    pub text: std::sync::Arc<String>,
    /// A hash of everything the item is made of (its file's name and text,
    /// and for a translation its default-language file's too; in a site
    /// kept for the preview, also where its links lead): pages that show
    /// it are rendered again only when a revision they show changes.
    pub rev: u64,
}

/// A file's first revision: its name (where it is published follows from
/// it) and its text, hashed with rustc-hash's hasher, which reads a file's
/// bytes several times faster than the standard SipHash (revisions are
/// compared within one process, never against an adversary).
fn file_rev(rel: &str, text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (rel, text).hash(&mut h);
    h.finish()
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, rel: impl Into<String>, text: impl Into<String>) -> Self {
        let rel: std::sync::Arc<str> = rel.into().into();
        let text: String = text.into();
        Source {
            path: path.into().into(),
            key: rel.clone(),
            lang: None,
            rev: file_rev(&rel, &text),
            rel,
            text: std::sync::Arc::new(text),
        }
    }

    /// A translation: `rel` names the file (`services/vpn.nl.md`).
    pub fn translation(
        path: impl Into<PathBuf>,
        rel: &str,
        lang: &str,
        text: impl Into<String>,
    ) -> Self {
        let key = match rel.strip_suffix(&format!(".{lang}.md")) {
            Some(stem) => format!("{stem}.md"),
            None => rel.to_owned(),
        };
        let text: String = text.into();
        Source {
            path: path.into().into(),
            rel: rel.into(),
            key: key.into(),
            lang: Some(lang.to_owned()),
            rev: file_rev(rel, &text),
            text: std::sync::Arc::new(text),
        }
    }

    pub fn split(&self) -> Result<front_matter::Split<'_>, Diagnostic> {
        front_matter::split(&self.path, &self.text)
    }

    /// The file name without the language and `.md`: the same for a file
    /// and its translations.
    pub fn stem(&self) -> &str {
        let name = self.key.rsplit('/').next().unwrap_or(&self.key);
        name.strip_suffix(".md").unwrap_or(name)
    }

    /// The Markdown body (after the front matter) and its byte offset.
    pub fn body(&self) -> (&str, usize) {
        match self.split() {
            Ok(s) => (s.body, s.body_offset),
            Err(_) => (&self.text, 0),
        }
    }
}

/// The folders of `content/` and what each holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Announcements,
    Services,
    Faq,
    Surveys,
    Pages,
}

pub const SECTIONS: [&str; 5] = ["announcements", "services", "faq", "surveys", "pages"];

impl Section {
    /// Which section a path under `content/` belongs to.
    pub fn of(rel: &str) -> Result<Section, String> {
        if rel == "_index.md" {
            return Ok(Section::Home);
        }
        let Some((first, _)) = rel.split_once('/') else {
            return Err(format!(
                "content files belong in a section folder ({}), or are `_index.md`",
                SECTIONS.join(", ")
            ));
        };
        match first {
            "announcements" => Ok(Section::Announcements),
            "services" => Ok(Section::Services),
            "faq" => Ok(Section::Faq),
            "surveys" => Ok(Section::Surveys),
            "pages" => Ok(Section::Pages),
            other => Err(format!(
                "unknown section folder `{other}`{}",
                suggest(other, SECTIONS)
                    .map(|s| format!("; {s}"))
                    .unwrap_or_else(|| format!(" (expected one of {})", SECTIONS.join(", ")))
            )),
        }
    }
}

/// Editors' swap, backup and lock files, and hidden files: never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// The language a file name declares: `vpn.nl.md` → `nl` when `nl` is one
/// of `translations`; an unknown code that looks like one is an error.
pub fn language_of(rel: &str, translations: &[String]) -> Result<Option<String>, String> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let Some(stem) = name.strip_suffix(".md") else {
        return Ok(None);
    };
    let Some((_, suffix)) = stem.rsplit_once('.') else {
        return Ok(None);
    };
    if translations.iter().any(|l| l == suffix) {
        return Ok(Some(suffix.to_owned()));
    }
    let looks_like_language = (2..=3).contains(&suffix.len())
        && suffix.chars().all(|c| c.is_ascii_lowercase())
        || suffix.len() == 5 && suffix.as_bytes()[2] == b'-';
    if looks_like_language {
        Err(format!(
            "`{suffix}` in the file name is not one of the site's languages{}",
            if translations.is_empty() {
                " (portico.toml declares no `languages`)".to_owned()
            } else {
                format!(" ({})", translations.join(", "))
            }
        ))
    } else {
        Ok(None)
    }
}

/// Reads every Markdown file under `content_dir`, sorted by path. Unreadable
/// files and folders are reported, not skipped. `translations` are the
/// language codes besides the default one.
pub fn read_sources(
    root: &Path,
    content_dir: &Path,
    translations: &[String],
) -> (Vec<Source>, Vec<Diagnostic>) {
    read_sources_cached(root, content_dir, translations, None)
}

/// A file's modification time and size.
type Stamp = (std::time::SystemTime, u64);

/// Files read earlier, by path (in the order a walk visits them), with the
/// modification time and size they had: a file that still has both is not
/// read again. A watcher may say which paths changed since (`changed`):
/// then only those are looked at, instead of every file.
#[derive(Default)]
pub struct ReadCache {
    files:
        std::sync::Mutex<std::collections::BTreeMap<PathBuf, (std::time::SystemTime, u64, Source)>>,
    /// Paths relative to the project root that changed since the last read;
    /// `None` when nobody knows (look at everything).
    changed: std::sync::Mutex<Option<Vec<PathBuf>>>,
    /// Whether the last read found every file readable (else it is done
    /// again in full, to report the unreadable ones).
    clean: std::sync::atomic::AtomicBool,
}

impl ReadCache {
    /// Notes paths (relative to the project root) a watcher saw change.
    pub fn changed(&self, paths: &[PathBuf]) {
        self.changed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(Vec::new)
            .extend_from_slice(paths);
    }
}

/// Reads one content file into a `Source`, with the stamp it had before.
fn read_one(
    root: &Path,
    content_dir: &Path,
    translations: &[String],
    path: &Path,
) -> Result<(Source, Option<Stamp>), Diagnostic> {
    let rel = path
        .strip_prefix(content_dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    // The stamp from the open file: one lookup of the path, not two.
    let mut stamp = None;
    let bytes = std::fs::File::open(path)
        .and_then(|mut file| {
            use std::io::Read;
            let meta = file.metadata()?;
            stamp = meta.modified().ok().map(|m| (m, meta.len()));
            // Not `File::read_to_end`, which asks the file's size and
            // position again (two more system calls per file): one read
            // into room for the whole file and a byte more, one to see the
            // end. A file grown since is still read whole.
            let mut bytes = vec![0u8; meta.len() as usize + 1];
            let mut filled = 0;
            loop {
                match file.read(&mut bytes[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
                if filled == bytes.len() {
                    bytes.resize(filled * 2, 0);
                }
            }
            bytes.truncate(filled);
            Ok(bytes)
        })
        .map_err(|e| Diagnostic::new(shown(root, path), format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        Diagnostic::new(shown(root, path), "file is not valid UTF-8").at_offset(
            &text,
            e.utf8_error().valid_up_to(),
            1,
        )
    })?;
    let source = match language_of(&rel, translations) {
        Ok(None) => Source::new(shown(root, path), rel, text),
        Ok(Some(lang)) => Source::translation(shown(root, path), &rel, &lang, text),
        Err(message) => {
            return Err(Diagnostic::new(shown(root, path), message)
                .help("add the language to `languages` in portico.toml, or rename the file"))
        }
    };
    Ok((source, stamp))
}

/// The files after a watcher's `changed` paths: `None` when that is not
/// enough to know (no earlier read, a folder changed, a file cannot be
/// read), and everything must be walked.
fn read_changed(
    root: &Path,
    content_dir: &Path,
    translations: &[String],
    cache: &ReadCache,
    changed: &[PathBuf],
) -> Option<Vec<Source>> {
    use std::sync::atomic::Ordering;
    if !cache.clean.load(Ordering::Relaxed) {
        return None;
    }
    let mut files = cache.files.lock().unwrap_or_else(|e| e.into_inner());
    if files.is_empty() {
        return None;
    }
    for rel in changed {
        let path = root.join(rel);
        let Ok(inside) = path.strip_prefix(content_dir) else {
            continue;
        };
        let ignored = inside
            .components()
            .any(|c| is_ignored_name(&c.as_os_str().to_string_lossy()));
        if ignored {
            continue;
        }
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => return None,
            Ok(_) if path.extension().is_some_and(|x| x == "md") => {
                match read_one(root, content_dir, translations, &path) {
                    Ok((source, Some((modified, len)))) => {
                        files.insert(path, (modified, len, source));
                    }
                    _ => return None,
                }
            }
            Ok(_) => {}
            // Gone: the file, or a folder with everything under it.
            Err(_) => {
                let gone: Vec<PathBuf> = files
                    .range(path.clone()..)
                    .map(|(p, _)| p)
                    .take_while(|p| p.starts_with(&path))
                    .cloned()
                    .collect();
                for p in gone {
                    files.remove(&p);
                }
            }
        }
    }
    Some(files.values().map(|(_, _, s)| s.clone()).collect())
}

/// `read_sources`, taking unchanged files from `cache` (and refreshing it).
pub fn read_sources_cached(
    root: &Path,
    content_dir: &Path,
    translations: &[String],
    cache: Option<&ReadCache>,
) -> (Vec<Source>, Vec<Diagnostic>) {
    if let Some(cache) = cache {
        let changed = cache
            .changed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(changed) = changed {
            if let Some(sources) = read_changed(root, content_dir, translations, cache, &changed) {
                return (sources, Vec::new());
            }
        }
    }
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    if !content_dir.is_dir() {
        return (sources, errors);
    }
    let walker = walkdir::WalkDir::new(content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    let mut paths = Vec::new();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if e.path().extension().is_some_and(|x| x == "md") {
                    paths.push(e.into_path());
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_default();
                errors.push(Diagnostic::new(
                    shown(root, &path),
                    format!("cannot read: {e}"),
                ));
            }
        }
    }
    use rayon::prelude::*;
    // Looked up without a lock while reading; refreshed afterwards.
    let previous =
        cache.map(|c| std::mem::take(&mut *c.files.lock().unwrap_or_else(|e| e.into_inner())));
    let read: Vec<Result<(Source, Option<Stamp>), Diagnostic>> = paths
        .par_iter()
        .map(|path| {
            if let Some(previous) = &previous {
                let stamp = std::fs::metadata(path)
                    .ok()
                    .and_then(|m| Some((m.modified().ok()?, m.len())));
                if let (Some((m, l, source)), Some((modified, len))) = (previous.get(path), stamp) {
                    if *m == modified && *l == len {
                        return Ok((source.clone(), stamp));
                    }
                }
            }
            read_one(root, content_dir, translations, path)
        })
        .collect();
    if let Some(cache) = cache {
        // Files now present, with their stamps; the gone ones are forgotten.
        // The stamp taken before reading: a write after it leaves a newer stamp,
        // so the next load reads the file again.
        let fresh = paths
            .iter()
            .zip(&read)
            .filter_map(|(path, r)| {
                let (source, stamp) = r.as_ref().ok()?;
                let (modified, len) = (*stamp)?;
                Some((path.clone(), (modified, len, source.clone())))
            })
            .collect();
        *cache.files.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
        let clean = errors.is_empty() && read.iter().all(|r| matches!(r, Ok((_, Some(_)))));
        cache
            .clean
            .store(clean, std::sync::atomic::Ordering::Relaxed);
    }
    for r in read {
        match r {
            Ok((s, _)) => sources.push(s),
            Err(d) => errors.push(d),
        }
    }
    (sources, errors)
}

/// A path relative to the project root, for messages.
pub fn shown(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// An id that other content references: lowercase letters, digits, `-`, `_`.
/// The slug of a file name, tag or audience: `slug::slugify`'s, or, for a
/// name with no letters or digits in it, `x` and the name's bytes in hex, so
/// that no two names share an empty slug.
pub fn slug_of(name: &str) -> String {
    let slug = slug::slugify(name);
    if slug.is_empty() {
        let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
        format!("x{hex}")
    } else {
        slug
    }
}

pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !id.starts_with(['-', '_'])
}

/// Accepts `"a"` as well as `["a", "b"]` for list fields.
pub fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct OneOrMany;
    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
            Ok(vec![v.to_owned()])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_any(OneOrMany)
}

/// Declares a closed set of values written in front matter, with the
/// spelling authors use and the label readers see.
macro_rules! content_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The value as written in front matter, also used in URLs and CSS classes.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The label readers see.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            /// The value for its front matter text.
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}
pub(crate) use content_enum;

/// A link listed in front matter (`[[links]]` with `title` and `url`).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_recognised() {
        assert_eq!(Section::of("_index.md"), Ok(Section::Home));
        assert_eq!(Section::of("services/vpn.md"), Ok(Section::Services));
        assert_eq!(Section::of("faq/x/y.md"), Ok(Section::Faq));
        assert!(Section::of("servics/vpn.md")
            .unwrap_err()
            .contains("did you mean `services`?"));
        assert!(Section::of("loose.md").is_err());
    }

    #[test]
    fn ignored_names() {
        for n in [
            ".vpn.md.swp",
            "vpn.md~",
            "#vpn.md#",
            ".#vpn.md",
            "4913",
            "x.tmp",
        ] {
            assert!(is_ignored_name(n), "{n}");
        }
        assert!(!is_ignored_name("vpn.md"));
    }

    #[test]
    fn languages_in_file_names() {
        let langs = vec!["nl".to_owned(), "de".to_owned()];
        assert_eq!(
            language_of("services/vpn.nl.md", &langs),
            Ok(Some("nl".into()))
        );
        assert_eq!(language_of("services/vpn.md", &langs), Ok(None));
        assert_eq!(language_of("pages/release-2.0.md", &langs), Ok(None));
        assert!(language_of("services/vpn.fr.md", &langs)
            .unwrap_err()
            .contains("`fr`"));
        let t = Source::translation("content/services/vpn.nl.md", "services/vpn.nl.md", "nl", "");
        assert_eq!((&*t.key, t.stem()), ("services/vpn.md", "vpn"));
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("cloud-storage"));
        assert!(is_valid_id("vpn_2"));
        assert!(!is_valid_id("Cloud Storage"));
        assert!(!is_valid_id("../x"));
        assert!(!is_valid_id(""));
    }

    /// After each kind of change, reading only the changed paths gives
    /// what reading everything gives.
    #[test]
    fn reading_the_changed_paths_equals_reading_everything() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let content = root.join("content");
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("content/services/a.md", "+++\ntitle = \"A\"\n+++\n");
        write("content/services/b.md", "+++\ntitle = \"B\"\n+++\n");
        write("content/faq/x/q.md", "+++\ntitle = \"Q\"\n+++\n");
        let langs = vec!["nl".to_owned()];
        let cache = ReadCache::default();
        let listing = |sources: &[Source]| -> Vec<(String, String)> {
            sources
                .iter()
                .map(|s| (s.rel.to_string(), s.text.to_string()))
                .collect()
        };
        let full = || listing(&read_sources_cached(root, &content, &langs, None).0);
        assert_eq!(
            listing(&read_sources_cached(root, &content, &langs, Some(&cache)).0),
            full()
        );
        type Step<'a> = (Vec<&'a str>, Box<dyn Fn() + 'a>);
        let steps: Vec<Step> = vec![
            (
                vec!["content/services/a.md"],
                Box::new(|| write("content/services/a.md", "+++\ntitle = \"A2\"\n+++\n")),
            ),
            (
                vec!["content/services/c.nl.md"],
                Box::new(|| write("content/services/c.nl.md", "+++\ntitle = \"C\"\n+++\n")),
            ),
            (
                vec!["content/services/b.md"],
                Box::new(|| std::fs::remove_file(root.join("content/services/b.md")).unwrap()),
            ),
            (
                vec!["content/faq/x"],
                Box::new(|| std::fs::remove_dir_all(root.join("content/faq/x")).unwrap()),
            ),
            (
                vec!["content/services/.a.md.swp"],
                Box::new(|| write("content/services/.a.md.swp", "junk")),
            ),
            (
                vec!["content/faq/y"],
                Box::new(|| write("content/faq/y/r.md", "+++\ntitle = \"R\"\n+++\n")),
            ),
        ];
        for (paths, change) in steps {
            change();
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            cache.changed(&paths);
            let got = listing(&read_sources_cached(root, &content, &langs, Some(&cache)).0);
            assert_eq!(got, full(), "after a change to {paths:?}");
        }
    }
}

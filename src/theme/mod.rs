//! Themes: tera templates and assets, from `themes/NAME/` in the project or
//! the default theme embedded in the binary, with the project's `templates/`
//! overriding theme templates file by file.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use include_dir::{include_dir, Dir};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

mod fold;

static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

pub struct Theme {
    pub tera: tera::Tera,
    /// The theme's words in every language it or the project has.
    pub i18n: crate::i18n::Translations,
    /// Files copied to the output as they are, by site path.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// The templates' sources by name, for `folded`.
    sources: Vec<(String, String)>,
    /// Whether the templates may be folded at all (see `fold`).
    foldable: bool,
    /// Whether some template shows `site.now`, the moment of the build:
    /// then every page may change with the clock, and the preview renders
    /// every page again each minute (else only those whose announcements
    /// and surveys changed state).
    pub shows_clock: bool,
    /// Folded templates, by the hash of the values folded in.
    folded: Mutex<HashMap<u64, Option<Arc<tera::Tera>>>>,
}

/// Whether a template's source may show `site.now` (written any way tera
/// reads it; a word `now` after `site` at all counts, to be safe).
fn shows_clock(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    ["site.now", "site[\"now\"]", "site['now']", "site[`now`]"]
        .iter()
        .any(|p| compact.contains(p))
}

/// A file as (path relative to its folder, bytes).
type FileEntry = (String, Vec<u8>);

/// Every file under `dir` (recursively) as (path relative to `dir`, bytes).
fn read_tree(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Diagnostic::new(dir, format!("cannot read: {e}")))?;
        if !entry.file_type().is_file()
            || crate::content::is_ignored_name(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(entry.path())
            .map_err(|e| Diagnostic::new(entry.path(), format!("cannot read: {e}")))?;
        out.push((rel, bytes));
    }
    Ok(out)
}

fn embedded_tree(dir: &Dir, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for f in d.files() {
            let path = f.path().to_string_lossy().replace('\\', "/");
            if let Some(rel) = path.strip_prefix(prefix) {
                out.push((rel.to_owned(), f.contents().to_vec()));
            }
        }
        stack.extend(d.dirs());
    }
    out.sort();
    out
}

/// The default theme's files, for `portico init` and tests.
pub fn default_theme_files() -> Vec<(String, Vec<u8>)> {
    embedded_tree(&DEFAULT_THEME, "")
}

impl Theme {
    pub fn load(config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let name = &config.file.theme;
        let on_disk = config.root.join("themes").join(name);
        let (templates, assets) = if on_disk.is_dir() {
            let t = read_tree(&on_disk.join("templates")).map_err(|d| vec![d])?;
            let a = read_tree(&on_disk.join("static")).map_err(|d| vec![d])?;
            (t, a)
        } else if name == "default" {
            (
                embedded_tree(&DEFAULT_THEME, "templates/"),
                embedded_tree(&DEFAULT_THEME, "static/"),
            )
        } else {
            return Err(vec![Diagnostic::new(
                crate::config::CONFIG_FILE,
                format!("theme `{name}` not found: no folder themes/{name}/"),
            )
            .help("use `theme = \"default\"` or add the theme's folder")]);
        };

        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        let theme_dir = format!("themes/{name}/templates");
        for (rel, bytes) in templates {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            sources.insert(rel.clone(), (format!("{theme_dir}/{rel}"), text));
        }
        for (rel, bytes) in read_tree(&config.root.join("templates")).map_err(|d| vec![d])? {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            sources.insert(rel.clone(), (format!("templates/{rel}"), text));
        }

        let mut tera = new_tera();
        let raw: Vec<(&str, &str)> = sources
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            if let tera::ErrorKind::SyntaxError(report) = e.kind() {
                if let Some((shown, text)) = sources.get(report.filename()) {
                    let span = report.span();
                    let width = if span.end_line == span.start_line {
                        span.end_col.saturating_sub(span.start_col)
                    } else {
                        1
                    };
                    return Err(vec![Diagnostic::new(
                        shown.clone(),
                        format!("template syntax error: {}", report.message()),
                    )
                    .at(text, span.start_line, span.start_col + 1)
                    .width(width)]);
                }
            }
            return Err(vec![Diagnostic::new(
                theme_dir.clone(),
                format!("template error: {}", error_chain(&e)),
            )]);
        }

        let mut files: BTreeMap<String, Vec<u8>> = assets.into_iter().collect();
        for (rel, bytes) in read_tree(&config.root.join("static")).map_err(|d| vec![d])? {
            files.insert(rel, bytes);
        }
        let i18n = load_i18n(config, on_disk.is_dir().then_some(on_disk.as_path()))?;
        let sources: Vec<(String, String)> = sources
            .into_iter()
            .map(|(name, (_, text))| (name, text))
            .collect();
        Ok(Theme {
            tera,
            i18n,
            assets: files,
            foldable: fold::foldable(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))),
            shows_clock: sources.iter().any(|(_, text)| shows_clock(text)),
            sources,
            folded: Mutex::default(),
        })
    }

    /// The theme, never folded (to compare pages with the folded ones').
    #[cfg(test)]
    pub(crate) fn without_folding(mut self) -> Theme {
        self.foldable = false;
        self
    }

    /// The templates with the text values of `site` and `tr` (as pages see
    /// them) written in where they are printed as they are, and the loops
    /// over the site's lists of text written out (see `fold`), or
    /// `None` when the theme binds those names itself or nothing would be
    /// folded. Compiled once per set of values and kept.
    pub fn folded(
        &self,
        site: &impl serde::Serialize,
        tr: &impl serde::Serialize,
    ) -> Option<Arc<tera::Tera>> {
        if !self.foldable {
            return None;
        }
        let site = tera::Value::from_serializable(site);
        let tr = tera::Value::from_serializable(tr);
        let mut values: HashMap<(&str, &str), &str> = HashMap::new();
        for (name, map) in [("site", &site), ("tr", &tr)] {
            for (key, value) in map.as_map().into_iter().flatten() {
                // The moment of the build changes with every build unless
                // fixed: not worth a new set of templates each time.
                if let (Some(key), Some(text), false) =
                    (key.as_str(), value.as_str(), value.is_safe())
                {
                    if !(name == "site" && key == "now") {
                        values.insert((name, key), text);
                    }
                }
            }
        }
        // The site's lists of tables of text (the navigation), for the
        // loops over them to be written out.
        let mut lists: fold::Lists = HashMap::new();
        for (key, value) in site.as_map().into_iter().flatten() {
            let (Some(key), Some(items)) = (key.as_str(), value.as_array()) else {
                continue;
            };
            let items: Option<Vec<_>> = items
                .iter()
                .map(|item| {
                    let fields = item.as_map()?.iter().filter_map(|(k, v)| {
                        Some((k.as_str()?, v.as_str().filter(|_| !v.is_safe())?))
                    });
                    Some(fields.collect::<HashMap<_, _>>())
                })
                .collect();
            if let Some(items) = items {
                lists.insert(key, items);
            }
        }
        let key = {
            use std::hash::{Hash, Hasher};
            let mut sorted: Vec<_> = values.iter().collect();
            sorted.sort();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            sorted.hash(&mut h);
            let mut lists: Vec<_> = lists.iter().collect();
            lists.sort_by_key(|(k, _)| **k);
            for (k, items) in lists {
                k.hash(&mut h);
                for item in items {
                    let mut fields: Vec<_> = item.iter().collect();
                    fields.sort();
                    fields.hash(&mut h);
                }
            }
            h.finish()
        };
        let mut kept = self.folded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = kept.get(&key) {
            return t.clone();
        }
        let _t = crate::timing::phase("fold templates");
        let mut count = 0;
        let folded: Vec<(&str, String)> = self
            .sources
            .iter()
            .map(|(name, text)| {
                if !fold::escaped(name) {
                    return (name.as_str(), text.clone());
                }
                let (text, n) = fold::fold(text, &values, &lists);
                count += n;
                (name.as_str(), text)
            })
            .collect();
        let mut tera = new_tera();
        // The theme's own templates compiled; these differ only in text, so
        // they compile too, but should they not, the theme's are used.
        let made = (count > 0 && tera.add_raw_templates(folded).is_ok()).then(|| Arc::new(tera));
        // A live preview may see many sites' values over its life: only the
        // last few are kept.
        if kept.len() >= 16 {
            kept.clear();
        }
        kept.insert(key, made.clone());
        made
    }
}

/// A tera instance set up as every theme's is.
fn new_tera() -> tera::Tera {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(write_escaped_html);
    tera.register_filter("safe", safe);
    tera
}

/// tera's `safe` filter, without its copy of the text: a string is
/// marked safe as it is (every page's body and every card in a list pass
/// through `safe`); anything else becomes safe text as tera's filter makes
/// it.
fn safe(value: &tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    if value.as_str().is_some() {
        value.clone().mark_safe()
    } else {
        tera::Value::safe_string(&value.to_string())
    }
}

/// The words of every language: the built-in theme's, then a theme
/// folder's, then the project's `i18n/LANG.toml`, each overriding the last.
fn load_i18n(
    config: &Config,
    theme_dir: Option<&Path>,
) -> Result<crate::i18n::Translations, Vec<Diagnostic>> {
    let parse = |shown: String, bytes: &[u8]| -> Result<toml::Table, Diagnostic> {
        let text = String::from_utf8_lossy(bytes);
        crate::content::front_matter::parse_toml_file(Path::new(&shown), &text)
    };
    let code_of = |rel: &str| rel.strip_suffix(".toml").map(str::to_owned);
    let mut theme: BTreeMap<String, toml::Table> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut layers: Vec<(String, Vec<FileEntry>)> = vec![(
        "themes/default/i18n".into(),
        embedded_tree(&DEFAULT_THEME, "i18n/"),
    )];
    if let Some(dir) = theme_dir {
        let shown = format!("themes/{}/i18n", config.file.theme);
        layers.push((shown, read_tree(&dir.join("i18n")).map_err(|d| vec![d])?));
    }
    for (shown, files) in layers {
        for (rel, bytes) in files {
            let Some(code) = code_of(&rel) else { continue };
            match parse(format!("{shown}/{rel}"), &bytes) {
                Ok(table) => theme.entry(code).or_default().extend(table),
                Err(d) => errors.push(d),
            }
        }
    }
    let mut project: BTreeMap<String, toml::Table> = BTreeMap::new();
    for (rel, bytes) in read_tree(&config.root.join("i18n")).map_err(|d| vec![d])? {
        let Some(code) = code_of(&rel) else { continue };
        match parse(format!("i18n/{rel}"), &bytes) {
            Ok(table) => {
                project.insert(code, table);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(crate::i18n::Translations::new(&theme, &project))
    } else {
        Err(errors)
    }
}

/// Escapes text for HTML content and quoted attributes. Unlike tera's
/// default it leaves `/` alone, so URLs stay readable in the output.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `escape_html` as tera's escape function: the runs between the five
/// special characters are written as they are, nothing is allocated. Runs
/// are looked through eight bytes at a time (every text on every page
/// passes here).
fn write_escaped_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes[i..].first_chunk::<8>() {
            let special = special_bytes(u64::from_le_bytes(*chunk));
            if special == 0 {
                i += 8;
                continue;
            }
            // The first special byte of the eight.
            i += (special.trailing_zeros() / 8) as usize;
        }
        let entity: &[u8] = match bytes[i] {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        i += 1;
        start = i;
    }
    out.write_all(&bytes[start..])
}

/// The high bit set in each of the eight bytes of `v` that `escape_html`
/// replaces, and in no other.
#[inline]
fn special_bytes(v: u64) -> u64 {
    const fn each(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    const LOW: u64 = each(0x7f);
    // The high bit of each byte of `t` that is zero: a byte's low seven
    // bits plus 0x7f reach its high bit exactly when they are not all
    // zero, and never carry into the next byte.
    let zero = |t: u64| !((t & LOW).wrapping_add(LOW) | t | LOW);
    zero(v ^ each(b'&'))
        | zero(v ^ each(b'<'))
        | zero(v ^ each(b'>'))
        | zero(v ^ each(b'"'))
        | zero(v ^ each(b'\''))
}

/// A tera error with its causes, on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_that_show_the_moment_of_the_build_are_found() {
        for shows in [
            "<footer>Built {{ site.now }}</footer>",
            "{{ site . now | date }}",
            "{% if x %}{{ site[\"now\"] }}{% endif %}",
            "{{ site['now'] }}",
        ] {
            assert!(shows_clock(shows), "{shows}");
        }
        for not in [
            "{{ site.fixed_now }}",
            "{{ site.year }} {{ now }}",
            "Known {{ site.title }}",
        ] {
            assert!(!shows_clock(not), "{not}");
        }
        // The default theme does not: its pages change with the clock only
        // where an announcement or survey changes state.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = crate::config::Config::load(root, &Default::default()).unwrap();
        assert!(!Theme::load(&config).map_err(|_| ()).unwrap().shows_clock);
    }

    #[test]
    fn the_escape_function_writes_what_escape_html_returns() {
        for text in ["", "plain", "a & b < c > d \" e ' f", "&&", "é<ü>", "/x/"] {
            let mut out = Vec::new();
            write_escaped_html(text, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                escape_html(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_safe_filter_writes_what_teras_own_writes() {
        let source = "{{ text | safe }}|{{ text }}|{{ n | safe }}|{{ list | safe }}|\
                      {{ map | safe }}|{{ none | safe }}|{{ text | safe | upper }}";
        let render = |mut tera: tera::Tera| {
            tera.add_raw_template("t.html", source).unwrap();
            let mut ctx = tera::Context::new();
            ctx.insert("text", "<b>\"Tom\" & 'Jerry'</b>, long enough to be shared");
            ctx.insert("n", &4.5);
            ctx.insert("list", &["<i>", "x"]);
            ctx.insert("map", &std::collections::BTreeMap::from([("k", "<v>")]));
            ctx.insert("none", &None::<String>);
            tera.render("t.html", &ctx).unwrap()
        };
        let mut theirs = tera::Tera::default();
        theirs.autoescape_on(vec![".html", ".xml"]);
        theirs.set_escape_fn(write_escaped_html);
        let ours = render(new_tera());
        assert_eq!(ours, render(theirs));
        assert!(ours.starts_with("<b>\"Tom\" & 'Jerry'</b>, long enough to be shared|&lt;b&gt;"));
    }

    /// The default theme's navigation loop is one that folding writes out
    /// (the demo's pages are compared with and without folding in
    /// `render`'s tests).
    #[test]
    fn the_default_themes_navigation_is_written_out() {
        let base = DEFAULT_THEME
            .get_file("templates/base.html")
            .and_then(|f| f.contents_utf8())
            .expect("the default theme has base.html");
        assert!(base.contains("in site.nav %}"));
        let item =
            |url, section| HashMap::from([("title", "T"), ("url", url), ("section", section)]);
        let lists = HashMap::from([("nav", vec![item("/s/", "services"), item("/f/", "faq")])]);
        let (folded, _) = fold::fold(base, &HashMap::new(), &lists);
        assert!(!folded.contains("site.nav"), "{folded}");
        assert!(folded.contains(r#"<a href="/s/"{% if "services" == page.section %}"#));
        assert!(folded.contains(r#"<a href="/f/"{% if "faq" == page.section %}"#));
    }

    proptest::proptest! {
        /// Texts of any length with the special characters anywhere in
        /// them, next to each other and to non-ASCII ones.
        #[test]
        fn the_escape_function_writes_what_escape_html_returns_for_any_text(
            text in "[a&<>\"'é\u{80}\u{ff}\u{a6}\u{3c}\u{bc} /]{0,40}",
        ) {
            let mut out = Vec::new();
            write_escaped_html(&text, &mut out).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), escape_html(&text));
        }
    }
}

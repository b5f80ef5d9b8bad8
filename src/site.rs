//! The checked, cross-linked model of a portal: every published content item,
//! sorted, with its Markdown rendered and its references resolved. A load of
//! the same input is the same `Site`.

use crate::config::Config;
use crate::content::{self, Announcement, FaqTopic, Home, Page, Section, Service, Source, Survey};
use crate::diagnostic::{suggest, ContentErrors, Diagnostic};
use crate::markdown::{self, LinkTarget, LinkTargets, RenderContext, Rendered};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// Site paths (relative to the base path) of every kind of page.
pub mod paths {
    use std::borrow::Cow;

    /// A slug or id as one folder name that every file system and web
    /// server takes: names Windows reserves (`con`, `nul`, `com1`, ...) get
    /// a `-` (slugs never end with one), and an empty slug (a name with no
    /// letters or digits) becomes its bytes in hex. Anything else that is not
    /// a plain name (a separator, `..`) is replaced by its hex too: ids and
    /// slugs are checked before they get here, so that is only a last guard.
    pub fn segment(s: &str) -> Cow<'_, str> {
        const RESERVED_BY_WINDOWS: &[&str] = &["con", "prn", "aux", "nul"];
        let plain = !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            && !s.starts_with('-');
        if !plain {
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            return Cow::Owned(format!("x{hex}"));
        }
        let lower = s.to_ascii_lowercase();
        let numbered = (lower.starts_with("com") || lower.starts_with("lpt"))
            && lower.len() == 4
            && lower.as_bytes()[3].is_ascii_digit();
        if RESERVED_BY_WINDOWS.contains(&lower.as_str()) || numbered {
            Cow::Owned(format!("{s}-"))
        } else {
            Cow::Borrowed(s)
        }
    }

    pub fn service(id: &str) -> String {
        format!("services/{}/", segment(id))
    }
    pub fn announcement(slug: &str) -> String {
        format!("announcements/{}/", segment(slug))
    }
    pub fn faq_topic(slug: &str) -> String {
        format!("faq/{}/", segment(slug))
    }
    pub fn survey(id: &str) -> String {
        format!("surveys/{}/", segment(id))
    }
    /// Where a survey thanks the one who answered.
    pub fn survey_thanks(id: &str) -> String {
        format!("{}thanks/", survey(id))
    }
    pub fn page(slug: &str) -> String {
        format!("{}/", segment(slug))
    }
    pub fn tag(slug: &str) -> String {
        format!("tags/{}/", segment(slug))
    }
    pub fn kind(kind: &str) -> String {
        format!("announcements/kind/{kind}/")
    }
    /// Page `n` (1-based) of a paginated list at `base`.
    pub fn paginated(base: &str, n: usize) -> String {
        if n <= 1 {
            base.to_owned()
        } else {
            format!("{base}page/{n}/")
        }
    }
    /// Free pages may not take these first path segments.
    pub const RESERVED: &[&str] = &[
        "announcements",
        "services",
        "faq",
        "surveys",
        "tags",
        "assets",
        "api",
        "search",
        "subscribe",
        "feeds",
        "404",
        "page",
    ];
}

/// What links to a service, for its page.
#[derive(Debug, Clone, Default)]
pub struct Related {
    pub announcements: Vec<usize>,
    pub faq_topics: Vec<usize>,
    pub surveys: Vec<usize>,
    /// Services this one replaces (from either side's front matter).
    pub replaces: Vec<usize>,
    pub replaced_by: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Tag {
    pub name: String,
    pub slug: String,
    pub announcements: Vec<usize>,
    pub services: Vec<usize>,
    pub faq_topics: Vec<usize>,
}

#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub home: Option<Home>,
    /// By category, weight, title.
    pub services: Vec<Service>,
    /// Newest first.
    pub announcements: Vec<Announcement>,
    pub faq_topics: Vec<FaqTopic>,
    pub surveys: Vec<Survey>,
    pub pages: Vec<Page>,
    pub service_index: rustc_hash::FxHashMap<String, usize>,
    /// Parallel to `services`.
    pub related: Vec<Related>,
    /// By slug.
    pub tags: BTreeMap<String, Tag>,
    /// The audiences announcements name ("all" included), as (slug, name),
    /// by name.
    pub audiences: Vec<(String, String)>,
    /// Services that exist only in other languages, by id.
    pub foreign_services: HashMap<String, ForeignService>,
    /// A hash of what every page depends on (the menu, the year, a `now`
    /// fixed in portico.toml, the language, drafts shown or not): with the
    /// items' `rev`s it tells which pages of an earlier render can be
    /// reused.
    pub fingerprint: u64,
    /// A hash of every file's URL and whether it is published: what lists
    /// of every page (the sitemap, the receiver's manifest) follow from.
    pub urls: u64,
}

#[derive(Clone)]
pub enum ParsedItem {
    Home(Home),
    // Boxed: a service is twice the size of any other item, and the
    // thousands of announcements move between lists as parsed items.
    Service(Box<Service>),
    Announcement(Announcement),
    Faq(FaqTopic),
    Survey(Survey),
    Page(Page),
}

impl ParsedItem {
    pub fn source(&self) -> &Source {
        match self {
            ParsedItem::Home(x) => &x.source,
            ParsedItem::Service(x) => &x.source,
            ParsedItem::Announcement(x) => &x.source,
            ParsedItem::Faq(x) => &x.source,
            ParsedItem::Survey(x) => &x.source,
            ParsedItem::Page(x) => &x.source,
        }
    }

    fn source_mut(&mut self) -> &mut Source {
        match self {
            ParsedItem::Home(x) => &mut x.source,
            ParsedItem::Service(x) => &mut x.source,
            ParsedItem::Announcement(x) => &mut x.source,
            ParsedItem::Faq(x) => &mut x.source,
            ParsedItem::Survey(x) => &mut x.source,
            ParsedItem::Page(x) => &mut x.source,
        }
    }

    /// The site path of its page, and whether this build publishes it.
    fn page(&self, config: &Config) -> (String, bool) {
        let shown = |draft: bool| config.drafts || !draft;
        match self {
            ParsedItem::Home(_) => (String::new(), true),
            ParsedItem::Service(s) => (paths::service(&s.id), shown(s.front.draft)),
            ParsedItem::Announcement(a) => (
                paths::announcement(&a.slug),
                shown(a.front.draft || a.is_scheduled(config.now)),
            ),
            ParsedItem::Faq(f) => (paths::faq_topic(&f.slug), shown(f.front.draft)),
            ParsedItem::Survey(s) => (paths::survey(&s.id), shown(s.front.draft)),
            ParsedItem::Page(p) => (paths::page(&p.slug), shown(p.front.draft)),
        }
    }
}

/// A file that did not parse: other files' references to it are not
/// reported again as missing.
struct Failed {
    rel: Name,
    key: Name,
    service_id: Option<String>,
    errors: Vec<Diagnostic>,
}

fn parse_source(
    source: Source,
    tz: &jiff::tz::TimeZone,
    base: Option<&serde_json::Value>,
) -> Result<ParsedItem, Failed> {
    let (rel, key) = (source.rel.clone(), source.key.clone());
    let fail = |errors: Vec<Diagnostic>, service_id: Option<String>| Failed {
        rel: rel.clone(),
        key: key.clone(),
        service_id,
        errors,
    };
    let section =
        Section::of(&source.key).map_err(|m| fail(vec![Diagnostic::new(&source.path, m)], None))?;
    Ok(match section {
        Section::Home => ParsedItem::Home(Home::parse(source, base).map_err(|e| fail(e, None))?),
        Section::Services => {
            let id = lenient_service_id(&source);
            ParsedItem::Service(Box::new(
                Service::parse(source, base).map_err(|e| fail(e, Some(id)))?,
            ))
        }
        Section::Announcements => ParsedItem::Announcement(
            Announcement::parse(source, tz, base).map_err(|e| fail(e, None))?,
        ),
        Section::Faq => ParsedItem::Faq(FaqTopic::parse(source, base).map_err(|e| fail(e, None))?),
        Section::Surveys => {
            ParsedItem::Survey(Survey::parse(source, tz, base).map_err(|e| fail(e, None))?)
        }
        Section::Pages => ParsedItem::Page(Page::parse(source, base).map_err(|e| fail(e, None))?),
    })
}

/// The id a service file means to have, read leniently (the file stem when
/// even that fails).
fn lenient_service_id(source: &Source) -> String {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: Option<String>,
    }
    source
        .split()
        .ok()
        .and_then(|s| s.parse::<IdOnly>(&source.path).ok())
        .and_then(|i| i.id)
        .unwrap_or_else(|| source.stem().to_owned())
}

/// A service shown in another language's pages (no translation here).
#[derive(Debug, Clone)]
pub struct ForeignService {
    pub title: String,
    pub url: String,
    pub lifecycle: crate::content::service::Lifecycle,
    pub lang: String,
}

/// What every language's assembly shares.
struct Shared {
    failed_ids: HashSet<String>,
    failed_files: Vec<Name>,
}

/// A file's name under content/, shared rather than copied.
type Name = std::sync::Arc<str>;

/// Loads every language of the portal: one `Site` per language, the
/// default language first.
pub fn load_sites(config: &Config) -> Result<Vec<Site>, ContentErrors> {
    load_sites_cached(config, None)
}

/// What one load lends the next (the preview server keeps one): parsed
/// files and rendered Markdown, reused while their text and the site's
/// URLs are unchanged.
#[derive(Default)]
pub struct LoadCache {
    /// Files as read, by path, with their modification time and size.
    pub files: content::ReadCache,
    /// By path under content/: (revision, default-language file's
    /// revision, the parsed item).
    parsed: std::sync::Mutex<HashMap<Name, CachedParse>>,
    /// By language, then path under content/: revision, URL map hash, result.
    bodies: std::sync::RwLock<HashMap<String, HashMap<Name, CachedBody>>>,
}

type CachedParse = (u64, u64, std::sync::Arc<ParsedItem>);
/// Revision, hash of all link targets, state of the body's own link
/// targets (`links_state`), the rendering and its errors.
type CachedBody = (u64, u64, u64, std::sync::Arc<Rendered>, Vec<Diagnostic>);

/// `load_sites`, reusing what `cache` holds from an earlier load.
pub fn load_sites_cached(
    config: &Config,
    cache: Option<&LoadCache>,
) -> Result<Vec<Site>, ContentErrors> {
    let content_dir = config.root.join("content");
    let t = crate::timing::phase("read sources");
    let (sources, read_errors) = content::read_sources_cached(
        &config.root,
        &content_dir,
        &config.translation_codes(),
        cache.map(|c| &c.files),
    );
    drop(t);
    sites_from_sources_cached(config, sources, read_errors, cache)
}

/// Parses every file once (translations laid over their default-language
/// file), checks that translations agree with it, then assembles one site
/// per language. All errors of all languages come back together.
pub fn sites_from_sources(
    config: &Config,
    sources: Vec<Source>,
    errors: Vec<Diagnostic>,
) -> Result<Vec<Site>, ContentErrors> {
    sites_from_sources_cached(config, sources, errors, None)
}

fn sites_from_sources_cached(
    config: &Config,
    sources: Vec<Source>,
    mut errors: Vec<Diagnostic>,
    cache: Option<&LoadCache>,
) -> Result<Vec<Site>, ContentErrors> {
    let tz = config.tz.clone();
    let t = crate::timing::phase("parse");
    // Only translations need their default-language file's revision.
    let base_revs: HashMap<Name, u64> = if sources.iter().any(|s| s.lang.is_some()) {
        sources
            .iter()
            .filter(|s| s.lang.is_none())
            .map(|s| (s.key.clone(), s.rev))
            .collect()
    } else {
        HashMap::default()
    };
    let source_count = sources.len();
    if let Some(c) = cache {
        // Forget the rendered Markdown of files that are gone: only when a
        // language holds more than there are files (a file renamed since
        // the last load is forgotten at the next).
        let mut bodies = c.bodies.write().unwrap_or_else(|e| e.into_inner());
        if bodies.values().any(|by_rel| by_rel.len() > source_count) {
            let present: HashSet<&str> = sources.iter().map(|s| &*s.rel).collect();
            for by_rel in bodies.values_mut() {
                by_rel.retain(|rel, _| present.contains(&**rel));
            }
        }
    }
    let mut previous =
        cache.map(|c| std::mem::take(&mut *c.parsed.lock().unwrap_or_else(|e| e.into_inner())));
    type Kept = Option<(Name, CachedParse)>;
    let earlier = previous.as_ref();
    // Parses a file, or takes the earlier parse of the same text; with a
    // cache, also says what to keep for the next load (when it is new).
    let parse = |s: Source,
                 base: Option<&serde_json::Value>|
     -> (Result<ParsedItem, Failed>, Kept) {
        let Some(earlier) = earlier else {
            return (parse_source(s, &tz, base), None);
        };
        let base_rev = if s.lang.is_some() {
            base_revs.get(&s.key).copied().unwrap_or(0)
        } else {
            0
        };
        match earlier.get(&s.rel) {
            Some((rev, b, item)) if *rev == s.rev && *b == base_rev => (Ok((**item).clone()), None),
            _ => {
                let (rel, rev) = (s.rel.clone(), s.rev);
                match parse_source(s, &tz, base) {
                    Ok(item) => {
                        let shared = std::sync::Arc::new(item);
                        (Ok((*shared).clone()), Some((rel, (rev, base_rev, shared))))
                    }
                    Err(failed) => (Err(failed), None),
                }
            }
        }
    };
    let (defaults, translations): (Vec<Source>, Vec<Source>) =
        sources.into_iter().partition(|s| s.lang.is_none());
    let translated_keys: HashSet<&str> = translations.iter().map(|s| &*s.key).collect();
    let bases: HashMap<Name, serde_json::Value> = defaults
        .iter()
        .filter(|s| translated_keys.contains(&*s.key))
        .filter_map(|s| {
            let split = s.split().ok()?;
            let value = split.parse::<serde_json::Value>(&s.path).ok()?;
            Some((s.key.clone(), value))
        })
        .collect();
    // Only needed to tell an orphan translation from one whose default
    // file is broken.
    let default_keys: HashSet<Name> = if translations.is_empty() {
        HashSet::default()
    } else {
        defaults.iter().map(|s| s.key.clone()).collect()
    };
    let mut results: Vec<(Result<ParsedItem, Failed>, Kept)> =
        defaults.into_par_iter().map(|s| parse(s, None)).collect();
    let translated: Vec<(Result<ParsedItem, Failed>, Kept)> = translations
        .into_par_iter()
        .filter_map(|s| match bases.get(&s.key) {
            Some(base) => Some(parse(s, Some(base))),
            // Its default-language file is broken and already reported.
            None if default_keys.contains(&s.key) => None,
            None => Some(parse(s, None)),
        })
        .collect();
    results.extend(translated);
    if let (Some(c), Some(mut kept)) = (cache, previous.take()) {
        for (rel, entry) in results.iter_mut().filter_map(|(_, k)| k.take()) {
            kept.insert(rel, entry);
        }
        if kept.len() > source_count {
            // Files that are gone.
            let present: HashSet<&str> = results
                .iter()
                .filter_map(|(r, _)| r.as_ref().ok())
                .map(|p| &*p.source().rel)
                .collect();
            kept.retain(|rel, _| present.contains(&**rel));
        }
        *c.parsed.lock().unwrap_or_else(|e| e.into_inner()) = kept;
    }

    drop(t);
    let t = crate::timing::phase("translations and link targets");
    let mut parsed: Vec<ParsedItem> = Vec::with_capacity(results.len());
    let mut shared = Shared {
        failed_ids: HashSet::default(),
        failed_files: Vec::new(),
    };
    for (r, _) in results {
        match r {
            Ok(p) => parsed.push(p),
            Err(f) => {
                errors.extend(f.errors);
                shared.failed_ids.extend(f.service_id);
                shared.failed_files.push(f.rel);
                shared.failed_files.push(f.key);
            }
        }
    }
    let translations = parsed.iter().any(|p| p.source().lang.is_some());
    // A translation changes when its default-language file does.
    let default_revs: HashMap<Name, u64> = if !translations {
        HashMap::default()
    } else {
        parsed
            .iter()
            .filter(|p| p.source().lang.is_none())
            .map(|p| (p.source().key.clone(), p.source().rev))
            .collect()
    };
    for p in parsed.iter_mut().filter(|p| p.source().lang.is_some()) {
        if let Some(base) = default_revs.get(&p.source().key) {
            fold_revision(p.source_mut(), *base);
        }
    }
    let by_key: HashMap<&str, &ParsedItem> = parsed
        .iter()
        .filter(|p| translations && p.source().lang.is_none())
        .map(|p| (&*p.source().key, p))
        .collect();
    for p in parsed.iter().filter(|p| p.source().lang.is_some()) {
        if let Some(default) = by_key.get(&*p.source().key) {
            errors.extend(crate::translation::disagreements(default, p));
        }
    }

    let default_code = config.lang.code.clone();
    // An item's language, without a copy.
    fn lang_code<'a>(p: &'a ParsedItem, default: &'a str) -> &'a str {
        p.source().lang.as_deref().unwrap_or(default)
    }
    // Links and services reach other languages where one lacks them: every
    // file's page, in its own language.
    let lang_configs: Vec<Config> = config
        .languages
        .iter()
        .map(|l| config.for_language(l))
        .collect();
    // Each file's page in its own language, made on all cores; the maps
    // are filled in file order.
    let pages: Vec<Option<(LinkTarget, &str)>> = parsed
        .par_iter()
        .map(|p| {
            let code = lang_code(p, &default_code);
            let their = lang_configs.iter().find(|c| c.lang.code == code)?;
            let (path, published) = p.page(their);
            let target = LinkTarget {
                url: their.url(&path),
                published,
            };
            Some((target, code))
        })
        .collect();
    let mut all_targets = LinkTargets::default();
    all_targets.reserve(parsed.len());
    let mut all_foreign = HashMap::default();
    for (p, page) in parsed.iter().zip(pages) {
        let Some((target, code)) = page else {
            continue;
        };
        let source = p.source();
        if source.lang.is_none() {
            if let ParsedItem::Service(s) = p {
                all_foreign.insert(
                    s.id.clone(),
                    ForeignService {
                        title: s.front.title.clone(),
                        url: target.url.clone(),
                        lifecycle: s.front.lifecycle,
                        lang: code.to_owned(),
                    },
                );
            }
        }
        // A default-language file's key is its path: this one entry is
        // found by both. A translation's key is its default file's.
        all_targets.insert(source.rel.clone(), target);
    }
    drop(t);
    let mut sites = Vec::new();
    let mut parsed = Some(parsed);
    let count = lang_configs.len();
    for (i, lang_config) in lang_configs.into_iter().enumerate() {
        let Some(all) = parsed.as_ref() else { break };
        let code = lang_config.lang.code.clone();
        let keep: Vec<bool> = {
            let own: HashSet<&str> = all
                .iter()
                .filter(|p| lang_code(p, &default_code) == code)
                .map(|p| &*p.source().key)
                .collect();
            all.iter()
                .map(|p| {
                    lang_code(p, &default_code) == code
                        || (config.file.show_untranslated
                            && p.source().lang.is_none()
                            && !own.contains(&*p.source().key))
                })
                .collect()
        };
        // The last language takes the items; the others copy theirs.
        let items: Vec<ParsedItem> = if i + 1 == count {
            parsed
                .take()
                .unwrap_or_default()
                .into_iter()
                .zip(keep)
                .filter_map(|(p, k)| k.then_some(p))
                .collect()
        } else {
            all.iter()
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|(p, _)| p.clone())
                .collect()
        };
        let (targets, foreign) = if i + 1 == count {
            (
                std::mem::take(&mut all_targets),
                std::mem::take(&mut all_foreign),
            )
        } else {
            (all_targets.clone(), all_foreign.clone())
        };
        match Site::assemble(lang_config, items, targets, foreign, &shared, cache) {
            Ok(site) => sites.push(site),
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(sites)
    } else {
        errors.sort();
        errors.dedup();
        Err(ContentErrors(errors))
    }
}

impl Site {
    /// The default language's site, for callers with one language in mind.
    pub fn load(config: Config) -> Result<Site, ContentErrors> {
        let mut sites = load_sites(&config)?;
        Ok(sites.remove(0))
    }

    /// Lets go of the files' texts: rendering needs only what was parsed and
    /// rendered from them, and a large portal's Markdown is a large part of
    /// a build's memory. Error positions can no longer be shown afterwards.
    pub fn forget_texts(&mut self) {
        let empty = std::sync::Arc::new(String::new());
        let sources = self
            .services
            .iter_mut()
            .map(|x| &mut x.source)
            .chain(self.announcements.iter_mut().map(|x| &mut x.source))
            .chain(self.faq_topics.iter_mut().map(|x| &mut x.source))
            .chain(self.surveys.iter_mut().map(|x| &mut x.source))
            .chain(self.pages.iter_mut().map(|x| &mut x.source))
            .chain(self.home.iter_mut().map(|x| &mut x.source));
        for source in sources {
            source.text = empty.clone();
        }
    }

    /// The language an item is written in, when it is not this site's
    /// (an untranslated item shown in the default language).
    pub fn foreign_lang(&self, source: &Source) -> Option<String> {
        let code = source
            .lang
            .as_deref()
            .unwrap_or(&self.config.languages[0].code);
        (code != self.config.lang.code).then(|| code.to_owned())
    }

    /// Builds one language's site from its parsed items: filter, check,
    /// render, cross-link. `targets` already holds every other language's
    /// pages; this language's own override them.
    fn assemble(
        config: Config,
        items: Vec<ParsedItem>,
        mut targets: LinkTargets,
        mut foreign_services: HashMap<String, ForeignService>,
        shared: &Shared,
        cache: Option<&LoadCache>,
    ) -> Result<Site, ContentErrors> {
        let t = crate::timing::phase("assemble: targets, fingerprint");
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut home = None;
        // Items are large: each list is made at its final size, so none is
        // moved again as it grows.
        let count = |kind: fn(&ParsedItem) -> bool| items.iter().filter(|p| kind(p)).count();
        let mut services = Vec::with_capacity(count(|p| matches!(p, ParsedItem::Service(_))));
        let mut announcements =
            Vec::with_capacity(count(|p| matches!(p, ParsedItem::Announcement(_))));
        let mut faq_topics = Vec::new();
        let mut surveys = Vec::new();
        let mut pages = Vec::new();
        // In the default language's site, its own files' targets are
        // already those of `targets`.
        let default_site = config.languages.first().map(|l| &l.code) == Some(&config.lang.code);
        for p in &items {
            if default_site && p.source().lang.is_none() {
                continue;
            }
            let (path, published) = p.page(&config);
            let target = LinkTarget {
                url: config.url(&path),
                published,
            };
            if p.source().key != p.source().rel {
                targets.insert(p.source().key.clone(), target.clone());
            }
            targets.insert(p.source().rel.clone(), target);
        }
        for p in items {
            match p {
                ParsedItem::Home(h) => home = Some(h),
                ParsedItem::Service(s) => services.push(*s),
                ParsedItem::Announcement(a) => announcements.push(a),
                ParsedItem::Faq(f) => faq_topics.push(f),
                ParsedItem::Survey(s) => surveys.push(s),
                ParsedItem::Page(p) => pages.push(p),
            }
        }
        let failed_ids = &shared.failed_ids;
        let mut targets_hash = hash_targets(&targets);
        // Not the link targets: a file added or removed changes only the
        // pages that show it or link to it, which the items' revisions
        // (their file names and their links' targets folded in once the
        // Markdown is rendered) and each page's own fingerprint cover. Nor
        // the clock: what it changes (an announcement's window starting, a
        // survey closing) is folded into the revisions of the items it
        // changes; only the year (`site.year`) is for every page, and a
        // moment fixed in portico.toml (`site.fixed_now`).
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (
                &config.lang.code,
                config.drafts,
                config.now.zoned(&config.tz).year(),
                config.file.now.as_ref().map(|_| config.now.ts),
            )
                .hash(&mut h);
            for p in &pages {
                if p.front.menu.is_some() {
                    p.source.rev.hash(&mut h);
                }
            }
            h.finish()
        };
        drop(t);
        let t = crate::timing::phase("assemble: sort and check");
        let now = config.now;
        let drafts = config.drafts;
        for rel in &shared.failed_files {
            // Already reported; links to it are not errors of their own.
            targets.insert(
                rel.clone(),
                LinkTarget {
                    url: "#".into(),
                    published: true,
                },
            );
        }
        services.retain(|s| drafts || !s.front.draft);
        announcements.retain(|a| drafts || !(a.front.draft || a.is_scheduled(now)));
        faq_topics.retain(|f| drafts || !f.front.draft);
        surveys.retain(|s| drafts || !s.front.draft);
        pages.retain(|p| drafts || !p.front.draft);

        sort_moving_once(&mut services, |a, b| {
            (&a.category_key, a.front.weight, &a.front.title, &a.id).cmp(&(
                &b.category_key,
                b.front.weight,
                &b.front.title,
                &b.id,
            ))
        });
        sort_moving_once(&mut announcements, |a, b| {
            b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug))
        });
        faq_topics.sort_by(|a, b| {
            (a.front.weight, &a.front.title, &a.slug).cmp(&(
                b.front.weight,
                &b.front.title,
                &b.slug,
            ))
        });
        surveys.sort_by(|a, b| b.opens.cmp(&a.opens).then_with(|| a.id.cmp(&b.id)));
        pages.sort_by(|a, b| {
            (a.front.menu, &a.front.title, &a.slug).cmp(&(b.front.menu, &b.front.title, &b.slug))
        });

        errors.extend(check_unique(
            services.iter().map(|s| (s.id.as_str(), &s.source, "id")),
            "service id",
        ));
        errors.extend(check_unique(
            surveys.iter().map(|s| (s.id.as_str(), &s.source, "id")),
            "survey id",
        ));
        errors.extend(check_unique(
            announcements
                .iter()
                .map(|a| (a.slug.as_str(), &a.source, "")),
            "announcement URL",
        ));
        errors.extend(check_unique(
            faq_topics.iter().map(|f| (f.slug.as_str(), &f.source, "")),
            "FAQ topic URL",
        ));
        errors.extend(check_unique(
            pages.iter().map(|p| (p.slug.as_str(), &p.source, "")),
            "page URL",
        ));
        for p in &pages {
            if paths::RESERVED.contains(&p.slug.as_str()) {
                errors.push(
                    Diagnostic::new(
                        &p.source.path,
                        format!("the page URL `/{}/` is reserved for the portal", p.slug),
                    )
                    .help("rename the file"),
                );
            }
        }

        let service_index: rustc_hash::FxHashMap<String, usize> = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        foreign_services.retain(|id, _| !service_index.contains_key(id));
        let ids: Vec<&str> = services
            .iter()
            .map(|s| s.id.as_str())
            .chain(foreign_services.keys().map(String::as_str))
            .collect();
        let check_refs =
            |source: &Source, key: &str, refs: &[String], errors: &mut Vec<Diagnostic>| {
                for r in refs {
                    if !service_index.contains_key(r)
                        && !foreign_services.contains_key(r)
                        && !failed_ids.contains(r)
                    {
                        let split = match source.split() {
                            Ok(s) => s,
                            Err(d) => {
                                errors.push(d);
                                continue;
                            }
                        };
                        let d = split.error_at(
                            &source.path,
                            &[key],
                            Some(r),
                            format!("unknown service id `{r}` in `{key}`"),
                        );
                        let d = match suggest(r, ids.iter().copied()) {
                        Some(h) => d.help(h),
                        None => d.help(
                            "service ids are the file names in content/services/ (or their `id`)",
                        ),
                    };
                        errors.push(d);
                    }
                }
            };
        for s in &services {
            check_refs(&s.source, "replaces", &s.front.replaces, &mut errors);
            check_refs(&s.source, "replaced_by", &s.front.replaced_by, &mut errors);
        }
        for a in &announcements {
            check_refs(&a.source, "services", &a.front.services, &mut errors);
        }
        for f in &faq_topics {
            check_refs(&f.source, "services", &f.front.services, &mut errors);
        }
        for s in &surveys {
            check_refs(&s.source, "services", &s.front.services, &mut errors);
        }
        for id in &config.file.featured {
            if !service_index.contains_key(id)
                && !foreign_services.contains_key(id)
                && !failed_ids.contains(id)
            {
                let text = std::fs::read_to_string(config.root.join(crate::config::CONFIG_FILE))
                    .unwrap_or_default();
                let split = crate::content::front_matter::Split {
                    file: &text,
                    format: crate::content::front_matter::Format::Toml,
                    front: &text,
                    front_offset: 0,
                    body: "",
                    body_offset: text.len(),
                };
                let d = split.error_at(
                    std::path::Path::new(crate::config::CONFIG_FILE),
                    &["featured"],
                    Some(id),
                    format!("unknown service id `{id}` in `featured`"),
                );
                errors.push(match suggest(id, ids.iter().copied()) {
                    Some(h) => d.help(h),
                    None => d,
                });
            }
        }

        drop(t);
        let t = crate::timing::phase("assemble: Markdown");
        // Markdown, in parallel; each item keeps its own errors.
        if !shared.failed_files.is_empty() {
            targets_hash = hash_targets(&targets);
        }
        let lang_code = config.lang.code.clone();
        // The earlier renderings, read without a lock per body (both cores
        // taking one lock for each of 50,000 bodies made them wait on each
        // other); new ones are added once all are made.
        let taken = cache.map(|c| {
            c.bodies
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove(lang_code.as_str())
                .unwrap_or_default()
        });
        let fresh: std::sync::Mutex<Vec<(Name, CachedBody)>> = Default::default();
        // Renders a body, or takes the earlier rendering of the same text
        // under the same URLs. With a cache, also says where its links
        // lead (`links_state`), for its item's revision.
        let render = |source: &Source, sections: bool| -> Body {
            if let Some(earlier) = taken.as_ref().and_then(|t| t.get(&*source.rel)) {
                let (rev, hash, state, rendered, errors) = earlier;
                // The same text under the same targets; or, when other
                // files came or went, the same targets for each of its
                // links (an error's hint may name any file: a body with
                // errors is rendered again).
                if *rev == source.rev
                    && (*hash == targets_hash
                        || (errors.is_empty() && links_state(&rendered.links, &targets) == *state))
                {
                    return (rendered.clone(), errors.clone(), Some(*state));
                }
            }
            let (body, offset) = source.body();
            let ctx = RenderContext {
                targets: &targets,
                path: &source.path,
                file: &source.text,
                offset,
                sections,
            };
            let (rendered, errors) = markdown::render(body, &ctx);
            let rendered = std::sync::Arc::new(rendered);
            if taken.is_none() {
                return (rendered, errors, None);
            }
            let state = links_state(&rendered.links, &targets);
            fresh.lock().unwrap_or_else(|e| e.into_inner()).push((
                source.rel.clone(),
                (
                    source.rev,
                    targets_hash,
                    state,
                    rendered.clone(),
                    errors.clone(),
                ),
            ));
            (rendered, errors, Some(state))
        };
        // Without a cache (a build or a check), nothing reads the texts
        // after loading; a cache keeps the sites for the next rebuild.
        let forget_texts = cache.is_none();
        let no_text = std::sync::Arc::new(String::new());
        let mut md_errors: Vec<Diagnostic> = Vec::new();
        md_errors.extend(render_bodies(&mut services, false, &render));
        md_errors.extend(
            announcements
                .par_iter_mut()
                .flat_map_iter(|a| {
                    let (r, mut e, state) = render(&a.source, false);
                    a.body = r;
                    let mut updates_state = 0u64;
                    for u in &mut a.updates {
                        // An update's body is a front matter string: positions are exact
                        // where it is written verbatim, else at its `updates` entry.
                        let found = a.source.text.find(u.body.as_str());
                        let ctx = RenderContext {
                            targets: &targets,
                            path: &a.source.path,
                            file: &a.source.text,
                            offset: found.unwrap_or(0),
                            sections: false,
                        };
                        let (r, ue) = markdown::render(&u.body, &ctx);
                        u.html = r.html.as_str().to_owned();
                        if state.is_some() {
                            updates_state = updates_state
                                .wrapping_mul(31)
                                .wrapping_add(links_state(&r.links, &targets));
                        }
                        e.extend(ue.into_iter().map(|d| match (found, a.source.split()) {
                            (Some(_), _) | (None, Err(_)) => d,
                            (None, Ok(split)) => {
                                let (line, col, width) = split.locate(&["updates", "body"], None);
                                d.at(&a.source.text, line, col).width(width)
                            }
                        }));
                    }
                    if let Some(state) = state {
                        // And what the clock changes about it.
                        let clock = (
                            a.is_scheduled(now),
                            a.is_expired(now),
                            a.status(now).map(|s| s.as_str()),
                            a.updates.iter().filter(|u| u.at.ts <= now.ts).count(),
                        );
                        fold_revision(&mut a.source, (state, updates_state, clock));
                    }
                    // A build lets go of the text now: rendering needs only
                    // what was made from it, and holding every announcement's
                    // Markdown beside its HTML until all are rendered would
                    // double a large portal's memory. Only links to a heading,
                    // checked once all bodies are known, may still need it
                    // to place an error.
                    if forget_texts && !a.body.links.iter().any(|l| l.anchor.is_some()) {
                        a.source.text = no_text.clone();
                    }
                    e
                })
                .collect::<Vec<_>>(),
        );
        md_errors.extend(render_bodies(&mut faq_topics, true, &render));
        md_errors.extend(render_bodies(&mut surveys, false, &render));
        if cache.is_some() {
            // Whether each survey is open yet, or still.
            for s in &mut surveys {
                let state = s.state(now) as u8;
                fold_revision(&mut s.source, state);
            }
        }
        md_errors.extend(render_bodies(&mut pages, false, &render));
        if let Some(h) = home.as_mut() {
            let (r, e, state) = render(&h.source, false);
            h.body = r;
            md_errors.extend(e);
            if let Some(state) = state {
                fold_revision(&mut h.source, state);
            }
        }
        if let (Some(c), Some(mut kept)) = (cache, taken) {
            kept.extend(fresh.into_inner().unwrap_or_else(|e| e.into_inner()));
            c.bodies
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(lang_code.clone(), kept);
        }
        errors.extend(md_errors);

        for f in &faq_topics {
            if f.body.sections.is_empty() {
                let (body, offset) = f.source.body();
                // Point at the body's first words, or the line that closes the front matter.
                let lead = body.len() - body.trim_start().len();
                let at = if body.trim().is_empty() {
                    offset.saturating_sub(4)
                } else {
                    offset + lead
                };
                let width = body
                    .trim_start()
                    .lines()
                    .next()
                    .map_or(3, |l| l.chars().count());
                errors.push(
                    Diagnostic::new(&f.source.path, "this FAQ topic has no questions")
                        .at_offset(&f.source.text, at, width)
                        .help("start each question with a `## ` heading; its answer follows until the next `##`"),
                );
            }
        }

        drop(t);
        let t = crate::timing::phase("assemble: anchors, related, tags");
        // Anchors of internal links must exist on the target page.
        let mut anchors: HashMap<&str, HashSet<&str>> = HashMap::default();
        let bodies = services
            .iter()
            .map(|s| (&s.source, &s.body))
            .chain(announcements.iter().map(|a| (&a.source, &a.body)))
            .chain(faq_topics.iter().map(|f| (&f.source, &f.body)))
            .chain(surveys.iter().map(|s| (&s.source, &s.body)))
            .chain(pages.iter().map(|p| (&p.source, &p.body)))
            .chain(home.iter().map(|h| (&h.source, &h.body)));
        let bodies: Vec<(&Source, &Rendered)> = bodies.map(|(s, b)| (s, &**b)).collect();
        // Only pages that a link names with an anchor need theirs.
        let wanted: HashSet<&str> = bodies
            .iter()
            .flat_map(|(_, b)| b.links.iter())
            .filter(|l| l.anchor.is_some())
            .map(|l| l.target.as_str())
            .collect();
        for (source, body) in &bodies {
            let by_key = wanted.contains(&*source.key);
            let by_rel = wanted.contains(&*source.rel);
            if !by_key && !by_rel {
                continue;
            }
            let ids: HashSet<&str> = body.headings.iter().map(|h| h.id.as_str()).collect();
            if by_key {
                anchors.insert(&*source.key, ids.clone());
            }
            if by_rel {
                anchors.insert(&*source.rel, ids);
            }
        }
        for (source, body) in &bodies {
            for link in &body.links {
                let (Some(anchor), Some(known)) = (&link.anchor, anchors.get(link.target.as_str()))
                else {
                    continue;
                };
                if !known.contains(anchor.as_str()) {
                    let d = Diagnostic::new(
                        &source.path,
                        format!(
                            "broken link: `@/{}` has no heading `#{anchor}`",
                            link.target
                        ),
                    )
                    .at_offset(&source.text, link.offset, link.width);
                    errors.push(match suggest(anchor, known.iter().copied()) {
                        Some(h) => d.help(h),
                        None => d,
                    });
                }
            }
        }

        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(ContentErrors(errors));
        }

        let mut related = vec![Related::default(); services.len()];
        for (i, a) in announcements.iter().enumerate() {
            for s in &a.front.services {
                if let Some(&j) = service_index.get(s) {
                    related[j].announcements.push(i);
                }
            }
        }
        for (i, f) in faq_topics.iter().enumerate() {
            for s in &f.front.services {
                if let Some(&j) = service_index.get(s) {
                    related[j].faq_topics.push(i);
                }
            }
        }
        for (i, v) in surveys.iter().enumerate() {
            for s in &v.front.services {
                if let Some(&j) = service_index.get(s) {
                    related[j].surveys.push(i);
                }
            }
        }
        for (i, s) in services.iter().enumerate() {
            for r in &s.front.replaces {
                let Some(&j) = service_index.get(r) else {
                    continue;
                };
                related[i].replaces.push(j);
                related[j].replaced_by.push(i);
            }
            for r in &s.front.replaced_by {
                let Some(&j) = service_index.get(r) else {
                    continue;
                };
                related[i].replaced_by.push(j);
                related[j].replaces.push(i);
            }
        }
        for r in &mut related {
            for list in [
                &mut r.announcements,
                &mut r.faq_topics,
                &mut r.surveys,
                &mut r.replaces,
                &mut r.replaced_by,
            ] {
                list.sort_unstable();
                list.dedup();
            }
        }

        let mut found = TagIndex::default();
        for (i, a) in announcements.iter().enumerate() {
            for t in &a.front.tags {
                found.tag(t).announcements.push(i);
            }
        }
        for (i, s) in services.iter().enumerate() {
            for t in &s.front.tags {
                found.tag(t).services.push(i);
            }
        }
        for (i, f) in faq_topics.iter().enumerate() {
            for t in &f.front.tags {
                found.tag(t).faq_topics.push(i);
            }
        }
        let tags: BTreeMap<String, Tag> = found
            .tags
            .into_iter()
            .map(|mut t| {
                for list in [&mut t.announcements, &mut t.services, &mut t.faq_topics] {
                    list.dedup();
                }
                (t.slug.clone(), t)
            })
            .collect();

        let audiences = {
            let names: std::collections::BTreeSet<&str> = announcements
                .iter()
                .flat_map(|a| {
                    let named = a.front.audience.iter().map(String::as_str);
                    a.front
                        .audience
                        .is_empty()
                        .then_some("all")
                        .into_iter()
                        .chain(named)
                })
                .collect();
            names
                .into_iter()
                .map(|n| (crate::content::slug_of(n), n.to_owned()))
                .collect()
        };
        drop(t);
        Ok(Site {
            config,
            home,
            audiences,
            services,
            announcements,
            faq_topics,
            surveys,
            pages,
            service_index,
            related,
            tags,
            foreign_services,
            fingerprint,
            urls: targets_hash,
        })
    }
}

/// `v.sort_by(cmp)` (stable too), moving each item once rather than at
/// every step: the items are large.
fn sort_moving_once<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    *v = order.into_iter().filter_map(|i| slots[i].take()).collect();
}

/// A hash of where each of `links` leads now (the target's URL and whether
/// it is published, or that there is none), in the links' order.
fn links_state(links: &[markdown::InternalLink], targets: &LinkTargets) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    links.len().hash(&mut h);
    for l in links {
        let target = targets.get(l.target.as_str());
        (&l.target, target.map(|t| (&t.url, t.published))).hash(&mut h);
    }
    h.finish()
}

/// Folds into an item's revision (its file's name and text) what its
/// pages show beyond them: `state`. For a translation, its
/// default-language file's revision; in a cached build, once the Markdown
/// is rendered, where its links lead and what the clock makes of it (an
/// announcement scheduled, expired, its window's status, its updates
/// shown; a survey open or not), so that the revision changes whenever
/// the item's pages, cards and feed entries would. A one-shot build skips
/// the latter: nothing else compares revisions.
fn fold_revision(source: &mut Source, state: impl std::hash::Hash) {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (source.rev, state).hash(&mut h);
    source.rev = h.finish();
}

/// A rendered body, its errors, and (with a cache) where its links lead.
type Body = (std::sync::Arc<Rendered>, Vec<Diagnostic>, Option<u64>);

/// A hash of every link target, whatever the map's order.
fn hash_targets(targets: &LinkTargets) -> u64 {
    use std::hash::{Hash, Hasher};
    let sum = targets.iter().fold(0u64, |sum, (rel, t)| {
        let mut h = rustc_hash::FxHasher::default();
        (rel, &t.url, t.published).hash(&mut h);
        sum.wrapping_add(h.finish())
    });
    sum ^ (targets.len() as u64).rotate_left(32)
}

/// Content whose Markdown body is rendered into the item itself.
trait HasBody {
    fn parts(&mut self) -> (&mut Source, &mut std::sync::Arc<Rendered>);
}

macro_rules! has_body {
    ($($t:ty),*) => {$(
        impl HasBody for $t {
            fn parts(&mut self) -> (&mut Source, &mut std::sync::Arc<Rendered>) {
                (&mut self.source, &mut self.body)
            }
        }
    )*};
}
has_body!(Service, FaqTopic, Survey, Page);

/// Renders every item's body in parallel (folding where its links lead
/// into its revision); returns the broken-link errors.
fn render_bodies<T: HasBody + Send>(
    items: &mut [T],
    sections: bool,
    render: &(impl Fn(&Source, bool) -> Body + Sync),
) -> Vec<Diagnostic> {
    items
        .par_iter_mut()
        .flat_map_iter(|item| {
            let (source, body) = item.parts();
            let (rendered, errors, state) = render(source, sections);
            *body = rendered;
            if let Some(state) = state {
                fold_revision(source, state);
            }
            errors
        })
        .collect()
}

/// Tags as items name them: each name's tag is found once (its slug made,
/// and the tag made on its slug's first use, with the name it was first
/// given); every later use of the name is one lookup, as many items share
/// few tags.
#[derive(Default)]
struct TagIndex<'n> {
    tags: Vec<Tag>,
    by_name: rustc_hash::FxHashMap<&'n str, usize>,
    by_slug: rustc_hash::FxHashMap<String, usize>,
}

impl<'n> TagIndex<'n> {
    /// The tag named `name` (every name has a slug: `slug_of` spells out
    /// one made of no letters).
    fn tag(&mut self, name: &'n str) -> &mut Tag {
        let (tags, by_slug) = (&mut self.tags, &mut self.by_slug);
        let at = *self.by_name.entry(name).or_insert_with(|| {
            *by_slug
                .entry(crate::content::slug_of(name))
                .or_insert_with_key(|slug| {
                    tags.push(Tag {
                        name: name.to_owned(),
                        slug: slug.clone(),
                        ..Tag::default()
                    });
                    tags.len() - 1
                })
        });
        &mut self.tags[at]
    }
}

/// Two items with the same id or URL: both files are named.
fn check_unique<'a>(
    items: impl Iterator<Item = (&'a str, &'a Source, &'a str)>,
    what: &str,
) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, &Source> = HashMap::default();
    let mut errors = Vec::new();
    for (key, source, field) in items {
        if let Some(first) = seen.get(key) {
            let d = match source.split() {
                Ok(split) if !field.is_empty() => {
                    split.error_at(&source.path, &[field], Some(key), "")
                }
                _ => Diagnostic::new(&source.path, ""),
            };
            errors.push(Diagnostic {
                message: format!(
                    "duplicate {what} `{key}`, also used by {}",
                    first.path.display()
                ),
                ..d
            });
        } else {
            seen.insert(key, source);
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_found_by_slug_under_the_name_first_given() {
        let names = [
            "Remote work",
            "email",
            "remote-work",
            "Email",
            "",
            "Remote work",
        ];
        let mut found = TagIndex::default();
        for (i, name) in names.iter().enumerate() {
            found.tag(name).announcements.push(i);
        }
        let tags: Vec<(&str, &str, &[usize])> = found
            .tags
            .iter()
            .map(|t| (t.slug.as_str(), t.name.as_str(), t.announcements.as_slice()))
            .collect();
        assert_eq!(
            tags,
            [
                ("remote-work", "Remote work", &[0, 2, 5][..]),
                ("email", "email", &[1, 3][..]),
                ("x", "", &[4][..]),
            ]
        );
    }
}

//! Rendering: the list of pages a site has (`Job`), each rendered with tera
//! from views into an `Output`. Jobs are independent, so they render in
//! parallel, and a later incremental rebuild can render just some of them.

pub mod calendar;
pub mod catalog;
pub mod feeds;
pub mod search;
pub mod sitemap;
pub mod views;

use crate::config::Config;
use crate::content::announcement::{Kind, Status};
use crate::content::survey::SurveyState;
use crate::diagnostic::Diagnostic;
use crate::i18n::Strings;
use crate::site::{paths, Site};
use crate::theme::{error_chain, Theme};
use calendar::CalendarKey;
use feeds::{FeedFormat, FeedKey};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use rustc_hash::FxHasher;
use serde::Serialize;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};
use views::*;

/// Search documents, as JSON arrays.
type SearchDocs = Arc<Vec<String>>;

/// A rendered job: its output, fingerprint, and whether it was rendered now
/// (rather than reused).
type JobResult = Result<(Output, Option<u64>, bool), Diagnostic>;

/// The most jobs a core takes at once while rendering (see `render_all`).
const JOBS_PER_PIECE: usize = 8;

/// The most announcement cards a core makes at once.
const CARDS_PER_PIECE: usize = 32;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Relative to the output folder, `/`-separated; shared, so a reused
    /// page costs no copy.
    pub path: Arc<str>,
    /// Shared, so a reused page costs no copy.
    pub bytes: Arc<Vec<u8>>,
}

/// One page to render.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    Home,
    Announcements { kind: Option<Kind>, page: usize },
    Announcement(usize),
    Catalog,
    Compare,
    Service(usize),
    FaqIndex,
    FaqTopic(usize),
    Surveys,
    Survey(usize),
    SurveyThanks(usize),
    Page(usize),
    Tags,
    Tag { slug: String, page: usize },
    Subscribe,
    NotFound,
    Sitemap,
    Feed { key: FeedKey, format: FeedFormat },
    Calendar(CalendarKey),
    CatalogJson,
    Search,
    SearchIndex,
}

impl Job {
    /// A rough rank of how long the job takes, highest first: whole-site
    /// files, then feeds, then pages that list many items.
    fn cost(&self) -> u8 {
        match self {
            Job::Calendar(CalendarKey::All) | Job::SearchIndex | Job::Sitemap => 4,
            Job::Feed { .. } => 3,
            Job::Calendar(_) | Job::Service(_) | Job::CatalogJson => 2,
            Job::Announcements { .. } | Job::Tag { .. } | Job::FaqTopic(_) => 1,
            _ => 0,
        }
    }
}

/// Common metadata of a page, for `<head>` and navigation.
#[derive(Debug, Serialize)]
struct Meta {
    title: String,
    description: String,
    url: String,
    permalink: String,
    section: &'static str,
    og_type: &'static str,
    /// Feeds for `<link rel="alternate">` and subscribe links: this page's
    /// own first, then the site's (a list of `FeedLink`s, the site's made
    /// into template values once per render).
    feeds: tera::Value,
    /// This page in every language (for hreflang and the language switcher).
    languages: Vec<LanguageLink>,
}

/// One language's version of a page: the page itself where it exists in
/// that language, else that language's home page.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageLink {
    pub code: String,
    pub name: String,
    pub url: String,
    pub permalink: String,
    pub current: bool,
    /// The same page exists in that language.
    pub available: bool,
}

/// Every feed's entries, by feed.
pub type FeedEntries = HashMap<FeedKey, Vec<feeds::Entry>>;

/// Announcement cards by language code and slug, each with a hash of what
/// it was made from.
pub type CardCache =
    std::sync::Mutex<HashMap<String, HashMap<String, (u64, Arc<AnnouncementCard>)>>>;

/// Rendered pages by language code, with their fingerprints.
pub type CachedOutputs = HashMap<String, CachedPages>;

/// One language's pages from an earlier render, in its jobs' order, each
/// with the fingerprint it was made from (none for a job that failed).
/// From one render to the next the jobs are nearly always the same list,
/// so a page is found at its job's place, read in order; only when files
/// were added or removed are they found by fingerprint, which names the
/// page's item rather than its place in a list (an announcement added at
/// the top moves every other one down by one).
#[derive(Debug, Default)]
pub struct CachedPages {
    jobs: Vec<Job>,
    pages: Vec<Option<(u64, Output)>>,
}

/// Which languages have a page at each site path (relative to the
/// language's root), by index into the configured languages.
pub type Alternates = HashMap<String, Vec<usize>>;

/// A feed or calendar a page offers.
#[derive(Debug, Clone, Serialize)]
pub struct FeedLink {
    pub title: String,
    /// Short name for lists: "Cloud Storage", "Outages".
    pub label: String,
    /// Path for links on the site.
    pub url: String,
    /// Absolute URL, to paste into a reader or calendar.
    pub permalink: String,
    pub mime: &'static str,
    /// `rss`, `json` or `ics`.
    pub kind: &'static str,
    /// `webcal://` form of a calendar's URL, which opens the calendar app.
    pub webcal: Option<String>,
}

/// The outputs of an earlier render with the fingerprint of their inputs:
/// a job whose fingerprint is unchanged is not rendered again. Only valid
/// for the same theme and configuration (the preview server starts a new
/// cache when those change).
#[derive(Debug, Default)]
pub struct RenderCache {
    outputs: std::sync::Mutex<CachedOutputs>,
    /// Announcement cards by language and slug, with the key they were made for.
    cards: CardCache,
    /// Every feed's entries by language, with the key they were made for.
    feeds: std::sync::Mutex<HashMap<String, (u64, Arc<FeedEntries>)>>,
    /// The search documents of everything but announcements (theirs are
    /// in their cards), by language, with the key they were made for.
    search_docs: std::sync::Mutex<HashMap<String, (u64, SearchDocs)>>,
    /// The feedback receiver's manifest, with the key it was made for.
    manifest: std::sync::Mutex<Option<(u64, Output)>>,
    /// How many jobs the last render through this cache had to render.
    rendered: std::sync::atomic::AtomicUsize,
}

impl RenderCache {
    /// How many outputs it holds.
    pub fn len(&self) -> usize {
        self.outputs.lock().map_or(0, |o| {
            o.values().map(|c| c.pages.iter().flatten().count()).sum()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many jobs the last render through this cache rendered (the rest
    /// were reused).
    pub fn rendered(&self) -> usize {
        self.rendered.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Where pages go as soon as they are rendered: a build writes each to disk
/// at once rather than holding the whole site in memory.
pub type Sink<'s> = &'s (dyn Fn(&Output) -> Result<(), Diagnostic> + Sync);

/// What an output handed to a sink keeps: its path; its bytes are gone.
static SENT: std::sync::LazyLock<Arc<Vec<u8>>> = std::sync::LazyLock::new(|| Arc::new(Vec::new()));

/// The receiver's manifest: its pages follow from the jobs, its surveys and
/// FAQ questions from their files. Taken from the cache when none of those
/// changed, and kept there.
fn manifest(
    sites: &[Site],
    theme: &Theme,
    renderers: &[Renderer],
    cache: Option<&RenderCache>,
) -> Output {
    let manifest_key = {
        let mut h = FxHasher::default();
        for r in renderers {
            let site = r.site;
            (site.fingerprint, r.jobs(), site.urls).hash(&mut h);
            for s in &site.surveys {
                s.source.rev.hash(&mut h);
            }
            for f in &site.faq_topics {
                f.source.rev.hash(&mut h);
            }
        }
        h.finish()
    };
    let earlier = cache.and_then(|c| {
        c.manifest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .filter(|(key, _)| *key == manifest_key)
    });
    let manifest = match earlier {
        Some((_, output)) => output,
        None => {
            let pages: Vec<Vec<String>> = renderers.iter().map(|r| r.page_paths()).collect();
            crate::feedback::manifest::output(&crate::feedback::manifest::build(
                sites, theme, &pages,
            ))
        }
    };
    if let Some(c) = cache {
        *c.manifest.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((manifest_key, manifest.clone()));
    }
    manifest
}

/// The page at `rel` (a folder's `index.html` when it ends with `/`).
fn page_output(rel: &str, html: Vec<u8>) -> Output {
    let path = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    };
    Output {
        path: path.into(),
        bytes: Arc::new(html),
    }
}

/// Hands `o` to `sink` (when there is one) and keeps only its path.
fn send(sink: Option<Sink>, mut o: Output) -> Result<Output, Diagnostic> {
    if let Some(sink) = sink {
        sink(&o)?;
        o.bytes = SENT.clone();
    }
    Ok(o)
}

/// Renders every language's site, and adds the theme's and project's
/// static files once, at the root. With a cache, only the jobs whose inputs
/// changed since the cached render are rendered; the result is the same.
pub fn render_sites(
    sites: &[Site],
    theme: &Theme,
    cache: Option<&RenderCache>,
) -> Result<Vec<Output>, Vec<Diagnostic>> {
    render_sites_into(sites, theme, cache.map(Reuse::Cache).unwrap_or(Reuse::None))
}

/// How a render treats its outputs: reuses and keeps them in a cache, hands
/// each to a sink as it is made (the outputs returned then have paths only;
/// meant for a one-shot build, whose process ends soon after, so what the
/// render made on the way is left for the process's end to free), or
/// neither.
#[derive(Clone, Copy)]
pub enum Reuse<'a> {
    None,
    Cache(&'a RenderCache),
    Sink(Sink<'a>),
}

/// `render_sites`, with a cache or a sink.
pub fn render_sites_into(
    sites: &[Site],
    theme: &Theme,
    reuse: Reuse,
) -> Result<Vec<Output>, Vec<Diagnostic>> {
    let (cache, sink) = match reuse {
        Reuse::None => (None, None),
        Reuse::Cache(c) => (Some(c), None),
        Reuse::Sink(s) => (None, Some(s)),
    };
    let t = crate::timing::phase("render: cards and views");
    let renderers: Vec<Renderer> = sites
        .iter()
        .map(|s| Renderer::with_cache(s, theme, cache))
        .collect();
    drop(t);

    if renderers.len() > 1 {
        let mut alternates: Alternates = HashMap::default();
        for r in &renderers {
            let config = &r.site.config;
            let index = config
                .languages
                .iter()
                .position(|l| l.code == config.lang.code)
                .unwrap_or(0);
            for path in r.page_paths() {
                alternates.entry(path).or_default().push(index);
            }
        }
        let alternates = Arc::new(alternates);
        for r in &renderers {
            let _ = r.alternates.set(alternates.clone());
        }
    }
    let mut outputs = Vec::new();
    let mut errors = Vec::new();
    let mut previous = cache.map(|c| {
        c.rendered.store(0, std::sync::atomic::Ordering::Relaxed);
        std::mem::take(&mut *c.outputs.lock().unwrap_or_else(|e| e.into_inner()))
    });
    let mut next: CachedOutputs = HashMap::default();
    let t = crate::timing::phase("render: pages, manifest");
    let counter = cache.map(|c| &c.rendered);
    // The receiver's manifest follows from the jobs, not their outputs: it
    // is made on one core while the other starts on the pages.
    let (rendered, manifest) = rayon::join(
        || {
            let mut rendered = Vec::new();
            for r in &renderers {
                let code = &r.site.config.lang.code;
                let mut reuse = previous
                    .as_mut()
                    .map(|p| p.remove(code.as_str()).unwrap_or_default());
                rendered.push(r.render_all(reuse.as_mut(), counter, sink));
                if let Some(kept) = reuse {
                    next.insert(code.clone(), kept);
                }
            }
            rendered
        },
        || manifest(sites, theme, &renderers, cache),
    );
    for r in rendered {
        match r {
            Ok(o) => outputs.extend(o),
            Err(e) => errors.extend(e),
        }
    }
    drop(t);
    let t = crate::timing::phase("render: assets");
    match send(sink, manifest) {
        Ok(o) => outputs.push(o),
        Err(e) => errors.push(e),
    }
    // Only a page's path as long as a static file's can be one: the few
    // such pages are looked up among the static files.
    let mut static_lengths =
        vec![false; theme.assets.keys().map(|p| p.len() + 1).max().unwrap_or(0)];
    for p in theme.assets.keys() {
        static_lengths[p.len()] = true;
    }
    let generated: rustc_hash::FxHashSet<&str> = outputs
        .iter()
        .map(|o| &*o.path)
        .filter(|p| static_lengths.get(p.len()) == Some(&true) && theme.assets.contains_key(*p))
        .collect();
    let mut assets = Vec::new();
    for (path, bytes) in &theme.assets {
        if generated.contains(path.as_str()) {
            errors.push(
                Diagnostic::new(
                    format!("static/{path}"),
                    format!("static file `{path}` would overwrite a generated page"),
                )
                .help("rename or move the file: Portico writes this path itself"),
            );
        } else {
            assets.push(Output {
                path: path.as_str().into(),
                bytes: Arc::new(bytes.clone()),
            });
        }
    }
    for o in assets {
        match send(sink, o) {
            Ok(o) => outputs.push(o),
            Err(e) => errors.push(e),
        }
    }
    drop(t);
    if let Some(c) = cache {
        let mut feeds = c.feeds.lock().unwrap_or_else(|e| e.into_inner());
        for r in &renderers {
            if let Some(entries) = r.feed_entries.get() {
                feeds.insert(
                    r.site.config.lang.code.clone(),
                    (r.feeds_key, entries.clone()),
                );
            }
        }
        drop(feeds);
        let mut docs = c.search_docs.lock().unwrap_or_else(|e| e.into_inner());
        for r in &renderers {
            if let Some(d) = r.search_docs.get() {
                docs.insert(r.site.config.lang.code.clone(), (r.search_key, d.clone()));
            }
        }
        drop(docs);
        if errors.is_empty() {
            *c.outputs.lock().unwrap_or_else(|e| e.into_inner()) = next;
        }
    }
    if sink.is_some() {
        // A one-shot build ends soon after this: freeing every card and
        // event one by one would only delay it.
        std::mem::forget(renderers);
    }
    outcome(outputs, errors)
}

/// A hash of the site's fingerprint and the revisions of its files: all of
/// them, or (without `announcements`) those of its services, FAQ topics,
/// surveys and pages.
fn revisions(site: &Site, announcements: bool) -> u64 {
    let mut h = FxHasher::default();
    site.fingerprint.hash(&mut h);
    let (listed, home) = if announcements {
        (site.announcements.as_slice(), site.home.as_ref())
    } else {
        (&[][..], None)
    };
    let sources = site
        .services
        .iter()
        .map(|x| &x.source)
        .chain(listed.iter().map(|x| &x.source))
        .chain(site.faq_topics.iter().map(|x| &x.source))
        .chain(site.surveys.iter().map(|x| &x.source))
        .chain(site.pages.iter().map(|x| &x.source))
        .chain(home.map(|x| &x.source));
    for source in sources {
        (&source.rel, source.rev).hash(&mut h);
    }
    h.finish()
}

/// The outputs, or every error (sorted, once each) when there is any.
fn outcome(
    outputs: Vec<Output>,
    mut errors: Vec<Diagnostic>,
) -> Result<Vec<Output>, Vec<Diagnostic>> {
    if errors.is_empty() {
        Ok(outputs)
    } else {
        errors.sort();
        errors.dedup();
        Err(errors)
    }
}

/// Views shared by many pages, built once per render.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    tr: &'a Strings,
    /// Set once every language's pages are known.
    alternates: OnceLock<Arc<Alternates>>,
    site_view: SiteView,
    /// The theme's templates with this site's `site` and `tr` texts written
    /// in (`Theme::folded`), when it has them.
    folded: Option<Arc<tera::Tera>>,
    announcements: Vec<Arc<AnnouncementCard>>,
    services: Vec<ServiceCard>,
    faq_topics: Vec<FaqCard>,
    surveys: Vec<SurveyCard>,
    /// Indices of announcements shown in lists (not expired), newest first.
    listed: Vec<usize>,
    /// The same, by kind.
    listed_by_kind: HashMap<Kind, Vec<usize>>,
    /// Revision of each announcement's card: its own and its services'.
    card_revs: Vec<u64>,
    /// Revision of everything the site shows, for pages that show much of it.
    all_revs: u64,
    /// Every feed's entries, made on first use.
    feed_entries: OnceLock<Arc<FeedEntries>>,
    /// Each announcement's calendar event (none without a window), made on
    /// first use and shared by the calendars that show it.
    ics_events: Vec<OnceLock<Option<Box<str>>>>,
    /// A feed's items, made by whichever of its RSS and JSON files is
    /// written first and taken out by the other (`feed_items`).
    feed_items: std::sync::Mutex<HashMap<FeedKey, Arc<Vec<feeds::ItemData>>>>,
    /// A hash of what the feeds' entries are made of.
    feeds_key: u64,
    /// Template contexts holding what every page gets (`site`, `tr`), ready
    /// for the next page: each page adds its own values and takes them out
    /// again, so the words and the site are not copied for every page.
    contexts: std::sync::Mutex<Vec<tera::Context>>,
    /// The search documents of all but announcements, made on first use.
    search_docs: OnceLock<Arc<Vec<String>>>,
    /// A hash of what those are made of.
    search_key: u64,
    /// The site's fingerprint, with the clock when a template shows it:
    /// in every page's fingerprint and card's key.
    shown: u64,
    /// The site-wide feed links as template values, made on first use
    /// (`site_feeds`).
    site_feeds: OnceLock<tera::Value>,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Renderer<'a> {
        Renderer::with_cache(site, theme, None)
    }

    /// A renderer that reuses the announcement cards in `cards` whose
    /// announcement, services and site are unchanged, and leaves this
    /// render's cards there.
    pub fn with_cache(
        site: &'a Site,
        theme: &'a Theme,
        cache: Option<&RenderCache>,
    ) -> Renderer<'a> {
        let cards = cache.map(|c| &c.cards);
        let now = site.config.now;
        let tr = theme.i18n.get(&site.config.lang.code);
        // What every page and card is made of; with a template that shows
        // the moment of the build, the clock to the minute too.
        let shown = {
            let mut h = FxHasher::default();
            site.fingerprint.hash(&mut h);
            if theme.shows_clock {
                (now.ts.as_second() / 60).hash(&mut h);
            }
            h.finish()
        };
        let card_revs: Vec<u64> = site
            .announcements
            .iter()
            .map(|a| {
                let mut h = FxHasher::default();
                a.source.rev.hash(&mut h);
                for id in &a.front.services {
                    match site.service_index.get(id) {
                        Some(&i) => site.services[i].source.rev.hash(&mut h),
                        // A service shown from another language.
                        None => site
                            .foreign_services
                            .get(id)
                            .map(|f| (&f.title, f.lifecycle.as_str()))
                            .hash(&mut h),
                    }
                }
                h.finish()
            })
            .collect();
        // Feeds are made of the announcements (their revisions cover their
        // services, tags, audiences and dates), in the site's order and clock.
        let feeds_key = {
            let mut h = FxHasher::default();
            (site.fingerprint, &card_revs).hash(&mut h);
            h.finish()
        };
        let lang = &site.config.lang.code;
        let mut earlier = cards
            .and_then(|c| c.lock().unwrap_or_else(|e| e.into_inner()).remove(lang))
            .unwrap_or_default();
        let card_keys: Vec<u64> = card_revs
            .iter()
            .map(|rev| {
                let mut h = FxHasher::default();
                (rev, shown).hash(&mut h);
                h.finish()
            })
            .collect();
        // (card, whether it is new)
        // Handed out a few at a time, so that no core is left with a long
        // run of cards at the end while the other waits.
        // The templates are folded for this site meanwhile.
        let site_view = SiteView::new(site, tr);
        let (folded, made) = rayon::join(
            || theme.folded(&site_view, tr),
            || -> Vec<(Arc<AnnouncementCard>, bool)> {
                site.announcements
                    .par_iter()
                    .zip(&card_keys)
                    .with_max_len(CARDS_PER_PIECE)
                    .map(|(a, key)| match earlier.get(&a.slug) {
                        Some((k, card)) if k == key => (card.clone(), false),
                        _ => (Arc::new(AnnouncementCard::new(site, tr, a)), true),
                    })
                    .collect()
            },
        );
        if let Some(c) = cards {
            for ((a, (card, new)), key) in site.announcements.iter().zip(&made).zip(&card_keys) {
                if *new {
                    earlier.insert(a.slug.clone(), (*key, card.clone()));
                }
            }
            if earlier.len() > made.len() {
                let present: std::collections::HashSet<&str> =
                    site.announcements.iter().map(|a| a.slug.as_str()).collect();
                earlier.retain(|slug, _| present.contains(slug.as_str()));
            }
            c.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(lang.clone(), earlier);
        }
        let announcements: Vec<Arc<AnnouncementCard>> =
            made.into_iter().map(|(card, _)| card).collect();
        // Search documents other than announcements: from the services,
        // FAQ topics, surveys and pages (and the URLs and clock).
        let search_key = revisions(site, false);
        Renderer {
            ics_events: site.announcements.iter().map(|_| OnceLock::new()).collect(),
            feed_items: Default::default(),
            contexts: std::sync::Mutex::new(Vec::new()),
            site_feeds: OnceLock::new(),
            search_docs: {
                let lock = OnceLock::new();
                let earlier = cache.and_then(|c| {
                    let docs = c.search_docs.lock().unwrap_or_else(|e| e.into_inner());
                    docs.get(&site.config.lang.code)
                        .filter(|(key, _)| *key == search_key)
                        .map(|(_, d)| d.clone())
                });
                if let Some(d) = earlier {
                    let _ = lock.set(d);
                }
                lock
            },
            search_key,
            shown,
            feed_entries: {
                let earlier = cache.and_then(|c| {
                    let feeds = c.feeds.lock().unwrap_or_else(|e| e.into_inner());
                    feeds
                        .get(&site.config.lang.code)
                        .filter(|(key, _)| *key == feeds_key)
                        .map(|(_, entries)| entries.clone())
                });
                let lock = OnceLock::new();
                if let Some(entries) = earlier {
                    let _ = lock.set(entries);
                }
                lock
            },
            feeds_key,
            site,
            theme,
            tr,
            alternates: OnceLock::new(),
            folded,
            site_view,
            announcements,
            services: {
                // A category's name here: from a service written in this language.
                let mut names: HashMap<&str, &str> = HashMap::default();
                for s in &site.services {
                    if site.foreign_lang(&s.source).is_none() {
                        names.entry(&s.category_key).or_insert(&s.front.category);
                    }
                }
                site.services
                    .iter()
                    .map(|s| {
                        let name = names
                            .get(s.category_key.as_str())
                            .copied()
                            .unwrap_or(&s.front.category);
                        ServiceCard::new(site, tr, s, name)
                    })
                    .collect()
            },
            faq_topics: site
                .faq_topics
                .iter()
                .map(|f| FaqCard::new(site, f))
                .collect(),
            surveys: site
                .surveys
                .iter()
                .map(|s| SurveyCard::new(site, tr, s))
                .collect(),
            listed: (0..site.announcements.len())
                .filter(|&i| !site.announcements[i].is_expired(now))
                .collect(),
            card_revs,
            all_revs: revisions(site, true),
            listed_by_kind: {
                let mut by_kind: HashMap<Kind, Vec<usize>> = HashMap::default();
                for (i, a) in site.announcements.iter().enumerate() {
                    if !a.is_expired(now) {
                        by_kind.entry(a.front.kind).or_default().push(i);
                    }
                }
                by_kind
            },
        }
    }

    fn per_page(&self) -> usize {
        self.site.config.file.paginate
    }

    fn listed_of_kind(&self, kind: Option<Kind>) -> &[usize] {
        match kind {
            None => &self.listed,
            Some(k) => self.listed_by_kind.get(&k).map_or(&[], Vec::as_slice),
        }
    }

    /// Every page of the site, in a fixed order.
    pub fn jobs(&self) -> Vec<Job> {
        let site = self.site;
        let pages = |n: usize| n.div_ceil(self.per_page()).max(1);
        let mut jobs = vec![Job::Home];
        for page in 1..=pages(self.listed.len()) {
            jobs.push(Job::Announcements { kind: None, page });
        }
        for &kind in Kind::ALL {
            for page in 1..=pages(self.listed_of_kind(Some(kind)).len()) {
                jobs.push(Job::Announcements {
                    kind: Some(kind),
                    page,
                });
            }
        }
        jobs.extend((0..site.announcements.len()).map(Job::Announcement));
        jobs.push(Job::Catalog);
        jobs.push(Job::Compare);
        jobs.extend((0..site.services.len()).map(Job::Service));
        jobs.push(Job::FaqIndex);
        jobs.extend((0..site.faq_topics.len()).map(Job::FaqTopic));
        jobs.push(Job::Surveys);
        jobs.extend((0..site.surveys.len()).map(Job::Survey));
        jobs.extend((0..site.surveys.len()).map(Job::SurveyThanks));
        jobs.extend((0..site.pages.len()).map(Job::Page));
        jobs.push(Job::Tags);
        for (slug, tag) in &site.tags {
            for page in 1..=pages(tag.announcements.len()) {
                jobs.push(Job::Tag {
                    slug: slug.clone(),
                    page,
                });
            }
        }
        jobs.push(Job::Subscribe);
        jobs.push(Job::NotFound);
        jobs.push(Job::Sitemap);
        // Each feed's JSON file first: it only reads the items that both
        // files share (`feed_items`), which the RSS file, written after it,
        // can then take over without copying them.
        for key in feeds::keys(site) {
            jobs.push(Job::Feed {
                key: key.clone(),
                format: FeedFormat::Json,
            });
            jobs.push(Job::Feed {
                key,
                format: FeedFormat::Rss,
            });
        }
        jobs.push(Job::Calendar(CalendarKey::All));
        jobs.extend((0..site.services.len()).map(|i| Job::Calendar(CalendarKey::Service(i))));
        jobs.push(Job::CatalogJson);
        jobs.push(Job::Search);
        jobs.push(Job::SearchIndex);
        jobs
    }

    /// The RSS and JSON feeds of `key`.
    pub fn feed_links(&self, key: &FeedKey) -> Vec<FeedLink> {
        let folder = feeds::folder(self.site, key);
        let (label, title, _) = feeds::describe(self.site, self.tr, key);
        [FeedFormat::Rss, FeedFormat::Json]
            .into_iter()
            .map(|f| {
                let rel = format!("{folder}{}", f.file());
                FeedLink {
                    title: match f {
                        FeedFormat::Rss => title.clone(),
                        FeedFormat::Json => format!("{title} (JSON Feed)"),
                    },
                    label: label.clone(),
                    url: self.site.config.url(&rel),
                    permalink: self.site.config.permalink(&rel),
                    mime: f.mime(),
                    kind: match f {
                        FeedFormat::Rss => "rss",
                        FeedFormat::Json => "json",
                    },
                    webcal: None,
                }
            })
            .collect()
    }

    /// The maintenance calendar of `key`.
    pub fn calendar_link(&self, key: CalendarKey) -> FeedLink {
        let c = &self.site.config;
        let rel = calendar::path(self.site, key);
        let permalink = c.permalink(&rel);
        let webcal = permalink
            .strip_prefix("https://")
            .or_else(|| permalink.strip_prefix("http://"))
            .map(|rest| format!("webcal://{rest}"));
        FeedLink {
            title: match key {
                CalendarKey::All => format!("{}: maintenance calendar", c.file.title),
                CalendarKey::Service(i) => {
                    format!("{} maintenance calendar", self.site.services[i].front.title)
                }
            },
            label: match key {
                CalendarKey::All => "maintenance".to_owned(),
                CalendarKey::Service(i) => self.site.services[i].front.title.clone(),
            },
            url: c.url(&rel),
            permalink,
            mime: "text/calendar",
            kind: "ics",
            webcal,
        }
    }

    /// The site-wide feeds every page offers, as template values made once
    /// per render and shared by every page's `page.feeds`.
    fn site_feeds(&self) -> &tera::Value {
        self.site_feeds.get_or_init(|| {
            let mut links = self.feed_links(&FeedKey::All);
            links.push(self.calendar_link(CalendarKey::All));
            tera::Value::from_serializable(&links)
        })
    }

    /// Renders every job of this language, at paths under its prefix.
    /// With `reuse` (the pages of an earlier render and their
    /// fingerprints), only the jobs whose fingerprint changed are rendered;
    /// `reuse` is updated to hold this render's pages for the next one.
    /// With a `sink`, each page rendered now goes there as soon as it is made
    /// and only its path is returned (`Reuse` gives one or the other).
    pub fn render_all(
        &self,
        reuse: Option<&mut CachedPages>,
        rendered: Option<&std::sync::atomic::AtomicUsize>,
        sink: Option<Sink>,
    ) -> Result<Vec<Output>, Vec<Diagnostic>> {
        let prefix = Config::language_prefix(&self.site.config.lang);
        let jobs = self.jobs();
        let earlier = reuse.as_deref();
        // Each job's place in the earlier render: its own place when the
        // jobs are those of then, else looked up.
        let aligned = earlier.is_some_and(|e| e.jobs == jobs);
        let places: HashMap<u64, usize> = match earlier {
            Some(e) if !aligned => e
                .pages
                .iter()
                .enumerate()
                .filter_map(|(k, page)| Some((page.as_ref()?.0, k)))
                .collect(),
            _ => HashMap::default(),
        };
        let earlier_page = |i: usize, fp: u64| -> Option<&(u64, Output)> {
            let e = earlier?;
            let k = if aligned { i } else { *places.get(&fp)? };
            e.pages.get(k)?.as_ref()
        };
        // Jobs differ in cost (a feed takes as long as a hundred pages): the
        // costly ones are started first, and pieces of a few jobs each let
        // an idle core take work from a busy one until the end (rayon's
        // default split left one core a quarter of the list, the feeds
        // among it, to finish alone).
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].cost()));
        let done: Vec<JobResult> = order
            .par_iter()
            .with_max_len(JOBS_PER_PIECE)
            .map(|&i| {
                let j = &jobs[i];
                let fp = earlier.map(|_| self.fingerprint(j));
                if let Some((old_fp, out)) = fp.and_then(|fp| earlier_page(i, fp)) {
                    if Some(*old_fp) == fp {
                        return Ok((out.clone(), fp, false));
                    }
                }
                if let Some(n) = rendered {
                    n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                let _t = crate::timing::job(|| format!("render {j:?}"));
                let mut o = self.render(j)?;
                if !prefix.is_empty() {
                    o.path = format!("{prefix}{}", o.path).into();
                }
                Ok((send(sink, o)?, fp, true))
            })
            .collect();
        // Back in the jobs' order.
        let mut results: Vec<Option<JobResult>> = (0..jobs.len()).map(|_| None).collect();
        for (i, r) in order.into_iter().zip(done) {
            results[i] = Some(r);
        }
        let results = results.into_iter().flatten();
        drop(places);
        // What the next render finds: the pages rendered now put in their
        // places, or (when the jobs changed) every page in the new order.
        let mut kept = reuse;
        if let (Some(kept), false) = (kept.as_deref_mut(), aligned) {
            kept.pages.clear();
        }
        let mut outputs = Vec::with_capacity(jobs.len());
        let mut errors = Vec::new();
        for (i, r) in results.enumerate() {
            let page = match r {
                Ok((o, fp, fresh)) => {
                    let page = fp.filter(|_| fresh || !aligned).map(|fp| (fp, o.clone()));
                    outputs.push(o);
                    page
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            if let Some(kept) = kept.as_deref_mut() {
                if !aligned {
                    kept.pages.push(page);
                } else if page.is_some() {
                    kept.pages[i] = page;
                }
            }
        }
        if let Some(kept) = kept {
            if !aligned {
                kept.jobs = jobs;
            }
        }
        outcome(outputs, errors)
    }

    /// A hash of everything `job`'s output is made from: when it is the same
    /// as in an earlier render (same theme and config), so is the output.
    /// It names the page: a job of an item by its kind (the item's
    /// revision, which holds its file's name, follows), any other by the
    /// job itself.
    pub fn fingerprint(&self, job: &Job) -> u64 {
        let site = self.site;
        let mut h = FxHasher::default();
        self.shown.hash(&mut h);
        // Its language links: which languages have the same page.
        if let Some(alternates) = self.alternates.get() {
            let rel = match job {
                Job::NotFound => Some("404.html".to_owned()),
                Job::SurveyThanks(i) => Some(paths::survey_thanks(&site.surveys[*i].id)),
                other => self.job_path(other),
            };
            rel.and_then(|rel| alternates.get(&rel)).hash(&mut h);
        }
        match job {
            Job::Announcement(_)
            | Job::Service(_)
            | Job::FaqTopic(_)
            | Job::Survey(_)
            | Job::SurveyThanks(_)
            | Job::Page(_) => std::mem::discriminant(job).hash(&mut h),
            other => other.hash(&mut h),
        }
        let cards = |h: &mut FxHasher, indices: &[usize]| {
            indices.len().hash(h);
            for &i in indices {
                self.card_revs[i].hash(h);
            }
        };
        let service_revs = |h: &mut FxHasher, ids: &[String]| {
            for id in ids {
                site.service_index
                    .get(id)
                    .map(|&i| site.services[i].source.rev)
                    .hash(h);
            }
        };
        match job {
            Job::Announcements { kind, page } => {
                let indices = self.listed_of_kind(*kind);
                indices.len().hash(&mut h);
                let start = (page - 1) * self.per_page();
                let end = (start + self.per_page()).min(indices.len());
                cards(&mut h, indices.get(start..end).unwrap_or(&[]));
            }
            Job::Announcement(i) => cards(&mut h, &[*i]),
            Job::Service(i) => {
                let r = &site.related[*i];
                site.services[*i].source.rev.hash(&mut h);
                cards(&mut h, &r.announcements);
                for &j in r.replaces.iter().chain(&r.replaced_by) {
                    site.services[j].source.rev.hash(&mut h);
                }
                for &j in &r.faq_topics {
                    site.faq_topics[j].source.rev.hash(&mut h);
                }
                for &j in &r.surveys {
                    site.surveys[j].source.rev.hash(&mut h);
                }
            }
            Job::FaqTopic(i) => {
                site.faq_topics[*i].source.rev.hash(&mut h);
                service_revs(&mut h, &site.faq_topics[*i].front.services);
            }
            Job::Survey(i) | Job::SurveyThanks(i) => {
                site.surveys[*i].source.rev.hash(&mut h);
                service_revs(&mut h, &site.surveys[*i].front.services);
            }
            Job::Page(i) => site.pages[*i].source.rev.hash(&mut h),
            Job::Tag { slug, page } => match site.tags.get(slug) {
                Some(tag) => {
                    tag.announcements.len().hash(&mut h);
                    let start = (page - 1) * self.per_page();
                    let end = (start + self.per_page()).min(tag.announcements.len());
                    cards(&mut h, tag.announcements.get(start..end).unwrap_or(&[]));
                    for &j in &tag.services {
                        site.services[j].source.rev.hash(&mut h);
                    }
                    for &j in &tag.faq_topics {
                        site.faq_topics[j].source.rev.hash(&mut h);
                    }
                }
                None => self.all_revs.hash(&mut h),
            },
            Job::Feed { key, .. } => {
                if let FeedKey::Service(i) = key {
                    site.services[*i].source.rev.hash(&mut h);
                }
                let entries = self.feed_entries(key);
                entries.len().hash(&mut h);
                for &e in entries {
                    let (feeds::Entry::Announcement(i) | feeds::Entry::Update(i, _)) = e;
                    self.card_revs[i].hash(&mut h);
                }
            }
            Job::Calendar(key) => {
                if let CalendarKey::Service(i) = key {
                    site.services[*i].source.rev.hash(&mut h);
                }
                // Its events in the site's order, not sorted as the
                // calendar shows them: that order follows from their
                // windows and slugs, which their revisions and the site's
                // URLs (in every fingerprint) cover.
                cards(&mut h, &calendar::members(site, *key));
            }
            Job::Catalog | Job::Compare | Job::CatalogJson => {
                for x in &site.services {
                    x.source.rev.hash(&mut h);
                }
            }
            // The layout and fixed words only.
            Job::NotFound => {}
            Job::Tags => {
                for t in site.tags.values() {
                    (
                        &t.name,
                        t.announcements.len(),
                        t.services.len(),
                        t.faq_topics.len(),
                    )
                        .hash(&mut h);
                }
            }
            Job::FaqIndex | Job::Search => {
                for x in &site.faq_topics {
                    x.source.rev.hash(&mut h);
                }
                if *job == Job::Search {
                    for x in &site.services {
                        x.source.rev.hash(&mut h);
                    }
                }
            }
            Job::Surveys => {
                for x in &site.surveys {
                    x.source.rev.hash(&mut h);
                }
            }
            // Every feed's name, and the services' calendars.
            Job::Subscribe => {
                feeds::keys(site).hash(&mut h);
                site.audiences.hash(&mut h);
                for t in site.tags.values() {
                    t.name.hash(&mut h);
                }
                for x in &site.services {
                    x.source.rev.hash(&mut h);
                }
            }
            // Every page's path, and when announcements last changed.
            Job::Sitemap => {
                // The pages' paths (a file renamed keeps its place).
                (self.jobs(), site.urls).hash(&mut h);
                for a in &site.announcements {
                    (a.date, a.updated, a.updates.first().map(|u| u.at)).hash(&mut h);
                }
            }
            // Pages that show (or count) much of the site.
            Job::Home | Job::SearchIndex => self.all_revs.hash(&mut h),
        }
        h.finish()
    }

    /// The site paths of this language's pages.
    pub fn page_paths(&self) -> Vec<String> {
        self.jobs()
            .iter()
            .filter_map(|j| self.job_path(j))
            .collect()
    }

    fn languages(&self, rel: &str) -> Vec<LanguageLink> {
        let config = &self.site.config;
        if config.languages.len() < 2 {
            return Vec::new();
        }
        let here = self.alternates.get().and_then(|a| a.get(rel));
        config
            .languages
            .iter()
            .enumerate()
            .map(|(i, lang)| {
                let theirs = config.for_language(lang);
                let available = here.is_some_and(|langs| langs.contains(&i));
                let path = if available { rel } else { "" };
                LanguageLink {
                    code: lang.code.clone(),
                    name: lang.name.clone().unwrap_or_else(|| {
                        self.theme
                            .i18n
                            .get(&lang.code)
                            .t("language_name")
                            .to_owned()
                    }),
                    url: theirs.url(path),
                    permalink: theirs.permalink(path),
                    current: lang.code == config.lang.code,
                    available,
                }
            })
            .collect()
    }

    fn meta(&self, rel: &str, title: &str, description: &str, section: &'static str) -> Meta {
        let c = &self.site.config;
        Meta {
            title: title.to_owned(),
            description: if description.is_empty() {
                c.file.description.clone()
            } else {
                description.to_owned()
            },
            url: c.url(rel),
            permalink: c.permalink(rel),
            section,
            og_type: "website",
            feeds: self.site_feeds().clone(),
            languages: self.languages(rel),
        }
    }

    /// `meta` with `own` feeds offered before the site's.
    fn with_feeds(&self, mut meta: Meta, own: Vec<FeedLink>) -> Meta {
        let mut all: Vec<tera::Value> = own.iter().map(tera::Value::from_serializable).collect();
        all.extend(meta.feeds.as_array().unwrap_or_default().iter().cloned());
        meta.feeds = all.into();
        meta
    }

    fn page(
        &self,
        template: &str,
        rel: &str,
        meta: Meta,
        data: impl Serialize,
    ) -> Result<Output, Diagnostic> {
        let html = self.render_template(template, Some(&meta), data, Vec::new(), || {
            format!("/{rel}")
        })?;
        Ok(page_output(rel, html))
    }

    /// `page`, with lists of announcement cards (from `card_list`) beside
    /// the fields of `data`, their headings at `level`.
    fn page_with_cards(
        &self,
        template: &str,
        rel: &str,
        meta: Meta,
        data: impl Serialize,
        cards: Vec<(&'static str, tera::Value)>,
        level: CardHeading,
    ) -> Result<Output, Diagnostic> {
        let html =
            self.render_template(template, Some(&meta), data, cards, || format!("/{rel}"))?;
        Ok(page_output(rel, level.apply(html)))
    }

    /// `template` rendered with `site`, `tr`, `page` (when given), the
    /// fields of `data` and the `values` made already; `what` names the
    /// result in an error. Bytes, as they are written: tera writes text
    /// only, and a page need not be checked for UTF-8 again.
    fn render_template(
        &self,
        template: &str,
        meta: Option<&Meta>,
        data: impl Serialize,
        values: Vec<(&'static str, tera::Value)>,
        what: impl Fn() -> String,
    ) -> Result<Vec<u8>, Diagnostic> {
        // Straight into tera's own values: no JSON tree in between.
        let Some(data) = tera::Value::from_serializable(&data).into_map() else {
            return Err(Diagnostic::new(
                format!("templates/{template}"),
                "the page's data is not a map",
            ));
        };
        let keys: Vec<String> = data
            .keys()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .chain(values.iter().map(|(k, _)| (*k).to_owned()))
            .collect();
        let pool = || self.contexts.lock().unwrap_or_else(|e| e.into_inner());
        let popped = pool().pop();
        let mut ctx = popped.unwrap_or_else(|| {
            let mut ctx = tera::Context::new();
            ctx.insert("site", &self.site_view);
            ctx.insert("tr", self.tr);
            ctx
        });
        match meta {
            Some(meta) => ctx.insert("page", meta),
            None => {
                ctx.remove("page");
            }
        }
        for (k, v) in data {
            if let Some(k) = k.as_str() {
                ctx.insert_value(k.to_owned(), v);
            }
        }
        for (k, v) in values {
            ctx.insert_value(k, v);
        }
        // A page's frame alone is some 6 KB; a card is smaller.
        let mut html = Vec::with_capacity(if meta.is_some() { 16 << 10 } else { 2 << 10 });
        // The folded templates hold this renderer's `site` and `tr`: not
        // for data that brings its own.
        let own = keys.iter().any(|k| k == "site" || k == "tr");
        let folded = self.folded.as_deref().filter(|_| !own);
        let mut rendered = match folded {
            Some(tera) => tera.render_to(template, &ctx, &mut html),
            None => self.theme.tera.render_to(template, &ctx, &mut html),
        };
        if rendered.is_err() && folded.is_some() {
            // The error as the theme's own templates give it: the folded
            // ones have other columns.
            html.clear();
            rendered = self.theme.tera.render_to(template, &ctx, &mut html);
        }
        let html = match rendered {
            Ok(()) => Ok(html),
            Err(e) => Err(Diagnostic::new(
                format!("templates/{template}"),
                format!("cannot render {}: {}", what(), error_chain(&e)),
            )),
        };
        // Back to the pool without these values, unless they replaced the
        // shared ones.
        if !own {
            for key in &keys {
                ctx.remove(key);
            }
            pool().push(ctx);
        }
        html
    }

    /// The cards of these announcements as a list of template values
    /// (their HTML), from the theme's `announcement_card.html`: each card
    /// is rendered once, its heading's element left as `CARD_HEADING` for
    /// the page to set (`page_with_cards`), and the same value is shared by
    /// every list that shows it.
    fn card_list(&self, indices: &[usize]) -> Result<tera::Value, Diagnostic> {
        let cards = indices
            .iter()
            .map(|&i| {
                let card = &*self.announcements[i];
                let made = card.html.get_or_init(|| {
                    #[derive(Serialize)]
                    struct Data<'a> {
                        a: &'a AnnouncementCard,
                        heading: &'static str,
                    }
                    let data = Data {
                        a: card,
                        heading: views::CARD_HEADING,
                    };
                    self.render_template("announcement_card.html", None, data, Vec::new(), || {
                        format!("the card of {}", card.url)
                    })
                    // Always whole text (tera writes `str`s): checked as
                    // such (quickly, unlike a lossy conversion, which goes
                    // character by character), never replaced.
                    .map(|html| match std::str::from_utf8(&html) {
                        Ok(text) => tera::Value::normal_string(text),
                        Err(_) => tera::Value::normal_string(&String::from_utf8_lossy(&html)),
                    })
                });
                made.clone()
            })
            .collect::<Result<Vec<tera::Value>, Diagnostic>>()?;
        Ok(cards.into())
    }

    /// A page whose title and description are the words `title_NAME` and
    /// `desc_NAME`.
    fn index_page(
        &self,
        template: &str,
        rel: &str,
        name: &str,
        section: &'static str,
        data: impl Serialize,
    ) -> Result<Output, Diagnostic> {
        let meta = self.meta(
            rel,
            self.tr.t(&format!("title_{name}")),
            self.tr.t(&format!("desc_{name}")),
            section,
        );
        self.page(template, rel, meta, data)
    }

    /// The items of `key`'s feed: made here for the first of its two files,
    /// and let go once the second has them.
    fn feed_items(&self, key: &FeedKey) -> Arc<Vec<feeds::ItemData>> {
        let lock = || self.feed_items.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(items) = lock().remove(key) {
            return items;
        }
        let items = Arc::new(feeds::items(self.site, self.tr, self.feed_entries(key)));
        let mut made = lock();
        // Made by both at once: both files have them, none is kept.
        if made.remove(key).is_none() {
            made.insert(key.clone(), items.clone());
        }
        items
    }

    /// A feed's entries, from every feed's computed once per render.
    fn feed_entries(&self, key: &FeedKey) -> &[feeds::Entry] {
        let all = self
            .feed_entries
            .get_or_init(|| Arc::new(feeds::all_entries(self.site)));
        match all.get(key) {
            Some(e) => e,
            // An audience no announcement names gets those for everyone.
            None if matches!(key, FeedKey::Audience(_)) => all
                .get(&FeedKey::Audience(String::new()))
                .map_or(&[], Vec::as_slice),
            None => &[],
        }
    }

    fn service_refs(&self, ids: &[String]) -> Vec<ServiceRef> {
        ServiceRef::list(self.site, self.tr, ids)
    }

    fn service_cards(&self, indices: &[usize]) -> Vec<&ServiceCard> {
        indices.iter().map(|&i| &self.services[i]).collect()
    }

    pub fn render(&self, job: &Job) -> Result<Output, Diagnostic> {
        let site = self.site;
        let c = &site.config;
        let now = c.now;
        match job {
            Job::Home => {
                let home = site.home.as_ref();
                let pinned: Vec<usize> = self
                    .listed
                    .iter()
                    .copied()
                    .filter(|&i| site.announcements[i].front.pinned)
                    .collect();
                let latest: Vec<usize> = self
                    .listed
                    .iter()
                    .copied()
                    .filter(|&i| !site.announcements[i].front.pinned)
                    .take(6)
                    .collect();
                let mut upcoming: Vec<usize> = (0..site.announcements.len())
                    .filter(|&i| {
                        let a = &site.announcements[i];
                        !a.is_expired(now)
                            && matches!(a.status(now), Some(Status::Scheduled | Status::InProgress))
                    })
                    .collect();
                upcoming.sort_by_key(|&i| site.announcements[i].window.map(|w| w.start));
                upcoming.truncate(6);
                let featured: Vec<usize> = if c.file.featured.is_empty() {
                    let mut live: Vec<usize> = (0..site.services.len())
                        .filter(|&i| {
                            site.services[i].front.lifecycle
                                == crate::content::service::Lifecycle::Live
                        })
                        .collect();
                    live.sort_by_key(|&i| {
                        (site.services[i].front.weight, &site.services[i].front.title)
                    });
                    live.truncate(6);
                    live
                } else {
                    c.file
                        .featured
                        .iter()
                        .filter_map(|id| site.service_index.get(id).copied())
                        .collect()
                };
                let open: Vec<&SurveyCard> = site
                    .surveys
                    .iter()
                    .zip(&self.surveys)
                    .filter(|(s, _)| s.state(now) == SurveyState::Open)
                    .map(|(_, card)| card)
                    .collect();
                #[derive(Serialize)]
                struct Data<'a> {
                    intro: &'a str,
                    heading: &'a str,
                    featured: Vec<&'a ServiceCard>,
                    open_surveys: Vec<&'a SurveyCard>,
                }
                let heading = home
                    .and_then(|h| h.front.title.as_deref())
                    .unwrap_or(&c.file.title);
                let description = home
                    .and_then(|h| h.front.summary.clone())
                    .unwrap_or_default();
                let meta = self.meta("", &c.file.title, &description, "home");
                let data = Data {
                    intro: home.map_or("", |h| h.body.html.as_str()),
                    heading,
                    featured: self.service_cards(&featured),
                    open_surveys: open,
                };
                let cards = vec![
                    ("pinned", self.card_list(&pinned)?),
                    ("latest", self.card_list(&latest)?),
                    ("upcoming", self.card_list(&upcoming)?),
                ];
                self.page_with_cards("home.html", "", meta, data, cards, CardHeading::H3)
            }
            Job::Announcements { kind, page } => {
                let indices = self.listed_of_kind(*kind);
                let base = match kind {
                    Some(k) => paths::kind(k.as_str()),
                    None => "announcements/".to_owned(),
                };
                let total = indices.len().div_ceil(self.per_page()).max(1);
                let start = (page - 1) * self.per_page();
                let shown: Vec<usize> = indices
                    .iter()
                    .copied()
                    .skip(start)
                    .take(self.per_page())
                    .collect();
                #[derive(Serialize)]
                struct KindLink {
                    value: &'static str,
                    label: &'static str,
                    url: String,
                    active: bool,
                }
                #[derive(Serialize)]
                struct Data {
                    heading: String,
                    pagination: Pagination,
                    kinds: Vec<KindLink>,
                    all_url: String,
                    kind: Option<&'static str>,
                }
                let tr = self.tr;
                let heading = match kind {
                    Some(k) => tr.t(&format!("kinds_{}", k.as_str())).to_owned(),
                    None => tr.t("title_announcements").to_owned(),
                };
                let title = if *page > 1 {
                    tr.f(
                        "title_page_n",
                        &[("title", &heading), ("n", &page.to_string())],
                    )
                } else {
                    heading.clone()
                };
                let rel = paths::paginated(&base, *page);
                let meta = self.meta(&rel, &title, "", "announcements");
                let meta = match kind {
                    Some(k) => self.with_feeds(meta, self.feed_links(&FeedKey::Kind(*k))),
                    None => meta,
                };
                let data = Data {
                    heading,
                    pagination: Pagination::new(site, &base, *page, total),
                    kinds: Kind::ALL
                        .iter()
                        .map(|k| KindLink {
                            value: k.as_str(),
                            label: k.label(),
                            url: c.url(&paths::kind(k.as_str())),
                            active: Some(*k) == *kind,
                        })
                        .collect(),
                    all_url: c.url("announcements/"),
                    kind: kind.map(|k| k.as_str()),
                };
                let cards = vec![("items", self.card_list(&shown)?)];
                self.page_with_cards(
                    "announcements.html",
                    &rel,
                    meta,
                    data,
                    cards,
                    CardHeading::H2,
                )
            }
            Job::Announcement(i) => {
                let a = &site.announcements[*i];
                #[derive(Serialize)]
                struct UpdateView<'a> {
                    id: String,
                    at: DateView,
                    html: &'a str,
                }
                #[derive(Serialize)]
                struct Data<'a> {
                    announcement: &'a AnnouncementCard,
                    toc: &'a [crate::markdown::Heading],
                    author: Option<&'a str>,
                    updated: Option<DateView>,
                    expires: Option<DateView>,
                    expired: bool,
                    audience: Vec<String>,
                    updates: Vec<UpdateView<'a>>,
                    tags: Vec<TagRef>,
                }
                let card = &*self.announcements[*i];
                let rel = paths::announcement(&a.slug);
                let mut meta = self.meta(&rel, &a.front.title, &card.summary, "announcements");
                meta.og_type = "article";
                let data = Data {
                    announcement: card,
                    toc: a.body.toc(),
                    author: a.front.author.as_deref(),
                    updated: a.updated.map(|u| DateView::new(site, self.tr, u)),
                    expires: a.expires.map(|u| DateView::new(site, self.tr, u)),
                    expired: a.is_expired(now),
                    audience: a.audiences(),
                    updates: a
                        .updates
                        .iter()
                        .map(|u| UpdateView {
                            id: format!("update-{}", feeds::update_stamp(u.at)),
                            at: DateView::new(site, self.tr, u.at),
                            html: &u.html,
                        })
                        .collect(),
                    tags: tag_refs(site, &a.front.tags),
                };
                // The body as the value it already is, not copied.
                let content = vec![("content", a.body.html.value())];
                let html =
                    self.render_template("announcement.html", Some(&meta), data, content, || {
                        format!("/{rel}")
                    })?;
                Ok(page_output(&rel, html))
            }
            Job::Catalog => {
                #[derive(Serialize)]
                struct Category<'a> {
                    name: &'a str,
                    id: String,
                    services: Vec<&'a ServiceCard>,
                }
                #[derive(Serialize)]
                struct Choice<'a> {
                    value: &'static str,
                    label: &'a str,
                }
                #[derive(Serialize)]
                struct Data<'a> {
                    categories: Vec<Category<'a>>,
                    compare_url: String,
                    count: usize,
                    lifecycles: Vec<Choice<'a>>,
                    deliveries: Vec<Choice<'a>>,
                }
                let mut categories: Vec<Category> = Vec::new();
                for card in &self.services {
                    match categories.last_mut() {
                        Some(cat) if cat.id == card.category_id => cat.services.push(card),
                        _ => categories.push(Category {
                            name: &card.category,
                            id: card.category_id.clone(),
                            services: vec![card],
                        }),
                    }
                }
                let meta = self.meta(
                    "services/",
                    self.tr.t("title_catalog"),
                    self.tr.t("desc_catalog"),
                    "services",
                );
                // The filters offer the values the catalog has, in their order.
                let services = &self.services;
                let choices = |pick: fn(&ServiceCard) -> &Badge, order: Vec<&'static str>| {
                    let mut seen: Vec<Choice> = Vec::new();
                    for value in order {
                        if let Some(card) = services.iter().find(|s| pick(s).value == value) {
                            seen.push(Choice {
                                value,
                                label: &pick(card).label,
                            });
                        }
                    }
                    seen
                };
                let lifecycles: Vec<&'static str> = crate::content::service::Lifecycle::ALL
                    .iter()
                    .map(|l| l.as_str())
                    .collect();
                let deliveries: Vec<&'static str> = crate::content::service::Delivery::ALL
                    .iter()
                    .map(|d| d.as_str())
                    .collect();
                let data = Data {
                    categories,
                    compare_url: c.url("services/compare/"),
                    count: self.services.len(),
                    lifecycles: choices(|s| &s.lifecycle, lifecycles),
                    deliveries: choices(|s| &s.delivery, deliveries),
                };
                self.page("catalog.html", "services/", meta, data)
            }
            Job::Compare => {
                #[derive(Serialize)]
                struct Move<'a> {
                    from: &'a ServiceCard,
                    to: Vec<&'a ServiceCard>,
                }
                #[derive(Serialize)]
                struct Data<'a> {
                    services: &'a [ServiceCard],
                    moves: Vec<Move<'a>>,
                }
                // Legacy, retiring and retired services beside their successors.
                let moves = site
                    .related
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !r.replaced_by.is_empty())
                    .map(|(i, r)| Move {
                        from: &self.services[i],
                        to: r.replaced_by.iter().map(|&j| &self.services[j]).collect(),
                    })
                    .collect();
                let data = Data {
                    services: &self.services,
                    moves,
                };
                self.index_page(
                    "compare.html",
                    "services/compare/",
                    "compare",
                    "services",
                    data,
                )
            }
            Job::Service(i) => {
                let s = &site.services[*i];
                let r = &site.related[*i];
                #[derive(Serialize)]
                struct Data<'a> {
                    service: &'a ServiceCard,
                    content: &'a str,
                    toc: &'a [crate::markdown::Heading],
                    contact: Option<&'a str>,
                    contact_url: Option<&'a str>,
                    request_url: Option<&'a str>,
                    audience: &'a [String],
                    links: &'a [crate::content::Link],
                    replaces: Vec<&'a ServiceCard>,
                    replaced_by: Vec<&'a ServiceCard>,
                    faq_topics: Vec<&'a FaqCard>,
                    surveys: Vec<&'a SurveyCard>,
                    tags: Vec<TagRef>,
                }
                let card = &self.services[*i];
                let rel = paths::service(&s.id);
                let meta = self.meta(&rel, &s.front.title, &card.summary, "services");
                let mut own = self.feed_links(&FeedKey::Service(*i));
                own.push(self.calendar_link(CalendarKey::Service(*i)));
                let meta = self.with_feeds(meta, own);
                let data = Data {
                    service: card,
                    content: &s.body.html,
                    toc: s.body.toc(),
                    contact: s.front.contact.as_deref(),
                    contact_url: s.contact_url.as_deref(),
                    request_url: s.front.request_url.as_deref(),
                    audience: &s.front.audience,
                    links: &s.front.links,
                    replaces: self.service_cards(&r.replaces),
                    replaced_by: self.service_cards(&r.replaced_by),
                    faq_topics: r.faq_topics.iter().map(|&j| &self.faq_topics[j]).collect(),
                    surveys: r.surveys.iter().map(|&j| &self.surveys[j]).collect(),
                    tags: tag_refs(site, &s.front.tags),
                };
                let cards = vec![("announcements", self.card_list(&r.announcements)?)];
                self.page_with_cards("service.html", &rel, meta, data, cards, CardHeading::H3)
            }
            Job::FaqIndex => {
                #[derive(Serialize)]
                struct Data<'a> {
                    topics: &'a [FaqCard],
                }
                let data = Data {
                    topics: &self.faq_topics,
                };
                self.index_page("faq_index.html", "faq/", "faq", "faq", data)
            }
            Job::FaqTopic(i) => {
                let f = &site.faq_topics[*i];
                #[derive(Serialize)]
                struct QuestionView<'a> {
                    id: &'a str,
                    title: &'a str,
                    html: &'a str,
                    url: String,
                }
                #[derive(Serialize)]
                struct Data<'a> {
                    topic: &'a FaqCard,
                    intro: &'a str,
                    questions: Vec<QuestionView<'a>>,
                    services: Vec<ServiceRef>,
                    json_ld: String,
                }
                let card = &self.faq_topics[*i];
                let rel = paths::faq_topic(&f.slug);
                let questions: Vec<QuestionView> = f
                    .body
                    .sections
                    .iter()
                    .map(|s| QuestionView {
                        id: &s.heading.id,
                        title: &s.heading.title,
                        html: &s.html,
                        url: format!("{}#{}", c.url(&rel), s.heading.id),
                    })
                    .collect();
                let json_ld = serde_json::json!({
                    "@context": "https://schema.org",
                    "@type": "FAQPage",
                    "mainEntity": f.body.sections.iter().map(|s| serde_json::json!({
                        "@type": "Question",
                        "name": s.heading.title,
                        "acceptedAnswer": {"@type": "Answer", "text": s.text},
                    })).collect::<Vec<_>>(),
                });
                // `</` inside a script element would end it early.
                let json_ld = json_ld.to_string().replace("</", "<\\/");
                let meta = self.meta(&rel, &f.front.title, &card.summary, "faq");
                let data = Data {
                    topic: card,
                    intro: &f.body.html,
                    questions,
                    services: self.service_refs(&f.front.services),
                    json_ld,
                };
                self.page("faq_topic.html", &rel, meta, data)
            }
            Job::Surveys => {
                #[derive(Serialize)]
                struct Data<'a> {
                    surveys: &'a [SurveyCard],
                }
                let data = Data {
                    surveys: &self.surveys,
                };
                self.index_page("surveys.html", "surveys/", "surveys", "surveys", data)
            }
            Job::Survey(i) | Job::SurveyThanks(i) => {
                let s = &site.surveys[*i];
                #[derive(Serialize)]
                struct Data<'a> {
                    survey: &'a SurveyCard,
                    intro: &'a str,
                    anonymous: bool,
                    action: String,
                    questions: Vec<QuestionView<'a>>,
                    services: Vec<ServiceRef>,
                    open: bool,
                    survey_url: String,
                }
                let thanks = matches!(job, Job::SurveyThanks(_));
                let card = &self.surveys[*i];
                let base = paths::survey(&s.id);
                let rel = if thanks {
                    paths::survey_thanks(&s.id)
                } else {
                    base.clone()
                };
                let title = if thanks {
                    self.tr.f("title_thanks", &[("title", &s.front.title)])
                } else {
                    s.front.title.clone()
                };
                let meta = self.meta(&rel, &title, &card.summary, "surveys");
                let data = Data {
                    survey: card,
                    intro: &s.body.html,
                    anonymous: s.front.anonymous,
                    action: format!(
                        "{}/surveys/{}/responses",
                        self.site_view.feedback_endpoint, s.id
                    ),
                    questions: s
                        .front
                        .questions
                        .iter()
                        .map(|q| {
                            QuestionView::new(self.tr, q, s.values.get(&q.id).map(Vec::as_slice))
                        })
                        .collect(),
                    services: self.service_refs(&s.front.services),
                    open: s.state(now) == SurveyState::Open,
                    survey_url: c.url(&base),
                };
                self.page(
                    if thanks {
                        "survey_thanks.html"
                    } else {
                        "survey.html"
                    },
                    &rel,
                    meta,
                    data,
                )
            }
            Job::Page(i) => {
                let p = &site.pages[*i];
                #[derive(Serialize)]
                struct Data<'a> {
                    content: &'a str,
                    toc: &'a [crate::markdown::Heading],
                    draft: bool,
                    lang: Option<String>,
                }
                let rel = paths::page(&p.slug);
                let summary = p
                    .front
                    .summary
                    .clone()
                    .unwrap_or_else(|| p.body.summary.clone());
                let section: &'static str = if p.front.menu.is_some() { "page" } else { "" };
                let mut meta = self.meta(&rel, &p.front.title, &summary, section);
                meta.section = section;
                let data = Data {
                    content: &p.body.html,
                    toc: p.body.toc(),
                    draft: p.front.draft,
                    lang: site.foreign_lang(&p.source),
                };
                self.page("page.html", &rel, meta, data)
            }
            Job::Tags => {
                #[derive(Serialize)]
                struct TagLink<'a> {
                    name: &'a str,
                    url: String,
                    count: usize,
                }
                #[derive(Serialize)]
                struct Data<'a> {
                    tags: Vec<TagLink<'a>>,
                }
                let tags = site
                    .tags
                    .values()
                    .map(|t| TagLink {
                        name: &t.name,
                        url: c.url(&paths::tag(&t.slug)),
                        count: t.announcements.len() + t.services.len() + t.faq_topics.len(),
                    })
                    .collect();
                let meta = self.meta("tags/", self.tr.t("title_tags"), "", "");
                self.page("tags.html", "tags/", meta, Data { tags })
            }
            Job::Tag { slug, page } => {
                let Some(tag) = site.tags.get(slug) else {
                    return Err(Diagnostic::new("content", format!("no tag `{slug}`")));
                };
                #[derive(Serialize)]
                struct Data<'a> {
                    name: &'a str,
                    services: Vec<&'a ServiceCard>,
                    faq_topics: Vec<&'a FaqCard>,
                    pagination: Pagination,
                }
                let base = paths::tag(slug);
                let total = tag.announcements.len().div_ceil(self.per_page()).max(1);
                let shown: Vec<usize> = tag
                    .announcements
                    .iter()
                    .copied()
                    .skip((page - 1) * self.per_page())
                    .take(self.per_page())
                    .collect();
                let first = *page == 1;
                let rel = paths::paginated(&base, *page);
                let meta = self.meta(&rel, &self.tr.f("title_tag", &[("tag", &tag.name)]), "", "");
                let meta = if tag.announcements.is_empty() {
                    meta
                } else {
                    self.with_feeds(meta, self.feed_links(&FeedKey::Tag(slug.clone())))
                };
                let data = Data {
                    name: &tag.name,
                    services: if first {
                        self.service_cards(&tag.services)
                    } else {
                        Vec::new()
                    },
                    faq_topics: if first {
                        tag.faq_topics
                            .iter()
                            .map(|&j| &self.faq_topics[j])
                            .collect()
                    } else {
                        Vec::new()
                    },
                    pagination: Pagination::new(site, &base, *page, total),
                };
                let cards = vec![("announcements", self.card_list(&shown)?)];
                self.page_with_cards("tag.html", &rel, meta, data, cards, CardHeading::H3)
            }
            Job::NotFound => {
                let meta = self.meta("404.html", self.tr.t("title_404"), "", "");
                #[derive(Serialize)]
                struct Data {}
                self.page("404.html", "404.html", meta, Data {})
            }
            Job::Subscribe => {
                #[derive(Serialize)]
                struct Group<'t> {
                    heading: &'t str,
                    feeds: Vec<Vec<FeedLink>>,
                }
                #[derive(Serialize)]
                struct Data<'t> {
                    everything: Vec<FeedLink>,
                    calendar: FeedLink,
                    groups: Vec<Group<'t>>,
                    service_calendars: Vec<FeedLink>,
                }
                let keys = feeds::keys(site);
                let group = |heading, pick: fn(&FeedKey) -> bool| Group {
                    heading,
                    feeds: keys
                        .iter()
                        .filter(|k| pick(k))
                        .map(|k| self.feed_links(k))
                        .collect(),
                };
                let data = Data {
                    everything: self.feed_links(&FeedKey::All),
                    calendar: self.calendar_link(CalendarKey::All),
                    groups: vec![
                        group(self.tr.t("by_service"), |k| {
                            matches!(k, FeedKey::Service(_))
                        }),
                        group(self.tr.t("by_kind"), |k| matches!(k, FeedKey::Kind(_))),
                        group(self.tr.t("by_audience"), |k| {
                            matches!(k, FeedKey::Audience(_))
                        }),
                        group(self.tr.t("by_tag"), |k| matches!(k, FeedKey::Tag(_))),
                    ],
                    service_calendars: (0..site.services.len())
                        .map(|i| self.calendar_link(CalendarKey::Service(i)))
                        .collect(),
                };
                let meta = self.meta(
                    "subscribe/",
                    self.tr.t("title_subscribe"),
                    self.tr.t("desc_subscribe"),
                    "subscribe",
                );
                self.page("subscribe.html", "subscribe/", meta, data)
            }
            Job::Feed { key, format } => {
                let folder = feeds::folder(site, key);
                let entries = self.feed_entries(key);
                let items = self.feed_items(key);
                let bytes = match format {
                    FeedFormat::Rss => feeds::rss(site, self.tr, key, entries, items),
                    FeedFormat::Json => feeds::json(site, self.tr, key, &items),
                };
                Ok(Output {
                    path: format!("{folder}{}", format.file()).into(),
                    bytes: Arc::new(bytes),
                })
            }
            Job::Calendar(key) => Ok(Output {
                path: calendar::path(site, *key).into(),
                bytes: Arc::new(calendar::write(site, *key, |i| {
                    self.ics_events[i]
                        .get_or_init(|| {
                            calendar::event(site, self.tr, i)
                                .map(|e| crate::compact(e).into_boxed_str())
                        })
                        .as_deref()
                })),
            }),
            Job::CatalogJson => Ok(Output {
                path: "catalog.json".into(),
                bytes: Arc::new(catalog::write(site)),
            }),
            Job::Sitemap => Ok(Output {
                path: "sitemap.xml".into(),
                bytes: Arc::new(sitemap::write(self, &self.jobs())),
            }),
            Job::SearchIndex => Ok(Output {
                path: search::PATH.into(),
                bytes: Arc::new(self.search_index()),
            }),
            Job::Search => {
                #[derive(Serialize)]
                struct Entry {
                    title: String,
                    url: String,
                }
                #[derive(Serialize)]
                struct Letter {
                    letter: String,
                    entries: Vec<Entry>,
                }
                #[derive(Serialize)]
                struct Data {
                    index_url: String,
                    letters: Vec<Letter>,
                }
                let mut items: Vec<(String, String)> = self
                    .services
                    .iter()
                    .map(|s| (s.title.clone(), s.url.clone()))
                    .collect();
                for f in &self.faq_topics {
                    items.extend(f.questions.iter().map(|q| (q.title.clone(), q.url.clone())));
                }
                let letters = search::a_to_z(items)
                    .into_iter()
                    .map(|(letter, list)| Letter {
                        letter,
                        entries: list
                            .into_iter()
                            .map(|(title, url)| Entry { title, url })
                            .collect(),
                    })
                    .collect();
                let data = Data {
                    index_url: c.url(search::PATH),
                    letters,
                };
                self.index_page("search.html", "search/", "search", "search", data)
            }
        }
    }

    /// Every service, FAQ question, announcement, survey and page as a
    /// search document.
    fn search_index(&self) -> Vec<u8> {
        let docs = self
            .search_docs
            .get_or_init(|| Arc::new(self.search_docs()));
        let mut all: Vec<&str> = docs.iter().map(String::as_str).collect();
        all.extend(self.announcements.iter().map(|a| a.search.as_str()));
        let tr = self.tr;
        let words = serde_json::json!({
            "results": tr.t("search_results"),
            "none": tr.t("search_no_results"),
            "failed": tr.t("search_failed"),
            "kinds": {
                "service": tr.t("search_kind_service"),
                "faq": tr.t("search_kind_faq"),
                "announcement": tr.t("search_kind_announcement"),
                "survey": tr.t("search_kind_survey"),
                "page": tr.t("search_kind_page"),
            },
        });
        search::index(&all, &words)
    }

    /// The search documents of services, FAQ questions, surveys and pages
    /// (announcements carry theirs in their cards).
    fn search_docs(&self) -> Vec<String> {
        use search::{doc, strip_html, DocKind};
        let site = self.site;
        let lang = |source: &crate::content::Source| {
            site.foreign_lang(source)
                .unwrap_or_else(|| site.config.lang.code.clone())
        };
        let mut docs: Vec<String> = Vec::new();
        for (card, s) in self.services.iter().zip(&site.services) {
            docs.push(doc(
                DocKind::Service,
                &card.title,
                &card.url,
                &[card.category.as_str()],
                &card.summary,
                strip_html(&s.body.html),
                &lang(&s.source),
            ));
        }
        for (card, f) in self.faq_topics.iter().zip(&site.faq_topics) {
            let services: Vec<String> = self
                .service_refs(&f.front.services)
                .into_iter()
                .map(|s| s.title)
                .collect();
            let services: Vec<&str> = services.iter().map(String::as_str).collect();
            for (q, section) in card.questions.iter().zip(&f.body.sections) {
                docs.push(doc(
                    DocKind::Faq,
                    &q.title,
                    &q.url,
                    &services,
                    &section.text,
                    section.text.clone(),
                    &lang(&f.source),
                ));
            }
        }
        for (card, v) in self.surveys.iter().zip(&site.surveys) {
            docs.push(doc(
                DocKind::Survey,
                &card.title,
                &card.url,
                &[],
                &card.summary,
                strip_html(&v.body.html),
                &lang(&v.source),
            ));
        }
        for p in &site.pages {
            docs.push(doc(
                DocKind::Page,
                &p.front.title,
                &site.config.url(&paths::page(&p.slug)),
                &[],
                p.front.summary.as_deref().unwrap_or(&p.body.summary),
                strip_html(&p.body.html),
                &lang(&p.source),
            ));
        }
        docs
    }

    /// The site path a job writes (for the sitemap), if it is a public page.
    pub fn job_path(&self, job: &Job) -> Option<String> {
        let site = self.site;
        Some(match job {
            Job::Home => String::new(),
            Job::Announcements { kind: None, page } => paths::paginated("announcements/", *page),
            Job::Announcements {
                kind: Some(k),
                page,
            } => paths::paginated(&paths::kind(k.as_str()), *page),
            Job::Announcement(i) => paths::announcement(&site.announcements[*i].slug),
            Job::Catalog => "services/".into(),
            Job::Compare => "services/compare/".into(),
            Job::Service(i) => paths::service(&site.services[*i].id),
            Job::FaqIndex => "faq/".into(),
            Job::FaqTopic(i) => paths::faq_topic(&site.faq_topics[*i].slug),
            Job::Surveys => "surveys/".into(),
            Job::Survey(i) => paths::survey(&site.surveys[*i].id),
            Job::Page(i) => paths::page(&site.pages[*i].slug),
            Job::Tags => "tags/".into(),
            Job::Tag { slug, page } => paths::paginated(&paths::tag(slug), *page),
            Job::Subscribe => "subscribe/".into(),
            Job::Search => "search/".into(),
            Job::SurveyThanks(_)
            | Job::SearchIndex
            | Job::NotFound
            | Job::Sitemap
            | Job::Feed { .. }
            | Job::Calendar(_)
            | Job::CatalogJson => return None,
        })
    }

    /// When a page last changed, for the sitemap.
    pub fn job_lastmod(&self, job: &Job) -> Option<String> {
        let site = self.site;
        let tz = &site.config.tz;
        match job {
            Job::Announcement(i) => {
                let a = &site.announcements[*i];
                let latest = [Some(a.date), a.updated, a.updates.first().map(|u| u.at)]
                    .into_iter()
                    .flatten()
                    .max()?;
                Some(latest.day(tz))
            }
            _ => None,
        }
    }

    pub fn site(&self) -> &Site {
        self.site
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo portal's configuration (this repository's root).
    fn demo_config() -> crate::config::Config {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::config::Config::load(root, &Default::default()).expect("the demo's config")
    }

    /// Pages rendered from the templates with the site's words and values
    /// written in (`Theme::folded`) are byte for byte those the theme's own
    /// templates give, in every language of the demo.
    #[test]
    fn folded_templates_render_every_page_as_the_themes_own() {
        let config = demo_config();
        let folded = Theme::load(&config).expect("the default theme");
        let plain = Theme::load(&config)
            .expect("the default theme")
            .without_folding();
        let sites = crate::site::load_sites(&config).expect("the demo builds");
        assert!(sites.len() > 1, "the demo has more than one language");
        let (a, b) = (
            render_sites(&sites, &folded, None).expect("the demo renders"),
            render_sites(&sites, &plain, None).expect("the demo renders"),
        );
        for site in &sites {
            assert!(Renderer::new(site, &folded).folded.is_some());
            assert!(Renderer::new(site, &plain).folded.is_none());
        }
        assert!(a.len() > 100);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.path, y.path);
            assert!(x.bytes == y.bytes, "{} differs", x.path);
        }
    }

    /// Jobs are rendered costliest first, yet `render_all` returns each
    /// job's output at that job's place, as rendering them one by one does
    /// (the sitemap and the preview's cache pair outputs with jobs).
    #[test]
    fn outputs_come_back_in_the_jobs_order() {
        let config = demo_config();
        let theme = Theme::load(&config).expect("the default theme");
        let sites = crate::site::load_sites(&config).expect("the demo builds");
        let site = &sites[0];
        let renderer = Renderer::new(site, &theme);
        let jobs = renderer.jobs();
        assert!(
            jobs.windows(2).any(|w| w[0].cost() < w[1].cost()),
            "the demo's jobs are not in cost order, so the order is tested"
        );
        let all = renderer
            .render_all(None, None, None)
            .expect("the demo renders");
        let one_by_one: Vec<Output> = jobs
            .iter()
            .map(|j| renderer.render(j).expect("the job renders"))
            .collect();
        assert_eq!(all.len(), one_by_one.len());
        for (got, want) in all.iter().zip(&one_by_one) {
            assert_eq!(got.path, want.path);
            assert_eq!(got.bytes, want.bytes, "{}", got.path);
        }
    }
}

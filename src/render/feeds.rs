//! Feeds of announcements: RSS 2.0 (with the `rss` crate) and JSON Feed 1.1,
//! for everything, per service, per kind, per audience and per tag. Each
//! announcement is an item, and so is each of its updates.

use crate::content::announcement::Kind;
use crate::content::Announcement;
use crate::date::When;
use crate::i18n::Strings;
use crate::site::{paths, Site};
use serde::Serialize;
use std::sync::Arc;

/// Which announcements a feed carries.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedKey {
    All,
    Service(usize),
    Kind(Kind),
    /// An audience slug.
    Audience(String),
    /// A tag slug.
    Tag(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedFormat {
    Rss,
    Json,
}

impl FeedFormat {
    pub fn file(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.xml",
            FeedFormat::Json => "feed.json",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }
}

/// The folder (site path) a feed lives in; its files are `feed.xml` and `feed.json`.
pub fn folder(site: &Site, key: &FeedKey) -> String {
    match key {
        FeedKey::All => String::new(),
        FeedKey::Service(i) => paths::service(&site.services[*i].id),
        FeedKey::Kind(k) => paths::kind(k.as_str()),
        FeedKey::Audience(a) => format!("audiences/{}/", paths::segment(a)),
        FeedKey::Tag(t) => paths::tag(t),
    }
}

/// Every feed the site has, in a fixed order.
pub fn keys(site: &Site) -> Vec<FeedKey> {
    let mut keys = vec![FeedKey::All];
    keys.extend((0..site.services.len()).map(FeedKey::Service));
    keys.extend(Kind::ALL.iter().map(|&k| FeedKey::Kind(k)));
    keys.extend(
        site.audiences
            .iter()
            .map(|(slug, _)| FeedKey::Audience(slug.clone())),
    );
    keys.extend(
        site.tags
            .iter()
            .filter(|(_, t)| !t.announcements.is_empty())
            .map(|(s, _)| FeedKey::Tag(s.clone())),
    );
    keys
}

/// The feed's short name ("Cloud Storage", "Outages"), its title and its
/// one-line description.
pub fn describe(site: &Site, tr: &Strings, key: &FeedKey) -> (String, String, String) {
    let t = site.config.file.title.as_str();
    let (short, description) = match key {
        FeedKey::All => (
            tr.t("feed_name_all").to_owned(),
            tr.f("feed_desc_all", &[("site", t)]),
        ),
        FeedKey::Service(i) => {
            let s = &site.services[*i].front.title;
            (s.clone(), tr.f("feed_desc_service", &[("service", s)]))
        }
        FeedKey::Kind(k) => {
            let name = tr.t(&format!("kinds_{}", k.as_str())).to_owned();
            let description = tr.f("feed_desc_kind", &[("kind", &name), ("site", t)]);
            (name, description)
        }
        FeedKey::Audience(a) => {
            let name = site
                .audiences
                .iter()
                .find(|(s, _)| s == a)
                .map_or(a.clone(), |(_, n)| n.clone());
            (
                tr.f("feed_name_audience", &[("audience", &name)]),
                tr.f("feed_desc_audience", &[("audience", &name)]),
            )
        }
        FeedKey::Tag(tag) => {
            let name = site.tags.get(tag).map_or(tag.as_str(), |t| t.name.as_str());
            (name.to_owned(), tr.f("feed_desc_tag", &[("tag", name)]))
        }
    };
    let title = tr.f("feed_title", &[("site", t), ("name", &short)]);
    (short, title, description)
}

/// One item: an announcement, or one of its updates (newest-first index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entry {
    Announcement(usize),
    Update(usize, usize),
}

/// Whether announcement `a` belongs in the feed `key`.
fn belongs(site: &Site, key: &FeedKey, i: usize, a: &Announcement) -> bool {
    match key {
        FeedKey::All => true,
        FeedKey::Service(s) => site.related[*s].announcements.binary_search(&i).is_ok(),
        FeedKey::Kind(k) => a.front.kind == *k,
        FeedKey::Audience(aud) => a
            .audiences()
            .iter()
            .any(|x| x == "all" || slug::slugify(x) == *aud),
        FeedKey::Tag(t) => a.front.tags.iter().any(|x| slug::slugify(x) == *t),
    }
}

fn entry_date(site: &Site, e: Entry) -> When {
    match e {
        Entry::Announcement(i) => site.announcements[i].date,
        Entry::Update(i, j) => site.announcements[i].updates[j].at,
    }
}

/// The newest `limit` entries of a feed. Drafts, scheduled and expired
/// announcements are never in feeds.
pub fn entries(site: &Site, key: &FeedKey) -> Vec<Entry> {
    let now = site.config.now;
    let mut out: Vec<Entry> = Vec::new();
    let candidates: Box<dyn Iterator<Item = usize>> = match key {
        FeedKey::Service(s) => Box::new(site.related[*s].announcements.iter().copied()),
        FeedKey::Tag(t) => Box::new(
            site.tags
                .get(t)
                .map(|t| t.announcements.clone())
                .unwrap_or_default()
                .into_iter(),
        ),
        _ => Box::new(0..site.announcements.len()),
    };
    for i in candidates {
        let a = &site.announcements[i];
        if a.front.draft || a.is_scheduled(now) || a.is_expired(now) || !belongs(site, key, i, a) {
            continue;
        }
        out.push(Entry::Announcement(i));
        out.extend(
            (0..a.updates.len())
                .filter(|&j| a.updates[j].at.ts <= now.ts)
                .map(|j| Entry::Update(i, j)),
        );
    }
    newest(site, &mut out);
    out
}

/// Every feed's entries at once: one pass over the announcements puts each
/// into the feeds it belongs to (all, its kind, audiences, services and
/// tags), then each feed keeps its newest `limit`. The same as `entries`
/// for every key, without scanning every announcement once per feed.
pub fn all_entries(site: &Site) -> super::FeedEntries {
    use rustc_hash::FxHashMap as HashMap;
    let now = site.config.now;
    // Each announcement's entries, a range of one list (an empty range for
    // drafts, scheduled and expired ones).
    let mut flat: Vec<Entry> = Vec::with_capacity(site.announcements.len());
    let mut span: Vec<(usize, usize)> = Vec::with_capacity(site.announcements.len());
    for (i, a) in site.announcements.iter().enumerate() {
        let start = flat.len();
        if !(a.front.draft || a.is_scheduled(now) || a.is_expired(now)) {
            flat.push(Entry::Announcement(i));
            flat.extend(
                (0..a.updates.len())
                    .filter(|&j| a.updates[j].at.ts <= now.ts)
                    .map(|j| Entry::Update(i, j)),
            );
        }
        span.push((start, flat.len()));
    }
    let own = |i: usize| &flat[span[i].0..span[i].1];
    let mut bins: HashMap<FeedKey, Vec<Entry>> = HashMap::default();
    // A feed's members are gathered first and its bin looked up once: a
    // feed with no entries gets no bin.
    let mut put = |key: FeedKey, members: &[usize]| {
        let mut entries = Vec::new();
        for &i in members {
            entries.extend_from_slice(own(i));
        }
        if !entries.is_empty() {
            match bins.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().extend(entries),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(entries);
                }
            }
        }
    };
    let all: Vec<usize> = (0..site.announcements.len()).collect();
    put(FeedKey::All, &all);
    let mut by_kind: std::collections::BTreeMap<Kind, Vec<usize>> = Default::default();
    // Audiences by slug (two names may share one), and each name's.
    let mut audiences: Vec<(String, Vec<usize>)> = Vec::new();
    let mut by_slug: HashMap<String, usize> = HashMap::default();
    let mut by_name: HashMap<&str, usize> = HashMap::default();
    let mut everyone = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for (i, a) in site.announcements.iter().enumerate() {
        by_kind.entry(a.front.kind).or_default().push(i);
        if a.front.audience.is_empty() || a.front.audience.iter().any(|x| x == "all") {
            everyone.push(i);
        }
        seen.clear();
        for x in a.front.audience.iter().filter(|x| *x != "all") {
            let n = *by_name.entry(x.as_str()).or_insert_with(|| {
                let slug = slug::slugify(x);
                *by_slug.entry(slug.clone()).or_insert_with(|| {
                    audiences.push((slug, Vec::new()));
                    audiences.len() - 1
                })
            });
            if !seen.contains(&n) {
                seen.push(n);
                audiences[n].1.push(i);
            }
        }
    }
    for (kind, members) in by_kind {
        put(FeedKey::Kind(kind), &members);
    }
    for (s, r) in site.related.iter().enumerate() {
        put(FeedKey::Service(s), &r.announcements);
    }
    for (slug, tag) in &site.tags {
        put(FeedKey::Tag(slug.clone()), &tag.announcements);
    }
    // Announcements for everyone belong to every audience's feed; they stay
    // under the empty slug for audiences no announcement names.
    for (slug, mut members) in audiences {
        members.extend_from_slice(&everyone);
        put(FeedKey::Audience(slug), &members);
    }
    put(FeedKey::Audience(String::new()), &everyone);
    for entries in bins.values_mut() {
        newest(site, entries);
    }
    bins
}

/// Keeps the newest `limit` entries, newest first, ties in guid order.
fn newest(site: &Site, out: &mut Vec<Entry>) {
    let key = |e: &Entry| {
        let (i, j) = match *e {
            Entry::Announcement(i) => (i, None),
            Entry::Update(i, j) => (i, Some(j)),
        };
        (
            std::cmp::Reverse(entry_date(site, *e)),
            site.announcements[i].slug.as_str(),
            j.map(|j| site.announcements[i].updates[j].at),
        )
    };
    let limit = site.config.file.feeds.limit;
    out.sort_unstable();
    out.dedup();
    if out.len() > limit {
        // Each entry's key made once, beside it: choosing among 50,000
        // entries by looking each one's announcement up again on every
        // comparison spent its time waiting for memory.
        let mut keyed: Vec<_> = out.iter().map(|e| (key(e), *e)).collect();
        keyed.select_nth_unstable_by(limit - 1, |x, y| x.0.cmp(&y.0));
        keyed.truncate(limit);
        out.clear();
        out.extend(keyed.into_iter().map(|(_, e)| e));
    }
    out.sort_by(|x, y| key(x).cmp(&key(y)));
}

/// A guid that depends on nothing but the announcement's file name (and
/// the update's time): not on the base URL, not on the build.
pub fn guid(site: &Site, e: Entry) -> String {
    match e {
        Entry::Announcement(i) => {
            format!("urn:portico:announcement:{}", site.announcements[i].slug)
        }
        Entry::Update(i, j) => {
            let a = &site.announcements[i];
            format!(
                "urn:portico:announcement:{}:update:{}",
                a.slug,
                update_stamp(a.updates[j].at)
            )
        }
    }
}

/// `20261117T083000Z`: an update's id, in its guid and its anchor on the page.
pub fn update_stamp(at: When) -> String {
    at.ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// What a feed item shows, the same in RSS and JSON Feed.
#[derive(Clone)]
pub struct ItemData {
    guid: String,
    url: String,
    title: String,
    summary: String,
    html: String,
    date: When,
    author: Option<String>,
    tags: Vec<String>,
}

/// The items of a feed with `entries`, for `rss` and `json`.
pub fn items(site: &Site, tr: &Strings, entries: &[Entry]) -> Vec<ItemData> {
    entries.iter().map(|&e| item_data(site, tr, e)).collect()
}

fn item_data(site: &Site, tr: &Strings, e: Entry) -> ItemData {
    let c = &site.config;
    let tz = &c.tz;
    let (i, update) = match e {
        Entry::Announcement(i) => (i, None),
        Entry::Update(i, j) => (i, Some(j)),
    };
    let a = &site.announcements[i];
    let page = c.permalink(&paths::announcement(&a.slug));
    let mut tags = vec![tr.t(&format!("kind_{}", a.front.kind.as_str())).to_owned()];
    tags.extend(
        a.front
            .services
            .iter()
            .filter_map(|id| site.service_index.get(id))
            .map(|&s| site.services[s].front.title.clone()),
    );
    tags.extend(a.front.tags.iter().cloned());
    match update {
        None => {
            let mut html = String::new();
            if let Some(w) = &a.window {
                let status = a.status(c.now).map_or(String::new(), |s| {
                    tr.t(&format!("status_{}", s.as_str())).to_owned()
                });
                html.push_str(&format!(
                    "<p><strong>{}</strong> · {} · {}</p>\n",
                    crate::theme::escape_html(&tr.range(w.start, w.end, tz)),
                    crate::theme::escape_html(tr.t(&format!("impact_{}", w.impact.as_str()))),
                    crate::theme::escape_html(&status)
                ));
            }
            html.reserve(a.body.html.len() + 64);
            c.absolutize_into(&a.body.html, &mut html);
            ItemData {
                guid: guid(site, e),
                url: page,
                title: a.front.title.clone(),
                summary: a
                    .front
                    .summary
                    .clone()
                    .unwrap_or_else(|| a.body.summary.clone()),
                html,
                date: a.date,
                author: a.front.author.clone(),
                tags,
            }
        }
        Some(j) => {
            let u = &a.updates[j];
            ItemData {
                guid: guid(site, e),
                url: format!("{page}#update-{}", update_stamp(u.at)),
                title: tr.f("update_title", &[("title", &a.front.title)]),
                summary: tr.f(
                    "update_summary",
                    &[("date", &tr.date_time(u.at, tz)), ("title", &a.front.title)],
                ),
                html: c.absolutize(&u.html),
                date: u.at,
                author: a.front.author.clone(),
                tags,
            }
        }
    }
}

fn rfc2822(site: &Site, w: When) -> String {
    jiff::fmt::rfc2822::to_string(&w.zoned(&site.config.tz)).unwrap_or_default()
}

fn rfc3339(w: When) -> String {
    w.ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// When the feed's content last changed: its newest item.
fn last_changed(site: &Site, entries: &[Entry]) -> Option<When> {
    entries.iter().map(|&e| entry_date(site, e)).max()
}

/// Where a feed's channel links to: the page that shows the same items.
fn home_page(site: &Site, key: &FeedKey) -> String {
    let c = &site.config;
    match key {
        FeedKey::Audience(_) => c.permalink(""),
        FeedKey::All => c.permalink("announcements/"),
        other => c.permalink(&folder(site, other)),
    }
}

pub fn rss(
    site: &Site,
    tr: &Strings,
    key: &FeedKey,
    entries: &[Entry],
    items: Arc<Vec<ItemData>>,
) -> Vec<u8> {
    use rss::extension::atom::{AtomExtension, Link};
    use rss::extension::dublincore::DublinCoreExtension;
    let c = &site.config;
    let (_, title, description) = describe(site, tr, key);
    let self_url = c.permalink(&format!("{}{}", folder(site, key), FeedFormat::Rss.file()));
    // The items' texts are moved into the writer's items when nothing
    // else holds them (the JSON feed was written first), else copied.
    let items: Vec<ItemData> = Arc::try_unwrap(items).unwrap_or_else(|shared| shared.to_vec());
    let items: Vec<rss::Item> = items
        .into_iter()
        .map(|d| {
            let mut item = rss::Item::default();
            item.set_title(d.title);
            item.set_link(d.url);
            item.set_description(d.summary);
            item.set_content(d.html);
            item.set_pub_date(rfc2822(site, d.date));
            item.set_guid(rss::Guid {
                value: d.guid,
                permalink: false,
            });
            item.set_categories(
                d.tags
                    .into_iter()
                    .map(|name| rss::Category { name, domain: None })
                    .collect::<Vec<_>>(),
            );
            if let Some(author) = d.author {
                item.set_dublin_core_ext(DublinCoreExtension {
                    creators: vec![author],
                    ..Default::default()
                });
            }
            item
        })
        .collect();
    let mut channel = rss::Channel::default();
    channel.set_title(title);
    channel.set_link(home_page(site, key));
    channel.set_description(description);
    channel.set_language(c.lang.code.clone());
    channel.set_generator("Portico".to_owned());
    channel.set_ttl("60".to_owned());
    if let Some(last) = last_changed(site, entries) {
        channel.set_last_build_date(rfc2822(site, last));
    }
    let mut self_link = Link::default();
    self_link.set_href(self_url);
    self_link.set_rel("self");
    self_link.set_mime_type(Some(FeedFormat::Rss.mime().to_owned()));
    channel.set_atom_ext(AtomExtension {
        links: vec![self_link],
    });
    // Room for the items' HTML and summaries, and the markup around them.
    let room = items
        .iter()
        .map(|i| i.content().map_or(0, str::len) + i.description().map_or(0, str::len) + 640)
        .sum::<usize>()
        + 1024;
    channel.set_items(items);
    // The writer adds the XML declaration; writing to a Vec cannot fail.
    let mut out = channel
        .pretty_write_to(Vec::with_capacity(room), b' ', 2)
        .unwrap_or_default();
    out.push(b'\n');
    out
}

/// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
pub fn json(site: &Site, tr: &Strings, key: &FeedKey, items: &[ItemData]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Author<'a> {
        name: &'a str,
    }
    #[derive(Serialize)]
    struct Item<'a> {
        id: &'a str,
        url: &'a str,
        title: &'a str,
        summary: &'a str,
        content_html: &'a str,
        date_published: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        authors: Vec<Author<'a>>,
        tags: &'a [String],
    }
    #[derive(Serialize)]
    struct Feed<'a> {
        version: &'static str,
        title: String,
        home_page_url: String,
        feed_url: String,
        description: String,
        language: String,
        items: Vec<Item<'a>>,
    }
    let c = &site.config;
    let (_, title, description) = describe(site, tr, key);
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title,
        home_page_url: home_page(site, key),
        feed_url: c.permalink(&format!("{}{}", folder(site, key), FeedFormat::Json.file())),
        description,
        language: c.lang.code.clone(),
        items: items
            .iter()
            .map(|d| Item {
                id: &d.guid,
                url: &d.url,
                title: &d.title,
                summary: &d.summary,
                content_html: &d.html,
                date_published: rfc3339(d.date),
                authors: d.author.iter().map(|name| Author { name }).collect(),
                tags: &d.tags,
            })
            .collect(),
    };
    // Room for the items' HTML and summaries, and the fields around them
    // (escaping makes HTML a little longer); and for what the writer
    // reserves before each text, six bytes for each of its bytes (the
    // most escaping can make of it), so that the last item's HTML does not
    // make it copy the whole feed into a larger buffer.
    let longest = feed
        .items
        .iter()
        .map(|i| i.content_html.len().max(i.summary.len()))
        .max()
        .unwrap_or(0);
    let room = feed
        .items
        .iter()
        .map(|i| i.content_html.len() + i.content_html.len() / 16 + i.summary.len() + 512)
        .sum::<usize>()
        + 6 * longest
        + 1024;
    let mut out = pretty_json(&feed, room);
    out.push(b'\n');
    out
}

/// `value` as indented JSON, byte for byte as `serde_json::to_vec_pretty`
/// writes it, with `room` reserved. Written by sonic-rs, whose string
/// escaping goes sixteen bytes at a time: a feed is mostly its items' HTML,
/// and serde_json's byte-by-byte loop was a tenth of a 1,000-announcement
/// build's instructions.
fn pretty_json(value: &impl Serialize, room: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(room);
    if sonic_rs::to_writer_pretty(&mut out, value).is_err() {
        // Not for a Vec and plain fields; as `to_vec_pretty` would be.
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Shape {
        text: String,
        empty: Vec<String>,
        list: Vec<String>,
        number: u64,
        nested: Vec<Vec<String>>,
        none: Option<String>,
    }

    proptest::proptest! {
        /// Feeds are written as serde_json writes them: any text (quotes,
        /// backslashes, control characters, U+2028, non-ASCII) escaped the
        /// same way, the same indentation, empty lists as `[]`.
        #[test]
        fn json_feeds_are_written_as_serde_json_writes_them(
            text in "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}\u{2028}\u{2029}<>&/])*",
            list in proptest::collection::vec("\\PC{0,40}", 0..4),
            number: u64,
        ) {
            let value = Shape {
                text: text.clone(),
                empty: Vec::new(),
                list: list.clone(),
                number,
                nested: vec![list, Vec::new()],
                none: None,
            };
            let want = serde_json::to_vec_pretty(&value).expect("serializes");
            proptest::prop_assert_eq!(pretty_json(&value, 0), want);
        }
    }

    /// The one-pass bins give every feed what a scan for that feed gives,
    /// on the demo portal and on one made to have every awkward case:
    /// audience names that share a slug, one named twice, "all" beside
    /// others, drafts, scheduled and expired announcements, updates still
    /// to come, feeds beyond the limit, tags and services without entries.
    #[test]
    fn every_feeds_entries_equal_a_scan_for_that_feed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        feeds_equal_scans(root);
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "portico.toml",
            "title = \"T\"\nnow = \"2026-11-20T09:00:00+01:00\"\n[feeds]\nlimit = 4\n",
        );
        for s in ["vpn", "mail", "quiet"] {
            write(
                &format!("content/services/{s}.md"),
                "+++\ntitle = \"S\"\ncategory = \"C\"\nlifecycle = \"live\"\ndelivery = \"cloud\"\n+++\n",
            );
        }
        let audiences = [
            "",
            "audience = [\"Field Staff\", \"field-staff\"]",
            "audience = [\"all\", \"engineering\"]",
            "audience = [\"engineering\", \"engineering\"]",
            "audience = \"all\"",
        ];
        let kinds = ["news", "maintenance", "change"];
        for i in 0..23 {
            let extra = match i % 7 {
                0 => "draft = true\n",
                1 => "",
                2 => "[[updates]]\nat = 2026-11-19T10:00:00Z\nbody = \"Done.\"\n[[updates]]\nat = 2026-12-01T10:00:00Z\nbody = \"Later.\"\n",
                _ => "",
            };
            let date = if i == 5 {
                "2027-01-01".to_owned()
            } else {
                format!("2026-10-{:02}", 1 + i % 9)
            };
            write(
                &format!("content/announcements/a{i:02}.md"),
                &format!(
                    "+++\ntitle = \"A{i}\"\ndate = {date}\nkind = \"{}\"\nservices = [\"{}\"]\ntags = [\"t{}\", \"T{}\"]\n{}\n{extra}+++\nBody.\n",
                    kinds[i % 3],
                    ["vpn", "mail"][i % 2],
                    i % 4,
                    i % 4,
                    audiences[i % 5],
                ),
            );
        }
        feeds_equal_scans(dir.path());
    }

    fn feeds_equal_scans(root: &std::path::Path) {
        let config = crate::config::Config::load(root, &Default::default()).expect("a config");
        let sites = crate::site::load_sites(&config).expect("the portal builds");
        for site in &sites {
            let all = all_entries(site);
            let mut keys = keys(site);
            keys.push(FeedKey::Audience("nobody-names-this".into()));
            for key in keys {
                let got = match all.get(&key) {
                    Some(e) => e.clone(),
                    None if matches!(key, FeedKey::Audience(_)) => all
                        .get(&FeedKey::Audience(String::new()))
                        .cloned()
                        .unwrap_or_default(),
                    None => Vec::new(),
                };
                assert_eq!(
                    got,
                    entries(site, &key),
                    "{key:?} in {}",
                    site.config.lang.code
                );
            }
        }
    }
}

//! The demo portal in `content/` builds into every page a reader needs, with
//! the content they should see.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One build of the demo portal, shared by the tests of this file.
fn demo() -> &'static Project {
    static BUILT: OnceLock<Project> = OnceLock::new();
    BUILT.get_or_init(|| {
        let p = Project::demo();
        let run = p.build(&[]);
        assert!(run.stderr.contains("Built "), "{}", run.stderr);
        p
    })
}

#[test]
fn writes_every_kind_of_page() {
    let p = demo();
    for page in [
        "index.html",
        "announcements/index.html",
        "announcements/page/2/index.html",
        "announcements/page/3/index.html",
        "announcements/kind/maintenance/index.html",
        "announcements/kind/outage/index.html",
        "announcements/kind/tip/index.html",
        "announcements/outage-cloud-mail-nov/index.html",
        "services/index.html",
        "services/compare/index.html",
        "services/vpn-classic/index.html",
        "faq/index.html",
        "faq/remote-access/index.html",
        "surveys/index.html",
        "surveys/it-satisfaction-2026/index.html",
        "surveys/it-satisfaction-2026/thanks/index.html",
        "surveys/cloud-storage-pilot/index.html",
        "about/index.html",
        "tags/index.html",
        "tags/remote-work/index.html",
        "404.html",
        "sitemap.xml",
        "assets/style.css",
        "assets/portico.js",
    ] {
        assert!(p.public().join(page).is_file(), "missing {page}");
    }
    // 17 services, 5 FAQ topics, 2 surveys, 2 free pages.
    let tree = read_tree(&p.public());
    let count = |prefix: &str| {
        tree.keys()
            .filter(|k| k.starts_with(prefix) && k.ends_with("/index.html"))
            .count()
    };
    assert_eq!(
        count("services/") - 2,
        17,
        "service pages (plus catalog and compare)"
    );
    assert_eq!(count("faq/") - 1, 5);
}

#[test]
fn every_internal_link_and_asset_resolves() {
    let p = demo();
    let tree = read_tree(&p.public());
    let mut broken = Vec::new();
    for (path, bytes) in &tree {
        if !path.ends_with(".html") {
            continue;
        }
        let doc = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        let mut targets = attrs(&doc, "a[href]", "href");
        targets.extend(attrs(&doc, "link[href]", "href"));
        targets.extend(attrs(&doc, "script[src]", "src"));
        for href in targets {
            if !href.starts_with('/') || href.starts_with("/api/") {
                continue;
            }
            let (file, anchor) = match href.split_once('#') {
                Some((f, a)) => (f.to_owned(), Some(a.to_owned())),
                None => (href.clone(), None),
            };
            let rel = file.trim_start_matches('/');
            let rel = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel.to_owned()
            };
            match tree.get(&rel) {
                None => broken.push(format!("{path}: {href}")),
                Some(target) => {
                    if let Some(anchor) = anchor {
                        let target = String::from_utf8_lossy(target);
                        if !target.contains(&format!("id=\"{anchor}\"")) {
                            broken.push(format!("{path}: {href} (no anchor)"));
                        }
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn home_page_shows_pinned_upcoming_featured_and_open_surveys() {
    let p = demo();
    let home = p.page("index.html");
    let sections = texts(&home, "main h2");
    assert_eq!(
        sections,
        [
            "Important now",
            "Upcoming maintenance",
            "Latest announcements",
            "Featured services",
            "Tell us what you think"
        ]
    );
    let pinned = texts(&home, "section[aria-labelledby=pinned-title] .card-title");
    assert_eq!(
        pinned,
        [
            "Rotterdam network core replacement",
            "Classic VPN retires on 31 March 2027"
        ]
    );
    let upcoming = texts(&home, "section[aria-labelledby=upcoming-title] .card-title");
    // In progress first, then by start; cancelled and completed windows are not upcoming.
    assert_eq!(
        upcoming,
        [
            "Sign-in service patching",
            "File shares read-only during storage upgrade",
            "Rotterdam network core replacement",
            "Private Cloud platform upgrade, zone Venlo"
        ]
    );
    let statuses = texts(
        &home,
        "section[aria-labelledby=upcoming-title] [data-status-label]",
    );
    assert_eq!(
        statuses,
        ["In progress", "Scheduled", "Scheduled", "Scheduled"]
    );
    let featured = texts(&home, "section[aria-labelledby=featured-title] .card-title");
    assert_eq!(featured.len(), 6);
    assert_eq!(featured[0], "Cloud Storage");
    let surveys = texts(&home, "section[aria-labelledby=surveys-title] .card-title");
    assert_eq!(
        surveys,
        [
            "IT satisfaction survey 2026",
            "Your new laptop: the first week"
        ]
    );
    // The intro's internal link is resolved.
    assert!(attrs(&home, ".hero a", "href").contains(&"/services/service-desk/".to_owned()));
}

#[test]
fn drafts_scheduled_and_expired_announcements_are_left_out_of_lists() {
    let p = demo();
    let tree = read_tree(&p.public());
    assert!(!tree.contains_key("announcements/draft-printing/index.html"));
    assert!(
        !tree.contains_key("announcements/holiday-freeze/index.html"),
        "dated in the future: scheduled"
    );
    // Expired: its page stays, lists drop it.
    assert!(tree.contains_key("announcements/fax-retired/index.html"));
    let mut listed = Vec::new();
    for n in 1..=3 {
        let page = if n == 1 {
            "announcements/index.html".to_owned()
        } else {
            format!("announcements/page/{n}/index.html")
        };
        listed.extend(texts(&p.page(&page), ".announcement-card .card-title"));
    }
    assert_eq!(listed.len(), 23, "25 published, 2 expired");
    assert!(!listed.iter().any(|t| t.contains("fax gateway")));
    assert!(!listed
        .iter()
        .any(|t| t.contains("Zero Trust Access sign-in failures")));
    assert_eq!(
        listed[..2],
        [
            "Private Cloud platform upgrade, zone Venlo",
            "Longer Service Desk hours from 1 December"
        ],
        "newest first"
    );
    let expired = p.page("announcements/fax-retired/index.html");
    assert_eq!(texts(&expired, ".badge-expired"), ["Expired"]);
}

#[test]
fn pagination_links_pages() {
    let p = demo();
    let first = p.page("announcements/index.html");
    assert_eq!(texts(&first, ".pagination a"), ["1", "2", "3", "Older →"]);
    assert_eq!(
        attrs(&first, ".pagination a[rel=next]", "href"),
        ["/announcements/page/2/"]
    );
    let last = p.page("announcements/page/3/index.html");
    assert_eq!(
        attrs(&last, ".pagination a[rel=prev]", "href"),
        ["/announcements/page/2/"]
    );
    assert_eq!(texts(&last, ".announcement-card").len(), 3);
}

#[test]
fn announcement_page_shows_window_services_and_updates_newest_first() {
    let p = demo();
    let doc = p.page("announcements/outage-cloud-mail-nov/index.html");
    assert_eq!(
        texts(&doc, "h1"),
        ["Cloud Mail: delayed delivery of external email"]
    );
    assert_eq!(
        texts(&doc, ".window-box .badge-impact-major"),
        ["Major impact"]
    );
    assert_eq!(
        texts(&doc, ".window-box [data-status-label]"),
        ["Completed"]
    );
    assert_eq!(
        attrs(&doc, ".concerns a", "href"),
        ["/services/cloud-mail/"]
    );
    let updates = texts(&doc, ".timeline li time");
    assert_eq!(
        updates,
        [
            "17 November 2026, 10:15 CET",
            "17 November 2026, 09:30 CET",
            "17 November 2026, 08:40 CET"
        ]
    );
    assert!(p
        .text("announcements/outage-cloud-mail-nov/index.html")
        .contains("<strong>No email was lost.</strong>"));
    let cancelled = p.page("announcements/vm-hosting-patching-cancelled/index.html");
    assert_eq!(
        texts(&cancelled, ".window-box [data-status-label]"),
        ["Cancelled"]
    );
}

#[test]
fn catalog_groups_services_and_compares_them() {
    let p = demo();
    let doc = p.page("services/index.html");
    assert_eq!(
        texts(&doc, "section.category h2"),
        [
            "Compute",
            "Connectivity",
            "Collaboration",
            "Email & Calendar",
            "Security",
            "Support",
            "Workplace"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    let connectivity = texts(&doc, "section[aria-labelledby=connectivity] .card-title");
    assert_eq!(
        connectivity,
        ["Zero Trust Access", "Classic VPN", "Guest Wi-Fi"]
    );
    let vpn_card = texts(&doc, "section[aria-labelledby=connectivity] .service-card").remove(1);
    assert!(
        vpn_card.contains("Retiring")
            && vpn_card.contains("On-premises")
            && vpn_card.contains("€4.50 per user per month"),
        "{vpn_card}"
    );

    let compare = p.page("services/compare/index.html");
    let rows = texts(&compare, "table.compare:not(.move) tbody tr");
    assert_eq!(rows.len(), 17);
    // Each service being replaced beside its successor, cost and SLA side by side.
    assert!(
        texts(&compare, ".moves caption").contains(&"Classic VPN → Zero Trust Access".to_owned())
    );
    let vpn_move = texts(&compare, "table.move")
        .into_iter()
        .find(|t| t.starts_with("Classic VPN → Zero Trust Access"))
        .unwrap();
    assert!(
        vpn_move.contains("Cost€4.50 per user per month€3.20 per user per month"),
        "{vpn_move}"
    );
    let zta = rows
        .iter()
        .find(|r| r.starts_with("Zero Trust Access"))
        .unwrap();
    assert_eq!(zta, "Zero Trust Access Connectivity Live SaaS €3.20 per user per month 99.95% 24/7 1 hour for outages, 1 business day for requests");
}

#[test]
fn service_pages_link_legacy_and_successor_both_ways() {
    let p = demo();
    let vpn = p.page("services/vpn-classic/index.html");
    assert_eq!(
        texts(&vpn, ".notice-legacy h2"),
        ["This service is being retired"]
    );
    assert_eq!(
        attrs(&vpn, ".notice-legacy a", "href"),
        ["/services/zero-trust-access/"]
    );
    let facts: BTreeMap<String, String> = texts(&vpn, ".facts dt")
        .into_iter()
        .zip(texts(&vpn, ".facts dd"))
        .collect();
    assert_eq!(
        facts["Cost"],
        "€4.50 per user per monthIncludes the hardware token."
    );
    assert_eq!(facts["Owner"], "Network Services");
    assert_eq!(facts["Replaced by"], "Zero Trust Access");
    assert_eq!(
        attrs(&vpn, ".facts a[href^=mailto]", "href"),
        ["mailto:network@northwind.example"]
    );

    let zta = p.page("services/zero-trust-access/index.html");
    let facts: BTreeMap<String, String> = texts(&zta, ".facts dt")
        .into_iter()
        .zip(texts(&zta, ".facts dd"))
        .collect();
    assert_eq!(facts["Replaces"], "Classic VPN");
    assert_eq!(
        attrs(&zta, "a.button", "href"),
        ["https://servicedesk.northwind.example/request/zta"]
    );
    // Its announcements, newest first; its FAQ; its surveys.
    let news = texts(&zta, "section[aria-labelledby=news-title] .card-title");
    assert_eq!(
        news,
        [
            "Rotterdam network core replacement",
            "Classic VPN retires on 31 March 2027",
            "Zero Trust Access sign-in failures",
            "Zero Trust Access is live for everyone"
        ]
    );
    assert_eq!(
        texts(&zta, "section[aria-labelledby=faq-title] h3"),
        ["Working remotely"]
    );
    assert_eq!(
        texts(&zta, "section[aria-labelledby=surveys-title] .card-title"),
        ["IT satisfaction survey 2026"]
    );
    // Markdown: the table of contents and resolved internal links.
    assert_eq!(
        texts(&zta, ".toc a"),
        ["Who it is for", "What changes for you", "How to get it"]
    );
    assert!(attrs(&zta, ".prose a", "href").contains(&"/services/mfa/".to_owned()));
}

#[test]
fn faq_topic_has_anchors_feedback_controls_and_json_ld() {
    let p = demo();
    let doc = p.page("faq/files-and-storage/index.html");
    let ids = attrs(&doc, "section.question h2", "id");
    assert_eq!(ids.len(), 6);
    assert_eq!(ids[1], "how-does-the-move-from-the-s-drive-work");
    // One "did this answer?" per question, and one for the whole page.
    assert_eq!(texts(&doc, "section.question form.helpful legend").len(), 6);
    assert_eq!(texts(&doc, "form.helpful legend").len(), 7);
    let script = texts(&doc, "script[type=\"application/ld+json\"]").remove(0);
    let json: serde_json::Value = serde_json::from_str(&script).unwrap();
    assert_eq!(json["@type"], "FAQPage");
    assert_eq!(json["mainEntity"].as_array().unwrap().len(), 6);
    assert_eq!(json["mainEntity"][0]["name"], "How much space do I get?");
    assert_eq!(
        json["mainEntity"][0]["acceptedAnswer"]["text"],
        "1 TB of personal space. Team folders are included up to 5 TB per team."
    );
    let index = p.page("faq/index.html");
    assert_eq!(texts(&index, ".faq-topic li").len(), 31);
    // The page's form is written out in base.html, the questions' come from
    // the `helpful` component: the same form but for its id, page and legend.
    let page_form = shape(&doc, "form#feedback");
    assert!(page_form.len() > 10, "{page_form:?}");
    assert_eq!(shape(&doc, "section.question form.helpful"), page_form);
}

/// The elements of the first match of `selector` with their attributes in
/// order, ids (and the labels naming them) and the page a form names left out.
fn shape(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let form = doc
        .select(&scraper::Selector::parse(selector).unwrap())
        .next()
        .unwrap_or_else(|| panic!("no {selector}"));
    form.descendants()
        .filter_map(scraper::ElementRef::wrap)
        .map(|e| {
            let v = e.value();
            let page = v.attr("name") == Some("page");
            let attrs: Vec<String> = v
                .attrs()
                .filter(|(k, _)| !(matches!(*k, "id" | "for") || page && *k == "value"))
                .map(|(k, val)| format!("{k}={val}"))
                .collect();
            format!("<{} {}>", v.name(), attrs.join(" "))
        })
        .collect()
}

#[test]
fn open_survey_has_a_form_for_every_question_type() {
    let p = demo();
    let doc = p.page("surveys/it-satisfaction-2026/index.html");
    assert_eq!(
        attrs(&doc, "form.survey-form", "action"),
        ["/api/surveys/it-satisfaction-2026/responses"]
    );
    assert_eq!(attrs(&doc, "form.survey-form", "method"), ["post"]);
    let radios = |name: &str| attrs(&doc, &format!("input[type=radio][name={name}]"), "value");
    assert_eq!(radios("overall"), ["1", "2", "3", "4", "5"]);
    assert_eq!(radios("recommend").len(), 11);
    assert_eq!(radios("most_used").len(), 5);
    assert_eq!(radios("zta_used"), ["yes", "no"]);
    assert_eq!(radios("ease"), ["1", "2", "3", "4"]);
    assert_eq!(
        attrs(&doc, "input[type=checkbox][name=wishes]", "value").len(),
        5
    );
    assert_eq!(
        attrs(&doc, "input[type=text][name=department]", "id"),
        ["q-department"]
    );
    assert_eq!(attrs(&doc, "textarea[name=comments]", "id"), ["q-comments"]);
    // Required questions are marked and enforced.
    assert_eq!(
        attrs(&doc, "input[name=overall][required]", "value").len(),
        5
    );
    assert!(attrs(&doc, "input[name=most_used][required]", "value").is_empty());
    // Every input has a label tied to it.
    let ids = attrs(
        &doc,
        "form.survey-form input:not([type=hidden]), form.survey-form textarea",
        "id",
    );
    let fors = attrs(&doc, "form.survey-form label", "for");
    for id in &ids {
        assert!(fors.contains(id), "no label for #{id}");
    }
    // Every question sits in a fieldset with a legend, or has a label.
    assert_eq!(texts(&doc, "form.survey-form fieldset legend").len(), 6);
}

#[test]
fn closed_survey_shows_its_state_and_no_form() {
    let p = demo();
    let doc = p.page("surveys/cloud-storage-pilot/index.html");
    assert!(texts(&doc, "form.survey-form").is_empty());
    assert_eq!(texts(&doc, ".page-header .badge-survey-closed"), ["Closed"]);
    assert!(texts(&doc, ".notice")[0].starts_with("This survey is closed since 30 June 2026"));
}

#[test]
fn tags_sitemap_and_404() {
    let p = demo();
    let tag = p.page("tags/remote-work/index.html");
    assert_eq!(texts(&tag, "h1"), ["Tagged “remote work”"]);
    assert_eq!(
        texts(&tag, ".service-card .card-title"),
        [
            "Cloud Storage",
            "Video Meetings",
            "Zero Trust Access",
            "Classic VPN"
        ]
    );
    let sitemap = p.text("sitemap.xml");
    assert!(sitemap.contains("<loc>http://127.0.0.1:8000/services/vpn-classic/</loc>"));
    assert!(sitemap.contains("<lastmod>2026-11-17</lastmod>"));
    assert!(!sitemap.contains("404"));
    assert!(!sitemap.contains("thanks"));
    let locs = sitemap.matches("<loc>").count() + p.text("nl/sitemap.xml").matches("<loc>").count();
    let html_pages = read_tree(&p.public())
        .keys()
        .filter(|k| k.ends_with("index.html"))
        .count();
    assert_eq!(
        locs,
        html_pages - 6,
        "every page but the thank-you pages, in both languages"
    );
    let not_found = p.page("404.html");
    assert_eq!(texts(&not_found, "h1"), ["Page not found"]);
}

#[test]
fn every_page_has_landmarks_and_metadata() {
    let p = demo();
    for (path, bytes) in read_tree(&p.public()) {
        if !path.ends_with(".html") {
            continue;
        }
        let doc = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
        assert_eq!(texts(&doc, "main").len(), 1, "{path}");
        assert_eq!(texts(&doc, "h1").len(), 1, "{path}: one h1");
        assert_eq!(texts(&doc, "nav.site-nav").len(), 1, "{path}");
        assert_eq!(
            attrs(&doc, "meta[property=\"og:title\"]", "content").len(),
            1,
            "{path}"
        );
        let lang = if path.starts_with("nl/") { "nl" } else { "en" };
        assert_eq!(attrs(&doc, "html", "lang"), [lang], "{path}");
        let html = String::from_utf8_lossy(&bytes);
        assert!(
            !html.contains("http://") || !html.contains("<script src=\"http"),
            "{path}: external script"
        );
        assert!(!html.contains("&#x2F;"), "{path}");
    }
}

#[test]
fn search_index_and_the_a_to_z_fallback() {
    let p = demo();
    for lang in ["", "nl/"] {
        let text = p.text(&format!("{lang}search/index.json"));
        let index: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(index["v"], 1);
        let docs = index["docs"].as_array().unwrap();
        let kinds = |k: &str| docs.iter().filter(|d| d[2] == k).count();
        assert_eq!(kinds("service"), 17, "{lang}");
        assert!(kinds("faq") >= 20 && kinds("announcement") >= 20, "{lang}");
        // Each FAQ question is its own result, linking to its anchor.
        let question = docs
            .iter()
            .find(|d| {
                d[2] == "faq"
                    && d[1]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("/{lang}faq/accounts-and-security/#"))
            })
            .unwrap();
        assert!(question[0].as_str().unwrap().ends_with('?'), "{question}");
    }
    let nl = p.text("nl/search/index.json");
    assert!(nl.contains("\"Dienst\""), "Dutch words for the script");
    // Small next to the HTML it indexes.
    let html: usize = read_tree(&p.public())
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(_, v)| v.len())
        .sum();
    let index = p.text("search/index.json").len() + p.text("nl/search/index.json").len();
    assert!(index * 4 < html, "index {index} bytes, HTML {html}");
    // Without a script, the search page lists services and questions A to Z.
    let page = p.page("search/index.html");
    let letters = texts(&page, ".a-to-z h3");
    assert!(
        letters.len() > 5 && letters.windows(2).all(|w| w[0] <= w[1]),
        "{letters:?}"
    );
    let entries = texts(&page, ".a-to-z li a");
    assert!(entries.contains(&"Classic VPN".to_owned()));
    assert!(entries.contains(&"I forgot my password. How do I reset it?".to_owned()));
    // Every page has the search box, pointing at its language's index.
    let home = p.page("nl/index.html");
    assert_eq!(attrs(&home, "form[role=search]", "action"), ["/nl/search/"]);
    assert_eq!(
        attrs(&home, "#site-search-input", "data-search"),
        ["/nl/search/index.json"]
    );
}

#[test]
fn announcement_cards_take_the_heading_level_of_their_list() {
    let p = demo();
    let count = |doc: &scraper::Html, selector: &str| {
        doc.select(&scraper::Selector::parse(selector).unwrap())
            .count()
    };
    // Announcement lists: the page's h1, then each card an h2.
    for rel in [
        "announcements/index.html",
        "announcements/kind/maintenance/index.html",
    ] {
        let doc = p.page(rel);
        assert!(count(&doc, ".announcement-card h2.card-title") > 0, "{rel}");
        assert_eq!(count(&doc, ".announcement-card h3.card-title"), 0, "{rel}");
    }
    // Home, tag and service pages: cards sit under the sections' h2s.
    for rel in [
        "index.html",
        "tags/remote-work/index.html",
        "services/vpn-classic/index.html",
    ] {
        let doc = p.page(rel);
        assert!(count(&doc, ".announcement-card h3.card-title") > 0, "{rel}");
        assert_eq!(count(&doc, ".announcement-card h2.card-title"), 0, "{rel}");
    }
    // The placeholder a card is rendered with never reaches a reader.
    for (rel, bytes) in read_tree(&p.public()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains('\u{E000}'),
            "{rel} holds the heading placeholder"
        );
    }
}

//! Feeds, calendars and exports of the demo portal, read by parsers no one
//! here wrote: feed-rs and the icalendar crate in Rust, Python's feedparser
//! and icalendar (installed by .ci/run).

mod common;
use common::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn demo() -> &'static Project {
    static BUILT: OnceLock<Project> = OnceLock::new();
    BUILT.get_or_init(|| {
        let p = Project::demo();
        p.build(&[]);
        p
    })
}

fn parse_feed(p: &Project, rel: &str) -> feed_rs::model::Feed {
    let bytes = std::fs::read(p.public().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

fn ids(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries.iter().map(|e| e.id.clone()).collect()
}

#[test]
fn every_feed_parses_and_json_matches_rss() {
    let p = demo();
    let tree = read_tree(&p.public());
    let rss: Vec<&String> = tree.keys().filter(|k| k.ends_with("feed.xml")).collect();
    // Everything, 17 services, 7 kinds, 5 audiences, tags with announcements.
    assert!(rss.len() >= 1 + 17 + 7 + 5, "{}", rss.len());
    for rel in rss {
        let xml = parse_feed(p, rel);
        let json_rel = rel.replace("feed.xml", "feed.json");
        let json = parse_feed(p, &json_rel);
        assert_eq!(
            ids(&xml),
            ids(&json),
            "{rel} and {json_rel} carry the same items"
        );
        assert!(xml.title.is_some(), "{rel}");
        for e in &xml.entries {
            assert!(e.published.is_some(), "{rel}: {} has a date", e.id);
            assert!(
                e.links
                    .first()
                    .is_some_and(|l| l.href.starts_with("http://127.0.0.1:8000/")),
                "{rel}"
            );
            assert!(
                e.content
                    .as_ref()
                    .and_then(|c| c.body.as_ref())
                    .is_some_and(|b| !b.is_empty()),
                "{rel}: full content"
            );
        }
    }
}

#[test]
fn the_site_feed_has_every_current_announcement_and_each_update() {
    let p = demo();
    let feed = parse_feed(p, "feed.xml");
    let ids = ids(&feed);
    // 25 published, 2 expired; the cloud mail outage has 3 updates (the expired ZTA outage's 2 are left out).
    assert_eq!(ids.len(), 23 + 3);
    assert!(ids.contains(
        &"urn:portico:announcement:outage-cloud-mail-nov:update:20261117T074000Z".to_owned()
    ));
    assert!(!ids.iter().any(|i| i.contains("fax-retired")), "expired");
    assert!(
        !ids.iter().any(|i| i.contains("outage-zta-oct")),
        "expired, with its updates"
    );
    assert!(!ids.iter().any(|i| i.contains("draft-printing")), "draft");
    assert!(
        !ids.iter().any(|i| i.contains("holiday-freeze")),
        "scheduled"
    );
    // Newest first; lastBuildDate is the newest item, not the build time.
    let dates: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(feed.updated, Some(dates[0]));
    let text = p.text("feed.xml");
    assert!(text.contains("<lastBuildDate>Thu, 19 Nov 2026 16:00:00 +0100</lastBuildDate>"));
    // Full HTML content with absolute links; summary as description; author.
    let zta = feed
        .entries
        .iter()
        .find(|e| e.id == "urn:portico:announcement:zta-launch")
        .unwrap();
    let body = zta.content.as_ref().unwrap().body.as_ref().unwrap();
    assert!(
        body.contains("href=\"http://127.0.0.1:8000/services/zero-trust-access/\""),
        "{body}"
    );
    assert_eq!(
        zta.summary.as_ref().unwrap().content,
        "Open internal applications from anywhere without starting the VPN."
    );
    assert_eq!(zta.authors[0].name, "Network Services");
    let cats: Vec<&str> = zta.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(
        cats,
        ["Launch", "Zero Trust Access", "Classic VPN", "remote work"]
    );
}

#[test]
fn per_service_kind_audience_and_tag_feeds_hold_what_concerns_them() {
    let p = demo();
    let count = |rel: &str| parse_feed(p, rel).entries.len();
    assert_eq!(
        count("services/cloud-mail/feed.xml"),
        4 + 3,
        "4 announcements and the outage's 3 updates"
    );
    assert_eq!(
        count("services/zero-trust-access/feed.xml"),
        3,
        "the expired outage is left out"
    );
    assert_eq!(
        count("services/fax-gateway/feed.xml"),
        0,
        "its only announcement expired"
    );
    assert_eq!(count("announcements/kind/outage/feed.xml"), 1 + 3);
    assert_eq!(count("announcements/kind/maintenance/feed.xml"), 6);
    assert_eq!(count("tags/files/feed.xml"), 3);
    // Finance sees what is for finance and what is for everyone, not engineering's.
    let finance = ids(&parse_feed(p, "audiences/finance/feed.xml"));
    assert!(finance.contains(&"urn:portico:announcement:finance-file-move".to_owned()));
    assert!(finance.contains(&"urn:portico:announcement:vpn-retirement".to_owned()));
    assert!(!finance.contains(&"urn:portico:announcement:gpu-beta".to_owned()));
    let all = ids(&parse_feed(p, "audiences/all/feed.xml"));
    assert!(!all.contains(&"urn:portico:announcement:finance-file-move".to_owned()));
}

#[test]
fn guids_survive_rebuilds_and_base_url_changes() {
    let p = Project::demo();
    p.build(&["--output", "a"]);
    p.build(&["--output", "b", "--base-url", "http://127.0.0.1:8000"]);
    p.build(&[
        "--output",
        "c",
        "--base-url",
        "https://intranet.example.com/it/",
    ]);
    let guids = |dir: &str| {
        let bytes = std::fs::read(p.path().join(dir).join("feed.xml")).unwrap();
        ids(&feed_rs::parser::parse(&bytes[..]).unwrap())
    };
    assert_eq!(guids("a"), guids("b"));
    assert_eq!(guids("a"), guids("c"));
    let a = std::fs::read(p.path().join("a/services/cloud-mail/feed.xml")).unwrap();
    let b = std::fs::read(p.path().join("b/services/cloud-mail/feed.xml")).unwrap();
    assert_eq!(a, b, "a trailing slash changes nothing");
}

#[test]
fn the_feed_limit_is_configurable() {
    let p = Project::demo();
    let config = std::fs::read_to_string(p.path().join("portico.toml")).unwrap();
    p.write("portico.toml", &format!("{config}\n[feeds]\nlimit = 5\n"));
    p.build(&[]);
    assert_eq!(parse_feed(&p, "feed.xml").entries.len(), 5);
    assert_eq!(parse_feed(&p, "feed.json").entries.len(), 5);
    p.write("portico.toml", &format!("{config}\n[feeds]\nlimit = 0\n"));
    let run = p.run(&["check"]);
    run.assert_failed(1, "error: feeds.limit must be at least 1");
}

fn calendar(p: &Project, rel: &str) -> icalendar::Calendar {
    let text = p.text(rel);
    assert!(
        text.lines().all(|l| l.len() <= 75),
        "{rel}: lines are folded at 75 octets"
    );
    assert!(text.contains("\r\n"), "{rel}: CRLF line ends");
    text.parse::<icalendar::Calendar>()
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn events(cal: &icalendar::Calendar) -> BTreeMap<String, BTreeMap<String, String>> {
    use icalendar::Component;
    cal.events()
        .map(|e| {
            let props: BTreeMap<String, String> = e
                .properties()
                .iter()
                .map(|(k, v)| (k.clone(), v.value().to_owned()))
                .collect();
            (props["UID"].clone(), props)
        })
        .collect()
}

#[test]
fn the_maintenance_calendar_has_every_window_with_stable_uids() {
    let p = demo();
    let all = events(&calendar(p, "maintenance.ics"));
    // 6 maintenance windows and 2 outages; the draft and scheduled have none.
    assert_eq!(all.len(), 8, "{:?}", all.keys());
    let core = &all["announcement-network-core-maintenance@portico"];
    assert_eq!(core["DTSTART"], "20261206T050000Z");
    assert_eq!(core["DTEND"], "20261206T090000Z");
    assert_eq!(core["STATUS"], "CONFIRMED");
    assert_eq!(core["SEQUENCE"], "0");
    assert_eq!(core["TRANSP"], "TRANSPARENT");
    assert_eq!(
        core["SUMMARY"],
        "Maintenance: Rotterdam network core replacement"
    );
    assert!(core["DESCRIPTION"]
        .contains("Details: http://127.0.0.1:8000/announcements/network-core-maintenance/"));
    let cancelled = &all["announcement-vm-hosting-patching-cancelled@portico"];
    assert_eq!(cancelled["STATUS"], "CANCELLED");
    // Raised by `updated`: 7 days and 6 hours after publication, in minutes.
    assert_eq!(cancelled["SEQUENCE"], (7 * 24 * 60 + 6 * 60).to_string());
    let outage = &all["announcement-outage-cloud-mail-nov@portico"];
    assert_eq!(outage["SEQUENCE"], "95", "raised by its newest update");

    let per_service = events(&calendar(p, "services/file-shares/maintenance.ics"));
    assert_eq!(
        per_service.keys().collect::<Vec<_>>(),
        [
            "announcement-network-core-maintenance@portico",
            "announcement-storage-maintenance-nov@portico"
        ]
    );
}

#[test]
fn calendars_and_feeds_are_the_same_after_a_rebuild() {
    let p = Project::demo();
    p.build(&["--output", "one"]);
    p.build(&["--output", "two"]);
    for rel in [
        "maintenance.ics",
        "feed.xml",
        "feed.json",
        "services/vpn-classic/maintenance.ics",
        "catalog.json",
    ] {
        assert!(
            std::fs::read(p.path().join("one").join(rel)).unwrap()
                == std::fs::read(p.path().join("two").join(rel)).unwrap(),
            "{rel}"
        );
    }
}

#[test]
fn python_feedparser_and_icalendar_accept_everything() {
    let p = demo();
    let script = repo().join("tests/py/check_feeds.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(p.public())
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "python3 is required in CI: {e}"
            );
            eprintln!("skipped: no python3 ({e})");
            return;
        }
    };
    if out.status.code() == Some(3) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install feedparser and icalendar: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("skipped: {}", String::from_utf8_lossy(&out.stderr));
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let feeds = summary["feeds"].as_object().unwrap();
    assert!(feeds.len() >= 30);
    for (rel, f) in feeds {
        assert_eq!(f["version"], "rss20", "{rel}");
        assert_eq!(f["has_content"], true, "{rel}");
    }
    assert_eq!(
        feeds["services/cloud-mail/feed.xml"]["ids"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let cals = summary["calendars"].as_object().unwrap();
    assert_eq!(cals.len(), 2 * (1 + 17), "both languages");
    let events = cals["maintenance.ics"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 8);
    let cancelled = events
        .iter()
        .find(|e| e["uid"] == "announcement-vm-hosting-patching-cancelled@portico")
        .unwrap();
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["start"], "2026-12-12T21:00:00+00:00");
}

#[test]
fn pages_offer_their_feeds_for_discovery_and_subscription() {
    let p = demo();
    let home = p.page("index.html");
    assert_eq!(
        attrs(&home, "link[rel=alternate][type]", "href"),
        ["/feed.xml", "/feed.json", "/maintenance.ics"]
    );
    assert_eq!(
        attrs(&home, "link[rel=alternate][type]", "type"),
        [
            "application/rss+xml",
            "application/feed+json",
            "text/calendar"
        ]
    );
    assert!(attrs(&home, "nav.subscribe a", "href").contains(&"/feed.xml".to_owned()));
    assert!(attrs(&home, "nav.subscribe a", "href")
        .contains(&"webcal://127.0.0.1:8000/maintenance.ics".to_owned()));

    let service = p.page("services/vpn-classic/index.html");
    assert_eq!(
        attrs(&service, "link[rel=alternate][type]", "href")[..3],
        [
            "/services/vpn-classic/feed.xml",
            "/services/vpn-classic/feed.json",
            "/services/vpn-classic/maintenance.ics"
        ]
    );
    assert!(attrs(&service, "nav.subscribe a", "href")
        .contains(&"/services/vpn-classic/feed.xml".to_owned()));

    let list = p.page("announcements/kind/outage/index.html");
    assert_eq!(
        attrs(&list, "link[rel=alternate][type]", "href")[0],
        "/announcements/kind/outage/feed.xml"
    );
    assert!(!texts(&p.page("announcements/index.html"), "nav.subscribe").is_empty());

    let subscribe = p.page("subscribe/index.html");
    assert_eq!(texts(&subscribe, "h1"), ["Subscribe"]);
    assert!(texts(&subscribe, "code.copy")
        .contains(&"http://127.0.0.1:8000/maintenance.ics".to_owned()));
    assert_eq!(
        texts(&subscribe, "section[aria-labelledby=feeds-title] h3"),
        ["By service", "By kind", "By audience", "By tag"]
    );

    // Link previews on every page.
    for (path, bytes) in read_tree(&p.public()) {
        if path.ends_with(".html") {
            let doc = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
            assert_eq!(
                attrs(&doc, "meta[name=\"twitter:card\"]", "content"),
                ["summary"],
                "{path}"
            );
            assert_eq!(
                attrs(&doc, "meta[property=\"og:url\"]", "content").len(),
                1,
                "{path}"
            );
        }
    }
}

#[test]
fn the_catalog_export_has_every_service_and_field() {
    let p = demo();
    let catalog: serde_json::Value = serde_json::from_str(&p.text("catalog.json")).unwrap();
    assert_eq!(catalog["version"], 1);
    let services = catalog["services"].as_array().unwrap();
    assert_eq!(services.len(), 17);
    let vpn = services.iter().find(|s| s["id"] == "vpn-classic").unwrap();
    assert_eq!(vpn["lifecycle"], "retiring");
    assert_eq!(vpn["delivery"], "on-premises");
    assert_eq!(vpn["cost"]["amount"], 4.5);
    assert_eq!(vpn["cost"]["currency"], "EUR");
    assert_eq!(vpn["sla"]["availability"], "99.5%");
    assert_eq!(vpn["replaced_by"], serde_json::json!(["zero-trust-access"]));
    assert_eq!(vpn["url"], "http://127.0.0.1:8000/services/vpn-classic/");
    assert_eq!(
        vpn["feeds"]["calendar"],
        "http://127.0.0.1:8000/services/vpn-classic/maintenance.ics"
    );
    let zta = services
        .iter()
        .find(|s| s["id"] == "zero-trust-access")
        .unwrap();
    assert_eq!(
        zta["replaces"],
        serde_json::json!(["vpn-classic"]),
        "derived from the other side"
    );
    assert_eq!(zta["links"][0]["title"], "Set-up guide (PDF)");
    assert!(p
        .text("sitemap.xml")
        .contains("<loc>http://127.0.0.1:8000/subscribe/</loc>"));
}

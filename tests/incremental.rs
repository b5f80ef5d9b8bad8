//! A rebuild that reuses the pages of the previous one (as `portico serve`
//! does) gives exactly what a full build of the same files gives, whatever
//! the edit.

mod common;
use common::*;
use portico::cli::{SiteArgs, Verbosity};
use portico::commands::build_cached;
use portico::commands::BuildCache;
use std::collections::BTreeMap;

fn outputs(p: &Project, cache: Option<&BuildCache>) -> BTreeMap<String, Vec<u8>> {
    let args = SiteArgs {
        drafts: true,
        base_url: None,
    };
    build_cached(p.path(), &args, Verbosity::Quiet, cache)
        .expect("builds")
        .outputs
        .into_iter()
        .map(|o| (o.path.to_string(), o.bytes.to_vec()))
        .collect()
}

fn assert_same_as_full_build(p: &Project, cache: &BuildCache, what: &str) -> usize {
    let incremental = outputs(p, Some(cache));
    let rendered = cache.render.rendered();
    let full = outputs(p, None);
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "{what}: the same files"
    );
    for (path, bytes) in &full {
        assert!(
            incremental[path] == *bytes,
            "{what}: {path} differs from a full build"
        );
    }
    rendered
}

fn edit(p: &Project, rel: &str, from: &str, to: &str) {
    let path = p.path().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// An edit: what it is, and how to make it.
type Step = (&'static str, Box<dyn Fn(&Project)>);

#[test]
fn every_kind_of_edit_rebuilds_to_the_same_site() {
    let p = Project::demo();
    let cache = BuildCache::default();
    assert_same_as_full_build(&p, &cache, "the first build");
    assert!(cache.render.len() > 300);

    let steps: Vec<Step> = vec![
        (
            "a body edit",
            Box::new(|p| {
                edit(
                    p,
                    "content/announcements/zta-launch.md",
                    "After a pilot",
                    "After a long pilot",
                )
            }),
        ),
        (
            "a new tag and a new audience (new feeds to subscribe to)",
            Box::new(|p| {
                edit(
                    p,
                    "content/announcements/zta-launch.md",
                    "tags = [\"remote work\"]",
                    "tags = [\"remote work\", \"zero trust\"]\naudience = [\"Field engineers\"]",
                )
            }),
        ),
        (
            "a title edit shown in lists",
            Box::new(|p| {
                edit(
                    p,
                    "content/announcements/service-desk-hours.md",
                    "Longer Service Desk hours",
                    "Even longer Service Desk hours",
                )
            }),
        ),
        (
            "a date change that reorders lists",
            Box::new(|p| {
                edit(
                    p,
                    "content/announcements/tip-meeting-rooms.md",
                    "2026-10-14T09:00:00+02:00",
                    "2026-11-19T18:00:00+01:00",
                )
            }),
        ),
        (
            "a maintenance window moved past another (reorders calendars)",
            Box::new(|p| {
                edit(
                    p,
                    "content/announcements/storage-maintenance-nov.md",
                    "start = 2026-11-28T20:00:00+01:00\nend = 2026-11-29T02:00:00+01:00",
                    "start = 2026-12-06T11:00:00+01:00\nend = 2026-12-06T12:00:00+01:00",
                )
            }),
        ),
        (
            "a service title shown on other pages",
            Box::new(|p| {
                edit(
                    p,
                    "content/services/mfa.md",
                    "Multi-factor Authentication",
                    "Two-step Sign-in",
                )
            }),
        ),
        (
            "a service cost shown in the catalog",
            Box::new(|p| {
                edit(
                    p,
                    "content/services/password-manager.md",
                    "amount = 1.50",
                    "amount = 1.75",
                )
            }),
        ),
        (
            "a translation edit",
            Box::new(|p| {
                edit(
                    p,
                    "content/services/cloud-storage.nl.md",
                    "Cloudopslag",
                    "Cloudbestanden",
                )
            }),
        ),
        (
            "a default-language edit under a translation",
            Box::new(|p| {
                edit(
                    p,
                    "content/services/cloud-storage.md",
                    "lifecycle = \"live\"",
                    "lifecycle = \"beta\"",
                )
            }),
        ),
        (
            "a new announcement",
            Box::new(|p| {
                p.write("content/announcements/brand-new.md", "+++\ntitle = \"Brand new\"\ndate = 2026-11-19T20:00:00+01:00\nkind = \"news\"\nservices = [\"vpn-classic\"]\ntags = [\"files\"]\n+++\nNew.\n")
            }),
        ),
        (
            "a new announcement linking to another and to a service",
            Box::new(|p| {
                p.write("content/announcements/newer.md", "+++\ntitle = \"Newer\"\ndate = 2026-11-19T21:00:00+01:00\nkind = \"change\"\nservices = [\"mfa\"]\n+++\nSee [the brand new one](@/announcements/brand-new.md) and [MFA](@/services/mfa.md).\n")
            }),
        ),
        (
            "a renamed announcement (the same text at another URL)",
            Box::new(|p| {
                std::fs::rename(
                    p.path().join("content/announcements/service-desk-hours.md"),
                    p.path().join("content/announcements/desk-hours.md"),
                )
                .unwrap()
            }),
        ),
        (
            "a new translation (language links on the page it translates)",
            Box::new(|p| {
                p.write("content/announcements/zta-launch.nl.md", "+++\ntitle = \"Zero Trust Access voor iedereen\"\nsummary = \"Interne toepassingen overal openen, zonder VPN.\"\n+++\nNa een proef is Zero Trust Access er nu voor iedereen.\n")
            }),
        ),
        (
            "a translation under other tags (a tag page left in one language)",
            Box::new(|p| {
                p.write("content/announcements/holiday-freeze.nl.md", "+++\ntitle = \"Wijzigingsstop rond de jaarwisseling\"\ntags = [\"jaarafsluiting\"]\n+++\nGeen geplande wijzigingen tijdens de jaarafsluiting.\n")
            }),
        ),
        (
            "a removed announcement",
            Box::new(|p| {
                std::fs::remove_file(p.path().join("content/announcements/phishing-exercise.md"))
                    .unwrap()
            }),
        ),
        (
            "a removed announcement that another links to, the link taken out",
            Box::new(|p| {
                std::fs::remove_file(p.path().join("content/announcements/brand-new.md")).unwrap();
                edit(
                    p,
                    "content/announcements/newer.md",
                    "See [the brand new one](@/announcements/brand-new.md) and",
                    "See",
                );
            }),
        ),
        (
            "a FAQ question",
            Box::new(|p| {
                edit(
                    p,
                    "content/faq/devices.md",
                    "## Can I choose a Mac?",
                    "## Can I choose a Mac or a Linux laptop?",
                )
            }),
        ),
        (
            "a survey label",
            Box::new(|p| {
                edit(
                    p,
                    "content/surveys/it-satisfaction-2026.md",
                    "Which service do you use most?",
                    "Which service do you use every day?",
                )
            }),
        ),
        (
            "a menu page title",
            Box::new(|p| {
                edit(
                    p,
                    "content/pages/contact.md",
                    "title = \"Contact\"",
                    "title = \"Contact us\"",
                )
            }),
        ),
        (
            "a draft published",
            Box::new(|p| {
                edit(
                    p,
                    "content/announcements/draft-printing.md",
                    "draft = true",
                    "draft = false",
                )
            }),
        ),
    ];
    let total = cache.render.len();
    for (what, step) in steps {
        step(&p);
        let rendered = assert_same_as_full_build(&p, &cache, what);
        // A menu title changes every page's navigation: everything renders
        // again. A file added, removed, renamed or published renders the
        // pages that show it, the lists it moves along and the files
        // linking to it (not every announcement's page).
        let structural = ["a menu page title"].contains(&what);
        assert!(
            structural || rendered < total / 2,
            "{what}: rendered {rendered} of {total}"
        );
    }
    // An unchanged rebuild renders nothing again; a body edit, a few pages.
    assert_eq!(assert_same_as_full_build(&p, &cache, "nothing changed"), 0);
    edit(
        &p,
        "content/announcements/zta-launch.md",
        "a long pilot",
        "a longer pilot",
    );
    let rendered = assert_same_as_full_build(&p, &cache, "another body edit");
    assert!(
        rendered > 0 && rendered < total / 4,
        "rendered {rendered} of {total}"
    );
}

/// A file removed while another still links to it: the rebuild reports
/// the broken link, word for word as a full build does, though the linking
/// file did not change.
#[test]
fn a_rebuild_reports_a_link_to_a_removed_file_as_a_full_build_does() {
    let p = Project::demo();
    let cache = BuildCache::default();
    let args = SiteArgs::default();
    let build = |cache: Option<&BuildCache>| build_cached(p.path(), &args, Verbosity::Quiet, cache);
    build(Some(&cache)).expect("the demo builds");
    for rel in [
        "content/faq/email-and-calendar.md",
        "content/faq/email-and-calendar.nl.md",
    ] {
        let _ = std::fs::remove_file(p.path().join(rel));
    }
    let report = |r: anyhow::Result<portico::commands::Built>| match r {
        Ok(_) => panic!("a link to a removed file built"),
        Err(e) => format!("{e:#}"),
    };
    let incremental = report(build(Some(&cache)));
    let full = report(build(None));
    assert!(
        full.contains("content/services/cloud-mail.md")
            && full.contains("broken link: no content file `faq/email-and-calendar.md`"),
        "{full}"
    );
    assert_eq!(incremental, full);
}

/// Without a fixed `now`, time passing renders nothing again until it
/// changes something a page shows (a maintenance window starting, an
/// announcement published, updated or expiring, a survey closing), and
/// then only the pages that show it: not every minute.
#[test]
fn the_clock_re_renders_only_what_it_changes() {
    let p = Project::demo();
    edit(
        &p,
        "portico.toml",
        "now = \"2026-11-20T09:00:00+01:00\"\n",
        "",
    );
    let now = jiff::Timestamp::now;
    // The next minute, and a window starting seconds after it (time
    // enough for two builds on a slow machine).
    let minute = jiff::Timestamp::from_second((now().as_second() / 60 + 1) * 60).unwrap();
    let start = minute + jiff::SignedDuration::from_secs(15);
    let end = start + jiff::SignedDuration::from_hours(1);
    let yesterday = now() - jiff::SignedDuration::from_hours(24);
    p.write(
        "content/announcements/window-soon.md",
        &format!(
            "+++\ntitle = \"Window soon\"\ndate = {yesterday}\nkind = \"maintenance\"\nservices = [\"file-shares\"]\n\n[window]\nstart = {start}\nend = {end}\nimpact = \"minor\"\n+++\nSoon.\n"
        ),
    );
    // And at the same moment: an announcement published (shown before
    // with a "Scheduled" badge, as drafts are shown here), one expiring,
    // and a survey closing; seconds later, alone, an update out (into the
    // feeds).
    let later = start + jiff::SignedDuration::from_secs(8);
    p.write(
        "content/announcements/published-soon.md",
        &format!("+++\ntitle = \"Published soon\"\ndate = {start}\nkind = \"news\"\n+++\nSoon.\n"),
    );
    p.write(
        "content/announcements/updated-soon.md",
        &format!("+++\ntitle = \"Updated soon\"\ndate = {yesterday}\nkind = \"news\"\nexpires = {end}\n\n[[updates]]\nat = {later}\nbody = \"An update.\"\n+++\nSoon.\n"),
    );
    p.write(
        "content/announcements/expiring-soon.md",
        &format!("+++\ntitle = \"Expiring soon\"\ndate = {yesterday}\nkind = \"news\"\nexpires = {start}\n+++\nSoon.\n"),
    );
    p.write(
        "content/surveys/closing-soon.md",
        &format!("+++\ntitle = \"Closing soon\"\ncloses = {start}\n\n[[questions]]\nid = \"q\"\ntype = \"yesno\"\nlabel = \"Ok?\"\n+++\n"),
    );
    let cache = BuildCache::default();
    assert_same_as_full_build(&p, &cache, "the first build");
    let total = cache.render.len();
    let sleep_until = |t: jiff::Timestamp| {
        let wait = t.duration_since(now()) + jiff::SignedDuration::from_millis(50);
        if wait.is_positive() {
            std::thread::sleep(wait.unsigned_abs());
        }
    };
    sleep_until(minute);
    let rendered = assert_same_as_full_build(&p, &cache, "in the next minute");
    assert!(
        now() < start,
        "the builds took too long for this test: the window started"
    );
    assert_eq!(rendered, 0, "in the next minute, nothing changed state");
    sleep_until(start);
    let rendered = assert_same_as_full_build(&p, &cache, "the moment came");
    assert!(
        rendered > 0 && rendered < total / 4,
        "the moment came: rendered {rendered} of {total}"
    );
    assert!(
        now() < later,
        "the builds took too long for this test: the update came out"
    );
    sleep_until(later);
    let rendered = assert_same_as_full_build(&p, &cache, "the update came out");
    assert!(
        rendered > 0 && rendered < total / 4,
        "the update came out: rendered {rendered} of {total}"
    );
}

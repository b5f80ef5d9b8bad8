//! One portal, several languages: pages per language, translations that
//! must agree with their default-language file, and the theme's words,
//! dates and money in each language.

mod common;
use common::*;
use std::sync::OnceLock;

fn demo() -> &'static Project {
    static BUILT: OnceLock<Project> = OnceLock::new();
    BUILT.get_or_init(|| {
        let p = Project::demo();
        p.build(&[]);
        p
    })
}

/// The base fixture with Dutch added and the VPN service translated.
fn bilingual(show_untranslated: bool) -> Project {
    let p = Project::from_fixture("base");
    let config = std::fs::read_to_string(p.path().join("portico.toml")).unwrap();
    p.write(
        "portico.toml",
        &format!("{config}languages = [\"en\", \"nl\"]\nshow_untranslated = {show_untranslated}\n"),
    );
    p.write(
        "content/services/zta.nl.md",
        "+++\ntitle = \"Zero Trust Access\"\ncategory = \"Connectiviteit\"\n[cost]\nper = \"gebruiker per maand\"\n+++\n\nDe nieuwe manier. Zie [de FAQ](@/faq/access.md#do-i-need-the-vpn).\n",
    );
    p
}

#[test]
fn the_demo_has_a_dutch_site_beside_the_english_one() {
    let p = demo();
    let home = p.page("nl/index.html");
    assert_eq!(attrs(&home, "html", "lang"), ["nl"]);
    assert_eq!(texts(&home, "h1"), ["IT-diensten van Northwind"]);
    assert_eq!(
        texts(&home, "nav.site-nav a")[..4],
        ["Diensten", "Berichten", "Veelgestelde vragen", "Enquêtes"]
    );
    assert!(texts(&home, "main h2").contains(&"Gepland onderhoud".to_owned()));
    // Translated pages in Dutch, untranslated ones in English and marked so.
    let storage = p.page("nl/services/cloud-storage/index.html");
    assert_eq!(texts(&storage, "h1"), ["Cloudopslag"]);
    assert_eq!(
        attrs(&storage, "article.service", "lang"),
        Vec::<String>::new(),
        "written in the page's language"
    );
    let wifi = p.page("nl/services/guest-wifi/index.html");
    assert_eq!(texts(&wifi, "h1"), ["Guest Wi-Fi"]);
    assert_eq!(attrs(&wifi, "article.service", "lang"), ["en"]);
    assert_eq!(
        texts(&wifi, ".service-facts h2"),
        ["In het kort"],
        "the theme's words are Dutch"
    );
    // Every language has its lists, feeds, calendar, sitemap and catalog.
    for rel in [
        "nl/services/index.html",
        "nl/announcements/index.html",
        "nl/faq/index.html",
        "nl/surveys/index.html",
        "nl/tags/index.html",
        "nl/feed.xml",
        "nl/maintenance.ics",
        "nl/sitemap.xml",
        "nl/catalog.json",
        "nl/404.html",
    ] {
        assert!(p.public().join(rel).is_file(), "{rel}");
    }
    let faq = p.page("nl/faq/remote-access/index.html");
    assert_eq!(texts(&faq, "h1"), ["Thuiswerken"]);
    assert_eq!(
        texts(&faq, "form.helpful legend")[0],
        "Was dit het antwoord op je vraag?"
    );
}

#[test]
fn dutch_pages_format_money_dates_and_labels_in_dutch() {
    let p = demo();
    let vpn = p.page("nl/services/vpn-classic/index.html");
    assert_eq!(
        texts(&vpn, ".facts dd")[0],
        "€ 4,50 per gebruiker per maandInclusief de hardwaretoken."
    );
    assert_eq!(
        texts(&vpn, ".page-header .badge-lifecycle-retiring"),
        ["Wordt uitgefaseerd"]
    );
    assert_eq!(
        texts(&vpn, ".notice-legacy h2"),
        ["Deze dienst wordt uitgefaseerd"]
    );
    let en = p.page("services/vpn-classic/index.html");
    assert_eq!(
        texts(&en, ".facts dd")[0],
        "€4.50 per user per monthIncludes the hardware token."
    );
    let news = p.page("nl/announcements/network-core-maintenance/index.html");
    assert_eq!(
        texts(&news, ".window-box dd time")[0],
        "6 december 2026, 06:00 CET"
    );
    assert_eq!(
        texts(&news, ".window-box .badge-impact-major"),
        ["Grote gevolgen"]
    );
    // Shared fields come from the English file: the window is the same.
    let en_news = p.page("announcements/network-core-maintenance/index.html");
    assert_eq!(
        attrs(
            &news,
            ".window-box [data-window-start]",
            "data-window-start"
        ),
        attrs(
            &en_news,
            ".window-box [data-window-start]",
            "data-window-start"
        )
    );
}

#[test]
fn hreflang_alternates_and_the_switcher_point_at_pages_that_exist() {
    let p = demo();
    let tree = read_tree(&p.public());
    let mut checked = 0;
    for (path, bytes) in &tree {
        if !path.ends_with(".html") {
            continue;
        }
        let doc = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        let mut hrefs = attrs(&doc, "link[hreflang]", "href");
        hrefs.extend(attrs(&doc, "nav.language-switcher a", "href"));
        for href in hrefs {
            let rel = href
                .trim_start_matches("http://127.0.0.1:8000")
                .trim_start_matches('/');
            let rel = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel.to_owned()
            };
            assert!(tree.contains_key(&rel), "{path}: {href}");
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked}");
    let zta = p.page("services/zero-trust-access/index.html");
    assert_eq!(
        attrs(&zta, "link[hreflang]", "hreflang"),
        ["en", "x-default", "nl"]
    );
    assert_eq!(
        attrs(&zta, "nav.language-switcher a[hreflang=nl]", "href"),
        ["/nl/services/zero-trust-access/"]
    );
    assert_eq!(
        attrs(&zta, "nav.language-switcher a[aria-current]", "lang"),
        ["en"]
    );
}

#[test]
fn per_language_feeds_parse_and_speak_their_language() {
    let p = demo();
    let bytes = std::fs::read(p.public().join("nl/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(&bytes[..]).unwrap();
    assert_eq!(feed.language.as_deref(), Some("nl"));
    assert_eq!(feed.title.unwrap().content, "Northwind IT: berichten");
    let core = feed
        .entries
        .iter()
        .find(|e| e.id == "urn:portico:announcement:network-core-maintenance")
        .unwrap();
    assert_eq!(
        core.title.as_ref().unwrap().content,
        "Vervanging netwerkkern Rotterdam"
    );
    assert_eq!(
        core.links[0].href,
        "http://127.0.0.1:8000/nl/announcements/network-core-maintenance/"
    );
    let ics = p.text("nl/maintenance.ics");
    assert!(ics.contains("SUMMARY:Onderhoud: Vervanging netwerkkern Rotterdam"));
    assert!(
        ics.contains("UID:announcement-network-core-maintenance@portico"),
        "the same event in every language"
    );
    let json = feed_rs::parser::parse(
        &std::fs::read(p.public().join("nl/services/zero-trust-access/feed.json")).unwrap()[..],
    )
    .unwrap();
    assert!(!json.entries.is_empty());
}

#[test]
fn a_dutch_survey_stores_the_same_question_ids_and_values() {
    let p = demo();
    let en = p.page("surveys/it-satisfaction-2026/index.html");
    let nl = p.page("nl/surveys/it-satisfaction-2026/index.html");
    assert_eq!(
        attrs(&nl, "form.survey-form", "action"),
        attrs(&en, "form.survey-form", "action")
    );
    assert_eq!(
        attrs(&nl, "form.survey-form [name]", "name"),
        attrs(&en, "form.survey-form [name]", "name")
    );
    assert_eq!(
        attrs(
            &nl,
            "form.survey-form input[type=radio], form.survey-form input[type=checkbox]",
            "value"
        ),
        attrs(
            &en,
            "form.survey-form input[type=radio], form.survey-form input[type=checkbox]",
            "value"
        )
    );
    assert_eq!(attrs(&nl, "input[name=_lang]", "value"), ["nl"]);
    assert_eq!(texts(&nl, "label[for=q-most_used-1]"), ["Cloudopslag"]);
    assert_eq!(attrs(&nl, "#q-most_used-1", "value"), ["Cloud Storage"]);
    assert_eq!(
        texts(&nl, "form.survey-form legend")[0],
        "Hoe tevreden ben je in het algemeen over de diensten van IT? *"
    );
}

#[test]
fn untranslated_items_are_hidden_unless_the_config_shows_them() {
    let hidden = bilingual(false);
    hidden.build(&[]);
    assert!(hidden.public().join("nl/services/zta/index.html").exists());
    assert!(!hidden.public().join("nl/services/vpn/index.html").exists());
    assert!(!hidden
        .public()
        .join("nl/announcements/launch/index.html")
        .exists());
    let catalog = hidden.page("nl/services/index.html");
    assert_eq!(
        texts(&catalog, ".service-card .card-title"),
        ["Zero Trust Access"]
    );
    assert_eq!(texts(&catalog, "section.category h2"), ["Connectiviteit"]);
    // The Dutch page links the English FAQ, which has no translation.
    let zta = hidden.page("nl/services/zta/index.html");
    assert!(attrs(&zta, ".prose a", "href").contains(&"/faq/access/#do-i-need-the-vpn".to_owned()));
    let feed =
        feed_rs::parser::parse(&std::fs::read(hidden.public().join("nl/feed.xml")).unwrap()[..])
            .unwrap();
    assert!(
        feed.entries.is_empty(),
        "no Dutch announcements, no fallback"
    );

    let shown = bilingual(true);
    shown.build(&[]);
    let vpn = shown.page("nl/services/vpn/index.html");
    assert_eq!(attrs(&vpn, "article.service", "lang"), ["en"]);
    let catalog = shown.page("nl/services/index.html");
    assert_eq!(
        texts(&catalog, ".service-card .card-title"),
        ["VPN EN", "Zero Trust Access"]
    );
    assert_eq!(
        texts(&catalog, "section.category h2"),
        ["Connectiviteit"],
        "grouped by the default-language category"
    );
    let feed =
        feed_rs::parser::parse(&std::fs::read(shown.public().join("nl/feed.xml")).unwrap()[..])
            .unwrap();
    assert_eq!(feed.entries.len(), 2);
}

#[test]
fn a_file_only_in_one_language_is_shown_only_in_that_language() {
    let p = bilingual(true);
    p.write("content/announcements/alleen.nl.md", "+++\ntitle = \"Alleen in het Nederlands\"\ndate = 2026-11-15\nkind = \"news\"\n+++\nHallo.\n");
    p.build(&[]);
    assert!(p
        .public()
        .join("nl/announcements/alleen/index.html")
        .exists());
    assert!(!p.public().join("announcements/alleen/index.html").exists());
    let doc = p.page("nl/announcements/alleen/index.html");
    assert_eq!(
        attrs(&doc, "link[hreflang]", "hreflang"),
        ["nl"],
        "no English alternate"
    );
    assert_eq!(
        attrs(&doc, "nav.language-switcher a[hreflang=en]", "href"),
        ["/"],
        "English readers go to the English home"
    );
}

#[test]
fn a_translation_that_changes_shared_fields_is_an_error_at_its_line() {
    let p = bilingual(false);
    p.write(
        "content/services/zta.nl.md",
        "+++\ntitle = \"Zero Trust Access\"\nlifecycle = \"beta\"\n[cost]\namount = 3.5\nper = \"gebruiker per maand\"\n+++\n",
    );
    p.write(
        "content/surveys/feedback.nl.md",
        "+++\ntitle = \"Feedback\"\n\n[[questions]]\nid = \"score\"\ntype = \"nps\"\nlabel = \"Score?\"\n+++\n",
    );
    let run = p.run(&["check"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(
        lines,
        [
            "content/services/zta.nl.md:3:1: error: `lifecycle` differs from content/services/zta.md",
            "content/services/zta.nl.md:5:1: error: `cost.amount` differs from content/services/zta.md",
            "content/surveys/feedback.nl.md:6:1: error: `questions.type` differs from content/surveys/feedback.md",
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: a translation shares `lifecycle` with its default-language file"),
        "{}",
        run.stderr
    );
}

#[test]
fn language_mistakes_are_reported() {
    let p = bilingual(false);
    p.write(
        "content/pages/about.fr.md",
        "+++\ntitle = \"À propos\"\n+++\n",
    );
    let run = p.run(&["check"]);
    run.assert_failed(1, "content/pages/about.fr.md:1:1: error: `fr` in the file name is not one of the site's languages (nl)");

    let p = Project::from_fixture("base");
    let config = std::fs::read_to_string(p.path().join("portico.toml")).unwrap();
    p.write(
        "portico.toml",
        &format!("{config}languages = [\"en\", \"Dutch\", \"nl\", \"nl\"]\n"),
    );
    let run = p.run(&["check"]);
    run.assert_failed(1, "error: invalid language code `Dutch`");
    assert!(
        run.stderr.contains("error: language `nl` is listed twice"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_project_can_override_the_themes_words() {
    let p = bilingual(false);
    p.write("i18n/nl.toml", "nav_services = \"Onze diensten\"\n");
    p.write("i18n/en.toml", "nav_services = \"Our services\"\n");
    p.build(&[]);
    assert_eq!(
        texts(&p.page("nl/index.html"), "nav.site-nav a")[0],
        "Onze diensten"
    );
    assert_eq!(
        texts(&p.page("index.html"), "nav.site-nav a")[0],
        "Our services"
    );
    assert_eq!(
        texts(&p.page("nl/index.html"), "nav.site-nav a")[1],
        "Berichten",
        "the rest stays the theme's"
    );
}

#[test]
fn a_dutch_survey_answer_is_counted_in_the_same_results_as_an_english_one() {
    let p = demo();
    let db = p.path().join("feedback.sqlite");
    let server = Server::collect(
        p.path(),
        &["--db", db.to_str().unwrap(), "--site", "public"],
    );
    // Each form as a browser sends it: its hidden fields and a choice by value.
    for (page, choice) in [
        ("/surveys/it-satisfaction-2026/", "4"),
        ("/nl/surveys/it-satisfaction-2026/", "2"),
    ] {
        let doc = scraper::Html::parse_document(&server.get(page).body);
        let action = attrs(&doc, "form.survey-form", "action").remove(0);
        let mut pairs: Vec<(String, String)> = Vec::new();
        let hidden = scraper::Selector::parse("form.survey-form input[type=hidden]").unwrap();
        for h in doc.select(&hidden) {
            let v = h.value();
            pairs.push((
                v.attr("name").unwrap().into(),
                v.attr("value").unwrap().into(),
            ));
        }
        assert!(!attrs(
            &doc,
            &format!("input[name=overall][value=\"{choice}\"]"),
            "value"
        )
        .is_empty());
        let cloud = attrs(&doc, "#q-most_used-1", "value").remove(0);
        pairs.extend([
            ("overall".to_owned(), choice.to_owned()),
            ("recommend".into(), "9".into()),
            ("most_used".into(), cloud),
        ]);
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let r = post(
            &server.addr,
            &action,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let out = p.path().join("results");
    let run = p.run(&[
        "results",
        "--db",
        db.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let survey = common::by_id(&json["surveys"], "it-satisfaction-2026");
    assert_eq!(survey["responses"], 2);
    assert_eq!(survey["by_language"], serde_json::json!({"en": 1, "nl": 1}));
    let q = |id: &str| common::by_id(&survey["questions"], id);
    // "Cloudopslag" and "Cloud Storage" are one option.
    assert!(q("most_used")["summary"]["counts"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(["Cloud Storage", 2])));
    assert_eq!(q("overall")["summary"]["mean"], 3.0);
    assert_eq!(q("overall")["by_language"]["en"]["mean"], 4.0);
    assert_eq!(q("overall")["by_language"]["nl"]["mean"], 2.0);
}

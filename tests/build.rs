//! Building as an author would: deterministic and atomic output, drafts,
//! base URLs, `init` and `new`.

mod common;
use common::*;

#[test]
fn two_builds_are_byte_identical() {
    let p = Project::demo();
    p.build(&["--output", "one"]);
    p.build(&["--output", "two"]);
    let one = read_tree(&p.path().join("one"));
    let two = read_tree(&p.path().join("two"));
    assert!(one.len() > 80);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "{path} differs between builds");
    }
}

/// The output is as `before` and no temporary folder is left beside it.
fn assert_untouched(p: &Project, before: &std::collections::BTreeMap<String, Vec<u8>>) {
    assert_eq!(read_tree(&p.public()), *before);
    let names: Vec<String> = std::fs::read_dir(p.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".portico")),
        "{names:?}"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let p = Project::from_fixture("base");
    p.build(&[]);
    let before = read_tree(&p.public());
    p.write(
        "content/announcements/broken.md",
        "+++\ntitle = \"Broken\"\nkind = \"news\"\n+++\n",
    );
    let run = p.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("content/announcements/broken.md:1:1: error: missing field `date`"),
        "{}",
        run.stderr
    );
    assert_untouched(&p, &before);
}

#[test]
fn a_build_that_fails_while_writing_pages_leaves_the_previous_site_untouched() {
    // Pages are written as they are rendered: a page that fails to render
    // after others were written must not leave a half-written site.
    let p = Project::from_fixture("base");
    p.build(&[]);
    let before = read_tree(&p.public());
    p.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ no_such_value.title }}{% endblock content %}",
    );
    let run = p.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("templates/page.html") && run.stderr.contains("no_such_value"),
        "{}",
        run.stderr
    );
    assert_untouched(&p, &before);
}

#[test]
fn a_rebuild_replaces_the_whole_output() {
    let p = Project::from_fixture("base");
    p.build(&[]);
    assert!(p.public().join("about/index.html").exists());
    std::fs::remove_file(p.path().join("content/pages/about.md")).unwrap();
    p.build(&[]);
    assert!(
        !p.public().join("about/index.html").exists(),
        "a removed page is gone"
    );
    assert!(p.public().join("index.html").exists());
}

#[test]
fn drafts_and_scheduled_content_only_with_drafts_flag() {
    let p = Project::from_fixture("base");
    p.write(
        "content/announcements/soon.md",
        "+++\ntitle = \"Coming soon\"\ndate = 2027-01-05\nkind = \"news\"\n+++\nLater.\n",
    );
    p.write("content/services/secret.md", "+++\ntitle = \"Secret\"\ncategory = \"X\"\nlifecycle = \"planned\"\ndelivery = \"cloud\"\ndraft = true\n+++\n");
    p.build(&[]);
    assert!(!p.public().join("announcements/soon/index.html").exists());
    assert!(!p.public().join("services/secret/index.html").exists());
    let run = p.build(&["--drafts"]);
    assert!(run.stderr.contains("drafts and scheduled content included"));
    let soon = p.page("announcements/soon/index.html");
    assert_eq!(texts(&soon, ".page-header .badge-draft"), ["Scheduled"]);
    let secret = p.page("services/secret/index.html");
    assert_eq!(texts(&secret, ".page-header .badge-draft"), ["Draft"]);
    assert_eq!(texts(&secret, ".preview-banner").len(), 1);
}

#[test]
fn a_link_to_a_draft_is_an_error_unless_drafts_are_built() {
    let p = Project::from_fixture("base");
    p.write(
        "content/pages/plan.md",
        "+++\ntitle = \"Plan\"\ndraft = true\n+++\nPlan.\n",
    );
    p.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n+++\n\nSee the [plan](@/pages/plan.md).\n",
    );
    let run = p.run(&["check"]);
    run.assert_failed(1, "content/pages/about.md:5:9: error: link to `@/pages/plan.md`, which is a draft or scheduled and not published");
    assert_eq!(p.run(&["check", "--drafts"]).code, 0);
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let p = Project::from_fixture("base");
    p.build(&["--base-url", "https://intranet.example.com/it"]);
    let home = p.page("index.html");
    assert!(
        attrs(&home, "link[rel=stylesheet]", "href").contains(&"/it/assets/style.css".to_owned())
    );
    assert!(attrs(&home, "nav[aria-label=Main] a", "href")
        .iter()
        .all(|h| h.starts_with("/it/")));
    assert_eq!(
        attrs(&home, "link[rel=canonical]", "href"),
        ["https://intranet.example.com/it/"]
    );
    assert!(p
        .text("sitemap.xml")
        .contains("<loc>https://intranet.example.com/it/services/zta/</loc>"));
    let zta = p.page("services/zta/index.html");
    assert!(
        attrs(&zta, ".prose a", "href").contains(&"/it/faq/access/#do-i-need-the-vpn".to_owned())
    );
}

#[test]
fn yaml_and_toml_front_matter_build_alike() {
    let p = Project::from_fixture("base");
    p.build(&[]);
    // zta.md is YAML, vpn.md TOML.
    let zta = p.page("services/zta/index.html");
    assert_eq!(texts(&zta, "h1"), ["Zero Trust Access"]);
    assert_eq!(
        texts(&zta, ".facts dd").first().map(String::as_str),
        Some("€3.20 per user per month")
    );
    let vpn = p.page("services/vpn/index.html");
    assert_eq!(attrs(&vpn, ".notice-legacy a", "href"), ["/services/zta/"]);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let p = Project::from_fixture("base");
    let run = p.build(&["-q"]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "");
}

#[test]
fn init_then_build_works_in_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = portico(dir.path(), &["init", "portal"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let portal = dir.path().join("portal");
    // One of a kind is counted as one, not "1 surveys".
    let run = portico(&portal, &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "No errors: 2 services, 2 announcements, 1 FAQ topic, 1 survey, 1 page (",
        ),
        "{}",
        run.stderr
    );
    let run = portico(&portal, &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let home = std::fs::read_to_string(portal.join("public/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&home);
    assert_eq!(texts(&doc, "h1"), ["Welcome to IT Services"]);
    // The starter's maintenance window is a week ahead of today: upcoming.
    assert_eq!(
        texts(&doc, "section[aria-labelledby=upcoming-title] .card-title"),
        ["File shares unavailable for maintenance"]
    );
    assert!(portal.join("public/surveys/storage/index.html").exists());
    assert!(
        portal.join("public/assets/style.css").exists(),
        "the embedded theme's assets"
    );
    // A second init refuses to overwrite.
    let again = portico(dir.path(), &["init", "portal"]);
    again.assert_failed(2, "already holds a portal");
}

#[test]
fn new_scaffolds_valid_drafts_of_every_kind() {
    let p = Project::from_fixture("base");
    for (kind, title, path) in [
        (
            "announcement",
            "VPN upgrade",
            "content/announcements/vpn-upgrade.md",
        ),
        (
            "service",
            "Print Service",
            "content/services/print-service.md",
        ),
        ("faq", "Printing", "content/faq/printing.md"),
        ("survey", "Print survey", "content/surveys/print-survey.md"),
        ("page", "Team", "content/pages/team.md"),
    ] {
        let run = p.run(&["new", kind, title]);
        assert_eq!(run.code, 0, "{kind}: {}", run.stderr);
        assert!(run.stdout.trim().ends_with(path), "{}", run.stdout);
        assert!(p.path().join(path).is_file());
    }
    let run = p.run(&["new", "page", "Team"]);
    assert_eq!(run.code, 2, "does not overwrite");
    assert_eq!(p.run(&["check"]).code, 0, "drafts are left out");
    let run = p.run(&["check", "--drafts"]);
    assert_eq!(run.code, 0, "scaffolds are valid: {}", run.stderr);
    p.build(&["--drafts"]);
    assert!(p
        .public()
        .join("services/print-service/index.html")
        .exists());
    assert!(p.public().join("surveys/print-survey/index.html").exists());
}

#[test]
fn theme_templates_can_be_overridden_file_by_file() {
    let p = Project::from_fixture("base");
    p.write("templates/page.html", "{% extends \"base.html\" %}{% block content %}<h1>Custom: {{ page.title }}</h1>{% endblock content %}");
    p.build(&[]);
    assert_eq!(texts(&p.page("about/index.html"), "h1"), ["Custom: About"]);
    // Other templates still come from the theme.
    assert_eq!(
        texts(&p.page("services/index.html"), "h1"),
        ["Service catalog"]
    );
}

#[test]
fn the_announcement_card_template_shapes_every_list() {
    let p = Project::from_fixture("base");
    p.write(
        "templates/announcement_card.html",
        "<{{ heading }} class=\"mine\">{{ a.title }} ({{ tr.pinned }})</{{ heading }}>",
    );
    p.write(
        "content/announcements/launch.md",
        "+++\ntitle = \"ZTA <launched>\"\ndate = 2026-11-01\nkind = \"launch\"\nservices = [\"zta\", \"vpn\"]\ntags = [\"remote\"]\n+++\n\nIt is here.\n",
    );
    p.build(&[]);
    // Lists of announcements give the card an h2, the others an h3; the
    // card's values are escaped like any page's.
    assert_eq!(
        texts(&p.page("announcements/index.html"), "h2.mine"),
        ["VPN patching (Pinned)", "ZTA <launched> (Pinned)"]
    );
    for page in [
        "index.html",
        "tags/remote/index.html",
        "services/zta/index.html",
    ] {
        let cards = texts(&p.page(page), "h3.mine");
        assert!(
            cards.contains(&"ZTA <launched> (Pinned)".to_string()),
            "{page}: {cards:?}"
        );
    }
    assert!(p
        .text("announcements/index.html")
        .contains("ZTA &lt;launched&gt;"));
}

#[test]
fn static_files_are_copied_as_they_are() {
    let p = Project::from_fixture("base");
    p.write("static/docs/guide.txt", "read me");
    p.build(&[]);
    assert_eq!(
        std::fs::read_to_string(p.public().join("docs/guide.txt")).unwrap(),
        "read me"
    );
}

#[test]
fn titles_and_summaries_are_escaped() {
    let p = Project::from_fixture("base");
    p.write("content/pages/about.md", "+++\ntitle = \"<script>alert(1)</script> & co\"\nsummary = \"\\\"quoted\\\" <b>\"\n+++\nBody.\n");
    p.build(&[]);
    let html = p.text("about/index.html");
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(html.contains("content=\"&quot;quoted&quot; &lt;b&gt;\""));
}

#[test]
fn a_broken_link_in_an_update_points_at_the_update() {
    let p = Project::from_fixture("base");
    p.write(
        "content/announcements/outage.md",
        "+++\ntitle = \"Outage\"\ndate = 2026-11-02\nkind = \"outage\"\n\n[window]\nstart = 2026-11-02T08:00:00Z\nend = 2026-11-02T09:00:00Z\n\n[[updates]]\nat = 2026-11-02T08:30:00Z\nbody = \"Use [the VPN](@/services/vpm.md) meanwhile.\"\n+++\nDown.\n",
    );
    let run = p.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("content/announcements/outage.md:12:13: error: broken link: no content file `services/vpm.md`"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_announcements_table_of_contents_is_the_one_other_pages_get() {
    // announcement.html writes the `toc` component out (a component call
    // costs more than the table): both must give the same HTML.
    let p = Project::from_fixture("base");
    let body =
        "Intro.\n\n## First step\n\nText.\n\n### A detail\n\nText.\n\n## Second step\n\nText.\n";
    p.write(
        "content/announcements/steps.md",
        &format!("+++\ntitle = \"Steps\"\ndate = 2026-01-05\nkind = \"news\"\n+++\n\n{body}"),
    );
    p.write(
        "content/pages/steps.md",
        &format!("+++\ntitle = \"Steps\"\n+++\n\n{body}"),
    );
    p.build(&[]);
    let toc = |rel: &str| {
        let text = p.text(rel);
        let start = text
            .find("<nav class=\"toc\"")
            .unwrap_or_else(|| panic!("no toc in {rel}"));
        let end = start + text[start..].find("</nav>").unwrap() + "</nav>".len();
        text[start..end].to_owned()
    };
    let announcement = toc("announcements/steps/index.html");
    assert!(
        announcement.contains("<li class=\"toc-3\"><a href=\"#a-detail\">A detail</a></li>"),
        "{announcement}"
    );
    assert_eq!(announcement, toc("steps/index.html"));
    // Fewer than three headings: no table on either.
    assert!(!p
        .text("announcements/launch/index.html")
        .contains("class=\"toc\""));
}

/// Pages print the words and site values written into the templates for
/// speed (`theme::fold`) only where those names mean the site's own: a
/// template that binds `tr` or `site` itself gets what it bound.
#[test]
fn a_template_that_binds_tr_or_site_itself_prints_what_it_bound() {
    let p = Project::from_fixture("base");
    p.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{% for x in [1] %}{% set tr = {\"title_404\": \"Mine\"} %}<h1>{{ tr.title_404 }}</h1>{% endfor %}{% endblock content %}",
    );
    p.write(
        "templates/tags.html",
        "{% extends \"base.html\" %}{% block content %}{% for site in [{\"title\": \"Looped\"}] %}<h1>{{ site.title }}</h1>{% endfor %}{% endblock content %}",
    );
    p.build(&[]);
    assert_eq!(texts(&p.page("about/index.html"), "h1"), ["Mine"]);
    assert_eq!(texts(&p.page("tags/index.html"), "h1"), ["Looped"]);
    // The frame around them still has the site's words.
    assert_eq!(
        texts(&p.page("about/index.html"), "a.skip-link"),
        ["Skip to content"]
    );
}

/// An error in a template is placed in the template as written, though
/// pages are rendered from copies with the site's words written in.
#[test]
fn a_template_error_points_at_the_template_as_written() {
    let p = Project::from_fixture("base");
    p.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}<p>{{ tr.title_404 }} {{ site.title }} {{ nope.x }}</p>{% endblock content %}",
    );
    let run = p.run(&["build"]);
    run.assert_failed(1, "Variable `nope` is not defined");
    assert!(
        run.stderr.contains("--> page.html:2:62")
            && run
                .stderr
                .contains("<p>{{ tr.title_404 }} {{ site.title }} {{ nope.x }}</p>"),
        "{}",
        run.stderr
    );
}

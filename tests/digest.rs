//! `portico digest` as IT runs it: the files it writes, the .eml read back
//! with a real MIME parser (both parts, the headers, every link), one
//! digest per audience, and what it says when there is nothing to say.

mod common;

use common::{portico, Project};
use mail_parser::{MessageParser, MimeHeaders};
use std::collections::BTreeSet;

/// Runs `portico digest ARGS` in the demo portal; the parsed .eml, the HTML
/// and the text as written.
fn digest(p: &Project, args: &[&str]) -> (Vec<u8>, String, String) {
    let mut all = vec!["digest", "--base-url", "https://it.northwind.example/"];
    all.extend(args);
    let run = p.run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = p.path().join("digest");
    (
        std::fs::read(dir.join("digest.eml")).unwrap(),
        std::fs::read_to_string(dir.join("digest.html")).unwrap(),
        std::fs::read_to_string(dir.join("digest.txt")).unwrap(),
    )
}

fn hrefs(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let a = scraper::Selector::parse("a[href]").unwrap();
    doc.select(&a)
        .map(|e| e.value().attr("href").unwrap().to_owned())
        .collect()
}

#[test]
fn the_eml_holds_both_parts_with_working_links() {
    let p = Project::demo();
    let (eml, html, text) = digest(&p, &["--days", "30"]);
    let message = MessageParser::default()
        .parse(&eml)
        .expect("a MIME message");
    assert_eq!(
        message.subject(),
        Some("What's new from Northwind IT – 20 November 2026")
    );
    let from = message.from().and_then(|f| f.first()).unwrap();
    assert_eq!(from.address(), Some("it@northwind.example"));
    assert_eq!(
        message
            .to()
            .and_then(|t| t.first())
            .and_then(|t| t.address()),
        Some("staff@northwind.example")
    );
    assert!(message.message_id().is_some());
    assert!(message.date().is_some());
    let root = message.content_type().unwrap();
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
    // The parts decode to exactly the files written beside the .eml.
    // (Lines end in CRLF inside the message, as RFC 5322 wants.)
    let unix = |s: std::borrow::Cow<str>| s.replace("\r\n", "\n");
    assert_eq!(
        message.body_text(0).map(unix).as_deref(),
        Some(text.as_str())
    );
    assert_eq!(
        message.body_html(0).map(unix).as_deref(),
        Some(html.as_str())
    );
    // A retirement shows the service that retires, not its successor.
    assert!(
        text.contains("Classic VPN (Retirement · Retiring)"),
        "{text}"
    );
    assert!(!text.contains("Zero Trust Access (Retirement"), "{text}");

    // Every section, in both parts.
    for wanted in [
        "Upcoming maintenance",
        "Rotterdam network core replacement",
        "New and changed services",
        "Announcements",
        "Phishing exercise in December",
        "Tell us what you think",
        "Answer the survey",
    ] {
        assert!(html.contains(wanted), "the HTML part lacks {wanted:?}");
        assert!(text.contains(wanted), "the text part lacks {wanted:?}");
    }
    // A legacy service is shown with its successor.
    assert!(text.contains("Replaced by"), "{text}");

    // Every link is absolute and names a file of the site built with the
    // same base URL.
    p.build(&["--base-url", "https://it.northwind.example/"]);
    let links: BTreeSet<String> = hrefs(&html).into_iter().collect();
    assert!(links.len() > 10, "{links:?}");
    for link in &links {
        let path = link
            .strip_prefix("https://it.northwind.example/")
            .unwrap_or_else(|| panic!("{link} is not a link to the portal"));
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_owned()
        };
        assert!(p.public().join(&file).is_file(), "{link}: no {file}");
        assert!(text.contains(link.as_str()), "the text part lacks {link}");
    }
    assert!(links.iter().any(|l| l.ends_with("maintenance.ics")));
    assert!(links.iter().any(|l| l.ends_with("/subscribe/")));
    // Table layout with inline styles: no stylesheet, no script, no image needed.
    assert!(!html.contains("<style") && !html.contains("<link") && !html.contains("<script"));
    assert!(!html.contains("<img"));
}

#[test]
fn each_audience_gets_what_is_for_it_and_what_is_for_everyone() {
    let p = Project::demo();
    let (_, engineering, _) = digest(&p, &["--days", "60", "--audience", "engineering"]);
    let (_, finance, _) = digest(&p, &["--days", "60", "--audience", "finance"]);
    let (_, everyone, _) = digest(&p, &["--days", "60"]);
    let engineering_only = "Private Cloud platform upgrade, zone Venlo";
    let finance_only = "Finance and Customs folders move to Cloud Storage";
    let for_all = "Phishing exercise in December";
    assert!(engineering.contains(engineering_only));
    assert!(!engineering.contains(finance_only));
    assert!(finance.contains(finance_only));
    assert!(!finance.contains(engineering_only));
    for html in [&engineering, &finance, &everyone] {
        assert!(html.contains(for_all));
    }
    assert!(everyone.contains(engineering_only) && everyone.contains(finance_only));
    assert!(engineering.contains("for engineering"));
}

#[test]
fn the_digest_speaks_the_language_asked_for() {
    let p = Project::demo();
    let (eml, html, _) = digest(&p, &["--days", "30", "--lang", "nl"]);
    let message = MessageParser::default().parse(&eml).unwrap();
    assert!(message.subject().unwrap().starts_with("Nieuw van"));
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("Gepland onderhoud"));
    assert!(html.contains("https://it.northwind.example/nl/"));
}

#[test]
fn an_empty_digest_says_so_and_writes_nothing_unless_asked() {
    let p = Project::from_fixture("base");
    for dir in ["content/announcements", "content/surveys"] {
        std::fs::remove_dir_all(p.path().join(dir)).unwrap();
    }
    let run = p.run(&["digest"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Nothing new since"), "{}", run.stdout);
    assert!(!p.path().join("digest").exists());
    let run = p.run(&["digest", "--allow-empty"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(p.path().join("digest/digest.txt")).unwrap();
    assert!(text.contains("Nothing new since"), "{text}");
    assert!(p.path().join("digest/digest.eml").is_file());
}

#[test]
fn wrong_options_are_usage_errors() {
    let p = Project::demo();
    p.run(&["digest", "--since", "last tuesday"])
        .assert_failed(2, "invalid date `last tuesday`");
    p.run(&["digest", "--lang", "xx"])
        .assert_failed(2, "the portal has no language `xx` (it has en, nl)");
    p.run(&["digest", "--since", "2026-11-01", "--days", "3"])
        .assert_failed(2, "cannot be used with");
    p.write(
        "portico.toml",
        &std::fs::read_to_string(p.path().join("portico.toml"))
            .unwrap()
            .replace("it@northwind.example", "not an address"),
    );
    let run = portico(p.path(), &["digest", "--days", "30"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("`[digest] from` is not an address"),
        "{}",
        run.stderr
    );
    assert!(!p.path().join("digest").exists());
}

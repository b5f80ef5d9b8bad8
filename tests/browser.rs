//! The live preview in a real headless Chromium (Debian's `chromium`): the
//! page follows the author's edits without anyone touching the browser, and
//! shows build errors over the page until they are fixed.
//!
//! Needs `chromium` (CI installs it); outside CI the test is skipped with a
//! message when it is missing, under `CI` it fails.

mod common;
use common::*;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PORTICO_CHROMIUM").map(PathBuf::from),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium on this machine");
    }
    found
}

fn browser(path: PathBuf, profile: &std::path::Path) -> headless_chrome::Browser {
    let args: Vec<&OsStr> = [
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-gpu",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.to_path_buf()))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    headless_chrome::Browser::new(options).expect("launch chromium")
}

/// Waits until `script` (a JavaScript expression) is true in the page.
fn wait_until(tab: &headless_chrome::Tab, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = tab.evaluate(script, false).ok().and_then(|r| r.value);
        if value == Some(serde_json::Value::Bool(true)) {
            return;
        }
        let text = tab
            .evaluate("document.body ? document.body.innerText : ''", false)
            .ok()
            .and_then(|r| r.value);
        let state = tab
            .evaluate("JSON.stringify([String(window.__porticoServed), String(window.__porticoConnected)])", false)
            .ok()
            .and_then(|r| r.value);
        assert!(
            Instant::now() < deadline,
            "timed out: {what}; page text: {text:?}; live-reload state: {state:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_open_page_follows_edits_and_shows_errors_until_fixed() {
    let Some(path) = chromium() else { return };
    let p = Project::from_fixture("base");
    p.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n+++\n\nThe first version.\n",
    );
    let s = Server::start(p.path(), &[]);
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!("{}about/", s.url))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_until(
        &tab,
        "document.body.innerText.includes('The first version.')",
        "the page",
    );
    // Wait for the page's event stream to be open before editing.
    wait_until(
        &tab,
        "window.__porticoConnected === true",
        "the live-reload connection",
    );

    p.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n+++\n\nThe second version.\n",
    );
    wait_until(
        &tab,
        "document.body.innerText.includes('The second version.')",
        "the edit to show by itself",
    );

    p.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\nsumary = \"typo\"\n+++\n\nBroken.\n",
    );
    wait_until(
        &tab,
        "!!document.getElementById('portico-errors')",
        "the error overlay",
    );
    let overlay = tab
        .find_element("#portico-errors")
        .unwrap()
        .get_inner_text()
        .unwrap();
    assert!(
        overlay.contains("content/pages/about.md:3:1: error: unknown field `sumary`"),
        "{overlay}"
    );
    assert!(overlay.contains("did you mean `summary`?"), "{overlay}");

    p.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\nsummary = \"fixed\"\n+++\n\nThe third version.\n",
    );
    wait_until(
        &tab,
        "!document.getElementById('portico-errors') && document.body.innerText.includes('The third version.')",
        "the overlay to go and the fix to show",
    );
}

#[test]
fn page_feedback_is_sent_without_leaving_the_page() {
    let Some(path) = chromium() else { return };
    let p = Project::demo();
    p.build(&[]);
    let db = p.path().join("feedback.sqlite");
    let s = Server::collect(
        p.path(),
        &["--db", db.to_str().unwrap(), "--site", "public"],
    );
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    let tab = browser.new_tab().unwrap();
    let page = format!("{}services/cloud-storage/", s.url);
    tab.navigate_to(&page)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_until(
        &tab,
        "!!document.querySelector('form#feedback')",
        "the feedback form",
    );
    tab.evaluate(
        "document.querySelector('#feedback details').open = true; \
         document.querySelector('#feedback-comment').value = 'Which folders move first?'; true",
        false,
    )
    .unwrap();
    tab.find_element("form#feedback button[value=no]")
        .unwrap()
        .click()
        .unwrap();
    wait_until(
        &tab,
        "document.querySelector('form#feedback').classList.contains('sent')",
        "the thank-you note",
    );
    let note = tab
        .find_element("#feedback-thanks")
        .unwrap()
        .get_inner_text()
        .unwrap();
    assert_eq!(note, "Thank you for your feedback.");
    assert_eq!(tab.get_url(), page, "the page did not change");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let row: (String, bool, String) = conn
        .query_row(
            "SELECT page, helpful, comment FROM page_feedback",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        (
            "/services/cloud-storage/".to_owned(),
            false,
            "Which folders move first?".to_owned()
        )
    );
}

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

// ---- The published portal in a browser: pages, search, filters, accessibility.

type Errors = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A tab of `width` CSS pixels that records console errors, failed loads
/// and uncaught exceptions.
fn tab_at(
    browser: &headless_chrome::Browser,
    width: u32,
) -> (std::sync::Arc<headless_chrome::Tab>, Errors) {
    use headless_chrome::protocol::cdp::types::Event;
    use headless_chrome::protocol::cdp::{Emulation, Log, Runtime};
    let tab = browser.new_tab().unwrap();
    let errors: Errors = Default::default();
    let sink = errors.clone();
    tab.enable_log().unwrap();
    tab.call_method(Runtime::Enable(None)).unwrap();
    tab.add_event_listener(std::sync::Arc::new(move |event: &Event| {
        let message = match event {
            Event::LogEntryAdded(e) if e.params.entry.level == Log::LogEntryLevel::Error => Some(
                format!("{} ({:?})", e.params.entry.text, e.params.entry.url),
            ),
            Event::RuntimeExceptionThrown(e) => Some(format!("{:?}", e.params.exception_details)),
            Event::RuntimeConsoleAPICalled(e)
                if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error =>
            {
                Some(format!("console.error {:?}", e.params.args))
            }
            _ => None,
        };
        if let Some(m) = message {
            sink.lock().unwrap().push(m);
        }
    }))
    .unwrap();
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height: 900,
        device_scale_factor: 1.0,
        mobile: width < 600,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .unwrap();
    (tab, errors)
}

fn visit(tab: &headless_chrome::Tab, url: &str) {
    tab.navigate_to(url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    wait_until(
        tab,
        "document.readyState === 'complete'",
        "the page to load",
    );
}

/// Evaluates `script` (awaiting a promise) and returns its value as JSON.
fn eval(tab: &headless_chrome::Tab, script: &str) -> serde_json::Value {
    let wrapped =
        format!("Promise.resolve({script}).then(v => JSON.stringify(v === undefined ? null : v))");
    let text = tab
        .evaluate(&wrapped, true)
        .unwrap_or_else(|e| panic!("{script}: {e}"))
        .value;
    match text {
        Some(serde_json::Value::String(s)) => serde_json::from_str(&s).unwrap(),
        other => panic!("{script}: no JSON value: {other:?}"),
    }
}

/// The demo portal, built, served by `portico collect --site`.
fn published_demo() -> (Project, Server) {
    let p = Project::demo();
    p.build(&[]);
    let db = p.path().join("feedback.sqlite");
    let s = Server::collect(
        p.path(),
        &["--db", db.to_str().unwrap(), "--site", "public"],
    );
    (p, s)
}

const PAGES: [(&str, &str); 6] = [
    ("home", ""),
    ("catalog", "services/"),
    ("service", "services/cloud-storage/"),
    ("faq", "faq/accounts-and-security/"),
    ("survey", "surveys/it-satisfaction-2026/"),
    ("search", "search/"),
];

#[test]
fn portal_pages_load_cleanly_on_desktop_and_phone() {
    let Some(path) = chromium() else { return };
    let (_p, s) = published_demo();
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    for width in [1280, 375] {
        let (tab, errors) = tab_at(&browser, width);
        for (name, rel) in PAGES {
            visit(&tab, &format!("{}{rel}", s.url));
            let found = errors.lock().unwrap().clone();
            assert!(found.is_empty(), "{name} at {width}px: {found:?}");
            let overflow = eval(
                &tab,
                "document.documentElement.scrollWidth - document.documentElement.clientWidth",
            );
            assert_eq!(
                overflow,
                serde_json::json!(0),
                "{name} scrolls sideways at {width}px"
            );
            if ["home", "catalog", "service"].contains(&name) {
                let which = if width < 600 { "phone" } else { "desktop" };
                save_screenshot(&tab, &format!("{name}-{which}.png"));
            }
        }
    }
}

#[test]
fn pages_run_only_the_portals_own_scripts() {
    let Some(path) = chromium() else { return };
    let (_p, s) = published_demo();
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    let (tab, errors) = tab_at(&browser, 1280);
    visit(&tab, &format!("{}surveys/it-satisfaction-2026/", s.url));
    // The portal's own script runs under the policy (the feedback and
    // live-reload tests use it); a script smuggled into the page does not,
    // and neither does an inline style.
    let smuggled = eval(
        &tab,
        r#"(() => {
            const inline = document.createElement("script");
            inline.textContent = "window.smuggled = true";
            document.body.appendChild(inline);
            const style = document.createElement("div");
            style.setAttribute("style", "width: 1234px");
            document.body.appendChild(style);
            return [window.smuggled === true, style.getBoundingClientRect().width === 1234];
        })()"#,
    );
    assert_eq!(smuggled, serde_json::json!([false, false]));
    let found = errors.lock().unwrap().clone();
    assert!(
        found.iter().any(|e| e.contains("Content Security Policy")),
        "the browser reports what it refused: {found:?}"
    );
}

#[test]
fn typing_a_query_finds_the_question_first_and_the_keyboard_reaches_it() {
    let Some(path) = chromium() else { return };
    let (_p, s) = published_demo();
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    let (tab, errors) = tab_at(&browser, 1280);
    visit(&tab, &s.url);
    let input = tab.find_element("#site-search-input").unwrap();
    input.click().unwrap();
    input.type_into("reset passw").unwrap();
    wait_until(
        &tab,
        "!!document.querySelector('#site-search-results:not([hidden]) li a')",
        "search results",
    );
    let first = eval(
        &tab,
        "document.querySelector('#site-search-results li a .search-title').textContent",
    );
    assert_eq!(
        first,
        serde_json::json!("I forgot my password. How do I reset it?")
    );
    let marked = eval(
        &tab,
        "Array.from(document.querySelectorAll('#site-search-results li:first-child .search-title mark')).map(m => m.textContent.toLowerCase())",
    );
    // The words typed are marked, the unfinished one as far as it goes.
    assert_eq!(marked, serde_json::json!(["passw", "reset"]));
    tab.press_key("ArrowDown").unwrap();
    let focused = eval(&tab, "document.activeElement.getAttribute('href')");
    assert_eq!(
        focused,
        serde_json::json!("/faq/accounts-and-security/#i-forgot-my-password-how-do-i-reset-it")
    );
    tab.press_key("Enter").unwrap();
    wait_until(&tab, "location.hash.length > 1", "the question's page");
    // The search page takes the query from its address; accents do not matter.
    visit(&tab, &format!("{}search/?q=zero+trust", s.url));
    wait_until(
        &tab,
        "document.querySelectorAll('#search-page-results li').length > 0",
        "search page results",
    );
    let first = eval(
        &tab,
        "document.querySelector('#search-page-results li .search-title').textContent",
    );
    assert_eq!(first, serde_json::json!("Zero Trust Access"));
    assert!(eval(
        &tab,
        "document.getElementById('search-page-status').textContent"
    )
    .as_str()
    .unwrap()
    .contains("results for “zero trust”"));
    let found = errors.lock().unwrap().clone();
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_filter_narrows_the_catalog() {
    let Some(path) = chromium() else { return };
    let (_p, s) = published_demo();
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    let (tab, _) = tab_at(&browser, 1280);
    visit(&tab, &format!("{}services/", s.url));
    let visible = "Array.from(document.querySelectorAll('.service-card')).filter(c => c.offsetParent !== null).map(c => c.querySelector('.card-title a').textContent).sort()";
    assert_eq!(eval(&tab, visible).as_array().unwrap().len(), 17);
    eval(
        &tab,
        "(() => { const s = document.querySelector('select[name=lifecycle]'); s.value = 'retiring'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()",
    );
    assert_eq!(
        eval(&tab, visible),
        serde_json::json!(["Classic VPN", "Exchange (on-premises)", "VM Hosting"])
    );
    assert_eq!(
        eval(&tab, "document.querySelector('.filter-status').textContent"),
        serde_json::json!("3 of 17 services shown.")
    );
    let sections = eval(
        &tab,
        "Array.from(document.querySelectorAll('section.category')).filter(c => !c.hidden).length",
    );
    assert!(
        sections.as_u64().unwrap() < 6,
        "empty categories are hidden"
    );
    eval(
        &tab,
        "(() => { document.querySelector('.catalog-filters button[type=reset]').click(); return true; })()",
    );
    wait_until(
        &tab,
        &format!("{visible}.length === 17"),
        "every service again",
    );
}

/// axe-core, installed by `.ci/run` (npm) under target/npm.
fn axe_source() -> Option<String> {
    let path = common::repo().join("target/npm/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install axe-core into target/npm (see .ci/run)"
            );
            eprintln!("skipped: no {}", path.display());
            None
        }
    }
}

#[test]
fn portal_pages_have_no_serious_accessibility_problems_and_every_control_shows_focus() {
    let Some(path) = chromium() else { return };
    let Some(axe) = axe_source() else { return };
    let (_p, s) = published_demo();
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    for width in [1280, 375] {
        let (tab, _) = tab_at(&browser, width);
        for (name, rel) in PAGES {
            visit(&tab, &format!("{}{rel}", s.url));
            tab.evaluate(&axe, false).unwrap();
            let problems = eval(
                &tab,
                "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations \
                 .filter(v => v.impact === 'serious' || v.impact === 'critical') \
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))",
            );
            assert_eq!(problems, serde_json::json!([]), "{name} at {width}px");
            if width > 600 {
                // Tab through the page: every control is reached, visible,
                // and drawn with a focus indicator.
                let controls = eval(
                    &tab,
                    "Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex=\"-1\"])')) \
                     .filter(e => !e.disabled && e.offsetParent !== null && (e.tagName === 'SUMMARY' || !e.closest('details:not([open])'))) \
                     .map((e, i) => { const key = e.type === 'radio' ? 'radio:' + e.name : String(i); e.setAttribute('data-control', key); return key; }) \
                     .filter((k, i, all) => all.indexOf(k) === i).length",
                )
                .as_u64()
                .unwrap();
                let mut reached = std::collections::HashSet::new();
                for _ in 0..(controls + 5) {
                    tab.press_key("Tab").unwrap();
                    let info = eval(
                        &tab,
                        "(() => { const e = document.activeElement; if (!e || e === document.body) return null; \
                         const r = e.getBoundingClientRect(); const s = getComputedStyle(e); \
                         const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; \
                         return [e.outerHTML.slice(0, 80), r.width > 0 && r.height > 0, shown, e.getAttribute('data-control')]; })()",
                    );
                    let Some(info) = info.as_array() else {
                        continue;
                    };
                    assert_eq!(
                        info[1],
                        serde_json::json!(true),
                        "{name}: focus on an invisible control {}",
                        info[0]
                    );
                    assert_eq!(
                        info[2],
                        serde_json::json!(true),
                        "{name}: no focus indicator on {}",
                        info[0]
                    );
                    if let Some(i) = info[3].as_str() {
                        reached.insert(i.to_owned());
                    }
                }
                let missed = eval(
                    &tab,
                    &format!(
                        "Array.from(document.querySelectorAll('[data-control]')).filter(e => !{:?}.includes(e.getAttribute('data-control'))).map(e => e.outerHTML.slice(0, 120))",
                        reached.iter().collect::<Vec<_>>()
                    ),
                );
                assert_eq!(
                    missed,
                    serde_json::json!([]),
                    "{name}: controls Tab does not reach"
                );
            }
        }
    }
}

#[test]
fn the_email_digest_reads_well_at_600_pixels() {
    let Some(path) = chromium() else { return };
    let p = Project::demo();
    let run = p.run(&[
        "digest",
        "--days",
        "30",
        "--base-url",
        "https://it.northwind.example/",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let profile = tempfile::tempdir().unwrap();
    let browser = browser(path, profile.path());
    let (tab, errors) = tab_at(&browser, 600);
    let file = p.path().join("digest/digest.html");
    visit(&tab, &format!("file://{}", file.display()));
    // Nothing to load from anywhere (images blocked change nothing), no
    // sideways scrolling, and the sections are there.
    let found = errors.lock().unwrap().clone();
    assert!(found.is_empty(), "{found:?}");
    let overflow = eval(
        &tab,
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert_eq!(overflow, serde_json::json!(0));
    let headings = eval(
        &tab,
        "[...document.querySelectorAll('h2')].map(h => h.textContent)",
    );
    assert_eq!(
        headings,
        serde_json::json!([
            "Upcoming maintenance",
            "New and changed services",
            "Announcements",
            "Tell us what you think"
        ])
    );
    save_screenshot(&tab, "digest-600.png");
}

/// Keeps what `tab` shows as `target/screenshots/NAME`.
fn save_screenshot(tab: &headless_chrome::Tab, name: &str) {
    let png = tab
        .capture_screenshot(
            headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption::Png,
            None,
            None,
            true,
        )
        .unwrap();
    let shots = common::repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join(name), png).unwrap();
}

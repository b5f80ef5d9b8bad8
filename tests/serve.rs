//! `portico serve` as an author uses it: real HTTP requests to a real server
//! on 127.0.0.1, real file edits, and the reload events a page listens to.

mod common;
use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

fn about_says(p: &Project, text: &str) {
    p.write(
        "content/pages/about.md",
        &format!("+++\ntitle = \"About\"\n+++\n\n{text}\n"),
    );
}

#[test]
fn serves_the_site_from_memory_with_the_right_answers() {
    let p = Project::from_fixture("base");
    let s = Server::start(p.path(), &[]);
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        home.body
            .contains("<script src=\"/__portico/live.js\" data-build=\""),
        "the reload script is injected"
    );
    assert!(!p.public().exists(), "nothing is written to disk");
    for (path, ty) in [
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/assets/portico.js", "text/javascript; charset=utf-8"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json; charset=utf-8"),
        ("/maintenance.ics", "text/calendar; charset=utf-8"),
        ("/catalog.json", "application/json; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/__portico/live.js", "text/javascript; charset=utf-8"),
        ("/__portico/overlay.css", "text/css; charset=utf-8"),
    ] {
        let r = s.get(path);
        assert_eq!(
            (r.status, r.header("Content-Type")),
            (200, Some(ty)),
            "{path}"
        );
    }
    let dir = s.get("/services/zta");
    assert_eq!(
        (dir.status, dir.header("Location")),
        (301, Some("/services/zta/"))
    );
    assert_eq!(s.get("/services/zta/").status, 200);
    let missing = s.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("<h1>Page not found</h1>"),
        "the portal's own 404 page"
    );
    let head = s.request("HEAD", "/services/zta/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(head.header("Content-Length").is_some_and(|l| l != "0"));
    assert_eq!(s.request("POST", "/").status, 405);
    assert_eq!(s.request("DELETE", "/").status, 405);
}

#[test]
fn no_path_leaves_the_site() {
    let p = Project::from_fixture("base");
    // A symlink in static/ pointing outside the project is not served.
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", p.path().join("static-passwd")).unwrap();
    std::fs::create_dir_all(p.path().join("static")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", p.path().join("static/passwd")).unwrap();
    let s = Server::start(p.path(), &[]);
    for path in [
        "/../../../../etc/passwd",
        "/services/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2fetc/passwd",
        "/assets/..%5c..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/%00",
        "/passwd",
        "/static-passwd",
        "/portico.toml",
        "/content/pages/about.md",
    ] {
        let r = s.get(path);
        assert!(matches!(r.status, 403 | 404), "{path}: {}", r.status);
        assert!(!r.body.contains("root:"), "{path} leaked a system file");
        assert!(!r.body.contains("base_url"), "{path} leaked the project");
    }
    // A path that only looks odd but stays inside is fine.
    assert_eq!(
        s.get("/services/./zta/").status,
        403,
        "dot segments are refused, not resolved"
    );
}

#[test]
fn an_edit_is_served_and_announced_to_open_pages() {
    let p = Project::from_fixture("base");
    about_says(&p, "First words.");
    let s = Server::start(p.path(), &[]);
    assert!(s.get("/about/").body.contains("First words."));

    // Listen as a page does.
    let mut events = s.events();
    assert!(
        events
            .head
            .iter()
            .any(|h| h == "Content-Type: text/event-stream"),
        "{:?}",
        events.head
    );
    assert_eq!(events.next_event(), "hello");
    let written = Instant::now();
    about_says(&p, "Second words.");
    assert_eq!(events.next_event(), "reload");
    let page = s.get("/about/");
    assert!(
        page.body.contains("Second words."),
        "the rebuild is served by the time the reload is announced"
    );
    assert!(written.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_broken_file_shows_an_overlay_over_the_last_good_site_until_fixed() {
    let p = Project::from_fixture("base");
    let s = Server::start(p.path(), &[]);
    p.write(
        "content/pages/about.md",
        "+++\ntitle = \"About <b>\"\nlifecyle = 1\n+++\nBroken.\n",
    );
    let page = s.wait_for("/services/zta/", 20, |b| b.contains("portico-errors"));
    assert!(
        page.body
            .contains("content/pages/about.md:3:1: error: unknown field `lifecyle`"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Zero Trust Access"),
        "the last good page is still there"
    );
    let about = s.get("/about/");
    assert!(
        about.body.contains("About us."),
        "the last good version of the broken page"
    );
    assert!(
        !about.body.contains("<b>"),
        "nothing from the broken file leaks unescaped"
    );
    assert!(
        s.stderr
            .lock()
            .unwrap()
            .contains("unknown field `lifecyle`"),
        "and in the terminal"
    );

    about_says(&p, "Fixed now.");
    let fixed = s.wait_for("/about/", 20, |b| b.contains("Fixed now."));
    assert!(!fixed.body.contains("portico-errors"));
    assert!(!s.get("/").body.contains("portico-errors"));
}

#[test]
fn editor_leftovers_do_not_rebuild_and_removed_files_disappear() {
    let p = Project::from_fixture("base");
    let s = Server::start(p.path(), &[]);
    let builds = || s.stderr.lock().unwrap().matches("changed:").count();
    p.write("content/pages/.about.md.swp", "garbage");
    p.write("content/pages/about.md~", "garbage");
    p.write("content/pages/4913", "");
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(builds(), 0, "{}", s.stderr.lock().unwrap());

    // An atomic save: write a temporary file, rename it over the page.
    p.write(
        "content/pages/about.md.tmp",
        "+++\ntitle = \"About\"\n+++\nSaved atomically.\n",
    );
    std::fs::rename(
        p.path().join("content/pages/about.md.tmp"),
        p.path().join("content/pages/about.md"),
    )
    .unwrap();
    s.wait_for("/about/", 20, |b| b.contains("Saved atomically."));
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        builds(),
        1,
        "one save, one rebuild:\n{}",
        s.stderr.lock().unwrap()
    );

    std::fs::remove_file(p.path().join("content/pages/about.md")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.get("/about/").status != 404 {
        assert!(
            Instant::now() < deadline,
            "the removed page is still served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_without_a_project_is_a_usage_error() {
    let empty = tempfile::tempdir().unwrap();
    let run = portico(empty.path(), &["serve", "--port", "0"]);
    run.assert_failed(2, "not a Portico project");
}

#[test]
fn slow_or_idle_clients_do_not_block_others() {
    let p = Project::from_fixture("base");
    let s = Server::start(p.path(), &[]);
    // Twelve connections that send half a request and wait (more than there
    // are request threads), opened one after another as browsers do, and a
    // page's event stream.
    let mut idle = Vec::new();
    for _ in 0..12 {
        let mut c = std::net::TcpStream::connect(&s.addr).unwrap();
        write!(c, "GET /services/zta/ HTTP/1.1\r\nHost: x\r\n").unwrap();
        idle.push(c);
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut events = std::net::TcpStream::connect(&s.addr).unwrap();
    write!(events, "GET /__portico/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(s.get("/about/").status, 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "an answer took {:?}",
            started.elapsed()
        );
    }
    drop(idle);
}

#[test]
fn a_stylesheet_change_refreshes_styles_without_a_reload() {
    let p = Project::from_fixture("base");
    p.write("static/extra.css", "body { color: black; }\n");
    let s = Server::start(p.path(), &[]);
    let mut events = s.events();
    assert_eq!(events.next_event(), "hello");
    p.write("static/extra.css", "body { color: navy; }\n");
    assert_eq!(events.next_event(), "css");
    assert_eq!(s.get("/extra.css").body, "body { color: navy; }\n");
    about_says(&p, "A content change reloads the page.");
    assert_eq!(events.next_event(), "reload");
}

#[test]
fn a_handler_that_panics_answers_500_and_the_server_keeps_serving() {
    // The loop both `serve` and `collect` answer requests with.
    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let addr = server.server_addr().to_ip().unwrap().to_string();
    let worker = {
        let server = server.clone();
        std::thread::spawn(move || {
            portico::serve::answer_requests(&server, |request| {
                if request.url() == "/boom" {
                    panic!("a handler bug");
                }
                let _ = request.respond(tiny_http::Response::from_string("fine"));
            })
        })
    };
    // One worker: the same thread answers before and after the panic.
    assert_eq!(common::http(&addr, "GET", "/before").body, "fine");
    assert_eq!(common::http(&addr, "GET", "/boom").status, 500);
    assert_eq!(common::http(&addr, "GET", "/boom").status, 500);
    let after = common::http(&addr, "GET", "/after");
    assert_eq!((after.status, after.body.as_str()), (200, "fine"));
    server.unblock();
    worker.join().unwrap();
}

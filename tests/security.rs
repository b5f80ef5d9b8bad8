//! What SECURITY.md promises about the servers, checked over real HTTP on
//! 127.0.0.1: headers on every answer, no folder listings, nothing a
//! visitor sends comes back unescaped, and anonymous answers keep no trace
//! of who sent them, not even in the database file's bytes.

mod common;

use common::{post, send, Project, Server};

const HOSTILE: &str = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";

fn published() -> (Project, Server, std::path::PathBuf) {
    let p = Project::demo();
    p.build(&[]);
    let db = p.path().join("feedback.sqlite");
    let s = Server::collect(
        p.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "--site",
            "public",
            "--rate-limit",
            "0",
        ],
    );
    (p, s, db)
}

#[test]
fn every_answer_says_nosniff_and_no_folder_is_listed() {
    let (p, collect, _db) = published();
    let preview = Server::start(p.path(), &[]);
    for server in [&collect, &preview] {
        for path in [
            "/",
            "/services/",
            "/assets/style.css",
            "/assets/",
            "/assets",
            "/services/vpn/../../",
            "/no/such/",
            "/api/health",
            "/api/nothing-here",
        ] {
            let r = server.get(path);
            assert_eq!(
                r.header("X-Content-Type-Options"),
                Some("nosniff"),
                "{path} on {}",
                server.url
            );
            // A folder without an index page is not listed.
            assert!(!r.body.contains(">style.css<"), "{path} lists files");
            assert!(!r.body.contains(">portico.js<"), "{path} lists files");
        }
        let assets = server.get("/assets/");
        assert_eq!(assets.status, 404, "{}", server.url);
        // Pages carry the policy that allows only the portal's own scripts.
        let home = server.get("/");
        assert!(
            home.body.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'self';"
            ),
            "{}",
            server.url
        );
    }
}

#[test]
fn what_a_visitor_sends_comes_back_escaped() {
    let (_p, s, _db) = published();
    let origin = s.url.trim_end_matches('/').to_owned();
    // A form with a wrong answer comes back with the others filled in.
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("overall", "99"),
            ("department", HOSTILE),
            ("comments", HOSTILE),
            (HOSTILE, HOSTILE),
        ])
        .finish();
    let r = post(
        &s.addr,
        "/api/surveys/it-satisfaction-2026/responses",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &origin),
            ("Accept", "text/html"),
        ],
        body.as_bytes(),
    );
    assert!(matches!(r.status, 400 | 422), "{}: {}", r.status, r.body);
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
    assert!(!r.body.contains("<img src=x"), "{}", r.body);
    assert!(r.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // As JSON, the error names the field without echoing markup as HTML.
    let r = post(
        &s.addr,
        "/api/surveys/it-satisfaction-2026/responses",
        &[("Content-Type", "application/json")],
        serde_json::json!({ HOSTILE: 1, "overall": HOSTILE })
            .to_string()
            .as_bytes(),
    );
    assert!(matches!(r.status, 400 | 422), "{}", r.status);
    assert!(r
        .header("Content-Type")
        .unwrap()
        .starts_with("application/json"));
    // A hostile path is not echoed.
    let r = send(
        &s.addr,
        "GET",
        "/api/%3Cscript%3Ealert(1)%3C/script%3E",
        &[],
        None,
    )
    .unwrap();
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
}

#[test]
fn a_hostile_free_text_answer_is_escaped_in_the_report() {
    let (p, s, db) = published();
    let r = post(
        &s.addr,
        "/api/surveys/it-satisfaction-2026/responses",
        &[("Content-Type", "application/json")],
        serde_json::json!({"overall": 4, "recommend": 8, "comments": HOSTILE})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    drop(s);
    let out = p.path().join("results");
    let run = p.run(&[
        "results",
        "--db",
        db.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                !html.contains("<script>alert"),
                "{}",
                entry.path().display()
            );
            assert!(!html.contains("<img src=x"), "{}", entry.path().display());
            seen += html
                .matches("&lt;script&gt;alert(1)&lt;/script&gt;")
                .count();
        }
    }
    assert!(seen > 0, "the comment is in the report, escaped");
}

#[test]
fn an_anonymous_answer_leaves_no_address_agent_or_time_in_the_file() {
    let (_p, s, db) = published();
    let agent = "AgentOfSomeone/4.2 (distinctive)";
    for (path, body) in [
        (
            "/api/surveys/it-satisfaction-2026/responses",
            serde_json::json!({"overall": 5, "recommend": 10, "comments": "fine"}),
        ),
        (
            "/api/feedback",
            serde_json::json!({"page": "/", "helpful": true, "comment": "ok"}),
        ),
    ] {
        let r = post(
            &s.addr,
            path,
            &[("Content-Type", "application/json"), ("User-Agent", agent)],
            body.to_string().as_bytes(),
        );
        assert!(
            matches!(r.status, 200 | 201),
            "{path}: {} {}",
            r.status,
            r.body
        );
    }
    let sent_at = jiff::Timestamp::now();
    drop(s); // the file is complete once the receiver stops
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        if let Ok(b) = std::fs::read(&name) {
            bytes.extend(b);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("AgentOfSomeone"), "the user agent is stored");
    assert!(!text.contains("127.0.0.1"), "the address is stored");
    // No time of day: neither this minute nor a time-like value at all.
    let minute = sent_at.strftime("%H:%M").to_string();
    assert!(!text.contains(&format!("T{minute}")), "the time is stored");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let timed: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM responses WHERE received_at IS NOT NULL OR client IS NOT NULL OR user_agent IS NOT NULL OR day LIKE '%:%')
                  + (SELECT count(*) FROM page_feedback WHERE day LIKE '%:%')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(timed, 0);
}

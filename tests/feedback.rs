//! The feedback receiver end to end: `portico collect` on a free loopback
//! port, answers posted as a browser and as a script would, rows read back
//! from the SQLite file, and the numbers in `portico results`.

mod common;

use common::{post, Project, Server};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::PathBuf;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// The demo portal, built, with a receiver serving it.
struct Portal {
    project: Project,
    server: Server,
    db: PathBuf,
}

fn portal(extra: &[&str]) -> Portal {
    let project = Project::demo();
    project.build(&[]);
    let db = project.path().join("feedback.sqlite");
    let mut args = vec!["--db", db.to_str().unwrap(), "--site", "public"];
    args.extend(extra);
    let server = Server::collect(project.path(), &args);
    Portal {
        project,
        server,
        db,
    }
}

impl Portal {
    fn origin(&self) -> String {
        self.server.url.trim_end_matches('/').to_owned()
    }

    /// Posts a form as a browser does: form-encoded, with its Origin.
    fn post_form(&self, path: &str, pairs: &[(String, String)]) -> common::HttpResponse {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let origin = self.origin();
        post(
            &self.server.addr,
            path,
            &[
                ("Content-Type", FORM),
                ("Origin", &origin),
                ("Accept", "text/html"),
            ],
            body.as_bytes(),
        )
    }

    fn post_json(&self, path: &str, body: &serde_json::Value) -> common::HttpResponse {
        post(
            &self.server.addr,
            path,
            &[("Content-Type", JSON)],
            body.to_string().as_bytes(),
        )
    }

    fn db(&self) -> Connection {
        Connection::open(&self.db).unwrap()
    }
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Fills a page's survey form as a person would: hidden fields as they
/// are, each answer checked against the form (a radio or checkbox with
/// that value, a text field of that name), in document order.
fn fill(page: &str, answers: &[(&str, &[&str])]) -> (String, Vec<(String, String)>) {
    let doc = scraper::Html::parse_document(page);
    let form_sel = scraper::Selector::parse("form.survey-form").unwrap();
    let form = doc.select(&form_sel).next().expect("a survey form");
    let action = form.value().attr("action").unwrap().to_owned();
    let mut pairs = Vec::new();
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    let fields = scraper::Selector::parse("input, textarea").unwrap();
    for field in form.select(&fields) {
        let el = field.value();
        let name = el.attr("name").unwrap_or("");
        let kind = el.attr("type").unwrap_or("textarea");
        let wanted = answers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        match (kind, wanted) {
            ("hidden", _) => pairs.push((name.to_owned(), el.attr("value").unwrap_or("").into())),
            ("radio" | "checkbox", Some(values)) => {
                let value = el.attr("value").unwrap();
                if values.contains(&value) {
                    pairs.push((name.to_owned(), value.to_owned()));
                    *used.entry(name).or_default() += 1;
                }
            }
            ("text" | "textarea", Some(values)) => {
                pairs.push((name.to_owned(), values[0].to_owned()));
                *used.entry(name).or_default() += 1;
            }
            // Unanswered text fields are sent empty, as browsers do.
            ("text" | "textarea", None) => pairs.push((name.to_owned(), String::new())),
            _ => {}
        }
    }
    for (name, values) in answers {
        let expected = if values.len() > 1 { values.len() } else { 1 };
        assert_eq!(
            used.get(name).copied().unwrap_or(0),
            expected,
            "the form has no field {name} with {values:?}"
        );
    }
    (action, pairs)
}

#[test]
fn every_demo_survey_can_be_answered_through_its_form_and_the_report_adds_up() {
    let p = portal(&[]);
    // Every survey the portal lists, in English and Dutch.
    let list = p.server.get("/surveys/");
    assert_eq!(list.status, 200);
    let doc = scraper::Html::parse_document(&list.body);
    let mut surveys = common::attrs(&doc, "main .card-title a", "href");
    surveys.sort();
    assert_eq!(
        surveys,
        [
            "/surveys/cloud-storage-pilot/",
            "/surveys/it-satisfaction-2026/",
            "/surveys/laptop-handover/"
        ]
    );

    // The closed pilot has no form, and the receiver refuses answers to it.
    let pilot = p.server.get("/surveys/cloud-storage-pilot/");
    assert!(!pilot.body.contains("survey-form"));
    let late = p.post_form(
        "/api/surveys/cloud-storage-pilot/responses",
        &[("satisfaction".into(), "3".into())],
    );
    assert_eq!(late.status, 410, "{}", late.body);

    // English form.
    let page = p.server.get("/surveys/it-satisfaction-2026/");
    let (action, pairs) = fill(
        &page.body,
        &[
            ("overall", &["4"]),
            ("recommend", &["10"]),
            ("most_used", &["Cloud Storage"]),
            (
                "wishes",
                &["Clearer announcements", "Self-service requests"],
            ),
            ("zta_used", &["yes"]),
            ("ease", &["3"]),
            ("department", &["Finance"]),
            (
                "comments",
                &["<b>More</b> self-service & \"faster\" laptops"],
            ),
        ],
    );
    assert_eq!(action, "/api/surveys/it-satisfaction-2026/responses");
    let sent = p.post_form(&action, &pairs);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let thanks = sent.header("Location").unwrap().to_owned();
    assert_eq!(thanks, "/surveys/it-satisfaction-2026/thanks/");
    assert!(p.server.get(&thanks).body.contains("have been received"));

    // The Dutch form: Dutch labels, the same stored values.
    let page = p.server.get("/nl/surveys/it-satisfaction-2026/");
    assert!(
        page.body.contains("Duidelijkere berichten"),
        "a Dutch option label"
    );
    let (action, pairs) = fill(
        &page.body,
        &[
            ("overall", &["2"]),
            ("recommend", &["5"]),
            ("wishes", &["Clearer announcements"]),
            ("zta_used", &["no"]),
        ],
    );
    let sent = p.post_form(&action, &pairs);
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.header("Location"),
        Some("/nl/surveys/it-satisfaction-2026/thanks/")
    );

    // Two more by JSON.
    for (overall, recommend, wishes) in [(5, 9, vec!["Longer Service Desk hours"]), (3, 8, vec![])]
    {
        let r = p.post_json(
            "/api/surveys/it-satisfaction-2026/responses",
            &serde_json::json!({"overall": overall, "recommend": recommend, "wishes": wishes}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["status"], "stored");
    }

    // The laptop survey is not anonymous.
    let page = p.server.get("/surveys/laptop-handover/");
    let (action, pairs) = fill(
        &page.body,
        &[
            ("handover", &["5"]),
            ("ready", &["yes"]),
            ("missing_apps", &["Printers"]),
            ("pickup", &["Sent home"]),
            ("tip", &["Charge it first"]),
        ],
    );
    let sent = p.post_form(&action, &pairs);
    assert_eq!(sent.status, 303, "{}", sent.body);

    // The rows in the file.
    let db = p.db();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM responses WHERE survey = 'it-satisfaction-2026'"
        ),
        4
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM responses WHERE lang = 'nl'"),
        1
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM answers WHERE question = 'wishes' AND value = 'Clearer announcements'"),
        2
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM responses WHERE survey = 'it-satisfaction-2026' AND (client IS NOT NULL OR user_agent IS NOT NULL OR received_at IS NOT NULL)"),
        0,
        "an anonymous survey keeps no address, agent or time"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM responses WHERE survey = 'laptop-handover' AND client = '127.0.0.1' AND received_at IS NOT NULL"),
        1
    );
    assert!(
        count(&db, "SELECT count(*) FROM responses WHERE day NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'") == 0
    );

    // The report.
    let out = p.project.path().join("report");
    let run = p.project.run(&[
        "results",
        "--db",
        p.db.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let survey = common::by_id(&json["surveys"], "it-satisfaction-2026");
    assert_eq!(survey["responses"], 4);
    assert_eq!(survey["by_language"], serde_json::json!({"en": 3, "nl": 1}));
    let question = |id: &str| common::by_id(&survey["questions"], id);
    // (4 + 2 + 5 + 3) / 4
    assert_eq!(question("overall")["summary"]["mean"], 3.5);
    assert_eq!(question("overall")["by_language"]["nl"]["mean"], 2.0);
    // 10, 5, 9, 8: two promoters, one passive, one detractor.
    let nps = question("recommend")["summary"].clone();
    assert_eq!(
        (
            nps["score"].as_i64(),
            nps["promoters"].as_u64(),
            nps["passives"].as_u64(),
            nps["detractors"].as_u64()
        ),
        (Some(25), Some(2), Some(1), Some(1))
    );
    let wishes = question("wishes")["summary"]["counts"].clone();
    assert!(wishes
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(["Clearer announcements", 2])));
    assert_eq!(
        question("zta_used")["summary"]["counts"],
        serde_json::json!([["yes", 1], ["no", 1]])
    );

    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("&lt;b&gt;More&lt;/b&gt; self-service &amp; &quot;faster&quot; laptops"));
    assert!(!html.contains("<b>More</b>"));
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(
        common::texts(&doc, "#survey-it-satisfaction-2026 .responses"),
        ["4"]
    );
    let lead = common::texts(&doc, "#survey-it-satisfaction-2026 .lead");
    assert!(lead[0].starts_with("4 responses"), "{lead:?}");
    assert_eq!(
        common::texts(&doc, "#it-satisfaction-2026-recommend .nps"),
        ["+25"]
    );
    assert!(doc
        .select(&scraper::Selector::parse("#it-satisfaction-2026-wishes svg[role=img]").unwrap())
        .next()
        .is_some());

    let csv = std::fs::read(out.join("it-satisfaction-2026.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM for spreadsheets");
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..4], ["response", "day", "language", "overall"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    let wishes_col = header.iter().position(|h| h == "wishes").unwrap();
    assert_eq!(
        &rows[0][wishes_col],
        "Clearer announcements; Self-service requests"
    );
}

#[test]
fn bad_input_is_refused_with_the_right_status_and_changes_nothing() {
    let p = portal(&[
        "--rate-limit",
        "0",
        "--allow-origin",
        "http://intranet.example",
    ]);
    let path = "/api/surveys/it-satisfaction-2026/responses";
    let addr = p.server.addr.clone();
    let valid = br#"{"overall": 4, "recommend": 7}"#;

    // 400: not JSON, not an object, bad form encoding.
    let r = post(&addr, path, &[("Content-Type", JSON)], b"{\"overall\": ");
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("does not parse"), "{}", r.body);
    let r = post(&addr, path, &[("Content-Type", JSON)], b"[4, 7]");
    assert_eq!(r.status, 400);
    let r = post(
        &addr,
        path,
        &[("Content-Type", FORM)],
        &[0x6f, 0x3d, 0xff, 0xfe],
    );
    assert_eq!(r.status, 400);
    // 404: no such survey; no such endpoint.
    let r = post(
        &addr,
        "/api/surveys/nope/responses",
        &[("Content-Type", JSON)],
        valid,
    );
    assert_eq!(r.status, 404);
    assert!(r.body.contains("no survey `nope`"), "{}", r.body);
    assert_eq!(
        post(&addr, "/api/nothing", &[("Content-Type", JSON)], valid).status,
        404
    );
    // 410: closed.
    let r = post(
        &addr,
        "/api/surveys/cloud-storage-pilot/responses",
        &[("Content-Type", JSON)],
        br#"{"satisfaction": 3}"#,
    );
    assert_eq!(r.status, 410);
    // 413: over the 64 KiB default, by Content-Length and by what is sent.
    let big = format!("{{\"comments\": \"{}\"}}", "x".repeat(70 * 1024));
    let r = post(&addr, path, &[("Content-Type", JSON)], big.as_bytes());
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("65536"), "{}", r.body);
    // 415: a type the receiver does not read.
    let r = post(&addr, path, &[("Content-Type", "text/plain")], valid);
    assert_eq!(r.status, 415);
    let r = post(
        &addr,
        path,
        &[("Content-Type", "multipart/form-data; boundary=x")],
        valid,
    );
    assert_eq!(r.status, 415);
    let r = post(&addr, path, &[], valid);
    assert_eq!(r.status, 415);
    // 422: every wrong field named.
    let r = post(
        &addr,
        path,
        &[("Content-Type", JSON)],
        br#"{"overall": 9, "most_used": "Fax", "wishes": ["Cake"], "zta_used": "perhaps", "colour": "red", "department": 12}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let mut named: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    named.sort();
    assert_eq!(
        named,
        [
            "colour",
            "most_used",
            "overall",
            "recommend",
            "wishes",
            "zta_used"
        ]
    );
    let r = post(
        &addr,
        path,
        &[("Content-Type", JSON)],
        br#"{"overall": 4, "recommend": 7, "department": {"name": "x"}}"#,
    );
    assert_eq!(r.status, 400, "nested objects are malformed, not invalid");
    // 403: an origin that is neither the receiver's own nor allowed.
    let r = post(
        &addr,
        path,
        &[
            ("Content-Type", JSON),
            ("Origin", "http://elsewhere.example"),
        ],
        valid,
    );
    assert_eq!(r.status, 403);
    // 405: answers are posted.
    assert_eq!(common::http(&addr, "GET", path).status, 405);
    assert_eq!(common::http(&addr, "DELETE", "/api/feedback").status, 405);
    // Page feedback about a page the portal does not have.
    let r = post(
        &addr,
        "/api/feedback",
        &[("Content-Type", JSON)],
        br#"{"page": "/no/such/page/", "helpful": "yes"}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);

    let db = p.db();
    assert_eq!(count(&db, "SELECT count(*) FROM responses"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM answers"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM page_feedback"), 0);

    // An allowed origin may post, and is told so for its script.
    let r = post(
        &addr,
        path,
        &[
            ("Content-Type", JSON),
            ("Origin", "http://intranet.example"),
        ],
        valid,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.header("Access-Control-Allow-Origin"),
        Some("http://intranet.example")
    );
    let preflight = common::send(
        &addr,
        "OPTIONS",
        path,
        &[
            ("Origin", "http://intranet.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("Access-Control-Allow-Methods"),
        Some("POST")
    );
    assert_eq!(count(&db, "SELECT count(*) FROM responses"), 1);

    let health = common::http(&addr, "GET", "/api/health");
    assert_eq!(health.status, 200);
    assert!(health.body.contains("\"status\":\"ok\""));
}

#[test]
fn a_client_over_the_rate_limit_gets_429_and_nothing_is_stored() {
    let p = portal(&["--rate-limit", "3"]);
    let path = "/api/surveys/it-satisfaction-2026/responses";
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            post(
                &p.server.addr,
                path,
                &[("Content-Type", JSON)],
                br#"{"overall": 4, "recommend": 7}"#,
            )
            .status,
        );
    }
    assert_eq!(statuses, [201, 201, 201, 429, 429]);
    let r = post(&p.server.addr, path, &[("Content-Type", JSON)], b"{}");
    assert_eq!(r.header("Retry-After"), Some("60"));
    assert_eq!(count(&p.db(), "SELECT count(*) FROM responses"), 3);
}

#[test]
fn a_form_with_wrong_answers_comes_back_with_the_errors_beside_the_fields() {
    let p = portal(&[]);
    let page = p.server.get("/surveys/it-satisfaction-2026/");
    let (action, pairs) = fill(
        &page.body,
        &[
            ("recommend", &["6"]),
            ("department", &["Sales & <Marketing>"]),
            ("comments", &["Keep the \"old\" fax"]),
        ],
    );
    let submission = pairs
        .iter()
        .find(|(k, _)| k == "_submission")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(
        submission.len(),
        32,
        "the served form carries a fresh submission id"
    );
    let r = p.post_form(&action, &pairs);
    assert_eq!(r.status, 422);
    let doc = scraper::Html::parse_document(&r.body);
    assert_eq!(
        common::texts(&doc, ".form-errors li"),
        ["Overall, how satisfied are you with IT's services?: This question needs an answer."]
    );
    assert_eq!(
        common::texts(&doc, "#question-overall .field-error"),
        ["This question needs an answer."]
    );
    // What was given is still there.
    assert_eq!(
        common::attrs(&doc, "input[name=department]", "value"),
        ["Sales & <Marketing>"]
    );
    assert_eq!(
        common::texts(&doc, "textarea[name=comments]"),
        ["Keep the \"old\" fax"]
    );
    assert_eq!(
        common::attrs(&doc, "input[name=recommend][checked]", "value"),
        ["6"]
    );
    assert_eq!(
        common::attrs(&doc, "input[name=_submission]", "value"),
        std::slice::from_ref(&submission)
    );
    assert_eq!(count(&p.db(), "SELECT count(*) FROM responses"), 0);

    // In Dutch for the Dutch form.
    let page = p.server.get("/nl/surveys/it-satisfaction-2026/");
    let (action, pairs) = fill(&page.body, &[("recommend", &["6"])]);
    let r = p.post_form(&action, &pairs);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Deze vraag heeft een antwoord nodig."),
        "{}",
        r.body
    );
}

#[test]
fn a_retried_or_double_clicked_submission_is_stored_once() {
    let p = portal(&[]);
    let page = p.server.get("/surveys/it-satisfaction-2026/");
    let (action, pairs) = fill(&page.body, &[("overall", &["5"]), ("recommend", &["9"])]);
    for _ in 0..3 {
        assert_eq!(p.post_form(&action, &pairs).status, 303);
    }
    let r = p.post_json(
        &action,
        &serde_json::json!({"overall": 1, "recommend": 0, "_submission": "retry-1"}),
    );
    assert_eq!(r.status, 201);
    let again = p.post_json(
        &action,
        &serde_json::json!({"overall": 1, "recommend": 0, "_submission": "retry-1"}),
    );
    assert_eq!(again.status, 201);
    let first: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let second: serde_json::Value = serde_json::from_str(&again.body).unwrap();
    assert_eq!(first["id"], second["id"]);
    // A form without an id (no script, a static host): the same answers
    // posted twice in a row from one client count once.
    let bare: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "_submission")
        .cloned()
        .map(|(k, v)| {
            if k == "overall" {
                (k, "2".into())
            } else {
                (k, v)
            }
        })
        .collect();
    assert_eq!(p.post_form(&action, &bare).status, 303);
    assert_eq!(p.post_form(&action, &bare).status, 303);
    assert_eq!(count(&p.db(), "SELECT count(*) FROM responses"), 3);
}

#[test]
fn page_feedback_is_taken_from_every_page_and_faq_question() {
    let p = portal(&[]);
    // Every page has the form; each FAQ question has its own.
    let service = p.server.get("/services/cloud-storage/");
    let doc = scraper::Html::parse_document(&service.body);
    assert_eq!(
        common::attrs(&doc, "form#feedback input[name=page]", "value"),
        ["/services/cloud-storage/"]
    );
    let faq = p.project.page("faq/accounts-and-security/index.html");
    let questions = common::attrs(&faq, "form[data-feedback] input[name=page]", "value");
    assert!(questions.len() > 2, "{questions:?}");
    assert!(questions.iter().any(|q| q.contains('#')));

    let r = p.post_form(
        "/api/feedback",
        &[
            ("page".into(), "/services/cloud-storage/".into()),
            ("lang".into(), "en".into()),
            ("helpful".into(), "no".into()),
            ("comment".into(), "Which folders move first?".into()),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("Location"),
        Some("/services/cloud-storage/#feedback-thanks")
    );
    assert!(service.body.contains("id=\"feedback-thanks\""));
    let question = questions.iter().find(|q| q.contains('#')).unwrap();
    let r = p.post_form(
        "/api/feedback",
        &[
            ("page".into(), question.clone()),
            ("helpful".into(), "yes".into()),
        ],
    );
    let (page, anchor) = question.split_once('#').unwrap();
    assert_eq!(
        r.header("Location").unwrap(),
        format!("{page}#{anchor}-feedback-thanks")
    );
    assert!(p
        .project
        .text("faq/accounts-and-security/index.html")
        .contains(&format!("id=\"{anchor}-feedback-thanks\"")));
    for helpful in [true, true, false] {
        let r = p.post_json(
            "/api/feedback",
            &serde_json::json!({"page": "/nl/services/", "helpful": helpful, "lang": "nl"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let db = p.db();
    assert_eq!(count(&db, "SELECT count(*) FROM page_feedback"), 5);
    assert_eq!(
        count(&db, "SELECT count(*) FROM page_feedback WHERE comment = 'Which folders move first?' AND helpful = 0"),
        1
    );

    let out = p.project.path().join("report");
    let run = p.project.run(&[
        "results",
        "--db",
        p.db.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "json,csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !out.join("index.html").exists(),
        "only the formats asked for"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let pages: Vec<(&str, f64)> = json["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["page"].as_str().unwrap(), p["helpful"].as_f64().unwrap()))
        .collect();
    // Worst first.
    assert_eq!(pages[0], ("/services/cloud-storage/", 0.0));
    assert_eq!(pages[1].0, "/nl/services/");
    assert!((pages[1].1 - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(pages[2].1, 1.0);
    let csv = std::fs::read_to_string(out.join("page-feedback.csv")).unwrap();
    assert_eq!(csv.lines().count(), 6);
}

/// Answers posted from a stream of clients; returns the submission ids
/// the receiver acknowledged.
fn stream_answers(addr: &str, prefix: &str, clients: usize, each: usize) -> Vec<String> {
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let addr = addr.to_owned();
            let prefix = prefix.to_owned();
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for n in 0..each {
                    let id = format!("{prefix}-{c}-{n}");
                    let body = serde_json::json!({"overall": 1 + (n % 5), "recommend": n % 11, "_submission": id});
                    match common::send(
                        &addr,
                        "POST",
                        "/api/surveys/it-satisfaction-2026/responses",
                        &[("Content-Type", JSON)],
                        Some(body.to_string().as_bytes()),
                    ) {
                        Ok(r) if r.status == 201 => acknowledged.push(id),
                        Ok(r) => panic!("{}: {}", r.status, r.body),
                        Err(_) => break,
                    }
                }
                acknowledged
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect()
}

#[test]
fn many_clients_at_once_are_each_stored_exactly_once() {
    let p = portal(&["--rate-limit", "0"]);
    let acknowledged = stream_answers(&p.server.addr, "c", 16, 40);
    assert_eq!(acknowledged.len(), 640);
    // Every client sends its first answer again.
    let again = stream_answers(&p.server.addr, "c", 16, 1);
    assert_eq!(again.len(), 16);
    let db = p.db();
    assert_eq!(count(&db, "SELECT count(*) FROM responses"), 640);
    assert_eq!(
        count(&db, "SELECT count(DISTINCT submission) FROM responses"),
        640
    );
    assert_eq!(count(&db, "SELECT count(*) FROM answers"), 1280);
    assert!(!p.server.stderr.lock().unwrap().contains("locked"));
}

#[test]
fn nothing_acknowledged_is_lost_when_the_receiver_is_killed() {
    let project = Project::demo();
    project.build(&[]);
    let db = project.path().join("feedback.sqlite");
    let args = ["--db", db.to_str().unwrap(), "--rate-limit", "0"];
    let mut server = Server::collect(project.path(), &args);
    let addr = server.addr.clone();
    let stream = std::thread::spawn(move || stream_answers(&addr, "k", 8, 100_000));
    // Let answers flow, then kill it without warning.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let stored = Connection::open(&db)
            .ok()
            .and_then(|c| {
                c.query_row("SELECT count(*) FROM responses", [], |r| r.get::<_, i64>(0))
                    .ok()
            })
            .unwrap_or(0);
        if stored > 300 || std::time::Instant::now() > deadline {
            break;
        }
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let acknowledged = stream.join().unwrap();
    assert!(
        acknowledged.len() > 300,
        "only {} acknowledged",
        acknowledged.len()
    );

    // A restart recovers the file; every acknowledged answer is in it.
    let restarted = Server::collect(project.path(), &args);
    assert_eq!(restarted.get("/api/health").status, 200);
    let conn = Connection::open(&db).unwrap();
    let mut stmt = conn.prepare("SELECT submission FROM responses").unwrap();
    let stored: std::collections::HashSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged answers lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    // And it takes answers again.
    assert_eq!(stream_answers(&restarted.addr, "after", 1, 3).len(), 3);
}

#[test]
fn the_preview_server_takes_answers_into_its_own_database() {
    let project = Project::demo();
    let server = Server::start(project.path(), &[]);
    let r = post(
        &server.addr,
        "/api/surveys/it-satisfaction-2026/responses",
        &[("Content-Type", JSON)],
        br#"{"overall": 4, "recommend": 10}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let db = project.path().join(".portico/preview.sqlite");
    assert_eq!(
        count(
            &Connection::open(&db).unwrap(),
            "SELECT count(*) FROM responses"
        ),
        1
    );
    // Its pages carry a fresh submission id for readers without scripts.
    let page = server.get("/surveys/it-satisfaction-2026/");
    let doc = scraper::Html::parse_document(&page.body);
    let ids = common::attrs(&doc, "input[name=_submission]", "value");
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].len(), 32);
}

#[test]
fn the_results_command_explains_a_missing_or_foreign_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = common::portico(dir.path(), &["results"]);
    run.assert_failed(2, "feedback.sqlite: no such database");
    assert!(run.stderr.contains("--db"), "{}", run.stderr);

    let foreign = dir.path().join("other.sqlite");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    common::portico(dir.path(), &["results", "--db", "other.sqlite"])
        .assert_failed(2, "not a Portico feedback database");

    let newer = dir.path().join("newer.sqlite");
    Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    common::portico(dir.path(), &["results", "--db", "newer.sqlite"])
        .assert_failed(2, "schema version 99, made by a newer Portico");
    assert!(!dir.path().join("results").exists(), "nothing written");
}

#[test]
fn collect_needs_a_built_site() {
    let project = Project::demo();
    let run = project.run(&["collect", "--db", "x.sqlite", "--port", "0"]);
    run.assert_failed(2, "not a site built by Portico (run `portico build` first");
    assert!(!project.path().join("x.sqlite").exists());
}

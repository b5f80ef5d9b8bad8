//! The feedback receiver's HTTP answers, shared by `portico collect` and
//! `portico serve`: survey responses, page feedback and a health check
//! under `/api/`. The checks run in the order a client can fix them:
//! origin (403), rate (429), survey (404), size (413), type (415), syntax
//! (400), survey open (409/410), answers (422); only then is anything
//! stored, and only a commit is acknowledged.

use super::answers::{self, Encoding, FieldError};
use super::manifest::{Manifest, SurveySchema};
use super::store::{Received, Store, Stored};
use crate::serve::routes::SiteFiles;
use crate::theme::escape_html;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Requests under this path are the receiver's.
pub const PREFIX: &str = "/api/";

/// Settings given on the command line win over the site's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub allowed_origins: Vec<String>,
    pub rate_limit: Option<u32>,
    pub max_body: Option<u64>,
    /// Answers as if it were this moment (replays and tests).
    pub now: Option<jiff::Timestamp>,
}

/// What the receiver needs of a request besides its body.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    /// The request target, query included.
    pub url: String,
    pub content_type: Option<String>,
    pub content_length: Option<usize>,
    pub origin: Option<String>,
    pub host: Option<String>,
    pub accept: Option<String>,
    pub user_agent: Option<String>,
    pub client: Option<IpAddr>,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

pub struct Receiver {
    manifest: RwLock<Arc<Manifest>>,
    store: Store,
    overrides: Overrides,
    /// Posts per client in the current minute.
    rates: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    /// Form posts without a submission id seen lately (a hash of client,
    /// survey and answers, kept in memory only): a double click without
    /// JavaScript is stored once.
    recent: Mutex<HashMap<u64, Instant>>,
}

const RECENT: Duration = Duration::from_secs(120);

impl Receiver {
    pub fn new(manifest: Manifest, store: Store, overrides: Overrides) -> Receiver {
        let receiver = Receiver {
            manifest: RwLock::new(Arc::new(Manifest::empty())),
            store,
            overrides,
            rates: Mutex::new(HashMap::new()),
            recent: Mutex::new(HashMap::new()),
        };
        receiver.set_manifest(manifest);
        receiver
    }

    /// Takes the surveys of a new build; records them for reports.
    pub fn set_manifest(&self, manifest: Manifest) {
        let day = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        if let Err(e) = self.store.record_surveys(manifest.surveys.clone(), day) {
            eprintln!("warning: {e}");
        }
        *self.manifest.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(manifest);
    }

    pub fn manifest(&self) -> Arc<Manifest> {
        self.manifest
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The clock surveys open and close by.
    pub fn now(&self) -> jiff::Timestamp {
        self.overrides
            .now
            .or(self.manifest().fixed_now)
            .unwrap_or_else(jiff::Timestamp::now)
    }

    fn max_body(&self, m: &Manifest) -> u64 {
        self.overrides.max_body.unwrap_or(m.settings.max_body)
    }

    /// Answers one request under `/api/`; `body` is read only when the
    /// checks before it pass. `site` finds survey pages to show errors in.
    pub fn handle(&self, req: &Request, body: &mut dyn Read, site: &dyn SiteFiles) -> Reply {
        let m = self.manifest();
        let path = req.url.split(['?', '#']).next().unwrap_or("");
        let route = path.strip_prefix(PREFIX).unwrap_or("");
        let parts: Vec<&str> = route.split('/').collect();
        let html = wants_html(req);
        enum Route<'a> {
            Health,
            Survey(&'a str),
            Feedback,
        }
        let target = match parts.as_slice() {
            ["health"] => Route::Health,
            ["feedback"] => Route::Feedback,
            ["surveys", id, "responses"] => Route::Survey(id),
            _ => {
                return error(404, "no such endpoint", html, &m);
            }
        };
        let cors = self.cors(req, &m);
        let mut reply = match (req.method.as_str(), target) {
            ("GET" | "HEAD", Route::Health) => json(
                200,
                &serde_json::json!({
                    "status": "ok",
                    "surveys": m.surveys.len(),
                    "schema_version": super::store::SCHEMA_VERSION,
                }),
            ),
            ("OPTIONS", Route::Survey(_) | Route::Feedback) => match &cors {
                Ok(_) => Reply {
                    status: 204,
                    content_type: "text/plain; charset=utf-8",
                    headers: vec![
                        ("Access-Control-Allow-Methods", "POST".into()),
                        ("Access-Control-Allow-Headers", "Content-Type".into()),
                        ("Access-Control-Max-Age", "600".into()),
                    ],
                    body: Vec::new(),
                },
                Err(_) => error(403, "this origin may not post here", html, &m),
            },
            ("POST", route) => {
                if cors.is_err() {
                    return error(403, "this origin may not post here", html, &m);
                }
                match route {
                    Route::Survey(id) => self.survey(req, &m, id, body, site),
                    Route::Feedback => self.feedback(req, &m, body),
                    Route::Health => method_not_allowed("GET, HEAD"),
                }
            }
            (_, Route::Health) => method_not_allowed("GET, HEAD"),
            _ => method_not_allowed("POST, OPTIONS"),
        };
        if let Ok(Some(origin)) = cors {
            reply
                .headers
                .push(("Access-Control-Allow-Origin", origin.clone()));
            reply.headers.push(("Vary", "Origin".into()));
        }
        reply
    }

    /// `Ok(Some(origin))` for an allowed cross-origin request, `Ok(None)`
    /// for a same-origin one or one without `Origin`, `Err` otherwise.
    fn cors(&self, req: &Request, m: &Manifest) -> Result<Option<String>, ()> {
        let Some(origin) = req.origin.as_deref() else {
            return Ok(None);
        };
        let origin = origin.trim_end_matches('/');
        let origin_host = origin.split_once("://").map(|(_, h)| h);
        if origin_host.is_some() && origin_host == req.host.as_deref() {
            return Ok(None);
        }
        let allowed = self
            .overrides
            .allowed_origins
            .iter()
            .chain(&m.settings.allowed_origins)
            .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin));
        if allowed {
            Ok(Some(origin.to_owned()))
        } else {
            Err(())
        }
    }

    /// Counts a post; false when the client is over its limit.
    fn within_rate(&self, client: Option<IpAddr>, m: &Manifest) -> bool {
        let limit = self.overrides.rate_limit.unwrap_or(m.settings.rate_limit);
        let Some(ip) = client.filter(|_| limit > 0) else {
            return true;
        };
        let mut rates = self.rates.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if rates.len() > 100_000 {
            rates.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = rates.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }

    /// Reads the body within the size limit and splits it into fields.
    fn read_fields(
        &self,
        req: &Request,
        m: &Manifest,
        body: &mut dyn Read,
    ) -> Result<(Encoding, Vec<(String, String)>), Reply> {
        let html = wants_html(req);
        let limit = self.max_body(m);
        if req.content_length.is_some_and(|n| n as u64 > limit) {
            return Err(error(
                413,
                &format!("the request body is over the limit of {limit} bytes"),
                html,
                m,
            ));
        }
        let Some(encoding) = req
            .content_type
            .as_deref()
            .and_then(Encoding::from_content_type)
        else {
            return Err(error(
                415,
                "send application/x-www-form-urlencoded or application/json",
                html,
                m,
            ));
        };
        let mut bytes = Vec::new();
        if let Err(e) = body.take(limit + 1).read_to_end(&mut bytes) {
            return Err(error(
                400,
                &format!("the request body could not be read: {e}"),
                html,
                m,
            ));
        }
        if bytes.len() as u64 > limit {
            return Err(error(
                413,
                &format!("the request body is over the limit of {limit} bytes"),
                html,
                m,
            ));
        }
        let html = encoding == Encoding::Form || html;
        answers::fields(encoding, &bytes)
            .map(|f| (encoding, f))
            .map_err(|e| error(400, &e.0, html, m))
    }

    fn survey(
        &self,
        req: &Request,
        m: &Manifest,
        id: &str,
        body: &mut dyn Read,
        site: &dyn SiteFiles,
    ) -> Reply {
        let html = wants_html(req);
        if !self.within_rate(req.client, m) {
            return too_many(html, m);
        }
        let Some(survey) = m.survey(id) else {
            return error(404, &format!("there is no survey `{id}`"), html, m);
        };
        let (encoding, fields) = match self.read_fields(req, m, body) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let html = encoding == Encoding::Form;
        let now = self.now();
        if survey.opens.is_some_and(|o| now < o) {
            return error(409, "this survey is not open yet", html, m);
        }
        if survey.closes.is_some_and(|c| now >= c) {
            return error(410, "this survey is closed", html, m);
        }
        let response = match answers::validate(m, survey, &fields) {
            Ok(r) => r,
            Err(errors) => {
                return if html {
                    invalid_form(m, survey, &fields, &errors, site)
                } else {
                    json(
                        422,
                        &serde_json::json!({
                            "error": "some answers are not valid",
                            "fields": errors,
                        }),
                    )
                };
            }
        };
        let thanks = survey
            .languages
            .get(&response.lang)
            .map(|l| l.thanks.clone())
            .unwrap_or_default();
        let lang = response.lang.clone();
        // Only a browser's form post without an id: a script that sends
        // no id may mean the same answers twice.
        if html && response.submission.is_none() {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (req.client, &response.survey, &response.answers).hash(&mut h);
            let key = h.finish();
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            let t = Instant::now();
            recent.retain(|_, seen| t.duration_since(*seen) < RECENT);
            if recent.contains_key(&key) {
                drop(recent);
                return accepted(html, &thanks, None, &lang);
            }
            recent.insert(key, t);
        }
        let received = if survey.anonymous {
            Received {
                day: now.strftime("%Y-%m-%d").to_string(),
                ..Received::default()
            }
        } else {
            Received {
                day: now.strftime("%Y-%m-%d").to_string(),
                at: Some(now.to_string()),
                client: req.client.map(|c| c.to_string()),
                user_agent: req.user_agent.clone(),
            }
        };
        match self
            .store
            .add_response(response, received, survey.response_limit)
        {
            Ok(Stored::New(id) | Stored::Again(id)) => accepted(html, &thanks, Some(id), &lang),
            Ok(Stored::Full) => error(
                410,
                "this survey has all the responses it asked for",
                html,
                m,
            ),
            Err(e) => {
                eprintln!("error: {e}");
                unavailable(html, m)
            }
        }
    }

    fn feedback(&self, req: &Request, m: &Manifest, body: &mut dyn Read) -> Reply {
        let html = wants_html(req);
        if !self.within_rate(req.client, m) {
            return too_many(html, m);
        }
        let (encoding, fields) = match self.read_fields(req, m, body) {
            Ok(f) => f,
            Err(reply) => return reply,
        };
        let html = encoding == Encoding::Form;
        let feedback = match answers::validate_feedback(m, &fields) {
            Ok(f) => f,
            Err(errors) => {
                return if html {
                    let list: String = errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; ");
                    error(422, &list, true, m)
                } else {
                    json(
                        422,
                        &serde_json::json!({"error": "the feedback is not valid", "fields": errors}),
                    )
                };
            }
        };
        let (page, anchor) = match feedback.page.split_once('#') {
            Some((p, a)) => (p.to_owned(), format!("{a}-feedback-thanks")),
            None => (feedback.page.clone(), "feedback-thanks".to_owned()),
        };
        let day = self.now().strftime("%Y-%m-%d").to_string();
        match self.store.add_feedback(feedback, day) {
            Ok(_) if html => Reply {
                status: 303,
                content_type: "text/plain; charset=utf-8",
                headers: vec![("Location", format!("{page}#{anchor}"))],
                body: b"Thank you for your feedback.\n".to_vec(),
            },
            Ok(id) => json(201, &serde_json::json!({ "id": id })),
            Err(e) => {
                eprintln!("error: {e}");
                unavailable(html, m)
            }
        }
    }
}

/// Whether the client reads HTML (a browser's form post) rather than JSON.
fn wants_html(req: &Request) -> bool {
    let form = req
        .content_type
        .as_deref()
        .and_then(Encoding::from_content_type)
        == Some(Encoding::Form);
    let accept = req.accept.as_deref().unwrap_or("");
    form || (accept.contains("text/html") && !accept.contains("application/json"))
}

fn json(status: u16, value: &serde_json::Value) -> Reply {
    let mut body = serde_json::to_vec(value).unwrap_or_default();
    body.push(b'\n');
    Reply {
        status,
        content_type: "application/json; charset=utf-8",
        headers: Vec::new(),
        body,
    }
}

fn method_not_allowed(allow: &str) -> Reply {
    let mut r = json(405, &serde_json::json!({ "error": format!("use {allow}") }));
    r.headers.push(("Allow", allow.to_owned()));
    r
}

fn too_many(html: bool, m: &Manifest) -> Reply {
    let mut r = error(
        429,
        "too many posts from your address: wait a minute and try again",
        html,
        m,
    );
    r.headers.push(("Retry-After", "60".into()));
    r
}

fn unavailable(html: bool, m: &Manifest) -> Reply {
    let mut r = error(
        503,
        "your answer could not be saved just now: please try again in a few minutes",
        html,
        m,
    );
    r.headers.push(("Retry-After", "30".into()));
    r
}

fn accepted(html: bool, thanks: &str, id: Option<i64>, lang: &str) -> Reply {
    if html {
        Reply {
            status: 303,
            content_type: "text/plain; charset=utf-8",
            headers: vec![("Location", thanks.to_owned())],
            body: b"Thank you: your answers are saved.\n".to_vec(),
        }
    } else {
        json(
            201,
            &serde_json::json!({ "status": "stored", "id": id, "lang": lang, "thanks": thanks }),
        )
    }
}

/// An error as JSON, or for a browser as a small page in the portal's look.
fn error(status: u16, message: &str, html: bool, m: &Manifest) -> Reply {
    if !html {
        return json(status, &serde_json::json!({ "error": message }));
    }
    let title = match status {
        400 => "The answer could not be read",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Not open yet",
        410 => "Closed",
        413 => "Too large",
        415 => "Unsupported format",
        422 => "Some answers need another look",
        429 => "Too many requests",
        _ => "Not saved",
    };
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"{base}assets/style.css\"></head>\
<body><main id=\"main\" class=\"container\"><h1>{title}</h1><p>{message}</p>\
<p><a href=\"javascript:history.back()\">Back</a> · <a href=\"{base}\">Home</a></p></main></body></html>\n",
        lang = escape_html(&m.default_language),
        base = escape_html(&m.base_path),
        title = title,
        message = escape_html(message),
    );
    Reply {
        status,
        content_type: "text/html; charset=utf-8",
        headers: Vec::new(),
        body: body.into_bytes(),
    }
}

/// The survey's own page again, with the errors next to the fields and
/// the answers given filled in; a plain error page if the page cannot be
/// found or has no places for errors.
fn invalid_form(
    m: &Manifest,
    survey: &SurveySchema,
    fields: &[(String, String)],
    errors: &[FieldError],
    site: &dyn SiteFiles,
) -> Reply {
    let lang = fields
        .iter()
        .find(|(k, _)| k == "_lang")
        .map(|(_, v)| v.as_str())
        .filter(|l| survey.languages.contains_key(*l))
        .unwrap_or(&m.default_language);
    let page = survey.languages.get(lang).and_then(|l| {
        let rel = l.form.strip_prefix(&m.base_path)?;
        site.read(&format!("{rel}index.html"))
    });
    let plain = || {
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        error(422, &list.join("; "), true, m)
    };
    let Some(page) = page else {
        return plain();
    };
    let Ok(text) = std::str::from_utf8(&page) else {
        return plain();
    };
    match super::form_page::with_errors(text, m, survey, lang, fields, errors) {
        Some(html) => Reply {
            status: 422,
            content_type: "text/html; charset=utf-8",
            headers: Vec::new(),
            body: html.into_bytes(),
        },
        None => plain(),
    }
}

/// Reads a tiny_http request's headers into a `Request`.
pub fn request_of(r: &tiny_http::Request) -> Request {
    let header = |name: &'static str| {
        r.headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_owned())
    };
    Request {
        method: r.method().as_str().to_ascii_uppercase(),
        url: r.url().to_owned(),
        content_type: header("Content-Type"),
        content_length: r.body_length(),
        origin: header("Origin"),
        host: header("Host"),
        accept: header("Accept"),
        user_agent: header("User-Agent"),
        client: r.remote_addr().map(|a| a.ip()),
    }
}

/// Answers a tiny_http request under `/api/`.
pub fn respond(receiver: &Receiver, mut request: tiny_http::Request, site: &dyn SiteFiles) {
    let req = request_of(&request);
    let reply = receiver.handle(&req, request.as_reader(), site);
    let head = req.method == "HEAD";
    let mut response = tiny_http::Response::from_data(if head { Vec::new() } else { reply.body })
        .with_status_code(reply.status);
    let headers = [
        ("Content-Type", reply.content_type.to_owned()),
        ("Cache-Control", "no-store".to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
    ];
    for (name, value) in headers.into_iter().chain(reply.headers) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

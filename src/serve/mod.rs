//! `portico serve`: build into memory, serve with tiny_http, watch the
//! project, rebuild on change, reload open pages over Server-Sent Events,
//! and show build errors over the last good site.

pub mod routes;
pub mod watch;

use crate::cli::{SiteArgs, Verbosity};
use crate::commands::build_cached;
use crate::diagnostic::ContentErrors;
use anyhow::{Context, Result};
use notify::Watcher;
use routes::{Files, Target};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How `serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
    pub verbosity: Verbosity,
    /// Where answers posted to the preview go.
    pub db: PathBuf,
}

/// The last good site and the current build errors, if any.
struct Snapshot {
    files: Arc<Files>,
    errors: Option<String>,
    /// Which build this is (the server's start and a count): a page knows
    /// the build it was served from and reloads when the server has another.
    build: String,
}

/// What the request threads, the event streams and the rebuild share.
struct State {
    snapshot: RwLock<Snapshot>,
    /// True while a rebuild runs; requests wait for it.
    building: Mutex<bool>,
    built: Condvar,
    /// Raised after every rebuild; event streams wait on it.
    generation: Mutex<u64>,
    /// Whether the last rebuild changed only stylesheets.
    style_only: Mutex<bool>,
    changed: Condvar,
    /// Tells a page that reconnects after a restart that the site changed.
    started: String,
    /// Pages of the last build, reused where their inputs did not change.
    cache: Mutex<Arc<crate::commands::BuildCache>>,
    /// Takes the answers of the preview's forms; `None` when its database
    /// could not be opened.
    receiver: Option<crate::feedback::receiver::Receiver>,
    /// The manifest the receiver has.
    manifest: Mutex<Option<Arc<Vec<u8>>>>,
}

/// Threads answering requests; event streams get threads of their own.
const WORKERS: usize = 8;

pub fn serve(opts: ServeOptions) -> Result<()> {
    let addr = SocketAddr::new(opts.bind, opts.port);
    let server = crate::serve::listen(addr)
        .map_err(|e| crate::UsageError(format!("cannot listen on {addr}: {e}")))?;
    let port = server.server_addr().to_ip().map_or(opts.port, |a| a.port());
    let host = if opts.bind.is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        opts.bind.to_string()
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let url = format!("http://{host}:{port}/");
    let args = SiteArgs {
        drafts: opts.drafts,
        base_url: Some(url.clone()),
    };
    let root = opts.root.clone();

    let state = Arc::new(State {
        snapshot: RwLock::new(Snapshot {
            files: Arc::new(Files::default()),
            errors: None,
            build: String::new(),
        }),
        building: Mutex::new(true),
        built: Condvar::new(),
        generation: Mutex::new(0),
        style_only: Mutex::new(false),
        changed: Condvar::new(),
        started: format!("{:x}", jiff::Timestamp::now().as_millisecond()),
        cache: Mutex::new(Arc::new(crate::commands::BuildCache::default())),
        manifest: Mutex::new(None),
        receiver: match crate::feedback::store::Store::open(&opts.db) {
            Ok(store) => Some(crate::feedback::receiver::Receiver::new(
                crate::feedback::manifest::Manifest::empty(),
                store,
                Default::default(),
            )),
            Err(e) => {
                eprintln!("warning: {e}; survey answers and page feedback are not taken");
                None
            }
        },
    });
    let started = Instant::now();
    let first = rebuild(
        &state,
        &root,
        &args,
        opts.verbosity,
        &watch::Batch::default(),
    );
    if opts.verbosity >= Verbosity::Normal {
        eprintln!("{first}");
        eprintln!(
            "Serving {} at {url}{}  (Ctrl+C to stop)",
            root.display(),
            if opts.drafts { " with drafts" } else { "" }
        );
        eprintln!(
            "Watching for changes. First build in {}.",
            crate::timing::took(started.elapsed())
        );
    }
    let watch_state = state.clone();
    let watch_root = root.clone();
    let verbosity = opts.verbosity;
    let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading files (as every build does) raises access events: only
        // writes, creations, removals and renames are changes.
        if let Ok(event) = event {
            use notify::event::{EventKind, ModifyKind};
            let relevant = match event.kind {
                EventKind::Create(_) | EventKind::Remove(_) => true,
                EventKind::Modify(ModifyKind::Metadata(_)) => false,
                EventKind::Modify(_) => true,
                _ => false,
            };
            if relevant {
                let _ = tx.send(event.paths);
            }
        }
    })
    .context("cannot watch the project for changes")?;
    watcher
        .watch(&root, notify::RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
    let canonical_root = root.canonicalize().unwrap_or(root.clone());
    std::thread::spawn(move || {
        let _watcher = watcher;
        while let Some(batch) = watch::next_batch(
            &rx,
            &canonical_root,
            Duration::from_millis(20),
            Duration::from_millis(400),
        ) {
            let t = Instant::now();
            let report = rebuild(&watch_state, &watch_root, &args, verbosity, &batch);
            if verbosity >= Verbosity::Normal {
                eprintln!(
                    "{:?} changed: {report} in {}",
                    batch.changes,
                    crate::timing::took(t.elapsed())
                );
            }
        }
    });

    // The URL on stdout alone, for scripts and tests.
    println!("{url}");
    let _ = std::io::stdout().flush();
    if opts.open {
        open_browser(&url);
    }

    let server = Arc::new(server);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let server = server.clone();
            let state = state.clone();
            std::thread::spawn(move || answer_requests(&server, |request| handle(&state, request)))
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

/// An HTTP server listening on `addr`. Its connections send each answer
/// as soon as it is written (TCP_NODELAY, which accepted connections take
/// from the listener on Linux): without it a large file's last piece waits
/// for the client's delayed acknowledgement, some 40 ms.
pub fn listen(addr: SocketAddr) -> Result<tiny_http::Server, String> {
    let listener = std::net::TcpListener::bind(addr).map_err(|e| e.to_string())?;
    #[cfg(target_os = "linux")]
    rustix::net::sockopt::set_tcp_nodelay(&listener, true).map_err(|e| e.to_string())?;
    tiny_http::Server::from_listener(listener, None).map_err(|e| e.to_string())
}

/// Answers the requests `server` receives with `handle` until it closes. A
/// handler that panics does not take the worker with it: the request it held
/// is answered 500 as it is dropped (tiny_http answers every request dropped
/// unanswered so), the panic is reported, and the next request is served.
pub fn answer_requests(server: &tiny_http::Server, handle: impl Fn(tiny_http::Request)) {
    while let Ok(request) = server.recv() {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(request)));
        if outcome.is_err() {
            eprintln!("error: a request failed unexpectedly and was answered 500; still serving");
        }
    }
}

/// Builds the site; on success it becomes the served site, on failure the
/// last good site stays and the errors are shown over it.
fn rebuild(
    state: &State,
    root: &Path,
    args: &SiteArgs,
    verbosity: Verbosity,
    batch: &watch::Batch,
) -> String {
    let changes = &batch.changes;
    *state.building.lock().unwrap_or_else(|e| e.into_inner()) = true;
    // Earlier pages are only reusable under the same theme, static files, words
    // and config.
    let cache = {
        let mut cache = state.cache.lock().unwrap_or_else(|e| e.into_inner());
        if changes.iter().any(|c| *c != watch::Change::Content) {
            *cache = Arc::new(crate::commands::BuildCache::default());
        } else {
            // Only these files need a look; the rest are as last read.
            cache.load.files.changed(&batch.content);
        }
        cache.clone()
    };
    let result = build_cached(root, args, Verbosity::Quiet, Some(&cache));
    // What the new build replaces is freed after readers are let in.
    let mut garbage: Vec<Box<dyn Send>> = Vec::new();
    let mut manifest = None;
    let report = {
        let mut snap = state.snapshot.write().unwrap_or_else(|e| e.into_inner());
        let count = {
            let mut generation = state.generation.lock().unwrap_or_else(|e| e.into_inner());
            *generation += 1;
            *generation
        };
        snap.build = format!("{}-{count}", state.started);
        match result {
            Ok(built) => {
                manifest = built
                    .outputs
                    .iter()
                    .find(|o| &*o.path == crate::feedback::manifest::PATH)
                    .map(|o| o.bytes.clone());
                let pages = built
                    .outputs
                    .iter()
                    .filter(|o| o.path.ends_with(".html"))
                    .count();
                let crate::commands::Built { sites, outputs } = built;
                garbage.push(Box::new(sites));
                let files = Arc::new(outputs.into_iter().map(|o| (o.path, o.bytes)).collect());
                garbage.push(Box::new(std::mem::replace(&mut snap.files, files)));
                snap.errors = None;
                format!("built {pages} pages")
            }
            Err(e) => {
                let text = match e.downcast_ref::<ContentErrors>() {
                    Some(errors) => errors.to_string(),
                    None => format!("error: {e:#}"),
                };
                if verbosity >= Verbosity::Quiet {
                    eprintln!("{text}");
                }
                snap.errors = Some(text);
                "build failed; the last good version is still served".to_owned()
            }
        }
    };
    *state.building.lock().unwrap_or_else(|e| e.into_inner()) = false;
    state.built.notify_all();
    drop(garbage);
    // The receiver takes the new build's surveys, when they changed.
    if let (Some(receiver), Some(bytes)) = (&state.receiver, manifest) {
        let mut last = state.manifest.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_ref() != Some(&bytes) {
            if let Ok(m) = crate::feedback::manifest::Manifest::from_json(&bytes) {
                receiver.set_manifest(m);
            }
            *last = Some(bytes);
        }
    }
    let style_only = !changes.is_empty() && changes.iter().all(|c| *c == watch::Change::Style);
    *state.style_only.lock().unwrap_or_else(|e| e.into_inner()) = style_only
        && state
            .snapshot
            .read()
            .map(|s| s.errors.is_none())
            .unwrap_or(false);
    state.changed.notify_all();
    report
}

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn handle(state: &Arc<State>, request: tiny_http::Request) {
    // Nobody sees a half-built site: wait for a rebuild in progress.
    {
        let mut building = state.building.lock().unwrap_or_else(|e| e.into_inner());
        let deadline = Instant::now() + Duration::from_secs(60);
        while *building && Instant::now() < deadline {
            building = state
                .built
                .wait_timeout(building, Duration::from_millis(200))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
    let (files, errors, build) = {
        let snap = state.snapshot.read().unwrap_or_else(|e| e.into_inner());
        (snap.files.clone(), snap.errors.clone(), snap.build.clone())
    };
    let path = request.url().split(['?', '#']).next().unwrap_or("");
    if path.starts_with(crate::feedback::receiver::PREFIX) {
        match &state.receiver {
            Some(receiver) => crate::feedback::receiver::respond(receiver, request, &*files),
            None => {
                let response = tiny_http::Response::from_string(
                    "{\"error\": \"the preview's answer database could not be opened\"}\n",
                )
                .with_status_code(503);
                let _ = request.respond(response);
            }
        }
        return;
    }
    let method = request.method().clone();
    if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        let response = tiny_http::Response::from_string("Only GET and HEAD are served here.\n")
            .with_status_code(405)
            .with_header(header("Allow", "GET, HEAD").expect("valid header"));
        let _ = request.respond(response);
        return;
    }
    let url = request.url().to_owned();
    let (status, content_type, body, location) = match routes::resolve(&url, &*files) {
        Target::Events => {
            let state = state.clone();
            std::thread::spawn(move || events(&state, request));
            return;
        }
        Target::LiveJs => (
            200,
            "text/javascript; charset=utf-8",
            routes::LIVE_SCRIPT.as_bytes().to_vec(),
            None,
        ),
        Target::OverlayCss => (
            200,
            "text/css; charset=utf-8",
            routes::OVERLAY_STYLE.as_bytes().to_vec(),
            None,
        ),
        // `resolve` names only files of this same snapshot; a miss is a 404
        // all the same.
        Target::File(path) => match files.get(path.as_str()) {
            Some(bytes) => {
                let content_type = routes::content_type(&path);
                let body = if content_type.starts_with("text/html") {
                    let with_ids = crate::feedback::form_page::with_submission_ids(bytes);
                    routes::inject(
                        with_ids.as_deref().unwrap_or(bytes),
                        errors.as_deref(),
                        &build,
                    )
                } else {
                    bytes.to_vec()
                };
                (200, content_type, body, None)
            }
            None => (
                404,
                "text/plain; charset=utf-8",
                b"Not found\n".to_vec(),
                None,
            ),
        },
        Target::Redirect(to) => (
            301,
            "text/plain; charset=utf-8",
            format!("Moved to {to}\n").into_bytes(),
            Some(to),
        ),
        Target::Forbidden => (
            403,
            "text/plain; charset=utf-8",
            b"Forbidden\n".to_vec(),
            None,
        ),
        Target::NotFound => {
            let page = routes::not_found_page(&url, &*files);
            match page {
                Some(p) => (
                    404,
                    "text/html; charset=utf-8",
                    routes::inject(&p, errors.as_deref(), &build),
                    None,
                ),
                None if errors.is_some() => {
                    // No good build yet: the errors are all there is to show.
                    let html = routes::inject(
                        b"<!DOCTYPE html><html><body></body></html>",
                        errors.as_deref(),
                        &build,
                    );
                    (503, "text/html; charset=utf-8", html, None)
                }
                None => (
                    404,
                    "text/plain; charset=utf-8",
                    b"Not found\n".to_vec(),
                    None,
                ),
            }
        }
    };
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    for h in [
        header("Content-Type", content_type),
        header("Cache-Control", "no-store"),
        header("X-Content-Type-Options", "nosniff"),
        location.as_deref().and_then(|l| header("Location", l)),
    ]
    .into_iter()
    .flatten()
    {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

/// A Server-Sent Events stream: `hello` with the server's start id, then
/// `reload` after every rebuild, and a comment every 15 s to keep it open.
fn events(state: &State, request: tiny_http::Request) {
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\nX-Content-Type-Options: nosniff\r\n\r\n";
    let mut seen = *state.generation.lock().unwrap_or_else(|e| e.into_inner());
    let current = |state: &State| {
        state
            .snapshot
            .read()
            .map(|s| s.build.clone())
            .unwrap_or_default()
    };
    if write!(out, "{head}event: hello\ndata: {}\n\n", current(state))
        .and_then(|_| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let generation = {
            let guard = state.generation.lock().unwrap_or_else(|e| e.into_inner());
            let (guard, _) = state
                .changed
                .wait_timeout_while(guard, Duration::from_secs(15), |g| *g == seen)
                .unwrap_or_else(|e| e.into_inner());
            *guard
        };
        let message = if generation != seen {
            seen = generation;
            let style_only = *state.style_only.lock().unwrap_or_else(|e| e.into_inner());
            let event = if style_only { "css" } else { "reload" };
            format!("event: {event}\ndata: {}\n\n", current(state))
        } else {
            ": keep-alive\n\n".to_owned()
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}

fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if let Err(e) = std::process::Command::new(program).args(args).spawn() {
        eprintln!("cannot open a browser ({program}: {e}); open {url} yourself");
    }
}

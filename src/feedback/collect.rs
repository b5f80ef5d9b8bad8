//! `portico collect`: the production receiver. Takes the surveys from a
//! built site, stores answers in SQLite, and optionally serves the site
//! itself, so a small IT department runs one process with one file.

use super::manifest::{self, Manifest};
use super::receiver::{self, Overrides, Receiver};
use super::store::Store;
use crate::serve::routes::{self, SiteFiles, Target};
use anyhow::Result;
use std::collections::HashSet;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

pub struct CollectOptions {
    pub db: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    /// The built site to read surveys from.
    pub site: PathBuf,
    /// Whether to serve that site too.
    pub serve_site: bool,
    pub overrides: Overrides,
    pub threads: usize,
    pub verbosity: crate::cli::Verbosity,
}

/// A built site on disk: the list of its files, read once (symbolic links
/// are not followed, so nothing outside the folder is reachable), and
/// their bytes read on request.
pub struct DiskSite {
    dir: PathBuf,
    files: HashSet<String>,
}

impl DiskSite {
    pub fn index(dir: &Path) -> DiskSite {
        let files = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let rel = e.path().strip_prefix(dir).ok()?;
                let parts: Vec<&str> = rel
                    .components()
                    .map(|c| c.as_os_str().to_str())
                    .collect::<Option<_>>()?;
                Some(parts.join("/"))
            })
            .collect();
        DiskSite {
            dir: dir.to_owned(),
            files,
        }
    }
}

impl SiteFiles for DiskSite {
    fn contains(&self, path: &str) -> bool {
        self.files.contains(path)
    }
    fn read(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        if !self.files.contains(path) {
            return None;
        }
        std::fs::read(self.dir.join(path)).ok().map(Arc::new)
    }
}

/// Reads the manifest a build wrote into `site`.
pub fn read_manifest(site: &Path) -> Result<Manifest> {
    let path = site.join(manifest::PATH);
    let bytes = std::fs::read(&path).map_err(|e| {
        crate::UsageError(format!(
            "{}: {e}: not a site built by Portico (run `portico build` first, or pass --site DIR)",
            path.display()
        ))
    })?;
    Manifest::from_json(&bytes)
        .map_err(|e| crate::UsageError(format!("{}: {e}", path.display())).into())
}

/// The site as last read, and when its manifest last changed.
struct Current {
    site: Arc<DiskSite>,
    stamp: Option<SystemTime>,
    checked: Instant,
}

pub fn collect(opts: CollectOptions) -> Result<()> {
    let manifest = read_manifest(&opts.site)?;
    let store = Store::open(&opts.db).map_err(anyhow::Error::msg)?;
    let addr = SocketAddr::new(opts.bind, opts.port);
    let server = crate::serve::listen(addr)
        .map_err(|e| crate::UsageError(format!("cannot listen on {addr}: {e}")))?;
    let port = server.server_addr().to_ip().map_or(opts.port, |a| a.port());
    let surveys = manifest.surveys.len();
    let receiver = Arc::new(Receiver::new(manifest, store, opts.overrides.clone()));
    let stamp = manifest_stamp(&opts.site);
    let current = Arc::new(RwLock::new(Current {
        site: Arc::new(DiskSite::index(&opts.site)),
        stamp,
        checked: Instant::now(),
    }));
    let host = if opts.bind.is_unspecified() {
        "127.0.0.1".to_owned()
    } else if opts.bind.is_ipv6() {
        format!("[{}]", opts.bind)
    } else {
        opts.bind.to_string()
    };
    let url = format!("http://{host}:{port}/");
    let quiet = opts.verbosity == crate::cli::Verbosity::Quiet;
    if !quiet {
        eprintln!(
            "Receiving answers for {} at {url}api/ into {}{}",
            crate::counted(surveys as u64, "survey", "surveys"),
            opts.db.display(),
            if opts.serve_site {
                format!(", serving {}", opts.site.display())
            } else {
                String::new()
            }
        );
    }
    if !quiet && (opts.overrides.now.is_some() || receiver.manifest().fixed_now.is_some()) {
        eprintln!("Surveys open and close as at {}", receiver.now());
    }
    println!("{url}");
    let _ = std::io::stdout().flush();

    let server = Arc::new(server);
    let reload = Arc::new(Mutex::new(()));
    let workers: Vec<_> = (0..opts.threads.max(1))
        .map(|_| {
            let server = server.clone();
            let receiver = receiver.clone();
            let current = current.clone();
            let reload = reload.clone();
            let dir = opts.site.clone();
            let serve_site = opts.serve_site;
            std::thread::spawn(move || {
                crate::serve::answer_requests(&server, |request| {
                    let site = refresh(&current, &reload, &dir, &receiver);
                    handle(&receiver, request, &site, serve_site)
                })
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

fn manifest_stamp(site: &Path) -> Option<SystemTime> {
    std::fs::metadata(site.join(manifest::PATH))
        .and_then(|m| m.modified())
        .ok()
}

/// The site, read again (surveys and files) when a new build replaced it;
/// looked at no more than once a second.
fn refresh(
    current: &RwLock<Current>,
    reload: &Mutex<()>,
    dir: &Path,
    receiver: &Receiver,
) -> Arc<DiskSite> {
    {
        let c = current.read().unwrap_or_else(|e| e.into_inner());
        if c.checked.elapsed() < Duration::from_secs(1) {
            return c.site.clone();
        }
    }
    let Ok(_one) = reload.try_lock() else {
        return current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .site
            .clone();
    };
    let stamp = manifest_stamp(dir);
    let mut c = current.write().unwrap_or_else(|e| e.into_inner());
    c.checked = Instant::now();
    if stamp != c.stamp {
        match read_manifest(dir) {
            Ok(m) => {
                eprintln!(
                    "The site was rebuilt: {}",
                    crate::counted(m.surveys.len() as u64, "survey", "surveys")
                );
                receiver.set_manifest(m);
                c.site = Arc::new(DiskSite::index(dir));
                c.stamp = stamp;
            }
            Err(e) => eprintln!("warning: {e:#}; keeping the surveys read before"),
        }
    }
    c.site.clone()
}

fn handle(receiver: &Receiver, request: tiny_http::Request, site: &DiskSite, serve_site: bool) {
    let url = request.url().to_owned();
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path.starts_with(receiver::PREFIX) || path == "/api" {
        receiver::respond(receiver, request, site);
        return;
    }
    if !serve_site {
        let reply = tiny_http::Response::from_string(
            "This is Portico's feedback receiver: answers go to /api/.\n",
        )
        .with_status_code(404);
        let _ = request.respond(reply);
        return;
    }
    serve_file(request, site, &receiver.manifest().base_path);
}

/// Serves a file of the built site under its base path.
fn serve_file(request: tiny_http::Request, site: &DiskSite, base_path: &str) {
    let method = request.method().as_str().to_ascii_uppercase();
    if method != "GET" && method != "HEAD" {
        let mut r = tiny_http::Response::from_string("Only GET and HEAD are served here.\n")
            .with_status_code(405);
        if let Ok(h) = tiny_http::Header::from_bytes(&b"Allow"[..], &b"GET, HEAD"[..]) {
            r.add_header(h);
        }
        let _ = request.respond(r);
        return;
    }
    let url = request.url().to_owned();
    let inside = url
        .strip_prefix(base_path.trim_end_matches('/'))
        .filter(|rest| rest.starts_with('/'));
    let target = match inside {
        Some(rest) => routes::resolve(rest, site),
        None => Target::NotFound,
    };
    let (status, content_type, body, location, fresh) = match target {
        Target::File(path) => {
            let bytes = site.read(&path).unwrap_or_default();
            let content_type = routes::content_type(&path);
            let with_ids = content_type
                .starts_with("text/html")
                .then(|| super::form_page::with_submission_ids(&bytes))
                .flatten();
            match with_ids {
                Some(page) => (200, content_type, page, None, true),
                None => (200, content_type, bytes.to_vec(), None, false),
            }
        }
        Target::Redirect(to) => (
            301,
            "text/plain; charset=utf-8",
            b"Moved\n".to_vec(),
            Some(format!("{}{}", base_path.trim_end_matches('/'), to)),
            false,
        ),
        Target::Forbidden => (
            403,
            "text/plain; charset=utf-8",
            b"Forbidden\n".to_vec(),
            None,
            false,
        ),
        _ => match routes::not_found_page(inside.unwrap_or("/"), site) {
            Some(page) => (404, "text/html; charset=utf-8", page.to_vec(), None, false),
            None => (
                404,
                "text/plain; charset=utf-8",
                b"Not found\n".to_vec(),
                None,
                false,
            ),
        },
    };
    let body = if method == "HEAD" { Vec::new() } else { body };
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    let cache = if fresh { "no-store" } else { "no-cache" };
    for (name, value) in [
        ("Content-Type", Some(content_type)),
        ("Cache-Control", Some(cache)),
        ("X-Content-Type-Options", Some("nosniff")),
        ("Location", location.as_deref()),
    ] {
        if let Some(h) =
            value.and_then(|v| tiny_http::Header::from_bytes(name.as_bytes(), v.as_bytes()).ok())
        {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

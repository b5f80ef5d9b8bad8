//! Pure request routing for the preview server: a request path and the
//! site in memory in, a response out. No file system is touched, so no path
//! can reach outside the built site.

use std::sync::Arc;

/// Where the live-reload script and event stream are served.
pub const LIVE_JS: &str = "/__portico/live.js";
pub const EVENTS: &str = "/__portico/events";

/// The built site as served: site path (`services/vpn/index.html`) to bytes.
/// FxHash: made anew from every page after each rebuild, and keyed by the
/// site's own paths.
pub type Files = rustc_hash::FxHashMap<Arc<str>, Arc<Vec<u8>>>;

/// A built site to serve from: in memory (`Files`) or a folder on disk.
pub trait SiteFiles {
    /// Whether `path` (`services/vpn/index.html`) is a file of the site.
    fn contains(&self, path: &str) -> bool;
    fn read(&self, path: &str) -> Option<Arc<Vec<u8>>>;
}

impl SiteFiles for Files {
    fn contains(&self, path: &str) -> bool {
        self.contains_key(path)
    }
    fn read(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        self.get(path).cloned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Arc<Vec<u8>>,
    /// For redirects.
    pub location: Option<String>,
}

/// What a request path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the site, by its path in `Files`.
    File(String),
    /// A folder without its trailing slash: redirect to it.
    Redirect(String),
    LiveJs,
    OverlayCss,
    Events,
    NotFound,
    /// `..`, encoded or not, a NUL, a backslash: refused.
    Forbidden,
}

/// Decodes and checks a request path (query and fragment dropped) and says
/// what it names in `files`.
pub fn resolve(raw: &str, files: &impl SiteFiles) -> Target {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    if path == LIVE_JS {
        return Target::LiveJs;
    }
    if path == EVENTS {
        return Target::Events;
    }
    if path == OVERLAY_CSS {
        return Target::OverlayCss;
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Target::Forbidden;
    };
    if !decoded.starts_with('/') {
        return Target::Forbidden;
    }
    let rel = &decoded[1..];
    let bad_segment = rel.split('/').any(|s| s == ".." || s == ".");
    if bad_segment || rel.contains(['\\', '\0']) || rel.starts_with('/') || rel.contains(':') {
        return Target::Forbidden;
    }
    if rel.is_empty() || rel.ends_with('/') {
        let index = format!("{rel}index.html");
        return if files.contains(&index) {
            Target::File(index)
        } else {
            Target::NotFound
        };
    }
    if files.contains(rel) {
        return Target::File(rel.to_owned());
    }
    if files.contains(&format!("{rel}/index.html")) {
        return Target::Redirect(format!("{}/", path));
    }
    Target::NotFound
}

/// The Content-Type for a site path.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" if path.ends_with("feed.json") => "application/feed+json; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" if path.ends_with("feed.xml") => "application/rss+xml; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "mp4" => "video/mp4",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The not-found page for `path`: the language's `404.html` if it has one.
pub fn not_found_page(raw: &str, files: &impl SiteFiles) -> Option<Arc<Vec<u8>>> {
    let first = raw.trim_start_matches('/').split('/').next().unwrap_or("");
    files
        .read(&format!("{first}/404.html"))
        .or_else(|| files.read("404.html"))
}

/// Adds the live-reload script, and the error overlay when the last build
/// failed, to an HTML page.
/// `build` names the build the page comes from.
pub fn inject(html: &[u8], overlay: Option<&str>, build: &str) -> Vec<u8> {
    // No inline script or style: the pages' Content-Security-Policy allows
    // only the site's own files, and this server's are the site's.
    let mut extra = format!(
        "<script src=\"{LIVE_JS}\" data-build=\"{}\"></script>",
        crate::theme::escape_html(build)
    );
    if let Some(errors) = overlay {
        extra.push_str(&overlay_html(errors));
    }
    let text = String::from_utf8_lossy(html);
    let out = match text.rfind("</body>") {
        Some(i) => format!("{}{extra}{}", &text[..i], &text[i..]),
        None => format!("{text}{extra}"),
    };
    out.into_bytes()
}

/// The overlay that shows build errors over every page, escaped.
pub fn overlay_html(errors: &str) -> String {
    format!(
        "<link rel=\"stylesheet\" href=\"{OVERLAY_CSS}\"><div id=\"portico-errors\" role=\"alert\">\
<h2>The portal does not build: the last good version is shown under this message</h2>\
<pre>{}</pre>\
<p>Fix the file and save: this page reloads by itself.</p></div>",
        crate::theme::escape_html(errors)
    )
}

/// Where the overlay's styles are served.
pub const OVERLAY_CSS: &str = "/__portico/overlay.css";

/// The overlay's styles.
pub const OVERLAY_STYLE: &str = "#portico-errors{position:fixed;inset:0;z-index:2147483647;overflow:auto;\
background:rgba(20,20,24,.94);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace}\
#portico-errors h2{color:#ff8a80;margin:0 0 1rem;font:700 1.2rem system-ui,sans-serif}\
#portico-errors pre{white-space:pre-wrap;margin:0}\
#portico-errors p{font:0.9rem system-ui,sans-serif;color:#ccc}\n";

/// The script that reloads the page after each rebuild and reconnects when
/// the server restarts.
pub const LIVE_SCRIPT: &str = r#"(function () {
  "use strict";
  // The build this page was served from; any other build means reload.
  var me = document.currentScript;
  var served = me && me.getAttribute("data-build");
  function connect() {
    var source = new EventSource("/__portico/events");
    function stale(e) { return e.data !== served; }
    // On (re)connecting: a rebuild or a restart happened while away.
    source.addEventListener("hello", function (e) {
      window.__porticoConnected = true;
      if (stale(e)) { location.reload(); }
    });
    source.addEventListener("reload", function (e) { if (stale(e)) { location.reload(); } });
    // Only stylesheets changed: fetch them again, keep the page and its scroll.
    source.addEventListener("css", function (e) {
      served = e.data;
      document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
        var url = new URL(link.href);
        url.searchParams.set("v", Date.now());
        link.href = url.toString();
      });
    });
    source.onerror = function () {
      window.__porticoConnected = false;
      source.close();
      setTimeout(connect, 1000);
    };
  }
  connect();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        [
            "index.html",
            "services/vpn/index.html",
            "assets/style.css",
            "nl/404.html",
            "404.html",
        ]
        .into_iter()
        .map(|p| (Arc::from(p), Arc::new(p.as_bytes().to_vec())))
        .collect()
    }

    #[test]
    fn paths_map_to_files() {
        let f = files();
        assert_eq!(resolve("/", &f), Target::File("index.html".into()));
        assert_eq!(
            resolve("/services/vpn/", &f),
            Target::File("services/vpn/index.html".into())
        );
        assert_eq!(
            resolve("/services/vpn/?x=1#top", &f),
            Target::File("services/vpn/index.html".into())
        );
        assert_eq!(
            resolve("/services/vpn", &f),
            Target::Redirect("/services/vpn/".into())
        );
        assert_eq!(
            resolve("/assets/style.css", &f),
            Target::File("assets/style.css".into())
        );
        assert_eq!(resolve("/nope/", &f), Target::NotFound);
        assert_eq!(resolve(EVENTS, &f), Target::Events);
    }

    #[test]
    fn traversal_is_refused() {
        let f = files();
        for bad in [
            "/../etc/passwd",
            "/services/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/services/%2e%2e/%2e%2e/secret",
            "//etc/passwd",
            "/..%5c..%5cwindows",
            "/a%00b",
            "/C:/Windows/win.ini",
            "relative",
            "/%ff%fe",
        ] {
            assert_eq!(resolve(bad, &f), Target::Forbidden, "{bad}");
        }
    }

    #[test]
    fn content_types_and_not_found_pages() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("feed.xml"),
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("maintenance.ics"),
            "text/calendar; charset=utf-8"
        );
        assert_eq!(content_type("x.SVG"), "image/svg+xml");
        let f = files();
        assert_eq!(
            not_found_page("/nl/nope/", &f).unwrap().as_slice(),
            b"nl/404.html"
        );
        assert_eq!(
            not_found_page("/nope/", &f).unwrap().as_slice(),
            b"404.html"
        );
    }

    #[test]
    fn the_overlay_escapes_messages() {
        let html = String::from_utf8(inject(
            b"<html><body>x</body></html>",
            Some("a.md:1:1: error: <script>"),
            "b-1",
        ))
        .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("data-build=\"b-1\""));
        assert!(!html.contains("style=\""), "no inline style: {html}");
        assert!(!html.contains("<script>"), "no inline script: {html}");
        assert!(!html.contains("error: <script>"));
        assert!(html.ends_with("</div></body></html>"));
        assert!(html.contains(LIVE_JS));
    }
}

//! What each fuzz target does with one input. Shared by the fuzz targets
//! (`fuzz/fuzz_targets/`) and by `tests/fuzz_regressions.rs`, which runs
//! every input kept under `fuzz/regressions/TARGET/` through the same code.
//!
//! Each function must never panic, whatever the bytes; where the code under
//! test promises more (a resolved path stays inside the site), it asserts it.

#![allow(dead_code)]

use portico::content::announcement::Announcement;
use portico::content::faq::FaqTopic;
use portico::content::page::Page;
use portico::content::service::Service;
use portico::content::survey::Survey;
use portico::content::{front_matter, Source};
use portico::feedback::answers::{self, Encoding};
use portico::feedback::manifest::{self, Manifest};
use portico::feedback::receiver::{Overrides, Receiver, Request};
use portico::markdown::{self, LinkTarget, LinkTargets, RenderContext};
use portico::serve::routes::{self, Files, SiteFiles};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// Every target, by name, with its function.
pub const TARGETS: &[(&str, Target)] = &[
    ("front_matter", front_matter),
    ("content", content),
    ("markdown", markdown),
    ("answers", answers),
    ("routes", routes),
    ("receiver", receiver),
];

/// The repository, for the demo portal the targets answer for.
fn repo() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    if here.join("portico.toml").is_file() {
        here.to_owned()
    } else {
        here.join("..")
    }
}

/// The demo portal built once in memory: its files and its receiver's manifest.
struct Demo {
    files: Files,
    manifest: Manifest,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let built = portico::commands::build_in_memory(
            &repo(),
            &Default::default(),
            portico::cli::Verbosity::Quiet,
        )
        .expect("the demo portal builds");
        let files: Files = built
            .outputs
            .iter()
            .map(|o| (o.path.clone(), o.bytes.clone()))
            .collect();
        let manifest = Manifest::from_json(
            files
                .get(manifest::PATH)
                .expect("the build writes the receiver's manifest"),
        )
        .expect("the manifest reads back");
        Demo { files, manifest }
    })
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Splits a file into front matter and body and parses the front matter
/// as a generic value; error positions must lie inside the file.
pub fn front_matter(data: &[u8]) {
    let file = text(data);
    let path = Path::new("content/x.md");
    if let Ok(split) = front_matter::split(path, &file) {
        let _ = split.front_line();
        if let Err(d) = split.parse::<serde_json::Value>(path) {
            let _ = d.to_string();
        }
        let (line, _, _) = split.locate(&["title"], None);
        assert!(
            line <= file.lines().count() + 2,
            "line {line} outside the file"
        );
    }
    let _ = front_matter::parse_toml_file::<serde_json::Value>(Path::new("portico.toml"), &file);
}

/// Parses the input as each kind of content file (the first byte says which).
pub fn content(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let file = text(rest);
    let (rel, dir) = match kind % 5 {
        0 => ("announcements/x.md", "announcements"),
        1 => ("services/x.md", "services"),
        2 => ("faq/x.md", "faq"),
        3 => ("surveys/x.md", "surveys"),
        _ => ("pages/x.md", "pages"),
    };
    let source = || Source::new(format!("content/{rel}"), rel, file.as_str());
    let tz = jiff::tz::TimeZone::UTC;
    let errors = match dir {
        "announcements" => Announcement::parse(source(), &tz, None).err(),
        "services" => Service::parse(source(), None).err(),
        "faq" => FaqTopic::parse(source(), None).err(),
        "surveys" => Survey::parse(source(), &tz, None).err(),
        _ => Page::parse(source(), None).err(),
    };
    for d in errors.unwrap_or_default() {
        let _ = d.to_string();
    }
}

/// Renders Markdown with internal links resolved against a few pages.
pub fn markdown(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let body = text(rest);
    static TARGETS: OnceLock<LinkTargets> = OnceLock::new();
    let targets = TARGETS.get_or_init(|| {
        [
            "services/vpn.md",
            "faq/vpn.md",
            "announcements/a.md",
            "pages/about.md",
        ]
        .iter()
        .map(|rel| {
            let target = LinkTarget {
                url: format!("/{}/", rel.trim_end_matches(".md")),
                published: !rel.starts_with("pages"),
            };
            ((*rel).into(), target)
        })
        .collect()
    });
    // Some of the body is front matter in the file, as in a real one.
    let prefix = "+++\ntitle = \"x\"\n+++\n";
    let file = format!("{prefix}{body}");
    let ctx = RenderContext {
        targets,
        path: Path::new("content/pages/x.md"),
        file: &file,
        offset: prefix.len(),
        sections: flags & 1 == 1,
    };
    let (rendered, errors) = markdown::render(&body, &ctx);
    let _ = rendered.toc();
    for d in errors {
        let _ = d.to_string();
    }
}

/// Reads an answer body (form-encoded or JSON: the first byte says) and
/// checks it against each of the demo portal's surveys and as page feedback.
pub fn answers(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let encoding = if kind & 1 == 0 {
        Encoding::Form
    } else {
        Encoding::Json
    };
    let Ok(fields) = answers::fields(encoding, body) else {
        return;
    };
    let demo = demo();
    for survey in &demo.manifest.surveys {
        let _ = answers::validate(&demo.manifest, survey, &fields);
    }
    let _ = answers::validate_feedback(&demo.manifest, &fields);
}

/// Resolves a request path against the demo portal: a file it names is
/// one of the site's, never outside it.
pub fn routes(data: &[u8]) {
    let raw = text(data);
    let demo = demo();
    match routes::resolve(&raw, &demo.files) {
        routes::Target::File(path) => {
            assert!(
                demo.files.contains(&path),
                "{path} is not a file of the site"
            );
            assert!(!path.split('/').any(|p| p == ".."), "{path} climbs out");
            let _ = routes::content_type(&path);
        }
        routes::Target::Redirect(to) => assert!(!to.contains(".."), "redirect to {to}"),
        _ => {}
    }
    let _ = routes::not_found_page(&raw, &demo.files);
}

/// A whole request to the feedback receiver: method, path, content type,
/// origin and body from the input, separated by newlines.
pub fn receiver(data: &[u8]) {
    static RECEIVER: OnceLock<(Receiver, tempfile::TempDir)> = OnceLock::new();
    let (receiver, _) = RECEIVER.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = portico::feedback::store::Store::open(&dir.path().join("responses.db"))
            .expect("the database opens");
        let overrides = Overrides {
            rate_limit: Some(0),
            ..Default::default()
        };
        (
            Receiver::new(demo().manifest.clone(), store, overrides),
            dir,
        )
    });
    let mut parts = data.splitn(5, |&b| b == b'\n');
    let mut next = || parts.next().map(text);
    let method = match next().and_then(|m| m.bytes().next()).unwrap_or(0) % 4 {
        0 => "POST",
        1 => "GET",
        2 => "HEAD",
        _ => "OPTIONS",
    };
    let url = next().unwrap_or_default();
    let content_type = next();
    let origin = next().filter(|o| !o.is_empty());
    let body = parts.next().unwrap_or_default().to_vec();
    let request = Request {
        method: method.into(),
        url,
        content_type,
        content_length: Some(body.len()),
        origin,
        host: Some("127.0.0.1:8000".into()),
        client: Some([127, 0, 0, 1].into()),
        ..Default::default()
    };
    let reply = receiver.handle(&request, &mut body.as_slice(), &DemoFiles);
    assert!(
        (200..600).contains(&reply.status),
        "status {}",
        reply.status
    );
}

struct DemoFiles;

impl SiteFiles for DemoFiles {
    fn contains(&self, path: &str) -> bool {
        demo().files.contains(path)
    }
    fn read(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        demo().files.read(path)
    }
}

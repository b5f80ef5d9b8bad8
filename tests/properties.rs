//! Properties over generated inputs (proptest): front matter reads back what
//! was written, anchors are unique, every output path stays inside the
//! output folder and is a name every file system takes, every string an
//! author or reader supplies is escaped in every page, and the build does
//! not depend on the order the files are found in.

mod common;

use portico::cli::{SiteArgs, Verbosity};
use portico::commands::build_in_memory;
use portico::content::announcement::Announcement;
use portico::content::Source;
use portico::markdown::{render, LinkTargets, RenderContext};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path};

/// A copy of the `base` fixture in a fresh folder, in memory-backed storage
/// where there is one (there, a folder lists its newest file first).
fn base_project() -> tempfile::TempDir {
    let dir = match Path::new("/dev/shm").is_dir() {
        true => tempfile::tempdir_in("/dev/shm").unwrap(),
        false => tempfile::tempdir().unwrap(),
    };
    common::copy_tree(&common::fixtures().join("base"), dir.path());
    dir
}

fn build(root: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let built = build_in_memory(root, &SiteArgs::default(), Verbosity::Quiet)?;
    Ok(built
        .outputs
        .iter()
        .map(|o| (o.path.to_string(), o.bytes.to_vec()))
        .collect())
}

/// Text an author might type: letters of several scripts, digits, spaces,
/// punctuation and the characters markup cares about.
fn prose() -> impl Strategy<Value = String> {
    "[A-Za-z0-9éüßøçñ中文Ωд <>&\"'#%/\\\\.:;!?*|_-]{1,24}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("not blank", |s| !s.is_empty())
}

/// A file stem: anything a file system allows, dots, Unicode and names
/// Windows reserves included.
fn stem() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9éü中 ._~%()'!-]{1,20}",
        Just("..".to_owned()),
        Just("...".to_owned()),
        Just("CON".to_owned()),
        Just("nul".to_owned()),
        Just("com1".to_owned()),
        Just("LPT9".to_owned()),
        Just("aux.draft".to_owned()),
        Just("%2e%2e".to_owned()),
        Just("!!!".to_owned()),
    ]
    .prop_filter("a file the build reads", |s| {
        !s.starts_with('.') && !s.starts_with('_') && !s.ends_with('~')
    })
}

/// `cases` cases; failing inputs are kept beside this file and tried first.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/properties.proptest-regressions"
            )),
        )),
        ..ProptestConfig::default()
    }
}

fn check_path(path: &str) -> Result<(), String> {
    let p = Path::new(path);
    if path.is_empty() || path.contains('\\') || path.contains("//") {
        return Err(format!("{path:?} is not a clean relative path"));
    }
    for c in p.components() {
        let Component::Normal(name) = c else {
            return Err(format!("{path:?} has a `{c:?}` part"));
        };
        let name = name.to_str().ok_or(format!("{path:?} is not UTF-8"))?;
        let base = name.split('.').next().unwrap_or("").to_ascii_lowercase();
        let reserved = ["con", "prn", "aux", "nul"].contains(&base.as_str())
            || (base.len() == 4
                && (base.starts_with("com") || base.starts_with("lpt"))
                && base.as_bytes()[3].is_ascii_digit());
        if reserved {
            return Err(format!("{path:?}: `{name}` is reserved on Windows"));
        }
        if name.ends_with(['.', ' ']) || name.contains(['<', '>', ':', '"', '|', '?', '*']) {
            return Err(format!("{path:?}: `{name}` is not a portable name"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn front_matter_reads_back_what_was_written(
        title in prose(),
        summary in proptest::option::of(prose()),
        tags in proptest::collection::vec(prose(), 0..4),
        audience in proptest::collection::vec("[a-z]{1,10}", 0..3),
        kind in prop::sample::select(vec!["news", "launch", "change", "maintenance", "outage", "retirement", "tip"]),
        pinned in any::<bool>(),
        yaml in any::<bool>(),
    ) {
        let mut front = serde_json::json!({
            "title": title, "date": "2026-03-04", "kind": kind,
            "tags": tags, "audience": audience, "pinned": pinned,
        });
        if let Some(s) = &summary {
            front["summary"] = serde_json::json!(s);
        }
        if kind == "maintenance" {
            front["window"] = serde_json::json!({"start": "2026-03-05T10:00", "end": "2026-03-05T11:00"});
        }
        let text = if yaml {
            format!("---\n{}---\n\nBody.\n", serde_yaml_ng::to_string(&front).unwrap())
        } else {
            format!("+++\n{}+++\n\nBody.\n", toml::to_string(&front).unwrap())
        };
        let source = Source::new("content/announcements/x.md", "announcements/x.md", text.as_str());
        let a = Announcement::parse(source, &jiff::tz::TimeZone::UTC, None)
            .map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&a.front.title, &title);
        prop_assert_eq!(&a.front.summary, &summary);
        prop_assert_eq!(&a.front.tags, &tags);
        prop_assert_eq!(&a.front.audience, &audience);
        prop_assert_eq!(a.front.kind.as_str(), kind);
        prop_assert_eq!(a.front.pinned, pinned);
    }

    #[test]
    fn heading_anchors_are_unique_and_linkable(
        headings in proptest::collection::vec(
            (prop_oneof![prose(), Just("Same".to_owned()), Just("!!!".to_owned()), Just("same-1".to_owned())],
             proptest::option::of(prop_oneof![Just("same".to_owned()), Just("same-1".to_owned()), "[a-z]{1,3}".prop_map(|s| s)]),
             1..4usize),
            1..12,
        )
    ) {
        let markdown: String = headings
            .iter()
            .map(|(text, id, level)| {
                let hashes = "#".repeat(level + 1);
                match id {
                    Some(id) => format!("{hashes} {text} {{#{id}}}\n\ntext\n\n"),
                    None => format!("{hashes} {text}\n\ntext\n\n"),
                }
            })
            .collect();
        let targets = LinkTargets::default();
        let ctx = RenderContext { targets: &targets, path: Path::new("x.md"), file: &markdown, offset: 0, sections: false };
        let (rendered, _) = render(&markdown, &ctx);
        let ids: Vec<&str> = rendered.toc().iter().map(|h| h.id.as_str()).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        prop_assert_eq!(unique.len(), ids.len(), "{:?}", ids);
        for id in ids {
            prop_assert!(!id.is_empty());
            prop_assert!(rendered.html.contains(&format!("id=\"{id}\"")), "{} not in the page", id);
        }
    }
}

proptest! {
    // Whole builds: fewer cases.
    #![proptest_config(config(24))]

    #[test]
    fn output_paths_stay_inside_and_portable(
        stems in proptest::collection::vec(stem(), 1..4),
        tags in proptest::collection::vec(prose(), 0..3),
        audience in proptest::collection::vec(prose(), 0..2),
        page in stem(),
    ) {
        let dir = base_project();
        for (i, stem) in stems.iter().enumerate() {
            let front = serde_json::json!({
                "title": format!("Item {i}"), "date": "2026-11-01", "kind": "news",
                "tags": tags, "audience": audience,
            });
            std::fs::write(
                dir.path().join(format!("content/announcements/{stem}.md")),
                format!("+++\n{}+++\n\nBody.\n", toml::to_string(&front).unwrap()),
            ).unwrap();
        }
        std::fs::write(
            dir.path().join(format!("content/pages/{page}.md")),
            "+++\ntitle = \"P\"\n+++\n\nBody.\n",
        ).unwrap();
        // Two names with one slug are refused, naming both; anything else builds.
        match build(dir.path()) {
            Ok(files) => {
                for path in files.keys() {
                    check_path(path).map_err(TestCaseError::fail)?;
                }
            }
            Err(e) => {
                let message = format!("{e:#}");
                prop_assert!(message.contains("content/"), "an error without a file: {}", message);
            }
        }
    }

    #[test]
    fn what_authors_write_is_escaped_on_every_page(
        words in proptest::collection::vec(prose(), 4),
    ) {
        // One marker an unescaped page would carry as a real element.
        let marker = |w: &str| format!("{w}</script><b id=\"inj\">{w}");
        let dir = base_project();
        let root = dir.path();
        let [title, summary, tag, label] = [0, 1, 2, 3].map(|i| marker(&words[i]));
        let front = serde_json::json!({
            "title": title, "summary": summary, "date": "2026-11-01", "kind": "maintenance",
            "tags": [tag], "audience": [label], "author": title, "services": ["vpn"],
            "window": {"start": "2026-11-25T10:00", "end": "2026-11-25T11:00"},
            // (An update's body is Markdown, which may hold HTML on purpose.)
            "updates": [{"at": "2026-11-02T10:00", "body": "Moved."}],
        });
        std::fs::write(root.join("content/announcements/hostile.md"),
            format!("+++\n{}+++\n\nBody.\n", toml::to_string(&front).unwrap())).unwrap();
        let survey = serde_json::json!({
            "title": title, "summary": summary,
            "questions": [
                {"id": "pick", "type": "single", "label": label, "help": summary, "options": [tag.clone(), "Plain".to_owned()]},
                {"id": "free", "type": "text", "label": title},
            ],
        });
        std::fs::write(root.join("content/surveys/hostile.md"),
            format!("+++\n{}+++\n\nTell us.\n", toml::to_string(&survey).unwrap())).unwrap();
        let faq = format!("+++\ntitle = {}\n+++\n\n## {}\n\nAnswer.\n", serde_json::json!(title), label.replace('#', ""));
        std::fs::write(root.join("content/faq/hostile.md"), faq).unwrap();
        let files = build(root).map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
        let mut pages = 0;
        for (path, bytes) in &files {
            if path.ends_with(".html") {
                let html = String::from_utf8_lossy(bytes);
                prop_assert!(!html.contains("<b id=\"inj\">"), "{} carries the markup unescaped", path);
                pages += 1;
            }
        }
        prop_assert!(pages > 10);
        // The words themselves are there, escaped.
        let page = String::from_utf8_lossy(&files["announcements/hostile/index.html"]);
        prop_assert!(page.contains("&lt;b id=&quot;inj&quot;&gt;"));
    }

    #[test]
    fn the_build_does_not_depend_on_the_order_files_are_found_in(
        order in Just((0..8usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        // The same eight announcements written in two orders into two
        // folders (on memory-backed storage a folder lists its newest first).
        let (one, two) = (base_project(), base_project());
        let write = |root: &Path, i: usize| {
            let front = serde_json::json!({
                "title": format!("Same day {}", i % 3), "date": "2026-11-01", "kind": "news",
                "tags": [format!("t{}", i % 2)], "pinned": i == 5,
            });
            std::fs::write(root.join(format!("content/announcements/n{i}.md")),
                format!("+++\n{}+++\n\nBody {i}.\n", toml::to_string(&front).unwrap())).unwrap();
        };
        for i in 0..8 {
            write(one.path(), i);
        }
        for &i in &order {
            write(two.path(), i);
        }
        let (a, b) = (build(one.path()).unwrap(), build(two.path()).unwrap());
        prop_assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (path, bytes) in &a {
            prop_assert!(bytes == &b[path], "{} differs", path);
        }
    }
}

//! Every kind of content mistake is reported with its file, line, column and
//! a hint, all at once, and a build with errors writes nothing.
//!
//! Each folder under `tests/fixtures/invalid/` is laid over the valid
//! `tests/fixtures/base/` portal; its `expected.txt` is exactly what
//! `portico check` prints. `PORTICO_BLESS=1` rewrites the expectations.

mod common;
use common::*;

fn invalid_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn broken_project(name: &str) -> Project {
    let p = Project::from_fixture("base");
    copy_tree(&fixtures().join("invalid").join(name), p.path());
    std::fs::remove_file(p.path().join("expected.txt")).ok();
    p
}

#[test]
fn the_base_fixture_is_valid() {
    let p = Project::from_fixture("base");
    let run = p.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("No errors: 2 services, 2 announcements"),
        "{}",
        run.stderr
    );
    assert!(!p.public().exists(), "check writes nothing");
}

#[test]
fn each_mistake_gives_its_exact_message_and_writes_nothing() {
    let names = invalid_fixtures();
    assert!(names.len() >= 19, "fixtures missing: {names:?}");
    let bless = std::env::var_os("PORTICO_BLESS").is_some();
    let mut failures = Vec::new();
    for name in &names {
        let p = broken_project(name);
        let run = p.run(&["check"]);
        let expected_path = fixtures().join("invalid").join(name).join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &run.stderr).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if run.code != 1 || run.stderr != expected {
            failures.push(format!(
                "== {name}: exit {}\n-- expected:\n{expected}\n-- got:\n{}",
                run.code, run.stderr
            ));
        }
        let build = p.run(&["build"]);
        assert_eq!(build.code, 1, "{name}: build must fail");
        assert!(
            build.stderr.contains(&run.stderr),
            "{name}: build reports the same errors"
        );
        let leftovers: Vec<String> = std::fs::read_dir(p.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".portico") || n == "public")
            .collect();
        assert!(leftovers.is_empty(), "{name}: wrote {leftovers:?}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_expected_message_names_a_file_line_and_column() {
    for name in invalid_fixtures() {
        let expected =
            std::fs::read_to_string(fixtures().join("invalid").join(&name).join("expected.txt"))
                .unwrap();
        let first = expected.lines().next().unwrap_or_default();
        let mut parts = first.splitn(4, ':');
        let (file, line, col) = (
            parts.next().unwrap(),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        assert!(
            file.ends_with(".md") || file.ends_with(".toml") || file.ends_with(".html"),
            "{name}: {first}"
        );
        assert!(
            line.parse::<usize>().is_ok() && col.parse::<usize>().is_ok(),
            "{name}: {first}"
        );
        assert!(
            expected.trim_end().ends_with("nothing was written"),
            "{name}"
        );
    }
}

#[test]
fn all_errors_of_all_files_come_together() {
    let p = broken_project("many-errors");
    let run = p.run(&["check"]);
    assert_eq!(run.code, 1);
    let files: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "content/announcements/launch.md",
            "content/pages/about.md",
            "content/services/vpn.md"
        ]
    );
    assert!(run
        .stderr
        .ends_with("3 errors found; nothing was written\n"));
}

#[test]
fn a_file_that_fails_to_parse_is_not_reported_again_as_missing() {
    // vpn.md fails; the announcements naming `vpn` are not errors of their own.
    let p = broken_project("unknown-field");
    let run = p.run(&["check"]);
    assert_eq!(run.stderr.matches(": error: ").count(), 1, "{}", run.stderr);
}

#[test]
fn not_a_project_and_bad_arguments_are_usage_errors() {
    let empty = tempfile::tempdir().unwrap();
    let run = portico(empty.path(), &["build"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("has no portico.toml: not a Portico project"),
        "{}",
        run.stderr
    );
    let run = portico(empty.path(), &["bulid"]);
    run.assert_failed(2, "unrecognized subcommand 'bulid'");
    let run = portico(empty.path(), &["new", "blogpost", "Hi"]);
    run.assert_failed(2, "invalid value 'blogpost'");
    // A bad --base-url is the option's mistake, not portico.toml's line.
    let p = Project::from_fixture("base");
    let run = p.run(&["build", "--base-url", "intranet/it"]);
    run.assert_failed(2, "invalid value 'intranet/it' for '--base-url <URL>'");
    assert!(!run.stderr.contains("portico.toml"), "{}", run.stderr);
    assert!(!p.public().exists(), "nothing written");
}

#[test]
fn output_folder_that_is_not_a_site_is_not_replaced() {
    let p = Project::from_fixture("base");
    p.write("notes/mine.txt", "precious");
    let run = p.run(&["build", "--output", "notes"]);
    run.assert_failed(2, "does not look like a Portico output");
    assert_eq!(
        std::fs::read_to_string(p.path().join("notes/mine.txt")).unwrap(),
        "precious"
    );
    let run = p.run(&["build", "--output", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = p.run(&["build", "--output", "content/out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn a_static_file_in_a_generated_page_s_place_is_an_error() {
    let p = Project::from_fixture("base");
    p.write("static/feed.xml", "mine");
    p.write("static/services/index.html", "mine");
    p.write("static/files/form.pdf", "kept");
    let run = p.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "static/feed.xml:1:1: error: static file `feed.xml` would overwrite a generated page\n  \
         = help: rename or move the file: Portico writes this path itself\n\n\
         static/services/index.html:1:1: error: static file `services/index.html` would \
         overwrite a generated page\n  \
         = help: rename or move the file: Portico writes this path itself\n\n\
         2 errors found; nothing was written\n"
    );
    let build = p.run(&["build"]);
    assert_eq!(build.code, 1, "{}", build.stderr);
    assert!(!p.public().exists(), "nothing is written");
    // Without the two, every static file is copied as it is.
    std::fs::remove_file(p.path().join("static/feed.xml")).unwrap();
    std::fs::remove_file(p.path().join("static/services/index.html")).unwrap();
    let build = p.run(&["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(
        std::fs::read_to_string(p.public().join("files/form.pdf")).unwrap(),
        "kept"
    );
    assert!(p.text("feed.xml").contains("<rss"));
}

//! Crashes and full disks: a build killed at any moment or unable to write
//! leaves the previous site as it was; a receiver that cannot write answers
//! 503, keeps serving and keeps every answer it acknowledged.

mod common;

#[path = "../examples/gen_portal.rs"]
#[allow(dead_code)]
mod gen_portal;

use common::{portico, read_tree, Server};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Makes the command's process unable to write files larger than `bytes`,
/// as on a full disk: a write past it fails (EFBIG) instead of signalling.
fn limit_file_size(command: &mut Command, bytes: u64) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".portico-"))
        .collect()
}

/// Writes one announcement whose text says `version`.
fn set_version(root: &Path, version: &str) {
    std::fs::write(
        root.join("content/announcements/version.md"),
        format!("+++\ntitle = \"Version {version}\"\ndate = 2026-01-01\nkind = \"news\"\ntags = [\"version\"]\n+++\n\nThis is version {version}.\n"),
    )
    .unwrap();
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_previous_site_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    gen_portal::generate(root, 150, 12, 6, 7);
    let build = || portico(root, &["build", "--quiet"]);
    let public = root.join("public");

    // The two complete sites the output may ever be.
    set_version(root, "A");
    let started = Instant::now();
    let run = build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let full = started.elapsed();
    let site_a = read_tree(&public);
    set_version(root, "B");
    assert_eq!(build().code, 0);
    let site_b = read_tree(&public);
    assert_ne!(site_a, site_b);

    // Kill builds of alternating versions after random delays within
    // a whole build's time.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    let mut delays = Vec::new();
    for round in 0..10 {
        set_version(root, if round % 2 == 0 { "A" } else { "B" });
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = full.mul_f64((seed % 1000) as f64 / 1000.0);
        delays.push(delay);
        let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["build", "--quiet"])
            .current_dir(root)
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let now = read_tree(&public);
        assert!(
            now == site_a || now == site_b,
            "round {round}: public/ is neither whole site after a kill at {delay:?}"
        );
    }
    eprintln!("killed after {delays:?} (a build takes {full:?})");

    // The next build finishes and clears what the killed ones left.
    set_version(root, "A");
    assert_eq!(build().code, 0);
    assert_eq!(read_tree(&public), site_a);
    assert_eq!(leftovers(root), Vec::<String>::new());
}

#[test]
fn a_build_that_cannot_write_says_so_and_keeps_the_previous_site() {
    let p = common::Project::demo();
    p.build(&[]);
    let before = read_tree(&p.public());
    p.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n+++\n\nChanged.\n",
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    limit_file_size(&mut command, 16 * 1024);
    let out = command.arg("build").current_dir(p.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // One error, naming the file and the system's reason, not one per page.
    assert_eq!(stderr.matches("cannot write").count(), 1, "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("still holds the previous site"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(read_tree(&p.public()), before);
    assert_eq!(leftovers(p.path()), Vec::<String>::new());
}

#[test]
fn a_receiver_that_cannot_write_answers_503_and_keeps_what_it_acknowledged() {
    let p = common::Project::demo();
    p.build(&[]);
    let db = p.path().join("feedback.sqlite");
    let args = [
        "collect",
        "--port",
        "0",
        "--db",
        db.to_str().unwrap(),
        "--rate-limit",
        "0",
    ];
    let server = Server::spawn_with(p.path(), &args, |c| limit_file_size(c, 512 * 1024));
    let mut acknowledged = Vec::new();
    let mut refused = None;
    for n in 0..5000 {
        let id = format!("full-{n}");
        let body = serde_json::json!({"overall": 4, "recommend": 9, "comments": "x".repeat(2000), "_submission": id});
        let r = common::post(
            &server.addr,
            "/api/surveys/it-satisfaction-2026/responses",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        match r.status {
            201 => acknowledged.push(id),
            _ => {
                refused = Some(r);
                break;
            }
        }
    }
    let refused = refused.expect("the database never filled up");
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert!(
        refused.body.contains("could not be saved"),
        "{}",
        refused.body
    );
    assert_eq!(refused.header("Retry-After"), Some("30"));
    assert!(acknowledged.len() > 5, "only {} stored", acknowledged.len());
    // Still serving, and it said why on its error output.
    assert_eq!(server.get("/api/health").status, 200);
    let stderr = server.wait_for_stderr(10, |s| s.contains("full") || s.contains("disk"));
    assert!(
        stderr.contains("full") || stderr.contains("disk"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Every acknowledged answer is in the file.
    let conn = rusqlite::Connection::open(&db).unwrap();
    for id in &acknowledged {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM responses WHERE submission = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{id} acknowledged but not stored");
    }
}

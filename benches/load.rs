//! Load test of `portico collect`: the demo portal built and served by the
//! receiver while it takes survey answers, both at once, with `wrk` (Debian
//! package `wrk`) on loopback for a bounded time. Prints requests per
//! second, latency percentiles, errors, the answers stored against those
//! acknowledged, and the receiver's memory at the start and end of the run
//! (a 5-minute run is the soak: `--secs 300`).
//!
//! `cargo bench --bench load -- [--secs 30] [--readers 32] [--writers 8] [--dir DIR]`

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SURVEY: &str = "/api/surveys/it-satisfaction-2026/responses";

/// Reads pages, feeds and the search index in turn.
const READ_SCRIPT: &str = r#"
local paths = { "/", "/services/", "/services/cloud-storage/", "/feed.xml",
  "/search/index.json", "/faq/accounts-and-security/", "/maintenance.ics", "/assets/style.css" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"#;

/// Posts answers, each with its own submission id.
fn write_script(prefix: &str) -> String {
    format!(
        r#"
local n = 0
local thread_id = tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  local body = string.format('{{"overall":%d,"recommend":%d,"comments":"load test","_submission":"{prefix}-%s-%d"}}',
    1 + n % 5, n % 11, thread_id, n)
  return wrk.format("POST", "{SURVEY}", {{ ["Content-Type"] = "application/json" }}, body)
end
"#
    )
}

/// What one wrk run printed, read.
#[derive(Debug, Default)]
struct Wrk {
    requests: u64,
    per_sec: f64,
    p50: String,
    p90: String,
    p99: String,
    non_2xx: u64,
    socket_errors: String,
}

fn parse_wrk(out: &str) -> Wrk {
    let mut w = Wrk::default();
    for line in out.lines() {
        let t = line.trim();
        let second = || t.split_whitespace().nth(1).unwrap_or("?").to_owned();
        if t.starts_with("50%") {
            w.p50 = second();
        } else if t.starts_with("90%") {
            w.p90 = second();
        } else if t.starts_with("99%") {
            w.p99 = second();
        } else if t.starts_with("Requests/sec:") {
            w.per_sec = second().parse().unwrap_or(0.0);
        } else if t.contains(" requests in ") {
            w.requests = t
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        } else if t.starts_with("Non-2xx or 3xx responses:") {
            w.non_2xx = t
                .rsplit(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        } else if t.starts_with("Socket errors:") {
            w.socket_errors = t.trim_start_matches("Socket errors:").trim().to_owned();
        }
    }
    w
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("read the demo portal");
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn main() {
    let mut secs = 30u64;
    let mut readers = 32u32;
    let mut writers = 8u32;
    let mut dir = std::env::temp_dir().join("portico-load");
    let mut args = std::env::args().skip(1);
    let usage = "cargo bench --bench load -- [--secs 30] [--readers 32] [--writers 8] [--dir DIR]";
    while let Some(a) = args.next() {
        let mut number = |what: &str| {
            args.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
                eprintln!("{what} needs a positive number\n{usage}");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--secs" => secs = number("--secs"),
            "--readers" => readers = number("--readers") as u32,
            "--writers" => writers = number("--writers") as u32,
            "--dir" => dir = args.next().map(PathBuf::from).unwrap_or(dir),
            "--help" | "-h" => {
                println!("{usage}");
                return;
            }
            "--bench" => {}
            other => {
                eprintln!("unknown option {other}\n{usage}");
                std::process::exit(2);
            }
        }
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed (Debian: apt-get install wrk)");
        std::process::exit(2);
    }
    let portico = PathBuf::from(env!("CARGO_BIN_EXE_portico"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    copy_tree(&repo.join("content"), &dir.join("content"));
    std::fs::copy(repo.join("portico.toml"), dir.join("portico.toml")).unwrap();
    let built = Command::new(&portico)
        .args(["build", "--quiet"])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(built.success(), "the demo portal does not build");

    let db = dir.join("feedback.sqlite");
    let mut receiver = Command::new(&portico)
        .args([
            "collect",
            "--port",
            "0",
            "--site",
            "public",
            "--rate-limit",
            "0",
            "--quiet",
        ])
        .arg("--db")
        .arg(&db)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(receiver.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().trim_end_matches('/').to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "no URL from collect: {url:?}"
    );
    let pid = receiver.id();

    std::fs::write(dir.join("read.lua"), READ_SCRIPT).unwrap();
    std::fs::write(dir.join("write.lua"), write_script("load")).unwrap();
    let wrk = |script: &str, connections: u32| {
        Command::new("wrk")
            .args(["-t1", "--latency", "--timeout", "10s"])
            .arg(format!("-c{connections}"))
            .arg(format!("-d{secs}s"))
            .arg("-s")
            .arg(dir.join(script))
            .arg(&url)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start wrk")
    };
    println!(
        "{secs} s: {readers} connections reading the site and {writers} posting answers to {url}"
    );
    let start_rss = rss_mb(pid);
    let started = Instant::now();
    let reading = wrk("read.lua", readers);
    let writing = wrk("write.lua", writers);
    // Memory once a second; the first sample after the first tenth of the
    // run is the start (connections open, caches warm).
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(Duration::from_secs(1));
        samples.push((started.elapsed().as_secs_f64(), rss_mb(pid)));
    }
    let read = parse_wrk(&String::from_utf8_lossy(
        &reading.wait_with_output().unwrap().stdout,
    ));
    let write_out = writing.wait_with_output().unwrap();
    let write = parse_wrk(&String::from_utf8_lossy(&write_out.stdout));
    let end_rss = rss_mb(pid);
    let _ = receiver.kill();
    let _ = receiver.wait();
    let warm = samples
        .iter()
        .find(|(t, _)| *t >= secs as f64 / 10.0)
        .map_or(start_rss, |s| s.1);
    let peak = samples.iter().map(|s| s.1).fold(end_rss, f64::max);
    let stored: i64 = rusqlite::Connection::open(&db)
        .and_then(|c| c.query_row("SELECT count(*) FROM responses", [], |r| r.get(0)))
        .unwrap_or(-1);

    println!();
    println!("| load | requests | per second | p50 | p90 | p99 | non-2xx/3xx | socket errors |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, w) in [("reading the site", &read), ("posting answers", &write)] {
        println!(
            "| {name} | {} | {:.0} | {} | {} | {} | {} | {} |",
            w.requests,
            w.per_sec,
            w.p50,
            w.p90,
            w.p99,
            w.non_2xx,
            if w.socket_errors.is_empty() {
                "none"
            } else {
                &w.socket_errors
            }
        );
    }
    println!();
    println!(
        "answers stored: {stored} (wrk completed {} posts; posts in flight when it stopped may be stored too)",
        write.requests
    );
    println!(
        "receiver memory (RSS): {start_rss:.1} MB idle, {warm:.1} MB after {:.0} s, {end_rss:.1} MB at the end, {peak:.1} MB at most",
        secs as f64 / 10.0
    );
    let mut problems = Vec::new();
    for (name, w) in [("reading", &read), ("posting", &write)] {
        if w.non_2xx > 0 {
            problems.push(format!("{name}: {} answers were not 2xx/3xx", w.non_2xx));
        }
        if !w.socket_errors.is_empty() {
            problems.push(format!("{name}: socket errors {}", w.socket_errors));
        }
    }
    if stored < write.requests as i64 {
        problems.push(format!(
            "{stored} answers stored for {} acknowledged",
            write.requests
        ));
    }
    if !problems.is_empty() {
        eprintln!("errors under load: {}", problems.join("; "));
        std::process::exit(1);
    }
}

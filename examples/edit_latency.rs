//! Edit-to-served latency of `portico serve`: writes a new sentence into one
//! announcement, then polls its page until the served page has it. Prints
//! the median of several edits. With `--new`, each edit is a new
//! announcement instead (the newest, so every list moves), polled for until
//! its page is served; they are removed at the end.
//!
//! `cargo build --release && cargo run --release --example edit_latency -- DIR [EDITS] [--new]`
//! (DIR: a portal, e.g. one made by the `gen_portal` example).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn get(addr: &str, path: &str) -> String {
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let new = args.iter().any(|a| a == "--new");
    args.retain(|a| a != "--new");
    let mut args = args.into_iter();
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: edit_latency DIR [EDITS] [--new]");
        std::process::exit(2)
    };
    let edits: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(7);
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("portico")));
    let exe = exe
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("target/release/portico"));
    let mut child = Command::new(&exe)
        .args(["-q", "serve", "--port", "0", "--root"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let addr = url
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();

    // The first announcement (by file name) is the one edited.
    let folder = dir.join("content/announcements");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let file: &Path = files
        .iter()
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("an announcement");
    let slug = file.file_stem().unwrap().to_string_lossy().to_lowercase();
    let page = format!("/announcements/{slug}/");
    let original = std::fs::read_to_string(file).unwrap();
    let announcements = files.len();

    let mut times = Vec::new();
    let mut added = Vec::new();
    for n in 0..edits {
        std::thread::sleep(Duration::from_millis(300));
        let marker = format!("Edited sentence number {n} for the latency benchmark.");
        let started = Instant::now();
        let page = if new {
            let slug = format!("zz-latency-{n}");
            let path = folder.join(format!("{slug}.md"));
            std::fs::write(
                &path,
                format!("+++\ntitle = \"Latency {n}\"\ndate = 2029-12-31\nkind = \"news\"\n+++\n\n{marker}\n"),
            )
            .unwrap();
            added.push(path);
            format!("/announcements/{slug}/")
        } else {
            std::fs::write(file, format!("{original}\n{marker}\n")).unwrap();
            page.clone()
        };
        loop {
            if get(&addr, &page).contains(&marker) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the edit never showed"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(started.elapsed());
    }
    std::fs::write(file, original).unwrap();
    for path in added {
        std::fs::remove_file(path).unwrap();
    }
    let _ = child.kill();
    let _ = child.wait();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{announcements} announcements: {} to served page, median {:.0} ms (min {:.0}, max {:.0}, {} edits)",
        if new { "new announcement" } else { "edit" },
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

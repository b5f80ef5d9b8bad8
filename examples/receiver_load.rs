//! Load on the feedback receiver: builds a portal, starts `portico collect`
//! on a free loopback port with a fresh database, and posts JSON survey
//! responses from many keep-alive connections for a few seconds. Every
//! answer counted was acknowledged (201), so it was committed to disk.
//! Reports accepted responses per second and latency, median of the runs.
//!
//! cargo build --release && cargo run --release --example receiver_load -- [--clients N] [--seconds S] [--runs R] [PROJECT]
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    project: PathBuf,
    clients: usize,
    seconds: u64,
    runs: usize,
}

fn options() -> Options {
    let mut o = Options {
        project: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        clients: 64,
        seconds: 5,
        runs: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = || args.next().and_then(|v| v.parse().ok()).expect("a number");
        match a.as_str() {
            "--clients" => o.clients = number() as usize,
            "--seconds" => o.seconds = number(),
            "--runs" => o.runs = number() as usize,
            "-h" | "--help" => {
                eprintln!("usage: receiver_load [--clients N] [--seconds S] [--runs R] [PROJECT]");
                std::process::exit(0);
            }
            other => o.project = PathBuf::from(other),
        }
    }
    o
}

/// One keep-alive connection posting responses until `until`; returns
/// the latencies of the acknowledged ones.
fn client(addr: &str, survey: &str, n: usize, until: Instant) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).ok();
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut i = 0;
    while Instant::now() < until {
        let body = format!(
            "{{\"overall\": {}, \"recommend\": {}, \"_submission\": \"load-{n}-{i}\"}}",
            1 + i % 5,
            i % 11
        );
        let request = format!(
            "POST /api/surveys/{survey}/responses HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let t = Instant::now();
        if stream.write_all(request.as_bytes()).is_err() {
            break;
        }
        let mut status = String::new();
        if reader.read_line(&mut status).unwrap_or(0) == 0 {
            break;
        }
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return latencies;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut rest = vec![0; length];
        if reader.read_exact(&mut rest).is_err() {
            break;
        }
        if status.split_whitespace().nth(1) == Some("201") {
            latencies.push(t.elapsed());
        } else {
            eprintln!("unexpected answer: {}", status.trim());
        }
        i += 1;
    }
    latencies
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let o = options();
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/portico");
    assert!(
        bin.exists(),
        "build the binary first: cargo build --release"
    );
    let work = std::env::temp_dir().join("portico-receiver-load");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let site = work.join("site");
    let built = Command::new(&bin)
        .args(["--root", o.project.to_str().unwrap(), "-q", "build", "-o"])
        .arg(&site)
        .status()
        .unwrap();
    assert!(built.success(), "the build failed");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("_portico/receiver.json")).unwrap())
            .unwrap();
    let survey = "it-satisfaction-2026";
    assert!(
        manifest["surveys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == survey),
        "the portal has no survey {survey}"
    );
    println!(
        "{} clients, {} s per run, {} runs; durable commits (WAL, synchronous=FULL)",
        o.clients, o.seconds, o.runs
    );
    println!("run  accepted/s  p50 ms  p99 ms  stored");
    let mut rates = Vec::new();
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    for run in 1..=o.runs {
        let db = work.join(format!("run{run}.sqlite"));
        let mut child = Command::new(&bin)
            .args(["-q", "collect", "--port", "0", "--rate-limit", "0", "--db"])
            .arg(&db)
            .arg("--site")
            .arg(&site)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        let addr = url
            .trim()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let start = Instant::now();
        let until = start + Duration::from_secs(o.seconds);
        let handles: Vec<_> = (0..o.clients)
            .map(|n| {
                let addr = addr.clone();
                std::thread::spawn(move || client(&addr, survey, n, until))
            })
            .collect();
        let mut all: Vec<Duration> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let elapsed = start.elapsed().as_secs_f64();
        let _ = child.kill();
        let _ = child.wait();
        all.sort();
        let stored: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT count(*) FROM responses", [], |r| r.get(0))
            .unwrap();
        assert!(
            stored as usize >= all.len(),
            "acknowledged answers are missing"
        );
        let rate = all.len() as f64 / elapsed;
        let p50 = percentile(&all, 0.5).as_secs_f64() * 1000.0;
        let p99 = percentile(&all, 0.99).as_secs_f64() * 1000.0;
        println!("{run:>3}  {rate:>10.0}  {p50:>6.1}  {p99:>6.1}  {stored:>6}");
        rates.push(rate);
        p50s.push(p50);
        p99s.push(p99);
    }
    println!(
        "median: {:.0} accepted responses/s, p50 {:.1} ms, p99 {:.1} ms",
        median(rates),
        median(p50s),
        median(p99s)
    );
}

//! Time to first search result in headless Chromium: serves a built site
//! with `portico collect --site`, opens the home page, types a query into
//! the header's search box (the index loads on that first use) and times
//! until the first result shows. Prints the index size against the HTML.
//!
//! cargo build --release && cargo run --release --example search_timing -- SITE_DIR "query" [RUNS]
use std::io::BufRead;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let site = PathBuf::from(args.next().expect("SITE_DIR (a built portal)"));
    let query = args.next().unwrap_or_else(|| "vpn".into());
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(5);
    let index = std::fs::metadata(site.join("search/index.json"))
        .expect("a search index")
        .len();
    let html: u64 = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "index {:.2} MB, HTML {:.1} MB: {:.1}%",
        index as f64 / 1e6,
        html as f64 / 1e6,
        index as f64 * 100.0 / html as f64
    );
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/portico");
    let db = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(bin)
        .args(["-q", "collect", "--port", "0", "--db"])
        .arg(db.path().join("x.sqlite"))
        .arg("--site")
        .arg(&site)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_owned();
    let profile = tempfile::tempdir().unwrap();
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(Some("/usr/bin/chromium".into()))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let browser = headless_chrome::Browser::new(options).unwrap();
    let mut times = Vec::new();
    for _ in 0..runs {
        // A new tab each time: the index is fetched and prepared again.
        let tab = browser.new_tab().unwrap();
        tab.navigate_to(&url)
            .unwrap()
            .wait_until_navigated()
            .unwrap();
        // Focus and the whole query at once: the index starts loading on
        // focus, so this is the slowest a first search can be.
        let start = Instant::now();
        tab.evaluate(
            &format!(
                "(() => {{ const i = document.getElementById('site-search-input'); i.focus(); i.value = {}; i.dispatchEvent(new Event('input')); }})()",
                serde_json::Value::String(query.clone())
            ),
            false,
        )
        .unwrap();
        loop {
            let shown = tab
                .evaluate(
                    "!!document.querySelector('#site-search-results:not([hidden]) li')",
                    false,
                )
                .ok()
                .and_then(|r| r.value);
            if shown == Some(serde_json::Value::Bool(true)) {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "no results");
            std::thread::sleep(Duration::from_millis(5));
        }
        times.push(start.elapsed());
        let _ = tab.close(true);
    }
    let _ = child.kill();
    let _ = child.wait();
    times.sort();
    println!(
        "time to first result for {query:?}: median {:.0} ms (min {:.0}, max {:.0}, {runs} runs)",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
}
